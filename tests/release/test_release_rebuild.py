"""Rebuilding a release mid-term (``chainrule release --force``) loses nobody's work, and
hands the change to students in steps that work with real git repositories; the instructor
notes' commands work as printed; ``--public-share 1``; the points shown before a release.

Every scenario here is one a trial ran by hand against the kit of the time, which lost the
edits (or printed steps that git refuses)."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import chainrule.release as release
from chainrule.cli import cli
from chainrule.release import build

ROOT = Path(__file__).resolve().parents[2]
GIT_ID = ["-c", "user.name=Someone", "-c", "user.email=someone@example.org", "-c", "init.defaultBranch=main"]


def _git(cwd, *args, check=True):
    done = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _release(*args):
    return CliRunner().invoke(cli, ["release", *map(str, args)])


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(Path(folder).rglob("*")) if p.is_file() and ".git" not in p.parts}


def _append(path, text):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


# ---------------------------------------------------------------------- edits are never lost
def test_force_refuses_to_replace_or_remove_edited_files_and_names_them(tmp_path):
    # the trial: a student repository in the release's student/, one committed edit, one
    # uncommitted edit, one edit to a module the rebuild drops
    out = tmp_path / "rc"
    assert _release("--out", out, "--modules", "activations,losses,optimizers", "--hidden-seeds", 0).exit_code == 0
    student = out / "student"
    _git(student, "init", "-q")
    _git(student, "add", "-A")
    _git(student, "commit", "-q", "-m", "Exercises")
    _append(student / "exercises" / "activations.py", "# committed work\n")
    _git(student, "commit", "-q", "-am", "my activations")
    _append(student / "exercises" / "optimizers.py", "# uncommitted work\n")
    _append(student / "exercises" / "losses.py", "# work on a module the rebuild drops\n")
    before = _tree(out)
    listing = (out / ".chainrule-release").read_text()

    result = _release("--out", out, "--force", "--modules", "activations", "--hidden-seeds", 0)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --force would lose work in '{out}': 3 files hold what no release wrote: "
        "student/exercises/activations.py (edited since the release wrote it), "
        "student/exercises/losses.py (edited; this release no longer writes it and would remove it), "
        "student/exercises/optimizers.py (edited; this release no longer writes it and would remove it). "
        f"Nothing was replaced. Move them out of '{out}' and build again, or add --discard-changes to "
        "replace and remove them.\n")
    assert _tree(out) == before                                   # not one byte moved
    assert (out / ".chainrule-release").read_text() == listing
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".chainrule-release-")]

    # --discard-changes is a second, explicit word, and only with --force
    alone = _release("--out", out, "--discard-changes", "--modules", "activations")
    assert alone.exit_code == 2
    assert ("Error: --discard-changes only works with --force (it lets --force replace files edited since the "
            "release wrote them); add --force.") in alone.stderr
    assert _tree(out) == before

    done = _release("--out", out, "--force", "--discard-changes", "--modules", "activations", "--hidden-seeds", 0)
    assert done.exit_code == 0, done.output
    assert done.stderr == ("Discarded your changes (--discard-changes): student/exercises/activations.py (replaced), "
                           "student/exercises/losses.py (removed), student/exercises/optimizers.py (removed).\n")
    assert (student / "exercises" / "activations.py").read_bytes() == (ROOT / "exercises" / "activations.py").read_bytes()
    assert not (student / "exercises" / "losses.py").exists()
    assert _git(student, "log", "--format=%s").stdout == "my activations\nExercises\n"   # history untouched


def test_the_listing_records_what_each_file_held(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    lines = [line for line in (out / ".chainrule-release").read_text().splitlines() if not line.startswith("#")]
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".chainrule-release"}
    assert {line.split("  ", 1)[1] for line in lines} == written
    for line in lines:
        digest, rel = line.split("  ", 1)
        assert digest == hashlib.sha256((out / rel).read_bytes()).hexdigest()


def test_an_unchanged_rebuild_goes_ahead_and_says_students_have_nothing_to_take(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    (out / "student" / "SYLLABUS.md").write_text("mine\n")        # never a release's: kept, never a conflict
    result = _release("--out", out, "--force", "--modules", "regularization", "--hidden-seeds", 0)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.endswith("\nstudent/ is unchanged since the last release in this folder: students have "
                                  "nothing to update.\n")
    assert (out / "student" / "SYLLABUS.md").read_text() == "mine\n"


def test_a_file_no_release_wrote_where_this_one_writes_is_not_replaced(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    own = out / "student" / "exercises" / "training.py"
    own.write_text("# my own training helpers\n")
    result = _release("--out", out, "--force", "--modules", "regularization,training", "--hidden-seeds", 0)
    assert result.exit_code == 1
    assert ("3 files hold" not in result.stderr
            and "1 file holds what no release wrote: student/exercises/training.py (not written by a release). "
                "Nothing was replaced. Move it out of" in result.stderr)
    assert own.read_text() == "# my own training helpers\n"
    # the same content as the release's is no loss: a copy of the skeleton goes ahead
    shutil.copy(ROOT / "exercises" / "training.py", own)
    assert _release("--out", out, "--force", "--modules", "regularization,training", "--hidden-seeds", 0).exit_code == 0


def test_a_listing_of_an_older_kit_replaces_as_before_and_says_changes_cannot_be_detected(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    listing = out / ".chainrule-release"
    old = [line.split("  ", 1)[1] if "  " in line else line for line in listing.read_text().splitlines()
           if not line.startswith("#")]
    listing.write_text("# The files chainrule release wrote here, one a line.\n" + "".join(f"{n}\n" for n in old))
    (out / "student" / "README.md").write_text("edited\n")
    result = _release("--out", out, "--force", "--modules", "training", "--hidden-seeds", 0)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"Warning: '{out}/.chainrule-release' comes from an older chainrule and records no file contents, so ")
    assert " files replaced or removed could not be checked for changes: " in result.stderr
    assert "student/README.md" in result.stderr and "student/exercises/regularization.py" in result.stderr
    assert result.stderr.endswith("From now on the listing records them.\n")
    assert result.stdout.endswith("\nWhat changed in student/ cannot be told (the earlier listing records no file "
                                  "contents); `git status` in your template repository's copy shows it.\n")
    assert (out / "student" / "README.md").read_text() != "edited\n"          # as today: written over
    assert not (out / "student" / "exercises" / "regularization.py").exists()   # as today: removed
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in listing.read_text().splitlines()
               if not line.startswith("#"))                                     # from now on: recorded


def test_a_folder_without_a_listing_is_written_over_with_a_warning(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    (out / ".chainrule-release").unlink()
    (out / "student" / "README.md").write_text("edited\n")
    result = _release("--out", out, "--force", "--modules", "regularization", "--hidden-seeds", 0)
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Warning: '{out}' has no .chainrule-release listing, so 1 file replaced or removed "
                             "could not be checked for changes: student/README.md. From now on the listing records "
                             "them.\n")


def test_an_interrupted_install_is_finished_by_the_next_build_without_a_false_alarm(tmp_path, monkeypatch):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    real_replace, moved = release.os.replace, []

    def flaky(src, dst):
        if len(moved) == 3:
            raise KeyboardInterrupt
        moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(release.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        build(out, modules="regularization", hidden=0, points_file=_points(tmp_path, {"regularization.l2_penalty": 4}),
              force=True)
    monkeypatch.setattr(release.os, "replace", real_replace)
    # half the files are the new release's, half the old one's: neither is an edit
    info = build(out, modules="training", hidden=0, force=True)
    assert info["discarded"] == [] and info["unchecked"] == []
    assert not (out / "student" / "exercises" / "regularization.py").exists()


def _points(tmp_path, table):
    path = tmp_path / "points.toml"
    path.write_text("".join(f'"{k}" = {v}\n' for k, v in table.items()))
    return path


# ---------------------------------------------------------------------- handing the change out
def test_the_printed_steps_update_a_classroom_repository_made_from_the_template(tmp_path, monkeypatch):
    out = tmp_path / "dist"
    assert _release("--out", out, "--modules", "activations,losses", "--hidden-seeds", 0).exit_code == 0
    template = out / "student"
    _git(template, "init", "-q")
    _git(template, "add", "-A")
    _git(template, "commit", "-q", "-m", "Exercises")
    # a Classroom repository: the template's files in a repository of its own (its own history)
    repo = tmp_path / "alice"
    repo.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=template, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Initial commit")
    mine = (repo / "exercises" / "activations.py").read_text().replace(
        "    raise NotImplementedError", "    return 1 / (1 + np.exp(-x))  # alice's sigmoid", 1)
    (repo / "exercises" / "activations.py").write_text(mine)
    _append(repo / "exercises" / "losses.py", "# alice's losses\n")
    _git(repo, "commit", "-q", "-am", "alice's work")

    # mid-term: the kit's activations skeleton got a docstring fix, losses is no longer handed
    # out and a function is worth more
    original_copy = release._copy

    def corrected(src_root, rel, dst_root, as_rel=None):
        original_copy(src_root, rel, dst_root, as_rel)
        if rel == "activations.py" and Path(dst_root).name == "exercises":
            path = Path(dst_root, rel)
            path.write_text(path.read_text().replace("    Hyperbolic tangent, elementwise.",
                                                     "    Hyperbolic tangent, elementwise (np.tanh is fine)."))

    monkeypatch.setattr(release, "_copy", corrected)
    result = _release("--out", out, "--force", "--modules", "activations", "--hidden-seeds", 0,
                      "--points", _points(tmp_path, {"activations.softmax": 4}))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert ("student/ changed since the last release in this folder: 6 files changed or added (README.md, "
            "docs/CONTRACT.md, exercises/activations.py, grader/data/mistakes.npz, grader/data/recorded.npz, "
            "grader/data/release.json) and 1 removed (exercises/losses.py).\n") in text
    assert ("TEMPLATE_URL is your template repository's address (main: its branch). git pull from the template "
            "does not work: a repository made from a template has a history of its own.\n") in text
    assert ("exercises/activations.py is the student's own code: git apply -3 merges the skeleton's change into it "
            "and marks a conflict in the file (<<<<<<<) for the student to resolve; nothing of their work is lost.\n"
            in text)
    assert ("No longer handed out: exercises/losses.py; the students' copies are their work, left alone by these "
            "commands.\n") in text
    steps = [line.strip() for line in text.splitlines() if line.startswith("  git ")]
    assert steps[0] == "git fetch TEMPLATE_URL main"
    assert steps[1] == ("git checkout FETCH_HEAD -- README.md docs/CONTRACT.md grader/data/mistakes.npz "
                        "grader/data/recorded.npz grader/data/release.json")

    _git(template, "add", "-A")
    _git(template, "commit", "-q", "-m", "Mid-term update")
    # what the old instructions said fails, as the trial found
    assert _git(repo, "pull", "--no-rebase", "-q", str(template), "main", check=False).returncode != 0
    _git(repo, "merge", "--abort", check=False)
    assert _git(repo, "status", "--porcelain").stdout == ""
    for step in steps:
        done = subprocess.run(["bash", "-c", "git " + " ".join(GIT_ID) + " " + step[4:].replace(
            "TEMPLATE_URL", str(template))], cwd=repo, capture_output=True, text=True)
        assert done.returncode == 0, (step, done.stderr)
    # the student's work is all there, the template's change is in, the repository is clean
    code = (repo / "exercises" / "activations.py").read_text()
    assert "return 1 / (1 + np.exp(-x))  # alice's sigmoid" in code
    assert "Hyperbolic tangent, elementwise (np.tanh is fine)." in code
    assert (repo / "exercises" / "losses.py").read_text().endswith("# alice's losses\n")
    for rel in ("README.md", "grader/data/release.json", "grader/data/recorded.npz", "docs/CONTRACT.md"):
        assert (repo / rel).read_bytes() == (template / rel).read_bytes(), rel
    assert json.loads((repo / "grader" / "data" / "release.json").read_text())["points"]["activations.softmax"] == 4
    assert _git(repo, "status", "--porcelain").stdout == ""
    assert _git(repo, "log", "--format=%s").stdout == "Update from the template\nalice's work\nInitial commit\n"

    # losses handed out again (session 9's attack: the steps checked out the skeleton over
    # alice's own losses.py): a module the student holds is kept, one they lack is added
    monkeypatch.setattr(release, "_copy", original_copy)
    result = _release("--out", out, "--force", "--modules", "activations,losses,layers", "--hidden-seeds", 0)
    assert result.exit_code == 0, result.output
    steps = [line.strip() for line in result.stdout.splitlines() if line.startswith("  git ")]
    assert "git cat-file -e HEAD:exercises/losses.py 2>/dev/null || git checkout FETCH_HEAD -- exercises/losses.py" \
        in steps
    _git(template, "add", "-A")
    _git(template, "commit", "-q", "-m", "Losses and layers")
    for step in steps:
        done = subprocess.run(["bash", "-c", "git " + " ".join(GIT_ID) + " " + step[4:].replace(
            "TEMPLATE_URL", str(template))], cwd=repo, capture_output=True, text=True)
        assert done.returncode == 0, (step, done.stderr)
    assert (repo / "exercises" / "losses.py").read_text().endswith("# alice's losses\n")
    assert (repo / "exercises" / "layers.py").read_bytes() == (template / "exercises" / "layers.py").read_bytes()
    assert _git(repo, "status", "--porcelain").stdout == ""


def test_the_instructor_notes_give_steps_that_work_without_git_pull(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    notes = (out / "instructor" / "README.md").read_text()
    assert "(`git pull` from the template" not in notes
    assert "cannot `git pull` from the template" in notes
    assert "git checkout FETCH_HEAD -- README.md grader/data/recorded.npz grader/data/release.json" in notes
    assert "`chainrule release --force` prints what changed in `student/`" in notes
    assert "add `--discard-changes`" in notes


@pytest.mark.skipif(shutil.which("unzip") is None, reason="the notes' command needs the unzip tool")
def test_the_try_it_commands_of_the_instructor_notes_run_as_written(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    notes = (out / "instructor" / "README.md").read_text()
    found = re.search(r"Try it before the students do: `([^`]+)`, put a submission's modules in\n?\s*"
                      r"`ag/submission/exercises/`, then\n?\s*`([^`]+)` and read `ag/results/results.json`",
                      notes.replace("\n", " "))
    assert found, notes
    unpack, run = (re.sub(r"\s+", " ", part) for part in found.groups())
    work = tmp_path / "try"
    work.mkdir()
    shutil.copy(out / "autograder.zip", work)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", unpack], cwd=work, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr            # Debian's unzip makes one level of folders only
    for name in ("__init__.py", "_common.py", "regularization.py"):
        shutil.copy(ROOT / "solutions" / name, work / "ag" / "submission" / "exercises" / name)
    done = subprocess.run(["bash", "-c", run], cwd=work, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((work / "ag" / "results" / "results.json").read_text())
    assert results["score"] == 5


# ---------------------------------------------------------------------- --public-share 1
def test_public_share_1_releases_no_hidden_checks_and_refuses_explicit_hidden_seeds(tmp_path):
    refused = _release("--out", tmp_path / "x", "--modules", "regularization", "--public-share", 1,
                       "--hidden-seeds", 3)
    assert refused.exit_code == 2
    assert ("Error: --hidden-seeds 3 with --public-share 1 adds hidden checks worth 0 points; give a --public-share "
            "below 1 for hidden checks that count, or leave out --hidden-seeds (--public-share 1 releases none).\n"
            ) in refused.stderr
    assert not (tmp_path / "x").exists()
    result = _release("--out", tmp_path / "r", "--modules", "regularization", "--public-share", 1)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert ("5 functions in 1 module, 5 points; public seed 2026, no hidden checks (--public-share 1 gives every "
            "point to the public tests).\n") in result.stdout
    with zipfile.ZipFile(tmp_path / "r" / "autograder.zip") as archive:
        config = json.loads(archive.read("autograder.json"))
    assert config["hidden_seeds"] == []
    notes = (tmp_path / "r" / "instructor" / "README.md").read_text()
    assert "This release has no hidden checks" in notes and "0 more points" not in notes
    readme = (tmp_path / "r" / "student" / "README.md").read_text()
    assert "hidden checks" not in readme.replace("this release has no hidden checks", "")


@pytest.mark.parametrize("options, named", [({"public_share": 1}, "--public-share 1"),
                                             ({"hidden": 0}, "--hidden-seeds 0")])
def test_notes_without_hidden_checks_name_the_option_that_left_them_out(tmp_path, options, named):
    """trial19c: `--public-share 1` wrote "This release has no hidden checks (`--hidden-seeds 0`)",
    and a sentence on what a timeout does to the hidden checks there are none of."""
    build(tmp_path / "r", modules="regularization", **options)
    notes = (tmp_path / "r" / "instructor" / "README.md").read_text()
    assert f"This release has no hidden checks (`{named}`)" in notes
    other = ({"--public-share 1", "--hidden-seeds 0"} - {named}).pop()
    assert other not in notes
    assert "not run again on the hidden ones" not in notes
    assert "Each function may run 5 s a seed, so a submission whose" in notes
    assert "takes up to 1 minute\n" in notes         # 5 functions x 5 s x 1 seed
    # with hidden checks the sentence stays
    build(tmp_path / "h", modules="regularization", hidden=1)
    hidden = (tmp_path / "h" / "instructor" / "README.md").read_text()
    assert "(a function that times out on the public\n   checks is not run again on the hidden ones" in hidden
    assert "count only in the public test" not in notes and "counts only in the public test" in hidden


def test_the_public_share_is_said_as_a_percentage(tmp_path):
    result = _release("--out", tmp_path / "r", "--modules", "regularization", "--public-share", "0.35",
                      "--hidden-seeds", 1)
    assert result.exit_code == 0, result.output
    assert "public tests carry 35% of the points." in result.stdout
    assert "public test carries 35% of its points" in (tmp_path / "r" / "instructor" / "README.md").read_text()
    assert "the public checks carry 35% of each function's points" in (
        tmp_path / "r" / "student" / "README.md").read_text()


# ---------------------------------------------------------------------- points before a release
def test_list_shows_the_default_points_the_contract_gives(monkeypatch):
    from grader import release_settings

    monkeypatch.setattr(release_settings, "SETTINGS_FILE", "/nonexistent/release.json")    # the kit: no release
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0
    functions = result.stdout.split("\n\n")[0]          # the problem families follow a blank line
    rows = {line.split()[0]: line.split()[1:] for line in functions.splitlines() if line.startswith("  ")}
    # the contract's own table (chainrule_core/contract.py, read by hand)
    assert rows["activations.softmax"] == ["2"] and rows["activations.sigmoid"] == ["1"]
    assert rows["layers.batchnorm_backward"] == ["4"] and rows["layers.dense_backward"] == ["3"]
    assert rows["activations"] == ["10", "points"] and rows["layers"] == ["13", "points"]
    assert rows["regularization"] == ["5", "points"]
    assert result.stdout.startswith("Contract functions (52) with their default points (68 in all), "
                                    "as module.function:\n")
    assert ('A release gives other points with chainrule release --points FILE (a TOML file of "module.function" '
            '= points).\n') in result.stdout
    # the README states the same defaults
    readme = (ROOT / "README.md").read_text()
    stated = re.search(r"`chainrule list` shows every\s+function's, each module's and the total; ([^)]+)\)",
                       readme).group(1)
    for module, points in re.findall(r"(\w+) (\d+)", stated):
        assert rows[module] == [points, "points"], module
    assert len(re.findall(r"(\w+) (\d+)", stated)) == 8
    # and so does release --help
    helped = CliRunner().invoke(cli, ["release", "--help"])
    assert "overriding the defaults (chainrule list shows them)" in " ".join(helped.stdout.split())


def test_list_in_a_release_shows_its_points(tmp_path, monkeypatch):
    from grader import release_settings

    settings = tmp_path / "release.json"
    settings.write_text(json.dumps({"functions": ["activations.relu", "activations.softmax"],
                                    "points": {"activations.relu": 2.5}}))
    monkeypatch.setattr(release_settings, "SETTINGS_FILE", str(settings))     # as a student copy has it
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Functions of this release (2) with their points (4.5 in all), as module.function:"
    assert lines[1].split() == ["activations", "4.5", "points"]
    assert lines[2].split() == ["activations.relu", "2.5"] and lines[3].split() == ["activations.softmax", "2"]


def test_force_never_removes_through_a_link_nor_trusts_a_listing_line_without_a_hash(tmp_path):
    """Session 9's attack: a folder of the release made a link to another folder, and two lines
    without hashes appended to a hashed listing: --force deleted the other folder's file and an
    instructor's notes, then crashed on the link."""
    out = tmp_path / "rel"
    assert _release("--out", str(out), "--modules", "activations").exit_code == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n")
    (out / "ext").symlink_to(victim)
    (out / "mynotes.txt").write_text("the instructor's notes\n")
    _append(out / release.LISTING, "ext/precious.txt\nmynotes.txt\n")
    result = _release("--out", str(out), "--modules", "activations", "--force")
    assert result.exit_code == 1, result.output
    assert "is a link" in result.stderr and "never works through a link" in result.stderr
    assert (victim / "precious.txt").read_text() == "keep me\n"
    (out / "ext").unlink()
    result = _release("--out", str(out), "--modules", "activations", "--force")
    assert result.exit_code == 1, result.output
    assert "mynotes.txt" in result.stderr and "Nothing was replaced" in result.stderr
    assert (out / "mynotes.txt").read_text() == "the instructor's notes\n"


def test_a_rebuild_reminds_of_gradescope_and_of_a_new_grade_all_folder(tmp_path):
    """Session 9's docs reading: a re-release with other points printed the git steps only."""
    out = tmp_path / "rel"
    assert _release("--out", str(out), "--modules", "activations").exit_code == 0
    result = _release("--out", str(out), "--modules", "activations", "--force",
                      "--points", _points(tmp_path, {"activations.softmax": 4}))
    assert result.exit_code == 0, result.output
    # activations: 9 functions, 10 points by default; softmax 2 -> 4
    assert (f"Gradescope: upload the new {out}/autograder.zip (Configure Autograder) and set the assignment's total "
            f"to 12 points; grade a class with grade-all --release {out} into a new --out (a folder graded with the "
            "earlier release refuses this one).") in " ".join(result.stdout.split())
