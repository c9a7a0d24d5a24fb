"""`python -m bench [SECTION ...]`: run benchmark sections, merge their numbers into bench/results.json.

Every number is a median over repeated runs (these machines are noisy); where a reference exists the
ratio is reported too. Sections: see `SECTIONS`. With no argument, all run.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from bench import hog_speed

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"

SECTIONS = {
    "hog": hog_speed.run,
    "playground": lambda: __import__("bench.playground_speed", fromlist=["run"]).run(),
    "browser": lambda: __import__("bench.browser", fromlist=["run"]).run(),
    "engines": lambda: __import__("bench.engines", fromlist=["run"]).run(),
    "lighthouse": lambda: __import__("bench.lighthouse", fromlist=["run"]).run(),
    "phone": lambda: __import__("bench.phone", fromlist=["run"]).run(),
    "follow": lambda: __import__("bench.follow", fromlist=["run"]).run(),
    "svm": lambda: __import__("bench.svm_speed", fromlist=["run"]).run(),
    "teach": lambda: __import__("bench.teach_speed", fromlist=["run"]).run(),
    "teach_live": lambda: __import__("bench.teach_live", fromlist=["run"]).run(),
    "make_models": lambda: __import__("bench.models_time", fromlist=["make_models"]).make_models(),
    "make_test": lambda: __import__("bench.models_time", fromlist=["make_test"]).make_test(),
}


def machine() -> dict:
    def version(cmd: list[str]) -> str | None:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip() or None
        except (OSError, subprocess.TimeoutExpired):
            return None

    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "node": version(["node", "--version"]),
        "chromium": version(["/usr/bin/chromium", "--version"]),
    }


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        print(f"error: unknown section(s) {unknown}; known: {list(SECTIONS)}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results.update(machine())
    for name in names:
        print(f"== {name}", flush=True)
        numbers = SECTIONS[name]()
        results.update(numbers)
        for key, value in numbers.items():
            print(f"  {key:40s} {value}")
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
