// The default crop square: pyodemo.classify.default_crop, line for line (a Playwright test,
// tests/e2e/test_cnn_input.py, holds the two equal): the square around the visible pixels plus 8 % for a
// sprite, the centred largest square for an opaque photo. The square may reach outside the picture:
// outside is background. It stays in JavaScript because the CNN needs it ~1.5 s after a tap, before
// Python has booted (ARCHITECTURE.md, "JavaScript").

/** The default crop's margin: a fraction of the visible box's longer side, added on each side. */
export const MARGIN = 0.08;

/**
 * The default crop square [x, y, side] (pyodemo.classify.default_crop): with transparency (some
 * alpha < 255 and some > 0) the alpha > 0 bounding box [x0, x1) × [y0, y1) gives
 * longer = max(x1 − x0, y1 − y0), pad = floor(margin · longer + 0.5), side = longer + 2 · pad and the
 * corner floor((x0 + x1 − side) / 2), floor((y0 + y1 − side) / 2); otherwise the centred largest square.
 */
export function defaultCrop(rgba, width, height, margin = MARGIN) {
  return squareAround(alphaBounds(rgba, width, height), width, height, margin);
}

/** A fresh {opaque, empty, x0, x1, y0, y1} for alphaBounds (x1, y1 inclusive; −1 while nothing is visible). */
export const noBounds = (width, height) => ({ opaque: true, empty: true, x0: width, x1: -1, y0: height, y1: -1 });

/**
 * Adds `rows` rows of RGBA pixels, `width` a row, whose first row is the picture's row `top`, to
 * `bounds`: whether every alpha is 255, whether every alpha is 0, and the box of the alpha > 0 pixels.
 */
export function alphaBounds(rgba, width, rows, bounds = noBounds(width, rows), top = 0) {
  const b = bounds;
  for (let y = top, i = 3; y < top + rows; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const a = rgba[i];
      if (a !== 255) b.opaque = false;
      if (a !== 0) {
        b.empty = false;
        if (x < b.x0) b.x0 = x;
        if (x > b.x1) b.x1 = x;
        if (y < b.y0) b.y0 = y;
        b.y1 = y;
      }
    }
  }
  return b;
}

/** The default crop square of a picture of `width` × `height` from its alphaBounds (defaultCrop's rule). */
export function squareAround({ opaque, empty, x0, x1, y0, y1 }, width, height, margin = MARGIN) {
  if (opaque || empty) {
    const side = Math.min(width, height);
    return [Math.floor((width - side) / 2), Math.floor((height - side) / 2), side];
  }
  x1 += 1; y1 += 1;
  const longer = Math.max(x1 - x0, y1 - y0);
  const pad = Math.floor(margin * longer + 0.5);
  const side = longer + 2 * pad;
  return [Math.floor((x0 + x1 - side) / 2), Math.floor((y0 + y1 - side) / 2), side];
}
