"""HOG of one 64×64 image: pyodemo in CPython, pyodemo in Pyodide (Node), scikit-image in CPython."""

from __future__ import annotations

import json

import numpy as np

from bench.measure import in_pyodide, median_ms

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


def run() -> dict:
    from skimage.feature import hog as skimage_hog

    from pyodemo.hog import hog

    image = np.random.default_rng(0).random((64, 64))
    rows = image.tolist()
    cpython = median_ms(lambda: hog(rows), repeat=REPEAT, warmup=10)
    skimage = median_ms(lambda: skimage_hog(image, orientations=9, pixels_per_cell=(8, 8),
                                            cells_per_block=(2, 2), block_norm="L2-Hys"), repeat=REPEAT, warmup=10)
    pyodide = in_pyodide(f"ROWS = {json.dumps(rows)!r}\nREPEAT = {REPEAT}\n" + PYODIDE_PROGRAM)
    return {
        "hog_cpython_ms": round(cpython, 3),
        "hog_skimage_ms": round(skimage, 3),
        "hog_pyodide_node_ms": round(pyodide["median_ms"], 3),
        "hog_cpython_vs_skimage_ratio": round(cpython / skimage, 2),
        "hog_pyodide_vs_cpython_ratio": round(pyodide["median_ms"] / cpython, 2),
        "pyodide_node_boot_ms": round(pyodide["boot_ms"], 1),
    }
