"""Session 5, finding 1: what the child imports or reads of a submission is exactly what
the seed hashes and the reports show, at any uid.

Not as root the child once imported the submission folder in place: an unchecked-hash
``__pycache__/activations.cpython-311.pyc`` holding a correct module scored 10/10 while
``activations.py`` was the skeleton, and a hidden ``.answers.json`` (never hashed, so the
seed never changed) fed a lookup table. Now the child reads a private copy made with the
seed's own filter; compiled code (``.pyc``, ``.so``), a file or a link of that name, is
refused in one sentence.
"""

import os
import py_compile
import re
import shutil
import subprocess
import sys

import pytest

from chainrule_core.errors import ChainruleError
from tests.security.conftest import LANDLOCK, ROOT_ONLY, SOLUTIONS, make_submission, message

SKELETON_SIGMOID = """
    def sigmoid(x):
        raise NotImplementedError
    """

READS_HIDDEN = """
    def relu(x):
        import os
        here = os.path.dirname(os.path.abspath(__file__))
        try:
            with open(os.path.join(here, ".answers.json")) as fh:
                found = "found " + fh.read()
        except OSError as exc:
            found = "missing (" + type(exc).__name__ + ")"
        raise RuntimeError("hidden file: " + found + "; listed: " + ",".join(sorted(os.listdir(here))))
    """


def _pyc_over_skeleton(root):
    """The reference's activations compiled (unchecked hash) into __pycache__, and
    activations.py with sigmoid back to the skeleton's."""
    sub = make_submission(root)
    pyc = sub / "__pycache__" / f"activations.{sys.implementation.cache_tag}.pyc"
    py_compile.compile(str(SOLUTIONS / "activations.py"), cfile=str(pyc), dfile="activations.py",
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    path = sub / "activations.py"
    path.write_text(path.read_text() + "\n\n" + SKELETON_SIGMOID.replace("\n    ", "\n"))
    return sub


def test_as_user_a_pyc_in_pycache_is_never_imported(tmp_path, as_user):
    from grader import grade_submission

    sub = _pyc_over_skeleton(tmp_path / "sub")
    result = grade_submission(str(sub), only=["activations.sigmoid", "activations.relu"])
    assert not result.functions["activations.sigmoid"].passed
    assert "NotImplementedError" in message(result, "activations.sigmoid")
    assert result.functions["activations.relu"].passed


@LANDLOCK
def test_as_user_a_hidden_file_is_neither_hashed_nor_readable(tmp_path, as_user):
    from grader import grade_submission
    from grader.seeds import submission_seed

    sub = make_submission(tmp_path / "sub", {"activations": READS_HIDDEN})
    seed = submission_seed(sub)
    (sub / ".answers.json").write_text('{"x": 1}')
    (sub / "__pycache__").mkdir()
    (sub / "__pycache__" / "notes.txt").write_text("cached")
    assert submission_seed(sub) == seed         # never hashed: so never readable either
    result = grade_submission(str(sub), only=["activations.relu"])
    text = message(result, "activations.relu")
    assert "hidden file: missing (FileNotFoundError)" in text, text
    assert ".answers.json" not in text.split("listed:")[1] and "__pycache__" not in text


@pytest.mark.parametrize("name", ["_impl.pyc", "_impl.pyo", "_impl.cpython-311-x86_64-linux-gnu.so"])
def test_compiled_code_outside_pycache_is_refused(tmp_path, name):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub")
    (sub / name).write_bytes(b"\x00compiled")
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(sub), only=["activations.relu"])
    assert str(info.value) == (f"Submission file 'sub/{name}' is a compiled module; the contract is .py "
                               "files only: remove it.")


def test_a_link_named_pyc_is_refused_by_the_copy(tmp_path):
    from grader.submission_copy import SubmissionRefused, safe_copy

    sub = make_submission(tmp_path / "sub")
    (sub / "data.bin").write_bytes(b"\x00bytecode")
    os.symlink("data.bin", sub / "_impl.pyc")
    with pytest.raises(SubmissionRefused) as info:
        safe_copy(sub, tmp_path / "copy")
    assert str(info.value) == (f"Submission refused: '{sub}/_impl.pyc' is a compiled module; the contract is .py "
                               "files only: remove it.")


def test_the_sourceless_pyc_poc_is_refused_before_anything_runs(tmp_path):
    """/tmp/attack5/poc/pyc/sl: activations.py imports a sourceless _impl.pyc (10/10 before)."""
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", prepended={"activations": "from ._impl import *\n"})
    impl = tmp_path / "impl.py"
    impl.write_text("def sigmoid(x):\n    return 0\n")
    py_compile.compile(str(impl), cfile=str(sub / "_impl.pyc"))
    with pytest.raises(ChainruleError, match=r"'sub/_impl.pyc' is a compiled module"):
        grade_submission(str(sub), only=["activations.sigmoid"])


# ------------------------------------------------------------- a real non-root grader
NOBODY = 65534


@ROOT_ONLY
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv")
def test_unprivileged_grade_ignores_pycache_and_hidden_files():
    import tempfile
    from pathlib import Path

    tmp = tempfile.mkdtemp(prefix="chainrule-unpriv-")      # not below pytest's 0700 folder
    try:
        _unprivileged_grade(Path(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unprivileged_grade(tmp_path):
    from tests.security.test_unprivileged import _run_as_nobody

    base = tmp_path / "base"
    kit = base / "kit"
    root = SOLUTIONS.parent
    for package in ("grader", "chainrule", "chainrule_core", "solutions"):
        shutil.copytree(root / package, kit / package, ignore=shutil.ignore_patterns("__pycache__"))
    sub = _pyc_over_skeleton(base / "exercises")
    path = sub / "activations.py"
    path.write_text(path.read_text() + "\n\n" + READS_HIDDEN.replace("\n    ", "\n"))
    (sub / ".answers.json").write_text('{"x": 1}')
    for folder, dirs, files in os.walk(tmp_path):
        os.chown(folder, NOBODY, NOBODY)
        for name in files:
            os.chown(os.path.join(folder, name), NOBODY, NOBODY)
    os.chmod(tmp_path, 0o755)
    out = _run_as_nobody(str(base), str(kit), ["grade", str(sub), "--only", "activations.sigmoid",
                                               "--only", "activations.relu", "--verbose"])
    assert "NotImplementedError" in out.stdout, out.stdout + out.stderr
    assert re.search(r"TODO +sigmoid +0/1  not implemented yet", out.stdout) and re.search(r"FAIL +relu", out.stdout), out.stdout
    assert "hidden file: missing (FileNotFoundError)" in out.stdout, out.stdout
