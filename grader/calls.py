"""Which contract functions each function of a submission calls, read from its source.

A function that fails only because a function it calls is wrong (the student's
``forward`` calls their ``sigmoid``) should say so, so that the student fixes the called
function first instead of hunting for a mistake that is not in ``forward``. This module
finds the calls statically, in the parent, from the submission's source files alone: it
parses them with ``ast`` (nothing is imported or run, and the child learns nothing new)
and follows names the way Python would resolve them:

- a name used inside the function that is global there (not a parameter, not assigned,
  defined or imported inside the function or a function around it);
- bound at the module's top level by ``def``, by ``from .activations import sigmoid [as
  s]`` (also ``from activations import ...``, ``from exercises.activations import ...``
  and the submission folder's own name, which the child accepts too), by ``import
  activations [as act]`` / ``from . import activations`` (then ``act.sigmoid``), or by a
  plain alias ``s = sigmoid``;
- through module-level helpers (a function of the submission that is not a contract
  function: its own calls count as the caller's), in any module of the submission.

``contract_calls(folder)`` returns, for each contract function defined in the
submission, the contract functions it calls (with the helper it goes through, if any) and
whether its own code raises ``NotImplementedError``. ``trace(result, folder)`` adds to a
``GradeResult`` what the reports say: a failing function whose callee failed in the same
run gets a ``dependency`` diagnosis on its failing cases and the callee in
``FunctionResult.depends_on``; a notebook's function whose NotImplementedError comes from a
paste-in cell left as built (``sigmoid`` in network.ipynb) is an error naming that cell, not
"not implemented" (``_unpasted``). Nothing here may stop grading: any problem with a file
(unreadable, not Python, too deep to walk) means no tracing through that file.
"""

from __future__ import annotations

import ast
import os
import re
import stat

from chainrule_core.contract import CONTRACT, SIGNATURES

PACKAGE = "exercises"           # the name the child imports a submission under (grader.sandbox)
MAX_FILE_BYTES = 1 << 20        # a module larger than this is not read for tracing
MAX_FILES = 64                  # modules of a submission read at most
MAX_DEPTH = 50                  # helper-to-helper (and alias) steps followed at most
CELL = "chainrule_cell"         # the attribute of a notebook cell's statements: (label, cell name)
# how a report names their cell: (label, "cell 6"), or for a cell of a percent script (whose
# cell name is the script's file) (label, "network.pct.py, the cell at lines 44-59")
SHOWN = "chainrule_cell_shown"

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Calls:
    """What one contract function calls: ``callees`` maps each contract function it calls
    (qualname) to the helper it goes through ("" when called directly, else the first
    helper's name); ``raises_todo``: its own code (or a helper's) raises
    NotImplementedError.

    For a notebook's function also: ``cell``, the ``(label, cell name)`` its ``def`` is in, as
    reports name it (``SHOWN``);
    ``stubs``, the paste-in cells it calls as helpers (``{name: (helper it goes through,
    (label, cell name))}``, see ``_stub``), and ``own_todo``: its own code or a helper
    other than those raises NotImplementedError."""

    __slots__ = ("callees", "raises_todo", "own_todo", "stubs", "cell")

    def __init__(self):
        self.callees = {}
        self.raises_todo = False
        self.own_todo = False
        self.stubs = {}
        self.cell = None

    def __repr__(self):
        return f"Calls({self.callees!r}, raises_todo={self.raises_todo})"


# ------------------------------------------------------------------------ reading the files
def _read(path):
    """The text of the regular file ``path`` (no link followed, no FIFO opened), or None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return None
    return data


def _parse(folder):
    """``{module name: ast.Module}`` of the submission's top-level ``.py`` files."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    trees = {}
    for name in names:
        if len(trees) >= MAX_FILES:
            break
        stem, ext = os.path.splitext(name)
        if ext != ".py" or not (stem.isidentifier() or stem == "__init__"):
            continue
        data = _read(os.path.join(folder, name))
        if data is None:
            continue
        tree = _parse_one(data, name)
        if tree is not None:
            trees[stem] = _notebook_cells(folder, tree) or tree
    return trees


def _parse_one(data, name):
    try:
        return ast.parse(data, filename=name)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _notebook_cells(folder, tree):
    """A notebook's module as ``grader.notebooks`` writes it (``_run(globals(), label,
    [cell names], ...)``): its code cells, read in order as one module; else None. A cell of a
    percent script, ``[script, first, last]``, is those lines of the script, numbered as there.
    Cells holding more than ``MAX_FILE_BYTES`` together are not read for tracing (None), as a
    module that large is not: a notebook of 1000 cells of 16 KB cost a minute (review 16)."""
    for node in _top_level(tree.body):
        call = node.value if isinstance(node, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_run"
                and len(call.args) >= 3 and isinstance(call.args[1], ast.Constant)
                and isinstance(call.args[2], ast.List)):
            continue
        label = call.args[1].value
        if not isinstance(label, str) or not _plain_name(label):
            return None
        from grader.notebooks import script_cell    # a notebook's: that module is loaded already

        body, scripts, read = [], {}, 0
        for entry in call.args[2].elts:
            try:
                item = ast.literal_eval(entry)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            name, first, last = (item, 1, None) if isinstance(item, str) else (
                item if isinstance(item, list) and len(item) == 3 else (None, 1, None))
            if not isinstance(name, str) or not _plain_name(name) or not (
                    last is None or isinstance(first, int) and isinstance(last, int) and 1 <= first <= last):
                continue
            if last is None:
                data = _read(os.path.join(folder, label, name))
                read += len(data or b"")
            else:
                if name not in scripts:
                    data = _read(os.path.join(folder, label, name))
                    read += len(data or b"")
                    # numbered as ast numbers lines
                    scripts[name] = None if data is None else re.split(
                        r"\r\n|\r|\n", data.decode("utf-8", "replace"))
                lines = scripts[name]
                data = None if lines is None else "\n".join(lines[first - 1:last])
            if read > MAX_FILE_BYTES:
                return None
            cell = _parse_one(data, name) if data is not None else None
            if cell is not None:
                if first > 1:
                    ast.increment_lineno(cell, first - 1)
                shown = name if last is None else script_cell(name, first, last)
                for node in cell.body:
                    setattr(node, CELL, (label, name))     # where a function's def is
                    setattr(node, SHOWN, (label, shown))
                body.extend(cell.body)
        return ast.Module(body=body, type_ignores=[])
    return None


