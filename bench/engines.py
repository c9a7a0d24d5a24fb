"""Where Python's first answer spends its time in WebKit, Firefox and Chromium (issue 17, step 1).

Section ``engines`` of ``python -m bench``. For each engine (the drivers of ``tests/engines/drivers.py``),
``BENCH_ENGINE_RUNS`` rounds, each in a new browser (cold HTTP cache, no service worker yet), engines
interleaved round by round so that all see the same machine load:

1. **The Try-it page** as the audience gets it (service worker allowed): from navigation to the CNN's first
   top-3 (``data-first-cnn-ms``), to the moment the widget asks for Python (``data-python-wanted-at``), to
   HOG + SVM's first top-3 (``data-first-svm-ms``); the worker's own boot stages (``bootStages`` of
   ``python.js``: runtime.json, ``loadPyodide``, the wheel, ``import pyodemo.web.rpc``); and what comes after
   the boot (the model file's download and parse, the first ``classifier.predict``).
2. **A bare ``loadPyodide()`` page** with nothing of ours (added to a temporary copy of the site:
   symlinks, ``site/`` is not touched), in the same browser right after: ``loadPyodide()`` split into the
   wasm's download and compile (``WebAssembly.instantiateStreaming`` timed around Pyodide's own call), the
   standard library's download (resource timing) and the rest (the stdlib written into the file system,
   the interpreter's start and Pyodide's bootstrap). That is the engine's own cost, with nothing of ours.

``BENCH_ENGINES_VARIANT=no-spinner`` measures the same with the classifier card's spinning "loading" mark
stopped (``animation: none`` in the site copy's ``css/classifier.css``): what that CSS animation costs an
engine while Python boots (WebKitGTK under Xvfb paints every frame of it in software).

Numbers are medians in ms. ``first_hogsvm_vs_chromium`` is the ratio the issue asks about (≤ 2);
``after_boot_ms`` is what our code adds once Python is up.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("PYODEMO_SITE", ROOT / "site"))
RUNS = int(os.environ.get("BENCH_ENGINE_RUNS", "3"))
VARIANT = os.environ.get("BENCH_ENGINES_VARIANT", "")
ENGINES = tuple(os.environ.get("BENCH_ENGINES", "chromium,webkit,firefox").split(","))

PROBE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare loadPyodide()</title>
<script type="module" src="probe.js"></script></head><body><p>loadPyodide() only.</p></body></html>
"""
PROBE_JS = """globalThis.__bare = null;
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => { globalThis.__bare = data; };
worker.onerror = (event) => { globalThis.__bare = { error: String(event.message) }; };
"""
#: A module worker that only runs loadPyodide(), with a stopwatch around Pyodide's own wasm instantiation.
PROBE_WORKER = """import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
const t0 = performance.now();
const at = {};
const mark = (name) => { at[name] = Math.round(performance.now() - t0); };
for (const name of ["instantiateStreaming", "instantiate"]) {
  const original = WebAssembly[name];
  WebAssembly[name] = async function (...args) {
    const big = name === "instantiateStreaming" || args[0]?.byteLength > 1e6;
    if (big) mark("wasm_start");
    const result = await original.apply(WebAssembly, args);
    if (big) mark("wasm_ready");
    return result;
  };
}
const runtime = await (await fetch(new URL("../runtime.json", import.meta.url))).json();
mark("runtime");
await loadPyodide({ indexURL: new URL(`../${runtime.pyodide}`, import.meta.url).href, stdout: () => {}, stderr: () => {} });
mark("pyodide");
const end = (file) => {
  const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith(file));
  return entry ? Math.round(entry.responseEnd - t0) : null;
};
postMessage({ ...at, wasm_fetched: end("pyodide.asm.wasm"), stdlib_fetched: end("python_stdlib.zip") });
"""

#: Waits (in the page) for the classifier's two first answers; returns the page's numbers.
TRY_PAGE = """async () => {
  const el = () => document.querySelector('.pyodemo-widget[data-widget="classifier"]');
  const card = (m) => el()?.querySelector(`.clf-card--${m}`)?.dataset ?? {};
  const end = (state) => ["done", "error"].includes(state);
  const offline = {};
  const watchOffline = () => { const s = globalThis.pyodemoOffline?.state; if (s && !(s in offline)) offline[s] = Math.round(performance.now()); };
  while (!(end(card("cnn").state) && end(card("hog_svm").state) && el().dataset.firstSvmMs)) {
    if (card("hog_svm").state === "error") break;
    watchOffline();
    await new Promise((r) => setTimeout(r, 100));
  }
  watchOffline();
  const d = el().dataset, status = globalThis.pyodemoPython?.status ?? {};
  return { states: [card("cnn").state, card("hog_svm").state], first_cnn_ms: Number(d.firstCnnMs),
           first_hogsvm_ms: Number(d.firstSvmMs), python_wanted_ms: Number(d.pythonWantedAt) - performance.timeOrigin,
           boot_ms: status.bootMs, boot_stages: status.bootStages,
           offline, load_ms: Math.round(performance.getEntriesByType("navigation")[0]?.loadEventEnd ?? 0),
           hogsvm_text: el().querySelector(".clf-card--hog_svm .clf-ms")?.textContent };
}"""

