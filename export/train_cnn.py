"""The CNN (the talk's steps 2–4 for the second model): a phone-sized network, trained with torch.

Run ``python -m export train-cnn [--epochs N] [--seed S] [--out slides/models] [--quick]``
after ``python -m export dataset`` and ``python -m export testsets``. It writes
``cnn.onnx`` (one file), its sidecar ``cnn.json`` (the model artifacts contract) and the training
log ``cnn-train.json``.

**Model** (`export.cnn_model.SmallCNN`): four blocks conv 3×3 → batch norm → ReLU → max-pool 2×2
with 16, 32, 64 and 128 channels, global average pooling, dropout and one linear layer (about 100 k
parameters), exported to ONNX with each batch norm folded into its convolution (`export.cnn_onnx`).

**Input**: what the browser feeds (`export.cnn_input`): the default crop square, resized to 64×64
on white, ``(x/255 − mean)/std`` (mean and std of the clean training inputs); 64 px rather than 48
(EXPERIMENTS.md).

**Augmentation** (`export.cnn_augment.Augmenter`, batched in torch): the RGBA sprite — cropped to its pixels — is
resized (antialiased) so its longer side is 40–100 % of the frame, placed at a random position,
flipped, rotated by up to 12°, and composited (premultiplied alpha) on white (35 %), a random
solid colour (10 %) or a random crop of the procedural backgrounds of `export.backgrounds` (never
the photos of the photo-like test set); a quarter of the samples are exactly the browser's input
instead. Four sprites in five are first redrawn in another game's drawing style (`export.restyle`:
pixelated, palette-mapped, posterised, outlined, blurred or sharpened). Then brightness, contrast,
saturation and a small hue shift, Gaussian blur, pixel noise, and JPEG compression, each with some
probability.

**Class balance**: each epoch draws samples with replacement, every class equally often and,
within a class, every *distinct* picture equally often (the animations repeat frames).

**Training** (`export.cnn_loop.fit`): AdamW, cosine learning rate with warm-up, label smoothing 0.1, seeds fixed; the
model scored and kept is the moving average of the weights. After every epoch it is scored on the
validation split as the browser feeds it; the best epoch (accuracy, then macro-F1, then accuracy
on validation sprites over held-out procedural backgrounds, then lower validation loss) is kept,
and training stops early when it has not improved for ``--patience`` epochs.

**"Not one of these"**: the threshold on the top-1 softmax probability, by the rule both models
share (`export.threshold`): the largest coverage whose confident-error rate is ≤ 2 % on the
validation split as the browser feeds it (on white) *and* on procedural backgrounds, because the
site answers both drawings and phone pictures (the threshold from the white pictures alone is
logged too). Checked, never chosen, on ``data/not-pokemon``.

**Recipe comparison**: ``--compare`` trains the candidate recipes of `export.cnn_search` (style
augmentation off or stronger, a wider network) and scores them on validation only; the table goes
into the training log (``candidate_comparison``), and is kept from run to run. Earlier tries are
recorded in EXPERIMENTS.md.

**Reported, never used to choose anything**: the test split, the photo-like set, the unseen-art
set, and the cross-view diagnostic — a second model trained on front views only (last epoch, no
selection) and scored on the back views. The exported model's scores are computed with
onnxruntime on the exported file, so a test can recompute them.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from export import cnn_input
from export import sprites as sp
from export.cnn_augment import Augmenter, Sprites, cluttered_set, load_sprites, normalisation
from export.cnn_loop import fit, seed_everything, softmax, torch_logits
from export.cnn_model import Config, describe, n_parameters
from export.cnn_onnx import export_onnx, make_sidecar, max_difference, onnx_logits, onnx_session
from export.dataset_items import DATA, DEFAULT_OUT, file_sha
from export.metrics import scores
from export.styles import ANIMATED_STYLE
from export.threshold import RULE as THRESHOLD_RULE
from export.threshold import choose_threshold, risk_coverage

MODELS = sp.ROOT / "slides" / "models"
TARGETS = {"test_accuracy": 0.98, "crossview_accuracy": 0.90, "photo_like_accuracy": 0.90,
           "unseen_art_correct": 9}


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValueError(f"{path} not found: build it first (python -m export dataset / testsets)")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def subset(rows: list[dict], per_class: int, seed: int) -> list[dict]:
    """At most *per_class* rows of each class, a seeded pick (for ``--quick``)."""
    by_class = defaultdict(list)
    for row in rows:
        by_class[row["class"]].append(row)
    picked = []
    for cls in sorted(by_class):
        items = sorted(by_class[cls], key=lambda r: r["path"])
        random.Random(f"{seed}:{cls}").shuffle(items)
        picked += items[:per_class]
    return picked


def evaluate_sets(session, spec: dict, classes: list[str], rows: dict[str, list[dict]],
                  data: Path, dataset: Path, threshold: float, quick: bool, other_threshold: float) -> dict:
    """Scores of the exported model (onnxruntime) on every set; the browser's input for each."""
    n = len(classes)
    report: dict = {}
    for split in ("val", "test"):
        items = rows[split]
        x = cnn_input.batch([dataset / r["path"] for r in items], spec)
        y = np.array([classes.index(r["class"]) for r in items])
        report[split] = scores(y, onnx_logits(session, x).argmax(1), range(n), digits=None)
    photo_rows = []
    if (data / "photo-like" / "manifest.csv").is_file():
        photo_rows = read_csv(data / "photo-like" / "manifest.csv")
        photo_rows = subset(photo_rows, 2, 0) if quick else photo_rows
    if photo_rows:
        x = cnn_input.batch([data / "photo-like" / r["path"] for r in photo_rows], spec)
        y = np.array([classes.index(r["class"]) for r in photo_rows])
        probs = softmax(onnx_logits(session, x))
        report["photo_like"] = scores(y, probs.argmax(1), range(n), digits=None)
        sure = probs.max(1) >= threshold
        report["photo_like"]["correct_and_sure"] = int(((probs.argmax(1) == y) & sure).sum())
        report["photo_like"]["correct_and_sure_white_only"] = int(
            ((probs.argmax(1) == y) & (probs.max(1) >= other_threshold)).sum())
    else:
        report["photo_like"] = {"n": 0, "note": "data/photo-like not built"}
    art = [(cls, data / "unseen-art" / f"{cls}.png") for cls in classes]
    art = [(cls, p) for cls, p in art if p.is_file()]
    if art:
        probs = softmax(onnx_logits(session, cnn_input.batch([p for _, p in art], spec)))
        answers = [{"class": cls, "predicted": classes[int(p.argmax())], "probability": round(float(p.max()), 4)}
                   for (cls, _), p in zip(art, probs)]
        report["unseen_art"] = {"n": len(art), "correct": sum(a["class"] == a["predicted"] for a in answers),
                                "answers": answers}
    else:
        report["unseen_art"] = {"n": 0, "note": "data/unseen-art not built"}
    other = []
    if (data / "not-pokemon" / "manifest.csv").is_file():
        other = read_csv(data / "not-pokemon" / "manifest.csv")
        other = other[:: max(1, len(other) // 10)] if quick else other
    if other:
        probs = softmax(onnx_logits(session, cnn_input.batch([data / "not-pokemon" / r["path"] for r in other], spec)))
        below = probs.max(1) < threshold
        kinds = sorted({r["kind"] for r in other})
        report["not_pokemon"] = {
            "n": len(other), "below_threshold": int(below.sum()), "rejected_fraction": float(below.mean()),
            "below_white_only": int((probs.max(1) < other_threshold).sum()),
            "by_kind": {k: {"n": sum(r["kind"] == k for r in other),
                            "below_threshold": int(sum(b for b, r in zip(below, other) if r["kind"] == k))}
                        for k in kinds},
        }
    else:
        report["not_pokemon"] = {"n": 0, "note": "data/not-pokemon not built"}
    return report


def targets(report: dict) -> dict[str, dict]:
    got = {
        "test_accuracy": report["test"].get("accuracy"),
        "crossview_accuracy": report.get("crossview", {}).get("accuracy"),
        "photo_like_accuracy": report["photo_like"].get("accuracy"),
        "unseen_art_correct": report["unseen_art"].get("correct"),
    }
    return {k: {"target": TARGETS[k], "measured": v, "met": v is not None and v >= TARGETS[k]} for k, v in got.items()}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m export train-cnn",
        description="Train the CNN on the dataset, export cnn.onnx + cnn.json + cnn-train.json.",
    )
    parser.add_argument("--epochs", type=int, default=Config.epochs, help="most epochs (early stopping may end sooner)")
    parser.add_argument("--crossview-epochs", type=int, default=Config.crossview_epochs,
                        help="epochs of the cross-view diagnostic model (0: skip it)")
    parser.add_argument("--patience", type=int, default=Config.patience,
                        help="stop after this many epochs without a better validation score")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=Config.size, help="input side in pixels")
    parser.add_argument("--channels", type=int, nargs="+", default=list(Config.channels),
                        help="channels of the conv blocks (at least two)")
    parser.add_argument("--restyle", type=float, default=Config.p_restyle,
                        help="share of the training sprites redrawn in another drawing style (export.restyle)")
    parser.add_argument("--out", type=Path, help="folder for the artifacts (default: slides/models; "
                        "with --quick a new temporary folder)")
    parser.add_argument("--dataset", type=Path, default=DEFAULT_OUT, help="the built dataset")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of photo-like/, unseen-art/, not-pokemon/")
    parser.add_argument("--quick", action="store_true", help="a couple of epochs on a small subset (for tests)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--compare", action="store_true",
                        help="first train the recipes of export.cnn_search and score them on validation (slow)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}")
    if not 0.0 <= args.restyle <= 1.0:
        raise ValueError(f"--restyle is a share from 0 to 1, got {args.restyle}")
    if args.size < 16 or args.size % 4:
        raise ValueError(f"--size must be a multiple of 4 and at least 16, got {args.size}")
    return args


