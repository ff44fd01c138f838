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
