"""The grader's knowledge of each contract function: its cases and its known mistakes.

One spec module per contract module (``grader/specs/optimizers.py`` for
``exercises/optimizers.py``) holds, for each of its functions, the cases that test it
(``CASES``: qualname -> builder, written with ``grader.specs._kit``); beside it,
``grader/specs/known/optimizers.py``, in the instructor's copy of the grader only, holds the
wrong versions students really write (``KNOWN`` rows). The wrong versions are the reference with one thing changed, so they
sit in a package of their own that a student release leaves out (it diagnoses from their
recorded outputs, ``grader.recorded_mistakes``). This registry puts them together:

- ``cases_for(qualname, seed)``: the numbered cases of a function for a seed;
- ``MISTAKES`` (contract order) and ``for_function(qualname)``: the known mistakes, used
  twice: for the diagnosis (when a submission fails a case, the grader runs the mistakes
  of that function on the case's inputs and names the one the output matches) and for the
  mutation test (every mistake, transplanted into a copy of the reference, must fail its
  function; tests/grader/test_mistakes.py);
- ``spec_for(qualname)``: both at once, as ``Spec(cases, mistakes)``.

The specs import only numpy, the grader and ``chainrule_core`` (never ``solutions``,
sympy or jinja2): they run in the grader's own process. Adding a contract module is one
line in ``SPECS``.
"""

from __future__ import annotations

import importlib
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from chainrule_core.contract import CONTRACT, qualified_names

from . import (activations, initializers, layers, losses, network, optimizers,
               regularization, training)

# Contract module -> its spec module.
SPECS = {
    "activations": activations,
    "losses": losses,
    "layers": layers,
    "network": network,
    "optimizers": optimizers,
    "regularization": regularization,
    "initializers": initializers,
    "training": training,
}


@dataclass(frozen=True)
class Mistake:
    """One known wrong version of a contract function."""

    function: str   # "optimizers.adam_step"
    name: str       # short kebab-case id, e.g. "no-bias-correction"
    hint: str       # one sentence shown to the student, says what to fix
    impl: Callable  # wrong version with the contract signature, numpy only


@dataclass(frozen=True)
class Spec:
    """What the grader knows of one function: ``cases(qualname, rng) -> [Case]`` and the
    known mistakes."""

    cases: Callable
    mistakes: tuple


def _collect_builders():
    builders = {}
    for module in SPECS.values():
        builders.update(module.CASES)
    missing = [q for q in qualified_names() if q not in builders]
    if missing:
        raise RuntimeError(f"no cases for {', '.join(missing)}; write them in grader/specs/")
    return {q: builders[q] for q in qualified_names()}


def _known_tables():
    """``{contract module: KNOWN rows}`` from ``grader/specs/known/``, or None where that
    package is absent (a student release: it ships the mistakes' recorded outputs instead
    of their code, see ``grader.recorded_mistakes``)."""
    try:
        from . import known
    except ImportError:
        return None
    return {name: importlib.import_module(f"{known.__name__}.{name}").KNOWN for name in SPECS}


def _collect_mistakes():
    tables = _known_tables()
    if tables is None:
        return None
    by_function = {}
    for module_name, rows in tables.items():
        for function, name, impl, hint in rows:
            qualname = f"{module_name}.{function}"
            if function not in CONTRACT.get(module_name, ()):
                raise RuntimeError(f"known mistake {name!r} names {qualname!r}, "
                                   f"which is not a contract function")
            by_function.setdefault(qualname, []).append(Mistake(qualname, name, hint, impl))
    # Contract order: by module, then by function, each function's mistakes as listed.
    ordered = []
    for qualname in qualified_names():
        ordered.extend(by_function.pop(qualname, []))
    return tuple(ordered)


BUILDERS = _collect_builders()
# MISTAKES: tuple | None -- None: no mistake code here (a release). Loaded on first use
# (``_mistakes``, the module's ``__getattr__``): grading a submission that passes every
# case never needs the catalog.
_UNLOADED = object()


def _mistakes():
    """``MISTAKES``, collected on the first call (or as a test set it)."""
    mistakes = globals().get("MISTAKES", _UNLOADED)
    if mistakes is _UNLOADED:
        mistakes = globals()["MISTAKES"] = _collect_mistakes()
    return mistakes


def __getattr__(name):
    if name == "MISTAKES":
        return _mistakes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cases_for(qualname, seed):
    """The numbered cases of ``qualname`` for ``seed``."""
    rng = np.random.default_rng([int(seed), zlib.crc32(qualname.encode())])
    cases = BUILDERS[qualname](qualname, rng)
    for k, case in enumerate(cases, 1):
        case.number = k
    return cases


def for_function(qualname: str) -> list[Mistake]:
    """The known mistakes of one contract function, e.g. ``"optimizers.adam_step"``.

    Returns an empty list for a contract function without known mistakes; raises
    ``ValueError`` for a name that is not a contract function.
    """
    module, _, function = qualname.partition(".")
    if function not in CONTRACT.get(module, ()):
        raise ValueError(f"unknown contract function {qualname!r}; expected "
                         f"'module.function', e.g. 'optimizers.adam_step'")
    mistakes = _mistakes()
    if mistakes is None:   # a student release: replay the recorded outputs
        from grader.recorded_mistakes import for_function as recorded

        return list(recorded(qualname))
    return [m for m in mistakes if m.function == qualname]


def spec_for(qualname: str) -> Spec:
    """The cases builder and the known mistakes of ``qualname``."""
    mistakes = tuple(for_function(qualname))
    return Spec(BUILDERS[qualname], mistakes)
