"""Generic diagnoses: what a wrong output is, read from the values alone.

For every function, with no per-function data, a failing case's wrong outputs are tested
against transformations of the expected ones and of the inputs; the first transformation
that reproduces an output (within a tolerance ten times the case's) names the mistake:

- ``negated``; ``scaled`` by 2, 1/2 or a size of the inputs (the batch size, the number
  of elements or of classes: a mean where a sum belongs, or the reverse), or by another
  constant factor; ``update-sign``: the change of an updated output a negative factor
  (not -1) of the expected change, a term of the update with the wrong sign;
- ``transposed``; ``reshaped`` (right values, wrong shape: keepdims);
- ``wrong-axis`` (an input reduced over another axis, or with a mean for a sum) and
  ``not-reduced`` (the batch axis still there);
- ``outputs-swapped`` (two outputs of a tuple in each other's place);
- ``state-unchanged`` (an output returned as it came in: a state or parameter not
  updated); ``one-step-stale`` (an output of a multi-step case one step behind);
- ``off-by-one`` (an integer one more or one less; a sequence that misses its first or
  last value or has one too many);
- ``wrong-at-zero`` / ``wrong-for-negative`` / ``wrong-for-positive`` (every wrong value
  sits where the input is exactly 0, negative or positive: the branch for that region);
- ``shifted`` (every value off by the same constant);
- ``whole-numbers`` (whole numbers where the expected values are not, each the expected
  one rounded: an integer division or an integer array);
- ``hard-values`` (0s and 1s, each an expected value in [0, 1] rounded to the nearest: a
  threshold or an argmax where a smooth value belongs).

A diagnosis is only given when it reproduces every wrong value of the output, so that it
is never a guess; the per-function catalog of known mistakes (``grader.specs``) covers
what values alone cannot show (a formula with a misplaced eps, a stale accumulator).
Hints say what is wrong, never the code that fixes it.
"""

from __future__ import annotations

import numpy as np

from chainrule_core.contract import OUTPUT_NAMES, SIGNATURES, STATE_COUNT
from grader.values import Returned


class Finding:
    """A diagnosis read from the values: ``name`` (kebab-case) and a ``hint`` sentence."""

    __slots__ = ("name", "hint", "generic", "single")

    def __init__(self, name, hint, generic=True):
        self.name, self.hint = name, hint
        self.generic = generic      # read from the values; False: a finding of the grader itself
        self.single = False         # read from one number: kept only when two cases agree

    def __repr__(self):
        return f"Finding({self.name!r}, {self.hint!r})"

    def __eq__(self, other):
        return isinstance(other, Finding) and (self.name, self.hint) == (other.name, other.hint)

    def __hash__(self):
        return hash((self.name, self.hint))


def _num(x):
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _array(ret):
    """A float64 ndarray of a numeric ``Returned``, else None."""
    if ret is None:
        return None
    if ret.kind in ("array", "npscalar"):
        v = ret.value
        if v.dtype.kind not in "fiub":
            return None
        return v.astype(np.float64)
    if ret.kind in ("float", "int", "bool"):
        return np.asarray(float(ret.value))
    return None


class _Fit:
    """Closeness within a tolerance ten times the case's (at least 1e-7 relative)."""

    def __init__(self, rtol, atol):
        self.rtol = max(10 * rtol, 1e-7)
        self.atol = max(10 * atol, 1e-12)
        self.exact = rtol == 0 and atol == 0

    def __call__(self, a, b):
        if a is None or b is None or a.shape != b.shape or a.size == 0:
            return False
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            return False
        if self.exact:
            return bool(np.array_equal(a, b))
        return bool(np.all(np.abs(a - b) <= self.atol + self.rtol * np.abs(b)))


