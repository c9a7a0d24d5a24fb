"""``python -m export report`` — the talk's step 4: both committed models, measured once, as data.

Run after the trainers (``make models`` runs it last). It loads the models the site serves —
``slides/models/hog_svm.svm`` and ``cnn.onnx`` + ``cnn.json`` — and feeds them each picture
exactly as the browser does:

* **HOG+SVM**: the picture decoded and turned upright (EXIF) to RGBA, then what the browser
  does — `export.predict.svm_answer`: the default crop, the block reduction of a picture over
  512 × 512 px (`export.svm_input`), then pyodemo's box-filter resize, features and the SVM's
  ``ovr`` scores — with the pipeline and the "not sure" threshold of the model file's header;
* **CNN**: `export.cnn_input` (Pillow mirroring the browser's canvas: default crop, resize,
  composite on the background, normalise) with the sidecar's parameters, run by onnxruntime.

and scores them (scikit-learn's metrics) on four sets:

1. the **test split** of the dataset (``data/pokemon-10/manifest.csv``), opened once, here;
2. the **cross-view diagnostic** — models trained on front views only, tested on back views.
   Those models are trained by the trainers, not here: their confusion matrices are read from
   the training logs ``cnn-train.json`` / ``hog_svm-train.json`` and scored the same way;
3. the **photo-like set** (``data/photo-like``): test sprites on real photographs;
4. the **unseen-art set** (``data/unseen-art``): the ten dream-world artworks, one per class;

plus the **not-Pokémon** set (``data/not-pokemon``): how many of those pictures each model's
threshold turns into "not sure".

For each model and set: accuracy, macro-F1, per-class precision / recall / F1 and the confusion
matrix (rows: true class, columns: predicted class); how many answers clear the threshold. For
each model: its size, support vectors or parameters, training time (from the logs). And a
``dataset`` section: images per class and split (from the manifest), distinct pictures per
split, the imbalance, the split rule and the augmentations each trainer used (from the logs).

Writes ``slides/models/metrics.json`` (keys in a fixed order, numbers rounded, no timestamps: the
same models give the same file) and SVG figures into ``slides/models/figures/`` (`export.figures`):
a confusion matrix per model × {test split, photo-like set}, and per-class F1 of both models on
the test split. The KPI widget on the results page reads metrics.json; nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from export import figures

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"
DATA = ROOT / "data"
DATASET = DATA / "pokemon-10"
FORMAT = "pyodemo-metrics"
VERSION = 1

#: The models, in the order every table lists them.
MODEL_NAMES = {"hog_svm": "HOG + SVM", "cnn": "CNN"}
#: The evaluation sets, in the order every table lists them.
SETS = {
    "test": ("test split", "20% of the groups (Gen-V frames and style images), held out; opened once"),
    "test_frames": ("test split: Gen-V frames", "the test split's Gen-V animation frames (the style of training)"),
    "test_styles": ("test split: other styles", "the test split's images in other drawing styles: "
                    "generations I–V battle sprites and icons"),
    "crossview": ("cross-view diagnostic", "models trained on front views only, tested on back views"),
    "photo_like": ("photo-like set", "test sprites pasted onto photographs, blurred, JPEG-compressed"),
    "unseen_art": ("unseen art style", "the ten dream-world artworks, one per Pokémon"),
}
#: The leave-one-generation-out folds (``python -m export crossstyle`` → ``slides/models/crossstyle.json``).
LOGO_SETS = {
    "logo_g1": ("LOGO: generation I left out", "both models retrained without any generation I picture (Game Boy)"),
    "logo_g2": ("LOGO: generation II left out", "retrained without generation II (Game Boy Color)"),
    "logo_g3": ("LOGO: generation III left out", "retrained without generation III (Game Boy Advance)"),
    "logo_g4": ("LOGO: generation IV left out", "retrained without generation IV (Nintendo DS)"),
    "logo_icons": ("LOGO: icons left out", "retrained without any box or menu icon"),
}
#: The issue's targets (what "good enough" meant before measuring).
TARGETS = {
    "test": {"hog_svm": 0.98, "cnn": 0.98},
    "crossview": {"hog_svm": 0.90, "cnn": 0.90},
    "photo_like": {"hog_svm": 0.70, "cnn": 0.90},
    "unseen_art": {"hog_svm": 8, "cnn": 9},
}
SPLIT_RULE = (
    "Frames are grouped into runs of consecutive poses of one view, each group carrying its recoloured "
    "twins (shiny, female); the groups of each class go 60/20/20 to train/validation/test (seeded), and "
    "guard frames are dropped where neighbouring poses landed in different splits, so no near-duplicate "
    "straddles two splits."
)
SPLIT_RULE_FOLDERS = (
    "Each image is its own group (pixel-identical images share one); the groups of each class go "
    "60/20/20 to train/validation/test (seeded)."
)


def r4(x: float) -> float:
    """A score rounded to 4 decimals (0.1 of a percentage point is the finest a slide shows)."""
    return round(float(x), 4)


# ------------------------------------------------------------------------ the metrics


def scores(y_true: Sequence[int], y_pred: Sequence[int], classes: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision / recall / F1 and the confusion matrix.

    scikit-learn's definitions, over all of *classes* (a class with no image and no prediction
    scores 0, `zero_division=0`); labels are class indices. Rows of ``confusion`` are the true
    class, columns the predicted class.

    >>> s = scores([0, 0, 1, 1], [0, 1, 1, 1], ["A", "B"])
    >>> s["accuracy"], s["macro_f1"], s["per_class"]["B"]
    (0.75, 0.7333, {'precision': 0.6667, 'recall': 1.0, 'f1': 0.8, 'support': 2})
    >>> s["confusion"]
    [[1, 1], [0, 2]]
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if len(y_true) == 0:
        return {"n": 0}
    labels = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": int(len(y_true)),
        "correct": int((y_true == y_pred).sum()),
        "accuracy": r4(accuracy_score(y_true, y_pred)),
        "macro_f1": r4(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": {
            cls: {"precision": r4(p), "recall": r4(r), "f1": r4(f), "support": int(s)}
            for cls, p, r, f, s in zip(classes, precision, recall, f1, support)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def from_confusion(matrix: Sequence[Sequence[int]]) -> tuple[list[int], list[int]]:
    """The (true, predicted) label pairs a confusion matrix counts — to score a logged matrix.

    >>> from_confusion([[1, 2], [0, 1]])
    ([0, 0, 0, 1], [0, 1, 1, 1])
    """
    y_true: list[int] = []
    y_pred: list[int] = []
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if int(count) < 0:
                raise ValueError("a confusion matrix cannot hold a negative count")
            y_true += [i] * int(count)
            y_pred += [j] * int(count)
    return y_true, y_pred


# ------------------------------------------------------------------------ the sets


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_manifest(dataset: Path = DATASET) -> list[dict[str, str]]:
    path = Path(dataset) / "manifest.csv"
    if not path.is_file():
        raise ValueError(f"{path} not found: build the dataset first (python -m export dataset)")
    rows = read_csv(path)
    if not rows:
        raise ValueError(f"{path} lists no images")
    return rows


def split_pictures(dataset: Path = DATASET, split: str = "test") -> list[tuple[Path, str]]:
    """The pictures of one split of the dataset (default: the test split) and their classes."""
    return [(Path(dataset) / r["path"], r["class"]) for r in read_manifest(dataset) if r["split"] == split]


def test_kinds(dataset: Path = DATASET) -> list[str]:
    """Per test-split picture (in `split_pictures` order): ``"frames"``, ``"styles"`` or ``""`` (no style column)."""
    from export.styles import ANIMATED_STYLE

    out = []
    for r in read_manifest(dataset):
        if r["split"] == "test":
            style = r.get("style") or ""
            out.append("" if not style else "frames" if style == ANIMATED_STYLE else "styles")
    return out


def labelled_sets(dataset: Path, data: Path, classes: Sequence[str]) -> dict[str, list[tuple[Path, str]]]:
    """Every set scored here (not the cross-view one): name → [(picture, class)]; a set not built is []."""
    sets: dict[str, list[tuple[Path, str]]] = {"test": split_pictures(dataset)}
    photo = Path(data) / "photo-like" / "manifest.csv"
    sets["photo_like"] = [(photo.parent / r["path"], r["class"]) for r in read_csv(photo)] if photo.is_file() else []
    art = Path(data) / "unseen-art"
    sets["unseen_art"] = [(art / f"{c}.png", c) for c in classes if (art / f"{c}.png").is_file()]
    for name, items in sets.items():
        unknown = sorted({c for _, c in items} - set(classes))
        if unknown:
            raise ValueError(f"the {name} set has classes the models do not know: {', '.join(unknown)}")
    return sets


def not_pokemon(data: Path) -> list[tuple[Path, str]]:
    """The not-Pokémon pictures and their kind (other-pokemon, photo)."""
    manifest = Path(data) / "not-pokemon" / "manifest.csv"
    if not manifest.is_file():
        return []
    return [(manifest.parent / r["path"], r.get("kind", "")) for r in read_csv(manifest)]


# ------------------------------------------------------------------------ the models' answers

#: One picture's answer: ``{"top": [(label, score)] (top-3, best first), "sure": bool}`` — "sure"
#: by the model's own rule (`pyodemo.classify.is_sure` for HOG+SVM; top-1 probability ≥ threshold for the CNN).
Answer = dict
_SVM = None


def _svm_init(path: str) -> None:
    global _SVM
    from pyodemo.svm import SVC

    _SVM = SVC.load(path)


def _svm_answer(path: str) -> Answer:
    from export.features import open_rgba
    from export.predict import svm_answer

    rgba, width, height = open_rgba(path)
    answer = svm_answer(_SVM, rgba, width, height, k=3)
    top = answer["top"]
    on_margin = str((_SVM.pipeline or {}).get("threshold_on", "")).startswith("margin")
    return {"top": [(t["label"], float(t["score"])) for t in top], "sure": bool(answer["sure"]),
            "confidence": float(top[0]["margin"] if on_margin else top[0]["score"])}


def svm_answers(model_path: Path, paths: Sequence[Path], jobs: int = 2, progress: str | None = None) -> list[Answer]:
    """HOG+SVM's top-3 for each picture, computed by pyodemo as in the browser (*jobs* processes)."""
    from tqdm import tqdm

    paths = [str(p) for p in paths]
    jobs = max(1, min(jobs, os.cpu_count() or 1, len(paths) or 1))
    bar = tqdm(total=len(paths), desc=progress or "hog_svm", unit="img", disable=progress is None, leave=False)
    out: list[Answer] = []
    if jobs == 1:
        _svm_init(str(model_path))
        for p in paths:
            out.append(_svm_answer(p))
            bar.update()
    else:
        with ProcessPoolExecutor(jobs, initializer=_svm_init, initargs=(str(model_path),)) as pool:
            for answer in pool.map(_svm_answer, paths, chunksize=16):
                out.append(answer)
                bar.update()
    bar.close()
    return out


