"""A class check never trusts a practice file's hashes.

Session 9's attack: the salt and the hashing scheme are in every practice answers.toml and in
the student copy (checker.practice), so a student answered every blank "1", wrote the hashes
of "1" in place of the real ones, and `chainrule check --manifest ... --gradebook` gave 100%.
With --manifest (the instructor's class check), a practice sheet's problems are now rebuilt
and judged, at the practice precision; the file's hashes are left out.
"""

import csv
import re
import shutil

import pytest

from checker import practice
from tests.checker._check_helpers import fill, run


@pytest.fixture(scope="module")
def practice_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("forged")
    result = run("generate", "--out", root / "set", "--count", "1", "--format", "md", "--practice",
                 "--families", "forward_pass")
    assert result.exit_code == 0, result.output
    return root / "set"


def _forged(practice_set, tmp_path):
    """The student's file with every blank "1" and each blank's hash made the hash of 1."""
    path = tmp_path / "answers.toml"
    shutil.copy(practice_set / "students" / "student-001" / "answers.toml", path)
    text = path.read_text()
    salt = re.search(r'\[chainrule\.practice\.p1_forward_pass\]\nsalt = "([0-9a-f]+)"', text).group(1)
    keys = re.findall(r'^(\w+) = \{kind = "number"', text, re.M)
    assert keys == ["z_1", "h_1", "o_1", "o_2", "E"]
    for key in keys:
        forged = practice.number_hash(salt, key, practice.Fraction(1))
        text = re.sub(rf'^({key} = \{{kind = "number", digits = 6, hash = )"[0-9a-f]+"', rf'\1"{forged}"', text,
                      flags=re.M)
    path.write_text(text)
    fill(path, {("p1_forward_pass", key): '"1"' for key in keys})
    return path


def test_forged_hashes_fool_only_the_students_own_check(practice_set, tmp_path):
    path = _forged(practice_set, tmp_path)
    home = run("check", path)
    assert home.stdout.splitlines()[-1] == "5 of 5 correct (0 wrong, 0 not answered, 0 invalid)"
    gradebook = tmp_path / "grades.csv"
    klass = run("check", path, "--manifest", practice_set / "manifest.json", "--gradebook", gradebook)
    assert klass.stdout.splitlines()[-1] == "0 of 5 correct (5 wrong, 0 not answered, 0 invalid)", klass.output
    with open(gradebook, newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["id"] == "student-001" and float(row["total"]) == 0


def test_the_class_check_of_a_practice_sheet_judges_it_at_the_practice_precision(practice_set, tmp_path):
    """Right answers written to 6 significant digits (all the student's own check asks) are
    right in the class check too."""
    from generator import core

    path = tmp_path / "answers.toml"
    shutil.copy(practice_set / "students" / "student-001" / "answers.toml", path)
    variant = re.search(r'variant = "(\w+)"', path.read_text()).group(1)
    problem = core.make_problem("forward_pass", 2024, "student-001")
    assert problem.variant == variant
    fill(path, {("p1_forward_pass", q.key): f'"{float(q.answer):.6g}"' for q in problem.questions})
    assert run("check", path).stdout.splitlines()[-1] == "5 of 5 correct (0 wrong, 0 not answered, 0 invalid)"
    klass = run("check", path, "--manifest", practice_set / "manifest.json")
    assert klass.exit_code == 0, klass.output
    assert klass.stdout.splitlines()[-1] == "5 of 5 correct (0 wrong, 0 not answered, 0 invalid)"
