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

import math
import os
from collections.abc import Sequence
from operator import itemgetter, mul
from typing import Any

from pyodemo import modelfile
from pyodemo.kernels import KERNELS, KernelMatrix, kernel_values, resolve_gamma
from pyodemo.smo import solve
from pyodemo.vector import dot

__all__ = ["SVC", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "pyodemo.svm"
FORMAT_VERSION = 1
#: Default cap on SMO iterations per binary problem (``max_iter``).
DEFAULT_MAX_ITER = 100_000

Label = Any  # int, float, str or bool


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _as_matrix(X: Any, name: str = "X", n_features: int | None = None) -> list[list[float]]:
    """Rows of floats, all the same length, all finite; ValueError otherwise."""
    if isinstance(X, (str, bytes)):
        raise ValueError(f"{name} must be a list of rows of numbers, not a string")
    try:
        rows = [list(map(float, row)) for row in X]
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a list of rows of numbers (a 2-D list such as [[0.5, 1.0], [2.0, 0.1]])"
        ) from None
    if not rows:
        raise ValueError(f"{name} is empty: there are no points")
    d = len(rows[0])
    if d == 0:
        raise ValueError(f"{name} has points with no features")
    for k, row in enumerate(rows):
        if len(row) != d:
            raise ValueError(f"{name}: row {k} has {len(row)} values but row 0 has {d}")
        if not math.isfinite(sum(row)) and not all(map(math.isfinite, row)):
            raise ValueError(f"{name}: row {k} contains NaN or infinity")
    if n_features is not None and d != n_features:
        raise ValueError(f"{name} has {d} features per point, but the model was trained on {n_features}")
    return rows


def _plain(v: Any) -> Any:
    """numpy scalars -> Python scalars (labels may come from numpy arrays)."""
    item = getattr(v, "item", None)
    return item() if callable(item) and not isinstance(v, (str, bytes)) else v


