"""The worker's doorway: the browser calls pyodemo by name, JSON in and JSON out.

The Web Worker (``slides/js/python-worker.js``) calls :func:`dispatch` with a method name, the arguments
as a JSON object and binary blobs (canvas pixels) by name. The answer is always a JSON string:

* ``{"ok": true, "result": ...}`` — bytes inside the result travel as ``{"__bytes__": base64}``;
* ``{"ok": false, "kind": "value", "error": "..."}`` — bad input, a message meant for people;
* ``{"ok": false, "kind": "internal", "error": "...", "traceback": "..."}`` — a bug (the widget shows the
  message, the traceback goes to the console).

Strings in, a string out: no Python object crosses into JavaScript, so nothing can leak a proxy.

>>> import json
>>> json.loads(dispatch("ping", "{}"))
{'ok': True, 'result': 'pong'}
>>> json.loads(dispatch("nope", "{}"))["error"]
'There is no method "nope".'
"""

from __future__ import annotations

import base64
import json
import traceback
from typing import Any, Callable

#: A method is called "<widget>.<function>"; each widget's back end is the module of that name in
#: ``pyodemo.web`` (the JS module ``slides/js/widgets/<widget with dashes>.js`` calls it), imported on
#: first use (boot stays fast), whose ``__all__`` lists the functions the browser may call.
WIDGETS = ("gradient_explorer", "hog_explorer", "convolution", "svm_playground", "kernel_compare",
           "classifier", "code_editor", "teach")


def ping() -> str:
    return "pong"


def _resolve(method: str) -> Callable[..., Any]:
    import importlib

    if method == "ping":
        return ping
    module_name, _, name = method.rpartition(".")
    if module_name in WIDGETS and not name.startswith("_"):
        module = importlib.import_module(f"pyodemo.web.{module_name}")
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise LookupError(f'There is no method "{method}".')


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if hasattr(value, "tolist"):  # array.array
        return value.tolist()
    return value


def _blob_items(blobs: Any):
    """(name, bytes) pairs from a dict (CPython) or a JsProxy of a JS object of Uint8Arrays (Pyodide)."""
    if blobs is None:
        return []
    if hasattr(blobs, "object_entries"):
        return [(k, v.to_bytes()) for k, v in blobs.object_entries()]
    return [(k, bytes(v)) for k, v in dict(blobs).items()]


def dispatch(method: str, args_json: str = "{}", blobs: Any = None) -> str:
    """Run ``method(**args, **blobs)`` and answer with a JSON string (see the module docstring)."""
    try:
        function = _resolve(method)
        kwargs = json.loads(args_json or "{}")
        if not isinstance(kwargs, dict):
            raise ValueError("The arguments must be a JSON object.")
        kwargs.update(_blob_items(blobs))
        result = function(**kwargs)
        return json.dumps({"ok": True, "result": _encode(result)}, allow_nan=False)
    except (ValueError, LookupError, TypeError) as exc:
        kind = "value" if isinstance(exc, (ValueError, LookupError)) else "internal"
        reply = {"ok": False, "kind": kind, "error": str(exc) or type(exc).__name__}
        if kind == "internal":
            reply["traceback"] = traceback.format_exc()
        return json.dumps(reply)
    except Exception as exc:  # noqa: BLE001 - the widget must get an answer, never a dead promise
        return json.dumps({"ok": False, "kind": "internal", "error": f"{type(exc).__name__}: {exc}",
                           "traceback": traceback.format_exc()})
