"""Grading spec of ``initializers``: the cases of each function.

Its known mistakes are in ``grader/specs/known/initializers.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import (Call, Case, EXACT, Rng, dist_judge, float64_judge, registrar,
                              repro_calls, seeds, stats)

CASES = {}
builder = registrar(CASES, "initializers")


# ------------------------------------------------------------------------ cases
def _dist(shape, cdf, bounds=None, what=""):
    """The distribution judge, then the contract's dtype: the initializers return float64."""
    return float64_judge(dist_judge(shape, "f", cdf, bounds, what))


def _repro(shape):
    return float64_judge(stats.judge_repro(shape))


@builder("initializers.random_normal")
def _random_normal(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), mean 0.5, stddev 2.0", [Call((300, 200), Rng(s[0]), 0.5, 2.0)],
             kind="stat", judge=_dist((300, 200), stats.normal_cdf(0.5, 2.0),
                                      what="N(0.5, 2.0**2)"), **EXACT),
        Case(q, "defaults: (250, 240), mean 0, stddev 0.05", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=_dist((250, 240), stats.normal_cdf(0.0, 0.05),
                                      what="N(0, 0.05**2)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((4, 3), r, 0.0, 1.0), rng),
             kind="stat", judge=_repro((4, 3)), **EXACT),
    ]


@builder("initializers.random_uniform")
def _random_uniform(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), U(-3, 1)", [Call((300, 200), Rng(s[0]), -3.0, 1.0)],
             kind="stat", judge=_dist((300, 200), stats.uniform_cdf(-3.0, 1.0), (-3.0, 1.0),
                                      "U(-3, 1)"), **EXACT),
        Case(q, "defaults: (250, 240), U(-0.05, 0.05)", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=_dist((250, 240), stats.uniform_cdf(-0.05, 0.05), (-0.05, 0.05),
                                      "U(-0.05, 0.05)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((5,), r, 0.0, 1.0), rng),
             kind="stat", judge=_repro((5,)), **EXACT),
    ]


@builder("initializers.glorot_uniform")
def _glorot(q, rng):
    s = seeds(rng, 1)
    lim = float(np.sqrt(6.0 / (300 + 200)))
    return [
        Case(q, "distribution: fan_in 300, fan_out 200", [Call(300, 200, Rng(s[0]))],
             kind="stat", judge=_dist((300, 200), stats.uniform_cdf(-lim, lim), (-lim, lim),
                                      f"U(-{lim:.6g}, {lim:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (3, 4, r), rng),
             kind="stat", judge=_repro((3, 4)), **EXACT),
    ]


@builder("initializers.he_normal")
def _he(q, rng):
    s = seeds(rng, 1)
    sd = float(np.sqrt(2.0 / 400))
    return [
        Case(q, "distribution: fan_in 400, fan_out 150", [Call(400, 150, Rng(s[0]))],
             kind="stat", judge=_dist((400, 150), stats.normal_cdf(0.0, sd),
                                      what=f"N(0, 2/400) (stddev {sd:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (3, 5, r), rng),
             kind="stat", judge=_repro((3, 5)), **EXACT),
    ]
