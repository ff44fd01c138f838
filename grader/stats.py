"""Statistical judges for the random functions, each with a false-fail probability < 1e-6.

Every test has a rigorous bound, not an asymptotic one: the Kolmogorov distance of an
empirical CDF is bounded by the Dvoretzky-Kiefer-Wolfowitz inequality
P(D_n > e) <= 2 exp(-2 n e**2), and a frequency or the mean of a random subset by
Hoeffding's inequality (same form; it holds for sampling without replacement too).
Each test runs at probability ``P_EACH`` = 1e-7 and a case runs at most five tests (so
at most 5e-7 per case), so a correct implementation fails a case with probability
below 1e-6. (The mask judge tests independence first against the observed keep fraction,
with a slack of twice the fraction's bound: it can fail a correct mask only on the events
of its other tests, so the union bound is unchanged.)

When a distribution test fails, ``what_is_off`` names the property that is off (constant
output, uniform versus normal, which bound, the location or the scale) as the Problem's
``finding``; its thresholds are far in the tails, so that a correct sample is never
described as off (a description, not a test: the test has already failed).

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


def _erf(z):
    """``math.erf`` of every element of ``z`` (a float64 array), as a float64 array."""
    z = np.asarray(z, dtype=np.float64)
    return np.fromiter(map(math.erf, z.ravel().tolist()), np.float64, z.size).reshape(z.shape)


# Abramowitz & Stegun 7.1.26: erf(z) = 1 - (a1 t + ... + a5 t^5) exp(-z^2), t = 1 / (1 + p z),
# for z >= 0, with an absolute error of at most 1.5e-7 (and odd in z).
_AS_P = 0.3275911
_AS_A = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)   # a5 .. a1
AS_ERROR = 1.5e-7


def _erf_approx(z):
    """erf of every element of ``z`` (an array of at least one dimension) within
    ``AS_ERROR``, vectorised (for a quick decision); a new array (``z`` is not changed)."""
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    t = a * _AS_P
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * _AS_A[0]
    for c in _AS_A[1:]:     # Horner: ((a5 t + a4) t + ...) t + a1, times t
        poly += c
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, z, out=poly)


class _Cdf:
    """A CDF that knows its family and parameters (so a failing judge can say what is off).

    ``approx`` (optional): the same CDF within ``error`` everywhere, cheaper to evaluate;
    ``_ks_above`` uses it to settle the clear cases and the exact CDF for everything else."""

    def __init__(self, family, fn, mean, sd, lo=None, hi=None, approx=None, error=0.0):
        self.family, self.fn = family, fn
        self.mean, self.sd, self.lo, self.hi = mean, sd, lo, hi
        self.approx, self.error = approx, error

    def __call__(self, x):
        return self.fn(x)


def normal_cdf(mean, sd):
    def cdf(x):
        return 0.5 * (1.0 + _erf((x - mean) / (sd * math.sqrt(2.0))))

    def approx(x):
        f = _erf_approx((x - mean) / (sd * math.sqrt(2.0)))
        f += 1.0
        f *= 0.5
        return f
    return _Cdf("normal", cdf, float(mean), float(sd), approx=approx, error=0.5 * AS_ERROR)


def uniform_cdf(lo, hi):
    def cdf(x):
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return _Cdf("uniform", cdf, (lo + hi) / 2.0, (hi - lo) / math.sqrt(12.0), float(lo), float(hi))


def _g(x):
    return f"{float(x):.4g}"


def what_is_off(arr, cdf):
    """``(name, sentence)`` naming the property of the samples that is off: constant output,
    the shape (uniform versus normal), the bounds (which end), the location or the scale;
    None when none of them stands out (the samples differ in some other way).

    Thresholds are far out in the sampling distribution of each statistic (6 standard
    errors, or a tail of e^-40 for the minimum of a uniform sample), so that a property a
    correct implementation has is never named as off."""
    x = arr.astype(np.float64).ravel()
    n = x.size
    if n == 0:
        return None
    if np.ptp(x) == 0:
        return ("constant-output", f"every sample is the same value, {_g(x[0])}: nothing is drawn from "
                                   "the rng (the numbers must be random)")
    family = getattr(cdf, "family", None)
    if family is None:
        return None
    m, s = float(x.mean()), float(x.std())
    zmax = float(np.max(np.abs(x - m))) / s
    lo_x, hi_x = float(x.min()), float(x.max())
    # a uniform sample never leaves mean +- sqrt(3) sd; a normal one of this size goes far beyond
    if family == "normal" and zmax < 2.0 and n >= 1000:
        return ("uniform-not-normal", f"your samples are spread evenly between {_g(lo_x)} and {_g(hi_x)} "
                                      "with no tails, like a uniform draw; a normal distribution is "
                                      "bell-shaped, with values beyond 3 standard deviations")
    if family == "uniform" and zmax > 2.5 and n >= 1000:
        return ("normal-not-uniform", "your samples are bell-shaped with tails, like a normal draw; a "
                                      "uniform distribution is flat between its bounds and never beyond")
    if family == "uniform":
        width = cdf.hi - cdf.lo
        slack = 40.0 * width / n          # P(min - lo > slack) = (1 - slack/width)^n < e^-40
        lo_ok = cdf.lo - 1e-9 * width <= lo_x <= cdf.lo + slack
        hi_ok = cdf.hi - slack <= hi_x <= cdf.hi + 1e-9 * width
        if lo_ok and hi_ok:
            return None
        got, want = f"[{_g(lo_x)}, {_g(hi_x)}]", f"[{_g(cdf.lo)}, {_g(cdf.hi)}]"
        if hi_ok:
            return ("lower-bound", f"your samples cover {got}, expected {want}: the lower end is wrong "
                                   "(is the lower bound used?)")
        if lo_ok:
            return ("upper-bound", f"your samples cover {got}, expected {want}: the upper end is wrong")
        if abs((hi_x - lo_x) - width) <= 2 * slack:
            return ("location", f"your samples cover {got}, expected {want}: the right width, shifted "
                                f"by {_g((lo_x + hi_x) / 2 - cdf.mean)}")
        if abs((lo_x + hi_x) / 2 - cdf.mean) <= 2 * slack:
            return ("scale", f"your samples cover {got}, expected {want}: the right centre, but "
                             f"{_g((hi_x - lo_x) / width)} times the width")
        return ("range", f"your samples cover {got}, expected {want}: both ends are wrong")
    spread = max(s, cdf.sd)     # the standard error of the mean is the sample's own spread / sqrt(n)
    loc_ok = abs(m - cdf.mean) <= 6.0 * spread / math.sqrt(n)
    scale_ok = abs(s / cdf.sd - 1.0) <= 6.0 / math.sqrt(n) + 1e-12
    if not loc_ok and scale_ok:
        return ("location", f"your samples are centred on {_g(m)}, expected {_g(cdf.mean)}: the spread is "
                            "right but the mean is not applied as the centre")
    if loc_ok and not scale_ok:
        why = ""
        if abs(s - cdf.sd ** 2) <= 6.0 * cdf.sd ** 2 / math.sqrt(n):
            why = f" ({_g(s)} is the variance, the square of the standard deviation)"
        elif abs(s - math.sqrt(cdf.sd)) <= 6.0 * math.sqrt(cdf.sd) / math.sqrt(n):
            why = f" ({_g(s)} is the square root of the expected standard deviation)"
        return ("scale", f"your samples have standard deviation {_g(s)}, expected {_g(cdf.sd)}{why}: "
                         "the centre is right but the spread is off")
    if not loc_ok and not scale_ok:
        return ("location-and-scale", f"your samples have mean {_g(m)} and standard deviation {_g(s)}, "
                                      f"expected {_g(cdf.mean)} and {_g(cdf.sd)}: both the centre and the "
                                      "spread are off")
    return None


def ks_distance(samples, cdf):
    return _ks_sorted(np.sort(samples.astype(np.float64).ravel()), cdf)


_STEPS = {}     # n -> (i / n, (i - 1) / n) for i = 1..n: the empirical CDF's steps


def _steps(n):
    if n not in _STEPS:
        if len(_STEPS) > 16:
            _STEPS.clear()
        i = np.arange(1, n + 1)
        _STEPS[n] = (i / n, (i - 1) / n)
    return _STEPS[n]


def _ks_sorted(x, cdf):
    above, below = _steps(x.size)
    f = cdf(x)
    return float(max(np.max(above - f), np.max(f - below)))


_KS_BINS = 4096    # a power of two: u * _KS_BINS is exact, so every value's bin is exact too
_BIN_LOW = np.arange(_KS_BINS) / _KS_BINS     # each bin's lower edge in CDF values


def _ks_bound(u, error):
    """An upper bound of the Kolmogorov distance of a sample to a continuous CDF G, from
    ``u`` (1-D), G's values at the samples within ``error`` (a cheap approximation of G, or
    G itself with ``error`` its rounding): no sort, only counts in ``_KS_BINS`` equal bins
    of [0, 1].

    With C_k the share of values below the upper edge of bin k, the empirical CDF at any t
    in bin k lies between C_(k-1) and C_k, and t between k/B and (k+1)/B; so the distance is
    at most max_k max(C_k - k/B, (k+1)/B - C_(k-1)). A value within ``error`` of an edge may
    belong to the neighbouring bin under the exact G: each one adds 1/n to the bound."""
    n = u.size
    scaled = u * _KS_BINS
    near = np.count_nonzero(np.abs(scaled - np.rint(scaled)) <= max(error, 1e-12) * _KS_BINS)
    np.floor(scaled, out=scaled)
    np.clip(scaled, 0, _KS_BINS - 1, out=scaled)    # below 0 or 1 itself (within the error)
    share = np.cumsum(np.bincount(scaled.astype(np.intp), minlength=_KS_BINS)) / n
    over = float(np.max(share - _BIN_LOW))
    under = max(1.0 / _KS_BINS, float(np.max(_BIN_LOW[1:] + 1.0 / _KS_BINS - share[:-1])))
    return max(over, under) + near / n


def _ks_above(samples, cdf, e, u=None):
    """``(d, above)``: the Kolmogorov distance of ``samples`` to ``cdf`` and whether it is
    above ``e``, as ``ks_distance(samples, cdf) > e`` decides it. ``u``: the values of
    ``cdf.approx`` (or of ``cdf`` where it has none) at ``samples`` in C order, when the
    caller has them already (``_cdf_values``).

    A clearly passing sample is settled without sorting: ``_ks_bound`` bounds the distance
    from above with counts in bins of the CDF's values (computed with ``cdf.approx``, a
    cheap approximation within ``cdf.error``, when there is one), and a bound below ``e`` by
    more than ten times that error settles it; ``d`` is then that bound. Otherwise the
    sample is sorted: a distance the approximation puts clearly below ``e`` is not computed
    exactly (``d`` is then the approximation's, within ``cdf.error``: the distance moves by
    at most the error), and every other ``d`` is exact."""
    flat = samples.astype(np.float64, copy=False).ravel()
    approx, error = getattr(cdf, "approx", None), getattr(cdf, "error", 0.0)
    if flat.size:
        d = _ks_bound(_cdf_values(flat, cdf) if u is None else u, error if approx is not None else 0.0)
        if d < e - 10.0 * error:
            return d, False
    x = np.sort(flat)
    if approx is not None:
        d = _ks_sorted(x, approx)
        if d < e - 10.0 * error:
            return d, False
    d = _ks_sorted(x, cdf)
    return d, d > e


def _cdf_values(flat, cdf):
    """``cdf.approx`` (or ``cdf`` where it has none) at every value of ``flat``: what
    ``_ks_above`` bounds the distance with. Computed once for a sample and sliced for its
    halves (``_independent_and_halves``): the normal CDF's approximation is most of the cost
    of judging a sample."""
    return (getattr(cdf, "approx", None) or cdf)(flat)


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
        if arr.ndim == 2 and arr.shape == tuple(shape)[::-1]:
            text = f"{where}shape {fmt_shape(arr.shape)}, expected {fmt_shape(shape)}: transposed?"
            return stat_problem(text, finding=("transposed", f"the shape is {fmt_shape(arr.shape)}, the "
                                                             f"transpose of the contract's {fmt_shape(shape)}"))
        return stat_problem(f"{where}shape {fmt_shape(arr.shape)}, expected {fmt_shape(shape)}")
    names = {"f": "a float", "b": "a boolean", "i": "an integer"}
    ok = arr.dtype.kind in ("iu" if kind == "i" else kind)
    if not ok:
        return stat_problem(f"{where}dtype {arr.dtype}, expected {names[kind]} array")
    return arr


def _share_problem(share, expected, n, what, why, finding="not-independent"):
    """A Problem when ``share`` (of ``n`` independent indicators) is off ``expected``."""
    e = bound(n)
    if abs(share - expected) > e:
        return stat_problem(f"{what}: {share:.4f}, expected {expected:.4f} within {e:.4f} (a correct "
                            f"implementation exceeds that with probability below 1e-7): {why}",
                            finding=(finding, why))
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


def _off_problem(arr, cdf, what, lead):
    off = what_is_off(arr, cdf)
    if off is None:
        return None
    return stat_problem(f"{lead}: {off[1]}.", finding=off)


def judge_samples(outs, shape, kind, cdf, bounds, what):
    arr = _array_of(outs[0], shape, kind)
    if not isinstance(arr, np.ndarray):
        return arr
    if not np.isfinite(arr).all():
        return stat_problem("the samples contain NaN or inf")
    lead = f"the {arr.size} samples do not follow {what}"
    if bounds is not None:
        lo, hi = bounds
        if arr.min() < lo or arr.max() > hi:
            return (_off_problem(arr, cdf, lead, lead) or
                    stat_problem(f"samples outside [{lo:g}, {hi:g}]: min {arr.min():.6g}, max {arr.max():.6g}"))
    if np.ptp(arr) == 0:
        return _off_problem(arr, cdf, what, lead)
    e = bound(arr.size)
    flat = arr.astype(np.float64).ravel()
    u = _cdf_values(flat, cdf)
    d, above = _ks_above(flat, cdf, e, u)
    if above:
        problem = _off_problem(arr, cdf, what, lead)
        if problem is not None:
            return problem
        return stat_problem(
            f"{lead}: the largest gap between their empirical CDF and the expected CDF is {d:.4f}, above "
            f"{e:.4f} (a correct implementation exceeds that with probability below 1e-7); sample mean "
            f"{arr.mean():.6g}, sample standard deviation {arr.std():.6g}.")
    return _independent_and_halves(flat, cdf, what, u)


_NOT_INDEPENDENT = ("the samples are not independent (every element must be its own draw from the "
                    "rng argument: no sorting, rolling, repeating or broadcasting one row)")


def _independent_and_halves(flat, cdf, what, u=None):
    """The independence test and the distance test of each half of ``flat`` (float64, 1-D;
    ``u``: ``_cdf_values(flat, cdf)``, when the caller has them)."""
    problem = independent_samples(flat, _NOT_INDEPENDENT)
    if problem is not None:
        return problem
    m = flat.size // 2
    if u is None:
        u = _cdf_values(flat, cdf)
    for name, half, half_u in (("first", flat[:m], u[:m]), ("second", flat[m:], u[m:])):
        e = bound(half.size)
        d, above = _ks_above(half, cdf, e, half_u)
        if above:
            return stat_problem(
                f"the {name} half of the samples (in C order) does not follow {what} on its own: the "
                f"largest gap between its empirical CDF and the expected CDF is {d:.4f}, above {e:.4f}: "
                f"{_NOT_INDEPENDENT}", finding=("not-independent", _NOT_INDEPENDENT))
    return None


def judge_mask(shape, keep):
    def judge(outs, calls):
        arr = _array_of(outs[0], shape, "b")
        if not isinstance(arr, np.ndarray):
            if getattr(arr, "text", "").find("dtype") >= 0:
                arr.text += " (a comparison of the random numbers with rate is already one)"
            return arr
        frac = float(arr.mean())
        e = bound(arr.size)
        # dependence first, measured against the observed keep fraction: a row shared by the
        # whole batch also moves the fraction, and "kept 0.8" would point at the wrong thing.
        # If the fraction test below passes, |q(frac) - q(keep)| <= 2e, hence the slack.
        problem = mask_independence(arr, frac, slack=2 * e)
        if problem is not None:
            return problem
        if abs(frac - keep) > e:
            why = "each element is kept with probability 1 - rate"
            return stat_problem(f"kept {frac:.4f} of the elements, expected {keep:g} (1 - rate) within "
                                f"{e:.4f}: {why}", finding=("keep-probability", f"you kept {frac:.4f} of the "
                                                             f"elements, not {keep:g}: {why}"))
        return mask_independence(arr, keep)
    return judge


_MASK_WHY = ("each element must be kept or dropped independently of all others, by its own "
             "draw from the rng (no block, pattern or row shared by the whole batch)")


def mask_independence(arr, keep, slack=0.0):
    """Agreement of disjoint pairs of elements of a Bernoulli(keep) mask, as module doc
    (``slack`` widens the bound when ``keep`` is itself estimated)."""
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
        if slack and abs(share - q) <= bound(a.size) + slack:
            continue
        problem = _share_problem(share, q, a.size, f"share of equal pairs among {what}",
                                 _MASK_WHY + f"; independent elements agree with probability "
                                 f"(1-r)² + r² = {q:.4f}")
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
            hint = ("draw every random number from the rng argument, never from NumPy's global "
                    "random state or the random module")
            return stat_problem(
                f"two calls with rng = np.random.default_rng({seed_a.seed}) gave different results "
                f"(the global np.random state was different): {hint}", finding=("global-random-state", hint))
        if flat[0].shape == flat[2].shape and np.array_equal(flat[0], flat[2]):
            if kind == "f" and flat[0].size > 1 and np.ptp(flat[0]) == 0:
                hint = (f"every element is the same value, {_g(flat[0][0])}, whatever the seed: nothing "
                        "is drawn from the rng (the numbers must be random)")
                return stat_problem(f"calls with two different rng seeds gave the same result: {hint}",
                                    finding=("constant-output", hint))
            hint = "the rng argument is ignored (a generator made inside the function?)"
            return stat_problem(f"calls with two different rng seeds gave the same result: {hint}",
                                finding=("rng-ignored", hint))
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
                                f"{(n - 1) / 2:.1f} +- {e:.1f} (shuffle the whole range once, then cut it)",
                                finding=("not-shuffled", "the order is not shuffled: shuffle the whole range "
                                                         "once with the rng, then cut it into batches"))
        return permutation_independence(allidx)
    return judge


_PERMUTATION_WHY = "the order is not a random permutation (shuffle the whole range once with the rng, then cut it)"


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
            return _split_not_partition(parts, n)
        # drawn at random: the test indices are a random subset, so their mean is near (n-1)/2
        if n_test >= 50:
            # Hoeffding for sampling without replacement, values in [0, n-1]
            e = (n - 1) * bound(n_test)
            mean = float(test.mean())
            if abs(mean - (n - 1) / 2) > e:
                return stat_problem(f"the test indices are not drawn at random: their mean is {mean:.1f}, "
                                    f"a random subset's stays within {(n - 1) / 2:.1f} +- {e:.1f}",
                                    finding=("not-shuffled", "the test indices are not drawn at random: cut "
                                                             "the index sets from a random permutation"))
            # a random subset has about half its indices in each half of range(n), and in
            # the middle half [n/4, 3n/4) (tested on test_idx and on train_idx)
            for name, part in (("test_idx", test), ("train_idx", train)):
                problem = subset_spread(part, n, name)
                if problem is not None:
                    return problem
        return None
    return judge


def _split_not_partition(parts, n):
    """Which way three index arrays of the right sizes fail to partition range(n): an index
    outside it, or indices repeated (within one array or across two), and so the ones
    missing."""
    names = ("train_idx", "val_idx", "test_idx")
    for name, arr in zip(names, parts):
        outside = arr[(arr < 0) | (arr >= n)]
        if outside.size:
            return stat_problem(f"{name} holds {int(outside[0])}, outside range({n}): every index must be "
                                f"one of 0 .. {n - 1}")
    allidx = np.concatenate(parts)
    missing = np.setdiff1d(np.arange(n), allidx)
    said = []
    for name, arr in zip(names, parts):
        values, counts = np.unique(arr, return_counts=True)
        if (counts > 1).any():
            times = int(counts[counts > 1][0])
            said.append(f"{name} holds {int(values[counts > 1][0])} {'twice' if times == 2 else f'{times} times'}")
            break
    for i in range(3):
        for j in range(i + 1, 3):
            both = np.intersect1d(parts[i], parts[j])
            if both.size and len(said) < 2:
                said.append(f"{int(both[0])} is in both {names[i]} and {names[j]}")
    repeats = allidx.size - np.unique(allidx).size
    hint = ("the index arrays repeat indices (drawn with replacement?): draw them without replacement, "
            "one random permutation of range(n_samples) cut into the three parts")
    return stat_problem(f"the three index arrays are not disjoint: {' and '.join(said)} ({counted(repeats, 'index', 'indices')} "
                        f"repeated in all), so {counted(missing.size, 'index', 'indices')} of range({n}) are in "
                        f"none of them (the first: {int(missing[0])}); draw without replacement, one random "
                        f"permutation cut into the three parts", finding=("not-disjoint", hint))


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
                                 "the indices are not drawn at random (take them from a "
                                 "random permutation of all the indices)", finding="not-shuffled")
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
            return stat_problem(f"samples outside [{low:g}, {high:g}]: min {arr.min():.6g}, max {arr.max():.6g}",
                                finding=("range", f"your samples cover [{_g(arr.min())}, {_g(arr.max())}], "
                                                  f"outside [{low:g}, {high:g}]"))
        logs = np.log(arr.astype(np.float64)).ravel()
        cdf = uniform_cdf(lo, hi)
        u = _cdf_values(logs, cdf)
        e = bound(arr.size)
        d, above = _ks_above(logs, cdf, e, u)
        if above:
            return stat_problem(
                f"log(samples) is not uniform on [log {low:g}, log {high:g}]: the largest gap between the "
                f"empirical and the expected CDF is {d:.4f}, above {e:.4f}; the exponent must be "
                "uniform, and the sample its exponential")
        return _independent_and_halves(logs, cdf, f"log-uniform on [{low:g}, {high:g}] (in log)", u)
    return judge
