"""The classifier widget's Python side (``slides/js/widgets/classifier.js``, the "Try it" and SVM demo pages).

The widget loads the model file once (:func:`load_model`), then asks for each picture's top 3 with the
steps to draw (:func:`predict`); the algorithm itself is :mod:`pyodemo.classify`'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pyodemo.checks import rgba as check_rgba
from pyodemo.checks import flag, whole
from pyodemo.classify import (
    DEFAULT_PIPELINE, MAX_PIXELS, _check_box, _default_crop, _prepare, color_histogram_length, colour_shares,
    features, hog_spec, input_spec, is_sure, rank, score_range,
)
from pyodemo.image import Image
from pyodemo.svm import SVC
from pyodemo.web.sessions import Kept

__all__ = ["load_model", "predict", "forget"]


#: Models the worker has loaded (one or two: the page's classifier).
_MODELS: Kept[SVC] = Kept("model", "load it again", keep=2)


def _summary(model: SVC) -> dict:
    pipeline = model.pipeline or DEFAULT_PIPELINE
    spec = input_spec(pipeline)
    n_sv = len(model.support_) if getattr(model, "support_", None) is not None else 0
    return {
        "classes": list(model.classes_),
        "kernel": model.kernel,
        "n_features": model.n_features_in_,
        "n_support_vectors": n_sv,
        "threshold": model.threshold,
        "threshold_on": pipeline.get("threshold_on"),
        "score_range": score_range(model),
        "input": spec,
        "pipeline": pipeline,
    }


def load_model(model: bytes) -> dict:
    """Read a model file (the bytes of ``hog_svm.svm``) once; answer a ``token`` and a summary.

    Bad bytes raise ``ValueError`` with a plain message.
    """
    if isinstance(model, str):
        raise ValueError("the model must be bytes (the .svm file), not text")
    svc = SVC.from_bytes(bytes(model))
    pipeline = svc.pipeline or DEFAULT_PIPELINE
    input_spec(pipeline)
    for feature in pipeline.get("features") or []:
        if isinstance(feature, dict) and feature.get("name") == "hog":
            hog_spec(feature)
    return {"token": _MODELS.add(svc), **_summary(svc)}


def forget(token: int) -> bool:
    """Drop a loaded model; True if it was loaded (a token of nothing, of any type, gives False)."""
    return _MODELS.drop(token)


def main_colours(image: Image, bins: int, top: int = 12, shares: list[float] | None = None) -> dict:
    """The ``top`` fullest colour cubes of the joint histogram (what the widget's colour step draws).

    ``bins`` is the model's colour feature's; a joint histogram has at most 16 a side, so a finer
    per-channel one is drawn with 16. ``{"bins": bins, "cubes": bins³, "top": [{"rgb": [r, g, b],
    "share": p}, ...]}``, largest first; ``rgb`` is the cube's centre (0..255), ``share`` its
    fraction of the visible pixels. ``shares`` are the joint histogram's, when the features computed them.

    >>> main_colours(Image(2, 1, 3, [1.0, 0.0, 0.0, 1.0, 0.1, 0.0]), 2)
    {'bins': 2, 'cubes': 8, 'top': [{'rgb': [191, 64, 64], 'share': 1.0}]}
    >>> main_colours(Image(1, 1, 3, [0.0, 0.0, 0.0]), 64)["cubes"]
    4096
    """
    bins = min(bins, 16)
    counts = shares if shares is not None else colour_shares(image, bins, joint=True)
    fullest = sorted((k for k, v in enumerate(counts) if v > 0), key=lambda k: -counts[k])[:top]
    centre = [round((i + 0.5) / bins * 255) for i in range(bins)]
    return {
        "bins": bins,
        "cubes": bins**3,
        "top": [{"rgb": [centre[k // (bins * bins)], centre[k // bins % bins], centre[k % bins]], "share": counts[k]}
                for k in fullest],
    }


def predict(
    token: int, rgba: bytes, width: int, height: int, k: int = 3, box: Sequence[int] | None = None,
    with_features: bool = False,
) -> dict:
    """Classify one picture with a loaded model: top ``k``, sure or not, the steps and their timings.

    ``rgba`` are the picture's straight-alpha RGBA bytes (a canvas's ``getImageData``);
    ``box`` an optional crop square ``[x, y, side]`` (default: :func:`pyodemo.classify.default_crop`).
    Answers ``{"top": [{"label", "score", "margin"}, ...], "sure": bool, "threshold": ...,
    "threshold_on": ..., "box": [x, y, side], "n_features": ..., "steps": {...}, "ms": {...}}``.
    The arguments are checked once, and every step is computed once: the pictures of the steps are
    what the classification itself computed.

    * ``steps`` — what the widget draws for "crop → resize → grayscale → HOG": ``size`` and
      the RGBA bytes of ``input`` (the cropped square composited on the background and
      resized to size × size) and ``gray``; for the first HOG feature the per-cell
      ``histograms[row][col][bin]`` (the widget draws them as glyphs), ``cell``, ``orientations``
      and ``bin_centres`` (degrees); with a colour histogram in the pipeline, ``colors``
      (:func:`main_colours`, plus ``n_features``: how many of the model's numbers the histogram is);
    * ``ms`` — milliseconds of each step: ``crop``, ``prepare``, ``features``, ``svm``, their
      ``total`` (the classification), and ``steps`` (packing the steps, not part of it);
    * ``features`` — with ``with_features``, the feature vector itself (to compare with
      ``python -m export predict --features``).
    """
    model = _MODELS.get(token)
    k = whole(k, "k", 1, 100)
    with_features = flag(with_features, "with_features")
    data = check_rgba(rgba, width, height)
    if width * height > MAX_PIXELS:
        raise ValueError(f"the picture is too large ({width} × {height}); scale it down first")
    pipeline = model.pipeline or DEFAULT_PIPELINE
    spec = input_spec(pipeline)
    t0 = time.perf_counter()
    box = list(_check_box(_default_crop(data, width, height, spec["margin"]) if box is None else box))
    t1 = time.perf_counter()
    image = _prepare(data, width, height, spec, tuple(box))
    t2 = time.perf_counter()
    parts: dict[str, Any] = {}
    x = features(image, pipeline, parts)
    t3 = time.perf_counter()
    top = rank(model, x, k)
    t4 = time.perf_counter()
    ms = {"crop": (t1 - t0) * 1e3, "prepare": (t2 - t1) * 1e3, "features": (t3 - t2) * 1e3,
          "svm": (t4 - t3) * 1e3, "total": (t4 - t0) * 1e3}
    gray = parts.get("gray")
    if gray is None or gray.width != image.width:  # an RGB HOG, or one on a resized image
        gray = image.to_gray()
    steps: dict[str, Any] = {
        "size": image.width,
        "input": Image._make(image.width, image.height, 3, image.pixels).to_rgba_bytes(),  # opaque: as HOG sees it
        "gray": Image._make(gray.width, gray.height, 1, gray.pixels).to_rgba_bytes(),
    }
    if "hog" in parts:
        n = parts["hog"]["orientations"]
        steps.update(histograms=parts["histograms"], cell=parts["hog"]["pixels_per_cell"][0], orientations=n,
                     bin_centres=[180 / n * (b + 0.5) for b in range(n)])
    hist_feature = next((f for f in pipeline.get("features") or [] if f.get("name") == "color_hist"), None)
    if hist_feature is not None:
        bins, joint = hist_feature.get("bins", 8), hist_feature.get("joint", False)
        shares = parts.get("shares") if joint is True and bins <= 16 else None
        steps["colors"] = {**main_colours(image, bins, shares=shares), "n_features": color_histogram_length(bins, joint)}
    ms["steps"] = (time.perf_counter() - t4) * 1e3
    extra = {"features": x} if with_features else {}
    return {
        "top": top,
        "sure": is_sure(model, top),
        "threshold": model.threshold,
        "threshold_on": pipeline.get("threshold_on"),
        "box": box,
        "n_features": len(x),
        "steps": steps,
        "ms": ms,
        **extra,
    }
