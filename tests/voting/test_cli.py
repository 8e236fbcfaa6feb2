"""The pure commands, `flask tally` and `flask pb-outcome`, run for real: they write nothing, and their errors name
the file and the field."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")

TIE_BLT = '2 1\n-2\n1 2 1 0\n1 1 0\n0\n"Ada"\n"Bo"\n"Tiny"\n'
PB = """META
key;value
budget;100
vote_type;approval
rule;greedy-threshold
min_project_score_threshold;1.5
PROJECTS
project_id;cost
a;60
b;50
VOTES
voter_id;vote
1;a,b,a
2;b
"""


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "FLASK_APP")}
    env["YC_INSTANCE_PATH"] = str(folder / "instance")  # where the app would put its key and database
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [str(FLASK), "--app", "youthcouncil", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "tie.blt").write_text(TIE_BLT)
    (folder / "threshold.pb").write_text(PB)
    return folder


def test_pure_commands_write_nothing_in_an_empty_folder(tmp_path, inputs):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty, "tally", str(inputs / "tie.blt"), "--method", "irv")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["withdrawn"] == ["Bo"]
    result = run(empty, "pb-outcome", str(inputs / "threshold.pb"), "--rule", "greedy", "--tie", "order")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert (printed["selected"], printed["tie"], printed["repeated_ballots"]) == (["b"], "order", 1)
    assert list(empty.iterdir()) == []  # no instance/, no secret_key, no database
    assert sorted(p.name for p in inputs.iterdir()) == ["threshold.pb", "tie.blt"]


def test_errors_name_the_file_and_the_field(tmp_path, inputs):
    result = run(tmp_path, "pb-outcome", str(inputs / "threshold.pb"))
    assert result.returncode != 0
    assert "threshold.pb: META min_project_score_threshold: '1.5' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr
    bad = inputs / "bad.blt"
    bad.write_text("2 1\n1 1 x 0\n0\n")
    result = run(tmp_path, "tally", str(bad))
    assert result.returncode != 0
    assert "bad.blt: line 2: 'x' is not a candidate number" in result.stderr
