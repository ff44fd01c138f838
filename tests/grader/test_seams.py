"""The grader's seams: values without process code, one error-kind vocabulary, one home
for each limit."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import engine, limits, wire

ROOT = Path(__file__).resolve().parents[2]
GRADER = ROOT / "grader"


def test_comparing_numbers_imports_no_process_code():
    code = ("import sys, grader.compare, grader.values, grader.framework; "
            "print(sorted(m for m in ('grader.sandbox', 'grader.privileges', 'grader.wire', "
            "'subprocess', 'select') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def _child_kinds():
    """Every error kind the child script writes (it cannot import ``grader.wire``)."""
    tree = ast.parse((GRADER / "_child.py").read_text(encoding="utf-8"))
    kinds = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "kind" and isinstance(value, ast.Constant):
                    kinds.add(value.value)
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "kind"
                and isinstance(node.value, ast.Constant)):
            kinds.add(node.value.value)
    return kinds


def test_the_child_writes_exactly_the_vocabulary_of_child_error_kinds():
    assert _child_kinds() == set(wire.CHILD_ERROR_KINDS)


def test_clean_error_keeps_known_kinds_and_maps_unknown_ones_to_exception():
    for kind in wire.CHILD_ERROR_KINDS:
        assert wire.clean_error({"kind": kind})["kind"] == kind
    assert wire.clean_error({"kind": "timeout"})["kind"] == "exception"   # only the parent says so
    assert wire.clean_error({"kind": "rm -rf"})["kind"] == "exception"


@pytest.mark.parametrize("kind", sorted(wire.ERROR_KINDS - {"exception", "internal"}))
def test_every_error_kind_has_its_own_message(kind):
    generic = engine._error_text({"kind": "exception", "message": "m"}, "losses.l", "ex", 5.0, 1024)
    status, text = engine._error_text({"kind": kind, "message": "m"}, "losses.l", "ex", 5.0, 1024)
    assert (status, text) != generic
    assert not text.startswith("raised")


def test_error_messages_state_the_limits_from_grader_limits():
    _, too_big = engine._error_text({"kind": "too-big"}, "losses.l", "ex", 5.0, 1024)
    assert too_big == "returned more than 256 MB of data"
    assert limits.mb(limits.MAX_DATA) == 256
    _, printed = engine._error_text({"kind": "output-cap"}, "losses.l", "ex", 5.0, 1024)
    assert printed.startswith("printed more than 8 MB of output")


def test_sizes_are_written_only_in_grader_limits():
    pattern = re.compile(r"\b(256|1024)\s*\*\s*1024\b|\* 1024 \* 1024")
    for path in sorted(GRADER.rglob("*.py")):
        if path.name in ("limits.py", "_child.py"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), path
    child = (GRADER / "_child.py").read_text(encoding="utf-8")
    assert "256" not in child          # the reply cap reaches the child in its configuration
