"""The evaluation report (`export.report`, `export.figures`): the KPIs, metrics.json and the figures.

* the metrics equal scikit-learn's and the slide's hand-worked example;
* the report end to end on a tiny synthetic dataset with a tiny SVM and a tiny ONNX model: every
  number it writes equals what the models answer when asked directly;
* the committed report (``slides/models/metrics.json``): the test-split accuracy of the committed
  CNN (onnxruntime, through `export.predict`) and HOG+SVM (pyodemo) recomputed here equals it;
  its dataset counts equal the manifest; its figures exist, are valid SVG and show its numbers.
"""

from __future__ import annotations

import csv
import json
import random
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from export import figures, report
from export.answers import (crossview_from_log, how_sure, rejection, score_answers, score_samples, site_samples,
                            split_pictures, svm_answers)
from export.evaluate import risk_coverage
from export.facts import read_log
from export.metrics import from_confusion, scores

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"
DATASET = ROOT / "data" / "pokemon-10"
SVG = "{http://www.w3.org/2000/svg}"


# ------------------------------------------------------------------ the metrics


def test_scores_match_the_slides_toy_confusion_matrix():
    # results.md, "Reading a confusion matrix": A 8 2 0 / B 1 9 0 / C 0 3 7
    matrix = [[8, 2, 0], [1, 9, 0], [0, 3, 7]]
    s = scores(*from_confusion(matrix), range(3), ["A", "B", "C"])
    assert s["confusion"] == matrix
    assert (s["n"], s["correct"], s["accuracy"]) == (30, 24, 0.8)
    assert s["per_class"]["A"]["recall"] == 0.8
    assert s["per_class"]["B"]["precision"] == round(9 / 14, 4)
    assert s["per_class"]["C"] == {"precision": 1.0, "recall": 0.7, "f1": round(2 * 0.7 / 1.7, 4), "support": 10}


def test_scores_equal_scikit_learns_on_random_labels():
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

    rng = random.Random(7)
    classes = ["Horsea", "Mankey", "Mew", "Tauros", "Vileplume"]
    y_true = [rng.randrange(5) for _ in range(200)]
    y_pred = [t if rng.random() < 0.6 and t != 3 else rng.choice([0, 1, 2, 4]) for t in y_true]  # never predicts Tauros
    s = scores(y_true, y_pred, range(len(classes)), classes)
    ref = classification_report(y_true, y_pred, labels=range(5), output_dict=True, zero_division=0)
    assert s["accuracy"] == round(accuracy_score(y_true, y_pred), 4)
    assert s["macro_f1"] == round(f1_score(y_true, y_pred, average="macro"), 4)
    assert s["confusion"] == confusion_matrix(y_true, y_pred).tolist()
    for i, c in enumerate(classes):
        for key, ref_key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"), ("support", "support")):
            assert s["per_class"][c][key] == pytest.approx(ref[str(i)][ref_key], abs=5e-5), (c, key)
    assert s["per_class"]["Tauros"]["precision"] == 0.0  # never predicted: zero, not NaN
    # a class nobody has and nobody predicts still counts in the macro average (as F1 0)
    s6 = scores(y_true, y_pred, range(6), classes + ["Mew2"])
    assert s6["macro_f1"] == pytest.approx(s["macro_f1"] * 5 / 6, abs=1e-4)


def test_scores_refuse_mismatched_lengths_and_score_an_empty_set():
    with pytest.raises(ValueError, match="true labels"):
        scores([0, 1], [0], range(2), ["A", "B"])
    assert scores([], [], range(1), ["A"]) == {"n": 0, "correct": 0, "accuracy": None, "macro_f1": None}


def test_from_confusion_round_trips_and_refuses_negative_counts():
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 6, size=(4, 4)).tolist()
    assert scores(*from_confusion(matrix), range(4), list("abcd"))["confusion"] == matrix
    with pytest.raises(ValueError, match="negative"):
        from_confusion([[1, -1], [0, 0]])


