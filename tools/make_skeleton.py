"""Build ``exercises/`` from ``solutions/``: the same text, contract bodies replaced.

The student skeleton must stay identical to the reference outside the gaps (module
docstrings, imports, given helpers, every signature and docstring), so it is generated:
this script copies each ``solutions/<module>.py`` and replaces the body of every contract
function, after its docstring, by the skeleton body in ``BODIES`` (the given code, one
``# TODO:`` hint, ``raise NotImplementedError``). After changing a docstring in
``solutions/`` or a hint here (or adding a contract function: give it a body here), run

    python tools/make_skeleton.py

from the repository root and commit ``exercises/``; tests/exercises/test_skeleton.py
fails while the two differ. It writes only what changed and removes a ``.py`` file of
``exercises/`` that ``solutions/`` no longer has; ``--check`` writes nothing and exits 1
when ``exercises/`` is out of date.
"""

import ast
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC, DST = ROOT / "solutions", ROOT / "exercises"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chainrule_core.contract import CONTRACT, qualified_names  # noqa: E402
from chainrule_core.fileio import write_atomic  # noqa: E402

BODIES = {
    # ---------------------------------------------------------------- activations
    "activations.sigmoid": """
x = as_float(x)
# TODO: 1 / (1 + exp(-x)) gives the right 0 for x = -1000, but only after exp overflows to
# inf (a RuntimeWarning); exp(-abs(x)) never overflows, and np.where can pick the right
# form for each sign of x.
""",
    "activations.sigmoid_derivative": """
# TODO: x is the pre-activation z, not sigmoid(z): build the derivative from sigmoid(x).
""",
    "activations.tanh": """
# TODO: Return tanh(x); exp-based formulas overflow for abs(x) > 710, NumPy's does not.
""",
    "activations.tanh_derivative": """
# TODO: Return 1 - tanh(x)**2; x is the pre-activation, not tanh(x).
""",
    "activations.relu": """
x = as_float(x)
# TODO: Return max(0, x) elementwise as a new array (never write into x).
""",
    "activations.relu_derivative": """
x = as_float(x)
# TODO: 1.0 where x > 0 and 0.0 elsewhere (x == 0 included), in the dtype of x.
""",
    "activations.softplus": """
x = as_float(x)
# TODO: log(1 + exp(x)) overflows for large x; split off max(x, 0) so that exp only ever
# sees -abs(x) (np.log1p is accurate for small arguments).
""",
    "activations.softplus_derivative": """
# TODO: Differentiate log(1 + exp(x)); the result is a function you already wrote.
""",
    "activations.softmax": """
z = as_float(z)
# TODO: Subtract the max along `axis` (keepdims=True) so exp cannot overflow, then
# exponentiate and divide by the sum along the same axis.
""",
    # ---------------------------------------------------------------- losses
    "losses.mean_squared_error": """
# TODO: Return the mean of (y_true - y_pred)**2 over all elements, as a Python float.
""",
    "losses.mean_squared_error_grad": """
y_pred = as_float(y_pred)
# TODO: Differentiate the mean over all y_pred.size elements with respect to y_pred.
""",
    "losses.sum_squared_error": """
# TODO: Return 1/2 * the sum of (y_true - y_pred)**2, as a Python float.
""",
    "losses.sum_squared_error_grad": """
# TODO: Differentiate E = 1/2 * sum (y_true - y_pred)**2 with respect to y_pred.
""",
    "losses.binary_crossentropy": """
t = as_float(y_true)
# TODO: Clip y_pred to [eps, 1 - eps] (the helper _clip above does it) before any log,
# then return the mean of -(t log p + (1 - t) log(1 - p)) as a Python float.
""",
    "losses.binary_crossentropy_grad": """
# TODO: Differentiate the mean binary cross-entropy with respect to p, evaluated at the
# clipped p (see _clip); remember that the loss is a mean over y_pred.size elements.
""",
    "losses.categorical_crossentropy": """
t = as_float(y_true)
# TODO: Clip y_pred (see _clip), sum -t * log(p) over the classes and average over the
# N rows (not over all N * K elements).
""",
    "losses.sparse_categorical_crossentropy": """
labels = np.asarray(labels, dtype=np.intp)
# TODO: Pick p[i, labels[i]] for every row i with one fancy-indexing expression, clip it
# and return the mean of -log as a Python float.
""",
    "losses.softmax_crossentropy_grad": """
labels = np.asarray(labels, dtype=np.intp)
# TODO: Build (softmax(logits) - onehot(labels)) / N without a loop over the rows
# (softmax is imported above).
""",
    "losses.class_weights_balanced": """
labels = np.asarray(labels, dtype=np.intp).ravel()
# TODO: Count every class with np.bincount(labels, minlength=n_classes) and apply the
# formula above; a class that never occurs gets weight 0, not a division by zero.
""",
    "losses.weighted_sparse_categorical_crossentropy": """
labels = np.asarray(labels, dtype=np.intp)
# TODO: Weight each sample's -log p[i, labels[i]] (p clipped) by the weight of its label,
# sum, and divide by the number of samples N.
""",
    # ---------------------------------------------------------------- layers
    "layers.dense_forward": """
# TODO: Compute the affine output x @ W + b (b broadcasts over the N rows).
""",
    "layers.dense_backward": """
dout = as_float(dout)
# TODO: Apply the chain rule to out = x @ W + b; each gradient has the shape of its
# variable: dx (N, D), dW (D, M), db (M,).
""",
    "layers.dropout_mask": """
_check_rate(rate)
# TODO: Draw uniform numbers from rng (never np.random) and keep each element (True)
# with probability 1 - rate.
""",
    "layers.dropout_forward": """
_check_rate(rate)
x = as_float(x)
# TODO: Zero the dropped elements and rescale the kept ones so that the expected value
# of every element stays the same (inverted dropout).
""",
    "layers.dropout_backward": """
# TODO: The gradient flows only through the kept elements, scaled as in the forward pass.
""",
    "layers.batchnorm_forward": """
x = as_float(x)
# TODO: Normalise each feature with its batch mean and biased variance (axis=0, eps
# inside the square root), then scale by gamma and shift by beta.
""",
    "layers.batchnorm_backward": """
dout = as_float(dout)
x = as_float(x)
n = x.shape[0]
# TODO: Recompute x_hat, then dbeta, dgamma and dx; every x_i also moves the batch mean
# and variance, so dx has a term for each of those paths.
""",
    # ---------------------------------------------------------------- network
    "network.forward": """
x = as_float(x)
# TODO: Compute the hidden activations h and the outputs o with the sigmoid imported above.
""",
    "network.backward": """
x = as_float(x)
h, o = forward(x, W1, b1, W2, b2)
# TODO: Apply the chain rule from E back to every parameter: output deltas first, then
# hidden deltas through W2; biases sum their deltas over the batch.
""",
    "network.train_step": """
dW1, db1, dW2, db2 = backward(x, t, W1, b1, W2, b2)
# TODO: Move every parameter against its gradient, scaled by lr, and return new arrays.
""",
    # ---------------------------------------------------------------- optimizers
    "optimizers.sgd_step": """
# TODO: Return the parameter after one plain gradient-descent step, as a new array.
""",
    "optimizers.momentum_step": """
# TODO: Update the velocity (it holds the step itself, learning rate included), then move
# w by the new velocity; return both.
""",
    "optimizers.nesterov_step": """
grad = np.asarray(grad)
# TODO: Update v as in momentum_step, then take the look-ahead step along the new v given
# in the formula above.
""",
    "optimizers.adagrad_step": """
grad = np.asarray(grad)
# TODO: Add grad**2 to the accumulator first; eps goes outside the square root of
# the new accumulator.
""",
    "optimizers.rmsprop_step": """
grad = np.asarray(grad)
# TODO: Update the moving average of grad**2 with rho; eps goes outside the square
# root of the new average.
""",
    "optimizers.adam_step": """
if t < 1:
    raise ValueError(f"t is the 1-based step number and must be >= 1, got {t!r}")
grad = np.asarray(grad)
# TODO: Update m and v, bias-correct them with beta**t, take the step (eps outside the
# square root) and return the uncorrected m and v as the new state.
""",
    # ---------------------------------------------------------------- regularization
    "regularization.l2_penalty": """
W = as_float(W)
# TODO: Return lam times the sum of the squared weights, as a Python float.
""",
    "regularization.l2_grad": """
# TODO: Differentiate lam * sum(W**2) with respect to W.
""",
    "regularization.l1_penalty": """
# TODO: Return lam times the sum of the absolute weights, as a Python float.
""",
    "regularization.l1_grad": """
# TODO: Return lam times the sign of W, which must be 0 where W == 0.
""",
    "regularization.max_norm": """
W = as_float(W)
# TODO: Take the L2 norm of every slice along axis (keepdims=True) and shrink only the
# slices whose norm exceeds max_value, to norm exactly max_value.
""",
    # ---------------------------------------------------------------- initializers
    "initializers.random_normal": """
# TODO: Draw the samples from rng (never np.random); rng.normal takes the standard
# deviation.
""",
    "initializers.random_uniform": """
# TODO: Draw the samples from rng (never np.random).
""",
    "initializers.glorot_uniform": """
# TODO: Compute the limit from both fans, then draw (fan_in, fan_out) samples of
# U(-limit, limit) from rng.
""",
    "initializers.he_normal": """
# TODO: Draw (fan_in, fan_out) normal samples from rng; rng.normal takes the standard
# deviation, not the variance.
""",
    # ---------------------------------------------------------------- training
    "training.iterations_per_epoch": """
n = _check_positive_int("n_samples", n_samples)
b = _check_positive_int("batch_size", batch_size)
# TODO: Count the batches, the last smaller one included, in integer arithmetic.
""",
    "training.minibatch_indices": """
n = _check_positive_int("n_samples", n_samples)
b = _check_positive_int("batch_size", batch_size)
# TODO: Order the indices (a permutation from rng if shuffle, else 0..n-1) and cut them
# into consecutive batches of b; keep the last, smaller batch.
""",
    "training.early_stopping_epoch": """
losses = [float(v) for v in val_losses]
if not losses:
    raise ValueError("val_losses must hold at least one epoch's loss")
patience = _check_positive_int("patience", patience)
# TODO: Walk through the epochs keeping the best loss, its epoch and the number of epochs
# in a row without improvement; stop when that number reaches patience.
""",
    "training.time_based_decay": """
# TODO: Return the decayed learning rate of the formula above, as a Python float.
""",
    "training.gradient_descent_quadratic": """
xs = np.empty(int(steps) + 1, dtype=np.float64)
xs[0] = x = float(x0)
# TODO: Fill xs[1:] with the iterates x <- x - lr * f'(x); a diverging run may overflow to
# inf (wrap the loop in np.errstate(over="ignore", invalid="ignore")).
""",
    "training.train_val_test_split": """
n = _check_positive_int("n_samples", n_samples)
if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
    raise ValueError(
        f"val_fraction and test_fraction must be in [0, 1) with a sum below 1, "
        f"got {val_fraction!r} and {test_fraction!r}"
    )
# TODO: Permute range(n) with rng, cut off floor(n * test_fraction) test and
# floor(n * val_fraction) validation indices, and keep the rest for training.
""",
    "training.log_uniform": """
if not 0 < low < high:
    raise ValueError(f"log_uniform needs 0 < low < high, got low={low!r}, high={high!r}")
# TODO: Draw the logarithms uniformly from rng and exponentiate them.
""",
}


