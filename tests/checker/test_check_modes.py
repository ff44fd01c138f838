"""Graded sheets (a course secret), practice sheets (hashes), carried-forward credit,
tolerances, fractions, hostile files, the gradebook and the class summary, end to end."""

import csv
import io
import json
import shutil
from fractions import Fraction

import pytest

from _check_helpers import fill, run

from checker import answers_file, check, practice, tolerance
from chainrule_core.errors import ChainruleUsageError
from generator import core, registry
from generator.numbers import format_number

WORKED = {  # the seed notes' numbers (4. 역전파), by hand
    ("p2_output_update", "dE_do_1"): '"0.20944600"', ("p2_output_update", "do_1_dz_3"): '"0.23802157"',
    ("p2_output_update", "dz_3_dw_5"): '"0.51998934"',
}


@pytest.fixture(scope="module")
def made(tmp_path_factory, secret_file):
    root = tmp_path_factory.mktemp("modes")
    small = ["--count", "2", "--format", "md"]
    for name, extra in (("graded", ["--secret-file", secret_file]), ("practice", ["--practice"]),
                        ("open", []), ("preset", ["--preset", "worked-example"])):
        args = small if name != "preset" else ["--format", "md"]
        result = run("generate", "--out", root / name, *args, *extra)
        assert result.exit_code == 0, result.output
    return root


def answers(made, which, tmp_path, student="student-001", name="answers.toml"):
    folder = made / which / "students" / (student if which != "preset" else "worked-example")
    target = tmp_path / name
    shutil.copy(folder / "answers.toml", target)
    return target


def key_answers(problem):
    return {q.key: (q.answer if q.kind == "choice" else format_number(q.answer)) for q in problem.questions}


# --- graded sheets ---------------------------------------------------------------------

def test_graded_sheet_is_refused_in_one_line_without_the_secret(made, tmp_path):
    path = answers(made, "graded", tmp_path)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: '{path}' is a graded sheet: checking it needs the course secret (chainrule check "
        "--secret-file FILE --manifest manifest.json); nothing was judged.\n"
    )


def test_a_class_of_graded_sheets_without_the_secret_is_refused_in_one_line(made, tmp_path, secret_file):
    """README: check says in one line that a graded sheet needs the secret; for a class of them
    it said so once per file and then a summary (trial 15): now the count, the reason once."""
    folder = made / "graded" / "students"
    paths = [folder / "student-001" / "answers.toml", folder / "student-002" / "answers.toml"]
    one_line = ("Error: All 2 answers files were made with the course secret (graded sheets, or practice sheets "
                "made with it): checking them needs it (chainrule check --secret-file FILE --manifest "
                "manifest.json); nothing in them was judged.\n")
    for args in ((*paths,), (*paths, "--manifest", made / "graded" / "manifest.json"), (folder,)):
        # before: one "is a graded sheet" line per file, then "2 of 2 answers files could not be checked"
        result = run("check", *args)
        assert result.exit_code == 1
        assert (result.stdout, result.stderr) == ("", one_line)
    # the gradebook is still written (a row per file, the reason in its error column)
    book = tmp_path / "book.csv"
    result = run("check", *paths, "--gradebook", book)
    assert result.exit_code == 1 and result.stderr.endswith(one_line)
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert [r["error"].endswith("nothing was judged.") for r in rows] == [True, True]
    # with sheets checked beside them: the reason once, then the count of files not checked
    mixed = run("check", *paths, answers(made, "preset", tmp_path))   # the worked example: an id of its own
    assert mixed.exit_code == 1
    assert mixed.stderr.splitlines() == [
        "Error: 2 of the 3 answers files were made with the course secret (graded sheets, or practice sheets made "
        "with it): checking them needs it (chainrule check --secret-file FILE --manifest manifest.json); nothing "
        "in them was judged.",
        "Error: 2 of 3 answers files could not be checked (the lines above say why); the report covers the others."]
    assert run("check", *paths, "--secret-file", secret_file).exit_code == 0


def test_graded_sheet_of_a_korean_class_is_refused_in_korean(secret_file, tmp_path):
    result = run("generate", "--out", tmp_path / "ko", "--count", "1", "--format", "md", "--lang", "ko",
                 "--families", "loss_values", "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    path = tmp_path / "ko" / "students" / "student-001" / "answers.toml"
    refused = run("check", path)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: '{path}': 채점용 문제지라 확인하려면 과정 비밀 키가 필요하다 "
        "(chainrule check --secret-file FILE --manifest manifest.json). 아무것도 채점하지 않았다.\n")


def test_graded_sheet_is_refused_with_another_secret(made, tmp_path):
    path = answers(made, "graded", tmp_path)
    other = tmp_path / "other.secret"
    other.write_text("0" * 32, encoding="utf-8")
    result = run("check", path, "--secret-file", other)
    assert result.exit_code == 1 and result.stdout == ""
    assert "was made with another course secret" in result.stderr


