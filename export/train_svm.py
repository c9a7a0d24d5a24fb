"""Train the HOG+SVM model: ``python -m export train-svm`` (the talk's steps 2–4 for the classic model).

1. **Features** (step 2a, "feature definition"): each image goes through the browser's own code —
   `pyodemo.classify.default_crop`, `prepare`, `features` — as the model file's ``pipeline``
   says (`CHOSEN`): gray HOG (Dalal & Triggs 2005) on the 64 × 64 input for the shape, plus a
   joint RGB histogram (10 × 10 × 10 colour cubes of the visible pixels), square-rooted — the
   Hellinger kernel made linear (Vedaldi & Zisserman 2012) — for the colour. `export.feature_search` is
   the comparison that chose it, on the validation split. Computed in worker processes and
   cached in ``data/cache/`` (`export.features`).
2. **Augmentation**: the training split as stored (a sprite on the page, composited on white)
   plus ``PHOTO_COPIES`` copies of each training image pasted onto a *procedural* background at
   a random scale and position, blurred and JPEG-compressed (`export.features.photo_composite`) —
   a phone picture's stand-in. Never the photo-like test set's photographs
   (``data/photo-like/backgrounds.json``).
3. **Model selection on the validation split only**: `sklearn.svm.SVC` with
   ``class_weight="balanced"`` (step 1b: the largest class has 7.7× the smallest) over a grid of
   kernels (linear, poly, rbf), C and gamma (`GRID`), fitted on precomputed kernel matrices
   (`Gram`: one BLAS call instead of libsvm's own loops, ~20× faster); the score is the mean
   macro-F1 over three views of the validation split — its Gen-V frames, its other drawing
   styles, and a photo-like copy of each image (`VAL_SEED`) — so style counts as much as the
   one style most images have (`val_scores`).
   Only models that fit the **browser budget** compete: scoring costs about
   ``n_support_vectors × n_features`` multiply-adds (a linear model: ``n_pairs × n_features``),
   at `NS_PER_MAC` each in Pyodide, and must stay under `SVM_BUDGET_MS` (the resize and HOG take
   the rest of the 30 ms).
4. **Final model**: the chosen configuration refitted with scikit-learn's own kernel on the
   training split (+ its photo copies) — the validation split is never fitted — and written with
   `export.sklearn_bridge.to_pyodemo`, the pipeline and the "not sure" threshold in its header,
   float32 (float64 if float32 changed a validation prediction). pyodemo's predictions on the
   test split must equal scikit-learn's: asserted.
5. **"Not sure"**: the threshold on the *margin* — the top class's weakest one-vs-one win, i.e.
   the smallest of its 9 pairwise decision values (`pyodemo.classify.decision`) — by the rule
   both models share (`export.threshold`): the largest coverage whose confident-error rate is
   ≤ 2 % on the validation images (as stored + photo copies); checked on ``data/not-pokemon``
   (other Pokémon, photos), never tuned on it.
6. **Report** (printed and written to ``slides/models/hog_svm-train.json``): validation and test
   accuracy and macro-F1, the cross-view diagnostic (fit on front views, test on back views),
   photo-like accuracy, unseen-art correct/10, not-Pokémon rejected, n_SV, file size, wall time.
   The model's speed per picture, in CPython and in Pyodide (Node), is measured by ``python -m bench svm``.

Earlier tries that were not kept are recorded in EXPERIMENTS.md.

``--compare`` also measures the feature settings of `export.feature_search` (linear SVM, best C
on validation) and stores the table in the training log; without it the table of the last
``--compare`` run on the same dataset is kept. ``--quick`` trains on a few images per class (for
the tests).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from export import features as F
from export.dataset_items import file_sha
from export.metrics import scores
from export.svm_data import PHOTO_COPIES, VAL_SEED, Data, compute_features, training_set, val_scores
from export.svm_model import Fitted, Gram, cost_macs, fit, margins
from export.threshold import RULE as THRESHOLD_RULE
from export.threshold import choose_threshold, risk_coverage

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "slides" / "models"
DATA = ROOT / "data"

#: The chosen pipeline (by the validation split; the comparison is in hog_svm-train.json).
CHOSEN: dict = {
    "input": {"size": 64, "background": [255, 255, 255], "margin": 0.08},
    "features": [
        {"name": "hog", "orientations": 9, "pixels_per_cell": [8, 8], "cells_per_block": [2, 2],
         "block_norm": "L2-Hys", "transform_sqrt": False, "color": "gray"},
        {"name": "color_hist", "bins": 10, "joint": True, "sqrt": True, "weight": 16.0},
    ],
}
#: Browser budget for the SVM part (ms) at a cost per multiply-add in Pyodide (ns): measured
#: ~46 ns in Chromium (``python -m bench browser``: hogsvm_svm_ms over the model's multiply-adds),
#: rounded up. The resize, HOG and histogram take the rest of the 30 ms.
NS_PER_MAC = 60.0
SVM_BUDGET_MS = 10.0

GRID: list[dict] = [
    {"kernel": "linear", "C": 0.01},
    {"kernel": "linear", "C": 0.03},
    {"kernel": "linear", "C": 0.1},
    {"kernel": "linear", "C": 0.3},
    {"kernel": "poly", "degree": 3, "C": 10.0, "gamma": "scale", "coef0": 1.0},
    {"kernel": "rbf", "C": 10.0, "gamma": "scale"},
]
QUICK_GRID: list[dict] = [{"kernel": "linear", "C": 0.1}, {"kernel": "rbf", "C": 10.0, "gamma": "scale"}]

def _imports(path: Path) -> set[str]:
    """Modules a source file imports (to check that the training backgrounds use no photographs)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m export train-svm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=F.DATASET, help="built dataset (manifest.csv)")
    parser.add_argument("--out", type=Path, default=OUT, help="where hog_svm.svm and hog_svm-train.json go")
    parser.add_argument("--cache", type=Path, default=F.CACHE, help="feature cache folder")
    parser.add_argument("--no-cache", action="store_true", help="compute every feature again, store nothing")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the features (default 2)")
    parser.add_argument("--compare", action="store_true", help="also measure the feature settings (slow)")
    parser.add_argument("--quick", action="store_true", help="a few images per class, a tiny grid (tests)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def feature_comparison(args: argparse.Namespace, data: Data, cache: Path | None, manifest_sha: str,
                       log_path: Path, say) -> dict | None:
    """``--compare``: measure the feature settings (`export.feature_search`); else the last run's table, kept."""
    previous = {}
    if log_path.is_file():
        try:
            previous = json.loads(log_path.read_text())
        except ValueError:
            previous = {}
    comparison = None
    if args.compare and not args.quick:
        say("feature comparison (linear SVM, C on validation):")
        from export import feature_search

        comparison = {"rows": feature_search.compare(data, args.jobs, cache, say),
                      "measured_by": "python -m export train-svm --compare (export.feature_search)",
                      "selection": "mean macro-F1 over the validation split's Gen-V frames, other styles and photo copies",
                      "manifest_sha": manifest_sha}
    elif previous.get("feature_comparison") and not args.quick:
        # kept from the last --compare run; said plainly when it measured another dataset
        comparison = dict(previous["feature_comparison"])
        if comparison.get("manifest_sha") != manifest_sha:
            comparison["dataset"] = comparison.get("dataset") or (
                "an earlier dataset (its manifest.csv differs from this one's): re-measure with --compare")
    return comparison


