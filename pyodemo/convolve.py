"""Convolution and ReLU, the first layer of a convolutional neural network, standard library only.

A convolutional layer slides a small kernel over the image; at every position it
multiplies the kernel with the pixels under it and adds the products. Like CNN libraries
(``torch.nn.functional.conv2d``) and the talk's slide, this is strictly a
*cross-correlation*: the kernel is not flipped (a mathematician's convolution would flip
it). The result then goes through ReLU, ``max(0, x)`` (LeCun, Bengio & Hinton 2015, "Deep
learning", Nature 521; Goodfellow, Bengio & Courville 2016, "Deep Learning", ch. 9).

The slide's example, a 5 × 5 image and a 3 × 3 kernel:

>>> image = [[1, 1, 1, 0, 0],
...          [0, 1, 1, 1, 0],
...          [0, 0, 1, 1, 1],
...          [0, 0, 1, 1, 0],
...          [0, 1, 1, 0, 0]]
>>> kernel = [[1, 0, 1],
...           [0, 1, 0],
...           [1, 0, 1]]
>>> convolve2d(image, kernel)[0][0]       # top-left: 1 + 1 + 1 + 1 = 4
4
>>> convolve2d(image, kernel)
[[4, 3, 4], [2, 4, 3], [2, 3, 4]]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import add, mul, neg, sub
from typing import Union

from pyodemo.checks import LARGEST, grid
from pyodemo.image import Image

__all__ = ["convolve2d", "relu", "apply_to_image", "PRESETS"]

Number = Union[int, float]
Kernel = Sequence[Sequence[Number]]

#: Named 3 × 3 kernels for the convolution widget (cross-correlation, y downwards).
PRESETS: dict[str, tuple[tuple[float, ...], ...]] = {
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    # the slide's kernel
    "slide": ((1, 0, 1), (0, 1, 0), (1, 0, 1)),
    # outline / Laplacian-like edge detector: strong where a pixel differs from its neighbours
    "edges": ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
    # Sobel: gx = right − left (vertical edges), gy = down − up (horizontal edges), as HOG's gradients
    "sobel_x": ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
    "sobel_y": ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
    "box_blur": ((1 / 9, 1 / 9, 1 / 9), (1 / 9, 1 / 9, 1 / 9), (1 / 9, 1 / 9, 1 / 9)),
    "gaussian_blur": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
}

PADDINGS = ("valid", "same")
#: Any finite float may be given; a result that could overflow is refused by :func:`_check_overflow`.
_ANY = math.inf


def _check_overflow(flat: list[Number], kflat: list[Number]) -> None:
    """Refuse, before any work, an image and a kernel whose products could overflow to infinity.

    Every output is a sum of products, so ``|out| ≤ max|pixel| · Σ|weight|``; taps that share a
    weight are added before their one multiplication, so a partial sum is at most
    ``max|pixel| · (number of taps)``. Both stay below :data:`~pyodemo.checks.LARGEST` (far from
    float64's limit, so rounding cannot reach it) or a ValueError says so.
    """
    bound = max(map(abs, flat)) * (sum(map(abs, kflat)) + len(kflat))
    if bound > LARGEST:
        raise ValueError(
            "the filtered image overflowed: the pixel values times the kernel's weights are too large "
            f"(the largest |pixel| × the sum of |weights| must stay below {LARGEST:g}); "
            "use pixel values in 0..1 or 0..255 and a kernel with smaller weights"
        )


def _correlate(flat: list[Number], h: int, w: int, kernel: Kernel, padding: str) -> tuple[int, int, list[Number]]:
    """Cross-correlate a flat image with a kernel; returns ``(out_h, out_w, flat output)``.

    The image is zero-padded (for "same"), kept flat with row stride ``wp``; the kernel tap
    (i, j) then reads the slice starting at ``i·wp + j``. Taps with the same weight are
    added first and multiplied once, so each tap costs one C-level ``map`` over the image.
    """
    kh, kw, kflat = grid(kernel, "kernel", _ANY)
    if padding == "same":
        top, left = (kh - 1) // 2, (kw - 1) // 2  # the extra row/column of an even kernel goes after, as scipy and torch
        bottom, right = kh - 1 - top, kw - 1 - left
        zero = 0 * flat[0]
        wp = w + kw - 1
        padded: list[Number] = [zero] * (top * wp)
        for y in range(h):
            padded += [zero] * left
            padded += flat[y * w : (y + 1) * w]
            padded += [zero] * right
        padded += [zero] * (bottom * wp)
        out_h, out_w = h, w
    elif padding == "valid":
        if kh > h or kw > w:
            raise ValueError(
                f"the kernel ({kh} × {kw}) is larger than the image ({h} × {w}): "
                "use padding='same' or a smaller kernel"
            )
        padded, wp = flat, w
        out_h, out_w = h - kh + 1, w - kw + 1
    else:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    _check_overflow(flat, kflat)

    length = (out_h - 1) * wp + out_w  # outputs in padded coordinates, incl. the unused wrap-around
    groups: dict[Number, list[int]] = {}
    for index, k in enumerate(kflat):
        if k:
            groups.setdefault(k, []).append((index // kw) * wp + index % kw)
    total: Iterable[Number] | None = None
    for k, offsets in groups.items():
        acc: Iterable[Number] = padded[offsets[0] : offsets[0] + length]
        for off in offsets[1:]:
            acc = map(add, acc, padded[off : off + length])
        if k == -1:
            total = map(neg, acc) if total is None else map(sub, total, acc)
            continue
        term = acc if k == 1 else map(mul, acc, repeat(k))
        total = term if total is None else map(add, total, term)
    ext = list(total) if total is not None else [0 * flat[0] * kflat[0]] * length
    out: list[Number] = []
    for y in range(out_h):
        out += ext[y * wp : y * wp + out_w]
    return out_h, out_w, out


def convolve2d(image_rows: Sequence[Sequence[Number]], kernel: Kernel, padding: str = "valid") -> list[list[Number]]:
    """Slide ``kernel`` over ``image_rows`` and sum the products (a CNN's cross-correlation).

    ``out[y][x] = Σᵢ Σⱼ kernel[i][j] · image[y + i − top][x + j − left]``, the kernel not
    flipped, as in the slide and in ``torch.nn.functional.conv2d``.

    - ``padding="valid"``: only positions where the kernel fits; the output shrinks by
      ``kernel size − 1`` (a 5 × 5 image and 3 × 3 kernel give 3 × 3).
    - ``padding="same"``: the image is padded with zeros so the output has its size
      (for an even kernel the extra row/column of zeros goes at the bottom/right, as in
      ``scipy.signal.correlate2d(mode="same")`` and torch's ``padding="same"``).

    Integers stay integers. See the module's docstring for the slide's example.

    >>> convolve2d([[1, 2], [3, 4]], [[1]], padding="same")
    [[1, 2], [3, 4]]
    >>> convolve2d([[1, 2], [3, 4]], [[0, 1, 0], [1, 1, 1], [0, 1, 0]], padding="same")
    [[6, 7], [8, 9]]
    """
    h, w, flat = grid(image_rows, "image", _ANY)
    out_h, out_w, out = _correlate(flat, h, w, kernel, padding)
    return [out[y * out_w : (y + 1) * out_w] for y in range(out_h)]


def relu(x: Number | Iterable) -> Number | list:
    """The rectified linear unit, ``max(0, x)``, on a number or (nested) rows of numbers.

    >>> relu(-3), relu(2.5), relu(0)
    (0, 2.5, 0)
    >>> relu([[4, -3], [-2.5, 1]])
    [[4, 0], [0.0, 1]]
    """
    if isinstance(x, bool):
        raise ValueError("relu needs numbers, not True/False")
    if isinstance(x, int):
        return x if x > 0 else 0
    if isinstance(x, float):
        if math.isnan(x):
            raise ValueError("relu got NaN (not a number)")
        return x if x > 0 else 0.0
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise ValueError(f"relu needs a number or rows of numbers, got {x!r}")
    return [relu(v) for v in x]


def apply_to_image(image: Image, kernel: Kernel, relu: bool = False) -> Image:
    """Filter an image with a kernel, 'same' size (zero padding), each channel on its own.

    Returns the raw responses: an edge kernel gives negative values, a sharpen kernel values
    above 1; ``relu=True`` sets the negatives to 0 as a CNN's activation does.
    :meth:`Image.to_rgba_bytes` clamps to [0, 1] for display.

    >>> img = Image.from_gray_rows([[0, 0, 1, 1]] * 3)
    >>> apply_to_image(img, PRESETS["sobel_x"]).to_rows()[1]
    [0.0, 4.0, 4.0, -4.0]
    >>> apply_to_image(img, PRESETS["sobel_x"], relu=True).to_rows()[1]
    [0.0, 4.0, 4.0, 0.0]
    """
    if not isinstance(image, Image):
        raise ValueError("apply_to_image needs a pyodemo.image.Image (use convolve2d for rows of numbers)")
    h, w, ch = image.height, image.width, image.channels
    grid(kernel, "kernel", _ANY)  # a clear message for a bad kernel, before any work
    pixels = [0.0] * (w * h * ch)
    for c in range(ch):
        channel = image.pixels if ch == 1 else image.pixels[c::ch]
        _, _, out = _correlate(channel, h, w, kernel, "same")
        if relu:
            out = list(map(max, out, repeat(0.0)))
        pixels[c::ch] = out  # finite: _correlate checked the sizes of the values (_check_overflow)
    return Image._make(w, h, ch, pixels, image.alpha, image.background)
