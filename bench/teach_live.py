"""`python -m bench teach_live`: Teach it's live rate — camera frames answered per second by both taught
classifiers (target ≥ 10).

Headless Debian Chromium films the fake camera's video (`tests/e2e/fake_camera.py`: three sprites in turn);
the page fills three classes from the samples ("Pokémon: fill three classes"), trains both classifiers,
starts the camera and answers frames one after another: each frame's centred square goes to the CNN (its
learned features, onnxruntime-web in its worker) and to pyodemo (HOG + colour, in the Python worker), and both
SVMs answer. Per run, after a warm-up of `WARM` frames, the frames answered in `SECONDS` seconds of page
time (the widget's own count, `data-answered`); ``teach_live_fps`` is the median of `RUNS` runs, each on a
fresh page (a cold session: Python and the CNN loaded anew).
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from bench.browser import SITE, TIMEOUT_MS, counting_server, site_copy

RUNS = int(os.environ.get("BENCH_TEACH_RUNS", "3"))
SECONDS = 5.0
WARM = 5
WIDGET = '.pyodemo-widget[data-widget="teach"]'

#: In the page: count the frames answered over `seconds` of page time, once `warm` frames have been.
RATE = """async ([sel, warm, seconds]) => {
  const cam = document.querySelector(`${sel} .teach-camera`);
  const answered = () => Number(cam.dataset.answered || 0);
  const start = answered();
  while (answered() < start + warm) await new Promise((r) => requestAnimationFrame(r));
  const n0 = answered(), t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) await new Promise((r) => requestAnimationFrame(r));
  return { frames: answered() - n0, ms: performance.now() - t0 };
}"""


def one_run(browser, url: str) -> float:
    context = browser.new_context(base_url=url, service_workers="block", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("teach/")
        page.wait_for_selector(f"{WIDGET}[data-ready]")
        page.get_by_role("button", name="Pokémon: fill three classes").click()
        page.wait_for_function("(sel) => document.querySelector(sel).dataset.examples === '9'", arg=WIDGET)
        page.get_by_role("button", name="Train both").click()
        page.wait_for_function("(sel) => document.querySelector(sel).dataset.trained === 'hog cnn'", arg=WIDGET)
        page.get_by_role("button", name="Start camera").click()
        r = page.evaluate(RATE, [WIDGET, WARM, SECONDS])
        return r["frames"] / (r["ms"] / 1000)
    finally:
        context.close()


def run() -> dict:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.e2e.fake_camera import write_video

    if not (SITE / "teach" / "index.html").is_file():
        print(f"  (skipped: {SITE} has no teach/ page: build the site first)", flush=True)
        return {}
    samples = SITE / "models" / "samples"
    with tempfile.TemporaryDirectory(prefix="pyodemo-bench-") as tmp, sync_playwright() as p:
        video = write_video(Path(tmp) / "camera.y4m", [samples / "mew.png", samples / "scyther.png", samples / "snorlax.png"])
        root = site_copy(SITE, Path(tmp) / "site")
        server, url = counting_server(root)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        try:
            rates = [one_run(browser, url) for _ in range(RUNS)]
        finally:
            browser.close()
            server.shutdown()
            server.server_close()
    return {"teach_live_fps": round(statistics.median(rates), 1), "teach_live_fps_runs": [round(r, 1) for r in rates],
            "teach_live_target_fps": 10}
