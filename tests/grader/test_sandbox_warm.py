"""The warm start (``grader.zygote``): children forked from a process that holds NumPy and
the child runtime only.

What is checked: the child sees no module of the grader, the CLI or the reference and
no value of the parent (a submission that searches for them finds nothing, while the
same search finds what it planted itself); the warm process survives a child's crash
and the next child is warm again; no process is left after a grade, after Ctrl-C, after
the parent is SIGKILLed; a dead or disabled warm process falls back to a fresh child
with the same grades; ``grade-all`` gives the same ``grades.csv`` with and without it.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from chainrule_core.contract import POINTS
from grader import zygote
from tests.grader.conftest import ROOT, make_submission

ONLY_ACT = ["--only", "activations"]
SENTINEL = "chainrule-parent-sentinel-5e1f0c"   # held by the parent only

# relu searches the child for what it must never see; the search first proves it works
# by finding a value it planted itself
SEARCHER = """
    def relu(x):
        import gc, sys
        # every needle is built at run time: the code's own constants must not match
        own_needle = "".join(["self-", "planted-", "marker"])
        parent_needle = "".join(["chainrule-parent-", "sen", "tinel"])
        expected = np.maximum(x, 0.0)
        mine = ["-".join(["self", "planted", "marker"]), expected.copy()]   # a tracked container
        suspicious = sorted(m for m in list(sys.modules)
                            if m.split(".")[0] in ("solutions", "grader", "click", "chainrule",
                                                   "chainrule_core", "sympy", "jinja2", "tests"))
        hits, self_check, sentinel = 0, False, False
        for obj in gc.get_objects():
            if isinstance(obj, dict):
                values = list(obj.values())
            elif isinstance(obj, (list, tuple)):
                values = list(obj)
            else:
                continue
            own, arrays = False, 0
            for value in values:
                if isinstance(value, str):
                    own = own or value == own_needle
                    sentinel = sentinel or parent_needle in value
                elif (isinstance(value, np.ndarray) and value is not x and value is not expected
                      and value.shape == x.shape and value.dtype == x.dtype
                      and np.array_equal(value, expected) and not np.array_equal(value, x)):
                    arrays += 1
            if obj is mine:
                self_check = own and arrays == 1
            else:
                hits += arrays
        print("modules:", ", ".join(suspicious) or "none")
        print("self-check:", "found" if self_check else "MISSED")
        print("sentinel:", "FOUND" if sentinel else "none")
        print("expected arrays:", hits)
        print("argv:", sys.argv[1:], "cwd holds:", sorted(os.listdir(".")))
        return x - 1.0      # wrong: relu must fail
    """


def _output(result, qualname="activations.relu"):
    return result.functions[qualname].output


@pytest.fixture()
def searcher(tmp_path):
    return make_submission(tmp_path / "exercises", {"activations": "import os\n" + textwrap.dedent(SEARCHER)})


def _grade(path, **kw):
    from grader import grade_submission

    return grade_submission(str(path), only=["activations.relu"], timeout=10, **kw)


def test_warm_child_holds_nothing_of_the_grader_or_the_reference(searcher, monkeypatch):
    import solutions
    monkeypatch.setattr(solutions, "_test_sentinel", SENTINEL, raising=False)
    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    result = _grade(searcher)
    assert zygote.last_start() == "warm"
    out = _output(result)
    assert "self-check: found" in out, out      # the search works...
    assert "modules: none" in out, out          # ...and finds no grader, CLI or reference module
    assert "sentinel: none" in out, out
    assert "expected arrays: 0" in out, out
    assert "argv: []" in out and "cwd holds: []" in out, out
    assert not result.functions["activations.relu"].passed


def test_fresh_child_holds_nothing_either(searcher, monkeypatch):
    import solutions
    monkeypatch.setattr(solutions, "_test_sentinel", SENTINEL, raising=False)
    monkeypatch.setenv(zygote.DISABLE_VAR, "1")
    zygote.shutdown()
    result = _grade(searcher)
    assert zygote.last_start() == f"fresh ({zygote.DISABLE_VAR} is set)"
    out = _output(result)
    assert "self-check: found" in out and "modules: none" in out and "expected arrays: 0" in out, out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


CRASHES = {"activations": """
    def tanh(x):
        import ctypes
        return ctypes.string_at(0)

    def relu_derivative(x):
        import os
        os._exit(3)

    def relu(x):
        import os, signal
        try:
            os.kill(os.getppid(), signal.SIGKILL)   # the warm process: another uid, or no signals out
        except OSError as exc:
            print("could not kill the warm process:", type(exc).__name__)
        return np.maximum(x, 0.0)
    """}


def test_the_warm_process_survives_a_child_crash_and_serves_the_next_child(tmp_path, monkeypatch):
    from grader import grade_submission

    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    sub = make_submission(tmp_path / "exercises", CRASHES)
    first = zygote.get()
    result = grade_submission(str(sub), only=["activations"], timeout=10)
    assert "crashed (SIGSEGV)" in result.functions["activations.tanh"].cases[0].message
    assert "ended with exit status 3" in result.functions["activations.relu_derivative"].cases[0].message
    lock = result.confinement
    if os.geteuid() == 0 or "no signals out" in lock:
        # a child cannot kill its zygote: another uid (as root) or Landlock's signal scope
        assert result.functions["activations.relu"].passed
        assert "could not kill the warm process: PermissionError" in result.functions["activations.relu"].output
        assert zygote.get() is first and _alive(first.pid)
    rest = [q for q in result.functions if q not in ("activations.tanh", "activations.relu_derivative",
                                                       "activations.relu")]
    assert all(result.functions[q].passed for q in rest)
    again = grade_submission(str(sub), only=["activations.softplus"], timeout=10)
    assert again.functions["activations.softplus"].passed and zygote.last_start() == "warm"


def test_a_killed_warm_process_is_replaced_and_the_grade_is_the_same(tmp_path, monkeypatch):
    from grader import grade_submission

    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    sub = make_submission(tmp_path / "exercises")
    first = zygote.get()
    os.kill(first.pid, signal.SIGKILL)
    first.proc.wait()
    result = grade_submission(str(sub), only=["activations"], timeout=10)
    assert result.percent == 100.0
    assert zygote.last_start() == "warm" and zygote.get() is not first


def test_fallback_when_the_warm_process_cannot_start(tmp_path, monkeypatch):
    from grader import grade_submission

    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    zygote.shutdown()

    def broken(self):
        raise OSError("no warm process today")

    monkeypatch.setattr(zygote.Zygote, "__init__", broken)
    monkeypatch.setitem(zygote._STATE, "starts", 0)
    sub = make_submission(tmp_path / "exercises", {"activations": """
        def relu(x):
            return np.abs(x)
        """})
    result = grade_submission(str(sub), only=["activations"], timeout=10)
    assert zygote.last_start() == "fresh (the warm process could not start (no warm process today))"
    assert not result.functions["activations.relu"].passed
    assert result.score == sum(v for k, v in POINTS.items() if k.startswith("activations.")) - \
        POINTS["activations.relu"]


def _cli(*args):
    return [sys.executable, "-c", "from chainrule.cli import main; main()", *map(str, args)]


def _zygotes():
    """pids of processes running a warm process's script (the zygote and its forks)."""
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if b"--zygote" in cmd and b"chainrule-zygote-" in cmd and _alive(int(name)):
            found.add(int(name))
    return found


