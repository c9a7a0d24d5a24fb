"""Presenting (issue 7): slide mode over the pages, the overview, the speaker view, the audience QR code.

The expected slides come from the built HTML, read in Python (`built_deck`, the same rule as the slide
model: every `<h1>`/`<h2>` directly in the page's `<article>` starts a slide), never from the JavaScript
under test.
"""

from __future__ import annotations

import io
import re
import time

import pytest
import yaml
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import ROOT, PageWatch, screenshot
from tests.e2e.test_pdf import _IgnoreTags, built_deck

DECK = "div.pd-deck"
#: Bounds a hang only: moving between pages loads a page (a busy machine may take long), nothing is timed.
NAVIGATION_MS = 120_000
#: Resolves after two animation frames: input already sent has been handled (input comes before rAF).
FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))"


@pytest.fixture(scope="module")
def deck():
    pages = built_deck()
    if len(pages) < 2:
        pytest.fail("the built site has fewer than two pages in the nav")
    return pages


def titles(deck, path):
    return next(s for p, s in deck if p == path)


def offset(deck, path):
    """Global (0-based) number of the first slide of page `path`."""
    n = 0
    for p, slides in deck:
        if p == path:
            return n
        n += len(slides)
    raise KeyError(path)


def page_with(deck, at_least=2, not_last=True):
    """A page (path, slides) with at least `at_least` slides that has a next page."""
    candidates = deck[1:-1] if not_last else deck[1:]
    for path, slides in candidates + deck[:1]:
        if len(slides) >= at_least:
            return path, slides
    pytest.fail(f"no page has {at_least} slides")


def shown(page):
    """(slide number in the page, heading text) of what slide mode shows."""
    page.wait_for_selector(f"{DECK}:not([hidden])")
    number = int(page.locator(DECK).get_attribute("data-slide"))
    heading = page.locator(".pd-slide > :is(h1, h2)").first.evaluate(
        "h => [...h.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink'))).map(n => n.textContent).join('')")
    return number, " ".join(heading.split())


def expect_slide(page, path, number, title):
    try:
        page.wait_for_function(
            "([path, n]) => location.pathname === path && location.search === '?present' && location.hash === '#slide-' + n"
            " && document.querySelector('div.pd-deck')?.dataset.slide === String(n)",
            arg=[path, number], timeout=NAVIGATION_MS)
    except PlaywrightTimeoutError:
        where = page.evaluate("() => ({url: location.href, slide: document.querySelector('div.pd-deck')?.dataset.slide,"
                              " hidden: document.querySelector('div.pd-deck')?.hidden, scrollY,"
                              " fullscreen: document.fullscreenElement?.tagName ?? null})")
        pytest.fail(f"slide {number} of {path} never showed; the page is at {where}")
    assert shown(page) == (number, title)


@pytest.mark.race
def test_keys_walk_the_deck_across_pages_and_survive_reload(open_page, deck):
    path, slides = page_with(deck, at_least=2)
    names = [s["title"] for s in slides]
    page, _ = open_page(f"{path[1:]}?present#slide-1")
    expect_slide(page, path, 1, names[0])
    # Speaker notes stay off the slide.
    assert page.locator(".pd-deck [data-speaker-notes]:visible").count() == 0
    # Every key a keyboard or a clicker sends, forward then back.
    for forward, back in [("ArrowRight", "ArrowLeft"), ("Space", "Shift+Space"), ("PageDown", "PageUp"),
                          ("ArrowDown", "ArrowUp")]:
        page.keyboard.press(forward)
        expect_slide(page, path, 2, names[1])
        page.keyboard.press(back)
        expect_slide(page, path, 1, names[0])
    # A number and Enter: the slide with that number in the whole deck (typed in one go, as a person does:
    # typed digits are forgotten 2.5 s after the last one)
    page.keyboard.type(f"{offset(deck, path) + 2}\n")
    expect_slide(page, path, 2, names[1])
    # The deep link survives a reload.
    page.reload()
    expect_slide(page, path, 2, names[1])
    # Past the last slide: the next page, still in slide mode; and back to this page's last slide.
    at = [p for p, _ in deck].index(path)
    next_path, next_slides = deck[at + 1]
    page.goto(f"{path[1:]}?present#slide-last")
    expect_slide(page, path, len(names), names[-1])
    page.keyboard.press("ArrowRight")
    expect_slide(page, next_path, 1, next_slides[0]["title"])
    page.keyboard.press("ArrowLeft")
    expect_slide(page, path, len(names), names[-1])
    # End and Home: the last and the first slide of the deck.
    last_path, last_slides = deck[-1]
    page.keyboard.press("End")
    expect_slide(page, last_path, len(last_slides), last_slides[-1]["title"])
    first_path, first_slides = deck[0]
    page.keyboard.press("Home")
    expect_slide(page, first_path, 1, first_slides[0]["title"])
    screenshot(page, "present-first-slide")
    # Escape: back to the page, at the slide's heading, notes back in the text.
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{DECK}[hidden]", state="attached")
    assert "present" not in page.url
    heading = page.locator("article.md-content__inner > h1").first
    assert heading.is_visible()
    assert not page.evaluate("document.documentElement.classList.contains('pd-presenting')")


