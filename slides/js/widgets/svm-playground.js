// SVM playground (SVM page): a browser version of scikit-learn's svm_gui. Tap or click to add points of
// up to four classes, long-press / right-click / erase mode to remove them, load presets, change the
// kernel, C, gamma, degree and one-vs-one / one-vs-all, and watch the decision regions, the boundary,
// the ±1 margins and the ringed support vectors. pyodemo.web.svm_playground fits and evaluates; this file draws.
//
// For tests and curious readers the widget element carries its state: data-points (JSON [[x, y, class]]),
// data-params (what the shown picture was fitted with), data-n-sv, data-accuracy, data-grid (JSON
// {n, cells}: the class of every grid cell, rows from the top), data-version / data-shown (the picture is
// up to date when they are equal and data-busy is absent) and data-error.
import { viewSwitch } from "../slide-views.js";
import { call, status, warmUp } from "../python.js";
import { h, pythonStatus, whenVisible } from "../ui.js";
import { CLASSES, crispCanvas, drawFit, marker, markerIcon, percent, styleOf, toData, toPixel } from "../svm-draw.js";

const KERNELS = [
  ["linear", "Linear  x · x′"],
  ["poly", "Polynomial  (γ x · x′ + r)^d"],
  ["rbf", "RBF  exp(−γ‖x − x′‖²)"],
  ["sigmoid", "Sigmoid  tanh(γ x · x′ + r)"],
];
const STEP = 0.05; // keyboard crosshair step in data units (Shift: 4 steps)
const GRID = 60;
const MAX_ITER = 20_000;
const LONG_PRESS_MS = 550;
let uid = 0;

const round3 = (v) => Math.round(v * 1000) / 1000;
const pow10 = (v) => 10 ** Number(v);
const showNumber = (v) => v === null ? "?" : (v >= 100 ? v.toFixed(0) : v >= 1 ? +v.toFixed(2) : +v.toPrecision(2)).toString();
const ms = (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0));