def _sizes(names, args):
    """Named sizes of the array inputs, most telling first: (value, description); then the
    scalar arguments (a learning rate, lam, n_classes) as (value, name)."""
    out = []
    arrays = [(n, a) for n, a in zip(names, args) if isinstance(a, np.ndarray) and a.ndim >= 1]
    for n, a in arrays:
        if a.ndim >= 2:
            out.append((a.shape[0], f"the number of rows of {n}"))
    for n, a in arrays:
        out.append((a.size, f"the number of elements of {n}"))
    for n, a in arrays:
        if a.ndim >= 2:
            out.append((a.shape[-1], f"the number of columns of {n}"))
    sizes = [(int(v), d) for v, d in out if v > 2]
    for n, a in zip(names, args):
        if isinstance(a, (int, float, np.integer, np.floating)) and not isinstance(a, bool):
            v = float(a)
            if v not in (0.0, 1.0, -1.0) and np.isfinite(v) and abs(v) > 1e-12:
                sizes.append((v, n))
    return sizes


def _factor_text(c, sizes):
    """``(name, words)`` for the factor ``c`` (yours = c * expected), or None. A scalar
    argument (lr, lam, n_classes) is named first: when it happens to be 2 or 1/2, its
    name says more than the number."""
    for value, desc in sizes:
        if desc.startswith("the number of "):
            continue
        if abs(c - abs(value)) <= 1e-6 * abs(value):
            return "factor-extra", (f"{_num(abs(value))} times the expected value everywhere "
                                    f"({desc} = {_num(value)}): a factor {desc} too many, or a division "
                                    f"by {desc} missing")
        if abs(c - 1.0 / abs(value)) <= 1e-6 / abs(value):
            return "factor-missing", (f"the expected value divided by {_num(abs(value))} everywhere "
                                      f"({desc} = {_num(value)}): the factor {desc} is missing, or you "
                                      f"divided by it")
    if abs(c - 2.0) <= 2e-6:
        return "scaled-by-2", "twice the expected value everywhere: a factor 2 too many (or a 1/2 missing)"
    if abs(c - 0.5) <= 5e-7:
        return "scaled-by-half", "half the expected value everywhere: a factor 2 is missing (or a 1/2 too many)"
    for value, desc in sizes:
        if not desc.startswith("the number of "):
            continue
        if abs(c - value) <= 1e-6 * value:
            return "missing-division", (f"{value} times the expected value everywhere ({value} = {desc}): "
                                        "a division by it is missing (a sum where the contract takes a mean?)")
        if abs(c - 1.0 / value) <= 1e-6 / value:
            return "extra-division", (f"1/{value} of the expected value everywhere ({value} = {desc}): "
                                      "divided by it once too often (a mean where the contract takes a sum?)")
    return None


def _scaled(a, e, fit, sizes, name, update=False):
    """``a`` a constant factor times ``e``; ``update``: they are the changes of an updated
    output (``_update``)."""
    if a.shape != e.shape or not np.any(np.abs(e) > fit.atol):
        return None
    denom = float(np.sum(e * e))
    if denom == 0:
        return None
    c = float(np.sum(a * e)) / denom
    if not np.isfinite(c) or abs(c) < 1e-12 or abs(c - 1.0) < 100 * fit.rtol:
        return None         # a factor within the comparison's resolution of 1 is no diagnosis
    # the factor must hold to relative precision, not merely within a case's absolute
    # tolerance (which, for tiny values, would let almost any factor fit)
    if not fit(a, c * e) or np.max(np.abs(a - c * e)) > fit.rtol * np.max(np.abs(a)):
        return None
    if abs(c + 1.0) <= 1e-6:
        return Finding("negated", f"{name} has the right size but the opposite sign everywhere: "
                                  "a sign is flipped (the direction of a difference, or a missing minus)")
    named = _factor_text(abs(c), sizes)
    if named is not None and c > 0:
        kind, words = named
        return Finding(kind, f"{name} is {words}")
    if a.size == 1:
        return None         # any two single numbers differ by some factor: no diagnosis
    if c < 0 and update:    # a step the other way, not merely another size: a sign slipped
        # (w + m·v + lr·g for w + m·v − lr·g is −(1 − m)/(1 + m) times the step from rest)
        return Finding("sign", f"{name} is {_num(c)} times the expected value everywhere, the other "
                                 "way: a sign inside the update is wrong (a term added instead of "
                                 "subtracted, or the reverse)")
    return Finding("scaled", f"{name} is {_num(c)} times the expected value everywhere: one constant "
                             "factor is wrong (a coefficient, a learning rate, a normaliser)")


