// Teach it's "Try" on a still picture: chosen, dropped, pasted or a sample, framed with the Try-it page's
// crop box; both taught classifiers answer the crop square (HOG + colour from the picture's own pixels,
// svm-input.js, as `python -m export predict --model` reads them), and "Add to <class>" keeps the crop
// square as a new example.
import { createCropBox } from "../crop-box.js";
import { loadPicture, loadPictureURL } from "../picture.js";
import { acceptDrop, acceptPaste, filePicker } from "../sources/files.js";
import { sampleButtons } from "../sources/samples.js";
import { svmInput } from "../svm-input.js";
import { h } from "../ui.js";
import { answersPanel, ask } from "./answers.js";
import { cropBlob } from "./examples.js";

/** → {el, refresh(), classesChanged()}: `refresh()` answers the current picture again (after training or
 *  loading a classifier); `classesChanged()` renews the "Add to <class>" buttons. */
export function tryPanel({ state, say, classesOf, add, classes }) {
  let picture = null, picked = 0, asked = 0, visible = false;
  const crop = createCropBox({ label: "Crop box of the picture to try", onChange: (box, { final }) => { if (final !== false) answer(); } });
  crop.el.hidden = true; // until there is a picture
  const answers = answersPanel();
  const addRow = h("div", { class: "pyodemo-row teach-add-to", role: "group", "aria-label": "Add this crop as an example" });
  const picker = filePicker({ label: "Choose a picture", name: "try-picture", onFiles: ([file]) => use(loadPicture(file)) });
  const row = sampleButtons({ onPick: (s) => use(loadPictureURL(s.url, s.class)) });
  const hint = h("p", { class: "pyodemo-note" }, "Train first; then pick a picture (or drop or paste one) and both classifiers answer its crop square.");
  const el = h("section", { class: "teach-part teach-part--try", "aria-label": "Try" },
    h("h2", {}, "4. Try"), hint, h("div", { class: "pyodemo-row" }, picker), row.el, crop.el, answers.el, addRow);
  acceptDrop(el, ([file]) => use(loadPicture(file)), { onRefused: (names) => say(`Not a picture: ${names.join(", ")}.`, "error") });
  acceptPaste(el, ([file]) => use(loadPicture(file)), { when: () => visible });
  new IntersectionObserver((entries) => { visible = entries.some((e) => e.isIntersecting); }).observe(el);

  async function use(loading) {
    const mine = ++picked;
    try {
      const p = await loading;
      if (mine !== picked) return;
      picture = p;
      el.dataset.picture = p.name;
      crop.el.hidden = false;
      crop.setPicture(p);
      say(p.notes?.length ? `${p.name}: ${p.notes.join("; ")}.` : "");
      renderAddRow();
    } catch (error) {
      say(error.message || String(error), "error"); // the picture before stays, and so does everything else
    }
  }

  async function answer() {
    if (!picture || !crop.box || !Object.keys(state.taught).length) { answers.clear(); return; }
    const mine = ++asked, box = crop.box.slice();
    el.dataset.answering = "true";
    try {
      const svm = state.taught.hog ? await svmInput(picture, box) : null;
      const out = await ask(state.taught, picture, box, svm);
      if (mine === asked) { answers.show(out, classesOf); el.dataset.answered = String(mine); }
    } finally {
      if (mine === asked) delete el.dataset.answering;
    }
  }

  function renderAddRow() {
    addRow.replaceChildren(...(picture ? classes.list().map((c) => h("button", { type: "button", onclick: async () => {
      await add(c.id, await cropBlob(picture, crop.box));
      say(`Added the crop square to ${c.name}.`);
    } }, `Add to ${c.name || "this class"}`)) : []));
  }

  return { el, refresh: () => { renderAddRow(); answer(); }, classesChanged: renderAddRow };
}
