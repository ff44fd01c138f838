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


def _sheet(families, sid=SID):
    plan = [(f"p{i + 1}_{f}", f, 0) for i, f in enumerate(families)]
    sheet = worksheets.build_sheet(worksheets.Student(sid), SEED, plan)
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


def test_moving_a_trivial_answer_by_a_hair_earns_nothing_either():
    """Session 9's second attack: o_1 = t_1 + 1e-12 passed an equality test, and E = "0"
    was consistent again; a derivative of 1e-20 or a weight left as given + 1e-13 alike."""
    sheet, data = _sheet(["forward_pass", "output_update"])
    forward, update = sheet.problems
    given = {g.name: g.value for g in forward.givens}
    hair = Fraction(1, 10 ** 12)
    data["p1_forward_pass"].update(o_1=format_number(Fraction(str(float(given["t_1"]))) + hair),
                                   o_2=format_number(Fraction(str(float(given["t_2"]))) + hair), E="0")
    keys = [q.key for q in update.questions]
    ugiven = {g.name: g.value for g in update.givens}
    weight = next(k for k in ugiven if keys[-1] == f"{k}_new")
    table = data["p2_output_update"]
    table[keys[0]] = format_number(next(q.answer for q in update.questions if q.key == keys[0]))
    table[keys[1]] = "1e-30"
    table[keys[2]] = format_number(next(q.answer for q in update.questions if q.key == keys[2]))
    table[keys[3]] = "1e-20"
    table[keys[4]] = format_number(Fraction(str(float(ugiven[weight]))) + hair / 10)
    first, second = _verdicts(data)
    assert first["E"][:2] == ("wrong", 0.0), first["E"]
    for k in keys[3:]:
        assert second[k][:2] == ("wrong", 0.0), (k, second[k])


def test_a_step_that_repeats_an_earlier_answer_is_not_credited_unless_the_key_does_too():
    """training_step: every update left at its given weight (+ a hair) made E_new = E."""
    sheet, data = _sheet(["training_step"], "s1")
    problem = sheet.problems[0]
    keys = [q.key for q in problem.questions]
    given = {g.name: g.value for g in problem.givens}
    # s1's variant asks every weight and bias: left as given, the error after is the error before
    assert {k[:-4] for k in keys if k.endswith("_new") and k != "E_new"} == {
        g for g in given if g[0] in "wb" and g[1] == "_"}
    table = data["p1_training_step"]
    for k in keys:
        if k.endswith("_new") and k[:-4] in given:
            shown = format_number(given[k[:-4]])
            assert "." in shown and "e" not in shown
            table[k] = shown + "000001"         # the given weight, moved by a hair (1e-14)
    right = {q.key: q.answer for q in problem.questions}
    table["E"] = format_number(right["E"])
    table["E_new"] = format_number(right["E"])
    (first,) = _verdicts(data)
    assert first["E"][:2] == ("correct", 1.0)
    assert first["E_new"][:2] == ("wrong", 0.0), first["E_new"]


def test_a_negative_variance_is_judged_not_a_crash():
    """Session 9's attack: var_1 = "-1" made the carried chain complex and the whole sheet
    "could not be checked (internal error: AttributeError: 'mpc' object ...)"."""
    sheet, data = _sheet(["batch_norm"])
    table = data["p1_batch_norm"]
    assert "var_1" in table
    table["var_1"] = "-1"
    (first,) = _verdicts(data)
    assert first["var_1"][0] == "wrong"


def test_the_no_work_message_in_korean():
    plan = [("p1_forward_pass", "forward_pass", 0)]
    sheet = worksheets.build_sheet(worksheets.Student(SID), SEED, plan)
    data = tomllib.loads(worksheets.answers_toml(sheet, SEED, "ko", None))
    given = {g.name: g.value for g in sheet.problems[0].givens}
    data["p1_forward_pass"].update(o_1=format_number(given["t_1"]), o_2=format_number(given["t_2"]), E="0")
    (first,) = _verdicts(data)
    status, credit, said = first["E"]
    assert (status, credit) == ("wrong", 0.0)
    assert said.endswith("그 값으로는 이 단계에서 할 계산이 없다(0이나 주어진 값, 또는 앞에서 쓴 다른 답이 나온다): "
                         "앞 답을 이어받은 점수는 주지 않는다"), said


def test_an_honest_slip_keeps_its_carried_credit_in_every_family():
    """The no-work rule must not take credit from honest work: in every family, a number
    answer off by 10% (and a little) makes the later answers consistent with it; none of
    them may be taken for work not done."""
    import sympy as sp

    from generator import registry

    families = list(registry.FAMILIES)
    counted = 0
    for sid in ("s1", "s2", "s3"):
        sheet, _data = _sheet(families, sid)
        for problem in sheet.problems:
            numbers = [q for q in problem.questions if q.kind == "number"]
            for slip in numbers[:-1]:
                table = {q.key: (q.answer if q.kind == "choice" else format_number(q.answer)) for q in problem.questions}
                table[slip.key] = format_number(sp.Rational(str(float(slip.answer))) * sp.Rational(11, 10)
                                                + sp.Rational(1, 1000))
                for t in check.targets(problem, table, None, "en"):     # each later answer as carried forward
                    if t.consistent is not None and t.key != slip.key:
                        table[t.key] = format_number(sp.Rational(t.consistent.numerator, t.consistent.denominator))
                for t in check.targets(problem, table, None, "en"):
                    if t.consistent is not None and t.used and t.key != slip.key:
                        counted += 1
                        assert not t.trivial, (sid, problem.family, slip.key, t.key, float(t.consistent))
    assert counted > 100
