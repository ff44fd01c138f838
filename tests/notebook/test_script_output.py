"""A percent script's printed output is the student's own text: grading activations.pct.py
renamed every "activations.py" in it to "activations.pct.py", even inside a path the script
printed itself (/home/me/activations.py). Only the grader's own frames and messages name
the script (and a warning's frame, a path of the converted folder, still does)."""

import json
import textwrap

from grader import grade_submission
from grader.reports import render

SCRIPT = """\
    # %%
    import warnings
    import numpy as np
    print("module: saved to /home/me/activations.py (see activations.py)")

    # %%
    def sigmoid(x):
        print("sigmoid of activations.py, from /home/me/activations.py")
        warnings.warn("look here")
        return 1 / (1 + np.exp(x))

    def relu(x):
        return np.maximum(x, zz)
    """


def test_what_a_script_printed_keeps_its_file_names(tmp_path):
    script = tmp_path / "activations.pct.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    result = grade_submission(str(script), only=["activations.sigmoid", "activations.relu"], seed=3)
    # the first cell printed while the module was imported (its cells ran), the rest while graded
    imported = result.functions["activations.sigmoid"].import_output
    assert imported == "module: saved to /home/me/activations.py (see activations.py)\n"
    output = result.functions["activations.sigmoid"].output.splitlines()
    assert output[0] == "sigmoid of activations.py, from /home/me/activations.py"
    assert output[1] == "activations.pct.py:9: UserWarning: look here"          # the warning's frame: the script
    printed = [line for line in output if line.startswith("sigmoid of")]
    assert printed and set(printed) == {"sigmoid of activations.py, from /home/me/activations.py"}
    # the grader's own frames and commands name the script as handed in
    message = result.functions["activations.relu"].cases[0].message
    assert "raised NameError: name 'zz' is not defined\n  at activations.pct.py, line 13, in relu\n" in message
    assert result.functions["activations.relu"].cases[0].rerun.startswith(f"chainrule grade {script} ")
    assert "chainrule-notebook-" not in json.dumps(result.to_dict())
    text = render(result, "text")
    assert "  | sigmoid of activations.py, from /home/me/activations.py\n" in text
    assert (f"Your code printed while the cells of {script} ran:\n"
            "  | module: saved to /home/me/activations.py (see activations.py)\n") in text
