"""Which features carry across drawing styles: the HOG+SVM feature comparison, on validation only.

The talk's step 2a done again with the other drawing styles in the data
(``python -m export train-svm --compare`` runs it and keeps the table in the training log). Each
candidate of `CANDIDATES` — HOG settings, smoothing, colour weight, more training copies — is a
linear SVM (balanced class weights, C chosen from `C_GRID`) fitted on the training split and scored
on the **validation split only**, by the score `export.train_svm` selects with: the mean
macro-F1 over the Gen-V frames, the other drawing styles and the photo copies of the validation
images. The test split, the leave-one-generation-out diagnostic and the test sets choose nothing.

Speed: the pictures are prepared once by the browser's own code (`pyodemo.classify.prepare`, cached
in ``data/cache/``); the features are then computed with numpy and scikit-image, whose HOG
pyodemo's equals (``tests/test_hog_parity.py``) — about a second per thousand images instead of
ten. Before scoring, every candidate that pyodemo can compute is checked against
`pyodemo.classify.features` on a few validation pictures. The one setting pyodemo lacks,
``"smooth"`` (a Gaussian blur of the gray image before HOG, σ in pixels), is measured here
first: it would be written in pyodemo only if it won.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from export import features as F
from export.svm_data import VAL_SEED, val_scores
from export.svm_model import Fitted, Gram
from pyodemo import classify

#: C values tried for each candidate (linear SVM; the best on the validation score is kept).
C_GRID = (0.03, 0.1, 0.3, 1.0)
GRAY = np.array([0.2125, 0.7154, 0.0721])

from export.train_svm import CHOSEN  # noqa: E402 (train_svm imports this module only when comparing)

_INPUT = CHOSEN["input"]
_HOG, _ROOT = CHOSEN["features"]
_HIST = {"name": "color_hist", "bins": 8, "weight": 6.0}


def _with(*features: dict) -> dict:
    return {"input": _INPUT, "features": list(features)}


#: (name, pipeline, photo copies, restyled copies) per training image.
CANDIDATES: list[tuple[str, dict, int, int]] = [
    ("gray HOG 64, sprites only (no augmentation)", _with(_HOG), 0, 0),
    ("gray HOG 64", _with(_HOG), 2, 0),
    ("colour HOG 64 + RGB histograms (3 × 8 bins; the first model)", _with({**_HOG, "color": "rgb"}, _HIST), 2, 0),
    ("gray HOG 64 + joint RGB histogram (10³ bins)", _with(_HOG, {**_ROOT, "sqrt": False}), 2, 0),
    ("gray HOG 64 + joint histogram 10³, square-rooted", CHOSEN, 2, 0),
    ("joint histogram 10³, square-rooted (no HOG)", _with(_ROOT), 2, 0),
    # colour against shape: styles recolour (shiny, Game Boy palettes)
    ("… histogram weight 4 (less colour)", _with(_HOG, {**_ROOT, "weight": 4.0}), 2, 0),
    ("… histogram weight 8", _with(_HOG, {**_ROOT, "weight": 8.0}), 2, 0),
    ("… histogram weight 32 (more colour)", _with(_HOG, {**_ROOT, "weight": 32.0}), 2, 0),
    ("… histogram 6³ bins", _with(_HOG, {**_ROOT, "bins": 6}), 2, 0),
    # shape across styles: pixel art against smooth art
    ("… HOG on a smoothed image (σ = 1 px)", _with({**_HOG, "smooth": 1.0}, _ROOT), 2, 0),
    ("… HOG on a smoothed image (σ = 1.5 px)", _with({**_HOG, "smooth": 1.5}, _ROOT), 2, 0),
    ("… HOG transform_sqrt", _with({**_HOG, "transform_sqrt": True}, _ROOT), 2, 0),
    ("… HOG with 6 px cells", _with({**_HOG, "pixels_per_cell": [6, 6]}, _ROOT), 2, 0),
    ("… HOG with 16 px cells", _with({**_HOG, "pixels_per_cell": [16, 16]}, _ROOT), 2, 0),
    ("… HOG at 64 and at 32 px (two scales)", _with(_HOG, {**_HOG, "size": 32}, _ROOT), 2, 0),
    ("… colour HOG (strongest channel)", _with({**_HOG, "color": "rgb"}, _ROOT), 2, 0),
    # more varied training pictures: each sprite also redrawn in another style (export.restyle)
    ("… + 1 restyled copy per training sprite", CHOSEN, 2, 1),
    ("… + 2 restyled copies per training sprite", CHOSEN, 2, 2),
]


# ------------------------------------------------------------------------ prepared pictures


def _prepare(args: tuple) -> tuple[np.ndarray, np.ndarray]:
    path, variant, seed, spec = args
    rgba, w, h = F.picture(path, variant, seed)
    image = classify.prepare(rgba, w, h, {"input": spec})
    size = spec["size"]
    alpha = image.alpha if image.alpha is not None else [1.0] * (size * size)
    return (np.asarray(image.pixels, np.float64).reshape(size, size, 3),
            np.asarray(alpha, np.float64).reshape(size, size))


def prepared(paths: list[str], variant: str, seed: int, dataset: Path, jobs: int = 2,
             cache: Path | None = F.CACHE) -> tuple[np.ndarray, np.ndarray]:
    """The browser's prepared inputs ``(n, size, size, 3)`` and their alpha ``(n, size, size)``, cached."""
    key = hashlib.sha256(json.dumps([F.cache_key({"input": _INPUT}, variant, seed, paths, dataset), "prepared"])
                         .encode()).hexdigest()[:24]
    file = None if cache is None else Path(cache) / f"prepared-{key}.npz"
    if file is not None and file.is_file():
        with np.load(file) as z:
            return z["pixels"], z["alpha"]
    tasks = [(str(dataset / p), variant, seed, _INPUT) for p in paths]
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        out = list(pool.map(_prepare, tasks, chunksize=32))
    pixels, alpha = np.stack([o[0] for o in out]), np.stack([o[1] for o in out])
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(file.with_suffix(".tmp.npz"), pixels=pixels, alpha=alpha)
        file.with_suffix(".tmp.npz").replace(file)
    return pixels, alpha


