// The classifier's "Step by step" figures: what each model was given. CNN: the crop square and its input;
// HOG + SVM: the crop resized on its background, grayscale, the HOG cells' histograms, the colour histogram.
import { drawHogGlyphs, h, paintRGBA } from "../ui.js";
import { drawCrop } from "../picture.js";
import { count } from "./cards.js";

/** A figure: a canvas and its caption, hidden until it shows something. */
function figure(title, label) {
  const canvas = h("canvas", { class: "clf-step__canvas", width: 64, height: 64, role: "img", "aria-label": label });
  const caption = h("figcaption", {}, h("strong", {}, title), h("span", { class: "clf-step__detail" }));
  const fig = h("figure", { class: "clf-step", hidden: true }, canvas, caption);
  return {
    el: fig, canvas,
    caption(text) { caption.lastChild.textContent = text; fig.hidden = false; },
  };
}

/**
 * The "Step by step" section of the widget `id`. → {el, svmRow, crop(picture, box, background), cnn(input),
 * svm(steps, n_features, input, hogColor)}; `svmRow` gets the class "is-stale" while its figures are older
 * than the crop on screen.
 */
export function pipelineSteps(id) {
  const f = {
    crop: figure("Crop", "The crop square"),
    cnn: figure("CNN input", "What the CNN sees"),
    input: figure("Resize", "HOG + SVM: the crop resized on its background"),
    gray: figure("Grayscale", "HOG + SVM: grayscale"),
    hog: figure("HOG", "HOG + SVM: the HOG cells' orientation histograms"),
    colours: figure("Colours", "HOG + SVM: the fullest bins of the colour histogram"),
  };
  const label = (text) => h("span", { class: "clf-steps__label" }, text);
  const svmRow = h("div", { class: "clf-steps__row", dataset: { model: "hog_svm" } },
    label("HOG + SVM"), f.input.el, f.gray.el, f.hog.el, f.colours.el);
  const el = h("section", { class: "clf-steps", "aria-labelledby": `${id}-steps` },
    h("h3", { id: `${id}-steps` }, "Step by step"),
    h("div", { class: "clf-steps__row", dataset: { model: "cnn" } }, label("CNN"), f.crop.el, f.cnn.el),
    svmRow);
  return {
    el, svmRow,
    crop: (picture, box, background) => paintCrop(f.crop, picture, box, background),
    cnn: (input) => paint(f.cnn, input.rgba, input.size, input.size, `${input.size} × ${input.size} px, colour`),
    svm: (r, p, hogColor) => paintSVM(f, r, p, hogColor),
  };
}

function paintCrop(step, picture, box, background) {
  const c = drawCrop(picture, box, 96, background);
  const ctx = step.canvas.getContext("2d");
  step.canvas.width = 96; step.canvas.height = 96;
  ctx.drawImage(c, 0, 0);
  step.caption(`${box[2]} × ${box[2]} px at (${box[0]}, ${box[1]})`);
}

/** HOG + SVM's figures from classifier.predict's answer `r` for the input `p` (svm-input.js). */
function paintSVM(f, r, p, hogColor) {
  const s = r.steps, size = s.size;
  paint(f.input, s.input, size, size, `${size} × ${size} px on its background`
    + (p.k > 1 ? ` (from ${p.original[2]} px, first averaged in ${p.k} × ${p.k} blocks)` : ""));
  paint(f.gray, s.gray, size, size, hogColor === "rgb" ? "for reference: this model's HOG takes the strongest colour channel"
    : "what HOG looks at");
  if (s.histograms) {
    paintGlyphs(f.hog, s, s.colors
      ? `${count(r.n_features - s.colors.n_features)} numbers, then ${count(s.colors.n_features)} for the colours`
      : `${count(r.n_features)} numbers`);
  }
  if (s.colors) paintColours(f.colours, s.colors);
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