class Cnn:
    """The committed CNN: onnxruntime on `export.cnn_input`'s browser-mirroring input."""

    def __init__(self, models: Path) -> None:
        import onnxruntime as ort

        self.sidecar = json.loads((Path(models) / "cnn.json").read_text())
        self.classes = list(self.sidecar["classes"])
        self.spec = self.sidecar["input"]
        self.threshold = self.sidecar.get("threshold")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(Path(models) / "cnn.onnx"), options, providers=["CPUExecutionProvider"])
        self.input_name = self.spec.get("name") or self.session.get_inputs()[0].name
        self.logits = (self.sidecar.get("outputs") or {}).get("logits", "logits")

    def probabilities(self, paths: Sequence[Path], batch: int = 128) -> np.ndarray:
        """Softmax probabilities ``(N, classes)`` for the pictures at *paths*."""
        from export import cnn_input

        parts = []
        for i in range(0, len(paths), batch):
            x = cnn_input.batch(paths[i : i + batch], self.spec)
            (logits,) = self.session.run([self.logits], {self.input_name: x})
            z = np.exp(logits - logits.max(axis=1, keepdims=True))
            parts.append(z / z.sum(axis=1, keepdims=True))
        return np.concatenate(parts) if parts else np.zeros((0, len(self.classes)))

    def answers(self, paths: Sequence[Path]) -> list[Answer]:
        probs = self.probabilities(paths)
        order = np.argsort(-probs, axis=1, kind="stable")[:, :3]
        return [{"top": [(self.classes[c], float(p[c])) for c in row],
                 "sure": self.threshold is None or float(p[row[0]]) >= self.threshold,
                 "confidence": float(p[row[0]])}
                for row, p in zip(order, probs)]


