"""``results.json`` as the Gradescope autograder writes it (``build_results``), from grade
results made here: which cases a hidden test counts, how the points split, and what a
student sees before the hidden tests are."""

import sys
from collections import OrderedDict

import numpy as np
import pytest

from chainrule_core.contract import POINTS
import grader.specs
from grader.results import CaseResult, FunctionResult, GradeResult

PUBLIC, HIDDEN = 2026, (11, 12)
SIGMOID, FIXED = "activations.sigmoid", "training.iterations_per_epoch"
_REAL_CASES = grader.specs.cases_for


def cases_for(qualname, seed):
    """The spec's cases, but FIXED without its seeded case: a function whose cases are all
    fixed (every function of the contract now has a seeded one; an instructor's own spec
    may not), whose points the autograder must keep public."""
    cases = _REAL_CASES(qualname, seed)
    return [c for c in cases if not c.name.startswith("random")] if qualname == FIXED else cases


@pytest.fixture(autouse=True)
def _fixed_function(monkeypatch):
    monkeypatch.setattr(grader.specs, "cases_for", cases_for)


@pytest.fixture(scope="module")
def build_results():
    saved = list(sys.path)      # autograder.py puts its own folder first on the path
    try:
        from chainrule.release_autograder import build_results
    finally:
        sys.path[:] = saved
    return build_results


def _result(seed, passing):
    """A GradeResult of sigmoid and iterations_per_epoch on ``seed``; ``passing(name)`` says
    which cases (by name) pass."""
    functions = OrderedDict()
    for q in (SIGMOID, FIXED):
        cases = [CaseResult(c.number, c.name, passing(c.name), status="passed" if passing(c.name) else "failed")
                 for c in cases_for(q, seed)]
        functions[q] = FunctionResult(q, POINTS[q], cases)
    return GradeResult("exercises", seed, "the recording recorded.npz", 5.0, functions)


def _same_inputs(a, b):
    """Whether two cases feed the function the same arguments (compared value by value)."""
    def plain(arg):
        if isinstance(arg, (list, tuple)):
            return [plain(x) for x in arg]
        if isinstance(arg, np.ndarray):
            return (arg.dtype.str, arg.shape, arg.tolist())
        return repr(arg)
    return a.kind == b.kind and [[plain(x) for x in c.args] for c in a.calls] == \
        [[plain(x) for x in c.args] for c in b.calls]


def _settings(visibility="after_published", share=0.2):
    return {"public_share": share, "hidden_visibility": visibility, "hidden_seeds": list(HIDDEN)}


def test_a_hidden_test_counts_only_cases_with_inputs_of_their_own(build_results):
    public = _result(PUBLIC, lambda name: True)
    # the fixed edge case of sigmoid (the same inputs on every seed) fails on the hidden seeds:
    # it is the public test's, so the hidden test does not count it
    fixed_names = {c.name for c in cases_for(SIGMOID, HIDDEN[0])
                   if any(_same_inputs(c, p) for p in cases_for(SIGMOID, PUBLIC))}
    assert fixed_names == {"extremes +-1000"}
    hidden = [_result(s, lambda name: name not in fixed_names) for s in HIDDEN]
    doc = build_results(public, hidden, _settings(), "exercises")
    tests = {t["name"]: t for t in doc["tests"]}
    own = sum(1 for s in HIDDEN for c in cases_for(SIGMOID, s) if c.name not in fixed_names)
    assert own == 8
    hid = tests[f"{SIGMOID} (hidden checks)"]
    assert hid["output"].startswith(f"{own} of {own} hidden cases passed (inputs the public checks do not have).")
    assert hid["status"] == "passed" and hid["score"] == hid["max_score"] == pytest.approx(0.8 * POINTS[SIGMOID])
    assert tests[SIGMOID]["max_score"] == pytest.approx(0.2 * POINTS[SIGMOID])
    # a function whose cases are all fixed has no hidden test: all its points are public
    assert f"{FIXED} (hidden checks)" not in tests
    assert tests[FIXED]["max_score"] == POINTS[FIXED] and tests[FIXED]["visibility"] == "visible"
    assert doc["score"] == pytest.approx(POINTS[SIGMOID] + POINTS[FIXED])
    # no seed of a hidden check is shown
    assert not [t for t in doc["tests"] if any(str(s) in t["output"] for s in HIDDEN)]


@pytest.mark.parametrize("visibility, when", [
    ("after_published", "their results and your total are shown when your instructor publishes the grades."),
    ("after_due_date", "their results and your total are shown after the due date."),
    ("hidden", "their results are not shown to students."),
])
def test_nothing_visible_states_the_total_before_the_hidden_tests_are(build_results, visibility, when):
    public = _result(PUBLIC, lambda name: True)
    hidden = [_result(s, lambda name: False) for s in HIDDEN]      # a lookup: every hidden case fails
    doc = build_results(public, hidden, _settings(visibility), "exercises")
    assert doc["visibility"] == "visible"
    public_points = 0.2 * POINTS[SIGMOID] + POINTS[FIXED]
    assert doc["score"] == pytest.approx(public_points)             # Gradescope keeps it hidden
    assert doc["output"] == (f"Public checks: {public_points:g} / {public_points:g} points. Graded exercises "
                             f"(public checks: seed {PUBLIC}). The hidden checks (other inputs, "
                             f"{0.8 * POINTS[SIGMOID]:g} more points) decide the rest of the grade; {when}")
    visible = [t for t in doc["tests"] if t["visibility"] == "visible"]
    assert all("hidden" not in t["name"] for t in visible)
    assert {t["visibility"] for t in doc["tests"] if "hidden" in t["name"]} == {visibility}


