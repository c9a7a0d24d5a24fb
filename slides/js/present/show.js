// Slide mode (the audience window): the page's own slides, full screen, one at a time.
// The real DOM nodes of a slide are moved into the deck (and back on exit), so a running widget keeps its
// state; speaker notes are hidden. Every slide is laid out at one size (frame.js: 1920 × 1080 CSS px) and
// scaled as a whole to the window, the same factor for every slide.
// Slides span pages: past the last slide, the next page in navigation order opens in slide mode.
// Every slide shown is announced as a `pyodemo:slide` event ({path, slide}) on the document: follow mode
// (follow/presenter.js) posts it to the phones. Q shows the current slide's QR code (slide-qr.js).
import {
  articleOf, atGlobal, deckIndex, globalIndex, navPages, neighbour, pagePath, pageTitle, slidesOf, total,
} from "./model.js";
import { KeyReader, MATERIAL_KEYS, isTyping } from "./keys.js";
import { placeFrame } from "./frame.js";
import { Overview } from "./overview.js";
import { layoutMinis } from "./render.js";
import { SlideQR } from "./slide-qr.js";
import * as sync from "./sync.js";

const ANNOUNCE = "pyodemo-present-announce"; // set before this window moves to another page by itself
const FULLSCREEN = "pyodemo-present-fullscreen"; // the presenter asked for full screen (kept across pages)
const SWIPE = { distance: 50, ratio: 1.5, ms: 900 };
const NO_SWIPE = "input, select, textarea, canvas, button, pre, table, [role='slider'], .pd-overview, .md-typeset__scrollwrap";

const ICONS = {
  prev: "M15.41 16.58 10.83 12l4.58-4.59L14 6l-6 6 6 6z",
  next: "M8.59 16.58 13.17 12 8.59 7.41 10 6l6 6-6 6z",
  overview: "M3 11h8V3H3m0 18h8v-8H3m10 8h8v-8h-8m0-10v8h8V3",
  speaker: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2M6 9h12v2H6m8 3H6v-2h8m4-4H6V6h12",
  exit: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  present: "M2 3h20v2h-1v11h-6l1.5 5H14l-1.5-5h-1L10 21H7.5L9 16H3V5H2zm3 2v9h14V5z",
};

export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function button(name, label, onclick) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = `pd-bar__button pd-bar__button--${name}`;
  el.setAttribute("aria-label", label);
  el.title = label;
  el.append(icon(name));
  el.addEventListener("click", onclick);
  return el;
}

// Move a node keeping its state (Element.moveBefore keeps media, focus and animations); older browsers
// fall back to insertBefore and playing videos are resumed.
function move(parent, node, before = null) {
  if (parent.moveBefore && node.isConnected && parent.isConnected) {
    try {
      parent.moveBefore(node, before);
      return;
    } catch { /* fall through */ }
  }
  const playing = node.nodeType === 1
    ? [...(node.matches("video, audio") ? [node] : []), ...node.querySelectorAll("video, audio")].filter((m) => !m.paused)
    : [];
  parent.insertBefore(node, before);
  for (const media of playing) media.play().catch(() => {});
}

export class SlideShow {
  constructor() {
    this.article = articleOf();
    this.slides = slidesOf(this.article);
    this.path = pagePath(location.href);
    this.pageTitle = pageTitle(document);
    this.pages = navPages();
    this.index = -1;
    this.active = false;
    this.deck = null;
    this.keys = new KeyReader();
    this.markers = [];
    this.deckEl = null;
    this.fullscreenWanted = sessionStorage.getItem(FULLSCREEN) === "1";
    this.fullscreenOurs = false; // slide mode is full screen by its own request
    this.fullscreenAsked = false; // slide mode asked for full screen and the browser has not answered yet
    document.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("hashchange", () => {
      const slide = sync.slideFromHash();
      if (this.active && slide !== null) this.show(this.resolve(slide), { local: true });
    });
    sync.listen((message) => this.onMessage(message));
    sync.ownHash(() => this.active);
  }

