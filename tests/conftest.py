"""Fixtures shared by the whole test suite. Keep this file minimal: others rely on it."""
import numpy as np
import pytest

SEED = 20261122


@pytest.fixture
def rng():
    """A ``numpy.random.Generator`` with a fixed seed, fresh for every test."""
    return np.random.default_rng(SEED)
