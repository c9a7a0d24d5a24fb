// Drawing shared by the SVM playground and the kernels-side-by-side widget. Python (pyodemo.web.svm_playground)
// computes the classes and decision values on a grid; this file only paints them: regions, the
// boundary f = 0 and the margins f = ±1 (marching squares on the grid values), points, support vectors.
//
// Data space: the square [-1, 1]²; grid cell (row r, column c) of an n × n grid has its centre at
// x = (2c + 1 − n) / n, y = (n − 2r − 1) / n (rows from the top), as pyodemo.web.svm_playground.grid_axis.

/** Class styles: Okabe–Ito colours (safe for colour-blind eyes) AND a different shape per class. */
export const CLASSES = [
  { label: 1, name: "blue circles", colour: "#0072B2", rgb: [0, 114, 178], shape: "circle" },
  { label: 2, name: "orange squares", colour: "#D55E00", rgb: [213, 94, 0], shape: "square" },
  { label: 3, name: "green triangles", colour: "#009E73", rgb: [0, 158, 115], shape: "triangle" },
  { label: 4, name: "purple diamonds", colour: "#AA4499", rgb: [170, 68, 153], shape: "diamond" },
];
export const styleOf = (label) => CLASSES[(label - 1) % CLASSES.length];

/** Data (x, y) in [-1, 1]² → canvas pixels (w × h, y down), and back. */
export const toPixel = (x, y, w, h) => [((x + 1) / 2) * w, ((1 - y) / 2) * h];
export const toData = (px, py, w, h) => [(px / w) * 2 - 1, 1 - (py / h) * 2];

/** A class marker: circle, square, triangle or diamond of radius r, filled, with a white and a dark rim. */
export function marker(ctx, x, y, label, r = 6, { alpha = 1, rim = true } = {}) {
  const s = styleOf(label);
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.beginPath();
  shapePath(ctx, s.shape, x, y, r);
  ctx.fillStyle = s.colour;
  ctx.fill();
  if (rim) {
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.beginPath();
    shapePath(ctx, s.shape, x, y, r + 1.2);
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(0, 0, 0, 0.75)";
    ctx.stroke();
  }
  ctx.restore();
}

function shapePath(ctx, shape, x, y, r) {
  if (shape === "circle") ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (shape === "square") ctx.rect(x - r * 0.88, y - r * 0.88, r * 1.76, r * 1.76);
  else if (shape === "triangle") {
    const t = r * 1.15;
    ctx.moveTo(x, y - t); ctx.lineTo(x + t * 0.95, y + t * 0.7); ctx.lineTo(x - t * 0.95, y + t * 0.7); ctx.closePath();
  } else {
    const t = r * 1.2;
    ctx.moveTo(x, y - t); ctx.lineTo(x + t, y); ctx.lineTo(x, y + t); ctx.lineTo(x - t, y); ctx.closePath();
  }
}

/** A small inline SVG of a class's marker, for buttons and legends (no inline script or handler). */
export function markerIcon(label, size = 18) {
  const s = styleOf(label);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "-10 -10 20 20");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shapes = {
    circle: ["circle", { r: 7 }],
    square: ["rect", { x: -6.2, y: -6.2, width: 12.4, height: 12.4 }],
    triangle: ["polygon", { points: "0,-8 7.6,5.6 -7.6,5.6" }],
    diamond: ["polygon", { points: "0,-8.4 8.4,0 0,8.4 -8.4,0" }],
  };
  const [tag, attrs] = shapes[s.shape];
  const el = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries({ ...attrs, fill: s.colour, stroke: "#000", "stroke-width": 1 })) el.setAttribute(k, v);
  svg.append(el);
  return svg;
}

/**
 * Paint the decision regions of an n × n grid onto [0, w] × [0, h]: each cell tinted with its class's
 * colour. With two-class `values`, the tint deepens with |f| up to the margin (|f| = 1), so the margin
 * band stays pale. Faint class shapes every few cells keep the regions readable without colour.
 */
