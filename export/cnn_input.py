"""The CNN's input, prepared in CPython exactly as the browser prepares it (ARCHITECTURE.md, "From a photo to the two top-3 lists", step 6).

The browser decodes a picture with ``createImageBitmap(file, {imageOrientation: "from-image"})``,
takes the crop box, draws that region onto a canvas of ``size``×``size`` pre-filled with the
background colour, reads the RGBA pixels and turns them into a float tensor
``(x / scale − mean) / std`` in NCHW order. The same steps with Pillow:

1. `open_image` — decode, apply the EXIF orientation (`ImageOps.exif_transpose`), convert to RGBA;
2. `crop_box` — the default crop, `pyodemo.classify.default_crop` (defined once): for a picture
   with transparency, the square around the alpha > 0 bounding box grown by ``margin`` (8 %) of its
   longer side on each side; for an opaque photo, the centred largest square. The square may reach
   outside the picture; outside is background;
3. `prepare_rgba` — that square resized to ``size``×``size`` with the sidecar's resampling filter,
   still RGBA (Pillow premultiplies alpha while it resizes, as a canvas does);
4. `composite` — over the background colour, as drawing onto the pre-filled canvas does;
5. `to_array` — ``(x / scale − mean) / std``, channels first.

Every parameter comes from the ``input`` block of the sidecar ``cnn.json``, so training, the
report, ``python -m export predict`` and the browser share one description of the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pyodemo import classify

#: The default crop's margin: a fraction of the alpha box's longer side, added on each side.
MARGIN = classify.MARGIN
#: Resampling filters the sidecar may name.
RESAMPLE = {"bilinear": Image.Resampling.BILINEAR, "box": Image.Resampling.BOX}


def open_image(path: str | Path) -> Image.Image:
    """The picture at *path* as RGBA, turned upright by its EXIF orientation.

    Raises `ValueError` with a plain message when the file is missing or not an image.
    """
    try:
        with Image.open(path) as image:
            image.load()
            return ImageOps.exif_transpose(image).convert("RGBA")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(f"{path}: not a readable image ({error})") from None


def default_crop(image: Image.Image, margin: float = MARGIN) -> tuple[int, int, int]:
    """The default crop square ``(x, y, side)`` of a picture: `pyodemo.classify.default_crop`.

    The rule is defined once, in pyodemo (the browser's JavaScript mirrors it): with transparency,
    the square around the alpha > 0 bounding box grown by *margin* × its longer side on each side,
    centred; for an opaque picture, the centred largest square. It may reach outside the picture.

    >>> im = Image.new("RGBA", (40, 20)); im.paste((255, 0, 0, 255), (10, 5, 30, 15))
    >>> default_crop(im)   # 20×10 box, pad round(1.6) = 2, side 24
    (8, -2, 24)
    >>> default_crop(Image.new("RGBA", (40, 20), (0, 0, 0, 255)))
    (10, 0, 20)
    """
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    x, y, side = classify.default_crop(rgba.tobytes(), rgba.width, rgba.height, margin)
    return x, y, side


def crop_box(image: Image.Image, margin: float = MARGIN) -> tuple[int, int, int]:
    """The crop square the browser takes by default (see `default_crop`)."""
    return default_crop(image, margin)


def prepare_rgba(
    image: Image.Image, size: int, resample: str = "bilinear", box: Sequence[int] | None = None
) -> Image.Image:
    """The crop square of *image* (default: `crop_box`) resized to *size*×*size*, still RGBA.

    Pixels of the square outside the picture are transparent, so they become background.
    """
    if resample not in RESAMPLE:
        raise ValueError(f"unknown resampling {resample!r}; use one of {', '.join(RESAMPLE)}")
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    x, y, side = crop_box(rgba) if box is None else box
    if side <= 0:
        raise ValueError("the crop square is empty")
    region = rgba.crop((x, y, x + side, y + side))  # Pillow fills outside with (0, 0, 0, 0)
    if region.size == (size, size):
        return region
    return region.resize((size, size), RESAMPLE[resample])


def composite(rgba: Image.Image, background: Sequence[int]) -> Image.Image:
    """*rgba* drawn over an opaque *background* colour, as an RGB picture."""
    canvas = Image.new("RGBA", rgba.size, (*map(int, background), 255))
    canvas.alpha_composite(rgba)
    return canvas.convert("RGB")


def prepare(image: Image.Image, spec: dict, box: Sequence[int] | None = None) -> Image.Image:
    """The RGB ``size``×``size`` picture the CNN sees, from the sidecar's ``input`` block *spec*."""
    rgba = prepare_rgba(image, int(spec["size"]), spec.get("resample", "bilinear"), box)
    return composite(rgba, spec["background"])


def to_array(rgb: Image.Image | np.ndarray, spec: dict) -> np.ndarray:
    """``(x / scale − mean) / std`` of an RGB picture, as float32 ``(3, size, size)``."""
    x = np.asarray(rgb, dtype=np.float32)[..., :3] / np.float32(spec["scale"])
    mean = np.asarray(spec["mean"], dtype=np.float32)
    std = np.asarray(spec["std"], dtype=np.float32)
    return np.ascontiguousarray(((x - mean) / std).transpose(2, 0, 1))


def tensor(image: Image.Image, spec: dict) -> np.ndarray:
    """One picture → the CNN's input ``(1, 3, size, size)``."""
    return to_array(prepare(image, spec), spec)[None]


def batch(paths: Iterable[str | Path], spec: dict) -> np.ndarray:
    """Pictures at *paths* → ``(N, 3, size, size)``, each prepared as the browser would."""
    arrays = [to_array(prepare(open_image(p), spec), spec) for p in paths]
    if not arrays:
        size = int(spec["size"])
        return np.zeros((0, 3, size, size), np.float32)
    return np.stack(arrays)
