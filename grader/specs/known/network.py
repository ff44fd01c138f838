"""Known mistakes of ``network``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/network.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


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


def backward__derivative_of_activation(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    so = 0.5 * (1.0 + np.tanh(0.5 * o))
    sh = 0.5 * (1.0 + np.tanh(0.5 * h))
    delta_o = (o - t) * so * (1.0 - so)
    delta_h = (delta_o @ W2.T) * sh * (1.0 - sh)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__output_derivative_of_activation(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    so = 0.5 * (1.0 + np.tanh(0.5 * o))
    delta_o = (o - t) * so * (1.0 - so)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__hidden_derivative_of_activation(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    sh = 0.5 * (1.0 + np.tanh(0.5 * h))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * sh * (1.0 - sh)
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


def backward__output_missing_derivative(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = o - t
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)


def backward__no_sigmoid_derivatives(x, t, W1, b1, W2, b2):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = o - t
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


def train_step__learning_rate_left_out(x, t, W1, b1, W2, b2, lr):
    h = 0.5 * (1.0 + np.tanh(0.5 * (x @ W1 + b1)))
    o = 0.5 * (1.0 + np.tanh(0.5 * (h @ W2 + b2)))
    delta_o = (o - t) * o * (1.0 - o)
    delta_h = (delta_o @ W2.T) * h * (1.0 - h)
    return (W1 - x.T @ delta_h, b1 - np.sum(delta_h, axis=0),
            W2 - h.T @ delta_o, b2 - np.sum(delta_o, axis=0))


KNOWN = [
    ("forward", "linear-output", forward__linear_output,
     "You left out the output layer's sigmoid: o is σ of the output layer's pre-activation, "
     "not the pre-activation itself."),
    ("forward", "preactivation-passed-on", forward__preactivation_passed_on,
     "You passed the pre-activations z₁ to the output layer; it takes the hidden activations h "
     "= σ(z₁) as input."),
    ("backward", "derivative-of-preactivation", backward__derivative_of_preactivation,
     "You applied o(1 − o) to the pre-activation z; σ'(z) = o(1 − o) uses the activation o = "
     "σ(z), not z (and likewise h(1 − h) in the hidden layer)."),
    ("backward", "derivative-of-activation", backward__derivative_of_activation,
     "You gave sigmoid_derivative the activations o and h, but it takes the pre-activation z "
     "and applies σ itself, so it computed σ(o)(1 − σ(o)): the derivatives are o(1 − o) and "
     "h(1 − h)."),
    ("backward", "output-derivative-of-activation", backward__output_derivative_of_activation,
     "You gave sigmoid_derivative the output o, but it takes the pre-activation z₂ and applies "
     "σ itself, so it computed σ(o)(1 − σ(o)): the output sigmoid's derivative is o(1 − o)."),
    ("backward", "hidden-derivative-of-activation", backward__hidden_derivative_of_activation,
     "You gave sigmoid_derivative the hidden activation h, but it takes the pre-activation z₁ "
     "and applies σ itself, so it computed σ(h)(1 − σ(h)): the hidden sigmoid's derivative is "
     "h(1 − h)."),
    ("backward", "error-sign", backward__error_sign,
     "You used t − o for dE/do; it is o − t, and with the flipped sign every gradient points "
     "uphill."),
    ("backward", "hidden-missing-derivative", backward__hidden_missing_derivative,
     "You left out the hidden sigmoid's derivative h(1 − h): the hidden error needs it as "
     "well, after back-propagating through W2."),
    ("backward", "output-missing-derivative", backward__output_missing_derivative,
     "You left out the output sigmoid's derivative o(1 − o): dE/dz₂ is dE/do · do/dz₂, not "
     "dE/do alone."),
    ("backward", "no-sigmoid-derivatives", backward__no_sigmoid_derivatives,
     "You left out both sigmoid derivatives: the errors need o(1 − o) at the output and h(1 − "
     "h) in the hidden layer."),
    ("backward", "averaged-over-batch", backward__averaged_over_batch,
     "You divided the gradients by the batch size; E is a sum over the samples, so its "
     "gradients are sums too."),
    ("train_step", "hidden-uses-updated-w2", train_step__hidden_uses_updated_W2,
     "You updated W2 before back-propagating to the hidden layer; compute every gradient with "
     "this step's weights first, then update all parameters."),
    ("train_step", "gradient-ascent", train_step__gradient_ascent,
     "You added the learning rate times the gradient; gradient descent subtracts it."),
    ("train_step", "learning-rate-left-out", train_step__learning_rate_left_out,
     "You left out the learning rate: every parameter moved by its whole gradient; the step "
     "is lr times the gradient."),
    ("train_step", "biases-not-updated", train_step__biases_not_updated,
     "You left the biases b1 and b2 unchanged; they are parameters too and take a gradient "
     "step like the weights."),
]