export function mount(el) {
  const id = `svmp-${++uid}`;
  const settings = { kernel: "linear", C: 1, gammaScale: true, gamma: 1, degree: 3, coef0: 0, multi_class: "ovo" };
  let points = [];           // {x, y, label}
  let current = 1;           // the class new points get
  let erasing = false;
  let result = null;         // the last fit result on display, with .sent (points and params it was fitted on)
  let version = 0;           // bumps on every change of points or settings
  let seed = 0;
  const kb = { cross: { kx: 0, ky: 0 }, focused: false, keyboard: false }; // the keyboard's crosshair (listenKeys)
  let timer = null, timerDue = 0, inFlight = false, dirty = false;

  // ---- class picker and erase mode (pointControls, below)
  const { row: pointsRow, classButtons, eraseButton } = pointControls(current, {
    pick: (label) => pickClass(label), erase: () => setErasing(!erasing),
    undo: () => { if (points.length) { const p = points.pop(); changed(`Removed the last point (class ${p.label}).`); } },
    clear: () => { points = []; changed("All points removed."); } });

  // ---- presets (from Python) with a noise slider; every load is a new seeded sample
  const { row: presetRow, select: presetSelect, noise } = presetControls(id, (name) => loadPreset(name));

  // ---- the model's controls (modelControls, below)
  const controls = modelControls(id, settings, { result: () => result, onChange: (delay) => { syncControls(); changed(null, delay); } });
  const modelRow = controls.row;

  // ---- the canvas and what the fit says
  const { canvas, announce, message, stats, classifiers, legend, figure } = figureParts();

  // slide mode: beside the canvas, the settings or the numbers (slide-views.js)
  const views = viewSwitch(el, [["settings", "Settings", [modelRow, presetRow]],
    ["numbers", "Numbers", [figure.querySelector(".svmp-side"), legend]]], "Beside the picture");
  el.replaceChildren(h("h3", {}, "Try it: the SVM playground"), pythonStatus(), pointsRow, views, modelRow, figure, presetRow, announce);
  syncControls();
  const redraw = crispCanvas(canvas, draw);

  // ---- state changes
  function pickClass(label) {
    current = label;
    setErasing(false);
    classButtons.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.label) === label)));
    say(`Adding class ${label} (${styleOf(label).name}).`);
  }
  function setErasing(on) {
    erasing = on;
    eraseButton.setAttribute("aria-pressed", String(on));
    canvas.classList.toggle("is-erasing", on);
  }
  function say(text) { announce.textContent = text; }

  function syncControls() {
    controls.sync();
    el.dataset.points = JSON.stringify(points.map((q) => [q.x, q.y, q.label]));
  }

  function changed(text = null, delay = 0) {
    version += 1;
    el.dataset.version = String(version);
    el.dataset.points = JSON.stringify(points.map((q) => [q.x, q.y, q.label]));
    if (text) say(`${text} ${points.length} point${points.length === 1 ? "" : "s"}.`);
    redraw();
    // Throttle, not restart: a slider being dragged still refits every `delay` ms (a restarted timer
    // would wait for the drag to pause); a sooner request (a click: 0 ms) moves the timer forward.
    const due = performance.now() + delay;
    if (timer === null || due < timerDue) {
      clearTimeout(timer);
      timerDue = due;
      timer = setTimeout(() => { timer = null; fit(); }, delay);
    }
  }

  // ---- Python: one fit in flight at a time; while it runs, later changes only mark the state dirty,
  // and the newest state is sent when it returns (stale requests are never queued).
  async function fit() {
    if (inFlight) { dirty = true; return; }
    inFlight = true;
    dirty = false;
    const sent = { version, points: points.slice(), params: params(settings) };
    el.dataset.busy = "true";
    const t0 = performance.now();
    try {
      const r = await fitInPython(sent);
      result = { ...r, sent, roundTripMs: performance.now() - t0 };
      showResult();
      showMessage(null);
    } catch (error) {
      result = null;
      showMessage(error);
      clearResult(el, stats, classifiers, error);
    } finally {
      inFlight = false;
      el.dataset.shown = String(sent.version);
      redraw();
      if (dirty || version !== sent.version) fit();
      else delete el.dataset.busy;
    }
  }

  function showMessage(error) { showMessageIn(message, el, error); }

  function showResult() {
    const r = result;
    Object.assign(el.dataset, { params: JSON.stringify({ ...r.sent.params, gamma_used: r.gamma }), nSv: String(r.n_sv),
      nSupport: JSON.stringify(r.n_support), accuracy: String(r.accuracy), support: JSON.stringify(r.support),
      grid: JSON.stringify({ n: r.grid, cells: r.cells }), stoppedEarly: String(r.stopped_early) });
    showStats(stats, classifiers, r);
    syncControls();
  }

  // ---- drawing
  function draw(ctx, w, hgt) {
    const r = result;
    const supportAt = r ? r.support.map((i) => [r.sent.points[i].x, r.sent.points[i].y]) : [];
    drawFit(ctx, w, hgt, { result: r, points, supportAt, markerSize: Math.max(4.5, w / 80) });
    if (kb.focused && kb.keyboard) drawCrosshair(ctx, ...toPixel(kb.cross.kx * STEP, kb.cross.ky * STEP, w, hgt), current, erasing);
  }

  // ---- pointer (listenPointer, below)
  listenPointer(canvas, { erasing: () => erasing, add: addPoint, remove: removeNear, pressed: () => { kb.keyboard = false; } });

  function addPoint(x, y) {
    points.push({ x, y, label: current });
    changed(`Added a class ${current} point at (${x.toFixed(2)}, ${y.toFixed(2)}).`);
  }
  function removeNear(x, y, within = Infinity) {
    let best = -1, bestD = within;
    points.forEach((p, i) => { const d = Math.hypot(p.x - x, p.y - y); if (d <= bestD) { best = i; bestD = d; } });
    if (best < 0) { say("No point near there to remove."); return; }
    const [p] = points.splice(best, 1);
    changed(`Removed a class ${p.label} point at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}).`);
  }

  // ---- keyboard: a crosshair moved by the arrows (listenKeys, below)
  listenKeys(canvas, kb, { redraw: () => redraw(), add: addPoint, remove: removeNear, pick: pickClass, erasing: () => erasing,
    moved: () => say(`Crosshair at (${(kb.cross.kx * STEP).toFixed(2)}, ${(kb.cross.ky * STEP).toFixed(2)})`
      + `${regionAt(result, kb.cross.kx * STEP, kb.cross.ky * STEP)}.`) });

  // ---- presets
  async function loadPreset(name) {
    try {
      const d = await call("svm_playground.preset", { name, n: 100, noise: Number(noise.value), seed: seed++ });
      points = d.points.map(([x, y], i) => ({ x, y, label: d.labels[i] }));
      el.dataset.preset = name;
      changed(`Loaded ${d.label}, sample ${d.seed + 1}.`);
    } catch (error) { showMessage(error); }
  }

  whenVisible(el, async () => {
    warmUp();
    try {
      const list = await call("svm_playground.presets");
      presetSelect.replaceChildren(...list.map((p) => h("option", { value: p.name, selected: p.name === "moons" }, p.label)));
      if (!points.length && version === 0) await loadPreset("moons");
    } catch (error) { showMessage(error); }
  });
}

