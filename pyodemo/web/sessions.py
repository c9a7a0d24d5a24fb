"""What a widget's earlier call left for its later ones: the one token store of every widget.

A widget hands Python a picture (or a model file) once and gets a *token*, a whole number; later
calls name the token instead of sending the picture again. Each widget keeps its own few entries
(one or two per widget on a page; older ones are forgotten) and tokens are never reused, so a
token of one widget is a token of nothing for another. A token of nothing, of any type (text, a
list, ``true``), gives a message that tells the person what to do.

>>> pictures = Kept("image", "pick it again", keep=2)
>>> token = pictures.add("a picture")
>>> pictures.get(token)
'a picture'
>>> pictures.get([token])
Traceback (most recent call last):
...
ValueError: That image is no longer loaded; pick it again.
>>> pictures.drop(token), pictures.drop(token)
(True, False)
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import count
from typing import Generic, TypeVar

T = TypeVar("T")

_tokens = count(1)  # shared by every store: a token names one thing of one widget


class Kept(Generic[T]):
    """The newest ``keep`` values a widget handed over, by token."""

    def __init__(self, what: str, again: str, keep: int) -> None:
        self.what, self.again, self.keep = what, again, keep
        self._values: OrderedDict[int, T] = OrderedDict()

    def add(self, value: T) -> int:
        """Keep ``value`` under a new token (the oldest goes when there are more than ``keep``)."""
        token = next(_tokens)
        self._values[token] = value
        while len(self._values) > self.keep:
            self._values.popitem(last=False)
        return token

    def get(self, token: object) -> T:
        """What was kept under ``token``, or a ValueError saying it is gone and what to do."""
        if isinstance(token, bool) or not isinstance(token, int) or token not in self._values:
            raise ValueError(f"That {self.what} is no longer loaded; {self.again}.")
        return self._values[token]

    def drop(self, token: object) -> bool:
        """Forget ``token``; True if it was kept."""
        if isinstance(token, bool) or not isinstance(token, int):
            return False
        return self._values.pop(token, None) is not None
