"""The scores every step reports: one function for the trainers' logs, the model search and the report.

scikit-learn's definitions: accuracy = correct / n; per class, precision = TP / (TP + FP), recall =
TP / (TP + FN), F1 = 2·P·R / (P + R) (0 where a denominator is 0, ``zero_division=0``); macro-F1 = the
unweighted mean of the per-class F1. The confusion matrix's rows are the true class, its columns the
predicted class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def r4(x: float) -> float:
    """A score rounded to 4 decimals (0.1 of a percentage point is the finest a slide shows)."""
    return round(float(x), 4)


def scores(y_true: Sequence, y_pred: Sequence, labels: Sequence, names: Sequence | None = None, *,
           over: str = "all", digits: int | None = 4) -> dict:
    """n, correct, accuracy, macro-F1, per-class precision / recall / F1 / support, confusion matrix.

    *labels* are the label values in class order (indices or names); *names* what the per-class
    entries are called (default: the labels). ``over="all"``: every label counts in macro-F1 and has
    an entry (a class with no image and no prediction scores 0); ``over="present"``: only the labels
    with at least one true image (the SVM's model selection, on views that lack some classes).
    *digits*: rounding of the scores (None: full floats, for comparing epochs).

    >>> s = scores([0, 0, 1, 1], [0, 1, 1, 1], [0, 1], ["A", "B"])
    >>> s["accuracy"], s["macro_f1"], s["per_class"]["B"]
    (0.75, 0.7333, {'precision': 0.6667, 'recall': 1.0, 'f1': 0.8, 'support': 2})
    >>> s["confusion"]
    [[1, 1], [0, 2]]
    >>> scores(["A", "A"], ["A", "B"], ["A", "B"], over="present")["macro_f1"]
    0.6667
    >>> scores([], [], ["A"])
    {'n': 0, 'correct': 0, 'accuracy': None, 'macro_f1': None}
    """
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if len(y_true) == 0:
        return {"n": 0, "correct": 0, "accuracy": None, "macro_f1": None}
    if over not in ("all", "present"):
        raise ValueError(f"over must be 'all' or 'present', not {over!r}")
    names = list(labels if names is None else names)
    labels = list(labels)
    kept = [i for i, label in enumerate(labels) if over == "all" or (y_true == label).any()]
    used = [labels[i] for i in kept]
    rnd = (lambda x: float(x)) if digits is None else (lambda x: round(float(x), digits))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=used, zero_division=0)
    return {
        "n": int(len(y_true)),
        "correct": int((y_true == y_pred).sum()),
        "accuracy": rnd((y_true == y_pred).mean()),
        "macro_f1": rnd(f1_score(y_true, y_pred, labels=used, average="macro", zero_division=0)),
        "per_class": {names[i]: {"precision": rnd(p), "recall": rnd(r), "f1": rnd(f), "support": int(s)}
                      for i, p, r, f, s in zip(kept, precision, recall, f1, support)},
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
