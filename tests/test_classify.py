"""pyodemo.classify: the crop rule, the input image and the features against Pillow / scikit-image /
numpy done by hand, the model's answers against scikit-learn, and the widget's RPC calls."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image as PILImage
from skimage.feature import hog as skimage_hog
from sklearn.svm import SVC as SkSVC

from export import cnn_input
from export.sklearn_bridge import to_pyodemo
from pyodemo import classify, hog
from pyodemo.web import classifier, rpc

PIPELINE = {
    "input": {"size": 32, "background": [255, 255, 255], "margin": 0.08},
    "features": [
        {"name": "hog", "orientations": 9, "pixels_per_cell": [8, 8], "cells_per_block": [2, 2],
         "block_norm": "L2-Hys", "transform_sqrt": False, "color": "rgb"},
        {"name": "color_hist", "bins": 8, "weight": 6.0},
    ],
    "threshold_on": "margin",
}


def sprite(width: int, height: int, box: tuple[int, int, int, int], seed: int = 0) -> np.ndarray:
    """A transparent picture with random opaque-ish pixels inside ``box`` = (x0, y0, x1, y1)."""
    rng = np.random.default_rng(seed)
    rgba = np.zeros((height, width, 4), np.uint8)
    x0, y0, x1, y1 = box
    rgba[y0:y1, x0:x1, :3] = rng.integers(0, 256, (y1 - y0, x1 - x0, 3))
    rgba[y0:y1, x0:x1, 3] = rng.integers(1, 256, (y1 - y0, x1 - x0))
    rgba[y0, x0, 3] = rgba[y1 - 1, x1 - 1, 3] = 200  # the box's corners are visible
    return rgba


# ------------------------------------------------------------------ default_crop


@pytest.mark.parametrize("size, box", [((40, 20), (10, 5, 30, 15)), ((64, 64), (6, 2, 57, 62)),
                                       ((100, 50), (0, 0, 3, 50)), ((7, 9), (6, 8, 7, 9))])
def test_transparent_sprite_gives_the_square_around_its_visible_pixels_plus_a_margin(size, box):
    rgba = sprite(*size, box)
    x0, y0, x1, y1 = box
    longer = max(x1 - x0, y1 - y0)
    pad = int(np.floor(0.08 * longer + 0.5))
    side = longer + 2 * pad
    expected = [(x0 + x1 - side) // 2, (y0 + y1 - side) // 2, side]
    assert classify.default_crop(rgba.tobytes(), *size) == expected
    # the CNN's Pillow mirror of the same rule agrees
    assert list(cnn_input.default_crop(PILImage.fromarray(rgba, "RGBA"))) == expected


def test_opaque_picture_gives_the_centred_largest_square():
    assert classify.default_crop(bytes([1, 2, 3, 255]) * 40 * 25, 40, 25) == [7, 0, 25]
    assert classify.default_crop(bytes([1, 2, 3, 255]) * 9 * 20, 9, 20) == [0, 5, 9]
    # nothing visible at all: the same centred square
    assert classify.default_crop(bytes(4 * 6 * 4), 6, 4) == [1, 0, 4]


def test_one_pixel_pictures():
    assert classify.default_crop(bytes([9, 9, 9, 255]), 1, 1) == [0, 0, 1]
    assert classify.default_crop(bytes([9, 9, 9, 0]), 1, 1) == [0, 0, 1]
    assert classify.default_crop(bytes([9, 9, 9, 128]), 1, 1) == [0, 0, 1]
    image = classify.prepare(bytes([255, 0, 0, 255]), 1, 1, PIPELINE)
    assert image.size == (32, 32) and image.pixels[:3] == [1.0, 0.0, 0.0]


def test_bad_pictures_raise_value_error():
    with pytest.raises(ValueError, match="must have 16 bytes"):
        classify.default_crop(bytes(15), 2, 2)
    with pytest.raises(ValueError, match="at least one pixel"):
        classify.default_crop(b"", 0, 0)
    with pytest.raises(ValueError, match="crop box"):
        classify.prepare(bytes(16), 2, 2, PIPELINE, box=[0, 0, 0])


# ------------------------------------------------------------------ prepare and features by hand


def by_hand(rgba: np.ndarray, box: list[int], size: int, background=(255, 255, 255)) -> tuple[np.ndarray, np.ndarray]:
    """Crop square (outside transparent), composite on the background in floats, Pillow BOX resize."""
    x, y, side = box
    h, w = rgba.shape[:2]
    square = np.zeros((side, side, 4), np.float64)
    xs, ys = max(x, 0), max(y, 0)
    xe, ye = min(x + side, w), min(y + side, h)
    square[ys - y : ye - y, xs - x : xe - x] = rgba[ys:ye, xs:xe] / 255.0
    a = square[..., 3:]
    rgb = square[..., :3] * a + np.asarray(background) / 255.0 * (1 - a)
    channels = [np.asarray(PILImage.fromarray(rgb[..., c].astype(np.float32), "F").resize(
        (size, size), PILImage.Resampling.BOX)) for c in range(3)]
    alpha = np.asarray(PILImage.fromarray(a[..., 0].astype(np.float32), "F").resize((size, size), PILImage.Resampling.BOX))
    return np.stack(channels, -1), alpha


@pytest.mark.parametrize("seed", [0, 1])
def test_prepare_equals_crop_composite_and_pillow_box_resize(seed):
    rgba = sprite(50, 41, (9, 3, 44, 37), seed)
    box = classify.default_crop(rgba.tobytes(), 50, 41)
    image = classify.prepare(rgba.tobytes(), 50, 41, PIPELINE)
    rgb, alpha = by_hand(rgba, box, 32)
    assert image.size == (32, 32)
    np.testing.assert_allclose(np.asarray(image.pixels).reshape(32, 32, 3), rgb, atol=2e-6)
    np.testing.assert_allclose(np.asarray(image.alpha).reshape(32, 32), alpha, atol=2e-6)


def test_prepare_takes_an_opaque_photo_whole_and_a_given_box():
    rng = np.random.default_rng(3)
    photo = np.concatenate([rng.integers(0, 256, (48, 64, 3)), np.full((48, 64, 1), 255)], -1).astype(np.uint8)
    image = classify.prepare(photo.tobytes(), 64, 48, PIPELINE)
    rgb, _ = by_hand(photo, [8, 0, 48], 32)
    np.testing.assert_allclose(np.asarray(image.pixels).reshape(32, 32, 3), rgb, atol=2e-6)
    boxed = classify.prepare(photo.tobytes(), 64, 48, PIPELINE, box=[-10, 30, 40])  # partly outside: white
    rgb, _ = by_hand(photo, [-10, 30, 40], 32)
    np.testing.assert_allclose(np.asarray(boxed.pixels).reshape(32, 32, 3), rgb, atol=2e-6)


def numpy_histogram(rgb: np.ndarray, alpha: np.ndarray, bins: int, joint: bool, sqrt: bool, weight: float) -> np.ndarray:
    """The colour histogram done by hand with numpy (bin = floor(value × bins), clipped)."""
    index = np.clip(np.floor(rgb.reshape(-1, 3) * bins), 0, bins - 1).astype(int)
    if joint:
        keys = [(index[:, 0] * bins + index[:, 1]) * bins + index[:, 2]]
    else:
        keys = [index[:, c] for c in range(3)]
    hists = [np.bincount(k, weights=alpha, minlength=bins ** (3 if joint else 1)) / alpha.sum() for k in keys]
    h = np.concatenate(hists)
    return weight * (np.sqrt(h) if sqrt else h)


@pytest.mark.parametrize("joint, sqrt, bins", [(True, True, 10), (True, False, 4), (False, True, 8), (True, True, 16)])
@pytest.mark.parametrize("kind", ["sprite", "photo"])
def test_joint_and_square_rooted_histograms_equal_numpy(joint, sqrt, bins, kind):
    if kind == "sprite":  # partly transparent pixels: each counts with its opacity
        rgba, side = sprite(60, 60, (5, 8, 55, 52), seed=7), 60
        rgba[20:40, 20:40, 3] = 255
    else:  # an opaque photo, every pixel counts once; pure white and black land in the end bins
        rgba = np.random.default_rng(3).integers(0, 256, (64, 64, 4)).astype(np.uint8)
        rgba[..., 3] = 255
        rgba[:4, :4, :3] = 255
        rgba[-4:, -4:, :3] = 0
        side = 64
    feature = {"name": "color_hist", "bins": bins, "joint": joint, "sqrt": sqrt, "weight": 16.0}
    pipeline = {"input": {"size": 32}, "features": [feature]}
    image = classify.prepare(rgba.tobytes(), side, side, pipeline)
    x = classify.features(image, pipeline)
    rgb = np.asarray(image.pixels).reshape(32, 32, 3)
    alpha = np.asarray(image.alpha) if image.alpha is not None else np.ones(32 * 32)
    if kind == "sprite":
        assert 0 < ((alpha > 0) & (alpha < 1)).sum() and (alpha == 1).sum() > 0
    expected = numpy_histogram(rgb, alpha, bins, joint, sqrt, 16.0)
    assert len(x) == len(expected) == (bins**3 if joint else 3 * bins)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)
    # each histogram sums to 1 before the weight, so after the square root its squared norm is 1
    histograms = 1 if joint else 3
    assert (np.sum(np.square(x)) if sqrt else np.sum(x)) == pytest.approx(histograms * (16.0**2 if sqrt else 16.0))


def test_histogram_flags_are_checked():
    image = classify.prepare(bytes([0, 0, 0, 255]) * 64, 8, 8, {"input": {"size": 8}})
    with pytest.raises(ValueError, match="joint must be true or false"):
        classify.features(image, {"features": [{"name": "color_hist", "joint": "yes"}]})
    with pytest.raises(ValueError, match="sqrt must be true or false"):
        classify.features(image, {"features": [{"name": "color_hist", "sqrt": 1}]})
    with pytest.raises(ValueError, match="bins must be a whole number 1..16"):
        classify.features(image, {"features": [{"name": "color_hist", "bins": 17, "joint": True}]})


def test_features_equal_scikit_image_hog_and_a_numpy_histogram():
    rgba = sprite(60, 60, (5, 8, 55, 52), seed=4)
    image = classify.prepare(rgba.tobytes(), 60, 60, PIPELINE)
    x = classify.features(image, PIPELINE)
    rgb = np.asarray(image.pixels).reshape(32, 32, 3)
    expected_hog = skimage_hog(rgb, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                               block_norm="L2-Hys", channel_axis=-1)
    alpha = np.asarray(image.alpha)
    hist = []
    for c in range(3):
        index = np.minimum((rgb.reshape(-1, 3)[:, c] * 8).astype(int), 7)
        hist += [alpha[index == k].sum() / alpha.sum() * 6.0 for k in range(8)]
    assert len(x) == len(expected_hog) + 24
    np.testing.assert_allclose(x[: len(expected_hog)], expected_hog, atol=1e-6)
    np.testing.assert_allclose(x[len(expected_hog):], hist, atol=1e-12)
    gray_pipeline = {**PIPELINE, "features": [{"name": "hog", "color": "gray", "size": 24}]}
    gray = np.asarray(image.resize(24, 24).to_gray().pixels).reshape(24, 24)
    np.testing.assert_allclose(classify.features(image, gray_pipeline),
                               skimage_hog(gray, 9, (8, 8), (2, 2), block_norm="L2-Hys"), atol=1e-6)


def test_unknown_feature_raises_value_error():
    image = classify.prepare(bytes([0, 0, 0, 255]) * 64, 8, 8, {"input": {"size": 16}})
    with pytest.raises(ValueError, match="unknown feature"):
        classify.features(image, {"features": [{"name": "sift"}]})
    with pytest.raises(ValueError, match="color"):
        classify.features(image, {"features": [{"name": "hog", "color": "hsv"}]})


# ------------------------------------------------------------------ a small model


@pytest.fixture(scope="module")
def trained():
    """A scikit-learn SVC on the pipeline's features of random sprites of three 'classes' (colour + shape)."""
    rng = np.random.default_rng(0)
    pictures, labels = [], []
    for label, colour in (("red", (220, 30, 30)), ("green", (30, 200, 30)), ("blue", (30, 30, 220))):
        for i in range(8):
            rgba = np.zeros((40, 40, 4), np.uint8)
            x0, y0 = rng.integers(2, 10, 2)
            size = int(rng.integers(18, 28))
            rgba[y0 : y0 + size, x0 : x0 + (size if label != "green" else size // 2)] = (*colour, 255)
            pictures.append(rgba)
            labels.append(label)
    X = [classify.features(classify.prepare(p.tobytes(), 40, 40, PIPELINE), PIPELINE) for p in pictures]
    clf = SkSVC(kernel="linear", C=0.1, class_weight="balanced").fit(X, labels)
    model = to_pyodemo(clf, pipeline=PIPELINE, threshold=0.05)
    return clf, model, pictures, np.asarray(X)


def test_margins_and_scores_equal_scikit_learn(trained):
    clf, model, pictures, X = trained
    clf.decision_function_shape = "ovr"
    ovr = clf.decision_function(X)
    clf.decision_function_shape = "ovo"
    ovo = clf.decision_function(X)
    compared = 0
    for x, s_ovr, d in zip(X, ovr, ovo):
        scores, margin = classify.decision(model, x)
        (d01, d02, d12) = d  # pairs (0,1), (0,2), (1,2) of classes_ = blue, green, red
        np.testing.assert_allclose(margin, [min(d01, d02), min(-d01, d12), min(-d02, -d12)], atol=1e-8)
        if np.abs(d).min() > 1e-6:  # a pair on its boundary may vote either way (last-bit differences)
            np.testing.assert_allclose(scores, s_ovr, atol=1e-8)
            compared += 1
    assert compared >= len(X) // 2


def test_top_k_and_is_sure(trained):
    clf, model, pictures, X = trained
    for p, x in zip(pictures[::5], X[::5]):
        top = classify.top_k(model, p.tobytes(), 40, 40, k=2)
        assert [t["label"] for t in top][0] == clf.predict([x])[0]
        assert top[0]["score"] >= top[1]["score"]
        assert classify.is_sure(model, top) == (top[0]["margin"] >= 0.05)


def call(method: str, args: dict, blobs: dict | None = None) -> dict:
    return json.loads(rpc.dispatch(method, json.dumps(args), blobs))


def test_predict_rpc_returns_k_sorted_answers_and_the_steps(trained):
    clf, model, pictures, X = trained
    loaded = call("classifier.load_model", {}, {"model": model.to_bytes()})
    assert loaded["ok"], loaded
    summary = loaded["result"]
    assert summary["classes"] == ["blue", "green", "red"] and summary["n_features"] == X.shape[1]
    assert summary["threshold"] == 0.05
    answer = call("classifier.predict", {"token": summary["token"], "width": 40, "height": 40, "k": 3},
                  {"rgba": pictures[0].tobytes()})
    assert answer["ok"], answer
    r = answer["result"]
    assert len(r["top"]) == 3
    assert [t["score"] for t in r["top"]] == sorted((t["score"] for t in r["top"]), reverse=True)
    assert r["top"][0]["label"] == clf.predict(X[:1])[0]
    assert isinstance(r["sure"], bool)
    steps = r["steps"]
    assert steps["size"] == 32
    import base64

    for name in ("input", "gray"):
        assert len(base64.b64decode(steps[name]["__bytes__"])) == 4 * 32 * 32
    # the HOG step: the cells' histograms the features were computed from (the widget draws the glyphs)
    assert len(steps["histograms"]) == 4 and len(steps["histograms"][0][0]) == 9
    assert steps["histograms"] == hog.cell_histograms(classify.prepare(pictures[0].tobytes(), 40, 40, PIPELINE), 9, (8, 8))
    assert steps["cell"] == 8 and steps["bin_centres"][0] == 10.0
    # the colour step says how many of the model's numbers are the histogram's: the features' tail
    image = classify.prepare(pictures[0].tobytes(), 40, 40, PIPELINE)
    colours = classify.color_histogram(image, 8, 6.0)
    assert steps["colors"]["n_features"] == len(colours) == 24
    np.testing.assert_allclose(classify.features(image, PIPELINE)[-24:], colours)
    assert set(r["ms"]) >= {"crop", "prepare", "features", "svm", "total"}
    # a box given by the widget is used as it is
    boxed = call("classifier.predict", {"token": summary["token"], "width": 40, "height": 40, "k": 1, "box": [0, 0, 40]},
                 {"rgba": pictures[0].tobytes()})["result"]
    assert boxed["box"] == [0, 0, 40] and len(boxed["top"]) == 1


def test_bad_model_bytes_raise_value_error():
    with pytest.raises(ValueError, match="not a pyodemo model file"):
        classifier.load_model(b"this is not a model")
    answer = call("classifier.load_model", {}, {"model": b"PYODSVM\x00 broken"})
    assert not answer["ok"] and answer["kind"] == "value"
    gone = call("classifier.predict", {"token": 10**9, "width": 1, "height": 1}, {"rgba": bytes(4)})
    assert not gone["ok"] and "no longer loaded" in gone["error"]


def test_score_range_holds_every_score(trained):
    """The widget's bars span classify.score_range: one-vs-one's votes ± ⅓; one-vs-rest's kernel bound; None unbounded."""
    from pyodemo.svm import SVC

    clf, model, pictures, X = trained
    low, high = classify.score_range(model)
    assert (low, high) == (-1 / 3, 2 + 1 / 3)  # three classes
    rng = np.random.default_rng(1)
    points = np.vstack([X, rng.uniform(-3, 3, (20, X.shape[1]))])  # far from the training images too
    for x in points:
        assert all(low < s < high for s in classify.decision(model, x)[0])
    # a one-vs-rest model with a kernel bounded by 1: |score| ≤ Σ|coef| + |ρ|
    small = X[:, :40]
    for kernel in ("rbf", "sigmoid"):
        ovr = SVC(kernel=kernel, C=1.0, gamma=0.5, multi_class="ovr").fit(small.tolist(), clf.classes_[np.arange(len(X)) % 3].tolist())
        low, high = classify.score_range(ovr)
        assert low == -high < 0
        scores = [s for x in np.vstack([small, rng.uniform(-3, 3, (20, 40))]) for s in classify.decision(ovr, x)[0]]
        assert all(low <= s <= high for s in scores), kernel
    # a linear (or polynomial) one-vs-rest score grows with the features: no bound
    linear = SVC(kernel="linear", C=1.0, multi_class="ovr").fit(small.tolist(), clf.classes_[np.arange(len(X)) % 3].tolist())
    assert classify.score_range(linear) is None


def test_load_model_reports_the_score_range_and_predict_the_features(trained):
    clf, model, pictures, X = trained
    summary = call("classifier.load_model", {}, {"model": model.to_bytes()})["result"]
    assert summary["score_range"] == classify.score_range(model) == [-1 / 3, 2 + 1 / 3]
    args = {"token": summary["token"], "width": 40, "height": 40, "k": 3}
    plain = call("classifier.predict", args, {"rgba": pictures[0].tobytes()})["result"]
    assert "features" not in plain
    full = call("classifier.predict", {**args, "with_features": True}, {"rgba": pictures[0].tobytes()})["result"]
    assert full["features"] == classify.features(classify.prepare(pictures[0].tobytes(), 40, 40, PIPELINE), PIPELINE)
    assert full["top"] == plain["top"]
    bad = call("classifier.predict", {**args, "with_features": 1}, {"rgba": pictures[0].tobytes()})
    assert not bad["ok"] and "with_features must be true or false" in bad["error"]
