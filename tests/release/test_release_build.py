"""``chainrule release``: what it writes, what it must never write, and bad input.

Checked against the source tree itself (the copies must be byte-identical, the student
tree must hold no line of a reference body or a known-mistake body) and against the
reporter and Gradescope formats of design/CI-FORMATS.md."""

import ast
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule.release import build, hidden_seeds, load_points, parse_modules
from chainrule_core.contract import CONTRACT, qualified_names
from chainrule_core.errors import ChainruleError, ChainruleUsageError

ROOT = Path(__file__).resolve().parents[2]


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _bodies(folder):
    """Every statement (normalised source, 25+ characters) in the function bodies of the
    .py files of ``folder`` (docstrings excluded)."""
    found = set()
    for path in Path(folder).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for stmt in ast.walk(node):
                    if isinstance(stmt, (ast.Return, ast.Assign, ast.AugAssign)) and stmt.value is not None:
                        text = re.sub(r"\s+", "", ast.unparse(stmt))
                        if len(text) >= 25:
                            found.add(text)
    return found


# ---------------------------------------------------------------------- the student tree
def test_the_student_grader_is_the_kits_grader_minus_the_mistake_catalog(release_dir):
    student = release_dir / "student"
    ours = _tree(ROOT / "grader")
    ours = {k: v for k, v in ours.items() if "__pycache__" not in k and not k.endswith(".pyc")}
    theirs = {k: v for k, v in _tree(student / "grader").items() if not k.startswith("data/")}
    for name, data in theirs.items():
        assert ours[name] == data, f"grader/{name} differs from the kit's"
    missing = sorted(set(ours) - set(theirs))
    assert missing and all(name.startswith("specs/known/") for name in missing), missing
    for name in ("chainrule_core/contract.py", "chainrule_core/errors.py", "chainrule/cli.py",
                 "chainrule/commands/grade.py"):
        assert (student / name).read_bytes() == (ROOT / name).read_bytes()
    assert sorted(_tree(student / "grader" / "data")) == ["mistakes.npz", "recorded.npz", "release.json"]


def test_the_student_tree_holds_no_solution_generator_or_mistake_code(release_dir):
    student = release_dir / "student"
    files = _tree(student)
    assert not any(name.startswith(("solutions/", "generator/", "grader/specs/known/")) for name in files)
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]
    # the skeletons are the kit's own (their given lines are public); nothing else quotes a body
    for name, data in files.items():
        if name.startswith("exercises/"):
            assert data == (ROOT / name).read_bytes()
    text = "\n".join(re.sub(r"\s+", "", d.decode("utf-8", "replace")) for n, d in files.items()
                     if not n.endswith(".npz") and not n.startswith("exercises/"))
    reference = _bodies(ROOT / "solutions")
    mistakes = _bodies(ROOT / "grader" / "specs" / "known")
    assert len(reference) > 40 and len(mistakes) > 40
    leaked = sorted(line for line in reference | mistakes if line in text)
    assert leaked == []


def test_no_file_of_the_student_grader_points_to_a_grader_file_the_release_leaves_out(release_dir):
    """Session 17's trial: every spec module's docstring said "Its known mistakes are in
    `grader/specs/known/<module>.py`", a folder the student tree does not have. A pointer to
    a grader file the release leaves out now says that the file is the instructor's only."""
    student = release_dir / "student"
    dangling = []
    for path in sorted((student / "grader").rglob("*.py")):
        text = path.read_text()
        for found in re.finditer(r"(?<![\w/])grader/[\w/]+\.py", text):
            if (student / found.group()).is_file():
                continue
            around = re.sub(r"\s+", " ", text[found.end():found.end() + 80]).lstrip("`'\"")
            if not around.startswith(", in the instructor's copy of the grader only"):
                dangling.append((path.relative_to(student).as_posix(), found.group()))
    assert dangling == []
    said = (student / "grader" / "specs" / "activations.py").read_text()
    assert "`grader/specs/known/activations.py``, in the instructor's copy of the\ngrader only" in said


def test_the_recording_is_plain_data_and_its_hints_quote_no_code(release_dir):
    data = release_dir / "student" / "grader" / "data"
    with np.load(data / "mistakes.npz", allow_pickle=False) as npz:
        index = json.loads(bytes(npz["index"]).decode())
    hints = [e["hint"] for entries in index["functions"].values() for e in entries]
    assert len(hints) > 100
    assert not [h for h in hints if re.search(r"\b(np|rng)\.\w+|\w\[", h)]
    reference = {re.sub(r"\s+|np\.", "", line) for line in _bodies(ROOT / "solutions")}
    assert not [h for h in hints for line in reference if line in re.sub(r"\s+|np\.", "", h)]
    # the catalog's hints quote no code: each is kept word for word, none replaced
    from grader.specs import for_function
    catalog = {(m.function, m.name): m.hint for q in qualified_names() for m in for_function(q)}
    recorded = {(q, e["name"]): e["hint"] for q, entries in index["functions"].items() for e in entries}
    assert recorded == catalog
    assert ("You flipped the sign: dE/dy_pred is the prediction minus the target, positive where "
            "the prediction is too large.") in hints
    with np.load(data / "recorded.npz", allow_pickle=False) as npz:
        meta = json.loads(bytes(npz["meta"]).decode())
    assert meta["seeds"] == [2026]      # the public seed only: no hidden values in the student tree


