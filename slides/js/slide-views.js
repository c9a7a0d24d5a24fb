// Slide layouts for widgets too long for one slide (ARCHITECTURE.md "One slide size"): the widget's parts
// become views; in slide mode (inside .pd-frame) one view shows at a time, chosen with a row of buttons,
// while on the page the row is hidden and every part shows, as before. Each button carries
// `data-slide-state` (a state one click away: tests/e2e/slide_fit.py opens each one and measures it).
import { h } from "./ui.js";

/**
 * `parts`: [[key, label, [elements]]]; an element may belong to several views. Returns the row of buttons
 * to place above the parts; the first view is shown.
 */
export function viewSwitch(el, parts, label) {
  const owners = new Map();
  for (const [key, , nodes] of parts) {
    for (const node of nodes.filter(Boolean)) {
      node.classList.add("pd-view");
      owners.set(node, [...(owners.get(node) ?? []), key]);
    }
  }
  const show = (key) => {
    el.dataset.view = key;
    for (const [node, keys] of owners) node.classList.toggle("pd-view--on", keys.includes(key));
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.slideState === key));
  };
  const buttons = parts.map(([key, text]) => h("button", { type: "button", dataset: { slideState: key }, onclick: () => show(key) }, text));
  show(parts[0][0]);
  return h("div", { class: "pyodemo-row pd-views", role: "group", "aria-label": label }, buttons);
}
