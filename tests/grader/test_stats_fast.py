"""The quick paths of the distribution tests decide exactly as the exact CDF does.

``grader.stats._ks_above`` settles a Kolmogorov distance that is clearly below its bound
without sorting, from an upper bound counted in bins of the CDF's values
(``stats._ks_bound``), then with a vectorised approximation of erf (Abramowitz & Stegun
7.1.26) on the sorted sample, and computes every other distance with ``math.erf``; a grade
must come out the same either way. The exact distance (``ks_distance``: the sorted sample
against the exact CDF, element by element) is the independent reference.
"""

import math

import numpy as np
import pytest

from grader import stats


def test_the_erf_approximation_is_within_its_stated_error_of_math_erf():
    z = np.concatenate([np.linspace(-7.0, 7.0, 400_001), [0.0, -0.0, 1e-300, 40.0, -40.0]])
    exact = np.array([math.erf(v) for v in z.tolist()])
    assert np.max(np.abs(stats._erf_approx(z) - exact)) <= stats.AS_ERROR


def test_the_exact_normal_cdf_is_math_erf_element_by_element():
    x = np.random.default_rng(3).normal(0.5, 2.0, (40, 30))
    cdf = stats.normal_cdf(0.5, 2.0)
    want = np.array([[0.5 * (1.0 + math.erf((v - 0.5) / (2.0 * math.sqrt(2.0)))) for v in row] for row in x.tolist()])
    got = cdf(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert np.array_equal(got, want)


@pytest.mark.parametrize("shift", np.linspace(0.0, 0.12, 49).tolist())
def test_the_quick_decision_equals_the_exact_one_around_the_bound(shift):
    # a sample of 20000 normal draws moved by up to about 3 bounds: distances on both sides
    # of the bound and close to it
    x = np.random.default_rng(7).normal(shift, 1.0, 20_000)
    cdf = stats.normal_cdf(0.0, 1.0)
    e = stats.bound(x.size)
    exact = stats.ks_distance(x, cdf)
    d, above = stats._ks_above(x, cdf, e)
    assert above == (exact > e)
    if above:
        assert d == exact           # a distance a message reports is the exact one
    else:
        assert d >= exact - cdf.error       # an upper bound, or the approximation's distance


def test_a_distance_just_below_the_bound_is_computed_exactly():
    x = np.random.default_rng(7).normal(0.0, 1.0, 20_000)
    cdf = stats.normal_cdf(0.0, 1.0)
    exact = stats.ks_distance(x, cdf)
    d, above = stats._ks_above(x, cdf, exact + 5 * cdf.error)    # within the margin: exact path
    assert (d, above) == (exact, False)
    d, above = stats._ks_above(x, cdf, exact - 1e-12)
    assert (d, above) == (exact, True)


def test_a_cdf_without_an_approximation_is_exact_unless_clearly_below():
    x = np.random.default_rng(2).uniform(-1, 1, 5000)
    cdf = stats.uniform_cdf(-1.0, 1.0)
    exact = stats.ks_distance(x, cdf)
    d, above = stats._ks_above(x, cdf, 1.0)         # settled by the binned bound
    assert not above and exact <= d <= exact + 3.0 / stats._KS_BINS
    assert stats._ks_above(x, cdf, exact + 1e-9) == (exact, False)     # too close: sorted, exact
    assert stats._ks_above(x, cdf, exact - 1e-9) == (exact, True)


def _edge_sample(rng, n):
    """Uniform(0, 1) samples many of which lie exactly on bin edges, or within 1e-13 of one."""
    k = rng.integers(0, stats._KS_BINS + 1, n) / stats._KS_BINS
    return k + rng.choice([0.0, 1e-13, -1e-13], n)


SAMPLES = {
    "normal": lambda rng, n: rng.normal(0.0, 1.0, n),
    "shifted": lambda rng, n: rng.normal(0.02, 1.0, n),
    "scaled": lambda rng, n: rng.normal(0.0, 1.05, n),
    "uniform instead of normal": lambda rng, n: rng.uniform(-1.7, 1.7, n),
    "rounded to 2 decimals (ties)": lambda rng, n: np.round(rng.normal(0.0, 1.0, n), 2),
    "one value repeated": lambda rng, n: np.full(n, 0.25),
    "far tails": lambda rng, n: rng.standard_cauchy(n),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("n", [1, 2, 7, 100, 4099, 60_000])
def test_the_binned_bound_is_never_below_the_exact_distance(kind, n):
    rng = np.random.default_rng(n)
    cdf = stats.normal_cdf(0.0, 1.0)
    x = SAMPLES[kind](rng, n)
    exact = stats.ks_distance(x, cdf)
    for u, error in ((cdf.approx(x), cdf.error), (cdf(x), 0.0)):
        bound = stats._ks_bound(u, error)
        assert bound >= exact - 1e-12, (kind, n, bound, exact)
        if n >= 4099 and kind == "normal":
            # close enough to settle a correct sample's clear pass: a few bins' width more
            # (each bin adds its own share of the sample, about 1/B, to the bound)
            assert bound <= exact + 4.0 / stats._KS_BINS


@pytest.mark.parametrize("seed", range(6))
def test_the_binned_bound_holds_for_values_on_and_next_to_bin_edges(seed):
    rng = np.random.default_rng(seed)
    cdf = stats.uniform_cdf(0.0, 1.0)
    for n in (1, 3, 50, 5000):
        x = np.clip(_edge_sample(rng, n), 0.0, 1.0)
        exact = stats.ks_distance(x, cdf)
        assert stats._ks_bound(cdf(x), 0.0) >= exact - 1e-12
        d, above = stats._ks_above(x, cdf, stats.bound(n))
        assert above == (exact > stats.bound(n))


def test_a_clear_pass_is_settled_without_sorting(monkeypatch):
    x = np.random.default_rng(5).normal(0.5, 2.0, (300, 200))
    cdf = stats.normal_cdf(0.5, 2.0)

    def no_sort(*args, **kwargs):
        raise AssertionError("sorted")

    monkeypatch.setattr(stats.np, "sort", no_sort)
    d, above = stats._ks_above(x, cdf, stats.bound(x.size))
    monkeypatch.undo()
    assert not above and stats.ks_distance(x, cdf) <= d
