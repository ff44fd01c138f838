"""Which folder `chainrule grade` grades: the one given, a repository's exercises/ folder, or
the exercises folder the student stands in (found by a new-user trial: from inside
exercises/ the default said "Submission folder 'exercises' does not exist")."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def grade(cwd, *args):
    done = subprocess.run([sys.executable, "-m", "chainrule", "grade", *args, "--only", "activations.relu",
                           "--format", "json"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return done.returncode, done.stdout, done.stderr


def repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "solutions", repo / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "README.md").write_text("a student's repository\n")
    return repo


def test_a_repository_given_is_graded_in_its_exercises_folder(tmp_path):
    repo = repository(tmp_path)
    code, out, err = grade(tmp_path, "repo")
    assert code == 0, err
    report = json.loads(out)
    assert report["functions"][0]["passed"]
    assert report["submission"].replace("\\", "/").endswith("repo/exercises")
    code2, out2, _ = grade(repo / "exercises")     # no argument, standing in exercises/
    assert code2 == 0
    assert json.loads(out2)["seed"] == report["seed"]     # the same files, the same cases
    assert json.loads(out2)["submission"] == "."


def test_without_exercises_here_the_default_still_says_what_is_missing(tmp_path):
    code, _out, err = grade(tmp_path)
    assert code == 2
    assert "Submission folder 'exercises' does not exist" in err
    assert "Traceback" not in err


def test_work_both_in_a_folder_and_its_exercises_is_refused_as_grade_all_refuses_it(tmp_path):
    """`grade REPO` graded the notebooks at REPO's top, grade-all graded REPO/exercises (and
    `grade` alone, standing in REPO, graded exercises/ too): one score at home, another in
    the gradebook. Now each refuses, naming both places."""
    from grader.locate import NotGradable, find_modules

    repo = repository(tmp_path)
    (repo / "activations.ipynb").write_text("{}")
    sentence = ("both the folder itself (activations.ipynb) and its exercises/ folder (activations.py, "
                "losses.py, ...) hold exercise modules; keep the work in one of them (grading either "
                "would be a guess).")
    code, out, err = grade(tmp_path, "repo")
    assert (code, out) == (2, "")
    assert f"'repo': {sentence}" in err and "Traceback" not in err
    code, out, err = grade(repo)
    assert (code, out) == (2, "")
    assert f"'.': {sentence}" in err
    try:
        find_modules(str(repo))
    except NotGradable as exc:
        assert str(exc) == sentence[0].upper() + sentence[1:]
    else:
        raise AssertionError("grade-all's rule graded one of the two")


def whole_repository(tmp_path):
    """A repository as a release hands it out (trial17b finding 4): the kit's own grader/ and
    chainrule/ beside exercises/, and a scratch training.py of the student's at its top."""
    repo = repository(tmp_path)
    for package in ("grader", "chainrule"):
        (repo / package).mkdir()
        (repo / package / "__init__.py").write_text("")
    (repo / "training.py").write_text("print('scratch')\n")
    return repo


NOT_GRADED = "Not graded: training.py at the top of the repository (a repository is graded from its exercises/ folder)."


def test_a_whole_repository_with_a_stray_module_is_graded_from_exercises_and_says_so(tmp_path):
    """trial17b finding 4: a linked repository with a scratch training.py at its top got 0 on
    Gradescope ("both the folder itself and its exercises/ hold modules") and `chainrule grade`
    refused it, while Classroom graded exercises/. Now every path grades its exercises/ and
    the report names the module at the top that was not graded."""
    from grader.locate import find_modules, top_not_graded, two_places

    repo = whole_repository(tmp_path)
    assert two_places(str(repo)) is None
    assert find_modules(str(repo)) == str(repo / "exercises")      # grade-all and Gradescope
    assert top_not_graded(str(repo / "exercises")) == NOT_GRADED
    for cwd, args in ((tmp_path, ("repo",)), (repo, ()), (repo, ("exercises",))):
        code, out, err = grade(cwd, *args)
        assert code == 0, err
        report = json.loads(out)
        assert report["functions"][0]["passed"]
        assert report["submission"].replace("\\", "/").endswith("exercises")
        assert report["not_graded"] == NOT_GRADED
    done = subprocess.run([sys.executable, "-m", "chainrule", "grade", "--only", "activations.relu"], cwd=repo,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2] == NOT_GRADED       # under the report's first lines
    # without a module at its top, nothing to say
    (repo / "training.py").unlink()
    code, out, _ = grade(tmp_path, "repo")
    assert code == 0 and "not_graded" not in json.loads(out)


def test_a_folder_with_only_one_kit_package_is_no_repository(tmp_path):
    """Only the kit's own two packages make a repository: a student's own grader/ folder
    beside the work does not settle which copy is the work."""
    from grader.locate import NotGradable, find_modules, two_places

    repo = whole_repository(tmp_path)
    shutil.rmtree(repo / "chainrule")
    assert two_places(str(repo)) is not None
    try:
        find_modules(str(repo))
    except NotGradable as exc:
        assert exc.kind == "several"
    else:
        raise AssertionError("a folder without the kit's packages was graded")
    code, out, err = grade(tmp_path, "repo")
    assert (code, out) == (2, "") and "hold exercise modules" in err


def test_grade_all_grades_a_whole_repository_from_exercises_too(tmp_path):
    """grade-all finds the same folder (grader.locate), folder or zip of the repository, and the
    report of each names the module at its top (a zip extracts only exercises/: review 17
    found its report without that line); `chainrule grade` of the zip says it too."""
    from tests.grader.test_grade_all import ACT, ONLY, read_csv, run, zip_folder

    subs = tmp_path / "subs"
    subs.mkdir()
    repo = whole_repository(subs)
    zip_folder(repo, subs / "zed.zip")
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stdout + stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert {k: float(v[-2]) for k, v in rows.items()} == {"repo": ACT, "zed": ACT}
    report = (tmp_path / "out" / "reports" / "repo.md").read_text()
    assert "Submission `repo/exercises`" in report and NOT_GRADED in report
    zipped = (tmp_path / "out" / "reports" / "zed.md").read_text()
    assert "Submission `zed.zip/exercises`" in zipped and NOT_GRADED in zipped, zipped
    code, out, err = grade(subs, "zed.zip")
    assert code == 0, err
    assert json.loads(out)["not_graded"] == NOT_GRADED
