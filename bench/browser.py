"""The site in headless Debian Chromium: time to the first answers, bare Pyodide boot, per-image latency, bytes.

Section ``browser`` of ``python -m bench`` (issue 8, items 1–4). Every number is a median over repeated
runs on this machine (2 shared cores, loaded by other work while measured: read them as such).

1. **Cold cache, Try-it page** (``try/``; a new browser context per run, service workers blocked): from
   navigation (``performance.now()`` = 0) to the CNN's first top-3 (the widget's ``data-first-cnn-ms``),
   to Python ready (``pyodemoPython`` status "ready": Pyodide + the pyodemo wheel imported), to the HOG + SVM
   first top-3 (``data-first-svm-ms``). The same under Chrome DevTools' "Fast 3G" profile, set with CDP
   ``Network.emulateNetworkConditions`` using DevTools' own numbers (``Fast3GConditions`` in
   ChromeDevTools/devtools-frontend ``front_end/core/sdk/NetworkManager.ts``: download
   1.6 Mbit/s × 0.9 = 180,000 B/s, upload 750 kbit/s × 0.9 = 84,375 B/s, latency 150 ms × 3.75 = 562.5 ms);
   those runs go side by side (the link is emulated per page; the CPU mostly waits for the network).
   The SVM demo page (``svm-demo/``), where HOG + SVM is featured and Python starts as soon as the widget
   is on screen instead of after the CNN's first answer, is timed the same way.
2. **Bare Pyodide boot**: a blank page, added to a temporary copy of the site (symlinks; ``site/`` is never
   touched), whose module worker only runs ``loadPyodide()`` (and then, timed separately, installs the wheel
   and imports ``pyodemo.web.rpc``, which is what "Python ready" includes). The floor for HOG + SVM's first answer.
3. **Per-image latency** on that blank page, over every committed sample (≥ 20): pyodemo's
   crop + resize + HOG + SVM as Python times it (``classifier.predict``'s ``ms.total``, what the target is
   about) and with the worker round trip; the CNN's prepare + ``session.run`` (``cnn.js``'s ``ms.total``).
4. **Bytes over the wire**, counted by the server itself (status line, headers and body of every response,
   whoever asked: the page, its workers, the service worker), split per runtime (pyodide, ort, wheel,
   models, pages), as served (compressed when the browser accepts it) and raw (the files' own sizes): each
   page's first visit (cold, service workers blocked, every widget brought on screen and left to answer),
   the service worker's background prefetch, and each page's repeat visit once the service worker has
   the site.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("PYODEMO_SITE", ROOT / "site"))
RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "5"))
RUNS_3G = int(os.environ.get("BENCH_3G_RUNS", "3"))
TIMEOUT_MS = 300_000

#: Chrome DevTools' "Fast 3G" (front_end/core/sdk/NetworkManager.ts, Fast3GConditions).
FAST_3G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
           "uploadThroughput": 750 * 1000 / 8 * 0.9}
CATEGORIES = ("pyodide", "ort", "wheel", "models", "pages")
WIDGET = '.pyodemo-widget[data-widget="classifier"]'

#: Runs before the page's scripts: remember when Python started booting and when it was ready.
HOOK = """(() => {
  let value;
  Object.defineProperty(globalThis, "pyodemoPython", { configurable: true, get: () => value, set(v) {
    value = v;
    v.onStatus((s) => {
      if (s.state === "booting" && globalThis.__pyStartAt === undefined) globalThis.__pyStartAt = performance.now();
      if (s.state === "ready" && globalThis.__pyReadyAt === undefined) globalThis.__pyReadyAt = performance.now();
    });
  } });
})();"""

BLANK_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare Pyodide boot</title>
<script type="module" src="blank.js"></script></head><body><p>Pyodide only.</p></body></html>
"""
BLANK_JS = """// The floor: a page whose worker only loads Pyodide (then, timed apart, the wheel, as python-worker.js does).
globalThis.__bare = {};
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => { globalThis.__bare[data.stage] = performance.now(); globalThis.__bare[data.stage + "_worker_ms"] = data.ms; };
"""
WORKER_JS = """import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
const t0 = performance.now();
const runtime = await (await fetch(new URL("../runtime.json", import.meta.url))).json();
const pyodide = await loadPyodide({ indexURL: new URL(`../${runtime.pyodide}`, import.meta.url).href, stdout: () => {}, stderr: () => {} });
postMessage({ stage: "pyodide", ms: performance.now() - t0 });
await pyodide.loadPackage(new URL(`../${runtime.wheel}`, import.meta.url).href, { messageCallback: () => {} });
pyodide.pyimport("pyodemo.web.rpc");
postMessage({ stage: "wheel", ms: performance.now() - t0 });
"""

