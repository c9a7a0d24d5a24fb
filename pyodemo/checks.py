"""Checks on what a widget sends: settings must be numbers of the right kind, or a plain ValueError says which."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

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


def recall(kept: Mapping[int, T], token: object, what: str, again: str) -> T:
    """What a widget's earlier call left under ``token``, or a ValueError telling the person what to do.

    Tokens are the whole numbers pyodemo handed out; anything else (text, a list, ``true``) is a
    token of nothing, with the same message as one that was dropped.

    >>> recall({1: "a picture"}, 1, "image", "pick it again")
    'a picture'
    >>> recall({1: "a picture"}, [1], "image", "pick it again")
    Traceback (most recent call last):
    ...
    ValueError: That image is no longer loaded; pick it again.
    """
    if isinstance(token, bool) or not isinstance(token, int) or token not in kept:
        raise ValueError(f"That {what} is no longer loaded; {again}.")
    return kept[token]
