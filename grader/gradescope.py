"""Who handed in each ``submission_<N>`` of a Gradescope export: ``submission_metadata.yml``.

Gradescope's "Export Submissions" download holds a folder per submission and one YAML file,
written by Ruby (keys are symbols, ``:name:``), mapping each ``submission_<N>`` to its
submitters and much else (``:created_at:``, ``:score:``, a ``:history:`` of earlier
submissions with submitters of their own, objects tagged ``!ruby/object:...``). No YAML
library is a dependency of the kit, and none is needed: ``read`` takes, for each top-level
``submission_<N>`` key, its ``:submitters:`` list (each one's ``:name:``, ``:email:`` and
``:sid:``: plain, single- or double-quoted, folded over lines or block scalars, with YAML's
escapes) and steps over every other field by its indentation alone, whatever it holds, so
nothing Gradescope adds there can break the reading. Where the file is read it is read
strictly: a line that is not where YAML's indentation puts it, a quoted value never closed or
an unknown escape makes the whole file ``Unusable``, with the line named, rather than a list
of submitters read wrongly (a grade under another student's name).
"""

from __future__ import annotations

import os
import re
import stat

NAME = "submission_metadata.yml"
#: what is read of it at most (Gradescope's for a large class with every submission's history
#: is a few MB); a larger file is not what Gradescope writes
MAX_BYTES = 256 * 2 ** 20
FIELDS = ("sid", "name", "email")

_SUBMISSION = re.compile(r"submission_\d+")
#: the line breaks of YAML 1.1, which Ruby's YAML (libyaml) writes and reads: NEL, LS and PS too
#: (str.splitlines also breaks at \x0b, \x1c..., which YAML keeps in a line)
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: a node's properties before its value: a tag (``!ruby/object:Foo``, ``!!str``) or an anchor (``&1``)
_PROPERTY = re.compile(r"([!&][^\s]*)(?:[ \t]+|$)")
_NULLS = ("", "~", "null", "Null", "NULL")
#: a value tagged null among its properties, whatever it is written as (``!!null ''``)
_NULL_TAG = re.compile(r"(?:[!&]\S*[ \t]+)*!!null(?:[ \t]|$)")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_HEX = {"x": 2, "u": 4, "U": 8}


class Unusable(Exception):
    """The file cannot be used; ``str()`` is a clause saying why ("line 7 ...")."""


def for_class(submissions):
    """What ``batch.json`` keeps of the metadata file in the folder ``submissions``: None when
    there is none; ``{"file", "submissions": [[id, submitters]]}`` (``read``'s, in the file's
    order) or, when it cannot be used, ``{"file", "unusable": why}``."""
    path = os.path.join(submissions, NAME)
    if not os.path.lexists(path) or os.path.isdir(path):    # a folder of that name is an entry
        return None
    try:
        found = read(path)
    except Unusable as exc:
        return {"file": NAME, "unusable": str(exc)}
    return {"file": NAME, "submissions": [[ident, people] for ident, people in found]}


def read(path):
    """``[(submission id, [{"sid", "name", "email"}] or None)]`` of the metadata file at
    ``path``, in the file's order; None: the submission has no ``:submitters:`` field. A
    value missing or null is None. ``Unusable`` says why the file cannot be used."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise Unusable("it is not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Unusable(f"it cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise Unusable(f"it is larger than {MAX_BYTES >> 20} MB, which no Gradescope export is")
    return parse(data)


def parse(data):
    """``read`` of the bytes ``data``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Unusable(f"it is not UTF-8 text (line {line} holds the byte 0x{data[exc.start]:02x})") from None
    return _Parser(text[1:] if text.startswith("\ufeff") else text).document()


