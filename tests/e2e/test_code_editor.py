"""The editable code on the HOG and SVM pages: pyodemo's real source, run in Pyodide, printing what CPython
prints for the same program; a traceback for an error; Reset; an endless loop stopped by the time limit
(Python restarted, the next run works); and the whole editor driven by the keyboard alone."""

from __future__ import annotations

import re

import pytest

from pyodemo.web import code_editor as coderun
from tests.e2e.conftest import ARTIFACTS

WIDGET = '.pyodemo-widget[data-widget="code-editor"]'
LOOP_TIMEOUT_MS = 2500  # the endless-loop run's time limit (the widget's default is 10 s)
#: Resolves once the worker has acknowledged a call to `method` (python.js's calls()): it has it, and with
#: Python ready, runs it.
ACKED = """(method) => new Promise((resolve) => {
  const check = () => globalThis.pyodemoPython?.calls().some((c) => c.method === method && c.acked)
    ? resolve(true) : requestAnimationFrame(check);
  check();
})"""


def wait_runs(page, n: int, timeout: float = 120_000) -> None:
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).dataset.runs || 0) >= n",
                           arg=[WIDGET, n], timeout=timeout)


def wait_loaded(page) -> None:
    page.wait_for_function("sel => ['ready', 'failed'].includes(document.querySelector(sel).dataset.state)",
                           arg=WIDGET, timeout=120_000)
    assert page.locator(WIDGET).get_attribute("data-state") == "ready"


def shown(widget) -> tuple[str, str]:
    """(what the program printed, the traceback) as the output panel shows them."""
    out = widget.locator(".codeed-output")
    stdout = out.locator(".codeed-stdout")
    error = out.locator(".codeed-traceback")
    return (stdout.text_content() if stdout.count() else "", error.text_content() if error.count() else "")


