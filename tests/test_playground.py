"""pyodemo.web.svm_playground and pyodemo.web.kernel_compare (the SVM playground's and the kernel-compare widget's Python side): seeded presets,
a grid that is exactly SVC.predict's, agreement with scikit-learn, plain messages for bad input, no hangs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.svm import SVC as SkSVC

from pyodemo.web import kernel_compare, rpc
from pyodemo.web import svm_playground as pg
from pyodemo.kernels import resolve_gamma
from pyodemo.svm import SVC
from tests.svm_optimality import Fit, compare

# ------------------------------------------------------------------------ presets


@pytest.mark.parametrize("name", [p["name"] for p in pg.presets()])
def test_presets_are_deterministic_and_inside_the_square(name):
    a = pg.preset(name, n=120, noise=0.2, seed=7)
    b = pg.preset(name, n=120, noise=0.2, seed=7)
    c = pg.preset(name, n=120, noise=0.2, seed=8)
    assert a == b
    assert a["points"] != c["points"]
    assert len(a["points"]) == len(a["labels"]) == 120
    k = {p["name"]: p["classes"] for p in pg.presets()}[name]
    assert sorted(set(a["labels"])) == list(range(1, k + 1))
    assert all(abs(x) <= 1 and abs(y) <= 1 for x, y in a["points"])
    assert len({tuple(p) for p in a["points"]}) == 120, "a preset must never contain duplicate points"
    # the same data set is accepted by fit as it is
    pg.check_points(a["points"], a["labels"])


def test_crowded_edges_never_hang():
    """Much noise piles points onto the clip edge (0.98); the nudge that separates them must not swing
    between 0.98 and 0.979 for ever (it did for blobs, 400 points, noise 0.5, seed 0)."""
    for name in ("blobs", "blobs4", "xor"):
        for seed in range(3):
            d = pg.preset(name, n=pg.MAX_POINTS, noise=0.5, seed=seed)
            assert len({tuple(p) for p in d["points"]}) == len(d["points"]), (name, seed)
            assert all(abs(v) <= 0.98 for p in d["points"] for v in p), (name, seed)


def test_preset_noise_moves_points():
    calm = pg.preset("circles", n=60, noise=0.0, seed=1)
    noisy = pg.preset("circles", n=60, noise=0.2, seed=1)
    radii = [math.hypot(x, y) for x, y in calm["points"]]
    assert sorted({round(r, 3) for r in radii}) == [0.36, 0.8]  # a disc in a ring, exactly
    assert noisy["points"] != calm["points"]


# ------------------------------------------------------------------------ the grid is SVC.predict's

CASES = [
    ("moons", "linear", "ovo"), ("moons", "poly", "ovo"), ("moons", "rbf", "ovo"), ("moons", "sigmoid", "ovo"),
    ("circles", "poly", "ovo"), ("circles", "rbf", "ovo"), ("xor", "rbf", "ovo"), ("xor", "poly", "ovr"),
    ("blobs3", "linear", "ovo"), ("blobs3", "rbf", "ovr"), ("blobs4", "poly", "ovo"), ("blobs4", "rbf", "ovo"),
    ("blobs4", "linear", "ovr"), ("blobs4", "poly", "ovr"),
]


@pytest.mark.parametrize("name, kernel, multi_class", CASES)
def test_grid_equals_svc_predict(name, kernel, multi_class):
    d = pg.preset(name, n=80, noise=0.15, seed=2)
    for C, gamma, degree in ((1.0, "scale", 3), (30.0, 4.0, 2)):
        model = pg.make_model(kernel, C, gamma, degree, 0.5 if kernel == "poly" else 0.0, multi_class)
        model.fit(d["points"], d["labels"])
        n = 37
        g = resolve_gamma(model.gamma, d["points"])
        ev = pg.evaluate_grid(model, n, g)
        G = pg.grid_points(n)
        assert ev["cells"] == model.predict(G)
        if len(model.classes_) == 2:
            ref = model.decision_function(G)
            assert max(abs(a - b) / (1 + abs(b)) for a, b in zip(ev["values"], ref)) < 1e-9
        else:
            assert ev["values"] is None


def test_cells_on_the_boundary_are_recomputed_exactly():
    # Mirror-symmetric data: the boundary is x = 0, and an odd grid has a column of cell centres on it.
    points = [[-0.5, 0.0], [-0.5, 0.5], [0.5, 0.0], [0.5, 0.5], [-0.4, -0.6], [0.4, -0.6]]
    labels = [1, 1, 2, 2, 1, 2]
    for kernel in ("linear", "rbf", "poly"):
        model = pg.make_model(kernel, 1.0).fit(points, labels)
        ev = pg.evaluate_grid(model, 9, resolve_gamma("scale", points))
        assert ev["cells"] == model.predict(pg.grid_points(9))
        assert ev["exact_cells"] >= 9, (kernel, ev["exact_cells"])  # the middle column at least


def test_grid_layout_rows_from_the_top():
    assert pg.grid_axis(5) == [-0.8, -0.4, 0.0, 0.4, 0.8]
    G = pg.grid_points(3)
    assert G[0] == [pg.grid_axis(3)[0], pg.grid_axis(3)[2]]  # top-left: x smallest, y largest
    assert G[-1] == [pg.grid_axis(3)[2], pg.grid_axis(3)[0]]
    r = pg.fit([[-0.9, 0.5], [-0.8, 0.6], [0.9, -0.5], [0.8, -0.6]], [1, 1, 2, 2], kernel="linear", grid=3)
    assert r["cells"][0] == 1 and r["cells"][-1] == 2


# ------------------------------------------------------------------------ scikit-learn agrees


@pytest.mark.parametrize("name, kernel, multi_class", [("moons", "rbf", "ovo"), ("circles", "poly", "ovo"),
                                                       ("blobs4", "linear", "ovo"), ("blobs3", "rbf", "ovr")])
def test_playground_fit_agrees_with_sklearn(name, kernel, multi_class):
    d = pg.preset(name, n=100, noise=0.1, seed=4)
    X, y = np.array(d["points"]), np.array(d["labels"])
    r = pg.fit(d["points"], d["labels"], kernel=kernel, C=3.0, degree=3, multi_class=multi_class, grid=50)
    sk = SkSVC(kernel=kernel, C=3.0, degree=3)
    if multi_class == "ovr":
        from sklearn.multiclass import OneVsRestClassifier

        ref = OneVsRestClassifier(sk).fit(X, y)
    else:
        ref = sk.fit(X, y)
    G = np.array(pg.grid_points(50))
    assert r["gamma"] == pytest.approx(1 / (2 * X.var()))
    if multi_class == "ovr":  # the one-vs-rest models are checked against scikit-learn's in tests/test_svm_fit.py
        agree = np.mean(np.array(r["cells"]) == ref.predict(G))
        assert agree >= 0.995, agree
        assert r["accuracy"] == pytest.approx(ref.score(X, y), abs=0.011)
        return
    # The playground's answer is pyodemo's SVC (same parameters) ...
    model = SVC(kernel=kernel, C=3.0, degree=3).fit(X.tolist(), y.tolist())
    assert r["n_sv"] == sum(model.n_support_)
    assert r["accuracy"] == pytest.approx(float(np.mean(np.array(model.predict(X.tolist())) == y)))
    mine = Fit.of(model, G)
    clear = np.min(np.abs(mine.decision), axis=1) > 1e-9  # the grid evaluator and predict agree off the boundary
    assert np.array_equal(np.array(r["cells"])[clear], mine.predict[clear].astype(int))
    # ... and that SVC is within what SMO guarantees of scikit-learn's, on any CPU (tests/svm_optimality.py).
    found = compare(Fit.of(ref, G), mine, X, y, G, 1e-3)
    assert not found.problems, found.problems


def test_fit_reports_what_the_widget_shows():
    d = pg.preset("moons", n=100, noise=0.1, seed=0)
    r = pg.fit(d["points"], d["labels"], kernel="linear", C=1.0, grid=20)
    assert len(r["cells"]) == len(r["values"]) == 400
    assert r["n_sv"] == len(r["support"]) == sum(r["n_support"])
    assert all(d["labels"][i] in (1, 2) for i in r["support"])
    assert r["n_classifiers"] == 1 and not r["stopped_early"]
    assert r["margin"] == pytest.approx(2 / math.hypot(*pg.make_model("linear").fit(d["points"], d["labels"]).coef_[0]))
    wrong = [i for i, (p, t) in enumerate(zip(pg.make_model("linear").fit(d["points"], d["labels"])
                                                .predict(d["points"]), d["labels"])) if p != t]
    assert r["wrong"] == wrong and r["accuracy"] == 1 - len(wrong) / 100
    four = pg.preset("blobs4", n=40, seed=0)
    assert pg.fit(four["points"], four["labels"], multi_class="ovo", grid=10)["n_classifiers"] == 6
    assert pg.fit(four["points"], four["labels"], multi_class="ovr", grid=10)["n_classifiers"] == 4


# ------------------------------------------------------------------------ bad input, never a hang

BAD = [
    (dict(points=[], labels=[]), "no points"),
    (dict(points=[[0.1, 0.1], [0.2, 0.3]], labels=[2, 2]), "All 2 points are of class 2"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5], [0.1, 0.1]], labels=[1, 2, 2]), "same place"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], C=0), "C must be greater than 0"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], C=-1.5), "C must be greater than 0"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], gamma=0), "gamma must be greater than 0"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], gamma=-2.0), "gamma must be greater than 0"),
    (dict(points=[[0.1, 0.1], [1.5, 0.5]], labels=[1, 2]), "outside the square"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 5]), "from 1 to 4"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1]), "2 points but 1 labels"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], kernel="cubic"), "kernel must be one of"),
    (dict(points=[[0.1, 0.1], [0.5, 0.5]], labels=[1, 2], degree=0), "degree must be between"),
    (dict(points=[[0.1, "a"], [0.5, 0.5]], labels=[1, 2]), "must be a number"),
]


@pytest.mark.parametrize("kwargs, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_a_value_error_with_a_plain_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pg.fit(**kwargs)
    reply = json.loads(rpc.dispatch("svm_playground.fit", json.dumps(kwargs)))
    assert reply["ok"] is False and reply["kind"] == "value" and message in reply["error"]


def test_nan_from_javascript_is_refused():
    # JSON has no NaN: the widget sends null for a broken number
    reply = json.loads(rpc.dispatch("svm_playground.fit", json.dumps({"points": [[0.1, None], [0.5, 0.5]], "labels": [1, 2]})))
    assert reply["kind"] == "value" and "must be a number" in reply["error"]


def test_a_hard_fit_stops_early_instead_of_hanging():
    # Overlapping XOR, a straight line, a huge C: SMO would take millions of steps.
    d = pg.preset("xor", n=100, noise=0.3, seed=3)
    r = pg.fit(d["points"], d["labels"], kernel="linear", C=1000.0, grid=20, max_iter=3000)
    assert r["stopped_early"] and r["n_iter"] == 3000 and r["max_iter"] == 3000
    assert pg.step_cap(20_000, 300, 6) * 300 * 6 <= pg.WORK_BUDGET


def test_rpc_answers_json():
    d = pg.preset("circles", n=50, seed=0)
    args = {"points": d["points"], "labels": d["labels"], "kernel": "rbf", "gamma": "scale", "grid": 30}
    reply = json.loads(rpc.dispatch("svm_playground.fit", json.dumps(args)))
    assert reply["ok"] and len(reply["result"]["cells"]) == 900
    reply = json.loads(rpc.dispatch("svm_playground.presets", "{}"))
    assert [p["name"] for p in reply["result"]][:2] == ["blobs", "blobs3"]


# ------------------------------------------------------------------------ kernels side by side


def test_compare_circles_separable_in_3d_only():
    d = pg.preset("circles", n=100, noise=0.05, seed=3)
    r = kernel_compare.compare(d["points"], d["labels"])
    acc = {p["title"]: p["accuracy"] for p in r["panels"]}
    assert acc["Linear"] < 0.8 and acc["Polynomial"] >= 0.98 and acc["RBF"] >= 0.98
    lifted = r["lift"]
    assert lifted["accuracy"] >= 0.98
    w, b = lifted["w"], lifted["b"]
    # the plane, seen from above, is the circle between the disc (r = 0.36) and the ring (r = 0.8)
    circle = lifted["circle"]
    assert 0.36 < circle["r"] < 0.8 and math.hypot(circle["cx"], circle["cy"]) < 0.1
    for x, y, z in lifted["points"]:
        assert z == pytest.approx(x * x + y * y, abs=1e-4)
    for seg in lifted["mesh"]:
        for x, y, z in seg:
            assert -1 - 1e-9 <= x <= 1 + 1e-9 and -1 - 1e-9 <= y <= 1 + 1e-9 and -1e-4 <= z <= 2 + 1e-4
            assert abs(w[0] * x + w[1] * y + w[2] * z + b) < 1e-3 * (1 + sum(map(abs, w)))
    assert len(lifted["mesh"]) >= 10


def test_compare_xor_lifts_with_the_product():
    d = pg.preset("xor", n=100, noise=0.02, seed=3)
    flat = kernel_compare.compare(d["points"], d["labels"], feature="r2")["lift"]["accuracy"]
    product = kernel_compare.compare(d["points"], d["labels"], feature="xy")["lift"]
    assert product["accuracy"] > 0.9 > flat
    with pytest.raises(ValueError, match="lifting must be one of"):
        kernel_compare.compare(d["points"], d["labels"], feature="z")


def test_compare_many_classes_has_no_lift():
    d = pg.preset("blobs3", n=60, seed=0)
    r = kernel_compare.compare(d["points"], d["labels"])
    assert r["lift"] is None and len(r["panels"]) == 3
