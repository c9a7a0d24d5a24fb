"""Debian's Chromium as the tests, `make pdf` and the benchmark launch it (Playwright cannot download
browsers here). The resolver rule makes every host but 127.0.0.1 unreachable, even for a service worker."""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def show_every_widget(page, pause_ms: int = 100) -> None:
    """Bring each widget of a Playwright `page` on screen once (widgets start their work when seen) and wait
    until none is still mounting."""
    page.wait_for_load_state("load")
    widgets = page.locator(".pyodemo-widget[data-widget]")
    for i in range(widgets.count()):
        widgets.nth(i).scroll_into_view_if_needed()
        page.wait_for_timeout(pause_ms)
    page.wait_for_function("() => !document.querySelector('.pyodemo-widget[data-mounted=\"loading\"]')")
