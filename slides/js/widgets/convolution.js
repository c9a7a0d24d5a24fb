// Convolution and ReLU (CNN page): the slide's 5×5 image × 3×3 kernel stepped window by window (products,
// sum, output grid), with toggleable pixels and an editable kernel; then preset kernels on a photo with
// ReLU on or off. pyodemo.web.convolution / pyodemo.convolve compute in the worker; this file draws.
import { viewSwitch } from "../slide-views.js";
import { call, warmUp } from "../python.js";
import { h, imagePicker, paintRGBA, pythonStatus, whenVisible } from "../ui.js";

// The slide's example (data, not computation: the outputs come from Python).
const SLIDE_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]];
const SLIDE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]];
const PLAY_MS = 900;
const MAX_SIDE = 128;
let uid = 0;

/** A number as the slides write it: integers plain, others to 3 decimals, a real minus sign. */
export function num(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "?";
  const text = Number.isInteger(x) ? String(x) : String(+Number(x).toFixed(3));
  return text.replace("-", "−");
}

export function mount(el) {
  const id = `convx-${++uid}`;
  const state = { kernel: SLIDE_KERNEL.map((r) => [...r]) };
  const stepper = stepperSection(id, state);
  const filters = filterSection(id, state);
  // slide mode: the stepper, or the kernels on a photo (slide-views.js)
  const views = viewSwitch(el, [["stepper", "Step by step", [stepper.el]], ["filters", "Kernels on a photo", [filters.el]]], "Which part");
  el.replaceChildren(h("h3", {}, "Try it: convolution and ReLU"), pythonStatus(), views, stepper.el, filters.el);
  state.kernelChanged = () => filters.kernelChanged();
  whenVisible(el, () => { warmUp(); stepper.start(); filters.start(); });
}

// ------------------------------------------------------------------ the slide's example, step by step

