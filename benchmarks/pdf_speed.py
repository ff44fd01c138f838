"""Benchmark: what a PDF costs in a class run, against a bare TeX run of a one-line document.

Target (issue 11): where a TeX engine exists, each PDF at most 1.5x a bare `pdflatex` run of
a one-line document, both measured side by side in one run. A PDF's cost is what it adds to
a class: the same `chainrule generate --count N --format tex` (the library call behind it,
``generator.worksheets.generate``, default jobs = every core) is run with and without PDFs,
each in a fresh Python process, and the difference in wall time is divided by the number of
PDFs written (a worksheet and a key per student). ``--compare`` also runs the class with the
format cache of ``generator/pdf.py`` switched off (every PDF compiles its whole preamble),
as PDFs were made before it. The bare run is `ENGINE -interaction=batchmode` on
``\\documentclass{article}\\begin{document}x\\end{document}`` with the engine the class uses
(the median of 5 runs before and 5 after). Wall time depends on other load on the machine;
CPU time (user + system of every process of the run, TeX included) hardly does, so both are
printed. Exit status 1 when the wall ratio is above 1.5.

    python3 benchmarks/pdf_speed.py [--runs 1] [--count 100] [--lang en] [--compare]
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

from _measure import bare_start, children_cpu

ROOT = Path(__file__).resolve().parent.parent
ONE_LINE = "\\documentclass{article}\\begin{document}x\\end{document}\n"
TARGET = 1.5


def once(count: int, lang: str, mode: str) -> None:
    """One class in this process; prints wall seconds and the number of sheet PDFs."""
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from generator import pdf, worksheets

    if mode == "none":
        worksheets.tex_engine = lambda lang="en": None
    elif mode == "nocache":
        pdf.FORMATS.get = lambda engine, preamble: None
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        result = worksheets.generate(out=Path(tmp) / "set", count=count, lang=lang, formats=["tex"])
        elapsed = time.perf_counter() - start
        pdfs = len([p for p in (Path(tmp) / "set").rglob("*.pdf") if p.name in ("worksheet.pdf", "key.pdf")])
        if mode != "none" and (result.warnings or pdfs != 2 * count):
            raise SystemExit(f"the class made {pdfs} PDFs, not {2 * count}: {result.warnings}")
    print(f"{elapsed:.3f} {pdfs}")


def bare(engine: str, runs: int):
    """Median wall and CPU seconds of the engine on a one-line document."""
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-tex-") as tmp:
        Path(tmp, "one.tex").write_text(ONE_LINE, encoding="utf-8")
        env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
        return bare_start([engine, "-interaction=batchmode", "one.tex"], runs, cwd=tmp, env=env,
                          stdout=subprocess.DEVNULL)


def klass(count: int, lang: str, mode: str):
    start_cpu = children_cpu()
    out = subprocess.run([sys.executable, __file__, "--once", mode, "--count", str(count), "--lang", lang],
                         check=True, stdout=subprocess.PIPE, text=True, cwd=str(ROOT)).stdout.split()
    return float(out[0]), children_cpu() - start_cpu, int(out[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--compare", action="store_true", help="also run the class without the format cache")
    parser.add_argument("--once", choices=("none", "pdf", "nocache"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.once:
        once(args.count, args.lang, args.once)
        return 0
    sys.path.insert(0, str(ROOT))
    from generator.pdf import tex_engine

    engine = tex_engine(args.lang)
    if engine is None:
        print(f"no TeX engine for {args.lang} installed: nothing to measure")
        return 0
    loads = [os.getloadavg()[0]]
    before = bare(engine, 5)
    modes = ["none", "pdf"] + (["nocache"] if args.compare else [])
    results = {mode: [] for mode in modes}
    for run in range(args.runs):
        for mode in modes[run % len(modes):] + modes[:run % len(modes)]:   # each run in another order
            loads.append(os.getloadavg()[0])
            results[mode].append(klass(args.count, args.lang, mode))
            wall, cpu, pdfs = results[mode][-1]
            print(f"class of {args.count}, {mode:8}: {wall:.2f} s wall, {cpu:.2f} s CPU, {pdfs} PDFs")
    after = bare(engine, 5)
    loads.append(os.getloadavg()[0])
    bare_wall = statistics.median([before[0], after[0]])
    bare_cpu = statistics.median([before[1], after[1]])
    print(f"bare `{Path(engine).name}` on a one-line document: {bare_wall * 1000:.0f} ms wall "
          f"({before[0] * 1000:.0f} before, {after[0] * 1000:.0f} after), {bare_cpu * 1000:.0f} ms CPU")
    base_wall = statistics.median(r[0] for r in results["none"])
    base_cpu = statistics.median(r[1] for r in results["none"])
    ratio = None
    for mode in modes[1:]:
        wall = statistics.median(r[0] for r in results[mode])
        cpu = statistics.median(r[1] for r in results[mode])
        pdfs = results[mode][0][2]
        per_wall, per_cpu = (wall - base_wall) / pdfs, (cpu - base_cpu) / pdfs
        label = "with the format cache" if mode == "pdf" else "without the cache (full preamble)"
        cores = min(os.cpu_count() or 1, 2)
        print(f"per PDF, {label}: {per_wall * 1000:.0f} ms wall = {per_wall / bare_wall:.2f}x, "
              f"{per_cpu * 1000:.0f} ms CPU = {per_cpu / bare_cpu:.2f}x CPU (an idle {cores}-core machine "
              f"running PDFs on every core: about {per_cpu / cores / bare_cpu:.2f}x)")
        if mode == "pdf":
            ratio = per_wall / bare_wall
    print(f"on {os.cpu_count()} CPUs, load average {min(loads):.1f}-{max(loads):.1f}; target: at most {TARGET}x wall")
    return 0 if ratio is not None and ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
