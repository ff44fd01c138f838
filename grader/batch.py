"""Grading a whole class: find the submissions, grade each in its own child, never lose one.

``SUBMISSIONS`` holds one entry per student, named by the student id: a folder holding
``exercises/`` or the contract modules at its top level (possibly one folder further down,
as a downloaded repository ``alice-main/`` lays it out: ``grader.locate``, the rule the
Gradescope autograder uses too), or a ``.zip`` of such a folder, of which only what a folder's
grading reads is extracted (``extract_zip``). Hidden entries (``.git``, ``.DS_Store``) are
skipped; an entry that is a symbolic link is never graded (a row with 0 points and a note:
``sol -> vera`` would grade one student's work under a second id); a Gradescope export's
``submission_metadata.yml`` is no entry (``grader.gradescope`` reads who handed in each
``submission_<N>``); any other file is listed in the summary as ignored.

Each submission is graded by ``grader.grade_submission`` exactly as ``chainrule grade``
grades one (its own sandboxed child, limits, everything it started reaped), in a pool of
worker processes forked from this one (``--jobs``, every core by default). A submission
that hangs, crashes or attacks costs its own limits; a worker that dies (it runs only the
grader, never student code) is replaced and only its submission is marked.

Expected values: with the live ``solutions`` package and no ``--seed``, each submission
meets the cases of its own seed (``grader.seeds``: a hash of its content, so the values a
report shows cannot be replayed by a lookup table) and its worker computes them. With
``--seed`` they are computed once per batch: the parent records them (``grader.record``)
into a private temporary file, loads it as a ``RecordedOracle`` and deletes it; the
workers inherit the loaded oracle. A recording (``--recorded``) has fixed seeds.

``DIR/results.jsonl`` gets one JSON line per finished submission at once (flushed and
fsynced), so an interrupted run loses nothing: running the same command again grades only
what is missing, failed in the grader, or changed since (by a content hash of the graded
files). ``DIR/batch.json`` holds the class fingerprint (the submissions folder and every
option that changes a grade); an output folder made for another class or other options is
refused unless ``--force`` starts over.

``--shard K/N`` grades the submissions at positions K, K+N, K+2N, ... (1-based, in sorted
id order); ``merge`` combines shard folders of one class into one output folder (and
replaces an incomplete merge there that it completes: ``incomplete_merge``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import struct
import sys
import tempfile
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass, fields

from chainrule_core import __version__
from chainrule_core.contract import CONTRACT
from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError
from chainrule_core.fileio import write_atomic
from chainrule_core.progress import is_terminal
from grader import escape, janitor
from grader.gradescope import NAME as METADATA
from grader.locate import NotGradable, find_modules, find_notebooks, holds_modules, inside
from grader.submission_copy import not_graded
from grader.limits import MAX_TIMEOUT, SUBMISSION_MAX_BYTES, SUBMISSION_MAX_FILES, mb, timeout_refused, valid_timeout
from grader.results import CaseResult, Diagnosis, FunctionResult, GradeResult, replace_text

RESULTS = "results.jsonl"
BATCH = "batch.json"
FORMAT_VERSION = 5     # 2: fingerprints of the student's own code only, report paths from SUBMISSIONS;
                       # 3: the skeleton's def lines, docstrings and lines at their place removed too;
                       # 4: a hash of each submission's own code (the similarity's same-code rule);
                       # 5: seeds and content hashes cover folders and links, no-op statements not fingerprinted

# safe extraction of a student's .zip: the limits count what is extracted (what is graded)
ZIP_MAX_MEMBERS = SUBMISSION_MAX_FILES   # files and folders: at most what a submission may hold
ZIP_MAX_BYTES = SUBMISSION_MAX_BYTES     # uncompressed, all extracted members together
ZIP_MAX_LISTED = 100_000                 # members listed (a .venv holds thousands; read, never extracted)
ZIP_MAX_DIRECTORY = 10 * 2 ** 20         # bytes of the member list (the end record's count can lie: its size too)
HASH_MAX_FILES = 5000                   # files hashed in one gradable folder

# --------------------------------------------------------------------------- discovery
@dataclass
class Entry:
    """One student's entry in the submissions folder."""

    id: str                 # the entry's name without ".zip"
    path: str               # the folder or zip as found
    kind: str               # "folder" | "zip" | "bad"
    note: str = ""          # why a "bad" entry cannot be graded
    hash: str = ""          # content hash of what is graded


def parse_shard(text):
    """``"K/N"`` -> ``(K, N)`` with 1 <= K <= N; a ``ChainruleUsageError`` otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if match:
        k, n = int(match.group(1)), int(match.group(2))
        if n >= 1 and 1 <= k <= n:
            return k, n
    raise ChainruleUsageError(f"Shard '{text}' is not valid; give K/N with 1 <= K <= N, e.g. "
                              "--shard 1/4 for the first of 4 shards.")


def student_id(name):
    """The id of an entry named ``name``: the name itself, except that bytes which were not
    UTF-8 (``os.listdir`` gives them as lone surrogates, which no UTF-8 file can hold) are
    spelled ``\\xff``, and control characters so too (``\\x1b``), so the id can be written
    everywhere, shown in a terminal and still tells entries apart. Letters are composed (NFC):
    macOS unzips "Zoë" with a separate accent, a roster or an LMS holds it as one letter, and
    two entries that differ only so are one student's (refused as two entries for one id)."""
    name = unicodedata.normalize("NFC", name)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if not name.isprintable():  # a control character (ESC...) would act in a terminal reading the CSVs
        name = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                       for c in name)
    return name


#: file names Windows reserves for devices, whatever their extension (``CON.md`` opens the console)
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                            | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"})


def windows_reserved(name):
    """Whether the file name ``name`` (with or without an extension: ``con``, ``Con.md``,
    ``lpt1.tar.gz``) names a device on Windows, where such a file cannot be made or read."""
    return name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_DEVICES


def discover(submissions):
    """``(entries, ignored)``: every student entry (sorted by id) and the files skipped."""
    submissions = os.fspath(submissions)
    if not os.path.exists(submissions):
        raise ChainruleUsageError(f"Submissions folder '{submissions}' does not exist; pass a folder "
                                  "holding one folder or .zip per student, named by the student id.")
    if not os.path.isdir(submissions):
        raise ChainruleUsageError(f"Submissions '{submissions}' is not a folder; pass a folder holding "
                                  "one folder or .zip per student, named by the student id.")
    root = os.path.realpath(submissions)
    names = sorted(os.listdir(submissions))
    modules = (["exercises"] if os.path.isdir(os.path.join(submissions, "exercises")) else []) + holds_modules(submissions)
    if modules:     # one student's work, not a class: its "exercises" would be graded as a student
        raise ChainruleUsageError(
            f"Submissions folder '{submissions}' looks like one student's submission (it holds "
            f"{', '.join(modules[:3])}); pass the folder that holds one folder or .zip per student, or grade "
            f"this one with chainrule grade {submissions}.")
    entries, ignored, seen = [], [], {}
    for name in names:
        if name.startswith("."):
            continue
        if name == "__MACOSX":    # what macOS's Archive Utility adds when it unzips a download
            ignored.append((name, "macOS archive metadata, not a submission"))
            continue
        path = os.path.join(submissions, name)
        if name == METADATA and not os.path.isdir(path):   # a Gradescope export's: read by gradescope.for_class
            continue
        is_zip = name.lower().endswith(".zip")
        ident = student_id(name[:-4] if is_zip else name)
        if not ident:
            ignored.append((name, "no student id before .zip"))
            continue
        note = ""
        if os.path.islink(path) and (os.path.isdir(path) or is_zip or not inside(os.path.realpath(path), root)):
            # never graded: another student's work under a second id is a classic trick
            kind, note = "bad", link_note(path, root)
        elif os.path.isdir(path):
            kind = "folder"
        elif is_zip and os.path.isfile(path):
            kind = "zip"
        else:
            ignored.append((name, "not a folder or a .zip"))
            continue
        if ident in seen:       # which one to grade would be a guess: the id's one row says so
            first, index = seen[ident]
            entries[index] = Entry(ident, entries[index].path, "bad",
                                   f"both '{first}' and '{name}' are named for this id; keep one")
            continue
        seen[ident] = (name, len(entries))
        entries.append(Entry(ident, path, kind, note))
    if not entries:
        extra = f" (only {', '.join(printable(n) for n, _ in ignored[:3])})" if ignored else ""
        raise ChainruleUsageError(f"Submissions folder '{submissions}' holds no submissions{extra}; it "
                                  "should hold one folder or .zip per student, named by the student id.")
    entries.sort(key=lambda e: e.id)
    for entry in entries:
        entry.hash = content_hash(entry)
    return entries, ignored


