"""The Python API of a ``case=K`` run (session 15): ``GradeResult.score``, ``.max_score`` and
``.percent`` were numbers (the function's full points when its one case passed), so a caller
read one case as the student's grade, which no report of the CLI gives. They are None now,
as JSON has null, and so is the function's ``.score``; a full run keeps its numbers."""

import json

import pytest

from chainrule_core.contract import POINTS
from grader import grade_submission
from grader.classroom_report import reporter_result
from grader.reports import render
from tests.grader.conftest import make_submission

# a leaky ReLU that is right on a 0-d input: it passes that case and fails the others (the plain
# leaky ReLU passed a case for seed 1 only because its random values happened to be all positive;
# since session 17 every random case of relu holds both signs, whatever the seed)
LEAKY_RELU = """
    def relu(x):
        if np.ndim(x) == 0:
            return np.maximum(x, 0.0)
        return np.maximum(x, 0.01 * x)
    """


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(full run, a run of one passing case, a run of one failing case) of a relu failing some cases."""
    sub = make_submission(tmp_path_factory.mktemp("case") / "exercises", {"activations": LEAKY_RELU})
    full = grade_submission(str(sub), only=["activations.relu"], seed=1)
    cases = full.functions["activations.relu"].cases
    passing = next(c.number for c in cases if c.passed)
    failing = next(c.number for c in cases if not c.passed)
    return (full, grade_submission(str(sub), only=["activations.relu"], seed=1, case=passing),
            grade_submission(str(sub), only=["activations.relu"], seed=1, case=failing))


def test_a_case_run_has_no_score_max_score_or_percent(runs):
    _, passing, failing = runs
    for run, verdict in ((passing, True), (failing, False)):
        assert run.one_case is run.functions["activations.relu"]
        assert (run.score, run.max_score, run.percent) == (None, None, None)
        assert run.points is None       # review 15: {'activations.relu': 1.0} for one passing case
        fr = run.functions["activations.relu"]
        assert fr.score is None and fr.max_score == POINTS["activations.relu"]
        assert run.passed is verdict and fr.passed is verdict     # what the case run found
        assert [c.passed for c in fr.cases] == [verdict]


def test_a_full_run_keeps_its_numbers(runs):
    full, _, _ = runs
    assert full.one_case is None
    fr = full.functions["activations.relu"]
    points, n = POINTS["activations.relu"], len(fr.cases)
    k = sum(1 for c in fr.cases if c.passed)
    assert 0 < k < n
    assert fr.score == full.score == round(points * k / n, 2)
    assert full.max_score == points
    assert full.percent == pytest.approx(100.0 * k / n)
    assert full.points == {"activations.relu": full.score}


def test_every_writer_takes_a_case_run_of_the_api_as_the_cli_does(runs):
    _, passing, _ = runs
    doc = json.loads(render(passing, "json"))
    assert (doc["score"], doc["max_score"], doc["percent"]) == (None, None, None)
    assert doc["functions"][0]["score"] is None and doc["one_case"]["passed"] is True
    text = render(passing, "text")
    assert "Total" not in text and "not a grade" in text
    assert "(not a grade)" in render(passing, "markdown").splitlines()[0]
    assert 'name="score"' not in render(passing, "junit")
    for write in (lambda r: render(r, "gradescope"), reporter_result):
        with pytest.raises(ValueError, match="not a grade"):
            write(passing)
