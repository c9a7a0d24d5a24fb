"""A sprite redrawn in another game's style: the data augmentation aimed at drawing style.

The models learn mostly from one style (the Gen-V animations) and are asked about every other:
Game Boy sprites in four greens or grays, 16-colour GBA sprites, shiny recolours, box icons with
thick outlines, smooth official art. `restyle` draws a training sprite the way another style
might, from a few operations each of which one of those styles does to a picture:

* `pixelate` — fewer, bigger pixels: shrink (box filter), grow back with nearest neighbour
  (the older generations' 40–64 px sprites shown large);
* `palette_ramp` — the Game Boy's look: luminance quantised to 2–4 levels and mapped onto a ramp
  between a dark and a light colour (gray, green, sepia, any);
* `hue_shift` — a shiny variant's or another palette's colours: hue turned, saturation scaled;
* `posterize` — a small palette: each channel quantised to 2–3 bits;
* `outline` — a thicker dark outline: the sprite's silhouette grown by one pixel in a dark colour;
* `soften` and `sharpen` — smooth art versus crisp pixel art (Gaussian blur, unsharp mask).

Pictures are ``(h, w, 4)`` float arrays in [0, 1] with straight (not premultiplied) alpha;
the same function serves the SVM's restyled copies (`export.features`) and the CNN's augmenter
(`export.train_cnn`). Every operation keeps the size; each is seeded by the caller's generator.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageFilter

#: Probabilities of each step of `restyle`.
P_PIXELATE = 0.5
P_RAMP = 0.2
P_HUE = 0.35
P_POSTERIZE = 0.3
P_OUTLINE = 0.3
P_SOFTEN = 0.2
P_SHARPEN = 0.15


def _pil(rgba: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(rgba * 255), 0, 255).astype(np.uint8), "RGBA")


def _array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0


def luminance(rgba: np.ndarray) -> np.ndarray:
    """Y = 0.2125 R + 0.7154 G + 0.0721 B (ITU-R BT.709, scikit-image's ``rgb2gray``)."""
    return rgba[..., :3] @ np.array([0.2125, 0.7154, 0.0721], np.float32)


def pixelate(rgba: np.ndarray, factor: float) -> np.ndarray:
    """Shrink to *factor* of the size with the box filter, grow back with nearest neighbour.

    Alpha becomes hard (≥ ½ is opaque), as in pixel art.

    >>> pixelate(np.ones((8, 8, 4), np.float32), 0.5).shape
    (8, 8, 4)
    """
    h, w = rgba.shape[:2]
    small = (max(1, round(w * factor)), max(1, round(h * factor)))
    image = _pil(rgba).resize(small, Image.Resampling.BOX).resize((w, h), Image.Resampling.NEAREST)
    out = _array(image)
    out[..., 3] = (out[..., 3] >= 0.5).astype(np.float32)
    return out


def palette_ramp(rgba: np.ndarray, levels: int, dark: np.ndarray, light: np.ndarray) -> np.ndarray:
    """Luminance in *levels* steps, mapped onto the ramp from *dark* to *light* (RGB in [0, 1]).

    >>> px = np.array([[[0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]], np.float32)
    >>> palette_ramp(px, 4, np.zeros(3), np.array([0.6, 0.8, 0.2]))[0, :, :3].tolist()
    [[0.0, 0.0, 0.0], [0.6000000238418579, 0.800000011920929, 0.20000000298023224]]
    """
    step = np.round(luminance(rgba) * (levels - 1)) / (levels - 1)
    out = rgba.copy()
    out[..., :3] = (dark + (light - dark) * step[..., None]).astype(np.float32)
    return out


def hue_shift(rgba: np.ndarray, turn: float, saturation: float = 1.0) -> np.ndarray:
    """Hue turned by *turn* (a fraction of the colour wheel), saturation multiplied by *saturation*."""
    image = _pil(rgba)
    hsv = np.asarray(image.convert("RGB").convert("HSV"), dtype=np.float32)
    hsv[..., 0] = (hsv[..., 0] + turn * 256) % 256
    hsv[..., 1] = np.clip(hsv[..., 1] * saturation, 0, 255)
    rgb = Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")
    out = rgba.copy()
    out[..., :3] = np.asarray(rgb, dtype=np.float32) / 255.0
    return out


def posterize(rgba: np.ndarray, bits: int) -> np.ndarray:
    """Each colour channel kept to *bits* bits (2**bits levels).

    >>> posterize(np.full((1, 1, 4), 0.3, np.float32), 1)[0, 0].tolist()
    [0.0, 0.0, 0.0, 0.30000001192092896]
    """
    levels = 2**bits - 1
    out = rgba.copy()
    out[..., :3] = np.round(rgba[..., :3] * levels) / levels
    return out


def outline(rgba: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """The silhouette grown by one pixel (3 × 3 maximum of alpha), the new pixels in *colour*."""
    alpha = (rgba[..., 3] >= 0.5).astype(np.uint8) * 255
    grown = np.asarray(Image.fromarray(alpha, "L").filter(ImageFilter.MaxFilter(3)), dtype=np.float32) / 255.0
    ring = (grown > 0) & (rgba[..., 3] < 0.5)
    out = rgba.copy()
    out[ring, :3] = colour
    out[ring, 3] = 1.0
    return out


def soften(rgba: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of colour and alpha (premultiplied, so no dark fringe), *radius* in pixels."""
    pre = rgba.copy()
    pre[..., :3] *= pre[..., 3:]
    blurred = _array(_pil(pre).filter(ImageFilter.GaussianBlur(radius)))
    a = blurred[..., 3:]
    blurred[..., :3] = np.where(a > 0, blurred[..., :3] / np.maximum(a, 1e-6), 0.0)
    return np.clip(blurred, 0.0, 1.0)


def sharpen(rgba: np.ndarray) -> np.ndarray:
    """Unsharp mask (radius 1, 150 %) of the colours; alpha unchanged."""
    out = rgba.copy()
    rgb = _pil(rgba).convert("RGB").filter(ImageFilter.UnsharpMask(radius=1, percent=150, threshold=0))
    out[..., :3] = np.asarray(rgb, dtype=np.float32) / 255.0
    return out


def _colour(rng: np.random.Generator, value: tuple[float, float]) -> np.ndarray:
    """A random colour of brightness in *value* (HSV's V), any hue, some saturation."""
    return np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.0, 0.6), rng.uniform(*value)), np.float32)


def restyle(rgba: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """*rgba* redrawn in a random other style: each step of the module doc with its probability.

    >>> out = restyle(np.random.default_rng(0).random((20, 16, 4)).astype(np.float32), np.random.default_rng(1))
    >>> out.shape, out.dtype, bool(out.min() >= 0 and out.max() <= 1)
    ((20, 16, 4), dtype('float32'), True)
    """
    out = np.asarray(rgba, np.float32)
    if rng.random() < P_PIXELATE:
        out = pixelate(out, rng.uniform(0.3, 0.75))
    if rng.random() < P_RAMP:
        out = palette_ramp(out, int(rng.integers(2, 5)), _colour(rng, (0.0, 0.3)), _colour(rng, (0.7, 1.0)))
    elif rng.random() < P_HUE:
        out = hue_shift(out, rng.uniform(-0.5, 0.5), rng.uniform(0.6, 1.3))
    if rng.random() < P_POSTERIZE:
        out = posterize(out, int(rng.integers(2, 4)))
    if rng.random() < P_OUTLINE:
        out = outline(out, _colour(rng, (0.0, 0.25)))
    if rng.random() < P_SOFTEN:
        out = soften(out, rng.uniform(0.5, 1.2))
    elif rng.random() < P_SHARPEN:
        out = sharpen(out)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