# ------------------------------------------------------------------------ scoring answers


def score_answers(answers: Sequence[Answer], truth: Sequence[str], classes: Sequence[str]) -> dict:
    """`scores` of the top-1 answers, plus how many clear the threshold (and are right)."""
    index = {c: i for i, c in enumerate(classes)}
    y_true = [index[c] for c in truth]
    y_pred = [index[a["top"][0][0]] for a in answers]
    out = scores(y_true, y_pred, classes)
    if out["n"]:
        sure = [a["sure"] for a in answers]
        out["sure"] = int(sum(sure))
        out["correct_and_sure"] = int(sum(s and t == p for s, t, p in zip(sure, y_true, y_pred)))
        out.update(how_sure(out["n"], out["sure"], out["correct_and_sure"]))
    return out


def how_sure(n: int, sure: int, correct_and_sure: int) -> dict:
    """Coverage (the share of answers marked sure) and confident errors (sure and wrong, as a share of
    all answers); the accuracy of the sure answers.

    >>> how_sure(10, 8, 6)
    {'coverage': 0.8, 'confident_errors': 0.2, 'sure_accuracy': 0.75}
    """
    return {"coverage": r4(sure / n) if n else None,
            "confident_errors": r4((sure - correct_and_sure) / n) if n else None,
            "sure_accuracy": r4(correct_and_sure / sure) if sure else None}


def rejection(answers: Sequence[Answer], kinds: Sequence[str]) -> dict:
    """How many not-Pokémon pictures fall below the threshold ("not sure"), overall and by kind."""
    below = [not a["sure"] for a in answers]
    by_kind: dict[str, dict[str, int]] = {}
    for kind in sorted(set(kinds)):
        picked = [b for b, k in zip(below, kinds) if k == kind]
        by_kind[kind] = {"n": len(picked), "rejected": int(sum(picked))}
    n = len(answers)
    sure = n - int(sum(below))
    # no answer is right on a picture of none of the ten: every sure answer is a confident error
    return {"n": n, "rejected": int(sum(below)), "rejected_fraction": r4(sum(below) / n) if n else None,
            "coverage": r4(sure / n) if n else None, "confident_errors": r4(sure / n) if n else None,
            "by_kind": by_kind}


def crossview_from_log(log: dict | None, classes: Sequence[str]) -> dict:
    """The cross-view diagnostic as a trainer logged it, scored like the other sets."""
    if not log:
        return {"n": 0, "note": "no training log"}
    cv = (log.get("metrics") or {}).get("crossview") or log.get("crossview") or {}
    matrix = cv.get("confusion")
    if isinstance(matrix, dict):  # {"labels": [...], "matrix": [[...]]}
        if list(matrix.get("labels") or classes) != list(classes):
            raise ValueError("the cross-view confusion matrix in the log lists other classes")
        matrix = matrix.get("matrix")
    if not matrix:
        if not cv.get("n") or cv.get("accuracy") is None:
            return {"n": 0, "note": cv.get("note") or "the training log has no cross-view result"}
        # only the summary was logged: keep it, and say what is missing
        out = {"n": int(cv["n"]), "correct": int(cv.get("correct", round(cv["accuracy"] * cv["n"]))),
               "accuracy": r4(cv["accuracy"])}
        if cv.get("macro_f1") is not None:
            out["macro_f1"] = r4(cv["macro_f1"])
        if isinstance(cv.get("recall"), dict):
            out["per_class"] = {c: {"recall": r4(cv["recall"][c])} for c in classes if c in cv["recall"]}
        out["source"] = "training log"
        out["note"] = "the training log has no cross-view confusion matrix: no precision or per-class F1"
        return out
    logged = list(log.get("classes") or cv.get("classes") or classes)
    if logged != list(classes):
        raise ValueError(f"the cross-view log's classes {logged} differ from the model's {list(classes)}")
    out = scores(*from_confusion(matrix), classes)
    if "accuracy" in cv and abs(float(cv["accuracy"]) - out["accuracy"]) > 1e-3:
        raise ValueError("the cross-view log's accuracy disagrees with its confusion matrix")
    for key in ("train", "test", "fit_on", "epochs", "selection"):
        if key in cv:
            out[key] = cv[key]
    out["source"] = "training log"
    return out


# ------------------------------------------------------------------------ the models' facts


