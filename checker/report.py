"""Results of ``chainrule check`` and their reports: text, json, csv, the gradebook and
the class summary. This module never prints; it returns texts."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from chainrule_core.fileio import spreadsheet_text

from chainrule_core import __version__
from checker.judge import Verdict
from checker.messages import message

#: Report formats of ``chainrule check``.
FORMATS = ("text", "json", "csv")
DEFAULT_FORMAT = "text"
#: Version of the JSON report's layout.
JSON_SCHEMA = 4   # 3: the status too_few (and its count in every summary); 4: not_judged (the same)

MARKERS = {
    True: {"correct": "\u2713", "consistent": "\u2713", "wrong": "\u2717", "too_few": "\u2026", "unanswered": "\u00b7",
           "invalid": "?", "not_judged": "\u25cb"},
    False: {"correct": "+", "consistent": "+", "wrong": "x", "too_few": "~", "unanswered": "-", "invalid": "?",
            "not_judged": "o"},
}

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter(i: int) -> str:
    """a, b, ..., z, aa, ab, ...: the label of the i-th question (0-based), as the sheets
    print it (``generator.render.letter`` gives the same)."""
    return LETTERS[i] if i < len(LETTERS) else LETTERS[i // 26 - 1] + LETTERS[i % 26]


def points_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


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
    tolerance: str = ""

    @property
    def correct(self) -> int:
        return sum(v.status == "correct" for v in self.verdicts)

    @property
    def points(self) -> float:
        return sum(v.credit for v in self.verdicts)


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
    mode: str = "open"
    tolerance_note: str = ""
    #: the sheet was made with a course secret (its fingerprint is in the file): only such a
    #: sheet is checked with --secret-file
    with_secret: bool = False

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
    def points(self) -> float:
        return sum(v.credit for v in self.verdicts())

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.total if self.total else 0.0

    def summary(self) -> Dict[str, Any]:
        return {
            "correct": self.correct, "consistent": self.count("consistent"), "wrong": self.count("wrong"),
            "too_few": self.count("too_few"), "unanswered": self.count("unanswered"), "invalid": self.count("invalid"),
            "not_judged": self.count("not_judged"), "total": self.total,
            "points": self.points, "percent": round(self.percent, 2),
        }


@dataclass
class Failure:
    """A file of a class check that could not be checked: its one-line reason, and its
    student id when the file could be read that far ("" otherwise)."""

    source: str
    reason: str
    student_id: str = ""
    usage: bool = False  # the invocation cannot check it (an option the sheet cannot take): exit 2 for one file
    #: "secret": made with the course secret and checked without it (``checker.check.NeedsSecret``), which
    #: a class check says once for all such files; "" for any other reason
    cause: str = ""
    #: the sheet's language when the file could be read that far ("ko" or "en"), else "": what
    #: a class check's own lines about the class are said in
    lang: str = ""


# --- text ----------------------------------------------------------------------------

def one_line(text: str) -> str:
    """``text`` (a file's path, a name from the answers file) on one line of the report: a
    control character written as its escape (``\\n``), never a line break of its own."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def text_report(reports: Sequence[Report], unicode: bool = True) -> str:
    """The terminal report: per problem and question a marker, the student's value and a
    hint; the total; with several files a line for them all and the class summary."""
    marks = MARKERS[bool(unicode)]
    lines: List[str] = []
    for n, report in enumerate(reports):
        lang = report.lang
        if n:
            lines.append("")
        source = one_line(report.source)
        if report.preset:
            lines.append(message(lang, "header_preset", source=source, preset=one_line(report.preset)))
        else:
            student = report.student_id + (f" ({report.student_name})" if report.student_name else "")
            lines.append(message(lang, "header", source=source, student=one_line(student), seed=report.course_seed))
        keys = [p.key for p in report.problems]  # what a self-check covers, so no removed problem goes unseen
        lines.append(message(lang, "checked_problems", n=len(keys), keys=", ".join(keys),
                             problems="problem" if len(keys) == 1 else "problems"))
        if report.tolerance_note:
            lines.append(report.tolerance_note)
        for problem in report.problems:
            lines.append("")
            lines.append(message(
                lang, "problem", number=problem.number, title=problem.title, key=problem.key,
                variant=problem.variant, correct=points_text(problem.points), total=len(problem.verdicts),
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
        s["correct"] = points_text(report.points)
        s["carried"] = message(lang, "carried", n=s["consistent"]) if s["consistent"] else ""
        s["few"] = message(lang, "few", n=s["too_few"]) if s["too_few"] else ""
        s["unjudged"] = message(lang, "unjudged", n=s["not_judged"]) if s["not_judged"] else ""
        lines.append(message(lang, "total", **s))
    if len(reports) > 1:
        totals = _totals(reports)
        totals["correct"] = points_text(totals["points"])
        totals["carried"] = message(reports[0].lang, "carried", n=totals["consistent"]) if totals["consistent"] else ""
        totals["few"] = message(reports[0].lang, "few", n=totals["too_few"]) if totals["too_few"] else ""
        totals["unjudged"] = message(reports[0].lang, "unjudged", n=totals["not_judged"]) if totals["not_judged"] else ""
        lines.append("")
        lines.append(message(reports[0].lang, "class_total", files=len(reports), **totals))
        lines.append("")
        lines += class_summary_lines(reports)
    return "\n".join(lines) + "\n"


def _totals(reports: Sequence[Report]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"correct": 0, "consistent": 0, "wrong": 0, "too_few": 0, "unanswered": 0, "invalid": 0,
                           "not_judged": 0, "total": 0, "points": 0.0}
    for report in reports:
        s = report.summary()
        for name in out:
            out[name] += s[name]
    return out


# --- the class summary ---------------------------------------------------------------

@dataclass
class ProblemSummary:
    key: str
    family: str
    students: int
    blanks: int
    correct: int
    points: float
    mistakes: List[Tuple[str, int]]  # (a hint of the mistake, how many answers), most frequent first


def class_summary(reports: Sequence[Report], top: int = 3) -> List[ProblemSummary]:
    """Per problem key (sheet order): the share of blanks correct and the most frequent
    named mistakes."""
    order: Dict[str, Tuple[int, str]] = {}
    acc: Dict[str, Dict[str, Any]] = {}
    for report in reports:
        for p in report.problems:
            order.setdefault(p.key, (p.number, p.family))
            item = acc.setdefault(p.key, {"students": 0, "blanks": 0, "correct": 0, "points": 0.0, "hints": Counter()})
            item["students"] += 1
            item["blanks"] += len(p.verdicts)
            item["correct"] += p.correct
            item["points"] += p.points
            for v in p.verdicts:
                if v.mistakes:  # counted by name (o_1 or o_2 in the hint depends on the variant)
                    name = " + ".join(sorted(set(v.mistakes)))
                    item["hints"][name] += 1
                    item.setdefault("shown", {}).setdefault(name, v.message)
    out = []
    for key in sorted(acc, key=lambda k: (order[k][0], k)):
        item = acc[key]
        ranked = sorted(item["hints"].items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        hints = [(item["shown"][name], n) for name, n in ranked]
        out.append(ProblemSummary(key, order[key][1], item["students"], item["blanks"], item["correct"],
                                  item["points"], hints))
    return out


def class_summary_lines(reports: Sequence[Report]) -> List[str]:
    ko = bool(reports) and reports[0].lang == "ko"
    lines = ["반 요약 (문제별 정답 비율, 자주 나온 실수):" if ko else
             "Class summary (per problem: share of answers right, most frequent named mistakes):"]
    for s in class_summary(reports):
        share = 100.0 * s.points / s.blanks if s.blanks else 0.0
        lines.append(f"  {s.key}: {share:.0f}% ({points_text(s.points)}/{s.blanks})")
        for hint, n in s.mistakes:
            lines.append(f"    {n}\u00d7 {hint}")
    return lines


# --- json ----------------------------------------------------------------------------

def json_report(reports: Sequence[Report]) -> str:
    """Machine-readable: {"schema", "kit_version", "files": [...], "totals", "summary"};
    never the expected answers."""
    files = []
    for report in reports:
        item = {
            "file": report.source, "student_id": report.student_id, "student_name": report.student_name,
            "course_seed": report.course_seed, "lang": report.lang, "preset": report.preset,
            "kit_version": report.kit_version, "mode": report.mode,
        }
        item.update(report.summary())
        item["problems"] = [
            {
                "key": p.key, "number": p.number, "family": p.family, "variant": p.variant, "title": p.title,
                "correct": p.correct, "points": p.points, "total": len(p.verdicts), "tolerance": p.tolerance,
                "questions": [
                    {"key": v.key, "letter": v.letter, "kind": v.kind, "status": v.status, "credit": v.credit,
                     "given": v.written, "given_type": v.toml_type, "message": v.message, "mistakes": v.mistakes}
                    for v in p.verdicts
                ],
                "notes": list(p.notes),
            }
            for p in report.problems
        ]
        item["notes"] = list(report.notes)
        files.append(item)
    summary = [
        {"key": s.key, "family": s.family, "students": s.students, "blanks": s.blanks, "correct": s.correct,
         "points": s.points, "mistakes": [{"hint": h, "count": n} for h, n in s.mistakes]}
        for s in class_summary(reports)
    ]
    data = {"schema": JSON_SCHEMA, "kit_version": __version__, "files": files, "totals": _totals(reports),
            "summary": summary}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- csv -----------------------------------------------------------------------------

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
CSV_CELLS = {"correct": "1", "wrong": "0", "too_few": "0", "unanswered": "", "invalid": "?", "not_judged": "n/j"}
CSV_HEAD = ["student_id", "correct", "blanks", "unanswered", "invalid", "course_seed", "preset", "problems", "file",
            "error"]


def _cell(v: Verdict) -> str:
    if v.status == "consistent":
        return points_text(v.credit)
    return CSV_CELLS[v.status]


def csv_report(outcomes: Sequence[Any]) -> str:
    """One row per answers file (Reports and Failures, in order): student_id, correct
    (points), total, unanswered, invalid, course_seed, preset (empty if none), problems
    (how many the file lists), file, error (why a file could not be checked; its other
    cells are empty); then per problem its points, then per question 1 correct, 0 wrong
    or too few digits, ? invalid, n/j not judged (a practice file's hashing budget spent), the
    carried-forward credit, empty when not answered."""
    reports = [o for o in outcomes if isinstance(o, Report)]
    problems = csv_problem_columns(reports)
    columns = csv_columns(reports)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEAD + problems + columns)
    for item in outcomes:
        if isinstance(item, Failure):
            writer.writerow([spreadsheet_text(item.student_id), "", "", "", "", "", "", "",
                             spreadsheet_text(item.source), spreadsheet_text(item.reason)]
                            + [""] * (len(problems) + len(columns)))
            continue
        cells = {f"{p.key}.{v.letter}": _cell(v) for p in item.problems for v in p.verdicts}
        scores = {p.key: points_text(p.points) for p in item.problems}
        s = item.summary()
        writer.writerow(
            [spreadsheet_text(item.student_id), points_text(item.points), s["total"], s["unanswered"], s["invalid"],
             item.course_seed, spreadsheet_text(item.preset or ""), len(item.problems), spreadsheet_text(item.source), ""]
            + [scores.get(key, "") for key in problems]
            + [cells.get(name, "") for name in columns]
        )
    return buffer.getvalue()


GRADEBOOK_HEAD = ["id", "name"]


def duplicate_ids(outcomes: Sequence[Any]) -> Dict[str, List[str]]:
    """Student ids that more than one answers file carries: {id: [file, ...]} (files in the
    order given; Failures count when their id could be read)."""
    files: Dict[str, List[str]] = {}
    for item in outcomes:
        if item.student_id:
            files.setdefault(item.student_id, []).append(item.source)
    return {sid: paths for sid, paths in files.items() if len(paths) > 1}


def gradebook(outcomes: Sequence[Any], missing: Sequence[Tuple[str, str]] = (),
              names: Optional[Dict[str, str]] = None) -> str:
    """The gradebook CSV: per student id, name, points per problem, total, out of (blanks),
    percent; a file that could not be checked gets its id (when known) and an empty total;
    ``missing`` (id, name) pairs, students of the manifest without a file, get a row with
    an empty total (its name from ``names``, the manifest's, when known). The note column says
    when another file carries the same id, or that no file was given.

    A name is the manifest's when it knows the id (``names``): the student_name line of an
    answers file is the student's to edit, so a name there that is not the manifest's is only
    quoted in the note. Every text cell is made safe for a spreadsheet (``spreadsheet_text``)."""
    reports = [o for o in outcomes if isinstance(o, Report)]
    problems = csv_problem_columns(reports)
    twins = duplicate_ids(outcomes)
    names = names or {}

    def note(item, given=""):
        notes = []
        others = [path for path in twins.get(item.student_id, []) if path != item.source]
        if others:
            notes.append("another answers file has this id: " + ", ".join(others))
        known = names.get(item.student_id)
        if known is not None and given and given != known:
            notes.append(f"the answers file names the student {given!r}; the manifest "
                         + (f"names them {known!r}" if known else "gives no name"))
        return "; ".join(notes)

    def row(cells):     # numbers (points, percent) never start with = + - @: unchanged
        return [spreadsheet_text(c) if isinstance(c, str) else c for c in cells]

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADEBOOK_HEAD + problems + ["total", "out_of", "percent", "file", "error", "note"])
    for item in outcomes:
        if isinstance(item, Failure):
            writer.writerow(row([item.student_id, names.get(item.student_id, "")] + [""] * len(problems)
                                + ["", "", "", item.source, item.reason, note(item)]))
            continue
        scores = {p.key: points_text(p.points) for p in item.problems}
        writer.writerow(row([item.student_id, names.get(item.student_id, item.student_name)]
                            + [scores.get(k, "") for k in problems]
                            + [points_text(item.points), item.total, f"{item.percent:.1f}", item.source, "",
                               note(item, item.student_name)]))
    for sid, name in missing:
        writer.writerow(row([sid, name] + [""] * len(problems) + ["", "", "", "", "", "no answers file was given"]))
    return buffer.getvalue()


def render(outcomes: Sequence[Any], fmt: str = DEFAULT_FORMAT, unicode: bool = True) -> str:
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
