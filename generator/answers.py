"""``chainrule check``: judge a student's answers.toml against their own variants.

The answers file (written by ``generator.worksheets.answers_toml``) names the course seed,
the student id and, per problem, the family, its occurrence and the variant id. Checking
regenerates every problem from those (or from the preset), refuses a file whose variant
ids this kit does not reproduce, and judges each blank:

- ``correct``: within the question's ``rtol``/``atol`` of the exact answer (numbers),
  equal (integers), the right key (choices, case-insensitive);
- ``wrong``: a value that was read but is not right, with a hint that never reveals the
  answer ("wrong sign", "agrees to 3 significant digits: ...");
- ``unanswered``: an empty blank or a missing key;
- ``invalid``: something that is not an answer of the asked kind ("0,4.3", two numbers,
  an unknown choice key); it gets a format message and costs nothing beyond being
  unanswered.

Numbers are compared in exact rational arithmetic (the student's decimal is read exactly,
the answer is evaluated to 40 digits), so the verdict is the same on every machine.
This module reads files and returns results and report texts; it never prints.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from chainrule_core import __version__
from chainrule_core.errors import ChainruleError

#: The answers-file layout this module reads (``format = 1`` in the [chainrule] table).
ANSWERS_FORMAT = 1
STATUSES = ("correct", "wrong", "unanswered", "invalid")
#: Report formats of ``chainrule check``.
REPORT_FORMATS = ("text", "json", "csv")
#: Version of the JSON report's layout.
JSON_SCHEMA = 1
#: Significant digits the worksheets ask for (generator.numbers.SIGNIFICANT).
ASKED_DIGITS = 8
_ANSWER_DIGITS = 40

MARKERS = {
    True: {"correct": "\u2713", "wrong": "\u2717", "unanswered": "\u00b7", "invalid": "?"},
    False: {"correct": "+", "wrong": "x", "unanswered": "-", "invalid": "?"},
}

# --- messages (English and Korean; the file's lang chooses) --------------------------

MESSAGES = {
    "unanswered": ("not answered", "답하지 않음"),
    "not_a_number": (
        "{given} is not a number; write one number such as 0.165, -2.5e-3 or 1/3 (a decimal point, not a comma)",
        "{given}은(는) 수가 아니다; 0.165, -2.5e-3, 1/3처럼 수 하나를 쓰시오 (쉼표가 아닌 소수점)",
    ),
    "not_a_choice": (
        "{given} is not one of the choices; write one of {keys}",
        "{given}은(는) 보기에 없다; {keys} 중 하나를 쓰시오",
    ),
    "wrong_choice": ("not the right choice", "맞는 보기가 아니다"),
    "wrong_sign": ("wrong sign", "부호가 틀렸다"),
    "wrong_sign_and": ("wrong sign; apart from the sign, {hint}", "부호가 틀렸다; 부호를 빼면 {hint}"),
    "too_few_digits": (
        "agrees to the {k} significant {digits} you gave; write more digits, rounded as the worksheet says "
        "(8 decimals between 0.01 and 1, else 8 significant digits)",
        "쓴 유효숫자 {k}자리까지 맞는다; 문제지의 규칙대로 더 많은 자릿수를 쓰시오 "
        "(0.01과 1 사이는 소수점 아래 8자리, 그 밖에는 유효숫자 8자리)",
    ),
    "agrees_to": (
        "agrees to {k} significant digits: did you round an intermediate value?",
        "유효숫자 {k}자리까지 맞는다: 중간값을 반올림하지 않았는가?",
    ),
    "not_within": (
        "not the right value (an answer must agree to about {k} significant digits)",
        "맞는 값이 아니다 (답은 유효숫자 약 {k}자리까지 맞아야 한다)",
    ),
    "not_right_value": ("not the right value", "맞는 값이 아니다"),
    "not_whole": (
        "not a whole number; this question asks for an integer",
        "정수가 아니다; 이 질문의 답은 정수다",
    ),
    "wrong_integer": ("not the right number", "맞는 수가 아니다"),
    "unknown_key": (
        "unknown key '{key}' in [{table}] (not checked); its keys are {keys}",
        "[{table}]에 모르는 키 '{key}' (확인하지 않음); 키는 {keys}",
    ),
    "unknown_key_close": (
        "unknown key '{key}' (did you mean '{close}'?) in [{table}]; it is not checked",
        "모르는 키 '{key}' ('{close}'을(를) 뜻했는가?) [{table}]; 확인하지 않음",
    ),
    "unknown_lang": (
        "unknown lang {code} in the [chainrule] table; checking in English",
        "unknown lang {code} in the [chainrule] table; checking in English",
    ),
    "checked_problems": (
        "Checked {n} {problems}: {keys}",
        "확인한 문제 {n}개: {keys}",
    ),
    "unknown_table": (
        "the file has no problem '{key}' (ignored); its problems are {keys}",
        "'{key}' 문제는 없다 (무시함); 문제는 {keys}",
    ),
    "header": (
        "Checked {source}: student {student}, course seed {seed}",
        "{source} 확인: 학생 {student}, 과정 시드 {seed}",
    ),
    "header_preset": (
        "Checked {source}: preset {preset}",
        "{source} 확인: 프리셋 {preset}",
    ),
    "problem": (
        "Problem {number}. {title}  ({key}, variant {variant}): {correct} of {total}",
        "문제 {number}. {title}  ({key}, 변형 {variant}): {total}문항 중 {correct}문항 정답",
    ),
    "note": ("Note: {text}", "참고: {text}"),
    "total": (
        "{correct} of {total} correct ({unanswered} not answered, {invalid} invalid)",
        "{total}문항 중 {correct}문항 정답 (답하지 않음 {unanswered}, 형식 오류 {invalid})",
    ),
    "class_total": (
        "All {files} files: {correct} of {total} correct ({unanswered} not answered, {invalid} invalid)",
        "파일 {files}개 전체: {total}문항 중 {correct}문항 정답 (답하지 않음 {unanswered}, 형식 오류 {invalid})",
    ),
}


def message(lang: str, name: str, **slots) -> str:
    pair = MESSAGES[name]
    return (pair[1] if lang == "ko" else pair[0]).format(**slots)


# --- results -------------------------------------------------------------------------

@dataclass
class Verdict:
    """The judgement of one blank. ``given`` is what the student wrote, as shown in
    reports (None when the blank is empty or missing); never the expected answer."""

    key: str
    letter: str
    kind: str
    status: str
    given: Optional[str] = None
    message: str = ""
    #: what the student wrote, without TOML quotes ("0.165" for both "0.165" and 0.165)
    written: Optional[str] = None
    #: the TOML type of what they wrote: string, integer, float, boolean, array, table
    toml_type: Optional[str] = None


@dataclass
class ProblemResult:
    key: str
    number: int
    family: str
    variant: str
    title: str
    verdicts: List[Verdict]
    #: keys in the problem's table that are not its questions (a typo such as z1 for z_1)
    notes: List[str] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(v.status == "correct" for v in self.verdicts)


@dataclass
class Report:
    """Everything ``chainrule check`` found in one answers file."""

    source: str
    student_id: str
    student_name: str
    course_seed: int
    lang: str
    preset: Optional[str]
    kit_version: str
    problems: List[ProblemResult]
    notes: List[str] = field(default_factory=list)

    def verdicts(self) -> List[Verdict]:
        return [v for p in self.problems for v in p.verdicts]

    def count(self, status: str) -> int:
        return sum(v.status == status for v in self.verdicts())

    @property
    def total(self) -> int:
        return len(self.verdicts())

    @property
    def correct(self) -> int:
        return self.count("correct")

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    def summary(self) -> Dict[str, Any]:
        return {
            "correct": self.correct, "wrong": self.count("wrong"), "unanswered": self.count("unanswered"),
            "invalid": self.count("invalid"), "total": self.total, "percent": round(self.percent, 2),
        }


# --- reading numbers -------------------------------------------------------------------

_DECIMAL = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?"  # exponents: 4 digits at most
_NUMBER = re.compile(rf"^([+-]?)\s*({_DECIMAL})$")
_FRACTION = re.compile(rf"^([+-]?)\s*({_DECIMAL})\s*/\s*({_DECIMAL})$")


class NotAnAnswer(ValueError):
    """A value that cannot be read as an answer of the asked kind (``invalid``)."""


@dataclass(frozen=True)
class Reading:
    """A number as the student wrote it: its exact value and how many significant
    digits they gave (None for a fraction, which is exact)."""

    value: Fraction
    digits: Optional[int]


def _significant_digits(decimal_text: str) -> int:
    mantissa = re.split(r"[eE]", decimal_text)[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0")  # 2000: the zeros only place the point
    return max(1, len(digits))


def read_number(value: Any) -> Reading:
    """The number in a TOML value: a TOML integer or float, or a string holding a
    decimal (``0.437``, ``-2.5e-3``, ``+.5``) or a fraction (``1/3``) with optional
    spaces around it. Raises ``NotAnAnswer`` otherwise."""
    if isinstance(value, bool):
        raise NotAnAnswer("a boolean")
    if isinstance(value, int):
        return Reading(Fraction(value), _significant_digits(str(abs(value))))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotAnAnswer("not finite")
        return Reading(Fraction(repr(value)), _significant_digits(repr(abs(value))))
    if not isinstance(value, str):
        raise NotAnAnswer("not a string or a number")
    text = value.strip().replace("\u2212", "-")  # a typographic minus pasted from a sheet
    match = _NUMBER.match(text)
    if match:
        sign, number = match.groups()
        exact = Fraction(number)
        return Reading(-exact if sign == "-" else exact, _significant_digits(number))
    match = _FRACTION.match(text)
    if match:
        sign, top, bottom = match.groups()
        if Fraction(bottom) == 0:
            raise NotAnAnswer("division by zero")
        exact = Fraction(top) / Fraction(bottom)
        return Reading(-exact if sign == "-" else exact, None)
    raise NotAnAnswer("not a number")


def exact_value(answer) -> Fraction:
    """The exact answer as a Fraction: exact for rationals, else to 40 digits."""
    if isinstance(answer, int) and not isinstance(answer, bool):
        return Fraction(answer)
    import sympy as sp

    answer = sp.sympify(answer)
    if answer.is_Rational:
        return Fraction(int(answer.p), int(answer.q))
    approx = sp.N(answer, _ANSWER_DIGITS)
    if approx.is_Rational:  # an exact zero comes back as sympy's Zero
        return Fraction(int(approx.p), int(approx.q))
    if not isinstance(approx, sp.Float):
        raise ChainruleError(f"The answer {answer} is not a real number; this is a bug in its problem family.")
    from mpmath.libmp import to_str

    return Fraction(Decimal(to_str(approx._mpf_, _ANSWER_DIGITS)))


def _exponent(x: Fraction) -> int:
    """floor(log10 |x|) for x != 0, exactly."""
    with localcontext() as ctx:
        ctx.prec = 60
        e = (Decimal(abs(x.numerator)) / Decimal(x.denominator)).adjusted()
    # the 60-digit quotient can round up to the next power of ten; correct exactly
    if Fraction(10) ** e > abs(x):
        e -= 1
    elif Fraction(10) ** (e + 1) <= abs(x):
        e += 1
    return e


def agreeing_digits(x: Fraction, answer: Fraction, limit: int = 17) -> int:
    """The largest k such that |x - answer| is at most half a unit of the answer's k-th
    significant digit (0 when not even the first digit agrees)."""
    if answer == 0:
        return 0
    e = _exponent(answer)
    diff = abs(x - answer)
    k = 0
    while k < limit and diff <= Fraction(1, 2) * Fraction(10) ** (e - k):
        k += 1
    return k


def _within(x: Fraction, answer: Fraction, rtol: float, atol: float) -> bool:
    return abs(x - answer) <= Fraction(atol) + Fraction(rtol) * abs(answer)


def _shown(value: Any) -> str:
    """The student's value as the report quotes it (TOML syntax)."""
    from generator.worksheets import toml_string

    if isinstance(value, str):
        return toml_string(value.strip())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    return toml_string(str(value))


