"""How long `chainrule grade` takes on a complete, correct submission, against a bare NumPy start.

Target (issue 11): at most 3x a bare `python -c "import numpy"` start, both measured side
by side in this run, on the project's 2-core machine, for the whole command (Python
start-up, imports, the warm process and one child, every case of all 52 functions, and the
exit), run as the ``chainrule`` command runs it (``chainrule.cli.run``, its entry point).
Runs are interleaved: bare start, grade (warm start), grade with the warm start off
(``CHAINRULE_NO_ZYGOTE=1``: each child a fresh interpreter, as before issue 11), each in a
fresh process, several times; prints medians and ranges. Also checks that neither sympy
nor jinja2 was imported.

Bytecode: the kit's packages are byte-compiled first (``compileall``, not timed), as
``pip install`` compiles every module of an installed kit, the child runtime
``grader/_child.py`` included, which no run imports (until 2026-12-06 14:05 one run wrote
the bytecode of what it imported, and the runtime was compiled at every start), and
``PYTHONDONTWRITEBYTECODE`` is dropped from the measured commands' environment; NumPy's
are there since its installation. ``--no-bytecode`` measures with the environment as it
is instead (nothing compiled first).

BLAS threads: ``chainrule grade`` runs NumPy with one BLAS thread unless the user set one
(starting OpenBLAS's thread pool costs about 50 ms of CPU per process); the bare start is
measured as a user's shell runs it (no thread setting: the target's reference) and, for
comparison, with one thread as well.

``--baseline DIR``: also grade with the kit of another checkout (``DIR``, e.g. a copy of
main made with ``git archive``), imported through ``PYTHONPATH`` from there, interleaved
with the others: a before/after comparison under the very same load.

    python3 benchmarks/grade_speed.py [--runs 9] [--submission solutions] [--no-bytecode]
                                      [--baseline DIR]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from _measure import children_cpu, compile_kit

#: the kit's packages a grade imports or runs (byte-compiled before measuring, see above)
KIT_PACKAGES = ("chainrule", "chainrule_core", "grader", "solutions")
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = (
    "import atexit, resource, sys\n"
    "try:\n    from chainrule.cli import run\n"
    "except ImportError:\n    from chainrule.cli import main as run\n"    # a kit before run()
    "sys.argv = ['chainrule', 'grade', {sub!r}, '--format', 'json', '--output', {out!r}, '--force']\n"
    "def report():\n"
    "    bad = [m for m in ('sympy', 'jinja2') if m in sys.modules]\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    print(','.join(bad) or '-', own.ru_utime + own.ru_stime, flush=True)\n"
    "atexit.register(report)\n"
    "run()\n"
)


CPU = {}


def _run(argv, env, cpu_key=None, cwd=ROOT):
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env)
    if cpu_key:
        CPU.setdefault(cpu_key, []).append(children_cpu() - cpu)
    return time.perf_counter() - start, proc


def _summary(times):
    return (f"median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--submission", default=os.path.join(ROOT, "solutions"))
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as it is (the kit compiled on every run)")
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="also grade with the kit of this other checkout (interleaved), for before/after")
    args = parser.parse_args()
    out = os.path.join(ROOT, "benchmarks", ".grade_speed.json")
    env = dict(os.environ)
    if not args.no_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CHAINRULE_NO_ZYGOTE", None)
    for var in BLAS_THREAD_VARS:    # NumPy as a user's shell starts it (the bare start's default)
        env.pop(var, None)
    cold = dict(env, CHAINRULE_NO_ZYGOTE="1")
    grade = [sys.executable, "-c", PROBE.format(sub=args.submission, out=out)]
    if not args.no_bytecode:
        compile_kit(ROOT, KIT_PACKAGES)
    _run(grade, env)        # a first run, not counted
    one = dict(env, **{var: "1" for var in BLAS_THREAD_VARS})
    bare, bare1, warm, fresh, baseline = [], [], [], [], []
    kinds = [(warm, env, "warm", ROOT), (fresh, cold, "fresh", ROOT)]
    if args.baseline:
        other = os.path.abspath(args.baseline)
        kinds.append((baseline, dict(env, PYTHONPATH=other), "baseline", other))
        if not args.no_bytecode:
            compile_kit(other, KIT_PACKAGES)
        _run(grade, kinds[-1][1], cwd=other)
    for _ in range(args.runs):
        bare.append(_run([sys.executable, "-c", "import numpy"], env, "bare")[0])
        bare1.append(_run([sys.executable, "-c", "import numpy"], one, "bare1")[0])
        for times, run_env, key, where in kinds:
            elapsed, proc = _run(grade, run_env, key, cwd=where)
            times.append(elapsed)
            bad, own = (proc.stdout.split() + ["?", "?"])[:2]
            if proc.returncode != 0 or bad != "-":
                sys.exit(f"grading failed or imported {bad}: {proc.stdout}{proc.stderr}")
            CPU.setdefault(key + " parent", []).append(float(own))
    os.unlink(out)
    base = statistics.median(bare)
    print(f"bare `python -c 'import numpy'`: {_summary(bare)}")
    print(f"  the same with one BLAS thread (as `chainrule grade` runs NumPy): {_summary(bare1)}; "
          f"the grade below is {statistics.median(warm) / statistics.median(bare1):.2f}x that (warm)")
    print(f"chainrule grade {os.path.relpath(args.submission, ROOT)} (warm start): {_summary(warm)}, "
          f"{statistics.median(warm) / base:.2f}x the bare start (target: at most 3x)")
    print(f"the same with CHAINRULE_NO_ZYGOTE=1 (fresh child): {_summary(fresh)}, "
          f"{statistics.median(fresh) / base:.2f}x")
    if args.baseline:
        print(f"the baseline's kit ({args.baseline}), warm: {_summary(baseline)}, "
              f"{statistics.median(baseline) / base:.2f}x; CPU {statistics.median(CPU['baseline']) * 1000:.0f} ms, "
              f"of it its grading process {statistics.median(CPU['baseline parent']) * 1000:.0f} ms")
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"CPU time (user + system, every process): bare {cpu['bare'] * 1000:.0f} ms, "
          f"warm {cpu['warm'] * 1000:.0f} ms ({cpu['warm'] / cpu['bare']:.2f}x), "
          f"fresh {cpu['fresh'] * 1000:.0f} ms ({cpu['fresh'] / cpu['bare']:.2f}x); of it the grading "
          f"process itself (imports, cases, expected values, judging, report): warm "
          f"{cpu['warm parent'] * 1000:.0f} ms, fresh {cpu['fresh parent'] * 1000:.0f} ms")
    print(f"{args.runs} interleaved runs, wall time of the whole command in a fresh process; "
          f"bytecode {'as the environment says' if args.no_bytecode else 'compiled first (compileall), then read'}; "
          "sympy/jinja2 not imported")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
