"""The one place that makes text a submission wrote safe for each report format.

A submission controls many strings that reach a report: its exception messages, the
source line of a traceback, the class name of a returned object, everything it printed,
even the folder name. Any of them may hold a lone surrogate (``"\\ud800"``), bytes that
were not UTF-8 (decoded with ``surrogateescape``), terminal control sequences, characters
that XML 1.0 forbids, raw HTML, Markdown links or a closing code fence. Each function
here takes any ``str`` and returns text that is safe in one context:

- ``clean(text)``: valid Unicode for every writer: lone surrogates become U+FFFD, control
  characters other than newline and tab become visible escapes (``\\x1b``), so that a
  report can always be encoded as UTF-8 and never drives a terminal;
- ``xml(text)``: ``clean`` plus nothing XML 1.0 forbids (ElementTree escapes ``<&>``);
- ``html(text)``: ``clean`` with ``& < > " '`` as entities (inside an HTML element of a
  Markdown report, where Markdown is not parsed, so no link can form);
- ``md_inline(text)``: for Markdown running text and table cells: ``html`` plus every
  Markdown punctuation character escaped and every ``:`` and ``www`` followed by a
  zero-width space (GitHub turns bare URLs into links), so the student makes no link,
  emphasis, image or table cell;
- ``md_fence(text)``: a fenced code block around ``text`` whose fence is longer than any
  run of backticks or tildes in it, so the student cannot close it.
"""

from __future__ import annotations

import html as _html
import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_BAD = re.compile("[\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:])")


def _visible(match):
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text) -> str:
    """``text`` as valid Unicode with no control character but newline and tab."""
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub(_visible, text)


def xml(text) -> str:
    """``clean(text)`` without the two non-characters XML 1.0 forbids."""
    return _XML_BAD.sub("\ufffd", clean(text))


def html(text) -> str:
    """``clean(text)`` with HTML's special characters as entities."""
    return _html.escape(clean(text), quote=True)


def md_inline(text) -> str:
    """``text`` for Markdown running text or a table cell: no HTML, link or formatting."""
    escaped = _html.escape(clean(text), quote=False)
    escaped = escaped.replace("\n", " ")
    # entities first (& < > done above), then every Markdown punctuation with a backslash;
    # '&' of the entities must stay as it is, so it is not in _MD_SPECIAL
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    # GitHub links bare URLs even after escapes are resolved: a zero-width space breaks
    # every scheme (http://, javascript:) and www. so that no link can form
    return re.sub(r"(?i)(\\:|www)", lambda m: m.group(1) + "\u200b", escaped)


def md_fence(text, info="text") -> str:
    """A fenced code block holding ``text`` verbatim (cleaned) that ``text`` cannot close."""
    body = clean(text).rstrip("\n")
    longest = max([len(run) for run in re.findall(r"`+", body)] + [2])
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
