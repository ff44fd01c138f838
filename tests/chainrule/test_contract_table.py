"""The contract table (``chainrule_core.contract.FUNCTIONS``) against the code and the docs.

Every record is checked against what it describes: the argument names against
``inspect.signature`` of ``solutions/`` and ``exercises/``, the output names against the
"Returns a tuple of:" section of both docstrings, the optimizer state counts against the
argument and output names, and docs/CONTRACT.md must name every function in its module's
section with the same arguments.
"""
import importlib
import inspect
import os
import re

import pytest

from chainrule_core import contract
from chainrule_core.contract import FUNCTIONS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IDS = [f.qualname for f in FUNCTIONS]


def _callable(package, record):
    return getattr(importlib.import_module(f"{package}.{record.module}"), record.name)


def _tuple_items(doc):
    """Names listed under "Returns a tuple of ...:" (``- dx, dW: ...`` counts two), or ()."""
    match = re.search(r"^Returns a tuple of[^:\n]*:\n((?:- .*\n?|  .*\n?)+)", doc, re.M)
    if not match:
        return ()
    return tuple(name.strip() for line in re.findall(r"^- ([^:]+):", match.group(1), re.M)
                 for name in line.split(","))


@pytest.mark.parametrize("package", ["solutions", "exercises"])
@pytest.mark.parametrize("record", FUNCTIONS, ids=IDS)
def test_record_arguments_are_the_signature(package, record):
    params = list(inspect.signature(_callable(package, record)).parameters.values())
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert tuple(positional) == record.args


@pytest.mark.parametrize("package", ["solutions", "exercises"])
@pytest.mark.parametrize("record", FUNCTIONS, ids=IDS)
def test_record_outputs_are_the_documented_tuple(package, record):
    doc = inspect.getdoc(_callable(package, record)) or ""
    assert _tuple_items(doc) == record.outputs


@pytest.mark.parametrize("record", [f for f in FUNCTIONS if f.state is not None],
                         ids=lambda f: f.qualname)
def test_state_count_matches_the_state_arguments_and_outputs(record):
    assert record.module == "optimizers"
    state_args = record.args[2:2 + record.state]
    assert record.args[:2] == ("w", "grad")
    assert record.outputs[1:] == state_args
    # every optimizer names its state, and nothing else is state
    assert not any(a in ("velocity", "accum", "sq_avg", "m", "v") for a in record.args[2 + record.state:])


def test_every_optimizer_has_a_state_count_and_no_other_function_does():
    optimizers = {f"optimizers.{n}" for n in contract.CONTRACT["optimizers"]}
    assert {f.qualname for f in FUNCTIONS if f.state is not None} == optimizers


def test_points_are_positive_and_derived_views_agree():
    assert all(f.points > 0 for f in FUNCTIONS)
    assert list(contract.POINTS) == contract.qualified_names() == IDS
    assert contract.MODULES == list(dict.fromkeys(f.module for f in FUNCTIONS))
    assert len(set(IDS)) == len(IDS)
    # contract order: the records of a module are contiguous
    seen = [f.module for f in FUNCTIONS]
    assert seen == sorted(seen, key=contract.MODULES.index)


def test_contract_md_names_every_function_with_its_arguments():
    with open(os.path.join(ROOT, "docs", "CONTRACT.md"), encoding="utf-8") as fh:
        text = fh.read()
    sections = re.split(r"^## ", text, flags=re.M)
    by_module = {}
    for section in sections:
        m = re.match(r"exercises/(\w+)\.py", section)
        if m:
            by_module[m.group(1)] = section
    assert list(by_module) == contract.MODULES
    for record in FUNCTIONS:
        calls = re.findall(rf"`{record.name}\(([^)]*)\)`", by_module[record.module])
        assert calls, f"docs/CONTRACT.md does not name {record.qualname}"
        names = tuple(a.split("=")[0].strip() for a in calls[0].split(",") if a.strip())
        assert names == record.args, record.qualname
