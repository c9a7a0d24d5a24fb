"""Fuzzed inputs for pyodemo (issue 8): a correct answer or a ``ValueError``, never another exception, never a hang.

What the browser can send reaches pyodemo through ``pyodemo.web.rpc``: canvas RGBA bytes of any length, sizes
from 1 × 1 to 512 × 512, numbers typed by a person (NaN, infinity, 1e308), model files cut short or damaged.
Hypothesis draws those; each example must either give the right answer (checked against an independent
computation: numpy, scikit-image, Pillow, a naive loop) or raise ``ValueError`` with a message, within a few
seconds. Large images are drawn as (width, height, seed, kind) and built from the seed, so examples stay
cheap to generate and shrink.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import signal
import sys
from itertools import chain

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyodemo import classify, convolve, hog, modelfile
from pyodemo.web import classifier, rpc
from pyodemo.checks import LARGEST
from pyodemo.image import Image
from pyodemo.svm import SVC

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
#: No example may take longer than this (pure Python on a 512 × 512 image takes well under a second).
HANG_S = 20.0

SIDES = st.one_of(st.integers(1, 24), st.integers(1, 512))  # mostly small, sometimes up to 512
KINDS = ("random", "constant", "extreme", "huge", "nan", "inf", "bytes")
HOSTILE = (math.nan, math.inf, -math.inf)
#: Finite numbers near the top of the float range: up to LARGEST pyodemo computes with them, beyond it
#: (and whole numbers no float can hold) it answers ValueError, never ±inf or NaN.
HUGE = (1e200, LARGEST, -LARGEST, 1e308, -1e308, sys.float_info.max)
BIG_NUMBERS = HUGE + (10**400, -(2**64))


class Hang(Exception):
    """An example ran longer than HANG_S seconds (deliberately not a ValueError)."""


@contextlib.contextmanager
def no_hang(seconds: float = HANG_S):
    def alarm(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def values(kind: str, n: int, seed: int) -> list[float]:
    """n pixel values of a kind: random in [0, 1], constant, extreme or huge finite, with NaN or ±inf, 8-bit levels."""
    rng = random.Random(seed)
    if kind == "random":
        return [rng.random() for _ in range(n)]
    if kind == "constant":
        return [rng.choice((0.0, 1.0, rng.random()))] * n
    if kind == "bytes":
        return [rng.randrange(256) / 255 for _ in range(n)]
    if kind == "extreme":  # far outside [0, 1], subnormal, negative zero
        return [rng.choice((0.0, 1.0, 1e30, -1e30, 5e-324, -0.0, 1e-300)) for _ in range(n)]
    out = [rng.random() for _ in range(n)]
    bad = {"nan": [math.nan], "inf": [math.inf, -math.inf], "huge": HUGE}[kind]
    for _ in range(rng.randint(1, 3)):
        out[rng.randrange(n)] = rng.choice(bad)
    return out


@st.composite
def images(draw, max_side: int | None = None):
    """(width, height, kind, flat values)."""
    w, h = draw(SIDES), draw(SIDES)
    if max_side:
        w, h = min(w, max_side), min(h, max_side)
    kind = draw(st.sampled_from(KINDS))
    return w, h, kind, values(kind, w * h, draw(st.integers(0, 2**32)))


#: The largest picture, always tried once (Hypothesis mostly draws small ones).
BIG = (512, 512, "random", values("random", 512 * 512, 7))


def finite(kind: str) -> bool:
    return kind not in ("nan", "inf")


def too_large(kind: str, exc: ValueError) -> bool:
    """A ValueError that huge values may give (and only they)."""
    return kind == "huge" and "too large" in str(exc)


# ------------------------------------------------------------------ image


@FUZZ
@given(st.integers(1, 512), st.integers(1, 512), st.integers(-9, 9), st.integers(0, 2**32),
       st.sampled_from(("random", "transparent", "opaque", "half")))
@example(1, 1, 0, 0, "half")
@example(512, 512, 0, 1, "random")
def test_from_rgba_any_length(width, height, delta, seed, alpha_kind):
    rng = random.Random(seed)
    n = width * height
    data = bytearray(rng.randbytes(max(4 * n + delta, 0)))
    if alpha_kind != "random" and delta == 0:
        data[3::4] = bytes([{"transparent": 0, "opaque": 255, "half": 128}[alpha_kind]]) * n
    bg = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    with no_hang():
        if delta != 0:
            with pytest.raises(ValueError, match="bytes"):
                Image.from_rgba(bytes(data), width, height, background=bg)
            return
        img = Image.from_rgba(bytes(data), width, height, background=bg)
    rgba = np.frombuffer(bytes(data), np.uint8).reshape(height, width, 4).astype(float) / 255
    a = rgba[..., 3:]
    expected = rgba[..., :3] * a + np.array(bg) / 255 * (1 - a)  # the "over" operator
    assert img.size == (width, height)
    np.testing.assert_allclose(np.array(img.pixels).reshape(height, width, 3), expected, atol=1e-12)
    np.testing.assert_allclose(img.alpha, a.ravel(), atol=1e-15)
    assert img.to_rgba_bytes()[3::4] == bytes(data[3::4])


@FUZZ
@given(st.integers(-3, 3), st.integers(-3, 3),
       st.one_of(st.binary(max_size=64), st.text(max_size=8), st.lists(st.integers(-300, 300), max_size=16)),
       st.one_of(st.none(), st.tuples(st.integers(-1, 256), st.integers(0, 255), st.integers(0, 255)),
                 st.lists(st.floats(allow_nan=True), max_size=4)))
def test_from_rgba_hostile_arguments(width, height, data, background):
    """Zero or negative sizes, text, ints outside 0..255, odd backgrounds: ValueError (or a correct image)."""
    kwargs = {} if background is None else {"background": background}
    with no_hang():
        try:
            img = Image.from_rgba(data, width, height, **kwargs)
        except ValueError as exc:
            assert str(exc)
            return
    assert width > 0 and height > 0 and len(bytes(data)) == 4 * width * height
    assert img.size == (width, height) and all(0.0 <= v <= 1.0 for v in img.pixels)


@FUZZ
@given(images(), st.sampled_from((1, 3)), st.integers(1, 96), st.integers(1, 96))
@example(BIG, 3, 64, 37)
@example(BIG, 3, 64, 64)  # whole factors: the block-mean fast path
def test_image_resize_and_gray(image, channels, new_w, new_h):
    """NaN/inf pixels are refused; anything finite resizes like Pillow's BOX filter and stays in range."""
    from PIL import Image as PILImage

    w, h, kind, flat = image
    flat = flat * channels
    with no_hang():
        if not finite(kind):
            with pytest.raises(ValueError, match="finite"):
                Image(w, h, channels, flat)
            return
        if max(map(abs, flat)) > LARGEST:
            with pytest.raises(ValueError, match="too large"):
                Image(w, h, channels, flat)
            return
        img = Image(w, h, channels, flat)
        try:
            small = img.resize(new_w, new_h)
            gray = img.to_gray()
        except ValueError as exc:
            assert str(exc)
            return
    assert small.size == (new_w, new_h) and len(small.pixels) == new_w * new_h * channels
    out = np.array(small.pixels, float)
    lo, hi = min(flat), max(flat)
    # a box average of finite values is finite and between the smallest and the largest
    assert np.isfinite(out).all(), f"{kind} {w}×{h} → {new_w}×{new_h}: resize overflowed to infinity"
    assert out.min() >= lo - 1e-12 * abs(lo) - 1e-300 and out.max() <= hi + 1e-12 * abs(hi) + 1e-300
    if kind in ("random", "bytes", "constant"):
        planes = np.array(flat, np.float32).reshape(h, w, channels)
        for c in range(channels):
            ref = np.asarray(PILImage.fromarray(planes[..., c], "F").resize((new_w, new_h), PILImage.Resampling.BOX))
            np.testing.assert_allclose(out.reshape(new_h, new_w, channels)[..., c], ref, atol=1e-5)
        if channels == 3:
            weights = np.array([0.2125, 0.7154, 0.0721])
            np.testing.assert_allclose(gray.pixels, (planes.astype(float) @ weights).ravel(), atol=1e-6)


