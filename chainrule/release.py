"""``chainrule release``: what an instructor hands to a class, built from this checkout.

``build(out, ...)`` writes three things into ``out``:

- ``student/``: the template repository students get: the exercise skeletons, the grader
  (a byte-identical copy of every file of ``grader/`` except the known-mistake sources,
  which are the reference with one line changed), ``chainrule_core``, a ``chainrule``
  command with ``grade``, ``list`` and ``classroom`` (and ``check`` where the practice-sheet
  checker exists), the recorded expected values and mistake outputs of the public cases,
  its own packaging (NumPy and click only), a README and the GitHub Classroom workflow;
- ``autograder.zip``: Gradescope's autograder: the whole grader, the recording of the
  public and the hidden seeds, ``setup.sh``, ``run_autograder`` and ``autograder.py``.
  The hidden seeds are derived from the course secret (``--secret-file``) or, without one,
  from random bytes drawn at build time; they are written into the zip only;
- ``instructor/README.md``: how to deploy both, and what each can and cannot promise.

Nothing of ``solutions/`` or ``generator/`` is copied; the expected values are recorded
with the live reference here. The same inputs give byte-identical files: recordings and
the zip are written with fixed timestamps, modes and entry order (``autograder.zip`` only
with ``--secret-file``: without a secret its hidden seeds are new random ones each time).
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import inspect
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import textwrap
import zipfile
from pathlib import Path

from chainrule_core import __version__
from chainrule_core.contract import CONTRACT, qualified_names
from chainrule_core.errors import ChainruleError, ChainruleUsageError
from grader.limits import DEFAULT_TIMEOUT
from chainrule_core.fileio import write_atomic

ROOT = Path(__file__).resolve().parents[1]
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_HIDDEN_SEEDS = 2                   # extra seeds of the hidden checks (autograder.zip)
DEFAULT_VISIBILITY = "after_published"     # when Gradescope shows the hidden checks
#: the chainrule subcommands a student gets (``check`` only where ``checker`` exists)
STUDENT_COMMANDS = ("list", "grade", "classroom", "check")
#: what the Classroom workflow installs the grader from (copied out of the student's repository,
#: so that no other file there, a setup.py or a sitecustomize.py, runs in the job)
KIT_PATHS = ("chainrule", "chainrule_core", "grader", "setup.cfg", "pyproject.toml")
#: the paths the instructor marks protected in the assignment: the workflow and what it installs
PROTECTED_PATHS = (".github/**", "grader/**", "chainrule_core/**", "chainrule/**", "setup.cfg", "pyproject.toml")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: the share of each function's points its public test carries (the rest: the hidden checks).
#: Small, because a student copy holds the public inputs and their expected values: a
#: submission that looks them up earns only this share (``--public-share`` chooses another).
DEFAULT_PUBLIC_SHARE = 0.2
PYTHON_VERSION = "3.11"


# ---------------------------------------------------------------------- options
def parse_modules(modules):
    """Contract-ordered modules from ``modules`` (None, or names / comma-separated text)."""
    if modules is None:
        return list(CONTRACT)
    given = modules
    if isinstance(modules, str):
        modules = [modules]
    wanted = []
    for item in modules:
        for name in (part.strip() for part in str(item).split(",")):
            if not name:
                continue
            if name not in CONTRACT:
                if name in qualified_names():
                    raise ChainruleUsageError(
                        f"'{name}' is a function; --modules takes modules, such as "
                        f"'{name.split('.')[0]}' (a release hands out whole modules).")
                close = difflib.get_close_matches(name, list(CONTRACT), n=1, cutoff=0.6)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ChainruleUsageError(f"Unknown module '{name}' in --modules.{hint} "
                                          f"(the modules are {', '.join(CONTRACT)})")
            if name in wanted:
                raise ChainruleUsageError(f"--modules names '{name}' twice; give each module once.")
            wanted.append(name)
    if not wanted:
        shown = given if isinstance(given, str) else ",".join(map(str, given))
        raise ChainruleUsageError(f"--modules '{shown}' names no module; name at least one of "
                                  + ", ".join(CONTRACT) + ".")
    chosen = [m for m in CONTRACT if m in wanted]
    for module in chosen:
        missing = [m for m in skeleton_imports(module) if m not in chosen]
        if missing:
            needed = ",".join(m for m in CONTRACT if m in chosen or m in missing)
            raise ChainruleUsageError(
                f"--modules {','.join(chosen)} leaves out {', '.join(missing)}, which {module}.py imports; "
                f"hand out both: --modules {needed}.")
    return chosen


def skeleton_imports(module):
    """The contract modules that the skeleton ``module`` imports (``from .activations import``)."""
    path = ROOT / "exercises" / f"{module}.py"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    found = re.findall(r"^\s*from\s+(?:\.|exercises\.)(\w+)\s+import", text, re.M)
    return [m for m in CONTRACT if m in found and m != module]


def _toml():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def _line_of(text, qualname):
    """1-based line of ``text`` (TOML) that sets ``qualname`` (``"a.b" =``, ``a.b =`` or ``b =``
    under ``[a]``); 0 when it cannot be told."""
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\s*[\"']?([^\]\"']+)[\"']?\s*\]", stripped)
        if header:
            section = header.group(1).strip()
            continue
        key = re.match(r"""^(?:"([^"]*)"|'([^']*)'|([\w.\-]+))\s*=""", stripped)
        if not key:
            continue
        name = key.group(1) or key.group(2) or key.group(3)
        if (f"{section}.{name}" if section else name) == qualname:
            return number
    return 0


def load_points(path, modules):
    """``{module.function: points}`` from the TOML points file of ``--points``.

    Accepts ``"module.function" = N`` at the top level and ``[module]`` tables with
    ``function = N``. Every error names the file, the line and the value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChainruleUsageError(f"Cannot read the points file '{path}': {getattr(exc, 'strerror', None) or exc}.") from None
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else 0
        bad = text.splitlines()[line - 1].strip() if 0 < line <= len(text.splitlines()) else ""
        reason = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise ChainruleUsageError(f"Points file '{path}', line {line}: '{bad}' is not valid TOML ({reason}); "
                                  "write \"module.function\" = points, one per line.") from None
    flat = []
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, points in value.items():
                flat.append((f"{key}.{sub}", points))
        else:
            flat.append((key, value))
    released = {q for q in qualified_names() if q.split(".")[0] in modules}
    table = {}
    for qualname, points in flat:
        line = _line_of(text, qualname)
        where = f"Points file '{path}', line {line}"
        if qualname not in qualified_names():
            if qualname in CONTRACT:
                raise ChainruleUsageError(f"{where}: '{qualname}' is a module; give points per function, "
                                          f"e.g. \"{qualname}.{CONTRACT[qualname][0]}\" = 2.")
            close = difflib.get_close_matches(qualname, qualified_names(), n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ChainruleUsageError(f"{where}: '{qualname}' is not a contract function.{hint} "
                                      "(chainrule list shows them, as module.function)")
        if isinstance(points, bool) or not isinstance(points, (int, float)):
            raise ChainruleUsageError(f"{where}: {qualname} = {json.dumps(points, default=str)} is not a "
                                      "number of points; give a number such as 2 or 1.5.")
        from grader.release_settings import MAX_POINTS

        if not 0 <= points <= MAX_POINTS:      # NaN and infinity too
            raise ChainruleUsageError(f"{where}: {qualname} = {points!r} is not valid; points must be a "
                                      f"number from 0 to {MAX_POINTS:,}.")
        if qualname not in released:
            raise ChainruleUsageError(f"{where}: '{qualname}' is not in the released modules "
                                      f"({', '.join(modules)}); add its module to --modules or remove the line.")
        table[qualname] = float(points)
    return table


def hidden_seeds(count, public_seed, key):
    """``count`` seeds for the hidden checks, never the public one, derived with
    HMAC-SHA256 keyed by ``key`` (bytes): the course secret, or random bytes drawn for one
    build. Without the key nobody can tell them, and so nobody can record their values."""
    from grader.seeds import SEED_MODULUS

    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise ChainruleError("internal: the hidden seeds need a key of at least 16 bytes")
    seeds, k = [], 0
    while len(seeds) < count:
        digest = hmac.new(bytes(key), f"chainrule hidden seed {k}".encode(), hashlib.sha256).digest()
        seed = int.from_bytes(digest[:8], "big") % SEED_MODULUS
        if seed != public_seed and seed not in seeds:
            seeds.append(seed)
        k += 1
    return seeds


def check_public_share(share):
    """``share`` as a float in [0, 1]; a one-line usage error otherwise."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise ChainruleUsageError(f"--public-share {share} is not valid; give a fraction from 0 to 1, such as "
                                  f"{DEFAULT_PUBLIC_SHARE} (the public test's share of each function's points).")
    return value


