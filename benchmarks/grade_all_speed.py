"""How long `chainrule grade-all` takes per submission, against a bare NumPy start.

Target (issue 11): grading 100 complete, correct submissions on the project's 2-core
machine costs at most 1.5x a bare `python -c "import numpy"` start per submission (wall
time of the whole command divided by 100). Both are measured side by side in this run:
the bare start several times (median), then the whole command in a fresh process (every
case of all 52 functions for each submission, every core, --force so that nothing is
reused), several times (median). Also checks that sympy and jinja2 were not imported.

Each worker forks its children from its own warm process (``grader.zygote``);
``--fresh`` sets ``CHAINRULE_NO_ZYGOTE=1`` (each child a fresh interpreter, as before) for
comparison. Bytecode: the kit is compiled first (``compileall``, as an installed kit is)
and ``PYTHONDONTWRITEBYTECODE`` is dropped from the command's environment; NumPy's is
there since its installation.

    python3 benchmarks/grade_all_speed.py [--count 100] [--runs 3] [--jobs N] [--fresh]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _measure import bare_python, children_cpu, compile_kit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = (
    "import sys; from chainrule.cli import main; "
    "sys.argv = ['chainrule', 'grade-all', {subs!r}, '--out', {out!r}, '--force'] + {extra!r}; "
    "code = 0\n"
    "try:\n    main()\nexcept SystemExit as e:\n    code = e.code or 0\n"
    "bad = [m for m in ('sympy', 'jinja2') if m in sys.modules]\n"
    "print(code, ','.join(bad) or '-')"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--fresh", action="store_true", help="the warm start off (CHAINRULE_NO_ZYGOTE=1)")
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CHAINRULE_NO_ZYGOTE", None)
    if args.fresh:
        env["CHAINRULE_NO_ZYGOTE"] = "1"
    compile_kit(ROOT, ("chainrule", "chainrule_core", "grader"))
    work = tempfile.mkdtemp(prefix="chainrule-bench-")
    try:
        subs = os.path.join(work, "submissions")
        for i in range(args.count):
            shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(subs, f"student{i:03d}", "exercises"),
                            ignore=shutil.ignore_patterns("__pycache__"))
        out = os.path.join(work, "out")
        extra = ["--jobs", str(args.jobs)] if args.jobs else []
        numpy_start = bare_python("import numpy", 7)
        times, cpus = [], []
        for _ in range(args.runs):
            start, cpu = time.perf_counter(), children_cpu()
            proc = subprocess.run([sys.executable, "-c", PROBE.format(subs=subs, out=out, extra=extra)],
                                  capture_output=True, text=True, cwd=ROOT, env=env)
            times.append(time.perf_counter() - start)
            cpus.append(children_cpu() - cpu)
            code, bad = proc.stdout.split()[-2:]
            if code != "0" or bad != "-":
                sys.exit(f"grade-all failed or imported {bad}: {proc.stdout}{proc.stderr}")
        with open(os.path.join(out, "grades.csv")) as handle:
            rows = handle.read().splitlines()[1:]
        full = sum(1 for row in rows if row.endswith(",100.00"))
        if full != args.count:
            sys.exit(f"only {full} of {args.count} submissions got full marks")
        numpy_after = bare_python("import numpy", 7)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(times)
    per = median / args.count
    numpy_time = statistics.median([numpy_start[0], numpy_after[0]])
    numpy_cpu = statistics.median([numpy_start[1], numpy_after[1]])
    cpu_per = statistics.median(cpus) / args.count
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"chainrule grade-all, {args.count} correct submissions, jobs {args.jobs or 'default (every core)'}, "
          f"{'fresh children (CHAINRULE_NO_ZYGOTE=1)' if args.fresh else 'warm start'}: "
          f"{args.runs} runs, median {median:.2f} s (min {min(times):.2f} s, max {max(times):.2f} s), "
          f"{per * 1000:.0f} ms per submission")
    print(f"bare `python -c 'import numpy'`: {numpy_time * 1000:.0f} ms "
          f"(before {numpy_start[0] * 1000:.0f} ms, after {numpy_after[0] * 1000:.0f} ms), "
          f"{numpy_cpu * 1000:.0f} ms CPU")
    print(f"per submission / bare NumPy start: {per / numpy_time:.2f}x wall (target: at most 1.5x)")
    print(f"CPU per submission (all processes): {cpu_per * 1000:.0f} ms = {cpu_per / numpy_cpu:.2f}x a bare "
          f"NumPy start's CPU; on an idle machine with {cores} cores that is about "
          f"{cpu_per / cores / numpy_cpu:.2f}x its wall time (less sensitive to other load)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
