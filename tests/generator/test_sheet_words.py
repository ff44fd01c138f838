"""What the sheets say about rounding and grading, held to what the checker does (a teacher's
reading, session 8: the key never said how many digits must match, and the sheets claimed to
round "as the worked example in the course notes does", which prints E2 = 0.00203809 where
the rule gives 0.0020380862)."""

from fractions import Fraction

from checker.tolerance import default
from generator.i18n import words
from generator.model import Question


def test_the_key_states_the_tolerance_the_checker_uses():
    rtol = Question.__dataclass_fields__["rtol"].default
    shown = f"{rtol:.6f}"
    assert shown == "0.000001"
    for lang in ("en", "ko"):
        assert shown in words(lang)["key_intro"]
    # the case the key describes: each line rounded to 8 digits before its use
    tolerance = default(rtol, Question.__dataclass_fields__["atol"].default)
    assert tolerance.accepts(Fraction("0.0025149824"), Fraction("0.0025149825"))
    assert not tolerance.accepts(Fraction("0.0025149824"), Fraction("0.0025149924"))


def test_no_sheet_claims_the_course_notes_round_by_its_rule():
    for lang in ("en", "ko"):
        for key, text in words(lang).items():
            if key.startswith("instructions_"):
                assert "course notes" not in text and "강의 노트" not in text, (lang, key)


def test_korean_prose_says_keras_one_way():
    """A teacher's reading (session 8): 케라스 in problem 8, Keras in problems 9 and 13."""
    import re

    from generator import registry
    from tests.generator.families._family_checks import build, texts

    import importlib

    spellings = set()
    for name in registry.FAMILIES:
        module = importlib.import_module(f"generator.families.{name}")
        for seed in range(12):
            _params, problem = build(module, seed)
            for _where, text in texts(problem):
                spellings.update(re.findall(r"Keras|케라스", text.ko))
    assert spellings == {"케라스"}


def test_a_negative_number_alone_in_a_functions_parentheses_gets_no_second_pair():
    """A teacher's reading (session 8): "0.05 · sign((-0.1))" on the L1 line of a key."""
    import sympy as sp

    from generator.symbolic import substituted

    g, lam = sp.Symbol("g"), sp.Symbol("lambda")
    text = substituted(lam * sp.sign(g), {"g": r"\left(-0.1\right)", "lambda": "0.05"}, "latex",
                       {"g": "-0.1", "lambda": "0.05"})
    assert text == r"0.05 \cdot \operatorname{sign}{\left(-0.1 \right)}"
