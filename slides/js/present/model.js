// The slide model, one convention for slide mode, the speaker view, the overview and the PDF (ARCHITECTURE.md):
// a page's `# ` title is its first slide, each `## ` heading starts the next one; speaker notes are a
// `??? note "Speaker notes"` admonition (<details class="note"><summary>Speaker notes</summary>) in
// their slide. Only headings that are direct children of the page's <article> count, so a heading inside
// a widget or an admonition never splits a slide. The deck is the pages in the site's navigation order.

const NOTES_TITLE = /^speaker notes$/i;

/** The element holding a Material page's content. */
export const articleOf = (doc = document) => doc.querySelector("article.md-content__inner");

const isSlideHeading = (node) => node.nodeType === 1 && (node.tagName === "H1" || node.tagName === "H2");

/** True for a speaker-notes admonition (collapsible or not). */
export function isNotes(el) {
  if (el.nodeType !== 1) return false;
  const title = el.matches("details") ? el.querySelector(":scope > summary")
    : el.matches(".admonition") ? el.querySelector(":scope > .admonition-title") : null;
  return Boolean(title && NOTES_TITLE.test(title.textContent.trim()));
}

/** The text of a heading without its permalink (¶). */
export function headingText(heading) {
  if (!heading) return "";
  const copy = heading.cloneNode(true);
  copy.querySelectorAll(".headerlink").forEach((a) => a.remove());
  return copy.textContent.replace(/\s+/g, " ").trim();
}

/**
 * The slides of an article: [{index, heading, title, nodes, notes}]. `nodes` are the article's child nodes
 * from the slide's heading up to the next slide's heading; `notes` are its speaker-notes elements (marked
 * with `data-speaker-notes`, which slide mode hides). Nodes before the first heading belong to no slide.
 */
export function slidesOf(article) {
  if (!article) return [];
  const slides = [];
  let current = null;
  for (const node of [...article.childNodes]) {
    if (isSlideHeading(node)) {
      current = { index: slides.length, heading: node, title: headingText(node), nodes: [], notes: [] };
      slides.push(current);
    }
    if (!current) continue;
    current.nodes.push(node);
    if (node.nodeType !== 1) continue;
    for (const el of [node, ...node.querySelectorAll("details, .admonition")]) {
      if (isNotes(el)) {
        el.dataset.speakerNotes = "";
        current.notes.push(el);
      }
    }
  }
  return slides;
}

/** A page's path as the deck names it: the URL's pathname, `index.html` dropped. */
export function pagePath(url) {
  const u = new URL(url, location.href);
  return u.pathname.replace(/index\.html$/, "");
}

/** The pages of the site in navigation order (paths), read from Material's primary navigation. */
export function navPages(doc = document, base = location.href) {
  const paths = [];
  for (const a of doc.querySelectorAll("nav.md-nav--primary a.md-nav__link[href]")) {
    const href = a.getAttribute("href");
    if (!href || href.startsWith("#")) continue;
    const url = new URL(href, base);
    if (url.origin !== location.origin || url.hash) continue;
    const path = pagePath(url);
    if (!paths.includes(path)) paths.push(path);
  }
  const here = pagePath(base);
  if (!paths.includes(here)) {
    // A page outside the navigation: the deck is just this page, but keep its neighbours reachable.
    return [here];
  }
  return paths;
}

/** The previous/next page from Material's <link rel> (falls back to the footer links). */
export function neighbour(rel, doc = document, base = location.href) {
  const link = doc.querySelector(`link[rel="${rel}"]`) ?? doc.querySelector(`.md-footer__link--${rel}`);
  return link ? pagePath(new URL(link.getAttribute("href"), base)) : null;
}

// --- other pages, fetched and parsed (static: their widgets stay fallbacks) -------------------------

const docs = new Map();
const URL_ATTRS = ["src", "href", "poster", "xlink:href"];

