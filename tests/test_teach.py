"""Teach it, the engine (pyodemo.web.teach): the audience's examples → two cross-validated SVMs.

The browser's SVM is scikit-learn's: on examples built from the dataset (six Pokémon, twenty pictures each,
the talk's HOG + colour features), the cross-validation with the same folds, the same numeric γ and the same
tie order picks the same grid point as ``GridSearchCV``, and every held-out answer is scikit-learn's — or
lies within the parity bound of a decision boundary (counted, and none is allowed further away).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pyodemo import classify
from pyodemo.svm import SVC
from pyodemo.web import teach

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "pokemon-10"
CLASSES = ["Horsea", "Mankey", "Mew", "Scyther", "Snorlax", "Vaporeon"]
#: A held-out answer may differ from scikit-learn's only this close to a boundary (the SVM parity rule's bound
#: on decision values, relative to the largest one).
BOUNDARY = 1e-6


def examples(per_class: int = 20, style: str | None = None) -> tuple[list[list[float]], list[str]]:
    if not (DATASET / "manifest.csv").is_file():
        pytest.fail("the dataset is missing: make data (python -m export dataset)")
    rows = [r for r in csv.DictReader((DATASET / "manifest.csv").open()) if r["split"] == "train" and r["class"] in CLASSES]
    X, y = [], []
    for name in CLASSES:
        mine = sorted((r for r in rows if r["class"] == name), key=lambda r: r["path"])[:: 3][:per_class]
        for r in mine:
            im = Image.open(DATASET / r["path"]).convert("RGBA")
            X.append(teach.picture_features(im.tobytes(), im.width, im.height))
            y.append(name)
    return X, y


@pytest.fixture(scope="module")
def hog_examples():
    return examples()


@pytest.fixture(scope="module")
def trained(hog_examples):
    """`teach.train` on the examples (its cross-validation result and the model file), once for the module."""
    X, y = hog_examples
    return teach.train({"hog": X}, y)["hog"]


def sklearn_answers(X, y, folds, kernel, C, gamma):
    from sklearn.svm import SVC as SkSVC

    X, y = np.asarray(X), np.asarray(y)
    out = []
    for test in folds:
        train = sorted(set(range(len(y))) - set(test))
        model = SkSVC(kernel=kernel, C=C, gamma=gamma, break_ties=True).fit(X[train], y[train])
        out += list(zip(test, model.predict(X[test])))
    return dict(out)


def test_cross_validation_picks_scikit_learns_grid_point(hog_examples, trained):
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC as SkSVC

    X, y = hog_examples
    ours = trained  # teach.train's cross-validation (seed 0)
    folds = teach.stratified_folds(y, seed=0)
    assert len(folds) == 5 and sorted(i for f in folds for i in f) == list(range(len(y)))
    cv = [(sorted(set(range(len(y))) - set(f)), f) for f in folds]
    grid = [{"kernel": [k], "C": [c], "gamma": [ours["gamma"]]} for k, c in teach.GRID]
    search = GridSearchCV(SkSVC(break_ties=True), grid, cv=cv, scoring="accuracy").fit(np.asarray(X), np.asarray(y))
    assert ours["gamma"] == pytest.approx(1 / (len(X[0]) * np.asarray(X).var()), rel=1e-12)
    near = 0
    for point, theirs in zip(ours["grid"], search.cv_results_["mean_test_score"]):
        if point["accuracy"] != pytest.approx(theirs, abs=1e-12):  # then only boundary points may explain it
            answers = sklearn_answers(X, y, folds, point["kernel"], point["C"], ours["gamma"])
            mine = teach.held_out_answers(X, y, folds, point["kernel"], point["C"], ours["gamma"])
            differ = [i for i in answers if answers[i] != mine[i][0]]
            assert all(abs(mine[i][1]) <= BOUNDARY * mine[i][2] for i in differ), differ
            near += len(differ)
    best = search.best_params_
    assert (ours["kernel"], ours["C"]) == (best["kernel"], best["C"]) or near > 0
    print(f"chosen {ours['kernel']} C={ours['C']}, cross-validated accuracy {ours['accuracy']:.3f}; "
          f"held-out answers within the boundary bound: {near}")
    assert np.sum(ours["confusion"]) == len(y) and np.trace(ours["confusion"]) / len(y) == pytest.approx(ours["accuracy"], abs=0.05)


def test_train_gives_a_model_file_that_answers_like_the_cross_validated_choice(hog_examples, trained):
    X, y = hog_examples
    out = trained
    model = SVC.from_bytes(out["model"])
    assert (model.kernel, model.C, model.classes_) == (out["kernel"], out["C"], sorted(set(y)))
    assert model.threshold == out["threshold"] and model.pipeline["feature"] == "hog"
    assert out["n_support_vectors"] == len(model.support_) > 0
    assert model.score(X, y) >= out["accuracy"]  # on its own training examples


@pytest.mark.parametrize("labels, message", [
    (["cup"] * 4, "at least two classes"),
    (["cup", "cup", "pen"], "at least 2 examples: pen"),
    (["cup", "", "pen", "pen"], "needs a class name"),
    (["cup", "cup", "Cup ", "Cup ", "pen", "pen"], "differ only in case or spaces: 'cup' and 'Cup'"),
    ("cup", "list of class names"),
])
def test_bad_examples_get_a_plain_message(labels, message):
    with pytest.raises(ValueError, match=message):
        teach.train({"hog": [[float(i), 1.0] for i in range(len(labels))]}, labels)


def test_a_feature_vector_of_the_wrong_length_is_refused():
    sha = "ab" * 32
    with pytest.raises(ValueError):
        teach.train({"cnn": [[0.0, 1.0], [1.0, 0.0], [0.5], [1.0, 1.0]]}, ["a", "a", "b", "b"], cnn_sha256=sha)
    with pytest.raises(ValueError, match="3 cnn feature vectors for 4 examples"):
        teach.train({"cnn": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]}, ["a", "a", "b", "b"], cnn_sha256=sha)
    with pytest.raises(ValueError, match="features must be given per kind"):
        teach.train({"sift": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]]}, ["a", "a", "b", "b"])


def test_training_is_called_through_the_worker_doorway():
    """The page calls "teach.train" and "teach.picture_features" like every widget's back end: JSON in, JSON
    out, the model file as bytes, bad input as a plain message."""
    import base64
    import json

    from pyodemo.web import rpc

    X = [[0.0, 0.1], [0.1, 0.0], [0.05, 0.05], [1.0, 0.9], [0.9, 1.0], [0.95, 0.95]]
    sha = "0f" * 32
    answer = json.loads(rpc.dispatch("teach.train", json.dumps({"features": {"cnn": X}, "labels": ["a"] * 3 + ["b"] * 3,
                                                                "cnn_sha256": sha})))
    assert answer["ok"], answer
    result = answer["result"]["cnn"]
    assert result["folds"] == 6 and result["accuracy"] == 1.0  # leave-one-out: 3 examples a class
    assert SVC.from_bytes(base64.b64decode(result["model"]["__bytes__"])).classes_ == ["a", "b"]
    refused = json.loads(rpc.dispatch("teach.train", json.dumps({"features": {"cnn": X}, "labels": ["a"] * 6,
                                                                 "cnn_sha256": sha})))
    assert refused == {"ok": False, "kind": "value", "error": "teach at least two classes (all examples are 'a')"}
    rgba = bytes([200, 30, 30, 255]) * (16 * 16)
    answer = json.loads(rpc.dispatch("teach.picture_features", json.dumps({"width": 16, "height": 16}), {"rgba": rgba}))
    assert answer["ok"] and len(answer["result"]) == len(teach.picture_features(rgba, 16, 16))


def test_a_model_file_answers_in_the_cli_like_in_python(trained, tmp_path, capsys):
    """`python -m export predict --model FILE` reads a Teach-it model file and answers like the worker would."""
    import json

    from export import predict

    out = trained
    path = tmp_path / "mine.svm"
    path.write_bytes(out["model"])
    pictures = sorted((DATASET / "Mew").glob("*.png"))[:2] + sorted((DATASET / "Snorlax").glob("*.png"))[:2]
    assert predict.main(["--model", str(path), *map(str, pictures)]) == 0
    answers = json.loads(capsys.readouterr().out)
    model = teach.load(out["model"])
    for picture, answer in zip(pictures, answers):
        im = Image.open(picture).convert("RGBA")
        assert answer["model"][0]["label"] == model.predict([teach.picture_features(im.tobytes(), im.width, im.height)])[0]
        assert answer["model_sure"] in (True, False)


def test_a_model_of_cnn_features_needs_the_cnn_it_was_trained_on():
    X = [[0.0, 0.1], [0.1, 0.0], [1.0, 0.9], [0.9, 1.0]]
    with pytest.raises(ValueError, match="SHA-256 of the CNN"):
        teach.train({"cnn": X}, ["a", "a", "b", "b"])
    model = teach.train({"cnn": X}, ["a", "a", "b", "b"], cnn_sha256="ab" * 32)["cnn"]["model"]
    assert teach.load(model, "ab" * 32).classes_ == ["a", "b"]
    with pytest.raises(ValueError, match="CNN abababababab…, but the CNN here is cdcdcdcdcdcd…"):
        teach.load(model, "cd" * 32)
    with pytest.raises(ValueError, match="there is no CNN here"):
        teach.load(model)
    with pytest.raises(ValueError, match="not made by Teach it"):
        teach.load((ROOT / "slides" / "models" / "hog_svm.svm").read_bytes())
    with pytest.raises(ValueError):
        teach.load(model[:40])  # a truncated file


def test_the_page_keeps_a_taught_classifier_and_asks_it_by_token(trained):
    """The page loads each trained (or loaded-back) model file once, then asks it by token: from a picture for
    HOG + colour, from the CNN's features for CNN features; a forgotten token and a wrong input get a message."""
    import json

    from pyodemo.web import rpc

    def ask(method, args, blobs=None):
        return json.loads(rpc.dispatch(f"teach.{method}", json.dumps(args), blobs))

    sha = teach.fingerprint(b"the CNN's bytes")
    assert len(sha) == 64 and ask("fingerprint", {}, {"data": b"the CNN's bytes"})["result"] == sha
    hog = ask("load_model", {}, {"model": trained["model"]})["result"]
    assert hog["kind"] == "hog" and hog["classes"] == sorted(set(trained["classes"]))
    assert (hog["kernel"], hog["C"], hog["threshold"]) == (trained["kernel"], trained["C"], trained["threshold"])
    im = Image.open(sorted((DATASET / "Mew").glob("*.png"))[0]).convert("RGBA")
    answer = ask("predict", {"token": hog["token"], "width": im.width, "height": im.height, "k": 2}, {"rgba": im.tobytes()})
    model = teach.load(trained["model"])
    x = teach.picture_features(im.tobytes(), im.width, im.height)
    assert answer["result"]["top"] == json.loads(json.dumps(classify.rank(model, x, 2)))
    assert answer["result"]["sure"] == classify.is_sure(model, classify.rank(model, x, 2))
    assert "give rgba, width and height" in ask("predict", {"token": hog["token"], "features": [0.0]})["error"]

    X = [[0.0, 0.1], [0.1, 0.0], [1.0, 0.9], [0.9, 1.0]]
    cnn_file = teach.train({"cnn": X}, ["a", "a", "b", "b"], cnn_sha256=sha)["cnn"]["model"]
    refused = ask("load_model", {"cnn_sha256": "cd" * 32}, {"model": cnn_file})
    assert refused["kind"] == "value" and "teach the classes again" in refused["error"]
    cnn = ask("load_model", {"cnn_sha256": sha}, {"model": cnn_file})["result"]
    assert ask("predict", {"token": cnn["token"], "features": [0.95, 0.95]})["result"]["top"][0]["label"] == "b"
    assert "CNN's features" in ask("predict", {"token": cnn["token"]})["error"]
    assert ask("forget", {"token": cnn["token"]})["result"] is True
    gone = ask("predict", {"token": cnn["token"], "features": [0.95, 0.95]})
    assert gone == {"ok": False, "kind": "value", "error": "That classifier is no longer loaded; train it again or load its file."}


