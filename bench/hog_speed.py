"""HOG of one 64×64 image: pyodemo in CPython, pyodemo in Pyodide (Node), scikit-image in CPython."""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 200

PYODIDE_PROGRAM = r"""
import json, statistics, time
from pyodemo.hog import hog
rows = json.loads(ROWS)
times = []
for _ in range(REPEAT):
    t0 = time.perf_counter(); hog(rows); times.append(time.perf_counter() - t0)
print("RESULT " + json.dumps({"median_ms": 1000 * statistics.median(times[10:]), "boot_ms": BOOT_MS}))
"""


def median_ms(fn, repeat: int = REPEAT, warmup: int = 10) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def run() -> dict:
    from skimage.feature import hog as skimage_hog

    from export.site_hook import build_wheel
    from pyodemo.hog import hog

    image = np.random.default_rng(0).random((64, 64))
    rows = image.tolist()
    cpython = median_ms(lambda: hog(rows))
    skimage = median_ms(lambda: skimage_hog(image, orientations=9, pixels_per_cell=(8, 8),
                                            cells_per_block=(2, 2), block_norm="L2-Hys"))
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        program = Path(tmp) / "bench.py"
        program.write_text(f"ROWS = {json.dumps(rows)!r}\nREPEAT = {REPEAT}\n" + PYODIDE_PROGRAM)
        done = subprocess.run(["node", str(ROOT / "tests/pyodide_node.mjs"), str(wheel), str(program)],
                              capture_output=True, text=True, timeout=600, check=True)
    line = next(l for l in done.stdout.splitlines() if l.startswith("RESULT "))
    pyodide = json.loads(line[len("RESULT "):])
    return {
        "hog_cpython_ms": round(cpython, 3),
        "hog_skimage_ms": round(skimage, 3),
        "hog_pyodide_node_ms": round(pyodide["median_ms"], 3),
        "hog_cpython_vs_skimage_ratio": round(cpython / skimage, 2),
        "hog_pyodide_vs_cpython_ratio": round(pyodide["median_ms"] / cpython, 2),
        "pyodide_node_boot_ms": round(pyodide["boot_ms"], 1),
    }
