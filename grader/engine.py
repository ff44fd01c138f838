"""Grading a submission: cases in the parent, calls in one child, one result model.

``grade`` makes every selected function's cases, asks the oracle for the expected
values, runs the cases through the sandboxed child, judges the returned values here,
looks for a matching known mistake when a case fails, and returns a ``GradeResult``.
A function that times out, crashes the child or cannot be imported fails on its own;
the child is replaced and grading goes on. ``FunctionGrading`` grades one function (its
import, its cases with their calls sent ahead where they do not depend on each other and
the steps of a steps case chained in the child, the diagnosis, the messages).
"""

from __future__ import annotations

import collections
import os
import re
import shlex
import signal
import threading
import time
import warnings

import numpy as np

from chainrule_core.contract import CONTRACT, SIGNATURES, qualified_names
from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError
from grader.specs import cases_for, for_function
from grader.compare import NAN_GUESS, modified_inputs, nan_cause
from grader import diagnose as generic
from grader.oracle import LiveOracle, RecordedOracle, resolve
from grader.release_settings import effective_points, functions as release_functions
from grader.results import CaseResult, Diagnosis, FunctionResult, GradeResult, replace_text
from grader.calls import PACKAGE
from grader.locate import absent_module
from grader.limits import (DEFAULT_MEMORY_MB, DEFAULT_SEED, DEFAULT_TIMEOUT, FSIZE_LIMIT, MAX_DATA, mb, timeout_refused,
                           valid_timeout)
from grader.privileges import changed_files, installed_solutions, kit_folders, kit_fingerprint, reference_exposure
from grader.seeds import submission_seed
from grader.sandbox import CallFailed, ChildDied, Sandbox
from grader.values import Returned, to_returned


PREFETCH_BYTES = 32 * 1024      # request bytes in flight at most (a pipe holds 64 KiB)


class _Modified(Exception):
    def __init__(self, sentences):
        super().__init__(sentences[0])
        self.sentences = sentences


def select_functions(only):
    """Contract-ordered qualnames for ``only`` (module.function or module names)."""
    if not only:
        return release_functions() or qualified_names()   # a release grades what it handed out
    if isinstance(only, str):
        only = [only]
    all_names = qualified_names()
    released = release_functions()     # None: no release, the whole contract
    wanted = set()
    for item in only:
        item = str(item).strip()
        if item in CONTRACT or item in all_names:
            names = [f"{item}.{n}" for n in CONTRACT[item]] if item in CONTRACT else [item]
            if released is not None and not set(names) & set(released):
                from grader.release_settings import described

                modules = [m for m in CONTRACT if any(q.split(".")[0] == m for q in released)]
                raise ChainruleUsageError(f"'{item}' is not in {described()} ({', '.join(modules)}).")
            wanted.update(names)
        else:
            from chainrule_core.suggest import closest, suggestion  # difflib: only on this error

            # a bare function name ("sigmoid") suggests its qualified name
            bare = {q.split(".", 1)[1]: q for q in all_names}
            match = closest(item, list(CONTRACT) + all_names)
            if match is None and item in bare:
                match = bare[item]
            if match is None:
                match = bare.get(closest(item, bare))
            raise ChainruleUsageError(f"Unknown function or module '{item}'.{suggestion(match)} "
                                      "(chainrule list shows all, as module.function)")
    return [q for q in all_names if q in wanted]


def _mistakes_for(qualname):
    try:
        return list(for_function(qualname))
    except Exception:  # noqa: BLE001 - a broken mistakes table must not stop grading
        return []


def _check_submission(path):
    # a path that is not a folder is a bad invocation (exit 2), like an unknown --only name
    if not os.path.exists(path):
        raise ChainruleUsageError(f"Submission folder '{path}' does not exist; pass a folder laid out "
                                  "like exercises/ (default ./exercises).")
    if not os.path.isdir(path):
        raise ChainruleUsageError(f"Submission '{path}' is not a folder, an exercise module or a notebook; pass a "
                                  "folder laid out like exercises/ (default ./exercises), one of its modules "
                                  "(exercises/activations.py) or a notebook (.ipynb).")
    present = [m for m in CONTRACT if os.path.isfile(os.path.join(path, f"{m}.py"))]
    if not present:
        raise BadSubmission(f"Submission folder '{path}' has none of the contract modules "
                             f"({', '.join(m + '.py' for m in CONTRACT)}); is it the exercises folder?")


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived while grading; ``name`` is the signal's. A BaseException,
    like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


