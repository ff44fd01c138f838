"""Where a submission keeps its exercise modules: one rule for ``chainrule grade-all`` and the
Gradescope autograder (``autograder.py`` of a release), so a class graded on a laptop and the
same class graded on Gradescope find the same files.

Looked at, in order: ``FOLDER/exercises``, ``FOLDER`` itself (uploaded files, or a repository
whose modules sit at its top), then the folders directly inside ``FOLDER`` (a downloaded
repository or an unpacked zip often wraps everything in one folder), each as ``SUB/exercises``
or ``SUB``. A place counts when it holds at least one contract module (``activations.py``,
...). Hidden folders, ``__pycache__``, ``__MACOSX`` and the like are never looked into. A place
that is a link to something outside ``FOLDER`` is refused, never followed (a module that is
such a link is refused later, by the copy: ``grader.submission_copy``); two folders inside
that both hold modules are refused too (which one to grade would be a guess), and so is a
folder that holds modules (or notebooks) both at its top and in its ``exercises/``, here and
by ``chainrule grade`` (``two_places``), unless it is a whole repository (``is_repository``:
the kit's own ``grader/`` and ``chainrule/`` beside ``exercises/``, as in the template a
release hands out): that is graded from its ``exercises/``, as its Classroom workflow grades
it, and the report says which modules at its top were not graded (``top_not_graded``).
"""

from __future__ import annotations

import os
import re

from chainrule_core.contract import CONTRACT
from chainrule_core.errors import ChainruleError
from grader.submission_copy import not_graded

# folders never looked into for modules: what is never graded (hidden folders, caches:
# grader.submission_copy.not_graded) and archivers' and tools' own folders
SKIPPED = frozenset({"__MACOSX", "node_modules"})


class NotGradable(ChainruleError):
    """No place to grade in a submission. ``kind`` is ``"none"`` (no module anywhere it
    looks), ``"link"`` (a place or module links outside) or ``"several"`` (two candidates)."""

    def __init__(self, note, kind):
        super().__init__(note[0].upper() + note[1:] + ".")
        self.note = note        # the same as a clause: "no exercise module (...) in ..."
        self.kind = kind


def inside(path, root):
    """Whether the real path ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _shown(path, folder):
    rel = os.path.relpath(path, folder)
    return "." if rel == os.curdir else rel.replace(os.sep, "/")


def module_names(modules=None, most=3):
    """``activations.py, losses.py, ...`` for messages (at most ``most`` names)."""
    names = [f"{m}.py" for m in (modules or CONTRACT)]
    return ", ".join(names[:most] + (["..."] if len(names) > most else []))


def holds_modules(folder):
    """The exercise modules ``folder`` holds at its top, as ``.py`` files or ``.ipynb`` notebooks
    (file names, in contract order)."""
    return [m + ext for m in CONTRACT for ext in (".py", ".ipynb") if os.path.isfile(os.path.join(folder, m + ext))]


#: the kit's own packages: a folder holding them beside its exercises/ is a whole repository
KIT_PACKAGES = ("grader", "chainrule")


def is_repository(folder):
    """Whether ``folder`` is a whole repository: its ``exercises/`` beside the kit's own
    packages (``grader/`` and ``chainrule/``, each with its ``__init__.py``), as in the
    template repository a release hands out (a GitHub-linked submission is one) or the kit's
    checkout. Its ``exercises/`` is what is graded, as its Classroom workflow grades it: a
    module at its top (a scratch ``training.py``) is the student's own file, not the work."""
    return os.path.isdir(os.path.join(folder, "exercises")) and all(
        os.path.isfile(os.path.join(folder, name, "__init__.py")) for name in KIT_PACKAGES)


def top_not_graded(graded):
    """The sentence a report gives when ``graded`` is the ``exercises/`` folder of a whole
    repository (``is_repository``) whose top holds exercise modules too, which are not graded;
    else "". ``chainrule grade``, ``classroom``, ``grade-all`` and the Gradescope autograder
    all grade such a repository from its ``exercises/``."""
    graded = os.path.abspath(graded)
    if os.path.basename(graded) != "exercises":
        return ""
    repository = os.path.dirname(graded)
    if not is_repository(repository):
        return ""
    names = holds_modules(repository)
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Not graded: {listed} at the top of the repository (a repository is graded from its exercises/ folder)."


