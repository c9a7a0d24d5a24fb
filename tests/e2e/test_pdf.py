"""`python -m export pdf` (`make pdf`): one PDF page per slide, counted the way the slide model counts.

The slide model (slides/js/present/model.js) makes a slide of every `<h1>`/`<h2>` that is a direct child
of a page's `<article>`; `built_deck` below reads the built pages in navigation order (mkdocs.yml) the
same way, in Python, so the PDF's page count is checked against an independent count.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from site_tools.deck import nav_paths
from tests.e2e.conftest import ROOT, SITE

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Slides(HTMLParser):
    """Collects the slides of a Material page: (heading text, speaker-notes text) per top-level h1/h2."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0            # depth inside <article>, 0 = outside
        self.heading: list[str] | None = None
        self.skip = 0             # inside the heading's permalink (¶)
        self.slides: list[dict] = []
        self.summary: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            if tag == "article" and "md-content__inner" in (attrs.get("class") or ""):
                self.depth = 1
            return
        if tag in VOID:
            return
        if self.depth == 1 and tag in ("h1", "h2"):
            self.heading = []
            self.slides.append({"title": "", "notes": False})
        elif self.heading is not None and tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self.skip += 1
        elif tag == "summary" and self.slides:
            self.summary = []
        self.depth += 1

    def handle_endtag(self, tag):
        if self.depth == 0 or tag in VOID:
            return
        self.depth -= 1
        if self.depth == 0:
            return
        if self.heading is not None and tag == "a" and self.skip:
            self.skip -= 1
        elif self.depth == 1 and tag in ("h1", "h2") and self.heading is not None:
            self.slides[-1]["title"] = " ".join("".join(self.heading).split())
            self.heading = None
        elif tag == "summary" and self.summary is not None:
            if "".join(self.summary).strip().lower() == "speaker notes":
                self.slides[-1]["notes"] = True
            self.summary = None

    def handle_data(self, data):
        if self.heading is not None and not self.skip:
            self.heading.append(data)
        if self.summary is not None:
            self.summary.append(data)


def slides_of(html: str) -> list[dict]:
    parser = _Slides()
    parser.feed(html)
    return parser.slides


class _IgnoreTags(yaml.SafeLoader):
    pass


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def built_deck(site: Path = SITE) -> list[tuple[str, list[dict]]]:
    """[(URL path, slides)] for every built page of the nav, in nav order (the build's own page list:
    `site_tools.deck.nav_paths`, which also writes deck.json)."""
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    deck = []
    for path in nav_paths(nav):
        html = site / path / "index.html"
        if html.is_file():
            deck.append((f"/{path}", slides_of(html.read_text(encoding="utf-8"))))
    return deck


def test_every_page_of_the_deck_has_slides():
    deck = built_deck()
    assert len(deck) >= 2, "the nav has fewer than two built pages"
    for path, slides in deck:
        assert slides, f"{path} has no # or ## heading"
        assert all(s["title"] for s in slides), f"{path} has an empty heading"


def run_export(*args: str) -> tuple[str, str]:
    """`python -m export pdf ARGS` in a fresh process, as `make pdf` runs it; returns (stdout, stderr)."""
    import export

    repo = Path(export.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "export", "pdf", "--site", str(SITE), *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"export pdf failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout, done.stderr


def test_pdf_has_one_page_per_slide(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "talk.pdf"
    stdout, _ = run_export("--out", str(out))
    reader = PdfReader(out)
    deck = built_deck()
    total = sum(len(slides) for _, slides in deck)
    assert len(reader.pages) == total
    assert f"{total} slides from {len(deck)} pages" in stdout
    for path, slides in deck:  # the per-page report, in navigation order
        assert re.search(rf"^{re.escape(path)}\s+{len(slides)} slides", stdout, re.M), stdout
    # 16:9 landscape pages: 1280 × 720 CSS px = 960 × 540 pt.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (960, 540)
    # Speaker notes are left out by default; the slides' own text is there, in deck order.
    text = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    assert not any("Speaker notes" in t for t in text)
    first, last = deck[0][1][0]["title"], deck[-1][1][-1]["title"]
    assert first.split()[0] in text[0]
    assert last.split()[0] in text[-1]


def test_pdf_with_notes_prints_them(tmp_path):
    """`--notes`: speaker notes print on their slide's page (still one page per slide)."""
    from pypdf import PdfReader

    path, slides = next(((p, s) for p, s in built_deck() if any(x["notes"] for x in s)), (None, None))
    if path is None:
        pytest.skip("no page has speaker notes")
    out = tmp_path / "notes.pdf"
    run_export("--out", str(out), "--notes", "--page", path)
    reader = PdfReader(out)
    assert len(reader.pages) == len(slides)
    text = [page.extract_text() or "" for page in reader.pages]
    for slide, page_text in zip(slides, text):
        assert ("Speaker notes" in page_text) == slide["notes"]
