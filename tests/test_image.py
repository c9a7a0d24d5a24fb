"""pyodemo.image: compositing, gray, resize (against Pillow), crops, bytes out, and errors."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from PIL import Image as PILImage
from skimage.color import rgb2gray

from pyodemo.image import Image, flatten_rows


def pil_box_resize(channel: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pillow's BOX resize of one channel as a 32-bit float ("F") image."""
    image = PILImage.fromarray(channel.astype(np.float32), mode="F")
    return np.asarray(image.resize((width, height), PILImage.Resampling.BOX), dtype=np.float64)


def as_array(img: Image) -> np.ndarray:
    shape = (img.height, img.width) if img.channels == 1 else (img.height, img.width, img.channels)
    return np.reshape(np.array(img.pixels), shape)


def composite(rgba: np.ndarray, background=(255, 255, 255)) -> np.ndarray:
    """'Over' compositing in numpy: c·a + bg·(1 − a), everything in [0, 1]."""
    rgba = rgba.astype(np.float64) / 255
    alpha = rgba[..., 3:4]
    return rgba[..., :3] * alpha + np.array(background) / 255 * (1 - alpha)


# ---------------------------------------------------------------- from_rgba


def test_from_rgba_composites_like_the_over_operator():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    rgba[0, 0, 3] = 0
    rgba[0, 1, 3] = 255
    img = Image.from_rgba(rgba.tobytes(), 5, 7, background=(10, 200, 30))
    assert (img.width, img.height, img.channels) == (5, 7, 3)
    np.testing.assert_allclose(as_array(img), composite(rgba, (10, 200, 30)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.reshape(img.alpha, (7, 5)), rgba[..., 3] / 255, atol=1e-15)
    assert img.pixels[0:3] == pytest.approx([10 / 255, 200 / 255, 30 / 255])  # transparent: background
    assert img.background == pytest.approx((10 / 255, 200 / 255, 30 / 255))


def test_from_rgba_opaque_is_bytes_over_255():
    rgba = np.random.default_rng(1).integers(0, 256, size=(3, 4, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    img = Image.from_rgba(rgba.tobytes(), 4, 3)
    assert img.pixels == (rgba[..., :3].ravel() / 255).tolist()


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview, list])
def test_from_rgba_accepts_canvas_like_buffers(wrap):
    data = bytes([255, 0, 0, 255, 0, 0, 255, 255])
    img = Image.from_rgba(wrap(data), 2, 1)
    assert img.pixels == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    "data, width, height, message",
    [
        (b"", 0, 0, "at least one pixel"),
        (b"", 1, 1, "must have 4 bytes, got 0"),
        (bytes(15), 2, 2, "must have 16 bytes, got 15"),
        (bytes(8), 2.0, 1, "whole numbers"),
        (bytes(8), -2, -1, "at least one pixel"),
        ("abcd", 1, 1, "not text"),
        ([256, 0, 0, 0], 1, 1, "0..255"),
    ],
)
def test_from_rgba_errors(data, width, height, message):
    with pytest.raises(ValueError, match=message):
        Image.from_rgba(data, width, height)


@pytest.mark.parametrize("background", [(255, 255), (0, 0, 256), (0.5, 0, 0), "white", None])
def test_from_rgba_bad_background(background):
    with pytest.raises(ValueError, match="background"):
        Image.from_rgba(bytes(4), 1, 1, background=background)


# ---------------------------------------------------------------- construction errors


@pytest.mark.parametrize(
    "args, message",
    [
        ((2, 2, 1, [0.0] * 3), "expected 4 pixel values"),
        ((0, 2, 1, []), "at least one pixel"),
        ((2, 2, 2, [0.0] * 8), "channels must be 1"),
        ((1, 1, 1, [math.nan]), "NaN or infinity"),
        ((1, 1, 3, [0.0, math.inf, 0.0]), "NaN or infinity"),
        ((1, 1, 1, ["x"]), "numbers"),
        ((1, 1, 1, b"\x00"), "not text or bytes"),
        ((True, 1, 1, [0.0]), "whole numbers"),
    ],
)
def test_image_errors(args, message):
    with pytest.raises(ValueError, match=message):
        Image(*args)


