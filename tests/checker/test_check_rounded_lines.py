"""The key's promise: "a student who rounds each line before using it, as the course notes
do, may differ in the last digits and is still right". Where a sum nearly cancels,
rounding the earlier lines moves the answer by more than the tolerance (rel 1e-6); such an
answer is right, and so is anything between it and the exact answer, on open, graded and
practice sheets; a genuinely wrong answer there stays wrong.

The expected values are computed here from the key's printed line (its numbers parsed
from key.md, evaluated with Fractions) or by a hand-written chain of Decimal roundings,
never through the checker's own chain."""

import re
import tomllib
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest

from _check_helpers import fill, run

from chainrule_core import secret as course_secret
from checker import check, practice
from checker.judge import judge_practice
from checker.tolerance import default
from generator import core, registry, worksheets


def _key_line(key_md, problem, step_tex):
    """The worked line of ``step_tex`` in Problem ``problem`` of a key.md: (its substituted
    numbers, its printed result)."""
    section = key_md[key_md.index(f"\n## Problem {problem}. "):]
    line = next(l for l in section.splitlines() if l.startswith(f"- ${step_tex} = "))
    pieces = line.rstrip("$").split(" = ")
    return pieces[-2], pieces[-1]


def _evaluate(tex):
    """A key line's '0.7 + 1 \\cdot \\left(-0.69636681\\right)' evaluated exactly."""
    text = tex.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\cdot", "*").replace("\u2212", "-")
    assert re.fullmatch(r"[-+*/() 0-9.]+", text), text
    return eval(re.sub(r"\d+(?:\.\d+)?", lambda m: f"Fraction('{m.group(0)}')", text), {"Fraction": Fraction})


def _as_printed(x):
    """``x`` written by the sheets' rule (a decimal of at most 8 significant digits as it is;
    else 8 decimals between 0.01 and 1, else 8 significant digits, half up), by hand."""
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else Decimal(x)
        if len(d.normalize().as_tuple().digits) <= 8:
            return d.normalize()
        if Decimal("0.01") <= abs(d) < 1:
            return d.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
        return d.quantize(Decimal(1).scaleb(d.adjusted() - 7), rounding=ROUND_HALF_UP)


def _dec(value):
    """An exact given (a sympy Rational such as 1/10) as a Decimal."""
    x = Fraction(str(value))
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(x.numerator) / Decimal(x.denominator)


def _generate(tmp_path, student, seed, *extra):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id\n{student}\n", encoding="utf-8")
    out = tmp_path / "class"
    result = run("generate", "--students", roster, "--seed", seed, "--format", "md", "--out", out, "-j", "1", *extra)
    assert result.exit_code == 0, result.output
    return out / "keys" / student / "key.md", out / "students" / student / "answers.toml"


def _line(result, problem, key):
    block = result.stdout[result.stdout.index(f"({problem},"):]
    return next(l.strip() for l in block.splitlines() if re.match(rf"\s+\S+ \w\) {key}\b", l))


def test_batch_norm_from_the_keys_printed_line_is_right_seed_777_student_011(tmp_path):
    key_md, answers = _generate(tmp_path, "student-011", 777)
    numbers, result = _key_line(key_md.read_text(encoding="utf-8"), 11, "y_{2,1}")
    assert (numbers, result) == (r"0.7 + 1 \cdot \left(-0.69636681\right)", "0.0036331851")
    printed = _evaluate(numbers)
    assert printed == Fraction("0.00363319")
    exact = Fraction(result)
    assert abs(printed - exact) > Fraction(1, 10 ** 6) * exact  # outside the tolerance: the case at hand
    for written in ("0.00363319", "0.0036331900", "0.0036331875", "0.0036331851"):
        fill(answers, {("p11_batch_norm", "y_2_1"): f'"{written}"'})
        out = run("check", answers)
        assert _line(out, "p11_batch_norm", "y_2_1") == "\u2713 d) y_2_1", written
    # a student who rounds every line before using it: x^_2,1 from the rounded s_1
    s_1 = _as_printed(Decimal("0.55761").sqrt(ctx_prec(60)))
    assert str(s_1) == "0.74673288"
    xhat = _as_printed((Decimal("-1") - Decimal("-0.48")) / s_1)
    own = _as_printed(Decimal("0.7") + xhat)
    assert str(own) == "0.00363318"  # the other side of the exact answer
    fill(answers, {("p11_batch_norm", "y_2_1"): f'"{own}"'})
    assert _line(run("check", answers), "p11_batch_norm", "y_2_1") == "\u2713 d) y_2_1"
    # genuinely wrong near the cancellation: outside the band, on either side
    fill(answers, {("p11_batch_norm", "y_2_1"): '"0.00363330"'})
    assert _line(run("check", answers), "p11_batch_norm", "y_2_1") == (
        '\u2717 d) y_2_1 = "0.00363330": agrees to 4 significant digits, but not to the digits asked: '
        "if you rounded a value on the way (an activation, say), carry all its digits until the end")
    fill(answers, {("p11_batch_norm", "y_2_1"): '"0.00363317"'})
    assert _line(run("check", answers), "p11_batch_norm", "y_2_1").startswith('\u2717 d) y_2_1 = "0.00363317": ')
    fill(answers, {("p11_batch_norm", "y_2_1"): '"0.0036332"'})  # the right answer rounded: more digits
    assert _line(run("check", answers), "p11_batch_norm", "y_2_1") == (
        '\u2026 d) y_2_1 = "0.0036332": agrees to the 5 significant digits you gave; write more digits, rounded as '
        "the worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)")


