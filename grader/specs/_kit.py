"""What a spec module writes its cases with: ``Case``, ``Call``, tolerances and helpers.

Tolerances are explicit per case: ``F64`` for float64 inputs, ``F32`` for float32 inputs,
``FD`` for comparisons with central finite differences, ``TINY`` for values around 1e-5,
``EXACT`` for integers and masks. ``registrar(CASES, module)`` makes a spec module's
``@builder(qualname, ...)`` decorator; a builder takes ``(qualname, rng)`` and returns the
function's named cases in a fixed order (``--case K`` is the 1-based position).
"""

from __future__ import annotations

import numpy as np

from chainrule_core.contract import CONTRACT
from grader import stats
from grader.framework import Call, Case, FeedError
from grader.values import Rng

__all__ = ["Call", "Case", "FeedError", "Rng", "stats", "F64", "F32", "FD", "TINY", "EXACT",
           "U", "signed", "both_kinds", "central_diff", "seeds", "repro_calls", "dist_judge",
           "float64_judge", "registrar"]

F64 = dict(rtol=1e-6, atol=1e-9)
F32 = dict(rtol=1e-4, atol=1e-6)
FD = dict(rtol=1e-5, atol=1e-8)
TINY = dict(rtol=1e-6, atol=1e-13)   # values around 1e-5: atol far below their size
EXACT = dict(rtol=0.0, atol=0.0)


def registrar(cases, module):
    """The ``@builder(qualname, ...)`` decorator of the spec module of ``module``: it
    registers the builder in ``cases`` under each name, which must be a contract function
    of that module."""
    def builder(*qualnames):
        def register(fn):
            for q in qualnames:
                mod, _, name = q.partition(".")
                if mod != module or name not in CONTRACT.get(module, ()):
                    raise RuntimeError(f"grader/specs/{module}.py registers cases for {q!r}, "
                                       f"which is not a contract function of {module!r}")
                cases[q] = fn
            return fn
        return register
    return builder


def U(rng, shape, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def signed(rng, shape, bound, least=0.0, dtype=np.float64):
    """Values in ``shape`` whose size lies in ``(least, bound]``, half of them negative (the
    smaller half for an odd count) at random places: both signs whatever the seed, where a
    plain ``U(rng, shape, -bound, bound)`` is all of one sign now and then (a (1, 4) batch for
    one seed in 8) and a case that probes a branch (relu's, sigmoid's stable forms, the sign of
    an L1 gradient) tested it for some students and not for others."""
    n = int(np.prod(shape, dtype=np.int64))
    size = bound - rng.uniform(0.0, bound - least, n)        # (least, bound]: never 0
    negative = rng.permutation(np.arange(n) < n // 2)
    return np.where(negative, -size, size).reshape(shape).astype(dtype)


def both_kinds(rng, shape, share=0.5):
    """A boolean array of ``shape`` (at least 2 elements) with ``share`` of it True (rounded,
    but at least one True and one False) at random places: a dropout mask that keeps and
    drops, targets of both classes, whatever the seed."""
    n = int(np.prod(shape, dtype=np.int64))
    true = min(max(int(round(share * n)), 1), n - 1)
    return rng.permutation(np.arange(n) < true).reshape(shape)


def central_diff(f, x, h=1e-6):
    """d f(x) / d x for scalar-valued ``f``, by central differences over every element."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


# ---------------------------------------------------------------- random functions
def seeds(rng, n=2):
    return [int(s) for s in rng.integers(0, 2 ** 31, n)]


def repro_calls(build, rng):
    """Three calls: seed A (global seed 1), seed A (global seed 2), seed B (global seed 1)."""
    a, b = seeds(rng)
    return [Call(*build(Rng(a)), global_seed=1), Call(*build(Rng(a)), global_seed=2),
            Call(*build(Rng(b)), global_seed=1)]


def dist_judge(shape, dtype_kind, cdf, bounds=None, what=""):
    def judge(outs, calls):
        return stats.judge_samples(outs, shape, dtype_kind, cdf, bounds, what)
    return judge


def float64_judge(judge):
    """``judge`` (a stat judge), then the contract's dtype: every array returned must be
    float64 (the initializers: the rng draws float64, and a conversion changes it)."""
    def checked(outs, calls):
        problem = judge(outs, calls)
        if problem is not None:
            return problem
        for k, ret in enumerate(outs):
            if ret.kind == "array" and ret.value.dtype.kind == "f" and ret.value.dtype != np.float64:
                where = f"call {k + 1}: " if len(outs) > 1 else ""
                text = (f"{where}returned dtype {ret.value.dtype}; the contract's initializers give "
                        f"float64 arrays (the generator draws float64: a conversion to {ret.value.dtype} "
                        "changes it)")
                return stats.stat_problem(text, finding=("wrong-dtype", text[len(where):]))
        return None
    return checked
