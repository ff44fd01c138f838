"""A function that returns a list: its hint names the list (a new user's trial, session 8: the
one 0-d case's "returned a Python float ... instead of the math module" led the report, five
cases of six said "returned a list")."""

import shutil
from pathlib import Path

from grader import grade_submission
from grader.reports import hint_lines

ROOT = Path(__file__).resolve().parents[2]


def test_the_hint_of_a_list_returning_function_is_the_list(tmp_path):
    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    source = (folder / "activations.py").read_text()
    start = source.index("def sigmoid_derivative(")
    end = source.index("\ndef ", start + 1)
    source = source[:start] + ("def sigmoid_derivative(x):\n    s = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))\n"
                               "    return (s * (1 - s)).tolist()\n\n") + source[end:]
    (folder / "activations.py").write_text(source)
    result = grade_submission(str(folder), only=["activations.sigmoid_derivative"])
    fr = result.functions["activations.sigmoid_derivative"]
    first, _numbers = fr.hints()[0]
    assert first.name == "returned-list"
    assert hint_lines(fr)[0].startswith("Found (cases ")
    assert "returned a Python list where the contract promises a NumPy array" in hint_lines(fr)[0]
