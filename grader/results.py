"""The grader's one result model; every report format is written from these objects.

``GradeResult.functions`` maps ``module.function`` (contract order) to a
``FunctionResult``, whose ``cases`` are ``CaseResult`` objects. Everything here is plain
data made in the parent process: nothing the submission returned is kept except numbers
and strings the grader wrote itself.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field, fields


def counted(n, noun, plural=None):
    """``n`` and ``noun`` in agreement: ``counted(1, "case")`` is "1 case", else "n cases"."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or noun + 's'}"


# the order hints are ranked in when they explain as many cases; ``dependency``: the case
# may fail only because a function it calls fails (``grader.calls``), so that comes first
DIAGNOSIS_KINDS = ("dependency", "known", "finding", "generic")


@dataclass
class Diagnosis:
    """What the grader found wrong on a failing case, for the student and class statistics.

    ``kind`` says where it comes from: ``dependency`` (the function calls a contract
    function that fails its own checks in the same run, which may be the whole cause:
    ``grader.calls``), ``known`` (a known mistake of the function whose
    output matched the submission's, ``grader.specs``), ``finding`` (something the grader
    observed: an input modified in place, the rng argument ignored, a state in another
    convention, a statistical property that is off) or ``generic`` (a transformation of
    the expected values that reproduces the wrong output, ``grader.diagnose``).
    """

    name: str          # kebab-case id, e.g. "no-bias-correction", "negated", "modified-input"
    hint: str          # one sentence for the student: what is wrong and where, never the code
    case: str          # the case on which it was found
    kind: str = "known"


@dataclass
class CaseResult:
    """One named case of one function."""

    number: int                 # 1-based, what ``--case`` takes
    name: str
    passed: bool
    message: str = ""           # empty when passed; the full explanation otherwise
    rtol: float = 0.0
    atol: float = 0.0
    status: str = "passed"      # passed | failed | not-implemented | error | timeout | crashed | skipped
    #                             | missing (its module's file is not in the submission)
    rerun: str = ""             # the command that reruns only this case
    diagnoses: list = field(default_factory=list)
    inputs: str = ""            # a failing case's arguments as Python (shown with --verbose)

    def to_dict(self):
        out = {
            "number": self.number, "name": self.name, "passed": self.passed,
            "status": self.status, "rtol": self.rtol, "atol": self.atol,
            "message": self.message, "rerun": self.rerun,
            "diagnoses": [d.__dict__.copy() for d in self.diagnoses],
        }
        if self.inputs:
            out["inputs"] = self.inputs
        return out


