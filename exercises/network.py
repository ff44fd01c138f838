"""The worked backpropagation example (오차 역전파): a two-layer sigmoid network.

Input layer (입력층) -> hidden layer (은닉층) -> output layer (출력층), with the sigmoid as
the activation function (활성화 함수) of both layers and the error (오차)
E = 1/2 * sum over samples and outputs of (t - o)**2, the course notes' E = E1 + E2. Forward
propagation (순전파) computes h and o; backpropagation (역전파) applies the chain rule
(연쇄 법칙) from the output back to every weight (가중치) and bias (편향); gradient descent
(경사 하강법) moves each against its gradient, scaled by the learning rate (학습률).

Weight names of the example: w1 = W1[0,0], w2 = W1[1,0], w3 = W1[0,1], w4 = W1[1,1],
w5 = W2[0,0], w6 = W2[1,0], w7 = W2[0,1], w8 = W2[1,1].
"""

import numpy as np

from ._common import as_float
from .activations import sigmoid


def forward(x, W1, b1, W2, b2):
    """
    Forward pass: h = sigmoid(x @ W1 + b1), o = sigmoid(h @ W2 + b2).

    Inputs:
    - x: array (N, D), inputs.
    - W1: array (D, H), input-to-hidden weights.
    - b1: array (H,), hidden biases.
    - W2: array (H, K), hidden-to-output weights.
    - b2: array (K,), output biases.

    Returns a tuple of:
    - h: array (N, H), hidden activations.
    - o: array (N, K), outputs.
    """
    x = as_float(x)
    # TODO: Compute the hidden activations h and the outputs o with the sigmoid imported
    # above.
    raise NotImplementedError


def backward(x, t, W1, b1, W2, b2):
    """
    Gradients of E = 1/2 * sum (t - o)**2 with respect to every parameter.

    Inputs:
    - x: array (N, D), inputs.
    - t: array (N, K), targets.
    - W1, b1, W2, b2: the parameters, shapes as in ``forward``.

    Returns a tuple of:
    - dW1: array (D, H).
    - db1: array (H,).
    - dW2: array (H, K).
    - db2: array (K,).
    """
    x = as_float(x)
    h, o = forward(x, W1, b1, W2, b2)
    # TODO: Apply the chain rule from E back to every parameter: output deltas first, then
    # hidden deltas through W2; biases sum their deltas over the batch.
    raise NotImplementedError


def train_step(x, t, W1, b1, W2, b2, lr):
    """
    One step of gradient descent on E: every parameter p becomes p - lr * dE/dp, with all
    gradients computed before any parameter changes.

    Inputs:
    - x: array (N, D), inputs.
    - t: array (N, K), targets.
    - W1, b1, W2, b2: the parameters, shapes as in ``forward``.
    - lr: float, the learning rate.

    Returns a tuple of the updated parameters:
    - W1: array (D, H).
    - b1: array (H,).
    - W2: array (H, K).
    - b2: array (K,).
    """
    dW1, db1, dW2, db2 = backward(x, t, W1, b1, W2, b2)
    # TODO: Move every parameter against its gradient, scaled by lr, and return new arrays.
    raise NotImplementedError
