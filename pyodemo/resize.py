"""Resizing with Pillow's box filter (``Image.Resampling.BOX``), standard library only.

Each output pixel is the mean of the input pixels whose centres fall in its footprint: an
anti-aliased shrink, and pixel repetition when enlarging. The filter is separable, so the image is
resized one axis at a time (:func:`separable`); a shrink by whole factors, the common case in the
browser (a 256 × 256 crop to 64 × 64), is the mean of each block, computed directly and faster
(:func:`block_means`). :meth:`pyodemo.image.Image.resize` chooses between the two.

>>> separable([0.0, 1.0, 0.0, 1.0,  1.0, 1.0, 0.0, 0.0], 4, 2, 2, 1, 1)
[0.75, 0.25]
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from operator import add, mul

__all__ = ["box_taps", "separable", "block_means", "BLOCK_MEAN_MIN_WIDTH"]


def box_taps(in_size: int, out_size: int) -> list[tuple[int, int, float]]:
    """Pillow's BOX resampling weights along one axis, as ``(start, stop, weight)`` runs.

    This mirrors ``precompute_coeffs`` in Pillow's ``libImaging/Resample.c`` with the BOX
    filter (support 0.5, ``-0.5 < x <= 0.5``): output pixel ``i`` covers the input interval
    ``[i * scale, (i + 1) * scale)`` and every input pixel whose centre falls in it counts
    with the same weight. For integer ratios this is exact area averaging; for other
    ratios a pixel counts whole or not at all, as in Pillow. Upscaling repeats pixels.
    """
    scale = in_size / out_size
    filterscale = scale if scale > 1.0 else 1.0
    support = 0.5 * filterscale
    ss = 1.0 / filterscale
    taps = []
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = int(center - support + 0.5)
        xmin = xmin if xmin > 0 else 0
        xmax = int(center + support + 0.5)
        xmax = xmax if xmax < in_size else in_size
        used = [x for x in range(xmin, xmax) if -0.5 < (x - center + 0.5) * ss <= 0.5]
        if used:
            taps.append((used[0], used[-1] + 1, 1.0 / len(used)))
        else:  # Pillow leaves such an output at 0 (does not happen for the box filter)
            taps.append((0, 0, 0.0))
    return taps


def _added(lines: Sequence[Iterable[float]]) -> Iterable[float]:
    """``((lines[0] + lines[1]) + lines[2]) + ...`` element-wise, from left to right, in C-level loops.

    Not the builtin ``sum``: from Python 3.12 on, ``sum`` of floats compensates its rounding
    (Neumaier), 3.11's does not, so the last bit would depend on the Python version (CPython 3.11
    for training and ``python -m export predict``, Pyodide's 3.14 in the browser). A value on a
    colour histogram's bin edge (a flat area of 51/255 = 0.2 with 10 bins) then lands in another
    bin. Plain additions in a fixed order give the same bits everywhere, in Pillow's order.
    """
    acc = lines[0]
    for line in lines[1:]:
        acc = map(add, acc, line)
    return acc


def _combine_lines(lines: Sequence[Sequence[float]], start: int, stop: int, step: int, k: float) -> list[float]:
    """k * (lines[start] + lines[start + step] + ... ) element-wise, in C-level loops (:func:`_added`)."""
    picked = lines[start:stop:step]
    if not picked:
        return [0.0] * len(lines[0])
    acc = _added(picked)
    if k == 1.0:
        return list(acc)
    return list(map(mul, acc, repeat(k)))


def _resize_rows(flat: list[float], line: int, taps: list[tuple[int, int, float]]) -> list[float]:
    """Vertical pass: each output row is a box average of whole input rows."""
    rows = [flat[i : i + line] for i in range(0, len(flat), line)]
    return list(chain.from_iterable(_combine_lines(rows, a, b, 1, k) for a, b, k in taps))


def _resize_columns(flat: list[float], width: int, ch: int, taps: list[tuple[int, int, float]]) -> list[float]:
    """Horizontal pass: the same on columns, cut out of the flat list by strided slices."""
    stride = width * ch
    out_stride = len(taps) * ch
    columns = [flat[j::stride] for j in range(stride)]
    out = [0.0] * (out_stride * (len(flat) // stride))
    for xx, (a, b, k) in enumerate(taps):
        for c in range(ch):
            out[xx * ch + c :: out_stride] = _combine_lines(columns, a * ch + c, b * ch + c, ch, k)
    return out


#: The block-mean fast path pays one slice per tap and output row; from this output width on, that
#: costs little next to the additions (measured in CPython: narrower outputs are faster separably).
BLOCK_MEAN_MIN_WIDTH = 32


def block_means(flat: list[float], w: int, h: int, fx: int, fy: int, ch: int,
                 channels: Sequence[int] | None = None) -> list[float]:
    """Shrink by whole factors ``fx`` × ``fy``: each output pixel is the plain mean of its block.

    Why a fast path: in the browser every photo is cropped and shrunk to 64 × 64 before HOG, and
    a crop whose side is a multiple of 64 (256 → 64 is the common case) is this. The result is the
    general formula's: for a whole ratio ``f`` Pillow's BOX filter (:func:`box_taps`) gives output
    ``i`` exactly the input pixels ``[i·f, (i + 1)·f)``, each with weight ``1/f``, so the separable
    passes compute the mean of an ``fx`` × ``fy`` block. Here that mean is the sum of the block's
    ``fx · fy`` values per output pixel and channel (:func:`_added` over strided slices, one slice per
    pixel ``(i, j)`` of the block and output row), times ``1/(fx·fy)``: no intermediate rows of
    floats, about 2.5 times faster for 256 → 64. Only the order of the additions differs from the
    separable passes, so the two agree to within float rounding (a few units in the last place).

    ``channels`` (default: all) names the channels to average; the others stay 0.0.

    >>> block_means([1.0, 2.0, 3.0, 4.0,  5.0, 6.0, 7.0, 8.0], 4, 2, 2, 2, 1)
    [3.5, 5.5]
    """
    line = w * ch  # values per input row
    new_w, new_h = w // fx, h // fy
    out_line = new_w * ch
    step = fx * ch  # from one block to the next along a row
    scale = 1.0 / (fx * fy)
    # pixel (i, j) of every block along one block row: in row i of the block, from pixel j, every fx-th pixel
    spans = [(i * line + j * ch, (i + 1) * line) for i in range(fy) for j in range(fx)]
    out = [0.0] * (out_line * new_h)
    if isinstance(flat, (bytes, bytearray, memoryview)):  # an opaque photo's bytes (Image.from_rgba_resized)
        for r, sums in enumerate(_byte_block_sums(flat, w, h, fx, fy, ch)):
            for c in range(ch) if channels is None else channels:
                out[r * out_line + c : (r + 1) * out_line : ch] = [v * scale for v in sums[c::step]]
        return out
    for r in range(new_h):
        for c in range(ch) if channels is None else channels:
            base = r * fy * line + c
            block_values = [flat[base + start : base + stop : step] for start, stop in spans]
            out[r * out_line + c : (r + 1) * out_line : ch] = map(mul, _added(block_values), repeat(scale))
    return out


def _byte_block_sums(data: bytes, w: int, h: int, fx: int, fy: int, ch: int) -> Iterator[array]:
    """Per row of blocks, the sums of ``fx`` × ``fy`` blocks of bytes (speed: the browser's every photo).

    Integer sums are exact in any order, so they are taken on whole rows at once: each row of
    bytes becomes one big integer with a 32-bit lane per value (room for 16 million bytes a block),
    and adding integers adds every lane at once (SIMD within a register): ``fy`` rows are added,
    then ``fx`` neighbours along the row (the same integer shifted by a pixel). Lane ``x`` then holds
    the sum of the block that starts at value ``x``; the blocks start every ``fx · ch`` values.

    >>> [list(s[::2]) for s in _byte_block_sums(bytes([1, 2, 3, 4,  5, 6, 7, 8]), 4, 2, 2, 2, 1)]
    [[14, 22]]
    """
    line = w * ch
    wide = bytearray(4 * len(data))
    wide[0::4] = data  # little-endian 32-bit lanes
    rows = [int.from_bytes(wide[4 * line * y : 4 * line * (y + 1)], "little") for y in range(h)]
    for r in range(h // fy):
        total = sum(rows[r * fy : (r + 1) * fy])
        total = sum(total >> (32 * ch * j) for j in range(fx))
        lanes = array("I", total.to_bytes(4 * line, "little"))  # "I": 4 bytes wherever Python runs
        if sys.byteorder == "big":
            lanes.byteswap()
        yield lanes


def separable(flat: list[float], w: int, h: int, new_w: int, new_h: int, ch: int) -> list[float]:
    """Box resize, one pass per axis (:func:`box_taps`), the cheaper axis order first."""
    tx, ty = max(w / new_w, 1.0), max(h / new_h, 1.0)
    # rough count of values touched by each order (pass cost + slicing the columns)
    cost_h_first = h * w * ch + h * new_w * ch * tx + new_h * new_w * ch * ty
    cost_v_first = new_h * w * ch * ty + new_h * w * ch + new_h * new_w * ch * tx
    x_taps = box_taps(w, new_w) if new_w != w else None
    y_taps = box_taps(h, new_h) if new_h != h else None
    if cost_v_first < cost_h_first:
        if y_taps:
            flat = _resize_rows(flat, w * ch, y_taps)
        if x_taps:
            flat = _resize_columns(flat, w, ch, x_taps)
    else:
        if x_taps:
            flat = _resize_columns(flat, w, ch, x_taps)
        if y_taps:
            flat = _resize_rows(flat, new_w * ch, y_taps)
    return flat
