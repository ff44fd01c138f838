"""A --secret-file that is not there is said in the kit's one sentence by every command that
takes one, with the same exit status (trial 15: grade, grade-all and notebook said click's
"Invalid value for '--secret-file': File ... does not exist.", generate, check and release the
kit's "Cannot read the secret file ...")."""

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from tests.grader.conftest import SOLUTIONS

COMMANDS = {
    "generate": lambda t: ["generate", "--out", t / "sheets", "--count", "1"],
    "check": lambda t: ["check", t / "answers.toml"],
    "release": lambda t: ["release", "--out", t / "dist"],
    "grade": lambda t: ["grade", SOLUTIONS, "--only", "activations.relu"],
    "grade-all": lambda t: ["grade-all", t / "subs", "--out", t / "graded"],
    "notebook": lambda t: ["notebook", "--out", t / "nb", "--students", t / "roster.csv", "--seed", "1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_secret_file_gets_the_kits_sentence(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.toml").write_text("[chainrule]\n", encoding="utf-8")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "roster.csv").write_text("id,name\ns001,Ann\n", encoding="utf-8")
    args = [str(a) for a in COMMANDS[command](tmp_path)] + ["--secret-file", "nope.secret"]
    result = CliRunner().invoke(cli, args, prog_name="chainrule")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == "Error: Cannot read the secret file 'nope.secret': No such file or directory."
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.toml", "roster.csv", "subs"]   # nothing written


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_secret_file_value_is_refused_by_every_command(command, value, tmp_path, monkeypatch):
    # `--secret-file "$UNSET"` in a CI step: grade and grade-all graded without the secret (exit 0),
    # the others read the current folder "." (review 15b)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.toml").write_text("[chainrule]\n", encoding="utf-8")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "roster.csv").write_text("id,name\ns001,Ann\n", encoding="utf-8")
    args = [str(a) for a in COMMANDS[command](tmp_path)] + ["--secret-file", value]
    result = CliRunner().invoke(cli, args, prog_name="chainrule")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == (
        f"Error: Secret file {value!r} names no file; give the path of the file holding the course secret "
        "(e.g. python -c \"import secrets; print(secrets.token_hex(32))\" > course.secret).")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.toml", "roster.csv", "subs"]   # nothing written