# ------------------------------------------------------------------ HOG


@FUZZ
@given(images(), st.integers(1, 12), st.integers(1, 16), st.integers(1, 16), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(hog.BLOCK_NORMS), st.booleans())
@example((16, 16, "random", [0.5] * 256), 9, 8, 8, 2, 2, "L2-Hys", False)
@example(BIG, 9, 8, 8, 2, 2, "L2-Hys", True)
def test_hog(image, orientations, c_row, c_col, b_row, b_col, norm, transform_sqrt):
    """Any size 1 × 1 … 512 × 512: scikit-image's features, or ValueError (too small, NaN, inf, sqrt of < 0)."""
    w, h, kind, flat = image
    rows = [flat[i * w : (i + 1) * w] for i in range(h)]
    args = dict(orientations=orientations, pixels_per_cell=(c_row, c_col), cells_per_block=(b_row, b_col),
                block_norm=norm, transform_sqrt=transform_sqrt)
    with no_hang():
        try:
            features = hog.hog(rows, **args)
        except ValueError as exc:
            assert str(exc)
            too_small = h < b_row * c_row or w < b_col * c_col
            assert (too_small or not finite(kind) or (transform_sqrt and min(flat) < 0)
                    or too_large(kind, exc)), (kind, w, h, exc)
            return
    assert finite(kind), "NaN or infinity went through unnoticed"
    assert len(features) == hog.feature_length(h, w, orientations, (c_row, c_col), (b_row, b_col))
    assert all(map(math.isfinite, features)), f"{kind} {w}×{h}: non-finite features"
    if norm != "L1":  # L2 and L2-Hys are ≤ 1 by construction, L1-sqrt too; L1 values are ≤ 1 as well
        assert max(features, default=0.0) <= 1.0 + 1e-9
    assert min(features, default=0.0) >= 0.0
    if kind == "random":  # no pixel sits on a bin edge: the maintained library, value for value
        from skimage.feature import hog as skimage_hog

        ref = skimage_hog(np.array(rows), orientations=orientations, pixels_per_cell=(c_row, c_col),
                          cells_per_block=(b_row, b_col), block_norm=norm, transform_sqrt=transform_sqrt)
        np.testing.assert_allclose(features, ref, atol=1e-9)


