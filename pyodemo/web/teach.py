"""Teach it: an SVM trained on the audience's own examples, in the browser (the engine of the "Teach it" page).

The talk's four steps on the room's own things. The page collects examples of a few classes — pictures,
which become the talk's HOG + colour features here (:func:`picture_features`), and the CNN's learned
features, which the page reads from the ONNX model's ``embedding`` output — and :func:`train` fits
pyodemo's own SVM on each kind of feature, choosing its kernel and C the way the talk chooses anything:
on data it was not trained on.

**Model selection** (step 4 of the talk, evaluation): stratified k-fold cross-validation (k = 5, seeded;
leave-one-out when a class has fewer than 5 examples) over a small grid — a linear and an RBF kernel,
with γ computed once from all examples by scikit-learn's "scale" rule, 1 / (n_features · Var(X)), and
C ∈ {0.1, 1, 10}. The score of a grid point is the mean of its folds' accuracies (scikit-learn's
``GridSearchCV``); ties go to the smaller C, then to the linear kernel. Each kernel's matrix
K(xᵢ, xⱼ) over all examples is computed once (:class:`Gram`) and shared by every fold and grid point:
a fold trains on the rows and columns of its training examples and answers its held-out examples with
their kernel values against the support vectors, f(x) = Σ αᵢ yᵢ K(svᵢ, x) − ρ.

**"Not sure"**: from the held-out answers' margins (:func:`pyodemo.classify.decision`), the threshold of
:func:`pyodemo.classify.choose_threshold` — the largest coverage whose confident errors are ≤ 2 % — the
rule of the site's two models.

>>> X = [[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [0.1, 0.1], [0.05, 0.05],
...      [1.0, 1.0], [0.9, 1.0], [1.0, 0.9], [0.9, 0.9], [0.95, 0.95]]
>>> y = ["cup"] * 5 + ["pen"] * 5
>>> r = cross_validate(X, y)
>>> r["kernel"], r["C"], r["accuracy"], r["confusion"]
('linear', 0.1, 1.0, [[5, 0], [0, 5]])
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from array import array
from itertools import compress
from operator import itemgetter
from collections.abc import Sequence
from typing import Any

from pyodemo import classify
from pyodemo.checks import matrix
from pyodemo.kernels import resolve_gamma
from pyodemo.svm import SVC
from pyodemo.vector import dot
from pyodemo.web.sessions import Kept

__all__ = ["picture_features", "train", "fingerprint", "load_model", "predict", "forget"]

#: The grid, in the order ties are broken: the smaller C first, then the linear kernel.
GRID = [(kernel, c) for c in (0.1, 1.0, 10.0) for kernel in ("linear", "rbf")]
#: The kinds of features a classifier is trained on: the talk's HOG + colour, the CNN's learned features.
KINDS = ("hog", "cnn")
#: Folds of the cross-validation (fewer examples in a class: leave-one-out).
FOLDS = 5
#: The talk's HOG + colour features, as the site's HOG+SVM model computes them (its model file's pipeline).
PIPELINE = {
    "input": {"size": 64, "background": [255, 255, 255], "margin": 0.08},
    "features": [{"name": "hog", "orientations": 9, "pixels_per_cell": [8, 8], "cells_per_block": [2, 2],
                  "block_norm": "L2-Hys", "transform_sqrt": False, "color": "gray"},
                 {"name": "color_hist", "bins": 10, "joint": True, "sqrt": True, "weight": 16.0}],
}


def picture_features(rgba: bytes, width: int, height: int, box: Sequence[int] | None = None) -> list[float]:
    """The talk's HOG + colour features of a picture (the classifier widget's RGBA bytes and crop square)."""
    return classify.features(classify.prepare(rgba, width, height, PIPELINE, box), PIPELINE)


# ------------------------------------------------------------------------ cross-validation


def stratified_folds(labels: Sequence[str], k: int = FOLDS, seed: int = 0) -> list[list[int]]:
    """The held-out indices of each fold: every class's examples, shuffled (seeded), dealt in turn.

    Leave-one-out (one fold per example) when a class has fewer than ``k`` examples.

    >>> stratified_folds(["a", "a", "a", "b", "b", "b"], k=3)
    [[0, 5], [2, 4], [1, 3]]
    >>> stratified_folds(["a", "a", "b"], k=2)
    [[0], [1], [2]]
    """
    members: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    if min(len(m) for m in members.values()) < k:
        return [[i] for i in range(len(labels))]
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    turn = 0  # the deal goes on from class to class, so the folds differ in size by one at most
    for label in sorted(members):
        shuffled = members[label][:]
        rng.shuffle(shuffled)
        for i in shuffled:
            folds[turn % k].append(i)
            turn += 1
    return [sorted(f) for f in folds]


class Gram:
    """One kernel's matrix K(xᵢ, xⱼ) over all examples, computed once (the dot products xᵢ · xⱼ once for
    both kernels: linear K = xᵢ · xⱼ, RBF K = exp(−γ ‖xᵢ − xⱼ‖²) with ‖xᵢ − xⱼ‖² = xᵢ·xᵢ + xⱼ·xⱼ − 2 xᵢ·xⱼ).

    :meth:`restricted` hands a fold's training rows to :class:`pyodemo.svm.SVC` as its kernel matrix (the
    float32 rows and double diagonal of libsvm's cache, like :class:`pyodemo.kernels.KernelMatrix`).
    """

    def __init__(self, dots: list[list[float]], kernel: str, gamma: float) -> None:
        self.kernel = kernel
        if kernel == "linear":
            self.K = dots
        else:
            sq = [dots[i][i] for i in range(len(dots))]
            self.K = [[math.exp(-gamma * ((si + sq[j]) - 2 * d)) for j, d in enumerate(row)] for si, row in zip(sq, dots)]

    @staticmethod
    def dots(X: list[list[float]]) -> list[list[float]]:
        """All dot products xᵢ · xⱼ (each computed once, the matrix is symmetric).

        Features that are zero in every example (the colour cubes nobody's things fill, a sprite's empty
        border cells) add nothing to any sum and are left out first: the same sums, faster.
        """
        used = list(compress(range(len(X[0])), map(any, zip(*X)))) if X else []
        if 2 <= len(used) < len(X[0]):
            pick = itemgetter(*used)
            X = [pick(x) for x in X]
        n = len(X)
        out = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                out[i][j] = out[j][i] = dot(X[i], X[j])
        return out

    def restricted(self, idx: list[int]) -> _Rows:
        return _Rows([[self.K[i][j] for j in idx] for i in idx])


class _Rows:
    """A kernel matrix of given values, as :class:`pyodemo.kernels.KernelMatrix` serves it to SMO."""

    def __init__(self, K: list[list[float]]) -> None:
        self._rows = [array("f", row) for row in K]
        self.diag = [K[i][i] for i in range(len(K))]

    def row(self, i: int) -> array:
        return self._rows[i]


class _GramSVC(SVC):
    """An SVC whose training kernel matrix comes from a :class:`Gram` (no kernel value computed twice)."""

    def __init__(self, rows: _Rows, **params: Any) -> None:
        super().__init__(**params)
        self._rows = rows

    def _kernel_matrix(self, rows: list[list[float]], gamma: float) -> _Rows:
        return self._rows


class _FoldSVC(_GramSVC):
    def _collapse(self) -> None:  # a fold's model answers from the Gram's values, never needs weights
        return None


def _fold_answers(gram: Gram, X, labels, train_idx, test_idx, C: float, gamma: float) -> dict[int, tuple]:
    """Train on ``train_idx``; each held-out example's (predicted label, margin, largest |decision value|)."""
    model = _FoldSVC(gram.restricted(train_idx), kernel=gram.kernel, C=C, gamma=gamma)
    model.fit([X[i] for i in train_idx], [labels[i] for i in train_idx])
    support = [train_idx[s] for s in model.support_]
    out = {}
    for t in test_idx:
        raw = model._raw_from_kernel([gram.K[t][s] for s in support])
        scores, margins = classify.decision_of_raw(model, raw)
        best = max(range(len(scores)), key=lambda c: (scores[c], -c))  # scikit-learn's break_ties
        out[t] = (model.classes_[best], margins[best], max(map(abs, raw)))
    return out


