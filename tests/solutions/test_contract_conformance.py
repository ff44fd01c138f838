"""Cross-cutting contract checks for every one of the 52 functions of ``solutions``.

- the signatures (names, order, defaults) are those written in CONTRACT.md, transcribed
  here by hand rather than read from ``chainrule_core.contract``, so the registry is checked too;
- property tests (hypothesis): output shapes and float dtypes, batch size 1 and non-square
  shapes, float32 and float64 input, finite results, and no input array modified.
"""
import importlib
import inspect
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainrule_core.contract import CONTRACT
from solutions_helpers import PROPERTY_SETTINGS, no_numeric_warnings

_ = inspect.Parameter.empty
# CONTRACT.md, function by function: (parameter, default) in order; ``_`` = required.
SIGNATURES = {
    "activations": {
        "sigmoid": [("x", _)], "sigmoid_derivative": [("x", _)],
        "tanh": [("x", _)], "tanh_derivative": [("x", _)],
        "relu": [("x", _)], "relu_derivative": [("x", _)],
        "softplus": [("x", _)], "softplus_derivative": [("x", _)],
        "softmax": [("z", _), ("axis", -1)],
    },
    "losses": {
        "mean_squared_error": [("y_true", _), ("y_pred", _)],
        "mean_squared_error_grad": [("y_true", _), ("y_pred", _)],
        "sum_squared_error": [("y_true", _), ("y_pred", _)],
        "sum_squared_error_grad": [("y_true", _), ("y_pred", _)],
        "binary_crossentropy": [("y_true", _), ("y_pred", _), ("eps", 1e-7)],
        "binary_crossentropy_grad": [("y_true", _), ("y_pred", _), ("eps", 1e-7)],
        "categorical_crossentropy": [("y_true", _), ("y_pred", _), ("eps", 1e-7)],
        "sparse_categorical_crossentropy": [("labels", _), ("y_pred", _), ("eps", 1e-7)],
        "softmax_crossentropy_grad": [("labels", _), ("logits", _)],
        "class_weights_balanced": [("labels", _), ("n_classes", _)],
        "weighted_sparse_categorical_crossentropy": [
            ("labels", _), ("y_pred", _), ("class_weight", _), ("eps", 1e-7)],
    },
    "layers": {
        "dense_forward": [("x", _), ("W", _), ("b", _)],
        "dense_backward": [("dout", _), ("x", _), ("W", _)],
        "dropout_mask": [("shape", _), ("rate", _), ("rng", _)],
        "dropout_forward": [("x", _), ("mask", _), ("rate", _)],
        "dropout_backward": [("dout", _), ("mask", _), ("rate", _)],
        "batchnorm_forward": [("x", _), ("gamma", _), ("beta", _), ("eps", 1e-5)],
        "batchnorm_backward": [("dout", _), ("x", _), ("gamma", _), ("eps", 1e-5)],
    },
    "network": {
        "forward": [("x", _), ("W1", _), ("b1", _), ("W2", _), ("b2", _)],
        "backward": [("x", _), ("t", _), ("W1", _), ("b1", _), ("W2", _), ("b2", _)],
        "train_step": [("x", _), ("t", _), ("W1", _), ("b1", _), ("W2", _), ("b2", _),
                       ("lr", _)],
    },
    "optimizers": {
        "sgd_step": [("w", _), ("grad", _), ("lr", 0.01)],
        "momentum_step": [("w", _), ("grad", _), ("velocity", _), ("lr", 0.01),
                          ("momentum", 0.9)],
        "nesterov_step": [("w", _), ("grad", _), ("velocity", _), ("lr", 0.01),
                          ("momentum", 0.9)],
        "adagrad_step": [("w", _), ("grad", _), ("accum", _), ("lr", 0.01), ("eps", 1e-7)],
        "rmsprop_step": [("w", _), ("grad", _), ("sq_avg", _), ("lr", 0.001), ("rho", 0.9),
                         ("eps", 1e-7)],
        "adam_step": [("w", _), ("grad", _), ("m", _), ("v", _), ("t", _), ("lr", 0.001),
                      ("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8)],
    },
    "regularization": {
        "l2_penalty": [("W", _), ("lam", _)], "l2_grad": [("W", _), ("lam", _)],
        "l1_penalty": [("W", _), ("lam", _)], "l1_grad": [("W", _), ("lam", _)],
        "max_norm": [("W", _), ("max_value", 2.0), ("axis", 0)],
    },
    "initializers": {
        "random_normal": [("shape", _), ("rng", _), ("mean", 0.0), ("stddev", 0.05)],
        "random_uniform": [("shape", _), ("rng", _), ("minval", -0.05), ("maxval", 0.05)],
        "glorot_uniform": [("fan_in", _), ("fan_out", _), ("rng", _)],
        "he_normal": [("fan_in", _), ("fan_out", _), ("rng", _)],
    },
    "training": {
        "iterations_per_epoch": [("n_samples", _), ("batch_size", _)],
        "minibatch_indices": [("n_samples", _), ("batch_size", _), ("rng", _),
                              ("shuffle", True)],
        "early_stopping_epoch": [("val_losses", _), ("patience", _), ("min_delta", 0.0)],
        "time_based_decay": [("lr0", _), ("decay", _), ("iteration", _)],
        "gradient_descent_quadratic": [("a", _), ("b", _), ("x0", _), ("lr", _),
                                       ("steps", _)],
        "train_val_test_split": [("n_samples", _), ("val_fraction", _),
                                 ("test_fraction", _), ("rng", _)],
        "log_uniform": [("low", _), ("high", _), ("size", _), ("rng", _)],
    },
}

ALL_FUNCTIONS = [(module, name) for module, names in SIGNATURES.items() for name in names]


def _function(module, name):
    return getattr(importlib.import_module(f"solutions.{module}"), name)


def test_contract_has_52_functions_in_the_registry_order():
    assert len(ALL_FUNCTIONS) == 52
    assert {m: list(names) for m, names in SIGNATURES.items()} == CONTRACT


@pytest.mark.parametrize("module, name", ALL_FUNCTIONS)
def test_contract_signature_matches(module, name):
    params = list(inspect.signature(_function(module, name)).parameters.values())
    expected = SIGNATURES[module][name]
    got = [(p.name, p.default) for p in params[:len(expected)]]
    assert got == expected
    for p in params:
        assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.VAR_KEYWORD), p
    for p in params[len(expected):]:  # extensions must be optional
        assert p.default is not _ or p.kind is p.VAR_KEYWORD, p


@pytest.mark.parametrize("module, name", ALL_FUNCTIONS)
def test_contract_function_has_a_cs231n_docstring(module, name):
    """``Inputs:`` lists every argument as ``- name:``; a ``Returns`` section follows
    (``Returns:`` or CS231n's ``Returns a tuple of:``)."""
    doc = inspect.getdoc(_function(module, name)) or ""
    assert re.search(r"^Inputs:$", doc, re.M), doc
    assert re.search(r"^Returns\b.*:$", doc, re.M), doc
    inputs = doc[doc.index("Inputs:"):]
    documented = {item.strip() for line in re.findall(r"^- ([^:]+):", inputs, re.M)
                  for item in line.split(",")}  # "- W1, b1, W2, b2: ..." documents four
    for param, _default in SIGNATURES[module][name]:
        assert param in documented, f"{param} undocumented"


# --- property tests over every function ---------------------------------------------
#
# Each case builds arguments from (rng, dtype, n, d, m) and returns them with the expected
# result: a shape for a float array, "scalar" for a float, "int", "bool:<shape>", or a
# list of those for a tuple result. Sizes are drawn by hypothesis (n = 1 included, D != M
# in general), so every function sees batch size 1 and non-square weights.

def _probs(rng, dtype, n, k):
    return rng.dirichlet(np.ones(k), size=n).astype(dtype)


def _case_activation(rng, dtype, n, d, m):
    return (rng.normal(scale=3.0, size=(n, d)).astype(dtype),), (n, d)


def _case_pair(rng, dtype, n, d, m, result):
    y_true = rng.uniform(size=(n, m)).astype(dtype)
    y_pred = rng.uniform(0.01, 0.99, size=(n, m)).astype(dtype)
    return (y_true, y_pred), (result if result == "scalar" else (n, m))


def _case_one_hot(rng, dtype, n, d, m):
    labels = rng.integers(0, m, size=n)
    return (np.eye(m, dtype=dtype)[labels], _probs(rng, dtype, n, m)), "scalar"


def _case_sparse(rng, dtype, n, d, m):
    return (rng.integers(0, m, size=n), _probs(rng, dtype, n, m)), "scalar"


def _case_softmax_ce_grad(rng, dtype, n, d, m):
    return (rng.integers(0, m, size=n), rng.normal(size=(n, m)).astype(dtype)), (n, m)


def _case_class_weights(rng, dtype, n, d, m):
    return (rng.integers(0, m, size=n), m), (m,)


def _case_weighted(rng, dtype, n, d, m):
    return (rng.integers(0, m, size=n), _probs(rng, dtype, n, m),
            rng.uniform(0.1, 3, size=m).astype(dtype)), "scalar"


def _arr(rng, dtype, *shape):
    return rng.normal(size=shape).astype(dtype)


def _network_params(rng, dtype, d, m, k=3):
    return (_arr(rng, dtype, d, m), _arr(rng, dtype, m), _arr(rng, dtype, m, k),
            _arr(rng, dtype, k))


def _case_network(rng, dtype, n, d, m, which):
    x = _arr(rng, dtype, n, d)
    t = rng.uniform(size=(n, 3)).astype(dtype)
    params = _network_params(rng, dtype, d, m)
    shapes = [(d, m), (m,), (m, 3), (3,)]
    if which == "forward":
        return (x, *params), [(n, m), (n, 3)]
    if which == "backward":
        return (x, t, *params), shapes
    return (x, t, *params, 0.5), shapes


def _case_optimizer(rng, dtype, n, d, m, n_states, adam=False):
    w, g = _arr(rng, dtype, d, m), _arr(rng, dtype, d, m)
    states = [np.abs(_arr(rng, dtype, d, m)) for _ in range(n_states)]
    extra = [int(rng.integers(1, 10))] if adam else []
    expected = (d, m) if n_states == 0 else [(d, m)] * (n_states + 1)
    return (w, g, *states, *extra), expected


def _case_rng_shape(fn_args, expected):
    return lambda rng, dtype, n, d, m: (fn_args(rng, n, d, m), expected(n, d, m))


CASES = {
    **{("activations", name): _case_activation for name in SIGNATURES["activations"]},
    ("losses", "mean_squared_error"): lambda *a: _case_pair(*a, result="scalar"),
    ("losses", "mean_squared_error_grad"): lambda *a: _case_pair(*a, result="grad"),
    ("losses", "sum_squared_error"): lambda *a: _case_pair(*a, result="scalar"),
    ("losses", "sum_squared_error_grad"): lambda *a: _case_pair(*a, result="grad"),
    ("losses", "binary_crossentropy"): lambda *a: _case_pair(*a, result="scalar"),
    ("losses", "binary_crossentropy_grad"): lambda *a: _case_pair(*a, result="grad"),
    ("losses", "categorical_crossentropy"): _case_one_hot,
    ("losses", "sparse_categorical_crossentropy"): _case_sparse,
    ("losses", "softmax_crossentropy_grad"): _case_softmax_ce_grad,
    ("losses", "class_weights_balanced"): _case_class_weights,
    ("losses", "weighted_sparse_categorical_crossentropy"): _case_weighted,
    ("layers", "dense_forward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, d), _arr(rng, dt, d, m), _arr(rng, dt, m)), (n, m)),
    ("layers", "dense_backward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, m), _arr(rng, dt, n, d), _arr(rng, dt, d, m)),
        [(n, d), (d, m), (m,)]),
    ("layers", "dropout_mask"): lambda rng, dt, n, d, m: (((n, d), 0.3, rng), f"bool:{n},{d}"),
    ("layers", "dropout_forward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, d), rng.uniform(size=(n, d)) < 0.7, 0.3), (n, d)),
    ("layers", "dropout_backward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, d), rng.uniform(size=(n, d)) < 0.7, 0.3), (n, d)),
    ("layers", "batchnorm_forward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, d), _arr(rng, dt, d), _arr(rng, dt, d)), (n, d)),
    ("layers", "batchnorm_backward"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, n, d), _arr(rng, dt, n, d), _arr(rng, dt, d)), [(n, d), (d,), (d,)]),
    ("network", "forward"): lambda *a: _case_network(*a, which="forward"),
    ("network", "backward"): lambda *a: _case_network(*a, which="backward"),
    ("network", "train_step"): lambda *a: _case_network(*a, which="train_step"),
    ("optimizers", "sgd_step"): lambda *a: _case_optimizer(*a, n_states=0),
    ("optimizers", "momentum_step"): lambda *a: _case_optimizer(*a, n_states=1),
    ("optimizers", "nesterov_step"): lambda *a: _case_optimizer(*a, n_states=1),
    ("optimizers", "adagrad_step"): lambda *a: _case_optimizer(*a, n_states=1),
    ("optimizers", "rmsprop_step"): lambda *a: _case_optimizer(*a, n_states=1),
    ("optimizers", "adam_step"): lambda *a: _case_optimizer(*a, n_states=2, adam=True),
    ("regularization", "l2_penalty"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, d, m), 0.01), "scalar"),
    ("regularization", "l2_grad"): lambda rng, dt, n, d, m: ((_arr(rng, dt, d, m), 0.01), (d, m)),
    ("regularization", "l1_penalty"): lambda rng, dt, n, d, m: (
        (_arr(rng, dt, d, m), 0.01), "scalar"),
    ("regularization", "l1_grad"): lambda rng, dt, n, d, m: ((_arr(rng, dt, d, m), 0.01), (d, m)),
    ("regularization", "max_norm"): lambda rng, dt, n, d, m: (
        (3 * _arr(rng, dt, d, m), 1.0), (d, m)),
    ("initializers", "random_normal"): _case_rng_shape(
        lambda rng, n, d, m: ((n, d), rng), lambda n, d, m: (n, d)),
    ("initializers", "random_uniform"): _case_rng_shape(
        lambda rng, n, d, m: ((n, d), rng), lambda n, d, m: (n, d)),
    ("initializers", "glorot_uniform"): _case_rng_shape(
        lambda rng, n, d, m: (d, m, rng), lambda n, d, m: (d, m)),
    ("initializers", "he_normal"): _case_rng_shape(
        lambda rng, n, d, m: (d, m, rng), lambda n, d, m: (d, m)),
    ("training", "iterations_per_epoch"): lambda rng, dt, n, d, m: ((n * d, m), "int"),
    ("training", "minibatch_indices"): lambda rng, dt, n, d, m: ((n * d, m, rng), "batches"),
    ("training", "early_stopping_epoch"): lambda rng, dt, n, d, m: (
        (rng.uniform(size=n * d).astype(dt), m), "int_pair"),
    ("training", "time_based_decay"): lambda rng, dt, n, d, m: ((0.1, 0.01, n * d), "scalar"),
    ("training", "gradient_descent_quadratic"): lambda rng, dt, n, d, m: (
        (1.5, -2.0, 4.0, 0.1, n * d), (n * d + 1,)),
    ("training", "train_val_test_split"): lambda rng, dt, n, d, m: (
        (n * d + 3, 0.2, 0.3, rng), "splits"),
    ("training", "log_uniform"): lambda rng, dt, n, d, m: ((1e-4, 1e-1, n * d, rng), (n * d,)),
}


def _check_result(out, expected, label):
    if isinstance(expected, list):
        assert isinstance(out, tuple) and len(out) == len(expected), f"{label}: {out!r}"
        for k, (part, exp) in enumerate(zip(out, expected)):
            _check_result(part, exp, f"{label}[{k}]")
    elif expected == "scalar":
        assert np.ndim(out) == 0 and np.asarray(out).dtype.kind == "f", f"{label}: {out!r}"
        assert np.isfinite(out), label
    elif expected == "int":
        assert isinstance(out, (int, np.integer)), f"{label}: {out!r}"
    elif expected == "int_pair":
        assert len(out) == 2 and all(isinstance(v, (int, np.integer)) for v in out), label
    elif expected in ("batches", "splits"):
        for part in out:
            assert np.asarray(part).dtype.kind in "iu", f"{label}: {part!r}"
    elif isinstance(expected, str) and expected.startswith("bool:"):
        shape = tuple(int(s) for s in expected[5:].split(","))
        assert out.shape == shape and out.dtype == np.bool_, label
    else:
        assert np.shape(out) == expected, f"{label}: shape {np.shape(out)}, expected {expected}"
        assert np.asarray(out).dtype.kind == "f", f"{label}: dtype {np.asarray(out).dtype}"
        assert np.all(np.isfinite(out)), f"{label}: not finite"


def test_contract_every_function_has_a_property_case():
    assert sorted(CASES) == sorted(ALL_FUNCTIONS)


@pytest.mark.parametrize("module, name", ALL_FUNCTIONS)
@PROPERTY_SETTINGS
@given(n=st.integers(1, 5), d=st.integers(1, 4), m=st.integers(2, 5),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**32 - 1))
def test_contract_shapes_dtypes_and_no_input_mutation(module, name, n, d, m, dtype, seed):
    args, expected = CASES[(module, name)](np.random.default_rng(seed), dtype, n, d, m)
    snapshots = [(k, a.copy()) for k, a in enumerate(args) if isinstance(a, np.ndarray)]
    with no_numeric_warnings():
        out = _function(module, name)(*args)
    for k, before in snapshots:
        np.testing.assert_array_equal(args[k], before,
                                      err_msg=f"{name} modified its argument {k}")
        assert args[k].dtype == before.dtype
    _check_result(out, expected, f"{module}.{name}")
