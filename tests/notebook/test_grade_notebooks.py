"""``chainrule grade`` on notebooks: cells run in order in the sandbox, graded like modules."""

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, POINTS
from chainrule_core.errors import ChainruleError
from grader import grade_submission

TOTAL = sum(POINTS.values())


def notebook(path, *sources, metadata=None):
    """Write a minimal nbformat-4 notebook: a Markdown cell, then one code cell per source."""
    cells = [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# title"}]
    cells += [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
               "outputs": [], "source": s} for i, s in enumerate(sources)]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {},
                                "cells": cells}))
    return path


AS_FLOAT = "import numpy as np\n\ndef as_float(x):\n    x = np.asarray(x)\n    return x.astype(float) if x.dtype.kind != 'f' else x\n"
SIGMOID = "def sigmoid(x):\n    x = as_float(x)\n    return 1 / (1 + np.exp(-x))\n"
RELU = "def relu(x):\n    return np.maximum(as_float(x), 0.0)\n"


def test_filled_notebooks_get_full_marks_and_skeletons_zero(built, filled_folder):
    full = grade_submission(str(filled_folder))
    assert full.max_score == TOTAL and full.score == TOTAL, [
        (q, f.cases[0].message) for q, f in full.functions.items() if not f.passed][:3]
    none = grade_submission(str(built))
    assert none.score == 0 and none.max_score == TOTAL
    assert all(f.not_implemented for f in none.functions.values())


def test_cli_grades_one_notebook_for_its_module(filled_folder):
    result = CliRunner().invoke(cli, ["grade", str(filled_folder / "network.ipynb")])
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    assert re.match(re.escape(f"chainrule grade: {filled_folder / 'network.ipynb'} (seed ") + r"\d+", head)
    points = sum(POINTS[f"network.{n}"] for n in CONTRACT["network"])
    assert f"Total: {points:g} / {points:g} points (100.0%)" in result.output


def test_a_raising_cell_is_reported_and_the_others_still_graded(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, SIGMOID,
                  "x = 1\ny = undefined_name + x\n", RELU, "%matplotlib inline\n!ls\ncheck('activations.relu')",
                  "result = check('activations.relu')\nassert result.passed")
    result = grade_submission(str(nb), only=["activations.sigmoid", "activations.relu",
                                             "activations.tanh"])
    f = result.functions
    assert f["activations.sigmoid"].passed and f["activations.relu"].passed
    assert f["activations.tanh"].cases[0].message.splitlines()[1] == f"`tanh` is not defined in {nb}"
    output = "\n".join(result.notes)      # said whether the function whose grade ran the cells passes
    assert f"{nb}, cell 4, line 2: raised NameError: name 'undefined_name' is not defined (the cells after it still ran)" in output
    assert (f"{nb}: left out the plotting (cell 6, line 1): grading runs with NumPy and the standard library "
            "only, without matplotlib; the plots still show when you run it yourself") in output
    assert f"{nb}, cell 6, line 2: skipped !ls (IPython syntax)" in output
    assert "check" not in output
    assert f"{nb}, cell 7, line 2: raised NameError: name 'result' is not defined" in output
    assert "raised NameError" not in f["activations.sigmoid"].output    # not the function's own printing
    # every report says it, though every function graded passes (a new user's trial: no word of it)
    from grader.reports import render
    text = render(result, "text")
    notes_block = text.split("Running your notebook's cells:\n", 1)[1].split("\n\n", 1)[0]
    assert f"  {nb}, cell 4, line 2: raised NameError" in notes_block
    assert f"{nb}, cell 4, line 2: raised NameError" in render(result, "markdown")
    assert f"{nb}, cell 4, line 2: raised NameError" in json.loads(render(result, "gradescope"))["output"]
    assert json.loads(render(result, "json"))["notes"] == result.notes
    assert f"{nb}, cell 4, line 2: raised NameError" in render(result, "junit")


def test_cell_magics(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "%%time\n" + RELU, "%%bash\necho hi\n",
                  "\n%%capture out\n" + SIGMOID)
    result = grade_submission(str(nb), only=["activations.relu", "activations.sigmoid"])
    assert result.functions["activations.relu"].passed and result.functions["activations.sigmoid"].passed
    assert result.notes[:3] == [f"{nb}, cell 3, line 1: ran the cell without %%time (IPython syntax)",
                                f"{nb}, cell 4: skipped the cell magic %%bash (IPython syntax)",
                                f"{nb}, cell 5, line 2: ran the cell without %%capture out (IPython syntax)"]
    # the test's sigmoid overflows: NumPy's warning names the cell like every message
    output = result.functions["activations.sigmoid"].output     # the first function graded
    assert f"{nb}, cell 5, line 5: RuntimeWarning: overflow encountered in exp" in output


