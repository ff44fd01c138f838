"""A catalog of realistic wrong implementations, written for measuring the diagnoses.

Each entry mutates the reference systematically (a sign, a factor, an axis, a reduction,
an output order, a state not updated, a bound, a distribution, the global random state,
an off-by-one) in the way students write it, mostly beyond the known-mistake table of
``grader/specs``. ``accept`` lists the diagnosis names that name the mistake correctly:
a generic diagnosis (``grader.diagnose``), a finding of the grader, or a known mistake.
``tests/grader/test_wrong_catalog.py`` grades every entry and measures the share that gets
a diagnosis naming the mistake, and checks that no entry gets a misleading one.

Entries are ``(qualname, id, source, accept)``; the source defines the contract function
with NumPy as ``np``.
"""

CATALOG = [
    # ------------------------------------------------------------------ activations
    ("activations.sigmoid", "doubled", """
def sigmoid(x):
    return 2.0 / (1.0 + np.exp(-x))
""", {"scaled-by-2"}),
    ("activations.sigmoid", "minus-x", """
def sigmoid(x):
    return np.exp(-x) / (1.0 + np.exp(-x))
""", {"complement", "sign-flipped"}),
    ("activations.sigmoid", "float64-for-float32", """
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
""", {"dtype-changed"}),
    ("activations.sigmoid_derivative", "negated", """
def sigmoid_derivative(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s * s - s
""", {"negated"}),
    ("activations.sigmoid_derivative", "halved", """
def sigmoid_derivative(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return 0.5 * s * (1 - s)
""", {"scaled-by-half"}),
    ("activations.tanh", "negated", """
def tanh(x):
    return -np.tanh(x)
""", {"negated"}),
    ("activations.tanh", "python-float-for-0d", """
def tanh(x):
    if np.ndim(x) == 0:
        import math
        return math.tanh(float(x))
    return np.tanh(x)
""", {"python-float"}),
    # a new user's trial (session 8): the hint named the 0-d input's Python float, one case of six
    ("activations.sigmoid_derivative", "tolist", """
def sigmoid_derivative(x):
    s = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
    return (s * (1 - s)).tolist()
""", {"returned-list", "python-float"}),  # .tolist() of a 0-d array is a float
    ("activations.tanh_derivative", "negated", """
def tanh_derivative(x):
    return np.tanh(x) ** 2 - 1
""", {"negated"}),
    ("activations.tanh_derivative", "doubled", """
def tanh_derivative(x):
    return 2 * (1 - np.tanh(x) ** 2)
""", {"scaled-by-2"}),
    ("activations.relu", "absolute-value", """
def relu(x):
    return np.abs(x)
""", {"wrong-for-negative"}),
    ("activations.relu", "float64-for-float32", """
def relu(x):
    return np.maximum(x, 0.0).astype(np.float64)
""", {"dtype-changed"}),
    ("activations.relu", "modifies-input", """
def relu(x):
    x[x < 0] = 0
    return x
""", {"modified-input"}),
    ("activations.relu_derivative", "greater-equal", """
def relu_derivative(x):
    return (x >= 0).astype(x.dtype)
""", {"wrong-at-zero", "one-at-zero"}),
    ("activations.relu_derivative", "inverted", """
def relu_derivative(x):
    return (x <= 0).astype(x.dtype)
""", {"complement"}),
    ("activations.relu_derivative", "boolean", """
def relu_derivative(x):
    return x > 0
""", {"wrong-dtype"}),
    ("activations.softplus", "naive", """
def softplus(x):
    return np.log(1 + np.exp(x))
""", {"naive-overflow"}),
    ("activations.softplus", "minus-log-two", """
def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))) - np.log(2.0)
""", {"shifted"}),
    ("activations.softplus_derivative", "minus-x", """
def softplus_derivative(x):
    return np.exp(-x) / (1 + np.exp(-x))
""", {"complement", "sign-flipped"}),
    ("activations.softplus_derivative", "doubled", """
def softplus_derivative(x):
    return 2.0 / (1.0 + np.exp(-x))
""", {"scaled-by-2"}),
    ("activations.softmax", "axis-zero", """
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
""", {"axis-zero"}),
    ("activations.softmax", "no-shift", """
def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
""", {"no-max-shift"}),
    ("activations.softmax", "one-minus", """
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return 1 - e / e.sum(axis=axis, keepdims=True)
""", {"complement"}),
    # ------------------------------------------------------------------ losses
    ("losses.mean_squared_error", "halved", """
def mean_squared_error(y_true, y_pred):
    return 0.5 * float(np.mean((y_true - y_pred) ** 2))
""", {"half-factor", "scaled-by-half"}),
    ("losses.mean_squared_error", "summed", """
def mean_squared_error(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))
""", {"sum-not-mean", "missing-division"}),
    ("losses.mean_squared_error", "per-row", """
def mean_squared_error(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2) / y_pred.shape[0])
""", {"sum-over-outputs", "missing-division"}),
    ("losses.mean_squared_error_grad", "negated", """
def mean_squared_error_grad(y_true, y_pred):
    return 2 * (y_true - y_pred) / y_pred.size
""", {"wrong-sign", "negated"}),
    ("losses.mean_squared_error_grad", "no-two", """
def mean_squared_error_grad(y_true, y_pred):
    return (y_pred - y_true) / y_pred.size
""", {"missing-two", "scaled-by-half"}),
    ("losses.mean_squared_error_grad", "not-divided", """
def mean_squared_error_grad(y_true, y_pred):
    return 2 * (y_pred - y_true)
""", {"not-divided-by-size", "missing-division"}),
    ("losses.sum_squared_error", "no-half", """
def sum_squared_error(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))
""", {"missing-half", "scaled-by-2"}),
    ("losses.sum_squared_error", "averaged", """
def sum_squared_error(y_true, y_pred):
    return float(0.5 * np.sum((y_true - y_pred) ** 2) / y_pred.shape[0])
""", {"extra-division"}),
    ("losses.sum_squared_error_grad", "negated", """
def sum_squared_error_grad(y_true, y_pred):
    return y_true - y_pred
""", {"wrong-sign", "negated"}),
    ("losses.sum_squared_error_grad", "averaged", """
def sum_squared_error_grad(y_true, y_pred):
    return (y_pred - y_true) / y_pred.shape[0]
""", {"extra-division"}),
    ("losses.binary_crossentropy", "summed", """
def binary_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
""", {"sum-not-mean", "missing-division"}),
    ("losses.binary_crossentropy", "positive-log-likelihood", """
def binary_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
""", {"missing-minus", "negated"}),
    ("losses.binary_crossentropy_grad", "negated", """
def binary_crossentropy_grad(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (y_true - p) / (p * (1 - p)) / p.size
""", {"negated"}),
    ("losses.binary_crossentropy_grad", "not-divided", """
def binary_crossentropy_grad(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (p - y_true) / (p * (1 - p))
""", {"not-divided-by-size", "missing-division"}),
    ("losses.categorical_crossentropy", "mean-over-all", """
def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p)))
""", {"mean-over-elements", "extra-division"}),
    ("losses.categorical_crossentropy", "positive", """
def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.sum(y_true * np.log(p)) / p.shape[0])
""", {"negated"}),
    ("losses.sparse_categorical_crossentropy", "summed", """
def sparse_categorical_crossentropy(labels, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.sum(np.log(p[np.arange(p.shape[0]), labels])))
""", {"missing-division"}),
    ("losses.sparse_categorical_crossentropy", "positive", """
def sparse_categorical_crossentropy(labels, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(np.log(p[np.arange(p.shape[0]), labels])))
""", {"negated"}),
    ("losses.softmax_crossentropy_grad", "not-divided", """
def softmax_crossentropy_grad(labels, logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    s[np.arange(s.shape[0]), labels] -= 1
    return s
""", {"not-divided-by-n", "missing-division"}),
    ("losses.softmax_crossentropy_grad", "onehot-minus-softmax", """
def softmax_crossentropy_grad(labels, logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(s)
    onehot[np.arange(s.shape[0]), labels] = 1
    return (onehot - s) / s.shape[0]
""", {"wrong-sign", "negated"}),
    ("losses.softmax_crossentropy_grad", "divided-by-size", """
def softmax_crossentropy_grad(labels, logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    s[np.arange(s.shape[0]), labels] -= 1
    return s / s.size
""", {"extra-division"}),
    ("losses.class_weights_balanced", "no-n-classes", """
def class_weights_balanced(labels, n_classes):
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    out = np.zeros(n_classes)
    out[counts > 0] = len(labels) / counts[counts > 0]
    return out
""", {"missing-n-classes", "factor-extra"}),
    ("losses.weighted_sparse_categorical_crossentropy", "summed", """
def weighted_sparse_categorical_crossentropy(labels, y_pred, class_weight, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    nll = -np.log(p[np.arange(p.shape[0]), labels])
    return float(np.sum(np.asarray(class_weight)[labels] * nll))
""", {"missing-division"}),
    # the course's own slips (session 7's trial): the notes' E = ½Σ(t − o)² taken for the
    # MSE, and log10 for the natural log in a cross-entropy
    ("losses.mean_squared_error", "notes-half-sum", """
def mean_squared_error(y_true, y_pred):
    e = y_pred - y_true
    return float(np.sum(e * e) / 2)
""", {"half-sum"}),
    ("losses.mean_squared_error_grad", "notes-half-sum-gradient", """
def mean_squared_error_grad(y_true, y_pred):
    return -(y_true - y_pred)
""", {"half-sum"}),
    ("losses.binary_crossentropy", "log10", """
def binary_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.minimum(np.maximum(y_pred, eps), 1 - eps)
    return -float(np.sum(y_true * np.log10(p) + (1 - y_true) * np.log10(1 - p))) / np.size(p)
""", {"log10"}),
    ("losses.binary_crossentropy", "log-over-log-ten", """
def binary_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    loss = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)) / np.log(10)
    return float(loss.mean())
""", {"log10"}),
    ("losses.categorical_crossentropy", "log10", """
def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(-np.sum(y_true * np.log10(p), axis=1)))
""", {"log10"}),
    ("losses.sparse_categorical_crossentropy", "log10", """
def sparse_categorical_crossentropy(labels, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    picked = np.array([p[i, k] for i, k in enumerate(labels)])
    return float(-np.log10(picked).mean())
""", {"log10"}),
    ("losses.weighted_sparse_categorical_crossentropy", "log10", """
def weighted_sparse_categorical_crossentropy(labels, y_pred, class_weight, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    total = 0.0
    for i, k in enumerate(labels):
        total += class_weight[k] * -np.log10(p[i, k])
    return float(total / len(labels))
""", {"log10"}),
    # ------------------------------------------------------------------ layers
    ("layers.dense_forward", "transposed", """
def dense_forward(x, W, b):
    return (x @ W + b).T
""", {"transposed"}),
    ("layers.dense_forward", "bias-subtracted", """
def dense_forward(x, W, b):
    return x @ W - b
""", {"term-sign"}),
    ("layers.dense_forward", "no-bias", """
def dense_forward(x, W, b):
    return x @ W
""", {"missing-bias", "missing-term"}),
    ("layers.dense_backward", "db-over-features", """
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)
""", {"wrong-axis"}),
    ("layers.dense_backward", "db-mean", """
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)
""", {"db-averaged", "extra-division", "mean-for-sum"}),
    ("layers.dense_backward", "dx-negated", """
def dense_backward(dout, x, W):
    return -(dout @ W.T), x.T @ dout, dout.sum(axis=0)
""", {"negated"}),
    ("layers.dense_backward", "dw-and-db-averaged", """
def dense_backward(dout, x, W):
    n = x.shape[0]
    return dout @ W.T, x.T @ dout / n, dout.sum(axis=0) / n
""", {"extra-division", "dw-averaged", "db-averaged", "mean-for-sum"}),
    ("layers.dense_backward", "dx-dw-swapped-order", """
def dense_backward(dout, x, W):
    return x.T @ dout, dout @ W.T, dout.sum(axis=0)
""", {"outputs-swapped"}),
    ("layers.dropout_forward", "mask-ignored", """
def dropout_forward(x, mask, rate):
    return x / (1 - rate)
""", {"wrong-at-zero"}),
    ("layers.dropout_forward", "not-rescaled", """
def dropout_forward(x, mask, rate):
    return x * mask
""", {"not-rescaled", "scaled"}),
    ("layers.dropout_backward", "mask-ignored", """
def dropout_backward(dout, mask, rate):
    return dout / (1 - rate)
""", {"wrong-at-zero"}),
    ("layers.dropout_backward", "times-keep", """
def dropout_backward(dout, mask, rate):
    return dout * mask * (1 - rate)
""", {"scaled"}),
    ("layers.dropout_mask", "keeps-with-rate", """
def dropout_mask(shape, rate, rng):
    return rng.random(shape) < rate
""", {"keeps-with-rate", "keep-probability"}),
    ("layers.dropout_mask", "global-random", """
def dropout_mask(shape, rate, rng):
    return np.random.random(shape) >= rate
""", {"global-random-state"}),
    ("layers.batchnorm_forward", "no-beta", """
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps)
""", {"missing-term"}),
    ("layers.batchnorm_backward", "dbeta-mean", """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = dout.mean(axis=0)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    return dx, dgamma, dbeta
""", {"extra-division", "mean-for-sum"}),
    # ------------------------------------------------------------------ network
    ("network.forward", "outputs-swapped", """
def forward(x, W1, b1, W2, b2):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    return o, h
""", {"outputs-swapped"}),
    ("network.backward", "error-sign", """
def backward(x, t, W1, b1, W2, b2):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (t - o) * o * (1 - o)
    dh = (do @ W2.T) * h * (1 - h)
    return x.T @ dh, dh.sum(axis=0), h.T @ do, do.sum(axis=0)
""", {"error-sign", "negated"}),
    ("network.backward", "averaged", """
def backward(x, t, W1, b1, W2, b2):
    n = x.shape[0]
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (o - t) * o * (1 - o) / n
    dh = (do @ W2.T) * h * (1 - h)
    return x.T @ dh, dh.sum(axis=0), h.T @ do, do.sum(axis=0)
""", {"averaged-over-batch", "extra-division"}),
    ("network.backward", "db2-over-outputs", """
def backward(x, t, W1, b1, W2, b2):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (o - t) * o * (1 - o)
    dh = (do @ W2.T) * h * (1 - h)
    return x.T @ dh, dh.sum(axis=0), h.T @ do, do.sum(axis=1)
""", {"wrong-axis"}),
    ("network.train_step", "biases-frozen", """
def train_step(x, t, W1, b1, W2, b2, lr):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (o - t) * o * (1 - o)
    dh = (do @ W2.T) * h * (1 - h)
    return W1 - lr * (x.T @ dh), b1, W2 - lr * (h.T @ do), b2
""", {"biases-not-updated", "state-unchanged"}),
    ("network.train_step", "ascent", """
def train_step(x, t, W1, b1, W2, b2, lr):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (o - t) * o * (1 - o)
    dh = (do @ W2.T) * h * (1 - h)
    return (W1 + lr * (x.T @ dh), b1 + lr * dh.sum(axis=0), W2 + lr * (h.T @ do),
            b2 + lr * do.sum(axis=0))
""", {"gradient-ascent", "update-negated"}),
    ("network.train_step", "no-learning-rate", """
def train_step(x, t, W1, b1, W2, b2, lr):
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    do = (o - t) * o * (1 - o)
    dh = (do @ W2.T) * h * (1 - h)
    return W1 - x.T @ dh, b1 - dh.sum(axis=0), W2 - h.T @ do, b2 - do.sum(axis=0)
""", {"update-factor-missing", "factor-missing", "learning-rate-left-out"}),
    # ------------------------------------------------------------------ optimizers
    ("optimizers.sgd_step", "plus", """
def sgd_step(w, grad, lr=0.01):
    return w + lr * grad
""", {"wrong-sign", "update-negated"}),
    ("optimizers.sgd_step", "double-step", """
def sgd_step(w, grad, lr=0.01):
    return w - 2 * lr * grad
""", {"update-scaled-by-2"}),
    ("optimizers.sgd_step", "in-place", """
def sgd_step(w, grad, lr=0.01):
    w -= lr * grad
    return w
""", {"modified-input"}),
    ("optimizers.momentum_step", "velocity-sign", """
def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity + lr * grad
    return w - v, v
""", {"state-convention", "negated", "velocity-sign-flipped"}),
    ("optimizers.momentum_step", "old-velocity-returned", """
def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - lr * grad
    return w + v, velocity
""", {"state-unchanged"}),
    ("optimizers.momentum_step", "pytorch", """
def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
    buf = momentum * velocity + grad
    return w - lr * buf, buf
""", {"pytorch-buffer", "state-convention"}),
    ("optimizers.nesterov_step", "old-velocity-returned", """
def nesterov_step(w, grad, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - lr * grad
    return w + momentum * v - lr * grad, velocity
""", {"state-unchanged"}),
    ("optimizers.adagrad_step", "accumulator-not-returned", """
def adagrad_step(w, grad, accum, lr=0.01, eps=1e-7):
    h = accum + grad * grad
    return w - lr * grad / (np.sqrt(h) + eps), accum
""", {"state-unchanged"}),
    ("optimizers.adagrad_step", "ascent", """
def adagrad_step(w, grad, accum, lr=0.01, eps=1e-7):
    h = accum + grad * grad
    return w + lr * grad / (np.sqrt(h) + eps), h
""", {"update-negated"}),
    ("optimizers.rmsprop_step", "average-not-returned", """
def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad * grad
    return w - lr * grad / (np.sqrt(s) + eps), sq_avg
""", {"state-unchanged"}),
    ("optimizers.rmsprop_step", "missing-sqrt", """
def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad * grad
    return w - lr * grad / (s + eps), s
""", {"missing-sqrt"}),
    ("optimizers.adam_step", "w-not-updated", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return w, m, v
""", {"state-unchanged"}),
    ("optimizers.adam_step", "moments-swapped", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    w = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w, v, m
""", {"outputs-swapped"}),
    ("optimizers.adam_step", "ascent", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return w + lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v
""", {"update-negated"}),
    ("optimizers.adam_step", "no-bias-correction", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return w - lr * m / (np.sqrt(v) + eps), m, v
""", {"no-bias-correction"}),
    # ------------------------------------------------------------------ regularization
    ("regularization.l2_penalty", "no-lambda", """
def l2_penalty(W, lam):
    return float(np.sum(W * W))
""", {"factor-missing"}),
    ("regularization.l2_penalty", "halved", """
def l2_penalty(W, lam):
    return float(0.5 * lam * np.sum(W * W))
""", {"half-factor", "scaled-by-half"}),
    ("regularization.l2_grad", "no-two", """
def l2_grad(W, lam):
    return lam * W
""", {"missing-two", "scaled-by-half"}),
    ("regularization.l2_grad", "negated", """
def l2_grad(W, lam):
    return -2 * lam * W
""", {"negated"}),
    ("regularization.l2_grad", "no-lambda", """
def l2_grad(W, lam):
    return 2 * W
""", {"factor-missing"}),
    ("regularization.l1_penalty", "no-lambda", """
def l1_penalty(W, lam):
    return float(np.sum(np.abs(W)))
""", {"factor-missing"}),
    ("regularization.l1_grad", "positive-part", """
def l1_grad(W, lam):
    return lam * (W > 0).astype(float)
""", {"wrong-for-negative"}),
    ("regularization.l1_grad", "no-lambda", """
def l1_grad(W, lam):
    return np.sign(W)
""", {"factor-missing"}),
    ("regularization.max_norm", "global", """
def max_norm(W, max_value=3.0, axis=0):
    norm = np.sqrt(np.sum(W * W))
    return W * min(1.0, max_value / norm)
""", {"global-norm"}),
    # ------------------------------------------------------------------ initializers
    ("initializers.random_normal", "mean-ignored", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(0.0, stddev, size=shape)
""", {"mean-ignored", "location"}),
    ("initializers.random_normal", "variance", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(mean, stddev ** 2, size=shape)
""", {"variance-as-scale", "scale"}),
    ("initializers.random_normal", "uniform", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return rng.uniform(mean - stddev, mean + stddev, size=shape)
""", {"uniform-not-normal"}),
    ("initializers.random_normal", "zeros", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return np.zeros(shape)
""", {"constant-output"}),
    ("initializers.random_normal", "global-random", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return np.random.normal(mean, stddev, size=shape)
""", {"global-random-state"}),
    ("initializers.random_normal", "own-generator", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return np.random.default_rng(0).normal(mean, stddev, size=shape)
""", {"rng-ignored"}),
    ("initializers.random_uniform", "lower-bound-ignored", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return rng.uniform(0.0, maxval, size=shape)
""", {"lower-bound"}),
    ("initializers.random_uniform", "unit-width", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return minval + rng.random(shape)
""", {"width-not-scaled", "upper-bound", "range"}),
    ("initializers.random_uniform", "normal", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return rng.normal((minval + maxval) / 2, (maxval - minval) / 4, size=shape)
""", {"normal-not-uniform"}),
    ("initializers.glorot_uniform", "lower-bound-zero", """
def glorot_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(0, limit, size=(fan_in, fan_out))
""", {"lower-bound"}),
    ("initializers.glorot_uniform", "transposed", """
def glorot_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))
""", {"transposed"}),
    ("initializers.glorot_uniform", "zeros", """
