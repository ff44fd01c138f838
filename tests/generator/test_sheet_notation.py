"""Notation a teacher found wrong on the printed sheets:

1. batch_arithmetic named the number of epochs E, while the backprop problems of the same
   sheet call the error E: the epochs are n_epochs now, a symbol no other problem shows (the
   question keys U, I, r, ... stay, they are the students' interface);
2. RMSprop and Adam printed g^2 (1 - rho) (sympy's order); every textbook writes the
   coefficient first, (1 - rho) g^2, in every format;
3. hyperparameter_search's remark said "a share 0.90909091 of the learning rates": it says
   "about 91% of the draws" now, with the share's formula, from the variant's range.
"""

from __future__ import annotations

import html
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from generator import registry
from generator.core import make_problem
from generator.families import batch_arithmetic, hyperparameter_search, optimizer_steps
from generator.render import get_format, problem_view, render_sheets
from generator.symbolic import latex
from generator.notation import sym
from generator.worksheets import Student, answers_toml, build_sheet, sheet_plan

LANGS = ("en", "ko")


# --- 1. E is the error, and only the error --------------------------------------------

def _sections(markdown: str):
    """{family: its part of a Markdown sheet}."""
    out = {}
    for part in markdown.split("\n## ")[1:]:
        family = re.search(r"`p\d+_(\w+)`", part).group(1)
        out[family] = part
    return out


def _math(text: str):
    return re.findall(r"\$`?(.+?)`?\$", text)


def _letter_e(formula: str) -> bool:
    """The letter E standing alone in a LaTeX formula (E, E_1, E^+, \\partial E), not a part of a
    name such as \\operatorname{ReLU} or a word."""
    return re.search(r"(?<![\\A-Za-z])E(?![A-Za-z])", formula) is not None


@pytest.fixture(scope="module")
def default_sheet():
    plan = sheet_plan(registry.names(), None)
    return build_sheet(Student("student-001", ""), 2024, plan)


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_default_sheet_E_is_the_error_only(default_sheet, lang):
    sheet = default_sheet
    pages = render_sheets(sheet.problems, sheet.keys, "md", lang, {"id": "student-001"}, 2024)
    for kind, page in pages.items():
        sections = _sections(page)
        assert len(sections) == len(registry.names())
        # the backprop problems do show E, as the error
        assert any(_letter_e(f) for f in _math(sections["forward_pass"]))
        # the batch problem never does; its epochs are a symbol of their own
        batch = sections["batch_arithmetic"]
        assert [f for f in _math(batch) if _letter_e(f)] == [], kind
        label = "number of epochs" if lang == "en" else "에포크 수"
        epochs = re.search(r"- %s: \$`?(.+?) = (\d+)`?\$" % label, batch).group(1)
        assert epochs == "n_{epochs}"
        others = [f for family, part in sections.items() if family != "batch_arithmetic" for f in _math(part)]
        assert others and not any(epochs in f for f in others)
        # every prompt about epochs names them with it
        assert len(re.findall(r"\$`?%s`?\$ (?:epochs|에포크)" % re.escape(epochs), batch)) >= 4


@pytest.mark.parametrize("lang", LANGS)
def test_the_answers_file_names_the_epochs_and_keeps_its_keys(default_sheet, lang):
    text = answers_toml(default_sheet, 2024, lang, None)
    part = text[text.index("[p8_batch_arithmetic]"):]
    part = part[:part.index("\n[", 1)]
    assert "n_epochs" in part and not re.search(r"\bE\b", part)
    # the students' keys are unchanged
    assert re.findall(r"^(\w+) = ", part, flags=re.M) == ["I", "r", "U", "U_batch", "U_sgd", "fit_kind"]


def _shown_symbols(problem):
    """Every symbol a problem shows (LaTeX), from its givens, steps, formulas and prose."""
    shown = set()
    for given in problem.givens:
        shown.add(latex(sym(given.name), problem.display))
    texts = list(problem.intro) + list(problem.remarks) + [q.prompt for q in problem.questions]
    for step in problem.steps:
        if step.formula is not None:
            shown.add(latex(sym(step.name), problem.display))
            shown |= {latex(s, problem.display) for s in step.formula.free_symbols}
        if step.note is not None:
            texts.append(step.note)
    for text in texts:
        for value in text.slots.values():
            if hasattr(value, "free_symbols"):
                shown |= {latex(s, problem.display) for s in value.free_symbols}
    return shown


def test_no_family_shows_the_epochs_symbol_and_the_batch_problem_never_shows_E():
    by_family = {family: set() for family in registry.names()}
    for family in registry.names():
        for i in range(25):
            by_family[family] |= _shown_symbols(make_problem(family, 11, f"s{i}"))
    assert "E" in by_family["forward_pass"] and "E" not in by_family["batch_arithmetic"]
    assert "n_{epochs}" in by_family["batch_arithmetic"]
    assert [f for f, shown in by_family.items() if "n_{epochs}" in shown] == ["batch_arithmetic"]


def test_the_epochs_still_count_as_before():
    # 1000 samples in batches of 128: 8 iterations (the last of 104 samples); 10 epochs
    problem = batch_arithmetic.solve({"N": 1000, "B": 128, "n_epochs": 10, "fit_kind": "batch", "fit_batch": 32})
    answers = {q.key: q.answer for q in problem.questions}
    assert (answers["U"], answers["U_batch"], answers["U_sgd"]) == (80, 10, 10000)


# --- 2. (1 - rho) g^2: the coefficient first -------------------------------------------

