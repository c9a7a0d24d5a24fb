// The picture a classifier looks at, and the square crop box that frames the Pokémon in it.
//
// * `loadPicture(blob)` decodes a file the way ARCHITECTURE.md's data flow says (step 1) (createImageBitmap with
//   imageOrientation "from-image": EXIF orientation honoured), refuses what is not a picture with a
//   plain message, and scales anything larger than 1024 px down for the screen, the crop box and the
//   CNN (a 6000 × 4000 photo would otherwise cost 96 MB per copy); it keeps the full-size bitmap of such
//   a picture, from which svm-input.js reads HOG + SVM's pixels without any canvas resampling.
// * `defaultCrop(rgba, width, height)` is pyodemo.classify.default_crop, line for line (a Playwright
//   test holds the two equal): the square around the visible pixels plus 8 % for a sprite, the centred
//   largest square for an opaque photo. The square may reach outside the picture: outside is background.
// * `createCropBox()` shows the picture with that square on it: drag it, pinch it, wheel or +/− to
//   resize, arrow keys to move, 0 to reset.

/** The default crop's margin: a fraction of the visible box's longer side, added on each side. */
export const MARGIN = 0.08;
/** Pictures are scaled down to this longer side before anything else. */
export const MAX_SIDE = 1024;

/**
 * The default crop square [x, y, side] (pyodemo.classify.default_crop): with transparency (some
 * alpha < 255 and some > 0) the alpha > 0 bounding box [x0, x1) × [y0, y1) gives
 * longer = max(x1 − x0, y1 − y0), pad = floor(margin · longer + 0.5), side = longer + 2 · pad and the
 * corner floor((x0 + x1 − side) / 2), floor((y0 + y1 − side) / 2); otherwise the centred largest square.
 */
export function defaultCrop(rgba, width, height, margin = MARGIN) {
  return squareAround(alphaBounds(rgba, width, height), width, height, margin);
}

/** A fresh {opaque, empty, x0, x1, y0, y1} for alphaBounds (x1, y1 inclusive; −1 while nothing is visible). */
export const noBounds = (width, height) => ({ opaque: true, empty: true, x0: width, x1: -1, y0: height, y1: -1 });

/**
 * Adds `rows` rows of RGBA pixels, `width` a row, whose first row is the picture's row `top`, to
 * `bounds`: whether every alpha is 255, whether every alpha is 0, and the box of the alpha > 0 pixels.
 */
export function alphaBounds(rgba, width, rows, bounds = noBounds(width, rows), top = 0) {
  const b = bounds;
  for (let y = top, i = 3; y < top + rows; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const a = rgba[i];
      if (a !== 255) b.opaque = false;
      if (a !== 0) {
        b.empty = false;
        if (x < b.x0) b.x0 = x;
        if (x > b.x1) b.x1 = x;
        if (y < b.y0) b.y0 = y;
        b.y1 = y;
      }
    }
  }
  return b;
}

/** The default crop square of a picture of `width` × `height` from its alphaBounds (defaultCrop's rule). */
export function squareAround({ opaque, empty, x0, x1, y0, y1 }, width, height, margin = MARGIN) {
  if (opaque || empty) {
    const side = Math.min(width, height);
    return [Math.floor((width - side) / 2), Math.floor((height - side) / 2), side];
  }
  x1 += 1; y1 += 1;
  const longer = Math.max(x1 - x0, y1 - y0);
  const pad = Math.floor(margin * longer + 0.5);
  const side = longer + 2 * pad;
  return [Math.floor((x0 + x1 - side) / 2), Math.floor((y0 + y1 - side) / 2), side];
}

// ---- decoding -------------------------------------------------------------------------------------

const ascii = (bytes, from, to) => String.fromCharCode(...bytes.subarray(from, to));

/** What the first bytes of a file say it is: "png", "jpeg", "gif", "webp", "bmp", "heic", "avif", … or null. */
export function sniff(bytes) {
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 4) === "PNG") return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 6 && ascii(bytes, 0, 4) === "GIF8") return "gif";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "webp";
  if (bytes.length >= 2 && ascii(bytes, 0, 2) === "BM") return "bmp";
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0) return "ico";
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === "ftyp") {
    const brand = ascii(bytes, 8, 12);
    if (brand.startsWith("avi")) return "avif";
    if (/^(hei|hev|mif1|msf1)/.test(brand)) return "heic";
    return "iso-media";
  }
  if (bytes.length >= 5 && /^\s*<(\?xml|svg)/i.test(ascii(bytes, 0, Math.min(bytes.length, 64)))) return "svg";
  return null;
}

const FORMATS = "a JPEG, PNG, GIF or WebP picture";

export function canvas(width, height) {
  if (typeof OffscreenCanvas === "function") return new OffscreenCanvas(width, height);
  return Object.assign(document.createElement("canvas"), { width, height });
}

