"""A release used as students, GitHub Actions and Gradescope use it, end to end.

The student folder is installed alone into a fresh virtual environment (once per session);
everything below runs the installed ``chainrule`` console script or the zip's own scripts
in subprocesses, as the real systems do. Expected totals are the contract's own points
(68 for the whole contract); partial credit is checked against the case counts."""

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from chainrule_core.contract import qualified_names
from chainrule_core.contract import POINTS
from tests.grader.conftest import make_submission
from tests.release.conftest import ROOT, run_in

TOTAL = sum(POINTS.values())
# the functions whose cases are all fixed edge cases (the same on every seed), counted publicly
# only: none since every function has a seeded case (iterations_per_epoch and time_based_decay
# had none, so a lookup of the student copy earned their 2 points)
FIXED_ONLY = ()
# a wrong adam_step (no bias correction: every case fails) and a relu_derivative that is 1 at
# x == 0 (only the cases with an exact zero fail): one function at 0, one with partial credit
WRONG = {
    "optimizers": """
        def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            return w - lr * m / (np.sqrt(v) + eps), m, v
    """,
    "activations": """
        def relu_derivative(x):
            x = np.asarray(x)
            return np.where(x >= 0, 1.0, 0.0).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    """,
}


def _grade_json(venv, folder, cwd):
    done = run_in(venv, ["chainrule", "grade", str(folder), "--format", "json"], cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------------- the student install
@pytest.mark.parametrize("module", ["sympy", "jinja2", "solutions", "generator", "grader.specs.known"])
def test_the_student_install_cannot_import(student_venv, tmp_path, module):
    done = run_in(student_venv, ["python", "-c", f"import {module}"], cwd=tmp_path)
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr


def test_the_student_install_runs_the_copied_grader(student_venv, tmp_path):
    code = "import grader, chainrule_core, numpy, click; print(grader.__file__)"
    done = run_in(student_venv, ["python", "-c", code], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(student_venv["student"] / "grader" / "__init__.py")
    helped = run_in(student_venv, ["chainrule", "--help"], cwd=tmp_path)
    assert helped.returncode == 0
    commands = helped.stdout.split("Commands:")[1].split()
    assert "grade" in commands and "list" in commands
    assert "release" not in commands and "generate" not in commands
    # the help speaks of what a student copy does (it told students that instructors generate)
    assert "generate" not in helped.stdout and "grade your NumPy exercises" in helped.stdout
    listed = run_in(student_venv, ["chainrule", "list"], cwd=tmp_path)
    assert listed.returncode == 0 and "Functions of this release (52)" in listed.stdout


def test_the_untouched_skeleton_scores_zero(student_venv):
    report = _grade_json(student_venv, "exercises", student_venv["student"])
    assert report["oracle"] == "the recording recorded.npz"
    assert report["score"] == 0 and report["max_score"] == TOTAL
    assert len(report["functions"]) == 52


def test_a_copy_of_the_reference_gets_full_marks(student_venv, tmp_path):
    ref = make_submission(tmp_path / "exercises")
    report = _grade_json(student_venv, ref, tmp_path)
    assert report["oracle"] == "the recording recorded.npz"
    assert report["score"] == report["max_score"] == TOTAL


def test_a_known_mistake_is_diagnosed_without_the_catalog(student_venv, tmp_path):
    sub = make_submission(tmp_path / "exercises", WRONG)
    done = run_in(student_venv, ["chainrule", "grade", str(sub), "--only", "optimizers.adam_step"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "known mistake: you left out the bias correction of the moments" in done.stdout
    # the recorded hint, the catalog's word for word (the catalog itself is not in the student tree)
    assert ("\n  Known mistake (every failing case): You left out the bias correction of the moments; "
            "they need m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ) before the step, or the first steps are far too "
            "small or too large.\n") in done.stdout


def test_a_module_linked_to_the_reference_is_refused(student_venv, tmp_path):
    sub = make_submission(tmp_path / "exercises")
    (sub / "activations.py").unlink()
    (sub / "activations.py").symlink_to(ROOT / "solutions" / "activations.py")
    done = run_in(student_venv, ["chainrule", "grade", str(sub)], cwd=tmp_path)
    assert done.returncode == 2     # a submission that is not what it should be: a bad invocation (README)
    assert "activations.py' is a link to '" in done.stderr
    assert "outside the submission folder; submit the file itself" in done.stderr
    assert "points" not in done.stdout


# ---------------------------------------------------------------------- GitHub Actions
def _run_step(release_dir):
    """The workflow's one ``run:`` step, extracted from classroom.yml."""
    lines = (release_dir / "student" / ".github" / "workflows" / "classroom.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "run: |")
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
    return textwrap.dedent("\n".join(body))


@pytest.fixture(scope="module")
def runner_python(tmp_path_factory):
    """A fresh virtual environment with nothing installed, as actions/setup-python's Python
    is when the workflow's step starts (the step installs the grader itself)."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    return {"venv": venv, "bin": venv / "bin"}


def _run_workflow(python, release_dir, repo, tmp_path):
    """The workflow's grading step run in ``repo`` as Actions runs a ``run:`` step (``bash
    --noprofile --norc -eo pipefail {0}``, with ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``
    and ``GITHUB_ACTIONS=true``); ``(done, doc, summary)``: the process, the reporter's JSON
    and the step summary's text."""
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    summary.write_text("")
    script = tmp_path / "step.sh"
    script.write_text(_run_step(release_dir))
    # the step's temporary folders (the grader's copy, the grader's run folders) in one folder
    # that the grader's unprivileged child may traverse, as /tmp on a runner, removed afterwards
    scratch = tempfile.mkdtemp(prefix="chainrule-runner-")
    os.chmod(scratch, 0o755)
    try:
        done = run_in(python, ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                      GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true",
                      TMPDIR=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = output.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("result="), lines
    doc = json.loads(base64.b64decode(lines[0][len("result="):], validate=True))
    return done, doc, summary.read_text()


def test_the_workflow_step_reports_partial_credit_per_function(runner_python, release_dir, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(release_dir / "student", repo, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    shutil.rmtree(repo / "exercises")
    make_submission(repo / "exercises", WRONG)
    done, doc, text = _run_workflow(runner_python, release_dir, repo, tmp_path)
    assert "chainrule grade: exercises" in done.stdout        # the text report in the log

    assert doc["version"] == 1 and doc["status"] == "fail" and doc["max_score"] == TOTAL
    tests = {t["name"]: t for t in doc["tests"]}
    assert list(tests) == qualified_names()
    for t in doc["tests"]:
        assert set(t) >= {"name", "status", "score", "max_score", "line_no", "message"}
        assert t["line_no"] == 0 and t["max_score"] == POINTS[t["name"]]
        assert t["status"] == ("pass" if t["score"] == t["max_score"] else "fail")
    adam, relu = tests["optimizers.adam_step"], tests["activations.relu_derivative"]
    assert adam["score"] == 0 and adam["status"] == "fail" and "Known mistake: You left out the bias correction of the moments" in adam["message"]
    assert relu["status"] == "fail" and 0 < relu["score"] < relu["max_score"]
    passed, total = (int(n) for n in relu["message"].split(" cases passed")[0].split(" of "))
    assert 0 < passed < total and relu["score"] == round(relu["max_score"] * passed / total, 2)
    others = [t for n, t in tests.items() if n not in ("optimizers.adam_step", "activations.relu_derivative")]
    assert all(t["status"] == "pass" for t in others)
    # the reporter's sums: every test's score over every runner's max_score
    points = sum(t["score"] for t in doc["tests"])
    assert points == pytest.approx(TOTAL - adam["max_score"] - relu["max_score"] + relu["score"])
    assert text.startswith("## chainrule grade: ")
    assert "<code>optimizers.adam_step</code>" in text and "You left out the bias correction of the moments" in text


def test_files_outside_the_protected_paths_do_not_change_the_classroom_score(runner_python, release_dir, tmp_path):
    """trial17b finding 1: a setup.py added at the repository's root (no protected path
    changed) ran in the workflow's `pip install -e .` and rewrote the grader: Classroom
    reported 68/68 for the untouched skeleton. The files Python or pip would run from the
    repository (setup.py, sitecustomize.py, usercustomize.py, a .pth file, a module named
    like one the grader might import) now change nothing: the untouched skeleton scores 0."""
    repo = tmp_path / "repo"
    shutil.copytree(release_dir / "student", repo)
    ran = tmp_path / "ran"
    forge = textwrap.dedent(f"""
        import os
        open({str(ran)!r}, "a").write(__file__ + "\\n")
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "grader", "classroom_report.py")
        if os.path.exists(path):
            text = open(path).read()
            open(path, "w").write(text.replace('"score": shown[fr.qualname],', '"score": fr.max_score,  # FORGED'))
    """)
    (repo / "setup.py").write_text(forge + "\nfrom setuptools import setup\nsetup()\n")
    for name in ("sitecustomize.py", "usercustomize.py", "readline.py", "psutil.py", "tomli.py"):
        (repo / name).write_text(forge)
    (repo / "forge.pth").write_text(f"import os; open({str(ran)!r}, 'a').write('pth\\n')\n")
    original = (repo / "grader" / "classroom_report.py").read_text()

    done, doc, _ = _run_workflow(runner_python, release_dir, repo, tmp_path)
    assert not ran.exists(), ran.read_text()
    assert (repo / "grader" / "classroom_report.py").read_text() == original
    assert doc["max_score"] == TOTAL
    assert sum(t["score"] for t in doc["tests"]) == 0
    assert all(t["message"] == "Not implemented yet." for t in doc["tests"])


def test_the_classroom_command_refuses_to_run_outside_actions(student_venv, tmp_path):
    env_less = run_in(student_venv, ["chainrule", "classroom", str(student_venv["student"] / "exercises")],
                      cwd=tmp_path, GITHUB_OUTPUT="")
    assert env_less.returncode == 2
    assert "GITHUB_OUTPUT is not set" in env_less.stderr


# ---------------------------------------------------------------------- Gradescope
@pytest.fixture(scope="module")
def autograder(release_dir, student_venv):
    """The zip unpacked as Gradescope does (source/ plus run_autograder at the root) in a
    folder that everyone may traverse, and setup.sh run in the student environment."""
    base = Path(tempfile.mkdtemp(prefix="chainrule-ag-"))
    os.chmod(base, 0o755)
    source = base / "source"
    with zipfile.ZipFile(release_dir / "autograder.zip") as archive:
        archive.extractall(source)
        for info in archive.infolist():
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    for folder, dirs, _ in os.walk(source):
        for d in dirs:
            os.chmod(Path(folder, d), 0o755)
    os.chmod(source, 0o755)
    shutil.copy2(source / "run_autograder", base / "run_autograder")
    setup = run_in(student_venv, ["bash", str(source / "setup.sh")], cwd=base)
    assert setup.returncode == 0, setup.stderr
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _grade_on_gradescope(venv, base, place):
    for name in ("submission", "results"):
        shutil.rmtree(base / name, ignore_errors=True)
    (base / "submission").mkdir(mode=0o755)
    (base / "results").mkdir(mode=0o755)
    place(base / "submission")
    done = run_in(venv, ["bash", str(base / "run_autograder")], cwd="/", AUTOGRADER_ROOT=str(base))
    assert done.returncode == 0, done.stderr
    return json.loads((base / "results" / "results.json").read_text())


def _valid_results(doc):
    assert isinstance(doc["score"], float) and isinstance(doc["execution_time"], int)
    assert doc["output_format"] == doc["test_output_format"] == "text"
    for t in doc["tests"]:
        assert isinstance(t["name"], str) and isinstance(t["number"], str)
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] == ("passed" if t["score"] == t["max_score"] else "failed")
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))


def test_gradescope_gives_a_correct_submission_full_marks(student_venv, autograder):
    doc = _grade_on_gradescope(student_venv, autograder,
                               lambda sub: make_submission(sub / "exercises"))
    _valid_results(doc)
    public = [t for t in doc["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in doc["tests"] if t["visibility"] != "visible"]
    assert [t["name"] for t in public] == qualified_names()
    # every function but those whose cases are fixed (the same inputs on every seed) has a hidden test
    assert [t["name"] for t in hidden] == [f"{q} (hidden checks)" for q in qualified_names() if q not in FIXED_ONLY]
    assert {t["visibility"] for t in hidden} == {"after_published"}
    assert doc["score"] == pytest.approx(TOTAL)
    assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(TOTAL)
    assert "Graded submission/exercises" in doc["output"]
    # nothing visible says the total before the hidden tests are shown: the message names the public points
    public_max = sum(t["max_score"] for t in public)
    assert doc["output"].startswith(f"Public checks: {public_max:g} / {public_max:g} points.")
    assert f"{TOTAL:g}" not in doc["output"].replace(f"{TOTAL - public_max:g} more points", "")


def test_gradescope_grades_top_level_modules_and_hidden_checks(student_venv, autograder):
    def place(sub):
        make_submission(sub / "tmp", WRONG)
        for path in (sub / "tmp").iterdir():
            path.rename(sub / path.name)
        (sub / "tmp").rmdir()
        (sub / "README.md").write_text("my work\n")

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    tests = {t["name"]: t for t in doc["tests"]}
    adam_pub, adam_hid = tests["optimizers.adam_step"], tests["optimizers.adam_step (hidden checks)"]
    assert adam_pub["score"] == adam_hid["score"] == 0
    assert adam_pub["max_score"] + adam_hid["max_score"] == POINTS["optimizers.adam_step"]
    assert adam_pub["max_score"] == pytest.approx(0.2 * POINTS["optimizers.adam_step"])   # the default share
    assert "0 of 10 hidden cases passed" in adam_hid["output"]
    assert "Known mistake: You left out the bias correction of the moments" in adam_hid["output"]   # as the public test says it
    assert "no-bias-correction" not in adam_hid["output"]
    assert "[0, 0]" not in adam_hid["output"]         # no numbers of a hidden case
    relu_hid = tests["activations.relu_derivative (hidden checks)"]
    assert 0 < relu_hid["score"] < relu_hid["max_score"]
    wrong = {"optimizers.adam_step", "activations.relu_derivative"}
    assert all(t["status"] == "passed" for n, t in tests.items() if n.replace(" (hidden checks)", "") not in wrong)
    assert "Graded submission " in doc["output"] or "Graded submission." in doc["output"]


def test_gradescope_grades_a_linked_repository_from_exercises_despite_a_stray_module(
        student_venv, release_dir, autograder):
    """trial17b finding 4: a GitHub-linked repository (the template's grader/ and chainrule/
    beside exercises/) with a scratch training.py at its top got 0 on Gradescope ("both the
    folder itself and its exercises/ hold modules") while its Classroom run graded exercises/.
    Now Gradescope grades exercises/ too, and its output names the file not graded."""
    def place(sub):
        shutil.copytree(release_dir / "student", sub, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("exercises"))
        make_submission(sub / "exercises")
        (sub / "training.py").write_text("print('my own training script')\n")

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    assert doc["score"] == pytest.approx(TOTAL)
    assert "Graded submission/exercises (public checks: seed 2026). Not graded: training.py at the top of " \
           "the repository (a repository is graded from its exercises/ folder)." in doc["output"]


def test_gradescope_refuses_a_submission_linked_to_the_reference(student_venv, autograder):
    def place(sub):
        ex = make_submission(sub / "exercises")
        (ex / "activations.py").unlink()
        (ex / "activations.py").symlink_to(ROOT / "solutions" / "activations.py")

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    assert doc["score"] == 0
    assert "Submission refused:" in doc["output"] and "outside the submission folder" in doc["output"]
    assert all(t["score"] == 0 for t in doc["tests"])


def test_gradescope_explains_a_submission_without_modules(student_venv, autograder):
    doc = _grade_on_gradescope(student_venv, autograder, lambda sub: (sub / "notes.txt").write_text("hi"))
    assert doc["score"] == 0
    assert doc["output"].startswith("Not graded: No exercise modules found in the submission: upload activations.py")


@pytest.mark.skipif(os.geteuid() != 0, reason="the privilege drop exists only when grading as root")
def test_a_hostile_submission_finds_no_hidden_recording(student_venv, autograder):
    (autograder / "public.txt").write_text("anyone may read this\n")
    os.chmod(autograder / "public.txt", 0o644)
    hostile = f'''
import os

def sigmoid(x):
    root = {str(autograder)!r}
    readable, listed = [], []
    targets = [os.path.join(root, "source", "grader", "data", "recorded.npz"),
               os.path.join(root, "source", "autograder.json"),
               os.path.join(root, "results", "results.json"),
               os.path.join(root, "public.txt")]
    for dirpath, dirs, files in os.walk(root):
        listed.append(dirpath)
        targets += [os.path.join(dirpath, f) for f in files]
    for path in targets:
        try:
            with open(path, "rb") as handle:
                handle.read(16)
            readable.append(os.path.relpath(path, root))
        except OSError:
            pass
    print("HOSTILE uid", os.getuid(), "listed", sorted(os.path.relpath(d, root) for d in listed))
    print("HOSTILE readable", sorted(set(readable)))
    return x
'''

    def place(sub):
        ex = make_submission(sub / "exercises")
        (ex / "activations.py").write_text((ex / "activations.py").read_text() + "\n" + hostile)

    doc = _grade_on_gradescope(student_venv, autograder, place)
    out = next(t for t in doc["tests"] if t["name"] == "activations.sigmoid")["output"]
    assert "HOSTILE uid 0 " not in out and "HOSTILE uid" in out
    readable = out.split("HOSTILE readable ")[1].splitlines()[0]
    from grader import landlock

    if landlock.abi() > 0:      # Landlock: nothing outside the child's run folder at all
        assert readable == "[]"
    else:
        assert "'public.txt'" in readable              # the walk works: it reads what it may
        assert "'.'" in out.split("listed")[1]         # it listed the top, not source/ nor results/
    assert "source" not in readable and "results" not in readable and ".npz" not in readable
    assert "'source'" not in out.split("listed")[1]
    mode = stat.S_IMODE(os.stat(autograder / "source").st_mode)
    assert mode == 0o700


def test_gradescope_does_not_rerun_a_function_that_hangs(student_venv, autograder):
    def place(sub):
        make_submission(sub / "exercises", {"activations": """
            def relu(x):
                while True:
                    pass
        """})

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    tests = {t["name"]: t for t in doc["tests"]}
    assert "timed out after 5 s" in tests["activations.relu"]["output"]
    hidden = tests["activations.relu (hidden checks)"]
    assert hidden["score"] == 0 and hidden["status"] == "failed"
    assert hidden["output"].startswith("Not run: this function timed out on the public checks")
    assert tests["activations.relu_derivative (hidden checks)"]["status"] == "passed"
    assert doc["execution_time"] < 30


def test_gradescope_refuses_an_exercises_folder_linked_out_of_the_submission(student_venv, autograder, tmp_path):
    outside = make_submission(tmp_path / "elsewhere")

    def place(sub):
        (sub / "exercises").symlink_to(outside)

    doc = _grade_on_gradescope(student_venv, autograder, place)
    assert doc["score"] == 0
    assert doc["output"] == (f"Not graded: Submission refused: 'exercises' is a link to '{outside}', outside the "
                             "submission folder; submit the folder itself (links that leave the submission are "
                             "never followed).")


# ---------------------------------------------------------------------- worksheets, in the student install
def _key_answers(key_md):
    """The answers a key prints for one problem, ``{name: "value"}``, read from its text."""
    import re

    text = key_md.read_text()
    numbers = re.findall(r"^- [a-z]\) `(\w+)`: \$([^$]+)\$", text, re.M)
    assert numbers, f"no answers found in {key_md}"
    return dict(numbers)


def test_a_practice_sheet_is_checked_in_the_student_install(student_venv, tmp_path):
    """The instructor makes a practice sheet with the full kit; a student checks it with the
    release alone (no sympy, no generator): right answers pass, a wrong sign is named, too
    few digits is said, and no expected value is printed."""
    from click.testing import CliRunner

    from chainrule.cli import cli

    (tmp_path / "roster.csv").write_text("id,name\ns1,Ada\n")
    made = CliRunner().invoke(cli, ["generate", "--students", str(tmp_path / "roster.csv"), "--seed", "11",
                                    "--families", "output_update", "--format", "md", "--practice",
                                    "--out", str(tmp_path / "practice")])
    assert made.exit_code == 0, made.output
    key = _key_answers(tmp_path / "practice" / "keys" / "s1" / "key.md")
    names = list(key)
    assert len(names) == 5, key                      # dE/do, do/dz, dz/dw, dE/dw, the new weight
    answers = (tmp_path / "practice" / "students" / "s1" / "answers.toml").read_text()
    for name in names[:3]:
        answers = answers.replace(f'{name} = ""', f'{name} = "{key[name]}"', 1)
    gradient = key[names[3]]
    flipped = gradient[1:] if gradient.startswith("-") else "-" + gradient
    answers = answers.replace(f'{names[3]} = ""', f'{names[3]} = "{flipped}"', 1)
    short = f"{float(key[names[4]]):.2g}"
    answers = answers.replace(f'{names[4]} = ""', f'{names[4]} = "{short}"', 1)
    sheet = tmp_path / "student" / "answers.toml"
    sheet.parent.mkdir()
    sheet.write_text(answers)

    done = run_in(student_venv, ["chainrule", "check", "answers.toml"], cwd=sheet.parent)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Practice sheet: judged from salted hashes" in out
    for name in names[:3]:
        assert f"✓ a) {name}" in out or f"✓ b) {name}" in out or f"✓ c) {name}" in out
    assert f'✗ d) {names[3]} = "{flipped}"' in out
    wrong = out.split(f'✗ d) {names[3]}')[1].splitlines()[0]
    assert "sign" in wrong or "o_" in wrong          # a wrong sign or the named t - o mistake
    assert f"… e) {names[4]} = \"{short}\": cannot be judged with 2 digits; give 8 significant digits" in out
    assert "3 of 5" in out
    shown = out.replace(f'"{flipped}"', "").replace(f'"{short}"', "")   # leave out the student's own text
    for name in names[3:]:
        assert key[name].lstrip("-") not in shown    # the answers stay hidden
    # without sympy in the environment at all
    probe = run_in(student_venv, ["python", "-c", "import sympy"], cwd=tmp_path)
    assert probe.returncode != 0


def test_a_graded_sheet_in_the_student_install_asks_for_the_secret(student_venv, tmp_path):
    from click.testing import CliRunner

    from chainrule.cli import cli

    (tmp_path / "roster.csv").write_text("id\ns1\n")
    (tmp_path / "course.secret").write_text("ab" * 32 + "\n")
    made = CliRunner().invoke(cli, ["generate", "--students", str(tmp_path / "roster.csv"),
                                    "--secret-file", str(tmp_path / "course.secret"),
                                    "--families", "loss_values", "--format", "md", "--out", str(tmp_path / "g")])
    assert made.exit_code == 0, made.output
    done = run_in(student_venv, ["chainrule", "check", str(tmp_path / "g" / "students" / "s1" / "answers.toml")],
                  cwd=tmp_path)
    assert done.returncode == 1
    # a student copy is told to hand it in (it was shown the instructor's command)
    assert done.stderr.strip() == (
        f"Error: '{tmp_path / 'g' / 'students' / 's1' / 'answers.toml'}' is a graded sheet, which only your "
        "instructor can check (with the course secret): hand it in; nothing was judged.")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_an_open_sheet_in_the_student_install_is_refused_in_one_line(student_venv, tmp_path):
    """An open sheet is rebuilt by the generator, which a student install does not hold."""
    from click.testing import CliRunner

    from chainrule.cli import cli

    (tmp_path / "roster.csv").write_text("id\ns1\n")
    made = CliRunner().invoke(cli, ["generate", "--students", str(tmp_path / "roster.csv"),
                                    "--families", "loss_values", "--format", "md", "--out", str(tmp_path / "o")])
    assert made.exit_code == 0, made.output
    sheet = tmp_path / "o" / "students" / "s1" / "answers.toml"
    done = run_in(student_venv, ["chainrule", "check", str(sheet)], cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: '{sheet}' is an open worksheet, which only the full chainrule kit (with its generator and "
        "sympy) can check, not this student installation: hand it in to your instructor, or check it where the "
        "full kit is installed; nothing was judged.")
    assert done.stdout == ""


# a submission that answers from a table: every public case's inputs and expected values,
# read from the student copy's own recording (what a student has), looked up by the inputs
LOOKUP_BUILDER = r'''
import hashlib, json, os, sys
import numpy as np
from chainrule_core.contract import CONTRACT
from grader.framework import _arg_bytes
from grader.oracle import RecordedOracle, DEFAULT_RECORDING
from grader.specs import cases_for
from grader.values import Rng

def pair(r):
    if r.kind in ("tuple", "list"):
        return [r.kind, [pair(x) for x in r.value]]
    return [r.kind, plain(r)]

def plain(r):
    if r.kind == "array":
        return np.array(r.value).tolist()
    if r.kind == "npscalar":
        return r.value[()].item()
    return r.value

oracle = RecordedOracle(DEFAULT_RECORDING)
seed = oracle.seeds()[0]
table = {}
for module, names in CONTRACT.items():
    for name in names:
        q = f"{module}.{name}"
        for case in cases_for(q, seed):
            if case.kind == "stat":
                continue
            outputs = iter(oracle.expected(case, seed))
            def callee(call, q=q):
                out = next(outputs)
                args = call.materialize()
                if not any(isinstance(a, (Rng, np.random.Generator)) for a in args):
                    key = hashlib.sha256(b"|".join(_arg_bytes(a) for a in args)).hexdigest()
                    table.setdefault(q, {})[key] = pair(out)
                return out
            case.run(callee)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "_table.json"), "w") as f:
    json.dump(table, f)
with open(os.path.join(out, "_lookup.py"), "w") as f:
    f.write("""import hashlib, json, os
import numpy as np
T = json.load(open(os.path.join(os.path.dirname(__file__), "_table.json")))
def _ab(a):
    if isinstance(a, np.ndarray):
        return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()
    if isinstance(a, (list, tuple)):
        return b"(" + b",".join(_ab(x) for x in a) + b")"
    return repr(a).encode()
def _back(kind, v):
    if kind == "tuple":
        return tuple(_back(k, x) for k, x in v)
    if kind == "list":
        return [_back(k, x) for k, x in v]
    if kind in ("array", "npscalar"):
        return np.array(v) if kind == "array" else np.float64(v)
    return v
def look(q, args):
    kind, v = T[q][hashlib.sha256(b"|".join(_ab(a) for a in args)).hexdigest()]
    return _back(kind, v)
""")
for module, names in CONTRACT.items():
    with open(os.path.join(out, module + ".py"), "w") as f:
        f.write("from ._lookup import look\n")
        for name in names:
            f.write(f"def {name}(*args):\n    return look({module + '.' + name!r}, args)\n")
print(sum(len(v) for v in table.values()))
'''


def test_a_lookup_of_the_student_copy_earns_only_the_public_share(student_venv, autograder, tmp_path):
    # the attack of a student who has only the student copy: a table of its recorded public
    # cases. It must pass public cases (the attack is real) and earn no hidden point
    script = tmp_path / "build_lookup.py"
    script.write_text(LOOKUP_BUILDER)
    made = tmp_path / "lookup"
    done = run_in(student_venv, ["python", str(script), str(made)], cwd=student_venv["student"])
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 200        # entries in the table

    doc = _grade_on_gradescope(student_venv, autograder, lambda sub: shutil.copytree(made, sub / "exercises"))
    _valid_results(doc)
    public = [t for t in doc["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in doc["tests"] if t["visibility"] != "visible"]
    assert sum(t["score"] for t in public) > 0.8 * sum(t["max_score"] for t in public)   # the lookup works publicly
    assert sum(t["score"] for t in hidden) == 0                                          # and earns nothing hidden
    fixed = sum(POINTS[q] for q in FIXED_ONLY)
    assert doc["score"] <= 0.2 * (TOTAL - fixed) + fixed + 1e-6                          # 13.6 of 68 at most


def test_gradescope_grades_uploaded_notebooks(student_venv, autograder):
    """Session 7's trial: a notebook course's students upload <module>.ipynb; the autograder
    gave 0 and asked for activations.py, which they do not have."""
    common = (ROOT / "solutions" / "_common.py").read_text()
    code = common + "\n" + (ROOT / "solutions" / "activations.py").read_text().replace(
        "from ._common import as_float\n", "")

    def place(sub):
        cells = [{"cell_type": "code", "id": "c0", "metadata": {}, "execution_count": None, "outputs": [],
                  "source": code}]
        (sub / "activations.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                           "cells": cells}))

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    assert not doc["output"].startswith("Not graded"), doc["output"]
    tests = {t["name"]: t for t in doc["tests"]}
    assert tests["activations.sigmoid"]["score"] == tests["activations.sigmoid"]["max_score"] > 0
    assert doc["score"] > 0


def test_gradescope_writes_results_for_a_notebook_that_crashed_the_autograder(student_venv, autograder):
    """A student attack: a 5000-digit integer in a notebook's JSON (and a list as its module
    name) ended the autograder with a traceback and no results.json ("autograder failed")."""
    def place(sub):
        (sub / "activations.ipynb").write_text('{"nbformat": 4, "cells": [], "metadata": {"chainrule": '
                                               '{"module": ["activations"]}}, "n": ' + "9" * 5000 + "}")

    doc = _grade_on_gradescope(student_venv, autograder, place)
    _valid_results(doc)
    assert doc["score"] == 0
    assert doc["output"].startswith("Not graded: Notebook ")
    assert "is not valid JSON (Exceeds the limit (4300 digits)" in doc["output"]
