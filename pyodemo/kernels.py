"""SVM kernels: the similarity between a new point and the support vectors.

A kernel ``K(x, x')`` is an inner product in some feature space, so a linear
classifier there draws a curved boundary here (Cortes & Vapnik, *Support-vector
networks*, Machine Learning 20, 1995).  The four kernels of libsvm (Chang & Lin,
*LIBSVM: a library for support vector machines*, ACM TIST 2011) and
scikit-learn's ``SVC``:

=========  ==========================================
linear     ``x . x'``
poly       ``(gamma * x . x' + coef0) ** degree``
rbf        ``exp(-gamma * ||x - x'||**2)``
sigmoid    ``tanh(gamma * x . x' + coef0)``
=========  ==========================================

The talk's slide writes the polynomial kernel as ``1 + sum(x * x_i)^d``; the
usual form, and the one meant, is ``(1 + x . x_i)^d``: libsvm's ``poly`` with
``gamma=1, coef0=1``.

>>> kernel("linear", [1.0, 2.0], [3.0, 4.0])
11.0
>>> kernel("poly", [1.0, 2.0], [3.0, 4.0], gamma=1.0, coef0=1.0, degree=2)  # (1 + 11)^2
144.0
>>> kernel("rbf", [0.0, 0.0], [1.0, 1.0], gamma=0.5)  # exp(-0.5 * 2)
0.36787944117144233

Everything here is computed the way libsvm computes it (``powi`` for integer
powers; RBF as ``exp(-gamma * (||x||^2 + ||x'||^2 - 2 x.x'))`` with precomputed
squared norms, so one C-level dot product per pair), because the SMO solver in
``pyodemo.smo`` must follow libsvm's path step by step.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import add, mul

from pyodemo.vector import dot

__all__ = [
    "KERNELS",
    "powi",
    "kernel",
    "kernel_values",
    "resolve_gamma",
    "pairwise_sum",
    "blas_dot",
    "KernelMatrix",
]

#: The kernels pyodemo and scikit-learn's ``SVC`` share.
KERNELS: tuple[str, ...] = ("linear", "poly", "rbf", "sigmoid")

_exp = math.exp
_tanh = math.tanh


def powi(base: float, times: int) -> float:
    """``base ** times`` for an integer ``times >= 0`` by repeated squaring, as libsvm.

    Same multiplications in the same order as libsvm's ``powi``, so the
    polynomial kernel agrees with scikit-learn to the last bit.

    >>> powi(2.0, 10)
    1024.0
    >>> powi(1.5, 0)
    1.0
    """
    tmp = base
    ret = 1.0
    t = times
    while t > 0:
        if t % 2 == 1:
            ret *= tmp
        tmp = tmp * tmp
        t //= 2
    return ret


def pairwise_sum(a: Sequence[float]) -> float:
    """Sum of floats in numpy's order (pairwise summation, 8-way unrolled blocks of 128).

    numpy's ``X.var()`` adds this way; using the same order makes
    ``gamma="scale"`` the very same float as scikit-learn's, bit for bit.

    >>> pairwise_sum([1.0, 2.0, 3.0])
    6.0
    >>> pairwise_sum([0.1] * 1000)  # numpy: np.full(1000, 0.1).sum() gives the same
    100.00000000000001
    """
    n = len(a)
    if n < 8:
        res = 0.0
        for v in a:
            res += v
        return res
    if n <= 128:
        r = list(a[:8])
        i = 8
        stop = n - n % 8
        while i < stop:
            for k in range(8):
                r[k] += a[i + k]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for v in a[stop:]:
            res += v
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(a[:n2]) + pairwise_sum(a[n2:])


def resolve_gamma(gamma: float | str, X: Sequence[Sequence[float]]) -> float:
    """The numeric ``gamma`` for ``"scale"``, ``"auto"`` or a number, as scikit-learn.

    ``"scale"`` is ``1 / (n_features * X.var())`` (the variance of all entries of
    X together; 1.0 if that is zero), ``"auto"`` is ``1 / n_features``.

    >>> resolve_gamma("auto", [[0.0, 1.0, 2.0, 3.0]])
    0.25
    >>> resolve_gamma("scale", [[0.0, 2.0], [0.0, 2.0]])  # var = 1
    0.5
    >>> resolve_gamma(0.1, [[1.0]])
    0.1
    """
    n_features = len(X[0])
    if gamma == "auto":
        return 1.0 / n_features
    if gamma == "scale":
        values = [v for row in X for v in row]
        n = len(values)
        mean = pairwise_sum(values) / n
        dev = [v - mean for v in values]
        var = pairwise_sum(list(map(mul, dev, dev))) / n
        return 1.0 / (n_features * var) if var != 0.0 else 1.0
    return float(gamma)


def kernel(name: str, x: Sequence[float], z: Sequence[float],
           gamma: float = 1.0, degree: int = 3, coef0: float = 0.0) -> float:
    """One kernel value ``K(x, z)`` (see the table in the module docstring)."""
    d = dot(x, z)
    if name == "linear":
        return d
    if name == "poly":
        return powi(gamma * d + coef0, degree)
    if name == "rbf":
        return _exp(-gamma * ((dot(x, x) + dot(z, z)) - 2 * d))
    if name == "sigmoid":
        return _tanh(gamma * d + coef0)
    raise ValueError(f"unknown kernel {name!r}; use one of {', '.join(KERNELS)}")


def kernel_values(
    name: str,
    x: Sequence[float],
    rows: Sequence[Sequence[float]],
    gamma: float,
    degree: int,
    coef0: float,
    rows_sq: Sequence[float] | None = None,
    x_sq: float | None = None,
) -> list[float]:
    """``[K(x, r) for r in rows]`` with one C-level dot product per row.

    For the RBF kernel ``rows_sq`` holds the precomputed ``||r||^2`` (and
    ``x_sq`` may hold ``||x||^2``): ``||x - r||^2 = ||x||^2 + ||r||^2 - 2 x.r``.

    >>> kernel_values("rbf", [1.0, 0.0], [[1.0, 0.0], [0.0, 0.0]], 1.0, 3, 0.0)
    [1.0, 0.36787944117144233]
    """
    dots = list(map(dot, repeat(x), rows))
    if name == "rbf":
        if rows_sq is None:
            rows_sq = [dot(r, r) for r in rows]
        xx = dot(x, x) if x_sq is None else x_sq
        return _from_dots(name, dots, gamma, degree, coef0, map(add, repeat(xx), rows_sq))
    return _from_dots(name, dots, gamma, degree, coef0)


def _from_dots(
    name: str, dots: list[float], gamma: float, degree: int, coef0: float, sq_sums: Iterable[float] = ()
) -> list[float]:
    """Kernel values from dot products ``x . r`` (and, for RBF, ``||x||^2 + ||r||^2``), in one C-speed pass.

    Why: prediction and the training kernel matrix need a whole row of kernel values at once; the
    formulas are :func:`kernel`'s, in libsvm's order of operations.
    """
    if name == "linear":
        return dots
    if name == "rbf":
        g = -gamma
        return [_exp(g * (s - 2 * d)) for s, d in zip(sq_sums, dots)]
    if name == "poly":
        return [powi(gamma * d + coef0, degree) for d in dots]
    if name == "sigmoid":
        return [_tanh(gamma * d + coef0) for d in dots]
    raise ValueError(f"unknown kernel {name!r}; use one of {', '.join(KERNELS)}")


_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for doubles
_fsum = math.fsum


def _fma_emulated(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once: Dekker's exact product error, then a correctly rounded sum."""
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    r = _fsum((c, p, e))
    return r if math.isfinite(r) else p + c


