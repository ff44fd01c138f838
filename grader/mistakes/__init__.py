"""Known mistakes: the wrong versions of contract functions that students really write.

Each ``Mistake`` names a contract function (``"optimizers.adam_step"``), a short
kebab-case id, a one-sentence hint that says what to fix, and ``impl``, the wrong version
itself with the contract signature. The grader uses the list twice:

- diagnosis: when a submission fails a case, the grader runs the mistakes of that
  function on the case's inputs and, if the submission's output matches one, names it
  and shows its hint;
- mutation test: every mistake, transplanted into a copy of the reference, must fail
  its function (tests/grader/test_mistakes.py).

The impls are plain NumPy and self-contained: each uses only ``np`` (no helpers, no
closures, no import of ``solutions``), so its source can be copied into a submission and
it can run in the grader's own process, which never imports sympy, jinja2 or solutions.
One module per contract module holds them as ``KNOWN``, a list of
``(function, name, impl, hint)`` rows; registering a new module is one line in
``_MODULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from chainrule_core.contract import CONTRACT

from . import (activations, initializers, layers, losses, network, optimizers,
               regularization, training)


@dataclass(frozen=True)
class Mistake:
    """One known wrong version of a contract function."""

    function: str   # "optimizers.adam_step"
    name: str       # short kebab-case id, e.g. "no-bias-correction"
    hint: str       # one sentence shown to the student, says what to fix
    impl: Callable  # wrong version with the contract signature, numpy only


# Contract module -> the module of its known mistakes.
_MODULES = {
    "activations": activations,
    "losses": losses,
    "layers": layers,
    "network": network,
    "optimizers": optimizers,
    "regularization": regularization,
    "initializers": initializers,
    "training": training,
}


def _collect():
    by_function = {}
    for module_name, module in _MODULES.items():
        for function, name, impl, hint in module.KNOWN:
            qualname = f"{module_name}.{function}"
            if function not in CONTRACT.get(module_name, ()):
                raise RuntimeError(f"known mistake {name!r} names {qualname!r}, "
                                   f"which is not a contract function")
            by_function.setdefault(qualname, []).append(Mistake(qualname, name, hint, impl))
    # Contract order: by module, then by function, each function's mistakes as listed.
    ordered = []
    for module_name, names in CONTRACT.items():
        for function in names:
            ordered.extend(by_function.pop(f"{module_name}.{function}", []))
    return tuple(ordered)


MISTAKES: tuple = _collect()


def for_function(qualname: str) -> list[Mistake]:
    """The known mistakes of one contract function, e.g. ``"optimizers.adam_step"``.

    Returns an empty list for a contract function without known mistakes; raises
    ``ValueError`` for a name that is not a contract function.
    """
    module, _, function = qualname.partition(".")
    if function not in CONTRACT.get(module, ()):
        raise ValueError(f"unknown contract function {qualname!r}; expected "
                         f"'module.function', e.g. 'optimizers.adam_step'")
    return [m for m in MISTAKES if m.function == qualname]
