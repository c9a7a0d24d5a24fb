"""pyodemo.svm, pyodemo.kernels, pyodemo.smo and pyodemo.vector on their own: formulas,
the SMO optimality conditions, one-vs-rest, ranking, and plain errors for bad input."""

from __future__ import annotations

import math
import operator
import random
from fractions import Fraction

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.svm import SVC as SkSVC

from pyodemo import kernels, smo, vector
from pyodemo.svm import SVC


def rows(n: int, d: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0, 1) for _ in range(d)] for _ in range(n)]


# --------------------------------------------------------------------------- vector
def test_vector_helpers_agree_with_exact_sums():
    a, b = rows(2, 1764, 0)
    exact = float(sum(Fraction(x) * Fraction(y) for x, y in zip(a, b)))
    assert vector.dot(a, b) == pytest.approx(exact, rel=1e-12, abs=1e-12)
    assert vector.sq_norm(a) == pytest.approx(math.fsum(x * x for x in a), rel=1e-13)
    assert vector.norm(a) == pytest.approx(math.sqrt(math.fsum(x * x for x in a)), rel=1e-13)
    assert vector.sq_dist(a, b) == pytest.approx(math.fsum((x - y) ** 2 for x, y in zip(a, b)), rel=1e-13)


def test_vector_dot_is_c_level():
    """math.sumprod on 3.12+ (Pyodide); sum(map(mul)) otherwise -- both builtins doing the loop."""
    if hasattr(math, "sumprod"):
        assert vector.dot is math.sumprod and vector.HAVE_SUMPROD
    else:
        assert not vector.HAVE_SUMPROD
        a, b = rows(2, 50, 1)
        assert vector.dot(a, b) == sum(map(operator.mul, a, b))


# --------------------------------------------------------------------------- kernels
def test_kernels_follow_their_formulas():
    x, z = [0.5, -1.0, 2.0], [1.5, 0.25, -0.5]
    xz = sum(p * q for p, q in zip(x, z))
    d2 = sum((p - q) ** 2 for p, q in zip(x, z))
    assert kernels.kernel("linear", x, z) == pytest.approx(xz)
    assert kernels.kernel("poly", x, z, gamma=0.3, coef0=1.5, degree=3) == pytest.approx((0.3 * xz + 1.5) ** 3)
    assert kernels.kernel("rbf", x, z, gamma=0.2) == pytest.approx(math.exp(-0.2 * d2))
    assert kernels.kernel("sigmoid", x, z, gamma=0.3, coef0=-1.0) == pytest.approx(math.tanh(0.3 * xz - 1.0))
    # the slide's polynomial kernel (1 + x.x_i)^d is poly with gamma=1, coef0=1
    assert kernels.kernel("poly", x, z, gamma=1.0, coef0=1.0, degree=2) == pytest.approx((1 + xz) ** 2)
    for name in kernels.KERNELS:
        many = kernels.kernel_values(name, x, [z, x, [0.0, 0.0, 0.0]], 0.3, 3, 0.5)
        single = [kernels.kernel(name, x, r, 0.3, 3, 0.5) for r in (z, x, [0.0, 0.0, 0.0])]
        assert many == pytest.approx(single, rel=1e-14, abs=1e-14)
    with pytest.raises(ValueError, match="unknown kernel"):
        kernels.kernel("cosine", x, z)


def test_powi_and_gamma_match_libsvm_and_numpy():
    for base in (0.3, -1.7, 2.0):
        for t in range(8):
            assert kernels.powi(base, t) == pytest.approx(base**t, rel=1e-15)
    X = np.random.RandomState(3).randn(37, 5) * 3 + 1
    assert kernels.resolve_gamma("scale", X.tolist()) == 1.0 / (5 * X.var())  # bit for bit
    assert kernels.resolve_gamma("auto", X.tolist()) == 1 / 5
    assert kernels.resolve_gamma("scale", [[2.0, 2.0], [2.0, 2.0]]) == 1.0  # zero variance


