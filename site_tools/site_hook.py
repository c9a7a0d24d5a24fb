"""The MkDocs hook that turns the pages into a self-contained site (registered in `mkdocs.yml`).

After MkDocs renders `slides/` into `site/`, this hook

1. builds the pure-Python **pyodemo wheel** into `site/wheels/` (the worker installs it into Pyodide);
2. copies the **runtimes** from `node_modules`: the Pyodide core (Python 3.14 + stdlib), the
   onnxruntime-web *wasm-only* bundle, Temml's stylesheet (`site_tools.math_prerender` writes the formulas as
   MathML at build time; `site_tools.math_font` cuts their font) — so the browser never fetches from another origin; the
   stdlib zip is **repacked uncompressed** (`store_zip`) so the whole archive compresses with brotli
   on the wire (deflate member by member: 2.49 MB as sent; stored, then brotli: 1.61 MB);
0. links on each page only the widget stylesheets it uses (`site_tools.page_css`), and has Material's own
   JavaScript load at the reader's first interaction (`slides/js/material.js`), not while the page loads;
0. fills the pages' ``<!-- metrics:NAME -->`` lines with tables of ``slides/models/metrics.json``
   (`export.tables`: dataset counts per style, LOGO, coverage), so no number is typed by hand;
3. writes small **thumbnails** of the committed samples (`sample_thumbnails`) and generates the **audience QR code** for `site_url` (segno) as `assets/qr.svg` (a generated page file,
   so the pages may link to it);
4. computes the **Content-Security-Policy**: Material injects a few inline scripts, so their SHA-256
   hashes are allowed, never `'unsafe-inline'`. The policy goes into every page as a `<meta>` tag (so it
   holds on any static host) and into `site/_headers.json` for `site_tools.serve`;
5. writes `deck.json` (every page's slides), `assets/slide-qr.json` (every slide's public address and QR
   code) with `site_tools.deck`, and ``_follow/config.json`` = ``{"follow": false}`` (follow mode is off on any
   static host; `site_tools.serve` in follow mode answers that address itself);
6. writes `runtime.json` (what the widgets load, with a content hash of the build) and
7. writes **pre-compressed** `.br` and `.gz` copies of text and wasm files (cached by content in
   `.cache/compress`, so a rebuild takes seconds).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pyodemo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # MkDocs loads this hook by path (with site_tools/ on sys.path): the root too
    sys.path.insert(0, str(ROOT))

from export.tables import fill as fill_tables  # noqa: E402  (the report's tables, read by the build)
from site_tools.deck import write_deck  # noqa: E402
from site_tools.math_font import write as write_math_font  # noqa: E402
from site_tools.math_prerender import prerender as prerender_math  # noqa: E402
from site_tools.offline import write_service_worker  # noqa: E402
from site_tools.page_css import link_used_sheets  # noqa: E402

NODE = ROOT / "node_modules"
CACHE = ROOT / ".cache" / "compress"

PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
MATH_CSS = "Temml-Latin-Modern.css"
ORT_FILES = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"]
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".svg", ".wasm", ".txt", ".xml", ".map", ".csv", ".onnx",
                ".svm", ".zip"}

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:(?!\bsrc=)[^>])*)>(?P<body>.*?)</script>", re.S | re.I)
DATA_SCRIPT = re.compile(r"""type=["']?application/(?:ld\+)?json""", re.I)


def csp(script_hashes: list[str], meta: bool = False) -> str:
    """The site's Content-Security-Policy. `meta=True` leaves out what a <meta> tag may not carry."""
    scripts = " ".join(f"'sha256-{h}'" for h in sorted(set(script_hashes)))
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval' {scripts}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "media-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    if not meta:
        directives.append("frame-ancestors 'self'")
    return "; ".join(directives)


def build_wheel(dest: Path) -> Path:
    """Write the pure-Python pyodemo wheel (PEP 427) into `dest`; byte-identical for identical sources."""
    version = pyodemo.__version__
    name = f"pyodemo-{version}-py3-none-any.whl"
    dist_info = f"pyodemo-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "pyodemo").rglob("*.py")):
        files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: pyodemo\nVersion: {version}\n"
        "Summary: HOG, SVM and convolution in pure Python for the talk 'Who's that Pokemon?'\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pyodemo-site-hook\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    dest.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in files.items():
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            wheel.writestr(info, data)
    (dest / name).write_bytes(buffer.getvalue())
    return dest / name


