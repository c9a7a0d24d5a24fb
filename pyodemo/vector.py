"""Dot products, squared norms and squared distances of plain Python sequences.

Without numpy, the inner loop of an SVM or a HOG descriptor must run inside a
C-level builtin, not in a Python ``for`` loop:

* on Python 3.12+ (and so in Pyodide) :func:`math.sumprod` computes
  ``sum(a[k] * b[k])`` in C, with extended-precision accumulation;
* on CPython 3.11 the fallback ``sum(map(operator.mul, a, b))`` still keeps the
  loop in C (``map`` and ``sum`` are builtins), only a little slower.

Measured in Pyodide under Node: about 160 ns per multiply-add with
``math.sumprod`` -- so the cost of a kernel SVM per image is roughly
``n_support_vectors * n_features`` multiply-adds.

>>> dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
32.0
>>> sq_norm([3.0, 4.0])
25.0
>>> sq_dist([1.0, 1.0], [4.0, 5.0])
25.0
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

__all__ = ["dot", "sq_norm", "sq_dist", "norm", "HAVE_SUMPROD"]

#: True when the interpreter has :func:`math.sumprod` (Python 3.12+, Pyodide).
HAVE_SUMPROD: bool = hasattr(math, "sumprod")

if HAVE_SUMPROD:  # pragma: no cover - depends on the interpreter
    dot = math.sumprod  # type: ignore[attr-defined]
else:  # pragma: no cover - depends on the interpreter

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        """Dot product ``sum(a[k] * b[k])`` (C-level ``sum(map(mul, a, b))``)."""
        return sum(map(operator.mul, a, b))


def sq_norm(a: Sequence[float]) -> float:
    """Squared Euclidean norm ``||a||^2 = a . a``.

    >>> sq_norm([1.0, -2.0, 2.0])
    9.0
    """
    return dot(a, a)


def norm(a: Sequence[float]) -> float:
    """Euclidean norm ``||a||``.

    >>> norm([3.0, 4.0])
    5.0
    """
    return math.sqrt(dot(a, a))


def sq_dist(a: Sequence[float], b: Sequence[float]) -> float:
    """Squared Euclidean distance ``||a - b||^2``, computed from the differences.

    (For many distances to fixed points, ``||a||^2 + ||b||^2 - 2 a.b`` with
    precomputed norms is cheaper: one dot product per pair; ``pyodemo.kernels``
    does that for the RBF kernel.)

    >>> sq_dist([0.0, 0.0, 0.0], [1.0, 2.0, 2.0])
    9.0
    """
    d = list(map(operator.sub, a, b))
    return dot(d, d)
