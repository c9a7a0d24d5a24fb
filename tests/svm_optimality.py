"""What SMO guarantees on every CPU, checked from a fitted SVC's dual coefficients.

Two correct SMO runs on the same data need not take the same steps: which pair of
multipliers is chosen next depends on the last bits of floating-point arithmetic
(a BLAS ``ddot`` with or without fused multiply-adds, libm's ``exp``), and these
differ between CPUs.  Each run stops at *a* point within the stopping tolerance
``eps`` of the optimum, so the two answers differ by what ``eps`` allows.  This
module measures that allowance and checks both solutions against it.

For one binary problem (labels ``y_i = ±1``, box ``0 <= alpha_i <= C_i``) write
``v_i = y_i G_i = sum_j alpha_j y_j K_ij - y_i`` (libsvm's ``y*G``), and

    I_up  = {y_i = +1, alpha_i < C_i} ∪ {y_i = -1, alpha_i > 0},
    I_low = {y_i = +1, alpha_i > 0}   ∪ {y_i = -1, alpha_i < C_i},
    A = min_{I_up} v,  B = max_{I_low} v.

1. **KKT to eps** (Keerthi et al. 2001; libsvm's stopping rule, Fan, Chen & Lin
   2005): the maximal violation ``B - A <= eps``.
2. **The offset**: ``rho`` lies between ``A`` and ``B`` (libsvm's ``calculate_rho``
   takes the mean of the free ``v_i``, or the middle of ``[A, B]``).
3. **Dual objective**: with ``f(alpha) = 1/2 alpha^T Q alpha - e^T alpha`` and
   ``t = (A + B) / 2``, convexity and ``y^T (alpha - alpha*) = 0`` give
   ``f(alpha) - f* <= sum_i y_i (v_i - t)(alpha_i - alpha*_i) <= (B - A)^+ / 2 * sum_i C_i``,
   so two solutions' objectives differ by at most ``max((B-A)^+) / 2 * sum C``.
4. **Decision values**: ``f`` is quadratic and ``alpha*`` optimal, so
   ``1/2 ||w(alpha) - w*||^2 <= f(alpha) - f* <= g`` with
   ``g = min(duality gap, (B - A)^+ / 2 * sum C)``; hence
   ``||w_1 - w_2|| <= dw = sqrt(2 g_1) + sqrt(2 g_2)``.  A point ``i`` in I_up of
   solution 1 caps ``rho_1 <= v_i(alpha_1) + (B_1 - A_1)^+``; in I_low of solution 2
   it floors ``rho_2 >= v_i(alpha_2) - (B_2 - A_2)^+``; and
   ``|v_i(alpha_1) - v_i(alpha_2)| <= dw sqrt(K_ii)``.  So with one such point for
   each sign (I_up(1) ∩ I_low(2), and I_up(2) ∩ I_low(1); a point free in both is
   in both), ``|rho_1 - rho_2| <= drho = (B_1 - A_1)^+ + (B_2 - A_2)^+ + dw sqrt(K_ii)``.
   Where no point does (every multiplier at a bound), but both solutions have the
   same multipliers at the same bounds, ``A`` and ``B`` move by at most
   ``dw max_i sqrt(K_ii)``, and so does ``rho`` between them.
   Altogether, at any point ``x``:

       |f_1(x) - f_2(x)| <= dw * sqrt(K(x, x)) + drho.

5. **Predictions** can only differ where the reference's value is within that
   bound of zero (for several classes: in some pair).

libsvm keeps the kernel matrix in float32 (``Qfloat``), so its gradients differ from
the float64 ones computed here by up to ``2^-24 * sum_j alpha_j |K_ij|``; every
check allows that slack (``delta``), plus ``2^-50`` per step for the rounding of
the incremental updates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

U32 = 2.0**-24


def kernel_matrix(kernel: str, gamma: float, degree: int, coef0: float, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """K(a, b) for all rows a of A and b of B, in float64 (scikit-learn's definitions)."""
    if kernel == "linear":
        return A @ B.T
    if kernel == "poly":
        return (gamma * (A @ B.T) + coef0) ** degree
    if kernel == "rbf":
        d = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * (A @ B.T)
        return np.exp(-gamma * np.maximum(d, 0.0))
    if kernel == "sigmoid":
        return np.tanh(gamma * (A @ B.T) + coef0)
    raise ValueError(kernel)


def self_kernel(kernel: str, gamma: float, degree: int, coef0: float, A: np.ndarray) -> np.ndarray:
    """K(a, a) for each row a of A."""
    sq = (A * A).sum(1)
    if kernel == "linear":
        return sq
    if kernel == "poly":
        return (gamma * sq + coef0) ** degree
    if kernel == "rbf":
        return np.ones(len(A))
    return np.tanh(gamma * sq + coef0)


@dataclass
class Fit:
    """The parts of a fitted one-vs-one SVC the checks need (from scikit-learn or pyodemo)."""

    classes: list
    support: np.ndarray
    n_support: np.ndarray
    dual_coef: np.ndarray
    intercept: np.ndarray
    class_weight: np.ndarray
    gamma: float
    C: float
    kernel: str
    degree: int
    coef0: float
    n_iter: int
    decision: np.ndarray | None = None  # "ovo" values at the probe points, shape (n, n_pairs)
    predict: np.ndarray | None = None

    @classmethod
    def of(cls, model, points: np.ndarray | None = None) -> Fit:
        """From a fitted ``sklearn.svm.SVC`` or ``pyodemo.svm.SVC`` (one-vs-one)."""
        decision = predict = None
        if points is not None:
            saved = model.decision_function_shape
            model.decision_function_shape = "ovo"
            try:
                raw = model.decision_function(points if hasattr(model, "_sparse") else points.tolist())
            finally:
                model.decision_function_shape = saved
            decision = np.asarray(raw, dtype=np.float64).reshape(len(points), -1)
            predict = np.asarray(model.predict(points if hasattr(model, "_sparse") else points.tolist()), dtype=object)
        return cls(
            classes=list(np.asarray(model.classes_).tolist()),
            support=np.asarray(model.support_, dtype=int),
            n_support=np.asarray(model.n_support_, dtype=int),
            dual_coef=np.asarray(model.dual_coef_, dtype=np.float64),
            intercept=np.asarray(model.intercept_, dtype=np.float64),
            class_weight=np.asarray(model.class_weight_, dtype=np.float64),
            gamma=float(model._gamma),
            C=float(model.C),
            kernel=model.kernel,
            degree=int(model.degree),
            coef0=float(model.coef0),
            n_iter=int(np.sum(model.n_iter_)),
            decision=decision,
            predict=predict,
        )

    def K(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return kernel_matrix(self.kernel, self.gamma, self.degree, self.coef0, A, B)

    def Kxx(self, A: np.ndarray) -> np.ndarray:
        return self_kernel(self.kernel, self.gamma, self.degree, self.coef0, A)


@dataclass
class Problem:
    """One binary problem: class ``pair[0]`` is +1, ``pair[1]`` is -1 (libsvm's one-vs-one)."""

    pair: tuple[int, int]
    idx: np.ndarray  # rows of the training set
    y: np.ndarray
    alpha: np.ndarray
    C: np.ndarray
    rho: float


def problems(fit: Fit, y_train: np.ndarray) -> list[Problem]:
    """Split a fitted model into its binary problems, with a multiplier for every training point."""
    k = len(fit.classes)
    labels = np.asarray(y_train, dtype=object)
    starts = np.concatenate([[0], np.cumsum(fit.n_support)])
    binary = k == 2
    out, p = [], 0
    for i in range(k):
        for j in range(i + 1, k):
            members = [np.flatnonzero(labels == fit.classes[c]) for c in (i, j)]
            idx = np.concatenate(members)
            y = np.concatenate([np.ones(len(members[0])), -np.ones(len(members[1]))])
            coef = np.zeros(len(idx))
            where = {t: n for n, t in enumerate(idx)}
            for c, row in ((i, j - 1), (j, i)):
                for s in range(starts[c], starts[c + 1]):
                    value = fit.dual_coef[row, s]
                    coef[where[fit.support[s]]] = -value if binary else value
            rho = fit.intercept[p] if binary else -fit.intercept[p]
            C = fit.C * np.concatenate([np.full(len(members[0]), fit.class_weight[i]),
                                        np.full(len(members[1]), fit.class_weight[j])])
            out.append(Problem((i, j), idx, y, coef * y, C, float(rho)))
            p += 1
    return out


@dataclass
class Optimality:
    """How far one binary solution is from optimal, measured in float64."""

    violation: float  # B - A
    A: float
    B: float
    rho: float
    delta: float  # float32-cache and rounding slack
    feasibility: float  # worst box or equality residual
    objective: float  # f(alpha)
    gap_bound: float  # g: upper bound on f(alpha) - f*
    up: np.ndarray  # training rows (global) in I_up
    low: np.ndarray  # training rows (global) in I_low
    v: dict = field(default_factory=dict)  # global row -> v_i
    problems: list[str] = field(default_factory=list)  # what failed, in words


def optimality(fit: Fit, problem: Problem, X: np.ndarray, eps: float) -> Optimality:
    """Measure one binary problem's solution; ``problems`` lists every check it fails at ``eps``."""
    Xp = X[problem.idx]
    K = fit.K(Xp, Xp)
    a, y, C = problem.alpha, problem.y, problem.C
    tiny = 1e-12 * C
    at_upper = a >= C - tiny
    at_lower = a <= tiny
    up = ((y > 0) & ~at_upper) | ((y < 0) & ~at_lower)
    low = ((y > 0) & ~at_lower) | ((y < 0) & ~at_upper)
    fw = K @ (a * y)  # sum_j alpha_j y_j K_ij
    v = fw - y
    S = float(np.max(np.abs(K) @ a)) if len(a) else 0.0
    delta = U32 * S + 2.0**-50 * (fit.n_iter + len(a)) * (1.0 + S + float(np.max(np.abs(v))))
    A = float(v[up].min()) if up.any() else math.inf
    B = float(v[low].max()) if low.any() else -math.inf
    violation = B - A
    residual = abs(float(np.dot(y, a)))
    feasibility = max(float(np.max(-a)), float(np.max(a - C)), residual)
    objective = 0.5 * float(np.dot(a * y, fw)) - float(a.sum())
    # the duality gap: P(w, b = -rho) - D(alpha), with D = -f
    xi = np.maximum(0.0, 1.0 - y * (fw - problem.rho))
    gap = 0.5 * float(np.dot(a * y, fw)) + float(np.dot(C, xi)) + objective
    t = 0.5 * (A + B) if math.isfinite(A + B) else 0.0
    g = min(max(gap, 0.0), max(violation, 0.0) / 2 * float(C.sum())) + abs(t) * residual
    report = Optimality(violation, A, B, problem.rho, delta, feasibility, objective, g,
                        problem.idx[up], problem.idx[low], dict(zip(problem.idx.tolist(), v.tolist())))
    if violation > eps + 2 * delta:
        report.problems.append(f"pair {problem.pair}: KKT violation {violation:.3g} > eps {eps:g} (+{2 * delta:.1e})")
    lo, hi = min(A, B) - delta, max(A, B) + delta
    if not (lo <= problem.rho <= hi):
        report.problems.append(f"pair {problem.pair}: rho {problem.rho:.6g} outside [{lo:.6g}, {hi:.6g}]")
    if feasibility > 1e-9 * (1.0 + float(C.max())):
        report.problems.append(f"pair {problem.pair}: infeasible multipliers (residual {feasibility:.3g})")
    return report


@dataclass
class Comparison:
    """Two fits of the same data checked against each other; ``problems`` empty means the gate holds."""

    problems: list[str]
    objective_diff: float
    objective_bound: float
    decision_diff: float  # max |f_1 - f_2| over the probe points and pairs
    decision_bound: float  # the bound at the worst point (relative use: diff / bound)
    bound_max: float  # the largest bound over points and pairs
    near_boundary: int  # probe points whose reference value is within the bound of zero (some pair)
    changed: int  # probe points predicted differently
    unbounded_pairs: int  # pairs where no training point bounds rho on both sides
    agreement: float
    rel_diff: float  # max |f_1 - f_2| / (1 + |f_ref|): the old fixed 1e-3 gate, now information
    n_sv: tuple[int, int]
    n_iter: tuple[int, int]
    same_support: bool


def compare(ref: Fit, mine: Fit, X: np.ndarray, y: np.ndarray, points: np.ndarray, eps: float) -> Comparison:
    """Check both fits to ``eps`` and against each other at the probe ``points`` (see the module doc)."""
    issues: list[str] = []
    if ref.classes != mine.classes:
        issues.append(f"classes differ: {ref.classes} vs {mine.classes}")
    ref_problems, my_problems = problems(ref, y), problems(mine, y)
    Kxx = ref.Kxx(points)
    obj_diff = obj_bound = 0.0
    worst_excess, worst_diff, worst_bound, bound_max = -math.inf, 0.0, 0.0, 0.0
    unbounded = 0
    near = np.zeros(len(points), dtype=bool)
    for p, (rp, mp) in enumerate(zip(ref_problems, my_problems)):
        r = optimality(ref, rp, X, eps)
        m = optimality(mine, mp, X, eps)
        issues += [f"reference {s}" for s in r.problems] + [f"pyodemo {s}" for s in m.problems]
        ob = max(max(r.violation, 0.0), max(m.violation, 0.0)) / 2 * float(rp.C.sum()) + 2 * (r.delta + m.delta) * float(rp.C.sum())
        od = abs(r.objective - m.objective)
        obj_diff, obj_bound = max(obj_diff, od), max(obj_bound, ob)
        if od > ob:
            issues.append(f"pair {rp.pair}: dual objectives differ by {od:.3g} > bound {ob:.3g}")
        dw = math.sqrt(2 * r.gap_bound) + math.sqrt(2 * m.gap_bound)
        one_side = np.intersect1d(r.up, m.low)  # bounds rho_ref - rho_mine from above
        other_side = np.intersect1d(m.up, r.low)  # and from below
        if len(one_side) and len(other_side):
            reach = max(float(np.min(np.sqrt(np.maximum(ref.Kxx(X[rows]), 0.0)))) for rows in (one_side, other_side))
        elif np.array_equal(r.up, m.up) and np.array_equal(r.low, m.low):
            # the same multipliers at the same bounds: A and B are taken over the same points
            reach = float(np.max(np.sqrt(np.maximum(ref.Kxx(X[rp.idx]), 0.0))))
        else:
            unbounded += 1
            continue
        drho = max(r.violation, 0.0) + max(m.violation, 0.0) + 2 * (r.delta + m.delta) + dw * reach
        if abs(r.rho - m.rho) > drho:
            issues.append(f"pair {rp.pair}: rho {r.rho:.6g} vs {m.rho:.6g} differ by more than {drho:.3g}")
        if ref.decision is None or mine.decision is None:
            continue
        bound = dw * np.sqrt(np.maximum(Kxx, 0.0)) + drho
        diff = np.abs(ref.decision[:, p] - mine.decision[:, p])
        excess = diff - bound
        k = int(np.argmax(excess))
        if excess[k] > worst_excess:
            worst_excess, worst_diff, worst_bound = float(excess[k]), float(diff[k]), float(bound[k])
        bound_max = max(bound_max, float(bound.max()))
        if excess[k] > 0:
            issues.append(f"pair {rp.pair}: decision values differ by {diff[k]:.3g} > bound {bound[k]:.3g} "
                          f"at {points[k].tolist()}")
        near |= np.abs(ref.decision[:, p]) <= bound
    changed = near_count = 0
    agreement, rel = 1.0, 0.0
    if ref.predict is not None and mine.predict is not None:
        differ = ref.predict != mine.predict
        changed, near_count = int(differ.sum()), int(near.sum())
        agreement = float(np.mean(~differ))
        if unbounded == 0 and np.any(differ & ~near):
            bad = points[differ & ~near][:3].tolist()
            issues.append(f"predictions differ away from the boundary at {bad}")
        rel = float(np.max(np.abs(ref.decision - mine.decision) / (1 + np.abs(ref.decision))))
    return Comparison(
        problems=issues, objective_diff=obj_diff, objective_bound=obj_bound,
        decision_diff=worst_diff, decision_bound=worst_bound, bound_max=bound_max,
        near_boundary=near_count, changed=changed, unbounded_pairs=unbounded, agreement=agreement,
        rel_diff=rel, n_sv=(int(ref.n_support.sum()), int(mine.n_support.sum())),
        n_iter=(ref.n_iter, mine.n_iter),
        same_support=ref.support.tolist() == mine.support.tolist(),
    )