  resolve(slide) {
    return slide === "last" ? this.slides.length - 1 : Math.min(Math.max(0, slide), this.slides.length - 1);
  }

  build() {
    const deck = document.createElement("div");
    deck.className = "pd-deck";
    deck.setAttribute("role", "dialog");
    deck.setAttribute("aria-modal", "true");
    deck.setAttribute("aria-label", `Slides: ${this.pageTitle}`);
    deck.hidden = true;
    this.stage = document.createElement("div");
    this.stage.className = "pd-stage";
    this.stage.tabIndex = -1;
    this.frame = document.createElement("div");
    this.frame.className = "pd-frame md-typeset";
    this.slideEl = document.createElement("div");
    this.slideEl.className = "pd-slide pd-content";
    this.frame.append(this.slideEl);
    this.qr = new SlideQR(this.frame);
    this.stage.append(this.frame);
    this.counter = document.createElement("span");
    this.counter.className = "pd-bar__counter";
    this.typed = document.createElement("span");
    this.typed.className = "pd-bar__typed";
    this.typed.setAttribute("aria-live", "polite");
    const bar = document.createElement("div");
    bar.className = "pd-bar";
    bar.append(
      button("prev", "Previous slide", () => this.prev({ local: true })),
      this.counter, this.typed,
      button("overview", "All slides (O)", () => this.overview.toggle()),
      button("speaker", "Speaker view (S)", () => this.openSpeakerView()),
      button("exit", "Back to the page (Escape)", () => this.exit()),
      button("next", "Next slide", () => this.next({ local: true })),
    );
    this.progress = document.createElement("div");
    this.progress.className = "pd-progress";
    this.progress.setAttribute("role", "progressbar");
    this.progress.setAttribute("aria-label", "Position in the talk");
    this.progress.setAttribute("aria-valuemin", "0");
    this.progress.setAttribute("aria-valuemax", "100");
    const fill = document.createElement("div");
    fill.className = "pd-progress__fill";
    this.progress.append(fill);
    this.live = document.createElement("p");
    this.live.className = "pyodemo-visually-hidden";
    this.live.setAttribute("aria-live", "polite");
    this.black = document.createElement("div");
    this.black.className = "pd-black";
    this.black.hidden = true;
    deck.append(this.stage, bar, this.progress, this.live, this.black);
    document.body.append(deck);
    this.deckEl = deck;
    this.overview = new Overview(this);
    this.swipe(deck);
    window.addEventListener("resize", () => this.scheduleFit());
    document.addEventListener("fullscreenchange", () => {
      if (document.fullscreenElement) {
        // Only slide mode's own request concerns it; a full screen someone else asked for is left alone.
        const ours = this.fullscreenAsked && document.fullscreenElement === document.documentElement;
        this.fullscreenAsked = false;
        if (!ours) return;
        // Granted after slide mode was already left again (P twice in quick succession): the page is not
        // kept full screen without its slides.
        if (!this.active) document.exitFullscreen().catch(() => {});
        else this.fullscreenOurs = true;
      } else if (this.fullscreenOurs && this.active) {
        // The browser left full screen (Escape): leave slide mode with it.
        this.fullscreenOurs = false;
        this.exit({ fromFullscreen: true });
      }
    });
    const again = () => {
      if (this.active && this.fullscreenWanted && !document.fullscreenElement) this.requestFullscreen();
    };
    deck.addEventListener("pointerup", again);
    deck.addEventListener("keyup", again);
  }

