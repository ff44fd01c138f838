"""A recording of fewer functions (a release made with --modules) and grade-all's exit status
when nothing could be graded (trial 15, item 1).

Before: ``grade-all --recorded`` with a recording of activations and losses graded every
submission as "grading failed: ... have no entry for layers.dense_forward case 1; record them
again with this version of the grader", wrote a grades.csv of zeros and exited 0. Now the
recording is refused before anything is graded or written (exit 2), naming what it holds, and
a run in which the grader graded nothing exits 1.
"""

import json

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.errors import ChainruleError, ChainruleUsageError
from grader import grade_submission, record
from tests.grader.conftest import EXERCISES, SOLUTIONS, make_submission

#: activations (9 functions) and losses (11) of the contract, written out by hand
ACTIVATIONS = ["sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
               "softplus", "softplus_derivative", "softmax"]
LOSSES = ["mean_squared_error", "mean_squared_error_grad", "sum_squared_error", "sum_squared_error_grad",
          "binary_crossentropy", "binary_crossentropy_grad", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "softmax_crossentropy_grad", "class_weights_balanced",
          "weighted_sparse_categorical_crossentropy"]
TWO_MODULES = [f"activations.{n}" for n in ACTIVATIONS] + [f"losses.{n}" for n in LOSSES]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def two_modules(tmp_path_factory):
    """A recording of activations and losses only, as `chainrule release --modules
    activations,losses` ships it."""
    path = tmp_path_factory.mktemp("rec") / "recorded.npz"
    record(str(path), seeds=(2026,), only=TWO_MODULES)
    return path


def _refusal(path, lacking):
    return (f"The recorded cases '{path}' hold the expected values of activations and losses only, not of "
            f"{lacking}: grade with --release DIR of the release they came from (its functions and points) "
            "or with --only activations,losses.")


def test_grade_all_refuses_a_recording_of_fewer_modules_before_grading(two_modules, tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    out = tmp_path / "out"
    result = run("grade-all", subs, "--out", out, "--recorded", two_modules)
    assert result.exit_code == 2, result.output
    # initializers' cases are all statistical: no recorded values needed, so not named
    assert _refusal(two_modules, "layers, network, optimizers, regularization and training") in result.output
    assert "record them again" not in result.output
    assert not out.exists()         # nothing written, not even the folder


def test_grade_all_with_the_modules_the_recording_holds_grades(two_modules, tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    result = run("grade-all", subs, "--out", tmp_path / "out", "--recorded", two_modules,
                 "--only", "activations,losses,initializers")
    assert result.exit_code == 0, result.output
    record_ = json.loads((tmp_path / "out" / "results.jsonl").read_text().splitlines()[0])
    assert record_["status"] == "graded"
    row = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert row[0] == "alice" and row[-1] == "100.00", row      # the reference: full marks


def test_grade_refuses_a_recording_of_fewer_modules(two_modules):
    result = run("grade", SOLUTIONS, "--recorded", two_modules)
    assert result.exit_code == 2, result.output
    assert _refusal(two_modules, "layers, network, optimizers, regularization and training") in result.output
    result = run("grade", SOLUTIONS, "--recorded", two_modules, "--only", "layers")
    assert result.exit_code == 2, result.output
    assert _refusal(two_modules, "layers") in result.output
    result = run("grade", SOLUTIONS, "--recorded", two_modules, "--only", "layers.dense_forward,activations")
    assert _refusal(two_modules, "layers.dense_forward") in result.output


def test_grade_with_a_recording_of_a_function_the_api_names_what_it_holds(tmp_path):
    path = tmp_path / "one.npz"
    record(str(path), seeds=(3,), only=["activations.relu"])
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(SOLUTIONS), only=["activations.relu", "losses"], oracle=str(path))
    assert str(info.value) == (f"The recorded cases '{path}' hold the expected values of activations.relu only, "
                               "not of losses: grade with --release DIR of the release they came from (its "
                               "functions and points) or with --only activations.relu.")
    assert grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(path)).passed


# --------------------------------------------------------------------------- nothing graded
def _failing_grader(monkeypatch):
    """The grader failing on every submission for a reason of its own (the workers are forks
    of this process: they inherit the patch)."""
    import grader

    def fails(folder, **kwargs):
        raise ChainruleError("Cannot start the grader's child process: Resource temporarily unavailable")

    monkeypatch.setattr(grader, "grade_submission", fails)


