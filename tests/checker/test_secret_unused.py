"""``chainrule check --secret-file`` on a sheet made without a course secret said nothing
(trial 13): the secret had no effect and the instructor could not tell. Now one warning on
stderr names the files; the check itself is unchanged (exit 0, the same report), since
their verdicts need no secret and a class may hand in sheets of both kinds."""

from tests.checker.test_check_modes import answers, made, run  # noqa: F401  (the module fixture)


def test_an_open_sheet_checked_with_a_secret_says_the_secret_was_not_used(made, tmp_path, secret_file):
    path = answers(made, "open", tmp_path)
    plain = run("check", path)
    result = run("check", path, "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Warning: '{path}' is an open sheet made without a course secret, so "
                             "--secret-file was not used; only sheets made with the secret need it.\n")
    assert result.stdout == plain.stdout        # the same verdicts


def test_a_graded_sheet_checked_with_its_secret_gets_no_warning(made, tmp_path, secret_file):
    path = answers(made, "graded", tmp_path)
    result = run("check", path, "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr


def test_a_class_of_both_kinds_names_the_sheets_without_a_secret(made, tmp_path, secret_file):
    graded = answers(made, "graded", tmp_path, name="graded.toml")
    open_ = answers(made, "open", tmp_path, student="student-002", name="open.toml")
    result = run("check", graded, open_, "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Warning: 1 of the 2 answers files checked was made without a course secret "
                             f"({open_}), so --secret-file was not used for it; only sheets made with "
                             "the secret need it.\n")
