"""``chainrule grade-all``: a whole class, resumably, on every core; class reports; shards.

Expected totals are computed by hand from the points table (``chainrule_core.contract.POINTS``) and what
each submission breaks, never by grading the same submission another way.
"""

import csv
import io
import json
import os
import shutil
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import POINTS
from tests.grader.conftest import EXERCISES, SOLUTIONS, make_skeleton, make_submission

FULL = sum(POINTS.values())             # 68 points for the whole contract
TIMEOUT = "2"          # per function: generous for a loaded machine, short for the hanging one

# a hand-written Adam without bias correction: the known mistake "no-bias-correction"
NO_BIAS_CORRECTION = """
    def adam_step(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * np.asarray(m) + (1.0 - beta1) * np.asarray(grad)
        v = beta2 * np.asarray(v) + (1.0 - beta2) * np.asarray(grad) ** 2
        return w - lr * m / (np.sqrt(v) + eps), m, v
    """


# a helper two students share (the second renamed it all and rewrote the comments)
SHARED_HELPER = """
    def _count_batches(total, size):
        # long-hand ceiling division, one batch at a time
        remaining = int(total)
        batches = 0
        while remaining > 0:
            taken = min(remaining, int(size))
            remaining = remaining - taken
            batches = batches + 1
            if remaining < 0:
                raise ValueError("negative remainder")
        checks = [batches * int(size) >= int(total), (batches - 1) * int(size) < int(total)]
        if not all(checks):
            raise AssertionError("ceiling division went wrong")
        return batches
    """
SHARED_HELPER_RENAMED = """
    def _how_many(n, b):
        left = int(n)   # what is still to split
        count = 0

        while left > 0:
            chunk = min(left, int(b))
            left = left - chunk
            count = count + 1
            if left < 0: raise ValueError('below zero')
        # sanity
        ok = [count * int(b) >= int(n), (count - 1) * int(b) < int(n)]
        if not all(ok):
            raise AssertionError('oops')
        return count
    """


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:   # the mark the kit writes, or none
        rows = list(csv.reader(handle))
    return rows[0], {row[0]: row for row in rows[1:]}


def zip_folder(folder, target, prefix=""):
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, prefix + str(path.relative_to(folder)))
    return target


