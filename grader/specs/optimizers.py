"""Grading spec of ``optimizers``: the cases of each function.

Its known mistakes are in ``grader/specs/known/optimizers.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
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
    # rho 0.7, not 0.5: with 0.5, rho s + (1 - rho) g**2 is also the update with rho and 1 - rho swapped
    "optimizers.rmsprop_step": ((0.01, 0.9, 1e-7), (0.05, 0.7, 1e-7)),
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
