"""As root, the grader warns (on stderr only) when the sandbox uid could read the reference.

The privilege drop keeps student code away from ``solutions/`` only when its mode does;
a world-readable reference could be loaded by path from student code. Needs root.
"""

import os
import shutil
import sys

import pytest

from tests.grader.conftest import SOLUTIONS

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox uid exists only as root")

UID = GID = 2 ** 31 - 1001


def _package(root, mode=0o755, file_mode=0o644):
    pkg = root / "refpkg"
    shutil.copytree(SOLUTIONS, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for path in pkg.iterdir():
        os.chmod(path, file_mode)
    os.chmod(pkg, mode)
    return pkg


@pytest.mark.parametrize("mode, file_mode, readable", [
    (0o755, 0o644, True), (0o711, 0o644, True), (0o700, 0o644, False), (0o755, 0o600, False),
    (0o750, 0o644, False)])
def test_reference_readable_by_follows_the_modes(open_dir, mode, file_mode, readable):
    from grader.privileges import readable_by

    assert readable_by(_package(open_dir, mode, file_mode), UID, GID) is readable


def test_reference_readable_by_needs_search_permission_on_every_parent(open_dir):
    from grader.privileges import readable_by

    parent = open_dir / "private"
    parent.mkdir()
    pkg = _package(parent)
    os.chmod(parent, 0o700)
    assert readable_by(pkg, UID, GID) is False
    os.chmod(parent, 0o701)
    assert readable_by(pkg, UID, GID) is True


@pytest.fixture
def refpkg(open_dir, monkeypatch):
    pkg = _package(open_dir)
    monkeypatch.syspath_prepend(str(open_dir))
    yield pkg
    for name in [m for m in sys.modules if m == "refpkg" or m.startswith("refpkg.")]:
        del sys.modules[name]


def test_reference_world_readable_is_never_a_warning_in_a_students_run(refpkg, capfd):
    """Issue 10: the warning belonged to instructors; a student's run prints none."""
    from grader import grade_submission
    from grader.oracle import LiveOracle
    from grader.reports import FORMATS, render

    result = grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=LiveOracle("refpkg"))
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert result.functions["activations.relu"].passed
    for fmt in FORMATS:
        assert "readable by the sandbox user" not in render(result, fmt)


def test_reference_world_readable_without_landlock_is_refused_with_require_isolation(refpkg, monkeypatch):
    from chainrule_core.errors import ChainruleError
    from grader import grade_submission, landlock
    from grader.oracle import LiveOracle

    monkeypatch.setattr(landlock, "abi", lambda: 0)
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=LiveOracle("refpkg"),
                         require_isolation=True)
    assert str(info.value).startswith(f"The reference at {os.path.realpath(refpkg)} is readable by the "
                                      "sandbox user and Landlock is unavailable (")
    assert str(info.value).endswith("Not grading (--require-isolation).")


def test_require_isolation_with_a_recording_also_checks_the_solutions_beside_it(refpkg, tmp_path, monkeypatch):
    """An instructor's checkout grading a recording (--recorded) still holds the solutions, from
    which a submission could compute every expected value: --require-isolation refuses when
    those are readable, not only when the recording is (session 12)."""
    from chainrule_core.errors import ChainruleError
    from grader import grade_submission, landlock, record

    recording = tmp_path / "recorded.npz"
    record(recording, only=["activations.relu"])
    os.chmod(recording, 0o600)      # the recording itself is not readable by the sandbox uid
    monkeypatch.setattr(landlock, "abi", lambda: 0)
    monkeypatch.syspath_prepend(str(refpkg.parent))
    monkeypatch.delitem(sys.modules, "solutions", raising=False)
    import importlib.util

    real_find_spec = importlib.util.find_spec   # the checkout's solutions: refpkg, world-readable
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: real_find_spec("refpkg") if name == "solutions" else real_find_spec(name, *a))
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(recording), require_isolation=True)
    assert str(info.value).startswith(f"The reference at {os.path.realpath(refpkg)} is readable by the sandbox user")
    assert str(info.value).endswith(f"The solutions are installed beside the recording graded ({refpkg}): grade "
                                    "where they are not (the student release), or make them unreadable too. "
                                    "Not grading (--require-isolation).")
    assert "solutions" not in sys.modules and "refpkg" not in sys.modules   # found, never imported
    # with the solutions out of the sandbox uid's reach, the recording alone is graded
    os.chmod(refpkg, 0o700)
    result = grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(recording), require_isolation=True)
    assert result.functions["activations.relu"].passed


def test_reference_mode_700_gives_no_warning(refpkg, capfd):
    from grader import grade_submission
    from grader.oracle import LiveOracle

    os.chmod(refpkg, 0o700)
    result = grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=LiveOracle("refpkg"))
    assert capfd.readouterr().err == ""
    assert result.functions["activations.relu"].passed


def test_reference_recorded_grading_gives_no_warning(tmp_path, capfd):
    from grader import grade_submission, record

    recording = tmp_path / "recorded.npz"
    record(recording, only=["activations.relu"])
    grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(recording))
    assert capfd.readouterr().err == ""


def test_reference_child_argv_and_cwd_do_not_name_the_grader(tmp_path):
    from grader import grade_submission
    from tests.grader.conftest import make_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import os, sys
            raise RuntimeError(f"argv0={sys.argv[0]} cwd={os.getcwd()}")
        """})
    result = grade_submission(str(sub), only=["activations.relu"])
    message = result.functions["activations.relu"].cases[0].message
    assert "argv0=" in message
    grader_dir = os.path.dirname(os.path.dirname(os.path.abspath(__import__("grader").__file__)))
    assert grader_dir not in message


def test_the_installed_solutions_are_found_never_run(tmp_path, monkeypatch):
    """reference_exposure's default, grade-all's check and grade --require-isolation find the
    solutions package without importing it: a plain solutions.py first on the path is not a
    package, is never run in the grader and exposes nothing (session 12's review)."""
    from grader.privileges import installed_solutions, reference_exposure

    (tmp_path / "solutions.py").write_text("raise SystemExit('ran in the grader')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "solutions", raising=False)
    assert installed_solutions() is None
    assert reference_exposure() is None
    assert "solutions" not in sys.modules
