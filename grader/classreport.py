"""What a graded class produces: grades.csv, one report per student and a class summary.

``write_all(out, info, records)`` writes, from the records of ``results.jsonl`` alone (so
a resumed run or a merge of shards writes the same files):

- ``grades.csv``: the submission id, points per function (contract order), total, percent
  (UTF-8 with a byte order mark, as ``reports/index.csv``: Excel then reads a name in Hangul
  as written, ``chainrule_core.fileio.spreadsheet_csv``);
- ``grades-by-student.csv``, when the submissions folder held a Gradescope export's
  ``submission_metadata.yml`` (``info["metadata"]``, ``grader.gradescope``): one row per
  submitter (student id, name, e-mail, the submission) with the columns of grades.csv, in the
  file's order; the only file that holds names and e-mails (the reports and summaries never do);
- ``reports/<id>.md``: the student's feedback (the Markdown report of ``chainrule grade``);
  an id that is not safe as a file name gets a file named for it made safe plus a short
  hash of the id (``report_name``), and ``reports/index.csv`` lists every id's file;
- ``summary.md`` and a self-contained ``summary.html`` (inline CSS and SVG, no script):
  a histogram of totals, per function the share at full marks and the most frequent
  known mistakes (the catalog's named mistakes; what else the grader read in the numbers,
  a finding such as ``update-scaled``, in a line of its own below), per module averages, the submissions not graded and why, and pairs of
  similar submissions (``grader.similarity``) with the shared passages side by side.

Student ids and code are untrusted: every piece of them is escaped for the format it is
written in, and no output depends on time or on the order submissions finished in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import statistics
import zipfile

from chainrule_core.fileio import spreadsheet_csv, spreadsheet_text, write_atomic
from grader.release_settings import POINTS_IN_FORCE
from grader import escape
from grader.batch import student_id, windows_reserved
from grader.gradescope import NAME as METADATA
from grader.calls import KIND as DEPENDENCY
from grader.results import apportion, counted

POINTS = POINTS_IN_FORCE   # the contract's points, or a release's choice (a live view: grade-all --release)

BINS = 10
MAX_PAIRS = 30
#: summary.md's sections of the rows not graded: the submission's fault, or the grader's
NOTHING_HEADING = "Nothing to grade"
NOTHING_SENTENCE = ("These submissions hold nothing the grader can grade, by their own fault (0 points in "
                    "grades.csv; a rerun grades them again only once their files change):")
FAILED_HEADING = "Grader failures"
FAILED_SENTENCE = ("The grader itself failed on these, not the submissions (0 points in grades.csv for "
                   "now; running the same grade-all command again grades them again):")
MAX_SHORT = 30      # submissions too short to compare, named in the summary
MAX_PASSAGE_LINES = 40
TOP_MISTAKES = 3
#: the line above the findings that are no named mistake (kept out of the known mistakes' column)
READINGS_INTRO = ("Other findings, not named mistakes (what the grader read in the numbers of the failing "
                  "cases; each student's report says more), with how many submissions:")


def _num(x):
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _pct(x):
    return f"{x:.1f}%"


# --------------------------------------------------------------------------- rows
class Row:
    """One submission's line of the class: points per function (0 when not graded)."""

    def __init__(self, ident, names, record):
        from grader.batch import result_from_json

        self.id = ident
        self.record = record
        self.status = record.get("status", "missing") if record else "missing"
        self.note = (record or {}).get("note", "")
        self.result = result_from_json(record["result"]) if record and record.get("result") else None
        self.points = {}
        self.diagnoses = {}     # function -> the ids of its named known mistakes (kind "known")
        self.readings = {}      # function -> the ids of what else the grader found (a reading of the numbers)
        self.sentences = {}     # (function, mistake id) -> the sentence the student was given
        self.full = {}
        self.todo = {}
        for name in names:
            fr = self.result.functions.get(name) if self.result else None
            self.points[name] = fr.exact_score if fr else 0.0
            self.full[name] = bool(fr and fr.passed)
            self.todo[name] = bool(fr is None or fr.not_implemented)
            # what to teach again: the function's own mistakes, not a failure it inherits
            # from a function it calls (that one's row counts the mistake)
            own = [d for c in fr.cases for d in c.diagnoses if d.kind != DEPENDENCY] if fr else []
            self.diagnoses[name] = sorted({d.name for d in own if d.kind == "known"})
            self.readings[name] = sorted({d.name for d in own if d.kind != "known"} - set(self.diagnoses[name]))
            for d in own:   # the sentence of its first case, as the student's report gives it
                self.sentences.setdefault((name, d.name), d.hint)
        self.max = sum(POINTS[n] for n in names)
        self.total = sum(self.points.values())
        self.percent = 100.0 * self.total / self.max if self.max else 0.0

    @property
    def graded(self):
        return self.status == "graded"


def build_rows(ids, names, records):
    return [Row(i, names, records.get(i)) for i in ids]


# --------------------------------------------------------------------------- grades.csv
def grades_csv(rows, names):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", *names, "total", "percent"])
    for row in rows:
        writer.writerow([spreadsheet_text(row.id), *_grade_cells(row, names)])
    return buffer.getvalue()


