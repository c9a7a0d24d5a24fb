// The picture a classifier looks at: a file, a sample's URL or a video frame decoded into
// {canvas, width, height, rgba, hasAlpha, name, notes, original}, and its crop square drawn onto a canvas.
//
// * `loadPicture(blob)` decodes a file the way ARCHITECTURE.md's data flow says (step 1) (createImageBitmap with
//   imageOrientation "from-image": EXIF orientation honoured), refuses what is not a picture with a
//   plain message, and scales anything larger than 1024 px down for the screen, the crop box and the
//   CNN (a 6000 × 4000 photo would otherwise cost 96 MB per copy); it keeps the full-size bitmap of such
//   a picture, from which svm-input.js reads HOG + SVM's pixels without any canvas resampling.
// * `drawCrop(picture, box, size)`: the crop square on a background (the square may reach outside the picture).

/** Pictures are scaled down to this longer side before anything else. */
export const MAX_SIDE = 1024;

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
