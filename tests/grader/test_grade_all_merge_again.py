"""Merging again into the same --out (trial 16, item 3): a partial ``grade-all --merge`` says "merge
again with every shard's --out folder", and merging again there was refused without --force. A
merge now replaces an incomplete merge of the same class (the same submissions and settings) whose
shards are among its own and whose every graded submission it holds too: that only completes it.
Anything else in the folder is refused as before.

Totals are computed by hand from the points table, as in test_grade_all.py: the class is two
correct submissions, the untouched skeleton and one whose tanh is wrong."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.grader.test_grade_all import ACT, ONLY, POINTS, read_csv, run, small_class

REFUSED = "already holds grade-all results; give the merge a new --out, or pass --force to replace them."


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """The class (sorted ids s0, s1, skel, wrong) graded in two shards: 1/2 grades s0 and skel,
    2/2 grades s1 and wrong (positions 1, 3 and 2, 4)."""
    root = tmp_path_factory.mktemp("merge_again")
    subs = small_class(root, n=2, zipped=False)
    for k in (1, 2):
        code, stdout, stderr = run("grade-all", subs, "--out", root / f"sh{k}", "--shard", f"{k}/2", *ONLY,
                                   "--timeout", "2")
        assert code == 0, stdout + stderr
    return root


def totals(folder):
    _, rows = read_csv(folder / "grades.csv")
    return {ident: float(row[-2]) for ident, row in rows.items()}


CLASS = {"s0": ACT, "s1": ACT, "skel": 0.0, "wrong": ACT - POINTS["activations.tanh"]}



def _failed_on(shard, copy, ident):
    """A copy of the shard folder ``shard`` at ``copy`` where the grader failed on ``ident``
    (its record as an internal error's, as grade-all writes one)."""
    shutil.copytree(shard, copy)
    records = [json.loads(line) for line in (copy / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in records:
        if record["id"] == ident:
            record.update(status="error", result=None, note="internal grader error: test")
    (copy / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return copy


def test_the_trial_sequence_merge_one_shard_then_both_into_the_same_out(shards, tmp_path):
    merged = tmp_path / "merged"
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", "--out", merged)
    assert code == 1
    assert stderr.strip().splitlines()[-1] == (
        "Error: 2 submissions are in none of the shards' results (s1, wrong): shard 2/2 is not among the folders "
        "merged; merge again with every shard's --out folder (grades.csv has no row for them yet).")
    assert totals(merged) == {"s0": ACT, "skel": 0.0}
    # what it says to do now works: the same --out, no --force
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", shards / "sh2", "--out", merged)
    assert code == 0, stdout + stderr
    assert (f"Replaced the incomplete merge in {merged} (of shard 1/2) with this one, which holds every "
            "submission it graded.") in stderr
    assert totals(merged) == CLASS
    assert sorted(p.name for p in (merged / "reports").glob("*.md")) == ["s0.md", "s1.md", "skel.md", "wrong.md"]
    # a complete merge is no longer replaced without --force: there is nothing left to complete
    before = (merged / "results.jsonl").read_bytes()
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", shards / "sh2", "--out", merged)
    assert code == 1 and stderr.strip().splitlines()[-1] == f"Error: Output folder '{merged}' {REFUSED}"
    assert (merged / "results.jsonl").read_bytes() == before


def test_the_same_partial_merge_again_is_no_harm(shards, tmp_path):
    merged = tmp_path / "merged"
    for _ in range(2):
        code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", "--out", merged)
        assert code == 1 and "shard 2/2 is not among the folders merged" in stderr
    assert "Replaced the incomplete merge" in stderr and REFUSED not in stderr
    assert totals(merged) == {"s0": ACT, "skel": 0.0}


def test_a_merge_that_would_lose_what_the_earlier_one_graded_is_refused(shards, tmp_path):
    merged = tmp_path / "merged"
    assert run("grade-all", "--merge", shards / "sh1", "--out", merged)[0] == 1
    before = (merged / "results.jsonl").read_bytes()
    # shard 1/2 is not in it: s0 and skel would be lost
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh2", "--out", merged)
    assert code == 1 and stderr.strip().splitlines()[-1] == f"Error: Output folder '{merged}' {REFUSED}"
    assert (merged / "results.jsonl").read_bytes() == before
    # shard 1/2 again, but run again where the grader failed on s0 this time: s0's grade would be lost
    failed = _failed_on(shards / "sh1", tmp_path / "sh1-failed", "s0")
    code, stdout, stderr = run("grade-all", "--merge", failed, shards / "sh2", "--out", merged)
    assert code == 1 and stderr.strip().splitlines()[-1] == f"Error: Output folder '{merged}' {REFUSED}"
    assert (merged / "results.jsonl").read_bytes() == before
    # --force replaces it all the same
    code, stdout, stderr = run("grade-all", "--merge", failed, shards / "sh2", "--out", merged, "--force")
    assert code == 1 and "The grader failed on 1 submission" in stderr
    assert "Replaced the incomplete merge" not in stderr


def test_a_failed_merge_is_completed_after_the_shard_is_run_again(shards, tmp_path):
    """The other "merge again": a shard where the grader failed on a submission; the merge says
    to run the shards again, then merge again, which replaces it."""
    failed = _failed_on(shards / "sh2", tmp_path / "sh2-failed", "wrong")
    merged = tmp_path / "merged"
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", failed, "--out", merged)
    assert code == 1 and stderr.strip().splitlines()[-1].endswith(
        "run the shards again (each grades its failed submissions again), then merge again (summary.md names "
        "each reason).")
    # the shard run again (here: its folder as it was graded), then merged again into the same --out
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", shards / "sh2", "--out", merged)
    assert code == 0, stdout + stderr
    assert "Replaced the incomplete merge in" in stderr and "(of shards 1/2 and 2/2)" in stderr
    assert totals(merged) == CLASS


def test_only_a_folder_a_merge_wrote_is_replaced(shards, tmp_path):
    """An incomplete merge's folder that no longer says it was written by a merge (an earlier
    kit's, or a folder grade-all then resumed the class in) is refused as any other."""
    merged = tmp_path / "merged"
    assert run("grade-all", "--merge", shards / "sh1", "--out", merged)[0] == 1
    batch = merged / "batch.json"
    info = json.loads(batch.read_text(encoding="utf-8"))
    assert [s["shard"] for s in info["merged"]] == [[1, 2]]
    del info["merged"]
    batch.write_text(json.dumps(info), encoding="utf-8")
    code, stdout, stderr = run("grade-all", "--merge", shards / "sh1", shards / "sh2", "--out", merged)
    assert code == 1 and stderr.strip().splitlines()[-1] == f"Error: Output folder '{merged}' {REFUSED}"
