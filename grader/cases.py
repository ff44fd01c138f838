"""The cases of every contract function (registered: ``BUILDERS[qualname](rng)``).

Each builder takes a ``numpy.random.Generator`` seeded from (seed, function) and returns
the function's named cases in a fixed order (``--case K`` is the 1-based position).
Tolerances are explicit per case: ``F64`` for float64 inputs, ``F32`` for float32 inputs,
``FD`` for comparisons with central finite differences. Use ``cases_for(qualname, seed)``.
"""

from __future__ import annotations

import zlib

import numpy as np

from grader import stats
from grader.framework import Call, Case, FeedError
from chainrule_core.contract import STATE_COUNT
from grader.sandbox import Rng

F64 = dict(rtol=1e-6, atol=1e-9)
F32 = dict(rtol=1e-4, atol=1e-6)
FD = dict(rtol=1e-5, atol=1e-8)
TINY = dict(rtol=1e-6, atol=1e-13)   # values around 1e-5: atol far below their size
EXACT = dict(rtol=0.0, atol=0.0)

BUILDERS = {}


def builder(*qualnames):
    def register(fn):
        for q in qualnames:
            BUILDERS[q] = fn
        return fn
    return register


def cases_for(qualname, seed):
    """The numbered cases of ``qualname`` for ``seed``."""
    rng = np.random.default_rng([int(seed), zlib.crc32(qualname.encode())])
    cases = BUILDERS[qualname](qualname, rng)
    for k, case in enumerate(cases, 1):
        case.number = k
    return cases


