// Material for MkDocs' own JavaScript — search, the table of contents that follows the reading, the header's
// page title, the copy buttons of code blocks, back-to-top and its keyboard shortcuts — starts at the
// reader's first interaction (a scroll, a tap, a key, the pointer, the focus), not while the page loads.
//
// Why: on a phone's CPU Material's start is most of a page's main-thread work at load (evaluating the
// bundle, then one task that mounts every component and lays the whole page out: 250–370 ms at
// Lighthouse's 4× slowdown on the SVM page; without it the page's blocking time falls from ~450 to ~100 ms;
// EXPERIMENTS.md, issue 17). Nothing of it is needed to read a page: the drawer, the palette toggle, the
// tables' scrolling, the widgets and slide mode are the site's own HTML, CSS and modules.
//
// The build (site_tools/site_hook.py) replaces Material's `<script src="…/bundle.….min.js">` by this module
// with the bundle's address in `data-bundle`. Material mounts its components when `DOMContentLoaded`
// fires; the bundle usually arrives after it, so this module fires it once more, for Material alone (no other
// script of the site listens to it). `<html data-material>` tells the state: "loading", "ready" or "failed".

const EVENTS = ["scroll", "wheel", "pointerdown", "pointermove", "touchstart", "keydown", "focusin"];
const script = document.querySelector("script[data-bundle]");
let parsed = document.readyState === "complete";
if (!parsed) document.addEventListener("DOMContentLoaded", () => { parsed = true; }, { once: true });

function start() {
  for (const name of EVENTS) removeEventListener(name, start, { capture: true });
  if (document.documentElement.dataset.material) return;
  document.documentElement.dataset.material = "loading";
  const bundle = document.createElement("script");
  bundle.src = script.dataset.bundle;
  const ready = () => { document.documentElement.dataset.material = "ready"; };
  bundle.onload = () => {
    if (!parsed) return document.addEventListener("DOMContentLoaded", ready, { once: true }); // still to come
    document.dispatchEvent(new Event("DOMContentLoaded"));
    ready();
  };
  bundle.onerror = () => {
    document.documentElement.dataset.material = "failed"; // the page reads and works without it
    console.warn(`Material's JavaScript could not load (${bundle.src}): no search on this page`);
  };
  document.body.append(bundle);
}

if (script?.dataset.bundle) {
  for (const name of EVENTS) addEventListener(name, start, { capture: true, passive: true });
}
