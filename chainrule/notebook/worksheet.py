"""``your_worksheet.ipynb``: each student's own backprop network, run through their own code.

The network of a student's ``output_update`` and ``hidden_update`` sheets (shape, inputs,
weights, biases, targets, learning rate) is drawn by the generator itself, from the same
course seed and student id, through ``generator.core.variant_rng`` and the family's own
``sample`` (never a second sampler). The notebook holds those givens as NumPy arrays (they
are printed on the sheet) and cells that run the student's ``forward``, ``backward`` and
``train_step`` (taken from their ``network.ipynb`` beside it) on them, then set the results
beside the hand answers of their ``answers.toml`` when it is there. The notebook never
holds a key value: every number it shows is computed by the student's code when it runs.

Which names the student's results carry (``dE_dw_5``, ``w_5_new``, ``h_1``, ``o_2``) and
where a parameter sits in the arrays come from the generator's ``Net`` and naming helpers.
"""

from __future__ import annotations

from chainrule.notebook.build import KERNELSPEC, NBFORMAT_MINOR, need_nbformat
from chainrule_core import __version__

FAMILIES = ("output_update", "hidden_update")
NOTEBOOK = "your_worksheet.ipynb"


def student_items(seed, student_id, families=FAMILIES, secret=None):
    """``[(family, params, variant)]`` of a student's sheets, drawn by the generator (with
    the course ``secret`` for graded sheets, as ``chainrule generate --secret-file`` draws)."""
    from generator.core import load_family, variant_id, variant_rng

    items = []
    for family in families:
        params = load_family(family).sample(variant_rng(seed, student_id, family, 0, secret))
        items.append((family, params, variant_id(seed, student_id, family, 0, secret)))
    return items


def _number(value) -> str:
    return repr(float(value))


def _array(rows) -> str:
    if rows and isinstance(rows[0], list):
        return "np.array([" + ", ".join("[" + ", ".join(rows_) + "]" for rows_ in rows) + "])"
    return "np.array([" + ", ".join(rows) + "])"


def givens_code(net, values) -> str:
    """The givens as NumPy arrays in the contract's layout (x @ W + b), by name."""
    def v(name):
        return _number(values[name])

    lines = [
        f"x = {_array([[v(net.x(i)) for i in net.inputs]])}    # shape (1, {net.n_in})",
        f"t = {_array([[v(net.t(k)) for k in net.outputs]])}    # shape (1, {net.n_out})",
        f"W1 = {_array([[v(net.w_hidden(j, i)) for j in net.hidden] for i in net.inputs])}"
        f"    # W1[i-1, j-1] is the weight from input i to hidden unit j",
        f"W2 = {_array([[v(net.w_out(k, j)) for k in net.outputs] for j in net.hidden])}"
        f"    # W2[j-1, k-1] is the weight from hidden unit j to output k",
    ]
    if net.bias:
        lines.append(f"b1 = {_array([v(net.b_hidden(j)) for j in net.hidden])}")
        lines.append(f"b2 = {_array([v(net.b_out(k)) for k in net.outputs])}")
    else:
        lines.append(f"b1 = np.zeros({net.n_hidden})    # this network has no biases")
        lines.append(f"b2 = np.zeros({net.n_out})")
    lines.append(f"lr = {v('eta')}    # the learning rate eta")
    return "\n".join(lines)


def result_names(net):
    """``{answers.toml name: expression on the student's results}`` for every quantity
    forward/backward/train_step give: h_j, o_k, dE/dp and p^+ of every parameter."""
    from generator.families._backprop import new, partial_name

    grad = {"W1": "dW1", "b1": "db1", "W2": "dW2", "b2": "db2"}
    names = {}
    for j in net.hidden:
        names[net.h(j)] = f"h[0, {j - 1}]"
    for k in net.outputs:
        names[net.o(k)] = f"o[0, {k - 1}]"
    for p in net.parameters():
        layer, index = net.position(p)
        where = ", ".join(str(i) for i in index)
        names[partial_name("E", p)] = f"{grad[layer]}[{where}]"
        names[new(p)] = f"{layer}_new[{where}]"
    return names


def worksheet_notebook(student_id, student_name, seed, items):
    """The ``your_worksheet.ipynb`` node of one student (validated)."""
    nbformat = need_nbformat()
    v4 = nbformat.v4
    cells = []

    def add(kind, text):
        make = v4.new_markdown_cell if kind == "md" else v4.new_code_cell
        cells.append(make(text.strip("\n"), id=f"worksheet-{len(cells) + 1:02d}"))

    who = f"{student_name} ({student_id})" if student_name else student_id
    add("md", f"# Your worksheet network, {who}\n\n"
              "The networks below are the ones of your own backpropagation worksheet (the same inputs, "
              "weights, biases, targets and learning rate, course seed "
              f"{seed}). Run your `forward`, `backward` and `train_step` from `network.ipynb` on them "
              "and compare what your code gives with what you worked out by hand.\n\n"
              "Keep this notebook next to `network.ipynb`; put your `answers.toml` next to it too to "
              "see your hand answers beside your code's. The numbers here come from your code only: "
              "when the two disagree, one of them is wrong, and `chainrule check answers.toml` and "
              "`check(\"network.backward\")` tell you which.")
    add("code", "from chainrule.notebook import load_notebook, beside\n\nimport numpy as np\n\n"
                "mine = load_notebook(\"network.ipynb\")    # your functions, as network.ipynb defines them")
    for family, params, variant in items:
        net, values, asked = params["net"], params["values"], params.get("asked")
        bias = "with biases" if net.bias else "without biases"
        ask = f", the sheet asks about `{asked}`" if asked else ""
        add("md", f"## Your `{family}` problem\n\nVariant `{variant}` of your sheet: a "
                  f"{net.label} network {bias}{ask}.")
        add("code", givens_code(net, values))
        names = result_names(net)
        rows = ",\n".join(f"    {name!r}: {expr}" for name, expr in names.items())
        add("code", "h, o = mine.forward(x, W1, b1, W2, b2)\n"
                    "dW1, db1, dW2, db2 = mine.backward(x, t, W1, b1, W2, b2)\n"
                    "W1_new, b1_new, W2_new, b2_new = mine.train_step(x, t, W1, b1, W2, b2, lr)\n"
                    f"beside({family!r}, {variant!r}, {{\n{rows},\n}})")
    nb = v4.new_notebook(cells=cells)
    nb.nbformat_minor = NBFORMAT_MINOR
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                   "chainrule": {"worksheet": True, "student_id": student_id, "course_seed": seed,
                                 "version": __version__}}
    nbformat.validate(nb)
    return nb
