"""Checks on what a widget sends: settings must be numbers of the right kind, or a plain ValueError says which."""

from __future__ import annotations


def whole(value: object, name: str, low: int, high: int) -> int:
    """A whole number in [low, high] (``3.0`` counts as 3), or a ValueError naming the setting.

    >>> whole(9.0, "orientations", 1, 18)
    9
    >>> whole(True, "orientations", 1, 18)
    Traceback (most recent call last):
    ...
    ValueError: orientations must be a whole number, got True
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value
