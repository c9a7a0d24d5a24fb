// The live camera, for any widget: whether it can be used here (`cameraProblem`), and a stream playing in a
// <video> (`openCamera`) that one call stops. Errors are thrown as Error(message) with a message for people.

/**
 * Why no live camera can be used on this page, in plain words, or null when it can. getUserMedia exists
 * only in a secure context (HTTPS, or localhost): `make run LAN=1` serves plain HTTP to phones.
 */
export function cameraProblem() {
  if (!window.isSecureContext) {
    return "The live camera needs a secure page (HTTPS): this one came over plain HTTP (as `make run LAN=1` "
      + "serves it to phones). Choosing a picture or taking a photo with the file picker still works.";
  }
  if (typeof navigator.mediaDevices?.getUserMedia !== "function") {
    return "This browser gives pages no camera (no navigator.mediaDevices). Choosing a picture still works.";
  }
  return null;
}

/** getUserMedia's error names → what happened, for people. */
const WHY = {
  NotAllowedError: "The camera was not allowed.",
  SecurityError: "The camera was not allowed.",
  NotFoundError: "No camera was found.",
  OverconstrainedError: "No camera was found that can film here.",
  NotReadableError: "The camera is busy in another app.",
  AbortError: "The camera is busy in another app.",
};

/**
 * Start the camera (the rear one where there is a choice) and play it in `video`, muted and inline (iOS
 * plays nothing full-screen or with sound without a tap). → {stream, stop()}: stop() ends every track
 * and clears the video's srcObject. Throws Error(message) when there is no camera to use.
 */
export async function openCamera(video, { facingMode = { ideal: "environment" }, width = { ideal: 640 },
  height = { ideal: 480 } } = {}) {
  const problem = cameraProblem();
  if (problem) throw new Error(problem);
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode, width, height }, audio: false });
  } catch (error) {
    throw new Error(WHY[error?.name] ?? `The camera could not start (${error?.message || error}).`);
  }
  video.playsInline = true;
  video.muted = true;
  video.setAttribute("playsinline", "");
  video.setAttribute("muted", "");
  video.srcObject = stream;
  try { await video.play(); } catch { /* autoplay of a muted stream is allowed; frames still arrive */ }
  return {
    stream,
    stop() {
      for (const track of stream.getTracks()) track.stop();
      if (video.srcObject === stream) video.srcObject = null;
    },
  };
}
