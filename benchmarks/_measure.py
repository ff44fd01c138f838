"""What every benchmark here measures the same way: CPU time of child processes, the median
of a bare start, and the kit byte-compiled before measuring (as an installed kit is; this
environment may set ``PYTHONDONTWRITEBYTECODE``, which would make every run compile the kit)."""

import os
import resource
import statistics
import subprocess
import sys
import time


def children_cpu():
    """User + system seconds of every finished child process of this one."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children_system():
    """System seconds (the kernel's work: files, memory) of every finished child process."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime


def bare_start(argv, runs, **run_args):
    """Median wall and CPU seconds of ``argv`` (``subprocess.run`` keywords in ``run_args``)."""
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(argv, check=True, **run_args)
        times.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus)


def bare_python(code, runs):
    """Median wall and CPU seconds of ``python -c CODE`` (``import numpy``, ``import sympy``)."""
    return bare_start([sys.executable, "-c", code], runs)


def compile_kit(root, packages):
    """Byte-compile ``packages`` (folders of ``root``), not timed."""
    folders = [os.path.join(root, name) for name in packages if os.path.isdir(os.path.join(root, name))]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True, cwd=str(root),
                   env=dict(os.environ, PYTHONDONTWRITEBYTECODE=""))