def _plain_name(name):
    return bool(name) and os.sep not in name and "/" not in name and name not in (".", "..")


# ------------------------------------------------------------------------ module namespaces
class _Module:
    """The top-level bindings of one module: name -> binding, the last one wins."""

    def __init__(self, name, tree, packages):
        self.name = name
        self.bindings = {}
        self.stars = []         # ``from .activations import *``: where other names may come from
        # ``globals().update(vars(module))`` (a notebook's modules share one namespace):
        # every ``from . import module`` of this module is then read as ``import *``
        updates = any(isinstance(n, ast.Attribute) and n.attr == "update" and isinstance(n.value, ast.Call)
                      and isinstance(n.value.func, ast.Name) and n.value.func.id == "globals"
                      for n in ast.walk(tree))
        for node in _top_level(tree.body):
            if updates and isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
                self.stars.extend(("module", a.name) for a in node.names)
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                target = _module_of(node.module.split(".") if node.module else [], node.level or 0,
                                    name, packages)
                if target is not None:
                    self.stars.append(target)
            for bound, binding in _bindings_of(node, name, packages):
                self.bindings[bound] = binding


def _top_level(body):
    """Statements at a module's top level, including those inside if/try/with blocks."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith)):
            yield from _top_level(node.body)
            yield from _top_level(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.orelse)
            yield from _top_level(node.finalbody)


def _module_of(parts, level, current, packages):
    """The submission module a dotted import names, ``("package",)``, or None.

    ``parts``: the dotted name's components; ``level``: the number of leading dots;
    ``packages``: the names the submission's package is imported under."""
    if level > 1:
        return None
    if level == 1:
        if not parts:
            return ("package",)
        return ("module", parts[0]) if len(parts) == 1 else None
    if not parts:
        return None
    if parts[0] in packages:
        if len(parts) == 1:
            return ("package",)
        return ("module", parts[1]) if len(parts) == 2 else None
    if len(parts) == 1 and parts[0] != current:
        return ("module", parts[0])     # a flat import between the submission's modules
    return None


def _bindings_of(node, module, packages):
    """``(name, binding)`` pairs ``node`` makes at the top of a scope. A binding is
    ``("def", module, node)``, ``("from", target, attr)`` (``attr`` of a module or the
    package), ``("target", target)`` (a module or the package itself), ``("alias", expr)``
    or ``("other",)``."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [(node.name, ("def", module, node))]
    if isinstance(node, ast.ClassDef):
        return [(node.name, ("other",))]
    if isinstance(node, ast.ImportFrom):
        parts = node.module.split(".") if node.module else []
        target = _module_of(parts, node.level or 0, module, packages)
        out = []
        for alias in node.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            out.append((bound, ("from", target, alias.name) if target else ("other",)))
        return out
    if isinstance(node, ast.Import):
        out = []
        for alias in node.names:
            parts = alias.name.split(".")
            if alias.asname:
                target = _module_of(parts, 0, module, packages)
                out.append((alias.asname, ("target", target) if target else ("other",)))
            else:   # ``import a.b`` binds ``a``
                target = _module_of(parts[:1], 0, module, packages)
                out.append((parts[0], ("target", target) if target else ("other",)))
        return out
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        plain = isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(value, (ast.Name, ast.Attribute))
        out = []
        for target in targets:
            if isinstance(target, ast.Name):
                out.append((target.id, ("alias", value) if plain else ("other",)))
            else:
                out.extend((n.id, ("other",)) for n in ast.walk(target)
                           if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
        return out
    return []


# ------------------------------------------------------------------------ the resolver
class _Resolver:
    def __init__(self, trees, packages):
        self.packages = packages
        self.trees = trees
        self.modules = {name: _Module(name, tree, packages) for name, tree in trees.items()}

    def contract_functions(self):
        """``{qualname: ("def", module, node)}``: the function the child finds for each
        contract name (defined in its module, or imported into it from another file); and
        ``self.contract_of``, ``{id(node): qualname}``, to tell a call of one."""
        self.contract_of, found = {}, {}
        for module, functions in CONTRACT.items():
            if module not in self.modules:
                continue
            for name in functions:
                qualname = f"{module}.{name}"
                try:
                    binding = self.lookup(module, name)
                except RecursionError:
                    continue
                if binding is not None and binding[0] == "def" and binding[1] is not None:
                    found[qualname] = binding
                    self.contract_of.setdefault(id(binding[2]), qualname)
        return found

    def lookup(self, module, name, depth=0):
        """What ``name`` at the top of ``module`` is: ``("def", module, node)``,
        ``("target", target)`` or None (not the submission's, or not known)."""
        if depth > MAX_DEPTH or module not in self.modules:
            return None
        binding = self.modules[module].bindings.get(name)
        if binding is None:
            for target in self.modules[module].stars:
                found = self.attribute(target, name, depth + 1)
                if found is not None:
                    return found
            return None
        return self._resolve_binding(binding, module, depth + 1)

    def _resolve_binding(self, binding, module, depth, scopes=()):
        kind = binding[0]
        if kind == "def":
            return binding
        if kind == "target":
            return binding
        if kind == "from":
            return self.attribute(binding[1], binding[2], depth + 1)
        if kind == "alias":
            return self.expr(binding[1], module, scopes, depth + 1)
        return None

    def attribute(self, target, attr, depth):
        """``attr`` of a module or the package (``target``)."""
        if target is None or depth > MAX_DEPTH:
            return None
        if target[0] == "package":
            if attr in self.modules and attr != "__init__":
                return ("target", ("module", attr))
            return self.lookup("__init__", attr, depth + 1)
        return self.lookup(target[1], attr, depth + 1)

    def expr(self, node, module, scopes, depth):
        """What the expression ``node`` (a name or an attribute chain) evaluated in
        ``module`` within the function ``scopes`` (innermost last) refers to."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            for index in range(len(scopes) - 1, -1, -1):
                local = scopes[index].get(node.id)
                if local is not None:
                    return self._local(local, module, scopes[:index + 1], depth)
            return self.lookup(module, node.id, depth + 1)
        if isinstance(node, ast.Attribute):
            base = self.expr(node.value, module, scopes, depth + 1)
            if base is not None and base[0] == "target":
                return self.attribute(base[1], node.attr, depth + 1)
        return None

    def _local(self, bindings, module, scopes, depth):
        """A name bound in a function: an import or a plain alias inside it is followed
        (when it is its only kind of binding there); anything else is the function's own."""
        found = None
        for binding in bindings:
            if binding[0] == "other":
                return None
            if binding[0] == "alias":
                # the alias's value is read in the scope where it is bound, minus itself
                inner = list(scopes[:-1]) + [{k: v for k, v in scopes[-1].items() if v is not bindings}]
                resolved = self.expr(binding[1], module, inner, depth + 1)
            else:
                resolved = self._resolve_binding(binding, module, depth + 1)
            if resolved is None:
                return None
            if found is not None and resolved[:2] != found[:2]:
                return None     # bound to different things: not followed
            found = resolved
        return found


# ------------------------------------------------------------------------ function bodies
def _local_bindings(scope, packages):
    """``{name: [bindings]}`` made inside the function, lambda or comprehension ``scope``
    (its own scope: nested functions are not entered), minus its ``global`` names."""
    bound, declared = {}, set()

    def add(name, binding):
        bound.setdefault(name, []).append(binding)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                add(arg.arg, ("other",))
        body = scope.body if isinstance(scope.body, list) else [scope.body]
    elif isinstance(scope, _COMPREHENSIONS):
        for gen in scope.generators:
            for n in ast.walk(gen.target):
                if isinstance(n, ast.Name):
                    add(n.id, ("other",))
        return bound
    else:
        body = scope.body
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            if isinstance(node, ast.Global):
                declared.update(node.names)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name, ("other",) if isinstance(node, ast.ClassDef) else ("def", None, node))
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, (ast.Lambda,) + _COMPREHENSIONS):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)):
            for name, binding in _bindings_of(node, None, packages):
                add(name, binding)
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                stack.extend(ast.iter_child_nodes(node))
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            add(node.id, ("other",))
        elif isinstance(node, ast.arg):
            add(node.arg, ("other",))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name, ("other",))
        elif isinstance(node, ast.alias):
            continue
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            add(node.name, ("other",))
        stack.extend(ast.iter_child_nodes(node))
    for name in declared:
        bound.pop(name, None)
    return bound


