"""Plotting in a notebook (trial 13): grading runs with NumPy and the standard library only,
so ``%matplotlib inline``, ``import matplotlib.pyplot as plt`` and the statements that plot
are left out with one note, never reported as a ModuleNotFoundError and then a NameError;
a library that is missing and is not for plotting (scipy) is said to be missing while grading."""

import json

import pytest

from grader import grade_submission
import grader.notebooks as notebooks
from grader.notebooks import clean_cell

from test_grade_notebooks import AS_FLOAT, RELU, SIGMOID, notebook

PLOT_SETUP = "%matplotlib inline\nimport matplotlib.pyplot as plt\nimport numpy as np"
PLOT = ("xs = np.linspace(-5, 5, 101)\nfig, ax = plt.subplots()\nax.plot(xs, sigmoid(xs))\n"
        "ax.set_title('sigmoid')\nplt.show()")
NOTE = ("left out the plotting (cell 2, lines 1-2; cell 4, lines 2-5): grading runs with NumPy and the standard "
        "library only, without matplotlib; the plots still show when you run it yourself")


def test_the_trials_plotting_notebook_is_graded_without_an_error(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", PLOT_SETUP, AS_FLOAT + SIGMOID, PLOT, RELU)
    result = grade_submission(str(nb), only=["activations.sigmoid", "activations.relu"])
    assert result.functions["activations.sigmoid"].passed and result.functions["activations.relu"].passed
    assert result.notes == [f"{nb}: {NOTE}"]


def test_a_helper_that_plots_is_kept_and_its_call_says_why_it_fails(tmp_path):
    # a definition is never left out nor marks its name: a helper may plot only when asked
    helper = "def show(f):\n    plt.plot(np.linspace(-1, 1), f(np.linspace(-1, 1)))\n    plt.show()"
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT + SIGMOID, "import seaborn as sns\nimport matplotlib",
                  "from matplotlib import pyplot as plt", helper, "show(sigmoid)\ny = sigmoid(0.5)",
                  "sns.set_theme()")
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed
    assert result.notes == [
        f"{nb}: left out the plotting (cell 3, lines 1-2; cell 4, line 1; cell 7, line 1): grading runs with NumPy "
        "and the standard library only, without seaborn and matplotlib; the plots still show when you run it yourself",
        f"{nb}, cell 6, line 1: raised NameError: name 'plt' is not defined (the cells after it still ran). plt is "
        "plotting, which grading leaves out (it runs with NumPy and the standard library only): keep plotting in "
        "cells of their own"]


def test_code_that_plots_only_when_asked_or_beside_other_work_is_never_left_out(tmp_path):
    """Review 13b: a helper that plots only when asked marked its calls, and a statement that
    bound a value a graded function reads was left out with them (the notebook passed before)."""
    fit = ("def fit_scale(X, show=False):\n    if show:\n        plt.hist(X)\n    return float(np.max(X)) / 9.0\n"
           "SCALE = fit_scale(np.arange(10.0))")
    scaled = ("def sigmoid(x):\n    x = as_float(x)\n    return SCALE / (1.0 + np.exp(-x))")
    plots = ("fig, axes = plt.subplots(1, 2)\nfor ax in axes.flat:\n    ax.plot([0, 1])\n    ax.set_title('x')\n"
             "for i in range(2):\n    plt.plot([i])\n    N_HIDDEN = 16")
    nb = notebook(tmp_path / "activations.ipynb", "import matplotlib.pyplot as plt\nimport numpy as np",
                  AS_FLOAT, fit, scaled, plots)
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed, result.functions["activations.sigmoid"].cases[0].message
    # left out: the import, the subplots, the loop over the axes and the plotting of the loop
    # that also sets N_HIDDEN, which still runs (fix16b; it was kept whole and failed on plt)
    assert result.notes == [f"{nb}: left out the plotting (cell 2, line 1; cell 6, lines 1-4 and 6): grading runs "
                            "with NumPy and the standard library only, without matplotlib; the plots still show when "
                            "you run it yourself"]