def read_log(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except ValueError as error:
        raise ValueError(f"{path} is not valid JSON ({error})") from None


def _get(d: dict | None, *paths: str):
    """The first of the dotted key *paths* present in *d* (None if none)."""
    for path in paths:
        node = d
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                node = None
                break
            node = node[key]
        if node is not None:
            return node
    return None


def svm_facts(path: Path, log: dict | None) -> dict:
    from pyodemo import classify, modelfile

    header, arrays = modelfile.unpack(path.read_bytes())
    n_features = int(header["n_features"])
    n_sv = sum(header["n_support"])
    n_problems = len(arrays["rho"])
    madds = n_problems * n_features if header.get("form") == "weights" else n_sv * n_features
    pipeline = header.get("pipeline") or classify.DEFAULT_PIPELINE
    facts = {
        "name": MODEL_NAMES["hog_svm"],
        "file": path.name,
        "bytes": path.stat().st_size,
        "kernel": header["kernel"],
        "C": header["C"],
        "gamma": float(f"{header['gamma']:.6g}") if header["kernel"] != "linear" else None,
        "n_features": n_features,
        "n_support_vectors": n_sv,
        "n_support": header["n_support"],
        "stored_as": header.get("form"),
        "dtype": header.get("dtype"),
        "multiply_adds_per_image": madds,
        "features": pipeline.get("features"),
        "input_size": (pipeline.get("input") or {}).get("size"),
        "threshold": header.get("threshold"),
        "threshold_on": pipeline.get("threshold_on"),
        "class_weight": header.get("class_weight"),
        **svm_training_time(log),
        "training_log": "hog_svm-train.json" if log else None,
    }
    return facts


def svm_training_time(log: dict | None) -> dict:
    """The HOG+SVM trainer's time: the SVM fits of the kernel grid (model selection), and its whole run.

    The features are cached between runs (`export.features`), so their time is reported apart.
    """
    grid = _get(log, "kernel_grid") or []
    fits = [row.get("fit_s") for row in grid if isinstance(row, dict)]
    wall = _seconds(log, "timing.train_svm_wall_s")
    features_s = _get(log, "timing.features_s")
    cached = (f"; the HOG features took {float(features_s):.1f} s more in that run (they are cached between runs)"
              if isinstance(features_s, (int, float)) else "")
    grid_s, refit_s = _get(log, "timing.kernel_grid_s"), _get(log, "timing.refit_s")
    if isinstance(grid_s, (int, float)):
        what = f"the kernel grid ({len(grid)} SVM fits, each scored on the validation split)"
        total = float(grid_s)
        if isinstance(refit_s, (int, float)):
            what += " + the final fit"
            total += float(refit_s)
        return {"training_seconds": round(total, 1), "training_what": what + cached, "trainer_wall_seconds": wall}
    if not fits or None in fits:
        return {"training_seconds": _seconds(log, "seconds.train"), "training_what": None, "trainer_wall_seconds": wall}
    what = f"{len(fits)} SVM fits (the kernel grid, each scored on the validation split)" + cached
    return {"training_seconds": round(sum(map(float, fits)), 1), "training_what": what, "trainer_wall_seconds": wall}


def cnn_facts(models: Path, log: dict | None, sidecar: dict) -> dict:
    onnx_path = Path(models) / "cnn.onnx"
    return {
        "name": MODEL_NAMES["cnn"],
        "file": onnx_path.name,
        "bytes": onnx_path.stat().st_size,
        "sidecar_bytes": (Path(models) / "cnn.json").stat().st_size,
        "parameters": _get(log, "parameters"),
        "architecture": _get(log, "architecture"),
        "input_size": sidecar["input"]["size"],
        "best_epoch": _get(log, "best_epoch"),
        "epochs_run": _get(log, "epochs_run"),
        "threshold": sidecar.get("threshold"),
        "threshold_on": sidecar.get("threshold_on"),
        "training_seconds": _seconds(log, "seconds.train"),
        "training_what": "the training epochs, each scored on the validation split (early stopping)",
        "trainer_wall_seconds": _seconds(log, "seconds.wall"),
        "training_log": "cnn-train.json" if log else None,
    }


def _seconds(log: dict | None, *paths: str) -> float | None:
    value = _get(log, *paths)
    return round(float(value), 1) if isinstance(value, (int, float)) else None


# ------------------------------------------------------------------------ the dataset section


def cnn_augmentations(log: dict | None) -> list[str]:
    """The CNN trainer's augmentations in words, from the config in its log."""
    c = _get(log, "config") or {}
    if not c:
        return []
    pct = lambda p: f"{100 * p:.0f}%"  # noqa: E731
    out = []
    if "scale" in c:
        out.append(f"random scale: the sprite's longer side {pct(c['scale'][0])}–{pct(c['scale'][1])} of the frame, at a random position")
    out.append("horizontal flips (50%)")
    if c.get("max_rotation"):
        out.append(f"rotation up to ±{c['max_rotation']:g}° (50%)")
    if "p_white" in c and "p_solid" in c:
        rest = max(0.0, 1 - c["p_white"] - c["p_solid"])
        out.append(f"backgrounds: white {pct(c['p_white'])}, a random solid colour {pct(c['p_solid'])}, "
                   f"procedural clutter (gradients, noise, patterns) {pct(rest)}")
    if c.get("p_jitter"):
        out.append(f"colour jitter ({pct(c['p_jitter'])} of samples): brightness ±{c.get('brightness', 0):g}, "
                   f"contrast ±{c.get('contrast', 0):g}, saturation ±{c.get('saturation', 0):g}, hue ±{c.get('hue', 0):g}")
    if c.get("p_blur"):
        lo, hi = c.get("blur_sigma", (0, 0))
        out.append(f"Gaussian blur σ {lo:g}–{hi:g} ({pct(c['p_blur'])})")
    if c.get("p_noise"):
        lo, hi = c.get("noise_sigma", (0, 0))
        out.append(f"pixel noise σ {lo:g}–{hi:g} ({pct(c['p_noise'])})")
    if c.get("p_jpeg"):
        lo, hi = c.get("jpeg_quality", (0, 0))
        out.append(f"JPEG compression, quality {lo}–{hi} ({pct(c['p_jpeg'])})")
    if c.get("p_clean"):
        out.append(f"{pct(c['p_clean'])} of samples are exactly the browser's input (no augmentation)")
    return out


def svm_augmentations(log: dict | None) -> list[str]:
    """The HOG+SVM trainer's augmentations, from its log."""
    value = _get(log, "augmentations", "augmentation", "dataset.augmentations")
    if isinstance(value, dict) and "photo_copies_per_train_image" in value:
        n = int(value["photo_copies_per_train_image"])
        out = ["the training sprites as stored, composited on white (what a sprite dropped on the page gives)"]
        if n:
            out.append(f"{n} photo-like cop{'y' if n == 1 else 'ies'} of each training sprite "
                       "(export.features.photo_composite): mirrored at random, scaled so its longer side is "
                       "40–90% of the frame, placed at random, slightly blurred, JPEG-compressed")
        if value.get("backgrounds"):
            out.append("backgrounds: " + str(value["backgrounds"]).split(" [")[0])  # without the list of photos
        return out
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) if not isinstance(v, dict) else v.get("description") or json.dumps(v) for v in value]
    if isinstance(value, dict):
        described = value.get("description") or value.get("augmentations")
        if isinstance(described, list):
            return [str(v) for v in described]
        if isinstance(described, str):
            return [described]
        return [f"{k}: {v}" for k, v in value.items()]
    return []


def balancing(name: str, log: dict | None, class_weight: object = None) -> str | None:
    stated = _get(log, "class_balancing", "balancing", "class_weight")
    if stated is not None:
        return stated if isinstance(stated, str) else json.dumps(stated)
    if class_weight == "balanced":
        return "class weights: each class weighted by (all images) / (classes × its images), scikit-learn's \"balanced\""
    if isinstance(class_weight, dict) and class_weight:
        return "class weights: " + ", ".join(f"{c} {float(w):.2f}" for c, w in class_weight.items())
    if name == "cnn" and _get(log, "format") == "pyodemo-cnn-train":
        return "balanced sampling: every class equally often per epoch, each distinct picture equally often"
    return None