#: On the blank page: every sample through both models; answers the per-call timings.
PER_IMAGE = """async ([reps]) => {
  const py = await import("/js/python.js");
  const cnn = await import("/js/cnn.js");
  const crop = { ...(await import("/js/picture.js")), ...(await import("/js/default-crop.js")) };
  const index = await (await fetch("/models/samples/index.json")).json();
  const pictures = [];
  for (const s of index.samples) pictures.push(await crop.loadPictureURL(`/models/samples/${s.file}`, s.file));
  const model = new Uint8Array(await (await fetch("/models/hog_svm.svm")).arrayBuffer());
  const { token } = await py.call("classifier.load_model", {}, { model });
  const out = { svm: [], svm_round_trip: [], svm_crop: [], svm_prepare: [], svm_features: [], svm_svm: [], svm_steps: [],
                cnn: [], cnn_run: [], images: pictures.length, sizes: pictures.map((p) => [p.width, p.height]) };
  const once = async (p, keep) => {
    const box = crop.defaultCrop(p.rgba, p.width, p.height);
    const r = await cnn.classify(p, box);
    const t0 = performance.now();
    const s = await py.call("classifier.predict", { token, width: p.width, height: p.height, k: 3, box }, { rgba: p.rgba });
    const rt = performance.now() - t0;
    if (!keep) return;
    out.cnn.push(r.ms.total); out.cnn_run.push(r.ms.run);
    out.svm.push(s.ms.total); out.svm_round_trip.push(rt); out.svm_steps.push(s.ms.steps);
    out.svm_crop.push(s.ms.crop); out.svm_prepare.push(s.ms.prepare); out.svm_features.push(s.ms.features); out.svm_svm.push(s.ms.svm);
  };
  for (const p of pictures.slice(0, 5)) await once(p, false); // warm-up
  for (let r = 0; r < reps; r++) for (const p of pictures) await once(p, true);
  return out;
}"""


# ------------------------------------------------------------------ a server that counts what it sends


class Traffic:
    """Every response the server wrote: path, bytes on the wire, the file's raw size, when (wall clock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[dict] = []

    def reset(self) -> None:
        with self.lock:
            self.log = []

    def add(self, entry: dict) -> None:
        with self.lock:
            self.log.append(entry)

    def entries(self, before: float | None = None) -> list[dict]:
        with self.lock:
            return [e for e in self.log if before is None or e["start"] < before]


class _Counter:
    """Wraps a handler's wfile and counts the bytes written to it."""

    def __init__(self, raw, handler) -> None:
        self.raw, self.handler = raw, handler

    def write(self, data) -> int:
        self.handler._bench_bytes += len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def counting_server(root: Path):
    """site_tools.serve's server on a free port, recording every response in `server.traffic`."""
    from site_tools.serve import make_server

    server = make_server(root, port=0)
    traffic = Traffic()
    base = server.RequestHandlerClass

    class Counting(base):
        def setup(self):
            super().setup()
            self.wfile = _Counter(self.wfile, self)

        def handle_one_request(self):
            self._bench_bytes, self._bench_encoding, self._bench_status = 0, None, None
            self._bench_start = None
            super().handle_one_request()
            if self._bench_bytes and self._bench_start is not None:
                traffic.add({"path": urlsplit(self.path).path, "wire": self._bench_bytes, "raw": self._raw_size(),
                             "status": self._bench_status, "encoding": self._bench_encoding,
                             "accept": self.headers.get("Accept-Encoding", "") if self.headers else "",
                             "start": self._bench_start, "end": time.time()})

        def parse_request(self):
            self._bench_start = time.time()  # the request line has arrived (a kept-alive connection waits before)
            return super().parse_request()

        def send_response(self, code, message=None):
            self._bench_status = int(code)
            super().send_response(code, message)

        def send_header(self, keyword, value):
            if keyword.lower() == "content-encoding":
                self._bench_encoding = value
            super().send_header(keyword, value)

        def _raw_size(self) -> int:
            if self._bench_status != 200:
                return 0
            path = self.resolve(urlsplit(self.path).path)
            return path.stat().st_size if path else 0

    server.RequestHandlerClass = Counting
    server.traffic = traffic
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def category(path: str) -> str:
    if path.startswith("/vendor/pyodide/"):
        return "pyodide"
    if path.startswith("/vendor/ort/"):
        return "ort"
    if path.startswith("/wheels/"):
        return "wheel"
    if path.startswith("/models/") and not path.startswith("/models/samples/"):
        return "models"
    return "pages"


