"""Editable code on the slides: pyodemo's own functions as a program the reader can change and run.

Two calls for the code editor widget (``slides/js/widgets/code-editor.js``, through
:mod:`pyodemo.web.rpc`, as ``"code_editor.snippet"`` and ``"code_editor.run"``):

* :func:`snippet` gives the starting program of a slide: the **real source** of a few pyodemo
  functions, read from the installed package with :mod:`ast` (so the shown code never drifts
  from the package), followed by a short driver that prints the slide's example.
* :func:`run` executes a program in a fresh namespace, as ``python file.py`` would, and answers
  with what it printed and, if it failed, the traceback exactly as Python prints it -- it is the
  reader's code, so a traceback is the right message. The frames of this module are left out:
  the traceback starts at the reader's code (and goes into pyodemo's when it calls it).

Endless loops cannot be stopped from inside Python in the browser (Pyodide runs on the worker's
only thread); the widget bounds each run with a timeout and restarts the worker past it.

>>> result = run("print(6 * 7)")
>>> result["stdout"], result["error"]
('42\\n', None)
>>> print(run("x = 1 / 0")["error"], end="")  # doctest: +ELLIPSIS
Traceback (most recent call last):
  File ".../your_code.py", line 1, in <module>
    x = 1 / 0
        ~~^~~
ZeroDivisionError: division by zero
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import io
import linecache
import os
import sys
import tempfile
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout

__all__ = ["snippet", "run"]

#: The file the reader's code is saved to and run from, as ``python your_code.py`` would (it appears in
#: tracebacks; a real file, because CPython before 3.13 prints traceback lines only from real files).
FILENAME = os.path.join(tempfile.gettempdir(), f"pyodemo-{os.getpid()}", "your_code.py")
#: At most this many characters of output are kept (a ``print`` in a loop must not fill the memory).
OUTPUT_LIMIT = 20_000
#: Programs longer than this are refused (the editor holds a slide's worth of code).
SOURCE_LIMIT = 200_000

# ------------------------------------------------------------------------ the slides' programs

_HOG_HEADER = '''\
"""HOG's first step, the gradient of a pixel: pyodemo's own code (pyodemo/hog.py).

Edit anything and press Run (or Ctrl+Enter). Reset brings this code back.
"""
import math
from typing import NamedTuple

from pyodemo.hog import cell_histograms, hog
'''

_HOG_DRIVER = '''\
# ---- 1. The slide's worked example: 50 above, 20 left, 100 right, 110 below
g = gradient_at(up=50, left=20, right=100, down=110)
print(f"gx = {g.gx}, gy = {g.gy}, magnitude = {g.magnitude}, angle = {g.angle:.2f}°")

# ---- 2. One 8 × 8 cell: a light square on a dark background (64 vectors into 9 bins)
orientations = 9                     # bins over 0–180°: try 4 or 18
width = 180 / orientations           # 20° per bin
image = [[100 if 2 <= x <= 5 and 2 <= y <= 5 else 0 for x in range(8)] for y in range(8)]
votes = [0.0] * orientations
for y in range(8):
    for x in range(8):
        # no gradient across the image's border (as scikit-image)
        up, down = (image[y - 1][x], image[y + 1][x]) if 0 < y < 7 else (0, 0)
        left, right = (image[y][x - 1], image[y][x + 1]) if 0 < x < 7 else (0, 0)
        g = gradient_at(up=up, left=left, right=right, down=down)
        b = int(g.angle // width)    # each pixel votes its magnitude into one bin
        if b < orientations:
            votes[b] += g.magnitude

# ---- 3. The cell's histogram, by hand and by pyodemo
by_hand = [v / 64 for v in votes]    # divided by the pixels in a cell, as scikit-image
by_pyodemo = cell_histograms(image, orientations, (8, 8))[0][0]
print("bins (from):", [round(b * width) for b in range(orientations)])
print("by hand:    ", [round(v, 2) for v in by_hand])
print("pyodemo:    ", [round(v, 2) for v in by_pyodemo])
print("same:", all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(by_hand, by_pyodemo)))

# ---- 4. The whole descriptor of a 64 × 64 image: how long is a HOG vector?
cell = 8                             # pixels per cell: try 4 or 16
ramp = [[(x + y) / 126 for x in range(64)] for y in range(64)]
features = hog(ramp, orientations=orientations, pixels_per_cell=(cell, cell),
               cells_per_block=(2, 2), block_norm="L2-Hys")
blocks = 64 // cell - 1
print(f"HOG length {len(features):,} = {blocks} × {blocks} blocks × 2 × 2 cells × {orientations} bins")
'''

_SVM_HEADER = '''\
"""The kernel SVM's decision function: pyodemo's own kernel code (pyodemo/kernels.py).