def glorot_uniform(fan_in, fan_out, rng):
    return np.zeros((fan_in, fan_out))
""", {"constant-output"}),
    ("initializers.he_normal", "uniform", """
def he_normal(fan_in, fan_out, rng):
    limit = np.sqrt(6 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
""", {"uniform-not-normal"}),
    ("initializers.he_normal", "standard", """
def he_normal(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out))
""", {"scale"}),
    ("initializers.he_normal", "variance-as-std", """
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0, 2 / fan_in, size=(fan_in, fan_out))
""", {"variance-as-std", "scale"}),
    # ------------------------------------------------------------------ training
    ("training.iterations_per_epoch", "floor", """
def iterations_per_epoch(n_samples, batch_size):
    return n_samples // batch_size
""", {"floor", "off-by-one"}),
    ("training.iterations_per_epoch", "plus-one", """
def iterations_per_epoch(n_samples, batch_size):
    return n_samples // batch_size + 1
""", {"always-plus-one", "off-by-one"}),
    ("training.minibatch_indices", "global-random", """
def minibatch_indices(n_samples, batch_size, rng, shuffle=True):
    order = np.random.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
""", {"global-random-state"}),
    ("training.early_stopping_epoch", "stops-early", """
def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience - 1:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
""", {"off-by-one"}),
    ("training.early_stopping_epoch", "stops-late", """
