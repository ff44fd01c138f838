"""solutions.optimizers: three chained steps of every optimizer against sympy exact arithmetic.

The oracle below is CONTRACT.md's table of update rules transcribed into sympy, applied
elementwise to rational inputs. Inputs and explicit hyperparameters are dyadic rationals,
so the float64 arrays given to the solution hold exactly the same numbers; the contract's
decimal defaults (0.9, 1e-7, ...) enter the oracle as exact rationals. The solution is
fed its own returned state at every step, as a training loop would.
"""
import numpy as np
import pytest
from sympy import Rational as R
from sympy import sqrt

from solutions import optimizers

RTOL = 1e-12
ATOL = 1e-14

W0 = [R(1, 2), R(-3, 4), R(5, 8), R(0)]
GRADS = [  # one gradient per step; the zero hits the eps guard of the adaptive methods
    [R(1, 4), R(-1, 2), R(0), R(3, 2)],
    [R(-1, 8), R(1, 4), R(1, 16), R(-1, 2)],
    [R(3, 8), R(1, 8), R(-1, 4), R(1)],
]
SHAPE = (2, 2)  # parameters are matrices in practice; the rules are elementwise
STATE_A = [R(1, 8), R(0), R(-1, 4), R(1, 2)]  # a non-zero starting velocity / first moment
STATE_B = [R(1, 16), R(0), R(1, 4), R(1, 2)]  # a non-negative starting squared average

DEFAULTS = {
    "sgd": {"lr": R(1, 100)},
    "momentum": {"lr": R(1, 100), "momentum": R(9, 10)},
    "nesterov": {"lr": R(1, 100), "momentum": R(9, 10)},
    "adagrad": {"lr": R(1, 100), "eps": R(1, 10**7)},
    "rmsprop": {"lr": R(1, 1000), "rho": R(9, 10), "eps": R(1, 10**7)},
    "adam": {"lr": R(1, 1000), "beta1": R(9, 10), "beta2": R(999, 1000), "eps": R(1, 10**8)},
}
EXPLICIT = {  # dyadic, far from the defaults, eps large enough that its placement shows
    "sgd": {"lr": R(1, 4)},
    "momentum": {"lr": R(1, 8), "momentum": R(3, 4)},
    "nesterov": {"lr": R(1, 8), "momentum": R(3, 4)},
    "adagrad": {"lr": R(1, 4), "eps": R(1, 64)},
    "rmsprop": {"lr": R(1, 16), "rho": R(3, 4), "eps": R(1, 64)},
    "adam": {"lr": R(1, 16), "beta1": R(3, 4), "beta2": R(7, 8), "eps": R(1, 64)},
}


# --- the oracle: CONTRACT.md's update rules, exactly -----------------------------

def _sgd(w, g, lr):
    return w - lr * g


def _momentum(w, g, v, lr, momentum):
    v = momentum * v - lr * g
    return w + v, v


def _nesterov(w, g, v, lr, momentum):
    v = momentum * v - lr * g
    return w + momentum * v - lr * g, v


def _adagrad(w, g, h, lr, eps):
    h = h + g**2
    return w - lr * g / (sqrt(h) + eps), h


