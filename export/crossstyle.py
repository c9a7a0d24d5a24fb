"""``python -m export crossstyle`` — leave one generation out (LOGO): "a style it never saw".

For each fold — generation I, II, III, IV of the styles pool, and all icon sets together — both
models are retrained with today's recipes on everything else (the Gen-V animations and the
black-white static sprites included; `export.styles.logo_fold`) and asked about every picture of the
left-out fold, whatever its split in the dataset. Per fold:

* **training** uses the dataset's *training* split without the fold, **model selection and the
  "not sure" threshold** its *validation* split without the fold — so nothing of the left-out
  generation is fitted, chosen on or calibrated on;
* **HOG+SVM**: `export.train_svm`'s recipe — the chosen pipeline's features (the same cache as
  ``train-svm``: computed once for the whole dataset, then masked), photo copies, the kernel grid
  scored on validation within the browser budget, the refit, the threshold rule of
  `export.threshold`;
* **CNN**: `export.train_cnn`'s recipe (augmentations, balanced sampling, early stopping on
  validation, the threshold rule) but ``--epochs`` (default `EPOCHS`, fewer than the final model's
  30) to keep the whole command within 30 minutes on two cores; no ONNX export (the torch model
  answers, as the trainer's own validation does).

The answers (top class, its confidence — the SVM's margin, the CNN's top-1 probability — and
whether the fold's model is sure) are stored in ``slides/models/crossstyle.json``;
``python -m export report`` scores them (per fold, mean over I–IV) into metrics.json. A diagnostic:
never used to choose anything of the final models. ``make crossstyle`` runs both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from export.dataset_items import file_sha
from export.styles import FOLDS, logo_fold

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "slides" / "models" / "crossstyle.json"
#: CNN epochs per fold (the final model trains up to 30, with early stopping).
EPOCHS = 15


def fold_rows(rows: Sequence[dict], fold: str) -> dict[str, list[int]]:
    """Indices of *rows* (manifest rows) a fold trains on, validates on and asks about.

    >>> rows = [{"style": "pokeapi-g5-animated", "split": "train"}, {"style": "pokeapi-g1-yellow", "split": "train"},
    ...         {"style": "pokeapi-g1-red-blue", "split": "test"}, {"style": "pokeapi-g2-gold", "split": "val"}]
    >>> fold_rows(rows, "g1")
    {'train': [0], 'val': [3], 'left_out': [1, 2]}
    """
    if fold not in FOLDS:
        raise ValueError(f"unknown fold {fold!r}; the folds are {', '.join(FOLDS)}")
    out: dict[str, list[int]] = {"train": [], "val": [], "left_out": []}
    for i, r in enumerate(rows):
        if logo_fold(r.get("style", "")) == fold:
            out["left_out"].append(i)
        elif r["split"] in ("train", "val"):
            out[r["split"]].append(i)
    return out


def svm_fold(data, feats: dict, fold: str, say) -> dict:
    """Today's HOG+SVM recipe without the fold; its answers on the fold."""
    from export import train_svm as S
    from export.threshold import choose_threshold

    in_fold = np.array([logo_fold(r.get("style", "")) == fold for r in data.rows])
    X, y = S.training_set(data, feats, S.PHOTO_COPIES, mask=~in_fold)
    val_all = data.split == "val"
    val = val_all & ~in_fold
    val_sub = ~in_fold[val_all]  # the validation photo copies are aligned with the validation rows
    gram = S.Gram(X)
    grid = []
    for config in S.GRID:
        fitted = S.Fitted(gram, config, y)
        score = S.val_scores(fitted, data, feats, mask=~in_fold)["selection_score"]
        macs = S.cost_macs(config["kernel"], fitted.n_sv, len(data.classes), X.shape[1])
        grid.append({"config": config, "score": score, "macs": macs,
                     "within_budget": macs * S.NS_PER_MAC / 1e6 <= S.SVM_BUDGET_MS})
    del gram
    eligible = [g for g in grid if g["within_budget"]] or grid
    best = max(eligible, key=lambda g: (g["score"], -g["macs"]))
    config = best["config"]
    clf = S.fit(config, X, y)
    val_rows = np.vstack([feats["clean"][val], feats["val_photo"][val_sub]])
    val_true = np.concatenate([data.y[val], data.y[val]])
    threshold = choose_threshold(S.margins(clf, val_rows), clf.predict(val_rows) == val_true)
    left = feats["clean"][in_fold]
    predicted, margin = clf.predict(left), S.margins(clf, left)
    paths = data.paths(in_fold)
    say(f"  {fold} HOG+SVM: {json.dumps(config)}, threshold {threshold}, "
        f"{int((predicted == data.y[in_fold]).sum())}/{len(paths)} right")
    return {"chosen": config, "threshold": threshold, "n_train": int(len(y)),
            "answers": [{"path": p, "class": c, "top": [[str(l), round(float(m), 4)]], "sure": bool(m >= threshold),
                         "confidence": round(float(m), 4)}
                        for p, c, l, m in zip(paths, data.y[in_fold].tolist(), predicted, margin)]}


