import sympy as sp

from _family_checks import build
from generator.families import early_stopping as family

R = sp.Rational


def _answers(losses, patience, min_delta="0", counts=(900, 100)):
    params = {"losses": [R(x) for x in losses], "patience": patience, "min_delta": R(min_delta),
              "counts": list(counts)}
    return {q.key: q.answer for q in family.solve(params).questions}


def test_early_stopping_variants_differ_in_structure():
    problems = [build(family, s) for s in range(200)]
    assert {p["patience"] for p, _ in problems} == {2, 3, 4}
    assert {p["min_delta"] == 0 for p, _ in problems} == {True, False}
    assert {len(p["counts"]) for p, _ in problems} == {2, 3, 4}
    runs_to_end = {[q.answer for q in pr.questions if q.key == "stop_epoch"][0] == len(p["losses"])
                   for p, pr in problems}
    assert runs_to_end == {True, False}


def test_early_stopping_matches_hand_computation():
    # best at epoch 2 (0.4); epochs 3, 4, 5 do not improve -> stop after epoch 5, restore epoch 2
    answers = _answers(["0.5", "0.4", "0.45", "0.42", "0.41", "0.3"], patience=3)
    assert (answers["stop_epoch"], answers["restored_epoch"], answers["best_loss"]) == (5, 2, R("0.4"))


def test_early_stopping_min_delta_ignores_small_improvements():
    # with min_delta 0.015, 0.49 and 0.48 are not improvements over 0.5; 0.45 is
    losses = ["0.5", "0.49", "0.48", "0.45", "0.44", "0.46"]
    answers = _answers(losses, patience=2, min_delta="0.015")
    assert (answers["stop_epoch"], answers["restored_epoch"]) == (6, 4)
    plain = _answers(losses, patience=2)
    assert (plain["stop_epoch"], plain["restored_epoch"]) == (6, 5)


def test_early_stopping_runs_to_the_end_when_patience_never_runs_out():
    answers = _answers(["0.5", "0.52", "0.4", "0.41", "0.3"], patience=2)
    assert (answers["stop_epoch"], answers["restored_epoch"]) == (5, 5)


def test_early_stopping_balanced_class_weights_match_hand_computation():
    # N = 1000, K = 2: 1000 / (2 * 900) and 1000 / (2 * 100)
    answers = _answers(["0.5", "0.4"], patience=2, counts=(900, 100))
    assert (answers["cw_0"], answers["cw_1"]) == (R(5, 9), 5)
    answers = _answers(["0.5", "0.4"], patience=2, counts=(100, 200, 300))
    assert (answers["cw_0"], answers["cw_1"], answers["cw_2"]) == (2, 1, R(2, 3))