function params(settings) {
  return {
    kernel: settings.kernel,
    C: settings.C,
    gamma: settings.gammaScale ? "scale" : settings.gamma,
    degree: settings.degree,
    coef0: settings.coef0,
    multi_class: settings.multi_class,
  };
}

/**
 * The SVM's settings as controls: kernel, C and γ (a log-scale slider plus a box for any value; "scale"),
 * degree, coef0, one-vs-one / one-vs-all; only the ones the kernel uses are shown. They write `settings`
 * and call `onChange(delay)` (ms before the refit). → {row, sync()}: sync() shows the settings' values and
 * the γ "scale" gave the last fit (`result()`).
 */
function modelControls(id, settings, { result: lastResult, onChange }) {
  const kernel = h("select", { id: `${id}-kernel`, dataset: { setting: "kernel" } },
    KERNELS.map(([v, text]) => h("option", { value: v, selected: v === settings.kernel }, text)));
  kernel.addEventListener("change", () => { settings.kernel = kernel.value; onChange(0); });
  // C and gamma: a log-scale slider plus a box to type any value (0 or less gets Python's message)
  const cRange = h("input", { type: "range", id: `${id}-c`, min: -2, max: 3, step: 0.1, value: 0, dataset: { setting: "C" } });
  const cBox = h("input", { type: "number", id: `${id}-cbox`, step: "any", value: settings.C, "aria-label": "C value",
    dataset: { setting: "C-value" }, class: "svmp-number" });
  const gammaScale = h("input", { type: "checkbox", id: `${id}-gscale`, checked: true, dataset: { setting: "gamma-scale" } });
  const gRange = h("input", { type: "range", id: `${id}-gamma`, min: -2, max: 2, step: 0.1, value: 0, dataset: { setting: "gamma" } });
  const gBox = h("input", { type: "number", id: `${id}-gbox`, step: "any", value: settings.gamma, "aria-label": "gamma value",
    dataset: { setting: "gamma-value" }, class: "svmp-number" });
  const gScaleNote = h("span", { class: "pyodemo-note svmp-gscale" });
  const typed = (box) => (box.value.trim() === "" || !Number.isFinite(box.valueAsNumber) ? null : box.valueAsNumber);
  const slide = (range, value) => { if (value > 0) range.value = Math.log10(value); };
  const degree = h("select", { id: `${id}-degree`, dataset: { setting: "degree" } },
    [2, 3, 4, 5].map((d) => h("option", { value: d, selected: d === settings.degree }, String(d))));
  const coef0 = h("select", { id: `${id}-coef0`, dataset: { setting: "coef0" } },
    [0, 0.5, 1, 2].map((r) => h("option", { value: r, selected: r === settings.coef0 }, String(r))));
  const multi = h("select", { id: `${id}-multi`, dataset: { setting: "multi_class" } },
    h("option", { value: "ovo" }, "One-vs-one (OvO)"), h("option", { value: "ovr" }, "One-vs-all (OvA)"));
  cRange.addEventListener("input", () => { settings.C = +pow10(cRange.value).toPrecision(2); cBox.value = settings.C; onChange(60); });
  gRange.addEventListener("input", () => { settings.gamma = +pow10(gRange.value).toPrecision(2); gBox.value = settings.gamma; onChange(60); });
  cBox.addEventListener("input", () => { settings.C = typed(cBox); slide(cRange, settings.C); onChange(250); });
  gBox.addEventListener("input", () => { settings.gamma = typed(gBox); slide(gRange, settings.gamma); onChange(250); });
  gammaScale.addEventListener("change", () => { settings.gammaScale = gammaScale.checked; onChange(0); });
  degree.addEventListener("change", () => { settings.degree = Number(degree.value); onChange(0); });
  coef0.addEventListener("change", () => { settings.coef0 = Number(coef0.value); onChange(0); });
  multi.addEventListener("change", () => { settings.multi_class = multi.value; onChange(0); });
  const control = (label, input, ...extra) => h("label", { class: "svmp-control", for: input.id }, h("span", {}, label, ...extra), input);
  const gammaBox = h("div", { class: "svmp-control svmp-pair" },
    h("label", { for: gRange.id }, h("span", {}, "γ gamma (log scale)")), h("div", { class: "svmp-inline" }, gRange, gBox),
    h("label", { class: "svmp-check", for: gammaScale.id }, gammaScale, "“scale”", gScaleNote));
  const degreeBox = control("Degree d", degree);
  const coef0Box = control("coef0 r", coef0);
  const modelRow = h("div", { class: "pyodemo-row svmp-model", role: "group", "aria-label": "SVM settings" },
    control("Kernel", kernel),
    h("div", { class: "svmp-control svmp-pair" },
      h("label", { for: cRange.id }, h("span", {}, "C (log scale)")), h("div", { class: "svmp-inline" }, cRange, cBox)),
    gammaBox,
    degreeBox, coef0Box,
    control("Many classes", multi));

  function sync() {
    const p = params(settings), result = lastResult();
    cRange.setAttribute("aria-valuetext", `C = ${p.C === null ? "not a number" : showNumber(p.C)}`);
    gRange.setAttribute("aria-valuetext", `gamma = ${p.gamma === "scale" ? "scale" : p.gamma === null ? "not a number" : showNumber(p.gamma)}`);
    gScaleNote.textContent = p.gamma === "scale" && result?.gamma && result.sent.params.gamma === "scale" ? ` = ${showNumber(result.gamma)}` : "";
    gRange.disabled = gBox.disabled = settings.gammaScale;
    gammaBox.hidden = settings.kernel === "linear"; // the linear kernel has no gamma
    const poly = settings.kernel === "poly";
    degree.disabled = !poly;
    degreeBox.hidden = !poly;
    coef0.disabled = !(poly || settings.kernel === "sigmoid");
    coef0Box.hidden = coef0.disabled;
  }
  return { row: modelRow, sync };
}

