"""``chainrule check`` stays light: no jinja2 ever, and no sympy for a practice sheet
(the student release ships numpy and click only)."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from chainrule.cli import cli

BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError('blocked: ' + name)
        return None
BLOCKED = set(sys.argv[1].split(','))
sys.meta_path.insert(0, Block())
from chainrule.cli import main
try:
    main(['check', sys.argv[2]])
except SystemExit as exc:
    code = exc.code
loaded = [m for m in ('sympy', 'jinja2', 'generator.render') if m in sys.modules]
sys.stderr.write('LOADED=' + repr(loaded) + ' CODE=' + repr(code))
"""


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    root = tmp_path_factory.mktemp("imports")
    runner = CliRunner()
    for name, extra in (("open", []), ("practice", ["--practice"])):
        result = runner.invoke(cli, ["generate", "--count", "1", "--format", "md", "--families",
                                     "forward_pass,batch_arithmetic", "--out", str(root / name), *extra])
        assert result.exit_code == 0, result.output
    return root


def _run(blocked, path):
    proc = subprocess.run([sys.executable, "-c", BLOCK, blocked, str(path)], capture_output=True, text=True)
    return proc.stdout, proc.stderr


def test_check_open_sheet_does_not_import_jinja2(sheets):
    out, err = _run("jinja2", sheets / "open" / "students" / "student-001" / "answers.toml")
    assert "LOADED=['sympy'] CODE=0" in err, err
    assert "Checked 2 problems" in out


def test_check_of_a_wrong_answer_does_not_import_jinja2(sheets, tmp_path):
    """A wrong answer is compared with the problem's other values ("this is the value of o_2"),
    named as the sheets write them: still without the renderer (session 17's review)."""
    text = (sheets / "open" / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.rstrip().endswith('= ""') and not line.startswith("#"))
    lines[first] = lines[first].replace('= ""', '= "0.123456789"')
    wrong = tmp_path / "answers.toml"
    wrong.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = _run("jinja2", wrong)
    assert "LOADED=['sympy'] CODE=0" in err, err
    assert "Checked 2 problems" in out and "1 wrong" in out


def test_check_practice_sheet_imports_neither_sympy_nor_jinja2(sheets):
    # sympy and jinja2 cannot even be imported here: as in the student release
    out, err = _run("jinja2,sympy,mpmath", sheets / "practice" / "students" / "student-001" / "answers.toml")
    assert "LOADED=[] CODE=0" in err, err
    assert "Checked 2 problems" in out and "Practice sheet" in out


def test_a_path_with_a_line_break_stays_on_its_line(sheets, tmp_path):
    """Review 17: a handed-in file named "a\\n::warning ...::forged\\n.toml" put a line of its own
    (a GitHub Actions workflow command) into check's report; it is written escaped."""
    folder = tmp_path / "class"
    folder.mkdir()
    name = "a\n::warning title=x::forged\n.toml"
    (folder / name).write_bytes((sheets / "open" / "students" / "student-001" / "answers.toml").read_bytes())
    (folder / "b.toml").write_bytes((folder / name).read_bytes())    # the same id twice: a warning names both
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "answers files carry the student id" in result.output
    assert not [line for line in result.output.splitlines() if line.lstrip().startswith("::")], result.output
    assert "a\\n::warning title=x::forged\\n.toml" in result.output