fma = getattr(math, "fma", _fma_emulated)  # math.fma: Python 3.13+ (Pyodide)


def blas_dot(a: Sequence[float], b: Sequence[float]) -> float:
    """A short dot product the way OpenBLAS's ``ddot`` computes it on x86-64 with FMA.

    For fewer than 16 values OpenBLAS runs the plain loop ``dot += x[i] * y[i]``, compiled
    into fused multiply-adds (one rounding per step).  scikit-learn's libsvm takes its
    training-set norms and the kernel diagonal from that ``ddot``; computing them the same
    way makes ``fit`` follow libsvm's steps exactly on low-dimensional data (the
    playground), instead of drifting apart after a last-bit difference.  Only used for
    ``len(a) < 16``; longer vectors go through :func:`pyodemo.vector.dot`.

    >>> blas_dot([0.1, 0.2], [0.3, 0.4])
    0.11000000000000001
    """
    s = a[0] * b[0]
    for k in range(1, len(a)):
        s = fma(a[k], b[k], s)
    return s


class KernelMatrix:
    """Rows of the training kernel matrix, computed on first use and kept.

    Like libsvm's ``Qfloat`` cache, the stored values are rounded to float32
    (``array('f')``); the diagonal ``diag`` stays in double precision (libsvm's
    ``QD``).  Memory is ``4 n^2`` bytes for n samples: this is for small data
    (the playground's few hundred points), where it makes SMO fast.

    >>> km = KernelMatrix([[0.0], [1.0], [3.0]], "linear", 1.0, 3, 0.0)
    >>> list(km.row(1)), km.diag
    ([0.0, 1.0, 3.0], [0.0, 1.0, 9.0])
    """

    def __init__(
        self,
        X: Sequence[Sequence[float]],
        name: str,
        gamma: float,
        degree: int,
        coef0: float,
    ) -> None:
        if name not in KERNELS:
            raise ValueError(f"unknown kernel {name!r}; use one of {', '.join(KERNELS)}")
        self.X = X
        self.name = name
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        # libsvm's x_square and diagonal QD (kept in double precision), with OpenBLAS's
        # rounding for short vectors (see blas_dot); the float32 rows absorb the rest.
        self_dot = blas_dot if X and len(X[0]) < 16 else dot
        xx = [self_dot(x, x) for x in X]
        self.sq: list[float] | None = xx if name == "rbf" else None
        self._rows: dict[int, array] = {}
        self.diag = _from_dots(name, xx, gamma, degree, coef0, map(add, xx, xx))

    def row(self, i: int) -> array:
        """``K(X[i], X[j])`` for all j, as float32 values."""
        r = self._rows.get(i)
        if r is None:
            sq = self.sq
            r = array(
                "f",
                kernel_values(
                    self.name, self.X[i], self.X, self.gamma, self.degree, self.coef0,
                    rows_sq=sq, x_sq=None if sq is None else sq[i],
                ),
            )
            self._rows[i] = r
        return r