def test_grade_all_exits_1_when_the_grader_graded_nothing(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    make_submission(subs / "bob")
    (subs / "empty").mkdir()            # submitted nothing: not gradable by its own fault
    _failing_grader(monkeypatch)
    out = tmp_path / "out"
    result = run("grade-all", subs, "--out", out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert ("Error: The grader failed on 2 submissions (the first with \"Cannot start the grader's child process: "
            f"Resource temporarily unavailable\"; 0 of 3 graded): grades.csv in {out} gives them 0; fix the "
            "cause and run the same command again, which grades them (summary.md names each reason).") in result.output
    statuses = sorted(json.loads(line)["status"] for line in (out / "results.jsonl").read_text().splitlines())
    assert statuses == ["error", "error", "ungradable"]


def test_grade_all_a_class_that_submitted_nothing_is_a_valid_run(tmp_path):
    subs = tmp_path / "subs"
    (subs / "empty").mkdir(parents=True)
    (subs / "readme").mkdir()
    (subs / "readme" / "README.md").write_text("hi\n")
    (subs / "broken.zip").write_bytes(b"not a zip")
    result = run("grade-all", subs, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Graded 0 of 3 submissions" in result.output


def test_grade_all_one_gradable_entry_makes_a_valid_run(tmp_path):
    subs = tmp_path / "subs"
    (subs / "empty").mkdir(parents=True)
    make_submission(subs / "alice")
    result = run("grade-all", subs, "--out", tmp_path / "out", "--only", "activations.relu")
    assert result.exit_code == 0, result.output


def test_grade_all_a_grader_failure_fails_the_run_sharded_or_not(tmp_path, monkeypatch):
    import grader

    real = grader.grade_submission

    def fails_for_bob(folder, **kwargs):
        if "bob" in str(folder):
            raise ChainruleError("Cannot start the grader's child process: Resource temporarily unavailable")
        return real(folder, **kwargs)

    monkeypatch.setattr(grader, "grade_submission", fails_for_bob)
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    make_submission(subs / "bob")
    result = run("grade-all", subs, "--out", tmp_path / "out", "--jobs", "1", "--only", "activations.relu")
    # a shard holding only bob exited 1 and the whole class 0 for the same outcome (review 15b):
    # now every run with a grader failure is a failed operation, its files written all the same
    assert result.exit_code == 1, result.output
    assert "Graded 1 of 2 submissions" in result.output and "1 the grader failed on" in result.output
    assert "Error: The grader failed on 1 submission (the first with" in result.output
    assert "1 of 2 graded" in result.output
    shards = []
    for k in (1, 2):
        shard = tmp_path / f"shard{k}"
        result = run("grade-all", subs, "--out", shard, "--jobs", "1", "--only", "activations.relu",
                     "--shard", f"{k}/2")
        shards.append((shard, result.exit_code))
    assert sorted(code for _shard, code in shards) == [0, 1]   # alice's shard, bob's shard
    merged = run("grade-all", "--merge", *[shard for shard, _code in shards], "--out", tmp_path / "merged")
    assert merged.exit_code == 1, merged.output
    assert "Error: The grader failed on 1 submission" in merged.output


def test_grade_all_skeletons_graded_are_graded(tmp_path):
    """Every function unimplemented is still a grade (0 points), not a failure of the grader."""
    import shutil

    subs = tmp_path / "subs"
    shutil.copytree(EXERCISES, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    result = run("grade-all", subs, "--out", tmp_path / "out", "--only", "activations.relu")
    assert result.exit_code == 0, result.output
    assert "Graded 1 submission" in result.output


def _altered(recording, tmp_path, key, change):
    """A copy of ``recording`` with entry ``key`` replaced by ``change(its value)``, a class of one
    correct submission and an output folder: (the copy, the class, the folder)."""
    import numpy as np

    with np.load(recording) as data:
        entries = {name: data[name] for name in data.files}
    assert key in entries
    entries[key] = change(entries[key])
    altered = tmp_path / "altered.npz"
    np.savez(altered, **entries)
    make_submission(tmp_path / "subs" / "alice")
    return altered, tmp_path / "subs", tmp_path / "out"


def test_grade_all_refuses_a_stale_case_before_grading(two_modules, tmp_path):
    # a recording whose relu case 1 was made for other inputs: each submission reaching it failed
    # ("grading failed"), the others were graded, and the class exited 0 (review 15b)
    import numpy as np

    stale, subs, out = _altered(two_modules, tmp_path, "2026/activations.relu/1/fingerprint",
                                lambda value: np.array(int(value) ^ 1))
    result = run("grade-all", subs, "--out", out, "--recorded", stale, "--only", "activations,losses")
    assert result.exit_code == 2, result.output
    assert (f"The recorded cases '{stale}' were made for other inputs of activations.relu case 1; record them "
            "again with this version of the grader.") in result.output
    assert not out.exists()
    # a function the stale case does not belong to is graded as before
    result = run("grade-all", subs, "--out", out, "--recorded", stale, "--only", "activations.sigmoid")
    assert result.exit_code == 0, result.output


def test_grade_all_refuses_a_damaged_case_before_grading(two_modules, tmp_path):
    # an entry whose tree cannot be read passed the every-case check, then failed each submission
    # (review 15c)
    import numpy as np

    damaged, subs, out = _altered(two_modules, tmp_path, "2026/activations.relu/1/tree",
                                  lambda value: np.frombuffer(b"{not json", dtype=np.uint8))
    result = run("grade-all", subs, "--out", out, "--recorded", damaged, "--only", "activations.relu")
    assert result.exit_code == 2, result.output
    assert f"The recorded cases '{damaged}' cannot be read (JSONDecodeError: " in result.output
    assert "activations.relu case 1; record them again with this version of the grader." in result.output
    assert not out.exists()
