"""The gradient explorer's Python side (``slides/js/widgets/gradient-explorer.js``, the HOG page).

Pixel values are shown on the slides in 0…255 (an 8-bit gray level), so the gradient explorer reports
gradients in those units; :mod:`pyodemo.hog` itself works in 0…1, like scikit-image.
"""

from __future__ import annotations

from pyodemo import hog
from pyodemo.checks import number, whole
from pyodemo.image import Image
from pyodemo.web.sessions import Kept
from pyodemo.web.pictures import gray_from_rgba

__all__ = ["gradient_at", "gradient_image", "gradient_pixel"]

#: Images being explored, with their gradients (one per widget on the page).
_IMAGES: Kept[tuple[Image, hog.Gradients]] = Kept("image", "pick it again", keep=4)


def gradient_at(up: float, left: float, right: float, down: float) -> dict:
    """The slide's 3×3 example: the gradient at ``x`` from its four neighbours (0…255).

    >>> gradient_at(up=50, left=20, right=100, down=110)
    {'gx': 80.0, 'gy': 60.0, 'magnitude': 100.0, 'angle': 36.86989764584402}
    """
    values = {name: number(v, name) for name, v in (("up", up), ("left", left), ("right", right), ("down", down))}
    return hog.gradient_at(**values)._asdict()


def gradient_image(rgba: bytes, width: int, height: int) -> dict:
    """Take an image for the gradient explorer: grayscale it, compute every pixel's gradient once.

    Returns a ``token`` for :func:`gradient_pixel`, the gray image and its gradient magnitude
    (normalised to the brightest pixel) as RGBA bytes for drawing.
    """
    gray = gray_from_rgba(rgba, width, height)
    grads = hog.gradients(gray)
    peak = max(grads.magnitude) or 1.0
    magnitude = Image(gray.width, gray.height, 1, [m / peak for m in grads.magnitude])
    return {
        "token": _IMAGES.add((gray, grads)),
        "width": gray.width,
        "height": gray.height,
        "gray_rgba": gray.to_rgba_bytes(),
        "magnitude_rgba": magnitude.to_rgba_bytes(),
    }


def gradient_pixel(token: int, x: int, y: int) -> dict:
    """gx, gy, magnitude and angle (0…255 units) at pixel ``(x, y)``, with its four neighbours.

    ``x`` (column) and ``y`` (row) are whole numbers of pixels inside the image.
    """
    gray, grads = _IMAGES.get(token)
    w, h, p = gray.width, gray.height, gray.pixels
    x = whole(x, "x (the pixel's column)", 0, w - 1)
    y = whole(y, "y (the pixel's row)", 0, h - 1)
    g = grads.at(x, y)

    def level(cx: int, cy: int) -> float | None:
        return round(255 * p[cy * w + cx], 3) if 0 <= cx < w and 0 <= cy < h else None

    return {
        "x": x,
        "y": y,
        "gx": 255 * g.gx,
        "gy": 255 * g.gy,
        "magnitude": 255 * g.magnitude,
        "angle": g.angle,
        "border": not (0 < x < w - 1 and 0 < y < h - 1),
        "neighbours": {"up": level(x, y - 1), "left": level(x - 1, y), "right": level(x + 1, y),
                       "down": level(x, y + 1), "centre": level(x, y)},
    }
