// HOG explorer (HOG page): a sample, an upload or the camera → the image cut into cells, each cell's
// orientation histogram drawn as glyphs (as scikit-image's hog(..., visualize=True)), the feature length,
// and a chosen cell's histogram as a bar chart. pyodemo.web.hog_explorer / pyodemo.hog compute; this file draws.
import { call, warmUp } from "../python.js";
import { viewSwitch } from "../slide-views.js";
import { drawHogGlyphs, h, imagePicker, paintRGBA, pythonStatus, whenVisible } from "../ui.js";

const SIZES = [32, 48, 64, 96, 128];
const CELLS = [4, 6, 8, 12, 16];
const ORIENTATIONS = Array.from({ length: 15 }, (_, i) => i + 4); // 4…18
const BLOCKS = [1, 2, 3];
const MAX_SIDE = 128; // images are downscaled in the browser before they reach the worker
const thousands = (n) => Number(n).toLocaleString("en-US");
let uid = 0;

export function mount(el) {
  const id = `hogx-${++uid}`;
  const settings = { size: 64, cell: 8, orientations: 9, block: 2 };
  let token = null, view = null, source = null, selected = { row: 0, col: 0 };
  let picked = false, loadSeq = 0, viewSeq = 0, timer = null;

  // ---- controls: a labelled <select> each, so a keyboard changes them with the arrow keys
  const select = (key, label, values, unit = "") => {
    const s = h("select", { id: `${id}-${key}`, dataset: { setting: key } },
      values.map((v) => h("option", { value: v, selected: v === settings[key] }, `${v}${unit}`)));
    s.value = String(settings[key]);
    s.addEventListener("change", () => { settings[key] = Number(s.value); refresh(); });
    return h("label", { class: "hogx-control" }, h("span", {}, label), s);
  };
  const controls = h("div", { class: "pyodemo-row hogx-controls", role: "group", "aria-label": "HOG settings" },
    select("size", "Image size", SIZES, " px"), select("cell", "Cell size", CELLS, " px"),
    select("orientations", "Orientations", ORIENTATIONS), select("block", "Block size", BLOCKS, " cells"));
  const glyphsBox = h("input", { type: "checkbox", id: `${id}-glyphs`, checked: true });
  glyphsBox.addEventListener("change", () => draw());

  // ---- the image with its glyphs; arrow keys move the chosen cell, Enter/Space chooses it
  const canvas = h("canvas", { class: "hogx-canvas", tabindex: 0, width: 384, height: 384,
    "aria-label": "The image with its HOG cells: click a cell, or use the arrow keys and Enter" });
  const imageName = h("p", { class: "pyodemo-note hogx-name", "aria-live": "polite" }, "Loading an image…");
  const feature = h("div", { class: "hogx-feature", "aria-live": "polite" });
  const histogram = histogramPanel();
  const message = h("p", { class: "pyodemo-note", role: "status" });

  const figure = h("div", { class: "hogx-figure" },
    h("div", { class: "hogx-picture" }, canvas,
      h("label", { for: glyphsBox.id, class: "hogx-check" }, glyphsBox, " draw the glyphs")),
    h("div", { class: "hogx-side" }, feature, histogram.el));

  // ---- image sources: samples + upload (imagePicker), and the camera
  const picker = imagePicker((img) => { picked = true; useImage(img, img.name); }, { maxSide: MAX_SIDE, label: "Image", camera: true });

  // slide mode: beside the picture, the feature length or the chosen cell's histogram (slide-views.js)
  const views = viewSwitch(el, [["feature", "Feature length", [feature]], ["cell", "The chosen cell", [histogram.el]]], "Beside the picture");
  el.replaceChildren(h("h3", {}, "Try it: HOG on any image"), pythonStatus(), picker, controls, imageName, message, views, figure);

  function showMessage(error) {
    message.textContent = error ? (error.message || String(error)) : "";
    message.classList.toggle("pyodemo-error", Boolean(error));
    if (error) message.setAttribute("role", "alert"); else message.setAttribute("role", "status");
  }

  // ---- Python: take an image (by token), then one view per setting of the controls
  async function useImage({ rgba, width, height }, name, seq = ++loadSeq) {
    try {
      const r = await call("hog_explorer.hog_image", { width, height }, { rgba });
      if (seq !== loadSeq) return;
      token = r.token;
      source = { name, width: r.width, height: r.height };
      el.dataset.image = name;
      showName();
      refresh(true);
    } catch (error) { if (seq === loadSeq) showMessage(error); }
  }

  function refresh(now = false) {
    clearTimeout(timer);
    timer = setTimeout(update, now ? 0 : 120);
  }

  async function update() {
    if (token === null) return;
    const seq = ++viewSeq;
    el.dataset.busy = "true";
    try {
      const v = await call("hog_explorer.hog_view", { token, ...settings });
      if (seq !== viewSeq) return;
      const fresh = !view || view.token !== token;
      view = { ...v, token };
      showMessage(null);
      // a new image starts on its strongest cell; new settings keep the chosen cell where it still exists
      selected = fresh || selected.row >= v.cells_down || selected.col >= v.cells_across
        ? { row: v.strongest[0], col: v.strongest[1] } : selected;
      draw();
      showFeature();
      showCell();
      showName();
      el.dataset.ready = `${v.size}/${v.cell}/${v.orientations}/${v.block}/${token}`;
    } catch (error) {
      if (seq !== viewSeq) return;
      view = null;
      showMessage(error);
      feature.replaceChildren();
      histogram.clear();
      draw();
    } finally {
      if (seq === viewSeq) delete el.dataset.busy;
    }
  }

  function showName() {
    if (!source) return;
    const made = view ? `, made ${view.size} × ${view.size} px by pyodemo` : "";
    imageName.textContent = `${source.name} (${source.width} × ${source.height} px${made})`;
  }

  // ---- drawing
  function draw() { drawCells(canvas, view, selected, glyphsBox.checked); }
  function showFeature() { feature.replaceChildren(...featureParts(view)); }

  function showCell() {
    if (!view) return;
    const { row, col } = selected;
    histogram.show(view, row, col);
    canvas.setAttribute("aria-label",
      `The image with its HOG cells. Chosen: cell row ${row + 1}, column ${col + 1} of ${view.cells_down}. ` +
      "Click a cell, or use the arrow keys and Enter.");
  }

  function choose(row, col) {
    if (!view) return;
    selected = { row: Math.max(0, Math.min(view.cells_down - 1, row)), col: Math.max(0, Math.min(view.cells_across - 1, col)) };
    draw();
    showCell();
  }

  canvas.addEventListener("click", (e) => {
    if (!view) return;
    const rect = canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * view.size, y = ((e.clientY - rect.top) / rect.height) * view.size;
    choose(Math.floor(y / view.cell), Math.floor(x / view.cell));
  });
  canvas.addEventListener("keydown", (e) => {
    const step = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[e.key];
    if (step && view) { e.preventDefault(); choose(selected.row + step[0], selected.col + step[1]); }
    else if ((e.key === "Enter" || e.key === " ") && view) { e.preventDefault(); choose(selected.row, selected.col); }
  });

  // A synthetic picture from Python until (or unless) a sample or a photo is picked.
  whenVisible(el, async () => {
    warmUp();
    if (picked) return;
    const seq = ++loadSeq;
    try {
      const demo = await call("hog_explorer.demo_image", { size: 64 });
      if (!picked && seq === loadSeq) await useImage(demo, "A synthetic test picture", seq);
    } catch (error) { if (!picked) showMessage(error); }
  });
}