/** What the fit `r` says, in `stats` (a <dl>) and `classifiers` (a line on one-vs-one and one-vs-all). */
function showStats(stats, classifiers, r) {
  const p = r.sent.params;
  const row = (term, value, data = {}) => [h("dt", {}, term), h("dd", { dataset: data }, value)];
  const perClass = r.classes.map((c, i) => `${r.n_support[i]} × class ${c}`).join(", ");
  stats.replaceChildren(
    ...row("Training accuracy", `${percent(r.accuracy)} (${r.n_points - r.wrong.length} of ${r.n_points})`, { stat: "accuracy" }),
    ...row("Support vectors", `${r.n_sv} (${perClass})`, { stat: "n-sv" }),
    ...(r.margin ? row("Margin width 2/‖w‖", r.margin.toFixed(3), { stat: "margin" }) : []),
    ...(p.kernel !== "linear" ? row("γ used", p.gamma === "scale" ? `${showNumber(r.gamma)} (“scale”)` : showNumber(r.gamma)) : []),
    ...row("Fit time", `${ms(r.fit_ms)} ms fit + ${ms(r.grid_ms)} ms for ${r.grid}×${r.grid} grid in Python; ${ms(r.roundTripMs)} ms round trip`, { stat: "time" }),
    ...row("SMO steps", r.stopped_early
      ? h("strong", { class: "pyodemo-error" }, `stopped early at ${r.max_iter.toLocaleString("en-US")} steps per classifier: the picture is approximate (try a smaller C)`)
      : r.n_iter.toLocaleString("en-US"), { stat: "steps" }),
  );
  const k = r.classes.length;
  classifiers.textContent = k === 2
    ? "Two classes: one SVM. Add a third class to compare one-vs-one and one-vs-all."
    : `${k} classes: one-vs-one trains ${(k * (k - 1)) / 2} SVMs (one per pair of classes), one-vs-all ${k} ` +
      `(one per class); this picture: ${p.multi_class === "ovo" ? "one-vs-one" : "one-vs-all"}, ${r.n_classifiers} SVMs. ` +
      "For the talk's 10 Pokémon: 45 vs 10.";
}

/** The keyboard's crosshair at (px, py), with the marker of the class a point would get (faint: erase mode). */
function drawCrosshair(ctx, px, py, current, erasing) {
  ctx.save();
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1.5;
  ctx.beginPath(); ctx.moveTo(px - 14, py); ctx.lineTo(px + 14, py); ctx.moveTo(px, py - 14); ctx.lineTo(px, py + 14); ctx.stroke();
  marker(ctx, px + 14, py - 14, current, 4.5, { alpha: erasing ? 0.3 : 1 });
  ctx.restore();
}

