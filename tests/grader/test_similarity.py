"""The similarity check's bounds and the evasions session 6's attack found: code in a
subpackage, megabytes of comments above the code, code run from a string literal, and
files of junk that made one submission cost 1.35 GB and a 129 MB results.jsonl."""

import json
import os
import time

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import MOMENTUM_CODE, ONLY, run

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
    assert similarity.tokens((prose / "m.py").read_text())[6:8] == [("S", 2), ("return", 3)]
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
