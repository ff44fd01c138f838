"""Display code in a notebook (session 15): pandas' ``df.plot(...)`` / ``series.plot.hist()``,
IPython's ``display(...)`` (a builtin in Jupyter) and ``from IPython.display import display,
HTML`` with their uses were not left out of grading as matplotlib's plotting is (fix13b): each
was reported as not available or as a NameError. They are left out now, named in the one note
with the plotting. A statement that uses them is left out whatever else it does (while grading it
could not run: fix15a kept some, and their cells stopped there), but an ``if``, ``for`` or ``with``
header that binds or calls is kept, its display body made ``pass`` (review 15)."""

import pytest

from grader import grade_submission
import grader.notebooks as notebooks
from grader.notebooks import clean_cell

from test_grade_notebooks import AS_FLOAT, RELU, SIGMOID, notebook

RUN_YOURSELF = "when you run it yourself"


def test_pandas_plots_and_ipython_display_are_left_out_with_one_note(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb",
                  "import numpy as np\nfrom IPython.display import display, HTML",
                  "import pandas as pd",
                  AS_FLOAT + SIGMOID,
                  "xs = np.linspace(-5, 5, 11)\ndf = pd.DataFrame({'x': xs, 'y': sigmoid(xs)})",
                  "df.plot(x='x', y='y')\ndf['y'].plot.hist(bins=5)\nax = df.plot.scatter(x='x', y='y')\n"
                  "ax.set_title('sigmoid')",
                  "display(df.head())\nHTML('<b>sigmoid</b>')",
                  RELU)
    result = grade_submission(str(nb), only=["activations.sigmoid", "activations.relu"])
    assert result.functions["activations.sigmoid"].passed and result.functions["activations.relu"].passed
    assert result.notes == [
        f"{nb}: left out the plotting and display code (cell 2, line 2; cell 6, lines 1-4; cell 7, lines 1-2): "
        "grading runs with NumPy and the standard library only, without IPython and pandas; the plots and what "
        f"it displays still show {RUN_YOURSELF}",
        # pandas itself is data, not display: said to be missing, as scipy is
        f"{nb}, cell 3, line 1: raised ModuleNotFoundError: No module named 'pandas' (the cells after it still "
        "ran). Grading runs with NumPy and the standard library only: pandas is not available while grading, so "
        "the exercises may use only those",
        f"{nb}, cell 5, line 2: raised NameError: name 'pd' is not defined (the cells after it still ran)"]


def test_display_alone_is_named_as_display_code(tmp_path):
    # display() needs no import in Jupyter; IPython.display's other names do
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT + SIGMOID, "display(sigmoid(0.0))",
                  "import IPython.display as ipd\nipd.display(ipd.Markdown('**done**'))")
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed
    assert result.notes == [
        f"{nb}: left out the display code (cell 3, line 1; cell 4, lines 1-2): grading runs with NumPy and the "
        f"standard library only, without IPython; what it displays still shows {RUN_YOURSELF}"]


def test_a_display_the_notebook_defines_itself_runs(tmp_path):
    """A name the notebook binds itself is its own code, not IPython's: display() defined in a
    cell runs, and what it sets is there for the graded function."""
    own = "SHOWN = []\n\ndef display(value):\n    SHOWN.append(value)"
    scaled = "def sigmoid(x):\n    x = as_float(x)\n    return SHOWN[0] / (1 + np.exp(-x))"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, own, "display(1.0)", scaled)
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed, result.functions["activations.sigmoid"].cases[0].message
    assert result.notes == []


def test_display_in_a_graded_function_or_a_mixed_import_says_why_it_fails(tmp_path):
    relu = "def relu(x):\n    display(x)\n    return np.maximum(as_float(x), 0.0)"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "import json, IPython.display", relu)
    result = grade_submission(str(nb), only=["activations.relu"])
    assert not result.functions["activations.relu"].passed
    assert result.notes == [
        f"{nb}, cell 3, line 1: raised ModuleNotFoundError: No module named 'IPython' (the cells after it still "
        "ran). Grading runs with NumPy and the standard library only: IPython is not available while grading; keep "
        "display code in cells of their own, which grading leaves out"]
    message = result.functions["activations.relu"].cases[0].message
    assert "NameError: name 'display' is not defined" in message