def copy_files(src: Path, names: list[str], dest: Path) -> list[Path]:
    missing = [n for n in names if not (src / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{src} lacks {', '.join(missing)}: run `npm ci` (make deps)")
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(src / n, dest / n)) for n in names]


def store_zip(path: Path) -> None:
    """Rewrite a zip archive with every member stored (not deflated), names, dates and order kept.

    A deflated zip does not shrink further on the wire; stored, the whole archive is one stream brotli
    compresses across members. Python's zipimport reads stored members as well (and skips inflating).
    """
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    if all(info.compress_type == zipfile.ZIP_STORED for info, _ in members):
        return
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as out:
        for info, data in members:
            stored = zipfile.ZipInfo(info.filename, info.date_time)
            stored.external_attr = info.external_attr
            out.writestr(stored, data)
    tmp.replace(path)


def copy_runtimes(site: Path) -> None:
    copy_files(NODE / "pyodide", PYODIDE_FILES, site / "vendor" / "pyodide")
    store_zip(site / "vendor" / "pyodide" / "python_stdlib.zip")
    copy_files(NODE / "onnxruntime-web" / "dist", ORT_FILES, site / "vendor" / "ort")
    # the formulas are MathML, written at build time (math_prerender), in Temml's stylesheet and a font of
    # their own (math_font, after the pages are written)
    copy_files(NODE / "temml" / "dist", [MATH_CSS, "Temml.woff2"], site / "vendor" / "temml")


THUMB_PX = 96  # the sample buttons are 48 CSS px: sharp at 2× device pixels


def sample_thumbnails(site: Path) -> int:
    """A small WebP beside each committed sample (`models/samples/thumbs/`), named in the site's index.json.

    The sample row shows 21 pictures 48 px wide; the full files (up to 256 px) cost ~300 kB before the CNN's
    first answer on a phone, the thumbnails a quarter of that. A sample's full file is fetched when tapped.
    """
    from PIL import Image

    folder = site / "models" / "samples"
    index_path = folder / "index.json"
    if not index_path.is_file():
        return 0
    index = json.loads(index_path.read_text())
    (folder / "thumbs").mkdir(exist_ok=True)
    for sample in index.get("samples", []):
        with Image.open(folder / sample["file"]) as image:
            image = image.convert("RGBA")
            image.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
            name = f"thumbs/{Path(sample['file']).stem}.webp"
            image.save(folder / name, "WEBP", quality=80, method=6)
        sample["thumb"] = name
    index_path.write_text(json.dumps(index, indent=1) + "\n")
    return len(index.get("samples", []))


