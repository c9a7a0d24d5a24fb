"""The SVM page's playground and kernels-side-by-side widgets, in Debian Chromium (desktop and Pixel 7).

Points are added by clicking or tapping (and by the keyboard alone), read back from the page, and
scikit-learn's SVC is fitted on them in the test with the widget's parameters: its support-vector count
and its predicted class on the widget's grid (the probes) must agree with what the widget shows, for the
linear, RBF and polynomial kernels and one-vs-all. Bad input gets Python's message in place; a hopeless
fit stops early instead of hanging. One page load per device.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC

from pyodemo.web import svm_playground as playground
from tests.e2e.conftest import ARTIFACTS

WIDGET = '.pyodemo-widget[data-widget="svm-playground"]'
COMPARE = '.pyodemo-widget[data-widget="kernel-compare"]'
MIN_AGREEMENT = 0.995


# ------------------------------------------------------------------------ reading the widget


def settled(page) -> None:
    """Wait until the picture shows the current points and settings (or their error message)."""
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel);"
        " return el && el.dataset.version && el.dataset.shown === el.dataset.version && !el.dataset.busy; }",
        arg=WIDGET, timeout=120_000)


def state(widget) -> dict:
    data = widget.evaluate("el => ({...el.dataset})")
    return {
        "points": json.loads(data.get("points", "[]")),
        "params": json.loads(data["params"]) if "params" in data else None,
        "n_sv": int(data["nSv"]) if "nSv" in data else None,
        "grid": json.loads(data["grid"]) if "grid" in data else None,
        "error": data.get("error"),
        "stopped_early": data.get("stoppedEarly") == "true",
    }


def grid_points(n: int) -> np.ndarray:
    axis = [(2 * c + 1 - n) / n for c in range(n)]  # pyodemo.web.svm_playground.grid_axis
    return np.array([[x, y] for y in reversed(axis) for x in axis])


def sklearn_fit(points: list, params: dict):
    X = np.array([[x, y] for x, y, _ in points])
    y = np.array([label for _, _, label in points])
    svc = SVC(kernel=params["kernel"], C=params["C"], gamma=params["gamma"], degree=params["degree"], coef0=params["coef0"])
    if params["multi_class"] == "ovr" and len(set(y)) > 2:
        model = OneVsRestClassifier(svc).fit(X, y)
        n_sv = len(set().union(*(set(e.support_.tolist()) for e in model.estimators_)))
    else:
        model = svc.fit(X, y)
        n_sv = int(model.n_support_.sum())
    return model, n_sv, X, y


def check_against_sklearn(widget, expect_kernel: str, expect_classes: int) -> dict:
    """The widget's support-vector count and grid classes (probes) agree with scikit-learn's SVC."""
    s = state(widget)
    assert s["error"] is None, s["error"]
    params = s["params"]
    assert params["kernel"] == expect_kernel
    model, n_sv, X, y = sklearn_fit(s["points"], params)
    assert len(set(y.tolist())) == expect_classes
    n = s["grid"]["n"]
    G = grid_points(n)
    want = model.predict(G)
    got = np.array(s["grid"]["cells"])
    agreement = float(np.mean(got == want))
    assert agreement >= MIN_AGREEMENT, f"{expect_kernel}: widget and sklearn agree on only {agreement:.2%} of the grid"
    assert abs(s["n_sv"] - n_sv) <= max(1, 0.02 * n_sv), f"{expect_kernel}: {s['n_sv']} SVs in the widget, {n_sv} in sklearn"
    # Probes: the four corners, the centre and a few cells away from sklearn's boundary must match exactly.
    if expect_classes == 2 and not isinstance(model, OneVsRestClassifier):
        clear = np.flatnonzero(np.abs(model.decision_function(G)) > 0.05)
    else:
        clear = np.arange(len(G))
    rng = np.random.default_rng(0)
    probes = sorted({0, n - 1, n * (n - 1), n * n - 1, (n // 2) * n + n // 2} | set(rng.choice(clear, 8).tolist()))
    for i in probes:
        if i in clear:
            assert got[i] == want[i], f"probe at {G[i].tolist()}: widget says class {got[i]}, sklearn {want[i]}"
    print(f"[playground] {expect_kernel} {params['multi_class']} C={params['C']} gamma={params['gamma']}: "
          f"{len(y)} points, SVs widget {s['n_sv']} / sklearn {n_sv}, grid agreement {agreement:.2%}")
    return s


def to_pixels(canvas, x: float, y: float) -> dict:
    box = canvas.bounding_box()
    return {"x": (x + 1) / 2 * box["width"], "y": (1 - y) / 2 * box["height"]}


def press_at(canvas, touch: bool, x: float, y: float, **kwargs) -> None:
    position = to_pixels(canvas, x, y)
    if touch:
        canvas.tap(position=position, **kwargs)
    else:
        canvas.click(position=position, **kwargs)


def shoot(locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"), style=".md-header, .md-top { visibility: hidden !important; }")


def message(widget) -> str:
    return widget.locator(".svmp-message").inner_text()


# ------------------------------------------------------------------------ the test


@pytest.mark.race
@pytest.mark.parametrize("device", [None, "Pixel 7"])
def test_svm_playground_and_kernel_compare(open_page, device):
    touch = device is not None
    tag = (device or "desktop").replace(" ", "-").lower()
    page, watch = open_page("svm/", device=device)
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    page.wait_for_function("sel => document.querySelector(sel)?.dataset.preset === 'moons'", arg=WIDGET, timeout=120_000)
    settled(page)
    canvas = widget.locator("canvas.svmp-canvas")
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none"

    # The moons preset under the default linear kernel, C = 1.
    s = check_against_sklearn(widget, "linear", 2)
    assert len(s["points"]) == 100 and s["params"]["C"] == 1
    assert "Support vectors" in widget.locator(".svmp-stats").inner_text()

    # Add three points of class 3 by clicking / tapping in the empty bottom-left corner.
    widget.locator('button.svmp-class[data-label="3"]').click()
    targets = [(-0.85, -0.85), (-0.7, -0.88), (-0.88, -0.68)]
    for x, y in targets:
        press_at(canvas, touch, x, y)
    settled(page)
    added = state(widget)["points"][-3:]
    for (x, y), (px, py, label) in zip(targets, added):
        assert label == 3 and abs(px - x) < 0.02 and abs(py - y) < 0.02, (x, y, px, py)
    check_against_sklearn(widget, "linear", 3)

    # Switch kernels: RBF, then polynomial, then one-vs-all.
    kernel = widget.locator('select[data-setting="kernel"]')
    kernel.select_option("rbf")
    settled(page)
    check_against_sklearn(widget, "rbf", 3)
    kernel.select_option("poly")
    settled(page)
    check_against_sklearn(widget, "poly", 3)
    kernel.select_option("rbf")
    widget.locator('select[data-setting="multi_class"]').select_option("ovr")
    settled(page)
    s = check_against_sklearn(widget, "rbf", 3)
    assert s["params"]["multi_class"] == "ovr"
    assert "this picture: one-vs-all, 3 SVMs" in widget.locator(".svmp-ovo").inner_text()
    widget.locator('select[data-setting="multi_class"]').select_option("ovo")
    settled(page)

    # Remove a point: right-click (desktop) or erase mode + tap (phone); a long press removes one too.
    before = len(state(widget)["points"])
    if touch:
        widget.locator("button.svmp-erase").click()
        press_at(canvas, True, *targets[0])
        widget.locator("button.svmp-erase").click()  # back to adding
    else:
        press_at(canvas, False, *targets[0], button="right")
    settled(page)
    assert len(state(widget)["points"]) == before - 1
    assert not any(abs(px - targets[0][0]) < 0.02 and abs(py - targets[0][1]) < 0.02 for px, py, _ in state(widget)["points"])
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")  # the protocol's touches do not scroll
    box = canvas.bounding_box()
    p = to_pixels(canvas, *targets[1])
    at = {"x": box["x"] + p["x"], "y": box["y"] + p["y"]}
    # held until the widget has taken it for a long press (the point is gone), then let go: no guess of how
    # long the page needs to notice
    removed = ("([sel, n]) => JSON.parse(document.querySelector(sel).dataset.points || '[]').length === n")
    if touch:  # a real touch long-press (Playwright has no API for it; the DevTools protocol has)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at]})
        page.wait_for_function(removed, arg=[WIDGET, before - 2], timeout=120_000)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        page.mouse.move(at["x"], at["y"])
        page.mouse.down()
        page.wait_for_function(removed, arg=[WIDGET, before - 2], timeout=120_000)
        page.mouse.up()
    settled(page)
    said = widget.locator("p[aria-live]").last.inner_text()
    assert len(state(widget)["points"]) == before - 2, f"a long press removes the point under it ({said})"

    # Keyboard only: Tab from the last control to the square, pick class 2, move the crosshair, Enter.
    widget.locator('select[data-setting="multi_class"]').focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement?.classList.contains('svmp-canvas')")
    page.keyboard.press("2")
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    for _ in range(16):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    settled(page)
    assert state(widget)["points"][-1] == [0.6, -0.8, 2]
    check_against_sklearn(widget, "rbf", 3)
    shoot(widget, f"svm-playground-{tag}")

    # Bad input: a duplicate point (Enter twice), C <= 0, gamma <= 0, no points, one class only.
    page.keyboard.press("Enter")
    settled(page)
    assert "same place" in state(widget)["error"] and "same place" in message(widget)
    assert widget.locator(".svmp-message[role=alert]").is_visible()
    page.keyboard.press("Delete")
    settled(page)
    assert state(widget)["error"] is None
    assert sum(p[:2] == [0.6, -0.8] for p in state(widget)["points"]) == 1
    c_box = widget.locator('input[data-setting="C-value"]')
    for bad in ("0", "-1"):
        c_box.fill(bad)
        settled(page)
        assert "C must be greater than 0" in message(widget)
    c_box.fill("1")
    settled(page)
    assert state(widget)["error"] is None
    widget.locator('input[data-setting="gamma-scale"]').uncheck()
    gamma_box = widget.locator('input[data-setting="gamma-value"]')
    gamma_box.fill("0")
    settled(page)
    assert "gamma must be greater than 0" in message(widget)
    gamma_box.fill("2")
    settled(page)
    check_against_sklearn(widget, "rbf", 3)
    widget.locator('input[data-setting="gamma-scale"]').check()
    widget.get_by_role("button", name="Clear").click()
    settled(page)
    assert "no points yet" in message(widget)
    widget.locator('button.svmp-class[data-label="1"]').click()
    press_at(canvas, touch, -0.5, 0.5)
    settled(page)
    assert "The only point is of class 1" in message(widget)
    widget.locator('button.svmp-class[data-label="2"]').click()
    press_at(canvas, touch, 0.5, -0.5)
    settled(page)
    assert state(widget)["error"] is None and state(widget)["n_sv"] == 2

    # A hopeless fit (overlapping XOR, a straight line, C = 1000) stops early instead of hanging.
    kernel.select_option("linear")
    widget.locator("select[id$='-preset']").select_option("xor")
    noise = widget.locator("input[id$='-noise']")
    noise.focus()
    page.keyboard.press("End")  # noise 0.4
    widget.get_by_role("button", name="Load preset").click()
    page.wait_for_function("sel => document.querySelector(sel)?.dataset.preset === 'xor'", arg=WIDGET)
    c_box.fill("1000")
    settled(page)
    s = state(widget)
    points = s["points"]
    cpython = playground.fit([p[:2] for p in points], [p[2] for p in points], kernel="linear", C=1000.0,
                             max_iter=playground.PLAYGROUND_MAX_ITER, grid=10)
    assert s["stopped_early"] == cpython["stopped_early"] is True
    assert "stopped early" in widget.locator(".svmp-stats").inner_text()
    shoot(widget, f"svm-playground-stopped-early-{tag}")
    c_box.fill("1")
    settled(page)

    # Kernels side by side: circles under linear / poly / RBF, and the lifting to 3D.
    compare = page.locator(COMPARE)
    compare.scroll_into_view_if_needed()
    page.wait_for_function("sel => { const el = document.querySelector(sel); return el?.dataset.ready && !el.dataset.busy; }",
                           arg=COMPARE, timeout=120_000)
    acc = json.loads(compare.get_attribute("data-accuracies"))
    pts = json.loads(compare.get_attribute("data-points"))
    X = np.array([p[:2] for p in pts])
    y = np.array([p[2] for p in pts])
    reference = {
        "Linear": SVC(kernel="linear", C=1.0),
        "Polynomial": SVC(kernel="poly", gamma=1.0, degree=2, coef0=1.0, C=1.0),
        "RBF": SVC(kernel="rbf", gamma="scale", C=1.0),
    }
    for title, svc in reference.items():
        assert acc[title] == pytest.approx(svc.fit(X, y).score(X, y), abs=0.011), title
    assert acc["Linear"] < 0.8 and acc["Polynomial"] >= 0.95 and acc["RBF"] >= 0.95
    lifted = np.c_[X, (X**2).sum(1)]
    assert acc["lift"] == pytest.approx(SVC(kernel="linear", C=1.0).fit(lifted, y).score(lifted, y), abs=0.011)
    assert acc["lift"] >= 0.95
    print(f"[kernel-compare] circles: {acc}")

    turn = compare.locator("input[id$='-turn']")
    before_turn = turn.input_value()
    space = compare.locator("canvas.kcmp-3d")
    box = space.bounding_box()
    if touch:
        space.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
    else:
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 - 50, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
    assert turn.input_value() != before_turn

    stamp = compare.get_attribute("data-ready")
    compare.locator("select[id$='-data']").select_option("xor")
    page.wait_for_function("([sel, old]) => { const el = document.querySelector(sel);"
                           " return el.dataset.ready && el.dataset.ready !== old && !el.dataset.busy; }",
                           arg=[COMPARE, stamp], timeout=120_000)
    assert compare.locator("select[id$='-lift']").input_value() == "xy"
    acc = json.loads(compare.get_attribute("data-accuracies"))
    assert acc["lift"] >= 0.8 and acc["RBF"] >= 0.8
    compare.locator("select[id$='-data']").select_option("circles")
    page.wait_for_function("sel => document.querySelector(sel).dataset.ready?.startsWith('circles') &&"
                           " !document.querySelector(sel).dataset.busy", arg=COMPARE, timeout=120_000)
    shoot(compare, f"kernel-compare-{tag}")

    if touch:  # the narrowest phone we support: no horizontal scroll
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        shoot(widget, "svm-playground-360px")
        shoot(compare, "kernel-compare-360px")
    watch.check()
