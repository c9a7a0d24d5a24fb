// "Teach it": the audience trains their own classifier (pyodemo.web.teach) on examples from the camera,
// from files or from the samples, compares the talk's HOG + colour features with the CNN's learned ones,
// tries both on the camera or any picture, and keeps the result (examples in IndexedDB, classifiers as
// files). Everything runs on the device. This module wires the parts in teach/ together.
import { call } from "../python.js";
import { viewSwitch } from "../slide-views.js";
import { h, pythonStatus, whenVisible } from "../ui.js";
import { openStore } from "../teach/store.js";
import { makeExample, dropExample, features } from "../teach/examples.js";
import { liveCamera } from "../teach/live.js";
import { answersPanel, ask } from "../teach/answers.js";
import { classesPanel } from "../teach/classes.js";
import { tryPanel } from "../teach/try-picture.js";
import { keepPanel } from "../teach/keep.js";
import { KINDS, loadedCard, resultCard, train, verdict } from "../teach/training.js";

export async function mount(el) {
  el.replaceChildren();
  el.classList.add("teach");
  const message = h("p", { class: "teach-message", role: "status", "aria-live": "polite" });
  const say = (text, kind = "info") => { message.textContent = text; message.dataset.kind = kind; };
  const storage = h("p", { class: "pyodemo-note teach-storage", role: "alert", hidden: true });
  const storageProblem = (text) => { storage.textContent = text; storage.hidden = false; };
  const store = await openStore({ onProblem: storageProblem });
  if (store.problem) storageProblem(store.problem);

  // ---- state: the classes, their examples, and the taught classifiers
  const state = { examples: new Map(), taught: {}, results: {} };
  /** `kept` answers for `kind` from now on (none: undefined); the worker forgets the one it replaces (it keeps
   *  only a few classifiers, and the oldest would otherwise push out one still in use). */
  const teach = (kind, kept) => {
    const old = state.taught[kind];
    if (old && old.token !== kept?.token) call("teach.forget", { token: old.token }).catch(() => {});
    if (kept) state.taught[kind] = kept;
    else delete state.taught[kind];
  };
  const add = async (classId, blob) => {
    const example = makeExample({ classId, blob });
    state.examples.set(example.id, example);
    precompute(example);
    classes.render();
    changed();
    await store.put(example);
    return example;
  };
  const precompute = (e) => { for (const kind of Object.keys(KINDS)) features(e, kind).catch(() => {}); };
  const remove = (ids) => {
    for (const id of ids) { const e = state.examples.get(id); if (e) { dropExample(e); state.examples.delete(id); } }
    store.remove(ids);
    classes.render();
    changed();
  };
  const changed = () => {
    el.dataset.examples = String(state.examples.size);
    if (Object.keys(state.results).length) staleNote.hidden = false;
  };

  // ---- 1. examples
  let tryPart = null;
  const camera = liveCamera({
    wanted: () => Object.keys(state.taught).length > 0,
    onAnswerFrame: async (picture) => {
      const out = await ask(state.taught, picture, [0, 0, picture.width]);
      if (camera.running()) liveAnswers.show(out, classesOf); // not a late answer after "Stop camera"
    },
    onChange: (running) => { classes.render(); if (!running) liveAnswers.clear(); },
    onMessage: say,
  });
  const classes = classesPanel({ state, store, say, add, remove, camera, onRender: () => tryPart?.classesChanged() });

  // ---- 2. train
  const trainButton = h("button", { type: "button", class: "teach-train md-button md-button--primary", onclick: () => runTraining() }, "Train both");
  const trainStatus = h("p", { class: "pyodemo-note teach-train-status", role: "status" });
  const cards = h("div", { class: "teach-results" });
  const said = h("p", { class: "teach-verdict" });
  const staleNote = h("p", { class: "pyodemo-note", hidden: true }, "The examples changed since training: train again to include them.");
  const trainPart = h("section", { class: "teach-part teach-part--train", "aria-label": "Train" },
    h("h2", {}, "2. Train"), h("div", { class: "pyodemo-row" }, trainButton), pythonStatus(), trainStatus, staleNote, said, cards);

  async function runTraining() {
    const problem = classes.problem();
    if (problem) { say(problem, "error"); return; }
    trainButton.disabled = true;
    el.dataset.training = "true";
    say("");
    try {
      const results = await train(classes.labelled(), (text) => { trainStatus.textContent = text; });
      state.results = results;
      for (const kind of Object.keys(KINDS)) teach(kind, results[kind]?.kept);
      staleNote.hidden = true;
      cards.replaceChildren(...Object.keys(KINDS).filter((k) => results[k]).map((k) => resultCard(k, results[k])));
      said.textContent = verdict(results);
      const failed = Object.entries(results.failed).map(([k, why]) => `${KINDS[k]}: ${why}`).join(" ");
      const trained = Object.keys(state.taught).map((k) => KINDS[k]).join(" and ");
      trainStatus.textContent = failed ? `Trained only the ${trained} classifier. ${failed}` : "Trained. Try them below.";
      el.dataset.trained = Object.keys(state.taught).join(" ");
      keep.update();
      tryPart.refresh();
    } catch (error) {
      trainStatus.textContent = "";
      say(error.message || String(error), "error");
    } finally {
      trainButton.disabled = false;
      delete el.dataset.training;
    }
  }

  // ---- 3. try, 4. keep
  const classesOf = (kind) => state.taught[kind]?.classes ?? [];
  const liveAnswers = answersPanel();
  tryPart = tryPanel({ state, say, classesOf, add, classes });
  const keep = keepPanel({ state, say, onLoaded: (kind, kept, name) => {
    teach(kind, kept);
    const old = cards.querySelector(`[data-kind="${kind}"]`);
    const card = loadedCard(kind, kept, name);
    if (old) old.replaceWith(card); else cards.append(card);
    el.dataset.trained = Object.keys(state.taught).join(" ");
    el.dataset.loaded = String(Number(el.dataset.loaded || 0) + 1); // files loaded so far
    tryPart.refresh();
  } });

  const examplesPart = h("section", { class: "teach-part teach-part--examples", "aria-label": "Examples" },
    h("h2", {}, "1. Examples"), classes.el, camera.el, liveAnswers.el);
  el.append(message, storage,
    viewSwitch(el, [["examples", "Examples", [examplesPart]], ["train", "Train and keep", [trainPart, keep.el]], ["try", "Try", [tryPart.el]]], "What to show"),
    examplesPart, trainPart, keep.el, tryPart.el);

  // ---- what this browser kept from last time
  classes.restore(store.classes, store.examples.map((r) => makeExample(r)));
  el.dataset.examples = String(state.examples.size);
  el.dataset.ready = "true";
  whenVisible(el, () => { for (const e of state.examples.values()) precompute(e); });
}
