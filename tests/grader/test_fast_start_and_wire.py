"""What makes one ``chainrule grade`` faster (issue 11), checked for what it must keep.

- ``chainrule grade`` starts its warm process before click or the grader is imported; a
  bad invocation ends it; ``--help`` never starts one; importing ``chainrule.cli`` loads
  no click until the group is used.
- The child echoes an argument the call left untouched as ``{"t": "same"}``: a modified
  array still comes back whole and is named as before, an array whose bytes changed but
  whose values did not (``-0.0`` written over ``0.0``) is still not called modified, an
  array reinterpreted in place (another dtype) is.
- Requests held back (``submit(hold=True)``) are written when a reply is awaited; replies
  read ahead are handed out in order.
- A child asked for without waiting that the warm process does not fork falls back to a
  fresh child, and the grade is the same.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from grader import wire, zygote
from grader.compare import modified_inputs
from grader.sandbox import Sandbox
from tests.grader.conftest import ROOT, make_submission

PROBE = """
import json, os, sys
import grader.zygote as z

seen, pids = [], []
original = z.start_early


def recording():
    seen.append(sorted(m for m in ("click", "numpy", "grader.engine", "grader.reports") if m in sys.modules))
    made = original()
    if made is not None:
        pids.append(made.pid)
    return made


z.start_early = recording
from chainrule.cli import main

sys.argv = ["chainrule"] + json.loads(sys.argv[1])
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
left = [p for p in pids if os.path.exists(f"/proc/{p}")]
print(json.dumps({"seen": seen, "code": code, "left": left}))
"""


def _probe(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != zygote.DISABLE_VAR}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps([str(a) for a in args])], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=env)
    return json.loads(proc.stdout.splitlines()[-1]), proc.stderr


def test_grade_starts_the_warm_process_before_click_and_the_grader_are_imported(tmp_path):
    out = tmp_path / "r.json"
    info, err = _probe(["grade", ROOT / "solutions", "--only", "activations.relu", "--format", "json",
                        "--output", out], tmp_path)
    assert info["code"] == 0, err
    assert info["seen"][0] == []        # nothing of click, NumPy or the grader loaded yet
    assert json.loads(out.read_text())["percent"] == 100.0
    assert info["left"] == []           # and it is gone when the command is


@pytest.mark.parametrize("args, code", [
    (["grade", "--no-such-option"], 2),                   # a bad invocation
    (["--debug", "grade", "missing-folder", "--format", "nope"], 2),
])
def test_a_bad_grade_invocation_ends_the_warm_process_it_started(tmp_path, args, code):
    info, err = _probe(args, tmp_path)
    assert info["code"] == code, err
    assert info["seen"] and info["seen"][0] == []
    assert info["left"] == []


def test_an_existing_output_without_force_ends_the_warm_process_too(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("{}")
    info, err = _probe(["grade", ROOT / "solutions", "--output", out], tmp_path)
    assert info["code"] == 1
    assert f"Output file '{out}' already exists; pass --force to overwrite it." in err
    assert info["left"] == [] and out.read_text() == "{}"


def test_grade_help_starts_no_warm_process(tmp_path):
    info, _ = _probe(["grade", "--help"], tmp_path)
    assert info["code"] == 0 and info["seen"] == [] and info["left"] == []


def test_importing_the_cli_loads_click_only_when_the_group_is_used():
    code = ("import sys\nimport chainrule.cli as c\nbefore = 'click' in sys.modules\n"
            "group = c.cli\nimport click\n"
            "print(before, isinstance(group, click.Group), c.LazyGroup is type(group), 'grade' in c.COMMANDS)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.split() == ["False", "True", "True", "True"]


# ------------------------------------------------------------------ the echo of the arguments
TOUCHERS = {"activations": """
def leave(x, k):
    return x.sum()

def set_first(x, k):
    x.flat[0] = 99.0
    return k

def negative_zero(x, k):
    x[x == 0] = -0.0
    return 0

def reinterpret(x, k):
    x.dtype = np.int64
    return 0
