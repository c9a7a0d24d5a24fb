"""The audience-path suite's fixtures: per engine (WebKit, Firefox), one browser and one server of its own.

Everything of one engine runs in one browser session, in the order of the test module (pytest groups the
tests by this module-scoped engine parameter), so Python boots as few times as the checks allow: the Try-it
page (both models), then, with the server stopped (the service worker serves the site), the SVM page and
the HOG page. The server is `tests.e2e.test_offline.Server`, which can really go away.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import SITE
from tests.e2e.test_offline import Server
from tests.engines.drivers import launch, missing

#: The engines of the audience path (Chromium has its own, larger suite in tests/e2e/).
ENGINES = ("webkit", "firefox")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/engines/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engines)


class Session:
    """One engine's browser and its own server, shared by the module's tests in order."""

    def __init__(self, engine: str):
        self.engine = engine
        self.server = Server(SITE)
        self.url = self.server.url
        self.browser = launch(engine)
        self.offline = False

    def stop_server(self) -> None:
        self.server.stop()
        self.offline = True

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self.server.stop()


@pytest.fixture(scope="module", params=ENGINES)
def session(request):
    why = missing(request.param)
    if why:
        pytest.fail(f"{request.param}: {why}")
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it runs `mkdocs build` first)")
    s = Session(request.param)
    print(f"\n[engines] {s.browser.version}")
    yield s
    s.close()
