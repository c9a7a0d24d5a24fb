"""Histograms of Oriented Gradients (HOG), standard library only.

Dalal, N. and Triggs, B. (2005), "Histograms of Oriented Gradients for Human Detection",
IEEE Conference on Computer Vision and Pattern Recognition (CVPR), pp. 886-893.

The recipe, as the talk tells it:

1. **Gradients**: for every pixel, how fast the brightness changes to the right (gx) and
   downwards (gy), from its neighbours: ``gx = right − left``, ``gy = down − up``;
   magnitude ``√(gx² + gy²)``, direction ``atan2(gy, gx)`` folded into [0°, 180°)
   ("unsigned" gradients: a dark-to-light edge and a light-to-dark edge look alike).
   This is scikit-image's convention: the change from dark (low values) to light (high values)
   is positive and y grows downwards, as the row index does (its gradient along the row axis is
   ``image[r + 1, c] − image[r − 1, c]``, i.e. ``down − up``), so on screen the angle turns
   clockwise from the x axis.
2. **Cell histograms**: the image is cut into cells (8 × 8 pixels: 64 gradient vectors)
   and each cell's gradients vote, with their magnitude, into 9 orientation bins of 20°.
3. **Block normalisation**: overlapping blocks of 2 × 2 cells are normalised together
   (L1, L1-sqrt, L2 or L2-Hys), which makes the descriptor robust to lighting.
4. **Feature vector**: all normalised blocks, one after the other.

This module reproduces ``skimage.feature.hog`` (scikit-image 0.26) value for value, down
to its details: gradients are central differences with zeros on the border rows and
columns; a pixel votes for exactly one bin ``i`` with ``180/n·i ≤ angle < 180/n·(i+1)``
(no interpolation between bins or cells); each cell's sums are accumulated in single
precision (a C ``float``) in row-major order and divided by the number of pixels in the
cell; pixels right or below the last whole cell are ignored. The defaults follow Dalal and
Triggs (blocks of 2 × 2 cells, L2-Hys), while scikit-image's default block is 3 × 3.

Exactness: with float64 input the features agree with scikit-image to about 1e-16. The one
exception is a pixel whose angle lies within a unit in the last place of a bin edge: there
the last bit of ``atan2`` decides the bin, and numpy's vectorised ``arctan2`` (SIMD code on
AVX-512 machines) and the C library's ``atan2`` (glibc in CPython, musl in Pyodide) may round
differently. It happens when gx and gy are equal "on paper" but not in floating point
(8-bit images, 45° edges when the orientation count is a multiple of 4); the pixel's vote
then lands in the neighbouring bin.

Speed comes from doing the per-pixel work with ``map``/``zip``/slicing over flat lists and
C-level functions (``math.hypot``, ``math.atan2``, ``bisect``), and from geometry tables
cached per image size.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import add, mod, sub, truediv
from typing import NamedTuple, Union

from pyodemo.checks import counting, counting_pair, finite, one_of
from pyodemo.image import Image, flatten_rows
from pyodemo.vector import dot

__all__ = [
    "BLOCK_NORMS",
    "Gradient",
    "Gradients",
    "gradient_at",
    "gradients",
    "cell_histograms",
    "hog",
    "hog_and_cells",
    "feature_length",
]

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
#: the small constant of the block norms (as in scikit-image)
EPS = 1e-5

ImageLike = Union[Image, Sequence[Sequence[float]]]

class Gradient(NamedTuple):
    """The gradient at one pixel: components, magnitude and unsigned angle in degrees."""

    gx: float
    gy: float
    magnitude: float
    angle: float


def _angle(gx: float, gy: float) -> float:
    """Unsigned orientation in degrees, exactly as scikit-image: ``rad2deg(arctan2(gy, gx)) % 180``."""
    return math.degrees(math.atan2(gy, gx)) % 180


def gradient_at(up: float, left: float, right: float, down: float) -> Gradient:
    """The gradient of a pixel from its four neighbours (the slide's worked example).

    ``gx = right − left``, ``gy = down − up`` (scikit-image's convention, see the module's step 1);
    the angle ``atan2(gy, gx)`` in degrees, folded into [0, 180). The slide's pixel: magnitude
    √(80² + 60²) = 100, angle tan⁻¹(60/80) = 36.8699° (the slide rounds it down to 36.86°).

    >>> g = gradient_at(up=50, left=20, right=100, down=110)
    >>> g.gx, g.gy, g.magnitude, round(g.angle, 2)
    (80, 60, 100.0, 36.87)
    """
    gx = right - left
    gy = down - up
    return Gradient(gx, gy, math.hypot(gx, gy), _angle(gx, gy))


# ------------------------------------------------------------------------ input


def _channels_of(image: ImageLike, transform_sqrt: bool) -> tuple[int, int, list[list[float]]]:
    """``(height, width, [flat channel, ...])`` from an Image or rows of floats."""
    if isinstance(image, Image):
        h, w, ch = image.height, image.width, image.channels
        p = image.pixels
        chans = [p] if ch == 1 else [p[c::ch] for c in range(ch)]
        if not finite(p):
            raise ValueError("the image has NaN or infinite pixel values")
    else:
        h, w, flat = flatten_rows(image)
        chans = [flat]
    if transform_sqrt:
        if any(min(c) < 0 for c in chans):
            raise ValueError("transform_sqrt needs pixel values ≥ 0 (square root of a negative value)")
        chans = [list(map(math.sqrt, c)) for c in chans]
    return h, w, chans


def _channel_gradients(p: list[float], w: int, h: int) -> tuple[list[float], list[float]]:
    """Central differences (gx along columns, gy along rows), zero on the border."""
    n = w * h
    gx = [0.0] * n
    gy = [0.0] * n
    if w > 2:
        gx[1 : n - 1] = map(sub, p[2:], p[: n - 2])
        zeros = [0.0] * h
        gx[0::w] = zeros  # first column, and the wrap-around values of the flat difference
        gx[w - 1 :: w] = zeros  # last column
    if h > 2:
        gy[w : n - w] = map(sub, p[2 * w :], p[: n - 2 * w])
    return gx, gy


def _dominant(chans: list[list[float]], w: int, h: int) -> tuple[list[float], list[float], list[float]]:
    """gx, gy, magnitude per pixel; for colour, the channel with the largest magnitude.

    As scikit-image with ``channel_axis=-1``: ``argmax`` over the channel magnitudes, the
    first channel winning ties.
    """
    grads = [_channel_gradients(c, w, h) for c in chans]
    mags = [list(map(math.hypot, gx, gy)) for gx, gy in grads]
    if len(chans) == 1:
        return grads[0][0], grads[0][1], mags[0]
    if len(chans) != 3:
        raise ValueError("colour HOG needs 3 channels")
    (x0, y0), (x1, y1), (x2, y2) = grads
    m0, m1, m2 = mags
    # index 0, 1 or 2 of the first channel with the largest magnitude
    pick = [
        0 if (a >= b and a >= c) else (1 if b >= c else 2) for a, b, c in zip(m0, m1, m2)
    ]
    gx = [(p, q, r)[k] for k, p, q, r in zip(pick, x0, x1, x2)]
    gy = [(p, q, r)[k] for k, p, q, r in zip(pick, y0, y1, y2)]
    mag = [(p, q, r)[k] for k, p, q, r in zip(pick, m0, m1, m2)]
    return gx, gy, mag


class Gradients(NamedTuple):
    """Per-pixel gradients of an image, flat lists in row-major order (``index = y·width + x``)."""

    width: int
    height: int
    gx: list[float]
    gy: list[float]
    magnitude: list[float]
    angle: list[float]

    def at(self, x: int, y: int) -> Gradient:
        """The gradient at column ``x``, row ``y``."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ValueError(f"pixel ({x}, {y}) is outside the {self.width} × {self.height} image")
        i = y * self.width + x
        return Gradient(self.gx[i], self.gy[i], self.magnitude[i], self.angle[i])


def gradients(image: ImageLike, transform_sqrt: bool = False) -> Gradients:
    """Per-pixel gx, gy, magnitude and unsigned angle in degrees, as HOG sees them.

    Central differences ``gx = right − left``, ``gy = down − up`` (see :func:`gradient_at`),
    0 on the border rows/columns, angle ``atan2(gy, gx)`` in degrees modulo 180, so in
    [0, 180) (floating-point rounding can give exactly 180.0 for a tiny negative angle; such
    a pixel falls in no histogram bin, as in scikit-image). For an RGB image each pixel
    takes the channel with the largest gradient magnitude (Dalal & Triggs 2005, §6.2).

    >>> g = gradients([[0, 50, 0], [20, 0, 100], [0, 110, 0]])
    >>> g.at(1, 1).gx, g.at(1, 1).gy, g.at(1, 1).magnitude
    (80.0, 60.0, 100.0)
    """
    h, w, chans = _channels_of(image, transform_sqrt)
    gx, gy, mag = _dominant(chans, w, h)
    angle = list(_angles(gx, gy))
    return Gradients(w, h, gx, gy, mag, angle)


def _angles(gx: list[float], gy: list[float]) -> Iterable[float]:
    """``degrees(atan2(gy, gx)) % 180`` for every pixel, lazily (numpy's ``%`` is Python's)."""
    return map(mod, map(math.degrees, map(math.atan2, gy, gx)), repeat(180.0))


# ------------------------------------------------------------------------ histograms


@lru_cache(maxsize=32)
def _upper_edges(orientations: int) -> list[float]:
    """Upper bin edges ``180/n·(i+1)`` computed as scikit-image does (in double precision).

    ``bisect_right(edges, angle)`` is then the bin of ``angle``; ``n`` means "no bin"
    (an angle at or above the last edge).
    """
    per = 180.0 / orientations
    return [per * (i + 1) for i in range(orientations)]


@lru_cache(maxsize=32)
def _cell_slots(h: int, w: int, c_row: int, c_col: int, orientations: int) -> list[int]:
    """For each pixel, the first histogram slot of its cell (``n + 1`` slots per cell).

    Each cell gets one extra slot for angles that fall in no bin; pixels outside the whole
    cells go to an extra trash cell after the last one.
    """
    n_rows, n_cols = h // c_row, w // c_col
    stride = orientations + 1
    trash = n_rows * n_cols * stride
    slots = [trash] * (w * h)
    for y in range(n_rows * c_row):
        row_base = (y // c_row) * n_cols
        line = [(row_base + x // c_col) * stride for x in range(n_cols * c_col)]
        slots[y * w : y * w + len(line)] = line
    return slots


def _histograms(
    h: int,
    w: int,
    gx: list[float],
    gy: list[float],
    mag: list[float],
    orientations: int,
    c_row: int,
    c_col: int,
) -> list[float]:
    """Flat cell histograms (cell row, cell column, bin), as scikit-image's ``hog_histograms``."""
    n_cells = (h // c_row) * (w // c_col)
    stride = orientations + 1
    edges = _upper_edges(orientations)
    angles = _angles(gx, gy)
    bins = map(bisect_right, repeat(edges), angles)
    keys = map(add, _cell_slots(h, w, c_row, c_col, orientations), bins)
    # scikit-image adds up each cell in a C float, row by row; array("f") rounds every partial
    # sum to single precision the same way, and the flat pixel order keeps that order per cell
    sums = array("f", bytes(4 * (n_cells + 1) * stride))
    for k, m in zip(compress(keys, mag), filter(None, mag)):  # zero magnitudes add nothing
        sums[k] += m
    per_cell = c_row * c_col
    hist = array("f", map(truediv, sums, repeat(per_cell))).tolist()  # float division, float result
    del hist[orientations::stride]  # the "no bin" slots
    del hist[n_cells * orientations :]  # the trash cell
    if not math.isfinite(sum(hist)):  # a few hundred sums of single-precision values: finite unless one overflowed
        raise ValueError(
            "the pixel values are too large for HOG: a cell's gradient votes overflow single precision "
            "(about 3.4e38, as in scikit-image); use pixel values in 0..1 or 0..255"
        )
    return hist


def _validated(
    image: ImageLike, orientations: int, pixels_per_cell: Sequence[int], transform_sqrt: bool
) -> tuple[int, int, list[float], list[float], list[float], int, int]:
    orientations = counting(orientations, "orientations")
    c_row, c_col = counting_pair(pixels_per_cell, "pixels_per_cell")
    h, w, chans = _channels_of(image, transform_sqrt)
    gx, gy, mag = _dominant(chans, w, h)
    return h, w, gx, gy, mag, c_row, c_col


def cell_histograms(
    image: ImageLike,
    orientations: int = 9,
    pixels_per_cell: tuple[int, int] = (8, 8),
    transform_sqrt: bool = False,
) -> list[list[list[float]]]:
    """Orientation histograms per cell, ``[cell_row][cell_col][bin]``, before block normalisation.

    Each pixel of a cell votes its gradient magnitude into the bin of its angle ("64
    vectors into 9 bins" for 8 × 8 cells and 9 bins of 20°); the sums are divided by the
    number of pixels in a cell, as in scikit-image. Pixels beyond the last whole cell
    (right or bottom) are ignored; an image smaller than one cell has none (``[]``).
    Dalal & Triggs (2005), §6.3.

    >>> rows = [[0, 0, 1, 1]] * 4                     # a vertical edge: gx > 0, gy = 0
    >>> cell_histograms(rows, orientations=4, pixels_per_cell=(4, 4))
    [[[0.5, 0.0, 0.0, 0.0]]]
    """
    h, w, gx, gy, mag, c_row, c_col = _validated(image, orientations, pixels_per_cell, transform_sqrt)
    return _cells(_histograms(h, w, gx, gy, mag, orientations, c_row, c_col), h // c_row, w // c_col, orientations)


def _cells(flat: list[float], n_rows: int, n_cols: int, n: int) -> list[list[list[float]]]:
    """Flat histograms (cell row, cell column, bin) as ``[row][col][bin]``."""
    return [[flat[(r * n_cols + c) * n : (r * n_cols + c + 1) * n] for c in range(n_cols)] for r in range(n_rows)]


# ------------------------------------------------------------------------ blocks


def _grid(h: int, w: int, c_row: int, c_col: int, b_row: int, b_col: int) -> tuple[int, int, int, int]:
    n_rows, n_cols = h // c_row, w // c_col
    nb_rows, nb_cols = n_rows - b_row + 1, n_cols - b_col + 1
    if nb_rows <= 0 or nb_cols <= 0:
        raise ValueError(
            f"the image ({w} × {h} pixels) is too small for cells of {c_row} × {c_col} pixels "
            f"in blocks of {b_row} × {b_col} cells: it needs at least {b_row * c_row} rows "
            f"and {b_col * c_col} columns"
        )
    return n_rows, n_cols, nb_rows, nb_cols


def feature_length(
    height: int,
    width: int,
    orientations: int = 9,
    pixels_per_cell: tuple[int, int] = (8, 8),
    cells_per_block: tuple[int, int] = (2, 2),
) -> int:
    """Length of the HOG feature vector of a ``height`` × ``width`` image.

    >>> feature_length(64, 64)          # 7 × 7 blocks × 2 × 2 cells × 9 bins
    1764
    """
    orientations = counting(orientations, "orientations")
    c_row, c_col = counting_pair(pixels_per_cell, "pixels_per_cell")
    b_row, b_col = counting_pair(cells_per_block, "cells_per_block")
    h, w = counting_pair((height, width), "(height, width)")
    _, _, nb_rows, nb_cols = _grid(h, w, c_row, c_col, b_row, b_col)
    return nb_rows * nb_cols * b_row * b_col * orientations


def _normalise(blocks: list[list[float]], method: str) -> list[float]:
    """Normalise every block (Dalal & Triggs 2005, §6.4) and concatenate them, as scikit-image.

    L1: v / (‖v‖₁ + ε); L1-sqrt: √(v / (‖v‖₁ + ε)); L2: v / √(‖v‖₂² + ε²);
    L2-Hys: L2, then clip at 0.2, then L2 again (as in Lowe's SIFT). ε = 1e-5.
    One norm per block, then one ``map`` over the whole feature vector.
    """
    size = len(blocks[0])
    flat = list(chain.from_iterable(blocks))

    def spread(norms: Iterable[float]) -> Iterable[float]:  # each block's norm, once per value
        return chain.from_iterable(map(repeat, norms, repeat(size)))

    if method in ("L2", "L2-Hys"):
        norms = [math.sqrt(dot(b, b) + EPS**2) for b in blocks]
        out = list(map(truediv, flat, spread(norms)))
        if method == "L2":
            return out
        out = list(map(min, out, repeat(0.2)))
        parts = [out[i : i + size] for i in range(0, len(out), size)]
        norms = [math.sqrt(dot(b, b) + EPS**2) for b in parts]
        return list(map(truediv, out, spread(norms)))
    if method in ("L1", "L1-sqrt"):
        norms = [sum(map(abs, b)) + EPS for b in blocks]
        out = list(map(truediv, flat, spread(norms)))
        return out if method == "L1" else list(map(math.sqrt, out))
    raise ValueError(f"block_norm must be one of {', '.join(BLOCK_NORMS)}; got {method!r}")


def hog(
    image: ImageLike,
    orientations: int = 9,
    pixels_per_cell: tuple[int, int] = (8, 8),
    cells_per_block: tuple[int, int] = (2, 2),
    block_norm: str = "L2-Hys",
    transform_sqrt: bool = False,
) -> list[float]:
    """The HOG feature vector (Dalal & Triggs 2005), equal to ``skimage.feature.hog``.

    ``image`` is an :class:`~pyodemo.image.Image` (gray; or RGB, handled like scikit-image's
    ``channel_axis=-1``: per pixel the channel with the largest gradient) or a sequence of
    rows of floats (gray). Returns a flat list of floats like scikit-image's
    ``feature_vector=True``: for every block (row-major), its cells (row-major), their
    bins. ``transform_sqrt`` takes the square root of every pixel first (gamma
    compression). Images too small for one block raise ``ValueError``, as in scikit-image; so do
    NaN, infinity and values so large that a cell's votes overflow (scikit-image would answer NaN).

    >>> len(hog([[0.0] * 16] * 16))
    36
    >>> hog([[0.0] * 16] * 16) == [0.0] * 36          # no gradients, no features
    True
    """
    return hog_and_cells(image, orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt)[0]


def hog_and_cells(
    image: ImageLike,
    orientations: int = 9,
    pixels_per_cell: tuple[int, int] = (8, 8),
    cells_per_block: tuple[int, int] = (2, 2),
    block_norm: str = "L2-Hys",
    transform_sqrt: bool = False,
) -> tuple[list[float], list[list[list[float]]]]:
    """:func:`hog` and the cell histograms it normalised (as :func:`cell_histograms` gives them), computed once.

    >>> features, cells = hog_and_cells([[0, 0, 1, 1]] * 4, 4, (4, 4), (1, 1))
    >>> cells, [round(v, 3) for v in features]
    ([[[0.5, 0.0, 0.0, 0.0]]], [1.0, 0.0, 0.0, 0.0])
    """
    one_of(block_norm, "block_norm", BLOCK_NORMS)
    b_row, b_col = counting_pair(cells_per_block, "cells_per_block")
    h, w, gx, gy, mag, c_row, c_col = _validated(image, orientations, pixels_per_cell, transform_sqrt)
    n_rows, n_cols, nb_rows, nb_cols = _grid(h, w, c_row, c_col, b_row, b_col)
    cells = _cells(_histograms(h, w, gx, gy, mag, orientations, c_row, c_col), n_rows, n_cols, orientations)
    # block (r, c): the b_row × b_col cells from cell (r, c) on, row by row, one after the other
    blocks = [list(chain.from_iterable(cells[r + i][c + j] for i in range(b_row) for j in range(b_col)))
              for r in range(nb_rows) for c in range(nb_cols)]
    return _normalise(blocks, block_norm), cells