f(x) = Σ αᵢ yᵢ K(svᵢ, x) + b: one kernel value per support vector.
Edit anything and press Run (or Ctrl+Enter). Reset brings this code back.
"""
import math
from collections.abc import Sequence

from pyodemo.kernels import KERNELS, powi, resolve_gamma
from pyodemo.svm import SVC
from pyodemo.vector import dot

_exp = math.exp
_tanh = math.tanh
'''

_SVM_DRIVER = '''\
# ---- 1. The slide's XOR: no straight line separates it
X = [[0, 0], [1, 1], [1, 0], [0, 1]]
y = [0, 0, 1, 1]
clf = SVC(kernel="rbf", C=10, gamma=1)   # try kernel="linear"
clf.fit(X, y)
print("predict [0.9, 0.1]:", clf.predict([[0.9, 0.1]]))
print("training points:   ", clf.predict(X), "labels:", y)
print("support vectors per class:", clf.n_support_, "of", len(X), "points")

# ---- 2. The decision function by hand, with kernel() above
gamma = resolve_gamma(clf.gamma, X)      # "scale" or "auto" → a number, as scikit-learn


def decision(x):
    """f(x) = b + Σ αᵢ yᵢ K(svᵢ, x); f ≥ 0 means the second class (libsvm sends a tie there)."""
    f = clf.intercept_[0]                                          # b
    for alpha_y, sv in zip(clf.dual_coef_[0], clf.support_vectors_):
        f += alpha_y * kernel(clf.kernel, sv, x, gamma=gamma, degree=clf.degree, coef0=clf.coef0)
    return f


for x in [[0.9, 0.1], [0.1, 0.1], [1, 1]]:
    f = decision(x)
    label = clf.classes_[1] if f >= 0 else clf.classes_[0]
    check = clf.decision_function([x])[0]
    print(f"f({x}) = {f:+.4f} → class {label}   (pyodemo's SVC: {check:+.4f})")
'''

#: name → (title, header, [(module, top-level name), ...], driver)
_SNIPPETS = {
    "hog": ("The gradient of a pixel, a cell's histogram and the HOG length", _HOG_HEADER,
            [("pyodemo.hog", "Gradient"), ("pyodemo.hog", "_angle"), ("pyodemo.hog", "gradient_at")],
            _HOG_DRIVER),
    "svm": ("The kernel and the decision function of an SVM on XOR", _SVM_HEADER,
            [("pyodemo.kernels", "kernel")], _SVM_DRIVER),
}


def source_of(module_name: str, name: str) -> str:
    """The source text of a top-level function or class of a module, decorators included.

    Read with :mod:`ast` from the module's own file (``inspect.getsource`` of a class depends on
    the Python version; this does not).

    >>> print(source_of("pyodemo.vector", "norm").splitlines()[0])
    def norm(a: Sequence[float]) -> float:
    """
    text = inspect.getsource(importlib.import_module(module_name))
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = text.splitlines(keepends=True)[first - 1 : node.end_lineno]
            return "".join(lines)
    raise ValueError(f"{module_name} has no function or class named {name!r}")


def snippet(name: str) -> dict:
    """The starting program of a slide's code editor: ``{"name", "title", "code", "sources"}``.

    ``sources`` names the pyodemo functions whose real source the code contains.

    >>> s = snippet("hog")
    >>> s["sources"]
    ['pyodemo.hog.Gradient', 'pyodemo.hog._angle', 'pyodemo.hog.gradient_at']
    >>> source_of("pyodemo.hog", "gradient_at") in s["code"]
    True
    >>> snippet("cnn")
    Traceback (most recent call last):
        ...
    ValueError: There is no code called 'cnn'; there is: hog, svm.
    """
    if name not in _SNIPPETS:
        raise ValueError(f"There is no code called {name!r}; there is: {', '.join(_SNIPPETS)}.")
    title, header, parts, driver = _SNIPPETS[name]
    blocks = [header.rstrip("\n")]
    for module_name, part in parts:
        blocks.append(f"# from {module_name.replace('.', '/')}.py\n" + source_of(module_name, part).rstrip("\n"))
    blocks.append(driver.rstrip("\n"))
    return {
        "name": name,
        "title": title,
        "code": "\n\n\n".join(blocks) + "\n",
        "sources": [f"{m}.{p}" for m, p in parts],
    }


# ------------------------------------------------------------------------ running the reader's code


class _Output(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters written and counts the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            if not out.endswith("\n"):
                out += "\n"
            out += (f"… the output was cut at {self.limit:,} characters "
                    f"({self.dropped:,} more were not shown).\n")
        return out


def _user_traceback(exc: BaseException) -> str:
    """The traceback exactly as Python prints it for a script, without the frames of this module.

    Printed by the interpreter's own default hook (``sys.__excepthook__``), as for an uncaught
    exception: the ``traceback`` module formats a few things differently in some versions (3.11
    leaves out "Did you mean ...?" and draws a single caret under an indentation error).
    """
    if isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        tb = None  # a syntax error of the reader's code: no frames at all, as for a script
    else:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
    exc.with_traceback(tb)
    buffer = io.StringIO()
    stderr = sys.stderr
    try:
        sys.stderr = buffer
        sys.__excepthook__(type(exc), exc, tb)
    except Exception:  # noqa: BLE001 - the reader's code may have broken the hook; format it ourselves
        buffer = None
    finally:
        sys.stderr = stderr
    text = buffer.getvalue() if buffer is not None else ""
    return text or "".join(traceback.format_exception(type(exc), exc, tb))


def run(source: str) -> dict:
    """Run ``source`` as a program; ``{"stdout", "error", "ms"}``.

    ``stdout`` holds everything printed (stdout and stderr in order, at most
    :data:`OUTPUT_LIMIT` characters, with a note when cut); ``error`` is ``None`` or the
    traceback text exactly as Python prints it (a syntax error with its caret line);
    ``ms`` is the run time in milliseconds. The program runs in a fresh namespace as
    ``__main__`` with pyodemo importable; ``input()`` meets the end of input.

    >>> print(run("def f(:\\n    pass")["error"], end="")  # doctest: +ELLIPSIS
      File ".../your_code.py", line 1
        def f(:
              ^
    SyntaxError: invalid syntax
    """
    if not isinstance(source, str):
        raise ValueError("The code must be text.")
    if len(source) > SOURCE_LIMIT:
        raise ValueError(f"The code is too long ({len(source):,} characters; at most {SOURCE_LIMIT:,}).")
    os.makedirs(os.path.dirname(FILENAME), exist_ok=True)
    with open(FILENAME, "w", encoding="utf-8", errors="replace") as f:
        f.write(source)
    linecache.cache.pop(FILENAME, None)  # the last run's lines (same size and time stamp) must not show
    output = _Output(OUTPUT_LIMIT)
    namespace = {"__name__": "__main__", "__builtins__": builtins, "__file__": FILENAME}
    error = None
    stdin = sys.stdin
    start = time.perf_counter()
    try:
        sys.stdin = io.StringIO("")
        with redirect_stdout(output), redirect_stderr(output):
            try:
                code = compile(source, FILENAME, "exec", dont_inherit=True)
                exec(code, namespace)  # noqa: S102 - running the reader's own code is the point
            except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are the reader's too
                error = _user_traceback(exc)
            finally:
                namespace.clear()  # the reader's objects go now, not at the next run
    finally:
        sys.stdin = stdin
    ms = (time.perf_counter() - start) * 1000
    return {"stdout": output.text(), "error": error, "ms": round(ms, 1)}
