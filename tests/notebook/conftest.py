"""Fixtures of the notebook tests: built notebooks, and the same with the reference pasted in."""

import subprocess
import sys
from pathlib import Path

import pytest

from nb_helpers import filled

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nbformat():
    return pytest.importorskip("nbformat")


@pytest.fixture(scope="session")
def built(nbformat, tmp_path_factory):
    """Every module's notebook, built once by the CLI: the folder."""
    out = tmp_path_factory.mktemp("notebooks") / "nbs"
    proc = subprocess.run([sys.executable, "-m", "chainrule", "notebook", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def filled_folder(built, nbformat, tmp_path_factory):
    """The notebooks with the reference bodies pasted into the skeleton cells."""
    out = tmp_path_factory.mktemp("filled") / "nbs"
    out.mkdir()
    for path in sorted(built.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        nbformat.write(filled(nb), str(out / path.name))
    return out