def make_config(args: argparse.Namespace) -> Config:
    config = Config(epochs=args.epochs, seed=args.seed, size=args.size, crossview_epochs=args.crossview_epochs,
                    channels=tuple(args.channels), patience=args.patience, p_restyle=args.restyle)
    if args.quick:
        config.epochs = min(config.epochs, 2)
        config.crossview_epochs = min(config.crossview_epochs, 1)
        config.samples_per_epoch, config.batch_size, config.bank_size = 128, 32, 24
    return config


@dataclass
class Inputs:
    """What training reads: the manifest's rows per split, the training sprites, their normalisation, the
    validation split as the browser feeds it and on procedural backgrounds (``cluttered``)."""

    manifest: list[dict]
    classes: list[str]
    rows: dict[str, list[dict]]
    train: Sprites
    mean: list[float]
    std: list[float]
    spec: dict
    val_x: np.ndarray
    val_y: np.ndarray
    augmenter: Augmenter
    cluttered: tuple[np.ndarray, np.ndarray]


def load_inputs(args: argparse.Namespace, config: Config) -> Inputs:
    manifest = read_csv(args.dataset / "manifest.csv")
    classes = sorted({r["class"] for r in manifest})
    rows = {s: [r for r in manifest if r["split"] == s] for s in ("train", "val", "test")}
    if args.quick:
        rows = {"train": subset(rows["train"], 12, config.seed), "val": subset(rows["val"], 4, config.seed),
                "test": subset(rows["test"], 4, config.seed)}
    for split, items in rows.items():
        if not items:
            raise ValueError(f"the {split} split of {args.dataset} is empty")
    print(f"loading {args.dataset} ({len(classes)} classes)", file=sys.stderr)
    train = load_sprites(rows["train"], args.dataset, classes, config.size, config.resample)
    mean, std = normalisation(train.canonical, config.background)
    spec = make_sidecar(classes, config, mean, std, 0.0)["input"]
    val_y = np.array([classes.index(r["class"]) for r in rows["val"]])
    val_x = cnn_input.batch([args.dataset / r["path"] for r in rows["val"]], spec)
    augmenter = Augmenter(config, mean, std)
    cluttered = cluttered_set(config, mean, std, load_sprites(rows["val"], args.dataset, classes,
                                                              config.size, config.resample))
    return Inputs(manifest, classes, rows, train, mean, std, spec, val_x, val_y, augmenter, cluttered)


