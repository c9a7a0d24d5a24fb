"""pyodemo inside Pyodide under Node: the browser's runtime (Python 3.14, WebAssembly), no browser.

One Node process per module boots Pyodide once, installs the wheel the site ships, runs every pyodemo
doctest there and a HOG computation whose reference scikit-image computed here in CPython.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from skimage.feature import hog as skimage_hog

from site_tools.site_hook import build_wheel

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")

PROGRAM = r"""
import doctest, importlib, json, pkgutil, sys
import pyodemo
from pyodemo.hog import hog

report = {"python": sys.version.split()[0], "platform": sys.platform, "doctests": {}}
for info in pkgutil.iter_modules(pyodemo.__path__):
    module = importlib.import_module("pyodemo." + info.name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    report["doctests"][info.name] = [result.failed, result.attempted]
case = json.loads(CASE)
features = hog(case["rows"], orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2-Hys")
report["hog_max_diff"] = max(abs(a - b) for a, b in zip(features, case["expected"]))
report["hog_length"] = [len(features), len(case["expected"])]
print("REPORT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if NODE is None or not (ROOT / "node_modules/pyodide/pyodide.mjs").is_file():
        pytest.fail("node and node_modules/pyodide are needed: `make test` runs npm ci")
    tmp = tmp_path_factory.mktemp("pyodide")
    wheel = build_wheel(tmp)
    rng = np.random.default_rng(7)
    image = rng.random((70, 61))
    expected = skimage_hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                           block_norm="L2-Hys", feature_vector=True)
    case = json.dumps({"rows": image.tolist(), "expected": expected.tolist()})
    program = tmp / "program.py"
    program.write_text(f"CASE = {case!r}\n" + PROGRAM)
    done = subprocess.run([NODE, str(ROOT / "tests/pyodide_node.mjs"), str(wheel), str(program)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(l for l in done.stdout.splitlines() if l.startswith("REPORT "))
    return json.loads(line[len("REPORT "):])


def test_runs_on_python_3_14_in_webassembly(report):
    assert report["platform"] == "emscripten"
    assert report["python"].startswith("3.14")


def test_every_doctest_passes_in_pyodide(report):
    failed = {name: counts for name, counts in report["doctests"].items() if counts[0]}
    assert not failed, f"doctests failing in Pyodide: {failed}"
    assert sum(attempted for _, attempted in report["doctests"].values()) >= 10
    assert "hog" in report["doctests"] and report["doctests"]["hog"][1] > 0


def test_hog_in_pyodide_equals_scikit_image(report):
    assert report["hog_length"][0] == report["hog_length"][1]
    assert report["hog_max_diff"] <= 1e-6
