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
