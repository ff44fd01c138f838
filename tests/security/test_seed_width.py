"""A student cannot aim a submission at a seed whose expected values they hold.

Session 9's attack: per-submission seeds were a SHA-256 of the files reduced mod 10**9, so
adding an empty file and searching its name (about 3 CPU minutes) made a submission's seed
2026, the release's public seed, whose recording the student copy ships: a lookup table then
scored 58 of 68 in grade-all without a secret. Seeds are now 64 bits wide.
"""

import json
from pathlib import Path

from click.testing import CliRunner

from chainrule.cli import cli
from grader.seeds import SUBMISSION_SEED_BITS, submission_seed
from tests.grader.conftest import make_submission


def test_submission_seeds_span_64_bits(tmp_path):
    sub = make_submission(tmp_path / "sub")
    seeds = []
    for k in range(40):
        (sub / f"zz_{k}.py").write_text("")
        seeds.append(submission_seed(sub))
        (sub / f"zz_{k}.py").unlink()
    assert SUBMISSION_SEED_BITS == 64
    assert all(0 <= s < 2 ** 64 for s in seeds)
    # with 10**9 seeds, 40 draws all below 10**9; with 2**64, the chance of that is 2e-380
    assert sum(s >= 10 ** 9 for s in seeds) >= 35
    assert max(seeds) >= 2 ** 60
    assert len(set(seeds)) == 40


def test_a_wide_seed_is_printed_and_reruns_exactly(tmp_path):
    sub = make_submission(tmp_path / "sub")
    seed = submission_seed(sub)
    first = CliRunner().invoke(cli, ["grade", str(sub), "--only", "activations.sigmoid", "--format", "json"])
    report = json.loads(first.stdout)
    assert report["seed"] == seed
    again = CliRunner().invoke(cli, ["grade", str(sub), "--only", "activations.sigmoid", "--format", "json",
                                     "--seed", str(2 ** 64 - 1)])
    assert json.loads(again.stdout)["seed"] == 2 ** 64 - 1
    assert json.loads(again.stdout)["score"] == report["score"]


def test_what_the_graded_code_can_see_of_a_submission_changes_its_seed(tmp_path):
    """Trial 18b: folder names and links reached the graded code without changing the seed, so a
    regrade met the same cases and a lookup of the values the first report showed
    (``_notes/<key>/<value>`` folders, an empty folder or one holding only a hidden ``.keep``,
    or a link named after a value) turned a mean_squared_error returning 0.0 into full marks.
    Every folder and link the grader's copy holds is now hashed; what it leaves out is not."""
    import os

    from grader.submission_copy import safe_copy

    sub = make_submission(tmp_path / "sub")
    seen = {submission_seed(sub)}
    (sub / "_notes" / "fffe5a082a6a" / "0.6955022354").mkdir(parents=True)
    seen.add(submission_seed(sub))
    (sub / "_notes" / "fffe5a082a6a" / "0.6955022354").rmdir()
    seen.add(submission_seed(sub))
    (sub / "_notes" / "fffe5a082a6a" / "0.6955022354").mkdir()
    (sub / "_notes" / "fffe5a082a6a" / "0.6955022354" / ".keep").write_text("")   # git keeps such a folder
    assert submission_seed(sub) in seen     # a hidden file is never copied: the folder is what counts
    os.symlink("losses.py", sub / "data_0.6955022354.py")
    seen.add(submission_seed(sub))
    os.unlink(sub / "data_0.6955022354.py")
    os.symlink("activations.py", sub / "data_0.6955022354.py")
    seen.add(submission_seed(sub))
    assert len(seen) == 5, seen     # each change the code could see, a seed of its own
    # and the grader's copy holds exactly those folders and links (as files): the same seed
    copy = safe_copy(sub, tmp_path / "copy")
    os.symlink("activations.py", tmp_path / "copy" / "link_again.py")
    os.unlink(tmp_path / "copy" / "link_again.py")
    assert (tmp_path / "copy" / "_notes" / "fffe5a082a6a" / "0.6955022354").is_dir()
    assert sorted(os.listdir(copy)) == sorted(n for n in os.listdir(sub) if not n.startswith("."))
    # hidden entries and caches stay out of both
    (sub / ".git").mkdir()
    (sub / "__pycache__").mkdir()
    assert submission_seed(sub) in seen


def test_grade_all_regrades_a_submission_when_a_folder_is_added(tmp_path):
    """grade-all regrades what changed since its last run by a hash of what grading reads: a new
    folder (which changes the seed) changes that hash too, so the rerun grades it with the new seed."""
    from grader.batch import Entry, content_hash

    sub = make_submission(tmp_path / "class" / "ann")
    before = content_hash(Entry("ann", str(sub), "folder"))
    (sub / "_notes" / "key" / "0.5").mkdir(parents=True)
    assert content_hash(Entry("ann", str(sub), "folder")) != before


def test_a_link_into_a_hidden_file_is_refused_not_graded_unseen(tmp_path):
    """Review 18: ``lookup.py -> .stash/table.py`` reached the graded code while the seed skipped
    the hidden target: a table of shown values written there met the same cases on a regrade."""
    import os

    import pytest

    from grader.submission_copy import SubmissionRefused, safe_copy

    sub = make_submission(tmp_path / "sub")
    (sub / ".stash").mkdir()
    (sub / ".stash" / "table.py").write_text("TABLE = {}\n")
    os.symlink(".stash/table.py", sub / "lookup.py")
    with pytest.raises(SubmissionRefused) as info:
        safe_copy(sub, tmp_path / "copy")
    assert str(info.value).endswith("is a link to '.stash/table.py', a hidden or cache entry, which is never "
                                    "graded; submit the file itself."), str(info.value)
    os.unlink(sub / "lookup.py")
    (sub / "data").mkdir()
    (sub / "data" / "table.py").write_text("TABLE = {}\n")
    os.symlink("data/table.py", sub / "lookup.py")
    seed = submission_seed(sub)
    (sub / "data" / "table.py").write_text("TABLE = {(0.5,): 0.622459}\n")
    assert submission_seed(sub) != seed
    copy = safe_copy(sub, tmp_path / "copy2")
    assert (copy / "lookup.py").read_text() == "TABLE = {(0.5,): 0.622459}\n"
