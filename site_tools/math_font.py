"""Latin Modern Math cut down to the site's formulas: the font of the MathML that `math_prerender` writes.

MathML is laid out by the browser with an OpenType *math* font (one with a ``MATH`` table: the sizes of
fraction bars, script shifts, the bigger and stretched variants of ∑, brackets and roots). Latin Modern Math
is the one closest to the TeX look of the talk's formulas (Computer Modern, as in KaTeX). The whole font is
734 kB; the site's formulas use about a hundred characters, so the build keeps those (every character of
every ``<math>`` in the built pages), what the browser draws without its being written (the italic form
of each letter: a one-letter ``<mi>`` is drawn as U+1D434…, CSS ``text-transform: math-auto``; the radical
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
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "math-font"
SOURCES = [Path("/usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf"),
           Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/lm-math/latinmodern-math.otf")]
OUTPUT = "latinmodernmath.woff2"  # the name Temml-Latin-Modern.css gives it
MATH = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]+>")
RADICAL = "\u221a"  # drawn for <msqrt> and <mroot>, never written in the markup
NAME = re.compile(r"(?:LATIN|GREEK) (?P<case>SMALL|CAPITAL) LETTER (?P<letter>\w+)|GREEK (?:LUNATE )?(?P<symbol>\w+ SYMBOL)")


class MathFontError(RuntimeError):
    """The math font could not be made."""


def characters(pages: list[str]) -> set[str]:
    r"""Every character inside the pages' ``<math>`` elements (tags left out, entities read).

    >>> sorted(characters(['<p>a <math><mi>x</mi><mo>&lt;</mo><mn>1</mn></math></p>']))
    ['1', '<', 'x']
    """
    return {c for page in pages for formula in MATH.findall(page)
            for c in html.unescape(TAG.sub("", formula)) if not c.isspace()}


def italic(c: str) -> str | None:
    """The mathematical italic form a browser draws for a one-letter ``<mi>`` (CSS ``text-transform: math-auto``).

    >>> [italic(c) for c in "xAhα∂ϵ1+"]
    ['𝑥', '𝐴', 'ℎ', '𝛼', '𝜕', '𝜖', None, None]
    """
    if c == "h":
        return "\u210e"  # PLANCK CONSTANT: the italic h has no place of its own in the mathematical block
    found = NAME.fullmatch(unicodedata.name(c, ""))
    name = (f"{found['case']} {found['letter']}" if found["letter"] else found["symbol"]) if found else unicodedata.name(c, "")
    try:
        return unicodedata.lookup(f"MATHEMATICAL ITALIC {name}") if name else None
    except KeyError:
        return None


def implied(chars: set[str]) -> set[str]:
    """What the browser draws for formulas written with `chars` besides them: their italic forms, the radical sign."""
    return {i for c in chars if (i := italic(c))} | {RADICAL}


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
    unicodes = sorted(ord(c) for c in chars | implied(chars))
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
