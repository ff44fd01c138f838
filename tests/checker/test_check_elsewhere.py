"""A wrong answer that is the value of another blank or of a step of the key (trial 17a,
finding 4: o_1 and o_2 swapped, h_2 where h_1 belongs) is named as such on open and graded
sheets ("this is the value of o_2 (part d)", "this is the value of h_2"), never for 0, 1, a
given or a value of two significant digits, and never on a practice sheet (its own check or
a class check): generated sheets, filled with the key's values, checked through the CLI."""

import re
import shutil

import pytest

from _check_helpers import fill, run

from chainrule_core import secret as course_secret
from checker import check
from generator import core
from generator.numbers import format_number

FAMILIES = ("forward_pass", "output_update", "initialization")
TABLES = {family: f"p{i}_{family}" for i, family in enumerate(FAMILIES, start=1)}
SEED = 2024
COUNT = 4


@pytest.fixture(scope="module")
def made(tmp_path_factory, secret_file):
    root = tmp_path_factory.mktemp("elsewhere")
    small = ["--families", ",".join(FAMILIES), "--count", str(COUNT), "--format", "md", "-j", "1"]
    for name, extra in (("open", []), ("ko", ["--lang", "ko"]), ("graded", ["--secret-file", secret_file]),
                        ("practice", ["--practice"])):
        result = run("generate", "--out", root / name, *small, *extra)
        assert result.exit_code == 0, result.output
    return root


def problems(which, secret_file, student="student-001"):
    secret = course_secret.load(secret_file) if which == "graded" else None
    return {f: core.make_problem(f, SEED, student, 0, secret=secret) for f in FAMILIES}


def two_outputs(which, secret_file):
    """The first student whose forward pass has two outputs, and its blanks."""
    for i in range(1, COUNT + 1):
        student = f"student-{i:03d}"
        q = {x.key: x for x in problems(which, secret_file, student)["forward_pass"].questions}
        if "o_2" in q:
            return student, q
    raise AssertionError(f"no forward pass of two outputs among {COUNT} students")


def shown(q):
    return str(int(q.answer)) if q.kind == "integer" else format_number(q.answer)


def filled(made, which, tmp_path, secret_file, changes, student="student-001"):
    """The student's answers.toml with every blank right, then ``changes`` ({(family, key):
    written}) written over them."""
    path = tmp_path / f"{which}.toml"
    shutil.copy(made / which / "students" / student / "answers.toml", path)
    values = {}
    for family, problem in problems(which, secret_file, student).items():
        for q in problem.questions:
            values[(TABLES[family], q.key)] = f'"{q.answer if q.kind == "choice" else shown(q)}"'
    for (family, key), written in changes.items():
        values[(TABLES[family], key)] = f'"{written}"'
    fill(path, values)
    return path


def line(output, key):
    found = [x for x in output.splitlines() if re.match(rf"^  \S [a-z]+\) {re.escape(key)}( =|:|$)", x)]
    assert len(found) == 1, output
    return found[0]


