"""The build hook's own steps (site_tools/site_hook.py) and the server's headers (site_tools/serve.py)."""

from __future__ import annotations

import json
import re
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from site_tools import site_hook
from site_tools.serve import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"


def test_store_zip_keeps_every_member_and_zipimport_reads_it(tmp_path):
    path = tmp_path / "lib.zip"
    members = {"hello.py": b"GREETING = 'hi'\n", "pkg/__init__.py": b"", "pkg/data.txt": b"x" * 5000}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    before = [(i.filename, i.date_time) for i in zipfile.ZipFile(path).infolist()]
    site_hook.store_zip(path)
    with zipfile.ZipFile(path) as z:
        assert [(i.filename, i.date_time) for i in z.infolist()] == before
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert {n: z.read(n) for n in members} == members
    sys.path.insert(0, str(path))
    try:
        import hello  # noqa: PLC0415

        assert hello.GREETING == "hi"
    finally:
        sys.path.remove(str(path))
        sys.modules.pop("hello", None)


def test_preload_links_are_relative_to_the_page():
    html = site_hook.preload_links("cnn", "try/")
    assert '<link rel="modulepreload" href="../js/cnn.js">' in html
    assert '<link rel="preload" as="fetch" crossorigin href="../models/cnn.json">' in html
    # the megabytes wait behind the page's CSS and modules
    assert '<link rel="preload" as="fetch" crossorigin href="../models/cnn.onnx" fetchpriority="low">' in html
    assert 'href="js/cnn.js"' in site_hook.preload_links(["cnn"], "")
    with pytest.raises(ValueError, match="unknown preload group"):
        site_hook.preload_links("nope", "try/")


def built() -> None:
    if not (SITE / "index.html").is_file():
        pytest.skip("the site is not built (mkdocs build)")


def static_imports(entry: Path) -> set[str]:
    """`entry` and every module it imports statically, and theirs, as paths below slides/ (js/…)."""
    from site_tools.page_css import imported_modules

    return {path.relative_to(ROOT / "slides").as_posix() for path in imported_modules(entry, dynamic=False)}


def test_the_try_page_preloads_every_module_its_classifier_imports():
    """A module the Try-it page's widget imports but the page does not preload costs a phone one more round
    trip before the CNN's first answer: the list in PRELOADS must follow the code."""
    preloaded = {path for kind, path in site_hook.PRELOADS["cnn"] if kind == "modulepreload"}
    needed = static_imports(ROOT / "slides" / "js" / "widgets" / "classifier.js")
    assert needed <= preloaded, f"not preloaded: {sorted(needed - preloaded)}"
    assert all((ROOT / "slides" / path).is_file() for path in preloaded)


def test_the_built_site_ships_a_stored_stdlib_and_sample_thumbnails():
    built()
    with zipfile.ZipFile(SITE / "vendor" / "pyodide" / "python_stdlib.zip") as z:
        assert z.infolist() and all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    index = json.loads((SITE / "models" / "samples" / "index.json").read_text())["samples"]
    from PIL import Image

    for sample in index:
        with Image.open(SITE / "models" / "samples" / sample["thumb"]) as thumb:
            assert max(thumb.size) <= site_hook.THUMB_PX
    assert '<link rel="preload" as="fetch" crossorigin href="../models/cnn.onnx" fetchpriority="low">' in (SITE / "try" / "index.html").read_text()
    assert "modulepreload" not in (SITE / "hog" / "index.html").read_text()


def test_document_headers_only_on_documents_and_scripts():
    built()
    server, url = serve_in_thread(SITE)
    try:
        def headers(path: str):
            with urllib.request.urlopen(f"{url}/{path}") as r:
                return r.headers

        for path in ("try/", "js/python-worker.js", "vendor/pyodide/pyodide.mjs"):
            assert "default-src 'self'" in headers(path)["Content-Security-Policy"], path
        for path in ("models/samples/horsea.png", "models/cnn.onnx", "vendor/ort/ort-wasm-simd-threaded.wasm"):
            h = headers(path)
            assert h["Content-Security-Policy"] is None and h["X-Content-Type-Options"] == "nosniff", path
    finally:
        server.shutdown()


