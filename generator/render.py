"""Rendering problems into worksheets and answer keys (Markdown, HTML, LaTeX).

A ``Format`` knows how to write inline math (sympy's LaTeX or presentation MathML),
numbers (``generator.numbers``) and escaped prose for one output format. ``problem_view``
turns a ``Problem`` into plain strings for a format and language; the jinja2 templates in
``generator/templates/`` (``StrictUndefined``) only interpolate those strings.
"""

from __future__ import annotations

import functools
import html
import re
import string
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import jinja2
import sympy as sp

from chainrule_core import __version__
from generator import i18n, korean, symbolic
from generator.model import Num, Problem, Step, Text
from generator.notation import sym
from generator.numbers import format_number, latex_number, mathml_number, number_parts
from generator.pdf import needs_kotex
from generator.prepared import formula_key, prepared, text_key
from generator.symbolic import plain

FORMATS = ("md", "html", "tex")
TEMPLATES = Path(__file__).parent / "templates"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_FORMATTER = string.Formatter()
_NO_SLOT = object()
_TEXTS: Dict[tuple, tuple] = {}  # Format.text: {key: (the slot values, kept alive; the text)}


class Format:
    """Inline math, numbers and prose for one output format."""

    name = ""

    def escape(self, text: str) -> str:
        return text

    def math_expr(self, expr, display) -> str:  # inner markup, not wrapped
        raise NotImplementedError

    def math_number(self, value) -> str:
        raise NotImplementedError

    def wrap(self, inner: str) -> str:
        raise NotImplementedError

    def equals(self) -> str:
        raise NotImplementedError

    def equation(self, pieces: Sequence[str]) -> str:
        return self.wrap(self.equals().join(pieces))

    def long_equation(self, pieces: Sequence[str]) -> str:
        """A worked-solution line ``a = formula = numbers = value``, which may be wider
        than the page: formats that can break it after an ``=`` do so."""
        return self.equation(pieces)

    def substituted(self, formula, known) -> Optional[str]:
        """``formula`` with the shown numbers of its symbols put in (None: no such form)."""
        return None

    def math(self, expr, display=None) -> str:
        return self.wrap(self.math_expr(expr, display or {}))

    def number(self, value) -> str:
        return self.wrap(self.math_number(value))

    def code(self, text: str) -> str:
        return self.escape(text)

    def prose(self, text: str) -> str:
        """Words of a sentence (a Text's wording, a plain slot's value, the page's words)
        escaped for the format; a name, an id or code goes through ``escape`` alone."""
        return self.escape(text)

    def text(self, text: Text, lang: str, display=None) -> str:
        """Prose with its slots rendered: sympy objects as math, Num as numbers.

        Code in the prose is written between backticks (`fit(class_weight=...)`): it is
        set as code (monospace, with break points, never hyphenated); a slot inside it is
        put in as plain text (`batch_size={setting}` -> batch_size=32)."""
        # remembered by (format, language, wording, the slots' values as objects, the
        # display's content): most prose (titles, prompts, notes) is the same for every
        # student. Slot values are keyed by identity (and kept alive by the entry, so an id
        # is never reused): sympy's == holds for 2 and 2.0, which are shown differently.
        template = text.get(lang)
        values = tuple(text.slots.values())
        key = (type(self), lang, template, tuple(text.slots), tuple(map(id, values)),
               symbolic.display_number(display) if display else -1)
        hit = _TEXTS.get(key)
        if hit is not None:
            return hit[1]
        shown = self._text(text, lang, display)
        if len(_TEXTS) > 100000:
            _TEXTS.clear()
        _TEXTS[key] = (values, shown)
        return shown

    def _text(self, text: Text, lang: str, display=None) -> str:
        out = []
        sound = _NO_SLOT
        code = None  # the code span being collected, or None outside one
        for literal, field, spec, conversion in _FORMATTER.parse(text.get(lang)):
            while literal:
                if code is not None:
                    inside, tick, literal = literal.partition("`")
                    code.append(inside)
                    if not tick:
                        break
                    shown = "".join(code)
                    out.append(self.code(shown))
                    code = None
                    sound = korean.code_sound(shown) if lang == "ko" else _NO_SLOT
                    continue
                if sound is not _NO_SLOT:  # Korean: the particle after a slot fits how it is read
                    literal = korean.agree(sound, literal)
                    sound = _NO_SLOT
                before, tick, literal = literal.partition("`")
                out.append(self.prose(before))
                if tick:
                    code = []
            if field is None:
                continue
            if spec or conversion:
                raise ValueError(f"slot {{{field}}} in {text.get(lang)!r} must be a bare name")
            if field not in text.slots:
                raise KeyError(f"Text {text.get(lang)!r} has no slot {field!r}")
            if code is not None:
                code.append(_plain_slot(text.slots[field], display))
                continue
            out.append(self.slot(text.slots[field], display))
            if lang == "ko":
                sound = korean.final_sound(text.slots[field], display)
        if code is not None:
            raise ValueError(f"unclosed code span (`) in {text.get(lang)!r}")
        return "".join(out)

    def slot(self, value, display) -> str:
        if isinstance(value, Num):
            return self.number(value.value)
        if isinstance(value, sp.Basic):
            return self.math(value, display)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return self.prose(str(value))
        raise TypeError(f"cannot render slot value {value!r}")


