// Print layout (`?print`, `?print&notes`), used by `python -m export pdf`: every slide of the page on its
// own 16:9 page (1280 × 720 CSS px = 13.33 × 7.5 in), widgets mounted and left in their initial state,
// speaker notes only with `notes`. Each slide is laid out in the slide mode's frame (frame.js, 1920 × 1080)
// and scaled by 1280 / 1920 onto its page, like every slide; nothing is shrunk per slide.
import { SLIDE } from "./frame.js";
import { articleOf, slidesOf } from "./model.js";

export const PAGE = { width: 1280, height: 720 };

export function printLayout({ notes = false } = {}) {
  const root = document.documentElement;
  root.classList.add("pd-print");
  root.classList.toggle("pd-print--notes", notes);
  const style = document.createElement("style");
  style.textContent = `@page { size: ${PAGE.width}px ${PAGE.height}px; margin: 0; }`;
  document.head.append(style);
  const slides = slidesOf(articleOf());
  const deck = document.createElement("main");
  deck.className = "pd-print-deck";
  deck.setAttribute("aria-label", "Slides, one per page");
  for (const slide of slides) {
    const content = document.createElement("div");
    content.className = "pd-print-content pd-content";
    content.append(...slide.nodes);
    const page = document.createElement("div");
    page.className = "pd-print-page pd-frame md-typeset";
    page.style.transform = `scale(${PAGE.width / SLIDE.width})`;
    if (slide.heading.tagName === "H1") page.classList.add("pd-slide--title");
    page.append(content);
    const section = document.createElement("section");
    section.className = "pd-print-slide";
    section.setAttribute("aria-label", `Slide ${slide.index + 1}: ${slide.title}`);
    section.append(page);
    deck.append(section);
    for (const note of slide.notes) {
      if (notes && note.matches("details")) note.open = true;
    }
  }
  document.body.append(deck);
  return { slides, deck };
}

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, ms) {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** Resolves when nothing in `root` has changed for `quietMs` (at most `maxMs`). */
function quiet(root, quietMs, maxMs) {
  return new Promise((resolve) => {
    let timer;
    const done = (settled) => {
      observer.disconnect();
      clearTimeout(timer);
      clearTimeout(cap);
      resolve(settled);
    };
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => done(true), quietMs);
    });
    observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    timer = setTimeout(() => done(true), quietMs);
    const cap = setTimeout(() => done(false), maxMs);
  });
}

/**
 * Wait until the page is ready to print: every widget mounted and settled (Python answered if it was
 * asked), images and fonts loaded; then zoom out slides taller than a page. Resolves to
 * {slides, warnings} — the number of pages this page prints.
 */
export async function printReady({ slides, deck }) {
  const warnings = [];
  const widgets = [...deck.querySelectorAll(".pyodemo-widget")];
  // Widgets may start work when they come into view: bring each one into view once.
  for (const widget of widgets) {
    widget.scrollIntoView({ block: "center" });
    await frame();
  }
  const mounted = () => widgets.every((w) => w.dataset.mounted && w.dataset.mounted !== "loading");
  if (!(await until(mounted, 60_000))) warnings.push("some widgets did not finish mounting");
  const python = () => globalThis.pyodemoPython?.status?.state !== "booting";
  if (!(await until(python, 120_000))) warnings.push("Python did not finish starting");
  const formulas = () => !deck.querySelector(".arithmatex:not([data-rendered])"); // rendered at build time (site_tools/math_prerender.py): a miss means a build without node
  if (!(await until(formulas, 20_000))) warnings.push("some formulas did not render");
  // Every picture is printed: lazy ones load now. Nothing here may wait forever (a picture that never
  // loads, a font that never settles): each wait has a limit, and a miss becomes a warning.
  const settles = (promise, ms, warning) => Promise.race([promise.then(() => true, () => true), sleep(ms).then(() => false)])
    .then((done) => { if (!done) warnings.push(warning); });
  const images = [...deck.querySelectorAll("img")];
  for (const img of images) img.loading = "eager";
  await settles(document.fonts?.ready ?? Promise.resolve(), 10_000, "the fonts did not finish loading");
  await settles(Promise.all(images.map((img) => (img.complete ? null : img.decode().catch(() => null)))), 15_000,
    "some pictures did not load");
  if (!(await quiet(deck, 800, 20_000))) warnings.push("the widgets kept changing; printed as they were");
  for (const failed of deck.querySelectorAll('.pyodemo-widget[data-mounted="failed"]')) {
    warnings.push(`widget ${failed.dataset.widget} failed: ${failed.textContent.trim().slice(0, 120)}`);
  }
  window.scrollTo(0, 0);
  await frame();
  for (const label of overfull(deck)) warnings.push(`${label} is taller than the slide`);
  return { slides: slides.length, warnings };
}

/** Slides whose content does not fit the frame (a layout bug: warned about, printed as they are). */
export function overfull(deck) {
  return [...deck.querySelectorAll(".pd-print-page")]
    .filter((page) => page.scrollHeight > page.clientHeight + 1 || page.scrollWidth > page.clientWidth + 1)
    .map((page) => page.parentElement.getAttribute("aria-label"));
}
