"""Lighthouse on every page of the built site (issue 17, step 6): ``python -m bench lighthouse``.

npm ``lighthouse`` (pinned in package.json) runs on each page of mkdocs.yml's nav, ``BENCH_LIGHTHOUSE_RUNS``
times (default 3), with its default **mobile preset**: a Moto G Power-sized screen, simulated slow 4G
(150 ms RTT, 1.6 Mbit/s down) and a 4× CPU slowdown ("simulate": Lighthouse loads the page unthrottled and
computes the metrics from the trace with its Lantern model). Chrome is Debian's Chromium (``CHROME_PATH``),
with the flags the tests use (``site_tools.browser.CHROMIUM_ARGS``: every host but 127.0.0.1 unreachable); the
site is served by the project's own server (``site_tools.serve``) on 127.0.0.1, and each report's own list of
network requests (audit ``network-requests``) is checked to hold nothing but 127.0.0.1.

Recorded per page, as the median of the runs (each number on its own): the four category scores
(performance, accessibility, best practices, SEO, 0–1), Total Blocking Time, Cumulative Layout Shift and
Largest Contentful Paint, Lighthouse's ``benchmarkIndex`` of the machine (its own micro-benchmark, measured
in every run: a mid-tier phone scores about 500–1000, a desktop 1500 or more; the simulated 4× slowdown
assumes a desktop), and every audit of a category that scored below 1 (its id, its weight in the category's
score, title, median score and what it displayed), which is what stands between a page and the targets.
A run Lighthouse cannot complete (e.g. ``NO_NAVSTART``, "please run Lighthouse again") is run again, at most
``TRIES`` times, and its message kept in ``runs_failed_and_repeated``.

``BENCH_LIGHTHOUSE_PAGES`` (comma-separated paths, e.g. ``try/,hog/``) limits the pages.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("PYODEMO_SITE", ROOT / "site"))
CLI = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))
CATEGORIES = {"performance": "performance", "accessibility": "accessibility", "best-practices": "best_practices",
              "seo": "seo"}
METRICS = {"total-blocking-time": "tbt_ms", "cumulative-layout-shift": "cls", "largest-contentful-paint": "lcp_ms"}
TIMEOUT_S = 300
TRIES = 3
#: Headless (Lighthouse's own default flag is the old headless mode) and the tests' flags.
HEADLESS = "--headless=new"


def chrome_flags() -> str:
    from site_tools.browser import CHROMIUM_ARGS

    # Lighthouse parses this string with yargs-parser: a value with spaces goes in double quotes
    quoted = [f'{f.split("=", 1)[0]}="{f.split("=", 1)[1]}"' if " " in f else f for f in CHROMIUM_ARGS]
    return " ".join([HEADLESS, *quoted])


def version() -> str:
    return json.loads((CLI.parent.parent / "package.json").read_text())["version"]


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run on `url` (mobile preset, all four categories); its report (LHR) as a dict."""
    from site_tools.browser import CHROMIUM

    command = ["node", str(CLI), url, "--output=json", f"--output-path={out}", "--quiet",
               "--no-enable-error-reporting", f"--chrome-flags={chrome_flags()}",
               "--only-categories=" + ",".join(CATEGORIES)]
    out.unlink(missing_ok=True)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
                          env={**os.environ, "CHROME_PATH": CHROMIUM})
    if done.returncode != 0 or not out.is_file():
        raise LighthouseError(f"lighthouse {url} failed ({done.returncode}): {done.stderr.strip()[-1000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise LighthouseError(f"lighthouse {url}: {report['runtimeError']}")
    return report


class LighthouseError(RuntimeError):
    """A run Lighthouse could not complete (e.g. NO_NAVSTART: "Something went wrong with recording the trace
    over your page load. Please run Lighthouse again.")."""


def lighthouse_again(url: str, out: Path, tries: int = TRIES) -> tuple[dict, list[str]]:
    """`lighthouse`, run again after a failed run (as its own message asks), at most `tries` times in all;
    the report and the failed runs' messages."""
    failed = []
    for _ in range(tries):
        try:
            return lighthouse(url, out), failed
        except LighthouseError as error:
            failed.append(str(error).splitlines()[-1][:300])
            print(f"  ({failed[-1]}: running it again)", flush=True)
    raise LighthouseError(f"{url}: {tries} runs failed: {failed}")


def requests(report: dict) -> list[str]:
    """The URLs of the report's network requests (audit `network-requests`)."""
    items = (report["audits"].get("network-requests", {}).get("details") or {}).get("items", [])
    return [item["url"] for item in items]


def foreign(urls: list[str]) -> list[str]:
    local = ("http://127.0.0.1:", "data:", "blob:")
    return [u for u in urls if not u.startswith(local)]


def numbers(report: dict) -> dict:
    """One run's scores, metrics, benchmark index and failing audits."""
    out = {name: report["categories"][key]["score"] for key, name in CATEGORIES.items()}
    for key, name in METRICS.items():
        out[name] = report["audits"][key]["numericValue"]
    out["benchmark_index"] = report["environment"]["benchmarkIndex"]
    counted = {ref["id"]: (key, ref["weight"]) for key in CATEGORIES for ref in report["categories"][key]["auditRefs"]}
    out["failing"] = {
        audit_id: {"category": counted[audit_id][0], "weight": counted[audit_id][1], "title": audit["title"],
                   "score": audit["score"], "shown": audit.get("displayValue", "")}
        for audit_id, audit in report["audits"].items()
        if audit_id in counted and audit.get("score") is not None and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")}
    return out


def page_summary(runs: list[dict]) -> dict:
    """Medians of a page's runs; an audit is listed when it scored below 1 in any run (with its median score
    over the runs, a run where it passed counting as 1, and in how many runs it failed)."""
    out: dict = {}
    for name in (*CATEGORIES.values(), *METRICS.values(), "benchmark_index"):
        value = statistics.median(r[name] for r in runs)
        out[name] = round(value, 3 if name == "cls" else 2 if name in CATEGORIES.values() else 0)
    failing: dict = {}
    for audit_id in sorted({a for r in runs for a in r["failing"]}):
        seen = [r["failing"][audit_id] for r in runs if audit_id in r["failing"]]
        scores = [r["failing"][audit_id]["score"] if audit_id in r["failing"] else 1 for r in runs]
        failing[audit_id] = {"category": seen[0]["category"], "weight": seen[0]["weight"], "title": seen[0]["title"],
                             "score": round(statistics.median(scores), 2), "failed_runs": len(seen),
                             "shown": seen[len(seen) // 2]["shown"]}
    out["failing"] = failing
    return out


def run() -> dict:
    from bench.browser import nav_pages
    from site_tools.serve import serve_in_thread

    if not CLI.is_file():
        print(f"  (skipped: {CLI.relative_to(ROOT)} is missing: `make deps` installs the npm devDependencies)", flush=True)
        return {}
    if not (SITE / "index.html").is_file():
        print(f"  (skipped: {SITE} is not built)", flush=True)
        return {}
    chosen = os.environ.get("BENCH_LIGHTHOUSE_PAGES")
    pages = [p for p in nav_pages() if not chosen or p in chosen.split(",")]
    server, url = serve_in_thread(SITE)
    per_page: dict = {}
    try:
        with tempfile.TemporaryDirectory(prefix="pyodemo-lighthouse-") as tmp:
            for path in pages:
                runs, failed = [], []
                for _ in range(RUNS):
                    report, errors = lighthouse_again(f"{url}/{path}", Path(tmp) / "report.json")
                    failed += errors
                    urls = requests(report)
                    assert urls, f"/{path}: the report lists no network request"
                    leaks = foreign(urls)
                    assert not leaks, f"/{path}: Lighthouse's page reached another origin: {leaks[:5]}"
                    runs.append(numbers(report))
                per_page["/" + path] = page_summary(runs)
                if failed:
                    per_page["/" + path]["runs_failed_and_repeated"] = failed
                s = per_page["/" + path]
                print(f"  /{path}: perf {s['performance']} a11y {s['accessibility']} bp {s['best_practices']} "
                      f"seo {s['seo']} TBT {s['tbt_ms']} ms CLS {s['cls']} LCP {s['lcp_ms']} ms "
                      f"(index {s['benchmark_index']}); below 1: {', '.join(s['failing']) or 'none'}", flush=True)
    finally:
        server.shutdown()
        server.server_close()
    return {"lighthouse": {"version": version(), "runs": RUNS, "preset": "mobile (default): simulated slow 4G, 4x CPU",
                           "benchmark_index": statistics.median(p["benchmark_index"] for p in per_page.values()),
                           "pages": per_page}}


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
