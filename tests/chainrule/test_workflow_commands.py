"""Text a submission controls never drives GitHub Actions' runner (trial17b finding 2).

The runner takes a log line for a workflow command when, after its leading blanks, it starts
with ``::`` (``::warning title=x::msg``, ``::add-mask::``, ``::stop-commands::``...), or when
it holds ``##[`` anywhere (the legacy form). An exception's message, what a function
printed and the Classroom reporter's messages all reach a job's log. ``runner_commands``
below replays those rules over a log; every test asks it which commands a log would run."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import escape
from tests.grader.conftest import make_submission

ROOT = Path(__file__).resolve().parents[2]


def runner_commands(*streams):
    """The workflow commands the runner would run for the log ``streams`` (each a str, read in
    order, one after the other), as ``actions/runner`` parses them: a line (ended by \\n or \\r)
    whose text after its leading blanks starts with ``::`` names a command up to a space or
    ``::``; a line holding ``##[`` anywhere is a legacy command; after ``::stop-commands::T``
    nothing is a command until the line ``::T::``."""
    found, stop = [], None
    for stream in streams:
        for line in re.split(r"\r\n|\r|\n", stream):
            if stop is not None:
                if line == f"::{stop}::":
                    found.append("resume")
                    stop = None
                continue
            bare = line.lstrip()
            if bare.startswith("::"):
                name = re.split(r"[ :]", bare[2:], maxsplit=1)[0]
                found.append(name)
                if name == "stop-commands":
                    stop = bare[len("::stop-commands::"):]
            elif "##[" in line:
                found.append("##[" + line.split("##[", 1)[1].split("]", 1)[0])
    return found


HOSTILE = ["boom\n::warning title=forged::All tests passed\n  ::set-output name=result::AAAA",
           "\t::add-mask::FAIL", "\u00a0\u2003::error::x", "a\r::group::fold", "##[error]anywhere",
           "x ##[add-mask]FAIL ##[", "::stop-commands::abc\n::warning::after stop\n::abc::"]


def test_the_runner_model_finds_the_commands_of_the_trial():
    """The model is not vacuous: the raw texts do run commands."""
    assert runner_commands(HOSTILE[0]) == ["warning", "set-output"]
    assert runner_commands(HOSTILE[4]) == ["##[error"]
    assert runner_commands(HOSTILE[6]) == ["stop-commands", "resume"]
    assert all(runner_commands(text) for text in HOSTILE)


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_workflow_leaves_no_command_and_reads_the_same(text):
    safe = escape.workflow(text)
    assert runner_commands(safe) == []
    assert safe.replace("\u200b", "") == text      # only invisible marks added
    assert escape.workflow(safe) == safe


@pytest.mark.parametrize("text", ["x::y", "a: :b", "weight::3", "# [1]", "## heading", ":"])
def test_escape_workflow_leaves_other_text_alone(text):
    assert escape.workflow(text) == text


def test_classroom_messages_hold_no_workflow_command(tmp_path):
    """The reporter step prints each test's message in its own log (where no stop-commands of
    ours is in force): every message is neutralised, here an exception's text quoted by the
    one-line import error, and a refusal's sentence."""
    from grader.classroom_report import error_result, reporter_result
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises")
    (sub / "losses.py").write_text('raise ValueError("##[error]forged ::warning::x")\n')
    result = grade_submission(str(sub), only=["losses"])
    messages = [t["message"] for t in reporter_result(result)["tests"]]
    assert any("forged" in m for m in messages)
    assert all(runner_commands(m) == [] for m in messages)
    doc = error_result("Submission refused: '##[error]x'\n::warning title=y::All tests passed", {"a.b": 1.0})
    assert runner_commands(doc["tests"][0]["message"]) == []
    assert doc["tests"][0]["message"].replace("\u200b", "") == (
        "Submission refused: '##[error]x'\n::warning title=y::All tests passed")


# ---------------------------------------------------------------------- the commands' own output
SIGMOID = '''
def sigmoid(x):
    raise ValueError('boom\\n::warning title=forged::All tests passed\\n  ::set-output name=result::AAAA')
'''
TANH = '''
def tanh(x):
    print('##[error]from print')
    return np.tanh(x) + 1
'''


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    return make_submission(base / "exercises", {"activations": SIGMOID + TANH})


def chainrule(cwd, *args, **env):
    full = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=full)


ONLY = ("--only", "activations.sigmoid,activations.tanh")


def test_outside_actions_the_report_is_as_it_was(hostile):
    """What the runner would take for commands is there raw in a plain terminal: the report
    quotes the student's text as it is (and no marker of ours is printed)."""
    done = chainrule(hostile.parent, "grade", str(hostile), *ONLY)
    assert done.returncode == 0, done.stderr
    assert "warning" in runner_commands(done.stdout) and "##[error" in runner_commands(done.stdout)
    assert "stop-commands" not in done.stderr


def _wrapped(stderr):
    lines = stderr.splitlines()
    start = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
    assert start, lines[:1]
    assert lines[-1] == f"::{start.group(1)}::"
    return start.group(1)


def test_grade_in_actions_stops_the_runners_commands_and_neutralises_its_report(hostile):
    env = {"GITHUB_ACTIONS": "true"}
    done = chainrule(hostile.parent, "grade", str(hostile), *ONLY, **env)
    assert done.returncode == 0, done.stderr
    token = _wrapped(done.stderr)
    # whichever stream the runner reads first, nothing but our own stop and resume runs
    assert runner_commands(done.stdout) == []
    assert runner_commands(done.stderr, done.stdout) == ["stop-commands", "resume"]
    assert runner_commands(done.stdout, done.stderr) == ["stop-commands", "resume"]
    plain = done.stdout.replace("\u200b", "")
    assert "    ::warning title=forged::All tests passed\n" in plain and "| ##[error]from print" in plain
    # a token of its own on every run
    again = chainrule(hostile.parent, "grade", str(hostile), "--only", "activations.tanh", **env)
    assert _wrapped(again.stderr) != token
    # a machine format on standard output stays what it is (valid JSON), without a command
    as_json = chainrule(hostile.parent, "grade", str(hostile), *ONLY, "--format", "json", **env)
    assert runner_commands(as_json.stdout) == []
    doc = json.loads(as_json.stdout)
    assert doc["functions"][0]["name"].endswith("sigmoid") and "from print" in as_json.stdout
    # an error the command prints (to standard error) is inside the stopped stretch
    failed = chainrule(hostile.parent, "grade", str(hostile / "##[error]x"), **env)
    assert failed.returncode == 2
    _wrapped(failed.stderr)
    assert runner_commands(failed.stderr) == ["stop-commands", "resume"]


def test_classroom_in_actions_stops_the_runners_commands_and_neutralises_its_report(hostile, tmp_path):
    output = tmp_path / "github_output"
    output.write_text("")
    done = chainrule(hostile.parent, "classroom", str(hostile), GITHUB_ACTIONS="true",
                     GITHUB_OUTPUT=str(output))
    assert done.returncode == 0, done.stderr
    _wrapped(done.stderr)
    assert runner_commands(done.stdout) == []
    assert "::warning title=forged::All tests passed" in done.stdout.replace("\u200b", "")
    doc = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    assert all(runner_commands(t["message"]) == [] for t in doc["tests"])


def test_other_commands_print_no_marker():
    """Only the commands that quote a submission are wrapped; `chainrule list` is not."""
    done = chainrule(ROOT, "list", GITHUB_ACTIONS="true")
    assert done.returncode == 0 and "stop-commands" not in done.stderr + done.stdout
