// The square crop box that frames the Pokémon in a picture: the picture (picture.js) on a focusable canvas
// with its crop square, which starts at the default crop (default-crop.js): drag it, pinch it, wheel or
// +/− to resize, arrow keys to move, 0 to reset.
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

  let picture = null, box = null, initial = null, live = null, outside = null;
  let layout = null; // {scale, ox, oy} from picture px to canvas px
  const pointers = new Map();
  let gesture = null;
  let settleTimer = null;

  const pad = () => (picture ? Math.round(0.08 * Math.max(picture.width, picture.height)) : 0);

  function describe() {
    if (!box || !picture) { view.setAttribute("aria-label", `${label}: no picture yet`); return; }
    const [x, y, side] = box;
    view.setAttribute("aria-label", `${label}: a ${side} px square at x ${x}, y ${y} of a ${picture.width} × ${picture.height} px`
      + " picture. Arrow keys move it (Shift: faster), + and − resize it, 0 resets it.");
  }

  function resize() {
    if (!picture) return;
    const p = pad();
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
    layout = { scale, ox: p * scale, oy: p * scale };
    view.style.aspectRatio = `${fullW} / ${fullH}`;
  }

  function draw() {
    if (!picture || !box) return;
    resize();
    const ctx = view.getContext("2d");
    const { scale, ox, oy } = layout;
    outside ??= getComputedStyle(el).getPropertyValue("--clf-outside").trim() || "#888";
    ctx.clearRect(0, 0, view.width, view.height);
    ctx.fillStyle = outside;
    ctx.fillRect(0, 0, view.width, view.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(ox, oy, picture.width * scale, picture.height * scale);
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(live || picture.canvas, ox, oy, picture.width * scale, picture.height * scale);
    const [x, y, side] = box;
    const bx = ox + x * scale, by = oy + y * scale, bs = side * scale;
    // dim what the models do not see
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
    // the resize handle, bottom right
    const hs = Math.max(12, view.width / 18);
    ctx.fillStyle = "#ffd600";
    ctx.fillRect(bx + bs - hs / 2, by + bs - hs / 2, hs, hs);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.strokeRect(bx + bs - hs / 2, by + bs - hs / 2, hs, hs);
  }

  function limits() {
    const most = Math.ceil((1 + 2 * MARGIN) * Math.max(picture.width, picture.height)) + 2; // the default always fits
    const least = Math.max(1, Math.min(8, picture.width, picture.height));
    return { least, most };
  }

  /** Keep the box a sensible size with its centre on the picture. */
  function normalise([x, y, side]) {
    const { least, most } = limits();
    const cx = clamp(x + side / 2, 0, picture.width), cy = clamp(y + side / 2, 0, picture.height); // the centre stays
    side = Math.round(clamp(side, least, most));
    return [Math.round(cx - side / 2), Math.round(cy - side / 2), side];
  }

  function setBox(next, { final = true, silent = false } = {}) {
    if (!picture) return;
    const fixed = normalise(next);
    const same = box && fixed.every((v, i) => v === box[i]);
    if (final) clearTimeout(settleTimer); // this change already ends the gesture: no second "final" later
    box = fixed;
    el.dataset.box = box.join(",");
    draw();
    describe();
    if (!silent && (!same || final)) onChange(box.slice(), { final });
  }

  function settleSoon() {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => setBox(box, { final: true }), 250);
  }

  function grow(factor, { final = false } = {}) {
    if (!box) return;
    const [x, y, side] = box;
    const next = Math.max(side + (factor > 1 ? 1 : -1), side * factor);
    setBox([x + (side - next) / 2, y + (side - next) / 2, next], { final });
    if (!final) settleSoon();
  }

  function move(dx, dy, { final = false } = {}) {
    if (!box) return;
    setBox([box[0] + dx, box[1] + dy, box[2]], { final });
    if (!final) settleSoon();
  }

  function reset() { if (initial) setBox(initial, { final: true }); }

  // picture px under a pointer
  function at(event) {
    const rect = view.getBoundingClientRect();
    const k = view.width / rect.width;
    return [((event.clientX - rect.left) * k - layout.ox) / layout.scale, ((event.clientY - rect.top) * k - layout.oy) / layout.scale];
  }

  view.addEventListener("pointerdown", (event) => {
    if (!box || !layout) return;
    view.setPointerCapture?.(event.pointerId);
    const fresh = pointers.size === 0;
    pointers.set(event.pointerId, at(event));
    event.preventDefault();
    view.focus({ preventScroll: true });
    startGesture(fresh);
  });
  /** `fresh`: the first finger down (a tap outside the box moves the box there); else a finger left over from a pinch. */
  function startGesture(fresh = false) {
    const points = [...pointers.values()];
    if (points.length >= 2) {
      const [a, b] = points;
      gesture = { kind: "pinch", dist: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1, mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], box: box.slice() };
    } else if (points.length === 1) {
      const [px, py] = points[0];
      const [x, y, side] = box;
      const handle = Math.max(12, view.width / 18) / layout.scale;
      const onHandle = Math.abs(px - (x + side)) <= handle && Math.abs(py - (y + side)) <= handle;
      const inside = px >= x && px <= x + side && py >= y && py <= y + side;
      // outside the box: the box jumps there (centred on the touch), then drags
      if (fresh && !onHandle && !inside) setBox([px - side / 2, py - side / 2, side], { final: false });
      gesture = { kind: onHandle && fresh ? "resize" : "drag", start: [px, py], box: box.slice() };
    }
  }
  view.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    pointers.set(event.pointerId, at(event));
    const points = [...pointers.values()];
    const [x0, y0, s0] = gesture.box;
    if (gesture.kind === "pinch" && points.length >= 2) {
      const [a, b] = points;
      const dist = Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
      const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const side = s0 * (dist / gesture.dist);
      const cx = x0 + s0 / 2 + (mid[0] - gesture.mid[0]), cy = y0 + s0 / 2 + (mid[1] - gesture.mid[1]);
      setBox([cx - side / 2, cy - side / 2, side], { final: false });
    } else if (gesture.kind === "drag") {
      const [px, py] = points[0];
      setBox([x0 + px - gesture.start[0], y0 + py - gesture.start[1], s0], { final: false });
    } else if (gesture.kind === "resize") {
      const [px, py] = points[0];
      const side = Math.max(px - x0, py - y0);
      setBox([x0, y0, side], { final: false });
    }
  });
  const end = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (pointers.size === 0) { gesture = null; setBox(box, { final: true }); }
    else startGesture();
  };
  view.addEventListener("pointerup", end);
  view.addEventListener("pointercancel", end);
  view.addEventListener("wheel", (event) => {
    if (!box) return;
    event.preventDefault();
    grow(event.deltaY > 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  view.addEventListener("keydown", (event) => {
    if (!box) return;
    const step = Math.max(1, Math.round(box[2] * (event.shiftKey ? 0.1 : 0.02)));
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) { event.preventDefault(); move(...moves[event.key]); }
    else if (event.key === "+" || event.key === "=") { event.preventDefault(); grow(1.1); }
    else if (event.key === "-" || event.key === "_") { event.preventDefault(); grow(1 / 1.1); }
    else if (event.key === "0" || event.key === "Home") { event.preventDefault(); reset(); }
  });
  if ("ResizeObserver" in window) new ResizeObserver(() => draw()).observe(el);

  return {
    el, canvas: view,
    get box() { return box ? box.slice() : null; },
    get picture() { return picture; },
    /** Show a new picture with its default box (or `startBox`); calls onChange unless `silent`. */
    setPicture(next, startBox = null, { silent = false } = {}) {
      picture = next;
      live = null;
      initial = startBox || defaultCrop(next.rgba, next.width, next.height);
      box = null;
      view.hidden = false;
      setBox(initial, { final: true, silent });
    },
    /** A new frame of the same scene (the live camera): keep the box when the size is unchanged. */
    updatePicture(next) {
      if (!picture || next.width !== picture.width || next.height !== picture.height || !box) return this.setPicture(next, null, { silent: true });
      picture = next;
      draw();
    },
    /** While the camera runs, draw this (a <video>) instead of the last frame. */
    setLive(video) { live = video; },
    redraw: draw,
    setBox, reset, grow, move,
  };
}
