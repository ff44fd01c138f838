"""Pairs of submissions whose code is nearly the same: MOSS-style winnowing.

Every ``.py`` file of a submission (and every notebook's code cells, each after a
``# cell N`` line), in every folder below it (code moved into a
subpackage counts as much as the modules themselves; hidden folders, caches and virtual
environments are left out, as grading leaves them out), is turned into tokens with
Python's ``tokenize``: comments, blank lines, whitespace (newlines, indentation), ``;``
and statements that do nothing (``pass``, ``...``, a docstring or other bare string or
literal, ``x = x``: ``no_op``; padding a copy with them once hid it) are dropped, every name becomes ``V`` (except a name after a dot: ``np.exp`` stays
``V.exp``), every number ``N`` and every string ``S``, except a string literal that is
itself Python code (what ``exec(compile('...'))`` runs): its own tokens stand in its
place. Every run of ``K`` consecutive tokens is hashed; winnowing (Schleimer, Wilkerson
and Aiken, 2003) keeps the smallest hash of every window of ``W`` consecutive ones, so
any shared run of at least ``K + W - 1`` tokens is found, and the kept hashes (the
fingerprints, each once per submission) remember their file and lines.

Text every student was given is never counted, nor anything made of it: as MOSS removes
the matches against a base file, every token of a submission that lies inside a run of
``SKELETON_RUN`` tokens found anywhere in the exercise skeleton (``exercises/``, its
docstrings, ``# TODO`` lines' code around them, ``raise NotImplementedError``) is removed
before fingerprinting, and so is every statement the skeleton holds at the same place (in
the function of the same name): the same text (``x = as_float(x)``), and whatever its text
the ``def`` line of a function it hands out and that function's docstring (a ``def tanh(x):``
line and its docstring are about 7 tokens, too few for a run of ``SKELETON_RUN``; kept, they
joined the one-liners around them into stretches long enough to count). Each stretch of the
student's own tokens between removed ones is fingerprinted on its own (``own_runs``): no
``K``-gram spans the skeleton's text and an edit, so a stretch shorter than ``K`` tokens (a
one-line answer such as ``return np.tanh(x)``) yields no fingerprint, and the passages shown
are the student's own lines. Code put on a ``def`` line after its ``:``, or in a docstring
that is code, is the student's own and counts.

The work per submission is bounded: at most ``MAX_TOKENS`` tokens (counted after comments
and blank lines are dropped; a full solution of every exercise is about 3,000) and
``MAX_LINE_BYTES`` of lines, at most ``MAX_OTHER_LINES`` of them comment or blank lines
(every line goes to the tokenizer: a "#" line may close a string), read from at most
``MAX_FILES`` files of at most ``MAX_FILE_BYTES`` each; string literals parsed as code,
``MAX_CODE_BYTES`` in all. A submission cut at that bound says so (``capped``), and the class summary lists it: a pointer to look at, since
padding could push copied code past the bound. A submission that runs code built at run
time (``exec``, ``eval``, ``compile``, ``__import__``, ``importlib``) is listed too
(``dynamic``), since code assembled from pieces cannot be compared.

A fingerprint found in more than ``max(MAX_COMMON, n / 10)`` of the ``n`` submissions is
common code (an idiom, or text handed out elsewhere) and is ignored, as MOSS ignores
passages in more than 10 programs by default (a submission most of whose code is such is
listed on its own, ``mostly_common``: a solution copied by more students than that makes no
pair). Two submissions are a pair when they share
a fingerprint that is not common and (common ones never counted)

- all of their own code is the same (every stretch of it, one-line answers too, in order:
  ``own``), whatever its size, and they share a rare fingerprint: a copy of a short partial
  submission;
- or they share at least ``MIN_FEW`` rare fingerprints covering at least ``MIN_MOST`` of each
  one's: a short submission copied with an edit or two;
- or they share at least ``MIN_SHARED`` fingerprints covering at least ``MIN_SHARE`` of the
  smaller one's.

A fingerprint stands for a run of at least ``K`` tokens of the student's own, so one-line
answers (``return np.maximum(0, x)``), which every honest student writes alike, never make a
pair on their own, by any rule: two submissions whose own code is the same one-liners and
nothing else share no fingerprint. The two rules for short code count only rare
fingerprints, held by at most ``MAX_RARE`` submissions: short code that more students wrote
alike (the form the skeleton's hints lead to: a stable sigmoid, a shifted softmax) is no sign
of a copy, however small the class. A submission with fewer than ``MIN_FEW`` fingerprints is
too short for the two rules on shared fingerprints (``too_short``): the summary says how
many there were. It is a pointer for the instructor, never a verdict: short functions that
everyone writes alike match too.
"""

