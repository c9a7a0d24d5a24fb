"""Material's own JavaScript starts at the reader's first interaction (slides/js/material.js), not at load:
the page reads and works before it, nothing of it is fetched while nobody touches the page, and after a
first scroll, key or tap Material's components work as before (search finds the talk's pages)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from tests.e2e.test_pages import LAYOUT_SHIFTS, MAX_CLS

BUNDLE = "/assets/javascripts/bundle."
READY = "() => document.documentElement.dataset.material === 'ready'"


def bundle_requests(page) -> list[str]:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if BUNDLE in r.url else None)
    return fetched


@pytest.mark.parametrize("first", ["scroll", "key", "tap"])
def test_material_starts_at_the_first_interaction_and_not_before(open_page, first):
    page, _ = open_page(None, device="Pixel 7" if first == "tap" else None)
    page.add_init_script(LAYOUT_SHIFTS)
    fetched = bundle_requests(page)
    page.goto("svm/")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert not fetched, f"Material's bundle was fetched before any interaction: {fetched}"
    assert page.evaluate("() => document.documentElement.dataset.material") is None
    if first == "scroll":
        page.mouse.wheel(0, 400)
    elif first == "key":
        page.keyboard.press("Shift")
    else:
        page.tap("article h1")
    page.wait_for_function(READY)
    assert len(fetched) == 1, fetched
    # nothing moves as Material starts (a scroll is no "recent input": its shifts would count against the page)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shifts = page.evaluate("() => globalThis.__layoutShifts")
    assert sum(s["value"] for s in shifts) <= MAX_CLS, shifts
    # mounted, not merely loaded: the header shows the page's title once the page scrolls past its heading
    page.evaluate("() => window.scrollTo(0, document.querySelector('article h2').offsetTop)")
    page.wait_for_selector(".md-header__title--active")


JS_LOOK = "() => { document.documentElement.classList.replace('no-js', 'js'); }"


@pytest.mark.parametrize("width", [1280, 412])
def test_between_the_bundle_and_its_mount_the_page_looks_the_same(open_page, width):
    """material.js switches the page to Material's "js" look before the bundle arrives, and mounts the
    components a task after it ran: frames show that look before Material has set anything up (e.g. the
    sidebars' heights). It must look like the page the reader already sees."""
    page, _ = open_page(None)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("svm/")
    page.wait_for_load_state("networkidle")
    frames = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
    page.evaluate(frames)
    before = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.evaluate(JS_LOOK)
    page.evaluate(frames)
    after = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    differ = sum(ImageChops.difference(before, after).convert("L").histogram()[33:])  # antialiasing aside
    assert differ <= 0.001 * before.width * before.height, f"{differ} pixels changed"


def test_search_finds_a_page_once_material_has_started(open_page):
    page, _ = open_page("hog/")
    page.wait_for_load_state("networkidle")
    page.click("input.md-search__input")  # the header's search field (1280 px wide): the tap starts Material
    page.keyboard.type("kernel")
    page.wait_for_function(READY)
    result = page.locator(".md-search-result__item a[href*='svm/']").first
    result.wait_for()
    result.click()
    page.wait_for_url("**/svm/**")


def test_the_page_works_when_material_cannot_load(open_page):
    """A failed bundle (a broken cache, a blocked file) costs search, nothing else: no error on the page."""
    page, watch = open_page(None)
    page.route(f"**{BUNDLE}*", lambda route: route.abort())
    page.goto("svm/")
    page.wait_for_load_state("networkidle")
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => document.documentElement.dataset.material === 'failed'")
    # the look of a page without Material, as before the input
    assert page.evaluate("() => [...document.documentElement.classList].filter((c) => c.endsWith('js'))") == ["no-js"]
    assert page.locator(".pyodemo-widget[data-mounted='failed']").count() == 0
    # the browser's own line about the aborted file is expected; nothing else may have been logged
    watch.errors[:] = [e for e in watch.errors if BUNDLE not in e]


def test_slide_mode_never_starts_material_and_the_page_after_it_does(open_page):
    """A talk needs none of Material's parts: keys and taps in slide mode leave it unstarted (the projector's
    laptop is spared its start between two slides); the first input back on the page starts it."""
    page, _ = open_page(None)
    fetched = bundle_requests(page)
    page.goto("svm/?present#slide-1")
    page.wait_for_function("() => window.pyodemoPresent?.show?.active")
    for key in ("ArrowRight", "ArrowRight", "ArrowLeft"):
        page.keyboard.press(key)
    page.mouse.click(5, 5)
    page.wait_for_function("() => document.querySelector('div.pd-deck').dataset.slide === '2'")
    assert not fetched and page.evaluate("() => document.documentElement.dataset.material") is None
    page.keyboard.press("Escape")  # back on the page (at the slide's heading): the reader's next input starts it
    page.wait_for_function("() => !document.documentElement.classList.contains('pd-presenting')")
    page.mouse.wheel(0, 300)
    page.wait_for_function(READY)
    assert len(fetched) == 1, fetched
