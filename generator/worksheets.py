"""The ``generate`` flow: a class set of worksheets, answer keys and answers templates.

Layout of the output folder (what to hand out is separate from what to keep)::

    manifest.json                      kit version, options, per student the variants and files
                                       (format: ``checker.manifest_file``)
    students/<id>/worksheet.md|html|tex(|pdf)
    students/<id>/answers.toml         the blanks that ``chainrule check`` reads
                                       (format: ``checker.answers_file``)
    students/<id>/figures/<key>.svg    network drawings the Markdown sheet links (md only)
    keys/<id>/key.md|html|tex(|pdf)    worked answer keys, for the instructor
    keys/<id>/figures/<key>.svg        the same drawings for the Markdown key

Everything written is a function of the options only (no timestamps, sorted keys, "\\n"
line ends), so two runs give byte-identical files, and a student's files depend only on
(course seed, student id, families, options): adding a student changes nobody else's.
Files are written atomically (temporary file + ``os.replace``) with the permissions an
ordinary ``open()`` gives (0666 less the umask), as ``chainrule_core.fileio.write_atomic``
writes them (a student's files through ``_Writer``, the same with fewer system calls).
With ``force`` over an earlier set, the files its manifest.json lists and this run does
not write are removed (and the folders that leaves empty); nothing else is deleted. An
answers.toml with answers in it is never overwritten nor removed: it is first renamed
``answers.filled-<n>.toml`` beside it (``keep_filled``).

A roster change (``update``) keeps the set's options (from its manifest) and every file:
new students' files are written, a renamed student gets new sheets and key (not a new
answers.toml), a student off the roster stays in the manifest marked ``"removed": true``.

An interrupted class resumes: until manifest.json is written the folder holds a journal
(``JOURNAL``, hidden) with the options and a line per student whose files are all
written; the same options in that folder make only the students missing, and give the
same bytes as an uninterrupted run (other options are refused; ``force`` starts over).

Sheet modes: "open" (checked by rebuilding the variants from the course seed), "graded"
(``secret``: variants keyed by the instructor's course secret, which is never written;
only its fingerprint), "practice" (answers.toml carries salted hashes, so that
``chainrule check`` judges it without rebuilding anything).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from chainrule_core import journal as journal_file
from chainrule_core.fileio import write_atomic
from checker import answers_file, manifest_file
from generator import i18n, registry
from generator.core import load_family, make_problem, unknown_families_message
from generator.model import Problem
from generator.options import (DEFAULT_COUNT, DEFAULT_FORMATS, DEFAULT_LANG, DEFAULT_OUT, DEFAULT_SEED, FORMATS,
                               LANGUAGES)
from generator.pdf import (  # noqa: F401 (TEX_ENGINES: re-exported)
    TEX_ENGINES, PdfError, cannot_typeset, compile_pdf, describe_characters, name_engine, needs_kotex, tex_engine,
)
ANSWERS_FILE = answers_file.FILE_NAME
MANIFEST = manifest_file.FILE_NAME
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


@dataclass
class Sheet:
    """One student's problems, in sheet order."""

    student: Student
    keys: List[str]
    problems: List[Problem]
    occurrences: List[int]
    files: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    filled: List[str] = field(default_factory=list)  # filled answers files kept aside (answers.filled-<n>.toml)
    removed: bool = False  # no longer on the roster: kept in the manifest with its files (``update``)


# --- options -------------------------------------------------------------------------

def parse_list(text: Optional[str], repeats: bool = False) -> List[str]:
    """"a, b,,c" -> ["a", "b", "c"] (order kept; repeats dropped unless ``repeats``)."""
    if text is None:
        return []
    out: List[str] = []
    for item in text.split(","):
        item = item.strip()
        if item and (repeats or item not in out):
            out.append(item)
    return out


def check_families(names: Sequence[str]) -> List[str]:
    if not names:
        return registry.names()
    unknown = [name for name in names if name not in registry.FAMILIES]
    if unknown:
        raise ChainruleUsageError(unknown_families_message(unknown))
    return list(names)


def check_formats(names: Sequence[str]) -> List[str]:
    if not names:
        return list(DEFAULT_FORMATS)
    for name in names:
        if name not in FORMATS:
            close = registry.did_you_mean(name, FORMATS)
            valid = f"(valid: {', '.join(FORMATS)}; a PDF comes with tex when a TeX engine is installed)"
            raise ChainruleUsageError(f"Unknown format '{name}'. Did you mean '{close}'? {valid}" if close
                                      else f"Unknown format '{name}' {valid}.")
    return [f for f in FORMATS if f in names]  # a fixed order, whatever the user typed


def check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise ChainruleUsageError(f"Unknown language '{lang}'; use {' or '.join(LANGUAGES)}.")
    return lang


#: headers read as the id column and as the name column (compared in lower case, spaces as
#: "_"); the Korean course's own rosters head them 학번 and 이름 (or 성명)
ID_COLUMNS = ("id", "student_id", "학번")
NAME_COLUMNS = ("name", "student_name", "full_name", "이름", "성명")


