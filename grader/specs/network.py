"""Grading spec of ``network``: the cases of each function, then its known mistakes.

Cases: ``@builder(qualname, ...)`` registers a function ``(qualname, rng) -> [Case]`` in
``CASES`` (see ``grader.specs._kit`` for ``Case``, ``Call`` and the tolerances). Known
mistakes: the functions named ``<function>__<what>`` below, listed in ``KNOWN`` as
``(function, kebab-case id, impl, hint)`` rows. Each impl has the contract signature of
the function it gets wrong and is self-contained (only ``np``: no helpers, no closures),
so that the mutation test can transplant its source into a copy of the reference and the
diagnosis can run it in the grader process.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F64, FD, U, central_diff, registrar

CASES = {}
builder = registrar(CASES, "network")


# ------------------------------------------------------------------------ cases
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


# ------------------------------------------------------------------------ known mistakes
def forward__linear_output(x, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    return h, h @ W2 + b2


def forward__preactivation_passed_on(x, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = 0.5 * (1.0 + np.tanh(0.5 * z1))
    return h, 0.5 * (1.0 + np.tanh(0.5 * (z1 @ W2 + b2)))


def backward__derivative_of_preactivation(x, t, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = 0.5 * (1.0 + np.tanh(0.5 * z1))
    z2 = h @ W2 + b2
    o = 0.5 * (1.0 + np.tanh(0.5 * z2))
    delta_o = (o - t) * z2 * (1.0 - z2)
    delta_h = (delta_o @ W2.T) * z1 * (1.0 - z1)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__error_sign(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (t - o) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__hidden_missing_derivative(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = delta_o @ W2.T
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__averaged_over_batch(x, t, W1, b1, W2, b2):
    n = x.shape[0]
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return (x.T @ delta_h / n, np.mean(delta_h, axis=0), h.T @ delta_o / n,
            np.mean(delta_o, axis=0))


def train_step__hidden_uses_updated_W2(x, t, W1, b1, W2, b2, lr):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    W2 = W2 - lr * (h.T @ delta_o)
    b2 = b2 - lr * np.sum(delta_o, axis=0)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return W1 - lr * (x.T @ delta_h), b1 - lr * np.sum(delta_h, axis=0), W2, b2


def train_step__gradient_ascent(x, t, W1, b1, W2, b2, lr):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return (W1 + lr * (x.T @ delta_h), b1 + lr * np.sum(delta_h, axis=0),
            W2 + lr * (h.T @ delta_o), b2 + lr * np.sum(delta_o, axis=0))


def train_step__biases_not_updated(x, t, W1, b1, W2, b2, lr):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return W1 - lr * (x.T @ delta_h), b1, W2 - lr * (h.T @ delta_o), b2


KNOWN = [
    ("forward", "linear-output", forward__linear_output,
     "The output layer is a sigmoid too: o is σ of the output layer's pre-activation, not "
     "the pre-activation itself."),
    ("forward", "preactivation-passed-on", forward__preactivation_passed_on,
     "The output layer takes the hidden activations h = σ(z₁) as input, not the "
     "pre-activations z₁."),
    ("backward", "derivative-of-preactivation", backward__derivative_of_preactivation,
     "σ'(z) = o(1 − o) uses the activation o = σ(z), not the pre-activation z (and "
     "likewise h(1 − h) in the hidden layer)."),
    ("backward", "error-sign", backward__error_sign,
     "dE/do is o − t, not t − o: with the flipped sign every gradient points uphill."),
    ("backward", "hidden-missing-derivative", backward__hidden_missing_derivative,
     "The hidden error needs the hidden sigmoid's derivative h(1 − h) as well, after "
     "back-propagating through W2."),
    ("backward", "averaged-over-batch", backward__averaged_over_batch,
     "E is a sum over the samples, so its gradients are sums too; they are not divided by "
     "the batch size."),
    ("train_step", "hidden-uses-updated-w2", train_step__hidden_uses_updated_W2,
     "You updated W2 before back-propagating to the hidden layer; compute every gradient "
     "with this step's weights first, then update all parameters."),
    ("train_step", "gradient-ascent", train_step__gradient_ascent,
     "Gradient descent subtracts the learning rate times the gradient; you added it."),
    ("train_step", "biases-not-updated", train_step__biases_not_updated,
     "The biases b1 and b2 are parameters too and take a gradient step like the weights."),
]