@dataclass
class FunctionResult:
    """All cases of one contract function and the points they earned."""

    qualname: str
    max_score: float
    cases: list = field(default_factory=list)
    output: str = ""            # the student's captured stdout/stderr while it was graded (capped)
    import_output: str = ""     # what its module printed while imported for it (the first function
    #                             graded of the module; capped): not the function's own output
    import_error: str = ""      # why its module could not be imported (the same for the module)
    import_where: str = ""      # the file whose import failed ("activations.py", "__init__.py"), or
    #                             that was imported for it (the module's) when it printed something
    import_short: str = ""      # the same in one line
    import_cause: str = ""      # the other submission file the error is in, if any
    missing_file: str = ""      # its module's file when the submission does not have it ("layers.py")
    depends_on: list = field(default_factory=list)  # failing contract functions it calls (qualnames)
    printed_in: list = field(default_factory=list)  # the functions whose lines the warnings in
    #                             ``output`` point at ("activations.sigmoid"), grader.calls.printed_in
    cases_in_all: int = 0       # with --case: how many cases it has, of which only ``cases`` ran; 0: all ran
    elapsed: float = 0.0        # wall seconds its grading took, the child's runs included (JUnit's
    #                             testcase time; like GradeResult.elapsed, not in reproducible reports)

    @property
    def partial(self) -> bool:
        """Whether only some of its cases ran (``--case``): their results are no grade of it,
        and no report gives it a PASS or points."""
        return bool(self.cases_in_all)

    def cases_run(self):
        """"case 2 of 5": the cases that ran when only some did (``--case``)."""
        numbers = " and ".join(str(c.number) for c in self.cases)
        return f"case{'s' if len(self.cases) > 1 else ''} {numbers} of {self.cases_in_all}"

    def case_verdict(self):
        """"case 2 of 5 passes" (or "fails"): what a ``--case`` run found, no PASS, no points."""
        if len(self.cases) == 1:
            return f"{self.cases_run()} {'passes' if self.passed else 'fails'}"
        return f"{self.cases_run()}: {'all pass' if self.passed else f'{len(self.cases) - self.n_passed} fail'}"

    @property
    def module(self):
        return self.qualname.split(".", 1)[0]

    @property
    def name(self):
        return self.qualname.split(".", 1)[1]

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def n_passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def exact_score(self) -> float:
        """Points in proportion to the cases passed (unrounded); of the cases that ran when only
        some did (``--case``), which is no grade of the function (``score`` is None then)."""
        if not self.cases:
            return 0.0
        return self.max_score * self.n_passed / len(self.cases)

    @property
    def score(self):
        """Points in proportion to the cases passed, rounded to hundredths; None when only some
        of its cases ran (``--case``: no report gives it points, and JSON has null)."""
        return None if self.partial else round(self.exact_score, 2)

    @property
    def diagnoses(self) -> list:
        """The diagnoses of every failing case, each name once (first found): known mistakes,
        findings and generic diagnoses alike (``hints`` says which to show)."""
        seen, out = set(), []
        for case in self.cases:
            for d in case.diagnoses:
                if d.name not in seen:
                    seen.add(d.name)
                    out.append(d)
        return out

    def hints(self, limit=2):
        """The hints to show for this function: ``[(Diagnosis, [case numbers])]``.

        One hint per diagnosis, with the failing cases it explains; the first explains the
        most cases (ties: known mistakes, then findings, then generic diagnoses). A second
        is given only for cases the first does not explain, up to ``limit`` in all."""
        rank = {k: i for i, k in enumerate(DIAGNOSIS_KINDS)}
        groups = {}
        for case in self.cases:
            if case.passed:
                continue
            for d in case.diagnoses:
                key = (d.kind, d.name)
                if key not in groups:
                    groups[key] = (d, [])
                groups[key][1].append(case.number)
        order = sorted(groups.values(), key=lambda g: (-len(g[1]), rank.get(g[0].kind, 9)))
        chosen, covered = [], set()
        for d, numbers in order:
            if len(chosen) >= limit:
                break
            if covered and set(numbers) <= covered:
                continue
            if chosen and d.kind == "generic" and len(numbers) < 2:
                continue        # a second, generic reading of one case only: too weak to show
            chosen.append((d, numbers))
            covered.update(numbers)
        return chosen

    @property
    def not_implemented(self) -> bool:
        return bool(self.cases) and all(c.status == "not-implemented" for c in self.cases)

    def to_dict(self):
        return {
            # a function of which one case ran has neither passed nor a score (null)
            "name": self.qualname, "passed": None if self.partial else self.passed,
            "score": self.score, "max_score": self.max_score,
            **({"cases_in_all": self.cases_in_all} if self.partial else {}),
            "cases": [c.to_dict() for c in self.cases],
            "diagnoses": [d.__dict__.copy() for d in self.diagnoses],
            "hints": [dict(d.__dict__, cases=numbers) for d, numbers in self.hints()],
            "import_error": self.import_error,
            **({"missing_file": self.missing_file} if self.missing_file else {}),
            "output": self.output,
            **({"import_output": self.import_output} if self.import_output else {}),
            "depends_on": list(self.depends_on),
        }


