"""Grading spec of ``optimizers``: the cases of each function, then its known mistakes.

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

from chainrule_core.contract import STATE_COUNT
from grader.specs._kit import Call, Case, F32, F64, FeedError, TINY, U, registrar

CASES = {}
builder = registrar(CASES, "optimizers")


# ------------------------------------------------------------------------ cases
_MOMENTUM_NOTE = ("Your w is right, so the update is right; but the state must be in the "
                  "contract's convention, where the velocity holds the step itself, learning rate "
                  "included (Keras, CS231n), not PyTorch's buffer of momentum-weighted gradients, "
                  "which gives the same w but a different state.")


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


# ------------------------------------------------------------------------ known mistakes
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
     "Gradient descent steps against the gradient; you stepped along it."),
    ("sgd_step", "missing-learning-rate", sgd_step__missing_learning_rate,
     "The step is the gradient scaled by the learning rate; the learning rate is missing."),
    ("momentum_step", "forgets-learning-rate", momentum_step__forgets_learning_rate,
     "The velocity update needs the learning rate: the new velocity adds −lr times the "
     "gradient, not −1 times it."),
    ("momentum_step", "pytorch-buffer", momentum_step__pytorch_buffer,
     "Your w is right but the velocity is PyTorch's buffer (momentum times the buffer plus "
     "the gradient); this contract's velocity holds the step itself, including −lr."),
    ("momentum_step", "stale-velocity", momentum_step__stale_velocity,
     "Update the velocity first and then move w by the new velocity, not the old one."),
    ("nesterov_step", "plain-momentum", nesterov_step__plain_momentum,
     "That is classical momentum; Nesterov looks ahead and moves w by momentum times the "
     "new velocity minus lr times the gradient."),
    ("nesterov_step", "lookahead-missing-gradient", nesterov_step__lookahead_missing_gradient,
     "The look-ahead step is momentum times the new velocity minus lr times the gradient; "
     "the gradient term is missing."),
    ("nesterov_step", "pytorch-buffer", nesterov_step__pytorch_buffer,
     "Your w is right but you return PyTorch's buffer; this contract's velocity is the "
     "step itself, −lr times that buffer."),
    ("adagrad_step", "eps-inside-sqrt", adagrad_step__eps_inside_sqrt,
     "eps goes outside the square root, added to √h; inside it dominates small accumulated "
     "gradients."),
    ("adagrad_step", "stale-accumulator", adagrad_step__stale_accumulator,
     "Add the squared gradient to the accumulator before the step and divide by the square "
     "root of the new accumulator."),
    ("rmsprop_step", "eps-inside-sqrt", rmsprop_step__eps_inside_sqrt,
     "eps goes outside the square root, added to √s; inside it dominates small gradients."),
    ("rmsprop_step", "rho-swapped", rmsprop_step__rho_swapped,
     "rho weights the old average and 1 − rho the new squared gradient; you swapped them."),
    ("rmsprop_step", "missing-sqrt", rmsprop_step__missing_sqrt,
     "Divide by the root mean square √s (plus eps), not by s itself."),
    ("adam_step", "no-bias-correction", adam_step__no_bias_correction,
     "The moments need the bias correction, m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ), before the "
     "step, or the first steps are far too small or too large."),
    ("adam_step", "t-off-by-one", adam_step__t_off_by_one,
     "t is already the 1-based number of this step; the bias correction uses βᵗ with this "
     "t, without adding 1."),
    ("adam_step", "eps-inside-sqrt", adam_step__eps_inside_sqrt,
     "eps goes outside the square root, added to the square root of the corrected v; "
     "inside it dominates small gradients."),
    ("adam_step", "returns-corrected-moments", adam_step__returns_corrected_moments,
     "Return the raw moving averages m and v as the state; the bias-corrected m̂ and v̂ "
     "are only used for this step."),
    ("adam_step", "betas-swapped", adam_step__betas_swapped,
     "beta weights the old moment and 1 − beta the new gradient term; you swapped them."),
]
