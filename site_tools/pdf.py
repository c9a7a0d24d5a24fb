"""The deck as a PDF, one page per slide: ``python -m site_tools.pdf`` (``make pdf``; ``python -m export pdf`` is an alias) → `site/pyodemo-talk.pdf`.

Serves the built `site/` with :func:`site_tools.serve.serve_in_thread`, opens every page in navigation order in
Chromium (Debian's, through Playwright) with ``?print`` — the print layout of `slides/js/present/print.js`:
each slide (the page's ``# `` title, then each ``## `` section) on its own 16:9 page of 1280 × 720 CSS px,
speaker notes left out unless ``--notes`` — waits until the page's widgets have mounted and settled (so they
print in their initial rendered state, Python's answers included, never as empty boxes), prints it, and
merges the pages' PDFs with pypdf.

Run: ``python -m site_tools.pdf [--site site] [--out site/pyodemo-talk.pdf] [--notes]``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
from site_tools.serve import serve_in_thread

PAGE_TIMEOUT_MS = 180_000
#: printReady's own waits add up to about 245 s at the most (widgets, Python, formulas, fonts, pictures, quiet)
READY_TIMEOUT_MS = 300_000


def export_pdf(site: Path | str = "site", out: Path | str | None = None, notes: bool = False,
               only: list[str] | None = None, log=print) -> tuple[Path, list[tuple[str, int]]]:
    """Print the deck of the built `site` into `out`; returns (path, [(page URL path, slides printed)]).

    `only`: print just these pages (URL paths such as ``/hog/``), still in navigation order.
    """
    from playwright.sync_api import Error as PlaywrightError, sync_playwright
    from pypdf import PdfReader, PdfWriter

    site = Path(site)
    out = Path(out) if out else site / "pyodemo-talk.pdf"
    if not (site / "index.html").is_file():
        raise ValueError(f"{site} has no index.html: build the site first (make site)")
    if not Path(CHROMIUM).exists():
        raise ValueError(f"{CHROMIUM} is missing: `make deps` installs Debian's chromium")
    server, base = serve_in_thread(site)
    writer = PdfWriter()
    printed: list[tuple[str, int]] = []
    query = "?print&notes" if notes else "?print"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme="light",
                                          service_workers="block")
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/{query}")
            page.wait_for_function("() => window.pyodemoPresent && window.pyodemoPresent.pages")
            urls = page.evaluate("() => window.pyodemoPresent.pages()")
            if only is not None:
                urls = [u for u in urls if u.removeprefix(base) in only]
                if not urls:
                    raise ValueError(f"none of {only} is a page of the navigation")
            for url in urls:
                started = time.perf_counter()
                page.goto(url + query)
                page.wait_for_function("() => window.pyodemoPresent && window.pyodemoPresent.printReady")
                try:  # never a hang: a page that cannot get ready is an error
                    ready = page.evaluate(
                        """(ms) => Promise.race([window.pyodemoPresent.printReady(), new Promise((_, reject) =>
                             setTimeout(() => reject(new Error(`not ready to print after ${ms / 1000} s`)), ms))])""",
                        READY_TIMEOUT_MS)
                except PlaywrightError as error:
                    raise RuntimeError(f"{url}: {error.message.splitlines()[0]}") from None
                data = page.pdf(prefer_css_page_size=True, print_background=True,
                                margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
                pages = PdfReader(io.BytesIO(data)).pages
                if len(pages) != ready["slides"]:
                    raise RuntimeError(f"{url}: {ready['slides']} slides printed as {len(pages)} pages")
                for pdf_page in pages:
                    writer.add_page(pdf_page)
                path = url.removeprefix(base)
                printed.append((path, len(pages)))
                for warning in ready["warnings"]:
                    log(f"  warning: {path}: {warning}")
                log(f"{path:<24} {len(pages):>3} slides  {time.perf_counter() - started:5.1f} s")
            browser.close()
            if errors:
                raise RuntimeError(f"the pages raised errors: {errors[:3]}")
    finally:
        server.shutdown()
        server.server_close()
    writer.add_metadata({"/Title": "Who's that Pokémon? — Image Classification in Python"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        writer.write(f)
    return out, printed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_tools.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="site", help="the built site (default: site)")
    parser.add_argument("--out", default=None, help="the PDF to write (default: <site>/pyodemo-talk.pdf)")
    parser.add_argument("--notes", action="store_true", help="print each slide's speaker notes on its page")
    parser.add_argument("--page", action="append", metavar="PATH",
                        help="print only this page (a URL path such as /hog/); repeatable")
    args = parser.parse_args(argv)
    try:
        out, printed = export_pdf(args.site, args.out, notes=args.notes, only=args.page)
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(n for _, n in printed)
    print(f"wrote {out}: {total} slides from {len(printed)} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
