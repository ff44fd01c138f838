"""The similarity check's bounds and the evasions session 6's attack found: code in a
subpackage, megabytes of comments above the code, code run from a string literal, and
files of junk that made one submission cost 1.35 GB and a 129 MB results.jsonl."""

import json
import os
import re
import shutil
import time

from tests.grader.conftest import EXERCISES, SOLUTIONS, make_submission
from tests.grader.test_grade_all import MOMENTUM_CODE, ONLY, run, skeleton_copy

CODE = MOMENTUM_CODE.replace('    """Momentum."""\n', "")


def _folder(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _hashes(folder):
    from grader import similarity

    return {p[0] for p in similarity.fingerprint_submission(folder)["prints"]}


def _renamed(source, target, pairs):
    """``target``: ``source`` with each (old, new) of ``pairs`` replaced, as a student renames a copy."""
    text = source.read_text()
    for old, new in pairs:
        text = text.replace(old, new)
    target.write_text(text)


def _graded_class(subs, tmp_path):
    """grade-all of the folder ``subs``; its output folder."""
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    return out


def _similar_section(out):
    """summary.md's similarity section and its table's rows (one per pair)."""
    section = (out / "summary.md").read_text().split("## Similar submissions", 1)[1]
    return section, [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Submission")]


def test_tokens_skip_comment_lines_and_keep_each_token_on_its_own_line():
    from grader import similarity

    source = "# a comment\n\n   # another\nx = 1  # trailing\n\n\ny = (2,\n# inside\n     3)\n"
    assert similarity.tokens(source) == [("V", 4), ("=", 4), ("N", 4),
                                         ("V", 7), ("=", 7), ("(", 7), ("N", 7), (",", 7), ("N", 9), (")", 9)]


def test_code_in_a_subpackage_is_fingerprinted_like_code_at_the_top(tmp_path):
    flat = _folder(tmp_path / "flat", {"m.py": CODE})
    nested = _folder(tmp_path / "nested", {"m.py": "from .impl.m import *\n", "impl/__init__.py": "",
                                            "impl/m.py": CODE})
    from grader import similarity

    assert _hashes(flat) and _hashes(flat) <= _hashes(nested)
    found = similarity.fingerprint_submission(nested)
    assert set(found["files"]) == {"m.py", "impl/__init__.py", "impl/m.py"}
    assert {p[1] for p in found["prints"]} == {"impl/m.py"}
    # what grading leaves out is left out here too
    _folder(nested, {".venv/lib/x.py": CODE, "__pycache__/m.py": CODE})
    assert set(similarity.fingerprint_submission(nested)["files"]) == {"m.py", "impl/__init__.py", "impl/m.py"}


def test_megabytes_of_comments_above_the_code_neither_hide_it_nor_count(tmp_path):
    from grader import similarity

    padding = "# " + "x" * 78 + "\n"
    lines = 8000                                        # 640 KB, more than any old read limit
    padded = _folder(tmp_path / "padded", {"m.py": padding * lines + CODE})
    flat = _folder(tmp_path / "flat", {"m.py": CODE})
    found = similarity.fingerprint_submission(padded)
    assert {p[0] for p in found["prints"]} == _hashes(flat)
    assert min(p[2] for p in found["prints"]) > lines     # lines point at the real code
    assert found["tokens"] == similarity.fingerprint_submission(flat)["tokens"] and not found["capped"]


def test_code_run_from_a_string_literal_is_compared_and_flagged(tmp_path):
    from grader import similarity

    hidden = _folder(tmp_path / "exec", {"m.py": f"exec(compile({CODE!r}, 'm', 'exec'))\n"})
    found = similarity.fingerprint_submission(hidden)
    flat = _hashes(_folder(tmp_path / "flat", {"m.py": CODE}))
    shared = {p[0] for p in found["prints"]} & flat
    assert len(shared) >= 0.8 * len(flat)
    assert found["dynamic"] == ["compile", "exec"]
    # prose and short strings stay one token S; an attribute named eval is no run-time code
    prose = _folder(tmp_path / "prose", {"m.py": 'def f(x):\n    """Returns the mean of x over its rows."""\n'
                                                 '    return model.eval(x, "a b")\n'})
    found = similarity.fingerprint_submission(prose)
    # (a docstring is a statement that does nothing: no token at all; see no_op)
    assert similarity.tokens((prose / "m.py").read_text())[6:] == [
        ("return", 3), ("V", 3), (".", 3), ("eval", 3), ("(", 3), ("V", 3), (",", 3), ("S", 3), (")", 3)]
    assert found["dynamic"] == []


def test_one_submissions_work_and_storage_are_bounded(tmp_path):
    """12 files of 512 KB of 'a+a+...' cost 2.6 s, 262,000 fingerprints and 9.5 MB of JSON
    each; now the whole submission stops at MAX_TOKENS and each hash is kept once."""
    from grader import similarity

    junk = "x = " + "a+" * 250_000 + "a\n"
    folder = _folder(tmp_path / "junk", {f"pad{i:03d}.py": junk for i in range(12)} | {"m.py": CODE})
    started = time.process_time()
    found = similarity.fingerprint_submission(folder)
    assert time.process_time() - started < 10
    assert found["capped"] and found["tokens"] == similarity.MAX_TOKENS
    assert len(found["prints"]) == len({p[0] for p in found["prints"]}) < 50
    assert len(json.dumps(similarity.pack(found["prints"]))) < 5000
    # the top level comes first: m.py is read before the bound is reached
    assert _hashes(_folder(tmp_path / "flat", {"m.py": CODE})) <= {p[0] for p in found["prints"]}
    # and packing loses nothing
    assert similarity.unpack(similarity.pack(found["prints"])) == found["prints"]


def _carol(root):
    """The reference with activations' code moved to exercises/impl/ (session 6's carol)."""
    sub = make_submission(root / "exercises")
    (sub / "impl").mkdir()
    (sub / "impl" / "__init__.py").write_text("")
    code = (sub / "activations.py").read_text().replace("from ._common", "from .._common")
    (sub / "impl" / "acts.py").write_text(code)
    (sub / "activations.py").write_text("from .impl.acts import *\n")
    return root


def test_grade_all_summary_finds_the_evasions_and_names_what_it_could_not_compare(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "alice" / "exercises")
    _carol(subs / "carol")
    frank = make_submission(subs / "frank" / "exercises")
    text = (frank / "activations.py").read_text()
    (frank / "activations.py").write_text(f"exec(compile({text!r}, __file__, 'exec'))\n")
    mallory = make_submission(subs / "mallory" / "exercises")
    (mallory / "pad.py").write_text("x = " + "a+" * 60_000 + "a\n")
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    summary = (out / "summary.md").read_text()
    section = summary[summary.index("## Similar submissions"):]
    for a, b in (("alice", "carol"), ("alice", "frank"), ("carol", "frank")):
        assert f"| {a} | {b} |" in section
    assert ("Compared only in part (the check reads at most 40,000 tokens, 16 MB of code lines and 300 "
            "files of a submission; a full solution is about 3,000 tokens): mallory (40,000 tokens). Code past "
            "that point was not compared; padding can hide a copy there.") in section
    assert ("Code that runs code built at run time (exec, eval, compile, __import__ or importlib; "
            "string literals that are Python are compared, code assembled from pieces cannot be): "
            "frank (compile, exec).") in section
    html = (out / "summary.html").read_text()
    assert "mallory (40,000 tokens)" in html and "frank (compile, exec)" in html
    assert "impl/acts.py, lines" in html and "(the file is not available here)" not in html
    size = os.path.getsize(out / "results.jsonl")
    assert size < 2_000_000, size


def test_a_comment_line_that_closes_a_string_does_not_hide_the_code_after_it(tmp_path):
    # the review's evasion: comment lines were dropped before the tokenizer, so a string whose
    # closing quotes sit on a "#" line never closed for it, and the code after it vanished
    from grader import similarity

    flat = _folder(tmp_path / "flat", {"m.py": CODE})
    hidden = _folder(tmp_path / "hidden", {"m.py": "x_ = '''\n#'''\n" + CODE})
    assert _hashes(flat) and _hashes(flat) <= _hashes(hidden)
    assert not similarity.fingerprint_submission(hidden)["capped"]


def test_comment_lines_are_bounded_on_their_own(tmp_path, monkeypatch):
    from grader import similarity

    monkeypatch.setattr(similarity, "MAX_OTHER_LINES", 50_000)
    folder = _folder(tmp_path / "pad", {"a.py": "#\n" * 60_000 + CODE})
    found = similarity.fingerprint_submission(folder)
    assert found["capped"] and found["prints"] == []


def test_a_string_never_closed_stops_at_the_byte_bound(tmp_path, monkeypatch):
    """A never-closed string yields no token however long it runs: the lines fed to the
    tokenizer are bounded too (MAX_LINE_BYTES), and the submission is marked as cut."""
    from grader import similarity

    monkeypatch.setattr(similarity, "MAX_LINE_BYTES", 100_000)
    folder = _folder(tmp_path / "open", {"a.py": '"""\n' + "abc def\n" * 50_000, "b.py": CODE})
    found = similarity.fingerprint_submission(folder)
    assert found["capped"] and found["tokens"] == 0 and found["prints"] == []
    assert not similarity.fingerprint_submission(_folder(tmp_path / "fine", {"b.py": CODE}))["capped"]


def test_python_files_never_reads_through_a_link(tmp_path):
    # grade-all refuses such a submission before, but the similarity check must not rely on it
    from grader import similarity

    outside = _folder(tmp_path / "outside", {"secret.py": CODE, "pkg/m.py": CODE})
    sub = _folder(tmp_path / "sub", {"m.py": "x = 1\n"})
    os.symlink(outside / "secret.py", sub / "linked.py")
    os.symlink(outside / "pkg", sub / "pkg")
    assert [rel for rel, _ in similarity.python_files(sub)] == ["m.py"]
    assert similarity.fingerprint_submission(sub)["prints"] == []


# --------------------------------------------------------------------------- the skeleton's text
# Session 11's trial: four students on the untouched skeleton, two of whom each replaced
# the same three TODOs with the obvious one-liners, were "| nia | oto | 26 | 100% / 100% |":
# every edited line made ~25 new 25-token runs, nearly all of them the skeleton's own text.
ONE_LINERS = {"tanh": "    return np.tanh(x)\n", "relu": "    return np.maximum(0, x)\n",
              "relu_derivative": "    return np.where(x > 0, 1.0, 0.0)\n"}

#: kate's own helpers (the trial's), and what her sigmoid and softmax became
KATE_HELPERS = '''

def my_sig_helper(values):
    # numerically careful logistic, written by kate
    positive = values >= 0
    expo = np.exp(-np.abs(values))
    out = np.empty_like(values, dtype=float)
    out[positive] = 1.0 / (1.0 + expo[positive])
    out[~positive] = expo[~positive] / (1.0 + expo[~positive])
    return out


def my_softmax_helper(logits, ax):
    # shift for stability then normalise
    shifted = logits - logits.max(axis=ax, keepdims=True)
    exps = np.exp(shifted)
    total = exps.sum(axis=ax, keepdims=True)
    result = exps / total
    return result
'''
KATE = {"sigmoid": "    return my_sig_helper(x).astype(x.dtype, copy=False)\n",
        "softmax": "    return my_softmax_helper(z, axis)\n"}
#: judy's copy of kate's: every name and comment changed
JUDY_NAMES = (("my_sig_helper", "logistic_fn"), ("my_softmax_helper", "norm_exp"), ("values", "arr"),
              ("positive", "pos_mask"), ("expo", "ee"), ("out", "res"), ("logits", "zz"), ("shifted", "zs"),
              ("exps", "ez"), ("total", "den"), ("result", "answer"),
              ("# numerically careful logistic, written by kate", "# judy: stable sigmoid implementation"),
              ("# shift for stability then normalise", "# my own softmax"))


def _answer(folder, answers, appended=""):
    """``folder/activations.py`` with each function's TODO lines and ``raise
    NotImplementedError`` replaced by the student's body, and ``appended`` at its end."""
    path = folder / "activations.py"
    text = path.read_text()
    for function, body in answers.items():
        text, n = re.subn(rf"(def {function}\((?s:.*?))(?:    # .*\n)*    raise NotImplementedError\n",
                          lambda m: m.group(1) + body, text, count=1)
        assert n == 1, function
    path.write_text(text + appended)
    return folder


def test_students_who_only_wrote_the_obvious_one_liners_are_no_pair(tmp_path):
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    folders = {name: skeleton_copy(tmp_path / name / "exercises") for name in ("carol", "dan", "nia", "oto")}
    _answer(folders["nia"], ONE_LINERS)
    _answer(folders["oto"], ONE_LINERS)
    _answer(folders["dan"], {"tanh": ONE_LINERS["tanh"], "relu": ONE_LINERS["relu"]})
    prints = {name: similarity.fingerprint_submission(folder, skeleton)["prints"] for name, folder in folders.items()}
    # each answer is a line of under K tokens between the skeleton's text: nothing of theirs to compare
    assert prints == {"carol": [], "dan": [], "nia": [], "oto": []}
    assert similarity.pairs(prints) == []


def test_only_the_students_own_tokens_are_fingerprinted_never_a_run_across_the_skeleton(tmp_path):
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    folder = skeleton_copy(tmp_path / "ann" / "exercises")
    path = folder / "activations.py"
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("def tanh(")) + 1
    at = next(i for i in range(at, len(lines)) if "raise NotImplementedError" in lines[i])
    # a line of 30 tokens of the student's own, between the TODO and the raise the skeleton holds
    # (it starts with a word the skeleton never has: "y = a" after a docstring continues the
    # skeleton's "x = as_float(x)" for 10 tokens, and would go with it)
    lines.insert(at, "    yield a + b * c - d / e + f * g - h + i * j - k + l * m - n + o\n")
    path.write_text("".join(lines))
    mine = at + 1
    toks = similarity.tokens(path.read_text())
    ops = "+*-/+*-+*-+*-+"
    assert similarity.own_runs(toks, skeleton) == [[(t, mine) for t in ["yield", "V"] + [x for op in ops for x in (op, "V")]]]
    prints = similarity.fingerprint_submission(folder, skeleton)["prints"]
    assert prints and all((p[1], p[2], p[3]) == ("activations.py", mine, mine) for p in prints), prints
    # the skeleton's text counts for nothing wherever it is put, names changed or not
    (folder / "mine").mkdir()
    (folder / "mine" / "copy.py").write_text((folder / "losses.py").read_text().replace("y_pred", "guess"))
    again = similarity.fingerprint_submission(folder, skeleton)["prints"]
    assert [p[1:] for p in again] == [p[1:] for p in prints]
    # without a skeleton, the whole file counts
    assert len(similarity.fingerprint_submission(folder)["prints"]) > 10 * len(prints)


def test_grade_all_finds_the_renamed_copy_shows_its_own_lines_and_not_the_one_liners(tmp_path):
    subs = tmp_path / "subs"
    skeleton_copy(subs / "carol" / "exercises")
    _answer(skeleton_copy(subs / "nia" / "exercises"), ONE_LINERS)
    _answer(skeleton_copy(subs / "oto" / "exercises"), ONE_LINERS)
    kate = _answer(skeleton_copy(subs / "kate" / "exercises"), KATE, KATE_HELPERS)
    judy = skeleton_copy(subs / "judy" / "exercises")
    _renamed(kate / "activations.py", judy / "activations.py", JUDY_NAMES)
    out = _graded_class(subs, tmp_path)
    section, table = _similar_section(out)
    assert len(table) == 1 and table[0].startswith("| judy | kate | "), table
    assert "a run of 25 tokens or more, so a one-line answer, which every student writes alike, never makes a pair" in section
    html = (out / "summary.html").read_text().split("<h2>Similar submissions</h2>", 1)[1]
    assert "<h3>judy and kate: " in html and "nia and oto" not in html
    shown = re.findall(r"<td>activations\.py, lines (\d+)-(\d+)<pre>(.*?)</pre>", html, re.S)
    assert len(shown) in (2, 4), html   # one passage a side, or two (a docstring between them counts for neither)
    # judy's copy of kate's helpers beside them: lines the student wrote, none the skeleton holds
    given = set((EXERCISES / "activations.py").read_text().splitlines())
    for (first, last, body), folder, helper in zip(shown, (judy, kate), ("def logistic_fn(", "def my_sig_helper(")):
        lines = (folder / "activations.py").read_text().splitlines()
        passage = lines[int(first) - 1:int(last)]
        assert any(line.startswith(helper) for line in passage)
        assert not [line for line in passage if line.strip() and line in given], (first, last)
        assert "TODO" not in body and "NotImplementedError" not in body and "&quot;&quot;&quot;" not in body
    assert "my_sig_helper" in html and "logistic_fn" in html


# Session 12's trial: the same six one-liners filled into tanh, relu and softplus (and their
# derivatives) with the skeleton's "x = as_float(x)" lines deleted were "| sa | sb | 23 | 100% / 100%
# |": each "def f(x): <docstring>" is 7 tokens, under SKELETON_RUN, and glued the one-liners together.
SIX_ONE_LINERS = {"tanh": "return np.tanh(x)", "tanh_derivative": "return 1 - np.tanh(x) ** 2",
                  "relu": "return np.maximum(0, x)", "relu_derivative": "return (x > 0).astype(x.dtype)",
                  "softplus": "return np.logaddexp(0, x)", "softplus_derivative": "return 1 / (1 + np.exp(-x))"}


def _fill_after_docstring(folder, answers):
    """``folder/activations.py`` with everything of each function after its docstring (the
    skeleton's ``x = as_float(x)``, its TODO, its raise) replaced by the one line answered."""
    import ast

    path = folder / "activations.py"
    lines = path.read_text().splitlines(keepends=True)
    spans = []
    for node in ast.parse("".join(lines)).body:
        if isinstance(node, ast.FunctionDef) and node.name in answers:
            spans.append((node.body[0].end_lineno, node.end_lineno, f"    {answers[node.name]}\n"))
    for after, end, body in sorted(spans, reverse=True):
        lines[after:end] = [body]
    path.write_text("".join(lines))
    return folder


def _docstring_lines(path):
    """The skeleton's docstring lines of ``path`` worth naming (not blank, not quotes alone),
    stripped: read with ``ast``, not with the check's tokenizer."""
    import ast

    source = (path).read_text()
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.Module)) and ast.get_docstring(node) is not None:
            doc = node.body[0]
            found.update(line.strip() for line in lines[doc.lineno - 1:doc.end_lineno])
    return {line for line in found if line.strip('"') and len(line) > 8}