def _references(scope, scopes, packages):
    """``(expression, scopes)`` for every name and attribute chain read in ``scope``
    (nested functions, lambdas and comprehensions included, each with its own scope)."""
    scopes = scopes + [_local_bindings(scope, packages)]
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stack = list(scope.body)
    elif isinstance(scope, ast.Lambda):
        stack = [scope.body]
    else:   # a comprehension
        stack = [scope.elt] if hasattr(scope, "elt") else [scope.key, scope.value]
        for gen in scope.generators:
            stack.extend([gen.iter] + list(gen.ifs))
    out = []
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda) + _COMPREHENSIONS):
            if not isinstance(node, ast.Lambda) and hasattr(node, "decorator_list"):
                stack.extend(node.decorator_list)
            out.extend(_references(node, scopes, packages))
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            out.append((node, scopes))      # ``act.sigmoid``: the whole chain
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            out.append((node, scopes))
        stack.extend(ast.iter_child_nodes(node))
    return out


def _raises_todo(function):
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


def _stub(node, module):
    """Whether ``node`` is a notebook's paste-in cell left as it was: a function defined in
    a cell, named as a contract function of a module other than ``module`` (``sigmoid`` in
    the network notebook, where the student pastes their own) and raising
    NotImplementedError itself."""
    return (getattr(node, CELL, None) is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(node.name in names for m, names in CONTRACT.items() if m != module)
            and _raises_todo(node))


def _calls_of(resolver, module, node, self_name):
    """The contract functions ``node`` (a function of ``module``) calls, through helpers."""
    calls = Calls()
    calls.cell = getattr(node, SHOWN, None)
    seen = {id(node)}
    todo = [(module, node, "", [])]
    while todo:
        mod, fn, via, outer = todo.pop()
        if _raises_todo(fn):
            calls.raises_todo = calls.own_todo = True
        for expr, scopes in _references(fn, outer, resolver.packages):
            if isinstance(expr, ast.Attribute) and not isinstance(expr.value, (ast.Name, ast.Attribute)):
                continue
            found = resolver.expr(expr, mod, scopes, 0)
            if found is None or found[0] != "def":
                continue
            _, def_module, def_node = found
            if def_module is None or def_node is node or id(def_node) in seen:
                continue    # a function nested in the one read: its body is read with it
            qualname = resolver.contract_of.get(id(def_node))
            if qualname:
                if qualname != self_name:
                    calls.callees.setdefault(qualname, via)
                continue
            seen.add(id(def_node))
            if _stub(def_node, self_name.split(".", 1)[0]):
                calls.raises_todo = True
                calls.stubs.setdefault(def_node.name, (via, getattr(def_node, SHOWN)))
                continue
            todo.append((def_module, def_node, via or def_node.name, []))
        if len(seen) > 10_000:
            break
    return calls


def _resolver_of(folder):
    packages = {PACKAGE}
    base = os.path.basename(os.path.normpath(os.fspath(folder)))
    if base.isidentifier() and base != "numpy":
        packages.add(base)      # the child accepts the folder's own name as an alias
    return _Resolver(_parse(folder), packages)


