"""What the HOG explorer and the convolution widget ask Python for (called through :mod:`pyodemo.rpc`).

Two live widgets of the talk, "JavaScript draws, Python computes":

* **HOG explorer** (HOG page): an image cut into cells, each cell's orientation histogram drawn as
  glyphs (as scikit-image's ``hog(..., visualize=True)``), the feature length and one cell's
  histogram — all from :mod:`pyodemo.hog` (Dalal & Triggs 2005).
* **Convolution and ReLU** (CNN page): the slide's 5 × 5 image × 3 × 3 kernel, step by step, and
  preset kernels on a photo with ReLU on or off — all from :mod:`pyodemo.convolve`.

Arguments are JSON-able (canvas pixels arrive as ``rgba`` bytes with ``width`` and ``height``), results
are JSON-able (RGBA bytes for drawing travel as base64). Bad input raises ``ValueError`` with a
message the widget shows in place.

The slide's convolution, with every step's products:

>>> result = convolution(SLIDE_IMAGE, SLIDE_KERNEL)
>>> result["output"]
[[4, 3, 4], [2, 4, 3], [2, 3, 4]]
>>> first = result["steps"][0]
>>> first["products"], first["sum"]
([[1, 0, 1], [0, 1, 0], [0, 0, 1]], 4)
"""

from __future__ import annotations

import math
from collections import OrderedDict
from itertools import chain
from operator import mul

from pyodemo import convolve, hog
from pyodemo.checks import LARGEST, recall
from pyodemo.checks import whole as _whole
from pyodemo.image import Image

__all__ = [
    "demo_image",
    "hog_image",
    "hog_view",
    "convolution",
    "presets",
    "filter_image",
    "filter_view",
]

#: The slide's example (the CNN page): a 5 × 5 image of zeros and ones and a 3 × 3 kernel.
SLIDE_IMAGE = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
SLIDE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]

#: Names of the preset kernels for people (keys of :data:`pyodemo.convolve.PRESETS`).
PRESET_LABELS = {
    "edges": "Edges (outline)",
    "sobel_x": "Sobel x (vertical edges)",
    "sobel_y": "Sobel y (horizontal edges)",
    "box_blur": "Box blur",
    "gaussian_blur": "Gaussian blur",
    "sharpen": "Sharpen",
    "slide": "The slide's kernel",
    "identity": "Identity (no change)",
}

#: The widgets send images at most 128 pixels on a side; anything much larger is a mistake.
MAX_SIDE = 256
#: Image sizes the HOG explorer offers (the model works at 64 × 64).
HOG_SIZES = (16, 256)

#: Images the widgets are exploring, by token (a few: one or two per widget on a page).
_IMAGES: OrderedDict[int, Image] = OrderedDict()
_KEEP = 6
_next_token = 0


# ------------------------------------------------------------------------ checks