from __future__ import annotations

import ast
import hashlib
import io
import keyword
import os
import re
import tokenize

from chainrule_core.errors import ChainruleError
from grader.escape import clean

K = 25                  # tokens per hashed run (copydetect's noise threshold)
W = 6                   # window: runs of K + W - 1 = 30 tokens are always found
SKELETON_RUN = 10       # a submission's token inside a run this long that the skeleton holds is removed
MIN_SHARED = 15         # a pair: this many shared fingerprints, covering MIN_SHARE of the smaller one's,
MIN_SHARE = 0.5
MIN_FEW = 3             # or this many rare ones, covering MIN_MOST of each one's (a short submission's copy),
MIN_MOST = 0.8
MAX_RARE = 3            # a fingerprint held by at most this many submissions is rare (the short-code rules)
                        # or all of the two submissions' own code the same (and one fingerprint shared)
MAX_COMMON = 10
MAX_TOKENS = 40_000     # per submission, after comments and blank lines (a full solution: ~3,000)
MAX_FILES = 300         # .py files read per submission
MAX_FILE_BYTES = 8 << 20    # read of one file
MAX_CODE_STRING = 64 * 1024     # a string literal longer than this is not parsed as code
MAX_CODE_BYTES = 1 << 20        # string literals parsed as code, per submission
MAX_LINE_BYTES = 16 << 20       # lines tokenized, per submission
MAX_OTHER_LINES = 200_000       # comment and blank lines tokenized, per submission (each costs the tokenizer)
MAX_DEPTH = 2           # code in a string in a string ... is read this deep
DYNAMIC = ("exec", "eval", "compile", "__import__", "importlib")

