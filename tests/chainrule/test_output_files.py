"""An output FILE in folders that do not exist yet (``-o reports/grade.json`` in a fresh CI
checkout): ``grade -o``, ``check -o`` and ``check --gradebook`` all make the missing
folders, as every ``--out`` folder is made, and their --help says so (trial 13 found
``check -o /nonexistent/dir/out.txt`` making folders without a word)."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from chainrule.cli import cli

ROOT = Path(__file__).resolve().parents[2]
MADE = "missing folders of its path are made"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("command", ["grade", "check"])
def test_the_help_of_output_says_missing_folders_are_made(command):
    text = " ".join(run(command, "--help").output.split())
    assert MADE in text


def test_check_and_grade_write_into_missing_folders(tmp_path):
    made = run("generate", "--count", "1", "--format", "md", "--families", "forward_pass", "--out", tmp_path / "set")
    assert made.exit_code == 0, made.output
    sheet = tmp_path / "set" / "students" / "student-001" / "answers.toml"
    report, book = tmp_path / "a" / "b" / "report.txt", tmp_path / "c" / "d" / "book.csv"
    result = run("check", sheet, "-o", report, "--gradebook", book)
    assert result.exit_code == 0, result.output
    assert report.read_text(encoding="utf-8").startswith(f"Checked {sheet}: ")
    assert book.is_file()
    graded = tmp_path / "e" / "f" / "grade.json"
    result = run("grade", ROOT / "solutions", "--only", "activations.relu", "--format", "json", "-o", graded)
    assert result.exit_code == 0, result.output
    assert '"passed": true' in graded.read_text(encoding="utf-8")
