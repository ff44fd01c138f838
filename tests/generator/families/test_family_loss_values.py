import sympy as sp

from _family_checks import build, close
from generator.families import loss_values as family

R = sp.Rational


def _answers(params):
    problem = family.solve(params)
    return {q.key: q.answer for q in problem.questions}


def test_loss_values_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["loss"] for p in params} == set(family.LOSSES)
    assert {len(p["y_pred"]) for p in params} == {2, 3, 4}
    assert {p["task"] for p in params} == set(range(len(family.TASKS)))


def test_loss_values_mse_matches_hand_computation():
    # sample 1: ((1 - 0.5)^2 + (2 - 2.5)^2) / 2 = 0.25; sample 2: (0.2^2 + 0) / 2 = 0.02
    params = {"loss": "mse", "task": 0, "y_true": [[R(1), R(2)], [R("0.3"), R(0)]],
              "y_pred": [[R("0.5"), R("2.5")], [R("0.1"), R(0)]]}
    answers = _answers(params)
    assert answers["l_1"] == R("0.25") and answers["L"] == R("0.135")


def test_loss_values_bce_matches_hand_computation():
    params = {"loss": "binary_crossentropy", "task": 2, "y_true": [1, 0], "y_pred": [R("0.8"), R("0.4")]}
    answers = _answers(params)
    assert close(answers["l_1"], -sp.log(R("0.8")))
    assert close(answers["L"], (-sp.log(R("0.8")) - sp.log(R("0.6"))) / 2)
    assert answers["loss_choice"] == "binary_crossentropy"


def test_loss_values_sparse_and_one_hot_give_the_same_loss():
    rows = [[R("0.7"), R("0.2"), R("0.1")], [R("0.25"), R("0.15"), R("0.6")]]
    sparse = _answers({"loss": "sparse_categorical_crossentropy", "task": 7, "labels": [0, 2], "y_pred": rows})
    dense = _answers({"loss": "categorical_crossentropy", "task": 4, "labels": [0, 2], "y_pred": rows})
    assert close(sparse["L"], (-sp.log(R("0.7")) - sp.log(R("0.6"))) / 2)
    assert close(dense["L"], (-sp.log(R("0.7")) - sp.log(R("0.6"))) / 2)
    assert close(sparse["l_1"], -sp.log(R("0.7")))
    assert sparse["loss_choice"] == "sparse_categorical_crossentropy"
    assert dense["loss_choice"] == "categorical_crossentropy"


def test_loss_values_probability_rows_sum_to_one_within_clipping_range():
    for seed in range(100):
        params, _ = build(family, seed)
        if "labels" in params:
            for row in params["y_pred"]:
                assert sum(row) == 1 and min(row) >= R("0.05") and len(set(row)) == len(row)
        elif params["loss"] == "binary_crossentropy":
            assert set(params["y_true"]) == {0, 1}
            assert all(R("0.05") <= p <= R("0.95") for p in params["y_pred"])


def test_a_korean_task_names_no_kind_of_problem_the_english_does_not():
    """A teacher's reading (session 8): the Korean task said "...예측하는 회귀 문제" where the
    English said only "predict tomorrow's temperature ...": the course notes' rule (회귀: 평균
    제곱 오차) then gave the Korean students the answer."""
    from generator.families.loss_values import TASKS

    kinds = {"회귀": "regression", "이진 분류": "binary", "다중 클래스": "multi-class"}
    for text, _loss in TASKS:
        for ko, en in kinds.items():
            assert (ko in text.ko) == (en in text.en), (text.ko, text.en)


def test_the_batch_loss_is_never_the_first_samples_loss_again():
    """A teacher's reading (session 8): l_1 = 0.265 and L = 0.265, one answer asked twice."""
    from _family_checks import build
    from generator.families import loss_values as family

    for seed in range(300):
        _params, problem = build(family, seed)
        answers = {q.key: q.answer for q in problem.questions}
        if "L" in answers:
            assert answers["L"] != answers["l_1"], (seed, answers)
