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
- ``html(text)``: ``clean`` with ``& < > " '`` as entities (an attribute or an element);
  ``html_text(text)``: only ``& < >``, for an element's content (the ``<summary>`` of a
  Markdown report, where Markdown is not parsed, so no link can form);
- ``md_inline(text)``: for Markdown running text and table cells: a backslash before
  only what Markdown would misread there (a tag, an entity, a code span, emphasis, a
  link's ``](``, a table's ``|``, a block marker at the start) and an invisible zero-width
  space that breaks bare URLs (GitHub links them), so the student makes no link, HTML,
  emphasis, image or table cell, and the text still reads cleanly unrendered;
- ``md_code(text)``: an inline code span holding ``text`` literally;
- ``md_fence(text)``: a fenced code block around ``text`` whose fence is longer than any
  run of backticks or tildes in it, so the student cannot close it;
- ``workflow(text)``: for a GitHub Actions job's log, where the runner takes a line that
  starts with ``::`` (after blanks) or holds ``##[`` anywhere for a workflow command (an
  annotation, ``add-mask``, ``stop-commands``, ...): an invisible zero-width space breaks
  each, so the text reads the same and commands nothing.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_BAD = re.compile("[\ufffe\uffff]")


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
    import html as html_module      # only where HTML is written (html.entities is a large table)

    return html_module.escape(clean(text), quote=True)


# what Markdown (CommonMark + GitHub's extensions) would read as markup inside a line, and
# only that, so that a report reads the same raw (a terminal, a CI log) and rendered:
_MD_ALWAYS = re.compile(r"[`*~|$]")                 # code, emphasis, strike, table cell, math
_MD_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)")     # one that would escape what follows
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")           # an HTML tag, comment or autolink <http:...>
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")    # an entity (&lt; &#60;) would be decoded
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")   # expected_value is no emphasis
_MD_LINK = re.compile(r"\](?=[(\[])")               # [text](url), [text][ref], ![img](url)
_MD_AUTOLINK = re.compile(r"(?i)(?<=:)(?=\S)|(?<=www)|(?<=@)(?=\w)")   # GitHub links bare URLs, mails


def _md_block(text):
    """A backslash in the marker that would start a block (heading, quote, list, setext
    underline) if ``text`` began a line: ``\\# x``, ``\\- x``, ``1\\. x``."""
    match = re.match(r"(\s*)(?:([#>=+*-])|(\d{1,9})([.)]))", text)
    if not match:
        return text
    if match.group(2):
        return text[:match.start(2)] + "\\" + text[match.start(2):]
    return text[:match.start(4)] + "\\" + text[match.start(4):]


def html_text(text) -> str:
    """``clean(text)`` for the content of an HTML element (never an attribute): only
    ``& < >`` as entities, so quotes stay readable in the raw report."""
    import html as html_module

    return html_module.escape(clean(text), quote=False)


def md_inline(text) -> str:
    """``text`` inside a line of Markdown (running text or a table cell): no HTML, link,
    image, code span or emphasis of its own, and nothing escaped that Markdown would not
    misread: ``expected_value`` and ``activations.py: sign-flipped`` stay as they are."""
    out = clean(text).replace("\n", " ")
    out = _MD_BACKSLASH.sub(r"\\\\", out)
    out = _MD_ALWAYS.sub(lambda m: "\\" + m.group(0), out)
    out = _MD_TAG.sub(r"\\<", out)
    out = _MD_ENTITY.sub("&amp;", out)
    out = _MD_UNDERSCORE.sub(r"\\_", out)
    out = _MD_LINK.sub(r"\\]", out)
    out = _md_block(out)
    # GitHub links bare URLs (http://, www., a@b.c) even after escapes are resolved: an
    # invisible zero-width space after every ':' that is not followed by a space, after
    # 'www' and after '@' breaks each of them without changing what a reader sees
    return _MD_AUTOLINK.sub("\u200b", out)


_MD_SPAN = re.compile(r"`([^`\n]+)`")


def md_inline_spans(text) -> str:
    """``md_inline(text)`` with the report's own `code` spans kept as code (a report's note
    "modified its input `x` in place" shows x as code, not as literal backticks): a span's
    pipes are escaped, so it never splits a table cell, and nothing in it is Markdown or
    HTML. A span with a backslash (a table would read its ``\\|`` as a cell's end) stays plain
    text, escaped as the rest is."""
    parts = _MD_SPAN.split(clean(text).replace("\n", " "))
    out = []
    for i, part in enumerate(parts):
        if i % 2 and "\\" not in part:
            out.append("`" + part.replace("|", "\\|") + "`")
        else:
            out.append(md_inline(f"`{part}`" if i % 2 else part))
    return "".join(out)


def html_text_spans(text) -> str:
    """``html_text(text)`` with the report's own `code` spans as <code> elements (a
    <details> summary line is HTML, where backticks would show as they are): each part
    escaped as ``html_text`` escapes, so nothing in a span is markup either."""
    parts = _MD_SPAN.split(clean(text))
    return "".join(f"<code>{html_text(part)}</code>" if i % 2 else html_text(part) for i, part in enumerate(parts))


def md_code(text) -> str:
    """``text`` as an inline code span: shown literally, nothing in it is Markdown or HTML.
    Not for a table cell (a ``|`` would still split it); newlines become spaces."""
    body = clean(text).replace("\n", " ")
    longest = max([len(run) for run in re.findall(r"`+", body)] + [0])
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_fence(text, info="text") -> str:
    """A fenced code block holding ``text`` verbatim (cleaned) that ``text`` cannot close."""
    body = clean(text).rstrip("\n")
    longest = max([len(run) for run in re.findall(r"`+", body)] + [2])
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


# GitHub Actions' runner (ActionCommand.TryParseV2) trims a line's leading white space and takes
# it for a command when it then starts with "::"; the legacy form (TryParse) is "##[" anywhere
# in a line. A line ends at \n or \r (.NET's ReadLine). [^\S\n\r] is every blank Python
# knows, a superset of what .NET's TrimStart removes.
_WORKFLOW_LINE = re.compile(r"(?:^|(?<=[\n\r]))([^\S\n\r]*):(?=:)")


def workflow(text) -> str:
    """``text`` that GitHub Actions' runner takes for no workflow command when it reaches a
    job's log: a zero-width space between the two colons of a ``::`` that starts a line (after
    blanks) and between ``##`` and ``[`` anywhere. Nothing else changes (no ``clean``: a
    report is cleaned where it is made), so it may be applied to a whole report, in any
    format (JSON and XML stay valid: only the inside of strings and text can hold either)."""
    if not isinstance(text, str):
        text = str(text)
    text = _WORKFLOW_LINE.sub(lambda m: m.group(1) + ":\u200b", text)
    return text.replace("##[", "##\u200b[")
