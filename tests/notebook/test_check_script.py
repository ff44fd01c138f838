"""``check`` outside IPython: a ``# %%`` script run with python prints the grader's report."""

import re
import subprocess
import sys
import textwrap

from chainrule_core.contract import CONTRACT

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def run_script(tmp_path, body):
    script = tmp_path / "mine.pct.py"
    script.write_text(textwrap.dedent(body))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_script_check_prints_the_report_and_returns_a_result(tmp_path):
    out = run_script(tmp_path, """\
        # %%
        from chainrule.notebook import check
        import numpy as np

        # %%
        def relu(x):
            y = 1
            return np.maximum(x, zz)

        def sigmoid(x):
            x = np.asarray(x)
            x = x if x.dtype.kind == "f" else x.astype(float)    # keeps x's float dtype
            return 1 / (1 + np.exp(-x))

        # %%
        r = check("activations.relu")
        print("relu:", r.passed, r.score, r.max_score)
        s = check("activations.sigmoid")
        print("sigmoid:", s.passed, s.score, s.max_score)
        """)
    # the report names the script that was graded (there is no notebook here)
    assert re.match(r"chainrule grade: mine\.pct\.py \(seed \d+, expected values from ", out)
    assert "  FAIL  relu            0/1  5 of 5 cases failed; raised an error" in out
    assert ("\n    raised NameError: name 'zz' is not defined\n      at mine.pct.py, line 8, in relu\n"
            "        return np.maximum(x, zz)\n") in out
    assert "\nrelu: False 0.0 1.0\n" in out
    assert "\nsigmoid: True 1.0 1.0\n" in out


def test_unknown_names_are_one_line(tmp_path):
    out = run_script(tmp_path, """\
        from chainrule.notebook import check
        def relu(x):
            return x
        check("activations.relux")
        check("relu_deriv")
        check("nonsense.thing")
        """)
    names = ", ".join(f"activations.{n}" for n in CONTRACT["activations"])
    assert out.splitlines() == [
        f"Unknown function 'activations.relux'. Did you mean 'activations.relu'? The functions of activations are {names}.",
        f"Unknown function 'relu_deriv'. Did you mean 'activations.relu_derivative'? The functions of activations are {names}.",
        f"Unknown function 'nonsense.thing'. The functions of activations are {names}.",
    ]


def test_check_with_nothing_defined(tmp_path):
    out = run_script(tmp_path, "from chainrule.notebook import check\ncheck()\n")
    assert out == "No function of the contract is defined yet; run the cells that define them first.\n"


def test_a_grading_that_cannot_run_is_one_line(tmp_path):
    out = run_script(tmp_path, """\
        from chainrule.notebook import check
        def relu(x):
            return x
        r = check("activations.relu", seed=-1)
        print(r.passed, r.score)
        """)
    assert out == ("check could not grade activations.relu: Seed -1 is not valid; give a non-negative "
                   "integer.\nFalse 0.0\n")


def test_a_script_beside_a_stale_notebook_is_named_and_its_commands_grade_it(tmp_path):
    # mine.pct.py filled in beside mine.ipynb left as built (session 10's trial): the report
    # and its commands named the notebook, whose rerun graded the stale cells. They name the
    # script that was graded, with the seed of its cases, and reproduce them when run.
    import json
    import shlex

    cells = ["from chainrule.notebook import check\nimport numpy as np",
             "def relu(x):\n    raise NotImplementedError",
             'check("activations.relu")']
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"chainrule": {"module": "activations"}},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    (tmp_path / "mine.ipynb").write_text(json.dumps(nb))
    filled = [cells[0], "def relu(x):\n    return np.asarray(x, dtype=float) + 1", cells[2]]
    out = run_script(tmp_path, "".join(f"# %%\n{src}\n\n" for src in filled))
    seed = re.search(r"^chainrule grade: mine\.pct\.py \(seed (\d+),", out).group(1)
    assert "  FAIL  relu            0/1  5 of 5 cases failed; found: " in out   # the script's relu, not the stub's
    rerun = re.search(r"^  Rerun case 1: (.*)$", out, re.MULTILINE).group(1)
    full = re.search(r"^  Every case in full: (.*)$", out, re.MULTILINE).group(1)
    assert rerun == f"chainrule grade mine.pct.py --only activations.relu --case 1 --seed {seed}"
    assert full == f"chainrule grade mine.pct.py --only activations.relu --seed {seed} --verbose"
    case1 = "\n".join(out[out.index('  Case 1 "'):].splitlines()[2:5])
    assert "values differ" in case1 and "yours" in case1    # the script's relu ran (the stub's raises)
    proc = subprocess.run([sys.executable, "-m", "chainrule"] + shlex.split(rerun)[1:], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"chainrule grade: mine.pct.py (seed {seed},")
    assert case1 in proc.stdout
    # run from another folder: the script's path from there, and the command still works there
    (tmp_path / "up").mkdir()
    proc = subprocess.run([sys.executable, str(tmp_path / "mine.pct.py")], capture_output=True, text=True,
                          cwd=tmp_path / "up")
    assert proc.stdout.startswith("chainrule grade: ../mine.pct.py (seed ") or proc.stdout.startswith(
        f"chainrule grade: {tmp_path / 'mine.pct.py'} (seed ")


