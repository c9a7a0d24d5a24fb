"""Big photos through the Try-it page: HOG+SVM sees exactly the pixels `python -m export predict` gives it.

Twenty PNG pictures, made here once per module (a sprite of the committed samples, scaled up with
nearest-neighbour, on a smooth background with a fine periodic texture; some with a transparent
background), from 640 × 480 to 6000 × 4000 and 5472 × 3648, landscape, portrait, square, very wide and
very tall, and one of 2000 × 120 (under SEND_MAX pixels, but shown scaled down: sent whole). PNG, not
JPEG: PNG is lossless, so Chromium's decoder and Pillow's give the same pixels and the comparison is of
what each side does after decoding (a JPEG's pixels may differ from decoder to decoder). Transparent
pixels have alpha 0 or 255 only, and colour 0 where alpha is 0: a canvas stores premultiplied colour,
so a partly transparent pixel can come back from getImageData a unit off Pillow's.

Each picture is uploaded through the file input, about half keep the default crop, the others have the
crop box moved or resized with the keyboard (some partly outside the picture). For each, the test records
the `classifier.predict` message the widget posted to the Python worker and checks that:

* the crop square the widget reports in the decoded picture's pixels (`data-input`) is
  `pyodemo.classify.default_crop` of the decoded picture when the box was not touched;
* the bytes Python was given are exactly `export.svm_input.svm_input`'s for that file and box
  (SHA-256 of the RGBA bytes, plus width, height, box and block size);
* the features Pyodide computes from them equal `python -m export predict --features --box ...`'s
  within FEATURE_TOL, and the top-1 shown equals the CLI's;
* the score bars are drawn on the model's own score range (`pyodemo.classify.score_range`).

FEATURE_TOL: both sides run the same pyodemo code on the same bytes; what may differ is the last bit of
a libm function (Pyodide's `atan2`, `sqrt` are emscripten's musl, CPython's glibc's) inside HOG, whose
cell sums are float32 (relative step 2⁻²⁴ ≈ 6e-8). 1e-6 (relative to max(1, |value|)) leaves room for
a few such steps and is the bound tests/test_pyodide.py holds HOG to; measured: see the printed maximum.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from export.features import open_rgba
from export.svm_input import SEND_MAX, SEND_SIDE, svm_input
from pyodemo import classify
from pyodemo.svm import SVC
from tests.e2e.conftest import ROOT, SITE
from tests.e2e.test_classifier import SAMPLES, WIDGET, need_models, sample_index, wait_answers
from tests.e2e.test_bad_input import upload

FEATURE_TOL = 1e-6

#: (width, height, transparent background, keys pressed on the crop box: None keeps the default crop)
PICTURES = [
    (6000, 4000, False, None),
    (6000, 4000, False, ["Shift+ArrowLeft"] * 3),  # partly outside on the left
    (4000, 6000, False, ["=", "=", "Shift+ArrowDown"]),  # larger than the picture is wide, partly outside
    (5472, 3648, False, None),
    (4032, 3024, True, None),  # a sprite on transparency: the default crop hugs it
    (3024, 4032, False, ["-", "-", "-", "ArrowUp"]),
    (4000, 3000, True, ["Shift+ArrowRight", "Shift+ArrowRight"]),
    (5000, 1200, False, None),
    (1200, 5000, False, ["Shift+ArrowUp"] * 2),
    (3000, 3000, False, None),
    (2048, 1536, True, ["=", "=", "="]),
    (1600, 1200, False, None),
    (1000, 800, False, ["Shift+ArrowLeft", "Shift+ArrowUp"]),
    (800, 600, True, None),
    (640, 480, False, ["-"] * 8),  # a crop under SEND_SIDE: k = 1, the pixels themselves
    (6000, 600, False, None),
    (1536, 2048, False, ["Shift+ArrowDown"] * 2),
    (2000, 120, False, None),  # 240,000 px: under SEND_MAX, sent whole, though shown scaled down
    (2500, 2500, True, ["-", "-"]),
    (900, 700, False, ["=", "Shift+ArrowRight"]),
]

#: Records the last classifier.predict message the page posts to the Python worker (the widget's own).
RECORD = """(() => {
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === "call" && message.method === "classifier.predict") globalThis.__lastPredict = message;
    return post.call(this, message, ...rest);
  };
})();"""

#: The recorded message's pixels (SHA-256) and arguments, and the features Pyodide computes from them.
REPLAY = """async () => {
  const m = globalThis.__lastPredict;
  const { call } = await import("/js/python.js");
  const r = await call("classifier.predict", { ...m.args, with_features: true }, m.blobs);
  const digest = await crypto.subtle.digest("SHA-256", m.blobs.rgba);
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { args: m.args, sha256: hex, bytes: m.blobs.rgba.length, features: r.features, top: r.top.map((t) => t.label) };
}"""


#: The HOG + SVM card's scores and the widths of their bars (per cent).
BARS = """(sel) => [...document.querySelectorAll(sel + ' .clf-card--hog_svm .clf-top li')].map((li) => [
  Number(li.querySelector('.clf-top__score').textContent), parseFloat(li.querySelector('.clf-bar__fill').style.width)])"""


def picture(width: int, height: int, transparent: bool, sprite: Image.Image, seed: int) -> Image.Image:
    """A sprite filling about half the shorter side, on a background with a fine texture (or on transparency)."""
    rng = np.random.default_rng(seed)
    sprite = sprite.convert("RGBA").crop(sprite.getchannel("A").getbbox())
    side = max(8, int(min(width, height) * rng.uniform(0.4, 0.7)))
    scale = side / max(sprite.size)
    sprite = sprite.resize((max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale))), Image.Resampling.NEAREST)
    if transparent:
        canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    else:  # gradients plus a periodic texture (each k × k block averages something), in small integers
        x, y = np.arange(width), np.arange(height)
        texture = (((y * 13) % 29).astype(np.int16)[:, None] + ((x * 7) % 29).astype(np.int16)[None, :]) % 29 - 14
        base = rng.integers(60, 200, 3)
        rgb = np.empty((height, width, 3), np.uint8)
        for c in range(3):
            across = (base[c] + (c + 1) * 40 * np.arange(width) // width).astype(np.int16)
            down = (-30 * np.arange(height) // height).astype(np.int16)
            rgb[..., c] = np.clip(texture + across[None, :] + down[:, None], 0, 255)
        canvas = Image.fromarray(rgb, "RGB")
    at = (int(rng.integers(0, max(1, width - sprite.width))), int(rng.integers(0, max(1, height - sprite.height))))
    alpha = sprite.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
    canvas.paste(sprite.convert(canvas.mode), at, alpha)
    if transparent:  # alpha 0 or 255 only, and colour 0 where nothing is visible (what a canvas gives back)
        a = np.asarray(canvas.getchannel("A")) > 0
        array = np.asarray(canvas).copy()
        array[~a] = 0
        array[a, 3] = 255
        canvas = Image.fromarray(array, "RGBA")
    return canvas


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    need_models()
    sprites = sample_index("test-split")
    folder = tmp_path_factory.mktemp("big-photos")
    t0 = time.perf_counter()
    made = []
    for i, (width, height, transparent, keys) in enumerate(PICTURES):
        path = folder / f"big-{i:02d}-{width}x{height}.png"
        picture(width, height, transparent, Image.open(SAMPLES / sprites[i % len(sprites)]["file"]), i).save(
            path, compress_level=1)
        made.append((path, keys))
    print(f"{len(made)} pictures made in {time.perf_counter() - t0:.1f} s")
    return made


def js_constant(name: str) -> int:
    import re

    text = (SITE / "js" / "svm-input.js").read_text(encoding="utf-8")
    return eval(re.search(rf"export const {name} = ([\d *]+);", text)[1])  # noqa: S307 (the site's own "512 * 512")


def test_constants_are_the_mirrors():
    assert (js_constant("SEND_MAX"), js_constant("SEND_SIDE")) == (SEND_MAX, SEND_SIDE)


def test_big_photos_match_export_predict(open_page, pictures):
    started = time.perf_counter()
    page, watch = open_page(None)
    page.add_init_script(RECORD)
    page.goto("try/")
    page.locator(WIDGET).scroll_into_view_if_needed()
    wait_answers(page)  # the first sample, by both models: Python has booted
    seen, bars = [], []
    for path, keys in pictures:
        upload(page, path.name, "image/png", path.read_bytes())
        wait_answers(page, name=path.name)
        if keys:
            view = page.locator(f"{WIDGET} .clf-crop__canvas")
            view.focus()
            for key in keys:
                view.press(key)
            wait_answers(page, name=path.name)
        card = page.locator(f"{WIDGET} .clf-card--hog_svm")
        got = page.evaluate(REPLAY)
        bars.append(page.evaluate(BARS, WIDGET))
        seen.append({"path": path, "keys": keys, "box": [int(v) for v in card.get_attribute("data-input").split(",")],
                     "k": int(card.get_attribute("data-block")), "top1": card.get_attribute("data-top1"), **got})
    browser_s = time.perf_counter() - started

    t0 = time.perf_counter()
    command = [sys.executable, "-m", "export", "predict", "--features"]
    for s in seen:
        command.append("--box=" + ",".join(map(str, s["box"])))  # "=": a box may start with a minus
    done = subprocess.run(command + [str(s["path"]) for s in seen], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    cli_s = time.perf_counter() - t0

    worst, blocks, outside = 0.0, set(), 0
    for s, expected in zip(seen, cli):
        name = s["path"].name
        rgba, width, height = open_rgba(s["path"])
        if s["keys"] is None:
            assert s["box"] == classify.default_crop(rgba, width, height), f"{name}: the default crop"
        x, y, side = s["box"]
        outside += x < 0 or y < 0 or x + side > width or y + side > height
        sent, w, h, box, k = svm_input(rgba, width, height, s["box"])
        assert (s["args"]["width"], s["args"]["height"], s["args"]["box"], s["k"]) == (w, h, box, k), name
        assert s["sha256"] == hashlib.sha256(sent).hexdigest(), f"{name}: Python got other pixels than svm_input's"
        assert expected["hog_svm_input"] == {"box": s["box"], "k": k, "sent": [w, h]}, name
        ours, theirs = np.array(s["features"]), np.array(expected["hog_svm_features"])
        assert ours.shape == theirs.shape, name
        diff = np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))
        worst = max(worst, float(diff.max()))
        assert diff.max() <= FEATURE_TOL, f"{name}: features differ by {diff.max():.3g} (relative)"
        assert s["top1"] == s["top"][0] == expected["hog_svm"][0]["label"], f"{name}: {s['top']} vs {expected['hog_svm']}"
        blocks.add(k)
    # the score bars span the model's own score range (pyodemo.classify.score_range), not a constant
    low, high = classify.score_range(SVC.load(SITE / "models" / "hog_svm.svm"))
    for shown in bars:
        for score, width in shown:
            assert abs(width - 100 * min(1, max(0, (score - low) / (high - low)))) <= 0.1 + 100 * 0.005 / (high - low)
    assert {1}.issubset(blocks) and max(blocks) >= 16, f"block sizes covered: {sorted(blocks)}"
    assert outside >= 3, "crops partly outside the picture"
    print(f"{len(seen)} pictures: browser {browser_s:.1f} s, CLI {cli_s:.1f} s; block sizes {sorted(blocks)}, "
          f"{outside} crops partly outside; largest feature difference {worst:.3g} (relative)")
