import numpy as np
import sympy as sp

from _family_checks import build, close
from generator.families import initialization as family
from solutions import initializers

R = sp.Rational


def _numbers(params):
    return {q.key: float(q.answer) for q in family.solve(params).questions if q.kind == "number"}


def _params(**kw):
    params = {"layer": (400, 200), "activation": "relu", "distribution": "uniform", "hidden": 2, "outputs": 1,
              "c_w": R("0.5"), "c_v": R("0.3"), "x": [R("0.1"), R("0.2")], "t": [R("0.9")]}
    params.update(kw)
    return params


def test_initialization_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["activation"] for p in params} == set(family.ACTIVATIONS)
    assert {p["distribution"] for p in params} == {"uniform", "normal"}
    assert {(p["hidden"], p["outputs"]) for p in params} == {(2, 1), (3, 1), (2, 2)}


def test_initialization_limits_match_hand_computation():
    uniform = {q.key: q.answer for q in family.solve(_params()).questions}
    assert close(uniform["xavier"], sp.sqrt(R(6, 600))) and close(uniform["he"], sp.sqrt(R(6, 400)))
    assert uniform["scheme"] == "he"
    normal = {q.key: q.answer for q in family.solve(_params(distribution="normal", activation="tanh")).questions}
    assert close(normal["xavier"], sp.sqrt(R(2, 600))) and close(normal["he"], sp.sqrt(R(2, 400)))
    assert normal["scheme"] == "xavier"


def test_initialization_limits_agree_with_the_solutions_samplers():
    # The worksheet's Xavier limit bounds solutions.initializers.glorot_uniform's draws and its
    # He standard deviation is he_normal's spread.
    rng = np.random.default_rng(0)
    uniform = _numbers(_params(layer=(256, 128)))
    draws = initializers.glorot_uniform(256, 128, rng)
    assert np.abs(draws).max() <= uniform["xavier"] and np.abs(draws).max() > 0.99 * uniform["xavier"]
    normal = _numbers(_params(layer=(256, 128), distribution="normal"))
    assert abs(initializers.he_normal(256, 128, rng).std() / normal["he"] - 1) < 0.02


def test_initialization_equal_weights_give_equal_gradients():
    for hidden, outputs in ((2, 1), (3, 1), (2, 2)):
        problem = family.solve(_params(hidden=hidden, outputs=outputs, t=[R("0.9")] * outputs))
        steps = {s.name: s.value for s in problem.steps if s.value is not None}
        for i in (1, 2):
            assert len({steps[f"dE_dw_{i},{j}"] for j in range(1, hidden + 1)}) == 1
        for k in range(1, outputs + 1):
            assert len({steps[f"dE_dv_{j},{k}"] for j in range(1, hidden + 1)}) == 1
        assert all(steps[f"dE_dw_{i},1"] != 0 for i in (1, 2))


def test_initialization_gradient_matches_finite_difference():
    # E(w) with every first-layer weight moved together is not what dE/dw_11 measures, so perturb w_11 alone.
    def error(w11):
        x, W1, W2 = np.array([0.1, 0.2]), np.full((2, 2), 0.5), np.full((2, 1), 0.3)
        W1[0, 0] = w11
        h = 1 / (1 + np.exp(-(x @ W1)))
        o = 1 / (1 + np.exp(-(h @ W2)))
        return 0.5 * float(((0.9 - o) ** 2).sum())

    answers = _numbers(_params())
    step = 1e-6
    assert abs(answers["dE_dw_1_1"] - (error(0.5 + step) - error(0.5 - step)) / (2 * step)) < 1e-9