def select(data: Data, feats: dict, X: np.ndarray, y: np.ndarray, configs: list[dict], say) -> dict:
    """The kernel grid on the validation split (precomputed kernels), the best within the browser budget,
    refitted with scikit-learn's own kernel: {grid, config, clf, agree, grid_s, refit_s}."""
    grid: list[dict] = []
    fitted_all: list[Fitted] = []
    t_grid = time.perf_counter()
    gram = Gram(X)
    for config in configs:
        fitted = Fitted(gram, config, y)
        s = val_scores(fitted, data, feats)
        macs = cost_macs(config["kernel"], fitted.n_sv, len(data.classes), X.shape[1])
        row = {**config, "n_sv": fitted.n_sv, "macs": macs,
               "svm_ms_estimate": round(macs * NS_PER_MAC / 1e6, 1),
               "within_budget": macs * NS_PER_MAC / 1e6 <= SVM_BUDGET_MS,
               "val_accuracy": s["val"]["accuracy"], "val_macro_f1": s["val"]["macro_f1"],
               "val_styles_accuracy": s["val_styles"]["accuracy"], "val_styles_macro_f1": s["val_styles"]["macro_f1"],
               "val_photo_accuracy": s["val_photo"]["accuracy"], "val_photo_macro_f1": s["val_photo"]["macro_f1"],
               "selection_score": s["selection_score"], "fit_s": round(fitted.seconds, 2)}
        grid.append(row)
        fitted_all.append(fitted)
        say(f"  {json.dumps(config):60s} val {row['val_accuracy']:.3f}  styles {row['val_styles_accuracy']}  val-photo {row['val_photo_accuracy']:.3f}  "
            f"score {row['selection_score']:.3f}  n_SV {row['n_sv']}  ~{row['svm_ms_estimate']} ms"
            f"{'' if row['within_budget'] else ' (over budget)'}")
    eligible = [i for i, r in enumerate(grid) if r["within_budget"]] or list(range(len(grid)))
    best = max(eligible, key=lambda i: (grid[i]["selection_score"], -grid[i]["macs"]))
    config = {k: v for k, v in grid[best].items() if k in ("kernel", "C", "gamma", "degree", "coef0")}
    grid_s = time.perf_counter() - t_grid
    del gram
    # the model file's model: the chosen configuration refitted with scikit-learn's own kernel
    t_refit = time.perf_counter()
    clf = fit(config, X, y)
    refit_s = time.perf_counter() - t_refit
    val = data.split == "val"
    val_rows = np.vstack([feats["clean"][val], feats["val_photo"]])
    agree = {"n_sv_precomputed": fitted_all[best].n_sv, "n_sv_refit": int(clf.n_support_.sum()),
             "val_predictions_agree": float(np.mean(fitted_all[best].predict(val_rows) == clf.predict(val_rows)))}
    fitted_all.clear()
    say(f"chosen: {json.dumps(config)} (best validation score within the browser budget); "
        f"refitted with kernel={config['kernel']!r}: {json.dumps(agree)}")
    return {"grid": grid, "config": config, "clf": clf, "agree": agree, "grid_s": grid_s, "refit_s": refit_s}


