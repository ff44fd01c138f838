"""How long `chainrule grade` takes on a complete, correct submission.

Target (issue 3): at most 1.5 s wall on the project's 2-core machine, for the whole
command (Python start-up, imports, one child process, every case of all 52 functions).
Measures the command end to end in a fresh process, several times, and prints the
median and the range; also checks that neither sympy nor jinja2 was imported.

    python3 benchmarks/grade_speed.py [--runs 7] [--submission solutions]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = (
    "import sys, time; t0 = time.perf_counter(); "
    "from chainrule.cli import main; "
    "sys.argv = ['chainrule', 'grade', {sub!r}, '--format', 'json', '--output', {out!r}, '--force']; "
    "code = 0\n"
    "try:\n    main()\nexcept SystemExit as e:\n    code = e.code or 0\n"
    "bad = [m for m in ('sympy', 'jinja2') if m in sys.modules]\n"
    "print(code, ','.join(bad) or '-')"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--submission", default=os.path.join(ROOT, "solutions"))
    args = parser.parse_args()
    out = os.path.join(ROOT, "benchmarks", ".grade_speed.json")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", PROBE.format(sub=args.submission, out=out)],
                              capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        code, bad = proc.stdout.split()
        if code != "0" or bad != "-":
            sys.exit(f"grading failed or imported {bad}: {proc.stdout}{proc.stderr}")
    os.unlink(out)
    print(f"chainrule grade {os.path.relpath(args.submission, ROOT)}: {args.runs} runs, "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
          "(wall, whole command in a fresh process; sympy/jinja2 not imported)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
