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