def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
""", {"off-by-one"}),
    ("training.time_based_decay", "exponential", """
def time_based_decay(lr0, decay, iteration):
    return lr0 * decay ** iteration
""", {"exponential"}),
    ("training.time_based_decay", "precedence", """
def time_based_decay(lr0, decay, iteration):
    return lr0 / 1 + decay * iteration
""", {"missing-parentheses"}),
    ("training.gradient_descent_quadratic", "no-start", """
def gradient_descent_quadratic(a, b, x0, lr, steps):
    x, out = x0, []
    for _ in range(steps):
        x = x - lr * 2 * a * (x - b)
        out.append(x)
    return np.array(out)
""", {"excludes-start", "off-by-one"}),
    ("training.gradient_descent_quadratic", "one-step-short", """
def gradient_descent_quadratic(a, b, x0, lr, steps):
    x, out = x0, [x0]
    for _ in range(steps - 1):
        x = x - lr * 2 * a * (x - b)
        out.append(x)
    return np.array(out)
""", {"off-by-one"}),
    ("training.train_val_test_split", "global-random", """
def train_val_test_split(n_samples, val_fraction, test_fraction, rng):
    order = np.random.permutation(n_samples)
    n_test = int(n_samples * test_fraction)
    n_val = int(n_samples * val_fraction)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
