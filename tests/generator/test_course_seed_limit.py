"""A course seed fits a TOML integer (trial 16, item 4): ``generate --seed`` took integers of any
size and wrote them into answers.toml, where the TOML specification allows only 64-bit signed
integers (2**63 - 1 at most), and into manifest.json. ``generate`` (and ``--update``, the same
option) and ``notebook --seed`` refuse a seed outside 0..2**63-1 in one sentence, exit 2, and so
does the library's ``generate``; negative seeds were refused before and still are.

The bound is written out here as the TOML specification gives it, never taken from the kit."""

from __future__ import annotations

import json

import pytest

from chainrule_core.errors import ChainruleUsageError
from tests.generator.test_generate_cli import error_line, run, tomllib

INT64_MAX = 9223372036854775807        # TOML: integers are 64-bit signed
TOO_BIG = ["9223372036854775808", "123456789012345678901234567890"]


@pytest.mark.parametrize("seed", TOO_BIG + ["-1"])
def test_generate_refuses_a_seed_no_toml_integer_holds(tmp_path, seed):
    out = tmp_path / "o"
    result = run("generate", "--seed", seed, "--count", "1", "--families", "loss_values", "--format", "md",
                 "--out", str(out))
    assert result.exit_code == 2, result.output
    assert error_line(result) == (f"Error: Invalid value for '--seed': {seed} is not in the range "
                                  f"0<=x<={INT64_MAX}.")
    assert not out.exists()


def test_generate_update_refuses_it_too(tmp_path):
    out = tmp_path / "o"
    result = run("generate", "--update", "--seed", TOO_BIG[0], "--out", str(out))
    assert result.exit_code == 2, result.output
    assert error_line(result) == (f"Error: Invalid value for '--seed': {TOO_BIG[0]} is not in the range "
                                  f"0<=x<={INT64_MAX}.")


def test_the_largest_seed_makes_a_set_whose_answers_file_is_valid_toml(tmp_path):
    out = tmp_path / "o"
    result = run("generate", "--seed", str(INT64_MAX), "--count", "1", "--families", "loss_values",
                 "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    answers = tomllib.loads((out / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"))
    assert answers["chainrule"]["course_seed"] == INT64_MAX
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["course_seed"] == INT64_MAX


def test_the_library_generate_refuses_it_before_writing(tmp_path):
    from generator.worksheets import generate

    with pytest.raises(ChainruleUsageError) as info:
        generate(tmp_path / "o", seed=INT64_MAX + 1, count=1, families=["loss_values"], formats=["md"])
    assert str(info.value) == (f"Seed {INT64_MAX + 1} is not valid; use a whole number from 0 to {INT64_MAX} "
                               "(answers.toml keeps it as a 64-bit TOML integer).")
    assert not (tmp_path / "o").exists()


def test_notebook_refuses_a_course_seed_no_toml_integer_holds(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\n", encoding="utf-8")
    out = tmp_path / "nb"
    result = run("notebook", "--students", str(roster), "--seed", TOO_BIG[0], "--out", str(out))
    assert result.exit_code == 2, result.output
    assert error_line(result) == (f"Error: Invalid value for '--seed': {TOO_BIG[0]} is not in the range "
                                  f"0<=x<={INT64_MAX}.")
    assert not out.exists()
