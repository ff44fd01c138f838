"""Plotting inside a loop that also does real work (fix16b, part B).

A loop, ``if``, ``with`` or ``try`` whose body mixed plotting with other statements was kept
whole: while grading it raised a NameError at the plotting name, stopping its cell, and the
defs after it in the cell were lost. Its statements that do not plot now run, each run of those
that plot becomes ``pass``, nested statements likewise; unless its header plots, or it is a
``while`` whose test reads a name the statements left out bind (kept whole, as before)."""

import ast
import sys
import time

import pytest

from grader import grade_submission
import grader.notebooks as notebooks
from grader.notebooks import clean_cell

from test_grade_notebooks import AS_FLOAT, notebook

RUN_YOURSELF = "when you run it yourself"


def clean(source):
    """``clean_cell`` of ``source`` after ``import matplotlib.pyplot as plt`` (line 1)."""
    plotting = notebooks.Plotting()
    code, notes = clean_cell("import matplotlib.pyplot as plt\n" + source, "c", plotting)
    assert notes == []
    return code, plotting


def test_the_briefs_training_loop_keeps_its_work_and_the_defs_after_it():
    code, plotting = clean("w, losses = 1.0, []\n"
                           "for epoch in range(3):\n"
                           "    w = w - 0.1 * grad(w)\n"
                           "    plt.plot(losses)          # NameError while grading: plotting is left out\n"
                           "def later(): ...\n")
    assert code == ("\nw, losses = 1.0, []\n"
                    "for epoch in range(3):\n"
                    "    w = w - 0.1 * grad(w)\n"
                    "    pass          # NameError while grading: plotting is left out\n"
                    "def later(): ...\n")
    assert plotting.places == [("c", "lines 1 and 5")]


def test_a_cell_with_a_training_loop_that_plots_gets_its_defs_graded(tmp_path):
    # sigmoid is scaled by what the loop computed: 1.0 only when the loop's work ran 3 times
    cell = ("import matplotlib.pyplot as plt\n"
            "w, losses = 0.0, []\n"
            "for epoch in range(3):\n"
            "    w = w + 1.0\n"
            "    losses.append((w - 3.0) ** 2)\n"
            "    plt.plot(losses)\n"
            "    plt.title(f'epoch {epoch}')\n"
            "SCALE = w / 3.0\n"
            "def sigmoid(x):\n"
            "    x = as_float(x)\n"
            "    return SCALE / (1 + np.exp(-x))\n")
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, cell)
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    sigmoid = result.functions["activations.sigmoid"]
    assert sigmoid.passed, sigmoid.cases[0].message
    assert result.notes == [
        f"{nb}: left out the plotting (cell 3, lines 1 and 6-7): grading runs with NumPy and the standard library "
        f"only, without matplotlib; the plots still show {RUN_YOURSELF}"]


def test_an_if_inside_a_loop_keeps_its_work_and_what_plots_after_a_name_left_out_goes_too():
    # fig, ax bound by a statement left out: ax.plot and ax.set_title after it are plotting,
    # in the if's body, after the if in the loop's body, and after the loop in the cell
    code, plotting = clean("for epoch in range(4):\n"
                           "    w = w + 1\n"
                           "    if epoch % 2 == 0:\n"
                           "        fig, ax = plt.subplots()\n"
                           "        ax.plot([w])\n"
                           "        evens += 1\n"
                           "    ax.set_title('w')\n"
                           "ax.legend()\n"
                           "y = w\n")
    assert code == ("\nfor epoch in range(4):\n"
                    "    w = w + 1\n"
                    "    if epoch % 2 == 0:\n"
                    "        pass\n"
                    "\n"
                    "        evens += 1\n"
                    "    pass\n"
                    "\n"
                    "y = w\n")
    assert plotting.places == [("c", "lines 1, 5-6 and 8-9")]
    assert {"fig", "ax"} <= plotting.names and "w" not in plotting.names and "evens" not in plotting.names


def test_a_nested_loop_whose_target_the_loop_reads_later_keeps_its_header():
    # for k only plots, but the loop's body reads k after it: its header runs, its body is pass
    code, _plotting = clean("for e in range(3):\n"
                            "    for k in range(2):\n"
                            "        plt.plot(k)\n"
                            "    w = w + k\n")
    assert code == "\nfor e in range(3):\n    for k in range(2):\n        pass\n    w = w + k\n"
    # read by nothing after it: left out, header and all
    code, _plotting = clean("for e in range(3):\n"
                            "    for k in range(2):\n"
                            "        plt.plot(k)\n"
                            "    w = w + 1\n")
    assert code == "\nfor e in range(3):\n    pass\n\n    w = w + 1\n"