def _rmsprop(w, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return w - lr * g / (sqrt(s) + eps), s


def _adam(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (sqrt(v_hat) + eps), m, v


def _oracle_run(rule, state, hyper, steps=3):
    """Apply ``rule`` elementwise for ``steps`` steps; return [(w, *state)] per step."""
    w = list(W0)
    state = [list(s) for s in state]
    history = []
    for k in range(steps):
        new_w, new_state = [], [[] for _ in state]
        for i in range(len(w)):
            args = [w[i], GRADS[k][i]] + [s[i] for s in state]
            if rule is _adam:
                args.append(k + 1)
            result = rule(*args, **hyper)
            result = result if isinstance(result, tuple) else (result,)
            new_w.append(result[0])
            for j, value in enumerate(result[1:]):
                new_state[j].append(value)
        w, state = new_w, new_state
        history.append([w] + state)
    return history


def _array(values):
    return np.array([float(v.evalf(30)) for v in values], dtype=np.float64).reshape(SHAPE)


def _floats(hyper):
    return {k: float(v) for k, v in hyper.items()}


def _check_step(name, step, got, expected):
    labels = ["w", "state", "second state"]
    for label, got_value, exp_value in zip(labels, got, expected):
        np.testing.assert_allclose(
            got_value, _array(exp_value), rtol=RTOL, atol=ATOL,
            err_msg=f"{name}: {label} after step {step + 1}")


# --- explicit hyperparameters, passed positionally in contract order -------------

RULES = {"sgd": _sgd, "momentum": _momentum, "nesterov": _nesterov, "adagrad": _adagrad,
         "rmsprop": _rmsprop, "adam": _adam}
STARTS = {"sgd": [], "momentum": [STATE_A], "nesterov": [STATE_A], "adagrad": [STATE_B],
          "rmsprop": [STATE_B], "adam": [STATE_A, STATE_B]}


@pytest.mark.parametrize("name", list(RULES))
def test_optimizer_three_steps_match_sympy(name):
    """Positional call: w, grad, *state, [t,] then EXPLICIT[name]'s values, whose key
    order is the contract's argument order."""
    hyper = EXPLICIT[name]
    expected = _oracle_run(RULES[name], STARTS[name], hyper)
    step = getattr(optimizers, f"{name}_step")
    w, state = _array(W0), [_array(s) for s in STARTS[name]]
    for k in range(3):
        t = [k + 1] if name == "adam" else []
        result = step(w, _array(GRADS[k]), *state, *t, *_floats(hyper).values())
        result = result if isinstance(result, tuple) else (result,)
        w, state = result[0], list(result[1:])
        _check_step(f"{name}_step", k, result, expected[k])


# --- the contract's defaults, from a zero state ------------------------------------

ZERO = [R(0)] * 4


@pytest.mark.parametrize("name, rule, n_states", [
    ("sgd", _sgd, 0), ("momentum", _momentum, 1), ("nesterov", _nesterov, 1),
    ("adagrad", _adagrad, 1), ("rmsprop", _rmsprop, 1), ("adam", _adam, 2),
])
def test_optimizer_defaults_three_steps_match_sympy(name, rule, n_states):
    expected = _oracle_run(rule, [ZERO] * n_states, DEFAULTS[name])
    step = getattr(optimizers, f"{name}_step")
    w = _array(W0)
    state = [np.zeros(SHAPE) for _ in range(n_states)]
    for k in range(3):
        extra = [k + 1] if name == "adam" else []
        result = step(w, _array(GRADS[k]), *state, *extra)
        result = result if isinstance(result, tuple) else (result,)
        w, state = result[0], list(result[1:])
        _check_step(f"{name}_step", k, result, expected[k])


# --- keyword arguments use the contract's names -------------------------------------

@pytest.mark.parametrize("name, rule, state_names", [
    ("sgd", _sgd, []), ("momentum", _momentum, ["velocity"]),
    ("nesterov", _nesterov, ["velocity"]), ("adagrad", _adagrad, ["accum"]),
    ("rmsprop", _rmsprop, ["sq_avg"]), ("adam", _adam, ["m", "v"]),
])
def test_optimizer_keyword_arguments_one_step_matches_sympy(name, rule, state_names):
    starts = [STATE_A, STATE_B] if name == "adam" else [STATE_B] * len(state_names)
    expected = _oracle_run(rule, starts, EXPLICIT[name], steps=1)
    kwargs = {n: _array(s) for n, s in zip(state_names, starts)}
    if name == "adam":
        kwargs["t"] = 1
    result = getattr(optimizers, f"{name}_step")(
        w=_array(W0), grad=_array(GRADS[0]), **kwargs, **_floats(EXPLICIT[name]))
    result = result if isinstance(result, tuple) else (result,)
    _check_step(f"{name}_step", 0, result, expected[0])


@pytest.mark.parametrize("name, n_states", [
    ("sgd", 0), ("momentum", 1), ("nesterov", 1), ("adagrad", 1), ("rmsprop", 1),
    ("adam", 2),
])
def test_optimizer_does_not_modify_its_inputs(name, n_states):
    w, g = _array(W0), _array(GRADS[1])
    state = [_array(STATE_B) for _ in range(n_states)]
    copies = [a.copy() for a in [w, g, *state]]
    extra = [1] if name == "adam" else []
    getattr(optimizers, f"{name}_step")(w, g, *state, *extra)
    for original, copy in zip([w, g, *state], copies):
        np.testing.assert_array_equal(original, copy)
