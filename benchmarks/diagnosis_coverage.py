"""How many realistic wrong implementations get a diagnosis that names the mistake.

Goal (issue 10): at least 90 % of a catalog of wrong implementations the grader was not
written for (tests/grader/wrong_catalog.py: systematic mutations of the reference, mostly
beyond the known-mistake table) get a hint that names the mistake, none gets a misleading
one, and every one loses points. Each entry is graded in process exactly as `chainrule
grade` judges a submission's function (grader.engine.grade_in_process); the test
tests/grader/test_wrong_catalog.py checks the same numbers.

    python3 benchmarks/diagnosis_coverage.py [--seed 2026] [--all]
"""

import argparse
import collections
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--all", action="store_true", help="list every entry, not only the misses")
    args = parser.parse_args()
    from tests.grader.wrong_catalog import evaluate

    rows = evaluate(args.seed)
    counts = collections.Counter(r[0] for r in rows)
    for verdict, qualname, ident, names in rows:
        if args.all or verdict != "named":
            print(f"{verdict:<10} {qualname} {ident}: {', '.join(names) or '-'}")
    n = len(rows)
    print(f"{n} wrong implementations (seed {args.seed}): named {counts['named']} "
          f"({100.0 * counts['named'] / n:.1f} %), no diagnosis {counts['none']}, "
          f"misleading {counts['misleading']}, full marks {counts['passed']}")
    by_kind = collections.Counter()
    for verdict, *_ , names in rows:
        if verdict == "named":
            by_kind[names[0]] += 1
    print("diagnoses named:", ", ".join(f"{k} {v}" for k, v in by_kind.most_common()))
    return 0 if counts["named"] >= 0.9 * n and not counts["misleading"] and not counts["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
