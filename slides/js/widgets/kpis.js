// KPIs (results page): both models on the four evaluation sets, from models/metrics.json (written by
// `python -m export report`). The accuracy table, the models' size and training time, an interactive
// confusion matrix (hover, tap or focus a cell: "3 Horsea images predicted as Mew"), per-class precision,
// recall and F1, and the ten unseen artworks with each model's answer. Pure data display: never starts Python.
import { viewSwitch } from "../slide-views.js";
import { h, samples, siteURL } from "../ui.js";

const MODELS = [["hog_svm", "HOG + SVM"], ["cnn", "CNN"]];
const ACCURACY_ROWS = 4; // sets per view of the accuracy table in slide mode
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const num = (n) => Number(n).toLocaleString("en-US");
const f3 = (x) => Number(x).toFixed(3);
let uid = 0;

async function loadMetrics() {
  const response = await fetch(siteURL("models/metrics.json"));
  if (!response.ok) throw new Error(`models/metrics.json is missing (${response.status}): run \`make models\`.`);
  const metrics = await response.json();
  if (metrics.format !== "pyodemo-metrics") throw new Error("models/metrics.json is not a pyodemo report.");
  return metrics;
}

export async function mount(el) {
  const id = `kpi-${++uid}`;
  const [metrics, art] = await Promise.all([loadMetrics(), samples("unseen-art")]);
  const accuracy = accuracyTable(id, metrics), facts = modelFacts(id, metrics), links = figureLinks(metrics);
  const matrix = matrixExplorer(id, metrics), art10 = unseenArt(id, metrics, art);
  const part = (name) => matrix.querySelector(`[data-part="${name}"]`);
  const both = [part("title"), part("controls")];
  // slide mode: one chart at a time (slide-views.js); the accuracy table five sets at a time
  const rows = [...accuracy.querySelectorAll("tbody > tr")], pages = [];
  for (let i = 0; i < rows.length; i += ACCURACY_ROWS) pages.push(rows.slice(i, i + ACCURACY_ROWS));
  const accuracyViews = pages.map((chunk, i) => [`accuracy-${i + 1}`,
    pages.length > 1 ? `Accuracy ${i + 1}/${pages.length}` : "Accuracy", chunk]);
  for (const view of accuracyViews) view[2].push(accuracy);
  const views = viewSwitch(el, [
    ...accuracyViews,
    ["matrix", "Confusion matrix", [...both, part("matrix"), part("readout")]],
    ["per-class", "Per class", [...both, part("per-class")]],
    ["f1", "F1 bars", [...both, part("f1")]],
    ...(art10 ? [["art", "Unseen art", [art10]]] : []),
    ["cost", "Size and time", [facts, links]],
  ], "Which result");
  el.replaceChildren(h("h3", {}, "Measured results"), views, accuracy, facts, matrix, art10, links);
}

// ---- 1. accuracy (and macro-F1) of both models on each set
function accuracyTable(id, metrics) {
  const rows = Object.entries(metrics.evaluations).map(([key, ev]) => h("tr", { dataset: { set: key } },
    h("th", { scope: "row" }, ev.title, h("span", { class: "kpi-about" }, ev.about)),
    MODELS.map(([m]) => resultCell(key, m, ev[m] ?? { n: 0 }))));
  const reject = metrics.not_pokemon;
  if (reject) {
    rows.push(h("tr", { dataset: { set: "not_pokemon" } },
      h("th", { scope: "row" }, "not-Pokémon → “not sure”", h("span", { class: "kpi-about" }, "other sprites and photos below the threshold")),
      MODELS.map(([m]) => {
        const r = reject[m];
        return r?.n ? h("td", { dataset: { model: m, rejected: r.rejected, n: r.n } },
          h("strong", {}, `${r.rejected} / ${r.n}`), h("span", { class: "kpi-sub" }, `${pct(r.rejected_fraction)} rejected`))
          : h("td", {}, "not measured");
      })));
  }
  return h("section", { class: "kpi-section", "aria-labelledby": `${id}-acc` },
    h("h4", { id: `${id}-acc` }, "Accuracy on each set"),
    h("div", { class: "kpi-tablewrap" }, h("table", { class: "kpi-table kpi-accuracy" },
      h("caption", {}, "Accuracy (correct / images) and macro-F1. The unseen-art set has ten images: read it as a score out of 10."),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "set"), MODELS.map(([m, name]) => h("th", { scope: "col", dataset: { model: m } }, name)))),
      h("tbody", {}, rows))),
    targets(metrics));
}

