"""The evaluation script reads both gold forms and scores exact spans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def _run(*args: str) -> str:
    script = ROOT / "benchmarks" / "ner_eval.py"
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=True
    ).stdout


def test_json_gold_scores_exact_spans(tmp_path: Path) -> None:
    gold = {
        "documents": [
            {
                "id": "t",
                "text": "Defense Minister Pavel Grachev visited Minsk and then Grachev left.",
                "entities": [
                    {"text": "Pavel Grachev", "label": "PERSON"},
                    {"text": "Minsk", "label": "GPE"},
                    {"text": "Grachev", "label": "ORG"},  # deliberately wrong label
                ],
            }
        ]
    }
    path = tmp_path / "g.json"
    path.write_text(json.dumps(gold))
    out = _run(str(path), "--ner", "rules")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isupper()}
    assert rows["GPE"][1:] == ["1", "1.000", "1.000", "1.000", "1.000"]
    assert rows["ORG"][1:] == ["1", "0.000", "0.000", "0.000", "0.000"]  # the recognizer says PERSON
    assert rows["PERSON"][2] == "0.500"  # one of two predicted PERSON spans is gold


def test_conll_gold(tmp_path: Path) -> None:
    path = tmp_path / "g.conll"
    path.write_text("-DOCSTART- -X- O O\n\nNATO B-ORG\nmet O\nin O\nMoscow B-GPE\n. O\n")
    out = _run(str(path), "--ner", "rules")
    assert "2 gold entities" in out and "all (micro)       1.000  1.000  1.000" in out


def test_conll_labels_fold_ontonotes_predictions(tmp_path: Path) -> None:
    """On CoNLL-2003 gold the OntoNotes labels fold into PER/ORG/LOC/MISC: the model's
    PERSON and GPE count as PER and LOC; a wrong boundary scores only as partial."""
    path = tmp_path / "g.txt"
    path.write_text(
        "Boris B-PER 0\nYeltsin I-PER 0\nflew O 0\nto O 0\nMoscow B-LOC 0\n. O 0\n\n"
        "Reuters B-ORG 0\nreported O 0\nit O 0\n. O 0\n"
    )
    out = _run(str(path), "--ner", "model")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isupper()}
    assert rows["PER"][1:] == ["1", "1.000", "1.000", "1.000", "1.000"]
    assert rows["LOC"][1:] == ["1", "1.000", "1.000", "1.000", "1.000"]
    assert "backend model" in out
