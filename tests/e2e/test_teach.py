"""Teach it (the page where the audience trains their own classifier): three classes from Chromium's fake
camera (a video made at test time from sprites) on a Pixel 7, trained, and the live answers follow the
video's subject; three classes from the samples on a desktop, trained, tried on a picture with the same
answers as `python -m export predict --model` on the downloaded files, kept across a reload and loaded back;
and every bad input of the issue, each a message in place with nothing lost.

Every wait is for a state of the page (a count, a label, a data attribute), never for a time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, SITE, PageWatch
from tests.e2e.fake_camera import MARKERS, SUBJECT_JS, write_video

WIDGET = '.pyodemo-widget[data-widget="teach"]'
SAMPLES = SITE / "models" / "samples"
TRAIN_MS = 180_000  # a bound for Python's boot, the features and the training on a loaded machine, not a target


def ready(page):
    page.wait_for_selector(f"{WIDGET}[data-ready]")
    return page.locator(WIDGET)


def cards(page):
    return page.locator(f"{WIDGET} .teach-class")


def message(page) -> str:
    return page.locator(f"{WIDGET} .teach-message").inner_text()


def rename(card, name: str) -> None:
    field = card.locator(".teach-class__name")
    field.fill(name)
    field.press("Tab")  # "change" fires when the field is left


def wait_count(page, card_index: int, at_least: int) -> None:
    page.wait_for_function("([sel, i, n]) => Number(document.querySelectorAll(sel)[i]?.dataset.count) >= n",
                           arg=[f"{WIDGET} .teach-class", card_index, at_least])


def train(page, kinds: str = "hog cnn") -> None:
    page.locator(WIDGET).get_by_role("button", name="Train both").click()
    page.wait_for_function("([sel, kinds]) => document.querySelector(sel)?.dataset.trained === kinds && !document.querySelector(sel).dataset.training",
                           arg=[WIDGET, kinds], timeout=TRAIN_MS)


# ------------------------------------------------------------------ the fake camera, on a phone

@pytest.fixture(scope="module")
def camera_browser(playwright, tmp_path_factory):
    """A Chromium whose camera films three sprites in turn (fake_camera.py), permission granted."""
    video = write_video(tmp_path_factory.mktemp("camera") / "three.y4m",
                        [SAMPLES / "horsea.png", SAMPLES / "vileplume.png", SAMPLES / "scyther.png"])
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    yield browser
    browser.close()


def subject(page) -> int:
    return page.evaluate(f"(m) => ({SUBJECT_JS})(m)", MARKERS)


def capture(page, index: int, want: int = 3) -> None:
    """Hold class `index`'s button while the camera films subject `index`, until it has `want` examples;
    if the video moved on to the next subject meanwhile, delete them and catch the subject again."""
    card = cards(page).nth(index)
    hold = card.locator(".teach-hold")
    for _ in range(4):
        # catch the subject as it comes on (a change into it): a whole segment to capture in
        page.wait_for_function(f"([m, s]) => ({SUBJECT_JS})(m) !== s", arg=[MARKERS, index], timeout=60_000)
        page.wait_for_function(f"([m, s]) => ({SUBJECT_JS})(m) === s", arg=[MARKERS, index], timeout=60_000)
        hold.evaluate("(b) => b.scrollIntoView({ block: 'center' })")  # not under the fixed header
        box = hold.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        try:
            wait_count(page, index, want)
        finally:
            page.mouse.up()
        if subject(page) == index:
            return
        while card.locator(".teach-thumb__delete").count():
            card.locator(".teach-thumb__delete").first.click()
    pytest.fail(f"could not hold the camera on subject {index} for {want} frames")


def test_three_classes_from_the_camera_and_live_answers(camera_browser, site_url, devices):
    options = {k: v for k, v in devices["Pixel 7"].items() if k != "default_browser_type"}
    context = camera_browser.new_context(base_url=site_url, service_workers="block", **options)
    context.set_default_timeout(60_000)
    page = context.new_page()
    watch = PageWatch(page)
    try:
        page.goto("teach/")
        widget = ready(page)
        widget.get_by_role("button", name="Add a class").click()
        names = ["sea horse", "flower", "mantis"]
        for i, name in enumerate(names):
            rename(cards(page).nth(i), name)
        widget.get_by_role("button", name="Start camera").click()
        page.wait_for_selector(f"{WIDGET} .teach-camera[data-running]")
        for i in range(3):
            capture(page, i)
        train(page)
        # the live answers follow the video: each subject in turn gets its own class from both classifiers
        for i, name in enumerate(names):
            page.wait_for_function(f"""([m, s, name]) => {{
                const live = [...document.querySelectorAll('.teach-part--examples .teach-answer')];
                return ({SUBJECT_JS})(m) === s && live.length === 2 && live.every((a) => a.dataset.label === name);
            }}""", arg=[MARKERS, i, name], timeout=60_000)
        assert int(widget.locator(".teach-camera").get_attribute("data-answered")) >= 3
        widget.get_by_role("button", name="Stop camera").click()
        watch.check()
    finally:
        context.close()


# ------------------------------------------------------------------ the samples, on a desktop

def answers(page, part: str) -> dict:
    return page.evaluate("""(part) => Object.fromEntries([...document.querySelectorAll(`.teach-part--${part} .teach-answer`)]
        .filter((a) => !a.hidden).map((a) => [a.dataset.kind, { label: a.dataset.label, sure: a.dataset.state === 'sure' }]))""", part)


def try_sample(page, file: str) -> dict:
    before = page.locator(f"{WIDGET} .teach-part--try").get_attribute("data-answered") or "0"
    page.locator(f'{WIDGET} .teach-part--try button[data-sample="{file}"]').click()
    page.wait_for_function("([sel, before]) => { const el = document.querySelector(sel);"
                           " return el.dataset.answered && el.dataset.answered !== before && !el.dataset.answering; }",
                           arg=[f"{WIDGET} .teach-part--try", before], timeout=TRAIN_MS)
    return answers(page, "try")


def cli(model, picture) -> dict:
    """`python -m export predict --model FILE PICTURE` on the committed models, as a person would run it."""
    out = subprocess.run([sys.executable, "-m", "export", "predict", "--models", str(SITE / "models"), "--model", str(model), str(picture)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    (entry,) = json.loads(out.stdout)
    return {"label": entry["model"][0]["label"], "sure": entry["model_sure"]}


def load_file(page, path) -> None:
    """Load a classifier file through the page's picker; wait until the page has taken it."""
    before = int(page.locator(WIDGET).get_attribute("data-loaded") or 0)
    with page.expect_file_chooser() as chooser:
        page.locator(WIDGET).get_by_role("button", name="Load a classifier file").click()
    chooser.value.set_files(str(path))
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).dataset.loaded || 0) > n",
                           arg=[WIDGET, before], timeout=TRAIN_MS)


