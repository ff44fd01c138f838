"""chainrule's code grader: grades a submission folder against the exercise contract.

Public API (numpy + click only; this package never imports sympy or jinja2)::

    from grader import grade_submission
    result = grade_submission("exercises", only=None, seed=None, case=None,
                              timeout=None, oracle=None)

``grade_submission(path, only=None, seed=None, case=None, timeout=None, oracle=None,
memory_mb=None, progress=None, secret=None, require_isolation=False) -> GradeResult``

- ``path``: a folder laid out like ``exercises/`` (one module per contract module). It is
  imported as a package in a separate child process, so its modules may import each
  other (``from .activations import sigmoid`` or ``from exercises import activations``).
  Or a notebook (``.ipynb``), or a folder of ``<module>.ipynb`` notebooks: their code
  cells run in order in the same child (see ``grader.notebooks``).
- ``only``: ``None`` for every contract function, or an iterable of ``module.function``
  and/or ``module`` names. An unknown name raises ``ChainruleUsageError`` with a
  "Did you mean" suggestion.
- ``seed``: the seed of every case's inputs; printed in every report so that a run can be
  reproduced exactly. ``None``: a recording's first seed, else with the live reference
  ``submission_seed(path, secret)`` (the submission's own content decides its cases),
  else ``DEFAULT_SEED``.
- ``case``: run only case ``K`` (its 1-based number, or its name) of the one selected
  function (``only`` must name exactly one function, else ``ChainruleUsageError``); with
  ``seed`` this reproduces one failing case.
- ``timeout``: seconds of child time per function (default ``DEFAULT_TIMEOUT``; a finite number
  above 0 and at most ``grader.limits.MAX_TIMEOUT``, else a ChainruleUsageError).
- ``oracle``: where expected values come from: an ``Oracle`` (``LiveOracle`` calls the
  ``solutions`` package in this process; ``RecordedOracle`` reads a file written by
  ``grader.record``), a path to such a recorded file, or ``None`` (live solutions when
  importable, else the recording shipped in ``grader/data/``).
- ``memory_mb``: address-space limit of the child beyond what it uses after importing
  NumPy (default ``DEFAULT_MEMORY_MB``).
- ``progress``: optional callable ``progress(done, total, qualname)`` called after each
  function is graded.
- ``secret``: the course secret (str or bytes) mixed into ``submission_seed``, so that a
  student without it cannot compute the seed in advance; ``None`` for none.
- ``require_isolation``: refuse to grade (``ChainruleError``) when the student code could
  read the reference (``grader.privileges.reference_exposure``).

``GradeResult`` (see ``grader.results``):

- ``.functions``: ordered dict ``"optimizers.adam_step" -> FunctionResult`` in contract
  order, each with ``.passed`` (bool), ``.score`` and ``.max_score`` (points from
  ``chainrule_core.contract.POINTS``, partial credit in proportion to the cases passed;
  ``.score`` is None for the function of a ``case=K`` run),
  ``.cases`` (``CaseResult``: ``.number``, ``.name``, ``.passed``, ``.status``,
  ``.message``, ``.rtol``, ``.atol``, ``.rerun``, ``.diagnoses``), ``.diagnoses``
  (``Diagnosis(name, hint, case, kind)``: a known mistake matched, a finding or a generic
  diagnosis; on each case the one matching the most failing cases, several only when
  indistinguishable; kind ``dependency`` when the failure is traced to a contract function
  it calls that failed too, see ``grader.calls``), ``.depends_on`` (the names of those
  failing callees), ``.output`` (the function's
  captured stdout/stderr, capped), ``.import_output`` (what its module printed while it was
  imported, on the first function graded of the module; ``.import_where`` names the file)
  and, when its module could not be imported,
  ``.import_error`` (the full error, the same for the module), ``.import_short`` (one
  line), ``.import_where`` (the file, e.g. ``activations.py``) and ``.import_cause`` (the
  other submission file the error is in, if any). A failed import is not retried. A module
  whose file the submission does not have is not imported at all: ``.missing_file`` names
  the file (``layers.py``), ``.import_error`` says "layers.py is not in your submission" and
  its cases have status ``missing`` (0 points, no rerun command).
- ``.one_case``: with ``case=K``, the function of which only that case ran (its
  ``.cases_in_all`` says how many it has): such a result is no grade, and no report gives
  it a PASS, points or a total (JSON: null; the Gradescope and Classroom writers refuse it).
  So its ``.score``, ``.max_score``, ``.percent`` and ``.points`` are None, and so is that function's
  ``.score`` (its ``.passed`` and the result's say whether the cases run passed, what the
  text report says as "case 2 of 5 passes"): check ``.one_case`` before taking a number.
- ``.score``, ``.max_score``, ``.percent`` (None for a ``case=K`` run, above), ``.seed``,
  ``.seed_given``, ``.oracle``, ``.submission``, ``.confinement``, ``.interrupted`` (the signal that ended grading early),
  ``.not_graded`` (a sentence naming the modules at the top of a repository whose ``exercises/``
  was graded, ``grader.locate.top_not_graded``; "" otherwise),
  ``.command`` (``chainrule grade`` with the submission and the non-default options of
  this run; every printed command starts with it) and ``.command_for(*names)``.

When the grader runs as root, the child drops to a dedicated unprivileged uid before
importing student code, and every process of that uid is killed when the child's life
ends (see ``grader.sandbox`` and ``grader.privileges``). Where the kernel has Landlock
the child also confines itself (it reads only Python, NumPy and its submission, writes
only its run folder); ``.confinement`` names the layers in force, and
``grader.privileges.reference_exposure()`` says whether the reference could be read
(``require_isolation=True`` refuses to grade then). With the live reference and no
``seed``, the cases follow from ``submission_seed(path, secret)`` (docs/SECURITY.md).

Reports: ``grader.reports.render(result, fmt, color=False, verbose=False)`` with ``fmt``
one of ``text``, ``json``, ``gradescope``, ``junit``, ``markdown`` (``verbose``: every
failing case in full, not the first one and a line for each other). Recording expected values for a student release
(which ships no solutions): ``grader.record(path, seeds=(DEFAULT_SEED,))``.

Where things live: what the grader knows of each function (cases, known mistakes) in
``grader/specs/<module>.py``; limits and defaults in ``grader.limits``; the child process
in ``grader.sandbox`` (wire format ``grader.wire``, root-only code ``grader.privileges``).
See docs/ARCHITECTURE.md.
"""

