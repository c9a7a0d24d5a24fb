// The overview grid (O): every slide of the deck as a thumbnail, page by page; click or Enter jumps there.
// Thumbnails of this page are clones of its live slides; other pages' come from their fetched HTML.
import { articleOf, deckIndex, loadDoc, slidesOf } from "./model.js";
import { layoutMinis, miniSlide } from "./render.js";

export class Overview {
  constructor(show) {
    this.show = show;
    this.el = null;
  }

  get isOpen() {
    return Boolean(this.el && !this.el.hidden);
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  open() {
    const show = this.show;
    if (!this.el) {
      this.el = document.createElement("div");
      this.el.className = "pd-overview";
      this.el.setAttribute("role", "dialog");
      this.el.setAttribute("aria-label", "All slides");
      this.el.addEventListener("click", (event) => {
        const thumb = event.target.closest(".pd-thumb");
        if (!thumb) return;
        this.close();
        show.goto(thumb.dataset.path, Number(thumb.dataset.slide), { local: true });
      });
      show.deckEl.append(this.el);
    }
    const heading = document.createElement("h2");
    heading.className = "pd-overview__title";
    heading.textContent = "All slides";
    const hint = document.createElement("span");
    hint.textContent = " — arrows to move, Enter to open, O or Escape to close";
    heading.append(hint);
    this.el.replaceChildren(heading);
    this.el.hidden = false;
    this.show.deckEl.dataset.overview = "open";
    const here = show.path;
    const pages = show.deck ?? [{ path: here, title: show.pageTitle, slides: show.slides.map((s) => s.title) }];
    const sections = pages.map((page) => this.section(page, page.path === here ? show.slides : null));
    this.el.append(...sections.map((s) => s.el));
    layoutMinis(this.el);
    this.focusCurrent();
    // Fill in the other pages (fetched), and pages the deck did not know about yet.
    const whole = Boolean(show.deck); // drawn from the whole deck (else from this page alone, for now)
    const fill = async () => {
      const deck = show.deck ?? (await deckIndex(show.slides));
      if (!this.isOpen) return;
      if (!whole) { // (slide mode's own deckIndex may have set show.deck meanwhile: redraw all the same)
        show.deck ??= deck;
        const known = new Map(sections.map((s) => [s.path, s]));
        this.el.replaceChildren(heading, ...deck.map((page) => (known.get(page.path) ?? this.section(page, null)).el));
      }
      for (const section of this.el.querySelectorAll(".pd-overview__page[data-pending]")) {
        try {
          const slides = slidesOf(articleOf(await loadDoc(section.dataset.path)));
          if (!this.isOpen) return;
          section.querySelectorAll(".pd-thumb").forEach((thumb, i) => {
            if (slides[i]) thumb.prepend(miniSlide(slides[i]));
          });
        } catch { /* no picture: the titles stay */ }
        section.removeAttribute("data-pending");
      }
      layoutMinis(this.el);
      this.focusCurrent();
    };
    fill();
  }

  section(page, liveSlides) {
    const el = document.createElement("section");
    el.className = "pd-overview__page";
    el.dataset.path = page.path;
    const title = document.createElement("h3");
    title.textContent = page.title;
    const list = document.createElement("ol");
    list.className = "pd-overview__grid";
    page.slides.forEach((slideTitle, i) => {
      const thumb = document.createElement("button");
      thumb.type = "button";
      thumb.className = "pd-thumb";
      thumb.dataset.path = page.path;
      thumb.dataset.slide = String(i);
      if (page.path === this.show.path && i === this.show.index) thumb.setAttribute("aria-current", "true");
      const caption = document.createElement("span");
      caption.className = "pd-thumb__caption";
      caption.textContent = `${i + 1} · ${slideTitle}`;
      if (liveSlides?.[i]) thumb.append(miniSlide(liveSlides[i]));
      thumb.append(caption);
      const item = document.createElement("li");
      item.append(thumb);
      list.append(item);
    });
    if (!liveSlides) el.dataset.pending = "";
    el.append(title, list);
    return { el, path: page.path };
  }

  focusCurrent() {
    const current = this.el.querySelector('.pd-thumb[aria-current="true"]') ?? this.el.querySelector(".pd-thumb");
    if (current && !this.el.contains(document.activeElement)) {
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "center" });
    }
  }

  close() {
    if (!this.el) return;
    this.el.hidden = true;
    delete this.show.deckEl.dataset.overview;
    this.show.stage.focus({ preventScroll: true });
  }

  /** Arrow keys move the focus through the grid (up/down by a row). Returns true when used. */
  key(event) {
    const thumbs = [...this.el.querySelectorAll(".pd-thumb")];
    const at = thumbs.indexOf(document.activeElement);
    const grid = document.activeElement?.closest(".pd-overview__grid");
    const columns = grid ? getComputedStyle(grid).gridTemplateColumns.split(" ").length : 1;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -Infinity, End: Infinity }[event.key];
    if (step === undefined) return false;
    const next = Math.min(thumbs.length - 1, Math.max(0, (at < 0 ? 0 : at) + step));
    thumbs[next]?.focus();
    thumbs[next]?.scrollIntoView({ block: "nearest" });
    return true;
  }
}
