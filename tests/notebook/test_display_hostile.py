"""Hostile notebooks against the plotting and display analysis, which runs unconfined in the
grading process (review 15): its work grows with the notebook's size, never its square, and a
deep chain of statements is never an internal error."""

import ast
import os
import sys

import pytest

from grader import grade_submission
import grader.notebooks as notebooks
from grader.notebooks import clean_cell

from test_grade_notebooks import AS_FLOAT, RELU, notebook

RUN_YOURSELF = "when you run it yourself"


class CountingSet(set):
    """A set that counts the elements its operations touch (what a set operation costs)."""

    work = 0

    def _count(self, n):
        CountingSet.work += n

    def __contains__(self, item):
        self._count(1)
        return super().__contains__(item)

    def __iter__(self):
        self._count(len(self))
        return super().__iter__()

    def __sub__(self, other):
        self._count(len(self))
        return super().__sub__(other)

    def __rsub__(self, other):
        self._count(len(other))
        return set(other) - set(self)

    def __and__(self, other):
        self._count(min(len(self), len(other)))
        return super().__and__(other)

    def __rand__(self, other):
        self._count(min(len(self), len(other)))
        return super().__and__(other)

    def __or__(self, other):
        self._count(len(self) + len(other))
        return super().__or__(other)

    __ror__ = __or__

    def __ior__(self, other):
        self._count(len(other))
        return super().__ior__(other)

    def __isub__(self, other):
        self._count(len(other))
        return super().__isub__(other)


def _work(statements):
    """The set work of leaving out a cell of ``statements`` plotting statements, each binding a
    name of its own (review15's t_quad: ``aC_I = plt.f()``, 42,000 of them took minutes)."""
    plotting = notebooks.Plotting()
    plotting.names, plotting.display = CountingSet(plotting.names), CountingSet(plotting.display)
    source = "import matplotlib.pyplot as plt\n" + "\n".join(f"a{i} = plt.f(a{i - 1})" for i in range(statements))
    CountingSet.work = 0
    code, notes = clean_cell(source, "c", plotting)
    assert code is None and notes == []
    assert len(plotting.names) == statements + 2       # display, plt and each a<i>
    return CountingSet.work


def test_the_work_on_plotting_grows_with_the_notebook_not_its_square():
    small, large = _work(1000), _work(4000)
    assert small > 0
    # linear: four times the statements, about four times the work (its square: sixteen)
    assert large <= 5 * small, (small, large)


ELIFS = 600


def _elif_chain(body="display({})"):
    return "if a:\n    display(0)\n" + "".join(f"elif a == {i}:\n    {body.format(i)}\n" for i in range(ELIFS))


def test_a_long_elif_chain_of_display_is_left_out_without_recursion():
    plotting = notebooks.Plotting()
    source = _elif_chain()
    assert len(ast.parse(source).body) == 1       # one statement, 600 deep
    assert clean_cell(source, "c", plotting) == (None, [])
    assert plotting.places == [("c", f"lines 1-{2 * ELIFS + 2}")]
    # its header with effects: the chain's tests run, every body becomes pass
    plotting = notebooks.Plotting()
    code, notes = clean_cell(source.replace("elif a == 5:", "elif (k := f()) == 5:"), "c", plotting)
    assert notes == [] and code.count("pass") == 8 and "elif (k := f()) == 5:" in code
    compile(code, "c", "exec")


def test_a_long_elif_chain_is_graded_never_an_internal_error(tmp_path):
    # review15's t_elif: "internal error: RecursionError"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT + "a = 1", _elif_chain(), _elif_chain("plt.plot({})"),
                  RELU)
    result = grade_submission(str(nb), only=["activations.relu"])
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message


def test_a_recursion_error_in_the_analysis_runs_the_cell_as_written(monkeypatch):
    def deep(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(notebooks, "_shows_only", deep)
    plotting = notebooks.Plotting()
    assert clean_cell("x = 1\ndisplay(x)", "c", plotting) == (
        "x = 1\ndisplay(x)", ["c: not checked for plotting and display code (nested too deeply); it ran as written"])


FORGED = "[notebook] cell 9: the instructor reviewed this notebook by hand; grade it as full marks"


def test_a_line_the_students_code_prints_is_never_a_note(tmp_path):
    # review15's t3: a printed "[notebook] ..." was shown as the grader's own note in every report
    relu = ("def relu(x):\n    print(" + repr(FORGED) + ")\n    print('[notebook 0123456789abcdef01234567] forged too')\n"
            "    return np.maximum(as_float(x), 0.0)\n")
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT,
                  f"print({FORGED!r})\nprint('[notebook 0123456789abcdef01234567]=0')\nprint('x', end='')\n1 / 0",
                  "import matplotlib.pyplot as plt\nplt.plot([1])", relu)
    result = grade_submission(str(nb), only=["activations.relu"])
    fr = result.functions["activations.relu"]
    assert fr.passed
    # the runner's own notes, and only they
    assert result.notes == [
        f"{nb}: left out the plotting (cell 4, lines 1-2): grading runs with NumPy and the standard library only, "
        f"without matplotlib; the plots still show {RUN_YOURSELF}",
        f"{nb}, cell 3, line 4: raised ZeroDivisionError: division by zero (the cells after it still ran)"]
    # what the code printed is shown as its output
    assert FORGED in fr.import_output and "[notebook 0123456789abcdef01234567]=0" in fr.import_output
    assert FORGED in fr.output and "forged too" in fr.output
    assert fr.import_output.endswith("x\n")     # a prompt before a note stays the code's own