def _written(value: Any) -> Tuple[str, str]:
    """What the student wrote, without TOML quotes, and its TOML type."""
    if isinstance(value, str):
        return value, "string"
    if isinstance(value, bool):
        return ("true" if value else "false"), "boolean"
    if isinstance(value, int):
        return str(value), "integer"
    if isinstance(value, float):
        return repr(value), "float"
    if isinstance(value, list):
        return _shown(value), "array"
    if isinstance(value, dict):
        return _shown(value), "table"
    return str(value), type(value).__name__


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _tolerance_digits(rtol: float) -> Optional[int]:
    """The significant digits a relative tolerance asks for (1e-6: 6), None when it is 0."""
    if not rtol or rtol <= 0:
        return None
    return max(1, round(-math.log10(rtol)))


# --- judging one blank ---------------------------------------------------------------

def judge(question, value: Any, letter: str = "", lang: str = "en") -> Verdict:
    """The verdict on ``value`` (a TOML value, None when missing) for ``question``
    (a ``generator.model.Question``)."""
    verdict = Verdict(question.key, letter, question.kind, "unanswered")
    if _blank(value):
        verdict.message = message(lang, "unanswered")
        return verdict
    verdict.given = _shown(value)
    verdict.written, verdict.toml_type = _written(value)
    if question.kind == "choice":
        return _judge_choice(question, value, verdict, lang)
    try:
        reading = read_number(value)
    except NotAnAnswer:
        verdict.status = "invalid"
        verdict.message = message(lang, "not_a_number", given=verdict.given)
        return verdict
    answer = exact_value(question.answer)
    x = reading.value
    if question.kind == "integer":
        if x == answer:
            verdict.status = "correct"
            return verdict
        verdict.status = "wrong"
        if x.denominator != 1:
            verdict.message = message(lang, "not_whole")
        elif x != 0 and -x == answer:
            verdict.message = message(lang, "wrong_sign")
        else:
            verdict.message = message(lang, "wrong_integer")
        return verdict
    if _within(x, answer, question.rtol, question.atol):
        verdict.status = "correct"
        return verdict
    verdict.status = "wrong"
    verdict.message = _hint(reading, answer, question, lang)
    return verdict