PYODIDE_PROGRAM = """
import base64, json
from pyodemo.web import teach
DATA = json.loads(DATA_JSON)
def hog(items):
    return [teach.picture_features(base64.b64decode(b), w, h) for b, w, h in items]
features = {"hog": (hog(DATA["train"]), hog(DATA["probe"])), "cnn": (DATA["cnn_train"], DATA["cnn_probe"])}
out = {}
for kind, (X, P) in features.items():
    chosen, grams = teach._cross_validate(X, DATA["labels"], 0)  # as teach.train does
    model = teach.fit_chosen(X, DATA["labels"], chosen, grams[chosen["kernel"]])
    model.decision_function_shape = "ovo"
    out[kind] = {"X": X, "P": P, "chosen": chosen, "decision": model.decision_function(P), "predict": model.predict(P),
                 **{name: getattr(model, name) for name in ("classes_", "support_", "n_support_", "dual_coef_",
                    "intercept_", "class_weight_", "_gamma", "C", "kernel", "degree", "coef0", "n_iter_")}}
print("RESULT " + json.dumps(out))
"""


def test_in_pyodide_both_classifiers_are_scikit_learns():
    """In the browser's Python (Pyodide under Node): HOG + colour features computed there, CNN features from
    onnxruntime; each classifier's cross-validation picks scikit-learn's grid point and its final SVM meets
    the parity rule against `sklearn.svm.SVC` (KKT, dual objective, decision values within the guaranteed
    bound, predictions equal away from the boundary) at held-out pictures."""
    import base64
    import json

    import onnxruntime as ort
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC as SkSVC

    from bench.measure import in_pyodide
    from bench.teach_speed import examples as bench_examples
    from export import cnn_input
    from tests.svm_optimality import Fit, compare

    paths, labels = bench_examples()
    probes = [p for name in CLASSES for p in sorted((DATASET / name).glob("*.png"))[1::40][:5]]
    sidecar = json.loads((ROOT / "slides/models/cnn.json").read_text())
    session = ort.InferenceSession(str(ROOT / "slides/models/cnn.onnx"), providers=["CPUExecutionProvider"])
    embed = lambda ps: session.run(["embedding"], {"image": cnn_input.batch(ps, sidecar["input"])})[0].tolist()

    def rgba(ps):
        return [[base64.b64encode(im.tobytes()).decode(), im.width, im.height]
                for im in (Image.open(p).convert("RGBA") for p in ps)]

    data = {"train": rgba(paths), "probe": rgba(probes), "labels": labels, "cnn_train": embed(paths), "cnn_probe": embed(probes)}
    result = in_pyodide(f"DATA_JSON = {json.dumps(json.dumps(data))}\n" + PYODIDE_PROGRAM)
    for kind, r in result.items():
        X, P, y = np.asarray(r["X"]), np.asarray(r["P"]), np.asarray(labels, dtype=object)
        chosen = r["chosen"]
        folds = teach.stratified_folds(labels)
        cv = [(sorted(set(range(len(y))) - set(f)), f) for f in folds]
        grid = [{"kernel": [k], "C": [c], "gamma": [chosen["gamma"]]} for k, c in teach.GRID]
        search = GridSearchCV(SkSVC(break_ties=True), grid, cv=cv).fit(X, y)
        accuracies = [g["accuracy"] for g in chosen["grid"]]
        assert np.allclose(accuracies, search.cv_results_["mean_test_score"], atol=1e-12), (kind, accuracies)
        assert (chosen["kernel"], chosen["C"]) == (search.best_params_["kernel"], search.best_params_["C"]), kind
        mine = Fit(classes=r["classes_"], support=np.asarray(r["support_"]), n_support=np.asarray(r["n_support_"]),
                   dual_coef=np.asarray(r["dual_coef_"]), intercept=np.asarray(r["intercept_"]),
                   class_weight=np.asarray(r["class_weight_"]), gamma=r["_gamma"], C=r["C"], kernel=r["kernel"],
                   degree=r["degree"], coef0=r["coef0"], n_iter=int(np.sum(r["n_iter_"])),
                   decision=np.asarray(r["decision"]).reshape(len(P), -1), predict=np.asarray(r["predict"], dtype=object))
        ref = Fit.of(SkSVC(kernel=chosen["kernel"], C=chosen["C"], gamma=chosen["gamma"]).fit(X, y), P)
        c = compare(ref, mine, X, y, P, 1e-3)
        assert not c.problems, (kind, c.problems)
        print(f"{kind}: {chosen['kernel']} C={chosen['C']} CV {chosen['accuracy']:.3f}; |f1-f2| {c.decision_diff:.1e} "
              f"<= {c.decision_bound:.1e}; {c.changed} of {len(P)} predictions differ")
    for picture, features in zip(paths[:: 30], result["hog"]["X"][:: 30]):  # the worker's features are CPython's
        im = Image.open(picture).convert("RGBA")
        assert np.allclose(features, teach.picture_features(im.tobytes(), im.width, im.height), rtol=0, atol=1e-9)