def qr_svg(url: str) -> bytes:
    """The audience QR code for `url` as SVG (black on white, quiet zone included, so it scans in dark mode)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff",
                                    title=f"QR code: {url}")
    return buffer.getvalue()


def apply_csp(site: Path) -> str:
    """Hash every inline script in the built pages, put the policy into each page; return the header."""
    pages = sorted(site.rglob("*.html"))
    hashes: list[str] = []
    for page in pages:
        for match in INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8")):
            if DATA_SCRIPT.search(match["attrs"]):
                continue
            hashes.append(base64.b64encode(hashlib.sha256(match["body"].encode()).digest()).decode())
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp(hashes, meta=True)}">'
    for page in pages:
        html = page.read_text(encoding="utf-8")
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
        html, n = re.subn(r"(<meta charset=[^>]*>)", lambda m: m[1] + meta, html, count=1, flags=re.I)
        if n == 0:
            html = html.replace("<head>", "<head>" + meta, 1)
        page.write_text(html, encoding="utf-8")
    policy = csp(hashes)
    (site / "_headers.json").write_text(json.dumps({"Content-Security-Policy": policy}, indent=1))
    return policy


def build_id(site: Path) -> str:
    """A hash of every file in the site: names the service worker's cache and busts stale runtimes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix not in (".br", ".gz")):
        digest.update(path.relative_to(site).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def compress(site: Path) -> None:
    """Write `x.br` and `x.gz` next to every compressible file that shrinks by at least 5%."""
    import brotli

    CACHE.mkdir(parents=True, exist_ok=True)
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSIBLE or path.stat().st_size < 1024:
            continue
        data = path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        for suffix, encode in ((".br", lambda d: brotli.compress(d, quality=11)), (".gz", _gzip)):
            cached = CACHE / (key + suffix)
            if not cached.is_file():
                cached.write_bytes(encode(data))
            target = path.with_name(path.name + suffix)
            if cached.stat().st_size <= 0.95 * len(data):
                shutil.copyfile(cached, target)
            elif target.exists():
                target.unlink()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


#: `preload: cnn` in a page's front matter (the Try-it page): what the CNN's first answer waits for, fetched
#: from the start instead of one module import after another (page → app.js → classifier.js → cnn.js →
#: the CNN's worker → ort → its wasm). `fetch` preloads are CORS-mode, like the `fetch()` calls that use
#: them. onnxruntime's files are only downloaded here (into the HTTP cache, where the worker finds them),
#: never parsed: onnxruntime runs in its worker (cnn-worker.js), off the page's thread. `bulk` is a fetch
#: preload at low priority (`fetchpriority="low"`): the model's and onnxruntime's megabytes must not share a
#: slow phone network with the page's CSS and modules before the first paint. On a phone's 1.6 Mbit/s they
#: put Lighthouse's Largest Contentful Paint of /try/ at 3.7 s instead of 1.6 s.
PRELOADS = {
    "cnn": [*(("modulepreload", f"js/{module}.js") for module in (
                "widgets/classifier", "classifier/cards", "classifier/steps", "classifier/hog-svm", "classifier/live",
                "crop-box", "default-crop", "picture", "sources/camera", "sources/files", "sources/samples",
                "slide-views", "svm-input", "cnn", "ui", "python")),
            ("fetch", "models/cnn.json"), ("bulk", "models/cnn.onnx"), ("fetch", "models/samples/index.json"),
            ("fetch", "js/cnn-worker.js"), ("fetch", "vendor/ort/ort.wasm.min.mjs"),
            ("fetch", "vendor/ort/ort-wasm-simd-threaded.mjs"), ("bulk", "vendor/ort/ort-wasm-simd-threaded.wasm")],
}


def preload_links(names: list[str] | str, page_url: str) -> str:
    """`<link rel=preload>` tags for the named groups of `PRELOADS`, relative to the page."""
    from mkdocs.utils import get_relative_url

    tags = []
    for name in [names] if isinstance(names, str) else names:
        if name not in PRELOADS:
            raise ValueError(f"unknown preload group {name!r} (known: {', '.join(PRELOADS)})")
        for kind, path in PRELOADS[name]:
            href = get_relative_url(path, page_url or ".")
            low = ' fetchpriority="low"' if kind == "bulk" else ""
            tags.append(f'<link rel="modulepreload" href="{href}">' if kind == "modulepreload"
                        else f'<link rel="preload" as="fetch" crossorigin href="{href}"{low}>')
    return "".join(tags)


# --- MkDocs events -------------------------------------------------------------------------------

def on_files(files, config, **kwargs):
    from mkdocs.structure.files import File

    url = config["site_url"] or "http://127.0.0.1:8000/"
    files.append(File.generated(config, "assets/qr.svg", content=qr_svg(url)))
    return files


#: Material's search panel is a dialog without a name (axe's and Lighthouse's `aria-dialog-name`).
SEARCH_DIALOG = ('<div class="md-search" data-md-component="search" role="dialog">',
                 '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">')


#: Material's bundle, which `slides/js/material.js` loads at the reader's first interaction, not at load.
MATERIAL_BUNDLE = re.compile(r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')


def bundle_on_interaction(html: str, page_url: str) -> str:
    """Material's `<script src="…/bundle.….min.js">` becomes `js/material.js` with the bundle's address in
    `data-bundle` (that module loads it when the reader first scrolls, taps, types or points)."""
    from mkdocs.utils import get_relative_url

    loader = get_relative_url("js/material.js", page_url or ".")
    html, count = MATERIAL_BUNDLE.subn(
        lambda m: f'<script type="module" src="{loader}" data-bundle="{m["src"]}"></script>', html, count=1)
    if count != 1:
        raise ValueError(f"{page_url or 'index'}: Material's bundle script not found (did Material change?)")
    return html


#: A code block's `<code>`, which may scroll sideways: Material's JavaScript makes it focusable (a scrolling
#: region must be reachable by keyboard); until that has started (js/material.js), the build does.
CODE_BLOCK = '<div class="highlight"><pre><span></span><code>'


def focusable_code(html: str) -> str:
    """Every code block's `<code>` gets `tabindex="0"` (axe's and Lighthouse's scrollable-region-focusable)."""
    return html.replace(CODE_BLOCK, CODE_BLOCK.replace("<code>", '<code tabindex="0">'))


IMG = re.compile(r"<img\b[^>]*>")


def picture_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a picture file: an SVG's width/height (or viewBox), a raster's pixels; None if unknown."""
    if path.suffix.lower() == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        tag = re.search(r"<svg\b[^>]*>", head)
        if not tag:
            return None
        w, h = (re.search(rf'\s{name}="([0-9.]+)(px)?"', tag[0]) for name in ("width", "height"))
        if w and h:
            return round(float(w[1])), round(float(h[1]))
        box = re.search(r'viewBox="[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)[ ,]+([0-9.]+)"', tag[0])
        return (round(float(box[1])), round(float(box[2]))) if box else None
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except OSError:
        return None


def with_image_sizes(html: str, page_url: str, roots: list[Path]) -> str:
    """Give every local <img> without a width its picture's width and height, so the browser reserves its
    box before the file arrives (nothing below it moves: CLS, and Lighthouse's "explicit width and height")."""
    import posixpath

    def sized(match: re.Match) -> str:
        tag = match[0]
        src = re.search(r'\ssrc="([^"]+)"', tag)
        if " width=" in tag or not src or re.match(r"[a-z]+:|/", src[1]):
            return tag
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_url or ""), src[1].split("#")[0].split("?")[0]))
        size = next((picture_size(root / rel) for root in roots if (root / rel).is_file()), None)
        if not size:
            return tag
        return tag.replace("<img", f'<img width="{size[0]}" height="{size[1]}"', 1)

    return IMG.sub(sized, html)


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """``<!-- metrics:NAME -->`` lines become tables of slides/models/metrics.json (`export.tables`)."""
    if "<!-- metrics:" not in markdown:
        return markdown
    metrics = json.loads((Path(config["docs_dir"]) / "models" / "metrics.json").read_text(encoding="utf-8"))
    return fill_tables(markdown, metrics)