def _rewrap(body, width=88):
    """Reflow each block of comment lines to at most ``width`` characters (+4 indent)."""
    out, block = [], []
    for line in body + [""]:
        if line.startswith("# "):
            block.append(line[2:])
            continue
        if block:
            out.extend("# " + w for w in textwrap.wrap(" ".join(block), width - 2))
            block = []
        if line:
            out.append(line)
    return out


def skeleton(module):
    source = (SRC / f"{module}.py").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    out, cursor = [], 0
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name in CONTRACT[module]):
            continue
        doc = node.body[0]
        assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant), node.name
        out.extend(lines[cursor:doc.end_lineno])
        body = _rewrap(BODIES[f"{module}.{node.name}"].strip("\n").splitlines())
        body.append("raise NotImplementedError")
        out.extend("    " + line + "\n" for line in body)
        cursor = node.end_lineno
    out.extend(lines[cursor:])
    return "".join(out)


def expected_files():
    """File name -> text of every file of exercises/, as generated from solutions/."""
    files = {}
    for path in sorted(SRC.glob("*.py")):
        module = path.stem
        if module in CONTRACT:
            files[path.name] = skeleton(module)
        elif module == "__init__":
            files[path.name] = INIT
        else:
            files[path.name] = path.read_text(encoding="utf-8")
    contract = set(qualified_names())
    if set(BODIES) != contract:
        raise SystemExit("make_skeleton: BODIES and the contract differ: "
                         + ", ".join(sorted(set(BODIES) ^ contract)))
    return files


def main(argv=None):
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    files = expected_files()
    stale = sorted(p.name for p in DST.glob("*.py") if p.name not in files) if DST.is_dir() else []
    changed = [name for name, text in files.items()
               if not (DST / name).is_file() or (DST / name).read_text(encoding="utf-8") != text]
    if check:
        for name in changed + stale:
            print(f"exercises/{name} is out of date")
        return 1 if changed or stale else 0
    DST.mkdir(exist_ok=True)
    for name in changed:
        write_atomic(DST / name, files[name])
        print(f"wrote exercises/{name}")
    for name in stale:
        (DST / name).unlink()
        print(f"removed exercises/{name}")
    if not changed and not stale:
        print("exercises/ is up to date")
    return 0


INIT = '''"""Exercises: implement the chainrule contract here (docs: CONTRACT.md).

Every module has the functions of its topic with their signatures and docstrings; each
body ends in ``raise NotImplementedError`` after a ``# TODO:`` with a hint. Replace the
TODO with your code, keeping the given lines around it, and run ``chainrule grade`` to
check your work: it explains every failing case and the command that reruns it.
"""
'''

if __name__ == "__main__":
    sys.exit(main())
