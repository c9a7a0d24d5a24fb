// The square crop box that frames the Pokémon in a picture: the picture (picture.js) on a focusable canvas
// with its crop square, which starts at the default crop (default-crop.js): drag it, pinch it, wheel or
// +/− to resize, arrow keys to move, 0 to reset. `createCropBox` holds the state and the box's rules
// (normalise, setBox, grow, move); the drawing, the pointers (drag, resize handle, pinch), the wheel and the
// keys are functions of their own below, each given that state.
import { MARGIN, defaultCrop } from "./default-crop.js";

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * The picture with its crop square, as a focusable canvas. `onChange(box, {final})` runs on every change
 * (`final` once a drag, pinch or key press is over). Returns {el, canvas, setPicture, setBox, box, reset,
 * grow, move, setLive}.
 */
export function createCropBox({ onChange = () => {}, label = "Crop box" } = {}) {
  const view = document.createElement("canvas");
  view.className = "clf-crop__canvas";
  view.hidden = true; // until there is a picture: the empty frame keeps its size
  view.tabIndex = 0;
  view.setAttribute("role", "application");
  view.setAttribute("aria-roledescription", "crop box");
  const el = document.createElement("div");
  el.className = "clf-crop";
  el.append(view);
  // layout: {scale, ox, oy} from picture px to canvas px; live: a <video> drawn instead of the picture
  const s = { view, el, label, picture: null, box: null, initial: null, live: null, outside: null, layout: null, settleTimer: null };
  const draw = () => drawView(s);

  /** Keep the box a sensible size with its centre on the picture. */
  function normalise([x, y, side]) {
    const { width, height } = s.picture;
    const most = Math.ceil((1 + 2 * MARGIN) * Math.max(width, height)) + 2; // the default always fits
    const least = Math.max(1, Math.min(8, width, height));
    const cx = clamp(x + side / 2, 0, width), cy = clamp(y + side / 2, 0, height); // the centre stays
    side = Math.round(clamp(side, least, most));
    return [Math.round(cx - side / 2), Math.round(cy - side / 2), side];
  }

  function setBox(next, { final = true, silent = false } = {}) {
    if (!s.picture) return;
    const fixed = normalise(next);
    const same = s.box && fixed.every((v, i) => v === s.box[i]);
    if (final) clearTimeout(s.settleTimer); // this change already ends the gesture: no second "final" later
    s.box = fixed;
    el.dataset.box = s.box.join(",");
    draw();
    describe(s);
    if (!silent && (!same || final)) onChange(s.box.slice(), { final });
  }

  function settleSoon() {
    clearTimeout(s.settleTimer);
    s.settleTimer = setTimeout(() => setBox(s.box, { final: true }), 250);
  }

  function grow(factor, { final = false } = {}) {
    if (!s.box) return;
    const [x, y, side] = s.box;
    const next = Math.max(side + (factor > 1 ? 1 : -1), side * factor);
    setBox([x + (side - next) / 2, y + (side - next) / 2, next], { final });
    if (!final) settleSoon();
  }

  function move(dx, dy, { final = false } = {}) {
    if (!s.box) return;
    setBox([s.box[0] + dx, s.box[1] + dy, s.box[2]], { final });
    if (!final) settleSoon();
  }

  function reset() { if (s.initial) setBox(s.initial, { final: true }); }

  const controls = { setBox, grow, move, reset };
  listenPointers(s, controls);
  listenWheelAndKeys(s, controls);
  if ("ResizeObserver" in window) new ResizeObserver(draw).observe(el);

  return {
    el, canvas: view,
    get box() { return s.box ? s.box.slice() : null; },
    get picture() { return s.picture; },
    /** Show a new picture with its default box (or `startBox`); calls onChange unless `silent`. */
    setPicture(next, startBox = null, { silent = false } = {}) {
      s.picture = next;
      s.live = null;
      s.initial = startBox || defaultCrop(next.rgba, next.width, next.height);
      s.box = null;
      view.hidden = false;
      setBox(s.initial, { final: true, silent });
    },
    /** A new frame of the same scene (the live camera): keep the box when the size is unchanged. */
    updatePicture(next) {
      const { picture } = s;
      if (!picture || next.width !== picture.width || next.height !== picture.height || !s.box) return this.setPicture(next, null, { silent: true });
      s.picture = next;
      draw();
    },
    /** While the camera runs, draw this (a <video>) instead of the last frame. */
    setLive(video) { s.live = video; },
    redraw: draw,
    setBox, reset, grow, move,
  };
}

