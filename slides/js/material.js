// Material for MkDocs' own JavaScript — search, the table of contents that follows the reading, the header's
// page title, the copy buttons of code blocks, back-to-top and its keyboard shortcuts — starts at the
// reader's first interaction (a scroll, a tap, a key, the pointer), not while the page loads.
//
// Why: on a phone's CPU Material's start is most of a page's main-thread work at load (evaluating the
// bundle, then mounting every component, which lays the whole page out: 250–370 ms at
// Lighthouse's 4× slowdown on the SVM page; without it the page's blocking time falls from ~450 to ~100 ms;
// EXPERIMENTS.md, issue 17). Nothing of it is needed to read a page: the drawer, the palette toggle, the
// tables' scrolling, the widgets and slide mode are the site's own HTML, CSS and modules.
//
// The build (site_tools/site_hook.py) replaces Material's `<script src="…/bundle.….min.js">` by this module
// with the bundle's address in `data-bundle`. Material mounts its components when `DOMContentLoaded`
// fires; the bundle usually arrives after it, so this module fires it once more, for Material alone (no other
// script of the site listens to it). `<html data-material>` tells the state: "loading", "ready" or "failed".

// The reader's own input: the page's scroll (not a widget's, which a widget may set itself), a tap, a key, the
// mouse. Not while slide mode is on (`html.pd-presenting`): a talk needs none of Material's parts, and the
// projector's laptop is spared its start between two slides; it comes at the first input after slide mode.
const INPUT = ["wheel", "pointerdown", "pointermove", "touchstart", "keydown"];
const script = document.querySelector("script[data-bundle]");
let parsed = document.readyState === "complete";
if (!parsed) document.addEventListener("DOMContentLoaded", () => { parsed = true; }, { once: true });

function listen(on) {
  const method = (on ? addEventListener : removeEventListener).bind(globalThis);
  method("scroll", start, { passive: true });
  for (const name of INPUT) method(name, start, { capture: true, passive: true });
}

// After the interaction, when the page is idle: what the reader did (a tap on a demo) is handled first.
const whenIdle = globalThis.requestIdleCallback?.bind(globalThis) ?? ((fn) => setTimeout(fn, 50)); // WebKit has no idle callback

function start() {
  if (document.documentElement.classList.contains("pd-presenting")) return;
  listen(false);
  if (document.documentElement.dataset.material) return;
  document.documentElement.dataset.material = "loading";
  whenIdle(load, { timeout: 2000 });
}

// Material's start, as three tasks of a phone's CPU instead of one long one: the switch to Material's "js"
// look (its restyle of the whole page happens in the next frame, before the bundle arrives), the bundle's
// evaluation, and the mounting of its components at `DOMContentLoaded`. Until Material has mounted, the "js"
// look shows the page as it was (tests/e2e/test_material.py compares screenshots).
function load() {
  const html = document.documentElement;
  html.classList.replace("no-js", "js"); // what the bundle does first; a no-op for it now
  const bundle = document.createElement("script");
  bundle.src = script.dataset.bundle;
  const ready = () => { html.dataset.material = "ready"; };
  bundle.onload = () => {
    if (!parsed) return document.addEventListener("DOMContentLoaded", ready, { once: true }); // still to come
    setTimeout(() => {
      document.dispatchEvent(new Event("DOMContentLoaded"));
      ready();
    }, 0);
  };
  bundle.onerror = () => {
    html.classList.replace("js", "no-js"); // the page reads and works without it, as before the input
    html.dataset.material = "failed";
    console.warn(`Material's JavaScript could not load (${bundle.src}): no search on this page`);
  };
  document.body.append(bundle);
}

if (script?.dataset.bundle) listen(true);