def test_a_hint_that_quotes_code_is_replaced_by_words():
    from chainrule.release import student_hint
    from grader.specs import Mistake

    def hint_of(text):
        return student_hint(Mistake("losses.mean_squared_error", "no-mean", text, None))

    words = ("Your result matches a known mistake (no mean); compare your code with the "
             "function's docstring and the TODO hint.")
    assert hint_of("Divide by the number of values: use np.mean, not np.sum.") == words
    assert hint_of("Average over x[0], the batch.") == words
    # a statement of the reference solution, spaced and without np.
    assert hint_of("Write return float(mean(diff * diff)) here.") == words
    kept = "E is the mean of the squared errors over every sample and output."
    assert hint_of(kept) == kept


def test_the_student_package_needs_numpy_and_click_only(release_dir):
    cfg = (release_dir / "student" / "setup.cfg").read_text()
    requires = [line.strip() for line in re.search(r"install_requires =\n((?:    .*\n)+)", cfg).group(1).splitlines()]
    # tomli only where the standard library has no tomllib (Python 3.10), for practice sheets
    assert [r for r in requires if not r.startswith("tomli")] == ["numpy>=1.22", "click>=8.2"]
    assert all(r == 'tomli>=1.1; python_version < "3.11"' for r in requires if r.startswith("tomli"))
    assert "chainrule = chainrule.cli:run" in cfg
    commands = sorted(p.name for p in (release_dir / "student" / "chainrule" / "commands").glob("*.py"))
    assert commands == ["__init__.py", "check.py", "classroom.py", "grade.py", "list_cmd.py"]   # check: practice sheets
    assert "release.py" not in commands and "generate.py" not in commands


def test_the_workflow_is_one_graded_step_read_by_the_reporter(release_dir):
    text = (release_dir / "student" / ".github" / "workflows" / "classroom.yml").read_text()
    assert text.startswith("name: Autograding Tests\n")
    assert "if: github.actor != 'github-classroom[bot]'" in text
    for line in ("checks: write", "actions: read", "contents: read", "- push", "- repository_dispatch"):
        assert line in text
    assert text.count("run: |") == 1 and "id: grade" in text
    assert "chainrule classroom exercises" in text and "python -m chainrule" not in text
    assert "uses: classroom-resources/autograding-grading-reporter@v1" in text
    # trial17b finding 1: `pip install -e .` built the student's repository, running a setup.py
    # the student added (it rewrote the grader: 68/68 for the skeleton, no protected path
    # changed). The grader is installed from a copy of the protected paths alone.
    commands = [line.strip() for line in text.split("run: |")[1].split("- name:")[0].splitlines() if line.strip()]
    assert commands == ['kit="$(mktemp -d)"', 'cp -R chainrule chainrule_core grader setup.cfg pyproject.toml "$kit/"',
                        'pip install --quiet --disable-pip-version-check "$kit"', "chainrule classroom exercises"]
    assert 'GRADE_RESULTS: "${{ steps.grade.outputs.result }}"' in text
    assert "runners: grade" in text


def test_only_the_chosen_modules_are_released(tmp_path):
    out = tmp_path / "out"
    points = tmp_path / "points.toml"
    points.write_text('"optimizers.adam_step" = 5\n[training]\nlog_uniform = 0.5\n')
    info = build(out, modules="optimizers, training", points_file=points, hidden=1)
    assert info["modules"] == ["optimizers", "training"]
    assert info["max_score"] == 5 + 5 + 6 + 0.5     # five 1-point optimizers, adam 5, six 1-point training, 0.5
    exercises = sorted(p.name for p in (out / "student" / "exercises").glob("*.py"))
    assert exercises == ["__init__.py", "_common.py", "optimizers.py", "training.py"]
    settings = json.loads((out / "student" / "grader" / "data" / "release.json").read_text())
    assert settings["points"]["optimizers.adam_step"] == 5.0
    assert settings["points"]["training.log_uniform"] == 0.5
    assert settings["functions"] == [q for q in qualified_names() if q.split(".")[0] in ("optimizers", "training")]
    with zipfile.ZipFile(out / "autograder.zip") as archive:
        config = json.loads(archive.read("autograder.json"))
    assert config["modules"] == ["optimizers", "training"] and len(config["hidden_seeds"]) == 1
    assert "| **total** | 13 | 16.5 |" in (out / "student" / "README.md").read_text()
    # the student tree's own grader, alone on the path, takes those points
    import subprocess
    import sys

    site = str(Path(np.__file__).resolve().parents[1])
    code = (f"import sys; sys.path[:0] = [{str(out / 'student')!r}, {site!r}]\n"
            "import json; from grader.release_settings import effective_points; from grader.engine import select_functions\n"
            "POINTS = effective_points()\n"
            "print(json.dumps([POINTS, select_functions(None)]))")
    done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    student_points, graded = json.loads(done.stdout)
    assert student_points["optimizers.adam_step"] == 5.0 and student_points["training.log_uniform"] == 0.5
    assert student_points["optimizers.sgd_step"] == 1.0
    assert graded == settings["functions"]


