"""A module whose import hangs is blamed once, and the modules importing it fail at once.

When an import times out, the child has said (in its last moments before the deadline) which
file of the submission was running its top-level code; that file is named, with its line,
and never imported again: a module that imports it fails at once naming it, instead of
waiting out a timeout of its own and being blamed for it. The child is untrusted: what it
says is kept only when it names a ``.py`` file of the submission, and it can never make an
import time out sooner than the timeout.

Expected texts and line numbers are read from the files the tests write, never from the grader.
"""

import json
import os
import time

import pytest

from chainrule_core.contract import CONTRACT
from grader.reports import render
from tests.grader.conftest import make_submission

T = 2.0         # the import timeout of these tests: a hang costs it once, not once per importer
LOOP = "while True:\n    pass\n"


def _line_of(path, text):
    """The 1-based line of ``path`` that is ``text`` (stripped)."""
    return [line.strip() for line in open(path).read().splitlines()].index(text) + 1


def _grade(folder, only, timeout=T):
    from grader import grade_submission

    start = time.monotonic()
    result = grade_submission(str(folder), only=only, timeout=timeout)
    return result, time.monotonic() - start


def _statuses(result, module):
    return {c.status for name in CONTRACT[module] for c in result.functions[f"{module}.{name}"].cases}


@pytest.fixture(scope="module")
def hanging_activations(tmp_path_factory):
    """activations.py loops at its top level; losses.py and network.py import it."""
    sub = make_submission(tmp_path_factory.mktemp("hang") / "exercises", prepended={"activations": LOOP})
    result, elapsed = _grade(sub, ["activations", "losses", "network", "layers"])
    return sub, result, elapsed


def test_a_hang_costs_one_timeout_and_the_importers_fail_at_once(hanging_activations):
    sub, result, elapsed = hanging_activations
    assert T <= elapsed < 2 * T, elapsed       # the full timeout once (never less), not once per importer
    assert _statuses(result, "activations") == {"timeout"}
    for module, statement in (("losses", "from .activations import softmax"),
                              ("network", "from .activations import sigmoid")):
        assert _statuses(result, module) == {"error"}
        fr = result.functions[f"{module}.{CONTRACT[module][0]}"]
        assert fr.import_cause == "activations.py"
        assert fr.import_short == (f"importing {module}.py failed: it imports activations.py, whose import "
                                   f"timed out after 2 s (--timeout 2)")
        line = _line_of(sub / f"{module}.py", statement)
        assert fr.import_error.splitlines()[1:3] == [f"  at exercises/{module}.py, line {line}, in <module>",
                                                     f"    {statement}"]
    assert all(result.functions[f"layers.{n}"].passed for n in CONTRACT["layers"])


def test_the_hang_is_named_with_its_file_and_line(hanging_activations):
    sub, result, _ = hanging_activations
    loop = _line_of(sub / "activations.py", "while True:")
    fr = result.functions["activations.sigmoid"]
    assert fr.import_cause == ""
    lines = fr.import_error.splitlines()
    assert lines[0] == "importing activations.py timed out after 2 s (--timeout 2)"
    assert lines[1] in (f"  still running at exercises/activations.py, line {loop}, in <module>",
                        f"  still running at exercises/activations.py, line {loop + 1}, in <module>")
    assert lines[2].strip() in ("while True:", "pass")
    losses = result.functions["losses.mean_squared_error"].import_error
    assert losses.splitlines()[-1] in (
        f"  activations.py was not imported again: when it was imported, its top-level code was still "
        f"running at line {n} after 2 s. Fix activations.py first." for n in (loop, loop + 1))


def test_the_text_report_blames_activations_once_and_points_the_importers_at_it(hanging_activations):
    _, result, _ = hanging_activations
    lines = render(result, "text").splitlines()
    assert lines.count("Importing activations.py timed out after 2 s (--timeout 2)") == 1
    # activations.py's block is shown: the importers' blocks say it in one line
    for module in ("losses", "network"):
        head = f"Importing {module}.py failed: it imports activations.py, whose import timed out after 2 s (--timeout 2)"
        assert lines[lines.index(head) + 1].startswith("  Not graded (")
        rows = [x for x in lines if x.startswith("  FAIL  ") and f"importing {module}.py" in x]
        assert len(rows) == len(CONTRACT[module])
        assert all(x.endswith(f"not graded: importing {module}.py failed (it imports activations.py)") for x in rows)
    assert sum("timed out" in x for x in lines if x.startswith("  FAIL  ")) == len(CONTRACT["activations"])


