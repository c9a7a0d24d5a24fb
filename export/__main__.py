"""``python -m export <command> [options]`` — the pipeline's command line.

Each command is one line in ``COMMANDS``: its name and the ``module:function`` that takes the
remaining arguments (``main(argv) -> int``). Modules are imported only when their command runs,
so a command never pays for another's imports (torch, scikit-learn).

A `ValueError` or `OSError` from a command is a user's problem, not a crash: it is printed as
``error: <message>`` and the exit status is 2. Set ``PYODEMO_TRACEBACK=1`` to see the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

#: command → (``module:function``, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "dataset": ("export.dataset:main", "build the dataset (pokemon-10, or --data PATH)"),
    "testsets": ("export.testsets:main", "build the photo-like, unseen-art and not-Pokémon sets"),
    "train-svm": ("export.train_svm:main", "train HOG+SVM -> slides/models/hog_svm.svm + hog_svm-train.json"),
    "train-cnn": ("export.train_cnn:main", "train the CNN, export cnn.onnx + cnn.json (slides/models)"),
    "crossstyle": ("export.crossstyle:main", "leave one generation out: retrain both models per fold -> crossstyle.json"),
    "report": ("export.report:main", "evaluate both models -> slides/models/metrics.json + figures/"),
    "serve": ("site_tools.serve:main", "serve site/ on 127.0.0.1 (alias of python -m site_tools.serve)"),
    "predict": ("export.predict:main", "top-3 of both committed models for IMAGE... (JSON)"),
    "pdf": ("site_tools.pdf:main", "the deck as a PDF -> site/pyodemo-talk.pdf (alias of python -m site_tools.pdf)"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: python -m export <command> [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines.append("\n`python -m export <command> --help` shows a command's options.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module, _, function = COMMANDS[name][0].partition(":")
    command = getattr(importlib.import_module(module), function)
    try:
        return int(command(rest) or 0)
    except (ValueError, OSError) as error:
        if os.environ.get("PYODEMO_TRACEBACK"):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
