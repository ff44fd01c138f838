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


# --- issue 8: what a careful student reads ------------------------------------------------

def _first(family, test, lang="en", fmt="md"):
    """The key of the first student's variant for which ``test(problem)`` holds."""
    for i in range(200):
        problem = make_problem(family, 1, f"s{i}")
        if test(problem):
            return problem, _key(problem, lang, fmt)
    raise AssertionError(f"no variant of {family} found")


def test_wording_activations_ask_for_the_bound_not_a_maximum():
    import numpy as np

    for sid in STUDENTS:
        problem = make_problem("activations", 1, sid)
        b = next(q for q in problem.questions if q.key == "B")
        assert "bound" in b.prompt.en and "largest value" not in b.prompt.en
        assert "상한" in b.prompt.ko and "최댓값" not in b.prompt.ko
        key = _key(problem)
        assert "for every input the gradient's size stays below it" in key and "stays below it" in key
        # what the text now says is true: over the inputs, the gradient's size stays below B
        weights = [float(g.value) for g in problem.givens if re.fullmatch(r"w_\d+", g.name)]
        x = np.linspace(-12, 12, 24001)
        h, grad = x, np.ones_like(x)
        for w in weights:
            s = 1 / (1 + np.exp(-w * h))
            grad, h = grad * w * s * (1 - s), s
        assert np.abs(grad).max() < float(b.answer) * (1 - 1e-9), sid


def test_wording_early_stopping_states_the_rule_and_the_end_of_training():
    for lang, needles in (
        ("en", ("best value", "leaves the best value as it is", "all of training", "restored then too")),
        ("ko", ("기준값", "그대로", "학습의 전부", "그때에도")),
    ):
        key = _key(make_problem("early_stopping", 1, "ann"), lang)
        for needle in needles:
            assert needle in key, (lang, needle)
        assert "최솟값" not in key  # "the minimum so far" is another rule
    # the code is set as code, in one piece
    key = _key(make_problem("early_stopping", 1, "ann"))
    assert re.search(r"`EarlyStopping\(monitor='val_loss', patience=\d+, min_delta=[0-9.]+, "
                     r"restore_best_weights=True\)`", key)
    assert "`fit(class_weight=...)`" in key


def test_wording_batch_arithmetic_keeps_the_partial_batch():
    for lang, needle in (("en", "is smaller and is kept"), ("ko", "버리지 않고 그대로 쓴다")):
        assert needle in _key(make_problem("batch_arithmetic", 1, "ann"), lang)


def test_wording_korean_particle_after_code_reads_the_number():
    # issue 8: "batch_size=1)으로" -- 일 takes 로
    problem, key = _first("batch_arithmetic", lambda p: p.questions[-1].answer == "stochastic", "ko")
    assert "batch_size=1)`로 학습" in key
    problem, key = _first("batch_arithmetic", lambda p: p.questions[-1].answer == "mini_batch", "ko")
    assert re.search(r"batch_size=\d+\)`(으로|로) 학습", key)
    size = re.search(r"batch_size=(\d+)\)`(으로|로)", key)
    # 16 (십육), 32 (삼십이), 64 (육십사), 128 (백이십팔): 으로 only after a final consonant other than ㄹ
    ends = {"0": "으로", "3": "으로", "6": "으로"}
    assert size.group(2) == ends.get(size.group(1)[-1], "로")


def test_wording_korean_particle_after_a_derivative_written_as_an_operator():
    # d/dx h_3 is read ending in "삼": 을, not 를
    from generator.korean import CONSONANT, final_sound

    assert final_sound(sp.Derivative(sp.Symbol("h_3"), sp.Symbol("x"))) == CONSONANT


def test_wording_training_step_says_gradients_use_the_weights_before_the_step():
    problem = make_problem("training_step", 1, "ann")
    assert "weights before the step" in _key(problem)
    assert "업데이트하기 전의 가중치" in _key(problem, "ko")


def test_wording_every_network_problem_says_which_units_each_weight_connects():
    from generator.families._backprop import Net  # noqa: F401 - the families that draw networks

    for family in ("forward_pass", "output_update", "hidden_update", "training_step"):
        problem = make_problem(family, 1, "ann")
        edges, biases = problem.figure["edges"], problem.figure.get("biases", {})
        md = _key(problem)
        assert "Which units each weight connects" in md
        for src, dst, weight in edges:
            w, a, b = (sp.latex(sp.Symbol(n)) for n in (weight, src, dst))
            assert f"${w}\\colon {a} \\to {b}$" in md, (family, weight)
        for unit, bias in biases.items():
            assert f"${sp.latex(sp.Symbol(bias))}$: the bias of ${sp.latex(sp.Symbol(unit))}$" in md
        html = _key(problem, "en", "html")
        assert html.count("<li><math") >= len(edges)
        assert "각 가중치가 잇는 뉴런" in _key(problem, "ko")


def test_wording_korean_uses_standard_spellings_and_korean_terms():
    banned = ("목표값", "경계값", "한계값", "최대값", "최소값", "초기값", "max-norm 제약", "max-norm 한계", "정확한 소수")
    for family in registry.names():
        for sid in STUDENTS[:3]:
            problem = make_problem(family, 1, sid)
            for kind, text in render_sheets([problem], ["p1"], "md", "ko", {"id": "x"}, 1).items():
                for word in banned:
                    assert word not in text, (family, sid, kind, word)
    loss = make_problem("loss_values", 1, "ann")
    ko = _key(loss, "ko")
    assert "카테고리칼 크로스 엔트로피(범주형 교차 엔트로피)" in ko or "이진 크로스 엔트로피(이진 교차 엔트로피)" in ko


def test_wording_code_in_prose_is_set_as_code_in_every_format():
    problem, md = _first("loss_values", lambda p: True)
    tex = _key(problem, "en", "tex")
    html = _key(problem, "en", "html")
    assert "`loss='sparse_categorical_crossentropy'`" in md
    # one unbreakable piece of code (no break point inside: tests/generator/test_tex_layout.py)
    assert r"\code{loss=\textquotesingle{}sparse\_categorical\_crossentropy\textquotesingle{}}" in tex
    assert "<code>loss=&#x27;sparse_categorical_crossentropy&#x27;</code>" in html
    assert "loss='" not in re.sub(r"\\code\{[^}]*\}", "", tex)
