"""Latin Modern Math cut down to the site's formulas: the font of the MathML that `math_prerender` writes.

MathML is laid out by the browser with an OpenType *math* font (one with a ``MATH`` table: the sizes of
fraction bars, script shifts, the bigger and stretched variants of ∑, brackets and roots). Latin Modern Math
is the one closest to the TeX look of the talk's formulas (Computer Modern, as in KaTeX). The whole font is
734 kB; the site's formulas use about a hundred characters, so the build keeps those (every character of
every ``<math>`` in the built pages), what the browser draws without its being written (the mathematical
italic letters: a one-letter ``<mi>`` is drawn as U+1D434…, CSS ``text-transform: math-auto``; the radical
sign of a square root), and what the ``MATH`` and ``GSUB`` tables reach from them (fontTools' subsetter
follows both), as WOFF2 under the name Temml's stylesheet loads. The font file comes from Debian's
``fonts-lmodern`` (``make deps-docs`` installs it). The Latin Modern fonts are under the GUST Font License
(credits page).
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "math-font"
SOURCES = [Path("/usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf"),
           Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/lm-math/latinmodern-math.otf")]
OUTPUT = "latinmodernmath.woff2"  # the name Temml-Latin-Modern.css gives it
MATH = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]+>")
#: Characters the browser draws that the markup does not write: the mathematical italic letters A–Z, a–z
#: (ℎ is U+210E, a hole in that block) and Greek, and the radical sign of ``<msqrt>`` and ``<mroot>``.
IMPLIED = [*range(0x1D434, 0x1D455), 0x210E, *range(0x1D456, 0x1D468), *range(0x1D6E2, 0x1D71C), 0x221A]


class MathFontError(RuntimeError):
    """The math font could not be made."""


def characters(pages: list[str]) -> set[str]:
    r"""Every character inside the pages' ``<math>`` elements (tags left out, entities read).

    >>> sorted(characters(['<p>a <math><mi>x</mi><mo>&lt;</mo><mn>1</mn></math></p>']))
    ['1', '<', 'x']
    """
    return {c for page in pages for formula in MATH.findall(page)
            for c in html.unescape(TAG.sub("", formula)) if not c.isspace()}


def source() -> Path:
    for path in SOURCES:
        if path.is_file():
            return path
    raise MathFontError("latinmodern-math.otf is missing: the formulas' font comes from Debian's fonts-lmodern "
                        "(`make deps-docs` installs it)")


def write(site: Path, dest: Path) -> Path | None:
    """The subset font at `dest`/latinmodernmath.woff2 for the formulas of `site`'s pages; None without formulas."""
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    chars = characters(pages)
    if not chars:
        return None
    font = source()
    unicodes = sorted({ord(c) for c in chars} | set(IMPLIED))
    key = hashlib.sha256(font.read_bytes() + repr(unicodes).encode()).hexdigest()[:16]
    cached = CACHE / f"{key}.woff2"
    if not cached.is_file():
        subset(font, unicodes, cached)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, dest / OUTPUT)
    return dest / OUTPUT


def subset(font: Path, unicodes: list[int], out: Path) -> None:
    from fontTools import subset as ft

    options = ft.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # ssty (script-size glyphs), the stretchy and size variants
    options.drop_tables += ["FFTM"]
    loaded = ft.load_font(str(font), options)
    subsetter = ft.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(loaded)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    ft.save_font(loaded, str(tmp), options)
    tmp.replace(out)
