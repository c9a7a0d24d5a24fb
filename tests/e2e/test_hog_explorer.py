"""The HOG page's explorer: feature length and a cell's histogram from pyodemo in Pyodide equal
pyodemo.hog in CPython for the same sample; mouse and keyboard alone pick cells and change settings."""

from __future__ import annotations

import json

import pytest
from PIL import Image as PILImage

from pyodemo import hog
from pyodemo.image import Image
from tests.e2e.conftest import ARTIFACTS, SITE

WIDGET = '.pyodemo-widget[data-widget="hog-explorer"]'
SIZE, CELL = 64, 8  # the explorer's defaults (the model's setting)


def first_sample():
    """The sample the picker starts with, as RGBA bytes, or skip when the build has none."""
    index = SITE / "models/samples/index.json"
    if not index.is_file():
        pytest.skip("this build has no samples (slides/models/samples/index.json)")
    sample = json.loads(index.read_text())["samples"][0]
    pil = PILImage.open(SITE / "models/samples" / sample["file"]).convert("RGBA")
    return sample["class"], pil


def expected_image(pil) -> Image:
    """What pyodemo.web.hog_explorer looks at: gray, padded to a square with white, resized to 64 × 64."""
    gray = Image.from_rgba(pil.tobytes(), *pil.size).to_gray()
    return Image(gray.width, gray.height, 1, gray.pixels).pad_to_square(1.0).resize(SIZE, SIZE)


def clean_cells(pil, histograms) -> list[tuple[int, int]]:
    """Cells whose pixels and 1-pixel rim are fully opaque or fully transparent, with gradients.

    Canvas stores premultiplied alpha, so a half-transparent pixel may come back a level off; in
    these cells the browser's pixels are exactly the file's, so the histograms must match exactly.
    """
    assert pil.size == (SIZE, SIZE), "the first sample is expected at the model's size"
    alpha = pil.getchannel("A").tobytes()
    cells = []
    for r, row in enumerate(histograms):
        for c, bins in enumerate(row):
            y0, x0 = max(0, r * CELL - 1), max(0, c * CELL - 1)
            rim = [alpha[y * SIZE + x] for y in range(y0, min(SIZE, (r + 1) * CELL + 1))
                   for x in range(x0, min(SIZE, (c + 1) * CELL + 1))]
            if all(a in (0, 255) for a in rim) and sum(bins) > 0.05:
                cells.append((r, c))
    return cells


def shown_histogram(widget) -> tuple[int, int, list[float]]:
    section = widget.locator("section.hogx-histogram")
    row, col = int(section.get_attribute("data-row")), int(section.get_attribute("data-col"))
    values = [float(v) for v in section.locator("td[data-value]").evaluate_all("tds => tds.map(t => t.dataset.value)")]
    return row, col, values


def wait_ready(page, prefix: str) -> None:
    page.wait_for_function(
        "([sel, prefix]) => { const el = document.querySelector(sel);"
        " return el && !el.dataset.busy && (el.dataset.ready || '').startsWith(prefix); }",
        arg=[WIDGET, prefix], timeout=120_000)


def shoot(locator, name: str) -> None:
    """A screenshot of the whole widget under tests/artifacts/ (gitignored), for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"), style=".md-header, .md-top { visibility: hidden !important; }")


@pytest.mark.parametrize("device", [None, "Pixel 7"])
def test_hog_explorer_matches_cpython(open_page, device):
    name, pil = first_sample()
    image = expected_image(pil)
    histograms = hog.cell_histograms(image, 9, (CELL, CELL))
    cells = clean_cells(pil, histograms)
    assert len(cells) >= 2, "no cell of the sample is free of half-transparent pixels"

    page, watch = open_page("hog/", device=device)
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    page.wait_for_function("([sel, name]) => document.querySelector(sel)?.dataset.image === name",
                           arg=[WIDGET, name], timeout=120_000)
    wait_ready(page, f"{SIZE}/{CELL}/9/2/")

    # The feature length: pyodemo.hog.feature_length and a real hog() call, in Pyodide and in CPython.
    length = widget.locator("[data-feature-length]")
    assert int(length.get_attribute("data-feature-length")) == hog.feature_length(SIZE, SIZE) == 1764
    assert int(widget.locator("[data-hog-length]").get_attribute("data-hog-length")) == len(hog.hog(image))
    assert length.inner_text() == "1,764"
    assert "7 × 7 blocks × 2 × 2 cells per block × 9 orientations" in widget.locator(".hogx-length").inner_text()

    # Click a cell: its 9-bin histogram equals pyodemo.hog.cell_histograms in CPython.
    r, c = cells[0]
    canvas = widget.locator("canvas.hogx-canvas")
    box = canvas.bounding_box()
    canvas.click(position={"x": (c + 0.5) * CELL / SIZE * box["width"], "y": (r + 0.5) * CELL / SIZE * box["height"]})
    page.wait_for_function(
        "([sel, r, c]) => { const s = document.querySelector(sel + ' section.hogx-histogram');"
        " return s && s.dataset.row === String(r) && s.dataset.col === String(c); }", arg=[WIDGET, r, c])
    row, col, values = shown_histogram(widget)
    assert (row, col) == (r, c)
    assert values == pytest.approx(histograms[r][c], rel=1e-9, abs=1e-12)
    assert len(widget.locator(".hogx-table tbody tr").all()) == 9

    # Keyboard alone: change a control (orientations 9 → 10), Tab to the image, arrows + Enter pick a cell.
    orientations = widget.locator('select[data-setting="orientations"]')
    orientations.focus()
    page.keyboard.press("ArrowDown")
    wait_ready(page, f"{SIZE}/{CELL}/10/2/")
    assert int(length.get_attribute("data-feature-length")) == hog.feature_length(SIZE, SIZE, orientations=10)
    page.keyboard.press("ArrowUp")
    wait_ready(page, f"{SIZE}/{CELL}/9/2/")
    page.keyboard.press("Tab")  # the block size
    page.keyboard.press("Tab")  # the image
    assert page.evaluate("() => document.activeElement?.classList.contains('hogx-canvas')")
    r2, c2 = cells[-1] if cells[-1] != (r, c) else cells[1]
    for key, count in (("ArrowDown", r2 - r), ("ArrowUp", r - r2), ("ArrowRight", c2 - c), ("ArrowLeft", c - c2)):
        for _ in range(max(0, count)):
            page.keyboard.press(key)
    page.keyboard.press("Enter")
    row, col, values = shown_histogram(widget)
    assert (row, col) == (r2, c2)
    assert values == pytest.approx(histograms[r2][c2], rel=1e-9, abs=1e-12)

    # Too small for a block: a message in place, the cells still drawn.
    widget.locator('select[data-setting="size"]').select_option("32")
    widget.locator('select[data-setting="cell"]').select_option("16")
    widget.locator('select[data-setting="block"]').select_option("3")
    wait_ready(page, "32/16/9/3/")
    assert "too small" in widget.locator("[data-problem]").inner_text()
    widget.locator('select[data-setting="size"]').select_option("64")
    widget.locator('select[data-setting="cell"]').select_option("8")
    widget.locator('select[data-setting="block"]').select_option("2")
    wait_ready(page, f"{SIZE}/{CELL}/9/2/")
    canvas.click(position={"x": (c + 0.5) * CELL / SIZE * box["width"], "y": (r + 0.5) * CELL / SIZE * box["height"]})

    shoot(widget, f"hog-explorer-{(device or 'desktop').replace(' ', '-').lower()}")
    if device:  # the narrowest phone we support: no horizontal scroll
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        shoot(widget, "hog-explorer-360px")
    watch.check()
