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


class BadSubmission(ChainruleUsageError):
    """The submission given exists but is not what it should be: a folder with no contract
    module, a zip or a notebook that cannot be graded, a link out of it. For ``grade`` a bad
    invocation (exit 2, as a missing one); where a class or a CI run grades it (grade-all,
    classroom, the autograder) it is that submission's 0 points, with this sentence."""