def test_three_classes_from_the_samples_kept_downloaded_and_loaded_back(open_page, tmp_path):
    page, watch = open_page("teach/")
    widget = ready(page)
    widget.get_by_role("button", name="Pokémon: fill three classes").click()
    page.wait_for_function("(sel) => document.querySelector(sel).dataset.examples === '9'", arg=WIDGET)
    assert [cards(page).nth(i).locator(".teach-class__name").input_value() for i in range(3)] == ["Mew", "Scyther", "Snorlax"]
    train(page)
    results = widget.locator(".teach-result")
    assert results.count() == 2
    for card in results.all():
        assert "right on held-out examples (leave-one-out cross-validation)" in card.inner_text()
        assert card.locator(".teach-confusion tbody tr").count() == 3
    assert widget.locator(".teach-verdict").inner_text().startswith("On these classes")

    picture = "art-mew.png"
    got = try_sample(page, picture)
    assert set(got) == {"hog", "cnn"} and all(a["label"] in ("Mew", "Scyther", "Snorlax") for a in got.values())
    files = {}
    for kind, title in (("hog", "HOG + colour"), ("cnn", "CNN features")):
        with page.expect_download() as download:
            widget.get_by_role("button", name=f"Download the {title} classifier").click()
        files[kind] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[kind])
        assert files[kind].name == f"teach-{kind}-mew-scyther-snorlax.svm"
    # the page's classifier is the file's: the command line gives the page's answers on the same picture
    assert cli(files["hog"], SAMPLES / picture) == got["hog"]
    assert cli(files["cnn"], SAMPLES / picture)["label"] == got["cnn"]["label"]

    # a file loaded again and again replaces its own kind only: the CNN features' classifier stays in the worker
    # (which keeps 4 classifiers: without forgetting the ones replaced, the 4th load would push it out)
    for _ in range(4):
        load_file(page, files["hog"])
    assert try_sample(page, picture) == got

    page.reload()
    widget = ready(page)
    assert widget.get_attribute("data-examples") == "9"
    assert [cards(page).nth(i).get_attribute("data-count") for i in range(3)] == ["3", "3", "3"]
    assert widget.locator(".teach-result").count() == 0  # classifiers are kept as files, not in the page
    load_file(page, files["hog"])
    assert widget.get_attribute("data-trained") == "hog"
    assert "Loaded from teach-hog-mew-scyther-snorlax.svm" in widget.locator(".teach-result[data-loaded]").inner_text()
    assert try_sample(page, picture) == {"hog": got["hog"]}
    watch.check()


