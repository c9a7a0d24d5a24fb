"""The walking skeleton end to end: the HOG page's gradient explorer answers from pyodemo in Pyodide."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image as PILImage

from pyodemo import hog
from pyodemo.image import Image
from tests.e2e.conftest import SITE, screenshot

WIDGET = '.pyodemo-widget[data-widget="gradient-explorer"]'


def readout(section) -> dict[str, str]:
    return {key: section.locator(f'dd[data-value="{key}"]').inner_text() for key in ("gx", "gy", "magnitude", "angle")}


def slide_example(module_page, device=None):
    """The HOG page (one per device for this module: Pyodide boots once) with the gradient explorer in view,
    its example set back to the slide's numbers where a test before changed them."""
    page, watch = module_page("hog/", device=device)
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    example = widget.locator('section[aria-label="The slide\'s example"]')
    for name, value in SLIDE.items():
        field = example.locator(f'input[data-neighbour="{name}"]')
        if field.input_value() != value:
            field.fill(value)
    return page, watch, widget, example


#: The slide's neighbours of the example pixel: gx = 100 − 20 = 80, gy = 110 − 50 = 60.
SLIDE = {"left": "20", "right": "100", "up": "50", "down": "110"}


@pytest.mark.parametrize("device", [None, "Pixel 7"])
def test_slide_example_and_a_clicked_pixel(module_page, device):
    page, watch, widget, example = slide_example(module_page, device)
    # The slide's numbers, computed by pyodemo.hog.gradient_at in the worker.
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('dd[data-value=\"magnitude\"]')?.textContent === '100.00'",
        arg=WIDGET, timeout=120_000)
    assert readout(example) == {"gx": "80.0", "gy": "60.0", "magnitude": "100.00", "angle": "36.87°"}

    # Edit "up" from 50 to 10: gy = 110 − 10 = 100, magnitude √(80² + 100²) = 128.06, angle 51.34°.
    example.locator('input[data-neighbour="up"]').fill("10")
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('dd[data-value=\"gy\"]')?.textContent === '100.0'",
        arg=WIDGET)
    assert readout(example)["magnitude"] == "128.06"
    assert readout(example)["angle"] == "51.34°"

    # Click a pixel of the sample image; compare with pyodemo.hog in CPython on the same pixels.
    image_section = widget.locator('section[aria-label="Gradients of an image"]')
    canvas = image_section.locator("canvas")
    canvas.wait_for()
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('section[aria-label=\"Gradients of an image\"] dd[data-value=\"gx\"]')",
        arg=WIDGET)
    box = canvas.bounding_box()
    width = canvas.evaluate("c => c.width") // 4
    x, y = width // 2 + 3, width // 2 - 5  # a pixel on the sprite
    canvas.click(position={"x": (x + 0.5) * box["width"] / width, "y": (y + 0.5) * box["height"] / width})
    page.wait_for_function(
        "([sel, label]) => document.querySelector(sel)?.querySelector('canvas[aria-label^=\"' + label + '\"]')",
        arg=[WIDGET, f"Pixel ({x}, {y})"])
    shown = readout(image_section)

    sample = json.loads((SITE / "models/samples/index.json").read_text())["samples"][0]
    pil = PILImage.open(SITE / "models/samples" / sample["file"]).convert("RGBA")
    gray = Image.from_rgba(pil.tobytes(), *pil.size).to_gray()
    expected = hog.gradients(Image(gray.width, gray.height, 1, gray.pixels)).at(x, y)
    # Canvas stores premultiplied alpha, so semi-transparent edge pixels may differ by a level or two.
    assert float(shown["gx"].replace("−", "-")) == pytest.approx(255 * expected.gx, abs=2.0)
    assert float(shown["gy"].replace("−", "-")) == pytest.approx(255 * expected.gy, abs=2.0)
    screenshot(page, f"gradient-explorer-{device or 'desktop'}")


def test_bad_numbers_get_a_message(module_page):
    page, watch, widget, example = slide_example(module_page)
    page.wait_for_function(
        "sel => document.querySelector(sel)?.querySelector('dd[data-value=\"magnitude\"]')?.textContent === '100.00'",
        arg=WIDGET, timeout=120_000)
    example.locator('input[data-neighbour="left"]').fill("")
    alert = example.locator('[role="alert"]')
    alert.wait_for()
    assert "must be a number" in alert.inner_text()