BARE = """async () => {
  while (!globalThis.__bare) await new Promise((r) => setTimeout(r, 100));
  return globalThis.__bare;
}"""


def site_copy(site: Path, into: Path) -> Path:
    """The site's files linked (`bench.browser.site_copy`), plus bench-engines/ (the bare page); site/ is not touched."""
    from bench import browser

    browser.site_copy(site, into, {"bench-engines/index.html": PROBE_HTML, "bench-engines/probe.js": PROBE_JS,
                                   "bench-engines/worker.js": PROBE_WORKER})
    if VARIANT == "no-spinner":
        css = into / "css" / "classifier.css"
        text = css.read_text(encoding="utf-8")
        assert "animation: clf-spin" in text, "no spinner in css/classifier.css"
        for copy in (css, css.with_name(css.name + ".br"), css.with_name(css.name + ".gz")):
            copy.unlink(missing_ok=True)
        css.write_text(text.replace("animation: clf-spin 0.8s linear infinite", "animation: none"), encoding="utf-8")
    elif VARIANT:
        raise SystemExit(f"unknown BENCH_ENGINES_VARIANT {VARIANT!r} (known: no-spinner)")
    return into


def one_round(engine: str, url: str) -> dict:
    """A new browser: the Try-it page cold, then the bare page (its own worker: a fresh Pyodide)."""
    from tests.engines.drivers import launch

    browser = launch(engine)
    try:
        browser.goto(f"{url}/try/")
        page = browser.run(TRY_PAGE)
        assert page["states"] == ["done", "done"], f"{engine}: the classifier did not answer: {page}"
        browser.goto(f"{url}/bench-engines/")
        bare = browser.run(BARE)
        assert "error" not in bare, f"{engine}: bare loadPyodide() failed: {bare}"
        return {"version": browser.version, "page": page, "bare": bare}
    finally:
        browser.close()


def summary(rounds: list[dict]) -> dict:
    def med(values):
        values = [v for v in values if v is not None]
        return round(statistics.median(values)) if values else None

    pages = [r["page"] for r in rounds]
    bare = [r["bare"] for r in rounds]
    stages = lambda key: med(p["boot_stages"][key] for p in pages)  # noqa: E731
    out = {
        "version": rounds[0]["version"],
        "first_cnn_ms": med(p["first_cnn_ms"] for p in pages),
        "first_hogsvm_ms": med(p["first_hogsvm_ms"] for p in pages),
        "python_wanted_ms": med(p["python_wanted_ms"] for p in pages),
        "boot_ms": med(p["boot_ms"] for p in pages),
        "boot_runtime_ms": stages("runtime"),
        "boot_loadpyodide_ms": med(p["boot_stages"]["pyodide"] - p["boot_stages"]["runtime"] for p in pages),
        "boot_wheel_ms": med(p["boot_stages"]["wheel"] - p["boot_stages"]["pyodide"] for p in pages),
        "boot_import_ms": med(p["boot_stages"]["import"] - p["boot_stages"]["wheel"] for p in pages),
        "after_boot_ms": med(p["first_hogsvm_ms"] - p["python_wanted_ms"] - p["boot_ms"] for p in pages),
        "bare_loadpyodide_ms": med(b["pyodide"] - b["runtime"] for b in bare),
        "bare_wasm_ms": med(b["wasm_ready"] - b["wasm_start"] for b in bare if "wasm_ready" in b),
        "bare_wasm_fetched_ms": med(b["wasm_fetched"] - b["runtime"] for b in bare if b.get("wasm_fetched")),
        "bare_stdlib_fetched_ms": med(b["stdlib_fetched"] - b["runtime"] for b in bare if b.get("stdlib_fetched")),
        "bare_after_wasm_ms": med(b["pyodide"] - b["wasm_ready"] for b in bare if "wasm_ready" in b),
        "hogsvm_text": pages[-1]["hogsvm_text"],
    }
    return out


def run() -> dict:
    from site_tools.serve import serve_in_thread
    from tests.engines.drivers import missing

    engines = [e for e in ENGINES if not missing(e)]
    for e in set(ENGINES) - set(engines):
        print(f"  (skipped {e}: {missing(e)})", flush=True)
    rounds: dict[str, list] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory(prefix="pyodemo-engines-") as tmp:
        root = site_copy(SITE, Path(tmp) / "site")
        server, url = serve_in_thread(root)
        try:
            for i in range(RUNS):
                for engine in engines:
                    rounds[engine].append(one_round(engine, url))
                    page = rounds[engine][-1]["page"]
                    print(f"  {engine} round {i + 1}: CNN {page['first_cnn_ms']} ms, HOG+SVM {page['first_hogsvm_ms']} ms, "
                          f"boot {page['boot_ms']} ms {page['boot_stages']}; bare {rounds[engine][-1]['bare']}", flush=True)
        finally:
            server.shutdown()
            server.server_close()
    results = {engine: summary(r) for engine, r in rounds.items() if r}
    reference = results.get("chromium", {}).get("first_hogsvm_ms")
    for engine, numbers in results.items():
        if reference:
            numbers["first_hogsvm_vs_chromium"] = round(numbers["first_hogsvm_ms"] / reference, 2)
    return {f"engines{'_' + VARIANT.replace('-', '_') if VARIANT else ''}": {"runs": RUNS, **results}}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