def test_code_beside_plotting_on_one_line_keeps_its_place():
    code, _plotting = clean("for i in r:\n"
                            "    x = 'é'; plt.plot('é'); y = 'ü'; plt.f(1); plt.g(2); q = 1\n"
                            "    plt.plot(i,\n"
                            "             2); z = 1  # c\n"
                            "    display(i);  # d\n"
                            "for i in r: plt.f(); a = 1; plt.g()\n")
    assert code == ("\nfor i in r:\n"
                    "    x = 'é'; pass; y = 'ü'; pass; q = 1\n"
                    "    pass \\\n"
                    " ; z = 1  # c\n"
                    "    pass  # d\n"
                    "for i in r: pass; a = 1; pass\n")
    kept = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Assign)]
    assert [(n.targets[0].id, n.lineno) for n in kept] == [("x", 3), ("y", 3), ("q", 3), ("z", 5), ("a", 7)]


@pytest.mark.parametrize("source", [
    # the while's test reads a name a statement left out binds or changes: without it the loop
    # might never end, so it is kept whole (it fails at plt while grading, as before fix16b)
    "while not done:\n    done = plt.waitforbuttonpress()\n    w = w + 1\n",
    "while n < 10:\n    n += len(plt.gca().lines)\n    w = w + 1\n",
    "while len(history) < 10:\n    history.append(plt.gca())\n    w = w + 1\n",
    "while state['i'] < 10:\n    w = w + 1\n    if w > 2:\n        state['i'] = plt.gcf().number\n",
    # a header that plots fails while grading: kept whole too
    "for ax in plt.gcf().axes:\n    ax.grid()\n    N = 3\n",
])
def test_a_while_whose_test_reads_what_is_left_out_or_a_header_that_plots_is_kept_whole(source):
    code, plotting = clean(source)
    assert code == "\n" + source and plotting.places == [("c", "line 1")]


def test_a_while_whose_test_reads_nothing_left_out_keeps_its_work(tmp_path):
    cell = ("import matplotlib.pyplot as plt\n"
            "w = 0.0\n"
            "while w < 3.0:\n"
            "    w = w + 1.0\n"
            "    plt.plot([w])\n"
            "SCALE = w / 3.0\n"
            "def sigmoid(x):\n"
            "    x = as_float(x)\n"
            "    return SCALE / (1 + np.exp(-x))\n")
    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, cell)
    result = grade_submission(str(nb), only=["activations.sigmoid"])
    assert result.functions["activations.sigmoid"].passed, result.functions["activations.sigmoid"].cases[0].message


def test_a_try_and_a_with_keep_their_work():
    code, _plotting = clean("try:\n    w = 1\n    plt.plot(w)\nexcept ValueError:\n    plt.plot(0)\n"
                            "finally:\n    z = 1\n"
                            "with np.errstate(all='ignore'):\n    v = np.log(0.0)\n    plt.plot(v)\n")
    assert code == ("\ntry:\n    w = 1\n    pass\nexcept ValueError:\n    pass\nfinally:\n    z = 1\n"
                    "with np.errstate(all='ignore'):\n    v = np.log(0.0)\n    pass\n")


# ---------------------------------------------------------------- hostile cells: linear work
def _calls(source):
    """The Python calls (each function or generator step a frame runs) of cleaning ``source``."""
    calls = [0]

    def count(frame, event, arg):
        if event == "call":
            calls[0] += 1

    plotting = notebooks.Plotting()
    sys.setprofile(count)
    try:
        code, notes = clean_cell("import matplotlib.pyplot as plt\n" + source, "c", plotting)
    finally:
        sys.setprofile(None)
    assert notes == [] and code != source
    compile(code, "c", "exec")
    return calls[0]


def _mixed_elifs(n):
    """One statement n deep: an elif chain whose every branch does work and plots."""
    return ("for e in r:\n    if a:\n        w = 0\n        plt.plot(w)\n"
            + "".join(f"    elif a == {i}:\n        w{i} = {i}\n        fig{i}, ax = plt.subplots()\n"
                      f"        ax.plot(w{i})\n" for i in range(n)))


def _hollow_in_dropped(n):
    """Hollow loops (their targets read later) inside an elif chain inside a loop that plots."""
    return ("for ax in plt.gcf().axes:\n    if a:\n        pass\n"
            + "".join(f"    elif a == {i}:\n        for k{i} in r:\n            ax.plot(k{i})\n" for i in range(n))
            + "print(" + ", ".join(f"k{i}" for i in range(n)) + ")\nz = 1\n")


def _whiles(n):
    """Whiles reading many names, each changed by a statement left out inside them."""
    names = [f"n{i}" for i in range(n)]
    return ("for e in r:\n    while " + " and ".join(names) + ":\n        w = 1\n"
            + "".join(f"        {name} = plt.f()\n" for name in names)
            + "".join(f"    while {name}:\n        w = 2\n        {name} = plt.g()\n" for name in names))


@pytest.mark.parametrize("make", [_mixed_elifs, _hollow_in_dropped, _whiles])
def test_the_work_on_a_deep_or_wide_statement_grows_with_its_size_not_its_square(make):
    small, large = _calls(make(250)), _calls(make(1000))
    assert small > 0
    # linear: four times the statements, about four times the calls (its square: sixteen)
    assert large <= 5 * small, (small, large)


