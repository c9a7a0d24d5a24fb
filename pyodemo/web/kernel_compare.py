"""The "kernels side by side" widget's Python side (``slides/js/widgets/kernel-compare.js``, the SVM page).

The same points under a linear, a polynomial and an RBF kernel (each fitted and drawn as in the SVM
playground, :func:`pyodemo.web.svm_playground.fit`), plus the slide's lifting ``z = x1^2 + x2^2``
where a flat plane separates a disc from a ring. "JavaScript draws, Python computes".
"""

from __future__ import annotations

import math

from pyodemo.web.svm_playground import check_points, fit, make_model, preset

__all__ = ["preset", "compare"]

#: The three kernels of the "Kernels" slide, as the side-by-side widget fits them.  The polynomial
#: is the slide's (1 + x . x')^2: gamma 1, coef0 1, degree 2 -- the kernel of the lifting below.
COMPARE_KERNELS = (
    {"title": "Linear", "formula": "x · x′", "kernel": "linear"},
    {"title": "Polynomial", "formula": "(1 + x · x′)²", "kernel": "poly", "gamma": 1.0, "degree": 2, "coef0": 1.0},
    {"title": "RBF", "formula": "exp(−γ‖x − x′‖²), γ = scale", "kernel": "rbf", "gamma": "scale"},
)


#: The lifting's third coordinate: the slide's squared radius, or the product that separates XOR.
LIFTS = {
    "r2": ("x₁² + x₂²", (0.0, 2.0)),
    "xy": ("x₁ · x₂", (-1.0, 1.0)),
}


def lift(points: list[list[float]], feature: str = "r2") -> list[list[float]]:
    """The slide's extra feature: (x1, x2) -> (x1, x2, x1^2 + x2^2); or (x1, x2, x1 x2) for XOR.

    >>> lift([[0.5, -1.0]]), lift([[0.5, -1.0]], "xy")
    ([[0.5, -1.0, 1.25]], [[0.5, -1.0, -0.5]])
    """
    if feature == "xy":
        return [[x, y, x * y] for x, y in points]
    return [[x, y, x * x + y * y] for x, y in points]


def _plane_mesh(w: list[float], b: float, z_range: tuple[float, float], lines: int = 9) -> list[list[list[float]]]:
    """Segments of the plane w . (x, y, z) + b = 0 inside the box [-1, 1]^2 x ``z_range``, for drawing.

    The coordinate with the largest |w| is solved for; the other two run over a grid of ``lines``
    lines each way, and each line is clipped to the box.
    """
    lo, hi = [-1.0, -1.0, z_range[0]], [1.0, 1.0, z_range[1]]
    s = max(range(3), key=lambda i: abs(w[i]))
    if w[s] == 0:
        return []
    u, v = [i for i in range(3) if i != s]
    segments = []
    for fixed, free in ((u, v), (v, u)):
        for t in range(lines):
            a = lo[fixed] + (hi[fixed] - lo[fixed]) * t / (lines - 1)
            # along the line: coordinate `free` = q in [lo, hi]; solved = -(b + w_fixed a + w_free q) / w_s
            # which is linear in q: solved = alpha + beta q.  Keep the q where it lies in [lo_s, hi_s].
            alpha, beta = -(b + w[fixed] * a) / w[s], -w[free] / w[s]
            q0, q1 = lo[free], hi[free]
            if beta != 0:
                qa, qb = (lo[s] - alpha) / beta, (hi[s] - alpha) / beta
                q0, q1 = max(q0, min(qa, qb)), min(q1, max(qa, qb))
            elif not lo[s] <= alpha <= hi[s]:
                continue
            if q1 <= q0:
                continue
            seg = []
            for q in (q0, q1):
                p = [0.0, 0.0, 0.0]
                p[fixed], p[free], p[s] = a, q, alpha + beta * q
                seg.append([round(c, 5) for c in p])
            segments.append(seg)
    return segments


def compare(points: list, labels: list, C: float = 1.0, grid: int = 40, feature: str = "r2") -> dict:
    """The same points under the slide's three kernels, and the lifting to 3D.

    ``panels``: one :func:`fit` result per kernel of :data:`COMPARE_KERNELS` (with ``title`` and
    ``formula``).  ``lift`` (two classes only, else None): the points lifted by :func:`lift` with
    ``feature`` ("r2": z = x1^2 + x2^2, the slide's; "xy": z = x1 x2), a linear SVM fitted there --
    ``w`` and ``b`` of its plane w . (x, y, z) + b = 0 (positive side: the second class), its
    training ``accuracy``, ``mesh`` (segments of the plane inside the box, for drawing) and, for
    "r2", ``circle``: the plane seen from above is the circle w1 x + w2 y + w3 (x^2 + y^2) + b = 0
    (centre and radius; None when it is not a circle).

    The slide's point: a disc in a ring defeats a straight line, not a bent one, nor a plane in 3D.

    >>> d = preset("circles", noise=0.05, seed=0)
    >>> r = compare(d["points"], d["labels"])
    >>> [(p["title"], p["accuracy"]) for p in r["panels"]], r["lift"]["accuracy"]
    ([('Linear', 0.62), ('Polynomial', 1.0), ('RBF', 1.0)], 1.0)
    """
    if feature not in LIFTS:
        raise ValueError(f"The lifting must be one of {', '.join(LIFTS)}; got {feature!r}.")
    rows, ys = check_points(points, labels)
    panels = []
    for spec in COMPARE_KERNELS:
        params = {k: v for k, v in spec.items() if k not in ("title", "formula")}
        result = fit(rows, ys, C=C, grid=grid, **params)
        result.update(title=spec["title"], formula=spec["formula"])
        panels.append(result)
    lifted = None
    if len(set(ys)) == 2:
        Z = lift(rows, feature)
        model = make_model("linear", C, multi_class="ovo").fit(Z, ys)
        w, b = model.coef_[0], model.intercept_[0]
        circle = None
        if feature == "r2" and w[2] != 0:
            cx, cy = -w[0] / (2 * w[2]), -w[1] / (2 * w[2])
            r2 = cx * cx + cy * cy - b / w[2]
            if r2 > 0:
                circle = {"cx": cx, "cy": cy, "r": math.sqrt(r2)}
        name, z_range = LIFTS[feature]
        lifted = {
            "feature": feature,
            "formula": name,
            "z_range": list(z_range),
            "points": [[round(c, 5) for c in p] for p in Z],
            "labels": ys,
            "classes": list(model.classes_),
            "w": list(w),
            "b": b,
            "accuracy": model.score(Z, ys),
            "n_sv": len(model.support_),
            "support": list(model.support_),
            "stopped_early": model.fit_status_ == 1,
            "mesh": _plane_mesh(list(w), b, z_range),
            "circle": circle,
        }
    return {"panels": panels, "lift": lifted, "n_points": len(ys)}
