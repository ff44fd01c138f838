"""The CLI shell: version, help, list, unknown commands, lazy loading."""

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from chainrule_core import __version__
from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, qualified_names
from chainrule_core.errors import ChainruleError, ChainruleUsageError


def run(*args):
    return CliRunner().invoke(cli, list(args), prog_name="chainrule")


def test_cli_version_prints_the_package_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"chainrule, version {__version__}\n"


def test_cli_list_shows_every_contract_function_grouped_by_module():
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Contract functions (52) with their default points (68 in all), as module.function:"
    shown = [line.split() for line in lines if line.startswith("    ")]
    assert [name for name, _points in shown] == qualified_names()
    # grouped: each module header (with its points) comes before its functions
    for module, names in CONTRACT.items():
        header = next(i for i, line in enumerate(lines) if line.split()[:1] == [module])
        assert lines[header + 1].split()[0] == f"{module}.{names[0]}"


def test_contract_has_52_functions_in_8_modules():
    assert len(CONTRACT) == 8
    assert len(qualified_names()) == 52
    assert len(set(qualified_names())) == 52


def test_cli_unknown_command_suggests_the_closest_one():
    result = run("lsit")
    assert result.exit_code == 2
    assert "Error: Unknown command 'lsit'. Did you mean 'list'? (chainrule --help lists the commands)" in result.output


def test_cli_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    assert "list" in result.output


def test_cli_list_does_not_import_sympy_or_jinja2():
    code = (
        "import sys\n"
        "from chainrule.cli import main\n"
        "try:\n"
        "    main(['list'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = [m for m in ('sympy', 'jinja2') if m in sys.modules]\n"
        "sys.stderr.write(repr(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr == "[]"



@pytest.fixture
def demo_command(monkeypatch):
    """Register a throwaway subcommand ``demo`` whose body is the function passed in."""
    from chainrule import cli as cli_module

    def register(body):
        command = click.command("demo")(body)
        module = type(sys)("tests_demo_module")
        module.demo = command
        monkeypatch.setitem(sys.modules, "tests_demo_module", module)
        monkeypatch.setitem(cli_module.COMMANDS, "demo", "tests_demo_module:demo")
        monkeypatch.setattr(cli_module.LazyGroup, "_available", staticmethod(lambda name: True))

    return register


def test_cli_usage_error_from_a_subcommand_shows_the_subcommands_usage(demo_command):
    def demo():
        raise ChainruleUsageError("Unknown thing 'x'; valid are 'a' and 'b'.")

    demo_command(demo)
    result = run("demo")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Usage: chainrule demo [OPTIONS]"
    assert result.output.splitlines()[-1] == "Error: Unknown thing 'x'; valid are 'a' and 'b'."


def test_cli_failed_operation_is_one_line_with_exit_1(demo_command):
    def demo():
        raise ChainruleError("Cannot read 'roster.csv': no such file.")

    demo_command(demo)
    result = run("demo")
    assert result.exit_code == 1
    assert result.output == "Error: Cannot read 'roster.csv': no such file.\n"


def test_cli_file_system_error_is_a_failed_operation_not_an_internal_error(demo_command):
    def demo():
        open("/nonexistent-dir-for-chainrule/x.txt", "w")

    demo_command(demo)
    result = run("demo")
    assert result.exit_code == 1
    assert result.output == "Error: Cannot access '/nonexistent-dir-for-chainrule/x.txt': No such file or directory.\n"


def test_cli_unexpected_exception_is_one_line_unless_debug(demo_command):
    def demo():
        raise KeyError("boom")

    demo_command(demo)
    result = run("demo")
    assert result.exit_code == 1
    assert result.output == "Error: internal error: KeyError: 'boom' (rerun with --debug for the traceback)\n"
    debug = run("--debug", "demo")
    assert isinstance(debug.exception, KeyError)


@pytest.mark.parametrize("command", ["grade", "check", "list"])
def test_debug_after_the_command_says_where_it_goes(command):
    """Trial 15: `chainrule grade --debug` said only "No such option '--debug'"."""
    result = run(command, "--debug")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: No such option '--debug' for {command}: --debug is chainrule's own and goes before the command "
        f"(chainrule --debug {command} ...), or set CHAINRULE_DEBUG=1.")
    # another unknown option keeps click's own sentence and suggestion
    assert run("grade", "--verbos").output.splitlines()[-1] == "Error: No such option '--verbos'. Did you mean '--verbose'?"


def test_a_command_whose_import_finds_a_module_missing_is_left_out_and_says_so(monkeypatch, tmp_path):
    """A package a command imports but ``NEEDS`` does not name: --help leaves the command out
    (no traceback) and the command asked for by name says what to install (trial 19c)."""
    from chainrule import cli as cli_module

    (tmp_path / "tests_needs_more.py").write_text("import chainrule_no_such_package\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli_module.COMMANDS, "demo", "tests_needs_more:demo")
    monkeypatch.setattr(cli_module.LazyGroup, "failed_imports", {}, raising=False)
    helped = run("--help")
    assert helped.exit_code == 0, helped.output
    assert "demo" not in helped.output and "list" in helped.output
    result = run("demo")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: This install of chainrule does not include the demo command: it needs chainrule_no_such_package, "
        "which is not installed (pip install chainrule_no_such_package).")
