"""Reports survive any student text (issue 15, item 9): one place escapes it per format."""

import json
import xml.etree.ElementTree as ET

import pytest

from grader import escape
from grader.reports import FORMATS, render
from tests.grader.conftest import make_submission

NASTY = ("\ud800 lone surrogate, \udcff surrogateescape byte, \x1b[31mred\x1b[0m, bell \x07, nul \x00, "
         "\x7f del, \u2028 line separator, <script>alert(1)</script> <b>bold</b> "
         "[link](http://evil.example) ![img](http://evil.example/x.png) https://bare.example www.bare.example "
         "*em* _u_ `code` ``` ```` ~~~ | pipe &amp;")


def test_escape_clean_replaces_surrogates_and_shows_control_characters():
    text = escape.clean(NASTY)
    text.encode("utf-8")        # never raises
    assert "\ufffd lone surrogate" in text and "\ufffd surrogateescape byte" in text
    assert "\\x1b[31mred\\x1b[0m" in text and "bell \\x07" in text and "nul \\x00" in text
    assert "\\x7f del" in text and "\\u2028 line separator" in text
    assert escape.clean("a\tb\nc\r\nd") == "a\tb\nc\nd"
    assert escape.clean(42) == "42"


def test_escape_xml_is_always_well_formed():
    root = ET.Element("r", attr=escape.xml(NASTY + "\ufffe\uffff"))
    root.text = escape.xml(NASTY)
    back = ET.fromstring(ET.tostring(root, encoding="unicode"))
    assert "<script>" in back.text           # kept as text, escaped by ElementTree


def test_escape_html_has_no_tags():
    out = escape.html(NASTY)
    assert "<" not in out and ">" not in out and "&lt;script&gt;" in out
    text = escape.html_text(NASTY + " it's \"quoted\"")
    assert "<" not in text and ">" not in text and "&lt;script&gt;" in text and "it's \"quoted\"" in text


def test_escape_md_inline_makes_no_html_link_or_emphasis():
    out = escape.md_inline(NASTY)
    # every '<' that could open a tag is backslash-escaped, every scheme and www broken
    assert "<" not in out.replace("\\<", "") and "](" not in out.replace("\\](", "") and "http://" not in out
    assert "https://" not in out and "www." not in out and "|" not in out.replace("\\|", "")
    assert "\n" not in out


@pytest.mark.parametrize("text", [
    "expected_value", "activations.py: known mistake: sign-flipped", "5 of 6 cases failed; fix sigmoid first",
    "looks like: wrong-axis", "not graded: importing __init__ failed (1/2)", "x = -1.5e-3, [0, 4] {a}",
    "a < b, c > d, #3, 50% (tol 1e-6) + 2!", "a_b_c.d-e", "submissions/alice.kim",
])
def test_escape_md_inline_leaves_plain_text_alone(text):
    """A report reads the same raw (terminal, CI log) and rendered: no backslash where
    Markdown would not misread the text."""
    expected = text.replace("__init__", "\\_\\_init\\_\\_")    # there it would be bold
    assert escape.md_inline(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("# title", "\\# title"), ("- item", "\\- item"), ("1. item", "1\\. item"), ("> quote", "\\> quote"),
    ("*bold*", "\\*bold\\*"), ("_u_", "\\_u\\_"), ("`code`", "\\`code\\`"), ("a | b", "a \\| b"),
    ("<b>", "\\<b>"), ("&lt;", "&amp;lt;"), ("[x](y)", "[x\\](y)"), ("a\\*", "a\\\\\\*"),
    ("~~s~~", "\\~\\~s\\~\\~"), ("$x$", "\\$x\\$"),
])
def test_escape_md_inline_escapes_what_markdown_would_read(text, expected):
    assert escape.md_inline(text) == expected