def _plain_slot(value, display) -> str:
    """A slot's value inside code: digits and names as typed, not math."""
    if isinstance(value, Num):
        return format_number(value.value)
    if isinstance(value, sp.Basic):
        return format_number(value) if value.is_number else plain(value, display)
    return str(value)


def _negative_or_scientific(value) -> bool:
    mantissa, exponent = number_parts(value)
    return mantissa.startswith("-") or exponent is not None


class _TexMath(Format):
    """Math as LaTeX between dollars (Markdown and LaTeX)."""

    def substituted(self, formula, known):
        planned = symbolic.substitution_plan(formula, "latex")
        if planned is None:
            return None
        names, plan = planned
        numbers, bare = [], []
        for name in names:
            if name not in known:
                return None
            text = latex_number(known[name])
            bare.append(text)
            numbers.append(r"\left(%s\right)" % text if _negative_or_scientific(known[name]) else text)
        return symbolic.fill_plan(plan, numbers, bare)

    def math_expr(self, expr, display):
        return symbolic.latex(expr, display)

    def math_number(self, value):
        return latex_number(value)

    def wrap(self, inner):
        return "$" + inner + "$"

    def equals(self):
        return " = "


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*$<"})


def _plain_fences(piece: str) -> str:
    r"""``\left( ... \right)`` as plain parentheses when nothing inside is taller than a line:
    TeX cannot break a line inside a \left...\right group."""
    if any(tall in piece for tall in (r"\frac", r"\sum", r"\sqrt", r"\prod", r"\begin")):
        return piece
    return piece.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\left|", "|").replace(r"\right|", "|")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_OVER_NUMBER = re.compile(r"\\frac\{(.*)\}\{(\d+)\}\Z")
#: a LaTeX piece longer than this may be rewritten so that it can break
_LONG_TEX = 100


def _breakable_tex(piece: str) -> str:
    r"""A long ``\frac{a + b + ...}{5}`` as ``\frac{1}{5} (a + b + ...)``: TeX cannot break
    a line inside a fraction, but can after each + of the numerator set on the line."""
    match = _OVER_NUMBER.match(piece)
    if len(piece) > _LONG_TEX and match and _balanced(match.group(1)):
        return r"\frac{1}{%s} (%s)" % (match.group(2), _plain_fences(match.group(1)))
    return _plain_fences(piece)


_MATH_SPAN = re.compile(r"(?<!\\)\$")


def _github_safe_math(text: str) -> str:
    """Inline math followed directly by a letter or digit ($E$이다, $w$-axis) in GitHub's
    $`...`$ form, which it renders where it does not render $...$; then every formula of
    the same text (a paragraph, a prompt) in that form too: one kind of delimiter a line."""
    parts = _MATH_SPAN.split(text)
    if len(parts) < 3 or len(parts) % 2 == 0:
        return text
    if not any(parts[i + 1][:1].isalnum() for i in range(1, len(parts), 2) if not parts[i].startswith("`")):
        return text
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        math, after = parts[i], parts[i + 1]
        out.append("$" + math + "$" if math.startswith("`") else "$`" + math + "`$")
        out.append(after)
    return "".join(out)


def one_delimiter_a_line(markdown: str) -> str:
    """Every formula of a line in GitHub's $`...`$ form when one of them is (a worked step
    ``$B = ...$`` with its note's ``$`\\frac{1}{4}`$이하``): one kind of delimiter a line."""
    if "$`" not in markdown:  # no formula in that form (a formula starting so holds "$`")
        return markdown
    out = []
    for line in markdown.split("\n"):
        if "$`" not in line:
            out.append(line)
            continue
        parts = _MATH_SPAN.split(line)
        if len(parts) >= 3 and len(parts) % 2 == 1:
            maths = parts[1::2]
            if any(m.startswith("`") for m in maths) and not all(m.startswith("`") for m in maths):
                for i in range(1, len(parts), 2):
                    if not parts[i].startswith("`"):
                        parts[i] = "`" + parts[i] + "`"
                line = "$".join(parts)
        out.append(line)
    return "\n".join(out)


class Markdown(_TexMath):
    name = "md"

    def _text(self, text, lang, display=None):
        # (``Format.text`` remembers the result, this form included)
        return _github_safe_math(super()._text(text, lang, display))

    def escape(self, text):
        # prose must not open math ($), code (`), emphasis (*) or HTML (<)
        return text.translate(_MD_SPECIAL)

    def code(self, text):
        return "`" + text + "`"


# --- MathML as a browser should show it ------------------------------------------------

