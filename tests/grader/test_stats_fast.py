"""The quick path of the distribution tests decides exactly as the exact CDF does.

``grader.stats._ks_above`` settles a Kolmogorov distance that is clearly below its bound
with a vectorised approximation of erf (Abramowitz & Stegun 7.1.26) and computes every
other distance with ``math.erf``; a grade must come out the same either way.
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
        assert abs(d - exact) <= cdf.error


def test_a_distance_just_below_the_bound_is_computed_exactly():
    x = np.random.default_rng(7).normal(0.0, 1.0, 20_000)
    cdf = stats.normal_cdf(0.0, 1.0)
    exact = stats.ks_distance(x, cdf)
    d, above = stats._ks_above(x, cdf, exact + 5 * cdf.error)    # within the margin: exact path
    assert (d, above) == (exact, False)
    d, above = stats._ks_above(x, cdf, exact - 1e-12)
    assert (d, above) == (exact, True)


def test_a_cdf_without_an_approximation_is_always_exact():
    x = np.random.default_rng(2).uniform(-1, 1, 5000)
    cdf = stats.uniform_cdf(-1.0, 1.0)
    assert stats._ks_above(x, cdf, 1.0) == (stats.ks_distance(x, cdf), False)
