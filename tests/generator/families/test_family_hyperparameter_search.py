"""hyperparameter_search against independent computation: plain math and fractions, the seed
notes' numbers (reciprocal(3e-4, 3e-2), n_iter=10, cv=3) and a Monte-Carlo estimate."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from _family_checks import build
from generator.families import hyperparameter_search as family

R = sp.Rational


def _params(**changes):
    params = {"low": R(3, 10000), "high": R(3, 100), "u": R(1, 2), "c": R(1, 1000), "d": R(1, 100),
              "n_iter": 10, "cv": 3, "N": 20640, "f_val": R(1, 5), "f_test": R(1, 5), "closing": "tune",
              "draws_seed": 7}
    params.update(changes)
    return params


def _answers(**changes):
    return {q.key: q.answer for q in family.solve(_params(**changes)).questions}


def test_hyperparameter_search_seed_notes_example():
    answers = _answers()
    # reciprocal(3e-4, 3e-2) at the median u = 1/2: the geometric mean sqrt(3e-4 * 3e-2) = 3e-3
    assert float(answers["lr"]) == pytest.approx(math.sqrt(3e-4 * 3e-2), rel=1e-12)
    # [1e-3, 1e-2] is one of the range's two decades
    assert float(answers["P"]) == pytest.approx(0.5, rel=1e-12)
    assert float(answers["s"]) == pytest.approx(0.5, rel=1e-12)
    assert answers["P_uniform"] == R(Fraction(9, 1000) / Fraction(297, 10000))
    # RandomizedSearchCV(n_iter=10, cv=3): 30 fits, and one more to refit the best
    assert (answers["F_search"], answers["F"]) == (30, 31)
    # 20640 samples, 20 % test, 20 % validation
    assert (answers["n_test"], answers["n_val"], answers["n_train"]) == (4128, 4128, 12384)
    assert answers["tuning_set"] == "validation"


@pytest.mark.parametrize("u", ["0.05", "0.35", "0.9"])
def test_hyperparameter_search_learning_rate_by_hand(u):
    answers = _answers(low=R(1, 10000), high=R(1, 10), u=R(u))
    # log10 lr = -4 + 3 u
    assert float(answers["lr"]) == pytest.approx(10 ** (-4 + 3 * float(u)), rel=1e-12)
    assert float(answers["s"]) == pytest.approx(1 / 3, rel=1e-12)


def test_hyperparameter_search_probability_agrees_with_monte_carlo():
    for seed in range(12):
        params, problem = build(family, seed)
        answers = {q.key: q.answer for q in problem.questions}
        low, high, c, d = (float(params[k]) for k in ("low", "high", "c", "d"))
        rng = np.random.default_rng(1000 + seed)
        draws = 10.0 ** rng.uniform(math.log10(low), math.log10(high), 200_000)
        estimate = np.mean((draws >= c) & (draws <= d))
        assert abs(estimate - float(answers["P"])) < 0.01, (params, estimate)
        uniform = rng.uniform(low, high, 200_000)
        assert abs(np.mean((uniform >= c) & (uniform <= d)) - float(answers["P_uniform"])) < 0.01


def test_hyperparameter_search_split_is_floor_of_the_fractions():
    for seed in range(60):
        params, problem = build(family, seed)
        answers = {q.key: q.answer for q in problem.questions}
        n = params["N"]
        n_test = math.floor(Fraction(n) * Fraction(str(params["f_test"])))
        n_val = math.floor(Fraction(n) * Fraction(str(params["f_val"])))
        assert (answers["n_test"], answers["n_val"], answers["n_train"]) == (n_test, n_val, n - n_test - n_val)
        assert answers["F"] == params["n_iter"] * params["cv"] + 1


def test_hyperparameter_search_float64_floor_is_exact_for_every_sample_size_and_fraction():
    # solutions.training.train_val_test_split floors n * fraction in float64
    for n in family.SAMPLES:
        for f in family.FRACTIONS:
            assert math.floor(n * float(f)) == math.floor(Fraction(n) * Fraction(f)), (n, f)


def test_hyperparameter_search_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["closing"] for p in params} == {"tune", "valid_role"}
    assert {round(math.log10(p["high"] / p["low"])) for p in params} == {2, 3}
    for p in params:
        assert p["low"] < p["c"] < p["d"] < p["high"]
        assert 0 < p["u"] < 1


def test_hyperparameter_search_closing_question():
    problem = family.solve(_params(closing="valid_role"))
    question = problem.questions[-1]
    assert (question.key, question.answer) == ("valid_role", "early_stopping")
    assert "EarlyStopping(patience=10)" in question.prompt.slots["call"]


def test_hyperparameter_search_figure_shows_the_draws_of_the_search():
    params = _params(n_iter=10)
    problem = family.solve(params)
    draws = problem.figure.data["draws"]
    assert len(draws) == 10
    assert all(float(params["low"]) <= x <= float(params["high"]) for x in draws)