def read_roster(path, notes: Optional[List[str]] = None) -> List[Student]:
    """Students from a CSV file with an ``id`` column and an optional ``name`` column
    (``ID_COLUMNS``, ``NAME_COLUMNS``); other columns are not read. With no name column but
    other columns beside the id, a sentence naming them is appended to ``notes``: a name
    column headed otherwise (``nom``) would leave every sheet without its student's name."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
        try:  # spreadsheets in many locales save CSV with ';' (or tabs): read the header's
            delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows, starts, end = [], [], 0
        for row in reader:  # with the physical line each row starts on (a quoted cell may span lines)
            rows.append(row)
            starts.append(end + 1)
            end = reader.line_num
    except FileNotFoundError:
        raise ChainruleUsageError(f"Roster '{path}' does not exist.") from None
    except IsADirectoryError:
        raise ChainruleUsageError(f"Roster '{path}' is a folder, not a CSV file.") from None
    except UnicodeDecodeError:
        raise ChainruleUsageError(f"Roster '{path}' is not UTF-8 text; save it as CSV (UTF-8).") from None
    except (OSError, csv.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ChainruleUsageError(f"Roster '{path}' cannot be read: {reason}.") from None
    if not rows:
        raise ChainruleUsageError(f"Roster '{path}' is empty; it needs a header row with an 'id' column.")
    header = ["_".join(unicodedata.normalize("NFC", cell).strip().lower().split()) for cell in rows[0]]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_col is None:
        shown = ", ".join(cell.strip() for cell in rows[0] if cell.strip()) or "none"
        raise ChainruleUsageError(
            f"Roster '{path}' has no 'id' column (its columns: {shown}); name the student id column 'id'."
        )
    name_col = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    others = [cell.strip() for i, cell in enumerate(rows[0]) if i != id_col and cell.strip()]
    if name_col is None and others and notes is not None:
        listed = ", ".join(f"'{cell}'" for cell in others)
        notes.append(f"Roster '{path}' has no 'name' column, so only ids are shown; its "
                     f"column{'s' if len(others) > 1 else ''} {listed} {'are' if len(others) > 1 else 'is'} "
                     "not read (head the students' names 'name').")
    students: List[Student] = []
    seen: Dict[str, int] = {}
    seen_folded: Dict[str, Tuple[str, int]] = {}
    width = len(rows[0])
    for line, row in zip(starts[1:], rows[1:]):
        if not any(cell.strip() for cell in row):
            continue
        broken = next((cell for i, cell in enumerate(row) if i in (id_col, name_col) and ("\n" in cell or "\r" in cell)),
                      None)
        if broken is not None:  # `s001,"Ann` with no closing quote: the rest of the file is one name
            shown = broken.strip().splitlines()[0] if broken.strip() else ""
            raise ChainruleUsageError(
                f"Roster '{path}' line {line}: the value starting '{shown}' runs over several lines (a double quote "
                "(\") there is closed lines later, or never); keep each student on one line, and write a quote "
                "inside a name as \"\"."
            )
        if len(row) > width and any(cell.strip() for cell in row[width:]):  # a name's comma, unquoted
            raise ChainruleUsageError(_too_many_fields(path, line, row, width, name_col, delimiter))
        sid = row[id_col].strip() if id_col < len(row) else ""
        if not sid:
            raise ChainruleUsageError(f"Roster '{path}' line {line} has no student id.")
        if not _ID.match(sid):
            raise ChainruleUsageError(
                f"Roster '{path}' line {line}: student id '{sid}' may contain only ASCII letters (A-Z, a-z), "
                "digits, '.', '_', '-' and '@', starting with a letter or digit (it names the student's "
                "folders); put a name in other letters in the 'name' column."
            )
        if sid in seen:
            raise ChainruleUsageError(
                f"Roster '{path}' lists student id '{sid}' twice (lines {seen[sid]} and {line}); ids must be unique."
            )
        folded = sid.casefold()
        if folded in seen_folded:
            other, other_line = seen_folded[folded]
            raise ChainruleUsageError(
                f"Roster '{path}' lists student ids '{other}' (line {other_line}) and '{sid}' (line {line}), "
                "which differ only in case; their folders would collide on Windows and macOS."
            )
        seen[sid] = line
        seen_folded[folded] = (sid, line)
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        students.append(Student(sid, name))
    if not students:
        raise ChainruleUsageError(f"Roster '{path}' lists no students.")
    return students


def _too_many_fields(path, line, row, width, name_col, delimiter) -> str:
    """A row with more fields than its header: the values beyond it would be lost (an unquoted
    comma in a name, ``s005,O'Brien, Sean``). The message shows the row's name quoted when the
    name is the last column, the usual case."""
    shown = {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))
    if name_col is not None and name_col == width - 1:
        name = delimiter.join(row[name_col:]).strip().replace('"', '""')
        how = f'put the name in double quotes ("{name}")'
    else:
        how = "put a value that contains a " + shown + " in double quotes"
    return (f"Roster '{path}' line {line} has {len(row)} fields where its header has {width}: {how}, or remove the "
            f"extra {shown}{'s' if len(row) - width > 1 else ''}.")


def numbered_students(count: int) -> List[Student]:
    """student-001, student-002, ...: a student's id never depends on the count."""
    return [Student(f"student-{i:03d}") for i in range(1, count + 1)]


# --- building ------------------------------------------------------------------------

def sheet_plan(families: Sequence[str], problems: Optional[int]) -> List[Tuple[str, str, int]]:
    """[(problem key, family, occurrence)]: families in turn, ``problems`` in all. A family's
    occurrence counts its earlier problems on the sheet, so a family named twice
    (``forward_pass,forward_pass``) gives two different problems."""
    n = len(families) if problems is None else problems
    plan = []
    seen: Dict[str, int] = {}
    for i in range(n):
        family = families[i % len(families)]
        plan.append((f"p{i + 1}_{family}", family, seen.get(family, 0)))
        seen[family] = seen.get(family, 0) + 1
    return plan


def build_sheet(student: Student, seed: int, plan, preset_items=None, preset_name=None,
                secret: Optional[bytes] = None) -> Sheet:
    """One student's problems: from ``plan`` ([(key, family, occurrence)]) or a preset's
    fixed items. ``generate`` and ``chainrule check`` (which rebuilds a sheet from its
    answers file) both build sheets here."""
    problems, keys, occurrences = [], [], []
    if preset_items is not None:
        for i, (family, params) in enumerate(preset_items):
            keys.append(f"p{i + 1}_{family}")
            occurrences.append(0)
            problems.append(make_problem(family, seed, student.id, params=params, variant=preset_name))
    else:
        for key, family, occurrence in plan:
            keys.append(key)
            occurrences.append(occurrence)
            problems.append(make_problem(family, seed, student.id, occurrence, secret=secret))
    return Sheet(student, keys, problems, occurrences)


# --- answers template (TOML) -----------------------------------------------------------

def answers_toml(sheet: Sheet, seed: int, lang: str, preset: Optional[str], mode: str = "open",
                 fingerprint: Optional[str] = None) -> str:
    """The answers template (``checker.answers_file`` writes it): identification, then one
    named blank per question; a practice sheet also gets the hashes that judge them."""
    from checker import practice
    from checker.check import exact_value, printed_bands, ruled_out_by
    from generator.render import Plain

    plain = Plain()
    words = i18n.words(lang)
    sid = sheet.student.id
    header = [
        words["answers_for"].format(id=sid) + (f" ({' '.join(sheet.student.name.split())})" if sheet.student.name else ""),
        answers_how(sheet, words),
        words["number_rule"],  # the sheet's own rule, word for word
        words["answers_check_" + mode],
    ]
    form = answers_file.Sheet(
        student_id=sid, course_seed=seed, lang=lang, student_name=sheet.student.name, preset=preset, mode=mode,
        secret=fingerprint,
    )
    for key, problem, occurrence in zip(sheet.keys, sheet.problems, sheet.occurrences):
        entry = answers_file.Entry(key, problem.family, occurrence, problem.variant,
                                   plain.text(problem.title, lang, problem.display))
        bands, carried = {}, {}
        if mode == "practice":
            entry.salt = practice.salt(seed, sid, key, problem.variant)
            bands = printed_bands(problem)     # the key's rounded lines, judged right as on an open sheet
            carried = ruled_out_by(problem)    # a mistake a right earlier answer rules out, as on an open sheet
        for question in problem.questions:
            choices = list(question.choices or {})
            blank = answers_file.Blank(question.key, question.kind, plain.text(question.prompt, lang, problem.display),
                                       choices)
            if mode == "practice":
                answer = question.answer if question.kind == "choice" else exact_value(question.answer)
                mistakes = [(m.name, m.hint[1] if lang == "ko" else m.hint[0], exact_value(m.value), carried.get(i, ()))
                            for i, m in enumerate(problem.mistakes) if m.question == question.key]
                blank.practice = practice.spec(question.kind, question.key, answer, entry.salt, choices, mistakes,
                                               band=bands.get(question.key, ()))
            entry.blanks.append(blank)
        form.entries.append(entry)
    kinds = {kind: words["kind_" + kind] for kind in ("number", "integer", "choice")}
    return answers_file.dumps(form, header, words["problem"], kinds=kinds)


#: the value of answers.toml's example and how the sheet's number rule writes it (8 decimals
#: between 0.01 and 1): the worked example's dE/dw5, or the next where that is an answer of
#: the sheet (an example is never a value the student is asked for)
EXAMPLE_NUMBERS = (("0.025922864007...", "0.02592286"), ("0.037162538149...", "0.03716254"),
                   ("0.048519367215...", "0.04851937"))


#: the blank name of answers.toml's example: a made-up name, never one of the sheet's blanks
#: (the student's own z_2 beside a made-up value read as a hint about their z_2: trial 17a)
EXAMPLE_KEYS = ("some_blank", "example_blank", "blank_x")


def answers_how(sheet: Sheet, words: dict) -> str:
    """answers.toml's line on how to write an answer: its example is a made-up blank name
    (``EXAMPLE_KEYS``, none of this sheet's blanks) with a value that is none of the sheet's
    answers, when the sheet has a number blank; its choice sentence names a choice blank of
    this sheet (the first), without a value (any key written there could read as the
    answer); a sheet without one leaves that part out."""
    from generator.numbers import format_number

    questions = [q for problem in sheet.problems for q in problem.questions]
    text = words["answers_how"]
    if any(q.kind == "number" for q in questions):
        answers = {format_number(q.answer) for q in questions if q.kind == "number"}
        raw, value = next((raw, v) for raw, v in EXAMPLE_NUMBERS if v not in answers)
        keys = {q.key for q in questions}
        key = next(k for k in EXAMPLE_KEYS if k not in keys)
        text += words["answers_how_number"].format(key=key, raw=raw, value=value)
    choice = next((q for q in questions if q.kind == "choice"), None)
    if choice is not None:
        text += words["answers_how_choice"].format(key=choice.key)
    return text if text.endswith(".") else text + "."


# --- files ---------------------------------------------------------------------------

def check_out(out: Path, force: bool, options: Optional[dict] = None) -> Optional["_Record"]:
    """Refuse an ``out`` that is a file, or a non-empty folder without ``force``, unless it
    holds an interrupted run of the same class (its journal, ``JOURNAL``): then return what
    that run finished, for ``generate`` to keep. An interrupted run with other ``options``
    is refused with one sentence naming what differs."""
    if out.exists() and not out.is_dir():
        raise ChainruleError(f"Output path '{out}' is a file, not a folder; choose another --out.")
    if force or not out.is_dir():
        return None
    record = _read_journal(out) if options is not None else None
    if record is not None:
        differs = _differences(record.options, options)
        if not differs:
            return record
        raise ChainruleError(
            f"Output folder '{out}' holds an interrupted class made with other options ({'; '.join(differs)}); "
            "run that command again to finish it, or use --force to start over."
        )
    if (out / MANIFEST).is_file() and _earlier_set(out) is not None:  # a finished set: how to change its roster
        raise ChainruleError(
            f"Output folder '{out}' holds a finished set (manifest.json); use --update to change its roster "
            "(nothing is lost), --force to start over, or choose another --out."
        )
    if any(out.iterdir()):
        raise ChainruleError(
            f"Output folder '{out}' is not empty; use --force to overwrite it or choose another --out."
        )
    return None


def _earlier_set(out: Path) -> Optional[dict]:
    """The sheet mode and the students ([id, name]) of the set whose manifest.json is in
    ``out``; None when there is none the kit wrote."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kit") != "chainrule" or not isinstance(data.get("students"), list):
        return None
    rows = [[entry["id"], entry.get("name") or ""] for entry in data["students"]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("name", ""), str)]
    secret = data.get("secret")
    return {"mode": data.get("mode", "open"), "secret": secret if isinstance(secret, str) else None, "students": rows}


def previous_files(out: Path) -> List[str]:
    """The files an earlier run listed in ``out``'s manifest.json (``checker.manifest_file``)."""
    return manifest_file.previous_files(out)


def remove_stale(out: Path, old: Sequence[str], kept: Sequence[str],
                 filled: Optional[List[str]] = None) -> List[str]:
    """Delete the files of ``old`` that are not in ``kept``, then the folders that leaves
    empty (never ``out`` itself); return the paths removed. Anything that is not a
    regular file (a folder, a link) is left alone, and an answers.toml with answers in it
    is moved aside (``keep_filled``; its new path appended to ``filled``), not deleted."""
    keep = set(kept)
    removed: List[str] = []
    for name in old:
        if name in keep:
            continue
        path = out / name
        if path.is_symlink() or not path.is_file():
            continue
        if path.name == ANSWERS_FILE:
            aside = keep_filled(path)
            if aside is not None:
                if filled is not None:
                    filled.append(name[: -len(ANSWERS_FILE)] + aside.name)
                continue
        journal_file.remove(out, path)
        removed.append(name)
    return removed


class _Writer:
    """Writes one student's files as ``write_atomic`` does (a temporary file in the same
    folder, then ``os.replace``; permissions 0666 less the umask, which ``os.open`` applies
    itself), with fewer system calls: each folder is made once, not checked per file, and the
    temporary file's name is fixed per process (``.NAME.PID.tmp``, opened exclusively), so no
    random name is tried and no ``chmod`` follows. Anything unusual (a leftover temporary
    file, a failure) goes through ``write_atomic``, which gives the same result or the same
    error message."""

    __slots__ = ("out", "folders", "suffix")

    def __init__(self, out):
        self.out = os.fspath(out)
        self.folders = set()
        self.suffix = f".{os.getpid()}.tmp"

    def __call__(self, relative: str, data) -> None:
        path = os.path.join(self.out, relative)
        if isinstance(data, str):
            data = data.encode("utf-8")
        folder, name = os.path.split(path)
        tmp = os.path.join(folder, "." + name + self.suffix)
        fd, made = None, False
        try:
            if folder not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            made = True
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.close(fd)
            fd = None
            os.replace(tmp, path)
            return
        except BaseException as exc:  # a failure, or Ctrl-C mid-file: no temporary file stays behind
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
            if made:        # this call made it (O_EXCL): never someone else's file
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            if not isinstance(exc, OSError):
                raise
        write_atomic(path, data)


def write_sheet(sheet: Sheet, out: Path, formats, lang, seed, preset, engine, mode="open",
                fingerprint=None, keep_answers: bool = False) -> List[str]:
    """Write one student's files; return their paths relative to ``out``. A PDF the TeX
    engine cannot make is left out and the reason kept in ``sheet.warnings``. An answers.toml
    already there with answers in it is moved aside (``keep_filled``, listed in
    ``sheet.filled``) before the new one replaces it; with ``keep_answers`` one already
    there is not written at all."""
    from generator.render import render_sheets

    sid = sheet.student.id
    student = {"id": sid, "name": sheet.student.name}
    write = _Writer(out)
    written: List[str] = []
    # a name pdfLaTeX cannot set (Vietnamese ễ): the .tex is for XeLaTeX or LuaLaTeX (it loads
    # kotex only for letters beyond Latin), whatever is installed here (the same .tex on every
    # machine); one of them typesets this student's sheets when the class's engine cannot and
    # one here can; else no PDF, and the warning says what to install
    unicode_tex = "tex" in formats and bool(cannot_typeset("pdflatex", sheet.student.name))
    name_tex, blocked, unset = engine, None, []
    if unicode_tex and engine:
        unset = cannot_typeset(engine, sheet.student.name)
        if unset:
            name_tex, remedy = name_engine(lang, sheet.student.name)
            if name_tex is None:
                blocked = (f"{Path(engine).name} cannot typeset the name's {describe_characters(unset)} with the sheets' "
                           f"fonts, and no other TeX engine here can: {remedy} (the .tex files are written)")
    plots = {}  # {folder: {relative path: bytes}}: the plots' files, before the TeX engine needs them
    for folder, is_key in (("students", False), ("keys", True)):
        plots[folder] = {}
        for key, problem in zip(sheet.keys, sheet.problems):
            if problem.figure and not isinstance(problem.figure, dict):  # a plot (generator/plots.py)
                plots[folder].update(problem.figure.files(formats, lang, key, is_key))
        for name, data in plots[folder].items():
            write(f"{folder}/{sid}/{name}", data)
            written.append(f"{folder}/{sid}/{name}")
    for fmt in formats:
        texts = render_sheets(sheet.problems, sheet.keys, fmt, lang, student, seed, ANSWERS_FILE, mode=mode,
                              unicode=unicode_tex and fmt == "tex")
        for kind, folder in (("worksheet", "students"), ("key", "keys")):
            relative = f"{folder}/{sid}/{kind}.{fmt}"
            write(relative, texts[kind])
            written.append(relative)
            if fmt == "tex" and engine and not sheet.warnings:
                pdf = f"{folder}/{sid}/{kind}.pdf"
                if blocked:  # the engine would fail on them (or leave them out): not run
                    sheet.warnings.append(blocked)
                    continue
                try:
                    compile_pdf(name_tex, texts[kind], out / pdf, plots[folder])
                except PdfError as exc:
                    why = (f"{Path(engine).name} cannot typeset the name's {describe_characters(unset)}, and "
                           if unset else "")
                    sheet.warnings.append(f"{why}{exc} (the .tex files are written)")
                else:
                    written.append(pdf)
    if "md" in formats:  # Markdown links its drawings; each folder gets its own copy
        from generator.figures import standalone_svg
        from generator.render import figure_file

        for key, problem in zip(sheet.keys, sheet.problems):
            if isinstance(problem.figure, dict):
                drawing = standalone_svg(problem.figure)
                for folder in ("students", "keys"):
                    relative = f"{folder}/{sid}/{figure_file(key)}"
                    write(relative, drawing)
                    written.append(relative)
    relative = f"students/{sid}/{ANSWERS_FILE}"
    path = Path(out) / relative
    if keep_answers and path.is_file():  # ``update``: a renamed student's answers are theirs
        written.append(relative)
        return sorted(written)
    text = answers_toml(sheet, seed, lang, preset, mode, fingerprint)
    aside = keep_filled(path, text.encode("utf-8"))
    if aside is not None:
        sheet.filled.append(f"students/{sid}/{aside.name}")
    write(relative, text)
    written.append(relative)
    return sorted(written)


FILLED = answers_file.SET_ASIDE_NAME


def has_answers(path: Path) -> bool:
    """Whether the answers file ``path`` holds anything a student wrote: a value that is not
    an empty blank outside its [chainrule] tables, or any text that is not TOML (nothing a
    student may have written is taken for empty)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        try:
            import tomli as tomllib
        except ImportError:
            return True
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return True

    def written(value) -> bool:
        if isinstance(value, dict):
            return any(written(v) for v in value.values())
        return value != ""

    return any(written(value) for key, value in data.items() if key != "chainrule")


def keep_filled(path: Path, new: Optional[bytes] = None) -> Optional[Path]:
    """Before ``path`` (a student's answers.toml) is overwritten with ``new`` (or removed:
    None), move it aside as answers.filled-<n>.toml (the first free n; none is ever
    overwritten) when it holds answers and differs from ``new``; return where it went, or
    None when nothing was there to keep."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        if new is not None and path.read_bytes() == new:
            return None
    except OSError:
        return None
    if not has_answers(path):
        return None
    n = 1
    while True:
        target = path.with_name(FILLED.format(n))
        if not os.path.lexists(target):
            break
        n += 1
    try:
        os.rename(path, target)
    except OSError as exc:
        raise ChainruleError(f"Cannot keep the filled answers file '{path}' aside as '{target.name}': "
                             f"{exc.strerror or exc}; nothing of it was overwritten.") from exc
    return target


def manifest(sheets: Sequence[Sheet], seed, families, formats, lang, preset, problems, mode="open",
             fingerprint=None) -> str:
    """manifest.json (``checker.manifest_file`` writes it)."""
    students = [
        {
            "id": sheet.student.id,
            "name": sheet.student.name,
            "problems": [
                {"key": key, "family": problem.family, "occurrence": occ, "variant": problem.variant}
                for key, problem, occ in zip(sheet.keys, sheet.problems, sheet.occurrences)
            ],
            "files": sheet.files,
            **({"removed": True} if sheet.removed else {}),  # off the roster (``update``): files kept
        }
        for sheet in sheets
    ]
    return manifest_file.dumps(seed=seed, families=families, formats=formats, lang=lang, preset=preset,
                               problems=problems, mode=mode, secret=fingerprint, answers_file=ANSWERS_FILE,
                               students=students)


# --- resuming an interrupted class ----------------------------------------------------------
#
# A run keeps a journal in the output folder (``JOURNAL``, hidden): a first line with the
# options that decide the files, then one line per student, appended (one ``write``) after
# all of that student's files are written, holding what the manifest needs of the student.
# A student is complete when its line is there and the files it lists exist; anything else
# is made again (files are written atomically, so a student interrupted between two files,
# or between its last file and its line, only has whole files, which the next run rewrites
# with the same bytes). A torn last line (a crash mid-write) does not parse and is dropped.
# The journal is removed once manifest.json is written: a finished class has none.

JOURNAL = ".chainrule-generate.journal"
_JOURNAL_FORMAT = 1
_TEMPORARY = journal_file.TEMPORARY  # write_atomic's and _Writer's temporary files


@dataclass
class _Record:
    """An interrupted run's journal: its options, the files an earlier set left to remove
    (``--force``), and its complete students' sheets (id -> Sheet with ``_Summary``
    problems)."""

    options: dict
    stale: List[str]
    sheets: Dict[str, Sheet]
    before: dict = field(default_factory=dict)  # the set --force replaces: "mode", "secret", "students" dropped


def _options(seed, students, families, problems, formats, lang, preset, mode, fingerprint, engine) -> dict:
    """What decides a class's files: a run with other options does not finish this one."""
    from chainrule_core import __version__

    return {
        "kit_version": __version__, "seed": seed, "students": [[s.id, s.name] for s in students],
        "families": list(families), "problems": problems, "formats": list(formats), "lang": lang, "preset": preset,
        "mode": mode, "secret": fingerprint, "engine": os.path.basename(engine) if engine else None,
    }


def _differences(old: dict, new: dict) -> List[str]:
    """What differs between an interrupted run's options and this run's, one phrase each."""

    def shown(value, none="none"):
        if value is None:
            return none
        return ",".join(value) if isinstance(value, list) else str(value)

    said = []
    if bool(old.get("update")) != bool(new.get("update")):
        said.append("a roster update (--update) there, a new class here" if old.get("update") else
                    "a new class there, a roster update (--update) here")
    if old.get("kit_version") != new["kit_version"]:
        said.append(f"chainrule {shown(old.get('kit_version'))} there, {new['kit_version']} here")
    if old.get("seed") != new["seed"]:
        said.append(f"--seed {shown(old.get('seed'))} there, {new['seed']} here")
    before, now = old.get("students") or [], new["students"]
    if before != now:
        if [row[0] for row in before] == [row[0] for row in now]:
            said.append("the same student ids with other names")
        elif len(before) != len(now):
            said.append(f"{len(before)} students there, {len(now)} here")
        else:
            said.append(next(f"student {n} '{a[0]}' there, '{b[0]}' here"  # the first that differs
                             for n, (a, b) in enumerate(zip(before, now), start=1) if a[0] != b[0]))
    names = {"families": "--families", "problems": "--problems", "formats": "--format", "lang": "--lang",
             "preset": "--preset"}
    for key, option in names.items():
        if old.get(key) != new[key]:
            none = "one per family" if key == "problems" else "none"
            said.append(f"{option} {shown(old.get(key), none)} there, {shown(new[key], none)} here")
    if old.get("mode") != new["mode"]:
        said.append(f"{shown(old.get('mode'))} sheets there, {new['mode']} here")
    elif old.get("secret") != new["secret"]:
        said.append("another course secret (--secret-file)")
    if old.get("engine") != new["engine"]:
        said.append(f"TeX engine {shown(old.get('engine'))} there, {shown(new['engine'])} here")
    return said


def _read_journal(out: Path) -> Optional[_Record]:
    """``out``'s journal, or None when it has none (or none this kit can read: then the
    folder is refused as any non-empty folder is)."""
    record = journal_file.read(out / JOURNAL, _JOURNAL_FORMAT)
    if record is None:
        return None
    header, entries = record
    try:
        options, stale = header["options"], [name for name in header.get("stale", []) if _plain(name)]
        before = header.get("before") if isinstance(header.get("before"), dict) else {}
    except (ValueError, AttributeError, TypeError):
        return None
    known = {row[0]: row[1] for row in options.get("students") or [] if isinstance(row, list) and len(row) == 2}
    sheets: Dict[str, Sheet] = {}
    for entry in entries:
        try:
            sid = entry["id"]
            own = (f"students/{sid}/", f"keys/{sid}/")
            if sid not in known or not all(_plain(name) and name.startswith(own) for name in entry["files"]):
                continue
            sheet = Sheet(Student(sid, known[sid]), list(entry["keys"]),
                          [_Summary(f, v, bool(p)) for f, v, p in entry["problems"]], list(entry["occurrences"]),
                          [str(name) for name in entry["files"]], [str(w) for w in entry["warnings"]],
                          [str(name) for name in entry.get("filled", []) if _plain(name) and name.startswith(own)])
        except (ValueError, KeyError, TypeError):
            continue
        sheets[sid] = sheet
    return _Record(options, stale, sheets, before)


#: a plain relative path inside the output folder (as ``previous_files`` accepts them)
_plain = journal_file.plain


def _complete(out: Path, sheets: Dict[str, Sheet]) -> Dict[str, Sheet]:
    """The journal's students whose files are all there and not empty (``journal_file.there``):
    a file removed since, or emptied by a crash, has its student made again."""
    return {sid: sheet for sid, sheet in sheets.items()
            if sheet.files and all(journal_file.there(out, name) for name in sheet.files)}


def _sweep(out: Path, students: Sequence[Student]) -> None:
    """Remove the temporary files a killed run may have left: in ``out`` those of the
    manifest and the journal, in the class's student folders any."""
    def unlink(path):
        try:
            os.unlink(path)
        except OSError:
            pass

    for name in os.listdir(out):
        if _TEMPORARY.match(name) and name.startswith(("." + MANIFEST + ".", "." + JOURNAL + ".")):
            unlink(os.path.join(out, name))
    for student in students:
        for top in ("students", "keys"):
            for root, _dirs, names in os.walk(os.path.join(out, top, student.id)):
                for name in names:
                    if _TEMPORARY.match(name):
                        unlink(os.path.join(root, name))


class _Journal(journal_file.Journal):
    """The journal being written: the header and the students kept, then a line per
    student made (``add``), appended with one ``write`` each."""

    def __init__(self, out: Path, options: dict, stale: Sequence[str], kept: Sequence[Sheet],
                 before: Optional[dict] = None):
        head = {"journal": _JOURNAL_FORMAT, "kit": "chainrule", "options": options, "stale": list(stale)}
        if before:
            head["before"] = before
        super().__init__(out / JOURNAL, head, [(sheet.student.id, self._entry(sheet)) for sheet in kept])

    @staticmethod
    def _entry(sheet: Sheet) -> dict:
        return {
            "id": sheet.student.id, "keys": sheet.keys, "occurrences": sheet.occurrences,
            "problems": [[p.family, p.variant, int(getattr(p, "plotted", False))] for p in sheet.problems],
            "files": sheet.files, "warnings": sheet.warnings, "filled": sheet.filled,
        }

    def add(self, sheet: Sheet) -> None:  # type: ignore[override]
        super().add(sheet.student.id, self._entry(sheet))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, which ``chainrule generate`` turns into it) stopped a class:
    ``done`` of ``total`` students are complete and kept for the next run."""

    def __init__(self, done: int, total: int):
        super().__init__(done, total)
        self.done = done
        self.total = total


# --- the whole flow --------------------------------------------------------------------

@dataclass
class Result:
    out: Path
    students: int
    files: int
    formats: List[str]
    pdf: bool
    warnings: List[str] = field(default_factory=list)
    mode: str = "open"
    notes: List[str] = field(default_factory=list)  # said once, after the warnings
    kept: int = 0  # students an interrupted run had finished (the others were made now)
    filled: List[str] = field(default_factory=list)  # filled answers files moved aside (answers.filled-<n>.toml)
    before: dict = field(default_factory=dict)  # --force: the earlier set's "mode" and "students" [id, name] dropped
    change: Optional["RosterChange"] = None  # ``update``: what changed
    fingerprint: Optional[str] = None  # the course secret's (graded sheets)


@dataclass
class _Job:
    out: Path
    seed: int
    plan: Optional[list]
    preset_items: Optional[list]
    preset: Optional[str]
    formats: List[str]
    lang: str
    engine: Optional[str]
    secret: Optional[bytes] = None
    mode: str = "open"
    fingerprint: Optional[str] = None
    keep_answers: frozenset = frozenset()  # ids whose answers.toml an update leaves as it is


def _one(job: _Job, student: Student) -> Sheet:
    """Build, check and write one student's files (runs in a worker process for a class)."""
    sheet = build_sheet(student, job.seed, job.plan, job.preset_items, job.preset, job.secret)
    sheet.files = write_sheet(sheet, job.out, job.formats, job.lang, job.seed, job.preset, job.engine, job.mode,
                              job.fingerprint, student.id in job.keep_answers)
    # only what the manifest needs travels back from a worker
    sheet.problems = [_Summary(p.family, p.variant, bool(p.figure) and not isinstance(p.figure, dict))
                      for p in sheet.problems]
    return sheet