def test_emulated_fma_rounds_once():
    rng = random.Random(5)
    for _ in range(20000):
        a, b, c = (rng.uniform(-1, 1) * 10 ** rng.randint(-6, 6) for _ in range(3))
        exact = float(Fraction(a) * Fraction(b) + Fraction(c))
        assert kernels._fma_emulated(a, b, c) == exact


def test_kernel_matrix_rows_are_float32_and_cached():
    X = rows(20, 3, 2)
    km = kernels.KernelMatrix(X, "rbf", 0.5, 3, 0.0)
    r = km.row(4)
    assert r.typecode == "f" and km.row(4) is r
    assert r[4] == 1.0 and km.diag[4] == 1.0
    assert list(r) == pytest.approx([kernels.kernel("rbf", X[4], z, 0.5) for z in X], rel=1e-7)
    with pytest.raises(ValueError, match="unknown kernel"):
        kernels.KernelMatrix(X, "laplacian", 1.0, 3, 0.0)


# --------------------------------------------------------------------------- SMO
@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly"])
@pytest.mark.parametrize("shrinking", [True, False])
def test_smo_solution_satisfies_the_kkt_conditions(kernel, shrinking):
    """Feasible (0 <= alpha <= C, y.alpha = 0) and no pair violates optimality by more than eps."""
    X, y01 = make_moons(80, noise=0.35, random_state=4)
    X = X.tolist()
    y = [1 if v == 0 else -1 for v in y01]
    C, eps = 3.0, 1e-3
    km = kernels.KernelMatrix(X, kernel, 0.5, 3, 1.0)

    def q_row(i):
        return [y[i] * y[j] * v for j, v in enumerate(km.row(i))]

    res = smo.solve(q_row, km.diag, y, [C] * len(y), eps=eps, shrinking=shrinking)
    assert res.converged
    a = res.alpha
    assert all(0.0 <= v <= C for v in a)
    assert abs(sum(v * t for v, t in zip(a, y))) < 1e-9
    grad = [sum(q * av for q, av in zip(q_row(i), a)) - 1.0 for i in range(len(y))]
    up = [-y[t] * grad[t] for t in range(len(y)) if (y[t] > 0 and a[t] < C) or (y[t] < 0 and a[t] > 0)]
    low = [-y[t] * grad[t] for t in range(len(y)) if (y[t] > 0 and a[t] > 0) or (y[t] < 0 and a[t] < C)]
    assert max(up) - min(low) < eps + 1e-6  # m(alpha) - M(alpha) <= eps (float32 kernel cache)
    free = [t for t in range(len(y)) if 0 < a[t] < C]
    for t in free:  # rho is where free points sit: y_t grad_t = -rho... up to eps
        assert abs(y[t] * grad[t] - res.rho) < 2 * eps


def test_max_iter_stops_with_a_usable_model_and_no_warning(recwarn):
    X, y = make_blobs(150, centers=3, cluster_std=3.0, random_state=1)
    model = SVC(kernel="linear", C=1000.0, max_iter=50).fit(X.tolist(), y.tolist())
    assert model.fit_status_ == 1 and max(model.n_iter_) == 50  # bounded by steps, not by the clock
    assert len(model.predict(X.tolist())) == 150
    assert len(recwarn) == 0
    with pytest.raises(ValueError, match="max_iter"):
        SVC(max_iter=0).fit(X.tolist(), y.tolist())