/**
 * Tap or click adds a point (`add(x, y)`, data units); a long press, a right click or erase mode (`erasing()`)
 * removes the nearest point within 0.12 (`remove(x, y, within)`); a press that moves more than 10 px is not a tap.
 */
function listenPointer(canvas, { erasing, add, remove, pressed }) {
  let press = null;
  const dataAt = (e) => {
    const rect = canvas.getBoundingClientRect();
    const [x, y] = toData(e.clientX - rect.left, e.clientY - rect.top, rect.width, rect.height);
    return [Math.max(-1, Math.min(1, round3(x))), Math.max(-1, Math.min(1, round3(y)))];
  };
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 && e.button !== 2) return;
    e.preventDefault();
    pressed();
    canvas.focus({ preventScroll: true });
    const [x, y] = dataAt(e);
    if (e.button === 2 || erasing()) { remove(x, y, 0.12); press = null; return; }
    canvas.setPointerCapture?.(e.pointerId);
    press = { x, y, cx: e.clientX, cy: e.clientY, timer: setTimeout(() => { remove(x, y, 0.12); press = null; }, LONG_PRESS_MS) };
  });
  canvas.addEventListener("pointermove", (e) => {
    if (press && Math.hypot(e.clientX - press.cx, e.clientY - press.cy) > 10) { clearTimeout(press.timer); press = null; }
  });
  const endPress = (tap) => {
    if (!press) return;
    clearTimeout(press.timer);
    if (tap) add(press.x, press.y);
    press = null;
  };
  canvas.addEventListener("pointerup", () => endPress(true));
  canvas.addEventListener("pointercancel", () => endPress(false));
}

/** The crosshair (in STEPs from the centre) an arrow key moves to (Shift: 4 steps), inside the square; null for other keys. */
function movedCross(e, cross) {
  const limit = Math.round(1 / STEP);
  const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
  if (!move) return null;
  const n = e.shiftKey ? 4 : 1;
  return { kx: Math.max(-limit, Math.min(limit, cross.kx + n * move[0])), ky: Math.max(-limit, Math.min(limit, cross.ky + n * move[1])) };
}

/** ", in the region of class c" for the point (x, y) of the last fit's grid `result` (rows from the top). */
function regionAt(result, x, y) {
  if (!result) return "";
  const n = result.grid;
  const c = Math.min(n - 1, Math.floor(((x + 1) / 2) * n)), r = Math.min(n - 1, Math.floor(((1 - y) / 2) * n));
  return `, in the region of class ${result.cells[r * n + c]}`;
}

/** The presets' row: a <select> (filled from Python later), a noise slider and "Load preset" (`onLoad(name)`). */
function presetControls(id, onLoad) {
  const select = h("select", { id: `${id}-preset` }, h("option", { value: "moons" }, "Moons"));
  const noise = h("input", { type: "range", id: `${id}-noise`, min: 0, max: 0.4, step: 0.02, value: 0.1 });
  const noiseOut = h("output", { for: noise.id }, "0.10");
  noise.addEventListener("input", () => { noiseOut.textContent = Number(noise.value).toFixed(2); });
  const loadButton = h("button", { type: "button" }, "Load preset");
  loadButton.addEventListener("click", () => onLoad(select.value));
  const row = h("div", { class: "pyodemo-row svmp-presets" },
    h("label", { class: "svmp-control", for: select.id }, h("span", {}, "Preset"), select),
    h("label", { class: "svmp-control", for: noise.id }, h("span", {}, "Noise ", noiseOut), noise),
    loadButton);
  return { row, select, noise };
}

/** The points' row: a toggle button per class (its colour AND shape), erase mode, Undo, Clear. */
function pointControls(current, { pick, erase, undo, clear }) {
  const classButtons = CLASSES.map((c) => {
    const b = h("button", { type: "button", class: "svmp-class", dataset: { label: c.label },
      "aria-pressed": String(c.label === current), title: `Class ${c.label} (${c.name}) — key ${c.label}` },
    markerIcon(c.label), h("span", {}, `Class ${c.label}`));
    b.addEventListener("click", () => pick(c.label));
    return b;
  });
  const eraseButton = h("button", { type: "button", class: "svmp-erase", "aria-pressed": "false",
    title: "Erase mode: tap a point to remove it (or long-press / right-click in add mode)" }, "✕ Erase");
  eraseButton.addEventListener("click", erase);
  const undoButton = h("button", { type: "button" }, "Undo");
  undoButton.addEventListener("click", undo);
  const clearButton = h("button", { type: "button" }, "Clear");
  clearButton.addEventListener("click", clear);
  const row = h("div", { class: "pyodemo-row svmp-classes", role: "group", "aria-label": "Points: class to add, erase" },
    ...classButtons, eraseButton, undoButton, clearButton);
  return { row, classButtons, eraseButton };
}