  /** Enter slide mode at `index` (0-based; default: the slide in view). `gesture`: a user action asked. */
  enter(index = null, { gesture = false, local = true } = {}) {
    if (!this.slides.length) return false;
    // where the reader is, measured before slide mode changes the page's layout (and its scroll position)
    if (index === null && !this.active) index = this.slideInView();
    if (!this.deckEl) this.build();
    if (!this.active) {
      this.active = true;
      this.markers = this.slides.map((s) => {
        const marker = document.createComment(` slide ${s.index + 1} `);
        this.article.insertBefore(marker, s.nodes[0]);
        return marker;
      });
      const end = document.createComment(" slides end ");
      const last = this.slides.at(-1).nodes.at(-1);
      this.article.insertBefore(end, last.nextSibling);
      this.markers.push(end);
      document.documentElement.classList.add("pd-presenting");
      for (const el of document.body.children) if (el !== this.deckEl) el.inert = true;
      this.deckEl.hidden = false;
      if (gesture) {
        this.fullscreenWanted = true;
        sessionStorage.setItem(FULLSCREEN, "1");
        this.requestFullscreen();
      }
      this.index = -1;
      deckIndex(this.slides).then((deck) => {
        this.deck = deck;
        if (this.active) this.update();
      });
    }
    this.show(index ?? this.slideInView(), { local });
    this.stage.focus({ preventScroll: true });
    return true;
  }

  requestFullscreen() {
    const root = document.documentElement;
    if (!root.requestFullscreen || !document.fullscreenEnabled || document.fullscreenElement) return;
    if (navigator.userActivation && !navigator.userActivation.isActive) return; // only from a key or a tap
    this.fullscreenAsked = true; // until the browser answers (fullscreenchange, or the refusal)
    root.requestFullscreen({ navigationUI: "hide" }).catch(() => {
      this.fullscreenAsked = false; // not allowed here: the overlay is enough
    });
  }

  /** The slide whose heading is nearest above the top of the viewport (where the reader is). */
  slideInView() {
    // Presenting again without scrolling away comes back to the slide left, even when the next slide's
    // heading also sits in the top third of the window (a short slide) or leaving full screen (which
    // resizes the window after the exit) moved the page a little: its heading is still in sight up there.
    const left = this.left?.heading.getBoundingClientRect();
    if (left && left.bottom > 0 && left.top < window.innerHeight * 0.3) return this.left.index;
    let best = 0;
    this.slides.forEach((s, i) => {
      if (s.heading.getBoundingClientRect().top < window.innerHeight * 0.3) best = i;
    });
    return best;
  }

  show(index, { local = false } = {}) {
    index = this.resolve(index);
    if (index !== this.index) {
      const focusInside = this.slideEl.contains(document.activeElement);
      if (this.index >= 0) {
        for (const node of this.slides[this.index].nodes) move(this.article, node, this.markers[this.index + 1]);
      }
      this.index = index;
      const slide = this.slides[index];
      for (const node of slide.nodes) move(this.slideEl, node);
      this.frame.classList.toggle("pd-slide--title", slide.heading.tagName === "H1");
      this.stage.scrollTop = 0;
      if (focusInside) this.stage.focus({ preventScroll: true });
      this.live.textContent = `Slide ${index + 1} of ${this.slides.length}: ${slide.title}`;
    }
    history.replaceState(history.state, "", sync.slideURL(this.path, index));
    this.update();
    this.fit();
    if (local) sync.send("at", { role: "audience", path: this.path, slide: index, count: this.slides.length });
    if (this.qr.isOpen) this.showQR();
    document.dispatchEvent(new CustomEvent("pyodemo:slide", { detail: { path: this.path, slide: index } }));
  }

  /** The current slide's QR code, full screen (Q; the speaker view's QR button). */
  showQR() {
    return this.qr.open(this.path, this.index, this.slides[this.index]?.title ?? "");
  }

  toggleQR() {
    return this.qr.isOpen ? this.qr.close() : this.showQR();
  }

