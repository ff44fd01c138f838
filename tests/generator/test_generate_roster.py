"""A roster change mid-term: ``chainrule generate --update`` loses nothing, and ``--force``
never destroys a filled answers file silently.

Every new file an update writes is compared with the file a whole ``generate`` of the same
options writes for that student (made independently in another folder); every file it
must not touch is compared byte for byte with the file before the update.
"""

import json
import os
import re
from pathlib import Path

import pytest

from tests.generator.test_generate_cli import run, tree

FAMILIES = "forward_pass,output_update"
BASE = ["generate", "--families", FAMILIES, "--format", "md"]
JOURNAL = ".chainrule-generate.journal"


def roster(folder: Path, name: str, rows) -> str:
    path = folder / name
    path.write_text("id,name\n" + "".join(f"{sid},{who}\n" for sid, who in rows), encoding="utf-8")
    return str(path)


FIRST = [("s1", "Kim Minji"), ("s2", "Lee Jun"), ("s3", "Park Hana")]
SECOND = [("s1", "Kim Minji"), ("s2", "Lee Junho"), ("s4", "Choi Yuna")]  # s3 left, s4 joined, s2 corrected


def fill(path: Path, value: str = "0.5") -> bytes:
    """Write ``value`` into the first blank of an answers.toml, as a student does; its new bytes."""
    text = path.read_text(encoding="utf-8")
    filled, n = re.subn(r'^(\w+) = ""$', rf'\1 = "{value}"', text, count=1, flags=re.M)
    assert n == 1
    path.write_text(filled, encoding="utf-8")
    return path.read_bytes()


def of(files: dict, sid: str) -> dict:
    return {name: data for name, data in files.items() if name.startswith((f"students/{sid}/", f"keys/{sid}/"))}


def updated_and_interrupted(tmp_path, monkeypatch, rows, at, jobs):
    """The class FIRST made in two folders, ``whole`` updated to ``rows`` in one go and ``out``
    updated with a Ctrl-C inside the write of the file ending with ``at``: (whole, out, the
    first roster's path, the second's, the interrupted run's result, out's manifest.json as it
    was before that run)."""
    whole, out = tmp_path / "whole", tmp_path / "o"
    r1, r2 = roster(tmp_path, "r1.csv", FIRST), roster(tmp_path, "r2.csv", rows)
    for folder in (whole, out):
        ok(run(*BASE, "--students", r1, "--out", str(folder)))
    ok(run("generate", "--update", "--students", r2, "--out", str(whole)))
    manifest = (out / "manifest.json").read_bytes()
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(at):
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        result = run("generate", "--update", "--students", r2, "--out", str(out), "--jobs", jobs)
    return whole, out, r1, r2, result, manifest


def ok(result):
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout.splitlines()


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "course.secret"
    path.write_text("5f" * 32 + "\n", encoding="utf-8")
    return str(path)


# --- --update ---------------------------------------------------------------------------------

