"""``chainrule grade-all --release PATH`` (and ``grade --release``): a class graded with the
functions and points a release handed out, not the whole contract's defaults.

The release hands out ``activations`` and ``losses`` with a points file. Every expected
total below is worked out by hand from that points file and the contract's published
default points (CONTRACT.md: 1 point each, ``activations.softmax``,
``losses.binary_crossentropy_grad`` and ``losses.softmax_crossentropy_grad`` 2), never by
the code under test.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, qualified_names

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"

RELEASED = ("activations", "losses")
POINTS_FILE = """\
"activations.sigmoid" = 3
"activations.relu_derivative" = 2.5
"losses.binary_crossentropy_grad" = 0.5
"""
# activations: 9 functions, softmax 2 and the others 1 by default (10); the file makes
# sigmoid 3 (+2) and relu_derivative 2.5 (+1.5): 13.5. losses: 11 functions, two of them 2
# by default (13); binary_crossentropy_grad 0.5 (-1.5): 11.5.
FULL = 13.5 + 11.5                      # 25 points, not the contract's 68
# the partly wrong student leaves relu_derivative (2.5) and binary_crossentropy_grad (0.5)
# not implemented; nothing else calls them
PARTIAL = FULL - 2.5 - 0.5              # 22 points, 88%
UNRELEASED = [m for m in CONTRACT if m not in RELEASED]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _student(folder, broken=()):
    """A student's repository of this release: exercises/ with only the released modules
    (the reference's code), the functions in ``broken`` left raising NotImplementedError."""
    ex = Path(folder) / "exercises"
    ex.mkdir(parents=True)
    for name in ("__init__.py", "_common.py", *(f"{m}.py" for m in RELEASED)):
        shutil.copy(SOLUTIONS / name, ex / name)
    for qualname in broken:
        module, name = qualname.split(".")
        path = ex / f"{module}.py"
        path.write_text(path.read_text() + f"\n\ndef {name}(*args, **kwargs):\n    raise NotImplementedError\n")
    return folder


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    from chainrule.release import build

    base = tmp_path_factory.mktemp("grade-release")
    (base / "points.toml").write_text(POINTS_FILE)
    (base / "course.secret").write_text("0123456789abcdef0123456789abcdef\n")
    build(base / "dist", modules=",".join(RELEASED), points_file=base / "points.toml", hidden=1,
          secret_file=base / "course.secret")
    subs = base / "subs"
    _student(subs / "ada")
    _student(subs / "bo", broken=("activations.relu_derivative", "losses.binary_crossentropy_grad"))
    return base


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:   # the mark the kit writes, or none
        rows = list(csv.reader(handle))
    return rows[0], {row[0]: row for row in rows[1:]}


def _released_names():
    return [q for q in qualified_names() if q.split(".")[0] in RELEASED]


def _no_unreleased(text, where):
    for module in UNRELEASED:
        for word in (f"{module}.py", f"--only {module}", f"'{module}'", f"`{module}`",
                     *(f"{module}.{f}" for f in CONTRACT[module])):
            assert word not in text, f"{where} mentions {word}"


def test_a_class_is_graded_with_the_releases_functions_and_points(release, tmp_path):
    out = tmp_path / "grades"
    code, stdout, stderr = run("grade-all", release / "subs", "--out", out, "--release", release / "dist",
                               "--secret-file", release / "course.secret")
    assert code == 0, stderr
    assert (f"Graded with the functions and points of the release '{release / 'dist'}': activations, losses, "
            "25 points in all.\n") in stdout
    header, rows = _csv(out / "grades.csv")
    assert header == ["id", *_released_names(), "total", "percent"]
    assert rows["ada"][-2:] == ["25", "100.00"]
    assert rows["bo"][-2:] == ["22", "88.00"]
    by_name = dict(zip(header, rows["ada"]))
    assert by_name["activations.sigmoid"] == "3" and by_name["activations.relu_derivative"] == "2.5"
    assert by_name["activations.softmax"] == "2" and by_name["losses.binary_crossentropy_grad"] == "0.5"
    bo = dict(zip(header, rows["bo"]))
    assert bo["activations.relu_derivative"] == "0" and bo["losses.binary_crossentropy_grad"] == "0"
    assert bo["activations.sigmoid"] == "3"
    ada = (out / "reports" / "ada.md").read_text()
    bo_report = (out / "reports" / "bo.md").read_text()
    assert ada.startswith("## chainrule grade: 25 / 25 points (100.0%)\n")
    assert bo_report.startswith("## chainrule grade: 22 / 25 points (88.0%)\n")
    assert "| `activations.relu_derivative` | " in bo_report and " | 0/2.5 | " in bo_report
    summary = (out / "summary.md").read_text()
    assert f"20 functions worth 25 points as the release '{release / 'dist'}' hands them out; " in summary
    assert "20 functions worth 25 points as the release " in (out / "summary.html").read_text()
    for name in ("ada.md", "bo.md"):
        _no_unreleased((out / "reports" / name).read_text(), name)
    for name in ("summary.md", "summary.html", "grades.csv"):
        _no_unreleased((out / name).read_text(), name)
    assert "Importing" not in ada + bo_report
    # the release recorded in batch.json: what it hands out and where it was read
    info = json.loads((out / "batch.json").read_text())
    assert info["release"]["functions"] == _released_names()
    assert info["release"]["points"]["activations.sigmoid"] == 3.0
    assert info["release"]["file"] == str((release / "dist" / "student" / "grader" / "data" / "release.json").resolve())
    # nothing of the release stays in force after the command
    from grader import classreport, release_settings
    from chainrule_core.contract import POINTS

    assert release_settings.functions() is None and dict(classreport.POINTS) == POINTS


def test_without_release_the_class_is_graded_out_of_the_whole_contract(release, tmp_path):
    # what the new-user trial met: the same class, no --release, is graded out of 68
    code, _, stderr = run("grade-all", release / "subs", "--out", tmp_path / "g")
    assert code == 0, stderr
    header, rows = _csv(tmp_path / "g" / "grades.csv")
    assert header[1:-2] == qualified_names()
    # the released modules' default points (activations 10, losses 13) out of all 68
    assert rows["ada"][-2:] == ["23", f"{100 * 23 / 68:.2f}"]


def test_only_outside_the_release_is_refused_and_inside_it_narrows(release, tmp_path):
    out = tmp_path / "g"
    code, _, stderr = run("grade-all", release / "subs", "--out", out, "--release", release / "dist",
                          "--only", "layers")
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (f"Error: 'layers' is not in the release '{release / 'dist'}' "
                                               "(activations, losses).")
    assert not out.exists()
    code, _, stderr = run("grade-all", release / "subs", "--out", out, "--release", release / "dist" / "student",
                          "--only", "activations.relu_derivative,activations.sigmoid")
    assert code == 0, stderr
    header, rows = _csv(out / "grades.csv")
    assert header == ["id", "activations.sigmoid", "activations.relu_derivative", "total", "percent"]
    assert rows["ada"][1:] == ["3", "2.5", "5.5", "100.00"]
    assert rows["bo"][1:] == ["3", "0", "3", "54.55"]           # 3 / 5.5
    # grade, for one student, names the release as grade-all does
    code, _, stderr = run("grade", release / "subs" / "bo", "--release", release / "dist", "--only", "network")
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (f"Error: 'network' is not in the release '{release / 'dist'}' "
                                               "(activations, losses).")


@pytest.mark.parametrize("command", ["grade-all", "grade"])
def test_a_bad_release_path_is_refused(release, tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "alien.json").write_text(json.dumps({"functions": ["activations.sigmoid", "cnn.conv2d"],
                                                     "points": {}}))
    # session 9's attack: 1e308 points each made the totals infinite and grade-all crash
    (tmp_path / "huge.json").write_text(json.dumps({"functions": ["activations.sigmoid", "activations.tanh"],
                                                    "points": {"activations.sigmoid": 1e308,
                                                               "activations.tanh": 1e308}}))
    valid = ("give a release's --out folder (what chainrule release --out wrote), its student/ folder or its "
             "grader/data/release.json.")
    cases = {
        tmp_path / "nowhere": f"--release '{tmp_path / 'nowhere'}' does not exist; {valid}",
        empty: (f"--release '{empty}' holds no release.json (neither student/grader/data/release.json nor "
                f"grader/data/release.json); {valid}"),
        tmp_path / "broken.json": (f"--release '{tmp_path / 'broken.json'}': '{tmp_path / 'broken.json'}' cannot "
                                   f"be read (not JSON); {valid}"),
        tmp_path / "list.json": (f"--release '{tmp_path / 'list.json'}': '{tmp_path / 'list.json'}' is not a "
                                 f"release's settings (a list of \"functions\" and their \"points\"); {valid}"),
        tmp_path / "alien.json": (f"--release '{tmp_path / 'alien.json'}': '{tmp_path / 'alien.json'}' names "
                                  "'cnn.conv2d', which is not a function of this kit's contract; grade it with the "
                                  "kit that built the release."),
        tmp_path / "huge.json": (f"--release '{tmp_path / 'huge.json'}': '{tmp_path / 'huge.json'}' gives "
                                 "'activations.sigmoid' the points 1e+308; a release gives its own functions 0 to "
                                 "1,000,000 points."),
    }
    for path, said in cases.items():
        if command == "grade-all":
            args = ["grade-all", release / "subs", "--out", tmp_path / "g", "--release", path]
        else:
            args = ["grade", release / "subs" / "ada", "--release", path]
        code, stdout, stderr = run(*args)
        assert code == 2, (path, stdout, stderr)
        assert stderr.strip().splitlines()[-1] == f"Error: {said}"
        assert "Traceback" not in stderr
    assert not (tmp_path / "g").exists()


def test_grade_checks_one_submission_as_the_class_is_graded(release):
    code, stdout, stderr = run("grade", release / "subs" / "bo", "--release", release / "dist")
    assert code == 0, stderr
    assert "Total: 22 / 25 points (88.0%), 18 of 20 functions pass" in stdout
    _no_unreleased(stdout, "grade's report")
    # the report's commands (every rerun line starts with it) grade the same way: with the release's points
    import json

    code, stdout, stderr = run("grade", release / "subs" / "bo", "--release", release / "dist", "--format", "json")
    assert code == 0, stderr
    reruns = [c["rerun"] for f in json.loads(stdout)["functions"] for c in f["cases"]]
    assert reruns and all(f" --release {release / 'dist'} --only " in r for r in reruns), reruns[:2]


def test_a_rerun_with_another_release_or_none_is_refused_and_force_regrades(release, tmp_path):
    from chainrule.release import build

    (tmp_path / "other.toml").write_text('"activations.sigmoid" = 1\n')
    build(tmp_path / "other", modules=",".join(RELEASED), points_file=tmp_path / "other.toml", hidden=0)
    out = tmp_path / "g"
    base = ["grade-all", release / "subs", "--out", out]
    code, _, stderr = run(*base, "--release", release / "dist")
    assert code == 0, stderr
    # the same release named another way (its release.json) resumes: nothing is graded again
    code, stdout, stderr = run(*base, "--release", release / "dist" / "student" / "grader" / "data" / "release.json")
    assert code == 0, stderr
    assert "(0 now, 2 from an earlier run)" in stdout
    refused = {
        ("--release", tmp_path / "other"): "the release (--release: another release's functions or points)",
        (): "the release (--release: given then, not now)",
    }
    for extra, words in refused.items():
        code, _, stderr = run(*base, *extra)
        assert code == 1
        assert stderr.strip() == (f"Error: Output folder '{out}' was graded with other settings ({words}); "
                                  "choose another --out, or pass --force to start over.")
    assert _csv(out / "grades.csv")[1]["ada"][-2] == "25"          # left as it was
    code, _, stderr = run(*base, "--release", tmp_path / "other", "--force")
    assert code == 0, stderr
    assert _csv(out / "grades.csv")[1]["ada"][-2] == "23"          # sigmoid 1, not 3: 25 - 2
    # graded without a release first, then with one: refused too
    plain = tmp_path / "plain"
    code, _, stderr = run("grade-all", release / "subs", "--out", plain, "--only", "activations,losses")
    assert code == 0, stderr
    code, _, stderr = run("grade-all", release / "subs", "--out", plain, "--release", release / "dist")
    assert code == 1
    assert "(the release (--release: not given then, given now))" in stderr


def test_merged_shards_keep_the_release(release, tmp_path):
    shards = []
    for k in (1, 2):
        shard = tmp_path / f"shard{k}"
        code, _, stderr = run("grade-all", release / "subs", "--out", shard, "--shard", f"{k}/2",
                              "--release", release / "dist")
        assert code == 0, stderr
        shards.append(shard)
    code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", tmp_path / "m")
    assert code == 0, stderr
    header, rows = _csv(tmp_path / "m" / "grades.csv")
    assert header == ["id", *_released_names(), "total", "percent"]
    assert rows["ada"][-2:] == ["25", "100.00"] and rows["bo"][-2:] == ["22", "88.00"]
    assert "20 functions worth 25 points" in (tmp_path / "m" / "summary.md").read_text()
    assert (tmp_path / "m" / "reports" / "bo.md").read_text().startswith("## chainrule grade: 22 / 25 points")
    # --release belongs to the shards' runs, not to the merge
    code, _, stderr = run("grade-all", "--merge", *shards, "--out", tmp_path / "m2", "--release", release / "dist")
    assert code == 2
    assert stderr.strip().splitlines()[-1] == ("Error: --release cannot be used with --merge: the shards' own "
                                               "settings are merged.")
    # a shard graded without the release does not merge with one graded with it
    plain = tmp_path / "plain2"
    code, _, stderr = run("grade-all", release / "subs", "--out", plain, "--shard", "2/2")
    assert code == 0, stderr
    code, _, stderr = run("grade-all", "--merge", shards[0], plain, "--out", tmp_path / "m3")
    assert code == 2    # the wrong folders given to --merge: a bad invocation (trial 19a)
    assert (f"(the release (--release: given for '{shards[0]}', not for '{plain}')); only shards of one run "
            "merge.") in stderr


def test_the_instructor_notes_give_the_grade_all_command(release, tmp_path):
    notes = (release / "dist" / "instructor" / "README.md").read_text()
    assert ("```\nchainrule grade-all submissions/ --out grades/ --release DIR --secret-file FILE\n```\n"
            in notes)
    assert "`DIR` is this release's folder (what you gave `chainrule release --out`" in notes
    assert "20 functions of `activations`, `losses`, 25 points in all" in notes
    assert "`chainrule grade SUBMISSION --release DIR`" in notes
    from chainrule.release import build

    build(tmp_path / "plain", modules="activations", hidden=0)
    plain = (tmp_path / "plain" / "instructor" / "README.md").read_text()
    assert "```\nchainrule grade-all submissions/ --out grades/ --release DIR\n```\n" in plain
    assert "Add `--secret-file FILE` with a course secret" in plain
    assert "9 functions of `activations`, 10 points in all" in plain
