// Kernels side by side (SVM page): one data set under a linear, a polynomial and an RBF SVM, three small
// pictures with their training accuracy; and the slide's "not separable in 2D, separable in 3D": the
// points lifted by z = x₁² + x₂² (or z = x₁·x₂ for XOR), drawn in a turnable 3D view with the flat plane
// a linear SVM finds there. pyodemo.web.kernel_compare.compare computes; this file draws.
//
// State for tests: data-ready (a stamp that changes with every new answer), data-accuracies (JSON
// {Linear, Polynomial, RBF, lift}), data-points (JSON [[x, y, class]]), data-error.
import { viewSwitch } from "../slide-views.js";
import { call, warmUp } from "../python.js";
import { fmt, h, pythonStatus, whenVisible } from "../ui.js";
import { crispCanvas, drawFit, marker, percent } from "../svm-draw.js";

const DATA = [
  ["circles", "Circles (a disc in a ring)", "r2"],
  ["moons", "Moons", "r2"],
  ["xor", "XOR", "xy"],
  ["blobs", "Blobs", "r2"],
];
const LIFTS = [["r2", "z = x₁² + x₂² (the slide)"], ["xy", "z = x₁ · x₂"]];
const GRID = 40;
const coord = (v) => fmt(Math.abs(v) < 0.005 ? 0 : v); // no "−0.00"
let uid = 0;