def test_a_model_of_cnn_features_answers_in_the_cli_with_the_committed_cnn(tmp_path, capsys):
    """Trained on the committed CNN's features (as the page reads them), the model file answers through
    `python -m export predict --model`, which computes the same features and checks the CNN's SHA-256."""
    import hashlib
    import json

    from export import predict

    cnn, why = predict.load_cnn(ROOT / "slides" / "models")
    assert cnn is not None, why
    assert cnn.sha256 == hashlib.sha256((ROOT / "slides/models/cnn.onnx").read_bytes()).hexdigest()
    names = ("Mew", "Snorlax")
    train = [p for n in names for p in sorted((DATASET / n).glob("*.png"))[:40:4]]
    labels = [p.parent.name for p in train]
    out = teach.train({"cnn": [cnn.embedding(p) for p in train]}, labels, cnn_sha256=cnn.sha256)["cnn"]
    path = tmp_path / "cnn-features.svm"
    path.write_bytes(out["model"])
    pictures = [p for n in names for p in sorted((DATASET / n).glob("*.png"))[41:44]]
    assert predict.main(["--model", str(path), *map(str, pictures)]) == 0
    answers = json.loads(capsys.readouterr().out)
    model = teach.load(out["model"], cnn.sha256)
    assert [a["model"][0]["label"] for a in answers] == model.predict([cnn.embedding(p) for p in pictures])


def test_an_undecodable_picture_gets_a_plain_message():
    with pytest.raises(ValueError, match="rgba|RGBA|bytes"):
        teach.picture_features(b"not a picture", 4, 4)


def test_the_hog_features_are_the_committed_models():
    """Teach it's HOG + colour features are the site's HOG+SVM model's (its model file's pipeline): a
    retrained model with other features would leave the page teaching with stale ones."""
    committed = SVC.load(ROOT / "slides" / "models" / "hog_svm.svm").pipeline
    assert {k: committed[k] for k in ("input", "features")} == teach.PIPELINE
