"""Slides that fit the projector (issue 18): every slide of the deck, in slide mode, at 1280 × 720,
1366 × 768, 1920 × 1080 and 1024 × 768, after its widgets have mounted and answered, and in each state one
click away (every control a widget marks with `data-slide-state`).

One page load per page of the deck: the window is resized, never reloaded, so Pyodide boots once per page.
The measurements are `tests/e2e/slide_fit.py`'s (read its docstring for what each one means); a screenshot of
every slide at every size goes to `tests/artifacts/fit/` for a person to look at, with the numbers of each
page (`fit-<page>.json`).
"""

from __future__ import annotations

import json
import statistics

import pytest

from tests.e2e.conftest import ARTIFACTS, PageWatch
from tests.e2e.slide_fit import BODY_MIN, CANVAS_TEXT, LABEL_MIN, READY_MS, SIZES, frame_scale, open_deck_page, walk
from tests.e2e.test_pdf import built_deck

SHOTS = ARTIFACTS / "fit"


def deck_pages():
    return [path for path, _ in built_deck()] or ["/"]


@pytest.fixture(scope="module", params=deck_pages())
def measured(request, browser, site_url):
    """[(slide, state, (w, h), measurement)] for one page of the deck, walked once for all the tests."""
    path = request.param
    context = browser.new_context(base_url=site_url, service_workers="block")
    context.set_default_timeout(READY_MS)
    context.add_init_script(CANVAS_TEXT)
    page = open_deck_page(context, path)
    watch = PageWatch(page)
    try:
        rows = list(walk(page, path, SHOTS))
        watch.check()
    finally:
        context.close()
    # the numbers beside the screenshots, for a person (and the table)
    (SHOTS / f"fit-{path.strip('/') or 'index'}.json").write_text(json.dumps(
        [{"slide": n, "state": s, "size": f"{w}x{h}", **r} for n, s, (w, h), r in rows], indent=1))
    return path, rows


def test_every_slide_fits_at_every_size(measured):
    """Nothing outside the slide's box, no box that hides what it holds, the slide inside the window, and
    the one scale factor per window size."""
    path, rows = measured
    assert rows, f"{path}: no slide measured"
    assert {size for *_, size, _ in rows} == set(SIZES)
    problems = []
    for number, state, (w, h), r in rows:
        where = f"{path}#slide-{number}{' [' + state + ']' if state else ''} at {w}×{h}"
        assert abs(r["scale"] - frame_scale(w, h)) < 1e-3, f"{where}: scaled by {r['scale']}"
        if not r["frameInWindow"]:
            problems.append(f"{where}: the slide is not inside the window")
        if r["hidden"] >= 1:  # (a fraction of a px is the layout's rounding)
            problems.append(f"{where}: {r['hidden']:.0f} px outside the slide ({', '.join(r['outside'])})")
        if r["clipped"]:
            problems.append(f"{where}: clipped {', '.join(r['clipped'])}")
    assert not problems, "\n".join(problems)


def test_text_is_legible_from_the_back_of_the_room(measured):
    """Body text at least 1/30 of the slide's height, nothing under 1/45 (SVG and canvas text included)."""
    path, rows = measured
    small = sorted({f"{path}#slide-{n}: {s}" for n, _, _, r in rows for s in r["small"]})
    bodies = [px for *_, r in rows for px in r["body"]]
    if bodies:
        assert min(bodies) >= BODY_MIN - 0.01, f"{path}: body text {min(bodies):.1f} px of 1080"
        print(f"{path}: median body text {statistics.median(bodies):.1f} px of 1080 (≥ {BODY_MIN:.0f})")
    assert not small, f"text under {LABEL_MIN:.0f} px of 1080:\n" + "\n".join(small)
