"""grade-all on a notebook course, as a student attack (session 8) found it: a changed notebook
kept its old grade (the content hash saw only the folder's names), copied notebooks were never
compared, and a notebook that cannot be read was called the grader's failure."""

import csv
import json
import shutil

from click.testing import CliRunner

from chainrule.cli import cli
from chainrule_core.contract import CONTRACT, POINTS

ONLY = ["--only", "activations"]
FULL = sum(POINTS[f"activations.{n}"] for n in CONTRACT["activations"])


def grade_all(subs, out, *more):
    result = CliRunner().invoke(cli, ["grade-all", str(subs), "--out", str(out), *ONLY, *more])
    assert result.exit_code == 0, result.output
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        return {row[0]: row for row in csv.reader(handle)}, result


def test_a_changed_notebook_is_graded_again(filled_folder, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    shutil.copytree(filled_folder, subs / "alice")
    rows, _ = grade_all(subs, out)
    assert float(rows["alice"][-2]) == FULL
    path = subs / "alice" / "activations.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "def sigmoid(" in source:
            cell["source"] = source.replace("def sigmoid(", "def sigmoid_unused(") + \
                "\n\ndef sigmoid(x):\n    return x\n"
    path.write_text(json.dumps(nb))
    rows, result = grade_all(subs, out)
    assert "[1/1] alice: " in result.output, result.output     # graded again, not kept
    assert float(rows["alice"][-2]) < FULL


def test_copied_notebooks_are_paired_in_the_similarity_section(filled_folder, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for who in ("erin", "frank"):
        shutil.copytree(filled_folder, subs / who)
    grade_all(subs, out)
    summary = (out / "summary.md").read_text()
    section = summary[summary.index("imilar"):]
    assert "erin" in section and "frank" in section
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()
               if line.startswith("{") and '"id"' in line]
    tokens = {r["id"]: r.get("similarity", {}).get("tokens") for r in records if r.get("id") in ("erin", "frank")}
    assert tokens["erin"] and tokens["erin"] > 100 and tokens["erin"] == tokens["frank"]


def test_a_notebook_that_is_not_json_is_the_submissions_fault(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    (subs / "bob").mkdir(parents=True)
    (subs / "bob" / "activations.ipynb").write_text("{not json")
    rows, _ = grade_all(subs, out)
    assert float(rows["bob"][-2]) == 0
    report = next((out / "reports").glob("bob*.md")).read_text()
    assert "could not be graded: Notebook " in report and "is not valid JSON" in report
    assert "grader failure" not in report and ".." not in report.replace("...", "")


def test_a_zipped_notebook_hand_in_is_graded_as_its_folder(filled_folder, tmp_path):
    """A zip is extracted as its folder is graded (session 11): the notebooks' folder only, found
    as grader.locate finds it in a folder; the repository's data and .venv stay in the zip."""
    import os
    import zipfile

    subs, out = tmp_path / "subs", tmp_path / "out"
    shutil.copytree(filled_folder, subs / "alice")
    with zipfile.ZipFile(subs / "bea.zip", "w") as archive:
        for path in sorted(filled_folder.iterdir()):
            archive.write(path, f"hw-main/{path.name}")
        archive.writestr("hw-main/data/mnist.npy", os.urandom(17 * 1024 * 1024))
        for i in range(2100):
            archive.writestr(f"hw-main/.venv/lib/m{i}.py", "x = 1\n")
    rows, _ = grade_all(subs, out)
    assert float(rows["alice"][-2]) == float(rows["bea"][-2]) == FULL
    assert rows["alice"][1:] == rows["bea"][1:]
