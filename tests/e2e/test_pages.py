"""Every page of the talk: loads under the site's CSP with no console error, no failed widget, no
horizontal scroll on a 360 px phone, no deprecation or other browser issue, and no serious or critical
axe-core accessibility violation."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml

from site_tools import page_css
from tests.e2e.conftest import ROOT, SITE, screenshot

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def nav_pages() -> list[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    pages = []
    for entry in config["nav"]:
        (source,) = entry.values()
        pages.append("" if source == "index.md" else source.removesuffix(".md") + "/")
    return pages


PAGES = nav_pages()


def settle(page) -> None:
    """Wait until no widget on the page is still loading its module."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.pyodemo-widget[data-mounted=\"loading\"]')")


#: Runs before the page's scripts: every layout shift not caused by input, as the browser reports it.
LAYOUT_SHIFTS = """(() => {
  const shifts = (globalThis.__layoutShifts = []);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) shifts.push({ value: e.value, sources: e.sources.map((s) => s.node?.className || s.node?.nodeName || "?") });
    }
  }).observe({ type: "layout-shift", buffered: true });
})();"""

#: Lighthouse's "good" cumulative layout shift is 0.1; the site's goal is half of it.
MAX_CLS = 0.05


def settled_shifts(page) -> tuple[float, list]:
    """The page's cumulative layout shift once its widgets have mounted and answered what they show unasked
    (the classifier its first sample), the way a visitor sees the page fill in."""
    page.wait_for_function("() => [...document.querySelectorAll('.pyodemo-widget[data-widget=\"classifier\"]')]"
                           ".every((el) => el.dataset.mounted === 'failed' || [...el.querySelectorAll('.clf-card')]"
                           ".every((c) => ['done', 'error'].includes(c.dataset.state)))", timeout=180_000)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shifts = page.evaluate("() => globalThis.__layoutShifts")
    return sum(s["value"] for s in shifts), shifts


@pytest.fixture(scope="module")
def static_host():
    """The site served as a static host (GitHub Pages) serves it: none of the site's headers, so the pages'
    `<meta>` CSP is the only policy and there is no COOP/COEP (no cross-origin isolation)."""
    from site_tools.serve import make_server

    server = make_server(SITE, port=0)
    server.RequestHandlerClass.headers_extra = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


#: Log entries that are the browser telling the page it does something wrong or on its way out (CDP
#: `Log.LogEntry.source`), at any level; any other source only at level "error" ("network" is left to the
#: HTTP status check, "violation" entries are timings such as "handler took 80 ms", not defects).
FLAGGED_SOURCES = {"deprecation", "intervention", "security", "recommendation"}


def browser_issues(page) -> list[str]:
    """Start collecting, through CDP, every issue the browser reports for the page (the Issues panel's
    `Audits.issueAdded`: deprecations, CSP, cross-origin isolation, mixed content, cookies, quirks mode...)
    and every log entry it writes as a deprecation, an intervention or a security or recommendation note, or
    as an error."""
    found: list[str] = []
    cdp = page.context.new_cdp_session(page)

    def issue(params):
        details = params["issue"]
        found.append(f"issue {details['code']}: {json.dumps(details.get('details', {}))[:400]}")

    def entry(params):
        e = params["entry"]
        if e["source"] in FLAGGED_SOURCES or (e["level"] == "error" and e["source"] not in ("network", "violation")):
            found.append(f"log {e['source']}/{e['level']}: {e['text'][:300]} {e.get('url', '')}")

    cdp.on("Audits.issueAdded", issue)
    cdp.on("Log.entryAdded", entry)
    cdp.send("Audits.enable")
    cdp.send("Log.enable")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_on_a_phone(open_page, static_host, path):
    page, _ = open_page(None, device="Pixel 7")
    page.add_init_script(LAYOUT_SHIFTS)
    issues = browser_issues(page)
    page.goto(f"{static_host}/{path}")
    settle(page)
    cls, shifts = settled_shifts(page)
    assert cls <= MAX_CLS, f"/{path}: content jumps as the page fills in (CLS {cls:.3f}): {shifts}"
    failed = page.eval_on_selector_all(".pyodemo-widget[data-mounted='failed']", "els => els.map(e => e.dataset.widget)")
    assert not failed, f"widgets failed to start on /{path}: {failed}"
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"/{path} scrolls sideways at phone width: {widths}"
    assert not issues, f"/{path}: the browser reports issues with the page: {issues}"
    # nothing on the page starts Material's JavaScript by itself: it waits for the reader (js/material.js)
    assert page.evaluate("() => document.documentElement.dataset.material") is None, f"/{path} started Material unasked"
    # each page links only the widget sheets it uses (site_tools.page_css): none it uses is missing
    own, _ = page_css.sheets(ROOT / "slides" / "css")
    classes, linked = page.evaluate("""() => [[...new Set([...document.querySelectorAll('[class]')]
        .flatMap(e => [...e.classList]))], [...document.styleSheets].map(s => s.href?.split('/').pop())]""")
    missing = {name: sorted(own[name] & set(classes)) for name in own.keys() - set(linked) if own[name] & set(classes)}
    assert not missing, f"/{path} uses classes of stylesheets it does not link: {missing}"