#: function names sympy's MathML printer writes in lower case, as the other formats write them
_MATHML_NAMES = {"relu": "ReLU"}
_FENCES = "()[]|"
#: a fence around one of these keeps growing with it (a fraction in parentheses)
_TALL = {"mfrac", "munderover", "msqrt", "mroot", "mtable"}
_INDEX = re.compile(r"[A-Za-z0-9]+([,+-][A-Za-z0-9]+)+\Z")  # i,j  1,2  t-1


def _tall(elements) -> bool:
    return any(node.tag in _TALL for element in elements for node in element.iter())


def _script_tokens(text: str):
    """The tokens of a subscript written as one identifier: "i,j" -> i , j; "t-1" -> t − 1;
    "12" -> 12."""
    tokens = []
    for part in re.split(r"([,+-])", text):
        if part == ",":
            tokens.append(ET.Element("mo", separator="true"))
            tokens[-1].text = ","
        elif part in ("+", "-"):
            tokens.append(ET.Element("mo"))
            tokens[-1].text = "\u2212" if part == "-" else "+"
        elif part:
            tokens.append(ET.Element("mn" if part.isdigit() else "mi"))
            tokens[-1].text = part
    return tokens


def _polish(element) -> None:
    children = list(element)
    for child in children:
        _polish(child)
    # parentheses hug what they enclose unless it is taller than a line (sigma(z), not sigma ( z ))
    if element.tag == "mrow":
        for i, child in enumerate(children):
            if child.tag == "mo" and (child.text or "") in _FENCES and "stretchy" not in child.attrib:
                if not _tall(children):
                    child.set("stretchy", "false")
    # g_t^2 as one base with both scripts, not a subscripted base raised again
    if element.tag == "msup" and len(children) == 2 and children[0].tag == "msub" and len(children[0]) == 2:
        base, sub = list(children[0])
        element.tag = "msubsup"
        element.clear()
        element.extend([base, sub, children[1]])
        children = list(element)
    # a subscript of several indices (w_{i,j}) or a word (sigma_{Xavier}) in the italic of
    # the other formats, not upright as a multi-letter identifier
    if element.tag in ("msub", "msup", "msubsup") and len(children) >= 2:
        for position, script in enumerate(children[1:], start=1):
            text = script.text or ""
            if script.tag != "mi" or len(script) or len(text) < 2:
                continue
            if _INDEX.match(text) or text.isdigit():
                row = ET.Element("mrow")
                row.extend(_script_tokens(text))
                element.remove(script)
                element.insert(position, row)
            elif text.isalpha():
                script.set("mathvariant", "italic")
                script.set("class", "word")
    if element.tag == "mi" and element.text in _MATHML_NAMES:
        element.text = _MATHML_NAMES[element.text]


@functools.lru_cache(maxsize=20000)
@prepared("polish", text_key)
def polish_mathml(markup: str) -> str:
    """sympy's presentation MathML as a browser should show it: parentheses that do not
    stretch around a one-line argument, subscripts and superscripts on one base, index
    lists and word subscripts in italic, ReLU spelled as the other formats spell it."""
    root = ET.fromstring("<mrow>" + markup + "</mrow>")
    _polish(root)
    inner = ET.tostring(root, encoding="us-ascii").decode("ascii")
    return inner[len("<mrow>"):-len("</mrow>")]


_HAS_SUM: Dict[Any, bool] = {}
_NESTED: Dict[Any, Any] = {}  # {formula with a multiple sum: it with nested sums}


class _InnerSum(sp.Sum):
    """A Sum kept apart from the Sum around it (see ``_nested_sums``)."""


class _InnerSum2(sp.Sum):
    """A Sum kept apart from the Sum around it (see ``_nested_sums``)."""


def _nested_sums(expr):
    """Sum(f, (i, ...), (j, ...)) as Sum(Sum(f, (j, ...)), (i, ...)): sympy's MathML printer
    shows only the first range of a multiple sum."""
    if not isinstance(expr, sp.Basic):
        return expr
    has_sum = _HAS_SUM.get(expr)  # the same for expressions sympy calls equal
    if has_sum is None:
        if len(_HAS_SUM) > 100000:
            _HAS_SUM.clear()
        has_sum = _HAS_SUM[expr] = expr.has(sp.Sum)
    if not has_sum:
        return expr
    nested = _NESTED.get(expr)  # a formula's line is printed for every student: rebuilt once
    if nested is None:
        if len(_NESTED) > 20000:
            _NESTED.clear()
        nested = _NESTED[expr] = _nest_sums(expr)
    return nested


def _nest_sums(expr):
    """``_nested_sums``' rebuild of ``expr`` (not remembered)."""
    def nest(s):
        # a Sum directly inside a Sum of the same class is merged back into one: the inner
        # ones alternate between two subclasses (printed as Sum)
        inner = s.function
        for k, limit in enumerate(reversed(s.limits)):
            cls = sp.Sum if k == len(s.limits) - 1 else (_InnerSum, _InnerSum2)[k % 2]
            inner = cls(inner, limit)
        return inner

    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1, nest)


