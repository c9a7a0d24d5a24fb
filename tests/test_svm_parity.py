"""scikit-learn-fitted SVMs converted to pyodemo: same predictions, same decision values.

For each kernel (linear, poly, rbf, sigmoid) on random data, toy sets (make_blobs,
make_moons, make_circles) and HOG features of real sprites (10 classes, 1,764 values per
image, from the frames of the talk's Pokémon GIFs in node_modules):

* in memory (``export.sklearn_bridge.to_pyodemo``): identical predictions, and
  ``decision_function`` (shapes "ovr" and "ovo") within 1e-6 * (1 + |ref|);
* after a float32 round trip through ``to_bytes``: within 1e-3 * (1 + |ref|), and the
  same predictions except where scikit-learn's own margin is below that tolerance
  (a pairwise value within 1e-3 * (1 + |value|) of zero, or two top scores within the
  tolerance of each other); those points are counted and printed.

Run with ``-s`` to see the summary lines; the largest differences also appear in the
terminal summary (``parity_report``).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC as SkSVC

from export.sklearn_bridge import to_pyodemo
from pyodemo import kernels as pyo_kernels
from pyodemo.svm import SVC, ovr_scores


TOL_MEMORY = 1e-6
TOL_FLOAT32 = 1e-3

# (kernel, extra parameters): the slide's polynomial kernel is poly with gamma=1, coef0=1.
KERNEL_CASES = [
    ("linear", {}),
    ("poly", {"degree": 3}),
    ("poly", {"degree": 2, "gamma": 1.0, "coef0": 1.0}),
    ("rbf", {}),
    ("rbf", {"gamma": 0.7, "C": 10.0}),
    ("sigmoid", {"coef0": 0.5, "gamma": "auto"}),
]


def _record(report: dict, topic: str, value: float) -> None:
    report[topic] = max(report.get(topic, 0.0), float(value))


def rel_diff(got, ref) -> float:
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape
    return float(np.max(np.abs(got - ref) / (1.0 + np.abs(ref)))) if ref.size else 0.0


def near_tie_mask(clf: SkSVC, X: np.ndarray, tol: float) -> np.ndarray:
    """Points whose predicted class could flip under a change of ``tol * (1 + |value|)``."""
    ovo = clf.decision_function(X) if len(clf.classes_) == 2 else _ovo_values(clf, X)
    ovo = ovo.reshape(len(X), -1)
    mask = np.any(np.abs(ovo) <= tol * (1.0 + np.abs(ovo)), axis=1)
    if len(clf.classes_) > 2:
        scores = np.sort(_ovr_values(clf, X), axis=1)
        mask |= (scores[:, -1] - scores[:, -2]) <= tol * (1.0 + np.abs(scores[:, -1]))
    return mask


def _decision_as(shape: str, clf: SkSVC, X: np.ndarray) -> np.ndarray:
    """scikit-learn's decision_function with ``decision_function_shape`` set to *shape* for the call."""
    saved = clf.decision_function_shape
    clf.decision_function_shape = shape
    try:
        return clf.decision_function(X)
    finally:
        clf.decision_function_shape = saved


def _ovo_values(clf: SkSVC, X: np.ndarray) -> np.ndarray:
    return _decision_as("ovo", clf, X)


def _ovr_values(clf: SkSVC, X: np.ndarray) -> np.ndarray:
    return _decision_as("ovr", clf, X)