def checked(made, which, path, secret_file, *extra):
    args = ["check", path, *extra]
    if which == "graded":
        args += ["--secret-file", secret_file, "--manifest", made / which / "manifest.json"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("which", ["open", "graded"])
def test_swapped_outputs_are_named_as_each_others_values(made, tmp_path, secret_file, which):
    student, q = two_outputs(which, secret_file)
    path = filled(made, which, tmp_path, secret_file,
                  {("forward_pass", "o_1"): shown(q["o_2"]), ("forward_pass", "o_2"): shown(q["o_1"])}, student)
    out = checked(made, which, path, secret_file)
    letters = {k: "abcdefghij"[list(q).index(k)] for k in q}
    assert line(out, "o_1").endswith(f': this is the value of o_2 (part {letters["o_2"]})'), out
    assert line(out, "o_2").endswith(f': this is the value of o_1 (part {letters["o_1"]})'), out
    assert line(out, "o_1").startswith("  \u2717")
    # never the blank's own answer
    assert shown(q["o_1"]) not in line(out, "o_1").replace(f'"{shown(q["o_2"])}"', "")


def test_the_korean_sheet_names_the_value_in_korean(made, tmp_path, secret_file):
    student, q = two_outputs("open", secret_file)
    path = filled(made, "ko", tmp_path, secret_file, {("forward_pass", "o_1"): shown(q["o_2"])}, student)
    out = checked(made, "ko", path, secret_file)
    assert line(out, "o_1").endswith(f': 이 값은 o_2({"abcdefghij"[list(q).index("o_2")]} 문항)의 값이다'), out


def test_an_intermediate_step_of_the_key_is_named(made, tmp_path, secret_file):
    """dz/dw of an output weight is the hidden output it leaves; the other hidden unit's
    value there is named (trial 17a: h_2 for dz_3/dw_7)."""
    problem = problems("open", secret_file)["output_update"]
    step = check.steps_of(problem)
    values = {s.name: s.value for s in problem.steps if s.formula is not None}
    asked = next(q for q in problem.questions if q.key.startswith("dz_"))
    hidden = [n for n in values if re.fullmatch(r"h_\d", n)]
    mine = next(h for h in hidden if values[h] == asked.answer)
    other = next(h for h in hidden if h != mine and h not in step.values())
    path = filled(made, "open", tmp_path, secret_file, {("output_update", asked.key): format_number(values[other])})
    out = checked(made, "open", path, secret_file)
    assert line(out, asked.key).endswith(f": this is the value of {other}"), out


def test_fewer_digits_name_the_value_at_their_digits_and_two_are_too_few(made, tmp_path, secret_file):
    student, q = two_outputs("open", secret_file)
    o_2 = float(q["o_2"].answer)
    four, two = f"{o_2:.4g}", f"{o_2:.2g}"
    path = filled(made, "open", tmp_path, secret_file, {("forward_pass", "o_1"): four}, student)
    out = checked(made, "open", path, secret_file)
    letter = "abcdefghij"[list(q).index("o_2")]
    assert line(out, "o_1").endswith(f": to the 4 significant digits you gave, this is the value of o_2 (part {letter})")
    path = filled(made, "open", tmp_path, secret_file, {("forward_pass", "o_1"): two}, student)
    assert "value of" not in line(checked(made, "open", path, secret_file), "o_1")


def test_zero_one_a_given_and_two_digit_values_are_never_named(made, tmp_path, secret_file):
    problem = problems("open", secret_file)["forward_pass"]
    givens = {g.name: g.value for g in problem.givens}
    for written in ("0", "1", format_number(givens["t_1"]), format_number(givens["w_1"]), "0.25"):
        path = filled(made, "open", tmp_path, secret_file, {("forward_pass", "o_1"): written})
        assert "value of" not in line(checked(made, "open", path, secret_file), "o_1"), written


def test_equal_values_are_named_together(made, tmp_path, secret_file):
    """Initialization's equal weights give equal gradients: one value, several names."""
    problem = problems("open", secret_file)["initialization"]
    q = {x.key: x for x in problem.questions}
    path = filled(made, "open", tmp_path, secret_file, {("initialization", "dE_dv_1_1"): shown(q["dE_dw_1_1"])})
    said = line(checked(made, "open", path, secret_file), "dE_dv_1_1")
    assert ": this is the value of dE_dw_1_1 (part " in said and " and of dE_dw_1_2 (part " in said, said


def test_a_named_mistake_comes_first(made, tmp_path, secret_file):
    """o_1 without the sigmoid is z_3, a step of the key: the mistake is named, not the step."""
    problem = problems("open", secret_file)["forward_pass"]
    z = next(m for m in problem.mistakes if m.question == "o_1" and m.name == "no_activation")
    path = filled(made, "open", tmp_path, secret_file, {("forward_pass", "o_1"): format_number(z.value)})
    said = line(checked(made, "open", path, secret_file), "o_1")
    assert z.hint[0] in said and "value of" not in said, said


def test_a_practice_sheet_learns_nothing_from_it_in_either_check(made, tmp_path, secret_file):
    student, q = two_outputs("practice", secret_file)
    path = filled(made, "practice", tmp_path, secret_file,
                  {("forward_pass", "o_1"): shown(q["o_2"]), ("forward_pass", "o_2"): shown(q["o_1"])}, student)
    own = checked(made, "practice", path, secret_file)
    klass = checked(made, "practice", path, secret_file, "--manifest", made / "practice" / "manifest.json")
    for key in ("o_1", "o_2"):
        assert "value of" not in line(own, key) and "value of" not in line(klass, key), (own, klass)
        assert line(own, key) == line(klass, key)


def test_another_blank_is_named_only_when_that_tells_the_student_nothing_new(made, tmp_path, secret_file):
    """Review 17: naming another blank tells its right value, so o_2 is named in o_1 only when
    the student has o_2 right too, or wrote o_1's value there (a swap, above); with o_2 wrong
    (not a swap), o_1 is just not the right value."""
    student, q = two_outputs("graded", secret_file)
    path = filled(made, "graded", tmp_path, secret_file, {("forward_pass", "o_1"): shown(q["o_2"])}, student)
    assert "value of o_2" in line(checked(made, "graded", path, secret_file), "o_1")     # o_2 right there
    path = filled(made, "graded", tmp_path, secret_file,
                  {("forward_pass", "o_1"): shown(q["o_2"]), ("forward_pass", "o_2"): "0.123456789"}, student)
    out = checked(made, "graded", path, secret_file)
    assert "value of" not in line(out, "o_1") and line(out, "o_1").startswith("  \u2717"), out