def contract_calls(folder, resolver=None):
    """``{qualname: Calls}`` for every contract function the submission in ``folder``
    defines (as the child would find it: the module's last top-level binding);
    ``resolver``: the submission's, already read."""
    resolver = resolver or _resolver_of(folder)
    out = {}
    for qualname, (_, module, node) in resolver.contract_functions().items():
        try:
            out[qualname] = _calls_of(resolver, module, node, qualname)
        except RecursionError:
            continue
    return out


# ------------------------------------------------------------------------ into the result
FAILED = ("failed", "error", "timeout", "crashed")     # a case's statuses that mean "wrong"
KIND = "dependency"     # the Diagnosis kind of a failure traced to a called function


def shown_name(qualname, module):
    """How a note names ``qualname`` seen from ``module``: bare in its own module."""
    callee_module, name = qualname.split(".", 1)
    return name if callee_module == module else qualname


def and_list(words):
    """``a``, ``a and b``, ``a, b and c``."""
    words = list(words)
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def roots(qualname, functions):
    """The failing functions at the bottom of ``qualname``'s ``depends_on`` chains: those
    that fail and call no failing function themselves (contract order)."""
    seen, out, stack = {qualname}, set(), list(functions[qualname].depends_on)
    while stack:
        name = stack.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        below = [n for n in functions[name].depends_on if n in functions]
        if below:
            stack.extend(below)
        else:
            out.add(name)
    return [n for n in functions if n in out]


def _hint(fr, callees, via, todo, functions):
    caller = fr.name
    names = [shown_name(q, fr.module) for q in callees]
    helpers = sorted({via[q] for q in callees if via[q]})
    through = f" (through your helper {and_list(helpers)})" if helpers else ""
    if todo:
        verb = "is" if len(names) == 1 else "are"
        deeper = [q for q in roots(fr.qualname, functions) if q not in callees]
        if deeper:
            fix = and_list(shown_name(q, fr.module) for q in deeper)
            return (f"{caller} calls {and_list(names)}{through}, which cannot run until {fix} is implemented "
                    f"(it still raises NotImplementedError): implement {fix} first, then {caller} can "
                    "be graded.")
        return (f"{caller} calls {and_list(names)}{through}, which {verb} not implemented yet, so {caller} "
                f"stops with its NotImplementedError too: implement {and_list(names)} first, then {caller} "
                "can be graded.")
    which = "which fails its own checks" if len(names) == 1 else "which fail their own checks"
    deeper = [q for q in roots(fr.qualname, functions) if q not in callees]
    if deeper:
        fix = and_list(shown_name(q, fr.module) for q in deeper)
        return (f"{caller} calls {and_list(names)}{through}, {which}, and {'that depends' if len(names) == 1 else 'they depend'} "
                f"on {fix}, which fails too: fix {fix} first; {caller} may then pass too.")
    them = and_list(names) if len(names) == 1 else "them"
    return f"{caller} calls {and_list(names)}{through}, {which}: fix {them} first; {caller} may then pass too."


def trace(result, folder):
    """Add to ``result`` (a ``GradeResult`` of the submission in ``folder``) the failures
    that a called function explains: a failing function that calls a contract function
    which failed in this very run gets the callee in ``depends_on`` and, first on each
    failing case it may explain, a ``dependency`` diagnosis. A case that raised
    NotImplementedError is traced only to a callee that is not implemented and only when
    the function's own code raises no NotImplementedError. Never raises."""
    try:
        _trace(result, folder)
    except Exception:  # noqa: BLE001 - tracing is advice: it must never stop grading
        pass


# a warning as Python prints it: "<path>/activations.py:31: RuntimeWarning: overflow ..."
_WARNED_AT = re.compile(r"^(?:.*[/\\])?([A-Za-z_]\w*)\.py:(\d+): \w+: ", re.M)


def printed_in(result, folder):
    """Name, for each function of ``result`` whose captured output holds warnings, the
    functions of the submission in ``folder`` whose lines they point at, in the order they
    first do (``FunctionResult.printed_in``: ``["activations.sigmoid"]`` for a warning of
    ``sigmoid`` printed while ``sigmoid_derivative``, which calls it, was graded), so that a
    report can say whose code printed. A line outside every function (a module's top level)
    is named by its module. Read from the files alone (nothing runs); never raises."""
    try:
        outputs = [fr for fr in result.functions.values() if _WARNED_AT.search(fr.output or "")]
        if not outputs:
            return
        trees = {}
        for fr in outputs:
            named = []
            for module, line in _WARNED_AT.findall(fr.output):
                if module not in trees:
                    trees[module] = _plain_tree(folder, module)
                where = _function_at(trees[module], module, int(line))
                if where and where not in named:
                    named.append(where)
            fr.printed_in = named
    except Exception:  # noqa: BLE001 - advice: it must never stop grading
        pass


def _plain_tree(folder, module):
    """The ``ast.Module`` of the submission's ``module.py``, numbered as Python numbers its
    lines; None for a file that is not there or not Python, and for a notebook's module
    (its lines are its cells', not the file's)."""
    if len(module) > 200:
        return None
    data = _read(os.path.join(folder, f"{module}.py"))
    tree = _parse_one(data, f"{module}.py") if data is not None else None
    if tree is None or _notebook_cells(folder, tree) is not None:
        return None
    return tree


def _function_at(tree, module, line):
    """``module.function`` of the top-level function (or class) of ``tree`` holding ``line``,
    ``module`` for a line outside them, None without the module's tree."""
    if tree is None:
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first <= line <= (node.end_lineno or node.lineno):
                return f"{module}.{node.name}"
    return module


_FRAME = re.compile(r"^\s*at .*, line \d+, in (\S+)$", re.M)


