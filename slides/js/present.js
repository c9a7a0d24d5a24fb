// Presenting the talk from its own pages (ARCHITECTURE.md "Slides and notes"):
//   P, the header button or `?present`   slide mode (keys, swipes, overview O, speaker view S, Escape)
//   `?speaker`                           the speaker view (opened by S; synced with BroadcastChannel)
//   `?print` (`&notes`)                  one slide per 16:9 page, for `python -m export pdf`
// This module is listed before app.js, so in the speaker view it can keep the widgets from mounting.
// The speaker view's code is imported only by the speaker window.
import { articleOf, navPages } from "./present/model.js";
import { printLayout, printReady } from "./present/print.js";
import { SlideShow, icon } from "./present/show.js";
import { slideFromHash } from "./present/sync.js";

const params = new URLSearchParams(location.search);
const api = (globalThis.pyodemoPresent = {
  /** The site's pages in navigation order (absolute URLs). */
  pages: () => navPages().map((path) => new URL(path, location.origin).href),
});

function presentButton(show) {
  const header = document.querySelector(".md-header__inner");
  if (!header) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "md-header__button md-icon pd-present-button";
  button.setAttribute("aria-label", "Present these pages as slides (P)");
  button.title = "Present (P)";
  button.append(icon("present"));
  button.addEventListener("click", () => show.enter(null, { gesture: true }));
  const search = header.querySelector('label.md-header__button[for="__search"]');
  header.insertBefore(button, search ?? null);
}

if (articleOf()) {
  if (params.has("print")) {
    const layout = printLayout({ notes: params.has("notes") });
    api.printReady = () => printReady(layout);
  } else if (params.has("speaker")) {
    // Static slides only: no widget of this window boots Python (app.js skips [data-mounted]).
    for (const widget of document.querySelectorAll(".pyodemo-widget")) widget.dataset.mounted = "static";
    const { SpeakerView } = await import("./present/speaker.js");
    api.speaker = new SpeakerView(slideFromHash());
  } else {
    const show = (api.show = new SlideShow());
    presentButton(show);
    if (params.has("present") && show.enter(slideFromHash() ?? 0, { local: false })) show.greet();
  }
}
