// "Who's that Pokémon?" (svm-demo, cnn-demo, try): a photo from the camera, a file, drag-and-drop, paste or
// a sample → a square crop box (drag, pinch, wheel, keys) → the CNN's top-3 (onnxruntime-web) and HOG + SVM's
// top-3 (pyodemo in Python, in the shared worker) side by side, with the preprocessing step by step.
//
// Nothing about the models is written here: the CNN's input comes from models/cnn.json (cnn.js), the SVM's
// from the model file's header (pyodemo.web.classifier reads it in Python). `data-models="cnn"` or "hog_svm"
// puts that model first; both run. When Python starts: where HOG + SVM is featured (svm-demo), as soon as the
// widget is on screen; elsewhere (try, cnn-demo) right after the CNN's first answer is on screen, so on a
// slow phone connection the CNN's download and answer never wait behind Python's (or at once, on a tap of
// "Start HOG + SVM now", or when the CNN cannot run). With the browser's data saver on, only on that tap.
import { call, onStatus } from "../python.js";
import { viewSwitch } from "../slide-views.js";
import { drawHogGlyphs, h, paintRGBA, pythonStatus, siteURL, whenVisible } from "../ui.js";
import { createCropBox } from "../crop-box.js";
import { drawCrop, loadPicture, loadPictureURL, pictureFromVideo } from "../picture.js";
import { cameraProblem, openCamera } from "../sources/camera.js";
import { acceptDrop, acceptPaste, filePicker } from "../sources/files.js";
import { sampleButtons } from "../sources/samples.js";
import { svmInput } from "../svm-input.js";
import { classify as cnnClassify, loadCNN } from "../cnn.js";

const SVM_MODEL = "models/hog_svm.svm";
const THUMBS_AFTER_MS = 4000; // the sample thumbnails load after the CNN's first answer, or after this
const LIVE_MS = 300; // live camera: a new frame this often (a frame is dropped while a model is busy)
const MODELS = {
  cnn: { title: "CNN", engine: "onnxruntime-web" },
  hog_svm: { title: "HOG + SVM", engine: "pyodemo in Python" },
};
const pct = (p) => `${(100 * p).toFixed(p >= 0.995 || p < 0.001 ? 0 : 1)} %`;
const ms = (t) => `${t < 10 ? t.toFixed(1) : Math.round(t)} ms`;
const count = (n) => n.toLocaleString("en-US");
let uid = 0;

