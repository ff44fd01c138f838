"""Pairs of submissions whose code is nearly the same: MOSS-style winnowing.

Each ``.py`` file of a submission is turned into tokens with Python's ``tokenize``:
comments and whitespace (newlines, indentation) are dropped, every name becomes ``V``
(except a name after a dot: ``np.exp`` stays ``V.exp``), every number ``N`` and every
string ``S``. Every run of ``K`` consecutive tokens is hashed; winnowing (Schleimer,
Wilkerson and Aiken, 2003) keeps the smallest hash of every window of ``W`` consecutive
ones, so any shared run of at least ``K + W - 1`` tokens is found, and the kept hashes
(the fingerprints) remember their file and lines. Fingerprints of the exercise skeleton
(every ``K``-gram of ``exercises/``) are removed first: text every student was given is
never counted.

A fingerprint found in more than ``max(MAX_COMMON, n / 10)`` of the ``n`` submissions is
common code (an idiom, or text handed out elsewhere) and is ignored, as MOSS ignores
passages in more than 10 programs by default. Two submissions are a pair when they share at least ``MIN_SHARED`` fingerprints and
those cover at least ``MIN_SHARE`` of the smaller one's (common ones not counted). It is a pointer for the
instructor, never a verdict: short functions that everyone writes alike match too.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import os
import tokenize

K = 25                  # tokens per hashed run (copydetect's noise threshold)
W = 6                   # window: runs of K + W - 1 = 30 tokens are always found
MIN_SHARED = 15
MIN_SHARE = 0.5
MAX_COMMON = 10
MAX_FILE_BYTES = 512 * 1024

_DROP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_SKIP = {getattr(tokenize, n) for n in ("FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}


def tokens(source):
    """``[(token, line), ...]``: the normalised tokens of ``source`` (as far as it tokenizes)."""
    out = []
    previous = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = tok.type
            if kind in _DROP or kind in _FSTRING_SKIP:
                continue
            if kind == tokenize.NAME:
                if keyword.iskeyword(tok.string) or previous == ".":
                    text = tok.string
                else:
                    text = "V"
            elif kind == tokenize.NUMBER:
                text = "N"
            elif kind == tokenize.STRING or kind == _FSTRING_START:
                text = "S"
            elif kind == tokenize.ERRORTOKEN and tok.string.isspace():
                continue
            else:
                text = tok.string
            out.append((text, tok.start[0]))
            previous = text
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError):
        pass            # student code need not be valid: the tokens so far still count
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


def _python_files(folder):
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    root = os.path.realpath(folder)
    out = []
    for name in names:
        path = os.path.join(folder, name)
        if not name.endswith(".py") or os.path.islink(path) or not os.path.isfile(path):
            continue
        if not os.path.realpath(path).startswith(root + os.sep):
            continue
        out.append((name, path))
    return out


def _read(path):
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES)
    return data.decode("utf-8", "replace")


def skeleton_hashes(folder):
    """Every ``K``-gram hash of the skeleton's files (a set; empty when there is none)."""
    hashes = set()
    if folder and os.path.isdir(folder):
        for _, path in _python_files(folder):
            hashes.update(h for h, _, _ in kgrams(tokens(_read(path))))
    return hashes


def default_skeleton():
    """The kit's ``exercises/`` folder (next to ``grader/``), or ``None``."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = os.path.join(here, "exercises")
    return folder if os.path.isfile(os.path.join(folder, "activations.py")) else None


def fingerprint_folder(folder, skeleton=frozenset()):
    """``(fingerprints, files)`` of a submission folder's top-level ``.py`` files.

    ``fingerprints``: ``[[hash as 16 hex digits, file, first line, last line], ...]``
    without the skeleton's; ``files``: file name -> SHA-256 of its text (to tell later
    whether the file shown beside a passage is still the one fingerprinted).
    """
    prints, files = [], {}
    skeleton_key = (len(skeleton), hash(frozenset(skeleton)))
    for name, path in _python_files(folder):
        text = _read(path)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        files[name] = digest
        key = (skeleton_key, digest)
        chosen = _CACHE.get(key)
        if chosen is None:      # a file many submissions left as handed out is done once
            grams = [g for g in kgrams(tokens(text)) if g[0] not in skeleton]
            chosen = [(f"{h:016x}", first, last) for h, first, last in winnow(grams)]
            if len(_CACHE) >= 256:
                _CACHE.clear()
            _CACHE[key] = chosen
        prints.extend([h, name, first, last] for h, first, last in chosen)
    return prints, files


_CACHE = {}


def pairs(records):
    """Similar pairs among ``records`` (``{id: fingerprints}``), most similar first.

    Each pair: ``{"a", "b", "shared", "share_a", "share_b", "hashes"}``.
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
    found = []
    for (a, b), shared in counts.items():
        n = len(shared)
        smaller = min(sizes[a], sizes[b])
        if n >= MIN_SHARED and smaller and n / smaller >= MIN_SHARE:
            found.append({"a": a, "b": b, "shared": n, "share_a": n / sizes[a],
                          "share_b": n / sizes[b], "hashes": shared})
    found.sort(key=lambda p: (-max(p["share_a"], p["share_b"]), -p["shared"], p["a"], p["b"]))
    return found


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