# ---------------------------------------------------------------------- determinism, the zip
def _config(out):
    with zipfile.ZipFile(Path(out) / "autograder.zip") as archive:
        return json.loads(archive.read("autograder.json"))


def test_same_inputs_give_byte_identical_releases(release_dir, tmp_path):
    # without a course secret the hidden seeds are new random ones: all but the zip is identical
    again = tmp_path / "again"
    build(again)
    first, second = _tree(release_dir), _tree(again)
    assert {k: v for k, v in first.items() if k not in ("autograder.zip", ".chainrule-release")} == \
        {k: v for k, v in second.items() if k not in ("autograder.zip", ".chainrule-release")}
    # the listing records each file's SHA-256: it differs in the zip's line alone
    zip_line = re.compile(rb"^[0-9a-f]{64}  autograder\.zip\n", re.M)
    assert zip_line.sub(b"", first[".chainrule-release"]) == zip_line.sub(b"", second[".chainrule-release"])
    assert len(zip_line.findall(first[".chainrule-release"])) == 1
    assert _config(release_dir)["hidden_seeds"] != _config(again)["hidden_seeds"]
    assert _config(release_dir)["public_seed"] == _config(again)["public_seed"] == 2026


def test_a_course_secret_gives_byte_identical_zips_and_seeds_of_its_own(tmp_path):
    secret = tmp_path / "course.secret"
    secret.write_text("0123456789abcdef0123456789abcdef\n")
    other = tmp_path / "other.secret"
    other.write_text("fedcba9876543210fedcba9876543210\n")
    build(tmp_path / "a", modules="regularization", secret_file=secret)
    build(tmp_path / "b", modules="regularization", secret_file=secret)
    build(tmp_path / "c", modules="regularization", secret_file=other)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    seeds = _config(tmp_path / "a")["hidden_seeds"]
    assert len(seeds) == 2 and seeds != _config(tmp_path / "c")["hidden_seeds"]
    # the seeds are nowhere but in the zip: not in the instructor notes, not in the student tree
    notes = (tmp_path / "a" / "instructor" / "README.md").read_text()
    assert "derived from your course secret" in notes
    for seed in seeds:
        assert str(seed) not in notes
        for path in (tmp_path / "a" / "student").rglob("*"):
            if path.is_file() and path.suffix in (".py", ".json", ".md", ".cfg", ".yml"):
                assert str(seed) not in path.read_text(encoding="utf-8")


def test_setup_sh_finds_its_requirements_wherever_it_is_run_from(release_dir, tmp_path):
    """trial19c: setup.sh read requirements.txt relative to its own folder, so a copy run as
    /autograder/setup.sh failed ("Could not open requirements file"). It reads the one beside
    it, else AUTOGRADER_ROOT's source/ (a python3 that records its arguments stands in for pip)."""
    import os
    import subprocess

    base = tmp_path / "ag"
    with zipfile.ZipFile(release_dir / "autograder.zip") as archive:
        for name in ("setup.sh", "requirements.txt"):
            archive.extract(name, base / "source")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text('#!/bin/sh\necho "$@" >> "$PIP_LOG"\n')
    (fake / "python3").chmod(0o755)
    log = tmp_path / "pip.log"
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}/usr/bin:/bin", PIP_LOG=str(log), AUTOGRADER_ROOT=str(base))
    env.pop("VIRTUAL_ENV", None)
    want = str((base / "source" / "requirements.txt").resolve())
    (base / "setup.sh").write_bytes((base / "source" / "setup.sh").read_bytes())   # Gradescope's copy
    for script, cwd in ((base / "source" / "setup.sh", tmp_path), (base / "setup.sh", "/")):
        log.unlink(missing_ok=True)
        done = subprocess.run(["bash", str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert log.read_text().split() == ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r",
                                           want]
    (base / "source" / "requirements.txt").unlink()
    done = subprocess.run(["bash", str(base / "setup.sh")], cwd="/", env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr == (f"setup.sh: requirements.txt is neither beside this script nor in {base / 'source'}/; "
                           "unzip autograder.zip there.\n")


def test_zip_entries_are_relative_sorted_and_stamped_alike(release_dir):
    with zipfile.ZipFile(release_dir / "autograder.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {"setup.sh", "run_autograder", "autograder.py", "autograder.json"} <= set(names)
    assert not [n for n in names if n.startswith("/") or ".." in n.split("/")]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {m for n, m in modes.items() if n not in ("setup.sh", "run_autograder")} == {0o644}
    assert not [n for n in names if n.startswith(("solutions/", "generator/"))]
    assert "grader/specs/known/__init__.py" in names     # the autograder diagnoses live


def test_hidden_seeds_follow_the_key_alone_and_are_never_public():
    key, other = b"k" * 32, b"o" * 32
    assert hidden_seeds(3, 2026, key) == hidden_seeds(3, 2026, key)
    assert hidden_seeds(3, 2026, key) != hidden_seeds(3, 2026, other)
    assert len(set(hidden_seeds(5, 2026, key))) == 5 and 2026 not in hidden_seeds(5, 2026, key)
    assert hidden_seeds(0, 2026, key) == []
    # HMAC-SHA256 keyed by the key (an independent computation of the first seed)
    import hashlib
    import hmac

    first = int.from_bytes(hmac.new(key, b"chainrule hidden seed 0", hashlib.sha256).digest()[:8], "big") % 10 ** 9
    assert hidden_seeds(1, 2026, key) == [first]
    # not the seeds every course used to share: sha256("chainrule hidden seed k")
    shared = {int.from_bytes(hashlib.sha256(f"chainrule hidden seed {k}".encode()).digest()[:4], "big") % 1_000_000
              for k in range(5)}
    assert not shared & set(hidden_seeds(5, 2026, key))


def test_public_share_is_checked_and_shapes_the_points(tmp_path):
    for bad in ("1.5", "-0.1", "nan"):
        result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "x"), "--public-share", bad])
        assert result.exit_code == 2
        assert f"--public-share {float(bad)} is not valid; give a fraction from 0 to 1" in result.stderr
    assert not (tmp_path / "x").exists()
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "r"), "--modules", "regularization",
                                      "--public-share", "0.3"])
    assert result.exit_code == 0, result.output
    assert ("2 hidden seeds (drawn at random, kept only in autograder.zip), public tests carry 30% of the points"
            in result.stdout)
    assert _config(tmp_path / "r")["public_share"] == 0.3
    assert "public test carries 30% of its points" in (tmp_path / "r" / "instructor" / "README.md").read_text()


