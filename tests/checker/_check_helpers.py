"""Helpers of the checker tests: run the CLI, fill answers into an answers.toml, read a key's
printed answers."""

import re

from click.testing import CliRunner

from chainrule.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def fill(path, values):
    """Write answers into an answers.toml: {(problem key, question key): TOML value}."""
    text = path.read_text(encoding="utf-8")
    for (table, key), value in values.items():
        start = text.index(f"\n[{table}]\n")
        match = re.compile(rf"^{re.escape(key)} = .*$", re.M).search(text, start)
        assert match, (table, key)
        text = text[: match.start()] + f"{key} = {value}" + text[match.end():]
    path.write_text(text, encoding="utf-8")


def printed_answers(folder, student="student-001"):
    """{question key: the printed answer} from the Markdown answer key's list of answers."""
    text = (folder / "keys" / student / "key.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^- [a-z]\) `(\w+)`: \$([-0-9.e+]+)\$$", text, re.M))
