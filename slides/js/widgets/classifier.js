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
//
// The pieces: the picture sources (sources/camera.js, files.js, samples.js; decoding in picture.js), the crop
// box (crop-box.js), the model cards (classifier/cards.js), HOG + SVM's side (classifier/hog-svm.js), the
// figures of "Step by step" (classifier/steps.js) and the live camera (classifier/live.js); this file wires them.
import { onStatus } from "../python.js";
import { viewSwitch } from "../slide-views.js";
import { h, whenVisible } from "../ui.js";
import { createCropBox } from "../crop-box.js";
import { loadPicture, loadPictureURL } from "../picture.js";
import { classify as cnnClassify, loadCNN } from "../cnn.js";
import { cameraProblem } from "../sources/camera.js";
import { acceptDrop, acceptPaste, filePicker } from "../sources/files.js";
import { sampleButtons } from "../sources/samples.js";
import { MODELS, modelCard, ms, pct } from "../classifier/cards.js";
import { pipelineSteps } from "../classifier/steps.js";
import { predictSVM, svmModel, thresholdText } from "../classifier/hog-svm.js";
import { liveView } from "../classifier/live.js";

const THUMBS_AFTER_MS = 4000; // the sample thumbnails load after the CNN's first answer, or after this
const LIVE_MS = 300; // live camera: a new frame this often (a frame is dropped while a model is busy)
let uid = 0;

export function mount(el) {
  new Classifier(el);
}

/** One inference in flight per model: a change while it runs marks it dirty, and it runs once more. */
function runner(work, { ready, job, again }) {
  let busy = false, dirty = false;
  const kick = () => {
    if (!ready()) return;
    if (busy) { dirty = true; return; }
    busy = true; dirty = false;
    work(job()).finally(() => { busy = false; if (dirty && again()) kick(); });
  };
  kick.busy = () => busy;
  return kick;
}

class Classifier {
  constructor(el) {
    this.el = el;
    this.id = `clf-${++uid}`;
    const wanted = (el.dataset.models || "").split(/[\s,]+/).filter((m) => m in MODELS);
    this.featured = wanted.length === 1 ? wanted[0] : null;
    this.order = this.featured === "hog_svm" ? ["hog_svm", "cnn"] : ["cnn", "hog_svm"];
    this.saveData = Boolean(navigator.connection?.saveData);
    Object.assign(this, { picture: null, pictureSeq: 0, shownSeq: 0, picked: false, visible: false });
    Object.assign(this, { svmWanted: false, cnnAnswered: false, svmShownKey: "", settled: true });
    this.cropBackground = [255, 255, 255]; // the crop step is shown on the CNN's background once its sidecar is read
    // The sample thumbnails wait for the CNN's first answer (or THUMBS_AFTER_MS): on a slow phone link
    // the ~80 kB of pictures would otherwise share the line with the model the visitor is waiting for.
    this.thumbsAllowed = new Promise((resolve) => { this.showThumbs = resolve; setTimeout(resolve, THUMBS_AFTER_MS); });
    const runs = { ready: () => Boolean(this.picture && this.crop.box), job: () => this.job(), again: () => !this.live?.on };
    this.run = { cnn: runner((j) => this.runCNN(j), runs), hog_svm: runner((j) => this.runSVM(j), runs) };
    this.build();
    this.listen();
  }