def held_out_answers(X, labels, folds, kernel: str, C: float, gamma: float, grams: dict | None = None) -> dict[int, tuple]:
    """Every example's answer from the fold that held it out: ``{index: (label, margin, scale)}``."""
    gram = (grams or {}).get(kernel) or Gram(Gram.dots(X), kernel, gamma)
    everyone = set(range(len(X)))
    return {t: a for f in folds for t, a in _fold_answers(gram, X, labels, sorted(everyone - set(f)), f, C, gamma).items()}


def cross_validate(X: Sequence[Sequence[float]], labels: Sequence[str], seed: int = 0) -> dict:
    """Choose kernel and C by cross-validation (module docstring); the chosen point's held-out answers give
    the confusion matrix and the "not sure" threshold. Returns ``{"kernel", "C", "gamma", "accuracy",
    "grid": [{"kernel", "C", "accuracy"}], "classes", "confusion", "threshold", "folds"}``."""
    return _cross_validate(matrix(X), list(labels), seed)[0]


def _cross_validate(rows: list[list[float]], labels: list[str], seed: int) -> tuple[dict, dict[str, Gram]]:
    """:func:`cross_validate` of checked rows, and its kernel matrices (the final model reuses them)."""
    gamma = resolve_gamma("scale", rows)
    folds = stratified_folds(labels, seed=seed)
    dots = Gram.dots(rows)
    grams = {kernel: Gram(dots, kernel, gamma) for kernel in ("linear", "rbf")}
    grid, answers = [], {}
    for kernel, C in GRID:
        held_out = held_out_answers(rows, labels, folds, kernel, C, gamma, grams)
        accuracy = sum(sum(held_out[t][0] == labels[t] for t in f) / len(f) for f in folds) / len(folds)
        grid.append({"kernel": kernel, "C": C, "accuracy": accuracy})
        answers[kernel, C] = held_out
    best = max(range(len(grid)), key=lambda g: (grid[g]["accuracy"], -g))  # ties: the first in GRID's order
    chosen = grid[best]
    held_out = answers[chosen["kernel"], chosen["C"]]
    classes = sorted(set(labels))
    confusion = [[sum(1 for t, a in held_out.items() if labels[t] == truth and a[0] == guess) for guess in classes]
                 for truth in classes]
    threshold = classify.choose_threshold([a[1] for a in held_out.values()],
                                          [a[0] == labels[t] for t, a in held_out.items()])
    return {**chosen, "gamma": gamma, "grid": grid, "classes": classes, "confusion": confusion,
            "threshold": threshold, "folds": len(folds)}, grams