@FUZZ
@given(st.one_of(st.integers(-2, 2), st.floats(allow_nan=True), st.text(max_size=3), st.none()),
       st.one_of(st.tuples(st.integers(-2, 9), st.integers(-2, 9)), st.lists(st.integers(0, 9), max_size=3),
                 st.floats(allow_nan=True)),
       st.one_of(st.sampled_from(hog.BLOCK_NORMS), st.text(max_size=6)))
def test_hog_bad_settings(orientations, cells, norm):
    rows = [[0.25, 0.5] * 8] * 16
    with no_hang():
        try:
            features = hog.hog(rows, orientations=orientations, pixels_per_cell=cells, block_norm=norm)
        except ValueError as exc:
            assert str(exc)
            return
    assert len(features) == hog.feature_length(16, 16, orientations, cells)


# ------------------------------------------------------------------ convolution


@FUZZ
@given(images(max_side=160), st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**32),
       st.sampled_from(("valid", "same", "full", "")), st.sampled_from(("int", "float", "hostile", "large")))
def test_convolve2d(image, kh, kw, seed, padding, kernel_kind):
    """convolve2d equals the naive double loop (scipy's correlate2d) or raises ValueError; never ±inf from finite input."""
    from scipy.signal import correlate2d

    w, h, kind, flat = image
    rng = random.Random(seed)
    kernel = [[{"int": lambda: rng.randint(-3, 3), "float": lambda: rng.uniform(-2, 2),
                "hostile": lambda: rng.choice(HOSTILE + (1.0,)), "large": lambda: rng.choice((1e200, -1e200, 1.0))}
               [kernel_kind]() for _ in range(kw)] for _ in range(kh)]
    rows = [flat[i * w : (i + 1) * w] for i in range(h)]
    with no_hang():
        try:
            out = convolve.convolve2d(rows, kernel, padding=padding)
        except ValueError as exc:
            assert str(exc)
            assert (padding not in ("valid", "same") or not finite(kind) or kernel_kind == "hostile"
                    or (padding == "valid" and (kh > h or kw > w)) or too_large(kind, exc)), exc
            return
    assert padding in ("valid", "same") and finite(kind) and kernel_kind != "hostile"
    got = np.array(out, float)
    assert np.isfinite(got).all(), f"{kind} image, {kernel_kind} kernel: the output overflowed to infinity"
    if kind in ("random", "bytes", "constant") and kernel_kind in ("int", "float"):
        # scipy's "same" centres an even kernel like torch (extra zeros after): the same convention
        ref = correlate2d(np.array(rows), np.array(kernel, float), mode=padding)
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, atol=1e-9)