HOSTILE = [
    NASTY,
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<!-- c -->", "<?php ?>", "<http://evil.example>",
    "[a](javascript:alert(1))", "[a][r]", "![i](http://evil.example/x.png)", "[a]: http://evil.example",
    "https://evil.example/x?y=1", "www.evil.example", "mail me@evil.example", "javascript:alert(1)",
    "# heading", "## h", "> quote", "- list", "1. list", "---", "===", "| a | b |", "a|b", "**bold**", "__b__",
    "*em*", "_em_", "~~del~~", "~del~", "`code`", "``x``", "$x^2$", "&lt;b&gt; &#60;b&#62; &amp;", "\\<b>",
    "x\\", "\\", "a\\_b_", "trailing \\", "*", "_", "<", "[", "]", "](", "1)", "+ x", "* x", "\\*x*",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_md_inline_renders_to_exactly_the_text_on_github(text):
    """Rendered by GitHub's own Markdown (cmark-gfm, when installed) in a table cell and in
    running text, the student's text makes no element and reads exactly as written."""
    import html as html_module
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")
    want = escape.clean(text).replace("\n", " ").strip()
    for doc, allowed in ((f"| a | b |\n|---|---|\n| {escape.md_inline(text)} | end |\n",
                          {"table", "thead", "tbody", "tr", "th", "td"}),
                         (f"Submission {escape.md_inline(text)}, seed 1.\n", {"p"})):
        out = cmarkgfm.github_flavored_markdown_to_html(doc, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
        assert set(re.findall(r"</?([a-zA-Z]+)", out)) <= allowed, out
        assert "raw HTML omitted" not in out
        shown = html_module.unescape(re.sub(r"<[^>]*>", "\n", out)).replace("\u200b", "")
        cells = [line.strip() for line in shown.splitlines() if line.strip()]
        if "table" in allowed:
            assert cells == ["a", "b", want, "end"] if want else cells == ["a", "b", "end"], out
        else:
            assert cells == [f"Submission {want}, seed 1.".replace("  ", " ")], out


@pytest.mark.parametrize("text", HOSTILE + [f"found: modified its input `{t}` in place" for t in HOSTILE]
                         + ["`x[x < 0] = 0` at line 86", "a `b | c` d", "`a\\|b` | `<b>`", "`x`y`z`", "` `"])
def test_escape_md_inline_spans_shows_code_as_code_and_nothing_else_in_a_table_cell(text):
    """A report's note in the Markdown table (trial 19a: "modified its input \\`x\\` in place"
    showed literal backticks on GitHub): its `code` spans render as code, pipes in them never
    split the cell, and the student's text still makes no other element."""
    import html as html_module
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")
    doc = f"| a | b |\n|---|---|\n| {escape.md_inline_spans(text)} | end |\n"
    out = cmarkgfm.github_flavored_markdown_to_html(doc, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    assert set(re.findall(r"</?([a-zA-Z]+)", out)) <= {"table", "thead", "tbody", "tr", "th", "td", "code"}, out
    assert "raw HTML omitted" not in out
    cells = re.findall(r"<td>(.*?)</td>", out)
    assert len(cells) == 2 and cells[1] == "end", out
    want = escape.clean(text).replace("\n", " ").strip()
    shown = html_module.unescape(re.sub(r"<[^>]*>", "", cells[0])).replace("\u200b", "")
    spans = re.findall(r"`([^`\n]+)`", want)
    if not any("\\" in span for span in spans):
        assert shown.strip() == re.sub(r"`([^`\n]+)`", r"\1", want).strip(), out
    assert [html_module.unescape(c) for c in re.findall(r"<code>(.*?)</code>", cells[0])] == [
        span for span in spans if "\\" not in span], out


def _in_place_relu_report(tmp_path):
    """The Markdown report of a relu that modifies its input in place (its note names `x`)."""
    from grader import grade_submission

    inplace = {"activations": """
        def relu(x):
            x[x < 0] = 0
            return x
        """}
    result = grade_submission(str(make_submission(tmp_path / "sub", appended=inplace)), only=["activations.relu"])
    return render(result, "markdown").splitlines()


def test_the_markdown_table_shows_a_notes_code_as_code(tmp_path):
    row = next(line for line in _in_place_relu_report(tmp_path) if line.startswith("| `activations.relu`"))
    assert "its input `x` in place" in row and "\\`" not in row, row


@pytest.mark.parametrize("text", HOSTILE + [f"found: modified its input `{t}` in place" for t in HOSTILE]
                         + ["`x[x < 0] = 0` at line 86", "`<b>`", "`x`y`z`", "` `"])
def test_escape_html_text_spans_makes_code_elements_and_nothing_else(text):
    """A <details> summary line of the Markdown report is HTML, where backticks show as they
    are: the report's `code` spans become <code>, and the student's text no other element."""
    import html as html_module
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")
    doc = f"<details><summary>{escape.html_text_spans(text)}</summary>\n\nbody\n\n</details>\n"
    out = cmarkgfm.github_flavored_markdown_to_html(doc, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    assert set(re.findall(r"</?([a-zA-Z]+)", out)) <= {"details", "summary", "code", "p"}, out
    summary = re.search(r"<summary>(.*?)</summary>", out, re.S).group(1)
    want = escape.clean(text)
    assert html_module.unescape(re.sub(r"<[^>]*>", "", summary)) == re.sub(r"`([^`\n]+)`", r"\1", want), out
    assert [html_module.unescape(c) for c in re.findall(r"<code>(.*?)</code>", summary)] == re.findall(
        r"`([^`\n]+)`", want), out


def test_the_markdown_details_line_shows_a_notes_code_as_code(tmp_path):
    line = next(line for line in _in_place_relu_report(tmp_path)
                if line.startswith("<details><summary><code>activations.relu</code>"))
    assert "its input <code>x</code> in place" in line and "`" not in line, line


@pytest.mark.parametrize("text", ["sub", "a `b` c", "`x", "<b>[l](http://e.x)</b> *e* | y"])
def test_escape_md_code_is_literal(text):
    import html as html_module
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")
    out = cmarkgfm.github_flavored_markdown_to_html(f"Submission {escape.md_code(text)}, seed 1.\n")
    assert set(re.findall(r"</?([a-zA-Z]+)", out)) <= {"p", "code"}
    assert html_module.unescape(re.search(r"<code>(.*)</code>", out).group(1)) == text
    assert escape.md_code("sub") == "`sub`"


@pytest.mark.parametrize("body", ["```", "a\n```\nb", "````` x", "~~~\n```"])
def test_escape_md_fence_cannot_be_closed_from_inside(body):
    block = escape.md_fence(body)
    fence = block.splitlines()[0].rstrip("text")
    inner = block.splitlines()[1:-1]
    assert block.splitlines()[-1] == fence
    assert all(not line.strip().startswith(fence) for line in inner)


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory):
    from grader import grade_submission

    root = tmp_path_factory.mktemp("escape")
    sub = make_submission(root / "sub", {
        "activations": '''
        def sigmoid(x):
            raise ValueError("\\ud800 <script>alert(1)</script> [x](http://evil.example) ``` \\x1b[2J")

        def relu(x):
            print("\\x1b[31m<img src=x onerror=alert(1)>\\udcff ``` **bold** \\x00")
            return np.maximum(x, 0.0).astype(np.float64)
        ''',
        "layers": '''
        raise RuntimeError("import failed: \\ud800 </details><script>alert(2)</script> ````")
        ''',
    })
    return grade_submission(str(sub), only=["activations.sigmoid", "activations.relu", "layers.dense_forward"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_hostile_student_text(hostile_result, fmt):
    out = render(hostile_result, fmt)
    out.encode("utf-8")
    assert "\x1b" not in out and "\x00" not in out
    if fmt in ("json", "gradescope"):
        json.loads(out)
    if fmt == "junit":
        ET.fromstring(out.encode("utf-8"))


def test_markdown_has_no_raw_html_or_link_from_the_student(hostile_result):
    """Outside code blocks, only the report's own HTML and no link; inside, the student's
    text cannot close the block (the fence is longer than any backtick run in it)."""
    import re

    out = render(hostile_result, "markdown")
    outside, opened, blocks = [], None, 0
    for line in out.splitlines():
        if opened is None and line.startswith("```"):
            opened = line[:len(line) - len(line.lstrip("`"))]
            blocks += 1
        elif opened is not None and line == opened:
            opened = None
        elif opened is not None:
            assert not line.lstrip().startswith(opened), line
        else:
            outside.append(line)
    assert opened is None and blocks >= 2
    text = "\n".join(outside)
    assert set(re.findall(r"</?([a-zA-Z]+)", text)) <= {"details", "summary", "code"}
    assert "](" not in text.replace("\\]", "") and "http://" not in text
    assert "<script" in out      # the student's text is still shown, inside a code block


def test_markdown_report_rendered_by_github_has_no_element_of_the_student(hostile_result):
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")
    # raw HTML kept (GitHub keeps <details>): the student's would show up as tags here
    out = cmarkgfm.github_flavored_markdown_to_html(render(hostile_result, "markdown"),
                                                    options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", out))
    assert tags <= {"h2", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "pre",
                    "details", "summary"}, tags
    assert "raw HTML omitted" not in out and "href" not in out and "src=" not in out.replace("src=x", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out       # shown, as text


def test_text_report_shows_the_student_text_escaped(hostile_result):
    out = render(hostile_result, "text")
    assert "\ufffd <script>alert(1)</script>" in out
    assert "\\x1b[2J" in out
