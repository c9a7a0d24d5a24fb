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
