// What follow mode's modules share: the storage names, the site's root, the build's deck and the server's
// follow configuration (fetched once per page).

export const KEY = "pyodemo-follow-key"; // the presenter's key (sessionStorage of the presenter's tab)
export const LEFT = "pyodemo-follow-left"; // this tab's reader left follow mode (and may rejoin)
export const SITE = new URL("../../", import.meta.url);

/** Widgets that draw without Python or the CNN: they mount for a follower as for anybody. */
const LIGHT = new Set(["audience-qr", "dataset-gallery", "kpis"]);

/** Is this page in follow mode (`?follow`), or did its reader leave it in this tab (to offer a rejoin)? */
export function hasFollowParam(params = new URLSearchParams(location.search)) {
  if (params.has("follow")) return true;
  try {
    return sessionStorage.getItem(LEFT) === "1";
  } catch {
    return false;
  }
}

/** Every widget that boots Python or the CNN waits for a tap ("Tap to start this demo"). */
export function deferHeavyWidgets(root = document) {
  for (const el of root.querySelectorAll(".pyodemo-widget[data-widget]:not([data-mounted])")) {
    if (LIGHT.has(el.dataset.widget)) continue;
    el.dataset.mounted = "deferred";
    const start = document.createElement("button");
    start.type = "button";
    start.className = "pd-follow__start";
    start.textContent = "Tap to start this demo";
    start.addEventListener("click", async () => {
      start.remove();
      delete el.dataset.mounted;
      const { mountAll } = await import("../app.js");
      await mountAll(el.parentElement ?? document);
    }, { once: true });
    el.prepend(start);
  }
}

/** Undo `deferHeavyWidgets` (a static host, where `?follow` means nothing): the widgets mount as usual. */
export async function undeferWidgets(root = document) {
  const deferred = [...root.querySelectorAll('.pyodemo-widget[data-mounted="deferred"]')];
  if (!deferred.length) return;
  for (const el of deferred) {
    el.querySelector(":scope > .pd-follow__start")?.remove();
    delete el.dataset.mounted;
  }
  const { mountAll } = await import("../app.js");
  await mountAll(root);
}

let config = null;
/** The server's follow configuration: {follow: true, link, qr, limit} on a follow server, else {follow: false}. */
export function followConfig() {
  config ??= fetch(new URL("_follow/config.json", SITE), { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : { follow: false }))
    .then((c) => (c && c.follow === true ? c : { follow: false }))
    .catch(() => ({ follow: false }));
  return config;
}

let deck = null;
/** The build's deck.json: [{path (absolute on this host), slides}]. */
export function deckPages() {
  deck ??= fetch(new URL("deck.json", SITE))
    .then((r) => (r.ok ? r.json() : { pages: [] }))
    .then((d) => (d.pages || []).map((p) => ({ path: new URL(p.path, SITE).pathname, slides: p.slides })))
    .catch(() => []);
  return deck;
}

/** The page of `pages` that (path, slide) names, or null when it is not a slide of this talk. */
export function validTarget(pages, path, slide) {
  if (typeof path !== "string" || !Number.isInteger(slide) || slide < 0) return null;
  const page = pages.find((p) => p.path === path);
  return page && slide < page.slides ? page : null;
}
