// Renders the pages' formulas at build time (site_tools/math_prerender.py): reads [[tex, display], …] as JSON on
// stdin, writes the HTML of each (KaTeX's renderToString, HTML and MathML) as a JSON list on stdout.
import katex from "../node_modules/katex/dist/katex.mjs";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([tex, display]) => katex.renderToString(tex, { displayMode: display, throwOnError: false }));
process.stdout.write(JSON.stringify(out));