import os

from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_SEED, DEFAULT_TIMEOUT

_RESULTS = ("CaseResult", "Diagnosis", "FunctionResult", "GradeResult")


def __getattr__(name):
    """The result classes (``grader.results``), loaded on first use: ``chainrule grade``
    imports ``grader.zygote`` first thing and must not wait for dataclasses there."""
    if name in _RESULTS:
        from grader import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "grade_submission", "record", "GradeResult", "FunctionResult", "CaseResult",
    "Diagnosis", "submission_seed", "DEFAULT_SEED", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB",
]


def grade_submission(path, only=None, seed=None, case=None, timeout=None, oracle=None,
                     memory_mb=None, progress=None, secret=None, require_isolation=False) -> "GradeResult":
    """Grade the submission folder ``path``; see the module docstring."""
    from grader.notebooks import grade_notebooks, is_notebook_submission, usage_error_if_missing

    usage_error_if_missing(path)
    if is_notebook_submission(path):    # a .ipynb, or a folder of them (grader.notebooks)
        result = grade_notebooks(path, only=only, seed=seed, case=case, timeout=timeout, oracle=oracle,
                                 memory_mb=memory_mb, progress=progress, secret=secret,
                                 require_isolation=require_isolation)
    else:
        from grader.engine import grade

        result = grade(path, only=only, seed=seed, case=case, timeout=timeout, oracle=oracle,
                       memory_mb=memory_mb, progress=progress, secret=secret,
                       require_isolation=require_isolation)
    from grader.locate import top_not_graded

    # a repository's exercises/ with modules at the repository's top too: every report says so
    result.not_graded = top_not_graded(path) if isinstance(path, (str, os.PathLike)) else ""
    return result


def submission_seed(path, secret=None):
    """The seed of the cases for the submission ``path`` (see ``grader.seeds``)."""
    from grader.seeds import submission_seed as _seed

    return _seed(path, secret)


def record(path, seeds=(DEFAULT_SEED,), only=None):
    """Write the expected values of every case for ``seeds`` to ``path`` (.npz).

    Uses the live ``solutions`` package; a student release ships the file instead of the
    solutions, and ``RecordedOracle`` reads it back.
    """
    from grader.oracle import record as _record

    return _record(path, seeds=seeds, only=only)
