"""Benchmark: a class set of 100 worksheets with answer keys, against a bare sympy start.

Target (issue 11): 100 sheets with keys in md and html on the project's 2-core machine in at
most 10x a bare `python -c "import sympy"` start, both measured side by side in one run (the
bare start is the median of 5 runs before and 5 after). The class goes through the same
library call as ``chainrule generate --count 100 --format md,html --out DIR``: every
registered family once per sheet, answers.toml and manifest.json, the plots of issue 9
included. ``--format md,html,tex`` measures all formats (issue 4's older target: at most
20 s); PDF compilation is left out even when a TeX engine is installed (it is the TeX
engine's time), ``--pdf`` includes it. Each run is a fresh Python process, so imports and
the first compilation of every family's formulas are included, and its wall time is the
whole process's, from the interpreter's start to its exit, as the bare start's is (until
2026-12-05 18:10 it was timed inside the process, from the imports to ``generate``'s return,
leaving out the interpreter's start and exit; that figure is still printed per run). Each
run writes a folder of its own, measured outside the timing; all of them are removed after
the last run (until 2026-12-06 10:00 each was removed right after its run, and the removal of
~2,850 files slowed the next run's file creation on this machine's ext4 disk). Before every
timed run, the class runs and the bare starts alike, the disk's pending writes are flushed
(``os.sync``, not timed; ``--no-sync`` leaves it out): a class leaves about 80 MB in ~2,850
new files waiting to be written, and while they wait every file the next run creates costs far
more system time on this machine (``open`` of a new file 0.1-0.4 ms instead of 0.02 ms, about
28 files a student), so back-to-back runs measured the previous run's writes, not the one
being timed (until 2026-12-06 12:00 nothing was flushed). Wall time depends on other
load on the machine; CPU time (user + system of every process of the run) hardly does, so
both are printed, and the system part of it on its own.

The disk. This machine's root file system is ext4 without a journal, and the kernel (6.18)
then skips every inode deleted in the last minutes (``RECENTCY_MIN`` and ``RECENTCY_DIRTY`` in
its source) when it looks for a free one (``find_inode_bit`` -> ``recently_deleted``, seen with ``perf
record -g``). Right after thousands of files were deleted (a test run's temporary folders, a
benchmark's cleanup), creating a file costs 0.3-0.6 ms of system time instead of 0.01-0.05 ms:
a class's system time is then about 2 s instead of 0.4-0.5 s. The system time printed per run
shows which case a run was in; a fair figure is taken with nothing deleted in the minutes
before. A journalled ext4, tmpfs or another file system does not skip such inodes.

The machine's speed drifts too: a bare ``import sympy`` took 0.35 s and 0.55 s within
minutes on 2026-12-06. So the bare start is measured around every run (3 starts before it,
3 after it; the after of one run is the before of the next), and the headline ratio is the
median of the runs' own ratios (until 2026-12-06 18:20 it was the median run against 5 bare
starts before all runs and 5 after them).

    python3 benchmarks/generate_speed.py [--runs 3] [--count 100] [--lang en] [--format md,html] [--pdf] [--jobs N] [--no-prepared] [--no-sync] [--baseline DIR]

``--jobs`` is passed to the library (``chainrule generate --jobs``; default: every core).

Before measuring, the kit's own packages are byte-compiled (``compileall``, not timed), as
``pip install`` does and as sympy's files already are: with ``PYTHONDONTWRITEBYTECODE`` set
(this machine sets it) every run would otherwise compile the kit's ~60 modules from source
again (about 55 ms of the fixed start), which no installed kit does. ``--source`` leaves
that out.
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

from _measure import bare_python, children_cpu, children_system, compile_kit

ROOT = Path(__file__).resolve().parent.parent
#: the kit's packages a class run imports (byte-compiled before measuring, see above)
PACKAGES = ("chainrule", "chainrule_core", "checker", "generator", "solutions")


def once(count: int, lang: str, formats, pdf: bool, jobs=None, out=None) -> None:
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from generator import registry, worksheets

    if not pdf:
        worksheets.tex_engine = lambda lang="en": None

    result = worksheets.generate(out=Path(out), count=count, lang=lang, formats=formats, jobs=jobs)
    elapsed = time.perf_counter() - start
    from generator import prepared

    print(f"{elapsed:.3f} {result.students} {result.files} {len(registry.FAMILIES)} {int(prepared.active())}", flush=True)


def file_creation(folder: Path, count: int = 300) -> float:
    """Seconds to create one empty file in ``folder`` (made here), the median of ``count``:
    the disk's state, which decides a class's system time (see the docstring). The files stay
    until the benchmark's folder is removed: removing them would slow the runs."""
    folder.mkdir()
    times = []
    for i in range(count):
        start = time.perf_counter()
        os.close(os.open(folder / str(i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--format", default="md,html", help="comma-separated formats (default md,html: issue 11's target)")
    parser.add_argument("--pdf", action="store_true", help="also compile PDFs when a TeX engine is installed")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--source", action="store_true",
                        help="do not byte-compile the kit's packages first (measure compiling them from source too)")
    parser.add_argument("--no-prepared", action="store_true",
                        help="without the prepared table of printed formulas (CHAINRULE_NO_PREPARED=1; generator/prepared.py)")
    parser.add_argument("--no-sync", action="store_true",
                        help="do not flush the disk's pending writes before each timed run (see above)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also run the class with the kit of another checkout (e.g. a git archive of an earlier "
                             "commit), alternating with this one's runs, each with its own ratio")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = [f for f in args.format.split(",") if f]
    if args.once:
        once(args.count, args.lang, formats, args.pdf, args.jobs, args.out)
        return 0
    kits = [("this kit", ROOT)] + ([("baseline", Path(args.baseline).resolve())] if args.baseline else [])
    if not args.source:
        for _name, kit in kits:
            compile_kit(kit, PACKAGES)
    flush = (lambda: None) if args.no_sync else os.sync
    loads = [os.getloadavg()[0]]

    def bare():
        flush()
        return bare_python("import sympy", 3)

    # the bare start is measured around every run (3 starts before it, 3 after it, the
    # after of one run the before of the next): this machine's speed drifts by a third within
    # minutes, and a ratio of two figures taken minutes apart measured the drift
    bares = [bare()]
    times, cpus, systems, ratios = [], [], [], []
    others = []     # the baseline's ratios (--baseline)
    # every run writes into a folder of its own, and all of them are removed together after
    # the last run: removing a class's ~2,850 files just before the next run starts made that
    # run's file creation several times slower on ext4 (7-10 ms a student instead of about
    # 0.3 ms), an effect of the benchmark's own cleanup, not of generate
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        probe = file_creation(Path(tmp) / "probe")
        print(f"creating a file where the classes go: {probe * 1000:.3f} ms (this machine: about 0.02 ms; "
              f"0.3-0.6 ms within minutes of mass deletions, see the docstring)")
        for run, (name, kit) in ((r, k) for r in range(args.runs) for k in kits):
            loads.append(os.getloadavg()[0])
            target = Path(tmp) / f"set{run}-{len(times) + len(others)}"
            flush()  # the previous run's files written out first (not timed)
            start_cpu, start_system, start = children_cpu(), children_system(), time.perf_counter()
            out = subprocess.run(
                [sys.executable, str(kit / "benchmarks" / Path(__file__).name), "--once", "--out", str(target),
                 "--count", str(args.count), "--lang", args.lang, "--format", ",".join(formats)]
                + (["--pdf"] if args.pdf else []) + (["--jobs", str(args.jobs)] if args.jobs else []),
                check=True, stdout=subprocess.PIPE, text=True, cwd=str(kit),
                env=dict(os.environ, **({"CHAINRULE_NO_PREPARED": "1"} if args.no_prepared else {})),
            ).stdout.split()
            # the whole process, as the bare start is measured: the interpreter's start and
            # exit included (the folder is made, measured and removed outside the timing)
            elapsed, cpu = time.perf_counter() - start, children_cpu() - start_cpu
            system = children_system() - start_system
            size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
            inside, students, files, families, table = float(out[0]), int(out[1]), int(out[2]), int(out[3]), int(out[4])
            bares.append(bare())
            around = statistics.median([bares[-2][0], bares[-1][0]])
            if kit != ROOT:
                others.append(elapsed / around)
                print(f"  baseline run: {elapsed:.2f} s wall, {cpu:.2f} s CPU ({system:.2f} s of it system); bare sympy "
                      f"start around it {around * 1000:.0f} ms: {others[-1]:.1f}x (its prepared table "
                      f"{'in use' if int(out[4]) else 'NOT used'})")
                continue
            times.append(elapsed)
            cpus.append(cpu)
            systems.append(system)
            ratios.append(elapsed / around)
            print(f"run: {elapsed:.2f} s wall ({inside:.2f} s from the imports to generate's return), {cpu:.2f} s CPU "
                  f"({system:.2f} s of it system); bare sympy start around it {around * 1000:.0f} ms: "
                  f"{ratios[-1]:.1f}x (load average before: {loads[-1]:.2f})")
    flush()
    loads.append(os.getloadavg()[0])
    sympy_wall = statistics.median(b[0] for b in bares)
    sympy_cpu = statistics.median(b[1] for b in bares)
    wall, cpu = statistics.median(times), statistics.median(cpus)
    print(f"{students} students, {families} families, {files} files, {size / 1e6:.1f} MB, "
          f"{'+'.join(formats)}{'+pdf' if args.pdf else ''}, lang {args.lang}, jobs {args.jobs or 'every core'}, "
          f"{'kit compiled from source in every run' if args.source else 'kit byte-compiled first'}, "
          f"prepared table {'in use' if table else 'not used'}, "
          f"{'no flush' if args.no_sync else 'pending writes flushed'} before each run")
    print(f"median {wall:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s wall; median {cpu:.2f} s CPU "
          f"({statistics.median(systems):.2f} s system); "
          f"on {os.cpu_count()} CPUs, load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"bare `python -c 'import sympy'`: {sympy_wall * 1000:.0f} ms wall (the median of {len(bares)} medians of 3 starts, "
          f"{min(b[0] for b in bares) * 1000:.0f}-{max(b[0] for b in bares) * 1000:.0f} ms), {sympy_cpu * 1000:.0f} ms CPU")
    print(f"class / bare sympy start: {statistics.median(ratios):.1f}x wall (median of the runs' own ratios, "
          f"{min(ratios):.1f}-{max(ratios):.1f}x), {cpu / sympy_cpu:.1f}x CPU "
          f"(target: at most 10x; an idle {os.cpu_count()}-core machine runs the class on every core: "
          f"about {cpu / min(os.cpu_count() or 1, 2) / sympy_cpu:.1f}x)")
    if others:
        print(f"baseline ({args.baseline}) in the same runs: {statistics.median(others):.1f}x wall "
              f"(median of its runs' own ratios, {min(others):.1f}-{max(others):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