def ctx_prec(digits):
    from decimal import Context

    return Context(prec=digits)


def test_training_step_from_the_keys_printed_line_is_right_seed_99_student_115(tmp_path):
    key_md, answers = _generate(tmp_path, "student-115", 99)
    numbers, result = _key_line(key_md.read_text(encoding="utf-8"), 4, "w^{+}_{9}")
    assert (numbers, result) == (r"0.05 - 1 \cdot 0.04725928", "0.0027407156")
    printed = _evaluate(numbers)
    assert printed == Fraction("0.00274072")
    exact = Fraction(result)
    assert abs(printed - exact) > Fraction(1, 10 ** 6) * exact
    fill(answers, {("p4_training_step", "w_9_new"): '"0.00274072"'})
    assert _line(run("check", answers), "p4_training_step", "w_9_new") == "\u2713 j) w_9_new"
    fill(answers, {("p4_training_step", "w_9_new"): '"0.00274080"'})
    assert _line(run("check", answers), "p4_training_step", "w_9_new") == (
        '\u2717 j) w_9_new = "0.00274080": agrees to 4 significant digits, but not to the digits asked: '
        "if you rounded a value on the way (an activation, say), carry all its digits until the end")


SECRET = "3f1c0b7e9a5d42c6b8e1f0a9d3c7b2e4"


def test_a_graded_sheet_keeps_the_promise_too(tmp_path):
    """Graded (course secret), batch_norm of student-089: a student who rounds the mean,
    the variance, the divisor and x^_3,1 as the key prints them gets y_3,1 0.6e-6 off."""
    path = tmp_path / "course.secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    secret = course_secret.load(path)
    plan = worksheets.sheet_plan(registry.names(), None)
    sheet = worksheets.build_sheet(worksheets.Student("student-089"), 2024, plan, secret=secret)
    text = worksheets.answers_toml(sheet, 2024, "en", None, mode="graded", fingerprint=course_secret.fingerprint(secret))
    key = next(k for k in sheet.keys if k.endswith("_batch_norm"))
    problem = sheet.problems[sheet.keys.index(key)]
    given = {g.name: _dec(g.value) for g in problem.givens}
    assert [given[f"x_{i},1"] for i in (1, 2, 3)] == [Decimal("-0.1"), Decimal("2.2"), Decimal("2")]
    # every line rounded as printed, by hand
    with localcontext() as ctx:
        ctx.prec = 60
        xs = [given[f"x_{i},1"] for i in (1, 2, 3)]
        mu = _as_printed(sum(xs) / 3)
        var = _as_printed(sum((x - mu) ** 2 for x in xs) / 3)
        sd = _as_printed((given["epsilon"] + var).sqrt())
        xhat = _as_printed((xs[2] - mu) / sd)
        y = _as_printed(given["beta_1"] + given["gamma_1"] * xhat)
    assert (str(mu), str(sd)) == ("1.3666667", "1.0403039")
    exact = check.exact_value(next(q.answer for q in problem.questions if q.key == "y_3_1"))
    assert not default(1e-6, 1e-9).accepts(Fraction(y), exact)  # the case at hand
    data = tomllib.loads(text)
    data[key]["y_3_1"] = str(y)
    data[key]["y_2_1"] = "0.0305"  # another blank, wrong
    report = check.check_data(data, "answers.toml", check.Options(secret=secret))
    verdicts = {v.key: v for v in report.problems[sheet.keys.index(key)].verdicts}
    assert verdicts["y_3_1"].status == "correct"
    assert verdicts["y_2_1"].status == "wrong"
    data[key]["y_3_1"] = "0.03055560"
    report = check.check_data(data, "answers.toml", check.Options(secret=secret))
    assert {v.key: v for v in report.problems[sheet.keys.index(key)].verdicts}["y_3_1"].status == "wrong"