/** The canvas's accessible name: where the square is, and the keys that move it. */
function describe({ view, label, box, picture }) {
  if (!box || !picture) { view.setAttribute("aria-label", `${label}: no picture yet`); return; }
  const [x, y, side] = box;
  view.setAttribute("aria-label", `${label}: a ${side} px square at x ${x}, y ${y} of a ${picture.width} × ${picture.height} px`
    + " picture. Arrow keys move it (Shift: faster), + and − resize it, 0 resets it.");
}

// ---- drawing -------------------------------------------------------------------------------------------

/** Size the canvas: the picture with a margin of 8 % of its longer side (where the square may reach). */
function resize(s) {
  const { view, el, picture } = s;
  if (!picture) return;
  const p = Math.round(0.08 * Math.max(picture.width, picture.height));
  const fullW = picture.width + 2 * p, fullH = picture.height + 2 * p;
  // fitted into the square frame (.clf-crop: as wide as the panel, at most 55 % of the window's height),
  // whose size never depends on the picture, so nothing below it moves when a picture arrives
  const room = el.clientWidth || 320;
  const cssWidth = Math.max(60, Math.floor(fullW >= fullH ? room : (room * fullW) / fullH));
  if (view.style.width !== `${cssWidth}px`) view.style.width = `${cssWidth}px`;
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  const w = Math.round(cssWidth * dpr), hgt = Math.round((cssWidth * fullH / fullW) * dpr);
  if (view.width !== w || view.height !== hgt) { view.width = w; view.height = hgt; }
  const scale = w / fullW;
  s.layout = { scale, ox: p * scale, oy: p * scale };
  view.style.aspectRatio = `${fullW} / ${fullH}`;
}

/** The side of the resize handle, in canvas px. */
const handleSide = (view) => Math.max(12, view.width / 18);

function drawView(s) {
  const { view, el, picture, box } = s;
  if (!picture || !box) return;
  resize(s);
  const ctx = view.getContext("2d");
  const { scale, ox, oy } = s.layout;
  s.outside ??= getComputedStyle(el).getPropertyValue("--clf-outside").trim() || "#888";
  ctx.clearRect(0, 0, view.width, view.height);
  ctx.fillStyle = s.outside;
  ctx.fillRect(0, 0, view.width, view.height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(ox, oy, picture.width * scale, picture.height * scale);
  ctx.imageSmoothingEnabled = scale < 1;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(s.live || picture.canvas, ox, oy, picture.width * scale, picture.height * scale);
  const [x, y, side] = box;
  drawSquare(ctx, view, ox + x * scale, oy + y * scale, side * scale);
}

/** The square at (bx, by), bs canvas px a side: what the models do not see dimmed, a yellow and black
 *  dashed outline, the resize handle at the bottom right. */
function drawSquare(ctx, view, bx, by, bs) {
  ctx.fillStyle = "rgba(0, 0, 0, 0.45)";
  ctx.beginPath();
  ctx.rect(0, 0, view.width, view.height);
  ctx.rect(bx, by, bs, bs);
  ctx.fill("evenodd");
  const lw = Math.max(2, view.width / 160);
  ctx.lineWidth = lw;
  ctx.strokeStyle = "#ffd600";
  ctx.strokeRect(bx, by, bs, bs);
  ctx.setLineDash([lw * 2, lw * 2]);
  ctx.strokeStyle = "#000";
  ctx.strokeRect(bx, by, bs, bs);
  ctx.setLineDash([]);
  const hs = handleSide(view);
  ctx.fillStyle = "#ffd600";
  ctx.fillRect(bx + bs - hs / 2, by + bs - hs / 2, hs, hs);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.strokeRect(bx + bs - hs / 2, by + bs - hs / 2, hs, hs);
}

// ---- pointers: drag, the resize handle, pinch ------------------------------------------------------------

function listenPointers(s, { setBox }) {
  const { view } = s;
  const pointers = new Map();
  let gesture = null;
  // picture px under a pointer
  const at = (event) => {
    const rect = view.getBoundingClientRect();
    const k = view.width / rect.width;
    return [((event.clientX - rect.left) * k - s.layout.ox) / s.layout.scale, ((event.clientY - rect.top) * k - s.layout.oy) / s.layout.scale];
  };
  view.addEventListener("pointerdown", (event) => {
    if (!s.box || !s.layout) return;
    view.setPointerCapture?.(event.pointerId);
    const fresh = pointers.size === 0;
    pointers.set(event.pointerId, at(event));
    event.preventDefault();
    view.focus({ preventScroll: true });
    gesture = startGesture(s, [...pointers.values()], fresh, setBox);
  });
  view.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    pointers.set(event.pointerId, at(event));
    const next = followGesture(gesture, [...pointers.values()]);
    if (next) setBox(next, { final: false });
  });
  const end = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (pointers.size === 0) { gesture = null; setBox(s.box, { final: true }); }
    else gesture = startGesture(s, [...pointers.values()], false, setBox);
  };
  view.addEventListener("pointerup", end);
  view.addEventListener("pointercancel", end);
}

