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
    with open(gradebook, encoding="utf-8-sig", newline="") as handle:
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
    assert ("Practice sheet, rebuilt by the kit (its hashes are not read): judged to 6 significant digits (one "
            "unit either way in the last), as the student's own check judges it; no credit is carried forward."
            in klass.stdout)


def test_the_class_check_judges_a_practice_sheet_by_the_students_own_rule(practice_set, tmp_path):
    """Session 9's second attack: one unit off in the 6th digit is right in the student's own
    check (the practice rule: the answer rounded, or a neighbour in the last digit) but was
    wrong in the class check; and the class check carried credit the student's check never
    gives."""
    from fractions import Fraction

    from checker.reading import round_units
    from generator import core

    problem = core.make_problem("forward_pass", 2024, "student-001")
    path = tmp_path / "answers.toml"
    shutil.copy(practice_set / "students" / "student-001" / "answers.toml", path)

    def off(q, units_off):
        units, scale = round_units(Fraction(str(float(q.answer))), 6)
        return f'"{float(Fraction(units + units_off) * Fraction(10) ** scale):.6g}"'

    fill(path, {("p1_forward_pass", q.key): off(q, 1) for q in problem.questions})
    home = run("check", path)
    klass = run("check", path, "--manifest", practice_set / "manifest.json")
    assert home.stdout.splitlines()[-1] == "5 of 5 correct (0 wrong, 0 not answered, 0 invalid)", home.output
    assert klass.stdout.splitlines()[-1] == home.stdout.splitlines()[-1], klass.output
    # z_1 three units off: wrong in both; h_1 = sigma(z_1) of that wrong z_1 earns nothing in either
    z_1, h_1 = problem.questions[0], problem.questions[1]
    assert (z_1.key, h_1.key) == ("z_1", "h_1")
    wrong_z = Fraction(off(z_1, 3).strip('"'))
    import math

    fill(path, {("p1_forward_pass", "z_1"): f'"{wrong_z}"',
                ("p1_forward_pass", "h_1"): f'"{1 / (1 + math.exp(-float(wrong_z))):.10f}"'})
    home = run("check", path)
    klass = run("check", path, "--manifest", practice_set / "manifest.json")
    assert "(1 wrong" in home.stdout.splitlines()[-1] or "(2 wrong" in home.stdout.splitlines()[-1], home.output
    assert klass.stdout.splitlines()[-1] == home.stdout.splitlines()[-1], klass.output
    assert "credit carried forward" not in klass.stdout


def test_a_practice_set_of_an_earlier_kit_is_named_for_what_it_is(tmp_path):
    """Before session 9 a practice set made with the secret had the graded variants: its class
    check is refused, and the message says why and what to do (not "the tables were edited")."""
    from chainrule_core.secret import fingerprint
    from generator import worksheets

    secret = b"0123456789abcdef0123456789abcdef"
    (tmp_path / "course.secret").write_bytes(secret + b"\n")
    plan = [("p1_forward_pass", "forward_pass", 0)]
    sheet = worksheets.build_sheet(worksheets.Student("s1"), 7, plan, secret=secret)     # the old key: the secret
    sheet.files = []
    fp = fingerprint(secret)
    path = tmp_path / "answers.toml"
    path.write_text(worksheets.answers_toml(sheet, 7, "en", None, mode="practice", fingerprint=fp))
    (tmp_path / "manifest.json").write_text(
        worksheets.manifest([sheet], 7, ["forward_pass"], ["md"], "en", None, None, mode="practice", fingerprint=fp))
    result = run("check", path, "--manifest", tmp_path / "manifest.json", "--secret-file", tmp_path / "course.secret")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: '{path}' is a practice sheet made with the course secret by a chainrule before practice sets got a "
        "key of their own: its variants are the graded sheets', so its student could check graded work with it; "
        "generate the practice set again (chainrule generate --practice --secret-file), nothing was judged.")
