"""A module that cannot be imported is reported once, and its import is never retried.

A syntax error, an exception or a hang at import fails that module's functions with one
reason; the error (file, line, source line) appears once in the report, every function
of the module gets one short line, and the other modules are still graded.
"""

import json
import time

import pytest

from chainrule_core.contract import CONTRACT
from grader.reports import render
from tests.grader.conftest import make_submission

SYNTAX = "\ndef broken(x):\n    return x *\n"


@pytest.fixture(scope="module")
def syntax_error(tmp_path_factory):
    from grader import grade_submission

    sub = make_submission(tmp_path_factory.mktemp("syntax") / "exercises")
    path = sub / "activations.py"
    path.write_text(path.read_text() + SYNTAX)
    line = path.read_text().splitlines().index("    return x *") + 1
    return grade_submission(str(sub), only=["activations", "losses", "layers"]), line


def test_import_syntax_error_is_reported_once_with_file_line_and_source(syntax_error):
    result, line = syntax_error
    text = render(result, "text")
    lines = text.splitlines()
    start = lines.index(f"Importing activations.py failed: raised SyntaxError: invalid syntax "
                        f"(activations.py, line {line})")
    assert lines[start + 1:start + 4] == [
        f"  at exercises/activations.py, line {line}, in <module>",
        "    return x *",
        "              ^",
    ]
    assert text.count("SyntaxError") == 2     # its own block, and losses' line naming it
    assert text.count(f"at exercises/activations.py, line {line}") == 1
    assert len(lines) < 60


def test_import_error_gives_each_function_one_short_line(syntax_error):
    result, line = syntax_error
    lines = render(result, "text").splitlines()
    for name in CONTRACT["activations"]:
        row = [x for x in lines if x.startswith(f"  FAIL  {name} ")]
        assert len(row) == 1 and row[0].endswith("not graded: importing activations.py failed"), name
    assert ("Importing losses.py failed: it imports activations.py, which raised SyntaxError: invalid syntax "
            f"(activations.py, line {line})") in lines
    fr = result.functions["losses.mean_squared_error"]
    assert fr.import_cause == "activations.py"
    assert all(result.functions[f"layers.{n}"].passed for n in CONTRACT["layers"])


def test_import_error_appears_once_per_function_in_gradescope(syntax_error):
    result, line = syntax_error
    doc = json.loads(render(result, "gradescope"))
    sigmoid = next(t for t in doc["tests"] if t["name"] == "activations.sigmoid")
    n = len(result.functions["activations.sigmoid"].cases)
    assert n > 1
    assert sigmoid["output"].startswith(f"Not graded ({n} cases not run): importing activations.py failed: "
                                        "raised SyntaxError: invalid syntax")
    assert sigmoid["output"].count("SyntaxError") == 1


def test_import_error_markdown_has_one_block_per_module(syntax_error):
    md = render(syntax_error[0], "markdown")
    assert md.count("<details><summary>Importing activations.py failed") == 1
    assert "<code>activations.sigmoid</code>" not in md


def test_import_that_hangs_costs_one_timeout_for_the_whole_module(tmp_path, monkeypatch):
    from grader import grade_submission

    make_submission(tmp_path / "exercises", prepended={"losses": "while True:\n    pass\n"})
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    result = grade_submission("exercises", only=["losses", "regularization"], timeout=1.0)
    elapsed = time.monotonic() - start
    assert elapsed < 4.0        # one timeout, not one per function (11 of them)
    for name in CONTRACT["losses"]:
        fr = result.functions[f"losses.{name}"]
        assert {c.status for c in fr.cases} == {"timeout"}
        assert {c.message for c in fr.cases} == {
            "not graded: importing losses.py timed out after 1 s (--timeout 1)"}
    assert all(result.functions[f"regularization.{n}"].passed for n in CONTRACT["regularization"])
    lines = render(result, "text").splitlines()
    assert lines.count("Importing losses.py timed out after 1 s (--timeout 1)") == 1
    assert ("  Does code at the top level of the module run forever? The process was killed and the "
            "import was not retried for the module's other functions (nor for the modules that import "
            "it).") in lines
    assert "  Rerun: chainrule grade --timeout 1 --only losses" in lines


def test_import_that_kills_the_process_is_not_retried(tmp_path, open_dir):
    from grader import grade_submission

    # it says so on its output (the child may write only in its run folder, under Landlock)
    sub = make_submission(tmp_path / "exercises", prepended={
        "regularization": "import os\nprint('IMPORTED', flush=True)\nos._exit(4)\n"})
    result = grade_submission(str(sub), only=["regularization", "training.time_based_decay"])
    assert sum(fr.output.count("IMPORTED") for fr in result.functions.values()) == 1
    for name in CONTRACT["regularization"]:
        assert {c.status for c in result.functions[f"regularization.{name}"].cases} == {"crashed"}
    assert result.functions["training.time_based_decay"].passed