function stepperSection(id, state) {
  const image = SLIDE_IMAGE.map((r) => [...r]);
  const rows = image.length, cols = image[0].length;
  let result = null, step = 0, playing = null, seq = 0, timer = null;

  // the image: each pixel a toggle button (0/1)
  const pixels = image.map((row, r) => row.map((v, c) => h("button", {
    type: "button", class: "convx-pixel", dataset: { row: r, col: c },
    onclick: () => { image[r][c] = image[r][c] ? 0 : 1; paintImage(); recompute(); },
  })));
  const imageGrid = h("div", { class: "convx-grid convx-grid--5", role: "group", "aria-label": "Image, 5 by 5: press a pixel to switch it between 0 and 1" },
    pixels.flat());

  // the kernel: a number input each
  const kernelInputs = state.kernel.map((row, r) => row.map((v, c) => h("input", {
    type: "number", name: `k${r}${c}`, step: "any", value: v, inputmode: "decimal", class: "convx-kernel-input",
    "aria-label": `Kernel row ${r + 1}, column ${c + 1}`, dataset: { row: r, col: c },
    oninput: (e) => {
      const text = e.target.value.trim();
      state.kernel[r][c] = text === "" || Number.isNaN(Number(text)) ? null : Number(text);
      recompute();
      state.kernelChanged?.();
    },
  })));
  const kernelGrid = h("div", { class: "convx-grid convx-grid--3 convx-kernel", role: "group", "aria-label": "Kernel, 3 by 3 (editable)" },
    kernelInputs.flat());

  // the output: filled in step by step
  const outputCells = [0, 1, 2].map((r) => [0, 1, 2].map((c) => h("div", { class: "convx-out", dataset: { row: r, col: c } }, "")));
  const outputGrid = h("div", { class: "convx-grid convx-grid--3", role: "group", "aria-label": "Output, 3 by 3" }, outputCells.flat());

  const back = h("button", { type: "button", "aria-label": "Back one step", onclick: () => go(step - 1) }, "◀ Back");
  const forward = h("button", { type: "button", "aria-label": "Step forward", onclick: () => go(step + 1),
    dataset: { slideState: "step" } }, "Step ▶"); // (a state one click away, measured on the slide: slide_fit.py)
  const play = h("button", { type: "button", "aria-pressed": "false", onclick: () => (playing ? stop() : start_playing()) }, "Play");
  const reset = h("button", { type: "button", onclick: () => { stop(); go(0); } }, "Reset");
  const where = h("p", { class: "convx-where", "aria-live": "polite" }, "Press Step to place the kernel on the image.");
  const products = h("div", { class: "convx-products", "aria-live": "polite" });
  const message = h("p", { class: "pyodemo-note", role: "status" });

  const el = h("section", { class: "convx-stepper", "aria-label": "The slide's convolution, step by step" },
    h("div", { class: "convx-boards" },
      h("figure", {}, h("figcaption", {}, "Image (tap to toggle)"), imageGrid),
      h("div", { class: "convx-op", "aria-hidden": "true" }, "∗"),
      h("figure", {}, h("figcaption", {}, "Kernel (editable)"), kernelGrid),
      h("div", { class: "convx-op", "aria-hidden": "true" }, "="),
      h("figure", {}, h("figcaption", {}, "Output"), outputGrid)),
    h("div", { class: "pyodemo-row convx-buttons", role: "group", "aria-label": "Step controls" }, back, forward, play, reset),
    where, products, message);

  function paintImage() {
    const s = result?.steps[step - 1];
    pixels.forEach((row, r) => row.forEach((btn, c) => {
      const inWindow = s && r >= s.row && r < s.row + 3 && c >= s.col && c < s.col + 3;
      btn.textContent = String(image[r][c]);
      btn.classList.toggle("is-one", image[r][c] === 1);
      btn.classList.toggle("in-window", Boolean(inWindow));
      btn.setAttribute("aria-pressed", image[r][c] ? "true" : "false");
      btn.setAttribute("aria-label", `Image row ${r + 1}, column ${c + 1}: ${image[r][c]}${inWindow ? ", under the kernel" : ""}`);
    }));
  }

  function paint() {
    paintImage();
    const total = result ? result.steps.length : 9;
    const outW = result ? result.output[0].length : 3;
    outputCells.forEach((row, r) => row.forEach((cell, c) => {
      const index = r * outW + c;
      const done = result && index < step;
      cell.textContent = done ? num(result.output[r][c]) : "";
      cell.dataset.value = done ? String(result.output[r][c]) : "";
      cell.classList.toggle("is-current", Boolean(done && index === step - 1));
    }));
    back.disabled = step <= 0;
    forward.disabled = !result || step >= total;
    el.dataset.step = String(step);
    if (!result) return;
    if (step === 0) {
      where.textContent = "Press Step to place the kernel on the image.";
      products.replaceChildren();
      return;
    }
    const s = result.steps[step - 1];
    where.textContent = `Step ${step} of ${total}: the kernel over rows ${s.row + 1}–${s.row + 3}, columns ${s.col + 1}–${s.col + 3}.`;
    const terms = s.window.flatMap((row, i) => row.map((v, j) => `${num(v)}×${num(result.kernel[i][j])}`));
    products.replaceChildren(
      h("div", { class: "convx-grid convx-grid--3 convx-products-grid", role: "group", "aria-label": "Products, pixel times kernel" },
        s.products.flat().map((p) => h("div", { class: p ? "is-nonzero" : "" }, num(p)))),
      h("p", { class: "convx-sum" }, terms.join(" + ").replaceAll("+ −", "− "), " = ",
        h("strong", { dataset: { sum: String(s.sum) } }, num(s.sum))));
  }

  function go(n) {
    if (!result) return;
    step = Math.max(0, Math.min(result.steps.length, n));
    paint();
  }
  function start_playing() {
    if (!result) return;
    if (step >= result.steps.length) go(0);
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    playing = setInterval(() => {
      if (step >= result.steps.length) return stop();
      go(step + 1);
    }, PLAY_MS);
  }
  function stop() {
    clearInterval(playing);
    playing = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  }

  function recompute() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const r = await call("convolution.convolution", { image, kernel: state.kernel });
        if (mine !== seq) return;
        result = r;
        message.textContent = "";
        message.classList.remove("pyodemo-error");
        message.setAttribute("role", "status");
        go(step);
      } catch (error) {
        if (mine !== seq) return;
        message.textContent = error.message;
        message.classList.add("pyodemo-error");
        message.setAttribute("role", "alert");
      }
    }, 120);
  }

  paintImage();
  paint();
  return { el, start: recompute };
}

// ------------------------------------------------------------------ presets on a photo, ReLU on/off

