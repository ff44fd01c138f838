import sympy as sp

from _family_checks import build, close
from generator.families import batch_norm as family

R = sp.Rational


def test_batch_norm_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {(len(p["x"]), len(p["x"][0])) for p in params} == set(family.SHAPES)
    assert {p["gamma"][0] == 1 and p["beta"][0] == 0 for p in params} == {True, False}


def test_batch_norm_matches_hand_computation():
    # column (1, 2, 3): mean 2, biased variance 2/3; y = gamma (x - 2) / sqrt(2/3 + 1e-5) + beta
    params = {"x": [[R(1)], [R(2)], [R(3)]], "gamma": [R("1.5")], "beta": [R("-0.5")]}
    answers = {q.key: q.answer for q in family.solve(params).questions}
    assert answers["mu_1"] == 2 and answers["var_1"] == R(2, 3)
    for i, x in ((1, 1), (2, 2), (3, 3)):
        assert close(answers[f"y_{i}_1"], R("1.5") * (x - 2) / sp.sqrt(R(2, 3) + R("1e-5")) - R("0.5"))


def test_batch_norm_outputs_have_mean_beta_and_variance_near_gamma_squared():
    for seed in range(40):
        params, problem = build(family, seed)
        answers = {q.key: sp.N(q.answer, 40) for q in problem.questions}
        n, d = len(params["x"]), len(params["x"][0])
        for j in range(1, d + 1):
            ys = [answers[f"y_{i}_{j}"] for i in range(1, n + 1)]
            m = sum(ys) / n
            v = sum((y - m) ** 2 for y in ys) / n
            var = answers[f"var_{j}"]
            assert abs(m - params["beta"][j - 1]) < 1e-30
            assert abs(v - params["gamma"][j - 1] ** 2 * var / (var + R("1e-5"))) < 1e-30
