// The QR code of the current slide, full screen in slide mode (Q, or the speaker view's QR button): the
// audience scans it to open that slide on their phones, from any host, with no server. Codes and addresses
// are made at build time (site_tools/deck.py → assets/slide-qr.json: the public `site_url`, the page, the
// slide's heading anchor) and fetched on the first Q only. The overlay lies inside the slide's frame, so it
// is scaled with it and fits every window the slides fit; Escape, Q or a tap closes it.

let codes = null;
function slideCodes() {
  codes ??= fetch(new URL("../../assets/slide-qr.json", import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`assets/slide-qr.json: ${r.status}`);
      return r.json();
    })
    .catch((error) => {
      codes = null;
      throw error;
    });
  return codes;
}

/** The code of slide `slide` (0-based) of the page at absolute path `path`: {url, svg}, or null. */
async function codeOf(path, slide) {
  const data = await slideCodes();
  const root = new URL("../../", import.meta.url).pathname;
  const relative = path.startsWith(root) ? path.slice(root.length) : path.replace(/^\//, "");
  return data.pages?.[relative]?.[slide] ?? null;
}

export class SlideQR {
  /** `frame`: the slide's frame (.pd-frame), where the overlay is placed. */
  constructor(frame) {
    this.frame = frame;
    this.el = null;
    this.shown = null;
  }

  get isOpen() {
    return Boolean(this.el && !this.el.hidden);
  }

  build() {
    const el = (this.el = document.createElement("div"));
    el.className = "pd-slideqr";
    el.setAttribute("role", "dialog");
    el.setAttribute("aria-label", "QR code of this slide");
    el.hidden = true;
    this.img = document.createElement("img");
    this.img.className = "pd-slideqr__code";
    this.img.width = 880;
    this.img.height = 880;
    this.caption = document.createElement("div");
    this.caption.className = "pd-slideqr__text";
    el.append(this.img, this.caption);
    el.addEventListener("click", () => this.close());
    this.frame.append(el);
  }

  async open(path, slide, title = "") {
    if (!this.el) this.build();
    this.shown = `${path} ${slide}`;
    this.el.hidden = false;
    this.el.dataset.state = "loading";
    let code = null, problem = "";
    try {
      code = await codeOf(path, slide);
      if (!code) problem = "This slide has no QR code in this build (rebuild the site).";
    } catch (error) {
      problem = `The slides' QR codes could not be loaded (${error.message}).`;
    }
    if (this.shown !== `${path} ${slide}` || this.el.hidden) return;
    const lead = document.createElement("p");
    lead.className = "pd-slideqr__lead";
    if (code) {
      this.img.hidden = false;
      this.img.src = code.svg;
      this.img.alt = `QR code that opens ${code.url}`;
      lead.textContent = title ? `Scan to open “${title}” on your phone:` : "Scan to open this slide on your phone:";
      const url = document.createElement("p");
      url.className = "pd-slideqr__url";
      url.textContent = code.url.replace(/^https?:\/\//, "");
      const hint = document.createElement("p");
      hint.className = "pd-slideqr__hint";
      hint.textContent = "Escape, Q or a tap closes this.";
      this.caption.replaceChildren(lead, url, hint);
      this.el.dataset.url = code.url;
    } else {
      this.img.hidden = true;
      lead.textContent = problem;
      this.caption.replaceChildren(lead);
    }
    this.el.dataset.state = code ? "ready" : "failed";
  }

  close() {
    if (!this.el) return;
    this.el.hidden = true;
    this.shown = null;
  }

  toggle(path, slide, title) {
    return this.isOpen ? this.close() : this.open(path, slide, title);
  }
}
