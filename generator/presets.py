"""Named problem sets with fixed parameters instead of per-student variants.

``worked-example`` is the seed notes' backprop example (4. 역전파): x = (0.1, 0.2),
w1..w8 = 0.3, 0.25, 0.4, 0.35, 0.45, 0.4, 0.7, 0.6, no biases, targets (0.4, 0.6),
learning rate 0.5. Its four problems give z, h, o and E; the three chain-rule factors of
dE/dw5 and the new w5; dE/dw1 through both outputs; and the whole training step with all
eight updated weights and the error after it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import sympy as sp

from chainrule_core.errors import ChainruleUsageError

R = sp.Rational


def _seed_network() -> Dict[str, Any]:
    from generator.families._backprop import Net

    net = Net(2, 2, 2, bias=False)
    numbers = {
        "x_1": "0.1", "x_2": "0.2",
        "w_1": "0.3", "w_2": "0.25", "w_3": "0.4", "w_4": "0.35",
        "w_5": "0.45", "w_6": "0.4", "w_7": "0.7", "w_8": "0.6",
        "t_1": "0.4", "t_2": "0.6", "eta": "0.5",
    }
    return {"net": net, "values": {name: R(text) for name, text in numbers.items()}}


def _worked_example() -> List[Tuple[str, Dict[str, Any]]]:
    seed = _seed_network()
    return [
        ("forward_pass", dict(seed, unit=1)),
        ("output_update", dict(seed, asked="w_5")),
        ("hidden_update", dict(seed, asked="w_1")),
        ("training_step", dict(seed)),
    ]


PRESETS = {
    "worked-example": (_worked_example, "the course notes' backprop example (x = 0.1, 0.2; w1..w8; lr = 0.5)"),
}


def names() -> List[str]:
    return sorted(PRESETS)


def load(name: str) -> List[Tuple[str, Dict[str, Any]]]:
    """[(family, params), ...] of the preset; an unknown name is a usage error."""
    if name not in PRESETS:
        from generator.registry import did_you_mean

        close = did_you_mean(name, names())
        valid = f"(valid: {', '.join(names())})"
        raise ChainruleUsageError(f"Unknown preset '{name}'. Did you mean '{close}'? {valid}" if close
                                  else f"Unknown preset '{name}' {valid}.")
    return PRESETS[name][0]()
