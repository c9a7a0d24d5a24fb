// Finds the widgets on a page (<div class="pyodemo-widget" data-widget="name">) and mounts each from
// ./widgets/<name>.js. The page is readable before and without this: each widget's div holds a fallback.
// It also starts a page's heavy downloads after the first paint (fetchAfterPaint).
import { showError } from "./ui.js";

const NAME = /^[a-z][a-z0-9-]*$/;

export async function mountAll(root = document) {
  const widgets = [...root.querySelectorAll(".pyodemo-widget[data-widget]:not([data-mounted])")];
  await Promise.all(widgets.map(async (el) => {
    const name = el.dataset.widget;
    el.dataset.mounted = "loading";
    try {
      if (!NAME.test(name)) throw new Error(`unknown widget "${name}"`);
      const module = await import(`./widgets/${name}.js`);
      await module.mount(el);
      el.dataset.mounted = "ready";
    } catch (error) {
      el.dataset.mounted = "failed";
      console.warn(`widget ${name}:`, error);
      showError(el, `This demo could not start: ${error.message}`);
    }
  }));
}

/**
 * Start the downloads the page names in <meta name="pyodemo-fetch-after-paint"> (the Try-it page: the CNN's
 * model and onnxruntime's wasm, site_hook.PRELOADS) once the page has painted its first text: preloads into
 * the HTTP cache, where the worker that needs them finds them. Until then a phone's link carries the page's
 * CSS and text alone. (A page that never paints, in a hidden tab, leaves them to the worker.)
 */
export function fetchAfterPaint(doc = document) {
  const meta = doc.querySelector('meta[name="pyodemo-fetch-after-paint"]');
  if (!meta) return;
  afterFirstPaint(() => {
    for (const href of meta.content.split(/\s+/).filter(Boolean)) {
      doc.head.append(Object.assign(doc.createElement("link"), { rel: "preload", as: "fetch", crossOrigin: "anonymous", href }));
    }
  });
}

/** Run `fn` once the browser reports the first contentful paint (where it cannot: after the next frame). */
function afterFirstPaint(fn) {
  if (!window.PerformanceObserver?.supportedEntryTypes?.includes("paint")) {
    requestAnimationFrame(() => setTimeout(fn));  // a frame's rAF runs before it paints, a task queued there after
    return;
  }
  const observer = new PerformanceObserver((list) => {
    if (!list.getEntriesByName("first-contentful-paint").length) return;
    observer.disconnect();
    fn();
  });
  observer.observe({ type: "paint", buffered: true });
}

fetchAfterPaint();
mountAll();