@dataclass
class _Summary:
    family: str
    variant: str
    plotted: bool = False  # has a plot (generator/plots.py)


def default_jobs(n_students: int) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_students // 4))


def _run_all(job: _Job, students: Sequence[Student], jobs: int, report, finished=None) -> List[Sheet]:
    """Make ``students`` (``jobs`` worker processes share them); ``finished(sheet)`` is called
    in this process as each one's files are all written, ``report`` after it. On Ctrl-C
    (``KeyboardInterrupt`` here) the workers finish the student each is writing (they ignore
    SIGINT: this process stops them), the others are cancelled, and the interrupt goes on;
    ``finished`` has seen every student whose files were all written by then."""
    total = len(students)
    if jobs <= 1:
        sheets = []
        for i, student in enumerate(students):
            sheets.append(_one(job, student))
            if finished:
                finished(sheets[-1])
            if report:
                report(i + 1, total, student)
        return sheets
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    # fork shares the warm caches (imports, compiled formulas) with the workers
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    results: Dict[int, Sheet] = {}
    # Ctrl-C reaches every process of the terminal's group: the workers ignore it from their
    # start, for this process to stop them between two students. Until they have forked and
    # set that up, SIGINT and SIGTERM wait here, blocked, not lost. (A SIGTERM to a worker
    # still ends it at once: a temporary file it leaves is swept by the next run.)
    stopping = (signal.SIGINT, signal.SIGTERM)
    mask = hasattr(signal, "pthread_sigmask")
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping) if mask else None
    # the warm heap (sympy, the compiled formulas, the caches) goes to the garbage
    # collector's permanent generation before the workers fork: their collections then
    # never walk it, nor copy its pages (a collection writes to every object it visits);
    # about a tenth of a class's CPU time. The parent unfreezes once the workers exist.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start) as pool:
            futures = {pool.submit(_one, job, student): i for i, student in enumerate(students)}
            gc.unfreeze()  # the workers have forked (all at the first submit)
            try:
                if mask:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C meanwhile: raised here
                    mask = False
                for future in as_completed(futures):
                    i = futures[future]
                    results[i] = future.result()
                    if finished:
                        finished(results[i])
                    if report:
                        report(len(results), total, students[i])
            except BaseException:
                _stop(pool, futures, results, finished, report, students)
                raise
    finally:
        gc.unfreeze()
        if mask:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return [results[i] for i in range(total)]


