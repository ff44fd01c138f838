"""Trial 19b, findings 1 and 2. On a practice sheet one early mistake (t - o written for
dE/do_1) is not charged again at the blanks computed right from it: they "follow from your
a)", and a mistake that gives the same value there (the gradient added, at w^+) is not named
beside it; where two mistakes give one value and no answer tells which (no_eta and no_half at
eta = 0.5), they are offered as alternatives. A value rounded on the way (the activations
only, z exact) gets a rounding hint, not a bare "not the right value", on open, graded and
practice sheets."""

import tomllib
from fractions import Fraction

import pytest

from checker import check, practice
from checker.judge import judge_practice
from checker.messages import message
from checker.reading import exponent, round_significant
from generator import worksheets
from generator.numbers import format_number

SEED = 2024


def _sheet(mode, family, sid="student-001", lang="en"):
    plan = [(f"p1_{family}", family, 0)]
    sheet = worksheets.build_sheet(worksheets.Student(sid), SEED, plan)
    return sheet.problems[0], tomllib.loads(worksheets.answers_toml(sheet, SEED, lang, None, mode=mode))


def _verdicts(data):
    report = check.check_data(data, "answers.toml", check.Options())
    return {v.key: v for v in report.problems[0].verdicts}


def _mistake(problem, question, name):
    return next(Fraction(format_number(m.value)) for m in problem.mistakes if m.question == question and m.name == name)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_practice_answer_computed_right_from_an_earlier_mistake_follows_from_it(lang):
    problem, data = _sheet("practice", "output_update", lang=lang)
    keys = [q.key for q in problem.questions]            # dE_do_1, do_1_dz_k, dz_k_dw_j, dE_dw_j, w_j_new
    table = data["p1_output_update"]
    for k in keys[1:3]:
        table[k] = format_number(next(q.answer for q in problem.questions if q.key == k))
    for k in (keys[0], keys[3], keys[4]):                # t - o at a), everything after it right from it
        table[k] = format_number(_mistake(problem, k, "t_minus_o"))
    spec = data["chainrule"]["practice"]["p1_output_update"][keys[4]]
    hashes = {m["name"]: m["hash"] for m in spec["mistakes"]}
    assert hashes["t_minus_o"] == hashes["added_gradient"]     # the collision of the report
    verdicts = _verdicts(data)
    first = verdicts[keys[0]]
    assert first.mistakes == ["t_minus_o"]
    used = message(lang, "follows_used", key=keys[0], given=table[keys[0]], letter="a")
    for k in keys[3:]:
        v = verdicts[k]
        assert v.status == "wrong" and v.credit == 0          # practice: no credit carried forward
        assert v.message == message(lang, "follows_from", used=used), v.message
        assert v.mistakes == [] and v.carried == ["t_minus_o"] and v.follows == keys[0]
    if lang == "en":
        assert verdicts[keys[3]].message.startswith(f"follows from your {keys[0]} = {table[keys[0]]} (part a): ")
    # the class summary counts the mistake once, at a)
    report = check.check_data(data, "answers.toml", check.Options())
    from checker.report import class_summary
    assert [n for _hint, n in class_summary([report])[0].mistakes] == [1]
    # the open sheet carries credit forward as before
    problem, data = _sheet("open", "output_update", lang=lang)
    open_table = data["p1_output_update"]
    open_table.update(table)
    verdicts = _verdicts(data)
    assert [verdicts[k].status for k in keys[3:]] == ["consistent", "consistent"]


def test_the_gradient_added_alone_is_still_named_after_a_right_dE_do():
    problem, data = _sheet("practice", "output_update")
    keys = [q.key for q in problem.questions]
    table = data["p1_output_update"]
    table[keys[4]] = format_number(_mistake(problem, keys[4], "added_gradient"))
    verdicts = _verdicts(data)                       # nothing earlier answered: either reading
    assert set(verdicts[keys[4]].mistakes) == {"added_gradient", "t_minus_o"}
    assert verdicts[keys[4]].message.startswith(message("en", "mistakes_either", hints=""))
    table[keys[0]] = format_number(next(q.answer for q in problem.questions if q.key == keys[0]))
    verdicts = _verdicts(data)                       # a right dE/do_1: the gradient added, alone
    assert verdicts[keys[4]].mistakes == ["added_gradient"]
    assert verdicts[keys[4]].message.startswith("this is what you get if you add the gradient")