def check_model(clf: SkSVC, X_test: np.ndarray, name: str, report: dict) -> dict:
    """Compare ``clf`` with its pyodemo conversion in memory and after float32 bytes."""
    Xl = X_test.tolist()
    model = to_pyodemo(clf)
    out = {}
    ref_pred = clf.predict(X_test).tolist()
    # Same coefficients, but libsvm's dot products come from BLAS: a point whose value is within the last
    # bits of zero may go either way on another CPU. Everywhere else the predictions are identical.
    differ_mem = np.array(model.predict(Xl), dtype=object) != np.array(ref_pred, dtype=object)
    assert not np.any(differ_mem & ~near_tie_mask(clf, X_test, TOL_MEMORY)), f"{name}: predictions differ in memory"
    worst = 0.0
    for shape in ("ovr", "ovo"):
        model.decision_function_shape = shape
        ref = _ovr_values(clf, X_test) if shape == "ovr" else _ovo_values(clf, X_test)
        worst = max(worst, rel_diff(model.decision_function(Xl), ref))
    assert worst <= TOL_MEMORY, f"{name}: in-memory decision values differ by {worst:.3g}"
    out["memory"] = worst

    loaded = SVC.from_bytes(model.to_bytes(dtype="float32"))
    worst32 = 0.0
    for shape in ("ovr", "ovo"):
        loaded.decision_function_shape = shape
        ref = _ovr_values(clf, X_test) if shape == "ovr" else _ovo_values(clf, X_test)
        worst32 = max(worst32, rel_diff(loaded.decision_function(Xl), ref))
    assert worst32 <= TOL_FLOAT32, f"{name}: float32 decision values differ by {worst32:.3g}"
    pred32 = np.array(loaded.predict(Xl), dtype=object)
    differ = pred32 != np.array(ref_pred, dtype=object)
    near = near_tie_mask(clf, X_test, TOL_FLOAT32)
    assert not np.any(differ & ~near), f"{name}: float32 predictions differ away from near-ties"
    out["float32"] = worst32
    out["near_ties"] = int(near.sum())
    out["changed"] = int(differ.sum())
    _record(report, "svm: sklearn->pyodemo decision, relative (memory)", worst)
    _record(report, "svm: sklearn->pyodemo decision, relative (float32 file)", worst32)
    print(
        f"\n[svm parity] {name}: {len(X_test)} points, {int(np.sum(clf.n_support_))} SVs: "
        f"max rel diff memory {worst:.2e}, float32 {worst32:.2e}; predictions identical in memory; "
        f"float32: {out['changed']} changed, {out['near_ties']} sklearn near-ties (margin < {TOL_FLOAT32:g})"
    )
    return out


# --------------------------------------------------------------------------- data sets
def toy_sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.RandomState(7)
    sets = {
        "random-3class": (rng.randn(90, 5), rng.randint(0, 3, 90)),
        "blobs-4": make_blobs(120, centers=4, cluster_std=1.8, random_state=3),
        "moons": make_moons(120, noise=0.25, random_state=1),
        "circles": make_circles(120, noise=0.15, factor=0.5, random_state=2),
    }
    # string labels, as a user would have
    X, y = sets["blobs-4"]
    sets["blobs-4"] = (X, np.array(["Horsea", "Mankey", "Mew", "Scyther"])[y])
    return sets