def test_without_hidden_seeds_the_student_readme_promises_no_hidden_checks(tmp_path):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "r"), "--modules", "regularization",
                                      "--hidden-seeds", "0"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""                  # --public-share not given: nothing to warn about
    readme = (tmp_path / "r" / "student" / "README.md").read_text()
    assert "hidden checks" not in readme.replace("this release has no hidden checks", "")
    assert "The course's autograder runs\nthese same checks (this release has no hidden checks)" in readme
    assert "the grade that\ncounts comes from the course's autograder" in readme
    notes = (tmp_path / "r" / "instructor" / "README.md").read_text()
    assert "A submission that looks them up gets full marks" in notes
    assert "Gradescope's autograder (public checks only)" in notes
    # with hidden seeds the student README says what they weigh
    build(tmp_path / "h", modules="regularization", hidden=1, public_share=0.25)
    readme = (tmp_path / "h" / "student" / "README.md").read_text()
    assert "the grade that\ncounts comes from the hidden checks" in readme
    assert "the public checks carry 25% of each function's points" in readme


@pytest.mark.parametrize("share", ["0", "0.5"])
def test_a_public_share_without_hidden_seeds_is_warned_about_in_one_line(tmp_path, share):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "r"), "--modules", "regularization",
                                      "--public-share", share, "--hidden-seeds", "0"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Warning: --public-share {float(share):g} has no effect with --hidden-seeds 0: "
                             "without hidden checks every point comes from the public checks.\n")
    assert _config(tmp_path / "r")["hidden_seeds"] == []
    # a bad share is still a usage error first
    bad = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "b"), "--public-share", "2",
                                   "--hidden-seeds", "0"])
    assert bad.exit_code == 2 and "Warning" not in bad.stderr


# ---------------------------------------------------------------------- bad input
def test_a_non_empty_out_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["release", "--out", str(out)])
    assert result.exit_code == 1
    assert f"Output folder '{out}' is not empty; use --force" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".chainrule-release-")]


def test_force_replaces_the_release_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    build(out, modules="training", hidden=0)
    (out / "notes.txt").write_text("mine")
    (out / "student" / "stale.txt").write_text("old")
    result = CliRunner().invoke(cli, ["release", "--out", str(out), "--modules", "regularization",
                                      "--hidden-seeds", "0", "--force"])
    assert result.exit_code == 0, result.output
    assert "5 functions in 1 module, 5 points" in result.stdout
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "student" / "stale.txt").read_text() == "old"      # not the release's: kept
    assert (out / "student" / "exercises" / "regularization.py").exists()
    assert not (out / "student" / "exercises" / "training.py").exists()   # the earlier release's: gone


