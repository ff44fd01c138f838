"""What a grading case is, how it runs against any callee, and how it is judged.

A ``Case`` tests one contract function with inputs the grader made. ``run(callee)``
performs its calls through ``callee(call) -> Returned``: the child process (the
student), the reference (through an oracle) or a known mistake (in this process) all
run the very same case code, so expected values, the student's values and a mistake's
values always come from identical inputs. Kinds:

- ``exact``: fixed calls; expected = the reference's outputs on them.
- ``fd``: fixed calls; expected = finite differences of the reference *forward*
  function(s), computed by the case's ``fd`` function (independent of the reference
  backward).
- ``steps``: consecutive calls, each fed the previous output (the callee's own ``w`` and
  state); every output (``w`` and each state array) is judged over all steps, and the
  problem names the wrong ones with the step each first goes wrong.
- ``stat``: random functions; no expected values, a statistical ``judge`` instead
  (false-fail probability bounded by the DKW/Hoeffding inequalities, below 1e-6).
"""

from __future__ import annotations

import zlib

import numpy as np

from chainrule_core.contract import OUTPUT_NAMES, SIGNATURES
from grader.compare import Problem, compare, plain
from grader.values import to_returned
from grader.values import FromOutput, Rng

class Call:
    """One call: positional arguments, and optionally a global seed set just before it."""

    __slots__ = ("args", "global_seed")

    def __init__(self, *args, global_seed=None):
        self.args = tuple(args)
        self.global_seed = global_seed

    def materialize(self):
        """Fresh copies of the arguments for an in-process call (reference or mistake)."""
        return tuple(_fresh(a) for a in self.args)


def _fresh(value):
    if isinstance(value, Rng):
        return value.make()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    return value


class FeedError(Exception):
    """A step's output cannot be fed into the next step (wrong structure)."""


def short(value, limit=60):
    """A compact description of one argument for case descriptions."""
    if isinstance(value, np.ndarray):
        if value.size <= 4 and value.ndim <= 1:
            body = np.array2string(value, separator=", ", precision=6)
            return f"{body} ({value.dtype})"
        return f"array{tuple(int(s) for s in value.shape)} {value.dtype}"
    if isinstance(value, Rng):
        return repr(value)
    if isinstance(value, float):
        return f"{value:g}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: numbers of one argument shown in full by ``--verbose`` (more are described: shape, dtype)
FULL_INPUTS_LIMIT = 400


def python_literal(value, limit=FULL_INPUTS_LIMIT, prefix=""):
    """``value`` as Python source that builds it again (NumPy as ``np``), or a description
    (``# array(300, 300) float64: too large to show``) when it holds more than ``limit`` numbers;
    ``prefix``: what precedes it on its first line (continuation lines line up under it)."""
    if isinstance(value, np.ndarray):
        if value.size > limit:
            return f"...  # {short(value)}: {value.size} numbers, too many to show"
        body = np.array2string(value, separator=", ", threshold=limit + 1, floatmode="unique",
                               max_line_width=100, prefix=prefix + "np.array(")
        dtype = "" if value.dtype == np.float64 and value.size else f", dtype=np.{value.dtype.name}"
        return f"np.array({body}{dtype})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype.name}({value.item()!r})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(python_literal(v, limit) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {python_literal(v, limit)}" for k, v in value.items()) + "}"
    if isinstance(value, Rng):
        return f"{value!r}  # a random generator"
    return repr(value)


