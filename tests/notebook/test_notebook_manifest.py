"""``chainrule notebook --students R --manifest SET/manifest.json`` takes the course seed, the
language and the kind of sheets from the set (trial 13: the TA of a Korean class had to
repeat --lang ko, and nothing stopped a graded set's notebooks drawn without its secret).
Each result is checked against what the same command writes with the options given by hand."""

import pytest
from click.testing import CliRunner

from chainrule.cli import cli

SECRET = "3f1c0b7e9a5d42c6b8e1f0a9d3c7b2e4\n"
OTHER_SECRET = "0000000000000000000000000000000000000000\n"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def sets(nbformat, tmp_path_factory):
    """An open Korean set (seed 7), a graded one and a practice one made with the secret (seed 8)."""
    base = tmp_path_factory.mktemp("sets")
    (base / "roster.csv").write_text("id,name\ns001,Kim\n", encoding="utf-8")
    (base / "course.secret").write_text(SECRET, encoding="utf-8")
    (base / "other.secret").write_text(OTHER_SECRET, encoding="utf-8")
    small = ["--students", base / "roster.csv", "--format", "md", "--families", "output_update"]
    for name, extra in (("ko", ["--seed", "7", "--lang", "ko"]),
                        ("graded", ["--seed", "8", "--secret-file", base / "course.secret"]),
                        ("practice", ["--seed", "8", "--practice", "--secret-file", base / "course.secret"])):
        result = run("generate", "--out", base / name, *small, *extra)
        assert result.exit_code == 0, result.output
    return base


def worksheet(out):
    return (out / "students" / "s001" / "your_worksheet.ipynb").read_text(encoding="utf-8")


def notebooks(sets, out, *args):
    result = run("notebook", "--out", out, "--modules", "network", "--students", sets / "roster.csv", *args)
    assert result.exit_code == 0, result.output
    return worksheet(out)


def test_the_manifest_gives_the_seed_and_the_language(sets, tmp_path):
    mine = notebooks(sets, tmp_path / "a", "--manifest", sets / "ko" / "manifest.json")
    assert mine == notebooks(sets, tmp_path / "b", "--seed", "7", "--lang", "ko")
    assert "# 내 문제지의 신경망: Kim" in mine and "lang='ko'" in mine
    # a --lang given wins over the set's
    english = notebooks(sets, tmp_path / "c", "--manifest", sets / "ko" / "manifest.json", "--lang", "en")
    assert english == notebooks(sets, tmp_path / "d", "--seed", "7")


def test_a_graded_or_practice_set_takes_its_secret_and_kind(sets, tmp_path):
    secret = sets / "course.secret"
    graded = notebooks(sets, tmp_path / "g", "--manifest", sets / "graded" / "manifest.json", "--secret-file",
                       secret, "--with-worksheet")
    assert graded == notebooks(sets, tmp_path / "g2", "--seed", "8", "--secret-file", secret, "--with-worksheet")
    practice = notebooks(sets, tmp_path / "p", "--manifest", sets / "practice" / "manifest.json", "--secret-file",
                         secret)
    assert practice == notebooks(sets, tmp_path / "p2", "--seed", "8", "--secret-file", secret, "--practice")
    assert practice != graded


