// The pixels HOG + SVM gets: Python (pyodemo.classify.prepare) decides every pixel the model sees, so the
// browser never resamples a picture for it on a canvas (canvas resampling differs between engines). It sends
// the decoded picture's own pixels, and for a big picture an exact integer reduction of the crop square that
// `python -m export predict` mirrors (export/svm_input.py: the same formula, the same bytes).
//
// For a picture of W × H pixels (as decoded, upright) and a crop square [x, y, s] in its pixels:
// * W · H ≤ SEND_MAX: the whole picture and the box go to Python;
// * otherwise k = ⌈s / SEND_SIDE⌉, m = ⌊s / k⌋: the square [x, x + m·k) × [y, y + m·k) is cut into m × m
//   blocks of k × k pixels, each of which becomes one pixel; outside the picture counts as transparent (alpha
//   0: Python's background). With A = Σ a and C = Σ c · a over a block (c one of r, g, b; a the alpha 0..255):
//   alpha = ⌊(2A + k²) / (2k²)⌋ and c = ⌊(2C + A) / (2A)⌋ (0 when A = 0): means rounded half up, in integers.
//   Python gets the m × m picture (m ≤ 256) and the box [0, 0, m].
//
// The pixels are read from the full-size bitmap loadPicture kept (picture.js), through one canvas of at most
// STRIP_PIXELS, strip by strip: never a canvas near iOS's ~16.7 Mpx limit, whatever the photo's size. The crop
// box on screen is in the shown picture's pixels; originalBox maps it to the decoded picture's, and the
// untouched default box is pyodemo.classify.default_crop of the decoded picture itself.
import { MARGIN, alphaBounds, defaultCrop, noBounds, squareAround } from "./default-crop.js";
import { canvas } from "./picture.js";

/** Pictures up to this many pixels go to Python whole (export/svm_input.py: SEND_MAX). */
export const SEND_MAX = 512 * 512;
/** A larger picture's crop square is reduced to at most this many pixels a side (SEND_SIDE). */
export const SEND_SIDE = 256;
/** The strip canvas holds at most this many pixels (16 MB of RGBA). */
const STRIP_PIXELS = 4 * 1024 * 1024;

/** k = ⌈side / SEND_SIDE⌉: the block a big picture's crop square is averaged over. */
export const blockSize = (side) => Math.max(1, Math.ceil(side / SEND_SIDE));

/** Where HOG + SVM's pixels come from: the kept full-size bitmap, or the shown picture when it is the decoded one. */
function sourceOf(picture) {
  const o = picture.original;
  return o?.source ? { image: o.source, width: o.width, height: o.height, scaled: true }
    : { image: picture.canvas, width: picture.width, height: picture.height, scaled: false };
}

/**
 * Calls visit(rgba, top, rows) for the rows [y0, y1) of columns [x0, x1) of `image`, a strip at a time
 * (copied 1:1 onto a canvas of at most STRIP_PIXELS, so no resampling), yielding to the page between strips.
 */