"""}


def _started(folder, appended):
    """A started sandbox on the reference with ``appended`` code, activations imported."""
    box = Sandbox(str(make_submission(folder, appended)))
    box.start()
    assert box.import_module("activations", 10) is None
    return box


@pytest.fixture()
def sandbox(tmp_path):
    box = _started(tmp_path / "exercises", TOUCHERS)
    yield box
    box.stop()


def _echo(box, function, x):
    _, inputs, _ = box.call("activations", function, [x, (2, 3)], {}, timeout=10)
    return inputs


def test_an_untouched_array_and_a_non_array_come_back_as_unchanged(sandbox):
    x = np.arange(6.0).reshape(2, 3)
    inputs = _echo(sandbox, "leave", x)
    assert inputs[0] is wire.UNCHANGED and inputs[1] is wire.UNCHANGED
    assert modified_inputs([x, (2, 3)], inputs, ["x", "k"]) == []


def test_a_modified_array_comes_back_whole_and_is_named(sandbox):
    x = np.arange(6.0).reshape(2, 3)
    inputs = _echo(sandbox, "set_first", x)
    assert inputs[0].kind == "array" and inputs[0].value[0, 0] == 99.0
    assert inputs[1] is wire.UNCHANGED     # the tuple: never compared
    assert modified_inputs([x, (2, 3)], inputs, ["x", "k"]) == [
        "modified its input `x` in place (1 element changed); compute into a new array instead (an "
        "in-place operator such as += or an assignment to a slice of `x` writes into the caller's array)"]


def test_bytes_changed_but_values_equal_is_not_called_modified(sandbox):
    x = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    inputs = _echo(sandbox, "negative_zero", x)
    assert inputs[0].kind == "array"       # sent back: its bytes differ
    assert np.signbit(inputs[0].value[0, 0])
    assert modified_inputs([x, (2, 3)], inputs, ["x", "k"]) == []      # as before: equal values


def test_an_array_reinterpreted_in_place_is_named(sandbox):
    x = np.arange(6.0).reshape(2, 3)
    inputs = _echo(sandbox, "reinterpret", x)
    assert inputs[0].kind == "array" and inputs[0].value.dtype == np.int64
    assert modified_inputs([x, (2, 3)], inputs, ["x", "k"])[0].startswith("modified its input `x` in place")


def test_same_is_read_only_where_an_argument_is_echoed():
    with pytest.raises(ValueError):
        wire.decode({"t": "same"}, [])     # never as a result
    assert wire.decode_input({"t": "same"}, []) is wire.UNCHANGED
    with pytest.raises(ValueError):
        wire.decode_input({"t": "same", "i": 0}, [])


# ------------------------------------------------------------------ held requests, read-ahead
def test_held_requests_are_written_when_a_reply_is_awaited_and_replies_come_in_order(sandbox):
    xs = [np.full((2, 3), float(k)) for k in range(5)]
    tickets = [sandbox.submit("activations", "leave", [x, (2, 3)], hold=True)[0] for x in xs]
    assert sandbox.pending() == 5
    # the last first: the earlier replies, read ahead on the way, are kept for their own call
    last = sandbox.result(tickets[-1], 10)[0]
    assert float(last.value) == 4.0 * 6
    assert [float(sandbox.result(t, 10)[0].value) for t in tickets[:-1]] == [0.0, 6.0, 12.0, 18.0]
    ticket, _ = sandbox.submit("activations", "leave", [xs[1], (2, 3)], hold=True)
    sandbox.drain(10)                       # written, answered, dropped
    assert sandbox.pending() == 0
    assert float(sandbox.call("activations", "leave", [xs[2], (2, 3)], {}, timeout=10)[0].value) == 12.0


# ------------------------------------------------------------------ a fork asked for, not served
def test_a_child_the_warm_process_does_not_fork_falls_back_to_a_fresh_one(tmp_path, monkeypatch):
    from grader import grade_submission

    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    monkeypatch.setitem(zygote._STATE, "starts", 0)     # this test's warm processes: not the session's
    real = zygote.socket.send_fds

    def two_descriptors(sock, buffers, fds):     # the zygote answers with an error
        return real(sock, buffers, fds[:2])

    monkeypatch.setattr(zygote.socket, "send_fds", two_descriptors)
    sub = make_submission(tmp_path / "exercises")
    result = grade_submission(str(sub), only=["activations.relu"], timeout=10)
    assert result.functions["activations.relu"].passed
    assert zygote.last_start() == "fresh (a request without its three descriptors)"
    monkeypatch.setattr(zygote.socket, "send_fds", real)
    again = grade_submission(str(sub), only=["activations.relu"], timeout=10)
    assert again.functions["activations.relu"].passed and zygote.last_start() == "warm"


# ------------------------------------------------------------------ undoing monkeypatching
PATCHER = {"activations": """
_PATCHED = []


def sigmoid(x):
    import builtins, math
    result = 1.0 / (1.0 + np.exp(-x))
    if not _PATCHED:                 # once: removed, replaced, patched in three modules
        _PATCHED.append(True)
        del np.tanh
        np.maximum = lambda *a, **k: 0.0
        builtins.abs = lambda v: 0
        math.tanh = None
    return result