#: the kit's own folders: a release copies from them, so it never writes into them
KIT_FOLDERS = ("chainrule", "chainrule_core", "checker", "docs", "exercises", "generator", "grader", "solutions",
               "tests")


def check_out(out, force):
    out = Path(out)
    real, root = Path(os.path.realpath(out)), Path(os.path.realpath(ROOT))
    if real == root or any(real == root / name or root / name in real.parents for name in KIT_FOLDERS):
        where = "the kit itself" if real == root else f"in the kit's own {real.relative_to(root).parts[0]}/ folder"
        raise ChainruleUsageError(f"--out '{out}' is {where}, which a release copies from; choose a folder "
                                  "outside the kit's packages (such as release/ beside them).")
    if out.exists() and not out.is_dir():
        raise ChainruleError(f"Output path '{out}' is a file, not a folder; choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ChainruleError(f"Output folder '{out}' is not empty; use --force to replace the release in it "
                             "or choose another --out.")


# ---------------------------------------------------------------------- what is copied
def _files(folder, skip_dirs=("__pycache__",)):
    """Every file below ``folder`` (relative POSIX paths, sorted), no caches."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip_dirs and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            found.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(found)


def mistake_sources():
    """The grader files that hold known-mistake code (relative to ``grader/``), and the
    packages made of nothing else: a student tree must not contain them."""
    from grader.specs import MISTAKES

    grader_dir = ROOT / "grader"
    files = set()
    for mistake in MISTAKES:
        source = Path(inspect.getsourcefile(mistake.impl)).resolve()
        files.add(source.relative_to(grader_dir).as_posix())
    # a package whose modules all hold mistakes goes as a whole (its __init__ included)
    for folder in {str(Path(f).parent) for f in files if "/" in f}:
        modules = [f"{folder}/{n}" for n in _files(grader_dir / folder) if n.endswith(".py") and "/" not in n]
        if all(m in files or m.endswith("/__init__.py") for m in modules):
            files.update(modules)
    return sorted(files)


def grader_files(student):
    """``grader/`` files to copy: all of them for the autograder, all but the mistake
    sources for a student (never a ``data/`` folder of this checkout)."""
    files = [f for f in _files(ROOT / "grader") if not f.startswith("data/")]
    if student:
        excluded = set(mistake_sources())
        files = [f for f in files if f not in excluded]
    return files


def checker_available():
    """The practice-sheet checker ships with students only when it exists and its command
    needs nothing of the generator."""
    check = ROOT / "chainrule" / "commands" / "check.py"
    if not (ROOT / "checker" / "__init__.py").is_file() or not check.is_file():
        return False
    return not re.search(r"^\s*(from|import)\s+generator\b", check.read_text(encoding="utf-8"), re.M)


def student_command_files():
    """The ``chainrule`` package files a student gets: the CLI shell and the command
    modules of ``STUDENT_COMMANDS`` (looked up in ``COMMANDS``)."""
    from chainrule.cli import COMMANDS

    files = ["chainrule/__init__.py", "chainrule/__main__.py", "chainrule/cli.py",
             "chainrule/commands/__init__.py"]
    for name in STUDENT_COMMANDS:
        if name == "check" and not checker_available():
            continue
        if name in COMMANDS:
            module = COMMANDS[name].split(":")[0]
            files.append(module.replace(".", "/") + ".py")
    # ``from chainrule.notebook import check`` in a notebook the course hands out (its
    # package __init__ needs only the grader; building notebooks stays with the instructor)
    if (ROOT / "chainrule" / "notebook" / "__init__.py").is_file():
        files.append("chainrule/notebook/__init__.py")
    return files


# ---------------------------------------------------------------------- hints
_CODE = re.compile(r"\b(np|rng|numpy)\.\w+|\w\[[^\]]*\]")


def _reference_lines(module):
    """Normalised statements of the reference module (what a hint must not quote)."""
    import ast

    path = ROOT / "solutions" / f"{module}.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Return, ast.Assign, ast.AugAssign, ast.Expr)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue    # a docstring
            value = node.value if node.value is not None else node
            text = _normal(ast.unparse(value))
            if len(text) >= 12:
                lines.append(text)
    return lines


def _normal(text):
    return re.sub(r"\s+|\bnp\.|\bnumpy\.", "", text)


def student_hint(mistake, _cache={}):
    """The hint a student tree carries: the catalog's, unless it quotes code (a NumPy call,
    indexing, or a statement of the reference), then the mistake's name in words."""
    module = mistake.function.split(".")[0]
    if module not in _cache:
        _cache[module] = _reference_lines(module)
    hint = mistake.hint
    quoted = _normal(hint)
    if _CODE.search(hint) or any(line in quoted for line in _cache[module]):
        words = mistake.name.replace("-", " ")
        return (f"Your result matches a known mistake ({words}); compare your code with the "
                "function's docstring and the TODO hint.")
    return hint


# ---------------------------------------------------------------------- deterministic files
def _zip_info(name, mode=0o644):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = (0o100000 | mode) << 16
    return info


def _zip_bytes(entries):
    """A zip of ``{name: (bytes, mode)}``: sorted names, fixed times, modes and system."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            if name.startswith("/") or ".." in name.split("/"):
                raise ChainruleError(f"internal: unsafe zip entry '{name}'")
            data, mode = entries[name]
            archive.writestr(_zip_info(name, mode), data, compresslevel=9)
    return buffer.getvalue()


def _normalized_npz(path):
    """Rewrite an .npz (a zip) with fixed timestamps: numpy stamps the current time."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: (archive.read(name), 0o644) for name in archive.namelist()}
    write_atomic(path, _zip_bytes(entries))


def _record(data_dir, seeds, functions, with_mistakes):
    from grader import record
    from grader import recorded_mistakes

    data_dir.mkdir(parents=True, exist_ok=True)
    record(str(data_dir / "recorded.npz"), seeds=seeds, only=functions)
    _normalized_npz(data_dir / "recorded.npz")
    if with_mistakes:
        recorded_mistakes.record(data_dir / "mistakes.npz", seeds=seeds, only=functions, hint=student_hint)
        _normalized_npz(data_dir / "mistakes.npz")


def _write(path, data):
    write_atomic(path, data)
    os.chmod(path, 0o644)


def _copy(src_root, rel, dst_root, as_rel=None):
    dst = Path(dst_root, as_rel or rel)
    dst.parent.mkdir(parents=True, exist_ok=True)
    _write(dst, Path(src_root, rel).read_bytes())


