"""Statistical judges for the random functions, each with a false-fail probability < 1e-6.

Every test has a rigorous bound, not an asymptotic one: the Kolmogorov distance of an
empirical CDF is bounded by the Dvoretzky-Kiefer-Wolfowitz inequality
P(D_n > e) <= 2 exp(-2 n e**2), and a frequency or the mean of a random subset by
Hoeffding's inequality (same form; it holds for sampling without replacement too).
Each test runs at probability ``P_EACH`` = 1e-7 and a case runs at most a few tests, so a
correct implementation fails a case with probability below 1e-6.
"""

from __future__ import annotations

import math

import numpy as np

from grader.compare import NOT_FILLED, describe_kind, fmt_shape
from grader.framework import stat_problem
from grader.results import counted

P_EACH = 1e-7


def bound(n, p=P_EACH):
    """The e with 2 exp(-2 n e**2) = p."""
    return math.sqrt(math.log(2.0 / p) / (2.0 * n))


_erf = np.frompyfunc(math.erf, 1, 1)


def normal_cdf(mean, sd):
    def cdf(x):
        return 0.5 * (1.0 + _erf((x - mean) / (sd * math.sqrt(2.0))).astype(np.float64))
    return cdf


def uniform_cdf(lo, hi):
    def cdf(x):
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return cdf


def ks_distance(samples, cdf):
    x = np.sort(samples.astype(np.float64).ravel())
    n = x.size
    f = cdf(x)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def _array_of(ret, shape, kind, what=""):
    """The returned array, or a Problem (None, wrong type/shape/dtype)."""
    where = f"{what}: " if what else ""
    if ret.kind == "none":
        return stat_problem(f"{where}returned None: {NOT_FILLED}")
    if ret.kind != "array":
        return stat_problem(f"{where}returned {describe_kind(ret)}, expected a numpy.ndarray"
                            + (f" of shape {fmt_shape(shape)}" if shape is not None else ""))
    arr = ret.value
    if shape is not None and arr.shape != tuple(shape):
        hint = ": transposed?" if arr.ndim == 2 and arr.shape == tuple(shape)[::-1] else ""
        return stat_problem(f"{where}shape {fmt_shape(arr.shape)}, expected {fmt_shape(shape)}{hint}")
    names = {"f": "a float", "b": "a boolean", "i": "an integer"}
    ok = arr.dtype.kind in ("iu" if kind == "i" else kind)
    if not ok:
        return stat_problem(f"{where}dtype {arr.dtype}, expected {names[kind]} array")
    return arr


def judge_samples(outs, shape, kind, cdf, bounds, what):
    arr = _array_of(outs[0], shape, kind)
    if not isinstance(arr, np.ndarray):
        return arr
    if not np.isfinite(arr).all():
        return stat_problem("the samples contain NaN or inf")
    if bounds is not None:
        lo, hi = bounds
        if arr.min() < lo or arr.max() > hi:
            return stat_problem(f"samples outside [{lo:g}, {hi:g}]: min {arr.min():.6g}, max {arr.max():.6g}")
    d = ks_distance(arr, cdf)
    e = bound(arr.size)
    if d > e:
        return stat_problem(
            f"the {arr.size} samples do not follow {what}: the largest gap between their empirical "
            f"CDF and the expected CDF is {d:.4f}, above {e:.4f} (a correct implementation exceeds "
            f"that with probability below 1e-7). Sample mean {arr.mean():.6g}, sample std "
            f"{arr.std():.6g}: check the scale (stddev, not variance; the limit's formula).")
    return None


def judge_mask(shape, keep):
    def judge(outs, calls):
        arr = _array_of(outs[0], shape, "b")
        if not isinstance(arr, np.ndarray):
            if getattr(arr, "text", "").find("dtype") >= 0:
                arr.text += " (rng.random(shape) >= rate is already one)"
            return arr
        frac = float(arr.mean())
        e = bound(arr.size)
        if abs(frac - keep) > e:
            return stat_problem(f"kept {frac:.4f} of the elements, expected {keep:g} (1 - rate) within "
                                f"{e:.4f}: each element is kept with probability 1 - rate")
        return None
    return judge


def judge_repro(shape, kind="f"):
    """Outputs of calls (seed A, global 1), (seed A, global 2), (seed B, global 1)."""
    def judge(outs, calls):
        flat = []
        for k, ret in enumerate(outs):
            if ret.kind in ("list", "tuple") and kind == "i":
                items = []
                for item in ret.value:
                    a = _array_of(item, None, "i", f"call {k + 1}")
                    if not isinstance(a, np.ndarray):
                        return a
                    items.append(a.ravel())
                flat.append(np.concatenate(items) if items else np.zeros(0))
            else:
                a = _array_of(ret, shape, kind, f"call {k + 1}")
                if not isinstance(a, np.ndarray):
                    return a
                flat.append(a.ravel())
        seed_a = calls[0].args[[i for i, a in enumerate(calls[0].args) if type(a).__name__ == "Rng"][0]]
        if flat[0].shape != flat[1].shape or not np.array_equal(flat[0], flat[1]):
            return stat_problem(
                f"two calls with rng = np.random.default_rng({seed_a.seed}) gave different results "
                "(the global np.random state was different): draw every random number from the rng "
                "argument, never from np.random.* or the random module")
        if flat[0].shape == flat[2].shape and np.array_equal(flat[0], flat[2]):
            return stat_problem("calls with two different rng seeds gave the same result: the rng "
                                "argument is ignored (a generator made inside the function?)")
        return None
    return judge


