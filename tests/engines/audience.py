"""The audience path, written once for every engine: what a person with a phone does with the talk.

Each step takes a driver of ``drivers.py`` (WebKit, Firefox or Chromium: the same calls) and the site's
address, acts the way a person does (real clicks, key presses and file choices come from the driver), and
reads the page's state back with small in-page scripts that wait for states, never for a time. What the
page logged as uncaught (``pyodemoErrors``, recorded by the site's own ``js/errors.js``) is read back
the same way in every engine, so nothing depends on a driver that can read the console.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.engines.drivers import LIMIT_S

#: In every script: `until(condition, what)` resolves with the condition's first truthy value; it polls
#: every 50 ms (how soon it notices, never whether) and gives up only at the hang bound, with `what` (a string, or a
#: function that describes the state at that moment).
PRELUDE = """const until = async (condition, what) => {
  const deadline = performance.now() + %d;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`never happened: ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const $ = (selector) => document.querySelector(selector);
""" % ((LIMIT_S - 20) * 1000)


def script(body: str) -> str:
    """An async function for `driver.run`: the PRELUDE, then `body` (which sees the arguments as `args`)."""
    return f"async (...args) => {{ {PRELUDE}\n{body} }}"


CLASSIFIER = '.pyodemo-widget[data-widget="classifier"]'

#: Every widget mounted (or failed), then what the page shows and recorded: its title and first heading,
#: the widgets that failed or show an error, the uncaught errors, the service worker's state.
PAGE_STATE = script("""
await until(() => document.readyState === "complete", "the page's load event");
await until(() => !$('.pyodemo-widget[data-mounted="loading"]'), "every widget mounted");
const visible = (el) => !el.closest("[hidden]") && el.getClientRects().length > 0;
return {
  title: document.title,
  h1: document.querySelector("article h1")?.textContent.trim() ?? null,
  widgets: document.querySelectorAll(".pyodemo-widget[data-widget]").length,
  failed: [...document.querySelectorAll('.pyodemo-widget[data-mounted="failed"]')].map((el) => el.dataset.widget),
  shown_errors: [...document.querySelectorAll(".pyodemo-widget .pyodemo-error, .pyodemo-widget [data-state='error']")]
    .filter(visible).map((el) => `${el.closest(".pyodemo-widget").dataset.widget}: ${el.textContent.trim().slice(0, 200)}`),
  errors: globalThis.pyodemoErrors ?? null,
  controlled: Boolean(navigator.serviceWorker?.controller),
};""")

#: The classifier in view; waits until both cards answered (or failed) for the picture and box on screen.
CLASSIFIER_ANSWERS = script("""
const [name] = args;
const el = await until(() => $('%s'), "the classifier widget");
el.scrollIntoView({ block: "start" });
const card = (m) => el.querySelector(`.clf-card--${m}`);
const key = () => `${el.dataset.picture}:${el.dataset.box}`;
await until(() => !el.dataset.loading && (!name || el.dataset.pictureName === name)
  && ["cnn", "hog_svm"].every((m) => card(m)?.dataset.for === key() && ["done", "error"].includes(card(m).dataset.state)),
  `both models' answers for ${name ?? "the first picture"}`);
const read = (m) => { const c = card(m);
  return { state: c.dataset.state, top1: c.dataset.top1 ?? null, score: c.dataset.score ? Number(c.dataset.score) : null,
           top: c.dataset.top ? JSON.parse(c.dataset.top) : null, input: c.dataset.input ?? null, block: c.dataset.block ?? null,
           error: c.querySelector(".clf-card__error")?.hidden ? "" : c.querySelector(".clf-card__error")?.textContent }; };
return { picture: el.dataset.pictureName, cnn: read("cnn"), hog_svm: read("hog_svm") };""" % CLASSIFIER)

SCROLL_TO = script("""
const el = await until(() => $(args[0]), args[0]);
el.scrollIntoView({ block: "center" });
await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
return true;""")

OFFLINE_DONE = script("""
await until(() => ["done", "incomplete", "failed", "skipped"].includes(globalThis.pyodemoOffline?.state),
            () => `the service worker's prefetch of the site (${JSON.stringify(globalThis.pyodemoOffline)})`);
return { ...globalThis.pyodemoOffline, controlled: Boolean(navigator.serviceWorker?.controller) };""")

PLAYGROUND = '.pyodemo-widget[data-widget="svm-playground"]'

#: The playground's state once the picture shows its points and settings (data-shown === data-version).
PLAYGROUND_STATE = script("""
const el = await until(() => $('%s'), "the SVM playground");
await until(() => el.dataset.preset && el.dataset.version && el.dataset.shown === el.dataset.version && !el.dataset.busy,
            "the playground's fit for the points on screen");
const d = el.dataset;
return { points: JSON.parse(d.points ?? "[]"), params: d.params ? JSON.parse(d.params) : null,
         n_sv: d.nSv ? Number(d.nSv) : null, grid: d.grid ? JSON.parse(d.grid) : null, error: d.error ?? null };""" % PLAYGROUND)

GRADIENT = '.pyodemo-widget[data-widget="gradient-explorer"]'
HOG = '.pyodemo-widget[data-widget="hog-explorer"]'

#: The HOG page's two explorers, brought on screen one after the other, and what they computed in Python.
EXPLORERS = script("""
const grad = await until(() => $('%s'), "the gradient explorer");
grad.scrollIntoView({ block: "center" });
const magnitude = await until(() => grad.querySelector('dd[data-value="magnitude"]')?.textContent, "the gradient explorer's answer");
const readout = Object.fromEntries(["gx", "gy", "magnitude", "angle"].map((k) => [k, grad.querySelector(`dd[data-value="${k}"]`)?.textContent]));
const hog = await until(() => $('%s'), "the HOG explorer");
hog.scrollIntoView({ block: "center" });
await until(() => hog.dataset.ready && !hog.dataset.busy, "the HOG explorer's answer");
return { gradient: readout, hog_ready: hog.dataset.ready,
         feature_length: Number(hog.querySelector("[data-feature-length]")?.dataset.featureLength),
         hog_length: Number(hog.querySelector("[data-hog-length]")?.dataset.hogLength) };""" % (GRADIENT, HOG))

TEACH = '.pyodemo-widget[data-widget="teach"]'

#: Teach it: three classes filled from the samples, both classifiers trained, a sample tried (`args[0]`, the
#: file of a sample the Try part shows); what the cards and both answers say.
TEACH_IT = script("""
const [sample] = args;
const el = await until(() => $('%s[data-ready]'), "the Teach-it widget");
const button = (name) => [...el.querySelectorAll("button")].find((b) => b.textContent.trim() === name);
button("Pokémon: fill three classes").click();
await until(() => el.dataset.examples === "9", "nine examples from the samples");
button("Train both").click();
await until(() => (el.dataset.trained && !el.dataset.training) || el.querySelector('.teach-message[data-kind="error"]:not(:empty)'),
            "both classifiers trained");
const tryPart = el.querySelector(".teach-part--try");
(await until(() => tryPart.querySelector(`button[data-sample="${sample}"]`), "the sample's button")).click();
await until(() => tryPart.dataset.answered && !tryPart.dataset.answering, "both answers");
return {
  trained: el.dataset.trained ?? null, message: el.querySelector(".teach-message").textContent,
  accuracy: Object.fromEntries([...el.querySelectorAll(".teach-result")].map((c) => [c.dataset.kind, Number(c.dataset.accuracy)])),
  answers: Object.fromEntries([...tryPart.querySelectorAll(".teach-answer")].filter((a) => !a.hidden)
    .map((a) => [a.dataset.kind, a.dataset.label ?? a.textContent])),
};""" % TEACH)

#: Slide mode: the slide on screen once the deck shows slide `args[0]` of the page at path `args[1]`.
SLIDE = script("""
const [n, path] = args;
await until(() => location.pathname === path && $("div.pd-deck:not([hidden])")?.dataset.slide === String(n)
                  && location.hash === `#slide-${n}`, `slide ${n} of ${path}`);
return $(".pd-slide > :is(h1, h2)")?.textContent.trim();""")


def built_titles(site: Path, path: str) -> tuple[str, str | None]:
    """(<title>, first <h1> text) of a built page, read from its HTML: what the browser must show."""
    page = (site / path / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    h1 = re.search(r"<article[^>]*>.*?<h1[^>]*>(.*?)</h1>", page, re.S)
    text = lambda s: " ".join(html.unescape(re.sub(r"<[^>]+>", "", s)).replace("¶", "").split())  # noqa: E731
    return text(title), (text(h1.group(1)) if h1 else None)


def page_problems(state: dict) -> list[str]:
    """What is wrong with a page's PAGE_STATE: failed widgets, errors on screen, uncaught errors."""
    problems = [f"widget failed to mount: {w}" for w in state["failed"]]
    problems += [f"error shown: {e}" for e in state["shown_errors"]]
    if state["errors"] is None:
        problems.append("the site's error record (js/errors.js) is missing")
    else:
        problems += [f"uncaught {e['kind']}: {e['message'][:300]}" for e in state["errors"]]
    return problems


def foreign(requests: list[str] | None) -> list[str]:
    """Requests that went anywhere but 127.0.0.1 (None: the driver cannot see requests)."""
    local = ("http://127.0.0.1:", "data:", "blob:", "about:")
    return [r for r in requests or [] if not r.startswith(local)]