def link_note(path, root):
    """Why the entry ``path`` of the submissions folder (real path ``root``), a symbolic link,
    is not graded: a link out of the folder would grade what no student submitted, a link to
    another entry grades one student's work under two ids (a copy under a second name)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    shown = printable(escape.clean(target))
    if not inside(os.path.realpath(path), root):
        return (f"a link to a path outside the submissions folder ('{shown}'); a link is never graded: "
                "put the submission itself there")
    return (f"a link to '{shown}' in the submissions folder; a link is never graded (it would grade that "
            "work under a second id): put the submission itself there")


def escaping_link(folder, root):
    """The first link under ``folder`` (relative to ``root``) whose target is outside
    ``root``, or ``""``; what is never graded (``not_graded``: a .venv, .git) is left out."""
    real_root = os.path.realpath(root)
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not not_graded(d))
        for name in sorted(dirs + [f for f in files if not not_graded(f)]):
            path = os.path.join(base, name)
            if os.path.islink(path) and not inside(os.path.realpath(path), real_root):
                return os.path.relpath(path, root)
    return ""


def _hash_tree(folder, digest):
    root = os.path.realpath(folder)
    count = 0
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not not_graded(d))
        for name in dirs:   # a folder, an empty one too: the graded code can list it (as the seed hashes it)
            digest.update(f"D{os.path.relpath(os.path.join(base, name), folder)}\0".encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            if not_graded(name):    # as the copy the child imports (a .pyc there is refused)
                continue
            path = os.path.join(base, name)
            rel = os.path.relpath(path, folder)
            count += 1
            if count > HASH_MAX_FILES:
                digest.update(b"...too many files")
                return
            if os.path.islink(path):
                target = os.readlink(path)
                digest.update(f"L{rel}\0{target}\0".encode("utf-8", "surrogateescape"))
                if not inside(os.path.realpath(path), root):
                    continue
            digest.update(f"F{rel}\0".encode("utf-8", "surrogateescape"))
            _hash_file(path, digest)
            digest.update(b"\0")


def _hash_file(path, digest):
    """Add the bytes of the regular file ``path`` to ``digest``; anything else (a FIFO, a
    device, a socket: grading refuses it, ``grader.submission_copy``) only by its kind, never
    opened for reading: a FIFO would block the class's grading forever, /dev/zero never end."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            digest.update(b"S" + stat.filemode(mode)[:1].encode())
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        digest.update(f"E{exc.errno}".encode())
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):     # swapped for one since the stat
            digest.update(b"S")
            return
        with os.fdopen(fd, "rb") as handle:
            fd = None
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError as exc:
        digest.update(f"E{exc.errno}".encode())
    finally:
        if fd is not None:
            os.close(fd)


def content_hash(entry):
    """A hash of what grading ``entry`` reads: the zip's bytes, or the gradable folder's files."""
    digest = hashlib.sha256()
    digest.update(entry.kind.encode() + b"\0")
    if entry.kind == "zip":
        _hash_file(entry.path, digest)
    elif entry.kind == "folder":
        try:
            place = find_modules(entry.path)
        except NotGradable as exc:
            # a notebook course's hand-in: its notebooks' bytes decide (as grade_entry grades it)
            place = find_notebooks(entry.path) if exc.kind == "none" else None
            if place is None:
                digest.update(b"none\0" + exc.note.encode("utf-8", "surrogateescape") + b"\0")
                try:        # adding the modules later changes the hash
                    digest.update("\0".join(sorted(os.listdir(entry.path))).encode("utf-8", "surrogateescape"))
                except OSError:
                    pass
        if place is not None:
            digest.update(os.path.relpath(place, entry.path).encode("utf-8", "surrogateescape") + b"\0")
            _hash_tree(place, digest)
    else:
        digest.update(entry.note.encode())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------------------- zips
class BadZip(Exception):
    """The zip cannot be extracted safely; the message is a note for the summary."""


def _gradable_folder(base):
    """The folder below ``base`` holding the modules (or, in a notebook course, the
    notebooks) to grade; ``BadZip`` with the reason when there is none."""
    try:
        return find_modules(base)
    except NotGradable as exc:
        folder = find_notebooks(base) if exc.kind == "none" else None    # a notebook course's hand-in
        if folder is None:
            raise BadZip(exc.note) from None
        return folder


def _listed(path):
    """``(members, bytes)``: how many members the zip at ``path`` says it holds and the size
    of its member list (its end record), read before the list itself (which ``zipfile`` reads
    whole and keeps in memory, about 600 bytes a member: a count that lies is caught by the
    size, at least 46 bytes a member); ``(None, None)`` when that cannot be read here
    (``zipfile`` says why when it opens the file)."""
    end_record = getattr(zipfile, "_EndRecData", None)      # private, in CPython since 2.x
    if end_record is None:
        return None, None
    try:
        with open(path, "rb") as handle:
            found = end_record(handle)
    except (OSError, ValueError, struct.error, zipfile.BadZipFile):
        return None, None
    if not found:
        return None, None
    return found[zipfile._ECD_ENTRIES_TOTAL], found[zipfile._ECD_SIZE]


def _zip_members(archive):
    """``[(info, parts)]``: every member of ``archive`` with its path as parts; a member naming
    a place outside the folder refuses the whole zip (no legitimate archiver writes one)."""
    members = []
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise BadZip(f"the zip member '{info.filename}' points outside the folder")
        if parts:
            members.append((info, parts))
    return members