def test_duplicate_and_contradicting_points_terminate_like_libsvm():
    X = [[0.0, 0.0]] * 6 + [[1.0, 1.0]] * 3 + [[0.0, 0.0]] * 3
    y = [0] * 6 + [1] * 6  # three copies of (0, 0) are labelled 1
    for kernel in ("linear", "rbf", "poly"):
        model = SVC(kernel=kernel, C=1.0).fit(X, y)
        ref = SkSVC(kernel=kernel, C=1.0).fit(X, y)
        assert model.fit_status_ == 0
        assert model.predict([[0.0, 0.0], [1.0, 1.0]]) == ref.predict([[0.0, 0.0], [1.0, 1.0]]).tolist()
        assert model.decision_function([[0.5, 0.2]]) == pytest.approx(ref.decision_function([[0.5, 0.2]]), abs=1e-9)
        assert model.n_support_ == ref.n_support_.tolist()
    same = SVC(kernel="rbf").fit([[1.0, 2.0]] * 4, ["a", "b", "a", "b"])  # all points identical
    assert same.predict([[1.0, 2.0]]) in (["a"], ["b"])


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, X, y, message",
    [
        ({}, [[0.0], [1.0]], [1, 1], "two classes"),
        ({}, [], [], "empty"),
        ({}, [[0.0], [1.0]], [0, 1, 1], "2 points but y has 3"),
        ({}, [[0.0], [float("nan")]], [0, 1], "NaN"),
        ({}, [[0.0], [float("inf")]], [0, 1], "NaN or infinity"),
        ({}, [[0.0, 1.0], [1.0]], [0, 1], "row 1 has 1 values"),
        ({}, [0.0, 1.0], [0, 1], "2-D"),
        ({}, [["a"], ["b"]], [0, 1], "rows of numbers"),
        ({}, [[]], [0], "no features"),
        ({}, [[0.0], [1.0]], [0, "b"], "not a mix"),
        ({}, [[0.0], [1.0]], [0, None], "numbers or strings"),
        ({"C": 0}, [[0.0], [1.0]], [0, 1], "C must be a positive"),
        ({"C": -1.0}, [[0.0], [1.0]], [0, 1], "C must be a positive"),
        ({"C": float("nan")}, [[0.0], [1.0]], [0, 1], "C must be a positive"),
        ({"gamma": 0.0}, [[0.0], [1.0]], [0, 1], "gamma"),
        ({"gamma": -2}, [[0.0], [1.0]], [0, 1], "gamma"),
        ({"gamma": "wide"}, [[0.0], [1.0]], [0, 1], "gamma"),
        ({"degree": 0}, [[0.0], [1.0]], [0, 1], "degree"),
        ({"degree": 2.5}, [[0.0], [1.0]], [0, 1], "degree"),
        ({"kernel": "cosine"}, [[0.0], [1.0]], [0, 1], "kernel must be one of"),
        ({"tol": 0}, [[0.0], [1.0]], [0, 1], "tol"),
        ({"coef0": float("inf")}, [[0.0], [1.0]], [0, 1], "coef0"),
        ({"class_weight": "even"}, [[0.0], [1.0]], [0, 1], "class_weight"),
        ({"class_weight": {0: -1.0}}, [[0.0], [1.0]], [0, 1], "positive"),
        ({"class_weight": {7: 2.0}}, [[0.0], [1.0]], [0, 1], "not in y"),
        ({"decision_function_shape": "ova"}, [[0.0], [1.0]], [0, 1], "decision_function_shape"),
        ({"multi_class": "crammer"}, [[0.0], [1.0]], [0, 1], "multi_class"),
        ({"break_ties": True, "decision_function_shape": "ovo"}, [[0.0], [1.0]], [0, 1], "break_ties"),
    ],
)
def test_bad_training_input_is_a_plain_value_error(kwargs, X, y, message):
    with pytest.raises(ValueError, match=message):
        SVC(**kwargs).fit(X, y)