# ------------------------------------------------------------------------ the features in numpy


def hog_numpy(pixels: np.ndarray, feature: dict) -> np.ndarray:
    """A ``hog`` feature of prepared pictures, as `pyodemo.classify.hog_features` computes it."""
    from skimage.feature import hog
    from skimage.filters import gaussian

    spec = classify.hog_spec({k: v for k, v in feature.items() if k != "smooth"})
    size = feature.get("size", pixels.shape[1])
    rows = []
    for picture in pixels.astype(np.float64):
        if size != picture.shape[0]:  # the box filter at a whole factor: block means
            k = picture.shape[0] // size
            picture = picture.reshape(size, k, size, k, 3).mean((1, 3))
        image = picture if spec["color"] == "rgb" else picture @ GRAY
        if feature.get("smooth"):
            image = gaussian(image, feature["smooth"], mode="nearest", channel_axis=-1 if image.ndim == 3 else None)
        rows.append(hog(image, spec["orientations"], tuple(spec["pixels_per_cell"]), tuple(spec["cells_per_block"]),
                        spec["block_norm"], transform_sqrt=spec["transform_sqrt"], feature_vector=True,
                        channel_axis=-1 if image.ndim == 3 else None))
    return np.asarray(rows)


def histogram_numpy(pixels: np.ndarray, alpha: np.ndarray, feature: dict) -> np.ndarray:
    """A ``color_hist`` feature, as `pyodemo.classify.color_histogram` computes it."""
    bins, weight = feature.get("bins", 8), feature.get("weight", 1.0)
    index = np.minimum((pixels.astype(np.float64) * bins).astype(int), bins - 1).reshape(len(pixels), -1, 3)
    a = alpha.reshape(len(alpha), -1).astype(np.float64)
    total = np.maximum(a.sum(1, keepdims=True), 1e-300)
    if feature.get("joint"):
        key = (index[..., 0] * bins + index[..., 1]) * bins + index[..., 2]
        shares = np.stack([np.bincount(k, weights=w, minlength=bins**3) for k, w in zip(key, a)]) / total
    else:
        shares = np.hstack([np.stack([np.bincount(k, weights=w, minlength=bins) for k, w in zip(index[..., c], a)])
                            for c in range(3)]) / total
    return weight * (np.sqrt(shares) if feature.get("sqrt") else shares)


def features_numpy(pixels: np.ndarray, alpha: np.ndarray, pipeline: dict) -> np.ndarray:
    """The pipeline's feature vectors of prepared pictures (`pyodemo.classify.features`, in numpy)."""
    parts = [hog_numpy(pixels, f) if f["name"] == "hog" else histogram_numpy(pixels, alpha, f)
             for f in pipeline["features"]]
    return np.hstack(parts)


def in_pyodemo(pipeline: dict) -> bool:
    return not any("smooth" in f for f in pipeline["features"])


