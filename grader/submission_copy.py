"""Copying a submission for grading without following a link out of it.

A submission is untrusted files, not only untrusted code: a module that is a symbolic link
to the reference (``exercises/activations.py -> ../solutions/activations.py``, which a
GitHub-linked Gradescope submission preserves) would otherwise be imported as the
student's work. ``grader.privileges.check_submission`` refuses such a link at any uid
before anything is imported; as root (Gradescope), ``grader.privileges.private_copy``
then uses ``safe_copy`` to copy the submission into the grader's private folder, and the
child, running as the sandbox uid, imports only that copy. The copy checks again, by
itself:

- every path is opened relative to an open directory with ``O_NOFOLLOW``, so no link is
  followed by the copy itself, not even in the middle of a path;
- a symbolic link to a regular file *inside* the submission is copied as a regular file
  with that file's contents (a helper module shared under two names keeps working);
  a link that leaves the submission (an absolute path elsewhere, ``..`` past the top),
  a link to a folder, a link to a link and a dangling link are refused with one sentence
  naming the file and its target: grading a submission with such a link would either
  read what the student could not submit or silently drop a module;
- anything that is neither a folder nor a regular file (a FIFO, a socket, a device) is
  refused; ``__pycache__`` and hidden entries (``.git``, ``.venv``, ``.github``) are
  skipped: the copy holds exactly what the per-submission seed hashes (``grader.seeds``)
  and what the reports and the similarity check read;
- compiled code (``.pyc``, ``.pyo``, ``.so``, ...: ``COMPILED_SUFFIXES``), a file or a link
  of that name, is refused: a sourceless ``_impl.pyc`` would be imported by
  ``import _impl``, and neither the seed nor a reader sees what bytecode does;
- as root, a regular file with more than one hard link is refused: a hard link is the
  one way left to make a file outside the submission look like the student's own;
- at most ``MAX_FILES`` files and ``MAX_BYTES`` bytes are copied.

``safe_copy`` makes the copy world-readable (folders 0755, files 0644);
``private_copy`` then gives it to the sandbox uid alone (0700, 0600). Not as root, the
sandbox copies the submission with ``safe_copy`` too, into its own 0700 folder: at any
uid the child imports the copy, never the submission in place. Refusals raise ``SubmissionRefused`` (a ``ChainruleError``: the operation
failed, exit status 1).
"""

from __future__ import annotations

import os
import stat

from chainrule_core.errors import BadSubmission, ChainruleError
from grader.limits import COMPILED_SUFFIXES, IO_CHUNK, MB, SUBMISSION_MAX_BYTES, SUBMISSION_MAX_FILES

MAX_FILES = SUBMISSION_MAX_FILES
MAX_BYTES = SUBMISSION_MAX_BYTES
SKIPPED = ("__pycache__",)     # and every hidden entry (.git, .venv, .DS_Store): see not_graded
_CHUNK = IO_CHUNK


#: the same words as the submission check's (``privileges.check_submission``)
COMPILED_REFUSAL = "is a compiled module; the contract is .py files only: remove it"


def compiled(name):
    """Whether the file ``name`` is compiled code the child could import instead of a
    ``.py`` (``COMPILED_SUFFIXES``: Python bytecode, extension modules)."""
    low = name.lower()
    return low.endswith(COMPILED_SUFFIXES) or ".so." in low


class SubmissionRefused(BadSubmission):
    """The submission holds something the grader will not copy (a link out of it, ...)."""


def not_graded(name):
    """Whether a submission's file or folder ``name`` is left out: never copied, checked,
    imported from or part of the submission's seed (caches and hidden entries: .git,
    .venv, .ipynb_checkpoints, .DS_Store)."""
    return name in SKIPPED or name.startswith(".")


