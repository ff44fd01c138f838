"""The answers.toml format: written by ``chainrule generate``, read by ``chainrule check``.

This module is the format's only owner: ``dumps`` writes it (``generator.worksheets``
calls it with plain strings, so nothing here needs sympy or jinja2) and ``read`` /
``parse`` read it back. Layout (``FORMAT`` 2)::

    [chainrule]                 format, kit_version, student_id, student_name, course_seed,
                                lang, preset, mode ("open", "graded" or "practice"),
                                secret (the course secret's fingerprint, graded sheets),
                                practice_scheme (practice sheets: the hashes' format,
                                ``checker.practice.SCHEME``; an older one is refused),
                                problems (the keys, in sheet order)
    [chainrule.variants.<key>]  family, occurrence, variant, title
    [<key>]                     one blank per question: <question key> = ""
    [chainrule.practice.<key>]  practice sheets only: salt, and per question what
                                ``checker.practice`` needs to judge it (salted hashes)

An "open" sheet is checked by rebuilding its problems from the course seed; a "graded"
one needs the instructor's course secret to rebuild them; a "practice" one is judged
from the hashes alone (no sympy needed).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from chainrule_core import __version__
from chainrule_core.errors import ChainruleError
from checker.messages import KINDS_KO, READ_REASONS_KO, SPECIAL_KO, message
from checker.reading import shown, toml_string

#: The layout written and read here (``format = 2`` in the [chainrule] table).
FORMAT = 2
#: The largest course seed a sheet is made with: ``course_seed`` is a TOML integer, which must
#: fit in a signed 64-bit integer (TOML tools other than Python's refuse a larger one).
MAX_COURSE_SEED = 2 ** 63 - 1
FILE_NAME = "answers.toml"
#: a filled answers file ``chainrule generate --force`` moved aside before replacing it
#: (answers.filled-<n>.toml): kept beside the new one, never a hand-in
SET_ASIDE_NAME = "answers.filled-{}.toml"


def set_aside(name: str) -> bool:
    """Whether the file ``name`` is such a set-aside copy."""
    head, _, tail = SET_ASIDE_NAME.partition("{}")
    middle = name[len(head):len(name) - len(tail)] if name.startswith(head) and name.endswith(tail) else ""
    return middle.isdigit() and middle.isascii()
MODES = ("open", "graded", "practice")
#: The largest answers file read (a practice sheet of 13 problems is about 40 kB).
MAX_BYTES = 2_000_000


@dataclass
class Blank:
    """One question as the answers file lists it."""

    key: str
    kind: str  # number, integer, choice
    prompt: str = ""  # plain text, for the comment above the blank
    choices: List[str] = field(default_factory=list)
    #: practice sheets: what checker.practice needs to judge this blank
    practice: Optional[Dict[str, Any]] = None


@dataclass
class Entry:
    """One problem of the sheet."""

    key: str
    family: str
    occurrence: int
    variant: str
    title: str = ""
    blanks: List[Blank] = field(default_factory=list)
    salt: str = ""  # practice sheets


@dataclass
class Sheet:
    """What an answers file says about its student and problems (not the answers)."""

    student_id: str
    course_seed: int
    lang: str = "en"
    student_name: str = ""
    preset: Optional[str] = None
    mode: str = "open"
    secret: Optional[str] = None  # fingerprint of the course secret
    kit_version: str = __version__
    entries: List[Entry] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    @property
    def keys(self) -> List[str]:
        return [e.key for e in self.entries]

    def listed(self):
        """(key, family, occurrence, variant) per problem, as the manifest lists them."""
        return [(e.key, e.family, e.occurrence, e.variant) for e in self.entries]


# --- writing -------------------------------------------------------------------------

def _comment(text: str) -> str:
    return " ".join(text.split())


def _inline(value: Any) -> str:
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} into answers.toml")


KINDS_EN = {"number": "number", "integer": "integer", "choice": "choice: one of {choices}"}


def dumps(sheet: Sheet, header: Sequence[str], problem_word: str = "Problem", kinds=None) -> str:
    """The answers template: ``header`` comment lines, identification, then one named
    blank per question (its kind named in the sheet's language: ``kinds`` maps number,
    integer and choice to words), and for a practice sheet the tables that judge them."""
    kinds = kinds or KINDS_EN
    from checker.report import letter

    lines = ["# " + line.replace("\n", " ") for line in header] + [
        "",
        "[chainrule]",
        f"format = {FORMAT}",
        f"kit_version = {toml_string(sheet.kit_version)}",
        f"student_id = {toml_string(sheet.student_id)}",
    ]
    if sheet.student_name:
        lines.append(f"student_name = {toml_string(sheet.student_name)}")
    lines += [f"course_seed = {sheet.course_seed}", f"lang = {toml_string(sheet.lang)}"]
    if sheet.preset:
        lines.append(f"preset = {toml_string(sheet.preset)}")
    lines.append(f"mode = {toml_string(sheet.mode)}")
    if sheet.mode == "practice":
        from checker import practice

        lines.append(f"practice_scheme = {toml_string(practice.SCHEME)}")
    if sheet.secret:
        lines.append(f"secret = {toml_string(sheet.secret)}")
    lines.append("problems = [" + ", ".join(toml_string(e.key) for e in sheet.entries) + "]")
    for e in sheet.entries:
        lines += [
            "",
            f"[chainrule.variants.{e.key}]",
            f"family = {toml_string(e.family)}",
            f"occurrence = {e.occurrence}",
            f"variant = {toml_string(e.variant)}",
            f"title = {toml_string(_comment(e.title))}",
        ]
    for number, e in enumerate(sheet.entries, start=1):
        lines += ["", f"# {problem_word} {number}. {_comment(e.title)}", f"[{e.key}]"]
        for i, b in enumerate(e.blanks):
            if b.kind == "choice":
                kind = kinds["choice"].format(choices=", ".join(toml_string(c) for c in b.choices))
            else:
                kind = kinds.get(b.kind, b.kind)
            lines.append(f"# {letter(i)}) {_comment(b.prompt)}  [{kind}]")
            lines.append(f'{b.key} = ""')
    if sheet.mode == "practice":
        lines += ["", "# What chainrule check needs to judge your answers (salted hashes, no answers): do not edit."]
        for e in sheet.entries:
            lines += ["", f"[chainrule.practice.{e.key}]", f"salt = {toml_string(e.salt)}"]
            for b in e.blanks:
                lines.append(f"{b.key} = {_inline(b.practice or {})}")
    return "\n".join(lines) + "\n"


# --- reading -------------------------------------------------------------------------

def _other_kind(path, raw) -> str:
    """What a file handed to check is when it is plainly not an answers file (a sheet, a key,
    a PDF, a manifest), in words; "" otherwise (its TOML then says what is wrong)."""
    name = path.name.lower()
    if raw.startswith(b"%PDF"):
        return "a PDF (a printed worksheet or answer key)"
    if name.startswith("key.") or name.endswith(("key.md", "key.html", "key.tex")):
        return "an answer key"
    if name.endswith((".md", ".html", ".htm", ".tex")):
        return "a worksheet (or another document)"
    if name.endswith(".json") and b'"students"' in raw and b'"course_seed"' in raw:
        return MANIFEST_KIND
    return ""


MANIFEST_KIND = "a generated set's manifest"


def read(path, fallback: Optional[Callable[[], str]] = None) -> Dict[str, Any]:
    """The parsed answers file; a one-line ChainruleError for anything unreadable, in Korean
    for a file of a Korean sheet (its ``lang = "ko"`` line) or, when the file does not say
    (it cannot be read, it has no such line), when ``fallback()`` says "ko" (the language of
    the --manifest or of the set the file lies in: ``checker.check.reading_lang``)."""
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

    def lang(text: Optional[str] = None) -> str:
        found = line_value(text, "lang") if text is not None else ""
        if not found and fallback is not None:
            found = fallback()
        return "ko" if found == "ko" else "en"

    try:
        raw = read_regular(path)
    except IsADirectoryError:
        raise ChainruleError(message(lang(), "is_folder", path=path)) from None
    except NotAFile as exc:
        raise ChainruleError(message(lang(), "not_regular", path=path, kind=exc.kind,
                                     kind_ko=SPECIAL_KO.get(exc.kind, exc.kind))) from None
    except OSError as exc:
        code = errno.errorcode.get(exc.errno or 0, "")
        said = lang()
        reason = (READ_REASONS_KO.get(code) if said == "ko" else None) or exc.strerror or exc
        raise ChainruleError(message(said, "cannot_read", path=path, reason=reason)) from None
    what = _other_kind(path, raw)
    if what == MANIFEST_KIND:
        raise ChainruleError(message(lang(_manifest_lang(raw)), "manifest_given", path=path, what=what))
    if what:
        raise ChainruleError(message(lang(), "other_kind", path=path, what=what, what_ko=KINDS_KO[what]))
    if len(raw) > MAX_BYTES:
        raise ChainruleError(message(lang(raw.decode("utf-8", errors="replace")), "too_large", path=path,
                                     mb=MAX_BYTES // 1_000_000))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ChainruleError(message(lang(raw.decode("utf-8", errors="replace")), "not_utf8", path=path, line=line,
                                     hint=_cp949_hint(raw))) from None
    if text.startswith("\ufeff"):     # a byte-order mark (Windows Notepad's UTF-8): not TOML, not an answer
        text = text[1:]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        korean = lang(text) == "ko"    # a Korean sheet's student reads the rest of check in Korean
        twice = _repeated_key(text, str(exc))
        if twice:
            key, first, again = twice
            if korean:
                raise ChainruleError(f"'{path}'에 {key} 키가 두 번 있다({first}번째 줄과 {again}번째 줄); 답을 쓴 "
                                     "줄 하나만 남기시오.") from None
            raise ChainruleError(f"'{path}' gives {key} twice (lines {first} and {again}); keep the line with "
                                 "your answer and delete the other.") from None
        if korean:
            raise ChainruleError(f"'{path}'의 TOML 문법이 틀렸다: {_where_ko(exc)}; 답은 따옴표 안에 쓴다. "
                                 "예: z_1 = \"0.165\"") from None
        reason = re.sub(r"^Illegal character '\\n'", "a quote is left open at the end of the line", str(exc))
        raise ChainruleError(
            f"'{path}' is not valid TOML: {reason}; answers go between quotes, e.g. z_1 = \"0.165\"."
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5000 digits
        reason = str(exc).split("\n")[0] or type(exc).__name__
        if lang(text) == "ko":
            raise ChainruleError(f"'{path}': TOML로 읽을 수 없다({reason}); 답은 따옴표 안에 쓴다. "
                                 "예: z_1 = \"0.165\"") from None
        raise ChainruleError(
            f"'{path}' cannot be read as TOML ({reason}); answers go between quotes, e.g. z_1 = \"0.165\"."
        ) from None


def _manifest_lang(raw: bytes) -> str:
    """A manifest.json given as an answers file: its own ``"lang": "ko"`` as a line ``line_value``
    reads (``lang = "ko"``), so that it says which language it is in; else ""."""
    found = re.search(rb'"lang"\s*:\s*"(\w+)"', raw[:MAX_BYTES])
    return f'lang = "{found.group(1).decode("ascii", "replace")}"' if found else ""


def _cp949_hint(raw: bytes) -> str:
    """For a file that is not UTF-8 but reads as CP949 with Hangul in it (Korean Windows'
    encoding: how a Korean student's edit most often breaks the file, trial 18a), a short
    Korean hint how to save it again; else ""."""
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        return ""
    if not any("\uac00" <= c <= "\ud7a3" for c in text):
        return ""
    return " (CP949로 저장된 파일이다: 메모장의 '다른 이름으로 저장'에서 인코딩을 UTF-8로 고르시오)"


def read_regular(path: Path) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of the regular file ``path``. A FIFO or a device is
    refused without being read (session 9's attack: a FIFO among a class's answers files
    stopped ``chainrule check`` forever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise NotAFile(path, _KINDS.get(stat.S_IFMT(mode), "a special file"))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = None
            return handle.read(MAX_BYTES + 1)
    finally:
        if fd is not None:
            os.close(fd)


class NotAFile(ChainruleError):
    """``read_regular``'s refusal of a FIFO, a device or a socket; ``kind`` says which."""

    def __init__(self, path, kind: str):
        super().__init__(message("en", "not_regular", path=path, kind=kind))
        self.kind = kind


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def _repeated_key(text: str, reason: str):
    """(key, first line, repeated line) when tomllib refused ``text`` for a key given twice
    ("Cannot overwrite a value (at line 113, column 17)"), else None."""
    found = re.match(r"Cannot (?:overwrite|declare) .*\(at line (\d+), column \d+\)", reason)
    if not found:
        return None
    lines = text.split("\n")
    number = int(found.group(1))
    if not 1 <= number <= len(lines):
        return None
    key = re.match(r'\s*([A-Za-z0-9_-]+|"[^"\n]*")\s*=', lines[number - 1])
    if not key:
        return None
    name = key.group(1)
    pattern = re.compile(r"\s*%s\s*=" % re.escape(name))
    for i in range(number - 1, 0, -1):     # the same table: back to its [header]
        if pattern.match(lines[i - 1]):
            return name, i, number
        if lines[i - 1].lstrip().startswith("["):
            return None
    return None


def line_value(text: str, key: str) -> str:
    """The value of the one ``key = "..."`` line of ``text``, a file that is not valid TOML (a
    hand edit broke another line), or "" when there is none or the lines disagree."""
    found = re.findall(r'^[ \t]*%s[ \t]*=[ \t]*"([^"\\\r\n]{1,200})"[ \t]*(?:#.*)?$' % re.escape(key), text,
                       re.MULTILINE)
    return found[0] if len(set(found)) == 1 else ""


#: tomllib's reasons an edited answers file meets most, in Korean (any other stays as tomllib says it)
_TOML_KO = (
    (r"^Invalid value", "값을 읽을 수 없다"),
    (r"^Expected newline or end of document after a statement", "값 뒤에 다른 글자가 있다(한 줄에 값 하나)"),
    (r"^Unterminated string", "따옴표가 닫히지 않았다"),
    (r"^Illegal character '\\n'", "따옴표가 닫히지 않았다"),     # a quote left open at the line's end
    (r"^Expected '=' after a key in a key/value pair", "키 뒤에 '='가 없다"),
    (r"^Cannot declare (.+) twice", r"같은 섹션이 두 번 나온다: \1"),
    (r"^Invalid statement", "읽을 수 없는 줄이다"),
)


def _where_ko(exc) -> str:
    """tomllib's reason in Korean where it is a common one, and its place: "Invalid value
    (at line 1, column 10)" -> "값을 읽을 수 없다 (1번째 줄, 10번째 글자)"."""
    text = str(exc)
    for pattern, korean in _TOML_KO:
        text, found = re.subn(pattern, korean, text, count=1)
        if found:
            break
    return re.sub(r"\(at line (\d+), column (\d+)\)", r"(\1번째 줄, \2번째 글자)", text)


def meta_error(source: str, what: str, lang: str = "en", what_ko: str = "") -> ChainruleError:
    """``source``'s [chainrule] tables are not as generate wrote them; in Korean for a Korean
    sheet when ``what_ko`` says what in Korean."""
    if lang == "ko" and what_ko:
        return ChainruleError(
            f"'{source}'에 {what_ko}: chainrule generate가 쓴 answers.toml을 확인하시오 ([chainrule] 섹션은 쓰인 그대로 "
            "두어야 한다; 답의 이름을 바꾸어 쓰는 찾아 바꾸기가 그 섹션까지 바꾸었을 수 있다)."
        )
    return ChainruleError(
        f"'{source}' has {what}; check the answers.toml that chainrule generate wrote (its [chainrule] tables must "
        "stay as they were)."
    )


def _require(meta: dict, name: str, kind, source: str):
    value = meta.get(name)
    if value is None:
        raise meta_error(source, f"no '{name}' in its [chainrule] table")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise meta_error(source, f"an invalid '{name}' ({shown(value)}) in its [chainrule] table")
    return value


def parse(data: Dict[str, Any], source: str = FILE_NAME) -> Sheet:
    """The identification of a parsed answers file; a one-line ChainruleError when its
    [chainrule] tables are missing or broken (not whether the variants are genuine:
    ``checker.check`` rebuilds them, or the practice hashes judge them)."""
    meta = data.get("chainrule")
    if not isinstance(meta, dict):
        raise meta_error(source, "no [chainrule] table")
    version = meta.get("format", FORMAT)
    if version != FORMAT:
        raise ChainruleError(
            f"'{source}' is answers format {shown(version)}, but this chainrule ({__version__}) reads format "
            f"{FORMAT}; check it with the chainrule version that made it."
        )
    seed = _require(meta, "course_seed", int, source)
    if seed < 0:
        raise meta_error(source, f"an invalid 'course_seed' ({seed}) in its [chainrule] table")
    student = _require(meta, "student_id", str, source)
    keys = _require(meta, "problems", list, source)
    variants = _require(meta, "variants", dict, source)
    if not keys or not all(isinstance(k, str) for k in keys) or len(set(keys)) != len(keys):
        raise meta_error(source, "an invalid 'problems' list in its [chainrule] table")
    mode = meta.get("mode", "open")
    if mode not in MODES:
        raise meta_error(source, f"an invalid 'mode' ({shown(mode)}) in its [chainrule] table")
    secret = meta.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise meta_error(source, f"an invalid 'secret' ({shown(secret)}) in its [chainrule] table")
    if mode == "graded" and not secret:
        raise meta_error(source, "no 'secret' fingerprint for a graded sheet in its [chainrule] table")
    preset = meta.get("preset")
    if preset is not None and not isinstance(preset, str):
        raise meta_error(source, f"an unknown preset {shown(preset)}")
    kit = meta.get("kit_version", "unknown")
    name = meta.get("student_name", "")
    sheet = Sheet(
        student_id=student, course_seed=seed, lang=meta.get("lang", "en"),
        student_name=name if isinstance(name, str) else "", preset=preset, mode=mode, secret=secret,
        kit_version=kit if isinstance(kit, str) else str(kit),
    )
    practice = meta.get("practice") if mode == "practice" else None
    if mode == "practice" and not isinstance(practice, dict):
        raise meta_error(source, "no [chainrule.practice] tables for a practice sheet")
    if mode == "practice" and meta.get("practice_scheme") != _practice_scheme():
        if sheet.lang == "ko":
            raise ChainruleError(
                f"'{source}': 예전 형식의 연습 문제지라 그 해시로 답을 몇 분 만에 알아낼 수 있어 확인하지 않는다: "
                "이 버전의 chainrule generate --practice로 문제지를 다시 만들어 달라고 하시오.")
        raise ChainruleError(
            f"'{source}' is a practice sheet in an older format whose hashes give its answers away in minutes, "
            "so it is not checked; ask for the sheet to be made again with this version's "
            "chainrule generate --practice.")
    for key in keys:
        info = variants.get(key)
        if not isinstance(info, dict):
            raise meta_error(source, f"no [chainrule.variants.{key}] table for problem '{key}'")
        family, variant = info.get("family"), info.get("variant")
        occurrence, title = info.get("occurrence", 0), info.get("title", "")
        if not isinstance(family, str) or not isinstance(variant, str):
            raise meta_error(source, f"no family or variant for problem '{key}'")
        if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 0:
            raise meta_error(source, f"an invalid occurrence ({shown(occurrence)}) for problem '{key}'")
        entry = Entry(key, family, occurrence, variant, title if isinstance(title, str) else "")
        if practice is not None:
            _practice_entry(entry, practice.get(key), source, sheet.lang)
        sheet.entries.append(entry)
    return sheet


def _practice_scheme() -> str:
    from checker import practice

    return practice.SCHEME


def _practice_entry(entry: Entry, table: Any, source: str, lang: str = "en") -> None:
    from checker import practice

    if not isinstance(table, dict) or not practice.valid_salt(table.get("salt")):
        raise meta_error(source, f"no [chainrule.practice.{entry.key}] table with a salt for problem '{entry.key}'",
                         lang, f"문제 '{entry.key}'의 솔트가 든 [chainrule.practice.{entry.key}] 섹션이 없다")
    entry.salt = table["salt"]
    blanks = len(table) - 1
    if blanks > practice.MAX_BLANKS:    # before any entry is read, let alone hashed
        raise meta_error(source, f"{blanks} practice blanks for problem '{entry.key}' in its "
                         f"[chainrule.practice.{entry.key}] table (a problem has at most {practice.MAX_BLANKS}; "
                         "nothing was judged)", lang,
                         f"문제 '{entry.key}'의 연습 항목이 {blanks}개 있다([chainrule.practice.{entry.key}] 섹션; 문제 "
                         f"하나에는 최대 {practice.MAX_BLANKS}개, 아무것도 채점하지 않았다)")
    for key, spec in table.items():
        if key == "salt":
            continue
        if not practice.valid_spec(spec):
            raise meta_error(source, f"a broken practice entry for '{entry.key}.{key}'", lang,
                             f"'{entry.key}.{key}'의 연습 해시 항목이 망가져 있다")
        choices = [c for c in spec.get("choices", []) if isinstance(c, str)]
        entry.blanks.append(Blank(key, spec["kind"], choices=choices, practice=spec))