@FUZZ
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                              st.text(max_size=2)), lambda inner: st.lists(inner, max_size=4), max_leaves=20))
def test_convolution_widget_input(grid):
    """What a person types into the convolution stepper's grids: any JSON → a correct answer or ValueError."""
    from pyodemo.web import convolution as explore

    with no_hang():
        for image, kernel in ((grid, [[1, 0], [0, 1]]), ([[1, 2, 3]] * 3, grid)):
            try:
                result = explore.convolution(image, kernel)
            except ValueError as exc:
                assert str(exc)
                continue
            assert result["output"] == convolve.convolve2d(image, kernel)


# ------------------------------------------------------------------ SVM model files


def _models() -> list[bytes]:
    """Small valid model files: each kernel, ovo and ovr, float16/32/64, weights and support vectors."""
    rng = random.Random(0)
    X = [[rng.gauss(c, 1.0) for _ in range(5)] for c in (0, 3, 6) for _ in range(8)]
    y = [name for name in ("Mew", "Horsea", "Tauros") for _ in range(8)]
    files = []
    for kernel, multi, dtype, form in (("linear", "ovo", "float32", "auto"), ("rbf", "ovo", "float16", "auto"),
                                       ("poly", "ovr", "float64", "auto"), ("linear", "ovo", "float32",
                                                                             "support_vectors")):
        model = SVC(kernel=kernel, multi_class=multi, C=1.0).fit(X, y)
        model.pipeline = {"input": {"size": 16}, "features": [{"name": "hog", "pixels_per_cell": [8, 8]}]}
        model.threshold = 0.5
        files.append(model.to_bytes(dtype=dtype, form=form))
    return files


MODELS = _models()
JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                              st.text(max_size=5)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=4)), max_leaves=12)


def check_model(data: bytes) -> None:
    """Load, then use: predictions are labels of the model, decision values finite, or ValueError."""
    model = SVC.from_bytes(data)
    x = [[0.5] * model.n_features_in_, [-1.0] * model.n_features_in_]
    labels = model.predict(x)
    assert all(label in model.classes_ for label in labels)
    dec = model.decision_function(x)
    assert np.isfinite(np.array(dec, float)).all()


@FUZZ
@given(st.binary(max_size=512))
@example(modelfile.MAGIC)
@example(b"")
def test_random_bytes_are_not_a_model(data):
    with no_hang(), pytest.raises(ValueError):
        SVC.from_bytes(data)
    with no_hang(), pytest.raises(ValueError):
        classifier.load_model(data)