def test_the_same_one_liners_between_the_skeletons_def_lines_and_docstrings_are_no_pair(tmp_path):
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    folders = {name: skeleton_copy(tmp_path / name / "exercises") for name in ("sa", "sb", "sc")}
    for name in ("sa", "sb"):
        _fill_after_docstring(folders[name], SIX_ONE_LINERS)
    text = (folders["sa"] / "activations.py").read_text()
    assert "return np.tanh(x)\n\n\ndef tanh_derivative(x):" in text     # the trial's file
    assert text.count("x = as_float(x)") == (EXERCISES / "activations.py").read_text().count("x = as_float(x)") - 3
    prints = {name: similarity.fingerprint_submission(folder, skeleton)["prints"] for name, folder in folders.items()}
    assert prints == {"sa": [], "sb": [], "sc": []}
    assert similarity.pairs(prints) == []


def test_a_def_line_or_docstring_of_the_skeleton_never_hides_code_put_in_it(tmp_path):
    """What marks a skeleton function's def line and docstring as given is the place, not the
    text: code written on the def line, or a docstring that is code, is still the student's."""
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    body = ("velocity = beta * v - lr * grad; w = w + velocity; scale = (w * w).sum() + 2.0 * velocity.sum() - 1.0; "
            "return w / scale, velocity * scale\n")
    given = _folder(tmp_path / "given", {"optimizers.py": f"def momentum_step(w, grad, v, lr=0.01, beta=0.9): {body}"})
    own = _folder(tmp_path / "own", {"optimizers.py": f"def my_step(w, grad, v, lr=0.01, beta=0.9): {body}"})
    prints = similarity.fingerprint_submission(given, skeleton)["prints"]
    assert len(prints) >= 3 and {p[0] for p in prints} <= _hashes(own)   # (";" is layout: no token)
    flat = _folder(tmp_path / "flat", {"optimizers.py": CODE})
    in_doc = _folder(tmp_path / "doc", {"optimizers.py": f'def tanh(x):\n    """\n{CODE}"""\n    exec(tanh.__doc__)\n'})
    prints = similarity.fingerprint_submission(in_doc, skeleton)["prints"]
    assert len(prints) >= 0.8 * len(similarity.fingerprint_submission(flat, skeleton)["prints"]) > 0


