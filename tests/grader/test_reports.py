"""Report writers: Gradescope schema, JUnit XML, Markdown, JSON, and a text snapshot."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chainrule_core.contract import qualified_names
from chainrule_core.errors import ChainruleError
from grader.reports import render, write
from tests.grader.conftest import make_submission

SNAPSHOTS = Path(__file__).parent / "snapshots"

BUGGY = {
    "activations": """
        def sigmoid_derivative(x):
            s = sigmoid(x)
            return x * (1 - x)

        def relu(x):
            raise NotImplementedError
        """,
    "layers": """
        def dense_forward(x, W, b):
            return (x @ W + b).T

        def dense_backward(dout, x, W):
            return dout @ W.T, x.T @ dout, dout.mean(axis=0)
        """,
    "optimizers": """
        def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            return w - lr * m / (np.sqrt(v) + eps), m, v
        """,
}
ONLY = ["activations.sigmoid", "activations.sigmoid_derivative", "activations.relu", "layers.dense_forward",
        "layers.dense_backward", "optimizers.adam_step"]


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    from grader import grade_submission

    root = tmp_path_factory.mktemp("reports")
    make_submission(root / "buggy", BUGGY)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = grade_submission("buggy", only=ONLY, seed=42)
        result.confinement = "sandbox: a uid of its own · landlock ABI 7 · no network · no signals out"   # machine-independent snapshots
        return result
    finally:
        os.chdir(cwd)


# ------------------------------------------------------------------ gradescope
_TOP = {"score": (int, float), "execution_time": int, "output": str, "output_format": str,
        "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
        "extra_data": dict, "tests": list, "leaderboard": list}
_TEST = {"score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
         "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
         "extra_data": dict}
_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
_FORMATS = {"text", "simple_format", "html", "md", "ansi"}


def gradescope_problems(doc):
    """Violations of Gradescope's results.json schema (CI-FORMATS.md); empty when valid."""
    problems = []

    def check(obj, spec, where):
        for key, value in obj.items():
            if key not in spec:
                problems.append(f"{where}: unknown key {key!r}")
            elif not isinstance(value, spec[key]) or isinstance(value, bool):
                problems.append(f"{where}.{key}: {type(value).__name__}")
        for key in ("visibility", "stdout_visibility"):
            if key in obj and obj[key] not in _VISIBILITY:
                problems.append(f"{where}.{key}: {obj[key]!r}")
        for key in ("output_format", "test_output_format"):
            if key in obj and obj[key] not in _FORMATS:
                problems.append(f"{where}.{key}: {obj[key]!r}")

    if not isinstance(doc, dict):
        return ["top level is not an object"]
    check(doc, _TOP, "results")
    if "score" not in doc and not all("score" in t for t in doc.get("tests", [])):
        problems.append("results: no score at the top level or in every test")
    for k, test in enumerate(doc.get("tests", [])):
        check(test, _TEST, f"tests[{k}]")
        if test.get("status") not in (None, "passed", "failed"):
            problems.append(f"tests[{k}].status: {test.get('status')!r}")
    return problems


def test_reports_gradescope_validates_against_the_schema(buggy):
    doc = json.loads(render(buggy, "gradescope"))
    assert gradescope_problems(doc) == []
    assert [t["name"] for t in doc["tests"]] == ONLY
    assert doc["score"] == buggy.score
    by_name = {t["name"]: t for t in doc["tests"]}
    assert by_name["activations.sigmoid"]["status"] == "passed"
    assert by_name["activations.sigmoid"]["score"] == by_name["activations.sigmoid"]["max_score"]
    assert by_name["layers.dense_forward"]["status"] == "failed"
    assert "transposed?" in by_name["layers.dense_forward"]["output"]


def test_reports_gradescope_has_one_test_per_contract_function(reference_result):
    doc = json.loads(render(reference_result, "gradescope"))
    assert gradescope_problems(doc) == []
    assert [t["name"] for t in doc["tests"]] == qualified_names()
    assert all(t["status"] == "passed" for t in doc["tests"])


def test_reports_schema_check_catches_violations():
    assert gradescope_problems({"score": "1", "tests": [{"status": "ok", "visibility": "public"}]}) == [
        "results.score: str", "tests[0].visibility: 'public'", "tests[0].status: 'ok'"]