def check_against_pyodemo(pipeline: dict, paths: list[Path]) -> float:
    """Largest difference between these features and pyodemo's on *paths* (clean pictures)."""
    worst = 0.0
    for path in paths:
        rgba, w, h = F.picture(path)
        image = classify.prepare(rgba, w, h, pipeline)
        mine = features_numpy(np.asarray(image.pixels, np.float64).reshape(image.height, image.width, 3)[None],
                              np.asarray(image.alpha or [1.0] * (image.width * image.height), np.float64).reshape(image.height, image.width)[None],
                              pipeline)[0]
        worst = max(worst, float(np.abs(mine - np.asarray(classify.features(image, pipeline))).max()))
    return worst


# ------------------------------------------------------------------------ the comparison


def compare(data, jobs: int = 2, cache: Path | None = F.CACHE, say=print) -> list[dict]:
    """The table: one row per candidate, the validation scores of its best C (`export.svm_data.Data`)."""
    train, val = data.split == "train", data.split == "val"
    train_paths, val_paths = data.paths(train), data.paths(val)
    most_photo = max(c[2] for c in CANDIDATES)
    most_style = max(c[3] for c in CANDIDATES)
    t0 = time.perf_counter()
    pictures = {"train": prepared(train_paths, "clean", 0, data.dataset, jobs, cache),
                "val": prepared(val_paths, "clean", 0, data.dataset, jobs, cache),
                "val_photo": prepared(val_paths, "photo", VAL_SEED, data.dataset, jobs, cache)}
    for k in range(1, most_photo + 1):
        pictures[f"photo{k}"] = prepared(train_paths, "photo", k, data.dataset, jobs, cache)
    for k in range(1, most_style + 1):
        pictures[f"style{k}"] = prepared(train_paths, "style", k, data.dataset, jobs, cache)
    say(f"  pictures prepared by pyodemo: {time.perf_counter() - t0:.0f} s")
    check = [data.dataset / p for p in val_paths[:: max(1, len(val_paths) // 5)][:5]]
    table = []
    for name, pipeline, photo, style in CANDIDATES:
        if in_pyodemo(pipeline):
            worst = check_against_pyodemo(pipeline, check)
            if worst > 1e-6:
                raise ValueError(f"{name}: numpy features differ from pyodemo's by {worst:.2g}")
        feats = {key: features_numpy(*pictures[key], pipeline)
                 for key in ["train", "val", "val_photo", *[f"photo{k}" for k in range(1, photo + 1)],
                             *[f"style{k}" for k in range(1, style + 1)]]}
        X = np.vstack([feats["train"], *[feats[f"photo{k}"] for k in range(1, photo + 1)],
                       *[feats[f"style{k}"] for k in range(1, style + 1)]])
        y = np.concatenate([data.y[train]] * (1 + photo + style))
        gram = Gram(X)
        best = None
        for C in C_GRID:
            fitted = Fitted(gram, {"kernel": "linear", "C": C}, y)
            s = val_scores(fitted, data, {"clean": _full(data, feats["val"]), "val_photo": feats["val_photo"]})
            if best is None or s["selection_score"] > best[1]["selection_score"]:
                best = (fitted, s, C)
        fitted, s, C = best
        row = {"setting": name, "pipeline": pipeline, "photo_copies": photo, "restyled_copies": style,
               "kernel": "linear", "C": C, "n_features": int(X.shape[1]), "n_sv": fitted.n_sv,
               **{f"{view}_{k}": s[view][k] for view in ("val", "val_gen5", "val_styles", "val_photo")
                  for k in ("accuracy", "macro_f1")},
               "selection_score": s["selection_score"], "in_pyodemo": in_pyodemo(pipeline),
               "cpython_features_ms_per_image": _pyodemo_ms(pipeline, check) if in_pyodemo(pipeline) else None}
        table.append(row)
        say(f"  {name:52s} C={C:<4} Gen-V {row['val_gen5_accuracy']:.3f}  styles {row['val_styles_accuracy']:.3f}  "
            f"photo {row['val_photo_accuracy']:.3f}  score {row['selection_score']:.4f}  d {row['n_features']}")
    return table


def _full(data, val_rows: np.ndarray) -> np.ndarray:
    """Validation rows placed in a matrix over all rows (what `export.svm_data.val_scores` indexes)."""
    out = np.zeros((len(data.rows), val_rows.shape[1]))
    out[data.split == "val"] = val_rows
    return out


def _pyodemo_ms(pipeline: dict, paths: list[Path]) -> float:
    """Median CPython time of pyodemo's prepare + features on *paths* (best of two runs each)."""
    times = []
    for path in paths:
        rgba, w, h = F.picture(path)
        runs = []
        for _ in range(2):
            t = time.perf_counter()
            classify.features(classify.prepare(rgba, w, h, pipeline), pipeline)
            runs.append(time.perf_counter() - t)
        times.append(min(runs))
    return round(1000 * statistics.median(times), 2)