def test_a_hang_is_named_on_the_module_that_hangs_and_timed_once(tmp_path, monkeypatch):
    """losses.py and network.py import activations.py, whose top level never ends: the
    timeout is activations.py's, and its importers say so without a timeout of their own
    (issue 11's trial: each was blamed for the hang, and each cost a timeout more)."""
    from grader import grade_submission

    make_submission(tmp_path / "exercises", prepended={"activations": "while True:\n    pass\n"})
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    # activations itself not selected: its import is tried first all the same, as the
    # modules that import it would run it
    result = grade_submission("exercises", only=["losses", "network", "training.time_based_decay"], timeout=1.0)
    elapsed = time.monotonic() - start
    assert elapsed < 1.9        # one timeout (activations.py), not one per importer (two)
    short = "importing {}.py failed: it imports activations.py, whose import timed out after 1 s (--timeout 1)"
    for module in ("losses", "network"):
        for name in CONTRACT[module]:
            fr = result.functions[f"{module}.{name}"]
            assert {c.status for c in fr.cases} == {"timeout"}
            assert {c.message for c in fr.cases} == {"not graded: " + short.format(module)}
            assert fr.import_cause == "activations.py" and fr.import_where == f"{module}.py"
    assert result.functions["training.time_based_decay"].passed
    lines = render(result, "text").splitlines()
    assert "  FAIL  forward                                       0/2  not graded: importing network.py failed" \
        in lines
    i = lines.index(short.format("losses")[:1].upper() + short.format("losses")[1:])
    assert lines[i + 1] == ("  Does code at the top level of activations.py run forever? losses.py was not "
                            "imported: it would wait for activations.py too.")
    assert not any("Importing losses.py timed out" in line or "Importing network.py timed out" in line
                   for line in lines)


def test_a_hang_graded_with_its_importers_is_reported_once_on_it(tmp_path, monkeypatch):
    from grader import grade_submission

    make_submission(tmp_path / "exercises", prepended={"activations": "while True:\n    pass\n"})
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    result = grade_submission("exercises", only=["activations.softmax", "losses.mean_squared_error"],
                              timeout=1.0)
    assert time.monotonic() - start < 1.9
    text = render(result, "text")
    lines = text.splitlines()
    assert "Importing activations.py timed out after 1 s (--timeout 1)" in lines
    # its block says it all: the importer's block is one line naming it
    assert ("Importing losses.py failed: it imports activations.py, whose import timed out after 1 s "
            "(--timeout 1)") in lines
    assert text.count("run forever?") == 1


def test_a_module_ending_the_process_at_import_is_named_for_its_importers(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises", prepended={"activations": "import os\nos._exit(4)\n"})
    result = grade_submission(str(sub), only=["losses.mean_squared_error", "network.forward"])
    for qualname in ("losses.mean_squared_error", "network.forward"):
        fr = result.functions[qualname]
        assert {c.status for c in fr.cases} == {"crashed"}
        assert fr.import_short == (f"importing {fr.module}.py failed: it imports activations.py, whose import "
                                   "ended the process: the process running your code ended with exit status 4")
        assert fr.import_cause == "activations.py"


def test_a_hang_reached_through_a_helper_module_names_the_chain(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "exercises", prepended={"activations": "while True:\n    pass\n"})
    # network imports activations only through a helper of the submission's own
    (sub / "helpers.py").write_text("from .activations import sigmoid\n")
    network = sub / "network.py"
    network.write_text(network.read_text().replace("from .activations import sigmoid", "from .helpers import sigmoid"))
    result = grade_submission(str(sub), only=["network.forward"], timeout=1.0)
    assert result.functions["network.forward"].import_short == (
        "importing network.py failed: it imports helpers.py, which imports activations.py, whose import timed "
        "out after 1 s (--timeout 1)")


def test_the_import_graph_reads_only_imports_that_always_run(tmp_path):
    from grader.engine import ImportGraph

    files = {
        "activations": "import numpy as np\nimport math\n",
        "losses": "from .activations import softmax\nimport exercises.layers\ntry:\n    from . import optimizers\n"
                  "except ImportError:\n    from network import forward\nif False:\n    import training\n"
                  "def f():\n    from .regularization import l2_penalty\n",
        "layers": "",
        "optimizers": "import layers\n",
        "network": "", "training": "", "regularization": "",
        "math": "",         # a standard module's name: a flat import finds the standard one
        "a": "from .b import x\n", "b": "from .a import y\n",     # a cycle: left to Python
        "c": "from . import a\nimport activations\n",
        "__init__": "from .layers import *\n",
    }
    for name, code in files.items():
        (tmp_path / f"{name}.py").write_text(code)
    graph = ImportGraph(tmp_path)
    assert graph.imports("activations") == []
    assert graph.imports("losses") == ["activations", "layers", "optimizers"]
    assert graph.dependencies("losses") == [("layers", ["__init__", "layers"]), ("activations", ["activations"]),
                                            ("optimizers", ["optimizers"])]
    assert graph.dependencies("c") == [("layers", ["__init__", "layers"]), ("activations", ["activations"])]
    assert graph.dependencies("a") == [("layers", ["__init__", "layers"])]
    (tmp_path / "d.py").write_text("from .optimizers import x\n")
    assert graph.dependencies("d") == [("layers", ["__init__", "layers"]), ("optimizers", ["optimizers"])]
    (tmp_path / "e.py").write_text("from .d import x\n")
    assert graph.dependencies("e") == [("layers", ["__init__", "layers"]), ("optimizers", ["d", "optimizers"]),
                                       ("d", ["d"])]