def test_visible_hidden_tests_let_the_message_state_the_total(build_results):
    public = _result(PUBLIC, lambda name: True)
    hidden = [_result(s, lambda name: True) for s in HIDDEN]
    doc = build_results(public, hidden, _settings("visible", share=0.5), "exercises")
    total = POINTS[SIGMOID] + POINTS[FIXED]
    assert doc["output"].startswith(f"{total:g} / {total:g} points. Graded exercises")
    assert {t["name"]: t["max_score"] for t in doc["tests"]}[SIGMOID] == pytest.approx(0.5 * POINTS[SIGMOID])


def test_the_rows_add_up_to_the_points_stated(build_results):
    """Each test's score in whole hundredths, the public rows adding up to the public points
    the message states (and those to the exact points rounded once), all rows to the score,
    over outcomes among which rounding each row on its own loses a hundredth (searched for
    here, not assumed)."""
    from fractions import Fraction
    from itertools import product

    names = [SIGMOID, "activations.relu", "activations.tanh"]

    def result(seed, fails):
        functions = OrderedDict()
        for q, k in zip(names, fails):
            cases = [CaseResult(c.number, c.name, i >= k, status="passed" if i >= k else "failed")
                     for i, c in enumerate(cases_for(q, seed))]
            functions[q] = FunctionResult(q, POINTS[q], cases)
        return GradeResult("exercises", seed, "the recording recorded.npz", 5.0, functions)

    share = Fraction(1, 3)
    found = 0
    for fails in product(range(3), repeat=3):
        public = result(PUBLIC, fails)
        doc = build_results(public, [result(s, fails) for s in HIDDEN], _settings(share=float(share)), "exercises")
        rows = doc["tests"]
        assert all(round(t["score"], 2) == t["score"] for t in rows)
        assert round(sum(t["score"] for t in rows), 2) == doc["score"]
        public_rows = round(sum(t["score"] for t in rows if t["tags"][-1] == "public"), 2)
        assert doc["output"].startswith(f"Public checks: {public_rows:g} / ")
        # each public test's maximum is its share of the points in hundredths (session 8: a
        # maximum of 0.3333 showed 0.34 / 0.3333), its score that maximum times the part passed
        exact = [Fraction(fr.exact_score) / Fraction(fr.max_score) * Fraction(str(round(fr.max_score * float(share), 2)))
                 for fr in public.functions.values()]
        assert public_rows == round(float(sum(exact)), 2)
        # and the whole: the exact points of every row, rounded once (as `chainrule grade` rounds)
        hidden_exact = []
        for t in rows:
            if t["tags"][-1] == "hidden":
                passed, _, total = t["output"].split(" hidden cases")[0].partition(" of ")
                hidden_exact.append(Fraction(t["max_score"]) * int(passed) / int(total))
        assert doc["score"] == round(float(sum(exact) + sum(hidden_exact)), 2)
        found += sum(round(float(x), 2) for x in exact) != round(float(sum(exact)), 2)
    assert found, "no outcome where rounding each row alone loses a hundredth: the test shows nothing"


@pytest.mark.parametrize("share", [0.333, 0.2, 0.5, 0.777])
@pytest.mark.parametrize("passing", ["all", "half", "none"])
def test_no_test_shows_more_points_than_its_maximum(build_results, share, passing):
    """A student attack (session 8): `release --public-share 0.333` made tests of 0.333 points
    that showed 0.34 / 0.333 when partly passed (and 0.33 / 0.333 when passed in full)."""
    rule = {"all": lambda name: True, "half": lambda name: len(name) % 2 == 0, "none": lambda name: False}[passing]
    doc = build_results(_result(PUBLIC, rule), [_result(s, rule) for s in HIDDEN], _settings(share=share),
                        "exercises")
    for test in doc["tests"]:
        assert round(test["max_score"], 2) == test["max_score"], test
        assert 0 <= test["score"] <= test["max_score"] + 1e-9, test
        if test["status"] == "passed":
            assert test["score"] == test["max_score"], test
    by_function = {}
    for test in doc["tests"]:
        by_function.setdefault(test["name"].replace(" (hidden checks)", ""), []).append(test["max_score"])
    assert {q: round(sum(m), 2) for q, m in by_function.items()} == {SIGMOID: POINTS[SIGMOID], FIXED: POINTS[FIXED]}