def test_notebook_name_prefers_what_jupyter_names_then_the_folders_notebook(tmp_path, monkeypatch):
    import json

    from chainrule import notebook

    def write(name, sources):
        cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                  "source": src} for i, src in enumerate(sources)]
        (tmp_path / name).write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                 "cells": cells}))

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    ran = [("In [1]", "import numpy as np"), ("In [2]", "def relu(x):\n    return x\n"),
           ("In [3]", 'check("activations.relu")')]
    assert notebook.notebook_name("activations", ran) == "activations.ipynb"     # nothing to go by
    write("zzz.ipynb", ["import numpy as np", 'check("activations.relu")'])
    write("other.ipynb", ["print(1)"])
    assert notebook.notebook_name("activations", ran) == "zzz.ipynb"
    write("aaa.ipynb", ["import numpy as np", "def relu(x):\n    return x", 'check("activations.relu")'])
    assert notebook.notebook_name("activations", ran) == "aaa.ipynb"             # holds more of them
    write("activations.ipynb", ["import numpy as np", "def relu(x):\n    return x",
                                'check("activations.relu")'])
    assert notebook.notebook_name("activations", ran) == "activations.ipynb"     # a tie: the module's
    # Jupyter's own name wins, given from the server's root or as a path from here
    write("my hw.ipynb", [])
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/jupyter/course/my hw.ipynb")
    assert notebook.notebook_name("activations", ran) == "my hw.ipynb"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.ipynb").write_text("{}")
    monkeypatch.setenv("JPY_SESSION_NAME", "sub/x.ipynb")
    assert notebook.notebook_name("activations", ran) == "sub/x.ipynb"


def _write_notebook(path, cells):
    import json

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"chainrule": {"module": "activations"}},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    path.write_text(json.dumps(nb))


def test_a_py_script_paired_with_a_notebook_holding_its_code_names_the_notebook(tmp_path):
    # jupytext's py:percent pairing (mine.py beside mine.ipynb, in sync): chainrule grade
    # mine.ipynb grades the same code, so the commands name the notebook and reproduce the case
    import shlex

    cells = ["from chainrule.notebook import check\nimport numpy as np",
             "def relu(x):\n    return np.asarray(x, dtype=float) + 1", 'check("activations.relu")']
    _write_notebook(tmp_path / "mine.ipynb", cells)
    script = tmp_path / "mine.py"
    script.write_text("# ---\n# jupyter:\n#   jupytext: {}\n# ---\n\n"
                      + "".join(f"# %%\n{src}\n\n# %% [markdown]\n# Some *text*.\n\n" for src in cells))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    seed = re.search(r"^chainrule grade: mine\.ipynb \(seed (\d+),", proc.stdout).group(1)
    rerun = re.search(r"^  Rerun case 1: (.*)$", proc.stdout, re.MULTILINE).group(1)
    assert rerun == f"chainrule grade mine.ipynb --only activations.relu --case 1 --seed {seed}"
    assert "save mine.py as" not in proc.stdout
    case1 = "\n".join(proc.stdout[proc.stdout.index('  Case 1 "'):].splitlines()[2:5])
    again = subprocess.run([sys.executable, "-m", "chainrule"] + shlex.split(rerun)[1:], cwd=tmp_path,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert case1 in again.stdout
    # the notebook left behind (its relu a stub): the script is named, and how to grade it said
    _write_notebook(tmp_path / "mine.ipynb", [cells[0], "def relu(x):\n    raise NotImplementedError", cells[2]])
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.startswith("chainrule grade: mine.py (seed ")
    assert proc.stdout.endswith("(chainrule grade grades a script as check does when its name ends in .pct.py: "
                                "save mine.py as mine.pct.py to run these commands.)\n")


def test_script_cells_are_the_code_between_cell_markers():
    from chainrule.notebook import script_cells

    text = ("# ---\n# jupyter: {}\n# ---\n\n# %%\nimport numpy as np\n\n# %% [markdown]\n# # Title\n\n"
            "# %% tags=[\"x\"]\ndef f():\n    return 1\n# %%\n\n# %% [md]\n# more\n")
    assert script_cells(text) == ["import numpy as np", "def f():\n    return 1"]
    assert script_cells("x = 1\n# %%\ny = 2\n") == ["x = 1", "y = 2"]     # code before the first marker


def test_a_script_checking_function_after_function_prints_the_header_once(tmp_path):
    # trial 19b: the 2-line header came before every function's result
    out = run_script(tmp_path, """\
        # %%
        from chainrule.notebook import check
        import numpy as np

        # %%
        def relu(x):
            return np.maximum(x, 0)

        def relu_derivative(x):
            return (x > 0) * 1

        # %%
        r = check("activations.relu", seed=3)
        s = check("activations.relu_derivative", seed=3)
        t = check("activations.relu", seed=4)
        print("text keeps it:", all(c.text.startswith("chainrule grade: ") for c in (r, s, t)))
        """)
    lines = out.splitlines()
    headers = [line for line in lines if line.startswith("chainrule grade: ")]
    assert len(headers) == 2, out       # once, and again for the other seed
    assert "(seed 3," in headers[0] and "(seed 4," in headers[1]
    assert sum(line.startswith("sandbox: ") for line in lines) == 2, out
    # relu_derivative's result comes without a header of its own, before seed 4's header
    assert out.index("  PASS  relu ") < out.index("  FAIL  relu_derivative") < out.index("(seed 4,"), out
    assert "text keeps it: True" in out
