"""The instructor's course secret, read the same way by every command that takes one.

Graded worksheets: with ``chainrule generate --secret-file FILE`` every variant is derived with HMAC-SHA256
keyed by the secret (``generator.core.variant_digest``), so a student with the kit, their
answers.toml and the course seed gets other variants. The secret itself is never written
anywhere: the manifest and the answers files keep only its ``fingerprint`` (a domain-
separated SHA-256, which identifies the secret without revealing it when the secret is
long enough; ``MIN_BYTES`` is enforced). Code grading: ``chainrule grade`` and
``grade-all --secret-file FILE`` mix it into each submission's seed (``grader.seeds``), so a
student cannot compute the seed in advance. Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from chainrule_core.errors import ChainruleUsageError

MIN_BYTES = 16
MAX_BYTES = 4096
HOW = "e.g. python -c \"import secrets; print(secrets.token_hex(32))\" > course.secret"


def load(path) -> bytes:
    """The secret in ``path`` (surrounding whitespace removed); a one-line
    ChainruleUsageError when it is missing, empty or too short to protect anything."""
    if not str(path).strip():   # `--secret-file "$UNSET"`: Path("") would read the current folder "."
        raise ChainruleUsageError(f"Secret file {str(path)!r} names no file; give the path of the file holding the "
                                  f"course secret ({HOW}).")
    path = Path(path)
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except IsADirectoryError:
        raise ChainruleUsageError(f"Secret file '{path}' is a folder, not a file.") from None
    except OSError as exc:
        raise ChainruleUsageError(f"Cannot read the secret file '{path}': {exc.strerror or exc}.") from None
    secret = raw.strip()
    if len(secret) > MAX_BYTES:
        raise ChainruleUsageError(f"Secret file '{path}' is longer than {MAX_BYTES} bytes; a secret is one line.")
    if b"\n" in secret and _text(secret):  # lines of text (a roster, notes): not a secret file
        lines = secret.count(b"\n") + 1
        raise ChainruleUsageError(
            f"Secret file '{path}' holds {lines} lines of text; a course secret is one line of random characters "
            f"({HOW}): is it the right file?"
        )
    if len(secret) < MIN_BYTES:
        raise ChainruleUsageError(
            f"Secret file '{path}' holds {len(secret)} bytes; a course secret needs at least {MIN_BYTES} random "
            f"bytes ({HOW})."
        )
    return secret


def _text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c.isspace() for c in text)


def fingerprint(secret: bytes) -> str:
    """What the manifest and answers files keep of the secret: 16 hex digits."""
    return hashlib.sha256(b"chainrule-secret-fingerprint\x1f" + secret).hexdigest()[:16]


def practice_key(secret: bytes) -> bytes:
    """The key of a practice set's variants made with the course ``secret``: its own, derived
    from the secret, so that practice sheets never have the graded sheets' variants (session
    9's attack: with the secret itself as key, a student's practice sheet was their graded
    sheet, and ``chainrule check answers.toml`` judged their graded work blank by blank
    before they handed it in). Only the secret's holder can derive it."""
    return hmac.new(secret, b"chainrule practice sheets v1", hashlib.sha256).digest()
