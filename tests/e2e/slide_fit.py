"""Does every slide fit the projector? Slide mode measured over the whole deck at four window sizes.

Slide mode lays every slide out in one 1920 × 1080 CSS px frame and scales it as a whole to the window
(`slides/js/present/frame.js`), so a slide that fits one window fits them all; this module checks that at
each size all the same, as a person would, on the real pages with their widgets mounted and answered:

* **hidden**: how far (in the frame's own px, 1080 high) anything on the slide reaches past the frame's
  content box (inside its padding), on any side; 0 when the slide fits.
* **clipped**: scroll containers (overflow other than visible) whose content is larger than their box
  (something is cut off or needs scrolling), e.g. a table in a scroll wrapper or an ellipsis.
* **text**: every rendered text on the slide — DOM text, text inside inline SVG, text drawn into canvases
  (recorded by wrapping `fillText`/`strokeText`: font px × the context's scale × the canvas's CSS px per
  canvas px) and text inside SVG pictures (`<img src=*.svg>`: font size × the picture's scale from its
  viewBox) — as a fraction of the slide's height h: body text (paragraphs, list items, quotes) at least
  h / 30, nothing under h / 45. Exempt glyphs (no words, no numbers) are listed in `EXEMPT`.

Run ``python -m tests.e2e.slide_fit [--site site] [--shots]`` for the table of every slide at the four
sizes; `tests/e2e/test_slide_fit.py` asserts it.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
from pathlib import Path

#: Window sizes: 720p, a common laptop, 1080p, and 4:3 (letterboxed).
SIZES = ((1280, 720), (1366, 768), (1920, 1080), (1024, 768))
SLIDE = (1920, 1080)
BODY_MIN = SLIDE[1] / 30   # 36 px of the 1080 px slide
LABEL_MIN = SLIDE[1] / 45  # 24 px
#: Decorative glyphs that carry no words or numbers, exempt from the text sizes: selector → why.
EXEMPT: dict[str, str] = {}
#: Bounds a hang only (Pyodide's boot on a busy machine, a model's download): nothing is timed.
READY_MS = 180_000

#: Before any page script: remember the fonts of the text drawn into each canvas (with the canvas's size
#: at the time, so text drawn before a resize of the backing store is not mixed with the current picture;
#: clearing the whole canvas forgets the text drawn before, as it is gone from the picture).
CANVAS_TEXT = """(() => {
  const proto = CanvasRenderingContext2D.prototype, clear = proto.clearRect;
  proto.clearRect = function (x, y, w, h) {
    const m = this.getTransform(), c = this.canvas;
    if (c.__pdText && !m.b && !m.c && m.a * x + m.e <= 0 && m.d * y + m.f <= 0
        && m.a * (x + w) + m.e >= c.width && m.d * (y + h) + m.f >= c.height) c.__pdText.length = 0;
    return clear.call(this, x, y, w, h);
  };
  for (const name of ["fillText", "strokeText"]) {
    const original = proto[name];
    proto[name] = function (text, ...rest) {
      const m = this.getTransform(), px = parseFloat(/(\\d+(?:\\.\\d+)?)px/.exec(this.font)?.[1] ?? "10");
      const c = this.canvas, list = (c.__pdText ??= []);
      list.push({ text: String(text), px: px * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)), w: c.width, h: c.height });
      if (list.length > 400) list.splice(0, list.length - 400);
      return original.call(this, text, ...rest);
    };
  }
})();"""

#: Has the widget `el` mounted and answered? (the states the widgets publish; see their modules)
ANSWERED = """(el) => {
  const d = el.dataset, w = d.widget;
  if (d.mounted === "failed" || d.mounted === "static") return true;
  if (d.mounted !== "ready" || d.busy) return false;
  const onScreen = (i) => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; };
  if ([...el.querySelectorAll("img")].some((i) => i.checkVisibility() && onScreen(i) && !(i.complete && i.naturalWidth))) return false;
  if (w === "classifier") {
    if (d.loading || !d.picture) return false;
    const key = d.picture + ":" + d.box;
    return [...el.querySelectorAll(".clf-card")].every((c) => c.dataset.for === key && ["done", "error"].includes(c.dataset.state));
  }
  if (["hog-explorer", "kernel-compare"].includes(w)) return Boolean(d.ready || d.error);
  if (w === "convolution") return Boolean(el.querySelector(".convx-filters[data-ready], .pyodemo-error"));
  if (w === "svm-playground") return Boolean(d.version && d.shown === d.version) || Boolean(d.error);
  if (w === "gradient-explorer") return el.querySelectorAll("dd[data-value], .pyodemo-error").length > 0;
  if (w === "code-editor") return ["ready", "done", "error", "failed"].includes(d.state);
  if (w === "feature-maps") return Boolean(d.results);
  return true;
}"""

MEASURE = """async ([exempt, body, label, scale, patience]) => {
  // first the window's size applied: slide mode has scaled the frame to it (a frame at a time, bounded)
  const deck = document.querySelector("div.pd-deck"), since = performance.now();
  const nextFrame = () => new Promise((done, fail) => {  // the next frame, or an error (never a test that hangs)
    const late = setTimeout(() => fail(new Error(`no animation frame in ${patience} ms`)), patience);
    requestAnimationFrame(() => { clearTimeout(late); done(); });
  });
  while (Math.abs(Number(deck.dataset.scale) - scale) >= 1e-3) {
    if (performance.now() - since > patience) throw new Error(`slide mode did not scale to ${scale}: ${deck.dataset.scale}`);
    await nextFrame();
  }
  // then what the last layout set off: a canvas redraws from its ResizeObserver in the next frame
  // (svm-draw.js crispCanvas), so text drawn at the old size is not measured at the new one
  for (let i = 0; i < 2; i++) await nextFrame();
  const frame = document.querySelector(".pd-deck .pd-frame");
  const fr = frame.getBoundingClientRect(), s = fr.width / 1920, cs = getComputedStyle(frame);
  const box = { left: fr.left + parseFloat(cs.paddingLeft) * s, right: fr.right - parseFloat(cs.paddingRight) * s,
                top: fr.top + parseFloat(cs.paddingTop) * s, bottom: fr.bottom - parseFloat(cs.paddingBottom) * s };
  const skip = (el) => el.closest(".pyodemo-visually-hidden, [data-speaker-notes]");
  const exempted = (el) => exempt.some((sel) => el.closest(sel));
  const name = (el) => {
    const widget = el.closest(".pyodemo-widget")?.dataset.widget;
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/)[0] : "";
    return (widget ? widget + " " : "") + el.tagName.toLowerCase() + cls;
  };
  const out = { scale: s, window: [innerWidth, innerHeight],
    frameInWindow: fr.left > -0.5 && fr.top > -0.5 && fr.right < innerWidth + 0.5 && fr.bottom < innerHeight + 0.5,
    hidden: 0, outside: [], clipped: [], small: [], body: [] };
  for (const el of frame.querySelectorAll("*")) {
    // (an inline SVG's own box stands for its drawing: what it draws outside its box is clipped away)
    if (skip(el) || el.parentElement.closest("svg") || !el.checkVisibility({ visibilityProperty: true })) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const over = Math.max(r.bottom - box.bottom, box.top - r.top, r.right - box.right, box.left - r.left) / s;
    if (over > 0.5) {
      out.hidden = Math.max(out.hidden, over);
      if (out.outside.length < 6) out.outside.push(`${name(el)} +${Math.round(over)}`);
    }
  }
  for (const el of [frame, ...frame.querySelectorAll("*")]) {
    if (el.closest("svg") || el.matches("input, select") || skip(el) || !el.checkVisibility()) continue;
    const st = getComputedStyle(el);
    if (st.overflowX === "visible" && st.overflowY === "visible") continue;
    const dy = el.scrollHeight - el.clientHeight, dx = el.scrollWidth - el.clientWidth;
    if (dy > 1 || dx > 1) out.clipped.push(`${name(el)} ${dx > 1 ? "→" + dx : ""}${dy > 1 ? "↓" + dy : ""}`);
  }
  const text = (px, kind, what, el) => {
    if (kind === "body") out.body.push(px);
    const min = kind === "body" ? body : label;
    if (px < min - 0.01 && !exempted(el) && out.small.length < 12) out.small.push(`${what} ${px.toFixed(1)}px<${Math.round(min)}`);
  };
  const BODY = "p, li, dd, blockquote";
  const NOT_BODY = ".pyodemo-widget, table, figure, pre, code, kbd, sub, sup, math, .admonition, details, svg, .arithmatex";
  const walker = document.createTreeWalker(frame, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement, words = t.textContent.replace(/[\\s\\u200b]+/g, " ").trim();
    if (!words || !el || skip(el) || el.closest("script, style, title, desc") || !el.checkVisibility()) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const svg = el instanceof SVGElement ? el.closest("svg") : null;
    if (svg) {
      const r = svg.getBoundingClientRect(), vb = svg.viewBox?.baseVal;
      px *= vb && vb.width ? Math.min(r.width / vb.width, r.height / vb.height) / s : r.width / s / (svg.width.baseVal.value || r.width / s);
    }
    const kind = el.closest(BODY) && !el.closest(NOT_BODY) ? "body" : "label";
    text(px, kind, `${name(el)} "${words.slice(0, 24)}"`, el);
  }
  for (const canvas of frame.querySelectorAll("canvas")) {
    if (skip(canvas) || !canvas.checkVisibility() || !canvas.height) continue;
    const drawn = (canvas.__pdText ?? []).filter((d) => d.w === canvas.width && d.h === canvas.height && d.text.trim());
    if (!drawn.length) continue;
    const least = drawn.reduce((a, b) => (b.px < a.px ? b : a));
    text(least.px * canvas.clientHeight / canvas.height, "label", `${name(canvas)} text "${least.text.slice(0, 16)}"`, canvas);
  }
  const fonts = (window.__pdSvgFonts ??= new Map());
  for (const img of frame.querySelectorAll("img")) {
    const src = img.currentSrc || img.src;
    if (!/\\.svg($|[?#])/.test(src) || skip(img) || !img.checkVisibility()) continue;
    if (!fonts.has(src)) {
      const doc = new DOMParser().parseFromString(await (await fetch(src)).text(), "image/svg+xml");
      const root = doc.documentElement, vb = (root.getAttribute("viewBox") || "").split(/[\\s,]+/).map(Number);
      const size = (node) => {
        for (let n = node; n && n.getAttribute; n = n.parentNode) {
          const v = n.getAttribute("font-size") ?? /font-size:\\s*([\\d.]+)/.exec(n.getAttribute("style") || "")?.[1];
          if (v) return parseFloat(v);
        }
        return 16;
      };
      let least = null;
      for (const node of doc.querySelectorAll("text, tspan")) {
        const own = [...node.childNodes].filter((c) => c.nodeType === 3).map((c) => c.textContent).join("").trim();
        if (own && (!least || size(node) < least.px)) least = { px: size(node), text: own };
      }
      fonts.set(src, { least, vb: vb.length === 4 ? vb : [0, 0, Number(root.getAttribute("width")), Number(root.getAttribute("height"))] });
    }
    const { least, vb } = fonts.get(src);
    if (!least || !vb[2]) continue;
    const k = Math.min(img.clientWidth / vb[2], img.clientHeight / vb[3]);
    text(least.px * k, "label", `img ${src.split("/").pop()} "${least.text.slice(0, 16)}"`, img);
  }
  return out;
}"""


def frame_scale(width: int, height: int) -> float:
    """The factor slide mode scales the 1920 × 1080 frame by: min(W / 1920, H / 1080)."""
    return min(width / SLIDE[0], height / SLIDE[1])


def show_slide(page, index: int) -> None:
    """Show slide `index` (0-based) of this page and wait until its widgets have mounted and answered."""
    page.evaluate("(i) => window.pyodemoPresent.show.show(i)", index)
    page.wait_for_function(
        f"(i) => document.querySelector('div.pd-deck').dataset.slide === String(i + 1)"
        f" && [...document.querySelectorAll('.pd-slide .pyodemo-widget')].every({ANSWERED})", arg=index, timeout=READY_MS)


def choose_samples(page) -> None:
    """The classifier on this slide shows its first sample's answers (what a presenter does first)."""
    for widget in page.locator(".pd-slide .pyodemo-widget[data-widget='classifier']").all():
        widget.wait_for(state="attached")
        page.wait_for_function("(el) => el.dataset.mounted && el.dataset.mounted !== 'loading'", arg=widget.element_handle())
        if widget.get_attribute("data-mounted") != "ready" or widget.get_attribute("data-picture"):
            continue
        sample = widget.locator("button[data-sample]").first
        sample.wait_for()
        sample.click()


def measure_at(page, width: int, height: int) -> dict:
    """Resize the window to `width` × `height` and measure the slide once slide mode has scaled to it (one
    round trip: `MEASURE` waits for the new scale itself)."""
    page.set_viewport_size({"width": width, "height": height})
    return page.evaluate(MEASURE, [list(EXEMPT), BODY_MIN, LABEL_MIN, frame_scale(width, height), READY_MS])


def screenshooter(page):
    """A function (path) that writes a JPEG of the window: Chromium's own capture through CDP, a third to a
    half of `page.screenshot`'s time here (which also waits for fonts and hides the caret: the fonts have
    loaded and the slide has answered by the time the fit test takes a picture)."""
    try:
        cdp = page.context.new_cdp_session(page)
    except Exception:  # not Chromium: Playwright's own
        return lambda path: page.screenshot(path=str(path), type="jpeg", quality=80)

    def shoot(path: Path) -> None:
        shot = cdp.send("Page.captureScreenshot", {"format": "jpeg", "quality": 80, "optimizeForSpeed": True})
        path.write_bytes(base64.b64decode(shot["data"]))
    return shoot


def open_deck_page(context, path: str):
    page = context.new_page()
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.goto(f"{path.lstrip('/')}?present#slide-1")
    page.wait_for_selector("div.pd-deck:not([hidden])")
    page.wait_for_function("() => window.pyodemoPresent?.show?.active")
    return page


def walk(page, path: str, shots: Path | None = None, only=None, sizes=SIZES):
    """Yield (slide number, state name, (w, h), measurement) for every slide of the page in slide mode, at
    each size (the window resized, never reloaded): first as it opens, then in each state one click away
    (every control the widgets mark with `data-slide-state`, clicked in turn)."""
    count = int(page.locator("div.pd-deck").get_attribute("data-slides"))
    stem = path.strip("/") or "index"
    sizes = list(sizes)
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    shoot = screenshooter(page) if shots else None
    for index in range(count):
        if only and index + 1 not in only:
            continue
        page.evaluate("(i) => window.pyodemoPresent.show.show(i)", index)
        choose_samples(page)
        show_slide(page, index)
        states = page.eval_on_selector_all(".pd-slide [data-slide-state]", "els => els.map((e) => e.dataset.slideState)")
        for state in ["", *states]:
            if state:
                control = page.locator(f'.pd-slide [data-slide-state="{state}"]').first
                if not control.is_visible():  # inside another view of the widget: back to its first view
                    page.locator(".pd-slide .pd-views [data-slide-state]").first.click()
                control.click()
                show_slide(page, index)
            for width, height in sizes:
                result = measure_at(page, width, height)
                if shoot:  # (JPEG: a quarter of PNG's encoding time)
                    shoot(shots / f"fit-{stem}-{index + 1}{'-' + state if state else ''}-{width}x{height}.jpg")
                yield index + 1, state, (width, height), result
            sizes.reverse()  # the next slide starts at this size: one resize fewer


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
    from site_tools.serve import serve_in_thread
    from tests.e2e.test_pdf import built_deck

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="site")
    parser.add_argument("--shots", action="store_true", help="screenshots under tests/artifacts/fit/")
    parser.add_argument("--page", action="append", help="only this page (URL path, e.g. /svm/)")
    parser.add_argument("--slide", type=int, action="append", help="only this slide of the page (1-based)")
    parser.add_argument("--size", action="append", help="only this window size, e.g. 1920x1080")
    args = parser.parse_args(argv)
    server, base = serve_in_thread(Path(args.site))
    shots = Path("tests/artifacts/fit") if args.shots else None
    rows, bodies = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for path, _ in built_deck(Path(args.site)):
                if args.page and path not in args.page:
                    continue
                context = browser.new_context(base_url=base, service_workers="block")
                context.set_default_timeout(READY_MS)
                context.add_init_script(CANVAS_TEXT)
                page = open_deck_page(context, path)
                sizes = [tuple(map(int, x.split("x"))) for x in args.size] if args.size else SIZES
                for number, state, (w, h), r in walk(page, path, shots, args.slide, sizes):
                    bodies += r["body"]
                    rows.append((path, number, state, w, h, r))
                    print(f"{path}#{number}{' ' + state if state else ''} {w}x{h}: hidden {r['hidden']:.0f}"
                          f"{' ' + ', '.join(r['outside']) if r['outside'] else ''}"
                          f"{' | clipped ' + ', '.join(r['clipped']) if r['clipped'] else ''}"
                          f"{' | small ' + ', '.join(r['small']) if r['small'] else ''}", flush=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    slides = {(p, n, s) for p, n, s, *_ in rows}
    for w, h in sizes:
        over = {(p, n, s) for p, n, s, ww, hh, r in rows if (ww, hh) == (w, h) and r["hidden"] > 0.5}
        print(f"{w}x{h}: {len(over)} of {len(slides)} slides/states have something outside the slide")
    if bodies:
        print(f"median body text: {statistics.median(bodies):.1f} px of 1080 (1/{1080 / statistics.median(bodies):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
