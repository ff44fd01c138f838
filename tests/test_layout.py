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


def test_layout_architecture_page_names_only_files_that_exist():
    import re

    root = pathlib.Path(__file__).parent.parent
    text = (root / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    paths = {p for p in re.findall(r"`([\w./]+/[\w.]*)`", text) if "<" not in p}
    assert len(paths) > 20
    missing = sorted(p for p in paths if not (root / p).exists())
    assert missing == [], missing


def test_layout_layers_import_downwards_only():
    """chainrule_core imports nothing of the kit; grader and generator not each other; grader
    not checker; checker neither grader nor the CLI (it imports generator only to rebuild)."""
    import ast

    root = pathlib.Path(__file__).parent.parent
    forbidden = {"chainrule_core": {"chainrule", "grader", "generator", "solutions", "checker"},
                 "grader": {"chainrule", "generator", "checker"}, "generator": {"chainrule", "grader"},
                 "checker": {"chainrule", "grader"}}
    for package, banned in forbidden.items():
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                for name in names:
                    assert name.split(".")[0] not in banned, (str(path), name)


def test_layout_checker_imports_generator_only_inside_functions():
    """A practice sheet is checked without sympy: checker's modules import no generator at
    their top level (rebuilding an open or graded sheet imports it when it is needed)."""
    import ast

    root = pathlib.Path(__file__).parent.parent
    for path in sorted((root / "checker").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] in ("generator", "sympy", "jinja2")], (str(path), names)
