"""The test sets beyond the split: harder, never trained on, never tuned on.

Run ``python -m export testsets`` after ``python -m export dataset``. It reads the built dataset
(``data/pokemon-10``) and writes:

1. **photo-like** — ``data/photo-like/<Class>/*.jpg`` (256×256) + ``manifest.csv`` (path, class,
   source_sprite, background, x, y, w, h of the sprite's box, blur, jpeg_quality): *test-split*
   Gen-V frames (not the style images: the set measures photographs of one style, as before) composited onto real photographs — the sample photos bundled in scikit-image's
   ``skimage.data`` (``BACKGROUNDS``) — at a random scale (the sprite's longer side 40–90 % of the
   frame) and position, slightly blurred, JPEG-compressed at quality 60–90, seeded. The nearest
   thing to an audience's phone picture that can be made offline. ``backgrounds.json`` lists the
   photos so training code can assert it never uses them as backgrounds.
2. **unseen-art** — ``data/unseen-art/<Class>.png``: the ten dream-world artworks
   (``sprites/pokemon/other/dream-world/<n>.svg``, a drawing style the models never see), rendered
   with resvg (the PyPI wheel ``resvg-py``) with transparency, cropped like the sprites, 256 px.
3. **not-pokemon** — ``data/not-pokemon/*.png`` + ``manifest.csv``: first frames of other
   Pokémon's Gen-V animated sprites (a seeded pick of Pokédex numbers outside the ten) and crops of
   the same sample photos, at the dataset's size. For choosing and checking the "not sure"
   thresholds; never for training.
4. **samples** for the widgets, committed: ``slides/models/samples/`` — ``<class>.png`` (a
   test-split front-view normal frame, as stored), ``art-<class>.png`` (the unseen-art render at
   128 px), ``photo-<class>.jpg`` (a photo-like image) and ``index.json`` describing them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter
from tqdm import tqdm

from export import sprites as sp
from export.dataset_items import DATA, DEFAULT_OUT, image_digest
from export.styles import ANIMATED_STYLE

#: skimage.data photographs that load offline (bundled in the wheel); grayscale ones become RGB.
BACKGROUNDS = (
    "astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
    "hubble_deep_field", "moon", "rocket", "stereo_motorcycle",
)
SAMPLES = sp.ROOT / "slides" / "models" / "samples"
PHOTO_SIZE = 256
ART_SIZE = 256
SAMPLE_ART_SIZE = 128
SAMPLES_BUDGET = 400_000  # bytes


def load_background(name: str) -> Image.Image:
    """A scikit-image sample photo as an RGB Pillow image."""
    import skimage.data

    array = getattr(skimage.data, name)()
    if isinstance(array, tuple):  # stereo_motorcycle: (left, right, disparity)
        array = array[0]
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"skimage.data.{name} is not an 8-bit photo")
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return Image.fromarray(array[..., :3], "RGB")


def random_square(photo: Image.Image, rng: random.Random, low: float, high: float) -> tuple:
    """A random square box inside *photo*, its side between *low* and *high* × the short side."""
    short = min(photo.size)
    side = max(8, round(short * rng.uniform(low, high)))
    x = rng.randint(0, photo.width - side)
    y = rng.randint(0, photo.height - side)
    return (x, y, x + side, y + side)


def read_manifest(dataset: Path) -> list[dict[str, str]]:
    path = dataset / "manifest.csv"
    if not path.is_file():
        raise ValueError(f"{path} not found: build the dataset first (python -m export dataset)")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def dataset_size(dataset: Path) -> int:
    try:
        return int(json.loads((dataset / "dataset.json").read_text())["size"])
    except (OSError, ValueError, KeyError):
        return 64


def clear(folder: Path) -> None:
    """Start *folder* empty (it is one of this module's outputs: rebuilt from scratch each run)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


# -- 1. photo-like ------------------------------------------------------------------------------


def build_photo_like(dataset: Path, out: Path, per_class: int, seed: int, progress: bool) -> list[dict]:
    """Test-split sprites on skimage.data photos; returns the manifest rows."""
    # the Gen-V frames of the test split (the style images have a test set of their own); every
    # test row for a folder-per-class dataset
    rows = [r for r in read_manifest(dataset) if r["split"] == "test"
            and r.get("style", "") in ("", ANIMATED_STYLE)]
    classes = sorted({r["class"] for r in rows})
    if not classes:
        raise ValueError(f"{dataset}/manifest.csv has no test-split rows")
    photos = {name: load_background(name) for name in BACKGROUNDS}
    clear(out)
    written = []
    jobs = [(cls, i) for cls in classes for i in range(per_class)]
    sources: dict[str, list[dict]] = {}
    for cls in classes:
        # distinct test images first (many frames are copies), in a seeded order
        seen: dict[str, dict] = {}
        for r in sorted((r for r in rows if r["class"] == cls), key=lambda r: r["path"]):
            with Image.open(dataset / r["path"]) as im:
                seen.setdefault(image_digest(im.convert("RGBA")), r)
        distinct = list(seen.values())
        random.Random(f"{seed}:photo-like:sources:{cls}").shuffle(distinct)
        sources[cls] = distinct
    for cls, i in tqdm(jobs, desc="photo-like", unit="img", disable=not progress):
        rng = random.Random(f"{seed}:photo-like:{cls}:{i}")
        source = sources[cls][i % len(sources[cls])]
        background = BACKGROUNDS[(classes.index(cls) * 5 + i) % len(BACKGROUNDS)]
        photo = photos[background]
        frame = photo.crop(random_square(photo, rng, 0.5, 1.0)).resize(
            (PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS).convert("RGBA")
        with Image.open(dataset / source["path"]) as im:
            sprite = im.convert("RGBA")
        sprite = sprite.crop(sprite.getchannel("A").getbbox())
        longer = round(PHOTO_SIZE * rng.uniform(0.4, 0.9))
        scale = longer / max(sprite.size)
        w, h = max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale))
        sprite = sprite.resize((w, h), Image.Resampling.BICUBIC)
        x, y = rng.randint(0, PHOTO_SIZE - w), rng.randint(0, PHOTO_SIZE - h)
        frame.alpha_composite(sprite, (x, y))
        blur = round(rng.uniform(0.3, 1.2), 2)
        quality = rng.randint(60, 90)
        picture = frame.convert("RGB").filter(ImageFilter.GaussianBlur(blur))
        name = f"{cls}/{cls.lower()}-{i:02d}.jpg"
        (out / cls).mkdir(exist_ok=True)
        picture.save(out / name, "JPEG", quality=quality)
        written.append({
            "path": name, "class": cls, "source_sprite": source["path"], "background": background,
            "x": x, "y": y, "w": w, "h": h, "blur": blur, "jpeg_quality": quality,
        })
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, list(written[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(written)
    (out / "backgrounds.json").write_text(json.dumps({
        "source": "skimage.data",
        "backgrounds": sorted({r["background"] for r in written}),
        "rule": "test-only photographs: never use them as training backgrounds",
    }, indent=1) + "\n")
    return written


# -- 2. unseen art ------------------------------------------------------------------------------


def render_svg(path: Path, width: int = 1024) -> Image.Image:
    """An SVG file rendered by resvg (PyPI ``resvg-py``) as an RGBA Pillow image."""
    try:
        import resvg_py
    except ImportError:
        raise ValueError(
            "rendering the dream-world SVGs needs the PyPI package resvg-py "
            "(pip install resvg-py==0.5.0)"
        ) from None
    png = resvg_py.svg_to_bytes(svg_path=str(path), width=width)
    with Image.open(io.BytesIO(bytes(png))) as image:
        return image.convert("RGBA")


def build_unseen_art(out: Path, sprites: Path, progress: bool) -> list[dict]:
    """The ten dream-world artworks at 256 px, RGBA, cropped like the sprites."""
    clear(out)
    rows = []
    for cls, number in tqdm(sorted(sp.POKEMON_10.items()), desc="unseen-art", unit="svg",
                            disable=not progress):
        svg = sprites / sp.DREAM_WORLD / f"{number}.svg"
        if not svg.is_file():
            raise ValueError(f"dream-world artwork {svg} not found")
        image = sp.square_crop(render_svg(svg), ART_SIZE)
        if image is None:
            raise ValueError(f"{svg} rendered to an empty picture")
        image.save(out / f"{cls}.png", optimize=True)
        rows.append({"path": f"{cls}.png", "class": cls, "source": f"dream-world/{number}.svg"})
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


# -- 3. not Pokémon (of these ten) --------------------------------------------------------------


def build_not_pokemon(
    out: Path, sprites: Path, size: int, n_sprites: int, n_photos: int, seed: int, progress: bool
) -> list[dict]:
    """Other Pokémon (first frame of the front GIF) and photo crops, *size* px RGBA."""
    ours = set(sp.POKEMON_10.values())
    numbers = sorted(
        int(p.stem) for p in (sprites / sp.ANIMATED).glob("*.gif")
        if p.stem.isdigit() and int(p.stem) < 10000 and int(p.stem) not in ours
    )
    rng = random.Random(f"{seed}:not-pokemon")
    picked = sorted(rng.sample(numbers, min(n_sprites, len(numbers))))
    clear(out)
    rows = []
    for number in tqdm(picked, desc="not-pokemon sprites", unit="img", disable=not progress):
        frame = sp.gif_frames(sprites / sp.ANIMATED / f"{number}.gif")[0]
        image = sp.square_crop(frame, size)
        if image is None:
            continue
        name = f"sprite-{number:03d}.png"
        image.save(out / name)
        rows.append({"path": name, "kind": "other-pokemon", "source": f"gen-v animated {number}.gif"})
    photos = {name: load_background(name) for name in BACKGROUNDS}
    for i in range(n_photos):
        name = BACKGROUNDS[i % len(BACKGROUNDS)]
        box = random_square(photos[name], rng, 0.2, 0.8)
        image = photos[name].crop(box).resize((size, size), Image.Resampling.LANCZOS).convert("RGBA")
        path = f"photo-{name}-{i:02d}.png"
        image.save(out / path)
        rows.append({"path": path, "kind": "photo", "source": f"skimage.data.{name} box {box}"})
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["path", "kind", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


# -- 4. widget samples --------------------------------------------------------------------------


def build_samples(dataset: Path, data: Path, samples: Path) -> list[dict]:
    """One test-split sprite, one unseen-art render and one photo-like image per class."""
    rows = read_manifest(dataset)
    samples.mkdir(parents=True, exist_ok=True)
    for old in [*samples.glob("*.png"), *samples.glob("*.jpg"), samples / "index.json"]:
        old.unlink(missing_ok=True)
    with open(data / "photo-like" / "manifest.csv", newline="") as f:
        photo_rows = list(csv.DictReader(f))
    index = []
    for cls in sorted({r["class"] for r in rows}):
        tests = sorted(
            (r for r in rows if r["class"] == cls and r["split"] == "test" and r["frame"] != ""
             and r["view"] == "front" and r["variant"] == "normal"),
            key=lambda r: int(r["frame"]),
        )
        if not tests:
            raise ValueError(f"class {cls} has no front-view normal frame in the test split")
        low = cls.lower()
        shutil.copyfile(dataset / tests[0]["path"], samples / f"{low}.png")
        index.append({"file": f"{low}.png", "class": cls, "kind": "test-split",
                      "manifest_path": tests[0]["path"]})
        art = data / "unseen-art" / f"{cls}.png"
        if art.is_file():
            with Image.open(art) as im:
                small = im.convert("RGBA").resize((SAMPLE_ART_SIZE, SAMPLE_ART_SIZE), sp.RESAMPLE)
            small.save(samples / f"art-{low}.png", optimize=True)
            index.append({"file": f"art-{low}.png", "class": cls, "kind": "unseen-art",
                          "source": f"unseen-art/{cls}.png"})
        photo = next((r for r in photo_rows if r["class"] == cls), None)
        if photo is not None:
            shutil.copyfile(data / "photo-like" / photo["path"], samples / f"photo-{low}.jpg")
            index.append({"file": f"photo-{low}.jpg", "class": cls, "kind": "photo-like",
                          "source": f"photo-like/{photo['path']}",
                          "source_sprite": photo["source_sprite"]})
    (samples / "index.json").write_text(json.dumps({"samples": index}, indent=1) + "\n")
    return index


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export testsets",
        description="Build the photo-like, unseen-art and not-Pokémon test sets and the widget "
        "samples from a built dataset.",
    )
    parser.add_argument("--dataset", type=Path, default=DEFAULT_OUT, help="the built dataset")
    parser.add_argument("--out", type=Path, default=DATA, help="folder for the sets")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="widget samples folder")
    parser.add_argument("--per-class", type=int, default=20, help="photo-like images per class")
    parser.add_argument("--not-pokemon-sprites", type=int, default=70)
    parser.add_argument("--not-pokemon-photos", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sprites", type=Path, default=sp.SPRITES)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    sprites = sp.require_sprites(args.sprites)
    progress = not args.quiet
    size = dataset_size(args.dataset)
    photo = build_photo_like(args.dataset, args.out / "photo-like", args.per_class, args.seed, progress)
    art = build_unseen_art(args.out / "unseen-art", sprites, progress)
    other = build_not_pokemon(args.out / "not-pokemon", sprites, size, args.not_pokemon_sprites,
                              args.not_pokemon_photos, args.seed, progress)
    index = build_samples(args.dataset, args.out, args.samples)
    total = sum(p.stat().st_size for p in args.samples.iterdir() if p.is_file())
    print(f"photo-like:  {len(photo)} JPEGs ({PHOTO_SIZE}px) in {args.out / 'photo-like'}")
    print(f"unseen-art:  {len(art)} PNGs ({ART_SIZE}px) in {args.out / 'unseen-art'}")
    kinds = {k: sum(r["kind"] == k for r in other) for k in ("other-pokemon", "photo")}
    print(f"not-pokemon: {len(other)} PNGs ({size}px; {kinds['other-pokemon']} other Pokémon, "
          f"{kinds['photo']} photo crops) in {args.out / 'not-pokemon'}")
    print(f"samples:     {len(index)} files, {total / 1000:.0f} kB in {args.samples}")
    if total > SAMPLES_BUDGET:
        print(f"warning: samples exceed the {SAMPLES_BUDGET // 1000} kB budget", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
