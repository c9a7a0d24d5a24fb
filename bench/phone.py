"""A phone's CPU (issue 17, steps 3 and 7): ``python -m bench phone``.

Chrome DevTools' CPU slowdown, CDP ``Emulation.setCPUThrottlingRate`` with rate ``BENCH_PHONE_CPU`` (default
4, DevTools' "mid-tier mobile" and Lighthouse's mobile preset), set before navigation in headless Debian
Chromium. It slows the page's renderer process, workers included (Pyodide's and onnxruntime-web's run
there), not the network. The measurements are `bench.browser`'s own, run throttled and unthrottled side by
side, so that both see the same machine load:

1. **The Try-it page, cold** (``bench.browser.try_page_run``; ``BENCH_PHONE_RUNS`` rounds, default 3, each a
   throttled and an unthrottled visit): from navigation to the CNN's first top-3 and to HOG + SVM's first
   top-3 (the widget picks its first sample by itself once it is on screen; Python starts after the CNN's
   first answer), and to Python ready;
2. **per image** (``bench.browser.per_image``, every committed sample, 2 repetitions after a warm-up): pyodemo's
   crop + resize + HOG + SVM as Python times it, with the worker round trip, and the CNN's prepare + run;
3. **long tasks per page**, throttled only (the target: none over 200 ms): every page of the nav visited cold
   ``RUNS`` times, every widget brought on screen and left to finish its first work
   (``bench.browser.run_widgets``; its scrolling starts Material's JavaScript too), while a
   ``PerformanceObserver`` installed before the page's scripts records each ``longtask`` (a main-thread task
   over 50 ms); per page the medians over the visits of the longest, how many, how many over 200 ms and their
   total, and every visit's longest.

Medians in ms; ``slowdown`` is throttled ÷ unthrottled.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from bench import browser as b

RATE = float(os.environ.get("BENCH_PHONE_CPU", "4"))
RUNS = int(os.environ.get("BENCH_PHONE_RUNS", "3"))
LONG_MS = 200

#: Before the page's scripts: every long task's start and duration (ms).
LONG_TASKS = """(() => {
  globalThis.__longTasks = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.__longTasks.push([e.startTime, e.duration]); })
      .observe({ type: "longtask", buffered: true });
  } catch (error) { globalThis.__longTasks = null; }
})();"""


def long_tasks(chromium, url: str, path: str) -> dict:
    """One cold, throttled visit of a page: its long tasks until its widgets' first work is done."""
    context, page = b.new_page(chromium, url, cpu=RATE)
    try:
        page.add_init_script(LONG_TASKS)
        page.goto(path)
        b.run_widgets(page)
        tasks = page.evaluate("() => globalThis.__longTasks")
        assert tasks is not None, f"/{path}: this browser has no longtask entries"
        durations = [d for _, d in tasks]
        longest = max(tasks, key=lambda t: t[1]) if tasks else (None, 0)
        return {"longest_ms": round(longest[1]), "longest_at_ms": None if longest[0] is None else round(longest[0]),
                "count": len(durations), "over_200ms": sum(d > LONG_MS for d in durations),
                "total_ms": round(sum(durations))}
    finally:
        context.close()


def page_tasks(visits: list[dict]) -> dict:
    """One page's long tasks over its visits: the median of each number, and every visit's longest task."""
    med = {key: b.med(v[key] for v in visits) for key in ("longest_ms", "count", "over_200ms", "total_ms")}
    return {**med, "longest_ms_each": [v["longest_ms"] for v in visits]}


def summary(visits: list[dict], images: dict) -> dict:
    med = lambda key: b.med(v[key] for v in visits)  # noqa: E731
    return {"first_cnn_ms": med("first_cnn_ms"), "pyodide_ready_ms": med("pyodide_ready_ms"),
            "first_hogsvm_ms": med("first_hogsvm_ms"),
            "first_hogsvm_after_python_start_ms": b.med(v["first_hogsvm_ms"] - v["python_start_ms"] for v in visits),
            "hogsvm_per_image_ms": b.med(images["svm"]), "hogsvm_round_trip_ms": b.med(images["svm_round_trip"]),
            "cnn_per_image_ms": round(statistics.median(images["cnn"]), 2),
            "cnn_run_ms": round(statistics.median(images["cnn_run"]), 2)}


def run() -> dict:
    from playwright.sync_api import sync_playwright

    from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
    from site_tools.serve import serve_in_thread

    if not (b.SITE / "models" / "samples" / "index.json").is_file():
        print(f"  (skipped: {b.SITE} has no models: build the site with the models first)", flush=True)
        return {}
    with tempfile.TemporaryDirectory(prefix="pyodemo-phone-") as tmp, sync_playwright() as p:
        root = b.site_copy(b.SITE, Path(tmp) / "site")
        server, url = serve_in_thread(root)
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            version = chromium.version
            plain, slow = [], []
            for i in range(RUNS):
                plain.append(b.try_page_run(chromium, url, None))
                slow.append(b.try_page_run(chromium, url, None, cpu=RATE))
                print(f"  round {i + 1}: 1x {plain[-1]}; {RATE:g}x {slow[-1]}", flush=True)
            images = {"1x": b.per_image(chromium, url, reps=2), "throttled": b.per_image(chromium, url, reps=2, cpu=RATE)}
            pages = {}
            for path in b.nav_pages():
                pages["/" + path] = page_tasks([long_tasks(chromium, url, path) for _ in range(RUNS)])
                print(f"  /{path}: {pages['/' + path]}", flush=True)
        finally:
            chromium.close()
            server.shutdown()
            server.server_close()
    unthrottled, throttled = summary(plain, images["1x"]), summary(slow, images["throttled"])
    return {"phone": {
        "browser_version": version, "cpu_throttling_rate": RATE, "runs": RUNS, "per_image_images": images["1x"]["images"],
        "unthrottled": unthrottled, "throttled": throttled,
        "slowdown": {k: round(throttled[k] / unthrottled[k], 2) for k in unthrottled if unthrottled[k]},
        "long_tasks_throttled": pages,
        "longest_task_ms": max(p["longest_ms"] for p in pages.values()),  # the longest of the pages' medians
        "pages_with_task_over_200ms": sorted(k for k, p in pages.items() if p["over_200ms"]),
    }}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
