"""The course's notebooks run as a student runs them: with the student release installed alone
in a fresh virtual environment (no generator, no solutions, no IPython), session 10's trial.

The notebooks are built by the instructor's kit (``chainrule notebook --students ... --practice``);
everything a student runs goes through the release's ``python`` and ``chainrule``. The percent
scripts are the notebooks' own cells (``chainrule notebook`` writes both), so running one with
python runs the code of its notebook's cells. Expected numbers come from the generator's exact
answers (sympy) and the practice sheets ``chainrule generate`` wrote, never from the code tested."""

import json
import re
import shlex
import subprocess
import sys

import pytest

from tests.release.conftest import ROOT, run_in

pytest.importorskip("nbformat")

SEED = 2026


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A class of one (s001) with a course secret: the practice sheets and the notebooks the
    instructor hands out, built with the kit; the student's folder holds both."""
    base = tmp_path_factory.mktemp("course")
    (base / "roster.csv").write_text("id,name\ns001,Kim\n")
    (base / "course.secret").write_text("0123456789abcdef0123456789abcdef\n")
    common = ["--students", str(base / "roster.csv"), "--seed", str(SEED), "--secret-file",
              str(base / "course.secret"), "--practice"]
    for args in (["notebook", "--out", str(base / "nb")],
                 ["generate", "--families", "output_update,hidden_update", "--format", "md",
                  "--out", str(base / "sheets")]):
        done = subprocess.run([sys.executable, "-m", "chainrule", *args, *common], capture_output=True,
                              text=True, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr
    return base


@pytest.fixture()
def folder(course, tmp_path):
    """A fresh copy of s001's notebooks, network.ipynb filled in with the reference."""
    import shutil

    import nbformat

    from tests.notebook.nb_helpers import filled

    out = tmp_path / "s001"
    shutil.copytree(course / "nb" / "students" / "s001", out)
    nb = nbformat.read(str(out / "network.ipynb"), as_version=4)
    nbformat.write(filled(nb), str(out / "network.ipynb"))
    return out


def _exact_answers(course, family):
    """``{key: exact answer}`` of s001's practice problem of ``family`` (the generator's sympy)."""
    from chainrule_core.secret import load, practice_key
    from generator.core import make_problem

    secret = practice_key(load(course / "course.secret"))
    problem = make_problem(family, SEED, "s001", secret=secret)
    return problem.variant, {q.key: float(q.answer) for q in problem.questions}


def test_the_worksheet_notebook_runs_in_the_student_release_beside_the_hand_answers(student_venv, course, folder):
    # a student's answers.toml (the practice sheet's template) with one right and one wrong answer
    variant, exact = _exact_answers(course, "output_update")
    template = (course / "sheets" / "students" / "s001" / "answers.toml").read_text()
    assert f'variant = "{variant}"' in template         # the sheet and the generator agree on the variant
    grad = next(k for k in exact if k.startswith("dE_dw"))
    new = next(k for k in exact if k.endswith("_new"))
    answers = re.sub(rf'^{grad} = ""$', f'{grad} = "{exact[grad]:.8f}"', template, count=1, flags=re.M)
    answers = re.sub(rf'^{new} = ""$', f'{new} = "{exact[new] + 0.0004:.8f}"', answers, count=1, flags=re.M)
    assert answers.count('= ""') == template.count('= ""') - 2      # both filled in
    (folder / "answers.toml").write_text(answers)
    done = run_in(student_venv, ["python", "your_worksheet.pct.py"], cwd=folder)
    assert done.returncode == 0, done.stderr            # was: ModuleNotFoundError: No module named 'generator'
    assert done.stderr == ""
    out = done.stdout
    assert f"output_update (variant {variant}): your code beside your hand answers" in out
    assert "Hand answers from answers.toml, problem p1_output_update." in out
    first = out[:out.index("hidden_update (variant ")]
    rows = {line.split()[0]: line for line in first.splitlines() if line.split() and line.split()[0] in exact}
    assert rows[grad].endswith("agree (to the 8 decimals you wrote)")
    assert re.search(r"  they differ from the (3rd|4th) decimal place$", rows[new]), rows[new]   # 0.0004 off
    assert float(rows[grad].split()[1]) == pytest.approx(exact[grad], rel=1e-9)
    # the hidden_update problem: the student's code gives the generator's exact values
    hidden_variant, hidden = _exact_answers(course, "hidden_update")
    table = out[out.index(f"hidden_update (variant {hidden_variant})"):]
    checked = 0
    for line in table.splitlines()[3:]:
        parts = line.split()
        if parts and parts[0] in hidden:
            assert float(parts[1]) == pytest.approx(hidden[parts[0]], rel=1e-9, abs=1e-12), parts[0]
            checked += 1
    assert checked >= 2


def test_a_filled_percent_script_beside_its_untouched_notebook_names_itself(student_venv, folder):
    script = folder / "activations.pct.py"
    text = script.read_text()
    stub = re.search(r"(def sigmoid\(x\):\n(?:    .*\n|\n)*?)    raise NotImplementedError\n", text)
    # a sigmoid off by 0.1: graded from the script, it fails with a "looks like" diagnosis
    script.write_text(text.replace(stub.group(0), stub.group(1) + "    return 1 / (1 + np.exp(-x)) + 0.1\n", 1))
    done = run_in(student_venv, ["python", "activations.pct.py"], cwd=folder)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"chainrule grade: activations.pct.py (seed {SEED}, expected values from the recording")
    assert "activations.ipynb" not in out
    assert "  FAIL  sigmoid         0/1  5 of 5 cases failed; looks like: every value of your result is off by the same 0.1" in out
    rerun = re.search(r"^  Rerun case 1: (.*)$", out, re.M).group(1)
    assert rerun == f"chainrule grade activations.pct.py --only activations.sigmoid --case 1 --seed {SEED}"
    case1 = out[out.index("activations.sigmoid: 5 of 5"):]
    case1 = "\n".join(case1[case1.index('  Case 1 "'):].splitlines()[:4])
    graded = run_in(student_venv, shlex.split(rerun), cwd=folder)
    assert graded.returncode == 0, graded.stderr
    assert graded.stdout.startswith(f"chainrule grade: activations.pct.py (seed {SEED},")
    assert case1 in graded.stdout                       # the script's case 1, not the stale notebook's
    # the untouched notebook is still graded as it is (every function not implemented)
    stale = run_in(student_venv, ["chainrule", "grade", "activations.ipynb", "--only", "activations.sigmoid"], cwd=folder)
    assert "  TODO  sigmoid" in stale.stdout
    # a file that is neither: the sentence lists what grade accepts
    (folder / "activations_old.py").write_text("")
    refused = run_in(student_venv, ["chainrule", "grade", "activations_old.py"], cwd=folder)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        "Error: 'activations_old.py' is not one of the exercise modules (activations.py, losses.py, layers.py, "
        "network.py, optimizers.py, regularization.py, initializers.py, training.py); give one of them, a "
        "notebook (.ipynb), a percent script (.pct.py) or the folder that holds them.")


