import pytest

from _family_checks import build
from generator.families import batch_arithmetic as family


def _answers(**params):
    base = {"fit_kind": "mini_batch", "fit_batch": 32}
    return {q.key: q.answer for q in family.solve({**base, **params}).questions}


def test_batch_arithmetic_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["N"] % p["B"] == 0 for p in params} == {True, False}
    assert {p["fit_kind"] for p in params} == set(family.KINDS)


def test_batch_arithmetic_seed_notes_example():
    # the seed notes: 2000 samples, batch size 200 -> 10 iterations
    answers = _answers(N=2000, B=200, n_epochs=50)
    assert (answers["I"], answers["r"], answers["U"]) == (10, 200, 500)
    assert (answers["U_batch"], answers["U_sgd"]) == (50, 100000)


def test_batch_arithmetic_last_batch_is_smaller():
    # 1000 = 7 * 128 + 104
    answers = _answers(N=1000, B=128, n_epochs=10)
    assert (answers["I"], answers["r"], answers["U"]) == (8, 104, 80)


@pytest.mark.parametrize("kind", ["batch", "mini_batch", "stochastic"])
def test_batch_arithmetic_fit_choice(kind):
    problem = family.solve({"N": 2000, "B": 200, "n_epochs": 5, "fit_kind": kind, "fit_batch": 64})
    question = problem.questions[-1]
    assert question.answer == kind
    setting = {"batch": "len(X_train)", "stochastic": "1", "mini_batch": "64"}[kind]
    assert question.prompt.slots == {"setting": setting}