class _Copier:
    def __init__(self, top, show, as_root):
        self.top = top              # real path of the submission folder
        self.show = show            # how the submission is named in messages
        self.as_root = as_root
        self.files = 0
        self.bytes = 0

    def refuse(self, rel, why):
        where = os.path.join(self.show, rel)
        raise SubmissionRefused(f"Submission refused: '{where}' {why}.")

    # ------------------------------------------------------------------ files
    def copy_file(self, src_fd, rel, dst):
        """Copy the open regular file ``src_fd`` to the new file ``dst``."""
        st = os.fstat(src_fd)
        if not stat.S_ISREG(st.st_mode):
            self.refuse(rel, "is not a regular file (only files and folders are graded)")
        if self.as_root and st.st_nlink > 1:
            self.refuse(rel, f"is a hard link ({st.st_nlink} names for one file); submit a plain "
                             "copy of the file")
        self.files += 1
        if self.files > MAX_FILES:
            self.refuse(rel, f"is one file too many: a submission may hold at most {MAX_FILES} files")
        out = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            while True:
                chunk = os.read(src_fd, _CHUNK)
                if not chunk:
                    break
                self.bytes += len(chunk)
                if self.bytes > MAX_BYTES:
                    self.refuse(rel, f"takes the submission past {MAX_BYTES // MB} MB; "
                                     "submit the exercise modules only")
                os.write(out, chunk)
        finally:
            os.close(out)
        os.chmod(dst, 0o644)

    def open_inside(self, top_fd, rel, link_rel, target):
        """Open the regular file at ``rel`` (a link's target) below the top folder, never
        following a link on the way; refuse what is not a plain file there."""
        parts = rel.split("/")
        fds = []
        try:
            dir_fd = top_fd
            for part in parts[:-1]:
                try:
                    dir_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
                except OSError:
                    self.refuse(link_rel, f"is a link to '{target}', which is not a file of the submission "
                                          "(a link is followed only to a plain file inside the submission)")
                fds.append(dir_fd)
            try:
                st = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                self.refuse(link_rel, f"is a link to '{target}', which does not exist")
            if stat.S_ISLNK(st.st_mode):
                self.refuse(link_rel, f"is a link to '{target}', which is a link itself; link to the "
                                      "file, or better submit the file itself")
            if not stat.S_ISREG(st.st_mode):
                self.refuse(link_rel, f"is a link to '{target}', which is not a regular file")
            return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
        finally:
            for fd in fds:
                os.close(fd)

    def copy_link(self, top_fd, dir_fd, rel, name, dst):
        target = os.readlink(name, dir_fd=dir_fd)
        if os.path.isabs(target):
            inside = os.path.relpath(os.path.normpath(target), self.top)
        else:
            inside = os.path.normpath(os.path.join(os.path.dirname(rel), target))
        if inside == ".." or inside.startswith("../") or os.path.isabs(inside) or inside in ("", "."):
            self.refuse(rel, f"is a link to '{target}', outside the submission folder; submit the file "
                             "itself (links that leave the submission are never followed)")
        if any(not_graded(part) for part in inside.split("/")):
            # a hidden file or a cache is never copied, checked or part of the seed: through a link
            # it would reach the graded code unseen (review 18: a lookup table in .stash/table.py)
            self.refuse(rel, f"is a link to '{target}', a hidden or cache entry, which is never graded; "
                             "submit the file itself")
        src = self.open_inside(top_fd, inside, rel, target)
        try:
            self.copy_file(src, rel, dst)
        finally:
            os.close(src)

    # ------------------------------------------------------------------ folders
    def copy_dir(self, top_fd, dir_fd, rel, dst):
        with os.scandir(dir_fd) as it:
            names = sorted(entry.name for entry in it)
        for name in names:
            if not_graded(name):
                continue
            child_rel = f"{rel}/{name}" if rel else name
            child_dst = os.path.join(dst, name)
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode) and compiled(name):
                # by name, a link too: a link named _impl.pyc would be copied as the file
                self.refuse(child_rel, COMPILED_REFUSAL)
            if stat.S_ISLNK(st.st_mode):
                self.copy_link(top_fd, dir_fd, child_rel, name, child_dst)
            elif stat.S_ISDIR(st.st_mode):
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
                try:
                    os.mkdir(child_dst, 0o755)
                    os.chmod(child_dst, 0o755)
                    self.copy_dir(top_fd, sub, child_rel, child_dst)
                finally:
                    os.close(sub)
            elif stat.S_ISREG(st.st_mode):
                try:
                    src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
                except OSError as exc:
                    self.refuse(child_rel, f"cannot be read ({exc.strerror})")
                try:
                    self.copy_file(src, child_rel, child_dst)
                finally:
                    os.close(src)
            else:
                self.refuse(child_rel, "is not a regular file or folder (only files and folders are graded)")


def safe_copy(submission, target, show=None):
    """Copy the folder ``submission`` to ``target`` (which must not exist yet) without
    following any link out of it; see the module docstring. ``show`` is how messages
    name the submission (default: ``submission`` as given)."""
    show = os.fspath(submission) if show is None else show
    top = os.path.realpath(submission)
    try:
        top_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise ChainruleError(f"Cannot read the submission folder '{show}': {exc.strerror}.") from None
    try:
        os.mkdir(target, 0o755)
        os.chmod(target, 0o755)
        copier = _Copier(top, show, as_root=os.geteuid() == 0)
        copier.copy_dir(top_fd, top_fd, "", os.fspath(target))
    except SubmissionRefused:
        raise
    except OSError as exc:
        where = f" '{exc.filename}'" if exc.filename else ""
        raise ChainruleError(f"Cannot copy the submission '{show}' for grading{where}: "
                             f"{exc.strerror or exc}.") from None
    finally:
        os.close(top_fd)
    return target
