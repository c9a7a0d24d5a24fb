"""Bad input to the classifier: a clear message or a correct answer, nothing hangs, the widget stays usable.

Pictures are made here with Pillow (nothing large is committed): a text file named .png, an empty file, a
1 × 1 picture, a 6000 × 4000 photo, transparent PNGs, an animated GIF, a HEIC this browser cannot decode.
After each, a sample is classified by both models. A corrupt model file (served truncated with page.route)
gives a message in that model's column while the other model still answers.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import screenshot
from tests.e2e.test_classifier import (
    MODELS, SAMPLES, WIDGET, need_models, open_widget, pick_sample, reference, sample_index, wait_answers,
)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def big_photo() -> bytes:
    """A 6000 × 4000 JPEG (smooth gradients and a dark disc: small to store, large to decode)."""
    x = np.linspace(0, 255, 6000, dtype=np.float32)
    y = np.linspace(0, 255, 4000, dtype=np.float32)[:, None]
    rgb = np.stack([np.broadcast_to(x, (4000, 6000)), np.broadcast_to(y, (4000, 6000)),
                    np.full((4000, 6000), 128, np.float32)], 2).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def animated_gif(first: Image.Image, second: Image.Image) -> bytes:
    frames = [im.convert("RGBA").resize((96, 96), Image.Resampling.NEAREST) for im in (first, second)]
    flat = []
    for im in frames:
        canvas = Image.new("RGB", im.size, (255, 255, 255))
        canvas.paste(im, mask=im.getchannel("A"))
        flat.append(canvas)
    buffer = io.BytesIO()
    flat[0].save(buffer, "GIF", save_all=True, append_images=flat[1:], duration=200, loop=0)
    return buffer.getvalue()


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x0cmeta\x00\x00\x00\x00" + bytes(200)


def upload(page, name: str, mime: str, data: bytes) -> None:
    page.locator(f'{WIDGET} input[data-role="file"]').set_input_files({"name": name, "mimeType": mime, "buffer": data})


def message(page, kind: str | None = None, timeout: float = 120_000) -> str:
    """The widget's message line once it says something (of `kind`: "error" or "info")."""
    page.wait_for_function(
        "([sel, kind]) => { const m = document.querySelector(sel + ' .clf-message');"
        " return m && m.textContent && (!kind || m.dataset.kind === kind) && !document.querySelector(sel).dataset.loading; }",
        arg=[WIDGET, kind], timeout=timeout)
    return page.locator(f"{WIDGET} .clf-message").inner_text()


def still_works(page, file: str) -> None:
    """After bad input, a sample is classified by both models."""
    got = pick_sample(page, file)
    assert got["cnn"]["state"] == got["hog_svm"]["state"] == "done"


