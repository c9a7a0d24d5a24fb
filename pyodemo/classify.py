"""Who's that Pokémon? An image in, the HOG+SVM model's three best guesses out.

The talk's pipeline, as data: a model file (:mod:`pyodemo.svm`) carries in its header a
``pipeline`` dict that says how an image becomes a feature vector — the committed model's::

    {"input": {"size": 64, "background": [255, 255, 255], "margin": 0.08},
     "features": [{"name": "hog", "orientations": 9, "pixels_per_cell": [8, 8],
                   "cells_per_block": [2, 2], "block_norm": "L2-Hys",
                   "transform_sqrt": false, "color": "gray"},
                  {"name": "color_hist", "bins": 10, "joint": true, "sqrt": true,
                   "weight": 16.0}],
     "threshold_on": "margin: ..."}

and this module follows it, step by step:

1. :func:`default_crop` — the square to look at: for a picture with transparency (a sprite),
   the square around its visible pixels (alpha > 0) plus a margin; for an opaque photo, the
   centred largest square;
2. :func:`prepare` — that square composited on the background colour (the "over" operator),
   resized to ``size`` × ``size`` with pyodemo's box filter (Pillow's ``BOX``);
3. :func:`features` — the feature vector: HOG (Dalal & Triggs 2005, :mod:`pyodemo.hog`) on the
   gray or colour image, optionally followed by a colour histogram (:func:`color_histogram`:
   shape from HOG, colour from the histogram);
4. :func:`top_k` — the classes ranked by the SVM's scores (scikit-learn's ``ovr`` decision
   function), each with its *margin* (:func:`decision`), and :func:`is_sure` — whether the best
   answer clears the model's "not sure" threshold.

The SAME functions compute the training features (``export/features.py``, CPython) and the
browser's (Pyodide): train/serve consistency by construction. The classifier widget calls them
through :mod:`pyodemo.web.classifier`.

>>> sprite = bytes([0, 0, 0, 0]) * 4 + bytes([0, 0, 0, 255]) + bytes([0, 0, 0, 0]) * 4
>>> default_crop(sprite, 3, 3)           # one black pixel in the middle of a 3 × 3 picture
[1, 1, 1]
>>> default_crop(bytes([9, 9, 9, 255]) * 6, 3, 2)   # opaque: the centred largest square
[0, 0, 2]
>>> prepare(sprite, 3, 3, {"input": {"size": 2}}).pixels
[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from itertools import compress, repeat
from operator import eq, lt
from typing import Any

from pyodemo import hog
from pyodemo.checks import flag, number, one_of, rgb, whole
from pyodemo.checks import rgba as check_rgba
from pyodemo.image import Image
from pyodemo.multiclass import ovr_scores, pairs
from pyodemo.svm import SVC

__all__ = [
    "default_crop", "prepare", "features", "color_histogram", "decision", "score_range", "rank", "top_k", "is_sure",
    "choose_threshold",
]

#: The default crop's margin: a fraction of the visible box's longer side, added on each side.
MARGIN = 0.08
#: What a pipeline's ``input`` defaults to.
DEFAULT_INPUT = {"size": 64, "background": [255, 255, 255], "margin": MARGIN}
#: The HOG settings a ``{"name": "hog"}`` feature defaults to (scikit-image's defaults but 8 × 8 cells).
DEFAULT_HOG = {
    "orientations": 9,
    "pixels_per_cell": [8, 8],
    "cells_per_block": [2, 2],
    "block_norm": "L2-Hys",
    "transform_sqrt": False,
    "color": "gray",
}
#: A pipeline that works without a model file (the talk's first setting).
DEFAULT_PIPELINE = {"input": dict(DEFAULT_INPUT), "features": [{"name": "hog", **DEFAULT_HOG}]}
#: Pictures larger than this many pixels are refused by :func:`predict` (the widget scales them down).
MAX_PIXELS = 4096 * 4096


# ------------------------------------------------------------------------ 1. the crop


def default_crop(rgba: bytes, width: int, height: int, margin: float = MARGIN) -> list[int]:
    """The square ``[x, y, side]`` the classifier looks at by default.

    With transparency (some alpha < 255): the bounding box ``[x0, x1) × [y0, y1)`` of the
    pixels with alpha > 0 gives ``longer = max(x1 − x0, y1 − y0)``,
    ``pad = floor(margin · longer + 0.5)``, ``side = longer + 2 · pad`` and the corner
    ``x = floor((x0 + x1 − side) / 2)``, ``y = floor((y0 + y1 − side) / 2)``: a square centred
    on the sprite. An opaque picture, or one with nothing visible, gives the centred largest
    square, ``side = min(width, height)``. The square may reach outside the picture; outside
    counts as background. The browser's JavaScript and ``export/cnn_input.py`` follow the
    same rule.

    >>> rgba = bytearray(4 * 40 * 20)              # 40 × 20, transparent
    >>> for y in range(5, 15):                     # an opaque 20 × 10 box at (10, 5)
    ...     rgba[4 * (y * 40 + 10) + 3 : 4 * (y * 40 + 30) : 4] = b"\\xff" * 20
    >>> default_crop(bytes(rgba), 40, 20)          # pad = round(0.08 × 20) = 2, side 24
    [8, -2, 24]
    """
    return _default_crop(check_rgba(rgba, width, height), width, height, number(margin, "margin", 0, 1))


def _default_crop(data: bytes, width: int, height: int, margin: float) -> list[int]:
    """:func:`default_crop` of checked arguments."""
    alpha = data[3::4]
    n = width * height
    if alpha.count(255) == n or alpha.count(0) == n:
        side = min(width, height)
        return [(width - side) // 2, (height - side) // 2, side]
    rows = [alpha[y * width : (y + 1) * width].count(0) != width for y in range(height)]
    y0 = rows.index(True)
    y1 = height - rows[::-1].index(True)
    x0 = next(x for x in range(width) if alpha[x::width].count(0) != height)
    x1 = next(x for x in range(width - 1, -1, -1) if alpha[x::width].count(0) != height) + 1
    longer = max(x1 - x0, y1 - y0)
    pad = math.floor(margin * longer + 0.5)
    side = longer + 2 * pad
    return [(x0 + x1 - side) // 2, (y0 + y1 - side) // 2, side]


# ------------------------------------------------------------------------ 2. the input image


def input_spec(pipeline: dict | None) -> dict:
    """The pipeline's ``input`` block with defaults filled in, checked."""
    given = (pipeline or {}).get("input") or {}
    if not isinstance(given, dict):
        raise ValueError("the pipeline's 'input' must be an object")
    spec = {**DEFAULT_INPUT, **given}
    size = spec["size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1024:
        raise ValueError(f"the pipeline's input size must be a whole number 1..1024, got {size!r}")
    spec["background"] = list(rgb(spec["background"], "the pipeline's background"))
    return spec


def _check_box(box: Any) -> tuple[int, int, int]:
    try:
        x, y, side = box
    except (TypeError, ValueError):
        raise ValueError(f"a crop box is [x, y, side], got {box!r}") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y, side)) or side < 1:
        raise ValueError(f"a crop box is three whole numbers [x, y, side] with side ≥ 1, got {box!r}")
    return x, y, side


