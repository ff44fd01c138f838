"""Comparing a returned value with the expected one, and explaining the difference.

Values on both sides are ``grader.values.Returned`` trees (the reference's are made in
this process by ``grader.values.to_returned``). ``compare`` returns ``None`` when they agree within the
case's tolerance, else a ``Problem``: a short ``kind`` and the student-facing ``text``.
Specific sentences come first (None, wrong type, wrong shape, NaN/inf); a numeric
mismatch says in plain words how many values differ, the largest difference and the first
few positions (a single number: "yours 10, expected 11").
The tolerance rule is elementwise ``|yours - expected| <= atol + rtol * |expected|``.
"""

from __future__ import annotations

import re

import numpy as np

from grader.results import counted
from grader.values import Returned

NOT_FILLED = "the TODO is not filled in yet (or a return statement is missing)"
#: The cause a NaN or inf is guessed to have, until the function's own warnings say it
#: (``nan_cause``: the engine puts that in its place).
NAN_GUESS = "an overflow in exp, a log of 0 or a division by 0?"

#: A NumPy RuntimeWarning as Python prints it: "...: RuntimeWarning: invalid value encountered in sqrt".
_NUMPY_WARNING = re.compile(r"RuntimeWarning: (overflow|invalid value|divide by zero) encountered in "
                            r"(?:scalar )?([a-z_0-9]{1,30})\b")
_LOGS = ("log", "log10", "log2", "log1p")
_DIVISIONS = ("divide", "true_divide", "floor_divide", "reciprocal", "power")


def _cause(kind, op):
    if op == "sqrt" and kind == "invalid value":
        return "a square root of a negative number"
    if op in _LOGS:
        return "a log of 0" if kind == "divide by zero" else "a log of a negative number"
    if kind == "divide by zero":
        return "a division by 0"
    if kind == "overflow":
        return f"an overflow in {op}"
    if op in _DIVISIONS:
        return "0 / 0 or inf / inf in a division"
    if op in ("subtract", "add"):
        return "inf − inf (an overflow before it)"
    if op == "multiply":
        return "0 · inf (an overflow before it)"
    return f"an invalid value in {op}"


def nan_cause(printed):
    """The cause of a NaN or inf that the function's own warnings (``printed``: what it
    printed while graded) name, to replace ``NAN_GUESS``: "a square root of a negative
    number? (your code warned: invalid value encountered in sqrt)"; None without a NumPy
    RuntimeWarning. The first two distinct warnings, in their order (the first is the root:
    an overflow in exp, then inf / inf in the division)."""
    seen = []
    for kind, op in _NUMPY_WARNING.findall(printed or ""):
        if (kind, op) not in seen:
            seen.append((kind, op))
    if not seen:
        return None
    seen = seen[:2]
    causes = ", then ".join(_cause(kind, op) for kind, op in seen)
    said = "; ".join(f"{kind} encountered in {op}" for kind, op in seen)
    return f"{causes}? (your code warned: {said})"


class Problem:
    """What is wrong with a returned value: a short ``kind`` and the student-facing ``text``.

    ``scalar`` is True for a mismatch of one number (the case then writes it as one plain
    sentence with the inputs); ``finding`` is ``(name, hint)`` when the judge itself knows
    the mistake (a statistical judge naming the scale, the rng ignored); ``wrong`` and
    ``right`` name the outputs of a function with several outputs.
    """

    __slots__ = ("kind", "text", "scalar", "finding", "wrong", "right", "call")

    def __init__(self, kind, text, finding=None):
        self.kind, self.text = kind, text
        self.call = 0           # of a case's several calls, the one that is wrong
        self.scalar = False
        self.finding = finding
        self.wrong, self.right = [], []

    def __repr__(self):
        return f"Problem({self.kind!r}, {self.text!r})"


def plain(ret: Returned):
    """A ``Returned`` as ordinary Python/NumPy values (to feed back into a next call)."""
    if ret.kind == "array":
        return ret.value.copy()
    if ret.kind == "npscalar":
        return ret.value[()]
    if ret.kind in ("tuple", "list"):
        items = [plain(r) for r in ret.value]
        return tuple(items) if ret.kind == "tuple" else items
    if ret.kind in ("float", "int", "bool"):
        return ret.value
    return None


