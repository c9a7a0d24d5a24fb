"""What runs in a page's long tasks at a phone's CPU (issue 17, step 3): ``python -m bench.trace [PATH ...]``.

A cold visit of each page (default: every page of the nav) in headless Debian Chromium with CDP
``Emulation.setCPUThrottlingRate`` ``BENCH_PHONE_CPU`` (default 4) and a CDP ``Tracing`` recording
(categories of DevTools' Performance panel), the page's widgets brought on screen and left to finish their
first work (``bench.browser.run_widgets``), as ``python -m bench phone`` does. Then, for the page's main
thread (``CrRendererMain`` of the renderer that loaded the page), every top-level task over 50 ms (a
"long task") with what its time went to: the trace's events nested in it, each counted for its self time
(its duration less its children's), labelled by the event's name and the script it belongs to (the event's
own URL or the nearest enclosing one's) — so script evaluation, compilation, functions called from a timer
or an event, style recalculation, layout, paint and garbage collection are told apart.

Printed, not recorded in results.json: this is for finding causes; ``bench phone`` records the numbers.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bench import browser as b

RATE = float(os.environ.get("BENCH_PHONE_CPU", "4"))
LONG_US = 50_000
CATEGORIES = ",".join([
    "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "blink", "loading",
    "toplevel", "disabled-by-default-devtools.timeline.frame", "blink.user_timing", "v8.wasm",
])
#: Events that carry the URL of the script that runs in them.
SCRIPT_EVENTS = {"EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule", "FunctionCall",
                 "v8.produceModuleCache", "v8.produceCache", "CompileScript", "ParseHTML"}


def record(chromium, url: str, path: str) -> list[dict]:
    """The trace events of one cold, throttled visit of `path`."""
    context, page = b.new_page(chromium, url, cpu=RATE)
    cdp = context.new_cdp_session(page)
    events: list[dict] = []
    done = []
    cdp.on("Tracing.dataCollected", lambda params: events.extend(params["value"]))
    cdp.on("Tracing.tracingComplete", lambda params: done.append(True))
    try:
        cdp.send("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES.split(",")},
                                   "transferMode": "ReportEvents"})
        page.goto(path)
        b.run_widgets(page)
        cdp.send("Tracing.end")
        page.wait_for_function("() => true")
        while not done:
            page.wait_for_timeout(100)
        return events
    finally:
        context.close()


def main_thread(events: list[dict], path: str) -> tuple[int, int]:
    """(pid, tid) of the page's renderer main thread: the CrRendererMain whose ParseHTML read this page."""
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    parsed: dict = defaultdict(int)
    for e in events:
        if e.get("name") == "ParseHTML" and (e["pid"], e["tid"]) in mains:
            if path in (e.get("args", {}).get("beginData", {}).get("url") or ""):
                parsed[(e["pid"], e["tid"])] += 1
    if parsed:
        return max(parsed, key=parsed.get)
    busy: dict = defaultdict(int)
    for e in events:
        if (e["pid"], e["tid"]) in mains and e.get("ph") == "X":
            busy[(e["pid"], e["tid"])] += e.get("dur", 0)
    return max(busy, key=busy.get)


def complete(events: list[dict]) -> list[dict]:
    """The thread's events as complete spans {name, ts, dur, url}: 'X' events and paired 'B'/'E' events."""
    spans, open_ = [], defaultdict(list)
    for e in sorted(events, key=lambda e: e["ts"]):
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            spans.append({"name": e["name"], "ts": e["ts"], "dur": e["dur"], "url": script_url(e)})
        elif ph == "B":
            open_[e["name"]].append(e)
        elif ph == "E" and open_[e["name"]]:
            begin = open_[e["name"]].pop()
            spans.append({"name": e["name"], "ts": begin["ts"], "dur": e["ts"] - begin["ts"], "url": script_url(begin)})
    return spans


def script_url(e: dict) -> str:
    args = e.get("args", {})
    data = args.get("data") or args.get("beginData") or {}
    url = data.get("url") or data.get("fileName") or args.get("fileName") or ""
    if e["name"] == "FunctionCall" and data.get("functionName"):
        url = f"{url} {data['functionName']}()"
    return url


def short(url: str, origin: str) -> str:
    return url.replace(origin, "")


def long_tasks(spans: list[dict], origin: str) -> list[dict]:
    """Every top-level task over 50 ms with its self time per (event name, script)."""
    spans.sort(key=lambda s: (s["ts"], -s["dur"]))
    tasks = [s for s in top_level([s for s in spans if s["name"] in ("RunTask", "ThreadControllerImpl::RunTask")])
             if s["dur"] > LONG_US]
    out = []
    for task in tasks:
        end = task["ts"] + task["dur"]
        inside = [s for s in spans if task["ts"] <= s["ts"] and s["ts"] + s["dur"] <= end and s is not task
                  and s["name"] not in ("RunTask", "ThreadControllerImpl::RunTask")]
        self_time: dict = defaultdict(float)
        stack: list[dict] = []
        for s in inside:
            while stack and s["ts"] >= stack[-1]["ts"] + stack[-1]["dur"]:
                stack.pop()
            s["self"] = s["dur"]
            s["where"] = s["url"] or (stack[-1]["where"] if stack else "")
            if stack:
                stack[-1]["self"] -= s["dur"]
            stack.append(s)
        for s in inside:
            self_time[(s["name"], short(s["where"], origin))] += s["self"]
        out.append({"start_ms": round(task["ts"] / 1000), "ms": round(task["dur"] / 1000),
                    "top": sorted(((round(v / 1000), k) for k, v in self_time.items() if v > 2000), reverse=True)[:10],
                    "untraced_ms": round((task["dur"] - sum(s["dur"] for s in top_level(inside))) / 1000)})
    return out


def top_level(spans: list[dict]) -> list[dict]:
    out, end = [], -1
    for s in spans:
        if s["ts"] >= end:
            out.append(s)
            end = s["ts"] + s["dur"]
    return out


def analyse(events: list[dict], path: str, origin: str) -> dict:
    pid, tid = main_thread(events, path)
    spans = complete([e for e in events if e["pid"] == pid and e["tid"] == tid])
    start = min((s["ts"] for s in spans if s["name"] == "ParseHTML"), default=min(s["ts"] for s in spans))
    tasks = long_tasks(spans, origin)
    for t in tasks:
        t["start_ms"] = round(t["start_ms"] - start / 1000)
    return {"page": "/" + path, "long_tasks": tasks}


def main(paths: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
    from site_tools.serve import serve_in_thread

    with tempfile.TemporaryDirectory(prefix="pyodemo-trace-") as tmp, sync_playwright() as p:
        root = b.site_copy(b.SITE, Path(tmp) / "site")
        server, url = serve_in_thread(root)
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in paths or b.nav_pages():
                events = record(chromium, url, path)
                if os.environ.get("BENCH_TRACE_KEEP"):
                    out = Path(os.environ["BENCH_TRACE_KEEP"]) / f"trace-{path.strip('/') or 'index'}.json"
                    out.write_text(json.dumps({"traceEvents": events}))
                result = analyse(events, path, url)
                print(f"/{path}: {len(result['long_tasks'])} long tasks (> 50 ms) at {RATE:g}x CPU", flush=True)
                for t in result["long_tasks"]:
                    print(f"  at {t['start_ms']} ms: {t['ms']} ms (untraced {t['untraced_ms']} ms)")
                    for ms, (name, where) in t["top"]:
                        print(f"      {ms:5d} ms  {name}  {where}")
        finally:
            chromium.close()
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
