"""solutions.network: the seed's worked backprop example to 8 digits, and finite differences."""
import numpy as np
import pytest

from solutions import network
from solutions_helpers import assert_matches_finite_differences, numerical_gradient

# The seed prints 8 decimals, so a correct value lies within half a unit of the last one.
SEED_ATOL = 5e-9

X = np.array([[0.1, 0.2]])
T = np.array([[0.4, 0.6]])
LR = 0.5

# Weight name -> (matrix, row, column), as CONTRACT.md maps them.
WEIGHT_ENTRIES = {
    "w1": ("W1", 0, 0), "w2": ("W1", 1, 0), "w3": ("W1", 0, 1), "w4": ("W1", 1, 1),
    "w5": ("W2", 0, 0), "w6": ("W2", 1, 0), "w7": ("W2", 0, 1), "w8": ("W2", 1, 1),
}
INITIAL = {"w1": 0.3, "w2": 0.25, "w3": 0.4, "w4": 0.35,
           "w5": 0.45, "w6": 0.4, "w7": 0.7, "w8": 0.6}
UPDATED = {"w1": 0.29959556, "w2": 0.24919112, "w3": 0.39964496, "w4": 0.34928991,
           "w5": 0.43703857, "w6": 0.38685205, "w7": 0.69629578, "w8": 0.59624247}


def _seed_parameters():
    mats = {"W1": np.zeros((2, 2)), "W2": np.zeros((2, 2))}
    for name, (mat, i, j) in WEIGHT_ENTRIES.items():
        mats[mat][i, j] = INITIAL[name]
    return mats["W1"], np.zeros(2), mats["W2"], np.zeros(2)


def _weight(name, W1, W2):
    mat, i, j = WEIGHT_ENTRIES[name]
    return {"W1": W1, "W2": W2}[mat][i, j]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _E(x, t, W1, b1, W2, b2):
    """The seed's E = 1/2 sum (t - o)**2, written out independently of solutions."""
    o = _sigmoid(_sigmoid(x @ W1 + b1) @ W2 + b2)
    return 0.5 * np.sum((t - o) ** 2)


# --- the worked example -----------------------------------------------------------

def test_network_worked_example_hidden_layer():
    W1, b1, W2, b2 = _seed_parameters()
    h, _ = network.forward(X, W1, b1, W2, b2)
    assert h.shape == (1, 2)
    z1 = np.log(h[0, 0] / (1 - h[0, 0]))  # the pre-activation the seed prints
    assert z1 == pytest.approx(0.08, abs=SEED_ATOL)
    assert h[0, 0] == pytest.approx(0.51998934, abs=SEED_ATOL)
    assert h[0, 1] == pytest.approx(0.52747230, abs=SEED_ATOL)


def test_network_worked_example_outputs_and_error():
    W1, b1, W2, b2 = _seed_parameters()
    _, o = network.forward(X, W1, b1, W2, b2)
    assert o.shape == (1, 2)
    assert o[0, 0] == pytest.approx(0.60944600, abs=SEED_ATOL)
    assert o[0, 1] == pytest.approx(0.66384491, abs=SEED_ATOL)
    E = 0.5 * np.sum((T - o) ** 2)
    assert E == pytest.approx(0.02397190, abs=SEED_ATOL)


def test_network_worked_example_gradient_of_w5():
    W1, b1, W2, b2 = _seed_parameters()
    _, _, dW2, _ = network.backward(X, T, W1, b1, W2, b2)
    assert _weight("w5", None, dW2) == pytest.approx(0.02592286, abs=SEED_ATOL)


@pytest.mark.parametrize("name", sorted(UPDATED))
def test_network_worked_example_updated_weight(name):
    W1, b1, W2, b2 = _seed_parameters()
    new_W1, _, new_W2, _ = network.train_step(X, T, W1, b1, W2, b2, LR)
    assert _weight(name, new_W1, new_W2) == pytest.approx(UPDATED[name], abs=SEED_ATOL)


def test_network_worked_example_error_decreases_after_one_step():
    W1, b1, W2, b2 = _seed_parameters()
    before = _E(X, T, W1, b1, W2, b2)
    after = _E(X, T, *network.train_step(X, T, W1, b1, W2, b2, LR))
    assert after < before


def test_network_train_step_does_not_modify_its_inputs():
    W1, b1, W2, b2 = _seed_parameters()
    copies = [a.copy() for a in (X, T, W1, b1, W2, b2)]
    network.train_step(X, T, W1, b1, W2, b2, LR)
    for original, copy in zip((X, T, W1, b1, W2, b2), copies):
        np.testing.assert_array_equal(original, copy)


# --- finite differences on random, non-square networks ----------------------------

@pytest.mark.parametrize("n, d, hidden, out", [(1, 2, 2, 2), (3, 4, 5, 2), (6, 3, 2, 4)])
def test_network_backward_matches_finite_differences(n, d, hidden, out, rng):
    x = rng.normal(size=(n, d))
    t = rng.uniform(size=(n, out))
    W1 = rng.normal(size=(d, hidden))
    b1 = rng.normal(size=hidden)
    W2 = rng.normal(size=(hidden, out))
    b2 = rng.normal(size=out)
    params = [W1, b1, W2, b2]
    grads = network.backward(x, t, W1, b1, W2, b2)
    assert [g.shape for g in grads] == [p.shape for p in params]
    for k, (param, grad) in enumerate(zip(params, grads)):
        def E_of(value, k=k):
            trial = list(params)
            trial[k] = value
            return _E(x, t, *trial)
        assert_matches_finite_differences(grad, numerical_gradient(E_of, param))


def test_network_forward_matches_definition(rng):
    x = rng.normal(size=(4, 3))
    W1, b1 = rng.normal(size=(3, 5)), rng.normal(size=5)
    W2, b2 = rng.normal(size=(5, 2)), rng.normal(size=2)
    h, o = network.forward(x, W1, b1, W2, b2)
    np.testing.assert_allclose(h, _sigmoid(x @ W1 + b1), rtol=1e-14)
    np.testing.assert_allclose(o, _sigmoid(_sigmoid(x @ W1 + b1) @ W2 + b2), rtol=1e-14)


def test_network_train_step_is_one_gradient_descent_step(rng):
    x = rng.normal(size=(3, 2))
    t = rng.uniform(size=(3, 3))
    params = [rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=(4, 3)),
              rng.normal(size=3)]
    lr = 0.3
    new = network.train_step(x, t, *params, lr)
    for k, (param, updated) in enumerate(zip(params, new)):
        def E_of(value, k=k):
            trial = list(params)
            trial[k] = value
            return _E(x, t, *trial)
        expected = param - lr * numerical_gradient(E_of, param)
        np.testing.assert_allclose(updated, expected, rtol=1e-7, atol=1e-9)
