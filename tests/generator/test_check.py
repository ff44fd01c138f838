"""``chainrule check`` end to end (CliRunner in tmp_path) and its judging rules.

Correct answers come from two places: the key's shown values (the regenerated problem's
exact answer printed by the worksheets' own number rule, as a student copies them), and,
for the worked example, values computed here in plain float arithmetic and the numbers
the seed notes print. Wrong answers are made by hand (rounded, sign flipped, garbled).
"""

import csv
import io
import json
import math
import re
import shutil
from fractions import Fraction

import pytest
from click.testing import CliRunner

try:
    import tomllib
except ImportError:  # Python < 3.11: setup.cfg installs the tomli backport
    import tomli as tomllib

from chainrule_core import __version__  # noqa: E402
from chainrule.cli import cli  # noqa: E402
from checker import answers_file, check, reading, report  # noqa: E402
from generator import core, registry  # noqa: E402
from generator.model import Question  # noqa: E402
from generator.numbers import format_number  # noqa: E402


def run(*args):
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args])


def error_line(result):
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")][0]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """One class set with every family (2 students), a Korean one and the worked example."""
    root = tmp_path_factory.mktemp("sheets")
    made = {}
    for name, extra in (
        ("all", ["--count", "2"]),
        ("ko", ["--count", "1", "--lang", "ko", "--families", "output_update,loss_values,batch_arithmetic"]),
        ("preset", ["--preset", "worked-example"]),
    ):
        result = run("generate", "--format", "md", "--out", root / name, *extra)
        assert result.exit_code == 0, result.output
        made[name] = root / name
    return made


def copy_answers(sheets, tmp_path, which="all", student="student-001", name="answers.toml"):
    source = sheets[which] / "students" / student / "answers.toml"
    target = tmp_path / name
    shutil.copyfile(source, target)
    return target


def fill(path, values):
    """Put ``values`` {(problem key, question key): TOML value text} into the blanks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    table = None
    done = set()
    for i, line in enumerate(lines):
        header = re.match(r"^\[([^\]]+)\]$", line)
        if header:
            table = header.group(1)
            continue
        blank = re.match(r'^(\w+) = ""$', line)
        if blank and (table, blank.group(1)) in values:
            lines[i] = f"{blank.group(1)} = {values[(table, blank.group(1))]}"
            done.add((table, blank.group(1)))
    assert done == set(values), set(values) - done
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def problems_of(path):
    """The file's problems as this kit makes them (seed, student, family, occurrence)."""
    meta = tomllib.loads(path.read_text(encoding="utf-8"))["chainrule"]
    out = {}
    for key in meta["problems"]:
        info = meta["variants"][key]
        out[key] = core.make_problem(info["family"], meta["course_seed"], meta["student_id"], info["occurrence"])
    return out


def shown_answer(question):
    """The answer as the key shows it (what a student copies)."""
    if question.kind == "choice":
        return question.answer
    if question.kind == "integer":
        return str(int(question.answer))
    return format_number(question.answer)


def key_values(path):
    return {
        (key, q.key): '"%s"' % shown_answer(q)
        for key, problem in problems_of(path).items()
        for q in problem.questions
    }


def refusal(path):
    """The one error line of a check that failed (exit 1)."""
    result = run("check", path)
    assert result.exit_code == 1, result.output
    return error_line(result)


def total_line(result):
    return [line for line in result.stdout.splitlines() if line.strip()][-1]


def question_line(result, key, problem):
    """The report line of question ``key`` of ``problem``, without its indent."""
    hits, current = [], None
    for line in result.stdout.splitlines():
        header = re.search(r"\((p\d+_\w+), (?:variant|변형) ", line)
        if header:
            current = header.group(1)
        elif re.match(rf"^  \S [a-z]+\) {re.escape(key)}\b", line) and current == problem:
            hits.append(line)
    assert len(hits) == 1, hits
    return hits[0][2:]


# --- all correct ---------------------------------------------------------------------

