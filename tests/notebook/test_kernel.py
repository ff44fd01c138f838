"""The notebooks in a real kernel (nbclient + ipykernel; skipped cleanly without them).

One kernel run per module at most: the activations skeleton (every check fails and shows
feedback, Run All reaches the end), and the network and losses notebooks with the
reference pasted in (every check passes; network needs the pasted sigmoid, losses softmax).
"""

import re
import pytest

from chainrule_core.contract import CONTRACT

from nb_helpers import filled

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def execute(nb):
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False)
    client.execute()
    return nb


def check_outputs(nb):
    """source -> (html, text) of each check cell's displayed result."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("check("):
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert len(results) == 1, (cell.source, cell.outputs)
            found[cell.source] = (results[0].data["text/html"], results[0].data["text/plain"])
    return found


def test_skeleton_runs_to_the_end_with_every_check_failing(built, nbformat):
    nb = execute(nbformat.read(str(built / "activations.ipynb"), as_version=4))
    outputs = check_outputs(nb)
    assert len(outputs) == len(CONTRACT["activations"]) + 1
    for name in CONTRACT["activations"]:
        html, text = outputs[f'check("activations.{name}")']
        assert "Not passed yet: 0 / " in html
        assert re.match(r"chainrule grade: activations\.ipynb \(seed \d+", text)
        assert f"  TODO  {name} " in text
        assert "the TODO is not filled in yet" in text
    html, text = outputs["check()"]
    assert "Total: 0 / 10 points (0.0%), 0 of 9 functions pass" in text


@pytest.mark.parametrize("module", ["network", "losses"])
def test_reference_pasted_in_passes_every_check(built, nbformat, module):
    nb = execute(filled(nbformat.read(str(built / f"{module}.ipynb"), as_version=4)))
    outputs = check_outputs(nb)
    for name in CONTRACT[module]:
        html, text = outputs[f'check("{module}.{name}")']
        assert "Passed: " in html, text
        assert f"  PASS  {name} " in text
    assert "(100.0%)" in outputs["check()"][1]


def test_check_in_a_kernel_grades_the_latest_definition_and_explains(nbformat):
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_code_cell("from chainrule.notebook import check\nimport numpy as np"),
        v4.new_code_cell("def relu(x):\n    return np.asarray(x, dtype=float) + 1"),
        v4.new_code_cell("r = check('activations.relu')\nr"),
        v4.new_code_cell("assert not r.passed and r.score == 0 and r.max_score == 1"),
        v4.new_code_cell("def relu(x):\n    x = np.asarray(x)\n"
                         "    return np.maximum(x if x.dtype.kind == 'f' else x.astype(float), 0)"),
        v4.new_code_cell("r = check('activations.relu')\nassert r.passed and r.score == 1, r"),
        v4.new_code_cell("check('activations.relux')"),
    ])
    nb = execute(nb)
    text = nb.cells[2].outputs[-1].data["text/plain"]
    assert "FAIL  relu" in text and "Rerun case 1: chainrule grade activations.ipynb --only activations.relu --case 1 --seed " in text
    unknown = nb.cells[6].outputs[-1].data["text/plain"]
    assert unknown == ("Unknown function 'activations.relux'. Did you mean 'activations.relu'? The functions "
                       "of activations are " + ", ".join(f"activations.{n}" for n in CONTRACT["activations"]) + ".")


def test_check_prints_commands_that_rerun_the_kernels_cases_on_its_own_notebook(built, nbformat, tmp_path):
    # the student's copy is named as they like (with a space); the untouched skeleton
    # activations.ipynb sits beside it and must not be the one named
    import shlex
    import subprocess
    import sys

    folder = tmp_path / "course"
    folder.mkdir()
    skeleton = nbformat.read(str(built / "activations.ipynb"), as_version=4)
    nbformat.write(skeleton, str(folder / "activations.ipynb"))
    nb = filled(skeleton)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def relu"):
            cell.source = "def relu(x):\n    return np.asarray(x, dtype=float) + 1"
    nbformat.write(nb, str(folder / "my hw1.ipynb"))
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    text = next(c.outputs[-1].data["text/plain"] for c in nb.cells
                if c.cell_type == "code" and c.source == 'check("activations.relu")')
    seed = re.search(r"\(seed (\d+),", text).group(1)
    assert text.startswith("chainrule grade: my hw1.ipynb (seed ")
    lines = {line.split(": ", 1)[0].strip(): line.split(": ", 1)[1] for line in text.splitlines()
             if line.startswith(("  Rerun case", "  Every case in full"))}
    assert lines["Every case in full"] == (f"chainrule grade 'my hw1.ipynb' --only activations.relu --seed {seed} "
                                           "--verbose")
    assert lines["Rerun case 1"] == f"chainrule grade 'my hw1.ipynb' --only activations.relu --case 1 --seed {seed}"
    # run as printed, from the notebook's folder: the same cases, failing the same way
    case1 = text[text.index('  Case 1 "'):].split("\n  Case 2")[0]
    for command in lines.values():
        argv = shlex.split(command)
        assert argv[0] == "chainrule"
        proc = subprocess.run([sys.executable, "-m", "chainrule"] + argv[1:], cwd=folder,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert f"chainrule grade: my hw1.ipynb (seed {seed}," in proc.stdout
        assert case1.splitlines()[2] in proc.stdout       # case 1's numbers, value for value
        # the function's cases fail; one case (--case) fails, with no FAIL or points for the function
        assert ("  FAIL  relu " if "--case" not in argv else "  relu        case 1 of ") in proc.stdout
