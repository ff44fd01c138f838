"""Tests of the known student mistakes (``KNOWN`` in grader/specs/<module>.py).

Part 1 is independent of the grading engine: every mistake names a contract function,
has its signature, is self-contained, has a one-sentence hint, and really computes
something else than the reference (``solutions/``, which the tests may import) on inputs
made here. Part 2 is the grader's mutation test: each mistake, transplanted into a copy of
the reference, must fail its function, be named in the report, and leave the functions
that do not depend on it passing; the reference itself passes everything.
"""

import ast
import builtins
import copy
import importlib
import importlib.util
import inspect
import re
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from chainrule_core.contract import CONTRACT, qualified_names
from grader.specs import MISTAKES, Mistake, for_function

ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = ROOT / "grader" / "specs"
SOLUTIONS_DIR = ROOT / "solutions"


def _reference(qualname):
    module, _, name = qualname.partition(".")
    return getattr(importlib.import_module(f"solutions.{module}"), name)


def _mid(mistake):
    return f"{mistake.function}:{mistake.name}"


# ----------------------------------------------------------------------------------------
# Inputs on which the mistakes are compared with the reference.
#
# INPUTS maps every contract function to a factory ``f(rng) -> [(args, kwargs), ...]``.
# ``Seed(k)`` in an argument list stands for a fresh ``np.random.default_rng(k)``, made
# anew for every call, so the reference and the mistake draw from identical generators.
# The inputs include what exposes the subtler mistakes: exact zeros, +-1000, logits near
# 1e3, probabilities of exactly 0 and 1, an empty class, small gradients, a low-variance
# feature, ties in the validation losses, non-square shapes.


class Seed:
    def __init__(self, value):
        self.value = value


def _bind(args, kwargs):
    fresh = lambda a: np.random.default_rng(a.value) if isinstance(a, Seed) else a  # noqa: E731
    return [fresh(a) for a in args], {k: fresh(v) for k, v in kwargs.items()}


def _elementwise(rng):
    x = rng.normal(0.0, 3.0, size=(4, 3))
    x[0, 0] = x[2, 1] = 0.0
    extreme = np.array([-1000.0, -50.0, -1.0, 0.0, 0.5, 50.0, 1000.0])
    return [((x,), {}), ((extreme,), {}), ((x.astype(np.float32),), {}),
            ((np.float64(0.7),), {})]


def _pair(rng):
    t, p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [((t, p), {}), ((t[0], p[0]), {})]


def _binary(rng):
    t = (rng.random((4, 3)) < 0.5).astype(float)
    p = rng.uniform(0.05, 0.95, size=(4, 3))
    edge_t = np.array([[0.0, 1.0, 1.0, 0.0]])
    edge_p = np.array([[0.0, 1.0, 0.5, 0.2]])
    return [((t, p), {}), ((edge_t, edge_p), {})]


def _probabilities(rng, n, k):
    e = np.exp(rng.normal(size=(n, k)))
    return e / e.sum(axis=1, keepdims=True)


def _categorical(rng):
    labels = rng.integers(0, 3, size=5)
    onehot = np.eye(3)[labels]
    p = _probabilities(rng, 5, 3)
    p0 = p.copy()
    p0[0, :] = [0.0, 0.5, 0.5]
    p0[1, :] = [1.0, 0.0, 0.0]
    return [((onehot, p), {}), ((onehot, p0), {})]


def _sparse(rng):
    labels = np.array([0, 2, 1, 2, 0])
    p = _probabilities(rng, 5, 3)
    p0 = p.copy()
    p0[1, :] = [0.5, 0.5, 0.0]
    return [((labels, p), {}), ((labels, p0), {})]


def _weighted(rng):
    weights = rng.uniform(0.5, 2.0, size=3)
    return [((labels, p, weights), {}) for (labels, p), _ in _sparse(rng)]


def _softmax(rng):
    z = rng.normal(0.0, 2.0, size=(3, 5))
    large = 1000.0 + rng.normal(0.0, 3.0, size=(2, 4))
    return [((z,), {}), ((large,), {}), ((z.T,), {"axis": 0})]


def _softmax_grad(rng):
    return [((np.array([1, 0, 2, 2]), rng.normal(size=(4, 3))), {})]


def _class_weights(rng):
    return [((np.array([0, 1, 1, 2, 2, 2]), 3), {}),
            ((np.array([0, 0, 2, 2, 2, 1]), 4), {})]


