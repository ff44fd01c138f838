"""Diagnosis from recorded mistake outputs (grader.recorded_mistakes), as a student
release does it: for every known mistake, a "student" who made exactly that mistake gets
the same diagnosis on every case from the recording as from the live catalog; inputs that
were not recorded replay nothing; the engine falls back to the recording when the catalog
cannot be imported."""

import warnings

import numpy as np
import pytest

from chainrule_core.contract import qualified_names
from grader import DEFAULT_SEED, engine, recorded_mistakes
from grader import specs
from grader.specs import cases_for
from grader.values import to_returned
from grader.specs import MISTAKES, for_function
from grader.oracle import LiveOracle


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "mistakes.npz"
    count = recorded_mistakes.record(path, seeds=[DEFAULT_SEED])
    assert count == len(MISTAKES)
    return path


def _outputs(case, impl):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return case.run(lambda call: to_returned(impl(*call.materialize())))


def _names(found):
    return [m.name for m in found]


def test_every_mistake_is_diagnosed_the_same_from_the_recording(recording, monkeypatch):
    live = LiveOracle()
    table = recorded_mistakes.load(recording)
    compared = 0
    for qualname in qualified_names():
        for case in cases_for(qualname, DEFAULT_SEED):
            expected = live.expected(case, DEFAULT_SEED)
            for mistake in for_function(qualname):
                try:
                    actual = _outputs(case, mistake.impl)
                except Exception:  # noqa: BLE001 - this mistake raises here: no student output
                    continue
                monkeypatch.setattr(engine, "_mistakes_for", lambda q: for_function(q))
                from_code = _names(engine._diagnose(case, actual, expected))
                monkeypatch.setattr(engine, "_mistakes_for", lambda q: table.get(q, []))
                from_recording = _names(engine._diagnose(case, actual, expected))
                assert from_recording == from_code, (qualname, case.name, mistake.name)
                compared += 1
    assert compared > 300


def test_the_recording_names_each_mistake_with_its_hint(recording):
    table = recorded_mistakes.load(recording)
    live = {(m.function, m.name): m.hint for m in MISTAKES}
    replayed = {(m.function, m.name): m.hint for ms in table.values() for m in ms}
    assert replayed == live


def test_a_recorded_mistake_replays_its_own_values_only(recording):
    mistake = next(m for m in recorded_mistakes.for_function("activations.sigmoid", recording)
                   if m.name == "sign-flipped")
    case = cases_for("activations.sigmoid", DEFAULT_SEED)[0]
    x = case.calls[0].materialize()[0]
    np.testing.assert_allclose(mistake.impl(x), 1.0 / (1.0 + np.exp(x)), rtol=1e-15)  # hand formula
    with pytest.raises(LookupError, match="no recorded output of 'sign-flipped'"):
        mistake.impl(x + 1.0)


def test_an_absent_or_broken_recording_gives_no_mistakes(tmp_path):
    assert recorded_mistakes.for_function("activations.sigmoid", tmp_path / "none.npz") == []
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    assert recorded_mistakes.for_function("activations.sigmoid", bad) == []


def test_digest_tells_apart_what_the_cases_pass():
    d = recorded_mistakes.digest
    x = np.arange(3.0)
    assert d((x,)) == d((x.copy(),))
    assert d((x,)) != d((x.astype(np.float32),))
    assert d((x,)) != d((x.reshape(3, 1),))
    assert d((1,)) != d((1.0,)) != d((True,))
    assert d((np.random.default_rng(1),)) == d((np.random.default_rng(1),))
    assert d((np.random.default_rng(1),)) != d((np.random.default_rng(2),))
    assert d(([1, 2],)) != d(((1, 2),))


def test_the_engine_falls_back_to_the_recording_without_the_catalog(recording, monkeypatch):
    monkeypatch.setattr(specs, "MISTAKES", None)     # as where grader/specs/known/ is absent
    monkeypatch.setattr(recorded_mistakes, "DEFAULT_FILE", str(recording))
    monkeypatch.setattr(recorded_mistakes.for_function, "__defaults__", (str(recording),))
    found = engine._mistakes_for("optimizers.adam_step")
    assert found and all(isinstance(m, recorded_mistakes.RecordedMistake) for m in found)
    assert {m.name for m in found} == {m.name for m in for_function("optimizers.adam_step")}