export function paintRegions(ctx, cells, n, w, h, values = null) {
  const image = new ImageData(n, n);
  const px = image.data;
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = styleOf(cells[i]).rgb;
    const depth = values ? 0.16 + 0.2 * Math.min(1, Math.abs(values[i])) : 0.3;
    px[4 * i] = Math.round(255 + (r - 255) * depth);
    px[4 * i + 1] = Math.round(255 + (g - 255) * depth);
    px[4 * i + 2] = Math.round(255 + (b - 255) * depth);
    px[4 * i + 3] = 255;
  }
  const small = new OffscreenCanvas(n, n);
  small.getContext("2d").putImageData(image, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, 0, 0, w, h);
  ctx.restore();
  // watermarks: a faint marker of the region's class on a coarse lattice
  const every = Math.max(1, Math.round(n / 8));
  for (let r = Math.floor(every / 2); r < n; r += every) {
    for (let c = Math.floor(every / 2); c < n; c += every) {
      marker(ctx, ((c + 0.5) / n) * w, ((r + 0.5) / n) * h, cells[r * n + c], Math.max(2.5, w / 90), { alpha: 0.22, rim: false });
    }
  }
}

/**
 * Marching squares: the polylines where the grid `values` (n × n, rows from the top) cross `level`,
 * in grid units (column, row) of the cell centres. Saddles are split by the value at the square's centre.
 */
export function contourLines(values, n, level = 0) {
  const v = (r, c) => values[r * n + c] - level;
  const segments = [];
  // each crossing point is identified by its grid edge, so segments can be chained into lines
  const cross = (key, x, y) => ({ key, x, y });
  for (let r = 0; r < n - 1; r++) {
    for (let c = 0; c < n - 1; c++) {
      const a = v(r, c), b = v(r, c + 1), cc = v(r + 1, c + 1), d = v(r + 1, c);
      const index = (a > 0 ? 8 : 0) | (b > 0 ? 4 : 0) | (cc > 0 ? 2 : 0) | (d > 0 ? 1 : 0);
      if (index === 0 || index === 15) continue;
      const top = () => cross(`h${r},${c}`, c + a / (a - b), r);
      const bottom = () => cross(`h${r + 1},${c}`, c + d / (d - cc), r + 1);
      const left = () => cross(`v${r},${c}`, c, r + a / (a - d));
      const right = () => cross(`v${r},${c + 1}`, c + 1, r + b / (b - cc));
      const centre = (a + b + cc + d) / 4 > 0;
      const add = (p, q) => segments.push([p(), q()]);
      switch (index) {
        case 1: case 14: add(left, bottom); break;
        case 2: case 13: add(bottom, right); break;
        case 3: case 12: add(left, right); break;
        case 4: case 11: add(top, right); break;
        case 6: case 9: add(top, bottom); break;
        case 7: case 8: add(left, top); break;
        case 5: if (centre) { add(left, top); add(bottom, right); } else { add(top, right); add(left, bottom); } break;
        case 10: if (centre) { add(top, right); add(left, bottom); } else { add(left, top); add(bottom, right); } break;
      }
    }
  }
  return chain(segments);
}

// Join segments that share a crossing point into polylines (so a dashed line keeps its rhythm).
function chain(segments) {
  const ends = new Map();
  segments.forEach((s, i) => s.forEach((p) => { if (!ends.has(p.key)) ends.set(p.key, []); ends.get(p.key).push(i); }));
  const used = new Uint8Array(segments.length);
  const lines = [];
  const extend = (line, key) => {
    for (;;) {
      const next = (ends.get(key) || []).find((i) => !used[i]);
      if (next === undefined) return;
      used[next] = 1;
      const [p, q] = segments[next];
      const far = p.key === key ? q : p;
      line.push([far.x, far.y]);
      key = far.key;
    }
  };
  segments.forEach((s, i) => {
    if (used[i]) return;
    used[i] = 1;
    const forward = [[s[0].x, s[0].y], [s[1].x, s[1].y]];
    extend(forward, s[1].key);
    const backward = [];
    extend(backward, s[0].key);
    lines.push([...backward.reverse(), ...forward]);
  });
  return lines;
}

