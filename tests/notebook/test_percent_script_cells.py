"""A percent script is graded by its ``# %%`` cells, as a notebook's cells are (trial 16, item 2).

``chainrule grade activations.pct.py`` ran the whole script as one cell: a cell that never ends
(or raises) between two defs stopped it, and the report said the def after it "is not defined in
activations.pct.py" although it is in the file, while the same code as a notebook got full
marks. Each cell now runs as a notebook's does, and reports name the script's own lines.
"""

import re
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from chainrule.cli import cli
from grader import grade_submission

SIGMOID_BODY = ("    x = as_float(x)\n    e = np.exp(-np.abs(x))\n"
                "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)")
DERIVATIVE_BODY = "    s = sigmoid(x)\n    return s * (1 - s)"


def line_of(text, wanted, start=0):
    """The number (from 1) of the first line of ``text`` equal to ``wanted``, from line ``start``."""
    lines = text.split("\n")
    return lines.index(wanted, start) + 1


def test_trials_script_with_a_cell_that_never_ends_grades_the_defs_after_it(built, tmp_path):
    # trial 16's exact steps: the built activations.pct.py, sigmoid and sigmoid_derivative
    # implemented, and the check("activations.sigmoid") cell made `while True: pass`
    text = (built / "activations.pct.py").read_text()
    todo_sigmoid = re.search(r"(?m)^    x = as_float\(x\)\n    # TODO: 1 / \(1 \+ exp\(-x\)\).*?raise NotImplementedError",
                             text, re.DOTALL)
    text = text[:todo_sigmoid.start()] + SIGMOID_BODY + text[todo_sigmoid.end():]
    todo_derivative = re.search(r"(?m)^    # TODO: x is the pre-activation z, not sigmoid\(z\).*?raise NotImplementedError",
                                text, re.DOTALL)
    text = text[:todo_derivative.start()] + DERIVATIVE_BODY + text[todo_derivative.end():]
    assert text.count('check("activations.sigmoid")\n') == 1
    text = text.replace('check("activations.sigmoid")\n', "while True:\n    pass\n")
    script = tmp_path / "activations.pct.py"
    script.write_text(text)
    loop = line_of(text, "while True:")
    derivative = line_of(text, "def sigmoid_derivative(x):")
    end = line_of(text, "    return s * (1 - s)")

    result = CliRunner().invoke(cli, ["grade", str(script), "--timeout", "3", "--only",
                                      "activations.sigmoid_derivative"])
    assert result.exit_code == 0, result.output
    assert re.search(r"(?m)^  PASS  sigmoid_derivative +1/1$", result.output), result.output
    assert "is not defined" not in result.output and "raised an error" not in result.output
    # the loop is named by its line of the script, and the cell of the def by its lines there
    stopped = re.search(r"activations\.pct\.py, line (\d+): still running after 1\.8 s \(the time all cells may "
                        r"take\) and stopped; the functions defined so far are graded", result.output)
    assert stopped and int(stopped.group(1)) in (loop, loop + 1), result.output
    assert (f"activations.pct.py, the cell at lines {derivative}-{end}: only its def, class and import "
            "statements ran (the 1.8 s the cells may take were used up)") in result.output


SCRIPT = """\
    # ---
    # jupyter: {}
    # ---

    # %%
    import numpy as np

    # %% [markdown]
    # Some text. y = 1 / 0 here is a comment, never run.

    # %%
    def sigmoid(x):
        x = np.asarray(x)
        x = x if x.dtype.kind == "f" else x.astype(float)
        return 1 / (1 + np.exp(-x))

    # %%
    y = 1 / 0

    # %%
    %timeit sigmoid(1.0)
    def relu(x):
        return np.maximum(x, zz)

    # %%
    z = (

    #%% a cell as VS Code and Spyder mark it
    def tanh(x):
        return np.tanh(x)
    """


def test_a_raising_cell_costs_only_itself_and_reports_name_the_scripts_lines(tmp_path):
    text = textwrap.dedent(SCRIPT)
    script = tmp_path / "activations.pct.py"
    script.write_text(text)
    result = grade_submission(str(script), only=["activations.sigmoid", "activations.relu", "activations.tanh"],
                              seed=1)
    f = result.functions
    assert f["activations.sigmoid"].passed and f["activations.tanh"].passed    # defined after the raising cells
    assert result.notes == [
        f"activations.pct.py, line {line_of(text, '%timeit sigmoid(1.0)')}: skipped %timeit sigmoid(1.0) "
        "(IPython syntax)",
        f"activations.pct.py, line {line_of(text, 'y = 1 / 0')}: raised ZeroDivisionError: division by zero "
        "(the cells after it still ran)",
        f"activations.pct.py, line {line_of(text, 'z = (')}: raised SyntaxError: '(' was never closed "
        f"(activations.pct.py, line {line_of(text, 'z = (')}) (the cells after it still ran)",
    ]
    message = f["activations.relu"].cases[0].message
    zz = line_of(text, "    return np.maximum(x, zz)")
    assert (f"raised NameError: name 'zz' is not defined\n  at activations.pct.py, line {zz}, in relu\n"
            "    return np.maximum(x, zz)") in message