/** The canvas (keyboard-operable, described for screen readers), its legend and the fit's numbers beside it. */
function figureParts() {
  const canvas = h("canvas", { class: "svmp-canvas", tabindex: 0, width: 480, height: 480, role: "application",
    "aria-roledescription": "SVM playground",
    "aria-label": "The data square. Click or tap to add a point; long-press or right-click removes one. " +
      "Keyboard: arrow keys move a crosshair, Enter or Space adds a point, 1 to 4 pick the class, Delete removes the nearest point." });
  const announce = h("p", { class: "pyodemo-visually-hidden", "aria-live": "polite" });
  const message = h("p", { class: "pyodemo-note svmp-message", role: "status" });
  const stats = h("dl", { class: "svmp-stats" });
  const classifiers = h("p", { class: "pyodemo-note svmp-ovo" });
  const legend = h("p", { class: "pyodemo-note svmp-legend" },
    "Solid line: the boundary f(x) = 0. Dashed: the margins f(x) = ±1. Ringed: support vectors. ",
    "Keys: arrows, Enter, 1–4, Delete.");
  const figure = h("div", { class: "svmp-figure" },
    h("div", { class: "svmp-picture" }, canvas, legend),
    h("div", { class: "svmp-side" }, stats, classifiers, message));
  return { canvas, announce, message, stats, classifiers, legend, figure };
}

/**
 * The keyboard on the canvas: arrows move the crosshair `kb.cross` (then `moved()`), Enter or Space adds a
 * point there (erase mode: removes the nearest), 1–4 pick the class, Delete removes the nearest point. The
 * crosshair shows while the canvas has the focus from the keyboard (`kb.focused`, `kb.keyboard`).
 */
function listenKeys(canvas, kb, { redraw, add, remove, pick, erasing, moved }) {
  canvas.addEventListener("focus", () => { kb.focused = true; kb.keyboard = kb.keyboard || canvas.matches(":focus-visible"); redraw(); });
  canvas.addEventListener("blur", () => { kb.focused = false; redraw(); });
  canvas.addEventListener("keydown", (e) => {
    if (!kb.keyboard) { kb.keyboard = true; redraw(); }
    const next = movedCross(e, kb.cross);
    const { kx, ky } = kb.cross;
    if (next) {
      e.preventDefault();
      kb.cross = next;
      moved();
      redraw();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      const x = round3(kx * STEP), y = round3(ky * STEP);
      if (erasing()) remove(x, y); else add(x, y);
    } else if (["1", "2", "3", "4"].includes(e.key)) {
      e.preventDefault();
      pick(Number(e.key));
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      remove(kx * STEP, ky * STEP);
    }
  });
}

/** pyodemo.web.svm_playground.fit of the points and parameters in `sent` (a longer wait while Python boots). */
function fitInPython(sent) {
  return call("svm_playground.fit", { points: sent.points.map((q) => [q.x, q.y]), labels: sent.points.map((q) => q.label),
    ...sent.params, grid: GRID, max_iter: MAX_ITER }, {}, { timeoutMs: status.state === "ready" ? 30_000 : 120_000 });
}

/** No fit to show: the numbers and the widget's state attributes go, the error stays in data-error. */
function clearResult(el, stats, classifiers, error) {
  for (const key of ["params", "nSv", "nSupport", "accuracy", "support", "grid", "stoppedEarly"]) delete el.dataset[key];
  stats.replaceChildren();
  classifiers.textContent = "";
  el.dataset.error = error.message || String(error);
}

/** `error` (or nothing) in the message line: an alert for an error, a status line otherwise. */
function showMessageIn(message, el, error) {
  message.textContent = error ? (error.message || String(error)) : "";
  message.classList.toggle("pyodemo-error", Boolean(error));
  message.setAttribute("role", error ? "alert" : "status");
  if (!error) delete el.dataset.error;
}