def _git(cwd, *args):
    import subprocess

    done = subprocess.run(["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.org", *args],
                          cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_force_keeps_the_instructors_repository_and_files(tmp_path):
    # the instructor README's own steps: make student/ a repository, commit, add a file of
    # one's own, then update the release mid-term with --force and read `git diff`
    out = tmp_path / "dist"
    build(out, modules="activations,losses,layers", hidden=0)
    notes = (out / "instructor" / "README.md").read_text()
    # -b main: the update commands fetch the branch main, which git's default settings would name
    # master (trial 15)
    assert "`cd student && git init -b main && git add -A && git commit -m \"Exercises\"`" in notes
    assert "`chainrule release --out DIR --force`" in notes
    student = out / "student"
    _git(student, "init", "-q")
    _git(student, "add", "-A")
    _git(student, "commit", "-q", "-m", "Exercises")
    head = _git(student, "rev-parse", "HEAD").strip()
    (student / "SYLLABUS.md").write_text("office hours: Tuesday\n")
    (student / "exercises" / "extra.py").write_text("# a bonus exercise of my own\n")
    (out / "instructor" / "todo.txt").write_text("upload the zip\n")
    result = CliRunner().invoke(cli, ["release", "--out", str(out), "--modules", "activations,losses",
                                      "--hidden-seeds", "0", "--force"])
    assert result.exit_code == 0, result.output
    assert _git(student, "rev-parse", "HEAD").strip() == head
    assert _git(student, "log", "--format=%s") == "Exercises\n"
    assert (student / "SYLLABUS.md").read_text() == "office hours: Tuesday\n"
    assert (student / "exercises" / "extra.py").exists()
    assert (out / "instructor" / "todo.txt").read_text() == "upload the zip\n"
    # the module dropped from --modules is removed; git shows exactly what changed
    assert not (student / "exercises" / "layers.py").exists()
    status = _git(student, "status", "--porcelain").splitlines()
    assert " D exercises/layers.py" in status
    assert "?? SYLLABUS.md" in status and "?? exercises/extra.py" in status
    assert " M grader/data/release.json" in status
    assert not [line for line in status if line.startswith(" D") and "layers" not in line]
    # the listing names this release's files, and nothing of git's or the instructor's
    listing = [line.split("  ", 1)[-1] for line in (out / ".chainrule-release").read_text().splitlines()]
    assert "student/exercises/activations.py" in listing and "autograder.zip" in listing
    assert not [n for n in listing if "exercises/layers.py" in n or ".git/" in n or "SYLLABUS" in n or "todo" in n]
    # the same options again: nothing changes
    build(out, modules="activations,losses", hidden=0, force=True)
    assert _git(student, "status", "--porcelain").splitlines() == status


def test_force_on_a_folder_without_a_listing_removes_nothing_it_does_not_write(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    (out / ".chainrule-release").unlink()            # a release of an older kit, or a folder of one's own
    (out / "student" / "exercises" / "old.py").write_text("x = 1\n")
    (out / "student" / "README.md").write_text("edited\n")
    build(out, modules="training", hidden=0, force=True)
    assert (out / "student" / "exercises" / "old.py").exists()
    assert (out / "student" / "exercises" / "regularization.py").exists()     # unknown to this build: kept
    assert (out / "student" / "README.md").read_text() != "edited\n"         # written over
    assert (out / "student" / "exercises" / "training.py").exists()


def test_a_listing_line_outside_the_release_is_never_followed(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    (tmp_path / "precious.txt").write_text("keep")
    (out / "student" / ".git").mkdir()
    (out / "student" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    with open(out / ".chainrule-release", "a") as listing:
        listing.write("../precious.txt\nstudent/.git/HEAD\n/etc/hostname\n")
    build(out, modules="training", hidden=0, force=True)
    assert (tmp_path / "precious.txt").read_text() == "keep"
    assert (out / "student" / ".git" / "HEAD").exists()


def test_a_folder_where_the_release_writes_a_file_is_refused_before_anything_moves(tmp_path):
    out = tmp_path / "dist"
    build(out, modules="regularization", hidden=0)
    before = (out / "student" / "README.md").read_bytes()
    (out / "autograder.zip").unlink()
    (out / "autograder.zip").mkdir()
    (out / "autograder.zip" / "mine.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["release", "--out", str(out), "--modules", "training",
                                      "--hidden-seeds", "0", "--force"])
    assert result.exit_code == 1
    assert f"'{out / 'autograder.zip'}' is a folder, and this release writes a file there" in result.stderr
    assert (out / "autograder.zip" / "mine.txt").exists()
    assert (out / "student" / "README.md").read_bytes() == before
    assert (out / "student" / "exercises" / "regularization.py").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".chainrule-release-")]


def test_a_relative_out_folder_works(tmp_path, monkeypatch):
    # the README's own command is `chainrule release --out dist/`: relative to the current folder
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["release", "--out", "dist/", "--modules", "regularization",
                                      "--hidden-seeds", "0"])
    assert result.exit_code == 0, result.output
    assert "Release written to dist" in result.stdout
    assert (tmp_path / "dist" / "student" / "exercises" / "regularization.py").exists()
    assert (tmp_path / "dist" / "autograder.zip").exists()


def test_an_unknown_module_gets_one_line_with_a_suggestion(tmp_path):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "o"), "--modules", "activation"])
    assert result.exit_code == 2
    assert "Unknown module 'activation' in --modules. Did you mean 'activations'?" in result.stderr
    assert not (tmp_path / "o").exists()
    with pytest.raises(ChainruleUsageError, match="'losses.sum_squared_error' is a function; --modules takes modules"):
        parse_modules("losses.sum_squared_error")


@pytest.mark.parametrize("given, message", [
    ("activations,activations", "--modules names 'activations' twice; give each module once."),
    ("losses, activations,losses", "--modules names 'losses' twice; give each module once."),
    ("", "--modules '' names no module; name at least one of " + ", ".join(CONTRACT) + "."),
    (" , ", "--modules ' , ' names no module; name at least one of " + ", ".join(CONTRACT) + "."),
])
def test_modules_named_twice_or_none_are_usage_errors(tmp_path, given, message):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "o"), "--modules", given])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_one_module_is_said_in_the_singular(tmp_path):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "o"), "--modules", "activations",
                                      "--hidden-seeds", "0"])
    assert result.exit_code == 0, result.output
    assert "functions in 1 module, " in result.stdout


