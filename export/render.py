"""The report's rendering: the metrics document as files — ``metrics.json`` (keys in a fixed order, short
lists on one line), the SVG figures (`export.figures`), the styles gallery, and the summary printed.
"""

from __future__ import annotations

import json
from pathlib import Path

from export import figures
from export.answers import MODEL_NAMES, read_manifest
from export.evaluate import SETS
from export.facts import SOURCES


def write_figures(metrics: dict, folder: Path) -> dict[str, str]:
    """The SVG figures for *metrics*; name → file name (relative to *folder*'s parent)."""
    classes = metrics["classes"]
    made: dict[str, str] = {}
    for key in ("test", "photo_like"):
        for model, name in MODEL_NAMES.items():
            result = metrics["evaluations"][key].get(model) or {}
            if not result.get("n"):
                continue
            title = f"{name} — {SETS[key][0]}"
            desc = (f"Confusion matrix of {name} on the {SETS[key][0]} ({result['n']} images): rows are the true "
                    f"class, columns the predicted class. {result['correct']} correct, accuracy "
                    f"{100 * result['accuracy']:.1f}%, macro-F1 {result['macro_f1']:.3f}.")
            mistakes = sorted(((count, classes[i], classes[j]) for i, row in enumerate(result["confusion"])
                               for j, count in enumerate(row) if i != j and count), reverse=True)[:3]
            if mistakes:
                desc += " Most frequent mistakes: " + "; ".join(figures.cell_sentence(*m) for m in mistakes) + "."
            file = f"confusion-{model}-{key.replace('_', '-')}.svg"
            figures.write(folder / file, figures.confusion_svg(result["confusion"], classes, title, desc,
                                                               ident=f"cm-{model}-{key}"))
            made[f"confusion.{model}.{key}"] = f"figures/{file}"
    series = {name: [metrics["evaluations"]["test"][model]["per_class"][c]["f1"] for c in classes]
              for model, name in MODEL_NAMES.items() if metrics["evaluations"]["test"][model].get("n")}
    if series:
        figures.write(folder / "f1-test.svg", figures.f1_bars_svg(series, classes, "Per-class F1 on the test split",
                                                                   ident="f1-test"))
        made["f1.test"] = "figures/f1-test.svg"
    curves = metrics.get("risk_coverage") or {}
    series = []
    for model, name in MODEL_NAMES.items():
        for key, curve in (curves.get(model) or {}).items():
            label = "LOGO (all folds)" if key == "logo" else SETS[key][0]
            series.append({"model": name, "set": label, "points": curve["points"], "at": curve["at_threshold"],
                           "n": curve["n"]})
    if series:
        figures.write(folder / "risk-coverage.svg", figures.risk_coverage_svg(
            series, "Accuracy of the sure answers against coverage", ident="risk-coverage"))
        made["risk_coverage"] = "figures/risk-coverage.svg"
    return made


GALLERY_CELL = 56


def write_gallery(dataset: Path, folder: Path) -> dict | None:
    """A sheet of the dataset's styles: a row per source (`SOURCES`), a column per class, one picture each
    (a front view, normal colours where there is one), on white. ``figures/styles-gallery.png``."""
    from PIL import Image

    from export.styles import ANIMATED_STYLE

    rows = read_manifest(dataset)
    if not any(r.get("style") for r in rows):
        return None
    classes = sorted({r["class"] for r in rows})
    sheet = Image.new("RGB", (GALLERY_CELL * len(classes), GALLERY_CELL * len(SOURCES)), (255, 255, 255))
    shown = {}
    for j, key in enumerate(SOURCES):
        for i, cls in enumerate(classes):
            pick = [r for r in rows if r["class"] == cls and
                    (r["style"] == ANIMATED_STYLE if key == "gen5-animated" else
                     r["style"] != ANIMATED_STYLE and r["generation"] == key)]
            pick.sort(key=lambda r: (r["view"] not in ("front", "icon"), r["variant"] != "normal", r["path"]))
            if not pick:
                continue
            with Image.open(Path(dataset) / pick[0]["path"]) as im:
                tile = im.convert("RGBA").resize((GALLERY_CELL - 4, GALLERY_CELL - 4), Image.Resampling.BILINEAR)
            sheet.paste(tile, (i * GALLERY_CELL + 2, j * GALLERY_CELL + 2), tile)
            shown[f"{key}/{cls}"] = pick[0]["path"]
    folder.mkdir(parents=True, exist_ok=True)
    sheet.save(folder / "styles-gallery.png", optimize=True)
    return {"file": "figures/styles-gallery.png", "rows": [SOURCES[k] for k in SOURCES], "columns": classes,
            "shown": shown}


def dumps(obj: object, level: int = 0) -> str:
    """JSON with one key per line, but short lists, matrix rows and small flat objects on one line.

    >>> print(dumps({"a": [1, 2], "m": [[1, 0], [0, 1]], "s": {"f1": 0.5, "n": 2}}))
    {
     "a": [1, 2],
     "m": [
      [1, 0],
      [0, 1]
     ],
     "s": {"f1": 0.5, "n": 2}
    }
    """
    def flat(v: object) -> bool:
        return not isinstance(v, (dict, list))

    def one_line(v: object) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    pad, end = " " * (level + 1), " " * level
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if all(map(flat, obj.values())) and len(one_line(obj)) <= 100:
            return one_line(obj)
        items = [f"{pad}{one_line(str(k))}: {dumps(v, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, list):
        if all(map(flat, obj)) and len(one_line(obj)) <= 100:
            return one_line(obj)
        items = [pad + dumps(v, level + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return one_line(obj)


def summary(metrics: dict) -> str:
    ev = metrics["evaluations"]
    lines = [f"{'set':<32}" + "".join(f"{name:>40}" for name in MODEL_NAMES.values())]
    for key, entry in ev.items():
        cells = []
        for model in MODEL_NAMES:
            r = entry[model]
            cell = f"{r['correct']}/{r['n']} = {100 * r['accuracy']:.1f}%" if r.get("n") else "n/a"
            if r.get("coverage") is not None:
                cell += f", {100 * r['coverage']:.0f}% sure, {100 * r['confident_errors']:.1f}% sure+wrong"
            cells.append(cell)
        lines.append(f"{entry['title'][:31]:<32}" + "".join(f"{c:>40}" for c in cells))
    for model, name in MODEL_NAMES.items():
        mean = ((metrics.get("logo") or {}).get(model) or {}).get("mean_g1_g4")
        if mean:
            lines.append(f"LOGO mean I–IV, {name}: {100 * mean['accuracy']:.1f}%, {100 * mean['coverage']:.0f}% sure, "
                         f"{100 * mean['confident_errors']:.1f}% sure+wrong (worst fold {100 * mean['worst_fold_accuracy']:.1f}%)")
    for model in MODEL_NAMES:
        np_ = metrics["not_pokemon"][model]
        lines.append(f"not-Pokémon rejected by {MODEL_NAMES[model]}: {np_['rejected']}/{np_['n']} "
                     f"({100 * (np_.get('coverage') or 0):.0f}% answered sure)")
    for key, t in metrics["targets"].items():
        lines.append(f"target {key}: {t['measured']} vs {t['target']} — {'met' if t['met'] else 'SHORT'}")
    return "\n".join(lines)


