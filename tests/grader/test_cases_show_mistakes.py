"""Every graded case shows every known mistake of its function, or says why it cannot.

Each case earns its share of the function's points (``FunctionResult.exact_score``), so a
case on which a mistake computes the reference's numbers gives that mistake partial credit
(trial 19a: a ``train_step`` that leaves out lr passed "batch of 1 ..., lr 1.0", since
``W - 1.0 * dW`` is ``W - dW``; a flipped sign passed l1_grad's "lam 0"). This audit runs,
for a few seeds, every case of every function against

- every mistake of the catalogue (``grader.specs.MISTAKES``, ``grader/specs/known``), run
  as code the way the diagnosis runs it (``case.run``, then ``case.judge``);
- the mistakes trials found that the catalogue does not hold yet (``EXTRA`` below, empty
  once they are catalogued);
- the generic mistakes ``grader.diagnose`` reads from values alone that a case's numbers
  can hide: the output ``negated`` and ``doubled`` (a case whose expected values are all 0
  hides both).

A case the mistake passes must be listed in ``EDGE`` with the reason it cannot show it (a
batch of 1 cannot tell a sum from a mean; only the case with +-1000 overflows); an entry
that no longer applies is an error too, so the list stays the truth.
"""

import warnings

import numpy as np
import pytest

from chainrule_core.contract import qualified_names
from grader.compare import plain
from grader.oracle import LiveOracle
from grader.specs import cases_for, for_function
from grader.values import to_returned

SEEDS = (0, 1, 2, 3, 4, 5, 7, 42, 2026)


# ---------------------------------------------------------------- mistakes outside the catalogue
#: (function, name, impl): wrong versions trials met that the catalogue lacks. Trial 19a's
#: (train_step and l1_grad) are in the catalogue now (grader/specs/known), as is trial 19b's
#: momentum velocity kept with the opposite sign; sgd_step without lr was there already.
EXTRA = []

GENERIC = ("negated", "doubled")


# ---------------------------------------------------------------- the edge cases
# (function, mistake) -> {case number: why that case cannot show the mistake}. Case numbers
# are the published ``--case K``.
OVERFLOW = "only the +-1000 case overflows; on moderate inputs the naive formula gives the same numbers"
AT_ZERO = "no input is exactly 0 here: the value at 0 shows only in the case that holds a 0"
ONE_ROW = "a batch of 1: a sum over the batch equals its mean"
ONE_ELEMENT = "a single element: a sum equals the mean"
AXIS = "the axis the mistake uses is the right one for this shape or axis argument"
CLIPPING = "no probability is 0 or 1 here: clipping changes nothing (the clipped case shows it)"
EPS = "eps changes these values by less than the case's tolerance (the small-gradient or low-variance case shows it)"
STAT_REPRO = "this case judges only that the draws follow rng, not their distribution"
SCENARIO = "this case is another scenario of the function (each mistake shows in the cases built for it)"
WITHIN = "every slice is within the limit: nothing is rescaled"


def _edge(cases, reason):
    return {k: reason for k in cases}


