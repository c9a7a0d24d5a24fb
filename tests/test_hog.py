"""Unit tests for pyodemo.hog: the slide's example, conventions, shapes and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.feature import hog as sk_hog

from pyodemo import hog as pyo
from pyodemo.image import Image


def test_slide_worked_example():
    g = pyo.gradient_at(up=50, left=20, right=100, down=110)
    assert (g.gx, g.gy) == (80, 60)
    assert g.magnitude == 100.0
    assert g.angle == pytest.approx(math.degrees(math.atan(0.75)))
    assert round(g.angle, 2) == 36.87


def test_gradients_of_the_slide_patch_match_gradient_at():
    patch = [[0, 50, 0], [20, 0, 100], [0, 110, 0]]
    centre = pyo.gradients(patch).at(1, 1)
    assert centre == pyo.gradient_at(up=50, left=20, right=100, down=110)


@pytest.mark.parametrize(
    "rows, gx, gy, angle",
    [
        ([[0, 0, 0], [0, 0, 1], [0, 0, 0]], 1.0, 0.0, 0.0),  # brighter to the right
        ([[0, 0, 0], [1, 0, 0], [0, 0, 0]], -1.0, 0.0, 0.0),  # brighter to the left: same unsigned angle
        ([[0, 0, 0], [0, 0, 0], [0, 1, 0]], 0.0, 1.0, 90.0),  # brighter below (y grows downwards)
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], 0.0, -1.0, 90.0),  # brighter above
        ([[0, 0, 0], [0, 0, 1], [0, 1, 0]], 1.0, 1.0, 45.0),  # down-right
        ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], -1.0, 1.0, 135.0),  # down-left
    ],
)
def test_gradient_sign_and_angle_conventions(rows, gx, gy, angle):
    g = pyo.gradients(rows).at(1, 1)
    assert (g.gx, g.gy) == (gx, gy)
    assert g.angle == pytest.approx(angle)
    assert 0.0 <= g.angle < 180.0


def test_gradients_are_zero_on_the_border():
    rng = np.random.default_rng(3)
    image = rng.random((5, 7))
    g = pyo.gradients(image.tolist())
    gx = np.reshape(g.gx, (5, 7))
    gy = np.reshape(g.gy, (5, 7))
    assert not gx[:, [0, -1]].any() and not gy[[0, -1], :].any()
    assert gx[1:-1, 1:-1].all() and gy[1:-1, 1:-1].all()


def test_gradients_at_outside_the_image():
    with pytest.raises(ValueError, match="outside"):
        pyo.gradients([[0, 1], [1, 0]]).at(2, 0)


def test_rgb_gradients_take_the_strongest_channel():
    # red changes by 0.2 along x, green by 0.5 along y, blue not at all: green wins
    w = h = 3
    pixels = []
    for y in range(h):
        for x in range(w):
            pixels += [0.1 * x, 0.25 * y, 0.5]
    g = pyo.gradients(Image(w, h, 3, pixels)).at(1, 1)
    assert g.gx == 0.0 and g.gy == pytest.approx(0.5) and g.angle == pytest.approx(90.0)


def test_cell_histograms_put_each_vote_in_one_bin():
    # a vertical dark-to-light edge: at columns 2 and 3 of each row gx = 1, angle 0°
    rows = [[0, 0, 0, 1, 1, 1, 1, 1]] * 8
    hist = pyo.cell_histograms(rows, orientations=9, pixels_per_cell=(8, 8))
    assert len(hist) == 1 and len(hist[0]) == 1 and len(hist[0][0]) == 9
    # 8 rows × 2 pixels with magnitude 1, divided by the 64 pixels of the cell
    assert hist[0][0] == [16 / 64] + [0.0] * 8


def test_cell_histograms_shape_ignores_partial_cells():
    rows = np.random.default_rng(0).random((21, 30)).tolist()
    hist = pyo.cell_histograms(rows, orientations=6, pixels_per_cell=(8, 7))
    assert (len(hist), len(hist[0]), len(hist[0][0])) == (2, 4, 6)


def test_a_cell_histogram_is_the_mean_magnitude_per_bin():
    # "64 vectors into 9 bins": the 9 bins of a cell add up to its mean gradient magnitude
    rng = np.random.default_rng(7)
    rows = rng.random((16, 16)).tolist()
    g = pyo.gradients(rows)
    mags = np.reshape(g.magnitude, (16, 16))
    hist = pyo.cell_histograms(rows)
    for r in range(2):
        for c in range(2):
            cell = mags[8 * r : 8 * r + 8, 8 * c : 8 * c + 8]
            assert sum(hist[r][c]) == pytest.approx(cell.mean(), rel=1e-6)


@pytest.mark.parametrize(
    "size, ppc, cpb, orientations",
    [((64, 64), (8, 8), (2, 2), 9), ((45, 70), (6, 5), (3, 2), 8), ((20, 9), (4, 4), (1, 1), 12)],
)
def test_feature_length_matches_hog(size, ppc, cpb, orientations):
    rows = np.random.default_rng(1).random(size).tolist()
    features = pyo.hog(rows, orientations, ppc, cpb)
    assert len(features) == pyo.feature_length(*size, orientations, ppc, cpb)
    assert len(features) == len(sk_hog(np.array(rows), orientations, ppc, cpb))


def test_feature_length_of_the_talk():
    assert pyo.feature_length(64, 64) == 7 * 7 * 2 * 2 * 9


def test_hog_of_a_flat_image_is_zero():
    assert pyo.hog([[0.3] * 16] * 16) == [0.0] * 36


@pytest.mark.parametrize("block_norm", pyo.BLOCK_NORMS)
def test_blocks_are_normalised_cell_histograms(block_norm):
    """hog() = overlapping 2 × 2-cell blocks of cell_histograms(), each normalised (numpy formulas)."""
    rows = np.random.default_rng(2).random((32, 40)).tolist()
    cells = np.array(pyo.cell_histograms(rows))  # 4 × 5 cells × 9 bins
    eps = 1e-5
    expected = []
    for r in range(3):
        for c in range(4):
            v = cells[r : r + 2, c : c + 2].ravel()
            if block_norm == "L1":
                v = v / (np.abs(v).sum() + eps)
            elif block_norm == "L1-sqrt":
                v = np.sqrt(v / (np.abs(v).sum() + eps))
            elif block_norm == "L2":
                v = v / np.sqrt((v**2).sum() + eps**2)
            else:
                v = np.minimum(v / np.sqrt((v**2).sum() + eps**2), 0.2)
                v = v / np.sqrt((v**2).sum() + eps**2)
            expected.append(v)
    got = np.array(pyo.hog(rows, block_norm=block_norm))
    np.testing.assert_allclose(got, np.concatenate(expected), rtol=0, atol=1e-12)
    blocks = got.reshape(-1, 36)
    if block_norm == "L1":
        assert np.allclose(blocks.sum(axis=1), 1.0, atol=1e-4)
    else:
        assert np.allclose(np.linalg.norm(blocks, axis=1), 1.0, atol=1e-4)


def test_image_and_rows_give_the_same_features():
    rows = np.random.default_rng(4).random((24, 24)).tolist()
    assert pyo.hog(Image.from_gray_rows(rows)) == pyo.hog(rows)


def test_gray_rgb_image_equals_its_gray_version():
    # R = G = B: every channel has the same gradient, so colour HOG equals gray HOG
    rows = np.random.default_rng(5).random((16, 24)).tolist()
    flat = [v for row in rows for v in row]
    rgb = Image(24, 16, 3, [v for v in flat for _ in range(3)])
    assert pyo.hog(rgb) == pyo.hog(rows)


# ---------------------------------------------------------------- edge cases and errors


@pytest.mark.parametrize("shape", [(1, 1), (7, 30), (30, 15), (15, 15)])
def test_too_small_images_raise_like_scikit_image(shape):
    """Smaller than one block (2 × 2 cells of 8 px): scikit-image raises ValueError; so do we."""
    image = np.zeros(shape)
    with pytest.raises(ValueError):
        sk_hog(image, 9, (8, 8), (2, 2))
    with pytest.raises(ValueError, match="too small.*at least 16 rows and 16 columns"):
        pyo.hog(image.tolist())
    with pytest.raises(ValueError, match="too small"):
        pyo.feature_length(*shape)


def test_image_smaller_than_a_cell_has_no_cell_histograms():
    assert pyo.cell_histograms([[0.5] * 5] * 5) == []


def test_single_pixel_has_zero_gradient():
    g = pyo.gradients([[0.7]])
    assert (g.gx, g.gy, g.magnitude, g.angle) == ([0.0], [0.0], [0.0], [0.0])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_pixels_raise(bad):
    rows = [[0.0] * 16 for _ in range(16)]
    rows[3][4] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        pyo.hog(rows)
    with pytest.raises(ValueError, match="NaN or infinity"):
        pyo.gradients(rows)


def test_nan_smuggled_into_an_image_raises():
    img = Image.from_gray_rows([[0.0] * 16] * 16)
    img.pixels[5] = math.nan  # pixels is a plain list: hog checks again
    with pytest.raises(ValueError, match="NaN"):
        pyo.hog(img)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([], "empty"),
        ([[]], "empty"),
        ([[0.0, 1.0], [0.0]], "same length"),
        ("not an image", "sequence of rows"),
        ([[0.0, "x"]], "numbers"),
    ],
)
def test_bad_rows_raise(rows, message):
    with pytest.raises(ValueError, match=message):
        pyo.hog(rows)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"block_norm": "L3"}, "block_norm must be one of"),
        ({"orientations": 0}, "orientations"),
        ({"orientations": 2.5}, "orientations"),
        ({"pixels_per_cell": (0, 8)}, "pixels_per_cell"),
        ({"pixels_per_cell": 8}, "pixels_per_cell"),
        ({"cells_per_block": (2, -1)}, "cells_per_block"),
    ],
)
def test_bad_parameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pyo.hog([[0.0] * 16] * 16, **kwargs)


def test_transform_sqrt_rejects_negative_pixels():
    """scikit-image would return NaN features (with a warning); pyodemo says why instead."""
    rows = [[0.0] * 16 for _ in range(16)]
    rows[0][0] = -0.1
    with pytest.raises(ValueError, match="≥ 0"):
        pyo.hog(rows, transform_sqrt=True)
    assert len(pyo.hog(rows)) == 36  # without the square root, negative values are fine