def skeleton_copy(target):
    if EXERCISES.is_dir() and (EXERCISES / "activations.py").exists():
        shutil.copytree(EXERCISES, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target
    return make_skeleton(target)


# --------------------------------------------------------------------------- the class
@pytest.fixture(scope="module")
def klass(tmp_path_factory, open_dir_module):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    subs.mkdir()
    expected = {}
    for i in range(1, 6):
        make_submission(subs / f"correct{i:02d}" / "exercises")
        expected[f"correct{i:02d}"] = FULL
    # modules at the top level, and a downloaded repository one folder down
    make_submission(subs / "toplevel")
    expected["toplevel"] = FULL
    make_submission(subs / "repo" / "repo-main" / "exercises")
    expected["repo"] = FULL
    skeleton_copy(subs / "untouched" / "exercises")
    expected["untouched"] = 0
    make_submission(subs / "wrong" / "exercises", {"activations": """
        def relu(x):
            return np.abs(x) + 1.0
        """})
    expected["wrong"] = FULL - POINTS["activations.relu"]
    make_submission(subs / "mistake" / "exercises", {"optimizers": NO_BIAS_CORRECTION})
    expected["mistake"] = FULL - POINTS["optimizers.adam_step"]
    make_submission(subs / "hanging" / "exercises", {"activations": """
        def softplus_derivative(x):
            while True:
                pass
        """})
    expected["hanging"] = FULL - POINTS["activations.softplus_derivative"]
    make_submission(subs / "importcrash" / "exercises",
                    prepended={"regularization": "raise RuntimeError('broken at import')"})
    expected["importcrash"] = FULL - sum(v for k, v in POINTS.items() if k.startswith("regularization."))
    make_submission(subs / "exits" / "exercises", {"activations": """
        def tanh_derivative(x):
            import os
            os._exit(3)
        """})
    expected["exits"] = FULL - POINTS["activations.tanh_derivative"]
    make_submission(subs / "exitsatimport" / "exercises",
                    prepended={"initializers": "import os\nos._exit(5)"})
    expected["exitsatimport"] = FULL - sum(v for k, v in POINTS.items() if k.startswith("initializers."))
    pidfile = open_dir_module / "sleeper.pid"
    make_submission(subs / "sleeper" / "exercises", {"training": f"""
        _reference_iterations = iterations_per_epoch

        def iterations_per_epoch(n_samples, batch_size):
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    import ctypes
                    ctypes.CDLL(None).prctl(15, b"crsleeper", 0, 0, 0)   # PR_SET_NAME: findable
                    try:        # Landlock (where the kernel has it) refuses this write
                        with open({str(pidfile)!r}, "w") as fh:
                            fh.write(str(os.getpid()))
                    except OSError:
                        pass
                    time.sleep(600)
                os._exit(0)
            return _reference_iterations(n_samples, batch_size)
        """})
    expected["sleeper"] = FULL          # right answers; the sleeper it left must be killed
    make_submission(subs / "copyA" / "exercises", {"training": SHARED_HELPER})
    make_submission(subs / "copyB" / "exercises", {"training": SHARED_HELPER_RENAMED})
    expected["copyA"] = expected["copyB"] = FULL
    hostile_id = "<b>x&y"              # listed under "Not graded": its id is shown
    (subs / hostile_id).mkdir()
    (subs / hostile_id / "README.md").write_text("<script>alert(1)</script>")
    expected[hostile_id] = 0
    zip_folder(make_submission(root / "zipped"), subs / "zipped.zip", prefix="exercises/")
    expected["zipped"] = FULL
    (subs / "empty").mkdir()
    expected["empty"] = 0
    (subs / "junk.zip").write_bytes(b"this is not a zip file")
    expected["junk"] = 0
    with zipfile.ZipFile(subs / "escape.zip", "w") as archive:
        archive.writestr("exercises/activations.py", "import numpy as np\n")
        archive.writestr("../outside.py", "print('escaped')\n")
    expected["escape"] = 0
    (subs / "notes.txt").write_text("the instructor's notes, not a submission\n")

    out = root / "out"
    start = time.monotonic()
    code, stdout, stderr = run("grade-all", subs, "--out", out, "--jobs", "2", "--timeout", TIMEOUT)
    elapsed = time.monotonic() - start
    return {"subs": subs, "out": out, "expected": expected,
            "not_graded": {"empty", "junk", "escape", hostile_id}, "code": code, "stdout": stdout,
            "stderr": stderr, "pidfile": pidfile, "elapsed": elapsed, "root": root}


def test_grade_all_class_gets_the_right_totals(klass):
    assert klass["code"] == 0, klass["stdout"] + klass["stderr"]
    header, rows = read_csv(klass["out"] / "grades.csv")
    assert header == ["id", *POINTS, "total", "percent"]
    assert set(rows) == set(klass["expected"])
    for ident, total in klass["expected"].items():
        row = rows[ident]
        assert float(row[-2]) == pytest.approx(total), ident
        assert float(row[-1]) == pytest.approx(100 * total / FULL, abs=0.005), ident
        assert sum(float(x) for x in row[1:-2]) == pytest.approx(total), ident
    assert float(rows["wrong"][1 + list(POINTS).index("activations.relu")]) == 0
    assert float(rows["mistake"][1 + list(POINTS).index("optimizers.adam_step")]) == 0


def test_grade_all_rows_are_in_id_order_and_the_stray_file_is_ignored(klass):
    text = (klass["out"] / "grades.csv").read_text()
    ids = [line.split(",")[0] for line in text.splitlines()[1:]]
    assert ids == sorted(ids)
    summary = (klass["out"] / "summary.md").read_text()
    assert "Ignored in the submissions folder: notes.txt (not a folder or a .zip)." in summary


def _named_sleepers():
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/comm") as handle:
                if handle.read().strip() == "crsleeper":
                    with open(f"/proc/{pid}/stat") as handle:
                        if handle.read().split(")")[-1].split()[0] != "Z":
                            found.append(pid)
        except (OSError, ValueError):
            continue
    return found


def test_grade_all_sleeper_is_killed_with_its_submission(klass):
    pidfile = klass["pidfile"]
    if not pidfile.exists():
        # Landlock kept the sleeper from writing outside its run folder: it is found by the
        # name it gave itself instead (it must have started: the function returned)
        from grader import landlock

        assert landlock.abi() > 0, "the sleeper never started: the test proves nothing"
        assert _named_sleepers() == [], "a sleeper started by a submission survived the batch"
        return
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(")")[-1].split()[0] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the sleeper {pid} started by a submission survived the batch")


def test_grade_all_bad_entries_are_zero_rows_with_a_note(klass):
    summary = (klass["out"] / "summary.md").read_text()
    section = summary.split("## Nothing to grade", 1)[1].split("##", 1)[0]
    # the submissions' own fault, said so; no grader failure in this class
    assert section.startswith("\n\nThese submissions hold nothing the grader can grade, by their own fault")
    assert "## Grader failures" not in summary and "## Not graded" not in summary
    assert "<h2>Nothing to grade</h2>" in (klass["out"] / "summary.html").read_text()
    from chainrule_core.contract import CONTRACT

    first = ", ".join(f"{m}.py" for m in list(CONTRACT)[:3])
    assert (f"- empty: no exercise module ({first}, ...) in the submission, its exercises/ folder or "
            "a folder directly inside it") in section
    assert "- junk: not a readable zip file" in section
    assert "- escape: the zip member '../outside.py' points outside the folder" in section
    assert not (klass["root"] / "outside.py").exists()
    report = (klass["out"] / "reports" / "junk.md").read_text()
    assert report.startswith(f"## chainrule grade: 0 / {FULL:g} points (0.0%)")
    assert "could not be graded: not a readable zip file" in report


def test_grade_all_student_reports_are_the_grade_markdown(klass):
    report = (klass["out"] / "reports" / "mistake.md").read_text()
    assert report.startswith(f"## chainrule grade: {FULL - 2:g} / {FULL:g} points")
    assert "`optimizers.adam_step` | ❌ fail | 0/2 |" in report
    assert "known mistake: you left out the bias correction of the moments" in report      # its sentence, not its id
    zipped = (klass["out"] / "reports" / "zipped.md").read_text()
    assert "zipped.zip" in zipped.replace("\\", "") and "chainrule-batch-" not in zipped and "unpacked-" not in zipped


def test_grade_all_report_is_what_chainrule_grade_writes_for_the_submission(klass):
    folder = klass["subs"] / "mistake" / "exercises"
    code, stdout, stderr = run("grade", folder, "--timeout", TIMEOUT, "--format", "markdown")
    assert code == 0, stderr
    # the same report, with its commands for the student's own repository (the class was
    # graded with each submission's own seed, which a student's copy has not: its cases
    # cannot be rerun there, and the report says so instead of giving a command)
    seed = json.loads(run("grade", folder, "--timeout", TIMEOUT, "--format", "json")[1])["seed"]
    mine = stdout.replace(f"chainrule grade {folder} ", "chainrule grade ").replace(f" --seed {seed}", "")
    assert mine != stdout
    # and named from the submissions folder, not from where grade-all ran
    assert f"Submission `{folder}`" in mine
    mine = mine.replace(str(folder), "mistake/exercises")
    report = (klass["out"] / "reports" / "mistake.md").read_text()
    assert ("Case 1 was graded on a hidden seed that only the course's grader has, so it cannot be rerun in your "
            "repository.\nThe same checks on the public seed: chainrule grade --timeout "
            f"{float(TIMEOUT):g} --only optimizers.adam_step --verbose\n") in report
    assert f"seed {seed} (hidden: chainrule grade in your repository runs the same checks on the public seed)," \
        in report

    def rest(text):     # all but the rerun lines and the heading's note
        text = text.replace(" (hidden: chainrule grade in your repository runs the same checks on the public seed)",
                            "")
        return [line for line in text.splitlines() if not line.startswith((
            "Rerun case ", "Every case in full: ", "Case 1 was graded on a hidden seed",
            "The same checks on the public seed: "))]

    assert "Rerun case 1: " in mine and "Rerun case" not in report
    assert rest(report) == rest(mine)


def test_grade_all_summary_counts_the_known_mistake_against_its_function(klass):
    summary = (klass["out"] / "summary.md").read_text()
    adam = next(line for line in summary.splitlines() if line.startswith("| `optimizers.adam_step` |"))
    # the sentence the student was given, then how many, then the mistake's id
    assert adam.endswith("| You left out the bias correction of the moments; they need m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ) "
                         "before the step, or the first steps are far too small or too large. (1, "
                         "`no-bias-correction`) |"), adam
    page = (klass["out"] / "summary.html").read_text()
    assert ('<span title="no-bias-correction">You left out the bias correction of the moments; they need m / (1 − β₁ᵗ) and v '
            "/ (1 − β₂ᵗ) before the step, or the first steps are far too small or too large.</span> (1, "
            "<code>no-bias-correction</code>)") in page
    graded = sum(1 for t in klass["expected"] if t not in klass["not_graded"])
    assert f"| {graded - 2}/{graded} (" in adam            # the mistake and the skeleton miss it
    relu = next(line for line in summary.splitlines() if line.startswith("| `activations.relu` |"))
    assert f"| {graded - 2}/{graded} (" in relu
    assert "no-bias-correction" not in relu
    modules = summary.split("## Modules", 1)[1].split("##", 1)[0]
    mean_reg = sum((0 if t in ("untouched", "importcrash") else 5)
                   for t in klass["expected"] if t not in klass["not_graded"]) / graded
    assert f"| `regularization` | 5 | {mean_reg:.2f} |" in modules


def test_grade_all_summary_html_is_self_contained_and_escapes_ids(klass):
    page = (klass["out"] / "summary.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "Histogram of totals" in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<b>x&y" not in page and "&lt;b&gt;x&amp;y" in page
    summary = (klass["out"] / "summary.md").read_text()
    assert "<b>" not in summary and "\\<b\\>x\\&y" in summary
    # made safe as a file name, with a hash of the id (reports/index.csv says whose it is)
    assert (klass["out"] / "reports" / "_b_x_y-c4f8d5c7.md").exists()   # sha256("<b>x&y")[:8]


def test_grade_all_similarity_finds_the_shared_helper_but_not_common_code(klass):
    page = (klass["out"] / "summary.html").read_text()
    summary = (klass["out"] / "summary.md").read_text()
    section = summary.split("## Similar submissions", 1)[1]
    table = [l for l in section.splitlines() if l.startswith("| ") and "Submission" not in l]
    # the reference's code is in more than 10 submissions: common, never a pair by itself
    assert len(table) == 1 and table[0].startswith("| copyA | copyB | "), table
    assert table[0].endswith(" | 100% / 100% |")
    assert "copyA and copyB" in page
    assert "remaining = remaining - taken" in page and "left = left - chunk" in page


def test_grade_all_plain_progress_lines_when_not_a_terminal(klass):
    lines = [l for l in klass["stderr"].splitlines() if l.startswith("[")]
    assert len(lines) == len(klass["expected"])
    assert lines[-1].startswith(f"[{len(lines)}/{len(lines)}] ")
    assert any(l.endswith("junk: nothing to grade: not a readable zip file (File is not a zip file)")
               for l in lines)
    bad = len(klass["not_graded"])
    assert bad and f"Graded {len(klass['expected']) - bad} of {len(klass['expected'])} submissions into " in klass["stdout"]
    assert f"; {bad} with nothing to grade (see summary.md)." in klass["stdout"]
    assert "not graded" not in klass["stdout"] and klass["code"] == 0


def test_grade_all_rerun_grades_nothing_and_writes_the_same_files(klass):
    out = klass["out"]
    before = {p.name: p.read_bytes() for p in [out / "grades.csv", out / "summary.md", out / "summary.html"]}
    lines = (out / "results.jsonl").read_text().splitlines()
    code, stdout, stderr = run("grade-all", klass["subs"], "--out", out, "--timeout", TIMEOUT)
    assert code == 0, stdout + stderr
    assert (out / "results.jsonl").read_text().splitlines() == lines     # nothing graded again
    assert not [l for l in stderr.splitlines() if l.startswith("[")]
    for name, data in before.items():
        assert (out / name).read_bytes() == data, name


# --------------------------------------------------------------------------- batch machinery
def small_class(root, n=4, zipped=True):
    subs = root / "subs"
    subs.mkdir(parents=True)
    for i in range(n):
        make_submission(subs / f"s{i}" / "exercises")
    make_submission(subs / "wrong" / "exercises", {"activations": """
        def tanh(x):
            return np.asarray(x, dtype=float) * 0.0 + 3.0
        """})
    skeleton_copy(subs / "skel" / "exercises")
    if zipped:
        zip_folder(make_submission(root / "z"), subs / "zip1.zip")
    return subs


ONLY = ("--only", "activations")
ACT = sum(v for k, v in POINTS.items() if k.startswith("activations."))


def test_grade_all_resumes_after_an_interrupt(tmp_path):
    subs = small_class(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--jobs", "2")
    assert code == 0, stdout + stderr
    full_csv = (out / "grades.csv").read_text()
    lines = (out / "results.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) == 7
    # as if killed while writing the fourth record: three whole lines and a torn one
    (out / "results.jsonl").write_bytes(b"".join(lines[:3]) + lines[3][:40])
    for name in ("grades.csv", "summary.md", "summary.html"):
        (out / name).unlink()
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--jobs", "2")
    assert code == 0, stdout + stderr
    assert "3 of 7 submissions already graded in" in stderr and "grading the other 4." in stderr
    assert len([l for l in stderr.splitlines() if l.startswith("[")]) == 4
    assert (out / "grades.csv").read_text() == full_csv
    # a student changes a file: only that one is graded again
    (subs / "wrong" / "exercises" / "activations.py").write_text(
        (SOLUTIONS / "activations.py").read_text())
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY)
    assert code == 0, stdout + stderr
    graded = [l for l in stderr.splitlines() if l.startswith("[")]
    assert graded == [f"[1/1] wrong: {ACT:g} / {ACT:g} points"]
    # --force starts over
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--force")
    assert code == 0
    assert len([l for l in stderr.splitlines() if l.startswith("[")]) == 7


def test_grade_all_jobs_1_and_2_give_identical_grades(tmp_path):
    subs = small_class(tmp_path)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--jobs", jobs)
        assert code == 0, stdout + stderr
        outs.append(out)
    for name in ("grades.csv", "summary.md", "summary.html", "reports/wrong.md", "reports/zip1.md"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    header, rows = read_csv(outs[0] / "grades.csv")
    assert float(rows["zip1"][-2]) == ACT and float(rows["skel"][-2]) == 0
    assert float(rows["wrong"][-2]) == ACT - POINTS["activations.tanh"]


def test_grade_all_shards_merged_equal_one_run(tmp_path):
    subs = small_class(tmp_path)
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "whole", *ONLY)
    assert code == 0, stdout + stderr
    shards = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--shard", f"{k}/3")
        assert code == 0, stdout + stderr
        shards.append(out)
    _, rows1 = read_csv(shards[0] / "grades.csv")
    assert sorted(rows1) == ["s0", "s3", "zip1"]           # positions 1, 4, 7 of 7 (sorted ids)
    code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", tmp_path / "merged")
    assert code == 0, stdout + stderr
    for name in ("grades.csv", "summary.md", "summary.html", "reports/s1.md"):
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    # a shard's summaries say so at the top (trial 19a: nothing told a shard's numbers from the class's)
    shard_md = (shards[0] / "summary.md").read_text().splitlines()
    assert shard_md[2] == ("**Shard 1 of 3: these statistics and the similarity section cover this shard's "
                           "submissions only; `chainrule grade-all --merge` with the 3 shard folders gives the "
                           "whole class.**")
    assert ("<p class=warning><strong>Shard 2 of 3: these statistics and the similarity section cover this "
            "shard&#x27;s submissions only; <code>chainrule grade-all --merge</code> with the 3 shard folders "
            "gives the whole class.</strong></p>") in (shards[1] / "summary.html").read_text()
    for name in ("summary.md", "summary.html"):
        assert "Shard " not in (tmp_path / "whole" / name).read_text()
    # a shard missing: the merge writes what it has and fails, naming the shard (a gradebook
    # uploaded from it would lack two students)
    code, stdout, stderr = run("grade-all", "--merge", *shards[:2], "--out", tmp_path / "partial")
    assert code == 1, stdout + stderr
    assert stderr.strip().splitlines()[-1] == (
        "Error: 2 submissions are in none of the shards' results (s2, wrong): shard 3/3 is not among the folders "
        "merged; merge again with every shard's --out folder (grades.csv has no row for them yet).")
    assert "Traceback" not in stderr
    _, rows = read_csv(tmp_path / "partial" / "grades.csv")
    assert "s2" not in rows and "s0" in rows
    # every shard given, one unfinished (its record of s2 lost): run that shard again
    unfinished = tmp_path / "shard3-unfinished"
    shutil.copytree(shards[2], unfinished)
    results = unfinished / "results.jsonl"
    results.write_text("".join(line + "\n" for line in results.read_text().splitlines() if '"s2"' not in line))
    code, stdout, stderr = run("grade-all", "--merge", shards[0], shards[1], unfinished, "--out", tmp_path / "p2")
    assert code == 1 and stderr.strip().splitlines()[-1] == (
        f"Error: 1 submission is in none of the shards' results (s2): shard 3/3 (--out '{unfinished}') did not "
        f"finish it; run that shard again (chainrule grade-all '{os.path.realpath(subs)}' --shard 3/3 --out "
        f"'{unfinished}', with the options it had), then merge again (grades.csv has no row for it yet).")
    # a folder holding results already (the whole class graded there) is not replaced without --force
    before = (tmp_path / "whole" / "results.jsonl").read_bytes()
    code, stdout, stderr = run("grade-all", "--merge", shards[0], "--out", tmp_path / "whole")
    assert code == 1 and stderr.strip().splitlines()[-1] == (
        f"Error: Output folder '{tmp_path / 'whole'}' already holds grade-all results; give the merge a new "
        "--out, or pass --force to replace them.")
    assert (tmp_path / "whole" / "results.jsonl").read_bytes() == before
    code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", tmp_path / "whole", "--force")
    assert code == 0, stdout + stderr
    assert (tmp_path / "whole" / "grades.csv").read_bytes() == (tmp_path / "merged" / "grades.csv").read_bytes()
    # a shard given twice, or two copies of one shard, is a mistake of the command
    code, stdout, stderr = run("grade-all", "--merge", shards[0], shards[0], "--out", tmp_path / "twice")
    assert code == 2 and f"Shard folder '{shards[0]}' is given twice; give each shard once." in stderr
    # one folder spelled two ways (session 6's trial: "is given twice (as 'sh1/' too)" read oddly)
    code, stdout, stderr = run("grade-all", "--merge", shards[0], f"{shards[0]}/", "--out", tmp_path / "twice")
    assert code == 2 and (f"Shard folders '{shards[0]}' and '{shards[0]}/' are the same folder; give each "
                          "shard once.") in stderr
    shutil.copytree(shards[0], tmp_path / "copy")
    code, stdout, stderr = run("grade-all", "--merge", shards[0], tmp_path / "copy", "--out", tmp_path / "twice")
    assert code == 2 and (f"Shard folders '{shards[0]}' and '{tmp_path / 'copy'}' are both shard 1/3; give each "
                          "shard once.") in stderr
    assert not (tmp_path / "twice").exists()
    # a whole run among shards, or shards of two splits: which record wins would be a guess
    code, stdout, stderr = run("grade-all", "--merge", shards[0], tmp_path / "whole", "--out", tmp_path / "mixed")
    assert code == 2 and (f"'{shards[0]}' is a shard of 3 and '{tmp_path / 'whole'}' is a whole run (no --shard); "
                          "give the shards of one split (--shard K/N with the same N), each once.") in stderr
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "half", *ONLY, "--shard", "1/2")
    assert code == 0
    code, stdout, stderr = run("grade-all", "--merge", shards[1], tmp_path / "half", "--out", tmp_path / "mixed")
    assert code == 2 and f"'{shards[1]}' is a shard of 3 and '{tmp_path / 'half'}' is a shard of 2" in stderr
    assert not (tmp_path / "mixed").exists()


def test_grade_all_merge_refuses_one_submission_graded_two_ways(tmp_path):
    subs = small_class(tmp_path, n=1, zipped=False)
    assert run("grade-all", subs, "--out", tmp_path / "a", *ONLY)[0] == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    lines = (tmp_path / "b" / "results.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    graded = next(r for r in records if r["status"] == "graded" and r["result"]["functions"][0]["cases"][0]["passed"])
    graded["result"]["functions"][0]["cases"][0].update(passed=False, status="failed")  # another grade
    (tmp_path / "b" / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    code, stdout, stderr = run("grade-all", "--merge", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "m")
    assert code == 1
    assert (f"Submission '{graded['id']}' was graded differently in '{tmp_path / 'a'}' and '{tmp_path / 'b'}'; "
            "merge the shards of one run, each once.") in stderr
    assert not (tmp_path / "m").exists()


def test_grade_all_merge_refuses_shards_of_other_settings(tmp_path):
    subs = small_class(tmp_path, n=1, zipped=False)
    run("grade-all", subs, "--out", tmp_path / "a", *ONLY, "--shard", "1/2")
    run("grade-all", subs, "--out", tmp_path / "b", "--only", "losses", "--shard", "2/2")
    code, stdout, stderr = run("grade-all", "--merge", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "m")
    assert code == 2        # the wrong folders given (trial 19a), as a shard and a whole run are
    assert (f"Error: Shard folder '{tmp_path / 'b'}' was graded with other settings than "
            f"'{tmp_path / 'a'}' (the functions graded (--only)); only shards of one run merge.") in stderr
    code, stdout, stderr = run("grade-all", "--merge", tmp_path / "a", subs, "--out", tmp_path / "m")
    assert code == 2
    assert f"Folder '{subs}' is not a grade-all output folder (it has no batch.json)" in stderr


def test_grade_all_refuses_an_out_folder_of_another_class_or_settings(tmp_path):
    subs = small_class(tmp_path, n=1, zipped=False)
    other = tmp_path / "other"
    shutil.copytree(subs, other)
    out = tmp_path / "out"
    assert run("grade-all", subs, "--out", out, *ONLY)[0] == 0
    code, stdout, stderr = run("grade-all", other, "--out", out, *ONLY)
    assert code == 1
    assert (f"Error: Output folder '{out}' holds the grades of another class (submissions "
            f"'{os.path.realpath(subs)}'); choose another --out, or pass --force to start over.") in stderr
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--seed", "7")
    assert code == 1
    assert (f"Error: Output folder '{out}' was graded with other settings (seed per submission (now 7)); choose "
            "another --out, or pass --force to start over.") in stderr
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "thesis.tex").write_text("precious")
    code, stdout, stderr = run("grade-all", subs, "--out", stranger, *ONLY)
    assert code == 1
    assert "is not empty and was not made by chainrule grade-all" in stderr
    assert (stranger / "thesis.tex").read_text() == "precious"
    # a refused folder is left as it was: it held a hidden .grade-all.lock before (trial 15)
    assert sorted(p.name for p in stranger.iterdir()) == ["thesis.tex"]


def test_grade_all_refused_out_folder_is_free_again_at_once(tmp_path):
    # a refused --out kept its lock until the refusal's traceback was collected: a second
    # command in the same process (a notebook, a script calling the CLI) was told the folder
    # "is being written by another chainrule grade-all"; with the collector off, that is certain
    import gc

    subs = small_class(tmp_path, n=1, zipped=False)
    out = tmp_path / "out"
    assert run("grade-all", subs, "--out", out, *ONLY)[0] == 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert run("grade-all", subs, "--out", out, *ONLY, "--seed", "7")[0] == 1   # other settings: refused
        code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--seed", "7", "--force")
    finally:
        if enabled:
            gc.enable()
    assert code == 0, stdout + stderr


def test_grade_all_links_out_of_a_submission_make_it_ungradable(tmp_path):
    subs = tmp_path / "subs"
    (subs / "linked").mkdir(parents=True)
    os.symlink(SOLUTIONS, subs / "linked" / "exercises")
    one = make_submission(subs / "onefile" / "exercises")
    (one / "activations.py").unlink()
    os.symlink(SOLUTIONS / "activations.py", one / "activations.py")
    os.symlink(SOLUTIONS, subs / "outside")
    make_submission(subs / "fine" / "exercises")
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stdout + stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert {k: float(v[-2]) for k, v in rows.items()} == {"fine": ACT, "linked": 0, "onefile": 0, "outside": 0}
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert (f"- linked: 'exercises' is a link to '{SOLUTIONS}', outside the submission folder; submit the folder "
            "itself (links that leave the submission are never followed)") in summary
    assert "- onefile: 'exercises/activations.py' is a link to a path outside the submission" in summary
    assert "- outside: a link to a path outside the submissions folder" in summary


def test_grade_all_refuses_an_out_folder_another_run_is_writing(tmp_path):
    from grader import batch

    subs = small_class(tmp_path, n=1, zipped=False)
    out = tmp_path / "out"
    held = batch.lock_out(out)
    try:
        code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY)
    finally:
        held.close()
    assert code == 1
    assert (f"Error: Output folder '{out}' is being written by another chainrule grade-all; wait for "
            "it to finish or choose another --out.") in stderr
    assert not (out / "results.jsonl").exists()
    assert run("grade-all", subs, "--out", out, *ONLY)[0] == 0


def test_grade_all_bad_invocations_are_one_line_usage_errors(tmp_path):
    code, _, stderr = run("grade-all", tmp_path / "nope", "--out", tmp_path / "o")
    assert code == 2
    assert (f"Error: Submissions folder '{tmp_path / 'nope'}' does not exist; pass a folder holding one "
            "folder or .zip per student, named by the student id.") in stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = run("grade-all", empty, "--out", tmp_path / "o")
    assert code == 2
    assert f"Error: Submissions folder '{empty}' holds no submissions; it should hold" in stderr
    (empty / "s").mkdir()
    for bad in ("0/2", "3/2", "1/0", "x", "1-2"):
        code, _, stderr = run("grade-all", empty, "--out", tmp_path / "o", "--shard", bad)
        assert code == 2, bad
        assert f"Error: Shard '{bad}' is not valid; give K/N with 1 <= K <= N, e.g. --shard 1/4" in stderr
    code, _, stderr = run("grade-all", empty, "--out", tmp_path / "o", "--only", "activatons")
    assert code == 2 and "Did you mean 'activations'?" in stderr
    code, _, stderr = run("grade-all", empty, empty, "--out", tmp_path / "o")
    assert code == 2 and "Give one SUBMISSIONS folder (one folder or .zip per student), not 2; to combine shards use --merge." in stderr
    code, _, stderr = run("grade-all", empty, "--out", empty / "grades")
    assert code == 2
    assert (f"Error: --out '{empty / 'grades'}' is inside the submissions folder '{empty}'; it would be "
            "graded as a student's entry: choose a folder outside it.") in stderr
    code, _, stderr = run("grade-all", "--merge", empty, "--out", tmp_path / "o", "--seed", "3")
    assert code == 2 and "--seed cannot be used with --merge" in stderr
    code, _, stderr = run("grade-all", "--merge", empty, "--out", tmp_path / "o", "--seed", "0")
    assert code == 2 and "--seed cannot be used with --merge" in stderr     # 0 is a seed too
    assert "Traceback" not in stderr


def test_grade_all_recorded_expected_values_grade_like_the_live_solutions(tmp_path):
    """The batch's once-computed expected values (a private recording) give the same
    result as the live solutions, on a wrong submission with a per-case seed."""
    from grader import batch, grade_submission
    from grader.oracle import LiveOracle, RecordedOracle
    from grader.reports import render

    names = list(POINTS)                # every case of every function, stochastic ones included
    oracle, seed, name, _ = batch.make_oracle(None, names, 11)
    assert isinstance(oracle, RecordedOracle) and seed == 11 and name == LiveOracle().name
    assert not os.path.exists(oracle.path)          # the private file is gone once loaded
    sub = make_submission(tmp_path / "sub", {"optimizers": NO_BIAS_CORRECTION})
    live = grade_submission(str(sub), only=names, seed=11)
    recorded = grade_submission(str(sub), only=names, seed=11, oracle=oracle)
    assert render(recorded, "json") == render(live, "json")
    assert not live.functions["optimizers.adam_step"].passed


def test_grade_all_results_jsonl_round_trip_renders_every_format_the_same(tmp_path):
    """Reports are written from results.jsonl: what is read back renders exactly as the
    result graded (import failures, known mistakes, captured output included)."""
    from grader import grade_submission
    from grader.batch import result_from_json, result_to_json
    from grader.reports import FORMATS, render

    sub = make_submission(tmp_path / "sub", {"optimizers": NO_BIAS_CORRECTION + "\nprint('hello')\n"},
                          prepended={"regularization": "raise RuntimeError('broken at import')"})
    result = grade_submission(str(sub), only=["optimizers", "regularization", "activations.relu"])
    again = result_from_json(json.loads(json.dumps(result_to_json(result))))
    for fmt in FORMATS:
        assert render(again, fmt) == render(result, fmt), fmt
    assert again.functions["regularization.l2_penalty"].import_where == "regularization.py"


def test_grade_all_reports_give_commands_for_the_students_own_repository(tmp_path):
    """A report is the student's feedback: its commands run in the student's repository (no
    instructor path, no recording), whose copy has the public seed's cases only: a case graded
    on another seed says it cannot be rerun there (issue 11: "Rerun case 1" ran other numbers);
    everything else is what chainrule grade reports for the same submission."""
    from grader import record

    subs = small_class(tmp_path, n=1, zipped=False)
    top = subs / "top"          # modules at the top of the repository, handed in as a zip
    shutil.copytree(subs / "wrong" / "exercises", top / "repo")
    shutil.make_archive(str(subs / "top"), "zip", top)
    shutil.rmtree(top)
    recording = record(tmp_path / "expected.npz", seeds=(5,), only=["activations.tanh"])
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "--only", "activations.tanh",
                               "--recorded", recording)
    assert code == 0, stdout + stderr
    folder = subs / "wrong" / "exercises"
    code, direct, _ = run("grade", folder, "--only", "activations.tanh", "--recorded", recording,
                          "--format", "markdown")
    assert f"--recorded {recording} --only activations.tanh --case 1 --seed 5" in direct
    report = (out / "reports" / "wrong.md").read_text()
    hidden = ("Case 1 was graded on a hidden seed that only the course's grader has, so it cannot be rerun in "
              "your repository.\nThe same checks on the public seed: chainrule grade --only activations.tanh "
              "--verbose\n")
    assert hidden in report and "Rerun case" not in report and "--seed" not in report
    assert str(recording) not in report.split("expected values from")[1].split("\n", 1)[1]
    assert str(tmp_path) not in report
    direct_lines = direct.replace(f"chainrule grade {folder} --recorded {recording}", "chainrule grade").replace(
        ", seed 5,", ", seed 5 (hidden: chainrule grade in your repository runs the same checks on the public "
        "seed),").replace(f"`{folder}`", "`wrong/exercises`").splitlines(keepends=True)
    i = direct_lines.index("Rerun case 1: chainrule grade --only activations.tanh --case 1 --seed 5\n")
    assert report == "".join(direct_lines[:i]) + hidden + "".join(direct_lines[i + 2:])
    zipped = (out / "reports" / "top.md").read_text()
    assert "The same checks on the public seed: chainrule grade . --only activations.tanh --verbose\n" in zipped
    # graded with --seed 5: the same (the student's copy has not seed 5: --seed 5 fails there)
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "seeded", "--only", "activations.tanh",
                               "--recorded", recording, "--seed", "5")
    assert code == 0, stdout + stderr
    seeded = (tmp_path / "seeded" / "reports" / "wrong.md").read_text()
    assert hidden in seeded and "--seed" not in seeded
    # graded on the public seed, the cases the student's copy has: the commands rerun them
    public = record(tmp_path / "public.npz", seeds=(2026,), only=["activations.tanh"])
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "public", "--only", "activations.tanh",
                               "--recorded", public)
    assert code == 0, stdout + stderr
    mine = (tmp_path / "public" / "reports" / "wrong.md").read_text()
    assert "Rerun case 1: chainrule grade --only activations.tanh --case 1\n" in mine
    assert "Every case in full: chainrule grade --only activations.tanh --verbose" in mine
    assert "hidden" not in mine