@FUZZ
@given(st.sampled_from(MODELS), st.data())
def test_truncated_or_damaged_model(data, draw):
    """Cut anywhere, or one byte changed: the checksum catches it, with a plain message."""
    cut = draw.draw(st.integers(0, len(data) - 1))
    with no_hang(), pytest.raises(ValueError, match="truncated|corrupted|magic"):
        SVC.from_bytes(data[:cut])
    where = draw.draw(st.integers(0, len(data) - 1))
    flip = draw.draw(st.integers(1, 255))
    damaged = bytearray(data)
    damaged[where] ^= flip
    with no_hang(), pytest.raises(ValueError):
        SVC.from_bytes(bytes(damaged))


@FUZZ
@given(st.sampled_from(MODELS), st.data())
def test_model_with_a_bad_header_but_a_good_checksum(data, draw):
    """A header field replaced by any JSON value, or an array's shape changed, then a correct checksum:
    the model loads and works, or ValueError — never a TypeError/KeyError/IndexError from deep inside."""
    header, arrays = modelfile.unpack(data)
    specs = header.pop("arrays")
    key = draw.draw(st.sampled_from(sorted(header) + ["arrays", "extra"]))
    if key == "arrays":
        spec = draw.draw(st.sampled_from(specs))
        spec["shape"] = draw.draw(st.lists(st.integers(0, 40), max_size=3))
        spec["dtype"] = draw.draw(st.sampled_from(list(modelfile.DTYPES)))
        size = math.prod(spec["shape"])
        arrays[spec["name"]] = [0.0] * size if spec["dtype"] != "int32" else list(range(size))
    else:
        header[key] = draw.draw(JSON)
    items = [(s["name"], s["dtype"], s["shape"], arrays[s["name"]]) for s in specs]
    with no_hang():
        try:
            repacked = modelfile.pack(header, items)
        except ValueError:
            return
        try:
            check_model(repacked)
        except ValueError as exc:
            assert str(exc)


# ------------------------------------------------------------------ the classifier, as the widget calls it


@pytest.fixture(scope="module")
def token():
    """A HOG + SVM model with the default 64 × 64 pipeline (random data: the answers' shape is what counts)."""
    rng = random.Random(1)
    n = hog.feature_length(64, 64)
    X = [[rng.random() for _ in range(n)] for _ in range(12)]
    y = ["Mew", "Horsea", "Tauros", "Snorlax"] * 3
    model = SVC(kernel="linear").fit(X, y)
    model.pipeline = classify.DEFAULT_PIPELINE
    return classifier.load_model(model.to_bytes())["token"]


@FUZZ
@given(st.integers(1, 512), st.integers(1, 512), st.integers(-5, 5), st.integers(0, 2**32),
       st.one_of(st.none(), st.lists(st.integers(-600, 600), min_size=0, max_size=4)),
       st.one_of(st.integers(-1, 12), st.floats(allow_nan=True), st.none()))
@example(1, 1, 0, 0, None, 3)
@example(512, 512, 0, 0, None, 3)
def test_classify_predict(token, width, height, delta, seed, box, k):
    """Any picture size and RGBA length, any crop box (inside, outside, odd), any k: a top-k or ValueError."""
    rng = random.Random(seed)
    data = rng.randbytes(max(4 * width * height + delta, 0))
    with no_hang():
        try:
            result = classifier.predict(token, data, width, height, k=k, box=box)
        except ValueError as exc:
            assert str(exc)
            bad_box = box is not None and (len(box) != 3 or box[2] < 1)
            assert delta != 0 or bad_box or not (isinstance(k, int) and 1 <= k <= 100), exc
            return
    assert delta == 0
    top = result["top"]
    assert len(top) == min(k, 4) and [t["score"] for t in top] == sorted((t["score"] for t in top), reverse=True)
    assert {t["label"] for t in top} <= {"Mew", "Horsea", "Tauros", "Snorlax"}
    assert all(math.isfinite(t["score"]) and math.isfinite(t["margin"]) for t in top)
    if box is not None:
        assert result["box"] == box
    assert len(result["steps"]["input"]) == 4 * 64 * 64
    json.dumps(rpc._encode(result), allow_nan=False)  # what the worker sends back


