"""The SVM playground's refit (100 points): pyodemo in Pyodide (Node) and in CPython; SMO fit vs scikit-learn.

* ``playground_refit_100_<kernel>_{cpython,pyodide_node}_ms``: one ``rpc.dispatch("svm_playground.fit", ...)``
  on the moons preset (100 points, noise 0.2, C = 1, gamma "scale", 60 x 60 grid) -- what the browser's
  worker runs for every change: fit + grid + training accuracy + JSON both ways. ``..._fit_ms`` and
  ``..._grid_ms`` split it (Pyodide).
* ``smo_fit_<n>_<kernel>_{pyodemo,sklearn}_ms`` and ``..._ratio``: ``pyodemo.svm.SVC.fit`` against
  ``sklearn.svm.SVC.fit`` in CPython, same data (make_moons, noise 0.3) and parameters, n = 100 and 300.
"""

from __future__ import annotations

import json

from bench.measure import in_pyodide, median_ms

KERNELS = ("linear", "poly", "rbf")
REPEAT = 15

PYODIDE_PROGRAM = r"""
import json, statistics, time
from pyodemo.web import rpc
out = {}
for kernel in KERNELS:
    args = json.dumps({**DATA, "kernel": kernel, "C": 1.0, "gamma": "scale", "grid": 60, "max_iter": 20000})
    totals, fits, grids = [], [], []
    for _ in range(REPEAT + 2):
        t0 = time.perf_counter()
        reply = json.loads(rpc.dispatch("svm_playground.fit", args))
        totals.append(time.perf_counter() - t0)
        assert reply["ok"], reply
        fits.append(reply["result"]["fit_ms"])
        grids.append(reply["result"]["grid_ms"])
    out[kernel] = {"total_ms": 1000 * statistics.median(totals[2:]), "fit_ms": statistics.median(fits[2:]),
                   "grid_ms": statistics.median(grids[2:]), "n_sv": reply["result"]["n_sv"]}
print("RESULT " + json.dumps(out))
"""


def run() -> dict:
    from sklearn.datasets import make_moons
    from sklearn.svm import SVC as SkSVC

    from pyodemo.web import rpc
    from pyodemo.web import svm_playground as playground
    from pyodemo.svm import SVC

    results: dict[str, float] = {}
    data = playground.preset("moons", n=100, noise=0.2, seed=0)
    data = {"points": data["points"], "labels": data["labels"]}

    # The playground's refit in CPython, through the same doorway as the worker.
    for kernel in KERNELS:
        args = json.dumps({**data, "kernel": kernel, "C": 1.0, "gamma": "scale", "grid": 60, "max_iter": 20000})
        results[f"playground_refit_100_{kernel}_cpython_ms"] = round(median_ms(lambda: rpc.dispatch("svm_playground.fit", args), repeat=REPEAT), 2)

    # ... and in Pyodide under Node.
    pyodide = in_pyodide(f"DATA = {json.dumps(data)!r}\nDATA = __import__('json').loads(DATA)\n"
                         f"KERNELS = {KERNELS!r}\nREPEAT = {REPEAT}\n" + PYODIDE_PROGRAM, timeout=900)
    for kernel in KERNELS:
        r = pyodide[kernel]
        results[f"playground_refit_100_{kernel}_pyodide_node_ms"] = round(r["total_ms"], 2)
        results[f"playground_refit_100_{kernel}_pyodide_node_fit_ms"] = round(r["fit_ms"], 2)
        results[f"playground_refit_100_{kernel}_pyodide_node_grid_ms"] = round(r["grid_ms"], 2)

    # SMO: pyodemo's fit against scikit-learn's libsvm, CPython, same data and parameters.
    for n in (100, 300):
        X, y = make_moons(n, noise=0.3, random_state=0)
        Xl, yl = X.tolist(), y.tolist()
        for kernel in KERNELS:
            ours = median_ms(lambda: SVC(kernel=kernel, C=1.0).fit(Xl, yl), repeat=7)
            theirs = median_ms(lambda: SkSVC(kernel=kernel, C=1.0).fit(X, y), repeat=7)
            results[f"smo_fit_{n}_{kernel}_pyodemo_ms"] = round(ours, 2)
            results[f"smo_fit_{n}_{kernel}_sklearn_ms"] = round(theirs, 3)
            results[f"smo_fit_{n}_{kernel}_pyodemo_vs_sklearn_ratio"] = round(ours / theirs, 1)
    return results