def write_model(clf, data: Data, feats: dict, out: Path, say) -> dict:
    """The "not sure" threshold on validation, the model file (float32 unless that changes a validation
    prediction) and the parity check on the test split: pyodemo (the file as written) == scikit-learn."""
    from export.sklearn_bridge import to_pyodemo
    from pyodemo.svm import SVC

    val = data.split == "val"
    val_margin = np.concatenate([margins(clf, feats["clean"][val]), margins(clf, feats["val_photo"])])
    val_ok = np.concatenate([clf.predict(feats["clean"][val]) == data.y[val],
                             clf.predict(feats["val_photo"]) == data.y[val]])
    threshold = choose_threshold(val_margin, val_ok)
    pipeline = {**CHOSEN, "threshold_on": "margin: the top class's smallest one-vs-one decision value "
                                          "(its weakest pairwise win); sure when margin >= threshold"}
    model = to_pyodemo(clf, pipeline=pipeline, threshold=threshold)
    dtype = "float32"
    val_X = np.vstack([feats["clean"][val], feats["val_photo"]])
    sk_val = clf.predict(val_X).tolist()
    if SVC.from_bytes(model.to_bytes("float32")).predict(val_X.tolist()) != sk_val:
        dtype = "float64"
    blob = model.to_bytes(dtype)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / "hog_svm.svm"
    model_path.write_bytes(blob)
    loaded = SVC.load(model_path)
    test = data.split == "test"
    sk_test = clf.predict(feats["clean"][test]).tolist()
    py_test = loaded.predict(feats["clean"][test].tolist())
    if py_test != sk_test:
        raise AssertionError("pyodemo's test-split predictions differ from scikit-learn's")
    dec_sk = clf.decision_function(feats["clean"][test][:50])
    dec_py = np.asarray(loaded.decision_function(feats["clean"][test][:50].tolist()))
    parity = {"test_predictions_equal": True, "n": len(sk_test),
              "max_abs_ovr_score_diff_first_50": float(np.abs(dec_sk - dec_py).max())}
    say(f"parity: pyodemo == scikit-learn on {len(sk_test)} test images (file {dtype})")
    return {"threshold": threshold, "pipeline": pipeline, "val_margin": val_margin, "val_ok": val_ok,
            "sk_val": sk_val, "py_test": py_test, "blob": blob, "dtype": dtype, "path": model_path,
            "loaded": loaded, "parity": parity}


