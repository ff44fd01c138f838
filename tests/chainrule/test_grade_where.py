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
