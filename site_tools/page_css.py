"""Each page links only the widget stylesheets it uses (issue 17: the main thread and the first paint).

mkdocs.yml lists every stylesheet of the site (``extra_css``), so every page would link all of them: 54 kB of
widget rules on pages without a widget, each sheet one more render-blocking request and more rules for the
browser to index and match at load. Two sheets are the site's own look and slide mode and stay on every page
(`SHARED`). Any other sheet of ``slides/css/`` is linked by a page only when the page uses it:

* the page has a widget that the sheet names in a selector (``[data-widget="classifier"]``), or
* one of the sheet's *own* classes (selected by that sheet and by no other sheet of ours: `subjects`) is in
  a ``class`` attribute of the page, or a word of the code of the page's widgets (the module and everything
  it imports, followed from ``slides/js/widgets/NAME.js``) — Teach it's crop box, for instance, is the
  classifier's.

>>> own = {"classifier.css": {"clf", "clf-crop"}, "kpis.css": {"kpi-table"}}
>>> widgets = {"classifier.css": {"classifier"}, "kpis.css": {"kpis"}}
>>> sorted(needed(own, widgets, used={"clf-crop", "md-typeset"}, widgets_here=set()))
['classifier.css']
>>> sorted(needed(own, widgets, used=set(), widgets_here={"kpis"}))
['kpis.css']
"""

from __future__ import annotations

import re
from pathlib import Path

SHARED = frozenset({"pyodemo.css", "present.css"})
COMMENT = re.compile(r"/\*.*?\*/", re.S)
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
COMPOUND_SPLIT = re.compile(r"[\s>+~,(){}]+")
WIDGET_SELECTOR = re.compile(r"""\[data-widget=["']?([a-z][a-z0-9-]*)""")
WIDGET = re.compile(r"""data-widget=["']?([a-z][a-z0-9-]*)""")
CLASS_ATTRIBUTE = re.compile(r"""\bclass=["']([^"']*)["']""")
WORD = re.compile(r"[A-Za-z_][\w-]*")
STATIC_IMPORT = re.compile(r'^import [^;]*?from "(\.{1,2}/[^"]+)";', re.M)
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["'](\.{1,2}/[^"']+)["']\s*\)""")


def selectors(css: str) -> str:
    """The sheet without its comments and declarations: what its rules select."""
    return re.sub(r"\{[^{}]*\}", "{}", COMMENT.sub("", css))


def subjects(selector_text: str) -> set[str]:
    """The classes a sheet's selectors select by: in each compound selector the first class, unless it is
    Material's (``md-``). Modifiers (``.teach-class.is-drop-target``) refine a class and do not count.

    >>> sorted(subjects(".teach-class.is-drop-target {} .pd-frame .teach-part--train .md-button {}"))
    ['pd-frame', 'teach-class', 'teach-part--train']
    """
    found = set()
    for compound in COMPOUND_SPLIT.split(selector_text):
        first = CLASS_SELECTOR.search(compound)
        if first and not first.group(1).startswith("md-"):
            found.add(first.group(1))
    return found


def sheets(css_dir: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per widget sheet: its own classes, and the widgets its selectors name."""
    rules = {f.name: selectors(f.read_text(encoding="utf-8")) for f in sorted(css_dir.glob("*.css"))}
    classes = {name: subjects(text) for name, text in rules.items()}
    own, widgets = {}, {}
    for name in rules.keys() - SHARED:
        others = set().union(*(c for n, c in classes.items() if n != name))
        own[name] = classes[name] - others
        widgets[name] = set(WIDGET_SELECTOR.findall(rules[name]))
    return own, widgets


def imported_modules(entry: Path, dynamic: bool = True) -> set[Path]:
    """`entry` and every module it imports, and theirs: statically, and with `dynamic` also through
    ``import("./literal.js")``. A module that is not there raises FileNotFoundError."""
    seen: set[Path] = set()
    todo = [entry.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        specs = STATIC_IMPORT.findall(text) + (DYNAMIC_IMPORT.findall(text) if dynamic else [])
        todo += [(path.parent / spec).resolve() for spec in specs]
    return seen


def module_words(module: Path) -> set[str]:
    """Every word of a widget's code: the module and the modules it imports, statically or dynamically."""
    return {w for path in imported_modules(module) for w in WORD.findall(path.read_text(encoding="utf-8"))}


def needed(own: dict[str, set[str]], widgets: dict[str, set[str]], used: set[str], widgets_here: set[str]) -> set[str]:
    """The widget sheets a page uses (the rule of the module's docstring)."""
    return {name for name in own if own[name] & used or widgets[name] & widgets_here}


def link_used_sheets(html: str, docs_dir: Path) -> str:
    """`html` without the ``<link rel="stylesheet">`` of the widget sheets it does not use."""
    own, widgets = sheets(docs_dir / "css")
    here = set(WIDGET.findall(html))
    used = {c for attribute in CLASS_ATTRIBUTE.findall(html) for c in attribute.split()}
    for widget in here:
        used |= module_words(docs_dir / "js" / "widgets" / f"{widget}.js")
    keep = needed(own, widgets, used, here)
    unused = "|".join(re.escape(name) for name in sorted(own.keys() - keep))
    if not unused:
        return html
    return re.sub(rf"""<link rel="stylesheet" href="(?:\.\./)*css/(?:{unused})">\n?""", "", html)