def _grade_cells(row, names):
    """A row's points per function, total and percent, as grades.csv writes them (its points
    add up to its total: grader.results.apportion)."""
    return [*(_num(p) for p in apportion([row.points[n] for n in names])), _num(row.total), f"{row.percent:.2f}"]


# --------------------------------------------------------------------------- grades-by-student.csv
BY_STUDENT = "grades-by-student.csv"
FIELDS = ("sid", "name", "email")
MAX_IDS = 10    # submission ids named in a sentence of the summaries


class Students:
    """The rows of grades-by-student.csv and what the summaries say of them, from the
    metadata ``batch.json`` keeps (``grader.gradescope.for_class``) and the class's ``rows``.

    ``lines``: ``(submitter or None, submission id, Row or None)`` in the file's order, each
    submitter of a submission in theirs; then the submissions not in the file, in id order,
    with no submitter. ``whole``: the class's every submission is here (no shard), so the
    file's submissions with no folder among ``entries`` (the class's ids) get rows without
    points; in a shard, or for a submission a merge has no record of yet, they are another
    run's to write, as grades.csv leaves them out."""

    def __init__(self, metadata, rows, entries, whole):
        self.unusable = metadata.get("unusable")
        self.lines = []
        self.absent = []        # [(id, its submitters)]: in the file, with no folder in the class
        self.unnamed = []       # ids of rows naming no student: not in the file, or no submitter there
        self.repeated = []      # [[ids]]: the submissions one student (by id, else e-mail) is a submitter of
        if self.unusable:
            return
        by_id = {row.id: row for row in rows}
        listed = set()
        for ident, people in metadata.get("submissions") or []:
            listed.add(ident)
            people = [p for p in people or [] if isinstance(p, dict)]
            row = by_id.get(ident)
            if row is None:
                if whole and ident not in entries:
                    self.absent.append((ident, people))
                    self.lines += [(person, ident, None) for person in people]
                continue
            if not people:
                self.unnamed.append(ident)
            self.lines += [(person, ident, row) for person in people] or [(None, ident, row)]
        for row in rows:
            if row.id not in listed:
                self.unnamed.append(row.id)
                self.lines.append((None, row.id, row))
        held = {}
        for person, ident, _ in self.lines:
            key = _cell_text((person or {}).get("sid")) or _cell_text((person or {}).get("email")).casefold()
            if key:
                held.setdefault(key, [])
                if ident not in held[key]:
                    held[key].append(ident)
        self.repeated = [ids for ids in held.values() if len(ids) > 1]

    @property
    def students(self):
        return sum(1 for person, _, _ in self.lines if person is not None)

    def short(self):
        """What the terminal's closing line adds after the file's name: the counts."""
        if self.unusable:
            return ""
        parts = [f"{counted(self.students, 'student')} of {METADATA}"]
        if self.absent:
            parts.append(f"{counted(len(self.absent), 'submission')} without a folder")
        if self.unnamed:
            parts.append(f"{counted(len(self.unnamed), 'folder')} without a student")
        if self.repeated:
            parts.append(f"{counted(len(self.repeated), 'student')} in more than one submission")
        return "; ".join(parts) + ("; see summary.md" if len(parts) > 1 else "")

    def sentences(self, merged=False):
        """The summaries' sentences on the file (plain text: submission ids, never names)."""
        if self.unusable:
            return [not_used(self.unusable, merged)]
        out = [f"{BY_STUDENT} gives the grade of each of the {counted(self.students, 'student')} that "
               f"{METADATA} names, a row each (every member of a group gets the group's), with the columns "
               "of grades.csv after the student id, name, e-mail and submission."]
        if self.absent:
            n, k = len(self.absent), sum(len(people) for _, people in self.absent)
            then = (f"{BY_STUDENT} lists {'its' if n == 1 else 'their'} {counted(k, 'student')} without points"
                    if k else f"{'it names' if n == 1 else 'they name'} no student either")
            out.append(f"{counted(n, 'submission')} in {METADATA} {'have' if n != 1 else 'has'} no folder in the "
                       f"submissions folder ({_ids(i for i, _ in self.absent)}): {then}.")
        if self.unnamed:
            n = len(self.unnamed)
            out.append(f"{counted(n, 'submission folder')} {'name' if n != 1 else 'names'} no student in "
                       f"{METADATA} ({_ids(self.unnamed)}): {'each' if n != 1 else 'it'} has a row of its own in "
                       f"{BY_STUDENT}, with the student's columns empty.")
        if self.repeated:
            n = len(self.repeated)
            groups = "; ".join(" and ".join(ids) for ids in self.repeated[:MAX_IDS])
            out.append(f"{counted(n, 'student')} {'is' if n == 1 else 'are each'} a submitter of more than one "
                       f"submission ({groups}{'; ...' if n > MAX_IDS else ''}): {BY_STUDENT} has a row for "
                       "each; keep the right one before importing it.")
        return out


def not_used(why, merged=False):
    """The sentence of the terminal and the summaries on a metadata file that cannot be used
    (``why``: ``grader.gradescope.Unusable``'s clause); ``merged``: said of a merge."""
    again = ("run each shard's command again (nothing is graded again), then merge again" if merged else
             "run the same command again (nothing is graded again)")
    return (f"{METADATA} was not used, so there is no {BY_STUDENT} and grades.csv names each row by its "
            f"submission folder: {why}; correct it, {again}.")


