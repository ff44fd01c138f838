"""The grading engine end to end: reference, skeleton, reruns, determinism, the API."""

import json
import sys

import pytest

from chainrule_core.contract import qualified_names
from chainrule_core.errors import ChainruleError, ChainruleUsageError
from grader import grade_submission
from grader.specs import BUILDERS, cases_for
from chainrule_core.contract import POINTS
from grader.reports import render_json, render_text
from tests.grader.conftest import SOLUTIONS, make_submission


def test_engine_reference_gets_full_marks(reference_result):
    r = reference_result
    failing = {q: [c.message for c in f.cases if not c.passed] for q, f in r.functions.items() if not f.passed}
    assert failing == {}
    assert list(r.functions) == qualified_names()
    assert r.score == r.max_score == sum(POINTS.values())
    assert all(not f.diagnoses for f in r.functions.values())


def test_engine_skeleton_gets_zero_with_every_function_not_implemented(skeleton_result):
    r = skeleton_result
    assert r.score == 0
    assert list(r.functions) == qualified_names()
    for fr in r.functions.values():
        assert fr.not_implemented, fr.qualname
        assert all(c.status == "not-implemented" for c in fr.cases)
        assert "not implemented yet: the TODO is not filled in yet" in fr.cases[0].message


def test_engine_every_contract_function_has_named_cases_with_tolerances():
    assert sorted(BUILDERS) == sorted(qualified_names())
    for qualname in qualified_names():
        cases = cases_for(qualname, 7)
        assert len(cases) >= 2, qualname
        names = [c.name for c in cases]
        assert len(set(names)) == len(names), qualname
        assert [c.number for c in cases] == list(range(1, len(cases) + 1))
        for c in cases:
            assert c.rtol >= 0 and c.atol >= 0


def test_engine_every_backward_has_a_finite_difference_case():
    backward = [q for q in qualified_names() if q.endswith(("_derivative", "_grad", "_backward"))
                or q == "network.backward"]
    assert len(backward) == 14
    for qualname in backward:
        assert any(c.kind == "fd" for c in cases_for(qualname, 1)), qualname


def test_engine_cases_depend_on_the_seed_and_only_on_it():
    a = [c.fingerprint() for c in cases_for("layers.dense_backward", 11)]
    b = [c.fingerprint() for c in cases_for("layers.dense_backward", 11)]
    c = [c.fingerprint() for c in cases_for("layers.dense_backward", 12)]
    assert a == b
    assert a != c


