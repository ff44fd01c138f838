"""The commands a student's report prints run in the student's own repository.

A report for the student (``grader.engine.for_the_student``: grade-all's reports, the
Gradescope autograder's feedback) is read where the grader's copy holds the expected values
of the public seed only (a release's student repository). A case graded on another seed
(the class's, a submission's own) cannot be rerun there: the report says so and gives the
command that runs the same checks on the public seed; a case whose inputs are the same on
every seed (a fixed edge case) keeps a command that reproduces it (issue 11).
"""

import numpy as np
from click.testing import CliRunner

from grader.engine import for_the_student
from grader.limits import DEFAULT_SEED
from grader.reports import render
from grader.specs import cases_for
from tests.grader.conftest import make_submission

CLASS_SEED = 4778847458955304440        # issue 11's: a submission's own seed
WRONG = {
    "activations": """
        def relu_derivative(x):
            x = np.asarray(x)
            return (x >= 0).astype(x.dtype if x.dtype.kind == "f" else np.float64)
        """,
    "training": """
        def iterations_per_epoch(n_samples, batch_size):
            return n_samples // batch_size
        """,
}
ONLY = ["activations.relu_derivative", "training.iterations_per_epoch"]


def _same_inputs(qualname, number, seed):
    """Whether case ``number`` feeds the same arguments on ``seed`` and the public seed
    (read from the cases themselves, not from the grader's digest of them)."""
    a = next(c for c in cases_for(qualname, seed) if c.number == number)
    b = next(c for c in cases_for(qualname, DEFAULT_SEED) if c.number == number)
    if len(a.calls) != len(b.calls):
        return False
    for x, y in zip(a.calls, b.calls):
        if len(x.args) != len(y.args):
            return False
        for u, v in zip(x.args, y.args):
            if isinstance(u, np.ndarray) or isinstance(v, np.ndarray):
                if not (isinstance(u, np.ndarray) and isinstance(v, np.ndarray) and u.dtype == v.dtype
                        and np.array_equal(u, v)):
                    return False
            elif type(u) is not type(v) or u != v:
                return False
    return True


def _graded(tmp_path, seed):
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises", appended=WRONG)
    return sub, grade_submission(str(sub), only=ONLY, seed=seed)


def test_cases_on_a_hidden_seed_are_not_given_a_command_that_reruns_other_numbers(tmp_path):
    sub, result = _graded(tmp_path, CLASS_SEED)
    # grade-all with --seed (keep_seed=True) or without: the student's copy has not this seed
    for_the_student(result, str(sub), keep_seed=True)
    assert result.hidden_seed and not result.seed_given
    for qualname in ONLY:
        failing = [c for c in result.functions[qualname].cases if not c.passed]
        assert failing, qualname
        for case in failing:
            if _same_inputs(qualname, case.number, CLASS_SEED):
                assert case.rerun == f"chainrule grade --only {qualname} --case {case.number}", case
            else:
                assert case.rerun == "", case
    relu = [c for c in result.functions["activations.relu_derivative"].cases if not c.passed]
    assert [bool(c.rerun) for c in relu] == [False, True]       # case 1 random, case 5 fixed (+-1000 and 0)
    for fmt in ("text", "markdown"):
        text = render(result, fmt)
        assert "--seed" not in text, fmt
        lines = [line.strip() for line in text.splitlines()]
        i = lines.index("activations.relu_derivative: 2 of 6 cases failed") if fmt == "text" else 0
        assert ("Case 1 was graded on a hidden seed that only the course's grader has, so it cannot be rerun in "
                "your repository.") in lines[i:], fmt
        assert "The same checks on the public seed: chainrule grade --only activations.relu_derivative --verbose" \
            in lines[i:], fmt
    assert f"seed {CLASS_SEED} (hidden: chainrule grade in your repository runs the same checks on the public " \
           "seed), expected values from live solutions." in render(result, "markdown")
    assert f"(seed {CLASS_SEED}, hidden from your repository; expected values from live solutions)" \
        in render(result, "text")
    epochs = [c for c in result.functions["training.iterations_per_epoch"].cases if not c.passed]
    first = epochs[0]
    if first.rerun:     # a fixed case first: its command reproduces it
        assert f"Rerun case {first.number}: {first.rerun}" in render(result, "text")
    verbose = render(result, "text", verbose=True)
    assert "Rerun only this case: chainrule grade --only activations.relu_derivative --case 5" in verbose
    assert "Rerun only this case: chainrule grade --only activations.relu_derivative --case 1" not in verbose


def test_a_fixed_case_s_command_reproduces_it_in_the_students_copy(tmp_path, monkeypatch):
    """The command as printed, run where the student's copy has the public seed's recording only."""
    from grader import record

    sub, result = _graded(tmp_path, CLASS_SEED)
    for_the_student(result, str(sub))
    case5 = next(c for c in result.functions["activations.relu_derivative"].cases if c.number == 5)
    recording = record(tmp_path / "public.npz", seeds=(DEFAULT_SEED,), only=["activations.relu_derivative"])
    monkeypatch.chdir(tmp_path)
    from chainrule.cli import cli

    words = case5.rerun.split()[1:] + ["--recorded", str(recording)]
    ran = CliRunner().invoke(cli, words, prog_name="chainrule")
    assert ran.exit_code == 0 and "seed 2026" in ran.output, ran.output
    headline = [line for line in case5.message.splitlines() if not line.startswith("Inputs: ")][0]
    assert headline in ran.output       # the same values differ, the same way
    # a hidden case's seed is refused there: that is why the report gives no such command
    ran = CliRunner().invoke(cli, ["grade", "--only", "activations.relu_derivative", "--case", "1", "--seed",
                                   str(CLASS_SEED), "--recorded", str(recording)], prog_name="chainrule")
    assert ran.exit_code != 0 and "not in the recorded cases" in ran.output, ran.output


def test_cases_on_the_public_seed_keep_their_commands(tmp_path):
    sub, result = _graded(tmp_path, DEFAULT_SEED)
    for_the_student(result, str(sub), keep_seed=False)
    assert not result.hidden_seed
    text = render(result, "text")
    assert "Rerun case 1: chainrule grade --only activations.relu_derivative --case 1\n" in text
    assert "hidden" not in text


def test_a_case_not_run_is_not_said_to_be_graded_on_the_hidden_seed(tmp_path):
    """Trial 19a: a function that ended the process on case 1 got "not run" for the later
    cases, then "Cases 2 and 3 were graded on a hidden seed": they were graded on nothing."""
    from grader import grade_submission

    exits = {"network": "\ndef train_step(x, t, W1, b1, W2, b2, lr):\n    import os\n    os._exit(0)\n"}
    sub = make_submission(tmp_path / "exercises", appended=exits)
    result = grade_submission(str(sub), only=["network.train_step"], seed=CLASS_SEED)
    for_the_student(result, str(sub), keep_seed=True)
    cases = result.functions["network.train_step"].cases
    assert [c.status for c in cases] == ["crashed", "skipped", "skipped"]
    for fmt in ("text", "markdown"):
        text = " ".join(render(result, fmt).split())
        assert ("Cases 2 and 3 use a hidden seed that only the course's grader has, so they cannot be rerun in "
                "your repository.") in text, fmt
        assert "graded on a hidden seed" not in text, fmt
        assert "exit status 0 (likely os._exit in your code, or something that killed the process)" in text, fmt