def _zip_place(members, scratch):
    """The parts of the folder of the zip that grading reads (``()``: the zip's top), found by
    ``grader.locate`` as for a folder: from a scout tree of the members' folders (three deep,
    as far as ``locate`` looks) and their ``.py`` and ``.ipynb`` names, written as empty files;
    and the sentence naming the modules at the top of a whole repository that are not graded
    (``grader.locate.top_not_graded``; "" otherwise). Nothing of the student's is extracted to
    find them."""
    from grader.notebooks import SUFFIX

    scout = tempfile.mkdtemp(prefix="scout-", dir=scratch)
    try:
        for info, parts in members:
            folders = parts if info.is_dir() else parts[:-1]
            try:
                if folders[:3]:
                    os.makedirs(os.path.join(scout, *folders[:3]), exist_ok=True)
                if not info.is_dir() and len(parts) <= 3 and parts[-1].endswith((".py", SUFFIX)):
                    open(os.path.join(scout, *parts), "ab").close()
            except OSError:     # a name both a file and a folder: the extraction says so
                continue
        place = _gradable_folder(scout)
        rel = os.path.relpath(place, scout)
        # a whole repository zipped: the modules at its top are not extracted, and the report
        # says so as for the folder (grader.locate.top_not_graded reads the scout's names)
        from grader.locate import top_not_graded

        return (() if rel == os.curdir else tuple(rel.split(os.sep))), top_not_graded(place)
    finally:
        shutil.rmtree(scout, ignore_errors=True)