def candidate_comparison(args: argparse.Namespace, config: Config, inp: Inputs, out: Path, progress: bool) -> dict | None:
    """``--compare``: the recipes of `export.cnn_search` scored on validation; else the last table, kept."""
    comparison = previous_comparison(out / "cnn-train.json", args.dataset / "manifest.csv")
    if args.compare and not args.quick:
        from export import cnn_search

        styles = np.array([r.get("style", ANIMATED_STYLE) not in ("", ANIMATED_STYLE) for r in inp.rows["val"]])
        comparison = cnn_search.compare(config, inp.train, (inp.val_x, inp.val_y), styles, inp.cluttered,
                                        len(inp.classes), inp.mean, inp.std, progress,
                                        lambda line: print(line, file=sys.stderr, flush=True))
        comparison["manifest_sha"] = file_sha(args.dataset / "manifest.csv")
        kept = dict(cnn_search.CANDIDATES)[comparison["rule_keeps"]]
        if any(getattr(config, key) != value for key, value in kept.items()):
            print(f"note: the rule keeps {comparison['rule_keeps']!r}, not this run's recipe: change Config",
                  file=sys.stderr)
        seed_everything(config.seed, config.threads)
    return comparison


def train_and_export(config: Config, inp: Inputs, out: Path, progress: bool) -> dict:
    """The model trained, its "not sure" threshold chosen on validation, exported (ONNX + sidecar) and checked."""
    start = time.perf_counter()
    model, log, best_epoch = fit(config, inp.train, inp.augmenter, config.epochs, len(inp.classes),
                                 (inp.val_x, inp.val_y), "train-cnn", progress, cluttered=inp.cluttered)
    train_seconds = time.perf_counter() - start
    val_probs = softmax(torch_logits(model, inp.val_x))
    clutter_probs = softmax(torch_logits(model, inp.cluttered[0]))
    top1 = np.concatenate([val_probs.max(1), clutter_probs.max(1)])
    correct = np.concatenate([val_probs.argmax(1) == inp.val_y, clutter_probs.argmax(1) == inp.cluttered[1]])
    threshold = choose_threshold(top1, correct)
    threshold_white_only = choose_threshold(val_probs.max(1), val_probs.argmax(1) == inp.val_y)
    sidecar = make_sidecar(inp.classes, config, inp.mean, inp.std, threshold)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "cnn.onnx"
    export_onnx(model, onnx_path, config.size, sidecar)
    (out / "cnn.json").write_text(json.dumps(sidecar, indent=1) + "\n")
    session = onnx_session(onnx_path)
    diff = max_difference(model, session, inp.val_x[:64])
    if max(diff.values()) > 1e-4:
        raise ValueError(f"the ONNX model disagrees with torch by {max(diff.values()):.2g} (> 1e-4)")
    return {"model": model, "log": log, "best_epoch": best_epoch, "train_seconds": train_seconds,
            "val_probs": val_probs, "clutter_probs": clutter_probs, "top1": top1, "correct": correct,
            "threshold": threshold, "threshold_white_only": threshold_white_only, "onnx_path": onnx_path,
            "session": session, "diff": diff}