def test_crossview_comes_from_the_training_log():
    classes = ["A", "B"]
    full = crossview_from_log(
        {"classes": classes, "metrics": {"crossview": {"confusion": [[3, 1], [0, 4]], "accuracy": 0.875,
                                                       "train": "front", "test": "back"}}}, classes)
    assert (full["n"], full["correct"], full["accuracy"], full["source"]) == (8, 7, 0.875, "training log")
    assert full["per_class"]["A"]["recall"] == 0.75 and full["test"] == "back"
    # the HOG+SVM trainer's {"labels", "matrix"} form
    labelled = crossview_from_log({"metrics": {"crossview": {"confusion": {"labels": classes, "matrix": [[3, 1], [0, 4]]}}}}, classes)
    assert labelled["confusion"] == [[3, 1], [0, 4]]
    # a log with only the summary keeps it and says what is missing
    summary = crossview_from_log(
        {"metrics": {"crossview": {"n": 10, "correct": 9, "accuracy": 0.9, "macro_f1": 0.89, "recall": {"A": 1.0, "B": 0.8}}}}, classes)
    assert summary["accuracy"] == 0.9 and "confusion" not in summary and "no cross-view confusion" in summary["note"]
    assert crossview_from_log(None, classes)["n"] == 0
    with pytest.raises(ValueError, match="disagrees"):
        crossview_from_log({"metrics": {"crossview": {"confusion": [[3, 1], [0, 4]], "accuracy": 0.5}}}, classes)


# ------------------------------------------------------------------ the figures


def parse_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def cell_counts(root: ET.Element) -> list[int]:
    """The numbers written in a confusion figure's cells, row by row."""
    return [int(g.find(f"{SVG}text").text) for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None]


def test_confusion_figure_shows_every_count_and_says_what_each_cell_means():
    matrix = [[5, 1, 0], [2, 7, 0], [0, 0, 9]]
    root = parse_svg(figures.confusion_svg(matrix, ["Horsea", "Mew", "Tauros"], "HOG + SVM — test split"))
    assert cell_counts(root) == [v for row in matrix for v in row]
    tips = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
    assert "2 Mew images predicted as Horsea" in tips and "9 Tauros images predicted as Tauros (correct)" in tips
    assert "21 / 24 correct" in ET.tostring(root, encoding="unicode")
    with pytest.raises(ValueError):
        figures.confusion_svg([[1, 2]], ["A"], "bad")


def test_f1_bars_figure_has_a_bar_per_model_and_class():
    root = parse_svg(figures.f1_bars_svg({"HOG + SVM": [0.5, 1.0], "CNN": [0.25, 0.75]}, ["Mew", "Tauros"], "F1"))
    tips = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
    assert tips == ["HOG + SVM, Mew: F1 0.500", "CNN, Mew: F1 0.250", "HOG + SVM, Tauros: F1 1.000", "CNN, Tauros: F1 0.750"]
    widths = [float(g.find(f"{SVG}rect").get("width")) for g in root.iter(f"{SVG}g")]
    assert widths[1] * 4 == pytest.approx(widths[2]) and widths[0] * 3 == pytest.approx(widths[3] * 2)


