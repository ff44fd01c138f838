"""The problem-family registry: name -> (module, one-line summary).

Registered, not discovered: adding a family is one module plus one line here. Importing
this module does not import sympy, so ``chainrule list`` stays fast; ``load(name)``
imports the family's module.
"""

from __future__ import annotations

import importlib

FAMILIES = {
    # name: (module, summary)
    "output_update": ("generator.families.output_update", "output-layer weight update: dE/dw5 as three chain-rule factors, then the new w5"),
    "optimizer_steps": ("generator.families.optimizer_steps", "k steps of SGD, momentum, Nesterov, Adagrad, RMSprop or Adam: parameter and state each step"),
    "loss_values": ("generator.families.loss_values", "MSE, binary, categorical and sparse categorical cross-entropy on a small batch; which loss suits which task"),
}


def names():
    return list(FAMILIES)


def load(name):
    module, _summary = FAMILIES[name]
    return importlib.import_module(module)