def test_grade_all_finds_a_renamed_copy_and_its_passages_hold_none_of_the_skeletons_text(tmp_path):
    """ann's activations.py and losses.py, and ben's copy with names changed, in the skeleton:
    a pair (36 shared fingerprints), whose passages never show a def line or a docstring of the
    skeleton (before: "activations.py, lines 116-120" ended in "def softplus_derivative(x):")."""
    subs = tmp_path / "subs"
    skeleton_copy(subs / "carol" / "exercises")
    ann = skeleton_copy(subs / "ann" / "exercises")
    ben = skeleton_copy(subs / "ben" / "exercises")
    for module in ("activations.py", "losses.py"):
        shutil.copy(SOLUTIONS / module, ann / module)
        shutil.copy(SOLUTIONS / module, ben / module)
    _renamed(ann / "activations.py", ben / "activations.py",
             (("e = ", "ex = "), ("(1.0 + e)", "(1.0 + ex)"), ("e / ", "ex / "), ("s = sigmoid", "sg = sigmoid"),
              ("s * (1.0 - s)", "sg * (1.0 - sg)"), ("t = np.tanh", "th = np.tanh"), ("t * t", "th * th")))
    out = _graded_class(subs, tmp_path)
    section, table = _similar_section(out)
    assert len(table) == 1 and table[0].startswith("| ann | ben | ") and table[0].endswith(" | 100% / 100% |"), table
    html = (out / "summary.html").read_text().split("<h2>Similar submissions</h2>", 1)[1]
    shown = re.findall(r"<td>(\w+\.py), lines (\d+)-(\d+)<pre>", html)
    assert len(shown) >= 4 and len(shown) % 2 == 0, html
    docstrings = set().union(*(_docstring_lines(path) for path in EXERCISES.glob("*.py")))
    assert "Hyperbolic tangent, elementwise." in docstrings
    given = {line for path in EXERCISES.glob("*.py") for line in path.read_text().splitlines() if line.strip()}
    for folder, (name, first, last) in zip([ann, ben] * len(shown), shown):
        passage = (folder / name).read_text().splitlines()[int(first) - 1:int(last)]
        assert not {line.strip() for line in passage} & docstrings, (folder.parent.name, name, first, last)
        assert not any(line.startswith("def ") for line in passage), (folder.parent.name, name, first, last)
        assert not [line for line in passage if line in given], (folder.parent.name, name, first, last)