def _hint(reading: Reading, answer: Fraction, question, lang: str) -> str:
    """How close a wrong number is, without giving the answer away."""
    x = reading.value
    if x != 0 and answer != 0 and (x < 0) != (answer < 0):
        if _within(-x, answer, question.rtol, question.atol):
            return message(lang, "wrong_sign")
        size = _closeness(Reading(-x, reading.digits), answer, lang)
        if size:
            return message(lang, "wrong_sign_and", hint=size)
    closeness = _closeness(reading, answer, lang)
    if closeness:
        return closeness
    digits = _tolerance_digits(question.rtol)
    if digits is None:
        return message(lang, "not_right_value")
    return message(lang, "not_within", k=digits)


#: A wrong number gets "did you round an intermediate value?" only from this many
#: agreeing significant digits on: fewer is as likely a wrong formula as a rounding slip.
ROUNDING_HINT_FROM = 4


def _closeness(reading: Reading, answer: Fraction, lang: str) -> Optional[str]:
    """"agrees to ..." for a value near the answer: the answer rounded or truncated to
    the digits given, or a value agreeing to ROUNDING_HINT_FROM digits or more (None
    otherwise)."""
    x = reading.value
    if reading.digits is not None and reading.digits < ASKED_DIGITS and x != 0:
        # the answer rounded or truncated to the digits given: too few digits, not a slip
        unit = Fraction(10) ** (_exponent(x) - reading.digits + 1)
        rounded = abs(x - answer) <= unit / 2
        truncated = (x > 0) == (answer > 0) and abs(x) <= abs(answer) < abs(x) + unit
        if rounded or truncated:
            digits = "digit" if reading.digits == 1 else "digits"
            return message(lang, "too_few_digits", k=reading.digits, digits=digits)
    k = agreeing_digits(x, answer)
    if k >= ROUNDING_HINT_FROM:
        return message(lang, "agrees_to", k=k)
    return None


