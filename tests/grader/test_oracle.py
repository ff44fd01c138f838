"""Oracles: a recording made from the live solutions grades exactly like the live one."""

import json

import numpy as np
import pytest

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from grader import grade_submission, record
from grader.oracle import LiveOracle, RecordedOracle
from grader.reports import render_json
from tests.grader.conftest import SOLUTIONS, make_submission

ONLY = ["activations.softmax", "layers.dense_backward", "optimizers.momentum_step", "training.log_uniform",
        "training.early_stopping_epoch"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "recorded.npz"
    record(str(path), seeds=(2026, 7), only=ONLY)
    return path


def test_oracle_recorded_grades_like_live(recording, tmp_path):
    sub = make_submission(tmp_path / "sub", {"optimizers": """
        def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
            v = momentum * velocity - grad
            return w + v, v
        """})
    live = grade_submission(str(sub), only=ONLY, seed=2026)    # else: the submission's own seed
    recorded = grade_submission(str(sub), only=ONLY, oracle=str(recording))
    assert recorded.oracle == "the recording recorded.npz"
    # the same report, except that its rerun commands name the recording (they reproduce the run)
    assert f"--recorded {recording} --only optimizers.momentum_step --case 1" in render_json(recorded)
    strip = lambda r: {k: v for k, v in json.loads(render_json(r).replace(f" --recorded {recording}", "")).items()  # noqa: E731
                       if k != "oracle"}
    assert strip(recorded) == strip(live)
    assert not recorded.functions["optimizers.momentum_step"].passed


def test_oracle_recorded_file_is_plain_numeric_data(recording):
    with np.load(recording, allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


def test_oracle_recorded_uses_its_first_seed_by_default_and_refuses_others(recording):
    result = grade_submission(str(SOLUTIONS), only=["activations.softmax"], oracle=str(recording))
    assert result.seed == 2026 and result.passed
    assert grade_submission(str(SOLUTIONS), only=["activations.softmax"], oracle=str(recording), seed=7).passed
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(SOLUTIONS), only=["activations.softmax"], oracle=str(recording), seed=8)
    assert str(info.value) == (f"Seed 8 is not in the recorded cases '{recording}' (recorded seeds: 2026, 7); "
                               "grade without --seed or with one of them.")


def test_oracle_recorded_refuses_functions_it_does_not_hold(recording):
    with pytest.raises(ChainruleUsageError, match="hold the expected values of .* only, not of activations.relu"):
        grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(recording))


def test_oracle_live_matches_the_seed_notes_worked_example():
    # an independent check of the oracle path: the seed's printed numbers
    from grader.specs import cases_for

    live = LiveOracle()
    case = cases_for("network.forward", 1)[0]
    h, o = live.expected(case, 1)[0].value
    assert np.allclose(h.value[0, 0], 0.51998934, atol=1e-8)
    assert np.allclose(o.value[0, 0], 0.60944600, atol=1e-8)
    step = cases_for("network.train_step", 1)[0]
    W2 = live.expected(step, 1)[0].value[2].value
    assert np.isclose(W2[0, 0], 0.43703857, atol=1e-8)


def test_oracle_unreadable_recording_is_an_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ChainruleError, match="is not a recording of graded cases"):
        RecordedOracle(str(bad))
    with pytest.raises(ChainruleError, match="Cannot read the recorded cases .*: No such file or directory"):
        RecordedOracle(str(tmp_path / "missing.npz"))


@pytest.mark.parametrize("kind", ["csv", "npy", "npz-without-meta"])
def test_oracle_a_file_that_is_not_a_recording_is_named_in_our_words(tmp_path, kind):
    # a roster given to --recorded leaked NumPy's "... load it unsafely using the
    # `allow_pickle=` keyword argument or `pickle.load()`.." (advice to load it unsafely)
    path = tmp_path / ("x." + kind.split("-")[0])
    if kind == "csv":
        path.write_text("id,name\ns1,Ann\n", encoding="utf-8")
    elif kind == "npy":
        np.save(path, np.arange(3))
    else:
        np.savez(path, a=np.arange(3))
    with pytest.raises(ChainruleError) as info:
        RecordedOracle(str(path))
    assert str(info.value) == (f"'{path}' is not a recording of graded cases (the .npz file the kit's recorder "
                               "writes, grader/data/recorded.npz in a student copy).")


def test_oracle_default_falls_back_to_the_shipped_recording(recording, monkeypatch):
    import grader.oracle as oracle_module

    def no_solutions(*args, **kwargs):
        raise ChainruleError("no solutions here")

    monkeypatch.setattr(oracle_module, "LiveOracle", no_solutions)
    monkeypatch.setattr(oracle_module, "DEFAULT_RECORDING", str(recording))
    result = grade_submission(str(SOLUTIONS), only=["layers.dense_backward"])
    assert result.oracle == "the recording recorded.npz" and result.passed
    monkeypatch.setattr(oracle_module, "DEFAULT_RECORDING", str(recording) + ".missing")
    with pytest.raises(ChainruleError, match="the 'solutions' package is not importable and there is no recording"):
        grade_submission(str(SOLUTIONS), only=["layers.dense_backward"])