def test_plotting_used_where_it_cannot_be_left_out_says_why(tmp_path):
    # a graded function that plots, and a plot on the line of other code: they run, and fail
    nb = notebook(tmp_path / "activations.ipynb", "import matplotlib.pyplot as plt", AS_FLOAT + SIGMOID,
                  "def relu(x):\n    plt.plot(x)\n    return np.maximum(as_float(x), 0.0)",
                  "y = sigmoid(1.0); plt.plot(y)")
    result = grade_submission(str(nb), only=["activations.relu"])
    assert not result.functions["activations.relu"].passed
    said = "\n".join(result.notes)
    assert (f"{nb}, cell 5, line 1: raised NameError: name 'plt' is not defined (the cells after it still ran). "
            "plt is plotting, which grading leaves out (it runs with NumPy and the standard library only): keep "
            "plotting in cells of their own") in said


def test_a_library_missing_while_grading_is_said_so(tmp_path):
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT + SIGMOID, "from scipy.special import expit", RELU,
                  "import numpy as np, matplotlib.pyplot as plt")
    result = grade_submission(str(nb), only=["activations.relu"])
    assert result.functions["activations.relu"].passed
    assert result.notes == [
        f"{nb}, cell 3, line 1: raised ModuleNotFoundError: No module named 'scipy' (the cells after it still ran). "
        "Grading runs with NumPy and the standard library only: scipy is not available while grading, so the "
        "exercises may use only those",
        f"{nb}, cell 5, line 1: raised ModuleNotFoundError: No module named 'matplotlib' (the cells after it still "
        "ran). Grading runs with NumPy and the standard library only: matplotlib is not available while grading; "
        "keep plotting in cells of their own, which grading leaves out"]


def test_a_percent_script_leaves_its_plotting_out_too(tmp_path):
    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\nimport numpy as np\nimport matplotlib.pyplot as plt\n\n# %%\n" + AS_FLOAT + SIGMOID
                      + "\n# %%\nplt.plot([1, 2])\nplt.show()\n")
    result = grade_submission(str(script), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed
    assert result.notes == ["activations.pct.py: left out the plotting (lines 3 and 16-17): grading runs with "
                            "NumPy and the standard library only, without matplotlib; the plots still show when you "
                            "run it yourself"]


def test_clean_cell_without_plotting_leaves_plotting_alone():
    """load_notebook (the student's own kernel, where matplotlib is) keeps the plotting."""
    assert clean_cell("import matplotlib.pyplot as plt\nplt.plot([1])", "c") == (
        "import matplotlib.pyplot as plt\nplt.plot([1])", [])
    plotting = notebooks.Plotting()
    code, notes = clean_cell("import matplotlib.pyplot as plt\nx = 1\nplt.plot([x])", "c", plotting)
    assert code == "\nx = 1\n" and notes == [] and plotting.places == [("c", "lines 1 and 3")]


def test_a_name_bound_again_without_plotting_is_no_longer_plotting():
    plotting = notebooks.Plotting()
    code, _notes = clean_cell("import matplotlib.pyplot as plt\nx = plt.gca()\nx = 2\ny = x + 1", "c", plotting)
    assert code == "\n\nx = 2\ny = x + 1" and plotting.places == [("c", "lines 1-2")]


def test_check_in_a_kernel_where_the_plots_are_drawn(tmp_path):
    """The trial's notebook in a real kernel: the plot is drawn there, and check() says nothing
    of matplotlib (the kernel's IPython syntax and plotting are expected: no note)."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in
                ("from chainrule.notebook import check", PLOT_SETUP, AS_FLOAT + SIGMOID, PLOT,
                 'check("activations.sigmoid")')]
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert any(o.output_type == "display_data" and "image/png" in o.get("data", {}) for o in nb.cells[3].outputs)
    (shown,) = [o for o in nb.cells[4].outputs if o.output_type == "execute_result"]
    text = shown.data["text/plain"]
    assert "  PASS  sigmoid " in text
    assert "matplotlib" not in text and "Error" not in text, text