#: The dataset's sources in table order: manifest ``generation`` (and style) → column name.
SOURCES = {"gen5-animated": "Gen-V animations", "1": "gen I", "2": "gen II", "3": "gen III", "4": "gen IV",
           "5": "gen V static", "icons": "icons"}
STYLE_SPLIT_RULE = (
    "Style images are grouped by class, generation and view (front or back): all games and variants "
    "(shiny, gray, GBC palette, transparent, female) of one generation's drawing together; all icon sets "
    "of a class form one group; a black-white static sprite goes with the animation pose whose outline it "
    "matches. The groups of each class go 60/20/20 to train/validation/test (seeded), apart from the frames."
)


def styles_section(rows: Sequence[dict], classes: Sequence[str], info: dict) -> dict | None:
    """Images per class and source (Gen-V animations, generations I–V, icons) and per split; None without styles."""
    from export.styles import ANIMATED_STYLE

    if not any(r.get("style") for r in rows):
        return None

    def source(r: dict) -> str:
        return "gen5-animated" if r["style"] == ANIMATED_STYLE else r["generation"]

    per_class = {c: dict.fromkeys(SOURCES, 0) for c in classes}
    per_split = {s: dict.fromkeys(SOURCES, 0) for s in ("train", "val", "test")}
    games: dict[str, set[str]] = {k: set() for k in SOURCES}
    for r in rows:
        per_class[r["class"]][source(r)] += 1
        per_split[r["split"]][source(r)] += 1
        games[source(r)].add(r["style"])
    return {"sources": SOURCES, "split_rule": STYLE_SPLIT_RULE, "per_class": per_class, "per_split": per_split,
            "styles": {k: sorted(v) for k, v in games.items()},
            "nearest_train": info.get("nearest_train"),
            "left_out": {k: len(v) for k, v in (info.get("styles") or {}).items()
                         if k in ("static_dropped_with_guard_poses", "fan_recolours_dropped")}}


def dataset_section(dataset: Path, data: Path, classes: Sequence[str], logs: dict[str, dict | None],
                    class_weight: object = None) -> dict:
    from PIL import Image

    from export.dataset import image_digest

    rows = read_manifest(dataset)
    info = read_log(Path(dataset) / "dataset.json") or {}
    splits = ("train", "val", "test")
    counts = {c: {s: 0 for s in splits} for c in classes}
    distinct: dict[str, set[str]] = defaultdict(set)
    crossview = {c: {"front": 0, "back": 0} for c in classes}
    for r in rows:
        if r["class"] not in counts:
            raise ValueError(f"the manifest has a class the models do not know: {r['class']}")
        counts[r["class"]][r["split"]] += 1
        with Image.open(Path(dataset) / r["path"]) as im:
            distinct[r["split"]].add(r["class"] + ":" + image_digest(im.convert("RGBA")))
        if r.get("crossview") == "train":
            crossview[r["class"]]["front"] += 1
        elif r.get("crossview") == "test":
            crossview[r["class"]]["back"] += 1
    per_class = {}
    for c in classes:
        entry = {**counts[c], "total": sum(counts[c].values())}
        guards = _get(info, f"counts.{c}.guard_frames_dropped")
        if guards is not None:
            entry["guard_frames_dropped"] = guards
            entry["source_frames"] = entry["total"] + guards
        per_class[c] = entry
    totals = {s: sum(counts[c][s] for c in classes) for s in splits}
    totals["total"] = sum(totals.values())

    def imbalance(key: str) -> dict:
        values = {c: per_class[c][key] for c in classes}
        big, small = max(values, key=values.get), min(values, key=values.get)
        ratio = values[big] / values[small] if values[small] else None
        return {"largest": {"class": big, "n": values[big]}, "smallest": {"class": small, "n": values[small]},
                "ratio": round(ratio, 2) if ratio else None}

    has_views = any(r.get("view") for r in rows)
    styles = styles_section(rows, classes, info)
    test_sets = {name: len(items) for name, items in labelled_sets(dataset, data, classes).items() if name != "test"}
    test_sets["not_pokemon"] = len(not_pokemon(data))
    return {
        "name": info.get("name") or Path(dataset).name,
        "source": info.get("source"),
        "image_size": info.get("size"),
        "classes": list(classes),
        "split_rule": SPLIT_RULE if has_views else SPLIT_RULE_FOLDERS,
        "fractions": info.get("fractions") or {"train": 0.6, "val": 0.2, "test": 0.2},
        "counts": per_class,
        "totals": totals,
        "distinct": {s: len(distinct[s]) for s in splits},
        "imbalance": {"train": imbalance("train"), "all": imbalance("total")},
        "crossview": {"train": "front views", "test": "back views", "counts": crossview} if has_views else None,
        "styles": styles,
        "test_sets": test_sets,
        "augmentations": {"hog_svm": svm_augmentations(logs.get("hog_svm")), "cnn": cnn_augmentations(logs.get("cnn"))},
        "class_balancing": {name: balancing(name, logs.get(name), class_weight if name == "hog_svm" else None)
                            for name in MODEL_NAMES},
    }


# ------------------------------------------------------------------------ the report


def unseen_answers(items: Sequence[tuple[Path, str]], answers: Sequence[Answer]) -> list[dict]:
    return [
        {"class": cls, "file": path.name, "predicted": a["top"][0][0], "score": round(a["top"][0][1], 4),
         "sure": a["sure"], "correct": a["top"][0][0] == cls,
         "top3": [{"label": label, "score": round(score, 4)} for label, score in a["top"]]}
        for (path, cls), a in zip(items, answers)
    ]


def site_samples(folder: Path) -> list[tuple[Path, str, str]]:
    """The samples the site's widgets offer (``slides/models/samples/index.json``): (file, class, kind)."""
    index = folder / "index.json"
    if not index.is_file():
        return []
    return [(folder / s["file"], s["class"], s["kind"]) for s in json.loads(index.read_text())["samples"]]


