"""``python -m export predict IMAGE...`` — both committed models' top-3 for pictures, as JSON.

Each picture is prepared exactly as the browser prepares it:

* **HOG+SVM** — decoded and turned upright (EXIF orientation) to RGBA; the crop square is
  `pyodemo.classify.default_crop` (or ``--box``); a picture over 512 × 512 pixels gets the
  browser's exact integer box reduction of that square (`export.svm_input`, the mirror of
  ``slides/js/svm-input.js``); then the browser's own Python: `pyodemo.classify.prepare`,
  `features` and the SVM's ``ovr`` scores, with the pipeline and the "not sure" threshold read
  from the model file's header;
* **CNN** — `export.cnn_input` (Pillow mirroring the browser's canvas) with the parameters of the
  sidecar ``cnn.json``, run by onnxruntime; scores are softmax probabilities.

Prints a JSON list, one object per picture::

    [{"path": "...", "hog_svm": [{"label": "Mew", "score": 9.2}, ...×3], "hog_svm_sure": true,
      "cnn": [{"label": "Mew", "score": 0.97}, ...×3], "cnn_sure": true}]

``--model FILE`` answers with a classifier of "Teach it" instead (a model file of
`pyodemo.web.teach.train`, on HOG + colour or on the CNN's learned features — then the committed CNN must be
the one it was trained on): ``[{"path": ..., "model": [...×3], "model_sure": true}]``.

``--box X,Y,SIDE`` (once per picture, in their order) gives each picture's crop square in its
own pixels, as the classifier widget reports it (write ``--box=-10,0,300`` when X is negative); ``--features`` adds each picture's
``"hog_svm_input"`` (``box``, the block size ``k``, and the ``sent`` width and height Python got) and its feature
vector ``"hog_svm_features"``.

A picture that cannot be read (not an image, an empty file, missing) gets
``{"path": ..., "error": "..."}`` and the exit status is 1. Without a CNN (no ``cnn.onnx`` and
``cnn.json`` in the models folder, or onnxruntime missing) ``"cnn"`` is ``null`` and a note goes
to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from export.features import open_rgba
from export.svm_input import svm_input
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
        self.sha256 = hashlib.sha256(Path(onnx_path).read_bytes()).hexdigest()

    def output(self, name: str, path: str | Path) -> list[float]:
        """Output *name* of the model for one picture, prepared as the browser prepares it."""
        x = self.cnn_input.tensor(self.cnn_input.open_image(path), self.spec)
        (values,) = self.session.run([name], {self.input_name: x})
        return [float(v) for v in values[0]]

    def embedding(self, path: str | Path) -> list[float]:
        """The CNN's learned features of a picture (the ``embedding`` output), as the browser reads them."""
        name = (self.sidecar.get("outputs") or {}).get("embedding")
        if name is None:
            raise ValueError("this CNN has no embedding output: retrain it with `python -m export train-cnn`")
        return self.output(name, path)

    def top_k(self, path: str | Path, k: int = 3) -> list[dict]:
        row = self.output(self.logits, path)
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


def svm_answer(svm: SVC, rgba: bytes, width: int, height: int, k: int = 3, box: Sequence[int] | None = None,
               features: bool = False) -> dict:
    """HOG+SVM's answer for a decoded picture, from the pixels the browser would send (`export.svm_input`).

    ``{"top": [...], "sure": bool}``, plus ``"input"`` (``box``, ``k``, ``sent``) and ``"features"``
    with *features*. ``box`` defaults to `pyodemo.classify.default_crop` with the model's margin.
    """
    pipeline = svm.pipeline or classify.DEFAULT_PIPELINE
    if box is None:
        box = classify.default_crop(rgba, width, height, classify.input_spec(pipeline)["margin"])
    sent, w, h, sent_box, block = svm_input(rgba, width, height, box)
    x = classify.features(classify.prepare(sent, w, h, pipeline, sent_box), pipeline)
    top = classify.rank(svm, x, k)
    answer = {"top": top, "sure": classify.is_sure(svm, top)}
    if features:
        answer["input"] = {"box": list(box), "k": block, "sent": [w, h]}
        answer["features"] = x
    return answer


