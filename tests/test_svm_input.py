"""export.svm_input: the browser's block reduction of a big picture's crop (slides/js/svm-input.js), in numpy.

Checked against the formula written out pixel by pixel in plain Python; the browser's side is checked
against this module by tests/e2e/test_big_photos.py (the same bytes, for twenty big pictures).
"""

from __future__ import annotations

import numpy as np
import pytest

from export.svm_input import SEND_MAX, SEND_SIDE, block_size, reduce_crop, svm_input


def by_hand(rgba: bytes, width: int, height: int, box: list[int], k: int) -> bytes:
    """The module docstring's formula, one block and one pixel at a time; outside the picture: alpha 0."""
    x, y, s = box
    m = s // k
    out = bytearray()
    for by in range(m):
        for bx in range(m):
            sums, total = [0, 0, 0], 0
            for py in range(y + by * k, y + (by + 1) * k):
                for px in range(x + bx * k, x + (bx + 1) * k):
                    if 0 <= px < width and 0 <= py < height:
                        i = 4 * (py * width + px)
                        a = rgba[i + 3]
                        total += a
                        for c in range(3):
                            sums[c] += rgba[i + c] * a
            colour = [(2 * v + total) // (2 * total) if total else 0 for v in sums]
            out += bytes([*colour, (2 * total + k * k) // (2 * k * k)])
    return bytes(out)


@pytest.mark.parametrize("seed", range(6))
def test_reduce_crop_is_the_formula(seed):
    rng = np.random.default_rng(seed)
    width, height = (int(v) for v in rng.integers(5, 40, 2))
    picture = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    if seed % 2:
        picture[..., 3] = rng.choice([0, 255, int(rng.integers(1, 255))], (height, width))
    k = int(rng.integers(1, 5))
    side = int(rng.integers(k, 2 * max(width, height)))
    x, y = int(rng.integers(-side, width)), int(rng.integers(-side, height))  # often partly outside
    rgba = picture.tobytes()
    assert reduce_crop(rgba, width, height, [x, y, side], k) == by_hand(rgba, width, height, [x, y, side], k)


def test_opaque_blocks_are_their_mean_rounded_half_up():
    picture = np.zeros((4, 4, 4), np.uint8)
    picture[..., 3] = 255
    picture[:2, :2, 0] = [[0, 1], [1, 0]]  # mean 0.5: up to 1
    picture[:2, 2:, 0] = [[0, 1], [0, 0]]  # mean 0.25: down to 0
    out = np.frombuffer(reduce_crop(picture.tobytes(), 4, 4, [0, 0, 4], 2), np.uint8).reshape(2, 2, 4)
    assert out[0, 0, 0] == 1 and out[0, 1, 0] == 0 and (out[..., 3] == 255).all()


def test_the_rule_picks_whole_picture_or_blocks():
    assert (SEND_MAX, SEND_SIDE) == (512 * 512, 256)
    assert [block_size(s) for s in (1, 256, 257, 512, 513, 4000, 7000)] == [1, 1, 2, 2, 3, 16, 28]
    small = bytes(4 * 512 * 512)
    assert svm_input(small, 512, 512, [-5, 3, 600])[1:] == (512, 512, [-5, 3, 600], 1)  # whole, box as given
    big = bytes(4 * 513 * 512)
    rgba, w, h, box, k = svm_input(big, 513, 512, [0, 0, 513])
    assert (w, h, box, k, len(rgba)) == (171, 171, [0, 0, 171], 3, 4 * 171 * 171)
    # a crop square entirely outside the picture: every block transparent (Python's background)
    rgba, *_ = svm_input(bytes([9, 9, 9, 255]) * (600 * 600), 600, 600, [700, 700, 300])
    assert set(rgba) == {0}