@pytest.mark.race
def test_p_key_and_button_enter_slide_mode_at_the_slide_in_view(open_page, deck):
    path, slides = page_with(deck, at_least=3)
    page, _ = open_page(path[1:])
    page.locator("article.md-content__inner > h2").nth(1).evaluate("h => h.scrollIntoView({block: 'start'})")
    page.keyboard.press("p")  # Material's own "p" (previous page) must not fire
    expect_slide(page, path, 3, slides[2]["title"])
    page.keyboard.press("p")
    page.wait_for_selector(f"{DECK}[hidden]", state="attached")
    # leaving slide mode put the slide's heading back at the top of the window
    top, height = page.locator("article.md-content__inner > h2").nth(1).evaluate(
        "h => [h.getBoundingClientRect().top, innerHeight]")
    assert -1 < top < 0.3 * height, f"after leaving slide mode the slide's heading is at {top} px"
    # full screen, asked for by the P key, is left with slide mode (its request may be granted only now)
    page.wait_for_function("() => !document.fullscreenElement", timeout=NAVIGATION_MS)
    page.evaluate(FRAMES)
    # a person's click: Playwright's .click() first "scrolls the button into view", and for Material's
    # sticky header that sometimes scrolls the page (1023 → 647 px here), which moves the slide in view
    button = page.locator(".pd-present-button").bounding_box()
    page.mouse.click(button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
    expect_slide(page, path, 3, slides[2]["title"])


@pytest.mark.race
def test_slide_mode_leaves_alone_a_full_screen_it_did_not_ask_for(open_page, deck):
    """Slide mode exits a full screen granted after it was left (above), but only the one it asked for.

    The page is put in full screen by a request of its own (a key handler the test installs: full screen needs
    a user's gesture), with slide mode built and closed. `document.exitFullscreen` is counted when the
    fullscreenchange event reaches a listener registered after slide mode's, so nothing is waited for by time.
    """
    path, slides = page_with(deck, at_least=2)
    page, _ = open_page(f"{path[1:]}?present#slide-1")  # slide mode without a gesture: no full screen asked
    expect_slide(page, path, 1, slides[0]["title"])
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{DECK}[hidden]", state="attached")
    page.evaluate("""() => {
        window.exits = 0;
        const exit = document.exitFullscreen.bind(document);
        document.exitFullscreen = () => { window.exits += 1; return exit(); };
        document.addEventListener("fullscreenchange", () => {
            window.seen = {element: document.fullscreenElement?.tagName ?? null, exits: window.exits};
        });
        addEventListener("keydown", (event) => {
            if (event.key !== "F9") return;
            event.stopPropagation();
            document.documentElement.requestFullscreen();
        }, true);
    }""")
    page.keyboard.press("F9")
    page.wait_for_function("() => window.seen", timeout=NAVIGATION_MS)
    assert page.evaluate("() => window.seen") == {"element": "HTML", "exits": 0}
    assert page.evaluate("() => document.fullscreenElement === document.documentElement")
    assert page.locator(DECK).get_attribute("hidden") is not None  # and slide mode stays closed
    page.evaluate("() => document.exitFullscreen()")

def test_widgets_stay_live_in_slide_mode(open_page, deck):
    """The slide shows the page's real widget node (not a copy): its state survives moving in and out."""
    path, slides = next(((p, s) for p, s in deck if p == "/hog/"), (None, None))
    if path is None:
        pytest.skip("no HOG page")
    page, _ = open_page("hog/")
    selector = '.pyodemo-widget[data-widget="gradient-explorer"]'
    widget = page.locator(f'{selector}[data-mounted="ready"]')
    widget.wait_for()
    widget.locator('input[data-neighbour="up"]').first.fill("7")
    widget.evaluate("el => { el.pyodemoMarker = 'the same node' }")
    # Scroll the widget's slide heading to the top, then P: slide mode opens on that slide.
    number = page.evaluate("""sel => {
        const w = document.querySelector(sel);
        const heads = [...document.querySelectorAll('article.md-content__inner > :is(h1, h2)')]
            .filter(h => h.compareDocumentPosition(w) & Node.DOCUMENT_POSITION_FOLLOWING);
        heads.at(-1).scrollIntoView({block: 'start'});
        return heads.length; }""", selector)
    page.evaluate("() => document.activeElement?.blur()")  # P typed into a field is just a letter
    page.keyboard.press("p")
    expect_slide(page, path, number, slides[number - 1]["title"])
    live = page.locator(f".pd-slide {selector}")
    assert live.evaluate("el => el.pyodemoMarker") == "the same node"
    assert live.locator('input[data-neighbour="up"]').first.input_value() == "7"
    away, back = ("ArrowRight", "ArrowLeft") if number < len(slides) else ("ArrowLeft", "ArrowRight")
    page.keyboard.press(away)
    page.wait_for_function("n => document.querySelector('div.pd-deck').dataset.slide !== String(n)", arg=number)
    assert live.count() == 0
    page.keyboard.press(back)
    expect_slide(page, path, number, slides[number - 1]["title"])
    assert live.evaluate("el => el.pyodemoMarker") == "the same node"
    assert live.locator('input[data-neighbour="up"]').first.input_value() == "7"
    page.keyboard.press("Escape")
    in_page = page.locator(f"article.md-content__inner > {selector}")
    assert in_page.evaluate("el => el.pyodemoMarker") == "the same node"
    assert in_page.locator('input[data-neighbour="up"]').first.input_value() == "7"


def touch_swipe(page, dx, dy=0.0, x=None, y=None, ms=120):
    """A one-finger swipe through the DevTools protocol (real touch events), `ms` long by the events' own
    time stamps (what the page measures), however long this machine takes to send them."""
    size = page.viewport_size
    x = size["width"] / 2 - dx / 2 if x is None else x  # start and end inside the screen
    y = size["height"] * 0.25 - min(dy, 0) / 2 if y is None else y
    t0 = time.time()
    at = lambda i: t0 + ms / 1000 * i / 7  # noqa: E731
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}], "timestamp": at(0)})
    for i in range(1, 7):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x + dx * i / 6, "y": y + dy * i / 6}], "timestamp": at(i)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": [], "timestamp": at(7)})
    cdp.detach()