def test_a_finding_located_in_a_later_cell_names_the_scripts_line(tmp_path):
    # the line a finding names (read by grader.calls from the cells as written) is the script's
    text = "# %%\nimport numpy as np\n\n\n# %%\nx = 1\n\n# %%\ndef relu(x):\n    x[...] = np.maximum(x, 0)\n    return x\n"
    script = tmp_path / "activations.pct.py"
    script.write_text(text)
    result = grade_submission(str(script), only=["activations.relu"], seed=1)
    message = result.functions["activations.relu"].cases[0].message
    assert "modified its input `x` in place" in message
    assert "\n  at activations.pct.py, line 10, in relu\n    x[...] = np.maximum(x, 0)" in message


def test_a_script_without_markers_stays_one_cell(tmp_path):
    # no `# %%` line: the whole file is the one cell, stopped at its error (as python runs it)
    script = tmp_path / "activations.pct.py"
    script.write_text("import numpy as np\n\ndef tanh(x):\n    return np.tanh(x)\n"
                      "\ny = 1 / 0\n\ndef relu(x):\n    return np.maximum(x, 0 * x)\n")
    result = grade_submission(str(script), only=["activations.tanh", "activations.relu"], seed=1)
    assert result.functions["activations.tanh"].passed
    relu = result.functions["activations.relu"]
    assert not relu.passed and relu.cases[0].message.endswith(f"\n`relu` is not defined in {script}")
    assert result.notes == ["activations.pct.py, line 6: raised ZeroDivisionError: division by zero (the cells "
                            "after it still ran)"]


def test_percent_cells_finds_the_markers_of_jupytext_vs_code_and_spyder():
    from grader.notebooks import percent_cells

    text = ("# header\n# %%\nimport numpy as np\n\n# %% [markdown]\n# text\n# %%time\n"
            "#%% tags=[\"x\"]\n\n  \ndef f():\n    return 1   \n\n# %% [raw]\nraw\n#  %%\r\ny = 2\r"
            "  # %% indented: a comment of the cell\n# %%%\n\n")
    norm, cells = percent_cells(text)
    assert "\r" not in norm
    lines = norm.split("\n")
    got = [(first, last, norm[start:end]) for first, last, start, end in cells]
    assert got == [(1, 1, "# header"), (3, 3, "import numpy as np"),
                   (11, 12, "def f():\n    return 1"),
                   (17, 18, "y = 2\n  # %% indented: a comment of the cell")]
    for first, last, body in got:      # the lines named are the script's lines
        assert "\n".join(lines[first - 1:last]).rstrip() == body
    assert percent_cells("x = 1\ny = 2") == ("x = 1\ny = 2", [(1, 2, 0, 11)])
    assert percent_cells("# %%\n\n# %%") == ("# %%\n\n# %%", [])


