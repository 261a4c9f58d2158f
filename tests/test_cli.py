"""The ``reader`` command driven as a user would, through ``main(argv)``."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from reader.export import load_schema

from .conftest import SEED_000, SEED_001, run


def test_list_json(env, capsys) -> None:
    code, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [SEED_000, SEED_001]
    assert rows[0]["title"] == "Russia And Belarus Tighten Military Cooperation"
    assert rows[0]["annotations"] == 0 and rows[0]["words"] > 600


def test_list_table(env, capsys) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0 and SEED_000 in out and "RFE/RL" in out


def test_tag_by_quote_then_list_annotations_and_delete(env, capsys) -> None:
    code, out, err = run(
        capsys,
        "tag",
        SEED_000,
        "--quote",
        "signed a series of agreements",
        "--tag",
        "event",
        "--note",
        "14 May",
        "--json",
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["quote"] == "signed a series of agreements" and record["annotator"] == "cli-tester"
    code, out, _ = run(capsys, "tag", SEED_000, "--start", "120", "--end", "240", "--tag", "military")
    assert code == 0
    code, out, _ = run(capsys, "annotations", "--json", "--tag", "military")
    assert [r["start"] for r in json.loads(out)] == [120]
    code, out, _ = run(capsys, "list", "--json")
    assert json.loads(out)[0]["annotations"] == 2
    code, out, _ = run(capsys, "delete", record["id"][:8])
    assert code == 0 and "deleted" in out
    code, out, _ = run(capsys, "annotations", "--json")
    assert [r["tag"] for r in json.loads(out)] == ["military"]


@pytest.mark.parametrize(
    ("argv", "message", "status"),
    [
        (["tag", SEED_000, "--quote", "Russia", "--tag", "x"], "occurs 18 times", 1),
        (["tag", SEED_000, "--quote", "no such words", "--tag", "x"], "not found", 1),
        (["tag", SEED_000, "--start", "5", "--end", "5", "--tag", "x"], "start must be before end", 1),
        (["tag", SEED_000, "--start", "5", "--end", "999999", "--tag", "x"], "beyond the text", 1),
        (["tag", SEED_000, "--start", "5", "--end", "9", "--tag", " "], "tag must not be empty", 1),
        (["tag", "nope", "--start", "5", "--end", "9", "--tag", "x"], "no dispatch 'nope'", 2),
        (["tag", SEED_000, "--start", "5", "--tag", "x"], "--start needs --end", 2),
        (["delete", "nope"], "no annotation with id 'nope'", 2),
        (["show", "nope"], "no dispatch", 2),
        (["list", "--corpus", "/nonexistent/x"], "corpus not found", 1),
    ],
)
def test_errors_are_one_line_and_write_nothing(env, capsys, argv, message, status) -> None:
    """Bad input: exit 1; a bad command-line value (unknown id, missing option): exit 2."""
    code, out, err = run(capsys, *argv)
    assert code == status
    lines = [line for line in err.splitlines() if line.startswith("reader: error")]
    assert len(lines) == 1 and message in lines[0]
    assert not env.exists() or json.loads(env.read_text()).get("dispatch:" + SEED_000, {}) == {}


def test_occurrence_picks_one(env, capsys, corpus) -> None:
    text = corpus.get(SEED_000).text
    second = text.index("Russia", text.index("Russia") + 1)
    code, out, _ = run(
        capsys, "tag", SEED_000, "--quote", "Russia", "--occurrence", "2", "--tag", "GPE", "--json"
    )
    assert code == 0 and json.loads(out)["start"] == second


def test_corrupt_db_is_reported_and_kept(env, capsys) -> None:
    env.write_text("{broken")
    code, _, err = run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "x")
    assert code == 1 and str(env) in err and "not valid JSON" in err
    assert env.read_text() == "{broken"


def test_export_validates_against_schema(env, capsys, tmp_path) -> None:
    run(
        capsys,
        "tag",
        SEED_001,
        "--quote",
        "Igor Sergeev",
        "--tag",
        "PERSON",
        "--note",
        "Marshal — “quoted”",
    )
    run(capsys, "tag", SEED_000, "--quote", "Pavel Grachev", "--tag", "PERSON")
    code, out, _ = run(capsys, "export")
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema())
    assert [d["id"] for d in doc["dispatches"]] == [SEED_000, SEED_001]
    assert "“quoted”" in out  # not ASCII-escaped
    target = tmp_path / "out.json"
    code, _, err = run(capsys, "export", "-o", str(target), "--tag", "PERSON", "--dispatch", SEED_001)
    assert code == 0 and "exported 1 annotation to" in err
    doc = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(doc, load_schema())
    assert [a["quote"] for d in doc["dispatches"] for a in d["annotations"]] == ["Igor Sergeev"]


def test_show_prints_metadata_and_text(env, capsys) -> None:
    run(capsys, "tag", SEED_000, "--quote", "Pavel Grachev", "--tag", "PERSON")
    code, out, _ = run(capsys, "show", SEED_000, "--plain")
    assert code == 0
    assert "source RFE/RL" in out and "place Prague" in out and "Pavel Grachev[PERSON]" in out


def test_show_renders_markup_literally(tmp_path, capsys, monkeypatch) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "evil.txt").write_text("Text with [bold]markup[/bold] and \x1b[31mANSI\x1b[0m.")
    monkeypatch.setenv("READER_DB", str(tmp_path / "db.json"))
    code, out, _ = run(capsys, "show", "evil", "--corpus", str(tmp_path / "c"), "--plain")
    assert code == 0 and "[bold]markup[/bold]" in out and "\x1b[31m" not in out


def test_python_dash_m_and_console_script_agree(env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r["id"] for r in json.loads(result.stdout)] == [SEED_000, SEED_001]


def test_config_prints_settings(env, capsys, tmp_path) -> None:
    (tmp_path / "reader.toml").write_text('db = "x.json"\n[[tags]]\nname = "claim"\nkey = "c"\n')
    code, out, _ = run(capsys, "config")
    assert code == 0 and "reader.toml" in out and "claim" in out


def test_bad_config_names_key_and_line(env, capsys, tmp_path) -> None:
    (tmp_path / "reader.toml").write_text('ner = "rules"\nlabels_shown = ["PERSON", "NOPE"]\n')
    code, out, err = run(capsys, "config")
    assert code == 0
    assert "reader.toml, line 2: labels_shown" in err and "using the defaults" in err


def test_tag_key_taken_by_the_app_is_reported(env, capsys, tmp_path) -> None:
    (tmp_path / "reader.toml").write_text('[[tags]]\nname = "claim"\nkey = "w"\n')
    code, out, err = run(capsys, "config")
    assert "line 3: tag 'claim': key 'w' is taken by the app" in err
    assert "claim" not in out.split("tags:")[1].split("\n")[1]  # the defaults are used


def test_lexicon_teaches_every_dispatch(env, capsys) -> None:
    code, out, _ = run(capsys, "entities", SEED_001, "--json")
    assert any(e["text"] == "Moscow" for e in json.loads(out))
    assert run(capsys, "lexicon", "reject", "Moscow")[0] == 0
    assert run(capsys, "lexicon", "add", "Monitor", "ORG")[0] == 0
    code, out, _ = run(capsys, "lexicon", "list")
    assert out.splitlines() == ["ORG\tMonitor", "REJECT\tMoscow"]
    found = json.loads(run(capsys, "entities", SEED_001, "--json")[1])
    assert not any(e["text"] == "Moscow" for e in found)
    assert {"start": 13, "end": 20, "label": "ORG", "text": "Monitor"} in found
    assert run(capsys, "lexicon", "remove", "Moscow")[0] == 0
    code, _, err = run(capsys, "lexicon", "remove", "Moscow")
    assert code == 1 and "not in the lexicon" in err
    code, _, err = run(capsys, "lexicon", "add", "x", "NOPE")
    assert code == 1 and "unknown entity label 'NOPE'" in err


def test_entities_of_any_file_and_stdin(env, capsys, tmp_path, monkeypatch) -> None:
    import io as _io

    path = tmp_path / "note.txt"
    path.write_text("Gen. Ivan Petrov flew to Kyiv on Monday.")
    found = json.loads(run(capsys, "entities", str(path), "--json")[1])
    assert [(e["text"], e["label"]) for e in found] == [
        ("Ivan Petrov", "PERSON"),
        ("Kyiv", "GPE"),
        ("Monday", "DATE"),
    ]
    monkeypatch.setattr("sys.stdin", _io.TextIOWrapper(_io.BytesIO(b"NATO met in Minsk.")))
    found = json.loads(run(capsys, "entities", "-", "--json")[1])
    assert [(e["text"], e["label"]) for e in found] == [("NATO", "ORG"), ("Minsk", "GPE")]
    code, out, _ = run(capsys, "entities", SEED_000)
    assert code == 0 and "Grachev" in out and "PERSON" in out


def test_skipped_corpus_files_are_noted_once_and_listed_by_doctor(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import os

    root = tmp_path / "c"
    root.mkdir()
    (root / "good.txt").write_text("Title\n\nMinsk.\n")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02")
    os.mkfifo(root / "pipe.txt")
    common = [
        "--corpus",
        str(root),
        "--catalog",
        str(tmp_path / "c.sqlite"),
        "--db",
        str(tmp_path / "db.json"),
    ]
    code, out, err = run(capsys, "list", *common)
    assert code == 0 and "good" in out
    assert "reader: note: 2 corpus files skipped or read with a fallback (`reader doctor` lists them)" in err
    code, out, err = run(capsys, "list", *common)
    assert code == 0 and "skipped" not in err  # nothing changed: not said again
    code, out, _ = run(capsys, "doctor", *common)
    assert f"corpus: {root / 'binary.txt'}: skipped, contains NUL bytes (binary file?)" in out
    assert f"corpus: {root / 'pipe.txt'}: skipped, not a regular file (a pipe, device or socket)" in out
