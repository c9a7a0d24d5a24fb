"""Follow mode (issue 20): the phones follow the presenter; and the full-screen QR code of the current slide.

A follow server of its own per test (`site_tools.serve` with follow mode, 127.0.0.1, a free port) serves the
built site; three browser contexts play the presenter (slide mode with the key from the printed link),
a phone that follows, and someone without the key. Every wait is for a state the page sets
(`data-follow`, `data-follow-at`, `data-follow-sent`), never for a fixed time.
"""

from __future__ import annotations

import json

import pytest

from site_tools.deck import slide_anchors
from site_tools.serve import serve_in_thread, stop_follow
from tests.e2e.conftest import SITE, PageWatch
from tests.e2e.slide_fit import BODY_MIN, CANVAS_TEXT, READY_MS, SIZES, open_deck_page, walk
from tests.e2e.test_present import FRAMES

#: Bounds a hang only (a page load on a busy machine), nothing is timed.
WAIT_MS = 120_000
POST = """async ([path, slide, key]) => {
  const headers = {"Content-Type": "application/json"};
  if (key) headers.Authorization = `Bearer ${key}`;
  const r = await fetch("/_follow/move", {method: "POST", headers, body: JSON.stringify({path, slide})});
  return [r.status, await r.text()];
}"""


@pytest.fixture
def room():
    server, url = serve_in_thread(SITE, follow=True)
    yield server, url
    stop_follow(server, wait_s=5.0)
    server.shutdown()
    server.server_close()


@pytest.fixture
def contexts(browser, devices):
    """open(url, phone=False) → (page, watch); every context is checked (no foreign request, no error) and closed."""
    opened = []

    def open_(url: str, phone: bool = False, allow: tuple[str, ...] = ()):
        options = dict(devices["Pixel 7"]) if phone else {"viewport": {"width": 1280, "height": 720}}
        options.pop("default_browser_type", None)
        context = browser.new_context(service_workers="block", **options)
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        watch = PageWatch(page)
        opened.append((context, watch, allow))
        page.goto(url)
        return page, watch

    yield open_
    try:
        for _, watch, allow in opened:
            watch.check(allow_errors=allow)
    finally:
        for context, _, _ in opened:
            context.close()


def follower_at(page, path: str, slide: int) -> None:
    page.wait_for_function(f"() => document.documentElement.dataset.followAt === '{path} {slide}'")


def sent(page, path: str, slide: int) -> None:
    page.wait_for_function(f"() => document.documentElement.dataset.followSent === '{path} {slide}'")


def test_the_presenter_moves_a_phone_and_nobody_else_can(room, contexts):
    server, url = room
    key = server.room.key
    phone, phone_watch = contexts(f"{url}/?follow", phone=True)
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'waiting'")
    assert phone.locator(".pd-follow").is_visible()

    presenter, _ = contexts(f"{url}/?present#key={key}", allow=("HTTP 400", "status of 400"))
    sent(presenter, "/", 0)
    assert key not in presenter.url, "the key stayed in the address bar"
    assert presenter.evaluate("sessionStorage.getItem('pyodemo-follow-key')") == key
    follower_at(phone, "/", 0)

    # three slides across two pages: the next slide, the page's last (typed number), the next page's first
    n_index = server.room.deck["/"]
    presenter.keyboard.press("ArrowRight")
    sent(presenter, "/", 1)
    follower_at(phone, "/", 1)
    for digit in str(n_index):
        presenter.keyboard.press(digit)
    presenter.keyboard.press("Enter")
    sent(presenter, "/", n_index - 1)
    follower_at(phone, "/", n_index - 1)
    second = next(p for p in server.room.deck if p != "/" and server.room.deck[p] > 1)
    after_index = list(server.room.deck)[1]  # deck.json is in navigation order
    with presenter.expect_navigation():
        presenter.keyboard.press("ArrowRight")
    sent(presenter, after_index, 0)
    follower_at(phone, after_index, 0)
    assert phone.evaluate("location.pathname") == after_index
    assert "follow" in phone.evaluate("location.search")

    # the speaker view (same browser) moves the slide window, which sends; it shows how many phones follow
    speaker = presenter.context.new_page()
    speaker_watch = PageWatch(speaker)
    speaker_asked: list[str] = []
    speaker.on("request", lambda r: speaker_asked.append(r.url))  # this page's own (PageWatch: the context's)
    speaker.goto(f"{url}{after_index}?speaker#slide-1")
    speaker.wait_for_selector(".pd-sv[data-slide='1']")
    speaker.keyboard.press("ArrowRight")
    sent(presenter, after_index, 1)
    follower_at(phone, after_index, 1)
    speaker.wait_for_function("() => document.querySelector('.pd-sv').dataset.followers === '1'")
    assert speaker.locator(".pd-sv__followers").inner_text() == "1 phone follows"
    assert not [u for u in speaker_asked if "/_follow/move" in u], "the speaker view posted a move itself"
    speaker_watch.check()

    # someone without the key: 403, and nobody moves
    seq = server.room.seq
    intruder, _ = contexts(f"{url}/try/", allow=("HTTP 403", "status of 403"))
    for bad_key in (None, "not-the-key", key[:-1]):
        status, text = intruder.evaluate(POST, ["/", 2, bad_key])
        assert status == 403 and "presenter" in text
    assert server.room.seq == seq and server.room.state["path"] == after_index

    # a target outside the site: refused by the server (400) ...
    for target in (["https://evil.example/", 0], ["//evil.example/", 0], [second, 99], [second, -1]):
        status, text = presenter.evaluate(POST, [*target, key])
        assert status == 400, (target, status, text)
    assert server.room.seq == seq
    # ... and by the phone, if a move that is not a slide of this talk reached it anyway
    server.room.move("https://evil.example/", 0)
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'refused'")
    assert phone.evaluate("location.pathname") == after_index
    server.room.move(second, 1)  # the next good move is followed again
    follower_at(phone, second, 1)