function resultCell(set, model, r) {
  // why a set was not measured can be long: a short word in the table, the reason on hover
  if (!r.n) return h("td", { dataset: { model, n: 0 } },
    h("span", { class: "kpi-sub", title: r.note || "" }, r.note ? "not run" : "not measured"));
  const main = set === "unseen_art" ? `${r.correct} / ${r.n}` : pct(r.accuracy);
  return h("td", { dataset: { model, accuracy: r.accuracy, correct: r.correct, n: r.n, macroF1: r.macro_f1 } },
    h("strong", { class: "kpi-main" }, main),
    set === "unseen_art" ? h("span", { class: "kpi-sub" }, pct(r.accuracy)) : h("span", { class: "kpi-sub" }, `${num(r.correct)} / ${num(r.n)}`),
    r.macro_f1 === undefined || r.macro_f1 === null ? null : h("span", { class: "kpi-sub" }, `macro-F1 ${f3(r.macro_f1)}`),
    r.note ? h("span", { class: "kpi-sub kpi-note" }, r.note) : null);
}

function targets(metrics) {
  const t = Object.entries(metrics.targets ?? {});
  if (!t.length) return null;
  const name = Object.fromEntries(MODELS);
  return h("details", { class: "kpi-targets" }, h("summary", {}, "Targets set before measuring"),
    h("ul", {}, t.map(([key, v]) => {
      const [set, model] = key.split(".");
      const title = metrics.evaluations[set]?.title ?? set;
      const fmt = (x) => (x === null || x === undefined ? "not measured" : v.measure === "accuracy" ? pct(x) : `${x} / 10`);
      return h("li", { dataset: { target: key } }, `${name[model] ?? model}, ${title}: target ${fmt(v.target)}, measured ${fmt(v.measured)} — `,
        h("strong", {}, v.met ? "met" : "short"));
    })));
}

// ---- 2. what each model costs
function modelFacts(id, metrics) {
  const size = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} kB`);
  const s = metrics.models.hog_svm, c = metrics.models.cnn;
  const threshold = (x) => (x.threshold === null || x.threshold === undefined ? "no threshold"
    : `${x.threshold} (${String(x.threshold_on ?? "").split(":")[0]})`);
  const whatTime = MODELS.filter(([m]) => metrics.models[m].training_what).map(([m, name]) => `${name}, ${metrics.models[m].training_what}`);
  const seconds = (x) => (x === null || x === undefined ? "not logged" : x >= 90 ? `${(x / 60).toFixed(1)} min` : `${x} s`);
  const rows = [
    ["file", `${s.file}: ${size(s.bytes)}`, `${c.file}: ${size(c.bytes)}`],
    ["model", `${num(s.n_support_vectors)} support vectors, ${s.kernel} kernel`, `${c.parameters ? num(c.parameters) : "?"} parameters`],
    ["input", `${num(s.n_features)} features from ${s.input_size} × ${s.input_size} px`, `${c.input_size} × ${c.input_size} px RGB`],
    ["training time", seconds(s.training_seconds), seconds(c.training_seconds)],
    ["“not sure” below", threshold(s), threshold(c)],
  ];
  return h("section", { class: "kpi-section", "aria-labelledby": `${id}-facts` },
    h("h4", { id: `${id}-facts` }, "Size and training time"),
    h("div", { class: "kpi-tablewrap" }, h("table", { class: "kpi-table kpi-facts" },
      whatTime.length ? h("caption", {}, `Training time on this machine's 2 CPU cores: ${whatTime.join("; ")}.`) : null,
      h("thead", {}, h("tr", {}, h("td", {}), MODELS.map(([m, name]) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows.map(([label, a, b]) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, a), h("td", {}, b)))))));
}