def test_markdown_json_junit_and_gradescope_name_the_hanging_module(hanging_activations):
    _, result, _ = hanging_activations
    md = render(result, "markdown")
    assert md.count("<details><summary>Importing activations.py timed out after 2 s (--timeout 2)</summary>") == 1
    assert ("<details><summary>Importing losses.py failed: it imports activations.py, whose import timed out "
            "after 2 s (--timeout 2)</summary>") in md
    assert "| `losses.mean_squared_error` | ❌ fail | 0/1 | not graded: importing losses.py failed (it imports " \
           "activations.py) |" in md
    doc = json.loads(render(result, "json"))
    functions = {f["name"]: f for f in doc["functions"]}
    assert functions["losses.softmax_crossentropy_grad"]["import_error"].startswith(
        "importing losses.py failed: it imports activations.py, whose import timed out after 2 s")
    assert {c["status"] for c in functions["network.forward"]["cases"]} == {"error"}
    junit = render(result, "junit")
    assert ('<error message="0/1 points: not graded: importing losses.py failed: it imports activations.py, '
            'whose import timed out after 2 s (--timeout 2)">') in junit
    tests = {t["name"]: t for t in json.loads(render(result, "gradescope"))["tests"]}
    assert "Fix activations.py first." in tests["network.backward"]["output"]
    assert "still running at exercises/activations.py, line " in tests["activations.relu"]["output"]


def test_a_hang_in_the_importers_own_code_is_still_blamed_on_it(tmp_path):
    sub = make_submission(tmp_path / "exercises", appended={"losses": LOOP})
    result, elapsed = _grade(sub, ["activations", "losses"])
    loop = _line_of(sub / "losses.py", "while True:")
    assert all(result.functions[f"activations.{n}"].passed for n in CONTRACT["activations"])
    assert _statuses(result, "losses") == {"timeout"}
    fr = result.functions["losses.mean_squared_error"]
    assert fr.import_cause == "" and "activations.py" not in fr.import_error
    assert fr.import_error.splitlines()[1] in (
        f"  still running at exercises/losses.py, line {n}, in <module>" for n in (loop, loop + 1))


def test_a_hang_found_by_an_importer_is_not_timed_again_for_its_own_functions(tmp_path):
    # network comes before optimizers: network's import finds optimizers.py hanging
    sub = make_submission(tmp_path / "exercises", prepended={
        "network": "from .optimizers import sgd_step\n", "optimizers": LOOP})
    result, elapsed = _grade(sub, ["network", "optimizers", "regularization"])
    assert elapsed < 2 * T, elapsed
    net = result.functions["network.forward"]
    assert _statuses(result, "network") == {"timeout"} and net.import_cause == "optimizers.py"
    assert net.import_short == ("importing network.py timed out after 2 s (--timeout 2): it imports optimizers.py, "
                                "whose top-level code did not finish in time")
    assert "still running at exercises/optimizers.py, line " in net.import_error
    assert _statuses(result, "optimizers") == {"timeout"}
    assert result.functions["optimizers.adam_step"].import_short == (
        "importing optimizers.py timed out after 2 s (--timeout 2) when network.py imported it")
    assert all(result.functions[f"regularization.{n}"].passed for n in CONTRACT["regularization"])


def test_a_hanging_helper_imported_flat_is_named_and_not_imported_again(tmp_path):
    sub = make_submission(tmp_path / "exercises", prepended={"activations": "import helper\n",
                                                             "losses": "from helper import *\n"})
    (sub / "helper.py").write_text("import time\n\nwhile True:\n    time.sleep(0.01)\n")
    result, elapsed = _grade(sub, ["activations", "losses", "layers"])
    assert T <= elapsed < 2 * T, elapsed
    act = result.functions["activations.softmax"]
    assert act.import_short == ("importing activations.py timed out after 2 s (--timeout 2): it imports helper.py, "
                                "whose top-level code did not finish in time")
    assert "  still running at exercises/helper.py, line 4, in <module>" in act.import_error.splitlines()
    assert "helper.py was not imported again: not for the other modules that import it." in act.import_error
    assert result.functions["losses.mean_squared_error"].import_short == (
        "importing losses.py failed: it imports helper.py, whose import timed out after 2 s (--timeout 2)")
    assert all(result.functions[f"layers.{n}"].passed for n in CONTRACT["layers"])


