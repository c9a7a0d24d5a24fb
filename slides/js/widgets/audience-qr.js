// The audience link (title page): the QR code of the site's public address (`site_url` in mkdocs.yml,
// drawn at build time by the MkDocs hook into assets/qr.svg), the address as text, and — on a plain-HTTP
// copy such as `make run LAN=1` — why only the file picker works there.
import { h, siteURL } from "../ui.js";

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

export async function mount(el) {
  const url = await publicURL();
  const shown = url.replace(/^https?:\/\//, "").replace(/\/$/, "");
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
  el.replaceChildren(h("div", { class: "pd-qr" }, code, text));
}
