// Inside the CNN (cnn-demo): the first convolution layers' outputs (the ONNX model's extra outputs named in
// models/cnn.json, e.g. conv1 and conv2) for the picture the classifier on the same page just classified,
// one small tile per filter, each normalised to its own min…max. Tap or Enter on a tile enlarges it.
// With no classifier on the page it has its own sample picker.
import { classify, lastResult, loadCNN } from "../cnn.js";
import { defaultCrop } from "../default-crop.js";
import { loadPictureURL } from "../picture.js";
import { h, paintRGBA, samples, whenVisible } from "../ui.js";

let uid = 0;

export function mount(el) {
  const id = `fmaps-${++uid}`;
  el.classList.add("fmaps");
  const title = h("p", { class: "fmaps-for", "aria-live": "polite" }, "Waiting for a picture…");
  const input = h("canvas", { class: "fmaps-input", width: 64, height: 64, role: "img", "aria-label": "The CNN's input" });
  const layers = h("div", { class: "fmaps-layers" });
  const bigCanvas = h("canvas", { class: "fmaps-big__canvas", width: 64, height: 64, role: "img" });
  const bigCaption = h("figcaption", { id: `${id}-big` });
  const close = h("button", { type: "button", class: "fmaps-close", onclick: () => select(null) }, "Close");
  const big = h("figure", { class: "fmaps-big", hidden: true, "aria-labelledby": `${id}-big` }, bigCanvas, bigCaption, close);
  const message = h("p", { class: "clf-message", role: "status" });
  const head = h("div", { class: "fmaps-head" }, h("figure", { class: "fmaps-input-fig" }, input, h("figcaption", {}, "input")), title);
  el.replaceChildren(h("h3", { class: "pyodemo-visually-hidden" }, "Inside the CNN"), message, head, layers, big);

  let current = null, selected = null; // selected: {map, channel}

  function render(result) {
    current = result;
    const size = result.input.size;
    paintRGBA(input, result.input.rgba, size, size);
    const best = result.top[0];
    title.textContent = `Feature maps for ${result.name}: the CNN says `
      + `${result.sure ? best.label : `“not sure” (its best guess: ${best.label})`} (${(100 * best.score).toFixed(1)} %).`;
    if (!result.maps.length) {
      layers.replaceChildren(h("p", { class: "pyodemo-note" }, "This CNN exports no feature maps (models/cnn.json lists none)."));
      return;
    }
    const fresh = layers.dataset.shape !== shape(result);
    if (fresh) build(result);
    result.maps.forEach((map, m) => {
      for (let c = 0; c < map.channels; c++) drawMap(layers.querySelector(`[data-map="${m}"][data-channel="${c}"] canvas`), map, c);
    });
    el.dataset.maps = result.maps.map((m) => `${m.name}:${m.channels}x${m.height}x${m.width}`).join(",");
    el.dataset.for = result.name;
    el.dataset.results = String(Number(el.dataset.results || 0) + 1);
    if (selected) showBig();
  }

  const shape = (r) => r.maps.map((m) => `${m.name}:${m.channels}x${m.height}x${m.width}`).join(",");

  function build(result) {
    layers.dataset.shape = shape(result);
    selected = null;
    big.hidden = true;
    layers.replaceChildren(...result.maps.map((map, m) => h("section", { class: "fmaps-layer", "aria-labelledby": `${id}-l${m}` },
      h("h4", { id: `${id}-l${m}` }, map.name, " ", h("span", { class: "pyodemo-note" },
        `${map.channels} filters, each ${map.width} × ${map.height} px`)),
      h("div", { class: "fmaps-grid", role: "group", "aria-label": `${map.name} feature maps` },
        Array.from({ length: map.channels }, (_, c) => h("button", {
          type: "button", class: "fmaps-tile", dataset: { map: m, channel: c }, "aria-pressed": "false",
          "aria-label": `${map.name}, filter ${c + 1} of ${map.channels}: enlarge`,
          onclick: () => select({ map: m, channel: c }),
        }, h("canvas", { width: map.width, height: map.height })))))));
  }

  function select(next) {
    for (const b of layers.querySelectorAll(".fmaps-tile[aria-pressed='true']")) b.setAttribute("aria-pressed", "false");
    const same = next && selected && next.map === selected.map && next.channel === selected.channel;
    selected = same ? null : next;
    if (!selected) { big.hidden = true; return; }
    layers.querySelector(`[data-map="${selected.map}"][data-channel="${selected.channel}"]`)?.setAttribute("aria-pressed", "true");
    showBig();
    big.hidden = false;
    close.focus({ preventScroll: true });
    big.scrollIntoView({ block: "nearest" });
  }

  function showBig() {
    if (!current || !selected) return;
    const map = current.maps[selected.map];
    if (!map || selected.channel >= map.channels) return;
    const [lo, hi] = drawMap(bigCanvas, map, selected.channel);
    bigCaption.textContent = `${map.name}, filter ${selected.channel + 1} of ${map.channels} (${map.width} × ${map.height} px): `
      + `black = ${lo.toFixed(3)}, white = ${hi.toFixed(3)}` + (hi === lo ? " (this filter does not respond to this picture)" : "");
    bigCanvas.setAttribute("aria-label", bigCaption.textContent);
    el.dataset.enlarged = `${map.name}:${selected.channel}`;
  }

  big.addEventListener("keydown", (e) => { if (e.key === "Escape") { const back = selected; select(null); focusTile(back); } });
  function focusTile(s) { if (s) layers.querySelector(`[data-map="${s.map}"][data-channel="${s.channel}"]`)?.focus(); }

  document.addEventListener("pyodemo:cnn-result", (event) => render(event.detail));
  if (lastResult) render(lastResult);

  // No classifier on this page: pick a sample here.
  if (!document.querySelector('.pyodemo-widget[data-widget="classifier"]')) {
    const picker = h("select", { name: "picture", "aria-label": "Picture for the feature maps" });
    head.after(h("div", { class: "pyodemo-row" }, h("label", {}, "Picture: ", picker)));
    let list = [];
    const use = async (s) => {
      message.textContent = "";
      try {
        const picture = await loadPictureURL(s.url, s.class);
        await classify(picture, defaultCrop(picture.rgba, picture.width, picture.height), { name: s.class, source: "feature-maps" });
      } catch (error) {
        message.textContent = error.message;
        message.classList.add("pyodemo-error");
      }
    };
    picker.addEventListener("change", () => list[picker.selectedIndex] && use(list[picker.selectedIndex]));
    whenVisible(el, async () => {
      list = await samples();
      picker.replaceChildren(...list.map((s) => h("option", {}, `${s.class}${s.kind === "test-split" ? "" : ` (${s.kind === "unseen-art" ? "artwork" : "photo"})`}`)));
      if (list.length && !current) use(list[0]);
    });
  } else {
    whenVisible(el, () => loadCNN().catch((error) => { if (!current) { message.textContent = error.message; message.classList.add("pyodemo-error"); } }));
  }
}

/** One feature map channel drawn in gray, min → black, max → white; returns [min, max]. */
function drawMap(canvas, map, channel) {
  if (!canvas) return [0, 0];
  const { width, height, data } = map;
  const n = width * height, offset = channel * n;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { const v = data[offset + i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  const rgba = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    const g = hi === lo ? 0 : Math.round((255 * (data[offset + i] - lo)) / span);
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = g;
    rgba[4 * i + 3] = 255;
  }
  paintRGBA(canvas, rgba, width, height);
  return [lo, hi];
}