def test_a_correct_submission_with_a_flat_helper_import_gets_full_marks(tmp_path):
    sub = make_submission(tmp_path / "exercises", prepended={
        "activations": "import helper\nassert helper.RUNS == 1\n",
        "losses": "import helper\nfrom helper import RUNS as _runs\n"})
    (sub / "helper.py").write_text("import sys\nRUNS = getattr(sys, '_helper_runs', 0) + 1\nsys._helper_runs = RUNS\n")
    result, _ = _grade(sub, ["activations", "losses"])
    assert result.score == result.max_score, render(result, "text")


def test_a_hanging_package_init_costs_one_timeout_for_every_module(tmp_path):
    sub = make_submission(tmp_path / "exercises")
    (sub / "__init__.py").write_text(LOOP)
    result, elapsed = _grade(sub, ["activations", "losses", "layers"])
    assert T <= elapsed < 2 * T, elapsed
    for module in ("activations", "losses", "layers"):
        assert _statuses(result, module) == {"timeout"}
    lines = render(result, "text").splitlines()
    assert lines.count("Importing __init__.py timed out after 2 s (--timeout 2)") == 1
    assert "  still running at exercises/__init__.py, line 1, in <module>" in lines


def test_a_function_that_imports_a_hanging_module_when_called_fails_at_once(tmp_path):
    sub = make_submission(tmp_path / "exercises", prepended={"activations": LOOP}, appended={"layers": """
        def dense_forward(x, W, b):
            from .activations import sigmoid
            return x @ W + b
        """})
    result, elapsed = _grade(sub, ["activations", "layers.dense_forward"])
    assert elapsed < 2 * T, elapsed       # the call does not wait for the import: no function timeout
    case = result.functions["layers.dense_forward"].cases[0]
    assert case.status == "error"
    assert case.message.splitlines()[1].startswith(
        "raised ImportError: exercises/activations.py is not imported again: when it was imported, its "
        "top-level code was still running after 2 s (--timeout 2), at line ")


def test_an_import_slower_than_the_first_note_still_imports_and_leaves_no_alarm(tmp_path):
    # the child's notes start half a second before the deadline: this import outlasts the
    # first ones and finishes in time, and the functions then run with SIGALRM as it was
    sub = make_submission(tmp_path / "exercises", prepended={"activations": "import time\ntime.sleep(1.7)\n"},
                          appended={"activations": """
        _relu = relu

        def relu(x):
            import signal
            if signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL or signal.getitimer(signal.ITIMER_REAL)[0]:
                raise RuntimeError("the import's alarm is still armed")
            return _relu(x)
        """})
    result, _ = _grade(sub, ["activations"], timeout=2.5)
    assert all(fr.passed for fr in result.functions.values()), render(result, "text")


FORGED = """
import signal, sys
signal.signal(signal.SIGALRM, signal.SIG_IGN)     # no note of the grader's own
_send = sys.modules["__main__"]._send
for name in {names!r}:
    _send({{"stuck": {{"file": name, "line": 3, "code": "x", "chain": [name]}}}})
while True:
    pass
"""


def test_notes_naming_files_outside_the_submission_are_not_believed(tmp_path):
    # the submission itself writes notes (with the request's nonce) and hangs: a note that
    # does not name a .py file of the submission is dropped, and the module imported is blamed
    names = ["../solutions/activations.py", "/etc/passwd", "exercises/../../solutions/losses.py",
             "solutions/activations.py", "exercises/missing.py", "exercises/.hidden.py",
             "exercises/__pycache__/x.py", "exercises/README.md", "exercises"]
    sub = make_submission(tmp_path / "exercises", prepended={"activations": FORGED.format(names=names)})
    (sub / "README.md").write_text("not a module\n")
    result, elapsed = _grade(sub, ["activations", "layers.dense_forward"])
    assert elapsed >= T         # never sooner than the timeout
    fr = result.functions["activations.sigmoid"]
    assert {c.status for c in fr.cases} == {"timeout"}
    assert fr.import_short == "importing activations.py timed out after 2 s (--timeout 2)"
    assert "still running" not in fr.import_error and fr.import_cause == ""
    text = render(result, "text")
    assert "solutions/" not in text and "passwd" not in text and "README" not in text
    assert result.functions["layers.dense_forward"].passed