def _chain(names, calls, functions):
    """The bare names of the failing contract functions ``names`` and of every failing
    one they call, directly or not (where an error raised "in sigmoid" may come from)."""
    out, stack = set(), list(names)
    while stack:
        name = stack.pop()
        if name in out or name not in functions or functions[name].passed:
            continue
        out.add(name)
        info = calls.get(name)
        if info is not None:
            stack.extend(info.callees)
    return {q.split(".", 1)[1] for q in out}


def _explains(case, broken, calls, functions):
    """Whether a failing callee in ``broken`` may explain the failing ``case``: wrong values
    always may; an error only when it was raised inside one of them (the message's "at
    ..., in sigmoid"), a timeout or a crash only when one of them did the same."""
    if case.status == "failed":
        return True
    if case.status == "error":
        frames = _FRAME.findall(case.message)
        return bool(frames) and frames[-1] in _chain(broken, calls, functions)
    return any(c.status == case.status for q in broken for c in functions[q].cases)


def _trace(result, folder):
    from grader.results import Diagnosis

    functions = result.functions
    failing = [fr for fr in functions.values() if not fr.passed and fr.cases and not fr.import_error]
    if not failing:
        return
    resolver = _resolver_of(folder)
    calls = contract_calls(folder, resolver)
    _unpasted(result, calls)
    order = list(functions)
    plans = []
    for fr in failing:
        info = calls.get(fr.qualname)
        if info is None:
            continue
        broken, todo = [], []
        for callee in info.callees:
            other = functions.get(callee)
            if other is None or other.passed or other.import_error:
                continue
            statuses = {c.status for c in other.cases if not c.passed}
            if statuses & set(FAILED):
                broken.append(callee)
            elif "not-implemented" in statuses:
                todo.append(callee)
        if info.raises_todo:
            todo = []
        broken.sort(key=order.index)
        todo.sort(key=order.index)
        marks = {}      # case number -> "broken" | "todo"
        for case in fr.cases:
            if case.passed:
                continue
            if case.status == "not-implemented" and todo:
                marks[case.number] = "todo"
            elif case.status in FAILED and broken and _explains(case, broken, calls, functions):
                marks[case.number] = "broken"
        if marks:
            kinds = set(marks.values())
            fr.depends_on = (broken if "broken" in kinds else []) + (todo if "todo" in kinds else [])
            plans.append((fr, info, broken, todo, marks))
    for fr, info, broken, todo, marks in plans:     # hints after every depends_on is known
        notes = {}
        if "broken" in marks.values():
            notes["broken"] = Diagnosis("calls-failing-" + "-and-".join(q.split(".", 1)[1] for q in broken)
                                        .replace("_", "-"),
                                        _hint(fr, broken, info.callees, False, functions), "", KIND)
        if "todo" in marks.values():
            notes["todo"] = Diagnosis("calls-unimplemented-" + "-and-".join(q.split(".", 1)[1] for q in todo)
                                      .replace("_", "-"),
                                      _hint(fr, todo, info.callees, True, functions), "", KIND)
        for case in fr.cases:
            note = notes.get(marks.get(case.number))
            if note is not None:
                case.diagnoses.insert(0, Diagnosis(note.name, note.hint, case.name, KIND))
    locate_findings(result, folder, resolver)


# ------------------------------------------------------------------------ a notebook's paste-in cells
# A notebook holds, besides its module's functions, a cell for each contract function of
# another module it uses (``sigmoid`` in network.ipynb), where the student pastes their own:
# left as it was, it raises NotImplementedError, and so does every function calling it. Such
# a function is written: it is not "not implemented" (nor counted so by grade-all), and the
# student is told which cell to paste into. ``{where}`` is "<label>/<cell>", which
# ``grader.notebooks.relabel`` shows as "network.ipynb, cell 6".
UNPASTED = "unpasted"       # the Diagnosis name's prefix: "unpasted-sigmoid"
PASTE_HINT = ("{caller} calls {names}{through}, whose {cells} ({where}) still {raise_} NotImplementedError: "
              "paste your {names} from the {notebooks} into {those}, then {caller} can be graded.")
PASTE_LINE = "not graded: the {names} it calls still {raise_} NotImplementedError ({where})"
_PASTE_HINT = re.compile(r"^\S+ calls (.+?)(?: \(through [^()]*\))?, whose cells? \((.+)\) still raises? "
                         r"NotImplementedError: paste your ")


def unpasted_summary(hint):
    """The few words of a report's function row for a paste-in hint, or "" for another
    hint: "waits for your sigmoid: paste it into network.ipynb, cell 6"."""
    match = _PASTE_HINT.match(hint or "")
    if not match:
        return ""
    names, where = match.groups()
    return f"waits for your {names}: paste {'them' if ' and ' in names else 'it'} into {where}"


