// Renders the pages' formulas at build time (site_tools/math_prerender.py): reads [[tex, display], …] as JSON on
// stdin, writes for each {mathml} (Temml's renderToString: MathML Core, which Chromium, WebKit and Firefox lay
// out themselves) or {error} (TeX that Temml cannot read) as a JSON list on stdout.
//
// An inline formula may wrap where TeX breaks a line in running text: after a top-level relation or binary
// operator (Temml's `wrap: "tex"` makes each stretch up to such a point a <mrow> of its own). Browsers do not
// break inside one <math>, so each stretch becomes a <math> of its own, side by side: a long formula in a
// sentence wraps on a phone instead of widening the page.
import temml from "../node_modules/temml/dist/temml.mjs";

const TAG = /<(\/?)([a-z]+)\b[^>]*?(\/?)>/g;

/** The top-level elements of a <math>'s markup, as strings, or null when the markup is not one <math>. */
function children(mathml) {
  const open = mathml.match(/^<math\b[^>]*>/);
  if (!open || !mathml.endsWith("</math>")) return null;
  const body = mathml.slice(open[0].length, -"</math>".length);
  const found = [];
  let depth = 0, start = 0;
  for (const tag of body.matchAll(TAG)) {
    const [, closing, , selfClosing] = tag;
    if (!closing && !selfClosing && depth++ === 0) start = tag.index;
    if (closing && --depth === 0) found.push(body.slice(start, tag.index + tag[0].length));
  }
  return { open: open[0], found };
}

function render(tex, display) {
  const mathml = temml.renderToString(tex, { displayMode: display, throwOnError: true, wrap: display ? "none" : "tex" });
  const parts = display ? null : children(mathml);
  if (!parts || parts.found.length < 2 || !parts.found.every((c) => c.startsWith("<mrow>"))) return mathml;
  return parts.found.map((c) => `${parts.open}${c}</math>`).join("");
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([tex, display]) => {
  try {
    return { mathml: render(tex, display) };
  } catch (error) {
    return { error: String(error.message ?? error) };
  }
});
process.stdout.write(JSON.stringify(out));