/** Rewrite relative URLs in `root` against `base`, so cloned nodes work on any page of the site. */
export function absolutize(root, base) {
  for (const el of root.querySelectorAll("[src], [href], [poster], [srcset]")) {
    for (const name of URL_ATTRS) {
      const value = el.getAttribute(name);
      if (value && !value.startsWith("#") && !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
        el.setAttribute(name, new URL(value, base).href);
      }
    }
    const srcset = el.getAttribute("srcset");
    if (srcset) {
      el.setAttribute("srcset", srcset.split(",").map((part) => {
        const [url, ...rest] = part.trim().split(/\s+/);
        return [new URL(url, base).href, ...rest].join(" ");
      }).join(", "));
    }
  }
}

/** Fetch and parse the page at `path` (cached). Resolves to its Document, URLs made absolute. */
export function loadDoc(path) {
  const url = new URL(path, location.origin).href;
  if (!docs.has(url)) {
    docs.set(url, fetch(url, { credentials: "same-origin" }).then(async (response) => {
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const article = articleOf(doc);
      if (article) absolutize(article, url);
      return doc;
    }).catch((error) => {
      docs.delete(url);
      throw error;
    }));
  }
  return docs.get(url);
}

/** The slides of the page at `path` from its fetched HTML. */
export async function slidesAt(path) {
  return slidesOf(articleOf(await loadDoc(path)));
}

/**
 * The deck: [{path, title, slides: [titles]}] for every page in navigation order. The current page is read
 * from the live DOM; the others are fetched (small HTML files; cached for the tab's session, per build).
 * Pages that cannot be fetched count as one slide (so numbering degrades, never breaks).
 */
export async function deckIndex(currentSlides = null) {
  const here = pagePath(location.href);
  const paths = navPages();
  const build = await buildId();
  const key = `pyodemo-deck:${build}:${paths.join("|")}`;
  let cached = null;
  try {
    cached = JSON.parse(sessionStorage.getItem(key) || "null");
  } catch { /* storage blocked: fetch again */ }
  const pages = await Promise.all(paths.map(async (path) => {
    if (path === here && currentSlides) return { path, title: pageTitle(document), slides: currentSlides.map((s) => s.title) };
    const known = cached?.find((p) => p.path === path);
    if (known) return known;
    try {
      const doc = await loadDoc(path);
      return { path, title: pageTitle(doc), slides: slidesOf(articleOf(doc)).map((s) => s.title) };
    } catch {
      return { path, title: path, slides: [""], failed: true };
    }
  }));
  try {
    if (build && !pages.some((p) => p.failed)) sessionStorage.setItem(key, JSON.stringify(pages));
  } catch { /* storage full or blocked */ }
  return pages;
}

/** A page's title as the navigation names it (the <h1>, else the document title). */
export function pageTitle(doc) {
  return headingText(articleOf(doc)?.querySelector(":scope > h1")) || doc.title;
}

let build = null;
/** The build's content hash from runtime.json (names caches); "" when unknown. */
export function buildId() {
  build ??= fetch(new URL("../../runtime.json", import.meta.url))
    .then((r) => (r.ok ? r.json() : {}))
    .then((runtime) => runtime.build || "")
    .catch(() => "");
  return build;
}

/** Deck arithmetic: global number (0-based) of a slide, and the slide at a global number. */
export function globalIndex(pages, path, slide) {
  let n = 0;
  for (const page of pages) {
    if (page.path === path) return n + Math.min(slide, page.slides.length - 1);
    n += page.slides.length;
  }
  return -1;
}

export function atGlobal(pages, n) {
  for (const page of pages) {
    if (n < page.slides.length) return { path: page.path, slide: Math.max(0, n) };
    n -= page.slides.length;
  }
  const last = pages.at(-1);
  return last ? { path: last.path, slide: last.slides.length - 1 } : null;
}

export const total = (pages) => pages.reduce((n, p) => n + p.slides.length, 0);
