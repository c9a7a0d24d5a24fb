"""``python -m export predict IMAGE...`` — both committed models' top-3 for pictures, as JSON.

Each picture is prepared exactly as the browser prepares it:

* **HOG+SVM** — decoded and turned upright (EXIF orientation) to RGBA, then the browser's own
  Python: `pyodemo.classify.default_crop`, `prepare`, `features` and the SVM's ``ovr`` scores,
  with the pipeline and the "not sure" threshold read from the model file's header;
* **CNN** — `export.cnn_input` (Pillow mirroring the browser's canvas) with the parameters of the
  sidecar ``cnn.json``, run by onnxruntime; scores are softmax probabilities.

Prints a JSON list, one object per picture::

    [{"path": "...", "hog_svm": [{"label": "Mew", "score": 9.2}, ...×3], "hog_svm_sure": true,
      "cnn": [{"label": "Mew", "score": 0.97}, ...×3], "cnn_sure": true}]

A picture that cannot be read (not an image, an empty file, missing) gets
``{"path": ..., "error": "..."}`` and the exit status is 1. Without a CNN (no ``cnn.onnx`` and
``cnn.json`` in the models folder, or onnxruntime missing) ``"cnn"`` is ``null`` and a note goes
to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from export.features import open_rgba
from pyodemo import classify
from pyodemo.svm import SVC

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"


class Cnn:
    """The committed CNN: an onnxruntime session and its sidecar (class names, input, threshold)."""

    def __init__(self, onnx_path: Path, sidecar_path: Path) -> None:
        import onnxruntime as ort

        from export import cnn_input

        self.cnn_input = cnn_input
        self.sidecar = json.loads(Path(sidecar_path).read_text())
        self.classes = list(self.sidecar["classes"])
        self.spec = self.sidecar["input"]
        self.threshold = self.sidecar.get("threshold")
        self.session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        self.input_name = self.spec.get("name") or self.session.get_inputs()[0].name
        self.logits = (self.sidecar.get("outputs") or {}).get("logits", "logits")

    def top_k(self, path: str | Path, k: int = 3) -> list[dict]:
        image = self.cnn_input.open_image(path)
        x = self.cnn_input.tensor(image, self.spec)
        (logits,) = self.session.run([self.logits], {self.input_name: x})
        row = [float(v) for v in logits[0]]
        peak = max(row)
        exp = [math.exp(v - peak) for v in row]
        total = sum(exp)
        probs = [e / total for e in exp]
        order = sorted(range(len(probs)), key=lambda c: -probs[c])[:k]
        return [{"label": self.classes[c], "score": probs[c]} for c in order]

    def is_sure(self, top: list[dict]) -> bool:
        return self.threshold is None or top[0]["score"] >= self.threshold


def load_cnn(models: Path) -> tuple[Cnn | None, str | None]:
    """The CNN, or None and the reason it is missing."""
    onnx_path, sidecar = models / "cnn.onnx", models / "cnn.json"
    if not (ROOT / "export" / "cnn_input.py").is_file():
        return None, "export/cnn_input.py is missing"
    if not onnx_path.is_file() or not sidecar.is_file():
        return None, f"no CNN in {models} (cnn.onnx and cnn.json): train it with `python -m export train-cnn`"
    try:
        return Cnn(onnx_path, sidecar), None
    except ImportError as error:
        return None, f"cannot run the CNN: {error}"
    except (OSError, ValueError, KeyError) as error:
        return None, f"cannot load the CNN: {error}"


def load_svm(path: Path) -> SVC:
    if not path.is_file():
        raise ValueError(f"{path} not found: train it with `python -m export train-svm`")
    return SVC.load(path)


def predict_one(path: str, svm: SVC, cnn: Cnn | None, k: int = 3) -> dict:
    """One picture's entry of the JSON list (with ``"error"`` when it cannot be read)."""
    entry: dict = {"path": path}
    try:
        rgba, width, height = open_rgba(path)
        top = classify.top_k(svm, rgba, width, height, k)
        entry["hog_svm"] = top
        entry["hog_svm_sure"] = classify.is_sure(svm, top)
        if cnn is not None:
            cnn_top = cnn.top_k(path, k)
            entry["cnn"] = cnn_top
            entry["cnn_sure"] = cnn.is_sure(cnn_top)
        else:
            entry["cnn"] = None
            entry["cnn_sure"] = None
    except ValueError as error:
        return {"path": path, "error": str(error)}
    return entry


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="pictures to classify")
    parser.add_argument("--models", type=Path, default=MODELS, help="folder with hog_svm.svm, cnn.onnx, cnn.json")
    parser.add_argument("-k", type=int, default=3, help="how many guesses per model (default 3)")
    args = parser.parse_args(argv)
    if args.k < 1:
        raise ValueError("-k must be at least 1")
    svm = load_svm(args.models / "hog_svm.svm")
    cnn, why = load_cnn(args.models)
    if cnn is None:
        print(f"note: \"cnn\" is null: {why}", file=sys.stderr)
    entries = [predict_one(p, svm, cnn, args.k) for p in args.images]
    print(json.dumps(entries, indent=1))
    return 1 if any("error" in e for e in entries) else 0


if __name__ == "__main__":
    sys.exit(main())
