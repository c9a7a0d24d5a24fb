"""The browser's plumbing: what the talk's widgets ask Python for, through one doorway.

:mod:`pyodemo.web.rpc` is the Web Worker's doorway (strings in, strings out). Behind it, one module
per widget, named like the widget's JavaScript module in ``slides/js/widgets/``: ``gradient_explorer``,
``hog_explorer``, ``convolution``, ``svm_playground``, ``kernel_compare``, ``classifier`` and
``code_editor``; they share :mod:`pyodemo.web.sessions` (tokens for what a widget handed over) and
:mod:`pyodemo.web.pictures` (a canvas's pixels as a gray image, a built-in test picture).

This layer imports the talk's modules (``pyodemo.hog``, ``pyodemo.svm``, ...); they never import it.
See ARCHITECTURE.md at the top of the repository.
"""
