"""Playwright end-to-end fixtures: one server and one Debian Chromium per session, every request checked.

* `site_url`: `site/` (built by `make test` before pytest runs) served by `site_tools.serve` on 127.0.0.1,
  on a free port, for the whole session.
* Chromium is Debian's (`/usr/bin/chromium`; Playwright cannot download browsers here), launched with a
  host-resolver rule that makes every host but 127.0.0.1 unreachable, even for a service worker.
* `open_page(path, device=None)`: a new context+page whose requests, console errors and page errors are
  recorded; when the test ends, every request must have gone to 127.0.0.1 and nothing may have been
  logged as an error (CSP violations included). `open_page(None)` opens the page without loading anything,
  for a test that adds an init script or a route first.
* `module_page(path, device=None)`: the same, but one page per module (per path and device) that the
  module's tests share, so Pyodide boots once where the tests can run on one page: each test is checked
  (foreign requests, errors) when it ends, and a page whose test failed is closed (the next test gets a
  fresh one).
* Tests marked `race` depend on the order of events (worker restarts, timers, the service worker's
  switch, navigation): they wait for events and states, never for a fixed time; `tests/stress.sh race`
  runs them again and again under a CPU burner.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("PYODEMO_SITE", ROOT / "site"))  # a helper may test its own build
ARTIFACTS = ROOT / "tests" / "artifacts"
from site_tools.browser import CHROMIUM, CHROMIUM_ARGS

LOCAL_SCHEMES = {"data", "blob", "about", "chrome-extension"}

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def site_url():
    from site_tools.serve import serve_in_thread

    if not (SITE / "index.html").is_file() or not (SITE / "runtime.json").is_file():
        pytest.fail("site/ is not built: run `make test` (it runs `mkdocs build` first)")
    server, url = serve_in_thread(SITE)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def base_url(site_url):  # pytest-playwright's name for it
    return site_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class PageWatch:
    """Records what a page did, so a test can assert nothing left 127.0.0.1 and nothing logged an error."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.workers: list = []  # every worker the page started, in order (the page's own record)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        page.context.on("request", lambda r: self.requests.append(r.url))
        page.on("worker", self._worker)

    def _worker(self, worker):
        self.workers.append(worker)
        worker.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            self.errors.append(f"console: {message.text} {where}".strip())

    def foreign_requests(self) -> list[str]:
        bad = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if parts.hostname != "127.0.0.1":
                bad.append(url)
        return bad

    def check(self, allow_errors: tuple[str, ...] = ()) -> None:
        foreign = self.foreign_requests()
        assert not foreign, f"requests left 127.0.0.1: {foreign[:5]}"
        errors = [e for e in self.errors if not any(a in e for a in allow_errors)]
        assert not errors, f"the page logged errors: {errors[:5]}"


@pytest.fixture(scope="session")
def devices(playwright):
    return playwright.devices


class Pages:
    """Contexts+pages opened for one test (or one module), each with its PageWatch."""

    def __init__(self, browser, site_url, devices):
        self.browser, self.site_url, self.devices = browser, site_url, devices
        self.opened: list[tuple] = []

    def open(self, path: str | None, device: str | None = None, service_workers: str = "block", **context_args):
        options = dict(self.devices[device]) if device else {"viewport": {"width": 1280, "height": 800}}
        options.pop("default_browser_type", None)
        context = self.browser.new_context(base_url=self.site_url, service_workers=service_workers, **options, **context_args)
        context.set_default_timeout(60_000)
        page = context.new_page()
        watch = PageWatch(page)
        self.opened.append((context, watch))
        if path is not None:
            page.goto(path)
        return page, watch

    def close(self, check: bool = True) -> None:
        opened, self.opened = self.opened, []
        problems = []
        for context, watch in opened:
            try:
                if check:
                    watch.check()
            except AssertionError as problem:
                problems.append(problem)
            finally:
                context.close()
        if problems:
            raise problems[0]


@pytest.fixture
def open_page(browser, site_url, devices):
    """open_page("hog/", device="Pixel 7") → (page, watch); checked for foreign requests and errors."""
    pages = Pages(browser, site_url, devices)
    yield pages.open
    pages.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item.stash[FAILED] = True


FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def _module_pages(browser, site_url, devices):
    shared: dict = {}
    yield shared
    for pages in shared.values():
        pages.close(check=False)  # each test checked its own part already


@pytest.fixture
def module_page(_module_pages, browser, site_url, devices, request):
    """module_page("hog/", device=None) → (page, watch), shared by the module's tests (same path and device).

    The page is loaded once; a test gets it as the previous test left it (it restores what it relies on).
    When the test ends, what the page did during the test is checked and forgotten."""
    used = []

    def opener(path: str, device: str | None = None):
        key = (path, device)
        if key not in _module_pages:
            pages = Pages(browser, site_url, devices)
            pages.open(path, device)
            _module_pages[key] = pages
        context, watch = _module_pages[key].opened[0]
        used.append(key)
        return watch.page, watch

    yield opener
    failed = request.node.stash.get(FAILED, False)
    for key in dict.fromkeys(used):
        pages = _module_pages[key]
        watch = pages.opened[0][1]
        try:
            if not failed:
                watch.check()
        finally:
            watch.requests.clear()
            watch.errors.clear()
            if failed:  # a page a failed test left behind may be in any state: the next test gets a new one
                del _module_pages[key]
                pages.close(check=False)


def screenshot(page, name: str) -> Path:
    """Save a screenshot under tests/artifacts/ (gitignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