""", {"global-random-state"}),
    ("training.log_uniform", "plain-uniform", """
def log_uniform(low, high, size, rng):
    return rng.uniform(low, high, size=size)
""", {"uniform"}),
]

# Harder ones: mistakes the values alone cannot show and no known mistake covers. They are
# in the catalog so that the measured share is honest; ``accept`` empty means that any
# diagnosis would mislead (the grader must then say nothing beyond what differs).
CATALOG += [
    ("losses.mean_squared_error", "root-mean-square", """
def mean_squared_error(y_true, y_pred):
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))
""", set()),
    ("losses.binary_crossentropy", "one-term-only", """
def binary_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p)))
""", set()),
    ("activations.softmax", "log-softmax", """
def softmax(z, axis=-1):
    s = z - np.max(z, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
""", set()),
    ("optimizers.adam_step", "t-ignored", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return w - lr * (m / (1 - beta1)) / (np.sqrt(v / (1 - beta2)) + eps), m, v
""", set()),
    ("training.time_based_decay", "next-iteration", """
def time_based_decay(lr0, decay, iteration):
    return lr0 / (1 + decay * (iteration + 1))
""", set()),
    ("layers.batchnorm_forward", "sample-variance", """
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
""", {"ddof-one"}),
    ("initializers.he_normal", "fan-out", """
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
""", {"fan-out", "scale"}),
    ("layers.dropout_mask", "one-row-for-the-batch", """
def dropout_mask(shape, rate, rng):
    row = rng.random(shape[-1]) >= rate
    return np.broadcast_to(row, shape).copy()
""", {"not-independent"}),
    ("training.minibatch_indices", "never-shuffled", """
def minibatch_indices(n_samples, batch_size, rng, shuffle=True):
    order = np.arange(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
""", {"not-shuffled", "ignores-shuffle", "rng-ignored"}),
    ("regularization.l1_penalty", "no-abs", """
def l1_penalty(W, lam):
    return float(lam * np.sum(W))
""", {"missing-abs"}),
    ("activations.tanh_derivative", "no-square", """
def tanh_derivative(x):
    return 1 - np.tanh(x)
""", {"missing-square"}),
    ("training.train_val_test_split", "in-order", """
def train_val_test_split(n_samples, val_fraction, test_fraction, rng):
    order = np.arange(n_samples)
    n_test = int(n_samples * test_fraction)
    n_val = int(n_samples * val_fraction)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
""", {"not-shuffled"}),
]


