"""Correct implementations written differently get full marks.

One submission replaces many reference functions with independent, differently written
but correct versions (einsum, explicit loops, folded Adam bias correction, float32
preserving, NumPy scalars instead of floats, lists instead of tuples, math.ceil instead of
integer division, other ways to draw random numbers), written here from the contract
rather than copied from solutions/.
"""

import pytest

from tests.grader.conftest import make_submission

ALTERNATIVES = {
    "activations": """
        def sigmoid(x):
            x = np.asarray(x)
            dtype = x.dtype if x.dtype.kind == "f" else np.float64
            return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(dtype)

        def tanh(x):
            x = np.asarray(x)
            wide = x.astype(float)      # computed in float64, returned in x's dtype (the contract)
            return (2.0 / (1.0 + np.exp(np.clip(-2.0 * wide, -700, 700))) - 1.0).astype(x.dtype)

        def relu(x):
            x = np.asarray(x)
            return np.where(x > 0, x, np.zeros_like(x))

        def softplus(x):
            return np.logaddexp(0.0, x)

        def softmax(z, axis=-1):
            z = np.asarray(z)
            wide = z.astype(np.float64)
            shifted = wide - wide.max(axis=axis, keepdims=True)
            logsum = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
            return np.exp(shifted - logsum).astype(z.dtype)
        """,
    "losses": """
        def mean_squared_error(y_true, y_pred):
            d = np.ravel(y_pred) - np.ravel(y_true)
            return np.float64(np.dot(d, d) / d.size)

        def sum_squared_error(y_true, y_pred):
            total = 0.0
            for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):
                total += (float(t) - float(p)) ** 2
            return total / 2

        def sparse_categorical_crossentropy(labels, y_pred, eps=1e-7):
            p = np.clip(y_pred, eps, 1 - eps)
            picked = np.take_along_axis(p, np.asarray(labels).reshape(-1, 1).astype(int), axis=1)
            return -np.log(picked).mean()

        def class_weights_balanced(labels, n_classes):
            labels = list(np.asarray(labels).ravel())
            out = np.zeros(n_classes)
            for k in range(n_classes):
                c = labels.count(k)
                if c:
                    out[k] = len(labels) / (n_classes * c)
            return out
        """,
    "layers": """
        def dense_forward(x, W, b):
            return np.einsum("nd,dm->nm", x, W) + b

        def dense_backward(dout, x, W):
            dx = np.zeros((dout.shape[0], W.shape[0]), dtype=np.result_type(dout, W))
            for n in range(dout.shape[0]):
                for d in range(W.shape[0]):
                    dx[n, d] = sum(dout[n, m] * W[d, m] for m in range(W.shape[1]))
            return [dx, np.einsum("nd,nm->dm", x, dout), dout.sum(axis=0)]

        def batchnorm_forward(x, gamma, beta, eps=1e-5):
            mu = x.mean(axis=0)
            var = ((x - mu) ** 2).mean(axis=0)
            return gamma * (x - mu) / np.sqrt(var + eps) + beta
        """,
    "network": """
        def forward(x, W1, b1, W2, b2):
            h = 1 / (1 + np.exp(-(x @ W1 + b1)))
            return [h, 1 / (1 + np.exp(-(h @ W2 + b2)))]
        """,
    "optimizers": """
        def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            # bias correction folded into the step size (Kingma & Ba, section 2; Keras)
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            return w - lr_t * m / (np.sqrt(v) + eps), m, v

        def momentum_step(w, grad, velocity, lr=0.01, momentum=0.9):
            v = np.multiply(momentum, velocity) - np.multiply(lr, grad)
            return [np.add(w, v), v]

        def sgd_step(w, grad, lr=0.01):
            return np.subtract(w, lr * grad, dtype=w.dtype)
        """,
    "regularization": """
        # both use numpy.ma, which NumPy imports lazily on first use (in the first of them)
        def l2_grad(W, lam):
            return np.ma.filled(np.ma.masked_array(2 * lam * W), 0.0)

        def l1_grad(W, lam):
            return np.ma.getdata(lam * np.sign(W))

        def l2_penalty(W, lam):
            return lam * np.einsum("ij,ij->", np.atleast_2d(W), np.atleast_2d(W))

        def max_norm(W, max_value=2.0, axis=0):
            # Keras's form: a small epsilon in the denominator
            norms = np.sqrt(np.sum(np.square(W), axis=axis, keepdims=True))
            return W * (np.clip(norms, 0, max_value) / (1e-7 + norms))
        """,
    "initializers": """
        def random_normal(shape, rng, mean=0.0, stddev=0.05):
            return mean + stddev * rng.standard_normal(shape)

        def glorot_uniform(fan_in, fan_out, rng):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            return (2.0 * rng.random((fan_in, fan_out)) - 1.0) * limit
        """,
    "training": """
        import math as _math

        def iterations_per_epoch(n_samples, batch_size):
            return _math.ceil(n_samples / batch_size)

        def minibatch_indices(n_samples, batch_size, rng, shuffle=True):
            order = np.arange(n_samples)
            if shuffle:
                rng.shuffle(order)
            return tuple(order[i:i + batch_size] for i in range(0, n_samples, batch_size))

        def time_based_decay(lr0, decay, iteration):
            return np.float64(lr0) / (1 + decay * iteration)

        def gradient_descent_quadratic(a, b, x0, lr, steps):
            xs = [x0]
            for _ in range(steps):
                xs.append(xs[-1] - lr * 2 * a * (xs[-1] - b))
            return np.array(xs, dtype=float)

        def early_stopping_epoch(val_losses, patience, min_delta=0.0):
            best, best_epoch, wait = np.inf, 0, 0
            for epoch, loss in enumerate(val_losses):
                if loss < best - min_delta:
                    best, best_epoch, wait = loss, epoch, 0
                else:
                    wait += 1
                    if wait >= patience:
                        return [np.int64(epoch), best_epoch]
            return (len(val_losses) - 1, best_epoch)

        def log_uniform(low, high, size, rng):
            return 10 ** rng.uniform(np.log10(low), np.log10(high), size)
        """,
}


@pytest.fixture(scope="module")
def alternative(tmp_path_factory):
    from grader import grade_submission

    sub = make_submission(tmp_path_factory.mktemp("alt") / "submission", ALTERNATIVES)
    return grade_submission(str(sub))


def test_equivalent_implementations_get_full_marks(alternative):
    failing = {q: [c.message for c in f.cases if not c.passed]
               for q, f in alternative.functions.items() if not f.passed}
    assert failing == {}
    assert alternative.score == alternative.max_score
