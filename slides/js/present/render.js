// Static pictures of slides for the overview grid and the speaker view: deep clones of a slide's nodes
// (from this page's DOM or another page's fetched HTML) laid out in the slide's own frame (frame.js:
// 1920 × 1080 CSS px, the same layout as slide mode and the PDF) and scaled down as a whole to the box.
// Clones carry no ids (no duplicate anchors) and their widgets never mount.

import { SLIDE } from "./frame.js";

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/** Deep clones of `nodes` in a fragment: ids dropped, widgets static, notes removed unless `notes`. */
export function staticClone(nodes, { notes = false } = {}) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes) {
    const copy = document.importNode(node, true);
    if (copy.nodeType === 1) {
      copyCanvases(node, copy);
      const all = [copy, ...copy.querySelectorAll("*")];
      for (const el of all) {
        el.removeAttribute("id");
        if (el.matches(".pyodemo-widget")) el.dataset.mounted = "static";
        if (el.matches("[autofocus]")) el.removeAttribute("autofocus");
      }
      copy.querySelectorAll("script, .headerlink, .md-clipboard").forEach((el) => el.remove());
      if (!notes) {
        if (copy.matches("[data-speaker-notes]")) continue;
        copy.querySelectorAll("[data-speaker-notes]").forEach((el) => el.remove());
      }
      for (const el of [copy, ...copy.querySelectorAll(FOCUSABLE)]) if (el.matches(FOCUSABLE)) el.tabIndex = -1;
    }
    fragment.append(copy);
  }
  return fragment;
}

// A cloned canvas is blank: paint the original's pixels into it (live pages only).
function copyCanvases(original, copy) {
  if (original.nodeType !== 1 || !original.isConnected) return;
  const sources = original.matches("canvas") ? [original] : [...original.querySelectorAll("canvas")];
  if (!sources.length) return;
  const targets = copy.matches("canvas") ? [copy] : [...copy.querySelectorAll("canvas")];
  sources.forEach((source, i) => {
    const target = targets[i];
    if (!target || !source.width || !source.height) return;
    try {
      target.width = source.width;
      target.height = source.height;
      target.getContext("2d").drawImage(source, 0, 0);
    } catch { /* a tainted or lost canvas stays blank */ }
  });
}

/** A mini slide: <div class="pd-mini"> holding the 16:9 slide picture of `slide` ({nodes, heading}). */
export function miniSlide(slide, options = {}) {
  const content = document.createElement("div");
  content.className = "pd-mini__content pd-content";
  content.append(staticClone(slide.nodes, options));
  const page = document.createElement("div");
  page.className = "pd-mini__slide pd-frame md-typeset";
  if (slide.heading?.tagName === "H1") page.classList.add("pd-slide--title");
  page.append(content);
  const mini = document.createElement("div");
  mini.className = "pd-mini";
  mini.setAttribute("aria-hidden", "true");
  mini.append(page);
  return mini;
}

/** Scale every mini slide in `root` to its box: box width / 1920, the same factor for every slide. */
export function layoutMinis(root) {
  const minis = [...root.querySelectorAll(".pd-mini")];
  const boxes = minis.map((mini) => mini.clientWidth); // read everything first, then write: one layout pass
  minis.forEach((mini, i) => {
    if (boxes[i]) mini.firstElementChild.style.transform = `scale(${boxes[i] / SLIDE.width})`;
  });
}