def prepare(
    rgba: bytes, width: int, height: int, pipeline: dict | None = None, box: Sequence[int] | None = None
) -> Image:
    """The ``size`` × ``size`` RGB image the features are computed from.

    The crop square ``box`` (default: :func:`default_crop`) is cut out of the picture — only
    its pixels are decoded — composited on the pipeline's background colour (outside the
    picture is background), and resized to ``size`` × ``size`` with the box filter
    (:meth:`pyodemo.image.Image.resize`, equal to Pillow's ``BOX``). The result keeps its
    alpha channel (for the colour histogram) and its background colour.

    >>> img = prepare(bytes([255, 0, 0, 255]) * 16, 4, 4, {"input": {"size": 2}})
    >>> img.size, img.pixels[:3]
    ((2, 2), [1.0, 0.0, 0.0])
    """
    spec = input_spec(pipeline)
    data = check_rgba(rgba, width, height)
    if box is None:
        box = _default_crop(data, width, height, spec["margin"])
    return _prepare(data, width, height, spec, _check_box(box))


def _prepare(data: bytes, width: int, height: int, spec: dict, box: tuple[int, int, int]) -> Image:
    """:func:`prepare` of checked arguments (the classifier widget checks them once, then calls this)."""
    x, y, side = box
    # only the part of the square inside the picture is decoded
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + side, width), min(y + side, height)
    size = spec["size"]
    if right <= left or bottom <= top:  # the square misses the picture: all background
        bg = [v / 255 for v in spec["background"]]
        return Image._make(size, size, 3, bg * (size * size), [0.0] * (size * size), tuple(bg))
    if (left, top, right, bottom) == (0, 0, width, height):
        inside = data
    else:
        inside = b"".join(data[4 * (r * width + left) : 4 * (r * width + right)] for r in range(top, bottom))
    if (x, y, side, side) == (left, top, right - left, bottom - top):  # the square is inside the picture
        return Image.from_rgba_resized(inside, side, side, size, size, background=spec["background"])
    image = Image.from_rgba(inside, right - left, bottom - top, background=spec["background"])
    image = image._region(x - left, y - top, side, side, None)  # outside: background, alpha 0
    return image.resize(size, size)