def _index_batches(ret):
    if ret.kind == "none":
        return stat_problem(f"returned None: {NOT_FILLED}")
    if ret.kind not in ("list", "tuple"):
        return stat_problem(f"returned {describe_kind(ret)}, expected a list of integer index arrays")
    out = []
    for k, item in enumerate(ret.value):
        arr = _array_of(item, None, "i", f"batch {k}")
        if not isinstance(arr, np.ndarray):
            return arr
        if arr.ndim != 1:
            return stat_problem(f"batch {k}: shape {fmt_shape(arr.shape)}, expected a 1-D index array")
        out.append(arr)
    return out


def judge_minibatches(n, batch):
    def judge(outs, calls):
        batches = _index_batches(outs[0])
        if not isinstance(batches, list):
            return batches
        want = math.ceil(n / batch)
        if len(batches) != want:
            return stat_problem(f"{counted(len(batches), 'batch', 'batches')}, expected ceil({n} / {batch}) = {want} "
                                "(keep the last, smaller batch)")
        sizes = [b.size for b in batches]
        for k, size in enumerate(sizes[:-1]):
            if size != batch:
                return stat_problem(f"batch {k} has {counted(size, 'index', 'indices')}, expected {batch}: only the last may be smaller")
        allidx = np.concatenate(batches)
        if allidx.size != n or not np.array_equal(np.sort(allidx), np.arange(n)):
            return stat_problem(f"the batches together are not a permutation of range({n}): every index "
                                "must appear exactly once")
        # shuffled: the first half of a random permutation is a random subset, so the mean
        # of its indices stays near (n - 1) / 2 (Hoeffding, sampling without replacement)
        half = allidx[: n // 2].astype(np.float64)
        e = (n - 1) * bound(half.size)
        if abs(half.mean() - (n - 1) / 2) > e:
            return stat_problem(f"the order is not shuffled: the indices in the first half of the batches "
                                f"average {half.mean():.1f}, a random permutation's stay within "
                                f"{(n - 1) / 2:.1f} +- {e:.1f} (shuffle the whole range once, then cut it)")
        return None
    return judge


def judge_split(n, val_fraction, test_fraction):
    n_test = int(math.floor(n * test_fraction))
    n_val = int(math.floor(n * val_fraction))

    def judge(outs, calls):
        ret = outs[0]
        if ret.kind == "none":
            return stat_problem(f"returned None: {NOT_FILLED}")
        if ret.kind not in ("tuple", "list") or len(ret.value) != 3:
            return stat_problem(f"returned {describe_kind(ret)}, expected a tuple (train_idx, val_idx, test_idx)")
        parts = []
        for name, item in zip(("train_idx", "val_idx", "test_idx"), ret.value):
            arr = _array_of(item, None, "i", name)
            if not isinstance(arr, np.ndarray):
                return arr
            parts.append(arr.ravel())
        train, val, test = parts
        for name, arr, want in (("test_idx", test, n_test), ("val_idx", val, n_val),
                                ("train_idx", train, n - n_test - n_val)):
            if arr.size != want:
                return stat_problem(f"len({name}) is {arr.size}, expected {want} "
                                    f"(floor(n_samples * fraction) for val and test, the rest for training)")
        allidx = np.concatenate(parts)
        if not np.array_equal(np.sort(allidx), np.arange(n)):
            return stat_problem(f"the three index arrays are not disjoint or do not cover range({n})")
        # drawn at random: the test indices are a random subset, so their mean is near (n-1)/2
        if n_test >= 50:
            # Hoeffding for sampling without replacement, values in [0, n-1]
            e = (n - 1) * bound(n_test)
            mean = float(test.mean())
            if abs(mean - (n - 1) / 2) > e:
                return stat_problem(f"the test indices are not drawn at random: their mean is {mean:.1f}, "
                                    f"a random subset's stays within {(n - 1) / 2:.1f} +- {e:.1f}")
        return None
    return judge


def judge_log_uniform(low, high, size):
    lo, hi = math.log(low), math.log(high)

    def judge(outs, calls):
        arr = _array_of(outs[0], (size,), "f")
        if not isinstance(arr, np.ndarray):
            return arr
        if not np.isfinite(arr).all() or arr.min() < low * (1 - 1e-12) or arr.max() > high * (1 + 1e-12):
            return stat_problem(f"samples outside [{low:g}, {high:g}]: min {arr.min():.6g}, max {arr.max():.6g}")
        d = ks_distance(np.log(arr), uniform_cdf(lo, hi))
        e = bound(arr.size)
        if d > e:
            return stat_problem(
                f"log(samples) is not uniform on [log {low:g}, log {high:g}]: the largest gap between the "
                f"empirical and the expected CDF is {d:.4f}, above {e:.4f}; sample the exponent "
                "uniformly, then exponentiate")
        return None
    return judge
