// One class of Teach it: its name (editable), its examples as thumbnails (each can be deleted), "hold to
// add" from the camera (about 5 frames a second while held; a tap adds one), "Add pictures" (several files
// at once), and pictures dropped on the card.
import { acceptDrop, filePicker } from "../sources/files.js";
import { h } from "../ui.js";
import { CAPTURE_MS } from "./live.js";

/**
 * A class card. Handlers: `rename(name)`, `remove()`, `addFiles(files)`, `capture()` (add the camera's
 * current frame; async), `deleteExample(id)`, `refused(names)`. → {el, update({name, examples, canCapture,
 * canRemove, problem})}.
 */
export function classCard(cls, handlers) {
  const name = h("input", { type: "text", name: `class-${cls.id}`, value: cls.name, maxlength: 40, autocomplete: "off",
    class: "teach-class__name", "aria-label": "Class name" });
  name.addEventListener("change", () => handlers.rename(name.value));
  const count = h("span", { class: "teach-class__count", "aria-live": "polite" });
  const hold = h("button", { type: "button", class: "teach-hold", disabled: true }, "Hold to add");
  holdToCapture(hold, handlers.capture);
  const files = filePicker({ label: "Add pictures", multiple: true, name: `pictures-${cls.id}`, onFiles: handlers.addFiles });
  const remove = h("button", { type: "button", class: "teach-class__remove", onclick: handlers.remove }, "Remove class");
  const problem = h("p", { class: "pyodemo-error teach-class__problem", role: "alert", hidden: true });
  const thumbs = h("ul", { class: "teach-thumbs", "aria-label": "Examples" });
  const el = h("li", { class: "teach-class", dataset: { classId: cls.id } },
    h("div", { class: "teach-class__head" }, name, count),
    h("div", { class: "pyodemo-row teach-class__actions" }, hold, files, remove), problem, thumbs);
  acceptDrop(el, handlers.addFiles, { onRefused: handlers.refused });

  function update({ name: text, examples, canCapture, canRemove, problem: why = "" }) {
    if (document.activeElement !== name) name.value = text;
    name.setAttribute("aria-label", `Name of class ${text}`);
    hold.setAttribute("aria-label", `Hold to add camera frames to ${text}`);
    files.button.setAttribute("aria-label", `Add pictures to ${text}`);
    remove.setAttribute("aria-label", `Remove class ${text}`);
    count.textContent = `${examples.length} example${examples.length === 1 ? "" : "s"}`;
    el.dataset.count = String(examples.length);
    hold.disabled = !canCapture;
    remove.hidden = !canRemove;
    problem.textContent = why;
    problem.hidden = !why;
    name.setAttribute("aria-invalid", String(Boolean(why)));
    const have = new Map([...thumbs.children].map((li) => [li.dataset.id, li]));
    const items = examples.map((e, i) => have.get(e.id) ?? thumb(e, i, text));
    if (items.length !== thumbs.children.length || items.some((li, i) => thumbs.children[i] !== li)) thumbs.replaceChildren(...items);
  }

  function thumb(example, i, text) {
    return h("li", { dataset: { id: example.id } },
      h("img", { src: example.url, alt: "", width: 56, height: 56 }),
      h("button", { type: "button", class: "teach-thumb__delete", "aria-label": `Delete example ${i + 1} of ${text}`,
        onclick: () => handlers.deleteExample(example.id) }, "×"));
  }

  return { el, update };
}

/** Pointer or key held down on `button`: `capture()` now and every CAPTURE_MS until it is let go. */
function holdToCapture(button, capture) {
  let timer = null, busy = false;
  const tick = async () => {
    if (!busy) {
      busy = true;
      try { await capture(); } finally { busy = false; }
    }
    if (timer !== null) timer = setTimeout(tick, CAPTURE_MS);
  };
  const begin = () => { if (timer === null && !button.disabled) { timer = 0; button.dataset.holding = "true"; tick(); } };
  const end = () => { clearTimeout(timer); timer = null; delete button.dataset.holding; };
  button.addEventListener("pointerdown", (event) => {
    try { button.setPointerCapture(event.pointerId); } catch { /* a pointer the browser no longer tracks */ }
    begin();
  });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture", "blur"]) button.addEventListener(type, end);
  button.addEventListener("keydown", (event) => { if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); begin(); } });
  button.addEventListener("keyup", (event) => { if (event.key === " " || event.key === "Enter") end(); });
  button.addEventListener("contextmenu", (event) => event.preventDefault()); // a long press on a phone is a hold, not a menu
}
