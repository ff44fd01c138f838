"""Where a submission's modules are found (grader.locate): the rule grade-all and the
Gradescope autograder share."""

import os

import pytest

from grader.locate import NotGradable, find_modules


def touch(path, text="def sigmoid(x):\n    raise NotImplementedError\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("layout, expected", [
    (["exercises/activations.py"], "exercises"),
    (["activations.py", "README.md"], "."),
    (["alice-main/exercises/losses.py", "alice-main/README.md"], "alice-main/exercises"),
    (["alice-main/losses.py"], "alice-main"),
    # a folder that holds no module is no rival; archivers' and tools' folders are skipped
    (["repo/exercises/activations.py", "docs/notes.md", "__MACOSX/repo/activations.py",
      ".venv/lib/activations.py"], "repo/exercises"),
    # the top wins over a folder inside
    (["activations.py", "old/activations.py"], "."),
])
def test_finds_the_modules(tmp_path, layout, expected):
    for rel in layout:
        touch(tmp_path / rel)
    found = find_modules(str(tmp_path))
    assert os.path.relpath(found, tmp_path) == os.path.normpath(expected)


def test_nothing_to_grade_names_what_it_looked_for(tmp_path):
    touch(tmp_path / "notes" / "answers.md")
    with pytest.raises(NotGradable) as caught:
        find_modules(str(tmp_path))
    assert caught.value.kind == "none"
    assert str(caught.value) == ("No exercise module (activations.py, losses.py, layers.py, ...) in the "
                                 "submission, its exercises/ folder or a folder directly inside it.")
    assert caught.value.note.startswith("no exercise module (activations.py")


def test_two_copies_are_refused_not_guessed(tmp_path):
    touch(tmp_path / "try1" / "activations.py")
    touch(tmp_path / "try2" / "exercises" / "activations.py")
    with pytest.raises(NotGradable) as caught:
        find_modules(str(tmp_path))
    assert caught.value.kind == "several"
    assert "'try1', 'try2/exercises'" in str(caught.value)


def test_a_folder_linked_out_is_refused(tmp_path):
    outside = tmp_path / "outside"
    touch(outside / "activations.py")
    sub = tmp_path / "sub"
    sub.mkdir()
    os.symlink(outside, sub / "exercises")
    with pytest.raises(NotGradable) as caught:
        find_modules(str(sub))
    assert caught.value.kind == "link"
    assert str(caught.value) == (f"'exercises' is a link to '{outside}', outside the submission folder; submit "
                                 "the folder itself (links that leave the submission are never followed).")


def test_a_module_linked_out_is_left_to_the_copy(tmp_path):
    """The place is found; grader.submission_copy refuses the link with its own message."""
    (tmp_path / "outside").mkdir()
    touch(tmp_path / "outside" / "activations.py")
    sub = tmp_path / "sub"
    sub.mkdir()
    os.symlink(tmp_path / "outside" / "activations.py", sub / "activations.py")
    assert find_modules(str(sub)) == str(sub)


def test_a_link_inside_the_submission_is_fine(tmp_path):
    touch(tmp_path / "src" / "activations.py")
    os.symlink(tmp_path / "src", tmp_path / "exercises")
    assert find_modules(str(tmp_path)) == str(tmp_path / "exercises")


def test_only_the_given_modules_count(tmp_path):
    touch(tmp_path / "extra" / "losses.py")
    touch(tmp_path / "mine" / "activations.py")
    assert find_modules(str(tmp_path), ["activations"]) == str(tmp_path / "mine")


def test_hidden_folders_are_never_candidates(tmp_path):
    touch(tmp_path / ".venv" / "lib" / "activations.py")
    touch(tmp_path / "repo" / "activations.py")
    assert find_modules(str(tmp_path)) == str(tmp_path / "repo")


@pytest.mark.parametrize("top", ["activations.ipynb", "activations.py"])
def test_work_in_both_the_folder_and_its_exercises_is_refused(tmp_path, top):
    """``chainrule grade REPO`` took the folder itself, grade-all and the autograder took
    exercises/: a student saw one score and got another. Now all three refuse the same way."""
    touch(tmp_path / "exercises" / "activations.py")
    touch(tmp_path / "exercises" / "losses.py")
    touch(tmp_path / top, "{}" if top.endswith(".ipynb") else "def sigmoid(x):\n    return x\n")
    with pytest.raises(NotGradable) as caught:
        find_modules(str(tmp_path))
    assert caught.value.kind == "several"
    assert str(caught.value) == (f"Both the folder itself ({top}) and its exercises/ folder (activations.py, "
                                 "losses.py) hold exercise modules; keep the work in one of them (grading "
                                 "either would be a guess).")


def test_an_id_is_the_same_however_its_accents_are_written(tmp_path):
    """A new user's trial (session 8): "Zoë" twice (macOS unzips it with a separate accent)
    gave two rows that look alike; now ids are composed (NFC) and the two are one id's two
    entries, refused by name."""
    import unicodedata

    from grader.batch import discover

    decomposed, composed = "Zoe\u0308", "Zo\u00eb"
    touch(tmp_path / decomposed / "activations.py")
    (entry,), _ = discover(str(tmp_path))
    assert entry.id == composed and entry.kind == "folder"
    touch(tmp_path / composed / "activations.py")
    (entry,), _ = discover(str(tmp_path))
    assert entry.id == composed and entry.kind == "bad"
    assert entry.note == (f"both '{min(decomposed, composed)}' and '{max(decomposed, composed)}' are named for "
                          "this id; keep one")
    assert unicodedata.is_normalized("NFC", entry.id)