def test_update_adds_renames_and_keeps_removed_students(tmp_path, secret):
    out = tmp_path / "graded"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--secret-file", secret, "--out", str(out)))
    filled = {sid: fill(out / "students" / sid / "answers.toml") for sid in ("s1", "s2", "s3")}
    before = tree(out)
    lines = ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", SECOND), "--secret-file", secret,
                   "--out", str(out)))
    assert lines == [
        "Added 1 student: s4 (Choi Yuna).",
        "Renamed 1 student: s2 (Lee Junho, was Lee Jun); new sheets and keys, their answers.toml left as it was "
        "(it keeps the name it had).",
        "No longer on the roster, files kept: s3 (Park Hana) (marked removed in manifest.json; chainrule check "
        "--manifest still checks their answers).",
        "Updated the graded set in " + str(out) + "/: 3 students on the roster, 1 removed kept; 1 unchanged, their "
        "files untouched (manifest.json lists them all).",
    ]
    after = tree(out)
    # untouched: the unchanged student's and the removed student's files, every filled answers file
    assert of(after, "s1") == of(before, "s1") and of(after, "s3") == of(before, "s3")
    for sid in ("s1", "s2", "s3"):
        assert after[f"students/{sid}/answers.toml"] == filled[sid]
    # the new student and the renamed student's sheets are what a whole generate of the new roster writes
    fresh_out = tmp_path / "fresh"
    ok(run(*BASE, "--students", str(tmp_path / "r2.csv"), "--secret-file", secret, "--out", str(fresh_out)))
    fresh = tree(fresh_out)
    assert of(after, "s4") == of(fresh, "s4")
    renamed = {name: data for name, data in of(fresh, "s2").items() if not name.endswith("answers.toml")}
    assert {name: after[name] for name in renamed} == renamed
    assert "# Answer key: Lee Junho" in after["keys/s2/key.md"].decode()
    assert "Lee Junho" not in after["students/s2/answers.toml"].decode()  # not rewritten
    data = json.loads(after["manifest.json"])
    assert [(s["id"], s["name"], s.get("removed", False)) for s in data["students"]] == [
        ("s1", "Kim Minji", False), ("s2", "Lee Junho", False), ("s4", "Choi Yuna", False),
        ("s3", "Park Hana", True)]
    fresh_manifest = json.loads(fresh["manifest.json"])
    assert data["students"][:3] == fresh_manifest["students"]
    assert {k: v for k, v in data.items() if k != "students"} == {k: v for k, v in fresh_manifest.items()
                                                                   if k != "students"}
    assert JOURNAL not in after

    # the removed student's hand-in is still checked against the manifest
    result = run("check", str(out / "students/s3/answers.toml"), "--secret-file", secret,
                 "--manifest", str(out / "manifest.json"))
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "s3" in result.stdout
    result = run("check", *[str(out / f"students/{sid}/answers.toml") for sid in ("s1", "s2", "s3", "s4")],
                 "--secret-file", secret, "--manifest", str(out / "manifest.json"))
    assert result.exit_code == 0, (result.output, result.stderr)
    # a removed student who hands nothing in is not missing, nor given an empty gradebook row
    book = tmp_path / "book.csv"
    result = run("check", *[str(out / f"students/{sid}/answers.toml") for sid in ("s1", "s2")],
                 "--secret-file", secret, "--manifest", str(out / "manifest.json"), "--gradebook", str(book))
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "Note: 1 of the manifest's 3 students has no answers file here: s4 (the gradebook row is empty)." \
        in result.stderr
    assert [line.split(",")[0] for line in book.read_text().splitlines()[1:]] == ["s1", "s2", "s4"]


def test_update_when_students_only_join_equals_a_whole_generate(tmp_path):
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    more = FIRST + [("s10", "Jung Ara"), ("s0", "")]
    ok(run(*BASE, "--seed", "77", "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    lines = ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", more), "--out", str(out)))
    assert lines == ["Added 2 students: s10 (Jung Ara), s0.",
                     f"Updated the set in {out}/: 5 students on the roster; 3 unchanged, their files untouched "
                     "(manifest.json lists them all)."]
    ok(run(*BASE, "--seed", "77", "--students", str(tmp_path / "r2.csv"), "--out", str(fresh)))
    assert tree(out) == tree(fresh)  # byte for byte, manifest.json included


def test_update_takes_every_option_from_the_manifest(tmp_path):
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    options = ["generate", "--seed", "2026", "--lang", "ko", "--families", "loss_values,forward_pass,forward_pass",
               "--problems", "4", "--format", "html,md"]
    ok(run(*options, "--count", "2", "--out", str(out)))
    before = tree(out)
    ok(run("generate", "--update", "--count", "3", "--out", str(out)))
    ok(run(*options, "--count", "3", "--out", str(fresh)))
    after, whole = tree(out), tree(fresh)
    assert after == whole
    assert {name: after[name] for name in before if name != "manifest.json"} == \
        {name: data for name, data in before.items() if name != "manifest.json"}
    # the same options given explicitly are accepted (nothing to do now)
    lines = ok(run(*options, "--update", "--count", "3", "--out", str(out)))
    assert lines == [f"Nothing to update: the roster lists the 3 students of {out}/manifest.json, with the same "
                     "names; no file was written."]
    assert tree(out) == whole


