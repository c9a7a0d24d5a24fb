"""``python -m export report`` — the talk's step 4: both committed models, measured once, as data.

Run after the trainers (``make models`` runs it last). It loads the models the site serves —
``slides/models/hog_svm.svm`` and ``cnn.onnx`` + ``cnn.json`` — and feeds them each picture
exactly as the browser does:

* **HOG+SVM**: the picture decoded and turned upright (EXIF) to RGBA, then what the browser
  does — `export.predict.svm_answer`: the default crop, the block reduction of a picture over
  512 × 512 px (`export.svm_input`), then pyodemo's box-filter resize, features and the SVM's
  ``ovr`` scores — with the pipeline and the "not sure" threshold of the model file's header;
* **CNN**: `export.cnn_input` (Pillow mirroring the browser's canvas: default crop, resize,
  composite on the background, normalise) with the sidecar's parameters, run by onnxruntime.

and scores them (scikit-learn's metrics) on four sets:

1. the **test split** of the dataset (``data/pokemon-10/manifest.csv``), opened once, here;
2. the **cross-view diagnostic** — models trained on front views only, tested on back views.
   Those models are trained by the trainers, not here: their confusion matrices are read from
   the training logs ``cnn-train.json`` / ``hog_svm-train.json`` and scored the same way;
3. the **photo-like set** (``data/photo-like``): test sprites on real photographs;
4. the **unseen-art set** (``data/unseen-art``): the ten dream-world artworks, one per class;

plus the **not-Pokémon** set (``data/not-pokemon``): how many of those pictures each model's
threshold turns into "not sure".

For each model and set: accuracy, macro-F1, per-class precision / recall / F1 and the confusion
matrix (rows: true class, columns: predicted class); how many answers clear the threshold. For
each model: its size, support vectors or parameters, training time (from the logs). And a
``dataset`` section: images per class and split (from the manifest), distinct pictures per
split, the imbalance, the split rule and the augmentations each trainer used (from the logs).

Writes ``slides/models/metrics.json`` (keys in a fixed order, numbers rounded, no timestamps: the
same models give the same file) and SVG figures into ``slides/models/figures/`` (`export.figures`):
a confusion matrix per model × {test split, photo-like set}, and per-class F1 of both models on
the test split. The KPI widget on the results page reads metrics.json; nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from export.answers import DATA, DATASET
from export.evaluate import MODELS, build
from export.render import dumps, summary, write_figures, write_gallery


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=MODELS, help="folder of hog_svm.svm, cnn.onnx, cnn.json and the logs")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="the built dataset (manifest.csv)")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of photo-like/, unseen-art/, not-pokemon/")
    parser.add_argument("--out", type=Path, help="where metrics.json and figures/ go (default: --models)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for HOG+SVM (default 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--figures-only", action="store_true",
                        help="only redraw the SVG figures from the metrics.json already in --out (no model is run)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        raise ValueError("--jobs must be at least 1")
    if args.figures_only:
        out = args.out or args.models
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        made = write_figures(metrics, out / "figures")
        if made != metrics.get("figures"):
            raise ValueError(f"{out / 'metrics.json'} lists other figures than these: run the whole report")
        print(f"redrew {len(made)} figures in {out / 'figures'} from {out / 'metrics.json'}")
        return 0
    wall = time.perf_counter()
    say = lambda text: print(text, file=sys.stderr)  # noqa: E731
    metrics = build(args.models, args.dataset, args.data, args.jobs, not args.quiet, say)
    out = args.out or args.models
    metrics["figures"] = write_figures(metrics, out / "figures")
    metrics["gallery"] = write_gallery(args.dataset, out / "figures")
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(dumps(metrics) + "\n", encoding="utf-8")
    print(summary(metrics))
    print(f"wrote {out / 'metrics.json'} and {len(metrics['figures'])} figures in {out / 'figures'} "
          f"({time.perf_counter() - wall:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