def _number_grid(values: object, what: str) -> list[list[float]]:
    """Rows of finite numbers, with a message naming the first bad cell ("row 2, column 3")."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise ValueError(f"the {what} must be rows of numbers")
    rows = []
    for i, row in enumerate(values, start=1):
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)):
            raise ValueError(f"the {what} must be rows of numbers (row {i} is not a row)")
        for j, v in enumerate(row, start=1):
            where = f"the {what}'s row {i}, column {j}"
            if v is None or v == "":
                raise ValueError(f"{where} is empty: type a number")
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"{where} is not a number: {v!r}")
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"{where} must be a finite number, got {v!r}")
            if abs(v) > LARGEST:  # also a whole number too large for a float
                raise ValueError(f"{where} is too large: type a number between -{LARGEST:g} and {LARGEST:g}")
        rows.append(list(row))
    return rows


def _remember(image: Image) -> int:
    global _next_token
    _next_token += 1
    _IMAGES[_next_token] = image
    while len(_IMAGES) > _KEEP:
        _IMAGES.popitem(last=False)
    return _next_token


def _recall(token: object) -> Image:
    return recall(_IMAGES, token, "image", "pick it again")


def _gray_from_rgba(rgba: bytes, width: int, height: int) -> Image:
    """Canvas RGBA → gray (alpha composited on white, scikit-image's ``rgb2gray`` weights)."""
    width = _whole(width, "width", 1, MAX_SIDE)
    height = _whole(height, "height", 1, MAX_SIDE)
    gray = Image.from_rgba(rgba, width, height).to_gray()
    return Image(gray.width, gray.height, 1, gray.pixels)


# ------------------------------------------------------------------------ a built-in image


def demo_image(size: int = 64) -> dict:
    """A synthetic test picture, so the widgets work before (or without) any sample image.

    A dark disc, a light square turned by 30° and a band of diagonal stripes on a soft vertical
    ramp: edges in every direction, so every orientation bin gets votes. Returned as RGBA bytes,
    like a canvas would give them.

    >>> d = demo_image(16)
    >>> d["width"], d["height"], len(d["rgba"])
    (16, 16, 1024)
    """
    size = _whole(size, "size", 8, MAX_SIDE)
    s = size
    cx, cy, r = 0.34 * s, 0.36 * s, 0.22 * s  # the disc
    qx, qy, half = 0.70 * s, 0.68 * s, 0.16 * s  # the turned square
    cos30, sin30 = math.cos(math.radians(30)), math.sin(math.radians(30))
    soft = 0.02 * s  # edges blur over a few pixels, so gradients take every direction

    def inside(distance: float) -> float:  # 1 well inside, 0 well outside, a ramp across the edge
        return min(1.0, max(0.0, 0.5 - distance / (2 * soft)))

    values = []
    for y in range(s):
        for x in range(s):
            px, py = x + 0.5, y + 0.5
            v = 0.75 + 0.2 * py / s  # background ramp
            stripes = 0.5 + 0.5 * math.sin(2 * math.pi * (px + py) / (0.1 * s))
            v += (0.35 - v) * stripes * inside(0.86 * s - py)  # diagonal stripes along the bottom
            v += (0.15 - v) * inside(math.hypot(px - cx, py - cy) - r)
            u, w = (px - qx) * cos30 + (py - qy) * sin30, -(px - qx) * sin30 + (py - qy) * cos30
            v += (0.98 - v) * inside(max(abs(u), abs(w)) - half)
            values.append(v)
    gray = Image(s, s, 1, values)
    return {"rgba": gray.to_rgba_bytes(), "width": s, "height": s, "name": "synthetic test picture"}


# ------------------------------------------------------------------------ HOG explorer


def hog_image(rgba: bytes, width: int, height: int) -> dict:
    """Take an image for the HOG explorer (gray, kept by token); :func:`hog_view` then looks at it."""
    gray = _gray_from_rgba(rgba, width, height)
    return {"token": _remember(gray), "width": gray.width, "height": gray.height}


def square(gray: Image, size: int) -> Image:
    """The image HOG looks at: padded to a square with white, then resized to ``size`` × ``size``.

    >>> square(Image.from_gray_rows([[0.0, 0.0]]), 2).to_rows()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    return gray.pad_to_square(1.0).resize(size, size)


def hog_view(token: int, size: int = 64, cell: int = 8, orientations: int = 9, block: int = 2) -> dict:
    """Everything the HOG explorer draws for one setting of its controls.

    The image of ``token`` is squared and resized to ``size`` × ``size`` (:func:`square`), then:

    * ``histograms[row][col][bin]``: :func:`pyodemo.hog.cell_histograms` with cells of ``cell`` ×
      ``cell`` pixels and ``orientations`` bins over [0°, 180°) — the glyphs and the bar chart;
    * ``bin_centres`` (degrees): the gradient direction of each bin; the glyph line of a bin is
      drawn through the cell centre perpendicular to it (along the edge), as in scikit-image;
    * ``feature_length`` (:func:`pyodemo.hog.feature_length`), ``hog_length`` (the length of a
      real :func:`pyodemo.hog.hog` call) and the parts of the product: blocks down × blocks
      across × cells per block (``block`` × ``block``) × orientations;
    * ``strongest``: ``[row, col]`` of the cell with the most votes (the widget shows it first);
    * ``problem``: a message when the image is too small for one block (then no feature vector).

    An image smaller than one cell raises ``ValueError``.
    """
    gray = _recall(token)
    size = _whole(size, "the image size", *HOG_SIZES)
    cell = _whole(cell, "the cell size", 2, 64)
    orientations = _whole(orientations, "the number of orientations", 1, 36)
    block = _whole(block, "the block size", 1, 8)
    if cell > size:
        raise ValueError(
            f"The image ({size} × {size} pixels) is smaller than one cell ({cell} × {cell} pixels): "
            "pick a smaller cell or a larger image."
        )
    image = square(gray, size)
    ppc, cpb = (cell, cell), (block, block)
    histograms = hog.cell_histograms(image, orientations, ppc)
    cells = size // cell
    per = 180 / orientations
    totals = [(sum(bins), r, c) for r, row in enumerate(histograms) for c, bins in enumerate(row)]
    strongest = max(totals, key=lambda t: t[0])  # the first of equals, row by row
    result = {
        "size": size,
        "cell": cell,
        "orientations": orientations,
        "block": block,
        "gray_rgba": image.to_rgba_bytes(),
        "cells_down": cells,
        "cells_across": cells,
        "ignored_pixels": size - cells * cell,
        "bin_width": per,
        "bin_centres": [per * (i + 0.5) for i in range(orientations)],
        "histograms": histograms,
        "peak": max(chain.from_iterable(chain.from_iterable(histograms)), default=0.0),
        "strongest": [strongest[1], strongest[2]],
        "blocks_down": cells - block + 1,
        "blocks_across": cells - block + 1,
        "feature_length": None,
        "hog_length": None,
        "problem": None,
    }
    try:
        result["feature_length"] = hog.feature_length(size, size, orientations, ppc, cpb)
    except ValueError as exc:
        result["problem"] = f"No feature vector: {exc}. Pick a smaller cell or block, or a larger image."
        result["blocks_down"] = result["blocks_across"] = 0
        return result
    result["hog_length"] = len(hog.hog(image, orientations, ppc, cpb))
    return result


# ------------------------------------------------------------------------ convolution stepper


def convolution(image: list[list[float]], kernel: list[list[float]]) -> dict:
    """The slide's convolution, every window: products, sums and the output grid.

    ``output`` is :func:`pyodemo.convolve.convolve2d` (valid padding, kernel not flipped);
    ``steps`` lists, row by row, each window position (``row``, ``col`` of its top-left pixel),
    the pixels under the kernel, their element-wise ``products`` with it and the ``sum`` (the
    output value there). ``relu`` is the output after :func:`pyodemo.convolve.relu`.

    >>> convolution([[1, 2], [3, 4]], [[1, -1]])["output"]
    [[-1], [-1]]
    >>> convolution([[1, 2], [3, 4]], [[1, None]])
    Traceback (most recent call last):
    ...
    ValueError: the kernel's row 1, column 2 is empty: type a number
    """
    image = _number_grid(image, "image")
    kernel = _number_grid(kernel, "kernel")
    output = convolve.convolve2d(image, kernel)  # checks the shapes with a plain message
    kh, kw = len(kernel), len(kernel[0])
    steps = []
    for r, row in enumerate(output):
        for c, total in enumerate(row):
            window = [image[r + i][c : c + kw] for i in range(kh)]
            products = [list(map(mul, w, k)) for w, k in zip(window, kernel)]
            steps.append({"row": r, "col": c, "window": window, "products": products, "sum": total})
    return {"image": image, "kernel": kernel, "output": output, "relu": convolve.relu(output), "steps": steps}


# ------------------------------------------------------------------------ filters on a photo


def presets() -> list[dict]:
    """The preset kernels of :data:`pyodemo.convolve.PRESETS`, with names for people.

    >>> [p["name"] for p in presets()][:3]
    ['edges', 'sobel_x', 'sobel_y']
    """
    order = list(PRESET_LABELS) + [n for n in convolve.PRESETS if n not in PRESET_LABELS]
    return [
        {"name": n, "label": PRESET_LABELS.get(n, n), "kernel": [list(row) for row in convolve.PRESETS[n]]}
        for n in order
        if n in convolve.PRESETS
    ]


def filter_image(rgba: bytes, width: int, height: int) -> dict:
    """Take an image for the filter demo: gray, kept by token; returns its gray RGBA for drawing."""
    gray = _gray_from_rgba(rgba, width, height)
    return {"token": _remember(gray), "width": gray.width, "height": gray.height, "gray_rgba": gray.to_rgba_bytes()}


#: Colours of the signed palette (RGB in 0…1): negative responses blue, positive orange, 0 black.
NEGATIVE = (0.25, 0.55, 1.0)
POSITIVE = (1.0, 0.55, 0.0)
PALETTES = ("signed", "gray")


def signed_rgba(values: list[float], scale: float, palette: str = "signed") -> bytes:
    """RGBA bytes that show the sign of each value, ``|value| = scale`` at full strength.

    ``"signed"``: 0 is black, positives go to orange, negatives to blue (so ReLU, which removes
    the negatives, visibly removes the blue). ``"gray"``: mid-gray is 0, white ``+scale``, black
    ``−scale``.

    >>> list(signed_rgba([-2.0, 0.0, 2.0], 2.0))
    [64, 140, 255, 255, 0, 0, 0, 255, 255, 140, 0, 255]
    >>> list(signed_rgba([-2.0, 0.0, 2.0], 2.0, "gray"))[::4]
    [0, 128, 255]
    """
    if palette not in PALETTES:
        raise ValueError(f"palette must be one of {', '.join(PALETTES)}, got {palette!r}")
    scale = scale if scale > 0 else 1.0
    t = [min(1.0, max(-1.0, v / scale)) for v in values]
    out = bytearray(4 * len(values))
    out[3::4] = b"\xff" * len(values)
    if palette == "gray":
        level = bytes(round(127.5 + 127.5 * v) for v in t)
        out[0::4] = out[1::4] = out[2::4] = level
        return bytes(out)
    for c in range(3):
        pos, neg = POSITIVE[c] * 255, NEGATIVE[c] * 255
        out[c::4] = bytes(round(v * pos) if v > 0 else round(-v * neg) for v in t)
    return bytes(out)


def filter_view(token: int, kernel: list[list[float]] | None = None, preset: str | None = None,
                relu: bool = False, palette: str = "signed") -> dict:
    """Filter the image of ``token`` with a kernel (or a named preset), optionally through ReLU.

    :func:`pyodemo.convolve.apply_to_image` ('same' size, zero padding) gives the raw responses;
    they are drawn with :func:`signed_rgba` on a symmetric scale (``scale`` = the largest
    ``|value|``) so 0 always has the same colour. ``min`` and ``max`` are the range of what is
    drawn (after ReLU when it is on), ``raw_min``/``raw_max`` the range before ReLU.
    """
    gray = _recall(token)
    if preset is not None:
        if not isinstance(preset, str) or preset not in convolve.PRESETS:
            raise ValueError(f"there is no preset kernel called {preset!r}")
        kernel = [list(row) for row in convolve.PRESETS[preset]]
    if kernel is None:
        raise ValueError("give a kernel or the name of a preset")
    kernel = _number_grid(kernel, "kernel")
    if not isinstance(relu, bool):
        raise ValueError(f"relu must be true or false, got {relu!r}")
    raw = convolve.apply_to_image(gray, kernel)
    values = convolve.apply_to_image(gray, kernel, relu=True).pixels if relu else raw.pixels
    scale = max(map(abs, values), default=0.0)
    return {
        "width": raw.width,
        "height": raw.height,
        "rgba": signed_rgba(values, scale, palette),
        "relu": relu,
        "palette": palette,
        "kernel": kernel,
        "min": min(values),
        "max": max(values),
        "raw_min": min(raw.pixels),
        "raw_max": max(raw.pixels),
        "scale": scale,
    }
