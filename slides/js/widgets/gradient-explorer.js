// Gradient explorer (HOG slide): the slide's 3×3 example with editable numbers, and any image where a
// tapped pixel shows gx, gy, magnitude and angle — all computed by pyodemo.hog in the Python worker.
import { call, warmUp } from "../python.js";
import { viewSwitch } from "../slide-views.js";
import { h, fmt, imagePicker, paintRGBA, pythonStatus, whenVisible } from "../ui.js";

const ZOOM = 4;

export function mount(el) {
  const status = pythonStatus();
  const example = slideExample(), explorer = imageExplorer();
  // slide mode: the slide's example, or any image (slide-views.js)
  const views = viewSwitch(el, [["example", "The slide's example", [example]], ["image", "Any image", [explorer]]], "Which example");
  el.replaceChildren(h("h3", {}, "Try it: the gradient at a pixel"), status, views, example, explorer);
  whenVisible(el, warmUp);
}

function readout() {
  const dl = h("dl", { class: "gradient-readout", "aria-live": "polite" });
  const show = (r) => dl.replaceChildren(
    h("dt", {}, "Horizontal gradient gx"), h("dd", { dataset: { value: "gx" } }, fmt(r.gx, 1)),
    h("dt", {}, "Vertical gradient gy"), h("dd", { dataset: { value: "gy" } }, fmt(r.gy, 1)),
    h("dt", {}, "Magnitude"), h("dd", { dataset: { value: "magnitude" } }, fmt(r.magnitude, 2)),
    h("dt", {}, "Angle"), h("dd", { dataset: { value: "angle" } }, `${fmt(r.angle, 2)}°`),
  );
  return { dl, show, fail: (error) => dl.replaceChildren(h("dd", { class: "pyodemo-error", role: "alert" }, error.message)) };
}

function drawArrow(canvas, gx, gy) {
  const ctx = canvas.getContext("2d"), s = canvas.width, c = s / 2;
  ctx.clearRect(0, 0, s, s);
  const length = Math.hypot(gx, gy);
  if (!length) return;
  const r = (s / 2 - 6), dx = (gx / length) * r, dy = (gy / length) * r;
  ctx.strokeStyle = getComputedStyle(canvas).color;
  ctx.lineWidth = 3;
  ctx.beginPath(); ctx.moveTo(c, c); ctx.lineTo(c + dx, c + dy); ctx.stroke();
  const a = Math.atan2(dy, dx);
  ctx.beginPath();
  ctx.moveTo(c + dx, c + dy);
  ctx.lineTo(c + dx - 9 * Math.cos(a - 0.4), c + dy - 9 * Math.sin(a - 0.4));
  ctx.lineTo(c + dx - 9 * Math.cos(a + 0.4), c + dy - 9 * Math.sin(a + 0.4));
  ctx.fill();
}

function slideExample() {
  const values = { up: 50, left: 20, right: 100, down: 110 };
  const cell = (name) => h("div", {}, h("input", {
    type: "number", name, min: 0, max: 255, step: 1, value: values[name], "aria-label": `${name} neighbour`,
    dataset: { neighbour: name },
    oninput: (e) => { values[name] = e.target.value.trim() === "" ? null : Number(e.target.value); update(); },
  }));
  const corner = () => h("div", { class: "corner", "aria-hidden": "true" });
  const grid = h("div", { class: "gradient-grid", role: "group", "aria-label": "3 by 3 neighbourhood" },
    corner(), cell("up"), corner(), cell("left"), h("div", {}, "x"), cell("right"), corner(), cell("down"), corner());
  const out = readout();
  const arrow = h("canvas", { width: 96, height: 96, "aria-hidden": "true" });
  let timer;
  const update = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const r = await call("gradient_explorer.gradient_at", values);
        out.show(r);
        drawArrow(arrow, r.gx, r.gy);
      } catch (error) { out.fail(error); }
    }, 150);
  };
  update();
  return h("section", { class: "pyodemo-row", "aria-label": "The slide's example" }, grid, arrow, out.dl);
}

function imageExplorer() {
  const canvas = h("canvas", { tabindex: 0, "aria-label": "Image: click or use the arrow keys to pick a pixel" });
  const out = readout();
  const showMagnitude = h("input", { type: "checkbox", id: `mag-${Math.random().toString(36).slice(2)}` });
  let image = null, cursor = { x: 0, y: 0 };

  const paint = () => {
    if (!image) return;
    const source = showMagnitude.checked ? image.magnitude_rgba : image.gray_rgba;
    const small = h("canvas");
    paintRGBA(small, source, image.width, image.height);
    canvas.width = image.width * ZOOM; canvas.height = image.height * ZOOM;
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#ff1744"; ctx.lineWidth = 2;
    ctx.strokeRect(cursor.x * ZOOM - ZOOM, cursor.y * ZOOM - ZOOM, 3 * ZOOM, 3 * ZOOM);
  };
  const pick = async (x, y) => {
    if (!image) return;
    cursor = { x: Math.min(image.width - 1, Math.max(0, x)), y: Math.min(image.height - 1, Math.max(0, y)) };
    paint();
    try {
      const r = await call("gradient_explorer.gradient_pixel", { token: image.token, ...cursor });
      out.show(r);
      canvas.setAttribute("aria-label", `Pixel (${r.x}, ${r.y}): gx ${fmt(r.gx, 1)}, gy ${fmt(r.gy, 1)}`);
    } catch (error) { out.fail(error); }
  };
  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    pick(Math.floor(((e.clientX - rect.left) / rect.width) * image.width),
         Math.floor(((e.clientY - rect.top) / rect.height) * image.height));
  });
  canvas.addEventListener("keydown", (e) => {
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!step || !image) return;
    e.preventDefault();
    pick(cursor.x + step[0], cursor.y + step[1]);
  });
  showMagnitude.addEventListener("change", paint);
  const picker = imagePicker(async ({ rgba, width, height }) => {
    image = await call("gradient_explorer.gradient_image", { width, height }, { rgba });
    await pick(Math.floor(image.width / 2), Math.floor(image.height / 2));
  }, { maxSide: 96, label: "Image" });
  return h("section", { "aria-label": "Gradients of an image" }, picker,
    h("div", { class: "pyodemo-row" }, canvas, out.dl),
    h("label", { for: showMagnitude.id }, showMagnitude, " show the gradient magnitude"));
}
