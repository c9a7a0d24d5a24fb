"""The CNN page's convolution widget: the slide's example stepped in Pyodide equals pyodemo.convolve in
CPython; editing the kernel or a pixel changes the sum as it should; ReLU removes the negatives."""

from __future__ import annotations

import re

import pytest

from pyodemo import convolve
from pyodemo.web import convolution as explore
from tests.e2e.conftest import ARTIFACTS, SITE

WIDGET = '.pyodemo-widget[data-widget="convolution"]'


def output_grid(widget) -> list[list[str]]:
    values = widget.locator(".convx-out").evaluate_all("cells => cells.map(c => c.dataset.value)")
    return [values[i : i + 3] for i in range(0, 9, 3)]


def wait_sum(page, expected) -> None:
    page.wait_for_function(
        "([sel, value]) => document.querySelector(sel + ' strong[data-sum]')?.dataset.sum === value",
        arg=[WIDGET, str(expected)], timeout=120_000)


def blue_and_orange(canvas) -> tuple[int, int]:
    """How many pixels of the filtered image are blue (negative) and orange (positive)."""
    return tuple(canvas.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let b = 0, o = 0;
                  for (let i = 0; i < d.length; i += 4) { if (d[i + 2] > d[i]) b++; else if (d[i] > d[i + 2]) o++; }
                  return [b, o]; }"""))


def shoot(locator, name: str) -> None:
    """A screenshot of the whole widget under tests/artifacts/ (gitignored), for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"), style=".md-header, .md-top { visibility: hidden !important; }")


@pytest.mark.race
@pytest.mark.parametrize("device", [None, "Pixel 7"])
def test_convolution_stepper_and_relu(open_page, device):
    page, watch = open_page("cnn/", device=device)
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    forward = widget.get_by_role("button", name="Step forward")
    page.wait_for_function(
        "sel => { const b = document.querySelector(sel)?.querySelector('button[aria-label=\"Step forward\"]');"
        " return b && !b.disabled; }", arg=WIDGET, timeout=120_000)

    # Step 1: the window on the top-left corner, products and their sum 4.
    forward.click()
    wait_sum(page, 4)
    assert widget.locator(".convx-pixel.in-window").count() == 9
    expected = convolve.convolve2d(explore.SLIDE_IMAGE, explore.SLIDE_KERNEL)
    assert expected[0][0] == 4
    assert output_grid(widget)[0] == ["4", "", ""]

    # Keyboard alone: Enter on the focused Step button, eight more times → the whole output.
    forward.focus()
    for _ in range(8):
        page.keyboard.press("Enter")
    assert [[int(v) for v in row] for row in output_grid(widget)] == expected == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert forward.is_disabled()
    widget.get_by_role("button", name="Back one step").click()
    assert output_grid(widget)[2][2] == ""
    widget.get_by_role("button", name="Reset").click()
    assert output_grid(widget) == [["", "", ""]] * 3
    # Play steps on its own; Pause stops it.
    play = widget.locator(".convx-buttons button[aria-pressed]")
    play.click()
    page.wait_for_function("sel => Number(document.querySelector(sel).dataset.step) >= 2",
                           arg=WIDGET + " section.convx-stepper")
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    paused_at = widget.locator("section.convx-stepper").get_attribute("data-step")
    # Paused: no further step. Play steps every PLAY_MS; a timer set now for PLAY_MS fires after the next
    # step would have (timers fire in the order of their due times), so it reads what that step would change.
    play_ms = int(re.search(r"const PLAY_MS = (\d+)", (SITE / "js/widgets/convolution.js").read_text())[1])
    later = page.evaluate("([sel, ms]) => new Promise((r) => setTimeout(() => r(document.querySelector(sel).dataset.step), ms))",
                          [WIDGET + " section.convx-stepper", play_ms])
    assert later == paused_at
    widget.get_by_role("button", name="Reset").click()

    # Edit the kernel's centre from 1 to 3: the first sum becomes 4 − 1·1 + 3·1 = 6 (pyodemo in CPython agrees).
    kernel = [row[:] for row in explore.SLIDE_KERNEL]
    kernel[1][1] = 3
    widget.locator('input[data-row="1"][data-col="1"]').fill("3")
    forward.click()
    wait_sum(page, convolve.convolve2d(explore.SLIDE_IMAGE, kernel)[0][0])
    assert convolve.convolve2d(explore.SLIDE_IMAGE, kernel)[0][0] == 6
    # Toggle the top-left pixel (1 → 0) from the keyboard: the sum loses that pixel's kernel weight, 1.
    image = [row[:] for row in explore.SLIDE_IMAGE]
    image[0][0] = 0
    widget.locator('.convx-pixel[data-row="0"][data-col="0"]').focus()
    page.keyboard.press("Space")
    wait_sum(page, convolve.convolve2d(image, kernel)[0][0])
    assert widget.locator("strong[data-sum]").inner_text() == "5"
    # An empty kernel cell: a plain message in place, no crash.
    widget.locator('input[data-row="0"][data-col="2"]').fill("")
    alert = widget.locator('.convx-stepper [role="alert"]')
    alert.wait_for()
    assert "row 1, column 3 is empty" in alert.inner_text()
    widget.locator('input[data-row="0"][data-col="2"]').fill("1")
    alert.wait_for(state="detached")

    # The photo section: the edges preset on the first sample, ReLU off then on.
    filters = widget.locator("section.convx-filters")
    page.wait_for_function(
        "sel => { const s = document.querySelector(sel + ' section.convx-filters');"
        " return s && s.dataset.image && !s.dataset.image.startsWith('A synthetic') && (s.dataset.ready || '').includes('/edges/false/'); }",
        arg=WIDGET, timeout=120_000)
    shown = filters.locator("strong[data-min]")
    low, high = float(shown.get_attribute("data-min")), float(shown.get_attribute("data-max"))
    assert low < 0 < high
    canvas = filters.locator("canvas").nth(1)
    blue, orange = blue_and_orange(canvas)
    assert blue > 0 and orange > 0
    relu = filters.locator('input[data-control="relu"]')
    relu.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "sel => (document.querySelector(sel + ' section.convx-filters')?.dataset.ready || '').includes('/edges/true/')",
        arg=WIDGET)
    assert float(shown.get_attribute("data-min")) == 0.0
    assert float(shown.get_attribute("data-max")) == high
    assert "ReLU on" in filters.locator(".convx-range").inner_text()
    blue, orange_after = blue_and_orange(canvas)
    assert blue == 0 and orange_after > 0

    shoot(widget, f"convolution-{(device or 'desktop').replace(' ', '-').lower()}")
    if device:  # the narrowest phone we support: no horizontal scroll
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        shoot(widget, "convolution-360px")
    watch.check()