def test_local_pictures_get_their_width_and_height(tmp_path):
    """Every local <img> gets its picture's size (the browser reserves the box: nothing moves when it loads)."""
    from PIL import Image

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 850 250">')
    (tmp_path / "assets" / "b.svg").write_text('<svg width="40px" height="30" viewBox="0 0 4 3">')
    Image.new("RGB", (7, 5)).save(tmp_path / "assets" / "c.png")
    html = ('<img alt="a" src="../assets/a.svg" /><img src="../assets/b.svg"><img src="../assets/c.png?v=1">'
            '<img width="9" src="../assets/a.svg"><img src="https://example.org/x.png"><img src="../missing.png">')
    out = site_hook.with_image_sizes(html, "page/", [tmp_path])
    assert out == ('<img width="850" height="250" alt="a" src="../assets/a.svg" /><img width="40" height="30" src="../assets/b.svg">'
                   '<img width="7" height="5" src="../assets/c.png?v=1"><img width="9" src="../assets/a.svg">'
                   '<img src="https://example.org/x.png"><img src="../missing.png">')
    built = (SITE / "classification" / "index.html")
    if built.is_file():
        assert all(" width=" in tag for tag in re.findall(r"<img\b[^>]*>", built.read_text())), "an <img> without a size"


def test_pages_link_only_the_widget_sheets_they_use():
    """A page without widgets links the site's two shared sheets only; a widget's page links the sheets that
    name it; Teach it links the classifier's sheet too (its crop box is the classifier's)."""
    from site_tools import page_css

    if not (SITE / "index.html").is_file():
        pytest.skip("site/ is not built")
    own, widgets = page_css.sheets(ROOT / "slides" / "css")
    assert {"classifier.css", "kpis.css", "teach.css"} <= own.keys() and not page_css.SHARED & own.keys()
    assert all(own.values()), "a widget sheet without classes of its own"

    def linked(page):
        html = (SITE / page / "index.html").read_text(encoding="utf-8")
        return set(re.findall(r'<link rel="stylesheet" href="(?:\.\./)*css/([\w-]+\.css)">', html))

    assert linked("credits") == linked("qa") == set(page_css.SHARED)
    for page, widget in [("try", "classifier"), ("results", "kpis"), ("teach", "teach"), ("svm", "svm-playground")]:
        assert {n for n, names in widgets.items() if widget in names} <= linked(page), page
    assert "classifier.css" in linked("teach")
    assert "classifier.css" not in linked("svm") and "teach.css" not in linked("try")


def test_the_formulas_font_has_every_character_they_draw():
    """site_tools/math_font.py cuts Latin Modern Math to the site's formulas: every character of every built
    ``<math>`` and what the browser draws unwritten (italic letters, the radical of a square root) is in it,
    and so is the MATH table that MathML layout needs. A glyph missing here is a formula drawn in another font
    (or, for a root, drawn without its radical)."""
    from fontTools.ttLib import TTFont

    from site_tools.math_font import OUTPUT, characters, implied

    built()
    pages = [p.read_text(encoding="utf-8") for p in SITE.rglob("*.html")]
    drawn = characters(pages)
    assert len(drawn) > 50, "the built pages have (almost) no formulas"
    font = TTFont(SITE / "vendor" / "temml" / OUTPUT)
    assert "MATH" in font
    missing = {ord(c) for c in drawn | implied(drawn)} - set(font.getBestCmap())
    assert not missing, "characters the formulas draw are not in their font: " + "".join(map(chr, sorted(missing)))


def test_formulas_render_as_mathml_inline_ones_wrapping_at_tex_break_points():
    """math_prerender renders with Temml (node): an inline formula becomes one <math> per stretch up to a top-level
    relation or binary operator (where TeX may break a line; browsers do not break inside a <math>), a display
    formula stays whole, and TeX that Temml cannot read stops the build, naming the formula."""
    from site_tools.math_prerender import MathError, render

    inline, short, display = render([(r"1 \cdot 1 + 0 = 1", False), ("x_i", False), (r"a + b = c", True)])
    assert inline.count("<math>") == 4 and inline.startswith("<math><mrow><mn>1</mn><mo>⋅</mo></mrow></math>")
    assert short == "<math><msub><mi>x</mi><mi>i</mi></msub></math>"
    assert display.count("<math") == 1 and 'display="block"' in display
    with pytest.raises(MathError, match=r"\\nosuchmacro"):
        render([("x", False), (r"\nosuchmacro{1}", False)])