# ------------------------------------------------------------------------ 3. the features


def hog_spec(feature: dict) -> dict:
    """A ``hog`` feature's settings with defaults filled in, checked."""
    spec = {**DEFAULT_HOG, **{k: v for k, v in feature.items() if k != "name"}}
    one_of(spec["color"], "a hog feature's color", ("gray", "rgb"))
    one_of(spec["block_norm"], "block_norm", hog.BLOCK_NORMS)
    return spec


def hog_features(image: Image, feature: dict, parts: dict | None = None) -> list[float]:
    """HOG of ``image`` (gray, or colour with the strongest channel per pixel), as the feature says.

    ``parts`` (a dict, optional) receives the cells' histograms before block normalisation,
    ``histograms[row][col][bin]``, the feature's settings as ``hog`` and, for a gray HOG, the
    ``gray`` image (what the classifier widget draws).
    """
    spec = hog_spec(feature)
    source = image.to_gray() if spec["color"] == "gray" else image
    settings = {"orientations": spec["orientations"], "pixels_per_cell": tuple(spec["pixels_per_cell"]),
                "cells_per_block": tuple(spec["cells_per_block"]), "block_norm": spec["block_norm"],
                "transform_sqrt": bool(spec["transform_sqrt"])}
    values, histograms = hog.hog_and_cells(source, **settings)
    if parts is not None:
        parts.update(histograms=histograms, hog=spec)
        if spec["color"] == "gray":
            parts["gray"] = source
    return values


def _in_unit_range(values: list[float]) -> list[float]:
    """``values`` clipped to 0..1 (a canvas's colours always are: then they are returned as they are)."""
    if values and (min(values) < 0.0 or max(values) > 1.0):
        return [min(max(v, 0.0), 1.0) for v in values]
    return values


def _bin_table(bins: int, scale: int = 1) -> list[int]:
    """``scale`` × the bin of ``int(v · bins)`` for v in 0..1: v = 1.0 gives ``bins``, which is the top bin."""
    return [scale * min(i, bins - 1) for i in range(bins + 1)]


def _bin_indices(values: list[float], bins: int) -> list[int]:
    """Each value in 0..1 as its bin ``min(int(v · bins), bins − 1)`` (values outside count in the end bins).

    >>> _bin_indices([0.0, 0.49, 0.5, 1.0, -3.0, 7.0], 2)
    [0, 0, 1, 1, 0, 1]
    """
    table, s = _bin_table(bins), float(bins)
    return [table[int(v * s)] for v in _in_unit_range(values)]


def _cube_indices(pixels: list[float], bins: int) -> list[int]:
    """Each RGB pixel's colour cube ``(r·bins + g)·bins + b``, r, g, b its channels' bins (:func:`_bin_indices`).

    One comprehension with a table per channel: the fastest way in pure Python (this runs on every
    picture the classifier sees).

    >>> _cube_indices([1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.49, 0.5, 0.99], 2)
    [4, 1, 3]
    """
    pixels = _in_unit_range(pixels)
    red, green, blue, s = _bin_table(bins, bins * bins), _bin_table(bins, bins), _bin_table(bins), float(bins)
    return [red[int(r * s)] + green[int(g * s)] + blue[int(b * s)] for r, g, b in zip(pixels[0::3], pixels[1::3], pixels[2::3])]


def _weighted_counts(keys: list[int], alpha: list[float] | None, n: int) -> list[float]:
    """``counts[k]`` = the summed opacity of the pixels whose key is ``k`` (alpha None: all opaque).

    Fully opaque pixels are counted by :class:`collections.Counter` (a C loop); only the
    partly transparent ones are added one by one.
    """
    counts = [0.0] * n
    if alpha is None:
        opaque = Counter(keys)
    else:
        opaque = Counter(compress(keys, map(eq, alpha, repeat(1.0))))
        for k, a in compress(zip(keys, alpha), map(lt, alpha, repeat(1.0))):
            if a > 0.0:
                counts[k] += a
    for k, c in opaque.items():
        counts[k] += c
    return counts