def test_grade_all_zip_extraction_refuses_unsafe_members(tmp_path):
    import stat

    from grader.batch import BadZip, extract_zip

    cases = {
        "abs.zip": [("/etc/evil.py", "x")],
        "up.zip": [("a/../../evil.py", "x")],
    }
    for name, members in cases.items():
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            for member, data in members:
                archive.writestr(member, data)
        with pytest.raises(BadZip, match="points outside the folder"):
            extract_zip(tmp_path / name, tmp_path / (name + ".d"))
    link = zipfile.ZipInfo("exercises/activations.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "link.zip", "w") as archive:
        archive.writestr(link, "/work/solutions/activations.py")
    with pytest.raises(BadZip, match="is a link or a special file"):
        extract_zip(tmp_path / "link.zip", tmp_path / "link.d")
    assert not (tmp_path / "abs.zip.d" / "etc").exists()
    # the limits (files, bytes, ratio) count what is extracted: tests/grader/test_grade_all_fix11.py


#: two helpers long enough to be fingerprinted (also tests/grader/test_similarity.py's code)
MOMENTUM_CODE = textwrap.dedent('''
    def step(weights, gradient, velocity, lr=0.1, momentum=0.9):
        """Momentum."""
        velocity = momentum * velocity - lr * gradient
        weights = weights + velocity
        return weights, velocity

    def total(values):
        out = 0.0
        for v in values:
            out += v * v + 2.0 * v - 1.0
        return out / len(values)
    ''')


def test_similarity_ignores_names_comments_whitespace_and_the_skeleton(tmp_path):
    from grader import similarity

    body = MOMENTUM_CODE
    renamed = (body.replace("weights", "w").replace("gradient", "g").replace("velocity", "vel")
               .replace("values", "xs").replace("0.9", "0.5"))
    renamed = "# my own work!\n" + renamed.replace("    ", "        ").replace(
        "return out", "# average\n        return    out")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "m.py").write_text(body)
    (tmp_path / "b" / "m.py").write_text(renamed)
    pa, _ = similarity.fingerprint_folder(tmp_path / "a")
    pb, _ = similarity.fingerprint_folder(tmp_path / "b")
    assert pa and {p[0] for p in pa} == {p[0] for p in pb}
    # a different computation shares nothing
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "m.py").write_text(body.replace("out += v * v + 2.0 * v - 1.0",
                                                      "out = max(out, abs(v)) if v else out - 1"))
    pc, _ = similarity.fingerprint_folder(tmp_path / "c")
    assert {p[0] for p in pc} != {p[0] for p in pa}
    # given as the skeleton, the text counts for nothing
    skeleton = similarity.skeleton_hashes(tmp_path / "a")
    assert similarity.fingerprint_folder(tmp_path / "b", skeleton)[0] == []