  // ---------------------------------------------------------------- the page
  build() {
    const { el, id } = this;
    el.classList.add("clf");
    if (this.featured) el.classList.add(`clf--${this.featured}`);
    this.message = h("p", { class: "clf-message", role: "status" });
    const crop = this.crop = createCropBox({ onChange: (box, { final }) => this.changed(final), label: "Crop box" });
    const cropTools = h("div", { class: "pyodemo-row clf-crop-tools", role: "group", "aria-label": "Crop box" },
      h("button", { type: "button", "aria-label": "Smaller crop box", onclick: () => crop.grow(1 / 1.15, { final: true }) }, "−"),
      h("button", { type: "button", "aria-label": "Larger crop box", onclick: () => crop.grow(1.15, { final: true }) }, "+"),
      h("button", { type: "button", onclick: () => crop.reset() }, "Reset crop"));
    this.pictureName = h("p", { class: "pyodemo-note clf-picture" }, "No picture yet: tap a sample or take a photo.");
    this.cropPanel = h("div", { class: "clf-crop-panel" }, this.pictureName, crop.el, cropTools,
      h("p", { class: "pyodemo-note clf-crop-help" }, "Drag the square onto the Pokémon; pinch, scroll or use + and − to resize it."));
    const { featured, saveData } = this;
    this.cards = Object.fromEntries(this.order.map((m) => [m, modelCard(m, { id, featured, saveData, onStart: () => this.wantSVM(true) })]));
    this.summary = h("p", { class: "pyodemo-visually-hidden clf-summary", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    this.results = h("section", { class: "clf-results", "aria-label": "Results" }, ...this.order.map((m) => this.cards[m].el), this.summary);
    this.steps = pipelineSteps(id);
    const main = h("div", { class: "clf-main" }, this.cropPanel, this.results);
    el.replaceChildren(
      h("h2", { class: "clf-title pyodemo-visually-hidden" }, "Who's that Pokémon? Classify a picture"),
      this.sources(), this.sampleRow.el, this.message,
      // slide mode: the picture and the answers, or the steps (slide-views.js)
      viewSwitch(el, [["answers", "Picture and answers", [main]], ["steps", "Step by step", [this.steps.el]]], "What to show"),
      main, this.steps.el,
    );
  }

  /** The picture sources (sources/*.js): a live camera where this page may use one, else "Take a photo" (a
   *  file chooser that asks for the rear camera); "Choose a picture"; the samples. → the sources' row. */
  sources() {
    const openFile = ([file]) => this.usePicture(loadPicture(file), file.name || "your photo");
    let cameraSource = null;
    if (cameraProblem() === null) {
      cameraSource = h("button", { type: "button", class: "clf-source clf-source--camera", "aria-pressed": "false",
        onclick: () => (this.live.on ? this.live.stop() : this.live.start()) }, "Live camera");
      this.live = liveView({ host: this.el, button: cameraSource, crop: this.crop, everyMs: LIVE_MS,
        onStart: () => this.liveStarted(), onFrame: (frame, first) => this.liveFrame(frame, first),
        onStop: (last) => this.liveStopped(last),
        onError: (error) => this.showMessage(`${error.message} You can still take or choose a photo with “Choose a picture”.`, "error") });
    } else {
      cameraSource = filePicker({ label: "Take a photo", name: "camera", capture: "environment", dataset: { role: "camera" },
        className: "clf-source clf-source--camera", onFiles: openFile });
    }
    const fileSource = filePicker({ label: "Choose a picture", name: "picture", dataset: { role: "file" }, className: "clf-source",
      onFiles: openFile });
    this.sampleRow = sampleButtons({ onPick: (s) => this.pickSample(s), thumbsWhen: this.thumbsAllowed });
    return h("div", { class: "pyodemo-row clf-sources" }, cameraSource, fileSource,
      h("span", { class: "pyodemo-note clf-hint" }, "or drop or paste a picture here"));
  }

  /** Drop, paste, the first sample once on screen, the camera stopped out of sight, Python's start. */
  listen() {
    const { el } = this;
    const refused = (names) => this.showMessage(`Not a picture: ${names.join(", ")}. Choose a JPEG, PNG, GIF or WebP picture.`, "error");
    acceptDrop(el, ([file]) => this.usePicture(loadPicture(file), file.name || "dropped picture"), { highlight: "clf--drop", onRefused: refused });
    acceptPaste(el, ([file]) => this.usePicture(loadPicture(file), file.name && file.name !== "image.png" ? file.name : "pasted picture"), {
      when: () => this.visible, onRefused: refused,
      onEmpty: () => this.showMessage("The clipboard holds no picture: copy an image, then paste.", "error") });
    this.sampleRow.ready.then((chosen) => whenVisible(el, () => { if (!this.picked && chosen[0]) this.pickSample(chosen[0]); }));
    document.addEventListener("visibilitychange", () => { if (document.hidden) this.live?.stop(); });
    window.addEventListener("pagehide", () => this.live?.stop());
    if ("IntersectionObserver" in window) {
      new IntersectionObserver((entries) => {
        this.visible = entries.some((e) => e.isIntersecting && e.intersectionRatio >= 0.2);
        if (!this.visible) this.live?.stop(); // the live view (mostly) scrolled out of sight: stop the camera
      }, { threshold: [0, 0.2, 0.5] }).observe(this.cropPanel);
    } else this.visible = true;
    whenVisible(el, () => {
      loadCNN().catch(() => {}); // start downloading the CNN at once
      if (this.featured === "hog_svm") this.wantSVM(false);
    });
    onStatus((s) => { if (s.state === "ready" && !this.svmWanted && !this.saveData) this.wantSVM(false); });
  }

  // ---------------------------------------------------------------- the picture and its crop
  key() { return this.picture && this.crop.box ? `${this.pictureSeq}:${this.crop.box.join(",")}` : ""; }

  job() {
    return { picture: this.picture, box: this.crop.box, key: this.key(), seq: this.pictureSeq, live: Boolean(this.live?.on), final: this.settled };
  }

  changed(final) {
    const { el, crop } = this;
    this.settled = final;
    el.dataset.box = crop.box?.join(",") ?? "";
    const svmFresh = this.svmShownKey === this.key() && !this.run.hog_svm.busy(); // HOG + SVM already answered for this very crop
    this.steps.svmRow.classList.toggle("is-stale", !svmFresh); // until HOG + SVM has looked at this crop
    if (this.picture && crop.box) this.steps.crop(this.picture, crop.box, this.cropBackground);
    this.run.cnn();
    if (final && !svmFresh) this.run.hog_svm();
  }

  showMessage(text, kind = "info") {
    const { message } = this;
    message.textContent = text || "";
    message.dataset.kind = text ? kind : "";
    message.classList.toggle("pyodemo-error", kind === "error");
    message.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  pickSample(s) { return this.usePicture(loadPictureURL(s.url, s.class), `${s.class} (sample)`, { sample: s.file }); }

  async usePicture(loading, name, { sample = null } = {}) {
    const { el } = this;
    const seq = ++this.pictureSeq;
    this.picked = true;
    if (this.live?.on) this.live.stop({ keep: false });
    el.dataset.loading = "true";
    try {
      const picture = await loading;
      if (seq !== this.pictureSeq) return;
      this.picture = picture;
      this.shownSeq = seq;
      el.dataset.picture = String(seq);
      el.dataset.pictureName = sample ?? name;
      const size = picture.original.width === picture.width ? `${picture.width} × ${picture.height} px`
        : `${picture.original.width} × ${picture.original.height} px, shown at ${picture.width} × ${picture.height}`;
      this.pictureName.textContent = `${name} (${size})`;
      this.showMessage(picture.notes.length ? `${name}: ${picture.notes.join("; ")}.` : "", "info");
      this.crop.setPicture(picture);
    } catch (error) {
      if (seq !== this.pictureSeq) return;
      this.pictureSeq = this.shownSeq; // the picture on screen stays, and so do its results
      delete el.dataset.loading;
      this.showMessage(error?.message || String(error), "error");
      el.dataset.error = String(seq);
    } finally {
      if (seq === this.pictureSeq) delete el.dataset.loading;
    }
  }

  // ---------------------------------------------------------------- the live camera (classifier/live.js)
  liveStarted() {
    const { el } = this;
    this.shownSeq = ++this.pictureSeq;
    this.picked = true;
    el.dataset.live = "true";
    this.results.classList.add("clf-results--live");
    this.showMessage("Live: both models look a few times a second. Tap “Stop camera” to keep a frame.");
    this.pictureName.textContent = "Live camera";
    el.dataset.pictureName = "camera";
  }

  liveFrame(frame, first) {
    const { el, run } = this;
    this.picture = frame;
    el.dataset.picture = String(this.pictureSeq);
    el.dataset.frames = String(Number(el.dataset.frames || 0) + 1);
    if (first) this.crop.setPicture(frame); // the centred square; runs both models
    else {
      this.crop.updatePicture(frame);
      if (!run.cnn.busy()) run.cnn(); // a model still busy with an older frame skips this one
      if (this.svmWanted && !run.hog_svm.busy()) run.hog_svm();
    }
  }

  liveStopped(last) {
    delete this.el.dataset.live;
    this.results.classList.remove("clf-results--live");
    this.showMessage("");
    if (!last) return;
    this.picture = last;
    this.shownSeq = this.pictureSeq;
    this.pictureName.textContent = "A frame from the camera";
    this.crop.setPicture(last, this.crop.box);
  }

  // ---------------------------------------------------------------- the CNN (cnn.js, onnxruntime-web in its worker)
  async runCNN(j) {
    const c = this.cards.cnn;
    if (!c.loaded) c.state("loading", "Loading the CNN (onnxruntime-web)…");
    else c.state("busy");
    try {
      const model = await loadCNN();
      if (!c.loaded) {
        c.loaded = true;
        this.cropBackground = model.meta.input.background;
        c.note(`${model.meta.classes.length} classes, ${model.meta.input.size} × ${model.meta.input.size} px colour input; `
          + `loaded in ${ms(model.loadMs)}.`);
      }
      const r = await cnnClassify(j.picture, j.box, { name: j.picture.name });
      const n = model.meta.classes.length;
      c.detail(r.threshold === null ? "" : `Sure when the top probability is at least ${pct(r.threshold)}.`);
      c.show({ top: r.top, sure: r.sure, n, score: pct, bar: (p) => p,
        time: `${ms(r.ms.total)} (prepare ${ms(r.ms.prepare)}, run ${ms(r.ms.run)})`, forKey: j.key, classes: model.meta.classes });
      this.steps.cnn(r.input);
      if (!j.live && j.final) this.announce(); // not while a finger is still dragging the box
      if (!this.cnnAnswered) this.firstCNN();
    } catch (error) {
      c.fail(error, j.key);
      if (!this.cnnAnswered) this.wantSVM(false); // the CNN cannot run: let HOG + SVM answer instead
    } finally {
      this.showThumbs(); // the CNN has answered (or failed): the thumbnails may load
    }
  }

  firstCNN() {
    this.cnnAnswered = true;
    this.el.dataset.firstCnnMs = String(Math.round(performance.now())); // since navigation
    this.el.dataset.firstCnnAt = String(Date.now());
    if (!this.featured || this.featured === "cnn") requestAnimationFrame(() => setTimeout(() => this.wantSVM(false), 0));
  }

  // ---------------------------------------------------------------- HOG + SVM (classifier/hog-svm.js, Python)
  wantSVM(asked) {
    if (this.svmWanted) return;
    if (!asked && this.saveData) return; // the data saver is on: wait for the tap
    this.svmWanted = true;
    this.el.dataset.pythonWantedAt = String(Date.now());
    this.cards.hog_svm.startButton.hidden = true;
    this.run.hog_svm();
  }

  async runSVM(j) {
    const c = this.cards.hog_svm;
    if (!this.svmWanted) return;
    c.state(c.loaded ? "busy" : "loading", c.loaded ? "" : "Loading HOG + SVM…");
    try {
      if (!c.loaded) {
        const first = await svmModel();
        c.loaded = true;
        c.note(`${first.classes.length} classes, ${first.n_features.toLocaleString("en-US")} features, `
          + `${first.n_support_vectors.toLocaleString("en-US")} support vectors (${first.kernel} kernel).`);
      }
      const { model, r, p, roundTrip } = await predictSVM(j.picture, j.box);
      const [low, high] = model.score_range ?? []; // the model's own bounds (pyodemo.classify.score_range)
      const bar = model.score_range ? (s) => (s - low) / (high - low) : null; // unbounded scores: no bars
      c.show({ top: r.top, sure: r.sure, n: model.classes.length, score: (s) => s.toFixed(2), bar,
        time: `${ms(r.ms.total)} in Python (features ${ms(r.ms.features)}, SVM ${ms(r.ms.svm)}); ${ms(roundTrip)} with the round trip`,
        forKey: j.key, classes: model.classes });
      this.svmShownKey = j.key;
      Object.assign(c.el.dataset, { input: p.original.join(","), block: String(p.k) }); // what Python was given
      this.steps.svm(r, p, model.pipeline?.features?.find((f) => f.name === "hog")?.color);
      c.detail(thresholdText(r));
      if (j.key === this.key()) this.steps.svmRow.classList.remove("is-stale");
      if (!j.live) this.announce();
      this.el.dataset.firstSvmMs ||= String(Math.round(performance.now()));
    } catch (error) {
      this.svmShownKey = "";
      c.fail(error, j.key);
    }
  }

  announce() {
    this.summary.textContent = this.order.map((m) => this.cards[m].spoken).filter(Boolean).join(" ");
  }
}