def test_bad_prediction_input_is_a_plain_value_error():
    with pytest.raises(ValueError, match="not fitted"):
        SVC().predict([[0.0]])
    model = SVC(kernel="rbf").fit([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]], ["a", "b", "c"])
    with pytest.raises(ValueError, match="trained on 2"):
        model.predict([[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="NaN"):
        model.decision_function([[0.0, float("nan")]])
    with pytest.raises(ValueError, match="k must be"):
        model.top_k([0.0, 0.0], k=0)
    with pytest.raises(ValueError, match="linear"):
        model.coef_
    with pytest.raises(ValueError, match="empty"):  # no points, as scikit-learn
        model.predict([])


# --------------------------------------------------------------------------- behaviour
def test_one_vs_rest_and_one_vs_one_shapes_and_predictions():
    X, y = make_blobs(90, centers=3, cluster_std=1.2, random_state=2)
    Xl, yl = X.tolist(), y.tolist()
    ovo = SVC(kernel="rbf", C=1.0).fit(Xl, yl)
    ovr = SVC(kernel="rbf", C=1.0, multi_class="ovr").fit(Xl, yl)
    assert len(ovo.intercept_) == 3 and len(ovo.dual_coef_) == 2  # 3 pairs; K - 1 rows
    assert len(ovr.intercept_) == 3 and len(ovr.dual_coef_) == 3  # 3 classes; K rows
    scores = ovr.decision_function(Xl[:20])
    assert [s.index(max(s)) for s in scores] == ovr.predict(Xl[:20])
    assert ovr.score(Xl, yl) > 0.9 and ovo.score(Xl, yl) > 0.9
    # two classes: one problem, so one-vs-rest is one-vs-one
    two = [i for i, v in enumerate(yl) if v < 2]
    a = SVC(multi_class="ovr").fit([Xl[i] for i in two], [yl[i] for i in two])
    b = SVC(multi_class="ovo").fit([Xl[i] for i in two], [yl[i] for i in two])
    assert a.decision_function(Xl) == b.decision_function(Xl)


def test_top_k_ranks_by_the_ovr_scores():
    X, y = make_blobs(120, centers=5, cluster_std=1.5, random_state=8)
    labels = [f"class-{v}" for v in y]
    model = SVC(kernel="rbf", C=2.0).fit(X.tolist(), labels)
    for x in X[:15].tolist():
        scores = model.decision_function([x])[0]
        ranked = model.top_k(x, k=3)
        assert len(ranked) == 3
        assert [s for _, s in ranked] == sorted(scores, reverse=True)[:3]
        assert ranked[0][0] == model.classes_[scores.index(max(scores))]
    assert len(model.top_k(X[0].tolist(), k=10)) == 5


def test_kernel_values_are_computed_once_per_support_vector(monkeypatch):
    X, y = make_blobs(100, centers=4, cluster_std=2.0, random_state=0)
    model = SVC(kernel="rbf").fit(X.tolist(), y.tolist())
    calls = []
    real = kernels.dot
    monkeypatch.setattr(kernels, "dot", lambda a, b: calls.append(1) or real(a, b))
    model.decision_function([X[0].tolist()])
    assert len(calls) == len(model.support_) + 1  # + ||x||^2; shared by all 6 pairs


def test_linear_model_collapses_to_one_weight_vector_per_pair():
    X, y = make_blobs(100, centers=3, cluster_std=2.5, random_state=0, n_features=4)
    model = SVC(kernel="linear", C=1.0).fit(X.tolist(), y.tolist())
    assert model._w is not None and len(model._w) == 3 and len(model.support_) > 3
    ref = SkSVC(kernel="linear", C=1.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-9, atol=1e-9)
    slow = SVC.__new__(SVC)
    slow.__dict__.update(model.__dict__)
    slow._w = None  # kernel path through the support vectors
    np.testing.assert_allclose(slow.decision_function(X.tolist()), model.decision_function(X.tolist()),
                               rtol=1e-12, atol=1e-12)


def test_repr_names_the_model():
    assert repr(SVC()) == "SVC(kernel='rbf', C=1.0, gamma='scale')"
    fitted = SVC(kernel="linear").fit([[0.0], [1.0]], [0, 1])
    assert "2 classes, 2 SVs" in repr(fitted)