def _processes_mentioning(word):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    if word.encode() in handle.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def _hanging_class(tmp_path, prefix, n, hanging):
    """``n`` submissions ``prefix0``... whose ``hanging`` activations never return; the
    grade-all command (2 jobs, 1.5 s a function) and its output folder."""
    import sys

    subs = tmp_path / "subs"
    body = "".join(f"def {name}(x):\n    while True:\n        pass\n\n" for name in hanging)
    for i in range(n):
        make_submission(subs / f"{prefix}{i}", {"activations": body})
    out = tmp_path / "out"
    return out, [sys.executable, "-m", "chainrule", "grade-all", str(subs), "--out", str(out),
                 "--only", "activations", "--timeout", "1.5", "--jobs", "2"]


def test_grade_all_ctrl_c_stops_cleanly_and_the_rerun_finishes(tmp_path):
    import signal
    import subprocess
    import sys

    # each hangs in two functions: 2 x 1.5 s per submission
    out, command = _hanging_class(tmp_path, "sigint_h", 3, ("relu", "tanh"))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    first = proc.stderr.readline()         # the first submission is graded and saved
    assert first.startswith("[1/3] sigint_h"), first
    os.killpg(proc.pid, signal.SIGINT)     # what Ctrl-C in a terminal sends
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    saved = len((out / "results.jsonl").read_text().splitlines())
    assert 1 <= saved < 3
    assert (f"Interrupted: {saved} of 3 submissions are graded and saved in {out / 'results.jsonl'}; "
            "run the same command again to grade the rest.") in stderr
    assert "Traceback" not in stderr and not (out / "grades.csv").exists()
    deadline = time.monotonic() + 5      # the children were killed; a loaded machine reaps them late
    while (_processes_mentioning("sigint_h") or _processes_mentioning(str(out))) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning("sigint_h") == []        # no grading child left
    assert _processes_mentioning(str(out)) == []          # no worker left
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{saved} of 3 submissions already graded" in proc.stderr
    _, rows = read_csv(out / "grades.csv")
    assert {float(r[-2]) for r in rows.values()} == {ACT - 2}


