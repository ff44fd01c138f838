"""The wire format between the grader and its child process (the child's side is
``grader/_child.py``, which cannot import this module and writes the same format).

A frame is an 8-byte big-endian length, then that many bytes: the 16-character nonce
(ASCII hex), a 4-byte JSON-header length, the UTF-8 JSON header, then the arrays the
header refers to (``"sizes"``), each a complete ``.npy`` file. Every request carries a
random nonce that its reply must repeat; the parent checks a reply's announced length
against ``MAX_FRAME`` and its nonce before it reads (let alone parses) the rest. Values are JSON trees (see ``encode_arg`` and ``decode``). Replies are
decoded by a strict parser: ``.npy`` format 1.0 as the child writes it, numeric dtypes,
the body's length checked against the header before anything is allocated; never
``numpy.load``, never pickle. A failed reply carries a ``"kind"`` from the error-kind
vocabulary below; ``clean_error`` keeps only known fields of the right types.
"""

from __future__ import annotations

import hmac
import io
import json
import math
import re
import secrets
import struct

import numpy as np

from grader.escape import clean as clean_text
from grader.values import FromOutput, Returned, Rng

# The error-kind vocabulary. What the child reports for a failed import or call:
CHILD_ERROR_KINDS = frozenset({
    "exception",        # the code raised (type, message, frame)
    "not-implemented",  # it raised NotImplementedError: the TODO is not filled in
    "exit",             # it called sys.exit()
    "memory",           # MemoryError (the address-space limit)
    "missing",          # the function is not defined in the module
    "unreadable",       # it returned something the child could not encode
    "too-big",          # its reply would carry more than MAX_DATA bytes
    "internal",         # the child itself failed (a grader bug)
    "output-cap",       # it printed more than FSIZE_LIMIT bytes
})
# What the parent adds when the child gave no reply:
PARENT_ERROR_KINDS = frozenset({
    "timeout",          # no reply in time (the child was killed)
    "died",             # the child ended or sent something unreadable
})
ERROR_KINDS = CHILD_ERROR_KINDS | PARENT_ERROR_KINDS


NONCE_BYTES = 16


