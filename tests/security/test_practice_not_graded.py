"""Practice sheets made with the course secret are never the graded sheets.

Session 9's attack: variants were keyed by the secret alone, whatever the sheet's kind, so
`generate --practice --secret-file` gave every student their graded variants; copying the
graded answers into the practice answers.toml, the student copy's `chainrule check`
judged them blank by blank ("88 of 88 correct") before the graded sheet was handed in.
"""

import json

from generator import worksheets
from generator.worksheets import Student

SECRET = b"a course secret of at least sixteen bytes"
STUDENTS = [Student("s001", "Ann"), Student("s002", "Bo")]


def _variants(out):
    manifest = json.loads((out / "manifest.json").read_text())
    return {s["id"]: [p["variant"] for p in s["problems"]] for s in manifest["students"]}, manifest


def test_practice_and_graded_sheets_of_one_secret_differ_everywhere(tmp_path):
    worksheets.generate(out=tmp_path / "graded", seed=7, students=STUDENTS, formats=["md"], secret=SECRET)
    worksheets.generate(out=tmp_path / "practice", seed=7, students=STUDENTS, formats=["md"], secret=SECRET,
                        practice=True)
    worksheets.generate(out=tmp_path / "open", seed=7, students=STUDENTS, formats=["md"], practice=True)
    graded, gm = _variants(tmp_path / "graded")
    practice, pm = _variants(tmp_path / "practice")
    open_, _ = _variants(tmp_path / "open")
    for sid in graded:
        assert len(graded[sid]) == 14
        assert not set(graded[sid]) & set(practice[sid]), sid       # not one problem in common
        assert not set(open_[sid]) & set(practice[sid]), sid        # nor the seed's open variants
    # both sets name the same course secret, which the class check asks for
    assert gm["secret"] == pm["secret"]
    for sid in graded:      # and the worksheets' problems differ, not only their ids
        g = (tmp_path / "graded" / "students" / sid / "worksheet.md").read_text()
        p = (tmp_path / "practice" / "students" / sid / "worksheet.md").read_text()
        assert g.split("## ")[2:] != p.split("## ")[2:]


def test_practice_sheets_with_a_secret_are_still_deterministic(tmp_path):
    for name in ("a", "b"):
        worksheets.generate(out=tmp_path / name, seed=7, students=STUDENTS, formats=["md"], secret=SECRET,
                            practice=True)
    for sid in ("s001", "s002"):
        for rel in (f"students/{sid}/worksheet.md", f"students/{sid}/answers.toml", f"keys/{sid}/key.md"):
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