# ------------------------------------------------------------------ bad input: a message in place, nothing lost

def test_what_only_the_page_knows_is_checked_before_training(module_page):
    page, _ = module_page("teach/")
    widget = ready(page)
    widget.get_by_role("button", name="Clear all").click()
    train_button = widget.get_by_role("button", name="Train both")
    train_button.click()
    assert message(page) == "No examples yet in A, B: add at least 2 to each class, or remove it."
    rename(cards(page).nth(1), "A")
    assert "Two classes are called “A”" in cards(page).nth(1).locator(".teach-class__problem").inner_text()
    train_button.click()
    assert message(page) == "Two classes are called “A”: give each its own name."
    widget.get_by_role("button", name="Remove class A").last.click()
    assert cards(page).count() == 1
    train_button.click()
    assert message(page) == "Teach at least two classes: add a class first."


def add_files(page, index: int, *paths) -> None:
    with page.expect_file_chooser() as chooser:
        cards(page).nth(index).get_by_role("button", name="Add pictures").click()
    chooser.value.set_files([str(p) for p in paths])


def test_a_class_with_one_example_and_a_file_that_is_no_picture(module_page, tmp_path):
    page, _ = module_page("teach/")
    widget = ready(page)
    widget.get_by_role("button", name="Clear all").click()
    add_files(page, 0, SAMPLES / "mew.png")
    add_files(page, 1, SAMPLES / "snorlax.png", SAMPLES / "art-snorlax.png")
    wait_count(page, 1, 2)
    broken = tmp_path / "holiday.png"
    broken.write_bytes(b"this is not a picture, whatever its name says")
    add_files(page, 0, broken)
    page.wait_for_function("(sel) => document.querySelector(sel).textContent.includes('holiday.png')", arg=f"{WIDGET} .teach-message")
    assert "not a picture" in message(page)
    assert cards(page).nth(0).get_attribute("data-count") == "1"  # the example before is still there
    widget.get_by_role("button", name="Train both").click()
    page.wait_for_function("(sel) => document.querySelector(sel).textContent.includes('at least 2 examples')",
                           arg=f"{WIDGET} .teach-message", timeout=TRAIN_MS)
    assert message(page) == "each class needs at least 2 examples: A"
    assert widget.get_attribute("data-examples") == "3"


def another_version(model: bytes, version: int) -> bytes:
    """The same model file, its header saying another format version (and its checksum made anew)."""
    from pyodemo import modelfile

    header, arrays = modelfile.unpack(model)
    specs = header.pop("arrays")
    return modelfile.pack({**header, "version": version}, [(a["name"], a["dtype"], a["shape"], arrays[a["name"]]) for a in specs])


