"""chainrule_core.suggest and chainrule_core.progress, and their use by the CLI."""
import io

from click.testing import CliRunner

from chainrule.cli import COMMANDS, cli
from chainrule_core.progress import Progress
from chainrule_core.suggest import closest, did_you_mean, suggestion


def test_did_you_mean_suggests_the_closest_name_or_nothing():
    assert did_you_mean("grde", ["list", "grade", "check"]) == " Did you mean 'grade'?"
    assert did_you_mean("zzzz", ["list", "grade", "check"]) == ""
    assert closest("sigmod", ["sigmoid", "tanh"]) == "sigmoid"
    assert closest("x", []) is None
    assert suggestion(None) == ""


def test_cli_suggests_only_commands_that_exist():
    result = CliRunner().invoke(cli, ["gradeall"])
    assert result.exit_code == 2
    assert "Unknown command 'gradeall'. Did you mean 'grade-all'?" in result.stderr
    result = CliRunner().invoke(cli, ["releas"])
    assert "Unknown command 'releas'. Did you mean 'release'?" in result.stderr


def test_every_registered_command_exists():
    import importlib

    for name, target in COMMANDS.items():
        module, attr = target.split(":")
        assert getattr(importlib.import_module(module), attr).name == name


def test_grade_help_states_the_grader_defaults_and_formats():
    from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_SEED, DEFAULT_TIMEOUT
    from grader.reports import FORMATS

    out = CliRunner().invoke(cli, ["grade", "--help"], terminal_width=200).output
    assert f"(default {DEFAULT_TIMEOUT:g})" in out and f"(default {DEFAULT_MEMORY_MB})" in out
    assert f"default {DEFAULT_SEED}" in out
    assert "[text|json|gradescope|junit|markdown]" in out
    assert FORMATS == ("text", "json", "gradescope", "junit", "markdown")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_below_min_total_and_context_manager_clear(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    with Progress("checking", min_total=3) as progress:
        progress(1, 2, "a.toml")
    assert term.getvalue() == ""
    with Progress("checking") as progress:
        progress(1, 2)
    assert term.getvalue() == "\rchecking 1/2\r" + " " * 12 + "\r"