@pytest.mark.parametrize("source, kept", [
    # shares its line with other code
    ("SCALE = 2.0; display(SCALE)", "SCALE = 2.0; display(SCALE)"),
    # a name bound again by other code is no longer display code
    ("display = print\ndisplay(1)", "display = print\ndisplay(1)"),
    ("from mylib import HTML\nHTML('x')", "from mylib import HTML\nHTML('x')"),
])
def test_a_statement_that_also_does_other_work_is_kept(source, kept):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (kept, [])
    assert plotting.places == []


def test_a_loop_that_also_does_other_work_keeps_it_and_its_display_becomes_pass():
    # kept whole before fix16b: df[c].plot() raised while grading, and the cell stopped there
    plotting = notebooks.Plotting()
    assert clean_cell("for c in cols:\n    df[c].plot()\n    N = 3", "c", plotting) == (
        "for c in cols:\n    pass\n    N = 3", [])
    assert plotting.places == [("c", "line 2")]


@pytest.mark.parametrize("line", [
    "plt.plot(y := f(1.0))",            # binds y, but only after plt (unbound while grading) raised
    "cache['fig'] = plt.figure()",      # writes into cache, after plt raised
    "figs.append(plt.figure())",        # changes figs, after plt raised
    "n += len(plt.gca().lines)",        # n, after plt raised
    "display(k := 3.0)",                # display raises before k is bound
    "figs.append(df.plot())",
])
def test_a_statement_that_plots_and_changes_something_else_is_left_out(line):
    """Review 15: fix15a kept these; while grading they always raised at the plotting name
    (nothing of them could run) and stopped the cell, its defs with it. Left out as fix13b did:
    the cell's defs run."""
    plotting = notebooks.Plotting()
    source = f"import matplotlib.pyplot as plt\nfigs, cache, n = [], {{}}, 0\n{line}\ndef f(x):\n    return x"
    assert clean_cell(source, "c", plotting) == ("\nfigs, cache, n = [], {}, 0\n\ndef f(x):\n    return x", [])
    assert plotting.places == [("c", "lines 1 and 3")]
    # the object changed keeps its name: later code using it is never taken for plotting
    assert "figs" not in plotting.names and "cache" not in plotting.names and "n" not in plotting.names


def test_statements_that_plot_and_change_something_leave_the_cells_defs_graded(tmp_path):
    # review15's t1 and t5: sigmoid was "not defined" (the cell stopped at the kept statement)
    nb = notebook(tmp_path / "activations.ipynb",
                  AS_FLOAT + "import matplotlib.pyplot as plt\nfigs, results, n = [], {}, 0\n"
                  "fig, ax = plt.subplots()\nfigs.append(plt.figure())\nresults['fig'] = fig\n"
                  "n += len(ax.lines)\n" + SIGMOID,
                  "results['scale'] = 1.0\n" + "def relu(x):\n    return results['scale'] * np.maximum(as_float(x), 0.0)\n")
    result = grade_submission(str(nb), only=["activations.sigmoid", "activations.relu"])
    assert result.functions["activations.sigmoid"].passed, result.functions["activations.sigmoid"].cases[0].message
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.score == 2.0
    assert result.notes == [
        f"{nb}: left out the plotting (cell 2, lines 6 and 8-11): grading runs with NumPy and the standard library "
        f"only, without matplotlib; the plots still show {RUN_YOURSELF}"]


@pytest.mark.parametrize("source, code, span", [
    # review15's t2: the test binds LEAK, which a graded function reads
    ("if (LEAK := 0.0) >= 0:\n    display(LEAK)\nx = LEAK", "if (LEAK := 0.0) >= 0:\n    pass\nx = LEAK", "line 2"),
    ("for k in range(3):\n    display(k)\n    display(k * 2)\nx = k", "for k in range(3):\n    pass\n\nx = k",
     "lines 2-3"),
    # a with or for binding a name the cell reads later
    ("with open('f') as fh:\n    display(fh.read())\nn = len(fh.name)", "with open('f') as fh:\n    pass\nn = len(fh.name)",
     "line 2"),
    ("for line in open('f'):\n    display(line)\ndef last():\n    return line",
     "for line in open('f'):\n    pass\ndef last():\n    return line", "line 2"),
    # a display-only statement inside: its header runs to reach the test that binds
    ("for i in range(2):\n    if (k := f(i)): display(k)", "for i in range(2):\n    if (k := f(i)): pass", "line 2"),
    # an elif of a test with effects keeps its header; the rest becomes pass
    ("if a:\n    display(0)\nelif (k := g()):\n    display(1);  # c\n    display(2)\nelse: display(3)",
     "if a:\n    pass\nelif (k := g()):\n    pass\n\nelse: pass", "lines 2 and 4-6"),
    ("if (k := g()):\n    display(1)\nelif b:\n    display(2)", "if (k := g()):\n    pass\npass\n", "lines 2-4"),
])
def test_a_header_that_binds_or_calls_is_kept_and_its_display_body_left_out(source, code, span):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (code, [])
    assert plotting.places == [("c", span)]
    compile(code, "c", "exec")
    # what the header bound is the notebook's own, not display code
    assert not plotting.names & {"LEAK", "k", "fh"}


