"""Fixtures shared by the whole test suite. Keep this file minimal: others rely on it."""
import numpy as np
import pytest

SEED = 20261122


@pytest.fixture
def rng():
    """A ``numpy.random.Generator`` with a fixed seed, fresh for every test."""
    return np.random.default_rng(SEED)


@pytest.fixture(autouse=True, scope="session")
def _outside_a_github_actions_log():
    """The suite's own commands do not write a GitHub Actions log, even when the suite runs in
    one: with GITHUB_ACTIONS set, chainrule wraps what it prints for the runner
    (``chainrule.cli``: ``::stop-commands::`` on standard error), which tests of exact output
    would see. The tests of that wrapping set the variable themselves."""
    import os

    saved = os.environ.pop("GITHUB_ACTIONS", None)
    yield
    if saved is not None:
        os.environ["GITHUB_ACTIONS"] = saved
