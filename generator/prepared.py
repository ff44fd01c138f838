"""Printed formulas and drawing layouts prepared ahead, shipped with the kit.

A class's sheets print the same few hundred formula structures (each family's formulas for
each network shape, each pattern of signs) over and over with only the numbers changing.
The printers cache what they make in memory, but every process of ``generate`` starts
empty, and each of its worker processes met each structure for the first time again: about
a third of a class's CPU time went on printing, polishing and laying out what the kit had
printed, polished and laid out in every earlier run.

This module keeps the results of those pure functions in ``generator/data/prepared.json.gz``:
a table per function, ``{key: result}``, where the key is a string that determines the
function's inputs completely (sympy's ``srepr`` of a formula, which names every node, its
arguments in their order and every symbol's assumptions; a digest of a markup string; the
repr of a tuple of plain values) and the result is JSON (strings, numbers, lists). A
function wrapped with ``prepared`` looks its key up there before computing.

The table is used only where it was made by the same generator code, the same sympy and the
same Python: its header holds the SHA-256 of every module of ``generator/`` (the printers call
into the families' own symbols too) and those versions, and a table with any other header,
or one that cannot be read whole, is not read (the kit then prints
everything itself, as before; only slower). So a table can never put in a formula that this
kit and this sympy would print differently. ``tests/generator/test_prepared.py`` checks that
the shipped table belongs to the sources (rebuild it with ``python -m generator.prepared``
after changing one of them) and that a class made with a table is byte for byte the class
made without one.

Nothing of a student or a secret goes into the table: it is built from public seeds only,
it keeps only entries that two independent classes both needed (structures, not one
student's numbers), and ``generate`` only reads it. ``CHAINRULE_NO_PREPARED=1`` turns it off.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional

DATA = Path(__file__).parent / "data" / "prepared.json.gz"
FORMAT = 1
_OFF = "CHAINRULE_NO_PREPARED"


def _sources():
    """The generator's modules, sorted: the printers call into the families too (a family's
    own symbols print themselves: ``IndexRange``, ``Closed``), so a change to any of them
    makes the table stale."""
    here = Path(__file__).parent
    return sorted(str(p.relative_to(here)) for p in here.rglob("*.py") if "__pycache__" not in p.parts)


_tables: Optional[Dict[str, Dict[str, Any]]] = None
_recording: Optional[Dict[str, Dict[str, Any]]] = None
#: results taken from the table in this process (for the tests and the benchmark)
hits = 0


def fingerprint() -> Dict[str, Any]:
    """What a table must have been made with to be used here."""
    import sympy

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _sources():
        digest.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    return {"format": FORMAT, "sources": digest.hexdigest(), "sympy": sympy.__version__,
            "python": "%d.%d" % sys.version_info[:2]}


def turned_off() -> bool:
    """``CHAINRULE_NO_PREPARED`` set to anything but "" or "0"."""
    return os.environ.get(_OFF, "") not in ("", "0")


def _load() -> Dict[str, Dict[str, Any]]:
    global _tables
    if _tables is None:
        _tables = {}
        if not turned_off():
            try:
                data = json.loads(gzip.decompress(DATA.read_bytes()))
                if data.get("made_with") == fingerprint():
                    tables = data["tables"]
                    if all(isinstance(name, str) and isinstance(entries, dict) for name, entries in tables.items()):
                        _tables = tables
            except Exception:  # missing, damaged (a corrupt stream, a wrong shape), or no sources here:
                pass           # everything is printed here, as without a table
    return _tables


def active() -> bool:
    """Whether a table is in use in this process."""
    return bool(_load())


def prepared(table: str, key: Callable[..., str], decode: Callable = None):
    """Decorate a pure function: its result for arguments whose ``key(*args)`` is in the table
    ``table`` is taken from there (``decode`` of the stored JSON, where JSON has no tuples),
    else computed (and noted when recording). Put an in-memory cache above it: the key is
    worked out only when that cache misses."""

    def wrap(function):
        @functools.wraps(function)
        def cached(*args):
            tables = _load()
            entries = tables.get(table)
            name = None
            if entries is not None or _recording is not None:
                name = key(*args)
                if entries is not None and name in entries:
                    global hits
                    hits += 1
                    stored = entries[name]
                    return decode(stored) if decode is not None else stored
            result = function(*args)
            if _recording is not None:
                _recording.setdefault(table, {})[name] = result
            return result

        return cached

    return wrap


# --- keys ---------------------------------------------------------------------------------------

_KEYS: Dict[Any, str] = {}


def formula_key(expr) -> str:
    """A string that names ``expr`` completely, remembered per formula: each node's class
    (module and name; an undefined function's name and assumptions) and its arguments in
    their stored order (what a printer with ``order="none"`` follows; sympy's ``srepr``
    sorts a sum's terms, so two sums it names alike may print differently), and each atom as
    ``srepr`` writes it (a symbol with its assumptions, a number exactly)."""
    text = _KEYS.get(expr)
    if text is None:
        text = _structure(expr)
        if len(_KEYS) > 100000:
            _KEYS.clear()
        _KEYS[expr] = text
    return text


def _structure(expr) -> str:
    from sympy import srepr
    from sympy.core.function import UndefinedFunction

    if not expr.args:
        return srepr(expr)
    cls = type(expr)
    if isinstance(cls, UndefinedFunction):
        head = "Function(%r, %r)" % (cls.__name__, sorted(getattr(cls, "_kwargs", {}).items()))
    else:
        head = cls.__module__ + "." + cls.__qualname__
    return head + "(" + ", ".join(_KEYS.get(arg) or _structure(arg) for arg in expr.args) + ")"


def display_key(items) -> str:
    """The key of a display mapping's items ((name, sympy expression) pairs, sorted)."""
    return "\x1f".join(name + "=" + formula_key(value) for name, value in items)


def text_key(text: str) -> str:
    """The key of a markup string: its digest (the strings are long)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# --- building the table -------------------------------------------------------------------------

#: the classes the table is built from: (seed, count, lang, formats) each; a key is kept when at
#: least two of these runs (each in a fresh process) needed it
BUILD = (
    (101, 100, "en", "md,html"),
    (202, 100, "ko", "md,html"),
    (303, 100, "en", "md,html"),
    (404, 100, "ko", "md,html"),
    (505, 8, "en", "tex"),
    (606, 8, "ko", "tex"),
)


def _record_class(seed: int, count: int, lang: str, formats: str, out: str) -> Dict[str, Dict[str, Any]]:
    """Make a class in this (fresh) process with no table, and return what was computed."""
    global _tables, _recording
    from generator import worksheets

    worksheets.tex_engine = lambda lang="en": None  # no PDFs: the printing is what counts
    _tables, _recording = {}, {}
    worksheets.generate(out=Path(out), seed=seed, count=count, lang=lang, formats=formats.split(","), jobs=1)
    return _recording


def build(target: Path = DATA, runs=BUILD) -> int:
    """Build the table from the classes ``runs`` (each in its own process, see ``BUILD``);
    return its entries."""
    import subprocess
    import tempfile

    counts: Dict[tuple, int] = {}
    values: Dict[tuple, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (seed, count, lang, formats) in enumerate(runs):
            dump = Path(tmp) / f"run{i}.json"
            code = ("import json, sys; from generator import prepared; "
                    f"json.dump(prepared._record_class({seed}, {count}, {lang!r}, {formats!r}, {str(Path(tmp) / f'class{i}')!r}), "
                    f"open({str(dump)!r}, 'w'))")
            env = dict(os.environ, CHAINRULE_NO_PREPARED="1")
            subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).parent.parent), env=env)
            for table, entries in json.loads(dump.read_text()).items():
                for name, value in entries.items():
                    if (table, name) in values and values[table, name] != value:
                        # a pure function gave two results under one key: a key that does not
                        # determine its result (or a result that is not deterministic)
                        raise RuntimeError(f"table {table!r}: key {name} has two different results")
                    counts[table, name] = counts.get((table, name), 0) + 1
                    values[table, name] = value
    tables: Dict[str, Dict[str, Any]] = {}
    for (table, name), n in counts.items():
        if n >= 2:
            tables.setdefault(table, {})[name] = values[table, name]
    data = {"made_with": fingerprint(), "tables": {t: dict(sorted(e.items())) for t, e in sorted(tables.items())}}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    from chainrule_core.fileio import write_atomic

    write_atomic(target, gzip.compress(text, compresslevel=9, mtime=0))
    return sum(len(e) for e in tables.values())


if __name__ == "__main__":
    entries = build()
    print(f"{DATA}: {entries} entries, {DATA.stat().st_size} bytes")