# ---------------------------------------------------------------------- the build
def build(out, modules=None, points_file=None, hidden=DEFAULT_HIDDEN_SEEDS, hidden_visibility=DEFAULT_VISIBILITY,
          force=False, progress=None, public_share=DEFAULT_PUBLIC_SHARE, secret_file=None, discard_changes=False):
    """Write a release into ``out``; returns a dict describing what was written.

    ``public_share``: the fraction of each function's points its public test carries (at
    1 the hidden checks would carry nothing: there are none then, whatever ``hidden``);
    ``secret_file``: the course secret the hidden seeds are derived from (None: random
    bytes drawn now, so that only this build's ``autograder.zip`` knows the seeds);
    ``discard_changes``: with ``force``, replace and remove files that no longer hold what
    a release wrote there (refused otherwise: ``_install``)."""
    from grader import DEFAULT_SEED
    from grader.release_settings import effective_points
    POINTS = effective_points()

    say = progress or (lambda text: None)
    out = Path(out)
    modules = parse_modules(modules)
    if hidden_visibility not in VISIBILITIES:
        raise ChainruleUsageError(f"Visibility '{hidden_visibility}' is not valid; use one of "
                                  f"{', '.join(VISIBILITIES)}.")
    if int(hidden) < 0:
        raise ChainruleUsageError(f"--hidden-seeds {hidden} is not valid; give 0 or more.")
    share = check_public_share(public_share)
    if secret_file is not None:
        from chainrule_core.secret import load

        key = hmac.new(load(secret_file), b"chainrule release hidden seeds", hashlib.sha256).digest()
    else:
        key = secrets.token_bytes(32)
    functions = [q for q in qualified_names() if q.split(".")[0] in modules]
    points = {q: POINTS[q] for q in functions}
    if points_file is not None:
        points.update(load_points(points_file, modules))
    check_out(out, force)
    try:
        import solutions  # noqa: F401 - the recordings need the live reference
    except ImportError:
        raise ChainruleError("chainrule release records the expected values with the reference, but the "
                             "'solutions' package cannot be imported; run it from the kit's checkout.") from None
    public_seed = DEFAULT_SEED
    seeds = hidden_seeds(int(hidden) if share < 1.0 else 0, public_seed, key)
    settings = {"functions": functions, "points": points}
    from grader.release_settings import new_inputs

    public_only = [q for q in functions if seeds and not any(new_inputs(q, public_seed, seeds).values())]

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".chainrule-release-", dir=out.parent))
    except OSError as exc:      # the release is built beside --out, then moved into it
        raise ChainruleError(f"Cannot write the release to '{out}': {exc.strerror or exc} (it is built in "
                             f"'{out.parent}' first, then moved into place).") from None
    try:
        say("student repository")
        student = staging / "student"
        _build_student(student, modules, functions, points, settings, public_seed, share if seeds else 1.0,
                       hidden=bool(seeds))
        say("Gradescope autograder")
        _build_autograder(staging / "autograder.zip", modules, settings, public_seed, seeds,
                          hidden_visibility, share)
        say("instructor notes")
        _write_instructor(staging / "instructor" / "README.md", modules, points, public_seed, seeds,
                          hidden_visibility, share, public_only, secret_file is not None)
        installed = _install(staging, out, discard_changes=discard_changes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {**installed, "out": str(out), "modules": modules, "functions": len(functions),
            "max_score": round(sum(points.values()), 2), "public_seed": public_seed,
            "hidden_seeds": seeds, "public_share": share, "public_only": public_only,
            "seeds_from": "secret" if secret_file is not None else "random"}


LISTING = ".chainrule-release"
_LISTING_HEAD = ("# The files chainrule release wrote here, one a line: the SHA-256 of what it wrote, two spaces,\n"
                 "# the path. A rebuild with --force replaces them and removes those it no longer writes, but\n"
                 "# only while they hold what a release wrote; it never touches .git or any other file.\n")
_HASHED_LINE = re.compile(r"([0-9a-f]{64})  (.+)")


def _digest(path):
    """SHA-256 (hex) of the file ``path``; None for a link, a folder or nothing."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _listed(out):
    """What an earlier release wrote into ``out`` (its listing): ``{path: hashes}``, the
    relative POSIX path and the set of contents (SHA-256) a release left there (two while
    an install was under way), None among them for a line of an older kit, which records
    no content. None without a listing. A line that leaves the folder or enters ``.git``
    is ignored."""
    try:
        text = (Path(out) / LISTING).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = {}
    for line in text.splitlines():
        hashed = _HASHED_LINE.fullmatch(line.strip())
        digest, rel = hashed.groups() if hashed else (None, line.strip())
        parts = rel.split("/")
        if (not rel or rel.startswith("#") or rel.startswith("/") or "\\" in rel
                or any(part in ("", ".", "..", ".git") for part in parts) or rel == LISTING):
            continue
        found.setdefault(rel, set()).add(digest)
    return found


def _write_listing(out, table):
    """The listing of ``{path: hashes}`` (one line per path and content, sorted)."""
    lines = [f"{digest}  {rel}" if digest else rel
             for rel in sorted(table) for digest in sorted(table[rel], key=lambda d: d or "")]
    _write(Path(out) / LISTING, _LISTING_HEAD + "".join(f"{line}\n" for line in lines))


def shown(paths, limit=8):
    """``a, b, c`` (at most ``limit`` of them, then "and N more")."""
    paths = list(paths)
    more = len(paths) - limit
    return ", ".join(paths[:limit]) + (f" and {more} more" if more > 0 else "")


def _install(staging, out, discard_changes=False):
    """Move the release built in ``staging`` into ``out`` file by file; returns what it did.

    Every file the release writes replaces the one of that name; of the files an earlier
    release wrote (``out``'s listing), those this one does not write are removed, with the
    folders they leave empty. Nothing else in ``out`` is touched: not ``.git`` (the
    instructor README makes ``student/`` a repository), not a file the instructor added.

    Nobody's work is lost: the listing records the SHA-256 of every file written, and a
    file that no longer holds what a release wrote (a student's or the instructor's edit,
    committed or not), or that no release wrote, is neither replaced nor removed: the
    install is refused before anything moves (ChainruleError naming the files), unless
    ``discard_changes``. A listing of an older kit records no content: its files are
    replaced as before and returned as ``unchecked``.

    The listing is written first as the union of both releases (both contents of a file
    being replaced), so that an interrupted install is cleaned up by the next one, and
    last as this release's files."""
    new = {Path(root, name).relative_to(staging).as_posix(): None
           for root, _dirs, files in os.walk(staging) for name in files}
    for rel in new:
        new[rel] = _digest(staging / rel)
    new = dict(sorted(new.items()))
    out.mkdir(parents=True, exist_ok=True)
    # refuse before moving anything: a folder where a file goes, or a file where a folder goes
    for rel in new:
        target = out / rel
        if target.is_dir() and not target.is_symlink():
            raise ChainruleError(f"'{target}' is a folder, and this release writes a file there; "
                                 "move it away and build again.")
        for parent in list(Path(rel).parents)[:-1]:
            above = out / parent
            if (above.exists() or above.is_symlink()) and not above.is_dir():
                raise ChainruleError(f"'{above}' is a file, and this release writes a folder there; "
                                     "move it away and build again.")
    old = _listed(out)
    listed = old or {}
    # never write or remove through a link: a folder of the release that is a link (to
    # somewhere else), or a listed path under one, would reach outside ``out``
    for rel in list(new) + [r for r in listed if r not in new]:
        linked = _linked_part(out, rel)
        if linked is not None:
            raise ChainruleError(f"'{out / linked}' is a link, and this release writes or removes '{rel}' through "
                                 "it; a release never works through a link (it could reach outside "
                                 f"'{out}'). Replace the link by a plain folder, or move it away, and build again.")
    # a listing of an older kit records no content at all; in one that does, a line without
    # it is not what a release wrote (an edit of the listing): its file is never trusted
    older_kit = bool(listed) and all(None in digests for digests in listed.values())
    # what would be lost: (path, why) of every file replaced or removed that holds other content
    lost, unchecked, replaced, removed = [], [], [], []
    for rel, digest in new.items():
        target = out / rel
        if not (target.exists() or target.is_symlink()):
            continue
        current = _digest(target)
        if current == digest:
            continue
        replaced.append(rel)
        if rel not in listed:
            if old is None or older_kit:
                unchecked.append(rel)           # no listing, or an older kit's: as before
            else:
                lost.append((rel, "not written by a release"))
        elif older_kit:
            unchecked.append(rel)
        elif current not in listed[rel]:
            lost.append((rel, "edited since the release wrote it"))
    for rel, digests in listed.items():
        target = out / rel
        if rel in new or not (target.is_file() or target.is_symlink()):
            continue
        removed.append(rel)
        if older_kit:
            unchecked.append(rel)
        elif _digest(target) not in digests:
            lost.append((rel, "edited; this release no longer writes it and would remove it"))
    if lost and not discard_changes:
        count = len(lost)
        raise ChainruleError(
            f"--force would lose work in '{out}': {count} file{'s' if count != 1 else ''} "
            f"{'hold' if count != 1 else 'holds'} what no release wrote: "
            + shown([f"{rel} ({why})" for rel, why in lost], limit=20)
            + f". Nothing was replaced. Move {'them' if count != 1 else 'it'} out of '{out}' and build again, "
            "or add --discard-changes to replace and remove them.")
    union = {rel: set(digests) for rel, digests in listed.items()}
    for rel, digest in new.items():
        union.setdefault(rel, set()).add(digest)
    _write_listing(out, union)
    for rel in new:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, target)
    for rel in removed:
        target = out / rel
        target.unlink()
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    _write_listing(out, {rel: {digest} for rel, digest in new.items()})
    return {"listing": None if old is None else ("old" if any(None in d for d in listed.values()) else "hashed"),
            "discarded": [(rel, "removed" if rel in removed else "replaced") for rel, _why in lost],
            "unchecked": sorted(set(unchecked)), "student_update": _student_update(listed if old else None, new)}


def _linked_part(out, rel):
    """The first folder of ``rel`` (below ``out``) that is a symbolic link, or None."""
    parts = Path(rel).parts[:-1]
    for i in range(1, len(parts) + 1):
        if (Path(out) / Path(*parts[:i])).is_symlink():
            return Path(*parts[:i])
    return None


def _student_update(old, new):
    """What changed in ``student/`` since the release listed in ``old`` (``{path: hashes}``
    of a hashed listing; None: unknown): ``{"changed": [...], "removed": [...]}``, paths
    relative to ``student/`` (``added``: those among ``changed`` that are new); None when it cannot be told (no listing, or an older kit's)."""
    if not old or any(None in digests for digests in old.values()):
        return None
    prefix = "student/"
    changed = [rel[len(prefix):] for rel, digest in new.items()
               if rel.startswith(prefix) and digest not in old.get(rel, ())]
    added = [rel[len(prefix):] for rel in new if rel.startswith(prefix) and rel not in old]
    removed = [rel[len(prefix):] for rel in old if rel.startswith(prefix) and rel not in new]
    return {"changed": sorted(changed), "added": sorted(added), "removed": sorted(removed)}


def _is_exercise(rel):
    """A student's own module: ``exercises/<module>.py`` of a contract module."""
    parts = rel.split("/")
    return len(parts) == 2 and parts[0] == "exercises" and parts[1][:-3] in CONTRACT and parts[1].endswith(".py")


def student_update_steps(update):
    """Lines telling the instructor what changed in ``student/`` since the last release
    (``update``: ``_student_update``'s) and the git commands that bring exactly that into a
    student's repository. A Classroom repository made from the template has a history of
    its own, so ``git pull`` from the template fails (unrelated histories); the commands
    take the changed files from the template's commit instead, merge a changed exercise
    skeleton into the student's own code (``git apply -3``, conflicts marked in the file),
    and never touch a module the student wrote that this release no longer hands out."""
    changed, removed = update["changed"], update["removed"]
    if not changed and not removed:
        return ["student/ is unchanged since the last release in this folder: students have nothing to update."]
    merge = [rel for rel in changed if _is_exercise(rel) and rel not in update.get("added", ())]
    # a module handed out (again): the student may hold their own copy from an earlier
    # release, which a checkout would replace; it is taken only where the repository has none
    fresh = [rel for rel in changed if _is_exercise(rel) and rel in update.get("added", ())]
    take = [rel for rel in changed if rel not in merge and rel not in fresh]
    drop = [rel for rel in removed if not _is_exercise(rel)]
    dropped = [rel for rel in removed if _is_exercise(rel)]
    parts = []
    if changed:
        parts.append(f"{len(changed)} file{'s' if len(changed) != 1 else ''} changed or added "
                     f"({shown(changed, limit=6)})")
    if removed:
        parts.append(f"{len(removed)} removed ({shown(removed, limit=6)})")
    lines = [f"student/ changed since the last release in this folder: {' and '.join(parts)}.",
             "Hand it out: commit student/ and push it to your template repository; then in each student "
             "repository (the student's clone, or yours), with its work committed, run:",
             "  git fetch TEMPLATE_URL main"]
    if take:
        lines.append("  git checkout FETCH_HEAD -- " + " ".join(take))
    if drop:
        lines.append("  git rm -q --ignore-unmatch -- " + " ".join(drop))
    for rel in fresh:
        lines.append(f"  git cat-file -e HEAD:{rel} 2>/dev/null || git checkout FETCH_HEAD -- {rel}")
    for rel in merge:   # (an empty change is skipped: git apply refuses an empty patch)
        base = "$(git rev-list --max-parents=0 HEAD) FETCH_HEAD -- " + rel
        lines.append(f"  git diff --quiet {base} || git diff {base} | git apply -3")
    lines.append('  git commit -m "Update from the template"')
    lines.append("TEMPLATE_URL is your template repository's address (main: its branch). git pull from the "
                 "template does not work: a repository made from a template has a history of its own.")
    if merge:
        lines.append(f"{' and '.join(merge)} {'are' if len(merge) != 1 else 'is'} the student's own code: "
                     "git apply -3 merges the skeleton's change into it and marks a conflict in the file "
                     "(<<<<<<<) for the student to resolve; nothing of their work is lost.")
    if dropped:
        lines.append(f"No longer handed out: {', '.join(dropped)}; the students' copies are their work, "
                     "left alone by these commands.")
    return lines


def percent(share):
    """``0.2`` as ``20%`` (the share of the points a public test carries)."""
    return f"{round(float(share) * 100, 4):g}%"


def released_contract(text, modules):
    """The contract document ``text`` (docs/CONTRACT.md) for a release of ``modules``: the
    whole text when every module is released; else only the sections of the released modules
    (``## exercises/<module>.py``), with a note after the title naming them."""
    if list(modules) == list(CONTRACT):
        return text
    parts = re.split(r"^(?=## exercises/)", text, flags=re.M)
    kept = [parts[0]]
    for part in parts[1:]:
        found = re.match(r"## exercises/(\w+)\.py", part)
        if found and found.group(1) in modules:
            kept.append(part)
    named = ", ".join(f"`{m}`" for m in modules)
    count = len(modules)
    note = (f"**This release hands out {count} of the {len(CONTRACT)} module{'s' if len(CONTRACT) != 1 else ''}: "
            f"{named}.** Only {'its section follows' if count == 1 else 'their sections follow'}; where the "
            "general rules name a function of another module, it is not part of this release.")
    note = "\n" + textwrap.fill(note, width=90, initial_indent="> ", subsequent_indent="> ",
                                break_on_hyphens=False, break_long_words=False) + "\n"
    head, sep, rest = kept[0].partition("\n")
    return (head + sep + note + rest + "".join(kept[1:])).rstrip("\n") + "\n"


def _build_student(student, modules, functions, points, settings, public_seed, share, hidden=True):
    exercises = ROOT / "exercises"
    for rel in _files(exercises):
        stem = rel[:-3] if rel.endswith(".py") else None
        if stem in CONTRACT and stem not in modules:
            continue
        _copy(exercises, rel, student / "exercises")
    for rel in grader_files(student=True):
        _copy(ROOT / "grader", rel, student / "grader")
    for rel in _files(ROOT / "chainrule_core"):
        _copy(ROOT / "chainrule_core", rel, student / "chainrule_core")
    for rel in student_command_files():
        _copy(ROOT, rel, student)
    with_checker = checker_available()
    if with_checker:
        for rel in _files(ROOT / "checker"):
            _copy(ROOT / "checker", rel, student / "checker")
    if (ROOT / "docs" / "CONTRACT.md").is_file():
        text = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
        (student / "docs").mkdir(parents=True, exist_ok=True)
        _write(student / "docs" / "CONTRACT.md", released_contract(text, modules))
    data = student / "grader" / "data"
    _record(data, [public_seed], functions, with_mistakes=True)
    _write(data / "release.json", json.dumps(settings, indent=2, sort_keys=True) + "\n")
    _write(student / "setup.cfg", _student_setup_cfg(with_checker))
    _write(student / "pyproject.toml", _PYPROJECT)
    _write(student / ".gitignore", "__pycache__/\n*.egg-info/\n.venv/\nbuild/\n")
    _write(student / "README.md", _student_readme(modules, points, with_checker, share, hidden))
    _write(student / ".github" / "workflows" / "classroom.yml", CLASSROOM_WORKFLOW)
    _smoke_test(student, functions)


_SMOKE = """
import json, sys
from grader import grade_submission
result = grade_submission(sys.argv[1])
print(json.dumps({"oracle": result.oracle, "functions": list(result.functions),
                  "statuses": sorted({c.status for f in result.functions.values() for c in f.cases})}))
"""


def _smoke_test(student, functions):
    """Grade the student tree's own skeleton with the student tree's grader alone (no
    checkout, no solutions on the path): every released function must come out "not
    implemented" against the recording. A grader whose copy misses a file it needs (say,
    cases that moved into a file with mistake code) is caught here, not by the class."""
    import subprocess
    import sys

    import numpy

    student = Path(student).resolve()  # the child runs in another folder: a relative --out must still resolve
    site = str(Path(numpy.__file__).resolve().parents[1])
    code = f"import sys; sys.path[:0] = [{str(student)!r}, {site!r}]\n" + _SMOKE
    work = tempfile.mkdtemp(prefix="chainrule-smoke-")
    try:
        shutil.copytree(student / "exercises", Path(work) / "exercises")
        done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code, str(Path(work) / "exercises")],
                              capture_output=True, text=True, timeout=600, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChainruleError(f"The student grader built in '{student}' does not run on its own ({last}); "
                             "a file it imports is missing from the copy.") from None
    if (not report["oracle"].startswith("the recording") or report["functions"] != functions
            or report["statuses"] != ["not-implemented"]):
        raise ChainruleError(f"The student grader built in '{student}' does not grade its own skeleton as "
                             f"expected (oracle {report['oracle']}, statuses {report['statuses']}).")


