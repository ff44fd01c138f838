"""``chainrule grade``: options, exit codes and exact error lines (CliRunner in tmp_path)."""

import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from grader import submission_seed
from tests.grader.conftest import SOLUTIONS, make_submission


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


class _Run:
    """A CliRunner result without the one stderr line that warns, as root, that the
    sandbox user could read solutions/ (tested in test_reference_exposure.py)."""

    def __init__(self, result):
        self.exit_code, self.exception = result.exit_code, result.exception
        self.stdout, self.stderr = result.stdout, result.stderr
        lines = result.output.splitlines(keepends=True)
        kept = [line for line in lines if not _WARNING.match(line)]
        assert len(lines) - len(kept) <= 1 and not _WARNING.search(result.stdout)
        self.output = "".join(kept)


_WARNING = re.compile(r"Warning: solutions/ at .* is readable by the sandbox user; chmod 700 it "
                      r"\(or grade with --recorded\) so submissions cannot read the reference\.\n")


def run(*args):
    return _Run(CliRunner().invoke(cli, ["grade", *args], prog_name="chainrule"))


def test_cli_grade_reference_exits_0_with_the_total(workdir):
    shutil.copytree(SOLUTIONS, workdir / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    result = run("--only", "network")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # with the live reference, the cases' seed is the submission's own (grader.submission_seed)
    seed = submission_seed(workdir / "exercises")
    assert lines[0] == f"chainrule grade: exercises (seed {seed}, expected values from live solutions)"
    assert "Total: 9 / 9 points (100.0%), 3 of 3 functions pass" in lines


USAGE = "Usage: chainrule grade [OPTIONS] [SUBMISSION]"


@pytest.mark.parametrize("path, sentence", [
    # trial 13: "exercises/nope.py" was called a "Submission folder"; the sentence names what is valid
    *((path, f"Submission '{path}' does not exist; give a folder laid out like exercises/ (or the repository "
             "holding it), one of its modules (exercises/activations.py), a notebook (.ipynb), a percent script "
             "(.pct.py), a folder of notebooks or a .zip of one of these folders.")
      for path in ("nonexist", "exercises/nope.py", "nope.zip")),
    ("README.md", "Submission 'README.md' is not a folder, an exercise module or a notebook; pass a folder "
                  "laid out like exercises/ (default ./exercises), one of its modules (exercises/activations.py) "
                  "or a notebook (.ipynb)."),
])
def test_cli_grade_missing_or_non_folder_submission_is_a_usage_error(workdir, path, sentence):
    (workdir / "README.md").write_text("# course\n")
    result = run(path)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == USAGE
    assert lines[-1] == "Error: " + sentence


def test_cli_grade_default_folder_missing_exits_2(workdir):
    result = run()
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith("Error: Submission folder 'exercises' does not exist;")


def test_cli_grade_unknown_only_exits_2_with_did_you_mean(workdir):
    result = run(str(SOLUTIONS), "--only", "activations.sigmod")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Unknown function or module 'activations.sigmod'. Did you mean 'activations.sigmoid'? "
        "(chainrule list shows all, as module.function)")
    assert result.output.startswith("Usage: chainrule grade [OPTIONS] [SUBMISSION]")