def grid_for(X: np.ndarray, n: int = 25) -> np.ndarray:
    lo, hi = X.min(0) - 0.5, X.max(0) + 0.5
    if X.shape[1] == 2:
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
        return np.c_[gx.ravel(), gy.ravel()]
    return np.random.RandomState(0).uniform(lo, hi, size=(n * n // 2, X.shape[1]))


@pytest.mark.parametrize("kernel,params", KERNEL_CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(KERNEL_CASES)])
def test_converted_model_matches_sklearn_on_toy_and_random_sets(kernel, params, parity_report):
    for name, (X, y) in toy_sets().items():
        clf = SkSVC(kernel=kernel, **params).fit(X, y)
        X_test = np.r_[X, grid_for(X)]
        check_model(clf, X_test, f"{name} {kernel} {params}", parity_report)


def test_binary_sign_convention_and_attributes_match_sklearn():
    X, y = make_moons(80, noise=0.3, random_state=0)
    clf = SkSVC(kernel="linear", C=0.5).fit(X, y)
    model = to_pyodemo(clf)
    assert model.classes_ == clf.classes_.tolist()
    assert model.n_support_ == clf.n_support_.tolist()
    assert model.support_ == clf.support_.tolist()
    np.testing.assert_allclose(model.support_vectors_, clf.support_vectors_, rtol=0, atol=0)
    np.testing.assert_allclose(model.dual_coef_, clf.dual_coef_, rtol=0, atol=0)
    np.testing.assert_allclose(model.intercept_, clf.intercept_, rtol=0, atol=0)
    np.testing.assert_allclose(model.coef_, clf.coef_, rtol=1e-12, atol=1e-12)
    dec = np.array(model.decision_function(X.tolist()))
    assert dec.shape == (len(X),)
    np.testing.assert_array_equal(dec > 0, clf.predict(X) == 1)


def test_multiclass_attributes_and_shapes_match_sklearn():
    X, y = make_blobs(100, centers=4, cluster_std=2.0, random_state=5)
    clf = SkSVC(kernel="rbf", C=3.0).fit(X, y)
    model = to_pyodemo(clf)
    np.testing.assert_array_equal(np.array(model.dual_coef_), clf.dual_coef_)
    np.testing.assert_array_equal(np.array(model.intercept_), clf.intercept_)
    model.decision_function_shape = "ovo"
    assert np.array(model.decision_function(X[:7].tolist())).shape == (7, 6)
    model.decision_function_shape = "ovr"
    assert np.array(model.decision_function(X[:7].tolist())).shape == (7, 4)


def test_ovr_transform_equals_sklearn_bit_for_bit():
    from sklearn.utils.multiclass import _ovr_decision_function

    rng = np.random.RandomState(3)
    for k in (3, 4, 7, 10):
        dec = rng.randn(50, k * (k - 1) // 2) * rng.choice([0.01, 1.0, 100.0], size=(50, 1))
        dec[::7, 0] = 0.0  # exactly zero: a vote for the first class of the pair, as sklearn
        ref = _ovr_decision_function(dec < 0, -dec, k)
        got = np.array([ovr_scores(row.tolist(), k) for row in dec])
        np.testing.assert_array_equal(got, ref)


def test_argmax_of_ovr_scores_equals_predict_except_on_vote_ties(parity_report):
    """libsvm's predict takes the first class among tied votes; the scores use confidences.

    Where no two classes tie on votes, argmax(decision_function) == predict; with
    ``break_ties=True`` predict follows the scores everywhere -- both as in scikit-learn.
    """
    X, y = make_blobs(150, centers=[[0, 0], [2, 0], [1, 1.7]], cluster_std=1.1, random_state=0)
    clf = SkSVC(kernel="linear", C=1.0).fit(X, y)
    model = to_pyodemo(clf)
    G = grid_for(X, 60)
    Gl = G.tolist()
    pred = np.array(model.predict(Gl))
    scores = np.array(model.decision_function(Gl))
    votes = np.floor(scores + 0.5)  # scores = votes + a confidence in (-1/3, 1/3)
    top = np.sort(votes, axis=1)
    tie = top[:, -1] == top[:, -2]
    assert tie.any(), "the grid should cross the 3-way tie region"
    np.testing.assert_array_equal(np.argmax(scores, axis=1)[~tie], pred[~tie])
    np.testing.assert_array_equal(pred, clf.predict(G))
    clf.break_ties = True
    model.break_ties = True
    np.testing.assert_array_equal(np.array(model.predict(Gl)), clf.predict(G))
    np.testing.assert_array_equal(np.array(model.predict(Gl)), np.argmax(scores, axis=1))
    print(f"\n[svm parity] argmax(ovr scores) == predict on {int((~tie).sum())}/{len(G)} grid points; "
          f"{int(tie.sum())} points with tied votes follow libsvm's first-class rule (as sklearn)")


# --------------------------------------------------------------------------- HOG of real sprites
# (the `hog_sprites` fixture is in tests/conftest.py: one computation for every module that needs it)

HOG_CASES = [("linear", {"C": 0.1}), ("poly", {"degree": 2}), ("rbf", {"C": 10.0}), ("sigmoid", {"C": 10.0})]


@pytest.mark.parametrize("kernel,params", HOG_CASES, ids=[k for k, _ in HOG_CASES])
def test_converted_model_matches_sklearn_on_sprite_hog(kernel, params, hog_sprites, parity_report):
    X, y = hog_sprites
    train = np.arange(len(X)) % 3 != 0
    test = np.flatnonzero(~train)[::3]  # every 9th frame: keeps the suite fast
    clf = SkSVC(kernel=kernel, **params).fit(X[train], y[train])
    assert len(clf.classes_) == 10
    check_model(clf, X[test], f"sprite HOG 10 classes {kernel} {params}", parity_report)


def test_prediction_cost_of_a_10_class_hog_model(hog_sprites, monkeypatch):
    """Kernel values once per SV (and one dot per class pair for a linear model); timed."""
    X, y = hog_sprites
    train = np.arange(len(X)) % 3 != 0
    x = X[~train][0].tolist()
    lines = []
    for kernel, params in (("rbf", {"C": 10.0}), ("linear", {"C": 0.1})):
        clf = SkSVC(kernel=kernel, **params).fit(X[train], y[train])
        model = to_pyodemo(clf)
        n_sv, d = len(model.support_), len(x)

        calls = []
        real_dot = pyo_kernels.dot
        monkeypatch.setattr(pyo_kernels, "dot", lambda a, b: calls.append(1) or real_dot(a, b))
        model.decision_function([x])
        monkeypatch.setattr(pyo_kernels, "dot", real_dot)
        if kernel == "rbf":
            # one dot per support vector plus ||x||^2, shared by all 45 pairs
            assert len(calls) == n_sv + 1
            macs = n_sv * d
        else:
            assert len(calls) == 0 and model._w is not None and len(model._w) == 45
            macs = 45 * d

        times = []  # the machine is shared: the fastest of a few runs
        for _ in range(7):
            t0 = time.perf_counter()
            model.decision_function([x])
            times.append(time.perf_counter() - t0)
        per = min(times)
        lines.append(
            f"{kernel}: {n_sv} SVs x {d} features -> {macs:,} multiply-adds, "
            f"{per * 1e3:.2f} ms per sample in CPython ({per / macs * 1e9:.1f} ns per multiply-add); "
            f"at ~160 ns per multiply-add (Pyodide, pyodemo/vector.py) ~ {macs * 160e-9 * 1e3:.0f} ms"
        )
        assert model.predict([x]) == clf.predict([x]).tolist()
    print("\n[svm timing] 10-class sprite HOG model, decision_function of one image (best of 7):\n  "
          + "\n  ".join(lines))


def test_one_vs_rest_model_matches_sklearn_one_vs_rest_classifier(parity_report):
    """pyodemo's multi_class="ovr" (the slide's OvA) is OneVsRestClassifier(SVC)."""
    X, y = make_blobs(120, centers=4, cluster_std=2.2, random_state=11)
    for kernel in ("linear", "rbf", "poly"):
        ref = OneVsRestClassifier(SkSVC(kernel=kernel, C=1.0)).fit(X, y)
        model = SVC(kernel=kernel, C=1.0, multi_class="ovr").fit(X.tolist(), y.tolist())
        G = grid_for(X, 30)
        diff = rel_diff(model.decision_function(G.tolist()), ref.decision_function(G))
        assert diff <= 1e-3
        agree = float(np.mean(np.array(model.predict(G.tolist())) == ref.predict(G)))
        assert agree >= 0.995
        _record(parity_report, "svm: OvR fit vs OneVsRestClassifier(SVC), relative", diff)
        print(f"\n[svm parity] OvR {kernel}: max rel diff {diff:.2e}, grid agreement {agree:.2%}")