def evaluate(clf, config: dict, written: dict, data: Data, feats: dict) -> tuple[dict, dict]:
    """Validation, test, cross-view and test-set scores (`export.metrics.scores`), and the threshold's record."""
    val, test = data.split == "val", data.split == "test"
    sk_val, py_test, threshold, loaded = written["sk_val"], written["py_test"], written["threshold"], written["loaded"]
    metrics: dict = {
        "val": scores(data.y[val], sk_val[: int(val.sum())], data.classes, over="present"),
        "val_photo": scores(data.y[val], sk_val[int(val.sum()):], data.classes, over="present"),
        "test": scores(data.y[test], py_test, data.classes, over="present"),
    }
    metrics["test"]["confusion"] = {
        "labels": data.classes,
        "matrix": [[int(((data.y[test] == a) & (np.asarray(py_test) == b)).sum()) for b in data.classes]
                   for a in data.classes],
    }
    if (data.crossview == "train").any() and (data.crossview == "test").any():
        Xc, yc = training_set(data, feats, PHOTO_COPIES, data.crossview == "train")
        # front views of every split, plus the photo copies of the training split's front views
        front_other = (data.crossview == "train") & (data.split != "train")
        Xc = np.vstack([Xc, feats["clean"][front_other]])
        yc = np.concatenate([yc, data.y[front_other]])
        cv_model = Fitted(Gram(Xc), config, yc)
        back = data.crossview == "test"
        metrics["crossview"] = scores(data.y[back], cv_model.predict(feats["clean"][back]), data.classes, over="present")
        metrics["crossview"]["fit_on"] = "front views (all splits) + photo copies of the training split's front views"
    for name, (trows, _) in data.testsets.items():
        if not trows or name not in feats:
            continue
        Xt = feats[name]
        pred = np.asarray(loaded.predict(Xt.tolist()))
        kept = margins(clf, Xt) >= threshold
        if name == "not-pokemon":
            kinds = np.array([r.get("kind", "") for r in trows])
            metrics[name] = {"n": len(trows), "rejected": round(float((~kept).mean()), 4),
                             "rejected_by_kind": {k: round(float((~kept[kinds == k]).mean()), 4) for k in sorted(set(kinds))}}
            continue
        yt = np.array([r["class"] for r in trows])
        metrics[name] = scores(yt, pred, data.classes, over="present")
        metrics[name]["sure"] = round(float(kept.mean()), 4)
        if name == "unseen-art":
            metrics[name]["predictions"] = {t: p for t, p in zip(yt.tolist(), pred.tolist())}
    val_margin, val_ok = written["val_margin"], written["val_ok"]
    val_kept = val_margin >= threshold
    sure = {"value": threshold, "on": written["pipeline"]["threshold_on"],
            "rule": THRESHOLD_RULE,
            "val_coverage": round(risk_coverage(val_margin, val_ok, threshold)[0], 4),
            "val_risk": round(risk_coverage(val_margin, val_ok, threshold)[1], 4),
            "val_sure": round(float(val_kept[: int(val.sum())].mean()), 4),
            "val_photo_sure": round(float(val_kept[int(val.sum()):].mean()), 4),
            "val_accuracy_when_sure": round(float(val_ok[val_kept].mean()), 4) if val_kept.any() else None,
            "val_correct_kept": round(float(val_kept[val_ok].mean()), 4) if val_ok.any() else None,
            "not_pokemon_rejected": (metrics.get("not-pokemon") or {}).get("rejected")}
    return metrics, sure


def training_log(args: argparse.Namespace, data: Data, n_features: int, manifest_sha: str, comparison: dict | None,
                 chosen: dict, written: dict, metrics: dict, sure: dict, timing: dict) -> dict:
    """The training log (``hog_svm-train.json``): what was fitted on what, how it was chosen, its scores."""
    counts = Counter(data.y[data.split == "train"])
    blob = written["blob"]
    return {
        "command": "python -m export train-svm" + (" --quick" if args.quick else ""),
        "dataset": {"path": str(args.dataset.relative_to(ROOT)) if args.dataset.is_relative_to(ROOT) else str(args.dataset),
                    "manifest_sha": manifest_sha, "images": len(data.rows),
                    "split": {s: int((data.split == s).sum()) for s in ("train", "val", "test")},
                    "train_class_counts": dict(sorted(counts.items())),
                    "imbalance": round(max(counts.values()) / min(counts.values()), 2)},
        "pipeline": written["pipeline"],
        "augmentation": {"photo_copies_per_train_image": PHOTO_COPIES, "val_photo_seed": VAL_SEED,
                         "backgrounds": "procedural (export.backgrounds, a fresh one per picture); never the photo-like set's photos "
                                        + json.dumps(F.forbidden_backgrounds())},
        "selection": "mean macro-F1 over the validation split's Gen-V frames, its other styles and one photo "
                     "copy of each validation image; "
                     f"only models with an estimated SVM time <= {SVM_BUDGET_MS} ms in Pyodide "
                     f"({NS_PER_MAC} ns per multiply-add) compete; the test split chose nothing",
        "feature_comparison": comparison,
        "kernel_grid": chosen["grid"],
        "chosen": chosen["config"],
        "final_fit": "the chosen configuration refitted with scikit-learn's own kernel on the training split + its "
                     "photo copies (the grid used precomputed kernels; validation not fitted)",
        "refit_check": chosen["agree"],
        "threshold": sure,
        "metrics": metrics,
        "parity": written["parity"],
        "model": {"file": written["path"].name, "bytes": len(blob), "dtype": written["dtype"],
                  "n_support_vectors": int(chosen["clf"].n_support_.sum()),
                  "n_features": n_features, "classes": data.classes,
                  "stored_as": json.loads(blob[12: 12 + int.from_bytes(blob[8:12], "little")])["form"]},
        "timing": timing,
        "targets": {
            "test_accuracy>=0.98": metrics["test"]["accuracy"] >= 0.98,
            "crossview_accuracy>=0.90": (metrics.get("crossview") or {}).get("accuracy", 0) >= 0.90,
            "photo_like_accuracy>=0.70": ((metrics.get("photo-like") or {}).get("accuracy") or 0) >= 0.70,
            "unseen_art_correct>=8": (metrics.get("unseen-art") or {}).get("correct", 0) >= 8,
            "model_bytes<=2MB": len(blob) <= 2_000_000,
        },
    }


