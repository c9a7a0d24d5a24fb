"""Wall time of `make models` and `make test` (issue 8, item 6): sections ``make_models`` and ``make_test``.

Both are slow (`make models` rebuilds the dataset and retrains both models into slides/models/; `make test`
runs the whole suite), so they run only when named: ``python -m bench make_models make_test``. In a default
``python -m bench`` they answer nothing and bench/results.json keeps the values measured last time.
One run each (not a median: each takes many minutes); the machine's load at the time goes with the number.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _asked(section: str) -> bool:
    """Named on the command line (or BENCH_SLOW=1): the default run of every section skips these."""
    return section in sys.argv[1:] or os.environ.get("BENCH_SLOW") == "1"


def _timed_make(target: str) -> tuple[float, str]:
    t0 = time.monotonic()
    done = subprocess.run(["make", target], cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    if done.returncode != 0:
        raise RuntimeError(f"`make {target}` failed (exit {done.returncode}) after {seconds:.0f} s:\n"
                           f"{(done.stdout + done.stderr)[-3000:]}")
    return seconds, done.stdout


def make_models() -> dict:
    if not _asked("make_models"):
        print("  (skipped: slow, and it retrains slides/models/; run `python -m bench make_models`)", flush=True)
        return {}
    seconds, _ = _timed_make("models")
    return {"make_models_s": round(seconds, 1)}


def make_test() -> dict:
    if not _asked("make_test"):
        print("  (skipped: slow; run `python -m bench make_test`)", flush=True)
        return {}
    seconds, out = _timed_make("test")
    summary = re.findall(r"^=+ (.*(?:passed|failed).*) =+$", out, re.M)
    return {"make_test_s": round(seconds, 1), **({"make_test_summary": summary[-1]} if summary else {})}
