"""Checking answers files: one student's, or a class's.

``check_data`` reads a file's identification (``checker.answers_file``) and then, by the
sheet's mode:

- practice: judges every blank from the file's salted hashes (``checker.practice``);
  nothing here imports sympy;
- open: rebuilds the problems from the course seed through the generator's own sheet
  loop (``generator.worksheets.build_sheet``) and refuses a file whose variant ids this
  kit does not reproduce;
- graded: the same, with the variants keyed by the instructor's course secret; without
  the secret (or with another) the file is refused in one line and nothing is judged.

A rebuilt problem gives each blank a ``checker.judge.Target``: the exact answer, the
family's named mistakes, and the value right given the student's own earlier answers
(the problem's step formulas evaluated with the student's values substituted: error
carried forward), with values from rounded intermediates for the rounding hint, and the
values that rounding every line as the key prints it gives (``printed_chains``), which
widen the accepted band where a sum nearly cancels (``checker.judge.within_band``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from chainrule_core import __version__
from chainrule_core.errors import ChainruleError, ChainruleUsageError
from chainrule_core import secret as course_secret
from checker import answers_file, manifest_file, practice
from checker.judge import AGREES_FROM, ASKED_DIGITS, CARRY_FORWARD, Mistake, Target, Verdict, judge, judge_practice, within_band
from checker.messages import message
from checker.reading import NotAnAnswer, agreeing_digits, read_number, round_significant, shown
from checker.report import Failure, ProblemResult, Report, letter
from checker.tolerance import PRACTICE, Tolerance, default as default_tolerance

LANGUAGES = ("en", "ko")
#: Significant digits the rounding hint tries for the intermediates a student did not write.
ROUNDING_DIGITS = (2, 3, 4, 5, 6)


@dataclass
class Options:
    """How to check: a class manifest, the course secret (graded sheets), a tolerance
    for every number (None: each family's default), the carried-forward credit."""

    manifest: Optional[manifest_file.Manifest] = None
    secret: Optional[bytes] = None
    tolerance: Optional[Tolerance] = None
    carry: str = "full"


# --- rebuilding (open and graded sheets) -------------------------------------------------

def rebuild(sheet: answers_file.Sheet, source: str, secret: Optional[bytes] = None,
            instructor: bool = False) -> List[Tuple[str, Any]]:
    """The sheet's problems rebuilt by this kit, through the generator's sheet loop:
    [(key, Problem)]. A one-line ChainruleError when a family is unknown or a variant id
    is not the one this kit makes (an edited file or another kit version), said to the
    student, or with ``instructor`` (a class check) to the instructor checking their file."""
    lang = sheet.lang
    fix = _copy_answers(lang, instructor)
    try:
        from generator import presets, registry, worksheets
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("generator", "sympy", "jinja2"):
            raise
        raise ChainruleError(needs_kit_message(source, sheet.lang)) from None

    kit = sheet.kit_version
    preset_items = None
    if sheet.preset is not None:
        if sheet.preset not in presets.PRESETS:
            raise _meta_error(source, lang, "meta_unknown_preset", preset=shown(sheet.preset))
        preset_items = presets.load(sheet.preset)
        if len(preset_items) != len(sheet.entries):
            raise _meta_error(source, lang, "meta_preset_count", n=len(sheet.entries), preset=sheet.preset,
                              count=len(preset_items))
    for e in sheet.entries:
        if e.family not in registry.FAMILIES:
            # made by this kit, the tables were edited; by another, it may have the family
            raise ChainruleError(message(lang, "family_edited" if kit == __version__ else "family_other_kit",
                                         source=source, key=e.key, family=e.family, version=__version__, kit=kit,
                                         fix=fix))
    plan = [(e.key, e.family, e.occurrence) for e in sheet.entries]
    built = worksheets.build_sheet(worksheets.Student(sheet.student_id), sheet.course_seed, plan, preset_items,
                                   sheet.preset, secret=secret)
    problems = []
    for e, key, problem in zip(sheet.entries, built.keys, built.problems):
        if problem.family != e.family or problem.variant != e.variant or (preset_items and key != e.key):
            raise ChainruleError(message(lang, "variant_edited" if kit == __version__ else "variant_other_kit",
                                         source=source, key=e.key, family=e.family, variant=e.variant,
                                         made_family=problem.family, made_variant=problem.variant,
                                         version=__version__, kit=kit, fix=fix))
        problems.append((e.key, problem))
    return problems


def _copy_answers(lang: str, instructor: bool) -> str:
    """What to do with a file whose [chainrule] tables were edited: said to the student, or
    with ``instructor`` (a class check) to the instructor checking their file."""
    return message(lang, "fix_copy_instructor" if instructor else "fix_copy")


def _meta_error(source: str, lang: str, name: str, **slots) -> ChainruleError:
    """``checker.answers_file.meta_error`` saying what the file has with the catalogue's message
    ``name``, in Korean for a Korean sheet."""
    return answers_file.meta_error(source, message("en", name, **slots), lang, message("ko", name, **slots))


def exact_value(answer) -> Fraction:
    """A problem's exact answer as a Fraction: exact for rationals, else to 40 digits."""
    from generator.symbolic import number, to_fraction

    if isinstance(answer, int) and not isinstance(answer, bool):
        return Fraction(answer)
    try:
        return to_fraction(number(answer))
    except TypeError:
        raise ChainruleError(f"The answer {answer} is not a real number; this is a bug in its problem family.") from None


def _read(value: Any) -> Optional[Fraction]:
    try:
        return read_number(value).value
    except NotAnAnswer:
        return None


#: ``_chain_values``'s rounding that copies the worked key: every number rounded as the key
#: prints it (``generator.numbers.format_number``: 8 decimals between 0.01 and 1, else 8
#: significant digits; a short exact decimal as it is).
KEY = "key"


def key_printed(value) -> Fraction:
    """``value`` (a sympy number or a Fraction) as the worked key prints it, exactly."""
    import sympy as sp
    from generator.numbers import format_number

    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    return Fraction(format_number(value))


#: ``_chain_values``'s rounding of only the values that do not end within the digits the
#: sheets ask (``(LONG, d)``): a hand calculator's habit, rounding what its display shows long
#: (the activations) and keeping short exact ones (z = 0.4725; trial 19b)
LONG = "long"


def _rounded(value: Fraction, rounding) -> Fraction:
    if rounding == KEY:
        return key_printed(value)
    if isinstance(rounding, tuple) and rounding[0] == LONG:
        n, k = round_significant(value, ASKED_DIGITS)
        if Fraction(n) * Fraction(10) ** k == value:
            return value
        rounding = rounding[1]
    if value.denominator != 1:
        n, k = round_significant(value, rounding)
        return Fraction(n) * Fraction(10) ** k
    return value


def _chain_values(problem, student: Dict[str, Fraction], rounding=None, printed: bool = False):
    """Every step's value with the student's answers substituted for their steps (and, with
    ``rounding``, every other step's value rounded to that many significant digits, or with
    ``KEY`` as the key prints it, the givens too): {step: (value or None, the student's
    answers it used)}. With ``printed`` (and ``KEY``) a step is computed from the numbers
    the worked key puts into its line (the exact earlier values, each rounded as printed);
    without, from the earlier lines' own rounded results, as a student who rounds every line
    before using it does."""
    from generator.symbolic import evaluate_numbers, number, symbol_names, to_fraction

    env: Dict[str, Any] = {g.name: number(g.value) for g in problem.givens}
    if rounding == KEY:
        for g in problem.givens:
            try:
                env[g.name] = key_printed(g.value)
            except (TypeError, ValueError, ArithmeticError):
                pass  # not a number the key prints: kept as it is
    uses: Dict[str, frozenset] = {}
    out: Dict[str, Tuple[Optional[Fraction], frozenset]] = {}
    for step in problem.steps:
        if step.formula is None or step.value is None:
            continue
        names = symbol_names(step.formula)
        used = frozenset().union(*(uses.get(n, frozenset()) for n in names))
        try:
            value = to_fraction(evaluate_numbers(step.formula, env))
        # AttributeError: a complex value (the square root of a student's negative variance)
        except (KeyError, TypeError, ValueError, ZeroDivisionError, ArithmeticError, AttributeError):
            value = None
        out[step.name] = (value, used)
        if step.name in student:
            env[step.name] = student[step.name]
            uses[step.name] = frozenset([step.name])
        else:
            if rounding == KEY and printed:
                try:
                    value = key_printed(step.value)
                except (TypeError, ValueError, ArithmeticError):
                    value = None
            if value is None:
                value = to_fraction(number(step.value))
            if rounding is not None:
                try:
                    value = _rounded(value, rounding)
                except (TypeError, ValueError, ArithmeticError):
                    pass
            env[step.name] = value
            uses[step.name] = used
    return out


def printed_chains(problem, student: Optional[Dict[str, Fraction]] = None) -> List[Dict[str, Tuple[Optional[Fraction], frozenset]]]:
    """The chains a student who copies the key's rounding gets: the worked key's own lines
    (each computed from the printed earlier numbers) and a student's who rounds every line
    as the key prints it before using it (with ``student``'s answers substituted: only the
    latter)."""
    if student:
        return [_chain_values(problem, student, rounding=KEY)]
    return [_chain_values(problem, {}, rounding=KEY, printed=True), _chain_values(problem, {}, rounding=KEY)]


def printed_bands(problem) -> Dict[str, List[Fraction]]:
    """For every number question of ``problem``, the values that rounding each line as the
    key prints it gives where they differ from the exact answer (``printed_chains``): what
    widens its accepted band. A practice sheet keeps hashes of that band
    (``checker.practice.spec``'s ``band``), so that it judges as an open sheet does."""
    step = steps_of(problem)
    chains = printed_chains(problem)
    out: Dict[str, List[Fraction]] = {}
    for q in problem.questions:
        s = step.get(q.key)
        if q.kind == "number" and s is not None:
            values = _band(exact_value(q.answer), [c.get(s, (None, frozenset()))[0] for c in chains])
            if values:
                out[q.key] = values
    return out


def steps_of(problem) -> Dict[str, str]:
    """The step each number or integer question asks (``generator.model.asked_steps``)."""
    from generator.model import asked_steps

    return asked_steps(problem.steps, problem.questions)


def ruled_out_by(problem) -> Dict[int, List[str]]:
    """For the named mistakes of ``problem`` that are carried forward (by their index in
    ``problem.mistakes``): the asked questions they are carried from. A mistake of question
    q is carried from a question u that q's step is computed from (through the step
    formulas, at any depth) when the same mistake changes u's value too and the formulas,
    given that value of u and nothing else wrong, give its value at q; a right answer to u
    rules the mistake out. w_4^+ = w_4 + eta dE/dw_4 is "the gradient added", never "t - o written
    backwards", when the student's own dE/dw_4 has the right sign (trial 13); but leaving
    out the sigmoid at o_1 is named whatever h_1 is: its value is sigma left out at o_1
    alone (from the right h_1), not carried from h_1 = z_1."""
    from generator.symbolic import symbol_names

    mistakes = list(getattr(problem, "mistakes", []) or [])
    if not mistakes:
        return {}
    step = steps_of(problem)
    computed = {s.name for s in problem.steps if s.formula is not None}
    below: Dict[str, set] = {}           # step -> every step it is computed from
    for s in problem.steps:
        if s.formula is None:
            continue
        direct = [n for n in symbol_names(s.formula) if n in computed and n != s.name]
        below[s.name] = set(direct).union(*(below.get(n, set()) for n in direct))
    answers = {q.key: q for q in problem.questions if q.key in step}
    # one mistake is (name, i): the i-th of that name at each question (one_output_path through
    # o_1, then o_2), with its value at every question it changes (beyond the tolerance)
    seen: Dict[Tuple[str, str], int] = {}
    values: Dict[Tuple[str, int], Dict[str, Fraction]] = {}
    index: Dict[int, Tuple[Tuple[str, int], str]] = {}
    for i, m in enumerate(mistakes):
        q = answers.get(m.question)
        if q is None:
            continue
        n = seen[(m.question, m.name)] = seen.get((m.question, m.name), -1) + 1
        value = exact_value(m.value)
        index[i] = ((m.name, n), m.question)
        if not default_tolerance(q.rtol, q.atol).accepts(value, exact_value(q.answer)):
            values.setdefault((m.name, n), {})[m.question] = value
    out: Dict[int, List[str]] = {}
    chains: Dict[Tuple[Tuple[str, int], str], Dict] = {}
    for i, (mistake, key) in index.items():
        changed = values.get(mistake, {})
        if key not in changed:
            continue
        under = below.get(step[key], set())
        carried = []
        for k in answers:
            if k == key or step[k] not in under or k not in changed:
                continue
            if (mistake, k) not in chains:  # the mistake's value at k alone, the rest computed from it
                chains[(mistake, k)] = _chain_values(problem, {step[k]: changed[k]})
            got = chains[(mistake, k)].get(step[key], (None, frozenset()))[0]
            if got is not None and _same(got, changed[key]):
                carried.append(k)
        if carried:
            out[i] = carried
    return out


def _same(x: Fraction, y: Fraction) -> bool:
    """Equal to 30 significant digits (the mistakes' values are evaluated to 45)."""
    return abs(x - y) <= max(abs(x), abs(y)) / 10 ** 30


def targets(problem, table: Dict[str, Any], tolerance: Optional[Tolerance], lang: str,
            elsewhere: bool = True) -> List[Target]:
    """The Target of every question of a rebuilt problem, given the student's table. With
    ``elsewhere`` a wrong answer's Target also holds the exact values of the problem's other
    blanks and unasked steps (``_elsewhere_values``: "this is the value of o_2 (part d)"); a practice
    sheet's class check leaves them out, so that it judges as the student's own check does."""
    exact = {q.key: exact_value(q.answer) for q in problem.questions if q.kind != "choice"}
    tol = {q.key: tolerance or default_tolerance(q.rtol, q.atol) for q in problem.questions}
    step = steps_of(problem)
    key_of = {s: k for k, s in step.items()}
    student = {}  # by step name
    for q in problem.questions:
        if q.key in step and isinstance(table, dict):
            value = _read(table.get(q.key))
            if value is not None:
                student[step[q.key]] = value
    # the key's promise: a line computed from earlier lines rounded as the key prints them
    # is right, and so is anything between that and the exact answer (``within_band``)
    off = {s for s, v in student.items() if not tol[key_of[s]].accepts(v, exact[key_of[s]])}
    printed = printed_chains(problem) if off else []
    band = {}
    for q in problem.questions:
        s = step.get(q.key)
        if s is not None and q.kind == "number" and printed:
            band[q.key] = _band(exact[q.key], [c.get(s, (None, frozenset()))[0] for c in printed])
    wrong = {s for s in off if not within_band(tol[key_of[s]], student[s], exact[key_of[s]], band.get(key_of[s], []))}
    chain = _chain_values(problem, student) if student else {}
    right = set(student) - wrong         # steps the student answered right
    # which mistakes a right answer rules out: worked out only when a wrong answer is a named
    # mistake's value (a few ms a problem)
    named = right and wrong and any(
        step.get(m.question) in wrong and tol[m.question].accepts(student[step[m.question]], exact_value(m.value))
        for m in getattr(problem, "mistakes", []) or [])
    ruled_out = ruled_out_by(problem) if named else {}
    chain_printed = None
    rounded_chains = None
    givens = None
    others = None
    out = []
    for q in problem.questions:
        t = Target(q.key, q.kind, q.answer if q.kind == "choice" else exact[q.key], tol[q.key],
                   list(q.choices or {}), band=band.get(q.key, []))
        for i, m in enumerate(getattr(problem, "mistakes", []) or []):
            if m.question == q.key and not any(step[k] in right for k in ruled_out.get(i, ())):
                t.mistakes.append(Mistake(m.name, m.hint[1] if lang == "ko" else m.hint[0], exact_value(m.value)))
        s = step.get(q.key)
        value, used = chain.get(s, (None, frozenset())) if s else (None, frozenset())
        if value is not None:
            bad = sorted(key_of[u] for u in used & wrong)
            if bad:
                t.consistent = value
                t.used = [f"{k} = {_written(table.get(k))}" for k in bad]
                if givens is None:
                    givens = _given_values(problem)
                t.trivial = _trivial(tol[q.key], value, exact[q.key], givens, student, exact, key_of, used & wrong,
                                     q.key)
                if q.kind == "number":
                    if chain_printed is None:
                        chain_printed = printed_chains(problem, student)
                    t.consistent_band = _band(value, [c.get(s, (None, frozenset()))[0] for c in chain_printed])
            elif used and value != exact[q.key] and s in wrong:
                t.rounded.append((None, value))
                t.rounded_used = [f"{key_of[u]} = {_written(table.get(key_of[u]))}" for u in sorted(used)]
        if q.kind == "number" and s in wrong:
            if rounded_chains is None:
                # every line rounded, and only the values that do not end (the activations)
                rounded_chains = [(d, _chain_values(problem, {}, rounding=rounding))
                                  for d in ROUNDING_DIGITS for rounding in (d, (LONG, d))]
            for d, values in rounded_chains:
                v, _used = values.get(s, (None, frozenset()))
                if v is not None and agreeing_digits(v, exact[q.key]) < 17 and v != exact[q.key]:
                    t.rounded.append((d, v))
        if elsewhere and q.kind in ("number", "integer") and s in wrong:
            if others is None:
                others = _other_values(problem, step, exact, lang)
            # naming another blank tells its right value: only when the student has it right
            # there too, or wrote this blank's value there (a swap); an unasked step's value is
            # what the student computed on the way
            shown = {k for k in step if step[k] in right or (
                step[k] in student and tol[q.key].accepts(student[step[k]], exact[q.key]))}
            t.elsewhere = _elsewhere_values(others, q.key, s, t, shown)
        out.append(t)
    return out


def _other_values(problem, step: Dict[str, str], exact: Dict[str, Fraction], lang: str):
    """What a wrong answer may be the value of instead: every number or integer blank of
    ``problem`` ("o_2 (part d)") and every step of its key that no blank asks ("h_2", named
    as the sheets write it), as [(exact value, label, blank key or None, step or None)],
    blanks first. Left out as too common to tell anything (a coincidence, not a swap): 0, 1
    and -1, the givens' values, and any value of one or two significant digits (0.5, 0.25,
    12, 1300)."""
    import sympy as sp
    from generator.symbolic import number, plain, to_fraction

    common = _given_values(problem) | {Fraction(0), Fraction(1), Fraction(-1)}

    def trivial(v: Fraction) -> bool:
        if v in common:
            return True
        n, k = round_significant(v, 2)
        return Fraction(n) * Fraction(10) ** k == v

    out = []
    for i, q in enumerate(problem.questions):
        if q.key in exact and q.key in step and not trivial(exact[q.key]):
            label = message(lang, "elsewhere_blank", key=q.key, letter=letter(i))
            out.append((exact[q.key], label, q.key, step[q.key]))
    asked = set(step.values())
    for s in problem.steps:
        if s.formula is None or s.value is None or s.name in asked:
            continue
        try:
            v = to_fraction(number(s.value))
        except (TypeError, ValueError, ArithmeticError, AttributeError):
            continue
        if not trivial(v):
            out.append((v, plain(sp.Symbol(s.name), problem.display), None, s.name))
    return out


def _elsewhere_values(others, key: str, own_step: str, target: Target, shown=None) -> List[Tuple[Fraction, str]]:
    """The values of ``others`` that a wrong answer to ``key`` may be named as: not its own
    blank or step, a blank only when it is in ``shown`` (None: every blank; naming a blank
    tells its right value), and not a value that is (nearly) this blank's answer, which "agrees
    to N digits" or the key's rounding band speaks for."""
    out: List[Tuple[Fraction, str]] = []
    answer = target.answer
    for value, label, other, step_name in others:
        if other == key or step_name == own_step or (other is not None and shown is not None and other not in shown):
            continue
        if within_band(target.tolerance, value, answer, target.band) or agreeing_digits(value, answer) >= AGREES_FROM:
            continue
        out.append((value, label))
    return out


def _trivial(tol, value, right, givens, student, exact, key_of, wrong_used, key) -> bool:
    """Whether carrying ``value`` forward would credit no work: it is (within the blank's
    tolerance) 0, a given or one of the student's other answers where the right answer
    ``right`` is none of these, or a wrong answer it follows from is 0 or a given where
    that answer's right value is not (o_1 written as the target t_1, a sigmoid derivative
    of 0, a weight left as given). Session 9's attacks: E = 0 from o_1 = t_1, then the same
    moved by 1e-12 past an equality test."""
    def near(x, y):
        return tol.accepts(x, y) or tol.accepts(y, x)

    def coincides(x, x_right, others, others_right):
        return any(near(x, o) and not near(x_right, r) for o, r in zip(others, others_right))

    zero, given_list = [Fraction(0)], sorted(givens)
    if coincides(value, right, zero + given_list, zero + given_list):
        return True
    earlier = [s for s in student if key_of.get(s) not in (None, key)]
    if coincides(value, right, [student[s] for s in earlier], [exact[key_of[s]] for s in earlier]):
        return True
    for s in wrong_used:
        mine, theirs = student[s], exact[key_of[s]]
        if coincides(mine, theirs, zero + given_list, zero + given_list):
            return True
    return False


def _given_values(problem) -> set:
    """The exact values of the problem's givens (those that are numbers)."""
    from generator.symbolic import number, to_fraction

    out = set()
    for g in problem.givens:
        try:
            out.add(to_fraction(number(g.value)))
        except (TypeError, ValueError, ArithmeticError):
            pass
    return out


def _band(exact: Fraction, values: Sequence[Optional[Fraction]]) -> List[Fraction]:
    """The values of ``values`` that differ from ``exact`` (each widens the accepted band)."""
    out: List[Fraction] = []
    for v in values:
        if v is not None and v != exact and v not in out:
            out.append(v)
    return out


def _written(value: Any) -> str:
    from checker.reading import written

    return written(value)[0].strip()


# --- one file --------------------------------------------------------------------------

def _unknown_key_note(lang: str, table: str, key: str, asked: List[str]) -> str:
    from chainrule_core.suggest import closest as did_you_mean

    close = did_you_mean(key, asked)
    if close:
        return message(lang, "unknown_key_close", table=table, key=key, close=close)
    return message(lang, "unknown_key", table=table, key=key, keys=", ".join(asked))


def _table(data: Dict[str, Any], key: str, source: str, lang: str) -> Dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise _meta_error(source, lang, "meta_not_a_table", key=key)
    return table


class NeedsSecret(ChainruleError):
    """A sheet made with the course secret, checked without it (``--secret-file``): nothing judged."""


def _full_kit() -> bool:
    """Whether this is the instructor's kit (its generator installed), not a student's copy."""
    import importlib.util

    return importlib.util.find_spec("generator") is not None


def needs_secret_summary(count: int, total: int, lang: str = "en") -> str:
    """The one sentence a class check says for its ``count`` files (of ``total``) that were made
    with the course secret and given without it, instead of one line per file."""
    lang = "ko" if lang == "ko" else "en"
    these = message(lang, "secret_these_some" if count != total else "secret_these_all" if total != 1
                    else "secret_these_one", count=count, total=total)
    return message(lang, "secret_summary_kit" if _full_kit() else "secret_summary_student",
                   these=these, These=these[0].upper() + these[1:])


def needs_secret_message(source: str, lang: str = "en") -> str:
    """A graded sheet checked without the course secret: the instructor forgot --secret-file
    (the full kit), or a student ran check in their copy (no generator), who hands it in."""
    return message(lang, "graded_needs_secret" if _full_kit() else "graded_hand_in", source=source)


def needs_kit_message(source: str, lang: str = "en") -> str:
    return message(lang, "open_needs_kit", source=source)


def check_data(data: Dict[str, Any], source: str = answers_file.FILE_NAME,
               options: Optional[Options] = None) -> Report:
    """Judge every blank of a parsed answers file."""
    options = options or Options()
    if options.carry not in CARRY_FORWARD:
        raise ValueError(f"carry must be one of {CARRY_FORWARD}")
    if not isinstance(data.get("chainrule"), dict) and reading_lang(source, options.manifest) == "ko":
        raise ChainruleError(message("ko", "no_chainrule_table", source=source))   # no file's lang to go by
    sheet = answers_file.parse(data, source)
    notes = list(sheet.notes)
    lang = sheet.lang
    if lang not in LANGUAGES:
        code = f"'{lang}'" if isinstance(lang, str) else shown(lang)
        notes.append(message("en", "unknown_lang", code=code))
        lang = "en"
    if sheet.mode == "practice" and options.manifest is None:   # a student's own check: the file's hashes
        results, tolerance_note = _check_practice(sheet, data, source, options, lang, notes)
    else:
        practice_sheet = sheet.mode == "practice"
        if practice_sheet:
            _practice_tolerance(options.tolerance, source, lang)
        secret = None
        if sheet.secret:
            if options.secret is None:
                if practice_sheet:
                    raise NeedsSecret(message(lang, "practice_needs_secret", source=source))
                raise NeedsSecret(needs_secret_message(source, lang))
            if course_secret.fingerprint(options.secret) != sheet.secret:
                raise ChainruleError(message(lang, "another_secret_file", source=source))
            # a practice set's variants are keyed by a key derived from the secret (never the graded ones)
            secret = course_secret.practice_key(options.secret) if practice_sheet else options.secret
        if options.manifest is not None and practice_sheet:
            manifest_file.against(sheet, options.manifest, source)   # as before the rebuild: which student's it is
        # a tampered variant is named before a manifest mismatch
        try:
            problems = rebuild(sheet, source, secret, instructor=options.manifest is not None)
        except ChainruleError:
            if not (practice_sheet and options.secret is not None):
                raise
            try:    # a practice set an earlier chainrule drew with the secret itself: the graded variants
                rebuild(sheet, source, options.secret)
            except ChainruleError:
                raise ChainruleError(message(lang, "practice_edited", source=source,
                                             fix=_copy_answers(lang, True))) from None
            raise ChainruleError(message(lang, "practice_graded_variants", source=source)) from None
        if options.manifest is not None:
            manifest_file.against(sheet, options.manifest, source)
        if practice_sheet:
            # A class check never trusts a practice file's hashes: its student holds the salt and the
            # scheme and can write new ones (session 9's attack: every blank "1", rehashed, scored
            # 100% in the gradebook). It judges the rebuilt problems, at the practice precision.
            # As the student's own check judges it (the practice rule at 6 digits, no credit
            # carried forward), so that a genuine file gets the same verdicts in both.
            options = dataclasses.replace(
                options, carry="none",
                tolerance=Tolerance(PRACTICE, Fraction(practice.DIGITS)))    # --tolerance can only be sig:6
        results, tolerance_note = _check_rebuilt(sheet, data, source, options, lang, problems, practice_sheet)
        if practice_sheet:
            tolerance_note = message(lang, "practice_rebuilt_note", k=practice.DIGITS)
    known = sheet.keys
    for extra in data:
        if extra != "chainrule" and extra not in known:
            notes.append(message(lang, "unknown_table", key=extra, keys=", ".join(known)))
    return Report(
        source=source, student_id=sheet.student_id, student_name=sheet.student_name, course_seed=sheet.course_seed,
        lang=lang, preset=sheet.preset, kit_version=sheet.kit_version, problems=results, notes=notes,
        mode=sheet.mode, tolerance_note=tolerance_note, with_secret=bool(sheet.secret),
    )


def _check_rebuilt(sheet, data, source, options, lang, problems, practice_sheet=False):
    results = []
    shown_tolerances: List[str] = []
    for number, ((key, problem), entry) in enumerate(zip(problems, sheet.entries), start=1):
        table = _table(data, key, source, lang)
        verdicts = []
        for i, t in enumerate(targets(problem, table, options.tolerance, lang, elsewhere=not practice_sheet)):
            verdicts.append(judge(t, table.get(t.key), letter(i), lang, options.carry,
                                  {v.key: v for v in verdicts}))
        asked = [q.key for q in problem.questions]
        extras = [_unknown_key_note(lang, key, extra, asked) for extra in table if extra not in asked]
        numbers = [q for q in problem.questions if q.kind == "number"]
        tol = str(options.tolerance or (default_tolerance(numbers[0].rtol, numbers[0].atol) if numbers else ""))
        if tol and tol not in shown_tolerances:
            shown_tolerances.append(tol)
        results.append(ProblemResult(key, number, problem.family, problem.variant, entry.title or key, verdicts,
                                     extras, tol))
    how = message(lang, "tolerance_given" if options.tolerance else "tolerance_default")
    note = message(lang, "tolerance", tolerance=", ".join(shown_tolerances), how=how) if shown_tolerances else ""
    return results, note


def _practice_tolerance(tol, source, lang):
    """Refuse a --tolerance a practice sheet cannot take (its hashes keep DIGITS digits)."""
    digits = practice.DIGITS
    if tol is not None:
        if tol.kind != "sig" or int(tol.amount) != digits:  # an option this sheet cannot take: a usage error
            raise ChainruleUsageError(message(lang, "practice_tolerance", source=source, digits=digits,
                                              tolerance=tol))


def _check_practice(sheet, data, source, options, lang, notes):
    digits = practice.DIGITS
    _practice_tolerance(options.tolerance, source, lang)
    results = []
    # every hash counted: a bounded cost per file (growing with its problems), short answers apart
    budget = practice.Budget(hashes=practice.hash_budget(len(sheet.entries)))
    for number, entry in enumerate(sheet.entries, start=1):
        table = _table(data, entry.key, source, lang)
        judged, right = {}, set()
        for i in _carried_first(entry.blanks):
            b = entry.blanks[i]
            judged[i] = judge_practice(b.key, b.practice, entry.salt, table.get(b.key), letter(i), lang, digits,
                                       budget, right, {v.key: v for v in judged.values()})
            if judged[i].status == "correct":
                right.add(b.key)
        verdicts = [judged[i] for i in range(len(entry.blanks))]
        asked = [b.key for b in entry.blanks]
        extras = [_unknown_key_note(lang, entry.key, extra, asked) for extra in table if extra not in asked]
        results.append(ProblemResult(entry.key, number, entry.family, entry.variant, entry.title or entry.key,
                                     verdicts, extras, f"sig:{digits}"))
    if budget.skipped:
        notes.append(message(lang, "practice_short_skipped", n=budget.skipped, tries=practice.SHORT_BUDGET,
                             answers="answer" if budget.skipped == 1 else "answers"))
    if budget.unjudged:
        notes.append(message(lang, "practice_budget_spent", n=budget.unjudged,
                             hashes=practice.hash_budget(len(sheet.entries)), problems=len(sheet.entries),
                             blanks=sum(len(e.blanks) for e in sheet.entries),
                             answers="answer" if budget.unjudged == 1 else "answers"))
    return results, message(lang, "practice_note", k=digits)


def _carried_first(blanks) -> List[int]:
    """The order to judge a practice problem's blanks in: a blank after those its named
    mistakes are carried from (their ``through``: hyperparameter_search asks n_train before
    n_val), else in the file's order (a cycle, only in an edited file, in the file's order)."""
    keys = {b.key for b in blanks}
    needs = [{k for m in (b.practice or {}).get("mistakes", []) for k in m.get("through", ()) if k in keys} - {b.key}
             for b in blanks]
    order: List[int] = []
    done: set = set()
    left = list(range(len(blanks)))
    while left:
        ready = [i for i in left if needs[i] <= done]
        if not ready:
            ready = left[:1]
        for i in ready:
            order.append(i)
            done.add(blanks[i].key)
        left = [i for i in left if i not in ready]
    return order


def check_file(path, options: Optional[Options] = None) -> Report:
    """Read and judge one answers file."""
    manifest = options.manifest if options else None
    return check_data(answers_file.read(path, lambda: reading_lang(path, manifest)), str(path), options)


def reading_lang(path, manifest: Optional[manifest_file.Manifest] = None) -> str:
    """The language to say that ``path`` cannot be read (or is no answers file) in, when the
    file itself does not say: the --manifest's, else that of the generated set it lies in
    (``manifest_file.set_lang``); "ko", "en" or "" (not known: English)."""
    if manifest is not None:
        return "ko" if manifest.lang == "ko" else "en"
    return manifest_file.set_lang(path)


def check_all(paths: Sequence, progress: Optional[Callable[[str], None]] = None,
              options: Optional[Options] = None) -> List[Any]:
    """Check a class: per file in the order given its Report, or a Failure when it cannot
    be checked (missing, unreadable, tampered, not the manifest's, graded without the
    secret, or anything unexpected: one file never stops the others). ``progress(path)``
    is called after each file."""
    outcomes: List[Any] = []
    manifest = options.manifest if options else None
    for path in paths:
        data = None
        try:
            data = answers_file.read(path, lambda: reading_lang(path, manifest))
            outcomes.append(check_data(data, str(path), options))
        except ChainruleError as exc:
            outcomes.append(Failure(str(path), str(exc), _student(data) or _student_in_text(path),
                                    isinstance(exc, ChainruleUsageError),
                                    "secret" if isinstance(exc, NeedsSecret) else "", _lang(data, path, manifest)))
        except (Exception, RecursionError) as exc:  # one file never stops a class check
            lang = _lang(data, path, manifest)
            reason = message(lang, "internal_error", source=path, error=f"{type(exc).__name__}: {str(exc)[:200]}")
            outcomes.append(Failure(str(path), reason, _student(data) or _student_in_text(path), lang=lang))
        if progress:
            progress(str(path))
    return outcomes


def _student_in_text(path) -> str:
    """The ``student_id = "..."`` line of a file that is not valid TOML (a hand edit broke
    another line), or "": its failure is then the student's, not a file nobody handed in."""
    try:
        text = answers_file.read_regular(path).decode("utf-8", errors="replace")
    except (OSError, ChainruleError):    # a folder, a FIFO: no student to name
        return ""
    return answers_file.line_value(text, "student_id")


def _lang(data, path, manifest=None) -> str:
    """The language of the file's sheet ("ko" or "en"), read from its [chainrule] table or, in a
    file that is not valid TOML, its ``lang = "..."`` line; when neither says (a file that
    cannot be read, or is no answers file), what its error was said in (``reading_lang``), ""
    when that is not known either."""
    meta = data.get("chainrule") if isinstance(data, dict) else None
    if isinstance(meta, dict):
        return "ko" if meta.get("lang") == "ko" else "en"
    try:
        text = answers_file.read_regular(path).decode("utf-8", errors="replace")
    except (OSError, ChainruleError):
        text = ""
    found = answers_file.line_value(text, "lang")
    if found:
        return "ko" if found == "ko" else "en"
    return reading_lang(path, manifest)


def class_lang(outcomes, manifest=None) -> str:
    """What a class check says its own lines about the class in: the manifest's language, or
    without one Korean when every file whose language is known is a Korean sheet's."""
    if manifest is not None:
        return "ko" if manifest.lang == "ko" else "en"
    langs = {getattr(o, "lang", "") for o in outcomes} - {""}
    return "ko" if langs == {"ko"} else "en"


def _student(data) -> str:
    meta = data.get("chainrule") if isinstance(data, dict) else None
    student = meta.get("student_id") if isinstance(meta, dict) else None
    return student if isinstance(student, str) else ""


def judge_question(question, value: Any, letter: str = "", lang: str = "en",
                   tolerance: Optional[Tolerance] = None) -> "Verdict":
    """The verdict on ``value`` for one ``generator.model.Question`` on its own (no chain,
    no named mistakes): the exact answer and the question's own tolerance."""
    answer = question.answer if question.kind == "choice" else exact_value(question.answer)
    target = Target(question.key, question.kind, answer, tolerance or default_tolerance(question.rtol, question.atol),
                    list(question.choices or {}))
    return judge(target, value, letter, lang)