def _worker_start() -> None:
    """A worker of ``_run_all``: Ctrl-C is its parent's to handle."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM))


def _stop(pool, futures, results, finished, report, students) -> None:
    """Cancel the students not started, wait for those being written (a second Ctrl-C
    meanwhile is ignored), and pass on to ``finished`` (and ``report``) those that completed."""
    import signal
    import threading
    from concurrent.futures import CancelledError

    main = threading.current_thread() is threading.main_thread()
    previous = [(s, signal.signal(s, signal.SIG_IGN)) for s in (signal.SIGINT, signal.SIGTERM)] if main else []
    try:
        pool.shutdown(wait=True, cancel_futures=True)
        for future, i in futures.items():
            if not future.done():
                continue
            try:
                sheet = future.result()
            except (CancelledError, Exception, KeyboardInterrupt):
                continue
            if finished:
                finished(sheet)  # again for one noted already: no harm (the journal keeps one line)
            if i not in results:
                results[i] = sheet
                if report:
                    report(len(results), len(students), students[i])
    finally:
        for signum, handler in previous:
            signal.signal(signum, handler)


def generate(
    out=DEFAULT_OUT,
    seed: int = DEFAULT_SEED,
    students: Optional[Sequence[Student]] = None,
    count: Optional[int] = None,
    families: Optional[Sequence[str]] = None,
    problems: Optional[int] = None,
    formats: Optional[Sequence[str]] = None,
    lang: str = DEFAULT_LANG,
    preset: Optional[str] = None,
    force: bool = False,
    report: Optional[Callable[[int, int, Student], None]] = None,
    jobs: Optional[int] = None,
    secret: Optional[bytes] = None,
    practice: bool = False,
) -> Result:
    """Write a class set; see the module docstring for the layout.

    ``report(done, total, student)`` is called after each student's files are written
    (``done`` counts the students an interrupted run had finished too);
    ``jobs`` worker processes share a class (default: one per CPU, up to one per 4
    students). ``secret`` (the course secret, ``chainrule_core.secret.load``) makes graded
    sheets; ``practice`` practice sheets (both: practice sheets whose variants only the
    secret rebuilds). Returns a summary."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= answers_file.MAX_COURSE_SEED:
        raise ChainruleUsageError(f"Seed {seed!r} is not valid; use a whole number from 0 to "
                                  f"{answers_file.MAX_COURSE_SEED} (answers.toml keeps it as a 64-bit TOML integer).")
    lang = check_lang(lang)
    formats = check_formats(list(formats or []))
    if students is not None and count is not None:
        raise ChainruleUsageError("Use either --students or --count, not both.")
    if count is not None and count < 1:
        raise ChainruleUsageError(f"Count {count} is not valid; use a whole number >= 1.")
    if problems is not None and problems < 1:
        raise ChainruleUsageError(f"Problems {problems} is not valid; use a whole number >= 1.")
    preset_items = None
    if preset is not None:
        from generator import presets

        if families or problems is not None:
            raise ChainruleUsageError("--preset fixes the problems; leave out --families and --problems.")
        if secret is not None:
            kind = "a practice sheet made with the course secret" if practice else "a graded sheet"
            raise ChainruleUsageError(f"--preset is the public worked example; it cannot be {kind} "
                                      "(leave out --secret-file).")
        preset_items = presets.load(preset)
        families = [family for family, _params in preset_items]
        for family in families:
            load_family(family)
        if students is None and count is None:
            students = [Student(preset)]
    else:
        families = check_families(list(families or []))
    if students is None:
        students = numbered_students(count if count is not None else DEFAULT_COUNT)
    students = list(students)
    out = Path(out)
    from chainrule_core.secret import fingerprint as secret_fingerprint

    mode = "practice" if practice else ("graded" if secret is not None else "open")
    fingerprint = secret_fingerprint(secret) if secret is not None else None
    secret = _variant_key(mode, secret)
    engine = tex_engine(lang) if "tex" in formats else None
    options = _options(seed, students, families, problems, formats, lang, preset, mode, fingerprint, engine)
    held = _hold(out)  # one generate at a time in a folder (a second one would resume the same class)
    try:
        return _generate_in(out, force, options, students, families, problems, formats, lang, preset, preset_items,
                            seed, secret, mode, fingerprint, engine, report, jobs)
    finally:
        if held is not None:
            os.close(held)