# --------------------------------------------------------------------------- short submissions
# Session 17's trial: carol's week-3 hand-in (six activation functions, 18 lines of her own: 10
# fingerprints), a byte-identical copy and hank's copy with names changed were no pair ("No
# similar pairs"): every pair needed MIN_SHARED = 15 shared fingerprints, which no short
# submission ever has.
CAROL = {
    "sigmoid": ("    positive = x >= 0\n    result = np.empty_like(x)\n"
                "    result[positive] = 1.0 / (1.0 + np.exp(-x[positive]))\n"
                "    expx = np.exp(x[~positive])\n    result[~positive] = expx / (1.0 + expx)\n"
                "    return result\n"),
    "sigmoid_derivative": "    sx = sigmoid(x)\n    return sx * (1 - sx)\n",
    "tanh": "    return np.tanh(as_float(x))\n",
    "tanh_derivative": "    th = np.tanh(as_float(x))\n    return 1 - th * th\n",
    "relu": "    return np.maximum(0, x)\n",
    "softmax": ("    shifted = z - np.max(z, axis=axis, keepdims=True)\n    ez = np.exp(shifted)\n"
                "    return ez / np.sum(ez, axis=axis, keepdims=True)\n"),
}
HANK_NAMES = (("positive", "pos_mask"), ("result", "outv"), ("expx", "e_x"), ("sx", "sig_val"),
              ("th", "t_h"), ("shifted", "zz"), ("ez", "expo"))


