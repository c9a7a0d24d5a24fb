"""The pixels HOG+SVM gets from a picture: the mirror of the browser's ``slides/js/svm-input.js``.

A phone cannot hand a 6000 × 4000 photo to the Python worker, so for a big picture the browser
first shrinks the crop square by an **exact integer box reduction**, and this module does the same
for ``python -m export predict`` and ``python -m export report``, so that both hand identical bytes
to `pyodemo.classify` (which then resizes them to the model's input with its own box filter).

For a picture of ``W`` × ``H`` pixels (upright, straight-alpha RGBA) and a crop square
``[x, y, s]`` in its pixels:

* ``W · H ≤ SEND_MAX`` (512²): the whole picture and the box go to Python unchanged;
* otherwise ``k = ⌈s / SEND_SIDE⌉`` (SEND_SIDE = 256) and ``m = ⌊s / k⌋``: the square
  ``[x, x + m·k) × [y, y + m·k)`` (the last ``s − m·k < k`` columns and rows of the crop are
  left out) is cut into m × m blocks of k × k pixels, and each block becomes one pixel. Pixels of
  the square outside the picture count as transparent (alpha 0), which `pyodemo.classify.prepare`
  treats as background, as it treats the outside of any crop. With ``A = Σ a`` and
  ``C = Σ c · a`` over the block's k² pixels (c one of r, g, b; a the alpha, 0..255):

      alpha = ⌊(2A + k²) / (2k²)⌋           (A / k² rounded half up)
      c     = ⌊(2C + A) / (2A)⌋  if A > 0   (the alpha-weighted mean, rounded half up), else 0

  Integers only, so JavaScript and numpy give the same bytes; Python gets the m × m picture
  (m ≤ 256) with the box ``[0, 0, m]``. A fully opaque block is simply its pixels' mean.

>>> reduce_crop(bytes([10, 20, 30, 255, 11, 20, 30, 255, 13, 20, 30, 255, 13, 21, 30, 255]), 2, 2, [0, 0, 2], 2)
b'\\x0c\\x14\\x1e\\xff'
>>> reduce_crop(bytes([200, 0, 0, 255]) * 4, 2, 2, [-1, 0, 2], 2)   # half the block outside the picture
b'\\xc8\\x00\\x00\\x80'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Pictures up to this many pixels go to Python whole (slides/js/svm-input.js: SEND_MAX).
SEND_MAX = 512 * 512
#: A larger picture's crop square is reduced to at most this many pixels a side (SEND_SIDE).
SEND_SIDE = 256


def block_size(side: int) -> int:
    """``k = ⌈side / SEND_SIDE⌉``: the block a big picture's crop square is averaged over.

    >>> block_size(256), block_size(257), block_size(4000)
    (1, 2, 16)
    """
    return max(1, math.ceil(side / SEND_SIDE))


def reduce_crop(rgba: bytes, width: int, height: int, box: Sequence[int], k: int) -> bytes:
    """The crop square ``box`` of a picture, k × k blocks averaged into pixels: m × m RGBA bytes, m = ⌊s / k⌋.

    The module docstring gives the formula; outside the picture is transparent.
    """
    x, y, s = (int(v) for v in box)
    m = s // k
    if m < 1:
        raise ValueError(f"a crop square of {s} px cannot be cut into {k} × {k} blocks")
    picture = np.frombuffer(rgba, np.uint8).reshape(height, width, 4)
    span = m * k
    x0, x1 = max(x, 0), min(x + span, width)
    out = np.zeros((m, m, 4), np.uint8)
    if x1 <= x0:
        return out.tobytes()
    for row in range(m):  # one band of k picture rows at a time: memory stays small for any picture
        y0, y1 = max(y + row * k, 0), min(y + (row + 1) * k, height)
        if y1 <= y0:
            continue
        band = np.zeros((k, span, 4), np.int64)  # outside the picture: alpha 0
        band[y0 - (y + row * k) : y1 - (y + row * k), x0 - x : x1 - x] = picture[y0:y1, x0:x1]
        a = band[..., 3]
        weighted = band[..., :3] * a[..., None]
        sums = np.concatenate([weighted, a[..., None]], axis=-1).reshape(k, m, k, 4).sum(axis=(0, 2))
        alpha_sum = sums[:, 3]
        safe = np.maximum(alpha_sum, 1)[:, None]
        colour = np.where(alpha_sum[:, None] > 0, (2 * sums[:, :3] + safe) // (2 * safe), 0)
        out[row, :, :3] = colour
        out[row, :, 3] = (2 * alpha_sum + k * k) // (2 * k * k)
    return out.tobytes()


def svm_input(rgba: bytes, width: int, height: int, box: Sequence[int]) -> tuple[bytes, int, int, list[int], int]:
    """What the browser hands `pyodemo.web.classifier.predict` for a picture and its crop square.

    Returns ``(rgba, width, height, box, k)``: the picture and ``box`` unchanged (k = 1) when
    ``width · height ≤ SEND_MAX``, else the crop's m × m block reduction, ``[0, 0, m]`` and its k.

    >>> svm_input(bytes(4 * 600 * 500), 600, 500, [50, 0, 500])[1:]
    (250, 250, [0, 0, 250], 2)
    >>> svm_input(bytes(4 * 100 * 100), 100, 100, [0, 0, 100])[1:]
    (100, 100, [0, 0, 100], 1)
    """
    box = [int(v) for v in box]
    if width * height <= SEND_MAX:
        return rgba, width, height, box, 1
    k = block_size(box[2])
    m = box[2] // k
    return reduce_crop(rgba, width, height, box, k), m, m, [0, 0, m], k