def test_a_flood_of_notes_fails_only_that_import(tmp_path):
    forged = FORGED.format(names=["exercises/activations.py"] * 200)
    sub = make_submission(tmp_path / "exercises", prepended={"activations": forged})
    result, elapsed = _grade(sub, ["activations", "layers.dense_forward"])
    fr = result.functions["activations.sigmoid"]
    assert {c.status for c in fr.cases} == {"crashed"}
    assert "sent back something unreadable (more than 64 notes" in fr.import_error
    assert result.functions["layers.dense_forward"].passed


def test_the_parent_keeps_a_note_only_for_a_file_of_the_submission(tmp_path):
    from grader.sandbox import Sandbox

    sub = make_submission(tmp_path / "exercises")
    (sub / "pkg").mkdir()
    (sub / "pkg" / "util.py").write_text("X = 1\n")
    (sub / "alias.py").symlink_to(sub / "activations.py")
    box = Sandbox(str(sub))
    assert box._submission_file("exercises/activations.py") == "activations.py"
    assert box._submission_file("exercises/pkg/util.py") == "pkg/util.py"
    for shown in ("activations.py", "exercises/alias.py", "exercises/../exercises/activations.py",
                  "exercises//activations.py", "other/activations.py", "exercises/pkg", "exercises/nothere.py",
                  "exercises/activations.py\0", "/exercises/activations.py", 42, None, "exercises/" + "a" * 300 + ".py"):
        assert box._submission_file(shown) is None, shown
    note = box._stuck({"file": "exercises/activations.py", "line": "7", "code": 5, "chain": "no",
                       "at": {"file": "/etc/passwd", "line": 1}})
    assert note == {"file": "activations.py", "shown": "exercises/activations.py", "line": 0, "code": "",
                    "at": None, "chain": []}
    assert box._stuck(["exercises/activations.py"]) is None
    assert box._stuck({"file": "exercises/activations.py", "chain": ["exercises/activations.py"] * 9})["chain"] == []
    os.unlink(sub / "alias.py")


def test_grade_all_gives_the_class_row_one_timeout_and_the_report_names_the_hanging_module(tmp_path):
    import csv

    from click.testing import CliRunner

    from chainrule.cli import cli
    from chainrule_core.contract import POINTS

    subs = tmp_path / "subs"
    make_submission(subs / "hangs" / "exercises", prepended={"activations": LOOP})
    make_submission(subs / "fine" / "exercises")
    only = ["activations", "losses", "network", "layers"]
    out = tmp_path / "out"
    start = time.monotonic()
    done = CliRunner().invoke(cli, ["grade-all", str(subs), "--out", str(out), "--jobs", "1", "--timeout", "3",
                                    "--only", ",".join(only)])
    elapsed = time.monotonic() - start
    assert done.exit_code == 0, done.output
    assert elapsed < 2 * 3, elapsed     # one timeout for the class, not one per module importing activations.py
    with open(out / "grades.csv", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    graded = [q for q in POINTS if q.split(".")[0] in only]
    layers = sum(POINTS[q] for q in graded if q.startswith("layers."))
    assert float(rows["fine"]["total"]) == sum(POINTS[q] for q in graded)
    assert float(rows["hangs"]["total"]) == layers
    assert all(float(rows["hangs"][q]) == 0 for q in graded if not q.startswith("layers."))
    report = (out / "reports" / "hangs.md").read_text()
    assert report.count("<details><summary>Importing activations.py timed out after 3 s (--timeout 3)</summary>") == 1
    assert ("<details><summary>Importing network.py failed: it imports activations.py, whose import timed out "
            "after 3 s (--timeout 3)</summary>") in report
    assert "  still running at exercises/activations.py, line 1, in <module>" in report


def test_a_module_with_its_own_alarm_handler_keeps_it_and_gets_no_alarm_of_the_grader(tmp_path):
    # a module that installs a SIGALRM handler of its own at import (a timeout helper): the
    # grader's timer for the import's notes is disarmed all the same, and the handler kept
    sub = make_submission(tmp_path / "exercises", prepended={"activations": """
        import signal as _signal

        def _mine(*_):
            raise RuntimeError("my own alarm went off")

        _signal.signal(_signal.SIGALRM, _mine)
        """}, appended={"activations": """
        _relu = relu

        def relu(x):
            if _signal.getsignal(_signal.SIGALRM) is not _mine or _signal.getitimer(_signal.ITIMER_REAL)[0]:
                raise RuntimeError("the grader's alarm is still armed")
            return _relu(x)
        """})
    result, _ = _grade(sub, ["activations"], timeout=1.0)
    assert all(fr.passed for fr in result.functions.values()), render(result, "text")
