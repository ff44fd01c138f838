"""What each mode reports and refuses: the ``sandbox:`` line in every report format,
``--require-isolation``, ``reference_exposure`` and the descriptor walk it accounts for."""

import json
import os
import platform
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.security.conftest import LANDLOCK, ROOT_ONLY, SOLUTIONS, make_submission

#: the seccomp filter's part of the sandbox line, on the architectures it knows
FILTERED = " · no sockets, IPC or keyrings" if platform.machine() in ("x86_64", "aarch64") else ""

UID = GID = 2 ** 31 - 1001


@pytest.fixture(scope="module")
def graded():
    from grader import grade_submission

    return grade_submission(str(SOLUTIONS), only=["activations.relu"])


def test_modes_every_report_format_states_the_confinement_once(graded):
    from grader.reports import FORMATS, render

    line = graded.confinement
    assert line.startswith("sandbox: ")
    for fmt in FORMATS:
        assert render(graded, fmt).count(line) == 1, fmt
    assert render(graded, "text").splitlines()[1] == line
    assert json.loads(render(graded, "json"))["confinement"] == line
    assert json.loads(render(graded, "gradescope"))["output"].splitlines()[1] == line
    props = {p.get("name"): p.get("value") for p in ET.fromstring(render(graded, "junit")).iter("property")}
    assert props["confinement"] == line


@ROOT_ONLY
@LANDLOCK
def test_modes_root_with_landlock_names_every_layer(graded):
    from grader import landlock

    abi = landlock.abi()
    expected = f"sandbox: a uid of its own · landlock ABI {abi} · no network"
    if abi >= 6:
        expected += " · no signals out"
    assert graded.confinement == expected + FILTERED


@ROOT_ONLY
def test_modes_without_landlock_the_line_says_so(no_landlock):
    from grader import grade_submission

    result = grade_submission(str(SOLUTIONS), only=["activations.relu"])
    assert result.confinement == "sandbox: a uid of its own · no landlock (simulated: no Landlock) · no network" + FILTERED
    assert result.passed


def test_modes_a_correct_submission_gets_full_points_in_every_mode(tmp_path, request):
    from grader import grade_submission

    results = [grade_submission(str(SOLUTIONS), only=["activations", "optimizers.adam_step"])]
    request.getfixturevalue("no_landlock")
    results.append(grade_submission(str(SOLUTIONS), only=["activations", "optimizers.adam_step"]))
    for result in results:
        assert result.passed and result.score == result.max_score, result.confinement


# ---------------------------------------------------------------- reference_exposure
@ROOT_ONLY
def test_modes_exposure_counts_what_dotdot_from_a_descriptor_reaches(tmp_path):
    """Finding 1 without Landlock: a folder the uid cannot enter does not protect what
    lies below it when the child holds a descriptor further down."""
    from grader.privileges import readable_by

    parent = tmp_path / "private"
    (parent / "site" / "numpy").mkdir(parents=True)
    ref = parent / "site" / "refpkg"
    ref.mkdir()
    (ref / "answers.py").write_text("ANSWER = 42\n")
    os.chmod(tmp_path, 0o755)
    for folder in (parent / "site", parent / "site" / "numpy", ref):
        os.chmod(folder, 0o755)
    os.chmod(ref / "answers.py", 0o644)
    os.chmod(parent, 0o700)
    assert readable_by(ref, UID, GID) is False
    assert readable_by(ref, UID, GID, roots=[str(parent / "site" / "numpy")]) is True
    os.chmod(ref, 0o700)
    assert readable_by(ref, UID, GID, roots=[str(parent / "site" / "numpy")]) is False


@LANDLOCK
def test_modes_exposure_is_none_under_landlock():
    from grader.privileges import reference_exposure

    assert reference_exposure(str(SOLUTIONS)) is None


def test_modes_exposure_as_your_own_user_without_landlock(no_landlock, as_user):
    from grader.privileges import reference_exposure

    assert reference_exposure(str(SOLUTIONS)) == (
        f"The reference at {SOLUTIONS} is readable by submissions: they run as your own user and Landlock "
        "is unavailable (simulated: no Landlock); grade as root or on a kernel with Landlock.")


@ROOT_ONLY
def test_modes_require_isolation_on_the_command_line(tmp_path):
    """Without Landlock and with a world-readable reference the CLI refuses (exit 1);
    with Landlock it grades. Landlock is switched off for the subprocess by a
    sitecustomize-free route: a wrapper that patches grader.landlock.abi first."""
    wrapper = tmp_path / "nolandlock.py"
    wrapper.write_text(
        "import sys\nfrom grader import landlock\n"
        "landlock.abi = lambda: 0\nlandlock.unavailable = lambda: 'switched off'\n"
        "from chainrule.cli import main\nsys.argv[0] = 'chainrule'\nmain()\n")
    sub = make_submission(tmp_path / "sub")
    ref_modes = os.stat(SOLUTIONS / "activations.py").st_mode & 0o004
    out = subprocess.run([sys.executable, str(wrapper), "grade", str(sub), "--only", "activations.relu",
                          "--require-isolation"], capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    if ref_modes and all(os.stat(p).st_mode & 0o001 for p in [SOLUTIONS, *SOLUTIONS.parents]):
        assert out.returncode == 1, out.stdout
        assert out.stderr.startswith(f"Error: The reference at {SOLUTIONS} is readable by the sandbox user "
                                     "and Landlock is unavailable (switched off); chmod 700 it")
        assert out.stderr.rstrip().endswith("Not grading (--require-isolation).")
    plain = subprocess.run([sys.executable, "-m", "chainrule", "grade", str(sub), "--only", "activations.relu",
                            "--require-isolation"], capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    if plain.returncode == 0:
        assert "1 / 1 point" in plain.stdout
    else:       # no Landlock on this machine: the same refusal
        assert "Not grading (--require-isolation)." in plain.stderr
