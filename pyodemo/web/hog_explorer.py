"""The HOG explorer's Python side (``slides/js/widgets/hog-explorer.js``, the HOG page).

An image cut into cells, each cell's orientation histogram (the widget draws them as glyphs, as
scikit-image's ``hog(..., visualize=True)``), the feature length and one cell's histogram — all from
:mod:`pyodemo.hog` (Dalal & Triggs 2005). "JavaScript draws, Python computes".
"""

from __future__ import annotations

from itertools import chain

from pyodemo import hog
from pyodemo.checks import whole
from pyodemo.image import Image
from pyodemo.web.pictures import demo_image, gray_from_rgba
from pyodemo.web.sessions import Kept

__all__ = ["demo_image", "hog_image", "hog_view"]

#: Image sizes the HOG explorer offers (the model works at 64 × 64).
HOG_SIZES = (16, 256)

#: Images being explored (one or two per page).
_IMAGES: Kept[Image] = Kept("image", "pick it again", keep=4)


def hog_image(rgba: bytes, width: int, height: int) -> dict:
    """Take an image for the HOG explorer (gray, kept by token); :func:`hog_view` then looks at it."""
    gray = gray_from_rgba(rgba, width, height)
    return {"token": _IMAGES.add(gray), "width": gray.width, "height": gray.height}


def square(gray: Image, size: int) -> Image:
    """The image HOG looks at: padded to a square with white, then resized to ``size`` × ``size``.

    >>> square(Image.from_gray_rows([[0.0, 0.0]]), 2).to_rows()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    return gray.pad_to_square(1.0).resize(size, size)


def hog_view(token: int, size: int = 64, cell: int = 8, orientations: int = 9, block: int = 2) -> dict:
    """Everything the HOG explorer draws for one setting of its controls.

    The image of ``token`` is squared and resized to ``size`` × ``size`` (:func:`square`), then:

    * ``histograms[row][col][bin]``: :func:`pyodemo.hog.cell_histograms` with cells of ``cell`` ×
      ``cell`` pixels and ``orientations`` bins over [0°, 180°) — the glyphs and the bar chart;
    * ``bin_centres`` (degrees): the gradient direction of each bin; the glyph line of a bin is
      drawn through the cell centre perpendicular to it (along the edge), as in scikit-image;
    * ``feature_length`` (:func:`pyodemo.hog.feature_length`), ``hog_length`` (the length of a
      real :func:`pyodemo.hog.hog` call) and the parts of the product: blocks down × blocks
      across × cells per block (``block`` × ``block``) × orientations;
    * ``strongest``: ``[row, col]`` of the cell with the most votes (the widget shows it first);
    * ``problem``: a message when the image is too small for one block (then no feature vector).

    An image smaller than one cell raises ``ValueError``.
    """
    gray = _IMAGES.get(token)
    size = whole(size, "the image size", *HOG_SIZES)
    cell = whole(cell, "the cell size", 2, 64)
    orientations = whole(orientations, "the number of orientations", 1, 36)
    block = whole(block, "the block size", 1, 8)
    if cell > size:
        raise ValueError(
            f"The image ({size} × {size} pixels) is smaller than one cell ({cell} × {cell} pixels): "
            "pick a smaller cell or a larger image."
        )
    image = square(gray, size)
    ppc, cpb = (cell, cell), (block, block)
    histograms = hog.cell_histograms(image, orientations, ppc)
    cells = size // cell
    per = 180 / orientations
    totals = [(sum(bins), r, c) for r, row in enumerate(histograms) for c, bins in enumerate(row)]
    strongest = max(totals, key=lambda t: t[0])  # the first of equals, row by row
    result = {
        "size": size,
        "cell": cell,
        "orientations": orientations,
        "block": block,
        "gray_rgba": image.to_rgba_bytes(),
        "cells_down": cells,
        "cells_across": cells,
        "ignored_pixels": size - cells * cell,
        "bin_width": per,
        "bin_centres": [per * (i + 0.5) for i in range(orientations)],
        "histograms": histograms,
        "peak": max(chain.from_iterable(chain.from_iterable(histograms)), default=0.0),
        "strongest": [strongest[1], strongest[2]],
        "blocks_down": cells - block + 1,
        "blocks_across": cells - block + 1,
        "feature_length": None,
        "hog_length": None,
        "problem": None,
    }
    try:
        result["feature_length"] = hog.feature_length(size, size, orientations, ppc, cpb)
    except ValueError as exc:
        result["problem"] = f"No feature vector: {exc}. Pick a smaller cell or block, or a larger image."
        result["blocks_down"] = result["blocks_across"] = 0
        return result
    result["hog_length"] = len(hog.hog(image, orientations, ppc, cpb))
    return result