def cnn_fold(manifest: list[dict], dataset: Path, classes: list[str], fold: str, epochs: int, seed: int,
             progress: bool, say, quick: bool = False) -> dict:
    """Today's CNN recipe (fewer epochs) without the fold; its answers on the fold."""
    from export import cnn_input
    from export.cnn_augment import Augmenter, cluttered_set, load_sprites, normalisation
    from export.cnn_loop import fit, seed_everything, softmax, torch_logits
    from export.cnn_model import Config
    from export.cnn_onnx import make_sidecar
    from export.threshold import choose_threshold

    config = Config(epochs=epochs, seed=seed, crossview_epochs=0)
    if quick:
        config.samples_per_epoch, config.batch_size, config.bank_size = 128, 32, 24
    seed_everything(config.seed, config.threads)
    index = fold_rows(manifest, fold)
    train_rows = [manifest[i] for i in index["train"]]
    val_rows = [manifest[i] for i in index["val"]]
    left = [manifest[i] for i in index["left_out"]]
    train = load_sprites(train_rows, dataset, classes, config.size, config.resample)
    mean, std = normalisation(train.canonical, config.background)
    spec = make_sidecar(classes, config, mean, std, 0.0)["input"]
    val_y = np.array([classes.index(r["class"]) for r in val_rows])
    val_x = cnn_input.batch([dataset / r["path"] for r in val_rows], spec)
    augmenter = Augmenter(config, mean, std)
    cluttered = cluttered_set(config, mean, std, load_sprites(val_rows, dataset, classes, config.size,
                                                                    config.resample))
    model, log, best_epoch = fit(config, train, augmenter, config.epochs, len(classes), (val_x, val_y),
                                   f"CNN without {fold}", progress, cluttered=cluttered)
    val_probs = softmax(torch_logits(model, val_x))
    clutter_probs = softmax(torch_logits(model, cluttered[0]))
    threshold = choose_threshold(np.concatenate([val_probs.max(1), clutter_probs.max(1)]),
                                 np.concatenate([val_probs.argmax(1) == val_y, clutter_probs.argmax(1) == cluttered[1]]))
    probs = softmax(torch_logits(model, cnn_input.batch([dataset / r["path"] for r in left], spec)))
    answers = []
    for r, p in zip(left, probs):
        order = np.argsort(-p, kind="stable")[:3]
        answers.append({"path": r["path"], "class": r["class"],
                        "top": [[classes[c], round(float(p[c]), 4)] for c in order],
                        "sure": bool(p[order[0]] >= threshold), "confidence": round(float(p[order[0]]), 4)})
    right = sum(a["top"][0][0] == a["class"] for a in answers)
    say(f"  {fold} CNN: best epoch {best_epoch}/{len(log)}, threshold {threshold}, {right}/{len(answers)} right")
    return {"epochs": len(log), "best_epoch": best_epoch, "threshold": threshold, "n_train": len(train_rows),
            "answers": answers}


