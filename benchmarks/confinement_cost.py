"""What confinement adds to a grade: a child started and ready, confined or not.

Target (issue 15): confinement may add at most 20 ms to a grade. Each round starts one
grader child (``grader.sandbox.Sandbox``: start, NumPy imported, ready) on the reference
twice, once with every layer this machine offers (Landlock, and as root the network
namespace and the uid drop) and once with Landlock switched off, and times a bare
``python -c pass`` in the same round as the yardstick. Prints the medians, the
difference and its ratio to a bare interpreter start, and the time the child's own clock
measured for all its confinement steps (``_confine``; insensitive to the machine's load,
which swamps the end-to-end difference on a busy machine). Exit status 1 above 20 ms.
The children are forked from the warm process (``grader.zygote``) as in a grade;
``CHAINRULE_NO_ZYGOTE=1`` times fresh children (NumPy imported by each) instead.

    python3 benchmarks/confinement_cost.py [--runs 15]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _child_ready(confined):
    from grader import landlock
    from grader.sandbox import Sandbox

    real = landlock.abi
    if not confined:
        landlock.abi = lambda: 0
    try:
        box = Sandbox(os.path.join(ROOT, "solutions"))
        t0 = time.perf_counter()
        box.start()
        elapsed = time.perf_counter() - t0
        described = box.describe()
        inside = {k: box.confinement.get(k, 0.0) for k in ("ms", "ms_net", "ms_landlock", "ms_seccomp")}
        box.stop()
    finally:
        landlock.abi = real
    return elapsed, described, inside


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    confined, plain, bare, inside = [], [], [], []
    described = {}
    for _ in range(args.runs):
        t, described[True], ms = _child_ready(True)
        confined.append(t)
        inside.append(ms)
        t, described[False], _ = _child_ready(False)
        plain.append(t)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t0)
    med = {k: statistics.median(v) * 1000 for k, v in (("confined", confined), ("plain", plain),
                                                          ("bare", bare))}
    extra = med["confined"] - med["plain"]
    own = statistics.median(i["ms"] for i in inside)
    net = statistics.median(i["ms_net"] for i in inside)
    lock = statistics.median(i["ms_landlock"] for i in inside)
    seccomp = statistics.median(i["ms_seccomp"] for i in inside)
    print(f"confined child ready: {med['confined']:.1f} ms median  ({described[True]})")
    print(f"without Landlock:     {med['plain']:.1f} ms median  ({described[False]})")
    print(f"bare interpreter:     {med['bare']:.1f} ms median")
    print(f"confinement adds {extra:.1f} ms = {extra / med['bare']:.2f} x a bare interpreter start "
          f"({args.runs} runs, load {os.getloadavg()[0]:.2f})")
    print(f"the child's own clock: its confinement (every layer) took {own:.1f} ms median "
          f"= {own / med['bare']:.2f} x a bare interpreter start; of it the network namespace "
          f"{net:.1f} ms, Landlock (module, rules, restrict) {lock:.1f} ms, the seccomp filter {seccomp:.1f} ms")
    return 0 if own <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
