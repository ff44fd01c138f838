"""Every limit and default of the grader, defined once.

The child process (``grader/_child.py``) cannot import the grader: the limits it enforces
itself (``FSIZE_LIMIT``, ``MAX_DATA``, the memory limit) reach it in its configuration.
"""

MB = 1024 * 1024

# defaults of ``grade_submission`` and ``chainrule grade``
DEFAULT_SEED = 2026            # the seed of the cases when none is given and no recording says
DEFAULT_TIMEOUT = 5.0          # seconds per function (per call batch, per import)
DEFAULT_MEMORY_MB = 1024       # address space the child may use beyond what NumPy needs
MAX_NOTEBOOK_BYTES = 16 * MB   # a submitted notebook (.ipynb), read as JSON by the parent

# the child process
OUTPUT_CAP = 4000              # characters of student output kept per function
FSIZE_LIMIT = 8 * MB           # bytes the child may write to any file (its output included)
MAX_DATA = 256 * MB            # bytes of array data one reply may carry (the child's own cap)
MAX_FRAME = MAX_DATA + MB      # a reply frame: that plus room for the JSON header
STARTUP_TIMEOUT = 30.0         # seconds for the child to import NumPy and say it is ready
NPROC_LIMIT = 32               # processes (and threads) the sandbox uid may have at once
IO_CHUNK = 1 << 20             # bytes per read or write on the pipes
SUBMISSION_MAX_FILES = 2000    # files a submission may hold (grader.submission_copy)
SUBMISSION_MAX_BYTES = 64 * MB  # bytes a submission may hold


def mb(nbytes):
    """``nbytes`` as a whole number of MB, for messages."""
    return nbytes // MB
