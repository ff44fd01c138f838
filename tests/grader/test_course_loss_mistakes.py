"""Two slips of this course named by the grader (session 7's trial).

- The MSE written as the course notes' E = ½Σ(t − o)² (the notes label it "MSE"): off by
  n/2 on every case, and right on a case of two elements, where ½·sum and mean agree; its
  gradient written as that E's, y_pred − y_true.
- A cross-entropy with the logarithm to base 10: off by exactly ln 10 on every case.

The wrong implementations graded here are the tests' own (``tests/grader/wrong_catalog.py``,
written apart from the grader's catalog in ``grader/specs/known/``); the factors they are off
by are checked against the reference by hand-derived ratios, so the tests show that the
entries really are those slips before checking that the grader names them.
"""

import math
import re

import numpy as np
import pytest

from grader.engine import grade_in_process
from grader.specs import cases_for, for_function
from tests.grader.conftest import make_submission
from tests.grader.wrong_catalog import CATALOG, implementation

SEEDS = (2026, 819190227, 7)

# (qualname, entry of the tests' catalog, known mistake that must be named)
SLIPS = [
    ("losses.mean_squared_error", "notes-half-sum", "half-sum"),
    ("losses.mean_squared_error_grad", "notes-half-sum-gradient", "half-sum"),
    ("losses.binary_crossentropy", "log10", "log10"),
    ("losses.binary_crossentropy", "log-over-log-ten", "log10"),
    ("losses.categorical_crossentropy", "log10", "log10"),
    ("losses.sparse_categorical_crossentropy", "log10", "log10"),
    ("losses.weighted_sparse_categorical_crossentropy", "log10", "log10"),
]
NEW_NAMES = {"half-sum", "log10"}


def _source(qualname, ident):
    (source,) = [s for q, i, s, _ in CATALOG if (q, i) == (qualname, ident)]
    return source


def _reference(qualname):
    import importlib

    module, _, name = qualname.partition(".")
    return getattr(importlib.import_module(f"solutions.{module}"), name)


def _values(fn, case):
    args = case.calls[0].materialize()
    with np.errstate(all="ignore"):
        return np.asarray(fn(*args), dtype=np.float64), args


# ------------------------------------------------------------------ the entries are the slips
@pytest.mark.parametrize("seed", SEEDS)
def test_the_half_sum_entries_are_off_by_half_the_number_of_elements(seed):
    """½Σ against the mean: a ratio of size/2, so equal on the (1, 2) case only; its gradient
    y_pred − y_true against 2(y_pred − y_true)/size: the same ratio."""
    for qualname, ident in (("losses.mean_squared_error", "notes-half-sum"),
                            ("losses.mean_squared_error_grad", "notes-half-sum-gradient")):
        wrong, right = implementation(qualname, _source(qualname, ident)), _reference(qualname)
        for case in cases_for(qualname, seed):
            ours, args = _values(wrong, case)
            theirs, _ = _values(right, case)
            n = np.size(args[1])
            rtol = 1e-5 if np.asarray(args[1]).dtype == np.float32 else 1e-12
            np.testing.assert_allclose(ours, theirs * n / 2, rtol=rtol, err_msg=case.name)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_log10_entries_are_off_by_ln_10(seed):
    for qualname, ident in {(q, i) for q, i, name in SLIPS if name == "log10"}:
        wrong, right = implementation(qualname, _source(qualname, ident)), _reference(qualname)
        for case in cases_for(qualname, seed):
            ours, args = _values(wrong, case)
            theirs, _ = _values(right, case)
            rtol = 1e-5 if np.asarray(args[1]).dtype == np.float32 else 1e-12
            np.testing.assert_allclose(ours * math.log(10), theirs, rtol=rtol, err_msg=case.name)


# ------------------------------------------------------------------ named on every failing case
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("qualname, ident, name", SLIPS, ids=[f"{q}:{i}" for q, i, _ in SLIPS])
def test_the_slip_is_named_on_every_failing_case(qualname, ident, name, seed):
    fr = grade_in_process(qualname, implementation(qualname, _source(qualname, ident)), seed)
    failing = [c for c in fr.cases if not c.passed]
    assert failing and not fr.passed
    for case in failing:
        assert [(d.name, d.kind) for d in case.diagnoses] == [(name, "known")], (case.name, case.diagnoses)
    assert [d.name for d, _ in fr.hints()] == [name]


