"""Fixtures for the grader's tests: submissions built from the reference, graded once.

``make_submission(root, appended)`` copies ``solutions/`` to ``root`` and appends code to
some modules (a later ``def`` replaces the reference function; code at the top level runs
at import). The reference and the skeleton are graded once per session.
"""

import ast
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def make_submission(root, appended=None, prepended=None):
    """A copy of the reference in ``root`` with code appended/prepended per module."""
    root = Path(root)
    shutil.copytree(SOLUTIONS, root, ignore=shutil.ignore_patterns("__pycache__"))
    for module, code in (appended or {}).items():
        path = root / f"{module}.py"
        path.write_text(path.read_text() + "\n\n" + textwrap.dedent(code))
    for module, code in (prepended or {}).items():
        path = root / f"{module}.py"
        path.write_text(textwrap.dedent(code) + "\n" + path.read_text())
    return root


def message(result, qualname):
    """The first failing case's message of ``qualname``."""
    return next(c for c in result.functions[qualname].cases if not c.passed).message


def make_skeleton(root):
    """The reference with every public function's body replaced by NotImplementedError."""
    root = Path(root)
    shutil.copytree(SOLUTIONS, root, ignore=shutil.ignore_patterns("__pycache__"))
    for path in root.glob("*.py"):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node)
                node.body = ([ast.Expr(ast.Constant(doc))] if doc else []) + [
                    ast.Raise(ast.Call(ast.Name("NotImplementedError", ast.Load()), [], []), None)]
        path.write_text(ast.unparse(ast.fix_missing_locations(tree)))
    return root


@pytest.fixture(scope="session")
def reference_result():
    from grader import grade_submission

    return grade_submission(str(SOLUTIONS))


@pytest.fixture(scope="session")
def skeleton_dir(tmp_path_factory):
    if EXERCISES.is_dir() and (EXERCISES / "activations.py").exists():
        return EXERCISES
    return make_skeleton(tmp_path_factory.mktemp("skeleton") / "exercises")


@pytest.fixture(scope="session")
def skeleton_result(skeleton_dir):
    from grader import grade_submission

    return grade_submission(str(skeleton_dir))


def _open_dir():
    path = tempfile.mkdtemp(prefix="chainrule-test-")
    os.chmod(path, 0o777)
    return Path(path)


@pytest.fixture
def open_dir():
    """A folder every user may write in: the grader's child may run as 'nobody' (as root)."""
    path = _open_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def open_dir_module():
    path = _open_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)
