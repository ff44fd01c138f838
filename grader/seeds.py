"""Per-submission seeds: the cases a submission meets follow from its own content.

With a live reference, ``chainrule grade`` (without ``--seed``) draws the cases' inputs
from ``submission_seed``: a hash of every file of the submission (its relative path and
bytes), every folder and every link (``__pycache__``, ``.git`` and hidden entries left out, as
they are never graded) and, where the
course has one, of a secret. The same submission always meets the same cases, so a grade
is reproducible and the seed printed in the report reruns it; a submission changed to
hold a lookup table of the expected values a report showed meets new inputs. With a
course secret the seed cannot be computed in advance by a student who lacks it.

A recording (a student release, no reference) answers only for the seeds it was made
with, so it keeps its fixed seeds: fine for practice, not for summative grading.
"""

from __future__ import annotations

import hashlib
import os

SEED_MODULUS = 10 ** 9      # seeds chosen for a class (hidden checks): 0 <= seed < 10**9, short enough to type
#: a submission's own seed is any of 2**64: with 10**9 a student could search file names for
#: a submission whose seed is one whose expected values they hold (the release's public seed
#: 2026, whose recording the student copy ships, or a seed a report showed), about 3 CPU
#: minutes (session 9's attack); 2**64 makes that search take millennia
SUBMISSION_SEED_BITS = 64


def submission_seed(path, secret=None):
    """The seed of the cases for the submission folder ``path`` (or one file, a notebook: its
    name and bytes) and ``secret`` (bytes, str or None). Depends only on what the grader's
    copy of the submission holds (``grader.submission_copy``), so it is the same on every
    machine and for every copy of the submission: every folder's relative path (an empty
    one too: the child can list it), every file's relative path and bytes, and every link's
    relative path and target (the copy holds the file it points to inside the submission,
    whose bytes are hashed as that file's), in sorted order.

    Anything the graded code can observe of the submission changes the seed, so values shown
    by one run cannot be looked up in the next: folder names or links (``_notes/<key>/<value>``)
    once carried a lookup table without changing the seed (trial 18b)."""
    from grader.submission_copy import not_graded

    digest = hashlib.sha256(b"chainrule submission seed v2\0")
    if secret:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        digest.update(len(key).to_bytes(8, "big") + key)
    root = os.path.realpath(os.fspath(path))
    entries = []  # (relative path, kind, what to hash)
    if os.path.isfile(root):        # one file (a notebook): its name and its bytes
        root, name = os.path.split(root)
        entries.append((name, b"f", None))
    for folder, dirs, names in os.walk(root) if not entries else ():
        graded = sorted(d for d in dirs if not not_graded(d))
        dirs[:] = [d for d in graded if not os.path.islink(os.path.join(folder, d))]
        for name in graded + names:
            if not_graded(name):
                continue
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.islink(full):
                # its target's text and, when it is a file inside the submission, its bytes: what
                # the copy holds under the link's name (a link into a hidden entry is refused there)
                data = os.readlink(full).encode("utf-8", "surrogateescape")
                real = os.path.realpath(full)
                if real.startswith(root + os.sep) and os.path.isfile(real):
                    with open(real, "rb") as fh:
                        data += b"\0" + hashlib.sha256(fh.read()).digest()
                entries.append((rel, b"l", data))
            elif os.path.isdir(full):
                entries.append((rel, b"d", b""))
            elif os.path.isfile(full):
                entries.append((rel, b"f", None))
    for rel, kind, data in sorted(entries):
        if data is None:
            with open(os.path.join(root, rel), "rb") as fh:
                data = fh.read()
        content = hashlib.sha256(data).digest()
        name = rel.encode("utf-8", "surrogateescape")
        digest.update(kind + len(name).to_bytes(8, "big") + name + content)
    return int.from_bytes(digest.digest()[:SUBMISSION_SEED_BITS // 8], "big")


def read_secret(path):
    """The course secret in the file ``path``, read and checked as every command reads it
    (``chainrule_core.secret.load``: at least 16 bytes, one line)."""
    from chainrule_core.secret import load

    return load(path)
