"""The checks every family built on ``families._key`` (all but the backprop chains) must
pass, over 200 sampled variants each (the family-specific tests, with hand-computed
oracles, are in test_family_<family>.py)."""

import importlib

import pytest

from _family_checks import assert_deterministic, assert_problem_sound, build

FAMILIES = ["optimizer_steps", "loss_values", "activations", "batch_arithmetic", "learning_rate",
            "regularization", "batch_norm", "initialization", "early_stopping", "hyperparameter_search"]


@pytest.fixture(params=FAMILIES)
def family(request):
    return importlib.import_module(f"generator.families.{request.param}")


def test_key_family_every_variant_is_sound(family):
    # bilingual prose with matching slots, every step true in order, answers = solutions/ float64
    for seed in range(200):
        _params, problem = build(family, seed)
        assert_problem_sound(problem)


def test_key_family_same_seed_same_problem(family):
    for seed in (0, 7, 123):
        assert_deterministic(family, seed)


def test_key_family_different_seeds_different_problems(family):
    problems = [repr(build(family, seed)[1].givens) for seed in range(20)]
    assert len(set(problems)) == len(problems)


def test_key_family_are_registered():
    from generator import registry

    for name in FAMILIES:
        module, summary = registry.FAMILIES[name]
        assert module == f"generator.families.{name}" and summary