def test_grade_all_finds_copies_of_a_short_partial_submission_and_counts_the_short_ones(tmp_path):
    from grader import similarity

    subs = tmp_path / "subs"
    carol = _answer(skeleton_copy(subs / "carol" / "exercises"), CAROL)
    shutil.copytree(carol, subs / "carolcopy" / "exercises")
    hank = skeleton_copy(subs / "hank" / "exercises")
    _renamed(carol / "activations.py", hank / "activations.py", HANK_NAMES)
    _answer(skeleton_copy(subs / "nia" / "exercises"), ONE_LINERS)
    _answer(skeleton_copy(subs / "oto" / "exercises"), ONE_LINERS)
    skeleton_copy(subs / "sam" / "exercises")
    skeleton = similarity.skeleton_hashes(EXERCISES)
    found = similarity.fingerprint_submission(carol, skeleton)
    assert 3 <= len(found["prints"]) < similarity.MIN_SHARED      # short: the old rule never saw it
    out = _graded_class(subs, tmp_path)
    section, table = _similar_section(out)
    assert table == ["| carol | carolcopy | %d (same code) | 100%% / 100%% |" % len(found["prints"]),
                     "| carol | hank | %d (same code) | 100%% / 100%% |" % len(found["prints"]),
                     "| carolcopy | hank | %d (same code) | 100%% / 100%% |" % len(found["prints"])], section
    # nia and oto wrote the same three one-liners and nothing else: the same code, but no pair
    assert ("3 of the 6 graded submissions were too short to compare (fewer than 3 fingerprints of code "
            "the student wrote: only a copy of all of that code is found, and none of one-line answers "
            "alone): nia (0 fingerprints, ") in section
    assert "; sam (no code of its own)." in section and "oto (0 fingerprints" in section
    assert "No similar pairs" not in section
    html = (out / "summary.html").read_text().split("<h2>Similar submissions</h2>", 1)[1]
    assert "<h3>carol and hank: the same code, " in html and "nia and oto" not in html
    assert "pos_mask" in html and "positive" in html


