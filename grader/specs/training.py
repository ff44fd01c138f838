"""Grading spec of ``training``: the cases of each function.

Its known mistakes are in ``grader/specs/known/training.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, EXACT, F64, Rng, registrar, repro_calls, seeds, stats

CASES = {}
builder = registrar(CASES, "training")


# ------------------------------------------------------------------------ cases
@builder("training.iterations_per_epoch")
def _iters(q, rng):
    return [
        Case(q, "2000 samples, batch 200 (the notes)", [Call(2000, 200)], **EXACT),
        Case(q, "a partial last batch: 2001 samples, batch 200", [Call(2001, 200)], **EXACT),
        Case(q, "batch larger than the data: 5 samples, batch 10", [Call(5, 10)], **EXACT),
        Case(q, "batch of 1: 7 samples", [Call(7, 1)], **EXACT),
        # drawn from the seed: a table of the fixed cases' answers (a student release records
        # them) passes no hidden check
        Case(q, "random sample count and batch size", [Call(int(rng.integers(50, 5000)), int(rng.integers(3, 300)))],
             **EXACT),
    ]


@builder("training.minibatch_indices")
def _minibatch(q, rng):
    s = seeds(rng, 1)
    return [
        Case(q, "shuffle=False: 10 samples, batch 4", [Call(10, 4, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffle=False: 9 samples, batch 3 (no partial batch)", [Call(9, 3, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffled: 1000 samples, batch 64", [Call(1000, 64, Rng(s[0]), True)],
             kind="stat", judge=stats.judge_minibatches(1000, 64), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (50, 8, r, True), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.early_stopping_epoch")
def _early(q, rng):
    noisy = [float(v) for v in np.round(1.0 / np.arange(1, 13) + rng.uniform(0, 0.05, 12), 6)]
    return [
        Case(q, "stops after patience 2", [Call([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.6], 2)], **EXACT),
        Case(q, "never stops: stop at the last epoch", [Call([0.9, 0.8, 0.7, 0.6], 3)], **EXACT),
        Case(q, "min_delta 0.05 ignores small improvements", [Call([1.0, 0.97, 0.96, 0.9, 0.89, 0.88], 2, 0.05)],
             **EXACT),
        Case(q, "patience 1, equal losses do not improve", [Call([0.5, 0.5, 0.4, 0.4], 1)], **EXACT),
        Case(q, "noisy decreasing curve, patience 3", [Call(noisy, 3)], **EXACT),
        Case(q, "the count restarts after every improvement (patience 2)",
             [Call([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], 2)], **EXACT),
    ]


@builder("training.time_based_decay")
def _decay(q, rng):
    return [
        Case(q, "lr0 0.1, decay 0.01, iteration 10", [Call(0.1, 0.01, 10)], **F64),
        Case(q, "iteration 0 gives lr0", [Call(0.05, 0.5, 0)], **F64),
        Case(q, "several iterations", [Call(0.3, 1e-3, k) for k in (1, 100, 1000, 12345)], **F64),
        Case(q, "random lr0, decay and iteration", [Call(float(rng.uniform(0.01, 0.5)), float(rng.uniform(1e-4, 0.1)),
                                                         int(rng.integers(0, 5000)))], **F64),
    ]


@builder("training.gradient_descent_quadratic")
def _gdq(q, rng):
    return [
        Case(q, "converging: a 2, b 3, x0 0, lr 0.1, 10 steps", [Call(2.0, 3.0, 0.0, 0.1, 10)], **F64),
        Case(q, "diverging: lr above 1/a", [Call(1.0, -1.0, 2.0, 1.5, 8)], **F64),
        Case(q, "0 steps returns [x0]", [Call(0.5, 1.0, 4.0, 0.1, 0)], **F64),
        Case(q, "random a, b, x0", [Call(float(rng.uniform(0.5, 3)), float(rng.uniform(-2, 2)),
                                         float(rng.uniform(-5, 5)), 0.2, 6)], **F64),
    ]


@builder("training.train_val_test_split")
def _split(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "1000 samples, val 0.15, test 0.2", [Call(1000, 0.15, 0.2, Rng(s[0]))],
             kind="stat", judge=stats.judge_split(1000, 0.15, 0.2), **EXACT),
        Case(q, "floor of the sizes: 103 samples, val 0.19, test 0.27", [Call(103, 0.19, 0.27, Rng(s[1]))],
             kind="stat", judge=stats.judge_split(103, 0.19, 0.27), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (40, 0.2, 0.2, r), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.log_uniform")
def _log_uniform(q, rng):
    s = seeds(rng, 1)
    lo, hi = 1e-5, 1e-1
    return [
        Case(q, "distribution: 60000 samples on [1e-5, 1e-1]", [Call(lo, hi, 60000, Rng(s[0]))],
             kind="stat", judge=stats.judge_log_uniform(lo, hi, 60000), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (1e-3, 1.0, 7, r), rng),
             kind="stat", judge=stats.judge_repro((7,)), **EXACT),
    ]