# ------------------------------------------------------------------ junit
def test_reports_junit_parses_with_one_testcase_per_function(buggy, reference_result):
    root = ET.fromstring(render(buggy, "junit"))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ONLY
    failed = {c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None}
    assert failed == set(ONLY) - {"activations.sigmoid"}
    suite = root.find("testsuite")
    assert int(suite.get("tests")) == len(ONLY)
    assert int(suite.get("failures")) + int(suite.get("errors")) == len(ONLY) - 1
    full = ET.fromstring(render(reference_result, "junit"))
    assert len(full.findall("./testsuite/testcase")) == 52


# ------------------------------------------------------------------ markdown, json
def test_reports_markdown_has_a_row_per_function_and_details_for_failures(buggy):
    md = render(buggy, "markdown")
    assert md.startswith(f"## chainrule grade: {buggy.score:g} / {buggy.max_score:g} points")
    for name in ONLY:
        assert f"| `{name}` |" in md
    assert "<details><summary><code>layers.dense_forward</code>" in md
    assert "| `activations.relu` | ⏳ not implemented | 0/1 |" in md


def test_reports_json_round_trips_the_result_model(buggy):
    data = json.loads(render(buggy, "json"))
    assert data["seed"] == 42
    assert [f["name"] for f in data["functions"]] == ONLY
    adam = data["functions"][ONLY.index("optimizers.adam_step")]
    assert adam["passed"] is False
    assert all({"number", "name", "passed", "status", "rtol", "atol", "message", "rerun"} <= set(c)
               for c in adam["cases"])


