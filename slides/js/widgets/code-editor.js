// Editable code (HOG and SVM pages): pyodemo's own functions as a program the reader edits and runs in
// the Python worker. pyodemo.web.code_editor builds the program from the package's real source ("code_editor.snippet")
// and runs it ("code_editor.run"): what it printed, and a traceback exactly as Python prints it.
//
// The editor is a plain <textarea> with a line-number gutter, not CodeMirror or Monaco: those need a
// bundler (this site ships native ES modules, no build step), weigh far more than the rest of the page's
// JavaScript, and a textarea is what screen readers, phone keyboards, autocorrect-off and the browser's
// own undo already handle well. On top of it: Tab indents by 4 spaces (Shift+Tab outdents), Enter keeps
// the indentation, Esc then Tab leaves the field (so the keyboard is never trapped), Ctrl/⌘+Enter runs.
//
// In slide mode (inside .pd-frame) the program shows one part at a time (code-sections.js: the imports, each
// copied function, each step), chosen with a row of buttons, and its output as one more view: a slide holds
// about 20 lines legibly, the programs are 60 to 90. Run always runs the whole program, as edited.
//
// An endless loop cannot be interrupted inside the worker, so each run has a time limit (10 s, or the
// widget's data-timeout-ms, or globalThis.pyodemoCodeTimeoutMs): past it python.js restarts the worker.
import { call, onStatus, restart } from "../python.js";
import { h, pythonStatus, whenVisible } from "../ui.js";
import { replaceLines, sections } from "../code-sections.js";

const DEFAULT_TIMEOUT_MS = 10_000;
const BOOT_TIMEOUT_MS = 180_000; // starting Python is not the code's time
const INDENT = "    ";
const MAX_ROWS = 24;
let uid = 0;

