// Small DOM helpers shared by the widgets: build elements, show Python's progress, show errors in place.
import { onStatus } from "./python.js";

/** h("button", {class: "x", onclick}, "text", child…) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** A status line with a progress bar that follows the Python worker until it is ready. */
export function pythonStatus() {
  const bar = h("progress", { max: 3, value: 0, "aria-label": "Python loading progress" });
  const text = h("span", { class: "pyodemo-status__text" }, "Python not started yet");
  const el = h("div", { class: "pyodemo-status", role: "status", "aria-live": "polite" }, bar, text);
  onStatus((s) => {
    el.dataset.state = s.state;
    bar.value = s.state === "ready" ? 3 : s.step;
    bar.hidden = s.state === "ready" || s.state === "idle";
    text.textContent = s.state === "ready" ? `Python ${s.python ?? ""} ready in ${(s.bootMs / 1000).toFixed(1)} s`
      : s.stage || "Python not started yet";
  });
  return el;
}

/** Show `error` (an Error or text) inside `el`, replacing what was there; never a blank box. */
export function showError(el, error) {
  const message = typeof error === "string" ? error : error?.message || String(error);
  el.replaceChildren(h("p", { class: "pyodemo-error", role: "alert" }, message));
}

/** Run `mountFn(el)` when `el` first comes near the viewport (saves work on long pages). */
export function whenVisible(el, fn) {
  if (!("IntersectionObserver" in window)) return fn();
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      observer.disconnect();
      fn();
    }
  }, { rootMargin: "200px" });
  observer.observe(el);
}

/** Format a number the way the slides do: fixed decimals, a real minus sign. */
export const fmt = (x, digits = 2) => Number(x).toFixed(digits).replace("-", "−");

/**
 * Read an image file into canvas RGBA, downscaled so its longer side is at most `maxSide`.
 * Honours EXIF orientation. Throws an Error with a plain message for what the browser cannot decode.
 */
export async function loadImageFile(file, maxSide = 256) {
  if (!file || file.size === 0) throw new Error("That file is empty: pick a photo or an image.");
  if (file.type && !file.type.startsWith("image/")) throw new Error(`That is not an image (${file.type}).`);
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new Error("This browser cannot read that file as an image (try a JPEG or PNG).");
  }
  try {
    return bitmapToRGBA(bitmap, maxSide);
  } finally {
    bitmap.close();
  }
}

