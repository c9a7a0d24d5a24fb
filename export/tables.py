"""Markdown tables made from ``slides/models/metrics.json`` when the site is built (no typed numbers).

A page asks for a table with a marker on a line of its own, ``<!-- metrics:NAME -->``; the MkDocs
hook (`site_tools.site_hook.on_page_markdown`) replaces it with ``TABLES[NAME](metrics)``. Standard
library only (the docs install has no numpy). A table whose numbers are not in metrics.json yet says
so in one line instead.

>>> fill("a\\n<!-- metrics:nothing -->\\n", {})
'a\\n*(unknown table nothing)*\\n'
"""

from __future__ import annotations

import re
from collections.abc import Callable

MARKER = re.compile(r"^<!-- metrics:([a-z_-]+) -->$", re.M)
MODELS = (("hog_svm", "HOG + SVM"), ("cnn", "CNN"))


def pct(x: float | None, digits: int = 0) -> str:
    """A share as a percentage (``–`` when missing).

    >>> pct(0.8734), pct(0.8734, 1), pct(None)
    ('87%', '87.3%', '–')
    """
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def styles_counts(metrics: dict) -> str:
    """Images per source (Gen-V animations, each generation, icons): per class, and per split; then the
    style images of each class. Narrow enough for a phone (no sideways scrolling)."""
    st = (metrics.get("dataset") or {}).get("styles")
    if not st:
        return "*(this dataset has no style images)*"
    lines = ["| source | images | per class | train | val | test |", "|---|---:|---:|---:|---:|---:|"]
    for key, name in st["sources"].items():
        per = [counts[key] for counts in st["per_class"].values()]
        each = f"{min(per)}" if min(per) == max(per) else f"{min(per)}–{max(per)}"
        lines.append(f"| {name} | {sum(per)} | {each} | " + " | ".join(str(st["per_split"][s][key])
                                                                      for s in ("train", "val", "test")) + " |")
    styles = {cls: sum(v for k, v in counts.items() if k != "gen5-animated") for cls, counts in st["per_class"].items()}
    return "\n".join(lines) + "\n\nStyle images per class: " + ", ".join(f"{c} {n}" for c, n in styles.items()) + "."


def _cell(r: dict | None, sure: bool = True) -> str:
    if not r or not r.get("n"):
        return "–"
    text = f"{pct(r.get('accuracy'), 1)}"
    if sure and r.get("coverage") is not None:
        text += f" · {pct(r['coverage'])} sure · {pct(r['confident_errors'], 1)} sure & wrong"
    return text


def logo(metrics: dict) -> str:
    """The LOGO folds: top-1, coverage and confident errors of both models; the mean over I–IV."""
    ev = metrics.get("evaluations") or {}
    summary = metrics.get("logo")
    if not summary:
        return "*(LOGO not run yet: `make crossstyle`)*"
    lines = ["| left out | images | " + " | ".join(name for _, name in MODELS) + " |", "|---|---:|---|---|"]
    for fold, label in (("g1", "generation I"), ("g2", "generation II"), ("g3", "generation III"),
                        ("g4", "generation IV"), ("icons", "icons")):
        e = ev.get(f"logo_{fold}") or {}
        n = max((e.get(m) or {}).get("n", 0) for m, _ in MODELS)
        lines.append(f"| {label} | {n} | " + " | ".join(_cell(e.get(m)) for m, _ in MODELS) + " |")
    means = []
    for m, _ in MODELS:
        mean = (summary.get(m) or {}).get("mean_g1_g4")
        means.append(_cell({"n": 1, **mean}) if mean else "–")
    lines.append("| **mean I–IV** | | " + " | ".join(f"**{c}**" for c in means) + " |")
    return "\n".join(lines)


def coverage(metrics: dict) -> str:
    """Every set: top-1, and how sure (coverage, confident errors) — both models."""
    ev = metrics.get("evaluations") or {}
    keys = ("test_frames", "test_styles", "photo_like", "unseen_art")
    lines = ["| set | " + " | ".join(name for _, name in MODELS) + " |", "|---|---|---|"]
    for key in keys:
        e = ev.get(key)
        if e:
            lines.append(f"| {e['title']} | " + " | ".join(_cell(e.get(m)) for m, _ in MODELS) + " |")
    np_ = metrics.get("not_pokemon") or {}
    if np_:
        cells = [f"{pct((np_.get(m) or {}).get('coverage'))} answered sure (all wrong)" for m, _ in MODELS]
        lines.append("| not-Pokémon | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def nearest(metrics: dict) -> str:
    """The distance of val/test images to their nearest training image (frames and styles)."""
    st = ((metrics.get("dataset") or {}).get("styles") or {}).get("nearest_train") or {}
    rows = [(k, v) for k, v in st.items() if isinstance(v, dict)]
    if not rows:
        return "*(no distances recorded)*"
    lines = ["| images | n | median | 10th percentile | exact copies in train |", "|---|---:|---:|---:|---:|"]
    for key, v in rows:
        split, kind = key.split("_")
        lines.append(f"| {split}, {'Gen-V frames' if kind == 'frames' else 'style images'} | {v['n']} | "
                     f"{v['median']:.1f} | {v['p10']:.1f} | {v['exact_copies']} |")
    return "\n".join(lines)


TABLES: dict[str, Callable[[dict], str]] = {
    "styles-counts": styles_counts, "logo": logo, "coverage": coverage, "nearest": nearest,
}


def fill(markdown: str, metrics: dict) -> str:
    """*markdown* with every ``<!-- metrics:NAME -->`` line replaced by its table."""
    def table(match: re.Match) -> str:
        make = TABLES.get(match.group(1))
        return make(metrics) if make else f"*(unknown table {match.group(1)})*"

    return MARKER.sub(table, markdown)