def _normal_choice(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().casefold())


def _judge_choice(question, value: Any, verdict: Verdict, lang: str) -> Verdict:
    keys = list(question.choices)
    chosen = None
    if isinstance(value, str):
        wanted = _normal_choice(value)
        chosen = next((k for k in keys if _normal_choice(k) == wanted), None)
    if chosen is None:
        verdict.status = "invalid"
        verdict.message = message(lang, "not_a_choice", given=verdict.given, keys=", ".join(keys))
    elif chosen == question.answer:
        verdict.status = "correct"
    else:
        verdict.status = "wrong"
        verdict.message = message(lang, "wrong_choice")
    return verdict


# --- reading and regenerating a file ---------------------------------------------------

def read_toml(path) -> Dict[str, Any]:
    """The parsed answers file; a one-line ChainruleError for anything unreadable."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the same parser, installed as tomli (setup.cfg)
        try:
            import tomli as tomllib
        except ImportError:
            raise ChainruleError(
                "chainrule check needs a TOML reader: use Python 3.11 or later, or run 'pip install tomli'."
            ) from None
    path = Path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ChainruleError(f"'{path}' is a folder, not an answers.toml file.") from None
    except OSError as exc:
        raise ChainruleError(f"Cannot read '{path}': {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ChainruleError(f"'{path}' is not UTF-8 text (line {line}); save it as UTF-8.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChainruleError(
            f"'{path}' is not valid TOML: {exc}; answers go between quotes, e.g. z_1 = \"0.165\"."
        ) from None


def _meta_error(source: str, what: str) -> ChainruleError:
    return ChainruleError(
        f"'{source}' has {what}; check the answers.toml that chainrule generate wrote (its [chainrule] tables must stay as they were)."
    )


def _require(meta: dict, name: str, kind, source: str):
    value = meta.get(name)
    if value is None:
        raise _meta_error(source, f"no '{name}' in its [chainrule] table")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _meta_error(source, f"an invalid '{name}' ({_shown(value)}) in its [chainrule] table")
    return value


def regenerate(data: Dict[str, Any], source: str = "answers.toml") -> Tuple[Dict[str, Any], List[Tuple[str, Any]]]:
    """The file's identification and its problems rebuilt by this kit: (meta, [(key, Problem)]).

    Raises a one-line ChainruleError when the [chainrule] tables are missing or broken, or
    when a problem's variant id is not the one this kit makes for it (an edited file or
    another kit version): the answers would be judged against another problem."""
    from generator import core, i18n, registry

    meta = data.get("chainrule")
    if not isinstance(meta, dict):
        raise _meta_error(source, "no [chainrule] table")
    version = meta.get("format", ANSWERS_FORMAT)
    if version != ANSWERS_FORMAT:
        raise ChainruleError(
            f"'{source}' is answers format {_shown(version)}, but this chainrule ({__version__}) reads format "
            f"{ANSWERS_FORMAT}; check it with the chainrule version that made it."
        )
    seed = _require(meta, "course_seed", int, source)
    if seed < 0:
        raise _meta_error(source, f"an invalid 'course_seed' ({seed}) in its [chainrule] table")
    student = _require(meta, "student_id", str, source)
    keys = _require(meta, "problems", list, source)
    variants = _require(meta, "variants", dict, source)
    if not keys or not all(isinstance(k, str) for k in keys) or len(set(keys)) != len(keys):
        raise _meta_error(source, "an invalid 'problems' list in its [chainrule] table")
    lang = meta.get("lang", "en")
    preset = meta.get("preset")
    kit = meta.get("kit_version", "unknown")
    preset_items = None
    if preset is not None:
        from generator import presets

        if not isinstance(preset, str) or preset not in presets.PRESETS:
            raise _meta_error(source, f"an unknown preset {_shown(preset)}")
        preset_items = presets.load(preset)
        if len(preset_items) != len(keys):
            raise _meta_error(source, f"{len(keys)} problems where the preset {preset} has {len(preset_items)}")
    problems = []
    for index, key in enumerate(keys):
        info = variants.get(key)
        if not isinstance(info, dict):
            raise _meta_error(source, f"no [chainrule.variants.{key}] table for problem '{key}'")
        family = info.get("family")
        variant = info.get("variant")
        occurrence = info.get("occurrence", 0)
        if not isinstance(family, str) or not isinstance(variant, str):
            raise _meta_error(source, f"no family or variant for problem '{key}'")
        if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 0:
            raise _meta_error(source, f"an invalid occurrence ({_shown(occurrence)}) for problem '{key}'")
        if family not in registry.FAMILIES:
            if kit == __version__:  # the same kit made it: the tables were edited
                raise ChainruleError(
                    f"'{source}': problem '{key}' is of family '{family}', which chainrule does not have; the "
                    "[chainrule] tables were edited. Copy your answers into the answers.toml that came with your "
                    "worksheet."
                )
            raise ChainruleError(
                f"'{source}': problem '{key}' is of family '{family}', which this chainrule ({__version__}) does not "
                f"have (the file was made by {kit}); check it with the chainrule version that made it."
            )
        if preset_items is not None:
            made_family, params = preset_items[index]
            problem = core.make_problem(made_family, seed, student, params=params, variant=preset)
        else:
            problem = core.make_problem(family, seed, student, occurrence)
        if (problem.family != family or problem.variant != variant) and kit == __version__:
            raise ChainruleError(
                f"'{source}': problem '{key}' is {family} variant {variant} in the file, but chainrule makes "
                f"{problem.family} variant {problem.variant} for it; the [chainrule] tables were edited. Copy your "
                "answers into the answers.toml that came with your worksheet."
            )
        if problem.family != family or problem.variant != variant:
            raise ChainruleError(
                f"'{source}': problem '{key}' is {family} variant {variant} in the file, but this chainrule "
                f"({__version__}) makes {problem.family} variant {problem.variant} for it; the [chainrule] tables "
                f"were edited or the file was made by chainrule {kit}. Copy your answers into the answers.toml "
                "that came with your worksheet, or check with the chainrule version that made it."
            )
        problems.append((key, problem))
    notes = []
    if lang not in i18n.LANGUAGES:
        shown = f"'{lang}'" if isinstance(lang, str) else _shown(lang)
        notes.append(message("en", "unknown_lang", code=shown))
        lang = "en"
    ident = {
        "student_id": student, "student_name": meta.get("student_name", "") if isinstance(meta.get("student_name"), str) else "",
        "course_seed": seed, "lang": lang, "preset": preset, "kit_version": kit if isinstance(kit, str) else str(kit),
        "notes": notes,
        "listed": [
            (key, variants[key]["family"], variants[key].get("occurrence", 0), variants[key]["variant"]) for key in keys
        ],
    }
    return ident, problems


# --- the class manifest (chainrule check --manifest) -----------------------------------

@dataclass
class Manifest:
    """What ``chainrule generate`` wrote in manifest.json, as far as checking needs it:
    per student id the problems (key, family, occurrence, variant) in sheet order."""

    path: str
    course_seed: int
    preset: Optional[str]
    students: Dict[str, List[Tuple[str, str, int, str]]]


def load_manifest(path) -> Manifest:
    """Read the manifest.json of ``chainrule generate``; a one-line ChainruleUsageError
    (a bad --manifest is a bad invocation) when it is not one."""
    from chainrule_core.errors import ChainruleUsageError

    path = Path(path)
    bad = f"'{path}' is not a manifest.json written by chainrule generate"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChainruleUsageError(f"Cannot read the manifest '{path}': {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChainruleUsageError(f"{bad} (it is not JSON: {exc}); give the manifest.json of the class.") from None
    try:
        seed = data["course_seed"]
        preset = data.get("preset")
        students = {}
        for student in data["students"]:
            students[student["id"]] = [
                (p["key"], p["family"], p.get("occurrence", 0), p["variant"]) for p in student["problems"]
            ]
        if not isinstance(seed, int) or isinstance(seed, bool) or not (preset is None or isinstance(preset, str)):
            raise TypeError
    except (KeyError, TypeError, AttributeError):
        raise ChainruleUsageError(
            f"{bad} (it has no course_seed, preset and students with their problems); give the manifest.json of the class."
        ) from None
    return Manifest(str(path), seed, preset, students)


def against_manifest(ident: Dict[str, Any], manifest: Manifest, source: str) -> None:
    """Refuse (one-line ChainruleError) a file whose student, course seed, preset or list
    of problems and variants is not exactly the manifest's for that student."""
    student = ident["student_id"]
    if student not in manifest.students:
        raise ChainruleError(
            f"'{source}' is the answers file of '{student}', who is not a student of the manifest "
            f"'{manifest.path}': it belongs to another class or its [chainrule] table was edited."
        )
    who = f"'{source}' of {student}"
    if ident["course_seed"] != manifest.course_seed:
        raise ChainruleError(
            f"{who} has course seed {ident['course_seed']}, the manifest gives {manifest.course_seed}: "
            "its [chainrule] table was edited or it belongs to another class."
        )
    if ident["preset"] != manifest.preset:
        raise ChainruleError(
            f"{who} has preset {ident['preset'] or 'none'}, the manifest gives {manifest.preset or 'none'}: "
            "it is not the sheet this student was given."
        )
    listed, given = ident["listed"], manifest.students[student]
    if len(listed) != len(given):
        what = "removed from" if len(listed) < len(given) else "added to"
        raise ChainruleError(
            f"{who} lists {len(listed)} problems, the manifest gives {len(given)}: problems were {what} its "
            "[chainrule] table."
        )
    for number, (mine, theirs) in enumerate(zip(listed, given), start=1):
        if tuple(mine) != tuple(theirs):
            raise ChainruleError(
                f"{who} gives problem {number} as '{mine[0]}' ({mine[1]} variant {mine[3]}, occurrence {mine[2]}), "
                f"the manifest gives '{theirs[0]}' ({theirs[1]} variant {theirs[3]}, occurrence {theirs[2]}): "
                "its [chainrule] table was edited."
            )


