// Offline after the first visit (issue 7): register the service worker (site/sw.js, written by
// site_tools/offline.py) and, once this page has been idle after its first answer, ask it to fetch the rest of
// the site in the background: every page, Pyodide, the wheel, the models. A page never waits on that;
// a page with no Python widget downloads Pyodide only after it has gone idle. Service workers need a
// secure context (HTTPS, or 127.0.0.1): on a plain-HTTP LAN copy nothing happens here.
import { onStatus, status as python } from "./python.js";

const IDLE_AFTER_LOAD_MS = 3000;

export const offline = (globalThis.pyodemoOffline = { state: "off", done: 0, total: 0, failed: 0 });
let note = null;

function set(patch) {
  Object.assign(offline, patch);
  document.documentElement.dataset.offline = offline.state;
  if (!note) return;
  if (offline.state === "running" && offline.total) {
    note.textContent = `Saving the talk for offline use… ${Math.round((100 * offline.done) / offline.total)} %`;
  } else if (offline.state === "done") {
    note.textContent = "Saved for offline use: this talk now works without a network.";
  } else if (offline.state === "incomplete") {
    note.textContent = `Saved for offline use, except ${offline.failed} file(s) that could not be fetched.`;
  }
}

/** Resolves when the page has loaded, its Python (if it started) has answered, and the browser is idle. */
function pageIdle() {
  return new Promise((resolve) => {
    const idle = () => (window.requestIdleCallback ? requestIdleCallback(() => resolve(), { timeout: 5000 }) : setTimeout(resolve, 100));
    const afterPython = () => {
      if (python.state !== "booting") return idle();
      let waiting = true;
      const stop = onStatus((s) => {
        if (waiting && s.state !== "booting") {
          waiting = false;
          queueMicrotask(() => stop());
          idle();
        }
      });
    };
    const afterLoad = () => setTimeout(afterPython, IDLE_AFTER_LOAD_MS);
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad, { once: true });
  });
}

/** registration.update(), tried again twice when the request fails (bad Wi-Fi); offline, the old build stays. */
function lookForNewBuild(registration, tries = 3) {
  registration.update().catch(() => {
    if (tries > 1) setTimeout(() => lookForNewBuild(registration, tries - 1), 2000);
  });
}

async function start() {
  const root = new URL("../", import.meta.url);
  set({ state: "registering" });
  try {
    const registration = await navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname });
    // A new build is a new sw.js: look for one on every page load (sw.js is served no-cache, so this is
    // one small revalidation), so the new build's worker replaces the old one and its cache at once.
    if (navigator.serviceWorker.controller) lookForNewBuild(registration);
  } catch (error) {
    console.warn("offline: the service worker could not be registered:", error);
    set({ state: "failed", error: String(error?.message ?? error) });
    return;
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data;
    if (data?.type === "prefetch") set({ state: data.state, done: data.done, total: data.total, failed: data.failed, build: data.build });
  });
  // A new build's worker took over (the old one stopped its prefetch for it): it saves the rest.
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (["requested", "running", "superseded"].includes(offline.state)) {
      navigator.serviceWorker.controller?.postMessage({ type: "prefetch" });
    }
  });
  set({ state: "waiting" });
  await pageIdle();
  if (navigator.connection?.saveData) {
    set({ state: "skipped" });
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const footer = document.querySelector(".md-footer-meta__inner");
  if (footer && !note) {
    note = document.createElement("p");
    note.className = "pd-offline-note";
    note.setAttribute("role", "status");
    footer.append(note);
  }
  set({ state: "requested" });
  registration.active?.postMessage({ type: "prefetch" });
}

const params = new URLSearchParams(location.search);
if (window.isSecureContext && "serviceWorker" in navigator && !params.has("print")) start();