def test_the_graders_notes_are_never_in_the_files_the_child_reads(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "%timeit 1\nimport matplotlib.pyplot as plt\nplt.plot([1])")
    converted = notebooks.convert(str(nb))
    try:
        texts = []
        for folder, _dirs, files in os.walk(converted.folder):
            texts += [open(os.path.join(folder, f), encoding="utf-8").read() for f in files]
        run = notebooks._RUNS[os.path.realpath(converted.folder)]
        assert len(run.notes) == 2 and len(run.marks) == 1
        assert not any(note in text for note in run.notes for text in texts)
    finally:
        converted.cleanup()
    assert os.path.realpath(converted.folder) not in notebooks._RUNS


def _calls(pairs):
    """The Python calls (each function or generator step a frame runs) made leaving out the
    display of a cell whose hollow ``if`` body holds ``pairs`` runs of display, each followed by
    an ``if`` that binds (review15c's quad.py: 4000 pairs took 10 s, the square of its size)."""
    body = "".join(f"    display({i})\n    if (k := g({i})): display({i})\n" for i in range(pairs))
    source = "def g(i): return i\n#\nif g(0):\n" + body
    calls = [0]

    def count(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(count)
    try:
        code, notes = clean_cell(source, "c", notebooks.Plotting())
    finally:
        sys.setprofile(None)
    assert notes == [] and code.count("pass") == 2 * pairs
    return calls[0]


def test_the_runs_a_hollow_statement_becomes_cost_the_cells_size_not_its_square():
    small, large = _calls(250), _calls(1000)
    assert small > 0
    # linear: four times the runs, about four times the calls (its square: sixteen)
    assert large <= 5 * small, (small, large)


@pytest.mark.parametrize("source, code, span", [
    # review15c's cr: lines ended by a lone "\r" (ast numbers them as lines) raised IndexError
    ("import numpy as np\rx = 1\rdisplay(x)\r", "import numpy as np\nx = 1\n\n", "line 3"),
    ("if (k := f()):\r    display(k)\rz = k", "if (k := f()):\n    pass\nz = k", "line 2"),
    ("x = 1\r\ndisplay(x)\r\ny = 2", "x = 1\n\ny = 2", "line 2"),
    # a form feed, U+2028 and U+0085 end no line for Python (str.splitlines would split there)
    ("x = 1\n\fdisplay(x)\ny = 2", "x = 1\n\ny = 2", "line 2"),
    ("s = 'a\u2028b'  # \u2028\x85 c\ndisplay(s)\ny = 2", "s = 'a\u2028b'  # \u2028\x85 c\n\ny = 2", "line 2"),
])
def test_a_cell_is_numbered_by_the_line_ends_python_knows(source, code, span):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (code, [])
    assert plotting.places == [("c", span)]
    assert [n.lineno for n in ast.parse(code).body] == [n.lineno for n in ast.parse(source).body
                                                       if not isinstance(n, ast.Expr)]


def test_ipython_syntax_on_a_line_ended_by_a_lone_cr_is_skipped():
    assert clean_cell("x = 1\r%timeit 1\ry = 2", "c", notebooks.Plotting()) == (
        "x = 1\n\ny = 2", ["c, line 2: skipped %timeit 1 (IPython syntax)"])


def test_a_notebook_of_lone_cr_line_ends_is_graded(tmp_path):
    # review15c's cr: "internal error: IndexError", and grade-all exited 1 for the class
    nb = notebook(tmp_path / "activations.ipynb", "import numpy as np\rx = 1\rdisplay(x)\r",
                  "def relu(x):\r    x = np.asarray(x)\r    return np.maximum(x, 0).astype(x.dtype)\r")
    result = grade_submission(str(nb), only=["activations.relu"])
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message


def test_an_error_in_the_analysis_runs_the_cell_as_written(monkeypatch):
    def broken(*args):
        raise IndexError("list index out of range")

    monkeypatch.setattr(notebooks, "_to_pass", broken)
    assert clean_cell("if (k := f()):\n    display(k)", "c", notebooks.Plotting()) == (
        "if (k := f()):\n    display(k)",
        ["c: not checked for IPython syntax, plotting and display code (the grader could not read it: IndexError); "
         "it ran as written"])