def print_summary(log: dict, path: Path, wall: float, say) -> None:
    m, model = log["metrics"], log["model"]
    for key, label in (("val", "val      "), ("val_photo", "val photo"), ("test", "test     "),
                       ("crossview", "crossview"), ("photo-like", "photo-like")):
        if key in m:
            say(f"{label} accuracy {m[key]['accuracy']:.4f}  macro-F1 {m[key]['macro_f1']:.4f}")
    if "unseen-art" in m:
        say(f"unseen-art {m['unseen-art']['correct']}/{m['unseen-art']['n']}")
    say(f"threshold {log['threshold']['value']} on the margin; not-Pokémon rejected {log['threshold']['not_pokemon_rejected']}")
    say(f"model {path} {model['bytes']} bytes ({model['dtype']}), n_SV {model['n_support_vectors']}, wall {wall:.1f} s")
    say(f"targets: {json.dumps(log['targets'])}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    cache = None if args.no_cache else args.cache
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    if any(name.split(".")[0] == "skimage" for name in _imports(ROOT / "export" / "backgrounds.py")):
        raise ValueError("export/backgrounds.py imports skimage: training backgrounds must be procedural, "
                         "never the photo-like test set's photographs")
    data = Data(args.dataset, args.quick, PHOTO_COPIES)
    counts = Counter(data.y[data.split == "train"])
    say(f"dataset {args.dataset}: {len(data.rows)} images, {len(data.classes)} classes, "
        f"train/val/test {[(data.split == s).sum() for s in ('train', 'val', 'test')]}, "
        f"class imbalance {max(counts.values()) / min(counts.values()):.1f}×")
    log_path = args.out / "hog_svm-train.json"
    manifest_sha = file_sha(args.dataset / "manifest.csv")
    comparison = feature_comparison(args, data, cache, manifest_sha, log_path, say)

    t_feat = time.perf_counter()
    feature_stats: dict = {}
    (feats,) = compute_features(data, [CHOSEN], PHOTO_COPIES, args.jobs, cache, args.quiet, feature_stats)
    features_s = time.perf_counter() - t_feat
    say(f"features: {feats['clean'].shape[1]} per image, {features_s:.1f} s")

    X, y = training_set(data, feats, PHOTO_COPIES)
    chosen = select(data, feats, X, y, QUICK_GRID if args.quick else GRID, say)
    written = write_model(chosen["clf"], data, feats, args.out, say)
    metrics, sure = evaluate(chosen["clf"], chosen["config"], written, data, feats)
    # timings of the training itself (the model's answer per picture: python -m bench svm)
    timing = {"features_s": round(features_s, 1), "feature_vectors": feature_stats,
              "kernel_grid_s": round(chosen["grid_s"], 1), "refit_s": round(chosen["refit_s"], 1)}
    wall = time.perf_counter() - started
    timing["train_svm_wall_s"] = round(wall, 1)
    log = training_log(args, data, int(X.shape[1]), manifest_sha, comparison, chosen, written, metrics, sure, timing)
    log_path.write_text(json.dumps(log, indent=1, ensure_ascii=False) + "\n")
    print_summary(log, written["path"], wall, say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
