// HOG + SVM for the classifier: the model file (models/hog_svm.svm) loaded once into Python
// (pyodemo.web.classifier, in the shared worker, python.js) and a crop classified there.
import { call } from "../python.js";
import { siteURL } from "../ui.js";
import { svmInput } from "../svm-input.js";

const SVM_MODEL = "models/hog_svm.svm";

async function loadSVM() {
  const response = await fetch(siteURL(SVM_MODEL)).catch(() => null);
  if (!response?.ok) {
    throw new Error(response?.status === 404 ? "HOG + SVM is not in this build (models/hog_svm.svm is missing)."
      : "The HOG + SVM model file (models/hog_svm.svm) could not be downloaded.");
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  let summary;
  try {
    summary = await call("classifier.load_model", {}, { model: bytes });
  } catch (error) {
    if (error.kind === "value") {
      const fatal = new Error(`The HOG + SVM model file (models/hog_svm.svm, ${bytes.length.toLocaleString("en-US")} bytes) `
        + `cannot be used: ${error.message}`);
      fatal.permanent = true;
      throw fatal;
    }
    throw error;
  }
  return { ...summary, bytes };
}

let loading = null; // one load per page; tried again after a failure that may pass (a dropped download)

/** The model's summary (classes, n_features, token, …), loaded into Python once. */
export function svmModel() {
  loading ??= loadSVM().catch((error) => { if (!error.permanent) loading = null; throw error; });
  return loading;
}

/**
 * HOG + SVM's answer for the crop square `box` of `picture`: → {model, r (classifier.predict's answer),
 * p (svm-input.js's input), roundTrip (ms, page to Python and back)}. When Python restarted since the model
 * was loaded, the model is loaded again, once.
 */
export async function predictSVM(picture, box) {
  let model = await svmModel();
  const p = await svmInput(picture, box); // the decoded picture's own pixels (svm-input.js)
  const predict = () => call("classifier.predict", { token: model.token, width: p.width, height: p.height, k: 3, box: p.box },
    { rgba: p.rgba });
  const t0 = performance.now();
  let r;
  try {
    r = await predict();
  } catch (error) {
    if (error.kind !== "value" || !/no longer loaded/.test(error.message)) throw error;
    loading = null; // Python restarted since: load the model again, once
    model = await svmModel();
    r = await predict();
  }
  return { model, r, p, roundTrip: performance.now() - t0 };
}

/** How "not sure" was decided, in words: the SVM's threshold, on its score or on its margin. */
export function thresholdText(r) {
  if (r.threshold === null || r.threshold === undefined) return "";
  const best = r.top[0];
  const onMargin = String(r.threshold_on ?? "").startsWith("margin") && Number.isFinite(best.margin);
  return onMargin
    ? `Sure when the top class's weakest one-vs-one win (margin) is at least ${r.threshold.toFixed(2)}: here ${best.margin.toFixed(2)}.`
    : `Sure when the top score is at least ${r.threshold.toFixed(2)}.`;
}