export function mount(el) {
  const id = `kcmp-${++uid}`;
  let data = null, answer = null, seed = 0, seq = 0;
  const view = { turn: -0.6, tilt: 0.45 };

  // ---- controls
  const dataSelect = h("select", { id: `${id}-data` }, DATA.map(([v, text]) => h("option", { value: v }, text)));
  const noise = h("input", { type: "range", id: `${id}-noise`, min: 0, max: 0.3, step: 0.01, value: 0.05 });
  const noiseOut = h("output", { for: noise.id }, "0.05");
  const again = h("button", { type: "button" }, "New sample");
  const cSelect = h("select", { id: `${id}-c` }, [0.1, 1, 10, 100].map((c) => h("option", { value: c, selected: c === 1 }, String(c))));
  const liftSelect = h("select", { id: `${id}-lift` }, LIFTS.map(([v, text]) => h("option", { value: v }, text)));
  const control = (label, input, ...extra) => h("label", { class: "svmp-control", for: input.id }, h("span", {}, label, ...extra), input);
  dataSelect.addEventListener("change", () => {
    liftSelect.value = DATA.find(([v]) => v === dataSelect.value)[2];
    newData();
  });
  noise.addEventListener("input", () => { noiseOut.textContent = Number(noise.value).toFixed(2); });
  noise.addEventListener("change", () => newData());
  again.addEventListener("click", () => { seed += 1; newData(); });
  cSelect.addEventListener("change", () => compare());
  liftSelect.addEventListener("change", () => compare());
  const controls = h("div", { class: "pyodemo-row", role: "group", "aria-label": "Data and settings" },
    control("Data", dataSelect), control("Noise ", noise, noiseOut), again, control("C", cSelect), control("Lift to 3D", liftSelect));

  // ---- three pictures
  const panels = ["Linear", "Polynomial", "RBF"].map((title) => {
    const canvas = h("canvas", { class: "kcmp-canvas", width: 240, height: 240, role: "img", "aria-label": `${title} kernel` });
    const caption = h("figcaption", {}, h("strong", {}, title));
    const panel = { title, canvas, caption, result: null };
    panel.redraw = crispCanvas(canvas, (ctx, w, hh) => {
      const r = panel.result;
      const supportAt = r && data ? r.support.map((i) => data.points[i]) : [];
      drawFit(ctx, w, hh, { result: r, points: data ? data.points.map(([x, y], i) => ({ x, y, label: data.labels[i] })) : [],
        supportAt, markerSize: Math.max(3, w / 60) });
    });
    return panel;
  });
  const row = h("div", { class: "kcmp-panels" }, panels.map((p) => h("figure", { class: "kcmp-panel" }, p.canvas, p.caption)));

  // ---- the lifting: a 3D view, turned by dragging, the arrow keys or two sliders
  const space = h("canvas", { class: "kcmp-3d", tabindex: 0, width: 420, height: 340, role: "img",
    "aria-label": "The points lifted to 3D" });
  const turn = h("input", { type: "range", id: `${id}-turn`, min: -180, max: 180, step: 1, value: Math.round((view.turn * 180) / Math.PI) });
  const tilt = h("input", { type: "range", id: `${id}-tilt`, min: 0, max: 90, step: 1, value: Math.round((view.tilt * 180) / Math.PI) });
  turn.addEventListener("input", () => { view.turn = (Number(turn.value) * Math.PI) / 180; redraw3d(); });
  tilt.addEventListener("input", () => { view.tilt = (Number(tilt.value) * Math.PI) / 180; redraw3d(); });
  const liftCaption = h("figcaption", { "aria-live": "polite" });
  const liftFigure = h("figure", { class: "kcmp-lift" }, space,
    h("div", { class: "pyodemo-row" }, control("Turn", turn), control("Tilt", tilt)), liftCaption);
  const message = h("p", { class: "pyodemo-note", role: "status" });
  const redraw3d = crispCanvas(space, (ctx, w, hh) => draw3d(ctx, w, hh, answer?.lift, view));

  const subtitle = h("h4", { class: "kcmp-subtitle" }, "Not separable in 2D, separable in 3D");
  // slide mode: the three pictures, or the lift to 3D (slide-views.js)
  const views = viewSwitch(el, [["kernels", "Three kernels", [row]], ["lift", "Lift to 3D", [subtitle, liftFigure]]], "Which picture");
  el.replaceChildren(h("h3", {}, "Try it: the same data under three kernels"), pythonStatus(), controls, views, message, row,
    subtitle, liftFigure);

  let drag = null;
  space.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, turn: view.turn, tilt: view.tilt };
    space.setPointerCapture?.(e.pointerId);
  });
  space.addEventListener("pointermove", (e) => {
    if (!drag) return;
    setView(drag.turn + (e.clientX - drag.x) * 0.01, drag.tilt + (e.clientY - drag.y) * 0.01);
  });
  const stop = () => { drag = null; };
  space.addEventListener("pointerup", stop);
  space.addEventListener("pointercancel", stop);
  space.addEventListener("keydown", (e) => {
    const step = Math.PI / 36;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (!moves[e.key]) return;
    e.preventDefault();
    setView(view.turn + moves[e.key][0], view.tilt + moves[e.key][1]);
  });
  function setView(t, e) {
    view.turn = Math.atan2(Math.sin(t), Math.cos(t));
    view.tilt = Math.max(0, Math.min(Math.PI / 2, e));
    turn.value = Math.round((view.turn * 180) / Math.PI);
    tilt.value = Math.round((view.tilt * 180) / Math.PI);
    redraw3d();
  }

  function showMessage(error) {
    message.textContent = error ? (error.message || String(error)) : "";
    message.classList.toggle("pyodemo-error", Boolean(error));
    message.setAttribute("role", error ? "alert" : "status");
    if (error) el.dataset.error = message.textContent; else delete el.dataset.error;
  }

  // ---- Python: a sample, then the three fits and the lifting; only the newest answer is drawn
  async function newData() {
    const mine = ++seq;
    el.dataset.busy = "true";
    try {
      const d = await call("kernel_compare.preset", { name: dataSelect.value, n: 100, noise: Number(noise.value), seed });
      if (mine !== seq) return;
      data = d;
      el.dataset.points = JSON.stringify(d.points.map(([x, y], i) => [x, y, d.labels[i]]));
      await compare(mine);
    } catch (error) { if (mine === seq) { showMessage(error); delete el.dataset.busy; } }
  }

  async function compare(mine = ++seq) {
    if (!data) return;
    el.dataset.busy = "true";
    try {
      const r = await call("kernel_compare.compare", { points: data.points, labels: data.labels, C: Number(cSelect.value),
        grid: GRID, feature: liftSelect.value });
      if (mine !== seq) return;
      answer = r;
      showMessage(null);
      r.panels.forEach((p, i) => {
        const panel = panels[i];
        panel.result = p;
        panel.caption.replaceChildren(h("strong", {}, p.title), " ", h("span", { class: "kcmp-formula" }, p.formula), h("br"),
          h("span", { dataset: { accuracy: p.accuracy } }, `accuracy ${percent(p.accuracy)}`), ` · ${p.n_sv} SVs`,
          p.stopped_early ? h("span", { class: "pyodemo-error" }, " · stopped early") : "");
        panel.canvas.setAttribute("aria-label", `${p.title} kernel ${p.formula}: training accuracy ${percent(p.accuracy)}, ${p.n_sv} support vectors`);
        panel.redraw();
      });
      showLift();
      redraw3d();
      el.dataset.accuracies = JSON.stringify({ ...Object.fromEntries(r.panels.map((p) => [p.title, p.accuracy])),
        lift: r.lift ? r.lift.accuracy : null });
      el.dataset.ready = `${dataSelect.value}/${seed}/${noise.value}/${cSelect.value}/${liftSelect.value}`;
    } catch (error) {
      if (mine === seq) showMessage(error);
    } finally {
      if (mine === seq) delete el.dataset.busy;
    }
  }

  function showLift() {
    const L = answer?.lift;
    if (!L) { liftCaption.textContent = "The 3D view needs two classes."; return; }
    const seen = L.circle
      ? ` Seen from above, that plane is the circle of radius ${fmt(L.circle.r)} around (${coord(L.circle.cx)}, ${coord(L.circle.cy)}) (dashed, on the floor).`
      : "";
    liftCaption.replaceChildren(`Each point lifted to ${L.formula.replace("x₁", "height x₁")}. A linear SVM in 3D (a flat plane) gets `,
      h("strong", { dataset: { liftAccuracy: L.accuracy } }, percent(L.accuracy)), " right.", seen,
      " Drag the picture, or use the arrow keys or the sliders, to turn it.");
    space.setAttribute("aria-label", `The points lifted to 3D by ${L.formula}; a flat plane separates ${percent(L.accuracy)} of them.`);
  }

  whenVisible(el, () => { warmUp(); newData(); });
}