def on_post_page(output: str, page, config, **kwargs) -> str:
    output = output.replace(*SEARCH_DIALOG, 1)
    output = bundle_on_interaction(output, page.url)
    output = focusable_code(output)
    output = with_image_sizes(output, page.url, [Path(config["docs_dir"]), Path(config["site_dir"])])
    output = link_used_sheets(output, Path(config["docs_dir"]))
    from mkdocs.utils import get_relative_url

    output = prerender_math(output, get_relative_url(f"vendor/temml/{MATH_CSS}", page.url or "."))
    names = page.meta.get("preload")
    if not names:
        return output
    return output.replace("</title>", "</title>" + preload_links(names, page.url), 1)


def on_post_build(config, **kwargs) -> None:
    site = Path(config["site_dir"])
    wheel = build_wheel(site / "wheels")
    copy_runtimes(site)
    write_math_font(site, site / "vendor" / "temml")
    sample_thumbnails(site)
    apply_csp(site)
    write_deck(site, config["nav"], config["site_url"])
    (site / "_follow").mkdir(exist_ok=True)
    (site / "_follow" / "config.json").write_text('{"follow": false}\n')
    runtime = {
        "wheel": f"wheels/{wheel.name}",
        "pyodide": "vendor/pyodide/",
        "ort": "vendor/ort/",
        "pyodemo_version": pyodemo.__version__,
        "site_url": config["site_url"],
    }
    (site / "runtime.json").write_text(json.dumps(runtime, indent=1))
    runtime["build"] = build_id(site)
    (site / "runtime.json").write_text(json.dumps(runtime, indent=1))
    write_service_worker(site, runtime["build"])
    compress(site)