  update() {
    const n = this.slides.length;
    const deckEl = this.deckEl;
    deckEl.dataset.slide = String(this.index + 1);
    deckEl.dataset.slides = String(n);
    let fraction, label = `${this.pageTitle} · ${this.index + 1} / ${n}`;
    if (this.deck) {
      const g = globalIndex(this.deck, this.path, this.index);
      const t = total(this.deck);
      fraction = (g + 1) / t;
      label += `  (${g + 1} of ${t})`;
      deckEl.dataset.globalSlide = String(g + 1);
    } else {
      const p = Math.max(0, this.pages.indexOf(this.path));
      fraction = (p + (this.index + 1) / n) / Math.max(1, this.pages.length);
    }
    this.counter.textContent = label;
    this.progress.firstElementChild.style.width = `${(100 * fraction).toFixed(2)}%`;
    this.progress.setAttribute("aria-valuenow", String(Math.round(100 * fraction)));
  }

  // --- fitting the slide to the window ---------------------------------------------------------------------

  scheduleFit() {
    if (!this.active || this.fitPending) return;
    this.fitPending = true;
    requestAnimationFrame(() => {
      this.fitPending = false;
      this.fit();
    });
  }

  /** Scale the slide's frame to the window: one factor for every slide (frame.js). */
  fit() {
    if (!this.active) return;
    const scale = placeFrame(this.frame, this.stage.clientWidth, this.stage.clientHeight);
    this.deckEl.dataset.scale = scale.toFixed(4);
    if (this.overview?.isOpen) layoutMinis(this.overview.el);
  }

  // --- moving -----------------------------------------------------------------------------------------

  next({ local = false } = {}) {
    if (this.index < this.slides.length - 1) return this.show(this.index + 1, { local });
    const next = this.pageAfter(1);
    if (next) this.leave(next, 0, local);
  }

  prev({ local = false } = {}) {
    if (this.index > 0) return this.show(this.index - 1, { local });
    const prev = this.pageAfter(-1);
    if (prev) this.leave(prev, "last", local);
  }

  pageAfter(step) {
    const at = this.pages.indexOf(this.path);
    if (at >= 0 && this.pages[at + step]) return this.pages[at + step];
    return at < 0 ? neighbour(step > 0 ? "next" : "prev") : null;
  }

  /** Go to slide `slide` of page `path` (this page or another). */
  goto(path, slide, { local = false } = {}) {
    if (path === this.path) return this.show(slide, { local });
    this.leave(path, slide, local);
  }

  /** Jump to slide number `n` (1-based) of the whole deck (of this page while the deck is unknown). */
  jump(n) {
    if (!this.deck) return this.show(n - 1, { local: true });
    const target = atGlobal(this.deck, Math.max(0, n - 1));
    if (target) this.goto(target.path, target.slide, { local: true });
  }

  leave(path, slide, local) {
    if (local) sessionStorage.setItem(ANNOUNCE, "1");
    this.deckEl.dataset.leaving = path;
    location.assign(sync.slideURL(path, slide));
  }