def score(args: argparse.Namespace, inp: Inputs, trained: dict) -> dict:
    """The exported model's scores (onnxruntime on the file) on every set, and how many right answers are sure."""
    session, threshold, n = trained["session"], trained["threshold"], len(inp.classes)
    val_probs, clutter_probs, cluttered = trained["val_probs"], trained["clutter_probs"], inp.cluttered
    report = evaluate_sets(session, inp.spec, inp.classes, inp.rows, args.data, args.dataset, threshold, args.quick,
                           trained["threshold_white_only"])
    report["val_cluttered"] = scores(cluttered[1], onnx_logits(session, cluttered[0]).argmax(1), range(n), digits=None)
    report["val"]["correct_above_threshold"] = float(
        (val_probs.max(1)[val_probs.argmax(1) == inp.val_y] >= threshold).mean())
    report["val_cluttered"]["correct_above_threshold"] = float(
        (clutter_probs.max(1)[clutter_probs.argmax(1) == cluttered[1]] >= threshold).mean())
    return report


def crossview(args: argparse.Namespace, config: Config, inp: Inputs, progress: bool) -> tuple[dict, list[dict], float]:
    """The cross-view diagnostic: a second model trained on front views (last epoch), scored on back views."""
    front = [r for r in inp.manifest if r["crossview"] == "train"]
    back = [r for r in inp.manifest if r["crossview"] == "test"]
    if args.quick:
        front, back = subset(front, 12, config.seed), subset(back, 4, config.seed)
    if not (config.crossview_epochs > 0 and front and back):
        return {"n": 0, "note": "skipped (no views in this dataset, or --crossview-epochs 0)"}, [], 0.0
    start = time.perf_counter()
    cv_sprites = load_sprites(front, args.dataset, inp.classes, config.size, config.resample)
    cv_model, crossview_log, _ = fit(config, cv_sprites, inp.augmenter, config.crossview_epochs, len(inp.classes),
                                     None, "cross-view", progress, seed_offset=1)
    seconds = time.perf_counter() - start
    x = cnn_input.batch([args.dataset / r["path"] for r in back], inp.spec)
    y = np.array([inp.classes.index(r["class"]) for r in back])
    entry = {"train": "front views (all splits)", "test": "back views (all splits)",
             "epochs": len(crossview_log), "selection": "none (last epoch)",
             **scores(y, torch_logits(cv_model, x).argmax(1), range(len(inp.classes)), digits=None)}
    return entry, crossview_log, seconds