def shoot(locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"), style=".md-header, .md-top { visibility: hidden !important; }")


def cpython(code: str) -> dict:
    """What the same program gives in CPython here (the traceback's file name is the only difference)."""
    return coderun.run(code)


def pyodide_path(error: str) -> str:
    return re.search(r'File "([^"]*your_code\.py)"', error)[1]


def without_carets(traceback: str) -> list[str]:
    """The traceback's lines minus the ~~~^^^ marker lines (Python 3.13 draws them in more places than 3.11)."""
    return [line for line in traceback.rstrip("\n").splitlines() if not re.fullmatch(r"\s*[~^]+\s*", line)]


@pytest.mark.race
@pytest.mark.parametrize("device", [None, "Pixel 7"])
def test_code_editor_on_the_hog_page(open_page, device):
    tag = (device or "desktop").replace(" ", "-").lower()
    page, watch = open_page("hog/", device=device)
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    wait_loaded(page)
    textarea = widget.locator("textarea")
    run = widget.get_by_role("button", name="Run")
    reset = widget.get_by_role("button", name="Reset")

    # pyodemo's program, as the package builds it from its own source
    original = textarea.input_value()
    snippet = coderun.snippet("hog")
    assert original == snippet["code"]
    assert widget.locator("label", has_text="Python code").count() == 1
    assert widget.locator(".codeed-sources code").all_text_contents() == snippet["sources"]
    assert widget.locator(".codeed-gutter").get_attribute("data-lines") == str(len(original.split("\n")))
    assert widget.locator(".codeed-gutter").get_attribute("aria-hidden") == "true"

    # Run: the slide's numbers, exactly what CPython prints for the same program
    run.click()
    wait_runs(page, 1)
    stdout, error = shown(widget)
    assert error == ""
    assert stdout.splitlines()[0] == "gx = 80, gy = 60, magnitude = 100.0, angle = 36.87°"
    assert "HOG length 1,764 = 7 × 7 blocks × 2 × 2 cells × 9 bins" in stdout
    assert stdout == cpython(original)["stdout"]
    ms = float(widget.locator(".codeed-output").get_attribute("data-ms"))
    assert 0 < ms < 10_000
    assert re.fullmatch(r"Ran in [\d.,]+ ms\.", widget.locator(".codeed-meta").inner_text())
    assert widget.get_attribute("data-state") == "done"
    shoot(widget, f"code-editor-{tag}")

    # an error: the traceback as Python prints it, after what was printed before it
    program = "def ratio(a, b):\n    return a / b\n\nprint('before')\nratio(1, 0)\n"
    textarea.fill(program)
    run.click()
    wait_runs(page, 2)
    stdout, error = shown(widget)
    assert stdout == "before\n"
    assert error.startswith("Traceback (most recent call last):")
    assert error.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "line 2, in ratio" in error and "return a / b" in error
    assert "coderun" not in error
    expected = cpython(program)["error"].replace(coderun.FILENAME, pyodide_path(error))
    assert without_carets(error) == without_carets(expected)
    assert "           ~~^~~" in error.splitlines()  # under a / b
    assert widget.get_attribute("data-state") == "error"
    assert "ZeroDivisionError" in widget.locator(".codeed-meta").inner_text()
    # the traceback is styled apart from the printed text
    colours = widget.locator(".codeed-output").evaluate(
        "o => [o.querySelector('.codeed-stdout'), o.querySelector('.codeed-traceback')].map(e => getComputedStyle(e).color)")
    assert colours[0] != colours[1]
    shoot(widget, f"code-editor-traceback-{tag}")

    # a syntax error: the line and its caret, no frames
    textarea.fill("print('hello'\n")
    run.click()
    wait_runs(page, 3)
    _, error = shown(widget)
    assert error.splitlines()[1:] == ["    print('hello'", "         ^", "SyntaxError: '(' was never closed"]

    # endless recursion: Python's RecursionError, not a crashed worker
    textarea.fill("def down(n):\n    return down(n + 1)\n\ndown(0)\n")
    run.click()
    wait_runs(page, 4)
    _, error = shown(widget)
    assert "[Previous line repeated" in error
    assert error.rstrip().endswith("RecursionError: maximum recursion depth exceeded")

    # Reset brings pyodemo's program back
    reset.click()
    assert textarea.input_value() == original
    assert widget.locator(".codeed-gutter").get_attribute("data-lines") == str(len(original.split("\n")))

    # an endless loop: stopped at the time limit, Python restarted, and the next run works
    widget.evaluate("(el, ms) => { el.dataset.timeoutMs = String(ms); }", LOOP_TIMEOUT_MS)
    textarea.fill("print('looping')\nwhile True:\n    pass\n")
    run.click()
    wait_runs(page, 5)  # (the note below says which limit stopped it)
    assert widget.get_attribute("data-state") == "restarted"
    note = widget.locator(".codeed-output").inner_text()
    assert "still running after 2.5 s" in note and "Python was stopped and restarted" in note
    assert "restarted" in widget.locator(".pyodemo-status").inner_text()
    assert page.evaluate("() => globalThis.pyodemoPython.status.restarts") >= 1
    shoot(widget, f"code-editor-restarted-{tag}")
    widget.evaluate("el => { delete el.dataset.timeoutMs; }")
    reset.click()
    run.click()
    wait_runs(page, 6)
    stdout, error = shown(widget)
    assert error == "" and stdout == cpython(original)["stdout"]

    # keyboard alone: reach the editor, type (Enter keeps the indentation, Backspace removes one level),
    # Tab indents, Ctrl+Enter runs, Esc then Tab leaves
    run.focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.press("Control+End")
    page.keyboard.type("for i in range(2):")
    page.keyboard.press("Enter")
    page.keyboard.type("print('typed', i)")
    page.keyboard.press("Enter")
    page.keyboard.press("Backspace")
    page.keyboard.type("print('done')")
    assert textarea.input_value() == original + "for i in range(2):\n    print('typed', i)\nprint('done')"
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # indents this line into the loop
    assert textarea.input_value().endswith("\n    print('typed', i)\n    print('done')")
    page.keyboard.press("Shift+Tab")  # and back out of it
    assert textarea.input_value().endswith("\n    print('typed', i)\nprint('done')")
    page.keyboard.press("Control+Enter")
    wait_runs(page, 7)
    stdout, error = shown(widget)
    assert error == ""
    assert stdout == cpython(original)["stdout"] + "typed 0\ntyped 1\ndone\n"
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"  # the focus stayed
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "▶ Run"

    # the narrowest phone: the code scrolls sideways inside its box, never the page
    if device:
        page.set_viewport_size({"width": 360, "height": 740})
        widget.scroll_into_view_if_needed()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert textarea.evaluate("t => t.scrollWidth > t.clientWidth")
        box = textarea.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        for button in (run, reset):
            b = button.bounding_box()
            assert b["height"] >= 44 and b["width"] >= 44
        shoot(widget, "code-editor-360px")
    watch.check()


@pytest.mark.race
def test_code_editor_on_the_svm_page(open_page):
    page, watch = open_page("svm/")
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    wait_loaded(page)
    textarea = widget.locator("textarea")
    original = textarea.input_value()
    assert original == coderun.snippet("svm")["code"]
    widget.get_by_role("button", name="Run").click()
    wait_runs(page, 1)
    stdout, error = shown(widget)
    assert error == ""
    assert "predict [0.9, 0.1]: [1]" in stdout and "support vectors per class: [2, 2] of 4 points" in stdout
    assert stdout == cpython(original)["stdout"]
    # the speaker notes' edit: a straight line cannot solve XOR
    textarea.fill(original.replace('kernel="rbf"', 'kernel="linear"'))
    widget.get_by_role("button", name="Run").click()
    wait_runs(page, 2)
    stdout, error = shown(widget)
    assert error == "" and "training points:    [0, 0, 1, 1]" not in stdout
    assert stdout == cpython(original.replace('kernel="rbf"', 'kernel="linear"'))["stdout"]
    shoot(widget, "code-editor-svm")
    # Stop ends an endless loop at once (no waiting for the time limit, here set to 10 minutes so that only
    # Stop can end this run); the next run works
    widget.evaluate("el => { el.dataset.timeoutMs = '600000'; }")
    textarea.fill("while True:\n    pass\n")
    widget.get_by_role("button", name="Run").click()
    page.wait_for_function("sel => document.querySelector(sel).dataset.state === 'running'", arg=WIDGET)
    page.evaluate(ACKED, "code_editor.run")  # the worker has the call: the loop is running in it now
    widget.get_by_role("button", name="Stop").click()
    wait_runs(page, 3)
    assert widget.get_attribute("data-state") == "restarted"
    assert "You stopped the code: Python was restarted." in widget.locator(".codeed-output").inner_text()
    widget.evaluate("el => { delete el.dataset.timeoutMs; }")
    assert widget.get_by_role("button", name="Stop").is_disabled()
    widget.get_by_role("button", name="Reset").click()
    widget.get_by_role("button", name="Run").click()
    wait_runs(page, 4)
    stdout, error = shown(widget)
    assert error == "" and stdout == cpython(original)["stdout"]
    watch.check()


def test_code_editor_in_slide_mode_shows_one_part_at_a_time(open_page):
    """Slide mode: the program in its parts (imports, each copied function, each step), one at a time so the
    slide needs no scrolling; the gutter numbers the program's lines; an edit of a part is an edit of the
    program; Run runs the whole program and shows its output in the part's place; back on the page, the
    editor holds the whole program with the edit."""
    program = coderun.snippet("hog")["code"]
    lines = program.split("\n")
    page, watch = open_page("hog/?present#slide-last")
    page.wait_for_function("() => window.pyodemoPresent?.show?.active")
    widget = page.locator(f".pd-slide {WIDGET}")
    wait_loaded(page)
    parts = widget.locator(".codeed-parts button")
    assert parts.all_text_contents() == ["Imports", "Gradient", "_angle()", "gradient_at()",
                                         "Step 1", "Step 2", "Step 3", "Step 4", "Output"]
    textarea, gutter = widget.locator("textarea"), widget.locator(".codeed-gutter")
    assert textarea.input_value().startswith('"""HOG')

    parts.filter(has_text="gradient_at()").click()
    part = textarea.input_value()
    first = lines.index("def gradient_at(up: float, left: float, right: float, down: float) -> Gradient:") - 1
    assert part.split("\n")[0] == "# from pyodemo/hog.py" and "import math" not in part
    assert part == "\n".join(lines[first : first + len(part.split("\n"))])
    assert gutter.get_attribute("data-first") == str(first + 1)
    assert parts.filter(has_text="gradient_at()").get_attribute("aria-pressed") == "true"
    box, slide = widget.locator(".codeed-editor").bounding_box(), page.locator(".pd-frame").bounding_box()
    assert box["y"] + box["height"] <= slide["y"] + slide["height"]

    # an edit of step 1 is an edit of the program: Run runs all of it
    parts.filter(has_text="Step 1").click()
    textarea.fill(textarea.input_value().replace("up=50", "up=20"))
    widget.get_by_role("button", name="Run").click()
    wait_runs(page, 1)
    assert widget.get_attribute("data-view") == "output"
    assert parts.filter(has_text="Output").get_attribute("aria-pressed") == "true"
    stdout, error = shown(widget)
    edited = program.replace("\ng = gradient_at(up=50", "\ng = gradient_at(up=20", 1)  # step 1's line, not the docstring's
    assert error == "" and stdout == cpython(edited)["stdout"]
    assert stdout.startswith("gx = 80, gy = 90,")
    assert "HOG length 1,764" in stdout

    # Reset brings the whole program back, in the part being shown
    parts.filter(has_text="Step 1").click()
    widget.get_by_role("button", name="Reset").click()
    assert "up=50" in textarea.input_value()
    textarea.fill(textarea.input_value().replace("up=50", "up=30"))

    # back on the page: the whole program, with the edit
    page.locator(".pd-bar").get_by_role("button", name=re.compile("Back to the page")).click()
    page.wait_for_function("() => !window.pyodemoPresent.show.active")
    page.wait_for_function("(sel) => !document.querySelector(sel).dataset.view", arg=WIDGET)
    editor = page.locator(WIDGET).locator("textarea")
    assert editor.input_value() == program.replace("\ng = gradient_at(up=50", "\ng = gradient_at(up=30", 1)
    assert page.locator(WIDGET).locator(".codeed-gutter").get_attribute("data-first") == "1"
    watch.check()
