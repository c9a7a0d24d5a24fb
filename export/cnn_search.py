"""Which CNN carries across drawing styles: the recipe comparison, on validation only.

The talk's step 2a for the CNN (``python -m export train-cnn --compare`` runs it and keeps the
table in ``cnn-train.json``). The candidates of `CANDIDATES` differ in the share of training
sprites redrawn in another drawing style (`export.restyle`) and in the width of the network (at
most 300k parameters, an ONNX file of at most 1.2 MB); everything else is the final model's recipe
(`export.cnn_model.Config`): same seed, epochs, early stopping on validation. Each is scored on
the **validation split only**, by the CNN's counterpart of `export.svm_data.val_scores`: the mean
macro-F1 over the three views a visitor brings,

* the validation split's Gen-V frames,
* its pictures in the other drawing styles,
* its pictures on procedural backgrounds (`export.cnn_augment.cluttered_set`, the CNN's photo copies).

The test split, the leave-one-generation-out diagnostic and the test sets choose nothing.

**The rule, fixed before the first run** (`pick`): the best score wins, except that a bigger network
must earn its size: among the candidates within `TIE` of the best score, the one with the fewest
parameters is kept (then the better score). `TIE` is about one picture of the validation styles.
The comparison records what it measured; the recipe in `Config` is what was kept.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable, Sequence

import numpy as np

from export.cnn_augment import Augmenter, Sprites
from export.cnn_loop import fit, seed_everything, torch_logits
from export.cnn_model import Config, SmallCNN, n_parameters
from export.metrics import scores

#: (name, recipe): the share of sprites redrawn in another style and the channels of the blocks; the
#: rest as `export.cnn_model.Config`. The rule kept the 80 % row (the table in the training log).
CANDIDATES: list[tuple[str, dict]] = [
    ("style augmentation on half the sprites", {"p_restyle": 0.5, "channels": (16, 32, 64, 128)}),
    ("no style augmentation (the first round's recipe)", {"p_restyle": 0.0, "channels": (16, 32, 64, 128)}),
    ("style augmentation on 80 % of the sprites", {"p_restyle": 0.8, "channels": (16, 32, 64, 128)}),
    ("wider: 24-48-96-192 channels, style augmentation on half the sprites",
     {"p_restyle": 0.5, "channels": (24, 48, 96, 192)}),
]
#: Most parameters a candidate may have (the issue's budget for the browser).
MAX_PARAMETERS = 300_000
#: Scores this close to the best count as a tie, won by the smaller network.
TIE = 0.005


def pick(rows: Sequence[dict]) -> dict:
    """The row the rule keeps: fewest parameters among those within `TIE` of the best score.

    >>> rows = [{"name": "small", "score": 0.900, "parameters": 99},
    ...         {"name": "wide", "score": 0.904, "parameters": 220}]
    >>> pick(rows)["name"]
    'small'
    >>> pick([dict(rows[0]), dict(rows[1], score=0.92)])["name"]
    'wide'
    """
    best = max(r["score"] for r in rows)
    near = [r for r in rows if r["score"] >= best - TIE]
    return min(near, key=lambda r: (r["parameters"], -r["score"]))


def view_scores(pred: np.ndarray, y: np.ndarray, styles: np.ndarray, clutter_pred: np.ndarray,
                clutter_y: np.ndarray, n_classes: int) -> dict:
    """Accuracy and macro-F1 per view, and the selection score (mean macro-F1 over the views)."""
    views = {"val_gen5": scores(y[~styles], pred[~styles], range(n_classes), digits=None),
             "val_styles": scores(y[styles], pred[styles], range(n_classes), digits=None),
             "val_cluttered": scores(clutter_y, clutter_pred, range(n_classes), digits=None)}
    out = {v: {"n": s["n"], "accuracy": round(s["accuracy"], 4), "macro_f1": round(s["macro_f1"], 4)}
           for v, s in views.items() if s["n"]}
    out["score"] = round(float(np.mean([s["macro_f1"] for s in out.values()])), 4)
    return out


def compare(config: Config, train: Sprites, val: tuple[np.ndarray, np.ndarray], styles: np.ndarray,
            cluttered: tuple[np.ndarray, np.ndarray], n_classes: int, mean, std, progress: bool,
            say: Callable[[str], None]) -> dict:
    """Train every candidate on *train*, score it on validation; the table and the rule's pick."""
    rows = []
    for name, changes in CANDIDATES:
        candidate = dataclasses.replace(config, **changes)
        parameters = n_parameters(SmallCNN(n_classes, candidate.channels, candidate.dropout))
        if parameters > MAX_PARAMETERS:
            raise ValueError(f"candidate {name!r} has {parameters} parameters (> {MAX_PARAMETERS})")
        seed_everything(candidate.seed, candidate.threads)
        start = time.perf_counter()
        model, log, best = fit(candidate, train, Augmenter(candidate, mean, std), candidate.epochs,
                                 n_classes, val, f"compare: {name}", progress, cluttered=cluttered)
        pred = torch_logits(model, val[0]).argmax(1)
        measured = view_scores(pred, val[1], styles, torch_logits(model, cluttered[0]).argmax(1),
                               cluttered[1], n_classes)
        rows.append({"name": name, "changes": {k: list(v) if isinstance(v, tuple) else v
                                               for k, v in changes.items()},
                     "parameters": parameters, "best_epoch": best, "epochs_run": len(log),
                     "seconds": round(time.perf_counter() - start, 1), **measured})
        say(f"  {name}: score {measured['score']:.4f} "
            + ", ".join(f"{v} {measured[v]['accuracy']:.1%}" for v in ("val_gen5", "val_styles", "val_cluttered")
                        if v in measured) + f" ({parameters} parameters, {rows[-1]['seconds']:.0f} s)")
    kept = pick(rows)
    return {"rows": rows, "rule_keeps": kept["name"],
            "selection": "mean macro-F1 over the validation split's Gen-V frames, other styles and "
                         "pictures on procedural backgrounds; within "
                         f"{TIE} of the best score the fewest parameters win",
            "measured_by": "python -m export train-cnn --compare (export.cnn_search)"}
