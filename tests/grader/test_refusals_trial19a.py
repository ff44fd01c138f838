"""Exit codes and wording of the refusals trial 19a met (finding 4).

- ``--recorded`` with a file that is not a recording is a bad invocation (exit 2, as the README
  says of a file to read that is "not what it should be", and as a missing recording is),
  for ``grade`` and ``grade-all``; the recording the kit ships is no invocation (exit 1);
- ``--merge`` with folders that are not shards of one run (two classes, other settings) is the
  wrong folders given: exit 2, as a shard plus a whole run is;
- ``--merge`` with an existing file says it is a file, not that it does not exist;
- ``--out`` of a whole run given ``--shard`` says "as a whole class (no --shard)".
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from grader.oracle import RecordedOracle
from tests.grader.test_grade_all import ONLY, run, small_class
from tests.grader.conftest import SOLUTIONS


@pytest.mark.parametrize("kind", ["text", "npz-without-meta", "torn"])
def test_a_file_that_is_not_a_recording_is_a_bad_invocation(tmp_path, kind):
    path = tmp_path / ("afile" if kind == "text" else "x.npz")
    if kind == "text":
        path.write_text("id,name\ns1,Ann\n", encoding="utf-8")
    elif kind == "npz-without-meta":
        np.savez(path, a=np.arange(3))
    else:
        path.write_bytes(b"PK\x03\x04torn")
    with pytest.raises(ChainruleUsageError, match="is not a recording of graded cases"):
        RecordedOracle(str(path))
    code, stdout, stderr = run("grade", SOLUTIONS, "--only", "activations.tanh", "--recorded", path)
    assert code == 2, stderr
    assert f"'{path}' is not a recording of graded cases" in stderr and "Traceback" not in stderr
    subs = small_class(tmp_path / "c", n=1, zipped=False)
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "g", *ONLY, "--recorded", path)
    assert code == 2, stderr
    assert f"'{path}' is not a recording of graded cases" in stderr and "Traceback" not in stderr


def test_the_shipped_recording_broken_is_a_failed_operation(tmp_path, monkeypatch):
    import grader.oracle as oracle_module

    def no_solutions(*args, **kwargs):
        raise ChainruleError("no solutions here")

    broken = tmp_path / "recorded.npz"
    broken.write_text("not a recording", encoding="utf-8")
    monkeypatch.setattr(oracle_module, "LiveOracle", no_solutions)
    monkeypatch.setattr(oracle_module, "DEFAULT_RECORDING", str(broken))
    with pytest.raises(ChainruleError) as info:
        oracle_module.default_oracle()
    assert not isinstance(info.value, ChainruleUsageError)
    assert "is not a recording of graded cases" in str(info.value)


@pytest.fixture(scope="module")
def two_classes(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    one = small_class(root / "one", n=1, zipped=False)
    other = root / "other"
    shutil.copytree(one, other)
    (other / "extra-student").mkdir()
    shutil.copytree(SOLUTIONS, other / "extra-student" / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for subs, out, shard in ((one, "sh1", "1/2"), (other, "gsh2", "2/2"), (one, "whole", None),
                             (one, "sh2-losses", "2/2")):
        extra = ("--shard", shard) if shard else ()
        only = ("--only", "losses") if out == "sh2-losses" else ONLY
        code, stdout, stderr = run("grade-all", subs, "--out", root / out, *only, *extra)
        assert code == 0, stderr
    return root


def test_merging_shards_of_two_classes_or_settings_is_a_bad_invocation(two_classes, tmp_path):
    root = two_classes
    code, stdout, stderr = run("grade-all", "--merge", root / "sh1", root / "gsh2", "--out", tmp_path / "m1")
    assert code == 2, stderr
    assert f"Shard folder '{root / 'gsh2'}' was graded from other submissions than '{root / 'sh1'}'" in stderr
    code, stdout, stderr = run("grade-all", "--merge", root / "sh1", root / "sh2-losses", "--out", tmp_path / "m2")
    assert code == 2, stderr
    assert "was graded with other settings than" in stderr
    # as a shard and a whole run already were
    code, stdout, stderr = run("grade-all", "--merge", root / "sh1", root / "whole", "--out", tmp_path / "m3")
    assert code == 2 and "is a whole run (no --shard)" in stderr
    assert not any((tmp_path / m).exists() for m in ("m1", "m2", "m3"))


def test_merging_a_file_says_it_is_a_file(two_classes, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    code, stdout, stderr = run("grade-all", "--merge", two_classes / "sh1", afile, "--out", tmp_path / "m")
    assert code == 2
    assert f"'{afile}' is a file, not a shard folder; give the --out folders of the shards" in stderr
    assert "does not exist" not in stderr
    code, stdout, stderr = run("grade-all", "--merge", two_classes / "sh1", tmp_path / "gone", "--out", tmp_path / "m")
    assert code == 2 and f"Shard folder '{tmp_path / 'gone'}' does not exist;" in stderr


def test_a_whole_runs_out_given_a_shard_says_a_whole_class(two_classes, tmp_path):
    out = tmp_path / "whole"
    shutil.copytree(two_classes / "whole", out)
    subs = json.loads((out / "batch.json").read_text(encoding="utf-8"))["submissions"]
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--shard", "1/2")
    assert code == 1, stderr
    assert f"Output folder '{out}' was graded as a whole class (no --shard), not shard 1/2;" in stderr
    code, stdout, stderr = run("grade-all", subs, "--out", two_classes / "sh1", *ONLY)
    assert code == 1 and "was graded as shard 1/2, not a whole class (no --shard);" in stderr