def check_data(data: Dict[str, Any], source: str = "answers.toml", manifest: Optional[Manifest] = None) -> Report:
    """Judge every blank of a parsed answers file (refused when it does not match
    ``manifest``, if given)."""
    from generator.render import Plain, letter

    ident, problems = regenerate(data, source)
    if manifest is not None:
        against_manifest(ident, manifest, source)
    lang = ident["lang"]
    plain = Plain()
    results = []
    notes = list(ident["notes"])
    for number, (key, problem) in enumerate(problems, start=1):
        table = data.get(key, {})
        if not isinstance(table, dict):
            raise _meta_error(source, f"'{key}' as a value where the answers of problem '{key}' belong in a [{key}] table")
        verdicts = [
            judge(question, table.get(question.key), letter(i), lang)
            for i, question in enumerate(problem.questions)
        ]
        asked = [q.key for q in problem.questions]
        extras = [_unknown_key_note(lang, key, extra, asked) for extra in table if extra not in asked]
        title = " ".join(plain.text(problem.title, lang, problem.display).split())
        results.append(ProblemResult(key, number, problem.family, problem.variant, title, verdicts, extras))
    known = [key for key, _problem in problems]
    for extra in data:
        if extra != "chainrule" and extra not in known:
            notes.append(message(lang, "unknown_table", key=extra, keys=", ".join(known)))
    return Report(
        source=source, student_id=ident["student_id"], student_name=ident["student_name"],
        course_seed=ident["course_seed"], lang=lang, preset=ident["preset"], kit_version=ident["kit_version"],
        problems=results, notes=notes,
    )