def _reduction(a, e, fit, names, args, name):
    """An input reduced over another axis or with another operation than expected."""
    ops = (("sum", np.sum), ("mean", np.mean))
    for arg_name, x in zip(names, args):
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype.kind != "f":
            continue
        want = None
        for op_name, op in ops:
            for axis in (0, 1):
                for keep in (False, True):
                    if fit(e, op(x, axis=axis, keepdims=keep).astype(np.float64)):
                        want = (op_name, axis)
        if want is None:
            continue
        if fit(a, x.astype(np.float64)):
            return Finding("not-reduced", f"{name} is {arg_name} itself: it must be the {want[0]} of "
                                          f"{arg_name} over axis {want[1]}")
        for op_name, op in ops:
            for axis in (0, 1):
                if (op_name, axis) == want:
                    continue
                got = op(x, axis=axis).astype(np.float64)
                if fit(a.ravel() if a.size == got.size else a, got.ravel() if a.size == got.size else got):
                    if axis == want[1]:
                        return Finding("mean-for-sum" if op_name == "mean" else "sum-for-mean",
                                       f"{name} is the {op_name} of {arg_name} over axis {axis}; "
                                       f"it must be the {want[0]}")
                    return Finding("wrong-axis", f"{name} reduces {arg_name} over axis {axis} "
                                                 f"(shape {a.shape}); it must reduce over axis {want[1]}")
    return None


def _regions(a, e, fit, names, args, name):
    """Every wrong value where a same-shape input is 0, negative or positive."""
    if a.shape != e.shape or a.ndim == 0:
        return None
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(a - e) <= fit.atol + fit.rtol * np.abs(e))
    if not bad.any() or bad.all():
        return None         # all wrong: the region would be a guess
    for arg_name, x in zip(names, args):
        if not isinstance(x, np.ndarray) or x.shape != a.shape or x.dtype.kind not in "fib":
            continue
        if x.dtype.kind == "b":
            x = x.astype(np.float64)
        for test, kind, words in ((x == 0, "wrong-at-zero", "exactly 0"),
                                  (x < 0, "wrong-for-negative", "negative"),
                                  (x > 0, "wrong-for-positive", "positive")):
            if test[bad].all() and test.any() and not test.all():
                if kind != "wrong-at-zero" and not bad[test].all():
                    continue        # only some of the region is wrong: no clear rule
                return Finding(kind, f"{name} is right except where {arg_name} is {words}: check the "
                                     f"value your function gives for {arg_name} {words}")
    return None


def _whole(a, e, fit, name):
    """Whole numbers where the expected values are not, each an expected value cut to a whole
    number (rounded down, toward 0 or to the nearest): an integer division or an integer
    array ate the fractions. Never for expected whole numbers (a count, an index), nor for a
    result that is 0 everywhere, which has other causes."""
    if not np.all(a == np.round(a)) or not np.any(a != 0):
        return None
    cut = np.abs(e - np.round(e)) > fit.atol + fit.rtol * np.abs(e)    # expected values not whole
    if not cut.any():
        return None
    if not np.all((a == np.floor(e)) | (a == np.trunc(e)) | (a == np.round(e))):
        return None
    if (np.all((a == 0) | (a == 1)) and np.all((e >= 0) & (e <= 1)) and np.all(a == np.round(e))
            and not np.all(a == np.floor(e))):
        # 0s and 1s, each a value in [0, 1] rounded to the nearest (a one-hot argmax for a
        # softmax, a step for a sigmoid): a threshold, not a division (review 19)
        return Finding("hard-values", f"{name} holds only 0s and 1s, each the expected value rounded, where "
                                      "the expected values lie between 0 and 1: a threshold or an argmax "
                                      "where a smooth value belongs")
    return Finding("whole-numbers", f"{name} has whole numbers where the expected values are not, "
                                    "each the expected value rounded to a whole number: an integer "
                                    "division (//), an integer array (dtype int) or a rounding cut "
                                    "the fractions off")


def _complement(a, e, fit, name):
    if fit(a, 1.0 - e) and not fit(e, 1.0 - e):
        return Finding("complement", f"{name} is 1 minus the expected value everywhere: the complementary "
                                     "probability, or a sign inside an exponent flipped")
    return None


