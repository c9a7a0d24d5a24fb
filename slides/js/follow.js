// Follow mode (issue 20; site_tools/follow.py): on `make run LAN=1` the phones that open the follow link
// (`/?follow`) follow the presenter's slides. This module is listed before present.js and app.js, because
//   * the presenter's link carries the room's key in its fragment (`?present#key=…`): it is moved into
//     sessionStorage and removed from the address bar at once, before anything can show or share it;
//   * a follower's widgets that would boot Python wait for a tap (app.js skips [data-mounted]), so a move
//     costs each phone a page, not a Python runtime.
// On a static host `_follow/config.json` is the build's `{"follow": false}`: nothing here reaches further.
import { KEY, deferHeavyWidgets, followConfig, hasFollowParam } from "./follow/common.js";

const params = new URLSearchParams(location.search);
const fragment = /^#key=([A-Za-z0-9_-]{16,128})$/.exec(location.hash);
if (fragment) {
  try {
    sessionStorage.setItem(KEY, fragment[1]);
  } catch { /* storage blocked: this window cannot move the room */ }
  history.replaceState(history.state, "", location.pathname + location.search);
}

let presenterKey = null;
try {
  presenterKey = sessionStorage.getItem(KEY);
} catch { /* storage blocked */ }

if (presenterKey && params.has("present")) {
  // The slide window announces every slide it shows (show.js); the first comes before the module below loads.
  let first = null;
  const early = (event) => { first = event.detail; };
  document.addEventListener("pyodemo:slide", early);
  Promise.all([import("./follow/presenter.js"), followConfig()]).then(([{ startPresenter }, config]) => {
    document.removeEventListener("pyodemo:slide", early);
    if (config.follow) startPresenter(presenterKey, first);
  });
} else if (hasFollowParam(params) && !params.has("present") && !params.has("speaker") && !params.has("print")) {
  if (params.has("follow")) deferHeavyWidgets();
  import("./follow/follower.js").then(({ startFollower }) => startFollower());
}