def _eta_half(mode):
    for i in range(200):
        problem, data = _sheet(mode, "training_step", sid=f"s{i}")
        if any(g.name == "eta" and Fraction(format_number(g.value)) == Fraction(1, 2) for g in problem.givens):
            return problem, data
    pytest.skip("no training_step variant with eta = 0.5 among 200 students")


@pytest.mark.parametrize("mode", ["practice", "open"])
def test_no_eta_and_no_half_at_eta_one_half_are_alternatives_unless_E_tells(mode):
    problem, data = _eta_half(mode)
    table = data["p1_training_step"]
    key = next(m.question for m in problem.mistakes if m.name == "no_eta")
    no_eta, no_half = _mistake(problem, key, "no_eta"), _mistake(problem, key, "no_half")
    assert no_eta == no_half
    table[key] = format_number(no_eta)
    v = _verdicts(data)[key]
    assert set(v.mistakes) == {"no_eta", "no_half"}
    hints = [m.hint[0] for m in problem.mistakes if m.question == key and m.name in ("no_half", "no_eta")]
    assert v.message == message("en", "mistakes_either", hints="; or ".join(hints))
    # E without its 1/2 too: the same mistake, named alone
    table["E"] = format_number(_mistake(problem, "E", "no_half"))
    v = _verdicts(data)[key]
    assert v.mistakes == ["no_half"] and v.message == next(h for h in hints if "1/2" in h)


def _rounded_activations(problem, digits=3):
    """o_1 from the hidden outputs rounded to ``digits`` significant digits, the weighted
    inputs exact (a hand calculator's habit)."""
    exact = check._chain_values(problem, {})
    hidden = {}
    for name, (value, _used) in exact.items():
        if name.startswith("h_"):
            n, k = round_significant(value, digits)
            hidden[name] = Fraction(n) * Fraction(10) ** k
    return check._chain_values(problem, hidden)


def test_activations_rounded_alone_get_the_rounding_hint_on_an_open_sheet():
    problem, data = _sheet("open", "forward_pass")
    table = data["p1_forward_pass"]
    chain = _rounded_activations(problem)
    steps = check.steps_of(problem)
    key = next(k for k, s in steps.items() if s.startswith("o_"))
    value = chain[steps[key]][0]
    table[key] = format_number(value)
    assert not check.default_tolerance(1e-6, 0).accepts(Fraction(table[key]), check.exact_value(
        next(q.answer for q in problem.questions if q.key == key)))
    v = _verdicts(data)[key]
    assert v.status == "wrong"
    assert v.message == message("en", "rounded_intermediate", k=3), v.message


def _off(exact):
    """``exact`` 6 units of its 6th significant digit off: agrees to 4 digits, within a unit of
    the 5th (o_1 from activations rounded to 3 digits, trial 19b)."""
    return exact + 6 * Fraction(10) ** (exponent(exact) - 5)


@pytest.mark.parametrize("mode", ["open", "practice"])
def test_an_answer_off_in_the_sixth_digit_is_told_to_carry_more_digits(mode):
    problem, data = _sheet(mode, "forward_pass")
    table = data["p1_forward_pass"]
    q = problem.questions[-1]
    exact = check.exact_value(q.answer)
    table[q.key] = format_number(_off(exact))
    v = _verdicts(data)[q.key]
    assert v.status == "wrong"
    assert v.message == message("en", "agrees_to_carry", k=4), v.message
    table[q.key] = format_number(exact * (1 + Fraction(1, 10 ** 2)))      # far off: the plain hint
    v = _verdicts(data)[q.key]
    assert "carry all its digits" not in v.message


def test_the_agreement_probe_has_its_own_budget():
    problem, data = _sheet("practice", "forward_pass")
    entry = data["chainrule"]["practice"]["p1_forward_pass"]
    q = problem.questions[-1]
    close = format_number(_off(check.exact_value(q.answer)))
    budget = practice.Budget()
    budget.agree = practice.AGREE_TRIES - 1                 # spent: the plain hint, no more hashes
    hashes = budget.hashes
    v = judge_practice(q.key, entry[q.key], entry["salt"], close, "d", "en", budget=budget)
    assert v.message == message("en", "not_within", k=practice.DIGITS)
    assert budget.hashes >= hashes - practice.BLANK_COST["number"]
    budget = practice.Budget()
    v = judge_practice(q.key, entry[q.key], entry["salt"], close, "d", "en", budget=budget)
    assert v.message == message("en", "agrees_to_carry", k=4)
    assert budget.agree == practice.AGREE_BUDGET - practice.AGREE_TRIES
    assert budget.hashes >= practice.HASH_BUDGET - practice.BLANK_COST["number"]   # not counted there
