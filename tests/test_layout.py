"""The test tree itself: pytest's default import mode needs unique test-module basenames."""

import collections
import pathlib


def test_layout_test_module_basenames_are_unique():
    tests = pathlib.Path(__file__).parent
    names = collections.Counter(p.name for p in tests.rglob("test_*.py"))
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert clashes == [], f"test modules share a basename (pytest cannot import both): {clashes}"
