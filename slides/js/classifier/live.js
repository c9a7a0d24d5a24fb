// The classifier's live camera: the camera (sources/camera.js) played in a hidden <video>, a frame taken
// every `everyMs` (picture.js pictureFromVideo, into one reused canvas) and the crop box redrawn from the
// video every animation frame; stopped, the last frame is kept as a picture of its own.
import { h } from "../ui.js";
import { pictureFromVideo } from "../picture.js";
import { openCamera } from "../sources/camera.js";

/**
 * The live view of the crop box `crop` (crop-box.js), toggled by `button` ("Live camera" / "Stop camera").
 * `onStart()` once the camera plays; `onFrame(frame, first)` per frame; `onStop(lastFrame | null)` (a copy
 * of the last frame when stopped with `keep`); `onError(error)` when the camera cannot start.
 * → {start(), stop({keep = true}), on}.
 */
export function liveView({ host, button, crop, everyMs, onStart, onFrame, onStop, onError }) {
  let camera = null, video = null, timer = null, frame = null, starting = false;

  async function start() {
    if (starting || camera) return;
    starting = true;
    const v = h("video", { class: "pyodemo-visually-hidden", autoplay: true, "aria-hidden": "true" });
    host.append(v);
    try {
      camera = await openCamera(v);
    } catch (error) {
      v.remove();
      onError(error);
      return;
    } finally {
      starting = false;
    }
    video = v;
    button.textContent = "Stop camera";
    button.setAttribute("aria-pressed", "true");
    crop.setLive(video);
    onStart();
    const tick = () => {
      if (!camera) return;
      const next = pictureFromVideo(video, { name: "camera frame", reuse: frame?.canvas });
      if (next) {
        const first = !frame;
        frame = next;
        onFrame(next, first);
      }
      timer = setTimeout(tick, everyMs);
    };
    const redraw = () => { if (camera) { crop.redraw(); requestAnimationFrame(redraw); } };
    tick();
    requestAnimationFrame(redraw);
  }

  /** Stop the stream; with `keep`, the last frame stays as the picture (its crop can be adjusted). */
  function stop({ keep = true } = {}) {
    if (!camera) return;
    camera.stop();
    camera = null;
    clearTimeout(timer);
    video?.remove();
    video = null;
    button.textContent = "Live camera";
    button.setAttribute("aria-pressed", "false");
    crop.setLive(null);
    const last = frame;
    frame = null;
    onStop(keep && last ? copyPicture(last) : null); // the live canvas is reused: keep a copy of the last frame
  }

  return { start, stop, get on() { return camera !== null; } };
}

function copyPicture(frame) {
  const c = h("canvas", { width: frame.width, height: frame.height });
  c.getContext("2d").drawImage(frame.canvas, 0, 0);
  return { ...frame, canvas: c, name: "camera frame" };
}