def test_text_colour_keeps_contrast_on_every_cell_shade():
    def contrast(a, b):
        la, lb = sorted((figures._luminance(a), figures._luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    for diagonal in (True, False):
        for count in range(1, 11):
            fill = figures.cell_colour(count, 10, diagonal)
            ink = (0, 0, 0) if figures.text_on(fill) == "#000000" else (255, 255, 255)
            assert contrast(fill, ink) >= 4.5, (diagonal, count, fill)


# ------------------------------------------------------------------ end to end on a tiny synthetic set


def sprite(colour: tuple[int, int, int], shape: str, size: int = 40, seed: int = 0) -> Image.Image:
    """A transparent picture with a coloured disc or bar (two easy classes)."""
    rng = random.Random(seed)
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    from PIL import ImageDraw

    d = ImageDraw.Draw(im)
    o = rng.randint(2, 6)
    if shape == "disc":
        d.ellipse((o, o, size - o, size - o), fill=(*colour, 255))
    else:
        d.rectangle((o, size // 3, size - o, 2 * size // 3), fill=(*colour, 255))
    return im


def tiny_onnx(path: Path, size: int, n_classes: int, seed: int = 0) -> None:
    """A linear 'CNN': flatten → Gemm → logits (the contract's input and output names)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array(rng.normal(0, 0.01, (3 * size * size, n_classes)).astype(np.float32), "w")
    b = numpy_helper.from_array(np.zeros(n_classes, np.float32), "b")
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["image"], ["flat"]), helper.make_node("Gemm", ["flat", "w", "b"], ["logits"])],
        "tiny", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", n_classes])], [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A dataset of two classes, the three extra sets, a pyodemo SVM and a linear ONNX model."""
    from pyodemo import classify
    from pyodemo.svm import SVC

    root = tmp_path_factory.mktemp("report")
    dataset, data, models = root / "data" / "pokemon-10", root / "data", root / "models"
    classes = {"Disc": ((200, 40, 40), "disc"), "Bar": ((40, 40, 200), "bar")}
    rows = []
    for cls, (colour, shape) in classes.items():
        (dataset / cls).mkdir(parents=True)
        for k, split in enumerate(["train"] * 4 + ["val"] * 2 + ["test"] * 3):
            name = f"front-normal-{k:03d}.png"
            sprite(colour, shape, seed=k).save(dataset / cls / name)
            rows.append({"path": f"{cls}/{name}", "class": cls, "view": "front" if k % 2 else "back", "variant": "normal",
                         "frame": k, "pose": k, "group": f"{cls}/front/{k}", "split": split,
                         "crossview": "train" if k % 2 else "test"})
    with open(dataset / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (data / "photo-like").mkdir()
    (data / "unseen-art").mkdir()
    (data / "not-pokemon").mkdir()
    photo_rows = []
    for cls, (colour, shape) in classes.items():
        bg = Image.new("RGBA", (64, 64), (120, 160, 90, 255))
        bg.alpha_composite(sprite(colour, shape, seed=9), (12, 12))
        (data / "photo-like" / cls).mkdir()
        bg.convert("RGB").save(data / "photo-like" / cls / "p0.jpg", quality=85)
        photo_rows.append({"path": f"{cls}/p0.jpg", "class": cls})
        sprite(colour, shape, size=80, seed=5).save(data / "unseen-art" / f"{cls}.png")
    with open(data / "photo-like" / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "class"])
        writer.writeheader()
        writer.writerows(photo_rows)
    Image.new("RGB", (48, 48), (90, 90, 90)).save(data / "not-pokemon" / "gray.png")
    sprite((30, 160, 30), "disc", seed=3).save(data / "not-pokemon" / "green.png")
    (data / "not-pokemon" / "manifest.csv").write_text("path,kind,source\ngray.png,photo,x\ngreen.png,other-pokemon,y\n")

    names = sorted(classes)
    pipeline = {"input": {"size": 32, "background": [255, 255, 255], "margin": 0.08},
                "features": [{"name": "hog", "pixels_per_cell": [8, 8]}, {"name": "color_hist", "bins": 4, "weight": 1.0}],
                "threshold_on": "top ovr score"}

    def feats(path: Path) -> list[float]:
        im = Image.open(path).convert("RGBA")
        return classify.features(classify.prepare(im.tobytes(), *im.size, pipeline), pipeline)

    train = [r for r in rows if r["split"] == "train"]
    svm = SVC(kernel="linear", C=1.0, class_weight="balanced").fit([feats(dataset / r["path"]) for r in train],
                                                                   [r["class"] for r in train])
    svm.pipeline, svm.threshold = pipeline, 0.5
    models.mkdir()
    svm.save(models / "hog_svm.svm")
    tiny_onnx(models / "cnn.onnx", 16, len(names))
    sidecar = {"format": "pyodemo-cnn", "version": 1, "classes": names,
               "input": {"name": "image", "size": 16, "layout": "NCHW", "scale": 255, "mean": [0.5] * 3, "std": [0.25] * 3,
                         "background": [255, 255, 255], "resample": "bilinear"},
               "outputs": {"logits": "logits", "feature_maps": []}, "threshold": 0.6, "threshold_on": "top-1 softmax probability"}
    (models / "cnn.json").write_text(json.dumps(sidecar))
    cv = {"confusion": [[2, 1], [0, 3]], "accuracy": round(5 / 6, 4), "train": "front views", "test": "back views"}
    (models / "cnn-train.json").write_text(json.dumps({"format": "pyodemo-cnn-train", "classes": names, "parameters": 1234,
                                                       "seconds": {"train": 12.34, "wall": 20}, "config": {"p_blur": 0.3, "blur_sigma": [0.4, 1.3]},
                                                       "metrics": {"crossview": cv}}))
    out = root / "out"
    assert report.main(["--models", str(models), "--dataset", str(dataset), "--data", str(data), "--out", str(out),
                        "--jobs", "1", "--quiet"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    return {"metrics": metrics, "out": out, "models": models, "dataset": dataset, "data": data, "rows": rows,
            "svm": svm, "feats": feats, "names": names, "sidecar": sidecar}


def test_report_end_to_end_equals_the_models_asked_directly(tiny):
    import onnxruntime as ort

    from export import cnn_input

    m, names = tiny["metrics"], tiny["names"]
    assert m["format"] == "pyodemo-metrics" and m["classes"] == names
    assert list(m["evaluations"]) == ["test", "crossview", "photo_like", "unseen_art"]
    test = [r for r in tiny["rows"] if r["split"] == "test"]
    truth = [names.index(r["class"]) for r in test]
    # HOG+SVM: pyodemo's SVC on the features, asked directly
    svm_pred = [names.index(p) for p in tiny["svm"].predict([tiny["feats"](tiny["dataset"] / r["path"]) for r in test])]
    expected = scores(truth, svm_pred, range(len(names)), names)
    got = m["evaluations"]["test"]["hog_svm"]
    assert {k: got[k] for k in expected} == expected
    # CNN: onnxruntime on export.cnn_input's tensors, asked directly
    session = ort.InferenceSession(str(tiny["models"] / "cnn.onnx"), providers=["CPUExecutionProvider"])
    x = cnn_input.batch([tiny["dataset"] / r["path"] for r in test], tiny["sidecar"]["input"])
    cnn_pred = session.run(["logits"], {"image": x})[0].argmax(1).tolist()
    expected = scores(truth, cnn_pred, range(len(names)), names)
    got = m["evaluations"]["test"]["cnn"]
    assert {k: got[k] for k in expected} == expected
    # the cross-view numbers are the log's matrix, scored
    assert m["evaluations"]["crossview"]["cnn"]["confusion"] == [[2, 1], [0, 3]]
    assert m["evaluations"]["crossview"]["hog_svm"]["n"] == 0  # no SVM log: said, not invented
    for model in ("hog_svm", "cnn"):
        for key, n in (("photo_like", 2), ("unseen_art", 2)):
            r = m["evaluations"][key][model]
            assert r["n"] == n and sum(map(sum, r["confusion"])) == n and 0 <= r["sure"] <= n
        answers = m["evaluations"]["unseen_art"][model]["answers"]
        assert [a["class"] for a in answers] == names
        assert sum(a["correct"] for a in answers) == m["evaluations"]["unseen_art"][model]["correct"]
        assert m["not_pokemon"][model]["n"] == 2
        assert m["not_pokemon"][model]["by_kind"] == {"other-pokemon": {"n": 1, "rejected": m["not_pokemon"][model]["by_kind"]["other-pokemon"]["rejected"]},
                                                      "photo": {"n": 1, "rejected": m["not_pokemon"][model]["by_kind"]["photo"]["rejected"]}}
    assert m["models"]["cnn"]["parameters"] == 1234 and m["models"]["cnn"]["training_seconds"] == 12.3
    assert m["models"]["hog_svm"]["n_support_vectors"] == len(tiny["svm"].support_)
    assert m["models"]["hog_svm"]["bytes"] == (tiny["models"] / "hog_svm.svm").stat().st_size
    d = m["dataset"]
    assert d["counts"]["Bar"] == {"train": 4, "val": 2, "test": 3, "total": 9}
    assert d["totals"] == {"train": 8, "val": 4, "test": 6, "total": 18}
    assert d["test_sets"] == {"photo_like": 2, "unseen_art": 2, "not_pokemon": 2}
    assert d["augmentations"]["cnn"] == ["horizontal flips (50%)", "Gaussian blur σ 0.4–1.3 (30%)"]
    assert "balanced" in d["class_balancing"]["hog_svm"]
    # the figures: one per model × {test, photo-like} and the F1 bars, each valid and showing the numbers
    assert sorted(m["figures"]) == ["confusion.cnn.photo_like", "confusion.cnn.test", "confusion.hog_svm.photo_like",
                                    "confusion.hog_svm.test", "f1.test", "risk_coverage"]
    for key, file in m["figures"].items():
        root = parse_svg((tiny["out"] / file).read_text())
        if key.startswith("confusion."):
            _, model, which = key.split(".")
            assert cell_counts(root) == [v for row in m["evaluations"][which][model]["confusion"] for v in row]


def test_report_output_is_stable(tiny, tmp_path):
    """Same models, same data → the same metrics.json, byte for byte (no timestamps, fixed key order)."""
    report.main(["--models", str(tiny["models"]), "--dataset", str(tiny["dataset"]), "--data", str(tiny["data"]),
                 "--out", str(tmp_path), "--jobs", "1", "--quiet"])
    assert (tmp_path / "metrics.json").read_text() == (tiny["out"] / "metrics.json").read_text()


def test_report_without_models_is_a_plain_error(tmp_path, capsys):
    from export.__main__ import main as cli

    assert cli(["report", "--models", str(tmp_path), "--quiet"]) == 2
    assert "train the models first" in capsys.readouterr().err


# ------------------------------------------------------------------ the committed report


def committed() -> dict:
    path = MODELS / "metrics.json"
    if not path.is_file():
        pytest.skip("slides/models/metrics.json not generated yet (python -m export report)")
    return json.loads(path.read_text())


def need_dataset() -> None:
    if not (DATASET / "manifest.csv").is_file():
        pytest.skip("data/pokemon-10 not built (python -m export dataset)")


def test_committed_test_accuracy_is_recomputed_from_the_committed_models():
    """The committed CNN (onnxruntime, `python -m export predict`'s code) and HOG+SVM (pyodemo) on the test split."""
    metrics = committed()
    need_dataset()
    from export import predict

    items = split_pictures(DATASET, "test")
    classes = metrics["classes"]
    truth = [classes.index(c) for _, c in items]
    cnn, why = predict.load_cnn(MODELS)
    assert cnn is not None, why
    cnn_pred = [classes.index(cnn.top_k(p, 1)[0]["label"]) for p, _ in items]
    svm_pred = [classes.index(a["top"][0][0]) for a in svm_answers(MODELS / "hog_svm.svm", [p for p, _ in items], jobs=2)]
    for model, pred in (("cnn", cnn_pred), ("hog_svm", svm_pred)):
        recorded = metrics["evaluations"]["test"][model]
        again = scores(truth, pred, range(len(classes)), classes)
        print(f"{model}: test split {again['correct']}/{again['n']} = {again['accuracy']:.4f} "
              f"(metrics.json {recorded['correct']}/{recorded['n']} = {recorded['accuracy']})")
        assert (again["n"], again["correct"], again["accuracy"]) == (recorded["n"], recorded["correct"], recorded["accuracy"])
        assert again["confusion"] == recorded["confusion"]
    for model, file in (("hog_svm", "hog_svm.svm"), ("cnn", "cnn.onnx")):
        assert metrics["models"][model]["bytes"] == (MODELS / file).stat().st_size, f"{file} changed since the report"


def test_committed_report_and_training_logs_agree_on_the_test_split():
    """The report ranks as the browser does; so does each training log: the same test-split counts."""
    metrics = committed()
    for model, log_name in (("hog_svm", "hog_svm-train.json"), ("cnn", "cnn-train.json")):
        log = read_log(MODELS / log_name)
        if log is None:
            pytest.skip(f"no {log_name}")
        logged = log["metrics"]["test"]
        reported = metrics["evaluations"]["test"][model]
        assert (logged["n"], logged["correct"]) == (reported["n"], reported["correct"]), model


def test_committed_site_samples_are_recomputed_from_the_committed_models():
    """metrics.json's score of the site's own sample files (which the e2e test holds the browser to)."""
    metrics = committed()
    samples = site_samples(MODELS / "samples")
    if not samples:
        pytest.skip("no committed samples")
    from export import predict

    svm = predict.load_svm(MODELS / "hog_svm.svm")
    cnn, why = predict.load_cnn(MODELS)
    assert cnn is not None, why
    answers = [predict.predict_one(str(path), svm, cnn) for path, _, _ in samples]
    again = score_samples(samples, {"hog_svm": [{"top": [(a["hog_svm"][0]["label"], 0)]} for a in answers],
                                           "cnn": [{"top": [(a["cnn"][0]["label"], 0)]} for a in answers]})
    assert {k: v for k, v in again.items() if k != "about"} == {k: v for k, v in metrics["site_samples"].items()
                                                                  if k != "about"}
    assert {k for k in again if k != "about"} == {"test-split", "unseen-art", "photo-like"}


def test_committed_dataset_section_equals_the_manifest():
    metrics = committed()
    need_dataset()
    with open(DATASET / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    counts = Counter((r["class"], r["split"]) for r in rows)
    d = metrics["dataset"]
    for c in metrics["classes"]:
        assert [d["counts"][c][s] for s in ("train", "val", "test")] == [counts[c, s] for s in ("train", "val", "test")]
    assert d["totals"]["total"] == len(rows)
    train = {c: counts[c, "train"] for c in metrics["classes"]}
    assert d["imbalance"]["train"]["ratio"] == round(max(train.values()) / min(train.values()), 2)
    assert all(0 < d["distinct"][s] <= d["totals"][s] for s in ("train", "val", "test"))


def test_committed_figures_are_valid_svg_and_show_the_committed_numbers():
    metrics = committed()
    assert set(metrics["figures"]) >= {"confusion.hog_svm.test", "confusion.cnn.test", "confusion.hog_svm.photo_like",
                                       "confusion.cnn.photo_like", "f1.test"}
    on_disk = {p.name for p in (MODELS / "figures").glob("*.svg")}
    assert on_disk == {Path(f).name for f in metrics["figures"].values()}, "stale or missing figures"
    for key, file in metrics["figures"].items():
        root = parse_svg((MODELS / file).read_text())
        if key.startswith("confusion."):
            _, model, which = key.split(".")
            assert cell_counts(root) == [v for row in metrics["evaluations"][which][model]["confusion"] for v in row]
        elif key == "risk_coverage":
            check_risk_coverage(root, metrics)
        else:
            tips = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
            assert len(tips) == 2 * len(metrics["classes"])


# ------------------------------------------------------------------ styles: test split by source, LOGO, how sure


def check_risk_coverage(root: ET.Element, metrics: dict) -> None:
    """A line per (model, set) of metrics.json's curves, a dot per threshold point."""
    curves = metrics["risk_coverage"]
    n_series = sum(len(curves[m]) for m in ("hog_svm", "cnn"))
    assert len([p for p in root.iter(f"{SVG}path")]) == n_series
    dots = sum(1 for m in ("hog_svm", "cnn") for c in curves[m].values() if c["at_threshold"][1] is not None)
    assert len([c for c in root.iter(f"{SVG}circle")]) == dots + 1  # + the legend's dot
    # drawn at its slide size (shown 1:1 on the 1080 px slide): no text under 1/45 of 1080 (issue 18)
    assert min(float(t.get("font-size")) for t in root.iter(f"{SVG}text")) >= 24
    desc = root.find(f"{SVG}desc").text
    for m in ("hog_svm", "cnn"):
        for c in curves[m].values():
            assert f"{100 * c['points'][-1][1]:.1f}% right when answering all" in desc


def test_how_sure_and_rejection_count_confident_errors():
    assert how_sure(4, 0, 0) == {"coverage": 0.0, "confident_errors": 0.0, "sure_accuracy": None}
    answers = [{"top": [("A", 1.0)], "sure": s} for s in (True, True, False, True)]
    r = rejection(answers, ["photo"] * 4)
    assert (r["rejected"], r["coverage"], r["confident_errors"]) == (1, 0.75, 0.75)
    s = score_answers(answers, ["A", "B", "A", "A"], ["A", "B"])
    assert (s["sure"], s["correct_and_sure"], s["coverage"], s["confident_errors"]) == (3, 2, 0.75, 0.25)


def test_risk_coverage_ranks_by_confidence():
    truth = {"test_styles": ["A", "A", "B", "B"]}
    answers = {m: {"test_styles": [{"top": [("A", 0)], "sure": True, "confidence": c} for c in (0.9, 0.8, 0.7, 0.1)]}
               for m in ("hog_svm", "cnn")}
    curve = risk_coverage(truth, answers)["cnn"]["test_styles"]
    assert curve["points"][-1] == [1.0, 0.5] and curve["points"][9] == [0.5, 1.0]
    assert curve["at_threshold"] == [1.0, 0.5]


def test_report_scores_the_test_split_by_source_and_the_logo_folds(tiny, tmp_path):
    """With a style column, the test split is also scored as Gen-V frames and style images (which
    partition it); crossstyle.json's answers become the LOGO rows, their mean and the risk–coverage curve."""
    import shutil

    dataset = tmp_path / "data" / "pokemon-10"
    shutil.copytree(tiny["dataset"], dataset)
    rows = [dict(r, style="pokeapi-g5-animated" if int(r["frame"]) % 3 else "pokeapi-g1-yellow",
                 generation="5" if int(r["frame"]) % 3 else "1") for r in tiny["rows"]]
    with open(dataset / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    models = tmp_path / "models"
    shutil.copytree(tiny["models"], models)
    names = tiny["names"]
    left = [r for r in rows if r["generation"] == "1"]
    fold = {m: {"answers": [{"path": r["path"], "class": r["class"], "top": [[names[0], 0.9]], "sure": i % 2 == 0,
                             "confidence": 0.9 - 0.1 * i} for i, r in enumerate(left)], "threshold": 0.5}
            for m in ("hog_svm", "cnn")}
    logo = {"format": "pyodemo-crossstyle", "classes": names, "command": "python -m export crossstyle",
            "folds": {g: fold for g in ("g1", "g2", "g3", "g4", "icons")}}
    (models / "crossstyle.json").write_text(json.dumps(logo))
    out = tmp_path / "out"
    assert report.main(["--models", str(models), "--dataset", str(dataset), "--data", str(tiny["data"]),
                        "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    ev = m["evaluations"]
    for model in ("hog_svm", "cnn"):
        frames, styles, whole = ev["test_frames"][model], ev["test_styles"][model], ev["test"][model]
        assert frames["n"] + styles["n"] == whole["n"] and frames["correct"] + styles["correct"] == whole["correct"]
        assert styles["n"] == sum(r["split"] == "test" and r["generation"] == "1" for r in rows)
        right = sum(names[0] == r["class"] for r in left)
        sure = [i % 2 == 0 for i in range(len(left))]
        wrong_sure = sum(s and names[0] != r["class"] for s, r in zip(sure, left))
        g1 = ev["logo_g1"][model]
        assert (g1["n"], g1["correct"]) == (len(left), right)
        assert g1["coverage"] == round(sum(sure) / len(left), 4)
        assert g1["confident_errors"] == round(wrong_sure / len(left), 4)
        assert m["logo"][model]["mean_g1_g4"]["accuracy"] == g1["accuracy"]
        assert m["risk_coverage"][model]["logo"]["n"] == 5 * len(left)
    assert m["dataset"]["styles"]["per_class"]["Bar"]["1"] == sum(r["class"] == "Bar" and r["generation"] == "1" for r in rows)
    check_risk_coverage(parse_svg((out / m["figures"]["risk_coverage"]).read_text()), m)
    from export import tables

    page = tables.fill("<!-- metrics:logo -->\n<!-- metrics:coverage -->\n<!-- metrics:styles-counts -->", m)
    assert "mean I–IV" in page and "test split: other styles" in page and "| gen I |" in page
    assert f"Bar {sum(r['class'] == 'Bar' and r['generation'] == '1' for r in rows)}" in page
    assert f"{100 * m['logo']['cnn']['mean_g1_g4']['accuracy']:.1f}%" in page