def _build_autograder(path, modules, settings, public_seed, seeds, visibility, share):
    entries = {}
    for rel in grader_files(student=False):
        entries[f"grader/{rel}"] = ((ROOT / "grader" / rel).read_bytes(), 0o644)
    for rel in _files(ROOT / "chainrule_core"):
        entries[f"chainrule_core/{rel}"] = ((ROOT / "chainrule_core" / rel).read_bytes(), 0o644)
    with tempfile.TemporaryDirectory() as tmp:
        _record(Path(tmp), [public_seed, *seeds], settings["functions"], with_mistakes=False)
        entries["grader/data/recorded.npz"] = ((Path(tmp) / "recorded.npz").read_bytes(), 0o644)
    entries["grader/data/release.json"] = (json.dumps(settings, indent=2, sort_keys=True).encode() + b"\n", 0o644)
    config = {"modules": modules, "public_seed": public_seed, "hidden_seeds": seeds,
              "hidden_visibility": visibility, "public_share": share, "kit_version": __version__}
    entries["autograder.json"] = (json.dumps(config, indent=2, sort_keys=True).encode() + b"\n", 0o644)
    entries["autograder.py"] = ((ROOT / "chainrule" / "release_autograder.py").read_bytes(), 0o644)
    entries["requirements.txt"] = (b"numpy>=1.22\n", 0o644)
    entries["setup.sh"] = (SETUP_SH.encode(), 0o755)
    entries["run_autograder"] = (RUN_AUTOGRADER.encode(), 0o755)
    write_atomic(path, _zip_bytes(entries))
    os.chmod(path, 0o644)


