"""Carried-forward credit is never earned by an answer that asks no work.

Session 9's attack (graded check, --carry-forward full): o_1 written as the given target t_1
made E = 0 "consistent" (full credit); dE_do_1 = 0 made dE_dw_7 = 0 and w_7_new = w_7 (the
given weight) consistent too: later answers of every chain earned with no arithmetic.
"""

import tomllib
from fractions import Fraction

from checker import check
from generator import core, worksheets
from generator.numbers import format_number

SEED, SID = 2024, "student-001"


def _sheet(families):
    plan = [(f"p{i + 1}_{f}", f, 0) for i, f in enumerate(families)]
    sheet = worksheets.build_sheet(worksheets.Student(SID), SEED, plan)
    return sheet, tomllib.loads(worksheets.answers_toml(sheet, SEED, "en", None))


def _verdicts(data):
    report = check.check_data(data, "answers.toml", check.Options(carry="full"))
    return [{v.key: (v.status, v.credit, v.message) for v in p.verdicts} for p in report.problems]


def test_a_copied_target_earns_no_credit_for_a_zero_error():
    sheet, data = _sheet(["forward_pass"])
    problem = sheet.problems[0]
    given = {g.name: g.value for g in problem.givens}
    data["p1_forward_pass"].update(o_1=format_number(given["t_1"]), o_2=format_number(given["t_2"]), E="0")
    (first,) = _verdicts(data)
    assert first["o_1"][0] == "wrong" and first["o_2"][0] == "wrong"
    status, credit, said = first["E"]
    assert (status, credit) == ("wrong", 0.0)
    assert said.startswith("consistent with your o_1 = ") and "asks no work" in said


def test_a_zero_gradient_earns_nothing_down_its_chain_but_an_honest_slip_still_does():
    sheet, data = _sheet(["output_update"])
    problem = sheet.problems[0]
    keys = [q.key for q in problem.questions]          # dE_do_k, do_dz, dz_dw, dE_dw, w_new
    table = data["p1_output_update"]
    given = {g.name: g.value for g in problem.givens}
    weight = next(k for k in given if keys[-1] == f"{k}_new")     # w_7_new: the given w_7
    for k in keys[1:3]:
        table[k] = format_number(next(q.answer for q in problem.questions if q.key == k))
    table[keys[0]] = "0"
    table[keys[3]] = "0"
    table[keys[4]] = format_number(given[weight])
    (first,) = _verdicts(data)
    assert first[keys[3]][:2] == ("wrong", 0.0) and "asks no work" in first[keys[3]][2]
    assert first[keys[4]][:2] == ("wrong", 0.0) and "asks no work" in first[keys[4]][2]
    # an honest slip in the first factor still carries forward
    right = {q.key: Fraction(str(float(q.answer))) for q in problem.questions}
    slip = right[keys[0]] * Fraction(11, 10)
    product = slip * right[keys[1]] * right[keys[2]]
    table[keys[0]] = format_number(slip)
    table[keys[3]] = format_number(product)
    del table[keys[4]]
    (again,) = _verdicts(data)
    assert again[keys[3]][:2] == ("consistent", 1.0), again[keys[3]]
