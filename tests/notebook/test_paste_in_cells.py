"""A notebook's paste-in cell left as it was must not hide the functions the student wrote.

``network.ipynb`` has a cell for the student's ``sigmoid`` (from the activations notebook),
``losses.ipynb`` one for ``softmax``: left untouched, it raises NotImplementedError, and so
does every function calling it. Session 8's trial: ``forward``, written in full, was reported
"not implemented yet ... the TODO is not filled in yet" and grade-all counted it under "Not
implemented". The report must name the paste-in cell instead.
"""

import ast
import copy
import json
import shutil

from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, POINTS
from grader import grade_submission
from nb_helpers import reference_source


def _defines(cell):
    """The name of the one function a code cell defines, or None."""
    if cell.cell_type != "code":
        return None
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return None
    return body[0].name if len(body) == 1 and isinstance(body[0], ast.FunctionDef) else None


def written(nb, module, also=()):
    """``nb`` with the reference pasted into the skeleton cells of ``module``'s own functions
    (and of the names in ``also``); every other cell as built."""
    nb = copy.deepcopy(nb)
    wanted = set(CONTRACT[module]) | set(also)
    for cell in nb.cells:
        name = _defines(cell)
        if name in wanted and "raise NotImplementedError" in cell.source:
            cell.source = reference_source(name).rstrip("\n")
    return nb


def paste_in_cell(nb, name):
    """The number (from 1, over every cell, as Jupyter counts them) of the cell where the
    builder asks for the student's ``name``: the code cell after the Markdown cell that
    says to paste it, which defines ``name`` and raises NotImplementedError."""
    for number, cell in enumerate(nb.cells, 1):
        before = nb.cells[number - 2] if number > 1 else None
        if (_defines(cell) == name and "raise NotImplementedError" in cell.source
                and before is not None and before.cell_type == "markdown" and "paste your" in before.source):
            return number
    raise AssertionError(f"no paste-in cell for {name}")