@pytest.mark.parametrize("text, message", [
    ('"activations.sigmoid" = 2\n"activations.sigmod" = 3\n',
     "Points file '{f}', line 2: 'activations.sigmod' is not a contract function. Did you mean 'activations.sigmoid'?"),
    ('"activations.sigmoid" = 2\n\n"activations.relu" = -1\n',
     "Points file '{f}', line 3: activations.relu = -1 is not valid; points must be a number from 0 to 1,000,000."),
    ('"activations.sigmoid" = 1e308\n',      # session 9's attack: infinite totals crashed grade-all
     "Points file '{f}', line 1: activations.sigmoid = 1e+308 is not valid; points must be a number from 0 to "
     "1,000,000."),
    ('"activations.sigmoid" = nan\n',
     "Points file '{f}', line 1: activations.sigmoid = nan is not valid; points must be a number from 0 to "
     "1,000,000."),
    ('"activations.sigmoid" = "two"\n',
     "Points file '{f}', line 1: activations.sigmoid = \"two\" is not a number of points"),
    ('"activations.sigmoid" = 2\n"activations.relu" = = 3\n',
     "Points file '{f}', line 2: '\"activations.relu\" = = 3' is not valid TOML"),
    ('[activations]\nsigmoid = 1\ntanh = -2\n',
     "Points file '{f}', line 3: activations.tanh = -2 is not valid"),
    ('activations = 4\n', "Points file '{f}', line 1: 'activations' is a module; give points per function"),
])
def test_points_file_errors_name_the_file_the_line_and_the_value(tmp_path, text, message):
    path = tmp_path / "points.toml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "o"), "--points", str(path)])
    assert result.exit_code == 2, result.output
    assert message.format(f=path) in result.stderr
    assert not (tmp_path / "o").exists()


def test_points_for_a_module_not_released_are_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('"layers.dense_forward" = 2\n')
    with pytest.raises(ChainruleUsageError, match=r"line 1: 'layers.dense_forward' is not in the released modules \(training\)"):
        load_points(path, ["training"])
    assert load_points(path, list(CONTRACT)) == {"layers.dense_forward": 2.0}


def test_a_module_whose_skeleton_imports_another_needs_it_too(tmp_path):
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "o"), "--modules", "losses,training"])
    assert result.exit_code == 2
    assert ("--modules losses,training leaves out activations, which losses.py imports; hand out both: "
            "--modules activations,losses,training.") in result.stderr
    assert parse_modules("network,activations") == ["activations", "network"]


def test_a_student_grader_missing_a_file_it_needs_is_caught_at_build_time(tmp_path, monkeypatch):
    import chainrule.release as release

    real = release.mistake_sources
    # as if the cases lived in a file with mistake code (and were left out with it)
    monkeypatch.setattr(release, "mistake_sources", lambda: real() + ["specs/_kit.py"])
    with pytest.raises(ChainruleError, match=r"does not run on its own \(.*No module named 'grader.specs._kit'"):
        build(tmp_path / "out", modules="training", hidden=0)
    assert not (tmp_path / "out").exists()


def test_points_may_be_quoted_dotted_or_in_module_tables(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('# course points\n"activations.relu" = 2\nlosses.sum_squared_error = 0\n'
                    '[training]\nlog_uniform = 1.5\n')
    assert load_points(path, list(CONTRACT)) == {
        "activations.relu": 2.0, "losses.sum_squared_error": 0.0, "training.log_uniform": 1.5}
    path.write_text('# header\n\n[training]\nlog_uniform = 1\nlog_unifrom = 2\n')
    with pytest.raises(ChainruleUsageError, match=r"line 5: 'training.log_unifrom' is not a contract function\. "
                                                  r"Did you mean 'training.log_uniform'\?"):
        load_points(path, list(CONTRACT))


def test_a_secret_too_short_is_refused_before_anything_is_written(tmp_path):
    short = tmp_path / "short.secret"
    short.write_text("short\n")
    result = CliRunner().invoke(cli, ["release", "--out", str(tmp_path / "out"), "--secret-file", str(short)])
    assert result.exit_code == 2
    assert f"Secret file '{short}' holds 5 bytes; a course secret needs at least 16 random bytes" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------- a release of some modules
@pytest.fixture(scope="module")
def partial_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("partial") / "dist"
    build(out, modules="activations,losses", hidden=0)
    return out


def _student_chainrule(student, *args):
    """The student tree's own ``chainrule`` command, alone on the path (no checkout)."""
    import subprocess
    import sys

    site = str(Path(np.__file__).resolve().parents[1])
    code = (f"import sys; sys.path[:0] = [{str(student)!r}, {site!r}]\n"
            "from chainrule.cli import main; sys.argv = ['chainrule', *sys.argv[1:]]; main()")
    return subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code, *args], capture_output=True,
                          text=True, cwd=student, timeout=600)


@pytest.mark.parametrize("only, name", [("optimizers", "optimizers"), ("optimizers.adam_step", "optimizers.adam_step"),
                                        ("activations,network", "network")])