def _ids(ids):
    ids = list(ids)
    return ", ".join(ids[:MAX_IDS]) + (", ..." if len(ids) > MAX_IDS else "")


def _cell_text(value):
    """A submitter's field as one line of text: None empty, every run of white space (a line
    break in a folded name) one space, control characters escaped as in an id (``student_id``)."""
    return "" if value is None else student_id(" ".join(str(value).split()))


def by_student_csv(students, names):
    """``grades-by-student.csv``: a row per line of ``students``; every text cell guarded as
    grades.csv's id is (``spreadsheet_text``: a name starting with ``=`` is no formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FIELDS, "submission", *names, "total", "percent"])
    for person, ident, row in students.lines:
        cells = _grade_cells(row, names) if row is not None else [""] * (len(names) + 2)
        writer.writerow([*(spreadsheet_text(_cell_text((person or {}).get(f))) for f in FIELDS),
                         spreadsheet_text(ident), *cells])
    return buffer.getvalue()


# --------------------------------------------------------------------------- reports/<id>.md
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~<>&])")     # with no [ ], ( ) cannot make a link


def md_text(text):
    """Untrusted text as plain Markdown text: control characters replaced, specials escaped."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


def student_report(row, total_max):
    from grader.reports import render

    if row.result is not None:
        return render(row.result, "markdown")
    points = "point" if total_max == 1 else "points"
    why = {"ungradable": "could not be graded", "error": "could not be graded (a grader failure, "
           "not the submission's: run grade-all again)", "missing": "was not graded"}[row.status]
    return (f"## chainrule grade: 0 / {_num(total_max)} {points} (0.0%)\n\n"
            f"Submission {md_text(row.id)} {why}: {md_text(row.note)}.\n")


def report_name(ident, hashed=False):
    """The file name of a student's report: the id itself when it is safe as a file name;
    else the id made safe (every other character ``_``) and the first 8 hex digits of its
    SHA-256, so that ``kim(1)`` (``kim_1_-….md``) never takes ``kim_1_``'s file
    (``kim_1_.md``); an id longer than ``MAX_NAME_BYTES`` is cut there and hashed too. ``hashed``: add the hash anyway (two ids differing only in case,
    which collide on a case-insensitive file system)."""
    name = "".join(c if (c.isalnum() or c in "-_.@+ ") else "_" for c in ident).strip()
    if not name or name.startswith(".") or windows_reserved(name):     # CON.md: a device on Windows
        name = "_" + name
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:  # a file name holds 255 bytes, its temporary copy more
        name = name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip()
    if hashed or name != ident:
        name += "-" + hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return name + ".md"


#: the part of a report's file name taken from its id, at most (a longer id is cut and hashed)
MAX_NAME_BYTES = 100


def report_names(ids):
    """``{id: file name}`` for a class: ``report_name``, no two names alike even ignoring case."""
    folded = {}
    for ident in ids:
        folded.setdefault(report_name(ident).casefold(), []).append(ident)
    names, taken = {}, set()
    for ident in ids:
        name = report_name(ident, hashed=len(folded[report_name(ident).casefold()]) > 1)
        while name.casefold() in taken:     # an id that is itself another's made-safe name
            name = name[:-3] + "_.md"
        taken.add(name.casefold())
        names[ident] = name
    return names


