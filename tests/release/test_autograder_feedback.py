"""What a student reads on Gradescope, from a release's autograder run in a fake /autograder
tree (session 10's trial): rerun commands they can run in their own repository, a missing
module said as missing, and a passing function that warned said in one line at the top and
in its tests."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.grader.conftest import SOLUTIONS

NAIVE = "\n\ndef sigmoid(x):\n    x = as_float(x)\n    return 1.0 / (1.0 + np.exp(-x))\n"
BROKEN = "\n\ndef tanh(x):\n    raise ValueError('oops')\n"


@pytest.fixture(scope="module")
def autograder(release_dir):
    """The zip unpacked as Gradescope does (source/), run with this Python (it has NumPy)."""
    base = Path(tempfile.mkdtemp(prefix="chainrule-ag-"))
    os.chmod(base, 0o755)
    with zipfile.ZipFile(release_dir / "autograder.zip") as archive:
        archive.extractall(base / "source")
    for folder, dirs, files in os.walk(base / "source"):
        for d in dirs:
            os.chmod(Path(folder, d), 0o755)
        for f in files:
            os.chmod(Path(folder, f), 0o644)
    os.chmod(base / "source", 0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _activations():
    return (SOLUTIONS / "activations.py").read_text() + NAIVE + BROKEN


def _run(base, place):
    for name in ("submission", "results"):
        shutil.rmtree(base / name, ignore_errors=True)
    (base / "submission").mkdir(mode=0o755)
    place(base / "submission")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CHAINRULE"))}
    done = subprocess.run([sys.executable, str(base / "source" / "autograder.py")], cwd="/", env=dict(
        env, AUTOGRADER_ROOT=str(base)), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((base / "results" / "results.json").read_text())


def _partial(sub, folder="exercises"):
    """activations.py (naive sigmoid, a tanh that raises) and losses.py; nothing else."""
    where = sub / folder if folder else sub
    where.mkdir(exist_ok=True)
    (where / "activations.py").write_text(_activations())
    shutil.copy(SOLUTIONS / "losses.py", where / "losses.py")


@pytest.fixture(scope="module")
def partial(autograder):
    return _run(autograder, _partial), autograder


def _reruns(doc):
    return [line for t in doc["tests"] for line in t["output"].splitlines()
            if line.startswith(("Rerun", "Every case in full"))]


def test_rerun_commands_are_for_the_students_own_repository(partial):
    doc, base = partial
    tests = {t["name"]: t for t in doc["tests"]}
    tanh = tests["activations.tanh"]["output"].splitlines()
    assert "Rerun case 1: chainrule grade --only activations.tanh --case 1 --seed 2026" in tanh
    assert "Every case in full: chainrule grade --only activations.tanh --seed 2026 --verbose" in tanh
    reruns = _reruns(doc)
    assert reruns and all(": chainrule grade --only " in line for line in reruns), reruns
    text = json.dumps(doc)
    assert str(base) not in text and "/autograder" not in text
    assert "at exercises/activations.py, line" in tests["activations.tanh"]["output"]


def test_the_rerun_command_runs_in_a_students_repository(partial, tmp_path, monkeypatch):
    """The command as printed, run where a student runs it (the repository's top)."""
    doc, _ = partial
    tests = {t["name"]: t for t in doc["tests"]}
    line = next(x for x in tests["activations.tanh"]["output"].splitlines() if x.startswith("Rerun case 1: "))
    words = line.split(": ", 1)[1].split()
    assert words[:2] == ["chainrule", "grade"]
    _partial(tmp_path, "exercises")
    monkeypatch.chdir(tmp_path)
    from chainrule.cli import cli

    ran = CliRunner().invoke(cli, words[1:], prog_name="chainrule")
    assert ran.exit_code == 0, ran.output
    assert "seed 2026" in ran.output and "raised ValueError: oops" in ran.output


def test_a_missing_module_is_missing_on_gradescope(partial):
    doc, _ = partial
    tests = {t["name"]: t for t in doc["tests"]}
    assert tests["layers.dense_forward"]["output"] == \
        "Not graded: layers.py is not in your submission, so this function scores 0."
    assert tests["layers.dense_forward (hidden checks)"]["output"] == \
        "Not run: layers.py is not in your submission (the hidden checks count as failed)."
    assert tests["layers.dense_forward"]["score"] == tests["layers.dense_forward (hidden checks)"]["score"] == 0
    assert "ModuleNotFoundError" not in json.dumps(doc)


def test_a_passing_function_that_warned_says_so_at_the_top_and_in_its_tests(partial):
    doc, _ = partial
    tests = {t["name"]: t for t in doc["tests"]}
    assert doc["output"].splitlines()[-1] == (
        "Passed, but warned (an overflow, a division by zero or an invalid value; the contract asks for no "
        "such warnings): activations.sigmoid.")
    public, hidden = tests["activations.sigmoid"], tests["activations.sigmoid (hidden checks)"]
    assert public["status"] == hidden["status"] == "passed"     # the points policy is unchanged
    assert public["output"].splitlines()[0].endswith(
        "cases passed, but warned: overflow encountered in exp (activations.py, line "
        f"{_activations().splitlines().index('    return 1.0 / (1.0 + np.exp(-x))') + 1}); "
        "the contract asks for no such warnings.")
    assert ", but warned: overflow encountered in exp" in hidden["output"]


def test_modules_uploaded_at_the_top_rerun_with_a_dot(autograder):
    doc = _run(autograder, lambda sub: _partial(sub, folder=None))
    tests = {t["name"]: t for t in doc["tests"]}
    assert ("Rerun case 1: chainrule grade . --only activations.tanh --case 1 --seed 2026"
            in tests["activations.tanh"]["output"].splitlines())


def test_a_notebook_submission_shows_no_autograder_path(autograder):
    nbformat = pytest.importorskip("nbformat")
    source = (SOLUTIONS / "_common.py").read_text() + NAIVE + BROKEN

    def place(sub):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nbformat.write(nb, str(sub / "activations.ipynb"))

    doc = _run(autograder, place)
    tests = {t["name"]: t for t in doc["tests"]}
    assert str(autograder) not in json.dumps(doc)
    tanh = tests["activations.tanh"]["output"].splitlines()
    assert "Rerun case 1: chainrule grade . --only activations.tanh --case 1 --seed 2026" in tanh
    line = source.splitlines().index("    raise ValueError('oops')") + 1
    assert f"    at activations.ipynb, cell 1, line {line}, in tanh" in tanh
    assert tests["activations.sigmoid"]["output"].splitlines()[0].endswith(
        "but warned: overflow encountered in exp (activations.ipynb, cell 1, line "
        f"{source.splitlines().index('    return 1.0 / (1.0 + np.exp(-x))') + 1}); the contract asks for no such "
        "warnings.")
    assert tests["layers.dense_forward"]["output"] == \
        "Not graded: layers.ipynb is not in your submission, so this function scores 0."


def test_a_timeout_names_no_command_line_option_on_gradescope(autograder):
    """trial19c: "importing losses.py timed out after 5 s (--timeout 5)": a Gradescope student
    runs no command there, so the autograder's messages name no option (the seconds stay)."""
    def place(sub):
        (sub / "exercises").mkdir()
        (sub / "exercises" / "activations.py").write_text(
            (SOLUTIONS / "activations.py").read_text() + "\n\ndef softplus(x):\n    while True:\n        pass\n")
        (sub / "exercises" / "losses.py").write_text("while True:\n    pass\n")

    doc = _run(autograder, place)
    tests = {t["name"]: t for t in doc["tests"]}
    assert "--timeout" not in json.dumps(doc)
    assert "timed out after 5 s (the time all cases of a function may take together)" in \
        tests["activations.softplus"]["output"]
    assert "importing losses.py timed out after 5 s" in tests["losses.mean_squared_error"]["output"]
    assert tests["activations.softplus (hidden checks)"]["output"].startswith("Not run: this function timed out")