def training_log(args: argparse.Namespace, config: Config, inp: Inputs, trained: dict, report: dict,
                 comparison: dict | None, crossview_log: list[dict], seconds: dict) -> dict:
    """The training log (``cnn-train.json``)."""
    model, threshold, classes = trained["model"], trained["threshold"], inp.classes
    top1, correct = trained["top1"], trained["correct"]
    training = {
        "format": "pyodemo-cnn-train",
        "version": 1,
        "quick": args.quick,
        "dataset": str(args.dataset.resolve().relative_to(sp.ROOT)) if args.dataset.resolve().is_relative_to(sp.ROOT) else str(args.dataset),
        "classes": classes,
        "config": asdict(config),
        "architecture": describe(model),
        "parameters": n_parameters(model),
        "onnx_bytes": trained["onnx_path"].stat().st_size,
        "onnx_max_abs_difference": trained["diff"],
        "train_pictures": {"rows": len(inp.rows["train"]), "distinct": len(inp.train.labels),
                           "distinct_per_class": {c: int(n) for c, n in zip(classes, np.bincount(inp.train.labels, minlength=len(classes)))}},
        "best_epoch": trained["best_epoch"],
        "epochs_run": len(trained["log"]),
        "epochs": trained["log"],
        "threshold": {"value": threshold, "on": "top-1 softmax probability",
                      "rule": THRESHOLD_RULE + "; the validation split both as the browser feeds it (white) "
                              "and on procedural backgrounds",
                      "val_coverage": round(risk_coverage(top1, correct, threshold)[0], 4),
                      "val_risk": round(risk_coverage(top1, correct, threshold)[1], 4),
                      "white_only": {"value": trained["threshold_white_only"],
                                     "not_pokemon_below": report["not_pokemon"].get("below_white_only"),
                                     "photo_like_correct_and_sure": report["photo_like"].get("correct_and_sure_white_only")}},
        "metrics": report,
        "targets": None,
        "crossview_epochs": crossview_log,
        "candidate_comparison": comparison,
        "seconds": seconds,
        "environment": {"torch": torch.__version__, "python": platform.python_version(),
                        "threads": torch.get_num_threads()},
    }
    training["targets"] = targets(report)
    return training


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    wall = time.perf_counter()
    config = make_config(args)
    out = args.out or (Path(tempfile.mkdtemp(prefix="pyodemo-cnn-")) if args.quick else MODELS)
    seed_everything(config.seed, config.threads)
    progress = not args.quiet
    inp = load_inputs(args, config)
    comparison = candidate_comparison(args, config, inp, out, progress)
    trained = train_and_export(config, inp, out, progress)
    report = score(args, inp, trained)
    report["crossview"], crossview_log, crossview_seconds = crossview(args, config, inp, progress)
    seconds = {"train": round(trained["train_seconds"], 1), "crossview": round(crossview_seconds, 1),
               "wall": round(time.perf_counter() - wall, 1)}
    training = training_log(args, config, inp, trained, report, comparison, crossview_log, seconds)
    (out / "cnn-train.json").write_text(json.dumps(training, indent=1) + "\n")
    print(summary(training, out))
    return 0


