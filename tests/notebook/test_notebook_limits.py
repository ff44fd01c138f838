"""A hostile notebook costs its own limits, never the grading process's: found by a student
attack (session 8) on the notebook path, which runs in the unconfined parent before any
child exists."""

import json
import shutil
import time
import tracemalloc

import pytest

from chainrule_core.errors import ChainruleError
from grader import grade_submission
from grader.notebooks import MAX_CODE_CELLS, clean_cell, convert, notebook_module, read_notebook
from tests.notebook.test_grade_notebooks import AS_FLOAT, SIGMOID, notebook


def test_a_long_line_that_does_not_parse_is_no_regex_trap():
    # 40,000 spaces then junk: the magic-line pattern took 10.7 s a pass (quadratic)
    source = " " * 40000 + "@@@ not python\nx = 1\n"
    start = time.process_time()
    code, notes = clean_cell(source, "cell 1")
    assert time.process_time() - start < 0.5
    assert code == source and notes == []
    # a real magic line is still left out
    code, notes = clean_cell("%timeit f(1)\nx = 1\n", "cell 2")
    assert code == "\nx = 1\n" and notes == ["cell 2, line 1: skipped %timeit f(1) (IPython syntax)"]


def test_a_huge_cell_is_not_parsed_here():
    # a 2 MB cell took a gigabyte of this process's memory to parse (ast.parse)
    source = "x = [" + "0," * 1_000_000 + "]\n%timeit x\n"
    tracemalloc.start()
    try:
        code, notes = clean_cell(source, "cell 1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == source and notes == []        # the child reports its syntax error
    assert peak < 20 * 2 ** 20


def test_too_many_code_cells_are_refused_naming_the_notebook(tmp_path):
    path = notebook(tmp_path / "activations.ipynb", *(["x = 1"] * (MAX_CODE_CELLS + 1)))
    with pytest.raises(ChainruleError) as caught:
        convert(str(path))
    assert str(caught.value) == (f"Notebook '{path}' has {MAX_CODE_CELLS + 1} code cells; a notebook may have at "
                                 f"most {MAX_CODE_CELLS} (merge cells or leave out what is not the exercise).")


def test_many_magic_lines_give_a_bounded_list_of_notes(tmp_path):
    path = notebook(tmp_path / "activations.ipynb", AS_FLOAT + SIGMOID + "%time x\n" * 5000)
    result = grade_submission(str(path), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed
    assert len(result.notes) == 21
    assert result.notes[-1] == f"{path}: 4980 more lines of IPython syntax skipped"


@pytest.mark.parametrize("what", ["big integer", "list module", "odd name"])
def test_odd_notebooks_are_refused_or_graded_never_a_crash(tmp_path, what):
    if what == "big integer":
        path = tmp_path / "activations.ipynb"
        path.write_text('{"nbformat": 4, "cells": [], "x": ' + "9" * 5000 + "}")
        with pytest.raises(ChainruleError, match=r"^Notebook '.*' is not valid JSON \(Exceeds the limit"):
            read_notebook(str(path))
    elif what == "list module":
        nb = {"nbformat": 4, "cells": [], "metadata": {"chainrule": {"module": ["activations"]}}}
        assert notebook_module(nb, "mine.ipynb") is None
        assert notebook_module(nb, "activations.ipynb") == "activations"
    else:
        folder = tmp_path / "sub"
        folder.mkdir()
        name = "\udcff\x1b[31m.ipynb"
        notebook(folder / "x.ipynb", AS_FLOAT + SIGMOID, metadata={"chainrule": {"module": "activations"}})
        (folder / "x.ipynb").rename(folder / name)
        result = grade_submission(str(folder), only=["activations.sigmoid"])
        assert result.functions["activations.sigmoid"].passed


def test_the_seed_follows_the_notebook_not_the_path_or_the_timeout(tmp_path):
    (tmp_path / "a").mkdir()
    one = notebook(tmp_path / "a" / "activations.ipynb", AS_FLOAT + SIGMOID)
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    two = tmp_path / "b" / "deeper" / "activations.ipynb"
    shutil.copy(one, two)
    seeds = {grade_submission(str(one), only=["activations.sigmoid"]).seed,
             grade_submission(str(two), only=["activations.sigmoid"], timeout=4).seed,
             grade_submission(str(tmp_path / "b" / "deeper"), only=["activations.sigmoid"]).seed}
    assert len(seeds) <= 2      # the file alone, and the folder holding it (its files: the same)
    assert grade_submission(str(one), only=["activations.sigmoid"]).seed == \
        grade_submission(str(two), only=["activations.sigmoid"], timeout=4).seed
    changed = json.loads(one.read_text())
    changed["cells"][1]["source"] += "\n# changed\n"
    one.write_text(json.dumps(changed))
    assert grade_submission(str(one), only=["activations.sigmoid"]).seed != \
        grade_submission(str(two), only=["activations.sigmoid"]).seed
