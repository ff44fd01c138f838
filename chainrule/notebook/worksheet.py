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

In English or Korean (``chainrule notebook --lang``, generate's languages): each problem's
title and statement are the generator's own (the family's ``Text``, rendered as Markdown),
the givens' names its ``Given`` labels and the few generic words ``generator.i18n``'s; only
the sentences that exist in this notebook alone are written here, once per language.
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


#: the sentences of this notebook alone, (English, Korean); the rest is the generator's
WORDS = {
    "title": ("# Your worksheet network, {who}", "# 내 문제지의 신경망: {who}"),
    "intro": (
        "The networks below are the ones of your own backpropagation worksheet (the same inputs, "
        "weights, biases, targets and learning rate, course seed "
        "{seed}). Run your `forward`, `backward` and `train_step` from `network.ipynb` on them "
        "and compare what your code gives with what you worked out by hand.\n\n"
        "Keep this notebook next to `network.ipynb`; put your `answers.toml` next to it too to "
        "see your hand answers beside your code's. The numbers here come from your code only: "
        "when the two disagree, one of them is wrong: `check(\"network.backward\")` tells you whether "
        "your code is, and `chainrule check answers.toml` whether your hand answers are (a practice "
        "sheet; your worksheet's first lines say how yours is checked).",
        "아래 신경망은 여러분의 오차 역전파 문제지에 나온 신경망과 같다(입력, 가중치, 편향, 목푯값, "
        "학습률이 모두 같고 과정 시드는 {seed}이다). `network.ipynb`에 작성한 `forward`, `backward`, "
        "`train_step`을 이 신경망에 실행하여, 코드가 계산한 값과 손으로 계산한 값을 비교하시오.\n\n"
        "이 노트북은 `network.ipynb`와 같은 폴더에 두시오. 손으로 계산한 답을 함께 보려면 `answers.toml`도 "
        "같은 폴더에 두시오. 여기에 나오는 수는 모두 여러분의 코드가 계산한 값이다. 두 값이 다르면 둘 중 "
        "하나가 틀린 것이다. 코드가 틀렸는지는 `check(\"network.backward\")`로, 손으로 계산한 답이 "
        "틀렸는지는 `chainrule check answers.toml`로 알 수 있다(연습용 문제지의 경우이며, 여러분의 문제지를 "
        "확인하는 방법은 문제지 첫머리에 있다).",
    ),
    "setup": (
        "Run it in the Python environment of your copy of the course's exercises (where "
        "`pip install -e .` installed `chainrule` and NumPy), with Jupyter added to it "
        "(`pip install jupyterlab`; in VS Code, `pip install ipykernel`); in another environment the "
        "first cell stops with \"No module named 'chainrule'\". `python your_worksheet.pct.py` "
        "runs the same cells without Jupyter.",
        "이 노트북은 과제 사본의 Python 환경(`pip install -e .`로 `chainrule`과 NumPy를 설치한 환경)에 "
        "Jupyter를 추가하여 실행하시오(`pip install jupyterlab`, VS Code에서는 `pip install ipykernel`). "
        "다른 환경에서는 첫 셀이 \"No module named 'chainrule'\" 오류로 멈춘다. "
        "`python your_worksheet.pct.py`는 Jupyter 없이 같은 셀을 실행한다.",
    ),
    "mine": ("your functions, as network.ipynb defines them", "network.ipynb에 정의한 여러분의 함수"),
    "problem": ("Your `{family}` problem, {variant_word} `{variant}` (a {label} network){ask}.",
                "여러분의 `{family}` 문제, {variant_word} `{variant}` ({label} 신경망){ask}."),
    "asks": (", the sheet asks about `{asked}`", ", 문제지가 묻는 값은 `{asked}`"),
    "shape": ("{label}, shape {shape}", "{label}, shape {shape}"),
    "W1": ("W1[i-1, j-1] is the {weight} from input i to hidden unit j",
           "W1[i-1, j-1]은 입력 i에서 은닉층 뉴런 j로 가는 {weight}"),
    "W2": ("W2[j-1, k-1] is the {weight} from hidden unit j to output k",
           "W2[j-1, k-1]은 은닉층 뉴런 j에서 출력 k로 가는 {weight}"),
    "no_biases": ("this network has no biases", "이 신경망에는 편향이 없다"),
}


def words(lang: str) -> dict:
    """This notebook's sentences in ``lang`` (``en`` or ``ko``)."""
    index = 1 if lang == "ko" else 0
    return {key: pair[index] for key, pair in WORDS.items()}


def _markdown(text, lang, display=None) -> str:
    """A generator ``Text`` as Jupyter's Markdown: math between single dollars (the
    generator's GitHub-safe $`...`$ would show its backticks in Jupyter). ``display`` is the
    problem's (``Problem.display``): how its symbols are shown, dE_db_3 as the fraction
    dE/db_3, as the worksheet shows them."""
    import re

    from generator.render import Markdown

    return re.sub(r"\$`(.*?)`\$", r"$\1$", Markdown().text(text, lang, display))