/** Draw an ImageBitmap/HTMLImageElement to a canvas no larger than maxSide; → {rgba, width, height}. */
export function bitmapToRGBA(source, maxSide = 256) {
  const w0 = source.width, h0 = source.height;
  if (!w0 || !h0) throw new Error("That image has no pixels.");
  const scale = Math.min(1, maxSide / Math.max(w0, h0));
  const width = Math.max(1, Math.round(w0 * scale)), height = Math.max(1, Math.round(h0 * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, width, height);
  const rgba = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
  return { rgba, width, height };
}

/** Load an image from a URL of this site into RGBA (see bitmapToRGBA). */
export async function loadImageURL(url, maxSide = 256) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${url} (${response.status}).`);
  return loadImageFile(await response.blob(), maxSide);
}

/** Paint RGBA bytes onto a canvas element at its pixel size. */
export function paintRGBA(canvas, rgba, width, height) {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

/**
 * HOG glyphs, as scikit-image's `hog(..., visualize=True)` draws them: per cell, one line per orientation
 * bin through the cell's centre, perpendicular to the bin's gradient direction θ (along the edge), as
 * bright as the bin's vote (`histograms[row][col][bin]` from Python, divided by `peak`). y grows downwards,
 * so the gradient is (cos θ, sin θ) on screen and the line (−sin θ, cos θ). The HOG explorer and the
 * classifier's HOG step both draw with this.
 */
export function drawHogGlyphs(ctx, histograms, binCentres, cellPx, peak, lineWidth, rgb = "255, 236, 64") {
  if (!(peak > 0)) return;
  const dirs = binCentres.map((deg) => [-Math.sin((deg * Math.PI) / 180), Math.cos((deg * Math.PI) / 180)]);
  const radius = cellPx / 2 - 1;
  ctx.lineWidth = lineWidth;
  ctx.lineCap = "round";
  histograms.forEach((row, r) => row.forEach((bins, c) => {
    const cx = (c + 0.5) * cellPx, cy = (r + 0.5) * cellPx;
    bins.forEach((value, b) => {
      if (value <= 0) return;
      const [dx, dy] = dirs[b];
      ctx.strokeStyle = `rgba(${rgb}, ${Math.min(1, value / peak).toFixed(3)})`;
      ctx.beginPath();
      ctx.moveTo(cx - dx * radius, cy - dy * radius);
      ctx.lineTo(cx + dx * radius, cy + dy * radius);
      ctx.stroke();
    });
  }));
}

/** An address inside this site, from its root (ui.js lives in <root>/js/). */
export const siteURL = (path) => new URL(path, new URL("../", import.meta.url)).href;

/** The committed sample images (slides/models/samples/index.json), or [] when there are none. */
export async function samples(kind = null) {
  try {
    const response = await fetch(siteURL("models/samples/index.json"));
    if (!response.ok) return [];
    const list = (await response.json()).samples ?? [];
    return list.filter((s) => !kind || s.kind === kind).map((s) => ({ ...s, url: siteURL(`models/samples/${s.file}`),
      thumb: siteURL(`models/samples/${s.thumb ?? s.file}`) }));
  } catch {
    return [];
  }
}

/** A picker row: a <select> of samples, "Upload a photo" and (camera: true) a "Camera" button that opens
 *  the phone's camera app; calls onImage({rgba, width, height, name}); errors show in the row. */
export function imagePicker(onImage, { maxSide = 256, label = "Image", kind = null, camera = false } = {}) {
  // every form field has a name (Chrome reports a field with neither id nor name as an issue)
  const select = h("select", { name: "sample", "aria-label": `${label}: choose a sample` });
  const fileInput = (capture) => h("input", { type: "file", name: capture ? "camera" : "picture", accept: "image/*",
    class: "pyodemo-visually-hidden", tabindex: -1, "aria-hidden": "true", ...(capture ? { capture: "environment" } : {}) });
  const input = fileInput(false);
  const upload = h("button", { type: "button", onclick: () => input.click() }, "Upload a photo");
  const message = h("span", { class: "pyodemo-note", role: "status" });
  const row = h("div", { class: "pyodemo-row" }, h("label", {}, `${label}: `, select), upload, input);
  if (camera) {
    const cameraInput = fileInput(true);
    row.append(h("button", { type: "button", onclick: () => cameraInput.click() }, "Camera"), cameraInput);
    cameraInput.addEventListener("change", () => {
      const file = cameraInput.files?.[0];
      if (file) use(loadImageFile(file, maxSide), "your photo");
      cameraInput.value = "";
    });
  }
  row.append(message);
  let list = [];
  const use = async (promise, name) => {
    message.textContent = "";
    message.classList.remove("pyodemo-error");
    try {
      onImage({ ...(await promise), name });
    } catch (error) {
      message.textContent = error.message;
      message.classList.add("pyodemo-error");
    }
  };
  select.addEventListener("change", () => {
    const s = list[select.selectedIndex];
    if (s) use(loadImageURL(s.url, maxSide), s.class);
  });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) use(loadImageFile(file, maxSide), file.name);
    input.value = "";
  });
  samples(kind).then((found) => {
    list = found;
    select.replaceChildren(...found.map((s) => h("option", {}, `${s.class}${s.kind === "unseen-art" ? " (artwork)" : ""}`)));
    if (found.length) use(loadImageURL(found[0].url, maxSide), found[0].class);
    else select.replaceChildren(h("option", {}, "(no samples in this build)"));
  });
  return row;
}
