"""What a grade does not load until it needs it (startup time, issue 11).

A submission that passes every case needs no known-mistake catalog (``grader/specs/known``),
no suggestion machinery (difflib) and, for a JSON report, no XML writer; a failing one
gets its known mistakes named as before.
"""

import json
import subprocess
import sys
from pathlib import Path

from tests.grader.conftest import make_submission

ROOT = Path(__file__).resolve().parents[2]


def probe(sub, out, only, then):
    """A Python program that runs ``chainrule grade SUB --only ONLY`` (JSON to OUT) in its
    own process, then runs ``then`` (which prints what the test looks at)."""
    return (f"import json, os, sys\nfrom chainrule.cli import main\n"
            f"sys.argv = ['chainrule', 'grade', {str(sub)!r}, '--only', {only!r}, '--format', 'json', "
            f"'--output', {str(out)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n" + then + "\n")


LOADED = ('print(json.dumps(sorted(m for m in ("grader.specs.known", "difflib", "xml.etree.ElementTree") '
          'if m in sys.modules)))')


def _loaded(sub, out):
    proc = subprocess.run([sys.executable, "-c", probe(sub, out, "activations", LOADED)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_a_passing_grade_loads_neither_the_mistake_catalog_nor_difflib_nor_xml(tmp_path):
    assert _loaded(ROOT / "solutions", tmp_path / "r.json") == []
    assert json.loads((tmp_path / "r.json").read_text())["percent"] == 100.0


def test_a_failing_grade_loads_the_catalog_and_names_the_known_mistake(tmp_path):
    sub = make_submission(tmp_path / "s", appended={"activations": """
def tanh_derivative(x):
    return 1 - np.tanh(x)
"""})
    assert _loaded(sub, tmp_path / "r.json") == ["grader.specs.known"]
    report = json.loads((tmp_path / "r.json").read_text())
    fn = next(f for f in report["functions"] if f["name"] == "activations.tanh_derivative")
    assert not fn["passed"]
    assert [d["kind"] for d in fn["diagnoses"]] == ["known"]


def test_grade_runs_numpy_with_one_blas_thread_unless_the_user_chose(tmp_path):
    import os

    def threads(**env):
        base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                                  "MKL_NUM_THREADS")}
        out = tmp_path / f"r{len(env)}.json"
        proc = subprocess.run([sys.executable, "-c", probe(ROOT / "solutions", out, "activations.relu",
                                                           'print(os.environ.get("OPENBLAS_NUM_THREADS"), '
                                                           'os.environ.get("OMP_NUM_THREADS"))')],
                              cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(base, **env))
        assert proc.returncode == 0, proc.stderr
        assert json.loads(out.read_text())["percent"] == 100.0
        return proc.stdout.split()[-2:]

    assert threads() == ["1", "1"]
    assert threads(OPENBLAS_NUM_THREADS="3") == ["3", "1"]
