"""A notebook cell that imports from the exercises as their ``.py`` files do.

Session 10's trial: ``from .activations import sigmoid_derivative`` in network.ipynb (the line
of exercises/network.py) raised ``ImportError: cannot import name 'sigmoid_derivative' from
'exercises.activations' (network.ipynb)`` and nothing said what to do. What works in a
notebook, in Jupyter and when graded alike, is defining the function in a cell: the note says
so, and only for an import from the exercises."""

import json

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from nb_helpers import reference_source

HINT = ("the cells of a notebook share their names, and Jupyter cannot import from another notebook")


def _notebook(path, cells):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"chainrule": {"module": "network"}},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    path.write_text(json.dumps(nb))
    return path


def _notes(tmp_path, import_line, before=""):
    """The report's notes on the cells of a network notebook whose backward cell starts with
    ``import_line`` (``before``: a cell run first)."""
    cells = ["import numpy as np", reference_source("as_float"), reference_source("sigmoid"), before,
             reference_source("forward"),
             (import_line + "\n\n" if import_line else "") + reference_source("backward")]
    path = _notebook(tmp_path / "network.ipynb", [c for c in cells if c])
    result = CliRunner().invoke(cli, ["grade", str(path), "--only", "network.backward", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    return report.get("notes", []), report["score"], report["max_score"]


@pytest.mark.parametrize("line, names, paste", [
    ("from .activations import sigmoid_derivative", "sigmoid_derivative", " (paste your own from activations.ipynb)"),
    ("from exercises.activations import sigmoid, sigmoid_derivative", "sigmoid and sigmoid_derivative",
     " (paste your own from activations.ipynb)"),
    ("from activations import sigmoid_derivative", "sigmoid_derivative", " (paste your own from activations.ipynb)"),
    ("from ._common import to_float", "to_float", ""),     # the given helpers: no notebook to paste from
])
def test_an_import_from_the_exercises_gets_the_notebook_hint(tmp_path, line, names, paste):
    notes, score, _ = _notes(tmp_path, line)
    (note,) = notes
    assert note.startswith(f"{tmp_path / 'network.ipynb'}, cell 5, line 1: raised ")
    assert note.endswith(f"(the cells after it still ran). In a notebook, define {names} in a cell{paste} "
                         f"instead of importing it: {HINT}")
    assert score == 0


def test_what_the_hint_says_works_and_other_imports_get_none(tmp_path):
    # the function defined in a cell instead of imported, as the hint says: backward passes
    notes, score, max_score = _notes(tmp_path, "", before=reference_source("sigmoid_derivative"))
    assert notes == [] and score == max_score > 0
    # an import that is not of the exercises: Python's own message, no notebook hint, but what
    # grading runs with (trial 13: scipy, matplotlib)
    notes, _, _ = _notes(tmp_path, "from no_such_package_xyz import thing")
    (note,) = notes
    assert note.endswith("raised ModuleNotFoundError: No module named 'no_such_package_xyz' "
                         "(the cells after it still ran). Grading runs with NumPy and the standard library only: "
                         "no_such_package_xyz is not available while grading, so the exercises may use only those")
    # an error that is no import error, on an import line's cell: none either
    notes, _, _ = _notes(tmp_path, "import numpy as np\nraise ValueError('x')")
    (note,) = notes
    assert note.endswith("line 2: raised ValueError: x (the cells after it still ran)")


def test_a_missing_percent_script_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["grade", str(tmp_path / "activations.pct.py")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"Error: Script '{tmp_path / 'activations.pct.py'}' does not exist; pass a percent script (.pct.py), "
        "a notebook, a folder of notebooks or a folder laid out like exercises/.")


def test_a_percent_script_over_the_notebook_size_is_refused_in_one_line(tmp_path, monkeypatch):
    from chainrule_core.errors import ChainruleError
    from grader import grade_submission
    from grader import notebooks

    monkeypatch.setattr(notebooks, "MAX_NOTEBOOK_BYTES", 2 ** 20)      # 1 MB, as the message rounds it
    script = tmp_path / "activations.pct.py"
    script.write_text("x = 1\n" * (2 ** 20 // 6 + 1))
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(script))
    assert str(info.value) == f"Script '{script}' is over 1 MB; a script may be at most that."