def _variant_key(mode: str, secret: Optional[bytes]) -> Optional[bytes]:
    """The key a set's variants are drawn with, from its sheet mode and the course secret
    (``generate`` and ``update`` both take it from here, so that an update's new students get
    the variants a whole ``generate`` gives them). A practice set made with the secret draws
    with a key derived from it: never the graded sheets' variants."""
    if mode == "practice" and secret is not None:
        from chainrule_core.secret import practice_key

        return practice_key(secret)
    return secret


def _hold(out: Path) -> Optional[int]:
    """Lock ``out`` for this run (``journal_file.hold``); the descriptor to close at the end,
    or None. Another generate holding it: a one-line ChainruleError."""
    return journal_file.hold(out, f"Output folder '{out}' is being written by another chainrule generate; wait "
                                  "for it to finish or choose another --out.")


def _generate_in(out, force, options, students, families, problems, formats, lang, preset, preset_items, seed, secret,
                 mode, fingerprint, engine, report, jobs) -> Result:
    record = check_out(out, force, options)  # an interrupted run of this class: resumed
    kept: Dict[str, Sheet] = {}
    before: dict = {}
    if record is not None:
        stale = record.stale
        before = record.before
        kept = _complete(out, record.sheets)
        _sweep(out, students)
    elif force:  # an earlier set's files, from its manifest (and an interrupted run's journal)
        stale = previous_files(out)
        earlier = _earlier_set(out) if out.is_dir() else None
        interrupted = _read_journal(out) if out.is_dir() else None
        if interrupted is not None:  # what it wrote goes too, unless this run writes it again
            listed = set(interrupted.stale).union(*(sheet.files for sheet in interrupted.sheets.values()))
            stale = sorted(set(stale) | listed)
            _sweep(out, [Student(row[0]) for row in interrupted.options.get("students") or []
                         if isinstance(row, list) and row and isinstance(row[0], str) and _ID.match(row[0])])
            # the students it was making, and those of the set an interrupted --force replaced
            rows = [row for row in list(interrupted.before.get("students") or []) +
                    list(interrupted.options.get("students") or [])
                    if isinstance(row, list) and len(row) == 2 and all(isinstance(cell, str) for cell in row)]
            if earlier is None:
                earlier = {"mode": interrupted.before.get("mode") or interrupted.options.get("mode"),
                           "secret": interrupted.before.get("secret", interrupted.options.get("secret")),
                           "students": []}
            earlier["students"] = earlier["students"] + rows
        if earlier is not None:
            ids, rows = {student.id for student in students}, []
            for row in earlier["students"]:
                if row[0] not in ids:
                    rows.append(row)
                    ids.add(row[0])
            before = {"mode": earlier.get("mode"), "secret": earlier.get("secret"), "students": rows}
    else:
        stale = []
    job = _Job(
        out=out, seed=seed, plan=sheet_plan(families, problems) if preset_items is None else None,
        preset_items=preset_items, preset=preset, formats=list(formats), lang=lang,
        engine=engine, secret=secret, mode=mode, fingerprint=fingerprint,
    )
    _freeze_at_exit()
    # fewer young-generation collections while a class is made (sympy makes many
    # short-lived objects; the workers inherit the setting): about 3 % of a warm student's
    # CPU and 10 % of the first student's
    thresholds = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        return _generate(job, students, jobs, report, seed, families, formats, lang, preset, mode, fingerprint,
                         out, stale, options, kept, before)
    finally:
        gc.set_threshold(*thresholds)


