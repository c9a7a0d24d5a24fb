"""The honest split: runs of consecutive poses dealt 60/20/20, with guard poses at the seams.

Why not split frames at random? Each class has only two real drawings (front and back view).
Shiny and female GIFs are the same drawings recoloured, neighbouring frames are near-duplicates,
and an animation is a loop that shows the same few drawings again and again (`export.sprites`
calls each distinct outline a *pose*). A frame-level split puts copies of one picture in train
and test and reports a score that lies; a per-GIF split (hold out the shiny GIF) leaks the
outline, which is all a grayscale HOG sees.

The rule, per class:

1. **Poses.** Each view's poses are numbered by first appearance in its normal animation; every
   frame of every recoloured twin belongs to a pose, so a pose travels with all its copies.
2. **Groups.** Each view's poses, in that order, are cut into runs of consecutive poses; the
   dataset builder picks the run length so each view gets about ten groups.
3. **Deal.** The groups of both views go to train/val/test, aiming at 60/20/20 of the kept
   frames with every view in every split: seeded shuffles, each group going to the split furthest
   below its share, the cheapest shuffles then polished by moving one group at a time (cost:
   distance from 60/20/20 in frames — steeply beyond ``TOLERANCE`` — and in poses, plus the
   frames lost to guards). Deterministic for a seed.
4. **Guards.** Two poses are neighbours when one directly follows the other in any of the view's
   GIFs (looping back to the first frame). Wherever neighbours landed in different splits, the one
   with fewer frames is dropped with all its frames. So no near-duplicate pair straddles two
   splits: every val/test image is at least two animation steps from every training image.

>>> groups = consecutive_groups(7, 3)
>>> groups
[[0, 1, 2], [3, 4, 5], [6]]
>>> edges = chain_edges(range(7), loop=True)
>>> guard_poses(["train", "train", "val", "val", "test", "test", "train"], [1] * 7, edges)
[2, 4, 6]
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SPLITS = ("train", "val", "test")
FRACTIONS = (0.6, 0.2, 0.2)
#: Weights of the deal's cost (see `deal`).
TOLERANCE = 0.03
POSE_WEIGHT = 0.5
LOSS_WEIGHT = 1.0


def consecutive_groups(n_poses: int, length: int) -> list[list[int]]:
    """Poses ``0 … n_poses-1`` cut into runs of *length* (the last run may be shorter)."""
    if length < 1:
        raise ValueError(f"group length must be at least 1, got {length}")
    return [list(range(start, min(start + length, n_poses))) for start in range(0, n_poses, length)]


def chain_edges(sequence: Iterable[int], loop: bool = True) -> set[tuple[int, int]]:
    """Neighbour pairs ``(u, v)`` with ``u < v`` of a pose sequence (an animation's frames).

    >>> sorted(chain_edges([0, 0, 1, 2, 1, 0], loop=True))
    [(0, 1), (1, 2)]
    """
    seq = list(sequence)
    pairs = zip(seq, seq[1:] + seq[:1] if loop else seq[1:])
    return {(min(u, v), max(u, v)) for u, v in pairs if u != v}


def guard_poses(
    split_of_pose: Sequence[str], weights: Sequence[int], edges: Iterable[tuple[int, int]]
) -> list[int]:
    """Poses to drop so that no two neighbouring kept poses lie in different splits.

    Edges are visited in order; for a pair in different splits with neither end dropped yet, the
    end with fewer frames (*weights*) is dropped — the later pose on a tie.
    """
    dropped: set[int] = set()
    for u, v in sorted(edges):
        if split_of_pose[u] == split_of_pose[v] or u in dropped or v in dropped:
            continue
        dropped.add(u if weights[u] < weights[v] else v)
    return sorted(dropped)


@dataclass(frozen=True)
class Deal:
    """How the poses of one class are split (poses of both views numbered one after the other)."""

    groups: list[list[int]]
    split_of_group: list[str]
    guards: list[int]
    kept: dict[str, int]  # frames kept per split
    lost: int  # frames dropped as guards

    def split_of_pose(self) -> list[str]:
        n = sum(len(g) for g in self.groups)
        out = [""] * n
        for poses, split in zip(self.groups, self.split_of_group):
            for pose in poses:
                out[pose] = split
        return out

    def group_of_pose(self) -> list[int]:
        n = sum(len(g) for g in self.groups)
        out = [0] * n
        for g, poses in enumerate(self.groups):
            for pose in poses:
                out[pose] = g
        return out


def _fill(order: Sequence[int], sizes: Sequence[int], fractions: Sequence[float]) -> list[str]:
    """Each group in *order* goes to the split furthest below its share of the frames."""
    total = sum(sizes)
    filled = [0.0] * len(SPLITS)
    split_of_group = [""] * len(sizes)
    for g in order:
        deficits = [f * total - have for f, have in zip(fractions, filled)]
        s = max(range(len(SPLITS)), key=lambda i: (deficits[i], -i))
        split_of_group[g] = SPLITS[s]
        filled[s] += sizes[g]
    return split_of_group


def deal(
    weights: Sequence[int],
    edges: Iterable[tuple[int, int]],
    groups: Sequence[Sequence[int]],
    seed: str,
    parts: Sequence[str] | None = None,
    fractions: Sequence[float] = FRACTIONS,
    trials: int = 1000,
    polish: int = 50,
) -> Deal:
    """Deal *groups* of poses (frames per pose in *weights*) to train/val/test; see the module doc.

    *parts* names the part (the view) of each group: every part must keep frames in every split.
    The cost of a deal, with ``distance`` the sum of absolute differences from *fractions*:

    * 10 per (part, split) left without frames, and 10 × each split's excess beyond
      ``TOLERANCE`` — constraints in all but name;
    * the distance of the kept frames, plus a quarter of it averaged over the parts;
    * ``POSE_WEIGHT`` × the distance of the *number of poses* kept per split, averaged over the
      parts — frames overweight the poses an animation lingers on, and a split of one pose
      shown 30 times teaches less than six poses shown 5 times;
    * ``LOSS_WEIGHT`` × the fraction of frames lost to guards.

    Of *trials* seeded shuffles, the *polish* cheapest are improved by moving one group at a
    time to another split while that lowers the cost; the cheapest result is returned
    (deterministic for a *seed*).

    A loop of 13 poses (5 frames each) cut into three arcs, one per split, with a guard at each
    of the three seams — 6 poses train, 2 val, 2 test:

    >>> d = deal([5] * 13, chain_edges(range(13)), consecutive_groups(13, 1), "doc")
    >>> len(d.guards), d.lost, d.kept
    (3, 15, {'train': 30, 'val': 10, 'test': 10})
    """
    edges = sorted(edges)
    groups = [list(g) for g in groups]
    parts = list(parts) if parts is not None else [""] * len(groups)
    names = sorted(set(parts))
    if any(parts.count(name) < len(SPLITS) for name in names):
        raise ValueError(f"{len(groups)} groups cannot be split three ways (need 3 per view)")
    part_of_pose = [""] * len(weights)
    for poses, part in zip(groups, parts):
        for pose in poses:
            part_of_pose[pose] = part
    sizes = [sum(weights[p] for p in poses) for poses in groups]
    total = sum(weights)

    def distance(kept: dict[str, int]) -> float:
        n_kept = sum(kept.values()) or 1
        return sum(abs(kept[s] / n_kept - f) for s, f in zip(SPLITS, fractions))

    def excess(kept: dict[str, int]) -> float:
        n_kept = sum(kept.values()) or 1
        return sum(max(0.0, abs(kept[s] / n_kept - f) - TOLERANCE) for s, f in zip(SPLITS, fractions))

    def evaluate(split_of_group: Sequence[str]) -> tuple[float, Deal | None]:
        split_of_pose = [""] * len(weights)
        for poses, split in zip(groups, split_of_group):
            for pose in poses:
                split_of_pose[pose] = split
        guards = set(guard_poses(split_of_pose, weights, edges))
        kept = {name: dict.fromkeys(SPLITS, 0) for name in names}
        n_poses = {name: dict.fromkeys(SPLITS, 0) for name in names}
        for pose, split in enumerate(split_of_pose):
            if pose not in guards:
                kept[part_of_pose[pose]][split] += weights[pose]
                n_poses[part_of_pose[pose]][split] += 1
        empty = sum(1 for k in kept.values() for n in k.values() if n == 0)
        overall = {s: sum(k[s] for k in kept.values()) for s in SPLITS}
        lost = sum(weights[p] for p in guards)
        cost = (
            10.0 * empty  # a view without train, val or test frames: far worse than any loss
            + 10.0 * excess(overall)  # a split more than TOLERANCE off its share: almost as bad
            + distance(overall)
            + 0.25 * sum(map(distance, kept.values())) / len(names)
            + POSE_WEIGHT * sum(map(distance, n_poses.values())) / len(names)
            + LOSS_WEIGHT * lost / total
        )
        deal = Deal(groups, list(split_of_group), sorted(guards), overall, lost)
        return cost, deal if empty == 0 else None

    rng = random.Random(seed)
    starts = []
    for _ in range(trials):
        order = list(range(len(groups)))
        rng.shuffle(order)
        split_of_group = _fill(order, sizes, fractions)
        starts.append((evaluate(split_of_group)[0], split_of_group))
    starts.sort(key=lambda start: start[0])  # stable: ties keep the shuffle order
    best: tuple[float, Deal | None] = (math.inf, None)  # (cost, deal)
    for _, split_of_group in starts[:polish]:
        current = evaluate(split_of_group)
        improved = True
        while improved:
            improved = False
            for g in range(len(groups)):
                for split in SPLITS:
                    if split == split_of_group[g]:
                        continue
                    trial = split_of_group[:g] + [split] + split_of_group[g + 1 :]
                    candidate = evaluate(trial)
                    if candidate[0] < current[0] - 1e-12:
                        split_of_group, current, improved = trial, candidate, True
        if current[0] < best[0]:
            best = current
    if best[1] is None:
        raise ValueError(
            f"{len(weights)} poses in {len(groups)} groups cannot give every view train, val and "
            "test frames once guards are dropped"
        )
    return best[1]


def stratified(n_items: int, seed: str, fractions: Sequence[float] = FRACTIONS) -> list[str]:
    """A seeded 60/20/20 split of *n_items* items of one class, each split getting at least one.

    >>> stratified(10, "doc").count("train"), stratified(10, "doc").count("test")
    (6, 2)
    """
    if n_items < len(SPLITS):
        raise ValueError(f"{n_items} items cannot be split three ways (need at least 3)")
    n_val = max(1, round(n_items * fractions[1]))
    n_test = max(1, round(n_items * fractions[2]))
    n_train = n_items - n_val - n_test
    if n_train < 1:
        n_train, n_val = 1, n_val - 1
    labels = ["train"] * n_train + ["val"] * n_val + ["test"] * n_test
    random.Random(seed).shuffle(labels)
    return labels
