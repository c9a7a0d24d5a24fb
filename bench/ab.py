"""Two builds of the site side by side on the page's main thread: ``python -m bench.ab OLD NEW [PATH ...]``.

For trying a change to the pages (issue 17: the main thread at a phone's CPU) before it lands: ``OLD`` and
``NEW`` are two built sites (e.g. ``cp -r site /tmp/old``, change, ``mkdocs build``, ``cp -r site /tmp/new``),
each served by ``site_tools.serve`` on a port of its own. Every page (default: the nav) is loaded cold
``BENCH_AB_RUNS`` times (default 5) from each build, the two builds interleaved so that the machine's load
hits both alike, in headless Debian Chromium at a phone's viewport (412 × 915) and CDP
``Emulation.setCPUThrottlingRate`` ``BENCH_PHONE_CPU`` (default 4, Lighthouse's "mid-tier mobile"). After
the load event and the network's going quiet, CDP ``Performance.getMetrics`` gives the renderer's totals:
style recalculation, layout, script and all tasks (ms), and how many layouts ran; and from the page's own
``longtask`` entries (observed from the document's start, read once no long task came for ``QUIET_MS``) the
blocking time as Lighthouse's TBT counts it (each task after the first contentful paint, less its first
50 ms) and the longest task; then the reader's first key (Shift) and the longest task it started (what waits
for a first interaction, like Material's JavaScript, runs then).

Printed as medians with every run's value (a change smaller than the runs' spread is noise), not recorded
in results.json: Lighthouse (``python -m bench lighthouse``) records the pages' scores.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from bench import browser as b
from bench.phone import LONG_TASKS
from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
from site_tools.serve import serve_in_thread

RUNS = int(os.environ.get("BENCH_AB_RUNS", "5"))
RATE = float(os.environ.get("BENCH_PHONE_CPU", "4"))
PHONE = {"width": 412, "height": 915}
#: CDP Performance.getMetrics names → (label, factor to ms or count)
METRICS = {"RecalcStyleDuration": ("style ms", 1000), "LayoutDuration": ("layout ms", 1000),
           "ScriptDuration": ("script ms", 1000), "TaskDuration": ("tasks ms", 1000), "LayoutCount": ("layouts", 1)}
#: From the page's long tasks (`bench.phone.LONG_TASKS`): label → key of LONG_AFTER's result, at load and at
#: the first key.
LONG = {"blocking ms": "blocking", "longest ms": "longest"}
FIRST_KEY = {"1st key longest ms": "longest"}
#: Once `quiet` ms passed without a long task: the blocking time of the tasks that started after `since`
#: (default: the first contentful paint; each task counts less its first 50 ms, as Lighthouse's TBT) and the
#: longest of them.
LONG_AFTER = """([quiet, since]) => new Promise((resolve) => {
  const check = () => {
    const last = globalThis.__longTasks.reduce((t, [start, d]) => Math.max(t, start + d), 0);
    if (performance.now() - Math.max(last, since ?? 0) < quiet && performance.now() < 30000) return setTimeout(check, 200);
    const from = since ?? performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
    const tasks = globalThis.__longTasks.filter(([start]) => start >= from);
    resolve({ blocking: tasks.reduce((s, [, d]) => s + Math.max(0, d - 50), 0),
              longest: tasks.reduce((m, [, d]) => Math.max(m, d), 0) });
  };
  check();
})"""
QUIET_MS = 2000
#: Resolves after two animation frames: what the load started has been styled, laid out and painted.
FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))"


def visit(chromium, url: str, path: str) -> dict[str, float]:
    """The main thread's totals of one cold visit of `path`."""
    context, page = b.new_page(chromium, url, cpu=RATE, viewport=PHONE)
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.add_init_script(LONG_TASKS)
        page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(FRAMES)
        long = page.evaluate(LONG_AFTER, [QUIET_MS, None])
        values = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        # the reader's first key: what it starts (Material's JavaScript, js/material.js) runs now
        pressed = page.evaluate("() => performance.now()")
        page.keyboard.press("Shift")
        first = page.evaluate(LONG_AFTER, [QUIET_MS, pressed])
        return ({label: values[name] * factor for name, (label, factor) in METRICS.items()}
                | {label: long[key] for label, key in LONG.items()}
                | {label: first[key] for label, key in FIRST_KEY.items()})
    finally:
        context.close()


def compare(old: Path, new: Path, paths: list[str]) -> dict:
    """{path: {build: {label: [value per run]}}} for builds "old" and "new"."""
    from playwright.sync_api import sync_playwright

    servers = {name: serve_in_thread(site) for name, site in (("old", old), ("new", new))}
    found: dict = {p: {name: {} for name in servers} for p in paths}
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(RUNS):
                for path in paths:
                    for name, (_, url) in servers.items():
                        for label, value in visit(chromium, url, path).items():
                            found[path][name].setdefault(label, []).append(value)
            chromium.close()
    finally:
        for server, _ in servers.values():
            server.shutdown()
    return found


def report(found: dict) -> str:
    lines = [f"{RUNS} cold visits per page and build, CPU slowdown {RATE:g}×, medians (every run):"]
    for path, builds in found.items():
        lines.append(f"/{path}")
        for label in [label for label, _ in METRICS.values()] + list(LONG) + list(FIRST_KEY):
            cells = [f"{name} {statistics.median(runs[label]):7.0f} ({', '.join(f'{v:.0f}' for v in runs[label])})"
                     for name, runs in builds.items()]
            lines.append(f"  {label:10} " + "   ".join(cells))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not all((Path(a) / "index.html").is_file() for a in argv[:2]):
        print(__doc__.splitlines()[0], file=sys.stderr)
        print("OLD and NEW must be built sites (folders with an index.html)", file=sys.stderr)
        return 2
    paths = argv[2:] or b.nav_pages()
    print(report(compare(Path(argv[0]), Path(argv[1]), paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
