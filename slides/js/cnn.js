// The CNN in the browser: onnxruntime-web (the wasm-only bundle, self-hosted) runs models/cnn.onnx in a
// worker of its own (cnn-worker.js), so the page's thread never compiles wasm or runs the model.
//
// Everything about the input comes from the sidecar models/cnn.json written at export (onnxruntime-web
// cannot read ONNX metadata_props): class names, input size, scale, mean, std, background, resampling
// filter, threshold. The input is prepared by the browser's own image pipeline (ARCHITECTURE.md "From a photo to the two top-3 lists", step 6): the crop
// square is drawn, pixel for pixel, onto a canvas pre-filled with the background colour (the canvas
// composites in premultiplied alpha and the result is opaque, so reading it back loses nothing), resized to
// size × size with the filter the sidecar names, then (x / scale − mean) / std, channels first.
//
// The resize is `resample` below, Pillow's separable filter with its fixed-point arithmetic, not the
// canvas's own smoothing: measured on the committed samples, Chrome's imageSmoothingQuality "high" differs
// from Pillow's bilinear filter by up to 0.16 (of 1) on a pixel, which moved the CNN's top-1 probability by
// 0.09 on an artwork; `resample` lands within a level of Pillow. export/cnn_input.py does the same steps
// with Pillow and a Playwright test holds the two together.
//
// One session per page, shared by the classifier and the feature-maps widget; runs are queued (the wasm
// backend runs one at a time). Each answer is also announced as a `pyodemo:cnn-result` event.
import { drawCrop } from "./picture.js";
import { siteURL } from "./ui.js";

export const SIDECAR = "models/cnn.json";
export const MODEL = "models/cnn.onnx";

let loading = null;
let queue = Promise.resolve();
/** The latest answer (for a widget that mounts after it was announced). */
export let lastResult = null;

/** Check the sidecar; throws an Error that says what is wrong with it. */
export function checkSidecar(meta) {
  const bad = (what) => { throw new Error(`models/cnn.json is not a usable CNN description: ${what}.`); };
  if (!meta || meta.format !== "pyodemo-cnn") bad('its "format" is not "pyodemo-cnn"');
  if (meta.version !== 1) bad(`version ${meta.version} is not 1`);
  if (!Array.isArray(meta.classes) || meta.classes.length < 2) bad("it lists no classes");
  const input = meta.input || bad("it has no input block");
  if (!Number.isInteger(input.size) || input.size < 8 || input.size > 512) bad("the input size is not 8..512");
  if (input.layout && input.layout !== "NCHW") bad(`the layout ${input.layout} is not NCHW`);
  const triple = (v) => Array.isArray(v) && v.length === 3 && v.every((x) => Number.isFinite(x));
  if (!triple(input.mean) || !triple(input.std) || input.std.some((s) => s === 0)) bad("mean and std must be three numbers");
  if (!triple(input.background)) bad("the background must be three numbers");
  if (!(input.scale > 0)) bad("the scale must be positive");
  if (input.resample !== undefined && !(input.resample in FILTERS)) bad(`the resampling "${input.resample}" is not box or bilinear`);
  return meta;
}

// The worker that holds onnxruntime (cnn-worker.js): one per page, started by the first load.
let worker = null;
let nextId = 0;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL("./cnn-worker.js", import.meta.url), { type: "module", name: "cnn" });
  worker.addEventListener("message", ({ data }) => {
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if (data.error) call.reject(new Error(data.error));
    else call.resolve(data);
  });
  worker.addEventListener("error", (event) => { // the worker died: no call waits for ever
    for (const call of pending.values()) call.reject(new Error(`The CNN's worker stopped: ${event.message || "no reason given"}.`));
    pending.clear();
  });
}

/** Ask the worker: → its answer, or an Error with the worker's message. */
function ask(message, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id }, transfer);
  });
}

async function load() {
  const t0 = performance.now();
  startWorker(); // it starts loading onnxruntime while the model downloads
  try {
    return await loadInto(t0);
  } catch (error) {
    worker.terminate();
    worker = null;
    throw error;
  }
}

