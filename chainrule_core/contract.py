"""The published exercise contract (see docs/CONTRACT.md) as data: one record per function.

``FUNCTIONS`` is the single table of every fact the code needs about a contract function:
its module and name, its positional argument names (in order), the names of the items it
returns when it returns a tuple, the points it is worth, and (for the optimizers) how many
state arrays it carries. Everything else is derived from it: ``CONTRACT`` (module ->
names), ``MODULES``, ``qualified_names()``, ``SIGNATURES``, ``OUTPUT_NAMES``, ``POINTS``
and ``STATE_COUNT``. ``chainrule list``, the grader, the skeleton tool and the tests all
read it; tests check each record against ``inspect.signature`` of ``solutions/`` and
``exercises/``, and that docs/CONTRACT.md names every function.

To add a contract function: append a record here (never rename or reorder: the contract is
a published interface), then write it in ``solutions/<module>.py``, regenerate
``exercises/`` with ``python tools/make_skeleton.py``, and give the grader its cases and
known mistakes in ``grader/specs/<module>.py`` (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    """One contract function.

    ``args``: positional argument names in order (defaults live in the code and in
    docs/CONTRACT.md); ``outputs``: names of the items of a tuple result, empty for a
    single result; ``points``: what it is worth in the report; ``state``: for an optimizer
    step, how many state arrays follow ``w, grad`` in the arguments and ``w`` in the result.
    """

    module: str
    name: str
    args: tuple[str, ...]
    outputs: tuple[str, ...] = ()
    points: float = 1.0
    state: int | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


_f = Function

FUNCTIONS = (
    # activations
    _f("activations", "sigmoid", ("x",)),
    _f("activations", "sigmoid_derivative", ("x",)),
    _f("activations", "tanh", ("x",)),
    _f("activations", "tanh_derivative", ("x",)),
    _f("activations", "relu", ("x",)),
    _f("activations", "relu_derivative", ("x",)),
    _f("activations", "softplus", ("x",)),
    _f("activations", "softplus_derivative", ("x",)),
    _f("activations", "softmax", ("z", "axis"), points=2),
    # losses
    _f("losses", "mean_squared_error", ("y_true", "y_pred")),
    _f("losses", "mean_squared_error_grad", ("y_true", "y_pred")),
    _f("losses", "sum_squared_error", ("y_true", "y_pred")),
    _f("losses", "sum_squared_error_grad", ("y_true", "y_pred")),
    _f("losses", "binary_crossentropy", ("y_true", "y_pred", "eps")),
    _f("losses", "binary_crossentropy_grad", ("y_true", "y_pred", "eps"), points=2),
    _f("losses", "categorical_crossentropy", ("y_true", "y_pred", "eps")),
    _f("losses", "sparse_categorical_crossentropy", ("labels", "y_pred", "eps")),
    _f("losses", "softmax_crossentropy_grad", ("labels", "logits"), points=2),
    _f("losses", "class_weights_balanced", ("labels", "n_classes")),
    _f("losses", "weighted_sparse_categorical_crossentropy", ("labels", "y_pred", "class_weight", "eps")),
    # layers
    _f("layers", "dense_forward", ("x", "W", "b")),
    _f("layers", "dense_backward", ("dout", "x", "W"), outputs=("dx", "dW", "db"), points=3),
    _f("layers", "dropout_mask", ("shape", "rate", "rng")),
    _f("layers", "dropout_forward", ("x", "mask", "rate")),
    _f("layers", "dropout_backward", ("dout", "mask", "rate")),
    _f("layers", "batchnorm_forward", ("x", "gamma", "beta", "eps"), points=2),
    _f("layers", "batchnorm_backward", ("dout", "x", "gamma", "eps"), outputs=("dx", "dgamma", "dbeta"), points=4),
    # network
    _f("network", "forward", ("x", "W1", "b1", "W2", "b2"), outputs=("h", "o"), points=2),
    _f("network", "backward", ("x", "t", "W1", "b1", "W2", "b2"), outputs=("dW1", "db1", "dW2", "db2"), points=4),
    _f("network", "train_step", ("x", "t", "W1", "b1", "W2", "b2", "lr"), outputs=("W1", "b1", "W2", "b2"), points=3),
    # optimizers
    _f("optimizers", "sgd_step", ("w", "grad", "lr"), state=0),
    _f("optimizers", "momentum_step", ("w", "grad", "velocity", "lr", "momentum"),
        outputs=("w", "velocity"), state=1),
    _f("optimizers", "nesterov_step", ("w", "grad", "velocity", "lr", "momentum"),
        outputs=("w", "velocity"), state=1),
    _f("optimizers", "adagrad_step", ("w", "grad", "accum", "lr", "eps"), outputs=("w", "accum"), state=1),
    _f("optimizers", "rmsprop_step", ("w", "grad", "sq_avg", "lr", "rho", "eps"), outputs=("w", "sq_avg"), state=1),
    _f("optimizers", "adam_step", ("w", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
        outputs=("w", "m", "v"), points=2, state=2),
    # regularization
    _f("regularization", "l2_penalty", ("W", "lam")),
    _f("regularization", "l2_grad", ("W", "lam")),
    _f("regularization", "l1_penalty", ("W", "lam")),
    _f("regularization", "l1_grad", ("W", "lam")),
    _f("regularization", "max_norm", ("W", "max_value", "axis")),
    # initializers
    _f("initializers", "random_normal", ("shape", "rng", "mean", "stddev")),
    _f("initializers", "random_uniform", ("shape", "rng", "minval", "maxval")),
    _f("initializers", "glorot_uniform", ("fan_in", "fan_out", "rng")),
    _f("initializers", "he_normal", ("fan_in", "fan_out", "rng")),
    # training
    _f("training", "iterations_per_epoch", ("n_samples", "batch_size")),
    _f("training", "minibatch_indices", ("n_samples", "batch_size", "rng", "shuffle")),
    _f("training", "early_stopping_epoch", ("val_losses", "patience", "min_delta"),
        outputs=("stop_epoch", "best_epoch")),
    _f("training", "time_based_decay", ("lr0", "decay", "iteration")),
    _f("training", "gradient_descent_quadratic", ("a", "b", "x0", "lr", "steps")),
    _f("training", "train_val_test_split", ("n_samples", "val_fraction", "test_fraction", "rng"),
        outputs=("train_idx", "val_idx", "test_idx")),
    _f("training", "log_uniform", ("low", "high", "size", "rng")),
)

BY_QUALNAME = {f.qualname: f for f in FUNCTIONS}

# derived views, in contract order
CONTRACT = {}
for _fn in FUNCTIONS:
    CONTRACT.setdefault(_fn.module, []).append(_fn.name)
del _fn

MODULES = list(CONTRACT)
SIGNATURES = {f.qualname: f.args for f in FUNCTIONS}
OUTPUT_NAMES = {f.qualname: f.outputs for f in FUNCTIONS if f.outputs}
POINTS = {f.qualname: float(f.points) for f in FUNCTIONS}
STATE_COUNT = {f.qualname: f.state for f in FUNCTIONS if f.state is not None}


def qualified_names():
    """All contract functions as ``module.function``, in contract order."""
    return [f.qualname for f in FUNCTIONS]


def function(qualname: str) -> Function:
    """The record of ``module.function`` (KeyError if it is not in the contract)."""
    return BY_QUALNAME[qualname]