EDGE = {
    ("activations.sigmoid", "exp-ratio-overflow"): _edge((1, 2, 3, 4), OVERFLOW),
    ("activations.tanh", "exp-formula-overflow"): _edge((1, 2, 3, 4), OVERFLOW),
    ("activations.relu_derivative", "one-at-zero"): _edge((2, 3, 6), AT_ZERO),
    ("activations.softplus", "naive-overflow"): _edge((1, 2, 3, 4), OVERFLOW),
    ("activations.softplus_derivative", "exp-ratio-overflow"): _edge((1, 2, 3, 4, 6), OVERFLOW),
    ("activations.softmax", "no-max-shift"): _edge((1, 2, 3, 5, 6), OVERFLOW),
    ("activations.softmax", "axis-ignored"): _edge((1, 3, 4, 5, 6), AXIS),
    ("activations.softmax", "axis-zero"): _edge((2, 6), AXIS),
    ("activations.softmax", "sum-over-all"): _edge((3, 6), "one row: the sum over everything is the sum over the row"),
    ("losses.mean_squared_error_grad", "divided-by-rows"): _edge((4,), "a 1-D input: its rows are its elements"),
    ("losses.binary_crossentropy", "no-clipping"): _edge((1, 3, 4, 5), CLIPPING),
    ("losses.binary_crossentropy", "sum-not-mean"): _edge((5,), ONE_ELEMENT),
    ("losses.binary_crossentropy_grad", "no-clipping"): _edge((1, 3, 4, 5, 6), CLIPPING),
    ("losses.binary_crossentropy_grad", "not-divided-by-size"): _edge((5,), ONE_ELEMENT),
    ("losses.categorical_crossentropy", "no-clipping"): _edge((1, 3, 4), CLIPPING),
    ("losses.categorical_crossentropy", "sum-over-batch"): _edge((3,), ONE_ROW),
    ("losses.sparse_categorical_crossentropy", "no-clipping"): _edge((1, 3, 4), CLIPPING),
    ("losses.sparse_categorical_crossentropy", "column-indexing"): _edge(
        (3,), "one row: indexing a column picks the same probability"),
    ("losses.softmax_crossentropy_grad", "not-divided-by-n"): _edge((3,), ONE_ROW),
    ("losses.class_weights_balanced", "divide-by-zero"): _edge(
        (1,), "every class occurs: only the case with an empty class shows it"),
    ("losses.class_weights_balanced", "present-classes-only"): _edge(
        (1,), "every class occurs: only the case with an empty class shows it"),
    ("losses.weighted_sparse_categorical_crossentropy", "no-clipping"): _edge((1, 3, 4), CLIPPING),
    ("layers.dense_backward", "db-averaged"): _edge((2,), ONE_ROW),
    ("layers.dense_backward", "dw-averaged"): _edge((2,), ONE_ROW),
    ("layers.dropout_mask", "keeps-with-rate"): _edge((3,), STAT_REPRO),
    ("layers.dropout_forward", "not-rescaled"): _edge((2,), "rate 0: the scale 1 / (1 - rate) is 1"),
    ("layers.dropout_forward", "test-time-scaling"): _edge((2,), "rate 0: the scale 1 / (1 - rate) is 1"),
    ("layers.dropout_backward", "not-rescaled"): _edge((2,), "rate 0: the scale 1 / (1 - rate) is 1"),
    ("layers.batchnorm_forward", "eps-outside-sqrt"): _edge((4,), EPS),
    ("layers.batchnorm_backward", "eps-outside-sqrt"): _edge((3,), EPS),
    ("network.backward", "averaged-over-batch"): _edge(
        (1, 3), "one sample (the notes' worked example is one too): a mean over the batch is the sum"),
    ("optimizers.adagrad_step", "eps-inside-sqrt"): _edge((1, 2, 5), EPS),
    ("optimizers.rmsprop_step", "eps-inside-sqrt"): _edge((3, 5), EPS),
    ("optimizers.adam_step", "eps-inside-sqrt"): _edge((1, 2, 3, 5), EPS),
    ("regularization.l1_grad", "one-at-zero"): _edge((2, 3, 4, 5), AT_ZERO),
    ("regularization.l1_grad", "sign-by-division"): _edge((2, 3, 4, 5), AT_ZERO),
    ("regularization.max_norm", "rows-not-columns"): _edge(
        (2, 3), "axis 1 is asked for (case 2), or nothing is rescaled along either axis (case 3)"),
    ("regularization.max_norm", "global-norm"): _edge((3,), WITHIN),
    ("regularization.max_norm", "clips-elements"): _edge((3,), WITHIN),
    ("initializers.random_normal", "mean-ignored"): {2: "the default mean is 0", 3: STAT_REPRO},
    ("initializers.random_normal", "variance-as-scale"): _edge((3,), STAT_REPRO),
    ("initializers.random_uniform", "width-not-scaled"): _edge((3,), STAT_REPRO),
    ("initializers.glorot_uniform", "fan-in-only"): _edge((2,), STAT_REPRO),
    ("initializers.glorot_uniform", "normal-not-uniform"): _edge((2,), STAT_REPRO),
    ("initializers.glorot_uniform", "missing-sqrt"): _edge((2,), STAT_REPRO),
    ("initializers.he_normal", "variance-one-over-fan-in"): _edge((2,), STAT_REPRO),
    ("initializers.he_normal", "variance-as-std"): _edge((2,), STAT_REPRO),
    ("initializers.he_normal", "fan-out"): _edge((2,), STAT_REPRO),
    ("training.iterations_per_epoch", "floor"): _edge(
        (1, 4), "the batch size divides the samples: the floor is the ceiling"),
    ("training.iterations_per_epoch", "always-plus-one"): _edge(
        (2, 3, 5), "the last batch is partial: one more than the floor is the ceiling"),
    ("training.minibatch_indices", "drops-last-batch"): {2: "no partial batch to drop", 4: STAT_REPRO},
    ("training.minibatch_indices", "array-split"): {2: "the batch size divides the samples: equal parts are the batches",
                                                    4: STAT_REPRO},
    ("training.minibatch_indices", "ignores-shuffle"): {3: "shuffle is asked for, as the mistake always does",
                                                        4: STAT_REPRO},
    ("training.early_stopping_epoch", "less-or-equal"): _edge((1, 2, 3, 5, 6), "no two losses tie: " + SCENARIO),
    ("training.early_stopping_epoch", "wait-not-reset"): _edge(
        (1, 2, 3, 4, 5), "no improvement after a plateau within patience: " + SCENARIO),
    ("training.early_stopping_epoch", "off-by-one"): _edge(
        (2, 5, 6), "the stop is at the last epoch, or the count meets patience the same way: " + SCENARIO),
    ("training.time_based_decay", "exponential"): _edge((2,), "iteration 0: every decay schedule gives lr0"),
    ("training.time_based_decay", "missing-parentheses"): _edge((2,), "iteration 0: every decay schedule gives lr0"),
    ("training.gradient_descent_quadratic", "missing-two"): _edge((3,), "0 steps: no step is taken"),
    ("training.train_val_test_split", "rounds"): {1: "the sizes are whole numbers: rounding is the floor",
                                                  3: STAT_REPRO},
    ("training.train_val_test_split", "not-shuffled"): _edge(
        (2,), "this case judges the sizes only (the floor), not the order"),
    ("training.log_uniform", "uniform"): _edge((2,), STAT_REPRO),
    ("training.log_uniform", "mixed-log-bases"): _edge((2,), STAT_REPRO),
}


