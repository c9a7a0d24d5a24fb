"""A small image type: flat float pixels, standard library only.

The talk's pipeline starts here: a canvas gives RGBA bytes, the sprite is composited on a
background, cropped to its content, padded to a square, resized and turned to gray before
HOG (the data set's rule: "crop to alpha > 0 with a margin, pad to a square, resize").

Storage: ``Image.pixels`` is a Python ``list`` of floats, row-major and
channel-interleaved (``[r, g, b, r, g, b, ...]`` for RGB, one value per pixel for gray),
nominally in [0, 1]. A list rather than ``array('d')``: every algorithm here walks the
pixels with ``map``/``zip``/slicing, and a list hands its float objects out as they are
while an array must create a new float object for every read. ``Image.alpha`` (optional)
keeps the opacity of each pixel in [0, 1] when the image came from RGBA data, so a
transparent sprite can be cropped to ``alpha > 0``.

>>> white_dot = bytes([0, 0, 0, 0,  255, 255, 255, 255,  0, 0, 0, 0])
>>> img = Image.from_rgba(white_dot, 3, 1, background=(0, 0, 0))
>>> img.pixels
[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
>>> img.crop_to_content().size
(1, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from operator import add, gt, mul, sub

from pyodemo.checks import LARGEST, finite, grid
from pyodemo.checks import size as check_size
from pyodemo.checks import rgb as check_rgb
from pyodemo.checks import rgba as check_rgba
from pyodemo.resize import BLOCK_MEAN_MIN_WIDTH
from pyodemo.resize import block_means as _block_means
from pyodemo.resize import separable as _resize_separable

__all__ = ["Image", "flatten_rows", "RGB2GRAY_WEIGHTS"]

#: scikit-image's ``rgb2gray`` weights (ITU-R BT.709 luma): Y = 0.2125 R + 0.7154 G + 0.0721 B.
RGB2GRAY_WEIGHTS = (0.2125, 0.7154, 0.0721)

# byte value -> float in [0, 1]
_BYTE = [i / 255 for i in range(256)]


def _float_list(values: Iterable[float], what: str) -> list[float]:
    """Floats, finite and at most :data:`~pyodemo.checks.LARGEST` in size, or a ValueError saying why.

    The size limit is far above any real pixel value (0..1 or 0..255) and keeps every sum over an
    image finite, so resizing or HOG of a finite image never overflows to infinity.

    >>> _float_list([0, 255], "pixels")
    [0.0, 255.0]
    >>> _float_list([0.5, -1e308], "pixels")
    Traceback (most recent call last):
    ...
    ValueError: pixels must be between -1e+300 and 1e+300 (an image's values are 0..1 or 0..255); -1e+308 is too large
    """
    try:
        out = list(map(float, values))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be numbers ({err})") from None
    except OverflowError:  # float() of a whole number beyond the float range
        raise ValueError(f"{what} must be between -{LARGEST:g} and {LARGEST:g}: a number is too large") from None
    # one C-level sum finds NaN and infinity (they make the sum non-finite); only then look closer
    if not finite(out):
        raise ValueError(f"{what} must be finite numbers: found NaN or infinity")
    if out:
        lo, hi = min(out), max(out)
        if lo < -LARGEST or hi > LARGEST:
            raise ValueError(f"{what} must be between -{LARGEST:g} and {LARGEST:g} (an image's values are "
                             f"0..1 or 0..255); {hi if hi > LARGEST else lo!r} is too large")
    return out


def flatten_rows(rows: Sequence[Sequence[float]]) -> tuple[int, int, list[float]]:
    """Check a grayscale image given as rows of numbers; return ``(height, width, flat floats)``.

    >>> flatten_rows([[0, 0.5], [1, 0.25]])
    (2, 2, [0.0, 0.5, 1.0, 0.25])
    >>> flatten_rows([[1, 2], [3]])
    Traceback (most recent call last):
    ...
    ValueError: every row of the image must have the same length: row 2 has 1 values, row 1 has 2
    """
    height, width, flat = grid(rows, "image")
    return height, width, list(map(float, flat))


def _resize_flat(flat: list[float], w: int, h: int, new_w: int, new_h: int, ch: int) -> list[float]:
    """Box resize of a flat channel-interleaved image (Pillow's BOX, :mod:`pyodemo.resize`).

    Why two paths: a shrink by whole factors to a width of at least ``BLOCK_MEAN_MIN_WIDTH`` (the
    browser's 256 → 64) is faster as block means (:func:`pyodemo.resize.block_means`, the same
    values to within float rounding); anything else takes the separable passes.
    """
    if w % new_w == 0 and h % new_h == 0 and new_w >= BLOCK_MEAN_MIN_WIDTH:
        return _block_means(flat, w, h, w // new_w, h // new_h, ch)
    return _resize_separable(flat, w, h, new_w, new_h, ch)


class Image:
    """An image of ``width`` × ``height`` pixels with 1 (gray) or 3 (RGB) channels.

    ``pixels`` is a flat, row-major, channel-interleaved sequence of floats, nominally in
    [0, 1] (stored as a list). ``alpha`` optionally holds one opacity in [0, 1] per pixel
    (kept by :meth:`from_rgba`), ``background`` the colour (one float per channel) the
    image was composited on, used to pad it.

    >>> img = Image(2, 1, 1, [0.0, 1.0])
    >>> img.size, img.channels
    ((2, 1), 1)
    >>> Image(2, 2, 1, [0.0, 1.0, 0.5])
    Traceback (most recent call last):
    ...
    ValueError: expected 4 pixel values (2 × 2 pixels × 1 channels), got 3
    """

    __slots__ = ("width", "height", "channels", "pixels", "alpha", "background")

    width: int
    height: int
    channels: int
    pixels: list[float]
    alpha: list[float] | None
    background: tuple[float, ...] | None

    def __init__(
        self,
        width: int,
        height: int,
        channels: int,
        pixels: Iterable[float],
        *,
        alpha: Iterable[float] | None = None,
        background: Sequence[float] | None = None,
    ) -> None:
        width, height = check_size(width, height)
        if channels not in (1, 3) or isinstance(channels, bool):
            raise ValueError(f"channels must be 1 (gray) or 3 (RGB), got {channels!r}")
        if isinstance(pixels, (str, bytes)):
            raise ValueError("pixels must be a sequence of numbers in [0, 1], not text or bytes")
        values = _float_list(pixels, "pixels")
        if len(values) != width * height * channels:
            raise ValueError(
                f"expected {width * height * channels} pixel values "
                f"({width} × {height} pixels × {channels} channels), got {len(values)}"
            )
        opacity = None
        if alpha is not None:
            opacity = _float_list(alpha, "alpha values")
            if len(opacity) != width * height:
                raise ValueError(f"expected {width * height} alpha values, got {len(opacity)}")
            if opacity and (min(opacity) < 0.0 or max(opacity) > 1.0):
                raise ValueError("alpha values must be in [0, 1]")
        self.width, self.height, self.channels = width, height, channels
        self.pixels, self.alpha = values, opacity
        self.background = None if background is None else self._colour(background)

    @classmethod
    def _make(
        cls,
        width: int,
        height: int,
        channels: int,
        pixels: list[float],
        alpha: list[float] | None = None,
        background: tuple[float, ...] | None = None,
    ) -> Image:
        """Build without checks, for values computed here from checked ones."""
        img = object.__new__(cls)
        img.width, img.height, img.channels = width, height, channels
        img.pixels, img.alpha, img.background = pixels, alpha, background
        return img

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_rgba(
        cls,
        data: bytes | bytearray | memoryview | Sequence[int],
        width: int,
        height: int,
        background: Sequence[int] = (255, 255, 255),
    ) -> Image:
        """An RGB image from canvas RGBA bytes, alpha composited on ``background``.

        ``data`` holds 4 bytes per pixel with straight (not premultiplied) alpha, which is
        what a canvas's ``getImageData`` returns. Each channel becomes
        ``c/255 · a/255 + bg/255 · (1 − a/255)`` (the "over" operator). The opacity is kept
        in ``alpha`` so :meth:`crop_to_content` can crop a transparent sprite to ``alpha > 0``.

        >>> half_red = bytes([255, 0, 0, 51])
        >>> [round(v, 3) for v in Image.from_rgba(half_red, 1, 1).pixels]
        [1.0, 0.8, 0.8]
        """
        buf = check_rgba(data, width, height)
        n = width * height
        bg = check_rgb(background, "background")
        a8 = buf[3::4]
        alpha = [_BYTE[a] for a in a8]
        pixels = [0.0] * (3 * n)
        opaque = a8.count(255) == n
        for c in range(3):
            if opaque:
                pixels[c::3] = [_BYTE[v] for v in buf[c::4]]
            else:
                # bg/255 * (1 - a/255), a table over the alpha byte
                under = [bg[c] / 255 * (1.0 - a / 255) for a in range(256)]
                pixels[c::3] = [_BYTE[v] * a + under[k] for v, a, k in zip(buf[c::4], alpha, a8)]
        return cls._make(width, height, 3, pixels, alpha, tuple(v / 255 for v in bg))

    @classmethod
    def from_rgba_resized(
        cls,
        data: bytes | bytearray | memoryview | Sequence[int],
        width: int,
        height: int,
        new_width: int,
        new_height: int,
        background: Sequence[int] = (255, 255, 255),
    ) -> Image:
        """``Image.from_rgba(data, width, height, background).resize(new_width, new_height)``, faster
        for the common case of a phone photo: opaque, shrunk by whole factors (256 → 64).

        Then nothing needs compositing, and the block means (:func:`pyodemo.resize.block_means`) are taken on the
        bytes themselves — exact integer sums, whole rows at a time — and only the
        ``new_width × new_height`` results become floats (``mean / 255``). Equal to the general path
        within float rounding. Anything else (transparency, other ratios) takes the general path.

        >>> grey = bytes([0, 0, 0, 255, 255, 255, 255, 255] * 2)  # black, white / black, white
        >>> Image.from_rgba_resized(grey, 2, 2, 1, 1).pixels
        [0.5, 0.5, 0.5]
        """
        buf = check_rgba(data, width, height)
        new_width, new_height = check_size(new_width, new_height)
        whole = width % new_width == 0 and height % new_height == 0 and new_width >= BLOCK_MEAN_MIN_WIDTH
        if not whole or buf[3::4].count(255) != width * height:
            return cls.from_rgba(buf, width, height, background).resize(new_width, new_height)
        bg = check_rgb(background, "background")
        means = _block_means(buf, width, height, width // new_width, height // new_height, 4, (0, 1, 2))  # alpha: all 255
        pixels = [0.0] * (3 * new_width * new_height)
        for c in range(3):
            pixels[c::3] = map(mul, means[c::4], repeat(1 / 255))
        n = new_width * new_height
        return cls._make(new_width, new_height, 3, pixels, [1.0] * n, tuple(v / 255 for v in bg))

    @classmethod
    def from_gray_rows(cls, rows: Sequence[Sequence[float]]) -> Image:
        """A gray image from rows of numbers.

        >>> Image.from_gray_rows([[0, 1, 0], [1, 1, 1]]).size
        (3, 2)
        """
        height, width, flat = flatten_rows(rows)
        return cls._make(width, height, 1, flat)

    # ---------------------------------------------------------------- views
    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)``, as in Pillow."""
        return (self.width, self.height)

    def __repr__(self) -> str:
        kind = "gray" if self.channels == 1 else "RGB"
        extra = ", with alpha" if self.alpha is not None else ""
        return f"<Image {self.width}×{self.height} {kind}{extra}>"

    def channel(self, index: int) -> Image:
        """One channel as a gray image (0 = R, 1 = G, 2 = B)."""
        if not 0 <= index < self.channels:
            raise ValueError(f"channel index must be 0..{self.channels - 1}, got {index}")
        return Image._make(self.width, self.height, 1, self.pixels[index :: self.channels], self.alpha)

    def to_rows(self) -> list[list[float]]:
        """A gray image as a list of rows (what :func:`pyodemo.hog.hog` also accepts)."""
        if self.channels != 1:
            raise ValueError("to_rows() needs a gray image: call to_gray() first")
        w, p = self.width, self.pixels
        return [p[i : i + w] for i in range(0, len(p), w)]

    def _colour(self, colour: Sequence[float] | float | None) -> tuple[float, ...]:
        """A fill colour as one float per channel (default: the background, else white)."""
        if colour is None:
            colour = self.background if self.background is not None else (1.0,) * self.channels
        if isinstance(colour, (int, float)):
            colour = (float(colour),) * self.channels
        values = tuple(_float_list(colour, "colour values"))
        if len(values) == 3 and self.channels == 1:  # an RGB background for a gray image
            values = (sum(map(mul, values, RGB2GRAY_WEIGHTS)),)
        if len(values) != self.channels:
            raise ValueError(f"a colour needs {self.channels} values for this image, got {len(values)}")
        return values

    # ---------------------------------------------------------------- colour
    def to_gray(self) -> Image:
        """Gray levels with scikit-image's ``rgb2gray`` weights, Y = 0.2125 R + 0.7154 G + 0.0721 B.

        >>> Image(1, 1, 3, [1.0, 0.0, 0.0]).to_gray().pixels
        [0.2125]
        """
        if self.channels == 1:
            return self
        p = self.pixels
        wr, wg, wb = RGB2GRAY_WEIGHTS
        gray = [r * wr + g * wg + b * wb for r, g, b in zip(p[0::3], p[1::3], p[2::3])]  # scikit-image's order
        bg = self.background
        gray_bg = None if bg is None else (bg[0] * wr + bg[1] * wg + bg[2] * wb,)
        return Image._make(self.width, self.height, 1, gray, self.alpha, gray_bg)

    # ---------------------------------------------------------------- geometry
    def resize(self, width: int, height: int) -> Image:
        """Resize with area averaging (a box filter), as Pillow's ``Image.Resampling.BOX``.

        Each output pixel is the mean of the input pixels whose centres lie in its
        footprint (see :func:`pyodemo.resize.box_taps`); this anti-aliases when shrinking and repeats pixels
        when enlarging. Separable: one pass per axis, each output row (or column) a sum of
        whole input rows (or columns, cut out by slicing) computed with ``map``. A shrink by
        whole factors (256 → 64) is the mean of each block, computed directly (:func:`pyodemo.resize.block_means`,
        the same result, faster). The alpha channel is resized the same way.

        >>> Image.from_gray_rows([[0, 1, 0, 1], [1, 1, 0, 0]]).resize(2, 1).pixels
        [0.75, 0.25]
        """
        width, height = check_size(width, height)
        if (width, height) == (self.width, self.height):
            return self
        pixels = _resize_flat(self.pixels, self.width, self.height, width, height, self.channels)
        alpha = None
        if self.alpha is not None:
            alpha = _resize_flat(self.alpha, self.width, self.height, width, height, 1)
        return Image._make(width, height, self.channels, pixels, alpha, self.background)

    def crop(self, x: int, y: int, width: int, height: int) -> Image:
        """The ``width`` × ``height`` region whose top-left pixel is (``x``, ``y``).

        >>> Image.from_gray_rows([[1, 2, 3], [4, 5, 6]]).crop(1, 0, 2, 2).to_rows()
        [[2.0, 3.0], [5.0, 6.0]]
        """
        width, height = check_size(width, height)
        if not all(isinstance(v, int) for v in (x, y)):
            raise ValueError("crop position must be whole numbers")
        if x < 0 or y < 0 or x + width > self.width or y + height > self.height:
            raise ValueError(
                f"crop box ({x}, {y}, {width}, {height}) does not fit in a "
                f"{self.width} × {self.height} image"
            )
        return self._region(x, y, width, height, None)

    def _region(self, x0: int, y0: int, width: int, height: int, fill: Sequence[float] | None) -> Image:
        """Crop that may reach outside the image; outside pixels get ``fill`` and alpha 0."""
        ch = self.channels
        fill_pixel = list(self._colour(fill)) if (
            x0 < 0 or y0 < 0 or x0 + width > self.width or y0 + height > self.height
        ) else [0.0] * ch

        def cut(flat: list[float], per: int, pad: list[float]) -> list[float]:
            stride = self.width * per
            left = min(max(-x0, 0), width)
            right = min(max(x0 + width - self.width, 0), width - left)
            x_start, x_stop = max(x0, 0), min(x0 + width, self.width)
            inner = []
            blank = pad * width
            for y in range(y0, y0 + height):
                if 0 <= y < self.height and x_stop > x_start:
                    base = y * stride
                    inner.append(pad * left)
                    inner.append(flat[base + x_start * per : base + x_stop * per])
                    inner.append(pad * right)
                else:
                    inner.append(blank)
            return list(chain.from_iterable(inner))

        pixels = cut(self.pixels, ch, fill_pixel)
        alpha = None if self.alpha is None else cut(self.alpha, 1, [0.0])
        return Image._make(width, height, ch, pixels, alpha, self.background)

    def pad_to_square(self, background: Sequence[float] | float | None = None) -> Image:
        """Centre the image on a square of side ``max(width, height)`` filled with ``background``.

        ``background`` is one float per channel in [0, 1] (default: the colour the image was
        composited on, else white); padded pixels are transparent.

        >>> Image.from_gray_rows([[0.0, 0.0]]).pad_to_square(1.0).to_rows()
        [[0.0, 0.0], [1.0, 1.0]]
        """
        side = max(self.width, self.height)
        x0 = -((side - self.width) // 2)
        y0 = -((side - self.height) // 2)
        return self._region(x0, y0, side, side, background)

    def content_box(self, background: Sequence[float] | float | None = None, threshold: float = 0.0) -> tuple[int, int, int, int] | None:
        """``(x, y, width, height)`` of the pixels that are content, or None if there are none.

        Content means ``alpha > threshold`` when the image has an alpha channel, else a
        pixel with a channel differing from ``background`` by more than ``threshold``.
        """
        w, h = self.width, self.height
        if self.alpha is not None:
            mask = list(map(gt, self.alpha, repeat(threshold)))
        else:
            ch, p = self.channels, self.pixels
            colour = self._colour(background)
            diffs = [map(abs, map(sub, p[c::ch], repeat(colour[c]))) for c in range(ch)]
            largest = diffs[0] if ch == 1 else map(max, *diffs)
            mask = list(map(gt, largest, repeat(threshold)))
        rows = [y for y in range(h) if any(mask[y * w : (y + 1) * w])]
        if not rows:
            return None
        cols = [x for x in range(w) if any(mask[x::w])]
        return cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1

    def crop_to_content(
        self,
        margin: int = 0,
        background: Sequence[float] | float | None = None,
        threshold: float = 0.0,
        square: bool = False,
    ) -> Image:
        """Crop to the bounding box of the content plus ``margin`` pixels on every side.

        Content is ``alpha > threshold`` for an image with alpha (a sprite from
        :meth:`from_rgba`), else pixels that differ from ``background``. Where the margin
        reaches past the border the image is padded with the background colour. With
        ``square=True`` the box is widened to a square around the content (the dataset's
        "crop to alpha > 0 with a margin, pad to a square").

        >>> img = Image.from_gray_rows([[1, 1, 1, 1], [1, 0, 0, 1], [1, 1, 1, 1]])
        >>> img.crop_to_content(background=1.0).to_rows()
        [[0.0, 0.0]]
        >>> img.crop_to_content(background=1.0, square=True).to_rows()
        [[0.0, 0.0], [1.0, 1.0]]
        """
        if isinstance(margin, bool) or not isinstance(margin, int) or margin < 0:
            raise ValueError(f"margin must be a whole number of pixels ≥ 0, got {margin!r}")
        box = self.content_box(background, threshold)
        if box is None:
            what = "transparent" if self.alpha is not None else "background colour"
            raise ValueError(f"nothing to crop to: every pixel is {what}")
        x, y, w, h = box
        x, y, w, h = x - margin, y - margin, w + 2 * margin, h + 2 * margin
        if square:
            side = max(w, h)
            x, y, w, h = x - (side - w) // 2, y - (side - h) // 2, side, side
        return self._region(x, y, w, h, background)

    # ---------------------------------------------------------------- output
    def to_rgba_bytes(self) -> bytes:
        """RGBA bytes for a canvas (``new ImageData(...)``): values clamped to [0, 1], × 255, rounded.

        Gray images give R = G = B; alpha is 255 unless the image keeps an alpha channel.

        >>> Image(2, 1, 1, [0.0, 0.5]).to_rgba_bytes()
        b'\\x00\\x00\\x00\\xff\\x80\\x80\\x80\\xff'
        """
        n = self.width * self.height
        ch = self.channels

        def to_bytes(values: Iterable[float]) -> bytes:
            clamped = map(min, map(max, values, repeat(0.0)), repeat(1.0))
            return bytes(map(round, map(mul, clamped, repeat(255.0))))

        out = bytearray(4 * n)
        if ch == 1:
            gray = to_bytes(self.pixels)
            out[0::4] = out[1::4] = out[2::4] = gray
        else:
            for c in range(3):
                out[c::4] = to_bytes(self.pixels[c::3])
        out[3::4] = to_bytes(self.alpha) if self.alpha is not None else b"\xff" * n
        return bytes(out)