def color_histogram_length(bins: int, joint: bool = False) -> int:
    """How many numbers :func:`color_histogram` gives: ``bins``³ joint, 3 × ``bins`` per channel.

    >>> color_histogram_length(10, joint=True), color_histogram_length(8)
    (1000, 24)
    """
    return bins**3 if joint else 3 * bins


def color_histogram(
    image: Image, bins: int = 8, weight: float = 1.0, joint: bool = False, sqrt: bool = False,
    parts: dict | None = None,
) -> list[float]:
    """Colour histogram of the visible pixels: per channel, or of joint colours; × ``weight``.

    Per channel (default): R, G and B histograms of ``bins`` bins each, each summing to 1.
    ``joint=True``: one histogram over the ``bins``³ colour cubes of RGB space (bin
    ``(r·bins + g)·bins + b``), summing to 1 — it keeps which channels go together: a pink Mew
    and a blue Horsea fill different cubes, their per-channel histograms overlap.
    ``sqrt=True`` takes the square root of each bin (the Hellinger or Bhattacharyya kernel
    made linear: ``√p · √q`` summed is the kernel, so a *linear* SVM on ``√p`` compares
    histograms the way that kernel does — Vedaldi & Zisserman, *Efficient additive kernels via
    explicit feature maps*, 2012; Arandjelović & Zisserman, *RootSIFT*, 2012). Small bins — the
    few Pokémon-coloured pixels on a busy photo — then count for more than their share.

    Each pixel counts with its opacity (alpha, 1 for an opaque photo), so a sprite's
    transparent surroundings do not count. A colour histogram ignores shape entirely (Swain &
    Ballard, *Color indexing*, 1991) — complementary to HOG, but blind to a recoloured (shiny) twin.

    >>> color_histogram(Image(2, 1, 3, [1.0, 0.0, 0.0, 1.0, 0.0, 0.2]), bins=2)
    [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    >>> color_histogram(Image(2, 1, 3, [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]), bins=2, joint=True)
    [0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]
    >>> [round(v, 4) for v in color_histogram(Image(2, 1, 3, [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
    ...                                        bins=2, joint=True, sqrt=True)]
    [0.0, 0.7071, 0.0, 0.0, 0.7071, 0.0, 0.0, 0.0]

    Values outside 0..1 (not from a canvas, but an Image may hold them) count in the end bins:

    >>> color_histogram(Image(1, 1, 3, [-0.5, 2.0, 0.5]), bins=2)
    [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    """
    shares = colour_shares(image, bins, joint)
    if parts is not None:  # what the classifier widget draws (pyodemo.web.classifier.main_colours)
        parts["shares"] = shares
    if sqrt:
        return [weight * math.sqrt(v) for v in shares]
    return [weight * v for v in shares]


def colour_shares(image: Image, bins: int, joint: bool = False) -> list[float]:
    """The colour histogram's bins as shares of the visible pixels (:func:`color_histogram` with weight 1).

    >>> colour_shares(Image(2, 1, 3, [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]), bins=2, joint=True)
    [0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]
    """
    high = 16 if joint else 64
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= high:
        raise ValueError(f"bins must be a whole number 1..{high}, got {bins!r}")
    if image.channels != 3:
        raise ValueError("a colour histogram needs an RGB image")
    alpha = image.alpha
    if alpha is not None and alpha.count(1.0) == len(alpha):
        alpha = None  # an opaque picture: every pixel counts once
    total = float(image.width * image.height) if alpha is None else sum(alpha)
    if joint:
        histograms = [_weighted_counts(_cube_indices(image.pixels, bins), alpha, bins**3)]
    else:
        histograms = [_weighted_counts(_bin_indices(image.pixels[c::3], bins), alpha, bins) for c in range(3)]
    out: list[float] = []
    for counts in histograms:
        out += [v / total for v in counts] if total > 0 else [0.0] * len(counts)
    return out