"""}


def test_what_a_function_changed_in_numpy_builtins_and_math_is_undone_before_the_next(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises", PATCHER)
    result = grade_submission(str(sub), only=["activations"], timeout=10)
    assert all(fr.passed for fr in result.functions.values()), [
        (q, fr.cases[0].message) for q, fr in result.functions.items() if not fr.passed]


STATE_PATCHER = {"activations": """
import warnings

_DEFAULTS = (np.geterr(), list(warnings.filters))


def sigmoid(x):
    np.seterr(all="raise")                  # at every call: the last one leaves it so
    warnings.simplefilter("error")
    np._student_cache = True                # an added name stays (NumPy adds names too)
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    # right only when the error state and the warning filters are as before sigmoid ran
    if np.geterr() != _DEFAULTS[0] or warnings.filters != _DEFAULTS[1] or not np._student_cache:
        return x
    return np.tanh(x)
"""}




# ------------------------------------------------------------------ steps chained in the child
def test_every_steps_case_has_a_chain_plan_that_places_what_its_feed_places():
    """The plan read off each feed, filled with a real output, gives the very call the feed
    makes of it: the output's arrays where the feed puts them, its other values as sent."""
    import solutions.optimizers as ref
    from chainrule_core.contract import qualified_names
    from grader.compare import plain
    from grader.specs import cases_for
    from grader.values import FromOutput, to_returned

    checked = 0
    for qualname in qualified_names():
        for seed in (0, 2026):
            for case in cases_for(qualname, seed):
                if case.kind != "steps":
                    continue
                rule, steps = case.chain_plan()
                assert len(steps) == case.steps - 1
                fn, call = getattr(ref, case.function), case.calls[0]
                for k in range(1, case.steps):
                    out = plain(to_returned(fn(*call.materialize())))
                    items = [out] if rule == -1 else list(out)
                    assert rule == -1 or len(items) == rule
                    nxt = case.feed(call, out, k)
                    assert len(nxt.args) == len(steps[k - 1])
                    for made, planned in zip(nxt.args, steps[k - 1]):
                        if isinstance(planned, FromOutput):
                            assert made is items[planned.index]
                        elif isinstance(made, np.ndarray):
                            assert made is planned
                        else:
                            assert type(made) is type(planned) and made == planned
                    call = nxt
                    checked += 1
    assert checked >= 6 * 3 * 4 * 2        # every optimizer, three steps cases, four later steps


def test_a_feed_that_computes_with_the_output_gets_no_plan():
    from grader.framework import Call, Case

    def scaled(prev, out, k):
        return Call(out * 2.0, prev.args[1])

    def older(prev, out, k):
        first = getattr(older, "first", None)
        older.first = first if first is not None else out
        return Call(out, older.first)

    x = np.ones(3)
    assert Case("optimizers.sgd_step", "s", [Call(x, x)], kind="steps", steps=3, feed=scaled).chain_plan() is None
    assert Case("optimizers.sgd_step", "o", [Call(x, x)], kind="steps", steps=3, feed=older).chain_plan() is None


STEPPERS = {"activations": """
_N = [0]


def halve(w, g):
    return w / 2.0, g

def halve_third_touches(w, g):
    _N[0] += 1
    if _N[0] == 3:
        g += 1.0
    return w / 2.0, g
"""}


@pytest.fixture()
def stepper(tmp_path):
    box = _started(tmp_path / "exercises", STEPPERS)
    yield box
    box.stop()


def _chain(box, function, steps=4):
    from grader.values import FromOutput

    later = [[FromOutput(0), FromOutput(1)]] * (steps - 1)
    first, _ = box.submit("activations", function, [np.full(3, 8.0), np.ones(3)], chain=(2, later))
    return [first] + box.chained


def test_a_chain_runs_every_step_in_the_child_and_says_each_time_that_it_goes_on(stepper):
    tickets = _chain(stepper, "halve")
    seen = []
    for ticket in tickets:
        result, inputs, _ = stepper.result(ticket, 10)
        seen.append((float(result.value[0].value[0]), stepper.last_more, inputs[0] is wire.UNCHANGED))
    assert seen == [(4.0, True, True), (2.0, True, True), (1.0, True, True), (0.5, False, True)]
    assert stepper.pending() == 0


