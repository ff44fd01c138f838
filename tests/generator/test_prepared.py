"""The prepared table (generator/prepared.py): printed formulas, label places and template code
kept from earlier runs. It may only ever change how fast a class is made, never one byte of it."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import sympy as sp

from generator import prepared

ROOT = Path(__file__).resolve().parents[2]


def _make_class(out: Path, table, seed: int, count: int, lang: str, formats: str) -> int:
    """Make a class in a fresh process with the table file ``table`` (None: no table at all);
    return how many results came from the table."""
    code = (
        "import sys; from pathlib import Path; from generator import prepared, worksheets\n"
        f"prepared.DATA = Path({str(table)!r}) if {table is not None!r} else Path('/nonexistent/prepared.json.gz')\n"
        "worksheets.tex_engine = lambda lang='en': None\n"
        f"worksheets.generate(out=Path({str(out)!r}), seed={seed}, count={count}, lang={lang!r}, "
        f"formats={formats.split(',')!r}, jobs=1)\n"
        "print(prepared.hits)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def _files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_class_made_with_a_table_is_the_class_made_without_one(tmp_path):
    # a table recorded from two small classes of other seeds, then a third class made with it
    # and without it, each in a fresh process (no cache of the first run can help the second)
    table = tmp_path / "table.json.gz"
    entries = prepared.build(table, runs=((11, 6, "en", "md,html,tex"), (12, 6, "en", "md,html,tex")))
    assert entries > 500
    hits = _make_class(tmp_path / "with", table, seed=13, count=5, lang="en", formats="md,html,tex")
    assert hits > 500, "the table was not used"
    assert _make_class(tmp_path / "without", None, seed=13, count=5, lang="en", formats="md,html,tex") == 0
    with_table, without = _files(tmp_path / "with"), _files(tmp_path / "without")
    assert with_table.keys() == without.keys() and len(with_table) > 50
    for name in without:
        assert with_table[name] == without[name], name


def test_the_shipped_table_belongs_to_these_sources():
    data = json.loads(gzip.decompress(prepared.DATA.read_bytes()))
    made_with, here = data["made_with"], prepared.fingerprint()
    assert (made_with["format"], made_with["sources"]) == (here["format"], here["sources"]), (
        "generator/data/prepared.json.gz was made from another version of generator/: rebuild it with "
        "`python -m generator.prepared` (about 40 s)")


def test_the_header_covers_the_families_whose_symbols_print_themselves():
    # IndexRange (activations) and Closed (hyperparameter_search) have their own _latex: an edit
    # there changes what the printers make, so it must make the table stale
    sources = prepared._sources()
    assert {"families/activations.py", "families/hyperparameter_search.py", "symbolic.py", "render.py",
            "prepared.py"} <= set(sources)


def test_the_shipped_table_makes_the_same_korean_class(tmp_path):
    data = json.loads(gzip.decompress(prepared.DATA.read_bytes()))
    if data["made_with"] != prepared.fingerprint():
        pytest.skip("the shipped table was made with another sympy or Python; it is not used here")
    hits = _make_class(tmp_path / "with", prepared.DATA, seed=77, count=4, lang="ko", formats="md,html")
    assert hits > 1000
    _make_class(tmp_path / "without", None, seed=77, count=4, lang="ko", formats="md,html")
    assert _files(tmp_path / "with") == _files(tmp_path / "without")


def test_formula_keys_name_what_the_printers_see():
    x, y = sp.symbols("x y")
    # sympy's srepr writes both sums alike (it sorts the terms); the printers keep their order
    ab, ba = sp.Add(x, y, evaluate=False), sp.Add(y, x, evaluate=False)
    assert sp.srepr(ab) == sp.srepr(ba) and sp.latex(ab, order="none") != sp.latex(ba, order="none")
    assert prepared.formula_key(ab) != prepared.formula_key(ba)
    # assumptions, exact numbers and function names are part of the key
    assert prepared.formula_key(sp.Symbol("z")) != prepared.formula_key(sp.Symbol("z", positive=True))
    assert prepared.formula_key(sp.Rational(1, 3) * x) != prepared.formula_key(sp.Float("0.3333333333", 45) * x)
    assert prepared.formula_key(sp.Function("f")(x)) != prepared.formula_key(sp.Function("g")(x))


def _table_bytes(tables) -> bytes:
    return gzip.compress(json.dumps({"made_with": prepared.fingerprint(), "tables": tables}).encode())


def _corrupt_stream() -> bytes:
    """A gzip file whose deflate stream is broken inside (zlib.error, not OSError)."""
    good = bytearray(prepared.DATA.read_bytes())
    for offset in range(100, len(good) - 100, 97):
        bad = bytearray(good)
        bad[offset] ^= 0xFF
        try:
            gzip.decompress(bytes(bad))
        except zlib.error:
            return bytes(bad)
        except Exception:
            continue
    raise AssertionError("no flip gave a zlib error")


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"{not json"), "corrupt stream",
                                     gzip.compress(json.dumps({"made_with": {"format": 0}, "tables": {}}).encode()),
                                     gzip.compress(b"[1, 2]"), "wrong shape"])
def test_a_damaged_or_foreign_table_is_not_read(tmp_path, monkeypatch, content):
    if content == "corrupt stream":
        content = _corrupt_stream()
    elif content == "wrong shape":
        content = _table_bytes({"latex": []})
    path = tmp_path / "prepared.json.gz"
    path.write_bytes(content)
    monkeypatch.setattr(prepared, "DATA", path)
    monkeypatch.setattr(prepared, "_tables", None)
    assert not prepared.active()


def test_a_table_whose_sources_cannot_be_read_is_not_read(monkeypatch):
    def missing():
        raise FileNotFoundError("generator/numbers.py")

    monkeypatch.setattr(prepared, "fingerprint", missing)
    monkeypatch.setattr(prepared, "_tables", None)
    assert not prepared.active()


@pytest.mark.parametrize("value, off", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_the_table_can_be_turned_off(monkeypatch, value, off):
    monkeypatch.setenv("CHAINRULE_NO_PREPARED", value)
    monkeypatch.setattr(prepared, "_tables", None)
    if not off and json.loads(gzip.decompress(prepared.DATA.read_bytes()))["made_with"] != prepared.fingerprint():
        pytest.skip("the shipped table was made with another sympy or Python; it is not used here")
    assert prepared.active() is not off
