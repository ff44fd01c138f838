"""``chainrule notebook``: what the notebooks hold, that they are valid and reproducible."""

import ast
import importlib
import inspect
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, POINTS

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_one_notebook_and_one_script_per_module(built):
    assert sorted(p.name for p in built.iterdir()) == sorted(
        [f"{m}.ipynb" for m in CONTRACT] + [f"{m}.pct.py" for m in CONTRACT])


@pytest.mark.parametrize("module", list(CONTRACT))
def test_notebook_is_valid_and_has_a_cell_triple_per_function(built, nbformat, module):
    nb = nbformat.read(str(built / f"{module}.ipynb"), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["chainrule"]["module"] == module
    assert nb.cells[1].source.splitlines()[0] == "from chainrule.notebook import check"
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in codes)
    checks = [c.source for c in codes if c.source.startswith("check(")]
    assert checks == [f'check("{module}.{n}")' for n in CONTRACT[module]] + ["check()"]
    exercises = importlib.import_module(f"exercises.{module}")
    for name in CONTRACT[module]:
        # the skeleton cell is the exercise's source text (read here with inspect, not ast),
        # right after a Markdown cell titled with the signature and followed by its check
        fn = getattr(exercises, name)
        i = next(k for k, c in enumerate(nb.cells) if c.source == inspect.getsource(fn).rstrip("\n"))
        heading = nb.cells[i - 1].source
        params = ", ".join(inspect.signature(fn).parameters)
        assert nb.cells[i - 1].cell_type == "markdown"
        assert heading.startswith(f"## `{name}({params})`")
        assert inspect.getdoc(fn).splitlines()[0] in heading
        points = POINTS[f"{module}.{name}"]
        assert f"*{points:g} point" in heading
        assert nb.cells[i + 1].source == f'check("{module}.{name}")'


def test_docstring_sections_become_markdown_lists(built, nbformat):
    nb = nbformat.read(str(built / "layers.ipynb"), as_version=4)
    cell = next(c.source for c in nb.cells if c.source.startswith("## `dense_backward("))
    assert "**Inputs:**" in cell and "**Returns a tuple of:**" in cell
    assert "\n- `dout`: " in cell and "\n- `dW`: " in cell


def test_network_notebook_asks_for_the_sigmoid_and_gives_as_float(built, nbformat):
    nb = nbformat.read(str(built / "network.ipynb"), as_version=4)
    sources = [c.source for c in nb.cells]
    assert any(s.startswith("def as_float(x):") for s in sources)
    i = next(k for k, s in enumerate(sources) if s.startswith("def sigmoid(x):"))
    assert "paste your implementation" in sources[i - 1]
    assert "raise NotImplementedError" in sources[i]          # the skeleton, never the reference
    assert not any(s.startswith("from .") or "\nfrom ." in s for s in sources)


def test_same_inputs_give_byte_identical_files(built, tmp_path):
    again = tmp_path / "again"
    assert run("notebook", "--out", str(again)).exit_code == 0
    for path in built.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    ids = [c["id"] for c in json.loads((built / "training.ipynb").read_text())["cells"]]
    assert ids[:3] == ["training-01", "training-02", "training-03"] and len(set(ids)) == len(ids)


def test_percent_script_has_the_notebook_cells(built, nbformat):
    nb = nbformat.read(str(built / "optimizers.ipynb"), as_version=4)
    text = (built / "optimizers.pct.py").read_text()
    chunks = re.split(r"^# %%.*\n", text, flags=re.M)[1:]
    assert len(chunks) == len(nb.cells)
    for cell, chunk in zip(nb.cells, chunks):
        if cell.cell_type == "code":
            assert chunk.rstrip("\n") == cell.source
        else:
            assert "\n".join(l[2:] for l in chunk.rstrip("\n").splitlines()) == cell.source
    ast.parse(text)     # a valid Python script


def test_modules_option_and_message(tmp_path):
    result = run("notebook", "--out", str(tmp_path / "o"), "--modules", "network,losses")
    assert result.exit_code == 0, result.output
    assert result.output == (f"Wrote 2 notebooks and their percent scripts to {tmp_path / 'o'}/ "
                             "(losses.ipynb, network.ipynb).\n")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "losses.ipynb", "losses.pct.py", "network.ipynb", "network.pct.py"]


def test_unknown_module_is_one_line_with_a_suggestion(tmp_path):
    result = run("notebook", "--out", str(tmp_path / "o"), "--modules", "activaton")
    assert result.exit_code == 2
    assert ("Error: Unknown module 'activaton'. Did you mean 'activations'? The modules are "
            + ", ".join(CONTRACT) + ".") in result.output
    assert not (tmp_path / "o").exists()


def test_non_empty_out_is_refused_without_force(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run("notebook", "--out", str(out), "--modules", "network")
    assert result.exit_code == 1
    assert result.output == (f"Error: Output folder '{out}' is not empty; use --force to overwrite it or "
                             "choose another --out.\n")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert run("notebook", "--out", str(out), "--modules", "network", "--force").exit_code == 0
    assert (out / "network.ipynb").is_file() and (out / "notes.txt").read_text() == "mine"


def test_missing_nbformat_is_one_clear_line(tmp_path):
    code = ("import sys; sys.modules['nbformat'] = None\n"
            "from chainrule.cli import main\n"
            f"main(['notebook', '--out', {str(tmp_path / 'o')!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr == ("Error: chainrule notebook needs nbformat: pip install 'chainrule[notebook]' "
                           "(or pip install nbformat).\n")
    assert not (tmp_path / "o").exists()


def test_help_lists_the_command_and_its_options():
    assert "  notebook " in run("--help").output
    out = run("notebook", "--help").output
    for option in ("--out", "--modules", "--students", "--seed", "--with-worksheet / --without-worksheet",
                   "--force"):
        assert option in out


def test_the_first_cell_says_grading_has_numpy_and_the_standard_library_only(built, nbformat):
    """Trial 13: a plotting cell graded as a ModuleNotFoundError, and nothing said so before."""
    for module in CONTRACT:
        first = " ".join(nbformat.read(str(built / f"{module}.ipynb"), as_version=4).cells[0].source.split())
        assert "Grading (a check too) runs with NumPy and the standard library only" in first, module
        assert "`%matplotlib`, the matplotlib imports and the lines that plot are left out when grading" in first
        assert "as are `display()`, the `IPython.display` imports and pandas' `.plot()`" in first   # session 15
        script = " ".join((built / f"{module}.pct.py").read_text().split())
        assert "runs with NumPy and the standard library only" in script