  exit({ fromFullscreen = false } = {}) {
    if (!this.active) return;
    this.overview?.close();
    this.qr.close();
    const slide = this.slides[this.index];
    for (const node of slide.nodes) move(this.article, node, this.markers[this.index + 1]);
    for (const marker of this.markers) marker.remove();
    this.markers = [];
    this.active = false;
    this.index = -1;
    this.deckEl.hidden = true;
    this.black.hidden = true;
    for (const el of document.body.children) el.inert = false;
    document.documentElement.classList.remove("pd-presenting");
    sessionStorage.removeItem(FULLSCREEN);
    this.fullscreenWanted = false;
    if (!fromFullscreen && document.fullscreenElement) {
      this.fullscreenOurs = false;
      document.exitFullscreen().catch(() => {});
    }
    history.replaceState(history.state, "", `${this.path}${slide.heading.id ? `#${slide.heading.id}` : ""}`);
    slide.heading.scrollIntoView({ block: "start", behavior: "instant" });
    this.left = slide; // see slideInView
  }

  openSpeakerView() {
    const url = sync.slideURL(this.path, Math.max(0, this.index), "speaker");
    const win = window.open(url, "pyodemo-speaker", "popup,width=1200,height=760");
    win?.focus();
  }

  // --- input --------------------------------------------------------------------------------------------

  onKey(event) {
    if (!this.active) {
      // Page mode: P enters slide mode (instead of Material's "previous page").
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "p" || event.key === "P") {
        event.preventDefault();
        event.stopPropagation();
        this.enter(null, { gesture: true });
      }
      return;
    }
    const command = this.keys.read(event);
    if (!command) {
      if (MATERIAL_KEYS.has(event.key) && !isTyping(event)) event.stopPropagation();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const { action } = command;
    if (this.overview.isOpen) {
      if (action === "exit" || action === "overview") this.overview.close();
      else if (this.overview.key(event)) { /* moved in the grid */ }
      else if (action === "goto") { this.overview.close(); this.jump(command.n); }
      return;
    }
    if (!this.black.hidden && action !== "black") this.black.hidden = true;
    if (this.qr.isOpen && (action === "exit" || action === "qr")) return this.qr.close();
    switch (action) {
      case "next": return this.next({ local: true });
      case "prev": return this.prev({ local: true });
      case "first": return this.deck ? this.jump(1) : this.show(0, { local: true });
      case "last": return this.deck ? this.jump(total(this.deck)) : this.show(this.slides.length - 1, { local: true });
      case "goto": this.typed.textContent = ""; return this.jump(command.n);
      case "digit": this.typed.textContent = command.digits ? `Go to slide ${command.digits}…` : ""; return;
      case "overview": return this.overview.toggle();
      case "speaker": return this.openSpeakerView();
      case "black": this.black.hidden = !this.black.hidden; return;
      case "qr": return this.toggleQR();
      case "exit": case "toggle": return this.exit();
    }
  }

  swipe(el) {
    let start = null;
    el.addEventListener("touchstart", (event) => {
      const touch = event.touches[0];
      start = event.touches.length === 1 && !event.target.closest(NO_SWIPE)
        ? { x: touch.clientX, y: touch.clientY, t: event.timeStamp } : null;
    }, { passive: true });
    el.addEventListener("touchend", (event) => {
      if (!start || !this.active || this.overview.isOpen) return;
      const touch = event.changedTouches[0];
      const dx = touch.clientX - start.x, dy = touch.clientY - start.y;
      const quick = event.timeStamp - start.t < SWIPE.ms;
      start = null;
      if (quick && Math.abs(dx) > SWIPE.distance && Math.abs(dx) > SWIPE.ratio * Math.abs(dy)) {
        if (dx < 0) this.next({ local: true });
        else this.prev({ local: true });
      }
    }, { passive: true });
    el.addEventListener("touchcancel", () => { start = null; }, { passive: true });
  }

  // --- the speaker view's messages ------------------------------------------------------------------

  onMessage(message) {
    if (!this.active) return;
    if (message.kind === "hello" && message.role === "speaker") {
      sync.send("at", { role: "audience", path: this.path, slide: this.index, count: this.slides.length });
    } else if (message.kind === "at" && message.role === "speaker") {
      if (message.path === this.path && message.slide === this.index) return;
      this.goto(message.path, message.slide, { local: false });
    } else if (message.kind === "qr" && message.role === "speaker") {
      this.toggleQR();
    }
  }

  /** After loading: tell the speaker view where this window is (moved by itself) or ask where to be. */
  greet() {
    if (sessionStorage.getItem(ANNOUNCE) === "1") {
      sessionStorage.removeItem(ANNOUNCE);
      sync.send("at", { role: "audience", path: this.path, slide: this.index, count: this.slides.length });
    } else {
      sync.send("hello", { role: "audience" });
    }
  }
}
