"""A time limit the grader can keep (trial 16, item 1): ``--timeout inf`` or ``1e300`` was taken,
so a hanging submission was never stopped, and grade-all wrote ``"timeout": Infinity`` into
batch.json, which is no JSON. A timeout is a finite number of seconds above 0 and at most an
hour (``grader.limits.MAX_TIMEOUT``), refused otherwise in one sentence, exit 2, by the command
and the library alike.

The expected sentences are written out here, never taken from the kit's own constants, and
batch.json is read by a strict parser (one that refuses ``Infinity`` and ``NaN``, as jq and
JavaScript do)."""

from __future__ import annotations

import json
import math

import pytest

from chainrule_core.errors import ChainruleUsageError
from tests.grader.conftest import SOLUTIONS, make_submission
from tests.grader.test_cli_grade import run as run_grade
from tests.grader.test_grade_all import run

RULE = "give a finite number of seconds above 0 and at most 3600 (default 5)."


def strict_json(path):
    """``path`` read as JSON proper: ``Infinity``, ``-Infinity`` and ``NaN`` refused."""
    def refuse(word):
        raise ValueError(f"{word} is not JSON")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


# --------------------------------------------------------------------------- chainrule grade
@pytest.mark.parametrize("given", ["inf", "Infinity", "1e300", "3600.5", "nan", "-inf", "0", "-1"])
def test_grade_refuses_a_timeout_it_cannot_keep(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    result = run_grade(str(SOLUTIONS), "--only", "activations.relu", "--timeout", given)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--timeout': {given} is not valid; {RULE}")
    assert "Traceback" not in result.output


def test_grade_names_a_timeout_that_is_no_number(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_grade(str(SOLUTIONS), "--only", "activations.relu", "--timeout", "soon")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--timeout': 'soon' is not a number; {RULE}"


def test_grade_takes_the_largest_timeout_and_shows_it_in_help(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_grade(str(SOLUTIONS), "--only", "activations.relu", "--timeout", "3600")
    assert result.exit_code == 0, result.output
    assert "Total: 1 / 1 point (100.0%)" in result.output
    assert "--timeout SECONDS Seconds each function may run in total, at most 3600 (default 5)." in " ".join(
        run_grade("--help").output.split())


# --------------------------------------------------------------------------- the library
@pytest.mark.parametrize("timeout, shown", [(math.inf, "inf"), (1e300, "1e+300"), (math.nan, "nan"),
                                            (0, "0"), (3601, "3601"), (10 ** 400, "1" + "0" * 400),
                                            ("5", "'5'"), (True, "True")])
def test_grade_submission_refuses_a_timeout_it_cannot_keep(timeout, shown):
    from grader import grade_submission

    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(SOLUTIONS, only=["activations.relu"], timeout=timeout)
    assert str(info.value) == f"Timeout {shown} is not valid; {RULE}"


def test_a_notebook_is_refused_before_it_is_converted(tmp_path):
    from grader import grade_submission

    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\nimport numpy as np\n\n# %%\ndef relu(x):\n    return np.maximum(x, 0)\n")
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(script, only=["activations.relu"], timeout=math.inf)
    assert str(info.value) == f"Timeout inf is not valid; {RULE}"


def test_a_notebook_check_says_so_in_one_line(tmp_path):
    from tests.notebook.test_check_script import run_script

    out = run_script(tmp_path, """\
        from chainrule.notebook import check
        import numpy as np
        def relu(x):
            return np.maximum(x, 0)
        r = check("activations.relu", timeout=float("inf"))
        print(r.passed, r.score)
        """)
    assert out == f"check could not grade activations.relu: Timeout inf is not valid; {RULE}\nFalse 0.0\n"


# --------------------------------------------------------------------------- chainrule grade-all
def one_student(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "ann" / "exercises")
    return subs


@pytest.mark.parametrize("given", ["inf", "nan", "1e300"])
def test_grade_all_refuses_a_timeout_it_cannot_keep_before_writing(tmp_path, given):
    subs = one_student(tmp_path)
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", "--only", "activations.relu",
                               "--timeout", given)
    assert code == 2, stdout + stderr
    assert stderr.splitlines()[-1] == f"Error: Invalid value for '--timeout': {given} is not valid; {RULE}"
    assert not (tmp_path / "out").exists()


def test_grade_all_batch_json_is_strict_json_with_its_timeout(tmp_path):
    subs = one_student(tmp_path)
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", "--only", "activations.relu",
                               "--timeout", "3600")
    assert code == 0, stdout + stderr
    assert strict_json(tmp_path / "out" / "batch.json")["fingerprint"]["timeout"] == 3600


def test_batch_options_refuse_a_timeout_before_a_fingerprint_is_made():
    from grader.batch import Options

    with pytest.raises(ChainruleUsageError) as info:
        Options(names=["activations.relu"], seed=1, timeout=math.inf, memory_mb=1024, oracle_name="live",
                oracle_hash="x", only=[])
    assert str(info.value) == f"Timeout inf is not valid; {RULE}"


def test_a_shard_graded_with_an_infinite_timeout_is_not_merged_into_bad_json(tmp_path):
    """A shard folder an earlier kit wrote with --timeout inf: the merge would copy its
    Infinity into the class's batch.json."""
    subs = one_student(tmp_path)
    shard = tmp_path / "sh1"
    code, stdout, stderr = run("grade-all", subs, "--out", shard, "--only", "activations.relu", "--shard", "1/1")
    assert code == 0, stdout + stderr
    batch = shard / "batch.json"
    info = json.loads(batch.read_text(encoding="utf-8"))
    info["fingerprint"]["timeout"] = math.inf
    batch.write_text(json.dumps(info), encoding="utf-8")        # "timeout": Infinity, as it was written
    assert "Infinity" in batch.read_text(encoding="utf-8")
    code, stdout, stderr = run("grade-all", "--merge", shard, "--out", tmp_path / "merged")
    assert code == 2, stdout + stderr
    assert stderr.splitlines()[-1] == (
        f"Error: Shard folder '{shard}' was graded with --timeout inf, which this kit refuses (it takes a finite "
        "number of seconds above 0, at most 3600); grade that shard again with a valid --timeout and --force.")
    assert not (tmp_path / "merged").exists()
