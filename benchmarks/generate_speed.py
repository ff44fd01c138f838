"""Benchmark: a class set of 100 worksheets with answer keys in every format.

Target (issue 4): at most 20 s on the project's 2-core machine, for 100 students, every
registered family (one problem each), formats md, html and tex, through the same library
call as ``chainrule generate --count 100 --out DIR``, in a fresh process (imports and
the first-use compilation of every family's formulas included).

    python3 benchmarks/generate_speed.py [--count 100] [--lang en] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from generator import registry, worksheets

    imported = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        result = worksheets.generate(out=Path(tmp) / "set", count=args.count, lang=args.lang)
        done = time.perf_counter()
        size = sum(p.stat().st_size for p in (Path(tmp) / "set").rglob("*") if p.is_file())
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, {len(registry.FAMILIES)} families")
    print(f"students: {result.students}, files: {result.files}, {size / 1e6:.1f} MB, formats: {', '.join(result.formats)}")
    print(f"imports: {imported - start:.2f} s, generation: {done - imported:.2f} s, total: {done - start:.2f} s")
    print(f"per student: {(done - imported) / result.students * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