function filterSection(id, state) {
  let token = null, picked = false, presets = [], loadSeq = 0, viewSeq = 0, timer = null;
  const presetSelect = h("select", { id: `${id}-preset`, dataset: { control: "preset" } },
    h("option", { value: "edges" }, "Edges (outline)"));
  const reluBox = h("input", { type: "checkbox", id: `${id}-relu`, dataset: { control: "relu" } });
  const paletteSelect = h("select", { id: `${id}-palette`, dataset: { control: "palette" } },
    h("option", { value: "signed" }, "blue − / orange +"), h("option", { value: "gray" }, "gray, mid-gray = 0"));
  presetSelect.addEventListener("change", () => refresh());
  reluBox.addEventListener("change", () => refresh());
  paletteSelect.addEventListener("change", () => refresh());

  const input = h("canvas", { class: "convx-photo", width: 128, height: 128, role: "img", "aria-label": "The image in gray" });
  const output = h("canvas", { class: "convx-photo", width: 128, height: 128, role: "img", "aria-label": "The filtered image" });
  const range = h("p", { class: "convx-range", "aria-live": "polite" });
  const legend = h("p", { class: "pyodemo-note convx-legend" });
  const message = h("p", { class: "pyodemo-note", role: "status" });
  const name = h("p", { class: "pyodemo-note" });

  const picker = imagePicker((img) => { picked = true; useImage(img, img.name); }, { maxSide: MAX_SIDE, label: "Photo", camera: true });

  const el = h("section", { class: "convx-filters", "aria-label": "Kernels on a photo, with ReLU" },
    h("h4", {}, "Kernels on a photo"),
    picker,
    h("div", { class: "pyodemo-row", role: "group", "aria-label": "Filter settings" },
      h("label", { class: "convx-control" }, h("span", {}, "Kernel"), presetSelect),
      h("label", { class: "convx-control convx-check", for: reluBox.id }, reluBox, h("span", {}, "ReLU: max(0, x)")),
      h("label", { class: "convx-control" }, h("span", {}, "Colours"), paletteSelect)),
    name, message,
    h("div", { class: "convx-photos" },
      h("figure", {}, input, h("figcaption", {}, "Input (gray)")),
      h("figure", {}, output, h("figcaption", {}, "Output of the kernel"))),
    range, legend);

  function fail(error) {
    message.textContent = error.message || String(error);
    message.classList.add("pyodemo-error");
    message.setAttribute("role", "alert");
  }

  async function useImage({ rgba, width, height }, label, seq = ++loadSeq) {
    try {
      const r = await call("convolution.filter_image", { width, height }, { rgba });
      if (seq !== loadSeq) return;
      token = r.token;
      el.dataset.image = label;
      name.textContent = `${label} (${r.width} × ${r.height} px, gray)`;
      paintRGBA(input, r.gray_rgba, r.width, r.height);
      refresh(true);
    } catch (error) { if (seq === loadSeq) fail(error); }
  }

  function refresh(now = false) {
    clearTimeout(timer);
    timer = setTimeout(update, now ? 0 : 120);
  }

  async function update() {
    if (token === null) return;
    const mine = ++viewSeq;
    const custom = presetSelect.value === "custom";
    const args = { token, relu: reluBox.checked, palette: paletteSelect.value,
                   ...(custom ? { kernel: state.kernel } : { preset: presetSelect.value }) };
    try {
      const v = await call("convolution.filter_view", args);
      if (mine !== viewSeq) return;
      message.textContent = "";
      message.classList.remove("pyodemo-error");
      message.setAttribute("role", "status");
      paintRGBA(output, v.rgba, v.width, v.height);
      output.setAttribute("aria-label", `The image filtered${v.relu ? ", then ReLU" : ""}: values ${num(v.min)} to ${num(v.max)}`);
      range.replaceChildren("Values drawn: ",
        h("strong", { dataset: { min: String(v.min), max: String(v.max) } }, `${num(v.min)} … ${num(v.max)}`),
        v.relu ? ` (ReLU on; before ReLU ${num(v.raw_min)} … ${num(v.raw_max)})` : " (ReLU off)");
      legend.textContent = v.palette === "signed"
        ? `Black is 0, orange positive, blue negative; full colour at ±${num(v.scale)}.`
        : `Mid-gray is 0, white +${num(v.scale)}, black −${num(v.scale)}.`;
      el.dataset.relu = String(v.relu);
      el.dataset.ready = `${token}/${args.preset ?? "custom"}/${v.relu}/${v.palette}`;
    } catch (error) { if (mine === viewSeq) fail(error); }
  }

  async function start() {
    try {
      presets = await call("convolution.presets");
      const current = presetSelect.value;
      presetSelect.replaceChildren(
        ...presets.map((p) => h("option", { value: p.name }, p.label)),
        h("option", { value: "custom" }, "Your kernel (from above)"));
      presetSelect.value = current;
    } catch (error) { fail(error); }
    if (picked) return;
    const seq = ++loadSeq;
    try {
      const demo = await call("convolution.demo_image", { size: 96 });
      if (!picked && seq === loadSeq) await useImage(demo, "A synthetic test picture", seq);
    } catch (error) { if (!picked) fail(error); }
  }

  return { el, start, kernelChanged: () => { if (presetSelect.value === "custom") refresh(); } };
}