@pytest.mark.parametrize("extra, message", [
    (["--seed", "5"], "--seed 5 (the set's: 2024) differs from '{m}': --update takes every option from the set's "
                      "manifest, so leave it out (a set with other options is a new set: another --out)."),
    (["--lang", "ko", "--format", "html"],
     "--format html (the set's: md); --lang ko (the set's: en) differ from '{m}': --update takes every option "
     "from the set's manifest, so leave them out (a set with other options is a new set: another --out)."),
    (["--families", "forward_pass"], "--families forward_pass (the set's: forward_pass,output_update) differs from "
                                     "'{m}': --update takes every option from the set's manifest, so leave it out "
                                     "(a set with other options is a new set: another --out)."),
    (["--practice"], "--practice (the set has open sheets) differs from '{m}': --update takes every option from the "
                     "set's manifest, so leave it out (a set with other options is a new set: another --out)."),
    (["--force"], "--update never overwrites anything and --force starts the set over; use one of them."),
    (["--count", "4"], "Use either --students or --count, not both."),
    (["--secret-file", "SECRET"], "Output folder '{o}' holds open sheets made without a course secret; leave out "
                                  "--secret-file (graded sheets are a new set: another --out)."),
])
def test_update_refuses_other_options_and_changes_nothing(tmp_path, secret, extra, message):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    before = tree(out)
    extra = [secret if arg == "SECRET" else arg for arg in extra]
    result = run("generate", "--update", "--students", roster(tmp_path, "r2.csv", SECOND), "--out", str(out), *extra)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: " + message.format(m=out / "manifest.json", o=out)
    assert tree(out) == before


def test_update_of_a_graded_set_needs_its_own_secret(tmp_path, secret):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--secret-file", secret, "--out", str(out)))
    fingerprint = json.loads((out / "manifest.json").read_text())["secret"]
    before = tree(out)
    r2 = roster(tmp_path, "r2.csv", SECOND)
    result = run("generate", "--update", "--students", r2, "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"Error: Output folder '{out}' holds graded sheets made with a course "
                                              f"secret (fingerprint {fingerprint}); give it again with --secret-file.")
    other = tmp_path / "other.secret"
    other.write_text("a7" * 32 + "\n", encoding="utf-8")
    result = run("generate", "--update", "--students", r2, "--secret-file", str(other), "--out", str(out))
    assert result.exit_code == 2
    line = result.stderr.splitlines()[-1]
    assert re.fullmatch(rf"Error: The course secret given \(fingerprint [0-9a-f]{{16}}\) is not the one the set in "
                        rf"'{re.escape(str(out))}' was made with \(fingerprint {fingerprint}\); give that set's "
                        r"--secret-file\.", line), line
    assert tree(out) == before


