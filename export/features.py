"""Feature vectors for training the HOG+SVM model, computed by the browser's own code and cached.

Every feature vector here comes from `pyodemo.classify` — `default_crop`, `prepare`, `features` —
the functions the browser's worker runs on a picture, so what the SVM is trained on is what it
will be served (train/serve consistency by construction). Pure Python costs ~10 ms per image, so:

* the work is spread over worker processes (``jobs``, default 2: this machine's cores);
* results are cached under ``data/cache/`` as ``.npy`` files keyed by a hash of the pipeline's
  JSON, the variant (below), the images' paths, the manifest's hash, the source of the code that
  computes them (``FEATURE_SOURCES``, ``export/backgrounds.py``) and ``CACHE_VERSION``. A second
  run reads them back in a blink; delete ``data/cache/`` to start over (stale files are not
  removed automatically).

Two *variants* of each image:

* ``clean`` — the dataset's RGBA sprite as it is stored, which the browser crops to its visible
  pixels and composites on the pipeline's background (white): a sprite dropped on the page;
* ``photo`` — augmentation towards a phone picture (`photo_composite`): the sprite, maybe mirrored,
  pasted at a random scale (its longer side 40–90 % of the frame) and position onto a fresh
  *procedural* background (`export.backgrounds`: gradients, 1/f noise, patterns, clutter — never a
  photograph, so never one of the photo-like test set's ``skimage.data`` photos), slightly blurred
  and JPEG-compressed: an opaque 128 × 128 picture, which the browser takes whole (the centred
  square). Seeded per image and copy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from pyodemo import classify

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "pokemon-10"
CACHE = ROOT / "data" / "cache"
#: Bump when the way features are computed changes without the pipeline JSON changing.
CACHE_VERSION = 1
#: Size of the augmented pictures (the browser box-filters them down to the input size).
PHOTO_SIZE = 128
#: The photo-like test set's photographs; a training background must never be one of them.
FORBIDDEN_BACKGROUNDS = ROOT / "data" / "photo-like" / "backgrounds.json"


def read_manifest(dataset: Path = DATASET) -> list[dict[str, str]]:
    """The dataset's rows (path, class, view, variant, frame, pose, group, split, crossview)."""
    path = Path(dataset) / "manifest.csv"
    if not path.is_file():
        raise ValueError(f"{path} not found: build the dataset first (python -m export dataset)")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path} has no images")
    return rows


def open_rgba(path: str | Path) -> tuple[bytes, int, int]:
    """A picture's RGBA bytes, width and height, turned upright by its EXIF orientation.

    What the browser's ``createImageBitmap(file, {imageOrientation: "from-image"})`` plus a
    canvas's ``getImageData`` give. Raises ``ValueError`` for a missing or unreadable file.
    """
    try:
        with Image.open(path) as image:
            image.load()
            rgba = ImageOps.exif_transpose(image).convert("RGBA")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not an image") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValueError(f"{path}: not a readable image ({error})") from None
    return rgba.tobytes(), rgba.width, rgba.height


# ------------------------------------------------------------------------ augmentation

def background(rng: random.Random, size: int = PHOTO_SIZE) -> np.ndarray:
    """A fresh procedural background (`export.backgrounds`: gradient, 1/f noise, pattern or clutter).

    Seeded by *rng*; a ``(size, size, 3)`` uint8 array, no photograph involved.
    """
    from export import backgrounds

    generator = np.random.default_rng(rng.getrandbits(64))
    maker = getattr(backgrounds, backgrounds.KINDS[rng.randrange(len(backgrounds.KINDS))])
    return maker(generator, size)


def photo_composite(sprite: Image.Image, rng: random.Random, size: int = PHOTO_SIZE) -> Image.Image:
    """*sprite* (RGBA) as an opaque phone-like picture of *size* × *size* (see the module docstring)."""
    frame = Image.fromarray(background(rng, size)).convert("RGBA")
    box = sprite.getchannel("A").getbbox()
    if box is not None:
        sprite = sprite.crop(box)
        if rng.random() < 0.5:
            sprite = sprite.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        longer = round(size * rng.uniform(0.4, 0.9))
        scale = longer / max(sprite.size)
        w, h = max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale))
        sprite = sprite.resize((w, h), Image.Resampling.BICUBIC)
        frame.alpha_composite(sprite, (rng.randint(0, size - w), rng.randint(0, size - h)))
    picture = frame.convert("RGB").filter(ImageFilter.GaussianBlur(rng.uniform(0.15, 0.6)))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=rng.randint(60, 90))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGBA")


def picture(path: str | Path, variant: str = "clean", seed: int = 0) -> tuple[bytes, int, int]:
    """The RGBA picture the browser would get for one dataset image: ``(rgba, width, height)``.

    ``variant`` ``"clean"``: the stored sprite; ``"photo"``: `photo_composite` of it; ``"style"``:
    the sprite redrawn in another drawing style (`export.restyle.restyle`). The last two are
    seeded by ``seed`` and the image's path (class folder and file name).
    """
    if variant == "clean":
        return open_rgba(path)
    if variant not in ("photo", "style"):
        raise ValueError(f"unknown variant {variant!r}: use 'clean', 'photo' or 'style'")
    with Image.open(path) as im:
        sprite = im.convert("RGBA")
    rng = random.Random(f"{seed}:{variant}:{Path(path).parent.name}/{Path(path).name}")
    if variant == "photo":
        composite = photo_composite(sprite, rng)
        return composite.tobytes(), composite.width, composite.height
    from export.restyle import restyle

    pixels = np.asarray(sprite, dtype=np.float32) / 255.0
    redrawn = restyle(pixels, np.random.default_rng(rng.getrandbits(64)))
    return np.clip(np.rint(redrawn * 255), 0, 255).astype(np.uint8).tobytes(), sprite.width, sprite.height