export function mount(el) {
  const id = `clf-${++uid}`;
  const wanted = (el.dataset.models || "").split(/[\s,]+/).filter((m) => m in MODELS);
  const featured = wanted.length === 1 ? wanted[0] : null;
  const order = featured === "hog_svm" ? ["hog_svm", "cnn"] : ["cnn", "hog_svm"];
  const saveData = Boolean(navigator.connection?.saveData);
  el.classList.add("clf");
  if (featured) el.classList.add(`clf--${featured}`);

  // ---------------------------------------------------------------- sources (sources/*.js)
  // The sample thumbnails wait for the CNN's first answer (or THUMBS_AFTER_MS): on a slow phone link
  // the ~80 kB of pictures would otherwise share the line with the model the visitor is waiting for.
  let showThumbs;
  const thumbsAllowed = new Promise((resolve) => { showThumbs = resolve; setTimeout(resolve, THUMBS_AFTER_MS); });
  const openFile = (fallback) => ([file]) => usePicture(loadPicture(file), file.name || fallback);
  const pickSample = (s) => usePicture(loadPictureURL(s.url, s.class), `${s.class} (sample)`, { sample: s.file });
  // a live camera where this page may use one; else "Take a photo", a file chooser that asks for the rear camera
  const live = cameraProblem() === null;
  const cameraSource = live
    ? h("button", { type: "button", class: "clf-source clf-source--camera", "aria-pressed": "false",
      onclick: () => (stream ? stopLive() : startLive()) }, "Live camera")
    : filePicker({ label: "Take a photo", name: "camera", capture: "environment", dataset: { role: "camera" },
      className: "clf-source clf-source--camera", onFiles: openFile("your photo") });
  const cameraButton = live ? cameraSource : cameraSource.button;
  const fileSource = filePicker({ label: "Choose a picture", name: "picture", dataset: { role: "file" }, className: "clf-source",
    onFiles: openFile("your photo") });
  const sources = h("div", { class: "pyodemo-row clf-sources" }, cameraSource, fileSource,
    h("span", { class: "pyodemo-note clf-hint" }, "or drop or paste a picture here"));
  const sampleRow = sampleButtons({ onPick: pickSample, thumbsWhen: thumbsAllowed });
  const message = h("p", { class: "clf-message", role: "status" });

  // ---------------------------------------------------------------- crop box
  const crop = createCropBox({ onChange: (box, { final }) => changed(final), label: "Crop box" });
  const cropTools = h("div", { class: "pyodemo-row clf-crop-tools", role: "group", "aria-label": "Crop box" },
    h("button", { type: "button", "aria-label": "Smaller crop box", onclick: () => crop.grow(1 / 1.15, { final: true }) }, "−"),
    h("button", { type: "button", "aria-label": "Larger crop box", onclick: () => crop.grow(1.15, { final: true }) }, "+"),
    h("button", { type: "button", onclick: () => crop.reset() }, "Reset crop"));
  const pictureName = h("p", { class: "pyodemo-note clf-picture" }, "No picture yet: tap a sample or take a photo.");
  const cropPanel = h("div", { class: "clf-crop-panel" }, pictureName, crop.el, cropTools,
    h("p", { class: "pyodemo-note clf-crop-help" }, "Drag the square onto the Pokémon; pinch, scroll or use + and − to resize it."));

  // ---------------------------------------------------------------- results
  const cards = Object.fromEntries(order.map((m) => [m, card(m)]));
  const summary = h("p", { class: "pyodemo-visually-hidden clf-summary", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const results = h("section", { class: "clf-results", "aria-label": "Results" }, ...order.map((m) => cards[m].el), summary);

  // ---------------------------------------------------------------- steps
  const stepCrop = figure("Crop", "The crop square");
  const stepCNN = figure("CNN input", "What the CNN sees");
  const stepInput = figure("Resize", "HOG + SVM: the crop resized on its background");
  const stepGray = figure("Grayscale", "HOG + SVM: grayscale");
  const stepHOG = figure("HOG", "HOG + SVM: the HOG cells' orientation histograms");
  const stepColours = figure("Colours", "HOG + SVM: the fullest bins of the colour histogram");
  const svmSteps = h("div", { class: "clf-steps__row", dataset: { model: "hog_svm" } },
    h("span", { class: "clf-steps__label" }, "HOG + SVM"), stepInput.el, stepGray.el, stepHOG.el, stepColours.el);
  const steps = h("section", { class: "clf-steps", "aria-labelledby": `${id}-steps` },
    h("h3", { id: `${id}-steps` }, "Step by step"),
    h("div", { class: "clf-steps__row", dataset: { model: "cnn" } }, h("span", { class: "clf-steps__label" }, "CNN"), stepCrop.el, stepCNN.el),
    svmSteps);

  const main = h("div", { class: "clf-main" }, cropPanel, results);
  el.replaceChildren(
    h("h2", { class: "clf-title pyodemo-visually-hidden" }, "Who's that Pokémon? Classify a picture"),
    sources, sampleRow.el, message,
    // slide mode: the picture and the answers, or the steps (slide-views.js)
    viewSwitch(el, [["answers", "Picture and answers", [main]], ["steps", "Step by step", [steps]]], "What to show"),
    main, steps,
  );

  // ---------------------------------------------------------------- state
  let picture = null, pictureSeq = 0, shownSeq = 0, picked = false, visible = false;
  let stream = null, video = null, liveTimer = null, liveFrame = null, starting = false; // stream: openCamera's {stop}
  let svmWanted = false, svmModel = null, cnnAnswered = false;
  let cropBackground = [255, 255, 255]; // the crop step is shown on the CNN's background once its sidecar is read

  let svmShownKey = ""; // the crop whose HOG + SVM answer is on screen
  let settled = true; // the last change of the box was the end of a gesture (or a key press, a new picture)
  const key = () => (picture && crop.box ? `${pictureSeq}:${crop.box.join(",")}` : "");
  const job = () => ({ picture, box: crop.box, key: key(), seq: pictureSeq, live: Boolean(stream), final: settled });

  /** One inference in flight per model: a change while it runs marks it dirty, and it runs once more. */
  function runner(work) {
    let busy = false, dirty = false;
    const kick = () => {
      if (!picture || !crop.box) return;
      if (busy) { dirty = true; return; }
      busy = true; dirty = false;
      work(job()).finally(() => { busy = false; if (dirty && !stream) kick(); });
    };
    kick.busy = () => busy;
    return kick;
  }
  const run = { cnn: runner(runCNN), hog_svm: runner(runSVM) };

  function changed(final) {
    settled = final;
    el.dataset.box = crop.box?.join(",") ?? "";
    const svmFresh = svmShownKey === key() && !run.hog_svm.busy(); // HOG + SVM already answered for this very crop
    svmSteps.classList.toggle("is-stale", !svmFresh); // until HOG + SVM has looked at this crop
    paintCrop();
    run.cnn();
    if (final && !svmFresh) run.hog_svm();
  }

  function showMessage(text, kind = "info") {
    message.textContent = text || "";
    message.dataset.kind = text ? kind : "";
    message.classList.toggle("pyodemo-error", kind === "error");
    message.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  async function usePicture(loading, name, { sample = null } = {}) {
    const seq = ++pictureSeq;
    picked = true;
    if (stream) stopLive({ keep: false });
    el.dataset.loading = "true";
    try {
      const next = await loading;
      if (seq !== pictureSeq) return;
      picture = next;
      shownSeq = seq;
      el.dataset.picture = String(seq);
      el.dataset.pictureName = sample ?? name;
      const size = picture.original.width === picture.width ? `${picture.width} × ${picture.height} px`
        : `${picture.original.width} × ${picture.original.height} px, shown at ${picture.width} × ${picture.height}`;
      pictureName.textContent = `${name} (${size})`;
      showMessage(picture.notes.length ? `${name}: ${picture.notes.join("; ")}.` : "", "info");
      crop.setPicture(picture);
    } catch (error) {
      if (seq !== pictureSeq) return;
      pictureSeq = shownSeq; // the picture on screen stays, and so do its results
      delete el.dataset.loading;
      showMessage(error?.message || String(error), "error");
      el.dataset.error = String(seq);
    } finally {
      if (seq === pictureSeq) delete el.dataset.loading;
    }
  }

  // ---------------------------------------------------------------- the CNN
  async function runCNN(j) {
    const c = cards.cnn;
    if (!c.loaded) c.state("loading", "Loading the CNN (onnxruntime-web)…");
    else c.state("busy");
    try {
      const model = await loadCNN();
      if (!c.loaded) {
        c.loaded = true;
        cropBackground = model.meta.input.background;
        c.note(`${model.meta.classes.length} classes, ${model.meta.input.size} × ${model.meta.input.size} px colour input; `
          + `loaded in ${ms(model.loadMs)}.`);
      }
      const r = await cnnClassify(j.picture, j.box, { name: j.picture.name });
      const n = model.meta.classes.length;
      c.detail(r.threshold === null ? "" : `Sure when the top probability is at least ${pct(r.threshold)}.`);
      c.show({ top: r.top, sure: r.sure, n, score: pct, bar: (p) => p,
        time: `${ms(r.ms.total)} (prepare ${ms(r.ms.prepare)}, run ${ms(r.ms.run)})`, forKey: j.key, classes: model.meta.classes });
      paint(stepCNN, r.input.rgba, r.input.size, r.input.size, `${r.input.size} × ${r.input.size} px, colour`);
      if (!j.live && j.final) announce(); // not while a finger is still dragging the box
      if (!cnnAnswered) {
        cnnAnswered = true;
        el.dataset.firstCnnMs = String(Math.round(performance.now())); // since navigation
        el.dataset.firstCnnAt = String(Date.now());
        if (!featured || featured === "cnn") requestAnimationFrame(() => setTimeout(() => wantSVM(false), 0));
      }
    } catch (error) {
      c.fail(error, j.key);
      if (!cnnAnswered) wantSVM(false); // the CNN cannot run: let HOG + SVM answer instead
    } finally {
      showThumbs(); // the CNN has answered (or failed): the thumbnails may load
    }
  }

  // ---------------------------------------------------------------- HOG + SVM (Python)
  function wantSVM(asked) {
    if (svmWanted) return;
    if (!asked && saveData) return; // the data saver is on: wait for the tap
    svmWanted = true;
    el.dataset.pythonWantedAt = String(Date.now());
    cards.hog_svm.startButton.hidden = true;
    run.hog_svm();
  }

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

  function modelSVM() {
    svmModel ??= loadSVM().catch((error) => { if (!error.permanent) svmModel = null; throw error; });
    return svmModel;
  }

  async function runSVM(j) {
    const c = cards.hog_svm;
    if (!svmWanted) return;
    c.state(c.loaded ? "busy" : "loading", c.loaded ? "" : "Loading HOG + SVM…");
    try {
      let model = await modelSVM();
      if (!c.loaded) {
        c.loaded = true;
        c.note(`${model.classes.length} classes, ${model.n_features.toLocaleString("en-US")} features, `
          + `${model.n_support_vectors.toLocaleString("en-US")} support vectors (${model.kernel} kernel).`);
      }
      const p = await svmInput(j.picture, j.box); // the decoded picture's own pixels (svm-input.js)
      const t0 = performance.now();
      let r;
      try {
        r = await call("classifier.predict", { token: model.token, width: p.width, height: p.height, k: 3, box: p.box }, { rgba: p.rgba });
      } catch (error) {
        if (error.kind !== "value" || !/no longer loaded/.test(error.message)) throw error;
        svmModel = null; // Python restarted since: load the model again, once
        model = await modelSVM();
        r = await call("classifier.predict", { token: model.token, width: p.width, height: p.height, k: 3, box: p.box }, { rgba: p.rgba });
      }
      const roundTrip = performance.now() - t0;
      const n = model.classes.length;
      const [low, high] = model.score_range ?? []; // the model's own bounds (pyodemo.classify.score_range)
      const bar = model.score_range ? (s) => (s - low) / (high - low) : null; // unbounded scores: no bars
      c.show({ top: r.top, sure: r.sure, n, score: (s) => s.toFixed(2), bar,
        time: `${ms(r.ms.total)} in Python (features ${ms(r.ms.features)}, SVM ${ms(r.ms.svm)}); ${ms(roundTrip)} with the round trip`,
        forKey: j.key, classes: model.classes });
      svmShownKey = j.key;
      Object.assign(c.el.dataset, { input: p.original.join(","), block: String(p.k) }); // what Python was given
      const s = r.steps, size = s.size;
      const features = model.pipeline?.features ?? [];
      const hogFeature = features.find((f) => f.name === "hog");
      paint(stepInput, s.input, size, size, `${size} × ${size} px on its background`
        + (p.k > 1 ? ` (from ${p.original[2]} px, first averaged in ${p.k} × ${p.k} blocks)` : ""));
      paint(stepGray, s.gray, size, size, hogFeature?.color === "rgb" ? "for reference: this model's HOG takes the strongest colour channel"
        : "what HOG looks at");
      if (s.histograms) {
        paintGlyphs(stepHOG, s, s.colors
          ? `${count(r.n_features - s.colors.n_features)} numbers, then ${count(s.colors.n_features)} for the colours`
          : `${count(r.n_features)} numbers`);
      }
      if (s.colors) paintColours(stepColours, s.colors);
      c.detail(thresholdText(r));
      if (j.key === key()) svmSteps.classList.remove("is-stale");
      if (!j.live) announce();
      if (!el.dataset.firstSvmMs) el.dataset.firstSvmMs = String(Math.round(performance.now()));
    } catch (error) {
      svmShownKey = "";
      c.fail(error, j.key);
    }
  }

  // ---------------------------------------------------------------- drawing
  function paintCrop() {
    if (!picture || !crop.box) return;
    const c = drawCrop(picture, crop.box, 96, cropBackground);
    const ctx = stepCrop.canvas.getContext("2d");
    stepCrop.canvas.width = 96; stepCrop.canvas.height = 96;
    ctx.drawImage(c, 0, 0);
    stepCrop.caption(`${crop.box[2]} × ${crop.box[2]} px at (${crop.box[0]}, ${crop.box[1]})`);
  }

  function paint(step, rgba, width, height, text) {
    paintRGBA(step.canvas, rgba, width, height);
    step.caption(text);
    step.el.hidden = false;
  }

  /** The HOG step: the cells' histograms as glyphs on black, two screen pixels a picture pixel. */
  function paintGlyphs(step, s, text) {
    const cellPx = 2 * s.cell, rows = s.histograms.length, cols = rows ? s.histograms[0].length : 0;
    const ctx = step.canvas.getContext("2d");
    step.canvas.width = Math.max(cols * cellPx, 1); step.canvas.height = Math.max(rows * cellPx, 1);
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, step.canvas.width, step.canvas.height);
    const peak = Math.max(0, ...s.histograms.flat(2));
    drawHogGlyphs(ctx, s.histograms, s.bin_centres, cellPx, peak, 1, "255, 255, 255");
    step.caption(text);
    step.el.hidden = false;
  }

  /** The colour histogram's fullest bins as bars in their own colour, as long as √share: what the SVM sees. */
  function paintColours(step, colours) {
    const size = 96, rows = colours.top.length, ctx = step.canvas.getContext("2d");
    step.canvas.width = size; step.canvas.height = size;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, size, size);
    const most = Math.sqrt(colours.top[0]?.share || 1), row = size / Math.max(rows, 1);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.25)"; ctx.lineWidth = 1;
    colours.top.forEach(({ rgb, share }, i) => {
      const length = Math.max(2, Math.round((size - 1) * Math.sqrt(share) / most));
      ctx.fillStyle = `rgb(${rgb.join(",")})`;
      ctx.fillRect(0, Math.round(i * row) + 1, length, Math.round(row) - 2);
      ctx.strokeRect(0.5, Math.round(i * row) + 1.5, length - 1, Math.round(row) - 3); // pale colours on white
    });
    const shown = colours.top.reduce((sum, c) => sum + c.share, 0);
    step.canvas.setAttribute("aria-label", `The ${rows} commonest of ${count(colours.cubes)} colour cubes: `
      + colours.top.slice(0, 3).map((c) => `rgb(${c.rgb.join(", ")}) ${Math.round(100 * c.share)}%`).join(", "));
    step.caption(`${rows} of ${count(colours.cubes)} colour cubes, ${Math.round(100 * shown)}% of the pixels`);
  }

  /** How "not sure" was decided, in words: the SVM's threshold, on its score or on its margin. */
  function thresholdText(r) {
    if (r.threshold === null || r.threshold === undefined) return "";
    const best = r.top[0];
    const onMargin = String(r.threshold_on ?? "").startsWith("margin") && Number.isFinite(best.margin);
    return onMargin
      ? `Sure when the top class's weakest one-vs-one win (margin) is at least ${r.threshold.toFixed(2)}: here ${best.margin.toFixed(2)}.`
      : `Sure when the top score is at least ${r.threshold.toFixed(2)}.`;
  }

  function announce() {
    const parts = order.map((m) => cards[m].spoken).filter(Boolean);
    summary.textContent = parts.join(" ");
  }

  // ---------------------------------------------------------------- live camera
  async function startLive() {
    if (starting) return;
    starting = true;
    showMessage("Starting the camera…");
    const v = h("video", { class: "pyodemo-visually-hidden", autoplay: true, "aria-hidden": "true" });
    el.append(v);
    try {
      stream = await openCamera(v);
    } catch (error) {
      v.remove();
      showMessage(`${error.message} You can still take or choose a photo with “Choose a picture”.`, "error");
      return;
    } finally {
      starting = false;
    }
    video = v;
    shownSeq = ++pictureSeq;
    picked = true;
    cameraButton.textContent = "Stop camera";
    cameraButton.setAttribute("aria-pressed", "true");
    el.dataset.live = "true";
    results.classList.add("clf-results--live");
    showMessage("Live: both models look a few times a second. Tap “Stop camera” to keep a frame.");
    crop.setLive(video);
    pictureName.textContent = "Live camera";
    el.dataset.pictureName = "camera";
    const tick = () => {
      if (!stream) return;
      const frame = pictureFromVideo(video, { name: "camera frame", reuse: liveFrame?.canvas });
      if (frame) {
        const first = !liveFrame;
        liveFrame = frame;
        picture = frame;
        el.dataset.picture = String(pictureSeq);
        el.dataset.frames = String(Number(el.dataset.frames || 0) + 1);
        if (first) crop.setPicture(frame); // the centred square; runs both models
        else {
          crop.updatePicture(frame);
          if (!run.cnn.busy()) run.cnn(); // a model still busy with an older frame skips this one
          if (svmWanted && !run.hog_svm.busy()) run.hog_svm();
        }
      }
      liveTimer = setTimeout(tick, LIVE_MS);
    };
    const redraw = () => { if (stream) { crop.redraw(); requestAnimationFrame(redraw); } };
    tick();
    requestAnimationFrame(redraw);
  }

  /** Stop the stream; with `keep`, the last frame stays as the picture (its crop can be adjusted). */
  function stopLive({ keep = true } = {}) {
    if (!stream) return;
    stream.stop();
    stream = null;
    clearTimeout(liveTimer);
    video?.remove();
    video = null;
    cameraButton.textContent = "Live camera";
    cameraButton.setAttribute("aria-pressed", "false");
    delete el.dataset.live;
    results.classList.remove("clf-results--live");
    crop.setLive(null);
    const frame = liveFrame;
    liveFrame = null;
    if (keep && frame) {
      picture = copyPicture(frame); // the live canvas is reused: keep a copy of the last frame
      shownSeq = pictureSeq;
      pictureName.textContent = "A frame from the camera";
      showMessage("");
      crop.setPicture(picture, crop.box);
    } else {
      showMessage("");
    }
  }

  function copyPicture(frame) {
    const c = h("canvas", { width: frame.width, height: frame.height });
    c.getContext("2d").drawImage(frame.canvas, 0, 0);
    return { ...frame, canvas: c, name: "camera frame" };
  }

  document.addEventListener("visibilitychange", () => { if (document.hidden) stopLive(); });
  window.addEventListener("pagehide", () => stopLive());
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      visible = entries.some((e) => e.isIntersecting && e.intersectionRatio >= 0.2);
      if (!visible) stopLive(); // the live view (mostly) scrolled out of sight: stop the camera
    }, { threshold: [0, 0.2, 0.5] }).observe(cropPanel);
  } else visible = true;

  // ---------------------------------------------------------------- drop, paste, the first sample
  const refused = (names) => showMessage(`Not a picture: ${names.join(", ")}. Choose a JPEG, PNG, GIF or WebP picture.`, "error");
  acceptDrop(el, openFile("dropped picture"), { highlight: "clf--drop", onRefused: refused });
  acceptPaste(el, ([file]) => usePicture(loadPicture(file), file.name && file.name !== "image.png" ? file.name : "pasted picture"), {
    when: () => visible, onRefused: refused,
    onEmpty: () => showMessage("The clipboard holds no picture: copy an image, then paste.", "error") });
  sampleRow.ready.then((chosen) => whenVisible(el, () => { if (!picked && chosen[0]) pickSample(chosen[0]); }));

  whenVisible(el, () => {
    loadCNN().catch(() => {}); // start downloading the CNN at once
    if (featured === "hog_svm") wantSVM(false);
  });
  onStatus((s) => { if (s.state === "ready" && !svmWanted && !saveData) wantSVM(false); });

  // ---------------------------------------------------------------- a model's card
  function card(model) {
    const info = MODELS[model];
    const headingId = `${id}-${model}`;
    const status = h("p", { class: "clf-card__status" });
    const verdict = h("p", { class: "clf-verdict" }, "…");
    const list = h("ol", { class: "clf-top" });
    const time = h("p", { class: "pyodemo-note clf-ms" });
    const detailLine = h("p", { class: "pyodemo-note clf-card__detail" });
    const note = h("p", { class: "pyodemo-note clf-card__note" });
    const error = h("p", { class: "pyodemo-error clf-card__error", role: "alert", hidden: true });
    const startButton = h("button", { type: "button", class: "clf-start", hidden: model !== "hog_svm",
      onclick: () => wantSVM(true) }, "Start HOG + SVM now");
    const extra = model === "hog_svm" ? [pythonStatus(),
      h("p", { class: "pyodemo-note clf-card__wait" }, saveData ? "Your data saver is on: HOG + SVM waits for a tap (it downloads Python)."
        : "HOG + SVM runs in Python, which loads after the CNN's first answer."), startButton] : [];
    const cardEl = h("section", { class: `clf-card clf-card--${model}`, dataset: { model, state: "idle" }, "aria-labelledby": headingId },
      h("h3", { id: headingId }, info.title, " ", h("span", { class: "clf-engine" }, info.engine), featured === model ? h("span", { class: "clf-featured" }, "this slide") : null),
      ...extra, status, error, verdict, list, detailLine, time, note);
    if (model === "hog_svm" && featured === "hog_svm") extra[1].hidden = true;
    const self = {
      el: cardEl, loaded: false, startButton, spoken: "", shownFor: false,
      state(state, text = "") {
        cardEl.dataset.state = state;
        status.textContent = text;
        if (model === "hog_svm") extra[1].hidden = true;
      },
      note(text) { note.textContent = text; },
      detail(text) { detailLine.textContent = text; },
      show({ top, sure, n, score, bar, time: t, forKey, classes }) {
        cardEl.dataset.state = "done";
        status.textContent = "";
        error.hidden = true;
        const best = top[0];
        verdict.replaceChildren(sure
          ? h("strong", {}, best.label)
          : h("span", { class: "clf-unsure" }, h("strong", {}, `Not sure — is it one of these ${n}?`),
            h("span", { class: "clf-classes" }, classes.join(", "))));
        list.replaceChildren(...top.map((t, i) => h("li", { class: i === 0 ? "clf-top__first" : "" },
          h("span", { class: "clf-top__label" }, t.label),
          bar ? h("span", { class: "clf-bar", "aria-hidden": "true" }, h("span", { class: "clf-bar__fill", style: `width: ${(100 * Math.min(1, Math.max(0, bar(t.score)))).toFixed(1)}%` })) : null,
          h("span", { class: "clf-top__score" }, score(t.score)))));
        time.textContent = t;
        Object.assign(cardEl.dataset, { top1: best.label, score: String(best.score), sure: String(sure), for: forKey,
          top: JSON.stringify(top.map((t) => [t.label, t.score])) });
        self.shownFor = true;
        self.spoken = `${info.title}: ${sure ? best.label : "not sure"}, ${score(best.score)}.`;
      },
      fail(err, forKey) {
        const text = err?.message || String(err);
        cardEl.dataset.state = "error";
        cardEl.dataset.for = forKey;
        status.textContent = "";
        error.textContent = text;
        error.hidden = false;
        verdict.textContent = "—";
        list.replaceChildren();
        time.textContent = "";
        detailLine.textContent = "";
        self.spoken = `${info.title}: ${text}`;
        console.warn(`${info.title}:`, err);
      },
    };
    return self;
  }

  function figure(title, label) {
    const canvas = h("canvas", { class: "clf-step__canvas", width: 64, height: 64, role: "img", "aria-label": label });
    const caption = h("figcaption", {}, h("strong", {}, title), h("span", { class: "clf-step__detail" }));
    const fig = h("figure", { class: "clf-step", hidden: true }, canvas, caption);
    return {
      el: fig, canvas,
      caption(text) { caption.lastChild.textContent = text; fig.hidden = false; },
    };
  }
}
