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
parameters, classes, a free-form ``pipeline`` ...); ``pyodemo.svm`` decides
what goes in it.  Anything that does not follow this layout -- wrong magic, a
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

__all__ = ["MAGIC", "DTYPES", "pack", "unpack"]

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


def _all_finite(values: Sequence[float]) -> bool:
    total = sum(values)
    if math.isfinite(total):
        return True
    return all(math.isfinite(v) for v in values)  # the sum may overflow on its own


def _decode(dtype: str, raw: bytes) -> list:
    if dtype == "float16":
        return list(struct.unpack(f"<{len(raw) // 2}e", raw))
    arr = array(_ARRAY_CODE[dtype])
    arr.frombytes(raw)
    if _BIG_ENDIAN:  # pragma: no cover
        arr.byteswap()
    return arr.tolist()


def _size(shape: Sequence[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


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
        if _size(shape) != len(values):
            raise ValueError(f"array {name!r}: shape {shape} does not hold {len(values)} values")
        if dtype != "int32":
            if not _all_finite(values):
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
        if (
            not isinstance(shape, list)
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)
        ):
            raise ValueError(f"array {name!r} has a bad shape {shape!r}")
        nbytes = _size(shape) * DTYPES[dtype]
        if pos + nbytes > payload_end:
            raise ValueError(f"array {name!r} runs past the end of the file (inconsistent shapes)")
        values = _decode(dtype, data[pos : pos + nbytes])
        if dtype != "int32" and not _all_finite(values):
            raise ValueError(f"array {name!r} contains NaN or infinity")
        arrays[name] = values
        pos += nbytes
    if pos != payload_end:
        raise ValueError(
            f"the file has {payload_end - pos} bytes more than its header describes (inconsistent shapes)"
        )
    return header, arrays