_DROP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_SKIP = {getattr(tokenize, n) for n in ("FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}
# a line that holds code: neither blank nor only a comment. Every line goes to the tokenizer
# (a "#" line may lie inside a string, which the next line closes: skipping it hid the code
# after it); comment and blank lines count towards a bound of their own, in lines (the
# tokenizer's cost is per line; thousands of comment lines above copied code hide nothing),
# and their COMMENT tokens never count towards MAX_TOKENS
_CODE_LINE = re.compile(r"[ \t\f]*[^\s#]")
_STRING_PREFIX = re.compile(r"(?i)^[ru]*['\"]")


class _Budget:
    """The tokens a submission may still produce, and what was met on the way."""

    def __init__(self, tokens=MAX_TOKENS):
        self.left = tokens
        self.parse_left = MAX_CODE_BYTES
        self.bytes_left = MAX_LINE_BYTES      # what a never-closed string would feed the tokenizer
        self.other_left = MAX_OTHER_LINES
        self.capped = False
        self.dynamic = set()


def _as_code(literal, depth, budget):
    """The text of a string literal token when it is Python code worth reading, else None."""
    if (depth >= MAX_DEPTH or len(literal) > min(MAX_CODE_STRING, budget.parse_left)
            or not _STRING_PREFIX.match(literal)):
        return None
    budget.parse_left -= len(literal)
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, str) or len(value) < 2 * K:
        return None
    try:
        tree = ast.parse(value)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    # prose that happens to parse (a docstring "Returns x") is one bare expression
    if not any(not isinstance(node, ast.Expr) for node in tree.body):
        return None
    return value


class _Statements:
    """Where each token of a file stands: its statement (a logical line, or the header of a
    ``def``/``class`` up to its ``:``, apart from a body on the same line) and that
    statement's place, the path of the ``def``/``class`` names around it (``tanh``,
    ``Model.forward``; ``""`` at the top level). ``keys()``: per token, the keys of its
    statement (``statement_keys``)."""

    def __init__(self):
        self.indent = 0
        self.stack = []         # [(indent, name)]: the defs and classes around the current line
        self.current = None     # the statement being read: a dict, None between statements
        self.inline = False     # the next statement is a body on its def's line: same place
        self.paren = 0
        self.of = []            # per token kept: its statement
        self.last = None        # the statement of the last token seen

    def place(self):
        return ".".join(name for _, name in self.stack)

    def see(self, tok):
        """Follow ``tok`` (every token the tokenizer gives); False when it ends nothing
        kept (INDENT, DEDENT, NEWLINE), True otherwise."""
        kind = tok.type
        if kind == tokenize.INDENT:
            self.indent += 1
            return False
        if kind == tokenize.DEDENT:
            self.indent = max(0, self.indent - 1)
            return False
        if kind == tokenize.NEWLINE:
            self.current, self.inline = None, False
            return False
        if kind in _DROP:
            return False
        st = self.current
        if st is None:      # a statement starts here
            if not self.inline:
                while self.stack and self.stack[-1][0] >= self.indent:
                    self.stack.pop()
            header = kind == tokenize.NAME and tok.string in ("def", "class", "async")
            st = self.current = {"place": self.place(), "header": header, "named": False, "raw": [],
                                 "string": True, "code": False, "inline": self.inline}
            self.paren, self.inline = 0, False
        named_here = st["header"] and not st["named"] and kind == tokenize.NAME
        if named_here and st["raw"] and st["raw"][-1] in ("def", "class"):
            self.stack.append((self.indent, tok.string))
            st["place"], st["named"] = self.place(), True
        st["raw"].append(tok.string)
        self.last = st
        if kind != tokenize.STRING:
            st["string"] = False
        if kind == tokenize.OP:
            if tok.string in "([{":
                self.paren += 1
            elif tok.string in ")]}":
                self.paren = max(0, self.paren - 1)
            elif tok.string == ":" and self.paren == 0 and st["header"] and st["named"]:
                self.current, self.inline = None, True      # the header ends; a body may follow on its line
            elif tok.string == ";" and self.paren == 0:
                # ``a; pass``: two statements, the next in the same place (a def's body on its line too)
                self.current, self.inline = None, st["inline"]
        return True

    def keys(self):
        made = {}
        out = []
        for st in self.of:
            keys = made.get(id(st))
            if keys is None:
                keys = made[id(st)] = statement_keys(st)
            out.append(keys)
        return out


#: a statement of one of these alone does something (``return``, ``break``): never a no-op
_ALONE = frozenset(("return", "break", "continue", "raise", "yield", "await"))
#: statements that are more than an expression (a header, a jump, an import...)
_STATEMENT_WORDS = frozenset(("return", "if", "elif", "else", "for", "while", "with", "try", "except", "finally",
                              "def", "class", "import", "from", "raise", "del", "global", "nonlocal", "assert",
                              "break", "continue", "async", "yield", "await", "match", "case", "type"))
_ASSIGN = frozenset(("=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "^=", "|=", "@=", ":="))
#: ``x += 0``, ``x *= 1``...: an augmented assignment that leaves the value as it is
_NEUTRAL = {"+=": "0", "-=": "0", "|=": "0", "^=": "0", "*=": "1", "/=": "1", "//=": "1", "**=": "1"}


def _literal(word):
    return word in ("None", "True", "False", "...") or word[:1].isdigit() or (word[:1] == "." and word[1:2].isdigit())


def _calls(raw):
    """Whether the tokens ``raw`` hold a call, ``yield``, ``await`` or ``:=`` (what can do something)."""
    for i, word in enumerate(raw):
        if word in ("yield", "await", ":="):
            return True
        if word == "(" and i:
            before = raw[i - 1]
            if ((before.isidentifier() and not keyword.iskeyword(before)) or before in (")", "]", "}")
                    or before[-1:] in ("'", '"')):
                return True
    return False


def no_op(st):
    """Whether the statement ``st`` (``_Statements``) does nothing: ``pass``, ``...``, a string
    that is not code (a docstring), an expression without a call (``0``, ``(0)``, ``-1``, ``[]``,
    ``x == x``, ``x``), ``x = x``, ``x = (x)``, ``x = x + 0``, ``x += 0``, ``x *= 1``, ``_ = 0``,
    ``assert 1``, ``if 0: pass``. Its tokens are left out (``tokens``): such a line after every
    few statements once broke every shared run of a renamed copy (trial 18b, review 18), and no
    such line is anyone's own work. (Padding of other forms can still break runs: a pair is a
    pointer, its absence no proof.)"""
    raw = st["raw"][:-1] if st["raw"][-1:] == [";"] else st["raw"]
    if st["header"] or st["code"]:
        return False
    if not raw or st["string"]:
        return True
    first = raw[0]
    if len(raw) == 1:
        return first not in _ALONE and (first == "pass" or _literal(first) or first.isidentifier()
                                        and not keyword.iskeyword(first))
    if first in ("assert", "if", "while") and len(raw) >= 2 and _literal(raw[1]):
        # assert 1; if 0: pass (a literal condition, a body that does nothing)
        return len(raw) == 2 if first == "assert" else (raw[2:3] == [":"] and len(raw) == 4
                                                         and (raw[3] == "pass" or _literal(raw[3])))
    if first in _STATEMENT_WORDS or _calls(raw):
        return False
    depth, at = 0, None
    for i, word in enumerate(raw):
        if word in ("(", "[", "{"):
            depth += 1
        elif word in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and word in _ASSIGN:
            at = i
            break
    if at is None:
        return True     # an expression without a call: nothing happens
    target, op, value = raw[:at], raw[at], raw[at + 1:]
    if len(target) != 1 or not target[0].isidentifier():
        return False
    name = target[0]
    if op in _NEUTRAL:
        return value == [_NEUTRAL[op]]
    return op == "=" and (name == "_" or value in ([name], ["(", name, ")"], [name, "+", "0"], [name, "-", "0"],
                                                   [name, "*", "1"], [name, "/", "1"]))


def statement_keys(st):
    """What marks a statement as the skeleton's text wherever the skeleton holds the same at the
    same place (``own_runs``): its exact text there; for the header of a ``def`` or ``class``,
    being that header (whatever its parameters); for a bare string that is not code (a
    docstring), being a docstring there (whatever it says)."""
    keys = [_hash(["\x00text", st["place"], "\x1f".join(st["raw"])])]
    if st["header"] and st["named"]:
        keys.append(_hash(["\x00def", st["place"]]))
    if st["string"] and not st["code"]:
        keys.append(_hash(["\x00doc", st["place"]]))
    return tuple(keys)


def tokens(source, budget=None, depth=0, statements=None):
    """``[(token, line), ...]``: the normalised tokens of ``source`` (as far as it tokenizes,
    and as far as ``budget`` allows). ``statements``: a list that receives, per token
    returned, the keys of its statement (``statement_keys``)."""
    budget = budget if budget is not None else _Budget()
    where = _Statements()   # each token's statement: no-ops are left out, ``statements`` gets the keys
    lines = io.StringIO(source.replace("\r\n", "\n").replace("\r", "\n"))

    def readline():
        if budget.left <= 0 or budget.bytes_left <= 0 or budget.other_left <= 0:
            budget.capped = True
            return ""
        line = lines.readline()
        budget.bytes_left -= len(line)
        if not _CODE_LINE.match(line):
            budget.other_left -= 1
        return line

    out = []
    previous = None
    try:
        for tok in tokenize.generate_tokens(readline):
            kind = tok.type
            if kind == tokenize.ERRORTOKEN and tok.string.isspace():
                continue
            if not where.see(tok):
                continue
            if kind in _DROP or kind in _FSTRING_SKIP or (kind == tokenize.OP and tok.string == ";"):
                continue        # layout: a ";" ends a statement as a line does
            line = tok.start[0]
            if kind == tokenize.NAME:
                if keyword.iskeyword(tok.string) or previous == ".":
                    text = tok.string
                else:
                    text = "V"
                    if tok.string in DYNAMIC:
                        budget.dynamic.add(tok.string)
            elif kind == tokenize.NUMBER:
                text = "N"
            elif kind == tokenize.STRING:
                code = _as_code(tok.string, depth, budget)
                if code is not None:        # exec(compile('<source>')): its tokens, at this line
                    inner = tokens(code, budget, depth + 1)
                    out.extend((t, line) for t, _ in inner)
                    where.last["code"] = True   # they belong to the statement that holds the string
                    where.of.extend([where.last] * len(inner))
                    previous = inner[-1][0] if inner else previous
                    continue
                text = "S"
            elif kind == _FSTRING_START:
                text = "S"
            else:
                text = tok.string
            out.append((text, line))
            where.of.append(where.last)
            previous = text
            budget.left -= 1
            if budget.left <= 0:
                budget.capped = True
                break
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError):
        pass            # student code need not be valid: the tokens so far still count
    if budget.left <= 0:
        budget.capped = True
    judged = {}     # per statement, not per token: a statement may hold thousands
    kept = []
    for st in where.of:
        keep = judged.get(id(st))
        if keep is None:
            keep = judged[id(st)] = not no_op(st)
        kept.append(keep)
    if not all(kept):
        out = [tok for tok, keep in zip(out, kept) if keep]
    if statements is not None:
        statements.extend(keys for keys, keep in zip(where.keys(), kept) if keep)
    return out


def _hash(run):
    return int.from_bytes(hashlib.blake2b("\x1f".join(run).encode(), digest_size=8).digest(), "big")


def kgrams(toks):
    """``[(hash, first line, last line), ...]`` of every run of ``K`` tokens."""
    words = [t for t, _ in toks]
    return [(_hash(words[i:i + K]), toks[i][1], toks[i + K - 1][1]) for i in range(len(words) - K + 1)]


def winnow(grams):
    """The fingerprints of ``grams``: the smallest hash of each window (rightmost on ties)."""
    if not grams:
        return []
    if len(grams) <= W:
        return [min(grams, key=lambda g: g[0])]
    chosen, last = [], -1
    for start in range(len(grams) - W + 1):
        window = grams[start:start + W]
        best = min(range(W), key=lambda i: (window[i][0], -i))
        if start + best != last:
            last = start + best
            chosen.append(grams[last])
    return chosen


def _skipped(name):
    from grader.submission_copy import not_graded

    return not_graded(name) or name.startswith(".")


def python_files(folder, limit=MAX_FILES):
    """``[(relative path with '/', path), ...]``: the ``.py`` files of ``folder`` and of every
    folder below it (no links, nothing grading leaves out), the top level first, then by
    path; at most ``limit``."""
    root = os.path.realpath(folder)
    found = []
    for base, dirs, files in os.walk(folder):       # os.walk follows no link to a folder
        dirs[:] = sorted(d for d in dirs if not _skipped(d) and not os.path.islink(os.path.join(base, d)))
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES) or _skipped(name):
                continue
            path = os.path.join(base, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            if not os.path.realpath(path).startswith(root + os.sep):
                continue
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            found.append((rel, path))
    found.sort(key=lambda f: (f[0].count("/"), f[0]))
    return found[:limit]


#: what is compared: modules, and notebooks (a notebook course hands in ``<module>.ipynb``)
SOURCE_SUFFIXES = (".py", ".ipynb")


def read_source(path):
    """The text of a source file as the check reads it (at most ``MAX_FILE_BYTES``; of a
    notebook, its code cells: ``source_text``)."""
    from grader.limits import MAX_NOTEBOOK_BYTES

    notebook = path.endswith(".ipynb")
    with open(path, "rb") as handle:
        data = handle.read(MAX_NOTEBOOK_BYTES + 1 if notebook else MAX_FILE_BYTES)
    return source_text(path, data)


def source_text(name, data):
    """The text compared of a file named ``name`` holding ``data`` (bytes): a module's text; a
    notebook's code cells, each after a ``# cell N`` line (N as Jupyter numbers cells, so a
    passage's lines can be found in it), nothing for a notebook that cannot be read."""
    if not name.endswith(".ipynb"):
        return data[:MAX_FILE_BYTES].decode("utf-8", "replace")
    import json

    from grader.limits import MAX_NOTEBOOK_BYTES
    from grader.notebooks import code_cells

    if len(data) > MAX_NOTEBOOK_BYTES:
        return ""
    try:
        nb = json.loads(data.decode("utf-8"))
        cells = code_cells(nb) if isinstance(nb, dict) and isinstance(nb.get("cells"), list) else []
    except (ValueError, RecursionError, ChainruleError):
        return ""
    return "\n".join(f"# cell {n}\n{source}" for n, source in cells)[:MAX_FILE_BYTES]


def _runs(words, size):
    """The hash of every run of ``size`` consecutive ``words``, in order."""
    return [_hash(words[i:i + size]) for i in range(len(words) - size + 1)]


def skeleton_hashes(folder):
    """What ``own_runs`` removes from a submission (a set; empty when there is no skeleton):
    every ``SKELETON_RUN``-gram hash of the skeleton's files, and the keys of each of their
    statements (``statement_keys``)."""
    hashes = set()
    if folder and os.path.isdir(folder):
        for _, path in python_files(folder):
            keys = []
            hashes.update(_runs([t for t, _ in tokens(read_source(path), _Budget(), statements=keys)],
                                SKELETON_RUN))
            for found in set(keys):
                hashes.update(found)
    return hashes


def own_runs(toks, skeleton, statements=None):
    """The runs of ``toks`` that are the student's own: every token inside a run of
    ``SKELETON_RUN`` tokens that the skeleton holds (``skeleton``: ``skeleton_hashes``) is
    removed, and so is every token of a statement the skeleton holds at the same place
    (``statements``: per token, its statement's keys, ``tokens(..., statements=)``): a line
    of the skeleton's, a ``def`` line of a function it hands out, its docstring. What is left
    stays apart, one list per stretch between removed tokens (a ``K``-gram never joins code
    before the skeleton's text to code after it: the one-line answers between the skeleton's
    ``def`` lines and docstrings stay one line each)."""
    if not skeleton:
        return [toks] if toks else []
    given = [False] * len(toks)
    for i, h in enumerate(_runs([t for t, _ in toks], SKELETON_RUN)):
        if h in skeleton:
            given[i:i + SKELETON_RUN] = [True] * SKELETON_RUN
    for i, keys in enumerate(statements or ()):
        if not given[i] and any(k in skeleton for k in keys):
            given[i] = True
    runs, current = [], []
    for tok, skel in zip(toks, given):
        if skel:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        runs.append(current)
    return runs


def default_skeleton():
    """The kit's ``exercises/`` folder (next to ``grader/``), or ``None``."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = os.path.join(here, "exercises")
    return folder if os.path.isfile(os.path.join(folder, "activations.py")) else None


def fingerprint_submission(folder, skeleton=frozenset()):
    """What the check keeps of a submission folder: a dict with

    ``prints``: ``[[hash as 16 hex digits, file, first line, last line], ...]``, each hash
    once (where it first occurs), of the student's own stretches only (``own_runs``: the
    skeleton's text removed); ``files``: file (its path in the
    folder, '/'-separated) -> SHA-256 of its text (to tell later whether the file shown
    beside a passage is still the one fingerprinted); ``tokens``: how many were read;
    ``capped``: the bound ``MAX_TOKENS`` or ``MAX_FILES`` cut the reading short;
    ``dynamic``: the names of run-time code (``exec``...) the code uses, sorted;
    ``own``: a hash (16 hex digits) of all of the student's own code, every stretch of it
    (``own_runs``, one-line answers too) in the order read, or ``None`` when there is none:
    two submissions with the same ``own`` wrote the same code, up to names, literals,
    comments and layout (``pairs``' same-code rule); ``own_tokens``: how many tokens that is.
    """
    prints, files, seen = [], {}, set()
    own, own_tokens = [], 0
    budget = _Budget()
    skeleton_key = (len(skeleton), hash(frozenset(skeleton)))
    found = python_files(folder, MAX_FILES + 1)
    capped_files = len(found) > MAX_FILES
    for rel, path in found[:MAX_FILES]:
        if budget.left <= 0 or budget.bytes_left <= 0 or budget.other_left <= 0:
            budget.capped = True
            break
        name = clean(rel)       # a file name that was not UTF-8 can still be written
        text = read_source(path)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        files[name] = digest
        key = (skeleton_key, digest, budget.left, budget.parse_left, budget.bytes_left, budget.other_left)
        cached = _CACHE.get(key)
        if cached is None:      # a file many submissions left as handed out is done once
            local = _Budget(budget.left)
            local.parse_left, local.bytes_left, local.other_left = budget.parse_left, budget.bytes_left, budget.other_left
            keys = [] if skeleton else None
            toks = tokens(text, local, statements=keys)
            runs = own_runs(toks, skeleton, keys)
            chosen = [(f"{h:016x}", first, last) for run in runs for h, first, last in winnow(kgrams(run))]
            stretches = tuple(f"{_hash([t for t, _ in run]):016x}" for run in runs)
            cached = (chosen, len(toks), local.capped, frozenset(local.dynamic),
                      budget.parse_left - local.parse_left, budget.bytes_left - local.bytes_left,
                      budget.other_left - local.other_left, stretches, sum(len(run) for run in runs))
            if len(_CACHE) >= 256:
                _CACHE.clear()
            _CACHE[key] = cached
        chosen, used, capped, dynamic, parsed, fed, other, stretches, mine = cached
        own.extend(stretches)
        own_tokens += mine
        budget.left -= used
        budget.parse_left -= parsed
        budget.bytes_left -= fed
        budget.other_left -= other
        budget.capped = budget.capped or capped
        budget.dynamic.update(dynamic)
        for h, first, last in chosen:
            if h not in seen:
                seen.add(h)
                prints.append([h, name, first, last])
    return {"prints": prints, "files": files, "tokens": MAX_TOKENS - max(budget.left, 0),
            "capped": budget.capped or capped_files, "dynamic": sorted(budget.dynamic),
            "own": f"{_hash(own):016x}" if own else None, "own_tokens": own_tokens}


def fingerprint_folder(folder, skeleton=frozenset()):
    """``(fingerprints, files)`` of ``fingerprint_submission``."""
    found = fingerprint_submission(folder, skeleton)
    return found["prints"], found["files"]


_CACHE = {}


def pack(prints):
    """``prints`` for results.jsonl, compactly: ``{"files": [file, ...], "prints": [[hash,
    index of the file, first, last], ...]}``."""
    names, index, rows = [], {}, []
    for h, name, first, last in prints:
        if name not in index:
            index[name] = len(names)
            names.append(name)
        rows.append([h, index[name], first, last])
    return {"files": names, "prints": rows}


def unpack(stored):
    """The ``[[hash, file, first, last], ...]`` of ``pack`` (or of a list stored as it is)."""
    if isinstance(stored, dict):
        names = stored.get("files") or []
        out = []
        for row in stored.get("prints") or []:
            try:
                h, i, first, last = row
                out.append([h, names[i], first, last])
            except (ValueError, TypeError, IndexError):
                continue
        return out
    return list(stored or [])


def pairs(records, own=None):
    """Similar pairs among ``records`` (``{id: fingerprints}``), most similar first.

    ``own``: ``{id: the "own" hash of fingerprint_submission}`` (the same-code rule; without
    it, only the two rules on shared fingerprints). A pair shares at least one fingerprint
    that is not common and is

    - the same code: all of the two submissions' own code is the same (``own``) and they share
      a rare fingerprint (held by at most ``MAX_RARE`` submissions);
    - or most of both: at least ``MIN_FEW`` shared rare fingerprints, at least ``MIN_MOST`` of each
      one's (a short submission copied with an edit or two);
    - or a large share: at least ``MIN_SHARED`` shared, at least ``MIN_SHARE`` of the smaller one's.

    Each pair: ``{"a", "b", "shared", "share_a", "share_b", "same", "hashes"}``.
    """
    index = {}
    for ident, prints in records.items():
        for h in {p[0] for p in prints}:
            index.setdefault(h, []).append(ident)
    common = max(MAX_COMMON, len(records) / 10)
    sizes = dict.fromkeys(records, 0)       # each submission's fingerprints that are not common
    counts = {}
    for h, idents in index.items():
        if len(idents) > common:
            continue
        for ident in idents:
            sizes[ident] += 1
        if len(idents) < 2:
            continue
        idents = sorted(idents)
        for i, a in enumerate(idents):
            for b in idents[i + 1:]:
                counts.setdefault((a, b), set()).add(h)
    own = own or {}
    found = []
    for (a, b), shared in counts.items():
        n = len(shared)
        share_a, share_b = n / sizes[a], n / sizes[b]       # n >= 1: each size too
        # the two rules for short code count only rare fingerprints: short code that several
        # students wrote alike (the form the skeleton's hints lead to) is no sign of a copy
        rare = sum(1 for h in shared if len(index[h]) <= MAX_RARE)
        same = rare > 0 and own.get(a) is not None and own.get(a) == own.get(b)
        if (same or (rare >= MIN_FEW and min(rare / sizes[a], rare / sizes[b]) >= MIN_MOST)
                or (n >= MIN_SHARED and max(share_a, share_b) >= MIN_SHARE)):
            found.append({"a": a, "b": b, "shared": n, "share_a": share_a, "share_b": share_b,
                          "same": same, "hashes": shared})
    found.sort(key=lambda p: (-max(p["share_a"], p["share_b"]), not p["same"], -p["shared"], p["a"], p["b"]))
    return found


def mostly_common(records):
    """``[(id, common, total)]``, by id: the submissions with at least ``MIN_SHARED`` fingerprints
    held by more than ``max(MAX_COMMON, n / 10)`` submissions, at least ``MIN_SHARE`` of their
    own. ``pairs`` counts no such fingerprint (common code: an idiom, text handed out
    elsewhere), so a solution copied by more students than that makes no pair at all (twelve
    renamed copies in a class of 13: "No similar pairs", trial 18b); the summary lists them."""
    index = {}
    for ident, prints in records.items():
        for h in {p[0] for p in prints}:
            index[h] = index.get(h, 0) + 1
    common = max(MAX_COMMON, len(records) / 10)
    out = []
    for ident in sorted(records):
        mine = {p[0] for p in records[ident]}
        held = sum(1 for h in mine if index[h] > common)
        if held >= MIN_SHARED and held >= MIN_SHARE * len(mine):
            out.append((ident, held, len(mine)))
    return out


def too_short(prints):
    """Whether a submission with these fingerprints is too short for the rules on shared
    fingerprints (fewer than ``MIN_FEW``): only the same-code rule can find its copy."""
    return len(prints) < MIN_FEW


def passages(prints_a, prints_b, hashes, gap=2, limit=6):
    """Shared passages side by side: ``[((file, first, last) of a, (file, first, last) of b)]``.

    Runs of shared fingerprints in ``a`` (lines at most ``gap`` apart, one file) become a
    passage; its partner in ``b`` spans the lines of the same fingerprints there.
    """
    where_b = {}
    for h, name, first, last in prints_b:
        if h in hashes:
            where_b.setdefault(h, []).append((name, first, last))
    runs = []
    for h, name, first, last in sorted((p for p in prints_a if p[0] in hashes),
                                       key=lambda p: (p[1], p[2], p[3])):
        if runs and runs[-1]["file"] == name and first <= runs[-1]["last"] + gap:
            runs[-1]["last"] = max(runs[-1]["last"], last)
            runs[-1]["hashes"].add(h)
        else:
            runs.append({"file": name, "first": first, "last": last, "hashes": {h}})
    runs.sort(key=lambda r: -len(r["hashes"]))
    out = []
    for run in runs[:limit]:
        spots = [s for h in run["hashes"] for s in where_b.get(h, [])]
        if not spots:
            continue
        files = {}
        for name, first, last in spots:
            files.setdefault(name, []).append((first, last))
        name = max(sorted(files), key=lambda n: len(files[n]))
        lines = files[name]
        out.append(((run["file"], run["first"], run["last"]),
                    (name, min(f for f, _ in lines), max(l for _, l in lines))))
    out.sort(key=lambda p: (p[0][0], p[0][1]))
    return out
