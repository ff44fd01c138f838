"""Submissions that write forged frames to the child's reply pipe.

Student code can find the reply pipe (``__main__.RESP_FD``) and even the current
request's nonce (``__main__._NONCE``, sent first in every frame). Whatever it writes there, the parent must not
crash: the report is written and only the function that wrote (and those built on it
in the reference) fails, as "sent back something unreadable".
"""

import json

import pytest

from tests.grader.conftest import make_submission

_FRAME = """
import __main__ as _m, json as _json, os as _os, struct as _struct

def _frame(payload, nonce=None):     # the current request's nonce unless told
    payload = (nonce or _m._NONCE[0]).encode() + payload
    _os.write(_m.RESP_FD, _struct.pack(">Q", len(payload)) + payload)

def _reply(header, blob=b"", nonce=None):
    header = dict(header, sizes=[len(blob)] if blob else [])
    hb = _json.dumps(header).encode()
    _frame(_struct.pack(">I", len(hb)) + hb + blob, nonce)
"""

FORGED = {
    "activations": _FRAME + """
def relu(x):        # JSON nested far deeper than the parser's recursion limit
    hb = b'{"ok": true, "result": ' + b'[' * 200000 + b']' * 200000 + b'}'
    _frame(_struct.pack(">I", len(hb)) + hb)
    return np.maximum(x, 0.0)

def tanh(x):        # a frame shorter than its own 4-byte header length
    _frame(b"ab")
    return np.tanh(x)
""",
    "losses": _FRAME + """
def mean_squared_error(y_true, y_pred):
    # a .npy version 3 header claiming 10**12 float64 values, with 64 bytes of data, sent
    # with the right nonce so that only the array parser stands in the way
    hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    hdr += " " * (64 - (12 + len(hdr) + 1) % 64) + "\\n"
    blob = b"\\x93NUMPY\\x03\\x00" + _struct.pack("<I", len(hdr)) + hdr.encode() + bytes(64)
    _reply({"ok": True, "result": {"t": "a", "i": 0}, "inputs": [],
            "kwinputs": {}}, blob)
    return float(np.mean((np.asarray(y_true) - y_pred) ** 2))
""",
    "layers": _FRAME + """
def dense_forward(x, W, b):     # a well-formed reply with a stale nonce, ahead of the real one
    _reply({"ok": True, "result": {"t": "f", "v": 0.5}, "inputs": [], "kwinputs": {}}, nonce="f" * 16)
    return x @ W + b
""",
    "optimizers": _FRAME + """
def sgd_step(w, grad, lr=0.01):     # a frame that claims to be 1 TB long
    _os.write(_m.RESP_FD, _struct.pack(">Q", 1 << 40) + b"x" * 100)
    return w - lr * grad
""",
    "regularization": _FRAME + """
def l2_grad(W, lam):    # an error reply with the right nonce and fields of the wrong types
    _reply({"ok": False, "kind": ["x"], "type": 3, "message": {"a": 1},
            "frame": "not a frame"})
    return 2.0 * lam * W
""",
}

FORGED_AT = {"activations.relu", "activations.tanh", "losses.mean_squared_error",
             "layers.dense_forward", "optimizers.sgd_step", "regularization.l2_grad"}


@pytest.fixture(scope="module")
def forged(tmp_path_factory):
    from grader import grade_submission
    from grader.reports import render

    sub = make_submission(tmp_path_factory.mktemp("forged") / "submission", FORGED)
    result = grade_submission(str(sub), timeout=3.0)
    return result, json.loads(render(result, "gradescope"))


def test_hostile_pipe_forged_frames_leave_a_full_gradescope_report(forged):
    result, report = forged
    assert len(report["tests"]) == 52
    failed = {t["name"] for t in report["tests"] if t["score"] < t["max_score"]}
    assert FORGED_AT <= failed
    # the rest fails only where the reference itself calls a forging function
    for name in failed - FORGED_AT:
        assert "sent back something unreadable" in result.functions[name].cases[0].message, name


@pytest.mark.parametrize("qualname, why", [
    ("activations.relu", "(nested too deeply)"),
    ("activations.tanh", "(a frame too short)"),
    ("losses.mean_squared_error", "(not a version 1.0 .npy array)"),
    ("layers.dense_forward", "(a reply out of sequence: did your code write to the grader's pipe?)"),
])
def test_hostile_pipe_each_forged_frame_fails_its_own_function(forged, qualname, why):
    case = forged[0].functions[qualname].cases[0]
    assert case.status == "error"
    assert f"the process running your code sent back something unreadable {why}; " in case.message


def test_hostile_pipe_an_oversized_frame_is_refused_unread(forged):
    case = forged[0].functions["optimizers.sgd_step"].cases[0]
    assert case.status == "error"
    assert "the process running your code sent back a reply of more than 256 MB (the limit; it was not read)" in case.message


def test_hostile_pipe_a_forged_error_reply_is_shown_as_plain_text(forged):
    case = forged[0].functions["regularization.l2_grad"].cases[0]
    assert not case.passed
    assert "raised an exception" in case.message


def test_hostile_pipe_functions_after_a_forgery_are_graded_normally(forged):
    functions = forged[0].functions
    for name in ("activations.softmax", "losses.binary_crossentropy", "layers.dense_backward",
                 "optimizers.momentum_step", "regularization.l1_grad"):
        assert functions[name].passed, name