def describe_kind(ret: Returned) -> str:
    if ret.kind == "array":
        cls = f"{ret.cls} (an ndarray subclass)" if ret.cls else "numpy.ndarray"
        return f"a {cls} of shape {fmt_shape(ret.value.shape)} and dtype {ret.value.dtype}"
    if ret.kind == "npscalar":
        return f"a NumPy {ret.cls} scalar"
    if ret.kind in ("float", "int", "bool"):
        return f"a Python {ret.kind}"
    if ret.kind in ("tuple", "list"):
        return f"a {ret.kind} of {len(ret.value)} item{'s' if len(ret.value) != 1 else ''}"
    if ret.kind == "none":
        return "None"
    return f"an object of type {ret.cls}"


def fmt_shape(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_num(x):
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        return str(int(x))
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return repr(float(x))
    return f"{x:.10g}"


def fmt_pos(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _expected_text(exp: Returned) -> str:
    if exp.kind == "array":
        kinds = {"f": "float", "b": "bool", "i": "integer", "u": "integer"}
        return f"a numpy.ndarray of shape {fmt_shape(exp.value.shape)} ({kinds[exp.value.dtype.kind]})"
    if exp.kind in ("float", "npscalar"):
        return "a float"
    if exp.kind == "int":
        return "an int"
    if exp.kind == "bool":
        return "a bool"
    if exp.kind in ("tuple", "list"):
        return f"a {exp.kind} of {counted(len(exp.value), 'item')}"
    return exp.kind


def _as_numeric(ret: Returned, exp: Returned):
    """The student's value as an ndarray comparable with ``exp``, or a Problem."""
    if ret.kind == "none":
        return Problem("none", f"returned None: {NOT_FILLED}")
    want_scalar = exp.kind in ("float", "int", "npscalar", "bool") or (
        exp.kind == "array" and exp.value.ndim == 0)
    if exp.kind == "array" and exp.value.ndim > 0:
        if ret.kind in ("list", "tuple"):
            problem = Problem("type", f"returned {describe_kind(ret)}, expected {_expected_text(exp)} "
                                      "(np.array(...) turns a list into one)")
            # the function's hint: a list on most cases outweighs a 0-d input's Python float
            problem.finding = ("returned-list", f"returned a Python {ret.kind} where the contract promises a "
                                                f"NumPy array: keep the result an array (turn a {ret.kind} into "
                                                "one before returning it)")
            return problem
        if ret.kind != "array":
            return Problem("type", f"returned {describe_kind(ret)}, expected {_expected_text(exp)}")
        return ret.value
    if want_scalar:
        if ret.kind in ("float", "int", "bool"):
            return np.asarray(ret.value, dtype=np.float64 if ret.kind == "float" else None)
        if ret.kind == "npscalar" or (ret.kind == "array" and ret.value.ndim == 0):
            return ret.value
        if ret.kind == "array":
            return Problem("shape", f"returned an array of shape {fmt_shape(ret.value.shape)}, "
                                    f"expected a scalar ({_expected_text(exp)})")
        return Problem("type", f"returned {describe_kind(ret)}, expected {_expected_text(exp)}")
    return Problem("type", f"returned {describe_kind(ret)}, expected {_expected_text(exp)}")


def _dtype_problem(mine: np.ndarray, want: np.ndarray, exp: Returned):
    kind, want_kind = mine.dtype.kind, want.dtype.kind
    if want_kind == "f" and kind != "f":
        if exp.kind in ("float", "npscalar") or want.ndim == 0:
            return None if kind in "iu" else Problem("type", f"returned a value of dtype {mine.dtype}, expected a float")
        return Problem("type", f"returned an array of dtype {mine.dtype}, expected a float array "
                               "(NumPy turns bool/int results into floats with .astype(float))")
    if want_kind == "b" and kind != "b":
        return Problem("type", f"returned an array of dtype {mine.dtype}, expected a boolean array")
    if want_kind in "iu" and kind not in "iu":
        if kind == "f" and want.ndim == 0 and np.isfinite(mine).all() and float(mine) == int(mine):
            # ceil() returning 10.0 is accepted for a count: the contract lets a scalar result
            # be a float (its general rules), though the docstrings say int
            return None
        return Problem("type", f"returned {'an array of ' if mine.ndim else 'a value of '}dtype "
                               f"{mine.dtype}, expected integers")
    return None


def _tolerance(rtol, atol):
    if rtol == 0 and atol == 0:
        return "exactly"
    parts = [f"{rtol:g} relative" if rtol else "", f"{atol:g} absolute" if atol else ""]
    return "within " + " + ".join(p for p in parts if p)


def mismatch_text(mine, want, rtol, atol, label=""):
    """A plain explanation of the elements outside the tolerance, or None when all agree.

    A single number reads "yours 10, expected 11"; an array says how many of its values
    differ, the largest difference and the first three positions (yours, expected).
    """
    mine64 = mine.astype(np.float64)
    want64 = want.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(mine64 - want64)
        bad = ~(diff <= atol + rtol * np.abs(want64))
    both_nan = np.isnan(mine64) & np.isnan(want64)
    same_inf = np.isinf(want64) & (mine64 == want64)
    # rtol * |inf| is inf, so the rule above would let any finite value "equal" an
    # expected infinity (a diverging run, an unclipped log): only inf itself matches it.
    bad |= np.isinf(want64) & (mine64 != want64)
    bad &= ~(both_nan | same_inf)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return None
    prefix = f"{label}: " if label else ""
    if want64.size == 1:
        return f"{prefix}yours {fmt_num(mine.ravel()[0])}, expected {fmt_num(want.ravel()[0])}"
    total = want64.size
    with np.errstate(invalid="ignore"):
        known = np.where(bad & ~np.isnan(diff), diff, -1.0)
    worst = tuple(np.unravel_index(int(np.argmax(known)), known.shape))
    many = "all" if n_bad == total else f"{n_bad} of"
    head = (f"{prefix}{many} {total} values differ (compared {_tolerance(rtol, atol)}); "
            f"the largest difference is {float(diff[worst]):.4g} at {fmt_pos(worst)}")
    lines = [head]
    for pos in np.argwhere(bad)[:3]:
        p = tuple(pos)
        lines.append(f"  at {fmt_pos(p)}: yours {fmt_num(mine[p])}, expected {fmt_num(want[p])}")
    if n_bad > 3:
        lines.append(f"  ... and {n_bad - 3} more")
    return "\n".join(lines)


def _dtype_promise(ret: Returned, mine: np.ndarray, exp: Returned, want: np.ndarray, name="x"):
    """The contract's "same float dtype as x" (or as ``name``, the argument whose dtype the
    result keeps), for functions that promise it."""
    if ret.kind in ("float", "int", "bool"):
        return Problem("type", f"returned a Python {ret.kind} for a 0-d array input; the contract "
                               f"returns a NumPy value of {name}'s dtype ({want.dtype}) for every shape, "
                               "0-d included: compute with NumPy functions instead of the math module "
                               "or float()")
    if want.dtype.kind == "f" and mine.dtype.kind == "f" and mine.dtype != want.dtype:
        given = "input" if name == "x" else name
        return Problem("type", f"returned dtype {mine.dtype} for a {want.dtype} {given}; the contract keeps "
                               f"{name}'s float dtype (a {mine.dtype} constant array or an explicit conversion "
                               f"to float changes it: convert the result back to {name}'s dtype)")
    return None


def _identical(mine, want):
    """The same dtype and values exactly (NaN is never equal): such a result passes every
    check that follows in ``compare``, so it is accepted without the tolerance arithmetic."""
    return mine.dtype == want.dtype and np.array_equal(mine, want)


def compare(ret: Returned, exp: Returned, rtol, atol, label="", keep_dtype=False) -> Problem | None:
    """Judge ``ret`` (yours) against ``exp`` (expected); ``label`` names the output.

    ``keep_dtype``: the function promises an array of x's float dtype (also for 0-d x, where
    a NumPy scalar of that dtype is accepted but not a Python float); True for ``x``, or the
    name of the argument whose dtype the result keeps (``"dout"``)."""
    where = f"{label}: " if label else ""
    if exp.kind in ("tuple", "list"):
        if ret.kind == "none":
            return Problem("none", f"{where}returned None: {NOT_FILLED}")
        if ret.kind not in ("tuple", "list"):
            return Problem("type", f"{where}returned {describe_kind(ret)}, expected {_expected_text(exp)}")
        if len(ret.value) != len(exp.value):
            return Problem("shape", f"{where}returned a {ret.kind} of {counted(len(ret.value), 'item')}, "
                                    f"expected {len(exp.value)}")
        for k, (r, e) in enumerate(zip(ret.value, exp.value)):
            sub = f"{label}[{k}]" if label else f"item {k}"
            problem = compare(r, e, rtol, atol, sub, keep_dtype)
            if problem is not None:
                return problem
        return None
    mine = _as_numeric(ret, exp)
    if isinstance(mine, Problem):
        mine.text = where + mine.text
        return mine
    want = exp.value if exp.kind in ("array", "npscalar") else np.asarray(exp.value)
    problem = _dtype_problem(mine, want, exp)
    if problem is not None:
        problem.finding = problem.finding or ("wrong-dtype", problem.text)
    elif keep_dtype and exp.kind in ("array", "npscalar"):
        problem = _dtype_promise(ret, mine, exp, want, keep_dtype if isinstance(keep_dtype, str) else "x")
        if problem is not None:
            problem.finding = ("python-float" if ret.kind in ("float", "int", "bool") else "dtype-changed",
                               problem.text)
    if problem is not None:
        problem.text = where + problem.text
        return problem
    if mine.shape != want.shape:
        hint = ": transposed?" if mine.ndim == 2 and mine.shape == want.shape[::-1] else ""
        if not hint and mine.size == want.size:
            hint = ": same number of elements, check the reshape/keepdims"
        elif not hint and mine.ndim != want.ndim:
            hint = ": check the axis you reduce over (and keepdims)"
        return Problem("shape", f"{where}shape {fmt_shape(mine.shape)}, expected "
                                f"{fmt_shape(want.shape)}{hint}")
    if _identical(mine, want):
        return None     # nothing below can object to the very same values
    if want.dtype.kind == "f" or mine.dtype.kind == "f":
        mine_f = mine.astype(np.float64)
        want_f = want.astype(np.float64)
        bad = ~np.isfinite(mine_f) & np.isfinite(want_f)
        if bad.any():
            n_nan = int(np.isnan(mine_f[bad]).sum())
            n_inf = int(bad.sum()) - n_nan
            what = " and ".join(x for x in (f"{n_nan} NaN" if n_nan else "", f"{n_inf} inf" if n_inf else "") if x)
            first = fmt_pos(tuple(np.argwhere(bad)[0])) if mine_f.ndim else ""
            at = f" (first at {first})" if first else ""
            return Problem("nan", f"{where}contains {what} where the expected values are finite{at}: "
                                  f"{NAN_GUESS}")
    text = mismatch_text(mine, want, rtol, atol, label)
    if text is not None:
        problem = Problem("mismatch", text)
        problem.scalar = want.size == 1 and want.ndim <= 1 and mine.size == 1
        return problem
    return None


def _same_bytes(before, after):
    """``after`` (a returned argument) holds exactly the bytes of ``before``, with the same
    dtype and shape: then ``np.array_equal(after, before, equal_nan=...)`` below holds too
    (real and integer dtypes only; a complex NaN is not equal to itself there)."""
    if after.kind != "array" or before.dtype.kind not in "biuf":
        return False
    value = after.value
    return value.dtype == before.dtype and value.shape == before.shape and value.tobytes() == before.tobytes()


def modified_inputs(sent, back, names):
    """Sentences for every input array the call changed in place (``back``: each argument
    after the call, ``Returned("unchanged")`` where the child found it as it was sent)."""
    out = []
    for name, before, after in zip(names, sent, back):
        if isinstance(before, np.ndarray):
            if after.kind == "unchanged" or _same_bytes(before, after):
                continue        # untouched (the usual case): no element-wise comparison
            if after.kind != "array" or after.value.shape != before.shape or not np.array_equal(
                    after.value, before, equal_nan=before.dtype.kind == "f"):
                changed = ""
                if after.kind == "array" and after.value.shape == before.shape:
                    with np.errstate(invalid="ignore"):
                        n = int((~((after.value == before) | (np.isnan(after.value.astype(float))
                                                              & np.isnan(before.astype(float))))).sum())
                    changed = f" ({n} element{'s' if n != 1 else ''} changed)"
                out.append(f"modified its input `{name}` in place{changed}; compute into a new array "
                           "instead (an in-place operator such as += or an assignment to a slice of "
                           f"`{name}` writes into the caller's array)")
    return out