def test_an_error_inside_a_function_names_the_cell_and_line(tmp_path):
    nb = notebook(tmp_path / "hw.ipynb", AS_FLOAT, "def relu(x):\n    y = 2\n    return np.maximum(x, zz)\n")
    result = grade_submission(str(nb), only=["activations.relu"])
    message = result.functions["activations.relu"].cases[0].message
    assert f"raised NameError: name 'zz' is not defined\n  at {nb}, cell 3, line 3, in relu\n    return np.maximum(x, zz)" in message
    assert result.command == f"chainrule grade {nb}"
    assert "chainrule-notebook-" not in json.dumps(result.to_dict())


def test_a_generic_notebook_is_graded_for_every_module(tmp_path):
    nb = notebook(tmp_path / "homework.ipynb", AS_FLOAT, SIGMOID)
    result = grade_submission(str(nb))
    assert list(result.functions) == [q for m in CONTRACT for q in (f"{m}.{n}" for n in CONTRACT[m])]
    assert result.functions["activations.sigmoid"].score == 1
    assert result.score == 1


def test_metadata_names_the_module(tmp_path):
    nb = notebook(tmp_path / "mine.ipynb", AS_FLOAT, RELU, metadata={"chainrule": {"module": "activations"}})
    result = grade_submission(str(nb))
    assert list(result.functions) == [f"activations.{n}" for n in CONTRACT["activations"]]


def test_a_cell_that_runs_forever_is_stopped_and_the_others_graded(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, RELU, "x = 0\nwhile True:\n    x += 1\n",
                  SIGMOID + "print('demo')\n", "print('more')")
    result = grade_submission(str(nb), only=["activations.relu", "activations.sigmoid"], timeout=2)
    assert result.functions["activations.relu"].passed
    assert result.functions["activations.sigmoid"].passed     # defined after the loop: still graded
    output = "\n".join(result.notes) + "\n"
    assert re.match(re.escape(f"{nb}, cell 4, line ") + "[23]" + re.escape(
        ": still running after 1.2 s (the time all cells may take) and stopped; the functions "
        f"defined so far are graded\n{nb}, cell 5: only its def, class and import statements ran (the "
        f"1.2 s the cells may take were used up)\n{nb}, cell 6: not run (the 1.2 s the cells may "
        "take were used up)\n"), output), output
    assert "demo" not in output and "more" not in output
    assert "demo" not in result.functions["activations.sigmoid"].output


@pytest.mark.parametrize("cell, status, text", [
    # a loop that swallows the stop is killed with the child when the import's time is up
    ("while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n",
     "timeout", "running the cells of {nb} timed out after 2 s"),
    ("import os\nos._exit(3)\n", "crashed", "running the cells of {nb} failed"),
])
def test_hostile_cells_are_contained_and_reported(tmp_path, cell, status, text):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, RELU, cell)
    result = grade_submission(str(nb), only=["activations.relu"], timeout=2)
    fr = result.functions["activations.relu"]
    assert not fr.passed and fr.cases[0].status == status
    assert fr.import_short.startswith(text.format(nb=nb)), fr.import_short


def test_sys_exit_and_file_reading_in_a_cell_are_reported(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("key")
    secret.chmod(0o600)
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, f"print(open({str(secret)!r}).read())\n",
                  "import sys\nsys.exit(4)\n", RELU)
    result = grade_submission(str(nb), only=["activations.relu"])
    fr = result.functions["activations.relu"]
    assert fr.passed
    notes = "\n".join(result.notes)
    assert f"{nb}, cell 4, line 2: called sys.exit(4) (the cells after it still ran)" in notes
    if os.geteuid() == 0:   # the child runs as an unprivileged user: the file is not readable
        assert f"{nb}, cell 3, line 1: raised PermissionError" in notes
        assert "key" not in notes + fr.output


def test_output_flood_in_a_cell_is_capped(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, RELU, "print('x' * (20 * 2**20))\n")
    result = grade_submission(str(nb), only=["activations.relu"])
    fr = result.functions["activations.relu"]
    # the flood is cut with one note and the values are still judged (a correct relu passes);
    # the cells ran while the module was imported: the import's output
    assert fr.passed and "(output cut at" in fr.import_output
    assert len(fr.import_output) < 20000