# ------------------------------------------------------------------------ the call


def train(features: dict[str, Sequence[Sequence[float]]], labels: Sequence[str], seed: int = 0,
          cnn_sha256: str | None = None) -> dict:
    """Train a classifier per kind of feature (``{"hog": [...], "cnn": [...]}``, one vector per example,
    in the order of ``labels``): the cross-validated choice, then the model on all examples with it.

    Answers per kind ``{**cross_validate(...), "n_support_vectors", "train_ms", "model": bytes}``; the model
    is a pyodemo model file (:meth:`pyodemo.svm.SVC.to_bytes`) whose header records the kind of feature, the
    class names, the "not sure" threshold and, for CNN features, ``cnn_sha256``: the SHA-256 of the ONNX
    model that computed them (:func:`load`).
    """
    labels = _check_labels(labels)
    if not isinstance(features, dict) or not features or set(features) - set(KINDS):
        raise ValueError(f"features must be given per kind: {' and/or '.join(KINDS)}")
    if "cnn" in features and not (isinstance(cnn_sha256, str) and len(cnn_sha256) == 64):
        raise ValueError("CNN features need the SHA-256 of the CNN that computed them (cnn_sha256)")
    out = {}
    for kind, X in features.items():
        start = time.perf_counter()
        rows = matrix(X)
        if len(rows) != len(labels):
            raise ValueError(f"{len(rows)} {kind} feature vectors for {len(labels)} examples")
        result, grams = _cross_validate(rows, labels, seed)
        model = fit_chosen(rows, labels, result, grams[result["kernel"]])
        model.pipeline = {**(PIPELINE if kind == "hog" else {"cnn_sha256": cnn_sha256}), "feature": kind,
                          "threshold_on": "margin: the top class's smallest one-vs-one decision value"}
        out[kind] = {**result, "n_support_vectors": len(model.support_),
                     "train_ms": (time.perf_counter() - start) * 1e3, "model": model.to_bytes()}
    return out


def fit_chosen(rows: list[list[float]], labels: list[str], chosen: dict, gram: Gram | None = None) -> SVC:
    """The classifier on all examples, with the cross-validated kernel, C and γ, and its threshold (trained
    on the cross-validation's kernel matrix when given)."""
    params = {"kernel": chosen["kernel"], "C": chosen["C"], "gamma": chosen["gamma"]}
    model = (_GramSVC(gram.restricted(list(range(len(rows)))), **params) if gram else SVC(**params)).fit(rows, labels)
    model.threshold = chosen["threshold"]
    return model