class Case:
    def __init__(self, qualname, name, calls=(), rtol=1e-6, atol=1e-9, kind="exact", fd=None,
                 judge=None, feed=None, steps=0, state_note="", keep_dtype=False):
        self.qualname = qualname
        self.name = name
        self.calls = list(calls)
        self.rtol, self.atol = float(rtol), float(atol)
        self.kind = kind
        self.fd = fd
        self.stat_judge = judge
        self.feed = feed
        self.steps = steps
        self.state_note = state_note
        self.keep_dtype = keep_dtype    # the contract promises x's float dtype (True), or that of the named argument
        self.number = 0          # set by the registry
        self.failed_call = 0     # of several calls, the one a failure is about (set by the grader)

    @property
    def module(self):
        return self.qualname.split(".", 1)[0]

    @property
    def function(self):
        return self.qualname.split(".", 1)[1]

    def arg_names(self):
        return SIGNATURES[self.qualname]

    def describe(self):
        """One line naming the inputs (the first call, or the later one that failed:
        ``failed_call``)."""
        if not self.calls:
            return ""
        names = self.arg_names()
        k = self.failed_call if self.kind != "steps" and 0 <= self.failed_call < len(self.calls) else 0
        parts = [f"{n}={short(v)}" for n, v in zip(names, self.calls[k].args)]
        more = ""
        if self.kind == "steps":
            more = f", {self.steps} steps with the returned state fed back"
        elif k:
            more = f" (call {k + 1} of {len(self.calls)})"
        elif len(self.calls) > 1:
            more = f" (and {len(self.calls) - 1} more call{'s' if len(self.calls) > 2 else ''})"
        return ", ".join(parts) + more

    def full_inputs(self, limit=FULL_INPUTS_LIMIT):
        """The arguments of the call that failed (``failed_call``; the first one of a steps
        case) as Python a student can paste to rebuild the case (``--verbose``): ``x =
        np.array([...], dtype=np.float32)``, exact (every float as the shortest decimal that
        reads back the same); an argument of more than ``limit`` numbers is only described.
        Empty for a case without calls."""
        if not self.calls:
            return ""
        k = self.failed_call if self.kind != "steps" and 0 <= self.failed_call < len(self.calls) else 0
        lines = []
        for name, value in zip(self.arg_names(), self.calls[k].args):
            lines.append(f"{name} = {python_literal(value, limit, prefix=f'{name} = ')}")
        if self.kind == "steps":
            lines.append(f"# then {self.steps} steps, each fed the state the step before returned")
        elif len(self.calls) > 1:
            lines.append(f"# call {k + 1} of {len(self.calls)}, the one that failed")
        return "\n".join(lines)

    def fingerprint(self):
        """A checksum of the case's inputs (recorded oracles check they still match)."""
        crc = zlib.crc32(f"{self.qualname}|{self.name}|{self.kind}|{self.steps}".encode())
        for call in self.calls:
            for arg in call.args:
                crc = zlib.crc32(_arg_bytes(arg), crc)
        return crc

    # ---------------------------------------------------------------- running
    def run(self, callee):
        """Outputs (``Returned``) of the callee on this case's calls."""
        if self.kind != "steps":
            outputs = []
            for k, call in enumerate(self.calls):
                try:
                    outputs.append(callee(call))
                except Exception as exc:
                    try:
                        exc.call_index = k      # which call raised, timed out or wrote into its input
                    except AttributeError:
                        pass
                    raise
            return outputs
        outputs = []
        call = self.calls[0]
        for k in range(self.steps):
            out = callee(call)
            outputs.append(out)
            if k + 1 < self.steps:
                try:
                    call = self.feed(call, plain(out), k + 1)
                except FeedError:
                    break
        return outputs

    def chain_plan(self):
        """How the child may run this steps case without a round trip per step:
        ``(rule, [arguments of each later step])`` for ``Sandbox.submit(chain=...)``, or
        None. Read off ``feed`` itself by feeding it markers: each later call's arguments
        are the values it sends, and ``FromOutput(i)`` where it places item ``i`` of the
        previous output as it is (``rule``: -1, the output is one array; n, a tuple of n).
        A feed that makes something of the output, or reuses an older output, has no plan."""
        if self.kind != "steps" or self.steps < 2 or self.feed is None:
            return None
        for rule in (-1, 1, 2, 3, 4, 5, 6, 7, 8):
            plan = self._chain_with(rule)
            if plan is not None:
                return plan
        return None

    def _chain_with(self, rule):
        call, steps, older = self.calls[0], [], []
        for k in range(1, self.steps):
            marks = [np.empty(0) for _ in range(1 if rule == -1 else rule)]
            try:
                call = self.feed(call, marks[0] if rule == -1 else tuple(marks), k)
            except Exception:  # noqa: BLE001 - FeedError, or a feed that computes with it
                return None
            if call.global_seed is not None:
                return None
            args = []
            for arg in call.args:
                hit = [i for i, mark in enumerate(marks) if arg is mark]
                if hit:
                    args.append(FromOutput(-1 if rule == -1 else hit[0]))
                elif any(arg is mark for mark in older) or (isinstance(arg, np.ndarray) and arg.size == 0):
                    return None     # an older output, or something made of one
                elif isinstance(arg, (np.ndarray, np.generic, int, float, Rng)) or arg is None:
                    args.append(arg)
                else:
                    return None     # a container: it might hold an output
            older.extend(marks)
            steps.append(args)
        return rule, steps

    def expected(self, ref):
        """Expected outputs, given ``ref(qualname) -> reference callable``; None for stat."""
        if self.kind == "stat":
            return None
        if self.kind == "fd":
            return [to_returned(v) for v in self.fd(ref, *self.calls[0].materialize())]
        fn = ref(self.qualname)
        return self.run(lambda call: to_returned(fn(*call.materialize())))

    # ---------------------------------------------------------------- judging
    def judge(self, actual, expected):
        """The Problem of ``actual`` against ``expected`` (or the stat judge), None if right.

        Every output of a function with several outputs is compared: the Problem names the
        wrong ones and the right ones ("dW2 and db2 wrong; dW1 and db1 right") and explains
        each wrong one. With several calls, the first call that is wrong is explained."""
        if self.kind == "stat":
            return self.stat_judge(actual, self.calls)
        names = OUTPUT_NAMES.get(self.qualname)
        if self.kind == "steps":
            return self._judge_steps(actual, expected, names)
        for k, (act, exp) in enumerate(zip(actual, expected)):
            label = ""
            if len(expected) > 1:
                label = f"call {k + 1} of {len(expected)} ({self._call_text(self.calls[k])})"
            problem = self._judge_outputs(act, exp, label, names)
            if problem is not None:
                problem.call = k
                if problem.scalar and not problem.wrong:
                    call = self.calls[k] if k < len(self.calls) else self.calls[0]
                    problem.text = self._scalar_sentence(call, problem.text)
                return problem
        return None

    def _call_text(self, call):
        return ", ".join(f"{n}={short(v)}" for n, v in zip(self.arg_names(), call.args))

    def _scalar_sentence(self, call, text):
        """One plain sentence: "iterations_per_epoch(n_samples=105, batch_size=10) returned
        10, expected 11." (``text`` is "[label: ]yours A, expected B")."""
        tail = text.rsplit("yours ", 1)[-1]
        yours, _, expected = tail.partition(", expected ")
        return f"{self.function}({self._call_text(call)}) returned {yours}, expected {expected}."

    def _judge_outputs(self, act, exp, label, names):
        if not (exp.kind == "tuple" and names and act.kind in ("tuple", "list")
                and len(act.value) == len(exp.value)):
            return compare(act, exp, self.rtol, self.atol, label, self.keep_dtype)
        verdicts = []
        for name, a, e in zip(names, act.value, exp.value):
            where = f"{label}, {name}" if label else name
            verdicts.append((name, compare(a, e, self.rtol, self.atol, where, self.keep_dtype)))
        return self._combine(verdicts, label)

    def _combine(self, verdicts, label, when=None):
        """One Problem from ``[(output name, Problem or None)]``: the wrong and the right
        outputs named in one line, then each wrong output explained."""
        wrong = [(n, p) for n, p in verdicts if p is not None]
        if not wrong:
            return None
        right = [n for n, p in verdicts if p is None]
        first = wrong[0][1]
        lines = []
        if len(verdicts) > 1:
            head = f"{_names(n for n, _ in wrong)} wrong"
            if when and len({when[n] for n, _ in wrong}) == 1:
                head += f" {when[wrong[0][0]]}"
            elif when:
                head += " (" + ", ".join(f"{n} {when[n]}" for n, _ in wrong) + ")"
            if right:
                head += f"; {_names(right)} right"
            lines.append((f"{label}: " if label else "") + head + ".")
        lines.extend(p.text for _, p in wrong)
        # what the judge knows of the mistake (a float for an int, a dtype), when every wrong
        # output says the same
        findings = {p.finding for _, p in wrong}
        problem = Problem(first.kind, "\n".join(lines), first.finding if len(findings) == 1 else None)
        problem.scalar = first.scalar and len(verdicts) == 1
        problem.wrong = [n for n, _ in wrong]
        problem.right = right
        return problem

    def _judge_steps(self, actual, expected, names):
        problem = self._judge_step_values(actual, expected, names)
        if problem is None and len(actual) < len(expected):
            problem = Problem("type", f"stopped after step {len(actual)} of {self.steps}: the returned "
                                      "value could not be fed back as the next step's w and state "
                                      "(return numpy arrays)")
        return problem

    def _judge_step_values(self, actual, expected, names):
        # structure of every step first (cannot feed otherwise); then each output (w, then
        # the state in the contract's convention) over all steps: its first wrong step
        for k, (act, exp) in enumerate(zip(actual, expected)):
            label = f"after step {k + 1} of {self.steps}"
            if exp.kind == "tuple":
                if act.kind not in ("tuple", "list") or len(act.value) != len(exp.value):
                    return compare(act, exp, self.rtol, self.atol, label)
        n_out = len(expected[0].value) if expected and expected[0].kind == "tuple" else 1
        out_names = list(names) if names and n_out > 1 else (["w"] if n_out == 1 else
                                                            [f"item {j}" for j in range(n_out)])
        verdicts, when = [], {}
        for j, name in enumerate(out_names):
            found = None
            for k, (act, exp) in enumerate(zip(actual, expected)):
                a = act.value[j] if exp.kind == "tuple" else act
                e = exp.value[j] if exp.kind == "tuple" else exp
                problem = compare(a, e, self.rtol, self.atol, f"after step {k + 1} of {self.steps}, {name}")
                if problem is not None:
                    found = problem
                    when[name] = f"from step {k + 1}"
                    break
            verdicts.append((name, found))
        return self._combine(verdicts, "", when=when)


def _names(names):
    """"a", "a and b", "a, b and c"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _arg_bytes(arg):
    if isinstance(arg, np.ndarray):
        return arg.dtype.str.encode() + repr(arg.shape).encode() + arg.tobytes()
    if isinstance(arg, (list, tuple)):
        return b"(" + b",".join(_arg_bytes(a) for a in arg) + b")"
    return repr(arg).encode()


def stat_problem(text, finding=None):
    """A statistical judge's Problem; ``finding`` ``(name, sentence)`` names what is off."""
    return Problem("stat", text, finding)