def test_a_hidden_test_labels_its_diagnoses_as_the_public_test_does(build_results):
    """trial17a: the public test said "Likely mistake (cases 1, 2 and 3): ... one constant factor
    is wrong" while the hidden test said "Known mistake 'update-scaled': ..." for the same
    reading: a generic reading is "likely" in both, a catalogued one "known", and the
    internal id of neither is shown."""
    from grader.results import Diagnosis

    public = _result(PUBLIC, lambda name: True)
    hidden = [_result(s, lambda name: name == "extremes +-1000") for s in HIDDEN]
    readings = [Diagnosis("update-scaled", "The change is 0.1 times the expected value everywhere.", "", "generic"),
                Diagnosis("no-bias-correction", "The moments need the bias correction.", "", "known")]
    for result in hidden:
        for k, case in enumerate(result.functions[SIGMOID].cases):
            if not case.passed:     # a finding's wording may hold its case's count (review 17)
                case.diagnoses = list(readings) + [
                    Diagnosis("modified-input", f"modified its input `x` in place ({k + 2} elements changed)", "",
                              "finding")]
    doc = build_results(public, hidden, _settings(), "exercises")
    output = {t["name"]: t for t in doc["tests"]}[f"{SIGMOID} (hidden checks)"]["output"]
    assert "Likely mistake: The change is 0.1 times the expected value everywhere." in output
    assert "Known mistake: The moments need the bias correction." in output
    assert "update-scaled" not in output and "no-bias-correction" not in output
    assert output.count("Likely mistake") == 1    # once per reading, not per case
    assert output.count("Found: modified its input `x` in place (") == 1    # once, whatever the counts


def _statuses(seed, status_of, import_error=""):
    """A GradeResult of sigmoid whose case named ``name`` has status ``status_of(name)``."""
    cases = []
    for c in cases_for(SIGMOID, seed):
        status = status_of(c.name)
        cases.append(CaseResult(c.number, c.name, status == "passed", "" if status == "passed" else
                                f"secret detail of {c.name} on seed {seed}: inputs 0.123456", status=status))
    fr = FunctionResult(SIGMOID, POINTS[SIGMOID], cases, import_error=import_error,
                        import_short=import_error.splitlines()[0] if import_error else "")
    return GradeResult("exercises", seed, "the recording recorded.npz", 5.0, OrderedDict({SIGMOID: fr}))


def _hidden_text(build_results, status_of, import_error=""):
    public = _statuses(PUBLIC, status_of, import_error)
    hidden = [_statuses(s, status_of, import_error) for s in HIDDEN]
    doc = build_results(public, hidden, _settings(), "exercises")
    return {t["name"]: t for t in doc["tests"]}[f"{SIGMOID} (hidden checks)"]["output"]


def _timed_out(name):
    """The first case times out; the cases after it are not run (engine: one time limit for all)."""
    return "timeout" if name == cases_for(SIGMOID, HIDDEN[0])[0].name else "skipped"


@pytest.mark.parametrize("status_of, import_error, sentence", [
    (lambda name: "not-implemented", "",
     "0 of 8 hidden cases passed: not implemented yet (the TODO still raises NotImplementedError)."),
    (lambda name: "error", "importing activations.py failed: raised RuntimeError: boom at import",
     "0 of 8 hidden cases passed: its module failed to import, so none of them ran (the public test says why)."),
    (_timed_out, "", "0 of 8 hidden cases passed: it timed out (all of a function's cases share one time limit), "
                     "and the cases after that were not run."),
    (lambda name: "crashed" if name.startswith("random") else "skipped", "",
     "0 of 8 hidden cases passed: it crashed the process running it, and the cases after that were not run."),
])
def test_a_hidden_test_says_one_cause_of_every_failure_once(build_results, status_of, import_error, sentence):
    """trial19c: a skeleton's hidden tests said "...(hidden set 1): not-implemented" for each of
    8 cases, a module that failed to import "...: error" for each: one sentence says why when
    one cause failed them all, and no internal status id is shown."""
    output = _hidden_text(build_results, status_of, import_error)
    assert output == sentence
    assert "hidden set" not in output and "Failing" not in output


def test_a_hidden_tests_failing_cases_say_their_cause_in_words(build_results):
    causes = {"random non-square": "failed", "batch of 1": "error"}
    output = _hidden_text(build_results, lambda name: next((s for k, s in causes.items() if name.startswith(k)),
                                                           "passed"))
    assert output.startswith("4 of 8 hidden cases passed (inputs the public checks do not have).\nFailing: ")
    failing = output.splitlines()[1][len("Failing: "):].split("; ")
    assert {f.split(": ")[-1] for f in failing} == {"wrong result", "raised an error"}
    assert all(" (hidden set " in f for f in failing)
    # words, never the ids; nothing of a case's message (its inputs), nor a seed
    for word in ("not-implemented", ": error", ": failed", "secret detail", "0.123456", *map(str, HIDDEN)):
        assert word not in output
    # one case not implemented among wrong ones: said in words too
    mixed = _hidden_text(build_results, lambda name: "not-implemented" if name.startswith("batch") else "failed")
    assert "not implemented yet" in mixed and "wrong result" in mixed and "not-implemented" not in mixed