def load(model: bytes, cnn_sha256: str | None = None) -> SVC:
    """A model file of :func:`train`, checked: a pyodemo model file of this version, trained here, and — for
    CNN features — by the CNN whose SHA-256 is ``cnn_sha256`` (a file from before a retrained CNN is refused)."""
    svc = SVC.from_bytes(bytes(model))
    kind = (svc.pipeline or {}).get("feature")
    if kind not in KINDS:
        raise ValueError("this model file was not made by Teach it (its header names no feature kind)")
    trained_on = svc.pipeline.get("cnn_sha256")
    if kind == "cnn" and cnn_sha256 is None:
        raise ValueError(f"this model answers from the features of the CNN {str(trained_on)[:12]}…, and there is no CNN here")
    if kind == "cnn" and trained_on != cnn_sha256:
        raise ValueError(f"this model was trained on the features of the CNN {str(trained_on)[:12]}…, but the CNN "
                         f"here is {str(cnn_sha256)[:12]}…: its features differ, so teach the classes again")
    return svc


# ------------------------------------------------------------------------ the page's taught classifiers

#: The classifiers the page has trained or loaded (two at a time: one per kind of feature, and a spare).
_TAUGHT: Kept[SVC] = Kept("classifier", "train it again or load its file", keep=4)


def fingerprint(data: bytes) -> str:
    """The SHA-256 of the CNN's ONNX file (what :func:`train` and :func:`load` call ``cnn_sha256``).

    >>> fingerprint(b"abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(bytes(data)).hexdigest()


def load_model(model: bytes, cnn_sha256: str | None = None) -> dict:
    """:func:`load` a model file (a fresh one of :func:`train`, or one the user loads back) and keep it: its
    ``token`` and what the page shows of it (``kind``, ``classes``, ``kernel``, ``C``, ``threshold``, …)."""
    if isinstance(model, str):
        raise ValueError("the model must be bytes (a .svm file), not text")
    svc = load(model, cnn_sha256)
    return {"token": _TAUGHT.add(svc), "kind": svc.pipeline["feature"], "classes": list(svc.classes_),
            "kernel": svc.kernel, "C": svc.C, "threshold": svc.threshold, "n_features": svc.n_features_in_,
            "n_support_vectors": len(svc.support_)}


def predict(token: int, k: int = 3, features: Sequence[float] | None = None, rgba: bytes | None = None,
            width: int | None = None, height: int | None = None, box: Sequence[int] | None = None) -> dict:
    """A kept classifier's ``k`` best classes (:func:`pyodemo.classify.rank`) and whether it is sure: from the
    picture (``rgba``, ``width``, ``height``, ``box``) for HOG + colour, from ``features`` (the CNN's
    embedding of the picture) for CNN features."""
    model = _TAUGHT.get(token)
    if model.pipeline["feature"] == "hog":
        if rgba is None or width is None or height is None:
            raise ValueError("a classifier on HOG + colour features answers a picture: give rgba, width and height")
        x = picture_features(rgba, width, height, box)
    elif features is None:
        raise ValueError("a classifier on CNN features answers the CNN's features of the picture")
    else:
        x = features
    top = classify.rank(model, x, k)
    return {"top": top, "sure": classify.is_sure(model, top)}


def forget(token: int) -> bool:
    """Drop a kept classifier; True if it was kept."""
    return _TAUGHT.drop(token)


def _check_labels(labels: Any) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise ValueError("labels must be a list of class names, one per example")
    labels = [str(v).strip() for v in labels]
    if any(not v for v in labels):
        raise ValueError("every example needs a class name")
    same = {}
    for v in dict.fromkeys(labels):
        same.setdefault(" ".join(v.casefold().split()), []).append(v)
    twins = [names for names in same.values() if len(names) > 1]
    if twins:
        raise ValueError(f"two classes differ only in case or spaces: {' and '.join(map(repr, twins[0]))}; "
                         "give them one name, or two different ones")
    counts = {v: labels.count(v) for v in labels}
    if len(counts) < 2:
        raise ValueError(f"teach at least two classes (all examples are {labels[0]!r})" if labels
                         else "there are no examples yet")
    few = sorted(v for v, n in counts.items() if n < 2)
    if few:
        raise ValueError(f"each class needs at least 2 examples: {', '.join(few)}")
    return labels