def image_features(
    path: str | Path, pipelines: Sequence[dict], variant: str = "clean", seed: int = 0
) -> list[list[float]]:
    """One image's feature vector for each pipeline, as the browser computes it.

    The picture is prepared once per distinct ``input`` block (`pyodemo.classify.prepare`), then
    each pipeline's `pyodemo.classify.features` run on it.
    """
    rgba, width, height = picture(path, variant, seed)
    prepared: dict[str, object] = {}
    out = []
    for pipeline in pipelines:
        key = json.dumps(classify.input_spec(pipeline), sort_keys=True)
        if key not in prepared:
            prepared[key] = classify.prepare(rgba, width, height, pipeline)
        out.append(classify.features(prepared[key], pipeline))
    return out


def _task(args: tuple) -> list[list[float]]:
    path, pipelines, variant, seed = args
    return image_features(path, pipelines, variant, seed)


# ------------------------------------------------------------------------ many images, cached


def _digest(dataset: Path) -> str:
    manifest = Path(dataset) / "manifest.csv"
    return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16] if manifest.is_file() else "none"


def _source_digest(*paths: Path) -> str:
    """A hash of source files the features depend on (pyodemo's image code, the backgrounds)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.is_file() else b"none")
    return digest.hexdigest()[:12]


#: The code a feature vector depends on: a change to any of it makes the cache miss.
FEATURE_SOURCES = tuple(ROOT / "pyodemo" / f"{name}.py" for name in ("classify", "hog", "image", "resize"))


def cache_key(pipeline: dict, variant: str, seed: int, paths: Sequence[str], dataset: Path) -> str:
    """The cache file's name: a hash of everything the features depend on."""
    text = json.dumps({
        "pipeline": classify.describe(pipeline),
        "variant": variant,
        "seed": seed if variant != "clean" else None,
        "paths": list(paths),
        "dataset": _digest(dataset),
        "version": CACHE_VERSION,
        "code": _source_digest(*FEATURE_SOURCES),
        "backgrounds": [PHOTO_SIZE, _source_digest(ROOT / "export" / "backgrounds.py")] if variant == "photo" else None,
        "restyle": _source_digest(ROOT / "export" / "restyle.py") if variant == "style" else None,
    }, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def extract(
    paths: Sequence[str],
    pipeline: dict,
    variant: str = "clean",
    seed: int = 0,
    dataset: Path = DATASET,
    jobs: int = 2,
    cache: Path | None = CACHE,
    progress: str | None = None,
) -> np.ndarray:
    """Feature matrix ``(len(paths), n_features)`` (float64) of images (*paths* relative to *dataset*).

    Cached in *cache* (None: no cache); computed with *jobs* processes; *progress* names a tqdm bar.
    """
    return extract_many(paths, [pipeline], variant, seed, dataset, jobs, cache, progress)[0]


def extract_many(
    paths: Sequence[str],
    pipelines: Sequence[dict],
    variant: str = "clean",
    seed: int = 0,
    dataset: Path = DATASET,
    jobs: int = 2,
    cache: Path | None = CACHE,
    progress: str | None = None,
    stats: dict | None = None,
) -> list[np.ndarray]:
    """`extract` for several pipelines at once: each picture is made and prepared only once.

    *stats*, if given, counts the feature vectors computed (``"computed"``) and read from the
    cache (``"cached"``).
    """
    dataset = Path(dataset)
    results: list[np.ndarray | None] = [None] * len(pipelines)
    files: list[Path | None] = [None] * len(pipelines)
    for i, pipeline in enumerate(pipelines):
        if cache is None:
            continue
        files[i] = Path(cache) / f"{cache_key(pipeline, variant, seed, paths, dataset)}.npy"
        if files[i].is_file():
            try:
                results[i] = np.load(files[i])
            except (OSError, ValueError):
                pass  # a damaged cache file: compute again
    todo = [i for i, r in enumerate(results) if r is None]
    if stats is not None:
        stats["computed"] = stats.get("computed", 0) + len(todo) * len(paths)
        stats["cached"] = stats.get("cached", 0) + (len(pipelines) - len(todo)) * len(paths)
    if todo and paths:
        wanted = [pipelines[i] for i in todo]
        tasks = [(str(dataset / p), wanted, variant, seed) for p in paths]
        jobs = max(1, min(jobs, os.cpu_count() or 1, len(tasks)))
        from tqdm import tqdm

        rows: list[list[list[float]]] = []
        with tqdm(total=len(tasks), desc=progress or variant, unit="img", disable=progress is None, leave=False) as bar:
            if jobs == 1:
                for t in tasks:
                    rows.append(_task(t))
                    bar.update()
            else:
                with ProcessPoolExecutor(jobs) as pool:
                    for r in pool.map(_task, tasks, chunksize=16):
                        rows.append(r)
                        bar.update()
        for k, i in enumerate(todo):
            results[i] = np.asarray([r[k] for r in rows], dtype=np.float64)
            if files[i] is not None:
                files[i].parent.mkdir(parents=True, exist_ok=True)
                tmp = files[i].with_suffix(".tmp.npy")
                np.save(tmp, results[i])
                tmp.replace(files[i])
    return [r if r is not None else np.zeros((0, 0)) for r in results]


def forbidden_backgrounds() -> list[str]:
    """Names of the photographs training must never use (the photo-like test set's)."""
    try:
        return list(json.loads(FORBIDDEN_BACKGROUNDS.read_text())["backgrounds"])
    except (OSError, ValueError, KeyError):
        return []
