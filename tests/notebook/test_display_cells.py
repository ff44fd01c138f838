"""Display code in a notebook (session 15): pandas' ``df.plot(...)`` / ``series.plot.hist()``,
IPython's ``display(...)`` (a builtin in Jupyter) and ``from IPython.display import display,
HTML`` with their uses were not left out of grading as matplotlib's plotting is (fix13b): each
was reported as not available or as a NameError. They are left out now, named in the one note
with the plotting; a statement that also binds or changes something a graded function could
read is kept (and said to fail when it does)."""

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
    # binds a name by := (a graded function could read k)
    ("display(k := 3.0)", "display(k := 3.0)"),
    # writes into another object, or calls a method of one (results, figs change)
    ("results['fig'] = df.plot()", "results['fig'] = df.plot()"),
    ("figs.append(df.plot())", "figs.append(df.plot())"),
    ("figs.append(display(1))", "figs.append(display(1))"),
    # adds to a value of its own
    ("total = 1.0\ntotal += df.plot().get_ylim()[1]", "total = 1.0\ntotal += df.plot().get_ylim()[1]"),
    # shares its line with other code
    ("SCALE = 2.0; display(SCALE)", "SCALE = 2.0; display(SCALE)"),
    # a loop that also does other work
    ("for c in cols:\n    df[c].plot()\n    N = 3", "for c in cols:\n    df[c].plot()\n    N = 3"),
    # a name bound again by other code is no longer display code
    ("display = print\ndisplay(1)", "display = print\ndisplay(1)"),
    ("from mylib import HTML\nHTML('x')", "from mylib import HTML\nHTML('x')"),
])
def test_a_statement_that_also_binds_or_changes_something_is_kept(source, kept):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (kept, [])
    assert plotting.places == []


@pytest.mark.parametrize("source, code, span", [
    ("from IPython.display import display, HTML, clear_output\nclear_output(wait=True)\nh = HTML('<b>x</b>')\n"
     "display(h)\nx = 1", "\n\n\n\nx = 1", "lines 1-4"),
    ("from IPython import display\ndisplay.display(display.Image(b''))\ny = 2", "\n\ny = 2", "lines 1-2"),
    ("ax = df.plot(kind='bar')\nax.set_xlabel('x')\nax.title.set_text('t')\nfor c in df.columns:\n    df[c].plot()\n"
     "z = 3", "\n\n\n\n\nz = 3", "lines 1-5"),
    # into a plotting object's own attributes, or adding to one: still only plotting
    ("ax = s.plot.hist()\nax.xaxis.label = 'v'\nbars = len(ax.patches)\nbars += len(ax.lines)\nw = 4",
     "\n\n\n\nw = 4", "lines 1-4"),
    # a function of a module imported is a function's call, not a method changing an object
    ("import numpy as np\nax = df.plot()\ntop = np.max(ax.get_ylim())", "import numpy as np\n\n", "lines 2-3"),
])
def test_display_only_statements_are_blanked_line_numbers_kept(source, code, span):
    plotting = notebooks.Plotting()
    assert clean_cell(source, "c", plotting) == (code, [])
    assert plotting.places == [("c", span)]


@pytest.mark.parametrize("line", [
    "plt.plot(y := f(1.0))",            # binds y
    "cache['fig'] = plt.figure()",      # writes into cache
    "figs.append(plt.figure())",        # changes figs
    "n += len(plt.gca().lines)",        # n had a value of its own
])
def test_matplotlib_statements_that_also_bind_or_change_something_are_kept_too(line):
    """The same rule for matplotlib's plotting (fix13b left these out with the plot)."""
    plotting = notebooks.Plotting()
    assert clean_cell(f"import matplotlib.pyplot as plt\n{line}", "c", plotting) == (f"\n{line}", [])
    assert plotting.places == [("c", "line 1")]