def test_carried_forward_credit_follows_the_keys_rounding_too():
    """The value right given the student's own wrong earlier answer, where the other lines
    rounded as the key prints them move it past the tolerance: still carried forward."""
    problem = core.make_problem("batch_norm", 777, "student-011")
    # a wrong mean; the variance, s_1 and x^_2,1 the student gets from it, each rounded, by hand
    with localcontext() as ctx:
        ctx.prec = 60
        xs = [Decimal(v) for v in ("0.1", "-1", "-1.7", "0", "0.2")]
        mu, eps = Decimal("-0.4789"), Decimal("0.00001")
        exact = Decimal("0.7") + (xs[1] - mu) / (eps + sum((x - mu) ** 2 for x in xs) / 5).sqrt()
        var = _as_printed(sum((x - mu) ** 2 for x in xs) / 5)
        sd = _as_printed((eps + var).sqrt())
        y = _as_printed(Decimal("0.7") + _as_printed((xs[1] - mu) / sd))
    assert str(y) == "0.00216085"
    assert not default(1e-6, 1e-9).accepts(Fraction(y), Fraction(exact))  # the case at hand
    from checker.judge import judge

    for written in (str(y), str(_as_printed(exact))):
        table = {"mu_1": "-0.4789", "y_2_1": written}
        target = next(t for t in check.targets(problem, table, None, "en") if t.key == "y_2_1")
        verdict = judge(target, written)
        assert (verdict.status, verdict.message) == (
            "consistent", "consistent with your mu_1 = -0.4789: credit carried forward"), written
    assert judge(target, "0.00216100").status == "wrong"


def test_practice_sheets_fail_the_same_way_and_keep_the_band():
    """Practice sheets judge at 6 significant digits (one unit either way): a deeper
    cancellation (batch_norm, seed 99, student s138: y_4,2 = 0.000105161...) is 9 units off
    when each line is rounded as printed. With the band's hashes it is right."""
    problem = core.make_problem("batch_norm", 99, "s138")
    xhat = next(s for s in problem.steps if s.name == "xhat_4,2")
    given = {g.name: _dec(g.value) for g in problem.givens}
    # the key's line for y_4,2: beta_2 + gamma_2 * (x^_4,2 as printed)
    printed = Fraction(given["beta_2"] + given["gamma_2"] * _as_printed(Decimal(str(xhat.value.evalf(50)))))
    assert printed == Fraction("0.00010517")
    exact = check.exact_value(next(q.answer for q in problem.questions if q.key == "y_4_2"))
    assert str(_as_printed(Fraction(exact))) == "0.00010516140"
    salt = practice.salt(99, "s138", "p1_batch_norm", problem.variant)
    bands = check.printed_bands(problem)
    plain = practice.spec("number", "y_4_2", exact, salt)
    kept = practice.spec("number", "y_4_2", exact, salt, band=bands["y_4_2"])
    assert practice.valid_spec(kept) and 1 <= len(kept["band"]) <= practice.MAX_BAND
    assert judge_practice("y_4_2", plain, salt, "0.00010517").status == "wrong"  # the failure, without the band
    for written in ("0.00010517", "0.000105165", "0.0001051614", "0.00010516140"):
        assert judge_practice("y_4_2", kept, salt, written).status == "correct", written
    for written in ("0.00010520", "0.00010510", "-0.00010517"):
        assert judge_practice("y_4_2", kept, salt, written).status == "wrong", written
    # the hashes of the band never put a number in clear, and a broken band is refused
    assert "0.000105" not in repr(kept) and "10517" not in repr(kept)
    assert not practice.valid_spec(dict(kept, band=["x"] * (practice.MAX_BAND + 1)))
    assert not practice.valid_spec(dict(kept, band="0"))


def test_a_generated_practice_sheet_keeps_the_band():
    plan = [("p1_batch_norm", "batch_norm", 0)]
    sheet = worksheets.build_sheet(worksheets.Student("s138"), 99, plan)
    data = tomllib.loads(worksheets.answers_toml(sheet, 99, "en", None, mode="practice"))
    data["p1_batch_norm"]["y_4_2"] = "0.00010517"
    report = check.check_data(data, "answers.toml")
    assert {v.key: v.status for v in report.problems[0].verdicts}["y_4_2"] == "correct"
