// The audience window and the speaker view talk through a BroadcastChannel: no server, so presenting
// works from any static host. Messages:
//   {kind: "at", path, slide, role}   a window moved (by its user) to slide `slide` (0-based) of page `path`
//   {kind: "hello", role}            a window (re)loaded and asks where the others are
// A window that moves because of a message does not announce it (no echo), so two windows cannot loop.

const NAME = "pyodemo-present";
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(NAME) : null;

export const available = Boolean(channel);

export function send(kind, data = {}) {
  channel?.postMessage({ kind, ...data });
}

export function listen(handler) {
  channel?.addEventListener("message", (event) => {
    if (event.data && typeof event.data.kind === "string") handler(event.data);
  });
}

/** The URL of slide `slide` (0-based, or "last") of page `path` in `mode` ("present" or "speaker"). */
export function slideURL(path, slide, mode = "present") {
  const n = slide === "last" ? "last" : slide + 1;
  return `${path}?${mode}#slide-${n}`;
}

/** The slide named by a location hash (#slide-3 → 2, #slide-last → "last"); null when none. */
export function slideFromHash(hash = location.hash) {
  const match = /^#slide-(\d+|last)$/.exec(hash);
  if (!match) return null;
  return match[1] === "last" ? "last" : Math.max(0, Number(match[1]) - 1);
}

// While a deck owns the address (slide mode, speaker view), the hash names the slide. Material's
// "navigation.tracking" rewrites the hash to the heading in view whenever the page scrolls or resizes —
// which moving slides in and out of the page does — so its rewrites are dropped while `owner()` is true.
let owner = () => false;
const nativeReplaceState = History.prototype.replaceState;
history.replaceState = function replaceState(state, unused, url) {
  if (url !== undefined && url !== null && owner()) {
    const next = new URL(url, location.href);
    if (next.hash !== location.hash && !/^#slide-(\d+|last)$/.test(next.hash)) return undefined;
  }
  return nativeReplaceState.call(this, state, unused, url);
};

/** Let `predicate()` decide when the slide hash must not be rewritten by others. */
export function ownHash(predicate) {
  owner = predicate;
}