def test_check_in_a_script_run_with_python_grades_it_by_cells_too(tmp_path):
    # the cell that raises only while grading (the cells run in a module there, not __main__)
    script = tmp_path / "activations.pct.py"
    script.write_text(textwrap.dedent("""\
        # %%
        from chainrule.notebook import check
        import numpy as np

        # %%
        r = check("activations.relu")
        print("relu:", r.passed)

        # %%
        if __name__ != "__main__":
            raise RuntimeError("only while grading")

        # %%
        def relu(x):
            return np.maximum(x, 0 * x)
        """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\nrelu: True\n" in proc.stdout, proc.stdout
    assert ("activations.pct.py, line 11: raised RuntimeError: only while grading (the cells after it "
            "still ran)") in proc.stdout


def test_a_script_of_too_many_cells_is_refused_in_one_line(tmp_path):
    from chainrule_core.errors import ChainruleError
    import pytest

    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\n\n" * 5000 + "# %%\nx = 1\n" * 1001)      # empty cells are none
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(script))
    assert str(info.value) == (f"Script '{script}' has 1001 code cells; a script may have at most 1000 "
                               "(merge cells or leave out what is not the exercise).")


# ---------------------------------------------------------------- review 16
RELU = ("def relu(x: NDArray) -> NDArray:\n"
        "    x = np.asarray(x)\n"
        "    x = x if x.dtype.kind == 'f' else x.astype(np.float64)\n"
        "    return np.maximum(x, 0)\n")
FUTURE = ("from __future__ import annotations\n"
          "from typing import TYPE_CHECKING\n"
          "import numpy as np\n"
          "if TYPE_CHECKING:\n"
          "    from numpy.typing import NDArray\n")


def test_a_future_import_of_the_first_cell_holds_in_the_cells_after_it(tmp_path):
    # review 16, item 2: as python runs the script (and Jupyter a notebook), NDArray in an
    # annotation is never evaluated after `from __future__ import annotations`
    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\n" + FUTURE + "\n# %%\n" + RELU)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = grade_submission(str(script), only=["activations.relu"], seed=1)
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes == []
    # a notebook's cells likewise, also a cell of which only the definitions run (time used up)
    from test_grade_notebooks import notebook

    nb = notebook(tmp_path / "activations.ipynb", FUTURE, "while True:\n    pass\n", RELU)
    result = grade_submission(str(nb), only=["activations.relu"], seed=1, timeout=1)
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes[-1] == (f"{nb}, cell 4: only its def, class and import statements ran (the 0.6 s "
                                "the cells may take were used up)")


STRING_SCRIPT = '''\
# %%
import numpy as np

USAGE = """How to use this file:
# %% starts a cell in VS Code
"""

def relu(x):
    x = np.asarray(x)
    x = x if x.dtype.kind == "f" else x.astype(np.float64)
    return np.maximum(x, 0)
'''


def test_a_marker_line_inside_a_string_does_not_split_its_cell(tmp_path):
    # review 16, item 3: python (and jupytext) keep the string whole; so does grading
    script = tmp_path / "activations.pct.py"
    script.write_text(STRING_SCRIPT)
    result = grade_submission(str(script), only=["activations.relu"], seed=1)
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes == []
    from grader.notebooks import percent_cells
    from chainrule.notebook import script_cells

    assert percent_cells(STRING_SCRIPT)[1] == [(2, 11, 5, len(STRING_SCRIPT) - 1)]
    assert script_cells(STRING_SCRIPT) == [STRING_SCRIPT[5:].strip()]
    # a triple-quoted string never closed (it does not tokenize): the rest is split as before
    text = "# %%\nx = '''abc\n# %%\ny = 1\n# %%\nz = 2\n"
    assert [(first, last) for first, last, _start, _end in percent_cells(text)[1]] == [(2, 2), (4, 4), (6, 6)]


def _comment_markers(text):
    """The lines of ``text`` that are markers as Python's tokenizer sees them: COMMENT tokens
    at column 0 that CELL_MARKER matches (None when ``text`` does not tokenize)."""
    import io
    import tokenize
    from grader.notebooks import CELL_MARKER

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        compile(text, "script", "exec")
    except (tokenize.TokenError, SyntaxError):
        return None
    return [t.start[0] for t in tokens
            if t.type == tokenize.COMMENT and t.start[1] == 0 and CELL_MARKER.fullmatch(t.string)]


def test_the_markers_are_the_comments_at_column_0_pythons_tokenizer_finds():
    import random
    from grader.notebooks import _markers

    pieces = ['# %%', '# %% [markdown]', '#%%', 'x = 1', '"""', "'''", 's = """a', 'b"""', "r'''\\", "'''",
              "t = 'a\\'# %%'", 'u = "q\\"', '"', "f'{x!r}'", "y = ('# %%'\n'x')", "z = (1,\n# %%\n2)",
              'w = "a\\', '# %%"', "c = 1  # ''' not a string", "# it's", "# %% it's a cell", '#"',
              "x = 1 # %% '''", '  # %%', 'def f():\n    """doc\n# %%\n"""', "q = rb'''x''''", "k = '''a\\'''b'''"]
    rng = random.Random(16)
    compared = inside = 0
    while compared < 400:
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) + "\n"
        want = _comment_markers(text)
        if want is None:
            continue
        compared += 1
        got = [text.count("\n", 0, m.start()) + 1 for m in _markers(text)]
        assert got == want, (text, got, want)
        inside += len(re.findall(r"(?m)^#[ \t]*%%", text)) > len(want)
    assert inside > 50      # many scripts had a marker-like line that is not a marker