# ---------------------------------------------------------------- the audit
def _transform(value, how):
    if isinstance(value, tuple):
        return tuple(_transform(v, how) for v in value)
    if isinstance(value, list):
        return [_transform(v, how) for v in value]
    if isinstance(value, (bool, np.bool_)) or value is None:
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind == "b":
        return value
    factor = -1 if how == "negated" else 2
    if isinstance(value, np.ndarray):
        return (value * factor).astype(value.dtype)
    if isinstance(value, np.generic):
        return (value * factor).astype(value.dtype)
    return type(value)(value * factor)


def _passes(case, expected, impl=None, how=None):
    """Whether ``impl`` (or the expected values ``how``-transformed) passes ``case``."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if how is not None:
            actual = [to_returned(_transform(plain(e), how)) for e in expected]
        else:
            try:
                actual = case.run(lambda call: to_returned(impl(*call.materialize())))
            except Exception:  # noqa: BLE001 - a mistake that raises fails the case
                return False
        return case.judge(actual, expected) is None


def _audit():
    """``{(function, mistake): {case number: (case name, [seeds it passes])}}``."""
    oracle = LiveOracle()
    extra = {}
    for qualname, name, impl in EXTRA:
        extra.setdefault(qualname, []).append((name, impl))
    found = {}
    for qualname in qualified_names():
        mistakes = [(m.name, m.impl) for m in for_function(qualname)] + extra.get(qualname, [])
        for seed in SEEDS:
            for case in cases_for(qualname, seed):
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    expected = case.expected(oracle.lookup)
                tries = [(name, impl, None) for name, impl in mistakes]
                if case.kind != "stat":
                    tries += [(how, None, how) for how in GENERIC]
                for name, impl, how in tries:
                    if _passes(case, expected, impl, how):
                        entry = found.setdefault((qualname, name), {}).setdefault(case.number, (case.name, []))
                        entry[1].append(seed)
    return found


@pytest.fixture(scope="module")
def audit():
    return _audit()


def test_every_case_shows_every_mistake_or_is_a_listed_edge_case(audit):
    unlisted = [f"{q} [{m}] case {k} {name!r} (seeds {seeds})"
                for (q, m), cases in audit.items() for k, (name, seeds) in sorted(cases.items())
                if k not in EDGE.get((q, m), {})]
    assert not unlisted, ("cases that give a mistake partial credit; change the case so it shows the "
                          "mistake, or list it in EDGE with the reason:\n" + "\n".join(unlisted))


def test_every_listed_edge_case_is_still_one(audit):
    stale = [f"{q} [{m}] case {k}" for (q, m), cases in EDGE.items() for k in cases
             if k not in audit.get((q, m), {})]
    assert not stale, "EDGE entries the cases now show (remove them):\n" + "\n".join(stale)


def test_every_edge_entry_names_a_known_mistake_and_gives_a_reason():
    names = {(m.function, m.name) for q in qualified_names() for m in for_function(q)}
    names |= {(q, n) for q, n, _ in EXTRA}
    names |= {(q, g) for q in qualified_names() for g in GENERIC}
    for key, cases in EDGE.items():
        assert key in names, key
        for k, reason in cases.items():
            assert isinstance(k, int) and k >= 1 and len(reason) >= 15, (key, k)


def test_the_trial_19a_cases_now_show_their_mistakes():
    # the two cases the trial met: train_step's batch of 1 and the penalties' lam 0
    oracle = LiveOracle()
    for seed in SEEDS:
        case = cases_for("network.train_step", seed)[2]
        assert case.name.startswith("batch of 1") and "lr 1.0" not in case.name
        assert not _passes(case, case.expected(oracle.lookup), _known("network.train_step", "learning-rate-left-out"))
        for qualname in ("regularization.l1_grad", "regularization.l2_grad"):
            case = cases_for(qualname, seed)[2]
            assert case.name.startswith("lam 0")
            assert not _passes(case, case.expected(oracle.lookup), how="negated")
        case = cases_for("regularization.l1_grad", seed)[2]
        assert not _passes(case, case.expected(oracle.lookup), _known("regularization.l1_grad", "sign-flipped"))


def _known(qualname, name):
    return next(m.impl for m in for_function(qualname) if m.name == name)
