// Dataset gallery (dataset page): sample pictures of each class — test-split sprites, photo-like pictures or
// the dream-world artworks — with the class counts per split, the split sizes, the imbalance and the
// augmentations each trainer used. Pure data display: it reads models/samples/index.json and the `dataset`
// section of models/metrics.json (written by `python -m export report`) and never starts Python.
import { viewSwitch } from "../slide-views.js";
import { h, samples, showError, siteURL } from "../ui.js";

const SPLITS = [["train", "train"], ["val", "validation"], ["test", "test"]];
const KINDS = [
  ["test-split", "Sprites (test split)"],
  ["photo-like", "Photo-like pictures"],
  ["unseen-art", "Dream-world artworks"],
];
const MODEL_NAMES = { hog_svm: "HOG + SVM", cnn: "CNN" };
const num = (n) => Number(n).toLocaleString("en-US");
let uid = 0;

async function loadMetrics() {
  const response = await fetch(siteURL("models/metrics.json"));
  if (!response.ok) throw new Error(`models/metrics.json is missing (${response.status}): run \`make models\`.`);
  return response.json();
}

export async function mount(el) {
  const id = `dsg-${++uid}`;
  const [found, metrics] = await Promise.all([samples(), loadMetrics().catch((error) => error)]);
  const dataset = metrics instanceof Error ? null : metrics.dataset;
  if (!found.length && !dataset) {
    showError(el, metrics instanceof Error ? metrics.message : "No samples and no metrics in this build: run `make models`.");
    return;
  }
  const classes = dataset?.classes ?? [...new Set(found.map((s) => s.class))];
  const pictures = found.length ? gallery(id, classes, found, dataset) : null;
  const parts = [h("h3", {}, "The data at a glance")];
  if (dataset) {
    const counts = countsTable(id, dataset), splits = [splitBar(dataset), imbalance(dataset), extraSets(dataset)];
    const augs = augmentations(dataset);
    // slide mode: one page at a time (slide-views.js)
    parts.push(viewSwitch(el, [
      ...(pictures ? [["pictures", "Pictures", [pictures]]] : []),
      ["counts", "Per class", [counts]], ["splits", "Splits", splits], ["augmentations", "Augmentations", [augs]],
    ], "Which page"), pictures, counts, ...splits, augs);
  } else {
    parts.push(pictures, h("p", { class: "pyodemo-error", role: "alert" }, metrics.message));
  }
  el.replaceChildren(...parts.filter(Boolean));
  el.dataset.classes = String(classes.length);
}

// ---- the pictures: one card per class; a radio group chooses which kind of picture the cards show
function gallery(id, classes, found, dataset) {
  const byKind = (kind, cls) => found.find((s) => s.kind === kind && s.class === cls);
  const kinds = KINDS.filter(([kind]) => found.some((s) => s.kind === kind));
  const grid = h("ul", { class: "dsg-grid", "aria-label": "One sample picture per class" });
  const caption = h("p", { class: "pyodemo-note", "aria-live": "polite" });
  const show = (kind) => {
    grid.dataset.kind = kind;
    const label = KINDS.find(([k]) => k === kind)[1].toLowerCase();
    caption.textContent = kind === "test-split"
      ? "A frame from each class's test split, as stored (64 × 64, transparent background)."
      : kind === "photo-like"
        ? "A test sprite pasted onto a photograph, blurred and JPEG-compressed: never used for training."
        : "The official dream-world artwork: a drawing style the models never saw.";
    grid.replaceChildren(...classes.map((cls) => {
      const s = byKind(kind, cls);
      const counts = dataset?.counts?.[cls];
      return h("li", { class: "dsg-card", dataset: { class: cls } },
        s ? h("img", { src: s.url, alt: `${cls}: ${label}`, width: 96, height: 96, loading: "lazy",
          class: kind === "test-split" ? "dsg-sprite" : "dsg-picture" })
          : h("div", { class: "dsg-missing" }, "no sample"),
        h("strong", { class: "dsg-name" }, cls),
        counts ? h("span", { class: "dsg-count" }, `${num(counts.total)} images`) : null);
    }));
  };
  const radios = h("div", { class: "pyodemo-row dsg-kinds", role: "radiogroup", "aria-label": "Which pictures to show" },
    kinds.map(([kind, label], i) => {
      const input = h("input", { type: "radio", name: `${id}-kind`, id: `${id}-${kind}`, value: kind, checked: i === 0 });
      input.addEventListener("change", () => input.checked && show(kind));
      return h("label", { class: "dsg-kind", for: input.id }, input, label);
    }));
  show(kinds[0][0]);
  return h("section", { class: "dsg-section", "aria-label": "Sample pictures" }, radios, caption, grid);
}

