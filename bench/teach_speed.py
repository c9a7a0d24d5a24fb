"""`python -m bench teach`: "Teach it" in Pyodide (the browser's Python, run under Node).

Six Pokémon × twenty pictures of the dataset's training split stand for the audience's examples. Measured
in Pyodide, medians of repeated runs:

* ``teach_hog_features_pyodide_ms`` — one example's HOG + colour features (`pyodemo.web.teach.picture_features`);
* ``teach_train_pyodide_ms`` — `teach.train` on both kinds of features, cross-validation included (target ≤ 5 s);
* ``teach_predict_both_pyodide_ms`` — one frame answered by both trained classifiers, the HOG features
  included (target ≤ 50 ms; the CNN's features come from the page's onnxruntime: ``cnn_per_image_ms`` of
  `python -m bench browser`, target ≤ 10 ms).

The CNN features are the committed model's ``embedding`` output, computed here with onnxruntime.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from pathlib import Path

from bench.measure import in_pyodide

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "pokemon-10"
MODELS = ROOT / "slides" / "models"
CLASSES = ("Horsea", "Mankey", "Mew", "Scyther", "Snorlax", "Vaporeon")
PER_CLASS = 20

PROGRAM = """
import base64, json, statistics, time
from pyodemo import classify
from pyodemo.web import teach
DATA = json.loads(DATA_JSON)
pictures = [(base64.b64decode(b), w, h) for b, w, h in DATA["pictures"]]
labels, cnn, sha = DATA["labels"], DATA["cnn"], DATA["sha"]
def timed(f):
    t = time.perf_counter(); out = f(); return out, (time.perf_counter() - t) * 1e3
hog, feature_ms = [], []
for p in pictures:
    x, ms = timed(lambda: teach.picture_features(*p))
    hog.append(x); feature_ms.append(ms)
train_ms, result = [], None
for _ in range(3):
    result, ms = timed(lambda: teach.train({"hog": hog, "cnn": cnn}, labels, cnn_sha256=sha))
    train_ms.append(ms)
models = {kind: teach.load(r["model"], sha) for kind, r in result.items()}
predict_ms = []
for p, e in zip(pictures[::6], cnn[::6]):
    _, ms = timed(lambda: (classify.rank(models["hog"], teach.picture_features(*p), 3), classify.rank(models["cnn"], e, 3)))
    predict_ms.append(ms)
print("RESULT " + json.dumps({
    "teach_hog_features_pyodide_ms": round(statistics.median(feature_ms), 1),
    "teach_train_pyodide_ms": round(statistics.median(train_ms)),
    "teach_predict_both_pyodide_ms": round(statistics.median(predict_ms), 1),
    "teach_chosen": {kind: [r["kernel"], r["C"], round(r["accuracy"], 3)] for kind, r in result.items()},
}))
"""


def examples() -> tuple[list[Path], list[str]]:
    with open(DATASET / "manifest.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "train" and r["class"] in CLASSES]
    paths, labels = [], []
    for name in CLASSES:
        mine = sorted((r for r in rows if r["class"] == name), key=lambda r: r["path"])[::3][:PER_CLASS]
        paths += [DATASET / r["path"] for r in mine]
        labels += [name] * len(mine)
    return paths, labels


def run() -> dict:
    import onnxruntime as ort
    from PIL import Image

    from export import cnn_input

    paths, labels = examples()
    sidecar = json.loads((MODELS / "cnn.json").read_text())
    session = ort.InferenceSession(str(MODELS / "cnn.onnx"), providers=["CPUExecutionProvider"])
    (embedding,) = session.run([sidecar["outputs"]["embedding"]], {"image": cnn_input.batch(paths, sidecar["input"])})
    pictures = []
    for path in paths:
        im = Image.open(path).convert("RGBA")
        pictures.append([base64.b64encode(im.tobytes()).decode(), im.width, im.height])
    data = {"pictures": pictures, "labels": labels, "cnn": embedding.tolist(),
            "sha": hashlib.sha256((MODELS / "cnn.onnx").read_bytes()).hexdigest()}
    return in_pyodide(f"DATA_JSON = {json.dumps(json.dumps(data))}\n" + PROGRAM)
