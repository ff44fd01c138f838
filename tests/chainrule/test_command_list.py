"""``chainrule --help`` lists every command with a whole sentence (session 9's trial: click cut
each docstring at 45 characters, "Check the answers in FILE (an answers.toml from chainrule...")."""

from click.testing import CliRunner

from chainrule.cli import COMMANDS, cli


def test_every_command_is_listed_with_a_whole_sentence():
    out = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    listing = out.split("Commands:\n", 1)[1].splitlines()
    shown = {line.split()[0]: line.split(None, 1)[1] for line in listing if line.strip()}
    assert set(shown) == set(COMMANDS)
    for name, text in shown.items():
        assert text.endswith(".") and not text.endswith("..."), (name, text)
    assert shown["check"] == "Check worksheet answers (answers.toml files or a folder)."
    assert shown["grade-all"] == "Grade a whole class of submissions on every core."


def test_a_commands_own_help_keeps_its_docstring():
    out = " ".join(CliRunner().invoke(cli, ["check", "--help"]).output.split())
    assert "Check the answers in FILE (an answers.toml from chainrule generate, or a folder of them)." in out