def test_grade_all_started_ignoring_sigint_never_saves_an_interrupted_grade(tmp_path):
    """A background job of a script ignores SIGINT (the shell sets it so): a SIGINT sent to
    its process group must not end any submission's grade, let alone save it as 0 points (a
    new user's trial found one saved as 'graded', every case "interrupted")."""
    import signal
    import subprocess
    import sys

    out, command = _hanging_class(tmp_path, "bg_h", 4, ("relu",))

    def background():
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=background)
    first = proc.stderr.readline()
    assert first.startswith("[1/4] bg_h"), first
    time.sleep(0.3)         # the next two are being graded
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    _, rows = read_csv(out / "grades.csv")
    assert {float(r[-2]) for r in rows.values()} == {ACT - 1}, rows
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["status"] for r in records} == {"graded"}
    assert [r["result"]["interrupted"] for r in records] == ["", "", "", ""]


def test_grade_all_an_interrupted_grade_is_saved_as_an_error_to_grade_again(tmp_path, monkeypatch):
    import grader
    from grader import batch
    from grader.results import GradeResult

    def interrupted(folder, **kwargs):
        return GradeResult(submission=folder, seed=1, oracle="live solutions", timeout=1.0, interrupted="SIGINT")

    monkeypatch.setattr(grader, "grade_submission", interrupted)
    record = {"status": "graded", "note": ""}
    sub = make_submission(tmp_path / "s1", {})
    batch._grade_into(record, str(sub), str(sub), ".", type("O", (), {
        "names": None, "seed": None, "seed_given": False, "secret": None, "require_isolation": False, "timeout": 1.0,
        "memory_mb": 256, "oracle_name": "live solutions"})(), None, None)
    assert record["status"] == "error" and "interrupted (SIGINT)" in record["note"], record
    assert batch.to_grade([type("E", (), {"id": "s1", "hash": "h"})()], {"s1": dict(record, hash="h")})


