"""Statistical judges for the random functions, each with a false-fail probability < 1e-6.

Every test has a rigorous bound, not an asymptotic one: the Kolmogorov distance of an
empirical CDF is bounded by the Dvoretzky-Kiefer-Wolfowitz inequality
P(D_n > e) <= 2 exp(-2 n e**2), and a frequency or the mean of a random subset by
Hoeffding's inequality (same form; it holds for sampling without replacement too).
Each test runs at probability ``P_EACH`` = 1e-7 and a case runs at most five tests (so
at most 5e-7 per case), so a correct implementation fails a case with probability
below 1e-6.

Distribution tests alone accept non-random or dependent output that has the right
marginal distribution (one random row broadcast to a whole batch, a rolled block of
True values, sorted quantiles rotated by the rng, a fixed interleaved order with one
random swap). Independence is therefore tested too, always on *disjoint* pairs of
positions, so that the indicators are exactly independent and Hoeffding applies:

- masks (i.i.d. Bernoulli(p), p = 1 - rate): two different elements agree with
  probability q = p**2 + (1 - p)**2; the share of agreeing pairs must be within
  ``bound(pairs)`` of q for neighbours in the flattened mask (lag 1, a run test), for
  row i with row i + R/2 and for column j with column j + C/2 (2-D masks), or for
  element i with element i + n/2 (1-D);
- i.i.d. samples of a continuous distribution (initializers; the logarithm of
  log_uniform): in a pair of independent samples the first is the smaller with
  probability 1/2 exactly, so the share of ascending pairs must be within
  ``bound(pairs)`` of 1/2 for neighbours (lag-1 autocorrelation, as a sign test) and for
  x[i] with x[i + n/2] (the halves against each other); and each half of the sample
  on its own must pass the DKW test (the two halves have the same distribution);
- a uniformly random permutation (minibatch_indices): the relative order within
  disjoint pairs of positions is a fair coin, independent between pairs, so the same
  ascending-share test applies to neighbours (lag-1 correlation of successive values)
  and to positions i and i + n/2 (a rank correlation between position and value, as
  Kendall's tau on disjoint pairs);
- a random subset (train_val_test_split, whose index sets may be returned in any
  order): the share of its indices in the lower half and in the middle half of
  range(n) is hypergeometric, within ``bound(size)`` of the halves' shares by
  Hoeffding for sampling without replacement.
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


def _share_problem(share, expected, n, what, why):
    """A Problem when ``share`` (of ``n`` independent indicators) is off ``expected``."""
    e = bound(n)
    if abs(share - expected) > e:
        return stat_problem(f"{what}: {share:.4f}, expected {expected:.4f} within {e:.4f} (a correct "
                            f"implementation exceeds that with probability below 1e-7): {why}")
    return None


def _ascending_share(a, b):
    """Share of pairs with a < b (ties count as half an ascent each way)."""
    return float(np.mean((a < b) + 0.5 * (a == b)))


def _strict_ascending_share(a, b):
    """Share of pairs with a < b; ties count as not ascending (independent continuous
    samples are never equal, so tied pairs show copied values)."""
    return float(np.mean(a < b))


def _sign_tests(values, share, lag_what, halves_what, why):
    """Ascending shares of disjoint pairs: neighbours (2i, 2i+1), then i against i + n/2.

    Each pair is in increasing order with probability 1/2, independently of the other
    pairs, for i.i.d. continuous samples and for a uniformly random permutation alike.
    """
    m = values.size // 2
    if m == 0:
        return None
    for a, b, what in ((values[0:2 * m:2], values[1:2 * m:2], lag_what),
                       (values[:m], values[m:2 * m], halves_what.format(m=m))):
        problem = _share_problem(share(a, b), 0.5, m, what, why)
        if problem is not None:
            return problem
    return None


def independent_samples(flat, why):
    """The lag-1 and halves sign tests on i.i.d. continuous samples ``flat`` (1-D)."""
    return _sign_tests(flat, _strict_ascending_share,
                       "share of neighbouring samples (x[2i], x[2i+1]) in increasing order",
                       "share of pairs (x[i], x[i+{m}]) in increasing order", why)


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
    return _independent_and_halves(arr.astype(np.float64).ravel(), cdf, what)


_NOT_INDEPENDENT = ("the samples are not independent (draw every element from the rng, e.g. "
                    "rng.normal(mean, stddev, size=shape); no sorting, rolling, repeating or "
                    "broadcasting one row)")


def _independent_and_halves(flat, cdf, what):
    problem = independent_samples(flat, _NOT_INDEPENDENT)
    if problem is not None:
        return problem
    m = flat.size // 2
    for name, half in (("first", flat[:m]), ("second", flat[m:])):
        d, e = ks_distance(half, cdf), bound(half.size)
        if d > e:
            return stat_problem(
                f"the {name} half of the samples (in C order) does not follow {what} on its own: the "
                f"largest gap between its empirical CDF and the expected CDF is {d:.4f}, above {e:.4f}: "
                f"{_NOT_INDEPENDENT}")
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
        return mask_independence(arr, keep)
    return judge


_MASK_WHY = ("each element must be kept or dropped independently of all others "
             "(rng.random(shape) >= rate; no block, pattern or row shared by the whole batch)")


def mask_independence(arr, keep):
    """Agreement of disjoint pairs of elements of a Bernoulli(keep) mask, as module doc."""
    q = keep * keep + (1.0 - keep) * (1.0 - keep)
    flat = arr.ravel()
    m = flat.size // 2
    if arr.ndim == 2 and arr.shape[0] >= 2 and arr.shape[1] >= 2:
        r, c = arr.shape[0] // 2, arr.shape[1] // 2
        pairs = [(arr[:r], arr[r:2 * r], f"rows i and i+{r}"),
                 (arr[:, :c], arr[:, c:2 * c], f"columns j and j+{c}")]
    else:
        pairs = [(flat[:m], flat[m:2 * m], f"elements i and i+{m}")]
    pairs.append((flat[0:2 * m:2], flat[1:2 * m:2], "neighbouring elements (m[2i], m[2i+1]) of the "
                  "flattened mask"))
    for a, b, what in pairs:
        if a.size == 0:
            continue
        share = float(np.mean(a == b))
        problem = _share_problem(share, q, a.size, f"share of equal pairs among {what}",
                                 _MASK_WHY + f"; independent elements agree with probability "
                                 f"(1-r)**2 + r**2 = {q:.4f}")
        if problem is not None:
            return problem
    return None


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
        return permutation_independence(allidx)
    return judge


_PERMUTATION_WHY = "the order is not a random permutation (use rng.permutation(n), then cut it)"


def permutation_independence(order):
    """Sign tests on disjoint pairs of a permutation: lag 1 and position i against i + n/2."""
    return _sign_tests(order.astype(np.int64), _ascending_share,
                       "share of neighbouring positions (2i, 2i+1) holding increasing indices",
                       "share of positions i and i+{m} holding increasing indices", _PERMUTATION_WHY)


def _floor_counts(n, fraction):
    """The counts floor(n * fraction) may mean: n * fraction in floating point can land just
    below an integer (100 * 0.29 = 28.999999999999996), and rounding that up is as right as
    the literal floor, so both are accepted."""
    literal = int(math.floor(n * fraction))
    return {literal, int(math.floor(n * fraction + 1e-9))}


def judge_split(n, val_fraction, test_fraction):
    n_tests = _floor_counts(n, test_fraction)
    n_vals = _floor_counts(n, val_fraction)

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
        for name, arr, wants in (("test_idx", test, n_tests), ("val_idx", val, n_vals)):
            if arr.size not in wants:
                return stat_problem(f"len({name}) is {arr.size}, expected {' or '.join(map(str, sorted(wants)))} "
                                    f"(floor(n_samples * fraction) for val and test, the rest for training)")
        if train.size != n - test.size - val.size:
            return stat_problem(f"len(train_idx) is {train.size}, expected {n - test.size - val.size} "
                                f"(floor(n_samples * fraction) for val and test, the rest for training)")
        n_test = test.size
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
            # a random subset has about half its indices in each half of range(n), and in
            # the middle half [n/4, 3n/4) (tested on test_idx and on train_idx)
            for name, part in (("test_idx", test), ("train_idx", train)):
                problem = subset_spread(part, n, name)
                if problem is not None:
                    return problem
        return None
    return judge


def subset_spread(part, n, name):
    """Shares of a random subset's indices below n/2 and in [n/4, 3n/4): hypergeometric."""
    if part.size < 50:
        return None
    quarter, half = n // 4, n // 2
    ranges = (("the lower half", 0, half), ("the middle half", quarter, quarter + half))
    for what, lo, hi in ranges if name == "test_idx" else ranges[1:]:
        share = float(np.mean((part >= lo) & (part < hi)))
        problem = _share_problem(share, (hi - lo) / n, part.size,
                                 f"share of {name} in {what} [{lo}, {hi}) of range({n})",
                                 "the indices are not drawn at random (take them from "
                                 "rng.permutation(n_samples))")
        if problem is not None:
            return problem
    return None


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
        return _independent_and_halves(np.log(arr.astype(np.float64)).ravel(), uniform_cdf(lo, hi),
                                       f"log-uniform on [{low:g}, {high:g}] (in log)")
    return judge
