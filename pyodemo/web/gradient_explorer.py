"""What the talk's widgets ask Python for (called by name through :mod:`pyodemo.rpc`).

Each function takes JSON-able arguments — canvas pixels arrive as ``rgba`` bytes with ``width`` and
``height`` — and returns JSON-able data (bytes are fine: ``rpc`` encodes them). The browser only draws
what comes back: "JavaScript draws, Python computes".

Pixel values are shown on the slides in 0…255 (an 8-bit gray level), so the gradient explorer reports
gradients in those units; :mod:`pyodemo.hog` itself works in 0…1, like scikit-image.
"""

from __future__ import annotations

from collections import OrderedDict

from pyodemo import hog
from pyodemo.checks import LARGEST, recall, whole
from pyodemo.image import Image

__all__ = ["gradient_at", "gradient_image", "gradient_pixel"]

#: Images a widget is exploring, by token (a few at most: one per widget on the page).
_IMAGES: OrderedDict[int, tuple[Image, hog.Gradients]] = OrderedDict()
_KEEP = 4
_next_token = 0


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not abs(value) <= LARGEST:  # NaN, infinity, or a whole number beyond what a float holds
        raise ValueError(f"{name} must be a number between -{LARGEST:g} and {LARGEST:g}, got {value!r}")
    return float(value)


def _remember(image: Image, grads: hog.Gradients) -> int:
    global _next_token
    _next_token += 1
    _IMAGES[_next_token] = (image, grads)
    while len(_IMAGES) > _KEEP:
        _IMAGES.popitem(last=False)
    return _next_token


def gradient_at(up: float, left: float, right: float, down: float) -> dict:
    """The slide's 3×3 example: the gradient at ``x`` from its four neighbours (0…255).

    >>> gradient_at(up=50, left=20, right=100, down=110)
    {'gx': 80.0, 'gy': 60.0, 'magnitude': 100.0, 'angle': 36.86989764584402}
    """
    values = {name: _number(v, name) for name, v in (("up", up), ("left", left), ("right", right), ("down", down))}
    return hog.gradient_at(**values)._asdict()


def gradient_image(rgba: bytes, width: int, height: int) -> dict:
    """Take an image for the gradient explorer: grayscale it, compute every pixel's gradient once.

    Returns a ``token`` for :func:`gradient_pixel`, the gray image and its gradient magnitude
    (normalised to the brightest pixel) as RGBA bytes for drawing.
    """
    gray = Image.from_rgba(rgba, width, height).to_gray()
    gray = Image(gray.width, gray.height, 1, gray.pixels)
    grads = hog.gradients(gray)
    peak = max(grads.magnitude) or 1.0
    magnitude = Image(gray.width, gray.height, 1, [m / peak for m in grads.magnitude])
    return {
        "token": _remember(gray, grads),
        "width": gray.width,
        "height": gray.height,
        "gray_rgba": gray.to_rgba_bytes(),
        "magnitude_rgba": magnitude.to_rgba_bytes(),
    }


def gradient_pixel(token: int, x: int, y: int) -> dict:
    """gx, gy, magnitude and angle (0…255 units) at pixel ``(x, y)``, with its four neighbours.

    ``x`` (column) and ``y`` (row) are whole numbers of pixels inside the image.
    """
    gray, grads = recall(_IMAGES, token, "image", "pick it again")
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
