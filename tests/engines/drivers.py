"""The audience's three browser engines behind one small interface, for the engine suite and the bench.

* **WebKit**: Debian's WebKitGTK (Safari's engine and JavaScriptCore) through its WebDriver,
  ``WebKitWebDriver``, which Selenium starts; the browser (WebKitGTK's MiniBrowser) needs a display, so an
  ``Xvfb`` of our own is started first (``-displayfd``: the X server picks a free display and says which).
* **Firefox**: Debian's Firefox ESR, headless, through WebDriver BiDi by npm's ``puppeteer-core``
  (no geckodriver); ``firefox.mjs`` beside this file is the Node side, spoken to in JSON lines.
* **Chromium**: Debian's Chromium through Playwright, as the e2e suite launches it (the bench's reference).

Each driver has: ``name``, ``version``, ``goto(url)``, ``run(script, *args)`` (an async JS function's
awaited result, JSON), ``click(selector)`` (scrolled to the middle of the screen first, clear of the
sticky header), ``click_at(selector, fx, fy)`` (at a point given as fractions
of the element's box, scrolled into view first), ``upload(selector, path)``, ``key(name)``, ``requests()``
(URLs asked for, where the driver can see them; ``None`` where it cannot), ``close()``.

``run`` has a generous limit (``LIMIT_S``) only so that a broken page fails instead of hanging; nothing
measures time against it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WEBKIT_DRIVER = os.environ.get("WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
LIMIT_S = 300
ENGINES = ("webkit", "firefox", "chromium")


class EngineError(AssertionError):
    """A script or a driver command failed in the browser (its message says which, and where)."""


def missing(engine: str) -> str | None:
    """Why `engine` cannot be driven on this machine (None when it can): what `make test` installs."""
    need = {
        "webkit": [(WEBKIT_DRIVER, "webkit2gtk-driver"), ("Xvfb", "xvfb")],
        "firefox": [(FIREFOX, "firefox-esr"), (str(ROOT / "node_modules/puppeteer-core/package.json"), "npm puppeteer-core"),
                    ("node", "Node.js")],
        "chromium": [],
    }[engine]
    for path, package in need:
        if not (Path(path).exists() or shutil.which(path)):
            return f"{path} is missing (`make test` installs {package})"
    if engine == "webkit":
        try:
            import selenium  # noqa: F401
        except ImportError:
            return "selenium is missing (the test extra of pyproject.toml)"
    return None


#: Wraps an async function for Selenium's execute_async_script: its result, or its error as text.
_ASYNC = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(...arguments[0]))
  .then((value) => done({ ok: true, value: value === undefined ? null : value }),
        (error) => done({ ok: false, error: String(error && error.stack ? `${error}\\n${error.stack}` : error) }));"""