@dataclass
class GradeResult:
    """The graded submission: per-function results in contract order, plus totals."""

    submission: str
    seed: int
    oracle: str
    timeout: float
    functions: "OrderedDict[str, FunctionResult]" = field(default_factory=OrderedDict)
    elapsed: float = 0.0        # wall seconds (not part of reproducible reports)
    command: str = "chainrule grade"   # the submission and non-default options of this run
    seed_given: bool = False    # the seed was chosen (--seed), not the default
    hidden_seed: bool = False   # a report for a student whose copy has not this seed's cases (no case reruns there)
    confinement: str = ""       # the layers that confined the student code, in one line
    interrupted: str = ""       # the signal that ended grading early (SIGTERM, SIGINT), if any
    notes: list = field(default_factory=list)   # what running a notebook's cells said (grader.notebooks)
    not_graded: str = ""        # modules at the top of a repository graded from its exercises/ (grader.locate)

    def command_for(self, *names):
        """The command that grades only ``names`` (functions or modules) the way this run did."""
        seed = f" --seed {self.seed}" if self.seed_given else ""
        return self.command + "".join(f" --only {name}" for name in names) + seed

    # A --case run (``one_case``) is no grade: its score, max_score, percent and points are None, as
    # every report gives it no total (JSON: null; text, Markdown, JUnit: none; Gradescope,
    # Classroom and --fail-under refuse it), so no caller takes the cases run for a score.

    @property
    def score(self):
        """Points of the functions graded, in hundredths; None for a --case run (``one_case``)."""
        if self.one_case is not None:
            return None
        return round(sum(f.exact_score for f in self.functions.values()), 2)

    @property
    def max_score(self):
        """Points the functions graded are worth; None for a --case run (``one_case``)."""
        if self.one_case is not None:
            return None
        return round(sum(f.max_score for f in self.functions.values()), 2)

    @property
    def points(self):
        """Each function's points in hundredths, adding up to ``score`` (``apportion``): what
        every report shows per function, so that its rows add up to its total (an OrderedDict);
        None for a --case run (``one_case``), as ``score`` is: the points of the cases run were
        taken for the function's (review 15). Every report of such a run shows no points, and
        Gradescope and Classroom refuse it before asking."""
        if self.one_case is not None:
            return None
        names = list(self.functions)
        return OrderedDict(zip(names, apportion([self.functions[n].exact_score for n in names])))

    @property
    def percent(self):
        """``score`` of ``max_score`` in percent (unrounded); None for a --case run (``one_case``)."""
        if self.one_case is not None:
            return None
        exact = sum(f.exact_score for f in self.functions.values())
        return 100.0 * exact / self.max_score if self.max_score else 0.0

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.functions.values())

    @property
    def one_case(self):
        """The ``FunctionResult`` of which only some cases ran (``--case``), else None: then
        this result is no grade (no total, no points, no PASS in any report)."""
        return next((f for f in self.functions.values() if f.partial), None)

    def one_case_sentence(self):
        """What a ``--case`` run found, in one sentence that says it is no grade."""
        fr = self.one_case
        return (f"{fr.qualname}: {fr.case_verdict()}; only this case was run, so this is not a grade: run "
                f"without --case for the function's points ({self.command_for(fr.qualname)}).")

    def to_dict(self):
        percent = self.percent
        out = {
            "submission": self.submission, "seed": self.seed, "oracle": self.oracle,
            "timeout": self.timeout, "score": self.score, "max_score": self.max_score,
            "percent": None if percent is None else round(percent, 2), "confinement": self.confinement,
            "interrupted": self.interrupted,
            **({"notes": list(self.notes)} if self.notes else {}),
            **({"not_graded": self.not_graded} if self.not_graded else {}),
            "functions": [f.to_dict() for f in self.functions.values()],
        }
        one = self.one_case
        if one is not None:     # --case: no total a CI step could take for the grade (score etc. are None)
            out.update(one_case={
                "function": one.qualname, "cases": [c.number for c in one.cases],
                "cases_in_all": one.cases_in_all, "passed": one.passed, "note": self.one_case_sentence()})
        return out


def apportion(values, total=None) -> list:
    """``values`` (points) in hundredths that add up to their sum in hundredths: each rounded
    down, then the hundredths left go to the largest remainders (the first of equal ones).
    Rounded one by one they need not: three functions with a third of a point each would
    show 0.33 + 0.33 + 0.33 = 0.99 beside a total of 1 (GitHub Classroom adds up the rows).
    ``total``: the sum to reach instead (within a hundredth or so of theirs: the rest of a
    total whose other part was shown already)."""
    values = [float(v) for v in values]
    target = round(round(sum(values) if total is None else total, 2) * 100)
    cents = [v * 100 for v in values]
    shown = [math.floor(c + 1e-6) for c in cents]  # down, forgiving float error (0.29 * 100 = 28.999...)
    rest = [c - n for c, n in zip(cents, shown)]
    left = target - sum(shown)
    # only a value rounded down takes a hundredth or gives one back: a whole number of
    # hundredths (0, full marks) is shown as it is
    rounded = [i for i in range(len(values)) if rest[i] > 1e-6]
    if left > 0:
        for i in sorted(rounded, key=lambda i: (-rest[i], i))[:left]:
            shown[i] += 1
    elif left < 0:  # float error, or a total below theirs: the smallest remainders give theirs back
        for i in sorted(rounded, key=lambda i: (rest[i], i))[:-left]:
            shown[i] -= 1
    return [n / 100 for n in shown]


def replace_text(result, old, new):
    """Show ``new`` wherever ``result`` (its own fields, its functions', cases' and
    diagnoses') says ``old``: a temporary folder, or the grader's command for the student's."""
    def walk(obj):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, str) and old in value:
                setattr(obj, f.name, value.replace(old, new))

    walk(result)
    for fr in result.functions.values():
        walk(fr)
        for case in fr.cases:
            walk(case)
            for d in case.diagnoses:
                walk(d)