/** The image (the gray picture Python made, `zoom` screen px a pixel) with its cell grid, the cells' glyphs
 *  (`glyphs`), the pixels no whole cell covers greyed out and the chosen cell framed in red. */
function drawCells(canvas, view, selected, glyphs) {
  const ctx = canvas.getContext("2d");
  if (!view) { ctx.clearRect(0, 0, canvas.width, canvas.height); return; }
  const zoom = Math.max(2, Math.round(448 / view.size));
  const side = view.size * zoom, cellPx = view.cell * zoom;
  if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
  const small = h("canvas");
  paintRGBA(small, view.gray_rgba, view.size, view.size);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, side, side);
  if (glyphs) { ctx.fillStyle = "rgba(0, 0, 0, 0.6)"; ctx.fillRect(0, 0, side, side); }
  const covered = view.cells_across * cellPx;
  if (covered < side) { // pixels beyond the last whole cell: HOG ignores them
    ctx.fillStyle = "rgba(120, 120, 120, 0.75)";
    ctx.fillRect(covered, 0, side - covered, side);
    ctx.fillRect(0, covered, covered, side - covered);
  }
  ctx.strokeStyle = "rgba(255, 255, 255, 0.18)";
  ctx.lineWidth = 1;
  for (let i = 0; i <= view.cells_across; i++) {
    ctx.beginPath(); ctx.moveTo(i * cellPx + 0.5, 0); ctx.lineTo(i * cellPx + 0.5, covered); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, i * cellPx + 0.5); ctx.lineTo(covered, i * cellPx + 0.5); ctx.stroke();
  }
  if (glyphs) drawHogGlyphs(ctx, view.histograms, view.bin_centres, cellPx, view.peak, Math.max(1.5, zoom * 0.35));
  ctx.strokeStyle = "#ff1744";
  ctx.lineWidth = 3;
  ctx.strokeRect(selected.col * cellPx + 1.5, selected.row * cellPx + 1.5, cellPx - 3, cellPx - 3);
}

