"""The diagnoses measured on a catalog of realistic wrong implementations.

Goal (issue 10): at least 90 % of the catalog gets a diagnosis that names the mistake, and
none gets a misleading one; every entry loses points. The same numbers are reported in
benchmarks/README.md ("Diagnoses of wrong implementations", from
benchmarks/diagnosis_coverage.py).
"""

import re

import pytest

from grader.engine import grade_in_process
from tests.grader.conftest import make_submission
from tests.grader.wrong_catalog import CATALOG, evaluate, implementation

ROWS = evaluate()


def test_catalog_is_large_and_covers_every_module():
    from chainrule_core.contract import CONTRACT

    assert len(CATALOG) >= 100
    assert {q.split(".")[0] for q, *_ in CATALOG} == set(CONTRACT)
    assert len({(q, ident) for q, ident, *_ in CATALOG}) == len(CATALOG)


def test_every_wrong_implementation_loses_points():
    assert [r for r in ROWS if r[0] == "passed"] == []


def test_no_wrong_implementation_gets_a_misleading_diagnosis():
    assert [r for r in ROWS if r[0] == "misleading"] == []


def test_at_least_ninety_percent_get_a_diagnosis_that_names_the_mistake():
    share = sum(r[0] == "named" for r in ROWS) / len(ROWS)
    assert share >= 0.90, [r for r in ROWS if r[0] != "named"]


def test_entries_that_no_diagnosis_can_name_get_none():
    unnameable = [(q, i) for q, i, _, accept in CATALOG if not accept]
    assert unnameable, "the catalog keeps a few mistakes the values cannot show"
    verdicts = {(q, i): v for v, q, i, _ in ROWS}
    assert all(verdicts[key] == "none" for key in unnameable)


# the code of a solution line: a return statement, a NumPy or rng call, a power written in
# code, an assignment of an expression, a matrix product, keyword arguments
CODE = re.compile(r"\breturn\s+\S+\s*[-+*/@(\[,]|\b(np|numpy|rng|math)\.\w+|\*\*|"
                  r"\b\w+ = [^,;:]*[*/+@-]|@|\b(axis|keepdims|size|dtype)=")


def _all_hints():
    from grader.specs import MISTAKES

    hints = [(f"known {m.function} {m.name}", m.hint) for m in MISTAKES]
    from grader.specs import cases_for

    notes = {c.state_note for q in ("optimizers.momentum_step", "optimizers.nesterov_step")
             for c in cases_for(q, 1)}
    hints += [("state note", n) for n in notes if n]
    for qualname, ident, source, _ in CATALOG:
        fr = grade_in_process(qualname, implementation(qualname, source), 2026)
        hints += [(f"{qualname} {ident}: {d.kind} {d.name}", d.hint) for case in fr.cases
                  for d in case.diagnoses]
    return hints


def test_no_hint_hands_over_the_solution_line():
    offending = [(where, hint) for where, hint in _all_hints() if CODE.search(hint)]
    assert offending == []


@pytest.mark.parametrize("code", ["return 1 - np.tanh(x)**2", "use np.clip(y_pred, eps, 1 - eps)",
                                  "v = momentum * v - lr * grad", "x.T @ dout", "np.sum(dout, axis=0)",
                                  "rng.normal(mean, stddev, size=shape)", "W**2"])
def test_the_code_detector_catches_solution_lines(code):
    assert CODE.search(code)


@pytest.mark.parametrize("words", ["The derivative of tanh is 1 minus the square of tanh(x).",
                                   "eps goes inside the square root, √(var + eps).",
                                   "He initialization has variance 2 / fan_in.",
                                   "dE/do is o − t, not t − o."])
def test_the_code_detector_lets_words_and_maths_through(words):
    assert not CODE.search(words)


def test_the_sandboxed_grade_gives_the_same_hints_as_the_measurement(tmp_path):
    """The measurement grades in process; a real submission made of catalog entries gets the
    very same hints through the sandbox."""
    from grader import grade_submission

    chosen = [e for e in CATALOG if e[1] in ("db-over-features", "old-velocity-returned", "uniform",
                                             "stops-early", "no-lambda")
              and e[0] in ("layers.dense_backward", "optimizers.momentum_step", "initializers.random_normal",
                           "training.early_stopping_epoch", "regularization.l2_grad")]
    modules = {}
    for qualname, _, source, _ in chosen:
        modules.setdefault(qualname.split(".")[0], []).append(source)
    sub = make_submission(tmp_path / "sub", {m: "\n".join(s) for m, s in modules.items()})
    result = grade_submission(str(sub), only=[q for q, *_ in chosen], seed=2026)
    assert len(chosen) == 5
    for qualname, ident, source, _ in chosen:
        in_process = grade_in_process(qualname, implementation(qualname, source), 2026)
        graded = result.functions[qualname]
        assert [(d.name, n) for d, n in graded.hints()] == [(d.name, n) for d, n in in_process.hints()], ident
        assert graded.hints(), ident


def test_whole_numbers_and_a_sign_inside_an_update_are_named_where_they_are_the_mistake():
    # trial 19b: the tests' own mistaken implementations (integer division, an integer array,
    # a floor division; + lr·grad in Nesterov's step) are named, and no other entry of the
    # catalog (counts, indices, sizes among them) is told its values are whole numbers
    rows = {(q, i): names for _, q, i, names in ROWS}
    for qualname, ident, name in [("losses.class_weights_balanced", "integer-division", "whole-numbers"),
                                  ("losses.class_weights_balanced", "integer-array", "whole-numbers"),
                                  ("losses.softmax_crossentropy_grad", "floor-division", "whole-numbers"),
                                  ("optimizers.nesterov_step", "gradient-term-added", "update-sign")]:
        assert rows[(qualname, ident)] == [name]
    told = [key for key, names in rows.items() if "whole-numbers" in names]
    assert sorted(told) == [("losses.class_weights_balanced", "integer-array"),
                            ("losses.class_weights_balanced", "integer-division"),
                            ("losses.softmax_crossentropy_grad", "floor-division")]
