"""The pages' formulas rendered at build time, so no page runs KaTeX (issue 17, step 3: the main thread).

`pymdownx.arithmatex` (generic mode) leaves ``<span class="arithmatex">\\(…\\)</span>`` and
``<div class="arithmatex">\\[…\\]</div>``. Rendering them in the browser cost a phone (4× CPU) one task of
0.2–0.9 s per page with formulas (KaTeX's 270 kB of script, then every formula), and the re-layout after it.
Here each page's formulas go through KaTeX's own ``renderToString`` in one ``node`` run
(`site_tools/katex_render.mjs`, the KaTeX of node_modules that the site also ships), the HTML replaces the TeX,
and the page links KaTeX's stylesheet (25 kB, with its fonts) in its ``<head>``; pages without formulas
link nothing. An element keeps its class and gets ``data-rendered``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("katex_render.mjs")
FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
DELIMITERS = re.compile(r"^\\[\[(](?P<body>.*)\\[\])]$", re.S)


class MathError(RuntimeError):
    """KaTeX could not be run at build time."""


def render(formulas: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's HTML for each (tex, display) pair, in one node run."""
    node = shutil.which("node")
    if not node:
        raise MathError("node is missing: the build renders the formulas with KaTeX (`make deps` installs it)")
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(formulas), capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    if done.returncode != 0:
        raise MathError(f"KaTeX failed: {done.stderr.strip()[-1000:]}")
    return json.loads(done.stdout)


def prerender(page: str, css_href: str) -> str:
    """`page` with its formulas rendered and KaTeX's stylesheet (`css_href`) linked; unchanged without formulas."""
    found = list(FORMULA.finditer(page))
    if not found:
        return page
    formulas = []
    for match in found:
        text = html.unescape(match["tex"]).strip()
        inner = DELIMITERS.match(text)
        formulas.append((inner["body"] if inner else text, match["tag"] == "div"))
    rendered = iter(render(formulas))
    page = FORMULA.sub(lambda m: f'<{m["tag"]} class="arithmatex" data-rendered>{next(rendered)}</{m["tag"]}>', page)
    return page.replace("</head>", f'<link rel="stylesheet" href="{css_href}">\n</head>', 1)
