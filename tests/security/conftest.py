"""Fixtures for the security tests (issue 15): hostile submissions against the grader.

Most need root (the uid drop, the network namespace) and Landlock; they skip where the
machine has neither. A real non-root grader runs in ``test_unprivileged.py`` (under
``setpriv``); in-process, ``as_user`` makes the grader believe it is not root, so it
does not drop the uid (it copies the submission as a non-root grader does): Landlock is
then the only layer, and it binds root too.
"""

import os
import shutil
import sys
import uuid

import pytest

from tests.grader.conftest import SOLUTIONS, make_submission, message  # noqa: F401 - re-exported

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the uid drop)")


def _landlock_abi():
    from grader import landlock

    return landlock.abi()


LANDLOCK = pytest.mark.skipif(_landlock_abi() < 1, reason="the kernel has no Landlock")
LANDLOCK6 = pytest.mark.skipif(_landlock_abi() < 6, reason="needs Landlock ABI 6 (scoped signals)")


@pytest.fixture
def installed_reference():
    """A copy of the reference installed next to NumPy in site-packages, world-readable,
    as a package named uniquely: the layout of finding 1 (the kit installed, not editable).
    Yields ``(package name, folder)``; removed afterwards."""
    import numpy

    site_dir = os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))
    name = f"chainrule_secref_{uuid.uuid4().hex[:8]}"
    folder = os.path.join(site_dir, name)
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    os.chmod(folder, 0o755)
    for entry in os.listdir(folder):
        os.chmod(os.path.join(folder, entry), 0o644)
    if site_dir not in sys.path:
        sys.path.append(site_dir)
    try:
        yield name, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]


@pytest.fixture
def as_user(monkeypatch):
    """The grading process believes it is not root (see the module docstring)."""
    import grader.engine
    import grader.sandbox

    real = os.geteuid
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    yield real


@pytest.fixture
def no_landlock(monkeypatch):
    """The grading process finds no Landlock (a kernel before 5.13, a filtering container)."""
    from grader import landlock

    def abi():
        landlock._REASON[:] = ["simulated: no Landlock"]
        return 0

    monkeypatch.setattr(landlock, "abi", abi)
    monkeypatch.setattr(landlock, "unavailable", lambda: "simulated: no Landlock")
