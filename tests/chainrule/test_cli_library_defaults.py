"""generate, check, grade, grade-all and release take their choices and defaults from the library: one home each."""

from chainrule.commands import check as check_cmd
from chainrule.commands import generate as generate_cmd
from checker import judge, report
from generator import core, i18n, options, worksheets


def _param(command, name):
    return next(p for p in command.params if p.name == name)


def test_generate_options_come_from_the_generator():
    command = generate_cmd.generate_command
    assert _param(command, "seed").default == options.DEFAULT_SEED == core.DEFAULT_SEED == worksheets.DEFAULT_SEED
    assert list(_param(command, "lang").type.choices) == list(i18n.LANGUAGES)
    assert _param(command, "lang").default == options.DEFAULT_LANG
    assert _param(command, "formats").default == ",".join(options.DEFAULT_FORMATS)
    assert _param(command, "out").default == options.DEFAULT_OUT
    assert worksheets.FORMATS is options.FORMATS


def test_check_options_come_from_the_checker():
    command = check_cmd.check_command
    assert list(_param(command, "fmt").type.choices) == list(report.FORMATS)
    assert _param(command, "fmt").default == report.DEFAULT_FORMAT
    assert list(_param(command, "carry").type.choices) == list(judge.CARRY_FORWARD)
    assert _param(command, "carry").default == "full"


def test_grade_and_grade_all_defaults_come_from_grader_limits():
    from chainrule.commands import grade as grade_cmd
    from chainrule.commands import grade_all as grade_all_cmd
    from grader import limits

    for command in (grade_cmd.grade_command, grade_all_cmd.grade_all_command):
        assert f"(default {limits.DEFAULT_TIMEOUT:g})" in _param(command, "timeout").help
        assert f"(default {limits.DEFAULT_MEMORY_MB})" in _param(command, "memory_mb").help
        assert _param(command, "timeout").default is None     # the library applies its default
        assert _param(command, "memory_mb").default is None


def test_release_options_come_from_chainrule_release():
    import inspect

    from chainrule import release
    from chainrule.commands import release as release_cmd

    command = release_cmd.release_command
    build = inspect.signature(release.build).parameters
    assert _param(command, "hidden_seeds").default == release.DEFAULT_HIDDEN_SEEDS == build["hidden"].default
    assert _param(command, "hidden_visibility").default == release.DEFAULT_VISIBILITY
    assert build["hidden_visibility"].default == release.DEFAULT_VISIBILITY
    assert list(_param(command, "hidden_visibility").type.choices) == list(release.VISIBILITIES)
