"""Known mistakes without their source: each mistake's outputs on the recorded cases.

The known-mistake catalog (``grader.specs.known``) holds each wrong version as code, and
each is the reference with one line changed: a student release must not ship it. Instead
``record`` runs every mistake on the cases of the given seeds, exactly as the engine's
diagnosis does, and writes what each call returned, keyed by a digest of the call's
arguments. ``for_function`` reads that file back as mistakes whose ``impl`` *replays* the
recorded outputs: called with arguments it saw, it returns the same values (as the same
Python and NumPy types); called with any other arguments it raises ``LookupError``, which
the diagnosis treats like a mistake that raises on those inputs. So, with the catalog
absent, the engine diagnoses the recorded seeds exactly as with it, and a student tree
holds no wrong implementation to copy a line from.

The engine uses this module only when ``grader.specs.known`` cannot be imported
(``_mistakes_for`` in ``grader/engine.py``). File: ``grader/data/mistakes.npz`` (loaded with
``allow_pickle=False``): ``index`` (JSON: function -> list of ``{"name", "hint", "calls":
{digest: tree}}``) and the arrays the trees name.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings

import numpy as np

from chainrule_core.fileio import write_atomic

DEFAULT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mistakes.npz")
FORMAT = 1


# ---------------------------------------------------------------------- digests
def _digest_into(h, value):
    if isinstance(value, np.random.Generator):
        h.update(b"G" + json.dumps(value.bit_generator.state, sort_keys=True).encode())
    elif isinstance(value, np.ndarray):
        h.update(b"A" + value.dtype.str.encode() + repr(tuple(value.shape)).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, np.generic):
        h.update(b"S" + value.dtype.str.encode() + np.asarray(value).tobytes())
    elif isinstance(value, bool) or value is None:
        h.update(b"B" + repr(value).encode())
    elif isinstance(value, int):
        h.update(b"I" + str(value).encode())
    elif isinstance(value, float):
        h.update(b"F" + value.hex().encode())
    elif isinstance(value, str):
        h.update(b"T" + value.encode())
    elif isinstance(value, (list, tuple)):
        h.update((b"L" if isinstance(value, list) else b"U") + str(len(value)).encode() + b"(")
        for item in value:
            _digest_into(h, item)
        h.update(b")")
    else:
        h.update(b"O" + type(value).__name__.encode())


def digest(args):
    """A digest of a call's (materialized) arguments, the same on any machine."""
    h = hashlib.sha256()
    _digest_into(h, tuple(args))
    return h.hexdigest()[:32]


# ---------------------------------------------------------------------- value trees
def _to_tree(value, arrays):
    if isinstance(value, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = np.array(value, copy=True, subok=False)
        return {"t": "array", "k": name}
    if isinstance(value, np.generic):
        name = f"a{len(arrays)}"
        arrays[name] = np.asarray(value)
        return {"t": "scalar", "k": name}
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        return {"t": "float", "v": value.hex()}
    if isinstance(value, (tuple, list)):
        return {"t": "tuple" if isinstance(value, tuple) else "list",
                "v": [_to_tree(v, arrays) for v in value]}
    return {"t": "other", "cls": type(value).__name__}


def _from_tree(tree, data):
    t = tree["t"]
    if t == "array":
        return data[tree["k"]].copy()
    if t == "scalar":
        return data[tree["k"]][()]
    if t == "none":
        return None
    if t == "bool":
        return bool(tree["v"])
    if t == "int":
        return int(tree["v"])
    if t == "float":
        return float.fromhex(tree["v"])
    if t in ("tuple", "list"):
        items = [_from_tree(v, data) for v in tree["v"]]
        return tuple(items) if t == "tuple" else items
    return type(str(tree.get("cls", "object")), (), {})()


# ---------------------------------------------------------------------- recording
def record(path, seeds, only=None, hint=None):
    """Write the outputs of every known mistake on the cases of ``seeds`` to ``path``.

    ``only``: the functions (``module.function``) to record, default all; ``hint``: an
    optional ``hint(mistake) -> str`` that chooses the hint stored for each mistake
    (a student release uses it to keep hints that quote code out of the file).
    Returns the number of mistakes recorded.
    """
    from chainrule_core.contract import qualified_names
    from grader.specs import cases_for, for_function

    names = list(only) if only else qualified_names()
    index, arrays, count = {}, {}, 0
    for qualname in names:
        entries = []
        for mistake in for_function(qualname):
            calls = {}

            def replayable(call, m=mistake, calls=calls):
                args = call.materialize()
                key = digest(args)
                value = m.impl(*call.materialize())
                calls[key] = _to_tree(value, arrays)
                return _compare_form(value)

            for seed in seeds:
                for case in cases_for(qualname, seed):
                    try:
                        with warnings.catch_warnings(), np.errstate(all="ignore"):
                            warnings.simplefilter("ignore")
                            case.run(replayable)
                    except Exception:  # noqa: BLE001 - a mistake may raise; diagnosis skips it then
                        continue
            text = mistake.hint if hint is None else hint(mistake)
            entries.append({"name": mistake.name, "hint": text, "calls": dict(sorted(calls.items()))})
            count += 1
        if entries:
            index[qualname] = entries
    payload = {"format": FORMAT, "seeds": [int(s) for s in seeds], "functions": index}
    arrays["index"] = np.frombuffer(json.dumps(payload, sort_keys=True).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_atomic(path, buffer.getvalue())
    return count


def _compare_form(value):
    # case.run feeds a step's output back through the engine's own conversion
    from grader.values import to_returned

    return to_returned(value)


# ---------------------------------------------------------------------- replaying
class RecordedMistake:
    """A known mistake whose ``impl`` replays its recorded outputs (same fields as
    ``grader.specs.Mistake``: ``function``, ``name``, ``hint``, ``impl``)."""

    __slots__ = ("function", "name", "hint", "_calls", "_data")

    def __init__(self, function, name, hint, calls, data):
        self.function, self.name, self.hint = function, name, hint
        self._calls, self._data = calls, data

    def impl(self, *args):
        tree = self._calls.get(digest(args))
        if tree is None:
            raise LookupError(f"no recorded output of '{self.name}' for these inputs")
        return _from_tree(tree, self._data)

    def __repr__(self):
        return f"RecordedMistake({self.function!r}, {self.name!r})"


_LOADED = {}


def load(path=DEFAULT_FILE):
    """``{function: [RecordedMistake, ...]}`` from a recording (empty when it is absent or
    unreadable: a missing catalog costs the hints, never the grading)."""
    path = os.fspath(path)
    if path in _LOADED:
        return _LOADED[path]
    table = {}
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
        payload = json.loads(bytes(data.pop("index")).decode())
        if payload.get("format") == FORMAT:
            for qualname, entries in payload["functions"].items():
                table[qualname] = [RecordedMistake(qualname, e["name"], e["hint"], e["calls"], data)
                                   for e in entries]
    except (OSError, ValueError, KeyError, TypeError):
        table = {}
    _LOADED[path] = table
    return table


def for_function(qualname, path=DEFAULT_FILE):
    """The recorded known mistakes of one contract function (maybe none)."""
    return list(load(path).get(qualname, ()))


def seeds(path=DEFAULT_FILE):
    """The seeds a recording covers (empty when it is absent)."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as npz:
            return [int(s) for s in json.loads(bytes(npz["index"]).decode()).get("seeds", [])]
    except (OSError, ValueError, KeyError):
        return []