def write(nbformat, nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def hint(caller, name, where, through=""):
    return (f"{caller} calls {name}{through}, whose cell ({where}) still raises NotImplementedError: paste your "
            f"{name} from the activations notebook into that cell, then {caller} can be graded.")


def test_a_written_function_calling_an_untouched_paste_in_cell_names_the_cell(built, nbformat, tmp_path):
    built_nb = nbformat.read(str(built / "network.ipynb"), as_version=4)
    cell = paste_in_cell(built_nb, "sigmoid")
    path = write(nbformat, written(built_nb, "network"), tmp_path / "nb" / "network.ipynb")
    where = f"{path}, cell {cell}"

    result = CliRunner().invoke(cli, ["grade", str(path)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "not implemented" not in text.lower(), text
    assert "the TODO is not filled in" not in text
    assert f"  FAIL  forward         0/2  waits for your sigmoid: paste it into {where}\n" in text
    assert f"  FAIL  backward        0/4  waits for your sigmoid: paste it into {where}\n" in text
    assert f"  FAIL  train_step      0/3  waits for your sigmoid: paste it into {where}\n" in text
    assert "\n  " + hint("forward", "sigmoid", where) + "\n" in text
    # backward calls forward, train_step backward: the cell to paste into is the same
    assert "\n  " + hint("backward", "sigmoid", where, " (through forward)") + "\n" in text
    assert "\n  " + hint("train_step", "sigmoid", where, " (through backward and forward)") + "\n" in text

    report = json.loads(CliRunner().invoke(cli, ["grade", str(path), "--format", "json"]).stdout)
    for fn in report["functions"]:
        assert {c["status"] for c in fn["cases"]} == {"error"}, fn["name"]
        for case in fn["cases"]:    # the inputs line, then what is wrong
            assert case["message"].split("\n")[1:] == [
                f"not graded: the sigmoid it calls still raises NotImplementedError ({where})"]
        assert [d["name"] for d in fn["diagnoses"]] == ["unpasted-sigmoid"]
        assert fn["diagnoses"][0]["kind"] == "dependency"      # not a mistake of the function itself


def test_pasting_the_function_into_the_named_cell_gives_full_marks(built, nbformat, tmp_path):
    """What the message says to do is enough: the same notebook with sigmoid pasted there."""
    built_nb = nbformat.read(str(built / "network.ipynb"), as_version=4)
    nb = written(built_nb, "network")
    nb.cells[paste_in_cell(built_nb, "sigmoid") - 1].source = reference_source("sigmoid")
    result = grade_submission(str(write(nbformat, nb, tmp_path / "network.ipynb")))
    points = sum(POINTS[f"network.{n}"] for n in CONTRACT["network"])
    assert result.score == points, [(q, f.cases[0].message) for q, f in result.functions.items() if not f.passed]


def test_losses_softmax_crossentropy_grad_names_the_softmax_cell(built, nbformat, tmp_path):
    built_nb = nbformat.read(str(built / "losses.ipynb"), as_version=4)
    cell = paste_in_cell(built_nb, "softmax")
    path = write(nbformat, written(built_nb, "losses"), tmp_path / "losses.ipynb")
    result = grade_submission(str(path), only=["losses.softmax_crossentropy_grad", "losses.mean_squared_error"])
    fr = result.functions["losses.softmax_crossentropy_grad"]
    assert not fr.not_implemented and not fr.passed
    assert fr.hints()[0][0].hint == hint("softmax_crossentropy_grad", "softmax", f"{path}, cell {cell}")
    assert result.functions["losses.mean_squared_error"].passed     # it calls no softmax


def test_a_function_whose_own_todo_is_left_is_still_not_implemented(built, nbformat, tmp_path):
    """forward left as built (its own raise NotImplementedError) with the sigmoid cell also
    untouched: forward is not implemented, and the functions calling it wait for it."""
    built_nb = nbformat.read(str(built / "network.ipynb"), as_version=4)
    nb = written(built_nb, "network")
    forward = next(i for i, c in enumerate(built_nb.cells) if _defines(c) == "forward")
    nb.cells[forward].source = built_nb.cells[forward].source
    result = CliRunner().invoke(cli, ["grade", str(write(nbformat, nb, tmp_path / "network.ipynb"))])
    assert "  TODO  forward         0/2  not implemented yet\n" in result.output
    assert "  TODO  backward        0/4  waits for forward (not implemented yet)\n" in result.output
    assert "paste" not in result.output


def test_a_folder_of_notebooks_names_the_cell_of_the_notebook_that_calls_it(built, nbformat, tmp_path):
    """In a folder each notebook runs on its own: sigmoid written in activations.ipynb does
    not reach network.ipynb, whose own sigmoid cell still raises."""
    folder = tmp_path / "nbs"
    built_net = nbformat.read(str(built / "network.ipynb"), as_version=4)
    write(nbformat, written(built_net, "network"), folder / "network.ipynb")
    write(nbformat, written(nbformat.read(str(built / "activations.ipynb"), as_version=4), "activations"),
          folder / "activations.ipynb")
    result = grade_submission(str(folder), only=["activations.sigmoid", "network.forward"])
    assert result.functions["activations.sigmoid"].passed
    fr = result.functions["network.forward"]
    where = f"{folder / 'network.ipynb'}, cell {paste_in_cell(built_net, 'sigmoid')}"
    assert fr.hints()[0][0].hint == hint("forward", "sigmoid", where)
    assert fr.depends_on == []      # not activations.sigmoid, which passes


def test_check_in_the_kernel_names_the_cell_it_ran(built, nbformat):
    """``check("network.forward")`` grades the kernel's history: the cell is its In [n]."""
    from chainrule.notebook import grade_sources

    nb = written(nbformat.read(str(built / "network.ipynb"), as_version=4), "network")
    sources, n = [], 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            n += 1
            sources.append((f"In [{n}]", cell.source))
    stub = next(label for label, source in sources if source.lstrip().startswith("def sigmoid"))
    res = grade_sources(sources, ["network.forward"], "network.ipynb")
    assert f"  FAIL  forward         0/2  waits for your sigmoid: paste it into {stub}\n" in res.text
    assert hint("forward", "sigmoid", stub) in res.text


def test_grade_all_does_not_count_it_as_not_implemented(built, nbformat, tmp_path):
    built_nb = nbformat.read(str(built / "network.ipynb"), as_version=4)
    subs = tmp_path / "subs"
    write(nbformat, written(built_nb, "network"), subs / "kim" / "network.ipynb")      # sigmoid cell untouched
    (subs / "park").mkdir()
    shutil.copy(built / "network.ipynb", subs / "park" / "network.ipynb")                # not started
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["grade-all", str(subs), "--out", str(out), "--only", "network"])
    assert result.exit_code == 0, result.output
    rows = {}
    for line in (out / "summary.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].startswith("`network."):
            rows[cells[0].strip("`")] = cells
    # | Function | Points | Full marks | Not implemented | ...: park's untouched notebook only
    assert {name: cells[3] for name, cells in rows.items()} == {
        "network.forward": "1", "network.backward": "1", "network.train_step": "1"}, rows
    kim = (out / "reports" / "kim.md").read_text()
    assert "not implemented" not in kim.lower()
    cell = paste_in_cell(built_nb, "sigmoid")
    # the notebook named from the submissions folder, whichever folder grade-all ran in
    assert f"| waits for your sigmoid: paste it into kim/network.ipynb, cell {cell} |" in kim
    assert str(tmp_path) not in kim


def _notebook(path, *sources):
    """A minimal nbformat-4 notebook: a Markdown cell (cell 1), then one code cell per source."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# network"}]
    cells += [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
               "source": s} for i, s in enumerate(sources)]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


AS_FLOAT = "import numpy as np\n\ndef as_float(x):\n    return np.asarray(x, dtype=float)\n"
SIGMOID_STUB = "def sigmoid(x):\n    # paste your sigmoid here\n    raise NotImplementedError\n"
SOFTMAX_STUB = "def softmax(x, axis=-1):\n    raise NotImplementedError\n"


def test_through_a_helper_and_two_cells_at_once(tmp_path):
    via_helper = _notebook(tmp_path / "a" / "network.ipynb", AS_FLOAT, SIGMOID_STUB,
                           "def act(z):\n    return sigmoid(z)\n",
                           reference_source("forward").replace("sigmoid(", "act("))
    fr = grade_submission(str(via_helper), only=["network.forward"]).functions["network.forward"]
    assert fr.hints()[0][0].hint == hint("forward", "sigmoid", f"{via_helper}, cell 3", " (through your helper act)")

    two = _notebook(tmp_path / "network.ipynb", AS_FLOAT, SIGMOID_STUB, SOFTMAX_STUB,
                    reference_source("forward").replace("return h, o", "return h, o + 0 * softmax(o)"))
    result = grade_submission(str(two), only=["network.forward"])
    fr = result.functions["network.forward"]
    assert fr.hints()[0][0].hint == (
        f"forward calls sigmoid and softmax, whose cells ({two}, cells 3 and 4) still raise NotImplementedError: "
        "paste your sigmoid and softmax from the activations notebook into those cells, then forward can be graded.")
    from grader.reports import render
    assert f"  FAIL  forward         0/2  waits for your sigmoid and softmax: paste them into {two}, cells 3 and 4\n" \
        in render(result, "text")


def test_a_percent_scripts_paste_in_cell_is_named_by_its_lines(tmp_path):
    # review 16, item 8: "whose cell (network.pct.py)" named the whole script
    forward = reference_source("forward")
    one = tmp_path / "network.pct.py"
    text = "# %%\n" + AS_FLOAT + "\n# %% [markdown]\n# Paste your sigmoid below.\n\n# %%\n" + SIGMOID_STUB + "\n# %%\n" + forward
    one.write_text(text)
    lines = text.split("\n")
    first = lines.index("def sigmoid(x):") + 1
    assert lines[first + 1] == "    raise NotImplementedError"      # its last line: first + 2
    result = grade_submission(str(one), only=["network.forward"])
    where = f"network.pct.py, the cell at lines {first}-{first + 2}"
    fr = result.functions["network.forward"]
    assert fr.hints()[0][0].hint == hint("forward", "sigmoid", where)
    assert fr.cases[0].message.endswith(f"not graded: the sigmoid it calls still raises NotImplementedError ({where})")
    from grader.reports import render
    assert f"  FAIL  forward         0/2  waits for your sigmoid: paste it into {where}\n" in render(result, "text")

    two = tmp_path / "two" / "network.pct.py"
    two.parent.mkdir()
    text = ("# %%\n" + AS_FLOAT + "\n# %%\n" + SOFTMAX_STUB + "\n# %%\n" + SIGMOID_STUB + "\n# %%\n"
            + forward.replace("return h, o", "return h, o + 0 * softmax(o)"))
    two.write_text(text)
    lines = text.split("\n")
    softmax, sigmoid = lines.index("def softmax(x, axis=-1):") + 1, lines.index("def sigmoid(x):") + 1
    fr = grade_submission(str(two), only=["network.forward"]).functions["network.forward"]
    assert fr.hints()[0][0].hint == (
        f"forward calls softmax and sigmoid, whose cells (network.pct.py, the cells at lines {softmax}-{softmax + 1} "
        f"and {sigmoid}-{sigmoid + 2}) still raise NotImplementedError: paste your softmax and sigmoid from the "
        "activations notebook into those cells, then forward can be graded.")
