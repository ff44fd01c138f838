"""The student skeleton ``exercises/`` against the reference ``solutions/``.

Both implement the same contract: identical module and function docstrings and
signatures, the same public names, and identical text outside the contract functions'
bodies (module docstring, imports, given helpers). Every skeleton function raises
``NotImplementedError`` on valid contract inputs (checked valid by calling the reference
with them) after one ``# TODO:`` line with a hint, and the skeleton imports without
``solutions``.
"""

import ast
import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule_core.contract import CONTRACT, MODULES, qualified_names

ROOT = Path(__file__).resolve().parents[2]
EXERCISES_DIR = ROOT / "exercises"
SOLUTIONS_DIR = ROOT / "solutions"


def _pair(module):
    return (importlib.import_module(f"exercises.{module}"),
            importlib.import_module(f"solutions.{module}"))


def _functions(qualname):
    module, _, name = qualname.partition(".")
    exercise, solution = _pair(module)
    return getattr(exercise, name), getattr(solution, name)


def _public(module):
    return {n for n in vars(module) if not n.startswith("_")}


# Valid contract inputs for every function, as ``f(rng) -> (args, kwargs)``.

def _probs(rng, n, k):
    e = np.exp(rng.normal(size=(n, k)))
    return e / e.sum(axis=1, keepdims=True)


def _net(rng):
    return (rng.normal(size=(3, 2)), rng.uniform(size=(3, 2)), rng.normal(size=(2, 4)),
            np.zeros(4), rng.normal(size=(4, 2)), np.zeros(2))


