"""Procedural backgrounds for training the CNN: no photograph is ever a training background.

The photo-like test set puts test sprites on the sample photos of ``skimage.data``; training must
not see those photos (``data/photo-like/backgrounds.json``). The network still has to learn that
the background is not the Pokémon, so training composites sprites on backgrounds drawn here:

* `solid` — one colour;
* `gradient` — a linear or radial blend of two colours;
* `fractal_noise` — value noise summed over octaves with amplitude ∝ 1/frequency (a 1/f
  spectrum, like natural textures: grass, gravel, clouds), mapped onto a random palette;
* `pattern` — stripes, checks or bricks at a random angle and period, slightly noisy;
* `clutter` — dozens of random ellipses, boxes, polygons and lines on a noise or gradient base,
  sometimes outlined, sometimes blurred (out-of-focus clutter);
* `dots` — tens to hundreds of small discs on a plain or noisy base (pebbles, coins, stars).

All take a `numpy.random.Generator` and return an ``(size, size, 3)`` uint8 array; `bank` draws a
seeded mix of them once — a third turned gray (many photos are nearly colourless), a fifth blended
with another background — and training takes random crops of the bank.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

KINDS = ("gradient", "fractal_noise", "pattern", "clutter", "dots")


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """A random RGB colour (uint8), uniform in hue, mostly saturated and mid-bright."""
    h = rng.random()
    s = rng.beta(1.5, 1.5)
    v = 0.15 + 0.85 * rng.beta(2.0, 1.5)
    return np.array([round(255 * c) for c in colorsys.hsv_to_rgb(h, s, v)], np.uint8)


def solid(rng: np.random.Generator, size: int) -> np.ndarray:
    """One random colour."""
    return np.broadcast_to(random_colour(rng), (size, size, 3)).copy()


def _blend(t: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(1 − t) a + t b`` per pixel, *t* in [0, 1] of shape (H, W)."""
    t = np.clip(t, 0.0, 1.0)[..., None]
    return ((1.0 - t) * a + t * b).round().astype(np.uint8)


def gradient(rng: np.random.Generator, size: int) -> np.ndarray:
    """A linear (random direction) or radial (random centre) blend of two random colours."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / max(size - 1, 1)
    if rng.random() < 0.7:
        angle = rng.uniform(0.0, 2.0 * np.pi)
        t = np.cos(angle) * xx + np.sin(angle) * yy
        t = (t - t.min()) / max(t.max() - t.min(), 1e-9)
    else:
        cx, cy = rng.uniform(-0.2, 1.2, size=2)
        t = np.hypot(xx - cx, yy - cy) / rng.uniform(0.5, 1.5)
    return _blend(t, random_colour(rng).astype(np.float64), random_colour(rng).astype(np.float64))


def _value_noise(rng: np.random.Generator, size: int, channels: int = 1, beta: float = 1.0) -> np.ndarray:
    """Octaves of bicubically upsampled random grids, amplitude ∝ frequency^−beta, in [0, 1]."""
    total = np.zeros((size, size, channels))
    frequency = 2
    while frequency <= size:
        grid = rng.random((frequency, frequency, channels))
        for c in range(channels):
            layer = Image.fromarray(grid[..., c].astype(np.float32), "F")
            total[..., c] += np.asarray(layer.resize((size, size), Image.Resampling.BICUBIC)) / frequency**beta
        frequency *= 2
    total -= total.min(axis=(0, 1))
    return total / np.maximum(total.max(axis=(0, 1)), 1e-9)


def fractal_noise(rng: np.random.Generator, size: int) -> np.ndarray:
    """1/f value noise mapped onto a palette of 2–3 random colours (or coloured per channel)."""
    beta = rng.uniform(0.0, 1.6)  # 0: rough like gravel, 1.6: smooth like clouds
    if rng.random() < 0.25:
        return (255 * _value_noise(rng, size, 3, beta)).round().astype(np.uint8)
    t = _value_noise(rng, size, 1, beta)[..., 0]
    colours = [random_colour(rng).astype(np.float64) for _ in range(rng.integers(2, 4))]
    if len(colours) == 2:
        return _blend(t, *colours)
    low = _blend(t * 2.0, colours[0], colours[1]).astype(np.float64)
    high = _blend(t * 2.0 - 1.0, colours[1], colours[2]).astype(np.float64)
    return np.where((t < 0.5)[..., None], low, high).round().astype(np.uint8)


def pattern(rng: np.random.Generator, size: int) -> np.ndarray:
    """Stripes, checks or bricks of two colours at a random angle and period, with some noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    angle = rng.uniform(0.0, np.pi)
    u = np.cos(angle) * xx + np.sin(angle) * yy
    v = -np.sin(angle) * xx + np.cos(angle) * yy
    period = rng.uniform(4.0, size / 2)
    kind = rng.integers(3)
    if kind == 0:  # stripes (soft or hard)
        t = 0.5 + 0.5 * np.sin(2 * np.pi * u / period)
        if rng.random() < 0.5:
            t = (t > 0.5).astype(np.float64)
    elif kind == 1:  # checks
        t = ((np.floor(u / period) + np.floor(v / period)) % 2).astype(np.float64)
    else:  # bricks: rows of boxes with offset, thin mortar lines
        row = np.floor(v / (period / 2))
        shifted = u + (row % 2) * period / 2
        mortar = (np.mod(v, period / 2) < 1.5) | (np.mod(shifted, period) < 1.5)
        t = mortar.astype(np.float64)
    t = t + rng.uniform(0.0, 0.3) * (_value_noise(rng, size)[..., 0] - 0.5)
    return _blend(t, random_colour(rng).astype(np.float64), random_colour(rng).astype(np.float64))