def new_nonce():
    """A fresh request nonce (16 hex characters)."""
    return secrets.token_hex(NONCE_BYTES // 2)


def frame(header, blobs=(), nonce="0" * NONCE_BYTES):
    """One frame (length prefix included) carrying ``nonce``, ``header`` and the ``.npy``
    ``blobs``."""
    header = dict(header)
    header["sizes"] = [len(b) for b in blobs]
    hb = json.dumps(header).encode("utf-8")
    payload = b"".join([nonce.encode("ascii"), struct.pack(">I", len(hb)), hb, *blobs])
    return struct.pack(">Q", len(payload)) + payload


def nonce_matches(received, nonce):
    """Whether a frame's 16 nonce bytes are ``nonce`` (compared in constant time)."""
    return hmac.compare_digest(received, nonce.encode("ascii"))


def frame_size(prefix):
    """The payload length announced by a frame's 8-byte prefix."""
    (size,) = struct.unpack(">Q", prefix)
    return size


def parse_payload(data):
    """``(header, arrays)`` of a frame's payload after its nonce (checked already by the
    reader); ValueError (or another exception from a malformed payload) otherwise."""
    if len(data) < 4:
        raise ValueError("a frame too short")
    (hlen,) = struct.unpack(">I", data[:4])
    if hlen > len(data) - 4:
        raise ValueError("a header longer than its frame")
    header = json.loads(data[4:4 + hlen].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("malformed reply")
    sizes = header.get("sizes", [])
    if (not isinstance(sizes, list)
            or not all(type(n) is int and n >= 0 for n in sizes)
            or sum(sizes) != len(data) - 4 - hlen):
        raise ValueError("malformed reply")
    arrays, pos, view = [], 4 + hlen, memoryview(data)    # slices of the frame, not copies
    for nbytes in sizes:
        arrays.append(load_array(view[pos:pos + nbytes]))
        pos += nbytes
    return header, arrays


def npy_bytes(arr):
    """``arr`` as a ``.npy`` file (format 1.0, C order): for a numeric dtype built here the
    way ``_child._npy`` builds it (the child's fast parser reads it; ``numpy.save`` costs
    about 20 us more per array), else by ``numpy.save``."""
    arr = np.asarray(arr)
    if arr.dtype.kind not in "biuf" or type(arr) is not np.ndarray:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        return buf.getvalue()
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (arr.dtype.str, tuple(int(n) for n in arr.shape))
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + arr.tobytes("C")


def encode_arg(value, blobs):
    if isinstance(value, Rng):
        return {"t": "rng", "seed": value.seed}
    if isinstance(value, FromOutput):
        return {"t": "out", "i": value.index}
    if isinstance(value, np.ndarray):
        blobs.append(npy_bytes(value))
        return {"t": "a", "i": len(blobs) - 1}
    if isinstance(value, np.generic):
        blobs.append(npy_bytes(np.asarray(value)))
        return {"t": "g", "i": len(blobs) - 1}
    if value is None:
        return {"t": "n"}
    if isinstance(value, bool):
        return {"t": "b", "v": value}
    if isinstance(value, int):
        return {"t": "i", "v": value}
    if isinstance(value, float):
        return {"t": "f", "v": value}
    if isinstance(value, (tuple, list)):
        return {"t": "tuple" if isinstance(value, tuple) else "list",
                "v": [encode_arg(v, blobs) for v in value]}
    raise TypeError(f"cannot send {type(value).__name__} to the child")


FLOAT_WORDS = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def decode(tree, arrays, depth=0):
    if not isinstance(tree, dict) or depth > 6:
        raise ValueError("malformed reply")
    t = tree.get("t")
    if t in ("a", "g"):
        index = tree.get("i")
        if not isinstance(index, int) or not 0 <= index < len(arrays):
            raise ValueError("malformed reply")
        arr = arrays[index]
        if t == "a":
            return Returned("array", arr, clean_text(str(tree.get("cls", ""))[:80]))
        if arr.ndim != 0:
            raise ValueError("malformed reply")
        return Returned("npscalar", arr, str(arr.dtype))
    if t == "f":
        v = tree.get("v")
        v = FLOAT_WORDS.get(v, v) if isinstance(v, str) else v
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ValueError("malformed reply")
        return Returned("float", float(v))
    if t == "i":
        if not isinstance(tree.get("v"), int):
            raise ValueError("malformed reply")
        return Returned("int", int(tree["v"]))
    if t == "b":
        return Returned("bool", bool(tree.get("v")))
    if t == "n":
        return Returned("none")
    if t in ("tuple", "list"):
        children = tree.get("v")
        if not isinstance(children, list):
            raise ValueError("malformed reply")
        return Returned(t, [decode(c, arrays, depth + 1) for c in children])
    if t == "o":
        return Returned("other", None, clean_text(str(tree.get("cls", "?"))[:80]))
    raise ValueError("malformed reply")


UNCHANGED = Returned("unchanged")   # an argument the call left as it was sent


def decode_input(tree, arrays):
    """An argument as the child echoes it after a call: ``UNCHANGED`` (``{"t": "same"}``:
    the child found it as it was sent), else a value as ``decode`` reads it."""
    if isinstance(tree, dict) and tree.get("t") == "same" and len(tree) == 1:
        return UNCHANGED
    return decode(tree, arrays)


NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[biuf]\d{1,2})', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n$")


def load_array(blob):
    """A .npy blob (bytes-like) as a plain numeric ndarray, or ValueError.

    Only what the child writes is accepted: format version 1.0, the header exactly as
    ``_child._npy`` writes it, a numeric dtype, C order, and a body whose length is
    exactly the shape's product times the item size, checked before anything is
    allocated (a forged header cannot make the parent allocate more than it received).
    Nothing is ever unpickled and ``numpy.load`` is never called.
    """
    blob = memoryview(blob)
    if blob[:8] != b"\x93NUMPY\x01\x00" or len(blob) < 10:
        raise ValueError("not a version 1.0 .npy array")
    (hlen,) = struct.unpack("<H", blob[8:10])
    match = NPY_HEADER.match(bytes(blob[10:10 + hlen]).decode("latin1"))
    if match is None:
        raise ValueError("unexpected .npy header")
    dtype = np.dtype(match.group(1))
    if dtype.kind not in "biuf" or dtype.itemsize == 0:
        raise ValueError("not a numeric dtype")
    parts = match.group(2).replace(" ", "").split(",")
    shape = tuple(int(s) for s in parts if s)
    if len(shape) > 32:
        raise ValueError("bad shape")
    count = math.prod(shape)
    body = blob[10 + hlen:]
    if count * dtype.itemsize != len(body):
        raise ValueError("the array's data does not match its header")
    arr = np.frombuffer(body, dtype=dtype, count=count).reshape(shape)
    # an array of the frame's own (writable) buffer, as it is where it lies aligned; else a copy
    return arr if arr.flags.writeable and arr.flags.aligned else arr.copy()


def exception_text(exc):
    """A short description of why a reply could not be read."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "too large"
    text = str(exc)[:200]
    return text if text else type(exc).__name__


def clean_error(info):
    """The child's error report with only known fields of the right types (never trusted)."""
    def text(value, limit):         # student text: valid Unicode (a lone surrogate must never
        return clean_text(value[:limit]) if isinstance(value, str) else ""   # stop a writer)

    kind = info.get("kind")
    clean = {"ok": False, "kind": kind if isinstance(kind, str) and kind in CHILD_ERROR_KINDS else "exception",
             "type": text(info.get("type"), 200), "message": text(info.get("message"), 500)}
    if info.get("where") == "__init__.py":
        clean["where"] = "__init__.py"
    frame = info.get("frame")
    if isinstance(frame, dict):
        line, col = frame.get("line"), frame.get("col")
        clean["frame"] = {
            "file": text(frame.get("file"), 300) or "?",
            "line": line if type(line) is int else 0,
            "function": text(frame.get("function"), 200) or "?",
            "code": text(frame.get("code"), 200),
        }
        if type(col) is int:
            clean["frame"]["col"] = col
    else:
        clean["frame"] = None
    return clean