/** The 3D picture of the lift `L` (or an empty box): an orthographic view, turned about the vertical axis by
 *  `view.turn` and tilted towards us by `view.tilt`. */
function draw3d(ctx, w, hh, L, view) {
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, w, hh);
  const zr = L ? L.z_range : [0, 2];
  const s = Math.min(w, hh) * 0.32;
  const ct = Math.cos(view.turn), st = Math.sin(view.turn), ce = Math.cos(view.tilt), se = Math.sin(view.tilt);
  const P = ([x, y, z]) => {
    const zn = ((z - zr[0]) / (zr[1] - zr[0])) * 2 - 1;
    const X = x * ct - y * st, Y = x * st + y * ct;
    return [w / 2 + s * X, hh / 2 - s * (zn * ce + Y * se), Y * ce - zn * se];
  };
  const line = (a, b) => { const [x0, y0] = P(a), [x1, y1] = P(b); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); };
  // the box and its floor
  const [z0, z1] = zr;
  ctx.lineWidth = 1;
  ctx.strokeStyle = "rgba(0, 0, 0, 0.25)";
  ctx.beginPath();
  for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]].map((p, i, all) => [p, all[(i + 1) % 4]])) {
    line([...a, z0], [...b, z0]); line([...a, z1], [...b, z1]); line([...a, z0], [...a, z1]);
  }
  ctx.stroke();
  ctx.fillStyle = "#333";
  ctx.font = `${Math.max(12, Math.round(w / 21))}px system-ui, sans-serif`; // 1/21 of the picture: legible on a slide
  const label = (p, text) => { const [x, y] = P(p); ctx.fillText(text, x + 4, y); };
  label([0, -1.15, z0], "x₁");
  label([1.15, 0, z0], "x₂");
  if (L) label([-1, -1, z1], `z = ${L.formula}`);
  if (!L) return;
  // the plane's trace seen from above, on the floor
  if (L.circle) {
    ctx.save();
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k <= 96; k++) {
      const t = (2 * Math.PI * k) / 96;
      const [x, y] = P([L.circle.cx + L.circle.r * Math.cos(t), L.circle.cy + L.circle.r * Math.sin(t), z0]);
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
    ctx.restore();
  }
  // points, far ones first, with a thin line down to the floor, over the plane's mesh
  const pts = L.points.map((p, i) => ({ p, label: L.labels[i], at: P(p) })).sort((a, b) => b.at[2] - a.at[2]);
  ctx.strokeStyle = "rgba(0, 0, 0, 0.12)";
  ctx.beginPath();
  for (const q of pts) line(q.p, [q.p[0], q.p[1], z0]);
  ctx.stroke();
  ctx.strokeStyle = "rgba(150, 100, 0, 0.7)";
  ctx.lineWidth = 1.3;
  ctx.beginPath();
  for (const [a, b] of L.mesh) line(a, b);
  ctx.stroke();
  const r = Math.max(3, Math.min(w, hh) / 80);
  for (const q of pts) marker(ctx, q.at[0], q.at[1], q.label, r);
}
