"""The dataset gallery (dataset page) and the KPI widget (results page), on a desktop and on a phone.

Both widgets only display `models/metrics.json` (and the samples): the numbers a person reads on the
page must be the report's, a confusion-matrix cell must be reachable by keyboard and say what it
means, nothing may scroll sideways at 360 px, and neither widget may start Python.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import ARTIFACTS, SITE

GALLERY = '.pyodemo-widget[data-widget="dataset-gallery"]'
KPIS = '.pyodemo-widget[data-widget="kpis"]'
DEVICES = [None, "Pixel 7"]
SPLITS = ("train", "val", "test")


def metrics() -> dict:
    path = SITE / "models" / "metrics.json"
    if not path.is_file():
        pytest.skip(f"no report in this build ({path}): run `python -m export report` and rebuild")
    return json.loads(path.read_text())


def fixed(x: float, digits: int = 3) -> str:
    """JavaScript's ``x.toFixed(digits)``: the float's exact value, a tie rounded away from zero (Python's
    format rounds a tie to even: 0.5625 → '0.562', where the page shows '0.563')."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def fixed3(x: float) -> str:
    return fixed(x, 3)


def pct(x: float) -> str:
    return f"{fixed(100 * x, 1)}%"


def number(text: str) -> int:
    return int(text.replace(",", "").strip())


def mount(page, selector: str) -> None:
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_selector(f'{selector}[data-mounted="ready"], {selector}[data-mounted="failed"]')
    assert page.get_attribute(selector, "data-mounted") == "ready", page.inner_text(selector)


def no_sideways_scroll_at_360(page, name: str) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    # laid out again at the new width (resize observers run before the next frames are drawn)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"{name} scrolls sideways at 360 px: {widths}"
    overflowing = page.evaluate("""(sel) => [...document.querySelectorAll(sel + ' *')]
        .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 1; })
        .map((e) => e.tagName + '.' + e.className).slice(0, 5)""", GALLERY if "gallery" in name else KPIS)
    assert not overflowing, f"{name}: elements stick out at 360 px: {overflowing}"


def no_python(watch) -> None:
    started = [u for u in watch.requests if "pyodide" in u or "python-worker" in u or u.endswith(".whl")]
    assert not started, f"a data widget started Python: {started[:3]}"


@pytest.mark.parametrize("device", DEVICES)
def test_gallery_shows_every_class_and_the_reports_counts(open_page, device):
    m = metrics()
    d = m["dataset"]
    page, watch = open_page("dataset/", device=device)
    mount(page, GALLERY)
    cards = page.locator(f"{GALLERY} .dsg-card")
    assert cards.count() == 10 == len(m["classes"])
    assert [cards.nth(i).get_attribute("data-class") for i in range(10)] == m["classes"]
    # every sample picture actually loaded (lazily: bring them into view)
    page.locator(f"{GALLERY} .dsg-grid").scroll_into_view_if_needed()
    page.wait_for_function("(sel) => [...document.querySelectorAll(sel + ' .dsg-card img')].every((i) => i.complete && i.naturalWidth > 0)",
                           arg=GALLERY)
    # the counts table, as a person reads it, equals the report
    for cls in m["classes"] + ["all"]:
        row = page.locator(f'{GALLERY} .dsg-table tr[data-class="{cls}"]')
        shown = {s: number(row.locator(f'td[data-split="{s}"]').inner_text()) for s in (*SPLITS, "total")}
        expected = d["totals"] if cls == "all" else d["counts"][cls]
        assert shown == {s: expected[s] for s in (*SPLITS, "total")}, cls
    sizes = page.inner_text(f'{GALLERY} [data-role="split-sizes"]')
    for s, label in zip(SPLITS, ("train", "validation", "test")):
        assert f"{d['totals'][s]:,} {label}" in sizes
    imbalance = page.inner_text(f'{GALLERY} [data-role="imbalance"]')
    t = d["imbalance"]["train"]
    assert t["largest"]["class"] in imbalance and t["smallest"]["class"] in imbalance and f"{t['ratio']:.1f} ×" in imbalance
    for model in ("hog_svm", "cnn"):
        items = page.locator(f'{GALLERY} .dsg-augs [data-model="{model}"] li')
        assert items.count() == len(d["augmentations"][model])
    # the kind of picture can be switched by keyboard: focus the first radio, arrow to the artworks
    page.focus(f"{GALLERY} .dsg-kinds input")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(sel) => document.querySelector(sel + ' .dsg-grid').dataset.kind === 'unseen-art'", arg=GALLERY)
    assert page.locator(f"{GALLERY} .dsg-card img").first.get_attribute("alt").endswith("dream-world artworks")
    page.locator(f"{GALLERY} .dsg-kinds input").first.check()
    page.locator(GALLERY).screenshot(path=str(screenshot_path(f"dataset-gallery-{'phone' if device else 'desktop'}")))
    if device:
        no_sideways_scroll_at_360(page, "the dataset gallery")
    no_python(watch)