/** Stroke contour polylines (grid units) scaled to [0, w] × [0, h]. */
export function strokeLines(ctx, lines, n, w, h, { colour = "#111", width = 2, dash = [] } = {}) {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  for (const line of lines) {
    ctx.beginPath();
    line.forEach(([c, r], i) => {
      const x = ((c + 0.5) / n) * w, y = ((r + 0.5) / n) * h;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * One SVM picture: regions and lines from a fit result (pyodemo.web.svm_playground.fit), then the points
 * ({x, y, label}) with the support vectors ringed. `supportAt` lists [x, y] of the support vectors
 * (positions, not indices: the points may have changed since the fit was sent).
 */
export function drawFit(ctx, w, h, { result = null, points = [], supportAt = [], markerSize = 6, axes = true } = {}) {
  ctx.save();
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, w, h);
  if (result) {
    paintRegions(ctx, result.cells, result.grid, w, h, result.values);
    if (result.values) {
      const n = result.grid;
      strokeLines(ctx, contourLines(result.values, n, -1), n, w, h, { colour: "#222", width: 1.5, dash: [7, 5] });
      strokeLines(ctx, contourLines(result.values, n, 1), n, w, h, { colour: "#222", width: 1.5, dash: [7, 5] });
      strokeLines(ctx, contourLines(result.values, n, 0), n, w, h, { colour: "#000", width: 2.5 });
    } else {
      // many classes: the borders between regions (marching squares on each class's indicator)
      const n = result.grid;
      for (const label of new Set(result.cells)) {
        const inside = result.cells.map((c) => (c === label ? 1 : -1));
        strokeLines(ctx, contourLines(inside, n, 0), n, w, h, { colour: "#000", width: 2 });
      }
    }
  }
  if (axes) {
    ctx.strokeStyle = "rgba(0, 0, 0, 0.18)";
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(w / 2, 0); ctx.lineTo(w / 2, h); ctx.moveTo(0, h / 2); ctx.lineTo(w, h / 2); ctx.stroke();
  }
  ctx.strokeStyle = "#000";
  ctx.lineWidth = markerSize >= 5 ? 2 : 1.2;
  const ring = markerSize + Math.max(2.5, markerSize * 0.75);
  for (const [x, y] of supportAt) {
    const [px, py] = toPixel(x, y, w, h);
    ctx.beginPath();
    ctx.arc(px, py, ring, 0, 2 * Math.PI);
    ctx.stroke();
  }
  for (const p of points) {
    const [px, py] = toPixel(p.x, p.y, w, h);
    marker(ctx, px, py, p.label, markerSize);
  }
  ctx.restore();
}

/**
 * Keep a canvas's pixel size equal to its CSS size × devicePixelRatio (crisp on phones) and call
 * `draw(ctx, cssWidth, cssHeight)` whenever it changes. Returns a function that redraws.
 */
export function crispCanvas(canvas, draw) {
  let w = 0, h = 0;
  const redraw = () => {
    // layout px (a slide's transform scales the picture, not what is drawn in it); the backing store
    // follows the size on screen, the slide's scale included
    const rect = canvas.getBoundingClientRect();
    const zoom = canvas.offsetWidth ? rect.width / canvas.offsetWidth : 1;
    const dpr = Math.min(3, (window.devicePixelRatio || 1) * zoom);
    w = canvas.clientWidth || Number(canvas.getAttribute("width")) || 300;
    h = canvas.clientHeight || w;
    const pw = Math.max(1, Math.round(w * dpr)), ph = Math.max(1, Math.round(h * dpr));
    if (canvas.width !== pw || canvas.height !== ph) { canvas.width = pw; canvas.height = ph; }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
    draw(ctx, w, h);
  };
  // Resizing the canvas's pixels from the observer's callback can resize its box again in the same frame
  // (Firefox then reports "ResizeObserver loop completed with undelivered notifications" as an uncaught
  // error): redraw in the next frame instead, once however many notifications came.
  let frame = 0;
  const later = () => { frame ||= requestAnimationFrame(() => { frame = 0; redraw(); }); };
  if ("ResizeObserver" in window) new ResizeObserver(later).observe(canvas);
  return redraw;
}

/** Percent with no trailing zeros: 0.93 → "93%". */
export const percent = (x) => `${+(100 * x).toFixed(1)}%`;
