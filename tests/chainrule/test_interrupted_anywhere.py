"""Ctrl-C at any moment of a command is one line and exit status 130, as the README promises
(trial 18a, finding 3): never click's bare "Aborted!" with status 1. ``generate`` says it in
its own words from its first line on (before its class starts: nothing written); a Ctrl-C no
command says itself (while the kit is imported and the arguments read, or in a command
without words of its own) is said by ``chainrule.cli``."""

import pytest

import chainrule.cli as chainrule_cli
from tests.generator.test_check import run  # the CLI in-process, stderr apart


def stopped(*args, **kwargs):
    raise KeyboardInterrupt


def one_line(result, line):
    assert result.exit_code == 130, (result.output, result.stderr)
    assert result.stderr.splitlines() == [line]     # no "Aborted!", no traceback
    assert result.stdout == ""


@pytest.mark.parametrize("extra, how", [
    ((), "run the same command again to finish (or --force to start over)"),
    (("--force",), "run it again without --force to finish (with --force it starts over)"),
])
def test_generate_interrupted_while_reading_its_roster(tmp_path, monkeypatch, extra, how):
    from generator import worksheets

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Kim\n", encoding="utf-8")
    monkeypatch.setattr(worksheets, "read_roster", stopped)
    result = run("generate", "--students", roster, "--out", tmp_path / "o", *extra)
    one_line(result, f"Interrupted before any sheet was made; {how}.")
    assert not (tmp_path / "o").exists()


def test_generate_interrupted_while_its_arguments_are_read(tmp_path, monkeypatch):
    from chainrule.commands.generate import generate_command

    out = next(p for p in generate_command.params if p.name == "out")
    monkeypatch.setattr(out.type, "convert", stopped)
    one_line(run("generate", "--out", tmp_path / "o"),
             "Interrupted before chainrule generate started; nothing was written.")


def test_interrupted_while_the_kit_is_imported(monkeypatch, capsys):
    monkeypatch.setattr(chainrule_cli, "_define", stopped)
    with pytest.raises(SystemExit) as ended:
        chainrule_cli.main(["generate", "--count", "2"])
    assert ended.value.code == 130
    assert capsys.readouterr().err == "Interrupted before chainrule generate started; nothing was written.\n"


def test_check_release_and_grade_all_interrupted_in_their_work(tmp_path, monkeypatch):
    from checker import check
    import chainrule.release
    from grader import batch

    answers = tmp_path / "answers.toml"
    answers.write_text("", encoding="utf-8")
    monkeypatch.setattr(check, "check_all", stopped)
    one_line(run("check", answers), "Interrupted before chainrule check finished.")
    monkeypatch.setattr(chainrule.release, "build", stopped)
    one_line(run("release", "--out", tmp_path / "r"), "Interrupted before chainrule release finished.")
    (tmp_path / "class").mkdir()
    monkeypatch.setattr(batch, "discover", stopped)
    one_line(run("grade-all", tmp_path / "class", "--out", tmp_path / "g"), "Interrupted before chainrule grade-all finished.")
