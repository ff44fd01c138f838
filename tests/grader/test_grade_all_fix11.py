"""grade-all, session 11's trial: a zip is graded as its folder is (what the folder's copy
leaves out is never extracted; the limits count what is), an unfinished shard is named, SIGTERM
exits 143, a link among the submissions is never graded, the reports do not depend on the
folder the command ran in, and no report is named after a Windows device (``CON.md``)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import ACT, ONLY, _hanging_class, read_csv, run

MB = 1024 * 1024


def zip_tree(folder, target, compression=zipfile.ZIP_STORED):
    """Every file under ``folder`` (hidden ones and caches too: what a student's zip of a
    repository holds) into the zip ``target``, its links as links."""
    with zipfile.ZipFile(target, "w", compression) as archive:
        for base, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(base, d))]):
                path = os.path.join(base, name)
                rel = os.path.relpath(path, folder)
                if os.path.islink(path):
                    info = zipfile.ZipInfo(rel)
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    archive.writestr(info, os.readlink(path))
                else:
                    archive.write(path, rel)
    return target


def repository(root):
    """A student's repository as committed: the exercises, a 20 MB data file, a README, and a
    .venv of 2100 files (with a link out, as a venv's python is) plus a .git."""
    root = Path(root)
    make_submission(root / "exercises")
    (root / "data").mkdir()
    (root / "data" / "mnist.npy").write_bytes(os.urandom(20 * MB))
    (root / "README.md").write_text("# my homework\n")
    lib = root / ".venv" / "lib"
    lib.mkdir(parents=True)
    for i in range(2100):
        (lib / f"m{i}.py").write_text("x = 1\n")
    (root / ".venv" / "bin").mkdir()
    os.symlink("/usr/bin/python3", root / ".venv" / "bin" / "python")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def extracted(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


# --------------------------------------------------------------------------- 1. a zip as a folder
def test_a_repository_zip_with_data_and_a_venv_grades_as_its_folder_does(tmp_path):
    """Session 11: a zip with a 20 MB data/mnist.npy ("larger than 16 MB") and one with a
    committed .venv ("holds 5010 files, more than the 2000 allowed") got 0 points, while the
    same folders got full marks."""
    subs = tmp_path / "subs"
    folder = repository(subs / "eve")
    zip_tree(folder, subs / "zoe.zip")                       # at the zip's top
    shutil.copytree(folder, tmp_path / "wrap" / "repo-main", symlinks=True)
    zip_tree(tmp_path / "wrap", subs / "zed.zip", zipfile.ZIP_DEFLATED)    # one folder down
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out", *ONLY)
    assert code == 0, stdout + stderr
    _, rows = read_csv(tmp_path / "out" / "grades.csv")
    assert {k: float(v[-2]) for k, v in rows.items()} == {"eve": ACT, "zoe": ACT, "zed": ACT}
    assert rows["zoe"][1:] == rows["eve"][1:] == rows["zed"][1:]
    assert "Submission `zed.zip/repo-main/exercises`" in (tmp_path / "out" / "reports" / "zed.md").read_text()


def test_a_zip_extracts_only_the_folder_that_is_graded(tmp_path):
    from grader.batch import extract_zip

    shutil.copytree(repository(tmp_path / "repo"), tmp_path / "wrap" / "repo-main", symlinks=True)
    (tmp_path / "wrap" / "repo-main" / "exercises" / "__pycache__").mkdir()
    (tmp_path / "wrap" / "repo-main" / "exercises" / "__pycache__" / "activations.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "wrap" / "repo-main" / "exercises" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "wrap" / "repo-main" / "exercises" / ".ipynb_checkpoints" / "a.py").write_text("")
    (tmp_path / "wrap" / "repo-main" / "exercises" / "data").mkdir()
    (tmp_path / "wrap" / "repo-main" / "exercises" / "data" / "small.csv").write_text("1,2\n")
    zip_tree(tmp_path / "wrap", tmp_path / "s.zip")
    extract_zip(tmp_path / "s.zip", tmp_path / "out")
    modules = sorted(p.name for p in (tmp_path / "repo" / "exercises").iterdir())
    assert extracted(tmp_path / "out") == ["repo-main", "repo-main/exercises"] + sorted(
        [f"repo-main/exercises/{m}" for m in modules]
        + ["repo-main/exercises/data", "repo-main/exercises/data/small.csv"])
    # modules at the top: everything but what a folder's copy leaves out (.venv, .git, caches)
    zip_tree(tmp_path / "repo" / "exercises", tmp_path / "top.zip")
    with zipfile.ZipFile(tmp_path / "top.zip", "a") as archive:
        archive.writestr("notes/todo.txt", "later\n")
        archive.writestr(".venv/lib/big.py", "x = 1\n")
        archive.writestr("__pycache__/activations.cpython-311.pyc", b"x")
    extract_zip(tmp_path / "top.zip", tmp_path / "top")
    assert extracted(tmp_path / "top") == sorted(modules + ["notes", "notes/todo.txt"])


def test_a_zip_that_is_not_gradable_says_what_its_folder_would(tmp_path):
    from grader.batch import BadZip, extract_zip
    from grader.locate import NotGradable, find_modules

    two = tmp_path / "two"
    make_submission(two / "a" / "exercises")
    make_submission(two / "b")
    zip_tree(two, tmp_path / "two.zip")
    with pytest.raises(NotGradable) as folder:
        find_modules(two)
    with pytest.raises(BadZip) as archive:
        extract_zip(tmp_path / "two.zip", tmp_path / "two.d")
    assert str(archive.value) == folder.value.note == (
        "several folders hold exercise modules ('a/exercises', 'b'); a submission should hold one copy of "
        "the exercises")
    assert not (tmp_path / "two.d").exists()
    with zipfile.ZipFile(tmp_path / "none.zip", "w") as archive:
        archive.writestr("data/mnist.npy", b"\0" * 100)
        archive.writestr(".venv/lib/activations.py", "")     # hidden: never a place to grade
    with pytest.raises(BadZip) as archive:
        extract_zip(tmp_path / "none.zip", tmp_path / "none.d")
    assert str(archive.value) == ("no exercise module (activations.py, losses.py, layers.py, ...) in the "
                                  "submission, its exercises/ folder or a folder directly inside it")


# --------------------------------------------------------------------------- the limits still hold
def _exercises_zip(path, extra, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("exercises/activations.py", "import numpy as np\n")
        for name, data in extra:
            archive.writestr(name, data)
    return path


def test_zip_limits_count_what_is_extracted(tmp_path, monkeypatch):
    from grader import batch
    from grader.batch import BadZip, extract_zip
    from grader.limits import SUBMISSION_MAX_BYTES, SUBMISSION_MAX_FILES

    assert (batch.ZIP_MAX_MEMBERS, batch.ZIP_MAX_BYTES) == (SUBMISSION_MAX_FILES, SUBMISSION_MAX_BYTES)
    # files: 2001 extracted are too many, whatever stays in the zip
    _exercises_zip(tmp_path / "many.zip", [(f"exercises/f{i}.txt", "") for i in range(2000)])
    with pytest.raises(BadZip) as info:
        extract_zip(tmp_path / "many.zip", tmp_path / "many.d")
    assert str(info.value) == ("the zip's 'exercises' holds 2001 files and folders to grade, more than the 2000 "
                               "allowed; remove what is not part of the exercises")
    assert not (tmp_path / "many.d").exists()           # refused before anything is written
    _exercises_zip(tmp_path / "fine.zip", [(f"exercises/f{i}.txt", "") for i in range(1998)]
                   + [(f"other/f{i}.txt", "") for i in range(3000)])
    extract_zip(tmp_path / "fine.zip", tmp_path / "fine.d")
    assert len(os.listdir(tmp_path / "fine.d" / "exercises")) == 1999
    # folders count as a submission's do
    _exercises_zip(tmp_path / "dirs.zip", [(f"exercises/d{i}/", "") for i in range(1999)]
                   + [("exercises/d0/x/y.txt", "")])
    with pytest.raises(BadZip, match="'exercises' holds 2002 files and folders to grade"):
        extract_zip(tmp_path / "dirs.zip", tmp_path / "dirs.d")
    # bytes: counted while inflating what is extracted (here with the limit made small)
    monkeypatch.setattr(batch, "ZIP_MAX_BYTES", 3 * MB)
    _exercises_zip(tmp_path / "big.zip", [(f"exercises/f{i}.bin", os.urandom(MB)) for i in range(3)])
    with pytest.raises(BadZip) as info:
        extract_zip(tmp_path / "big.zip", tmp_path / "big.d")
    assert str(info.value) == ("the zip's 'exercises' unpacks to more than 3 MB, the limit; remove data files "
                               "that are not part of the exercises")
    _exercises_zip(tmp_path / "data.zip", [("exercises/f.bin", os.urandom(2 * MB)),
                                           ("data/mnist.npy", os.urandom(5 * MB))])
    extract_zip(tmp_path / "data.zip", tmp_path / "data.d")
    assert extracted(tmp_path / "data.d") == ["exercises", "exercises/activations.py", "exercises/f.bin"]


def test_zip_bombs_stop_at_the_byte_limit_and_a_huge_listing_is_not_read(tmp_path, monkeypatch):
    from grader import batch
    from grader.batch import BadZip, extract_zip

    # a bomb (about 1000 to 1) is stopped by the bytes counted while inflating, not by its headers
    monkeypatch.setattr(batch, "ZIP_MAX_BYTES", 3 * MB)
    _exercises_zip(tmp_path / "bomb.zip", [("exercises/zeros.bin", b"\0" * (8 * MB))], zipfile.ZIP_DEFLATED)
    assert os.path.getsize(tmp_path / "bomb.zip") < 80 * 1024
    with pytest.raises(BadZip) as info:
        extract_zip(tmp_path / "bomb.zip", tmp_path / "bomb.d")
    assert str(info.value) == ("the zip's 'exercises' unpacks to more than 3 MB, the limit; remove data files "
                               "that are not part of the exercises")
    written = tmp_path / "bomb.d" / "exercises" / "zeros.bin"
    assert written.stat().st_size <= 3 * MB                # stopped at the limit, not after 8 MB
    # an honest file that compresses as well (a training log, a zero-filled array) is extracted
    # as its folder would be copied (this session's review: it was refused by a ratio check)
    log = b"epoch 1 loss 0.5\n" * 150000                   # 2.4 MB, over 500 to 1
    _exercises_zip(tmp_path / "log.zip", [("exercises/log.txt", log)], zipfile.ZIP_DEFLATED)
    assert os.path.getsize(tmp_path / "log.zip") * 100 < len(log)
    extract_zip(tmp_path / "log.zip", tmp_path / "log.d")
    assert (tmp_path / "log.d" / "exercises" / "log.txt").read_bytes() == log
    # the same bomb outside the folder graded is never inflated
    _exercises_zip(tmp_path / "aside.zip", [("data/zeros.bin", b"\0" * (8 * MB))], zipfile.ZIP_DEFLATED)
    extract_zip(tmp_path / "aside.zip", tmp_path / "aside.d")
    assert extracted(tmp_path / "aside.d") == ["exercises", "exercises/activations.py"]
    # small or ordinary files pass (source code compresses 3-10 to 1)
    code = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(20000)).encode()
    _exercises_zip(tmp_path / "code.zip", [("exercises/helpers.py", code)], zipfile.ZIP_DEFLATED)
    extract_zip(tmp_path / "code.zip", tmp_path / "code.d")
    assert (tmp_path / "code.d" / "exercises" / "helpers.py").read_bytes() == code
    # the member list is not even read past ZIP_MAX_LISTED (zipfile holds it all in memory)
    monkeypatch.setattr(batch, "ZIP_MAX_LISTED", 50)
    _exercises_zip(tmp_path / "listed.zip", [(f".venv/f{i}.py", "") for i in range(60)])
    _exercises_zip(tmp_path / "long.zip", [(f".venv/{'x' * 200}{i}.py", "") for i in range(600)])

    def never(*args, **kwargs):
        raise AssertionError("the member list was read")

    monkeypatch.setattr(batch.zipfile, "ZipFile", never)
    with pytest.raises(BadZip) as info:
        extract_zip(tmp_path / "listed.zip", tmp_path / "listed.d")
    assert str(info.value) == ("the zip lists 61 members, more than the 50 read; zip the exercises without the "
                               "repository's virtual environment or data")
    # nor past ZIP_MAX_DIRECTORY bytes of it, whatever count the end record gives (it can lie;
    # zipfile reads the whole list by its size: this session's review, 150 000 members said to be 1)
    monkeypatch.setattr(batch, "ZIP_MAX_LISTED", 10 ** 6)
    monkeypatch.setattr(batch, "ZIP_MAX_DIRECTORY", 2 ** 20 // 10)
    with pytest.raises(BadZip) as info:
        extract_zip(tmp_path / "long.zip", tmp_path / "long.d")
    assert str(info.value) == ("the zip's list of members takes 0.1 MB, more than the 0.1 MB read; zip the exercises "
                               "without the repository's virtual environment or data")


def test_zip_members_outside_links_and_special_files(tmp_path):
    from grader.batch import BadZip, extract_zip

    for name, member in (("abs.zip", "/etc/evil.py"), ("up.zip", "a/../../evil.py"), ("venv.zip", ".venv/../../x")):
        _exercises_zip(tmp_path / name, [(member, "x")])
        with pytest.raises(BadZip, match=f"the zip member '{member}' points outside the folder"):
            extract_zip(tmp_path / name, tmp_path / (name + ".d"))
    assert not (tmp_path / "abs.zip.d").exists()

    def link(name, target):
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        return info, target

    with zipfile.ZipFile(tmp_path / "link.zip", "w") as archive:
        archive.writestr("exercises/activations.py", "import numpy as np\n")
        archive.writestr(*link("exercises/losses.py", "/work/solutions/losses.py"))
    with pytest.raises(BadZip, match="the zip member 'exercises/losses.py' is a link or a special file"):
        extract_zip(tmp_path / "link.zip", tmp_path / "link.d")
    with zipfile.ZipFile(tmp_path / "venvlink.zip", "w") as archive:    # a venv's links: never extracted
        archive.writestr("exercises/activations.py", "import numpy as np\n")
        archive.writestr(*link(".venv/bin/python", "/usr/bin/python3"))
        archive.writestr(*link("exercises/.venv/lib64", "lib"))
    extract_zip(tmp_path / "venvlink.zip", tmp_path / "venvlink.d")
    assert extracted(tmp_path / "venvlink.d") == ["exercises", "exercises/activations.py"]


# --------------------------------------------------------------------------- 2. the unfinished shard
def test_merge_names_the_shard_that_did_not_finish():
    from chainrule.commands.grade_all import _unfinished_message
    from grader.batch import unfinished

    ids = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
    info = {"entries": {i: "h" for i in ids}}
    shards = {(1, 3): "sh1", (2, 3): "sh2i", (3, 3): "sh3"}
    # shard 2/3 grades bob, erin (positions 2, 5 of the sorted ids); it saved neither
    records = {i: {} for i in ids if i not in ("bob", "erin")}
    found = unfinished(info, shards, records)
    assert found == [((2, 3), "sh2i", ["bob", "erin"])]
    assert _unfinished_message(["bob", "erin"], found, "/tmp/class/subs", ["sh1", "sh2i", "sh3"]) == (
        "2 submissions are in none of the shards' results (bob, erin): shard 2/3 (--out 'sh2i') did not finish "
        "them; run that shard again (chainrule grade-all '/tmp/class/subs' --shard 2/3 --out 'sh2i', with the "
        "options it had), then merge again (grades.csv has no row for them yet).")
    # shard 3/3 not given, and 2/3 did not finish erin
    del shards[(3, 3)]
    records = {i: {} for i in ids if i not in ("carol", "erin", "frank")}
    found = unfinished(info, shards, records)
    assert found == [((2, 3), "sh2i", ["erin"]), ((3, 3), None, ["carol", "frank"])]
    assert _unfinished_message(["carol", "erin", "frank"], found, "/s", ["sh1", "sh2i"]) == (
        "3 submissions are in none of the shards' results (carol, erin, frank): shard 2/3 (--out 'sh2i') did "
        "not finish these (erin); shard 3/3 (carol, frank) is not among the folders merged; run that shard "
        "again (chainrule grade-all '/s' --shard 2/3 --out 'sh2i', with the options it had), then merge again "
        "with every shard's --out folder (grades.csv has no row for them yet).")
    # whole runs merged (no --shard): the run is named
    found = unfinished(info, {}, {i: {} for i in ids if i != "gina"})
    assert found == [(None, None, ["gina"])]
    assert _unfinished_message(["gina"], found, "/s", ["whole"]) == (
        "1 submission is in none of the shards' results (gina): the run in 'whole' did not finish it; run that run "
        "again (chainrule grade-all '/s' --out 'whole', with the options it had), then merge again (grades.csv "
        "has no row for it yet).")
    assert _unfinished_message(["gina"], found, "/s", ["a", "b"]).startswith(
        "1 submission is in none of the shards' results (gina): none of the runs in 'a', 'b' finished it; ")


# --------------------------------------------------------------------------- 3. small ones
def test_sigterm_stops_cleanly_with_exit_status_143(tmp_path):
    out, command = _hanging_class(tmp_path, "sigterm_h", 3, ("relu", "tanh"))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    first = proc.stderr.readline()
    assert first.startswith("[1/3] sigterm_h"), first
    proc.send_signal(signal.SIGTERM)        # what a batch system (Slurm, a CI runner) sends the command
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143, stderr
    saved = len((out / "results.jsonl").read_text().splitlines())
    assert (f"Interrupted (SIGTERM): {saved} of 3 submissions are graded and saved in {out / 'results.jsonl'}; "
            "run the same command again to grade the rest.") in stderr
    assert "Traceback" not in stderr and not (out / "grades.csv").exists()


def test_links_among_the_submissions_reports_by_folder_and_windows_names(tmp_path, monkeypatch):
    """``sol -> vera`` was graded as a student of its own (vera's work under a second id);
    a report's header named the submission from the folder the command ran in; the id CON
    got ``reports/CON.md``, which Windows cannot open."""
    subs = tmp_path / "class" / "subs"
    make_submission(subs / "vera" / "exercises")
    os.symlink("vera", subs / "sol")
    make_submission(tmp_path / "z" / "exercises")
    shutil.make_archive(str(subs / "mia"), "zip", tmp_path / "z")
    os.symlink("mia.zip", subs / "mio.zip")
    shutil.copytree(subs / "vera", subs / "CON")
    (subs / "notes.txt").write_text("the instructor's notes\n")
    os.symlink("notes.txt", subs / "notes-link.txt")       # a link to a file: ignored, as the file is
    monkeypatch.chdir(tmp_path / "class")
    code, stdout, stderr = run("grade-all", "subs", "--out", "out1", *ONLY)
    assert code == 0, stdout + stderr
    assert "Skipped 2 entries of subs that are not a submission: notes-link.txt (not a folder or a .zip); " \
           "notes.txt (not a folder or a .zip)." in stderr
    out1 = tmp_path / "class" / "out1"
    _, rows = read_csv(out1 / "grades.csv")
    assert {k: float(v[-2]) for k, v in rows.items()} == {"CON": ACT, "mia": ACT, "mio": 0, "sol": 0, "vera": ACT}
    summary = (out1 / "summary.md").read_text()
    assert ("- sol: a link to 'vera' in the submissions folder; a link is never graded (it would grade that "
            "work under a second id): put the submission itself there") in summary
    assert "- mio: a link to 'mia.zip' in the submissions folder; a link is never graded" in summary
    reports = sorted(os.listdir(out1 / "reports"))
    assert "CON.md" not in reports and [n for n in reports if n.startswith("_CON-") and n.endswith(".md")]
    assert "CON" in (out1 / "reports" / "index.csv").read_text().splitlines()[1]
    assert "Submission `mia.zip/exercises`" in (out1 / "reports" / "mia.md").read_text()
    assert "Submission `vera/exercises`" in (out1 / "reports" / "vera.md").read_text()
    # the same class graded from another folder, by another path: the same files, byte for byte
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run("grade-all", tmp_path / "class" / "subs", "--out", tmp_path / "out2", *ONLY)
    assert code == 0, stdout + stderr
    for name in ["grades.csv", "summary.md", "summary.html"] + [f"reports/{n}" for n in reports]:
        assert (out1 / name).read_bytes() == (tmp_path / "out2" / name).read_bytes(), name


def test_report_file_names_are_never_windows_devices():
    from grader.batch import windows_reserved
    from grader.classreport import report_name, report_names

    for ident in ("CON", "con", "Nul", "AUX", "prn", "COM1", "lpt9", "CON.txt", "nul ", "COM\u00b9"):
        assert windows_reserved(ident), ident
        name = report_name(ident)
        assert not windows_reserved(name) and name.startswith("_") and name.endswith(".md"), name
    for ident in ("alice", "console", "com10", "lpt", "auxiliary", "nully", "CON_1"):
        assert not windows_reserved(ident), ident
    assert report_name("console") == "console.md"
    names = report_names(["CON", "con", "alice"])
    assert len({n.casefold() for n in names.values()}) == 3 and names["alice"] == "alice.md"