#: operators a long formula may break before (a product of many factors, a long sum)
_BREAK_BEFORE = {"+", "&#x2212;", "\u2212", "&#183;", "\u00b7", "\u22c5", "\u2062", "\u00d7", "-"}
#: a formula shorter than this (in tokens) stays whole
_BREAK_TOKENS = 12


def _pieces_decoded(stored):
    tokens, pieces = stored
    return tokens, None if pieces is None else tuple(pieces)


@prepared("pieces", text_key, decode=_pieces_decoded)
def _top_pieces(markup: str):
    """(tokens, pieces) of a MathML row: its <mi>/<mn>/<mo> count, and its top-level
    children split before each operator a formula may break at (None when it holds no such
    place), a leading operator of a later piece marked infix."""
    root = ET.fromstring("<mrow>" + markup + "</mrow>")
    while len(root) == 1 and root[0].tag == "mrow":
        root = root[0]
    tokens = sum(1 for node in root.iter() if node.tag in ("mi", "mn", "mo"))
    chunks, current = [], []
    for child in root:
        if child.tag == "mo" and child.text in _BREAK_BEFORE and current:
            chunks.append(current)
            current = []
        current.append(child)
    chunks.append(current)
    if len(chunks) == 1:
        return tokens, None
    for chunk in chunks[1:]:  # "+ b" opening a formula of its own is still a binary operator
        if chunk[0].tag == "mo":
            chunk[0].set("form", "infix")
    return tokens, tuple("".join(ET.tostring(c, encoding="us-ascii").decode("ascii") for c in chunk)
                         for chunk in chunks)


@functools.lru_cache(maxsize=20000)
def _break_points(markup: str) -> tuple:
    if sum(markup.count(tag) for tag in ("<mi", "<mn", "<mo")) < _BREAK_TOKENS:
        return (markup,)  # fewer tags than tokens needed (a count at least the tokens'): no parse
    tokens, pieces = _top_pieces(markup)
    if tokens < _BREAK_TOKENS or pieces is None:
        return (markup,)
    return pieces


def break_points(markup: str) -> List[str]:
    """A long MathML formula cut before its top-level operators (``+``, ``-``, a product's
    dot), each piece to be set as its own ``<math>`` so that the line can break there."""
    return list(_break_points(markup))


#: a number in prose whose minus a line could break after: a signed number (-0.5, and a
#: minus sign U+2212) and one in scientific notation (1.2345678e-05); a hyphen after a letter
#: or a digit (top-10, 0-9) is a word's or a range's, not a sign
_SIGNED_NUMBER = re.compile(r"(?<![\w.])(?:[-\u2212]\d+(?:\.\d+)?(?:e[-+]?\d+)?|\d+(?:\.\d+)?e-\d+)")


def _unbroken_number(match) -> str:
    return '<span class="num">' + match.group(0) + "</span>"


class Html(Format):
    name = "html"

    def escape(self, text):
        return html.escape(text, quote=True)

    def prose(self, text):
        # a browser may end a line between a minus and its digits ("x-" / "0.5"): such a
        # number is set whole (sheet.css: span.num does not wrap); its text stays as typed, so
        # that a number copied from the page reads back the same
        escaped = html.escape(text, quote=True)
        if "-" not in escaped and "\u2212" not in escaped:
            return escaped
        return _SIGNED_NUMBER.sub(_unbroken_number, escaped)

    def math_expr(self, expr, display):
        return polish_mathml(symbolic.mathml(_nested_sums(expr), display))

    def math_number(self, value):
        return mathml_number(value)

    def wrap(self, inner):
        return '<math xmlns="%s"><mrow>%s</mrow></math>' % (MATHML_NS, inner)

    def equals(self):
        return "<mo>=</mo>"

    def long_equation(self, pieces):
        # one <math> per piece, each after the first opening with its "=": the line breaks
        # between them as words do (browsers do not break inside a <math>)
        head, *rest = pieces
        maths = [self.wrap(head)]
        for piece in rest:
            chunks = _line_breaks(piece) if isinstance(piece, _NumbersLine) else break_points(piece)
            chunks[0] = self.equals() + chunks[0]
            maths.append("<wbr/>".join(self.wrap(chunk) for chunk in chunks))
        return '<span class="eq">' + "<wbr/>".join(maths) + "</span>"

    def code(self, text):
        return "<code>" + self.escape(text) + "</code>"

    def substituted(self, formula, known):
        names = symbolic.symbol_names(formula)
        if any(name not in known for name in names):
            return None
        # the formula with a mark for each number, printed and polished once per formula and
        # per pattern of parenthesised numbers; then each student's (polished) numbers pasted
        # in: the same markup as polishing the whole line, without parsing it per student
        marked = _marked_line(formula, names, tuple(_negative_or_scientific(known[name]) for name in names))
        if marked is None:
            return None
        numbers = [_polished_number(mathml_number(known[name])) for name in names]
        return _NumbersLine(symbolic.fill_plan(_mark_plan(marked), numbers), marked, numbers)


