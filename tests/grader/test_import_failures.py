"""A module that cannot be imported is reported once, and its import is never retried.

A syntax error, an exception or a hang at import fails that module's functions with one
reason; the error (file, line, source line) appears once in the report, every function
of the module gets one short line, and the other modules are still graded.
"""

import json
import os
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
            "import was not retried for the module's other functions.") in lines
    assert "  Rerun: chainrule grade --timeout 1 --only losses" in lines


@pytest.mark.parametrize("spelled", [None, "from exercises import activations as act",
                                     "from exercises.activations import sigmoid as _s", "import activations"])
def test_a_module_importing_a_module_that_hangs_names_it(tmp_path, monkeypatch, spelled):
    """activations.py hangs at import; losses.py imports it (``from .activations import
    softmax``, or as ``spelled``): losses.py's import times out too, and its report names
    activations.py as the file to fix, once, where it said losses.py hung (session 12). A
    module that imports nothing that hung keeps the plain timeout text."""
    from grader import grade_submission

    # regularization.py hangs on its own and imports activations only where that cannot hang
    # its import: in a function and under a condition (not at the top level)
    prepended = {"activations": "while True:\n    pass\n",
                 "regularization": ("import time\nif False:\n    from .activations import relu\n"
                                    "def f():\n    from . import activations\n"
                                    "while True:\n    time.sleep(0.01)\n")}
    make_submission(tmp_path / "exercises", prepended=prepended)
    if spelled is not None:     # the reference's own import of activations, written another way
        path = tmp_path / "exercises" / "losses.py"
        text = path.read_text()
        assert "from .activations import softmax" in text
        path.write_text(text.replace("from .activations import softmax", spelled + "\nsoftmax = None", 1))
        if "act" in spelled or spelled == "import activations":    # losses.py then uses its softmax
            module = "act" if "act" in spelled else "activations"
            path.write_text(path.read_text().replace("softmax = None", f"softmax = {module}.softmax"))
        assert ".activations import softmax" not in path.read_text()    # the hint comes from ``spelled``
    monkeypatch.chdir(tmp_path)
    result = grade_submission("exercises", only=["activations", "losses", "regularization"], timeout=1.0)
    hint = ("importing losses.py timed out after 1 s (--timeout 1): it imports activations.py, whose "
            "import timed out too")
    for name in CONTRACT["losses"]:
        fr = result.functions[f"losses.{name}"]
        assert {c.message for c in fr.cases} == {f"not graded: {hint}"}
        assert fr.import_cause == "activations.py"
    for name in CONTRACT["regularization"]:     # hangs on its own: it imports nothing that hung
        assert {c.message for c in result.functions[f"regularization.{name}"].cases} == {
            "not graded: importing regularization.py timed out after 1 s (--timeout 1)"}
    lines = render(result, "text").splitlines()
    assert lines.count("Importing activations.py timed out after 1 s (--timeout 1)") == 1
    assert lines.count(hint[0].upper() + hint[1:]) == 1
    full = result.functions["losses.mean_squared_error"].import_error
    assert full.splitlines()[1] == ("  Fix activations.py first: while its top-level code runs forever, every "
                                    "module importing it times out as well (if losses.py still times out then, "
                                    "look at its own top-level code). The process was killed and the import was "
                                    "not retried for the module's other functions.")
    markdown = render(result, "markdown")
    assert "it imports activations.py, whose import timed out too" in markdown


def test_the_import_scan_reads_only_import_statements_of_a_regular_file(tmp_path):
    from grader.engine import _hung_import, _imported_names

    source = ("import numpy as np\nfrom numpy.random import default_rng\nfrom . import network, layers as L\n"
              "import exercises.optimizers\nfrom exercises.initializers import he\nfrom activations import relu\n"
              "# from . import losses\nx = 'import training'\n")
    assert not _imported_names("def f():\n    import activations\nif X:\n    from . import losses\n", "exercises")
    assert _imported_names(source, str(tmp_path / "exercises")) >= {"network", "layers", "optimizers",
                                                                     "initializers", "activations"}
    assert not _imported_names(source, str(tmp_path / "exercises")) & {"losses", "training", "random"}
    folder = tmp_path / "exercises"
    folder.mkdir()
    hung = {"activations": {"kind": "timeout"}, "layers": {"kind": "exception"}, "losses": None}
    (folder / "network.py").write_text("from .activations import sigmoid\nfrom .layers import Dense\n")
    assert _hung_import(str(folder), "network", hung) == "activations.py"
    assert _hung_import(str(folder), "activations", hung) == ""      # itself
    (folder / "elsewhere.py").write_text("from .activations import sigmoid\n")
    (folder / "linked.py").symlink_to(folder / "elsewhere.py")       # a link is not followed
    assert _hung_import(str(folder), "linked", hung) == ""
    os.mkfifo(folder / "fifo.py")                                      # nor a FIFO waited on
    import threading

    found = []
    reader = threading.Thread(target=lambda: found.append(_hung_import(str(folder), "fifo", hung)), daemon=True)
    reader.start()
    reader.join(5)
    assert found == [""], "reading a FIFO blocked"


def test_an_import_written_inside_a_string_is_not_one(tmp_path):
    from grader.engine import _hung_import

    folder = tmp_path / "exercises"
    folder.mkdir()
    hung = {"activations": {"kind": "timeout"}}
    quoted = {
        "docstring": '"""Notes.\nimport activations\n"""\nimport numpy as np\n',
        "single quotes": "x = '''\nfrom .activations import relu\n'''\n",
        "bytes, raw": 'y = rb"""\nimport activations\n"""\n',
        "f-string": 'z = f"""{1}\nfrom . import activations\n"""\n',
    }
    for name, source in quoted.items():
        (folder / "losses.py").write_text(source)
        assert _hung_import(str(folder), "losses", hung) == "", name
    # the same lines outside a string are imports; strings before or after do not hide them
    (folder / "losses.py").write_text('"""Doc."""\nimport activations\nS = """\nx\n"""\n')
    assert _hung_import(str(folder), "losses", hung) == "activations.py"
    (folder / "losses.py").write_text('S = """\nx\n"""\nfrom . import activations\n"""unclosed\n')
    assert _hung_import(str(folder), "losses", hung) == "activations.py"


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