/** The cells, the bins and the feature length of the view `v`, as paragraphs (or the problem Python found). */
function featureParts(v) {
  const parts = [
    h("p", { class: "hogx-cells" }, `${v.cells_down} × ${v.cells_across} cells of ${v.cell} × ${v.cell} px`,
      v.ignored_pixels ? ` (the last ${v.ignored_pixels} px on the right and bottom fit in no whole cell and are ignored)` : "",
      `; ${v.orientations} orientation bins of ${+v.bin_width.toFixed(2)}° over 0–180°.`),
  ];
  if (v.problem) {
    parts.push(h("p", { class: "pyodemo-error", role: "alert", dataset: { problem: "" } }, v.problem));
  } else {
    parts.push(
      h("p", { class: "hogx-length" }, "Feature length ",
        h("strong", { dataset: { featureLength: v.feature_length } }, thousands(v.feature_length)), " = ",
        h("span", { class: "hogx-formula" },
          `${v.blocks_down} × ${v.blocks_across} blocks × ${v.block} × ${v.block} cells per block × ${v.orientations} orientations`)),
      h("p", { class: "pyodemo-note" }, `A block of ${v.block} × ${v.block} cells slides one cell at a time: `,
        `${v.cells_down} − ${v.block} + 1 = ${v.blocks_down} positions each way. `,
        "pyodemo's hog() returned ", h("span", { dataset: { hogLength: v.hog_length } }, thousands(v.hog_length)), " numbers."),
    );
  }
  return parts;
}