def _polished_number(markup: str) -> str:
    """``polish_mathml`` of a number's markup (``numbers.mathml_number``: <mn>, a sign, a
    power of ten; nothing for ``_polish`` to change), without the parse: the round trip only
    writes its two entities as decimal character references."""
    return markup.replace("&#x2212;", "&#8722;").replace("&#xD7;", "&#215;")


class _NumbersLine(str):
    """A key line with the numbers put in that remembers its marked form and its numbers, so
    that ``long_equation`` finds its break points without parsing it (``_line_breaks``)."""

    def __new__(cls, text, marked, numbers):
        line = super().__new__(cls, text)
        line.marked, line.numbers = marked, numbers
        return line


@functools.lru_cache(maxsize=20000)
def _marked_breaks(marked: str, count: int):
    """(tokens of the marked line, occurrences of each mark, its pieces or None): what
    ``_break_points`` finds in the line, worked out once per marked line. A number is one
    element where its mark is (an <mn>, or an <mrow> of a sign or a power), never a
    top-level operator, so the pieces are the marked line's with the numbers pasted in; only
    the token count depends on the numbers."""
    tokens, pieces = _top_pieces(marked)
    return tokens, tuple(marked.count(_NUMBER_MARK % i) for i in range(count)), pieces


def _tokens(number: str) -> int:
    """The tokens (<mi>, <mn>, <mo>) of a number's markup, which holds no other tag starting
    so (only <mn>, <mo>, <msup>, <mrow>)."""
    return number.count("<mn") + number.count("<mo") + number.count("<mi")


def _line_breaks(line: "_NumbersLine") -> List[str]:
    """``break_points(line)``, from the marked line's pieces."""
    tokens, occurrences, pieces = _marked_breaks(line.marked, len(line.numbers))
    tokens += sum(n * (_tokens(number) - 1) for n, number in zip(occurrences, line.numbers))
    if pieces is None or tokens < _BREAK_TOKENS:
        return [str(line)]
    return [symbolic.fill_plan(_mark_plan(piece), line.numbers) for piece in pieces]


_NUMBER_MARK = "<mi>QQ%03dQQ</mi>"  # an identifier _polish leaves alone (not a word, an index or a name)
_ANY_NUMBER_MARK = re.compile(r"<mi>QQ(\d{3})QQ</mi>")


@functools.lru_cache(maxsize=20000)
def _mark_plan(marked: str) -> tuple:
    """``marked`` cut at its number marks, as ``symbolic.substitution_plan`` cuts a formula:
    its text between them, and (i, False) where ``_NUMBER_MARK % i`` stands (each student's
    numbers then go in with one join, ``symbolic.fill_plan``)."""
    return tuple((int(piece), False) if j % 2 else piece
                 for j, piece in enumerate(_ANY_NUMBER_MARK.split(marked)) if piece)


#: where number i goes when its sign may need parentheses (a mark _polish leaves alone too)
_WRAPPABLE_MARK = "<mi>QW%03dQW</mi>"


@functools.lru_cache(maxsize=20000)
@prepared("marked", lambda formula, names: text_key(formula_key(formula) + "\x1e" + "\x1f".join(names)))
def _marked_form(formula, names):
    """The formula printed and polished once with two marks per number: where it stands
    alone in brackets (``_NUMBER_MARK``) and where a negative or scientific number needs
    parentheses of its own (``_WRAPPABLE_MARK``)."""
    numbers = {name: _WRAPPABLE_MARK % i for i, name in enumerate(names)}
    bare = {name: _NUMBER_MARK % i for i, name in enumerate(names)}
    shown = symbolic.substituted(_nested_sums(formula), numbers, "mathml", bare)
    return None if shown is None else polish_mathml(shown)


@functools.lru_cache(maxsize=None)
def _wrapped_mark(i: int) -> str:
    """Mark i in parentheses, polished: a pair of non-stretching fences around one token,
    which is what polishing gives them inside any formula (a mark is never tall, never a
    script's word or index, never a fence: nothing around it polishes differently)."""
    return polish_mathml("<mrow><mo>(</mo>%s<mo>)</mo></mrow>" % (_NUMBER_MARK % i))


@functools.lru_cache(maxsize=20000)
def _marked_line(formula, names, parenthesised):
    """The polished formula with a mark for each number, the numbers that need it in
    parentheses: the formula is printed and polished once (``_marked_form``), each
    pattern of parenthesised numbers is pasted in."""
    form = _marked_form(formula, names)
    if form is None:
        return None
    for i, wrap in enumerate(parenthesised):
        form = form.replace(_WRAPPABLE_MARK % i, _wrapped_mark(i) if wrap else _NUMBER_MARK % i)
    return form


_TEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
})


class Latex(_TexMath):
    name = "tex"

    def long_equation(self, pieces):
        # TeX breaks an inline formula after its "=" signs and operators by itself, but not
        # inside \left...\right or a fraction: one-line groups lose their \left...\right
        head, *rest = pieces
        return self.equation([head] + [_breakable_tex(piece) for piece in rest])

    def escape(self, text):
        return text.translate(_TEX_SPECIAL)

    def code(self, text):
        # straight quotes; never split (a name, a number or a call is read whole: only the
        # code's own spaces may end a line), a line that cannot hold it ends short
        out = []
        for char in text:
            if char == "'":
                out.append(r"\textquotesingle{}")
            elif char == '"':
                out.append(r"\textquotedbl{}")
            else:
                out.append(self.escape(char))
        return r"\code{" + "".join(out) + "}"


class Plain(Format):
    """Plain text without markup (the comments of the answers file)."""

    name = "text"

    def math_expr(self, expr, display):
        return plain(expr, display)

    def math_number(self, value):
        return format_number(value)

    def wrap(self, inner):
        return inner

    def equals(self):
        return " = "


FORMAT_CLASSES = {"md": Markdown, "html": Html, "tex": Latex, "text": Plain}


def get_format(name: str) -> Format:
    return FORMAT_CLASSES[name]()


