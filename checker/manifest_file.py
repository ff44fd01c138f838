"""The manifest.json format: written by ``chainrule generate``, read by ``chainrule check
--manifest`` and by ``generate --force`` (which files an earlier set wrote).

This module is the format's only owner (``FORMAT``). A manifest lists the kit version,
the options, the sheet mode and the course secret's fingerprint (never the secret), and
per student the problems (key, family, occurrence, variant) and the files written.
Standard library only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from chainrule_core import __version__
from chainrule_core.errors import ChainruleError, ChainruleUsageError

#: The layout written and read here ("format" in manifest.json).
FORMAT = 2
FILE_NAME = "manifest.json"

Listed = Tuple[str, str, int, str]  # (key, family, occurrence, variant)


@dataclass
class Manifest:
    """What checking needs of a manifest: per student id the problems in sheet order."""

    path: str
    course_seed: int
    preset: Optional[str]
    students: Dict[str, List[Listed]]
    names: Dict[str, str]
    mode: str = "open"
    secret: Optional[str] = None
    #: students off the roster since (``generate --update``): their files are kept and checked
    #: when handed in, but they are not missing when not
    removed: frozenset = frozenset()
    #: the sheets' language (``generate --lang``): what ``chainrule notebook --manifest`` writes
    #: your_worksheet.ipynb in when no --lang is given
    lang: str = "en"


def dumps(*, seed: int, families: Sequence[str], formats: Sequence[str], lang: str, preset: Optional[str],
          problems: int, mode: str, secret: Optional[str], answers_file: str,
          students: Sequence[Dict[str, Any]]) -> str:
    """manifest.json; ``students`` are {"id", "name", "problems": [{"key", "family",
    "occurrence", "variant"}], "files"}. Sorted keys, so the same set gives the same bytes."""
    data = {
        "kit": "chainrule",
        "format": FORMAT,
        "kit_version": __version__,
        "course_seed": seed,
        "families": list(families),
        "formats": list(formats),
        "lang": lang,
        "preset": preset,
        "mode": mode,
        "secret": secret,
        "problems_per_sheet": problems,
        "layout": {
            "worksheets": "students/<id>/worksheet.<format>",
            "answers": f"students/<id>/{answers_file}",
            "keys": "keys/<id>/key.<format>",
        },
        "students": list(students),
    }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _what_it_is(raw: bytes) -> str:
    """What a --manifest file that is not JSON looks like, in plain words (no decoder jargon:
    "Unexpected UTF-8 BOM (decode using utf-8-sig)", trial 18a): a roster or another CSV
    file given for the manifest (its first line holds a comma, semicolon or tab), else
    "not JSON"."""
    text = raw.decode("utf-8-sig", errors="replace").lstrip()
    first = text.splitlines()[0] if text else ""
    if first and not first.startswith(("{", "[")) and any(sep in first for sep in ",;\t"):
        return "it is not JSON but looks like a CSV file, such as the class roster"
    return "it is not JSON"


def load(path) -> Manifest:
    """Read a manifest.json; a one-line ChainruleUsageError (a bad --manifest is a bad
    invocation) when it is not one."""
    path = Path(path)
    bad = f"'{path}' is not a manifest.json written by chainrule generate"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChainruleUsageError(f"Cannot read the manifest '{path}': {exc.strerror or exc}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ChainruleUsageError(f"{bad} ({_what_it_is(raw)}); give the manifest.json of the class.") from None
    if isinstance(data, dict) and data.get("format", FORMAT) != FORMAT:
        raise ChainruleUsageError(
            f"{bad} in format {FORMAT} (it is format {data.get('format')!r}); check with the chainrule version that "
            "made it."
        )
    try:
        seed = data["course_seed"]
        preset = data.get("preset")
        students, names, removed = {}, {}, set()
        for student in data["students"]:
            students[student["id"]] = [
                (p["key"], p["family"], p.get("occurrence", 0), p["variant"]) for p in student["problems"]
            ]
            names[student["id"]] = student.get("name") or ""
            if student.get("removed") is True:
                removed.add(student["id"])
        if not isinstance(seed, int) or isinstance(seed, bool) or not (preset is None or isinstance(preset, str)):
            raise TypeError
    except (KeyError, TypeError, AttributeError):
        raise ChainruleUsageError(
            f"{bad} (it has no course_seed, preset and students with their problems); give the manifest.json of the class."
        ) from None
    secret = data.get("secret")
    lang = data.get("lang")
    return Manifest(str(path), seed, preset, students, names, data.get("mode", "open"),
                    secret if isinstance(secret, str) else None, frozenset(removed),
                    lang if isinstance(lang, str) else "en")


def previous_files(out: Path) -> List[str]:
    """The files an earlier run listed in ``out``'s manifest.json (relative paths, sorted).

    Only plain relative paths inside ``out`` count; a missing, unreadable or foreign
    manifest gives none, so nothing the kit did not write is ever a candidate."""
    try:
        data = json.loads((out / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("kit") != "chainrule" or not isinstance(data.get("students"), list):
        return []
    found = {FILE_NAME}
    for student in data["students"]:
        files = student.get("files") if isinstance(student, dict) else None
        for name in files if isinstance(files, list) else []:
            if not isinstance(name, str) or "\\" in name:
                continue
            parts = name.split("/")
            if name.startswith("/") or any(part in ("", ".", "..") for part in parts) or ":" in parts[0]:
                continue
            found.add(name)
    return sorted(found)


def against(sheet, manifest: Manifest, source: str) -> None:
    """Refuse (one-line ChainruleError) an answers file (a ``checker.answers_file.Sheet``)
    whose student, course seed, preset or list of problems and variants is not exactly
    the manifest's for that student."""
    student = sheet.student_id
    if student not in manifest.students:
        raise ChainruleError(
            f"'{source}' is the answers file of '{student}', who is not a student of the manifest "
            f"'{manifest.path}': it belongs to another class or its [chainrule] table was edited."
        )
    who = f"'{source}' of {student}"
    if sheet.mode != manifest.mode:     # said before what follows from it (seed, secret)
        one = {"practice": "a practice sheet", "graded": "a graded sheet", "open": "an open sheet"}
        raise ChainruleError(
            f"{who} is {one.get(sheet.mode, sheet.mode)}, the manifest '{manifest.path}' lists "
            f"{manifest.mode} sheets: it belongs to another set"
            + (" (a student checks a practice sheet with chainrule check alone)." if sheet.mode == "practice" else "."))
    if sheet.course_seed != manifest.course_seed:
        raise ChainruleError(
            f"{who} has course seed {sheet.course_seed}, the manifest gives {manifest.course_seed}: "
            "its [chainrule] table was edited or it belongs to another class."
        )
    if sheet.preset != manifest.preset:
        raise ChainruleError(
            f"{who} has preset {sheet.preset or 'none'}, the manifest gives {manifest.preset or 'none'}: "
            "it is not the sheet this student was given."
        )
    if (sheet.secret or None) != (manifest.secret or None):
        raise ChainruleError(
            f"{who} was made with another course secret than the manifest's (or none): it belongs to another class "
            "or its [chainrule] table was edited."
        )
    listed, given = sheet.listed(), manifest.students[student]
    if len(listed) != len(given):
        what = "removed from" if len(listed) < len(given) else "added to"
        raise ChainruleError(
            f"{who} lists {len(listed)} problems, the manifest gives {len(given)}: problems were {what} its "
            "[chainrule] table."
        )
    for number, (mine, theirs) in enumerate(zip(listed, given), start=1):
        if tuple(mine) != tuple(theirs) and tuple(mine[:3]) == tuple(theirs[:3]):  # only the variant differs
            raise ChainruleError(
                f"{who} gives problem {number} ('{mine[0]}', {mine[1]}) as variant {mine[3]}, but the manifest's "
                f"variant for this student is {theirs[3]}: its [chainrule] table was edited, or the file is "
                "another student's."
            )
        if tuple(mine) != tuple(theirs):
            raise ChainruleError(
                f"{who} gives problem {number} as '{mine[0]}' ({mine[1]} variant {mine[3]}, occurrence {mine[2]}), "
                f"the manifest gives '{theirs[0]}' ({theirs[1]} variant {theirs[3]}, occurrence {theirs[2]}): "
                "its [chainrule] table was edited."
            )
