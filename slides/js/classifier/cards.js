// The classifier's model cards: one per model, its title and engine, its state (loading, busy, done, error),
// the verdict ("Not sure" below the model's threshold), the top-3 with bars, the timings and notes.
import { h, pythonStatus } from "../ui.js";

export const MODELS = {
  cnn: { title: "CNN", engine: "onnxruntime-web" },
  hog_svm: { title: "HOG + SVM", engine: "pyodemo in Python" },
};
export const pct = (p) => `${(100 * p).toFixed(p >= 0.995 || p < 0.001 ? 0 : 1)} %`;
export const ms = (t) => `${t < 10 ? t.toFixed(1) : Math.round(t)} ms`;
export const count = (n) => n.toLocaleString("en-US");

/**
 * The card of `model` ("cnn" or "hog_svm") in the widget `id`. HOG + SVM's card also shows Python's
 * progress, why it waits (the CNN first, or the data saver) and a "Start HOG + SVM now" button (`onStart`).
 * → {el, loaded, startButton, spoken, state(state, text), note(text), detail(text), show(answer), fail(error, key)}.
 */
export function modelCard(model, { id, featured = null, saveData = false, onStart = () => {} }) {
  const info = MODELS[model];
  const headingId = `${id}-${model}`;
  const parts = {
    status: h("p", { class: "clf-card__status" }),
    verdict: h("p", { class: "clf-verdict" }, "…"),
    list: h("ol", { class: "clf-top" }),
    time: h("p", { class: "pyodemo-note clf-ms" }),
    detail: h("p", { class: "pyodemo-note clf-card__detail" }),
    note: h("p", { class: "pyodemo-note clf-card__note" }),
    error: h("p", { class: "pyodemo-error clf-card__error", role: "alert", hidden: true }),
  };
  const startButton = h("button", { type: "button", class: "clf-start", hidden: model !== "hog_svm", onclick: onStart },
    "Start HOG + SVM now");
  const wait = model === "hog_svm" ? h("p", { class: "pyodemo-note clf-card__wait", hidden: featured === "hog_svm" },
    saveData ? "Your data saver is on: HOG + SVM waits for a tap (it downloads Python)."
      : "HOG + SVM runs in Python, which loads after the CNN's first answer.") : null;
  const extra = model === "hog_svm" ? [pythonStatus(), wait, startButton] : [];
  const el = h("section", { class: `clf-card clf-card--${model}`, dataset: { model, state: "idle" }, "aria-labelledby": headingId },
    h("h3", { id: headingId }, info.title, " ", h("span", { class: "clf-engine" }, info.engine),
      featured === model ? h("span", { class: "clf-featured" }, "this slide") : null),
    ...extra, parts.status, parts.error, parts.verdict, parts.list, parts.detail, parts.time, parts.note);
  const self = {
    el, loaded: false, startButton, spoken: "",
    state(state, text = "") {
      el.dataset.state = state;
      parts.status.textContent = text;
      if (wait) wait.hidden = true;
    },
    note(text) { parts.note.textContent = text; },
    detail(text) { parts.detail.textContent = text; },
    show(answer) { self.spoken = showAnswer(el, parts, info, answer); },
    fail(error, forKey) { self.spoken = showFailure(el, parts, info, error, forKey); },
  };
  return self;
}

/** The answer {top, sure, n, score, bar, time, forKey, classes} on a card; → what the screen reader says. */
function showAnswer(el, { status, error, verdict, list, time }, info, { top, sure, n, score, bar, time: t, forKey, classes }) {
  el.dataset.state = "done";
  status.textContent = "";
  error.hidden = true;
  const best = top[0];
  verdict.replaceChildren(sure
    ? h("strong", {}, best.label)
    : h("span", { class: "clf-unsure" }, h("strong", {}, `Not sure — is it one of these ${n}?`),
      h("span", { class: "clf-classes" }, classes.join(", "))));
  list.replaceChildren(...top.map((entry, i) => h("li", { class: i === 0 ? "clf-top__first" : "" },
    h("span", { class: "clf-top__label" }, entry.label),
    bar ? h("span", { class: "clf-bar", "aria-hidden": "true" }, h("span", { class: "clf-bar__fill",
      style: `width: ${(100 * Math.min(1, Math.max(0, bar(entry.score)))).toFixed(1)}%` })) : null,
    h("span", { class: "clf-top__score" }, score(entry.score)))));
  time.textContent = t;
  Object.assign(el.dataset, { top1: best.label, score: String(best.score), sure: String(sure), for: forKey,
    top: JSON.stringify(top.map((entry) => [entry.label, entry.score])) });
  return `${info.title}: ${sure ? best.label : "not sure"}, ${score(best.score)}.`;
}

/** A model that cannot answer: its message in the card, in place of the answer; → what the screen reader says. */
function showFailure(el, { status, error, verdict, list, time, detail }, info, err, forKey) {
  const text = err?.message || String(err);
  el.dataset.state = "error";
  el.dataset.for = forKey;
  status.textContent = "";
  error.textContent = text;
  error.hidden = false;
  verdict.textContent = "—";
  list.replaceChildren();
  time.textContent = "";
  detail.textContent = "";
  console.warn(`${info.title}:`, err);
  return `${info.title}: ${text}`;
}
