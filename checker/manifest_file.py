"""The manifest.json format: written by ``chainrule generate``, read by ``chainrule check
--manifest`` and by ``generate --force`` (which files an earlier set wrote).

This module is the format's only owner (``FORMAT``). A manifest lists the kit version,
the options, the sheet mode and the course secret's fingerprint (never the secret), and
per student the problems (key, family, occurrence, variant) and the files written.
Standard library only.
"""

from __future__ import annotations

import json
import os
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


def set_lang(path) -> str:
    """The language of the generated set ``path`` (a file or folder, which need not exist) lies
    in: "ko" or "en" as the manifest.json of the nearest of its three folders up (and of
    ``path`` itself, a folder) that holds one written by chainrule says (students/<id>/answers.toml,
    keys/<id>/key.md, students/, the set's folder), else "". What ``chainrule check`` says a file it cannot read in (trial 19)."""
    here = Path(os.path.abspath(path))
    for folder in ([here] if here.is_dir() else []) + list(here.parents)[:3]:
        candidate = folder / FILE_NAME
        try:
            if not candidate.is_file():
                continue
            with candidate.open("rb") as handle:
                raw = handle.read(_MAX_MANIFEST + 1)
            data = json.loads(raw.decode("utf-8")) if len(raw) <= _MAX_MANIFEST else None
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("kit") == "chainrule":
            return "ko" if data.get("lang") == "ko" else "en"
    return ""


#: the largest manifest.json ``set_lang`` reads (a class of 1000 students is about 1 MB)
_MAX_MANIFEST = 20_000_000


def against(sheet, manifest: Manifest, source: str) -> None:
    """Refuse (one-line ChainruleError) an answers file (a ``checker.answers_file.Sheet``)
    whose student, course seed, preset or list of problems and variants is not exactly
    the manifest's for that student; in Korean for a Korean sheet."""
    from checker.messages import MODES_EN, MODES_KO, message

    lang = "ko" if sheet.lang == "ko" else "en"
    student = sheet.student_id
    if student not in manifest.students:
        raise ChainruleError(message(lang, "not_in_manifest", source=source, student=student, manifest=manifest.path))
    who = {"source": source, "student": student}
    if sheet.mode != manifest.mode:     # said before what follows from it (seed, secret)
        practice = sheet.mode == "practice"
        raise ChainruleError(message(
            lang, "other_mode", **who, manifest=manifest.path, kind=MODES_EN.get(sheet.mode, sheet.mode),
            kind_ko=MODES_KO.get(sheet.mode, f"'{sheet.mode}' 문제지"), mode=manifest.mode,
            mode_ko=MODES_KO.get(manifest.mode, f"'{manifest.mode}' 문제지"),
            why=message("en", "other_mode_why") if practice else ".",
            why_ko=message("ko", "other_mode_why") if practice else "."))
    if sheet.course_seed != manifest.course_seed:
        raise ChainruleError(message(lang, "other_seed", **who, seed=sheet.course_seed, given=manifest.course_seed))
    if sheet.preset != manifest.preset:
        raise ChainruleError(message(lang, "other_preset", **who, preset=sheet.preset or "none",
                                     given=manifest.preset or "none", preset_ko=sheet.preset or "없음",
                                     given_ko=manifest.preset or "없음"))
    if (sheet.secret or None) != (manifest.secret or None):
        raise ChainruleError(message(lang, "other_secret", **who))
    listed, given = sheet.listed(), manifest.students[student]
    if len(listed) != len(given):
        fewer = len(listed) < len(given)
        raise ChainruleError(message(lang, "other_count", **who, n=len(listed), given=len(given),
                                     what="removed from" if fewer else "added to",
                                     what_ko="[chainrule] 섹션에서 문제가 지워졌다" if fewer
                                     else "[chainrule] 섹션에 문제가 더해졌다"))
    for number, (mine, theirs) in enumerate(zip(listed, given), start=1):
        if tuple(mine) != tuple(theirs) and tuple(mine[:3]) == tuple(theirs[:3]):  # only the variant differs
            raise ChainruleError(message(lang, "other_variant", **who, number=number, key=mine[0], family=mine[1],
                                         variant=mine[3], given=theirs[3]))
        if tuple(mine) != tuple(theirs):
            raise ChainruleError(message(
                lang, "other_problem", **who, number=number, key=mine[0], family=mine[1], variant=mine[3],
                occurrence=mine[2], key2=theirs[0], family2=theirs[1], variant2=theirs[3], occurrence2=theirs[2]))