@pytest.mark.parametrize("content, message", [
    ("{not json", "Notebook '{nb}' is not valid JSON"),
    ('{"nbformat": 3, "cells": []}', "Notebook '{nb}' is not an nbformat 4 notebook (nbformat 3); "
                                      "save it from Jupyter 4 or later."),
    ('[1, 2]', "Notebook '{nb}' is not an nbformat 4 notebook (nbformat None)"),
])
def test_bad_notebook_is_one_line_naming_it(tmp_path, content, message):
    nb = tmp_path / "activations.ipynb"
    nb.write_text(content)
    result = CliRunner().invoke(cli, ["grade", str(nb)])
    assert result.exit_code == 2        # a submission that is not what it should be (README)
    error = [line for line in result.output.strip().splitlines() if line.startswith("Error: ")]
    assert len(error) == 1 and error[0].startswith("Error: " + message.format(nb=nb))
    assert result.output.startswith("Error: ") and "Usage:" not in result.output   # the reason alone


def test_too_big_notebook_is_refused(tmp_path, monkeypatch):
    import grader.notebooks

    monkeypatch.setattr(grader.notebooks, "MAX_NOTEBOOK_BYTES", 1000)
    nb = notebook(tmp_path / "activations.ipynb", "x = '" + "a" * 2000 + "'")
    with pytest.raises(ChainruleError, match=r"is 0\.0 MB; a notebook may be at most 0 MB"):
        grade_submission(str(nb))


def test_missing_notebook_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["grade", str(tmp_path / "nope.ipynb")])
    assert result.exit_code == 2
    assert (f"Error: Notebook '{tmp_path / 'nope.ipynb'}' does not exist; pass a notebook, a folder of "
            "notebooks or a folder laid out like exercises/.") in result.output


def test_folder_of_unrelated_notebooks_is_refused(tmp_path):
    notebook(tmp_path / "scratch.ipynb", "x = 1")
    with pytest.raises(ChainruleError, match=r"has no notebook of a contract module \(activations.ipynb, "):
        grade_submission(str(tmp_path))


def test_grading_a_notebook_imports_no_nbformat_sympy_or_jinja2(filled_folder):
    code = ("import sys; from grader import grade_submission; import grader.reports; "
            f"grade_submission({str(filled_folder / 'network.ipynb')!r}); "
            "print(sorted(m for m in ('nbformat', 'sympy', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_clean_cell_leaves_python_alone_and_blanks_ipython_syntax():
    from grader.notebooks import clean_cell

    assert clean_cell('s = ("abc %s"\n% 3)\nx = 1', "c") == ('s = ("abc %s"\n% 3)\nx = 1', [])
    code, notes = clean_cell('%matplotlib inline\n!pip install \\\n  numpy\nx = !ls\nsigmoid?\n'
                             'import numpy as np\ncheck("a.b")', "hw.ipynb, cell 2")
    assert code == "\n\n\n\n\nimport numpy as np\n"            # line numbers kept
    assert notes == ["hw.ipynb, cell 2, line 1: skipped %matplotlib inline (IPython syntax)",
                     "hw.ipynb, cell 2, line 2: skipped !pip install \\ (IPython syntax)",
                     "hw.ipynb, cell 2, line 4: skipped x = !ls (IPython syntax)",
                     "hw.ipynb, cell 2, line 5: skipped sigmoid? (IPython syntax)"]
    assert clean_cell('from chainrule.notebook import check\ncheck("a.b")\n', "c") == (None, [])
    assert clean_cell("x = 1; check('a.b')", "c") == ("x = 1; check('a.b')", [])


def test_odd_cells_are_reported_not_crashed_on(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "x = '\ud800'\n", "y = 1\x00\n", "def f(:\n", RELU)
    data = json.loads(nb.read_text())
    data["cells"].append({"cell_type": "code", "source": 42, "metadata": {}, "outputs": []})
    data["cells"].append("not a cell")
    nb.write_text(json.dumps(data))
    result = grade_submission(str(nb), only=["activations.relu"])
    fr = result.functions["activations.relu"]
    assert fr.passed
    notes = "\n".join(result.notes)
    assert re.search(re.escape(f"{nb}, cell 4: raised ") + r"(SyntaxError|ValueError): source code string "
                     "cannot contain null bytes", notes)      # which one depends on the Python
    assert f"{nb}, cell 5, line 1: raised SyntaxError: invalid syntax" in notes
    assert f"{nb}, cell 7, line 1: raised NameError" not in notes     # 42 is a valid cell


def test_a_linked_notebook_in_a_folder_is_refused(tmp_path):
    target = notebook(tmp_path / "elsewhere.ipynb", AS_FLOAT, RELU)
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "activations.ipynb").symlink_to(target)
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(folder))
    assert str(info.value) == (f"Notebook '{folder / 'activations.ipynb'}' is a symbolic link; submit the "
                               "notebook itself.")