// The chosen cell's histogram: a bar chart (0–180°, bin centres labelled) and the numbers in a table.
function histogramPanel() {
  const title = h("p", { class: "hogx-hist-title", "aria-live": "polite" }, "Pick a cell to see its histogram.");
  const chart = h("canvas", { class: "hogx-chart", width: 320, height: 200, role: "img", "aria-label": "Histogram of the chosen cell" });
  const body = h("tbody");
  const table = h("table", { class: "hogx-table" },
    h("caption", {}, "Votes per bin: the mean gradient magnitude (pixel values 0–1) per pixel of the cell, before block normalisation"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "bin"), h("th", { scope: "col" }, "centre"), h("th", { scope: "col" }, "value"))),
    body);
  const axis = h("p", { class: "pyodemo-note hogx-axis" }, "Bars: the bins, labelled by their centre (the gradient direction, 0–180°).");
  const el = h("section", { class: "hogx-histogram", "aria-label": "Histogram of the chosen cell" }, title, chart, axis, table);
  // the labels follow the chart's CSS size (a page, a phone, slide mode): drawn again when its box changes
  let drawn = null;
  if ("ResizeObserver" in window) new ResizeObserver(() => { if (drawn) drawBars(chart, ...drawn); }).observe(chart);

  function show(view, row, col) {
    const bins = view.histograms[row][col];
    el.dataset.row = row;
    el.dataset.col = col;
    title.replaceChildren(h("strong", {}, `Cell row ${row + 1}, column ${col + 1}`),
      ` (pixels ${col * view.cell}–${(col + 1) * view.cell - 1} across, ${row * view.cell}–${(row + 1) * view.cell - 1} down)`);
    const w = view.bin_width;
    body.replaceChildren(...bins.map((value, b) => h("tr", {},
      h("td", {}, `${+(b * w).toFixed(1)}–${+((b + 1) * w).toFixed(1)}°`),
      h("td", {}, `${+view.bin_centres[b].toFixed(1)}°`),
      h("td", { dataset: { bin: b, value: String(value) } }, value.toFixed(4)))));
    drawn = [bins, view.bin_centres];
    drawBars(chart, ...drawn);
    chart.setAttribute("aria-label", `Histogram of cell row ${row + 1}, column ${col + 1}: ` +
      bins.map((v, b) => `${+view.bin_centres[b].toFixed(1)}° ${v.toFixed(3)}`).join(", "));
  }
  function clear() {
    body.replaceChildren();
    drawn = null;
    title.textContent = "No histogram for these settings.";
    chart.getContext("2d").clearRect(0, 0, chart.width, chart.height);
  }
  return { el, show, clear };
}

// The labels are drawn at the canvas's CSS font size (slides/css/widgets-hog-conv.css: 24 px of the 1080 px
// slide in slide mode), converted to canvas pixels: font px × canvas width / CSS width.
function drawBars(canvas, bins, centres) {
  const ctx = canvas.getContext("2d");
  const style = getComputedStyle(canvas), W = canvas.width, H = canvas.height;
  const px = (parseFloat(style.fontSize) || 12) * (canvas.clientWidth ? W / canvas.clientWidth : 1);
  const colour = style.color || "#444";
  ctx.clearRect(0, 0, W, H);
  ctx.font = `${px}px system-ui, sans-serif`;
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  const peak = Math.max(...bins, 0);
  const topValue = peak > 0 ? peak : 1;
  const left = ctx.measureText(topValue.toFixed(3)).width + px * 0.5, right = 6, top = px * 0.6, bottom = px * 1.4;
  const plotW = W - left - right, plotH = H - top - bottom, barW = plotW / bins.length;
  // axes and the peak value
  ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, top + plotH); ctx.lineTo(left + plotW, top + plotH); ctx.stroke();
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  ctx.fillText(topValue.toFixed(3), left - px * 0.25, top);
  ctx.fillText("0", left - px * 0.25, top + plotH);
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const widest = Math.max(...centres.map((c) => ctx.measureText(`${Math.round(c)}°`).width));
  const every = Math.max(1, Math.ceil((widest + 2) / barW)); // label every bin that fits
  bins.forEach((value, b) => {
    const x = left + b * barW, barH = (value / topValue) * plotH;
    ctx.fillStyle = value === peak && peak > 0 ? "#ff1744" : "#f2a900";
    ctx.fillRect(x + 1.5, top + plotH - barH, barW - 3, barH);
    ctx.fillStyle = colour;
    if (b % every === 0) ctx.fillText(`${Math.round(centres[b])}°`, x + barW / 2, top + plotH + px * 0.3);
  });
}