def extract_zip(path, target):
    """Extract what grading reads of the zip ``path`` into the new folder ``target``, refusing
    anything unsafe; the folder ``grader.locate`` finds in it, as for a folder.

    As a folder is graded: only the folder holding the exercise modules (``exercises/``, the
    top, or one folder down: ``grader.locate``) is extracted, without hidden entries and caches
    (``submission_copy.not_graded``: a committed ``.venv``, ``.git``, ``__pycache__``), so a
    repository's data files and virtual environment cost nothing and are never written. The
    limits count what is extracted: at most ``ZIP_MAX_MEMBERS`` files and folders, at most
    ``ZIP_MAX_BYTES`` bytes together (counted while inflating, never taken from the headers: a
    zip bomb stops there, while an honest repetitive log or zero-filled array that compresses
    a thousand to one is extracted as its folder would be copied); a zip listing more than
    ``ZIP_MAX_LISTED`` members, or a list of members larger than ``ZIP_MAX_DIRECTORY`` bytes, is
    not read at all. No absolute paths,
    no ``..``, anywhere in the zip; no links or special files among what is extracted.
    Returns the sentence a report adds for a whole repository whose top holds modules that are
    not extracted (``grader.locate.top_not_graded``), or "".
    """
    listed, directory = _listed(path)
    if listed is not None and listed > ZIP_MAX_LISTED:
        raise BadZip(f"the zip lists {listed} members, more than the {ZIP_MAX_LISTED} read; zip the "
                     "exercises without the repository's virtual environment or data")
    if directory is not None and directory > ZIP_MAX_DIRECTORY:
        raise BadZip(f"the zip's list of members takes {directory / 2 ** 20:.1f} MB, more than the "
                     f"{ZIP_MAX_DIRECTORY / 2 ** 20:.1f} MB read; zip the exercises without the repository's virtual "
                     "environment or data")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadZip(f"not a readable zip file ({exc})") from None
    with archive:
        members = [(info, parts) for info, parts in _zip_members(archive)
                   if not any(not_graded(p) for p in parts)]
        place, note = _zip_place(members, os.path.dirname(os.path.abspath(target)))
        where = "the zip" if not place else f"the zip's '{'/'.join(place)}'"
        chosen, folders = [], set()
        for info, parts in members:      # every member to extract is checked before any is written
            if tuple(parts[:len(place)]) != place or (len(parts) == len(place) and not info.is_dir()):
                continue
            kind = stat.S_IFMT((info.external_attr >> 16) & 0xFFFF)
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise BadZip(f"the zip member '{info.filename}' is a link or a special file")
            chosen.append((info, parts))
            below = parts if info.is_dir() else parts[:-1]
            folders.update(tuple(below[:i]) for i in range(len(place) + 1, len(below) + 1))
        count = len(folders) + sum(1 for info, _ in chosen if not info.is_dir())
        if count > ZIP_MAX_MEMBERS:
            raise BadZip(f"{where} holds {count} files and folders to grade, more than the {ZIP_MAX_MEMBERS} "
                         "allowed; remove what is not part of the exercises")
        total = 0
        os.makedirs(target, exist_ok=False)
        for info, parts in chosen:
            dest = os.path.join(target, *parts)
            try:
                if info.is_dir():
                    os.makedirs(dest, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with archive.open(info) as src, open(dest, "xb") as out:
                    while True:
                        block = src.read(1 << 16)
                        if not block:
                            break
                        total += len(block)
                        if total > ZIP_MAX_BYTES:
                            raise BadZip(f"{where} unpacks to more than {mb(ZIP_MAX_BYTES)} MB, the limit; "
                                         "remove data files that are not part of the exercises")
                        out.write(block)
            except FileExistsError:
                raise BadZip(f"the zip holds '{info.filename}' twice") from None
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
                raise BadZip(f"the zip member '{info.filename}' cannot be read ({exc})") from None
    return note


class unpacked_zip:
    """``with unpacked_zip(path) as (folder, inner):`` the gradable folder of the zip ``path``,
    extracted as grade-all extracts a student's zip (``extract_zip``: the folder holding the
    modules only, its limits, nothing pointing out of it) into a private temporary folder
    (0700, removed afterwards, even after a SIGKILL: ``janitor``); ``inner``: where that
    folder is in the zip, '/'-separated ("." at its top). ``BadZip`` says why it cannot be."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.scratch = None
        self.not_graded = ""    # extract_zip's sentence on a repository's top modules, once entered

    def __enter__(self):
        self.scratch = tempfile.mkdtemp(prefix="chainrule-zip-")     # mode 0700
        janitor.watch(self.scratch)
        try:
            target = os.path.join(self.scratch, "unpacked")
            self.not_graded = extract_zip(self.path, target)
            folder = _gradable_folder(target)
            link = escaping_link(folder, target)
            if link:
                raise BadZip(f"'{link}' is a link to a path outside the submission")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return folder, os.path.relpath(folder, target).replace(os.sep, "/")

    def __exit__(self, *exc):
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            janitor.release(self.scratch)
            self.scratch = None
        return False


# --------------------------------------------------------------------------- results <-> JSON
def _dump(obj):
    if isinstance(obj, (GradeResult, FunctionResult, CaseResult, Diagnosis)):
        out = {f.name: _dump(getattr(obj, f.name)) for f in fields(obj)}
        return out
    if isinstance(obj, dict):
        return [_dump(v) for v in obj.values()]
    if isinstance(obj, (list, tuple)):
        return [_dump(v) for v in obj]
    return obj


def result_to_json(result):
    """Every field of a ``GradeResult`` (the reports are rendered again from it)."""
    return _dump(result)


def _known(cls, data):
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def result_from_json(data):
    """The ``GradeResult`` of ``result_to_json`` (``data`` is left as it was)."""
    result = GradeResult(**_known(GradeResult, {k: v for k, v in data.items() if k != "functions"}))
    for fdata in data.get("functions", []):
        fr = FunctionResult(**_known(FunctionResult, {k: v for k, v in fdata.items() if k != "cases"}))
        for cdata in fdata.get("cases", []):
            case = CaseResult(**_known(CaseResult, {k: v for k, v in cdata.items() if k != "diagnoses"}))
            case.diagnoses = [Diagnosis(**_known(Diagnosis, d)) for d in cdata.get("diagnoses", [])]
            fr.cases.append(case)
        result.functions[fr.qualname] = fr
    return result


def _replace_paths(result, old, new):
    """Show ``new`` wherever the result says ``old`` (a zip's temporary folder)."""
    replace_text(result, old, new)


# --------------------------------------------------------------------------- options
@dataclass
class Options:
    names: list             # contract-ordered qualnames graded
    seed: int
    timeout: float
    memory_mb: int
    oracle_name: str        # what the reports say ("live solutions", "the recording x.npz")
    oracle_hash: str        # hash of the expected values' source
    only: list              # as given (for the commands printed)
    recorded: str = None    # --recorded, shown in every command a report prints
    seed_given: bool = False  # --seed was given (else a recording's own seed, or per submission)
    secret: bytes = None    # the course secret (--secret-file), mixed into per-submission seeds
    release: dict = None    # --release: grader.release_settings.read(), in force while grading
    require_isolation: bool = False     # each grade refuses too when its child could read the reference

    def __post_init__(self):
        # refused before batch.json is written: inf or NaN there is no JSON (and never stops a hang)
        if not valid_timeout(self.timeout):
            raise ChainruleUsageError(timeout_refused(self.timeout))

    def fingerprint(self):
        """Every setting that changes a grade, and the grader's version."""
        found = {
            "format": FORMAT_VERSION, "version": __version__, "functions": list(self.names),
            "seed": self.seed, "timeout": self.timeout, "memory_mb": self.memory_mb,
            "expected": self.oracle_hash,
            "cases": grading_code_hash(),
            # a fingerprint of the secret, never the secret: another secret means other seeds
            "secret": hashlib.sha256(self.secret).hexdigest()[:16] if self.secret else None,
        }
        if self.release:    # what the release hands out and its points, not where it lies
            found["release"] = release_fingerprint(self.release)
        return found


#: the code that decides a grade besides the expected values: the cases and how they are
#: judged (grader/specs/*.py, not the known mistakes' hints), how values are compared, and
#: the points (chainrule_core/contract.py), relative to the kit's root
GRADING_CODE = ("grader/specs/*.py", "grader/compare.py", "grader/values.py", "grader/framework.py",
                "chainrule_core/contract.py")


@functools.lru_cache(maxsize=None)
def grading_code_hash(root=None):
    """A hash of ``GRADING_CODE`` (in the kit at ``root``, by default this one): a kit whose
    cases changed (session 19 changed several with the version unchanged) does not resume, or
    merge with, a class graded by another (one class would mix grades of two sets of cases,
    review 19)."""
    import glob

    root = root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [path for pattern in GRADING_CODE for path in glob.glob(os.path.join(root, pattern))]
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0")
        with open(path, "rb") as handle:    # a checkout with CRLF line ends (Windows) hashes alike
            digest.update(handle.read().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]


def release_fingerprint(release):
    """The part of a release (``grader.release_settings.read``) that changes a grade."""
    return {"functions": list(release["functions"]), "points": dict(release["points"])}


def release_info(release):
    """What ``batch.json`` keeps of ``--release``: enough to write the class's files again
    (a resumed run, a merge of shards) with its functions and points, and where it was."""
    return {"given": release.get("given"), "file": release.get("file"),
            "functions": list(release["functions"]), "points": dict(release["points"])}


def _hash_files(paths):
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:32]


def make_oracle(recorded, names, seed):
    """``(oracle, seed, name, hash)``: expected values for the batch, computed once.

    With ``recorded`` (a path) or without ``solutions``: a ``RecordedOracle``. With the
    live solutions: their values for ``seed`` are recorded once into a private file (0600
    in a 0700 folder), loaded, and the file removed; the oracle keeps the live name.
    """
    from grader import DEFAULT_SEED, record
    from grader.oracle import LiveOracle, RecordedOracle, default_oracle

    if recorded is not None:
        oracle = RecordedOracle(recorded)
        seed = _pick_seed(oracle, seed, DEFAULT_SEED)
        oracle.require(names, seed, every_case=True)  # fewer functions, a stale case: refused before any grading
        return oracle, seed, oracle.name, _hash_files([recorded])
    oracle = default_oracle()
    if not isinstance(oracle, LiveOracle):
        seed = _pick_seed(oracle, seed, DEFAULT_SEED)
        oracle.require(names, seed, every_case=True)
        return oracle, seed, oracle.name, _hash_files([oracle.path])
    folder = oracle.folder()
    source_hash = _hash_files([os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py")])
    if seed is None:
        # summative grading: every submission meets the cases of its own seed (a hash of its
        # content, grader.seeds), so values shown in feedback cannot be replayed; the
        # reference computes each submission's expected values in its worker
        return oracle, None, oracle.name, "live:" + source_hash
    seed = int(seed)
    private = tempfile.mkdtemp(prefix="chainrule-expected-")     # mode 0700
    janitor.watch(private)      # expected values: never left behind, even after a SIGKILL
    try:
        path = os.path.join(private, "expected.npz")
        old = os.umask(0o077)
        try:
            record(path, seeds=(seed,), only=names)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        recorded_oracle = RecordedOracle(path)      # loads everything into memory
    finally:
        shutil.rmtree(private, ignore_errors=True)
        janitor.release(private)
    recorded_oracle.name = oracle.name
    return recorded_oracle, seed, oracle.name, "live:" + source_hash


def reference_exposure(recorded=None):
    """Whether the student code of a class graded here could read the reference: None when it
    could not, else one sentence saying why and what to do (``grader.privileges.reference_exposure``,
    what ``chainrule grade`` checks before student code runs, for this machine and user).

    Checked: the recording ``recorded`` (``--recorded``) where given, and the reference solutions
    wherever they are importable (expected values recorded from them in memory do not make
    them unreadable); without either, the recording grading falls back to."""
    from grader import privileges
    from grader.oracle import DEFAULT_RECORDING

    places = [os.path.realpath(recorded)] if recorded is not None else []
    installed = privileges.installed_solutions()    # found, not imported
    if installed is not None:
        places.append(installed)
    elif recorded is None and os.path.isfile(DEFAULT_RECORDING):
        places.append(DEFAULT_RECORDING)
    for place in places:
        found = privileges.reference_exposure(place)
        if found:
            return found
    return None


def _pick_seed(oracle, seed, default):
    if seed is not None:
        seeds = oracle.seeds()
        if seeds is not None and int(seed) not in seeds:
            raise ChainruleUsageError(
                f"Seed {seed} is not in the recorded cases ({', '.join(str(s) for s in seeds)}); "
                "grade without --seed or with one of them.")
        return int(seed)
    seeds = oracle.seeds()
    return seeds[0] if seeds else default


# --------------------------------------------------------------------------- one submission
def grade_entry(entry, options, oracle, skeleton, scratch):
    """Grade one entry; the JSON record for ``results.jsonl`` (never raises for the entry)."""
    started = time.monotonic()
    record = {"id": entry.id, "hash": entry.hash, "source": os.path.basename(entry.path),
              "kind": entry.kind, "status": "graded", "note": "", "result": None,
              "fingerprints": [], "files": {}}
    folder, shown, target, top = None, None, None, ""
    try:
        if entry.kind == "bad":
            raise BadZip(entry.note)
        if entry.kind == "zip":
            target = os.path.join(scratch, "unpacked-" + hashlib.sha256(entry.id.encode()).hexdigest()[:12])
            shutil.rmtree(target, ignore_errors=True)
            top = extract_zip(entry.path, target)
            base = target
        else:
            base = entry.path
        folder = _gradable_folder(base)
        link = escaping_link(folder, base)
        if link:
            raise BadZip(f"'{link}' is a link to a path outside the submission")
        inner = os.path.relpath(folder, base)
        record["folder"] = inner.replace(os.sep, "/")     # locates the sources: kept as it is
        # named from the submissions folder (``leo/exercises``, ``mia.zip/exercises``), never from
        # where the command ran: the reports are the same whichever folder grade-all runs in
        shown = student_id(os.path.basename(entry.path))
        if inner != os.curdir:
            shown += "/" + record["folder"]
    except BadZip as exc:
        record.update(status="ungradable", note=str(exc))
    except OSError as exc:
        record.update(status="ungradable", note=f"cannot be read ({exc.strerror or exc})")
    try:
        if record["status"] == "graded":
            _grade_into(record, folder, shown, inner, options, oracle, skeleton)
            if top and record.get("result") and not record["result"].get("not_graded"):
                record["result"]["not_graded"] = top    # a zipped repository's top, as for its folder
    finally:
        if target is not None:
            shutil.rmtree(target, ignore_errors=True)
    record["note"] = escape.clean(record["note"])     # may quote a file name that was not UTF-8
    record["elapsed"] = round(time.monotonic() - started, 3)
    return record


def _grade_into(record, folder, shown, inner, options, oracle, skeleton):
    from grader import grade_submission
    from grader.engine import for_the_student
    from grader.similarity import fingerprint_submission, pack

    from grader.notebooks import NotebookError

    try:
        result = grade_submission(folder, only=options.names, seed=options.seed if options.seed_given else None,
                                  secret=options.secret, require_isolation=options.require_isolation,
                                  timeout=options.timeout, oracle=oracle, memory_mb=options.memory_mb)
    except (NotebookError, BadSubmission) as exc:       # SubmissionRefused is one too
        # the hand-in's notebooks cannot be read, or it holds what is never graded (a hard link,
        # a FIFO, a link out): the submission's fault, not the grader's (not graded again by a rerun)
        record.update(status="ungradable", note=str(exc).rstrip("."))
        return
    except ChainruleError as exc:
        record.update(status="error", note=str(exc).rstrip("."))
        return
    if result.interrupted:      # never a grade: an "error" record is graded again by a rerun
        record.update(status="error", note=f"grading was interrupted ({result.interrupted}); "
                                           "running the same command again grades it")
        return
    # The report is the student's feedback: its commands are for the student's own repository
    # (the modules in exercises/ or at its top; the instructor's paths, recording and, unless
    # the class was graded with --seed, this submission's own seed mean nothing there).
    for_the_student(result, inner, options.timeout, options.memory_mb, keep_seed=options.seed_given)
    for spelled in sorted({os.path.realpath(folder), os.path.abspath(folder), folder}, key=len, reverse=True):
        _replace_paths(result, spelled, shown)      # the longest first: the others are its tails
    result.submission = shown
    result.oracle = options.oracle_name
    for fr in result.functions.values():    # the class's reports are not verbose: results.jsonl stays small
        for case in fr.cases:
            case.inputs = ""
    record["result"] = result_to_json(result)
    try:
        found = fingerprint_submission(folder, skeleton or frozenset())
    except Exception as exc:  # noqa: BLE001 - similarity is a pointer, never a grade
        record["note"] = f"similarity not computed ({type(exc).__name__})"
    else:
        record["fingerprints"], record["files"] = pack(found["prints"]), found["files"]
        record["similarity"] = {"tokens": found["tokens"], "capped": found["capped"],
                                "dynamic": found["dynamic"], "own": found["own"],
                                "own_tokens": found["own_tokens"]}


# --------------------------------------------------------------------------- the worker pool
def _worker_main(conn, others, options, oracle, skeleton, scratch):
    """A worker: grade what the parent sends until it sends ``None`` or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)         # the parent decides when to stop
    for other in others:        # the parent's ends of the other workers' pipes, inherited by
        other.close()           # the fork: kept open, no worker would see the parent go
    parent = os.getppid()

    def _terminate(signum, frame):
        raise SystemExit(1)         # unwinds: the sandbox's ``finally`` kills its child

    signal.signal(signal.SIGTERM, _terminate)
    from grader import zygote

    zygote.start_early()    # this worker's own warm process (a fresh interpreter: it holds
    try:                    # none of what this fork inherited), serving all its submissions
        _serve(conn, parent, options, oracle, skeleton, scratch)
    finally:
        zygote.shutdown()


def _serve(conn, parent, options, oracle, skeleton, scratch):
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            entry = conn.recv()
        except (EOFError, OSError):
            return
        if entry is None:
            return
        try:
            record = grade_entry(entry, options, oracle, skeleton, scratch)
        except Exception as exc:  # noqa: BLE001 - a grader bug costs this submission only
            record = {"id": entry.id, "hash": entry.hash, "source": os.path.basename(entry.path),
                      "kind": entry.kind, "status": "error", "result": None, "fingerprints": [],
                      "files": {}, "note": f"internal grader error: {type(exc).__name__}: {exc}"}
        conn.send(record)


def _ended(code):
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"ended (exit code {code})"


class _Worker:
    def __init__(self, ctx, others, options, oracle, skeleton, scratch):
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main,
                                   args=(child, [w.conn for w in others], options, oracle, skeleton,
                                         scratch),
                                   daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.entry = None
        self.since = 0.0

    def stop(self, wait=2.0):
        try:
            if self.process.is_alive():
                self.process.terminate()
                self.process.join(wait)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(1.0)
        except (OSError, ValueError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass


def run_pool(entries, options, oracle, jobs, on_record, skeleton=None, watchdog=None, tick=None):
    """Grade ``entries`` in ``jobs`` worker processes; ``on_record(record)`` as each ends.

    A worker that dies or exceeds ``watchdog`` seconds on one submission is replaced and
    that submission gets a record with status "error"; ``tick()`` is called about every
    second (to redraw a progress bar). ``KeyboardInterrupt`` stops every
    worker (their sandboxes kill their children) and is raised again.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    pending = list(entries)
    pending.reverse()
    workers = []
    scratch = tempfile.mkdtemp(prefix="chainrule-batch-")
    janitor.watch(scratch)      # before the workers fork: they hold the janitor's pipe too
    if watchdog is None:
        # the grader's own limits end every call; this only catches a stuck worker
        watchdog = 120.0 + 3.0 * options.timeout * (len(options.names) + len(CONTRACT))
    try:
        while pending or any(w.entry is not None for w in workers):
            while pending:
                idle = next((w for w in workers if w.entry is None), None)
                if idle is None and len(workers) < jobs:
                    idle = _Worker(ctx, workers, options, oracle, skeleton, scratch)
                    workers.append(idle)
                if idle is None:
                    break
                entry = pending.pop()
                try:
                    idle.conn.send(entry)
                except (OSError, EOFError):
                    pending.append(entry)
                    idle.stop(wait=1.0)
                    workers.remove(idle)
                    continue
                idle.entry, idle.since = entry, time.monotonic()
            busy = [w for w in workers if w.entry is not None]
            waits = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(waits, timeout=1.0))
            if tick is not None:
                tick()
            now = time.monotonic()
            for w in busy:
                record = None
                if w.conn in ready:
                    try:
                        record = w.conn.recv()
                    except (EOFError, OSError):
                        record = None
                if record is not None:
                    w.entry = None
                    on_record(record)
                    continue
                died = w.process.sentinel in ready or w.conn in ready or not w.process.is_alive()
                late = now - w.since > watchdog
                if died or late:
                    entry = w.entry
                    if late and not died:
                        why = f"the grader gave up after {watchdog:g} s"
                    else:
                        w.process.join(2.0)
                        why = "the grader's worker process " + _ended(w.process.exitcode)
                    w.stop(wait=1.0)
                    workers.remove(w)
                    on_record({"id": entry.id, "hash": entry.hash, "source": os.path.basename(entry.path),
                               "kind": entry.kind, "status": "error", "result": None,
                               "fingerprints": [], "files": {}, "note": why})
    finally:
        # a second Ctrl-C or SIGTERM (a terminal's, a batch system's, one that reaches the whole
        # process group) must not cut this short: a worker left running would keep the output
        # folder locked, and the interpreter's exit would wait for it for good
        held = _hold_signals()
        try:
            for w in workers:
                try:
                    if w.entry is None and w.process.is_alive():
                        w.conn.send(None)
                except (OSError, ValueError):
                    pass
            for w in workers:
                if w.entry is None:
                    w.process.join(2.0)
                w.stop()
            shutil.rmtree(scratch, ignore_errors=True)
            janitor.release(scratch)
        finally:
            for signum, handler in held:
                signal.signal(signum, handler)


def _hold_signals():
    """Ignore SIGINT and SIGTERM until the handlers returned are put back (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return []
    return [(signum, signal.signal(signum, signal.SIG_IGN)) for signum in (signal.SIGINT, signal.SIGTERM)]


# --------------------------------------------------------------------------- the output folder
def read_results(path):
    """The records of ``results.jsonl`` (the last one per id wins); a torn last line is ignored."""
    records = {}
    if not os.path.exists(path):
        return records
    with open(path, "rb") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue            # a line cut by a crash mid-write: that one is graded again
            if isinstance(record, dict) and "id" in record:
                records[record["id"]] = record
    return records


def json_bytes(obj, indent=None, allow_nan=True):
    """``obj`` as UTF-8 JSON that can always be written: readable UTF-8 when every string is
    valid Unicode, else with ``\\uXXXX`` escapes (a lone surrogate that reached a record, a
    file name that was not UTF-8), which ``json.loads`` reads back to the very same text.
    ``allow_nan=False`` (batch.json): a NaN or infinity is a ValueError, never written as
    ``NaN``/``Infinity``, which is not JSON (a record may hold a student's NaN output: it keeps
    the default)."""
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=indent, allow_nan=allow_nan).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, sort_keys=True, indent=indent, allow_nan=allow_nan).encode("ascii")


class ResultsFile:
    """``results.jsonl`` opened for appending; every record is flushed and fsynced at once."""

    def __init__(self, path):
        self.path = path
        exists = os.path.exists(path)
        self.handle = open(path, "ab")
        if exists and self.handle.tell():
            with open(path, "rb") as check:       # a torn last line must not glue onto the next
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    self.handle.write(b"\n")

    def append(self, record):
        self.handle.write(json_bytes(record) + b"\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self):
        self.handle.close()


def class_info(submissions, entries, ignored, options, shard, exposure=None, metadata=None):
    """What ``batch.json`` keeps of the class; ``exposure``: ``reference_exposure``'s sentence
    when the reference was readable by the student code (the summaries say it); ``metadata``:
    ``gradescope.for_class``'s, kept here (names and e-mails too) so that a rerun that grades
    nothing and a merge of shards, wherever it runs, write grades-by-student.csv as the run did."""
    return {
        "tool": "chainrule grade-all",
        "submissions": os.path.realpath(submissions),
        "fingerprint": options.fingerprint(),
        "oracle": options.oracle_name,
        "only": list(options.only or []),
        "shard": list(shard) if shard else None,
        "entries": {e.id: e.hash for e in entries},
        "ignored": [list(i) for i in ignored],
        **({"release": release_info(options.release)} if options.release else {}),
        **({"exposure": exposure} if exposure else {}),
        **({"metadata": metadata} if metadata else {}),
    }


#: fingerprint keys named in words (others are shown with their old and new values)
_SETTING_WORDS = {
    "functions": "the functions graded (--only)",
    "expected": "the expected values (solutions or --recorded)",
    "secret": "the course secret (--secret-file)",
    "cases": "the grading cases (another chainrule: its grader/specs, comparison or points)",
}


def _differences(old, new, then="then", now="now"):
    """Words naming how the fingerprint ``old`` differs from ``new`` (``then`` and ``now``:
    how the release's words name the two, e.g. two shards)."""
    def shown(key, value):
        return "per submission" if key == "seed" and value is None else value

    words = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key == "functions" and old.get("release") != new.get("release"):
            continue        # another release grades other functions: "the release" says it
        if key == "release":
            words.append("the release (--release: " + (f"not given {then}, given {now}" if not old.get(key) else
                                                     f"given {then}, not {now}" if not new.get(key) else
                                                     "another release's functions or points") + ")")
        elif key in _SETTING_WORDS:
            words.append(_SETTING_WORDS[key])
        elif key in ("version", "format"):
            words.append(f"the grader version ({old.get(key)} vs {new.get(key)})")
        else:
            words.append(f"{key} {shown(key, old.get(key))} (now {shown(key, new.get(key))})")
    return ", ".join(words)


class _Held:
    """The output folder held by this run (``lock_out``); ``close`` frees it."""

    def __init__(self, fd):
        self.fd = fd

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    __del__ = close     # as an open file's: held as long as the command holds it, freed with it


def lock_out(out):
    """Hold ``out`` for this run (``flock`` on the folder itself, so nothing is written in it:
    a folder refused later, another class's or a stranger's, is left as it was; the lock ends
    with the process). A second grade-all writing the same folder at once is refused."""
    import fcntl

    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise ChainruleError(f"Cannot create the output folder '{out}': {exc.strerror or exc}.") from None
    if not os.path.isdir(out):
        raise ChainruleUsageError(f"--out '{out}' is not a folder; give a folder for the class's results.")
    try:
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ChainruleError(f"Cannot open the output folder '{out}': {exc.strerror or exc}.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise ChainruleError(f"Output folder '{out}' is being written by another chainrule grade-all; "
                             "wait for it to finish or choose another --out.") from None
    return _Held(fd)


def prepare_out(out, info, force):
    """Make or check the output folder; the records already in it that can be kept."""
    os.makedirs(out, exist_ok=True)
    batch_path = os.path.join(out, BATCH)
    results_path = os.path.join(out, RESULTS)
    if force:
        for name in (RESULTS, BATCH):
            if os.path.exists(os.path.join(out, name)):
                os.unlink(os.path.join(out, name))
        _remove_outputs(out)
    elif os.path.exists(batch_path):
        try:
            with open(batch_path, encoding="utf-8") as handle:
                old = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ChainruleError(f"Output folder '{out}' has an unreadable {BATCH} ({exc}); "
                                 "pass --force to start over.") from None
        if old.get("submissions") != info["submissions"]:
            raise ChainruleError(
                f"Output folder '{out}' holds the grades of another class (submissions "
                f"'{old.get('submissions')}'); choose another --out, or pass --force to start over.")
        if old.get("fingerprint") != info["fingerprint"]:
            raise ChainruleError(
                f"Output folder '{out}' was graded with other settings ("
                f"{_differences(old.get('fingerprint') or {}, info['fingerprint'])}); choose another "
                "--out, or pass --force to start over.")
        if old.get("exposure") and not info.get("exposure") and os.path.exists(results_path) \
                and os.path.getsize(results_path):
            # records kept from a run where the reference was readable: the summaries still say so
            info["exposure"] = old["exposure"]
        if old.get("shard") != info["shard"]:
            def show(s):
                return f"shard {s[0]}/{s[1]}" if s else "a whole class (no --shard)"
            raise ChainruleError(f"Output folder '{out}' was graded as {show(old.get('shard'))}, not "
                                 f"{show(info['shard'])}; choose another --out, or pass --force to "
                                 "start over.")
    elif any(not n.startswith(".") for n in os.listdir(out)):
        raise ChainruleError(f"Output folder '{out}' is not empty and was not made by chainrule "
                             "grade-all; choose another --out, or pass --force to write into it.")
    write_atomic(batch_path, json_bytes(info, indent=1, allow_nan=False) + b"\n")
    return read_results(results_path)


OUTPUTS = ("grades.csv", "grades-by-student.csv", "summary.md", "summary.html")


def _remove_outputs(out):
    for name in OUTPUTS:
        path = os.path.join(out, name)
        if os.path.isfile(path):
            os.unlink(path)
    reports = os.path.join(out, "reports")
    if os.path.isdir(reports):
        for name in os.listdir(reports):
            if name.endswith(".md") or name == "index.csv":
                os.unlink(os.path.join(reports, name))


def to_grade(entries, done):
    """The entries whose record is missing, changed (hash) or a grader failure."""
    todo = []
    for entry in entries:
        record = done.get(entry.id)
        if record is None or record.get("hash") != entry.hash or record.get("status") == "error":
            todo.append(entry)
    return todo


def select_shard(entries, shard):
    if not shard:
        return entries
    k, n = shard
    return entries[k - 1::n]


# --------------------------------------------------------------------------- progress
class Progress:
    """A bar on a terminal's stderr (done/total, failures, time left); plain lines otherwise."""

    def __init__(self, total, already, jobs, stream=None):
        self.stream = stream or sys.stderr
        self.tty = is_terminal(self.stream)
        self.total = total
        self.done = 0
        self.already = already
        self.failed = 0         # not graded: with nothing to grade (``nothing``) or the grader failed
        self.nothing = 0
        self.jobs = jobs
        self.started = time.monotonic()
        self.width = 0
        self.drawn = 0.0
        if self.tty and total:
            self._bar()

    def tick(self):
        if self.tty and time.monotonic() - self.drawn >= 1.0:
            self._bar()

    def __call__(self, record):
        self.done += 1
        if record.get("status") != "graded":
            self.failed += 1
            self.nothing += record.get("status") == "ungradable"
        if self.tty:
            self._bar()
        else:
            self.stream.write(f"[{self.done}/{self.total}] {line_for(record)}\n")
            self.stream.flush()

    def _bar(self):
        self.drawn = now = time.monotonic()
        elapsed = now - self.started
        if self.done:
            left = f"{_clock(max(0.0, elapsed / self.done * self.total - elapsed))} left"
        else:
            left = "time left not known yet"
        filled = int(24 * self.done / self.total) if self.total else 24
        failed = (f", {self.nothing} with nothing to grade" if self.nothing else "") + \
                 (f", {self.failed - self.nothing} failed" if self.failed > self.nothing else "")
        line = f"grading [{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total}{failed}, {left}"
        pad = max(0, self.width - len(line))
        self.width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def clear(self):
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def printable(text):
    """Untrusted text for a terminal line: control characters shown as '?'."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


def line_for(record):
    """One line about a finished record (ids are printed with control characters replaced)."""
    ident = printable(record.get("id", "?"))
    if record.get("status") == "graded":
        result = record["result"]
        score = sum(_exact(f) for f in result["functions"])
        total = sum(f["max_score"] for f in result["functions"])
        return f"{ident}: {_num(score)} / {_num(total)} point{'' if total == 1 else 's'}"
    what = "nothing to grade" if record.get("status") == "ungradable" else "grading failed"
    return f"{ident}: {what}: {printable(record.get('note', ''))}"


def _exact(fdata):
    cases = fdata.get("cases") or []
    if not cases:
        return 0.0
    return fdata["max_score"] * sum(1 for c in cases if c["passed"]) / len(cases)


def _num(x):
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


# --------------------------------------------------------------------------- merging shards
def _read_info(folder):
    path = os.path.join(folder, BATCH)
    if not os.path.isdir(folder):
        what = f"'{folder}' is a file, not a shard folder" if os.path.exists(folder) else \
            f"Shard folder '{folder}' does not exist"
        raise ChainruleUsageError(f"{what}; give the --out folders of "
                                  "the shards (chainrule grade-all --shard K/N ... --out FOLDER).")
    try:
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except FileNotFoundError:
        raise ChainruleUsageError(f"Folder '{folder}' is not a grade-all output folder (it has no "
                                  f"{BATCH}); give the --out folders of the shards.") from None
    except (OSError, ValueError) as exc:
        raise ChainruleError(f"Cannot read '{path}': {exc}.") from None
    if not isinstance(info, dict) or "fingerprint" not in info or "entries" not in info:
        raise ChainruleUsageError(f"'{path}' is not a grade-all class file; give the --out folders of the shards.")
    timeout = info["fingerprint"].get("timeout") if isinstance(info["fingerprint"], dict) else None
    if timeout is not None and not valid_timeout(timeout):  # an earlier kit took --timeout inf: no JSON to merge
        raise ChainruleUsageError(f"Shard folder '{folder}' was graded with --timeout {timeout!r}, which this kit "
                                  f"refuses (it takes a finite number of seconds above 0, at most {MAX_TIMEOUT:g}); "
                                  "grade that shard again with a valid --timeout and --force.")
    return info


def _graded_as(record):
    """What a record says of its submission: status, note and each case's outcome (not the
    time it took), for comparing two shards' records of one submission."""
    result = record.get("result") or {}
    return (record.get("status"), record.get("note"),
            [(f.get("qualname"), [(c.get("passed"), c.get("status")) for c in f.get("cases", [])])
             for f in result.get("functions", [])])


def merge(folders, out, force):
    """``(info, records, lock, unfinished, completed)`` of the shard folders of one class
    combined into ``out``; ``unfinished``: the submissions none of them holds, by shard
    (``unfinished``); ``completed``: what the earlier incomplete merge in ``out`` that this one
    replaced had merged (``incomplete_merge``), or None.

    The shards must come from the same class (the same submission ids) and settings; a
    submission graded in several, the graded record wins over a grader failure. ``out`` holding
    grade-all results is refused without ``force``, unless it holds an incomplete merge that
    this one completes (``incomplete_merge``).
    """
    real_out = os.path.realpath(out)
    seen = {}
    for folder in folders:
        real = os.path.realpath(folder)
        if real == real_out:
            raise ChainruleUsageError(f"--out '{out}' is one of the folders to merge; give a new folder.")
        if real in seen:
            if seen[real] == folder:
                raise ChainruleUsageError(f"Shard folder '{folder}' is given twice; give each shard once.")
            raise ChainruleUsageError(f"Shard folders '{seen[real]}' and '{folder}' are the same folder; give "
                                      "each shard once.")
        seen[real] = folder
    infos = [_read_info(folder) for folder in folders]
    shards = {}
    for folder, info in zip(folders, infos):
        shard = info.get("shard")
        if shard and tuple(shard) in shards:
            raise ChainruleUsageError(f"Shard folders '{shards[tuple(shard)]}' and '{folder}' are both shard "
                                      f"{shard[0]}/{shard[1]}; give each shard once.")
        if shard:
            shards[tuple(shard)] = folder
    splits = {}     # shard count: a folder of that split (None: a whole class's run)
    for folder, info in zip(folders, infos):
        shard = info.get("shard")
        splits.setdefault(shard[1] if shard else None, folder)
    if len(splits) > 1:
        (a, fa), (b, fb) = list(splits.items())[:2]

        def said(n, f):
            return f"'{f}' is a whole run (no --shard)" if n is None else f"'{f}' is a shard of {n}"

        raise ChainruleUsageError(f"{said(a, fa)} and {said(b, fb)}; give the shards of one split (--shard K/N "
                                  "with the same N), each once.")
    first = infos[0]
    for folder, info in zip(folders[1:], infos[1:]):
        # folders that are not shards of one run are the wrong folders given (exit 2), as a shard
        # and a whole run are
        if info["fingerprint"] != first["fingerprint"]:
            raise ChainruleUsageError(
                f"Shard folder '{folder}' was graded with other settings than '{folders[0]}' ("
                f"{_differences(first['fingerprint'], info['fingerprint'], f'for {folders[0]!r}', f'for {folder!r}')}); "
                "only shards of one run merge.")
        if set(info["entries"]) != set(first["entries"]):
            only_here = sorted(set(info["entries"]) ^ set(first["entries"]))
            raise ChainruleUsageError(
                f"Shard folder '{folder}' was graded from other submissions than '{folders[0]}' "
                f"({len(only_here)} ids differ, e.g. '{printable(only_here[0])}'); only shards of one "
                "class merge.")
        if info.get("metadata") != first.get("metadata"):
            # whose grade is whose would be a guess; each shard reads the file anew when run again
            raise ChainruleError(
                f"Shard folders '{folders[0]}' and '{folder}' read {METADATA} differently (it changed between "
                "their runs, or one of them could not read it); run each shard's command again (nothing is "
                "graded again: each reads the file as it is now), then merge again.")
    records, origin = {}, {}
    for folder, info in zip(folders, infos):
        for ident, record in read_results(os.path.join(folder, RESULTS)).items():
            if ident not in first["entries"] or record.get("hash") != info["entries"].get(ident):
                continue            # a submission no longer in the class, or changed since
            old = records.get(ident)
            if old is None or (old.get("status") == "error" and record.get("status") != "error"):
                records[ident] = record
                origin[ident] = folder
            elif record.get("status") != "error" and _graded_as(record) != _graded_as(old):
                raise ChainruleError(
                    f"Submission '{printable(ident)}' was graded differently in '{origin[ident]}' and '{folder}'; "
                    "merge the shards of one run, each once.")
    merged = dict(first)
    merged["shard"] = None
    exposed = next((info["exposure"] for info in infos if info.get("exposure")), None)
    if exposed:     # a shard graded where the reference was readable: the merge says so
        merged["exposure"] = exposed
    merged["entries"] = {i: records[i]["hash"] if i in records else h for i, h in first["entries"].items()}
    # what was merged, so that a later merge knows this folder for an (incomplete) merge
    merged["merged"] = sorted(({"folder": os.path.realpath(folder), "shard": info.get("shard")}
                               for folder, info in zip(folders, infos)),
                              key=lambda s: (s["shard"] or [0, 0], s["folder"]))
    lock = lock_out(out)
    try:
        completed = None
        if not force and any(os.path.exists(os.path.join(out, name)) for name in (BATCH, RESULTS)):
            # a merge writes a whole class's results anew: another run's (a whole class graded
            # there, a complete merge) are not replaced without --force; an incomplete merge of
            # this class is, by a merge that holds all it held (it only completes it)
            completed = incomplete_merge(out, merged, records)
            if completed is None:
                raise ChainruleError(f"Output folder '{out}' already holds grade-all results; give the merge a new "
                                     "--out, or pass --force to replace them.")
        prepare_out(out, merged, force)
    except BaseException:       # refused: the folder is free again at once
        lock.close()
        raise
    lines = b"".join(json_bytes(records[i]) + b"\n" for i in sorted(records))
    write_atomic(os.path.join(out, RESULTS), lines)
    return merged, records, lock, unfinished(first, shards, records), completed


def _merged_source(source):
    """What identifies a folder an earlier merge took: its shard (K, N), or for a whole run its
    folder (None when ``source`` is not what ``merge`` writes)."""
    if not isinstance(source, dict):
        return None
    shard = source.get("shard")
    if shard:
        return ("shard", tuple(shard)) if isinstance(shard, list) else None
    folder = source.get("folder")
    return ("run", folder) if isinstance(folder, str) else None


def incomplete_merge(out, info, records):
    """The sources (``info["merged"]``'s entries) of the earlier merge in ``out`` that the merge
    ``info`` (giving ``records``) may replace without ``--force``, or None when it may not.

    It may when all of this holds, so that replacing it loses nothing and only completes it:
    ``out`` was written by a merge (its batch.json lists what was merged; a whole class graded
    there, a shard, or a folder an earlier kit merged into, list nothing); of the same class
    (the submissions folder, every setting, the same ids); incomplete (a submission without a
    record, or one the grader failed on: what the merge's failure said to "merge again" for);
    of a subset of this merge's shards (the same K/N; for whole runs, the same folders); and
    every submission it graded is graded in this merge too."""
    try:
        with open(os.path.join(out, BATCH), encoding="utf-8") as handle:
            old = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(old, dict) or not isinstance(old.get("merged"), list) or not old["merged"]:
        return None
    if (old.get("tool") != info.get("tool") or old.get("submissions") != info["submissions"]
            or old.get("fingerprint") != info["fingerprint"] or not isinstance(old.get("entries"), dict)
            or set(old["entries"]) != set(info["entries"])):
        return None
    before = read_results(os.path.join(out, RESULTS))
    if all(before.get(i, {}).get("status") not in (None, "error") for i in old["entries"]):
        return None     # complete: replacing it is a choice to make with --force
    ours = {_merged_source(source) for source in info["merged"]}
    if not all(_merged_source(source) in ours for source in old["merged"]):
        return None
    for ident, record in before.items():
        if record.get("status") != "error" and (records.get(ident) or {}).get("status") in (None, "error"):
            return None     # graded there and not here: replacing it would lose that grade
    return old["merged"]


def unfinished(info, shards, records):
    """``[(shard, folder, ids)]``: the class's submissions (``info``) no record holds, by the
    shard that grades them (``(K, N)``; ``None``: a whole run) and that shard's folder (``shards``:
    ``{(K, N): folder}``; ``None``: not given), in shard order. ``--shard K/N`` grades the ids at
    positions K, K+N, ... in sorted order (``select_shard``): that is whose they are."""
    ids = sorted(info["entries"])       # the order of discover(), which select_shard cuts
    split = next((n for _, n in shards), None)
    groups = {}
    for position, ident in enumerate(ids):
        if ident in records:
            continue
        shard = (position % split + 1, split) if split else None
        groups.setdefault(shard, []).append(ident)
    return [(shard, shards.get(shard) if shard else None, found) for shard, found in sorted(
        groups.items(), key=lambda item: item[0] or (0, 0))]
