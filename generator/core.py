"""Variants: from (course seed, student id, family) to a checked ``Problem``.

A variant is fully determined by the course seed, the student id, the family name and
the occurrence of the family on the sheet (0 for the first), and for a graded sheet the
instructor's course secret. They are joined into one string, hashed with SHA-256 (or
HMAC-SHA256 keyed by the secret: without it nobody can rebuild the variant), and the
digest seeds a ``numpy.random.Generator`` (PCG64)
that the family's ``sample`` draws from; the variant id is the digest's first 10 hex
digits. Python's ``hash()`` is never used, so the same inputs give the same problem on
every machine and in every process, and a student's problems do not depend on anyone
else's.

Every problem is checked before anything is written: each numeric answer (sympy, at
``PRECISION`` digits) must agree with its float64 recomputation through ``solutions/``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from typing import Any, Dict, Optional, Sequence

import numpy as np
import sympy as sp

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from generator import registry
from generator.model import Problem, Question
from generator.options import DEFAULT_SEED  # noqa: F401 - the worksheets' one default course seed
from generator.symbolic import PRECISION, as_float


#: Version of the derivation scheme; part of the hashed string so that a future change
#: of scheme can never silently give an old roster different sheets under the same name.
SCHEME = "chainrule-variant-v1"

#: Agreement required between the sympy answer and the float64 reference.
CHECK_RTOL = 1e-9
CHECK_ATOL = 1e-12

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def variant_digest(seed: int, student_id: str, family: str, occurrence: int = 0,
                   secret: Optional[bytes] = None) -> bytes:
    """SHA-256 of the variant's defining inputs; HMAC-SHA256 keyed by ``secret`` (the
    instructor's course secret, ``chainrule_core.secret``) for a graded sheet."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ChainruleUsageError(f"Seed {seed!r} is not valid; use a whole number >= 0.")
    text = f"{SCHEME}\x1f{seed}\x1f{student_id}\x1f{family}"
    if occurrence:
        text += f"\x1f{occurrence}"
    if secret is not None:
        return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()
    return hashlib.sha256(text.encode("utf-8")).digest()


def variant_id(seed: int, student_id: str, family: str, occurrence: int = 0, secret: Optional[bytes] = None) -> str:
    """The short hex identifier printed on the sheet and stored in the answers file."""
    return variant_digest(seed, student_id, family, occurrence, secret).hex()[:10]


def variant_rng(seed: int, student_id: str, family: str, occurrence: int = 0,
                secret: Optional[bytes] = None) -> np.random.Generator:
    digest = variant_digest(seed, student_id, family, occurrence, secret)
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "big")))


def load_family(name: str):
    """The family's module; an unknown name is a usage error with a suggestion."""
    if name not in registry.FAMILIES:
        raise ChainruleUsageError(unknown_family_message(name))
    return registry.load(name)


def unknown_family_message(name: str) -> str:
    return unknown_families_message([name])


def unknown_families_message(names: Sequence[str]) -> str:
    """One sentence naming every unknown family, each with its closest known name."""
    known = registry.names()
    shown = []
    for name in names:
        close = registry.did_you_mean(name, known)
        close = [close] if close else []
        shown.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    noun = "family" if len(shown) == 1 else "families"
    return f"Unknown problem {noun} {listed}; chainrule list shows all."


def make_problem(
    family: str,
    seed: int,
    student_id: str,
    occurrence: int = 0,
    params: Optional[Dict[str, Any]] = None,
    variant: Optional[str] = None,
    secret: Optional[bytes] = None,
) -> Problem:
    """The checked problem of ``family`` for this student.

    ``params`` replaces the sampled parameters (a preset); ``variant`` then names it.
    ``secret`` keys the variant (a graded sheet).
    """
    module = load_family(family)
    if params is None:
        params = module.sample(variant_rng(seed, student_id, family, occurrence, secret))
        vid = variant_id(seed, student_id, family, occurrence, secret)
    else:
        vid = variant or "preset"
    problem = module.solve(params)
    problem.family = family
    problem.variant = vid
    check_problem(problem)
    return problem


def check_problem(problem: Problem) -> None:
    """Structural checks, then sympy answer vs float64 reference for every question."""
    where = f"family '{problem.family}' variant {problem.variant}"
    keys = [q.key for q in problem.questions]
    if not keys:
        raise ChainruleError(f"{where} asks no question.")
    if len(set(keys)) != len(keys):
        raise ChainruleError(f"{where} repeats a question key: {keys}.")
    for key in keys:
        if not _KEY.match(key):
            raise ChainruleError(
                f"{where}: question key '{key}' must be letters, digits and '_' (a TOML bare key)."
            )
    names = [s.name for s in problem.steps]
    if len(set(names)) != len(names):
        raise ChainruleError(f"{where} repeats a step name.")
    for question in problem.questions:
        check_answer(question, where)


def check_answer(question: Question, where: str = "") -> None:
    """Raise ChainruleError when the exact answer and the float64 reference disagree."""
    kind = question.kind
    key = question.key
    if kind == "choice":
        if not question.choices or question.answer not in question.choices:
            raise ChainruleError(f"{where}: question '{key}' answer {question.answer!r} is not one of its choices.")
        return
    if kind not in ("number", "integer"):
        raise ChainruleError(f"{where}: question '{key}' has unknown kind {kind!r}.")
    if question.reference is None:
        raise ChainruleError(
            f"{where}: question '{key}' has no float64 reference from solutions/ to check against."
        )
    exact = sp.sympify(question.answer)
    if kind == "integer":
        if not exact.is_Integer or int(exact) != question.reference:
            raise ChainruleError(
                f"{where}: question '{key}' answer {exact} disagrees with solutions/ ({question.reference})."
            )
        return
    # a Float or Rational is its own value (evalf would only copy it)
    value = exact if isinstance(exact, (sp.Float, sp.Rational)) else exact.evalf(PRECISION)
    if not value.is_number or not isinstance(value, (sp.Float, sp.Integer, sp.Rational)):
        raise ChainruleError(f"{where}: question '{key}' answer {exact} is not a real number.")
    reference = float(question.reference)
    if not math.isfinite(reference):
        raise ChainruleError(f"{where}: question '{key}' float64 reference is {reference}.")
    exact_float = as_float(value)
    if abs(exact_float - reference) > CHECK_ATOL + CHECK_RTOL * abs(exact_float):
        raise ChainruleError(
            f"{where}: question '{key}' sympy answer {exact_float!r} disagrees with "
            f"solutions/ float64 {reference!r}; the key would be wrong, so generation stopped."
        )