export function mount(el) {
  const id = `codeed-${++uid}`;
  const name = el.dataset.code || "hog";
  const fallback = (el.querySelector("pre code, code")?.textContent || "").replace(/\s+$/, "") + "\n";
  let original = null; // pyodemo's program, once it has arrived
  let running = false, stopping = false, runs = 0, pythonReady = false;

  // ---- the editor (editorParts, below)
  const { hint, gutter, textarea, editor, label } = editorParts(id, fallback);

  // ---- buttons, the run's time and the output
  const { runButton, stopButton, resetButton, meta, output } = runParts({ run: () => runCode(), stop: () => stop(), reset: () => reset() });
  const sources = h("p", { class: "pyodemo-note codeed-sources" });
  const title = h("h3", {}, "Edit and run pyodemo's code");

  const parts = h("div", { class: "pyodemo-row pd-views codeed-parts", role: "group", "aria-label": "Part of the program" });
  const slide = slideParts({ el, textarea, parts, changed: () => updateGutter() });

  el.replaceChildren(title, pythonStatus(), sources, parts, label, editor, hint,
    h("div", { class: "pyodemo-row codeed-buttons" }, runButton, stopButton, resetButton), meta, output);
  el.dataset.state = "loading";
  onStatus((s) => { pythonReady = s.state === "ready"; });
  updateGutter();

  // ---- slide mode (slideParts, below): the textarea holds one part of the program; on the page, all of it
  const program = () => (slide.on ? slide.program : textarea.value);

  // ---- loading pyodemo's program (this starts Python when the widget comes near the screen)
  whenVisible(el, () => load());

  async function load() {
    try {
      const s = await call("code_editor.snippet", { name }, {}, { timeoutMs: BOOT_TIMEOUT_MS });
      const edited = original !== null && program() !== original; // a retry after the reader's edits
      original = s.code;
      title.textContent = `Edit and run: ${s.title}`;
      sources.replaceChildren(...sourcesLine(s.sources));
      if (!edited) setCode(original);
      setMeta("Ready: edit the code, then press Run.");
      el.dataset.state = "ready";
    } catch (error) {
      // Python did not start: the page's static example stays, editable, so the reader still has it.
      if (original === null) {
        original = fallback;
        setCode(original);
      }
      setMeta(`pyodemo's code could not be loaded (${error.message}). This is the page's example instead; press Run to try again.`, "alert");
      el.dataset.state = "failed";
    }
  }

  function setCode(code) {
    textarea.readOnly = false;
    textarea.scrollLeft = 0;
    if (slide.on) {
      slide.program = code;
      slide.showPart(Math.min(slide.part, sections(code).length - 1));
      return;
    }
    textarea.value = code;
    textarea.rows = rowsFor(code);
    textarea.scrollTop = 0;
    updateGutter();
  }

  // `problem`: false, true (styled as an error) or "alert" (also announced at once: the widget's own trouble)
  function setMeta(text, problem = false) {
    meta.textContent = text;
    meta.classList.toggle("pyodemo-error", Boolean(problem));
    meta.setAttribute("role", problem === "alert" ? "alert" : "status");
  }

  // ---- running

  async function runCode() {
    if (running) return;
    if (el.dataset.state === "failed") await load(); // Python may start this time
    running = true;
    stopping = false;
    el.dataset.state = "running";
    runButton.setAttribute("aria-disabled", "true");
    stopButton.disabled = false;
    const limit = timeoutFor(el);
    const seconds = `${+(limit / 1000).toFixed(1)} s`;
    try {
      if (!pythonReady) {
        setMeta("Starting Python…");
        await call("ping", {}, {}, { timeoutMs: BOOT_TIMEOUT_MS });
      }
      setMeta(`Running… (stopped after ${seconds})`);
      const result = await call("code_editor.run", { source: program() }, {}, { timeoutMs: limit });
      show(result);
      if (slide.on) slide.showPart("output");
    } catch (error) {
      const failed = runFailure(error, stopping, seconds);
      showNote(failed.text, failed.summary);
      el.dataset.state = failed.state;
    } finally {
      running = false;
      runs += 1;
      el.dataset.runs = String(runs);
      runButton.removeAttribute("aria-disabled");
      if (document.activeElement === stopButton) runButton.focus();
      stopButton.disabled = true;
    }
  }

  function show({ stdout, error, ms }) {
    output.replaceChildren(...outputParts(stdout, error));
    output.dataset.ms = String(ms);
    const last = error ? error.trim().split("\n").pop() : "";
    setMeta(error ? `Ran for ${fmtMs(ms)} and stopped with an error: ${last}` : `Ran in ${fmtMs(ms)}.`, Boolean(error));
    el.dataset.state = error ? "error" : "done";
  }

  function showNote(text, summary) {
    output.replaceChildren(h("span", { class: "codeed-note" }, text));
    delete output.dataset.ms;
    setMeta(summary, true);
  }

  function stop() {
    if (!running) return;
    stopping = true;
    restart("You stopped the code; Python was restarted.");
  }

  function reset() {
    if (original === null) return;
    setCode(original);
    output.replaceChildren(emptyOutput());
    delete output.dataset.ms;
    setMeta("The code is back to pyodemo's original.");
    if (!running) el.dataset.state = "ready";
  }

  // ---- the gutter follows the textarea's lines and scrolling
  // (in slide mode the numbers are the program's, so they match a traceback's; no spare lines to scroll into)
  function updateGutter() {
    const lines = textarea.value.split("\n").length;
    const first = slide.on ? slide.start + 1 : 1;
    if (gutter.dataset.lines !== String(lines) || gutter.dataset.first !== String(first)) {
      gutter.textContent = Array.from({ length: lines }, (_, i) => first + i).join("\n") + (slide.on ? "" : "\n\n");
      Object.assign(gutter.dataset, { lines: String(lines), first: String(first) });
      gutter.style.setProperty("--digits", String(String(first + lines - 1).length)); // its width (sized apart from its text)
    }
    gutter.scrollTop = textarea.scrollTop;
  }
  textarea.addEventListener("input", updateGutter);
  textarea.addEventListener("scroll", () => { gutter.scrollTop = textarea.scrollTop; });

  // ---- keys (editorKeys, below)
  editorKeys(textarea, { run: () => runCode(), changed: () => updateGutter() });
}

/** Run, Stop and Reset, the line that says what happened (`meta`) and the output. */
function runParts({ run, stop, reset }) {
  const runButton = h("button", { type: "button", class: "codeed-run", onclick: run }, icon("▶"), "Run");
  const stopButton = h("button", { type: "button", class: "codeed-stop", disabled: true, onclick: stop }, icon("■"), "Stop");
  const resetButton = h("button", { type: "button", class: "codeed-reset", onclick: reset }, icon("↺"), "Reset");
  const meta = h("p", { class: "codeed-meta", role: "status" }, "Loading pyodemo's code…");
  const output = h("pre", { class: "codeed-output", tabindex: 0, "aria-live": "polite", "aria-label": "Output of the code",
                            "aria-atomic": "true" }, emptyOutput());
  return { runButton, stopButton, resetButton, meta, output };
}

const emptyOutput = () => h("span", { class: "codeed-empty" }, "The output appears here.");