#: the garbage collector's thresholds while a class is made (Python's default: 700, 10, 10)
_GC_THRESHOLDS = (20000, 20, 1000)
_EXIT_HOOK: List[bool] = []


def _freeze_at_exit() -> None:
    """At the interpreter's exit, move every object to the collector's permanent generation
    (``gc.freeze``): the exit's last full collection then does not walk the whole heap (sympy
    and the class's caches: about 0.1 s). Only the exit changes; atexit handlers (the PDF
    format cache's cleanup) run as before."""
    if not _EXIT_HOOK:
        import atexit

        atexit.register(gc.freeze)
        _EXIT_HOOK.append(True)


def _pdf_warnings(sheets, engine_off: Optional[str]) -> List[str]:
    """The warnings of the sheets without a PDF, each naming its students ("s01 (Kim), s02"),
    students with the same reason on one line; an engine that failed on the first sheet and
    was not run again: one line for everyone."""
    if engine_off is not None:
        return [f"no PDF for any student: {engine_off[:-1]}; compile them yourself or install the missing "
                "LaTeX package)."]
    reasons: Dict[str, List[str]] = {}
    for sheet in sheets:
        for warning in sheet.warnings:
            who = sheet.student.id + (f" ({sheet.student.name})" if sheet.student.name else "")
            reasons.setdefault(warning, []).append(who)
    out = []
    for warning, who in reasons.items():
        shown = ", ".join(who[:PDF_WARNING_NAMES])
        if len(who) > PDF_WARNING_NAMES:
            shown += f" and {len(who) - PDF_WARNING_NAMES} more"
        out.append(f"no PDF for {shown}: {warning}.")
    return out


#: students named in one PDF warning (the rest are counted)
PDF_WARNING_NAMES = 10