VALID = {
    "activations.sigmoid": lambda r: ((r.normal(size=(3, 2)),), {}),
    "activations.sigmoid_derivative": lambda r: ((r.normal(size=(3, 2)),), {}),
    "activations.tanh": lambda r: ((r.normal(size=4),), {}),
    "activations.tanh_derivative": lambda r: ((r.normal(size=4),), {}),
    "activations.relu": lambda r: ((r.normal(size=(2, 2)),), {}),
    "activations.relu_derivative": lambda r: ((r.normal(size=(2, 2)),), {}),
    "activations.softplus": lambda r: ((r.normal(size=3),), {}),
    "activations.softplus_derivative": lambda r: ((r.normal(size=3),), {}),
    "activations.softmax": lambda r: ((r.normal(size=(2, 3)),), {"axis": -1}),
    "losses.mean_squared_error": lambda r: ((r.normal(size=(3, 2)), r.normal(size=(3, 2))), {}),
    "losses.mean_squared_error_grad": lambda r: (
        (r.normal(size=(3, 2)), r.normal(size=(3, 2))), {}),
    "losses.sum_squared_error": lambda r: ((r.normal(size=2), r.normal(size=2)), {}),
    "losses.sum_squared_error_grad": lambda r: ((r.normal(size=2), r.normal(size=2)), {}),
    "losses.binary_crossentropy": lambda r: (
        (np.array([0.0, 1.0, 1.0]), r.uniform(0.1, 0.9, size=3)), {}),
    "losses.binary_crossentropy_grad": lambda r: (
        (np.array([0.0, 1.0, 1.0]), r.uniform(0.1, 0.9, size=3)), {"eps": 1e-7}),
    "losses.categorical_crossentropy": lambda r: ((np.eye(3)[[0, 2]], _probs(r, 2, 3)), {}),
    "losses.sparse_categorical_crossentropy": lambda r: (
        (np.array([0, 2]), _probs(r, 2, 3)), {}),
    "losses.softmax_crossentropy_grad": lambda r: (
        (np.array([1, 0]), r.normal(size=(2, 3))), {}),
    "losses.class_weights_balanced": lambda r: ((np.array([0, 1, 1, 2]), 3), {}),
    "losses.weighted_sparse_categorical_crossentropy": lambda r: (
        (np.array([0, 2]), _probs(r, 2, 3), np.array([1.0, 2.0, 0.5])), {}),
    "layers.dense_forward": lambda r: (
        (r.normal(size=(4, 3)), r.normal(size=(3, 2)), r.normal(size=2)), {}),
    "layers.dense_backward": lambda r: (
        (r.normal(size=(4, 2)), r.normal(size=(4, 3)), r.normal(size=(3, 2))), {}),
    "layers.dropout_mask": lambda r: (((3, 4), 0.5, np.random.default_rng(0)), {}),
    "layers.dropout_forward": lambda r: (
        (r.normal(size=(3, 4)), r.random((3, 4)) < 0.5, 0.5), {}),
    "layers.dropout_backward": lambda r: (
        (r.normal(size=(3, 4)), r.random((3, 4)) < 0.5, 0.5), {}),
    "layers.batchnorm_forward": lambda r: (
        (r.normal(size=(5, 3)), np.ones(3), np.zeros(3)), {"eps": 1e-5}),
    "layers.batchnorm_backward": lambda r: (
        (r.normal(size=(5, 3)), r.normal(size=(5, 3)), np.ones(3)), {}),
    "network.forward": lambda r: (tuple(a for i, a in enumerate(_net(r)) if i != 1), {}),
    "network.backward": lambda r: (_net(r), {}),
    "network.train_step": lambda r: (_net(r) + (0.5,), {}),
    "optimizers.sgd_step": lambda r: ((r.normal(size=3), r.normal(size=3)), {"lr": 0.1}),
    "optimizers.momentum_step": lambda r: (
        (r.normal(size=3), r.normal(size=3), np.zeros(3)), {}),
    "optimizers.nesterov_step": lambda r: (
        (r.normal(size=3), r.normal(size=3), np.zeros(3)), {}),
    "optimizers.adagrad_step": lambda r: (
        (r.normal(size=3), r.normal(size=3), np.zeros(3)), {}),
    "optimizers.rmsprop_step": lambda r: (
        (r.normal(size=3), r.normal(size=3), np.zeros(3)), {}),
    "optimizers.adam_step": lambda r: (
        (r.normal(size=3), r.normal(size=3), np.zeros(3), np.zeros(3), 1), {}),
    "regularization.l2_penalty": lambda r: ((r.normal(size=(2, 3)), 0.01), {}),
    "regularization.l2_grad": lambda r: ((r.normal(size=(2, 3)), 0.01), {}),
    "regularization.l1_penalty": lambda r: ((r.normal(size=(2, 3)), 0.01), {}),
    "regularization.l1_grad": lambda r: ((r.normal(size=(2, 3)), 0.01), {}),
    "regularization.max_norm": lambda r: ((3 * r.normal(size=(2, 3)),), {"max_value": 2.0}),
    "initializers.random_normal": lambda r: (((2, 3), np.random.default_rng(0)), {}),
    "initializers.random_uniform": lambda r: (((2, 3), np.random.default_rng(0)), {}),
    "initializers.glorot_uniform": lambda r: ((3, 2, np.random.default_rng(0)), {}),
    "initializers.he_normal": lambda r: ((3, 2, np.random.default_rng(0)), {}),
    "training.iterations_per_epoch": lambda r: ((2000, 200), {}),
    "training.minibatch_indices": lambda r: ((10, 4, np.random.default_rng(0)), {}),
    "training.early_stopping_epoch": lambda r: (([1.0, 0.9, 0.95, 0.97], 2), {}),
    "training.time_based_decay": lambda r: ((0.1, 0.01, 10), {}),
    "training.gradient_descent_quadratic": lambda r: ((1.0, 2.0, 0.0, 0.1, 3), {}),
    "training.train_val_test_split": lambda r: ((10, 0.2, 0.1, np.random.default_rng(0)), {}),
    "training.log_uniform": lambda r: ((1e-4, 1e-1, 5, np.random.default_rng(0)), {}),
}


def test_skeleton_valid_inputs_cover_the_contract():
    assert set(VALID) == set(qualified_names())