def report_index(names):
    """``reports/index.csv``: which file holds which student's report."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "report"])
    for ident, name in names.items():
        writer.writerow([spreadsheet_text(ident), name])
    return buffer.getvalue()


# the plain words a reading may start with; any other first word is left as it is, since it
# may be a code name ("db reduces dout ...", "b1 and b2 are ..."), whose case is never changed
_PLAIN_WORDS = frozenset("""a all an after as at before both each every for if in it its many most no
    on one only several some that the these this when where with you your""".split())


def _capitalised(text):
    """``text`` with a capital first letter when it starts with a plain word ("the sign" ->
    "The sign"), unchanged when it starts with anything else, such as a variable name."""
    first = re.match(r"[A-Za-z]+\b", text)
    if first and first.group(0) in _PLAIN_WORDS:
        return text[:1].upper() + text[1:]
    return text


def _sentence(hint):
    """A hint as a sentence for the instructor: capitalised, ending in a full stop."""
    from grader.reports import as_sentence

    return as_sentence(" ".join(str(hint).split()))


# --------------------------------------------------------------------------- class statistics
class Summary:
    def __init__(self, info, rows, names, missing=(), sources=None):
        self.info = info
        self.rows = rows
        self.names = names
        self.graded = [r for r in rows if r.graded]
        self.missing = list(missing)
        self.max = sum(POINTS[n] for n in names)
        self.sources = sources
        self.stale_reports = []     # report files of submissions gone from the class (write_all)
        self.students = None        # grades-by-student.csv's Students, with a metadata file (write_all)
        self.removed_by_student = False     # an earlier run's grades-by-student.csv, with no metadata file now
        fp = info.get("fingerprint", {})
        self.seed = fp.get("seed")
        self.oracle = info.get("oracle", "")

    def histogram(self):
        counts = [0] * BINS
        for row in self.rows:
            index = min(BINS - 1, int(row.percent // (100 / BINS)))
            counts[index] += 1
        return counts

    def functions(self):
        """Per function: (name, points, full count, not implemented count, mean, [(known
        mistake id, n, its sentence)], [(id of another finding, n, its sentence)]): the
        named known mistakes of the catalog apart from what else the grader read in the
        numbers (a finding such as ``update-scaled``, which names no mistake)."""
        out = []
        n = len(self.graded)
        for name in self.names:
            full = sum(1 for r in self.graded if r.full[name])
            todo = sum(1 for r in self.graded if r.todo[name])
            mean = statistics.fmean([r.points[name] for r in self.graded]) if n else 0.0
            top = self._most_frequent(name, lambda r: r.diagnoses[name])
            others = self._most_frequent(name, lambda r: r.readings[name])
            out.append((name, POINTS[name], full, todo, mean, top, others))
        return out

    def _most_frequent(self, name, ids):
        tally, sentences = {}, {}
        for r in self.graded:
            for d in ids(r):
                tally[d] = tally.get(d, 0) + 1
                sentences.setdefault(d, set()).add(r.sentences.get((name, d), ""))
        top = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISTAKES]
        return [(m, n, _sentence(min(sentences[m]) or m)) for m, n in top]

    def modules(self):
        grouped = {}
        for name in self.names:
            grouped.setdefault(name.split(".", 1)[0], []).append(name)
        out = []
        for module, names in grouped.items():
            most = sum(POINTS[n] for n in names)
            mean = statistics.fmean([sum(r.points[n] for n in names) for r in self.graded]) if self.graded else 0.0
            out.append((module, most, mean))
        return out

    def not_graded(self):
        return [r for r in self.rows if not r.graded]

    def not_graded_groups(self):
        """``[(heading, sentence, rows)]``: the submissions with nothing to grade (their own
        fault: no module, a zip or notebook that cannot be graded), then those the grader
        failed on (its fault: a rerun grades them again); only the groups that have rows."""
        nothing = [r for r in self.rows if not r.graded and r.status == "ungradable"]
        failed = [r for r in self.rows if not r.graded and r.status != "ungradable"]
        groups = []
        if nothing:
            groups.append((NOTHING_HEADING, NOTHING_SENTENCE, nothing))
        if failed:
            groups.append((FAILED_HEADING, FAILED_SENTENCE, failed))
        return groups

    def totals(self):
        values = [r.percent for r in self.rows]
        if not values:
            return None
        return statistics.fmean(values), statistics.median(values), min(values), max(values)


# --------------------------------------------------------------------------- summary.md
def _release_words(s):
    """`` as the release 'dist/' hands them out`` for a class graded with ``--release``, else ""."""
    release = s.info.get("release")
    if not release:
        return ""
    return f" as the release '{release.get('given') or release.get('file')}' hands them out"


#: the summaries' first words when student code could read the reference (``info["exposure"]``)
EXPOSED = "WARNING: student code could read the reference while this class was graded."


def _shard_words(s):
    """The line that opens a shard's summary ("" for a whole class or a merge): its numbers
    and its similar pairs are this shard's alone."""
    shard = s.info.get("shard")
    if not shard:
        return ""
    return (f"Shard {shard[0]} of {shard[1]}: these statistics and the similarity section cover this "
            f"shard's submissions only; `chainrule grade-all --merge` with the {shard[1]} shard folders "
            "gives the whole class.")


