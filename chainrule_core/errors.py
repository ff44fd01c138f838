"""The kit's exceptions.

Library code (grader, generator, ...) raises these; only the CLI layer turns them into
messages and exit codes: a ``ChainruleUsageError`` is a bad invocation (exit 2), any other
``ChainruleError`` a failed operation (exit 1). Messages are one sentence that quotes the
offending value and says what is valid.
"""


class ChainruleError(Exception):
    """An operation failed (exit code 1)."""

    exit_code = 1


class ChainruleUsageError(ChainruleError):
    """The invocation was bad: an unknown name, a value out of range (exit code 2)."""

    exit_code = 2