#: The axe-core rules of Lighthouse's accessibility category, read from the pinned npm package: one audit
#: module per axe rule, named after it (`axe-audit.js` is their base class; the manual checks live in a
#: folder of their own). Lighthouse counts any violation of them, whatever axe's impact.
LIGHTHOUSE_AUDITS = ROOT / "node_modules" / "lighthouse" / "core" / "audits" / "accessibility"
LIGHTHOUSE_AXE_RULES = sorted(p.stem for p in LIGHTHOUSE_AUDITS.glob("*.js") if p.stem != "axe-audit")


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(open_page, path):
    # axe-core is injected as a script, which the site's CSP (rightly) forbids: bypass it for this test only.
    page, _ = open_page(path, bypass_csp=True)
    settle(page)
    page.add_script_tag(path=str(AXE))
    # WCAG 2.1 A/AA (serious and critical violations), plus every axe rule of Lighthouse's accessibility
    # category, where any violation costs the score (heading order, a dialog's name, label-in-name, ...).
    serious = []
    # twice: as the page loads, and once Material's JavaScript has started (js/material.js: at the first key)
    for state in ("at load", "with Material started"):
        if state != "at load":
            page.keyboard.press("Shift")
            page.wait_for_function("() => document.documentElement.dataset.material === 'ready'")
        results = page.evaluate(
            """async (lighthouse) => {
              const known = new Set(axe.getRules().map((r) => r.ruleId));
              const rules = Object.fromEntries(lighthouse.filter((id) => known.has(id)).map((id) => [id, {enabled: true}]));
              return await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}, rules});
            }""", LIGHTHOUSE_AXE_RULES)
        ran = {r["id"] for key in ("violations", "passes", "incomplete", "inapplicable") for r in results[key]}
        assert {"aria-dialog-name", "label-content-name-mismatch", "heading-order"} <= ran, "axe did not run the extra rules"
        serious += [
            f"{state}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical") or v["id"] in LIGHTHOUSE_AXE_RULES
        ]
    if serious:
        screenshot(page, f"axe-{path.strip('/') or 'index'}")
    assert not serious, "\n".join(serious)


def test_formulas_are_mathml_in_their_font_and_only_pages_with_formulas_fetch_it(open_page):
    """The formulas are MathML written at build time (site_tools/math_prerender.py): on the HOG page every
    formula is laid-out ``<math>``, no page runs a formula library, and the formulas are drawn in their
    math font (site_tools/math_font.py: a missing or broken font file fails here); the Try-it page (no
    formulas) fetches nothing of them."""
    page, watch = open_page("hog/")
    page.wait_for_function("() => document.querySelectorAll('.arithmatex').length > 0"
                           " && !document.querySelector('.arithmatex:not([data-rendered])')")
    # each formula is MathML and nothing else (an inline one may be several <math>, one per stretch it can wrap at)
    assert page.locator(".arithmatex").evaluate_all(
        "els => els.every((e) => e.children.length > 0 && [...e.children].every((c) => c.localName === 'math'))")
    assert page.evaluate("() => !document.querySelector('script[src*=\"temml\"], script[src*=\"katex\"]')")
    page.locator(".arithmatex").first.scroll_into_view_if_needed()
    page.wait_for_function("() => document.fonts.ready.then(() => [...document.fonts].some("
                           "(f) => f.family.replace(/[\"']/g, '') === 'Latin Modern Math' && f.status === 'loaded'))")
    sizes = page.locator(".arithmatex > math:visible").evaluate_all(
        "ms => ms.map((m) => { const r = m.getBoundingClientRect(); return [r.width, r.height]; })")
    assert sizes and all(w > 0 and h > 0 for w, h in sizes), sizes
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto("try/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".arithmatex").count() == 0
    assert not [u for u in fetched if "/vendor/temml/" in u], "the Try-it page (no formulas) fetched the formulas' files"