def predict_one(path: str, svm: SVC, cnn: Cnn | None, k: int = 3, box: Sequence[int] | None = None,
                features: bool = False) -> dict:
    """One picture's entry of the JSON list (with ``"error"`` when it cannot be read)."""
    entry: dict = {"path": path}
    try:
        rgba, width, height = open_rgba(path)
        answer = svm_answer(svm, rgba, width, height, k, box, features)
        entry["hog_svm"] = answer["top"]
        entry["hog_svm_sure"] = answer["sure"]
        if features:
            entry["hog_svm_input"] = answer["input"]
            entry["hog_svm_features"] = answer["features"]
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


def taught_one(path: str, model: SVC, cnn: Cnn | None, k: int = 3, box: Sequence[int] | None = None) -> dict:
    """One picture's answer from a "Teach it" classifier (its features: HOG + colour, or the CNN's)."""
    try:
        if model.pipeline["feature"] == "hog":
            answer = svm_answer(model, *open_rgba(path), k, box)
        else:
            top = classify.rank(model, cnn.embedding(path), k)
            answer = {"top": top, "sure": classify.is_sure(model, top)}
    except ValueError as error:
        return {"path": path, "error": str(error)}
    return {"path": path, "model": answer["top"], "model_sure": answer["sure"]}


def parse_box(text: str) -> list[int]:
    """``"X,Y,SIDE"`` → ``[x, y, side]`` (whole numbers, side ≥ 1; x and y may be negative).

    >>> parse_box("-10,20,300")
    [-10, 20, 300]
    """
    try:
        box = [int(v) for v in text.split(",")]
    except ValueError:
        box = []
    if len(box) != 3 or box[2] < 1:
        raise argparse.ArgumentTypeError(f"a box is X,Y,SIDE (three whole numbers, SIDE ≥ 1), got {text!r}")
    return box


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="pictures to classify")
    parser.add_argument("--models", type=Path, default=MODELS, help="folder with hog_svm.svm, cnn.onnx, cnn.json")
    parser.add_argument("-k", type=int, default=3, help="how many guesses per model (default 3)")
    parser.add_argument("--box", action="append", type=parse_box, metavar="X,Y,SIDE",
                        help="a picture's crop square in its own pixels; give one per picture, in order "
                             "(--box=X,Y,SIDE when X is negative)")
    parser.add_argument("--features", action="store_true", help="add the HOG+SVM input and feature vector")
    parser.add_argument("--model", type=Path, help='a classifier of "Teach it" (a .svm model file) instead of the two')
    args = parser.parse_args(argv)
    if args.k < 1:
        raise ValueError("-k must be at least 1")
    boxes = args.box or [None] * len(args.images)
    if len(boxes) != len(args.images):
        raise ValueError(f"{len(boxes)} --box for {len(args.images)} pictures: give one per picture, or none")
    if args.model is not None:
        return predict_taught(args)
    svm = load_svm(args.models / "hog_svm.svm")
    cnn, why = load_cnn(args.models)
    if cnn is None:
        print(f"note: \"cnn\" is null: {why}", file=sys.stderr)
    entries = [predict_one(p, svm, cnn, args.k, box, args.features) for p, box in zip(args.images, boxes)]
    print(json.dumps(entries, indent=1))
    return 1 if any("error" in e for e in entries) else 0



def predict_taught(args: argparse.Namespace) -> int:
    from pyodemo.web import teach

    if not args.model.is_file():
        raise ValueError(f"{args.model} not found")
    cnn, why = load_cnn(args.models)
    if cnn is None:
        print(f"note: no CNN ({why}): only a model on HOG + colour features can answer", file=sys.stderr)
    model = teach.load(args.model.read_bytes(), cnn.sha256 if cnn else None)
    boxes = args.box or [None] * len(args.images)
    entries = [taught_one(p, model, cnn, args.k, box) for p, box in zip(args.images, boxes)]
    print(json.dumps(entries, indent=1))
    return 1 if any("error" in e for e in entries) else 0


if __name__ == "__main__":
    sys.exit(main())