def two_places(folder):
    """The sentence refusing ``folder`` when both it and its ``exercises/`` hold exercise modules
    (``.py`` files or notebooks), else None: which of the two holds the student's work would be
    a guess, and ``chainrule grade``, ``grade-all`` and the Gradescope autograder must not guess
    differently (the student would see one score at home and get another). A whole repository
    (``is_repository``) is no guess: its ``exercises/`` is graded."""
    inner = os.path.join(folder, "exercises")
    if is_repository(folder):   # graded from its exercises/, saying what its top holds (top_not_graded)
        return None
    top = holds_modules(folder) if os.path.isdir(folder) else []
    below = holds_modules(inner) if os.path.isdir(inner) else []
    if not (top and below):
        return None

    def listed(names):
        return ", ".join(names[:2] + (["..."] if len(names) > 2 else []))

    return (f"both the folder itself ({listed(top)}) and its exercises/ folder ({listed(below)}) hold "
            "exercise modules; keep the work in one of them (grading either would be a guess)")


def find_modules(folder, modules=None):
    """The folder inside ``folder`` that holds the exercise modules (``modules``: the contract's
    by default). Raises ``NotGradable`` with a sentence for the student or the instructor."""
    modules = list(modules or CONTRACT)
    root = os.path.realpath(folder)

    def holds(place):
        if not os.path.isdir(place):
            return False
        if not any(os.path.isfile(os.path.join(place, f"{m}.py")) for m in modules):
            return False
        real = os.path.realpath(place)
        if not inside(real, root):
            target = os.readlink(place) if os.path.islink(place) else real
            raise NotGradable(f"'{_shown(place, folder)}' is a link to '{target}', outside the submission "
                              "folder; submit the folder itself (links that leave the submission are "
                              "never followed)", "link")
        return True

    ambiguous = two_places(folder)
    if ambiguous:
        raise NotGradable(ambiguous, "several")
    for place in (os.path.join(folder, "exercises"), folder):
        if holds(place):
            return place
    found = _one_down(folder, holds)
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(f"'{_shown(p, folder)}'" for p in found[:4])
        raise NotGradable(f"several folders hold exercise modules ({listed}); a submission should "
                          "hold one copy of the exercises", "several")
    raise NotGradable(f"no exercise module ({module_names(modules)}) in the submission, its "
                      "exercises/ folder or a folder directly inside it", "none")


def _one_down(folder, holds):
    """The places one folder down in ``folder`` (each folder's exercises/, else the folder)
    for which ``holds(place)``, one a folder at most."""
    try:
        subs = sorted(n for n in os.listdir(folder)
                      if not not_graded(n) and n not in SKIPPED and os.path.isdir(os.path.join(folder, n)))
    except OSError:
        return []
    found = []
    for sub in subs:
        inner = os.path.join(folder, sub)
        for place in (os.path.join(inner, "exercises"), inner):
            if holds(place):
                found.append(place)
                break
    return found


def find_notebooks(folder):
    """The folder inside ``folder`` that holds ``<module>.ipynb`` notebooks and no exercise
    modules (``grader.notebooks`` grades it): its exercises/ folder, itself, or the one folder
    directly inside it (or that one's exercises/) that does; None when there is none (or several)."""
    from grader.notebooks import is_notebook_submission

    root = os.path.realpath(folder)

    def holds(place):
        return os.path.isdir(place) and inside(os.path.realpath(place), root) and is_notebook_submission(place)

    for place in (os.path.join(folder, "exercises"), folder):
        if holds(place):
            return place
    found = _one_down(folder, holds)
    return found[0] if len(found) == 1 else None


#: what a report says of a contract module whose file the submission does not have
NOT_SUBMITTED = "is not in your submission"


def absent_module(folder, module):
    """The sentence for a module ``folder`` does not hold ("layers.py is not in your
    submission"), or "" when it holds it (``layers.py``, or a ``layers/`` package). A file
    that looks meant to be it (``Layers.py``, ``layers (1).py``, ``layers.py.txt``,
    ``layer.py``) is named, with the name it needs: the importer looks for that name only."""
    wanted = f"{module}.py"
    if os.path.isfile(os.path.join(folder, wanted)) or os.path.isdir(os.path.join(folder, module)):
        return ""
    import difflib      # only for a file that is not there (a passing grade never loads it)

    try:
        names = sorted(n for n in os.listdir(folder)
                       if not not_graded(n) and os.path.isfile(os.path.join(folder, n)))
    except OSError:
        names = []
    taken = {f"{m}.py" for m in CONTRACT}
    copy = re.compile(rf"{re.escape(module)}(?:\s*\(\d+\)|[ _-]?copy|[ _-]\d+)?", re.IGNORECASE)
    lookalike = None
    for name in names:
        if name in taken:
            continue
        stem = name[:-3] if name.endswith(".py") else ""
        if (name.casefold().startswith(wanted.casefold()) or copy.fullmatch(stem)
                or (stem and difflib.SequenceMatcher(None, stem.casefold(), module).ratio() >= 0.85)):
            lookalike = name
            break
    sentence = f"{wanted} {NOT_SUBMITTED}"
    if lookalike is not None:
        sentence += f" (there is {lookalike}: rename it {wanted})"
    return sentence