def _labels(net, values, lang) -> dict:
    """The generator's names of the givens (input, weight, bias, target, learning rate)."""
    from generator.families._backprop import givens

    labels = {}
    for given in givens(net, values):
        labels.setdefault(given.label.en, given.label.get(lang))
    return labels


def _number(value) -> str:
    return repr(float(value))


def _array(rows) -> str:
    if rows and isinstance(rows[0], list):
        return "np.array([" + ", ".join("[" + ", ".join(rows_) + "]" for rows_ in rows) + "])"
    return "np.array([" + ", ".join(rows) + "])"


def givens_code(net, values, lang="en") -> str:
    """The givens as NumPy arrays in the contract's layout (x @ W + b), by name, with
    comments in ``lang``."""
    def v(name):
        return _number(values[name])

    w, label = words(lang), _labels(net, values, lang)
    lines = [
        f"x = {_array([[v(net.x(i)) for i in net.inputs]])}"
        f"    # {w['shape'].format(label=label['input'], shape=(1, net.n_in))}",
        f"t = {_array([[v(net.t(k)) for k in net.outputs]])}"
        f"    # {w['shape'].format(label=label['target'], shape=(1, net.n_out))}",
        f"W1 = {_array([[v(net.w_hidden(j, i)) for j in net.hidden] for i in net.inputs])}"
        f"    # {w['W1'].format(weight=label['weight'])}",
        f"W2 = {_array([[v(net.w_out(k, j)) for k in net.outputs] for j in net.hidden])}"
        f"    # {w['W2'].format(weight=label['weight'])}",
    ]
    if net.bias:
        lines.append(f"b1 = {_array([v(net.b_hidden(j)) for j in net.hidden])}    # {label['bias']}")
        lines.append(f"b2 = {_array([v(net.b_out(k)) for k in net.outputs])}    # {label['bias']}")
    else:
        lines.append(f"b1 = np.zeros({net.n_hidden})    # {w['no_biases']}")
        lines.append(f"b2 = np.zeros({net.n_out})")
    lines.append(f"lr = {v('eta')}    # {label['learning rate']} eta")
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


def worksheet_notebook(student_id, student_name, seed, items, lang="en"):
    """The ``your_worksheet.ipynb`` node of one student (validated), in ``lang``."""
    from generator.core import load_family
    from generator.i18n import words as generator_words

    nbformat = need_nbformat()
    v4 = nbformat.v4
    cells = []
    w = words(lang)
    variant_word = generator_words(lang)["variant"]

    def add(kind, text):
        make = v4.new_markdown_cell if kind == "md" else v4.new_code_cell
        cells.append(make(text.strip("\n"), id=f"worksheet-{len(cells) + 1:02d}"))

    who = f"{student_name} ({student_id})" if student_name else student_id
    add("md", w["title"].format(who=who) + "\n\n" + w["intro"].format(seed=seed) + "\n\n" + w["setup"])
    add("code", "from chainrule.notebook import load_notebook, beside\n\nimport numpy as np\n\n"
                f"mine = load_notebook(\"network.ipynb\")    # {w['mine']}")
    for family, params, variant in items:
        net, values, asked = params["net"], params["values"], params.get("asked")
        problem = load_family(family).solve(params)     # the sheet's own title and statement
        ask = w["asks"].format(asked=asked) if asked else ""
        statement = "\n\n".join(_markdown(paragraph, lang, problem.display) for paragraph in problem.intro)
        add("md", f"## {_markdown(problem.title, lang, problem.display)}\n\n"
                  + w["problem"].format(family=family, variant_word=variant_word, variant=variant,
                                        label=net.label, ask=ask)
                  + f"\n\n{statement}")
        add("code", givens_code(net, values, lang))
        names = result_names(net)
        rows = ",\n".join(f"    {name!r}: {expr}" for name, expr in names.items())
        language = f", lang={lang!r}" if lang != "en" else ""
        add("code", "h, o = mine.forward(x, W1, b1, W2, b2)\n"
                    "dW1, db1, dW2, db2 = mine.backward(x, t, W1, b1, W2, b2)\n"
                    "W1_new, b1_new, W2_new, b2_new = mine.train_step(x, t, W1, b1, W2, b2, lr)\n"
                    f"beside({family!r}, {variant!r}, {{\n{rows},\n}}{language})")
    nb = v4.new_notebook(cells=cells)
    nb.nbformat_minor = NBFORMAT_MINOR
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                   "chainrule": {"worksheet": True, "student_id": student_id, "course_seed": seed,
                                 "lang": lang, "version": __version__}}
    nbformat.validate(nb)
    return nb