/**
 * The gesture the fingers on the canvas (`points`, in picture px) start: two or more pinch; one on the
 * handle resizes, else drags. `fresh`: the first finger down (a tap outside the box moves the box there,
 * centred on the touch, and drags it); else a finger left over from a pinch.
 */
function startGesture(s, points, fresh, setBox) {
  const { box, view, layout } = s;
  if (points.length >= 2) {
    const [a, b] = points;
    return { kind: "pinch", dist: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1, mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], box: box.slice() };
  }
  if (points.length !== 1) return null;
  const [px, py] = points[0];
  const [x, y, side] = box;
  const handle = handleSide(view) / layout.scale;
  const onHandle = Math.abs(px - (x + side)) <= handle && Math.abs(py - (y + side)) <= handle;
  const inside = px >= x && px <= x + side && py >= y && py <= y + side;
  if (fresh && !onHandle && !inside) setBox([px - side / 2, py - side / 2, side], { final: false });
  return { kind: onHandle && fresh ? "resize" : "drag", start: [px, py], box: s.box.slice() };
}

/** The box a gesture gives with the fingers now at `points` (null: nothing to do). */
function followGesture(gesture, points) {
  const [x0, y0, s0] = gesture.box;
  if (gesture.kind === "pinch" && points.length >= 2) {
    const [a, b] = points;
    const dist = Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
    const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const side = s0 * (dist / gesture.dist);
    const cx = x0 + s0 / 2 + (mid[0] - gesture.mid[0]), cy = y0 + s0 / 2 + (mid[1] - gesture.mid[1]);
    return [cx - side / 2, cy - side / 2, side];
  }
  const [px, py] = points[0];
  if (gesture.kind === "drag") return [x0 + px - gesture.start[0], y0 + py - gesture.start[1], s0];
  if (gesture.kind === "resize") return [x0, y0, Math.max(px - x0, py - y0)];
  return null;
}

// ---- the wheel and the keys --------------------------------------------------------------------------

function listenWheelAndKeys(s, { grow, move, reset }) {
  const { view } = s;
  view.addEventListener("wheel", (event) => {
    if (!s.box) return;
    event.preventDefault();
    grow(event.deltaY > 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  view.addEventListener("keydown", (event) => {
    if (!s.box) return;
    const step = Math.max(1, Math.round(s.box[2] * (event.shiftKey ? 0.1 : 0.02)));
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) { event.preventDefault(); move(...moves[event.key]); }
    else if (event.key === "+" || event.key === "=") { event.preventDefault(); grow(1.1); }
    else if (event.key === "-" || event.key === "_") { event.preventDefault(); grow(1 / 1.1); }
    else if (event.key === "0" || event.key === "Home") { event.preventDefault(); reset(); }
  });
}