def ovr_scores(dec: Sequence[float], n_classes: int) -> list[float]:
    """scikit-learn's one-vs-one -> K scores transform (``_ovr_decision_function``).

    ``dec`` are libsvm's pairwise values, in the order (0,1), (0,2), ..., (1,2), ...;
    a positive value is a vote for the first class of the pair.  Score of class
    k = its votes + ``s_k / (3 (|s_k| + 1))`` with ``s_k`` its summed confidence.

    >>> ovr_scores([1.0, -1.0, 1.0], 3)  # class 0 beats 1, class 2 beats 0, 1 beats 2
    [1.0, 1.0, 1.0]
    >>> ovr_scores([2.0, 2.0, 0.5], 3)
    [2.2666666666666666, 0.8, -0.23809523809523808]
    """
    votes = [0.0] * n_classes
    conf = [0.0] * n_classes
    k = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            d = dec[k]
            conf[i] -= -d
            conf[j] += -d
            if d < 0:
                votes[j] += 1
            else:
                votes[i] += 1
            k += 1
    return [v + s / (3 * (abs(s) + 1)) for v, s in zip(votes, conf)]


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
    def _check_params(self) -> None:
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {', '.join(KERNELS)}; got {self.kernel!r}")
        if not _is_number(self.C) or not math.isfinite(self.C) or self.C <= 0:
            raise ValueError(f"C must be a positive number; got {self.C!r}")
        if isinstance(self.gamma, str):
            if self.gamma not in ("scale", "auto"):
                raise ValueError(f"gamma must be 'scale', 'auto' or a positive number; got {self.gamma!r}")
        elif not _is_number(self.gamma) or not math.isfinite(self.gamma) or self.gamma <= 0:
            raise ValueError(f"gamma must be 'scale', 'auto' or a positive number; got {self.gamma!r}")
        d = self.degree
        if not _is_number(d) or not float(d).is_integer() or d < 1:
            raise ValueError(f"degree must be a whole number >= 1; got {d!r}")
        if not _is_number(self.coef0) or not math.isfinite(self.coef0):
            raise ValueError(f"coef0 must be a finite number; got {self.coef0!r}")
        if self.decision_function_shape not in ("ovr", "ovo"):
            raise ValueError(
                f"decision_function_shape must be 'ovr' or 'ovo'; got {self.decision_function_shape!r}"
            )
        if self.multi_class not in ("ovo", "ovr"):
            raise ValueError(f"multi_class must be 'ovo' or 'ovr'; got {self.multi_class!r}")
        if not _is_number(self.tol) or not math.isfinite(self.tol) or self.tol <= 0:
            raise ValueError(f"tol must be a positive number; got {self.tol!r}")
        if not isinstance(self.max_iter, int) or isinstance(self.max_iter, bool) or (
            self.max_iter < 1 and self.max_iter != -1
        ):
            raise ValueError(f"max_iter must be a positive whole number or -1 (no limit); got {self.max_iter!r}")
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ValueError("break_ties must be False when decision_function_shape is 'ovo'")
        cw = self.class_weight
        if cw is not None and cw != "balanced" and not isinstance(cw, dict):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict {{label: weight}}; got {cw!r}")
        if isinstance(cw, dict):
            for k, w in cw.items():
                if not _is_number(w) or not math.isfinite(w) or w <= 0:
                    raise ValueError(f"class_weight for {k!r} must be a positive number; got {w!r}")

    def _class_weights(self, classes: list, counts: list[int]) -> list[float]:
        cw = self.class_weight
        if cw is None:
            return [1.0] * len(classes)
        if cw == "balanced":
            n = sum(counts)
            return [n / (len(classes) * c) for c in counts]
        known = set(classes)
        unknown = [k for k in cw if _plain(k) not in known]
        if unknown:
            raise ValueError(f"class_weight names classes that are not in y: {unknown!r}")
        plain = {_plain(k): float(w) for k, w in cw.items()}
        return [plain.get(c, 1.0) for c in classes]

    # ------------------------------------------------------------------ training
    def fit(self, X: Sequence[Sequence[float]], y: Sequence[Label]) -> SVC:
        """Train on points ``X`` (rows of numbers) with labels ``y``; returns self.

        One SMO problem per pair of classes (``multi_class="ovo"``) or per class
        (``"ovr"``).  The kernel matrix is computed once, row by row on demand, and
        shared by all problems.
        """
        self._check_params()
        rows = _as_matrix(X)
        try:
            labels = [_plain(v) for v in y]
        except TypeError:
            raise ValueError("y must be a list of class labels") from None
        if len(labels) != len(rows):
            raise ValueError(f"X has {len(rows)} points but y has {len(labels)} labels")
        for v in labels:
            if not isinstance(v, (int, float, str)) or (isinstance(v, float) and not math.isfinite(v)):
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
        degree = int(self.degree)
        km = KernelMatrix(rows, self.kernel, gamma, degree, float(self.coef0))
        n_classes = len(classes)
        c_class = [self.C * w for w in weights]

        problems: list[tuple[list[int], list[float], float]] = []  # (indices, alpha*y, rho)
        n_iter: list[int] = []
        status = 0
        if self.multi_class == "ovo" or n_classes == 2:  # two classes: one problem either way
            for i in range(n_classes):
                for j in range(i + 1, n_classes):
                    idx = members[i] + members[j]
                    ys = [1] * counts[i] + [-1] * counts[j]
                    cs = [c_class[i]] * counts[i] + [c_class[j]] * counts[j]
                    signed, rho, it, ok = self._solve(km, idx, ys, cs)
                    problems.append((idx, signed, rho))
                    n_iter.append(it)
                    status |= 0 if ok else 1
        else:
            for c in range(n_classes):
                rest = [i for i in range(len(rows)) if yk[i] != c]
                idx = rest + members[c]
                # As scikit-learn's binary SVC on (y == c): "rest" is libsvm's +1 class.
                ys = [1] * len(rest) + [-1] * counts[c]
                cs = [c_class[yk[i]] for i in idx]
                signed, rho, it, ok = self._solve(km, idx, ys, cs)
                problems.append((idx, [-a for a in signed], -rho))  # score = -(libsvm value)
                n_iter.append(it)
                status |= 0 if ok else 1

        # Support vectors: every point with a non-zero multiplier in some problem,
        # grouped by class, in input order within a class (libsvm's layout).
        nonzero = [False] * len(rows)
        for idx, signed, _ in problems:
            for i, a in zip(idx, signed):
                if a != 0:
                    nonzero[i] = True
        support: list[int] = []
        n_support: list[int] = []
        for m in members:
            sv = [i for i in m if nonzero[i]]
            support.extend(sv)
            n_support.append(len(sv))
        pos = {i: k for k, i in enumerate(support)}
        ovr = self.multi_class == "ovr" and n_classes > 2
        n_rows = n_classes if ovr else n_classes - 1
        coef = [[0.0] * len(support) for _ in range(n_rows)]
        rhos = []
        if not ovr:
            p = 0
            for i in range(n_classes):
                for j in range(i + 1, n_classes):
                    idx, signed, rho = problems[p]
                    for t, a in zip(idx, signed):
                        if nonzero[t]:
                            # libsvm: coefficients of class i's SVs in row j-1, of class j's in row i
                            coef[j - 1 if yk[t] == i else i][pos[t]] = a
                    rhos.append(rho)
                    p += 1
        else:
            for c, (idx, signed, rho) in enumerate(problems):
                for t, a in zip(idx, signed):
                    if nonzero[t]:
                        coef[c][pos[t]] = a
                rhos.append(rho)

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
        self._pairs: list[tuple[int, int, list[float], list[float]]] = []
        if not ovr:
            for i in range(k):
                for j in range(i + 1, k):
                    si, sj = self._starts[i], self._starts[j]
                    self._pairs.append((
                        i, j,
                        [] if coef is None else coef[j - 1][si : si + n_support[i]],
                        [] if coef is None else coef[i][sj : sj + n_support[j]],
                    ))
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
            return [dot(w, x) - r for w, r in zip(self._w, rho)]
        kv = kernel_values(
            self.kernel, x, self.support_vectors_, self._gamma, int(self.degree),
            float(self.coef0), rows_sq=self._sv_sq,
        )
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
        votes = [0] * k
        for (i, j, _, _), d in zip(self._pairs, dec):
            if d > 0:
                votes[i] += 1
            else:
                votes[j] += 1
        return votes.index(max(votes))  # libsvm: the first class with most votes

    def predict(self, X: Sequence[Sequence[float]]) -> list[Label]:
        """Class labels of the points ``X`` (one-vs-one voting, libsvm's tie-break)."""
        self._require_fitted()
        rows = _as_matrix(X, n_features=self.n_features_in_)
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
        rows = _as_matrix(X, n_features=self.n_features_in_)
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
        row = _as_matrix([x], name="x", n_features=self.n_features_in_)[0]
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
        labels = [_plain(v) for v in y]
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
        self._require_fitted()
        if dtype not in ("float64", "float32", "float16"):
            raise ValueError(f"dtype must be 'float64', 'float32' or 'float16'; got {dtype!r}")
        if form not in ("auto", "support_vectors", "weights"):
            raise ValueError(f"form must be 'auto', 'support_vectors' or 'weights'; got {form!r}")
        n_problems = len(self._rho)
        if form == "auto":
            n_sv = len(self.support_)
            form = "weights" if self.kernel == "linear" and (
                self.support_vectors_ is None or n_problems < n_sv
            ) else "support_vectors"
        if form == "weights" and self.kernel != "linear":
            raise ValueError("only a linear model can be stored as weights")
        if form == "support_vectors" and self.support_vectors_ is None:
            raise ValueError("this model was loaded without its support vectors; store it as weights")
        for c in self.classes_:
            if not isinstance(c, (int, float, str)) or (isinstance(c, float) and not math.isfinite(c)):
                raise ValueError(f"class label {c!r} cannot be stored; use numbers or strings")
        if self.threshold is not None and (not _is_number(self.threshold) or not math.isfinite(self.threshold)):
            raise ValueError(f"threshold must be None or a finite number; got {self.threshold!r}")
        if self.pipeline is not None and not isinstance(self.pipeline, dict):
            raise ValueError("pipeline must be None or a dict")
        cw = self.class_weight
        header: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "kernel": self.kernel,
            "C": float(self.C),
            "gamma": self._gamma,
            "gamma_param": self.gamma if isinstance(self.gamma, str) else float(self.gamma),
            "degree": int(self.degree),
            "coef0": float(self.coef0),
            "tol": float(self.tol),
            "decision_function_shape": self.decision_function_shape,
            "multi_class": "ovr" if self._ovr else "ovo",
            "break_ties": bool(self.break_ties),
            "class_weight": [[_plain(k), float(w)] for k, w in cw.items()] if isinstance(cw, dict) else cw,
            "classes": list(self.classes_),
            "n_features": self.n_features_in_,
            "n_support": list(self.n_support_),
            "form": form,
            "dtype": dtype,
            "threshold": None if self.threshold is None else float(self.threshold),
            "pipeline": self.pipeline,
        }
        d = self.n_features_in_
        arrays: list[tuple[str, str, list[int], list]] = [
            ("rho", "float64", [n_problems], self._rho),
            ("support", "int32", [len(self.support_)], self.support_),
        ]
        if form == "weights":
            w = self._w if self._w is not None else self._collapse()
            arrays.append(("weights", dtype, [n_problems, d], [v for row in w for v in row]))
        else:
            sv = self.support_vectors_
            coef = self._coef
            assert sv is not None and coef is not None
            arrays.append(("dual_coef", "float64", [len(coef), len(sv)], [v for row in coef for v in row]))
            arrays.append(("support_vectors", dtype, [len(sv), d], [v for row in sv for v in row]))
        return modelfile.pack(header, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> SVC:
        """Read a model written by :meth:`to_bytes`; ``ValueError`` if it is not one."""
        header, arrays = modelfile.unpack(data)
        try:
            return cls._from_parts(header, arrays)
        except ValueError:
            raise
        except Exception as exc:  # a malformed header of a type we did not foresee
            raise ValueError(f"not a valid pyodemo SVM model: {exc!r}") from None

    @classmethod
    def _from_parts(cls, h: dict[str, Any], arrays: dict[str, list]) -> SVC:
        if h.get("format") != FORMAT_NAME:
            raise ValueError(f"not a pyodemo SVM model (format {h.get('format')!r})")
        if h.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"unsupported SVM model file version {h.get('version')!r}; this pyodemo reads version {FORMAT_VERSION}"
            )

        def need(key: str, check, what: str):
            v = h.get(key)
            if not check(v):
                raise ValueError(f"bad model header: {key!r} must be {what}; got {v!r}")
            return v

        def is_int(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)

        def is_num(v: Any) -> bool:
            return _is_number(v) and math.isfinite(v)

        cw = h.get("class_weight")
        if isinstance(cw, list):
            if not all(isinstance(p, list) and len(p) == 2 and is_num(p[1]) for p in cw):
                raise ValueError("bad model header: 'class_weight' pairs are malformed")
            cw = {p[0]: p[1] for p in cw}
        gp = h.get("gamma_param")
        m = cls(
            kernel=need("kernel", lambda v: v in KERNELS, f"one of {KERNELS}"),
            C=need("C", lambda v: is_num(v) and v > 0, "a positive number"),
            gamma=gp if gp in ("scale", "auto") else need("gamma", lambda v: is_num(v) and v > 0, "> 0"),
            degree=need("degree", lambda v: is_int(v) and v >= 1, "a whole number >= 1"),
            coef0=need("coef0", is_num, "a finite number"),
            decision_function_shape=need("decision_function_shape", lambda v: v in ("ovr", "ovo"), "'ovr' or 'ovo'"),
            tol=need("tol", lambda v: is_num(v) and v > 0, "a positive number"),
            class_weight=cw,
            multi_class=need("multi_class", lambda v: v in ("ovo", "ovr"), "'ovo' or 'ovr'"),
            break_ties=need("break_ties", lambda v: isinstance(v, bool), "true or false"),
        )
        gamma = need("gamma", lambda v: is_num(v) and v > 0, "a positive number")
        classes = need(
            "classes",
            lambda v: isinstance(v, list) and len(v) >= 2
            and all(isinstance(c, (int, float, str)) for c in v),
            "a list of at least two labels",
        )
        if len(set(classes)) != len(classes):
            raise ValueError("bad model header: 'classes' has repeated labels")
        k = len(classes)
        d = need("n_features", lambda v: is_int(v) and v >= 1, "a whole number >= 1")
        n_support = need(
            "n_support",
            lambda v: isinstance(v, list) and len(v) == k and all(is_int(c) and c >= 0 for c in v),
            "one count >= 0 per class",
        )
        form = need("form", lambda v: v in ("support_vectors", "weights"), "'support_vectors' or 'weights'")
        threshold = h.get("threshold")
        if threshold is not None and not is_num(threshold):
            raise ValueError(f"bad model header: 'threshold' must be null or a number; got {threshold!r}")
        pipeline = h.get("pipeline")
        if pipeline is not None and not isinstance(pipeline, dict):
            raise ValueError("bad model header: 'pipeline' must be null or an object")
        ovr = m.multi_class == "ovr" and k > 2
        n_problems = k if ovr else k * (k - 1) // 2
        n_sv = sum(n_support)
        shapes = {a["name"]: a["shape"] for a in h["arrays"]}

        def arr(name: str, shape: list[int]) -> list:
            if name not in arrays:
                raise ValueError(f"the model file has no {name!r} array")
            if shapes[name] != shape:
                raise ValueError(f"array {name!r} has shape {shapes[name]}, expected {shape} (inconsistent shapes)")
            return arrays[name]

        rho = arr("rho", [n_problems])
        support = arr("support", [n_sv])
        if any(s < 0 for s in support):
            raise ValueError("array 'support' has negative indices")
        sv = coef = weights = None
        if form == "weights":
            if m.kernel != "linear":
                raise ValueError("bad model header: only a linear model can be stored as weights")
            flat = arr("weights", [n_problems, d])
            weights = [flat[r * d : (r + 1) * d] for r in range(n_problems)]
        else:
            n_rows = k if ovr else k - 1
            flat_c = arr("dual_coef", [n_rows, n_sv])
            flat_s = arr("support_vectors", [n_sv, d])
            coef = [flat_c[r * n_sv : (r + 1) * n_sv] for r in range(n_rows)]
            sv = [flat_s[r * d : (r + 1) * d] for r in range(n_sv)]
        m._install(
            classes=classes, gamma=gamma, support_vectors=sv, coef=coef, rho=rho,
            n_support=n_support, support=support, ovr=ovr, n_features=d, weights=weights,
        )
        m._gamma = float(gamma)
        m.threshold = threshold
        m.pipeline = pipeline
        m.fit_status_ = 0
        return m

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
