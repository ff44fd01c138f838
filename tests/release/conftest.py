"""Fixtures for the release tests: one release built per session, one fresh virtual
environment with only the student folder installed in it (made once per session: it is
the slow part), and helpers to run commands there."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory):
    from chainrule.release import build

    out = tmp_path_factory.mktemp("release") / "dist"
    build(out)
    return out


def _run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(args, **kw)


@pytest.fixture(scope="session")
def student_venv(release_dir, tmp_path_factory):
    """A fresh virtual environment (no system site-packages) with the student folder
    installed the way its README says (``pip install -e .``), from a copy of it."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    student = base / "student"
    shutil.copytree(release_dir / "student", student)
    made = _run([sys.executable, "-m", "venv", str(venv)])
    assert made.returncode == 0, made.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # setuptools and wheel first, so that the editable install needs no isolated build env
    tools = _run(pip + ["setuptools>=64", "wheel"])
    assert tools.returncode == 0, tools.stderr
    inst = _run(pip + ["--no-build-isolation", "-e", str(student)], cwd=student)
    assert inst.returncode == 0, inst.stderr
    return {"venv": venv, "bin": venv / "bin", "student": student}


def venv_env(venv, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CHAINRULE"))}
    env["PATH"] = f"{venv['bin']}{os.pathsep}{env.get('PATH', os.defpath)}"
    env["VIRTUAL_ENV"] = str(venv["venv"])
    env.update(extra)
    return env


def run_in(venv, args, cwd, **extra):
    return _run(args, cwd=cwd, env=venv_env(venv, **extra))
