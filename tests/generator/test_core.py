"""Variant derivation and the sympy-vs-solutions cross-check."""

import pytest
import sympy as sp

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from generator import core
from generator.model import Problem, Question, Text


def test_core_variant_id_is_a_fixed_function_of_its_inputs():
    # golden values, recorded once: a change of derivation would silently give every
    # class different sheets under the same seed, so it must show up here
    assert core.variant_id(2024, "alice", "output_update") == "4bd1a1c5a4"
    assert core.variant_id(0, "student-001", "forward_pass", occurrence=1) == "7669f47e2b"


def test_core_same_inputs_give_the_same_draws_in_a_fresh_generator():
    a = core.variant_rng(7, "bob", "forward_pass").integers(0, 2**62, size=4)
    b = core.variant_rng(7, "bob", "forward_pass").integers(0, 2**62, size=4)
    assert a.tolist() == b.tolist()


def test_core_variant_depends_on_every_input():
    base = core.variant_id(1, "alice", "forward_pass")
    others = {
        core.variant_id(2, "alice", "forward_pass"),
        core.variant_id(1, "alicf", "forward_pass"),
        core.variant_id(1, "alice", "output_update"),
        core.variant_id(1, "alice", "forward_pass", occurrence=1),
    }
    assert base not in others and len(others) == 4


def test_core_variant_derivation_is_not_confused_by_separators():
    # ("1", "a|b") and ("1|a", "b") style collisions are impossible: the separator is \x1f
    assert core.variant_id(1, "a_b", "forward_pass") != core.variant_id(1, "a", "b_forward_pass")


def test_core_negative_seed_is_a_usage_error():
    with pytest.raises(ChainruleUsageError) as info:
        core.variant_id(-1, "alice", "forward_pass")
    assert str(info.value) == "Seed -1 is not valid; use a whole number >= 0."


def test_core_unknown_family_suggests_the_closest_name():
    with pytest.raises(ChainruleUsageError) as info:
        core.make_problem("forward_pas", 1, "alice")
    assert str(info.value) == "Unknown problem family 'forward_pas' (did you mean 'forward_pass'?); chainrule list shows all."


def _problem(answer, reference, kind="number", choices=None):
    return Problem(
        family="demo", variant="abc", title=Text("t", "t"), intro=[], givens=[], steps=[],
        questions=[Question(key="q", prompt=Text("p", "p"), answer=answer, kind=kind,
                            reference=reference, choices=choices)],
    )


def test_core_check_accepts_agreeing_answer_and_reference():
    core.check_problem(_problem(sp.Rational(1, 3), 1 / 3))


def test_core_check_rejects_a_disagreeing_reference_with_a_clear_message():
    with pytest.raises(ChainruleError) as info:
        core.check_problem(_problem(sp.Rational(1, 3), 0.3334))
    assert str(info.value) == (
        "family 'demo' variant abc: question 'q' sympy answer 0.3333333333333333 disagrees with "
        "solutions/ float64 0.3334; the key would be wrong, so generation stopped."
    )


def test_core_check_rejects_a_missing_reference():
    with pytest.raises(ChainruleError, match="has no float64 reference"):
        core.check_problem(_problem(sp.Rational(1, 3), None))


def test_core_check_rejects_a_choice_answer_outside_the_choices():
    with pytest.raises(ChainruleError, match="is not one of its choices"):
        core.check_problem(_problem("c", None, kind="choice", choices={"a": Text("a", "a")}))


def test_core_check_rejects_a_key_that_is_not_a_toml_bare_key():
    problem = _problem(sp.Rational(1, 3), 1 / 3)
    problem.questions[0].key = "dE/dw"
    with pytest.raises(ChainruleError, match="must be letters, digits and '_'"):
        core.check_problem(problem)


def test_core_check_rejects_an_answer_that_is_not_finite():
    with pytest.raises(ChainruleError, match="answer nan is not a real number"):
        core.check_problem(_problem(sp.nan, 1.0))
    with pytest.raises(ChainruleError, match="answer oo is not a real number"):
        core.check_problem(_problem(sp.Float("inf"), float("inf")))  # sympy makes it oo
    with pytest.raises(ChainruleError, match="float64 reference is nan"):
        core.check_problem(_problem(sp.Rational(1, 3), float("nan")))
