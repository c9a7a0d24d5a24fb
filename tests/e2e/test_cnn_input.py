"""The browser prepares the CNN's input as export/cnn_input.py does with Pillow (ARCHITECTURE.md, data flow step 6),
and its default crop box is pyodemo.classify.default_crop.

The browser decodes with createImageBitmap (EXIF orientation honoured), draws the crop square pixel for pixel
on a canvas pre-filled with the background colour, resizes it with slides/js/cnn.js's port of Pillow's filter
(the one the sidecar names) and normalises; Pillow crops, resizes, composites and normalises. The resize is
exact; compositing before or after it (the canvas premultiplies alpha) costs at most a few levels on
half-transparent edge pixels.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from export import cnn_input
from pyodemo import classify
from tests.e2e.conftest import SITE

SAMPLES = SITE / "models" / "samples"
#: Used only when this build has no CNN sidecar: the input pipeline does not depend on the weights.
FALLBACK_SPEC = {"name": "image", "size": 64, "layout": "NCHW", "scale": 255, "mean": [0.485, 0.456, 0.406],
                 "std": [0.229, 0.224, 0.225], "background": [255, 255, 255], "resample": "bilinear"}
#: Browser vs Pillow, in pixel units (0…1): mean |Δ| per picture, its 99th percentile and its maximum
#: (measured: at most 0.0004, 0.008 and 0.012, i.e. 3 levels, all on half-transparent sprite edges).
MEAN_TOL, P99_TOL, MAX_TOL = 0.002, 0.01, 0.02

PREPARE = """async ({items, spec}) => {
  const cnn = await import("/js/cnn.js");
  const cb = { ...(await import("/js/picture.js")), ...(await import("/js/default-crop.js")) };
  const out = [];
  for (const item of items) {
    const bytes = item.b64 ? Uint8Array.from(atob(item.b64), (c) => c.charCodeAt(0)) : null;
    const picture = bytes ? await cb.loadPicture(new Blob([bytes], { type: "image/png" }), { name: item.name })
                          : await cb.loadPictureURL(item.url, item.name);
    const box = item.box ?? cb.defaultCrop(picture.rgba, picture.width, picture.height);
    const result = { name: item.name, size: [picture.width, picture.height], box };
    if (spec) {
      const bytes = new Uint8Array(cnn.prepare(picture, box, spec).tensor.buffer);
      let text = "";
      for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
      result.tensor = btoa(text);  // float32, little-endian
    }
    out.push(result);
  }
  return out;
}"""


def tensor_of(result: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(result["tensor"]), "<f4")


def sidecar_spec() -> dict:
    path = SITE / "models" / "cnn.json"
    return json.loads(path.read_text())["input"] if path.is_file() else FALLBACK_SPEC


def committed_samples() -> list[str]:
    index = SAMPLES / "index.json"
    if not index.is_file():
        pytest.skip("this build has no samples (slides/models/samples/index.json)")
    return [s["file"] for s in json.loads(index.read_text())["samples"]]


def png_b64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def synthetic() -> dict[str, Image.Image]:
    """Pictures that exercise every branch of the default crop."""
    rng = np.random.default_rng(7)
    out = {}
    sprite = Image.new("RGBA", (40, 20))
    sprite.paste((200, 30, 30, 255), (10, 5, 30, 15))
    out["sprite-40x20"] = sprite                                      # the docstring's example: [8, -2, 24]
    edge = Image.new("RGBA", (50, 30))
    edge.paste((0, 90, 200, 255), (0, 0, 12, 30))
    out["sprite-at-edge"] = edge                                      # the square reaches outside on the left
    faint = Image.new("RGBA", (33, 47))
    faint.putpixel((20, 9), (10, 10, 10, 1))
    out["one-faint-pixel"] = faint                                    # alpha 1 counts as visible
    out["opaque-wide"] = Image.new("RGBA", (61, 20), (1, 2, 3, 255))  # centred largest square
    out["opaque-tall"] = Image.new("RGBA", (7, 30), (1, 2, 3, 255))
    out["fully-transparent"] = Image.new("RGBA", (30, 21))            # nothing visible: centred square
    out["one-pixel"] = Image.new("RGBA", (1, 1), (255, 0, 0, 255))
    alpha = rng.integers(0, 256, (64, 64, 1), dtype=np.uint8)
    alpha[0, 0, 0] = 255
    out["noise-alpha-64"] = Image.fromarray(np.concatenate([rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), alpha], 2), "RGBA")
    return out


def run_prepare(open_page, items, spec):
    page, _ = open_page("credits/")  # a page without widgets: only the modules under test run
    return page.evaluate(PREPARE, {"items": items, "spec": spec})


def test_default_crop_matches_pyodemo(open_page):
    files = committed_samples()
    pictures = synthetic()
    items = [{"name": f, "url": f"/models/samples/{f}"} for f in files]
    items += [{"name": name, "b64": png_b64(im)} for name, im in pictures.items()]
    got = {r["name"]: r for r in run_prepare(open_page, items, None)}
    for f in files:
        image = cnn_input.open_image(SAMPLES / f)
        expected = classify.default_crop(image.tobytes(), *image.size)
        assert got[f]["size"] == list(image.size), f
        assert got[f]["box"] == expected, f"{f}: browser {got[f]['box']} != pyodemo {expected}"
        assert tuple(expected) == cnn_input.default_crop(image), f"{f}: export/cnn_input.py disagrees"
    for name, image in pictures.items():
        expected = classify.default_crop(image.tobytes(), *image.size)
        assert got[name]["box"] == expected, f"{name}: browser {got[name]['box']} != pyodemo {expected}"
    assert got["sprite-40x20"]["box"] == [8, -2, 24]
    assert got["opaque-wide"]["box"] == [20, 0, 20]
    assert got["one-pixel"]["box"] == [0, 0, 1]


def test_cnn_input_matches_pillow(open_page):
    spec = sidecar_spec()
    files = committed_samples()
    items = [{"name": f, "url": f"/models/samples/{f}"} for f in files]
    results = run_prepare(open_page, items, spec)
    std = np.asarray(spec["std"], np.float32)[:, None, None]
    report = []
    for f, r in zip(files, results):
        image = cnn_input.open_image(SAMPLES / f)
        reference = cnn_input.tensor(image, spec)[0]
        got = tensor_of(r).reshape(reference.shape)
        diff = np.abs(got - reference) * std  # back to pixel units 0…1
        report.append(f"{f}: mean {diff.mean():.4f} p99 {np.quantile(diff, 0.99):.3f} max {diff.max():.3f}")
        assert diff.mean() <= MEAN_TOL and np.quantile(diff, 0.99) <= P99_TOL and diff.max() <= MAX_TOL, \
            f"{f} ({spec.get('resample')}): browser and Pillow differ too much: {report[-1]}"
    print("\n".join(report))


def test_cnn_input_exact_without_resampling(open_page):
    """No resizing (the crop is size × size): only premultiplied alpha may cost a level or two."""
    spec = {**sidecar_spec(), "background": [37, 180, 90]}
    size = spec["size"]
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (size, size, 1), dtype=np.uint8)
    opaque = Image.fromarray(np.concatenate([rgb, np.full_like(alpha, 255)], 2), "RGBA")
    translucent = Image.fromarray(np.concatenate([rgb, alpha], 2), "RGBA")
    items = [{"name": "opaque", "b64": png_b64(opaque), "box": [0, 0, size]},
             {"name": "translucent", "b64": png_b64(translucent), "box": [0, 0, size]},
             # half the square outside the picture: that half is background
             {"name": "shifted", "b64": png_b64(opaque), "box": [size // 2, 0, size]}]
    results = run_prepare(open_page, items, spec)
    std = np.asarray(spec["std"], np.float32)[:, None, None]
    pictures = {"opaque": opaque, "translucent": translucent, "shifted": opaque}
    for item, r in zip(items, results):
        reference = cnn_input.to_array(cnn_input.prepare(pictures[item["name"]], spec, item["box"]), spec)
        got = tensor_of(r).reshape(reference.shape)
        levels = np.abs(got - reference) * std * 255
        limit = 1e-3 if item["name"] != "translucent" else 2.01
        assert levels.max() <= limit, f"{item['name']}: off by up to {levels.max():.2f} levels"
    # the shifted square's right half is the background colour
    shifted = tensor_of(results[2]).reshape(3, size, size)
    bg = (np.asarray(spec["background"], np.float32) / spec["scale"] - np.asarray(spec["mean"], np.float32)) / np.asarray(spec["std"], np.float32)
    assert np.allclose(shifted[:, :, size // 2 + 1:], bg[:, None, None], atol=1e-5)


@pytest.mark.parametrize("resample", ["bilinear", "box"])
def test_resample_is_pillows(open_page, resample):
    """cnn.js's resize equals Pillow's Image.resize bit for bit, shrinking and enlarging."""
    rng = np.random.default_rng(11)
    cases = [(70, 64), (134, 64), (256, 64), (333, 48), (37, 64), (1, 64), (64, 64)]
    pictures = [rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for side, _ in cases]
    page, _ = open_page("credits/")
    got = page.evaluate(
        """async ({cases, resample}) => {
          const cnn = await import("/js/cnn.js");
          return cases.map(([side, size, b64]) => {
            const rgb = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
            for (let i = 0; i < side * side; i++) rgba.set(rgb.subarray(3 * i, 3 * i + 3), 4 * i);
            const out = cnn.resample(rgba, side, size, resample);
            let text = "";
            for (let i = 0; i < out.length; i += 8192) text += String.fromCharCode(...out.subarray(i, i + 8192));
            return btoa(text);
          });
        }""", {"cases": [[side, size, base64.b64encode(p.tobytes()).decode()] for (side, size), p in zip(cases, pictures)],
               "resample": resample})
    for (side, size), picture, out in zip(cases, pictures, got):
        expected = np.asarray(Image.fromarray(picture, "RGB").resize((size, size), cnn_input.RESAMPLE[resample]))
        browser = np.frombuffer(base64.b64decode(out), np.uint8).reshape(size, size, 4)[..., :3]
        assert np.array_equal(browser, expected), f"{side} → {size} ({resample}): off by up to " \
            f"{np.abs(browser.astype(int) - expected).max()} levels"


EMBEDDING = """async ({files}) => {
  const cnn = await import("/js/cnn.js");
  const cb = { ...(await import("/js/picture.js")), ...(await import("/js/default-crop.js")) };
  const b64 = (array) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(text);
  };
  const out = [];
  for (const file of files) {
    const picture = await cb.loadPictureURL(`/models/samples/${file}`, file);
    const box = cb.defaultCrop(picture.rgba, picture.width, picture.height);
    const { meta } = await cnn.loadCNN();
    const tensor = b64(cnn.prepare(picture, box, meta.input).tensor);
    const result = await cnn.classify(picture, box);
    out.push({ file, tensor, embedding: result.embedding ? b64(result.embedding) : null });
  }
  return out;
}"""


def test_the_browsers_embedding_is_onnxruntimes_on_the_same_tensor(open_page):
    """The CNN's learned features ("Teach it" trains on them): in the browser's onnxruntime-web, equal to
    onnxruntime's in CPython on the identical input tensor, within 1e-4 (the input's own check is above)."""
    import onnxruntime as ort

    sidecar = json.loads((SITE / "models" / "cnn.json").read_text())
    assert sidecar["outputs"]["embedding"] == "embedding"
    files = committed_samples()[::10]
    page, watch = open_page("credits/")
    results = page.evaluate(EMBEDDING, {"files": files})
    session = ort.InferenceSession(str(SITE / "models" / "cnn.onnx"), providers=["CPUExecutionProvider"])
    size = sidecar["input"]["size"]
    for r in results:
        assert r["embedding"] is not None, r["file"]
        x = tensor_of(r).reshape(1, 3, size, size)
        (expected,) = session.run(["embedding"], {"image": x})
        got = np.frombuffer(base64.b64decode(r["embedding"]), "<f4")
        assert got.shape == expected[0].shape and np.abs(got - expected[0]).max() <= 1e-4, r["file"]
    watch.check()
