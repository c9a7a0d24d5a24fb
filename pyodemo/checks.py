"""The one way pyodemo checks its arguments: each check returns the value, or raises a ValueError a person understands.

Both layers use it: the talk's algorithms (``pyodemo.hog``, ``pyodemo.classify``, ...) and the
browser's widgets (``pyodemo.web``), so a setting is refused with the same words wherever it is given.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any, NamedTuple

#: The largest magnitude pyodemo computes with (pixel values, kernel weights, filter outputs). Real
#: values are 0..1 or 0..255; the headroom up to float64's limit (about 1.8e308) keeps every sum over
#: a whole image finite (resizing, gradients, convolution), so a huge input gives a ValueError, never
#: an infinity or a NaN in the result.
LARGEST = 1e300


def whole(value: object, name: str, low: int, high: int) -> int:
    """A whole number in [low, high] (``3.0`` counts as 3), or a ValueError naming the setting.

    >>> whole(9.0, "orientations", 1, 18)
    9
    >>> whole(True, "orientations", 1, 18)
    Traceback (most recent call last):
    ...
    ValueError: orientations must be a whole number, got True
    >>> whole(1e300, "x", 0, 63)
    Traceback (most recent call last):
    ...
    ValueError: x must be between 0 and 63, got 1e+300
    """
    given = value
    if isinstance(value, float) and value.is_integer():  # False for NaN and infinity
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {given!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {given!r}")
    return value


def counting(value: object, name: str) -> int:
    """A whole number ≥ 1 (a count: bins, pixels), or a ValueError.

    >>> counting(0, "orientations")
    Traceback (most recent call last):
    ...
    ValueError: orientations must be a whole number ≥ 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
    return value


def counting_pair(value: object, name: str) -> tuple[int, int]:
    """Two whole numbers ≥ 1 (rows and columns: a cell, a block), or a ValueError.

    >>> counting_pair(8, "pixels_per_cell")
    Traceback (most recent call last):
    ...
    ValueError: pixels_per_cell must be a pair of whole numbers, got 8
    """
    try:
        a, b = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of whole numbers, got {value!r}") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (a, b)):
        raise ValueError(f"{name} must be a pair of whole numbers ≥ 1, got {value!r}")
    return a, b


