// Teach it's camera: a square preview of exactly what an example will be (the frame's centred square, the
// default crop of an opaque picture), frames for "hold to add" (about 5 a second), and the live answers of
// both taught classifiers on every frame they have time for (a frame is skipped while they are busy).
import { cameraProblem, openCamera } from "../sources/camera.js";
import { noBounds, squareAround } from "../default-crop.js";
import { drawCrop, pictureFromVideo } from "../picture.js";
import { h } from "../ui.js";
import { SIDE } from "./examples.js";

/** While the capture button is held, a frame is added this often (about 5 a second). */
export const CAPTURE_MS = 200;

/**
 * The camera panel. While `wanted()` (there are classifiers to ask), `onAnswerFrame(picture)` (async)
 * answers one SIDE × SIDE frame and resolves when done;
 * `onChange(running)` follows the camera starting and stopping; `onMessage(text, kind)` reports problems.
 * → {el, start(), stop(), running(), frame()}: `frame()` is the current frame as an example's picture.
 */
export function liveCamera({ wanted, onAnswerFrame, onChange = () => {}, onMessage }) {
  const video = h("video", { class: "teach-video", muted: true, playsInline: true, "aria-label": "Camera preview: the square is what an example will be" });
  const problem = cameraProblem();
  const button = h("button", { type: "button", class: "teach-camera-button", "aria-pressed": "false", disabled: Boolean(problem),
    onclick: () => (camera ? stop() : start()) }, "Start camera");
  const rate = h("span", { class: "pyodemo-note teach-rate", role: "status" });
  const el = h("div", { class: "teach-camera" }, h("div", { class: "teach-video-box" }, video),
    h("div", { class: "pyodemo-row" }, button, rate), problem ? h("p", { class: "pyodemo-note teach-camera-problem" }, problem) : null);
  let camera = null, frameCanvas = null, answering = false, looping = false;
  let counted = 0, since = 0;

  async function start() {
    if (camera) return;
    button.disabled = true;
    onMessage("Starting the camera…");
    try {
      camera = await openCamera(video);
    } catch (error) {
      onMessage(`${error.message} You can still add pictures with “Add pictures”, drop or paste them, or use the samples.`, "error");
      return;
    } finally {
      button.disabled = false;
    }
    onMessage("");
    el.dataset.running = "true";
    button.textContent = "Stop camera";
    button.setAttribute("aria-pressed", "true");
    onChange(true);
    loop();
  }

  function stop() {
    if (!camera) return;
    camera.stop();
    camera = null;
    delete el.dataset.running;
    button.textContent = "Start camera";
    button.setAttribute("aria-pressed", "false");
    rate.textContent = "";
    onChange(false);
  }

  /** The current frame's centred square at SIDE × SIDE px, as an example's picture (null before the first frame). */
  function frame() {
    const full = camera && pictureFromVideo(video, { name: "camera frame", reuse: frameCanvas });
    if (!full) return null;
    frameCanvas = full.canvas;
    const box = squareAround(noBounds(full.width, full.height), full.width, full.height); // opaque: the centred square
    const c = drawCrop(full, box, SIDE, null);
    const rgba = new Uint8Array(c.getContext("2d").getImageData(0, 0, SIDE, SIDE).data.buffer);
    return { canvas: c, width: SIDE, height: SIDE, rgba, hasAlpha: false, name: "camera frame", notes: [], original: { width: SIDE, height: SIDE } };
  }

  /** Answer frames one after the other while the camera runs; count how many a second. */
  function loop() {
    if (looping) return;
    looping = true;
    since = performance.now();
    counted = 0;
    const next = async () => {
      if (!camera) { looping = false; return; }
      if (!wanted()) { since = performance.now(); counted = 0; }
      const picture = !answering && wanted() && frame();
      if (picture) {
        answering = true;
        try {
          await onAnswerFrame(picture);
          counted += 1;
          el.dataset.answered = String(Number(el.dataset.answered || 0) + 1);
          const seconds = (performance.now() - since) / 1000;
          if (seconds > 2) { rate.textContent = `${(counted / seconds).toFixed(1)} frames answered a second`; since = performance.now(); counted = 0; }
        } finally {
          answering = false;
        }
      }
      requestAnimationFrame(next);
    };
    requestAnimationFrame(next);
  }

  return { el, start, stop, running: () => Boolean(camera), frame };
}