def _unpasted(result, calls):
    """Turn the not-implemented cases of a written function whose NotImplementedError can
    only come from paste-in cells (``Calls.stubs``, or a contract function of another
    module, not graded in this run, whose cell raises it) into errors saying which cells
    to paste into. A function with a NotImplementedError of its own, or calling a graded
    function that has one, keeps its "not implemented" (``_trace`` says what it waits for)."""
    from grader.results import Diagnosis

    functions = result.functions
    todo = {q for q, fr in functions.items() if any(c.status == "not-implemented" for c in fr.cases)}
    if not todo:
        return
    memo = {}

    def stubs_of(qualname, path):
        """``{stub name: (module, (label, cell), [what is in between])}`` or None (a
        NotImplementedError that need not be a paste-in cell's). In between: ``("fn",
        qualname)`` of a contract function, ``("helper", name)`` of a helper."""
        if qualname in memo:
            return memo[qualname]
        info = calls.get(qualname)
        if qualname in path or info is None:
            return {}
        if info.own_todo:
            return None
        module = qualname.split(".", 1)[0]
        found = {name: (_module_named(name, module), cell, [("helper", via)] if via else [])
                 for name, (via, cell) in info.stubs.items()}
        for callee, via in info.callees.items():
            other = calls.get(callee)
            if callee in functions and callee not in todo:
                continue    # graded, and it raised no NotImplementedError
            helper = [("helper", via)] if via else []
            owner, name = callee.split(".", 1)
            if (callee not in functions and other is not None and other.cell is not None and other.own_todo
                    and owner != module):
                if name not in found or len(found[name][2]) > len(helper):
                    found[name] = (owner, other.cell, helper)
                continue
            below = stubs_of(callee, path | {qualname})
            if below is None:
                return _remember(memo, qualname, path, None)
            for name, (owner, cell, between) in below.items():
                between = helper + [("fn", callee)] + between
                if name not in found or len(found[name][2]) > len(between):
                    found[name] = (owner, cell, between)
        return _remember(memo, qualname, path, found)

    plans = [(fr, stubs_of(q, frozenset())) for q, fr in functions.items() if q in todo]
    for fr, found in plans:
        if not found:
            continue
        names = sorted(found, key=lambda n: (found[n][1][0], _number(found[n][1][1]), found[n][1][1]))
        one = len(names) == 1
        between = found[names[0]][2] if one else []
        through = and_list(shown_name(x, fr.module) if kind == "fn" else f"your helper {x}" for kind, x in between)
        owners = list(dict.fromkeys(found[n][0] for n in names))
        words = dict(names=and_list(names), where=_cells([found[n][1] for n in names]),
                     raise_="raises" if one else "raise")
        hint = PASTE_HINT.format(caller=fr.name, through=f" (through {through})" if through else "",
                                 cells="cell" if one else "cells", those="that cell" if one else "those cells",
                                 notebooks=f"{and_list(owners)} notebook{'' if len(owners) == 1 else 's'}",
                                 **words)
        line = PASTE_LINE.format(**words)
        name = UNPASTED + "-" + "-and-".join(names).replace("_", "-")
        for case in fr.cases:
            if case.status != "not-implemented":
                continue
            case.status = "error"
            case.message = "\n".join(line if text.startswith("not implemented yet") else text
                                     for text in case.message.split("\n"))
            case.diagnoses.insert(0, Diagnosis(name, hint, case.name, KIND))


def _number(cell):
    """The number a cell is sorted by: "cell 6": 6; "network.pct.py, the cell at lines 44-59": 44."""
    number = re.search(r"(\d+)(?:-\d+)?$", cell)
    return int(number.group(1)) if number else 0


def _cells(cells):
    """``[(label, cell)]`` as the report names them: "<label>/cell 6", "<label>/cells 3 and
    5", "<label>/network.pct.py, the cells at lines 5-7 and 9-10" (``relabel`` shows "<label>/"
    as the notebook's name, "" for a script), groups apart by "; "."""
    groups = {}
    for label, cell in cells:
        groups.setdefault(label, []).append(cell)
    out = []
    for label, names in groups.items():
        scripts = [re.fullmatch(r"(.+), the cell at lines? (\d+(?:-\d+)?)", n) for n in names]
        if len(names) > 1 and all(re.fullmatch(r"cell \d+", n) for n in names):
            out.append(f"{label}/cells " + and_list(n.split(" ", 1)[1] for n in names))
        elif len(names) > 1 and all(scripts) and len({m.group(1) for m in scripts}) == 1:
            # "network.pct.py, the cells at lines 5-7 and 9-10"
            out.append(f"{label}/{scripts[0].group(1)}, the cells at lines " + and_list(m.group(2) for m in scripts))
        else:
            out.append("; ".join(f"{label}/{n}" for n in names))
    return "; ".join(out)


def _remember(memo, qualname, path, value):
    if not path:        # a value found deeper inside a cycle may depend on where it started
        memo[qualname] = value
    return value


def _module_named(name, module):
    """The first contract module other than ``module`` with a function ``name``."""
    return next((m for m, names in CONTRACT.items() if m != module and name in names), "")


# ------------------------------------------------------------------------ the line of a finding
# An input modified in place and a list returned for an array are found from the values the
# child sends back, which say nothing of where the code did it; an exception's frame names
# its line ("at exercises/activations.py, line 86, in relu"), and so should these. The line is
# read here, from the function's own code: the one statement that writes into the input
# (or a name that is the input's array or a view of it) and the return statement that gives
# the list, for a function plainly defined (``_plainly_defined``). Code the statements do
# not show (a helper's, an alias through a function of the student's) is not followed, nor
# a write among several: then no line is named, never a wrong one on purpose.
#: (diagnosis name, where in a case's message the finding's sentence is)
LOCATED = {"modified-input": re.compile(r"modified its input `(\w+)` in place"),
           "returned-list": re.compile(r"returned a (?:Python )?(?:list|tuple)\b")}
#: what gives the same array (or a view of it): ``x.T``, ``x.reshape(...)``, ``np.asarray(x)``,
#: the kit's ``as_float(x)`` (which returns a float array as it is)
_VIEW_ATTRS = {"T", "mT", "real", "imag", "flat"}
_VIEW_METHODS = {"reshape", "view", "ravel", "transpose", "swapaxes", "squeeze"}
_SAME_ARRAY = {"asarray", "asanyarray", "as_float", "ascontiguousarray", "asfortranarray", "atleast_1d",
               "atleast_2d", "atleast_3d", "expand_dims", "squeeze", "reshape", "ravel", "transpose",
               "swapaxes", "moveaxis", "broadcast_to"}
#: what writes into the array it is called on, or into its first argument
_WRITING_METHODS = {"fill", "sort", "put", "itemset", "resize", "partition", "setfield", "byteswap"}
_WRITING_FUNCTIONS = {"copyto", "put", "place", "putmask", "fill_diagonal", "shuffle"}
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def locate_findings(result, folder, resolver):
    """After the message of each failing case with one of the ``LOCATED`` findings, the
    line of the function's code that did it, as an exception's frame reads: ``at
    <folder>/<module>.py, line N, in <function>`` and the line itself (a notebook's cell:
    ``at <folder>/<cell folder>/cell 5, ...``, which ``grader.notebooks.relabel`` shows as
    "activations.ipynb, cell 5"). Never raises."""
    try:
        _locate_findings(result, folder, resolver)
    except Exception:  # noqa: BLE001 - a line named is advice: it must never stop grading
        pass


