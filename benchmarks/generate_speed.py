"""Benchmark: a class set of 100 worksheets with answer keys in every format.

Target (issue 4): at most 20 s on the project's 2-core machine for 100 students, every
registered family (one problem each), formats md, html and tex, through the same library
call as ``chainrule generate --count 100 --out DIR``. PDF compilation is left out even when
a TeX engine is installed (it is an extra of the tex format and costs the TeX engine's
time, not chainrule's); ``--pdf`` includes it, to measure that cost separately. Each run is
a fresh Python process, so imports and the first compilation of every family's formulas
are included.

    python3 benchmarks/generate_speed.py [--runs 3] [--count 100] [--lang en] [--pdf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def once(count: int, lang: str, pdf: bool) -> None:
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from generator import registry, worksheets

    if not pdf:
        worksheets.tex_engine = lambda lang="en": None

    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        result = worksheets.generate(out=Path(tmp) / "set", count=count, lang=lang)
        elapsed = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (Path(tmp) / "set").rglob("*") if p.is_file())
    print(f"{elapsed:.3f} {result.students} {result.files} {size} {len(registry.FAMILIES)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--pdf", action="store_true", help="also compile PDFs when a TeX engine is installed")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.once:
        once(args.count, args.lang, args.pdf)
        return 0
    times = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, __file__, "--once", "--count", str(args.count), "--lang", args.lang]
            + (["--pdf"] if args.pdf else []),
            check=True, stdout=subprocess.PIPE, text=True, cwd=str(ROOT),
        ).stdout.split()
        elapsed, students, files, size, families = float(out[0]), int(out[1]), int(out[2]), int(out[3]), int(out[4])
        times.append(elapsed)
        print(f"run: {elapsed:.2f} s (load average before: {load:.2f})")
    print(f"{students} students, {families} families, {files} files, {size / 1e6:.1f} MB, md+html+tex{'+pdf' if args.pdf else ''}, lang {args.lang}")
    print(f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