# ---------------------------------------------------------------------- texts
_PYPROJECT = """[build-system]
requires = ["setuptools>=64", "wheel"]
build-backend = "setuptools.build_meta"
"""


def _student_setup_cfg(with_checker):
    packages = ["chainrule", "chainrule.*", "chainrule_core", "chainrule_core.*", "grader", "grader.*"]
    if with_checker:
        packages += ["checker", "checker.*"]
    requires = ["numpy>=1.22", "click>=8.2"]
    # tomllib for practice sheets' answers.toml: the checker's, and your_worksheet.ipynb's beside()
    if with_checker or (ROOT / "chainrule" / "notebook" / "__init__.py").is_file():
        requires.append('tomli>=1.1; python_version < "3.11"')
    return f"""[metadata]
name = chainrule-exercises
version = {__version__}
description = Exercises on the mathematics of neural-network training, with their grader
long_description = file: README.md
long_description_content_type = text/markdown

[options]
python_requires = >=3.10
packages = find:
include_package_data = True
install_requires =
{''.join(f'    {r}{chr(10)}' for r in requires)}
[options.packages.find]
include =
{''.join(f'    {p}{chr(10)}' for p in packages)}
[options.package_data]
grader = data/*

[options.entry_points]
console_scripts =
    chainrule = chainrule.cli:run
"""


def _points_table(modules, points):
    lines = ["| module | functions | points |", "|---|---|---|"]
    for module in modules:
        names = [q for q in points if q.split(".")[0] == module]
        lines.append(f"| `{module}` | {len(names)} | {sum(points[q] for q in names):g} |")
    lines.append(f"| **total** | {len(points)} | {sum(points.values()):g} |")
    return "\n".join(lines)


def _share_text(share):
    if share >= 1.0:
        return ""
    return (f" On the course's autograder the public checks carry {percent(share)} of each function's points "
            "and the hidden checks the rest.")