@pytest.mark.parametrize("source", [
    "if SHOW:\n    display(x)",                        # a test that does nothing
    "for ax in axes.flat:\n    if (k := f()): ax.plot()",   # a header that plots: it fails while grading
    "while queue:\n    display(queue)",
    # review15c item 3: a header that calls or binds what nothing later in the cell reads goes
    # with its body, as before fix15c (kept, a header failing while grading stopped the cell)
    "if init(params): display(params)",
    "with open('notes.txt') as fh:\n    display(fh.read())",
    "for line in open('notes.txt'):\n    display(line)",
    # a while whose test binds or calls: left out whole (without its body it might never end;
    # kept whole, its display raised at once)
    "while (k := step()) > 0:\n    display(k)",
])
def test_a_header_that_does_nothing_or_plots_goes_with_its_body(source):
    plotting = notebooks.Plotting()
    plotting.mark({"axes"}, "plotting")
    assert clean_cell(source, "c", plotting) == (None, [])


def test_a_with_whose_body_only_displays_leaves_the_cells_defs_graded(tmp_path):
    # review15c's w1: the header was kept, open() raised FileNotFoundError while grading (the
    # file is not beside the converted cells) and stopped the cell: sigmoid and relu 0/2
    (tmp_path / "notes.txt").write_text("notes")
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT,
                  "with open('notes.txt') as fh:\n    display(fh.read())\n" + SIGMOID + RELU)
    result = grade_submission(str(nb), only=["activations.sigmoid", "activations.relu"])
    for name in ("activations.sigmoid", "activations.relu"):
        assert result.functions[name].passed, result.functions[name].cases[0].message
    assert result.notes == [
        f"{nb}: left out the display code (cell 3, lines 1-2): grading runs with NumPy and the standard library "
        f"only, without IPython; what it displays still shows {RUN_YOURSELF}"]


def test_a_binding_test_of_a_display_only_if_is_kept_for_the_graded_function(tmp_path):
    # review15's t2: relu read LEAK, which was left out with the display (NameError)
    relu = "def relu(x):\n    x = as_float(x)\n    return np.maximum(x, LEAK * x)\n"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "if (LEAK := 0.0) >= 0:\n    display(LEAK)", relu)
    result = grade_submission(str(nb), only=["activations.relu"])
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes == [
        f"{nb}: left out the display code (cell 3, line 2): grading runs with NumPy and the standard library only, "
        f"without IPython; what it displays still shows {RUN_YOURSELF}"]


@pytest.mark.parametrize("source, code, span", [
    ("from IPython.display import display, HTML, clear_output\nclear_output(wait=True)\nh = HTML('<b>x</b>')\n"
     "display(h)\nx = 1", "\n\n\n\nx = 1", "lines 1-4"),
    ("from IPython import display\ndisplay.display(display.Image(b''))\ny = 2", "\n\ny = 2", "lines 1-2"),
    ("ax = df.plot(kind='bar')\nax.set_xlabel('x')\nax.title.set_text('t')\nfor c in df.columns:\n    df[c].plot()\n"
     "z = 3", "\n\n\n\n\nz = 3", "lines 1-5"),
    # into a plotting object's own attributes, or adding to one: still only plotting
    ("ax = s.plot.hist()\nax.xaxis.label = 'v'\nbars = len(ax.patches)\nbars += len(ax.lines)\nw = 4",
     "\n\n\n\nw = 4", "lines 1-4"),
    # a with whose name the cell only binds again later (no read): left out, header and all
    ("with open('f') as fh:\n    display(fh.read())\nfh = 3", "\n\nfh = 3", "lines 1-2"),
    # a function of a module imported is a function's call, not a method changing an object
    ("import numpy as np\nax = df.plot()\ntop = np.max(ax.get_ylim())", "import numpy as np\n\n", "lines 2-3"),
])
def test_display_only_statements_are_blanked_line_numbers_kept(source, code, span):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (code, [])
    assert plotting.places == [("c", span)]