def test_a_chain_stops_after_a_call_that_changed_an_argument(stepper):
    tickets = _chain(stepper, "halve_third_touches", steps=5)
    more = []
    for ticket in tickets[:3]:
        _, inputs, _ = stepper.result(ticket, 10)
        more.append(stepper.last_more)
    assert more == [True, True, False] and inputs[1].kind == "array"     # g came back whole
    stepper.cancel(tickets[3:])             # never made: forgotten, nothing waits for them
    assert stepper.pending() == 0
    result, _, _ = stepper.call("activations", "halve", [np.full(3, 8.0), np.ones(3)], {}, timeout=10)
    assert float(result.value[0].value[0]) == 4.0


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="Linux pipes only")
def test_the_reply_pipe_holds_a_distribution_cases_samples_in_one_piece(sandbox):
    import fcntl

    from grader.sandbox import PIPE_SIZE

    assert fcntl.fcntl(sandbox._resp, fcntl.F_GETPIPE_SZ) == PIPE_SIZE >= 60000 * 8


def test_a_child_asked_for_from_a_warm_process_closed_meanwhile_fails_at_once():
    import time

    from grader.zygote import Zygote, ZygoteUnusable

    warm = Zygote()
    ends = [os.pipe() for _ in range(3)]
    child = warm.spawn({}, {}, "/nonexistent", ends[0][1], ends[1][0], ends[2][1], wait=False)
    warm.close()
    started = time.monotonic()
    with pytest.raises(ZygoteUnusable, match="closed"):
        child.resolve()
    assert time.monotonic() - started < 1        # not the 30 s of a request never answered
    for pair in ends:
        for fd in pair:
            os.close(fd)


SUBMODULE_PATCHER = {"activations": """
def sigmoid(x):
    np.linalg.norm = lambda *a, **k: 0.0        # names of NumPy's public submodules
    np.random.default_rng = None
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    # right only when both names are NumPy's own again
    if np.random.default_rng is None or np.linalg.norm(np.ones(4)) != 2.0:
        return x
    return np.tanh(x)
"""}


@pytest.mark.parametrize("patcher", [STATE_PATCHER, SUBMODULE_PATCHER], ids=["state", "submodules"])
def test_what_sigmoid_left_changed_is_undone_before_tanh(tmp_path, patcher):
    # the error state and the warning filters; names of NumPy's public submodules
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises", patcher)
    result = grade_submission(str(sub), only=["activations.sigmoid", "activations.tanh"], timeout=10)
    assert all(fr.passed for fr in result.functions.values()), [
        (q, fr.cases[0].message) for q, fr in result.functions.items() if not fr.passed]


# ------------------------------------------------------------------ large replies, no copies
KINDS = ["plain", "fortran", "swapped", "strided", "bool", "pair"]
LARGE = {"activations": """
def large(code, n):
    kind = ["plain", "fortran", "swapped", "strided", "bool", "pair"][code]
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, 64))
    if kind == "fortran":
        return np.asfortranarray(x)
    if kind == "swapped":
        return x.astype(">f8")
    if kind == "strided":
        return x[:, ::2]
    if kind == "bool":
        return x > 0
    if kind == "pair":
        return x, x[:3] * 2.0
    return x
"""}


@pytest.mark.parametrize("kind", KINDS)
def test_large_replies_arrive_exactly_in_every_layout(tmp_path, kind):
    # above 64 KiB an array's bytes go out as a view of the array (no copy) and come in read
    # into the frame's own buffer: values, dtype and shape as NumPy has them, arrays usable
    box = _started(tmp_path / "exercises", LARGE)
    try:
        for n in (1, 2000):         # 512 bytes and 1 MB
            result, _, _ = box.call("activations", "large", [KINDS.index(kind), n], {}, timeout=20)
            x = np.random.default_rng(7).normal(size=(n, 64))
            want = {"plain": x, "fortran": x, "swapped": x.astype(">f8"), "strided": x[:, ::2],
                    "bool": x > 0}
            got = [r.value for r in result.value] if kind == "pair" else [result.value]
            expected = [x, x[:3] * 2.0] if kind == "pair" else [want[kind]]
            for mine, theirs in zip(got, expected):
                assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
                assert np.array_equal(mine, theirs)
                mine += 1 if mine.dtype != bool else True      # a usable array of its own
            if kind == "pair":
                assert not np.shares_memory(got[0], got[1])
    finally:
        box.stop()


ARGV = {"activations": """
def argv0(x):
    import os, sys
    return float(os.path.isfile(sys.argv[0]) and os.path.basename(sys.argv[0]) in ("child.py", "child.pyc"))
"""}


def test_a_warm_child_s_argv0_names_the_runtime_it_runs(tmp_path, monkeypatch):
    # as a fresh child's does: the copy of the runtime that runs (the warm process's)
    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    box = _started(tmp_path / "exercises", ARGV)
    try:
        assert box.start_mode == "warm"
        result, _, _ = box.call("activations", "argv0", [0.0], {}, timeout=10)
        assert result.value == 1.0
    finally:
        box.stop()
