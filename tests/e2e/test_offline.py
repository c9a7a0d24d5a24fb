"""Offline after the first visit (issue 7): the service worker, the background prefetch, a new build's cache.

Each test runs its own server (not the session's) so it can stop it: `context.set_offline` does not apply
to service-worker fetches (Playwright #2311), a stopped server does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from site_tools.offline import write_service_worker
from site_tools.serve import make_server
from tests.e2e.test_classifier import wait_answers
from tests.e2e.conftest import SITE, screenshot
from tests.e2e.test_pdf import built_deck

#: Bounds a hang only (the whole site is saved from 127.0.0.1; a busy machine may take long): nothing is timed.
HANG_MS = 300_000

#: Runs before the page's scripts: records each state offline.js goes through (documentElement's
#: data-offline) and, at that moment, whether Python had started and what the page had fetched of Pyodide.
OFFLINE_STATES = """(() => {
  const seen = (window.__offlineStates = []);
  new MutationObserver(() => {
    const state = document.documentElement?.dataset.offline;
    if (!state || seen.at(-1)?.state === state) return;
    seen.push({ state, python: globalThis.pyodemoPython?.status.state ?? "absent",
                pyodide: performance.getEntriesByType("resource").filter((e) => e.name.includes("/vendor/pyodide/")).length });
  }).observe(document, { attributes: true, attributeFilter: ["data-offline"], subtree: true });
})();"""

CACHE_STATE = """async () => {
    const names = (await caches.keys()).filter(n => n.startsWith('pyodemo-'));
    const out = {};
    for (const name of names) out[name] = (await (await caches.open(name)).keys()).map(r => r.url);
    return out;
}"""


def sw_assets(site: Path) -> list[str]:
    text = (site / "sw.js").read_text(encoding="utf-8")
    return [json.loads(line.rstrip(","))[0] for line in text.splitlines() if line.startswith('["')]


def page_without_python(deck) -> str:
    """A page of the nav with no widget that needs Python (the title page normally)."""
    for path, _ in deck:
        html_file = SITE / path.strip("/") / "index.html" if path != "/" else SITE / "index.html"
        widgets = set(re.findall(r'data-widget="([a-z0-9-]+)"', html_file.read_text(encoding="utf-8")))
        if widgets <= {"audience-qr"}:
            return path
    pytest.skip("every page has a Python widget")


class Server:
    """site_tools.serve on its own thread, which can really go away: stopping it also closes the browser's
    open keep-alive connections (a stopped listener alone would leave those served by the old threads)."""

    def __init__(self, root: Path, port: int = 0):
        self.server = make_server(root, port=port)
        self.connections: list[socket.socket] = []
        accept = self.server.get_request

        def get_request():
            connection, address = accept()
            self.connections.append(connection)
            return connection, address

        self.server.get_request = get_request
        self.requests: list[str] = []  # the paths this server answered
        self.server.RequestHandlerClass.log_request = lambda handler, *_: self.requests.append(handler.path)
        self.server.handle_error = lambda request, address: None  # resets from the closed sockets
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        self.server = None


@pytest.mark.race
def test_the_talk_works_offline_after_one_visit(open_page):
    build = json.loads((SITE / "runtime.json").read_text())["build"]
    assets = sw_assets(SITE)
    assert "" in assets and "hog/" in assets and any(a.startswith("vendor/pyodide/") for a in assets)
    assert any(a.endswith(".whl") for a in assets)
    deck = built_deck()
    start = page_without_python(deck)
    server = Server(SITE)
    url = server.url
    try:
        page, watch = open_page(None, service_workers="allow")
        page.add_init_script(OFFLINE_STATES)
        page.goto(f"{url}{start}")
        # A page without Python never downloads Pyodide before it has gone idle.
        page.wait_for_function("() => window.pyodemoOffline && window.pyodemoOffline.state !== 'off'")
        so_far = list(watch.requests)  # (the service worker fetches nothing before the page asks it to)
        if page.evaluate("() => window.pyodemoOffline.state") in ("registering", "waiting"):
            assert not [r for r in so_far if "/vendor/pyodide/" in r]
        # Once idle, the whole site is fetched in the background into this build's cache.
        page.wait_for_function("() => window.pyodemoOffline.state === 'done'", timeout=HANG_MS)
        # When the page asked for that (the first state after waiting for idle), Python had not started
        # and the page had fetched nothing of Pyodide.
        states = page.evaluate("() => window.__offlineStates")
        names = [s["state"] for s in states]
        asked = next(s for s in states if s["state"] not in ("registering", "waiting"))
        assert "waiting" in names[: states.index(asked)] and asked["state"] == "requested", states
        assert asked["python"] == "idle" and asked["pyodide"] == 0, states
        assert page.evaluate("() => navigator.serviceWorker.controller !== null")
        cached = page.evaluate(CACHE_STATE)
        assert list(cached) == [f"pyodemo-{build}"]
        urls = set(cached[f"pyodemo-{build}"])
        missing = [a for a in assets if f"{url}/{a}" not in urls]
        assert not missing, f"not cached: {missing[:5]}"
        assert "offline" in page.locator(".pd-offline-note").inner_text()

        server.stop()  # the network is gone
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
        page.reload()
        first_title = dict(deck)[start][0]["title"]
        assert " ".join(page.locator("article h1").first.inner_text().split()).startswith(first_title[:20])
        # Another page, never opened before, renders from the cache, in slide mode too.
        other, slides = next((p, s) for p, s in deck if p != start)
        page.goto(f"{url}{other}?present#slide-1")
        page.wait_for_selector("div.pd-deck:not([hidden])")
        assert page.locator(".pd-slide > :is(h1, h2)").first.inner_text().startswith(slides[0]["title"][:20])
        # Python (Pyodide + the pyodemo wheel) starts from the cache and answers: the HOG slide's example.
        if "/hog/" in dict(deck):
            page.goto(f"{url}/hog/")
            page.wait_for_function(
                "() => document.querySelector('.pyodemo-widget[data-widget=\"gradient-explorer\"] "
                "dd[data-value=\"magnitude\"]')?.textContent === '100.00'", timeout=120_000)
        # The demo, offline: the Try-it page classifies its first sample with both models, the CNN in
        # onnxruntime-web and HOG+SVM in Pyodide, every file coming from the service worker's cache.
        page.goto(f"{url}/try/")
        answers = wait_answers(page, ("cnn", "hog_svm"), timeout=120_000)
        assert answers["cnn"]["top"] and answers["hog_svm"]["top"], answers
        screenshot(page, "offline-after-server-stopped")
    finally:
        server.stop()


def new_build(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the site (symlinks) whose runtime.json changed: a new build, every other file the same."""
    root = tmp_path / "site2"
    for path in SITE.rglob("*"):
        relative = path.relative_to(SITE)
        target = root / relative
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif relative.parts[0] not in ("sw.js", "sw.js.br", "sw.js.gz") and not relative.as_posix().startswith("runtime.json"):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target)
    runtime = json.loads((SITE / "runtime.json").read_text())
    runtime["build"] = "0" * 16 if runtime["build"] != "0" * 16 else "1" * 16
    (root / "runtime.json").write_text(json.dumps(runtime, indent=1))
    write_service_worker(root, runtime["build"])
    return root, runtime["build"]