@pytest.mark.race
def test_swipes_on_a_phone(open_page, deck):
    path, slides = page_with(deck, at_least=2)
    names = [s["title"] for s in slides]
    page, _ = open_page(f"{path[1:]}?present#slide-1", device="Pixel 7")
    expect_slide(page, path, 1, names[0])
    # The on-screen buttons work by touch (tapped first: a tap during a swipe's fling only stops it).
    page.locator(".pd-bar__button--next").tap()
    expect_slide(page, path, 2, names[1])
    touch_swipe(page, 200)
    expect_slide(page, path, 1, names[0])
    touch_swipe(page, -200)
    expect_slide(page, path, 2, names[1])
    touch_swipe(page, 0, 250)  # vertical (and quick): scrolling, not a slide change
    page.evaluate(FRAMES)  # the touch events have been handled
    assert shown(page)[0] == 2
    screenshot(page, "present-phone")


@pytest.mark.race
def test_overview_grid(open_page, deck):
    path, slides = page_with(deck, at_least=3)
    page, _ = open_page(f"{path[1:]}?present#slide-2")
    expect_slide(page, path, 2, slides[1]["title"])
    page.keyboard.press("o")
    grid = page.locator(".pd-overview")
    grid.wait_for()
    page.wait_for_function("() => document.querySelectorAll('.pd-overview__page').length > 1"
                           " && !document.querySelector('.pd-overview__page[data-pending]')")
    assert grid.locator(".pd-thumb").count() == sum(len(s) for _, s in deck)
    captions = [" ".join(c.split()) for c in grid.locator(".pd-thumb__caption").all_inner_texts()]
    expected = [f"{i + 1} · {s['title']}" for _, slides_ in deck for i, s in enumerate(slides_)]
    assert captions == expected
    current = grid.locator('.pd-thumb[aria-current="true"]')
    assert (current.get_attribute("data-path"), current.get_attribute("data-slide")) == (path, "1")
    assert current.evaluate("el => el === document.activeElement")
    # Every slide has a picture, not just a caption.
    assert grid.locator(".pd-thumb .pd-mini").count() == grid.locator(".pd-thumb").count()
    screenshot(page, "present-overview")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect_slide(page, path, 3, slides[2]["title"])
    assert grid.is_hidden()
    # A thumbnail of another page opens that page in slide mode.
    page.keyboard.press("o")
    other_path, other_slides = deck[0]
    grid.locator(f'.pd-thumb[data-path="{other_path}"][data-slide="0"]').click()
    expect_slide(page, other_path, 1, other_slides[0]["title"])


