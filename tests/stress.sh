#!/usr/bin/env bash
# Run the tests on a busy machine: one core kept busy by a CPU burner (bounded, stopped on any exit), then
#
#   tests/stress.sh              the whole suite, as `make test` runs it (installs, site build, pytest)
#   tests/stress.sh race [N] [PATH ...]
#                                the tests marked `race` (pytest -m race) in tests/e2e, or in the PATHs given
#                                (e.g. tests/e2e/test_present.py), N times each (default 20), with
#                                pytest-repeat, against the site already built in site/
#
# PYTEST_ARGS is passed on to pytest in both modes (e.g. PYTEST_ARGS="-x"). At the end: a summary (runs,
# failures, wall time); the exit code is pytest's (or make's).
set -uo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
count="${2:-20}"
targets=("${@:3}")
[ ${#targets[@]} -gt 0 ] || targets=(tests/e2e)
PY="${PY:-.venv/bin/python}"
BURN_SECONDS=5400  # the burner's own limit, whatever happens to this script
case "$mode" in
  all|race) ;;
  *) echo "usage: tests/stress.sh [all | race [N]]" >&2; exit 2 ;;
esac
if [ "$mode" = race ] && [ ! -f site/index.html ]; then
  echo "stress: site/ is not built: run 'make test' (or '$PY -m mkdocs build') first" >&2
  exit 2
fi

timeout "$BURN_SECONDS" python3 -c "while True: pass" &
burner=$!
stop_burner() { kill "$burner" 2>/dev/null; wait "$burner" 2>/dev/null; }
trap stop_burner EXIT
trap 'stop_burner; exit 130' INT
trap 'stop_burner; exit 143' TERM
echo "stress: CPU burner running (pid $burner, at most ${BURN_SECONDS} s) on a machine with $(nproc) cores"

log="$(mktemp -t pyodemo-stress.XXXXXX.log)"
start=$(date +%s)
case "$mode" in
  all)
    make test PYTEST_ARGS="${PYTEST_ARGS:-}" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    ;;
  race)
    # shellcheck disable=SC2086
    "$PY" -m pytest "${targets[@]}" -m race --count "$count" ${PYTEST_ARGS:-} 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    ;;
esac
seconds=$(( $(date +%s) - start ))

# pytest's closing line, e.g. "2 failed, 398 passed, 1 skipped in 812.34s (0:13:32)"
closing=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
count_of() { grep -oE "[0-9]+ $1" <<<"$closing" | grep -oE '^[0-9]+' || echo 0; }
passed=$(count_of passed); failed=$(count_of failed); errors=$(count_of error); skipped=$(count_of skipped)
echo
echo "================ stress summary ================"
echo "mode:       $mode$([ "$mode" = race ] && echo " (each race test $count times)")"
echo "runs:       $((passed + failed + errors)) tests run ($passed passed, $failed failed, $errors errors, $skipped skipped)"
echo "failures:   $((failed + errors))"
grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/            /' | sort | uniq -c | sort -rn | head -40
echo "wall time:  $((seconds / 60)) min $((seconds % 60)) s"
echo "exit code:  $status (log: $log)"
exit "$status"
