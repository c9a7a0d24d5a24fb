// Render the pages' formulas ($…$ and $$…$$, marked up by pymdownx.arithmatex) with the self-hosted KaTeX.
// KaTeX (270 kB of script, 25 kB of style) is fetched only by a page that has a formula: the Try-it page,
// opened from the audience's QR code on a phone, never waits for it.
const KATEX = new URL("../vendor/katex/", document.currentScript.src).href;

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

if (document.querySelector(".arithmatex")) {
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = KATEX + "katex.min.css";
  document.head.append(style);
  const script = document.createElement("script");
  script.src = KATEX + "katex.min.js";
  script.onload = () => renderMath();
  script.onerror = () => console.warn("KaTeX could not be loaded: the formulas stay as TeX");
  document.head.append(script);
}