def _locate_findings(result, folder, resolver):
    functions = None
    base = os.path.basename(os.path.realpath(os.fspath(folder)))
    for fr in result.functions.values():
        wanted = [c for c in fr.cases if not c.passed and any(d.name in LOCATED for d in c.diagnoses)]
        if not wanted:
            continue
        if functions is None:
            functions = resolver.contract_functions()
        found = functions.get(fr.qualname)
        if found is None:
            continue
        _, module, node = found
        where = _file_of(resolver, module, node)
        if where is None or not _plainly_defined(resolver.trees.get(module), node, folder):
            continue
        lines = {}      # (finding, input name) -> its frame, or "" where none is found

        def frame(kind, name):
            if (kind, name) not in lines:
                if kind == "modified-input":
                    own = _own_parameter(node, SIGNATURES.get(fr.qualname, ()), name)
                    line = _only_write(node, own) if own else None
                else:
                    line = _list_return(node)
                lines[kind, name] = _frame(folder, base, where, line, node.name) if line else ""
            return lines[kind, name]

        for case in fr.cases:
            if case not in wanted:
                continue
            kinds = {d.name for d in case.diagnoses if d.name in LOCATED}
            out, placed = [], set()
            for text in case.message.split("\n"):
                out.append(text)
                for kind in kinds:
                    match = LOCATED[kind].search(text)
                    if match and (kind, text) not in placed:
                        placed.add((kind, text))
                        shown = frame(kind, match.group(1) if match.groups() else "")
                        if shown:
                            out.append(shown)
            case.message = "\n".join(out)


#: names whose use lets a module rebind its functions where the source does not show it
_REBINDERS = frozenset({"exec", "eval", "globals", "vars", "setattr", "__import__", "__dict__", "modules"})