def clutter(rng: np.random.Generator, size: int) -> np.ndarray:
    """Random shapes (ellipses, boxes, polygons, lines) over a noise or gradient base."""
    base = fractal_noise(rng, size) if rng.random() < 0.5 else gradient(rng, size)
    image = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(8, 40))):
        colour = tuple(int(c) for c in random_colour(rng))
        x0, y0 = rng.uniform(-0.2, 1.0, size=2) * size
        w, h = rng.uniform(0.05, 0.5, size=2) * size
        kind = rng.integers(4)
        edge = tuple(int(c) for c in random_colour(rng)) if rng.random() < 0.3 else None
        if kind == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour, outline=edge)
        elif kind == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour, outline=edge)
        elif kind == 2:
            points = [tuple(p) for p in (rng.uniform(-0.1, 1.1, size=(int(rng.integers(3, 7)), 2)) * size)]
            draw.polygon(points, fill=colour, outline=edge)
        else:
            draw.line((x0, y0, x0 + w, y0 + h), fill=colour, width=int(rng.integers(1, max(2, size // 10))))
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, size / 40)))
    return np.asarray(image)


def dots(rng: np.random.Generator, size: int) -> np.ndarray:
    """Many small discs (log-uniform radii) of a few colours on a plain or noisy base."""
    base = solid(rng, size) if rng.random() < 0.5 else fractal_noise(rng, size)
    image = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(image)
    palette = [tuple(int(c) for c in random_colour(rng)) for _ in range(int(rng.integers(1, 4)))]
    largest = rng.uniform(1.0, size / 6)
    for _ in range(int(rng.integers(20, 400))):
        r = float(np.exp(rng.uniform(np.log(0.5), np.log(largest))))
        x, y = rng.uniform(-r, size + r, size=2)
        colour = palette[int(rng.integers(len(palette)))]
        edge = tuple(max(0, c - 60) for c in colour) if rng.random() < 0.5 else None
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=edge)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    return np.asarray(image)


def gray(picture: np.ndarray, amount: float) -> np.ndarray:
    """*picture* with its colour reduced by *amount* (1: fully gray, luma 0.299/0.587/0.114)."""
    luma = picture.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    out = (1 - amount) * picture + amount * luma[..., None]
    return out.round().clip(0, 255).astype(np.uint8)


MAKERS = {"gradient": gradient, "fractal_noise": fractal_noise, "pattern": pattern, "clutter": clutter,
          "dots": dots}


def bank(n: int, size: int, seed: int) -> np.ndarray:
    """*n* procedural backgrounds ``(n, size, size, 3)`` uint8, kinds taken in turn, seeded."""
    rng = np.random.default_rng([seed, 7])
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        picture = MAKERS[KINDS[i % len(KINDS)]](rng, size)
        if rng.random() < 0.2:
            other = MAKERS[KINDS[int(rng.integers(len(KINDS)))]](rng, size)
            picture = ((picture.astype(np.uint16) + other) // 2).astype(np.uint8)
        if rng.random() < 0.35:
            picture = gray(picture, rng.uniform(0.7, 1.0))
        out[i] = picture
    return out