def _missing_term(a, e, fit, names, args, name):
    """yours - expected equals an input (or its negative), broadcast: a term left out or added."""
    d = a - e
    for arg_name, x in zip(names, args):
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.size < 2 or a.ndim == 0:
            continue
        try:
            xb = np.broadcast_to(x.astype(np.float64), a.shape)
        except ValueError:
            continue
        if not np.any(np.abs(xb) > fit.atol):
            continue
        tol = fit.atol + fit.rtol * float(np.max(np.abs(e)))
        for sign, kind, word in ((-1.0, "missing-term", "is missing"),
                                 (1.0, "extra-term", "is added once too often"),
                                 (-2.0, "term-sign", "has the wrong sign (subtracted instead of added)"),
                                 (2.0, "term-sign", "has the wrong sign (added instead of subtracted)")):
            if np.all(np.abs(d - sign * xb) <= tol):
                return Finding(kind, f"{name} differs from the expected value by exactly "
                                     f"{_num(sign)} times {arg_name}: the term {arg_name} {word}")
    return None


def _update(a, e, fit, sizes, before, name):
    """For an output that is an updated input (w, a state): its change against the expected
    change (negated, scaled, missing a factor such as the learning rate)."""
    if before is None or before.shape != a.shape:
        return None
    da, de = a - before, e - before
    # the change must stand out of the comparison's tolerance, and the factor must hold to
    # 1e-6 of the change itself (a case's absolute tolerance would let any factor fit)
    resolution = fit.atol + fit.rtol * float(np.max(np.abs(e)))
    biggest = float(np.max(np.abs(de)))
    if biggest <= 10 * resolution:
        return None
    fit_d = _Fit(1e-7, 1e-7 * biggest)
    found = _scaled(da, de, fit_d, sizes, f"the change of {name}", update=True)
    if found is None:
        return None
    return Finding(f"update-{found.name}", found.hint)


# the generic readings of "a constant factor off": on one function they must agree
SCALE_FAMILY = frozenset({"scaled", "scaled-by-2", "scaled-by-half", "missing-division", "extra-division",
                          "factor-missing", "factor-extra", "sign"})


def scale_family(name):
    """"scaled" or "update-scaled" when ``name`` reads a constant factor, else None."""
    base = name[len("update-"):] if name.startswith("update-") else name
    if base in SCALE_FAMILY:
        return "update-scaled" if name.startswith("update-") else "scaled"
    return None


def _shape_findings(a, e, fit, names, args, name):
    if a.shape == e.shape:
        return None
    if a.ndim == 2 and a.shape == e.shape[::-1] and fit(a.T, e):
        return Finding("transposed", f"{name} has the right values but transposed: its shape "
                                     f"must be {e.shape}")
    if a.size == e.size and fit(a.reshape(e.shape), e):
        return Finding("reshaped", f"{name} has the right values {_reshape_reason(a, e, names, args)}")
    if a.ndim == e.ndim + 1:
        for axis in range(a.ndim):
            for op_name, op in (("sum", np.sum), ("mean", np.mean)):
                if fit(op(a, axis=axis), e):
                    return Finding("not-reduced", f"{name} still has axis {axis} (shape {a.shape}); "
                                                  f"its {op_name} over that axis is the expected value")
    if a.ndim == e.ndim == 1:
        n = min(a.size, e.size)
        if abs(a.size - e.size) == 1 and n > 0:
            if a.size < e.size and fit(a, e[1:]):
                return Finding("off-by-one", f"{name} misses the first value (it has {a.size} values, "
                                             f"expected {e.size}): the start is not included")
            if a.size < e.size and fit(a, e[:-1]):
                return Finding("off-by-one", f"{name} misses the last value (it has {a.size} values, "
                                             f"expected {e.size}): a loop stops one step early")
            if a.size > e.size and (fit(a[1:], e) or fit(a[:-1], e)):
                return Finding("off-by-one", f"{name} has one value too many ({a.size}, expected "
                                             f"{e.size}): a loop runs one step too far")
    return None