/** "This is the real source of a, b and c, read from …": where the program's functions come from. */
const sourcesLine = (sources) => ["This is the real source of ",
  ...sources.flatMap((src, i) => [i ? (i === sources.length - 1 ? " and " : ", ") : "", h("code", {}, src)]),
  ", read from the installed pyodemo package, followed by a few lines that try it out."];

/** The editor: a gutter of line numbers beside a textarea that scrolls inside itself, its label and its keys' hint. */
function editorParts(id, code) {
  const hint = h("p", { class: "pyodemo-note codeed-hint", id: `${id}-hint` },
    h("kbd", {}, "Ctrl+Enter"), " (", h("kbd", {}, "⌘+Enter"), " on a Mac) runs the code. ",
    h("kbd", {}, "Tab"), " indents by 4 spaces, ", h("kbd", {}, "Shift+Tab"), " outdents. To leave the editor with the keyboard, press ",
    h("kbd", {}, "Esc"), ", then ", h("kbd", {}, "Tab"), ".");
  const gutter = h("pre", { class: "codeed-gutter", "aria-hidden": "true" });
  const textarea = h("textarea", {
    id: `${id}-code`, class: "codeed-code", wrap: "off", spellcheck: "false", autocapitalize: "off",
    autocomplete: "off", autocorrect: "off", translate: "no", readOnly: true,
    "aria-describedby": `${id}-hint`,
  });
  textarea.value = code;
  const editor = h("div", { class: "codeed-editor" }, gutter, textarea);
  const label = h("label", { for: textarea.id, class: "codeed-label" }, "Python code");
  return { hint, gutter, textarea, editor, label };
}

/** A run's time limit: the widget's data-timeout-ms, or globalThis.pyodemoCodeTimeoutMs, or 10 s. */
function timeoutFor(el) {
  const fromPage = Number(el.dataset.timeoutMs) || Number(globalThis.pyodemoCodeTimeoutMs);
  return fromPage > 0 ? fromPage : DEFAULT_TIMEOUT_MS;
}

/** What a run printed and its traceback, as the output's parts. */
function outputParts(stdout, error) {
  const parts = [];
  if (stdout) parts.push(h("span", { class: "codeed-stdout" }, stdout));
  if (error) parts.push(h("span", { class: "codeed-traceback", dataset: { traceback: "" } }, error));
  if (!parts.length) parts.push(h("span", { class: "codeed-empty" }, "(The code printed nothing.)"));
  return parts;
}

/** A run that did not finish: → {text, summary, state}. A restart is the Stop button's or the time limit's. */
function runFailure(error, stopping, seconds) {
  if (error.kind !== "restart") return { text: error.message || String(error), summary: "The code could not run.", state: "failed-run" };
  const why = stopping
    ? "You stopped the code: Python was restarted."
    : `Your code was still running after ${seconds} (an endless loop?), so Python was stopped and restarted.`;
  return { text: `${why} Press Run to run it again.`, summary: "Python was restarted.", state: "restarted" };
}

/**
 * Slide mode (inside .pd-frame): the textarea shows one part of the program (code-sections.js) at a time,
 * chosen with a row of buttons in `parts`, and "Output" as one more view; an edit goes into the program at
 * the part's lines. → {on, program, part, start, end, showPart(index)}, followed as the frame comes and goes.
 */
function slideParts({ el, textarea, parts, changed }) {
  const slide = { on: false, program: "", part: 0, start: 0, end: 0, showPart };
  const inFrame = () => Boolean(el.closest(".pd-frame"));
  new ResizeObserver(() => { if (inFrame() !== slide.on) setSlideMode(inFrame()); }).observe(el);

  function setSlideMode(on) {
    if (on) {
      slide.program = textarea.value;
      slide.on = true;
      showPart(Math.min(slide.part, sections(slide.program).length - 1));
    } else {
      slide.on = false;
      textarea.value = slide.program;
      textarea.rows = rowsFor(slide.program);
      delete el.dataset.view;
      changed();
    }
  }

  /** In slide mode, show part `index` of the program (or its output, "output"), with the row of buttons. */
  function showPart(index) {
    const list = sections(slide.program);
    if (index !== "output") {
      const { start, end } = list[index];
      Object.assign(slide, { part: index, start, end });
      textarea.value = slide.program.split("\n").slice(start, end).join("\n");
      textarea.rows = Math.max(...list.map((p) => p.end - p.start)); // every part in the same box
      textarea.scrollTop = 0;
      changed();
    }
    el.dataset.view = index === "output" ? "output" : "code";
    parts.replaceChildren(...list.map((p, i) => partButton(i, p.title)), partButton("output", "Output"));
  }

  function partButton(index, text) {
    const pressed = index === "output" ? el.dataset.view === "output" : el.dataset.view === "code" && slide.part === index;
    return h("button", { type: "button", "aria-pressed": String(pressed), dataset: { slideState: `part-${index}` },
                         onclick: () => showPart(index) }, text);
  }

  /** A slide-mode edit goes into the program at the part's lines. */
  textarea.addEventListener("input", () => {
    if (!slide.on) return;
    [slide.program, slide.end] = replaceLines(slide.program, slide.start, slide.end, textarea.value);
  });
  return slide;
}

