// Teach it's classes: 2 to 6 of them, named by the user (default "A", "B", …), each a card of examples;
// "Add a class", "Pokémon: fill three classes" (the bundled samples, for a demo without a camera) and
// "Clear all". Also the checks that only the page can make before training: every class named, no two
// with the same name, at least two classes, none empty (pyodemo.web.teach checks the rest).
import { defaultCrop } from "../default-crop.js";
import { loadPicture, loadPictureURL } from "../picture.js";
import { h, samples } from "../ui.js";
import { classCard } from "./class-card.js";
import { cropBlob, dropExample } from "./examples.js";

export const MIN_CLASSES = 2;
export const MAX_CLASSES = 6;
/** The Pokémon of "fill three classes": three that look unlike each other. */
export const POKEMON = ["Mew", "Scyther", "Snorlax"];

const letter = (i) => String.fromCharCode(65 + i);
let nextClass = 0;
const newClassId = () => `c${Date.now().toString(36)}${(nextClass++).toString(36)}`;

/** → {el, render(), restore(saved, examples), labelled(), problem()}. */
export function classesPanel({ state, store, say, add, remove, camera, onRender = () => {} }) {
  let list = []; // [{id, name, card}]
  const ol = h("ol", { class: "teach-classes", "aria-label": "Classes" });
  const addClass = h("button", { type: "button", onclick: () => { newClass(); save(); render(); } }, "Add a class");
  const fill = h("button", { type: "button", class: "teach-fill", onclick: () => fillPokemon() }, "Pokémon: fill three classes");
  const clear = h("button", { type: "button", class: "teach-clear", onclick: () => clearAll() }, "Clear all");
  const el = h("div", { class: "teach-classes-panel" }, ol, h("div", { class: "pyodemo-row" }, addClass, fill, clear));

  const examplesOf = (id) => [...state.examples.values()].filter((e) => e.classId === id);
  const save = () => store.saveClasses(list.map(({ id, name }) => ({ id, name })));

  function newClass(name = null, id = newClassId()) {
    if (list.length >= MAX_CLASSES) { say(`At most ${MAX_CLASSES} classes: remove one first.`, "error"); return null; }
    const used = new Set(list.map((c) => c.name));
    let i = list.length;
    while (!name && used.has(letter(i))) i += 1;
    const cls = { id, name: name ?? letter(i) };
    cls.card = classCard(cls, {
      rename: (text) => { cls.name = text.trim(); save(); render(); },
      remove: () => { remove(examplesOf(cls.id).map((e) => e.id)); list = list.filter((c) => c !== cls); save(); render(); },
      addFiles: (files) => addFiles(cls, files),
      capture: () => capture(cls),
      deleteExample: (id) => remove([id]),
      refused: (names) => say(`Not a picture: ${names.join(", ")}.`, "error"),
    });
    list.push(cls);
    return cls;
  }

  async function capture(cls) {
    const picture = camera.frame();
    if (picture) await add(cls.id, await cropBlob(picture, [0, 0, picture.width]));
  }

  /** Add pictures to a class, each with its default crop; a file that is not a picture is named, the rest are added. */
  async function addFiles(cls, files) {
    const bad = [];
    for (const file of files) {
      try {
        const picture = await loadPicture(file);
        await add(cls.id, await cropBlob(picture, defaultCrop(picture.rgba, picture.width, picture.height)));
      } catch (error) {
        bad.push(`${file.name || "a picture"}: ${error.message}`);
      }
    }
    say(bad.length ? `Not added — ${bad.join(" ")}` : `Added ${files.length} picture${files.length === 1 ? "" : "s"} to ${cls.name}.`, bad.length ? "error" : "info");
  }

  async function fillPokemon() {
    const found = (await samples()).filter((s) => POKEMON.includes(s.class));
    if (!found.length) { say("This build has no samples to fill the classes with.", "error"); return; }
    list = list.filter((c) => examplesOf(c.id).length); // the empty classes make room
    const targets = POKEMON.map((name) => list.find((c) => c.name === name) ?? newClass(name));
    save();
    render();
    if (targets.includes(null)) return;
    say("Adding the samples of Mew, Scyther and Snorlax…");
    for (const s of found) {
      const picture = await loadPictureURL(s.url, s.class);
      await add(targets[POKEMON.indexOf(s.class)].id, await cropBlob(picture, defaultCrop(picture.rgba, picture.width, picture.height)));
    }
    say(`Three classes filled from the samples (${found.length} pictures). Train them, or add your own examples.`);
  }

  function clearAll() {
    for (const e of state.examples.values()) dropExample(e);
    state.examples.clear();
    list = [];
    store.clear();
    newClass(); newClass();
    save();
    render();
    say("Cleared: every example and class is gone from this browser.");
  }

  function render() {
    const names = list.map((c) => c.name);
    const els = list.map((c) => c.card.el);
    // moving a card out and back would blur a button being held: rebuild only when the cards changed
    if (els.length !== ol.children.length || els.some((e, i) => ol.children[i] !== e)) ol.replaceChildren(...els);
    for (const c of list) {
      const twice = c.name && names.filter((n) => n === c.name).length > 1;
      c.card.update({ name: c.name, examples: examplesOf(c.id), canCapture: camera.running(), canRemove: list.length > 1,
        problem: !c.name ? "Give this class a name." : twice ? `Two classes are called “${c.name}”: give each its own name.` : "" });
    }
    addClass.disabled = list.length >= MAX_CLASSES;
    onRender();
  }

  /** Classes and examples as saved last time (or "A" and "B", empty). */
  function restore(saved, examples) {
    for (const s of (saved ?? []).slice(0, MAX_CLASSES)) newClass(String(s.name ?? ""), String(s.id));
    while (list.length < MIN_CLASSES) newClass();
    const ids = new Set(list.map((c) => c.id));
    for (const e of examples) if (ids.has(e.classId)) state.examples.set(e.id, e);
    render();
  }

  /** The examples with their class names, for training. */
  const labelled = () => list.flatMap((c) => examplesOf(c.id).map((example) => ({ example, label: c.name })));

  /** Why training cannot start, from what only the page knows (null: ask Python). */
  function problem() {
    if (list.length < MIN_CLASSES) return "Teach at least two classes: add a class first.";
    const bad = list.find((c) => !c.name) ? "Every class needs a name." : null;
    const names = list.map((c) => c.name);
    const twin = names.find((n, i) => names.indexOf(n) !== i);
    const empty = list.filter((c) => !examplesOf(c.id).length).map((c) => c.name);
    return bad ?? (twin ? `Two classes are called “${twin}”: give each its own name.` : null)
      ?? (empty.length ? `No examples yet in ${empty.join(", ")}: add at least 2 to each class, or remove it.` : null);
  }

  return { el, render, restore, labelled, problem, list: () => list };
}