def _reshape_reason(a, e, names, args):
    """How the right values sit in another shape, in words for the case (no shapes, which
    differ between the cases one hint stands for): an axis of length 1 added or dropped (a
    reduction's keepdims), or the whole array reshaped, which for a result of an input's
    shape means that shape is not kept."""
    if [n for n in a.shape if n != 1] == [n for n in e.shape if n != 1]:
        more = "too many" if a.ndim > e.ndim else "missing"
        return (f"with an axis of length 1 {more}: keep or drop the reduced axis (keepdims), or "
                "check a reshape")
    same = [n for n, x in zip(names, args) if isinstance(x, np.ndarray) and x.shape == e.shape]
    if same:
        return f"in another shape: it must have the shape of {same[-1]} (the values are in order)"
    return "in another shape (in order): check the reshape"


def output_findings(a, e, fit, names, args, name, before=None, integer=False):
    """Findings for one wrong output ``a`` (yours) against ``e`` (expected), as arrays."""
    if a is None or e is None:
        return []
    if a.shape != e.shape:
        found = _shape_findings(a, e, fit, names, args, name) or _reduction(a, e, fit, names, args, name)
        return [found] if found else []
    if not (np.isfinite(a).all() and np.isfinite(e).all()):
        return []
    if (before is not None and before.shape == a.shape and np.allclose(a, before, rtol=1e-12, atol=0)
            and not fit(e, before)):        # the very values that came in, not merely close to them
        return [Finding("state-unchanged", f"{name} is returned unchanged, as it came in: it is "
                                           "never updated")]
    if integer and a.size == 1 and float(a.ravel()[0]) == int(a.ravel()[0]):
        diff = float(a.ravel()[0] - e.ravel()[0])
        if abs(diff) == 1:
            more = "one more" if diff > 0 else "one less"
            return [Finding("off-by-one", f"{name} is {more} than expected: an off-by-one in a count, a "
                                          "rounding or a comparison (> for >=, a 0- or 1-based index)")]
    if not np.any(np.abs(e) > fit.atol) and np.any(np.abs(a) > fit.atol):
        zero = [n for n, v in zip(names, args) if isinstance(v, (int, float, np.integer, np.floating))
                and not isinstance(v, bool) and float(v) == 0.0]
        if zero:
            return [Finding("factor-missing", f"{name} must be 0 everywhere since {zero[0]} = 0: the "
                                              f"factor {zero[0]} is missing")]
        return []
    sizes = _sizes(names, args)
    for probe in (_whole(a, e, fit, name), _scaled(a, e, fit, sizes, name), _complement(a, e, fit, name),
                  _missing_term(a, e, fit, names, args, name), _reduction(a, e, fit, names, args, name),
                  _regions(a, e, fit, names, args, name), _update(a, e, fit, sizes, before, name)):
        if probe is not None:
            probe.single = a.size == 1      # any two numbers are related somehow: weak evidence
            return [probe]
    if a.ndim == 2 and a.shape[0] == a.shape[1] and fit(a, e.T) and not fit(e, e.T):
        return [Finding("transposed", f"{name} is the transpose of the expected value")]
    d = a - e
    resolution = fit.atol + fit.rtol * float(np.max(np.abs(e)))
    if a.size > 1 and np.ptp(d) <= resolution and abs(float(np.mean(d))) > 100 * resolution:
        return [Finding("shifted", f"every value of {name} is off by the same {_num(d.flat[0])}: a "
                                   "constant term is missing or extra")]
    return []


def _items(ret, n):
    if n == 1:
        return [ret]
    if ret.kind in ("tuple", "list") and len(ret.value) == n:
        return list(ret.value)
    return None


