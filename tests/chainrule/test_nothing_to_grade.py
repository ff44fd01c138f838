"""Session 17's trial (17a finding 5): ``chainrule grade FOLDER`` on an existing folder with
no contract module exited 1, while the README counts a submission that is "not what it
should be" as a bad invocation (2), as a missing one; and grade-all said "1 not graded" (and
summary.md "Not graded") for an entry with nothing gradable, the words the README uses for
the grader's own failures (exit 1). Now every submission ``grade`` is given that exists but
cannot be graded is exit 2, where a class or a CI run grades it it is that submission's 0
points with the reason, and grade-all keeps "with nothing to grade" apart from failures."""

import base64
import json
import zipfile

from click.testing import CliRunner

from chainrule.cli import cli
from tests.grader.conftest import SOLUTIONS, make_submission


def run(*args, env=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="chainrule", env=env)
    return result


def test_grade_of_a_submission_that_is_not_what_it_should_be_is_a_bad_invocation(tmp_path):
    (tmp_path / "kim").mkdir()                          # an empty hand-in
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no code\n")
    with zipfile.ZipFile(tmp_path / "nothing.zip", "w") as archive:
        archive.writestr("notes/readme.txt", "no code here\n")
    (tmp_path / "activations.ipynb").write_text("{not json")
    linked = make_submission(tmp_path / "linked")
    (linked / "losses.py").unlink()
    (linked / "losses.py").symlink_to(SOLUTIONS / "losses.py")
    for given, said in ((tmp_path / "kim", "has none of the contract modules"),
                        (tmp_path / "notes", "has none of the contract modules"),
                        (tmp_path / "nothing.zip", "Cannot grade the zip"),
                        (tmp_path / "activations.ipynb", "is not valid JSON"),
                        (linked, "Submission refused:")):
        result = run("grade", given)
        assert result.exit_code == 2, (given, result.output)
        # the reason alone: the command was typed right, the files are the problem (review 17)
        assert result.output.startswith("Error: ") and "Usage:" not in result.output, result.output
        [error] = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert said in error and "Traceback" not in result.output
    # as a missing submission is
    assert run("grade", tmp_path / "nope").exit_code == 2


def test_classroom_still_writes_zero_points_and_the_reason_for_such_a_submission(tmp_path):
    (tmp_path / "kim").mkdir()
    output = tmp_path / "out"
    output.write_text("")
    result = run("classroom", tmp_path / "kim", env={"GITHUB_OUTPUT": str(output)})
    assert result.exit_code == 0, result.output
    doc = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    assert doc["status"] == "error" and all(t["score"] == 0 for t in doc["tests"])
    assert "has none of the contract modules" in doc["tests"][0]["message"]
    assert result.output.startswith("Not graded: Submission folder ")


def test_grade_all_keeps_nothing_to_grade_apart_from_a_grader_failure(tmp_path, monkeypatch):
    import grader

    subs = tmp_path / "subs"
    make_submission(subs / "ann" / "exercises")
    make_submission(subs / "bob" / "exercises")
    (subs / "kim").mkdir()
    out = tmp_path / "out"
    result = run("grade-all", subs, "--out", out, "--only", "activations.relu", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Graded 2 of 3 submissions into " in result.stdout
    assert "; 1 with nothing to grade (see summary.md)." in result.stdout
    assert "not graded" not in result.stdout
    summary = (out / "summary.md").read_text()
    assert ("## Nothing to grade\n\nThese submissions hold nothing the grader can grade, by their own fault "
            "(0 points in grades.csv; a rerun grades them again only once their files change):\n\n- kim: no "
            "exercise module") in summary
    assert "## Grader failures" not in summary and "## Not graded" not in summary

    # the grader fails on bob (a child that cannot start): its own words, exit 1
    real = grader.grade_submission

    def failing(folder, **kwargs):
        if "/bob/" in folder + "/":
            from chainrule_core.errors import ChainruleError
            raise ChainruleError("the child process could not start")
        return real(folder, **kwargs)

    monkeypatch.setattr(grader, "grade_submission", failing)
    again = tmp_path / "again"
    result = run("grade-all", subs, "--out", again, "--only", "activations.relu", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "; 1 with nothing to grade and 1 the grader failed on (see summary.md)." in result.stdout
    summary = (again / "summary.md").read_text()
    nothing, failures = summary.split("## Nothing to grade", 1)[1].split("## Grader failures", 1)
    assert "- kim: no exercise module" in nothing and "bob" not in nothing
    assert failures.startswith("\n\nThe grader itself failed on these, not the submissions")
    assert "- bob: the child process could not start" in failures
    html = (again / "summary.html").read_text()
    assert "<h2>Nothing to grade</h2>" in html and "<h2>Grader failures</h2>" in html
