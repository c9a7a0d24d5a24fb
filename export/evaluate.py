"""The report's measuring: both committed models evaluated on every set → the metrics document.

`build` loads the models the site serves, asks `export.answers` for their answers, scores them
(`export.metrics`), adds the facts of `export.facts`, the site samples, the leave-one-generation-out folds
(``crossstyle.json``), the targets and the risk-coverage curves. Writes nothing: `export.render` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from export.answers import (DATA, DATASET, MODEL_NAMES, Answer, Cnn, crossview_from_log, labelled_sets, not_pokemon,
                            rejection, score_answers, score_samples, site_samples, svm_answers, test_kinds,
                            unseen_answers)
from export.facts import cnn_facts, dataset_section, lookup, read_log, svm_facts
from export.metrics import r4

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"
FORMAT = "pyodemo-metrics"
VERSION = 1

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

# ------------------------------------------------------------------------ the report


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
    logged = lookup(logs["cnn"], "metrics.test.correct")
    if logged is not None and not lookup(logs["cnn"], "quick") and logged != evaluations["test"]["cnn"]["correct"]:
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