def notes_text(page):
    """The current slide's speaker notes as the audience page has them (hidden), without the title."""
    return page.evaluate("""() => [...document.querySelectorAll('.pd-slide [data-speaker-notes]')]
        .map(n => [...n.childNodes].filter(c => !(c.matches && c.matches('summary, .admonition-title')))
        .map(c => c.textContent).join(' ')).join(' ')""")


@pytest.mark.race
def test_speaker_view_follows_and_drives_the_audience(open_page, deck):
    path, slides = page_with(deck, at_least=3)
    names = [s["title"] for s in slides]
    audience, _ = open_page(f"{path[1:]}?present#slide-1")
    expect_slide(audience, path, 1, names[0])
    with audience.context.expect_page() as opened:
        audience.keyboard.press("s")
    speaker = opened.value
    watch = PageWatch(speaker)
    view = speaker.locator(".pd-sv")

    def speaker_at(p, n):
        speaker.wait_for_function(
            "([p, n]) => { const v = document.querySelector('.pd-sv');"
            " return v && v.dataset.path === p && v.dataset.slide === String(n); }", arg=[p, n], timeout=NAVIGATION_MS)

    speaker_at(path, 1)
    assert view.get_attribute("data-title") == names[0]
    assert "?speaker#slide-1" in speaker.url
    # Current and next slide, and the notes of the current one.
    assert speaker.locator(".pd-sv__current .pd-mini").count() == 1
    assert names[1] in " ".join(speaker.locator(".pd-sv__next").inner_text().split())
    notes = " ".join(notes_text(audience).split())
    shown_notes = " ".join(speaker.locator(".pd-sv__notes").inner_text().split())
    if notes:
        assert notes[:60] in shown_notes
    else:
        assert "No notes for this slide" in shown_notes
    # The speaker view runs no widget: Python never starts there.
    assert speaker.evaluate("() => window.pyodemoPython?.status.state ?? 'idle'") == "idle"

    # The audience moves: the speaker view follows.
    audience.keyboard.press("ArrowRight")
    expect_slide(audience, path, 2, names[1])
    speaker_at(path, 2)
    assert view.get_attribute("data-title") == names[1]
    # The speaker moves: the audience follows.
    speaker.keyboard.press("ArrowRight")
    speaker_at(path, 3)
    expect_slide(audience, path, 3, names[2])
    # Across pages: the speaker jumps to this page's last slide, then goes on to the next page.
    at = [p for p, _ in deck].index(path)
    next_path, next_slides = deck[at + 1]
    speaker.keyboard.type(f"{offset(deck, path) + len(names)}\n")
    speaker_at(path, len(names))
    expect_slide(audience, path, len(names), names[-1])
    speaker.keyboard.press("ArrowRight")
    speaker_at(next_path, 1)
    expect_slide(audience, next_path, 1, next_slides[0]["title"])
    # ... and back, from the audience window (now on the other page).
    audience.keyboard.press("ArrowLeft")
    expect_slide(audience, path, len(names), names[-1])
    speaker_at(path, len(names))

    # The timer: start, pause, reset; and the clock.
    elapsed = speaker.locator(".pd-sv__elapsed")
    assert elapsed.inner_text() == "00:00"
    speaker.get_by_role("button", name="Start").click()
    speaker.wait_for_function("() => document.querySelector('.pd-sv__elapsed').textContent !== '00:00'")
    speaker.get_by_role("button", name="Pause").click()
    assert view.get_attribute("data-timer") == "paused"
    speaker.get_by_role("button", name="Reset").click()
    assert elapsed.inner_text() == "00:00"
    assert re.search(r"\d{1,2}:\d{2}", speaker.locator(".pd-sv__clock").inner_text())
    screenshot(speaker, "present-speaker-view")
    watch.check()


def test_audience_qr_code_decodes_to_site_url(open_page):
    import zxingcpp

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    site_url = config["site_url"]
    page, _ = open_page("")
    widget = page.locator('.pyodemo-widget[data-widget="audience-qr"][data-mounted="ready"]')
    widget.wait_for()
    code = widget.locator("img.pd-qr__code")
    page.wait_for_function("() => { const i = document.querySelector('img.pd-qr__code'); return i && i.complete && i.naturalWidth > 0; }")
    code.scroll_into_view_if_needed()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(code.screenshot())))
    assert [r.text for r in found] == [site_url]
    assert widget.locator(".pd-qr__url a").get_attribute("href") == site_url
    box = code.bounding_box()
    assert box["width"] >= 200  # big enough to scan from the back of the room
    # 127.0.0.1 is a secure context: no plain-HTTP warning here.
    assert widget.locator(".pd-qr__insecure").count() == 0