def test_a_slide_window_with_a_stale_key_says_the_phones_are_not_following(room, contexts):
    server, url = room
    presenter, _ = contexts(f"{url}/?present#key={'x' * 32}", allow=("HTTP 403", "status of 403"))
    presenter.wait_for_function("() => (document.documentElement.dataset.followError || '').startsWith('403')")
    notice = presenter.locator(".pd-deck .pd-follow-notice")
    assert notice.is_visible() and "not following" in notice.inner_text()
    assert server.room.seq == 0


def test_a_phone_leaves_rejoins_and_learns_that_the_server_stopped(room, contexts):
    server, url = room
    phone, _ = contexts(f"{url}/?follow", phone=True)
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'waiting'")
    server.room.move("/", 2)
    follower_at(phone, "/", 2)
    phone.get_by_role("button", name="Stop following").click()
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'left'")
    assert "follow" not in phone.evaluate("location.search")
    server.room.move("/", 1)
    phone.get_by_role("button", name="Follow the presenter").click()  # rejoin: the current slide at once
    follower_at(phone, "/", 1)
    assert phone.evaluate("document.documentElement.dataset.follow") == "following"
    stop_follow(server, wait_s=30.0)
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'stopped'")
    assert "stopped" in phone.locator(".pd-follow__text").inner_text()
    assert phone.evaluate("location.pathname") == "/"


def test_a_phone_that_follows_to_a_widget_page_does_not_boot_python(room, contexts):
    server, url = room
    phone, watch = contexts(f"{url}/?follow", phone=True)
    phone.wait_for_function("() => document.documentElement.dataset.follow === 'waiting'")
    workers = []
    phone.on("worker", lambda w: workers.append(w))
    with phone.expect_navigation():
        server.room.move("/hog/", 2)
    follower_at(phone, "/hog/", 2)
    phone.wait_for_load_state("load")
    # the slide's heading ends at the top of the phone, below the header, once the page has filled in
    phone.wait_for_function("""() => {
      const h = [...document.querySelectorAll('article.md-content__inner > :is(h1, h2)')][2];
      const top = h.getBoundingClientRect().top, header = document.querySelector('.md-header').getBoundingClientRect();
      return top >= header.bottom - 1 && top < innerHeight / 3;
    }""")
    deferred = phone.locator('.pyodemo-widget[data-mounted="deferred"]')
    assert deferred.count() >= 1
    assert phone.locator(".pd-follow__start").count() == deferred.count()
    demos = [w.url for w in workers if "python-worker" in w.url or "cnn-worker" in w.url]
    assert not demos, f"a follower's page started a demo's worker before any tap: {demos}"
    assert not [u for u in watch.requests if "/vendor/pyodide/" in u or "/wheels/" in u]
    # one tap starts that demo (and only then Python)
    first = deferred.first
    widget = first.get_attribute("data-widget")
    first.locator(".pd-follow__start").click()
    phone.wait_for_selector(f'.pyodemo-widget[data-widget="{widget}"]:is([data-mounted="loading"], [data-mounted="ready"])')
    assert phone.locator(".pd-follow__start").count() == deferred.count()


def test_on_a_static_host_follow_mode_is_not_offered(open_page):
    page, watch = open_page("?follow")
    page.wait_for_function("() => document.documentElement.dataset.follow === 'off'")
    page.wait_for_selector('.pyodemo-widget[data-widget="audience-qr"][data-mounted="ready"]')
    assert page.locator(".pd-follow").count() == 0
    assert page.locator(".pd-qr__item--follow").count() == 0
    assert not [u for u in watch.requests if "/_follow/" in u and not u.endswith("/_follow/config.json")]


def test_the_title_slide_shows_the_follow_link_on_a_follow_server(room, contexts):
    server, url = room
    page, _ = contexts(f"{url}/")
    code = page.locator(".pd-qr__item--follow img.pd-qr__code")
    code.wait_for()
    assert code.get_attribute("data-url") == f"{url}/?follow"
    assert page.evaluate("(async (u) => (await fetch(u)).headers.get('content-type'))", code.get_attribute("src")) == "image/svg+xml"