def test_grading_a_module_the_release_does_not_hold_is_a_usage_error(partial_release, only, name):
    done = _student_chainrule(partial_release / "student", "grade", "--only", only)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"Error: '{name}' is not in this release (activations, losses)."
    assert "Traceback" not in done.stderr and "FAIL" not in done.stdout


def test_a_module_the_release_holds_is_graded_and_a_typo_still_gets_its_suggestion(partial_release):
    student = partial_release / "student"
    done = _student_chainrule(student, "grade", "--only", "activations.sigmoid")
    assert "not in this release" not in done.stderr
    assert "activations: sigmoid" in done.stdout and "TODO is not filled in yet" in done.stdout
    typo = _student_chainrule(student, "grade", "--only", "activation")
    assert typo.returncode == 2 and "Did you mean 'activations'?" in typo.stderr


def test_the_kit_without_a_release_grades_every_module(tmp_path):
    from grader.engine import select_functions

    assert select_functions(["optimizers"]) == [f"optimizers.{n}" for n in CONTRACT["optimizers"]]


def test_the_student_readme_and_contract_speak_of_the_released_modules(partial_release, release_dir):
    readme = (partial_release / "student" / "README.md").read_text()
    for absent in ("optimizers", "adam_step", "network.", "`network", "layers", "training.py"):
        assert absent not in readme, absent
    assert "chainrule grade --only activations           # one module (or --only activations.sigmoid)" in readme
    # the skeleton of losses.softmax_crossentropy_grad says softmax is imported from activations
    skeleton = (ROOT / "exercises" / "losses.py").read_text()
    assert "from .activations import softmax" in skeleton
    assert "(`losses.softmax_crossentropy_grad` calls your `softmax`)" in " ".join(readme.split())
    contract = (partial_release / "student" / "docs" / "CONTRACT.md").read_text()
    kit = (ROOT / "docs" / "CONTRACT.md").read_text()
    assert re.findall(r"^## .*", contract, re.M) == ["## exercises/activations.py", "## exercises/losses.py"]
    for module in ("activations", "losses"):
        section = re.search(rf"^## exercises/{module}\.py\n.*?(?=^## |\Z)", kit, re.M | re.S).group(0).rstrip()
        assert section in contract
    note = " ".join(line[2:] for line in contract.splitlines() if line.startswith("> "))
    assert note == ("**This release hands out 2 of the 8 modules: `activations`, `losses`.** Only their sections "
                    "follow; where the general rules name a function of another module, it is not part of this release.")
    # the whole contract: the kit's README examples and the kit's contract, unchanged
    full = (release_dir / "student" / "README.md").read_text()
    assert "chainrule grade --only optimizers            # one module (or --only optimizers.adam_step)" in full
    assert "(`network.forward` calls your `sigmoid`)" in " ".join(full.split())
    assert (release_dir / "student" / "docs" / "CONTRACT.md").read_text() == kit


def test_a_release_without_cross_calls_says_none(tmp_path):
    build(tmp_path / "r", modules="optimizers,training", hidden=0)
    readme = (tmp_path / "r" / "student" / "README.md").read_text()
    assert "A function that calls another of yours" not in readme
    assert "`chainrule grade optimizers.ipynb`" in readme and "activations" not in readme
    assert "chainrule grade --only optimizers            # one module (or --only optimizers.adam_step)" in readme


@pytest.mark.parametrize("inside", ["exercises/rel", "grader", "solutions/x/y", "."])
def test_an_out_folder_inside_the_kits_own_folders_is_refused(inside):
    """A new user's trial released into the kit's exercises/ (exit 0): the next release would
    have copied that release (keys of a worksheet set put there too) into the students'
    exercises. Nothing is written."""
    from chainrule.release import ROOT

    target = ROOT / inside
    existed = target.exists()
    result = CliRunner().invoke(cli, ["release", "--out", str(target), "--force"])
    assert result.exit_code == 2
    where = "the kit itself" if inside == "." else f"in the kit's own {inside.split('/')[0]}/ folder"
    assert result.stderr.strip().splitlines()[-1] == (f"Error: --out '{target}' is {where}, which a release copies from; choose a "
                                     "folder outside the kit's packages (such as release/ beside them).")
    assert target.exists() == existed


def test_the_student_readme_says_which_classroom_score_is_the_grade(release_dir, partial_release):
    """Session 10's trial: the reporter's log shows "Grand total points: 80.77/100" (its count
    of functions at full marks) beside "Total points: 53.83/68"; the README says which one
    Classroom records, with numbers of the release's own (42 of 52 functions at full marks,
    the last 10, one point each, at half of their points: 68 - 5)."""
    readme = " ".join((release_dir / "student" / "README.md").read_text().split())
    assert ("The reporter step's log shows two scores, for example `Total points: 63.00/68` and "
            "`Grand total points: 80.77/100`. The score Classroom records is the **points**: the sum of "
            "every function's partial score") in readme
    assert "the same number as the `Total:` line of `chainrule grade`" in readme
    assert "(`Points 63/68` in the run's annotations)" in readme
    assert ("count a function as passed only when all its cases pass, and every function the same whatever "
            "its points (here 42 of 52 functions). It is not the score Classroom records") in readme
    # a release of two modules: its own numbers (20 functions, 23 points; the last 4, 5 points, at half)
    partial = " ".join((partial_release / "student" / "README.md").read_text().split())
    assert "`Total points: 20.50/23` and `Grand total points: 80.00/100`" in partial
    assert "(here 16 of 20 functions)" in partial