def test_model_files_of_another_kind_version_or_cnn_are_refused(module_page, tmp_path):
    from pyodemo.web import teach

    page, _ = module_page("teach/")
    widget = ready(page)
    other_cnn = tmp_path / "other-cnn.svm"
    other_cnn.write_bytes(teach.train({"cnn": [[0.0, 1.0], [0.1, 0.9], [1.0, 0.0], [0.9, 0.1]]}, ["a", "a", "b", "b"],
                                      cnn_sha256="ab" * 32)["cnn"]["model"])
    truncated = tmp_path / "truncated.svm"
    truncated.write_bytes(other_cnn.read_bytes()[:40])
    newer = tmp_path / "newer.svm"
    newer.write_bytes(another_version(other_cnn.read_bytes(), 2))
    expected = {
        SITE / "models" / "hog_svm.svm": "hog_svm.svm cannot be used: this model file was not made by Teach it",
        other_cnn: "other-cnn.svm cannot be used: this model was trained on the features of the CNN abababababab…",
        newer: "newer.svm cannot be used: unsupported SVM model file version 2; this pyodemo reads version 1",
        truncated: "truncated.svm cannot be used:",
    }
    for path, text in expected.items():
        with page.expect_file_chooser() as chooser:
            widget.get_by_role("button", name="Load a classifier file").click()
        chooser.value.set_files(str(path))
        page.wait_for_function("([sel, name]) => document.querySelector(sel).textContent.startsWith(name)",
                               arg=[f"{WIDGET} .teach-message", path.name], timeout=TRAIN_MS)
        assert message(page).startswith(text), message(page)


REFUSE_CAMERA = """navigator.mediaDevices.getUserMedia = async () => {
  const name = sessionStorage.getItem('refuse') ?? 'NotAllowedError';
  sessionStorage.setItem('refuse', 'NotFoundError');  // the next attempt: no camera at all
  throw new DOMException('refused', name);
};"""


def test_camera_denied_absent_and_no_secure_context(open_page):
    page, _ = open_page(None)
    page.add_init_script(REFUSE_CAMERA)
    page.goto("teach/")
    widget = ready(page)
    for says in ("The camera was not allowed.", "No camera was found."):
        widget.get_by_role("button", name="Start camera").click()
        page.wait_for_function("([sel, says]) => document.querySelector(sel).textContent.startsWith(says)",
                               arg=[f"{WIDGET} .teach-message", says])
        assert "Add pictures" in message(page)
        assert widget.get_by_role("button", name="Hold to add camera frames to A").is_disabled()

    page, _ = open_page(None, device="Pixel 7")
    page.add_init_script("Object.defineProperty(window, 'isSecureContext', { value: false });")
    page.goto("teach/")
    widget = ready(page)
    assert widget.get_by_role("button", name="Start camera").is_disabled()
    assert "secure page (HTTPS)" in widget.locator(".teach-camera-problem").inner_text()
    assert widget.get_by_role("button", name="Add pictures to A").is_enabled()


NO_INDEXEDDB = "Object.defineProperty(window, 'indexedDB', { get() { return undefined; } });"
FULL_STORAGE = """IDBObjectStore.prototype.put = function () { throw new DOMException('full', 'QuotaExceededError'); };"""


@pytest.mark.parametrize("script, says", [(NO_INDEXEDDB, "does not let the page keep anything"), (FULL_STORAGE, "storage for the site is full")],
                         ids=["no-indexeddb", "over-quota"])
def test_without_storage_the_examples_stay_for_the_visit(open_page, script, says):
    page, _ = open_page(None)
    page.add_init_script(script)
    page.goto("teach/")
    widget = ready(page)
    add_files(page, 0, SAMPLES / "mew.png", SAMPLES / "art-mew.png")
    wait_count(page, 0, 2)
    page.wait_for_function("([sel, says]) => document.querySelector(sel).textContent.includes(says)",
                           arg=[f"{WIDGET} .teach-storage", says])
    assert widget.get_attribute("data-examples") == "2"
