// A phone following the presenter (`?follow`): one server-sent-events stream (site_tools/follow.py), a bar at
// the bottom of the page that says what is happening, and one tap to leave follow mode or to rejoin it.
// A move is checked against the build's deck.json before the phone goes anywhere: a page of this talk
// and a slide within its range, on this origin. Then the phone scrolls to that slide's heading, or opens
// the slide's page in follow mode (its Python widgets wait for a tap).
import { articleOf, pagePath, slidesOf } from "../present/model.js";
import { slideFromHash } from "../present/sync.js";
import { LEFT, SITE, deckPages, followConfig, undeferWidgets, validTarget } from "./common.js";

const MESSAGES = {
  connecting: "Connecting to the presenter…",
  waiting: "Following the presenter: the talk has not started yet.",
  following: "Following the presenter's slides.",
  lost: "Lost the presenter's server; you stay here (trying again…).",
  stopped: "The presenter's server stopped; you stay here.",
  full: "The room is full.",
  left: "You left follow mode: read at your own pace.",
  refused: "Ignored a move outside this talk; you stay here.",
};

class Follower {
  constructor(config, pages) {
    this.config = config;
    this.pages = pages;
    this.source = null;
    this.build();
  }

  build() {
    this.text = document.createElement("p");
    this.text.className = "pd-follow__text";
    this.text.setAttribute("role", "status");
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "pd-follow__button";
    this.button.addEventListener("click", () => (this.source ? this.leave() : this.join()));
    this.bar = document.createElement("aside");
    this.bar.className = "pd-follow";
    this.bar.setAttribute("aria-label", "Follow the presenter");
    this.bar.append(this.text, this.button);
    document.body.append(this.bar);
  }

  set(state, detail = "") {
    document.documentElement.dataset.follow = state;
    this.text.textContent = detail ? `${MESSAGES[state]} ${detail}` : MESSAGES[state];
    this.button.textContent = this.source ? "Stop following" : "Follow the presenter";
  }

  join() {
    try {
      sessionStorage.removeItem(LEFT);
    } catch { /* storage blocked */ }
    const url = new URL(location.href);
    url.searchParams.set("follow", "");
    history.replaceState(history.state, "", url.href.replace("?follow=", "?follow").replace("&follow=", "&follow"));
    const source = (this.source = new EventSource(new URL("_follow/events", SITE)));
    this.set("connecting");
    source.addEventListener("open", () => {
      if (document.documentElement.dataset.follow === "lost") this.set("following");
    });
    source.addEventListener("waiting", () => this.set("waiting"));
    source.addEventListener("move", (event) => this.onMove(event.data));
    source.addEventListener("full", (event) => this.stop("full", messageOf(event.data)));
    source.addEventListener("bye", () => this.stop("stopped"));
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      if (source.readyState === EventSource.CLOSED) this.stop("stopped");
      else this.set("lost");
    });
  }

  stop(state, detail = "") {
    this.source?.close();
    this.source = null;
    this.set(state, detail);
  }

  leave() {
    try {
      sessionStorage.setItem(LEFT, "1");
    } catch { /* storage blocked: the rejoin button stays on this page only */ }
    const url = new URL(location.href);
    url.searchParams.delete("follow");
    history.replaceState(history.state, "", url.href);
    this.stop("left");
  }

  onMove(data) {
    let move = null;
    try {
      move = JSON.parse(data);
    } catch { /* a malformed event is ignored like an outside target */ }
    const page = move && validTarget(this.pages, move.path, move.slide);
    if (!page) {
      this.set("refused");
      return;
    }
    this.set("following");
    if (move.path === pagePath(location.href)) {
      showSlide(move.slide);
    } else {
      document.documentElement.dataset.followLeaving = move.path;
      location.assign(`${move.path}?follow#slide-${move.slide + 1}`);
    }
  }
}

const messageOf = (data) => {
  try {
    return String(JSON.parse(data).message || "");
  } catch {
    return "";
  }
};

let anchored = null;
const USER_INPUT = ["wheel", "touchstart", "keydown", "pointerdown"];

/**
 * Keep `heading` at the top while the page above it fills in (formulas, pictures, widgets change its
 * height after the first scroll), until the reader touches the page or another slide is shown.
 */
function keepInView(heading) {
  anchored?.();
  const observer = new ResizeObserver(() => heading.scrollIntoView({ block: "start" }));
  const stop = () => {
    observer.disconnect();
    for (const type of USER_INPUT) removeEventListener(type, stop, true);
    if (anchored === stop) anchored = null;
  };
  for (const type of USER_INPUT) addEventListener(type, stop, { capture: true, passive: true });
  observer.observe(document.body);
  anchored = stop;
}

/** Scroll to slide `slide` (0-based) of this page, and say where the page is (`data-follow-at`). */
function showSlide(slide) {
  const slides = slidesOf(articleOf());
  const target = slides[Math.min(slide, slides.length - 1)];
  if (target) {
    target.heading.scrollIntoView({ block: "start" });
    keepInView(target.heading);
    history.replaceState(history.state, "", `${location.pathname}${location.search}#slide-${slide + 1}`);
  }
  document.documentElement.dataset.followAt = `${pagePath(location.href)} ${slide}`;
}

export async function startFollower() {
  const [config, pages] = await Promise.all([followConfig(), deckPages()]);
  if (!config.follow) { // a static host: follow mode does not exist here
    document.documentElement.dataset.follow = "off";
    return undeferWidgets();
  }
  const here = slideFromHash();
  if (typeof here === "number") showSlide(here);
  const follower = new Follower(config, pages);
  let left = false;
  try {
    left = sessionStorage.getItem(LEFT) === "1" && !new URLSearchParams(location.search).has("follow");
  } catch { /* storage blocked */ }
  if (left) follower.set("left");
  else follower.join();
}