@pytest.mark.race
def test_bad_files(open_page, tmp_path):
    need_models()
    tests = sample_index("test-split")
    predict = reference()
    page, watch, widget = open_widget(open_page, "try/")
    wait_answers(page, timeout=120_000)  # both models up: Python has booted once for the whole test
    sample = iter([s["file"] for s in tests] * 2)

    # a text file named .png
    upload(page, "pikachu.png", "image/png", b"This is not a picture, it is text.\n" * 20)
    text = message(page, "error")
    assert "not a picture" in text
    assert page.locator(f"{WIDGET} .clf-message").get_attribute("role") == "alert"
    still_works(page, next(sample))

    # a PNG cut short
    truncated = (SAMPLES / tests[1]["file"]).read_bytes()
    upload(page, "cut.png", "image/png", truncated[: len(truncated) // 3])
    assert "cannot read that PNG" in message(page, "error")
    still_works(page, next(sample))

    # an empty file
    upload(page, "empty.jpg", "image/jpeg", b"")
    assert "empty" in message(page, "error")
    still_works(page, next(sample))

    # a HEIC this browser cannot decode
    upload(page, "IMG_0001.HEIC", "image/heic", HEIC)
    text = message(page, "error")
    assert "HEIC" in text and "JPEG" in text
    still_works(page, next(sample))

    # a 1 × 1 picture: an answer, and a note that it means little
    upload(page, "dot.png", "image/png", png(Image.new("RGBA", (1, 1), (200, 40, 40, 255))))
    got = wait_answers(page, name="dot.png")
    assert "tiny picture" in message(page, "info")
    assert widget.get_attribute("data-box") == "0,0,1"
    assert got["cnn"]["top1"] and got["hog_svm"]["top1"]
    still_works(page, next(sample))

    # a 6000 × 4000 photo: scaled to 1024 px first, both models answer in reasonable time: measured against
    # a sample's upload on this machine now (other programs may share its cores), not a fixed number of seconds
    data = big_photo()
    sample_bytes = (SAMPLES / tests[3]["file"]).read_bytes()
    t0 = time.time()
    upload(page, "reference.png", "image/png", sample_bytes)
    wait_answers(page, name="reference.png")
    reference_s = time.time() - t0
    t0 = time.time()
    upload(page, "big.jpg", "image/jpeg", data)
    got = wait_answers(page, name="big.jpg")
    elapsed = time.time() - t0
    assert "scaled down from 6000 × 4000 px to 1024 × 683 px" in message(page, "info")
    assert "6000 × 4000 px, shown at 1024 × 683" in widget.locator(".clf-picture").inner_text()
    assert widget.get_attribute("data-box") == "170,0,683"
    # (on an idle 2-core machine: about 1 s for the sample, 2–3 s for the photo; the limit was 30 s)
    assert elapsed < max(30, 30 * reference_s), f"the 6000 × 4000 photo took {elapsed:.1f} s, a sample {reference_s:.1f} s"
    still_works(page, next(sample))

    # a transparent PNG (a sprite): the correct answer, as `python -m export predict` gives
    sprite = SAMPLES / tests[5]["file"]
    upload(page, "my sprite.png", "image/png", sprite.read_bytes())
    got = wait_answers(page, name="my sprite.png")
    expected = predict(sprite)
    assert got["cnn"]["top1"] == expected["cnn"][0]["label"] and got["hog_svm"]["top1"] == expected["hog_svm"][0]["label"]

    # a fully transparent PNG: a clear note, an answer about the background
    upload(page, "nothing.png", "image/png", png(Image.new("RGBA", (80, 50))))
    got = wait_answers(page, name="nothing.png")
    assert "fully transparent" in message(page, "info")
    still_works(page, next(sample))

    # an animated GIF: its first frame, as Pillow reads it
    gif = tmp_path / "two-pokemon.gif"
    gif.write_bytes(animated_gif(Image.open(SAMPLES / tests[2]["file"]), Image.open(SAMPLES / tests[7]["file"])))
    upload(page, gif.name, "image/gif", gif.read_bytes())
    got = wait_answers(page, name=gif.name)
    assert "animated GIF: its first frame" in message(page, "info")
    expected = predict(gif)
    assert got["cnn"]["top1"] == expected["cnn"][0]["label"], (got["cnn"]["top"], expected["cnn"])
    assert got["hog_svm"]["top1"] == expected["hog_svm"][0]["label"], (got["hog_svm"]["top"], expected["hog_svm"])
    still_works(page, next(sample))
    screenshot(page, "classifier-after-bad-input")


@pytest.mark.parametrize("broken", ["cnn.onnx", "hog_svm.svm"])
def test_corrupt_model(open_page, broken):
    """A truncated model file: a clear message in that model's column; the other model still answers."""
    need_models()
    data = (MODELS / broken).read_bytes()
    page, watch = open_page(None)
    page.route(f"**/models/{broken}", lambda route: route.fulfill(
        status=200, body=data[: len(data) // 2], headers={"Content-Type": "application/octet-stream"}))
    page.goto("try/")
    widget = page.locator(WIDGET)
    widget.scroll_into_view_if_needed()
    bad, good = ("cnn", "hog_svm") if broken == "cnn.onnx" else ("hog_svm", "cnn")
    if bad == "hog_svm":  # Python starts after the CNN's first answer
        wait_answers(page, ("cnn",))
    got = wait_answers(page, (bad,), states=("error",), timeout=120_000)
    assert broken in got[bad]["error"] and ("damaged" in got[bad]["error"] or "truncated" in got[bad]["error"]), got[bad]["error"]
    assert widget.locator(f".clf-card--{bad} [role=alert]").is_visible()
    got = wait_answers(page, (good,), timeout=120_000)
    assert got[good]["top1"]
    # another sample: the good model answers again, the bad one says the same
    file = sample_index("unseen-art")[0]["file"]
    page.locator(f'{WIDGET} button[data-sample="{file}"]').click()
    wait_answers(page, (good,), name=file)
    got = wait_answers(page, (bad,), name=file, states=("error",))
    assert broken in got[bad]["error"]
    screenshot(page, f"classifier-corrupt-{broken.replace('.', '-')}")
    # onnxruntime may log its own parse error to the console: that is the expected failure, not a bug
    watch.errors[:] = [e for e in watch.errors if not ("onnx" in e.lower() or "ort" in e.lower())]


def test_a_failed_model_download_is_tried_again(open_page):
    """The CNN's file cannot be downloaded (the network drops): the card says so, and the next picture
    downloads it again and answers — a failed load is not kept for the rest of the visit."""
    need_models()
    page, watch = open_page(None)
    offline = {"on": True}
    page.route("**/models/cnn.onnx", lambda route: route.abort("connectionreset") if offline["on"] else route.continue_())
    page.goto("try/")
    page.locator(WIDGET).scroll_into_view_if_needed()
    got = wait_answers(page, ("cnn",), states=("error",), timeout=120_000)
    assert "could not be downloaded" in got["cnn"]["error"], got["cnn"]["error"]
    offline["on"] = False
    file = sample_index("unseen-art")[0]["file"]
    page.locator(f'{WIDGET} button[data-sample="{file}"]').click()
    got = wait_answers(page, ("cnn", "hog_svm"), name=file, timeout=120_000)
    assert got["cnn"]["top1"] == reference()(SAMPLES / file)["cnn"][0]["label"]
    # the dropped downloads are the point of this test: the browser logs them
    watch.errors[:] = [e for e in watch.errors if "cnn.onnx" not in e and "ERR_CONNECTION_RESET" not in e]
