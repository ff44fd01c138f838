"""``chainrule grade`` as the command runs it (``chainrule.cli.run``) ends without the
interpreter's teardown: its output, exit status and exit handlers are those of a normal
exit; other commands, and ``main`` called from Python, end as usual."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import atexit, sys
atexit.register(lambda: print("exit handler ran", flush=True))
from chainrule.cli import run
sys.argv = ["chainrule"] + sys.argv[1:]
run()
"""


def _run(*args):
    return subprocess.run([sys.executable, "-c", PROGRAM, *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_a_grade_ends_quickly_with_its_output_status_and_exit_handlers():
    proc = _run("grade", ROOT / "solutions", "--only", "activations.relu")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "Total: 1 / 1 point (100.0%), 1 of 1 function passes" in lines
    assert lines[-1] == "exit handler ran"


def test_a_failed_grade_keeps_its_exit_status_and_message(tmp_path):
    proc = _run("grade", ROOT / "exercises", "--only", "activations.relu", "--fail-under", "50",
                "--format", "json", "--output", tmp_path / "r.json")
    assert proc.returncode == 1
    assert "Error: Score 0.0% is below --fail-under 50%." in proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["percent"] == 0.0
    assert "exit handler ran" in proc.stdout


def test_a_bad_invocation_of_grade_still_exits_2():
    proc = _run("grade", "--timeout", "-1", ROOT / "solutions")
    assert proc.returncode == 2
    assert "Invalid value for '--timeout'" in proc.stderr and "Traceback" not in proc.stderr


def _ends(monkeypatch, argv):
    """The code ``run`` ended the quick way with, or None when it ended as usual."""
    from chainrule import cli

    ended = []
    monkeypatch.setattr(cli, "_end", lambda code: ended.append(code))
    monkeypatch.setattr(sys, "argv", ["chainrule", *map(str, argv)])
    try:
        cli.run()
    except SystemExit:
        pass
    return ended[0] if ended else None


def test_only_grade_ends_the_quick_way(monkeypatch, capsys, tmp_path):
    assert _ends(monkeypatch, ["list"]) is None
    assert "relu" in capsys.readouterr().out
    assert _ends(monkeypatch, ["grade", ROOT / "solutions", "--only", "activations.relu", "--format", "json",
                               "--output", tmp_path / "r.json"]) == 0
    assert _ends(monkeypatch, ["grade", ROOT / "exercises", "--only", "activations.relu", "--fail-under", "50",
                               "--format", "json", "--output", tmp_path / "r.json", "--force"]) == 1


def test_a_grade_with_its_standard_streams_closed_still_ends_well(tmp_path):
    # sys.stdout (or sys.stderr) is None then: the quick end flushes what exists
    out = tmp_path / "r.json"
    for closed in (">&-", "2>&-"):
        script = (f"{sys.executable} -c {_quoted(PROGRAM)} grade {ROOT / 'solutions'} --only activations.relu "
                  f"--format json --output {out} --force {closed}")
        proc = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        assert json.loads(out.read_text())["percent"] == 100.0


def _quoted(text):
    import shlex

    return shlex.quote(text)
