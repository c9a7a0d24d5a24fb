"""Sequential minimal optimization (SMO) for the soft-margin SVM dual, as in libsvm.

The soft-margin SVM (Cortes & Vapnik 1995) is trained through its dual problem

    minimise   f(alpha) = 1/2 alpha^T Q alpha - e^T alpha
    subject to y^T alpha = 0,   0 <= alpha_i <= C_i,

with ``Q_ij = y_i y_j K(x_i, x_j)``.  SMO (Platt 1998, *Sequential minimal
optimization: a fast algorithm for training support vector machines*) changes
two multipliers at a time: the smallest step that keeps ``y^T alpha = 0``, and
one with a closed-form solution.  Which two?  libsvm's rule (WSS3 of Fan, Chen &
Lin, *Working set selection using second order information for training
support vector machines*, JMLR 6, 2005): ``i`` is the most violating index

    i = argmax { -y_t grad_t : t in I_up },

and ``j`` the partner giving the largest decrease of ``f`` by a second-order
estimate

    j = argmin { -b_it^2 / a_it : t in I_low, -y_t grad_t < -y_i grad_i },
    a_it = K_ii + K_tt - 2 K_it,  b_it = -y_i grad_i + y_t grad_t.

It stops when the maximal violation ``m(alpha) - M(alpha)`` falls below ``eps``
(libsvm's ``-e``, scikit-learn's ``tol``, default 1e-3).  *Shrinking* (Joachims
1999, as done in libsvm) sets aside bounded multipliers that are unlikely to
move, every ``min(l, 1000)`` iterations.

This is a line-by-line port of ``Solver::Solve`` in libsvm 3.x (Chang & Lin,
*LIBSVM: a library for support vector machines*, ACM TIST 2:27, 2011), the copy
scikit-learn ships: same working-set rule and tie-breaks, same clipping, kernel
cache values rounded to float32, same gradient reconstruction, same ``rho``.  So
``pyodemo.svm.SVC.fit`` and ``sklearn.svm.SVC.fit`` take (almost always) the same
steps and end within the tolerance of each other.

>>> # Two orthogonal unit points, one per class (K = identity): alpha = 1 each, rho = 0.
>>> r = solve(lambda i: [1.0, 0.0] if i == 0 else [0.0, 1.0], [1.0, 1.0], [1, -1], [10.0, 10.0])
>>> r.alpha, r.rho, r.converged
([1.0, 1.0], 0.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, itemgetter, mul, sub

__all__ = ["solve", "SolveResult", "TAU"]

INF = math.inf
#: libsvm's replacement for a non-positive curvature ``a_it``.
TAU = 1e-12

_LOWER, _UPPER, _FREE = 0, 1, 2


@dataclass
class SolveResult:
    """What :func:`solve` returns.

    ``alpha`` are the multipliers in the caller's order (all >= 0), ``rho`` the
    offset (the decision function is ``sum_i alpha_i y_i K(x_i, x) - rho``),
    ``n_iter`` the number of SMO steps, ``converged`` False when ``max_iter``
    stopped it first, ``obj`` the final dual objective.
    """

    alpha: list[float]
    rho: float
    n_iter: int
    converged: bool
    obj: float


class _Solver:
    """State of one SMO run; arrays are in *position* order (libsvm swaps when shrinking)."""

    def __init__(
        self,
        q_row: Callable[[int], Sequence[float]],
        qd: Sequence[float],
        y: Sequence[int],
        c: Sequence[float],
        eps: float,
    ) -> None:
        n = len(y)
        self.l = n
        self.q_row = q_row
        self.eps = eps
        self.y = [1.0 if v > 0 else -1.0 for v in y]
        self.QD = [float(v) for v in qd]
        self.C = [float(v) for v in c]
        self.p = [-1.0] * n
        self.alpha = [0.0] * n
        self.status = [_LOWER] * n
        # I_up: may move "up" in the -y grad direction; I_low: the other side.
        self.up = [yy > 0 for yy in self.y]
        self.low = [yy < 0 for yy in self.y]
        self.active_set = list(range(n))
        self.active_size = n
        self.G = [-1.0] * n  # gradient: Q alpha + p with alpha = 0
        self.G_bar = [0.0] * n
        self.unshrink = False
        self._base: dict[int, Sequence[float]] = {}
        self._rows: dict[int, Sequence[float]] = {}
        self._getter: Callable | None = None
        self._dirty = False

    # -- the Q matrix, in position order -------------------------------------------
    def get_q(self, pos: int) -> Sequence[float]:
        if self._dirty:
            self._rows.clear()
            ident = all(a == b for a, b in zip(self.active_set, range(self.l)))
            self._getter = None if ident else itemgetter(*self.active_set)
            self._dirty = False
        orig = self.active_set[pos]
        row = self._rows.get(orig)
        if row is None:
            base = self._base.get(orig)
            if base is None:
                base = self.q_row(orig)
                self._base[orig] = base
            row = base if self._getter is None else self._getter(base)
            self._rows[orig] = row
        return row

    # -- bookkeeping ---------------------------------------------------------------
    def update_status(self, i: int) -> None:
        a = self.alpha[i]
        if a >= self.C[i]:
            st = _UPPER
        elif a <= 0:
            st = _LOWER
        else:
            st = _FREE
        self.status[i] = st
        if self.y[i] > 0:
            self.up[i] = st != _UPPER
            self.low[i] = st != _LOWER
        else:
            self.up[i] = st != _LOWER
            self.low[i] = st != _UPPER

    def swap_index(self, i: int, j: int) -> None:
        for arr in (
            self.y, self.G, self.status, self.alpha, self.p, self.active_set,
            self.G_bar, self.C, self.QD, self.up, self.low,
        ):
            arr[i], arr[j] = arr[j], arr[i]
        self._dirty = True

    # -- libsvm's Solver methods ---------------------------------------------------
    def reconstruct_gradient(self) -> None:
        """Recompute the gradient of the shrunk (inactive) variables."""
        n, a = self.l, self.active_size
        if a == n:
            return
        G, G_bar, p, alpha, status = self.G, self.G_bar, self.p, self.alpha, self.status
        for j in range(a, n):
            G[j] = G_bar[j] + p[j]
        free = [j for j in range(a) if status[j] == _FREE]
        if len(free) * n > 2 * a * (n - a):
            for i in range(a, n):
                q_i = self.get_q(i)
                g = G[i]
                for j in free:
                    g += alpha[j] * q_i[j]
                G[i] = g
        else:
            for i in free:
                q_i = self.get_q(i)
                ai = alpha[i]
                G[a:] = [g + ai * q for g, q in zip(G[a:], q_i[a:])]

    def select_working_set(self) -> tuple[int, int] | None:
        """WSS3 (Fan, Chen & Lin 2005); None when optimal within eps."""
        a = self.active_size
        y = self.y
        s = list(map(mul, y[:a], self.G[:a]))  # y_t * grad_t
        neg_up = [-v if u else -INF for v, u in zip(s, self.up)]
        g_max = max(neg_up)
        if g_max == -INF:
            return None
        i = a - 1 - neg_up[::-1].index(g_max)  # libsvm keeps the last maximum (>=)
        g_max2 = max([v if lw else -INF for v, lw in zip(s, self.low)])
        q_i = self.get_q(i)
        qdi = self.QD[i]
        yi2 = 2.0 * y[i]
        quad = map(sub, map(add, repeat(qdi), self.QD), map(mul, map(mul, repeat(yi2), q_i), y))
        objs = [
            ((-(gd * gd) / q) if q > 0 else (-(gd * gd) / TAU)) if (lw and gd > 0) else INF
            for gd, lw, q in zip(map(add, repeat(g_max), s), self.low, quad)
        ]
        obj_min = min(objs)
        if g_max + g_max2 < self.eps or obj_min == INF:
            return None
        j = a - 1 - objs[::-1].index(obj_min)
        return i, j

    def be_shrunk(self, i: int, gmax1: float, gmax2: float) -> bool:
        st = self.status[i]
        if st == _UPPER:
            return -self.G[i] > (gmax1 if self.y[i] > 0 else gmax2)
        if st == _LOWER:
            return self.G[i] > (gmax2 if self.y[i] > 0 else gmax1)
        return False

    def do_shrinking(self) -> None:
        a = self.active_size
        s = list(map(mul, self.y[:a], self.G[:a]))
        gmax1 = max([-v if u else -INF for v, u in zip(s, self.up)])
        gmax2 = max([v if lw else -INF for v, lw in zip(s, self.low)])
        if not self.unshrink and gmax1 + gmax2 <= self.eps * 10:
            self.unshrink = True
            self.reconstruct_gradient()
            self.active_size = self.l
        i = 0
        while i < self.active_size:
            if self.be_shrunk(i, gmax1, gmax2):
                self.active_size -= 1
                while self.active_size > i:
                    if not self.be_shrunk(self.active_size, gmax1, gmax2):
                        self.swap_index(i, self.active_size)
                        break
                    self.active_size -= 1
            i += 1

    def calculate_rho(self) -> float:
        ub, lb, sum_free, nr_free = INF, -INF, 0.0, 0
        for i in range(self.active_size):
            yg = self.y[i] * self.G[i]
            st = self.status[i]
            if st == _UPPER:
                if self.y[i] < 0:
                    ub = min(ub, yg)
                else:
                    lb = max(lb, yg)
            elif st == _LOWER:
                if self.y[i] > 0:
                    ub = min(ub, yg)
                else:
                    lb = max(lb, yg)
            else:
                nr_free += 1
                sum_free += yg
        return sum_free / nr_free if nr_free > 0 else (ub + lb) / 2

    def take_step(self, i: int, j: int) -> None:
        """Solve the two-variable subproblem analytically and update the gradients."""
        q_i = self.get_q(i)
        q_j = self.get_q(j)
        alpha, y, QD = self.alpha, self.y, self.QD
        c_i, c_j = self.C[i], self.C[j]
        old_ai, old_aj = alpha[i], alpha[j]
        G = self.G
        if y[i] != y[j]:
            quad = QD[i] + QD[j] + 2 * q_i[j]
            if quad <= 0:
                quad = TAU
            delta = (-G[i] - G[j]) / quad
            diff = alpha[i] - alpha[j]
            alpha[i] += delta
            alpha[j] += delta
            if diff > 0:
                if alpha[j] < 0:
                    alpha[j] = 0.0
                    alpha[i] = diff
            elif alpha[i] < 0:
                alpha[i] = 0.0
                alpha[j] = -diff
            if diff > c_i - c_j:
                if alpha[i] > c_i:
                    alpha[i] = c_i
                    alpha[j] = c_i - diff
            elif alpha[j] > c_j:
                alpha[j] = c_j
                alpha[i] = c_j + diff
        else:
            quad = QD[i] + QD[j] - 2 * q_i[j]
            if quad <= 0:
                quad = TAU
            delta = (G[i] - G[j]) / quad
            total = alpha[i] + alpha[j]
            alpha[i] -= delta
            alpha[j] += delta
            if total > c_i:
                if alpha[i] > c_i:
                    alpha[i] = c_i
                    alpha[j] = total - c_i
            elif alpha[j] < 0:
                alpha[j] = 0.0
                alpha[i] = total
            if total > c_j:
                if alpha[j] > c_j:
                    alpha[j] = c_j
                    alpha[i] = total - c_j
            elif alpha[i] < 0:
                alpha[i] = 0.0
                alpha[j] = total

        d_i = alpha[i] - old_ai
        d_j = alpha[j] - old_aj
        a = self.active_size
        head = [g + (qi * d_i + qj * d_j) for g, qi, qj in zip(G[:a], q_i, q_j)]
        self.G = head if a == self.l else head + G[a:]

        for t, c_t in ((i, c_i), (j, c_j)):  # G_bar: the gradient's part from the multipliers at their bound C
            was_upper = self.status[t] == _UPPER
            self.update_status(t)
            if was_upper != (self.status[t] == _UPPER):
                k = -c_t if was_upper else c_t
                self.G_bar = [gb + k * q for gb, q in zip(self.G_bar, self.get_q(t))]


def solve(
    q_row: Callable[[int], Sequence[float]],
    qd: Sequence[float],
    y: Sequence[int],
    c: Sequence[float],
    eps: float = 1e-3,
    shrinking: bool = True,
    max_iter: int = -1,
) -> SolveResult:
    """Solve the C-SVC dual for labels ``y`` (+1/-1) and upper bounds ``c``.

    ``q_row(i)`` returns row i of ``Q_ij = y_i y_j K(x_i, x_j)`` (any sequence of
    floats, in the caller's order); ``qd[i]`` is ``K(x_i, x_i)``.  ``c[i]`` is the
    box constraint of each multiplier (C times the class weight, as libsvm's
    ``Cp``/``Cn``).  ``max_iter=-1`` means no limit.
    """
    n = len(y)
    s = _Solver(q_row, qd, y, c, eps)
    n_iter = 0
    counter = min(n, 1000) + 1
    converged = True
    while True:
        if max_iter != -1 and n_iter >= max_iter:
            converged = False
            break
        counter -= 1
        if counter == 0:
            counter = min(n, 1000)
            if shrinking:
                s.do_shrinking()
        ws = s.select_working_set()
        if ws is None:
            s.reconstruct_gradient()
            s.active_size = n
            ws = s.select_working_set()
            if ws is None:
                break
            counter = 1  # shrink at the next iteration
        n_iter += 1
        s.take_step(*ws)

    rho = s.calculate_rho()
    obj = sum(a * (g + p) for a, g, p in zip(s.alpha, s.G, s.p)) / 2
    alpha = [0.0] * n
    for pos, orig in enumerate(s.active_set):
        alpha[orig] = s.alpha[pos]
    return SolveResult(alpha=alpha, rho=rho, n_iter=n_iter, converged=converged, obj=obj)
