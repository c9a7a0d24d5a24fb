"""How the benchmark sections measure: medians of repeated runs, and programs run inside Pyodide (Node)."""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn, repeat: int = 50, warmup: int = 2) -> float:
    """The median wall time of `fn()` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def in_pyodide(program: str, timeout: float = 600) -> dict:
    """Run `program` in Pyodide under Node with the site's pyodemo wheel; return the JSON it printed
    on a line starting with "RESULT " (the global BOOT_MS holds Pyodide's boot time)."""
    from site_tools.site_hook import build_wheel

    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        path = Path(tmp) / "bench.py"
        path.write_text(program)
        done = subprocess.run(["node", str(ROOT / "tests/pyodide_node.mjs"), str(wheel), str(path)],
                              capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the Pyodide program failed:\n{done.stderr[-2000:]}")
    line = next(l for l in done.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])
