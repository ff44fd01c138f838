import pytest
import sympy as sp

from _family_checks import build
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
    assert (answers["eta_100"], answers["eta_300"]) == (R("0.05"), R("0.025"))


def test_learning_rate_decayed_rate_is_named_by_its_iteration():
    # the schedule defines eta_i = eta_0 / (1 + d i): the rate at iteration 200 is eta_200, not eta_1
    from generator.render import render_sheets

    params = {"a": R(1), "b": R(0), "x_0": R(1), "eta": R("0.25"), "k": 3, "eta_0": R("0.1"),
              "decay": R("0.01"), "iterations": [200]}
    problem = family.solve(params)
    assert [q.key for q in problem.questions][-1] == "eta_200"
    sheets = {lang: render_sheets([problem], ["p9"], "md", lang, {"id": "x"}, 1) for lang in ("en", "ko")}
    assert "the decayed learning rate $\\eta_{200}$ at iteration 200 (`eta_200`)" in sheets["en"]["worksheet"]
    assert "이터레이션 200에서 감소된 학습률 $\\eta_{200}$ (`eta_200`)" in sheets["ko"]["worksheet"]
    assert "$\\eta_{200} = \\frac{\\eta_{0}}{1 + d i_{1}} = " in sheets["en"]["key"]
    assert "eta_{1}" not in sheets["en"]["key"]


def test_learning_rate_sampled_rates_stay_clear_of_the_boundaries():
    for seed in range(200):
        params, _ = build(family, seed)
        r = abs(1 - 2 * params["a"] * params["eta"])
        assert r >= R("0.15") and abs(r - 1) >= R("0.1")


def test_learning_rate_decay_constant_is_not_named_like_the_step_count():
    # the prose says "Compute 3 steps": the decay constant must not also be called k
    from generator.render import render_sheets

    params = {"a": R(1), "b": R(0), "x_0": R(1), "eta": R("0.25"), "k": 3, "eta_0": R("0.1"),
              "decay": R("0.01"), "iterations": [100]}
    problem = family.solve(params)
    assert [g for g in problem.givens if g.name in ("k", "d")] and all(g.name != "k" for g in problem.givens)
    for lang in ("en", "ko"):
        sheet = render_sheets([problem], ["p9"], "md", lang, {"id": "x"}, 1)["worksheet"]
        assert "$d = 0.01$" in sheet
        assert "{1 + d i}" in sheet
        assert "k = " not in sheet and "$k$" not in sheet