def summary_markdown(s, pairs):
    out = ["# chainrule grade-all: class summary", ""]
    if _shard_words(s):
        out += [f"**{_shard_words(s)}**", ""]
    graded = len(s.graded)
    exposure = s.info.get("exposure")
    if exposure:
        out += [f"**{EXPOSED}** {md_text(exposure)}", ""]
    out.append(f"{counted(len(s.rows), 'submission')}, {graded} graded; "
               f"{counted(len(s.names), 'function')} worth {_num(s.max)} points{md_text(_release_words(s))}; "
               f"seed {s.seed if s.seed is not None else 'per submission'}; expected values from {md_text(s.oracle)}.")
    totals = s.totals()
    if totals:
        mean, median, low, high = totals
        out.append("")
        out.append(f"Total (percent of {_num(s.max)} points, every submission counted): mean {_pct(mean)}, "
                   f"median {_pct(median)}, lowest {_pct(low)}, highest {_pct(high)}.")
    out += ["", "## Totals", "", "| Percent | Submissions | |", "|---|---|---|"]
    counts = s.histogram()
    width = max(counts) or 1
    for i, count in enumerate(counts):
        label = f"{i * 10}-{i * 10 + 10}" + ("" if i == BINS - 1 else "")
        bar = "█" * round(20 * count / width)
        out.append(f"| {label}{'%' if i < BINS - 1 else '% (incl. 100)'} | {count} | {bar} |")
    out += ["", "## Functions", "",
            "What to teach again: per function, the share of graded submissions at full marks and "
            "the known mistakes most often matched.", "",
            "| Function | Points | Full marks | Not implemented | Mean points | Most frequent known mistakes |",
            "|---|---|---|---|---|---|"]
    functions = s.functions()
    for name, points, full, todo, mean, top, _ in functions:
        share = f"{full}/{graded} ({_pct(100 * full / graded)})" if graded else "-"
        mistakes = "<br>".join(f"{_hint_md(t)} ({n}, `{m}`)" for m, n, t in top) or "-"
        out.append(f"| `{name}` | {_num(points)} | {share} | {todo} | {mean:.2f} | {mistakes} |")
    readings = [(name, others) for name, *_, others in functions if others]
    if readings:
        out += ["", READINGS_INTRO, ""]
        for name, others in readings:
            out.append(f"- `{name}`: " + "; ".join(f"{_hint_md(_capitalised(t))} ({n}, `{m}`)" for m, n, t in others))
    out += ["", "## Modules", "", f"Means over the {graded} graded submissions.", "",
            "| Module | Points | Mean points | Mean percent |", "|---|---|---|---|"]
    for module, most, mean in s.modules():
        out.append(f"| `{module}` | {_num(most)} | {mean:.2f} | {_pct(100 * mean / most if most else 0)} |")
    groups = s.not_graded_groups()
    for heading, sentence, rows in groups:
        out += ["", f"## {heading}", "", sentence, ""]
        for row in rows:
            out.append(f"- {md_text(row.id)}: {md_text(row.note or row.status)}")
    if not groups:
        out += ["", f"## {NOTHING_HEADING}", "", "Every submission was graded."]
    ignored = s.info.get("ignored") or []
    if ignored:
        out += ["", "Ignored in the submissions folder: " +
                "; ".join(f"{md_text(n)} ({md_text(why)})" for n, why in ignored) + "."]
    if s.missing:
        out += ["", f"Not in these results yet ({len(s.missing)}): " +
                ", ".join(md_text(m) for m in s.missing) + "."]
    if s.students is not None:
        out += ["", "## Students", ""]
        for sentence in s.students.sentences(bool(s.info.get("merged"))):
            out += [md_text(sentence), ""]
        out.pop()
    out += ["", "## Similar submissions", ""]
    out += _similarity_md(pairs, s)
    return "\n".join(out) + "\n"


def _similarity_intro(pairs, s):
    from grader import similarity as sim

    text = ("Code is compared after comments, whitespace, names and literals are normalised and the "
            "skeleton's own text is removed (MOSS-style winnowing of what each student wrote, every "
            f"stretch of it on its own: a fingerprint stands for a run of {sim.K} tokens or more, so a "
            "one-line answer, which every student writes alike, never makes a pair; code found in more "
            f"than {sim.MAX_COMMON} submissions, or a tenth of the class if more, is common and not counted). "
            "A pair shares a fingerprint and: all of the two submissions' own code is the same, whatever "
            f"its size (\"same code\"); or at least {sim.MIN_FEW} shared fingerprints cover at least "
            f"{sim.MIN_MOST:.0%} of each one's (a short submission copied with an edit or two), these two "
            f"counting only code that at most {sim.MAX_RARE} submissions hold (short code that more students "
            "wrote alike, as the skeleton's hints lead them to, is no sign of a copy); or at least "
            f"{sim.MIN_SHARED} cover at least {sim.MIN_SHARE:.0%} of the smaller one's. "
            "A pointer for a closer look, never a verdict: short functions that everyone writes alike "
            "match too.")
    if not s.info.get("skeleton"):
        text += " (The exercise skeleton was not found, so its text was not removed.)"
    return text


def similarity_notes(s):
    """``[(sentence before the ids, [(id, detail)], sentence after)]``: the submissions the
    check could not compare in full (a pointer for a look, as the pairs are)."""
    from grader import similarity as sim

    capped, dynamic, short = [], [], []
    records = {}
    for row in s.graded:
        stats = row.record.get("similarity") or {}
        prints = sim.unpack(row.record.get("fingerprints"))
        records[row.id] = prints
        if "fingerprints" in row.record and sim.too_short(prints):
            mine = stats.get("own_tokens")
            short.append((row.id, "no code of its own" if mine == 0 else
                          f"{len(prints)} fingerprint{'' if len(prints) == 1 else 's'}" +
                          ("" if mine is None else f", {mine:,} tokens of its own")))
        if stats.get("capped"):
            capped.append((row.id, f"{stats.get('tokens', 0):,} tokens"))
        if stats.get("dynamic"):
            dynamic.append((row.id, ", ".join(str(n) for n in stats["dynamic"])))
    notes = []
    if short:
        shown = short[:MAX_SHORT]
        more = len(short) - len(shown)
        notes.append((f"{len(short)} of the {len(s.graded)} graded submission{'' if len(s.graded) == 1 else 's'} "
                      f"{'was' if len(short) == 1 else 'were'} too short to compare (fewer than "
                      f"{sim.MIN_FEW} fingerprints of code the student wrote: only a copy of all of that code is "
                      "found, and none of one-line answers alone): ", shown,
                      f"; and {more} more." if more else "."))
    widely = sim.mostly_common(records)
    if widely:
        shown = widely[:MAX_SHORT]
        more = len(widely) - len(shown)
        notes.append((f"Mostly code that more than {max(sim.MAX_COMMON, len(records) // 10)} submissions hold, which "
                      "no pair counts (a solution shared widely, or code from elsewhere: look at them together): ",
                      [(ident, f"{held} of its {total} fingerprints") for ident, held, total in shown],
                      f"; and {more} more." if more else "."))
    if capped:
        notes.append((f"Compared only in part (the check reads at most {sim.MAX_TOKENS:,} tokens, "
                      f"{sim.MAX_LINE_BYTES >> 20} MB of code lines and {sim.MAX_FILES} files of a "
                      "submission; a full solution is about 3,000 tokens): ",
                      capped, ". Code past that point was not compared; padding can hide a copy there."))
    if dynamic:
        notes.append(("Code that runs code built at run time (exec, eval, compile, __import__ or "
                      "importlib; string literals that are Python are compared, code assembled "
                      "from pieces cannot be): ", dynamic, "."))
    return notes