def features(image: Image, pipeline: dict | None = None, parts: dict | None = None) -> list[float]:
    """The feature vector of a prepared image (:func:`prepare`), as the pipeline lists it.

    Each entry of ``pipeline["features"]`` adds its values in order: ``{"name": "hog", ...}``
    (:func:`hog_features`; an optional ``"size"`` resizes the image first) or
    ``{"name": "color_hist", "bins": 8, "weight": 0.5}`` (:func:`color_histogram`; optional
    ``"joint": true`` and ``"sqrt": true``). ``parts`` (a dict, optional) receives what the
    classifier widget draws of the first HOG feature (:func:`hog_features`) and colour histogram.

    >>> img = prepare(bytes([0, 0, 0, 255]) * 256, 16, 16, {"input": {"size": 16}})
    >>> len(features(img, {"features": [{"name": "hog"}, {"name": "color_hist", "bins": 4}]}))
    48
    """
    if not isinstance(image, Image):
        raise ValueError("features() needs a pyodemo.image.Image (see prepare())")
    specs = (pipeline or DEFAULT_PIPELINE).get("features") or DEFAULT_PIPELINE["features"]
    out: list[float] = []
    for feature in specs:
        if not isinstance(feature, dict):
            raise ValueError(f"a pipeline feature must be an object, got {feature!r}")
        source = image
        size = feature.get("size")
        if size is not None and size != image.width:
            source = image.resize(whole(size, "a feature's size", 8, 512), size)
        name = feature.get("name")
        if name == "hog":
            out += hog_features(source, feature, parts if parts is not None and "hog" not in parts else None)
        elif name == "color_hist":
            weight = number(feature.get("weight", 1.0), "a colour histogram's weight")
            flags = {key: flag(feature.get(key, False), f"a colour histogram's {key}") for key in ("joint", "sqrt")}
            keep = parts if parts is not None and source is image and "shares" not in parts else None
            out += color_histogram(source, feature.get("bins", 8), weight, **flags, parts=keep)
        else:
            raise ValueError(f"unknown feature {name!r}: use 'hog' or 'color_hist'")
    return out


# ------------------------------------------------------------------------ 4. the answer


def decision(model: SVC, x: Sequence[float]) -> tuple[list[float], list[float]]:
    """Per class, the ``ovr`` score and the *margin* of a feature vector ``x``.

    The score is scikit-learn's ``ovr`` decision function of a one-vs-one SVC: the class's
    pairwise votes plus a confidence in (−⅓, ⅓) (:func:`pyodemo.svm.ovr_scores`) — with ten
    classes a clear winner has 9 votes, so scores of confident and doubtful winners look alike.
    The margin tells them apart: a class's *weakest* pairwise win, the smallest of its one-vs-one
    decision values (negative when it lost a pair). A picture far from every training image
    gives small decision values, so a small margin: the "not sure" test uses it.
    (A one-vs-rest model: score minus the best other score.)

    >>> m = SVC(kernel="linear", C=10.0).fit([[0.0], [1.0], [5.0], [6.0], [10.0], [11.0]], ["a", "a", "b", "b", "c", "c"])
    >>> scores, margin = decision(m, [5.5])
    >>> max(zip(scores, "abc"))[1], margin[1] > 0 > margin[0]
    ('b', True)
    """
    if len(x) != model.n_features_in_:
        raise ValueError(f"the pipeline gives {len(x)} features but the model expects {model.n_features_in_}")
    return decision_of_raw(model, model._raw(list(map(float, x))))


def decision_of_raw(model: SVC, raw: list[float]) -> tuple[list[float], list[float]]:
    """:func:`decision` from libsvm's values (per pair (i, j), positive for class i; or per class)."""
    k = len(model.classes_)
    if model._ovr:
        best = [max(raw[:c] + raw[c + 1 :]) for c in range(k)]
        return list(raw), [r - b for r, b in zip(raw, best)]
    margin = [math.inf] * k
    for (i, j), d in zip(pairs(k), raw):
        margin[i], margin[j] = min(margin[i], d), min(margin[j], -d)
    return ovr_scores(raw, k), margin