def number(value: object, name: str, low: float = -LARGEST, high: float = LARGEST) -> float:
    """A number in [low, high] as a float (NaN and infinity are not numbers here), or a ValueError.

    >>> number(3, "up")
    3.0
    >>> number(10**400, "up")
    Traceback (most recent call last):
    ...
    ValueError: up must be a number between -1e+300 and 1e+300, got 1000...
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:  # also NaN, infinity and whole numbers beyond a float
        given = repr(value) if isinstance(value, float) or abs(value) < 10**20 else f"{str(value)[:4]}..."
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {given}")
    return float(value)


def one_of(value: object, name: str, options: Collection[str]) -> str:
    """One of the named ``options``, or a ValueError listing them.

    >>> one_of("L3", "block_norm", ("L1", "L2"))
    Traceback (most recent call last):
    ...
    ValueError: block_norm must be one of L1, L2; got 'L3'
    """
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {value!r}")
    return value


def flag(value: object, name: str) -> bool:
    """``True`` or ``False`` (not 1, not "yes"), or a ValueError.

    >>> flag(1, "relu")
    Traceback (most recent call last):
    ...
    ValueError: relu must be true or false, got 1
    """
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


def size(width: object, height: object) -> tuple[int, int]:
    """An image's width and height: whole numbers of at least one pixel.

    >>> size(2.0, 1)
    Traceback (most recent call last):
    ...
    ValueError: width and height must be whole numbers, got 2.0 and 1
    """
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (width, height)):
        raise ValueError(f"width and height must be whole numbers, got {width!r} and {height!r}")
    if width <= 0 or height <= 0:  # type: ignore[operator]
        raise ValueError(f"an image needs at least one pixel, got width={width} and height={height}")
    return width, height  # type: ignore[return-value]


def rgb(value: object, name: str) -> tuple[int, int, int]:
    """A colour as three whole numbers 0..255 (R, G, B), or a ValueError.

    >>> rgb([255, 255, 256], "background")
    Traceback (most recent call last):
    ...
    ValueError: background must be three whole numbers 0..255 (R, G, B), got [255, 255, 256]
    """
    parts = tuple(value) if isinstance(value, Iterable) else ()
    if len(parts) != 3 or not all(is_whole(v) and 0 <= v <= 255 for v in parts):
        raise ValueError(f"{name} must be three whole numbers 0..255 (R, G, B), got {value!r}")
    return parts  # type: ignore[return-value]


def rgba(data: object, width: object, height: object) -> bytes:
    """A canvas's RGBA bytes for ``width`` × ``height`` pixels (4 bytes a pixel), or a ValueError.

    >>> rgba(bytes(15), 2, 2)
    Traceback (most recent call last):
    ...
    ValueError: RGBA data for 2 × 2 pixels must have 16 bytes, got 15
    """
    width, height = size(width, height)
    if isinstance(data, str):
        raise ValueError("RGBA data must be bytes, not text")
    try:
        buf = bytes(data)  # type: ignore[call-overload]  # bytes, bytearray, memoryview, a list of 0..255
    except (TypeError, ValueError) as err:
        raise ValueError(f"RGBA data must be bytes of values 0..255 ({err})") from None
    if len(buf) != 4 * width * height:
        raise ValueError(f"RGBA data for {width} × {height} pixels must have {4 * width * height} bytes, got {len(buf)}")
    return buf


def matrix(X: Any, name: str = "X", n_features: int | None = None) -> list[list[float]]:
    """Points as rows of floats, all the same length, all finite (an SVM's ``X``), or a ValueError.

    >>> matrix([[1, 2], [3]])
    Traceback (most recent call last):
    ...
    ValueError: X: row 1 has 1 values but row 0 has 2
    """
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
        if not finite(row):
            raise ValueError(f"{name}: row {k} contains NaN or infinity")
    if n_features is not None and d != n_features:
        raise ValueError(f"{name} has {d} features per point, but the model was trained on {n_features}")
    return rows


def grid(values: object, what: str, largest: float = LARGEST) -> tuple[int, int, list[Any]]:
    """Rows of numbers (a gray image, a kernel) as ``(height, width, flat values as given)``, or a ValueError
    that names the first bad row or cell the way a person counts them (from 1). Values beyond ±``largest``
    (at most float64's limit) are refused.

    >>> grid([[1, 2], [3, 4]], "kernel")
    (2, 2, [1, 2, 3, 4])
    >>> grid([[1, None]], "kernel")
    Traceback (most recent call last):
    ...
    ValueError: the kernel's row 1, column 2 is empty: type a number
    >>> grid([[1, 2], [3]], "image")
    Traceback (most recent call last):
    ...
    ValueError: every row of the image must have the same length: row 2 has 1 values, row 1 has 2
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"the {what} must be a sequence of rows of numbers")
    rows = list(values)
    if not rows:
        raise ValueError(f"the {what} is empty")
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, Iterable):
            raise ValueError(f"the {what} must be a sequence of rows of numbers (row {i + 1} is not a row)")
        if not isinstance(row, Sequence):  # a generator or an array: read it once
            rows[i] = list(row)
    width = len(rows[0])
    if width == 0:
        raise ValueError(f"the {what} is empty: its rows have no values")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"every row of the {what} must have the same length: "
                             f"row {i + 1} has {len(row)} values, row 1 has {width}")
    flat = list(chain.from_iterable(rows))
    if set(map(type, flat)) <= {int, float}:  # the usual case, checked at C speed
        try:
            if math.isfinite(sum(flat)) and -largest <= min(flat) and max(flat) <= largest:
                return len(rows), width, flat
        except OverflowError:  # a whole number beyond the float range: find it below
            pass
    for k, v in enumerate(flat):
        where = f"the {what}'s row {k // width + 1}, column {k % width + 1}"
        if v is None or v == "":
            raise ValueError(f"{where} is empty: type a number")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{where} is not a number: {v!r} (the {what} must hold numbers)")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{where} is not finite (NaN or infinity): {v!r}")
        limit = min(largest, sys.float_info.max)
        if not -limit <= v <= limit:  # also a whole number beyond the float range
            raise ValueError(f"{where} is too large: type a number between -{limit:g} and {limit:g}")
    return len(rows), width, flat


def finite(values: Sequence[float]) -> bool:
    """Whether every value is finite, at C speed: NaN or infinity make the sum non-finite (so may a sum
    that overflows; only then is each value looked at).

    >>> finite([1.0, 2.0]), finite([1.0, float("nan")]), finite([1e308, 1e308])
    (True, False, True)
    """
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def plain(v: Any) -> Any:
    """numpy scalars -> Python scalars (labels may come from numpy arrays); anything else as it is."""
    item = getattr(v, "item", None)
    return item() if callable(item) and not isinstance(v, (str, bytes)) else v


# ------------------------------------------------------------------------ declared constraints


def is_finite(v: object) -> bool:
    """A finite number (not True/False)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def is_positive(v: object) -> bool:
    """A finite number > 0."""
    return is_finite(v) and v > 0  # type: ignore[operator]


def is_label(v: object) -> bool:
    """A class label: a whole number, a finite number or a string."""
    return isinstance(v, (int, str)) or isinstance(v, float) and math.isfinite(v)


def is_whole(v: object) -> bool:
    """An ``int`` (not True/False)."""
    return isinstance(v, int) and not isinstance(v, bool)


class Constraint(NamedTuple):
    """What one parameter may be: a test, and its description for the message."""

    test: Callable[[Any], bool]
    what: str


def validate(constraints: Mapping[str, Constraint], values: Mapping[str, Any], where: str = "") -> None:
    """Check each named value against its declared constraint (as scikit-learn's ``_parameter_constraints``).

    >>> rules = {"C": Constraint(is_positive, "a positive number")}
    >>> validate(rules, {"C": 0}, "bad model header: ")
    Traceback (most recent call last):
    ...
    ValueError: bad model header: C must be a positive number; got 0
    """
    for name, (test, what) in constraints.items():
        value = values.get(name)
        if not test(value):
            raise ValueError(f"{where}{name} must be {what}; got {value!r}")
