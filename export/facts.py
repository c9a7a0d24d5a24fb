"""The report's facts that are read, not measured: each model's size, support vectors or parameters and
training time (from the training logs), and the ``dataset`` section (images per class, split and style, the
split rule and the augmentations each trainer used: from the manifest, ``dataset.json`` and the logs).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from export.answers import MODEL_NAMES, labelled_sets, not_pokemon, read_manifest

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


# ------------------------------------------------------------------------ the models' facts


def read_log(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except ValueError as error:
        raise ValueError(f"{path} is not valid JSON ({error})") from None


def lookup(d: dict | None, *paths: str):
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
    grid = lookup(log, "kernel_grid") or []
    fits = [row.get("fit_s") for row in grid if isinstance(row, dict)]
    wall = _seconds(log, "timing.train_svm_wall_s")
    features_s = lookup(log, "timing.features_s")
    cached = (f"; the HOG features took {float(features_s):.1f} s more in that run (they are cached between runs)"
              if isinstance(features_s, (int, float)) else "")
    grid_s, refit_s = lookup(log, "timing.kernel_grid_s"), lookup(log, "timing.refit_s")
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
        "parameters": lookup(log, "parameters"),
        "architecture": lookup(log, "architecture"),
        "input_size": sidecar["input"]["size"],
        "best_epoch": lookup(log, "best_epoch"),
        "epochs_run": lookup(log, "epochs_run"),
        "threshold": sidecar.get("threshold"),
        "threshold_on": sidecar.get("threshold_on"),
        "training_seconds": _seconds(log, "seconds.train"),
        "training_what": "the training epochs, each scored on the validation split (early stopping)",
        "trainer_wall_seconds": _seconds(log, "seconds.wall"),
        "training_log": "cnn-train.json" if log else None,
    }


def _seconds(log: dict | None, *paths: str) -> float | None:
    value = lookup(log, *paths)
    return round(float(value), 1) if isinstance(value, (int, float)) else None


# ------------------------------------------------------------------------ the dataset section


def cnn_augmentations(log: dict | None) -> list[str]:
    """The CNN trainer's augmentations in words, from the config in its log."""
    c = lookup(log, "config") or {}
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
    value = lookup(log, "augmentations", "augmentation", "dataset.augmentations")
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
    stated = lookup(log, "class_balancing", "balancing", "class_weight")
    if stated is not None:
        return stated if isinstance(stated, str) else json.dumps(stated)
    if class_weight == "balanced":
        return "class weights: each class weighted by (all images) / (classes × its images), scikit-learn's \"balanced\""
    if isinstance(class_weight, dict) and class_weight:
        return "class weights: " + ", ".join(f"{c} {float(w):.2f}" for c, w in class_weight.items())
    if name == "cnn" and lookup(log, "format") == "pyodemo-cnn-train":
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

    from export.dataset_items import image_digest

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
        guards = lookup(info, f"counts.{c}.guard_frames_dropped")
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