def score_range(model: SVC) -> list[float] | None:
    """``[low, high]``: the interval every :func:`decision` score of ``model`` lies in, or None if unbounded.

    * one-vs-one (libsvm's): score = votes + s / (3 (|s| + 1)), with votes a whole number
      0..K − 1 and the fraction in (−⅓, ⅓) (:func:`pyodemo.multiclass.ovr_scores`), so
      ``[−⅓, K − 1 + ⅓]``;
    * one-vs-rest: score_c(x) = Σᵢ coef_c,ᵢ K(svᵢ, x) − ρ_c, the raw SVM value. With a kernel
      bounded by 1 (rbf: e^(−γ‖x − z‖²) ∈ (0, 1]; sigmoid: tanh ∈ (−1, 1)),
      |score_c| ≤ B_c = Σᵢ |coef_c,ᵢ| + |ρ_c|, so ``[−max B_c, max B_c]``; with a linear or
      polynomial kernel the score grows with ‖x‖ and there is no bound: None.

    The classifier widget draws its score bars on this interval.

    >>> m = SVC(kernel="linear", C=10.0).fit([[0.0], [1.0], [5.0], [6.0], [10.0], [11.0]], ["a", "a", "b", "b", "c", "c"])
    >>> score_range(m)
    [-0.3333333333333333, 2.3333333333333335]
    """
    k = len(model.classes_)
    if not model._ovr:
        return [-1 / 3, k - 1 + 1 / 3]
    if model.kernel not in ("rbf", "sigmoid") or model._coef is None:
        return None
    bound = max(math.fsum(map(abs, row)) + abs(rho) for row, rho in zip(model._coef, model._rho))
    return [-bound, bound]


def rank(model: SVC, x: Sequence[float], k: int = 3) -> list[dict]:
    """The ``k`` best classes for a feature vector: ``[{"label", "score", "margin"}]``, best first."""
    k = whole(k, "k", 1, 1000)
    scores, margin = decision(model, x)
    order = sorted(range(len(scores)), key=lambda c: -scores[c])[:k]
    return [{"label": model.classes_[c], "score": scores[c], "margin": margin[c]} for c in order]


def top_k(model: SVC, rgba: bytes, width: int, height: int, k: int = 3, box: Sequence[int] | None = None) -> list[dict]:
    """The ``k`` best classes for a picture, ``[{"label", "score", "margin"}]``, best first.

    The picture goes through the model's own pipeline (:func:`prepare`, :func:`features`); the
    scores and margins are :func:`decision`'s.
    """
    pipeline = model.pipeline or DEFAULT_PIPELINE
    return rank(model, features(prepare(rgba, width, height, pipeline, box), pipeline), k)


def is_sure(model: SVC, top: Sequence[dict] | float) -> bool:
    """Whether the best answer clears the model's "not sure" threshold (no threshold: always sure).

    ``top`` is :func:`top_k`'s answer (its first entry's ``margin`` is compared when the
    pipeline's ``threshold_on`` starts with "margin", else its ``score``) or that number itself.

    >>> m = SVC(); m.threshold = 0.2; m.pipeline = {"threshold_on": "margin"}
    >>> is_sure(m, [{"label": "Mew", "score": 9.3, "margin": 0.5}]), is_sure(m, 0.1)
    (True, False)
    """
    threshold = model.threshold
    if threshold is None:
        return True
    if isinstance(top, (int, float)):
        value = float(top)
    elif not top:
        return False
    else:
        on_margin = str((model.pipeline or {}).get("threshold_on", "")).startswith("margin")
        value = top[0]["margin"] if on_margin else top[0]["score"]
    return value >= threshold


def choose_threshold(confidence: Sequence[float], correct: Sequence[bool], max_risk: float = 0.02) -> float:
    """The "not sure" rule: the lowest threshold — the largest coverage — whose confident-error rate (wrong
    among the answers at or above it) is ≤ ``max_risk`` (selective classification: Chow 1970; Geifman &
    El-Yaniv 2017). It is one of the answers' own confidences; a threshold takes all answers of equal
    confidence; with no such threshold, nothing is sure (just above the highest confidence).

    Sure from 0.6 on: four answers, one wrong (25 %); from 0.5 on, two of five would be wrong:

    >>> choose_threshold([0.9, 0.8, 0.7, 0.6, 0.5], [True, True, False, True, False], 0.25)
    0.6
    >>> choose_threshold([0.5, 0.9], [True, True]), choose_threshold([0.3, 0.9], [False, False])
    (0.5, 0.9000000000000001)
    """
    answers = sorted(zip(map(float, confidence), map(bool, correct)), key=lambda a: -a[0])
    best, wrong = None, 0
    for n, (c, ok) in enumerate(answers, 1):
        wrong += not ok
        last_of_value = n == len(answers) or answers[n][0] != c
        if last_of_value and wrong <= max_risk * n:
            best = c
    if not answers:
        return 0.0
    return best if best is not None else math.nextafter(answers[0][0], math.inf)


def describe(pipeline: dict) -> str:
    """A pipeline as one line of JSON with sorted keys (the feature cache's key)."""
    return json.dumps(pipeline, sort_keys=True, separators=(",", ":"))