def _unknown_key_note(lang: str, table: str, key: str, asked: List[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, asked, n=1)
    if close:
        return message(lang, "unknown_key_close", table=table, key=key, close=close[0])
    return message(lang, "unknown_key", table=table, key=key, keys=", ".join(asked))


def check_file(path, manifest: Optional[Manifest] = None) -> Report:
    """Read, regenerate and judge one answers file."""
    return check_data(read_toml(path), str(path), manifest)


@dataclass
class Failure:
    """A file of a class check that could not be checked: its one-line reason, and its
    student id when the file could be read that far ("" otherwise)."""

    source: str
    reason: str
    student_id: str = ""


def check_all(paths: Sequence, progress: Optional[Callable[[str], None]] = None,
              manifest: Optional[Manifest] = None) -> List[Any]:
    """Check a class: per file in the order given its Report, or a Failure when it cannot
    be checked (missing, unreadable, tampered, not the manifest's). ``progress(path)`` is
    called after each file."""
    outcomes: List[Any] = []
    for path in paths:
        data = None
        try:
            data = read_toml(path)
            outcomes.append(check_data(data, str(path), manifest))
        except ChainruleError as exc:
            meta = data.get("chainrule") if isinstance(data, dict) else None
            student = meta.get("student_id") if isinstance(meta, dict) else None
            outcomes.append(Failure(str(path), str(exc), student if isinstance(student, str) else ""))
        if progress:
            progress(str(path))
    return outcomes


def check_files(paths: Sequence, progress: Optional[Callable[[str], None]] = None,
                manifest: Optional[Manifest] = None) -> Tuple[List[Report], List[str]]:
    """Check a class: (reports of the files that could be checked, one-line reasons for
    those that could not), both in the order given."""
    outcomes = check_all(paths, progress, manifest)
    return ([o for o in outcomes if isinstance(o, Report)],
            [o.reason for o in outcomes if isinstance(o, Failure)])


# --- reports -------------------------------------------------------------------------

def text_report(reports: Sequence[Report], unicode: bool = True) -> str:
    """The terminal report: per problem and question a marker, the student's value and a
    hint; the total; with several files a line for them all."""
    marks = MARKERS[bool(unicode)]
    lines: List[str] = []
    for n, report in enumerate(reports):
        lang = report.lang
        if n:
            lines.append("")
        if report.preset:
            lines.append(message(lang, "header_preset", source=report.source, preset=report.preset))
        else:
            student = report.student_id + (f" ({report.student_name})" if report.student_name else "")
            lines.append(message(lang, "header", source=report.source, student=student, seed=report.course_seed))
        keys = [p.key for p in report.problems]  # what a self-check covers, so no removed problem goes unseen
        lines.append(message(lang, "checked_problems", n=len(keys), keys=", ".join(keys),
                             problems="problem" if len(keys) == 1 else "problems"))
        for problem in report.problems:
            lines.append("")
            lines.append(message(
                lang, "problem", number=problem.number, title=problem.title, key=problem.key,
                variant=problem.variant, correct=problem.correct, total=len(problem.verdicts),
            ))
            for v in problem.verdicts:
                line = f"  {marks[v.status]} {v.letter}) {v.key}"
                if v.given is not None and v.status != "correct":
                    line += f" = {v.given}"
                if v.message:
                    line += f": {v.message}"
                lines.append(line)
            lines += ["  " + message(lang, "note", text=note) for note in problem.notes]
        if report.notes:
            lines.append("")
            lines += [message(lang, "note", text=note) for note in report.notes]
        lines.append("")
        s = report.summary()
        lines.append(message(lang, "total", **s))
    if len(reports) > 1:
        totals = _totals(reports)
        lines.append("")
        lines.append(message(reports[0].lang, "class_total", files=len(reports), **totals))
    return "\n".join(lines) + "\n"


def _totals(reports: Sequence[Report]) -> Dict[str, int]:
    out = {"correct": 0, "wrong": 0, "unanswered": 0, "invalid": 0, "total": 0}
    for report in reports:
        s = report.summary()
        for name in out:
            out[name] += s[name]
    return out


def json_report(reports: Sequence[Report]) -> str:
    """Machine-readable: {"schema", "kit_version", "files": [...], "totals"}; never the
    expected answers."""
    files = []
    for report in reports:
        item = {
            "file": report.source, "student_id": report.student_id, "student_name": report.student_name,
            "course_seed": report.course_seed, "lang": report.lang, "preset": report.preset,
            "kit_version": report.kit_version,
        }
        item.update(report.summary())
        item["problems"] = [
            {
                "key": p.key, "number": p.number, "family": p.family, "variant": p.variant, "title": p.title,
                "correct": p.correct, "total": len(p.verdicts),
                "questions": [
                    {"key": v.key, "letter": v.letter, "kind": v.kind, "status": v.status,
                     "given": v.written, "given_type": v.toml_type, "message": v.message}
                    for v in p.verdicts
                ],
                "notes": list(p.notes),
            }
            for p in report.problems
        ]
        item["notes"] = list(report.notes)
        files.append(item)
    data = {"schema": JSON_SCHEMA, "kit_version": __version__, "files": files, "totals": _totals(reports)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def csv_columns(reports: Sequence[Report]) -> List[str]:
    """Per-question columns "<problem key>.<letter>" (letters, not question keys: which
    weight is asked differs between variants), problems in sheet order, then letters."""
    seen: Dict[str, Tuple[int, int, str]] = {}
    for report in reports:
        for p in report.problems:
            for i, v in enumerate(p.verdicts):
                name = f"{p.key}.{v.letter}"
                seen.setdefault(name, (p.number, i, p.key))
    return sorted(seen, key=lambda name: (seen[name][0], seen[name][2], seen[name][1]))


def csv_problem_columns(reports: Sequence[Report]) -> List[str]:
    """Per-problem score columns "<problem key>", in sheet order."""
    seen: Dict[str, int] = {}
    for report in reports:
        for p in report.problems:
            seen.setdefault(p.key, p.number)
    return sorted(seen, key=lambda key: (seen[key], key))


#: The class CSV's cell per question status; unanswered is an empty cell.
CSV_CELLS = {"correct": "1", "wrong": "0", "unanswered": "", "invalid": "?"}
CSV_HEAD = ["student_id", "correct", "total", "unanswered", "invalid", "course_seed", "preset", "problems", "file",
            "error"]


def csv_report(outcomes: Sequence[Any]) -> str:
    """One row per answers file (Reports and Failures, in order): student_id, correct,
    total, unanswered, invalid, course_seed, preset (empty if none), problems (how many the
    file lists), file, error (why a file could not be checked; its other cells are empty);
    then per problem its correct count, then per question 1 correct, 0 wrong, ? invalid,
    empty when not answered (or when that student's sheet has no such question)."""
    reports = [o for o in outcomes if isinstance(o, Report)]
    problems = csv_problem_columns(reports)
    columns = csv_columns(reports)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEAD + problems + columns)
    for item in outcomes:
        if isinstance(item, Failure):
            writer.writerow([item.student_id, "", "", "", "", "", "", "", item.source, item.reason]
                            + [""] * (len(problems) + len(columns)))
            continue
        cells = {f"{p.key}.{v.letter}": CSV_CELLS[v.status] for p in item.problems for v in p.verdicts}
        scores = {p.key: p.correct for p in item.problems}
        s = item.summary()
        writer.writerow(
            [item.student_id, s["correct"], s["total"], s["unanswered"], s["invalid"], item.course_seed,
             item.preset or "", len(item.problems), item.source, ""]
            + [scores.get(key, "") for key in problems]
            + [cells.get(name, "") for name in columns]
        )
    return buffer.getvalue()


def render(outcomes: Sequence[Any], fmt: str = "text", unicode: bool = True) -> str:
    """The report on ``outcomes`` (Reports, and for csv also Failures, which get a row
    with their reason; text and json leave Failures to the caller's error lines)."""
    if fmt == "csv":
        return csv_report(outcomes)
    reports = [o for o in outcomes if isinstance(o, Report)]
    if fmt == "json":
        return json_report(reports)
    return text_report(reports, unicode=unicode)


def below(reports: Sequence[Report], percent: float) -> List[Report]:
    """The reports scoring below ``percent`` (0-100)."""
    return [r for r in reports if r.percent < percent]
