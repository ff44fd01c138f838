"""Every limit and default of the grader, defined once.

The child process (``grader/_child.py``) cannot import the grader: the limits it enforces
itself (``FSIZE_LIMIT``, ``MAX_DATA``, the memory limit) reach it in its configuration.
"""

import math
import numbers

MB = 1024 * 1024

# defaults of ``grade_submission`` and ``chainrule grade``
DEFAULT_SEED = 2026            # the seed when none is given, no recording says and no live reference derives one (grader.seeds)
DEFAULT_TIMEOUT = 5.0          # seconds per function (per call batch, per import)
MAX_TIMEOUT = 3600.0           # the largest --timeout: an hour per function is far beyond what any contract
                               # function needs (each takes milliseconds; a whole class grades in minutes) and
                               # still stops a submission that hangs (``inf`` or 1e300 never would)
DEFAULT_MEMORY_MB = 1024       # address space the child may use beyond what NumPy needs
MAX_NOTEBOOK_BYTES = 16 * MB   # a submitted notebook (.ipynb), read as JSON by the parent
MAX_CLEAN_BYTES = MB // 4      # a notebook cell longer than this is not parsed by the parent (a 2 MB cell took 1 GB)
MAX_ANALYSED_BYTES = MB        # a submission's code cells the parent parses and analyses (IPython syntax, plotting),
                               # all its notebooks together; the cells after run as written. Unconfined, that analysis
                               # costs up to about 5 s a MB of hostile cells (review 16: 16 MB of small plotting cells
                               # took 63 s), and grade-all pays it per student; 1 MB bounds it at a few seconds, and is
                               # far more than a course needs (the built notebooks hold 37 KB of code, about 5 KB each)

# the child process
OUTPUT_CAP = 4000              # characters of student output kept per function (the rest is dropped)
FSIZE_LIMIT = 8 * MB           # bytes the child may write to any file (its output is a pipe, capped by OUTPUT_CAP)
MAX_DATA = 256 * MB            # bytes of array data one reply may carry (the child's own cap)
MAX_FRAME = MAX_DATA + MB      # a reply frame: that plus room for the JSON header
RUN_DISK_LIMIT = 64 * MB       # bytes of disk all files a submission writes may take at once (its run folder)
RUN_MAX_ENTRIES = 10000        # files and folders it may make there
DISK_CHECK_EVERY = 0.1         # seconds between two measures of the run folder while the parent waits
STARTUP_TIMEOUT = 30.0         # seconds for the child to import NumPy and say it is ready
NPROC_LIMIT = 32               # processes (and threads) the sandbox uid may have at once
NOFILE_LIMIT = 256             # files one process of the submission may hold open (written and unlinked, they still count)
IO_CHUNK = 1 << 20             # bytes per read or write on the pipes


#: what a valid ``timeout`` is, in the words of every refusal (``valid_timeout``)
TIMEOUT_RULE = (f"give a finite number of seconds above 0 and at most {MAX_TIMEOUT:g} "
                f"(default {DEFAULT_TIMEOUT:g})")


def valid_timeout(timeout):
    """Whether ``timeout`` is a time limit the grader can keep: a real number (not a bool),
    finite, above 0 and at most ``MAX_TIMEOUT``. NaN, infinity and 1e300 are not: the child
    would never be stopped, and JSON has no Infinity or NaN to write them in."""
    if not isinstance(timeout, numbers.Real) or isinstance(timeout, bool):
        return False
    if isinstance(timeout, numbers.Integral):       # 10**400 is no float: compared as it is
        return 0 < timeout <= MAX_TIMEOUT
    return math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT


def timeout_refused(timeout):
    """The sentence refusing a ``timeout`` that is not ``valid_timeout`` (the library's words;
    the command's ``--timeout`` says the same after click's "Invalid value for '--timeout'")."""
    if isinstance(timeout, numbers.Integral) and not isinstance(timeout, bool):
        shown = str(int(timeout))
    elif isinstance(timeout, numbers.Real) and not isinstance(timeout, bool):
        shown = format(float(timeout), "g")
    else:
        shown = repr(timeout)
    return f"Timeout {shown} is not valid; {TIMEOUT_RULE}."


def mb(nbytes):
    """``nbytes`` as a whole number of MB, for messages."""
    return nbytes // MB


# a submission, checked before it is copied or imported (``grader.privileges.check_submission``)
SUBMISSION_MAX_FILES = 2000                 # files and folders
SUBMISSION_MAX_DEPTH = 8                    # folders below the submission folder
SUBMISSION_MAX_BYTES = 64 * MB              # all files together
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll",  # the contract is .py files: extension
                     ".pyc", ".pyo")                    # modules and bytecode (outside __pycache__) are refused