/**
 * The editor's keys on `textarea`: Tab/Shift+Tab indent and outdent by 4 spaces (a selection: every line),
 * Enter keeps the indentation (one more after a colon), Backspace in the indentation removes one indent,
 * Ctrl/⌘+Enter calls `run()`, Esc then Tab leaves the field. Edits go through the browser's own editing
 * commands, so its undo keeps working; `changed()` after each.
 */
function editorKeys(textarea, { run, changed }) {
  let escaped = false;
  textarea.addEventListener("blur", () => { escaped = false; textarea.classList.remove("codeed-escaped"); });
  textarea.addEventListener("keydown", (e) => {
    if (e.isComposing || textarea.readOnly) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
      return;
    }
    if (e.key === "Escape") {
      escaped = true; // the next Tab moves the focus, as everywhere else
      textarea.classList.add("codeed-escaped");
      return;
    }
    if (["Shift", "Control", "Alt", "Meta"].includes(e.key)) return;
    if (e.key === "Tab" && escaped) return; // let the browser move the focus
    escaped = false;
    textarea.classList.remove("codeed-escaped");
    if (e.key === "Tab" && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      if (e.shiftKey) outdent(); else indent();
    } else if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      newline();
    } else if (e.key === "Backspace" && !e.ctrlKey && !e.altKey && !e.metaKey) {
      backspace(e);
    }
  });

  /** Replace text[start:end] by `text` as if typed (so the browser's undo keeps working). */
  function replace(start, end, text, selectStart = null, selectEnd = null) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    const done = text ? document.execCommand?.("insertText", false, text) : (start === end || document.execCommand?.("delete"));
    if (!done) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input"));
    }
    if (selectStart !== null) textarea.setSelectionRange(selectStart, selectEnd ?? selectStart);
    changed();
  }

  const lineStart = (pos) => textarea.value.lastIndexOf("\n", pos - 1) + 1;

  function indent() {
    const { selectionStart: a, selectionEnd: b, value } = textarea;
    if (a === b || !value.slice(a, b).includes("\n")) {
      const column = a - lineStart(a);
      replace(a, b, " ".repeat(INDENT.length - (column % INDENT.length)));
      return;
    }
    const start = lineStart(a);
    const block = value.slice(start, b);
    const lines = block.split("\n");
    const out = lines.map((l) => (l ? INDENT + l : l)).join("\n");
    replace(start, b, out, a + (lines[0] ? INDENT.length : 0), start + out.length);
  }

  function outdent() {
    const { selectionStart: a, selectionEnd: b, value } = textarea;
    const start = lineStart(a);
    const lines = value.slice(start, b).split("\n");
    const removed = lines.map((l) => (l.match(/^ {1,4}/) || [""])[0].length);
    if (!removed.some(Boolean)) return;
    const out = lines.map((l, i) => l.slice(removed[i])).join("\n");
    const end = a === b ? Math.max(start, a - removed[0]) : start + out.length;
    replace(start, b, out, Math.max(start, a - removed[0]), end);
  }

  function newline() {
    const { selectionStart: a, selectionEnd: b, value } = textarea;
    const line = value.slice(lineStart(a), a);
    let pad = line.match(/^ */)[0];
    if (/:\s*(#.*)?$/.test(line)) pad += INDENT;
    replace(a, b, `\n${pad}`);
  }

  function backspace(e) {
    const { selectionStart: a, selectionEnd: b, value } = textarea;
    if (a !== b) return;
    const before = value.slice(lineStart(a), a);
    if (!before || /[^ ]/.test(before)) return;
    e.preventDefault();
    const n = before.length % INDENT.length || INDENT.length;
    replace(a - n, a, "");
  }
}

// A symbol beside a button's word, for the eye only: screen readers say "Run", not "black triangle Run".
const icon = (symbol) => h("span", { "aria-hidden": "true" }, `${symbol} `);

const rowsFor = (code) => Math.min(MAX_ROWS, Math.max(6, code.split("\n").length));

const fmtMs = (ms) => (ms < 10 ? `${Number(ms).toFixed(1)} ms` : `${Math.round(ms).toLocaleString("en-US")} ms`);