async function eachStrip(image, x0, x1, y0, y1, visit) {
  const width = x1 - x0;
  const rows = Math.max(1, Math.min(y1 - y0, Math.floor(STRIP_PIXELS / width)));
  const strip = canvas(width, rows);
  const ctx = strip.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingEnabled = false;
  for (let top = y0; top < y1; top += rows) {
    const n = Math.min(rows, y1 - top);
    ctx.clearRect(0, 0, width, rows);
    ctx.drawImage(image, x0, top, width, n, 0, 0, width, n);
    visit(new Uint8Array(ctx.getImageData(0, 0, width, n).data.buffer), top, n);
    if (top + rows < y1) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const defaults = new WeakMap(); // picture → {shown, original}: its default crop on screen and in the decoded picture

/** The default crop of a scaled-down picture: on screen, and pyodemo.classify.default_crop of the decoded picture. */
async function defaultsOf(picture, src) {
  if (!defaults.has(picture)) {
    const bounds = noBounds(src.width, src.height);
    if (!picture.original.opaque) {
      await eachStrip(src.image, 0, src.width, 0, src.height, (rgba, top, rows) => alphaBounds(rgba, src.width, rows, bounds, top));
    }
    defaults.set(picture, { shown: defaultCrop(picture.rgba, picture.width, picture.height),
      original: squareAround(bounds, src.width, src.height, MARGIN) });
  }
  return defaults.get(picture);
}

/**
 * The crop square `box` (in the shown picture's pixels) in the decoded picture's pixels: the default box is
 * the decoded picture's own default crop; a box the person moved is scaled by f = (decoded longer side) /
 * (shown longer side) and rounded: [round(x·f), round(y·f), max(1, round(side·f))].
 */
export async function originalBox(picture, box) {
  const src = sourceOf(picture);
  if (!src.scaled) return box.slice();
  const { shown, original } = await defaultsOf(picture, src);
  if (box.every((v, i) => v === shown[i])) return original.slice();
  const f = Math.max(src.width, src.height) / Math.max(picture.width, picture.height);
  return [Math.round(box[0] * f), Math.round(box[1] * f), Math.max(1, Math.round(box[2] * f))];
}

/** The crop square [x, y, s] of `image` (W × H) in k × k blocks: m × m RGBA bytes, m = ⌊s / k⌋ (see the top). */
export async function reduceCrop(image, W, H, [x, y, s], k) {
  const m = Math.floor(s / k), span = m * k, kk = k * k;
  const sums = new Float64Array(m * m * 4); // Σ r·a, Σ g·a, Σ b·a, Σ a per block: whole numbers < 2^53
  const x0 = Math.max(x, 0), x1 = Math.min(x + span, W), y0 = Math.max(y, 0), y1 = Math.min(y + span, H);
  if (x1 > x0 && y1 > y0) {
    const column = new Int32Array(x1 - x0); // picture column → its block's column × 4
    for (let c = 0; c < column.length; c++) column[c] = 4 * Math.floor((x0 + c - x) / k);
    await eachStrip(image, x0, x1, y0, y1, (rgba, top, rows) => {
      for (let r = 0, i = 0; r < rows; r++) {
        const row = 4 * m * Math.floor((top + r - y) / k);
        for (let c = 0; c < column.length; c++, i += 4) {
          const a = rgba[i + 3];
          if (a === 0) continue;
          const b = row + column[c];
          sums[b] += rgba[i] * a; sums[b + 1] += rgba[i + 1] * a; sums[b + 2] += rgba[i + 2] * a; sums[b + 3] += a;
        }
      }
    });
  }
  const out = new Uint8Array(m * m * 4);
  for (let b = 0; b < out.length; b += 4) {
    const A = sums[b + 3];
    if (A === 0) continue;
    for (let c = 0; c < 3; c++) out[b + c] = Math.floor((2 * sums[b + c] + A) / (2 * A));
    out[b + 3] = Math.floor((2 * A + kk) / (2 * kk));
  }
  return out;
}

/**
 * What classifier.predict gets for the crop square `box` of `picture`: {rgba, width, height, box} plus, for
 * the widget to show and the tests to compare, `original` (the box in the decoded picture's pixels) and `k`.
 */
export async function svmInput(picture, box) {
  try {
    return await read(picture, box);
  } catch (error) {
    console.warn("HOG + SVM could not read the picture:", error);
    throw new Error("This browser could not read the picture's pixels for HOG + SVM "
      + `(${error?.name || "error"}): try a smaller photo, or take a new one.`);
  }
}

async function read(picture, box) {
  const src = sourceOf(picture);
  const original = await originalBox(picture, box);
  if (src.width * src.height <= SEND_MAX) {
    if (!src.scaled) return { rgba: picture.rgba, width: picture.width, height: picture.height, box: original, original, k: 1 };
    const parts = [];
    await eachStrip(src.image, 0, src.width, 0, src.height, (rgba) => parts.push(rgba.slice()));
    const rgba = new Uint8Array(4 * src.width * src.height);
    parts.reduce((at, p) => { rgba.set(p, at); return at + p.length; }, 0);
    return { rgba, width: src.width, height: src.height, box: original, original, k: 1 };
  }
  const k = blockSize(original[2]), m = Math.floor(original[2] / k);
  const rgba = await reduceCrop(src.image, src.width, src.height, original, k);
  return { rgba, width: m, height: m, box: [0, 0, m], original, k };
}