def score_samples(samples: Sequence[tuple[Path, str, str]], answers: dict[str, Sequence[Answer]]) -> dict:
    """Per kind of sample and per model: how many of the site's own sample files each model gets right."""
    out: dict = {"about": "the committed sample files the site's widgets offer, scored as the browser "
                          "feeds them (the e2e tests check the browser's answers equal these)"}
    for kind in dict.fromkeys(k for _, _, k in samples):
        chosen = [i for i, (_, _, k) in enumerate(samples) if k == kind]
        entry: dict = {}
        for model, got in answers.items():
            rows = [{"file": samples[i][0].name, "class": samples[i][1], "predicted": got[i]["top"][0][0],
                     "correct": got[i]["top"][0][0] == samples[i][1]} for i in chosen]
            entry[model] = {"n": len(rows), "correct": sum(r["correct"] for r in rows), "answers": rows}
        out[kind] = entry
    return out


def targets(evaluations: dict) -> dict:
    out = {}
    for name, per_model in TARGETS.items():
        for model, target in per_model.items():
            result = evaluations.get(name, {}).get(model, {})
            measured = result.get("correct") if name == "unseen_art" else result.get("accuracy")
            out[f"{name}.{model}"] = {
                "measure": "correct of 10" if name == "unseen_art" else "accuracy",
                "target": target, "measured": measured, "met": measured is not None and measured >= target,
            }
    return out


def build(models: Path = MODELS, dataset: Path = DATASET, data: Path = DATA, jobs: int = 2,
          progress: bool = True, say: Callable[[str], None] | None = None) -> dict:
    """Evaluate both committed models; the metrics.json document."""
    say = say or (lambda text: None)
    models, dataset, data = Path(models), Path(dataset), Path(data)
    svm_path = models / "hog_svm.svm"
    for needed in (svm_path, models / "cnn.onnx", models / "cnn.json"):
        if not needed.is_file():
            raise ValueError(f"{needed} not found: train the models first (make models)")
    from pyodemo.svm import SVC

    svm = SVC.load(svm_path)
    classes = [str(c) for c in svm.classes_]
    logs = {"hog_svm": read_log(models / "hog_svm-train.json"), "cnn": read_log(models / "cnn-train.json")}

    sets = labelled_sets(dataset, data, classes)
    others = not_pokemon(data)
    samples = site_samples(models / "samples")
    everything = [p for items in sets.values() for p, _ in items] + [p for p, _ in others] + [p for p, _, _ in samples]

    # HOG+SVM first, in worker processes (forked before onnxruntime starts its threads)
    start = time.perf_counter()
    svm_all = svm_answers(svm_path, everything, jobs, "HOG+SVM (pyodemo)" if progress else None)
    say(f"HOG+SVM: {len(everything)} pictures in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    cnn = Cnn(models)
    if cnn.classes != classes:
        raise ValueError(f"the CNN's classes {cnn.classes} differ from the SVM's {classes}")
    cnn_all = cnn.answers(everything)
    say(f"CNN: {len(everything)} pictures in {time.perf_counter() - start:.1f} s")

    thresholds = {"hog_svm": svm.threshold, "cnn": cnn.threshold}
    answers: dict[str, dict[str, list[Answer]]] = {"hog_svm": {}, "cnn": {}}
    offset = 0
    for name, items in list(sets.items()) + [("not_pokemon", others)]:
        for model, all_answers in (("hog_svm", svm_all), ("cnn", cnn_all)):
            answers[model][name] = all_answers[offset : offset + len(items)]
        offset += len(items)
    samples_scored = score_samples(samples, {"hog_svm": svm_all[offset:], "cnn": cnn_all[offset:]})

    # the test split's frames and style images: subsets of its answers
    kinds = test_kinds(dataset)
    for kind in ("frames", "styles"):
        picked = [i for i, k in enumerate(kinds) if k == kind]
        sets[f"test_{kind}"] = [sets["test"][i] for i in picked]
        for model in MODEL_NAMES:
            answers[model][f"test_{kind}"] = [answers[model]["test"][i] for i in picked]

    evaluations: dict[str, dict] = {}
    for key, (title, about) in SETS.items():
        if key in ("test_frames", "test_styles") and not any(kinds):
            continue  # a dataset without a style column (a folder per class): one test split
        entry: dict = {"title": title, "about": about}
        for model in MODEL_NAMES:
            if key == "crossview":
                entry[model] = crossview_from_log(logs[model], classes)
                entry[model]["coverage_note"] = ("not measured: the cross-view models are scored in training, "
                                                 "which logs their confusion matrix only")
                continue
            items = sets[key]
            if not items:
                entry[model] = {"n": 0, "note": f"the {title} is not built"}
                continue
            entry[model] = score_answers(answers[model][key], [c for _, c in items], classes)
            if key == "unseen_art":
                entry[model]["answers"] = unseen_answers(items, answers[model][key])
        evaluations[key] = entry

    # the CNN's log scored the test split with onnxruntime too: it must agree with what we measured
    logged = _get(logs["cnn"], "metrics.test.correct")
    if logged is not None and not _get(logs["cnn"], "quick") and logged != evaluations["test"]["cnn"]["correct"]:
        say(f"warning: cnn-train.json says {logged} test images correct, the report measured "
            f"{evaluations['test']['cnn']['correct']} (is the log from another model?)")

    logo = read_log(models / "crossstyle.json")
    logo_answers: dict[str, dict[str, list[Answer]]] = {"hog_svm": {}, "cnn": {}}
    logo_truth: dict[str, list[str]] = {}
    if logo:
        if list(logo.get("classes") or classes) != list(classes):
            raise ValueError("crossstyle.json lists other classes than the models")
        for key, (title, about) in LOGO_SETS.items():
            fold = (logo.get("folds") or {}).get(key.removeprefix("logo_"))
            entry = {"title": title, "about": about}
            for model in MODEL_NAMES:
                got = (fold or {}).get(model) or {}
                rows = got.get("answers") or []
                if not rows:
                    entry[model] = {"n": 0, "note": "not run (python -m export crossstyle)"}
                    continue
                found = [{"top": [tuple(t) for t in r["top"]], "sure": r["sure"], "confidence": r["confidence"]}
                         for r in rows]
                logo_answers[model][key] = found
                logo_truth[key] = [r["class"] for r in rows]
                entry[model] = score_answers(found, logo_truth[key], classes)
                for extra in ("epochs", "threshold", "n_train"):
                    if extra in got:
                        entry[model][extra] = got[extra]
            evaluations[key] = entry

    kinds = [k for _, k in others]
    threshold_on = {"hog_svm": (svm.pipeline or {}).get("threshold_on"), "cnn": cnn.sidecar.get("threshold_on")}
    rejections = {model: {"threshold": thresholds[model], "threshold_on": threshold_on[model],
                          **rejection(answers[model]["not_pokemon"], kinds)}
                  for model in MODEL_NAMES}

    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_by": "python -m export report",
        "classes": classes,
        "models": {"hog_svm": svm_facts(svm_path, logs["hog_svm"]), "cnn": cnn_facts(models, logs["cnn"], cnn.sidecar)},
        "evaluations": evaluations,
        "not_pokemon": {"about": "other Pokémon's sprites and crops of photos: below the threshold, "
                                 "the site answers \"not sure\"", **rejections},
        "site_samples": samples_scored,
        "logo": logo_summary(evaluations, logo),
        "risk_coverage": risk_coverage(
            {**{k: [c for _, c in v] for k, v in sets.items()}, **logo_truth},
            {m: {**answers[m], **logo_answers[m]} for m in MODEL_NAMES}),
        "targets": targets(evaluations),
        "dataset": dataset_section(dataset, data, classes, logs, svm.class_weight),
        "figures": {},
    }