def tally(entries: list[dict]) -> dict:
    """{"wire": total, "raw": total, "requests": n, <category>: [wire, raw], ...}."""
    out = {"wire": sum(e["wire"] for e in entries), "raw": sum(e["raw"] for e in entries), "requests": len(entries)}
    for name in CATEGORIES:
        part = [e for e in entries if category(e["path"]) == name]
        out[name] = [sum(e["wire"] for e in part), sum(e["raw"] for e in part)]
    return out


# ------------------------------------------------------------------ the site copy with the blank page


def site_copy(site: Path, into: Path, extra: dict[str, str] | None = None) -> Path:
    """Symlinks to every file of the built site, plus *extra* pages (path → text; default: bench/blank.html
    and its worker). site/ is not touched."""
    for path in site.rglob("*"):
        target = into / path.relative_to(site)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target)
    pages = extra if extra is not None else {"bench-blank/index.html": BLANK_HTML, "bench-blank/blank.js": BLANK_JS,
                                             "bench-blank/worker.js": WORKER_JS}
    for name, text in pages.items():
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        (into / name).write_text(text)
    return into


# ------------------------------------------------------------------ the measurements


def new_page(browser, url: str, throttle: dict | None = None, service_workers: str = "block", cpu: float | None = None,
             viewport: dict | None = None):
    """A new context and page; `throttle`: CDP network conditions; `cpu`: CDP's CPU slowdown factor
    (``Emulation.setCPUThrottlingRate``, 4 = DevTools' and Lighthouse's "mid-tier mobile"), set before navigation;
    `viewport`: default 1280 × 800."""
    context = browser.new_context(base_url=url, service_workers=service_workers,
                                  viewport=viewport or {"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.add_init_script(HOOK)
    if throttle or cpu:
        cdp = context.new_cdp_session(page)
        if throttle:
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", throttle)
        if cpu:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return context, page


def try_page_run(browser, url: str, traffic: Traffic | None, throttle: dict | None = None, started=None,
                 path: str = "try/", cpu: float | None = None) -> dict:
    """One cold visit of try/: ms from navigation to the CNN's answer, Python ready, HOG + SVM's answer
    (and, given the server's `traffic`, the bytes sent before the CNN's answer). `started`: a visit begun
    with `start_try` (several throttled visits can run at once: each page has its own emulated link).
    `cpu`: the CPU slowdown factor (`new_page`)."""
    context, page = started or start_try(browser, url, traffic, throttle, path, cpu)
    try:
        page.wait_for_function(f"() => document.querySelector('{WIDGET}')?.dataset.firstSvmMs", timeout=TIMEOUT_MS)
        got = page.evaluate(f"""() => {{
            const el = document.querySelector('{WIDGET}');
            const card = (m) => el.querySelector('.clf-card--' + m).dataset;
            return {{ cnn: Number(el.dataset.firstCnnMs), cnn_at: Number(el.dataset.firstCnnAt), svm: Number(el.dataset.firstSvmMs),
                     ready: globalThis.__pyReadyAt, start: globalThis.__pyStartAt, nav_at: performance.timeOrigin,
                     states: [card('cnn').state, card('hog_svm').state] }}; }}""")
        assert got["states"] == ["done", "done"], f"the classifier did not answer with both models: {got['states']}"
        result = {"first_cnn_ms": got["cnn"], "pyodide_ready_ms": got["ready"], "first_hogsvm_ms": got["svm"],
                  "python_start_ms": got["start"]}
        if traffic is not None:
            page.wait_for_load_state("networkidle")
            result["cnn_first_answer_bytes"] = tally(traffic.entries(before=got["cnn_at"] / 1000))["wire"]
        return result
    finally:
        context.close()


def start_try(browser, url: str, traffic: Traffic | None, throttle: dict | None = None, path: str = "try/",
              cpu: float | None = None):
    context, page = new_page(browser, url, throttle, cpu=cpu)
    if traffic is not None:
        traffic.reset()
    page.goto(path, wait_until="commit")
    return context, page


def bare_boot_run(browser, url: str) -> dict:
    context, page = new_page(browser, url)
    try:
        page.goto("bench-blank/", wait_until="commit")
        page.wait_for_function("() => globalThis.__bare && globalThis.__bare.wheel", timeout=TIMEOUT_MS)
        return page.evaluate("() => globalThis.__bare")
    finally:
        context.close()


def per_image(browser, url: str, reps: int = 3, cpu: float | None = None) -> dict:
    context, page = new_page(browser, url, cpu=cpu)
    try:
        page.goto("bench-blank/")
        return page.evaluate(PER_IMAGE, [reps])
    finally:
        context.close()


def nav_pages() -> list[str]:
    """The pages of mkdocs.yml's nav, as paths ("" for the title page)."""
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    return ["" if source == "index.md" else source.removesuffix(".md") + "/"
            for entry in config["nav"] for source in entry.values()]


def run_widgets(page) -> None:
    """Every widget on screen, mounted, its first work done (Python ready where it started, the classifier's
    two answers), then the network idle."""
    from site_tools.browser import show_every_widget

    show_every_widget(page, 100)
    if page.locator(WIDGET).count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('.clf-card')].every((c) => ['done', 'error'].includes(c.dataset.state))",
            timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    if page.evaluate("() => globalThis.pyodemoPython?.status.state === 'booting'"):
        page.wait_for_function("() => pyodemoPython.status.state !== 'booting'", timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def page_bytes(browser, url: str, traffic: Traffic) -> dict:
    """{page: {"first": tally, "repeat": tally}, "_prefetch": tally}: cold visits, then repeat visits."""
    out: dict = {}
    for path in nav_pages():
        context, page = new_page(browser, url)
        try:
            traffic.reset()
            page.goto(path)
            run_widgets(page)
            out[path or "/"] = {"first": tally(traffic.entries())}
        finally:
            context.close()
    # the service worker: a first visit, its background prefetch of the site, then every page again
    context, page = new_page(browser, url, service_workers="allow")
    try:
        traffic.reset()
        page.goto("try/")
        run_widgets(page)
        page.wait_for_function("() => ['done', 'incomplete', 'failed', 'skipped'].includes(window.pyodemoOffline?.state)",
                               timeout=TIMEOUT_MS)
        state = page.evaluate("() => window.pyodemoOffline.state")
        page.wait_for_load_state("networkidle")
        out["_prefetch"] = {"state": state, **tally(traffic.entries())}
        for path in nav_pages():
            traffic.reset()
            page.goto(path)
            run_widgets(page)
            out[path or "/"]["repeat"] = tally(traffic.entries())
    finally:
        context.close()
    return out


def med(values) -> float:
    return round(statistics.median(values), 1)


def run() -> dict:
    from playwright.sync_api import sync_playwright

    from site_tools.browser import CHROMIUM, CHROMIUM_ARGS

    missing = [need for need in ("index.html", "models/cnn.onnx", "models/cnn.json", "models/hog_svm.svm",
                                 "models/samples/index.json") if not (SITE / need).is_file()]
    if missing:  # the other sections' numbers are still written
        print(f"  (skipped: {SITE} has no {', '.join(missing)}: build the site with the models first)", flush=True)
        return {}
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="pyodemo-bench-") as tmp, sync_playwright() as p:
        root = site_copy(SITE, Path(tmp) / "site")
        server, url = counting_server(root)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            version = browser.version
            # 1 + 2: cold runs of try/ interleaved with bare boots, so both see the same machine load
            cold, bare, demo = [], [], []
            for _ in range(RUNS):
                cold.append(try_page_run(browser, url, server.traffic))
                bare.append(bare_boot_run(browser, url))
                demo.append(try_page_run(browser, url, None, path="svm-demo/"))
            # Fast 3G: the runs side by side (each page has its own emulated link; the CPU mostly waits)
            started = [start_try(browser, url, None, throttle=FAST_3G) for _ in range(RUNS_3G)]
            slow = [try_page_run(browser, url, None, started=s) for s in started]
            images = per_image(browser, url)
            pages = page_bytes(browser, url, server.traffic)
            accept = sorted({e["accept"] for e in server.traffic.entries()})
        finally:
            browser.close()
            server.shutdown()
            server.server_close()

    first_cnn = med(r["first_cnn_ms"] for r in cold)
    first_svm = med(r["first_hogsvm_ms"] for r in cold)
    bare_ms = med(b["pyodide"] for b in bare)
    try_first = pages["try/"]["first"]
    try_repeat = pages["try/"]["repeat"]
    results.update({
        "browser_version": version,
        "browser_runs": RUNS,
        "browser_accept_encoding": accept[0] if len(accept) == 1 else accept,
        "first_cnn_ms": first_cnn,
        "pyodide_ready_ms": med(r["pyodide_ready_ms"] for r in cold),
        "first_hogsvm_ms": first_svm,
        "python_start_ms": med(r["python_start_ms"] for r in cold),
        "bare_pyodide_ms": bare_ms,
        "bare_pyodide_wheel_ms": med(b["wheel"] for b in bare),
        "first_hogsvm_vs_bare_pyodide_ratio": round(first_svm / bare_ms, 2),
        # what Python itself adds: from the widget starting the worker to HOG + SVM's first answer (try/
        # starts Python only after the CNN's first answer, by design: issue 6, "never downloads Pyodide
        # until HOG+SVM is needed")
        "hogsvm_from_python_start_vs_bare_pyodide_ratio": round(
            med(r["first_hogsvm_ms"] - r["python_start_ms"] for r in cold) / bare_ms, 2),
        "svm_demo_python_start_ms": med(r["python_start_ms"] for r in demo),
        "svm_demo_first_hogsvm_ms": med(r["first_hogsvm_ms"] for r in demo),
        "svm_demo_first_hogsvm_vs_bare_pyodide_ratio": round(med(r["first_hogsvm_ms"] for r in demo) / bare_ms, 2),
        "fast3g_runs": RUNS_3G,
        "fast3g_first_cnn_ms": med(r["first_cnn_ms"] for r in slow),
        "fast3g_pyodide_ready_ms": med(r["pyodide_ready_ms"] for r in slow),
        "fast3g_first_hogsvm_ms": med(r["first_hogsvm_ms"] for r in slow),
        "per_image_images": images["images"],
        "hogsvm_per_image_ms": med(images["svm"]),
        "hogsvm_crop_ms": med(images["svm_crop"]),
        "hogsvm_prepare_ms": med(images["svm_prepare"]),
        "hogsvm_features_ms": med(images["svm_features"]),
        "hogsvm_steps_ms": med(images["svm_steps"]),
        "hogsvm_svm_ms": med(images["svm_svm"]),
        "hogsvm_round_trip_ms": med(images["svm_round_trip"]),
        "cnn_per_image_ms": round(statistics.median(images["cnn"]), 2),
        "cnn_run_ms": round(statistics.median(images["cnn_run"]), 2),
        "cnn_first_answer_bytes": int(statistics.median(r["cnn_first_answer_bytes"] for r in cold)),
        "classifier_page_bytes_first": try_first["wire"],
        "classifier_page_bytes_first_raw": try_first["raw"],
        "classifier_page_bytes_repeat": try_repeat["wire"],
        "sw_prefetch_bytes": pages["_prefetch"]["wire"],
        "sw_prefetch_state": pages["_prefetch"]["state"],
    })
    for name in CATEGORIES:  # the classifier page's first visit per runtime, as served and raw
        results[f"classifier_page_bytes_first_{name}"] = try_first[name][0]
        results[f"classifier_page_bytes_first_{name}_raw"] = try_first[name][1]
    for path, visits in pages.items():  # every page: first visit and repeat visit, as served
        if path.startswith("_"):
            continue
        slug = path.strip("/").replace("/", "_").replace("-", "_") or "index"
        results[f"page_bytes_first_{slug}"] = visits["first"]["wire"]
        results[f"page_bytes_repeat_{slug}"] = visits["repeat"]["wire"]
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
