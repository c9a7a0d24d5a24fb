"""The HOG+SVM trainer's data: manifest rows, labels, the feature matrices and the validation scores.

`Data` reads the dataset and its test sets; `compute_features` turns them into feature matrices through
`export.features` (the browser's own code, cached); `training_set` stacks the training split and its photo
copies; `val_scores` is the model selection's score (`export.metrics.scores` on three validation views).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from export import features as F
from export.metrics import scores
from export.styles import ANIMATED_STYLE

#: Photo-like copies of each training image (seeds 1, 2, …) and the validation copy's seed.
PHOTO_COPIES = 2
VAL_SEED = 1001


def _testset(name: str, dataset_dir: Path) -> tuple[list[dict], Path]:
    folder = dataset_dir.parent / name
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        return [], folder
    return F.read_manifest(folder), folder


class Data:
    """Manifest rows, labels and feature matrices of one pipeline."""

    def __init__(self, dataset: Path, quick: bool, seed_copies: int) -> None:
        self.dataset = dataset
        rows = F.read_manifest(dataset)
        if quick:  # a few images per class and split, spread over the list
            picked, seen = [], Counter()
            for r in rows[::3]:
                key = (r["class"], r["split"])
                if seen[key] < 4:
                    picked.append(r)
                    seen[key] += 1
            rows = picked
        self.rows = rows
        self.y = np.array([r["class"] for r in rows])
        self.split = np.array([r["split"] for r in rows])
        self.crossview = np.array([r.get("crossview", "") for r in rows])
        self.other_style = np.array([r.get("style", ANIMATED_STYLE) not in ("", ANIMATED_STYLE) for r in rows])
        self.classes = sorted(set(self.y))
        if len(self.classes) < 2:
            raise ValueError(f"{dataset}: need at least two classes to train")
        for s in ("train", "val", "test"):
            if not (self.split == s).any():
                raise ValueError(f"{dataset}/manifest.csv has no {s!r} rows")
        self.copies = seed_copies
        self.testsets = {}
        for name in ("photo-like", "unseen-art", "not-pokemon"):
            trows, folder = _testset(name, dataset)
            if quick and name != "unseen-art":
                trows = trows[:: max(1, len(trows) // 20)]
            self.testsets[name] = (trows, folder)

    def paths(self, mask: np.ndarray) -> list[str]:
        return [r["path"] for r, m in zip(self.rows, mask) if m]


def compute_features(data: Data, pipelines: list[dict], copies: int | list[int], jobs: int, cache: Path | None,
                     quiet: bool, stats: dict | None = None) -> list[dict]:
    """Per pipeline: clean (all rows), photo copies of train rows, val photo copy, test sets.

    *copies*: photo copies of the training images, for all pipelines or one number per pipeline.
    """
    bar = None if quiet else "features"
    train = data.split == "train"
    out = [dict() for _ in pipelines]
    wanted = copies if isinstance(copies, list) else [copies] * len(pipelines)

    def put(key: str, mats: list[np.ndarray], which: list[int] | None = None) -> None:
        for i, m in zip(which if which is not None else range(len(pipelines)), mats):
            out[i][key] = m

    put("clean", F.extract_many([r["path"] for r in data.rows], pipelines, "clean", 0, data.dataset, jobs, cache,
                                bar and f"{bar}: sprites", stats))
    for k in range(1, max(wanted, default=0) + 1):
        which = [i for i, c in enumerate(wanted) if c >= k]
        put(f"photo{k}", F.extract_many(data.paths(train), [pipelines[i] for i in which], "photo", k, data.dataset,
                                        jobs, cache, bar and f"{bar}: photo copy {k} (train)", stats), which)
    put("val_photo", F.extract_many(data.paths(data.split == "val"), pipelines, "photo", VAL_SEED, data.dataset,
                                    jobs, cache, bar and f"{bar}: photo copy (val)", stats))
    for name, (trows, folder) in data.testsets.items():
        if trows:
            put(name, F.extract_many([r["path"] for r in trows], pipelines, "clean", 0, folder, jobs, cache,
                                     bar and f"{bar}: {name}", stats))
    return out


def training_set(data: Data, feats: dict, copies: int, mask: np.ndarray | None = None):
    """Training rows (clean train split + photo copies); *mask* restricts to some train rows."""
    train = data.split == "train"
    keep = train if mask is None else (train & mask)
    sub = keep[train]  # which of the train rows (the photo copies are aligned with them)
    X = [feats["clean"][keep]] + [feats[f"photo{k}"][sub] for k in range(1, copies + 1)]
    y = [data.y[keep]] * (1 + copies)
    return np.vstack(X), np.concatenate(y)


def val_scores(clf, data: Data, feats: dict, mask: np.ndarray | None = None) -> dict:
    """Scores on the validation split: as stored (all, Gen-V frames, other styles) and its photo copies.

    The selection score is the mean macro-F1 over the three views a visitor brings — Gen-V frames,
    other drawing styles, photo-like pictures — each counting alike (a view the dataset lacks is
    left out). *mask* (over all rows) keeps only some validation rows.
    """
    val = data.split == "val"
    keep = val if mask is None else val & mask
    predicted = clf.predict(feats["clean"][keep])
    photo = clf.predict(feats["val_photo"][keep[val]])  # the photo copies are aligned with the validation rows
    y, frames = data.y[keep], ~data.other_style[keep]
    out = {"val": scores(y, predicted, data.classes, over='present'),
           "val_gen5": scores(y[frames], predicted[frames], data.classes, over='present'),
           "val_styles": scores(y[~frames], predicted[~frames], data.classes, over='present'),
           "val_photo": scores(y, photo, data.classes, over='present')}
    views = [out[v]["macro_f1"] for v in ("val_gen5", "val_styles", "val_photo") if out[v]["macro_f1"] is not None]
    out["selection_score"] = round(sum(views) / len(views), 4)
    return out