def logo_summary(evaluations: dict, logo: dict | None) -> dict | None:
    """The LOGO diagnostic per model: accuracy, coverage and confident errors per fold, mean over I–IV."""
    if not logo:
        return None
    out: dict = {"about": "leave-one-generation-out: for each fold, both models retrained (today's recipes) on "
                          "everything else, Gen-V included, and asked about the left-out pictures; a diagnostic, "
                          "never used to choose anything",
                 "command": logo.get("command"), "recipe": logo.get("recipe"), "seconds": logo.get("seconds")}
    for model in MODEL_NAMES:
        folds = {key.removeprefix("logo_"): evaluations[key][model] for key in LOGO_SETS if key in evaluations}
        generations = [folds[g] for g in ("g1", "g2", "g3", "g4") if folds.get(g, {}).get("n")]
        mean = None
        if len(generations) == 4:
            mean = {k: r4(sum(f[k] for f in generations) / 4) for k in ("accuracy", "coverage", "confident_errors")}
            mean["worst_fold_accuracy"] = r4(min(f["accuracy"] for f in generations))
        out[model] = {"folds": {k: {"n": f.get("n", 0), "accuracy": f.get("accuracy"), "coverage": f.get("coverage"),
                                    "confident_errors": f.get("confident_errors")} for k, f in folds.items()},
                      "mean_g1_g4": mean}
    return out


#: The sets the risk–coverage curves are drawn for (when measured), in legend order.
CURVE_SETS = ("test_frames", "test_styles", "photo_like", "logo")
CURVE_STEPS = 20


def risk_coverage(truth: dict[str, list[str]], answers: dict[str, dict[str, list[Answer]]]) -> dict:
    """Per model and set, the accuracy of the surest answers at coverage 5 %, 10 %, … 100 %.

    Answers are ranked by the model's own confidence (the SVM's margin, the CNN's top-1
    probability); at coverage c the surest c × n answers are kept. ``"logo"`` pools the LOGO folds.
    The ``threshold`` point is where the model's own "not sure" threshold puts it.
    """
    out: dict = {"about": "accuracy of the sure answers against coverage (the share of answers kept), answers "
                          "ranked by the model's confidence; 'at_threshold' is the model's own rule"}
    for model in MODEL_NAMES:
        per_set = {}
        for name in CURVE_SETS:
            if name == "logo":
                keys = [k for k in LOGO_SETS if answers[model].get(k)]
                got = [a for k in keys for a in answers[model][k]]
                true = [c for k in keys for c in truth[k]]
            else:
                got, true = answers[model].get(name) or [], truth.get(name) or []
            if not got or any("confidence" not in a for a in got):
                continue
            order = sorted(range(len(got)), key=lambda i: -got[i]["confidence"])
            right = [got[i]["top"][0][0] == true[i] for i in order]
            points = []
            for step in range(1, CURVE_STEPS + 1):
                k = max(1, round(len(got) * step / CURVE_STEPS))
                points.append([r4(k / len(got)), r4(sum(right[:k]) / k)])
            sure = [i for i, a in enumerate(got) if a["sure"]]
            per_set[name] = {"n": len(got), "points": points,
                             "at_threshold": [r4(len(sure) / len(got)),
                                              r4(sum(got[i]["top"][0][0] == true[i] for i in sure) / len(sure))
                                              if sure else None]}
        out[model] = per_set
    return out


def write_figures(metrics: dict, folder: Path) -> dict[str, str]:
    """The SVG figures for *metrics*; name → file name (relative to *folder*'s parent)."""
    classes = metrics["classes"]
    made: dict[str, str] = {}
    for key in ("test", "photo_like"):
        for model, name in MODEL_NAMES.items():
            result = metrics["evaluations"][key].get(model) or {}
            if not result.get("n"):
                continue
            title = f"{name} — {SETS[key][0]}"
            desc = (f"Confusion matrix of {name} on the {SETS[key][0]} ({result['n']} images): rows are the true "
                    f"class, columns the predicted class. {result['correct']} correct, accuracy "
                    f"{100 * result['accuracy']:.1f}%, macro-F1 {result['macro_f1']:.3f}.")
            mistakes = sorted(((count, classes[i], classes[j]) for i, row in enumerate(result["confusion"])
                               for j, count in enumerate(row) if i != j and count), reverse=True)[:3]
            if mistakes:
                desc += " Most frequent mistakes: " + "; ".join(figures.cell_sentence(*m) for m in mistakes) + "."
            file = f"confusion-{model}-{key.replace('_', '-')}.svg"
            figures.write(folder / file, figures.confusion_svg(result["confusion"], classes, title, desc,
                                                               ident=f"cm-{model}-{key}"))
            made[f"confusion.{model}.{key}"] = f"figures/{file}"
    series = {name: [metrics["evaluations"]["test"][model]["per_class"][c]["f1"] for c in classes]
              for model, name in MODEL_NAMES.items() if metrics["evaluations"]["test"][model].get("n")}
    if series:
        figures.write(folder / "f1-test.svg", figures.f1_bars_svg(series, classes, "Per-class F1 on the test split",
                                                                   ident="f1-test"))
        made["f1.test"] = "figures/f1-test.svg"
    curves = metrics.get("risk_coverage") or {}
    series = []
    for model, name in MODEL_NAMES.items():
        for key, curve in (curves.get(model) or {}).items():
            label = "LOGO (all folds)" if key == "logo" else SETS[key][0]
            series.append({"model": name, "set": label, "points": curve["points"], "at": curve["at_threshold"],
                           "n": curve["n"]})
    if series:
        figures.write(folder / "risk-coverage.svg", figures.risk_coverage_svg(
            series, "Accuracy of the sure answers against coverage", ident="risk-coverage"))
        made["risk_coverage"] = "figures/risk-coverage.svg"
    return made