def _plainly_defined(tree, node, folder):
    """Whether ``node``, the function graded, is plainly what runs: an undecorated ``def`` at
    the top of its module (not in an if, a try or a loop), the last of its name there, its
    name bound no other way, in a module and a package ``__init__.py`` that rebind nothing by
    other means (exec, globals(), setattr, ``__dict__``, ``sys.modules``). Otherwise no line
    is named: none is better than a wrong one."""
    if tree is None or node.decorator_list:
        return False
    direct, last = {id(n) for n in tree.body}, None
    for statement in _top_level(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if statement.name == node.name:
                if id(statement) not in direct:     # in an if, a try, a loop: may not run
                    return False
                last = statement
        elif node.name in _bound_names(statement):
            return False
    if last is not node or _rebinds(tree):
        return False
    init = _read(os.path.join(os.fspath(folder), "__init__.py"))
    if init is not None:
        try:
            package = ast.parse(init)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        if _rebinds(package) or any(isinstance(n, ast.Attribute) and n.attr == node.name
                                    and isinstance(n.ctx, (ast.Store, ast.Del)) for n in ast.walk(package)):
            return False
    return True


def _rebinds(tree):
    return any((isinstance(n, ast.Name) and n.id in _REBINDERS)
               or (isinstance(n, ast.Attribute) and n.attr in _REBINDERS) for n in ast.walk(tree))


def _bound_names(statement):
    """The names a statement binds in its scope, other than a def or class's own name:
    assignment and loop targets, ``with ... as``, ``except ... as``, imports, walrus
    targets, match captures, ``global``/``nonlocal``/``del`` (the statement itself, not the
    blocks it holds)."""
    names = set()
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        names.update((a.asname or a.name).split(".")[0] for a in statement.names)
    elif isinstance(statement, (ast.Global, ast.Nonlocal)):
        names.update(statement.names)
    elif isinstance(statement, ast.ExceptHandler) and statement.name:
        names.add(statement.name)
    if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        names.update(h.name for h in statement.handlers if h.name)
    for expr in _expressions(statement):
        if isinstance(expr, ast.Name) and isinstance(expr.ctx, (ast.Store, ast.Del)):
            names.add(expr.id)
        elif type(expr).__name__ in ("MatchAs", "MatchStar") and getattr(expr, "name", None):
            names.add(expr.name)
        elif type(expr).__name__ == "MatchMapping" and getattr(expr, "rest", None):
            names.add(expr.rest)
    for case in getattr(statement, "cases", None) or []:
        for expr in ast.walk(case.pattern):
            for field in ("name", "rest"):
                if isinstance(getattr(expr, field, None), str):
                    names.add(getattr(expr, field))
    return names


def _own_parameter(function, contract_args, name):
    """The name ``function`` gives the contract's argument ``name`` (the same position), or
    None when it cannot be told (fewer positional parameters, ``*args``)."""
    if name not in contract_args:
        return None
    index = list(contract_args).index(name)
    params = list(function.args.posonlyargs) + list(function.args.args)
    return params[index].arg if index < len(params) else None


def _file_of(resolver, module, node):
    """The file of ``node``, relative to the submission folder: ``<module>.py``, or a
    notebook's cell file ``<label>/<cell>``; None when it cannot be told."""
    tree = resolver.trees.get(module)
    if tree is None:
        return None
    cell = getattr(node, CELL, None)
    if cell is not None:
        return f"{cell[0]}/{cell[1]}"
    if any(getattr(n, CELL, None) is not None for n in tree.body):
        return None     # a notebook's function whose cell is not known
    return f"{module}.py"


def _frame(folder, base, where, line, function):
    """``  at <base>/<where>, line N, in <function>`` and the line's code, as
    ``grader.engine`` writes an exception's frame."""
    text = f"  at {base}/{where}, line {line}, in {function}"
    data = _read(os.path.join(os.fspath(folder), *where.split("/")))
    if data is not None:
        source = re.split(r"\r\n|\r|\n", data.decode("utf-8", "replace"))   # as ast numbers lines
        if 0 < line <= len(source):
            code = "".join(c if c.isprintable() else "?" for c in source[line - 1].strip())[:200]
            if code:
                text += f"\n    {code}"
    return text


def _own_statements(body):
    """The statements of a function body in the order they are written, into every block
    (if, for, while, with, try), never into a nested function or class."""
    for node in body:
        if isinstance(node, _SCOPE_NODES):
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            yield from _own_statements(getattr(node, field, None) or [])
        for handler in getattr(node, "handlers", None) or []:
            yield from _own_statements(handler.body)
        for case in getattr(node, "cases", None) or []:     # match
            yield from _own_statements(case.body)


def _expressions(statement):
    """The expression nodes of ``statement`` itself (not of the blocks it holds), nested
    functions and lambdas left out."""
    stack = [value for name, value in ast.iter_fields(statement)
             if name not in ("body", "orelse", "finalbody", "handlers", "cases")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, ast.AST) or isinstance(item, _SCOPE_NODES):
            continue
        yield item
        stack.extend(ast.iter_child_nodes(item))


def _root(target):
    """The name a subscript or view attribute chain starts from (``x[i][j]``, ``x.T[0]``:
    ``x``), or None."""
    while True:
        if isinstance(target, ast.Subscript):
            target = target.value
        elif isinstance(target, ast.Attribute) and target.attr in _VIEW_ATTRS:
            target = target.value
        else:
            return target.id if isinstance(target, ast.Name) else None


def _called_name(func):
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _is_view(value, names):
    """Whether ``value`` is the array of one of ``names`` or a view of it."""
    if isinstance(value, ast.Name):
        return value.id in names
    if isinstance(value, ast.Attribute) and value.attr in _VIEW_ATTRS:
        return _is_view(value.value, names)
    if isinstance(value, ast.Subscript):    # basic slicing is a view; an index array a copy
        parts = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        return (any(isinstance(p, ast.Slice) or (isinstance(p, ast.Constant) and p.value is Ellipsis)
                    for p in parts) and _is_view(value.value, names))
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in _VIEW_METHODS and _is_view(func.value, names):
            return True
        return _called_name(func) in _SAME_ARRAY and bool(value.args) and _is_view(value.args[0], names)
    return False


def _writes(expr, names):
    """Whether the expression node ``expr`` is a call writing into one of ``names``."""
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    if isinstance(func, ast.Attribute) and func.attr in _WRITING_METHODS and _root(func.value) in names:
        return True
    if _called_name(func) in _WRITING_FUNCTIONS and expr.args and _root(expr.args[0]) in names:
        return True
    for keyword in expr.keywords:
        if keyword.arg == "out":
            outs = keyword.value.elts if isinstance(keyword.value, ast.Tuple) else [keyword.value]
            if any(_root(o) in names for o in outs):
                return True
    return False


def _written(target, names):
    """Whether the assignment target ``target`` writes into one of ``names``' arrays: an
    element or slice of it (``x[0]``, ``x.T[0]``) or an attribute (``x.shape``)."""
    if isinstance(target, ast.Subscript):
        return _root(target) in names
    return isinstance(target, ast.Attribute) and _root(target.value) in names


def _only_write(function, name):
    """The line of the one statement of ``function`` that writes into its parameter
    ``name``'s array (an assignment to a subscript or view of it, ``+=`` on it, a writing
    method or ``out=``), following the names bound to that array or a view of it by plain
    assignment; None when there is none, more than one (which ran cannot be told), or the
    name is bound any other way (walrus, ``with``/``except ... as``, import, match, ...)."""
    statements = list(_own_statements(function.body))
    others = set()
    for statement in statements:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            others |= {e.target.id for e in _expressions(statement)         # a walrus in it
                       if isinstance(e, ast.NamedExpr) and isinstance(e.target, ast.Name)}
        else:
            others |= _bound_names(statement)
    if name in others:
        return None
    names, found = {name}, []
    for statement in statements:
        if any(_writes(expr, names) for expr in _expressions(statement)):
            found.append(statement.lineno)
        elif isinstance(statement, ast.AugAssign):
            if _root(statement.target) in names or _written(statement.target, names):
                found.append(statement.lineno)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(_written(t, names) for t in targets):
                found.append(statement.lineno)
            elif statement.value is not None:
                view = _is_view(statement.value, names)
                for target in targets:
                    for bound in ast.walk(target):
                        if isinstance(bound, ast.Name):
                            if view and bound is target and bound.id not in others:
                                names.add(bound.id)
                            else:
                                names.discard(bound.id)
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            names -= {n.id for n in ast.walk(statement.target) if isinstance(n, ast.Name)}
        if len(found) > 1:
            return None
    return found[0] if found else None


def _listish(value, lists):
    """Whether ``value`` gives a Python list: a list display or comprehension, ``list(...)``,
    ``.tolist()``, a name bound to one of these (``lists``), or a tuple holding one."""
    if isinstance(value, (ast.List, ast.ListComp)):
        return True
    if isinstance(value, ast.Name):
        return value.id in lists
    if isinstance(value, ast.Call):
        func = value.func
        return ((isinstance(func, ast.Name) and func.id == "list")
                or (isinstance(func, ast.Attribute) and func.attr == "tolist"))
    if isinstance(value, ast.Tuple):
        return any(_listish(v, lists) for v in value.elts)
    return False


def _list_return(function):
    """The line of the return statement of ``function`` that gives a list: its only one,
    else the first that visibly returns a list; None when it cannot be told."""
    statements = list(_own_statements(function.body))
    returns = [s for s in statements if isinstance(s, ast.Return) and s.value is not None]
    if len(returns) == 1:
        return returns[0].lineno
    lists = set()
    for statement in statements:
        if isinstance(statement, ast.Assign) and _listish(statement.value, lists):
            lists.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    listed = [r for r in returns if _listish(r.value, lists)]
    return listed[0].lineno if listed else None