def _text(value):
    """A decoded value as text: a surrogate pair written as two escapes joined, a lone one
    replaced (no UTF-8 file could hold it)."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class _Parser:
    """The lines of the file, read from the top (``self.at``: the next line's index)."""

    def __init__(self, text):
        self.raw = _BREAK.split(text)
        self.rows = []      # (line number, indentation, text without indentation and trailing blanks)
        for number, line in enumerate(self.raw, 1):
            body = line.lstrip(" ")
            self.rows.append((number, len(line) - len(body), body.rstrip(" \t")))
        self.at = 0
        self.anchors = {}   # an anchor (&1) of a value read, for an alias (*1) to it

    # ----------------------------------------------------------------- lines
    def _content(self):
        """Skip blank and comment lines; the next line or None at the end."""
        while self.at < len(self.rows):
            row = self.rows[self.at]
            if row[2] and not row[2].startswith("#"):
                return row
            self.at += 1
        return None

    def _skip_value(self, indent, inline):
        """Step over the value of the key at ``indent`` whose line ended with ``inline``:
        every line indented deeper, and the items of a list written at the key's own
        indentation (as Ruby writes them) when nothing followed the key on its line."""
        listed = not _uncommented(_properties(inline)[0])
        while self.at < len(self.rows):
            _, depth, text = self.rows[self.at]
            if not text or text.startswith("#") or depth > indent or \
                    (listed and depth == indent and _item(text)):
                self.at += 1
            else:
                return

    # ----------------------------------------------------------------- the document
    def document(self):
        found = []
        seen = {}
        row = self._content()
        while row is not None and row[1] == 0 and row[2].startswith("%"):     # a directive (%YAML 1.1)
            self.at += 1
            row = self._content()
        if row is not None and row[1] == 0 and (row[2] == "---" or row[2].startswith("--- ")):
            rest, _ = _properties(row[2][3:].strip())
            if rest:
                raise Unusable(f"line {row[0]} holds '{_short(rest)}' where the file's submissions should begin")
            self.at += 1
            row = self._content()
        top = row[1] if row is not None else 0
        while row is not None:
            number, depth, text = row
            if depth == 0 and (text in ("---", "...") or text.startswith("--- ")):
                break       # the end of the document; Gradescope writes one
            self._structure(row, top, "the file's top-level keys")
            key, rest = _key(row)
            self.at += 1
            if _SUBMISSION.fullmatch(key):
                if key in seen:
                    raise Unusable(f"line {number} names {key} again (line {seen[key]} did)")
                seen[key] = number
                found.append((key, self._submission(key, row, rest)))
            else:
                self._skip_value(depth, rest)
            row = self._content()
        if not found:
            raise Unusable("it names no submission_<N> (a Gradescope export's file maps each "
                           "submission_<N> folder to its submitters)")
        if all(people is None for _, people in found):  # another layout, not a class without students
            raise Unusable(f"none of its {len(found)} submission_<N> has a :submitters: field")
        return found

    def _structure(self, row, indent, where):
        """Refuse ``row`` where a key at ``indent`` (one of ``where``) is due but it is not one."""
        number, depth, text = row
        if text.startswith("\t"):
            raise Unusable(f"line {number} is indented with a tab, which YAML does not allow")
        if depth != indent:
            raise Unusable(f"line {number} is indented by {depth} spaces where {where} are indented by {indent}")
        if _key(row) is None:
            raise Unusable(f"line {number} ('{_short(text)}') is not a 'key: value' line, as {where} are")

    def _submission(self, key, row, rest):
        """The submitters of the submission ``key`` whose fields follow ``row``."""
        rest = _uncommented(_properties(rest)[0])
        if rest == "{}":
            return None
        if rest:
            raise Unusable(f"line {row[0]} gives {key} the value '{_short(rest)}' instead of its fields below it")
        submitters = None
        line = self._content()
        indent = line[1] if line is not None and line[1] > row[1] else None
        while line is not None and indent is not None and line[1] > row[1]:
            self._structure(line, indent, f"the fields of {key}")
            name, inline = _key(line)
            self.at += 1
            if _field(name) == "submitters":
                submitters = self._submitters(key, line, inline)
            else:
                self._skip_value(indent, inline)
            line = self._content()
        return submitters

    def _submitters(self, key, row, inline):
        number, indent, _ = row
        rest, anchor = _properties(inline)
        rest = _uncommented(rest)
        if rest.startswith("*"):
            return self._alias(rest, number, list)
        if rest.startswith("[") and rest != "[]":
            raise Unusable(f"line {number} writes the submitters of {key} on one line ('{_short(rest)}'), not one "
                           "'- ' item a line as Gradescope does")
        if rest != "[]" and rest not in _NULLS:
            raise Unusable(f"line {number} gives the submitters of {key} as '{_short(rest)}', not as a list")
        found = []
        line = self._content()
        if rest == "" and line is not None and line[1] >= indent and _item(line[2]):
            items = line[1]
            while line is not None and line[1] == items and _item(line[2]):
                found.append(self._submitter(key, line))
                line = self._content()
            if line is not None and line[1] > indent:
                self._structure(line, indent, f"the fields of {key}")   # names what is wrong there
        if anchor:
            self.anchors[anchor] = found
        return found

    def _submitter(self, key, row):
        """One item (``- :name: ...``) of a submitters list, at ``row``."""
        number, items, text = row
        rest, anchor = _properties(text[1:])
        if not _uncommented(rest):
            rest = ""
        self.at += 1
        if rest.startswith("*"):
            return self._alias(rest, number, dict)
        person = dict.fromkeys(FIELDS)
        line, virtual = None, False
        if rest[:1] in ("{", "[") and _uncommented(rest) != "{}":
            raise Unusable(f"line {number} writes a submitter of {key} on one line ('{_short(rest)}'), not one "
                           "field a line as Gradescope does")
        if rest and _uncommented(rest) != "{}":   # the first field on the item's own line, at the column it starts at
            line, virtual = (number, items + len(text) - len(rest), rest), True
        elif not rest:
            line = self._content()
            if line is not None and line[1] <= items:
                line = None
        column = line[1] if line is not None else None
        while line is not None:
            self._structure(line, column, f"the fields of a submitter of {key}")
            name, inline = _key(line)
            if not virtual:
                self.at += 1
            virtual = False
            field = _field(name)
            if field in FIELDS:
                person[field] = self._scalar(line, inline, name)
            else:
                self._skip_value(column, inline)
            line = self._content()
            if line is not None and line[1] <= items:
                break
        if anchor:
            self.anchors[anchor] = person
        return dict(person)

    def _alias(self, text, number, kind):
        value = self.anchors.get(_uncommented(text)[1:])
        if not isinstance(value, kind):
            raise Unusable(f"line {number} refers to '{_short(text)}', which is no "
                           f"{'list of submitters' if kind is list else 'submitter'} read before it")
        return [dict(p) for p in value] if kind is list else dict(value)

    # ----------------------------------------------------------------- values
    def _scalar(self, row, inline, name):
        """The text of the field ``name`` at ``row`` (its value starts as ``inline``); None
        for a null. Lines after ``row`` that continue it are consumed."""
        number, indent, _ = row
        rest, anchor = _properties(inline)
        null = _NULL_TAG.match(inline.strip(" \t"))
        if not _uncommented(rest):      # nothing, or only a comment, after the key
            following = self._content()
            if following is None or following[1] <= indent:
                return None     # "sid:" and nothing: null
            number = following[0]      # the value starts on the next line
            self.at += 1
            rest, more = _properties(following[2])
            anchor = anchor or more
            null = null or _NULL_TAG.match(following[2])
        if rest.startswith("*"):
            value = self.anchors.get(_uncommented(rest)[1:])
            if not isinstance(value, str):
                raise Unusable(f"line {number} gives {name} as '{_short(rest)}', which is no text read before it")
            return value
        if rest[0] in "\"'":
            value = self._quoted(number, rest, indent)
        elif rest[0] in "|>":
            value = self._block(number, rest, indent)
        elif rest[0] in "[{":
            raise Unusable(f"line {number} gives {name} as '{_short(rest)}', not as a text")
        else:
            value = self._plain(number, rest, indent, name)
        if null:        # "!!null ''": whatever it is written as
            value = None
        if anchor:
            self.anchors[anchor] = value
        return value if value is None else _text(value)

    def _plain(self, number, rest, indent, name):
        """A plain value: up to a comment, continued on deeper lines (folded: a line break is a
        space, an empty line a line break); a null (~, null) is None."""
        parts = [_uncommented(rest)]
        blank = 0
        while self.at < len(self.rows):
            _, depth, text = self.rows[self.at]
            if not text:
                blank += 1
                self.at += 1
                continue
            if depth <= indent or text.startswith("#"):
                break
            if _key(self.rows[self.at]) is not None:    # "a: b" is never part of a plain value
                raise Unusable(f"line {self.rows[self.at][0]} is indented under {name} (line {number}) but is "
                               "not part of its value")
            parts.append("\n" * blank if blank else " ")
            parts.append(_uncommented(text))
            blank = 0
            self.at += 1
        value = "".join(parts)
        return None if value in _NULLS else value

    def _quoted(self, number, rest, indent):
        """A single- or double-quoted value from ``rest`` on (the raw lines, for their spaces),
        over as many lines as it takes: folded as YAML folds it."""
        quote = rest[0]
        start = self.at - 1
        line = self.raw[start]
        pos = len(line) - len(line.lstrip(" ")) + (len(self.rows[start][2]) - len(rest)) + 1
        out = []
        kept = 0        # out[:kept] is never folded away: up to the last escape (an escaped blank stays)
        index = start
        while True:
            text = self.raw[index]
            i = pos
            joined = False
            while i < len(text):
                ch = text[i]
                if ch == quote:
                    if quote == "'" and text[i + 1:i + 2] == "'":
                        out.append("'")
                        i += 2
                        continue
                    after = text[i + 1:].strip(" \t")
                    if after and not after.startswith("#"):
                        opened = "" if index + 1 == number else f" (opened on line {number})"
                        raise Unusable(f"line {index + 1} has '{_short(after)}' after a quoted value's closing "
                                       f"quote{opened}")
                    self.at = index + 1
                    return "".join(out)
                if ch == "\\" and quote == '"':
                    if i + 1 == len(text):      # an escaped line break: joined without a space
                        joined = True
                        break
                    code = text[i + 1]
                    if code in _ESCAPES:
                        out.append(_ESCAPES[code])
                        kept = len(out)
                        i += 2
                        continue
                    digits = text[i + 2:i + 2 + _HEX.get(code, 0)]
                    if code in _HEX and len(digits) == _HEX[code] and re.fullmatch(r"[0-9A-Fa-f]+", digits):
                        point = int(digits, 16)
                        if point > 0x10FFFF:
                            raise Unusable(f"line {index + 1} has the escape \\{code}{digits}, beyond Unicode")
                        out.append(chr(point))
                        kept = len(out)
                        i += 2 + len(digits)
                        continue
                    raise Unusable(f"line {index + 1} has '\\{_short(text[i + 1:i + 2 + _HEX.get(code, 0)])}' in a "
                                   "double-quoted value, which is no YAML escape")
                out.append(ch)
                i += 1
            # the line ends inside the quotes: the break folds into a space, empty lines into breaks
            if not joined:
                while len(out) > kept and out[-1] in " \t":
                    out.pop()
            index += 1
            blank = 0
            while index < len(self.raw) and not self.raw[index].strip(" \t"):
                blank += 1
                index += 1
            if index >= len(self.raw) or (self.rows[index][1] == 0 and self.rows[index][2] in ("---", "...")):
                raise Unusable(f"line {number} opens a quoted value ({quote}) that is never closed")
            out.append("\n" * blank if blank or joined else " ")
            text = self.raw[index]
            pos = len(text) - len(text.lstrip(" \t"))

    def _block(self, number, rest, indent):
        """A literal (``|``) or folded (``>``) block value on the deeper lines below."""
        header = _uncommented(rest)
        match = re.fullmatch(r"([|>])(?:([1-9])?([+-])?|([+-])([1-9]))", header)
        if not match:
            raise Unusable(f"line {number} opens a block value with '{_short(header)}', which YAML does not read")
        style, width = match.group(1), match.group(2) or match.group(5)
        chomp = match.group(3) or match.group(4) or ""
        lines = []
        column = indent + int(width) if width else None
        while self.at < len(self.rows):
            raw = self.raw[self.at]
            depth = self.rows[self.at][1]
            if raw.strip(" "):
                if column is None:
                    if depth <= indent:
                        break
                    column = depth
                elif depth < column:
                    break
                lines.append(raw[column:])
            else:
                lines.append("")
            self.at += 1
        while lines and lines[-1] == "":
            lines.pop()     # kept only by "+", which no name, e-mail or id needs
        if style == "|":
            value = "\n".join(lines)
        else:
            value = ""
            for previous, line in zip([None] + lines, lines):
                if previous is None:
                    value = line
                elif line == "" or previous == "" or line[:1] in " \t" or previous[:1] in " \t":
                    value += "\n" + line
                else:
                    value += " " + line
        return value + ("" if chomp == "-" or not value else "\n")


# --------------------------------------------------------------------------- a line's parts
def _item(text):
    """Whether ``text`` is an item of a block list (``- ...``)."""
    return text == "-" or text.startswith(("- ", "-\t"))


def _properties(text):
    """``(rest, anchor)``: ``text`` without its tags and anchor (``!ruby/object:X &1 ...``)."""
    anchor = None
    text = text.strip(" \t")
    while text[:1] in ("!", "&"):
        match = _PROPERTY.match(text)
        if match.group(1).startswith("&"):
            anchor = match.group(1)[1:]
        text = text[match.end():]
    return text, anchor


def _key(row):
    """``(key, rest of the line)`` of a ``key: value`` line, or None. A quoted key is
    unquoted; a Ruby symbol keeps its colon (``:name``)."""
    text = row[2]
    if not text or _item(text) or text[0] in "?#[]{},&*!|>%@`":    # no plain key starts so
        return None
    if text[0] in "\"'":
        quote = text[0]
        end = 1
        while True:
            end = text.find(quote, end)
            if end < 0:
                return None
            if quote == "'" and text[end + 1:end + 2] == "'":
                end += 2
                continue
            if quote == '"' and _odd_backslashes(text, end):
                end += 1
                continue
            break
        match = re.match(r"[ \t]*:(?:[ \t]+|$)", text[end + 1:])
        if not match:
            return None
        return text[1:end], text[end + 1 + match.end():]
    match = re.match(r"(.*?):(?:[ \t]+|$)", text)
    if not match or " #" in match.group(1):
        return None
    return match.group(1).rstrip(" \t"), text[match.end():]


def _odd_backslashes(text, end):
    count = 0
    while end - count - 1 >= 0 and text[end - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _field(key):
    """The field a key names: a Ruby symbol (``:sid``) or a plain key (``sid``)."""
    return key[1:] if key.startswith(":") else key


def _uncommented(text):
    """A plain value without its comment (``#`` at its start or after a blank, and after)."""
    cut = re.search(r"(?:^|[ \t])#", text)
    return (text[:cut.start()] if cut else text).rstrip(" \t")


def _short(text, most=40):
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= most else text[:most - 3] + "..."
