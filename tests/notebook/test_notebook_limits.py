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


def test_a_16_mb_script_of_small_plotting_cells_is_analysed_only_up_to_its_budget(tmp_path, monkeypatch):
    # review 16, item 4: 1000 cells of 16 KB each cost the parent a minute (each parsed twice and
    # analysed); now the parent parses at most MAX_ANALYSED_BYTES of a submission's cells, once
    import ast
    from grader.limits import MAX_ANALYSED_BYTES, MAX_NOTEBOOK_BYTES
    from grader.notebooks import write_cells

    body = "".join(f"    w{j} = w + 1; ax.plot(w{j}); plt.title(str(e))\n" for j in range(330))
    text = "# %%\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n" + ("# %%\nfor e in range(3):\n" + body) * 999
    assert 15 * 2 ** 20 < len(text) <= MAX_NOTEBOOK_BYTES
    parsed, parse = [], ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *args, **kwargs: parsed.append(len(source)) or parse(
        source, *args, **kwargs))
    start = time.perf_counter()
    names, _notes, _plotting, _mark = write_cells(str(tmp_path), "script", [("activations.pct.py", text)], "",
                                                  script=True)
    took = time.perf_counter() - start
    assert len(names) == 999 and sum(parsed) <= MAX_ANALYSED_BYTES and len(parsed) == 1 + MAX_ANALYSED_BYTES // (
        len(body) + len("for e in range(3):\n"))
    assert took < 20, took      # about 3 s here, a minute before


def test_a_cell_past_a_submissions_budget_runs_as_written_and_the_smaller_cells_after_it_are_still_cleaned(tmp_path):
    # review 16b: the first cell that did not fit left every cell after it uncleaned, so that
    # data cells spending the budget made an honest notebook's plotting cells fail
    from grader.limits import MAX_ANALYSED_BYTES, MAX_CLEAN_BYTES

    filler = "# a long comment\n" * (MAX_CLEAN_BYTES // 20)        # a cell the parent parses
    cells = ["import matplotlib.pyplot as plt\n" + AS_FLOAT]
    cells += [filler] * (MAX_ANALYSED_BYTES // len(filler) + 1)     # the last one is past the budget
    cells += ["plt.plot([1])\n", SIGMOID]
    assert MAX_ANALYSED_BYTES % len(filler) > len(cells[-2])       # the plotting cell fits in what is left
    path = notebook(tmp_path / "activations.ipynb", *cells)
    result = grade_submission(str(path), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed
    late = len(cells)       # the plotting cell: numbered from 1 after the Markdown cell
    assert result.notes == [
        f"{path}, cell {late - 1}: not checked for IPython syntax, plotting and display code (the grader checks at "
        "most 1 MB of a submission's code cells, and this one did not fit); it ran as written",
        f"{path}: left out the plotting (cell 2, line 1; cell {late}, line 1): grading runs with NumPy and the "
        "standard library only, without matplotlib; the plots still show when you run it yourself"]


def test_the_cells_past_a_submissions_budget_are_said_in_one_note(tmp_path):
    from grader.limits import MAX_ANALYSED_BYTES, MAX_CLEAN_BYTES
    from grader.notebooks import Analysis, write_cells

    filler = "# a long comment\n" * (MAX_CLEAN_BYTES // 20)
    cells = [(f"cell{i}.py", filler) for i in range(MAX_ANALYSED_BYTES // len(filler) + 3)]
    analysis = Analysis()
    _names, numbers, _plotting, _mark = write_cells(str(tmp_path), "nb", cells, "hw.ipynb", analysis=analysis)
    from grader.notebooks import _RUNS
    import os
    notes = [_RUNS[os.path.realpath(str(tmp_path))].notes[n] for n in numbers]
    first = MAX_ANALYSED_BYTES // len(filler)
    assert notes == [f"hw.ipynb, cell{first}.py and 2 other cells: not checked for IPython syntax, plotting and "
                     "display code (the grader checks at most 1 MB of a submission's code cells, and these did not "
                     "fit); they ran as written"]
    assert 0 <= analysis.left < len(filler)


def test_the_tracing_of_calls_reads_at_most_a_modules_size_of_a_notebooks_cells(tmp_path, monkeypatch):
    # review 16, item 4: grader.calls parsed every cell file of a converted notebook in the
    # parent (about 30 s and 1.8 GB for 16 MB of cells); now as much as it reads of a module
    import ast
    from grader import calls

    cell = "# a comment the parser reads\n" * (2 ** 18 // 30)
    path = notebook(tmp_path / "activations.ipynb", AS_FLOAT, *([cell] * 16), SIGMOID)
    converted = convert(str(path))
    try:
        parsed, parse = [], ast.parse
        monkeypatch.setattr(ast, "parse", lambda source, *args, **kwargs: parsed.append(len(source)) or parse(
            source, *args, **kwargs))
        trees = calls._parse(converted.folder)
    finally:
        converted.cleanup()
    assert 16 * len(cell) > 3 * calls.MAX_FILE_BYTES
    assert sum(parsed) < 1.5 * calls.MAX_FILE_BYTES, sum(parsed)
    assert not any(isinstance(node, ast.FunctionDef) for node in trees["_notebook"].body)