# ------------------------------------------------------------------ text
def test_reports_text_snapshot(buggy):
    text = render(buggy, "text")
    path = SNAPSHOTS / "text_report.txt"
    if os.environ.get("CHAINRULE_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_reports_text_is_coloured_only_when_asked(buggy):
    assert "\x1b[" not in render(buggy, "text")
    assert "\x1b[" in render(buggy, "text", color=True)


# ------------------------------------------------------------------ writing
def test_reports_write_is_atomic_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "out.json"
    write("one\n", target)
    assert target.read_text() == "one\n"
    with pytest.raises(ChainruleError) as info:
        write("two\n", target)
    assert str(info.value) == f"Output file '{target}' already exists; pass --force to overwrite it."
    write("two\n", target, force=True)
    assert target.read_text() == "two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


# ------------------------------------------------------------------ counts and plurals
def _one_case_result(passed):
    from grader.results import CaseResult, FunctionResult, GradeResult

    result = GradeResult(submission="exercises", seed=7, oracle="live solutions", timeout=5.0)
    fr = FunctionResult("training.time_based_decay", 1)
    fr.cases.append(CaseResult(1, "the notes", passed, "" if passed else "Inputs: x\nwrong\nRerun", 0, 0,
                               "passed" if passed else "failed"))
    result.functions[fr.qualname] = fr
    return result


def test_reports_counts_of_one_are_singular_in_text_and_markdown():
    failed = _one_case_result(False)
    text = render(failed, "text")
    assert "  FAIL  time_based_decay      0/1  1 of 1 case failed" in text.splitlines()
    assert "Total: 0 / 1 point (0.0%), 0 of 1 function passes" in text.splitlines()
    md = render(failed, "markdown").splitlines()
    assert md[0] == "## chainrule grade: 0 / 1 point (0.0%)"
    assert "| `training.time_based_decay` | ❌ fail | 0/1 | 1 of 1 case failed |" in md
    passed = _one_case_result(True)
    doc = json.loads(render(passed, "gradescope"))
    assert doc["tests"][0]["output"] == "Its one case passed."
    assert doc["output"] == "Total: 1 / 1 point (100.0%), 1 of 1 function passes (seed 7)"


def test_reports_counts_of_several_stay_plural(buggy):
    text = render(buggy, "text").splitlines()
    assert "Total: 1.75 / 9 points (19.4%), 1 of 6 functions pass" in text
    assert ("  FAIL  dense_backward       0.75/3  3 of 4 cases failed; known mistake: you averaged dout "
            "over the batch for db") in text


def test_reports_item_counts_agree_with_their_number():
    from grader.compare import compare
    from grader.values import Returned

    one = Returned("tuple", [Returned("float", 1.0)])
    two = Returned("tuple", [Returned("float", 1.0), Returned("float", 2.0)])
    assert compare(one, two, 0, 0).text == "returned a tuple of 1 item, expected 2"
    assert compare(two, one, 0, 0).text == "returned a tuple of 2 items, expected 1"
    assert compare(Returned("float", 1.0), one, 0, 0).text == "returned a Python float, expected a tuple of 1 item"


# ------------------------------------------------------------------ short by default
NOISY = {
    "network": """
        def backward(x, t, W1, b1, W2, b2):
            print("debugging backward")
            h = 1 / (1 + np.exp(-(x @ W1 + b1)))
            o = 1 / (1 + np.exp(-(h @ W2 + b2)))
            do = (t - o) * o * (1 - o)
            dh = (do @ W2.T) * h * (1 - h)
            return x.T @ dh, dh.sum(axis=0), h.T @ do, do.sum(axis=0)
        """,
    "training": """
        def iterations_per_epoch(n_samples, batch_size):
            return n_samples // batch_size
        """,
}


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    from grader import grade_submission

    sub = make_submission(tmp_path_factory.mktemp("noisy") / "sub", NOISY)
    return grade_submission(str(sub), only=["network.backward", "training.iterations_per_epoch"], seed=7)


def _blocks(text):
    """Each failing function's block of the text report: its lines, by function."""
    blocks, current = {}, None
    for line in text.splitlines():
        if ": " in line and " of " in line and line.split(":")[0].count(".") == 1 and not line.startswith(" "):
            current = line.split(":")[0]
            blocks[current] = []
        elif current and not line.strip():
            current = None
        if current:
            blocks[current].append(line)
    return blocks


def test_reports_a_failing_function_fits_in_about_25_lines_and_verbose_shows_every_case(noisy):
    short = _blocks(render(noisy, "text"))
    full = _blocks(render(noisy, "text", verbose=True))
    backward = noisy.functions["network.backward"]
    failing = [c for c in backward.cases if not c.passed]
    assert len(failing) >= 3
    for name, lines in short.items():
        assert len(lines) <= 25, "\n".join(lines)
    # one hint for the function, with the cases it explains, never once per case
    assert sum("Known mistake" in line or "Likely mistake" in line for line in short["network.backward"]) == 1
    assert sum(line.startswith("  Case ") for line in full["network.backward"]) == len(failing)
    assert sum("Rerun only this case" in line for line in full["network.backward"]) == len(failing)
    # every output named right or wrong, all four wrong here
    assert "    dW1, db1, dW2 and db2 wrong." in short["network.backward"]
    assert "  | debugging backward" in short["network.backward"]


def test_reports_a_scalar_mismatch_is_one_plain_sentence_with_the_inputs(noisy):
    fr = noisy.functions["training.iterations_per_epoch"]
    case = next(c for c in fr.cases if not c.passed)
    assert case.message.startswith("iterations_per_epoch(n_samples=")
    assert ") returned " in case.message and ", expected " in case.message
    assert case.message.count("\n") == 0
    for jargon in ("rtol", "atol", "Mismatched", "tolerance", "1 / 1", "100%"):
        assert jargon not in case.message


def test_a_passing_function_whose_computation_warned_is_pointed_out(tmp_path):
    """The naive sigmoid gives the right 0 for x = -1000 after exp overflows: it passes, and
    every report says it warned; a passing function's plain prints are not shown."""
    from grader import grade_submission

    folder = make_submission(tmp_path / "sub", appended={
        "activations": """
            def sigmoid(x):
                x = as_float(x)
                return 1.0 / (1.0 + np.exp(-x))


            def relu(x):
                print("debugging relu")
                return np.maximum(as_float(x), 0.0)
            """})
    result = grade_submission(str(folder), only=["activations.sigmoid", "activations.relu"], seed=5)
    assert result.functions["activations.sigmoid"].passed and result.functions["activations.relu"].passed
    lines = render(result, "text").splitlines()
    at = lines.index("Passed, but warned (1 function; the results were right, yet the computation warned on "
                     "the way: an overflow, a division by zero or an invalid value):")
    assert lines[at + 1] == "  activations.sigmoid:"
    assert lines[at + 2].startswith("  | ") and "activations.py:" in lines[at + 2]
    assert lines[at + 2].endswith(": RuntimeWarning: overflow encountered in exp")
    assert lines[at + 3] == "  |   return 1.0 / (1.0 + np.exp(-x))"
    assert "debugging relu" not in "\n".join(lines)
    markdown = render(result, "markdown")
    assert "<details><summary><code>activations.sigmoid</code> passed, but warned</summary>" in markdown
    assert "relu</code> passed" not in markdown
    tests = {t["name"]: t for t in json.loads(render(result, "gradescope"))["tests"]}
    assert "RuntimeWarning: overflow encountered in exp" in tests["activations.sigmoid"]["output"]
    assert "warned" not in tests["activations.relu"]["output"]


def test_reports_summary_line_and_classroom_message_say_the_mistake_not_its_id(buggy):
    """Session 6's trial: "known mistake: applied-to-input" and "Known mistake:
    'applied-to-input'." reached students; the sentence (as the catalog words it) does now."""
    from grader.classroom_report import reporter_result

    text = render(buggy, "text")
    assert ("  FAIL  sigmoid_derivative      0/1  6 of 6 cases failed; known mistake: you applied "
            "s(1 − s) to x itself\n") in text
    assert "applied-to-input" not in text and "db-averaged" not in text
    tests = {t["name"]: t["message"] for t in reporter_result(buggy)["tests"]}
    assert tests["activations.sigmoid_derivative"] == (
        "0 of 6 cases passed. Known mistake: You applied s(1 − s) to x itself, but that form needs "
        "the activation s = σ(x), while x here is the pre-activation.")
    assert "db-averaged" not in tests["layers.dense_backward"]
    assert tests["layers.dense_backward"].startswith("1 of 4 cases passed. Known mistake: You averaged dout over the batch for db")


def test_short_hint_is_the_first_clause_cut_at_a_comma_or_word():
    from grader.reports import short_hint

    assert short_hint("You applied s(1 − s) to x itself, but that form needs s.") == "you applied s(1 − s) to x itself"
    assert short_hint("He initialization has variance 2 / fan_in.") == "He initialization has variance 2 / fan_in"
    # it follows "known mistake:": a plain first word loses its capital (the review found
    # "known mistake: Add the squared gradient..."), a name keeps it
    assert short_hint("Add the squared gradient to the cache, not the gradient.").startswith(
        "add the squared gradient to the cache")
    assert short_hint("Inverted dropout divides the kept units by keep_prob.").startswith("inverted dropout")
    assert short_hint("Glorot's bound is sqrt(6 / (fan_in + fan_out)).").startswith("Glorot's bound")
    assert short_hint("The moments need the bias correction, m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ), before the step.") == (
        "the moments need the bias correction")
    assert short_hint("db is the sum of dout over the batch (every sample adds its share), not the mean.") == (
        "db is the sum of dout over the batch")
    long = "a probability of exactly 0 for the true label gives log of zero which is minus infinity here"
    assert short_hint(long) == "a probability of exactly 0 for the true label gives log of zero…"


def test_every_known_mistakes_one_liner_says_what_the_student_did():
    """The one-liner after "known mistake:" (the report's table, the terminal line, a
    Gradescope test) is the first clause of the catalogue's hint, so that clause must say what
    the student did, never the rule: trial 19a found "known mistake: batch normalization uses
    the biased variance (divide by N)" for a student who divided by N − 1. Every catalogued
    hint (and the release's stand-in for one that quotes code) opens with the student's
    action, "You ...", "Your ..." or "That is ...", in a whole clause: no "…" cut, no "must"."""
    import re

    from chainrule.release import student_hint
    from grader import specs
    from grader.reports import short_hint

    assert len(specs.MISTAKES) >= 144
    bad = []
    for m in specs.MISTAKES:
        for hint in (m.hint, student_hint(m)):
            one = short_hint(hint)
            if (not one.startswith(("you ", "your ", "that is ", "this is ")) or one.endswith("…")
                    or re.search(r"\b(must|should|needs?|goes)\b", one)):
                bad.append(f"{m.function} [{m.name}]: {one}")
    assert bad == []
    ones = {(m.function, m.name): short_hint(m.hint) for m in specs.MISTAKES}
    # the trial's examples: each names what the student wrote
    assert ones["layers.batchnorm_forward", "ddof-one"] == "you used the sample variance with N − 1"
    assert ones["optimizers.sgd_step", "missing-learning-rate"] == "you left out the learning rate"
    assert ones["activations.tanh_derivative", "missing-square"] == "you returned 1 − tanh(x) without the square"
    assert ones["network.train_step", "gradient-ascent"] == "you added the learning rate times the gradient"
    assert ones["training.train_val_test_split", "rounds"] == (
        "you rounded the validation and test sizes to nearest")
