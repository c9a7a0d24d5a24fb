// The row of sample buttons (slides/models/samples/index.json): the test split's sprites, the artworks no
// model saw and one photo-like picture, each a button with its thumbnail; one Tab stop, arrow keys move.
import { h, samples } from "../ui.js";

const WHAT = { "test-split": "a sprite from the test split", "unseen-art": "an artwork the models never saw", "photo-like": "a photo-like picture" };
const BADGE = { "unseen-art": "art", "photo-like": "photo" };

/** The samples a row shows: every test-split sprite, every unseen artwork, the first photo-like picture. */
export const chooseSamples = (list) => [
  ...list.filter((s) => s.kind === "test-split"),
  ...list.filter((s) => s.kind === "unseen-art"),
  ...list.filter((s) => s.kind === "photo-like").slice(0, 1),
];

/**
 * A row of sample buttons calling `onPick(sample)` ({file, class, kind, url, thumb}). The thumbnails load
 * once `thumbsWhen` resolves (a page may hold them back while a model downloads). → {el, ready}: `ready`
 * resolves to the samples shown ([] when the build has none).
 */
export function sampleButtons({ onPick, thumbsWhen = Promise.resolve(), choose = chooseSamples, prefix = "clf" }) {
  const el = h("div", { class: `${prefix}-samples`, role: "group", "aria-label": "Samples" });
  const ready = samples().then((list) => {
    const chosen = choose(list);
    if (!chosen.length) { el.append(h("p", { class: "pyodemo-note" }, "(this build has no samples)")); return chosen; }
    // The accessible name starts with the badge's visible word (WCAG 2.5.3, label in name).
    el.replaceChildren(...chosen.map((s) => h("button", {
      type: "button", class: `${prefix}-sample ${prefix}-sample--${s.kind}`, dataset: { sample: s.file, kind: s.kind },
      "aria-label": `${BADGE[s.kind] ? `${BADGE[s.kind]} ` : ""}sample: ${s.class}, ${WHAT[s.kind] ?? s.kind}`,
      title: `${s.class} (${WHAT[s.kind] ?? s.kind})`,
      onclick: () => onPick(s),
    }, h("img", { alt: "", width: 48, height: 48, decoding: "async", dataset: { src: s.thumb } }),
      BADGE[s.kind] ? h("span", { class: `${prefix}-sample__badge`, "aria-hidden": "true" }, BADGE[s.kind]) : null)));
    rovingFocus(el);
    thumbsWhen.then(() => el.querySelectorAll("img[data-src]").forEach((img) => { img.src = img.dataset.src; }));
    return chosen;
  });
  return { el, ready };
}

/** One Tab stop for the row of samples; arrow keys, Home and End move between them. */
function rovingFocus(row) {
  const buttons = [...row.querySelectorAll("button")];
  buttons.forEach((b, i) => { b.tabIndex = i === 0 ? 0 : -1; });
  row.addEventListener("keydown", (event) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const j = (next + buttons.length) % buttons.length;
    buttons[i].tabIndex = -1;
    buttons[j].tabIndex = 0;
    buttons[j].focus();
  });
  row.setAttribute("aria-label", "Samples (arrow keys move between them)");
}
