"""The SVM playground's Python side (``slides/js/widgets/svm-playground.js``, the SVM pages).

A browser version of scikit-learn's ``svm_gui`` example: points of up to four classes in the square
[-1, 1] x [-1, 1], an SVM from :mod:`pyodemo.svm` fitted to them, and its decision function evaluated
on a grid so the widget can paint the regions, the boundary f = 0 and the margins f = +-1 (the SVM
slides; Cortes & Vapnik 1995).  "JavaScript draws, Python computes": every number the widgets show
comes from here.

* :func:`presets` / :func:`preset` -- seeded data sets: blobs, moons, circles, XOR.
* :func:`fit` -- fit an ``SVC`` and evaluate it on an ``n`` x ``n`` grid: the class of every cell, the
  decision values (two classes), the support vectors, training accuracy, fit time.
(The "kernels side by side" widget, :mod:`pyodemo.web.kernel_compare`, fits with :func:`fit` too.)

The slide's count of classifiers for ten Pokémon:

>>> n_classifiers(10, "ovo"), n_classifiers(10, "ovr")
(45, 10)

Two points a side and a straight line between them (grid rows run from the top, y = +1):

>>> r = fit([[-0.5, 0.0], [-0.5, 0.5], [0.5, 0.0], [0.5, 0.5]], [1, 1, 2, 2], kernel="linear", grid=4)
>>> r["cells"][:4], r["accuracy"], r["n_sv"]
([1, 1, 2, 2], 1.0, 4)
>>> fit([[0.1, 0.2], [0.3, 0.4]], [1, 1])
Traceback (most recent call last):
...
ValueError: All 2 points are of class 1: add points of another class (an SVM separates two or more classes).

**The grid, fast and exact.**  Evaluating ``decision_function`` point by point costs one kernel per
support vector per cell, in Python: about 60 ms for 60 x 60 cells in CPython, more in Pyodide.  In
two dimensions the kernels have structure a grid can use, so the whole grid costs about one
C-level dot product per cell:

* RBF is *separable*: ``exp(-g((x-a)^2 + (y-b)^2)) = exp(-g(x-a)^2) * exp(-g(y-b)^2)``, so a grid
  row is a dot product of per-row weights with per-column factors;
* a polynomial kernel of degree ``d`` makes ``f`` a polynomial in (x, y) of degree ``d``: its
  coefficients are sums over the support vectors (a multinomial expansion), computed once;
* a linear kernel collapses to ``w . x + b``.

Rounding makes these values differ from ``SVC.decision_function``'s in the last bits.  Every cell
whose value is too close to a decision (|f| below 1e-9 of a bound on the sum of the terms) is
recomputed with ``SVC.predict`` itself, so the classes on the grid are always exactly ``predict``'s
(``tests/test_playground.py`` checks it).
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

from pyodemo.checks import number, one_of, whole
from pyodemo.kernels import KERNELS, resolve_gamma
from pyodemo.multiclass import winner
from pyodemo.svm import SVC
from pyodemo.vector import dot

__all__ = ["presets", "preset", "fit"]

#: Class labels are the whole numbers 1..MAX_CLASSES (the widget's number keys).
MAX_CLASSES = 4
#: More points than this make the playground slow (SMO keeps the n x n kernel matrix).
MAX_POINTS = 400
#: The data space: the square [-EXTENT, EXTENT]^2.
EXTENT = 1.0
#: Grid sizes the widgets may ask for.
GRID_SIZES = (2, 160)
#: The widget's cap on SMO steps per binary problem (``SVC.max_iter``), so a fit never hangs.
PLAYGROUND_MAX_ITER = 20_000
#: SMO steps x points, summed over a model's binary problems, that a fit may spend (about half a
#: second in CPython): with many points and classes ``max_iter`` is lowered to fit in it.
WORK_BUDGET = 2_000_000
#: Relative size of the band around a decision in which the fast grid defers to ``SVC.predict``.
EXACT_BAND = 1e-9

PRESETS = {
    "blobs": ("Blobs (2 classes)", 2),
    "blobs3": ("Blobs (3 classes)", 3),
    "blobs4": ("Blobs (4 classes)", 4),
    "moons": ("Moons", 2),
    "circles": ("Circles (a disc in a ring)", 2),
    "xor": ("XOR", 2),
}


# ------------------------------------------------------------------------ checks


def _fmt(v: float) -> str:
    return f"{v:.2f}".replace("-", "\u2212")


def check_points(points: Any, labels: Any) -> tuple[list[list[float]], list[int]]:
    """The points as [x, y] floats inside the square and labels 1..4; ValueError with a plain message.

    No points, a point outside the square, two points at the same place, or points of one class
    only are refused: the widget shows the message.

    >>> check_points([[0.5, 0.5], [0.5, 0.5]], [1, 2])
    Traceback (most recent call last):
    ...
    ValueError: Two points are at the same place, (0.50, 0.50): points 1 and 2, one of class 1 and one of class 2. Remove one of them (erase mode, or Delete next to it).
    """
    if isinstance(points, (str, bytes)) or not isinstance(points, (list, tuple)):
        raise ValueError("The points must be a list of [x, y] pairs.")
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (list, tuple)):
        raise ValueError("The labels must be a list of class numbers.")
    if not points:
        raise ValueError("There are no points yet: tap the square to add some, or load a preset.")
    if len(points) > MAX_POINTS:
        raise ValueError(f"{len(points)} points are too many for the playground (at most {MAX_POINTS}).")
    if len(labels) != len(points):
        raise ValueError(f"There are {len(points)} points but {len(labels)} labels.")
    rows: list[list[float]] = []
    seen: dict[tuple[float, float], int] = {}
    ys: list[int] = []
    for i, (p, label) in enumerate(zip(points, labels), start=1):
        if isinstance(p, (str, bytes)) or not isinstance(p, (list, tuple)) or len(p) != 2:
            raise ValueError(f"Point {i} must be a pair [x, y], got {p!r}")
        x, y = number(p[0], f"point {i}'s x"), number(p[1], f"point {i}'s y")
        if abs(x) > EXTENT or abs(y) > EXTENT:
            raise ValueError(f"Point {i} ({_fmt(x)}, {_fmt(y)}) is outside the square [−1, 1] × [−1, 1].")
        if isinstance(label, float) and label.is_integer():
            label = int(label)
        if isinstance(label, bool) or not isinstance(label, int) or not 1 <= label <= MAX_CLASSES:
            raise ValueError(f"Point {i}'s class must be a whole number from 1 to {MAX_CLASSES}, got {label!r}")
        key = (x, y)
        if key in seen:
            j = seen[key]
            other = ys[j - 1]
            classes = (f"both of class {label}" if other == label
                       else f"one of class {other} and one of class {label}")
            raise ValueError(
                f"Two points are at the same place, ({_fmt(x)}, {_fmt(y)}): points {j} and {i}, {classes}. "
                "Remove one of them (erase mode, or Delete next to it)."
            )
        seen[key] = i
        rows.append([x, y])
        ys.append(label)
    present = sorted(set(ys))
    if len(present) < 2:
        which = "The only point is" if len(ys) == 1 else f"All {len(ys)} points are"
        raise ValueError(
            f"{which} of class {present[0]}: add points of another class "
            "(an SVM separates two or more classes)."
        )
    return rows, ys


def make_model(
    kernel: str = "rbf",
    C: Any = 1.0,
    gamma: Any = "scale",
    degree: Any = 3,
    coef0: Any = 0.0,
    multi_class: str = "ovo",
    max_iter: Any = PLAYGROUND_MAX_ITER,
) -> SVC:
    """An unfitted :class:`pyodemo.svm.SVC` from the widget's controls, checked with plain messages.

    >>> make_model(C=0)
    Traceback (most recent call last):
    ...
    ValueError: C must be greater than 0 (got 0): it is the price of each point inside the margin.
    >>> make_model(gamma=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be greater than 0, or "scale" (got -1.0).
    """
    one_of(kernel, "The kernel", KERNELS)
    c = number(C, "C")
    if c <= 0:
        raise ValueError(f"C must be greater than 0 (got {C!r}): it is the price of each point inside the margin.")
    if gamma != "scale":
        g = number(gamma, "gamma")
        if g <= 0:
            raise ValueError(f'gamma must be greater than 0, or "scale" (got {gamma!r}).')
        gamma = g
    degree = whole(degree, "The degree", 1, 10)
    coef0 = number(coef0, "coef0")
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(f'multi_class must be "ovo" (one-vs-one) or "ovr" (one-vs-all); got {multi_class!r}.')
    max_iter = whole(max_iter, "max_iter", 1, 10_000_000)
    return SVC(kernel=kernel, C=c, gamma=gamma, degree=degree, coef0=coef0,
               multi_class=multi_class, max_iter=max_iter)


def n_classifiers(n_classes: int, multi_class: str) -> int:
    """How many two-class SVMs a model of ``n_classes`` trains: K(K-1)/2 one-vs-one, K one-vs-all.

    >>> n_classifiers(2, "ovr"), n_classifiers(4, "ovo"), n_classifiers(4, "ovr")
    (1, 6, 4)
    """
    if n_classes == 2:
        return 1
    return n_classes * (n_classes - 1) // 2 if multi_class == "ovo" else n_classes


def step_cap(max_iter: int, n_points: int, n_problems: int) -> int:
    """SMO steps allowed per binary problem: ``max_iter``, lowered so that steps x points over all
    problems stay within :data:`WORK_BUDGET` (never below 1,000).  A fit never hangs; when the cap
    stops it, ``stopped_early`` says so.

    >>> step_cap(20_000, 100, 1), step_cap(20_000, 400, 6)
    (20000, 1000)
    """
    return min(max_iter, max(1_000, WORK_BUDGET // (n_points * n_problems)))


# ------------------------------------------------------------------------ data sets


def presets() -> list[dict]:
    """The preset data sets, for the widget's menu.

    >>> [p["name"] for p in presets()]
    ['blobs', 'blobs3', 'blobs4', 'moons', 'circles', 'xor']
    """
    return [{"name": k, "label": label, "classes": n} for k, (label, n) in PRESETS.items()]


def preset(name: str, n: int = 100, noise: float = 0.1, seed: int = 0) -> dict:
    """``n`` seeded points of a preset inside the square, labels 1..k.

    * ``blobs`` / ``blobs3`` / ``blobs4``: k round clusters on a circle of radius 0.55, spread
      0.12 + ``noise``;
    * ``moons``: scikit-learn's ``make_moons`` (two interleaving half circles) scaled into the square;
    * ``circles``: a disc (radius 0.36) inside a ring (radius 0.8), as ``make_circles(factor=0.45)``
      -- the slide's "not separable in 2D";
    * ``xor``: uniform points, class 1 where x and y have the same sign.

    ``noise`` is the standard deviation (in data units, 0 to 0.5) of Gaussian jitter added to every
    point; points are clipped to [-0.98, 0.98].  The same arguments give the same points.

    >>> d = preset("xor", n=4, seed=1)
    >>> len(d["points"]), d["labels"] == preset("xor", n=4, seed=1)["labels"]
    (4, True)
    """
    if name not in PRESETS:
        raise ValueError(f"There is no preset {name!r}; pick one of {', '.join(PRESETS)}.")
    n = whole(n, "The number of points", 4, MAX_POINTS)
    noise = number(noise, "The noise", 0, 0.5)
    seed = whole(seed, "The seed", 0, 2**31 - 1)
    rng = random.Random(f"pyodemo.playground:{name}:{seed}")  # the module's old name: the same points as ever
    label_text, k = PRESETS[name]
    points: list[tuple[float, float]] = []
    labels: list[int] = []
    if name.startswith("blobs"):
        spread = 0.12 + noise
        for i in range(n):
            c = i % k
            angle = 2 * math.pi * c / k + math.pi / 4
            points.append((0.55 * math.cos(angle) + rng.gauss(0, spread), 0.55 * math.sin(angle) + rng.gauss(0, spread)))
            labels.append(c + 1)
    elif name == "moons":
        # make_moons: the outer moon (a, b) + s (cos t, sin t) = (cos t, sin t), t in [0, pi], and the
        # inner moon (1 - cos t, 0.5 - sin t)
        for count, label, (a, b, s) in ((n // 2, 1, (0, 0, 1)), (n - n // 2, 2, (1, 0.5, -1))):
            for i in range(count):
                t = math.pi * i / max(1, count - 1)
                points.append(((a + s * math.cos(t) - 0.5) / 1.6, (b + s * math.sin(t) - 0.25) / 1.6))
                labels.append(label)
        points = [(x + rng.gauss(0, noise), y + rng.gauss(0, noise)) for x, y in points]
    elif name == "circles":
        n_out = n // 2
        n_in = n - n_out
        for count, radius, label in ((n_out, 0.8, 1), (n_in, 0.8 * 0.45, 2)):
            for i in range(count):
                t = 2 * math.pi * i / count
                points.append((radius * math.cos(t) + rng.gauss(0, noise), radius * math.sin(t) + rng.gauss(0, noise)))
                labels.append(label)
    else:  # xor
        for _ in range(n):
            x, y = rng.uniform(-0.9, 0.9), rng.uniform(-0.9, 0.9)
            labels.append(1 if x * y > 0 else 2)
            points.append((x + rng.gauss(0, noise), y + rng.gauss(0, noise)))
    clip = 0.98
    rows = [[round(min(clip, max(-clip, x)), 4), round(min(clip, max(-clip, y)), 4)] for x, y in points]
    # Rounding (and clipping) may put two points at one place: nudge the later one along x, 0.001 at a
    # time, away from the clip edge; at the edge, the other way from where it started (never back and forth).
    seen: set[tuple[float, float]] = set()
    for row in rows:
        x0, step, k = row[0], (0.001 if row[0] < clip else -0.001), 0
        while (row[0], row[1]) in seen:
            k += 1
            if abs(x0 + step * k) > clip:
                step, k = -step, 1
            row[0] = round(x0 + step * k, 4)
        seen.add((row[0], row[1]))
    return {"name": name, "label": label_text, "seed": seed, "noise": noise, "points": rows, "labels": labels}


# ------------------------------------------------------------------------ the grid


def grid_axis(n: int) -> list[float]:
    """Cell centres across [-1, 1]: ``(2c + 1 - n) / n`` for c = 0..n-1 (symmetric about 0).

    >>> grid_axis(4)
    [-0.75, -0.25, 0.25, 0.75]
    """
    return [EXTENT * (2 * c + 1 - n) / n for c in range(n)]


def grid_points(n: int) -> list[list[float]]:
    """The ``n * n`` cell centres, row by row from the top (y = +1) and left to right (x = -1 -> +1)."""
    xs = grid_axis(n)
    return [[x, y] for y in reversed(xs) for x in xs]


def _problems(model: SVC) -> list[tuple[list[float], float]]:
    """Each binary problem as (a coefficient per support vector, b): libsvm's value sum_k c_k K(x, sv_k) + b.

    One-vs-one (two classes: one pair): K(K-1)/2 problems in the order of :func:`pyodemo.multiclass.pairs`,
    positive = a vote for the pair's first class; one-vs-rest: K scores, one per class.
    """
    b = [-r for r in model._rho]
    if model._ovr:
        return list(zip(model._coef, b))
    out = []
    for (i, j, ci, cj), bias in zip(model._pairs, b):  # each pair's coefficients, placed among all SVs
        c = [0.0] * len(model.support_)
        si, sj = model._starts[i], model._starts[j]
        c[si : si + len(ci)], c[sj : sj + len(cj)] = ci, cj
        out.append((c, bias))
    return out


def _fast_grid(model: SVC, n: int, gamma: float) -> tuple[list[list[float]], list[float]] | None:
    """Every problem's values on the grid (rows from the top), and a bound per problem on the sum of
    the absolute terms -- or None for a kernel without a fast form (sigmoid)."""
    kernel = model.kernel
    if kernel not in ("linear", "poly", "rbf"):
        return None
    sv = model.support_vectors_
    xs = grid_axis(n)
    ys = xs[::-1]
    problems = _problems(model)
    values: list[list[float]] = []
    bounds: list[float] = []
    if kernel == "rbf":
        # K = exp(-g (x - a)^2) * exp(-g (y - b)^2): per-column factors EX, per-row factors EY.
        columns = [[math.exp(-gamma * (x - s[0]) ** 2) for s in sv] for x in xs]
        rows = [[math.exp(-gamma * (y - s[1]) ** 2) for s in sv] for y in ys]
        for c, b in problems:
            active = [k for k, ci in enumerate(c) if ci != 0]  # a pair uses only its two classes' SVs
            ca = [c[k] for k in active]
            cols = [[col[k] for k in active] for col in columns]
            out: list[float] = []
            for ey in rows:
                w = [ci * ey[k] for ci, k in zip(ca, active)]
                out.extend([dot(w, col) + b for col in cols])
            values.append(out)
            bounds.append(sum(map(abs, c)) + abs(b))
    elif kernel == "linear":
        for c, b in problems:
            w0 = dot(c, [s[0] for s in sv])
            w1 = dot(c, [s[1] for s in sv])
            out = []
            for y in ys:
                base = w1 * y + b
                out.extend([w0 * x + base for x in xs])
            values.append(out)
            bounds.append(dot(list(map(abs, c)), [abs(s[0]) + abs(s[1]) for s in sv]) + abs(b))
    else:  # poly: f(x, y) = sum_{p+q<=d} T_pq x^p y^q (multinomial expansion of (g x.s + r)^d)
        d, r = int(model.degree), float(model.coef0)
        fact = math.factorial
        a_pows = [[s[0] ** p for s in sv] for p in range(d + 1)]
        b_pows = [[s[1] ** q for s in sv] for q in range(d + 1)]
        x_pows = [[x**p for p in range(d + 1)] for x in xs]
        y_pows = [[y**q for q in range(d + 1)] for y in ys]
        for c, b in problems:
            T = [[0.0] * (d + 1) for _ in range(d + 1)]  # T[q][p]: coefficient of x^p y^q
            for p in range(d + 1):
                cp = [ci * a for ci, a in zip(c, a_pows[p])]
                for q in range(d + 1 - p):
                    m = fact(d) // (fact(p) * fact(q) * fact(d - p - q))
                    T[q][p] = m * gamma ** (p + q) * r ** (d - p - q) * dot(cp, b_pows[q])
            out = []
            for yp in y_pows:
                A = [dot([T[q][p] for q in range(d + 1)], yp) for p in range(d + 1)]
                A[0] += b
                out.extend([dot(A, xp) for xp in x_pows])
            values.append(out)
            bounds.append(dot(list(map(abs, c)), [(gamma * (abs(s[0]) + abs(s[1])) + abs(r)) ** d for s in sv]) + abs(b))
    return values, bounds


def evaluate_grid(model: SVC, n: int, gamma: float) -> dict:
    """The class of every grid cell (exactly ``model.predict``'s) and, for two classes, the decision
    values (``model.decision_function`` up to rounding); see the module docstring.

    Returns ``cells`` (labels, rows from the top), ``values`` (two classes, else None) and
    ``exact_cells`` (how many cells were too close to a decision and were recomputed by ``predict``).
    """
    classes = model.classes_
    k = len(classes)
    fast = _fast_grid(model, n, gamma)
    if fast is None:
        G = grid_points(n)
        cells = model.predict(G)
        values = model.decision_function(G) if k == 2 else None
        return {"cells": cells, "values": values, "exact_cells": n * n}
    values, bounds = fast
    band = [EXACT_BAND * s for s in bounds]
    m = n * n
    cells: list[Any] = [None] * m
    unsure: list[int] = []
    if model._ovr:
        t = 2 * max(band)
        for i, scores in enumerate(zip(*values)):
            ranked = sorted(scores)
            if ranked[-1] - ranked[-2] <= t:
                unsure.append(i)
            else:
                cells[i] = classes[scores.index(ranked[-1])]
    else:
        # One-vs-one (two classes: one pair): the signs of the K(K-1)/2 pairwise values decide the votes;
        # a cell with any value inside its band is unsure.  Winners are memoised per pattern of signs.
        near = set()
        for f, t in zip(values, band):
            near.update([i for i, v in enumerate(f) if -t <= v <= t])
        winners: dict[tuple[bool, ...], Any] = {}
        for i, signs in enumerate(zip(*[[v > 0 for v in f] for f in values])):
            if i in near:
                unsure.append(i)
                continue
            label = winners.get(signs)
            if label is None:
                label = winners[signs] = classes[winner([1.0 if s else -1.0 for s in signs], k)]
            cells[i] = label
    f2 = [-v for v in values[0]] if k == 2 else None  # scikit-learn's sign: positive for classes[1]
    if unsure:
        G = grid_points(n)
        pts = [G[i] for i in unsure]
        for i, label in zip(unsure, model.predict(pts)):
            cells[i] = label
        if f2 is not None:
            for i, v in zip(unsure, model.decision_function(pts)):
                f2[i] = v
    return {"cells": cells, "values": f2, "exact_cells": len(unsure)}


# ------------------------------------------------------------------------ the playground


def fit(
    points: list,
    labels: list,
    kernel: str = "rbf",
    C: float = 1.0,
    gamma: float | str = "scale",
    degree: int = 3,
    coef0: float = 0.0,
    multi_class: str = "ovo",
    grid: int = 60,
    max_iter: int = PLAYGROUND_MAX_ITER,
) -> dict:
    """Fit :class:`pyodemo.svm.SVC` to the points and evaluate it on a ``grid`` x ``grid`` grid.

    ``points`` are [x, y] in [-1, 1]^2, ``labels`` whole numbers 1..4; the other arguments are
    ``SVC``'s (``max_iter`` per binary problem, lowered by :func:`step_cap` for many points and
    classes; ``stopped_early`` says SMO hit it and ``max_iter`` in the result is the cap used).  Returns

    * ``cells``: the predicted class of every cell centre (:func:`grid_points`: rows from the top);
    * ``values``: two classes only, ``decision_function`` at the cell centres (positive for
      ``classes[1]``; the boundary is 0, the margins -1 and +1), rounded to 6 decimals; else None;
    * ``support`` (indices into ``points``), ``n_support`` (per class), ``n_sv``;
    * ``accuracy`` on the training points and ``wrong`` (indices of misclassified points);
    * ``gamma`` (the number used, also for "scale"), ``n_classifiers``, ``n_iter``, ``stopped_early``;
    * ``margin``: linear kernel, two classes: the width 2 / ||w|| of the margin (else None);
    * ``fit_ms`` and ``grid_ms``: time spent fitting and evaluating the grid.
    """
    rows, ys = check_points(points, labels)
    model = make_model(kernel, C, gamma, degree, coef0, multi_class, max_iter)
    grid = whole(grid, "The grid size", *GRID_SIZES)
    model.max_iter = step_cap(model.max_iter, len(rows), n_classifiers(len(set(ys)), model.multi_class))
    t0 = time.perf_counter()
    model.fit(rows, ys)
    t1 = time.perf_counter()
    g = resolve_gamma(model.gamma, rows)
    ev = evaluate_grid(model, grid, g)
    t2 = time.perf_counter()
    predicted = model.predict(rows)
    wrong = [i for i, (p, y) in enumerate(zip(predicted, ys)) if p != y]
    k = len(model.classes_)
    margin = None
    if model.kernel == "linear" and k == 2:
        w = model.coef_[0]
        norm = math.sqrt(dot(w, w))
        margin = 2 / norm if norm > 0 else None
    values = ev["values"]
    if values is not None:
        if not all(map(math.isfinite, values)):
            raise ValueError("The decision values are too large to draw: try a smaller gamma or degree.")
        values = [round(v, 6) for v in values]
    return {
        "kernel": model.kernel,
        "C": model.C,
        "gamma": g,
        "gamma_param": model.gamma,
        "degree": model.degree,
        "coef0": model.coef0,
        "multi_class": model.multi_class,
        "classes": list(model.classes_),
        "n_classifiers": n_classifiers(k, model.multi_class),
        "grid": grid,
        "cells": ev["cells"],
        "values": values,
        "exact_cells": ev["exact_cells"],
        "support": list(model.support_),
        "n_support": list(model.n_support_),
        "n_sv": len(model.support_),
        "accuracy": (len(ys) - len(wrong)) / len(ys),
        "wrong": wrong,
        "n_points": len(ys),
        "n_iter": sum(model.n_iter_),
        "stopped_early": model.fit_status_ == 1,
        "max_iter": model.max_iter,
        "margin": margin,
        "fit_ms": 1000 * (t1 - t0),
        "grid_ms": 1000 * (t2 - t1),
    }


