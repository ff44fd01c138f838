"""Korean particles after formulas and numbers agree with how they are read aloud."""

import re

import sympy as sp

from generator.notation import Hat
from generator.korean import CONSONANT, RIEUL, VOWEL, agree, final_sound
from generator.model import Num, Text
from generator.render import get_format
from generator.notation import Partial, sigma

S = sp.Symbol


def test_korean_final_sound_of_numbers_follows_the_sino_korean_reading():
    # 일 이 삼 사 오 육 칠 팔 구, 영; 십 백 천 만
    expected = {1: RIEUL, 2: VOWEL, 3: CONSONANT, 4: VOWEL, 5: VOWEL, 6: CONSONANT, 7: RIEUL, 8: RIEUL,
                9: VOWEL, 0: CONSONANT, 10: CONSONANT, 200: CONSONANT, 3000: CONSONANT, 12: VOWEL, 25: VOWEL}
    assert {n: final_sound(n) for n in expected} == expected
    assert final_sound(Num(sp.Rational(1, 4))) == VOWEL  # 0.25: 영 점 이 오
    assert final_sound(Num(sp.Rational(3, 10))) == CONSONANT  # 0.3: 삼


def test_korean_final_sound_of_symbols_is_their_last_spoken_part():
    assert final_sound(S("w_5")) == VOWEL  # 더블유 오
    assert final_sound(S("x_1")) == RIEUL  # 엑스 일
    assert final_sound(S("eta")) == VOWEL  # 에타
    assert final_sound(S("n_in")) == CONSONANT  # 엔 인
    assert final_sound(S("m")) == CONSONANT  # 엠
    assert final_sound(sigma(S("x_1"))) == RIEUL
    assert final_sound(Partial(S("E"), S("w_5"))) == VOWEL
    assert final_sound(Hat("m", "3")) == CONSONANT
    assert final_sound(sp.Eq(S("K"), 3)) == CONSONANT  # K = 3: by its right-hand side
    assert final_sound(S("x") ** 2) == CONSONANT  # 제곱
    assert final_sound(S("dE"), {"dE": Partial(S("E"), S("w_2"))}) == VOWEL


def test_korean_agree_rewrites_only_a_leading_particle():
    assert agree(CONSONANT, "는 클래스 수이다.") == "은 클래스 수이다."
    assert agree(VOWEL, "을 구하시오") == "를 구하시오"
    assert agree(RIEUL, "를 구하시오") == "을 구하시오"
    assert agree(CONSONANT, "와 마스크") == "과 마스크"
    assert agree(VOWEL, "이 커진다") == "가 커진다"
    assert agree(CONSONANT, "가 커진다") == "이 커진다"
    assert agree(RIEUL, "으로 줄인다") == "로 줄인다"
    assert agree(CONSONANT, "로 줄인다") == "으로 줄인다"
    assert agree(VOWEL, "이다.") == "이다."  # a copula fits any sound
    assert agree(VOWEL, "에서") == "에서"
    assert agree(VOWEL, " 를") == " 를"  # not attached to the slot


def test_korean_rendered_prose_gets_the_fitting_particle():
    md = get_format("md")
    text = Text("update {w}", "{w}를 업데이트하고 K = {K}는 클래스 수, {v}은 속도", {"w": S("w_1"), "K": 3, "v": S("v_2")})
    # math right before Hangul in GitHub's $`...`$ form, which it renders there
    assert md.text(text, "ko") == "$`w_{1}`$을 업데이트하고 K = 3은 클래스 수, $`v_{2}`$는 속도"
    assert get_format("tex").text(text, "ko") == "$w_{1}$을 업데이트하고 K = 3은 클래스 수, $v_{2}$는 속도"
    assert md.text(text, "en") == "update $w_{1}$"
    html = get_format("html").text(Text("{w}", "{w}를", {"w": S("x_1")}), "ko")
    assert html.endswith("</math>을")


def test_korean_answers_file_names_the_kind_of_answer_in_korean():
    # issue 8: English type tags ("[number]") in a Korean answers.toml
    from generator import registry
    from generator.worksheets import Student, answers_toml, build_sheet, sheet_plan

    families = list(registry.names())
    sheet = build_sheet(Student("ann", ""), 3, sheet_plan(families, len(families)))
    ko = answers_toml(sheet, 3, "ko", None)
    en = answers_toml(sheet, 3, "en", None)
    assert "  [수]" in ko and "  [정수]" in ko and re.search(r'  \[선택: "[a-z_]+"(, "[a-z_]+")+ 중 하나\]', ko)
    assert "[number]" not in ko and "[integer]" not in ko and "choice: one of" not in ko
    assert "  [number]" in en and "  [integer]" in en and "  [choice: one of " in en


def test_korean_markdown_writes_every_formula_of_a_text_with_one_kind_of_delimiter():
    from generator.model import Text
    from generator.render import get_format

    md = get_format("md")
    text = Text("{a} and {b}", "{a}에 대해 {b}, {c}이다", {"a": sp.Symbol("l"), "b": sp.Symbol("z"), "c": sp.Symbol("h")})
    assert md.text(text, "ko") == "$`l`$에 대해 $`z`$, $`h`$이다"
    assert md.text(text, "en") == "$l$ and $z$"  # nothing glued to a letter: plain $...$


def test_korean_markdown_sheets_use_one_kind_of_math_delimiter_a_line():
    from generator.core import make_problem
    from generator.render import render_sheets

    mixed = 0
    for family in ("activations", "batch_norm", "hidden_update", "hyperparameter_search", "initialization"):
        for sid in ("s1", "s2", "s3"):
            problem = make_problem(family, 2026, sid)
            for text in render_sheets([problem], ["p1"], "md", "ko", {"id": "x"}, 1).values():
                for line in text.splitlines():
                    maths = re.split(r"(?<!\\)\$", line)[1::2]
                    kinds = {m.startswith("`") for m in maths}
                    assert len(kinds) <= 1, (family, sid, line)
                    mixed += len(maths) > 1 and kinds == {True}
    assert mixed  # lines that had both kinds now have the GitHub one only