def test_a_short_submission_copied_with_an_edit_shares_most_of_both_and_is_a_pair(tmp_path):
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    carol = _answer(skeleton_copy(tmp_path / "carol" / "exercises"), CAROL)
    # hank copied carol's and wrote his own tanh_derivative and relu: not the same code
    hank = _answer(skeleton_copy(tmp_path / "hank" / "exercises"),
                   dict(CAROL, tanh_derivative="    return 1.0 - np.tanh(x) ** 2\n",
                        relu="    return np.where(x > 0, x, 0.0)\n"))
    found = {name: similarity.fingerprint_submission(folder, skeleton) for name, folder in
             (("carol", carol), ("hank", hank))}
    assert found["carol"]["own"] != found["hank"]["own"]
    prints = {name: f["prints"] for name, f in found.items()}
    own = {name: f["own"] for name, f in found.items()}
    [pair] = similarity.pairs(prints, own)
    assert (pair["a"], pair["b"], pair["same"]) == ("carol", "hank", False)
    assert similarity.MIN_FEW <= pair["shared"] < similarity.MIN_SHARED
    assert min(pair["share_a"], pair["share_b"]) >= similarity.MIN_MOST


def test_the_same_code_is_a_pair_however_short_and_only_with_a_fingerprint(tmp_path):
    """Two submissions whose own code is one softmax of 32 tokens (a fingerprint or two)
    and the same one-liners: a pair; the same softmax beside other one-liners: not the same code,
    too few fingerprints for the other rules, no pair; the same one-liners alone: no pair."""
    from grader import similarity

    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    soft = {"softmax": ("    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
                        "    return e / e.sum(axis=axis, keepdims=True)\n"),
            "relu": CAROL["relu"], "tanh": CAROL["tanh"]}
    folders = {
        "ann": _answer(skeleton_copy(tmp_path / "ann" / "exercises"), soft),
        "ben": _answer(skeleton_copy(tmp_path / "ben" / "exercises"), soft),
        "cid": _answer(skeleton_copy(tmp_path / "cid" / "exercises"),
                       dict(soft, relu="    return x * (x > 0)\n", tanh_derivative="    return 1 - np.tanh(x) ** 2\n")),
        "nia": _answer(skeleton_copy(tmp_path / "nia" / "exercises"), ONE_LINERS),
        "oto": _answer(skeleton_copy(tmp_path / "oto" / "exercises"), ONE_LINERS),
    }
    found = {name: similarity.fingerprint_submission(folder, skeleton) for name, folder in folders.items()}
    assert 1 <= len(found["ann"]["prints"]) < similarity.MIN_FEW
    assert found["nia"]["own"] == found["oto"]["own"] is not None and found["nia"]["prints"] == []
    prints = {name: f["prints"] for name, f in found.items()}
    own = {name: f["own"] for name, f in found.items()}
    assert [(p["a"], p["b"], p["same"]) for p in similarity.pairs(prints, own)] == [("ann", "ben", True)]
    assert all(similarity.too_short(p) for p in prints.values())