class WebKit:
    """WebKitGTK's MiniBrowser under an Xvfb of its own, through WebKitWebDriver (Selenium)."""

    name = "webkit"

    def __init__(self, width: int = 1280, height: int = 800) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self._xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", f"{width}x{height + 100}x24",
                                       "-nolisten", "tcp"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        display = self._xvfb.stdout.readline().decode().strip()
        if not display:
            self._xvfb.kill()
            raise EngineError("Xvfb did not start")
        env = {**os.environ, "DISPLAY": f":{display}"}
        service = Service(executable_path=WEBKIT_DRIVER, env=env, log_output=subprocess.DEVNULL)
        try:
            self.driver = webdriver.WebKitGTK(options=Options(), service=service)
        except Exception:
            self._xvfb.kill()
            raise
        self.driver.set_script_timeout(LIMIT_S)
        self.driver.set_page_load_timeout(LIMIT_S)
        self.driver.set_window_size(width, height)
        caps = self.driver.capabilities
        self.version = f"WebKitGTK {caps.get('browserVersion', '?')}"

    def goto(self, url: str) -> str:
        self.driver.get(url)
        return self.driver.current_url

    def run(self, script: str, *args):
        reply = self.driver.execute_async_script(_ASYNC % script, list(args))
        if not reply or not reply.get("ok"):
            raise EngineError(f"webkit: {reply and reply.get('error')}")
        return reply["value"]

    def _element(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def click(self, selector: str) -> None:
        element = self._element(selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)  # clear of the header
        element.click()

    def click_at(self, selector: str, fx: float, fy: float) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        element = self._element(selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        width, height = element.size["width"], element.size["height"]  # offsets count from the element's centre
        ActionChains(self.driver).move_to_element_with_offset(element, round((fx - 0.5) * width),
                                                              round((fy - 0.5) * height)).click().perform()

    def upload(self, selector: str, path: str | Path) -> None:
        self._element(selector).send_keys(str(path))

    def key(self, name: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(self.driver).send_keys(getattr(Keys, _SELENIUM_KEYS.get(name, name.upper()), name)).perform()

    def requests(self) -> None:
        return None  # WebKitWebDriver has no network events (nor console): see test_audience.py's docstring

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._xvfb.terminate()
            self._xvfb.wait(timeout=30)


_SELENIUM_KEYS = {"ArrowRight": "ARROW_RIGHT", "ArrowLeft": "ARROW_LEFT", "PageDown": "PAGE_DOWN", "PageUp": "PAGE_UP",
                  "Escape": "ESCAPE", "Home": "HOME", "End": "END"}


class Firefox:
    """Firefox ESR, headless, through puppeteer-core over WebDriver BiDi (tests/engines/firefox.mjs)."""

    name = "firefox"

    def __init__(self) -> None:
        self._node = subprocess.Popen(["node", str(HERE / "firefox.mjs")], cwd=ROOT, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env={**os.environ, "FIREFOX": FIREFOX})
        first = self._node.stdout.readline()
        if not first:
            raise EngineError(f"firefox: the driver did not start: {self._node.stderr.read()[-2000:]}")
        self.version = self._ask("version")

    def _ask(self, op: str, **fields):
        self._node.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._node.stdin.flush()
        line = self._node.stdout.readline()
        if not line:
            raise EngineError(f"firefox: the driver stopped: {self._node.stderr.read()[-2000:]}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise EngineError(f"firefox: {reply['error']}")
        return reply["value"]

    def goto(self, url: str) -> str:
        return self._ask("goto", url=url)

    def run(self, script: str, *args):
        return self._ask("run", script=script, args=list(args))

    def click(self, selector: str) -> None:
        self._ask("click", selector=selector)

    def click_at(self, selector: str, fx: float, fy: float) -> None:
        self._ask("clickAt", selector=selector, fx=fx, fy=fy)

    def upload(self, selector: str, path: str | Path) -> None:
        self._ask("upload", selector=selector, path=str(path))

    def key(self, name: str) -> None:
        self._ask("key", key=name)

    def requests(self) -> list[str]:
        return self._ask("requests")

    def close(self) -> None:
        try:
            self._node.stdin.write(json.dumps({"op": "close"}) + "\n")
            self._node.stdin.flush()
            self._node.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self._node.kill()
            self._node.wait()


class Chromium:
    """Debian's Chromium through Playwright, launched as the e2e suite does (the bench's reference)."""

    name = "chromium"

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        from site_tools.browser import CHROMIUM, CHROMIUM_ARGS

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._context = self._browser.new_context(viewport={"width": 1280, "height": 800})
        self._context.set_default_timeout(LIMIT_S * 1000)
        self.page = self._context.new_page()
        self._requests: list[str] = []
        self._context.on("request", lambda r: self._requests.append(r.url))
        self.version = f"Chromium {self._browser.version}"

    def goto(self, url: str) -> str:
        self.page.goto(url)
        return self.page.url

    def run(self, script: str, *args):
        return self.page.evaluate(f"(args) => ({script})(...args)", list(args))

    def click(self, selector: str) -> None:
        self.page.click(selector)

    def click_at(self, selector: str, fx: float, fy: float) -> None:
        element = self.page.locator(selector)
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        element.click(position={"x": fx * box["width"], "y": fy * box["height"]})

    def upload(self, selector: str, path: str | Path) -> None:
        self.page.set_input_files(selector, str(path))

    def key(self, name: str) -> None:
        self.page.keyboard.press(name)

    def requests(self) -> list[str]:
        seen, self._requests = self._requests, []
        return seen

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()


def launch(engine: str):
    """A new browser of `engine` ("webkit", "firefox" or "chromium")."""
    return {"webkit": WebKit, "firefox": Firefox, "chromium": Chromium}[engine]()
