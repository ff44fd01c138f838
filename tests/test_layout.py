"""The test tree itself: pytest's default import mode needs unique test-module basenames."""

import collections
import pathlib


def test_layout_test_module_basenames_are_unique():
    tests = pathlib.Path(__file__).parent
    names = collections.Counter(p.name for p in tests.rglob("test_*.py"))
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert clashes == [], f"test modules share a basename (pytest cannot import both): {clashes}"


def test_layout_tools_are_not_installed_as_a_package():
    """tools/ (the skeleton builder) runs from a checkout; setup.cfg installs only the kit."""
    import configparser

    from setuptools import find_packages

    root = pathlib.Path(__file__).parent.parent
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg")
    include = cfg["options.packages.find"]["include"].split()
    packages = find_packages(str(root), include=include)
    assert "tools" not in packages and not any(p.startswith("tools.") for p in packages)
    assert {"chainrule", "chainrule_core", "grader", "grader.specs", "generator", "solutions"} <= set(packages)
