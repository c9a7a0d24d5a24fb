"""The HOG+SVM model's SVM: scikit-learn's `SVC` as the browser answers, fast grid fits, margins, cost.

`fit` is the model file's fit (scikit-learn's own kernel); `Gram` + `Fitted` are the model selection's
fits on precomputed kernel matrices; `margins` is the "not sure" rule's quantity; `cost_macs` the browser
budget's.
"""

from __future__ import annotations

import time

import numpy as np

from pyodemo.multiclass import pairs


def cost_macs(kernel: str, n_sv: int, n_classes: int, n_features: int) -> int:
    """Multiply-adds to score one image: linear → one weight vector per pair, else one kernel per SV."""
    if kernel == "linear":
        return n_classes * (n_classes - 1) // 2 * n_features
    return n_sv * n_features


#: How every model here picks its answer: the browser ranks the classes by the one-vs-rest scores
#: (`pyodemo.classify.rank`), and ``break_ties=True`` makes ``predict`` do the same when several
#: classes tie on one-vs-one votes (libsvm would take the first of them). So every accuracy this
#: module reports, and the model file's own ``predict``, is what the site shows.
ANSWER_RULE = {"break_ties": True}


def fit(config: dict, X: np.ndarray, y: np.ndarray):
    """`sklearn.svm.SVC` with balanced class weights (step 1b), fitted."""
    from sklearn.svm import SVC

    params = {"class_weight": "balanced", "cache_size": 500, **ANSWER_RULE, **config}
    return SVC(**params).fit(X, y)


class Gram:
    """Kernel matrices from one matrix of dot products, for fast fits with ``kernel="precomputed"``.

    libsvm computes each kernel value with its own loop (1,788 multiply-adds, one at a time), and
    a grid of fits on ~6,000 images spends most of its time there. The dot products ``X Xᵀ`` are
    one BLAS call; the linear, polynomial and RBF kernels are functions of them (RBF:
    ``‖x − x'‖² = x·x + x'·x' − 2 x·x'``). A fit on the precomputed kernel solves the same
    problem as scikit-learn's own kernel (the chosen model is refitted with the real kernel for
    the model file, and the log records that the two agree).
    """

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self.G = X @ X.T
        self.sq = np.einsum("ij,ij->i", X, X)
        self.scale_gamma = 1.0 / (X.shape[1] * X.var()) if X.var() > 0 else 1.0

    def gamma(self, config: dict) -> float:
        g = config.get("gamma", "scale")
        if g == "scale":
            return self.scale_gamma
        if g == "auto":
            return 1.0 / self.X.shape[1]
        return float(g)

    def kernel(self, config: dict, A: np.ndarray | None = None) -> np.ndarray:
        """K(A, X) for the configuration's kernel (A = None: the training rows themselves)."""
        dots = self.G if A is None else A @ self.X.T
        kind = config["kernel"]
        if kind == "linear":
            return dots
        g = self.gamma(config)
        if kind == "poly":
            return (g * dots + config.get("coef0", 0.0)) ** config.get("degree", 3)
        if kind == "rbf":
            sq_a = self.sq if A is None else np.einsum("ij,ij->i", A, A)
            return np.exp(-g * np.maximum(sq_a[:, None] + self.sq[None, :] - 2 * dots, 0.0))
        raise ValueError(f"unsupported kernel {kind!r}")

    def fit(self, config: dict, y: np.ndarray):
        """*config* fitted on the precomputed kernel; returns (SVC, seconds)."""
        from sklearn.svm import SVC

        t = time.perf_counter()
        params = {k: v for k, v in config.items() if k not in ("kernel", "gamma", "degree", "coef0")}
        clf = SVC(kernel="precomputed", class_weight="balanced", cache_size=500, **ANSWER_RULE, **params).fit(
            self.kernel(config), y)
        return clf, time.perf_counter() - t


class Fitted:
    """A fit on a `Gram`, predicting from feature rows."""

    def __init__(self, gram: Gram, config: dict, y: np.ndarray) -> None:
        self.gram, self.config = gram, config
        self.clf, self.seconds = gram.fit(config, y)
        self.n_sv = int(self.clf.n_support_.sum())
        self.classes_ = self.clf.classes_

    def predict(self, A: np.ndarray) -> np.ndarray:
        return self.clf.predict(self.gram.kernel(self.config, A))


def margins(clf, X: np.ndarray) -> np.ndarray:
    """The top class's weakest one-vs-one win per row: the largest of `pyodemo.classify.decision`'s margins."""
    k = len(clf.classes_)
    shape = clf.decision_function_shape
    clf.decision_function_shape = "ovo"
    try:
        d = clf.decision_function(X)
    finally:
        clf.decision_function_shape = shape
    if k == 2:
        d = -d.reshape(-1, 1)  # scikit-learn flips the binary case; libsvm's value is for class 0
    m = np.full((len(X), k, k), np.inf)
    for p, (i, j) in enumerate(pairs(k)):
        m[:, i, j] = d[:, p]
        m[:, j, i] = -d[:, p]
    return m.min(axis=2).max(axis=1)
