"""The pages' formulas as MathML, written at build time, so no page runs a formula library (issue 17, step 3).

`pymdownx.arithmatex` (generic mode) leaves ``<span class="arithmatex">\\(…\\)</span>`` and
``<div class="arithmatex">\\[…\\]</div>``. Each page's formulas go through Temml's ``renderToString`` in one
``node`` run (`site_tools/math_render.mjs`, the Temml of node_modules): Temml is KaTeX's parser writing
MathML Core, which Chromium, WebKit and Firefox lay out themselves — one element per symbol, where KaTeX's
HTML drew each formula from nested positioned spans, over half of a formula page's elements, which a phone
restyled and laid out at every load (measured in EXPERIMENTS.md). The MathML replaces the
TeX; an element keeps its class and gets ``data-rendered``; the page links Temml's stylesheet, whose font is
Latin Modern Math cut to the site's formulas (`site_tools.math_font`). Pages without formulas link nothing.
TeX that Temml cannot read stops the build with the formula and Temml's message.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("math_render.mjs")
FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
DELIMITERS = re.compile(r"^\\[\[(](?P<body>.*)\\[\])]$", re.S)


class MathError(RuntimeError):
    """The formulas could not be rendered at build time."""


def render(formulas: list[tuple[str, bool]]) -> list[str]:
    """Temml's MathML for each (tex, display) pair, in one node run."""
    node = shutil.which("node")
    if not node:
        raise MathError("node is missing: the build renders the formulas with Temml (`make deps` installs it)")
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(formulas), capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    if done.returncode != 0:
        raise MathError(f"Temml failed: {done.stderr.strip()[-1000:]}")
    results = json.loads(done.stdout)
    errors = [f"{tex!r}: {r['error'].strip()}" for (tex, _), r in zip(formulas, results) if "error" in r]
    if errors:
        raise MathError("formulas Temml cannot read:\n" + "\n".join(errors))
    return [r["mathml"] for r in results]


def tex_of(found: re.Match) -> tuple[str, bool]:
    r"""(TeX, display) of one arithmatex element.

    >>> tex_of(FORMULA.search('<div class="arithmatex">\\[x &lt; 1\\]</div>'))
    ('x < 1', True)
    """
    text = html.unescape(found["tex"]).strip()
    inner = DELIMITERS.match(text)
    return (inner["body"] if inner else text), found["tag"] == "div"


def prerender(page: str, css_href: str) -> str:
    """`page` with its formulas as MathML and the formulas' stylesheet (`css_href`) linked; unchanged without formulas."""
    found = list(FORMULA.finditer(page))
    if not found:
        return page
    rendered = iter(render([tex_of(match) for match in found]))
    page = FORMULA.sub(lambda m: f'<{m["tag"]} class="arithmatex" data-rendered>{next(rendered)}</{m["tag"]}>', page)
    return page.replace("</head>", f'<link rel="stylesheet" href="{css_href}">\n</head>', 1)
