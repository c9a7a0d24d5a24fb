// The presenter's slide window in follow mode: every slide it shows (by a key, a swipe, the overview or the
// speaker view through sync.js) is posted to the server with the room's key, which fans it out to the
// phones. Only the slide window posts — the speaker view moves the slide window, which then posts once —
// so two open windows never send twice. The latest slide wins: a move made while a post is in flight is
// sent when it returns. The outcome is on <html data-follow-sent> ("/hog/ 2"), or data-follow-error; a
// refused or failed post is also said on the slide window (the phones stopped following), until one succeeds.
// How many phones the server counted at the last move goes to the speaker view (sync.js: "followers").
import * as sync from "../present/sync.js";
import { SITE } from "./common.js";

let key = null, sending = false, wanted = null, sent = "", notice = null, followers = null;

/** Say on the slide window that the phones are not following (or take it away: `text` null). */
function say(text) {
  if (!text) {
    notice?.remove();
    notice = null;
    return;
  }
  if (!notice) {
    notice = document.createElement("p");
    notice.className = "pd-follow-notice";
    notice.setAttribute("role", "alert");
  }
  notice.textContent = text;
  (document.querySelector(".pd-deck") ?? document.body).append(notice);
}

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
      followers = Number((await response.json().catch(() => ({}))).followers);
      if (Number.isInteger(followers)) {
        root.dataset.followers = String(followers);
        sync.send("followers", { role: "audience", n: followers });
      }
      delete root.dataset.followError;
      say(null);
    } else {
      root.dataset.followError = `${response.status}: ${(await response.text()).trim()}`;
      console.warn("follow mode: the server refused the move:", root.dataset.followError);
      say(response.status === 403
        ? "Phones are not following: this window's key is not the server's (a restarted server makes a new one: open the presenter link it printed)."
        : `Phones are not following: the server refused this slide (${root.dataset.followError}).`);
    }
  } catch (error) {
    root.dataset.followError = `unreachable: ${error.message}`;
    say("Phones are not following: the server cannot be reached.");
  } finally {
    sending = false;
    post();
  }
}

/** Start posting the slide window's moves with `roomKey`; `first`: a slide shown before this module loaded. */
export function startPresenter(roomKey, first = null) {
  key = roomKey;
  sync.listen((message) => {
    if (message.kind === "hello" && message.role === "speaker" && Number.isInteger(followers)) {
      sync.send("followers", { role: "audience", n: followers });
    }
  });
  document.addEventListener("pyodemo:slide", (event) => {
    wanted = event.detail;
    post();
  });
  if (first && !wanted) {
    wanted = first;
    post();
  }
}