def test_graded_secret_is_written_nowhere_and_the_variants_cannot_be_rebuilt_without_it(made, secret_file):
    secret = secret_file.read_text(encoding="utf-8").strip()
    for path in (made / "graded").rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path
    manifest = json.loads((made / "graded" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mode"] == "graded" and len(manifest["secret"]) == 16
    for student in manifest["students"]:
        for p in student["problems"]:
            # the public derivation (course seed, id, family) gives another variant
            assert core.variant_id(manifest["course_seed"], student["id"], p["family"], p["occurrence"]) != p["variant"]
            keyed = core.variant_id(manifest["course_seed"], student["id"], p["family"], p["occurrence"],
                                    secret.encode())
            assert keyed == p["variant"]


def test_graded_sheet_is_checked_with_the_secret_and_the_manifest(made, tmp_path, secret_file):
    path = answers(made, "graded", tmp_path)
    sheet = answers_file.parse(answers_file.read(path), str(path))
    problems = check.rebuild(sheet, str(path), secret_file.read_text().strip().encode())
    values = {}
    for key, problem in problems:
        for qkey, value in key_answers(problem).items():
            values[(key, qkey)] = f'"{value}"'
    fill(path, values)
    result = run("check", path, "--secret-file", secret_file, "--manifest", made / "graded" / "manifest.json")
    assert result.exit_code == 0, result.output
    total = sum(len(p.questions) for _k, p in problems)
    assert result.stdout.splitlines()[-1] == f"{total} of {total} correct (0 wrong, 0 not answered, 0 invalid)"


def test_short_secret_is_a_usage_error(tmp_path):
    weak = tmp_path / "weak.secret"
    weak.write_text("hunter2\n", encoding="utf-8")
    result = run("generate", "--out", tmp_path / "o", "--secret-file", weak)
    assert result.exit_code == 2
    assert f"Secret file '{weak}' holds 7 bytes; a course secret needs at least 16 random bytes" in result.stderr
    assert not (tmp_path / "o").exists()
    # another file given for the secret (session 7's trial: a roster was accepted as one)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns001,Kim Minji\ns002,Lee Jiwoo\n", encoding="utf-8")
    result = run("generate", "--out", tmp_path / "o", "--secret-file", roster)
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == (
        f"Error: Secret file '{roster}' holds 3 lines of text; a course secret is one line of random characters "
        "(e.g. python -c \"import secrets; print(secrets.token_hex(32))\" > course.secret): is it the right file?")
    assert not (tmp_path / "o").exists()
    # random bytes may hold a newline byte: a binary secret is still one
    binary = tmp_path / "binary.secret"
    binary.write_bytes(bytes(range(256)))
    from chainrule_core import secret as course_secret
    assert course_secret.load(binary) == bytes(range(256)).strip()


# --- practice sheets -------------------------------------------------------------------

def test_practice_file_holds_no_answer_in_clear_yet_judges_every_family(made, tmp_path):
    path = answers(made, "practice", tmp_path)
    import re

    # everything but the hex digests and salts, where any digits may turn up by chance
    text = re.sub(r'"[0-9a-f]{24,32}"', '""', path.read_text(encoding="utf-8"))
    data = answers_file.read(path)
    meta = data["chainrule"]
    assert meta["mode"] == "practice"
    values, wrong = {}, {}
    for key in meta["problems"]:
        info = meta["variants"][key]
        problem = core.make_problem(info["family"], meta["course_seed"], meta["student_id"], info["occurrence"])
        for q in problem.questions:
            shown = key_answers(problem)[q.key]
            digits = shown.replace(".", "").replace("-", "").lstrip("0")
            if q.kind == "number" and len(digits) >= 4:  # no answer in clear (short ones match anything)
                assert shown not in text and digits not in text, (key, q.key, shown)
            elif q.kind == "integer":
                assert f"= {shown}" not in text and f'"{shown}"' not in text
            values[(key, q.key)] = f'"{shown}"'
            if q.kind == "choice":
                other = next(c for c in q.choices if c != q.answer)
                wrong[(key, q.key)] = f'"{other}"'
            elif q.kind == "integer":
                wrong[(key, q.key)] = f'"{int(q.answer) + 1}"'
            else:
                # 1/1000003: no short decimal (a short one is judged at its own digits: test_practice_short)
                wrong[(key, q.key)] = f'"{format_number(q.answer * Fraction(101, 100) + Fraction(1, 1000003))}"'
    assert {registry_family for registry_family in registry.names()} == {
        meta["variants"][k]["family"] for k in meta["problems"]}
    right = tmp_path / "right.toml"
    shutil.copy(path, right)
    fill(right, values)
    result = run("check", right)
    assert result.exit_code == 0, result.output
    n = len(values)
    assert result.stdout.splitlines()[-1] == f"{n} of {n} correct (0 wrong, 0 not answered, 0 invalid)"
    assert "Practice sheet: judged from salted hashes, to 6 significant digits" in result.stdout
    fill(path, wrong)
    result = run("check", path)
    assert result.stdout.splitlines()[-1] == f"0 of {n} correct ({n} wrong, 0 not answered, 0 invalid)"


def test_practice_check_gives_digits_sign_and_mistake_hints(tmp_path):
    problem = core.make_problem("output_update", 5, "p")
    salt = practice.salt(5, "p", "k", problem.variant)
    q = next(q for q in problem.questions if q.key.startswith("dE_dw"))
    answer = check.exact_value(q.answer)
    mistakes = [(m.name, m.hint[0], check.exact_value(m.value)) for m in problem.mistakes if m.question == q.key]
    spec = practice.spec("number", q.key, answer, salt, mistakes=mistakes)
    from checker.judge import judge_practice

    shown = format_number(q.answer)
    assert judge_practice(q.key, spec, salt, shown).status == "correct"
    six = "%.6g" % float(answer)
    assert judge_practice(q.key, spec, salt, six).status == "correct"  # 6 digits are enough
    seven = "%.7g" % float(answer)
    assert judge_practice(q.key, spec, salt, seven).status == "correct"
    sign = shown[1:] if shown.startswith("-") else "-" + shown
    # a flipped sign here is a named mistake: t - o for dE/do
    assert judge_practice(q.key, spec, salt, sign).message.startswith("this is what you get with t_")
    d = next(q for q in problem.questions if q.key.startswith("do_"))
    d_spec = practice.spec("number", d.key, check.exact_value(d.answer), salt)
    assert judge_practice(d.key, d_spec, salt, "-" + format_number(d.answer)).message == "wrong sign"
    # no hash is kept below 6 digits (a short one would be a cheap first step to the answer):
    # 4 right digits cannot be judged, 4 wrong ones are told wrong (their 6-digit completions
    # are hashed: tests/checker/test_practice_short.py), 3 digits cannot be judged at all
    for shown_digits, status, said in (
            ("%#.4g" % float(answer), "too_few", "cannot be judged with 4 digits; give 8 significant digits"),
            ("%#.4g" % (float(answer) * 1.01), "wrong", "not the right value, not even to the 4 significant digits"),
            ("%#.3g" % float(answer), "too_few", "cannot be judged with 3 digits; give 8 significant digits")):
        verdict = judge_practice(q.key, spec, salt, shown_digits)
        assert (verdict.status, verdict.message[:len(said)]) == (status, said), shown_digits
    no_sig = next(m for m in problem.mistakes if m.question == q.key and m.name == "no_sigmoid_derivative")
    verdict = judge_practice(q.key, spec, salt, format_number(no_sig.value))
    assert verdict.status == "wrong" and verdict.message.startswith("this is what you get if you leave out the sigmoid")
    assert "no_sigmoid_derivative" in verdict.mistakes
    # 437/1000 and 0.437 alike
    assert judge_practice(q.key, spec, salt, "437/1000").message == judge_practice(q.key, spec, salt, "0.437").message


def test_practice_tolerance_must_be_significant_digits(made, tmp_path):
    path = answers(made, "practice", tmp_path)
    result = run("check", path, "--tolerance", "rel:1%")
    assert result.exit_code == 2  # an option this sheet cannot take: a usage error, not a failed check
    assert result.stderr.splitlines(True)[-1] == (f"Error: '{path}' is a practice sheet, whose hashes keep each answer at 6 significant "
                             "digits only: use --tolerance sig:6 or none, not rel:1%.\n")
    # a Korean sheet is refused in Korean
    korean = tmp_path / "ko" / "answers.toml"
    korean.parent.mkdir()
    text = path.read_text(encoding="utf-8")
    assert 'lang = "en"' in text
    korean.write_text(text.replace('lang = "en"', 'lang = "ko"'), encoding="utf-8")
    result = run("check", korean, "--tolerance", "rel:1%")
    assert result.exit_code == 2 and result.stderr.splitlines(True)[-1] == (
        f"Error: '{korean}': 연습 문제지라 해시가 답을 유효숫자 6자리까지만 담고 있다: --tolerance 없이 확인하거나 "
        "--tolerance sig:6만 쓰시오 (주어진 값: rel:1%).\n")
    assert "use --tolerance sig:6 or none, not sig:4." in run("check", path, "--tolerance", "sig:4").stderr
    assert run("check", path, "--tolerance", "sig:6").exit_code == 0


def _number_blank(seed=5):
    problem = core.make_problem("output_update", seed, "p")
    q = next(q for q in problem.questions if q.key.startswith("dE_dw"))
    salt = practice.salt(seed, "p", "k", problem.variant)
    return q, salt, practice.spec("number", q.key, check.exact_value(q.answer), salt)


def test_a_number_blank_keeps_one_scrypt_hash_at_six_digits_and_nothing_shorter():
    import hashlib

    from checker.reading import round_units

    q, salt, spec = _number_blank()
    assert set(spec) == {"kind", "digits", "hash"} and spec["digits"] == 6
    # the documented construction, computed here on its own: scrypt (N 2**12, r 8, p 1) of the
    # precision and the rounded value, salted with the problem's salt and the question key
    n, k = round_units(check.exact_value(q.answer), 6)
    while n % 10 == 0:
        n, k = n // 10, k + 1
    blank_salt = hashlib.sha256(bytes.fromhex(salt) + b"\x1f" + q.key.encode()).digest()
    expected = hashlib.scrypt(f"6\x1f{n}e{k}".encode(), salt=blank_salt, n=2 ** 12, r=8, p=1, dklen=16).hex()
    assert spec["hash"] == expected
    # no shorter precision is kept: the 4- and 5-digit roundings of the answer match nothing
    text = repr(spec)
    for digits in (4, 5):
        n4, k4 = round_units(check.exact_value(q.answer), digits)
        while n4 % 10 == 0:
            n4, k4 = n4 // 10, k4 + 1
        assert hashlib.scrypt(f"{digits}\x1f{n4}e{k4}".encode(), salt=blank_salt, n=2 ** 12, r=8, p=1,
                              dklen=16).hex() not in text


def test_searching_a_blank_costs_hours_of_cpu():
    # a brute-force search as an attacker runs it (candidates at 6 significant digits, nearest
    # first), on a window that holds the answer: it finds it, and its cost per try, measured,
    # puts one power of ten (1.8 million candidates, both signs) at an hour or more of one core
    import time

    from checker.reading import round_units

    q, salt, spec = _number_blank()
    units, scale = round_units(check.exact_value(q.answer), 6)
    practice._hash.cache_clear()
    started, tries, found = time.perf_counter(), 0, None
    for n in range(units - 40, units + 1):
        tries += 1
        if practice._hash(salt, q.key, "6", practice._canonical(n, scale)) == spec["hash"]:
            found = n
    per_try = (time.perf_counter() - started) / tries
    assert found == units and tries == 41
    # 6.6 ms a try on the project's machine (docs); the bound leaves room for a machine 10x
    # faster (the parameters themselves are checked above): a quarter of an hour at least
    assert per_try * 1.8e6 >= 900, f"{per_try * 1000:.2f} ms a try"


def test_checking_a_whole_practice_sheet_hashes_each_number_at_most_eight_times(made, tmp_path, monkeypatch):
    import hashlib

    path = answers(made, "practice", tmp_path)
    data = answers_file.read(path)
    meta = data["chainrule"]
    wrong, numbers = {}, 0
    for key in meta["problems"]:
        info = meta["variants"][key]
        problem = core.make_problem(info["family"], meta["course_seed"], meta["student_id"], info["occurrence"])
        for q in problem.questions:
            if q.kind == "number":
                numbers += 1
                # 1/1000003: no short decimal (a short one is judged at its own digits: test_practice_short)
                wrong[(key, q.key)] = f'"{format_number(q.answer * Fraction(101, 100) + Fraction(1, 1000003))}"'
            elif q.kind == "integer":
                wrong[(key, q.key)] = f'"{int(q.answer) + 1}"'
            else:
                wrong[(key, q.key)] = '"%s"' % next(c for c in q.choices if c != q.answer)
    fill(path, wrong)
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    practice._hash.cache_clear()
    report = check.check_file(path)
    assert sum(1 for r in report.problems for v in r.verdicts if v.status == "correct") == 0
    # every wrong number: itself and its 2 neighbours, then the same for its negation (named
    # mistakes reuse those digests), then 1/100 and 100 times it; an integer or a choice: 1 or 2
    # and the first wrong numbers' "agrees to 4 digits" probes, a budget of their own
    probes = practice.AGREE_ANSWERS * (practice.AGREE_TRIES - 3)
    assert len(calls) <= 8 * numbers + 2 * (len(wrong) - numbers) + probes


def test_an_older_practice_file_is_refused_in_one_sentence(made, tmp_path):
    path = answers(made, "practice", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert 'practice_scheme = "scrypt-1"\n' in text
    path.write_text(text.replace('practice_scheme = "scrypt-1"\n', ""), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"Error: '{path}' is a practice sheet in an older format whose hashes give its answers away in minutes, "
        "so it is not checked; ask for the sheet to be made again with this version's chainrule generate "
        "--practice.\n")


# --- carried-forward credit ------------------------------------------------------------

def _chain(made, tmp_path, first):
    path = answers(made, "preset", tmp_path)
    # dE/do1 wrong (0.21 instead of 0.20944600); the rest right *given* 0.21
    product = Fraction("0.21") * Fraction("0.23802157") * Fraction("0.51998934")
    values = dict(WORKED)
    values[("p2_output_update", "dE_do_1")] = f'"{first}"'
    values[("p2_output_update", "dE_dw_5")] = f'"{float(product):.8f}"'
    values[("p2_output_update", "w_5_new")] = f'"{float(Fraction("0.45") - product / 2):.8f}"'
    fill(path, values)
    return path


def line_of(result, key):
    return next(line.strip() for line in result.stdout.splitlines() if f") {key}" in line)


def test_carry_forward_credits_answers_consistent_with_a_wrong_first_blank(made, tmp_path):
    path = _chain(made, tmp_path, "0.21")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert line_of(result, "dE_dw_5") == (
        '\u2713 d) dE_dw_5 = "0.02599142": consistent with your dE_do_1 = 0.21: credit carried forward')
    assert line_of(result, "w_5_new") == (
        '\u2713 e) w_5_new = "0.43700429": consistent with your dE_dw_5 = 0.02599142: credit carried forward')
    assert line_of(result, "dE_do_1").startswith('\u2026 a) dE_do_1 = "0.21": agrees to the 2 significant digits')
    assert "Problem 2. Output-layer update by the chain rule  (p2_output_update, variant worked-example): 4 of 5" \
        in result.stdout
    half = run("check", path, "--carry-forward", "half")
    assert "half credit carried forward" in line_of(half, "w_5_new")
    assert half.stdout.splitlines()[-1] == ("3 of 24 correct (2 with credit carried forward, 0 wrong, 1 with too few "
                                            "digits, 19 not answered, 0 invalid)")
    none = run("check", path, "--carry-forward", "none")
    assert line_of(none, "w_5_new").startswith('\u2717 e) w_5_new')
    assert "no credit is carried forward" in line_of(none, "w_5_new")
    assert none.stdout.splitlines()[-1] == "2 of 24 correct (2 wrong, 1 with too few digits, 19 not answered, 0 invalid)"


def test_carry_forward_needs_a_value_the_student_wrote(made, tmp_path):
    path = _chain(made, tmp_path, "0.21")
    text = path.read_text(encoding="utf-8").replace('dE_do_1 = "0.21"', 'dE_do_1 = ""')
    path.write_text(text, encoding="utf-8")  # 0.21 not written: nothing to be consistent with
    result = run("check", path)
    assert line_of(result, "dE_dw_5").startswith('\u2717 d) dE_dw_5')
    assert "consistent" not in line_of(result, "dE_dw_5")
    # w_5_new is still consistent with the dE_dw_5 the student did write
    assert line_of(result, "w_5_new").endswith("consistent with your dE_dw_5 = 0.02599142: credit carried forward")


# --- numbers, tolerances, hostile files ------------------------------------------------

def test_a_fraction_and_its_decimal_get_the_same_verdict_and_message(made, tmp_path):
    for written in ('"0.437"', '"437/1000"', '"0.4370"', '"4370/10000"'):
        path = answers(made, "preset", tmp_path, name="f.toml")
        fill(path, {("p2_output_update", "w_5_new"): written})
        result = run("check", path)
        line = line_of(result, "w_5_new")
        assert line.endswith(": agrees to the 3 significant digits you gave; write more digits, rounded as the "
                             "worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)") or \
            line.endswith("agrees to the 4 significant digits you gave; write more digits, rounded as the worksheet "
                          "says (8 decimals between 0.01 and 1, else 8 significant digits)"), line


@pytest.mark.parametrize("spec, text", [("rel:0.1%", "rel:0.1%"), ("rel:0.001", "rel:0.1%"), ("abs:1e-4", "abs:0.0001"),
                                        ("sig:4", "sig:4"), ("SIG:4", "sig:4")])
def test_tolerance_specs(spec, text):
    assert str(tolerance.parse(spec)) == text


@pytest.mark.parametrize("spec", ["rel", "rel:", "rel:-1", "rel:150%", "sig:0", "sig:2.5", "abs:x", "ulp:3"])
def test_bad_tolerance_specs_are_usage_errors(spec):
    with pytest.raises(ChainruleUsageError, match=f"Tolerance '{spec}' is not valid"):
        tolerance.parse(spec)


def test_tolerance_by_hand():
    a = Fraction("0.43703857")
    assert tolerance.parse("sig:4").accepts(Fraction("0.4370"), a)
    assert not tolerance.parse("sig:5").accepts(Fraction("0.4370"), a)
    assert tolerance.parse("abs:1e-4").accepts(Fraction("0.4371"), a)
    assert not tolerance.parse("abs:1e-5").accepts(Fraction("0.4371"), a)
    assert tolerance.parse("rel:0.1%").accepts(Fraction("0.4374"), a)
    assert not tolerance.parse("rel:0.01%").accepts(Fraction("0.4374"), a)


def test_tolerance_option_is_stated_in_the_report(made, tmp_path):
    path = answers(made, "preset", tmp_path)
    fill(path, {("p2_output_update", "w_5_new"): '"0.437"'})
    default = run("check", path)
    assert "Numbers count as right within rel:0.0001% (each family's default)." in default.stdout
    loose = run("check", path, "--tolerance", "sig:3")
    assert "Numbers count as right within sig:3 (--tolerance)." in loose.stdout
    assert line_of(loose, "w_5_new") == "\u2713 e) w_5_new"
    bad = run("check", path, "--tolerance", "pct:3")
    assert bad.exit_code == 2 and "Tolerance 'pct:3' is not valid" in bad.stderr


def test_hostile_answers_are_invalid_blanks_and_never_crash(made, tmp_path):
    path = answers(made, "preset", tmp_path)
    fill(path, {("p1_forward_pass", "z_1"): '"' + "1" * 5000 + '"',
                ("p1_forward_pass", "h_1"): '"0.' + "5" * 5000 + '"',
                ("p1_forward_pass", "o_1"): '"1e9999"',
                ("p1_forward_pass", "o_2"): '"' + "9" * 41 + "/" + "3" * 41 + '"'})
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert line_of(result, "z_1").startswith('? a) z_1 = "1111111111111111111111111111111111111111\u2026": is not an '
                                             "answer (at most 100 characters and 40 digits)") or \
        "is not an answer" in line_of(result, "z_1")
    assert "is not an answer" in line_of(result, "h_1") and "is not an answer" in line_of(result, "o_2")
    assert line_of(result, "o_1") == (
        '? c) o_1 = "1e9999": "1e9999" is not an answer (at most 100 characters, 40 digits, a size between 1e-100 '
        "and 1e100); write one number such as 0.165")
    assert "1" * 100 not in result.stdout


def test_huge_answers_carried_through_the_chain_do_not_hang_the_check(made, tmp_path):
    import time

    path = answers(made, "preset", tmp_path)
    # sigma(-(-1e99)) = exp(1e99)-sized values downstream: never turned into exact numbers
    fill(path, {("p1_forward_pass", "z_1"): '"-1e99"', ("p3_hidden_update", "dE_dh_1"): '"9e99"',
                ("p3_hidden_update", "dh_1_dz_1"): '"-9e99"', ("p2_output_update", "dE_do_1"): '"1e-99"'})
    start = time.monotonic()
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start < 30
    assert line_of(result, "z_1").startswith('\u2717 a) z_1 = "-1e99"')


def test_one_hostile_file_never_stops_a_class_check(made, tmp_path):
    good = answers(made, "preset", tmp_path, name="good.toml")
    huge = tmp_path / "huge.toml"
    huge.write_text(good.read_text(encoding="utf-8").replace('z_1 = ""', "z_1 = " + "7" * 5000), encoding="utf-8")
    other = answers(made, "open", tmp_path, student="student-002", name="other.toml")
    result = run("check", huge, good, other, "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["file"] for r in rows] == [str(huge), str(good), str(other)]
    assert rows[0]["error"].startswith(f"'{huge}' cannot be read as TOML (Exceeds the limit (4300 digits)")
    assert rows[1]["error"] == "" and rows[2]["error"] == ""
    assert "internal error" not in result.stderr


# --- gradebook and class summary -------------------------------------------------------

def test_class_check_end_to_end_with_gradebook_and_summary(made, tmp_path):
    first = answers(made, "preset", tmp_path, name="a.toml")
    fill(first, {**WORKED, ("p2_output_update", "dE_dw_5"): '"0.10890969"'})  # no o1(1 - o1)
    second = answers(made, "preset", tmp_path, name="b.toml")
    fill(second, {("p2_output_update", "dE_dw_5"): '"0.10890969"', ("p1_forward_pass", "z_1"): '"0.08"'})
    broken = tmp_path / "c.toml"
    broken.write_text("not = [toml", encoding="utf-8")
    book = tmp_path / "book.csv"
    result = run("check", first, second, broken, "--gradebook", book)
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["id", "name", "p1_forward_pass", "p2_output_update", "p3_hidden_update",
                             "p4_training_step", "total", "out_of", "percent", "file", "error", "note"]
    assert [(r["id"], r["p1_forward_pass"], r["p2_output_update"], r["total"]) for r in rows[:2]] == [
        ("worked-example", "0", "3", "3"), ("worked-example", "1", "0", "1")]
    out_of = int(rows[0]["out_of"])
    assert out_of > 10 and rows[0]["percent"] == f"{100 * 3 / out_of:.1f}"
    # the same student's sheet handed in twice is said, in the gradebook and on stderr
    assert rows[0]["note"] == f"another answers file has this id: {second}"
    assert rows[1]["note"] == f"another answers file has this id: {first}"
    assert (f"Warning: 2 answers files carry the student id 'worked-example' ({first}, {second}); each is "
            "reported, so keep the one that counts.") in result.stderr
    assert rows[2]["file"] == str(broken) and rows[2]["error"].startswith(f"'{broken}' is not valid TOML")
    summary = result.stdout[result.stdout.index("Class summary"):].splitlines()
    assert summary[0] == "Class summary (per problem: share of answers right, most frequent named mistakes):"
    assert "  p2_output_update: 30% (3/10)" in summary
    assert "    2\u00d7 this is what you get if you leave out the sigmoid derivative o_1(1 - o_1)" in summary
    again = run("check", first, "--gradebook", book)
    assert again.exit_code == 1 and f"Output file '{book}' already exists; pass --force" in again.stderr


def test_a_class_check_with_the_manifest_lists_who_handed_in_nothing(made, tmp_path):
    manifest = made / "open" / "manifest.json"
    first = answers(made, "open", tmp_path, name="a.toml")
    copy = answers(made, "open", tmp_path, name="copy.toml")
    book = tmp_path / "book.csv"
    result = run("check", first, copy, first, "--manifest", manifest, "--gradebook", book)  # a file given twice counts once
    assert result.exit_code == 0, result.stderr
    assert ("Note: 1 of the manifest's 2 students has no answers file here: student-002 (the gradebook row "
            "is empty).") in result.stderr
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert [(r["id"], r["total"], r["note"]) for r in rows[2:]] == [("student-002", "", "no answers file was given")]
    assert rows[0]["note"] == f"another answers file has this id: {copy}"
    assert rows[1]["note"] == f"another answers file has this id: {first}"


def test_a_handed_in_file_that_cannot_be_read_is_its_students_not_a_missing_one(made, tmp_path):
    # a new user's trial: handin/s007/answers.toml broken by hand was reported as an error row
    # without id AND as "no answers file was given" for s007 (a zero for a student who handed in)
    manifest = made / "open" / "manifest.json"
    first = answers(made, "open", tmp_path, name="a.toml")
    folder = tmp_path / "handin" / "student-002"
    folder.mkdir(parents=True)
    broken = folder / "answers.toml"
    broken.write_text("[chainrule]\nformat = = 2\n", encoding="utf-8")  # its id line is gone too
    book = tmp_path / "book.csv"
    result = run("check", first, broken, "--manifest", manifest, "--gradebook", book)
    assert result.exit_code == 1
    assert "no answers file here" not in result.stderr
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert [(r["id"], r["file"], r["note"]) for r in rows] == [
        ("student-001", str(first), ""), ("student-002", str(broken), "")]
    assert rows[1]["error"].startswith(f"'{broken}' is not valid TOML")
    # the id line survives in a file broken elsewhere: the file's own id, wherever it lies
    other = tmp_path / "loose.toml"
    other.write_text('[chainrule]\nstudent_id = "student-002"\nkit_version = = "x"\n', encoding="utf-8")
    book.unlink()
    result = run("check", first, other, "--manifest", manifest, "--gradebook", book)
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert [(r["id"], r["file"]) for r in rows] == [("student-001", str(first)), ("student-002", str(other))]
    assert "no answers file here" not in result.stderr


def test_rounding_hint_only_when_rounded_intermediates_give_the_answer(made, tmp_path):
    path = answers(made, "preset", tmp_path)
    # by hand, every intermediate rounded to 3 digits: o1 = 0.609, dE/do1 = 0.209,
    # do1/dz3 = 0.609 * 0.391 = 0.238, dz3/dw5 = h1 = 0.520; 0.209 * 0.238 * 0.520 = 0.02586584
    fill(path, {("p2_output_update", "dE_dw_5"): '"0.02586584"',
                ("p3_hidden_update", "dE_dh_1"): '"0.02586584"'})  # the same number where it explains nothing
    result = run("check", path)
    assert line_of(result, "dE_dw_5") == (
        '\u2717 d) dE_dw_5 = "0.02586584": this is what you get from intermediate values rounded to 3 significant '
        "digits: carry more digits until the end")
    assert "rounded" not in line_of(result, "dE_dh_1")
    # a conceptual mistake is named, never put down to rounding
    fill(path, {("p2_output_update", "dE_dw_5"): '"0.10890969"'})
    assert "rounded" not in line_of(run("check", path), "dE_dw_5")


def test_a_hostile_practice_file_is_refused_in_one_line(made, tmp_path):
    path = answers(made, "practice", tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("[chainrule.practice.p1_forward_pass]")
    line_start = text.index("\n", text.index("salt = ", start)) + 1
    line_end = text.index("\n", line_start)
    key = text[line_start:line_end].split(" = ")[0]
    many = ", ".join('{hash = "00", hint = "x"}' for _ in range(5000))
    hostile = text[:line_start] + f'{key} = {{kind = "number", digits = [6], hashes = ["00"], mistakes = [{many}]}}' \
        + text[line_end:]
    path.write_text(hostile, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '{path}' has a broken practice entry for 'p1_forward_pass.{key}'; check the "
                             "answers.toml that chainrule generate wrote (its [chainrule] tables must stay as they "
                             "were).\n")


def test_deeply_nested_and_huge_files_are_reported_and_the_others_checked(made, tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("[chainrule]\nx = " + "[" * 3000 + "1" + "]" * 3000 + "\n", encoding="utf-8")
    big = tmp_path / "big.toml"
    big.write_bytes(b"a" * 3_000_000)
    good = answers(made, "preset", tmp_path, name="good.toml")
    result = run("check", deep, big, good)
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0] == (f"Error: '{deep}' cannot be read as TOML (maximum recursion depth exceeded); answers go "
                         'between quotes, e.g. z_1 = "0.165".')
    assert errors[1] == f"Error: '{big}' is larger than 2 MB; an answers.toml is a few kilobytes (is it the right file?)."
    assert result.stdout.splitlines()[-1] == "0 of 24 correct (0 wrong, 24 not answered, 0 invalid)"


def test_carry_forward_follows_a_question_named_apart_from_its_step():
    """regularization asks w_new for the step w_i,j^+: an update consistent with the
    student's own wrong R gets credit (w - eta (g + R), with their R)."""
    from checker.judge import judge

    for i in range(40):
        problem = core.make_problem("regularization", 3, f"r{i}")
        if "R" in {q.key for q in problem.questions}:
            break
    given = {g.name: Fraction(str(g.value)) for g in problem.givens}
    entry = next(s for s in problem.steps if s.name.endswith("^+"))
    w = given[entry.name[:-2]]     # w_i,j^+ -> w_i,j
    r_student = Fraction("0.0123")
    consistent = w - given["eta"] * (given["g"] + r_student)
    table = {"R": "0.0123", "w_new": format_number(consistent)}
    target = next(t for t in check.targets(problem, table, None, "en") if t.key == "w_new")
    verdict = judge(target, table["w_new"])
    assert (verdict.status, verdict.credit) == ("consistent", 1.0)
    assert verdict.message == "consistent with your R = 0.0123: credit carried forward"


def test_a_korean_practice_sheet_with_a_broken_hash_table_is_refused_in_korean(made, tmp_path):
    """Session 7's trial: a find-and-replace over the answer names also reaches the hash table
    (``z_1 = {kind = ...}``); a Korean sheet was then refused in English."""
    path = answers(made, "practice", tmp_path)
    text = path.read_text(encoding="utf-8").replace('lang = "en"', 'lang = "ko"')
    broken = text.replace('z_1 = {kind = "number"', 'z_1 = {kind = "nombre"', 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: '{path}'에 'p1_forward_pass.z_1'의 연습 해시 항목이 망가져 있다: chainrule generate가 쓴 answers.toml을 "
        "확인하시오 ([chainrule] 섹션은 쓰인 그대로 두어야 한다; 답의 이름을 바꾸어 쓰는 찾아 바꾸기가 그 섹션까지 "
        "바꾸었을 수 있다).\n")
    # the older format too
    path.write_text(text.replace('practice_scheme = "scrypt-1"', 'practice_scheme = "sha256-digits"'), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1 and "예전 형식의 연습 문제지라" in result.stderr


def test_a_practice_file_with_an_edited_student_id_names_the_variant_that_differs(made, tmp_path):
    """Session 7's trial: "gives problem 1 as 'p1_forward_pass' (... variant ccbb...), the
    manifest gives 'p1_forward_pass' (... variant 2126...)" read as if both were the same."""
    path = answers(made, "practice", tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('"student-001"', '"student-002"'), encoding="utf-8")
    manifest = json.loads((made / "practice" / "manifest.json").read_text(encoding="utf-8"))
    mine = manifest["students"][0]["problems"][0]
    theirs = manifest["students"][1]["problems"][0]
    result = run("check", path, "--manifest", made / "practice" / "manifest.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: '{path}' of student-002 gives problem 1 ('{mine['key']}', {mine['family']}) as variant "
        f"{mine['variant']}, but the manifest's variant for this student is {theirs['variant']}: its [chainrule] "
        "table was edited, or the file is another student's.")
