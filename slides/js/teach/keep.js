// Teach it's "Keep": download each trained classifier as a pyodemo model file, load one back.
import { filePicker } from "../sources/files.js";
import { h } from "../ui.js";
import { download, fileName, load } from "./model-file.js";
import { KINDS } from "./training.js";

/** → {el, update()}: `update()` after training enables the downloads. `onLoaded(kind, kept, name)`. */
export function keepPanel({ state, say, onLoaded }) {
  const buttons = Object.fromEntries(Object.entries(KINDS).map(([kind, title]) => [kind, h("button", {
    type: "button", disabled: true, dataset: { kind },
    onclick: () => {
      const r = state.results[kind];
      if (r) download(r.model, fileName(kind, r.classes));
    },
  }, `Download the ${title} classifier`)]));
  const picker = filePicker({ label: "Load a classifier file", name: "teach-model", accept: ".svm,application/octet-stream", onFiles: async ([file]) => {
    try {
      const { kind, kept } = await load(file);
      state.results[kind] = null;
      buttons[kind].disabled = true; // a loaded file is already on the device
      onLoaded(kind, kept, file.name);
      say(`Loaded ${file.name}: the ${KINDS[kind]} classifier of ${kept.classes.join(", ")}. Try it above.`);
    } catch (error) {
      say(error.message, "error"); // the classifiers the page had stay as they were
    }
  } });
  const el = h("section", { class: "teach-part teach-part--keep", "aria-label": "Keep" }, h("h2", {}, "3. Keep"),
    h("p", { class: "pyodemo-note" }, "Your examples stay in this browser until “Clear all”. A classifier is a small file: keep it, "
      + "load it here later, or run it with python -m export predict --model FILE."),
    h("div", { class: "pyodemo-row" }, ...Object.values(buttons), picker));
  const update = () => { for (const [kind, b] of Object.entries(buttons)) b.disabled = !state.results[kind]; };
  return { el, update };
}
