// The speaker view (S in slide mode, or `?speaker`): the current and the next slide, the current slide's
// speaker notes, a timer and the clock. It follows the audience window and drives it, both ways, through
// the BroadcastChannel in sync.js. Slides are drawn from the pages' HTML (widgets static); the view moves
// between pages without reloading (its URL follows, so a reload keeps the place and the timer).
import { articleOf, deckIndex, globalIndex, loadDoc, navPages, pagePath, slidesOf, total, atGlobal } from "./model.js";
import { KeyReader, MATERIAL_KEYS } from "./keys.js";
import { layoutMinis, miniSlide, staticClone } from "./render.js";
import { icon } from "./show.js";
import * as sync from "./sync.js";

const TIMER = "pyodemo-speaker-timer";

const el = (tag, className, ...children) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
};

function textButton(label, onclick, iconName = null) {
  const b = el("button", "pd-sv__button");
  b.type = "button";
  if (iconName) {
    b.append(icon(iconName));
    b.setAttribute("aria-label", label);
    b.title = label;
  } else {
    b.textContent = label;
  }
  b.addEventListener("click", onclick);
  return b;
}

/** A stopwatch kept in sessionStorage: survives reloads of the speaker view. */
class Timer {
  constructor(onTick) {
    this.onTick = onTick;
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(TIMER) || "null");
    } catch { /* start fresh */ }
    this.elapsed = saved?.elapsed ?? 0;
    this.startedAt = saved?.startedAt ?? null;
  }

  get running() {
    return this.startedAt !== null;
  }

  get ms() {
    return this.elapsed + (this.running ? Date.now() - this.startedAt : 0);
  }

  save() {
    sessionStorage.setItem(TIMER, JSON.stringify({ elapsed: this.elapsed, startedAt: this.startedAt }));
    this.onTick();
  }

  toggle() {
    if (this.running) {
      this.elapsed += Date.now() - this.startedAt;
      this.startedAt = null;
    } else {
      this.startedAt = Date.now();
    }
    this.save();
  }

  reset() {
    this.elapsed = 0;
    this.startedAt = this.running ? Date.now() : null;
    this.save();
  }
}

export const formatDuration = (ms) => {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
};

export class SpeakerView {
  constructor(slide) {
    this.path = pagePath(location.href);
    this.pages = navPages();
    this.slide = slide ?? 0;
    this.deck = null;
    this.keys = new KeyReader();
    this.renderId = 0;
    document.documentElement.classList.add("pd-speaker");
    document.title = `Speaker view — ${document.title}`;
    this.build();
    for (const child of document.body.children) if (child !== this.root) child.inert = true;
    this.timer = new Timer(() => this.tick());
    this.tick();
    setInterval(() => this.tick(), 1000);
    document.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("resize", () => layoutMinis(this.root));
    sync.listen((message) => this.onMessage(message));
    sync.ownHash(() => true);
    deckIndex(null).then((deck) => {
      this.deck = deck;
      this.render();
    });
    this.render().then(() => sync.send("hello", { role: "speaker" }));
  }

  build() {
    this.position = el("span", "pd-sv__position");
    this.clock = el("time", "pd-sv__clock");
    this.elapsed = el("time", "pd-sv__elapsed");
    this.startButton = textButton("Start", () => this.timer.toggle());
    const timer = el("div", "pd-sv__timer", this.elapsed, this.startButton, textButton("Reset", () => this.timer.reset()));
    timer.setAttribute("role", "group");
    timer.setAttribute("aria-label", "Timer");
    const nav = el("div", "pd-sv__nav",
      textButton("Previous slide", () => this.step(-1), "prev"),
      textButton("Next slide", () => this.step(1), "next"),
      textButton("QR code", () => this.toggleQR()));
    nav.lastChild.title = "Show or hide this slide's QR code on the audience screen (Q)";
    this.followers = el("span", "pd-sv__followers");
    this.followers.hidden = true;
    const bar = el("header", "pd-sv__bar", this.position, nav, timer, this.followers, this.clock);
    this.current = el("section", "pd-sv__current");
    this.current.setAttribute("aria-label", "Current slide");
    this.next = el("section", "pd-sv__next");
    this.next.setAttribute("aria-label", "Next slide");
    this.notes = el("section", "pd-sv__notes md-typeset");
    this.notes.setAttribute("aria-label", "Speaker notes");
    this.root = el("main", "pd-sv", bar, this.current, this.next, this.notes);
    this.root.setAttribute("aria-label", "Speaker view");
    this.status = el("p", "pyodemo-visually-hidden");
    this.status.setAttribute("aria-live", "polite");
    this.root.append(this.status);
    if (!sync.available) this.root.append(el("p", "pd-sv__warning", "This browser has no BroadcastChannel: the speaker view cannot follow the slides."));
    document.body.append(this.root);
  }

  tick() {
    const now = new Date();
    this.clock.textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    this.clock.dateTime = now.toISOString();
    this.elapsed.textContent = formatDuration(this.timer.ms);
    this.startButton.textContent = this.timer.running ? "Pause" : this.timer.ms ? "Resume" : "Start";
    this.root.dataset.timer = this.timer.running ? "running" : "paused";
  }

