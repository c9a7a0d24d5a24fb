"""Many classes from a two-class classifier: the one-vs-one and one-vs-rest bookkeeping, written once.

An SVM separates two classes. For K classes (the slide "Ten classes from a two-class classifier"):

* **one-vs-one** (libsvm's and scikit-learn's default): one SVM per pair of classes, K(K-1)/2 of
  them (45 for ten Pokémon), each trained on the two classes' points; every pair votes and the class
  with most votes wins (a tie: the first of them, as libsvm);
* **one-vs-rest** (the slide's one-vs-all): K SVMs, class k against all the others; the largest
  score wins.

Every loop over a model's pairs in pyodemo (training, prediction, the classifier's margins, the
playground's grid) and in ``export/svm_model.py`` walks :func:`pairs`; the layout of the fitted
coefficients is libsvm's (:func:`layout`), the one scikit-learn exposes as ``dual_coef_``.

>>> pairs(3)
[(0, 1), (0, 2), (1, 2)]
>>> winner([1.0, -1.0, 1.0], 3)  # 0 beats 1, 2 beats 0, 1 beats 2: a three-way tie, the first wins
0
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["pairs", "winner", "ovr_scores", "problems", "layout", "pair_coefficients"]


def pairs(n_classes: int) -> list[tuple[int, int]]:
    """The one-vs-one problems in libsvm's order, (0, 1), (0, 2), ..., (1, 2), ...: a positive value of
    problem (i, j) is a vote for ``i``."""
    return [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]


def winner(dec: Sequence[float], n_classes: int) -> int:
    """libsvm's vote: pair (i, j) votes for ``i`` when its value is positive, else for ``j``; the
    first class with most votes wins."""
    votes = [0] * n_classes
    for (i, j), d in zip(pairs(n_classes), dec):
        votes[i if d > 0 else j] += 1
    return votes.index(max(votes))


def ovr_scores(dec: Sequence[float], n_classes: int) -> list[float]:
    """scikit-learn's one-vs-one -> K scores transform (``_ovr_decision_function``).

    ``dec`` are libsvm's pairwise values, in the order of :func:`pairs`. Score of class
    k = its votes + ``s_k / (3 (|s_k| + 1))`` with ``s_k`` its summed confidence, so a
    difference of one vote is never reversed.

    >>> ovr_scores([1.0, -1.0, 1.0], 3)  # class 0 beats 1, class 2 beats 0, 1 beats 2
    [1.0, 1.0, 1.0]
    >>> ovr_scores([2.0, 2.0, 0.5], 3)
    [2.2666666666666666, 0.8, -0.23809523809523808]
    """
    votes = [0.0] * n_classes
    conf = [0.0] * n_classes
    for (i, j), d in zip(pairs(n_classes), dec):
        conf[i] -= -d  # scikit-learn's operations, for the same last bits
        conf[j] += -d
        votes[j if d < 0 else i] += 1  # scikit-learn counts a value of exactly 0 for i (libsvm's vote: j)
    return [v + s / (3 * (abs(s) + 1)) for v, s in zip(votes, conf)]


def problems(
    members: list[list[int]], label_of: list[int], c_class: list[float], ovr: bool
) -> list[tuple[list[int], list[int], list[float]]]:
    """The binary problems of a fit: for each, the points (indices), their labels +1/-1 and their C.

    ``members[k]`` are the points of class k, ``label_of[i]`` the class of point i, ``c_class[k]``
    C times class k's weight. One-vs-one: one problem per pair (i, j), class i's points +1. One-vs-rest:
    one per class c, as scikit-learn's binary SVC on ``y == c``: "the rest" is libsvm's +1 class.

    >>> problems([[0], [1], [2]], [0, 1, 2], [1.0, 1.0, 2.0], ovr=True)[2]
    ([0, 1, 2], [1, 1, -1], [1.0, 1.0, 2.0])
    """
    if not ovr:
        return [(members[i] + members[j], [1] * len(members[i]) + [-1] * len(members[j]),
                 [c_class[i]] * len(members[i]) + [c_class[j]] * len(members[j])) for i, j in pairs(len(members))]
    out = []
    for c, own in enumerate(members):
        rest = [i for i, k in enumerate(label_of) if k != c]
        idx = rest + own
        out.append((idx, [1] * len(rest) + [-1] * len(own), [c_class[label_of[i]] for i in idx]))
    return out


def layout(
    solved: list[tuple[list[int], list[float], float]], members: list[list[int]], label_of: list[int], ovr: bool
) -> tuple[list[int], list[int], list[list[float]], list[float]]:
    """libsvm's layout of the solved problems ``(points, alpha_i y_i, rho)``: the support vectors and
    their coefficient rows.

    Returns ``support`` (every point with a non-zero multiplier in some problem, grouped by class, in
    input order within a class), ``n_support`` (per class), ``coef`` and ``rho``. One-vs-one: K - 1
    rows, the coefficients of pair (i, j) for class i's support vectors in row j - 1 and for class j's
    in row i; one-vs-rest: one row per class.
    """
    nonzero = [False] * len(label_of)
    for idx, signed, _ in solved:
        for i, a in zip(idx, signed):
            if a != 0:
                nonzero[i] = True
    support: list[int] = []
    n_support: list[int] = []
    for own in members:
        sv = [i for i in own if nonzero[i]]
        support.extend(sv)
        n_support.append(len(sv))
    pos = {i: k for k, i in enumerate(support)}
    n_classes = len(members)
    coef = [[0.0] * len(support) for _ in range(n_classes if ovr else n_classes - 1)]
    rows = [None] * n_classes if ovr else pairs(n_classes)
    for c, (row, (idx, signed, _)) in enumerate(zip(rows, solved)):
        for t, a in zip(idx, signed):
            if nonzero[t]:
                coef[c if row is None else (row[1] - 1 if label_of[t] == row[0] else row[0])][pos[t]] = a
    return support, n_support, coef, [rho for _, _, rho in solved]


def pair_coefficients(coef: list[list[float]], n_support: list[int], i: int, j: int) -> tuple[list[float], list[float]]:
    """Pair (i, j)'s coefficients of class i's and of class j's support vectors, from libsvm's layout.

    >>> pair_coefficients([[0.5, -0.5, 0.0], [0.25, 0.0, -0.25]], [1, 1, 1], 0, 2)
    ([0.25], [0.0])
    """
    si, sj = sum(n_support[:i]), sum(n_support[:j])
    return coef[j - 1][si : si + n_support[i]], coef[i][sj : sj + n_support[j]]