def _zygote_folders():
    import glob
    import tempfile

    return set(glob.glob(os.path.join(tempfile.gettempdir(), "chainrule-zygote-*")))


def _describe(pids):
    text = []
    for pid in sorted(pids):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                text.append(fh.read()[:120])
        except OSError:
            text.append(f"{pid} gone")
    return "; ".join(text)


def _named(comm):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm") as fh:
                    if fh.read().strip() == comm and _alive(int(name)):
                        found.append(int(name))
            except OSError:
                continue
    return found


def _settle(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not check():
            return True
        time.sleep(0.05)
    return not check()


SLEEPER = """
    def relu(x):
        import ctypes, os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)   # PR_SET_NAME: findable
                time.sleep(600)
            os._exit(0)
        print("a sleeper was started")
        {then}
        return np.maximum(x, 0.0)
    """


def _env(**extra):
    env = dict(os.environ)
    env.pop(zygote.DISABLE_VAR, None)
    env.update(extra)
    return env


def test_nothing_is_left_after_a_grade_from_the_command_line(tmp_path):
    before = _zygotes()
    sub = make_submission(tmp_path / "exercises", {"activations": SLEEPER.format(name="crwarm1", then="pass")})
    proc = subprocess.run(_cli("--debug", "grade", sub, *ONLY_ACT, "--format", "json"), capture_output=True,
                          text=True, cwd=ROOT, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "a sleeper was started" in proc.stdout      # the function's output, in the report
    assert "debug: the grader's child process started warm" in proc.stderr
    assert _settle(lambda: _zygotes() - before), "a warm process (or a fork of it) outlived the grade"
    assert _settle(lambda: _named("crwarm1")), "the submission's sleeper outlived the grade"


@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_nothing_is_left_after_ctrl_c_or_when_the_parent_is_killed(tmp_path, how):
    name = "crwarm" + how[3:].lower()
    before, folders = _zygotes(), _zygote_folders()
    sub = make_submission(tmp_path / "exercises",
                          {"activations": SLEEPER.format(name=name, then="time.sleep(60)")})
    proc = subprocess.Popen(_cli("grade", sub, *ONLY_ACT, "--timeout", "60"), cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _settle(lambda: not _named(name), seconds=60), "the sleeper never started"
        assert _zygotes() - before, "no warm process was running"
        os.kill(proc.pid, getattr(signal, how))
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert _settle(lambda: _zygotes() - before), (f"a warm process outlived the parent's {how}: "
                                                  f"{_describe(_zygotes() - before)}")
    assert _settle(lambda: _named(name)), f"the submission's sleeper outlived the parent's {how}"
    assert _settle(lambda: _zygote_folders() - folders), "the warm process's folder was left behind"


def test_grade_all_gives_the_same_grades_with_and_without_the_warm_start(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "good" / "exercises")
    make_submission(subs / "wrong" / "exercises", {"activations": """
        def tanh(x):
            return np.tanh(x) + 1e-3
        """})
    make_submission(subs / "crash" / "exercises", CRASHES)
    outs = []
    for label, extra in (("warm", {}), ("fresh", {zygote.DISABLE_VAR: "1"})):
        out = tmp_path / label
        proc = subprocess.run(_cli("grade-all", subs, "--out", out, *ONLY_ACT, "--jobs", "2",
                                   "--timeout", "10"),
                              capture_output=True, text=True, cwd=ROOT, env=_env(**extra), timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outs.append((out / "grades.csv").read_bytes())
    assert outs[0] == outs[1]
    rows = {line.split(",")[0]: line for line in outs[0].decode().splitlines()[1:]}
    act = sum(v for k, v in POINTS.items() if k.startswith("activations."))
    assert rows["good"].endswith(",100.00")
    assert float(rows["wrong"].split(",")[-2]) == act - POINTS["activations.tanh"]


def test_verbose_and_debug_say_how_the_child_started(tmp_path):
    sub = make_submission(tmp_path / "exercises")
    fresh = subprocess.run(_cli("grade", sub, "--only", "activations.relu", "--verbose"),
                           capture_output=True, text=True, cwd=ROOT, env=_env(**{zygote.DISABLE_VAR: "1"}),
                           timeout=120)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stderr == ("note: the grader's child process started fresh (CHAINRULE_NO_ZYGOTE is set); "
                            "grading is slower so.\n")
    warm = subprocess.run(_cli("grade", sub, "--only", "activations.relu", "--verbose"),
                          capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=120)
    assert warm.returncode == 0 and warm.stderr == ""      # nothing to say when all went well
    assert warm.stdout == fresh.stdout                      # the same report either way


# ------------------------------------------------- the runtime's compiled form (issue 11)
def _compile(source, mode=None):
    import importlib.util
    import py_compile

    cached = os.path.join(os.path.dirname(source), "__pycache__",
                          os.path.basename(importlib.util.cache_from_source(source)))
    kw = {} if mode is None else {"invalidation_mode": mode}
    py_compile.compile(source, cfile=cached, doraise=True, **kw)
    return cached


def _run_pyc(data, tmp_path):
    path = tmp_path / "run.pyc"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-I", "-S", str(path)], capture_output=True, text=True, timeout=30)


def test_the_compiled_form_is_used_only_when_it_is_up_to_date(tmp_path):
    import py_compile

    source = tmp_path / "_child.py"
    source.write_text("print('one')\n")
    copy = str(tmp_path / "copy" / "child.py")
    assert zygote._compiled(str(source), copy) is None              # nothing compiled
    cached = _compile(str(source))
    assert _run_pyc(zygote._compiled(str(source), copy), tmp_path).stdout == "one\n"
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert zygote._compiled(str(source), copy) is None              # the source is newer
    _compile(str(source))
    source.write_text("print('two')\n# longer\n")
    os.utime(source, ns=(stat.st_atime_ns, os.stat(cached).st_mtime_ns))
    assert zygote._compiled(str(source), copy) is None              # another size
    _compile(str(source), py_compile.PycInvalidationMode.CHECKED_HASH)
    assert zygote._compiled(str(source), copy) is None              # hash-checked: not read here
    _compile(str(source))
    with open(cached, "r+b") as fh:
        fh.write(b"\0\0\0\0")                                       # another interpreter's
    assert zygote._compiled(str(source), copy) is None


def test_the_compiled_form_is_read_only_from_the_kits_own_cache(tmp_path, monkeypatch):
    """Never from a PYTHONPYCACHEPREFIX tree (anyone may write one), never through a link,
    never a file or folder others may write."""
    import importlib.util
    import py_compile

    source = tmp_path / "kit" / "_child.py"
    source.parent.mkdir()
    source.write_text("print('kit')\n")
    copy = str(tmp_path / "copy" / "child.py")
    prefix = tmp_path / "prefix"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    forged = importlib.util.cache_from_source(str(source))         # where the prefix puts it
    assert forged.startswith(str(prefix))
    os.makedirs(os.path.dirname(forged))
    other = tmp_path / "forged.py"
    other.write_text("print('forged')\n")
    py_compile.compile(str(other), cfile=forged, doraise=True)
    with open(forged, "r+b") as fh:                                # the kit's mtime and size
        st = source.stat()
        fh.seek(8)
        fh.write(int(st.st_mtime).to_bytes(4, "little") + st.st_size.to_bytes(4, "little"))
    assert zygote._compiled(str(source), copy) is None
    cached = _compile(str(source))
    assert _run_pyc(zygote._compiled(str(source), copy), tmp_path).stdout == "kit\n"
    os.chmod(cached, 0o666)                                        # writable by others
    assert zygote._compiled(str(source), copy) is None
    os.chmod(cached, 0o644)
    os.chmod(os.path.dirname(cached), 0o777)                       # its folder writable by others
    assert zygote._compiled(str(source), copy) is None
    os.chmod(os.path.dirname(cached), 0o755)
    os.rename(cached, cached + ".real")
    os.symlink(cached + ".real", cached)                           # a link
    assert zygote._compiled(str(source), copy) is None


def test_the_compiled_form_names_the_copy_of_the_source_as_its_file(tmp_path):
    source = tmp_path / "_child.py"
    source.write_text("import sys\ndef f():\n    return sys._getframe().f_code.co_filename\n"
                      "print(__file__ if False else sys._getframe().f_code.co_filename, f())\n")
    _compile(str(source))
    copy = str(tmp_path / "elsewhere" / "child.py")
    out = _run_pyc(zygote._compiled(str(source), copy), tmp_path).stdout.split()
    assert out == [copy, copy]          # never the kit's folder


@pytest.mark.parametrize("warm", [True, False])
def test_children_run_the_compiled_runtime_with_the_same_results(searcher, tmp_path, monkeypatch, warm):
    import shutil

    kit = tmp_path / "kit"
    kit.mkdir()
    script = kit / "_child.py"
    shutil.copyfile(zygote.CHILD_SCRIPT, script)
    _compile(str(script))
    monkeypatch.setattr(zygote, "CHILD_SCRIPT", str(script))
    copies = []
    real = zygote.copy_runtime
    monkeypatch.setattr(zygote, "copy_runtime", lambda folder: copies.append(real(folder)) or copies[-1])
    if warm:
        monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    else:
        monkeypatch.setenv(zygote.DISABLE_VAR, "1")
    zygote.shutdown()
    monkeypatch.setitem(zygote._STATE, "starts", 0)     # an earlier test's failed starts
    try:
        result = _grade(searcher)
    finally:
        zygote.shutdown()       # the next test's warm process runs the kit's own runtime
    assert zygote.last_start() == ("warm" if warm else f"fresh ({zygote.DISABLE_VAR} is set)")
    assert copies and all(os.path.basename(c) == "child.pyc" for c in copies), copies
    out = _output(result)
    assert "self-check: found" in out and "modules: none" in out and "expected arrays: 0" in out, out
    if warm:
        assert "argv: []" in out and "cwd holds: []" in out, out
    assert not result.functions["activations.relu"].passed


def test_an_orderly_end_does_not_count_against_the_warm_start(monkeypatch):
    # a program that runs the command's main() again and again (its finally ends the warm
    # process each time) keeps the warm start: only failed warm processes count
    monkeypatch.delenv(zygote.DISABLE_VAR, raising=False)
    for _ in range(zygote.MAX_STARTS + 1):
        assert zygote.get() is not None, zygote.why_not()
        zygote.shutdown()
