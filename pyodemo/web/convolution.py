"""The convolution widget's Python side (``slides/js/widgets/convolution.js``, the CNN page).

The slide's 5 × 5 image × 3 × 3 kernel, step by step, and preset kernels on a photo with ReLU on or
off — all from :mod:`pyodemo.convolve`. "JavaScript draws, Python computes".

The slide's convolution, with every step's products:

>>> result = convolution(SLIDE_IMAGE, SLIDE_KERNEL)
>>> result["output"]
[[4, 3, 4], [2, 4, 3], [2, 3, 4]]
>>> first = result["steps"][0]
>>> first["products"], first["sum"]
([[1, 0, 1], [0, 1, 0], [0, 0, 1]], 4)
"""

from __future__ import annotations

from operator import mul

from pyodemo import convolve
from pyodemo.checks import flag, grid, one_of
from pyodemo.image import Image
from pyodemo.web.pictures import demo_image, gray_from_rgba
from pyodemo.web.sessions import Kept

__all__ = ["demo_image", "convolution", "presets", "filter_image", "filter_view"]

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

#: Photos being filtered (one or two per page).
_IMAGES: Kept[Image] = Kept("image", "pick it again", keep=4)


def _rows(values: object, what: str) -> list[list[float]]:
    """Rows of numbers, checked (:func:`pyodemo.checks.grid`: a message naming the first bad cell)."""
    h, w, flat = grid(values, what)
    return [flat[r * w : (r + 1) * w] for r in range(h)]


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
    image = _rows(image, "image")
    kernel = _rows(kernel, "kernel")
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
    gray = gray_from_rgba(rgba, width, height)
    return {"token": _IMAGES.add(gray), "width": gray.width, "height": gray.height, "gray_rgba": gray.to_rgba_bytes()}


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
    one_of(palette, "palette", PALETTES)
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
    gray = _IMAGES.get(token)
    if preset is not None:
        if not isinstance(preset, str) or preset not in convolve.PRESETS:
            raise ValueError(f"there is no preset kernel called {preset!r}")
        kernel = [list(row) for row in convolve.PRESETS[preset]]
    if kernel is None:
        raise ValueError("give a kernel or the name of a preset")
    kernel = _rows(kernel, "kernel")
    relu = flag(relu, "relu")
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
