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


def test_universal_ner_gold_keeps_the_original_spacing(tmp_path: Path) -> None:
    """A Universal NER file's tokens are found in each sentence's ``# text``, so spans sit on
    the original text ("U.S.-led", no space before the comma); ``--docs`` picks documents."""
    path = tmp_path / "g.iob2"
    path.write_text(
        "# newdoc id = n1\n# sent_id = n1-1\n# text = Boris Yeltsin flew to Moscow, then left.\n"
        "1\tBoris\tB-PER\t-\t-\n2\tYeltsin\tI-PER\t-\t-\n3\tflew\tO\t-\t-\n4\tto\tO\t-\t-\n"
        "5\tMoscow\tB-LOC\t-\t-\n6\t,\tO\t-\t-\n7\tthen\tO\t-\t-\n8\tleft\tO\t-\t-\n9\t.\tO\t-\t-\n\n"
        "# newdoc id = w1\n# sent_id = w1-1\n# text = Paris is big.\n"
        "1\tParis\tB-LOC\t-\t-\n2\tis\tO\t-\t-\n3\tbig\tO\t-\t-\n4\t.\tO\t-\t-\n\n",
        encoding="utf-8",
    )
    out = _run(str(path), "--ner", "model", "--docs", "n")
    assert "1 documents, 2 gold entities" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isupper()}
    assert rows["PER"][1:] == ["1", "1.000", "1.000", "1.000", "1.000"]
    assert rows["LOC"][1:] == ["1", "1.000", "1.000", "1.000", "1.000"]
    assert "2 documents, 3 gold entities" in _run(str(path), "--ner", "rules")


def test_universal_ner_gold_names_a_token_missing_from_its_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.iob2"
    path.write_text("# newdoc id = n1\n# text = Hello there.\n1\tGoodbye\tO\t-\t-\n")
    script = ROOT / "benchmarks" / "ner_eval.py"
    done = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "bad.iob2:3: token 'Goodbye' not in its sentence's text" in done.stderr


def test_nist_ieer_gold(tmp_path: Path) -> None:
    """NIST 1999 IE-ER files (NLTK's ``ieer`` corpus): the text between ``<TEXT>`` tags
    with its markup taken out, enamex names as PER/ORG/LOC, dates and numbers left out."""
    path = tmp_path / "NYT_19980315"
    path.write_text(
        "<DOC>\n<DOCNO> NYT19980315.0001 </DOCNO>\n<HEADLINE>\nIGNORED HEADLINE\n</HEADLINE>\n<TEXT>\n"
        '\t   For <b_timex type="DURATION">20 years<e_timex>, <b_enamex type="PERSON">Bob Edwards<e_enamex>'
        ' of <b_enamex type="ORGANIZATION">National Public Radio<e_enamex> lived in\n'
        '<b_enamex type="LOCATION">Washington<e_enamex>.\n</TEXT>\n</DOC>\n'
    )
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import ner_eval

    ((doc_id, text, spans),) = ner_eval.load_ieer(path)
    assert doc_id == "NYT19980315.0001" and "<" not in text and "IGNORED" not in text
    assert [(text[a:b], label) for a, b, label in spans] == [
        ("Bob Edwards", "PER"),
        ("National Public Radio", "ORG"),
        ("Washington", "LOC"),
    ]
    out = _run(str(path), "--ner", "model")
    assert "1 documents, 3 gold entities" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isupper()}
    assert rows["PER"][1:3] == ["1", "1.000"] and rows["LOC"][1:3] == ["1", "1.000"]


def test_without_gold_every_set_here_is_read_and_the_backends_side_by_side() -> None:
    """``python benchmarks/ner_eval.py`` alone scores every gold set the repository holds,
    and closes with one table of the sets against the backends; a set's cell is the figure
    the same set scores when passed by hand."""
    out = _run("--ner", "model", "--ner", "rules")
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert table[0] == "| gold | model | rules |"
    cells = {row.split(" | ")[0][2:]: row.strip(" |").split(" | ")[1:] for row in table[1:]}
    assert list(cells) == [
        "own gold (heldout + seeds; written by this project)",
        "UNER English PUD, news",
        "UNER English PUD, Wikipedia",
        "WNUT-17 test (posts)",
    ]
    for model, rules in cells.values():
        assert 0 < float(model.split()[0]) <= 1 and 0 < float(rules.split()[0]) <= 1
    uner = ROOT / "benchmarks" / "data" / "uner-en-pud" / "en_pud-ud-test.iob2"
    alone = _run(str(uner), "--docs", "n", "--ner", "model")
    micro = next(line for line in alone.splitlines() if line.startswith("names (micro)"))
    assert cells["UNER English PUD, news"][0] == f"{micro.split()[4]} ({micro.split()[5]})"


def test_the_benchmark_runner_reports_entity_f1_beside_its_targets(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``benchmarks/run.py ner`` scores UNER's news half (in the repository) and, where the
    environment names them, CoNLL-2003 test and IE-ER, each beside its target."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import figures, run

    conll = tmp_path / "test.txt"
    conll.write_text("Boris B-PER 0\nYeltsin I-PER 0\nflew O 0\nto O 0\nMoscow B-LOC 0\n. O 0\n")
    monkeypatch.setenv("READER_CONLL_TEST", str(conll))
    monkeypatch.delenv("READER_IEER", raising=False)
    monkeypatch.setattr(figures, "RESULTS", [])
    run.bench_ner_quality()
    rows = {name: (value, target, ok) for name, value, target, ok in figures.RESULTS}
    assert rows["entity F1, CoNLL-2003 test (exact)"] == ("1 ", ">= 0.82 ", True)
    value, target, _ = rows["entity F1, other news: UNER PUD news half (exact)"]
    assert target == ">= 0.75 " and 0.5 < float(value) <= 1