def test_update_refuses_a_folder_without_a_finished_set(tmp_path):
    r2 = roster(tmp_path, "r2.csv", SECOND)
    missing = tmp_path / "nothing"
    result = run("generate", "--update", "--students", r2, "--out", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Output folder '{missing}' does not exist; --update changes the roster of a finished set (make one "
        "with chainrule generate without --update).")
    result = run("generate", "--update", "--out", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: --update needs the new roster: --students FILE (or --count N "
                                              "for the numbered students student-001, ...).")
    half = tmp_path / "half"
    half.mkdir()
    (half / JOURNAL).write_text('{"journal": 1, "options": {}}\n', encoding="utf-8")
    result = run("generate", "--update", "--students", r2, "--out", str(half))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: Output folder '{half}' holds an interrupted class (no manifest.json yet); run the command that "
        "started it again to finish it, then --update its roster.")


def test_update_refuses_an_id_that_differs_only_in_case(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    before = tree(out)
    result = run("generate", "--update", "--students", roster(tmp_path, "r2.csv", FIRST[1:] + [("S1", "Kim")]),
                 "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: The roster lists student id 'S1' and the set holds 's1', which differ only in case; their folders "
        "would collide on Windows and macOS (use the set's id).")
    assert tree(out) == before


def test_a_removed_student_who_returns_gets_back_the_files_they_had(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    answers = fill(out / "students/s3/answers.toml")
    ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", FIRST[:2]), "--out", str(out)))
    lines = ok(run("generate", "--update", "--students", str(tmp_path / "r1.csv"), "--out", str(out)))
    assert lines == ["Back on the roster with the files they had: s3 (Park Hana).",
                     f"Updated the set in {out}/: 3 students on the roster; 2 unchanged, their files untouched "
                     "(manifest.json lists them all)."]
    assert (out / "students/s3/answers.toml").read_bytes() == answers
    assert all("removed" not in s for s in json.loads((out / "manifest.json").read_text())["students"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_update_interrupted_is_finished_by_the_same_command(tmp_path, monkeypatch, jobs):
    joined = FIRST[:2] + [(f"n{i}", f"New {i}") for i in range(1, 7)]
    # Ctrl-C inside the write of n4's key
    whole, out, r1, r2, result, manifest = updated_and_interrupted(tmp_path, monkeypatch, joined, "keys/n4/key.md",
                                                                   jobs)
    assert result.exit_code == 130
    lines = [json.loads(line)["id"] for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines()[1:]]
    done = sorted(sid for sid in lines if sid.startswith("n"))  # the journal also lists the students kept as they were
    assert "n4" not in done and (jobs == "2" or done == ["n1", "n2", "n3"])
    assert result.stderr.splitlines() == [f"Interrupted after {len(done)} of 6 sheets; run the same command again to "
                                          "finish the update (manifest.json is updated once it is finished)."]
    assert (out / "manifest.json").read_bytes() == manifest  # the set is the earlier one until the update ends
    # a plain generate there is refused, naming the interrupted update
    result = run(*BASE, "--students", r2, "--out", str(out))
    assert result.exit_code == 1 and "a roster update (--update) there, a new class here" in result.stderr
    lines = ok(run("generate", "--update", "--students", r2, "--out", str(out)))
    made = 6 - len(done)
    assert lines[0] == (f"Resumed: {made} sheet{'' if made == 1 else 's'} made, {len(done)} kept from the "
                        "interrupted update.")
    assert lines[1] == "Added 6 students: n1 (New 1), n2 (New 2), n3 (New 3), n4 (New 4), n5 (New 5), n6 (New 6)."
    assert tree(out) == tree(whole)


# --- --force ----------------------------------------------------------------------------------

def test_force_keeps_filled_answers_and_names_what_it_removes(tmp_path, secret):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--secret-file", secret, "--out", str(out)))
    filled = {sid: fill(out / "students" / sid / "answers.toml") for sid in ("s1", "s3")}
    blank_s2 = (out / "students/s2/answers.toml").read_bytes()
    lines = ok(run(*BASE, "--students", roster(tmp_path, "r2.csv", SECOND), "--out", str(out), "--force"))
    assert lines[1:] == [
        "Removed the files of 1 student no longer on the roster: s3 (Park Hana).",
        "Kept 2 filled answers files aside (renamed, never overwritten): students/s1/answers.filled-1.toml, "
        "students/s3/answers.filled-1.toml.",
        "Note: the earlier set was graded sheets (--secret-file); this one is open sheets, so answers files handed "
        "in from the earlier sheets no longer match its manifest.",
    ]
    assert (out / "students/s1/answers.filled-1.toml").read_bytes() == filled["s1"]
    assert (out / "students/s3/answers.filled-1.toml").read_bytes() == filled["s3"]
    assert sorted(p.name for p in (out / "students/s3").iterdir()) == ["answers.filled-1.toml"]
    assert not (out / "students/s2/answers.filled-1.toml").exists()  # a blank template is not kept
    assert (out / "students/s2/answers.toml").read_bytes() != blank_s2
    # the kept files are not the manifest's: a later --force never removes them, nor overwrites one
    again = fill(out / "students/s1/answers.toml", "0.25")
    lines = ok(run(*BASE, "--students", str(tmp_path / "r2.csv"), "--secret-file", secret, "--out", str(out),
                   "--force"))
    assert lines[1:] == [
        "Kept 1 filled answers file aside (renamed, never overwritten): students/s1/answers.filled-2.toml.",
        "Note: the earlier set was open sheets; this one is graded sheets (--secret-file), so answers files handed "
        "in from the earlier sheets no longer match its manifest.",
    ]
    assert (out / "students/s1/answers.filled-1.toml").read_bytes() == filled["s1"]
    assert (out / "students/s1/answers.filled-2.toml").read_bytes() == again
    assert (out / "students/s3/answers.filled-1.toml").read_bytes() == filled["s3"]


def test_force_with_the_same_options_over_an_unfilled_set_says_nothing_more(tmp_path):
    out = tmp_path / "o"
    r1 = roster(tmp_path, "r1.csv", FIRST)
    ok(run(*BASE, "--students", r1, "--out", str(out)))
    before = tree(out)
    lines = ok(run(*BASE, "--students", r1, "--out", str(out), "--force"))
    assert len(lines) == 1 and lines[0].startswith("Wrote worksheets")
    assert tree(out) == before
    # an answers file filled with its template's bytes back is nothing to keep
    (out / "students/s1/answers.toml").write_bytes(before["students/s1/answers.toml"] + b"# a comment\n")
    lines = ok(run(*BASE, "--students", r1, "--out", str(out), "--force"))
    assert len(lines) == 1 and tree(out) == before


def test_force_over_an_updated_set_names_its_removed_students(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", SECOND), "--out", str(out)))
    lines = ok(run(*BASE, "--students", str(tmp_path / "r2.csv"), "--out", str(out), "--force"))
    assert lines[1:] == ["Removed the files of 1 student no longer on the roster: s3 (Park Hana)."]
    assert not (out / "students/s3").exists()


def test_generate_help_describes_update_and_what_force_keeps():
    text = " ".join(run("generate", "--help").stdout.split())
    assert "--update Change the roster of the set in --out without losing anything" in text
    assert "A filled answers.toml is never lost: it is renamed answers.filled-<n>.toml beside it." in text
    assert "A student joined or left mid-term: --update --students NEW.csv --out SET." in text


def test_force_interrupted_then_finished_still_names_what_it_replaced(tmp_path, secret, monkeypatch):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--secret-file", secret, "--out", str(out)))
    filled = {sid: fill(out / "students" / sid / "answers.toml") for sid in ("s1", "s3")}
    r2 = roster(tmp_path, "r2.csv", SECOND)
    real = os.replace

    def replace(src, dst, *args, **kwargs):  # Ctrl-C inside the write of s4's key (after s1's answers went aside)
        if str(dst).endswith("keys/s4/key.md"):
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        result = run(*BASE, "--students", r2, "--out", str(out), "--force", "--jobs", "1")
    assert result.exit_code == 130
    assert not (out / "manifest.json").exists()
    lines = ok(run(*BASE, "--students", r2, "--out", str(out)))
    assert lines[0] == "Resumed: 1 sheet made, 2 kept from the interrupted run."
    assert lines[2:] == [
        "Removed the files of 1 student no longer on the roster: s3 (Park Hana).",
        "Kept 2 filled answers files aside (renamed, never overwritten): students/s1/answers.filled-1.toml, "
        "students/s3/answers.filled-1.toml.",
        "Note: the earlier set was graded sheets (--secret-file); this one is open sheets, so answers files handed "
        "in from the earlier sheets no longer match its manifest.",
    ]
    for sid in ("s1", "s3"):
        assert (out / f"students/{sid}/answers.filled-1.toml").read_bytes() == filled[sid]


def test_update_of_a_set_made_by_another_kit_version_says_so(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    path = out / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"kit_version": "', '"kit_version": "0.0.1-old'),
                    encoding="utf-8")
    result = run("generate", "--update", "--students", roster(tmp_path, "r2.csv", FIRST + [("s9", "")]),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["Note: the set was made with chainrule 0.0.1-old" +
                                          json.loads(path.read_text())["kit_version"] +
                                          "; the sheets written now are this kit's."]
    assert result.stdout.splitlines()[0] == "Added 1 student: s9."


def test_generate_again_into_a_finished_set_points_to_update(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    before = tree(out)
    result = run(*BASE, "--students", roster(tmp_path, "r2.csv", SECOND), "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: Output folder '{out}' holds a finished set (manifest.json); use --update to change its roster "
        "(nothing is lost), --force to start over, or choose another --out."]
    assert tree(out) == before


@pytest.mark.parametrize("kind", [["--practice"], []])
def test_update_of_a_set_made_with_a_secret_gives_new_students_a_whole_generates_files(tmp_path, secret, kind):
    out, fresh = tmp_path / "o", tmp_path / "fresh"
    ok(run(*BASE, *kind, "--students", roster(tmp_path, "r1.csv", FIRST[:1]), "--secret-file", secret,
           "--out", str(out)))
    ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", FIRST), "--secret-file", secret,
           "--out", str(out)))
    ok(run(*BASE, *kind, "--students", str(tmp_path / "r2.csv"), "--secret-file", secret, "--out", str(fresh)))
    assert tree(out) == tree(fresh)


def test_update_names_a_name_added_or_cleared(tmp_path):
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", [("s1", ""), ("s2", "Lee Jun")]), "--out", str(out)))
    lines = ok(run("generate", "--update", "--students", roster(tmp_path, "r2.csv", [("s1", "Kim"), ("s2", "")]),
                   "--out", str(out)))
    assert lines[0] == ("Renamed 2 students: s1 (Kim, was no name), s2 (no name, was Lee Jun); new sheets and keys, "
                        "their answers.toml left as it was (it keeps the name it had).")


def test_an_interrupted_update_is_never_dropped_by_an_update_back_to_the_sets_roster(tmp_path, monkeypatch):
    """Trial 18a: an update interrupted before its manifest, then ``--update`` with the set's own
    roster, said "Nothing to update ... no file was written" and deleted the journal, leaving the
    new students' folders and a renamed student's new sheets beside the old manifest."""
    changed = [FIRST[0], ("s2", "Lee Junho")] + [(f"n{i}", f"New {i}") for i in range(1, 4)]
    # Ctrl-C inside the write of n2's key
    whole, out, r1, r2, interrupted, _manifest = updated_and_interrupted(tmp_path, monkeypatch, changed,
                                                                         "keys/n2/key.md", "1")
    assert interrupted.exit_code == 130
    result = run("generate", "--update", "--students", r1, "--out", str(out))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (f"Error: Output folder '{out}' holds an interrupted --update with "
                                              "other options (5 students there, 3 here); run that command again to "
                                              "finish it first."), result.stderr
    assert (out / JOURNAL).exists()
    ok(run("generate", "--update", "--students", r2, "--out", str(out)))
    assert tree(out) == tree(whole)


@pytest.mark.parametrize("how", [["--count", "3"], ["--students", "other.csv"]])
def test_update_to_a_roster_that_keeps_none_of_the_class_is_refused(tmp_path, how):
    """Trial 18a: ``--update --count 3`` on a class made from a roster marked all of it removed,
    for good, and added student-001 to student-003."""
    out = tmp_path / "o"
    ok(run(*BASE, "--students", roster(tmp_path, "r1.csv", FIRST), "--out", str(out)))
    before = tree(out)
    if how[0] == "--students":
        how = ["--students", roster(tmp_path, "other.csv", [("x1", "Someone"), ("x2", "Else")])]
    result = run("generate", "--update", *how, "--out", str(out))
    assert result.exit_code == 2, result.output
    said = result.stderr.splitlines()[-1]
    assert said.startswith(f"Error: The new roster keeps none of the 3 students of '{out / 'manifest.json'}' "
                           "(s1, s2, s3); "), said
    if how[0] == "--count":
        assert "--count 3 numbers the students student-001 to student-003: give the class's roster with --students " \
               "FILE" in said
    assert "Traceback" not in result.output and tree(out) == before
