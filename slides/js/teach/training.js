// Teach it's "Train": both classifiers from the examples' two kinds of features (pyodemo.web.teach.train:
// kernel and C chosen by cross-validation, then the SVM on all examples), loaded back into the worker so
// the page can ask them; and the side-by-side cards that show what each one learned.
import { call } from "../python.js";
import { h } from "../ui.js";
import { cnnFingerprint, features } from "./examples.js";

export const KINDS = { hog: "HOG + colour", cnn: "CNN features" };
const pct = (x) => `${Math.round(100 * x)} %`;
const ms = (x) => (x < 1000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`);

/**
 * Train on `examples` ([{example, label}]). `progress(text)` follows the steps. → {hog?, cnn?, failed}: per
 * kind the training result ({kernel, C, accuracy, confusion, classes, …, model: Uint8Array}) and the
 * classifier kept in the worker ({token, classes, threshold, …}); `failed[kind]` says why a kind could not
 * be trained (e.g. the CNN could not load) while the other one was.
 */
export async function train(examples, progress) {
  const labels = examples.map((e) => e.label);
  const failed = {}, X = {};
  let sha = null;
  for (const kind of Object.keys(KINDS)) {
    progress(`Computing the ${KINDS[kind]} of ${examples.length} examples…`);
    try {
      X[kind] = await Promise.all(examples.map(({ example }) => features(example, kind)));
      if (kind === "cnn") sha = await cnnFingerprint();
    } catch (error) {
      failed[kind] = error.message || String(error);
      delete X[kind];
    }
  }
  if (!Object.keys(X).length) throw new Error(`Neither kind of features could be computed: ${Object.values(failed).join(" ")}`);
  progress("Choosing kernel and C by cross-validation, then training on all examples…");
  const result = await call("teach.train", { features: X, labels, cnn_sha256: sha });
  const out = { failed };
  for (const [kind, r] of Object.entries(result)) {
    out[kind] = { ...r, kept: await call("teach.load_model", { cnn_sha256: sha }, { model: r.model }) };
  }
  return out;
}

/** The confusion matrix as a table: rows the true class, columns the answer, held-out examples. */
function confusionTable(classes, confusion) {
  const head = h("tr", {}, h("th", { scope: "col" }, "true ↓ answer →"), ...classes.map((c) => h("th", { scope: "col" }, c)));
  const rows = confusion.map((row, i) => h("tr", {}, h("th", { scope: "row" }, classes[i]),
    ...row.map((n, j) => h("td", { class: n && i === j ? "teach-hit" : n ? "teach-miss" : "" }, String(n)))));
  return h("table", { class: "teach-confusion" }, h("caption", {}, "Held-out answers (confusion matrix)"), h("thead", {}, head), h("tbody", {}, rows));
}

/** A card's line for the kernel and C a classifier (trained or loaded) uses. */
const kernelFact = (m) => h("li", {}, `${m.kernel === "rbf" ? "RBF" : "linear"} kernel, C = ${m.C}`);

/** One classifier's card: what cross-validation chose, how well it did on examples it had not seen, and its size. */
export function resultCard(kind, r) {
  const examples = r.confusion.flat().reduce((a, b) => a + b, 0);
  const folds = r.folds === examples ? "leave-one-out" : `${r.folds}-fold`;
  return h("section", { class: "teach-result", dataset: { kind, kernel: r.kernel, accuracy: String(r.accuracy) }, "aria-label": KINDS[kind] },
    h("h3", {}, KINDS[kind]),
    h("p", { class: "teach-result__score" }, h("strong", {}, pct(r.accuracy)), ` right on held-out examples (${folds} cross-validation)`),
    h("ul", { class: "teach-result__facts" },
      kernelFact(r),
      h("li", {}, `${r.n_support_vectors} support vectors of ${examples} examples`),
      h("li", {}, `trained in ${ms(r.train_ms)}`)),
    confusionTable(r.classes, r.confusion));
}

/** A card for a classifier loaded from a file (no cross-validation to show). */
export function loadedCard(kind, kept, fileName) {
  return h("section", { class: "teach-result", dataset: { kind, kernel: kept.kernel, loaded: "true" }, "aria-label": KINDS[kind] },
    h("h3", {}, KINDS[kind]),
    h("p", {}, `Loaded from ${fileName}: ${kept.classes.join(", ")}.`),
    h("ul", { class: "teach-result__facts" },
      kernelFact(kept),
      h("li", {}, `${kept.n_support_vectors} support vectors`)));
}

/** One sentence: which features won on these classes. */
export function verdict(results) {
  const { hog, cnn } = results;
  if (!hog || !cnn) return "";
  const [a, b] = [hog.accuracy, cnn.accuracy];
  if (Math.abs(a - b) < 1e-9) {
    return `On these classes both kinds of features did equally well (${pct(a)} on held-out examples): `
      + "try harder examples, from other angles or in other light, to tell them apart.";
  }
  const [win, lose] = a > b ? ["the talk's HOG + colour", "the CNN's learned features"] : ["the CNN's learned features", "the talk's HOG + colour"];
  return `On these classes ${win} won: ${pct(Math.max(a, b))} against ${pct(Math.min(a, b))} for ${lose}, on examples each classifier had not seen.`;
}