def previous_comparison(log: Path, manifest: Path) -> dict | None:
    """The last ``--compare`` table, kept across runs without it; marked when it measured another dataset."""
    try:
        kept = json.loads(log.read_text()).get("candidate_comparison")
    except (OSError, ValueError):
        return None
    if kept and kept.get("manifest_sha") != file_sha(manifest):
        kept["dataset"] = "an earlier dataset (its manifest.csv differs from this one's): re-measure with --compare"
    return kept


def summary(t: dict, out: Path) -> str:
    m = t["metrics"]

    def pct(s: dict, key: str = "accuracy") -> str:
        return f"{100 * s[key]:.1f}%" if key in s else "n/a"

    lines = [
        f"CNN: {t['architecture']}",
        f"  parameters {t['parameters']:,}, ONNX {t['onnx_bytes'] / 1e6:.3f} MB, "
        f"best epoch {t['best_epoch']}/{t['epochs_run']}, max |torch − onnx| {max(t['onnx_max_abs_difference'].values()):.1e}",
        f"  time: train {t['seconds']['train']} s, cross-view {t['seconds']['crossview']} s, wall {t['seconds']['wall']} s",
        f"  validation: accuracy {pct(m['val'])}, macro-F1 {pct(m['val'], 'macro_f1')}",
        f"  test:       accuracy {pct(m['test'])}, macro-F1 {pct(m['test'], 'macro_f1')} ({m['test']['correct']}/{m['test']['n']})",
        f"  cross-view: accuracy {pct(m['crossview'])}, macro-F1 {pct(m['crossview'], 'macro_f1')}",
        f"  photo-like: accuracy {pct(m['photo_like'])}, macro-F1 {pct(m['photo_like'], 'macro_f1')}",
        f"  unseen-art: {m['unseen_art'].get('correct', 'n/a')}/{m['unseen_art']['n']} correct",
        f"  threshold {t['threshold']['value']} on the top-1 probability; not-Pokémon below it: "
        + (f"{m['not_pokemon']['below_threshold']}/{m['not_pokemon']['n']}" if m["not_pokemon"]["n"] else "n/a"),
    ]
    for name, target in t["targets"].items():
        state = "met" if target["met"] else "SHORT"
        lines.append(f"  target {name}: {target['measured']} vs {target['target']} — {state}")
    lines.append(f"wrote {out / 'cnn.onnx'}, {out / 'cnn.json'}, {out / 'cnn-train.json'}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