@pytest.mark.parametrize("which, args, sentence", [
    ("ko", ["--seed", "8"], "--seed 8 is not the course seed of '{m}' (7); leave --seed out, the manifest gives it."),
    ("ko", ["--secret-file", "{s}/course.secret"], "'{m}' lists open sheets made without a course secret: leave "
     "--secret-file out (with it the networks would not be the students')."),
    ("ko", ["--practice"], "--practice: '{m}' lists open sheets, not practice sheets; leave --practice out."),
    ("graded", [], "'{m}' lists graded sheets made with the course secret, which draws their networks: give it "
     "with --secret-file."),
    ("graded", ["--secret-file", "{s}/other.secret"], "--secret-file '{s}/other.secret' is not the course secret "
     "'{m}' was made with (fingerprints differ); give that one."),
])
def test_options_that_do_not_fit_the_set_are_refused(sets, tmp_path, which, args, sentence):
    manifest = sets / which / "manifest.json"
    args = [a.format(s=sets) for a in args]
    result = run("notebook", "--out", tmp_path / "o", "--students", sets / "roster.csv", "--manifest", manifest, *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: " + sentence.format(m=manifest, s=sets)
    assert not (tmp_path / "o").exists()


def test_the_manifest_goes_with_students(sets, tmp_path):
    result = run("notebook", "--out", tmp_path / "o", "--manifest", sets / "ko" / "manifest.json")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: --manifest goes with --students (it gives the seed and "
                                              "language of the students' worksheets).")


# --- the roster's ids against the set's students (session 15) -------------------------------------
# A roster id the set does not list got notebooks whose networks are on no worksheet.

@pytest.fixture(scope="module")
def updated_set(nbformat, tmp_path_factory):
    """An open set (seed 7) of s001 and s002, then updated with a roster of s001 alone: s002 is
    kept and marked removed. Returns the folder; roster.csv there lists both."""
    base = tmp_path_factory.mktemp("updated")
    (base / "roster.csv").write_text("id,name\ns001,Kim\ns002,Lee\n", encoding="utf-8")
    (base / "one.csv").write_text("id,name\ns001,Kim\n", encoding="utf-8")
    small = ["--format", "md", "--families", "output_update", "--seed", "7"]
    assert run("generate", "--out", base / "set", "--students", base / "roster.csv", *small).exit_code == 0
    result = run("generate", "--out", base / "set", "--students", base / "one.csv", *small, "--update")
    assert result.exit_code == 0, result.output
    return base


def refused(result, out):
    assert result.exit_code == 2, result.output
    assert not out.exists()
    return result.output.splitlines()[-1]


def test_a_roster_id_not_in_the_set_is_refused_and_nothing_is_written(updated_set, tmp_path):
    import json

    manifest = updated_set / "set" / "manifest.json"
    listed = [s["id"] for s in json.loads(manifest.read_text(encoding="utf-8"))["students"]]
    assert listed == ["s001", "s002"]
    (tmp_path / "r.csv").write_text("id,name\ns001,Kim\nzz9,Park\n", encoding="utf-8")
    result = run("notebook", "--out", tmp_path / "o", "--modules", "network", "--students", tmp_path / "r.csv",
                 "--manifest", manifest)
    assert refused(result, tmp_path / "o") == (
        f"Error: --students '{tmp_path / 'r.csv'}' lists zz9, who is not a student of the set '{manifest}': "
        "their notebooks would match no worksheet; give a roster of the set's students (the ids its manifest "
        "lists: s001, s002).")


def test_many_strangers_are_named_a_few_then_counted(updated_set, tmp_path):
    manifest = updated_set / "set" / "manifest.json"
    ids = [f"x{i}" for i in range(1, 8)]
    (tmp_path / "r.csv").write_text("id\ns002\n" + "\n".join(ids) + "\n", encoding="utf-8")
    result = run("notebook", "--out", tmp_path / "o", "--students", tmp_path / "r.csv", "--manifest", manifest)
    assert refused(result, tmp_path / "o") == (
        f"Error: --students '{tmp_path / 'r.csv'}' lists 7 ids that are not students of the set '{manifest}' "
        "(x1, x2, x3, x4, x5 and 2 more): their notebooks would match no worksheet; give a roster of the set's "
        "students (the ids its manifest lists: s001, s002).")


def test_a_student_the_manifest_marks_removed_still_gets_notebooks(updated_set, tmp_path):
    """s002 is off the roster since the update, but their sheet was written and is kept (and
    chainrule check --manifest still checks it): the notebook matches that sheet."""
    import json

    manifest = updated_set / "set" / "manifest.json"
    entry = next(s for s in json.loads(manifest.read_text(encoding="utf-8"))["students"] if s["id"] == "s002")
    assert entry.get("removed") is True
    assert (updated_set / "set" / "students" / "s002" / "worksheet.md").exists()
    result = run("notebook", "--out", tmp_path / "m", "--modules", "network", "--students",
                 updated_set / "roster.csv", "--manifest", manifest)
    assert result.exit_code == 0, result.output
    # the notebook is the student's sheet: the variant the manifest lists for s002 (as generate wrote it)
    variant = next(p["variant"] for p in entry["problems"] if p["family"] == "output_update")
    assert f"variant {variant}" in (updated_set / "set" / "students" / "s002" / "worksheet.md").read_text(
        encoding="utf-8")
    mine = (tmp_path / "m" / "students" / "s002" / "your_worksheet.ipynb").read_text(encoding="utf-8")
    assert f"Your `output_update` problem, variant `{variant}`" in mine