FORWARD = ("def forward(x, W1, b1, W2, b2):\n    h = sigmoid(as_float(x) @ W1 + b1)\n"
           "    return h, sigmoid(h @ W2 + b2)\n")


def test_a_notebook_imports_another_notebooks_function_by_its_module_name(tmp_path):
    """In a notebooks folder, network.ipynb's ``from activations import sigmoid`` gets the
    sigmoid of activations.ipynb, the one graded (its cells run once)."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    notebook(folder / "activations.ipynb", AS_FLOAT, "print('activations cells ran')\n" + SIGMOID)
    notebook(folder / "network.ipynb", AS_FLOAT, "from activations import sigmoid\n", FORWARD)
    result = grade_submission(str(folder), only=["activations.sigmoid", "network.forward"], seed=3)
    assert result.functions["network.forward"].passed, result.functions["network.forward"].cases[0].message
    # its cells ran once, while activations was imported (for sigmoid, graded first)
    printed = "".join(f.import_output + f.output for f in result.functions.values())
    assert printed.count("activations cells ran") == 1
    assert "activations cells ran" in result.functions["activations.sigmoid"].import_output
    # a wrong sigmoid there is traced to its notebook as for modules
    notebook(folder / "activations.ipynb", AS_FLOAT, SIGMOID.replace("-x", "x"))
    result = grade_submission(str(folder), only=["activations.sigmoid", "network.forward"], seed=3)
    assert result.functions["network.forward"].depends_on == ["activations.sigmoid"]


def test_what_a_module_printed_is_shown_beside_its_not_implemented_functions(tmp_path):
    """A cell that failed leaves the skeleton's TODO in place: the report says why."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    notebook(folder / "activations.ipynb", AS_FLOAT, SIGMOID)
    skeleton = "def forward(x, W1, b1, W2, b2):\n    raise NotImplementedError\n"
    notebook(folder / "network.ipynb", AS_FLOAT, skeleton, "from activations import sigmod\n" + FORWARD)
    result = grade_submission(str(folder), only=["network.forward"], seed=3)
    assert result.functions["network.forward"].not_implemented
    from grader.reports import render

    where = f"{folder / 'network.ipynb'}, cell 4, line 1: raised ImportError: cannot import name 'sigmod'"
    text = render(result, "text")
    lines = text.splitlines()
    at = lines.index("Running your notebook's cells:")
    assert lines[at + 1].startswith(f"  {where}")
    assert f"\n{where}" in render(result, "markdown")
    gradescope = json.loads(render(result, "gradescope"))
    assert f"Running your notebook's cells:\n{where}" in gradescope["output"]


def test_a_cell_too_deep_to_parse_is_reported_and_the_grade_goes_on(tmp_path):
    # ``y = ---...---1`` 100000 deep: ast.parse raises MemoryError (not SyntaxError); it
    # once ended ``chainrule grade`` with "internal error: MemoryError" and no report
    deep = "y = " + "-" * 100000 + "1\n"
    nested = "z = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, deep, SIGMOID, nested, "%time\n" + deep)
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    fr = result.functions["activations.sigmoid"]
    assert fr.passed, fr.cases[0].message
    notes = "\n".join(result.notes)
    assert f"{nb}, cell 5, line 1: raised SyntaxError: too many nested parentheses" in notes
    for cell in (3, 6):     # cell 1 is the Markdown cell
        assert (f"{nb}, cell {cell}: does not parse (nested too deeply for Python's parser); it did not "
                "run (the cells after it still ran)") in notes, notes
    out = CliRunner().invoke(cli, ["grade", str(nb), "--only", "activations.sigmoid"])
    assert out.exit_code == 0, out.output
    assert "PASS  sigmoid" in out.output


def test_grade_all_grades_a_class_of_notebook_submissions(built, filled_folder, tmp_path):
    """Session 7's trial: a notebook course could grade one student at a time only; grade-all
    found "no exercise module (activations.py, ...)" in every notebook submission."""
    import csv
    import shutil

    subs = tmp_path / "subs"
    shutil.copytree(filled_folder, subs / "kim")                        # notebooks at the top
    shutil.copytree(filled_folder, subs / "lee" / "repo" / "exercises")  # a repository, one folder down
    shutil.copytree(built, subs / "park")                              # the notebooks untouched
    only = ["--only", "activations"]
    result = CliRunner().invoke(cli, ["grade-all", str(subs), "--out", str(tmp_path / "out"), *only])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    points = sum(POINTS[f"activations.{n}"] for n in CONTRACT["activations"])
    assert float(rows["kim"][-2]) == points and float(rows["lee"][-2]) == points
    assert float(rows["park"][-2]) == 0