def _dense(rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    return [((x, W, b), {})]


def _dense_backward(rng):
    dout, x, W = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    return [((dout, x, W), {}), ((dout[:1], x[:1], W), {})]


def _dropout(rng):
    x = rng.normal(size=(5, 4))
    mask = rng.random((5, 4)) >= 0.3
    return [((x, mask, 0.3), {})]


def _batchnorm_x(rng):
    x = rng.normal(size=(6, 3)) * np.array([1.0, 5.0, 1e-3]) + np.array([0.0, 2.0, -1.0])
    return x


def _batchnorm(rng):
    x = _batchnorm_x(rng)
    gamma, beta = rng.uniform(0.5, 2.0, size=3), rng.normal(size=3)
    return [((x, gamma, beta), {})]


def _batchnorm_backward(rng):
    x = _batchnorm_x(rng)
    dout, gamma = rng.normal(size=(6, 3)), rng.uniform(0.5, 2.0, size=3)
    return [((dout, x, gamma), {})]


def _network_params(rng):
    x = rng.normal(size=(3, 2))
    t = rng.uniform(0.0, 1.0, size=(3, 2))
    W1, b1 = rng.normal(size=(2, 4)), rng.normal(0.0, 0.5, size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(0.0, 0.5, size=2)
    return x, t, W1, b1, W2, b2


def _forward(rng):
    x, t, W1, b1, W2, b2 = _network_params(rng)
    return [((x, W1, b1, W2, b2), {})]


def _backward(rng):
    return [(_network_params(rng), {})]


def _train_step(rng):
    return [(_network_params(rng) + (0.5,), {})]


def _sgd(rng):
    w, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    return [((w, g), {}), ((w, g), {"lr": 0.1})]


def _momentum(rng):
    w, g, v = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(0, 0.1, (3, 4))
    return [((w, g, v), {}), ((w, g, np.zeros_like(w)), {"lr": 0.1, "momentum": 0.5})]


def _accumulating(rng):
    w, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    state = rng.uniform(0.1, 2.0, size=(3, 4))
    small = 1e-5 * rng.normal(size=(3, 4))
    return [((w, g, state), {}), ((w, small, np.zeros_like(w)), {}),
            ((w, g, np.zeros_like(w)), {"lr": 0.1})]


def _adam(rng):
    w, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    m, v = rng.normal(0, 0.1, (3, 4)), rng.uniform(0.01, 0.5, (3, 4))
    zeros = np.zeros_like(w)
    small = 1e-5 * rng.normal(size=(3, 4))
    return [((w, g, m, v, 3), {}), ((w, g, zeros, zeros, 1), {}),
            ((w, small, zeros, zeros, 1), {}), ((w, g, m, v, 2), {"lr": 0.01})]


def _weights(rng):
    W = rng.normal(size=(3, 4))
    W[1, 2] = 0.0
    return [((W, 0.01), {}), ((W, 0.5), {})]


def _max_norm(rng):
    W = rng.normal(size=(3, 4)) * np.array([3.0, 0.2, 2.0, 0.5])
    return [((W,), {}), ((W,), {"max_value": 1.0}), ((W.T,), {"axis": 1})]


INPUTS = {
    "activations.sigmoid": _elementwise,
    "activations.sigmoid_derivative": _elementwise,
    "activations.tanh": _elementwise,
    "activations.tanh_derivative": _elementwise,
    "activations.relu": _elementwise,
    "activations.relu_derivative": _elementwise,
    "activations.softplus": _elementwise,
    "activations.softplus_derivative": _elementwise,
    "activations.softmax": _softmax,
    "losses.mean_squared_error": _pair,
    "losses.mean_squared_error_grad": _pair,
    "losses.sum_squared_error": _pair,
    "losses.sum_squared_error_grad": _pair,
    "losses.binary_crossentropy": _binary,
    "losses.binary_crossentropy_grad": _binary,
    "losses.categorical_crossentropy": _categorical,
    "losses.sparse_categorical_crossentropy": _sparse,
    "losses.softmax_crossentropy_grad": _softmax_grad,
    "losses.class_weights_balanced": _class_weights,
    "losses.weighted_sparse_categorical_crossentropy": _weighted,
    "layers.dense_forward": _dense,
    "layers.dense_backward": _dense_backward,
    "layers.dropout_mask": lambda rng: [(((60, 50), 0.2, Seed(1)), {})],
    "layers.dropout_forward": _dropout,
    "layers.dropout_backward": _dropout,
    "layers.batchnorm_forward": _batchnorm,
    "layers.batchnorm_backward": _batchnorm_backward,
    "network.forward": _forward,
    "network.backward": _backward,
    "network.train_step": _train_step,
    "optimizers.sgd_step": _sgd,
    "optimizers.momentum_step": _momentum,
    "optimizers.nesterov_step": _momentum,
    "optimizers.adagrad_step": _accumulating,
    "optimizers.rmsprop_step": _accumulating,
    "optimizers.adam_step": _adam,
    "regularization.l2_penalty": _weights,
    "regularization.l2_grad": _weights,
    "regularization.l1_penalty": _weights,
    "regularization.l1_grad": _weights,
    "regularization.max_norm": _max_norm,
    "initializers.random_normal": lambda rng: [
        (((200, 150), Seed(2)), {"mean": 0.5, "stddev": 0.2})],
    "initializers.random_uniform": lambda rng: [
        (((200, 150), Seed(3)), {"minval": -0.3, "maxval": 0.1})],
    "initializers.glorot_uniform": lambda rng: [((300, 100, Seed(4)), {})],
    "initializers.he_normal": lambda rng: [((300, 100, Seed(5)), {})],
    "training.iterations_per_epoch": lambda rng: [((2000, 200), {}), ((2001, 200), {})],
    "training.minibatch_indices": lambda rng: [
        ((10, 4, Seed(6)), {}), ((10, 4, Seed(6)), {"shuffle": False})],
    "training.early_stopping_epoch": lambda rng: [
        (([1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99], 2), {}),
        (([1.0, 0.8, 0.8, 0.8, 0.7], 2), {}),
        (([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75], 2), {}),
        (([1.0, 0.95, 0.94, 0.93], 2), {"min_delta": 0.05})],
    "training.time_based_decay": lambda rng: [((0.1, 0.01, 100), {}), ((0.5, 0.5, 3), {})],
    "training.gradient_descent_quadratic": lambda rng: [((2.0, 1.0, 3.0, 0.1, 5), {})],
    "training.train_val_test_split": lambda rng: [
        ((13, 0.2, 0.2, Seed(7)), {}), ((100, 0.1, 0.2, Seed(7)), {})],
    "training.log_uniform": lambda rng: [((1e-4, 1e-1, 20000, Seed(8)), {})],
}

# Judged by distribution (as the grader does), not by exact draws: a mistake differs when
# a two-sample Kolmogorov-Smirnov test rejects equal distributions at level 1e-6.
DISTRIBUTIONAL = {
    "layers.dropout_mask", "initializers.random_normal", "initializers.random_uniform",
    "initializers.glorot_uniform", "initializers.he_normal", "training.log_uniform",
}


def _ks_statistic(a, b):
    a, b = np.sort(np.ravel(a).astype(float)), np.sort(np.ravel(b).astype(float))
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _same_distribution(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    n, m = a.size, b.size
    critical = np.sqrt(-np.log(1e-6 / 2) / 2) * np.sqrt((n + m) / (n * m))
    return _ks_statistic(a, b) <= critical


def _same(a, b):
    """Whether two outputs agree within a tolerance well above any grader's (1e-4)."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))
                and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b)))
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a.astype(float), b.astype(float), rtol=1e-4, atol=1e-7,
                            equal_nan=True))


def _call(fn, args, kwargs):
    args, kwargs = _bind(args, kwargs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _snapshot(args, kwargs):
    return copy.deepcopy([a for a in list(args) + list(kwargs.values())
                          if not isinstance(a, Seed)])


def _unchanged(before, after):
    for old, new in zip(before, after):
        if isinstance(old, np.ndarray):
            if not (old.dtype == new.dtype and np.array_equal(old, new, equal_nan=True)):
                return False
        elif old != new:
            return False
    return True


# ----------------------------------------------------------------------------------------
# Part 1: the list itself, independent of the grading engine.

def test_mistakes_at_least_sixty_covering_every_contract_function():
    assert len(MISTAKES) >= 60
    covered = {m.function for m in MISTAKES}
    assert covered == set(qualified_names())


def test_mistakes_are_in_contract_order_and_unique():
    order = {q: i for i, q in enumerate(qualified_names())}
    positions = [order[m.function] for m in MISTAKES]
    assert positions == sorted(positions)
    ids = [(m.function, m.name) for m in MISTAKES]
    assert len(ids) == len(set(ids))


def test_mistakes_have_the_documented_fields():
    for m in MISTAKES:
        assert isinstance(m, Mistake)
        assert m.function in qualified_names(), m
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m.name), m.name
        assert callable(m.impl)
    with pytest.raises(Exception):
        MISTAKES[0].name = "changed"   # frozen


def test_mistakes_hints_are_one_sentence():
    for m in MISTAKES:
        hint = m.hint
        assert hint == hint.strip() and "\n" not in hint, _mid(m)
        assert hint.endswith("."), _mid(m)
        # No second sentence: no sentence end followed by a capitalised word.
        assert not re.search(r"[.!?]\)?\s+[A-Z]", hint[:-1]), _mid(m)
        assert 20 <= len(hint) <= 200, (_mid(m), len(hint))


def test_mistakes_for_function_returns_that_functions_mistakes():
    adam = for_function("optimizers.adam_step")
    assert {m.name for m in adam} >= {"no-bias-correction", "t-off-by-one",
                                      "eps-inside-sqrt"}
    assert all(m.function == "optimizers.adam_step" for m in adam)
    assert sum(len(for_function(q)) for q in qualified_names()) == len(MISTAKES)


@pytest.mark.parametrize("name", ["adam_step", "optimizers.adam", "nosuch.sigmoid", ""])
def test_mistakes_for_function_rejects_non_contract_names(name):
    with pytest.raises(ValueError, match="unknown contract function"):
        for_function(name)


def test_mistakes_include_the_ones_the_issue_names():
    names = {(m.function, m.name) for m in MISTAKES}
    required = {
        ("optimizers.adam_step", "no-bias-correction"), ("optimizers.adam_step", "t-off-by-one"),
        ("optimizers.adam_step", "eps-inside-sqrt"), ("optimizers.rmsprop_step", "eps-inside-sqrt"),
        ("optimizers.adagrad_step", "eps-inside-sqrt"),
        ("activations.sigmoid_derivative", "applied-to-input"),
        ("activations.tanh_derivative", "applied-to-input"),
        ("activations.relu_derivative", "one-at-zero"),
        ("activations.softmax", "no-max-shift"), ("activations.softmax", "axis-zero"),
        ("losses.mean_squared_error_grad", "missing-two"),
        ("losses.mean_squared_error_grad", "wrong-sign"),
        ("losses.mean_squared_error_grad", "not-divided-by-size"),
        ("losses.binary_crossentropy", "no-clipping"),
        ("losses.categorical_crossentropy", "mean-over-elements"),
        ("layers.dense_backward", "db-averaged"), ("layers.dense_backward", "dw-transposed"),
        ("layers.dropout_forward", "not-rescaled"), ("layers.dropout_forward", "rescaled-by-rate"),
        ("layers.batchnorm_forward", "ddof-one"), ("layers.batchnorm_forward", "eps-outside-sqrt"),
        ("layers.batchnorm_backward", "dx-missing-terms"),
        ("network.train_step", "hidden-uses-updated-w2"),
        ("optimizers.momentum_step", "forgets-learning-rate"),
        ("optimizers.nesterov_step", "plain-momentum"), ("optimizers.nesterov_step", "pytorch-buffer"),
        ("training.minibatch_indices", "drops-last-batch"),
        ("training.early_stopping_epoch", "off-by-one"),
        ("training.early_stopping_epoch", "less-or-equal"),
        ("training.iterations_per_epoch", "floor"),
        ("regularization.l1_grad", "one-at-zero"), ("regularization.l2_grad", "missing-two"),
        ("regularization.max_norm", "rescales-all"), ("regularization.max_norm", "rows-not-columns"),
        ("initializers.glorot_uniform", "fan-in-only"),
        ("initializers.he_normal", "variance-one-over-fan-in"),
        ("initializers.he_normal", "variance-as-std"),
        ("training.time_based_decay", "exponential"),
        ("losses.class_weights_balanced", "divide-by-zero"), ("training.log_uniform", "uniform"),
        # the course's own slips (session 7): the notes' E = ½Σ(t − o)² for the MSE, log10
        ("losses.mean_squared_error", "half-sum"), ("losses.mean_squared_error_grad", "half-sum"),
        ("losses.binary_crossentropy", "log10"), ("losses.categorical_crossentropy", "log10"),
        ("losses.sparse_categorical_crossentropy", "log10"),
        ("losses.weighted_sparse_categorical_crossentropy", "log10"),
    }
    assert required <= names, sorted(required - names)


@pytest.mark.parametrize("mistake", MISTAKES, ids=_mid)
def test_mistake_has_the_contract_signature(mistake):
    reference = inspect.signature(_reference(mistake.function))
    assert inspect.signature(mistake.impl) == reference


def _free_names(fn):
    """Global names a function's source reads (not its parameters, locals or builtins)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    (func,) = tree.body
    bound = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
    loaded = set()
    for node in ast.walk(func):
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)) and node is not func:
            loaded.add(f"<nested {type(node).__name__}>")
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loaded.add(node.id)
            else:
                bound.add(node.id)
    return loaded - bound - set(dir(builtins))


@pytest.mark.parametrize("mistake", MISTAKES, ids=_mid)
def test_mistake_is_self_contained(mistake):
    assert mistake.impl.__closure__ is None
    assert _free_names(mistake.impl) <= {"np"}, _free_names(mistake.impl)
    assert mistake.impl.__globals__["np"] is np


def test_spec_modules_import_only_numpy_the_grader_and_the_core():
    for path in sorted(SPECS_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert [a.name for a in node.names] in (["numpy"], ["zlib"], ["importlib"]), (path.name, ast.dump(node))
            elif isinstance(node, ast.ImportFrom):
                allowed = {"__future__", "dataclasses", "typing"}
                assert (node.level == 1 or node.module in allowed
                        or node.module.split(".")[0] in ("grader", "chainrule_core")), (path.name, node.module)


def test_mistakes_import_without_solutions_sympy_or_jinja2():
    code = ("import sys, grader.specs; "
            "bad = sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('solutions', 'sympy', 'jinja2')); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_inputs_cover_every_contract_function():
    assert set(INPUTS) == set(qualified_names())


@pytest.mark.parametrize("mistake", MISTAKES, ids=_mid)
def test_mistake_differs_from_the_reference(mistake):
    reference = _reference(mistake.function)
    differing = []
    for args, kwargs in INPUTS[mistake.function](np.random.default_rng(20261122)):
        before = _snapshot(args, kwargs)
        expected = _call(reference, args, kwargs)
        got = _call(mistake.impl, args, kwargs)
        # A mistake is a wrong value, never a modified input: that would confuse the
        # diagnosis (the grader reports modified inputs on its own).
        assert _unchanged(before, _snapshot(args, kwargs)), f"{_mid(mistake)} modified an input"
        if mistake.function in DISTRIBUTIONAL:
            if not _same_distribution(expected, got):
                differing.append(args)
        elif not _same(expected, got):
            differing.append(args)
    assert differing, f"{_mid(mistake)} computes the same as the reference on every input"


@pytest.mark.parametrize("qualname", qualified_names())
def test_mistakes_of_one_function_are_distinguishable(qualname):
    # Two mistakes that agree on every input would always be diagnosed together.
    mistakes = for_function(qualname)
    calls = INPUTS[qualname](np.random.default_rng(20261122))
    outputs = [[_call(m.impl, args, kwargs) for args, kwargs in calls] for m in mistakes]
    same = _same_distribution if qualname in DISTRIBUTIONAL else _same
    for i, first in enumerate(outputs):
        for j in range(i + 1, len(outputs)):
            assert not all(same(a, b) for a, b in zip(first, outputs[j])), (
                mistakes[i].name, mistakes[j].name)


@pytest.mark.parametrize("qualname", sorted(DISTRIBUTIONAL))
def test_distribution_comparison_accepts_the_reference_with_another_seed(qualname):
    # The KS comparison must not call every two samples "different".
    reference = _reference(qualname)
    for args, kwargs in INPUTS[qualname](None):
        other = [Seed(a.value + 1000) if isinstance(a, Seed) else a for a in args]
        assert _same_distribution(_call(reference, args, kwargs),
                                  _call(reference, other, kwargs))


def test_reference_agrees_with_itself_on_every_input():
    # _same is not trivially False: the reference matches itself on all inputs.
    for qualname in qualified_names():
        reference = _reference(qualname)
        for args, kwargs in INPUTS[qualname](np.random.default_rng(20261122)):
            assert _same(_call(reference, args, kwargs), _call(reference, args, kwargs))


# ----------------------------------------------------------------------------------------
# Part 2: the mutation test. Each mistake is transplanted into a copy of the reference
# (its source appended to its module under the contract name, so it replaces the
# reference everywhere the module's own code and the other modules look it up) and the
# copy is graded by the engine. Mutants whose affected functions (the function and every
# reference function that calls it, directly or not) are disjoint cannot interact, so
# they share one submission; each submission is graded in full, which also checks that a
# mistake fails nothing outside its affected functions.

ENGINE_MISSING = importlib.util.find_spec("grader.engine") is None
needs_engine = pytest.mark.skipif(
    ENGINE_MISSING,
    reason="the grading engine (grader.engine behind grader.grade_submission) is not in "
           "the tree yet, so the mutation test cannot run",
)


def _reference_calls():
    """``module.function`` -> the module-level functions its reference body refers to."""
    calls = {}
    for module in CONTRACT:
        tree = ast.parse((SOLUTIONS_DIR / f"{module}.py").read_text(encoding="utf-8"))
        own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        imported, modules = {}, {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level == 0 and source.startswith("solutions"):
                    source = source[len("solutions"):].lstrip(".")
                elif node.level != 1:
                    continue
                for alias in node.names:
                    local = alias.asname or alias.name
                    if source:
                        imported[local] = f"{source}.{alias.name}"
                    else:
                        modules[local] = alias.name
        for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
            refs = set()
            for node in ast.walk(fn):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    if node.id in own and node.id != fn.name:
                        refs.add(f"{module}.{node.id}")
                    elif node.id in imported:
                        refs.add(imported[node.id])
                elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                      and node.value.id in modules):
                    refs.add(f"{modules[node.value.id]}.{node.attr}")
            calls[f"{module}.{fn.name}"] = refs
    return calls


def _affected(qualname, calls):
    """The function itself and every contract function whose reference reaches it."""
    def reaches(start):
        seen, todo = set(), [start]
        while todo:
            for ref in calls.get(todo.pop(), ()):
                if ref not in seen:
                    seen.add(ref)
                    todo.append(ref)
        return seen
    return {qualname} | {q for q in qualified_names() if qualname in reaches(q)}


def _groups(mistakes, calls, n_groups=12):
    """Pack mutants into submissions whose mutants have disjoint affected sets.

    Least-loaded fit over ``n_groups`` submissions (more only when a mutant fits nowhere),
    placing the widest-reaching mutants first: every submission then has a few mutants
    and leaves most of the contract unaffected, so that grading it in full also checks
    that the mutants fail nothing else.
    """
    groups = [{"mutants": [], "affected": set()} for _ in range(n_groups)]
    ranked = sorted(mistakes, key=lambda m: -len(_affected(m.function, calls)))
    for mistake in ranked:
        affected = _affected(mistake.function, calls)
        fitting = [g for g in groups if not affected & g["affected"]]
        if not fitting:
            fitting = [{"mutants": [], "affected": set()}]
            groups.append(fitting[0])
        group = min(fitting, key=lambda g: len(g["mutants"]))
        group["mutants"].append(mistake)
        group["affected"] |= affected
    return [g for g in groups if g["mutants"]]


def _transplant(mistake):
    """The mistake's source as a definition of the contract function."""
    source = textwrap.dedent(inspect.getsource(mistake.impl))
    contract_name = mistake.function.split(".", 1)[1]
    renamed, count = re.subn(rf"^def {re.escape(mistake.impl.__name__)}\(",
                             f"def {contract_name}(", source, count=1, flags=re.M)
    assert count == 1, mistake
    return f"\n\n# Known mistake {mistake.name!r}, transplanted by the mutation test.\n{renamed}"


def _submission(folder, mutants=()):
    folder.mkdir()
    for path in SOLUTIONS_DIR.glob("*.py"):
        shutil.copy(path, folder / path.name)
    for mistake in mutants:
        module = folder / f"{mistake.function.split('.', 1)[0]}.py"
        with open(module, "a", encoding="utf-8") as f:
            f.write(_transplant(mistake))
    return folder


def _explain(result, qualname):
    fr = result.functions[qualname]
    lines = [f"{qualname}: passed={fr.passed}, diagnoses={[d.name for d in fr.diagnoses]}"]
    for case in fr.cases:
        lines.append(f"  case {case.number} {case.name}: {case.status}")
        if case.message:
            lines.append(textwrap.indent(case.message, "    "))
    return "\n".join(lines)


def test_mutation_groups_never_share_an_affected_function():
    calls = _reference_calls()
    # The call graph sees the reference's internal calls (so the grouping is not vacuous).
    assert "layers.dropout_forward" in calls["layers.dropout_backward"]
    assert "network.backward" in calls["network.train_step"]
    groups = _groups(MISTAKES, calls)
    assert sum(len(g["mutants"]) for g in groups) == len(MISTAKES)
    for group in groups:
        sets = [_affected(m.function, calls) for m in group["mutants"]]
        for i, a in enumerate(sets):
            for b in sets[i + 1:]:
                assert not a & b


def _import_package(folder, name):
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def test_mutation_transplant_replaces_the_reference_function(tmp_path):
    forward_mistake = for_function("network.forward")[0]
    adam_mistake = for_function("optimizers.adam_step")[0]
    folder = _submission(tmp_path / "sub", [forward_mistake, adam_mistake])
    name = "chainrule_mutation_test_package"
    try:
        _import_package(folder, name)
        optimizers = importlib.import_module(f"{name}.optimizers")
        network = importlib.import_module(f"{name}.network")
        args = (np.array([1.0, 2.0]), np.array([0.5, -0.5]), np.zeros(2), np.zeros(2), 1)
        for got, want in zip(optimizers.adam_step(*args), adam_mistake.impl(*args)):
            np.testing.assert_array_equal(got, want)
        # The module's own callers now reach the mutant: backward uses the wrong forward.
        rng = np.random.default_rng(0)
        x, t, W1, b1, W2, b2 = _network_params(rng)
        for got, want in zip(network.forward(x, W1, b1, W2, b2),
                             forward_mistake.impl(x, W1, b1, W2, b2)):
            np.testing.assert_array_equal(got, want)
        assert not _same(network.backward(x, t, W1, b1, W2, b2),
                         _reference("network.backward")(x, t, W1, b1, W2, b2))
        assert "network.backward" in _affected("network.forward", _reference_calls())
    finally:
        for module in [m for m in sys.modules if m.split(".")[0] == name]:
            del sys.modules[module]


@needs_engine
def test_mutation_reference_passes_everything(tmp_path):
    from grader import grade_submission

    result = grade_submission(str(_submission(tmp_path / "reference")))
    failing = [q for q, fr in result.functions.items() if not fr.passed]
    assert list(result.functions) == qualified_names()
    assert not failing, "\n".join(_explain(result, q) for q in failing)
    assert result.percent == pytest.approx(100.0)
    assert not [q for q, fr in result.functions.items() if fr.diagnoses]


_GROUPS = _groups(MISTAKES, _reference_calls()) if SOLUTIONS_DIR.is_dir() else []


@needs_engine
@pytest.mark.parametrize("group", _GROUPS,
                         ids=[f"group{i + 1}-{len(g['mutants'])}-mutants"
                              for i, g in enumerate(_GROUPS)])
def test_mutation_every_known_mistake_fails_its_function(group, tmp_path):
    from grader import grade_submission

    mutants = group["mutants"]
    result = grade_submission(str(_submission(tmp_path / "mutant", mutants)))
    problems = []
    for mistake in mutants:
        fr = result.functions[mistake.function]
        if fr.passed:
            problems.append(f"{_mid(mistake)} passed its function\n"
                            f"{_explain(result, mistake.function)}")
        elif mistake.name not in [d.name for d in fr.diagnoses]:
            problems.append(f"{_mid(mistake)} failed but the report does not name it\n"
                            f"{_explain(result, mistake.function)}")
    # Everything the mutants cannot reach must still pass: a mistake fails only its own
    # function (and the reference functions that call it).
    for qualname, fr in result.functions.items():
        if qualname not in group["affected"] and not fr.passed:
            problems.append(f"{qualname} does not depend on any mutant of this group "
                            f"({[_mid(m) for m in mutants]}) but failed\n"
                            f"{_explain(result, qualname)}")
    assert not problems, "\n\n".join(problems)
