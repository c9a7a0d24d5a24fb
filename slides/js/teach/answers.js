// Teach it's "Try": what both taught classifiers say about one picture (a camera frame or a still picture),
// side by side, with bars and "not sure" below each classifier's threshold.
import { call } from "../python.js";
import { classify as cnnClassify } from "../cnn.js";
import { h } from "../ui.js";
import { KINDS } from "./training.js";

/**
 * Ask the kept classifiers (`taught`: {kind: {token, …}}) about the crop square `box` of `picture`; the
 * HOG side gets `svm` = {rgba, width, height, box} (the pixels pyodemo reads; default: the picture's own).
 * → {kind: {top, sure} | {error}}. Both run at once: HOG in the Python worker, the CNN in its own.
 */
export async function ask(taught, picture, box, svm = null) {
  const pixels = svm ?? { rgba: picture.rgba, width: picture.width, height: picture.height, box };
  const jobs = Object.entries(taught).map(async ([kind, kept]) => {
    try {
      if (kind === "hog") {
        return [kind, await call("teach.predict", { token: kept.token, k: 3, width: pixels.width, height: pixels.height, box: pixels.box },
          { rgba: pixels.rgba })];
      }
      const r = await cnnClassify(picture, box, { k: 1, source: "teach", withMaps: false });
      return [kind, await call("teach.predict", { token: kept.token, k: 3, features: Array.from(r.embedding) })];
    } catch (error) {
      return [kind, { error: error.message || String(error) }];
    }
  });
  return Object.fromEntries(await Promise.all(jobs));
}

/** The answers panel: one block per kind; `show(answers)` fills it, `clear()` empties it. */
export function answersPanel() {
  const blocks = Object.fromEntries(Object.entries(KINDS).map(([kind, title]) => {
    const list = h("ol", { class: "teach-bars" });
    const verdictLine = h("p", { class: "teach-answer__top" }, "—");
    return [kind, { el: h("section", { class: "teach-answer", dataset: { kind }, "aria-label": `${title} answer` }, h("h3", {}, title), verdictLine, list), list, verdictLine }];
  }));
  const el = h("div", { class: "teach-answers", "aria-live": "polite" }, ...Object.values(blocks).map((b) => b.el));
  const show = (answers, classesOf) => {
    for (const [kind, b] of Object.entries(blocks)) {
      const a = answers[kind];
      b.el.hidden = !a;
      if (!a) continue;
      delete b.el.dataset.label;
      if (a.error) { b.verdictLine.textContent = a.error; b.list.replaceChildren(); b.el.dataset.state = "error"; continue; }
      const n = classesOf(kind).length;
      const top = a.top[0];
      Object.assign(b.el.dataset, { state: a.sure ? "sure" : "unsure", label: top.label });
      b.verdictLine.textContent = a.sure ? top.label : `${top.label}? Not sure`;
      // ovr scores run from −⅓ (no vote) to n − 1 + ⅓ (every vote, most confident): bars on that range
      b.list.replaceChildren(...a.top.map((t) => h("li", {}, h("span", {}, t.label),
        h("meter", { min: 0, max: 1, value: Math.max(0, Math.min(1, (t.score + 1 / 3) / (n - 1 + 2 / 3))), "aria-label": `${t.label} score` }),
        h("span", { class: "teach-bars__score" }, t.score.toFixed(2)))));
    }
  };
  const clear = () => { for (const b of Object.values(blocks)) { b.el.hidden = true; delete b.el.dataset.label; } };
  clear();
  return { el, show, clear };
}
