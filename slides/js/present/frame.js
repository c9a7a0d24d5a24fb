// One slide size for slide mode, the overview's thumbnails, the speaker view and the PDF (ARCHITECTURE.md
// "Slides and notes"): every slide is laid out in a 1920 × 1080 CSS px box (.pd-frame, root font 40 px, so
// a slide is 48rem × 27rem and body text 1/27 of its height) and that box is scaled as a whole, one factor
// per window size, as reveal.js does: s = min(W / 1920, H / 1080), letterboxed when the ratios differ.

export const SLIDE = Object.freeze({ width: 1920, height: 1080 });

/** The factor that fits the slide into a `width` × `height` box: min(width / 1920, height / 1080). */
export const scaleFor = (width, height) => Math.min(width / SLIDE.width, height / SLIDE.height);

/** Scale the frame `el` (positioned at the box's top-left) into a `width` × `height` box, centred. */
export function placeFrame(el, width, height) {
  const s = scaleFor(width, height);
  const x = (width - SLIDE.width * s) / 2, y = (height - SLIDE.height * s) / 2;
  el.style.transform = `translate(${x}px, ${y}px) scale(${s})`;
  return s;
}