def test_the_student_readme_explains_warnings_missing_files_and_autograder_commands(release_dir, partial_release):
    readme = " ".join((release_dir / "student" / "README.md").read_text().split())
    assert ("A function that passes but whose computation warned (an overflow in `np.exp`, a division by zero) "
            "keeps its points and is marked `warned:`") in readme
    assert '("training.py is not in your submission"), its functions 0 points' in readme
    assert ("The commands the autograder's tests show (`Rerun case 4: chainrule grade --only ...`) are for your "
            "own repository: run them here.") in readme
    partial = " ".join((partial_release / "student" / "README.md").read_text().split())
    assert '("losses.py is not in your submission")' in partial


def test_the_student_copys_grade_help_has_no_instructor_options(partial_release):
    """Session 10's trial: a student copy's `chainrule grade --help` offered --secret-file ("mixed
    into the per-submission seed", ignored there), --recorded ("instead of solutions/", which it
    has not), --release and --require-isolation; the instructor's checkout still offers them."""
    student = partial_release / "student"
    done = _student_chainrule(student, "grade", "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for option in ("--secret-file", "--recorded", "--release", "--require-isolation", "solutions/",
                   "live reference", "per-submission"):
        assert option not in text, option
    assert ("--seed INTEGER RANGE Seed of the cases' inputs (printed in every report). This copy holds the "
            "expected values of the public checks' seed only, the default; a report's rerun command names it.") in text
    for option in ("--only", "--case", "--verbose", "--timeout", "--format", "--fail-under"):
        assert option in text, option
    kit = CliRunner().invoke(cli, ["grade", "--help"], prog_name="chainrule")
    for option in ("--secret-file", "--recorded", "--release", "--require-isolation"):
        assert option in kit.output, option


def test_a_secret_file_in_a_student_copy_is_refused_not_ignored(partial_release, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("course secret\n")
    done = _student_chainrule(partial_release / "student", "grade", "--secret-file", str(secret))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: --secret-file changes the cases' seed only where the reference solutions are installed (an "
        "instructor's checkout); this student copy grades the recorded public checks: leave it out.")
    assert done.stdout == ""


def test_the_protected_paths_cover_everything_the_workflow_runs(release_dir):
    """The instructor README's protected paths name every file the Classroom workflow reads
    from the repository besides exercises/: the workflow itself and each path it copies the
    grader from (trial17b finding 1: a setup.py, unprotected, ran in `pip install -e .`)."""
    import fnmatch

    from chainrule.release import KIT_PATHS, PROTECTED_PATHS

    readme = (release_dir / "instructor" / "README.md").read_text()
    step = readme.split("3. Mark these paths **protected**")[1].split("\n\n")[0]
    listed = [part.strip("`") for part in step.split("to you: ")[1].split(".\n")[0].split(", ")]
    assert listed == list(PROTECTED_PATHS)
    workflow = ".github/workflows/classroom.yml"
    for path in (workflow, *KIT_PATHS):
        probe = path if "." in path else f"{path}/__init__.py"
        assert any(fnmatch.fnmatch(probe, pattern) for pattern in PROTECTED_PATHS), path
    assert "a `setup.py`" in step and "`sitecustomize.py`" in step
    text = (release_dir / "student" / ".github" / "workflows" / "classroom.yml").read_text()
    copied = next(line for line in text.splitlines() if line.strip().startswith("cp -R "))
    assert copied.split()[2:-1] == list(KIT_PATHS)
    student = (release_dir / "student" / "README.md").read_text()
    assert "Do not edit `.github/`, `grader/`,\n`chainrule/`, `chainrule_core/`, `setup.cfg` or `pyproject.toml`" in student


def test_what_the_classroom_workflow_installs_lists_and_refuses_commands_without_a_traceback(release_dir, tmp_path):
    """Trial 19c: the workflow installs KIT_PATHS of the student's repository (no checker/), where
    `chainrule --help` printed a traceback (No module named 'checker') and `chainrule check` an
    internal error."""
    import shutil

    from chainrule.release import KIT_PATHS

    kit = tmp_path / "kit"
    kit.mkdir()
    for name in KIT_PATHS:
        source = release_dir / "student" / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, kit / name)
    helped = _student_chainrule(kit, "--help")
    assert helped.returncode == 0 and "Traceback" not in helped.stderr, helped.stderr
    names = [line.split()[0] for line in helped.stdout.split("Commands:\n")[1].splitlines() if line.strip()]
    assert names == ["classroom", "grade", "list"]
    for args in (("check", "--help"), ("check", "x.toml")):
        done = _student_chainrule(kit, *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith(
            "Error: This install of chainrule does not include the check command: it needs the checker package")
    for args in (("--version",), ("grade", "--help")):
        assert _student_chainrule(kit, *args).returncode == 0, args