def test_grade_all_a_dying_or_stuck_worker_costs_only_its_submission(monkeypatch):
    """The pool replaces a worker that dies or hangs (a grader bug, never student code)
    and marks only that submission; the others are graded by the remaining workers."""
    from grader import batch

    def fake_grade_entry(entry, options, oracle, skeleton, scratch):
        if entry.id == "boom":
            os._exit(9)
        if entry.id == "stuck":
            time.sleep(60)
        return {"id": entry.id, "hash": entry.hash, "status": "graded", "note": "", "pid": os.getpid()}

    monkeypatch.setattr(batch, "grade_entry", fake_grade_entry)
    entries = [batch.Entry(i, f"/nowhere/{i}", "folder", hash=i) for i in ("a", "boom", "b", "stuck", "c", "d")]
    options = batch.Options(names=["activations.relu"], seed=1, timeout=1.0, memory_mb=64,
                            oracle_name="none", oracle_hash="", only=[])
    records = []
    start = time.monotonic()
    batch.run_pool(entries, options, None, 2, records.append, watchdog=2.0)
    assert time.monotonic() - start < 30
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == ["a", "b", "boom", "c", "d", "stuck"]
    assert by_id["boom"]["status"] == "error"
    assert by_id["boom"]["note"] == "the grader's worker process ended (exit code 9)"
    assert by_id["stuck"]["status"] == "error"
    assert by_id["stuck"]["note"] == "the grader gave up after 2 s"
    assert all(by_id[i]["status"] == "graded" for i in "abcd")
    for pid in {r["pid"] for r in records if "pid" in r}:      # every worker has ended
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] == "Z"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_grade_all_progress_bar_on_a_terminal_counts_failures_and_time_left():
    from grader.batch import Progress

    stream = _Terminal()
    progress = Progress(4, 0, 2, stream=stream)
    assert stream.getvalue() == "\rgrading [........................] 0/4, time left not known yet"
    progress.started -= 10          # as if the first submission took 10 s
    progress({"id": "a", "status": "graded", "result": {"functions": []}})
    progress({"id": "b", "status": "ungradable", "note": "empty"})
    last = stream.getvalue().split("\r")[-1]
    assert last.startswith("grading [############............] 2/4, 1 with nothing to grade, 0:1")
    progress({"id": "c", "status": "error", "note": "the child could not start"})
    last = stream.getvalue().split("\r")[-1]
    assert last.startswith("grading [##################......] 3/4, 1 with nothing to grade, 1 failed, 0:")
    assert last.rstrip().endswith(" left")
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * len(last.rstrip()) + "\r")


