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