def U(rng, shape, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def central_diff(f, x, h=1e-6):
    """d f(x) / d x for scalar-valued ``f``, by central differences over every element."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


# ------------------------------------------------------------------------ activations
_FORWARD = {
    "activations.sigmoid_derivative": "activations.sigmoid",
    "activations.tanh_derivative": "activations.tanh",
    "activations.relu_derivative": "activations.relu",
    "activations.softplus_derivative": "activations.softplus",
}


@builder("activations.sigmoid", "activations.tanh", "activations.relu", "activations.softplus",
         "activations.sigmoid_derivative", "activations.tanh_derivative",
         "activations.relu_derivative", "activations.softplus_derivative")
def _elementwise(q, rng):
    x = U(rng, (3, 5), -5, 5)
    x[0, 0] = 0.0
    cases = [
        Case(q, "random non-square (3, 5), including 0", [Call(x)], **F64),
        Case(q, "batch of 1 (1, 4)", [Call(U(rng, (1, 4), -3, 3))], **F64),
        Case(q, "0-d input", [Call(np.array(rng.uniform(-2, 2)))], **F64),
        Case(q, "float32 (4, 3)", [Call(U(rng, (4, 3), -4, 4, np.float32))], **F32),
        Case(q, "extremes +-1000", [Call(np.array([-1000.0, -50.0, -1.5, 0.0, 2.5, 50.0, 1000.0]))],
             **F64),
    ]
    if q in _FORWARD:
        fwd = _FORWARD[q]
        xf = U(rng, (4, 3), -4, 4)
        xf[np.abs(xf) < 0.05] = 0.5   # keep away from relu's kink

        def fd(ref, x, fwd=fwd):
            f = ref(fwd)
            h = 1e-6
            return [(np.asarray(f(x + h), float) - np.asarray(f(x - h), float)) / (2 * h)]

        cases.append(Case(q, "finite differences of the forward function", [Call(xf)],
                          kind="fd", fd=fd, **FD))
    return cases


@builder("activations.softmax")
def _softmax(q, rng):
    return [
        Case(q, "random (4, 6), axis=-1", [Call(U(rng, (4, 6), -3, 3), -1)], **F64),
        Case(q, "axis=0 on (5, 3)", [Call(U(rng, (5, 3), -3, 3), 0)], **F64),
        Case(q, "batch of 1 (1, 7)", [Call(U(rng, (1, 7), -3, 3), -1)], **F64),
        Case(q, "large logits around 1000", [Call(1000.0 + U(rng, (3, 4), -5, 5), -1)], **F64),
        Case(q, "float32 (4, 5)", [Call(U(rng, (4, 5), -3, 3, np.float32), -1)], **F32),
        Case(q, "1-D (6,)", [Call(U(rng, (6,), -3, 3), -1)], **F64),
    ]


# ------------------------------------------------------------------------ losses
def _loss_fd(loss_name, wrt=1):
    def fd(ref, *args):
        f = ref(loss_name)
        args = list(args)

        def at(v):
            args2 = list(args)
            args2[wrt] = v
            return float(f(*args2))
        return [central_diff(at, args[wrt])]
    return fd


@builder("losses.mean_squared_error", "losses.sum_squared_error",
         "losses.mean_squared_error_grad", "losses.sum_squared_error_grad")
def _squared(q, rng):
    cases = [
        Case(q, "random non-square (4, 3)", [Call(U(rng, (4, 3)), U(rng, (4, 3)))], **F64),
        Case(q, "batch of 1 (1, 2)", [Call(U(rng, (1, 2)), U(rng, (1, 2)))], **F64),
        Case(q, "float32 (5, 2)", [Call(U(rng, (5, 2), dtype=np.float32), U(rng, (5, 2), dtype=np.float32))],
             **F32),
        Case(q, "1-D (6,)", [Call(U(rng, (6,)), U(rng, (6,)))], **F64),
    ]
    if q.endswith("_grad"):
        cases.append(Case(q, "finite differences of the loss", [Call(U(rng, (3, 4)), U(rng, (3, 4)))],
                          kind="fd", fd=_loss_fd(q[: -len("_grad")]), **FD))
    return cases


def _targets(rng, shape):
    return (rng.random(shape) < 0.5).astype(np.float64)


@builder("losses.binary_crossentropy", "losses.binary_crossentropy_grad")
def _bce(q, rng):
    extremes_t = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    extremes_p = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 1e-9])
    cases = [
        Case(q, "random (4, 3)", [Call(_targets(rng, (4, 3)), U(rng, (4, 3), 0.05, 0.95))], **F64),
        Case(q, "p exactly 0 and 1 (clipped to [eps, 1 - eps])", [Call(extremes_t, extremes_p)],
             rtol=1e-6, atol=1e-6),
        Case(q, "soft targets, eps=1e-3", [Call(U(rng, (5,), 0, 1), U(rng, (5,), 0.0, 1.0), 1e-3)], **F64),
        Case(q, "float32 (3, 2)", [Call(_targets(rng, (3, 2)).astype(np.float32),
                                        U(rng, (3, 2), 0.1, 0.9, np.float32))], **F32),
        Case(q, "batch of 1 (1, 1)", [Call(np.array([[1.0]]), np.array([[0.3]]))], **F64),
    ]
    if q.endswith("_grad"):
        cases.append(Case(q, "finite differences of the loss",
                          [Call(_targets(rng, (3, 4)), U(rng, (3, 4), 0.1, 0.9))],
                          kind="fd", fd=_loss_fd("losses.binary_crossentropy"), **FD))
    return cases


def _probs(rng, n, k, dtype=np.float64):
    z = rng.normal(size=(n, k))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return p.astype(dtype)


def _onehot(labels, k):
    out = np.zeros((labels.size, k))
    out[np.arange(labels.size), labels] = 1.0
    return out


@builder("losses.categorical_crossentropy")
def _cce(q, rng):
    lab = rng.integers(0, 4, 5)
    p0 = _probs(rng, 3, 3)
    lab0 = np.array([0, 1, 2])
    p0[0] = [0.0, 0.5, 0.5]       # probability 0 for the true class: clipped, finite
    lab32 = rng.integers(0, 3, 4)
    return [
        Case(q, "random one-hot (5, 4)", [Call(_onehot(lab, 4), _probs(rng, 5, 4))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(_onehot(lab0, 3), p0)], **F64),
        Case(q, "batch of 1 (1, 3)", [Call(_onehot(np.array([2]), 3), _probs(rng, 1, 3))], **F64),
        Case(q, "float32 (4, 3)", [Call(_onehot(lab32, 3).astype(np.float32), _probs(rng, 4, 3, np.float32))],
             **F32),
    ]


@builder("losses.sparse_categorical_crossentropy")
def _scce(q, rng):
    p0 = _probs(rng, 3, 3)
    p0[1] = [0.5, 0.0, 0.5]
    return [
        Case(q, "random (6, 4)", [Call(rng.integers(0, 4, 6), _probs(rng, 6, 4))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(np.array([0, 1, 2]), p0)], **F64),
        Case(q, "batch of 1 (1, 5), int32 labels", [Call(np.array([3], dtype=np.int32), _probs(rng, 1, 5))],
             **F64),
        Case(q, "float32 (4, 3)", [Call(rng.integers(0, 3, 4), _probs(rng, 4, 3, np.float32))], **F32),
    ]


@builder("losses.softmax_crossentropy_grad")
def _sce_grad(q, rng):
    def fd(ref, labels, logits):
        softmax = ref("activations.softmax")
        loss = ref("losses.sparse_categorical_crossentropy")
        return [central_diff(lambda z: float(loss(labels, softmax(z, -1))), logits)]
    return [
        Case(q, "random (5, 4)", [Call(rng.integers(0, 4, 5), U(rng, (5, 4), -2, 2))], **F64),
        Case(q, "large logits around 1000", [Call(rng.integers(0, 3, 4), 1000 + U(rng, (4, 3), -5, 5))], **F64),
        Case(q, "batch of 1 (1, 6)", [Call(np.array([4]), U(rng, (1, 6), -2, 2))], **F64),
        Case(q, "float32 (3, 4)", [Call(rng.integers(0, 4, 3), U(rng, (3, 4), -2, 2, np.float32))], **F32),
        Case(q, "finite differences of softmax + cross-entropy",
             [Call(rng.integers(0, 3, 4), U(rng, (4, 3), -1, 1))], kind="fd", fd=fd, **FD),
    ]


@builder("losses.class_weights_balanced")
def _class_weights(q, rng):
    lab = rng.integers(0, 3, 20)
    lab[:3] = [0, 1, 2]
    missing = np.array([0, 0, 2, 2, 2, 0, 3])
    return [
        Case(q, "random labels, 3 classes", [Call(lab, 3)], **F64),
        Case(q, "a class that never occurs gets 0", [Call(missing, 5)], **F64),
        Case(q, "one class only", [Call(np.array([1, 1, 1, 1]), 2)], **F64),
    ]


@builder("losses.weighted_sparse_categorical_crossentropy")
def _wscce(q, rng):
    p0 = _probs(rng, 3, 3)
    p0[2] = [0.5, 0.5, 0.0]
    return [
        Case(q, "random (6, 3), weights (3,)", [Call(rng.integers(0, 3, 6), _probs(rng, 6, 3),
                                                     U(rng, (3,), 0.5, 3))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(np.array([0, 1, 2]), p0,
                                                                  np.array([1.0, 2.0, 0.5]))], **F64),
        Case(q, "batch of 1", [Call(np.array([1]), _probs(rng, 1, 4), U(rng, (4,), 0.5, 3))], **F64),
        Case(q, "float32", [Call(rng.integers(0, 3, 4), _probs(rng, 4, 3, np.float32),
                                 U(rng, (3,), 0.5, 2, np.float32))], **F32),
    ]


# ------------------------------------------------------------------------ layers
@builder("layers.dense_forward")
def _dense_forward(q, rng):
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 3)), U(rng, (3, 5)), U(rng, (5,)))],
             **F64),
        Case(q, "batch of 1: x (1, 2), W (2, 3)", [Call(U(rng, (1, 2)), U(rng, (2, 3)), U(rng, (3,)))], **F64),
        Case(q, "float32: x (3, 4), W (4, 2)", [Call(U(rng, (3, 4), dtype=np.float32),
                                                     U(rng, (4, 2), dtype=np.float32), U(rng, (2,), dtype=np.float32))],
             **F32),
    ]


@builder("layers.dense_backward")
def _dense_backward(q, rng):
    def fd(ref, dout, x, W):
        f = ref("layers.dense_forward")
        b = np.linspace(-0.5, 0.5, W.shape[1])
        return [(central_diff(lambda v: float(np.sum(dout * f(v, W, b))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, b))), W),
                 central_diff(lambda v: float(np.sum(dout * f(x, W, v))), b))]
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 5)), U(rng, (4, 3)), U(rng, (3, 5)))],
             **F64),
        Case(q, "batch of 1: x (1, 3), W (3, 2)", [Call(U(rng, (1, 2)), U(rng, (1, 3)), U(rng, (3, 2)))], **F64),
        Case(q, "float32: x (3, 2), W (2, 4)", [Call(U(rng, (3, 4), dtype=np.float32), U(rng, (3, 2), dtype=np.float32),
                                                     U(rng, (2, 4), dtype=np.float32))], **F32),
        Case(q, "finite differences of dense_forward", [Call(U(rng, (3, 2)), U(rng, (3, 4)), U(rng, (4, 2)))],
             kind="fd", fd=fd, **FD),
    ]


def _mask(rng, shape, keep=0.7):
    return rng.random(shape) < keep


@builder("layers.dropout_forward", "layers.dropout_backward")
def _dropout_apply(q, rng):
    cases = [
        Case(q, "random (4, 5), rate 0.3", [Call(U(rng, (4, 5)), _mask(rng, (4, 5)), 0.3)], **F64),
        Case(q, "rate 0 keeps everything", [Call(U(rng, (2, 3)), np.ones((2, 3), dtype=bool), 0.0)], **F64),
        Case(q, "float32 (3, 3), rate 0.5", [Call(U(rng, (3, 3), dtype=np.float32), _mask(rng, (3, 3), 0.5), 0.5)],
             **F32),
    ]
    if q.endswith("backward"):
        def fd(ref, dout, mask, rate):
            f = ref("layers.dropout_forward")
            x0 = np.linspace(-1, 1, dout.size).reshape(dout.shape)
            return [central_diff(lambda v: float(np.sum(dout * f(v, mask, rate))), x0)]
        cases.append(Case(q, "finite differences of dropout_forward",
                          [Call(U(rng, (3, 4)), _mask(rng, (3, 4)), 0.25)], kind="fd", fd=fd, **FD))
    return cases


def _low_var(rng, n, d):
    # features with a standard deviation of 1e-3 around 5: var ~1e-6 is close to eps=1e-5,
    # so an eps outside the square root (or ddof=1) changes the result visibly
    return 5.0 + 1e-3 * rng.normal(size=(n, d))


@builder("layers.batchnorm_forward")
def _bn_forward(q, rng):
    return [
        Case(q, "random (8, 4)", [Call(rng.normal(2, 3, (8, 4)), U(rng, (4,), 0.5, 2), U(rng, (4,)))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(_low_var(rng, 6, 3), U(rng, (3,), 0.5, 2), U(rng, (3,)))],
             **F64),
        Case(q, "batch of 2, eps=1e-3", [Call(rng.normal(size=(2, 3)), U(rng, (3,), 0.5, 2), U(rng, (3,)), 1e-3)],
             **F64),
        Case(q, "float32 (5, 3)", [Call(rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32), U(rng, (3,), dtype=np.float32))], **F32),
    ]


@builder("layers.batchnorm_backward")
def _bn_backward(q, rng):
    def fd(ref, dout, x, gamma, eps=1e-5):
        f = ref("layers.batchnorm_forward")
        beta = np.linspace(-0.3, 0.3, gamma.size)
        return [(central_diff(lambda v: float(np.sum(dout * f(v, gamma, beta, eps))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, beta, eps))), gamma),
                 central_diff(lambda v: float(np.sum(dout * f(x, gamma, v, eps))), beta))]
    return [
        Case(q, "random (6, 4)", [Call(U(rng, (6, 4)), rng.normal(1, 2, (6, 4)), U(rng, (4,), 0.5, 2))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(U(rng, (6, 3)), _low_var(rng, 6, 3), U(rng, (3,), 0.5, 2))],
             rtol=1e-6, atol=1e-7),
        Case(q, "float32 (5, 3)", [Call(U(rng, (5, 3), dtype=np.float32), rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32))], rtol=1e-3, atol=1e-5),
        Case(q, "finite differences of batchnorm_forward",
             [Call(U(rng, (5, 3)), rng.normal(size=(5, 3)), U(rng, (3,), 0.5, 2), 1e-5)], kind="fd", fd=fd,
             rtol=1e-5, atol=1e-7),
    ]


# ------------------------------------------------------------------------ network
def _worked_example():
    x = np.array([[0.1, 0.2]])
    W1 = np.array([[0.3, 0.4], [0.25, 0.35]])
    W2 = np.array([[0.45, 0.7], [0.4, 0.6]])
    return x, np.array([[0.4, 0.6]]), W1, np.zeros(2), W2, np.zeros(2)


def _random_net(rng, n, d, h, k):
    return (U(rng, (n, d)), rng.random((n, k)), U(rng, (d, h)), U(rng, (h,), -0.5, 0.5),
            U(rng, (h, k)), U(rng, (k,), -0.5, 0.5))


@builder("network.forward")
def _net_forward(q, rng):
    x, t, W1, b1, W2, b2 = _worked_example()
    r = _random_net(rng, 5, 3, 4, 2)
    one = _random_net(rng, 1, 2, 3, 2)
    return [
        Case(q, "the worked example of the notes", [Call(x, W1, b1, W2, b2)], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2", [Call(r[0], *r[2:])], **F64),
        Case(q, "batch of 1: 2 -> 3 -> 2", [Call(one[0], *one[2:])], **F64),
    ]


@builder("network.backward")
def _net_backward(q, rng):
    def fd(ref, x, t, W1, b1, W2, b2):
        fwd = ref("network.forward")

        def E(params):
            o = fwd(x, *params)[1]
            return float(0.5 * np.sum((t - o) ** 2))
        ps = [W1, b1, W2, b2]
        out = []
        for i in range(4):
            def at(v, i=i):
                p2 = list(ps)
                p2[i] = v
                return E(p2)
            out.append(central_diff(at, ps[i]))
        return [tuple(out)]
    return [
        Case(q, "the worked example of the notes", [Call(*_worked_example())], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2", [Call(*_random_net(rng, 5, 3, 4, 2))], **F64),
        Case(q, "batch of 1: 2 -> 3 -> 2", [Call(*_random_net(rng, 1, 2, 3, 2))], **F64),
        Case(q, "finite differences of the error E", [Call(*_random_net(rng, 4, 3, 2, 2))], kind="fd", fd=fd, **FD),
    ]


@builder("network.train_step")
def _net_train(q, rng):
    return [
        Case(q, "the worked example of the notes (lr 0.5)", [Call(*_worked_example(), 0.5)], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2, lr 0.1", [Call(*_random_net(rng, 5, 3, 4, 2), 0.1)],
             **F64),
        Case(q, "batch of 1: 2 -> 3 -> 2, lr 1.0", [Call(*_random_net(rng, 1, 2, 3, 2), 1.0)], **F64),
    ]


# ------------------------------------------------------------------------ optimizers
_MOMENTUM_NOTE = ("Your w is right, so the update is right; but the state must be in the "
                  "contract's convention: the velocity holds the step, v = momentum * v - lr * grad "
                  "(Keras, CS231n). PyTorch's buffer b = momentum * b + grad gives the same w but a "
                  "different state.")


def _optimizer_feed(q, grads):
    n_state = STATE_COUNT[q]

    def feed(prev_call, out, k):
        if n_state == 0:
            w, state = out, ()
        else:
            if not isinstance(out, (tuple, list)) or len(out) != n_state + 1:
                raise FeedError
            w, state = out[0], tuple(out[1:])
        if not isinstance(w, np.ndarray) or any(not isinstance(s, np.ndarray) for s in state):
            raise FeedError
        args = list(prev_call.args)
        args[0] = w
        args[1] = grads[k]
        args[2:2 + n_state] = state
        if q == "optimizers.adam_step":
            args[4] = k + 1
        return Call(*args)
    return feed


def _optimizer_call(q, w, g, hyper, dtype=np.float64):
    n_state = STATE_COUNT[q]
    state = [np.zeros_like(w) for _ in range(n_state)]
    extra = [1] if q == "optimizers.adam_step" else []
    return Call(w, g, *state, *extra, *hyper)


_HYPER = {
    "optimizers.sgd_step": ((0.1,), (0.01,)),
    "optimizers.momentum_step": ((0.1, 0.9), (0.05, 0.5)),
    "optimizers.nesterov_step": ((0.1, 0.9), (0.05, 0.5)),
    "optimizers.adagrad_step": ((0.1, 1e-7), (0.5, 1e-7)),
    "optimizers.rmsprop_step": ((0.01, 0.9, 1e-7), (0.05, 0.5, 1e-7)),
    "optimizers.adam_step": ((0.01, 0.9, 0.999, 1e-8), (0.05, 0.8, 0.99, 1e-8)),
}


@builder("optimizers.sgd_step", "optimizers.momentum_step", "optimizers.nesterov_step",
         "optimizers.adagrad_step", "optimizers.rmsprop_step", "optimizers.adam_step")
def _optimizer(q, rng):
    default, other = _HYPER[q]
    note = _MOMENTUM_NOTE if q in ("optimizers.momentum_step", "optimizers.nesterov_step") else ""
    steps = 5
    adam = q == "optimizers.adam_step"

    def grad(shape, scale=1.0):
        if not adam:
            return scale * U(rng, shape)
        # |g| >= 0.1 * scale: see the tolerance note below
        return scale * U(rng, shape, 0.1, 1.0) * rng.choice([-1.0, 1.0], shape)

    w0 = U(rng, (3, 4))
    grads = [grad((3, 4)) for _ in range(steps)]
    w1 = U(rng, (4, 2))
    grads1 = [grad((4, 2)) for _ in range(steps)]
    ws = U(rng, (5,))
    tiny = [1e-5 * U(rng, (5,), 0.2, 1.0) * rng.choice([-1, 1], 5) for _ in range(steps)]
    w32 = U(rng, (2, 3), dtype=np.float32)
    g32 = grad((2, 3)).astype(np.float32)
    tol, tol_other, tiny_tol = F64, F64, TINY
    if adam:
        # Folding the bias correction into the learning rate (Kingma & Ba, section 2, and
        # Keras) leaves eps outside sqrt(v) instead of sqrt(v_hat): an effective eps up to
        # 1/sqrt(1 - beta2**t) (31.6 at t = 1) times larger. That is correct-but-different
        # and changes w by about lr * 31 * eps / |g| per step: below 3e-8 for |g| >= 0.1,
        # hence atol = lr * 1e-4. The small-gradient case uses |g| ~ 1e-4, where folding
        # moves each step by < 0.3 % but an eps under the square root by ~30 %.
        tol = dict(rtol=1e-6, atol=default[0] * 1e-4)
        tol_other = dict(rtol=1e-6, atol=other[0] * 1e-4)
        tiny = [1e-4 * U(rng, (5,), 0.5, 1.0) * rng.choice([-1, 1], 5) for _ in range(steps)]
        tiny_tol = dict(rtol=0.0, atol=default[0] * 0.05)
    cases = [
        Case(q, "one step from a zero state", [_optimizer_call(q, w0, grads[0], default)], state_note=note,
             **tol),
        Case(q, f"{steps} steps, your returned state fed back", [_optimizer_call(q, w0, grads[0], default)],
             kind="steps", steps=steps, feed=_optimizer_feed(q, grads), state_note=note, **tol),
        Case(q, f"{steps} steps, other hyperparameters", [_optimizer_call(q, w1, grads1[0], other)],
             kind="steps", steps=steps, feed=_optimizer_feed(q, grads1), state_note=note, **tol_other),
        Case(q, f"{steps} steps with small gradients (~{'1e-4' if adam else '1e-5'})",
             [_optimizer_call(q, ws, tiny[0], default)],
             kind="steps", steps=steps, feed=_optimizer_feed(q, tiny), state_note=note, **tiny_tol),
        Case(q, "float32, one step", [_optimizer_call(q, w32, g32, default)], state_note=note, **F32),
    ]
    return cases


# ------------------------------------------------------------------------ regularization
@builder("regularization.l2_penalty", "regularization.l1_penalty",
         "regularization.l2_grad", "regularization.l1_grad")
def _penalties(q, rng):
    W = U(rng, (4, 3))
    W[1, 2] = 0.0
    cases = [
        Case(q, "random non-square (4, 3), lam 0.01, one weight exactly 0", [Call(W, 0.01)], **F64),
        Case(q, "1-D bias-like (5,), lam 0.5", [Call(U(rng, (5,)), 0.5)], **F64),
        Case(q, "lam 0", [Call(U(rng, (2, 3)), 0.0)], **F64),
        Case(q, "float32 (3, 2), lam 0.1", [Call(U(rng, (3, 2), dtype=np.float32), 0.1)], **F32),
    ]
    if q.endswith("_grad"):
        penalty = q.replace("_grad", "_penalty")
        Wf = U(rng, (3, 4))
        Wf[np.abs(Wf) < 0.05] = 0.3   # away from |w|'s kink

        def fd(ref, W, lam):
            f = ref(penalty)
            return [central_diff(lambda v: float(f(v, lam)), W)]
        cases.append(Case(q, "finite differences of the penalty", [Call(Wf, 0.05)], kind="fd", fd=fd, **FD))
    return cases


@builder("regularization.max_norm")
def _max_norm(q, rng):
    W = U(rng, (4, 5))
    W[:, 1] *= 6.0                      # a column far above the limit
    W[:, 3] *= 0.1                      # one well within
    W2 = U(rng, (3, 4))
    W2[0] *= 5.0
    # rtol 1e-5: Keras's max_norm divides by (eps + norm) with eps = 1e-7, a relative change
    # of eps / norm for the slices within the limit (norms here are >= 0.03)
    tol = dict(rtol=1e-5, atol=1e-9)
    return [
        Case(q, "(4, 5), some columns above max_value 2.0, axis 0", [Call(W, 2.0, 0)], **tol),
        Case(q, "axis 1 (rows), max_value 1.5", [Call(W2, 1.5, 1)], **tol),
        Case(q, "all within: unchanged", [Call(0.1 * U(rng, (3, 3), 0.5, 1.0) * rng.choice([-1, 1], (3, 3)), 2.0, 0)],
             **tol),
        Case(q, "float32 (3, 4), max_value 0.5", [Call(U(rng, (3, 4), dtype=np.float32), 0.5, 0)], **F32),
    ]


# ------------------------------------------------------------------------ random functions
def _seeds(rng, n=2):
    return [int(s) for s in rng.integers(0, 2 ** 31, n)]


def _repro_calls(build, rng):
    """Three calls: seed A (global seed 1), seed A (global seed 2), seed B (global seed 1)."""
    a, b = _seeds(rng)
    return [Call(*build(Rng(a)), global_seed=1), Call(*build(Rng(a)), global_seed=2),
            Call(*build(Rng(b)), global_seed=1)]


def _dist_judge(shape, dtype_kind, cdf, bounds=None, what=""):
    def judge(outs, calls):
        return stats.judge_samples(outs, shape, dtype_kind, cdf, bounds, what)
    return judge


@builder("initializers.random_normal")
def _random_normal(q, rng):
    s = _seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), mean 0.5, stddev 2.0", [Call((300, 200), Rng(s[0]), 0.5, 2.0)],
             kind="stat", judge=_dist_judge((300, 200), "f", stats.normal_cdf(0.5, 2.0),
                                            what="N(0.5, 2.0**2)"), **EXACT),
        Case(q, "defaults: (250, 240), mean 0, stddev 0.05", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=_dist_judge((250, 240), "f", stats.normal_cdf(0.0, 0.05),
                                            what="N(0, 0.05**2)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: ((4, 3), r, 0.0, 1.0), rng),
             kind="stat", judge=stats.judge_repro((4, 3)), **EXACT),
    ]


@builder("initializers.random_uniform")
def _random_uniform(q, rng):
    s = _seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), U(-3, 1)", [Call((300, 200), Rng(s[0]), -3.0, 1.0)],
             kind="stat", judge=_dist_judge((300, 200), "f", stats.uniform_cdf(-3.0, 1.0), (-3.0, 1.0),
                                            "U(-3, 1)"), **EXACT),
        Case(q, "defaults: (250, 240), U(-0.05, 0.05)", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=_dist_judge((250, 240), "f", stats.uniform_cdf(-0.05, 0.05), (-0.05, 0.05),
                                            "U(-0.05, 0.05)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: ((5,), r, 0.0, 1.0), rng),
             kind="stat", judge=stats.judge_repro((5,)), **EXACT),
    ]


@builder("initializers.glorot_uniform")
def _glorot(q, rng):
    s = _seeds(rng, 1)
    lim = float(np.sqrt(6.0 / (300 + 200)))
    return [
        Case(q, "distribution: fan_in 300, fan_out 200", [Call(300, 200, Rng(s[0]))],
             kind="stat", judge=_dist_judge((300, 200), "f", stats.uniform_cdf(-lim, lim), (-lim, lim),
                                            f"U(-{lim:.6g}, {lim:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: (3, 4, r), rng),
             kind="stat", judge=stats.judge_repro((3, 4)), **EXACT),
    ]


@builder("initializers.he_normal")
def _he(q, rng):
    s = _seeds(rng, 1)
    sd = float(np.sqrt(2.0 / 400))
    return [
        Case(q, "distribution: fan_in 400, fan_out 150", [Call(400, 150, Rng(s[0]))],
             kind="stat", judge=_dist_judge((400, 150), "f", stats.normal_cdf(0.0, sd),
                                            what=f"N(0, 2/400) (stddev {sd:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: (3, 5, r), rng),
             kind="stat", judge=stats.judge_repro((3, 5)), **EXACT),
    ]


@builder("layers.dropout_mask")
def _dropout_mask(q, rng):
    s = _seeds(rng, 2)
    return [
        Case(q, "keep frequency: (400, 250), rate 0.3", [Call((400, 250), 0.3, Rng(s[0]))],
             kind="stat", judge=stats.judge_mask((400, 250), 0.7), **EXACT),
        Case(q, "keep frequency: (100000,), rate 0.8", [Call((100000,), 0.8, Rng(s[1]))],
             kind="stat", judge=stats.judge_mask((100000,), 0.2), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: ((6, 7), 0.5, r), rng),
             kind="stat", judge=stats.judge_repro((6, 7), "b"), **EXACT),
    ]


# ------------------------------------------------------------------------ training
@builder("training.iterations_per_epoch")
def _iters(q, rng):
    return [
        Case(q, "2000 samples, batch 200 (the notes)", [Call(2000, 200)], **EXACT),
        Case(q, "a partial last batch: 2001 samples, batch 200", [Call(2001, 200)], **EXACT),
        Case(q, "batch larger than the data: 5 samples, batch 10", [Call(5, 10)], **EXACT),
        Case(q, "batch of 1: 7 samples", [Call(7, 1)], **EXACT),
    ]


@builder("training.minibatch_indices")
def _minibatch(q, rng):
    s = _seeds(rng, 1)
    return [
        Case(q, "shuffle=False: 10 samples, batch 4", [Call(10, 4, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffle=False: 9 samples, batch 3 (no partial batch)", [Call(9, 3, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffled: 1000 samples, batch 64", [Call(1000, 64, Rng(s[0]), True)],
             kind="stat", judge=stats.judge_minibatches(1000, 64), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: (50, 8, r, True), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.early_stopping_epoch")
def _early(q, rng):
    noisy = [float(v) for v in np.round(1.0 / np.arange(1, 13) + rng.uniform(0, 0.05, 12), 6)]
    return [
        Case(q, "stops after patience 2", [Call([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.6], 2)], **EXACT),
        Case(q, "never stops: stop at the last epoch", [Call([0.9, 0.8, 0.7, 0.6], 3)], **EXACT),
        Case(q, "min_delta 0.05 ignores small improvements", [Call([1.0, 0.97, 0.96, 0.9, 0.89, 0.88], 2, 0.05)],
             **EXACT),
        Case(q, "patience 1, equal losses do not improve", [Call([0.5, 0.5, 0.4, 0.4], 1)], **EXACT),
        Case(q, "noisy decreasing curve, patience 3", [Call(noisy, 3)], **EXACT),
        Case(q, "the count restarts after every improvement (patience 2)",
             [Call([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], 2)], **EXACT),
    ]


@builder("training.time_based_decay")
def _decay(q, rng):
    return [
        Case(q, "lr0 0.1, decay 0.01, iteration 10", [Call(0.1, 0.01, 10)], **F64),
        Case(q, "iteration 0 gives lr0", [Call(0.05, 0.5, 0)], **F64),
        Case(q, "several iterations", [Call(0.3, 1e-3, k) for k in (1, 100, 1000, 12345)], **F64),
    ]


@builder("training.gradient_descent_quadratic")
def _gdq(q, rng):
    return [
        Case(q, "converging: a 2, b 3, x0 0, lr 0.1, 10 steps", [Call(2.0, 3.0, 0.0, 0.1, 10)], **F64),
        Case(q, "diverging: lr above 1/a", [Call(1.0, -1.0, 2.0, 1.5, 8)], **F64),
        Case(q, "0 steps returns [x0]", [Call(0.5, 1.0, 4.0, 0.1, 0)], **F64),
        Case(q, "random a, b, x0", [Call(float(rng.uniform(0.5, 3)), float(rng.uniform(-2, 2)),
                                         float(rng.uniform(-5, 5)), 0.2, 6)], **F64),
    ]


@builder("training.train_val_test_split")
def _split(q, rng):
    s = _seeds(rng, 2)
    return [
        Case(q, "1000 samples, val 0.15, test 0.2", [Call(1000, 0.15, 0.2, Rng(s[0]))],
             kind="stat", judge=stats.judge_split(1000, 0.15, 0.2), **EXACT),
        Case(q, "floor of the sizes: 103 samples, val 0.19, test 0.27", [Call(103, 0.19, 0.27, Rng(s[1]))],
             kind="stat", judge=stats.judge_split(103, 0.19, 0.27), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: (40, 0.2, 0.2, r), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.log_uniform")
def _log_uniform(q, rng):
    s = _seeds(rng, 1)
    lo, hi = 1e-5, 1e-1
    return [
        Case(q, "distribution: 60000 samples on [1e-5, 1e-1]", [Call(lo, hi, 60000, Rng(s[0]))],
             kind="stat", judge=stats.judge_log_uniform(lo, hi, 60000), **EXACT),
        Case(q, "reproducible from rng, no global np.random", _repro_calls(lambda r: (1e-3, 1.0, 7, r), rng),
             kind="stat", judge=stats.judge_repro((7,)), **EXACT),
    ]
