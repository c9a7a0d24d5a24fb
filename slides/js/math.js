// Render the pages' formulas ($…$ and $$…$$, marked up by pymdownx.arithmatex) with the self-hosted KaTeX.
function renderMath(root = document) {
  if (!window.katex) return;
  for (const el of root.querySelectorAll(".arithmatex:not([data-rendered])")) {
    const text = el.textContent.trim();
    const display = text.startsWith("\\[");
    const tex = text.replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
    try {
      window.katex.render(tex, el, { displayMode: display, throwOnError: false });
      el.dataset.rendered = "";
    } catch (error) {
      console.warn("formula", tex, error);
    }
  }
}
renderMath();
