// The code editor's program in parts, for slide mode (ARCHITECTURE.md "One slide size"): a slide shows
// about 20 lines of code legibly, the programs are 60 to 90 lines, so slide mode shows one part at a time.
// The parts are the program's own: pyodemo.web.code_editor starts every copied function with
// "# from pyodemo/<module>.py" and every step of the driver with "# ---- N. …"; the lines before the first
// mark are the imports. Cut from the current text each time, so a reader's edits keep their parts.

const MARK = /^# (?:from pyodemo\/|---- )/;

/**
 * The parts of `code`: [{ title, start, end }], lines [start, end) of code.split("\n") without the blank
 * lines that separate a part from the next.
 *
 *   sections("import math\n\n\n# from pyodemo/hog.py\ndef f():\n    pass\n")
 *   → [{ title: "Imports", start: 0, end: 1 }, { title: "f()", start: 3, end: 6 }]
 */
export function sections(code) {
  const lines = code.split("\n");
  const starts = [0, ...lines.flatMap((line, i) => (i > 0 && MARK.test(line) ? [i] : []))];
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] : lines.length;
    while (end > start + 1 && !lines[end - 1].trim()) end -= 1;
    return { title: titleOf(lines.slice(start, end)), start, end };
  });
}

function titleOf(lines) {
  const step = /^# ---- (\d+)\./.exec(lines[0]);
  if (step) return `Step ${step[1]}`;
  if (!lines[0].startsWith("# from pyodemo/")) return "Imports";
  const found = lines.map((line) => /^(def|class) (\w+)/.exec(line)).find(Boolean);
  return found ? (found[1] === "def" ? `${found[2]}()` : found[2]) : lines[0].slice(2);
}

/** `code` with lines [start, end) replaced by `text`: [new code, the part's new end]. */
export function replaceLines(code, start, end, text) {
  const lines = code.split("\n");
  const part = text.split("\n");
  lines.splice(start, end - start, ...part);
  return [lines.join("\n"), start + part.length];
}
