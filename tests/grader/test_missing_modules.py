"""A module file the submission does not have is reported as missing, not as a failed import.

A student who hands in activations.py and losses.py only must read "layers.py is not in
your submission" (its functions 0 points), not "Importing layers.py failed: raised
ModuleNotFoundError: No module named 'exercises.layers'" with a rerun command that cannot
help. A real ModuleNotFoundError inside a module (a package that does not exist) is still
reported as it is.
"""

import json
import shutil

import pytest

from chainrule_core.contract import CONTRACT, POINTS
from grader.reports import render
from tests.grader.conftest import SOLUTIONS

ONLY = ["activations", "losses", "layers", "network"]


def _folder(root, modules, extra=None):
    root.mkdir(parents=True)
    for module in modules:
        shutil.copy(SOLUTIONS / f"{module}.py", root / f"{module}.py")
    for name, text in (extra or {}).items():
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    from grader import grade_submission

    folder = _folder(tmp_path_factory.mktemp("partial") / "partial", ["activations", "losses"])
    return grade_submission(str(folder), only=ONLY)


def test_missing_module_functions_score_zero_as_missing(partial):
    for module in ("layers", "network"):
        for name in CONTRACT[module]:
            fr = partial.functions[f"{module}.{name}"]
            assert fr.score == 0 and not fr.passed
            assert fr.missing_file == f"{module}.py"
            assert {c.status for c in fr.cases} == {"missing"}
            assert {c.message for c in fr.cases} == {f"not graded: {module}.py is not in your submission"}
            assert {c.rerun for c in fr.cases} == {""}
    # the modules handed in are graded as usual
    assert all(partial.functions[f"activations.{n}"].passed for n in CONTRACT["activations"])
    assert partial.score == sum(POINTS[f"{m}.{n}"] for m in ("activations", "losses") for n in CONTRACT[m])


def test_text_report_says_the_file_is_not_there_with_no_import_error_or_rerun(partial):
    text = render(partial, "text")
    lines = text.splitlines()
    layers = f"{sum(POINTS[f'layers.{n}'] for n in CONTRACT['layers']):g}"
    row = next(line for line in lines if line.startswith("  FAIL  all 7 functions"))
    assert row.split() == ["FAIL", "all", "7", "functions", f"0/{layers}",
                           *"layers.py is not in your submission".split()]
    assert lines[lines.index(row) - 1] == "layers"
    assert "  FAIL  all 3 functions" in text and "network.py is not in your submission" in text
    for absent in ("ModuleNotFoundError", "Importing layers.py", "exercises.layers", "--only layers",
                   "--only network", "Rerun"):
        assert absent not in text, absent


def test_other_formats_say_the_file_is_not_there(partial):
    doc = json.loads(render(partial, "gradescope"))
    test = next(t for t in doc["tests"] if t["name"] == "layers.dense_forward")
    assert test["output"] == "Not graded: layers.py is not in your submission, so this function scores 0."
    assert test["score"] == 0 and test["status"] == "failed"
    md = render(partial, "markdown")
    assert "| `layers.dense_forward` | ❌ fail | 0/1 | layers.py is not in your submission |" in md
    assert "<details><summary>Importing" not in md and "ModuleNotFoundError" not in md
    data = json.loads(render(partial, "json"))
    fn = next(f for f in data["functions"] if f["name"] == "layers.dense_forward")
    assert fn["missing_file"] == "layers.py"
    assert "missing_file" not in next(f for f in data["functions"] if f["name"] == "activations.sigmoid")
    junit = render(partial, "junit")
    assert 'message="0/1 points: not graded: layers.py is not in your submission"' in junit


def test_a_module_that_imports_a_missing_one_says_which_file_to_add(tmp_path):
    from grader import grade_submission

    folder = _folder(tmp_path / "exercises", ["losses"])    # losses.py: from .activations import softmax
    result = grade_submission(str(folder), only=["losses"])
    fr = result.functions["losses.mean_squared_error"]
    assert fr.import_short == ("importing losses.py failed: it imports activations.py, which is not in "
                               "your submission")
    lines = render(result, "text").splitlines()
    start = lines.index("Importing losses.py failed: it imports activations.py, which is not in your submission")
    assert lines[start + 1:start + 3] == ["  at exercises/losses.py, line 14, in <module>",
                                          "    from .activations import softmax"]


def test_a_real_module_not_found_inside_a_module_is_reported_as_it_is(tmp_path):
    from grader import grade_submission

    folder = _folder(tmp_path / "exercises", ["activations", "layers"])
    path = folder / "layers.py"
    path.write_text("import no_such_package_here\n" + path.read_text())
    result = grade_submission(str(folder), only=["layers"])
    fr = result.functions["layers.dense_forward"]
    assert not fr.missing_file
    # a library grading does not have (never a missing contract module): what grading runs with
    said = ("raised ModuleNotFoundError: No module named 'no_such_package_here'. Grading runs with NumPy and "
            "the standard library only: no_such_package_here is not available while grading, so the exercises "
            "may use only those")
    assert fr.import_short == "importing layers.py failed: " + said
    lines = render(result, "text").splitlines()
    assert "Importing layers.py failed: " + said in lines
    assert any(line.startswith("  Rerun: chainrule grade ") and line.endswith(" --only layers") for line in lines)


@pytest.mark.parametrize("name", ["Layers.py", "layers (1).py", "layers.py.txt", "layer.py"])
def test_a_file_that_looks_meant_to_be_the_module_is_named(tmp_path, name):
    from grader import grade_submission

    folder = _folder(tmp_path / "exercises", ["activations"], {name: "x = 1\n"})
    result = grade_submission(str(folder), only=["layers.dense_forward"])
    fr = result.functions["layers.dense_forward"]
    assert fr.import_short == f"layers.py is not in your submission (there is {name}: rename it layers.py)"


def test_a_helper_with_a_similar_name_is_not_taken_for_the_module(tmp_path):
    from grader.locate import absent_module

    folder = _folder(tmp_path / "exercises", ["activations"], {"network_utils.py": "", "notes.txt": ""})
    assert absent_module(str(folder), "network") == "network.py is not in your submission"
    assert absent_module(str(folder), "activations") == ""


def test_a_folder_of_notebooks_without_one_says_the_notebook_is_missing(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from grader import grade_submission

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")])
    nbformat.write(nb, str(folder / "activations.ipynb"))
    result = grade_submission(str(folder), only=["activations.sigmoid", "layers"])
    fr = result.functions["layers.dense_forward"]
    assert fr.missing_file == "layers.ipynb"
    assert fr.import_short == "layers.ipynb is not in your submission"
    assert {c.message for c in fr.cases} == {"not graded: layers.ipynb is not in your submission"}
    text = render(result, "text")
    assert "layers.ipynb is not in your submission" in text and "layers.py" not in text
    # the notebook handed in is graded (its sigmoid is not defined), not taken for missing
    sigmoid = result.functions["activations.sigmoid"]
    assert not sigmoid.missing_file and "`sigmoid` is not defined" in sigmoid.cases[0].message