def test_a_big_cell_of_training_loops_that_plot_is_analysed_quickly():
    loop = ("for epoch in range(3):\n    w = w - 0.1 * grad(w)\n    losses.append(loss(w))\n"
            "    if epoch % 10 == 0:\n        fig, ax = plt.subplots()\n        ax.plot(losses)\n"
            "        print(epoch)\n    ax.set_title('x')\n")
    source = "import matplotlib.pyplot as plt\n" + loop * (notebooks.MAX_CLEAN_BYTES // len(loop) - 1)
    assert len(source) <= notebooks.MAX_CLEAN_BYTES
    start = time.perf_counter()
    code, notes = clean_cell(source, "c", notebooks.Plotting())
    took = time.perf_counter() - start
    assert notes == [] and code.count("pass") == 2 * (source.count("\n") // 8)
    # generous (about 0.8 s here on a loaded machine; the parser alone takes a quarter of it)
    assert took < 10, took


# ---------------------------------------------------------------- review 16, item 1: own scopes
RELU_SCALED = ("def relu(x):\n"
               "    x = np.asarray(x)\n"
               "    x = x if x.dtype.kind == 'f' else x.astype(np.float64)\n"
               "    return np.maximum(x, 0) * (SCALE > 0)\n")
PANELS = ("import numpy as np\n"
          "import matplotlib.pyplot as plt\n"
          "fig, axes = plt.subplots(1, 2)\n"
          "for i, ax in enumerate(axes.flat):\n"
          "    ax.set_title(f'panel {i}')\n")


@pytest.mark.parametrize("training", [
    # review 16's repro: the comprehension's own i is not the i of the plotting loop left out
    "w = np.ones(3)\n"
    "for epoch in range(5):\n"
    "    grad = np.array([w[i] * 0.1 for i in range(3)])\n"
    "    w = w - grad\n"
    "SCALE = float(w.sum())\n",
    # the lambda variant: its parameter i is its own
    "pairs = [(2, 1.0), (1, 3.0)]\n"
    "for epoch in range(2):\n"
    "    order = sorted(pairs, key=lambda i: i[0]); best = order[0][1]\n"
    "SCALE = best\n",
])
def test_a_comprehension_or_lambda_variable_named_as_plotting_keeps_the_loop(tmp_path, training):
    nb = notebook(tmp_path / "activations.ipynb", PANELS, training, RELU_SCALED)
    result = grade_submission(str(nb), only=["activations.relu"])
    relu = result.functions["activations.relu"]
    assert relu.passed, relu.cases[0].message
    # only the plotting of cell 2 (the Markdown cell is cell 1) is left out, none of cell 3
    assert result.notes == [
        f"{nb}: left out the plotting (cell 2, lines 2-5): grading runs with NumPy and the standard library "
        f"only, without matplotlib; the plots still show {RUN_YOURSELF}"]
    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\n" + PANELS + "\n# %%\n" + training + "\n# %%\n" + RELU_SCALED)
    result = grade_submission(str(script), only=["activations.relu"])
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes == [
        f"activations.pct.py: left out the plotting (lines 3-6): grading runs with NumPy and the standard "
        f"library only, without matplotlib; the plots still show {RUN_YOURSELF}"]


def test_a_comprehension_variable_named_ax_is_not_the_plotting_ax():
    code, plotting = clean("fig, ax = plt.subplots()\n"
                           "for e in range(3):\n"
                           "    sizes = [len(ax) for ax in groups if ax]\n"
                           "    total = {ax: 1 for ax in sizes}\n"
                           "    keep = list(filter(lambda ax, k=ax: ax, sizes))\n"
                           "    w = w + sum(sizes)\n"
                           "    ax.plot(w)\n"
                           "n = sum(1 for ax in range(3))\n")
    # the lambda's default (k=ax) is read outside the lambda: the notebook's ax, left out
    assert code == ("\n\nfor e in range(3):\n"
                    "    sizes = [len(ax) for ax in groups if ax]\n"
                    "    total = {ax: 1 for ax in sizes}\n"
                    "    pass\n"
                    "    w = w + sum(sizes)\n"
                    "    pass\n"
                    "n = sum(1 for ax in range(3))\n")
    assert plotting.places == [("c", "lines 1-2, 6 and 8")]
    # the first for's iterable is outside the comprehension: ax there is the notebook's
    code, _plotting = clean("fig, ax = plt.subplots()\nlines = [line for line in ax.lines]\nn = 1\n")
    assert code == "\n\n\nn = 1\n"


def test_a_name_read_only_inside_a_definition_does_not_make_its_statement_plotting():
    plotting = notebooks.Plotting()
    plotting.mark({"plt"}, "plotting")
    tree = ast.parse("for e in range(2):\n    plt.plot(e)\n    def show(display=None):\n        display(e)\n")
    # the def's body does not run with the loop: its display is not display code left out
    assert plotting.kinds_of(tree.body[0]) == {"plotting"}
    assert not notebooks._draws(ast.parse("if a:\n    def f():\n        plt.plot()\n").body[0], plotting.names)
