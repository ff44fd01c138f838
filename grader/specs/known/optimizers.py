"""Known mistakes of ``optimizers``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/optimizers.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def sgd_step__wrong_sign(w, grad, lr=0.01):
    return w + lr * grad


def sgd_step__missing_learning_rate(w, grad, lr=0.01):
    return w - grad


def momentum_step__forgets_learning_rate(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - grad
    return w + v, v


def momentum_step__pytorch_buffer(w, grad, velocity, lr=0.01, momentum=0.9):
    b = momentum * velocity + grad
    return w - lr * b, b


def momentum_step__velocity_sign_flipped(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity + lr * grad
    return w - v, v


def momentum_step__stale_velocity(w, grad, velocity, lr=0.01, momentum=0.9):
    w = w + velocity
    return w, momentum * velocity - lr * grad


def nesterov_step__plain_momentum(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - lr * grad
    return w + v, v


def nesterov_step__lookahead_missing_gradient(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - lr * grad
    return w + momentum * v, v


def nesterov_step__pytorch_buffer(w, grad, velocity, lr=0.01, momentum=0.9):
    b = momentum * velocity + grad
    return w - lr * (grad + momentum * b), b


def adagrad_step__eps_inside_sqrt(w, grad, accum, lr=0.01, eps=1e-7):
    h = accum + grad ** 2
    return w - lr * grad / np.sqrt(h + eps), h


def adagrad_step__stale_accumulator(w, grad, accum, lr=0.01, eps=1e-7):
    w = w - lr * grad / (np.sqrt(accum) + eps)
    return w, accum + grad ** 2


def rmsprop_step__eps_inside_sqrt(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad ** 2
    return w - lr * grad / np.sqrt(s + eps), s


def rmsprop_step__rho_swapped(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = (1 - rho) * sq_avg + rho * grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s


def rmsprop_step__missing_sqrt(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad ** 2
    return w - lr * grad / (s + eps), s


def rmsprop_step__gradient_not_squared(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad
    return w - lr * grad / (np.sqrt(s) + eps), s


def adam_step__no_bias_correction(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                                  eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_step__t_off_by_one(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                            eps=1e-8):
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step__eps_inside_sqrt(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                               eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_step__returns_corrected_moments(w, grad, m, v, t, lr=0.001, beta1=0.9,
                                         beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m = m / (1 - beta1 ** t)
    v = v / (1 - beta2 ** t)
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_step__betas_swapped(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                             eps=1e-8):
    m = (1 - beta1) * m + beta1 * grad
    v = (1 - beta2) * v + beta2 * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


KNOWN = [
    ("sgd_step", "wrong-sign", sgd_step__wrong_sign,
     "You stepped along the gradient; gradient descent steps against it."),
    ("sgd_step", "missing-learning-rate", sgd_step__missing_learning_rate,
     "You left out the learning rate; the step is the gradient scaled by it."),
    ("momentum_step", "forgets-learning-rate", momentum_step__forgets_learning_rate,
     "You left out the learning rate in the velocity update: the new velocity adds −lr times "
     "the gradient, not −1 times it."),
    ("momentum_step", "pytorch-buffer", momentum_step__pytorch_buffer,
     "Your w is right but the velocity is PyTorch's buffer (momentum times the buffer plus the "
     "gradient); this contract's velocity holds the step itself, including −lr."),
    ("momentum_step", "velocity-sign-flipped", momentum_step__velocity_sign_flipped,
     "You kept the velocity with the opposite sign, as PyTorch does; here it is the step "
     "itself: momentum times it minus lr times the gradient, then w plus it."),
    ("momentum_step", "stale-velocity", momentum_step__stale_velocity,
     "You moved w by the old velocity; update the velocity first and then move w by the new "
     "one."),
    ("nesterov_step", "plain-momentum", nesterov_step__plain_momentum,
     "That is classical momentum; Nesterov looks ahead and moves w by momentum times the new "
     "velocity minus lr times the gradient."),
    ("nesterov_step", "lookahead-missing-gradient", nesterov_step__lookahead_missing_gradient,
     "You left out the gradient term of the look-ahead step: it is momentum times the new "
     "velocity minus lr times the gradient."),
    ("nesterov_step", "pytorch-buffer", nesterov_step__pytorch_buffer,
     "Your w is right but you return PyTorch's buffer; this contract's velocity is the step "
     "itself, −lr times that buffer."),
    ("adagrad_step", "eps-inside-sqrt", adagrad_step__eps_inside_sqrt,
     "You put eps inside the square root, where it dominates small accumulated gradients; it "
     "goes outside, added to √h."),
    ("adagrad_step", "stale-accumulator", adagrad_step__stale_accumulator,
     "You divided by the old accumulator; add the squared gradient to it before the step and "
     "divide by the square root of the new accumulator."),
    ("rmsprop_step", "eps-inside-sqrt", rmsprop_step__eps_inside_sqrt,
     "You put eps inside the square root, where it dominates small gradients; it goes outside, "
     "added to √s."),
    ("rmsprop_step", "rho-swapped", rmsprop_step__rho_swapped,
     "You swapped rho and 1 − rho: rho weights the old average and 1 − rho the new squared "
     "gradient."),
    ("rmsprop_step", "missing-sqrt", rmsprop_step__missing_sqrt,
     "You divided by s itself; divide by the root mean square √s (plus eps)."),
    ("rmsprop_step", "gradient-not-squared", rmsprop_step__gradient_not_squared,
     "You averaged grad itself, not the squared gradient grad²: averaged signed gradients turn "
     "s negative, and the square root of a negative number is NaN."),
    ("adam_step", "no-bias-correction", adam_step__no_bias_correction,
     "You left out the bias correction of the moments; they need m / (1 − β₁ᵗ) and v / (1 − "
     "β₂ᵗ) before the step, or the first steps are far too small or too large."),
    ("adam_step", "t-off-by-one", adam_step__t_off_by_one,
     "You added 1 to t; t is already the 1-based number of this step, and the bias correction "
     "uses βᵗ with this t."),
    ("adam_step", "eps-inside-sqrt", adam_step__eps_inside_sqrt,
     "You put eps inside the square root, where it dominates small gradients; it goes outside, "
     "added to the square root of the corrected v."),
    ("adam_step", "returns-corrected-moments", adam_step__returns_corrected_moments,
     "You returned the bias-corrected m̂ and v̂ as the state; return the raw moving averages m "
     "and v, and use m̂ and v̂ only for this step."),
    ("adam_step", "betas-swapped", adam_step__betas_swapped,
     "You swapped beta and 1 − beta: beta weights the old moment and 1 − beta the new gradient "
     "term."),
]