  async slidesOfPage(path) {
    return slidesOf(articleOf(await loadDoc(path)));
  }

  /** Draw the current position: current slide, next slide (maybe on the next page), notes. */
  async render() {
    const id = ++this.renderId;
    const path = this.path;
    let slides;
    try {
      slides = await this.slidesOfPage(path);
    } catch (error) {
      this.current.replaceChildren(el("p", "pyodemo-error", `Could not load ${path}: ${error.message}`));
      return;
    }
    if (id !== this.renderId) return;
    if (this.slide === "last" || this.slide >= slides.length) this.slide = slides.length - 1;
    this.slide = Math.max(0, this.slide);
    const slide = slides[this.slide];
    let next = slides[this.slide + 1] ?? null, nextLabel = "Next";
    if (!next) {
      const at = this.pages.indexOf(path);
      const nextPath = at >= 0 ? this.pages[at + 1] : null;
      if (nextPath) {
        try {
          next = (await this.slidesOfPage(nextPath))[0] ?? null;
          nextLabel = "Next page";
        } catch { next = null; }
      }
      if (id !== this.renderId) return;
    }
    this.current.replaceChildren(el("h2", "pd-sv__label", "Now"), slide ? miniSlide(slide) : "");
    this.next.replaceChildren(el("h2", "pd-sv__label", nextLabel),
      next ? miniSlide(next) : el("p", "pd-sv__end", "End of the talk"));
    const notes = slide?.notes ?? [];
    const body = notes.flatMap((n) => [...n.childNodes].filter((c) => !(c.nodeType === 1 && c.matches("summary, .admonition-title"))));
    this.notes.replaceChildren(el("h2", "pd-sv__label", "Notes"),
      ...(body.length ? [staticClone(body, { notes: true })] : [el("p", "pd-sv__empty", "No notes for this slide.")]));
    const count = slides.length;
    let where = `${slide?.title ?? ""} — slide ${this.slide + 1} of ${count} on this page`;
    if (this.deck) where += `, ${globalIndex(this.deck, path, this.slide) + 1} of ${total(this.deck)}`;
    this.position.textContent = where;
    this.status.textContent = `Slide ${this.slide + 1}: ${slide?.title ?? ""}`;
    this.root.dataset.path = path;
    this.root.dataset.slide = String(this.slide + 1);
    this.root.dataset.title = slide?.title ?? "";
    history.replaceState(history.state, "", sync.slideURL(path, this.slide, "speaker"));
    layoutMinis(this.root);
  }

  /** Move to (path, slide) and redraw; `local`: the presenter did it here, so tell the audience. */
  async moveTo(path, slide, { local = false } = {}) {
    this.path = path;
    this.slide = slide;
    await this.render();
    if (local) sync.send("at", { role: "speaker", path: this.path, slide: this.slide });
  }

  async step(direction) {
    const count = (await this.slidesOfPage(this.path).catch(() => [])).length || 1;
    const slide = this.slide === "last" ? count - 1 : Math.min(this.slide, count - 1);
    const at = this.pages.indexOf(this.path);
    if (direction > 0) {
      if (slide < count - 1) return this.moveTo(this.path, slide + 1, { local: true });
      if (at >= 0 && this.pages[at + 1]) return this.moveTo(this.pages[at + 1], 0, { local: true });
    } else {
      if (slide > 0) return this.moveTo(this.path, slide - 1, { local: true });
      if (at > 0) return this.moveTo(this.pages[at - 1], "last", { local: true });
    }
  }

  /** Show (or hide) the current slide's QR code full screen in the slide window (slide-qr.js). */
  toggleQR() {
    sync.send("qr", { role: "speaker" });
  }

  onKey(event) {
    const command = this.keys.read(event);
    if (!command) {
      if (MATERIAL_KEYS.has(event.key)) event.stopPropagation();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    switch (command.action) {
      case "next": return this.step(1);
      case "prev": return this.step(-1);
      case "qr": return this.toggleQR();
      case "first": return this.pages.length ? this.moveTo(this.pages[0], 0, { local: true }) : null;
      case "last": return this.pages.length ? this.moveTo(this.pages.at(-1), "last", { local: true }) : null;
      case "goto": {
        if (!this.deck) return this.moveTo(this.path, command.n - 1, { local: true });
        const target = atGlobal(this.deck, command.n - 1);
        return target ? this.moveTo(target.path, target.slide, { local: true }) : null;
      }
    }
  }

  onMessage(message) {
    if (message.kind === "followers" && Number.isInteger(message.n)) {
      // follow mode (follow/presenter.js): how many phones the server counted at the last move
      this.followers.hidden = false;
      this.followers.textContent = `${message.n} ${message.n === 1 ? "phone follows" : "phones follow"}`;
      this.root.dataset.followers = String(message.n);
      return;
    }
    if (message.kind === "at" && message.role === "audience") {
      if (message.path === this.path && message.slide === this.slide) return;
      this.moveTo(message.path, message.slide);
    } else if (message.kind === "hello" && message.role === "audience") {
      sync.send("at", { role: "speaker", path: this.path, slide: this.slide });
    }
  }
}
