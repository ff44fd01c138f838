"""What the sheets and keys say: notation, plurals, typeset side notes (en and ko)."""

import re

import sympy as sp

from generator import registry
from generator.core import make_problem
from generator.families import initialization
from generator.render import render_sheets

R = sp.Rational
STUDENTS = ("ann", "bo", "cy", "di", "ed", "flo")


def _key(problem, lang="en", fmt="md"):
    return render_sheets([problem], ["p1"], fmt, lang, {"id": "x"}, 1)["key"]


def _prose(markdown: str) -> str:
    """The Markdown without its maths, code and sub tags."""
    text = re.sub(r"\$[^$]*\$", "", markdown)
    return re.sub(r"`[^`]*`|<sub>.*</sub>", "", text)


def test_wording_key_notes_typeset_their_maths():
    ascii_math = re.compile(r"\b(sigma|eta|gamma|beta|epsilon|lambda)\b|[a-z]'\(x\)|\^2|\|r\||\\<")
    for family in registry.names():
        for sid in STUDENTS:
            for lang in ("en", "ko"):
                text = _prose(_key(make_problem(family, 1, sid), lang))
                found = ascii_math.search(text)
                assert not found, (family, sid, lang, text[max(0, found.start() - 60):found.end() + 20])


def test_wording_initialization_heading_names_what_part_a_computes():
    base = {"layer": (400, 200), "activation": "relu", "hidden": 2, "outputs": 1, "c_w": R("0.5"),
            "c_v": R("0.3"), "x": [R("0.1"), R("0.2")], "t": [R("0.9")]}
    heads = {}
    for distribution in ("uniform", "normal"):
        problem = initialization.solve(dict(base, distribution=distribution))
        heads[distribution] = [step.note.en for step in problem.steps if step.formula is None][0]
    assert heads == {"uniform": "(a) limits of Xavier and He uniform initialization",
                     "normal": "(a) standard deviations of Xavier and He normal initialization"}


def test_wording_counts_agree_with_their_nouns():
    seen = set()
    for family in ("initialization", "batch_norm", "forward_pass", "output_update", "hidden_update"):
        for i in range(30):
            text = _prose(render_sheets([make_problem(family, 1, f"s{i}")], ["p1"], "md", "en", {"id": "x"}, 1)["worksheet"])
            assert "(s)" not in text, family
            for count, noun in re.findall(r"\b(\d+) (?:sigmoid )?(output unit|hidden unit|input|feature|sample)s?\b", text):
                plural = re.search(rf"\b{count} (?:sigmoid )?{noun}s\b", text) is not None
                seen.add((count == "1", plural))
            assert not re.search(r"\b1 (?:sigmoid )?(output units|hidden units|inputs|features|samples)\b", text)
            assert not re.search(r"\b([2-9]|\d\d+) (?:sigmoid )?(output unit|hidden unit|input|feature|sample)\b(?!s)", text)
    assert (True, False) in seen and (False, True) in seen


def test_wording_korean_particles_after_numbers_agree():
    texts = {}
    for sid in (f"s{i}" for i in range(40)):
        problem = make_problem("early_stopping", 1, sid)
        k = problem.intro[1].slots["K"].rhs
        line = [l for l in render_sheets([problem], ["p1"], "md", "ko", {"id": "x"}, 1)["worksheet"].splitlines()
                if l.startswith("(b)")][0]
        texts[int(k)] = line
    assert texts[3].endswith("$`N`$은 샘플 수, $`K = 3`$은 클래스 수이다.")  # 삼: a final consonant
    assert texts[4].endswith("$`N`$은 샘플 수, $`K = 4`$는 클래스 수이다.")  # 사: a vowel


def test_wording_korean_titles_use_korean_separators_and_course_terms():
    for family in registry.names():
        for sid in STUDENTS:
            problem = make_problem(family, 1, sid)
            title = render_sheets([problem], ["p1"], "md", "ko", {"id": "x"}, 1)["worksheet"].splitlines()
            title = [l for l in title if l.startswith("## ")][0]
            assert ";" not in title, title
    sigmoid = next(make_problem("activations", 1, f"s{i}") for i in range(50)
                   if make_problem("activations", 1, f"s{i}").intro[0].ko.startswith("(a) 시그모이드"))
    sheet = render_sheets([sigmoid], ["p1"], "md", "ko", {"id": "x"}, 1)["worksheet"]
    assert "## 문제 1. 활성화 함수: 시그모이드 함수와 기울기 소실" in sheet
    assert "함수 시그모이드 함수" not in sheet
    english = render_sheets([sigmoid], ["p1"], "md", "en", {"id": "x"}, 1)["worksheet"]
    assert "## Problem 1. Activations: the sigmoid activation and the vanishing gradient" in english
    assert "(a) For the sigmoid activation, compute " in english


def test_wording_korean_training_step_object_particle_fits_weights_and_biases():
    seen = set()
    for i in range(40):
        problem = make_problem("training_step", 1, f"s{i}")
        sheet = render_sheets([problem], ["p1"], "md", "ko", {"id": "x"}, 1)["worksheet"]
        if "모든 가중치와 편향을 경사 하강법으로" in sheet:
            seen.add("bias")
        elif "모든 가중치를 경사 하강법으로" in sheet:
            seen.add("plain")
        assert "편향를" not in sheet
    assert seen == {"bias", "plain"}


def test_wording_users_read_course_notes_not_seed_notes():
    # "seed notes" is the project's internal name; users call them the course notes (강의 노트)
    from click.testing import CliRunner

    from chainrule.cli import cli
    from generator import presets

    texts = [CliRunner().invoke(cli, ["generate", "--help"]).output]
    texts += [description for _load, description in presets.PRESETS.values()]
    for family in registry.names():
        for sid in STUDENTS[:3]:
            for lang in ("en", "ko"):
                sheets = render_sheets([make_problem(family, 1, sid)], ["p1"], "md", lang, {"id": "x"}, 1)
                texts += [sheets["worksheet"], sheets["key"]]
    assert "course notes" in texts[0]
    for text in texts:
        assert "seed note" not in text.lower()
        assert "시드 노트" not in text
    lr = render_sheets([make_problem("learning_rate", 1, "ann")], ["p1"], "md", "ko", {"id": "x"}, 1)["worksheet"]
    assert "강의 노트" in lr