// ---- 3. the confusion matrix of a chosen model and set, per-class scores beside it
const RAMPS = { diagonal: [[0xe8, 0xf1, 0xfa], [0x08, 0x45, 0x94]], off: [[0xfd, 0xec, 0xe6], [0xa3, 0x2a, 0x0a]] };

function cellColour(count, rowTotal, diagonal) {
  if (count <= 0 || rowTotal <= 0) return null;
  const t = 0.15 + (0.85 * count) / rowTotal;
  const [a, b] = diagonal ? RAMPS.diagonal : RAMPS.off;
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

function textOn([r, g, b]) { // black or white, whichever contrasts more (WCAG relative luminance)
  const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000" : "#fff";
}

export function cellSentence(count, truth, predicted) {
  return `${count} ${truth} ${count === 1 ? "image" : "images"} predicted as ${predicted}${truth === predicted ? " (correct)" : ""}`;
}

function abbreviations(names) { // the shortest unique prefixes, at least 2 letters
  return names.map((name) => {
    for (let k = 2; k < name.length; k++) {
      const p = name.slice(0, k);
      if (names.filter((n) => n.startsWith(p)).length === 1) return p;
    }
    return name;
  });
}

function matrixExplorer(id, metrics) {
  const classes = metrics.classes, short = abbreviations(classes);
  const sets = Object.entries(metrics.evaluations).filter(([, ev]) => MODELS.some(([m]) => ev[m]?.n));
  const state = { model: "hog_svm", set: sets[0]?.[0] ?? "test", row: 0, col: 0 };
  const grid = h("div", { class: "kpi-matrixwrap" });
  const readout = h("p", { class: "kpi-readout", "aria-live": "polite", dataset: { role: "readout" } },
    "Hover or tap a cell, or Tab into the matrix and use the arrow keys, to read it.");
  const perClass = h("div", { class: "kpi-perclass" });
  const f1 = h("div", { class: "kpi-f1" });

  const modelRadios = h("div", { class: "kpi-choice", role: "radiogroup", "aria-label": "Model" }, MODELS.map(([m, name]) => {
    const input = h("input", { type: "radio", name: `${id}-model`, id: `${id}-m-${m}`, value: m, checked: m === state.model });
    input.addEventListener("change", () => { if (input.checked) { state.model = m; draw(); } });
    return h("label", { for: input.id, class: "kpi-radio" }, input, name);
  }));
  const setSelect = h("select", { id: `${id}-set` }, sets.map(([key, ev]) => h("option", { value: key }, ev.title)));
  setSelect.addEventListener("change", () => { state.set = setSelect.value; draw(); });
  const controls = h("div", { class: "pyodemo-row kpi-controls" }, modelRadios,
    h("label", { class: "kpi-setlabel", for: setSelect.id }, "Set ", setSelect));

  function draw() {
    const ev = metrics.evaluations[state.set], r = ev[state.model];
    grid.replaceChildren(r?.confusion ? matrixTable(r) : h("p", { class: "pyodemo-note" }, r?.note || "not measured"));
    perClass.replaceChildren(r?.per_class ? perClassTable(r, ev) : "");
    f1.replaceChildren(f1Bars(ev));
  }

  function matrixTable(r) {
    const name = Object.fromEntries(MODELS)[state.model], title = metrics.evaluations[state.set].title;
    const cells = [];
    const focusCell = (i, j) => {
      state.row = i; state.col = j;
      cells.flat().forEach((c) => c.setAttribute("tabindex", "-1"));
      cells[i][j].setAttribute("tabindex", "0");
      cells[i][j].focus();
    };
    const say = (i, j) => {
      const count = r.confusion[i][j], rowTotal = r.confusion[i].reduce((a, b) => a + b, 0);
      readout.textContent = `${name}, ${title}: ${cellSentence(count, classes[i], classes[j])}` +
        (rowTotal ? ` — ${Math.round((100 * count) / rowTotal)}% of the ${rowTotal} ${classes[i]} images.` : ".");
      readout.dataset.cell = `${i},${j}`;
    };
    const rows = r.confusion.map((row, i) => {
      const rowTotal = row.reduce((a, b) => a + b, 0);
      cells[i] = row.map((count, j) => {
        const fill = cellColour(count, rowTotal, i === j);
        const td = h("td", { role: "gridcell", tabindex: i === state.row && j === state.col ? "0" : "-1",
          "aria-label": cellSentence(count, classes[i], classes[j]),
          class: `kpi-cell${i === j ? " kpi-cell--diag" : ""}${count ? "" : " kpi-cell--zero"}`,
          dataset: { row: i, col: j, count } }, String(count));
        if (fill) { td.style.background = `rgb(${fill.join(",")})`; td.style.color = textOn(fill); }
        td.addEventListener("focus", () => say(i, j));
        td.addEventListener("pointerenter", () => say(i, j));
        td.addEventListener("click", () => { focusCell(i, j); say(i, j); });
        td.addEventListener("keydown", (e) => {
          const n = classes.length;
          const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
          let [ni, nj] = [i, j];
          if (moves[e.key]) { ni = Math.min(n - 1, Math.max(0, i + moves[e.key][0])); nj = Math.min(n - 1, Math.max(0, j + moves[e.key][1])); }
          else if (e.key === "Home") nj = 0;
          else if (e.key === "End") nj = n - 1;
          else return;
          e.preventDefault();
          focusCell(ni, nj);
        });
        return td;
      });
      return h("tr", {}, h("th", { scope: "row", class: "kpi-rowhead" }, classes[i]), cells[i]);
    });
    return h("table", { class: "kpi-matrix", role: "grid", "aria-label": `Confusion matrix of ${name} on the ${title}: rows are the true class, columns the predicted class` },
      h("caption", {}, `${name} on the ${title}: ${num(r.correct)} of ${num(r.n)} on the diagonal (${pct(r.accuracy)}). Rows: true class; columns: predicted class.`),
      h("thead", {}, h("tr", {}, h("th", { class: "kpi-corner", scope: "col" }, h("span", { "aria-hidden": "true" }, "predicted →", h("br"), "true ↓"),
          h("span", { class: "pyodemo-visually-hidden" }, "true class")),
        classes.map((c, j) => h("th", { scope: "col", title: c, "aria-label": c }, h("span", { "aria-hidden": "true" }, short[j]))))),
      h("tbody", {}, rows));
  }

  function perClassTable(r, ev) {
    const name = Object.fromEntries(MODELS)[state.model];
    return h("table", { class: "kpi-table kpi-prf" },
      h("caption", {}, `${name}, ${ev.title}: per class. Precision: when it says this class, how often is it right? Recall: how many of this class did it find?`),
      h("thead", {}, h("tr", {}, ["class", "precision", "recall", "F1", "images"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, classes.map((c) => {
        const p = r.per_class[c] ?? {};
        const cell = (v, f) => h("td", {}, v === undefined || v === null ? "—" : f(v));
        return h("tr", { dataset: { class: c } }, h("th", { scope: "row" }, c),
          cell(p.precision, f3), cell(p.recall, f3), cell(p.f1, f3), cell(p.support, num));
      })));
  }

  function f1Bars(ev) {
    const shown = MODELS.filter(([m]) => ev[m]?.n && classes.every((c) => typeof ev[m].per_class?.[c]?.f1 === "number"));
    if (!shown.length) return "";
    return h("figure", { class: "kpi-bars" },
      h("figcaption", {}, `Per-class F1 on the ${ev.title}, both models`,
        h("span", { class: "kpi-legend" }, shown.map(([m, name]) => h("span", {}, h("span", { class: `kpi-swatch kpi-swatch--${m}`, "aria-hidden": "true" }), name)))),
      h("ul", {}, classes.map((c) => h("li", {}, h("span", { class: "kpi-barlabel" }, c),
        h("span", { class: "kpi-barpair" }, shown.map(([m, name]) => {
          const v = ev[m].per_class[c].f1;
          const bar = h("span", { class: `kpi-bar kpi-bar--${m}` });
          bar.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
          return h("span", { class: "kpi-barrow", dataset: { model: m } },
            h("span", { class: "kpi-bartrack" }, bar), h("span", { class: "kpi-barvalue" },
              h("span", { class: "pyodemo-visually-hidden" }, `${name}: `), v.toFixed(2)));
        }))))));
  }

  draw();
  for (const [node, name] of [[controls, "controls"], [grid, "matrix"], [readout, "readout"], [perClass, "per-class"], [f1, "f1"]]) {
    node.dataset.part = name;
  }
  return h("section", { class: "kpi-section", "aria-labelledby": `${id}-cm` },
    h("h4", { id: `${id}-cm`, dataset: { part: "title" } }, "Confusion matrix and per-class scores"), controls, grid, readout, perClass, f1);
}

// ---- 4. the ten artworks and each model's answer
function unseenArt(id, metrics, art) {
  const ev = metrics.evaluations.unseen_art;
  if (!ev || !MODELS.some(([m]) => ev[m]?.n)) return null;
  const picture = (cls) => art.find((s) => s.class === cls);
  const classes = metrics.classes.filter((c) => MODELS.some(([m]) => ev[m]?.answers?.some((a) => a.class === c)));
  const totals = MODELS.filter(([m]) => ev[m]?.n).map(([m, name]) => `${name} ${ev[m].correct} / ${ev[m].n}`).join(" · ");
  return h("section", { class: "kpi-section", "aria-labelledby": `${id}-art` },
    h("h4", { id: `${id}-art` }, "Unseen art style: the ten dream-world artworks"),
    h("p", {}, h("strong", {}, totals)),
    h("ul", { class: "kpi-art" }, classes.map((c) => {
      const s = picture(c);
      return h("li", { class: "kpi-artcard", dataset: { class: c } },
        s ? h("img", { src: s.url, alt: `${c}, dream-world artwork`, width: 80, height: 80, loading: "lazy" }) : null,
        h("strong", {}, c),
        h("ul", {}, MODELS.map(([m, name]) => {
          const a = ev[m]?.answers?.find((x) => x.class === c);
          if (!a) return null;
          return h("li", { class: a.correct ? "kpi-right" : "kpi-wrong", dataset: { model: m, predicted: a.predicted, correct: a.correct } },
            h("span", { class: "kpi-mark", "aria-hidden": "true" }, a.correct ? "✓" : "✗"),
            `${name}: ${a.predicted}`, h("span", { class: "pyodemo-visually-hidden" }, a.correct ? " (right)" : " (wrong)"),
            a.sure ? null : h("span", { class: "kpi-unsure" }, " not sure"));
        })));
    })));
}

function figureLinks(metrics) {
  const entries = Object.entries(metrics.figures ?? {});
  if (!entries.length) return null;
  const label = (key) => {
    const [kind, model, set] = key.split(".");
    if (kind === "f1") return `per-class F1, ${metrics.evaluations[model]?.title ?? model}`;
    return `confusion matrix, ${Object.fromEntries(MODELS)[model] ?? model}, ${metrics.evaluations[set]?.title ?? set}`;
  };
  return h("p", { class: "pyodemo-note kpi-figures" }, "The same numbers as SVG figures: ",
    entries.flatMap(([key, file], i) => [i ? " · " : "", h("a", { href: siteURL(`models/${file}`) }, label(key))]));
}
