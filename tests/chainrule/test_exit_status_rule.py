"""README's rule for exit statuses (trial 15, item 7): an output that exists is a failed
operation (1, --force overrides it); a file or folder to read that is missing or not what it
should be (the set generate --update reads among them) is a bad invocation (2). Checked here
for each command that writes, as a user meets it."""

from click.testing import CliRunner

from chainrule.cli import cli
from tests.grader.conftest import SOLUTIONS


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="chainrule")


def test_an_existing_output_is_a_failed_operation(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("mine\n", encoding="utf-8")
    taken = tmp_path / "taken.txt"
    taken.write_text("mine\n", encoding="utf-8")
    answers = tmp_path / "answers.toml"
    assert run("generate", "--out", tmp_path / "set", "--count", "1", "--families", "loss_values",
               "--format", "md").exit_code == 0
    answers.write_bytes((tmp_path / "set" / "students" / "student-001" / "answers.toml").read_bytes())
    for args in (("generate", "--out", full, "--count", "1"), ("release", "--out", full),
                 ("notebook", "--out", full), ("grade", SOLUTIONS, "--only", "activations.relu", "-o", taken),
                 ("check", answers, "-o", taken), ("check", answers, "--gradebook", taken),
                 ("grade-all", tmp_path / "set" / "students", "--out", full)):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "--force" in result.output, (args, result.output)
    assert taken.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in full.iterdir() if not p.name.startswith(".")) == ["x.txt"]   # grade-all's lock aside


def test_a_missing_input_is_a_bad_invocation(tmp_path):
    (tmp_path / "empty").mkdir()
    for args in (("generate", "--update", "--out", tmp_path / "empty"),     # no manifest.json: no set to update
                 ("generate", "--update", "--out", tmp_path / "none"),
                 ("generate", "--students", tmp_path / "none.csv", "--out", tmp_path / "a"),
                 ("check", tmp_path / "none.toml"),
                 ("grade", tmp_path / "none"),
                 ("grade-all", tmp_path / "none", "--out", tmp_path / "b")):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
