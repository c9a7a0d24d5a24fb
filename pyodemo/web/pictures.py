"""The pictures the widgets start from: a canvas's pixels as a gray image, or a built-in test picture.

Shared by the gradient explorer, the HOG explorer and the convolution widget: each of them takes a
picture the person picked (canvas RGBA bytes) or, before any is picked, :func:`demo_image`.
"""

from __future__ import annotations

import math

from pyodemo.checks import rgba as check_rgba
from pyodemo.checks import whole
from pyodemo.image import Image

#: The widgets send pictures at most 128 pixels on a side; anything much larger is a mistake.
MAX_SIDE = 256


def gray_from_rgba(rgba: bytes, width: int, height: int) -> Image:
    """Canvas RGBA → gray (alpha composited on white, scikit-image's ``rgb2gray`` weights), no alpha kept.

    >>> gray_from_rgba(bytes([255, 0, 0, 255]), 1, 1).pixels
    [0.2125]
    """
    width = whole(width, "width", 1, MAX_SIDE)
    height = whole(height, "height", 1, MAX_SIDE)
    gray = Image.from_rgba(check_rgba(rgba, width, height), width, height).to_gray()
    return Image._make(gray.width, gray.height, 1, gray.pixels)


def demo_image(size: int = 64) -> dict:
    """A synthetic test picture, so the widgets work before (or without) any sample image.

    A dark disc, a light square turned by 30° and a band of diagonal stripes on a soft vertical
    ramp: edges in every direction, so every orientation bin gets votes. Returned as RGBA bytes,
    like a canvas would give them.

    >>> d = demo_image(16)
    >>> d["width"], d["height"], len(d["rgba"])
    (16, 16, 1024)
    """
    size = whole(size, "size", 8, MAX_SIDE)
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