def screenshot_path(name: str):
    """Where a widget's screenshot goes (tests/artifacts/, gitignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.parametrize("device", DEVICES)
def test_kpis_show_the_reports_numbers_and_a_readable_matrix(open_page, device):
    m = metrics()
    classes = m["classes"]
    page, watch = open_page("results/", device=device)
    mount(page, KPIS)
    # the accuracy table: what a person reads equals metrics.json
    for key, ev in m["evaluations"].items():
        for model in ("hog_svm", "cnn"):
            cell = page.locator(f'{KPIS} .kpi-accuracy tr[data-set="{key}"] td[data-model="{model}"]')
            r = ev[model]
            if not r.get("n"):
                continue
            text = cell.inner_text()
            main = cell.locator(".kpi-main").inner_text()
            if key == "unseen_art":
                assert main == f"{r['correct']} / {r['n']}"
            else:
                assert main == pct(r["accuracy"]) and f"{r['correct']:,} / {r['n']:,}" in text
            if "macro_f1" in r:
                assert f"macro-F1 {fixed3(r['macro_f1'])}" in text
    for model in ("hog_svm", "cnn"):
        r = m["not_pokemon"][model]
        cell = page.locator(f'{KPIS} .kpi-accuracy tr[data-set="not_pokemon"] td[data-model="{model}"]')
        assert cell.locator("strong").inner_text() == f"{r['rejected']} / {r['n']}"

    # the matrix: Tab from the set chooser lands on a cell; arrows move; the cell says what it means
    page.locator(f"{KPIS} .kpi-controls select").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('kpi-cell')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    count = m["evaluations"]["test"]["hog_svm"]["confusion"][1][2]
    sentence = f"{count} {classes[1]} {'image' if count == 1 else 'images'} predicted as {classes[2]}"
    active = page.evaluate("() => [document.activeElement.dataset.row, document.activeElement.dataset.col, "
                           "document.activeElement.getAttribute('aria-label'), document.activeElement.textContent]")
    assert active == ["1", "2", sentence, str(count)]
    readout = page.locator(f'{KPIS} [data-role="readout"]')
    assert sentence in readout.inner_text() and readout.get_attribute("aria-live") == "polite"
    # every cell of every matrix shows the report's count
    for model in ("hog_svm", "cnn"):
        page.check(f'{KPIS} .kpi-choice input[value="{model}"]')
        for key, ev in m["evaluations"].items():
            if not ev[model].get("confusion"):
                continue
            page.select_option(f"{KPIS} .kpi-controls select", key)
            shown = page.eval_on_selector_all(f"{KPIS} .kpi-matrix td.kpi-cell", "tds => tds.map((t) => Number(t.textContent))")
            assert shown == [v for row in ev[model]["confusion"] for v in row], (model, key)
            f1 = page.eval_on_selector_all(f"{KPIS} .kpi-prf tbody tr", "trs => trs.map((t) => t.children[3].textContent)")
            assert f1 == [fixed3(ev[model]['per_class'][c]['f1']) for c in classes], (model, key)
    # a pointer over a cell says the same
    page.select_option(f"{KPIS} .kpi-controls select", "test")
    cell = page.locator(f'{KPIS} .kpi-matrix td[data-row="0"][data-col="0"]')
    cell.hover() if not device else cell.tap()
    n00 = m["evaluations"]["test"]["cnn"]["confusion"][0][0]
    assert f"{n00} {classes[0]} {'image' if n00 == 1 else 'images'} predicted as {classes[0]} (correct)" in readout.inner_text()

    # the unseen artworks: one card each, each model's ✓/✗ as in the report
    art = m["evaluations"]["unseen_art"]
    cards = page.locator(f"{KPIS} .kpi-artcard")
    assert cards.count() == len(art["cnn"]["answers"]) == 10
    for model in ("hog_svm", "cnn"):
        for a in art[model]["answers"]:
            li = page.locator(f'{KPIS} .kpi-artcard[data-class="{a["class"]}"] li[data-model="{model}"]')
            assert li.locator(".kpi-mark").inner_text() == ("✓" if a["correct"] else "✗")
            assert a["predicted"] in li.inner_text()
    page.locator(f"{KPIS} .kpi-art").scroll_into_view_if_needed()  # the thumbnails load lazily
    page.wait_for_function("(sel) => [...document.querySelectorAll(sel + ' .kpi-artcard img')].every((i) => i.complete && i.naturalWidth > 0)",
                           arg=KPIS)
    page.locator(KPIS).screenshot(path=str(screenshot_path(f"kpis-{'phone' if device else 'desktop'}")))
    if device:
        no_sideways_scroll_at_360(page, "the KPI widget")
        page.locator(f"{KPIS} .kpi-matrix").screenshot(path=str(screenshot_path("kpis-matrix-360")))
    no_python(watch)


def test_kpi_figures_linked_from_the_widget_are_served(open_page):
    m = metrics()
    page, _ = open_page("results/")
    mount(page, KPIS)
    links = page.eval_on_selector_all(f"{KPIS} .kpi-figures a", "as => as.map((a) => a.href)")
    assert len(links) == len(m["figures"])
    for href in links:
        response = page.request.get(href)
        assert response.ok and response.headers["content-type"].startswith("image/svg+xml"), href
        assert b"<title" in response.body()
