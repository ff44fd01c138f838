"""The grader's shortcuts change no result: a grade with every shortcut switched off writes
the very same reports.

Shortcuts (issue 11, a grade's start-up time): ``compare._identical`` (identical values
pass without the tolerance arithmetic), ``compare._same_bytes`` (an input returned with its
very bytes was not modified), the child's ``{"t": "same"}`` for an argument it found as
sent and its chains of steps fed without a round trip (both off with
``Sandbox.full_echo``: every argument comes back whole and each step is asked for by the
grading process), ``stats._ks_above`` (a clearly passing normal
sample is settled with an approximate erf), ``reports._dumps`` (JSON written in one pass
instead of ``json.dumps(indent=2)``), ``engine.Ahead`` (cases and expected values made while
the grading process waits for the child, instead of when each is graded). The submission below fails in many ways: wrong
values, wrong distributions, known mistakes, a crash, so that every path is exercised.
"""

import json

import pytest

from grader import compare, grade_submission, reports, stats
from grader.specs import cases_for
from grader.sandbox import Sandbox
from tests.grader.conftest import make_submission
from tests.grader.wrong_catalog import CATALOG

PICKED = ("initializers.random_normal", "initializers.he_normal", "initializers.random_uniform",
          "activations.tanh_derivative", "losses.mean_squared_error", "optimizers.adam_step",
          "layers.dense_backward", "training.log_uniform", "layers.dropout_mask")


def _submission(root):
    appended, seen = {}, set()
    for qualname, _ident, source, _accept in CATALOG:
        if qualname in PICKED and qualname not in seen:
            seen.add(qualname)
            module = qualname.split(".")[0]
            appended[module] = appended.get(module, "") + "\nimport numpy as np\n" + source
    assert len(seen) >= 6
    return make_submission(root, appended=appended)


def _exact_ks(samples, cdf, e):
    d = stats.ks_distance(samples, cdf)
    return d, d > e


def _reports(sub):
    result = grade_submission(sub, seed=11, only=["initializers", "activations", "losses", "optimizers",
                                                  "layers", "training"])
    return {fmt: reports.render(result, fmt, verbose=True) for fmt in ("json", "text", "markdown")}


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    return _submission(tmp_path_factory.mktemp("fast") / "sub")


def test_reports_are_the_same_with_every_shortcut_off(submission, monkeypatch):
    fast = _reports(submission)
    used = {"identical": 0, "same_bytes": 0, "ks": 0, "dumps": 0}

    def not_same_bytes(before, after):
        used["same_bytes"] += 1
        return False

    def not_identical(mine, want):
        used["identical"] += 1
        return False

    def exact_ks(samples, cdf, e, u=None):     # u: the CDF's values the shortcut bounds with
        used["ks"] += 1
        return _exact_ks(samples, cdf, e)

    def plain_dumps(doc):
        used["dumps"] += 1
        return json.dumps(reports._cleaned(doc), indent=2, ensure_ascii=False)

    monkeypatch.setattr(compare, "_identical", not_identical)
    monkeypatch.setattr(compare, "_same_bytes", not_same_bytes)
    monkeypatch.setattr(stats, "_ks_above", exact_ks)
    monkeypatch.setattr(reports, "_dumps", plain_dumps)
    monkeypatch.setattr(Sandbox, "full_echo", True)
    slow = _reports(submission)
    assert used["identical"] > 100 and used["same_bytes"] > 100 and used["ks"] >= 6 and used["dumps"] == 1
    assert fast == slow
    graded = json.loads(fast["json"])
    failed = {f["name"] for f in graded["functions"] if not f["passed"]}
    assert set(PICKED) <= failed          # the shortcuts were compared on failing functions too
    assert 0 < graded["percent"] < 100


def test_reports_are_the_same_without_work_done_while_waiting(submission, monkeypatch):
    from grader import engine

    done = {"pieces": 0}
    step = engine.Ahead.step

    def counted(self):
        more = step(self)
        done["pieces"] += more
        return more

    monkeypatch.setattr(engine.Ahead, "step", counted)
    ahead = _reports(submission)
    assert done["pieces"] > 50          # the expected values were computed while waiting
    monkeypatch.setattr(engine.Ahead, "step", lambda self: False)
    assert _reports(submission) == ahead


def test_an_error_of_the_oracle_met_ahead_is_raised_where_the_case_is_graded(tmp_path, monkeypatch):
    from chainrule_core.errors import ChainruleError
    from grader import engine
    from grader.oracle import LiveOracle

    sub = make_submission(tmp_path / "exercises")
    expected = LiveOracle.expected
    asked = []

    def failing(self, case, seed):
        asked.append(case.qualname)
        if case.qualname == "losses.mean_squared_error" and case.number == 2:
            raise ChainruleError("no entry for losses.mean_squared_error case 2")
        return expected(self, case, seed)

    init = engine.Ahead.__init__

    def all_at_once(self, *args):       # as if the first wait were long enough for everything
        init(self, *args)
        while self.step():
            pass

    monkeypatch.setattr(LiveOracle, "expected", failing)
    monkeypatch.setattr(engine.Ahead, "__init__", all_at_once)
    with pytest.raises(ChainruleError, match="no entry for losses.mean_squared_error case 2"):
        grade_submission(str(sub), only=["activations", "losses"])
    # met ahead (every case of both modules), then again when the case was graded
    assert asked.count("losses.mean_squared_error") == len(cases_for("losses.mean_squared_error", 0)) + 1