# ------------------------------------------------------------------ the doorway: any JSON for any method


CALLS = {  # every method a widget calls, with its parameters (the code runner is tested in test_coderun.py)
    "gradient_explorer.gradient_at": ("up", "left", "right", "down"),
    "gradient_explorer.gradient_image": ("width", "height"),
    "gradient_explorer.gradient_pixel": ("token", "x", "y"),
    "hog_explorer.demo_image": ("size",),
    "hog_explorer.hog_image": ("width", "height"),
    "hog_explorer.hog_view": ("token", "size", "cell", "orientations", "block"),
    "convolution.convolution": ("image", "kernel"),
    "convolution.filter_image": ("width", "height"),
    "convolution.filter_view": ("token", "kernel", "preset"),
    "classifier.predict": ("token", "width", "height", "k", "box"),
    "classifier.forget": ("token",),
}
BLOBS = {"gradient_explorer.gradient_image": "rgba", "hog_explorer.hog_image": "rgba", "convolution.filter_image": "rgba",
         "classifier.predict": "rgba", "classifier.load_model": "model"}
NUMBERS = st.one_of(st.integers(-3, 300), st.floats(allow_nan=True), st.sampled_from(BIG_NUMBERS))
ARG = st.one_of(NUMBERS, st.none(), st.booleans(), st.text(max_size=4),
                st.lists(st.lists(NUMBERS, max_size=4), max_size=4))


@pytest.fixture(scope="module")
def tokens(token):
    """Real tokens, so the fuzzed calls also reach the code behind a valid token."""
    rgba = random.Random(2).randbytes(4 * 20 * 12)
    made = {"classifier": token}
    for area, method in (("gradient_explorer", "gradient_image"), ("hog_explorer", "hog_image"), ("convolution", "filter_image")):
        reply = json.loads(rpc.dispatch(f"{area}.{method}", json.dumps({"width": 20, "height": 12}), {"rgba": rgba}))
        made[method] = reply["result"]["token"]
    return made


@FUZZ
@given(st.sampled_from(sorted(CALLS) + ["classifier.load_model"]), st.data())
def test_rpc_never_answers_with_an_internal_error(tokens, method, draw):
    """Through the worker's doorway, any values for a method's parameters: an answer or a "value" error
    (a message for people); an "internal" error (a traceback) would be a bug."""
    args = {name: draw.draw(ARG) for name in CALLS.get(method, ())}
    if "token" in args and draw.draw(st.booleans()):
        args["token"] = draw.draw(st.sampled_from(sorted(tokens.values())))
    blobs = {}
    if method in BLOBS:
        w, h = args.get("width"), args.get("height")
        n = 4 * w * h if isinstance(w, int) and isinstance(h, int) and 0 < w * h <= 512 * 512 else 0
        size = draw.draw(st.sampled_from([n, max(n - 1, 0), n + 4, 7]))
        blobs[BLOBS[method]] = random.Random(size).randbytes(size)
    with no_hang():
        reply = json.loads(rpc.dispatch(method, json.dumps(args), blobs))
    assert reply["ok"] or reply["kind"] == "value", (method, args, reply.get("error"), reply.get("traceback"))
    if not reply["ok"]:
        assert reply["error"]


# ------------------------------------------------------------------ what the fuzzing found (fixed bugs)
# Inputs that once ended in an "internal" error or in infinities: each is kept as a regression test,
# with the plain message a person now gets (or the correct answer).

