"""The SVM model file: round trips, sizes, and a plain ValueError for every bad input."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.svm import SVC as SkSVC

from export.sklearn_bridge import to_pyodemo
from pyodemo import modelfile
from pyodemo.svm import SVC

PIPELINE = {
    "input": {"width": 64, "height": 64, "background": [255, 255, 255]},
    "features": [{"name": "hog", "orientations": 9, "pixels_per_cell": [8, 8], "cells_per_block": [2, 2],
                  "block_norm": "L2-Hys"}],
    "notes": "anything JSON: nested {\"a\": [1, 2.5, null, true]}",
}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(120, centers=4, cluster_std=2.0, random_state=0, n_features=3)
    return X, np.array(["Horsea", "Mankey", "Mew", "Scyther"])[y]


@pytest.fixture(scope="module")
def small_file(blobs) -> bytes:
    X, y = blobs
    model = SVC(kernel="rbf", C=2.0).fit(X[:40].tolist(), y[:40].tolist())
    model.pipeline = PIPELINE
    model.threshold = 0.25
    return model.to_bytes()


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / (1 + np.abs(b))))


def recrc(body: bytes) -> bytes:
    """Replace the checksum so a deliberately edited file passes the CRC check."""
    body = body[:-4]
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def repack(data: bytes, edit_header=None, edit_arrays=None) -> bytes:
    header, arrays = modelfile.unpack(data)
    specs = {a["name"]: a for a in header.pop("arrays")}
    if edit_header:
        edit_header(header)
    items = [(n, specs[n]["dtype"], specs[n]["shape"], arrays[n]) for n in specs]
    if edit_arrays:
        items = edit_arrays(items)
    return modelfile.pack(header, items)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
def test_round_trip_float64_is_exact_and_float32_float16_are_close(kernel, blobs):
    X, y = blobs
    model = SVC(kernel=kernel, C=1.0, coef0=0.5 if kernel != "linear" else 0.0).fit(X.tolist(), y.tolist())
    model.decision_function_shape = "ovo"  # pairwise values: no votes that flip on near-ties
    Xl = X.tolist()
    ref = model.decision_function(Xl)
    m64 = SVC.from_bytes(model.to_bytes(dtype="float64", form="support_vectors"))
    assert m64.decision_function(Xl) == ref
    assert m64.predict(Xl) == model.predict(Xl)
    assert m64.support_vectors_ == model.support_vectors_ and m64.dual_coef_ == model.dual_coef_
    assert m64.classes_ == model.classes_ and m64.n_support_ == model.n_support_ and m64.support_ == model.support_
    assert m64.intercept_ == model.intercept_ and m64._gamma == model._gamma
    for dtype, tol in (("float32", 1e-5), ("float16", 5e-2)):
        m = SVC.from_bytes(model.to_bytes(dtype=dtype))
        assert rel(m.decision_function(Xl), ref) <= tol, dtype
        assert m.kernel == kernel and m.gamma == "scale" and m.C == 1.0


def test_header_keeps_pipeline_threshold_and_labels(small_file, tmp_path):
    m = SVC.from_bytes(small_file)
    assert m.pipeline == PIPELINE
    assert m.threshold == 0.25
    assert m.classes_ == ["Horsea", "Mankey", "Mew", "Scyther"]
    path = tmp_path / "model.svm"
    m.save(path)
    again = SVC.load(path)
    assert again.pipeline == PIPELINE and again.threshold == 0.25
    assert path.read_bytes() == small_file  # deterministic bytes
    default = SVC(kernel="linear").fit([[0.0], [1.0]], [0, 1])
    loaded = SVC.from_bytes(default.to_bytes())
    assert loaded.threshold is None and loaded.pipeline is None and loaded.classes_ == [0, 1]


def test_linear_models_store_weights_when_smaller(blobs):
    X, y = blobs
    model = SVC(kernel="linear", C=1.0).fit(X.tolist(), y.tolist())
    n_sv = len(model.support_)
    assert len(model.intercept_) < n_sv  # 6 pairs, many SVs: weights are smaller
    as_w = model.to_bytes()
    as_sv = model.to_bytes(form="support_vectors")
    assert len(as_w) < len(as_sv)
    loaded = SVC.from_bytes(as_w)
    assert loaded.support_vectors_ is None and loaded.dual_coef_ is None
    assert loaded.n_support_ == model.n_support_ and loaded.support_ == model.support_
    assert loaded.predict(X.tolist()) == model.predict(X.tolist())
    assert rel(loaded.decision_function(X.tolist()), model.decision_function(X.tolist())) < 1e-5
    assert rel(loaded.coef_, model.coef_) < 1e-6
    with pytest.raises(ValueError, match="support vectors"):
        loaded.to_bytes(form="support_vectors")
    with pytest.raises(ValueError, match="linear"):
        SVC(kernel="rbf").fit(X.tolist(), y.tolist()).to_bytes(form="weights")


def test_one_vs_rest_model_round_trip(blobs):
    X, y = blobs
    model = SVC(kernel="rbf", multi_class="ovr").fit(X.tolist(), y.tolist())
    loaded = SVC.from_bytes(model.to_bytes(dtype="float64"))
    assert loaded.multi_class == "ovr"
    assert loaded.decision_function(X.tolist()) == model.decision_function(X.tolist())
    assert loaded.predict(X.tolist()) == model.predict(X.tolist())


def test_ten_class_sprite_models_fit_the_size_budget(hog_sprites):
    X, y = hog_sprites
    train = np.arange(len(X)) % 3 != 0
    lines = []
    for kernel, params in (("linear", {"C": 0.1}), ("rbf", {"C": 10.0}), ("poly", {"degree": 2})):
        model = to_pyodemo(SkSVC(kernel=kernel, **params).fit(X[train], y[train]), pipeline=PIPELINE)
        sizes = {dt: len(model.to_bytes(dtype=dt)) for dt in ("float32", "float16")}
        assert sizes["float32"] <= 2_000_000
        assert sizes["float16"] < 0.6 * sizes["float32"]
        lines.append(f"{kernel}: {len(model.support_)} SVs -> float32 {sizes['float32'] / 1e6:.2f} MB, "
                     f"float16 {sizes['float16'] / 1e6:.2f} MB")
    print("\n[svm model file] 10-class sprite HOG models (1,764 features):\n  " + "\n  ".join(lines))


# --------------------------------------------------------------------------- bad input
def test_every_truncation_of_a_real_file_is_a_value_error(small_file):
    for n in range(len(small_file)):
        with pytest.raises(ValueError):
            SVC.from_bytes(small_file[:n])


def test_every_flipped_byte_is_a_value_error(small_file):
    for pos in range(0, len(small_file), 7):
        bad = bytearray(small_file)
        bad[pos] ^= 0x5A
        with pytest.raises(ValueError):
            SVC.from_bytes(bytes(bad))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_a_value_error(data):
    with pytest.raises(ValueError):
        SVC.from_bytes(data)
    with pytest.raises(ValueError):
        SVC.from_bytes(modelfile.MAGIC + data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pos=st.integers(min_value=12), value=st.integers(min_value=0, max_value=255))
def test_edited_files_with_a_valid_checksum_load_or_raise_value_error(small_file, pos, value):
    """Bytes changed inside the header or the arrays, checksum recomputed: never another exception."""
    data = bytearray(small_file)
    pos = 12 + pos % (len(data) - 16)
    data[pos] = value
    try:
        SVC.from_bytes(recrc(bytes(data)))
    except ValueError:
        pass


def test_wrong_magic_version_and_format_are_explained(small_file):
    with pytest.raises(ValueError, match="magic"):
        SVC.from_bytes(b"GIF89a" + small_file[6:])
    with pytest.raises(ValueError, match="version 2"):
        SVC.from_bytes(repack(small_file, lambda h: h.update(version=2)))
    with pytest.raises(ValueError, match="format"):
        SVC.from_bytes(repack(small_file, lambda h: h.update(format="something.else")))
    with pytest.raises(ValueError, match="expected bytes"):
        SVC.from_bytes("not bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "edit",
    [
        lambda h: h.update(kernel="precomputed"),
        lambda h: h.update(degree=0),
        lambda h: h.update(gamma=-1.0),
        lambda h: h.update(C=0),
        lambda h: h.update(classes=["a", "a", "b", "c"]),
        lambda h: h.update(classes=["a"]),
        lambda h: h.update(n_support=[1, 2]),
        lambda h: h.update(n_support=[1, 1, 1, 1]),
        lambda h: h.update(n_features=7),
        lambda h: h.update(form="weights"),
        lambda h: h.update(threshold="high"),
        lambda h: h.update(pipeline=[1, 2]),
        lambda h: h.update(multi_class="ovr"),
        lambda h: h.pop("classes"),
        lambda h: h.update(class_weight=[[1]]),
    ],
)
def test_inconsistent_headers_are_a_value_error(small_file, edit):
    with pytest.raises(ValueError):
        SVC.from_bytes(repack(small_file, edit))


def test_inconsistent_shapes_and_non_finite_numbers_are_a_value_error(small_file):
    def shrink_sv(items):
        return [(n, d, [s[0] - 1, s[1]] if n == "support_vectors" else s,
                 v[: len(v) - s[1]] if n == "support_vectors" else v) for n, d, s, v in items]

    with pytest.raises(ValueError, match="shape"):
        SVC.from_bytes(repack(small_file, edit_arrays=shrink_sv))

    # a NaN in the support vectors (pack refuses NaN, so patch the bytes and the checksum)
    header, arrays = modelfile.unpack(small_file)
    specs = header["arrays"]
    offset = 12 + struct.unpack("<I", small_file[8:12])[0]
    for spec in specs:
        if spec["name"] == "support_vectors":
            break
        offset += int(np.prod(spec["shape"])) * modelfile.DTYPES[spec["dtype"]]
    bad = bytearray(small_file)
    bad[offset : offset + 4] = struct.pack("<f", float("nan"))
    with pytest.raises(ValueError, match="NaN or infinity"):
        SVC.from_bytes(recrc(bytes(bad)))
    # infinity and NaN in the JSON header
    n = struct.unpack("<I", small_file[8:12])[0]
    head = small_file[12 : 12 + n]
    assert b'"threshold":0.25' in head
    for literal in (b"1e999", b"NaN", b"-Infinity"):
        edited = head.replace(b'"threshold":0.25', b'"threshold":' + literal)
        hacked = small_file[:8] + struct.pack("<I", len(edited)) + edited + small_file[12 + n :]
        with pytest.raises(ValueError, match="threshold|finite"):
            SVC.from_bytes(recrc(hacked))
    # a header that is not JSON at all
    with pytest.raises(ValueError, match="JSON"):
        SVC.from_bytes(recrc(small_file[:12] + b"{" * (len(small_file) - 16) + b"\0\0\0\0"))


def test_writing_refuses_what_cannot_be_stored(blobs):
    X, y = blobs
    model = SVC(kernel="rbf").fit(X.tolist(), y.tolist())
    model.pipeline = {"f": object()}
    with pytest.raises(ValueError, match="JSON"):
        model.to_bytes()
    model.pipeline = None
    model.threshold = float("nan")
    with pytest.raises(ValueError, match="threshold"):
        model.to_bytes()
    model.threshold = None
    with pytest.raises(ValueError, match="dtype"):
        model.to_bytes(dtype="int8")
    big = SVC(kernel="linear", C=1.0).fit([[0.0, 0.0], [1e6, 1e6]], [0, 1])
    with pytest.raises(ValueError, match="float16"):
        big.to_bytes(dtype="float16", form="support_vectors")
    with pytest.raises(ValueError, match="not fitted"):
        SVC().to_bytes()


def test_header_is_small_readable_json(small_file):
    n = struct.unpack("<I", small_file[8:12])[0]
    header = json.loads(small_file[12 : 12 + n])
    assert header["format"] == "pyodemo.svm" and header["version"] == 1
    assert header["kernel"] == "rbf" and header["dtype"] == "float32"
    assert [a["name"] for a in header["arrays"]] == ["rho", "support", "dual_coef", "support_vectors"]
