"""A submission of the module files alone still imports the skeleton's given code.

Every skeleton module does ``from ._common import as_float``; a student who uploads only the
module files (as the Gradescope autograder's message lists them) or whose folder lost
``_common.py`` got "No module named 'exercises._common'" for every module and scored nothing
(session 9's trial: 0 points on Gradescope and in grade-all for correct modules).
"""

from pathlib import Path

from click.testing import CliRunner

from chainrule.cli import cli
from grader import grade_submission
from grader.given import FILES
from conftest import make_submission

ROOT = Path(__file__).resolve().parents[2]


def test_the_given_text_is_the_skeletons_own():
    assert FILES["_common.py"] == (ROOT / "exercises" / "_common.py").read_text(encoding="utf-8")


def _modules_only(root):
    sub = make_submission(root)
    for extra in ("_common.py", "__init__.py"):
        (sub / extra).unlink()
    return sub


def test_module_files_alone_are_graded_on_their_merits(tmp_path):
    sub = _modules_only(tmp_path / "upload")
    assert "from ._common import as_float" in (sub / "activations.py").read_text()
    result = grade_submission(str(sub), only=["activations", "losses"], seed=3)
    failing = {q: f.cases[0].message for q, f in result.functions.items() if not f.passed}
    assert not failing, failing
    assert sorted(p.name for p in sub.iterdir() if p.suffix == ".py") == sorted(
        p.name for p in (ROOT / "solutions").glob("*.py") if p.name not in ("_common.py", "__init__.py"))


def test_a_students_own_common_module_is_the_one_graded(tmp_path):
    sub = _modules_only(tmp_path / "own")
    (sub / "_common.py").write_text("import numpy as np\n\ndef as_float(x):\n    return np.asarray(x, dtype=np.float16)\n")
    result = grade_submission(str(sub), only=["activations.sigmoid"], seed=3)
    assert not result.functions["activations.sigmoid"].passed      # float16 everywhere: their helper ran


def test_grade_all_grades_an_entry_of_module_files(tmp_path):
    subs = tmp_path / "subs"
    _modules_only(subs / "kim")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["grade-all", str(subs), "--out", str(out), "--only", "activations"])
    assert result.exit_code == 0, result.output
    rows = (out / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    header, kim = rows[0].split(","), rows[1].split(",")
    assert kim[0] == "kim" and kim[header.index("percent")] == "100.00", rows