async function loadInto(t0) {
  const response = await fetch(siteURL(SIDECAR)).catch(() => null);
  if (!response?.ok) {
    throw new Error(response?.status === 404 ? "The CNN is not in this build (models/cnn.json is missing)."
      : "The CNN's description (models/cnn.json) could not be downloaded.");
  }
  let meta;
  try { meta = checkSidecar(await response.json()); }
  catch (error) { throw new Error(error instanceof SyntaxError ? "models/cnn.json is not valid JSON." : error.message); }
  const r = await fetch(siteURL(MODEL)).catch(() => null);
  if (!r?.ok) throw new Error(`The CNN model file (models/cnn.onnx) could not be downloaded${r ? ` (HTTP ${r.status})` : ""}.`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const size = bytes.length;
  let names;
  try {
    names = await ask({ type: "load", bytes }, [bytes.buffer]);
  } catch (error) {
    console.warn("cnn.onnx:", error);
    throw new Error(`The CNN model file (models/cnn.onnx, ${size.toLocaleString("en-US")} bytes) is damaged or incomplete: `
      + "onnxruntime could not read it.");
  }
  const inputName = meta.input.name && names.inputNames.includes(meta.input.name) ? meta.input.name : names.inputNames[0];
  const logits = meta.outputs?.logits && names.outputNames.includes(meta.outputs.logits) ? meta.outputs.logits : names.outputNames[0];
  const maps = (meta.outputs?.feature_maps ?? []).filter((name) => names.outputNames.includes(name));
  const embedding = names.outputNames.includes(meta.outputs?.embedding) ? meta.outputs.embedding : null;
  return { meta, inputName, logits, maps, embedding, bytes: size, loadMs: performance.now() - t0 };
}

/** The wasm memory onnxruntime holds in its worker, in bytes (0 before the model is loaded). */
export async function heapBytes() {
  if (!worker) return 0;
  return (await ask({ type: "heap" })).bytes;
}

/** The model, loaded once per page (in its worker): {meta, inputName, logits, maps, embedding, bytes, loadMs}.
 *  A load that failed (a network blip, a file being replaced) is forgotten, so the next call tries again. */
export function loadCNN() {
  loading ??= load().catch((error) => { loading = null; throw error; });
  return loading;
}

// ---- Pillow's resampling (ImagingResample, 8 bits per channel), for box and bilinear -----------------

/** The filters a sidecar may name: support (in input pixels at scale 1) and weight function. */
export const FILTERS = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
};
const PRECISION = 22; // Pillow's PRECISION_BITS for 8-bit images: 32 − 8 − 2

/** For each output pixel: the first input pixel and the fixed-point weights (Pillow's precompute_coeffs). */
function coefficients(inSize, outSize, filter) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ss = 1 / filterscale;
  const out = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = [];
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const v = filter.weight((i - center + 0.5) * ss);
      w.push(v);
      sum += v;
    }
    out.push({ lo, w: Int32Array.from(w, (v) => Math.trunc(0.5 + (sum !== 0 ? v / sum : v) * (1 << PRECISION))) });
  }
  return out;
}

const clip8 = (acc) => Math.min(255, Math.max(0, acc >> PRECISION));

/**
 * Resize an opaque RGBA picture (`side` × `side`) to `size` × `size` RGBA as Pillow's Image.resize does:
 * a horizontal pass then a vertical one, each rounded to 8 bits, with integer weights.
 */
