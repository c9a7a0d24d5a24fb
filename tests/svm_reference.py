"""The scikit-learn side of the SVM parity tests, run here or in a subprocess under another CPU variant.

    python -m tests.svm_reference CASES.pkl OUT.pkl

reads a list of :class:`Case` (data, parameters, probe points), fits
``sklearn.svm.SVC`` on each and writes ``{"info": ..., "fits": {case id: Fit}}``
(``tests.svm_optimality.Fit``: dual coefficients, decision values and predictions
at the probe points).  The data come from the calling process, so every variant fits
exactly the same numbers; only the arithmetic of the fit differs.
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass, field

import numpy as np

from tests.svm_optimality import Fit


@dataclass
class Case:
    id: str
    X: np.ndarray
    y: np.ndarray
    params: dict
    points: np.ndarray
    tags: dict = field(default_factory=dict)  # kernel, data set name, C: for grouping and printing


def fit_reference(case: Case) -> Fit:
    from sklearn.svm import SVC

    return Fit.of(SVC(**case.params).fit(case.X, case.y), case.points)


def fit_all(cases: list[Case]) -> dict[str, Fit]:
    return {case.id: fit_reference(case) for case in cases}


def machine() -> dict:
    """The code paths this process runs: OpenBLAS's kernel, numpy's SIMD, the forcing variables."""
    import threadpoolctl

    blas = [i.get("architecture") for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
    simd = np.__config__.CONFIG.get("SIMD Extensions", {}) if hasattr(np.__config__, "CONFIG") else {}
    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "GLIBC_TUNABLES", "NPY_DISABLE_CPU_FEATURES")
              if k in os.environ}
    return {"openblas": blas[0] if blas else None, "numpy_simd": simd, "forced": forced}


def main(argv: list[str]) -> int:
    source, target = argv
    with open(source, "rb") as f:
        cases = pickle.load(f)
    out = {"info": machine(), "fits": fit_all(cases)}
    with open(target, "wb") as f:
        pickle.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
