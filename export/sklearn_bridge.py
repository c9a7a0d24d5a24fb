"""scikit-learn -> pyodemo: turn a fitted ``sklearn.svm.SVC`` into a ``pyodemo.svm.SVC``.

The two describe the same libsvm model, so the conversion only copies arrays:
support vectors, libsvm's unflipped dual coefficients (``clf._dual_coef_``),
``rho = -clf._intercept_``, ``n_support_``, ``support_``, the classes and the
numeric gamma actually used (``clf._gamma``, which resolves "scale"/"auto").
The result's ``predict`` and ``decision_function`` equal scikit-learn's
(tests/test_svm_parity.py measures by how much).

    >>> from sklearn.svm import SVC as SkSVC
    >>> clf = SkSVC(kernel="rbf").fit([[0, 0], [1, 1], [0, 1], [3, 3]], [0, 0, 1, 1])
    >>> model = to_pyodemo(clf, pipeline={"input": {"width": 64, "height": 64}})
    >>> model.predict([[0.1, 0.0]]) == clf.predict([[0.1, 0.0]]).tolist()
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyodemo.svm import SVC

__all__ = ["to_pyodemo"]


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def to_pyodemo(clf: Any, pipeline: dict | None = None, threshold: float | None = None) -> SVC:
    """A ``pyodemo.svm.SVC`` (one-vs-one) equal to the fitted scikit-learn ``SVC`` ``clf``.

    ``pipeline`` (a JSON-able dict describing preprocessing and features) and
    ``threshold`` are stored on the model and travel with it through
    ``to_bytes``/``save``.  Raises ``ValueError`` for anything pyodemo cannot
    reproduce: an unfitted model, a precomputed or callable kernel, sparse
    training data.
    """
    from sklearn.svm import SVC as SkSVC

    if not isinstance(clf, SkSVC):
        raise ValueError(f"expected a fitted sklearn.svm.SVC, got {type(clf).__name__}")
    if not hasattr(clf, "support_vectors_"):
        raise ValueError("the scikit-learn SVC is not fitted: call fit(X, y) first")
    if not isinstance(clf.kernel, str) or clf.kernel not in ("linear", "poly", "rbf", "sigmoid"):
        raise ValueError(f"pyodemo supports the kernels linear, poly, rbf and sigmoid, not {clf.kernel!r}")
    if getattr(clf, "_sparse", False):
        raise ValueError("the SVC was trained on sparse data; refit it on a dense array")

    classes = [_py(c) for c in clf.classes_]
    sv = np.asarray(clf.support_vectors_, dtype=np.float64)
    coef = np.asarray(clf._dual_coef_, dtype=np.float64)  # libsvm's sign convention
    rho = (-np.asarray(clf._intercept_, dtype=np.float64)).tolist()
    n_support = [int(v) for v in clf._n_support]
    cw = clf.class_weight
    if isinstance(cw, dict):
        cw = {_py(k): float(w) for k, w in cw.items()}
    model = SVC(
        kernel=clf.kernel,
        C=float(clf.C),
        gamma=clf.gamma if isinstance(clf.gamma, str) else float(clf.gamma),
        degree=int(clf.degree),
        coef0=float(clf.coef0),
        decision_function_shape=clf.decision_function_shape,
        tol=float(clf.tol),
        class_weight=cw,
        multi_class="ovo",
        shrinking=bool(clf.shrinking),
        break_ties=bool(clf.break_ties),
    )
    model._install(
        classes=classes,
        gamma=float(clf._gamma),
        support_vectors=sv.tolist(),
        coef=coef.tolist(),
        rho=rho,
        n_support=n_support,
        support=[int(i) for i in clf.support_],
        ovr=False,
        n_features=int(clf.shape_fit_[1]),
    )
    model.fit_status_ = int(clf.fit_status_)
    model.pipeline = pipeline
    model.threshold = threshold
    return model