// ---- images per class and split: a table with the exact numbers and a stacked bar per class
function countsTable(id, dataset) {
  const { counts, totals, classes } = dataset;
  const largest = Math.max(...classes.map((c) => counts[c].total));
  const bar = (c) => h("span", { class: "dsg-bar", "aria-hidden": "true" },
    SPLITS.map(([key]) => {
      const piece = h("span", { class: `dsg-bar__${key}` });
      piece.style.width = `${(100 * counts[c][key]) / largest}%`;
      return piece;
    }));
  const head = h("tr", {}, h("th", { scope: "col" }, "class"),
    SPLITS.map(([key, label]) => h("th", { scope: "col", class: "dsg-num" }, h("span", { class: `dsg-key dsg-key--${key}`, "aria-hidden": "true" }), label)),
    h("th", { scope: "col", class: "dsg-num" }, "total"), h("th", { scope: "col", class: "dsg-barcol" }, h("span", { class: "pyodemo-visually-hidden" }, "bar")));
  const rows = classes.map((c) => h("tr", { dataset: { class: c } }, h("th", { scope: "row" }, c),
    SPLITS.map(([key]) => h("td", { class: "dsg-num", dataset: { split: key } }, num(counts[c][key]))),
    h("td", { class: "dsg-num", dataset: { split: "total" } }, num(counts[c].total)), h("td", { class: "dsg-barcol" }, bar(c))));
  const foot = h("tr", { class: "dsg-total", dataset: { class: "all" } }, h("th", { scope: "row" }, "all"),
    SPLITS.map(([key]) => h("td", { class: "dsg-num", dataset: { split: key } }, num(totals[key]))),
    h("td", { class: "dsg-num", dataset: { split: "total" } }, num(totals.total)), h("td", { class: "dsg-barcol" }));
  return h("section", { class: "dsg-section", "aria-labelledby": `${id}-counts` },
    h("h4", { id: `${id}-counts` }, "Images per class and split"),
    h("div", { class: "dsg-tablewrap" },
      h("table", { class: "dsg-table" },
        h("caption", {}, "After guard frames are dropped. Colours in the bars: train, validation, test."),
        h("thead", {}, head), h("tbody", {}, rows, foot))));
}

// ---- the split sizes as one bar, and distinct pictures (the animations repeat frames)
function splitBar(dataset) {
  const { totals, distinct, fractions } = dataset;
  const bar = h("div", { class: "dsg-split", "aria-hidden": "true" }, SPLITS.map(([key]) => {
    const piece = h("span", { class: `dsg-bar__${key}` }, `${key} ${Math.round((100 * totals[key]) / totals.total)}%`);
    piece.style.flexGrow = String(totals[key]);
    return piece;
  }));
  const text = SPLITS.map(([key, label]) => `${num(totals[key])} ${label}`).join(" · ");
  const target = fractions ? ` (the rule deals groups ${SPLITS.map(([k]) => Math.round(100 * fractions[k])).join("/")})` : "";
  return h("section", { class: "dsg-section dsg-splits", "aria-label": "Split sizes" },
    h("h4", {}, "Split sizes"), bar,
    h("p", { dataset: { role: "split-sizes" } }, `${text}: ${num(totals.total)} images${target}.`),
    distinct ? h("p", { class: "pyodemo-note" },
      `Distinct pictures (animations repeat frames): ${SPLITS.map(([k, label]) => `${num(distinct[k])} ${label}`).join(" · ")}.`) : null,
    dataset.split_rule ? h("p", { class: "pyodemo-note" }, dataset.split_rule) : null);
}

function imbalance(dataset) {
  const t = dataset.imbalance?.train;
  if (!t) return null;
  const balancing = Object.entries(dataset.class_balancing ?? {}).filter(([, v]) => v);
  return h("section", { class: "dsg-section", "aria-label": "Imbalance" },
    h("h4", {}, "Imbalance"),
    h("p", { dataset: { role: "imbalance" } },
      "In the training split the largest class, ", h("strong", {}, t.largest.class), ` (${num(t.largest.n)} images), has `,
      h("strong", {}, `${Number(t.ratio).toFixed(1)} ×`), ` as many images as the smallest, `, h("strong", {}, t.smallest.class),
      ` (${num(t.smallest.n)}).`),
    balancing.length ? h("ul", {}, balancing.map(([m, v]) => h("li", {}, h("strong", {}, `${MODEL_NAMES[m] ?? m}: `), v))) : null);
}

function extraSets(dataset) {
  const s = dataset.test_sets;
  if (!s) return null;
  const parts = [["photo_like", "photo-like pictures"], ["unseen_art", "dream-world artworks"], ["not_pokemon", "not-Pokémon pictures"]]
    .filter(([k]) => s[k]).map(([k, label]) => `${num(s[k])} ${label}`);
  return parts.length ? h("p", { class: "pyodemo-note" }, `Harder sets, never trained or tuned on: ${parts.join(" · ")}.`) : null;
}

function augmentations(dataset) {
  const aug = dataset.augmentations ?? {};
  return h("section", { class: "dsg-section", "aria-label": "Augmentations" },
    h("h4", {}, "Augmentations used in training"),
    h("div", { class: "dsg-augs" }, Object.entries(MODEL_NAMES).map(([m, name]) => h("div", { dataset: { model: m } },
      h("h5", {}, name),
      aug[m]?.length ? h("ul", {}, aug[m].map((a) => h("li", {}, a)))
        : h("p", { class: "pyodemo-note" }, "none recorded in the training log")))));
}