GALLERY_CELL = 56


def write_gallery(dataset: Path, folder: Path) -> dict | None:
    """A sheet of the dataset's styles: a row per source (`SOURCES`), a column per class, one picture each
    (a front view, normal colours where there is one), on white. ``figures/styles-gallery.png``."""
    from PIL import Image

    from export.styles import ANIMATED_STYLE

    rows = read_manifest(dataset)
    if not any(r.get("style") for r in rows):
        return None
    classes = sorted({r["class"] for r in rows})
    sheet = Image.new("RGB", (GALLERY_CELL * len(classes), GALLERY_CELL * len(SOURCES)), (255, 255, 255))
    shown = {}
    for j, key in enumerate(SOURCES):
        for i, cls in enumerate(classes):
            pick = [r for r in rows if r["class"] == cls and
                    (r["style"] == ANIMATED_STYLE if key == "gen5-animated" else
                     r["style"] != ANIMATED_STYLE and r["generation"] == key)]
            pick.sort(key=lambda r: (r["view"] not in ("front", "icon"), r["variant"] != "normal", r["path"]))
            if not pick:
                continue
            with Image.open(Path(dataset) / pick[0]["path"]) as im:
                tile = im.convert("RGBA").resize((GALLERY_CELL - 4, GALLERY_CELL - 4), Image.Resampling.BILINEAR)
            sheet.paste(tile, (i * GALLERY_CELL + 2, j * GALLERY_CELL + 2), tile)
            shown[f"{key}/{cls}"] = pick[0]["path"]
    folder.mkdir(parents=True, exist_ok=True)
    sheet.save(folder / "styles-gallery.png", optimize=True)
    return {"file": "figures/styles-gallery.png", "rows": [SOURCES[k] for k in SOURCES], "columns": classes,
            "shown": shown}


def dumps(obj: object, level: int = 0) -> str:
    """JSON with one key per line, but short lists, matrix rows and small flat objects on one line.

    >>> print(dumps({"a": [1, 2], "m": [[1, 0], [0, 1]], "s": {"f1": 0.5, "n": 2}}))
    {
     "a": [1, 2],
     "m": [
      [1, 0],
      [0, 1]
     ],
     "s": {"f1": 0.5, "n": 2}
    }
    """
    def flat(v: object) -> bool:
        return not isinstance(v, (dict, list))

    def one_line(v: object) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    pad, end = " " * (level + 1), " " * level
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if all(map(flat, obj.values())) and len(one_line(obj)) <= 100:
            return one_line(obj)
        items = [f"{pad}{one_line(str(k))}: {dumps(v, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, list):
        if all(map(flat, obj)) and len(one_line(obj)) <= 100:
            return one_line(obj)
        items = [pad + dumps(v, level + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return one_line(obj)


def summary(metrics: dict) -> str:
    ev = metrics["evaluations"]
    lines = [f"{'set':<32}" + "".join(f"{name:>40}" for name in MODEL_NAMES.values())]
    for key, entry in ev.items():
        cells = []
        for model in MODEL_NAMES:
            r = entry[model]
            cell = f"{r['correct']}/{r['n']} = {100 * r['accuracy']:.1f}%" if r.get("n") else "n/a"
            if r.get("coverage") is not None:
                cell += f", {100 * r['coverage']:.0f}% sure, {100 * r['confident_errors']:.1f}% sure+wrong"
            cells.append(cell)
        lines.append(f"{entry['title'][:31]:<32}" + "".join(f"{c:>40}" for c in cells))
    for model, name in MODEL_NAMES.items():
        mean = ((metrics.get("logo") or {}).get(model) or {}).get("mean_g1_g4")
        if mean:
            lines.append(f"LOGO mean I–IV, {name}: {100 * mean['accuracy']:.1f}%, {100 * mean['coverage']:.0f}% sure, "
                         f"{100 * mean['confident_errors']:.1f}% sure+wrong (worst fold {100 * mean['worst_fold_accuracy']:.1f}%)")
    for model in MODEL_NAMES:
        np_ = metrics["not_pokemon"][model]
        lines.append(f"not-Pokémon rejected by {MODEL_NAMES[model]}: {np_['rejected']}/{np_['n']} "
                     f"({100 * (np_.get('coverage') or 0):.0f}% answered sure)")
    for key, t in metrics["targets"].items():
        lines.append(f"target {key}: {t['measured']} vs {t['target']} — {'met' if t['met'] else 'SHORT'}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=MODELS, help="folder of hog_svm.svm, cnn.onnx, cnn.json and the logs")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="the built dataset (manifest.csv)")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of photo-like/, unseen-art/, not-pokemon/")
    parser.add_argument("--out", type=Path, help="where metrics.json and figures/ go (default: --models)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for HOG+SVM (default 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--figures-only", action="store_true",
                        help="only redraw the SVG figures from the metrics.json already in --out (no model is run)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        raise ValueError("--jobs must be at least 1")
    if args.figures_only:
        out = args.out or args.models
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        made = write_figures(metrics, out / "figures")
        if made != metrics.get("figures"):
            raise ValueError(f"{out / 'metrics.json'} lists other figures than these: run the whole report")
        print(f"redrew {len(made)} figures in {out / 'figures'} from {out / 'metrics.json'}")
        return 0
    wall = time.perf_counter()
    say = lambda text: print(text, file=sys.stderr)  # noqa: E731
    metrics = build(args.models, args.dataset, args.data, args.jobs, not args.quiet, say)
    out = args.out or args.models
    metrics["figures"] = write_figures(metrics, out / "figures")
    metrics["gallery"] = write_gallery(args.dataset, out / "figures")
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(dumps(metrics) + "\n", encoding="utf-8")
    print(summary(metrics))
    print(f"wrote {out / 'metrics.json'} and {len(metrics['figures'])} figures in {out / 'figures'} "
          f"({time.perf_counter() - wall:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
