"""pyodemo.web.hog_explorer and pyodemo.web.convolution (the two widgets' Python sides) against pyodemo.hog,
pyodemo.convolve and scikit-image, and its answers to bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from skimage.feature import hog as sk_hog

from pyodemo import convolve, hog
from pyodemo.web import convolution, hog_explorer, rpc
from pyodemo.image import Image

SAMPLES = Path(__file__).resolve().parents[1] / "slides" / "models" / "samples"


def rgba_of(pil: PILImage.Image) -> tuple[bytes, int, int]:
    pil = pil.convert("RGBA")
    return pil.tobytes(), *pil.size


@pytest.fixture(scope="module")
def photo() -> tuple[bytes, int, int]:
    """A sample sprite if the build has one, else a seeded noisy picture (the test runs either way)."""
    index = SAMPLES / "index.json"
    if index.is_file():
        first = json.loads(index.read_text())["samples"][0]
        return rgba_of(PILImage.open(SAMPLES / first["file"]))
    rng = np.random.default_rng(5)
    pixels = (rng.random((50, 70, 4)) * 255).astype(np.uint8)
    pixels[..., 3] = 255
    return rgba_of(PILImage.fromarray(pixels, "RGBA"))


def expected_gray(rgba: bytes, width: int, height: int, size: int) -> Image:
    """What the explorer should look at, built from the public pieces of pyodemo.image."""
    gray = Image.from_rgba(rgba, width, height).to_gray()
    return Image(gray.width, gray.height, 1, gray.pixels).pad_to_square(1.0).resize(size, size)


# ------------------------------------------------------------------------ HOG explorer


@pytest.mark.parametrize(
    "size, cell, orientations, block",
    [(64, 8, 9, 2), (48, 6, 12, 3), (64, 12, 4, 1), (96, 16, 18, 2), (32, 4, 9, 3)],
)
def test_hog_view_equals_pyodemo_hog(photo, size, cell, orientations, block):
    rgba, width, height = photo
    token = hog_explorer.hog_image(rgba, width, height)["token"]
    view = hog_explorer.hog_view(token, size=size, cell=cell, orientations=orientations, block=block)
    image = expected_gray(rgba, width, height, size)

    assert view["histograms"] == hog.cell_histograms(image, orientations, (cell, cell))
    assert view["feature_length"] == hog.feature_length(size, size, orientations, (cell, cell), (block, block))
    assert view["hog_length"] == len(hog.hog(image, orientations, (cell, cell), (block, block)))
    cells = size // cell
    assert (view["cells_down"], view["cells_across"]) == (cells, cells)
    assert view["ignored_pixels"] == size - cells * cell
    assert view["blocks_down"] * view["blocks_across"] * block * block * orientations == view["feature_length"]
    assert view["peak"] == max(v for row in view["histograms"] for c in row for v in c)
    assert view["gray_rgba"] == image.to_rgba_bytes()
    sums = [[sum(bins) for bins in row] for row in view["histograms"]]
    r, c = view["strongest"]
    assert sums[r][c] == max(map(max, sums))
    # bin centres: the middle of each bin of 180/n degrees, so the glyphs and the bar chart line up
    assert view["bin_centres"] == pytest.approx([(i + 0.5) * 180 / orientations for i in range(orientations)])
    assert view["problem"] is None


def test_feature_length_of_the_model_setting_matches_scikit_image(photo):
    rgba, width, height = photo
    token = hog_explorer.hog_image(rgba, width, height)["token"]
    view = hog_explorer.hog_view(token)  # the defaults: 64 × 64, 8 × 8 cells, 9 bins, 2 × 2 blocks
    image = np.array(expected_gray(rgba, width, height, 64).to_rows())
    reference = sk_hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2-Hys")
    assert view["feature_length"] == view["hog_length"] == reference.size


def test_the_demo_image_votes_in_every_bin():
    demo = hog_explorer.demo_image()
    assert (demo["width"], demo["height"]) == (64, 64)
    assert demo == hog_explorer.demo_image()  # the same picture every time
    view = hog_explorer.hog_view(hog_explorer.hog_image(demo["rgba"], 64, 64)["token"])
    totals = [sum(cell[b] for row in view["histograms"] for cell in row) for b in range(9)]
    assert all(t > 0 for t in totals), totals


def test_too_small_for_a_block_says_so_and_still_gives_the_cells():
    demo = hog_explorer.demo_image(32)
    token = hog_explorer.hog_image(demo["rgba"], 32, 32)["token"]
    view = hog_explorer.hog_view(token, size=32, cell=16, block=3)
    assert view["feature_length"] is None and view["hog_length"] is None
    assert "too small" in view["problem"] and "48" in view["problem"]
    assert view["histograms"] == hog.cell_histograms(expected_gray(demo["rgba"], 32, 32, 32), 9, (16, 16))


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"size": 16, "cell": 32}, "smaller than one cell"),
        ({"cell": 0}, "cell size must be between"),
        ({"orientations": "9"}, "orientations must be a whole number"),
        ({"orientations": 2.5}, "orientations must be a whole number"),
        ({"block": True}, "block size must be a whole number"),
        ({"size": 1000}, "image size must be between"),
    ],
)
def test_bad_hog_settings_raise_plain_messages(settings, words):
    demo = hog_explorer.demo_image(16)
    token = hog_explorer.hog_image(demo["rgba"], 16, 16)["token"]
    with pytest.raises(ValueError, match=words):
        hog_explorer.hog_view(token, **{"size": 16, **settings})


def test_bad_images_and_tokens():
    with pytest.raises(ValueError, match="no longer loaded"):
        hog_explorer.hog_view(token=10**9)
    with pytest.raises(ValueError, match="must have 16 bytes"):
        hog_explorer.hog_image(b"\0" * 15, 2, 2)
    with pytest.raises(ValueError, match="width must be between"):
        hog_explorer.hog_image(b"\0" * 4 * 1000, 1000, 1)


def test_through_the_worker_doorway():
    demo = hog_explorer.demo_image(16)
    token = json.loads(rpc.dispatch("hog_explorer.hog_image", json.dumps({"width": 16, "height": 16}),
                                    {"rgba": demo["rgba"]}))["result"]["token"]
    reply = json.loads(rpc.dispatch("hog_explorer.hog_view", json.dumps({"token": token, "size": 16, "cell": 4})))
    assert reply["ok"] and reply["result"]["feature_length"] == hog.feature_length(16, 16, 9, (4, 4))
    bad = json.loads(rpc.dispatch("hog_explorer.hog_view", json.dumps({"token": token, "size": 16, "cell": 99})))
    assert bad["ok"] is False and bad["kind"] == "value"
    assert json.loads(rpc.dispatch("hog_explorer.square", "{}"))["ok"] is False  # not in __all__


# ------------------------------------------------------------------------ convolution stepper


def test_the_slides_example_step_by_step():
    result = convolution.convolution(convolution.SLIDE_IMAGE, convolution.SLIDE_KERNEL)
    assert result["output"] == convolve.convolve2d(convolution.SLIDE_IMAGE, convolution.SLIDE_KERNEL)
    first = result["steps"][0]
    assert (first["row"], first["col"], first["sum"]) == (0, 0, 4)
    assert first["window"] == [row[:3] for row in convolution.SLIDE_IMAGE[:3]]
    assert [(s["row"], s["col"]) for s in result["steps"]] == [(r, c) for r in range(3) for c in range(3)]


def test_random_kernels_products_add_up_to_convolve2d():
    rng = random.Random(7)
    for _ in range(20):
        image = [[rng.randint(0, 1) for _ in range(5)] for _ in range(5)]
        kernel = [[rng.choice([-2, -1, 0, 0.5, 1, 3]) for _ in range(3)] for _ in range(3)]
        result = convolution.convolution(image, kernel)
        assert result["output"] == convolve.convolve2d(image, kernel)
        assert result["relu"] == convolve.relu(result["output"])
        for s in result["steps"]:
            window = [image[s["row"] + i][s["col"] : s["col"] + 3] for i in range(3)]
            assert s["products"] == [[w * k for w, k in zip(wr, kr)] for wr, kr in zip(window, kernel)]
            assert sum(map(sum, s["products"])) == pytest.approx(s["sum"])
            assert s["sum"] == result["output"][s["row"]][s["col"]]


def test_editing_one_kernel_value_changes_the_first_sum_by_pixel_times_change():
    kernel = [row[:] for row in convolution.SLIDE_KERNEL]
    kernel[1][1] = 3  # the centre pixel of the first window is 1: 4 − 1 + 3 = 6
    assert convolution.convolution(convolution.SLIDE_IMAGE, kernel)["steps"][0]["sum"] == 6


@pytest.mark.parametrize(
    "kernel, words",
    [
        ([[1, 0], [0]], "same length"),
        ([], "empty"),
        ([[1] * 6] * 6, "larger than the image"),
        ([[1, None, 1], [0, 1, 0], [1, 0, 1]], "row 1, column 2 is empty"),
        ([[1, 0, 1], [0, "x", 0], [1, 0, 1]], "row 2, column 2 is not a number"),
        ([[1, 0, 1], [0, True, 0], [1, 0, 1]], "not a number"),
        ([[1, 0, 1], [0, float("nan"), 0], [1, 0, 1]], "finite"),
        ("101010101", "rows of numbers"),
        ([1, 0, 1], "row 1 is not a row"),
    ],
)
def test_bad_kernels_raise_plain_messages(kernel, words):
    with pytest.raises(ValueError, match=words):
        convolution.convolution(convolution.SLIDE_IMAGE, kernel)


# ------------------------------------------------------------------------ filters on a photo


def test_presets_are_pyodemo_convolve_presets():
    listed = convolution.presets()
    assert {p["name"] for p in listed} == set(convolve.PRESETS)
    for p in listed:
        assert p["kernel"] == [list(row) for row in convolve.PRESETS[p["name"]]]
        assert p["label"]


@pytest.mark.parametrize("preset", ["edges", "sobel_x", "sharpen", "gaussian_blur"])
def test_filter_view_equals_apply_to_image(photo, preset):
    rgba, width, height = photo
    loaded = convolution.filter_image(rgba, width, height)
    gray = Image.from_rgba(rgba, width, height).to_gray()
    gray = Image(gray.width, gray.height, 1, gray.pixels)
    assert loaded["gray_rgba"] == gray.to_rgba_bytes()
    kernel = convolve.PRESETS[preset]
    raw = convolve.apply_to_image(gray, kernel).pixels
    rectified = convolve.apply_to_image(gray, kernel, relu=True).pixels

    off = convolution.filter_view(loaded["token"], preset=preset)
    on = convolution.filter_view(loaded["token"], preset=preset, relu=True)
    assert (off["min"], off["max"]) == (min(raw), max(raw))
    assert (on["min"], on["max"]) == (min(rectified), max(rectified))
    assert (on["raw_min"], on["raw_max"]) == (min(raw), max(raw))
    assert off["rgba"] == convolution.signed_rgba(raw, max(map(abs, raw)))
    assert on["rgba"] == convolution.signed_rgba(rectified, max(map(abs, rectified)))
    # the same kernel given as numbers gives the same picture
    assert convolution.filter_view(loaded["token"], kernel=[list(r) for r in kernel])["rgba"] == off["rgba"]
    if preset in ("edges", "sobel_x", "sharpen") and min(raw) < 0:
        # ReLU removes the negatives, and with them the blue: no pixel is bluer than it is red
        assert off["min"] < 0 <= on["min"]
        pixels = np.frombuffer(on["rgba"], np.uint8).reshape(-1, 4)
        assert (pixels[:, 2] <= pixels[:, 0]).all()
        before = np.frombuffer(off["rgba"], np.uint8).reshape(-1, 4)
        assert (before[:, 2] > before[:, 0]).any()


def test_signed_colours_follow_the_sign():
    rgba = np.frombuffer(convolution.signed_rgba([-1.0, -0.5, 0.0, 0.5, 1.0], 1.0), np.uint8).reshape(-1, 4)
    neg, half_neg, zero, half_pos, pos = rgba
    assert tuple(zero[:3]) == (0, 0, 0)
    assert neg[2] > neg[0] and pos[0] > pos[2]  # blue below 0, orange above
    assert neg[2] > half_neg[2] > 0 and pos[0] > half_pos[0] > 0  # brighter further from 0
    gray = np.frombuffer(convolution.signed_rgba([-1.0, 0.0, 1.0], 1.0, "gray"), np.uint8).reshape(-1, 4)
    assert list(gray[:, 0]) == [0, 128, 255]


def test_bad_filter_requests():
    demo = hog_explorer.demo_image(16)
    token = convolution.filter_image(demo["rgba"], 16, 16)["token"]
    with pytest.raises(ValueError, match="no preset kernel called 'nope'"):
        convolution.filter_view(token, preset="nope")
    with pytest.raises(ValueError, match="give a kernel"):
        convolution.filter_view(token)
    with pytest.raises(ValueError, match="palette must be one of"):
        convolution.filter_view(token, preset="edges", palette="rainbow")
    with pytest.raises(ValueError, match="relu must be true or false"):
        convolution.filter_view(token, preset="edges", relu="yes")
    with pytest.raises(ValueError, match="row 3, column 1 is empty"):
        convolution.filter_view(token, kernel=[[0, 0, 0], [0, 1, 0], [None, 0, 0]])
