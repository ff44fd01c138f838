"""An --out that cannot be used is named in words, never by the kit's internal files (a new
user's trial, session 8: "Directory 'afile' is a file.", "Cannot write
'/sys/kernel/cr/.chainrule-generate.journal'", "Cannot access '/sys/kernel/.chainrule-release-e0p8aase'")."""

import os

import pytest
from click.testing import CliRunner

from chainrule.cli import cli

COMMANDS = {
    "generate": ["generate", "--count", "1", "--format", "md"],
    "release": ["release", "--modules", "activations", "--hidden-seeds", "0"],
    "notebook": ["notebook"],
    "grade-all": ["grade-all", "subs"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_given_as_out_is_refused_in_words(tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    result = CliRunner().invoke(cli, COMMANDS[command] + ["--out", str(afile)])
    assert result.exit_code == 2
    assert (f"'{afile}' is a file, not a folder; give a folder (it is made if it does not exist)."
            in result.stderr)
    assert afile.read_text() == "mine"


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs a folder no one may write (Linux /sys)")
def test_an_out_that_cannot_be_written_is_named_not_an_internal_file():
    generate = CliRunner().invoke(cli, COMMANDS["generate"] + ["--out", "/sys/kernel/chainrule-x"])
    assert generate.exit_code == 1
    assert generate.stderr.startswith("Error: Cannot write into the output folder '/sys/kernel/chainrule-x': ")
    assert ".chainrule" not in generate.stderr and "Traceback" not in generate.stderr
    release = CliRunner().invoke(cli, COMMANDS["release"] + ["--out", "/sys/kernel/chainrule-x"])
    assert release.exit_code == 1
    assert release.stderr.startswith("Error: Cannot write the release to '/sys/kernel/chainrule-x': ")
    assert ".chainrule-release-" not in release.stderr
