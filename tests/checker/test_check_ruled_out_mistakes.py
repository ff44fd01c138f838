"""A named mistake that the student's own right earlier answers rule out is not named, nor
counted (trial 13: a right dE/db_4 and b_4^+ with the gradient added were told "the value
t_2 - o_2 written backwards gives; the value adding the gradient gives", and the class
summary counted both). Open and practice sheets alike; a mistake made at the question itself
(the sigmoid left out at o_1, whatever h_1 is) is still named."""

import tomllib
from fractions import Fraction

import pytest

from checker import check
from checker.messages import message
from checker.report import class_summary
from generator import worksheets
from generator.numbers import format_number

SEED, SID = 2024, "student-001"
ADDED_KO = "기울기를 더하면 나오는 값이다"
FLIPPED_KO = "거꾸로 쓰면 나오는 값이다"


def _sheet(mode, family="output_update"):
    plan = [(f"p1_{family}", family, 0)]
    sheet = worksheets.build_sheet(worksheets.Student(SID), SEED, plan)
    return sheet.problems[0], tomllib.loads(worksheets.answers_toml(sheet, SEED, "ko", None, mode=mode))


def _given(problem, name):
    return next(Fraction(format_number(g.value)) for g in problem.givens if g.name == name)


def _verdicts(data):
    report = check.check_data(data, "answers.toml", check.Options())
    return report, {v.key: v for v in report.problems[0].verdicts}


@pytest.mark.parametrize("mode", ["open", "practice"])
def test_a_right_gradient_rules_out_t_minus_o_for_the_gradient_added(mode):
    problem, data = _sheet(mode)
    keys = [q.key for q in problem.questions]            # dE_do_1, do_1_dz_3, dz_3_dw_7, dE_dw_7, w_7_new
    table = data[f"p1_{problem.family}"]
    printed = {q.key: format_number(q.answer) for q in problem.questions}
    for k in keys[:4]:
        table[k] = printed[k]                              # every factor and the gradient right
    weight = keys[4][: -len("_new")]
    gradient = Fraction(printed[keys[3]])
    added = _given(problem, weight) + _given(problem, "eta") * gradient    # w + eta dE/dw: the gradient added
    table[keys[4]] = format_number(added)
    report, verdicts = _verdicts(data)
    last = verdicts[keys[4]]
    assert last.status == "wrong"
    assert last.mistakes == ["added_gradient"]
    assert ADDED_KO in last.message and FLIPPED_KO not in last.message and "; " not in last.message
    summary = class_summary([report])[0]
    assert [n for _hint, n in summary.mistakes] == [1]
    # the same answer with the earlier blanks left empty: both readings are possible, both named
    for k in keys[:4]:
        table[k] = ""
    _report, verdicts = _verdicts(data)
    assert set(verdicts[keys[4]].mistakes) == {"added_gradient", "t_minus_o"}
    # a right dE/do_1 alone rules t - o out too (the gradient it is carried through is blank)
    table[keys[0]] = printed[keys[0]]
    _report, verdicts = _verdicts(data)
    assert verdicts[keys[4]].mistakes == ["added_gradient"]


@pytest.mark.parametrize("mode", ["open", "practice"])
def test_a_flipped_gradient_after_a_right_do_is_a_wrong_sign_not_t_minus_o(mode):
    problem, data = _sheet(mode)
    keys = [q.key for q in problem.questions]
    table = data[f"p1_{problem.family}"]
    printed = {q.key: format_number(q.answer) for q in problem.questions}
    for k in keys[:3]:
        table[k] = printed[k]
    table[keys[3]] = format_number(-Fraction(printed[keys[3]]))
    _report, verdicts = _verdicts(data)
    assert verdicts[keys[3]].status == "wrong" and verdicts[keys[3]].mistakes == []
    assert verdicts[keys[3]].message == message("ko", "wrong_sign")
    # t - o written for dE/do_1 too: the gradient follows from it (carried forward, open sheets;
    # on a practice sheet said to follow from a), not charged again: trial 19b)
    table[keys[0]] = format_number(-Fraction(printed[keys[0]]))
    _report, verdicts = _verdicts(data)
    if mode == "open":
        assert verdicts[keys[3]].status == "consistent"
    else:
        assert verdicts[keys[3]].status == "wrong" and verdicts[keys[3]].mistakes == []
        assert verdicts[keys[3]].carried == ["t_minus_o"] and verdicts[keys[3]].follows == keys[0]


def test_a_mistake_made_at_the_question_itself_is_named_whatever_came_before():
    problem, data = _sheet("open", "forward_pass")
    table = data["p1_forward_pass"]
    printed = {q.key: format_number(q.answer) for q in problem.questions}
    table["z_1"], table["h_1"] = printed["z_1"], printed["h_1"]
    no_sigmoid = next(m for m in problem.mistakes if m.question == "o_1" and m.name == "no_activation")
    table["o_1"] = format_number(no_sigmoid.value)          # z_3 written for o_1, h_1 right
    _report, verdicts = _verdicts(data)
    assert verdicts["o_1"].mistakes == ["no_activation"]


@pytest.mark.parametrize("mode", ["open", "practice"])
def test_a_question_asked_before_the_one_it_is_computed_from(mode):
    """hyperparameter_search asks n_train before n_val: a right n_val rules out "the validation
    share of the rest" for n_train on a practice sheet too (its blanks are judged in the order
    the mistakes are carried in)."""
    for i in range(40):
        plan = [("p1_hyperparameter_search", "hyperparameter_search", 0)]
        sheet = worksheets.build_sheet(worksheets.Student(f"s{i}"), SEED, plan)
        problem = sheet.problems[0]
        order = [q.key for q in problem.questions]
        if order.index("n_train") < order.index("n_val"):
            break
    else:
        pytest.fail("no variant asks n_train before n_val")
    data = tomllib.loads(worksheets.answers_toml(sheet, SEED, "en", None, mode=mode))
    table = data["p1_hyperparameter_search"]
    answer = {q.key: q.answer for q in problem.questions}
    n = _given(problem, "N")
    rest = n - answer["n_test"]
    wrong_val = rest * Fraction(answer["n_val"], n)       # the validation share taken of what is left
    table["n_train"] = str(int(rest - wrong_val))
    report = check.check_data(data, "answers.toml", check.Options())
    named = {v.key: v.mistakes for v in report.problems[0].verdicts}
    assert named["n_train"] == ["validation_of_rest"]
    table["n_val"] = str(answer["n_val"])
    report = check.check_data(data, "answers.toml", check.Options())
    verdicts = {v.key: v for v in report.problems[0].verdicts}
    assert verdicts["n_val"].status == "correct"
    assert verdicts["n_train"].status == "wrong" and verdicts["n_train"].mistakes == []
