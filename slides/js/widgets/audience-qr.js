// The audience link (title page): the QR code of the site's public address (`site_url` in mkdocs.yml,
// drawn at build time by the MkDocs hook into assets/qr.svg), the address as text, and — on a plain-HTTP
// copy such as `make run LAN=1` — why only the file picker works there. On a follow server (`make run
// LAN=1`, site_tools/follow.py) a second code opens the follow link, drawn by the server when it started.
import { h, siteURL } from "../ui.js";
import { followConfig } from "../follow/common.js";

async function publicURL() {
  try {
    const response = await fetch(siteURL("runtime.json"));
    if (response.ok) {
      const url = (await response.json()).site_url;
      if (url) return url;
    }
  } catch { /* fall back to this copy's address */ }
  return siteURL("");
}

const bare = (url) => url.replace(/^https?:\/\//, "").replace(/\/$/, "");

function followCode(config) {
  return h("figure", { class: "pd-qr__item pd-qr__item--follow" },
    config.qr ? h("img", {
      class: "pd-qr__code", src: siteURL(config.qr), width: 320, height: 320,
      alt: `QR code that opens ${config.link}`, dataset: { url: config.link },
    }) : null,
    h("figcaption", {},
      h("span", { class: "pd-qr__label" }, "Follow the slides (this room's Wi-Fi)"),
      h("a", { class: "pd-qr__url", href: config.link }, bare(config.link))));
}

export async function mount(el) {
  const [url, follow] = await Promise.all([publicURL(), followConfig()]);
  const shown = bare(url);
  const code = h("img", {
    class: "pd-qr__code", src: siteURL("assets/qr.svg"), width: 320, height: 320,
    alt: `QR code that opens ${url}`, dataset: { url },
  });
  const text = h("div", { class: "pd-qr__text" },
    h("p", {}, "Scan to open the talk on your phone, or type:"),
    h("p", { class: "pd-qr__url" }, h("a", { href: url }, shown)));
  if (!window.isSecureContext) {
    text.append(h("p", { class: "pyodemo-note pd-qr__insecure", role: "note" },
      `This copy (${location.host}) is served over plain HTTP, which browsers do not treat as secure: `
      + "here you can pick a photo or take one with the file picker, but the live camera and offline use "
      + "need HTTPS — the QR code opens the public HTTPS site."));
  }
  if (!follow.follow) {
    el.replaceChildren(h("div", { class: "pd-qr" }, code, text));
    return;
  }
  const web = h("figure", { class: "pd-qr__item" }, code,
    h("figcaption", {}, h("span", { class: "pd-qr__label" }, "The talk on the web"),
      h("a", { class: "pd-qr__url", href: url }, shown)));
  const notes = [...text.querySelectorAll(".pd-qr__insecure")];
  el.replaceChildren(h("div", { class: "pd-qr pd-qr--follow" }, web, followCode(follow), ...notes));
}
