"""The problem-family registry: name -> (module, one-line summary).

Registered, not discovered: adding a family is one module plus one line here. Importing
this module does not import sympy, so ``chainrule list`` stays fast; ``load(name)``
imports the family's module.
"""

from __future__ import annotations

import importlib

from chainrule_core.suggest import closest as did_you_mean  # noqa: F401 - the one "did you mean"

FAMILIES = {
    # name: (module, summary)
    "forward_pass": ("generator.families.forward_pass", "forward pass of a small sigmoid network: z, h, o and the error E"),
    "output_update": ("generator.families.output_update", "output-layer weight update: dE/dw5 as three chain-rule factors, then the new w5"),
    "hidden_update": ("generator.families.hidden_update", "hidden-layer weight update: dE/dw1 through both outputs, then the new w1"),
    "training_step": ("generator.families.training_step", "one full training step: every updated weight, the error before and after"),
    "optimizer_steps": ("generator.families.optimizer_steps", "k steps of SGD, momentum, Nesterov, Adagrad, RMSprop or Adam: parameter and state each step"),
    "loss_values": ("generator.families.loss_values", "MSE, binary, categorical and sparse categorical cross-entropy on a small batch; which loss suits which task"),
    "activations": ("generator.families.activations", "sigmoid, tanh, ReLU or softplus and its derivative; the vanishing gradient through n sigmoid layers"),
    "batch_arithmetic": ("generator.families.batch_arithmetic", "iterations per epoch, updates over n_epochs epochs; batch vs mini-batch vs stochastic gradient descent"),
    "learning_rate": ("generator.families.learning_rate", "gradient descent on a quadratic: iterates, converge/oscillate/diverge, critical learning rate; time-based decay"),
    "regularization": ("generator.families.regularization", "L1/L2 penalty, its gradient and the update with weight decay; inverted dropout or max-norm"),
    "batch_norm": ("generator.families.batch_norm", "batch normalization of a small batch: means, variances, normalized values and outputs"),
    "initialization": ("generator.families.initialization", "Xavier/He limits and standard deviations; equal weights give equal gradients (symmetry never breaks)"),
    "early_stopping": ("generator.families.early_stopping", "stop and restored epoch for a validation-loss sequence and patience; balanced class weights"),
    "hyperparameter_search": ("generator.families.hyperparameter_search", "random search: a log-uniform learning rate, where its draws fall, RandomizedSearchCV fits, train/validation/test split"),
}


def names():
    return list(FAMILIES)


def load(name):
    module, _summary = FAMILIES[name]
    return importlib.import_module(module)