# --- the view of one problem -------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter(i: int) -> str:
    """a, b, ..., z, aa, ab, ...: the label of the i-th question (0-based)."""
    return LETTERS[i] if i < len(LETTERS) else LETTERS[i // 26 - 1] + LETTERS[i % 26]


#: Formulas with more symbols than this get no line with the numbers put in.
MAX_SUBSTITUTED = 12


def step_line(fmt: Format, step: Step, display, known=None) -> str:
    """``symbol = formula = formula with numbers = value``, as the seed writes
    "z1 = 0.03 + 0.05 = 0.08" (parts that would repeat themselves are left out).
    ``known`` holds the exact values of the givens and earlier steps by name."""
    head, formula, substitutable, numeric = _step_head(fmt, step.name, step.formula, display)
    pieces = list(head)
    if formula is not None:
        if numeric is None:
            if known is not None and substitutable:
                numbers = fmt.substituted(formula, known)
                if numbers is not None:
                    pieces.append(numbers)
        elif step.value is None or sp.sympify(step.value) != formula:
            pieces.append(numeric)
    if step.value is not None:
        pieces.append(fmt.math_number(step.value))
    return fmt.long_equation(pieces)


_HEADS: Dict[tuple, tuple] = {}


def _step_head(fmt: Format, name: str, formula, display) -> tuple:
    """What a step's line shows before the numbers, the same for every student whose display
    has the same content: (``symbol = formula`` pieces, the formula, whether its numbers may be
    put in, the formula's own markup when it is a number)."""
    key = (type(fmt), name, formula, symbolic.display_number(display or symbolic._EMPTY))
    hit = _HEADS.get(key)
    if hit is not None:
        return hit
    pieces = [fmt.math_expr(sp.Symbol(name), display)]
    substitutable, numeric = False, None
    if formula is not None:
        formula = sp.sympify(formula)
        if not formula.is_number:
            shown = fmt.math_expr(formula, display)
            if shown != pieces[0]:  # a step named by its own formula: sigma(x_1) = sigma(0.6)
                pieces.append(shown)
            substitutable = not formula.is_Symbol and len(symbolic.symbol_names(formula)) <= MAX_SUBSTITUTED
        else:
            numeric = fmt.math_expr(formula, display)
    if len(_HEADS) > 100000:
        _HEADS.clear()
    hit = _HEADS[key] = (tuple(pieces), formula, substitutable, numeric)
    return hit


def answer_text(fmt: Format, question, lang: str, display) -> str:
    if question.kind == "choice":  # the key answers.toml wants, then the choice's words
        return (fmt.code(question.answer) + fmt.escape(" (") + fmt.text(question.choices[question.answer], lang, display)
                + fmt.escape(")"))
    if question.kind == "integer":
        return fmt.number(sp.Integer(int(question.answer)))
    return fmt.number(question.answer)


def figure_file(key: str) -> str:
    """Where a Markdown sheet finds the drawing of problem ``key`` (next to the sheet)."""
    return f"figures/{key}.svg"


def _displayable(value) -> bool:
    try:
        number_parts(value)
    except (TypeError, ValueError):
        return False
    return True


def _connections(fmt: Format, lang: str, spec, display) -> List[str]:
    """"w_1: x_1 -> h_1" for every weight of a drawn network and "b_3: h_3" for every bias:
    the text says which units each weight connects, not only the figure."""
    def name(n):
        return fmt.math_expr(sym(n), display)

    arrow = {"html": "<mo>&#8594;</mo>", "text": " -> "}.get(fmt.name, r" \to ")
    colon = {"html": "<mo>:</mo>", "text": ": "}.get(fmt.name, r"\colon ")
    out = [fmt.wrap(name(weight) + colon + name(src) + arrow + name(dst)) for src, dst, weight in spec.get("edges", ())]
    bias_of = i18n.words(lang)["bias_of"]
    for unit, bias in spec.get("biases", {}).items():
        out.append(fill(fmt, bias_of, bias=fmt.wrap(name(bias)), unit=fmt.wrap(name(unit))))
    return out


def problem_view(problem: Problem, fmt: Format, lang: str, number: int, key: str, figure: bool = True) -> Dict[str, Any]:
    """Everything a template shows of one problem, as strings in ``fmt``."""
    display = problem.display
    givens = []
    for given in problem.givens:
        label = fmt.text(given.label, lang) if given.label is not None else ""
        item = fmt.equation([fmt.math_expr(sym(given.name), display), fmt.math_number(given.value)])
        if givens and givens[-1]["label"] == label:
            givens[-1]["items"].append(item)
        else:
            givens.append({"label": label, "items": [item]})
    questions = []
    for i, question in enumerate(problem.questions):
        choices = []
        if question.kind == "choice":
            choices = [
                {"key": fmt.code(ckey), "text": fmt.text(ctext, lang, display)}
                for ckey, ctext in question.choices.items()
            ]
        questions.append(
            {
                "letter": letter(i),
                "key": fmt.code(question.key),
                "prompt": fmt.text(question.prompt, lang, display),
                "kind": question.kind,
                "choices": choices,
                "answer": answer_text(fmt, question, lang, display),
            }
        )
    steps = []
    known = {}
    for given in problem.givens:
        if _displayable(given.value):
            known[given.name] = given.value
    for step in problem.steps:
        if step.formula is None and step.value is None:
            steps.append({"heading": fmt.text(step.note, lang, display) if step.note else "", "line": "", "note": ""})
            continue
        line = step_line(fmt, step, display, known)
        if step.value is not None and _displayable(step.value):
            known[step.name] = step.value
        steps.append(
            {
                "heading": "",
                "line": line,
                "note": fmt.text(step.note, lang, display) if step.note else "",
            }
        )
    connections = []
    if isinstance(problem.figure, dict):    # a network drawing (a plot lists no connections)
        connections = _connections(fmt, lang, problem.figure, display)
    drawing = key_drawing = ""
    if figure and problem.figure:
        from generator import figures

        if fmt.name == "md":
            drawing = key_drawing = figure_file(key)
        elif not isinstance(problem.figure, dict):  # a plot (generator/plots.py): the key's may differ
            drawing, key_drawing = (problem.figure.embed(fmt.name, lang, key, k) for k in (False, True))
        else:
            drawing = key_drawing = figures.draw(problem.figure, fmt.name, display)
    return {
        "number": number,
        "key": fmt.code(key),
        "family": fmt.escape(problem.family),
        "variant": fmt.escape(problem.variant),
        "title": fmt.text(problem.title, lang, display),
        "intro": [fmt.text(t, lang, display) for t in problem.intro],
        "givens": givens,
        "figure": drawing,
        "connections": connections,
        "key_figure": key_drawing,
        "caption": fmt.text(problem.figure.caption, lang) if getattr(problem.figure, "caption", None) else "",
        "questions": questions,
        "steps": steps,
        "remarks": [fmt.text(t, lang, display) for t in problem.remarks],
    }


# --- templates -----------------------------------------------------------------------

#: names a plain dict has as attributes (``group.items`` is the method, as in jinja2)
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """jinja2's environment with a faster ``p.title`` on the views (plain dicts): the key
    directly, where jinja2 would first fail an attribute lookup (an exception per access,
    thousands per sheet). Same meaning: a dict's own attributes (``items``, ``keys``) still
    win, and a missing key falls back to jinja2's lookup (an undefined value)."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        # a sheet template's Python code is generated once and kept in the prepared table
        # (generator/prepared.py); only Python's own compile of it is left for each run
        if isinstance(source, str) and name is not None and not raw and not defer_init:
            return self._compile(_template_code(self, name, source), filename or "<template>")
        return super().compile(source, name, filename, raw, defer_init)


@prepared("templates", lambda env, name, source: text_key(jinja2.__version__ + "\x1e" + name + "\x1e" + source))
def _template_code(env: jinja2.Environment, name: str, source: str) -> str:
    """The Python code jinja2 generates for the template ``name`` with the text ``source``
    (keyed by jinja2's version too: another version generates other code)."""
    return jinja2.Environment.compile(env, source, name, raw=True)


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    return _Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # every string is escaped for its format in problem_view
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_words(fmt: Format, lang: str, answers_file: str, mode: str = "open") -> Dict[str, str]:
    """The page's words for ``fmt``; the instructions say how a sheet of ``mode`` (open,
    graded, practice) is handed in and checked."""
    if mode not in i18n.MODES:
        raise ValueError(f"unknown sheet mode {mode!r}")
    raw = i18n.words(lang)
    table = {key: fill(fmt, value) for key, value in raw.items()}
    table["instructions"] = fill(
        fmt,
        raw["instructions_" + mode],
        file=fmt.code(answers_file),
        command=fmt.code("chainrule check " + answers_file),
    )
    table["generated_by"] = fill(fmt, raw["generated_by"], version=fmt.escape(__version__))
    if fmt.name == "tex":  # the page's number and the sheet's page count (sheet.tex.j2's \sheetpages)
        table["page_of"] = fill(fmt, raw["page_of"], page="\\thepage{}", pages="\\sheetpages{}")
    return table


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string for a <style> element (where no HTML entity is read):
    quotes, backslashes, control characters and ``<``, ``>``, ``&`` as CSS escapes."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\<>&' or c < " " or c == "\x7f" else c for c in text) + '"'


def print_heads(lang: str, student_id: str, name: str) -> Dict[str, str]:
    """The running head of a printed HTML sheet as CSS ``content`` values (@page margin
    boxes): {"worksheet": ..., "key": ..., "page": "page 3 of 19"}, the student's id and
    name in the sheet kind's line, the page words with the page counters."""
    raw = i18n.words(lang)
    who = student_id + (f" ({name})" if name else "")
    page = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(raw["page_of"]):
        if literal:
            page.append(css_string(literal))
        if field is not None:
            page.append({"page": "counter(page)", "pages": "counter(pages)"}[field])
    return {
        "worksheet": css_string(f"{raw['worksheet']} \u00b7 {who}"),
        "key": css_string(f"{raw['answer_key']} \u00b7 {who}"),
        "page": " ".join(page),
    }


def fill(fmt: Format, template: str, **rendered: str) -> str:
    """Escape ``template`` for ``fmt`` and put the already rendered pieces in its {slots}.

    A slot without a value is left as written (the generic table is filled in twice)."""
    out = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(template):
        out.append(fmt.prose(literal))
        if field is not None:
            out.append(rendered[field] if field in rendered else fmt.escape("{" + field + "}"))
    return "".join(out)


def render_sheet(
    kind: str,
    problems: List[Problem],
    keys: List[str],
    fmt_name: str,
    lang: str,
    student: Dict[str, str],
    seed: Optional[int],
    answers_file: str = "answers.toml",
    mode: str = "open",
) -> str:
    """A worksheet (``kind="worksheet"``) or answer key (``kind="key"``) as a string."""
    if kind not in ("worksheet", "key"):
        raise ValueError(kind)
    return render_sheets(problems, keys, fmt_name, lang, student, seed, answers_file, kinds=(kind,), mode=mode)[kind]


def render_sheets(
    problems: List[Problem],
    keys: List[str],
    fmt_name: str,
    lang: str,
    student: Dict[str, str],
    seed: Optional[int],
    answers_file: str = "answers.toml",
    kinds: Sequence[str] = ("worksheet", "key"),
    mode: str = "open",
    unicode: bool = False,
) -> Dict[str, str]:
    """{kind: text} for the worksheet and the key, sharing one view of the problems; ``mode``
    (the sheet's: open, graded or practice) decides how the worksheet says to check it.
    ``unicode``: the TeX source is for XeLaTeX or LuaLaTeX (a name pdfLaTeX cannot set,
    ``generator.pdf.name_engine``), which need kotex only for letters beyond Latin."""
    fmt = get_format(fmt_name)
    views = [
        problem_view(problem, fmt, lang, number=i + 1, key=keys[i])
        for i, problem in enumerate(problems)
    ]
    name = student.get("name") or ""
    if fmt_name == "tex":  # composed letters (e + U+0301 as one é): inputenc knows only those
        name = unicodedata.normalize("NFC", name)
    context = {
        "lang": lang,
        # kotex's fonts set Hangul (and Hanja, kana, Greek, Cyrillic): a Korean sheet, or an
        # English one for a student whose name has such letters (generator/pdf.py)
        "kotex": lang == "ko" or needs_kotex(name, unicode),
        "w": page_words(fmt, lang, answers_file, mode),
        "student_id": fmt.escape(student["id"]),
        "student_name": fmt.escape(name),
        "seed": "" if seed is None else str(seed),
        "problems": views,
    }
    if fmt_name == "html":  # the running heads of the printed pages (sheet.html.j2's @page)
        context["print_head"] = print_heads(lang, student["id"], name)
    template = environment().get_template(f"sheet.{fmt_name}.j2")
    keyed = dict(context, problems=[dict(view, figure=view["key_figure"]) for view in views])
    sheets = {kind: template.render(kind=kind, **(keyed if kind == "key" else context)) for kind in kinds}
    if fmt_name == "md":
        sheets = {kind: one_delimiter_a_line(text) for kind, text in sheets.items()}
    return sheets