def test_the_title_slide_with_the_follow_link_fits_at_every_size(room, browser):
    """The slide-fit test's measurements (tests/e2e/slide_fit.py) on the audience slide as a follow server
    draws it: two codes instead of one."""
    server, url = room
    context = browser.new_context(base_url=url, service_workers="block")
    context.set_default_timeout(READY_MS)
    context.add_init_script(CANVAS_TEXT)
    try:
        page = open_deck_page(context, "/")
        watch = PageWatch(page)
        number = 1 + page.evaluate("""() => window.pyodemoPresent.show.slides.findIndex((s) => s.nodes.some((n) =>
          n.nodeType === 1 && (n.matches('[data-widget="audience-qr"]') || n.querySelector('[data-widget="audience-qr"]'))))""")
        assert number >= 1, "no slide holds the audience QR widget"
        rows = list(walk(page, "/", only={number}))
        assert page.locator(".pd-slide .pd-qr__item--follow").count() == 1
        watch.check()
    finally:
        context.close()
    assert {size for *_, size, _ in rows} == set(SIZES)
    for _, _, (w, h), r in rows:
        assert r["frameInWindow"] and r["hidden"] < 1 and not r["clipped"], (w, h, r["outside"], r["clipped"])
        assert not r["small"] and min(r["body"]) >= BODY_MIN - 0.01, (w, h, r["small"], min(r["body"]))


# --- the QR code of the current slide (any host) ----------------------------------------------------

def expected_address(site_url_public: str, path: str, slide: int) -> str:
    anchors = slide_anchors((SITE / path.strip("/") / "index.html").read_text(encoding="utf-8"))
    return site_url_public + path.lstrip("/") + (f"#{anchors[slide]}" if slide else "")


def public_url() -> str:
    return json.loads((SITE / "runtime.json").read_text())["site_url"]


def test_q_shows_the_current_slides_qr_code_full_screen_at_every_size(open_page):
    page, _ = open_page("classification/?present#slide-2")
    page.wait_for_selector("div.pd-deck:not([hidden])")
    overlay = page.locator(".pd-slideqr")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(FRAMES)  # the resize's refit has run
        page.keyboard.press("q")
        page.wait_for_selector('.pd-slideqr[data-state="ready"]:not([hidden])')
        assert overlay.get_attribute("data-url") == expected_address(public_url(), "/classification/", 1)
        assert overlay.locator("img").get_attribute("src").startswith("data:image/svg+xml")
        box = page.evaluate("""() => {
          const r = (el) => el.getBoundingClientRect();
          const frame = r(document.querySelector('.pd-frame')), o = document.querySelector('.pd-slideqr');
          const inside = (a, b) => a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
          return {inFrame: inside(r(o), frame), parts: [...o.querySelectorAll('img, p')].every((e) => inside(r(e), r(o))),
                  big: r(o.querySelector('img')).height >= 0.75 * frame.height,
                  overflow: o.scrollHeight > o.clientHeight + 1 || o.scrollWidth > o.clientWidth + 1,
                  window: inside(frame, {left: 0, top: 0, right: innerWidth, bottom: innerHeight})};
        }""")
        assert box == {"inFrame": True, "parts": True, "big": True, "overflow": False, "window": True}, (width, height, box)
        page.keyboard.press("Escape")  # closes the code, not slide mode
        page.wait_for_selector(".pd-slideqr", state="hidden")
        assert page.locator("div.pd-deck").is_visible()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("q")
    page.wait_for_selector('.pd-slideqr[data-state="ready"]:not([hidden])')
    assert overlay.get_attribute("data-url") == expected_address(public_url(), "/classification/", 2)
    overlay.click()  # a tap closes it
    page.wait_for_selector(".pd-slideqr", state="hidden")


def test_the_speaker_views_button_shows_the_code_on_the_audience_screen(open_page):
    page, _ = open_page("classification/?present#slide-1")
    page.wait_for_selector("div.pd-deck:not([hidden])")
    speaker = page.context.new_page()
    speaker_watch = PageWatch(speaker)
    speaker.goto("classification/?speaker#slide-1")
    speaker.get_by_role("button", name="QR code").click()
    page.wait_for_selector('.pd-slideqr[data-state="ready"]:not([hidden])')
    assert page.locator(".pd-slideqr").get_attribute("data-url") == expected_address(public_url(), "/classification/", 0)
    speaker.keyboard.press("q")
    page.wait_for_selector(".pd-slideqr", state="hidden")
    speaker_watch.check()


def test_the_qr_code_passes_axe(open_page):
    from tests.e2e.test_pages import AXE

    page, _ = open_page("classification/?present#slide-2", bypass_csp=True)
    page.wait_for_selector("div.pd-deck:not([hidden])")
    page.keyboard.press("q")
    page.wait_for_selector('.pd-slideqr[data-state="ready"]:not([hidden])')
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async () => await axe.run('.pd-slideqr', {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']},"
        " rules: {'aria-dialog-name': {enabled: true}}})")
    serious = [f"{v['id']}: {v['help']}" for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