def _similarity_md(pairs, s):
    out = [_similarity_intro(pairs, s), ""]
    for before, who, after in similarity_notes(s):
        out += [before + "; ".join(f"{md_text(i)} ({md_text(d)})" for i, d in who) + after, ""]
    if not pairs:
        out.append("No similar pairs.")
        return out
    out += ["| Submission | Submission | Shared fingerprints | Share of each |", "|---|---|---|---|"]
    for p in pairs[:MAX_PAIRS]:
        same = " (same code)" if p.get("same") else ""
        out.append(f"| {md_text(p['a'])} | {md_text(p['b'])} | {p['shared']}{same} | "
                   f"{p['share_a']:.0%} / {p['share_b']:.0%} |")
    if len(pairs) > MAX_PAIRS:
        out += ["", f"And {len(pairs) - MAX_PAIRS} more pairs (the most similar are shown)."]
    out += ["", "summary.html shows the shared passages side by side."]
    return out


# --------------------------------------------------------------------------- summary.html
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right}code{font-size:.95em}
pre{margin:0;font-size:.85em;white-space:pre;overflow-x:auto;max-width:34em}
.pair{width:100%;table-layout:fixed}.pair td{width:50%}.pair pre{max-width:none}.note{color:#555}
.warning{border:2px solid #b00;background:#fee;padding:.6em}
"""


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _hint_md(text):
    """A hint sentence in a Markdown table cell: its `code` kept as code, the rest plain text."""
    parts = _CODE_SPAN.split(str(text))
    return "".join(md_text(p) if i % 2 == 0 else "`" + p.replace("|", "\\|") + "`" for i, p in enumerate(parts))


def _hint_html(text):
    """A hint sentence in the summary page: its `code` as <code>, everything escaped."""
    parts = _CODE_SPAN.split(str(text))
    return "".join(_h(p) if i % 2 == 0 else f"<code>{_h(p)}</code>" for i, p in enumerate(parts))


def _h(text):
    """Student-controlled text (ids, code, messages) in the summary page: the grader's one
    HTML escaping (``grader.escape``: control characters shown, lone surrogates replaced)."""
    return escape.html(str(text))


def histogram_svg(counts):
    width, height, pad, bottom = 520, 200, 30, 30
    most = max(counts) or 1
    bar = (width - 2 * pad) / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + bottom}" '
             f'role="img" aria-label="Histogram of totals">']
    parts.append(f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#444"/>')
    for i, count in enumerate(counts):
        h = (height - 20) * count / most
        x = pad + i * bar
        parts.append(f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" '
                     f'fill="#4a7ab5"><title>{i * 10}-{i * 10 + 10}%: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - h - 4:.1f}" font-size="12" '
                         f'text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height + 16}" font-size="11" '
                     f'text-anchor="middle">{i * 10}</text>')
    parts.append(f'<text x="{width - pad}" y="{height + bottom - 2}" font-size="11" '
                 'text-anchor="end">percent of the points (last bar includes 100)</text>')
    parts.append("</svg>")
    return "".join(parts)


def summary_html(s, pairs):
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>chainrule grade-all: class summary</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>chainrule grade-all: class summary</h1>"]
    if _shard_words(s):
        out.append(f"<p class=warning><strong>{_hint_html(_shard_words(s))}</strong></p>")
    graded = len(s.graded)
    exposure = s.info.get("exposure")
    if exposure:
        out.append(f'<p class=warning><strong>{_h(EXPOSED)}</strong> {_h(exposure)}</p>')
    out.append(f"<p>{_h(counted(len(s.rows), 'submission'))}, {graded} graded; "
               f"{_h(counted(len(s.names), 'function'))} worth {_num(s.max)} points{_h(_release_words(s))}; "
               f"seed {_h(s.seed if s.seed is not None else 'per submission')}; "
               f"expected values from {_h(s.oracle)}.</p>")
    totals = s.totals()
    if totals:
        mean, median, low, high = totals
        out.append(f"<p>Total (percent of {_num(s.max)} points, every submission counted): mean {_pct(mean)}, "
                   f"median {_pct(median)}, lowest {_pct(low)}, highest {_pct(high)}.</p>")
    out.append("<h2>Totals</h2>")
    out.append(histogram_svg(s.histogram()))
    out.append("<h2>Functions</h2><p>What to teach again: per function, the share of graded submissions "
               "at full marks and the known mistakes most often matched.</p>")
    out.append("<table><tr><th>Function</th><th>Points</th><th>Full marks</th><th>Not implemented</th>"
               "<th>Mean points</th><th>Most frequent known mistakes</th></tr>")
    functions = s.functions()
    for name, points, full, todo, mean, top, _ in functions:
        share = f"{full}/{graded} ({_pct(100 * full / graded)})" if graded else "-"
        mistakes = "<br>".join(f'<span title="{_h(m)}">{_hint_html(t)}</span> ({n}, <code>{_h(m)}</code>)'
                               for m, n, t in top) or "-"
        out.append(f"<tr><td><code>{_h(name)}</code></td><td class=n>{_num(points)}</td><td class=n>{share}</td>"
                   f"<td class=n>{todo}</td><td class=n>{mean:.2f}</td><td>{mistakes}</td></tr>")
    out.append("</table>")
    readings = [(name, others) for name, *_, others in functions if others]
    if readings:
        out.append(f"<p>{_h(READINGS_INTRO)}</p><ul>")
        for name, others in readings:
            out.append(f"<li><code>{_h(name)}</code>: " + "; ".join(
                f'<span title="{_h(m)}">{_hint_html(_capitalised(t))}</span> ({n}, <code>{_h(m)}</code>)'
                for m, n, t in others)
                + "</li>")
        out.append("</ul>")
    out.append(f"<h2>Modules</h2><p>Means over the {graded} graded submissions.</p>")
    out.append("<table><tr><th>Module</th><th>Points</th><th>Mean points</th><th>Mean percent</th></tr>")
    for module, most, mean in s.modules():
        out.append(f"<tr><td><code>{_h(module)}</code></td><td class=n>{_num(most)}</td>"
                   f"<td class=n>{mean:.2f}</td><td class=n>{_pct(100 * mean / most if most else 0)}</td></tr>")
    out.append("</table>")
    groups = s.not_graded_groups()
    for heading, sentence, rows in groups:
        out.append(f"<h2>{_h(heading)}</h2><p>{_h(sentence)}</p><ul>")
        out += [f"<li>{_h(r.id)}: {_h(r.note or r.status)}</li>" for r in rows]
        out.append("</ul>")
    if not groups:
        out.append(f"<h2>{_h(NOTHING_HEADING)}</h2><p>Every submission was graded.</p>")
    ignored = s.info.get("ignored") or []
    if ignored:
        out.append("<p>Ignored in the submissions folder: " +
                   "; ".join(f"{_h(n)} ({_h(why)})" for n, why in ignored) + ".</p>")
    if s.missing:
        out.append(f"<p>Not in these results yet ({len(s.missing)}): " +
                   ", ".join(_h(m) for m in s.missing) + ".</p>")
    if s.students is not None:
        out.append("<h2>Students</h2>")
        out += [f"<p>{_h(sentence)}</p>" for sentence in s.students.sentences(bool(s.info.get("merged")))]
    out.append("<h2>Similar submissions</h2>")
    out.append(f"<p class=note>{_h(_similarity_intro(pairs, s))}</p>")
    for before, who, after in similarity_notes(s):
        out.append(f"<p>{_h(before)}" + "; ".join(f"{_h(i)} ({_h(d)})" for i, d in who) + f"{_h(after)}</p>")
    if not pairs:
        out.append("<p>No similar pairs.</p>")
    for p in pairs[:MAX_PAIRS]:
        same = "the same code, " if p.get("same") else ""
        out.append(f"<h3>{_h(p['a'])} and {_h(p['b'])}: {same}{p['shared']} shared fingerprint"
                   f"{'' if p['shared'] == 1 else 's'} "
                   f"({p['share_a']:.0%} of {_h(p['a'])}, {p['share_b']:.0%} of {_h(p['b'])})</h3>")
        out.append(_passages_html(s, p))
    if len(pairs) > MAX_PAIRS:
        out.append(f"<p>And {len(pairs) - MAX_PAIRS} more pairs (the most similar are shown).</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _passages_html(s, p):
    from grader.similarity import passages, unpack

    rows = {r.id: r for r in s.rows}
    a, b = rows[p["a"]].record, rows[p["b"]].record
    found = passages(unpack(a.get("fingerprints")), unpack(b.get("fingerprints")), p["hashes"])
    if not found:
        return ""
    parts = ['<table class="pair">']
    for (fa, a1, a2), (fb, b1, b2) in found:
        left = _snippet(s, a, fa, a1, a2)
        right = _snippet(s, b, fb, b1, b2)
        parts.append(f"<tr><td>{_h(fa)}, lines {a1}-{a2}{left}</td><td>{_h(fb)}, lines {b1}-{b2}{right}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def _snippet(s, record, name, first, last):
    text = s.sources(record, name) if s.sources else None
    if text is None:
        return " <span class=note>(the file is not available here)</span>"
    lines = text.splitlines()
    last = min(last, len(lines))
    shown = min(last, first + MAX_PASSAGE_LINES - 1)
    body = "\n".join(f"{n:4d}  {lines[n - 1]}" for n in range(first, shown + 1))
    more = f"<span class=note>({last - shown} more lines)</span>" if last > shown else ""
    return f"<pre>{_h(body)}</pre>{more}"


# --------------------------------------------------------------------------- sources for passages
def source_reader(submissions):
    """``read(record, file) -> text or None``: a fingerprinted file, if still the same."""
    cache = {}

    def read(record, name):
        key = (record.get("id"), name)
        if key in cache:
            return cache[key]
        text = None
        try:
            text = _read_source(submissions, record, name)
        except (OSError, ValueError, zipfile.BadZipFile, KeyError):
            text = None
        if text is not None:
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            if digest != (record.get("files") or {}).get(name):
                text = None
        cache[key] = text
        return text

    return read


def _read_source(submissions, record, name):
    from grader.limits import MAX_NOTEBOOK_BYTES
    from grader.similarity import read_source, source_text

    name_parts = name.split("/")
    if not submissions or any(p in ("", ".", "..") or p.startswith(".") for p in name_parts):
        return None
    source = record.get("source", "")
    if "/" in source or source.startswith(".") or not source:
        return None
    inner = record.get("folder") or "."
    parts = [p for p in inner.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    path = os.path.join(submissions, source)
    if record.get("kind") == "zip":
        with zipfile.ZipFile(path) as archive:
            want = "/".join(parts + [name])
            for info in archive.infolist():
                if info.filename.replace("\\", "/").strip("/") == want:
                    with archive.open(info) as handle:
                        return source_text(name, handle.read(MAX_NOTEBOOK_BYTES + 1))
        return None
    root = os.path.realpath(path)
    full = os.path.join(path, *parts, *name_parts)
    if not os.path.realpath(full).startswith(root + os.sep) or os.path.islink(full):
        return None
    return read_source(full)


# --------------------------------------------------------------------------- everything
def _indexed(reports):
    """The report files the last run's ``reports/index.csv`` lists (plain names ending in
    .md, nothing with a path), or none when it cannot be read."""
    try:
        # utf-8-sig: with the byte order mark the kit writes, or without (an earlier kit's)
        with open(os.path.join(reports, "index.csv"), encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))[1:]
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    return {row[1] for row in rows if len(row) == 2 and row[1].endswith(".md") and row[1] == os.path.basename(row[1])
            and not row[1].startswith(".")}


def _remove_stale_reports(reports, stale):
    """Remove the reports of submissions no longer in the class (an entry taken out of
    SUBMISSIONS since the last run): grades.csv and the summaries have no row for them, and
    a report left behind would be mailed out with the rest. Only what the last run listed
    in its index, only regular files, and never through a ``reports`` that is a link
    (session 9's attack: any .md there went, an instructor's README.md, and through a link a
    shared folder's syllabus). Returns the file names removed."""
    if os.path.islink(reports):
        return []
    removed = []
    for name in sorted(stale):
        path = os.path.join(reports, name)
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            os.unlink(path)
        except OSError:
            continue
        removed.append(name)
    return removed


def write_all(out, info, records, ids=None):
    """Write grades.csv, reports/ and the summaries for ``ids`` (default: the class's entries
    in ``info``, limited to its shard); returns the ``Summary``."""
    from grader import similarity

    names = list(info["fingerprint"]["functions"])
    entries = list(info.get("entries", {}))
    if ids is None:
        ids = entries
        shard = info.get("shard")
        if shard:
            ids = ids[shard[0] - 1::shard[1]]
    present = [i for i in ids if i in records]
    missing = [i for i in ids if i not in records]
    rows = build_rows(present, names, records)
    summary = Summary(info, rows, names, missing, source_reader(info.get("submissions")))
    write_atomic(os.path.join(out, "grades.csv"), spreadsheet_csv(grades_csv(rows, names)))
    by_student = os.path.join(out, BY_STUDENT)
    if info.get("metadata"):
        summary.students = Students(info["metadata"], rows, set(entries), whole=not info.get("shard"))
    if summary.students is not None and not summary.students.unusable:
        write_atomic(by_student, spreadsheet_csv(by_student_csv(summary.students, names)))
    elif os.path.lexists(by_student) and not os.path.isdir(by_student):
        # an earlier run's, of students who may have changed since: not left to be imported
        os.unlink(by_student)
        summary.removed_by_student = summary.students is None
    reports = os.path.join(out, "reports")
    os.makedirs(reports, exist_ok=True)
    # named over the whole class, so a student's file is the same in a shard and in the merge
    every = report_names(list(dict.fromkeys(entries + [row.id for row in rows])))
    names = {row.id: every[row.id] for row in rows}
    written_before = _indexed(reports)      # what the last run wrote (its index), before this one's
    for row in rows:
        write_atomic(os.path.join(reports, names[row.id]), student_report(row, summary.max))
    write_atomic(os.path.join(reports, "index.csv"), spreadsheet_csv(report_index(names)))
    summary.stale_reports = _remove_stale_reports(reports, written_before - set(names.values()))
    prints = {r.id: similarity.unpack(r.record.get("fingerprints")) for r in rows if r.graded}
    own = {r.id: (r.record.get("similarity") or {}).get("own") for r in rows if r.graded}
    pairs = similarity.pairs(prints, own)
    write_atomic(os.path.join(out, "summary.md"), summary_markdown(summary, pairs))
    write_atomic(os.path.join(out, "summary.html"), summary_html(summary, pairs))
    return summary