def diagnose(case, actual, expected):
    """Findings for a failing case, from its first call (or first step) whose outputs are
    wrong; [] when no transformation explains every wrong output."""
    if case.kind == "stat" or not expected or not actual:
        return []
    names_out = OUTPUT_NAMES.get(case.qualname)
    arg_names = SIGNATURES[case.qualname]
    fit = _Fit(case.rtol, case.atol)
    pairs = list(zip(actual, expected))
    calls = case.calls if case.kind != "steps" else case.calls[:1]
    if case.kind == "steps":
        pairs = pairs[:1]
    for k, (act, exp) in enumerate(pairs):
        args = calls[k].args if k < len(calls) else calls[0].args
        n = len(exp.value) if exp.kind == "tuple" else 1
        single = "w" if case.qualname in STATE_COUNT else "your result"    # an optimizer's step returns w
        labels = list(names_out) if names_out and n > 1 else ([single] if n == 1 else
                                                              [f"item {j}" for j in range(n)])
        a_items, e_items = _items(act, n), _items(exp, n)
        if a_items is None:
            continue
        arrays = [(lab, _array(x), _array(y)) for lab, x, y in zip(labels, a_items, e_items)]
        wrong = [(j, lab, a, e) for j, (lab, a, e) in enumerate(arrays)
                 if a is None or e is None or not fit(a, e)]
        if not wrong:
            continue
        swapped = _swapped(arrays, wrong, fit)
        if swapped:
            return [swapped]
        found, subjects = [], []
        for j, lab, a, e in wrong:
            before = None
            if lab in arg_names:
                arg = args[arg_names.index(lab)]
                before = arg.astype(np.float64) if isinstance(arg, np.ndarray) else None
            out = output_findings(a, e, fit, arg_names, args, lab, before, _is_int(e_items[j]))
            if not out:
                return []       # one wrong output unexplained: say nothing rather than half
            found.extend(out)
            subjects.extend([lab] * len(out))
        return _merge(found, subjects)
    return []


def _is_int(ret):
    return ret.kind == "int" or (ret.kind in ("array", "npscalar") and ret.value.dtype.kind in "iu")


def _swapped(arrays, wrong, fit):
    idx = [j for j, *_ in wrong]
    for p in idx:
        for q in idx:
            if p < q:
                ap, ep = arrays[p][1], arrays[p][2]
                aq, eq = arrays[q][1], arrays[q][2]
                if fit(ap, eq) and fit(aq, ep) and len(idx) == 2:
                    return Finding("outputs-swapped", f"{arrays[p][0]} and {arrays[q][0]} are in each "
                                                      "other's place: the contract's order of the outputs "
                                                      "is another")
    return None


def _merge(found, subjects):
    """One finding per name: outputs with the same mistake named together ("dW1 and db1 are
    1/4 of the expected value ..." rather than the sentence once per output)."""
    by_name = {}
    for f, subject in zip(found, subjects):
        by_name.setdefault(f.name, []).append((f, subject))
    out = []
    for name, group in by_name.items():
        if len(group) == 1:
            out.append(group[0][0])
            continue
        rests = {f.hint[len(s):] if f.hint.startswith(s + " ") else None for f, s in group}
        if len(rests) == 1 and None not in rests:
            rest = rests.pop()
            for verb, plural in ((" is ", " are "), (" has ", " have ")):
                if rest.startswith(verb):
                    rest = plural + rest[len(verb):]
                    break
            names = [s for _, s in group]
            out.append(Finding(name, ", ".join(names[:-1]) + " and " + names[-1] + rest))
        else:
            out.append(Finding(name, "; ".join(dict.fromkeys(f.hint for f, _ in group))))
    return out


def looks_stale(case, actual, expected):
    """For a multi-step case: an output at step k equal to the expected one at step k - 1
    (k >= 2) on every step that is wrong: one step behind."""
    if case.kind != "steps" or len(actual) < 3:
        return []
    names_out = OUTPUT_NAMES.get(case.qualname)
    fit = _Fit(case.rtol, case.atol)
    n = len(expected[0].value) if expected[0].kind == "tuple" else 1
    labels = list(names_out) if names_out and n > 1 else ["w"]
    found = []
    for j, lab in enumerate(labels):
        lag = True
        wrong_any = False
        for k in range(1, len(actual)):
            a_items, e_items = _items(actual[k], n), _items(expected[k], n)
            prev = _items(expected[k - 1], n)
            if a_items is None:
                return []
            a, e, p = _array(a_items[j]), _array(e_items[j]), _array(prev[j])
            if fit(a, e):
                continue
            wrong_any = True
            if not fit(a, p):
                lag = False
                break
        if wrong_any and lag:
            found.append(Finding("one-step-stale", f"{lab} is one step behind: at each step it has "
                                                   "the value the previous step should have returned"))
    return found


__all__ = ["Finding", "diagnose", "looks_stale", "output_findings", "Returned"]