def test_a_line_of_many_hashes_is_split_in_linear_time():
    """Review 16b: a pattern that looked for a quote after each ``#`` of a comment rescanned the
    rest of the line from every ``#``: a line of 40,000 took 9.6 s (the square of its length),
    in the grader's own process, before any time limit. Work counted, not timed: the regular
    expression is now asked once per comment, string or triple quote."""
    import grader.notebooks as notebooks

    calls = []

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, text, at):
            calls.append(at)
            return self.pattern.search(text, at)

    line = "#" * 40000 + " x"
    text = '"""doc"""\n' + line + "\n# %%\nx = 1\n" + line + "'\n"
    original = notebooks._LEXEME
    notebooks._LEXEME = Counting(original)
    try:
        markers = notebooks._markers(text)
    finally:
        notebooks._LEXEME = original
    assert [text.count("\n", 0, m.start()) + 1 for m in markers] == [3]
    assert len(calls) <= 6      # the docstring, two comments, one string... and the end
    # and the pattern itself is linear there: the whole line is one match
    match = original.search(text, len('"""doc"""\n'))
    assert match.group("comment") == line


def test_a_script_saved_with_a_byte_order_mark_is_graded_as_python_runs_it(tmp_path):
    # review 16, item 9: "\ufeff# %%" was no marker and its cell a SyntaxError (U+FEFF)
    script = tmp_path / "activations.pct.py"
    text = ("# %%\nfrom chainrule.notebook import check\nimport numpy as np\n\n# %%\n"
            "def relu(x):\n    return np.maximum(x, 0 * x)\n\n# %%\ncheck('activations.relu')\n")
    script.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and re.search(r"(?m)^  PASS  relu +\d/\d$", proc.stdout), proc.stdout + proc.stderr
    result = grade_submission(str(script), only=["activations.relu"], seed=1)
    assert result.functions["activations.relu"].passed, result.functions["activations.relu"].cases[0].message
    assert result.notes == []


def test_the_line_numbers_in_a_syntax_errors_message_are_the_scripts(tmp_path):
    # review 16, item 6: "on line 2" in the message, "line 13" in the note, for one error
    text = ("# %%\nimport numpy as np\n\n# %%\ndef relu(x):\n    return np.maximum(x, 0 * x)\n\n\n\n\n"
            "# %%\nw = 1\nif w > 0:\nprint(w)\n\n# %%\nv = foo(1,\n2]\n\n# %%\nUSAGE = '''unclosed\n")
    script = tmp_path / "activations.pct.py"
    script.write_text(text)
    result = grade_submission(str(script), only=["activations.relu"], seed=1)
    assert result.functions["activations.relu"].passed
    assert result.notes == [
        "activations.pct.py, line 14: raised IndentationError: expected an indented block after 'if' statement on "
        "line 13 (activations.pct.py, line 14) (the cells after it still ran)",
        "activations.pct.py, line 18: raised SyntaxError: closing parenthesis ']' does not match opening parenthesis "
        "'(' on line 17 (activations.pct.py, line 18) (the cells after it still ran)",
        "activations.pct.py, line 21: raised SyntaxError: unterminated triple-quoted string literal (detected at "
        "line 21) (activations.pct.py, line 21) (the cells after it still ran)"]
    # python names the same lines
    proc = subprocess.run([sys.executable, "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read().replace("
                           "'if w > 0:\\nprint', 'if w > 0:\\n    print'), sys.argv[1])", str(script)],
                          capture_output=True, text=True)
    assert "closing parenthesis ']' does not match opening parenthesis '(' on line 17" in proc.stderr, proc.stderr


def test_a_warning_of_the_parser_names_the_scripts_line():
    # review 16, item 7: an invalid escape sequence is the parser's warning (a SyntaxWarning on
    # Python 3.12, a DeprecationWarning before), raised before the cell's lines were shifted
    import warnings
    from grader.notebooks import RUNNER_SOURCE

    runner = {}
    exec(compile(RUNNER_SOURCE, "runner", "exec"), runner)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runner["_compile"]("import re\n\nPAT = re.compile('\\d+')\n", "/s/activations.pct.py", 5)
    assert [(w.filename, w.lineno, str(w.message)) for w in caught] == [
        ("/s/activations.pct.py", 7, "invalid escape sequence '\\d'")]
    assert caught[0].category in (SyntaxWarning, DeprecationWarning)


def test_a_note_on_a_whole_script_cell_names_its_lines_as_the_runners_notes_do():
    """Review 16b: the parent's notes on a whole cell of a script said "the cell at line 12"
    where the runner's say "the cell at lines 12-14"."""
    from grader.notebooks import clean_cell

    code, notes = clean_cell("%%bash\necho hi\necho there\n", "activations.pct.py", start=12)
    assert code is None
    assert notes == ["activations.pct.py, the cell at lines 12-14: skipped the cell magic %%bash (IPython syntax)"]
    code, notes = clean_cell("%%bash\n", "activations.pct.py", start=30)
    assert notes == ["activations.pct.py, the cell at line 30: skipped the cell magic %%bash (IPython syntax)"]
