"""`python -m bench svm`: the committed HOG+SVM model's answer per picture, in CPython and in Pyodide (Node).

What the training log's ``timing.cpython_ms_per_image`` / ``pyodide_ms_per_image`` recorded until the
trainer stopped timing the browser's Python (a pipeline step no longer builds the site's wheel): the same
pictures — ten test-split sprites spread over the split (64 px) and three photo-like pictures (256 px) — the
same calls, `pyodemo.classify.top_k` here and `pyodemo.web.classifier.predict` in Pyodide, each picture's
fastest of five runs, the median over the pictures:

* ``hogsvm_cpython_ms_sprite_64px``, ``hogsvm_cpython_ms_photo_256px`` — crop → prepare → features → SVM;
* ``hogsvm_pyodide_node_ms_sprite_64px``, ``..._photo_256px`` — the same in Pyodide (target ≤ 30 ms for a
  sprite), and its steps (``hogsvm_pyodide_node_steps_sprite_64px``: crop, prepare, features, svm).
"""

from __future__ import annotations

import base64
import statistics
import time
from pathlib import Path

from bench.measure import in_pyodide

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "slides" / "models" / "hog_svm.svm"
REPEATS = 5

PROGRAM = r"""
import base64, json, statistics
from pyodemo.web import classifier
token = classifier.load_model(base64.b64decode(MODEL))["token"]
report = {}
for kind, pictures in PICTURES.items():
    steps = []
    for b64, w, h in pictures:
        rgba = base64.b64decode(b64)
        runs = [classifier.predict(token, rgba, w, h, 3)["ms"] for _ in range(REPEATS)]
        steps.append(min(runs, key=lambda m: m["total"]))
    report[kind] = {k: round(statistics.median(s[k] for s in steps), 2) for k in steps[0]}
print("RESULT " + json.dumps(report))
"""


def pictures() -> dict[str, list[tuple[bytes, int, int]]]:
    """Ten test-split sprites and three photo-like pictures, spread over their lists (the trainer's pick)."""
    from export import features as F

    rows = F.read_manifest(F.DATASET)
    test = [r for r in rows if r["split"] == "test"]
    out = {"sprite_64px": [F.picture(F.DATASET / r["path"]) for r in test[:: max(1, len(test) // 10)][:10]]}
    folder = F.DATASET.parent / "photo-like"
    if (folder / "manifest.csv").is_file():
        photos = F.read_manifest(folder)
        out["photo_256px"] = [F.open_rgba(folder / r["path"]) for r in photos[:: max(1, len(photos) // 3)][:3]]
    return out


def cpython_ms(model, items: list[tuple[bytes, int, int]]) -> float:
    """Median over the pictures of each one's fastest `pyodemo.classify.top_k` (of `REPEATS`)."""
    from pyodemo import classify

    def once(rgba: bytes, w: int, h: int) -> float:
        t = time.perf_counter()
        classify.top_k(model, rgba, w, h, 3)
        return (time.perf_counter() - t) * 1e3

    return round(statistics.median(min(once(*p) for _ in range(REPEATS)) for p in items), 2)


def run() -> dict:
    from pyodemo.svm import SVC

    model = SVC.load(MODEL)
    sets = pictures()
    out = {f"hogsvm_cpython_ms_{kind}": cpython_ms(model, items) for kind, items in sets.items()}
    encoded = {k: [(base64.b64encode(r).decode(), w, h) for r, w, h in v] for k, v in sets.items()}
    measured = in_pyodide(f"MODEL = {base64.b64encode(MODEL.read_bytes()).decode()!r}\n"
                          f"PICTURES = {encoded!r}\nREPEATS = {REPEATS}\n" + PROGRAM)
    for kind, steps in measured.items():
        out[f"hogsvm_pyodide_node_ms_{kind}"] = steps["total"]
        out[f"hogsvm_pyodide_node_steps_{kind}"] = {k: v for k, v in steps.items() if k != "total"}
    return out