def test_engine_same_seed_gives_identical_reports(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations": """
        def softmax(z, axis=-1):
            e = np.exp(z)
            return e / e.sum(axis=axis, keepdims=True)
        """})
    first = grade_submission(str(sub), only=["activations"], seed=5)
    second = grade_submission(str(sub), only=["activations"], seed=5)
    assert render_json(first) == render_json(second)
    assert first.seed == 5
    assert not first.functions["activations.softmax"].passed


def test_engine_only_and_case_rerun_exactly_one_case(tmp_path):
    sub = make_submission(tmp_path / "sub", {"layers": """
        def dense_forward(x, W, b):
            return x @ W
        """})
    full = grade_submission(str(sub), only=["layers.dense_forward"], seed=3)
    failing = [c for c in full.functions["layers.dense_forward"].cases if not c.passed]
    assert failing
    one = grade_submission(str(sub), only=["layers.dense_forward"], seed=3, case=failing[0].number)
    cases = one.functions["layers.dense_forward"].cases
    assert [c.number for c in cases] == [failing[0].number]
    assert cases[0].message == failing[0].message
    assert cases[0].rerun.endswith(f"--only layers.dense_forward --case {failing[0].number} --seed 3")


def test_engine_only_accepts_module_names_in_contract_order():
    from grader.engine import select_functions

    assert select_functions(["network", "activations.relu"]) == [
        "activations.relu", "network.forward", "network.backward", "network.train_step"]


def test_engine_unknown_only_suggests_the_closest_name():
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(SOLUTIONS), only=["layers.dense_foward"])
    assert str(info.value) == ("Unknown function or module 'layers.dense_foward'. Did you mean "
                               "'layers.dense_forward'? (chainrule list shows all, as module.function)")


def test_engine_bare_function_name_suggests_the_qualified_one():
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(SOLUTIONS), only=["adam_step"])
    assert "Did you mean 'optimizers.adam_step'?" in str(info.value)


def test_engine_unknown_case_is_a_usage_error():
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(SOLUTIONS), only=["training.log_uniform"], case=9)
    assert str(info.value) == "Case '9' does not exist for training.log_uniform; its cases are 1 to 2."


def test_engine_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(tmp_path / "nope"))
    assert str(info.value) == (f"Submission folder '{tmp_path / 'nope'}' does not exist; pass a folder "
                               "laid out like exercises/ (default ./exercises).")


def test_engine_file_as_submission_is_a_usage_error(tmp_path):
    (tmp_path / "README.md").write_text("# hi\n")
    with pytest.raises(ChainruleUsageError) as info:
        grade_submission(str(tmp_path / "README.md"))
    assert str(info.value) == (f"Submission '{tmp_path / 'README.md'}' is not a folder, an exercise module or a "
                               "notebook; pass a folder laid out like exercises/ (default ./exercises), one of its "
                               "modules (exercises/activations.py) or a notebook (.ipynb).")


def test_engine_folder_without_contract_modules_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ChainruleError, match="has none of the contract modules"):
        grade_submission(str(tmp_path / "empty"))


def test_engine_does_not_import_sympy_or_jinja2():
    code = ("import sys; from grader import grade_submission; import grader.reports; "
            f"grade_submission({str(SOLUTIONS)!r}, only=['network']); "
            "print(sorted(m for m in ('sympy', 'jinja2') if m in sys.modules))")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_wrong_shape_says_transposed(tmp_path):
    sub = make_submission(tmp_path / "sub", {"layers": """
        def dense_forward(x, W, b):
            return (x @ W + b).T
        """})
    r = grade_submission(str(sub), only=["layers.dense_forward"])
    msg = r.functions["layers.dense_forward"].cases[0].message
    assert "shape (5, 4), expected (4, 5): transposed?" in msg


def test_engine_momentum_in_pytorch_convention_is_told_about_the_state(tmp_path):
    sub = make_submission(tmp_path / "sub", {"optimizers": """
        def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
            buf = momentum * velocity + grad
            return w - lr * buf, buf
        """})
    fr = grade_submission(str(sub), only=["optimizers.momentum_step"]).functions["optimizers.momentum_step"]
    steps = next(c for c in fr.cases if c.name.startswith("5 steps, your returned state"))
    assert not steps.passed
    assert "after step 1 of 5, velocity" in steps.message
    assert steps.message.splitlines()[1] == "velocity wrong from step 1; w right."
    one = fr.cases[0]
    assert one.name == "one step from a zero state" and not one.passed
    assert one.message.splitlines()[1] == "velocity wrong; w right."
    assert one.message.splitlines()[2].startswith("velocity: all 12 values differ")
    assert [(d.kind, d.name) for d in one.diagnoses] == [("known", "pytorch-buffer")]
    text = render_text(GradeResultOf(fr))
    # one hint for the function, not one per case (the summary line gives its first clause)
    assert [line.startswith("  Known mistake") for line in text.splitlines() if "PyTorch's buffer" in line] == [False, True]


def GradeResultOf(fr):
    """A GradeResult holding only ``fr`` (to render one function's report)."""
    from grader.results import GradeResult

    result = GradeResult(submission="sub", seed=2026, oracle="live solutions", timeout=5.0)
    result.functions[fr.qualname] = fr
    return result


def test_engine_result_model_has_the_documented_fields(reference_result):
    fr = reference_result.functions["optimizers.adam_step"]
    assert fr.passed is True
    assert fr.score == fr.max_score == POINTS["optimizers.adam_step"]
    case = fr.cases[0]
    assert (case.number, case.passed, case.status, case.message) == (1, True, "passed", "")
    assert case.rtol > 0 and case.atol > 0
    assert fr.diagnoses == []
    data = json.loads(render_json(reference_result))
    assert data["score"] == data["max_score"]


def test_engine_known_mistake_is_diagnosed_when_the_output_matches(tmp_path):
    mistakes = pytest.importorskip("grader.specs")
    mistake = next(m for m in mistakes.MISTAKES if m.function == "optimizers.adam_step"
                   and m.name == "no-bias-correction")
    import inspect
    import textwrap

    source = textwrap.dedent(inspect.getsource(mistake.impl))
    fname = mistake.impl.__name__
    sub = make_submission(tmp_path / "sub", {"optimizers": source + f"\nadam_step = {fname}\n"})
    fr = grade_submission(str(sub), only=["optimizers.adam_step"]).functions["optimizers.adam_step"]
    assert not fr.passed
    assert [d.name for d in fr.diagnoses] == ["no-bias-correction"]
    failing = [c for c in fr.cases if not c.passed]
    assert all([(d.kind, d.name) for d in c.diagnoses] == [("known", "no-bias-correction")] for c in failing)
    lines = render_text(GradeResultOf(fr)).splitlines()
    hint = [line for line in lines if "Known mistake" in line]
    assert hint == [f"  Known mistake (every failing case): {mistake.hint}"]
    head = lines.index("optimizers.adam_step: 5 of 5 cases failed")
    assert lines[head + 1] == hint[0]
    assert lines[head + 2] == '  Case 1 "one step from a zero state":'
    assert any("values differ" in line for line in lines[head + 3:head + 8])


def test_engine_float32_result_for_float32_input_is_accepted(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations": """
        def sigmoid(x):
            x = np.asarray(x)
            out = np.empty_like(x, dtype=np.result_type(x.dtype, np.float32))
            pos = x >= 0
            out[pos] = 1 / (1 + np.exp(-x[pos]))
            e = np.exp(x[~pos])
            out[~pos] = e / (1 + e)
            return out
        """})
    assert grade_submission(str(sub), only=["activations.sigmoid"]).functions["activations.sigmoid"].passed


def test_engine_submission_modules_may_import_each_other_in_every_usual_way(tmp_path):
    sub = make_submission(tmp_path / "my_submission", prepended={
        "network": "from _common import as_float as _flat_import",
        "losses": "from exercises import activations as _by_package_name",
        "layers": "from my_submission.activations import relu as _by_folder_name",
    })
    result = grade_submission(str(sub), only=["network.forward", "losses.mean_squared_error",
                                              "layers.dense_forward"])
    assert result.passed, [c.message for f in result.functions.values() for c in f.cases if not c.passed]


def test_engine_missing_function_and_wrong_signature_are_explained(tmp_path):
    sub = make_submission(tmp_path / "sub", {"optimizers": """
        del adam_step

        def sgd_step(w, grad):
            return w - 0.01 * grad
        """})
    r = grade_submission(str(sub), only=["optimizers.adam_step", "optimizers.sgd_step"])
    adam = r.functions["optimizers.adam_step"].cases[0]
    assert adam.status == "error"
    assert adam.message.splitlines()[1] == "`adam_step` is not defined in sub/optimizers.py"
    sgd = r.functions["optimizers.sgd_step"].cases[0]
    assert sgd.message.splitlines()[1:3] == [
        "raised TypeError: sgd_step() takes 2 positional arguments but 3 were given",
        "  (raised before your code ran: check the function's arguments against the contract)"]


def test_engine_run_command_names_the_path_and_non_default_options_only():
    from grader.engine import run_command

    assert run_command("exercises", 5.0, 1024, None) == "chainrule grade"
    assert run_command("./exercises", 5, 1024, None) == "chainrule grade"
    assert run_command("my work", 2.5, 256, "rec.npz") == (
        "chainrule grade 'my work' --timeout 2.5 --memory 256 --recorded rec.npz")


MSE_GRAD_TIMES_TWO = {"losses": """
    def mean_squared_error_grad(y_true, y_pred):
        return 2 * (y_pred - y_true)
    """}
NOT_DIVIDED = ("You did not divide by the number of elements: the loss is a mean, so its gradient is divided "
               "by y_pred.size.")
BY_ROWS = ("You divided by the number of rows, but the mean runs over all elements: divide by y_pred.size.")


def test_engine_known_mistake_that_matches_most_cases_wins_over_a_single_row_lookalike(tmp_path):
    pytest.importorskip("grader.specs")
    sub = make_submission(tmp_path / "sub", MSE_GRAD_TIMES_TWO)
    result = grade_submission(str(sub), only=["losses.mean_squared_error_grad"])
    fr = result.functions["losses.mean_squared_error_grad"]
    batch_of_1 = next(c for c in fr.cases if c.name.startswith("batch of 1"))
    assert not batch_of_1.passed
    assert [d.name for d in batch_of_1.diagnoses] == ["not-divided-by-size"]
    for case in fr.cases:
        assert [(d.name, d.hint) for d in case.diagnoses] == [("not-divided-by-size", NOT_DIVIDED)], case.name
    assert [d.name for d in fr.diagnoses] == ["not-divided-by-size"]
    row = next(line for line in render_text(result).splitlines() if "FAIL  mean_squared_error_grad" in line)
    # the sentence's first clause on the summary line (the whole sentence follows below it)
    assert row.endswith("cases failed; known mistake: you did not divide by the number of elements")


def test_engine_known_mistakes_that_tie_on_every_case_are_named_as_one_of(tmp_path):
    pytest.importorskip("grader.specs")
    sub = make_submission(tmp_path / "sub", MSE_GRAD_TIMES_TWO)
    cases = cases_for("losses.mean_squared_error_grad", 2026)
    number = next(c.number for c in cases if c.name.startswith("batch of 1"))
    result = grade_submission(str(sub), only=["losses.mean_squared_error_grad"], case=number)
    case = result.functions["losses.mean_squared_error_grad"].cases[0]
    [both] = case.diagnoses
    assert both.name == "not-divided-by-size or divided-by-rows"
    assert both.hint == ("one of these known mistakes (they give the same results on every case graded): "
                         f"not-divided-by-size: {NOT_DIVIDED} / divided-by-rows: {BY_ROWS}")
    # one case ran (--case): no FAIL or points for the function, the case's verdict
    row = next(line for line in render_text(result).splitlines() if "  mean_squared_error_grad  " in line)
    assert row == (f"  mean_squared_error_grad  case {number} of {len(cases)} fails; known mistake: one of 2 that "
                   "give these results (below)")


def test_engine_choose_mistakes_prefers_most_cases_then_table_order():
    from grader.engine import _choose_mistakes

    a, b, c = object(), object(), object()
    per_case = [[a, b], [a], [b, c], [c]]
    assert _choose_mistakes([a, b], per_case) == [a]          # a on 2 cases, b on 2: different cases
    assert _choose_mistakes([b, c], per_case) == [b]          # tie on count, not on cases: table order
    assert _choose_mistakes([a, b], [[a, b], [a, b]]) == [a, b]   # same cases: undecided
    assert _choose_mistakes([c, a], [[c, a], [a]]) == [a]
    assert _choose_mistakes([], per_case) == []