def test_check_key_values_of_every_family_are_all_correct(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    families = [info.family for info in problems_of(path).values()]
    assert families == registry.names()
    values = key_values(path)
    fill(path, values)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    n = len(values)
    assert total_line(result) == f"{n} of {n} correct (0 wrong, 0 not answered, 0 invalid)"
    assert "\u2713 a) z_1" in result.stdout
    assert "\u2717" not in result.stdout


def test_check_korean_sheet_reports_in_korean(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "ko")
    values = key_values(path)
    fill(path, values)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    n = len(values)
    assert total_line(result) == f"{n}문항 중 {n}문항 정답 (오답 0, 답하지 않음 0, 형식 오류 0)"
    assert result.stdout.splitlines()[0] == f"{path} 확인: 학생 student-001, 과정 시드 {core.DEFAULT_SEED}"


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _worked_example():
    """The seed notes' example by hand, in float64: forward pass, gradients, the step."""
    x1, x2, t1, t2, lr = 0.1, 0.2, 0.4, 0.6, 0.5
    w = dict(zip(range(1, 9), (0.3, 0.25, 0.4, 0.35, 0.45, 0.4, 0.7, 0.6)))

    def forward(w):
        z1, z2 = w[1] * x1 + w[2] * x2, w[3] * x1 + w[4] * x2
        h1, h2 = _sigmoid(z1), _sigmoid(z2)
        o1, o2 = _sigmoid(w[5] * h1 + w[6] * h2), _sigmoid(w[7] * h1 + w[8] * h2)
        return z1, h1, h2, o1, o2, ((t1 - o1) ** 2 + (t2 - o2) ** 2) / 2

    z1, h1, h2, o1, o2, E = forward(w)
    d3, d4 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    g = {5: d3 * h1, 6: d3 * h2, 7: d4 * h1, 8: d4 * h2}
    back1, back2 = (d3 * w[5] + d4 * w[7]) * h1 * (1 - h1), (d3 * w[6] + d4 * w[8]) * h2 * (1 - h2)
    g.update({1: back1 * x1, 2: back1 * x2, 3: back2 * x1, 4: back2 * x2})
    new = {i: w[i] - lr * g[i] for i in w}
    E_new = forward(new)[-1]
    values = {
        ("p1_forward_pass", "z_1"): z1, ("p1_forward_pass", "h_1"): h1, ("p1_forward_pass", "o_1"): o1,
        ("p1_forward_pass", "o_2"): o2, ("p1_forward_pass", "E"): E,
        ("p2_output_update", "dE_do_1"): o1 - t1, ("p2_output_update", "do_1_dz_3"): o1 * (1 - o1),
        ("p2_output_update", "dz_3_dw_5"): h1, ("p2_output_update", "dE_dw_5"): g[5],
        ("p2_output_update", "w_5_new"): new[5],
        ("p3_hidden_update", "dE_dh_1"): d3 * w[5] + d4 * w[7], ("p3_hidden_update", "dh_1_dz_1"): h1 * (1 - h1),
        ("p3_hidden_update", "dE_dw_1"): g[1], ("p3_hidden_update", "w_1_new"): new[1],
        ("p4_training_step", "E"): E, ("p4_training_step", "E_new"): E_new,
    }
    values.update({("p4_training_step", f"w_{i}_new"): new[i] for i in w})
    return values


def _eight(x):
    """The worksheets' rounding, written independently: 8 decimals in [0.01, 1), else 8 digits."""
    return "%.8f" % x if 0.01 <= abs(x) < 1 else "%.8g" % x


def test_check_worked_example_with_hand_computed_values_is_all_correct(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    values = {k: '"%s"' % _eight(v) for k, v in _worked_example().items()}
    assert values[("p2_output_update", "w_5_new")] == '"0.43703857"'  # the seed notes' number
    fill(path, values)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Checked {path}: preset worked-example"
    assert total_line(result) == "24 of 24 correct (0 wrong, 0 not answered, 0 invalid)"


def test_check_accepts_the_seed_notes_numbers_in_every_written_form(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {
        ("p1_forward_pass", "z_1"): '"2/25"',            # a fraction
        ("p1_forward_pass", "h_1"): '"  +0.51998934 "',  # sign and spaces
        ("p1_forward_pass", "o_1"): "0.60944600",        # a TOML float, no quotes
        ("p1_forward_pass", "E"): '"2.397190e-2"',       # scientific notation
        ("p2_output_update", "w_5_new"): '"0.43703857"',
        ("p3_hidden_update", "dE_dw_1"): '"8.0887538E-4"',
    })
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert total_line(result) == "6 of 24 correct (0 wrong, 18 not answered, 0 invalid)"
    for table, key in (("p1_forward_pass", "z_1"), ("p1_forward_pass", "h_1"), ("p1_forward_pass", "o_1"),
                       ("p1_forward_pass", "E"), ("p2_output_update", "w_5_new"), ("p3_hidden_update", "dE_dw_1")):
        assert question_line(result, key, table).startswith("\u2713 "), key


# --- wrong, not answered, invalid --------------------------------------------------------

def test_check_wrong_answers_get_hints_that_do_not_give_the_answer_away(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {
        ("p2_output_update", "w_5_new"): '"0.437"',         # rounded to 3 digits
        ("p2_output_update", "dE_dw_5"): '"0.02592401"',    # 8 digits, off from the 4th
        ("p2_output_update", "dE_do_1"): '"-0.20944600"',   # sign flipped
        ("p2_output_update", "do_1_dz_3"): '"0.5"',         # far off
        ("p2_output_update", "dz_3_dw_5"): '"-0.52"',       # sign flipped and rounded
    })
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert question_line(result, "w_5_new", "p2_output_update") == (
        '\u2026 e) w_5_new = "0.437": agrees to the 3 significant digits you gave; write more digits, '
        "rounded as the worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)"
    )
    assert question_line(result, "dE_dw_5", "p2_output_update") == (
        '\u2717 d) dE_dw_5 = "0.02592401": agrees to 4 significant digits, but not to the digits asked: if you '
        "rounded a value on the way (an activation, say), carry all its digits until the end"
    )
    assert question_line(result, "dE_do_1", "p2_output_update") == (  # a flipped sign here is a named mistake
        '\u2717 a) dE_do_1 = "-0.20944600": this is what you get with t_1 - o_1 for dE/do_1: the derivative of '
        "1/2 (t_1 - o_1)^2 with respect to o_1 is o_1 - t_1")
    assert question_line(result, "do_1_dz_3", "p2_output_update") == (
        '\u2717 b) do_1_dz_3 = "0.5": not the right value (an answer must agree to about 6 significant digits)'
    )
    assert question_line(result, "dz_3_dw_5", "p2_output_update") == (
        '\u2717 c) dz_3_dw_5 = "-0.52": wrong sign; apart from the sign, agrees to the 2 significant digits you gave; '
        "write more digits, rounded as the worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)"
    )
    assert total_line(result) == "0 of 24 correct (4 wrong, 1 with too few digits, 19 not answered, 0 invalid)"
    for secret in ("0.43703857", "0.02592286", "0.23802157", "0.51998934", "4370385", "2592286"):
        assert secret not in result.stdout, secret
    # the flipped sign echoes the student's own "-0.20944600"; the answer itself never shows
    assert not re.search(r"(?<!-)0\.209446", result.stdout)


def test_check_empty_and_unreadable_answers_are_not_wrong(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {
        ("p1_forward_pass", "z_1"): '"   "',
        ("p1_forward_pass", "h_1"): '"0,4.3"',
        ("p1_forward_pass", "o_1"): '"abc"',
        ("p1_forward_pass", "o_2"): '"0.66 0.67"',
        ("p1_forward_pass", "E"): "true",
        ("p2_output_update", "w_5_new"): '"1/0"',
        ("p2_output_update", "dE_do_1"): '"33%"',
        ("p2_output_update", "do_1_dz_3"): '"9.25 \\\\times 10^{-5}"',
        ("p2_output_update", "dz_3_dw_5"): '"3,000"',
        ("p2_output_update", "dE_dw_5"): '"-12,500.25"',
        ("p3_hidden_update", "dE_dh_1"): '"0,125"',
    })
    result = run("check", path)
    assert result.exit_code == 0, result.output
    accepted = "write one number such as 0.165, -2.5e-3 or 1/3"
    comma = " (a decimal point, not a comma)"
    assert question_line(result, "z_1", "p1_forward_pass") == "\u00b7 a) z_1: not answered"
    assert question_line(result, "h_1", "p1_forward_pass") == f'? b) h_1 = "0,4.3": "0,4.3" is not a number; {accepted}{comma}'
    assert question_line(result, "o_1", "p1_forward_pass") == f'? c) o_1 = "abc": "abc" is not a number; {accepted}'
    assert question_line(result, "o_2", "p1_forward_pass") == f'? d) o_2 = "0.66 0.67": "0.66 0.67" is not a number; {accepted}'
    assert question_line(result, "E", "p1_forward_pass") == f"? e) E = true: true is not a number; {accepted}"
    # the hint fits what was written (a new user's trial: every one said "not a comma")
    assert question_line(result, "dE_do_1", "p2_output_update").endswith(
        f'"33%" is not a number; {accepted} (a fraction, not a percentage: 0.33, not 33%)')
    assert question_line(result, "do_1_dz_3", "p2_output_update").endswith(
        f"{accepted} (a power of ten as e: 9.25e-5 for 9.25 × 10^-5)")
    # digits grouped by commas: three thousand, or 3 with a decimal comma ("a decimal point, not
    # a comma" alone would have made it 3.000): the student's own number both ways
    assert question_line(result, "dz_3_dw_5", "p2_output_update").endswith(
        f'"3,000" is not a number; {accepted} (no comma in a number: 3000 if the comma groups thousands, 3.000 if '
        "it is a decimal point)")
    assert question_line(result, "dE_dw_5", "p2_output_update").endswith(
        f"{accepted} (no comma in a number: -12500.25)")
    assert question_line(result, "dE_dh_1", "p3_hidden_update").endswith(f"{accepted}{comma}")  # 0.125
    assert total_line(result) == "0 of 24 correct (0 wrong, 14 not answered, 10 invalid)"


def _question_of(path, kind):
    for key, problem in problems_of(path).items():
        for q in problem.questions:
            if q.kind == kind:
                return key, q
    raise AssertionError(f"no {kind} question")


def test_check_choices_by_key_ignoring_case_and_unknown_keys_are_invalid(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    table, question = _question_of(path, "choice")
    keys = list(question.choices)
    other = next(k for k in keys if k != question.answer)
    fill(path, {(table, question.key): '"  %s "' % question.answer.upper()})
    result = run("check", path)
    assert question_line(result, question.key, table).startswith("\u2713 ")

    path = copy_answers(sheets, tmp_path, name="b.toml")
    fill(path, {(table, question.key): '"%s"' % other})
    result = run("check", path)
    assert question_line(result, question.key, table).endswith(f'{question.key} = "{other}": not the right choice')

    path = copy_answers(sheets, tmp_path, name="c.toml")
    fill(path, {(table, question.key): '"maybe"'})
    result = run("check", path)
    assert question_line(result, question.key, table) == (
        f'? {question_line(result, question.key, table)[2:4]} {question.key} = "maybe": "maybe" is not one of the choices; '
        f"write one of {', '.join(keys)}"
    )


def test_check_integers_exactly(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    table, question = _question_of(path, "integer")
    n = int(question.answer)
    for written, start, end in (
        (f"{n}", "\u2713 ", question.key),
        (f'"{n}.0"', "\u2713 ", question.key),
        (f'"{n}.5"', "\u2717 ", "not a whole number; this question asks for an integer"),
        (f"{n + 1}", "\u2717 ", "not the right number"),
    ):
        target = copy_answers(sheets, tmp_path, name=f"{abs(hash(written))}.toml")
        fill(target, {(table, question.key): written})
        line = question_line(run("check", target), question.key, table)
        assert line.startswith(start) and line.endswith(end), (written, line)


def test_check_notes_keys_that_are_not_questions(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    text = path.read_text(encoding="utf-8").replace('\nz_1 = ""', '\nz_1 = ""\nz1 = "0.08"\nweight = "1"')
    path.write_text(text + '\n[p9]\nx = "1"\n', encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # a key's note stands right under its problem's questions, where the student looks
    start = lines.index("  \u00b7 e) E: not answered")
    assert lines[start + 1:start + 3] == [
        "  Note: unknown key 'z1' (did you mean 'z_1'?) in [p1_forward_pass]; it is not checked",
        "  Note: unknown key 'weight' in [p1_forward_pass] (not checked); its keys are z_1, h_1, o_1, o_2, E",
    ]
    assert lines[-3] == (
        "Note: the file has no problem 'p9' (ignored); its problems are p1_forward_pass, p2_output_update, "
        "p3_hidden_update, p4_training_step"
    )


# --- refusals and exit codes -------------------------------------------------------------

def test_check_refuses_a_tampered_variant(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    text = path.read_text(encoding="utf-8")
    real = core.variant_id(core.DEFAULT_SEED, "student-001", "output_update")
    assert f'variant = "{real}"' in text
    path.write_text(text.replace(f'variant = "{real}"', 'variant = "0000000000"'), encoding="utf-8")
    # made by this very version: no talk of versions, only of the edit
    assert refusal(path) == (
        f"Error: '{path}': problem 'p2_output_update' is output_update variant 0000000000 in the file, but "
        f"chainrule makes output_update variant {real} for it; the [chainrule] tables were edited. Copy your "
        "answers into the answers.toml that came with your worksheet."
    )
    path.write_text(path.read_text(encoding="utf-8").replace(f'kit_version = "{__version__}"', 'kit_version = "0.0.1"'),
                    encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}': problem 'p2_output_update' is output_update variant 0000000000 in the file, but this "
        f"chainrule ({__version__}) makes output_update variant {real} for it; the [chainrule] tables were edited "
        "or the file was made by chainrule 0.0.1. Copy your answers into the answers.toml that came with "
        "your worksheet, or check with the chainrule version that made it."
    )


def test_check_refuses_another_students_id(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    text = path.read_text(encoding="utf-8").replace('student_id = "student-001"', 'student_id = "student-002"')
    path.write_text(text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1
    assert error_line(result).startswith(f"Error: '{path}': problem 'p1_forward_pass' is forward_pass variant ")


def test_check_missing_file_is_a_usage_error(tmp_path):
    result = run("check", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert error_line(result) == (f"Error: File '{tmp_path / 'nope.toml'}' does not exist; give the students' "
                                  "answers.toml files or a folder that holds them.")


def test_check_missing_folder_is_said_to_be_a_folder(tmp_path):
    # trial 17a: click said "File 'emptydir/' does not exist" for a folder
    for given, what in ((f"{tmp_path / 'class'}/", "Folder"), (str(tmp_path / "class"), "Path")):
        result = run("check", given)
        assert result.exit_code == 2
        assert error_line(result) == (f"Error: {what} '{given}' does not exist; give the students' answers.toml "
                                      "files or a folder that holds them.")


def _h1_broken(sheets, tmp_path, lang):
    """The worked example's answers file with h_1 = 0,52 (not TOML), its lang set to ``lang``;
    (path, the line number of h_1)."""
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    text = path.read_text(encoding="utf-8")
    assert '\nlang = "en"\n' in text
    lines = text.replace('\nlang = "en"\n', f'\nlang = "{lang}"\n').splitlines()
    number = lines.index('h_1 = ""') + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _set_lines(path, {number: "h_1 = 0,52"})
    return path, number


def _set_lines(path, lines):
    """Replace lines of ``path`` ({1-based number: new text})."""
    text = path.read_text(encoding="utf-8").splitlines()
    for number, line in lines.items():
        text[number - 1] = line
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def test_check_invalid_toml_quotes_the_parsers_line_and_column(sheets, tmp_path):
    path, number = _h1_broken(sheets, tmp_path, "en")
    assert refusal(path) == (
        f"Error: '{path}' is not valid TOML: Expected newline or end of document after a statement "
        f'(at line {number}, column 8); answers go between quotes, e.g. z_1 = "0.165".'
    )
    _set_lines(path, {number: 'h_1 = "0.52'})     # tomllib says "Illegal character '\n'"
    assert refusal(path) == (
        f"Error: '{path}' is not valid TOML: a quote is left open at the end of the line (at line {number}, "
        'column 12); answers go between quotes, e.g. z_1 = "0.165".')


def test_check_invalid_toml_of_a_korean_sheet_is_said_in_korean(sheets, tmp_path):
    # the rest of check speaks the sheet's language; this refusal was English on Korean sheets
    path, number = _h1_broken(sheets, tmp_path, "ko")
    assert refusal(path) == (
        f"Error: '{path}'의 TOML 문법이 틀렸다: 값 뒤에 다른 글자가 있다(한 줄에 값 하나) "
        f'({number}번째 줄, 8번째 글자); 답은 따옴표 안에 쓴다. 예: z_1 = "0.165"'
    )
    _set_lines(path, {number: "h_1 = 0.52", number + 1: 'o_1 = "0.6'})  # unquoted is read; an open quote is not
    assert "의 TOML 문법이 틀렸다: 따옴표가 닫히지 않았다 (" in refusal(path)


def test_check_file_without_chainrule_table_is_refused(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text('[p1]\nz = "1"\n', encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}' has no [chainrule] table; check the answers.toml that chainrule generate wrote "
        "(its [chainrule] tables must stay as they were)."
    )


def test_check_fail_under(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    values = {k: '"%s"' % _eight(v) for k, v in _worked_example().items() if k[0] == "p4_training_step"}
    fill(path, values)  # 10 of 24: 41.7 %
    assert run("check", path, "--fail-under", "40").exit_code == 0
    result = run("check", path, "--fail-under", "50")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Below --fail-under 50%: worked-example 41.7%."
    assert run("check", path, "--fail-under", "101").exit_code == 2


# --- reports -------------------------------------------------------------------------

def test_check_csv_one_row_per_student(sheets, tmp_path):
    one = copy_answers(sheets, tmp_path, name="one.toml")
    two = copy_answers(sheets, tmp_path, student="student-002", name="two.toml")
    fill(one, key_values(one))
    problems = problems_of(two)
    first = next(iter(problems))
    fill(two, {(first, q.key): '"%s"' % shown_answer(q) for q in problems[first].questions})
    result = run("check", one, two, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    header = rows[0].split(",")
    assert header[:10] == ["student_id", "correct", "blanks", "unanswered", "invalid", "course_seed", "preset",
                           "problems", "file", "error"]
    n_problems = len(registry.names())
    assert header[10:10 + n_problems] == list(problems_of(one))
    assert header[10 + n_problems:13 + n_problems] == ["p1_forward_pass.a", "p1_forward_pass.b", "p1_forward_pass.c"]
    assert len(rows) == 3
    n1 = len(key_values(one))
    n2 = sum(len(p.questions) for p in problems.values())
    k = len(problems[first].questions)
    seed = str(core.DEFAULT_SEED)
    assert rows[1].split(",")[:10] == ["student-001", str(n1), str(n1), "0", "0", seed, "", str(n_problems), str(one), ""]
    assert rows[2].split(",")[:10] == ["student-002", str(k), str(n2), str(n2 - k), "0", seed, "", str(n_problems),
                                       str(two), ""]
    cells = dict(zip(header, rows[2].split(",")))
    assert all(cells[f"{first}.{letter}"] == "1" for letter in "abcde"[:k])
    assert cells[first] == str(k) and cells[list(problems)[1]] == "0"
    assert set(rows[1].split(",")[10 + n_problems:]) <= {"1", ""}
    # the same files in the other order give the same columns
    assert run("check", two, one, "--format", "csv").stdout.splitlines()[0] == rows[0]


def test_check_json_schema(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {("p2_output_update", "w_5_new"): '"0.437"', ("p1_forward_pass", "h_1"): '"x"',
                ("p1_forward_pass", "z_1"): '"0.08"'})
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"schema", "kit_version", "files", "totals", "summary"}
    assert data["schema"] == 4 and data["kit_version"] == __version__
    assert data["totals"] == {"correct": 1, "consistent": 0, "wrong": 0, "too_few": 1, "unanswered": 21, "invalid": 1,
                              "not_judged": 0, "total": 24, "points": 1.0}
    (item,) = data["files"]
    assert set(item) == {"file", "student_id", "student_name", "course_seed", "lang", "preset", "kit_version", "mode",
                         "correct", "consistent", "wrong", "too_few", "unanswered", "invalid", "not_judged", "total",
                         "points",
                         "percent",
                         "problems", "notes"}
    assert item["percent"] == round(100 / 24, 2)
    problem = item["problems"][1]
    assert set(problem) == {"key", "number", "family", "variant", "title", "correct", "points", "total", "tolerance",
                            "questions", "notes"}
    question = problem["questions"][4]
    assert set(question) == {"key", "letter", "kind", "status", "credit", "given", "given_type", "message",
                             "mistakes"}
    assert (question["status"], question["given"], question["given_type"]) == ("too_few", "0.437", "string")
    assert "0.43703857" not in result.stdout and "4370385" not in result.stdout


def test_check_output_file_is_not_overwritten_without_force(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    report = tmp_path / "report.txt"
    result = run("check", path, "--output", report)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the text report for 1 answers file to {report}.\n"
    assert report.read_text(encoding="utf-8").splitlines()[-1] == "0 of 24 correct (0 wrong, 24 not answered, 0 invalid)"
    result = run("check", path, "--output", report, "--format", "json")
    assert result.exit_code == 1
    assert error_line(result) == f"Error: Output file '{report}' already exists; pass --force to overwrite it."
    assert run("check", path, "--output", report, "--format", "json", "--force").exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["schema"] == 4


def test_check_refuses_an_existing_output_before_checking_the_class(sheets, tmp_path, monkeypatch):
    # trial 18a: the refusal comes first, with nothing checked and no note about the class said
    from checker import check as checking

    first = copy_answers(sheets, tmp_path, name="a.toml")
    second = copy_answers(sheets, tmp_path, "all", "student-002", name="b.toml")
    monkeypatch.setattr(checking, "check_all", lambda *a, **k: pytest.fail("the class was checked"))
    for option in ("-o", "--gradebook"):
        target = tmp_path / f"class{option}.csv"
        target.write_text("kept\n", encoding="utf-8")
        result = run("check", first, second, option, target, "--format", "csv")
        assert result.exit_code == 1
        assert result.stderr == f"Error: Output file '{target}' already exists; pass --force to overwrite it.\n"
        assert target.read_text(encoding="utf-8") == "kept\n"


def test_check_never_writes_its_report_over_a_file_it_checks(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    before = path.read_bytes()
    for option in ("--output", "--gradebook"):
        result = run("check", path, option, path, "--force")
        assert result.exit_code == 2, result.output
        assert error_line(result) == (f"Error: Output file '{path}' is one of the files being checked; "
                                      "write the report to another file.")
        assert path.read_bytes() == before


def test_check_text_report_has_an_ascii_form(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {("p1_forward_pass", "z_1"): '"0.08"', ("p1_forward_pass", "h_1"): '"0.5"',
                ("p1_forward_pass", "o_1"): '"?"', ("p1_forward_pass", "E"): '"0.9"'})
    text = report.text_report([check.check_file(path)], unicode=False)
    assert text.isascii()
    lines = text.splitlines()
    assert "  + a) z_1" in lines and "  - d) o_2: not answered" in lines
    assert any(line.startswith("  ~ b) h_1 = ") for line in lines)      # 0.5: too few digits
    assert any(line.startswith("  x e) E = ") for line in lines)
    assert any(line.startswith('  ? c) o_1 = "?"') for line in lines)


# --- the rules, one by one -----------------------------------------------------------

@pytest.mark.parametrize("written, value", [
    ("0.437", Fraction(437, 1000)), (" -2.5e-3 ", Fraction(-25, 10000)), ("1/3", Fraction(1, 3)),
    ("+.5", Fraction(1, 2)), ("-1 / 4", Fraction(-1, 4)), ("3", Fraction(3)), ("\u22120.5", Fraction(-1, 2)),
    (7, Fraction(7)), (0.1, Fraction(1, 10)), ("1E2", Fraction(100)),
])
def test_check_read_number_accepts(written, value):
    assert reading.read_number(written).value == value


@pytest.mark.parametrize("written", [
    "0,4.3", "abc", "0.1 0.2", "1/0", "nan", "inf", "1e", "--1", "1/-2", "0x10", "1_000", True, [1], float("nan"), "",
])
def test_check_read_number_refuses(written):
    with pytest.raises(reading.NotAnAnswer):
        reading.read_number(written)


@pytest.mark.parametrize("x, answer, digits", [
    ("0.43701234", "0.43703857", 4), ("0.1499", "0.15", 3), ("0.2", "0.15", 1), ("123.46", "123.456", 5), ("123.4", "123.456", 3),
    ("9.9e-5", "1e-4", 2), ("5", "0.15", 0),
])
def test_check_agreeing_digits_by_hand(x, answer, digits):
    assert reading.agreeing_digits(Fraction(x), Fraction(answer)) == digits


def test_check_tolerance_is_the_questions_own():
    import sympy as sp

    question = Question(key="q", prompt=None, answer=sp.Rational(1, 3), rtol=1e-3, atol=0.0)
    assert check.judge_question(question, "0.3334").status == "correct"
    assert check.judge_question(question, "0.334").status == "wrong"
    assert check.judge_question(Question(key="q", prompt=None, answer=sp.Rational(1, 3)), "0.3334").status == "wrong"
    near_zero = Question(key="q", prompt=None, answer=sp.Rational(1, 10**12), rtol=1e-6, atol=1e-9)
    assert check.judge_question(near_zero, "0").status == "correct"


@pytest.mark.parametrize("family", registry.names())
def test_check_judges_every_family_over_many_variants(family):
    """Per variant: the key's shown value is right, a flipped sign says so, 3 digits are too
    few, another choice or integer is wrong; no hint shows the answer."""
    from decimal import ROUND_HALF_UP, Decimal

    for student in ("a", "b", "c", "d", "e", "f"):
        problem = core.make_problem(family, 11, student)
        for question in problem.questions:
            shown = shown_answer(question)
            assert check.judge_question(question, shown).status == "correct", (student, question.key, shown)
            if question.kind == "choice":
                for other in question.choices:
                    if other != question.answer:
                        verdict = check.judge_question(question, other)
                        assert (verdict.status, verdict.message) == ("wrong", "not the right choice")
                continue
            if question.kind == "integer":
                verdict = check.judge_question(question, int(question.answer) + 1)
                assert (verdict.status, verdict.message) == ("wrong", "not the right number")
                continue
            exact = Fraction(Decimal(shown))
            if exact != 0:
                verdict = check.judge_question(question, "-" + shown if exact > 0 else shown[1:])
                assert (verdict.status, verdict.message) == ("wrong", "wrong sign"), (student, question.key)
            # 3 digits, rounded half up as the sheets say (a float's %.3g rounds a tie to even)
            three = str(Decimal(shown).quantize(Decimal(1).scaleb(Decimal(shown).adjusted() - 2), rounding=ROUND_HALF_UP))
            verdict = check.judge_question(question, three)
            if abs(Fraction(Decimal(three)) - exact) <= Fraction(question.atol) + Fraction(question.rtol) * abs(exact):
                assert verdict.status == "correct"
            else:
                assert verdict.status == "too_few"
                assert verdict.message.startswith("agrees to the 3 significant digits you gave"), verdict.message
                assert shown not in verdict.message


def test_check_korean_hints(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "ko")
    problems = problems_of(path)
    question = problems["p1_output_update"].questions[0]
    shown = shown_answer(question)
    flipped = shown[1:] if shown.startswith("-") else "-" + shown
    fill(path, {("p1_output_update", question.key): f'"{flipped}"', ("p1_output_update", problems["p1_output_update"].questions[1].key): '"0,5"'})
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert question_line(result, question.key, "p1_output_update").startswith(  # the named mistake t - o
        f'\u2717 a) {question.key} = "{flipped}": 뺄셈을 t_')
    third = problems["p1_output_update"].questions[2]  # dz/dw: a flipped sign is just that
    fill(path, {("p1_output_update", third.key): f'"-{shown_answer(third)}"'})
    assert question_line(run("check", path), third.key, "p1_output_update") == (
        f'\u2717 c) {third.key} = "-{shown_answer(third)}": 부호가 틀렸다')
    second = problems["p1_output_update"].questions[1].key
    assert question_line(result, second, "p1_output_update") == (
        f'? b) {second} = "0,5": 수가 아니다: "0,5"; 0.165, -2.5e-3, 1/3처럼 수 하나를 쓰시오 (쉼표 대신 소수점을 쓰시오)'
    )


def test_check_without_a_toml_reader_says_how_to_get_one(tmp_path, monkeypatch):
    import sys

    from chainrule_core.errors import ChainruleError

    monkeypatch.setitem(sys.modules, "tomllib", None)  # what Python 3.10 looks like ...
    monkeypatch.setitem(sys.modules, "tomli", None)  # ... without the tomli backport
    path = tmp_path / "answers.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ChainruleError) as info:
        answers_file.read(path)
    assert str(info.value) == (
        "chainrule check needs a TOML reader: use Python 3.11 or later, or run 'pip install tomli'."
    )


def test_check_refuses_files_it_cannot_read_as_answers(sheets, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'# caf\xe9\n[chainrule]\n')
    assert refusal(path) == f"Error: '{path}' is not UTF-8 text (line 1); save it as UTF-8."

    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    path.write_text(path.read_text(encoding="utf-8").replace("format = 2", "format = 3"), encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}' is answers format 3, but this chainrule ({__version__}) reads format 2; "
        "check it with the chainrule version that made it."
    )

    path = copy_answers(sheets, tmp_path, name="family.toml")
    path.write_text(path.read_text(encoding="utf-8").replace('family = "batch_norm"', 'family = "batch_norms"'),
                    encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}': problem 'p11_batch_norm' is of family 'batch_norms', which chainrule does not have; "
        "the [chainrule] tables were edited. Copy your answers into the answers.toml that came with your worksheet."
    )
    path.write_text(path.read_text(encoding="utf-8").replace(f'kit_version = "{__version__}"', 'kit_version = "9.9"'),
                    encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}': problem 'p11_batch_norm' is of family 'batch_norms', which this chainrule "
        f"({__version__}) does not have (the file was made by 9.9); check it with the chainrule "
        "version that made it."
    )

    path = copy_answers(sheets, tmp_path, name="seed.toml")
    path.write_text(re.sub(r"course_seed = (\d+)", r'course_seed = "\1"', path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    assert refusal(path) == (
        f"Error: '{path}' has an invalid 'course_seed' (\"2024\") in its [chainrule] table; check the answers.toml "
        "that chainrule generate wrote (its [chainrule] tables must stay as they were)."
    )


def test_check_class_goes_on_past_a_file_it_cannot_check(sheets, tmp_path):
    good = copy_answers(sheets, tmp_path, name="good.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("z = \n", encoding="utf-8")
    result = run("check", good, bad, "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: '{bad}' is not valid TOML: Invalid value (at line 1, column 5); answers go between quotes, "
        'e.g. z_1 = "0.165".',
        "Error: 1 of 2 answers files could not be checked (the lines above say why); the report covers the others "
        "(and gives the reason in its error column).",
    ]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["student_id"], row["correct"], row["file"], row["error"]) for row in rows] == [
        ("student-001", "0", str(good), ""),
        ("", "", str(bad), f"'{bad}' is not valid TOML: Invalid value (at line 1, column 5); answers go between "
                           'quotes, e.g. z_1 = "0.165".'),
    ]


# --- a class checked against its manifest, and what a self-check shows -------------------

def _set_problems(path, keys):
    text = path.read_text(encoding="utf-8")
    listed = "problems = [" + ", ".join(f'"{k}"' for k in keys) + "]"
    text, n = re.subn(r"^problems = \[.*\]$", listed, text, flags=re.M)
    assert n == 1
    path.write_text(text, encoding="utf-8")


def test_check_manifest_refuses_removed_problems_that_a_self_check_lists(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    keys = list(problems_of(path))
    values = {k: v for k, v in key_values(path).items() if k[0] == "p2_output_update"}
    fill(path, values)
    _set_problems(path, ["p2_output_update", "p5_optimizer_steps", "p13_early_stopping"])
    result = run("check", path)  # the student's own check: accepted, and says what it covered
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "Checked 3 problems: p2_output_update, p5_optimizer_steps, p13_early_stopping"
    manifest = sheets["all"] / "manifest.json"
    result = run("check", path, "--manifest", manifest)
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: '{path}' of student-001 lists 3 problems, the manifest gives {len(keys)}: problems were removed "
        "from its [chainrule] table."
    )
    untouched = copy_answers(sheets, tmp_path, name="untouched.toml")
    result = run("check", untouched, "--manifest", manifest)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == f"Checked {len(keys)} problems: {', '.join(keys)}"


def test_check_manifest_refuses_the_worked_example_under_a_students_id(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {k: '"%s"' % _eight(v) for k, v in _worked_example().items()})
    text = path.read_text(encoding="utf-8").replace('student_id = "worked-example"', 'student_id = "student-001"')
    path.write_text(text, encoding="utf-8")
    assert run("check", path).exit_code == 0  # the preset is the same for every id: checked as it stands
    result = run("check", path, "--manifest", sheets["all"] / "manifest.json", "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: '{path}' of student-001 has preset worked-example, the manifest gives none: it is not the sheet "
        "this student was given."
    )
    # the worked example itself passes against its own manifest, and its CSV row names the preset
    own = copy_answers(sheets, tmp_path, "preset", "worked-example", name="own.toml")
    result = run("check", own, "--manifest", sheets["preset"] / "manifest.json", "--format", "csv")
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["student_id"], row["course_seed"], row["preset"], row["problems"]) == (
        "worked-example", str(core.DEFAULT_SEED), "worked-example", "4")


def test_check_manifest_refuses_other_students_seeds_and_problem_orders(sheets, tmp_path):
    manifest = sheets["all"] / "manifest.json"
    path = copy_answers(sheets, tmp_path, "ko", name="stranger.toml")
    path.write_text(path.read_text(encoding="utf-8").replace('"student-001"', '"student-009"'), encoding="utf-8")
    result = run("check", path, "--manifest", manifest)
    assert result.exit_code == 1
    # a Korean sheet's refusal is in Korean (trial 18a)
    assert error_line(result).startswith(f"Error: '{path}': 문제 'p1_output_update'의 변형이 chainrule이 만드는 변형("
                                         "output_update ")

    path = copy_answers(sheets, tmp_path, "ko", name="ko.toml")  # student-001 of another class (3 problems)
    result = run("check", path, "--manifest", manifest)
    assert error_line(result) == (   # a Korean sheet's: in Korean (session 19)
        f"Error: '{path}'(학생 student-001): 문제 수가 매니페스트와 다르다(파일: 3개, 매니페스트: "
        f"{len(registry.names())}개); [chainrule] 섹션에서 문제가 지워졌다."
    )

    path = copy_answers(sheets, tmp_path, name="swapped.toml")
    keys = list(problems_of(path))
    _set_problems(path, [keys[1], keys[0]] + keys[2:])
    assert run("check", path).exit_code == 0
    result = run("check", path, "--manifest", manifest)
    assert result.exit_code == 1
    real = core.variant_id(core.DEFAULT_SEED, "student-001", "output_update")
    first = core.variant_id(core.DEFAULT_SEED, "student-001", "forward_pass")
    assert error_line(result) == (
        f"Error: '{path}' of student-001 gives problem 1 as 'p2_output_update' (output_update variant {real}, "
        f"occurrence 0), the manifest gives 'p1_forward_pass' (forward_pass variant {first}, occurrence 0): its "
        "[chainrule] table was edited."
    )

    path = copy_answers(sheets, tmp_path, student="student-002", name="two.toml")
    other = tmp_path / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["course_seed"] += 1
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run("check", path, "--manifest", other)
    assert error_line(result) == (
        f"Error: '{path}' of student-002 has course seed {core.DEFAULT_SEED}, the manifest gives "
        f"{core.DEFAULT_SEED + 1}: its [chainrule] table was edited or it belongs to another class."
    )
    del data["students"][1]
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run("check", path, "--manifest", other)
    assert error_line(result) == (
        f"Error: '{path}' is the answers file of 'student-002', who is not a student of the manifest '{other}': it "
        "belongs to another class or its [chainrule] table was edited."
    )


def test_check_manifest_that_is_not_one_is_a_usage_error(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path)
    bad = tmp_path / "manifest.json"
    bad.write_text('{"course_seed": 1}', encoding="utf-8")
    result = run("check", path, "--manifest", bad)
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: '{bad}' is not a manifest.json written by chainrule generate (it has no course_seed, preset and "
        "students with their problems); give the manifest.json of the class."
    )
    result = run("check", path, "--manifest", tmp_path / "none.json")
    assert result.exit_code == 2
    help_text = " ".join(run("check", "--help").stdout.split())
    assert "An instructor checks a class with --manifest worksheets/manifest.json" in help_text


def test_check_manifest_that_is_a_roster_says_so_plainly(sheets, tmp_path):
    # a roster given for --manifest (trial 18a): no "Unexpected UTF-8 BOM (decode using utf-8-sig)"
    path = copy_answers(sheets, tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeff학번,이름\r\n2024001,김민준\r\n".encode("utf-8"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"course_seed": ', encoding="utf-8")
    said = {}
    for bad in (roster, broken):
        result = run("check", path, "--manifest", bad)
        assert result.exit_code == 2
        said[bad] = error_line(result)
    assert said == {
        roster: f"Error: '{roster}' is not a manifest.json written by chainrule generate (it is not JSON but looks "
                "like a CSV file, such as the class roster); give the manifest.json of the class.",
        broken: f"Error: '{broken}' is not a manifest.json written by chainrule generate (it is not JSON); give the "
                "manifest.json of the class.",
    }


def test_check_short_output_option(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    report = tmp_path / "class.csv"
    result = run("check", path, "--format", "csv", "-o", report)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the csv report for 1 answers file to {report}.\n"
    assert report.read_text(encoding="utf-8").splitlines()[1].startswith("worked-example,0,24,24,0,")


def test_check_json_gives_numbers_as_written_without_toml_quotes(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {("p1_forward_pass", "z_1"): '"0.165"', ("p1_forward_pass", "h_1"): "0.165",
                ("p1_forward_pass", "o_1"): "3", ("p1_forward_pass", "o_2"): "true"})
    data = json.loads(run("check", path, "--format", "json").stdout)
    questions = data["files"][0]["problems"][0]["questions"]
    assert [(q["given"], q["given_type"]) for q in questions] == [
        ("0.165", "string"), ("0.165", "float"), ("3", "integer"), ("true", "boolean"), (None, None),
    ]


def test_check_near_misses_get_no_rounding_hint_and_truncation_is_too_few_digits(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {
        ("p2_output_update", "dE_dw_5"): '"0.02599999"',  # 2 digits agree: a wrong formula as likely as a slip
        ("p2_output_update", "w_5_new"): '"0.43711111"',  # 3 digits agree
        ("p1_forward_pass", "h_1"): '"0.51998"',  # 0.51998934 cut after 5 digits, not rounded
        ("p1_forward_pass", "o_1"): '"0.6094"',  # 0.60944600 cut after 4 digits, which is also its rounding
    })
    result = run("check", path)
    plain = "not the right value (an answer must agree to about 6 significant digits)"
    assert question_line(result, "dE_dw_5", "p2_output_update") == f'\u2717 d) dE_dw_5 = "0.02599999": {plain}'
    assert question_line(result, "w_5_new", "p2_output_update") == f'\u2717 e) w_5_new = "0.43711111": {plain}'
    rule = "write more digits, rounded as the worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)"
    # cut off, not rounded: too few digits to tell, never "agrees" (the rounded form does agree)
    cut = ("the worksheet rounds: write 8 decimals between 0.01 and 1, else 8 significant digits, the last one "
           "rounded half up, not cut off")
    assert question_line(result, "h_1", "p1_forward_pass") == (
        f'\u2026 b) h_1 = "0.51998": too few digits to tell whether this is right (5 significant digits); {cut}'
    )
    assert question_line(result, "o_1", "p1_forward_pass") == (  # cut off and rounded alike
        f'\u2026 c) o_1 = "0.6094": agrees to the 4 significant digits you gave; {rule}'
    )
    assert "round an intermediate" not in result.stdout


def test_check_missing_file_among_several_is_reported_and_the_others_checked(sheets, tmp_path):
    good = copy_answers(sheets, tmp_path, "preset", "worked-example")
    missing = tmp_path / "absent" / "answers.toml"
    result = run("check", missing, good)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: Cannot read '{missing}': No such file or directory.",
        "Error: 1 of 2 answers files could not be checked (the lines above say why); the report covers the others.",
    ]
    assert total_line(result) == "0 of 24 correct (0 wrong, 24 not answered, 0 invalid)"


def test_check_unknown_lang_is_a_note_and_checks_in_english(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    path.write_text(path.read_text(encoding="utf-8").replace('lang = "en"', 'lang = "fr"'), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("Note:")]
    assert notes == ["Note: unknown lang 'fr' in the [chainrule] table; checking in English"]
    assert total_line(result) == "0 of 24 correct (0 wrong, 24 not answered, 0 invalid)"


def test_check_csv_cells_tell_wrong_unanswered_and_invalid_apart(sheets, tmp_path):
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {("p1_forward_pass", "z_1"): '"0.08"', ("p1_forward_pass", "h_1"): '"0.5"',
                ("p1_forward_pass", "o_1"): '"abc"'})
    row = next(csv.DictReader(io.StringIO(run("check", path, "--format", "csv").stdout)))
    assert [row[f"p1_forward_pass.{letter}"] for letter in "abcde"] == ["1", "0", "?", "", ""]
    assert (row["p1_forward_pass"], row["p2_output_update"], row["error"]) == ("1", "0", "")


def test_check_reads_a_file_saved_with_a_byte_order_mark_or_crlf(sheets, tmp_path):
    """Windows Notepad saved UTF-8 with a BOM by default: the same answers, the same verdicts
    (a new user's trial: "not valid TOML: Invalid statement (at line 1, column 1)")."""
    path = copy_answers(sheets, tmp_path, "preset", "worked-example")
    fill(path, {("p1_forward_pass", "z_1"): '"0.08"'})
    plain = run("check", path)
    assert plain.exit_code == 0, plain.output
    text = path.read_text(encoding="utf-8")
    for variant, data in (("bom", "\ufeff" + text), ("bom-crlf", "\ufeff" + text.replace("\n", "\r\n"))):
        other = tmp_path / f"{variant}.toml"
        other.write_bytes(data.encode("utf-8"))
        result = run("check", other)
        assert result.exit_code == 0, result.output
        assert question_line(result, "z_1", "p1_forward_pass") == question_line(plain, "z_1", "p1_forward_pass")

