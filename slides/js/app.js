// Finds the widgets on a page (<div class="pyodemo-widget" data-widget="name">) and mounts each from
// ./widgets/<name>.js. The page is readable before and without this: each widget's div holds a fallback.
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

mountAll();
