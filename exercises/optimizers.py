"""Optimizers (옵티마이저): one functional step of each gradient-descent variant.

Each function takes the parameter w, its gradient (기울기) and the optimizer's state, and
returns the new parameter and the new state; nothing is modified in place. The course notes
cover plain gradient descent (경사 하강법, SGD), momentum (모멘텀), Nesterov momentum
(네스테로프 모멘텀), Adagrad (아다그라드), RMSprop (알엠에스프롭) and Adam (아담), with
the Keras defaults for the learning rate (학습률) and the other constants.

The velocity convention is the course notes', Keras's and CS231n's: v holds the step
itself (v <- momentum v - lr g; w <- w + v).
"""

import numpy as np

from ._common import as_float


def sgd_step(w, grad, lr=0.01):
    """
    Plain gradient descent: w - lr * grad.

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - lr: float, the learning rate.

    Returns:
    - w: array, the updated parameter.
    """
    # TODO: Return the parameter after one plain gradient-descent step, as a new array.
    raise NotImplementedError


def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
    """
    Gradient descent with momentum: v <- momentum * v - lr * grad; w <- w + v.

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - velocity: array of the same shape, the previous step v (zeros at the start).
    - lr: float, the learning rate.
    - momentum: float in [0, 1).

    Returns a tuple of:
    - w: array, the updated parameter.
    - velocity: array, the new v.
    """
    # TODO: Update the velocity (it holds the step itself, learning rate included), then
    # move w by the new velocity; return both.
    raise NotImplementedError


def nesterov_step(w, grad, velocity, lr=0.01, momentum=0.9):
    """
    Nesterov momentum in the form used by Keras: v <- momentum * v - lr * grad;
    w <- w + momentum * v - lr * grad (a look-ahead along the new velocity).

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - velocity: array of the same shape, the previous v (zeros at the start).
    - lr: float, the learning rate.
    - momentum: float in [0, 1).

    Returns a tuple of:
    - w: array, the updated parameter.
    - velocity: array, the new v.
    """
    grad = np.asarray(grad)
    # TODO: Update v as in momentum_step, then take the look-ahead step along the new v
    # given in the formula above.
    raise NotImplementedError


def adagrad_step(w, grad, accum, lr=0.01, eps=1e-7):
    """
    Adagrad: h <- h + grad**2; w <- w - lr * grad / (sqrt(h) + eps).

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - accum: array of the same shape, the running sum h of squared gradients.
    - lr: float, the learning rate.
    - eps: float, added to the square root (outside it) to avoid division by zero.

    Returns a tuple of:
    - w: array, the updated parameter.
    - accum: array, the new h.
    """
    grad = np.asarray(grad)
    # TODO: Add grad**2 to the accumulator first; eps goes outside the square root of the
    # new accumulator.
    raise NotImplementedError


def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    """
    RMSprop: s <- rho * s + (1 - rho) * grad**2; w <- w - lr * grad / (sqrt(s) + eps).

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - sq_avg: array of the same shape, the moving average s of squared gradients.
    - lr: float, the learning rate.
    - rho: float in [0, 1), the decay of the moving average.
    - eps: float, added outside the square root.

    Returns a tuple of:
    - w: array, the updated parameter.
    - sq_avg: array, the new s.
    """
    grad = np.asarray(grad)
    # TODO: Update the moving average of grad**2 with rho; eps goes outside the square root
    # of the new average.
    raise NotImplementedError


def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """
    Adam: m <- beta1 m + (1 - beta1) grad; v <- beta2 v + (1 - beta2) grad**2;
    m_hat = m / (1 - beta1**t); v_hat = v / (1 - beta2**t);
    w <- w - lr * m_hat / (sqrt(v_hat) + eps).

    Inputs:
    - w: array, the parameter.
    - grad: array of the same shape, dL/dw.
    - m: array of the same shape, the first-moment estimate (zeros at the start).
    - v: array of the same shape, the second-moment estimate (zeros at the start).
    - t: int >= 1, the 1-based number of this step (used for bias correction).
    - lr, beta1, beta2, eps: floats, the Adam constants.

    Returns a tuple of:
    - w: array, the updated parameter.
    - m: array, the new first moment.
    - v: array, the new second moment.
    """
    if t < 1:
        raise ValueError(f"t is the 1-based step number and must be >= 1, got {t!r}")
    grad = np.asarray(grad)
    # TODO: Update m and v, bias-correct them with beta**t, take the step (eps outside the
    # square root) and return the uncorrected m and v as the new state.
    raise NotImplementedError
