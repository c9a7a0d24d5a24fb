// Files from the visitor, for any widget: a file picker button, drag and drop onto an element, paste.
// Each hands the files on with `onFiles(files)`; the caller decodes them (picture.js `loadPicture`), which
// says in plain words why a file is not a picture.
import { h } from "../ui.js";

let uid = 0;

/**
 * A button that opens the file chooser: → a <span> (display: contents) holding the <button> and its hidden
 * <input type=file> (out of the Tab order: the button is the control, named by `label`). `capture`
 * ("environment") asks a phone for its camera app; `name` and `dataset` go to the input (forms, tests);
 * `className` to the button. The input is emptied after each choice, so the same file can be chosen again.
 */
export function filePicker({ label, multiple = false, accept = "image/*", onFiles, capture = undefined,
  name = `file-${++uid}`, dataset = {}, className = "" }) {
  const input = h("input", { type: "file", accept, multiple, capture, name, dataset, class: "pyodemo-visually-hidden",
    tabindex: -1, "aria-hidden": "true" });
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    input.value = "";
    if (files.length) onFiles(files);
  });
  const button = h("button", { type: "button", class: className || undefined, onclick: () => input.click() }, label);
  const el = h("span", { class: "pyodemo-file-picker" }, button, input);
  return Object.assign(el, { button, input });
}

/** Whether a file looks like a picture: its type says image/*, or it has no type and a picture's extension. */
export function imageish(file) {
  if (file.type) return file.type.startsWith("image/");
  return /\.(jpe?g|png|gif|webp|bmp|ico|avif|heic|heif|svg)$/i.test(file.name || "");
}

/**
 * Files dropped on `el`: highlighted (class `highlight`) while files are dragged over it; the pictures
 * among them go to `onFiles`, the names of the others to `onRefused(names)`.
 */
export function acceptDrop(el, onFiles, { onRefused = () => {}, highlight = "is-drop-target" } = {}) {
  const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  el.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    el.classList.add(highlight);
  });
  el.addEventListener("dragleave", (event) => { if (!el.contains(event.relatedTarget)) el.classList.remove(highlight); });
  el.addEventListener("drop", (event) => {
    el.classList.remove(highlight);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    hand(files, onFiles, onRefused);
  });
}

/**
 * Files pasted while `el` holds the focus, or anywhere on the page while `when()` is true (e.g. the widget
 * is on screen) and the paste is not meant for a text field. `onEmpty()`: a paste into `el` with no file.
 */
export function acceptPaste(el, onFiles, { when = () => true, onRefused = () => {}, onEmpty = () => {} } = {}) {
  document.addEventListener("paste", (event) => {
    const inside = el.contains(document.activeElement);
    if (!inside && !when()) return;
    const target = event.target;
    if (!inside && target instanceof HTMLElement && target.closest("input, textarea, [contenteditable]")) return;
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) { if (inside) onEmpty(); return; }
    event.preventDefault();
    hand(files, onFiles, onRefused);
  });
}

function hand(files, onFiles, onRefused) {
  const pictures = files.filter(imageish);
  const others = files.filter((f) => !imageish(f));
  if (others.length) onRefused(others.map((f) => f.name || "a file"));
  if (pictures.length) onFiles(pictures);
}
