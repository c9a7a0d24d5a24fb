"""pyodemo.convolve: the slide's example, parity with scipy and torch, ReLU, presets, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import correlate2d

from pyodemo.convolve import PRESETS, apply_to_image, convolve2d, relu
from pyodemo.web.convolution import SLIDE_IMAGE, SLIDE_KERNEL  # the CNN slide's 5 × 5 example
from pyodemo.image import Image


def test_slide_example():
    out = convolve2d(SLIDE_IMAGE, SLIDE_KERNEL)
    assert out[0][0] == 4
    assert out == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert all(isinstance(v, int) for row in out for v in row)  # integers stay integers


def test_slide_example_same_padding():
    expected = correlate2d(np.array(SLIDE_IMAGE), np.array(SLIDE_KERNEL), mode="same")
    assert convolve2d(SLIDE_IMAGE, SLIDE_KERNEL, padding="same") == expected.tolist()


def test_it_is_cross_correlation_not_flipped():
    kernel = [[0, 0, 0], [0, 0, 1], [0, 0, 0]]  # picks the right neighbour
    assert convolve2d([[1, 2, 3, 4]] * 3, kernel) == [[3, 4]]


@pytest.mark.parametrize("seed", range(30))
def test_equals_scipy_correlate2d(seed, parity_report):
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(1, 20, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 6, size=2))  # odd and even kernel sizes
    image = rng.normal(size=(h, w))
    kernel = rng.normal(size=(kh, kw))
    if seed % 5 == 0:
        kernel = np.round(kernel)  # repeated weights, zeros, ±1 (the grouped code paths)
    worst = 0.0
    for mode in ("valid", "same"):
        if mode == "valid" and (kh > h or kw > w):
            with pytest.raises(ValueError, match="larger than the image"):
                convolve2d(image.tolist(), kernel.tolist(), mode)
            continue
        expected = correlate2d(image, kernel, mode=mode)  # zero padding (boundary="fill")
        got = np.array(convolve2d(image.tolist(), kernel.tolist(), mode))
        assert got.shape == expected.shape
        if got.size:
            worst = max(worst, float(np.max(np.abs(got - expected))))
    parity_report["convolve2d vs scipy correlate2d"] = max(
        parity_report.get("convolve2d vs scipy correlate2d", 0.0), worst
    )
    assert worst <= 1e-12


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("kernel_shape", [(3, 3), (4, 2)])
def test_equals_torch_conv2d(kernel_shape, parity_report):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    image = rng.normal(size=(9, 12))
    kernel = rng.normal(size=kernel_shape)
    x = torch.tensor(image).reshape(1, 1, 9, 12)
    k = torch.tensor(kernel).reshape(1, 1, *kernel_shape)
    worst = 0.0
    for padding in ("valid", "same"):
        expected = torch.nn.functional.conv2d(x, k, padding=padding)[0, 0].numpy()
        got = np.array(convolve2d(image.tolist(), kernel.tolist(), padding))
        assert got.shape == expected.shape
        worst = max(worst, float(np.max(np.abs(got - expected))))
    parity_report["convolve2d vs torch conv2d"] = max(parity_report.get("convolve2d vs torch conv2d", 0.0), worst)
    assert worst <= 1e-12


def test_zero_kernel_gives_zeros():
    assert convolve2d([[1.5, 2.0], [3.0, 4.0]], [[0, 0], [0, 0]]) == [[0.0]]
    assert convolve2d([[1, 2], [3, 4]], [[0]]) == [[0, 0], [0, 0]]


@pytest.mark.parametrize(
    "image, kernel, padding, message",
    [
        ([[1, 2]], [[1, 1, 1]], "valid", "larger than the image"),
        ([[1, 2]], [[1]], "full", "padding must be"),
        ([], [[1]], "valid", "empty"),
        ([[1, 2]], [], "valid", "kernel is empty"),
        ([[1, 2], [3]], [[1]], "valid", "same length"),
        ([[1, math.nan]], [[1]], "valid", "NaN"),
        ([[1, 2]], [[math.inf]], "same", "NaN or infinity"),
        ([[1, "2"]], [[1]], "valid", "numbers"),
        ([[True, False]], [[1]], "valid", "numbers"),
        ("12", [[1]], "valid", "rows of numbers"),
    ],
)
def test_errors(image, kernel, padding, message):
    with pytest.raises(ValueError, match=message):
        convolve2d(image, kernel, padding)


# ---------------------------------------------------------------- ReLU


def test_relu_numbers_and_rows():
    assert relu(-2) == 0 and relu(3) == 3 and relu(-0.5) == 0.0 and relu(0.25) == 0.25
    out = relu([[4, -3], [-2.5, 1.5]])
    assert out == [[4, 0], [0.0, 1.5]]
    assert relu(convolve2d(SLIDE_IMAGE, [[-1, 0, 1]] * 3)) == [
        [max(0, v) for v in row] for row in convolve2d(SLIDE_IMAGE, [[-1, 0, 1]] * 3)
    ]


@pytest.mark.parametrize("bad", [math.nan, "x", True, None])
def test_relu_errors(bad):
    with pytest.raises(ValueError):
        relu(bad)


# ---------------------------------------------------------------- images and presets


def test_presets_are_3x3_and_named_as_the_widget_needs():
    for name in ("identity", "slide", "edges", "sobel_x", "sobel_y", "box_blur", "gaussian_blur", "sharpen"):
        kernel = PRESETS[name]
        assert len(kernel) == 3 and all(len(row) == 3 for row in kernel)
    assert sum(map(sum, PRESETS["box_blur"])) == pytest.approx(1.0)
    assert sum(map(sum, PRESETS["gaussian_blur"])) == pytest.approx(1.0)
    assert sum(map(sum, PRESETS["sharpen"])) == 1 and sum(map(sum, PRESETS["edges"])) == 0


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_apply_to_image_equals_scipy_per_channel(name):
    rng = np.random.default_rng(3)
    rgb = rng.random((11, 14, 3))
    img = Image(14, 11, 3, rgb.ravel().tolist())
    out = apply_to_image(img, PRESETS[name])
    got = np.reshape(out.pixels, (11, 14, 3))
    for c in range(3):
        expected = correlate2d(rgb[:, :, c], np.array(PRESETS[name], dtype=float), mode="same")
        np.testing.assert_allclose(got[:, :, c], expected, rtol=0, atol=1e-12)
    with_relu = np.reshape(apply_to_image(img, PRESETS[name], relu=True).pixels, (11, 14, 3))
    np.testing.assert_array_equal(with_relu, np.maximum(got, 0.0))


def test_apply_to_image_identity_and_alpha():
    rgba = np.random.default_rng(4).integers(0, 256, size=(4, 5, 4), dtype=np.uint8)
    img = Image.from_rgba(rgba.tobytes(), 5, 4)
    out = apply_to_image(img, PRESETS["identity"])
    assert out.pixels == img.pixels and out.alpha == img.alpha and out.size == img.size


def test_sobel_x_agrees_with_hog_gradients_in_sign():
    from pyodemo.hog import gradients

    rows = np.random.default_rng(5).random((8, 8))
    # on an image that varies only along x, Sobel x = 4 × the central difference
    ramp = np.tile(rows[0], (8, 1))
    sobel = np.reshape(apply_to_image(Image.from_gray_rows(ramp.tolist()), PRESETS["sobel_x"]).pixels, (8, 8))
    gx = np.reshape(gradients(ramp.tolist()).gx, (8, 8))
    np.testing.assert_allclose(sobel[1:-1, 1:-1], 4 * gx[1:-1, 1:-1], atol=1e-12)


def test_apply_to_image_errors():
    img = Image.from_gray_rows([[0.0, 1.0]])
    with pytest.raises(ValueError, match="pyodemo.image.Image"):
        apply_to_image([[0.0, 1.0]], PRESETS["identity"])
    with pytest.raises(ValueError, match="kernel"):
        apply_to_image(img, [[1, 2], [3]])
    with pytest.raises(ValueError, match="overflowed"):
        apply_to_image(Image.from_gray_rows([[1.0, 1.0]]), [[1e308, 1e308]])