def test_the_half_sum_fails_every_case():
    """The batch of 1 has 3 elements, not 2 (where ½Σ is the mean and the half sum passed it,
    trial 19a): the half sum earns no case."""
    for qualname, ident in (("losses.mean_squared_error", "notes-half-sum"),
                            ("losses.mean_squared_error_grad", "notes-half-sum-gradient")):
        fr = grade_in_process(qualname, implementation(qualname, _source(qualname, ident)), 2026)
        passed = [c.name for c in fr.cases if c.passed]
        assert passed == []


def test_the_hints_say_what_was_done_and_what_the_function_should_do():
    hints = {(m.function, m.name): m.hint for q, _, name in SLIPS for m in for_function(q) if m.name == name}
    mse = hints["losses.mean_squared_error", "half-sum"]
    assert "½Σ(t − o)²" in mse and "notes" in mse and "sum_squared_error" in mse
    assert "no ½" in mse and "number of elements" in mse
    grad = hints["losses.mean_squared_error_grad", "half-sum"]
    assert "½Σ(t − o)²" in grad and "y_pred − y_true" in grad and "twice" in grad and "y_pred.size" in grad
    for q in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
              "weighted_sparse_categorical_crossentropy"):
        hint = hints[f"losses.{q}", "log10"]
        assert "base 10" in hint and "natural logarithm" in hint and "ln 10 ≈ 2.303" in hint


# ------------------------------------------------------------------ no false positives
def test_the_reference_is_never_taken_for_the_slips():
    for qualname in {q for q, *_ in SLIPS}:
        for seed in SEEDS:
            fr = grade_in_process(qualname, _reference(qualname), seed)
            assert fr.passed and not [d for c in fr.cases for d in c.diagnoses], qualname


@pytest.mark.parametrize("qualname", sorted({q for q, *_ in SLIPS}))
def test_other_wrong_versions_of_the_function_are_not_taken_for_the_slips(qualname):
    """The other known mistakes of the function and the tests' other wrong implementations
    of it (a mean halved, a sum, log2, a missing clip...) never get these names."""
    others = [(f"known {m.name}", m.impl) for m in for_function(qualname) if m.name not in NEW_NAMES]
    others += [(f"catalog {i}", implementation(q, s)) for q, i, s, _ in CATALOG
               if q == qualname and (q, i) not in {(a, b) for a, b, _ in SLIPS}]
    if "crossentropy" in qualname:     # a log in another wrong base
        log2 = _source(*next((q, i) for q, i, n in SLIPS if q == qualname)).replace("log10", "log2")
        others.append(("log2", implementation(qualname, log2)))
    assert len(others) >= 2
    for label, impl in others:
        for seed in SEEDS:
            fr = grade_in_process(qualname, impl, seed)
            assert not fr.passed, label
            shown = {part for c in fr.cases for d in c.diagnoses for part in d.name.split(" or ")}
            assert not shown & NEW_NAMES, (label, seed, shown)


# ------------------------------------------------------------------ as a student sees it
def test_a_submission_with_the_slips_gets_them_named_in_text_and_markdown(tmp_path):
    from grader import grade_submission
    from grader.reports import render

    slips = [(q, i, n) for q, i, n in SLIPS if i != "log-over-log-ten"]
    code = "\n".join(_source(q, i) for q, i, _ in slips)
    sub = make_submission(tmp_path / "sub", {"losses": code})
    only = [q for q, *_ in slips]
    result = grade_submission(str(sub), only=only, seed=2026)
    hints = {q: next(m.hint for m in for_function(q) if m.name == n) for q, _, n in slips}
    for qualname, _, name in slips:
        fr = result.functions[qualname]
        assert not fr.passed
        for case in fr.cases:
            if not case.passed:
                assert [d.name for d in case.diagnoses] == [name], (qualname, case.name)
    text = render(result, "text")
    markdown = render(result, "markdown")
    for qualname in only:
        # the explanation of each function carries the whole hint, for every failing case
        block = text.split(f"{qualname}: ", 1)[1]
        assert f"Known mistake (every failing case): {hints[qualname]}" in block.split("\n\n")[0]
        assert hints[qualname] in markdown
    # the one-line summaries name the slip in its first clause
    assert "known mistake: you wrote the notes' E = ½Σ(t − o)²" in text
    assert "known mistake: you took the gradient of the notes' E = ½Σ(t − o)²" in text
    assert len(re.findall(r"known mistake: you took the logarithm to base 10 \(log10\)", text)) == 4
