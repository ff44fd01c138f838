"""The class summary's "Most frequent known mistakes" holds what its heading promises: the
diagnosis catalog's named known mistakes (kind "known"). Session 11's trial listed a reading
of the numbers there ("the change of w is 0.1 times the expected value everywhere...
(1, update-scaled)") for a student who only dropped Adam's bias correction on m."""

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import run

ADAM = "| `optimizers.adam_step` |"
BOTH = ("    m_hat = m / (1.0 - beta1 ** t)\n    v_hat = v / (1.0 - beta2 ** t)\n",
        "    m_hat = m\n    v_hat = v\n")
ONLY_M = ("    m_hat = m / (1.0 - beta1 ** t)\n", "    m_hat = m\n")


def _changed(folder, old, new):
    path = folder / "optimizers.py"
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def test_known_mistakes_column_holds_only_named_known_mistakes_and_findings_have_their_own_line(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    _changed(make_submission(subs / "dave"), *BOTH)        # the named mistake: no-bias-correction
    _changed(make_submission(subs / "quinn"), *ONLY_M)     # no named mistake: a reading of the numbers
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", "--only", "optimizers")
    assert code == 0, stderr
    summary = (out / "summary.md").read_text()
    functions = summary.split("## Functions", 1)[1].split("## Modules", 1)[0]
    adam = next(line for line in functions.splitlines() if line.startswith(ADAM))
    assert adam.startswith(f"{ADAM} 2 | 1/3 (33.3%) | 0 |"), adam
    assert adam.endswith("| You left out the bias correction of the moments; they need m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ) "
                         "before the step, or the first steps are far too small or too large. (1, "
                         "`no-bias-correction`) |"), adam
    assert "update-scaled" not in adam and "0.1 times" not in adam
    # the reading is named for what it is, on a line of its own below the table
    assert ("\n\nOther findings, not named mistakes (what the grader read in the numbers of the failing "
            "cases; each student's report says more), with how many submissions:\n\n"
            "- `optimizers.adam_step`: The change of w is 0.1 times the expected value everywhere: one "
            "constant factor is wrong (a coefficient, a learning rate, a normaliser) (1, `update-scaled`)\n"
            ) in functions
    page = (out / "summary.html").read_text()
    row = page[page.index("<tr><td><code>optimizers.adam_step</code>"):]
    row = row[:row.index("</tr>")]
    assert "no-bias-correction" in row and "update-scaled" not in row
    assert ("<p>Other findings, not named mistakes (what the grader read in the numbers of the failing cases; "
            "each student&#x27;s report says more), with how many submissions:</p><ul>\n"
            '<li><code>optimizers.adam_step</code>: <span title="update-scaled">The change of w is 0.1 times '
            "the expected value everywhere: one constant factor is wrong (a coefficient, a learning rate, a "
            "normaliser)</span> (1, <code>update-scaled</code>)</li>\n</ul>") in page
    # quinn's own report still explains it (only the summary's column changed)
    assert "0.1 times the expected value" in (out / "reports" / "quinn.md").read_text()


def test_a_class_with_only_known_mistakes_has_no_findings_line(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    _changed(make_submission(subs / "dave"), *BOTH)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", "--only", "optimizers")
    assert code == 0, stderr
    assert "Other findings" not in (out / "summary.md").read_text()
    assert "Other findings" not in (out / "summary.html").read_text()


def test_findings_line_keeps_the_case_of_code_names_and_quotes_the_reports_case(tmp_path):
    """Trial 19a: the "Other findings" line read "Db reduces dout over axis 1 (shape (1,))"
    while the student's report said "db reduces dout over axis 1 (shape (4,))": a variable
    name keeps its case, and the sentence is the one of the first failing case, as the
    student's report gives it."""
    import re

    from grader.classreport import _capitalised

    subs = tmp_path / "subs"
    make_submission(subs / "alice")
    folder = make_submission(subs / "dave")
    path = folder / "layers.py"
    text = path.read_text()
    assert text.count("    db = np.sum(dout, axis=0)\n") == 1
    path.write_text(text.replace("    db = np.sum(dout, axis=0)\n", "    db = np.sum(dout, axis=1)\n"))
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", "--only", "layers.dense_backward")
    assert code == 0, stderr
    summary = (out / "summary.md").read_text()
    line = next(line for line in summary.splitlines() if line.startswith("- `layers.dense_backward`:"))
    assert "`layers.dense_backward`: db reduces dout" in line and "Db " not in line, line
    report = (out / "reports" / "dave.md").read_text()
    shapes = re.findall(r"db reduces dout over axis 1 \(shape \((\d+),\)\)", report)
    assert shapes and f"(shape ({shapes[0]},))" in line, (shapes, line)
    assert _capitalised("b1 and b2 are the expected value") == "b1 and b2 are the expected value"
    assert _capitalised("dW is the transpose") == "dW is the transpose"
    assert _capitalised("the sign is flipped") == "The sign is flipped"
    assert _capitalised("every value of db is 0") == "Every value of db is 0"