FOUND_INTERNAL = [  # (method, args, what the person reads): once a TypeError/OverflowError inside rpc.dispatch
    ("classifier.forget", {"token": []}, None),  # a token of nothing: not loaded, so False
    ("classifier.predict", {"token": [], "width": 1, "height": 1}, "That model is no longer loaded; load it again."),
    ("gradient_explorer.gradient_pixel", {"token": [], "x": 0, "y": 0}, "That image is no longer loaded; pick it again."),
    ("gradient_explorer.gradient_pixel", {"token": "REAL", "x": None, "y": 0}, "x (the pixel's column) must be a whole number"),
    ("gradient_explorer.gradient_pixel", {"token": "REAL", "x": 1e999, "y": 0}, "x (the pixel's column) must be a whole number"),
    ("gradient_explorer.gradient_pixel", {"token": "REAL", "x": 3, "y": 10**400}, "y (the pixel's row) must be between 0 and 11"),
    ("gradient_explorer.gradient_at", {"up": 10**400, "left": 0, "right": 0, "down": 0}, "up must be a number between"),
    ("convolution.filter_view", {"token": "REAL", "preset": []}, "there is no preset kernel called []"),
    ("convolution.convolution", {"image": [[10**400]], "kernel": [[1]]}, "the image's row 1, column 1 is too large"),
]


@pytest.mark.parametrize("method, args, message", FOUND_INTERNAL,
                         ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(FOUND_INTERNAL)])
def test_found_internal_errors(tokens, method, args, message):
    args = dict(args)
    if args.get("token") == "REAL":
        args["token"] = tokens["gradient_image" if method.startswith("gradient_explorer") else "filter_image"]
    blobs = {"rgba": b"\0" * 4} if method == "classifier.predict" else {}
    reply = json.loads(rpc.dispatch(method, json.dumps(args), blobs))
    if message is None:
        assert reply == {"ok": True, "result": False}
    else:
        assert not reply["ok"] and reply["kind"] == "value", reply.get("traceback")
        assert reply["error"].startswith(message), reply["error"]


def skimage_hog(rows: list[list[float]], **settings) -> list[float]:
    from skimage.feature import hog as reference

    return reference(np.array(rows, float), **settings).tolist()


FOUND_OVERFLOWS = {  # finite input near the top of the float range: once ±inf or NaN came out
    # name: (computation, the correct answer, or None for "a ValueError saying the values are too large")
    "Image.resize": (lambda: Image(2, 2, 1, [-1e308] * 4).resize(1, 1).pixels, None),
    "Image.resize at the limit": (lambda: Image(2, 2, 1, [-1e300] * 4).resize(1, 1).pixels, [-1e300]),
    "Image.resize, a big integer": (lambda: Image(1, 1, 1, [10**400]).pixels, None),
    "hog": (lambda: hog.hog([[1e-300], [-1e308], [1e-300], [-1e308], [0.0], [1e308]], orientations=1,
                            pixels_per_cell=(1, 1), cells_per_block=(1, 1), block_norm="L1"), None),
    "hog, single-precision cell sums": (lambda: hog.hog([[0.0, 1e200, 0.0, 0.0]] * 4, pixels_per_cell=(2, 2),
                                                        cells_per_block=(1, 1)), None),
    "hog, large but fine": (lambda: hog.hog([[0.0, 1e30, 0.0, 0.0]] * 4, pixels_per_cell=(2, 2)),
                            lambda: skimage_hog([[0.0, 1e30, 0.0, 0.0]] * 4, pixels_per_cell=(2, 2),
                                                cells_per_block=(2, 2), block_norm="L2-Hys")),
    "convolve2d": (lambda: list(chain(*convolve.convolve2d([[1e308, 1e308]], [[1, 1]]))), None),
    "convolve2d, big integers": (lambda: list(chain(*convolve.convolve2d([[10**400]], [[1]]))), None),
    "convolve2d, large but fine": (lambda: list(chain(*convolve.convolve2d([[1e150, -1e150]], [[1e148, 1e148]]))),
                                   [0.0]),
}


@pytest.mark.parametrize("name", list(FOUND_OVERFLOWS))
def test_found_overflows(name):
    compute, expected = FOUND_OVERFLOWS[name]
    if expected is None:
        with pytest.raises(ValueError, match="too large"):
            compute()
    else:
        out = compute()
        expected = expected() if callable(expected) else expected
        assert all(map(math.isfinite, out)) and out == pytest.approx(list(expected), rel=1e-12), out