def test_alpha_errors():
    with pytest.raises(ValueError, match="expected 2 alpha"):
        Image(2, 1, 1, [0, 0], alpha=[1.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Image(1, 1, 1, [0], alpha=[1.5])


def test_rows_may_be_generators_and_tuples():
    rows = (iter([0.0, 0.5]) for _ in range(2))
    assert Image.from_gray_rows(rows).to_rows() == [[0.0, 0.5], [0.0, 0.5]]
    assert flatten_rows(((1, 2), (3, 4))) == (2, 2, [1.0, 2.0, 3.0, 4.0])


def test_flatten_rows_errors():
    with pytest.raises(ValueError, match="empty"):
        flatten_rows([])
    with pytest.raises(ValueError, match="NaN"):
        flatten_rows([[0.0, float("nan")]])
    with pytest.raises(ValueError, match="same length"):
        Image.from_gray_rows([[1, 2, 3], [1, 2]])


# ---------------------------------------------------------------- gray


def test_to_gray_equals_scikit_image_rgb2gray(parity_report):
    rgb = np.random.default_rng(2).random((9, 13, 3))
    gray = Image(13, 9, 3, rgb.ravel().tolist()).to_gray()
    assert gray.channels == 1
    diff = float(np.max(np.abs(as_array(gray) - rgb2gray(rgb))))
    parity_report["image.to_gray vs skimage rgb2gray"] = diff
    assert diff <= 1e-12


def test_to_gray_keeps_alpha_and_a_gray_background():
    img = Image.from_rgba(bytes([0, 0, 0, 0]), 1, 1, background=(255, 0, 0)).to_gray()
    assert img.alpha == [0.0] and img.background == pytest.approx((0.2125,))
    assert img.pixels == pytest.approx([0.2125])


# ---------------------------------------------------------------- resize

RESIZES = [
    (256, 256, 64, 64),  # integer ratio 4
    (100, 37, 64, 64),  # down in x, up in y
    (37, 50, 10, 13),  # non-integer ratios
    (97, 61, 33, 50),
    (64, 64, 64, 30),  # one axis only
    (17, 9, 40, 23),  # upscaling
    (5, 5, 3, 7),
    (1, 1, 4, 4),
    (3, 300, 1, 1),
    (300, 3, 7, 2),
    (640, 480, 64, 64),  # a photo to the model's size
]


@pytest.mark.parametrize("w, h, new_w, new_h", RESIZES)
def test_resize_equals_pillow_box(w, h, new_w, new_h, parity_report):
    rng = np.random.default_rng(w * 1000 + h)
    channels = 1 if w * h > 100_000 else 3
    pixels = rng.random((h, w, channels))
    img = Image(w, h, channels, pixels.ravel().tolist())
    out = img.resize(new_w, new_h)
    assert out.size == (new_w, new_h) and out.channels == channels
    got = np.reshape(out.pixels, (new_h, new_w, channels))
    worst = 0.0
    for c in range(channels):
        expected = pil_box_resize(pixels[:, :, c], new_w, new_h)
        worst = max(worst, float(np.max(np.abs(got[:, :, c] - expected))))
    parity_report["image.resize vs Pillow BOX (mode F)"] = max(
        parity_report.get("image.resize vs Pillow BOX (mode F)", 0.0), worst
    )
    assert worst <= 1e-5


BLOCK_SHRINKS = [  # whole shrink factors, output ≥ BLOCK_MEAN_MIN_WIDTH wide: the block-mean fast path
    (256, 256, 64, 64, 3),  # a photo crop to the model's size (the hot case in the browser)
    (256, 256, 64, 64, 1),
    (192, 128, 64, 64, 3),  # 3 across, 2 down
    (231, 77, 33, 11, 1),  # odd sizes, 7 × 7 blocks
    (99, 45, 33, 15, 3),  # odd sizes, 3 × 3 blocks
    (64, 96, 64, 32, 3),  # one axis only
    (320, 35, 32, 5, 1),  # 10 × 7 blocks
]


@pytest.mark.parametrize("w, h, new_w, new_h, channels", BLOCK_SHRINKS)
def test_integer_shrink_is_the_block_mean_as_in_pillow(w, h, new_w, new_h, channels, monkeypatch, parity_report):
    """The fast path alone (the general one is switched off) gives Pillow's BOX, the block mean, and the
    general path's values to within float rounding; alpha too."""
    from pyodemo import image as image_module

    rng = np.random.default_rng(w * 1000 + h + channels)
    pixels, alpha = rng.random((h, w, channels)), rng.random((h, w))
    img = Image(w, h, channels, pixels.ravel().tolist(), alpha=alpha.ravel().tolist())
    general = image_module._resize_separable(img.pixels, w, h, new_w, new_h, channels)
    general_alpha = image_module._resize_separable(img.alpha, w, h, new_w, new_h, 1)

    def not_here(*args):
        raise AssertionError("a whole-factor shrink must take the block-mean fast path")

    monkeypatch.setattr(image_module, "_resize_separable", not_here)
    out = img.resize(new_w, new_h)
    assert out.size == (new_w, new_h) and out.channels == channels
    got = np.reshape(out.pixels, (new_h, new_w, channels))
    fy, fx = h // new_h, w // new_w
    block_means = pixels.reshape(new_h, fy, new_w, fx, channels).mean(axis=(1, 3))
    np.testing.assert_allclose(got, block_means, rtol=0, atol=1e-15)
    np.testing.assert_allclose(out.pixels, general, rtol=0, atol=1e-15)
    np.testing.assert_allclose(out.alpha, general_alpha, rtol=0, atol=1e-15)
    worst = max(float(np.max(np.abs(got[:, :, c] - pil_box_resize(pixels[:, :, c], new_w, new_h))))
                for c in range(channels))
    alpha_diff = np.reshape(out.alpha, (new_h, new_w)) - pil_box_resize(alpha, new_w, new_h)
    worst = max(worst, float(np.max(np.abs(alpha_diff))))
    parity_report["image.resize whole-factor shrink vs Pillow BOX (mode F)"] = max(
        parity_report.get("image.resize whole-factor shrink vs Pillow BOX (mode F)", 0.0), worst
    )
    assert worst <= 1e-5  # Pillow's "F" images are single precision


def test_resize_integer_ratio_is_the_block_mean():
    rng = np.random.default_rng(5)
    a = rng.random((12, 8))
    out = as_array(Image.from_gray_rows(a.tolist()).resize(2, 3))
    np.testing.assert_allclose(out, a.reshape(3, 4, 2, 4).mean(axis=(1, 3)), atol=1e-15)


def test_resize_resizes_alpha_too():
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[:2, :2] = 255  # opaque white top-left quarter
    img = Image.from_rgba(rgba.tobytes(), 4, 4).resize(2, 2)
    assert img.alpha == [1.0, 0.0, 0.0, 0.0]


def test_resize_to_the_same_size_is_the_same_image():
    img = Image.from_gray_rows([[0.1, 0.2]])
    assert img.resize(2, 1) is img


@pytest.mark.parametrize("size", [(0, 4), (4, -1), (2.5, 2)])
def test_resize_errors(size):
    with pytest.raises(ValueError):
        Image.from_gray_rows([[0.1, 0.2]]).resize(*size)


# ---------------------------------------------------------------- crops


def test_crop_is_numpy_slicing():
    a = np.random.default_rng(6).random((6, 9, 3))
    img = Image(9, 6, 3, a.ravel().tolist())
    np.testing.assert_array_equal(as_array(img.crop(2, 1, 5, 4)), a[1:5, 2:7])


@pytest.mark.parametrize("box", [(-1, 0, 2, 2), (0, 0, 10, 1), (8, 5, 2, 2), (0, 0, 0, 1)])
def test_crop_outside_raises(box):
    img = Image(9, 6, 1, [0.0] * 54)
    with pytest.raises(ValueError):
        img.crop(*box)


def sprite(frames) -> tuple[Image, np.ndarray]:
    rgba = np.asarray(frames[151][0])  # Mew, first frame
    h, w, _ = rgba.shape
    return Image.from_rgba(rgba.tobytes(), w, h), rgba


def test_crop_to_content_finds_the_alpha_bounding_box(sprite_rgba_frames):
    img, rgba = sprite(sprite_rgba_frames)
    left, top, right, bottom = PILImage.fromarray(rgba[..., 3]).getbbox()  # Pillow: alpha != 0
    assert img.content_box() == (left, top, right - left, bottom - top)
    cropped = img.crop_to_content()
    np.testing.assert_array_equal(as_array(cropped), composite(rgba)[top:bottom, left:right])


def test_crop_to_content_with_margin_and_square(sprite_rgba_frames):
    img, rgba = sprite(sprite_rgba_frames)
    x, y, w, h = img.content_box()
    out = img.crop_to_content(margin=3, square=True)
    side = max(w, h) + 6
    assert out.size == (side, side)
    # the content sits inside, with at least 3 transparent pixels all around
    inner = out.content_box()
    assert inner[2:] == (w, h)
    assert min(inner[0], inner[1]) >= 3
    assert inner[0] + w <= side - 3 and inner[1] + h <= side - 3
    # padding (beyond the original image when the margin reaches past it) is white and transparent
    alpha = np.reshape(out.alpha, (side, side))
    pixels = as_array(out)
    assert (pixels[alpha == 0] == 1.0).all()


def test_crop_to_content_beyond_the_border_pads_with_the_background():
    rgba = np.zeros((3, 3, 4), dtype=np.uint8)
    rgba[1, 1] = (255, 0, 0, 255)
    img = Image.from_rgba(rgba.tobytes(), 3, 3, background=(0, 0, 255))
    out = img.crop_to_content(margin=2)
    assert out.size == (5, 5)
    pixels = as_array(out)
    assert pixels[2, 2].tolist() == [1.0, 0.0, 0.0]
    assert pixels[0, 0].tolist() == [0.0, 0.0, 1.0]
    assert sum(out.alpha) == 1.0


def test_crop_to_content_without_alpha_uses_the_background():
    rows = [[1.0] * 6 for _ in range(5)]
    rows[1][2] = rows[3][4] = 0.2
    img = Image.from_gray_rows(rows)
    assert img.content_box(background=1.0) == (2, 1, 3, 3)
    assert img.content_box(background=1.0, threshold=0.9) is None
    assert img.crop_to_content(background=1.0).size == (3, 3)


def test_crop_to_content_of_nothing_raises():
    with pytest.raises(ValueError, match="transparent"):
        Image.from_rgba(bytes(16), 2, 2).crop_to_content()
    with pytest.raises(ValueError, match="margin"):
        Image.from_gray_rows([[0.0]]).crop_to_content(margin=-1)


def test_pad_to_square_centres_the_image():
    img = Image.from_gray_rows([[0.5, 0.5, 0.5]])
    out = img.pad_to_square(0.0)
    assert out.to_rows() == [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0]]
    assert img.pad_to_square().to_rows()[0] == [1.0, 1.0, 1.0]  # default fill: white
    with pytest.raises(ValueError, match="needs 1 values"):
        img.pad_to_square((0.0, 0.0))


def test_sprite_pipeline_matches_numpy_and_pillow(sprite_rgba_frames, parity_report):
    """crop to alpha > 0 + margin, pad to a square, resize (BOX), gray — vs numpy + Pillow."""
    img, rgba = sprite(sprite_rgba_frames)
    out = img.crop_to_content(margin=2, square=True).resize(64, 64).to_gray()
    # the same with numpy and Pillow
    left, top, right, bottom = PILImage.fromarray(rgba[..., 3]).getbbox()
    w, h = right - left, bottom - top
    side = max(w, h) + 4
    x0 = left - 2 - (side - w - 4) // 2
    y0 = top - 2 - (side - h - 4) // 2
    canvas = np.ones((side, side, 3))
    rgb = composite(rgba)
    ys, xs = slice(max(y0, 0), min(y0 + side, rgba.shape[0])), slice(max(x0, 0), min(x0 + side, rgba.shape[1]))
    canvas[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0] = rgb[ys, xs]
    resized = np.stack([pil_box_resize(canvas[..., c], 64, 64) for c in range(3)], axis=-1)
    diff = float(np.max(np.abs(as_array(out) - rgb2gray(resized))))
    parity_report["image pipeline (crop, square, resize, gray) vs numpy+Pillow"] = diff
    assert diff <= 1e-5


# ---------------------------------------------------------------- output


def test_to_rgba_bytes_round_trips_canvas_bytes():
    rgba = np.random.default_rng(8).integers(0, 256, size=(5, 6, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    assert Image.from_rgba(rgba.tobytes(), 6, 5).to_rgba_bytes() == rgba.tobytes()


def test_to_rgba_bytes_keeps_alpha_and_clamps():
    img = Image.from_rgba(bytes([10, 20, 30, 128]), 1, 1)
    assert img.to_rgba_bytes()[3] == 128
    gray = Image(3, 1, 1, [-0.5, 0.25, 7.0])
    assert gray.to_rgba_bytes() == bytes([0, 0, 0, 255, 64, 64, 64, 255, 255, 255, 255, 255])


def test_to_rows_and_channel():
    img = Image(2, 1, 3, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert img.channel(1).to_rows() == [[0.2, 0.5]]
    with pytest.raises(ValueError, match="to_gray"):
        img.to_rows()
    with pytest.raises(ValueError, match="channel index"):
        img.channel(3)


@pytest.mark.parametrize("size, new, opaque", [((256, 256), (64, 64), True), ((192, 128), (64, 32), True),
                                               ((256, 256), (64, 64), False), ((100, 70), (64, 64), True),
                                               ((64, 64), (64, 64), True)])
def test_from_rgba_resized_equals_from_rgba_then_resize(size, new, opaque):
    """The opaque whole-factor fast path (a phone photo, 256 → 64) and the general path give the same image."""
    rng = random.Random(hash((size, new, opaque)))
    w, h = size
    data = bytearray(rng.randrange(256) for _ in range(4 * w * h))
    data[3::4] = bytes([255]) * (w * h) if opaque else bytes(rng.choice((0, 40, 255)) for _ in range(w * h))
    expected = Image.from_rgba(bytes(data), w, h, background=(10, 200, 30)).resize(*new)
    got = Image.from_rgba_resized(bytes(data), w, h, *new, background=(10, 200, 30))
    assert (got.width, got.height, got.channels, got.background) == (expected.width, expected.height, 3, expected.background)
    assert max(abs(a - b) for a, b in zip(got.pixels, expected.pixels)) < 1e-12
    assert max(abs(a - b) for a, b in zip(got.alpha, expected.alpha)) < 1e-12


@pytest.mark.parametrize("w, h, fx, fy, ch", [(8, 6, 2, 3, 4), (12, 12, 4, 4, 4), (256, 64, 64, 64, 4),
                                              (9, 5, 3, 5, 1), (6, 4, 1, 1, 3)])
def test_block_means_of_bytes_are_each_blocks_exact_sum(w, h, fx, fy, ch):
    """The bytes path (whole rows as big integers) gives every block's exact integer sum × 1/(fx·fy),
    bit for bit, also for a block of 4,096 values of 255 (the lanes do not overflow)."""
    from pyodemo.resize import block_means

    rng = random.Random(hash((w, h, fx, fy, ch)))
    data = bytes([255]) * (w * h * ch) if fx * fy >= 4096 else bytes(rng.randrange(256) for _ in range(w * h * ch))
    scale = 1.0 / (fx * fy)
    expected = [sum(data[(y * w + x) * ch + c] for y in range(by * fy, (by + 1) * fy) for x in range(bx * fx, (bx + 1) * fx)) * scale
                for by in range(h // fy) for bx in range(w // fx) for c in range(ch)]
    assert block_means(data, w, h, fx, fy, ch) == expected
    assert block_means(data, w, h, fx, fy, ch, channels=(0,)) == [v if i % ch == 0 else 0.0 for i, v in enumerate(expected)]
