"""A partial install of chainrule: the packages the GitHub Classroom workflow installs from a
student's repository (``chainrule.release.KIT_PATHS``: chainrule, chainrule_core and grader,
no checker/, generator/ or solutions/). Trial 19c: ``chainrule --help`` there printed a
40-line traceback (No module named 'checker') and ``chainrule check`` an internal error: the
help listed a command whose module existed but whose packages did not."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule.release import KIT_PATHS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The folder the workflow installs, copied as it copies it (``cp -R`` of ``KIT_PATHS``)."""
    kit = tmp_path_factory.mktemp("partial") / "kit"
    kit.mkdir()
    for name in KIT_PATHS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, kit / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, kit / name)
    assert not (kit / "checker").exists() and not (kit / "generator").exists()
    return kit


def chainrule(kit, *args):
    """``chainrule ARGS`` with the partial install alone on the path (and NumPy's and click's
    site-packages, without the checkout's editable install)."""
    site = str(Path(np.__file__).resolve().parents[1])
    code = (f"import sys; sys.path[:0] = [{str(kit)!r}, {site!r}]\n"
            "from chainrule.cli import run; sys.argv = ['chainrule', *sys.argv[1:]]; run()")
    return subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code, *args], capture_output=True,
                          text=True, cwd=kit.parent, timeout=600)


def test_help_lists_the_installed_commands_only(kit):
    done = chainrule(kit, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Traceback" not in done.stdout
    names = [line.split()[0] for line in done.stdout.split("Commands:\n")[1].splitlines() if line.strip()]
    assert names == ["classroom", "grade", "grade-all", "list"], done.stdout
    # and its description offers only what is there
    text = " ".join(done.stdout.split())
    assert "chainrule: grade your NumPy exercises. Grade the exercises in exercises/ (chainrule grade)" in text
    assert "chainrule check" not in text and "generate" not in text


@pytest.mark.parametrize("args", [("check", "--help"), ("check", "x.toml"), ("--debug", "check", "x.toml")])
def test_check_says_this_install_does_not_include_it(kit, args):
    done = chainrule(kit, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: This install of chainrule does not include the check command: it needs the checker package, "
        "which is not installed (install chainrule from a copy that holds the checker/ folder: pip install -e . "
        "there).")


@pytest.mark.parametrize("command, package", [("generate", "generator"), ("notebook", "generator"),
                                              ("release", "solutions")])
def test_every_command_whose_packages_are_missing_says_so(kit, command, package):
    done = chainrule(kit, command, "--help")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: This install of chainrule does not include the {command} command: it needs the {package} "
        f"package, which is not installed (install chainrule from a copy that holds the {package}/ folder: "
        "pip install -e . there).")


@pytest.mark.parametrize("args", [("--version",), ("grade", "--help"), ("classroom", "--help"), ("list",)])
def test_the_installed_commands_work(kit, args):
    done = chainrule(kit, *args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stdout


def test_a_command_module_missing_from_the_install_says_it_comes_with_the_full_kit(kit, tmp_path):
    """A student copy has no generate.py at all (``chainrule release`` copies the student commands)."""
    partial = tmp_path / "kit"
    shutil.copytree(kit, partial)
    (partial / "chainrule" / "commands" / "generate.py").unlink()
    done = chainrule(partial, "generate")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: This install of chainrule does not include the generate command, which comes with the full kit "
        "(pip install -e . in a checkout of it); chainrule --help lists the commands this one has.")
