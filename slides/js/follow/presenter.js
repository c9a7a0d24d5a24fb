// The presenter's slide window in follow mode: every slide it shows (by a key, a swipe, the overview or the
// speaker view through sync.js) is posted to the server with the room's key, which fans it out to the
// phones. Only the slide window posts — the speaker view moves the slide window, which then posts once —
// so two open windows never send twice. The latest slide wins: a move made while a post is in flight is
// sent when it returns. The outcome is on <html data-follow-sent> ("/hog/ 2"), or data-follow-error.
import { SITE } from "./common.js";

let key = null, sending = false, wanted = null, sent = "";

async function post() {
  if (sending || !wanted) return;
  const move = wanted;
  const id = `${move.path} ${move.slide}`;
  wanted = null;
  if (id === sent) return;
  sending = true;
  const root = document.documentElement;
  try {
    const response = await fetch(new URL("_follow/move", SITE), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: JSON.stringify({ path: move.path, slide: move.slide }),
      cache: "no-store",
      keepalive: true,
    });
    if (response.ok) {
      sent = id;
      root.dataset.followSent = id;
      delete root.dataset.followError;
    } else {
      root.dataset.followError = `${response.status}: ${(await response.text()).trim()}`;
      console.warn("follow mode: the server refused the move:", root.dataset.followError);
    }
  } catch (error) {
    root.dataset.followError = `unreachable: ${error.message}`;
  } finally {
    sending = false;
    post();
  }
}

/** Start posting the slide window's moves with `roomKey`; `first`: a slide shown before this module loaded. */
export function startPresenter(roomKey, first = null) {
  key = roomKey;
  document.addEventListener("pyodemo:slide", (event) => {
    wanted = event.detail;
    post();
  });
  if (first && !wanted) {
    wanted = first;
    post();
  }
}