def _generate(job, students, jobs, report, seed, families, formats, lang, preset, mode, fingerprint, out,
              stale, options, kept, earlier=None, removed=()) -> Result:
    """Make the students ``kept`` (an interrupted run's complete ones) does not hold, each
    noted in the journal once its files are written, then the manifest; the journal goes
    last. Ctrl-C: ``Interrupted`` (what is complete stays, for the same command to finish)."""
    journal = None
    made: Dict[str, Sheet] = {}
    todo = [student for student in students if student.id not in kept]
    engine_off = None
    try:
        try:
            journal = _Journal(out, options, stale, [kept[s.id] for s in students if s.id in kept], earlier)
        except ChainruleError as exc:   # the first file written: the folder itself is the problem
            cause = exc.__cause__
            reason = (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(exc)
            raise ChainruleError(f"Cannot write into the output folder '{out}': {reason.rstrip('.')}.") from None
        if MANIFEST in stale:  # --force: the earlier set's manifest goes now (the journal lists its files), so
            try:               # an interrupted folder never looks finished
                os.unlink(out / MANIFEST)
            except FileNotFoundError:
                pass
        if todo:
            # the first sheet in this process: compiles every family's formulas once, before any
            # worker forks, and fails early (nothing else written) if a family is broken
            first = _one(job, todo[0])
            journal.add(first)
            made[first.student.id] = first
            before = len(students) - len(todo)  # the progress goes on from the students kept
            if report:
                report(before + 1, len(students), todo[0])
            first_name = first.student.name
            if (first.warnings and not cannot_typeset(job.engine, first_name)
                    and (lang == "ko" or not needs_kotex(first_name))):
                # the engine failed on the first sheet, and not because of its student's name (nor
                # kotex, which only such a name loads on an English sheet): it will on the others too
                engine_off, job.engine = first.warnings[0], None

            def later(done, total, student):
                if report:
                    report(before + done + 1, before + total + 1, student)

            def finished(sheet):
                journal.add(sheet)
                made[sheet.student.id] = sheet

            rest = todo[1:]
            workers = default_jobs(len(rest)) if jobs is None else jobs
            _run_all(job, rest, workers, later, finished)
        sheets = [kept[s.id] if s.id in kept else made[s.id] for s in students]
        listed = sheets + list(removed)  # an update's students no longer on the roster: still listed
        text = manifest(listed, seed, families, formats, lang, preset, len(sheets[0].problems), mode, fingerprint)
        write_atomic(out / MANIFEST, text)
        # --force over an earlier set: what it wrote and this run did not is removed (only
        # files its manifest lists), so no stale sheet of a dropped student stays behind;
        # filled answers files are moved aside, not removed
        filled = [name for sheet in sheets for name in sheet.filled]
        remove_stale(out, stale, [MANIFEST] + [name for sheet in listed for name in sheet.files], filled)
        journal.remove()  # the class is finished
    except KeyboardInterrupt:
        raise Interrupted(journal.count if journal is not None else len(kept), len(students)) from None
    finally:
        if journal is not None:
            journal.close()  # left on disk unless the class is finished
    warnings = _pdf_warnings(sheets, engine_off)
    # "pdf" in the summary only when every student has both PDFs (not the plots' PDFs)
    made_pdf = all(sum(name.endswith(("/worksheet.pdf", "/key.pdf")) for name in sheet.files) == 2 for sheet in sheets)
    notes = []
    if lang == "ko" and "tex" in formats and any(p.plotted for p in sheets[0].problems):
        from generator import plots

        if plots.korean_font() is None:
            notes.append(plots.NO_KOREAN_FONT)
    return Result(out, len(sheets), sum(len(s.files) for s in sheets) + 1, list(formats), made_pdf, warnings, mode, notes,
                  sum(1 for s in students if s.id in kept), filled, earlier or {}, None, fingerprint)


# --- a roster change mid-term: ``update`` ------------------------------------------------------

@dataclass
class RosterChange:
    """What ``update`` changed in a set's roster (students in roster order)."""

    added: List[Student] = field(default_factory=list)
    renamed: List[Tuple[Student, str]] = field(default_factory=list)  # (the student now, the name before)
    back: List[Student] = field(default_factory=list)      # marked removed before, on the roster again
    removed: List[Student] = field(default_factory=list)   # off the roster now: files kept, marked removed
    unchanged: int = 0
    still_removed: int = 0  # marked removed before and still off the roster
    kit_version: Optional[str] = None  # the set's, when another kit made it

    @property
    def nothing(self) -> bool:
        return not (self.added or self.renamed or self.back or self.removed)


#: the options ``update`` takes from the manifest, as ``generate --help`` names them
_UPDATE_OPTIONS = {"seed": "--seed", "families": "--families", "problems": "--problems", "formats": "--format",
                   "lang": "--lang", "preset": "--preset", "practice": "--practice"}


def _read_set(out: Path) -> dict:
    """``out``'s manifest.json as ``update`` needs it, checked; a one-line error otherwise."""
    path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise ChainruleUsageError(f"Output path '{out}' is a file, not a folder; --update needs the folder of a set "
                                  "made by chainrule generate.")
    if not path.is_file():
        if (out / JOURNAL).is_file():
            raise ChainruleError(f"Output folder '{out}' holds an interrupted class (no manifest.json yet); run the "
                                 "command that started it again to finish it, then --update its roster.")
        where = "does not exist" if not out.exists() else "holds no set made by chainrule generate (no manifest.json)"
        raise ChainruleUsageError(f"Output folder '{out}' {where}; --update changes the roster of a finished set "
                                  "(make one with chainrule generate without --update).")
    bad = f"'{path}' is not a manifest.json this chainrule generate wrote"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChainruleError(f"Cannot read '{path}': {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, ValueError):
        raise ChainruleError(f"{bad} (it is not JSON); --update cannot change its roster.") from None
    if not isinstance(data, dict) or data.get("kit") != "chainrule" or data.get("format") != manifest_file.FORMAT:
        raise ChainruleError(f"{bad} (format {manifest_file.FORMAT}); --update cannot change its roster.")
    try:
        seed, mode = data["course_seed"], data.get("mode", "open")
        families, formats = list(data["families"]), list(data["formats"])
        problems, lang = data["problems_per_sheet"], data["lang"]
        preset, secret = data.get("preset"), data.get("secret")
        assert isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
        assert mode in ("open", "graded", "practice") and lang in LANGUAGES
        assert all(isinstance(f, str) for f in families + formats) and families and formats
        assert isinstance(problems, int) and problems >= 1
        assert preset is None or isinstance(preset, str)
        assert secret is None or isinstance(secret, str)
        entries = []
        for entry in data["students"]:
            sid = entry["id"]
            assert isinstance(sid, str) and _ID.match(sid) and isinstance(entry.get("name", ""), str)
            listed = [(p["key"], p["family"], p["occurrence"], p["variant"]) for p in entry["problems"]]
            assert all(isinstance(v, str) for key, family, _o, v in listed for v in (key, family, v))
            assert all(isinstance(o, int) for _k, _f, o, _v in listed)
            files = [name for name in entry["files"] if _plain(name)]
            entries.append({"id": sid, "name": entry.get("name") or "", "problems": listed, "files": files,
                            "removed": entry.get("removed") is True})
    except (KeyError, TypeError, AssertionError, AttributeError):
        raise ChainruleError(f"{bad} (its options or students are incomplete); --update cannot change its "
                             "roster.") from None
    if len({entry["id"] for entry in entries}) != len(entries):
        raise ChainruleError(f"{bad} (it lists a student twice); --update cannot change its roster.")
    return {"seed": seed, "mode": mode, "families": families, "formats": formats, "problems": problems, "lang": lang,
            "preset": preset, "secret": secret, "students": entries, "kit_version": data.get("kit_version")}


def _update_refusals(out: Path, old: dict, given: dict, fingerprint: Optional[str]) -> None:
    """Refuse (exit 2) explicit options other than the set's, and a course secret missing,
    not the set's, or given for a set made without one."""
    def shown(value, key):
        if value is None:
            return "one per family" if key == "problems" else "none"
        if isinstance(value, bool):
            return "given" if value else "not given"
        return ",".join(value) if isinstance(value, list) else str(value)

    theirs = dict(old, practice=old["mode"] == "practice")
    differs = []
    for key, option in _UPDATE_OPTIONS.items():
        if key not in given:
            continue
        mine = given[key]
        if key == "formats":
            mine = check_formats(mine)
        if key == "practice" and not mine:
            continue
        if mine != theirs[key]:
            if key == "practice":
                differs.append(f"--practice (the set has {old['mode']} sheets)")
            else:
                differs.append(f"{option} {shown(mine, key)} (the set's: {shown(theirs[key], key)})")
    if differs:
        one = len(differs) == 1
        raise ChainruleUsageError(
            f"{'; '.join(differs)} {'differs' if one else 'differ'} from '{out / MANIFEST}': --update takes every "
            f"option from the set's manifest, so leave {'it' if one else 'them'} out (a set with other options is a "
            "new set: another --out).")
    kind = {"graded": "graded sheets", "practice": "practice sheets", "open": "open sheets"}[old["mode"]]
    if old["secret"] is not None and fingerprint is None:
        raise ChainruleUsageError(f"Output folder '{out}' holds {kind} made with a course secret (fingerprint "
                                  f"{old['secret']}); give it again with --secret-file.")
    if old["secret"] is not None and fingerprint != old["secret"]:
        raise ChainruleUsageError(f"The course secret given (fingerprint {fingerprint}) is not the one the set in "
                                  f"'{out}' was made with (fingerprint {old['secret']}); give that set's "
                                  "--secret-file.")
    if old["secret"] is None and fingerprint is not None:
        raise ChainruleUsageError(f"Output folder '{out}' holds {kind} made without a course secret; leave out "
                                  "--secret-file (graded sheets are a new set: another --out).")


def update(out, students: Optional[Sequence[Student]] = None, count: Optional[int] = None,
           given: Optional[dict] = None, secret: Optional[bytes] = None,
           report: Optional[Callable[[int, int, Student], None]] = None, jobs: Optional[int] = None) -> Result:
    """Change the roster of the finished set in ``out`` without losing anything: every option
    comes from its manifest.json (``given``, the options named explicitly, must agree, and
    the course secret must be given again for a set made with one); the new students' files
    are written (the same bytes a whole ``generate`` writes for them); a student whose name
    changed gets new sheets and key, never a new answers.toml; a student no longer on the
    roster keeps every file and stays in the manifest marked ``"removed": true`` (``chainrule
    check --manifest`` still checks their answers). Nothing else is written or removed.
    Interrupted, the same call finishes it (a journal, as ``generate`` keeps). Returns the
    summary, with ``change`` saying what changed."""
    out = Path(out)
    given = dict(given or {})
    if students is not None and count is not None:
        raise ChainruleUsageError("Use either --students or --count, not both.")
    if students is None and count is None:
        raise ChainruleUsageError("--update needs the new roster: --students FILE (or --count N for the numbered "
                                  "students student-001, ...).")
    if count is not None and count < 1:
        raise ChainruleUsageError(f"Count {count} is not valid; use a whole number >= 1.")
    students = list(students) if students is not None else numbered_students(count)
    old = _read_set(out)
    from chainrule_core import __version__
    from chainrule_core.secret import fingerprint as secret_fingerprint

    fingerprint = secret_fingerprint(secret) if secret is not None else None
    _update_refusals(out, old, given, fingerprint)
    seed, mode, families, formats, lang, preset = (old[k] for k in ("seed", "mode", "families", "formats", "lang",
                                                                    "preset"))
    formats = check_formats(formats)
    preset_items = None
    if preset is not None:
        from generator import presets

        preset_items = presets.load(preset)
    else:
        check_families(families)
    problems = old["problems"]
    entries = {entry["id"]: entry for entry in old["students"]}
    folded = {sid.casefold(): sid for sid in entries}
    for student in students:
        other = folded.get(student.id.casefold())
        if other is not None and other != student.id:
            raise ChainruleUsageError(
                f"The roster lists student id '{student.id}' and the set holds '{other}', which differ only in case; "
                "their folders would collide on Windows and macOS (use the set's id).")
    change = RosterChange(kit_version=old["kit_version"] if old["kit_version"] != __version__ else None)
    todo_ids, keep_answers, stale = [], set(), []
    for student in students:
        entry = entries.get(student.id)
        if entry is None:
            change.added.append(student)
            todo_ids.append(student.id)
            continue
        if entry["name"] != student.name:
            change.renamed.append((student, entry["name"]))
            todo_ids.append(student.id)
            keep_answers.add(student.id)
            stale += [name for name in entry["files"] if name != f"students/{student.id}/{ANSWERS_FILE}"]
        if entry["removed"]:
            change.back.append(student)
        elif entry["name"] == student.name:
            change.unchanged += 1
    on_roster = {student.id for student in students}
    removed_sheets = []
    for entry in old["students"]:
        if entry["id"] in on_roster:
            continue
        if entry["removed"]:
            change.still_removed += 1
        else:
            change.removed.append(Student(entry["id"], entry["name"]))
        removed_sheets.append(_listed_sheet(entry, removed=True))
    active = len(students)
    were = [entry for entry in old["students"] if not entry["removed"]]
    if were and not any(entry["id"] in on_roster for entry in were):
        # a typo (--count on a class made from a roster) would mark the whole class removed for good
        shown = ", ".join(entry["id"] for entry in were[:3]) + (f" and {len(were) - 3} more" if len(were) > 3 else "")
        made = (f"--count {count} numbers the students {students[0].id} to {students[-1].id}: give the class's roster "
                "with --students FILE" if count is not None else "check that it is this class's roster")
        raise ChainruleUsageError(
            f"The new roster keeps none of the {len(were)} students of '{out / MANIFEST}' ({shown}); {made} (another "
            "class is a new set: another --out).")
    engine = tex_engine(lang) if "tex" in formats else None
    options = dict(_options(seed, students, families, problems, formats, lang, preset, mode, fingerprint, engine),
                   update=True)
    if change.nothing:  # an update interrupted after its manifest was written leaves its journal: done now
        leftover = _read_journal(out)
        if leftover is not None and leftover.options.get("update"):
            differs = _differences(leftover.options, options)
            if differs:  # interrupted before its manifest: its sheets are half there, the manifest is the old one
                raise ChainruleError(
                    f"Output folder '{out}' holds an interrupted --update with other options ({'; '.join(differs)}); "
                    "run that command again to finish it first.")
            held = _hold(out)
            try:
                os.unlink(out / JOURNAL)
            except OSError:
                pass
            finally:
                if held is not None:
                    os.close(held)
        files = sum(len(entries[s.id]["files"]) for s in students) + 1
        return Result(out, active, files, formats, False, mode=mode, change=change, fingerprint=fingerprint)
    held = _hold(out)
    try:
        record = _read_journal(out)
        resumed: Dict[str, Sheet] = {}
        if record is not None and record.options.get("update"):
            differs = _differences(record.options, options)
            if differs:
                raise ChainruleError(
                    f"Output folder '{out}' holds an interrupted --update with other options ({'; '.join(differs)}); "
                    "run that command again to finish it first.")
            resumed = {sid: sheet for sid, sheet in _complete(out, record.sheets).items() if sid in todo_ids}
            _sweep(out, [student for student in students if student.id in todo_ids])
        kept = {s.id: _listed_sheet(entries[s.id]) for s in students if s.id not in todo_ids}
        kept.update(resumed)
        job = _Job(out=out, seed=seed, plan=sheet_plan(families, problems) if preset_items is None else None,
                   preset_items=preset_items, preset=preset, formats=list(formats), lang=lang, engine=engine,
                   secret=_variant_key(mode, secret), mode=mode, fingerprint=fingerprint,
                   keep_answers=frozenset(keep_answers))
        _freeze_at_exit()
        thresholds = gc.get_threshold()
        gc.set_threshold(*_GC_THRESHOLDS)
        try:
            result = _generate(job, students, jobs, report, seed, families, formats, lang, preset, mode, fingerprint,
                               out, sorted(stale), options, kept, None, removed_sheets)
        except Interrupted as exc:
            raise Interrupted(exc.done - (active - len(todo_ids)), len(todo_ids)) from None
        finally:
            gc.set_threshold(*thresholds)
    finally:
        if held is not None:
            os.close(held)
    result.kept = len(resumed)
    result.change = change
    return result


def _listed_sheet(entry: dict, removed: bool = False) -> Sheet:
    """A student's sheet as the manifest lists it (``_Summary`` problems)."""
    return Sheet(Student(entry["id"], entry["name"]), [key for key, _f, _o, _v in entry["problems"]],
                 [_Summary(family, variant) for _k, family, _o, variant in entry["problems"]],
                 [occurrence for _k, _f, occurrence, _v in entry["problems"]], list(entry["files"]), removed=removed)