def test_skeleton_has_the_same_files_as_solutions():
    assert sorted(p.name for p in EXERCISES_DIR.glob("*.py")) == \
        sorted(p.name for p in SOLUTIONS_DIR.glob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_skeleton_module_docstrings_match(module):
    exercise, solution = _pair(module)
    assert exercise.__doc__ and exercise.__doc__ == solution.__doc__


@pytest.mark.parametrize("qualname", qualified_names())
def test_skeleton_signature_and_docstring_match(qualname):
    exercise, solution = _functions(qualname)
    assert inspect.signature(exercise) == inspect.signature(solution)
    assert exercise.__doc__ and exercise.__doc__ == solution.__doc__


@pytest.mark.parametrize("module", MODULES)
def test_skeleton_defines_the_same_public_names(module):
    exercise, solution = _pair(module)
    assert set(CONTRACT[module]) <= _public(exercise)
    assert _public(exercise) == _public(solution), (
        f"only in exercises: {sorted(_public(exercise) - _public(solution))}; "
        f"only in solutions: {sorted(_public(solution) - _public(exercise))}")


@pytest.mark.parametrize("qualname", qualified_names())
def test_skeleton_raises_not_implemented_on_valid_inputs(qualname):
    exercise, solution = _functions(qualname)
    args, kwargs = VALID[qualname](np.random.default_rng(7))
    solution(*args, **kwargs)   # the inputs are valid: the reference accepts them
    args, kwargs = VALID[qualname](np.random.default_rng(7))
    with pytest.raises(NotImplementedError):
        exercise(*args, **kwargs)


def _frame(path, module):
    """The module's source with every contract function's body (after its docstring) cut."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    cuts = [(node.body[0].end_lineno, node.end_lineno) for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name in CONTRACT[module]]
    kept, cursor = [], 0
    for start, end in cuts:
        kept.extend(lines[cursor:start])
        cursor = end
    kept.extend(lines[cursor:])
    return kept


@pytest.mark.parametrize("module", MODULES)
def test_skeleton_differs_from_solutions_only_inside_function_bodies(module):
    assert _frame(EXERCISES_DIR / f"{module}.py", module) == \
        _frame(SOLUTIONS_DIR / f"{module}.py", module)


@pytest.mark.parametrize("module", MODULES)
def test_skeleton_bodies_are_one_todo_then_not_implemented(module):
    path = EXERCISES_DIR / f"{module}.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.FunctionDef) and node.name in CONTRACT[module]):
            continue
        body = lines[node.body[0].end_lineno:node.end_lineno]
        todos = [line for line in body if line.strip().startswith("# TODO:")]
        assert len(todos) == 1, (node.name, body)
        last = node.body[-1]
        assert (isinstance(last, ast.Raise) and isinstance(last.exc, ast.Name)
                and last.exc.id == "NotImplementedError"), node.name
        assert len(body) <= 10, (node.name, "the given code around the gap should be short")


def test_skeleton_never_imports_solutions():
    for path in sorted(EXERCISES_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "solutions" for n in names), path.name


def test_skeleton_imports_when_solutions_is_missing():
    # As in a student release: solutions cannot be imported at all.
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'solutions':\n"
        "            raise ImportError('solutions is not shipped to students')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {MODULES!r}:\n"
        "    importlib.import_module('exercises.' + m)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('solutions', 'sympy', 'jinja2')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_skeleton", ROOT / "tools" / "make_skeleton.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_skeleton_is_what_make_skeleton_generates_from_solutions():
    expected = _generator().expected_files()
    stale = [name for name, text in expected.items()
             if (EXERCISES_DIR / name).read_text(encoding="utf-8") != text]
    assert not stale, (f"exercises/{stale} differ from solutions/ + the skeleton bodies; "
                       "run python tools/make_skeleton.py and commit exercises/")
    assert sorted(p.name for p in EXERCISES_DIR.glob("*.py")) == sorted(expected)


def test_make_skeleton_tool_rewrites_a_folder_and_checks_it(tmp_path, capsys):
    tool = _generator()
    tool.DST = tmp_path / "exercises"
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0
    assert {p.name: p.read_text(encoding="utf-8") for p in tool.DST.glob("*.py")} == tool.expected_files()
    assert tool.main(["--check"]) == 0
    (tool.DST / "layers.py").write_text("# edited\n", encoding="utf-8")
    (tool.DST / "old_module.py").write_text("", encoding="utf-8")
    capsys.readouterr()
    assert tool.main(["--check"]) == 1
    assert capsys.readouterr().out == ("exercises/layers.py is out of date\n"
                                       "exercises/old_module.py is out of date\n")
    assert tool.main([]) == 0
    assert capsys.readouterr().out == "wrote exercises/layers.py\nremoved exercises/old_module.py\n"
    assert tool.main(["--check"]) == 0


def test_make_skeleton_runs_as_a_script_and_finds_exercises_up_to_date():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_skeleton.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