def _on_signal(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def _ignore_signals():
    """After the first SIGINT or SIGTERM of a grade: later ones are ignored while the partial
    result is made (``grade`` puts the handlers back when it returns)."""
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(signum) is _on_signal:
                signal.signal(signum, signal.SIG_IGN)


def _reference_location(oracle):
    """The reference's folder (live) or file (recorded), or None."""
    try:
        if isinstance(oracle, LiveOracle):
            return os.path.realpath(oracle.folder())
        if isinstance(oracle, RecordedOracle):
            return os.path.realpath(oracle.path)
    except Exception:  # noqa: BLE001 - nothing found, nothing to protect
        return None
    return None


#: the sentence refusing ``--case`` without one function named by ``--only``
ONE_FUNCTION = "--case needs --only module.function, naming one function (e.g. --only activations.relu)."


def checked_timeout(timeout):
    """``timeout`` (None: ``DEFAULT_TIMEOUT``) as a float of seconds, or a ChainruleUsageError
    naming it when it is no limit the grader can keep (``grader.limits.valid_timeout``: NaN,
    infinity, 1e300, 0 and below)."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if not valid_timeout(timeout):
        raise ChainruleUsageError(timeout_refused(timeout))
    return float(timeout)


def grade(path, only=None, seed=None, case=None, timeout=None, oracle=None, memory_mb=None,
          progress=None, secret=None, require_isolation=False, seed_path=None):
    """``seed_path``: what the submission's own seed is drawn from when it is not ``path``
    (a notebook submission is graded from a converted folder: the seed follows the notebooks)."""
    path = os.fspath(path)
    names = select_functions(only)
    if case is not None and len(names) != 1:
        raise ChainruleUsageError(ONE_FUNCTION)
    timeout = checked_timeout(timeout)
    if memory_mb is None:
        memory_mb = DEFAULT_MEMORY_MB
    _check_submission(path)
    started = time.monotonic()
    given_oracle, oracle = oracle, resolve(oracle)
    reference = _reference_location(oracle)
    protected = kit_folders() + ([reference] if reference else [])
    sandbox = Sandbox(path, memory_mb=memory_mb, protected=protected)
    sandbox.kit_before = None       # see _grade: the grader's files before student code ran
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            # a signal this process was told to ignore stays ignored: a background job of a
            # script (the shell ignores SIGINT for it) or a grade-all worker, whose parent
            # decides when to stop, must not end a grade on a Ctrl-C meant for others
            if signal.getsignal(signum) is not signal.SIG_IGN:
                handlers[signum] = signal.signal(signum, _on_signal)
    try:
        # The child is asked for first: the warm process forks it once it has imported
        # NumPy (the request does not wait for that) and it confines itself, or a fresh
        # child imports NumPy. The cases and their expected values are made while this
        # process waits for the child (``Ahead``), or else when each is graded; they stay
        # in this process.
        _start(sandbox)
        planned = _plan(path if seed_path is None else os.fspath(seed_path), names, seed, case, oracle, secret)
        return _grade(sandbox, started, path, planned, timeout, oracle, given_oracle,
                      progress, require_isolation, reference)
    except Interrupted as exc:
        raise ChainruleError(f"Grading was interrupted ({exc.name}) before any function was graded; "
                             "nothing is left running.") from None
    finally:
        sandbox.idle = None
        for signum in handlers:     # a second signal must not cut the cleanup short
            signal.signal(signum, signal.SIG_IGN)
        try:
            sandbox.stop()
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        if sandbox.kit_before is not None:
            changed = changed_files(sandbox.kit_before, kit_fingerprint(protected))
            if changed:
                raise ChainruleError(
                    f"The grader's own files changed while {path} was graded ({', '.join(changed[:3])}"
                    f"{', ...' if len(changed) > 3 else ''}): the submission may have rewritten the grader. "
                    "Reinstall chainrule before grading again, and grade where Landlock or root confines "
                    "submissions.")


def _start(sandbox):
    try:
        sandbox.start(wait=False)
    except OSError as exc:
        raise ChainruleError(f"Cannot start the grader's child process: {exc}.") from None


def _plan(path, names, seed, case, oracle, secret):
    """``(seed, seed_given, Plan)``: the seed of the cases and every selected function's
    cases (only case ``case`` with ``--case``, made and checked here). Each case's expected
    values are computed in this process, when it is graded or while this process waits for
    the child (``Ahead``): the child never sees them."""
    seed_given = seed is not None
    if seed is None:
        recorded = oracle.seeds()
        if recorded:
            seed = recorded[0]      # a recording answers for its own seeds only
        elif isinstance(oracle, LiveOracle):
            seed = submission_seed(path, secret)    # values shown cannot be replayed
        else:
            seed = DEFAULT_SEED
    seed = int(seed)
    if seed < 0:
        raise ChainruleUsageError(f"Seed {seed} is not valid; give a non-negative integer.")

    plan = Plan(names, seed)
    if case is not None:
        for qualname in names:
            cases = plan.cases(qualname)
            chosen = [c for c in cases if str(c.number) == str(case) or c.name == str(case)]
            if not chosen:
                raise ChainruleUsageError(
                    f"Case '{case}' does not exist for {qualname}; its cases are 1 to {len(cases)}.")
            plan.made[qualname] = Chosen(chosen, len(cases))
    if isinstance(oracle, RecordedOracle):    # a recording of fewer functions: refused before grading
        oracle.require(names, seed, plan.cases)
    return seed, seed_given, plan


class Chosen(list):
    """The cases ``--case`` chose of a function's ``of`` cases: its result is no grade
    (``FunctionResult.cases_in_all``)."""

    def __init__(self, cases, of):
        super().__init__(cases)
        self.of = of


class Plan:
    """The selected functions in grading order, iterated as ``(qualname, cases)``; each
    function's cases are made when first asked for (by the grading loop, or ahead of it by
    ``Ahead``). A function's cases depend on the seed and its name only, never on when
    they are made."""

    def __init__(self, names, seed):
        self.names, self.seed = list(names), seed
        self.made = {}

    def cases(self, qualname):
        if qualname not in self.made:
            self.made[qualname] = cases_for(qualname, self.seed)
        return self.made[qualname]

    def __iter__(self):
        return ((qualname, self.cases(qualname)) for qualname in self.names)

    def __len__(self):
        return len(self.names)


class Ahead:
    """This process's own work done while it waits for the child (``Sandbox.idle``): the
    cases of the functions still to grade and their expected values, in grading order.

    ``step`` does one piece (one function's cases, or one case's expected values) and says
    whether more is left; ``expected`` hands a case's values over, computed now if they were
    not yet. Nothing is done for a function already graded or a case already taken, and an
    error is left to the grading loop, which meets it where it always did (a recording
    without the case, say). The values are the same whenever they are computed: a case's
    calls are materialised afresh for each use."""

    def __init__(self, plan, oracle, seed):
        self.plan, self.oracle, self.seed = plan, oracle, seed
        self.position = 0           # the index of the function being graded
        self._values = {}           # id(case) -> expected values computed ahead
        self._taken = set()         # id(case) of cases whose values were handed over
        self._pieces = self._work()

    def _work(self):
        for index, qualname in enumerate(self.plan.names):
            if index < self.position:
                continue
            try:
                cases = self.plan.cases(qualname)
            except Exception:  # noqa: BLE001 - raised again when the grading loop makes them
                return
            yield
            for case in cases:
                if index < self.position or id(case) in self._taken or id(case) in self._values:
                    continue
                try:
                    self._values[id(case)] = self.oracle.expected(case, self.seed)
                except Exception:  # noqa: BLE001 - raised again when the case is graded
                    pass
                yield

    def step(self):
        """One piece of the work; False when none is left."""
        return next(self._pieces, StopIteration) is not StopIteration

    def expected(self, case):
        self._taken.add(id(case))
        if id(case) in self._values:
            return self._values.pop(id(case))
        return self.oracle.expected(case, self.seed)


def _grade(sandbox, started, path, planned, timeout, oracle, given_oracle, progress,
           require_isolation, reference):
    seed, seed_given, plan = planned
    ahead = Ahead(plan, oracle, seed)
    sandbox.idle = ahead.step       # cases and expected values made while the child works
    sandbox.ready()     # confined before anything of the submission runs
    if sandbox.ids is None and not sandbox.landlocked():
        # the child runs as this very user, unconfined, and could rewrite the grader: its
        # files now (no student code has run yet), compared when grading ends
        sandbox.kit_before = kit_fingerprint(sandbox.protected)
    if require_isolation:
        # the reference graded against, and the solutions wherever they are importable: an
        # instructor's checkout grading a recording (--recorded) still holds solutions/, from
        # which a submission could compute every expected value (as grade-all checks them)
        places = [reference] if reference else []
        installed = installed_solutions()
        if installed and (not reference or os.path.realpath(installed) != os.path.realpath(reference)):
            places.append(installed)
        for place in places:
            exposure = reference_exposure(place, sandbox.ids, sandbox.confinement)
            if exposure:
                beside = (f" The solutions are installed beside the recording graded ({place}): grade where they "
                          "are not (the student release), or make them unreadable too." if place != reference
                          else "")
                raise ChainruleError(f"{exposure}{beside} Not grading (--require-isolation).")
    result = GradeResult(submission=path, seed=seed, oracle=oracle.name, timeout=float(timeout))
    result.confinement = sandbox.describe()
    recorded = given_oracle if isinstance(given_oracle, (str, os.PathLike)) else None
    from grader import release_settings

    command = run_command(path, timeout, sandbox.memory_mb, recorded, release_settings.given())
    result.command = command
    result.seed_given = seed_given
    try:
        for done, (qualname, cases) in enumerate(plan, 1):
            ahead.position = done - 1
            begun = time.monotonic()
            fr = FunctionGrading(sandbox, oracle, qualname, cases, seed, float(timeout), command, path,
                                 ahead.expected).run()
            fr.elapsed = time.monotonic() - begun
            result.functions[qualname] = fr
            if progress is not None:
                progress(done, len(plan), qualname)
    except Interrupted as exc:
        _ignore_signals()   # a second Ctrl-C must not lose the partial result made here
        result.interrupted = exc.name
        for qualname, cases in plan:
            if qualname in result.functions:
                continue
            fr = FunctionResult(qualname, effective_points()[qualname])
            if isinstance(cases, Chosen):   # --case: still no grade of the function
                fr.cases_in_all = cases.of
            for c in cases:
                fr.cases.append(CaseResult(c.number, c.name, False,
                                           f"not graded: the grading was interrupted ({exc.name})",
                                           c.rtol, c.atol, "skipped", _rerun(command, qualname, c.number, seed)))
            result.functions[qualname] = fr
    from grader.calls import printed_in, trace      # a failure traced to a failing function it calls
    trace(result, path)
    printed_in(result, path)            # whose lines the warnings a function printed point at
    result.elapsed = time.monotonic() - started
    return result


def run_command(path, timeout, memory_mb, recorded, release=None):
    """``chainrule grade`` with the submission and every non-default option of this run
    (``release``: the PATH of ``--release``, whose points the report shows).

    Every command a report prints starts with it, so that it reproduces the run (the
    same submission, time and memory limits and expected values).
    """
    words = ["chainrule grade"]
    if os.path.normpath(path) != "exercises":
        words.append(shlex.quote(path))
    if float(timeout) != DEFAULT_TIMEOUT:
        words.append(f"--timeout {float(timeout):g}")
    if memory_mb != DEFAULT_MEMORY_MB:
        words.append(f"--memory {memory_mb}")
    if recorded is not None:
        words.append(f"--recorded {shlex.quote(os.fspath(recorded))}")
    if release is not None:
        words.append(f"--release {shlex.quote(os.fspath(release))}")
    return " ".join(words)


def for_the_student(result, folder, timeout=DEFAULT_TIMEOUT, memory_mb=DEFAULT_MEMORY_MB, keep_seed=True,
                    public_seed=DEFAULT_SEED):
    """Make every command ``result`` prints one the student can run in their own repository
    (``chainrule grade-all`` and the Gradescope autograder grade a copy in a folder of theirs):
    ``chainrule grade`` (``chainrule grade .`` when ``folder``, where the modules were found,
    is not an ``exercises/`` folder), with this run's time and memory limits but none of the
    grader's paths or recordings.

    The student's copy (a release's student repository) has the expected values of the
    public seed ``public_seed`` only. Cases graded on it are rerun there (``keep_seed``: False
    leaves ``--seed`` out, the copy's default). Cases graded on another seed (the class's
    hidden one, a submission's own, a recording's) are not: the result is marked
    ``hidden_seed`` and only a case whose inputs are the public seed's too (a fixed edge
    case) keeps its rerun command, without ``--seed``; the reports say so and give the
    command that runs the same checks on the public seed."""
    mine = run_command("exercises" if os.path.basename(os.path.normpath(folder)) == "exercises" else ".",
                       timeout, memory_mb, None)
    replace_text(result, result.command, mine)
    hidden = int(result.seed) != int(public_seed)
    if hidden or not keep_seed:
        result.seed_given = False
        result.hidden_seed = hidden
        for fr in result.functions.values():
            same = _same_inputs(fr, result.seed, public_seed) if hidden else None
            for case in fr.cases:
                if same is None or case.number in same:
                    case.rerun = case.rerun.replace(f" --seed {result.seed}", "")
                else:
                    case.rerun = ""
    return result


def _same_inputs(fr, seed, public_seed):
    """The numbers of ``fr``'s failing cases whose inputs on ``seed`` are those of the same
    case on ``public_seed`` (a rerun on the public seed reproduces them)."""
    if all(c.passed or not c.rerun for c in fr.cases):
        return set()
    from grader.release_settings import _inputs_key

    try:
        public = {c.number: _inputs_key(c) for c in cases_for(fr.qualname, public_seed)}
        graded = {c.number: _inputs_key(c) for c in cases_for(fr.qualname, seed)}
    except Exception:  # noqa: BLE001 - no command is better than a wrong one
        return set()
    return {n for n, key in graded.items() if public.get(n) == key}


def _rerun(command, qualname, number, seed):
    return f"{command} --only {qualname} --case {number} --seed {seed}"


#: what ``input()`` raising EOFError is told: the child's stdin is empty (/dev/null)
INPUT_HINT = "input() cannot read anything while grading: stdin is empty; remove the input() call"


def _read_stdin(info):
    """Whether the error is ``input()`` finding no input: EOFError, "EOF when reading a line"."""
    return info.get("type") == "EOFError" and str(info.get("message", "")).strip() == "EOF when reading a line"


#: "No module named 'scipy.special'": a library the code imports
_NO_LIBRARY = re.compile(r"No module named '([A-Za-z_]\w*)[\w.]*'")


def unavailable_hint(info, folder=""):
    """For a ModuleNotFoundError naming a library that grading never has (the child reads
    the standard library and NumPy only, whatever the student's own Python holds): what
    grading runs with (as the notebook runner says of a cell, ``grader.notebooks``); "" for
    any other error, NumPy, the standard library, and the submission's own modules."""
    import sys

    if info.get("type") != "ModuleNotFoundError":
        return ""
    match = _NO_LIBRARY.match(str(info.get("message", "")).strip())
    if not match:
        return ""
    top = match.group(1)
    own = (PACKAGE, "exercises", "chainrule", "chainrule_core", "grader") + tuple(CONTRACT)
    if top == "numpy" or top in getattr(sys, "stdlib_module_names", ()) or top in own:
        return ""
    if folder and os.path.isdir(folder) and (os.path.exists(os.path.join(folder, top + ".py"))
                                             or os.path.isdir(os.path.join(folder, top))):
        return ""       # a module of the submission's own, imported as it cannot be
    from grader.notebooks import DISPLAY_LIBRARY, PLOTTING

    if top in PLOTTING or top == DISPLAY_LIBRARY:
        what = "plotting" if top in PLOTTING else "display code"
        return (f". Grading runs with NumPy and the standard library only: {top} is not available while "
                f"grading; keep {what} out of the functions graded (in a notebook, in cells of their own, "
                "which grading leaves out)")
    return (f". Grading runs with NumPy and the standard library only: {top} is not available while "
            "grading, so the exercises may use only those")


def _error_text(info, qualname, submission, timeout, memory_mb, calling=True, folder=""):
    kind = info.get("kind")
    module, name = qualname.split(".", 1) if qualname else ("", "")
    if kind == "not-implemented":
        return "not-implemented", "not implemented yet: the TODO is not filled in yet (it still raises NotImplementedError)"
    if kind == "missing":
        return "error", f"`{name}` is not defined in {os.path.basename(submission.rstrip(os.sep))}/{module}.py"
    if kind == "exit":
        return "error", (f"called sys.exit() ({info.get('message') or 'no code'}): a function must return its "
                         "result, not end the program")
    if kind == "memory":
        return "error", f"ran out of memory (MemoryError; the limit is {memory_mb} MB more than NumPy needs)"
    if kind == "unreadable":
        return "error", (f"returned a value the grader could not read ({info.get('type')}: "
                         f"{info.get('message', '')}); return NumPy arrays, floats or tuples of them")
    if kind == "output-cap":
        return "error", (f"printed more than {mb(FSIZE_LIMIT)} MB of output; remove or "
                         "shorten the prints")
    if kind == "too-big":
        return "error", f"returned more than {mb(MAX_DATA)} MB of data"
    if kind in ("timeout", "died"):
        return kind if kind == "timeout" else "crashed", info.get("message", "")
    text = f"raised {info.get('type') or 'an exception'}: {info.get('message', '')}".rstrip(": ")
    text += unavailable_hint(info, folder or submission)
    if _read_stdin(info):
        text += f" ({INPUT_HINT})"
    frame = info.get("frame")
    if frame:
        text += f"\n  at {frame['file']}, line {frame['line']}, in {frame['function']}"
        if frame.get("code"):
            text += f"\n    {frame['code']}"
            col = frame.get("col")
            if isinstance(col, int) and 0 <= col <= len(frame["code"]):
                text += "\n    " + " " * col + "^"      # where a SyntaxError was found
    elif kind == "exception" and calling:
        text += "\n  (raised before your code ran: check the function's arguments against the contract)"
    return "error", text


def _import_error_text(info, where, timeout, memory_mb, folder=None, hung=""):
    """``(status, full text, one line, cause)`` for a module whose import failed; ``cause``
    is the other submission file the error is in ("" when in ``where`` or unknown), or the
    file of the submission's package it imports that ``folder`` does not hold. ``hung``: a
    module of the submission that this one's source imports and whose own import timed out
    earlier (``_hung_import``), named as the likely cause of a timeout."""
    kind = info.get("kind")
    if kind == "timeout":
        short = f"importing {where} timed out after {timeout:g} s (--timeout {timeout:g})"
        if hung:
            short += f": it imports {hung}, whose import timed out too"
            return "timeout", (short + f"\n  Fix {hung} first: while its top-level code runs forever, every module "
                               f"importing it times out as well (if {where} still times out then, look at its own "
                               "top-level code). The process was killed and the import was not retried for the "
                               "module's other functions."), short, hung
        return "timeout", (short + "\n  Does code at the top level of the module run forever? The process "
                           "was killed and the import was not retried for the module's other functions."), short, ""
    if kind == "died":
        short = f"importing {where} failed: {info.get('message', '')}"
        return "crashed", short + "\n  The import was not retried for the module's other functions.", short, ""
    if kind == "exit":
        short = f"importing {where} failed: called sys.exit() ({info.get('message') or 'no code'})"
        return "error", short + " at the top level: importing a module must not end the program", short, ""
    if kind == "not-implemented":
        info = dict(info, kind="exception")     # NotImplementedError at the top level of the module
    status, text = _error_text(info, "", "", timeout, memory_mb, calling=False, folder=folder or "")
    full = f"importing {where} failed: {text}"
    frame = info.get("frame") or {}
    cause = os.path.basename(str(frame.get("file", "")))
    absent = _imports_absent(info, folder)
    if absent:
        # it imports a module of the submission's package that is not there (losses.py's
        # "from .activations import softmax" without activations.py): say which file to add
        short = f"importing {where} failed: it imports " + absent.replace(" is not", ", which is not", 1)
        return status, short + full[len(full.splitlines()[0]):], short, absent.split(" ", 1)[0]
    if cause and cause != where:
        # the error is in a module this one imports: say so in the one-line form
        return status, full, f"importing {where} failed: it imports {cause}, which {text.splitlines()[0]}", cause
    return status, full, full.splitlines()[0], ""


#: "No module named 'exercises.activations'": the package's own module is not there
_NO_MODULE = re.compile(r"No module named '([A-Za-z_][\w]*)\.([A-Za-z_]\w*)'")
#: an import statement at the top level (not indented: not one in a function or under ``if
#: TYPE_CHECKING:``, which cannot make the module's own import hang): ``from X import names``
#: or ``import names`` (names up to a comment)
_IMPORT_LINE = re.compile(r"^(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+([^#\n;]+)|import[ \t]+([^#\n;]+))", re.M)
#: what is read of a module to find its imports (a file of the submission, read by this process)
_IMPORT_SCAN_BYTES = 1 << 18


def _imported_names(source, folder):
    """The modules of the submission's package that ``source`` names in its import statements
    (``from .activations import x``, ``from exercises import activations``, ``import
    activations``...), by a plain scan of its lines: a hint for a message, never for grading."""
    package = {PACKAGE, os.path.basename(os.path.normpath(folder))}
    found = set()
    for base, names, plain in _IMPORT_LINE.findall(source):
        listed = [n.split(" as ")[0].strip(" \t()\\") for n in (names or plain).split(",")]
        if plain:
            found.update(n.rsplit(".", 1)[-1] for n in listed if n.count(".") == 0 or n.split(".")[0] in package)
            continue
        stem = base.lstrip(".")
        head, _, tail = stem.partition(".")
        if not stem or stem in package:     # from . import activations / from exercises import activations
            found.update(listed)
        elif head in package:               # from exercises.activations import x
            found.add(tail.split(".")[0])
        else:                               # from .activations import x / from activations import x
            found.add(head)
    return found


def _hung_import(folder, module, imported):
    """``activations.py`` when ``module``'s file imports ``activations`` and that module's own
    import timed out earlier (``Sandbox.imported``), else "". The file is read here, not run:
    at most ``_IMPORT_SCAN_BYTES`` of a regular file, never through a link."""
    hung = [name for name, error in imported.items() if name != module and error and error.get("kind") == "timeout"]
    if not hung or folder is None:
        return ""
    import stat

    try:
        fd = os.open(os.path.join(folder, f"{module}.py"),
                     os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        source = os.read(fd, _IMPORT_SCAN_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)
    if not set(hung) & _imported_names(source, folder):
        return ""
    names = _imported_names(_outside_strings(source), folder)    # a docstring's "import x" is none
    return next((f"{name}.py" for name in hung if name in names), "")


def _outside_strings(source):
    """``source`` with every line inside a string literal that spans lines blanked (the
    lines after the one that opens it, up to the one that closes it), found by the
    tokenizer, which reads and never runs (linear in the text; what it reads before an
    error counts)."""
    import io
    import tokenize

    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    inside = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in kinds and tok.end[0] > tok.start[0]:
                inside.update(range(tok.start[0] + 1, tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    if not inside:
        return source
    return "".join("\n" if number in inside else line
                   for number, line in enumerate(source.splitlines(keepends=True), 1))


def _imports_absent(info, folder):
    """For a ModuleNotFoundError naming a module of the submission's own package
    (``exercises.activations``, or the folder's name, which the child accepts too) that
    ``folder`` does not hold: "activations.py is not in your submission"; else ""."""
    if folder is None or info.get("type") != "ModuleNotFoundError":
        return ""
    match = _NO_MODULE.fullmatch(str(info.get("message", "")).strip())
    if not match or match.group(1) not in (PACKAGE, os.path.basename(os.path.normpath(folder))):
        return ""
    return absent_module(folder, match.group(2))


class FunctionGrading:
    """Grading one contract function: import its module, run its cases in the child, judge
    them against the oracle's expected values and diagnose known mistakes.

    State shared by the steps: the child time ``used`` so far (all cases of a function
    share one ``timeout``), the ``tickets`` of calls already sent ahead (prefetched), and
    the failing cases ``judged``, whose messages are written last (which known mistake to
    name on a case depends on the other cases).
    """

    def __init__(self, sandbox, oracle, qualname, cases, seed, timeout, command, submission, expected=None):
        self.sandbox, self.oracle = sandbox, oracle
        # a case's expected values (``Ahead.expected``: perhaps computed while waiting)
        self.expected = expected or (lambda case: oracle.expected(case, seed))
        self.qualname, self.cases, self.seed = qualname, cases, seed
        self.timeout, self.command, self.submission = timeout, command, submission
        self.module, self.name = qualname.split(".", 1)
        self.arg_names = SIGNATURES[qualname]
        self.result = FunctionResult(qualname, effective_points()[qualname])
        if isinstance(cases, Chosen):   # --case: some of its cases only, no grade of it
            self.result.cases_in_all = cases.of
        self.used = 0.0             # child seconds used by this function's calls
        self.first = True           # the first call resets the child's global state
        self.tickets = {}           # id(call) -> ticket of a call sent ahead
        self.case = None            # the case being run
        self.chain = collections.deque()    # tickets of its steps the child runs on its own
        self.chain_live = False     # whether the child said it goes on with them
        self.judged = []            # (CaseResult, case, text, matched mistakes) of each failing case

    def run(self):
        fr = self.result
        if self._import_failed():
            fr.output = self.sandbox.take_output()
            return fr
        for index, case in enumerate(self.cases):
            if not self._grade_case(index, case):
                break
        self._write_messages()
        if self.sandbox.pending():
            self.sandbox.drain(max(0.0, self.timeout - self.used))
        fr.output = self.sandbox.take_output()
        _name_nan_causes(fr)
        return fr

    # ---------------------------------------------------------------- steps
    def _rerun(self, case):
        return _rerun(self.command, self.qualname, case.number, self.seed)

    def _fail(self, status, text, start=0, stop=None):
        for c in self.cases[start:stop]:
            self.result.cases.append(CaseResult(c.number, c.name, False,
                                                _message(c, text, self.seed, self.command),
                                                c.rtol, c.atol, status, self._rerun(c)))

    def _import_failed(self):
        """Import the module in the child; on failure fail every case and say True."""
        fr = self.result
        absent = absent_module(self.submission, self.module)
        if absent:      # nothing to import: missing, not broken (and no rerun can help)
            fr.import_error = fr.import_short = absent
            fr.import_where = fr.missing_file = f"{self.module}.py"
            for c in self.cases:
                fr.cases.append(CaseResult(c.number, c.name, False, f"not graded: {absent}", c.rtol, c.atol,
                                           "missing", ""))
            return True
        spent = self.sandbox.spent()
        if spent:       # an earlier function went over the disk limit
            self._fail("error", spent)
            return True
        # whether the module's code runs now (not imported yet in a live child): what it prints
        # meanwhile is its import's, shown as such whether this function passes or not
        fresh = self.module not in self.sandbox.imported or not self.sandbox.alive()
        try:
            error = self.sandbox.import_module(self.module, self.timeout)
        except ChildDied as exc:
            self._fail("error" if exc.kind == "disk" else "crashed", exc.reason)
            return True
        if error is None:
            if fresh:
                fr.import_output = self.sandbox.take_output()
                if fr.import_output.strip():
                    fr.import_where = f"{self.module}.py"
            return False
        # reported once per module (FunctionResult.import_error); each case gets one line
        where = "__init__.py" if error.get("where") else f"{self.module}.py"
        hung = _hung_import(self.submission, self.module, self.sandbox.imported) \
            if error.get("kind") == "timeout" and not error.get("where") else ""
        status, full, short, cause = _import_error_text(error, where, self.timeout, self.sandbox.memory_mb,
                                                        self.submission, hung)
        fr.import_error, fr.import_where, fr.import_short, fr.import_cause = full, where, short, cause
        for c in self.cases:
            fr.cases.append(CaseResult(c.number, c.name, False, f"not graded: {short}", c.rtol, c.atol,
                                       status, self._rerun(c)))
        return True

    def _submit(self, call, hold=False):
        # writing the request has a deadline too: the function's remaining time
        ticket, size = self.sandbox.submit(self.module, self.name, call.args, reset=self.first,
                                           global_seed=call.global_seed,
                                           timeout=max(0.05, self.timeout - self.used), hold=hold)
        self.first = False
        return ticket, size

    def _prefetch(self, index):
        """Send the calls of the following fixed-input cases at once (they do not depend
        on earlier replies); replies are read in order, so a failure is still attributed
        to its own case. Steps cases feed replies back: they are not sent ahead (their
        later steps go with their first call, see ``_submit_chain``). The requests are
        written together, in one piece."""
        in_flight = 0
        try:
            for later in self.cases[index:]:
                if later.kind == "steps":
                    return
                for call in later.calls:
                    if in_flight > PREFETCH_BYTES:
                        return
                    self.tickets[id(call)], size = self._submit(call, hold=True)
                    in_flight += size
        finally:
            self.sandbox.flush(max(0.05, self.timeout - self.used))

    def _student(self, call):
        """The callee of ``Case.run`` for the submission: the child's reply to ``call``."""
        remaining = self.timeout - self.used
        if remaining <= 0:
            raise TimeoutError
        t0, shifted = time.monotonic(), self.sandbox.shifted
        try:
            ticket = self.tickets.pop(id(call), None)
            if ticket is None and self.chain and self.chain_live:
                ticket = self.chain.popleft()   # the child made this call itself (feed)
            if ticket is None:
                ticket = self._submit_chain(call)
            try:
                result, inputs, _ = self.sandbox.result(ticket, remaining)
            finally:
                self.chain_live = self.sandbox.last_more    # an error reply ends a chain
                if self.chain and not self.chain_live:
                    # the child stopped the chain: its later steps will not come, and a
                    # call sent next must not wait behind them
                    self.sandbox.cancel(list(self.chain))
                    self.chain.clear()
        finally:    # the child's time: not this process's own work past a deadline
            self.used += time.monotonic() - t0 - (self.sandbox.shifted - shifted)
        mods = modified_inputs(call.args, inputs, self.arg_names)
        if mods:
            raise _Modified(mods)
        return result

    def _submit_chain(self, call):
        """Send ``call``; the first call of a steps case goes with its later steps, which
        the child feeds itself (``Case.chain_plan``): one round trip for the case, not one
        per step, and the same calls in the same order."""
        case = self.case
        plan = case.chain_plan() if case is not None and case.kind == "steps" and call is case.calls[0] else None
        if plan is None:
            return self._submit(call)[0]
        ticket, _ = self.sandbox.submit(self.module, self.name, call.args, reset=self.first,
                                        global_seed=call.global_seed,
                                        timeout=max(0.05, self.timeout - self.used), chain=plan)
        self.first = False
        self.chain = collections.deque(self.sandbox.chained)
        self.chain_live = True
        return ticket

    def _end_chain(self):
        """After a steps case: steps the child will not make are forgotten; steps it made
        that this process did not ask for (its feed stopped first) are read and dropped."""
        if not self.chain:
            return
        tickets, self.chain = list(self.chain), collections.deque()
        if not self.chain_live or not self.sandbox.alive():
            self.sandbox.cancel(tickets)
            return
        for ticket in tickets:
            t0, shifted = time.monotonic(), self.sandbox.shifted
            try:
                self.sandbox.result(ticket, max(0.05, self.timeout - self.used))
            except CallFailed:
                pass
            except (TimeoutError, ChildDied):
                return
            finally:    # the function's time, as every call's
                self.used += time.monotonic() - t0 - (self.sandbox.shifted - shifted)
            if not self.sandbox.last_more:
                self.sandbox.cancel(tickets)
                return

    def _grade_case(self, index, case):
        """Run and judge one case; False when the function's remaining cases are skipped."""
        self.case = case
        try:
            return self._run_case(index, case)
        finally:
            self._end_chain()
            self.case = None

    def _run_case(self, index, case):
        sandbox, timeout = self.sandbox, self.timeout
        if case.kind != "steps" and not sandbox.pending() and sandbox.alive():
            try:
                self._prefetch(index)
            except ChildDied as exc:
                if exc.kind == "disk":      # this function's calls wrote past the limit: said here,
                    self._fail("error", exc.reason, index, index + 1)   # not "not run" below
                    self._fail("skipped", f"not run: case {case.number} of this function went over the disk "
                                          "limit", index + 1)
                    return False
            except TimeoutError:
                pass            # reported by the case's own call below
        expected = self.expected(case)
        status, text, diagnoses, findings, scalar = "passed", "", [], [], False
        try:
            actual = case.run(self._student)
        except CallFailed as exc:
            status, text = _error_text(exc.info, self.qualname, self.submission, timeout, sandbox.memory_mb)
            case.failed_call = getattr(exc, "call_index", 0)
        except _Modified as exc:
            status, text = "failed", "\n".join(exc.sentences)
            findings = [generic.Finding("modified-input", exc.sentences[0], generic=False)]
            case.failed_call = getattr(exc, "call_index", 0)
        except TimeoutError:
            self._fail("timeout", f"timed out after {timeout:g} s (--timeout {timeout:g}, the time all cases of a "
                                  "function may take together): an infinite loop? The process was killed and "
                                  "grading went on", index, index + 1)
            self._fail("skipped", f"not run: case {case.number} of this function did not finish in time",
                       index + 1)
            return False
        except ChildDied as exc:
            if exc.kind == "disk":      # over the disk limit: nothing more of it runs
                self._fail("error", exc.reason, index, index + 1)
                self._fail("skipped", f"not run: case {case.number} of this function went over the disk "
                                      "limit", index + 1)
                return False
            self._fail("crashed" if exc.kind == "crashed" else "error",
                       exc.reason + "; the grader restarted it and went on", index, index + 1)
            self._fail("skipped", f"not run: case {case.number} of this function ended the process", index + 1)
            return False
        else:
            problem = case.judge(actual, expected)
            if problem is not None:
                status, text, scalar = "failed", problem.text, problem.scalar
                diagnoses = _diagnose(case, actual, expected)
                findings = _findings(case, problem, actual, expected)
                case.failed_call = problem.call     # after the diagnosis, which runs the case again
        passed = status == "passed"
        self.result.cases.append(CaseResult(case.number, case.name, passed, "", case.rtol, case.atol, status,
                                            self._rerun(case)))
        if not passed:
            self.judged.append((self.result.cases[-1], case, text, diagnoses, findings, scalar))
        return True

    def _write_messages(self):
        """Messages last: which known mistake to name on a case depends on the other cases.

        A case's diagnoses: the findings the grader made (an input modified in place, the rng
        ignored, a statistical property off, a state in another convention), then the known
        mistakes that match, or else the generic diagnoses read from the values."""
        _write_messages(self.judged, self.seed)


def _write_messages(judged, seed):
    """The message and the diagnoses of each failing case ``judged``: ``(CaseResult, case,
    text, matched known mistakes, findings, scalar)``.

    A known mistake is named only if no failing case rules it out (it fails that case with
    other values than the submission's) -- unless another known mistake explains that case:
    a submission with two mistakes (softmax over axis 0 *and* without the max shift) gets
    each named where it matches, the one that explains the most cases first. A case's
    diagnoses: the findings the grader made, then the known mistakes that match, or else
    the generic diagnoses read from the values."""
    ruled_out = set()
    for j in judged:
        if not list(j[3]):      # a case no known mistake explains
            ruled_out |= getattr(j[3], "contradicted", set())
    per_case = [[m for m in j[3] if m.name not in ruled_out] for j in judged]
    _agree_on_factors(judged)
    for (result, case, text, _, findings, scalar), matched in zip(judged, per_case):
        chosen = _choose_mistakes(matched, per_case)
        result.message = _message(case, text, seed, scalar=scalar)
        try:
            result.inputs = case.full_inputs()
        except Exception:   # noqa: BLE001 - a description must never stop grading
            result.inputs = ""
        found = [Diagnosis(f.name, f.hint, case.name, "finding") for f in findings if not f.generic]
        if len(chosen) > 1:     # indistinguishable on every case graded: named together
            found.append(Diagnosis(" or ".join(m.name for m in chosen),
                                   "one of these known mistakes (they give the same results on every "
                                   "case graded): " + " / ".join(f"{m.name}: {m.hint}" for m in chosen),
                                   case.name, "known"))
        else:
            found.extend(Diagnosis(m.name, m.hint, case.name, "known") for m in chosen)
        if not chosen:
            found.extend(Diagnosis(f.name, f.hint, case.name, "generic") for f in findings if f.generic)
        result.diagnoses = found


def _name_nan_causes(fr):
    """A NaN's guessed cause ("an overflow in exp, a log of 0 or a division by 0?") in each
    failing case's message becomes the cause the function's own NumPy warnings name ("a
    square root of a negative number?"), when it printed one."""
    if NAN_GUESS not in "".join(c.message for c in fr.cases) or "RuntimeWarning: " not in fr.output:
        return
    cause = nan_cause(fr.output)
    if cause is None:
        return
    for case in fr.cases:
        if NAN_GUESS in case.message:
            case.message = case.message.replace(NAN_GUESS, cause)


def _agree_on_factors(judged):
    """Generic readings must hold across a function's failing cases. A reading of a single
    number (one loss value "is 0.5 times the expected, decay = 0.5") is kept only when two
    cases give it. Readings of a constant factor must agree: "a factor lr too many" on one
    case and "0.04 times" on another show that the factor only happened to equal lr, so
    every case gets the plain reading instead."""
    # a reading of one number alone must be found on two failing cases
    counts = {}
    for j in judged:
        for f in j[4]:
            counts[f.name] = counts.get(f.name, 0) + 1
    for j in judged:
        j[4][:] = [f for f in j[4] if not (getattr(f, "single", False) and counts[f.name] < 2)]
    families = {}
    for j in judged:
        for f in j[4]:
            family = generic.scale_family(f.name) if f.generic else None
            if family:
                families.setdefault(family, set()).add(f.name)
    for family, names in families.items():
        if len(names) < 2:
            continue
        what = "the change of the updated output" if family == "update-scaled" else "your result"
        plain = generic.Finding(family, f"{what} is a constant factor off the expected value on each "
                                        "case, a factor that differs between cases: a coefficient of the "
                                        "formula is wrong")
        for j in judged:
            j[4][:] = [plain if f.generic and generic.scale_family(f.name) == family else f for f in j[4]]


def grade_in_process(qualname, impl, seed=DEFAULT_SEED, oracle=None):
    """A ``FunctionResult`` for ``impl`` (a callable with the contract signature) run in
    this process, judged and diagnosed exactly as ``grade`` judges a submission's function.

    For the grader's own measurements and tests (the catalog of wrong implementations):
    never for student code, which runs only in the sandboxed child."""
    oracle = resolve(oracle)
    names = SIGNATURES[qualname]
    fr = FunctionResult(qualname, effective_points()[qualname])
    judged = []

    def callee(call):
        args = call.materialize()
        sent = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        if call.global_seed is not None:
            np.random.seed(call.global_seed)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = impl(*args)
        mods = modified_inputs(sent, [to_returned(a) for a in args], names)
        if mods:
            raise _Modified(mods)
        return to_returned(out)

    for case in cases_for(qualname, seed):
        expected = oracle.expected(case, seed)
        findings, diagnoses, scalar = [], [], False
        try:
            actual = case.run(callee)
        except _Modified as exc:
            status, text = "failed", "\n".join(exc.sentences)
            findings = [generic.Finding("modified-input", exc.sentences[0], generic=False)]
            case.failed_call = getattr(exc, "call_index", 0)
        except Exception as exc:  # noqa: BLE001 - reported as the case's error
            status, text = "error", f"raised {type(exc).__name__}: {exc}"
            case.failed_call = getattr(exc, "call_index", 0)
        else:
            problem = case.judge(actual, expected)
            status, text = ("passed", "") if problem is None else ("failed", problem.text)
            if problem is not None:
                scalar = problem.scalar
                diagnoses = _diagnose(case, actual, expected)
                findings = _findings(case, problem, actual, expected)
                case.failed_call = problem.call
        fr.cases.append(CaseResult(case.number, case.name, status == "passed", "", case.rtol, case.atol,
                                   status, _rerun("chainrule grade", qualname, case.number, seed)))
        if status != "passed":
            judged.append((fr.cases[-1], case, text, diagnoses, findings, scalar))
    _write_messages(judged, seed)
    return fr


def _choose_mistakes(matched, matched_per_case):
    """The known mistakes to name on one case: of those ``matched`` there, the ones that
    match on the most failing cases of the function (``matched_per_case``); among those,
    several only when they matched on exactly the same cases (indistinguishable), else
    the first in the table's order."""
    if len(matched) <= 1:
        return list(matched)

    def cases_of(mistake):
        return tuple(k for k, found in enumerate(matched_per_case) if any(m is mistake for m in found))

    best = max(len(cases_of(m)) for m in matched)
    top = [m for m in matched if len(cases_of(m)) == best]
    return [m for m in top if cases_of(m) == cases_of(top[0])]


def _message(case, text, seed, command=None, scalar=False):
    """A failing case's explanation: its inputs, then what is wrong. Hints and the rerun
    command are the report's (once per function; ``CaseResult.rerun``)."""
    lines = []
    described = case.describe()
    if described and not scalar:        # a scalar sentence names its inputs itself
        lines.append(f"Inputs: {described} (seed {seed})")
    lines.append(text)
    return "\n".join(lines)


def _findings(case, problem, actual, expected):
    """What the judge itself found (``problem.finding``), the state convention of a case whose
    w is right, and the generic diagnoses read from the values."""
    out = []
    if problem.finding is not None:
        out.append(generic.Finding(*problem.finding, generic=False))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            found = generic.diagnose(case, actual, expected) or generic.looks_stale(case, actual, expected)
    except Exception:  # noqa: BLE001 - a diagnosis must never stop grading
        found = []
    if not found and case.state_note and problem.wrong and problem.right and problem.right[0] == "w":
        # w right, the state wrong in no simpler way: the state is in another convention
        out.append(generic.Finding("state-convention", case.state_note, generic=False))
    return out + found


class _Matches(list):
    """The known mistakes whose output matched on a case; ``contradicted``: the names of
    those visible on the case (they fail it) whose output differs from the submission's,
    which rules them out for the whole function."""

    def __init__(self):
        super().__init__()
        self.contradicted = set()


def _diagnose(case, actual, expected):
    found = _Matches()
    for mistake in _mistakes_for(case.qualname):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                theirs = case.run(lambda call, m=mistake: to_returned(m.impl(*call.materialize())))
        except Exception:  # noqa: BLE001 - a mistake may well raise on some inputs
            continue
        if len(theirs) != len(actual):
            continue
        if case.kind == "stat":
            if case.judge(theirs, None) is None:
                continue
            same = all(_same(a, t) for a, t in zip(actual, theirs))
        else:
            if case.judge(in_dtypes_of(theirs, expected), expected) is None:
                # the mistake is not visible on this case: its values are the reference's
                # (a dtype alone, which the judge's own message names, is not its reading)
                continue
            # the same values as the mistake's (in whatever dtype: the judge names a dtype itself)
            same = case.judge(in_dtypes_of(actual, theirs), theirs) is None
            if not same:
                found.contradicted.add(mistake.name)
        if same:
            found.append(mistake)
    return found


def in_dtypes_of(theirs, expected):
    """``theirs`` (a list of ``Returned``, one per call or step) with every number in the
    dtype and kind of the matching ``expected`` one, where the conversion keeps the values
    (an integral float for an int, any float precision for another): what remains wrong
    after it is a wrong value, a shape or a structure, never a dtype alone."""
    return [_in_dtype_of(t, e) for t, e in zip(theirs, expected)] + list(theirs[len(expected):])


def _in_dtype_of(ret, exp):
    if ret.kind in ("tuple", "list") and exp.kind in ("tuple", "list") and len(ret.value) == len(exp.value):
        return Returned(ret.kind, [_in_dtype_of(r, e) for r, e in zip(ret.value, exp.value)], ret.cls)
    numeric = ("array", "npscalar", "float", "int", "bool")
    if ret.kind not in numeric or exp.kind not in numeric:
        return ret
    mine = np.asarray(ret.value)
    want = np.asarray(exp.value)
    if mine.shape != want.shape or mine.dtype.kind not in "biuf" or want.dtype.kind not in "biuf":
        return ret
    with np.errstate(all="ignore"):
        cast = mine.astype(want.dtype)
        if not (mine.dtype.kind == want.dtype.kind == "f"):
            if not np.array_equal(cast.astype(np.float64), mine.astype(np.float64)):
                return ret      # the conversion would change a value: leave it to the judge
    if exp.kind == "array":
        return Returned("array", cast)
    if exp.kind == "npscalar":
        return Returned("npscalar", np.asarray(cast), exp.cls)
    return Returned(exp.kind, cast.item())


def _same(a, b):
    if a.kind != b.kind and not {a.kind, b.kind} <= {"tuple", "list"}:
        return False
    if a.kind in ("tuple", "list"):
        return len(a.value) == len(b.value) and all(_same(x, y) for x, y in zip(a.value, b.value))
    if a.kind in ("array", "npscalar"):
        return a.value.shape == b.value.shape and np.array_equal(a.value, b.value)
    return a.value == b.value
