"""``chainrule classroom`` (the reporter's result for GitHub Classroom) and the release
settings a student grader reads (grader.release_settings)."""

import base64
import json

from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import qualified_names
from grader import release_settings
from chainrule_core.contract import POINTS
from tests.grader.conftest import SOLUTIONS, make_submission


def _invoke(tmp_path, *args):
    output, summary = tmp_path / "out", tmp_path / "summary"
    output.write_text("")
    result = CliRunner().invoke(cli, ["classroom", *args],
                                env={"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)})
    lines = output.read_text().splitlines()
    doc = json.loads(base64.b64decode(lines[0].split("=", 1)[1])) if lines else None
    return result, doc, summary.read_text() if summary.exists() else ""


def test_a_refused_submission_is_an_error_result_with_zero_points(tmp_path):
    sub = make_submission(tmp_path / "exercises")
    (sub / "losses.py").unlink()
    (sub / "losses.py").symlink_to(SOLUTIONS / "losses.py")
    result, doc, summary = _invoke(tmp_path, str(sub))
    assert result.exit_code == 0, result.output
    assert doc["status"] == "error" and doc["version"] == 1
    assert doc["max_score"] == sum(POINTS.values())
    assert [t["name"] for t in doc["tests"]] == qualified_names()
    assert all(t["score"] == 0 and t["status"] == "fail" and t["line_no"] == 0 for t in doc["tests"])
    assert "/losses.py' is a link to" in doc["tests"][0]["message"]
    assert summary.startswith("## chainrule grade: not graded\n\nSubmission refused:")
    assert result.stdout.startswith("Not graded: Submission refused:")


def test_one_function_graded_gives_one_test(tmp_path, monkeypatch):
    sub = make_submission(tmp_path / "exercises")
    monkeypatch.setattr(release_settings, "SETTINGS_FILE", str(tmp_path / "none.json"))
    settings = tmp_path / "release.json"
    settings.write_text(json.dumps({"functions": ["training.log_uniform"]}))
    monkeypatch.setattr(release_settings.functions, "__defaults__", (str(settings),))
    result, doc, summary = _invoke(tmp_path, str(sub))
    assert result.exit_code == 0, result.output
    assert doc == {"version": 1, "status": "pass", "max_score": 1.0,
                   "tests": [{"name": "training.log_uniform", "status": "pass", "score": 1.0, "max_score": 1.0,
                              "line_no": 0, "message": doc["tests"][0]["message"]}]}
    assert doc["tests"][0]["message"].startswith("All ") and "cases passed" in doc["tests"][0]["message"]
    assert "`training.log_uniform`" in summary


def test_release_settings_filter_order_and_validate(tmp_path):
    path = tmp_path / "release.json"
    path.write_text(json.dumps({"functions": ["training.log_uniform", "activations.relu", "nope.x"],
                                "points": {"activations.relu": 3, "activations.tanh": -1, "x": "two"}}))
    assert release_settings.functions(path) == ["activations.relu", "training.log_uniform"]
    assert release_settings.points(path) == {"activations.relu": 3.0}
    assert release_settings.functions(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{")
    assert release_settings.points(tmp_path / "bad.json") == {}


def test_list_shows_only_the_released_functions(tmp_path, monkeypatch):
    settings = tmp_path / "release.json"
    settings.write_text(json.dumps({"functions": ["training.log_uniform", "activations.relu"]}))
    monkeypatch.setattr(release_settings.functions, "__defaults__", (str(settings),))
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Functions of this release (2) with their points (2 in all), as module.function:\n"
                                    "  activations             1 point\n"
                                    "    activations.relu      1\n"
                                    "  training                1 point\n"
                                    "    training.log_uniform  1\n")
    assert "--points" not in result.stdout      # a student cannot choose the points


def test_a_repository_without_its_exercises_folder_is_an_error_result_not_a_bad_invocation(tmp_path, monkeypatch):
    """Trial 19c: the workflow runs `chainrule classroom exercises`; a repository whose exercises/
    was renamed or deleted made it exit 2 with no result, so the reporter step never ran and the
    student's score page stayed empty. Like an empty exercises/: 0 points and the reason."""
    monkeypatch.chdir(tmp_path)
    result, doc, summary = _invoke(tmp_path, "exercises")
    assert result.exit_code == 0, result.output
    reason = ("Submission folder 'exercises' does not exist: the exercise modules (activations.py, losses.py, "
              "layers.py, ...) are graded from it; put it back as the template repository has it (exercises/ at "
              "the top of the repository), with your modules in it.")
    assert doc["status"] == "error" and doc["max_score"] == sum(POINTS.values())
    assert [t["name"] for t in doc["tests"]] == qualified_names()
    assert all(t["score"] == 0 and t["status"] == "fail" and t["message"] == reason for t in doc["tests"])
    assert summary == f"## chainrule grade: not graded\n\n{reason}\n"
    assert result.stdout == f"Not graded: {reason}\n"
    # as an empty exercises/ folder exits
    (tmp_path / "exercises").mkdir()
    empty, empty_doc, _summary = _invoke(tmp_path, "exercises")
    assert empty.exit_code == 0 and empty_doc["status"] == "error"
    # `chainrule grade` of a missing folder stays a bad invocation
    graded = CliRunner().invoke(cli, ["grade", "missing"])
    assert graded.exit_code == 2 and "Submission 'missing' does not exist" in graded.output


def test_modules_uploaded_at_the_top_of_the_repository_are_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_submission(tmp_path / "uploaded")
    for name in ("activations.py", "losses.py"):
        (tmp_path / "uploaded" / name).rename(tmp_path / name)
    result, doc, summary = _invoke(tmp_path)
    assert result.exit_code == 0, result.output
    reason = ("Submission folder 'exercises' does not exist, and activations.py and losses.py are at the top of "
              "the repository: move them into a folder named exercises/ there, which is what is graded.")
    assert doc["status"] == "error" and {t["message"] for t in doc["tests"]} == {reason}
    assert result.stdout == f"Not graded: {reason}\n"