def until(page, condition: str, arg):
    """Wait, in the page, until the JavaScript `condition(state, arg)` holds for the origin's pyodemo caches
    (state: {cache name: [urls]}); they change inside the service worker, where the page cannot listen, so it
    looks every 50 ms (how soon it notices, never whether). HANG_MS bounds a hang only."""
    state, ok = page.evaluate(f"""async ([arg, hangMs]) => {{
        const condition = {condition};
        const cacheState = {CACHE_STATE};
        const deadline = performance.now() + hangMs;
        for (;;) {{
            const state = await cacheState();
            if (condition(state, arg)) return [state, true];
            if (performance.now() > deadline) return [state, false];
            await new Promise((r) => setTimeout(r, 50));
        }}
    }}""", [arg, HANG_MS])
    assert ok, f"the caches never got there: { {k: len(v) for k, v in state.items()} }"
    return state


@pytest.mark.race
def test_a_new_build_replaces_the_old_cache(open_page, tmp_path):
    old_build = json.loads((SITE / "runtime.json").read_text())["build"]
    root, build = new_build(tmp_path)
    server = Server(SITE)
    url = server.url
    try:
        page, _ = open_page(f"{url}/", service_workers="allow")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.reload()  # now controlled: this page's files go into the cache as they are served
        until(page, "(state, name) => (state[name] ?? []).some((u) => u.endsWith('/css/present.css'))", f"pyodemo-{old_build}")
        # Deploy the new build on the same address.
        server.stop()
        server = Server(root, port=server.port)
        page.reload()
        # (the switch waits for the old worker's work in progress, e.g. a background prefetch it had begun:
        # the worker stops that when it sees the new one, but on a loaded machine this can take a while: no limit
        # but the hang bound)
        until(page, "(state, name) => Object.keys(state).length === 1 && name in state", f"pyodemo-{build}")
        after = page.evaluate(CACHE_STATE)[f"pyodemo-{build}"]
        # Files that did not change were carried over from the old cache: the new worker serves them
        # without asking the server; the file that changed was not carried.
        assert f"{url}/css/present.css" in after
        assert f"{url}/runtime.json" not in after or page.evaluate(
            "async () => (await (await caches.match('runtime.json')).json()).build") == build
        server.requests.clear()
        page.reload()
        page.wait_for_load_state("load")
        assert "/css/present.css" not in server.requests
        assert page.evaluate("async () => (await (await fetch('runtime.json')).json()).build") == build
    finally:
        server.stop()


def test_service_worker_lists_the_site_in_prefetch_order(tmp_path):
    """write_service_worker: every servable file once, pages by their address, compressed twins left out."""
    files = {
        "index.html": "<h1>t</h1>", "hog/index.html": "<h1>h</h1>", "js/app.js": "x", "js/app.js.br": "b",
        "vendor/pyodide/pyodide.asm.wasm": "w", "wheels/pyodemo-0.1.0-py3-none-any.whl": "z",
        "models/cnn.onnx": "m", "_headers.json": "{}", "sw.js": "old", "sitemap.xml": "s",
        "assets/javascripts/lunr/min/lunr.de.min.js": "l", "runtime.json": "{}",
        "_follow/config.json": '{"follow": false}',  # follow mode's live endpoints: never cached
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pytest.raises(ValueError):
        write_service_worker(tmp_path, "")
    sw = write_service_worker(tmp_path, "abc123")
    text = sw.read_text()
    assert 'const CACHE = "pyodemo-abc123";' in text
    assert sw_assets(tmp_path) == ["", "hog/", "js/app.js", "runtime.json",
                                   "wheels/pyodemo-0.1.0-py3-none-any.whl", "vendor/pyodide/pyodide.asm.wasm",
                                   "models/cnn.onnx"]
    if shutil.which("node"):
        check = subprocess.run(["node", "--check", str(sw)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