def test_cli_grade_bad_format_exits_2(workdir):
    result = run("--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_cli_grade_fail_under_exits_1_after_the_report(workdir):
    make_submission(workdir / "sub", {"training": """
        def time_based_decay(lr0, decay, iteration):
            return lr0
        """})
    result = run("sub", "--only", "training.time_based_decay", "--fail-under", "100")
    assert result.exit_code == 1
    assert "FAIL  time_based_decay" in result.output
    assert result.output.splitlines()[-1] == "Error: Score 25.0% is below --fail-under 100%."
    ok = run("sub", "--only", "training.time_based_decay", "--fail-under", "25")
    assert ok.exit_code == 0


def test_cli_grade_output_file_is_written_and_not_overwritten(workdir):
    args = (str(SOLUTIONS), "--only", "losses.mean_squared_error", "--format", "gradescope", "--output",
            "results.json")
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert first.output == ""
    doc = json.loads((workdir / "results.json").read_text())
    assert [t["name"] for t in doc["tests"]] == ["losses.mean_squared_error"]
    second = run(*args)
    assert second.exit_code == 1
    assert second.output == "Error: Output file 'results.json' already exists; pass --force to overwrite it.\n"
    assert run(*args, "--force").exit_code == 0


def test_cli_grade_output_in_a_missing_folder_makes_it(workdir):
    # as `chainrule check -o` and `generate --out` do (CI writes -o reports/grade.json)
    result = run(str(SOLUTIONS), "--only", "losses.mean_squared_error", "--format", "junit", "-o",
                 "reports/ci/grade.xml")
    assert result.exit_code == 0, result.output
    assert (workdir / "reports" / "ci" / "grade.xml").read_text().startswith("<?xml")
    (workdir / "blocked").write_text("a file, not a folder")
    refused = run(str(SOLUTIONS), "--only", "losses.mean_squared_error", "-o", "blocked/grade.txt")
    assert refused.exit_code == 1
    assert refused.output == "Error: Cannot write 'blocked/grade.txt': 'blocked' is a file, not a folder.\n"


def test_cli_grade_case_and_seed_rerun_one_case(workdir):
    result = run(str(SOLUTIONS), "--only", "optimizers.adam_step", "--case", "2", "--seed", "9",
                 "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["seed"] == 9
    assert [c["number"] for c in data["functions"][0]["cases"]] == [2]


def test_cli_grade_case_without_one_function_is_a_usage_error(workdir):
    for args in (("--case", "3"), ("--case", "3", "--seed", "5"), ("--only", "losses", "--case", "1"),
                 ("--only", "activations.relu,activations.tanh", "--case", "1"),
                 ("--only", "losses.mean_squared_error", "--only", "losses.sum_squared_error", "--case", "1")):
        result = run(str(SOLUTIONS), *args)
        assert result.exit_code == 2, args
        lines = result.output.splitlines()
        assert lines[0] == USAGE
        # a sentence with its full stop, an example of what to give (trial 13)
        assert lines[-1] == ("Error: --case needs --only module.function, naming one function "
                             "(e.g. --only activations.relu).")


def test_cli_grade_unknown_case_exits_2(workdir):
    result = run(str(SOLUTIONS), "--only", "training.log_uniform", "--case", "7")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Case '7' does not exist for training.log_uniform; its cases are 1 to 2.")


def test_cli_grade_non_positive_timeout_exits_2(workdir):
    result = run(str(SOLUTIONS), "--timeout", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.output


def test_cli_grade_junit_and_markdown_formats(workdir):
    junit = run(str(SOLUTIONS), "--only", "regularization", "--format", "junit")
    assert junit.exit_code == 0
    assert junit.output.count("<testcase ") == 5
    md = run(str(SOLUTIONS), "--only", "regularization", "--format", "markdown")
    assert md.output.startswith("## chainrule grade: 5 / 5 points (100.0%)")


def test_cli_grade_junit_times_each_function(workdir):
    # a CI dashboard shows which function's grading was slow: each testcase carries the wall
    # time of its own cases (it said time="0" for every function before), and together they
    # are part of the whole run's time
    import xml.etree.ElementTree as ET

    junit = run(str(SOLUTIONS), "--only", "regularization", "--format", "junit")
    suite = ET.fromstring(junit.output.split("\n", 1)[1]).find("testsuite")
    times = [float(case.get("time")) for case in suite.iter("testcase")]
    assert len(times) == 5 and all(t >= 0 for t in times) and sum(times) > 0
    assert sum(times) <= float(suite.get("time"))


def test_cli_grade_progress_shows_on_a_terminal_only(monkeypatch):
    import io

    from chainrule_core.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    progress = Progress("grading")
    progress(1, 52, "activations.sigmoid")
    progress(2, 52, "activations.tanh")
    progress.clear()
    assert term.getvalue() == ("\rgrading 1/52 activations.sigmoid\rgrading 2/52 activations.tanh   "
                               "\r" + " " * 29 + "\r")
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    quiet = Progress("grading")
    quiet(1, 52, "activations.sigmoid")
    quiet.clear()
    assert pipe.getvalue() == ""


def test_cli_grade_printed_commands_reproduce_the_run(workdir):
    (workdir / "course").mkdir()
    make_submission(workdir / "repo" / "exercises", {"activations": """
        def sigmoid_derivative(x):
            return x * (1 - x)
        """})
    import os

    os.chdir(workdir / "course")
    result = run("../repo/exercises", "--only", "activations.sigmoid", "--only",
                 "activations.sigmoid_derivative", "--timeout", "3", "--memory", "512")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    base = "chainrule grade ../repo/exercises --timeout 3 --memory 512"
    seed = submission_seed(workdir / "repo" / "exercises")
    assert any(re.fullmatch(rf"  Rerun case (\d+): {re.escape(base)} --only activations\.sigmoid_derivative "
                            rf"--case \1 --seed {seed}", line) for line in lines), lines
    assert (f"  Every case in full: {base} --only activations.sigmoid_derivative --verbose") in lines
    rerun = [line for line in lines if "chainrule grade" in line and "Rerun" in line]
    assert rerun and all(base in line for line in rerun)


def test_cli_grade_default_run_prints_plain_commands(workdir):
    make_submission(workdir / "exercises", {"activations": """
        def sigmoid_derivative(x):
            return x * (1 - x)
        """})
    result = run("--only", "activations.sigmoid", "--only", "activations.sigmoid_derivative")
    lines = result.output.splitlines()
    seed = submission_seed(workdir / "exercises")
    assert any(re.fullmatch(r"  Rerun case (\d+): chainrule grade --only activations\.sigmoid_derivative "
                            rf"--case \1 --seed {seed}", line) for line in lines), lines
    assert ("  Every case in full: chainrule grade --only activations.sigmoid_derivative --verbose") in lines
    verbose = run("--only", "activations.sigmoid_derivative", "--verbose").output.splitlines()
    assert any(re.fullmatch(r"    Rerun only this case: chainrule grade --only "
                            rf"activations\.sigmoid_derivative --case \d+ --seed {seed}", line)
               for line in verbose), verbose


def test_cli_grade_refuses_an_existing_output_before_grading(workdir, monkeypatch):
    (workdir / "results.json").write_text("mine")
    import grader

    def must_not_run(*a, **k):
        raise AssertionError("graded although the output would be refused")

    monkeypatch.setattr(grader, "grade_submission", must_not_run)
    refused = run(str(SOLUTIONS), "--only", "losses.mean_squared_error", "-o", "results.json")
    assert refused.exit_code == 1
    assert refused.output == "Error: Output file 'results.json' already exists; pass --force to overwrite it.\n"
    assert (workdir / "results.json").read_text() == "mine"


def test_cli_grade_only_takes_comma_separated_names(workdir):
    both = run(str(SOLUTIONS), "--only", "activations.relu, losses.mean_squared_error", "--format", "json")
    assert both.exit_code == 0, both.output
    assert [f["name"] for f in json.loads(both.stdout)["functions"]] == ["activations.relu", "losses.mean_squared_error"]
    bad = run(str(SOLUTIONS), "--only", "activations.relu,losses.mse")
    assert bad.exit_code == 2
    assert "Unknown function or module 'losses.mse'" in bad.output


def test_one_module_file_is_graded_alone_in_its_folder(workdir):
    shutil.copytree(SOLUTIONS, workdir / "mine", ignore=shutil.ignore_patterns("__pycache__"))
    result = CliRunner().invoke(cli, ["grade", "mine/activations.py", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    names = [f["name"] for f in report["functions"]]
    assert names and all(n.startswith("activations.") for n in names)
    assert report["seed"] == submission_seed(workdir / "mine")   # the folder's own seed, as for the folder
    rerun = report["functions"][0]["cases"][0]["rerun"]
    assert rerun.startswith("chainrule grade mine --only activations.")
    narrowed = CliRunner().invoke(cli, ["grade", "mine/activations.py", "--only", "activations.tanh", "--format", "json"])
    assert [f["name"] for f in json.loads(narrowed.output)["functions"]] == ["activations.tanh"]
    alone = CliRunner().invoke(cli, ["grade", "mine/activations.py", "--only", "tanh,relu", "--format", "json"])
    assert [f["name"] for f in json.loads(alone.output)["functions"]] == ["activations.tanh", "activations.relu"]


@pytest.mark.parametrize("args, sentence", [
    (["mine/__init__.py"], "'mine/__init__.py' is not one of the exercise modules (activations.py, losses.py, "
                           "layers.py, network.py, optimizers.py, regularization.py, initializers.py, training.py); "
                           "give one of them, a notebook (.ipynb), a percent script (.pct.py) or the "
                           "folder that holds them."),
    (["mine/activations.py", "--only", "losses.mse"], "--only losses.mse is not in activations.py, the module "
                                                       "given; name a function of activations or give the folder."),
])
def test_a_module_file_that_cannot_be_graded_is_a_usage_error(workdir, args, sentence):
    (workdir / "mine").mkdir()
    (workdir / "mine" / "__init__.py").write_text("")
    (workdir / "mine" / "activations.py").write_text("")
    result = CliRunner().invoke(cli, ["grade", *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"Error: {sentence}"


def test_hidden_folders_are_left_out_of_the_checks_and_the_seed(workdir):
    """A virtual environment or .git inside the graded folder is never copied or imported, so it
    neither counts toward the size limits nor changes the cases' seed."""
    from grader.limits import SUBMISSION_MAX_FILES

    make_submission(workdir / "exercises")
    seed = submission_seed(workdir / "exercises")
    venv = workdir / "exercises" / ".venv" / "lib"
    venv.mkdir(parents=True)
    for i in range(SUBMISSION_MAX_FILES + 10):
        (venv / f"m{i}.py").write_text("x = 1\n")
    (workdir / "exercises" / ".DS_Store").write_bytes(b"\0\1")
    os.mkfifo(workdir / "exercises" / ".venv" / "pipe")       # a special file there is never opened
    assert submission_seed(workdir / "exercises") == seed
    result = CliRunner().invoke(cli, ["grade", "--only", "activations.sigmoid", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["seed"] == seed
    # the same files outside a hidden folder are refused, as before
    shutil.move(str(venv), str(workdir / "exercises" / "lib"))
    refused = CliRunner().invoke(cli, ["grade", "--only", "activations.sigmoid"])
    # a submission that is not what it should be: a bad invocation (README), as a missing one
    assert refused.exit_code == 2 and f"holds more than {SUBMISSION_MAX_FILES} files and folders" in refused.output