def merged(path: Path, result: dict, models: Sequence[str]) -> dict:
    """*result* with the other model's folds kept from the file at *path* when it was made on the same
    dataset (``--models hog_svm`` and ``--models cnn`` may run one after the other)."""
    try:
        old = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return result
    if old.get("manifest_sha") != result["manifest_sha"] or old.get("classes") != result["classes"]:
        return result
    for fold, entry in (old.get("folds") or {}).items():
        mine = result["folds"].setdefault(fold, {"left_out": entry.get("left_out")})
        for model in ("hog_svm", "cnn"):
            if model not in models and model in entry:
                mine[model] = entry[model]
    for key, value in (old.get("seconds") or {}).items():
        result["seconds"].setdefault(key, value)
    for model in ("hog_svm", "cnn"):
        if model not in models and model in (old.get("recipe") or {}):
            result["recipe"][model] = old["recipe"][model]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from export import features as F
    from export import train_svm as S

    parser = argparse.ArgumentParser(prog="python -m export crossstyle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=F.DATASET, help="the built dataset (manifest.csv)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the answers go (crossstyle.json)")
    parser.add_argument("--folds", nargs="+", default=list(FOLDS), choices=FOLDS, help="only these folds")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"CNN epochs per fold (default {EPOCHS})")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the HOG features")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=["hog_svm", "cnn"], choices=["hog_svm", "cnn"])
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    wall = time.perf_counter()
    manifest = F.read_manifest(args.dataset)
    if not any(r.get("style") for r in manifest):
        raise ValueError(f"{args.dataset} has no style column: LOGO needs the default dataset (Gen-V + styles)")
    classes = sorted({r["class"] for r in manifest})
    recipes = {"hog_svm": "train-svm's recipe: chosen features, photo copies, kernel grid on validation "
                          "(without the fold), threshold rule of export.threshold",
               "cnn": f"train-cnn's recipe with at most {args.epochs} epochs (the final model: 30), "
                      "early stopping and threshold on validation without the fold"}
    result: dict = {"format": "pyodemo-crossstyle", "command": "python -m export crossstyle", "classes": classes,
                    "recipe": {m: recipes[m] for m in args.models}, "folds": {}, "seconds": {}}
    data = feats = None
    if "hog_svm" in args.models:
        start = time.perf_counter()
        data = S.Data(args.dataset, False, S.PHOTO_COPIES)
        data.testsets = {}
        (feats,) = S.compute_features(data, [S.CHOSEN], S.PHOTO_COPIES, args.jobs, F.CACHE, args.quiet)
        result["seconds"]["svm_features"] = round(time.perf_counter() - start, 1)
    for fold in args.folds:
        entry = result["folds"][fold] = {"left_out": len(fold_rows(manifest, fold)["left_out"])}
        say(f"fold {fold}: {entry['left_out']} pictures left out")
        if "hog_svm" in args.models:
            start = time.perf_counter()
            entry["hog_svm"] = svm_fold(data, feats, fold, say)
            result["seconds"][f"svm_{fold}"] = round(time.perf_counter() - start, 1)
        if "cnn" in args.models:
            start = time.perf_counter()
            entry["cnn"] = cnn_fold(manifest, args.dataset, classes, fold, args.epochs, args.seed, not args.quiet, say)
            result["seconds"][f"cnn_{fold}"] = round(time.perf_counter() - start, 1)
        result["seconds"]["wall"] = round(time.perf_counter() - wall, 1)
        write(args.out, result, args.dataset, args.models)  # after every fold: a run cut short keeps its folds
    say(f"wrote {args.out} ({result['seconds']['wall']} s); score it with python -m export report")
    return 0


def write(out: Path, result: dict, dataset: Path, models: Sequence[str]) -> None:
    from export import train_svm as S

    result["manifest_sha"] = file_sha(dataset / "manifest.csv")
    done = merged(out, json.loads(json.dumps(result)), models)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(done, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    sys.exit(main())
