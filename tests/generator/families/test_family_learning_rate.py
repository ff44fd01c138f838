import pytest
import sympy as sp

from _checks_5_13 import build
from generator.families import learning_rate as family

R = sp.Rational


def _answers(a, eta, x_0="1", b="0", k=3, iterations=(100,), eta_0="0.1", decay="0.01"):
    params = {"a": R(a), "b": R(b), "x_0": R(x_0), "eta": R(eta), "k": k, "eta_0": R(eta_0),
              "decay": R(decay), "iterations": list(iterations)}
    return {q.key: q.answer for q in family.solve(params).questions}


def test_learning_rate_variants_differ_in_structure():
    problems = [build(family, s) for s in range(200)]
    regimes = {[q.answer for q in pr.questions if q.key == "regime"][0] for _p, pr in problems}
    assert regimes == {"monotone", "oscillating", "diverging"}
    assert {p["k"] for p, _ in problems} == {3, 4}
    assert {len(p["iterations"]) for p, _ in problems} == {1, 2}


@pytest.mark.parametrize("a, eta, regime, ratio", [
    ("1", "0.25", "monotone", R(1, 2)),      # r = 1 - 2 * 1 * 0.25
    ("1", "0.75", "oscillating", R(-1, 2)),
    ("2", "0.6", "diverging", R(-7, 5)),     # eta > 1/a = 0.5
])
def test_learning_rate_iterates_and_regime_match_hand_computation(a, eta, regime, ratio):
    # f = a x^2 from x_0 = 1: x_t = r^t
    answers = _answers(a, eta)
    assert [answers[f"x_{t}"] for t in (1, 2, 3)] == [ratio, ratio**2, ratio**3]
    assert answers["regime"] == regime
    assert answers["eta_c"] == 1 / R(a)


def test_learning_rate_time_based_decay_matches_hand_computation():
    # 0.1 / (1 + 0.01 * 100) = 0.05 and 0.1 / (1 + 0.01 * 300) = 0.025
    answers = _answers("1", "0.25", iterations=(100, 300))
    assert (answers["eta_1"], answers["eta_2"]) == (R("0.05"), R("0.025"))


def test_learning_rate_sampled_rates_stay_clear_of_the_boundaries():
    for seed in range(200):
        params, _ = build(family, seed)
        r = abs(1 - 2 * params["a"] * params["eta"])
        assert r >= R("0.15") and abs(r - 1) >= R("0.1")