def _pipe_sandbox(idle):
    """A Sandbox reading replies from a pipe of its own, with ``idle`` as its own work."""
    import os

    from grader.sandbox import Sandbox

    r, w = os.pipe()
    os.set_blocking(r, False)
    box = Sandbox.__new__(Sandbox)
    box._read_buf, box._resp, box.idle = bytearray(), r, idle
    box.shifted = box._shift_base = 0.0
    box._watch = lambda: None
    box._drain_output = lambda: None
    box._disk_tick = lambda: None
    return box, r, w


@pytest.mark.parametrize("piece", [0.05, 0.2])
def test_a_reply_that_comes_in_time_is_read_however_long_this_process_works_meanwhile(piece):
    import os
    import threading
    import time

    from grader.sandbox import IDLE_MARGIN

    pieces = iter([True, True])

    def idle():         # one long piece of the grading process's own work
        time.sleep(piece)
        return next(pieces, False)

    box, r, w = _pipe_sandbox(idle)
    try:
        threading.Timer(0.01, lambda: os.write(w, b"12345678")).start()    # in time: at 10 ms of 80
        assert box._read_exact(8, time.monotonic() + IDLE_MARGIN + 0.03) == b"12345678"
        # and a reply that never comes still times out, after the work and the child's full wait
        box.idle, pieces = idle, iter([True])
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            box._read_exact(8, time.monotonic() + IDLE_MARGIN + 0.03)
        assert time.monotonic() - start >= piece
    finally:
        os.close(r)
        os.close(w)


def test_a_second_signal_while_the_partial_result_is_made_is_ignored(tmp_path, monkeypatch):
    """SIGTERM (or Ctrl-C) during grading gives the partial result; a second one while the
    remaining functions are listed as not graded must not lose it."""
    import os
    import signal
    import time

    from grader import engine

    sub = make_submission(tmp_path / "exercises")
    run, cases_for_real, graded = engine.FunctionGrading.run, engine.cases_for, []

    def run_until_the_third(self):
        graded.append(self.qualname)
        if len(graded) == 3:
            os.kill(os.getpid(), signal.SIGTERM)        # the first: raised here
            time.sleep(5)
        return run(self)

    def listing(qualname, seed):
        if len(graded) >= 3:
            os.kill(os.getpid(), signal.SIGTERM)        # the second, while the rest is listed
        return cases_for_real(qualname, seed)

    monkeypatch.setattr(engine.Ahead, "step", lambda self: False)    # cases made in the loop
    monkeypatch.setattr(engine.FunctionGrading, "run", run_until_the_third)
    monkeypatch.setattr(engine, "cases_for", listing)
    result = grade_submission(str(sub), only=["activations"])
    assert result.interrupted == "SIGTERM"
    done = [q for q, fr in result.functions.items() if all(c.status != "skipped" for c in fr.cases)]
    assert done == graded[:2]
    assert len(result.functions) == len([q for q in result.functions if q.startswith("activations.")]) > 3


def test_an_interrupted_case_run_is_still_no_grade(tmp_path, monkeypatch):
    import os
    import signal
    import time

    from grader import engine

    sub = make_submission(tmp_path / "exercises")

    def interrupted(self):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    monkeypatch.setattr(engine.FunctionGrading, "run", interrupted)
    result = grade_submission(str(sub), only=["activations.relu"], case=2)
    fr = result.functions["activations.relu"]
    assert result.interrupted == "SIGTERM"
    assert fr.cases_in_all == len(cases_for("activations.relu", result.seed)) > 1
    text = reports.render(result, "text")
    assert "Total:" not in text and "PASS" not in text and "FAIL" not in text, text


def test_the_time_this_process_worked_past_a_deadline_is_given_back_for_the_whole_reply():
    """Review 13b: a reply read in several pieces (its length, nonce and payload) keeps the
    deadline moved on by a long piece of this process's own work, not just the first read."""
    import os
    import threading
    import time

    from grader.sandbox import IDLE_MARGIN

    pieces = iter([True])

    def idle():
        time.sleep(0.2)
        return next(pieces, False)

    box, r, w = _pipe_sandbox(idle)
    try:
        start = time.monotonic()
        deadline = start + IDLE_MARGIN + 0.03             # 80 ms; the piece ends at 200 ms
        threading.Timer(0.01, lambda: os.write(w, b"length..")).start()
        threading.Timer(0.23, lambda: os.write(w, b"payload.")).start()      # 230 ms: moved on to 250
        assert box._read_exact(8, deadline) == b"length.."
        assert box._read_exact(8, deadline) == b"payload."
        assert 0.15 < box.shifted < 0.2
    finally:
        os.close(r)
        os.close(w)
