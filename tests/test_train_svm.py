"""export.train_svm: the training path on a few images (``--quick``), the threshold rule, and the committed
model (slides/models/hog_svm.svm), whose test-split accuracy recomputed with pyodemo must equal the training log."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from export import features as F
from export import threshold, train_svm
from export.dataset_items import file_sha
from pyodemo import classify
from pyodemo.svm import SVC

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"


def need_dataset() -> None:
    if not (F.DATASET / "manifest.csv").is_file():
        pytest.skip("no dataset: run `python -m export dataset` (data/ is not committed)")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    need_dataset()
    out = tmp_path_factory.mktemp("train-svm")
    code = train_svm.main(["--quick", "--out", str(out), "--cache", str(out / "cache"), "--quiet"])
    assert code == 0
    return out, json.loads((out / "hog_svm-train.json").read_text())


def test_quick_run_writes_the_model_and_the_log(quick_run):
    out, log = quick_run
    model = SVC.load(out / "hog_svm.svm")
    assert model.pipeline["features"] == train_svm.CHOSEN["features"]
    assert model.threshold == log["threshold"]["value"]
    assert model.pipeline["threshold_on"].startswith("margin")
    assert log["model"]["bytes"] == (out / "hog_svm.svm").stat().st_size <= 2_000_000
    assert log["parity"]["test_predictions_equal"] is True
    for key in ("val", "val_photo", "test", "crossview", "photo-like", "unseen-art", "not-pokemon"):
        assert key in log["metrics"], key
    assert {r["kernel"] for r in log["kernel_grid"]} == {"linear", "rbf"}
    assert log["chosen"]["kernel"] in ("linear", "rbf")


def test_quick_model_equals_scikit_learn_on_the_test_split(quick_run):
    """Refit the chosen configuration on the same features: pyodemo's file predicts as scikit-learn does."""
    out, log = quick_run
    data = train_svm.Data(F.DATASET, quick=True, seed_copies=train_svm.PHOTO_COPIES)
    (feats,) = train_svm.compute_features(data, [train_svm.CHOSEN], train_svm.PHOTO_COPIES, 2, out / "cache", True)
    X, y = train_svm.training_set(data, feats, train_svm.PHOTO_COPIES)
    clf = train_svm.fit(log["chosen"], X, y)
    test = feats["clean"][data.split == "test"]
    model = SVC.load(out / "hog_svm.svm")
    assert model.predict(test.tolist()) == clf.predict(test).tolist()
    assert log["metrics"]["test"]["correct"] == int((clf.predict(test) == data.y[data.split == "test"]).sum())
    # the features in the cache are what pyodemo computes from the picture
    first = data.rows[int(np.flatnonzero(data.split == "test")[0])]
    rgba, w, h = F.open_rgba(F.DATASET / first["path"])
    direct = classify.features(classify.prepare(rgba, w, h, train_svm.CHOSEN), train_svm.CHOSEN)
    assert direct == test[0].tolist()


def test_quick_log_threshold_record_is_recomputed_from_the_validation_margins(quick_run):
    """The "not sure" record: the coverage, the accuracy of the sure answers and the share of right
    answers kept, recomputed from the refitted model's margins on the validation split + its photo copies."""
    out, log = quick_run
    data = train_svm.Data(F.DATASET, quick=True, seed_copies=train_svm.PHOTO_COPIES)
    (feats,) = train_svm.compute_features(data, [train_svm.CHOSEN], train_svm.PHOTO_COPIES, 2, out / "cache", True)
    X, y = train_svm.training_set(data, feats, train_svm.PHOTO_COPIES)
    clf = train_svm.fit(log["chosen"], X, y)
    val = data.split == "val"
    views = (feats["clean"][val], feats["val_photo"])  # scored one view at a time, as the trainer does
    ok = np.concatenate([clf.predict(v) == data.y[val] for v in views])
    sure = np.concatenate([train_svm.margins(clf, v) for v in views]) >= log["threshold"]["value"]
    record = log["threshold"]
    assert record["val_coverage"] == round(float(sure.mean()), 4)
    assert record["val_accuracy_when_sure"] == (round(float(ok[sure].mean()), 4) if sure.any() else None)
    assert record["val_correct_kept"] == (round(float(sure[ok].mean()), 4) if ok.any() else None)


def test_threshold_is_the_largest_coverage_within_the_risk_bound():
    """Both models' rule: the confident-error rate at the threshold is ≤ 2 %, and no threshold of
    larger coverage meets the bound (margins of any sign and size, ties, rounding to 0.001)."""
    from export import train_cnn

    assert train_svm.choose_threshold is train_cnn.choose_threshold is threshold.choose_threshold
    rng = np.random.default_rng(5)
    for trial in range(40):
        n = int(rng.integers(20, 600))
        confidence = np.round(rng.normal(0.4, 0.5, size=n), 2 if trial % 2 else 6)  # ties on odd trials
        correct = rng.random(n) < 1 / (1 + np.exp(-4 * confidence)) + 0.1
        t = train_svm.choose_threshold(confidence, correct)
        coverage, risk = threshold.risk_coverage(confidence, correct, t)
        assert risk <= threshold.MAX_RISK
        allowed = [c for c, r in (threshold.risk_coverage(confidence, correct, v) for v in np.unique(confidence))
                   if r <= threshold.MAX_RISK]
        assert coverage >= max(allowed, default=0.0)
    assert train_svm.choose_threshold(np.array([0.1, 0.2]), np.array([False, False])) > 0.2  # never right


