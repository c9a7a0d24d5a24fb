"""The report's evaluation sets and both committed models' answers on them, as the browser feeds them.

The sets: the dataset's test split (``manifest.csv``), the photo-like, unseen-art and not-Pokémon sets
(``data/``), the site's own samples. The answers: HOG+SVM through `export.predict.svm_answer` in worker
processes, the CNN through onnxruntime on `export.cnn_input`'s tensors. Scored with `export.metrics.scores`;
the cross-view diagnostic is read from the training logs and scored the same way.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from export.metrics import from_confusion, r4, scores

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"
DATA = ROOT / "data"
DATASET = DATA / "pokemon-10"

#: The models, in the order every table lists them.
MODEL_NAMES = {"hog_svm": "HOG + SVM", "cnn": "CNN"}

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
    out = scores(y_true, y_pred, range(len(classes)), classes)
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
    out = scores(*from_confusion(matrix), range(len(classes)), classes)
    if "accuracy" in cv and abs(float(cv["accuracy"]) - out["accuracy"]) > 1e-3:
        raise ValueError("the cross-view log's accuracy disagrees with its confusion matrix")
    for key in ("train", "test", "fit_on", "epochs", "selection"):
        if key in cv:
            out[key] = cv[key]
    out["source"] = "training log"
    return out


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