export function resample(rgba, side, size, filterName = "bilinear") {
  const filter = FILTERS[filterName];
  if (!filter) throw new Error(`unknown resampling filter "${filterName}"`);
  if (side === size) return rgba;
  const cols = coefficients(side, size, filter), rows = coefficients(side, size, filter);
  const half = 1 << (PRECISION - 1);
  const temp = new Uint8Array(size * side * 3); // size columns × side rows, RGB
  for (let y = 0; y < side; y++) {
    const row = y * side * 4;
    for (let x = 0; x < size; x++) {
      const { lo, w } = cols[x];
      let r = half, g = half, b = half;
      for (let k = 0, i = row + lo * 4; k < w.length; k++, i += 4) {
        r += rgba[i] * w[k]; g += rgba[i + 1] * w[k]; b += rgba[i + 2] * w[k];
      }
      const t = (y * size + x) * 3;
      temp[t] = clip8(r); temp[t + 1] = clip8(g); temp[t + 2] = clip8(b);
    }
  }
  const out = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    const { lo, w } = rows[y];
    for (let x = 0; x < size; x++) {
      let r = half, g = half, b = half;
      for (let k = 0, i = (lo * size + x) * 3; k < w.length; k++, i += size * 3) {
        r += temp[i] * w[k]; g += temp[i + 1] * w[k]; b += temp[i + 2] * w[k];
      }
      const o = (y * size + x) * 4;
      out[o] = clip8(r); out[o + 1] = clip8(g); out[o + 2] = clip8(b); out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * The CNN's input for the crop square `box` of `picture` (see picture.js `loadPicture`):
 * {tensor: Float32Array (3 × size × size, NCHW), rgba (the size × size picture it was made from)}.
 */
export function prepare(picture, box, spec) {
  const size = spec.size, side = box[2];
  const canvas = drawCrop(picture, box, side, spec.background); // pixel for pixel: no resampling yet
  const rgba = resample(canvas.getContext("2d").getImageData(0, 0, side, side).data, side, size, spec.resample ?? "bilinear");
  const n = size * size;
  const tensor = new Float32Array(3 * n);
  const scale = spec.scale;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c], std = spec.std[c];
    for (let i = 0, j = c; i < n; i++, j += 4) tensor[c * n + i] = (rgba[j] / scale - mean) / std;
  }
  return { tensor, rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length) };
}

/** Softmax of a Float32Array of logits (stable: the largest logit is subtracted first). */
export function softmax(logits) {
  const top = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * Classify the crop square `box` of `picture`: → {top: [{label, score}] (k best, softmax probabilities),
 * sure, threshold, probs, maps: [{name, channels, height, width, data}], input: {rgba, size},
 * embedding (the CNN's learned features, the vector its last layer reads: Float32Array, or null), ms}.
 * `withMaps: false` leaves the feature maps out (`maps` is []): not read back from the worker, and the
 * answer is not announced (the feature-maps widget listens for answers that carry them).
 */
export function classify(picture, box, { k = 3, name = picture.name, source = "classifier", withMaps = true } = {}) {
  const run = queue.then(async () => {
    const model = await loadCNN();
    const spec = model.meta.input;
    const t0 = performance.now();
    const input = prepare(picture, box, spec);
    const t1 = performance.now();
    const { outputs } = await ask({
      type: "run", input: model.inputName, data: input.tensor, dims: [1, 3, spec.size, spec.size],
      outputs: [model.logits, ...(withMaps ? model.maps : []), ...(model.embedding ? [model.embedding] : [])],
    }, [input.tensor.buffer]);
    const t2 = performance.now();
    const probs = softmax(outputs[model.logits].data);
    const order = probs.map((p, i) => i).sort((a, b) => probs[b] - probs[a]).slice(0, k);
    const classes = model.meta.classes;
    const top = order.map((i) => ({ label: classes[i] ?? `class ${i}`, score: probs[i] }));
    const threshold = Number.isFinite(model.meta.threshold) ? model.meta.threshold : null;
    const maps = (withMaps ? model.maps : []).map((mapName) => {
      const t = outputs[mapName];
      const [, channels, height, width] = t.dims.length === 4 ? t.dims : [1, ...t.dims];
      return { name: mapName, channels, height, width, data: t.data };
    });
    const result = {
      name, source, box: box.slice(), top, probs, threshold,
      sure: threshold === null || top[0].score >= threshold,
      maps, input: { rgba: input.rgba, size: spec.size },
      embedding: model.embedding ? outputs[model.embedding].data : null,
      ms: { prepare: t1 - t0, run: t2 - t1, total: t2 - t0 },
    };
    if (withMaps) {
      lastResult = result;
      document.dispatchEvent(new CustomEvent("pyodemo:cnn-result", { detail: result }));
    }
    return result;
  });
  queue = run.catch(() => {});
  return run;
}

// Tests reach the input pipeline through this (the tensor is compared with export/cnn_input.py's).
globalThis.pyodemoCNN = { loadCNN, heapBytes, prepare, resample, classify, softmax, checkSidecar, get lastResult() { return lastResult; } };