def test_a_notebook_cell_importing_from_the_exercises_gets_a_notebook_hint(student_venv, folder):
    nb = json.loads((folder / "network.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "def backward" in "".join(c["source"]))
    cell["source"] = "from .activations import sigmoid_derivative\n\n" + "".join(cell["source"])
    (folder / "network.ipynb").write_text(json.dumps(nb))
    number = nb["cells"].index(cell) + 1
    done = run_in(student_venv, ["chainrule", "grade", "network.ipynb"], cwd=folder)
    assert done.returncode == 0, done.stderr
    assert (f"  network.ipynb, cell {number}, line 1: raised ImportError: cannot import name 'sigmoid_derivative' "
            "from 'exercises.activations' (network.ipynb) (the cells after it still ran). In a notebook, define "
            "sigmoid_derivative in a cell (paste your own from activations.ipynb) instead of importing it: the "
            "cells of a notebook share their names, and Jupyter cannot import from another notebook\n") in done.stdout
    # what the hint says works: the same function pasted into a cell instead of imported
    from tests.notebook.nb_helpers import reference_source

    cell["source"] = reference_source("sigmoid_derivative") + "\n\n" + "".join(cell["source"]).split("\n\n", 1)[1]
    (folder / "network.ipynb").write_text(json.dumps(nb))
    done = run_in(student_venv, ["chainrule", "grade", "network.ipynb", "--format", "json"], cwd=folder)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] > 0


def test_a_notebook_student_is_told_what_to_install(release_dir, course):
    readme = (release_dir / "student" / "README.md").read_text()
    section = " ".join(readme[readme.index("## Notebooks"):readme.index("## Points")].split())
    assert "pip install jupyterlab" in section and "pip install ipykernel" in section
    assert "`python activations.pct.py` runs it" in section
    assert "`chainrule grade activations.pct.py` grades it" in section
    assert "No module named 'chainrule'" in section
    # plotting works in the kernel but not while grading (trial 13): said before a student meets it
    assert ("Grading runs with NumPy and the standard library only: plot as you like, in cells of their own"
            in section)
    assert "as are `display()`, the `IPython.display` imports and pandas' `.plot()`" in " ".join(section.split())
    # what is handed in is the notebook, and how to write it from a script worked in
    assert "Hand in the notebook" in section and "`jupytext activations.pct.py -o activations.ipynb`" in section
    # and where a notebook student reads first: each notebook's first cell
    for name in ("activations.ipynb", "your_worksheet.ipynb"):
        first = json.loads((course / "nb" / "students" / "s001" / name).read_text())["cells"][0]
        text = "".join(first["source"])
        assert "`pip install -e .`" in text and "`pip install jupyterlab`" in text, name
        assert "No module named 'chainrule'" in text, name
    # the instructor is told that notebook students need the student copy too
    notes = " ".join((release_dir / "instructor" / "README.md").read_text().split())
    assert ("give the students `student/` as well: the notebooks import `chainrule.notebook`, which "
            "`pip install -e .` there installs") in notes
    # beside() reads answers.toml: tomli where Python has no tomllib (3.10), with or without the checker
    assert 'tomli>=1.1; python_version < "3.11"' in (release_dir / "student" / "setup.cfg").read_text()