def _checks_text(hidden, share):
    """The student README's section on what is checked, as the release's options have it."""
    if not hidden:
        return """## The checks

`chainrule grade` runs the checks: fixed inputs whose expected values are recorded in
`grader/data/` (this repository holds no reference solution). The course's autograder runs
these same checks (this release has no hidden checks), so a function earns there the points
it earns here. The commands its tests show (`Rerun case 4: chainrule grade --only ...`) are
for your own repository: run them here."""
    return f"""## Public and hidden checks

`chainrule grade` runs the **public checks**: fixed inputs whose expected values are
recorded in `grader/data/` (this repository holds no reference solution). The final grade
also runs **hidden checks**: the same functions on other inputs, which only the course's
autograder has. Code that computes the right formula passes both; code tuned to the
public numbers does not.{_share_text(share)} The commands the autograder's tests show
(`Rerun case 4: chainrule grade --only ...`) are for your own repository: run them here.
They rerun the public checks; a hidden check's inputs are never shown."""


def _grade_example(modules):
    """``(module, module.function)`` for the README's ``--only`` example, from the released modules."""
    if "optimizers" in modules:
        return "optimizers", "optimizers.adam_step"
    return modules[0], f"{modules[0]}.{CONTRACT[modules[0]][0]}"


def _calls_example(modules):
    """``(module.function, name)``: a released function whose skeleton says it calls ``name``,
    a function of another released module (``network.forward`` calls ``sigmoid``); None
    when no released function calls another module's."""
    for module in sorted(modules, key=lambda m: m != "network"):
        try:
            text = (ROOT / "exercises" / f"{module}.py").read_text(encoding="utf-8")
        except OSError:
            continue
        imported = []
        for source, names in re.findall(r"^\s*from\s+(?:\.|exercises\.)(\w+)\s+import\s+([\w, ]+)$", text, re.M):
            if source in modules and source != module:
                imported += [n.strip() for n in names.split(",") if n.strip() and not n.strip().startswith("_")]
        blocks = re.split(r"^def ", text, flags=re.M)[1:]
        for block in blocks:
            name = block.split("(", 1)[0]
            if name.startswith("_") or name not in CONTRACT[module]:
                continue
            for called in imported:
                if re.search(rf"\b{re.escape(called)}\(", block):
                    return f"{module}.{name}", called
    return None