def test_students_who_wrote_the_hinted_short_forms_alike_are_no_pair(tmp_path):
    """Session 17's review: the skeleton's hints lead to one form of a stable sigmoid, softplus
    and shifted softmax, so four or more honest students write the same short code; the rules
    for short code ("same code", "most of both") paired them all ("same code, 100% / 100%").
    They count only fingerprints that at most MAX_RARE submissions hold: the four are no pair,
    while carol's own code and its copy still are."""
    from grader import similarity

    hinted = {"sigmoid": ("    e = np.exp(-np.abs(x))\n"
                          "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"),
              "softplus": "    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))\n",
              "softmax": ("    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
                          "    return e / np.sum(e, axis=axis, keepdims=True)\n")}
    skeleton = similarity.skeleton_hashes(skeleton_copy(tmp_path / "skeleton"))
    folders = {}
    for name, e in (("amy", "e"), ("ben", "ex"), ("cho", "exp_neg"), ("dan", "q")):
        answers = {f: body.replace("e = ", f"{e} = ").replace("(1 + e)", f"(1 + {e})").replace("e / ", f"{e} / ")
                   .replace("sum(e,", f"sum({e},") for f, body in hinted.items()}
        folders[name] = _answer(skeleton_copy(tmp_path / name / "exercises"), answers)
    folders["carol"] = _answer(skeleton_copy(tmp_path / "carol" / "exercises"), CAROL)
    folders["carolcopy"] = _answer(skeleton_copy(tmp_path / "carolcopy" / "exercises"), CAROL)
    found = {name: similarity.fingerprint_submission(folder, skeleton) for name, folder in folders.items()}
    assert found["amy"]["own"] == found["ben"]["own"] and len(found["amy"]["prints"]) >= similarity.MIN_FEW
    prints = {name: f["prints"] for name, f in found.items()}
    own = {name: f["own"] for name, f in found.items()}
    assert [(p["a"], p["b"], p["same"]) for p in similarity.pairs(prints, own)] == [("carol", "carolcopy", True)]


