// Static pictures of slides for the overview grid and the speaker view: deep clones of a slide's nodes
// (from this page's DOM or another page's fetched HTML) drawn in a 48rem × 27rem (16:9) box, scaled down
// to fit. Clones carry no ids (no duplicate anchors) and their widgets never mount.

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
  content.className = "pd-mini__content";
  content.append(staticClone(slide.nodes, options));
  const page = document.createElement("div");
  page.className = "pd-mini__slide md-typeset";
  if (slide.heading?.tagName === "H1") page.classList.add("pd-slide--title");
  page.append(content);
  const mini = document.createElement("div");
  mini.className = "pd-mini";
  mini.setAttribute("aria-hidden", "true");
  mini.append(page);
  return mini;
}

/** Scale every mini slide in `root` to its box, and shrink content that is taller than a slide. */
export function layoutMinis(root) {
  const minis = [...root.querySelectorAll(".pd-mini")];
  // Read everything first, then write: one layout pass for the whole grid.
  const sizes = minis.map((mini) => {
    const page = mini.firstElementChild;
    const content = page.firstElementChild;
    content.style.zoom = "";
    const style = getComputedStyle(page);
    const height = page.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return { mini, page, content, box: mini.clientWidth, width: page.offsetWidth, height };
  });
  const needs = sizes.map((s) => s.content.scrollHeight);
  sizes.forEach((s, i) => {
    if (!s.width) return;
    s.page.style.transform = `scale(${s.box / s.width})`;
    const fit = needs[i] > s.height ? Math.max(0.35, (0.99 * s.height) / needs[i]) : 1;
    if (fit < 1) s.content.style.zoom = String(fit);
  });
}