def test_grade_all_does_not_import_sympy_jinja2_or_plotting():
    import subprocess
    import sys

    probe = ("import sys; from chainrule.commands import grade_all; "
             "from grader import batch, classreport, similarity; "
             "print(sorted(m for m in ('sympy', 'jinja2', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_grade_all_secret_file_mixes_the_course_secret_into_each_seed(tmp_path):
    from grader import submission_seed

    subs = small_class(tmp_path, n=1, zipped=False)
    secret = tmp_path / "secret.txt"
    secret.write_text("a course secret of some length\n")
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "--only", "activations.tanh",
                               "--secret-file", secret)
    assert code == 0, stdout + stderr
    records = {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    folder = subs / "wrong" / "exercises"
    seed = records["wrong"]["result"]["seed"]
    assert seed == submission_seed(folder, secret=b"a course secret of some length")
    assert seed != submission_seed(folder)
    # the same --out with another secret would mix two classes' seeds: refused
    secret.write_text("another secret entirely\n")
    code, stdout, stderr = run("grade-all", subs, "--out", out, "--only", "activations.tanh",
                               "--secret-file", secret)
    assert code == 1 and "the course secret (--secret-file)" in stderr


def test_grade_all_progress_line_says_point_for_one_point():
    from grader.batch import line_for

    def record(passed, max_score):
        return {"id": "s1", "status": "graded",
                "result": {"functions": [{"max_score": max_score, "cases": [{"passed": p} for p in passed]}]}}

    assert line_for(record([True, True], 1.0)) == "s1: 1 / 1 point"
    assert line_for(record([True, False], 1.0)) == "s1: 0.5 / 1 point"
    assert line_for(record([True, True], 2.0)) == "s1: 2 / 2 points"


def test_grade_all_grades_a_submission_holding_a_virtual_environment(tmp_path):
    """A .venv (its python a link out of the submission) is never graded, copied or hashed,
    as chainrule grade and the Gradescope autograder leave it out too."""
    subs = tmp_path / "subs"
    folder = make_submission(subs / "venv" / "exercises")
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    os.symlink("/usr/bin/python3", bin_dir / "python")
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stdout + stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert float(rows["venv"][-2]) == ACT


def test_class_rows_count_a_functions_own_mistakes_not_the_failures_it_inherits(tmp_path):
    """network.forward fails only because the sigmoid it calls is wrong: the sigmoid's row
    counts the mistake, forward's row names none (no "calls-failing-sigmoid" as a mistake)."""
    from grader import grade_submission
    from grader.batch import result_to_json
    from grader.classreport import Row
    from tests.grader.conftest import make_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(x))
        """})
    names = ["activations.sigmoid", "network.forward"]
    result = grade_submission(str(sub), only=names)
    forward = result.functions["network.forward"]
    assert not forward.passed and forward.depends_on == ["activations.sigmoid"]
    assert any(d.kind == "dependency" for c in forward.cases for d in c.diagnoses)
    row = Row("s1", names, {"status": "graded", "result": result_to_json(result)})
    assert row.diagnoses["network.forward"] == []
    assert row.diagnoses["activations.sigmoid"] != []


def test_grade_all_one_id_given_twice_is_one_row_that_says_so(tmp_path):
    """s0/ and s0.zip both present: which to grade would be a guess; the id keeps one row (an
    LMS import needs valid ids; a new user's trial got an extra row "s0 (s0.zip)")."""
    from grader.batch import discover

    subs = small_class(tmp_path, n=2, zipped=False)
    zip_folder(make_submission(tmp_path / "z"), subs / "s0.zip")
    entries, ignored = discover(subs)
    assert [e.id for e in entries] == ["s0", "s1", "skel", "wrong"]
    s0 = entries[0]
    assert s0.kind == "bad" and s0.note == "both 's0' and 's0.zip' are named for this id; keep one"
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert sorted(rows) == ["s0", "s1", "skel", "wrong"] and float(rows["s0"][-2]) == 0
    assert "both 's0' and 's0.zip' are named for this id; keep one" in (tmp_path / "out" / "summary.md").read_text()


def test_grade_all_summary_gives_each_function_its_own_mistakes_sentence(tmp_path):
    # the review found summary rows quoting another function's sentence: sixteen mistake ids
    # (applied-to-input, wrong-sign, ...) are shared between functions, and the sentences were
    # kept per id alone
    subs = tmp_path / "subs"
    make_submission(subs / "s1" / "exercises", appended={"activations": """
        def sigmoid_derivative(x):
            s = np.asarray(x)
            return s * (1 - s)

        def tanh_derivative(x):
            t = np.asarray(x)
            return 1 - t * t
        """})
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--jobs", "1")
    assert code == 0, stdout + stderr
    summary = (out / "summary.md").read_text()
    rows = {name: next(line for line in summary.splitlines() if line.startswith(f"| `activations.{name}` |"))
            for name in ("sigmoid_derivative", "tanh_derivative")}
    assert "You applied s(1 − s) to x itself" in rows["sigmoid_derivative"], rows
    assert "1 − t²" not in rows["sigmoid_derivative"]
    assert "You applied 1 − t² to x itself" in rows["tanh_derivative"], rows
    assert "s(1 − s)" not in rows["tanh_derivative"]


def test_a_second_interrupt_during_the_cleanup_leaves_no_worker_running(monkeypatch):
    """Session 7's trial: a Ctrl-C, then another signal while the workers were being stopped,
    left one worker running; the exit then waited for it for good (multiprocessing joins its
    children at exit) and the rerun was refused as "being written by another grade-all"."""
    import multiprocessing
    import signal as signals

    from grader import batch

    def fake_grade_entry(entry, options, oracle, skeleton, scratch):
        time.sleep(60)                  # busy with its submission when the Ctrl-C comes

    monkeypatch.setattr(batch, "grade_entry", fake_grade_entry)
    stop = batch._Worker.stop

    def stop_then_interrupt_again(self, wait=2.0):
        os.kill(os.getpid(), signals.SIGINT)    # a second Ctrl-C while the first is cleaned up
        time.sleep(0.05)
        stop(self, wait)

    monkeypatch.setattr(batch._Worker, "stop", stop_then_interrupt_again)
    entries = [batch.Entry(i, f"/nowhere/{i}", "folder", hash=i) for i in ("a", "b", "c")]
    options = batch.Options(names=["activations.relu"], seed=1, timeout=1.0, memory_mb=64,
                            oracle_name="none", oracle_hash="", only=[])
    ticks = []

    def ctrl_c():                       # the first Ctrl-C, once both workers are busy
        ticks.append(1)
        if len(ticks) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch.run_pool(entries, options, None, 2, lambda record: None, tick=ctrl_c)
    assert multiprocessing.active_children() == []
    assert signals.getsignal(signals.SIGINT) is signals.default_int_handler   # put back


def test_grade_all_skips_mac_metadata_says_what_it_skips_and_refuses_one_students_folder(tmp_path):
    """Session 7's trial: an unzipped class download's __MACOSX/ became a student row with 0
    points in grades.csv; an ignored s009.tar.gz was named only in summary.md; and one
    student's folder given by mistake was graded as a student called "exercises"."""
    subs = small_class(tmp_path, n=1, zipped=False)
    (subs / "__MACOSX" / "s0").mkdir(parents=True)
    (subs / "__MACOSX" / "s0" / "._activations.py").write_bytes(b"\x00\x05\x16\x07")
    (subs / "s9.tar.gz").write_bytes(b"\x1f\x8b")
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stdout + stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert sorted(rows) == ["s0", "skel", "wrong"]
    assert (f"Skipped 2 entries of {subs} that are not a submission: __MACOSX (macOS archive metadata, not a "
            "submission); s9.tar.gz (not a folder or a .zip).") in stderr
    # one student's folder instead of the class's: refused, with the command that grades it
    one = subs / "s0"
    code, stdout, stderr = run("grade-all", one, "--out", tmp_path / "out1", *ONLY)
    assert code == 2 and stderr.strip().splitlines()[-1] == (
        f"Error: Submissions folder '{one}' looks like one student's submission (it holds exercises); pass the "
        f"folder that holds one folder or .zip per student, or grade this one with chainrule grade {one}.")
    assert not (tmp_path / "out1" / "grades.csv").exists()


def test_a_submission_taken_out_of_the_class_loses_its_report(tmp_path):
    """Session 9's trial: a rerun after an entry was removed from SUBMISSIONS left its
    reports/<id>.md behind (grades.csv and the summary had dropped it)."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    for sid in ("kim", "lee"):
        make_submission(subs / sid)
    args = ["grade-all", str(subs), "--out", str(out), "--only", "activations.sigmoid"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert sorted(p.name for p in (out / "reports").glob("*.md")) == ["kim.md", "lee.md"]
    shutil.rmtree(subs / "lee")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "reports").glob("*.md")) == ["kim.md"]
    assert "Removed 1 report of submissions no longer in the class: lee.md.\n" in result.output
    again = CliRunner().invoke(cli, args)
    assert "Removed" not in again.output


def test_only_reports_the_last_run_wrote_are_ever_removed(tmp_path):
    """Session 9's attack on the removal above: any .md in reports/ went (an instructor's
    README.md), through a reports/ that is a link a shared folder's file, and a folder named
    x.md stopped the run after grading."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    for sid in ("kim", "lee"):
        make_submission(subs / sid)
    args = ["grade-all", str(subs), "--out", str(out), "--only", "activations.sigmoid"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    (out / "reports" / "README.md").write_text("the instructor's own notes\n")
    (out / "reports" / "folder.md").mkdir()
    shutil.rmtree(subs / "lee")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["README.md", "folder.md", "index.csv", "kim.md"]
    assert "Removed 1 report of submissions no longer in the class: lee.md.\n" in result.output
    # a reports/ that is a link: nothing is removed through it
    shared = tmp_path / "shared"
    shared.mkdir()
    out2 = tmp_path / "out2"
    make_submission(subs / "lee")
    args2 = ["grade-all", str(subs), "--out", str(out2), "--only", "activations.sigmoid"]
    assert CliRunner().invoke(cli, args2).exit_code == 0
    for name in ("kim.md", "lee.md", "index.csv"):
        shutil.copy(out2 / "reports" / name, shared / name)
    shutil.rmtree(out2 / "reports")
    (out2 / "reports").symlink_to(shared)
    shutil.rmtree(subs / "lee")
    result = CliRunner().invoke(cli, args2)
    assert result.exit_code == 0, result.output
    assert (shared / "lee.md").exists() and "Removed" not in result.output


def test_grade_all_refuses_to_resume_or_merge_a_class_graded_with_other_cases(tmp_path, monkeypatch):
    # review 19: session 19 changed cases (train_step's lr 1.0 -> 0.3) with the version unchanged,
    # and a resumed class mixed the old kit's grades with the new one's (two identical
    # submissions, 7 and 6 points); the grading code's hash is part of the settings now
    from grader import batch

    subs = small_class(tmp_path, n=1, zipped=False)
    out = tmp_path / "out"
    assert run("grade-all", subs, "--out", out, *ONLY, "--shard", "1/2")[0] == 0
    monkeypatch.setattr(batch, "grading_code_hash", lambda root=None: "0" * 16)     # another kit's cases
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY, "--shard", "1/2")
    assert code == 1
    assert (f"Error: Output folder '{out}' was graded with other settings (the grading cases (another "
            "chainrule: its grader/specs, comparison or points)); choose another --out, or pass --force to start "
            "over.") in stderr
    assert run("grade-all", subs, "--out", tmp_path / "b", *ONLY, "--shard", "2/2")[0] == 0
    code, stdout, stderr = run("grade-all", "--merge", out, tmp_path / "b", "--out", tmp_path / "m")
    assert code == 2
    assert "(the grading cases (another chainrule" in stderr


def test_the_grading_code_hash_follows_the_cases(tmp_path):
    from grader import batch

    kit = tmp_path / "kit"
    for pattern in batch.GRADING_CODE:
        folder = os.path.dirname(pattern)
        shutil.copytree(os.path.join(batch.os.path.dirname(os.path.dirname(batch.__file__)), folder),
                        kit / folder, dirs_exist_ok=True)
    before = batch.grading_code_hash(str(kit))
    assert before == batch.grading_code_hash()      # the same files, the same hash
    spec = kit / "grader" / "specs" / "network.py"
    spec.write_text(spec.read_text().replace("lr 0.3", "lr 1.0"))
    assert batch.grading_code_hash.__wrapped__(str(kit)) != before
    crlf = kit / "chainrule_core" / "contract.py"      # a Windows checkout's line ends: the same code
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    assert batch.grading_code_hash.__wrapped__(str(kit)) != before      # (the network.py edit still differs)
    known = kit / "grader" / "specs" / "known" / "network.py"      # a hint's wording is no grade
    known.write_text(known.read_text() + "\n# reworded\n")
    spec.write_text(spec.read_text().replace("lr 1.0", "lr 0.3"))
    assert batch.grading_code_hash.__wrapped__(str(kit)) == before