def implementation(qualname, source):
    """The function an entry's source defines."""
    import numpy as np

    namespace = {"np": np}
    exec(compile(source, f"<catalog {qualname}>", "exec"), namespace)  # noqa: S102 - our own catalog
    return namespace[qualname.split(".", 1)[1]]


def named(diagnosis_name, accept):
    """A shown diagnosis names the mistake: its name is accepted (a tie of known mistakes,
    "a or b", names it when any of them is accepted)."""
    return any(part in accept for part in diagnosis_name.split(" or "))


def evaluate(seed=2026):
    """``[(verdict, qualname, id, shown names)]`` for every entry, graded in process the way
    ``grade`` judges a submission. Verdicts: ``named`` (every hint shown names the mistake),
    ``misleading`` (a hint shown names something else), ``none`` (no hint), ``passed``."""
    from grader.engine import grade_in_process

    rows = []
    for qualname, ident, source, accept in CATALOG:
        fr = grade_in_process(qualname, implementation(qualname, source), seed)
        names = [d.name for d, _ in fr.hints()]
        if fr.passed:
            verdict = "passed"
        elif not names:
            verdict = "none"
        elif all(named(n, accept) for n in names):
            verdict = "named"
        else:
            verdict = "misleading"
        rows.append((verdict, qualname, ident, names))
    return rows