def _padded(text, every=3):
    """``text`` with a statement that does nothing after every ``every``-th line of a function
    body (``pass``, ``...``, a bare string, ``x = x``, a bare number, ``; pass`` on the line), as
    trial 18b hid a renamed copy: 55 shared fingerprints, 38 % of one, "No similar pairs"."""
    fillers = ("pass", "...", "'\'\'note'\'\'", "x = x", "0", "; pass", "(0)", "-1", "[]", "()", "not 0", "0 + 0",
               "x == x", "x = (x)", "x += 0", "x = x + 0", "_ = 0", "assert 1", "if 0: pass", "lambda: 0", "(...)",
               "; 0")
    out, count = [], 0
    for line in text.splitlines():
        out.append(line)
        body = line.startswith("    ") and line.strip() and not line.rstrip().endswith((":", ",", "(", "[", "\\"))
        if body and not line.lstrip().startswith(('"', "'", "#", ")", "]")) and line.count("(") == line.count(")"):
            count += 1
            if count % every == 0:
                filler = fillers[(count // every) % len(fillers)]
                if filler == "; pass":
                    out[-1] = line.rstrip() + "; pass"
                else:
                    out.append(line[:len(line) - len(line.lstrip())] + filler)
    return "\n".join(out) + "\n"


def test_statements_that_do_nothing_neither_hide_a_copy_nor_count(tmp_path):
    from grader import similarity

    ann = _folder(tmp_path / "subs" / "ann", {m: (SOLUTIONS / m).read_text() for m in ("activations.py", "losses.py")})
    bob = _folder(tmp_path / "subs" / "bob",
                  {m: _padded((SOLUTIONS / m).read_text(), every=1) for m in ("activations.py", "losses.py")})
    padded = (bob / "activations.py").read_text()
    assert padded.count("    pass\n") >= 2 and "; pass\n" in padded and "    ...\n" in padded
    assert "    x = x\n" in padded and "    '''note'''\n" in padded
    assert "    x += 0\n" in padded and "    assert 1\n" in padded and "    x == x\n" in padded
    assert "    if 0: pass\n" in padded and "    lambda: 0\n" in padded
    assert similarity.tokens("a = b\npass\n...\n'''x'''\nb = b\n7\nc = d; pass\nreturn\n") == [
        ("V", 1), ("=", 1), ("V", 1), ("V", 7), ("=", 7), ("V", 7), ("return", 8)]
    # what does something stays: a call, an assignment, a jump, an augmented assignment that changes
    kept = "f(x)\nx += 1\ny = x + 0\nassert x\nif x: pass\nz = (yield)\n"
    assert [t for t, _ in similarity.tokens(kept)] == ["V", "(", "V", ")", "V", "+=", "N", "V", "=", "V", "+", "N",
                                                        "assert", "V", "if", "V", ":", "pass", "V", "=", "(", "yield",
                                                        ")"]
    assert _hashes(bob) == _hashes(ann)     # the padding leaves no trace in the fingerprints
    section, table = _similar_section(_graded_class(tmp_path / "subs", tmp_path))
    assert len(table) == 1 and table[0].startswith("| ann | bob | ") and table[0].endswith(" | 100% / 100% |"), table


def test_a_solution_copied_by_more_students_than_common_code_allows_is_named(tmp_path):
    """Trial 18b: twelve renamed copies of one solution in a class of 13 gave "No similar pairs"
    and no other hint: code held by more than 10 submissions is common and no pair counts it."""
    subs = tmp_path / "subs"
    skeleton_copy(subs / "carol" / "exercises")
    names = (("e = ", "{v} = "), ("(1.0 + e)", "(1.0 + {v})"), ("e / ", "{v} / "))
    for k in range(12):
        folder = skeleton_copy(subs / f"r{k:02d}" / "exercises")
        _renamed(SOLUTIONS / "activations.py", folder / "activations.py",
                 [(old, new.format(v=f"ex{k}")) for old, new in names])
        shutil.copy(SOLUTIONS / "losses.py", folder / "losses.py")
    out = _graded_class(subs, tmp_path)
    section, table = _similar_section(out)
    assert table == [] and "No similar pairs." in section
    note = next(line for line in section.splitlines() if line.startswith("Mostly code that more than 10"))
    assert note.startswith("Mostly code that more than 10 submissions hold, which no pair counts (a solution shared "
                           "widely, or code from elsewhere: look at them together): r00 ("), note
    assert all(f"r{k:02d} (" in note for k in range(12)) and "carol" not in note
    html = (out / "summary.html").read_text()
    assert "Mostly code that more than 10 submissions hold" in html and "r11 (" in html
