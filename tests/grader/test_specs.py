"""The spec registry: one spec module per contract module, its known mistakes beside it."""
import importlib

import pytest

from chainrule_core.contract import CONTRACT, MODULES, qualified_names
from grader import specs
from grader.specs._kit import registrar


def test_one_spec_module_per_contract_module_in_contract_order():
    assert list(specs.SPECS) == MODULES
    for module, spec in specs.SPECS.items():
        assert spec.__name__ == f"grader.specs.{module}"
        # a spec registers cases for its own module's functions only, all of them
        assert sorted(spec.CASES) == sorted(f"{module}.{n}" for n in CONTRACT[module])
        known = importlib.import_module(f"grader.specs.known.{module}")
        assert all(row[0] in CONTRACT[module] for row in known.KNOWN)


def test_spec_for_gives_the_cases_and_the_known_mistakes_of_a_function():
    spec = specs.spec_for("optimizers.adam_step")
    assert spec.cases is specs.BUILDERS["optimizers.adam_step"]
    names = [m.name for m in spec.mistakes]
    assert "no-bias-correction" in names
    assert all(m.function == "optimizers.adam_step" for m in spec.mistakes)
    assert list(specs.BUILDERS) == qualified_names()


def test_cases_are_numbered_and_reproducible_per_seed():
    a = specs.cases_for("layers.dense_backward", 7)
    b = specs.cases_for("layers.dense_backward", 7)
    c = specs.cases_for("layers.dense_backward", 8)
    assert [x.number for x in a] == list(range(1, len(a) + 1))
    assert [x.fingerprint() for x in a] == [x.fingerprint() for x in b]
    assert [x.fingerprint() for x in a] != [x.fingerprint() for x in c]


def test_a_builder_for_another_module_or_an_unknown_function_is_refused():
    builder = registrar({}, "losses")
    with pytest.raises(RuntimeError, match=r"grader/specs/losses.py registers cases for 'layers.dense_forward', "
                                           r"which is not a contract function of 'losses'"):
        builder("layers.dense_forward")(lambda q, rng: [])
    with pytest.raises(RuntimeError, match="'losses.hinge'"):
        builder("losses.hinge")(lambda q, rng: [])


def test_for_function_refuses_a_name_outside_the_contract():
    with pytest.raises(ValueError, match="unknown contract function 'optimizers.lion_step'"):
        specs.for_function("optimizers.lion_step")