def _params(optimizer):
    from sympy import Rational as R
    hyper = {"rmsprop": {"eta": R(1, 100), "rho": R(9, 10), "epsilon": R(1, 10 ** 7)},
             "adam": {"eta": R(1, 100), "beta_1": R(9, 10), "beta_2": R(999, 1000), "epsilon": R(1, 10 ** 8)}}
    return {"optimizer": optimizer, "source": "gradients", "k": 2, "hyper": hyper[optimizer],
            "w_0": R(1, 2), "gradients": [R(-3, 5), R(7, 20)]}


#: (optimizer, coefficient, what it multiplies) as LaTeX and as the text of MathML's tokens
TERMS = {
    "rmsprop": [(r"\rho", "g_{%s}^{2}", "ρ", "g%s2")],
    "adam": [(r"\beta_{1}", "g_{%s}", "β1", "g%s"), (r"\beta_{2}", "g_{%s}^{2}", "β2", "g%s2")],
}


def _tokens(markup: str) -> str:
    """The tokens of MathML in reading order, without markup: "(1−ρ)⁢g" ..."""
    return "".join(html.unescape(t) for t in re.findall(r"<m[ino][^>]*>([^<]*)</m[ino]>", markup))


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
@pytest.mark.parametrize("kind", ["worksheet", "key"])
def test_the_decay_coefficient_comes_first(optimizer, kind):
    problem = optimizer_steps.solve(_params(optimizer))
    for fmt in ("md", "tex"):
        page = render_sheets([problem], ["p5_optimizer_steps"], fmt, "en", {"id": "s"}, 1, kinds=(kind,))[kind]
        for coefficient, factor, _c, _f in TERMS[optimizer]:
            one = re.escape(r"1 - %s" % coefficient)
            first = r"(?:\\left)?\(%s(?:\\right)?\) %s" % (one, re.escape(factor % "t"))
            assert re.search(first, page), (fmt, coefficient)  # the rule as stated
            assert not re.search(r"%s \\left\(%s" % (re.escape(factor % "t"), one), page)
            if kind == "key":  # the worked steps, with the numbers put in the same order
                assert re.search(r"(?:\\left)?\(%s(?:\\right)?\) %s" % (one, re.escape(factor % "1")), page)
                assert re.search(r"(?:\\left)?\(1 - 0\.9+(?:\\right)?\) \\cdot (?:\\left)?\(-0\.6", page)
    page = render_sheets([problem], ["p5_optimizer_steps"], "html", "en", {"id": "s"}, 1, kinds=(kind,))[kind]
    maths = [_tokens(m) for m in re.findall(r"<math.*?</math>", page, flags=re.S)]
    for _c, _f, coefficient, factor in TERMS[optimizer]:
        rule = [m for m in maths if ("(1−%s)\u2062%s" % (coefficient, factor % "t")) in m]
        assert rule, coefficient
        assert not any(("%s(1−%s)" % (factor % "t", coefficient)) in m for m in maths)
    plain = problem_view(problem, get_format("text"), "en", 5, "p5")
    rules = " ".join(plain["intro"])
    for coefficient, factor in {"rmsprop": [("rho", "g_t**2")], "adam": [("beta_1", "g_t"), ("beta_2", "g_t**2")]}[optimizer]:
        assert "(1 - %s)*%s" % (coefficient, factor) in rules


def test_the_coefficient_first_changes_no_value():
    # RMSprop by hand: s_1 = 0.1 * 0.36 = 0.036, w_1 = 0.5 - 0.01 * (-0.6) / (sqrt(0.036) + 1e-7)
    problem = optimizer_steps.solve(_params("rmsprop"))
    steps = {s.name: s.value for s in problem.steps}
    assert steps["s_1"] == Fraction(36, 1000)
    assert abs(float(steps["w_1"]) - (0.5 + 0.006 / (0.036 ** 0.5 + 1e-7))) < 1e-12


# --- 3. the top decade as a share of the draws ------------------------------------------

def _eight_decimals(x: Fraction) -> str:
    return str((Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("low, high", hyperparameter_search.RANGES)
def test_the_top_decade_is_said_as_a_share_of_the_draws(low, high):
    from sympy import Rational
    a, b = Fraction(low), Fraction(high)
    share = (b - b / 10) / (b - a)
    percent = int((100 * share + Fraction(1, 2)) // 1)
    params = hyperparameter_search.sample(__import__("numpy").random.default_rng(0))
    params.update(low=Rational(low), high=Rational(high))
    problem = hyperparameter_search.solve(params)
    text = {lang: problem_view(problem, get_format("text"), lang, 14, "p14")["remarks"][0] for lang in LANGS}
    assert ("would put about %d%% of the draws in the top decade [b/10, b] alone (a share (b - b/10)/(b - a) = %s)"
            % (percent, _eight_decimals(share))) in text["en"]
    assert ("뽑은 값의 약 %d%%가 맨 위 10배 구간 [b/10, b]에만 몰린다(비율 (b - b/10)/(b - a) = %s)"
            % (percent, _eight_decimals(share))) in text["ko"]
    md = problem_view(problem, get_format("md"), "en", 14, "p14")["remarks"][0]
    assert r"about %d%% of the draws" % percent in md and r"$\frac{b - \frac{b}{10}}{b - a}$" in md
    tex = problem_view(problem, get_format("tex"), "ko", 14, "p14")["remarks"][0]
    assert r"약 %d\%%가" % percent in tex


def test_the_share_is_about_90_percent_and_rounded_half_up():
    # 0.0003 to 0.03: 0.027 / 0.0297 = 10/11 = 0.90909091, 91%; 0.001 to 1: 0.9 / 0.999 = 0.9009009, 90%
    assert hyperparameter_search._percent(Fraction(10, 11)) == 91
    assert hyperparameter_search._percent(Fraction(100, 111)) == 90
    assert hyperparameter_search._percent(Fraction(905, 1000)) == 91