# Found while trying the grader as a student: each once drew a wrong diagnosis (a state
# "returned unchanged" on the small-gradient case, a factor fitted within a large absolute
# tolerance, a region that was the whole input). No transformation names them.
CATALOG += [
    ("optimizers.adam_step", "v-not-squared", """
def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(np.abs(v_hat)) + eps), m, v
""", set()),
    ("optimizers.rmsprop_step", "gradient-not-squared", """
def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * np.abs(grad)
    return w - lr * grad / (np.sqrt(s) + eps), s
""", set()),
    ("optimizers.adagrad_step", "accumulates-gradient", """
def adagrad_step(w, grad, accum, lr=0.01, eps=1e-7):
    h = accum + np.abs(grad)
    return w - lr * grad / (np.sqrt(h) + eps), h
""", set()),
]

# The student trial of session 10 (a released student copy, every exercise with a typical
# mistake): each once drew no hint, a wrong one, or passed although the contract's dtype
# rule says otherwise.
CATALOG += [
    ("activations.relu_derivative", "float64-result", """
def relu_derivative(x):
    return (x > 0).astype(float)
""", {"dtype-changed"}),
    ("activations.softmax", "axis-one-hard-coded", """
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
""", {"axis-ignored"}),
    ("activations.softmax", "axis-zero-without-shift", """
def softmax(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=0, keepdims=True)
""", {"axis-zero", "no-max-shift"}),
    ("losses.categorical_crossentropy", "summed-over-axis-0", """
def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=0)))
""", {"classes-averaged"}),
    ("losses.sum_squared_error_grad", "one-column", """
def sum_squared_error_grad(y_true, y_pred):
    return (y_pred - y_true).reshape(-1, 1)
""", {"reshaped", "transposed"}),
    ("layers.dropout_forward", "float64-for-float32", """
def dropout_forward(x, mask, rate):
    return np.asarray(x, dtype=np.float64) * mask / (1.0 - rate)
""", {"dtype-changed"}),
    ("layers.dropout_backward", "float64-for-float32", """
def dropout_backward(dout, mask, rate):
    return dout.astype(float) * mask / (1.0 - rate)
""", {"dtype-changed"}),
    ("network.backward", "sigmoid-derivative-of-activations", """
def backward(x, t, W1, b1, W2, b2):
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))
    def sigmoid_derivative(z):
        return sigmoid(z) * (1.0 - sigmoid(z))
    h = sigmoid(x @ W1 + b1)
    o = sigmoid(h @ W2 + b2)
    delta_o = (o - t) * sigmoid_derivative(o)
    delta_h = (delta_o @ W2.T) * sigmoid_derivative(h)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)
""", {"derivative-of-activation"}),
    ("optimizers.rmsprop_step", "average-of-grad", """
def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad
    return w - lr * grad / (np.sqrt(s) + eps), s
""", {"gradient-not-squared"}),
    ("initializers.glorot_uniform", "float32", """
def glorot_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
""", {"wrong-dtype"}),
    ("initializers.random_uniform", "float32", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return rng.uniform(minval, maxval, size=shape).astype(np.float32)
""", {"wrong-dtype"}),
    ("training.train_val_test_split", "with-replacement", """
def train_val_test_split(n_samples, val_fraction, test_fraction, rng):
    order = rng.integers(0, n_samples, n_samples)
    n_test = int(n_samples * test_fraction)
    n_val = int(n_samples * val_fraction)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
""", {"not-disjoint"}),
]

# The student trial 19b: fractions lost to integer arithmetic (whole numbers where the
# expected values are not), and one term of an update with the wrong sign.
CATALOG += [
    ("losses.class_weights_balanced", "integer-division", """
def class_weights_balanced(labels, n_classes):
    counts = np.bincount(labels, minlength=n_classes)
    w = np.zeros(n_classes)
    nz = counts > 0
    w[nz] = len(labels) // (n_classes * counts[nz])
    return w
""", {"whole-numbers"}),
    ("losses.class_weights_balanced", "integer-array", """
def class_weights_balanced(labels, n_classes):
    counts = np.bincount(labels, minlength=n_classes)
    w = np.zeros_like(counts)
    for k in range(n_classes):
        if counts[k]:
            w[k] = len(labels) / (n_classes * counts[k])
    return w.astype(float)
""", {"whole-numbers"}),
    ("losses.softmax_crossentropy_grad", "floor-division", """
def softmax_crossentropy_grad(labels, logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    s[np.arange(s.shape[0]), labels] -= 1
    return s // s.shape[0]
""", {"whole-numbers"}),
    ("optimizers.nesterov_step", "gradient-term-added", """
def nesterov_step(w, grad, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity - lr * grad
    return w + momentum * velocity + lr * grad, velocity
""", {"update-sign"}),
]
