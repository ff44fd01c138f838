"""The published exercise contract (see docs/CONTRACT.md) as data.

Module -> function names in contract order. This is the one list that ``chainrule list``,
the grader and the tests share; ``solutions/`` and ``exercises/`` must define exactly
these names. Extend it; never rename or reorder.
"""

CONTRACT = {
    "activations": [
        "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu",
        "relu_derivative", "softplus", "softplus_derivative", "softmax",
    ],
    "losses": [
        "mean_squared_error", "mean_squared_error_grad", "sum_squared_error",
        "sum_squared_error_grad", "binary_crossentropy", "binary_crossentropy_grad",
        "categorical_crossentropy", "sparse_categorical_crossentropy",
        "softmax_crossentropy_grad", "class_weights_balanced",
        "weighted_sparse_categorical_crossentropy",
    ],
    "layers": [
        "dense_forward", "dense_backward", "dropout_mask", "dropout_forward",
        "dropout_backward", "batchnorm_forward", "batchnorm_backward",
    ],
    "network": ["forward", "backward", "train_step"],
    "optimizers": [
        "sgd_step", "momentum_step", "nesterov_step", "adagrad_step", "rmsprop_step",
        "adam_step",
    ],
    "regularization": ["l2_penalty", "l2_grad", "l1_penalty", "l1_grad", "max_norm"],
    "initializers": ["random_normal", "random_uniform", "glorot_uniform", "he_normal"],
    "training": [
        "iterations_per_epoch", "minibatch_indices", "early_stopping_epoch",
        "time_based_decay", "gradient_descent_quadratic", "train_val_test_split",
        "log_uniform",
    ],
}

MODULES = list(CONTRACT)


def qualified_names():
    """All contract functions as ``module.function``, in contract order."""
    return [f"{module}.{name}" for module, names in CONTRACT.items() for name in names]