def test_committed_threshold_follows_the_rule_and_says_so():
    log = json.loads((MODELS / "hog_svm-train.json").read_text())
    model = SVC.load(MODELS / "hog_svm.svm")
    assert model.threshold == log["threshold"]["value"]
    assert log["threshold"]["rule"] == threshold.RULE
    assert log["threshold"]["val_risk"] <= threshold.MAX_RISK


def test_margins_match_pyodemo():
    from sklearn.svm import SVC as SkSVC

    from export.sklearn_bridge import to_pyodemo

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4))
    y = np.repeat(["a", "b", "c", "d"], 15)
    X[y == "b"] += 1.5
    X[y == "c", 0] -= 2
    clf = SkSVC(kernel="rbf", C=3).fit(X, y)
    model = to_pyodemo(clf)
    expected = [max(classify.decision(model, x)[1]) for x in X]
    np.testing.assert_allclose(train_svm.margins(clf, X), expected, atol=1e-9)


def test_committed_model_test_accuracy_equals_the_training_log():
    """slides/models/hog_svm.svm, features recomputed by pyodemo from the test images: the logged accuracy."""
    need_dataset()
    path, log_path = MODELS / "hog_svm.svm", MODELS / "hog_svm-train.json"
    if not path.is_file() or not log_path.is_file():
        pytest.skip("no committed HOG+SVM model: run `python -m export train-svm`")
    log = json.loads(log_path.read_text())
    rows = [r for r in F.read_manifest() if r["split"] == "test"]
    if log["dataset"]["manifest_sha"] != file_sha(F.DATASET / "manifest.csv"):
        pytest.skip("the dataset on disk is not the one the committed model was trained on")
    model = SVC.load(path)
    X = F.extract([r["path"] for r in rows], model.pipeline, cache=None, jobs=2)
    predicted = model.predict(X.tolist())
    correct = sum(p == r["class"] for p, r in zip(predicted, rows))
    assert len(rows) == log["metrics"]["test"]["n"]
    assert correct == log["metrics"]["test"]["correct"]
    assert round(correct / len(rows), 4) == log["metrics"]["test"]["accuracy"]
    # the model file's answer is the site's answer (ranked by the ovr scores, ties on votes included)
    assert model.break_ties
    assert [classify.rank(model, x, 1)[0]["label"] for x in X.tolist()] == predicted


#: The feature table on the svm-demo slide ("Shape and colour"), row by row: the comparison's setting.
SLIDE_ROWS = {
    "gray HOG": "gray HOG 64",
    "colour HOG + three 8-bin colour histograms (our first model)":
        "colour HOG 64 + RGB histograms (3 × 8 bins; the first model)",
    "gray HOG + joint colour histogram, 10³ cubes": "gray HOG 64 + joint RGB histogram (10³ bins)",
    "gray HOG + the same histogram, **square-rooted**": "gray HOG 64 + joint histogram 10³, square-rooted",
    "the square-rooted histogram alone, no HOG": "joint histogram 10³, square-rooted (no HOG)",
    "… with less colour (histogram × 4, not × 16)": "… histogram weight 4 (less colour)",
    "… HOG of a smoothed image (σ = 1 px)": "… HOG on a smoothed image (σ = 1 px)",
    "… plus 2 copies of each sprite redrawn in other styles": "… + 2 restyled copies per training sprite",
}


def test_the_slides_feature_table_quotes_the_training_logs_comparison():
    """svm-demo.md's table of feature settings: each row's length and accuracies as the log measured them,
    on the dataset the committed model was trained on."""
    log = json.loads((MODELS / "hog_svm-train.json").read_text())
    manifest = ROOT / "data" / "pokemon-10" / "manifest.csv"
    if manifest.is_file():
        assert log["feature_comparison"]["manifest_sha"] == file_sha(manifest)
    measured = {r["setting"]: r for r in log["feature_comparison"]["rows"]}
    text = (ROOT / "slides" / "svm-demo.md").read_text()
    section = text[text.index("## Shape and colour"):]
    section = section[: section.index("\n## ")] if "\n## " in section else section
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| features")]
    assert [r[0] for r in rows] == list(SLIDE_ROWS)
    for name, length, styles, photo in rows:
        row = measured[SLIDE_ROWS[name]]
        assert int(length.replace(",", "")) == row["n_features"], name
        assert styles.strip("*") == f"{100 * row['val_styles_accuracy']:.1f} %", name
        assert photo.strip("*") == f"{100 * row['val_photo_accuracy']:.1f} %", name
    assert measured[SLIDE_ROWS["gray HOG + the same histogram, **square-rooted**"]]["pipeline"]["features"] == \
        train_svm.CHOSEN["features"]


def test_the_svm_slides_cost_note_quotes_the_committed_model():
    """svm.md's speaker note on the browser's cost: support vectors, weight vectors, features, multiply-adds."""
    m = json.loads((MODELS / "metrics.json").read_text())["models"]["hog_svm"]
    model = SVC.load(MODELS / "hog_svm.svm")
    n = len(model.classes_)
    text = " ".join((ROOT / "slides" / "svm.md").read_text().split())
    assert m["kernel"] == "linear" and m["stored_as"] == "weights"
    assert m["multiply_adds_per_image"] == n * (n - 1) // 2 * m["n_features"]
    assert (f"its {m['n_support_vectors']:,} support vectors fold into one weight vector per pair of classes, "
            f"{n * (n - 1) // 2} of them, of {m['n_features']:,} numbers each") in text
    assert f"{m['multiply_adds_per_image']:,} multiply-adds per photo" in text