async function decode(blob) {
  try {
    return await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch (error) {
    if (error?.name !== "TypeError") throw error;
    return createImageBitmap(blob); // an older browser that does not know "from-image"
  }
}

/**
 * A file (Blob) → {canvas, width, height, rgba, hasAlpha, name, notes, original}: the picture upright, at
 * most `maxSide` px on its longer side, with its straight-alpha RGBA pixels. `original` is the decoded
 * picture's {width, height}; when it was scaled down, also `source` (the full-size ImageBitmap, which
 * svm-input.js reads HOG + SVM's pixels from, strip by strip) and `opaque` (true for a JPEG, which has no
 * alpha). Throws an Error whose message is meant for people when the file is empty, not a picture, or a
 * picture this browser cannot decode.
 */
export async function loadPicture(blob, { name = blob?.name || "your picture", maxSide = MAX_SIDE } = {}) {
  if (!blob || blob.size === 0) throw new Error("That file is empty (0 bytes): choose a photo or a picture.");
  const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  const kind = sniff(head);
  const notes = [];
  let bitmap;
  try {
    bitmap = await decode(blob);
  } catch {
    if (kind === "heic") {
      throw new Error("This browser cannot open HEIC photos (the iPhone's default format). Choose "
        + `${FORMATS} instead; on an iPhone, “Take a photo” gives a JPEG, or set Camera › Formats › Most Compatible.`);
    }
    if (kind === null) throw new Error(`That file is not a picture (it does not start like ${FORMATS}).`);
    if (kind === "svg") throw new Error(`This browser cannot turn that SVG drawing into pixels here. Choose ${FORMATS}.`);
    throw new Error(`This browser cannot read that ${kind.toUpperCase()} file: it may be damaged. Try ${FORMATS}.`);
  }
  let keep = false; // a scaled-down picture keeps its full-size bitmap for HOG + SVM
  try {
    const w0 = bitmap.width, h0 = bitmap.height;
    if (!w0 || !h0) throw new Error("That picture has no pixels.");
    const scale = Math.min(1, maxSide / Math.max(w0, h0));
    const width = Math.max(1, Math.round(w0 * scale)), height = Math.max(1, Math.round(h0 * scale));
    if (scale < 1) notes.push(`scaled down from ${w0} × ${h0} px to ${width} × ${height} px`);
    if (kind === "gif" && isAnimated(new Uint8Array(await blob.arrayBuffer()))) notes.push("an animated GIF: its first frame");
    if (Math.max(w0, h0) < 16) notes.push(`a tiny picture (${w0} × ${h0} px): the answer means little`);
    const c = canvas(width, height);
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, width, height);
    const rgba = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
    let hasAlpha = false, visible = false;
    for (let i = 3; i < rgba.length; i += 4) {
      if (rgba[i] !== 255) hasAlpha = true;
      if (rgba[i] !== 0) visible = true;
      if (hasAlpha && visible) break;
    }
    if (!visible) notes.push("fully transparent: there is nothing to see, so the models see only background");
    const original = { width: w0, height: h0 };
    if (scale < 1) { keep = true; Object.assign(original, { source: bitmap, opaque: kind === "jpeg" }); }
    return { canvas: c, width, height, rgba, hasAlpha, name, notes, original };
  } finally {
    if (!keep) bitmap.close?.();
  }
}

/** Whether a GIF holds more than one image (an animation): count its image descriptors. */
function isAnimated(bytes) {
  // Walk the GIF blocks: header (13 bytes + global colour table), then extensions and images.
  if (bytes.length < 13) return false;
  let i = 13;
  if (bytes[10] & 0x80) i += 3 * (1 << ((bytes[10] & 7) + 1));
  let images = 0;
  const skipBlocks = () => { while (i < bytes.length && bytes[i] !== 0) i += bytes[i] + 1; i += 1; };
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x3b) break; // trailer
    if (b === 0x21) { i += 2; skipBlocks(); continue; } // extension: label, then sub-blocks
    if (b !== 0x2c) break;
    if (++images > 1) return true;
    const packed = bytes[i + 9];
    i += 10;
    if (packed & 0x80) i += 3 * (1 << ((packed & 7) + 1));
    i += 1; // LZW minimum code size
    skipBlocks();
  }
  return false;
}

/** A picture from a URL of this site (a sample). */
export async function loadPictureURL(url, name) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${name || url} (HTTP ${response.status}).`);
  return loadPicture(await response.blob(), { name });
}

/** A picture from a video frame (the live camera), at most `maxSide` px on its longer side. */
export function pictureFromVideo(video, { name = "camera", maxSide = 640, reuse = null } = {}) {
  const w0 = video.videoWidth, h0 = video.videoHeight;
  if (!w0 || !h0) return null;
  const scale = Math.min(1, maxSide / Math.max(w0, h0));
  const width = Math.max(1, Math.round(w0 * scale)), height = Math.max(1, Math.round(h0 * scale));
  const c = reuse && reuse.width === width && reuse.height === height ? reuse : canvas(width, height);
  const ctx = c.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(video, 0, 0, width, height);
  const rgba = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
  return { canvas: c, width, height, rgba, hasAlpha: false, name, notes: [], original: { width: w0, height: h0 } };
}

/**
 * The crop square of a picture drawn onto a new canvas of `size` × `size` pre-filled with `background`
 * ([r, g, b]; null: transparent); the part of the square outside the picture stays background.
 */
export function drawCrop(picture, box, size, background = [255, 255, 255], target = null) {
  const c = target && target.width === size && target.height === size ? target : canvas(size, size);
  const ctx = c.getContext("2d", { willReadFrequently: true });
  ctx.globalCompositeOperation = "source-over";
  if (background) {
    ctx.fillStyle = `rgb(${background.map((v) => Math.round(v)).join(", ")})`;
    ctx.fillRect(0, 0, size, size);
  } else {
    ctx.clearRect(0, 0, size, size); // transparent: outside the picture stays alpha 0
  }
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  const [x, y, side] = box;
  // clip the square to the picture ourselves (drawImage's own clipping differs between browsers)
  const sx0 = Math.max(0, x), sy0 = Math.max(0, y);
  const sx1 = Math.min(picture.width, x + side), sy1 = Math.min(picture.height, y + side);
  if (sx1 > sx0 && sy1 > sy0) {
    const k = size / side;
    ctx.drawImage(picture.canvas, sx0, sy0, sx1 - sx0, sy1 - sy0,
      (sx0 - x) * k, (sy0 - y) * k, (sx1 - sx0) * k, (sy1 - sy0) * k);
  }
  return c;
}

// ---- the crop box on screen -----------------------------------------------------------------------

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