def _two_scores_text(points):
    """Which of the two scores in the Classroom reporter's log is the grade, with an example
    made of this release's own functions (CI-FORMATS.md: the reporter's counts and
    percentages count a test passed only at full marks; the points it sends to Classroom add
    up every test's score)."""
    names = list(points)
    total = sum(points.values())
    short = max(1, len(names) // 5)                 # the last functions pass half their cases
    earned = total - sum(points[q] for q in names[-short:]) / 2
    full = len(names) - short
    return f"""The reporter step's log shows two scores, for example `Total points: {earned:.2f}/{total:g}` and
`Grand total points: {100 * full / len(names):.2f}/100`. The score Classroom records is the **points**: the sum of
every function's partial score (a function that passes half its cases earns half its
points), the same number as the `Total:` line of `chainrule grade` and the heading of the
job's summary page, and what the reporter sends to Classroom (`Points {earned:g}/{total:g}` in the
run's annotations). The other is the reporter's own count of functions at full marks: its
✅/❌ per function, its "tests passed" and its percentages count a function as passed only
when all its cases pass, and every function the same whatever its points (here {full} of
{len(names)} functions). It is not the score Classroom records, and it may be above or below
your points in percent."""


#: what a student who works in the course's notebooks installs (the student README; the
#: notebooks' own first cell says the same, ``chainrule.notebook.build.SETUP``)
NOTEBOOK_SETUP = """If your course hands the exercises out as notebooks (`{notebook}.ipynb` and the others,
each with its percent script, `{notebook}.pct.py`; `your_worksheet.ipynb` for the network
of your own worksheet), run them in the environment set up above, with Jupyter added to it:

```bash
. .venv/bin/activate
pip install jupyterlab      # then: jupyter lab, in the notebooks' folder
```

In VS Code, `pip install ipykernel` instead and choose this `.venv` as the notebooks'
kernel. A notebook run in another environment stops at its first cell with "No module
named 'chainrule'". In a notebook, `check("{first}")` grades a function as the
notebook defines it now, with the feedback of `chainrule grade`. A notebook cannot import
another: a function of another notebook that yours uses is pasted into a cell. Grading runs
with NumPy and the standard library only: plot as you like, in cells of their own
(`%matplotlib`, the matplotlib imports and the lines that plot are left out when grading,
with a note, as are `display()`, the `IPython.display` imports and pandas' `.plot()`), and
use no other library (scipy, pandas) in the functions.

The percent script needs no Jupyter: `python {notebook}.pct.py` runs it and prints its
checks' reports, and `chainrule grade {notebook}.pct.py` grades it. Hand in the notebook;
after working in the script, write the notebook from it (`pip install jupytext`, then
`jupytext {notebook}.pct.py -o {notebook}.ipynb`)."""


def _student_readme(modules, points, with_checker, share, hidden=True):
    check = ("\nchainrule check answers.toml                # checks your worksheet answers (practice sheets)"
             if with_checker else "")
    module, function = _grade_example(modules)
    notebook = "activations" if "activations" in modules else modules[0]
    only = f"chainrule grade --only {module}".ljust(44)
    calls = _calls_example(modules)
    calls = (f"\nA function that calls another of yours (`{calls[0]}` calls your `{calls[1]}`) fails with\n"
             "it: fix the functions it uses first." if calls else "")
    return f"""# Neural-network training exercises

Implement the NumPy functions in `exercises/` ({', '.join(f'`{m}.py`' for m in modules)}).
Every function has its signature, a docstring saying exactly what to compute, and a
`# TODO` with a hint. `docs/CONTRACT.md` sums up every function's formula.

## Set up (once)

```bash
python3 -m venv .venv && . .venv/bin/activate
pip install -e .
```

That installs NumPy, click and the `chainrule` command (Python 3.10 or later).

## Grade your work

```bash
chainrule grade                              # grades ./exercises and explains every failure
{only} # one module (or --only {function})
chainrule list                               # every function, as module.function{check}
```

Reading a report: the first lines give every function (PASS, FAIL or TODO) with its
points, in proportion to the cases it passes. Each failing function then gets at most one
hint (a known mistake its output matches, or what your numbers look like: negated, scaled,
transposed, ...) and its first failing case in full: the inputs, what is wrong (not
implemented yet, the exception and the line of your code that raised it, a wrong shape or
dtype, NaN, an input you modified), which of its outputs are right and which wrong, and
which numbers differ and by how much (in the layout of `numpy.testing.assert_allclose`,
with the tolerance). The other failing cases get one line each; the function ends with
the command that reruns its first failing case, and `--verbose` shows every case in full.{calls}
A function that passes but whose computation warned (an overflow in `np.exp`, a division
by zero) keeps its points and is marked `warned:` here, on the course's autograder and on
Classroom: `docs/CONTRACT.md` asks for no such warnings. A module file missing from the
folder is reported as missing ("{modules[-1]}.py is not in your submission"), its functions 0 points.
Your code runs in a separate process with time and
memory limits: an infinite loop or a crash costs only the function it is in. A notebook is
graded the same way: `chainrule grade {notebook}.ipynb` (or a folder of `<module>.ipynb`).

## Notebooks

{NOTEBOOK_SETUP.format(notebook=notebook, first=f'{notebook}.{CONTRACT[notebook][0]}')}

## Points

{_points_table(modules, points)}

{_checks_text(hidden, share)}

## GitHub Classroom

Every push runs `.github/workflows/classroom.yml`, which grades your exercises the same
way and reports the points to Classroom; the job's summary page shows the full report.
{_two_scores_text(points)}

Until every function is at full marks the run
shows as failed (a red ✗, and GitHub may e-mail "Run failed"): that is how Classroom shows
points still to earn, not a broken setup; the summary page says which. Do not edit `.github/`, `grader/`,
`chainrule/`, `chainrule_core/`, `setup.cfg` or `pyproject.toml`: the workflow installs the grader
from them alone, your instructor may check that they are unchanged, and the grade that
counts comes from {'the hidden checks' if hidden else "the course's autograder, which has its own copy of the grader"}.
"""


CLASSROOM_WORKFLOW = f"""name: Autograding Tests
on:
  - push
  - repository_dispatch
  - workflow_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "{PYTHON_VERSION}"
      - name: Grade the exercises
        id: grade
        timeout-minutes: 10
        # The grader is installed from a copy of its protected paths only, never built from
        # the repository itself (pip install -e . there would run a setup.py the student
        # added): nothing outside those paths but exercises/ runs in this job.
        run: |
          kit="$(mktemp -d)"
          cp -R {' '.join(KIT_PATHS)} "$kit/"
          pip install --quiet --disable-pip-version-check "$kit"
          chainrule classroom exercises
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: "${{{{ steps.grade.outputs.result }}}}"
        with:
          runners: grade
"""


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# It installs what grading needs with python3 -m pip: into the active virtual environment
# when one is active, else into the system's Python.
set -euo pipefail
# requirements.txt beside this script, wherever it is run from; a copy run from elsewhere
# (/autograder/setup.sh) reads the one in AUTOGRADER_ROOT's source/ folder (default /autograder)
requirements="$(cd "$(dirname "$0")" && pwd)/requirements.txt"
if [ ! -f "$requirements" ]; then
    requirements="${AUTOGRADER_ROOT:-/autograder}/source/requirements.txt"
fi
if [ ! -f "$requirements" ]; then
    echo "setup.sh: requirements.txt is neither beside this script nor in $(dirname "$requirements")/; unzip autograder.zip there." >&2
    exit 1
fi
if python3 -m pip install --disable-pip-version-check --no-input -r "$requirements"; then
    exit 0
fi
if [ -z "${VIRTUAL_ENV:-}" ]; then
    # a system Python that refuses pip (PEP 668): the image is Gradescope's own
    python3 -m pip install --disable-pip-version-check --no-input --break-system-packages -r "$requirements"
else
    exit 1
fi
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission (as root). AUTOGRADER_ROOT (default
# /autograder) holds source/ (this zip), submission/ and results/.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
exec python3 "$ROOT/source/autograder.py"
"""


def _hidden_text(seeds, share, public_only, from_secret, visibility):
    """Step 3 of the Gradescope section: what the hidden checks are and what they weigh."""
    if not seeds:
        option = "--public-share 1" if share >= 1.0 else "--hidden-seeds 0"   # the one that left them out
        return (f"3. Public checks are visible at once. This release has no hidden checks (`{option}`): each function's points come from "
                "its public test, whose inputs and expected values are in the student repository. A "
                "submission that looks them up gets full marks: use hidden seeds for summative grades.")
    origin = ("derived from your course secret (`--secret-file`): the same secret gives the same seeds"
              if from_secret else
              "drawn from random bytes when this release was built (`--secret-file FILE` derives them "
              "from a course secret instead, so that a rebuild gives the same ones)")
    lines = [
        f"3. Public checks are visible at once. Hidden checks run every function again on {len(seeds)} more seed{'s' if len(seeds) != 1 else ''}, "
        f"{origin}. The seeds are written only into `autograder.zip` (not here, not in `student/`); "
        "keep the zip from students. Only the cases whose inputs differ from the public ones count "
        "there: a fixed edge case (the same inputs on every seed) is already answered by the student "
        "repository's recording, so it counts once, in the public test.",
        f"   Each function's public test carries {percent(share)} of its points and its hidden test the rest "
        "(`chainrule release --public-share` chooses another share): a submission that looks up the "
        "public recording earns about that share.",
        "   So an edge or stability case that is the same on every seed (such as `activations.softplus`'s "
        "\"extremes +-1000\", where a naive formula overflows) counts only in the public test, never in the "
        "hidden one: it weighs the public share divided by the function's number of cases, "
        + (f"here {percent(share / 5)} of a 5-case function's points"
           if share else "here nothing (`--public-share 0`: the public tests carry no points)")
        + ", where Classroom, which has no hidden checks, weighs it a fifth; a submission that fails only "
        "such cases loses little on Gradescope. To make them weigh more, give a larger `--public-share` "
        "(at 0.5, 10% of a 5-case function's points), which also raises what a lookup of the public "
        "recording earns: their expected values are in the student repository, so a hidden test that "
        "counted them would reward copying those.",
        "   The hidden tests carry visibility "
        f"`{visibility}` (`--hidden-visibility`); while a test is hidden Gradescope does not show "
        "students their total score, and the autograder's visible message names only the public points.",
    ]
    if public_only:
        names = ", ".join(f"`{q}`" for q in public_only)
        lines.append(f"   These functions have only fixed cases, so no hidden test: all their points are public and "
                     f"a lookup earns them: {names}.")
    return "\n".join(lines)


def _numpy_version():
    """The NumPy the expected values are recorded with (this process's)."""
    import numpy

    return numpy.__version__


def _timeout_words(seeds):
    """What a timeout on the public checks means for the hidden ones (nothing without any)."""
    if not seeds:
        return ""
    return (" (a function that times out on the public\n   checks is not run again on the hidden ones: "
            "they count as failed)")


def _grade_all_command(from_secret):
    """The instructor's summative grade-all command (``DIR``: the release's folder, which
    the notes cannot name: a release is byte-identical wherever it is built)."""
    return ("chainrule grade-all submissions/ --out grades/ --release DIR"
            + (" --secret-file FILE" if from_secret else ""))


def _secret_words(from_secret):
    if from_secret:
        return ("`FILE` is your course secret, the file this release was built with: it is mixed\n"
                "into each submission's seed, so no student can compute the seed in advance.")
    return ("Add `--secret-file FILE` with a course secret: it is mixed into each submission's\n"
            "seed, so no student can compute the seed in advance.")


def _counted_functions(n):
    return f"{n} function{'s' if n != 1 else ''}"


def _worst_minutes(functions, hidden_seeds):
    """Minutes a submission whose every function runs just under its time limit takes on the
    public and hidden seeds, rounded up."""
    import math

    return max(1, math.ceil(functions * DEFAULT_TIMEOUT * (1 + hidden_seeds) / 60))


def _write_instructor(path, modules, points, public_seed, seeds, visibility, share, public_only, from_secret):
    hidden_line = (f"hidden checks use {len(seeds)} more seed{'s' if len(seeds) != 1 else ''}, kept only in "
                   "`autograder.zip`." if seeds else "there are no hidden checks.")
    text = f"""# Handing out the exercises (chainrule {__version__})

This release covers {len(points)} functions worth {sum(points.values()):g} points, in
{', '.join(f'`{m}`' for m in modules)}. Public checks use seed {public_seed}; {hidden_line}

```
student/          the template repository students get (no solutions, no generator)
autograder.zip    Gradescope's autograder ({'public and hidden checks' if seeds else 'public checks only'})
instructor/       this file
.chainrule-release  the files this release wrote, with their SHA-256 (what a rebuild may replace)
```

`student/` holds the exercise skeletons, the grader (the same code as the kit's, minus the
known-mistake sources: it diagnoses from their recorded outputs), the recorded expected
values of the public cases, its own packaging (`pip install -e .` needs NumPy and click
only), a README for students and the GitHub Classroom workflow. Nothing in it lets a
student read a reference implementation or the hidden checks.

## GitHub Classroom

1. Make `student/` a repository of its own and mark it a **template repository**
   (Settings, General): `cd student && git init -b main && git add -A && git commit -m "Exercises"`,
   then push it to your course organisation (the update commands below fetch its branch `main`).
2. Create the assignment from that template and add no tests in its autograding settings
   (tests added there make Classroom write its own `classroom.yml` over this one): the
   repository's `.github/workflows/classroom.yml` is the test. It runs on every push,
   grades in one step (`chainrule classroom`) and hands one test per function, each with
   its own score, to `classroom-resources/autograding-grading-reporter@v1`, so partial
   credit counts per function. The job's summary page holds the full report.
3. Mark these paths **protected** in the assignment, so that a change to them is flagged
   to you: {', '.join(f'`{p}`' for p in PROTECTED_PATHS)}.
   They are every file that can change what the workflow runs: it installs the grader from
   a copy of these paths alone (not with `pip install -e .` of the repository, which would
   run a `setup.py` the student added) and runs nothing else of the repository but the
   student's code in `exercises/`, in the grader's child process. A `setup.py`,
   `sitecustomize.py` or `.pth` file added anywhere changes nothing there.

The honest limit: in Classroom the student owns the repository and its workflow. A
student can edit the workflow, the grader or the recording (protected paths only flag
it), so **the Classroom score is formative**. Summative grades come from Gradescope
(below), or from grading the collected repositories on your own machine with the kit's
reference and other seeds (`chainrule grade-all --release`, see "Grading on your own
machine"), where the student has no hand.

## Gradescope

1. Create a "Programming Assignment" with {sum(points.values()):g} points and upload
   `autograder.zip` (Configure Autograder, zip file upload). Choose a base image with
   Python 3.10 or later (Ubuntu 22.04); `setup.sh` installs NumPy with `python3 -m pip`.
   The default 768 MB of memory is ample, and a whole submission grades in a few seconds
   per seed. Each function may run {DEFAULT_TIMEOUT:g} s a seed{_timeout_words(seeds)}, so a submission whose
   every function runs just under that limit takes up to {_worst_minutes(len(points), len(seeds))} minute{'s' if _worst_minutes(len(points), len(seeds)) != 1 else ''}
   ({len(points)} functions x {DEFAULT_TIMEOUT:g} s x {1 + len(seeds)} seed{'s' if seeds else ''}): set the
   autograder's timeout at least that high (Gradescope's default is 10 minutes).
2. Students upload their `exercises/` modules (the files, or the folder) or link their
   GitHub repository; `run_autograder` finds the modules in `exercises/` or at the top of
   the submission. The skeleton's given code (`_common.py`) need not be uploaded: a
   submission without it is graded with the kit's own.
{_hidden_text(seeds, share, public_only, from_secret, visibility)}
4. The grader runs as root there and runs student code as an unprivileged user of its
   own, which can read neither the autograder's source folder (the hidden recording) nor
   the results. A submission is copied without following links: a module that is a link
   to a file outside the submission is refused with a message and scores 0.

Try it before the students do: `mkdir -p ag/source ag/submission/exercises && unzip
autograder.zip -d ag/source`, put a submission's modules in `ag/submission/exercises/`, then
`AUTOGRADER_ROOT=$PWD/ag bash ag/source/run_autograder` and read `ag/results/results.json`.

## Notebooks

To hand the exercises out as Jupyter notebooks, build them with the kit (`chainrule notebook
--out notebooks/`; with `--students roster.csv --seed S`, a folder per student with
`your_worksheet.ipynb`) and give the students `student/` as well: the notebooks import
`chainrule.notebook`, which `pip install -e .` there installs, and its README's "Notebooks"
section tells them to add Jupyter. They hand in their `<module>.ipynb` notebooks, which the
autograder and `grade-all` grade as they grade the modules.

## Grading on your own machine

Collect the submissions in one folder, one entry per student named by the student id (a
cloned repository, its `exercises/` folder, or a `.zip` of either), and grade them with the
kit (it has the reference; the student copy does not):

```
{_grade_all_command(from_secret)}
```

`DIR` is this release's folder (what you gave `chainrule release --out`, the one holding
`student/` and `instructor/`). {_secret_words(from_secret)}
`--release DIR` grades what this release hands out, with its points:
{_counted_functions(len(points))} of {', '.join(f'`{m}`' for m in modules)}, {sum(points.values()):g} points in all, in every
report, `grades.csv` column and total. Without it `grade-all` grades the kit's whole
contract with its default points, and every student loses the modules this release never
handed out. Each submission meets the cases of a seed of its own (derived from its content),
so a lookup of the public recording earns nothing there. Rerun the same command after an
interruption or a late submission: only what is missing or changed is graded (another
`--release` is refused: use another `--out`). To check one submission the way the class is
graded: `chainrule grade SUBMISSION --release DIR`.

## Updating a release mid-term

Rebuild with the same options into the same folder (`chainrule release --out DIR --force`):
the same inputs give a byte-identical `student/`, so `git diff` in your copy of the template
shows exactly what changed (`autograder.zip` too with `--secret-file`; without it the rebuild
draws new hidden seeds). `--force` replaces only the files a release writes and removes those
an earlier release wrote that this one no longer does, such as a module dropped from
`--modules`, and only while they hold what the release wrote: `.chainrule-release` records
each file's SHA-256. A file edited since (committed or not), or one no release wrote where
this one writes, is neither replaced nor removed: the rebuild stops before writing anything
and names the files; move them away and build again, or add `--discard-changes` to replace
them. `student/.git` and every file you added are kept.

Students who already accepted the assignment cannot `git pull` from the template: Classroom
makes each repository from the template with a history of its own, so git refuses to merge
the two (divergent, unrelated histories). Commit the rebuilt `student/` and push it to the
template; `chainrule release --force` prints what changed in `student/` and the commands
that bring exactly that into a student's repository (`git diff --stat HEAD~1` in the
template tells it later). Run them in each student's repository with its work committed
(the student, or you in a clone of it, then push); they look like this:

```
git fetch TEMPLATE_URL main
git checkout FETCH_HEAD -- README.md grader/data/recorded.npz grader/data/release.json
git diff --quiet $(git rev-list --max-parents=0 HEAD) FETCH_HEAD -- exercises/activations.py || git diff $(git rev-list --max-parents=0 HEAD) FETCH_HEAD -- exercises/activations.py | git apply -3
git commit -m "Update from the template"
```

The first fetches the template's latest commit (`TEMPLATE_URL`: its address; `main`: its
branch, as step 1 names it); the second
takes the files a student does not edit; the third, only for an exercise module whose
skeleton changed, merges that change into the student's own code (a conflict is marked in
the file for the student to resolve); a removed file a student does not edit goes with
`git rm`, and a module no longer handed out stays the student's. Then re-upload
`autograder.zip` to Gradescope and use "Regrade all submissions". Adding modules later is a
new release with a larger `--modules`; points live in the release (`--points FILE`).

Gradescope builds the autograder's image again, running `setup.sh`, on every upload of the
zip, so a re-upload installs the newest NumPy the image's Python can have, not the one the
first upload got: `requirements.txt` asks for `numpy>=1.22` and pins no version. The
expected values were recorded with NumPy {_numpy_version()}; the grader compares within tolerances that
absorb the last-digit differences between NumPy versions, and an exact pin would make
`setup.sh` fail on an image whose Python that NumPy does not support (NumPy 2.3 and later need
Python 3.11). Rebuild with that same NumPy: another one may record values that differ in their
last digits, and `student/grader/data/recorded.npz` then shows as changed.
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, text)
