"""Support vector classification, the same model as scikit-learn's ``SVC`` (libsvm).

An SVM draws the boundary with the *maximum margin* between two classes; a
*soft margin* lets some points sit inside the margin or on the wrong side, at a
cost ``C`` per unit of violation (Cortes & Vapnik, *Support-vector networks*,
1995).  Only the points on or inside the margin -- the support vectors -- shape
the decision function

    f(x) = sum_k  alpha_k y_k K(x, sv_k) - rho,

a weighted vote of kernel similarities between ``x`` and the support vectors
(see ``pyodemo.kernels`` for linear / poly / rbf / sigmoid).  Training solves the
dual problem with SMO and libsvm's working-set selection (``pyodemo.smo``: Platt
1998; Fan, Chen & Lin 2005; Chang & Lin, LIBSVM, 2011).

**Training** (``fit``) is libsvm's algorithm ported line by line (``pyodemo.smo``):
the same working-set choices, the same float32 kernel cache, the same stopping
rule (``tol``), the same ``rho`` -- so on the same data it normally takes the
same steps as ``sklearn.svm.SVC.fit`` and ends with the same support vectors
(tests/test_svm_fit.py measures this).  Only the last bit of a dot product can
differ (scikit-learn's come from BLAS); that may send SMO down a slightly
different path to another solution within ``tol``.  It is meant for small data
-- the playground's few hundred points -- and keeps the kernel matrix in memory.
A linear kernel with a large C on overlapping classes can need millions of
steps (in libsvm too); ``max_iter`` bounds each problem.

**Prediction** computes each support vector's kernel value once per point and
reuses it for every pair of classes; a linear model is collapsed to one weight
vector per pair (when that is fewer vectors than support vectors).  The cost is
about ``n_support_vectors * n_features`` multiply-adds per point (linear:
``n_pairs * n_features``).

**Many classes.** An SVM separates two classes.  For K classes:

* ``multi_class="ovo"`` (default, libsvm and scikit-learn): one SVM per pair of
  classes, K(K-1)/2 of them, each trained on the two classes' points only; the
  class with most pairwise votes wins (ties: the first class, as libsvm).
* ``multi_class="ovr"`` (the slide's OvA, one-vs-all): K SVMs, class k against all
  the rest, each trained on all points; the largest score wins.  Fewer but larger
  problems, and classes compete on a shared scale only approximately.  Equals
  ``sklearn.multiclass.OneVsRestClassifier(sklearn.svm.SVC(...))``.

With ``decision_function_shape="ovr"`` a one-vs-one model still reports K
scores per sample: scikit-learn's transform of the votes plus a confidence
``s / (3 (|s| + 1))`` in (-1/3, 1/3), so a difference of one vote is never
reversed.  Its argmax equals ``predict`` unless several classes tie on votes:
then libsvm's ``predict`` takes the first of them and the scores prefer the
more confident one -- exactly as in scikit-learn (``break_ties=True`` makes
``predict`` follow the scores).

The slide's example, two clusters and a straight line between them:

>>> clf = SVC(kernel="linear", C=10.0).fit([[0, 0], [1, 1], [3, 3], [4, 4]], ["a", "a", "b", "b"])
>>> clf.predict([[0.5, 0.0], [3.5, 4.0]])
['a', 'b']
>>> clf.n_support_, [[round(v, 6) for v in row] for row in clf.support_vectors_]
([1, 1], [[1.0, 1.0], [3.0, 3.0]])
>>> clf.top_k([2.2, 2.0], k=2)[0][0]
'b'
>>> SVC.from_bytes(clf.to_bytes()).predict([[0.5, 0.0], [3.5, 4.0]])
['a', 'b']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter, mul
from typing import Any

from pyodemo import modelfile
from pyodemo.checks import Constraint, is_finite, is_label, is_positive, is_whole, matrix, plain, validate
from pyodemo.kernels import KERNELS, KernelMatrix, kernel_values, resolve_gamma
from pyodemo.multiclass import layout, ovr_scores, pair_coefficients, pairs, problems, winner
from pyodemo.smo import solve
from pyodemo.vector import dot

__all__ = ["SVC", "FORMAT_NAME", "FORMAT_VERSION", "ovr_scores"]

FORMAT_NAME, FORMAT_VERSION = modelfile.SVM_FORMAT, modelfile.SVM_VERSION
#: Default cap on SMO iterations per binary problem (``max_iter``).
DEFAULT_MAX_ITER = 100_000

Label = Any  # int, float, str or bool


class SVC:
    """C-support vector classification with scikit-learn's parameters, names and shapes.

    Parameters are those of ``sklearn.svm.SVC``: ``kernel`` ("linear", "poly",
    "rbf", "sigmoid"), ``C`` (> 0), ``gamma`` ("scale", "auto" or a number > 0),
    ``degree`` (integer >= 1), ``coef0``, ``decision_function_shape`` ("ovr" or
    "ovo"), ``tol`` (libsvm's stopping tolerance eps), ``class_weight`` (None,
    "balanced" or {label: weight}: C of a class is multiplied by its weight, as
    libsvm), ``shrinking``, ``max_iter`` (SMO steps per binary problem; -1 = no
    limit; default 100,000 so a fit never hangs -- when the cap stops a problem
    the model is still usable and ``fit_status_`` is 1, like scikit-learn's, but
    without a warning), ``break_ties``; plus ``multi_class`` ("ovo" or "ovr",
    see the module docstring).

    Fitted attributes (lists instead of arrays): ``classes_``, ``support_``,
    ``support_vectors_``, ``n_support_``, ``dual_coef_``, ``intercept_``,
    ``coef_`` (linear kernel), ``n_iter_``, ``fit_status_``, ``n_features_in_``.
    For a one-vs-rest model ``dual_coef_`` has K rows and ``intercept_`` K
    values: score_k(x) = sum_i dual_coef_[k][i] K(sv_i, x) + intercept_[k].

    ``threshold`` (a float or None) and ``pipeline`` (a JSON-able dict describing
    the preprocessing and features, or None) are carried through the model file
    untouched, for the code that uses the model.
    """

    def __init__(
        self,
        kernel: str = "rbf",
        C: float = 1.0,
        gamma: float | str = "scale",
        degree: int = 3,
        coef0: float = 0.0,
        decision_function_shape: str = "ovr",
        tol: float = 1e-3,
        class_weight: None | str | dict = None,
        multi_class: str = "ovo",
        max_iter: int = DEFAULT_MAX_ITER,
        shrinking: bool = True,
        break_ties: bool = False,
    ) -> None:
        self.kernel = kernel
        self.C = C
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.decision_function_shape = decision_function_shape
        self.tol = tol
        self.class_weight = class_weight
        self.multi_class = multi_class
        self.max_iter = max_iter
        self.shrinking = shrinking
        self.break_ties = break_ties
        self.threshold: float | None = None
        self.pipeline: dict | None = None

    def __repr__(self) -> str:
        fitted = f", {len(self.classes_)} classes, {len(self.support_)} SVs" if self._fitted() else ""
        return f"SVC(kernel={self.kernel!r}, C={self.C!r}, gamma={self.gamma!r}{fitted})"

    # ------------------------------------------------------------------ parameters
    #: What each parameter may be (scikit-learn's ``_parameter_constraints``): checked by ``fit`` and
    #: when a model file is read (:mod:`pyodemo.modelfile`).
    _parameter_constraints = {
        "kernel": Constraint(lambda v: v in KERNELS, f"one of {', '.join(KERNELS)}"),
        "C": Constraint(is_positive, "a positive number"),
        "gamma": Constraint(lambda v: v in ("scale", "auto") or is_positive(v), "'scale', 'auto' or a positive number"),
        "degree": Constraint(lambda v: is_finite(v) and float(v).is_integer() and v >= 1, "a whole number >= 1"),
        "coef0": Constraint(is_finite, "a finite number"),
        "decision_function_shape": Constraint(lambda v: v in ("ovr", "ovo"), "'ovr' or 'ovo'"),
        "tol": Constraint(is_positive, "a positive number"),
        "class_weight": Constraint(
            lambda v: v is None or v == "balanced" or isinstance(v, dict) and all(map(is_positive, v.values())),
            "None, 'balanced' or a dict {label: weight} of positive numbers"),
        "multi_class": Constraint(lambda v: v in ("ovo", "ovr"), "'ovo' or 'ovr'"),
        "max_iter": Constraint(lambda v: is_whole(v) and (v >= 1 or v == -1), "a positive whole number or -1 (no limit)"),
    }

    def _check_params(self) -> None:
        validate(self._parameter_constraints, vars(self))
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ValueError("break_ties must be False when decision_function_shape is 'ovo'")

    def _class_weights(self, classes: list, counts: list[int]) -> list[float]:
        cw = self.class_weight
        if cw is None:
            return [1.0] * len(classes)
        if cw == "balanced":
            n = sum(counts)
            return [n / (len(classes) * c) for c in counts]
        known = set(classes)
        unknown = [k for k in cw if plain(k) not in known]
        if unknown:
            raise ValueError(f"class_weight names classes that are not in y: {unknown!r}")
        given = {plain(k): float(w) for k, w in cw.items()}
        return [given.get(c, 1.0) for c in classes]

    # ------------------------------------------------------------------ training
    def fit(self, X: Sequence[Sequence[float]], y: Sequence[Label]) -> SVC:
        """Train on points ``X`` (rows of numbers) with labels ``y``; returns self.

        One SMO problem per pair of classes (``multi_class="ovo"``) or per class
        (``"ovr"``).  The kernel matrix is computed once, row by row on demand, and
        shared by all problems.
        """
        self._check_params()
        rows = matrix(X)
        try:
            labels = [plain(v) for v in y]
        except TypeError:
            raise ValueError("y must be a list of class labels") from None
        if len(labels) != len(rows):
            raise ValueError(f"X has {len(rows)} points but y has {len(labels)} labels")
        for v in labels:
            if not is_label(v):
                raise ValueError(f"class labels must be numbers or strings; got {v!r}")
        try:
            classes = sorted(set(labels))
        except TypeError:
            raise ValueError("class labels must be all numbers or all strings, not a mix") from None
        if len(classes) < 2:
            raise ValueError(
                f"need points of at least two classes to train; got only one class ({classes[0]!r})"
            )
        index = {c: k for k, c in enumerate(classes)}
        yk = [index[v] for v in labels]
        members: list[list[int]] = [[] for _ in classes]
        for i, k in enumerate(yk):
            members[k].append(i)
        counts = [len(m) for m in members]
        weights = self._class_weights(classes, counts)
        gamma = resolve_gamma(self.gamma, rows)  # computed for every kernel, as scikit-learn
        km = self._kernel_matrix(rows, gamma)
        n_classes = len(classes)
        c_class = [self.C * w for w in weights]

        ovr = self.multi_class == "ovr" and n_classes > 2  # two classes: one problem either way
        solved: list[tuple[list[int], list[float], float]] = []  # (points, alpha_i y_i, rho) per problem
        n_iter: list[int] = []
        status = 0
        for idx, ys, cs in problems(members, yk, c_class, ovr):
            signed, rho, it, ok = self._solve(km, idx, ys, cs)
            if ovr:  # the class is libsvm's -1 side: its score is minus libsvm's value
                signed, rho = [-a for a in signed], -rho
            solved.append((idx, signed, rho))
            n_iter.append(it)
            status |= 0 if ok else 1
        support, n_support, coef, rhos = layout(solved, members, yk, ovr)
        self._install(
            classes=classes,
            gamma=gamma,
            support_vectors=[rows[i] for i in support],
            coef=coef,
            rho=rhos,
            n_support=n_support,
            support=support,
            ovr=ovr,
            n_features=len(rows[0]),
        )
        self.class_weight_ = weights
        self.n_iter_ = n_iter
        self.fit_status_ = status
        self.shape_fit_ = (len(rows), len(rows[0]))
        return self

    def _kernel_matrix(self, rows: list[list[float]], gamma: float) -> KernelMatrix:
        """The training points' kernel matrix (a subclass may hand over one computed before: cross-validation)."""
        return KernelMatrix(rows, self.kernel, gamma, int(self.degree), float(self.coef0))

    def _solve(self, km: KernelMatrix, idx: list[int], ys: list[int], cs: list[float]):
        """One binary problem on the points ``idx`` -> (alpha_i y_i, rho, n_iter, converged)."""
        take = itemgetter(*idx)
        sign_pos = [float(v) for v in ys]
        sign_neg = [-v for v in sign_pos]

        def q_row(k: int) -> list[float]:
            vals = take(km.row(idx[k]))
            return list(map(mul, vals, sign_pos if ys[k] > 0 else sign_neg))

        qd = [km.diag[i] for i in idx]
        res = solve(q_row, qd, ys, cs, eps=float(self.tol), shrinking=bool(self.shrinking),
                    max_iter=self.max_iter)
        signed = [a * v for a, v in zip(res.alpha, ys)]
        return signed, res.rho, res.n_iter, res.converged

    # ------------------------------------------------------------------ the fitted model
    def _install(
        self,
        classes: list,
        gamma: float,
        support_vectors: list[list[float]] | None,
        coef: list[list[float]] | None,
        rho: list[float],
        n_support: list[int],
        support: list[int],
        ovr: bool,
        n_features: int,
        weights: list[list[float]] | None = None,
    ) -> None:
        """Set the fitted state (from ``fit``, a model file or scikit-learn).

        ``coef`` and ``rho`` use libsvm's convention: problem value
        ``sum_k coef[row][k] K(x, sv_k) - rho`` (one-vs-one: positive = first class
        of the pair).  ``weights`` (linear kernel only) may replace support vectors.
        """
        k = len(classes)
        binary = k == 2
        self.classes_ = list(classes)
        self._gamma = float(gamma)
        self._ovr = ovr
        self._rho = [float(r) for r in rho]
        self.n_features_in_ = n_features
        self.n_support_ = list(n_support)
        self.support_ = list(support)
        self._starts = [sum(n_support[:c]) for c in range(k)]
        self.support_vectors_ = support_vectors
        self._coef = coef
        sign = -1.0 if binary else 1.0  # scikit-learn flips the binary case
        self.dual_coef_ = None if coef is None else [[sign * v for v in row] for row in coef]
        # intercept_ = -rho (scikit-learn's copy_intercept avoids -0.0), flipped for two classes
        self.intercept_ = [(-sign * r) if r != 0 else 0.0 for r in self._rho]
        self._sv_sq = (
            [dot(s, s) for s in support_vectors] if self.kernel == "rbf" and support_vectors else None
        )
        # Pairs (one-vs-one): coefficient slices per class, so f_ij uses only the SVs of i and j.
        # (Without coefficients -- a linear model stored as weights -- the slices are empty.)
        self._pairs: list[tuple[int, int, list[float], list[float]]] = [] if ovr else [
            (i, j, *(pair_coefficients(coef, n_support, i, j) if coef is not None else ([], []))) for i, j in pairs(k)
        ]
        self._w = weights
        if weights is None and self.kernel == "linear" and support_vectors is not None:
            n_problems = len(self._rho)
            if n_problems < len(support_vectors):
                self._w = self._collapse()

    def _collapse(self) -> list[list[float]]:
        """Linear kernel: one weight vector per problem, w = sum_k coef_k sv_k."""
        sv = self.support_vectors_
        assert sv is not None and self._coef is not None
        d = self.n_features_in_
        if self._ovr:
            cols = list(zip(*sv)) if sv else [() for _ in range(d)]
            return [[dot(row, col) for col in cols] for row in self._coef]
        k = len(self.classes_)
        cols_by_class = []
        for c in range(k):
            block = sv[self._starts[c] : self._starts[c] + self.n_support_[c]]
            cols_by_class.append(list(zip(*block)) if block else [()] * d)
        out = []
        for i, j, c1, c2 in self._pairs:
            ci, cj = cols_by_class[i], cols_by_class[j]
            out.append([dot(c1, a) + dot(c2, b) for a, b in zip(ci, cj)])
        return out

    def _fitted(self) -> bool:
        return hasattr(self, "classes_")

    def _require_fitted(self) -> None:
        if not self._fitted():
            raise ValueError("this SVC is not fitted yet: call fit(X, y) or load a model first")

    @property
    def coef_(self) -> list[list[float]]:
        """Weights of the linear kernel, one row per problem (scikit-learn's ``coef_``)."""
        self._require_fitted()
        if self.kernel != "linear":
            raise ValueError("coef_ is only available when using a linear kernel")
        w = self._w if self._w is not None else self._collapse()
        if len(self.classes_) == 2:
            return [[-v for v in row] for row in w]
        return [list(row) for row in w]

    # ------------------------------------------------------------------ prediction
    def _raw(self, x: list[float]) -> list[float]:
        """libsvm's decision values of one point: one per pair (ovo) or per class (ovr)."""
        rho = self._rho
        if self._w is not None:
            return _linear_raw(self._w, x, rho)
        kv = kernel_values(
            self.kernel, x, self.support_vectors_, self._gamma, int(self.degree),
            float(self.coef0), rows_sq=self._sv_sq,
        )
        return self._raw_from_kernel(kv)

    def _raw_from_kernel(self, kv: list[float]) -> list[float]:
        """:meth:`_raw` from the point's kernel values with the support vectors, ``K(x, sv_k)`` in order."""
        rho = self._rho
        if self._ovr:
            return [dot(c, kv) - r for c, r in zip(self._coef, rho)]
        starts, counts = self._starts, self.n_support_
        kc = [kv[s : s + n] for s, n in zip(starts, counts)]
        return [dot(c1, kc[i]) + dot(c2, kc[j]) - r for (i, j, c1, c2), r in zip(self._pairs, rho)]

    def _label_index(self, dec: list[float]) -> int:
        k = len(self.classes_)
        if self._ovr:
            return dec.index(max(dec))
        if self.break_ties and self.decision_function_shape == "ovr" and k > 2:
            s = ovr_scores(dec, k)
            return s.index(max(s))
        return winner(dec, k)

    def predict(self, X: Sequence[Sequence[float]]) -> list[Label]:
        """Class labels of the points ``X`` (one-vs-one voting, libsvm's tie-break)."""
        self._require_fitted()
        rows = matrix(X, n_features=self.n_features_in_)
        classes = self.classes_
        return [classes[self._label_index(self._raw(x))] for x in rows]

    def decision_function(self, X: Sequence[Sequence[float]]) -> list:
        """scikit-learn's ``decision_function``, as nested lists.

        Two classes: one value per point, positive for ``classes_[1]``.  More
        classes: ``decision_function_shape="ovo"`` gives the K(K-1)/2 pairwise
        values, ``"ovr"`` the K scores of :func:`ovr_scores`.  A one-vs-rest model
        (``multi_class="ovr"``) always gives its K scores.
        """
        self._require_fitted()
        rows = matrix(X, n_features=self.n_features_in_)
        k = len(self.classes_)
        raw = [self._raw(x) for x in rows]
        if k == 2:
            return [-d[0] for d in raw]
        if self._ovr or self.decision_function_shape == "ovo":
            return raw
        return [ovr_scores(d, k) for d in raw]

    def scores(self, x: Sequence[float]) -> list[float]:
        """K scores of one point (the ``ovr`` decision function, also for 2 classes)."""
        self._require_fitted()
        row = matrix([x], name="x", n_features=self.n_features_in_)[0]
        raw = self._raw(row)
        return raw if self._ovr else ovr_scores(raw, len(self.classes_))

    def top_k(self, x: Sequence[float], k: int = 3) -> list[tuple[Label, float]]:
        """The ``k`` best (label, score) pairs for one point, best first.

        Scores are :meth:`scores`; equal scores keep the class order.

        >>> clf = SVC(kernel="linear").fit([[0.0], [1.0], [5.0], [6.0], [10.0], [11.0]], [0, 0, 1, 1, 2, 2])
        >>> [label for label, score in clf.top_k([5.4], k=3)]
        [1, 0, 2]
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a whole number >= 1; got {k!r}")
        s = self.scores(x)
        order = sorted(range(len(s)), key=lambda c: -s[c])[:k]
        return [(self.classes_[c], s[c]) for c in order]

    def score(self, X: Sequence[Sequence[float]], y: Sequence[Label]) -> float:
        """Accuracy: the fraction of points whose predicted label equals ``y``."""
        pred = self.predict(X)
        labels = [plain(v) for v in y]
        if len(labels) != len(pred):
            raise ValueError(f"X has {len(pred)} points but y has {len(labels)} labels")
        return sum(p == t for p, t in zip(pred, labels)) / len(pred)

    # ------------------------------------------------------------------ model file
    def to_bytes(self, dtype: str = "float32", form: str = "auto") -> bytes:
        """The model in pyodemo's compact format (see ``pyodemo.modelfile``).

        Header (JSON): ``format`` "pyodemo.svm", ``version`` 1, ``kernel``, ``C``,
        ``gamma`` (the number used) and ``gamma_param`` (as given), ``degree``,
        ``coef0``, ``tol``, ``decision_function_shape``, ``multi_class``,
        ``break_ties``, ``classes``, ``n_features``, ``n_support``, ``form``,
        ``dtype``, ``threshold``, ``pipeline``.  Arrays: ``rho`` (float64, one per
        problem), ``support`` (int32), ``dual_coef`` (float64, libsvm's
        ``sv_coef`` layout, unflipped) and ``support_vectors`` in ``dtype`` -- or,
        for the linear kernel with ``form="weights"``, only ``weights`` (one
        vector per problem, in ``dtype``).  ``form="auto"`` stores the weights
        when a linear model has fewer problems than support vectors (smaller and
        faster; the loaded model then has no ``support_vectors_``/``dual_coef_``).
        """
        return modelfile.svm_to_bytes(self, dtype, form)

    @classmethod
    def from_bytes(cls, data: bytes) -> SVC:
        """Read a model written by :meth:`to_bytes`; ``ValueError`` if it is not one."""
        return modelfile.svm_from_bytes(cls, data)

    def save(self, path: str | os.PathLike, dtype: str = "float32", form: str = "auto") -> None:
        """Write :meth:`to_bytes` to ``path``."""
        data = self.to_bytes(dtype=dtype, form=form)
        with open(path, "wb") as f:
            f.write(data)

    @classmethod
    def load(cls, path: str | os.PathLike) -> SVC:
        """Read a model file written by :meth:`save`."""
        with open(path, "rb") as f:
            return cls.from_bytes(f.read())


def _linear_raw(weights: list[list[float]], x: list[float], rho: list[float]) -> list[float]:
    """``w · x − ρ`` for each weight vector, over the nonzero features of ``x`` only (speed).

    A sprite's empty HOG cells and the colour cubes it does not use are zeros -- about half of
    the classifier's vector -- and a zero term changes no sum, so the result is the same.
    """
    keep = list(compress(range(len(x)), x))
    if len(keep) < 2:  # itemgetter needs two indices
        return [dot(w, x) - r for w, r in zip(weights, rho)]
    pick = itemgetter(*keep)
    xs = pick(x)
    return [dot(pick(w), xs) - r for w, r in zip(weights, rho)]
