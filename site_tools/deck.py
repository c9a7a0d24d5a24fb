"""The deck as the build sees it: every page of the navigation and its slides (`site/deck.json`).

The slide model is `slides/js/present/model.js`'s: a page's `# ` title is its first slide and each `## `
heading starts the next one, counting only headings that are direct children of the page's
``<article class="md-content__inner">``. The build writes, in navigation order,

* ``deck.json``: ``{"pages": [{"path": "hog/", "slides": 10, "anchors": ["", "gradients-in-an-image", …]}]}``
  (paths relative to the site root). Follow mode's server (`site_tools.follow`) accepts a move only to a page
  of this list and a slide within its count, and the phones check the same list again;
* ``assets/slide-qr.json``: for every slide, the public address of that slide (``site_url`` + page +
  ``#heading-id``: a plain anchor, so it opens the right place on any host with no script) and its QR
  code as an SVG data URI (segno), shown full screen by slide mode's Q key
  (`slides/js/present/slide-qr.js`).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _SlideHeadings(HTMLParser):
    """Collects the ids of the <h1>/<h2> that are direct children of the page's article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements inside the article (0: not inside it)
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth == 0:
            classes = (dict(attrs).get("class") or "").split()
            if tag == "article" and "md-content__inner" in classes:
                self.depth = 1
            return
        if self.depth == 1 and tag in ("h1", "h2"):
            self.anchors.append(dict(attrs).get("id") or "")
        self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1


def slide_anchors(html: str) -> list[str]:
    """The heading id of every slide of a built page (``""`` for a heading without one)."""
    parser = _SlideHeadings()
    parser.feed(html)
    parser.close()
    return parser.anchors


def nav_paths(nav: list) -> list[str]:
    """Page paths (site-relative, as `use_directory_urls` writes them) of mkdocs.yml's `nav`, in order."""
    paths: list[str] = []

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str) and value.endswith(".md") and "://" not in value:
                stem = value[: -len(".md")]
                path = "" if stem == "index" else (stem[: -len("index")] if stem.endswith("/index") else stem + "/")
                if path not in paths:
                    paths.append(path)

    walk(nav or [])
    return paths


def deck_of(site: Path, paths: list[str]) -> list[dict]:
    """[{path, slides, anchors}] for the built pages `paths` (a page without slides counts one)."""
    pages = []
    for path in paths:
        html = (Path(site) / path / "index.html").read_text(encoding="utf-8")
        anchors = slide_anchors(html) or [""]
        pages.append({"path": path, "slides": len(anchors), "anchors": anchors})
    return pages


def slide_address(site_url: str, path: str, anchors: list[str], slide: int) -> str:
    """The public address of slide `slide` (0-based): the page itself for its first slide, else its heading."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    anchor = anchors[slide] if slide else ""
    return base + path + (f"#{anchor}" if anchor else "")


def slide_qr_codes(site_url: str, pages: list[dict]) -> dict:
    """{"site_url", "pages": {path: [{"url", "svg"}]}}: every slide's address and its QR code (SVG data URI)."""
    import segno

    out: dict = {"site_url": site_url, "pages": {}}
    for page in pages:
        codes = []
        for slide in range(page["slides"]):
            url = slide_address(site_url, page["path"], page["anchors"], slide)
            qr = segno.make(url, error="m")
            codes.append({"url": url, "svg": qr.svg_data_uri(scale=1, border=2, dark="#000", light="#fff")})
        out["pages"][page["path"]] = codes
    return out


def write_deck(site: Path, nav: list, site_url: str | None) -> list[dict]:
    """Write `deck.json` and `assets/slide-qr.json` into the built `site`; returns the deck."""
    site = Path(site)
    pages = deck_of(site, nav_paths(nav))
    (site / "deck.json").write_text(json.dumps({"pages": pages}, indent=1) + "\n", encoding="utf-8")
    codes = slide_qr_codes(site_url or "http://127.0.0.1:8000/", pages)
    (site / "assets").mkdir(exist_ok=True)
    (site / "assets" / "slide-qr.json").write_text(json.dumps(codes, separators=(",", ":")), encoding="utf-8")
    return pages
