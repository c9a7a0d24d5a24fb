"""A small versioned binary container: magic bytes, a JSON header, little-endian arrays.

Layout (all integers little-endian)::

    offset  size  content
    0       8     magic  b"PYODSVM\\x00"
    8       4     n = length of the header (uint32)
    12      n     header: UTF-8 JSON object; its "arrays" entry lists, in order,
                  {"name", "dtype", "shape"} of the arrays that follow
    12+n    ...   the arrays' values, row-major, back to back:
                  float64 / float32 / float16 (IEEE 754 binary16, struct format "e")
                  / int32
    end-4   4     CRC-32 (zlib) of every byte before it (uint32)

The JSON header carries everything else (format name and version, kernel,
parameters, classes, a free-form ``pipeline`` ...): :func:`svm_to_bytes` and
:func:`svm_from_bytes` write and read an SVM's (``pyodemo.svm.SVC.to_bytes``).  Anything that does not follow this layout -- wrong magic, a
truncated or corrupted file, sizes that do not add up, non-finite numbers --
raises ``ValueError`` with a plain message.

>>> b = pack({"format": "demo", "version": 1}, [("w", "float16", [2], [0.5, -2.0])])
>>> header, arrays = unpack(b)
>>> header["format"], arrays["w"]
('demo', [0.5, -2.0])
>>> unpack(b[:-1])
Traceback (most recent call last):
...
ValueError: not a pyodemo model file: it is truncated or corrupted (checksum mismatch)
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

from pyodemo.checks import Constraint, finite, is_finite, is_label, is_positive, is_whole, one_of, plain, validate

__all__ = ["MAGIC", "DTYPES", "pack", "unpack", "svm_to_bytes", "svm_from_bytes"]

MAGIC = b"PYODSVM\x00"
#: dtype name -> bytes per value.
DTYPES: dict[str, int] = {"float64": 8, "float32": 4, "float16": 2, "int32": 4}
_ARRAY_CODE = {"float64": "d", "float32": "f", "int32": "i"}
_LIMIT = {"float32": 3.4028234663852886e38, "float16": 65504.0}
_BIG_ENDIAN = sys.byteorder == "big"
_PREAMBLE = len(MAGIC) + 4

if array("i").itemsize != 4:  # pragma: no cover - every platform Python and Pyodide run on
    _ARRAY_CODE["int32"] = "l" if array("l").itemsize == 4 else "i"


def _encode(dtype: str, values: Sequence[float]) -> bytes:
    if dtype == "float16":
        try:
            return struct.pack(f"<{len(values)}e", *values)
        except (OverflowError, struct.error) as exc:
            raise ValueError(f"a value is too large for float16 (max 65504): {exc}") from None
    if dtype == "int32":
        try:
            arr = array(_ARRAY_CODE[dtype], [int(v) for v in values])
        except OverflowError:
            raise ValueError("an integer does not fit in int32") from None
    else:
        arr = array(_ARRAY_CODE[dtype], values)
    if _BIG_ENDIAN:  # pragma: no cover
        arr.byteswap()
    return arr.tobytes()


def _decode(dtype: str, raw: bytes) -> list:
    if dtype == "float16":
        return list(struct.unpack(f"<{len(raw) // 2}e", raw))
    arr = array(_ARRAY_CODE[dtype])
    arr.frombytes(raw)
    if _BIG_ENDIAN:  # pragma: no cover
        arr.byteswap()
    return arr.tolist()


def pack(header: dict[str, Any], arrays: Sequence[tuple[str, str, Sequence[int], Sequence[float]]]) -> bytes:
    """Serialise ``header`` (JSON-able dict) and ``arrays`` [(name, dtype, shape, flat values)].

    Raises ``ValueError`` for non-finite values, values too large for the dtype,
    a header that is not JSON, or a shape that does not match the values.
    """
    specs = []
    chunks = []
    for name, dtype, shape, values in arrays:
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
        shape = [int(s) for s in shape]
        if math.prod(shape) != len(values):
            raise ValueError(f"array {name!r}: shape {shape} does not hold {len(values)} values")
        if dtype != "int32":
            if not finite(values):
                raise ValueError(f"array {name!r} contains NaN or infinity")
            limit = _LIMIT.get(dtype)
            if limit is not None and values and max(map(abs, values)) > limit:
                raise ValueError(f"array {name!r} has a value too large for {dtype}")
        specs.append({"name": name, "dtype": dtype, "shape": shape})
        chunks.append(_encode(dtype, values))
    full = dict(header)
    full["arrays"] = specs
    try:
        text = json.dumps(full, allow_nan=False, separators=(",", ":"), sort_keys=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model header cannot be written as JSON: {exc}") from None
    head = text.encode("utf-8")
    body = MAGIC + struct.pack("<I", len(head)) + head + b"".join(chunks)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def _reject_constant(name: str) -> None:
    raise ValueError(f"the header contains {name}, which is not a finite number")


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, list]]:
    """Read what :func:`pack` wrote: ``(header, {name: flat list of values})``.

    Shapes are in ``header["arrays"]``.  Raises ``ValueError`` with a plain
    message for anything malformed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise ValueError("not a pyodemo model file: wrong magic bytes at the start")
    if len(data) < _PREAMBLE + 4:
        raise ValueError("not a pyodemo model file: it is truncated")
    (stored_crc,) = struct.unpack("<I", data[-4:])
    if zlib.crc32(data[:-4]) & 0xFFFFFFFF != stored_crc:
        raise ValueError("not a pyodemo model file: it is truncated or corrupted (checksum mismatch)")
    (n_head,) = struct.unpack("<I", data[len(MAGIC) : _PREAMBLE])
    end_head = _PREAMBLE + n_head
    if end_head > len(data) - 4:
        raise ValueError("not a pyodemo model file: the header length is larger than the file")
    try:
        header = json.loads(data[_PREAMBLE:end_head].decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"the model header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError("the model header is not a JSON object")
    specs = header.get("arrays")
    if not isinstance(specs, list):
        raise ValueError("the model header has no list of arrays")
    arrays: dict[str, list] = {}
    pos = end_head
    payload_end = len(data) - 4
    for spec in specs:
        if not isinstance(spec, dict):
            raise ValueError("an array description in the header is not an object")
        name, dtype, shape = spec.get("name"), spec.get("dtype"), spec.get("shape")
        if not isinstance(name, str) or name in arrays:
            raise ValueError(f"bad or repeated array name {name!r} in the header")
        if dtype not in DTYPES:
            raise ValueError(f"array {name!r} has an unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(is_whole(s) and s >= 0 for s in shape):
            raise ValueError(f"array {name!r} has a bad shape {shape!r}")
        nbytes = math.prod(shape) * DTYPES[dtype]
        if pos + nbytes > payload_end:
            raise ValueError(f"array {name!r} runs past the end of the file (inconsistent shapes)")
        values = _decode(dtype, data[pos : pos + nbytes])
        if dtype != "int32" and not finite(values):
            raise ValueError(f"array {name!r} contains NaN or infinity")
        arrays[name] = values
        pos += nbytes
    if pos != payload_end:
        raise ValueError(
            f"the file has {payload_end - pos} bytes more than its header describes (inconsistent shapes)"
        )
    return header, arrays


# ------------------------------------------------------------------------ the SVM's model file

SVM_FORMAT = "pyodemo.svm"
SVM_VERSION = 1

#: The header fields of an SVM model file besides the SVC's parameters (``SVC._parameter_constraints``).
_SVM_HEADER = {
    "gamma": Constraint(is_positive, "a positive number"),
    "break_ties": Constraint(lambda v: isinstance(v, bool), "true or false"),
    "classes": Constraint(lambda v: isinstance(v, list) and len(v) >= 2 and all(map(is_label, v)),
                          "a list of at least two labels"),
    "n_features": Constraint(lambda v: is_whole(v) and v >= 1, "a whole number >= 1"),
    "form": Constraint(lambda v: v in ("support_vectors", "weights"), "'support_vectors' or 'weights'"),
    "threshold": Constraint(lambda v: v is None or is_finite(v), "null or a number"),
    "pipeline": Constraint(lambda v: v is None or isinstance(v, dict), "null or an object"),
}


def svm_to_bytes(model: Any, dtype: str = "float32", form: str = "auto") -> bytes:
    """A fitted :class:`pyodemo.svm.SVC` as a model file (its ``to_bytes`` describes the header and arrays)."""
    model._require_fitted()
    one_of(dtype, "dtype", ("float64", "float32", "float16"))
    one_of(form, "form", ("auto", "support_vectors", "weights"))
    n_problems = len(model._rho)
    if form == "auto":
        n_sv = len(model.support_)
        form = "weights" if model.kernel == "linear" and (
            model.support_vectors_ is None or n_problems < n_sv
        ) else "support_vectors"
    if form == "weights" and model.kernel != "linear":
        raise ValueError("only a linear model can be stored as weights")
    if form == "support_vectors" and model.support_vectors_ is None:
        raise ValueError("this model was loaded without its support vectors; store it as weights")
    for c in model.classes_:
        if not is_label(c):
            raise ValueError(f"class label {c!r} cannot be stored; use numbers or strings")
    if model.threshold is not None and not is_finite(model.threshold):
        raise ValueError(f"threshold must be None or a finite number; got {model.threshold!r}")
    if model.pipeline is not None and not isinstance(model.pipeline, dict):
        raise ValueError("pipeline must be None or a dict")
    cw = model.class_weight
    header: dict[str, Any] = {
        "format": SVM_FORMAT,
        "version": SVM_VERSION,
        "kernel": model.kernel,
        "C": float(model.C),
        "gamma": model._gamma,
        "gamma_param": model.gamma if isinstance(model.gamma, str) else float(model.gamma),
        "degree": int(model.degree),
        "coef0": float(model.coef0),
        "tol": float(model.tol),
        "decision_function_shape": model.decision_function_shape,
        "multi_class": "ovr" if model._ovr else "ovo",
        "break_ties": bool(model.break_ties),
        "class_weight": [[plain(k), float(w)] for k, w in cw.items()] if isinstance(cw, dict) else cw,
        "classes": list(model.classes_),
        "n_features": model.n_features_in_,
        "n_support": list(model.n_support_),
        "form": form,
        "dtype": dtype,
        "threshold": None if model.threshold is None else float(model.threshold),
        "pipeline": model.pipeline,
    }
    d = model.n_features_in_
    arrays: list[tuple[str, str, list[int], list]] = [
        ("rho", "float64", [n_problems], model._rho),
        ("support", "int32", [len(model.support_)], model.support_),
    ]
    if form == "weights":
        w = model._w if model._w is not None else model._collapse()
        arrays.append(("weights", dtype, [n_problems, d], [v for row in w for v in row]))
    else:
        sv = model.support_vectors_
        coef = model._coef
        assert sv is not None and coef is not None
        arrays.append(("dual_coef", "float64", [len(coef), len(sv)], [v for row in coef for v in row]))
        arrays.append(("support_vectors", dtype, [len(sv), d], [v for row in sv for v in row]))
    return pack(header, arrays)


def svm_from_bytes(cls: Any, data: bytes) -> Any:
    """Read a model written by :func:`svm_to_bytes` as an instance of ``cls`` (:class:`pyodemo.svm.SVC`).

    Every header field is checked (the parameters by the class's own ``_parameter_constraints``),
    every array's shape against the header: anything else is a ``ValueError``.
    """
    header, arrays = unpack(data)
    try:
        return _svm_from_parts(cls, header, arrays)
    except ValueError:
        raise
    except Exception as exc:  # a malformed header of a type we did not foresee
        raise ValueError(f"not a valid pyodemo SVM model: {exc!r}") from None


def _svm_from_parts(cls: Any, h: dict[str, Any], arrays: dict[str, list]) -> Any:
    if h.get("format") != SVM_FORMAT:
        raise ValueError(f"not a pyodemo SVM model (format {h.get('format')!r})")
    if h.get("version") != SVM_VERSION:
        raise ValueError(
            f"unsupported SVM model file version {h.get('version')!r}; this pyodemo reads version {SVM_VERSION}"
        )

    cw = h.get("class_weight")
    if isinstance(cw, list):
        if not all(isinstance(p, list) and len(p) == 2 and is_finite(p[1]) for p in cw):
            raise ValueError("bad model header: 'class_weight' pairs are malformed")
        cw = {p[0]: p[1] for p in cw}
    params = {name: h.get(name) for name in cls._parameter_constraints if name != "max_iter"}
    params.update(class_weight=cw, gamma=h.get("gamma_param") if h.get("gamma_param") in ("scale", "auto") else h.get("gamma"))
    validate({name: rule for name, rule in cls._parameter_constraints.items() if name in params}, params, "bad model header: ")
    validate(_SVM_HEADER, h, "bad model header: ")
    m = cls(**params, break_ties=h["break_ties"])
    gamma, classes, d, form = h["gamma"], h["classes"], h["n_features"], h["form"]
    threshold, pipeline = h.get("threshold"), h.get("pipeline")
    if len(set(classes)) != len(classes):
        raise ValueError("bad model header: 'classes' has repeated labels")
    k = len(classes)
    n_support = h.get("n_support")
    if not (isinstance(n_support, list) and len(n_support) == k and all(is_whole(c) and c >= 0 for c in n_support)):
        raise ValueError(f"bad model header: n_support must be one count >= 0 per class; got {n_support!r}")
    ovr = m.multi_class == "ovr" and k > 2
    n_problems = k if ovr else k * (k - 1) // 2
    n_sv = sum(n_support)
    shapes = {a["name"]: a["shape"] for a in h["arrays"]}

    def arr(name: str, shape: list[int]) -> list:
        if name not in arrays:
            raise ValueError(f"the model file has no {name!r} array")
        if shapes[name] != shape:
            raise ValueError(f"array {name!r} has shape {shapes[name]}, expected {shape} (inconsistent shapes)")
        return arrays[name]

    rho = arr("rho", [n_problems])
    support = arr("support", [n_sv])
    if any(s < 0 for s in support):
        raise ValueError("array 'support' has negative indices")
    sv = coef = weights = None
    if form == "weights":
        if m.kernel != "linear":
            raise ValueError("bad model header: only a linear model can be stored as weights")
        flat = arr("weights", [n_problems, d])
        weights = [flat[r * d : (r + 1) * d] for r in range(n_problems)]
    else:
        n_rows = k if ovr else k - 1
        flat_c = arr("dual_coef", [n_rows, n_sv])
        flat_s = arr("support_vectors", [n_sv, d])
        coef = [flat_c[r * n_sv : (r + 1) * n_sv] for r in range(n_rows)]
        sv = [flat_s[r * d : (r + 1) * d] for r in range(n_sv)]
    m._install(
        classes=classes, gamma=gamma, support_vectors=sv, coef=coef, rho=rho,
        n_support=n_support, support=support, ovr=ovr, n_features=d, weights=weights,
    )
    m._gamma = float(gamma)
    m.threshold = threshold
    m.pipeline = pipeline
    m.fit_status_ = 0
    return m

