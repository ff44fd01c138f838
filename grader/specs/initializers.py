"""Grading spec of ``initializers``: the cases of each function, then its known mistakes.

Cases: ``@builder(qualname, ...)`` registers a function ``(qualname, rng) -> [Case]`` in
``CASES`` (see ``grader.specs._kit`` for ``Case``, ``Call`` and the tolerances). Known
mistakes: the functions named ``<function>__<what>`` below, listed in ``KNOWN`` as
``(function, kebab-case id, impl, hint)`` rows. Each impl has the contract signature of
the function it gets wrong and is self-contained (only ``np``: no helpers, no closures),
so that the mutation test can transplant its source into a copy of the reference and the
diagnosis can run it in the grader process. The mistakes draw from ``rng`` like the
reference, so a diagnosis can rerun them with the case's seed.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import (Call, Case, EXACT, Rng, dist_judge, registrar, repro_calls,
                              seeds, stats)

CASES = {}
builder = registrar(CASES, "initializers")


# ------------------------------------------------------------------------ cases
@builder("initializers.random_normal")
def _random_normal(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), mean 0.5, stddev 2.0", [Call((300, 200), Rng(s[0]), 0.5, 2.0)],
             kind="stat", judge=dist_judge((300, 200), "f", stats.normal_cdf(0.5, 2.0),
                                            what="N(0.5, 2.0**2)"), **EXACT),
        Case(q, "defaults: (250, 240), mean 0, stddev 0.05", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=dist_judge((250, 240), "f", stats.normal_cdf(0.0, 0.05),
                                            what="N(0, 0.05**2)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((4, 3), r, 0.0, 1.0), rng),
             kind="stat", judge=stats.judge_repro((4, 3)), **EXACT),
    ]


@builder("initializers.random_uniform")
def _random_uniform(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "distribution: (300, 200), U(-3, 1)", [Call((300, 200), Rng(s[0]), -3.0, 1.0)],
             kind="stat", judge=dist_judge((300, 200), "f", stats.uniform_cdf(-3.0, 1.0), (-3.0, 1.0),
                                            "U(-3, 1)"), **EXACT),
        Case(q, "defaults: (250, 240), U(-0.05, 0.05)", [Call((250, 240), Rng(s[1]))],
             kind="stat", judge=dist_judge((250, 240), "f", stats.uniform_cdf(-0.05, 0.05), (-0.05, 0.05),
                                            "U(-0.05, 0.05)"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((5,), r, 0.0, 1.0), rng),
             kind="stat", judge=stats.judge_repro((5,)), **EXACT),
    ]


@builder("initializers.glorot_uniform")
def _glorot(q, rng):
    s = seeds(rng, 1)
    lim = float(np.sqrt(6.0 / (300 + 200)))
    return [
        Case(q, "distribution: fan_in 300, fan_out 200", [Call(300, 200, Rng(s[0]))],
             kind="stat", judge=dist_judge((300, 200), "f", stats.uniform_cdf(-lim, lim), (-lim, lim),
                                            f"U(-{lim:.6g}, {lim:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (3, 4, r), rng),
             kind="stat", judge=stats.judge_repro((3, 4)), **EXACT),
    ]


@builder("initializers.he_normal")
def _he(q, rng):
    s = seeds(rng, 1)
    sd = float(np.sqrt(2.0 / 400))
    return [
        Case(q, "distribution: fan_in 400, fan_out 150", [Call(400, 150, Rng(s[0]))],
             kind="stat", judge=dist_judge((400, 150), "f", stats.normal_cdf(0.0, sd),
                                            what=f"N(0, 2/400) (stddev {sd:.6g})"), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (3, 5, r), rng),
             kind="stat", judge=stats.judge_repro((3, 5)), **EXACT),
    ]


# ------------------------------------------------------------------------ known mistakes
def random_normal__variance_as_scale(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(mean, stddev ** 2, size=shape)


def random_normal__mean_ignored(shape, rng, mean=0.0, stddev=0.05):
    return stddev * rng.standard_normal(shape)


def random_uniform__width_not_scaled(shape, rng, minval=-0.05, maxval=0.05):
    return minval + rng.random(shape)


def glorot_uniform__fan_in_only(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_uniform__normal_not_uniform(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def glorot_uniform__missing_sqrt(fan_in, fan_out, rng):
    limit = 6.0 / (fan_in + fan_out)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_normal__variance_one_over_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


def he_normal__variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))


def he_normal__fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))


KNOWN = [
    ("random_normal", "variance-as-scale", random_normal__variance_as_scale,
     "The scale of a normal draw is its standard deviation, so the spread must be stddev, "
     "not stddev squared."),
    ("random_normal", "mean-ignored", random_normal__mean_ignored,
     "The samples must be centred on the mean argument; yours are centred on 0."),
    ("random_uniform", "width-not-scaled", random_uniform__width_not_scaled,
     "A standard uniform draw lies in [0, 1); it must be stretched to the width maxval − "
     "minval before the shift to minval."),
    ("glorot_uniform", "fan-in-only", glorot_uniform__fan_in_only,
     "Glorot's limit uses both fans, √(6 / (fan_in + fan_out))."),
    ("glorot_uniform", "normal-not-uniform", glorot_uniform__normal_not_uniform,
     "That is Glorot normal; glorot_uniform draws uniformly from [−limit, limit] with "
     "limit √(6 / (fan_in + fan_out))."),
    ("glorot_uniform", "missing-sqrt", glorot_uniform__missing_sqrt,
     "The limit is the square root √(6 / (fan_in + fan_out)), not 6 / (fan_in + fan_out)."),
    ("he_normal", "variance-one-over-fan-in", he_normal__variance_one_over_fan_in,
     "He initialization has variance 2 / fan_in (1 / fan_in is LeCun's), so the standard "
     "deviation is √(2 / fan_in)."),
    ("he_normal", "variance-as-std", he_normal__variance_as_std,
     "2 / fan_in is the variance; a normal draw takes the standard deviation, √(2 / "
     "fan_in)."),
    ("he_normal", "fan-out", he_normal__fan_out,
     "He normal scales by the number of inputs: variance 2 / fan_in, not 2 / fan_out."),
]
