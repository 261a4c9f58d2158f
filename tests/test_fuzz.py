"""Fuzzing every reader of outside data: importers, the config loader, the command line.

Each gets at least 1,000 generated cases. The contract: a one-line ``ReaderError`` (or, for
the CLI, an exit status) and never any other exception; a rejected input leaves the store
byte-identical.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.importer import import_path
from reader.store import AnnotationStore

from .conftest import SEED_000

FIELDS = [
    "dispatch_id",
    "start",
    "end",
    "tag",
    "quote",
    "note",
    "id",
    "prefix",
    "suffix",
    "annotator",
    "created",
    "text",
    "spans",
    "label",
    "entities",
    "type",
    "target",
    "body",
    "selector",
    "format",
    "dispatches",
    "annotations",
    "items",
    "first",
    "source",
    "exact",
    "value",
    "purpose",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        [
            SEED_000,
            "Acces",
            "urn:x-dispatch-reader:dispatch:" + SEED_000,
            "Annotation",
            "TextPositionSelector",
            "TextQuoteSelector",
            "tagging",
            "dispatch-reader",
        ]
    )
    | st.text(max_size=12)
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=7),
    max_leaves=20,
)
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory, corpus):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("fuzzdb") / "db.json"
    store = AnnotationStore.open(db, corpus=corpus, annotator="fuzz")
    store.add(SEED_000, 0, 5, "kept")
    store.checkpoint()
    yield store, db
    store.close()


def _check_import(path: Path, fmt: str, corpus, fuzz_store) -> None:  # type: ignore[no-untyped-def]
    store, db = fuzz_store
    before = (
        db.read_bytes(),
        Path(str(db) + ".journal").read_bytes() if Path(str(db) + ".journal").exists() else b"",
    )
    try:
        plan = import_path(path, fmt, corpus, store, dry_run=True)
    except ReaderError as exc:
        assert "\n" not in str(exc)
    else:
        assert all("\n" not in line for line in plan.errors + plan.skipped)
    after = (
        db.read_bytes(),
        Path(str(db) + ".journal").read_bytes() if Path(str(db) + ".journal").exists() else b"",
    )
    assert after == before


@pytest.mark.parametrize("fmt", ["json", "w3c", "labelstudio"])
@FUZZ
@given(doc=JSONISH)
def test_json_documents(tmp_path_factory, corpus, fuzz_store, fmt, doc) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("in") / "in.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _check_import(path, fmt, corpus, fuzz_store)


@pytest.mark.parametrize("fmt", ["jsonl", "spacy", "doccano", "prodigy"])
@FUZZ
@given(lines=st.lists(JSONISH, min_size=1, max_size=4))
def test_json_lines(tmp_path_factory, corpus, fuzz_store, fmt, lines) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("in") / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    _check_import(path, fmt, corpus, fuzz_store)


@FUZZ
@given(
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=10), st.integers(-3, 5000).map(str)), min_size=1, max_size=8),
        max_size=5,
    ),
    header=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8),
)
def test_csv(tmp_path_factory, corpus, fuzz_store, rows, header) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("in") / "in.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    _check_import(path, "csv", corpus, fuzz_store)


ANN_LINE = st.one_of(
    st.builds(
        lambda n, t, a, b, q: f"T{n}\t{t} {a} {b}\t{q}",
        st.integers(0, 9),
        st.sampled_from(["GPE", "PERSON", "a b", ""]),
        st.integers(-2, 3000),
        st.integers(-2, 3000),
        st.text(max_size=8),
    ),
    st.builds(
        lambda n, a, b, c, d: f"T{n}\tLoc {a} {b};{c} {d}\tx",
        st.integers(0, 9),
        st.integers(0, 50),
        st.integers(0, 50),
        st.integers(0, 50),
        st.integers(0, 60),
    ),
    st.builds(lambda n, t: f"#{n}\tAnnotatorNotes T{n}\t{t}", st.integers(0, 9), st.text(max_size=8)),
    st.sampled_from(
        ["E1\tEvent:T1", "R1\tRel Arg1:T1 Arg2:T2", "A1\tNeg T1", "*\tEquiv T1 T2", "N1\tRef T1 x:y"]
    ),
    st.text(max_size=20),
)


@FUZZ
@given(lines=st.lists(ANN_LINE, max_size=6), conf=st.text(max_size=30))
def test_brat(tmp_path_factory, corpus, fuzz_store, lines, conf) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("brat")
    (folder / f"{SEED_000}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="replace")
    (folder / f"{SEED_000}.txt").write_text(corpus.get(SEED_000).text, encoding="utf-8")
    (folder / "annotation.conf").write_text(conf, encoding="utf-8", errors="replace")
    _check_import(folder, "brat", corpus, fuzz_store)


TOML_PIECES = st.sampled_from(
    [
        'corpus = "seeds"',
        "corpus = []",
        "corpus = 5",
        'db = ""',
        "db = 1",
        'ner = "spacy:x"',
        'ner = "nope"',
        'catalog = "c.sqlite"',
        "labels_shown = [1]",
        'labels_shown = ["PERSON"]',
        "[[tags]]",
        'name = "x"',
        'name = ""',
        'key = "t"',
        'key = "zz"',
        'colour = "#nothex"',
        'colour = "#ff0000"',
        "unknown = 1",
        "[tags]",
        "= broken",
        '"\\u0000" = 1',
        "annotator = 3",
    ]
)


@FUZZ
@given(lines=st.lists(st.one_of(TOML_PIECES, st.text(max_size=15)), max_size=8))
def test_config_loader(tmp_path_factory, lines) -> None:  # type: ignore[no-untyped-def]
    from reader.config import load_settings

    path = tmp_path_factory.mktemp("cfg") / "reader.toml"
    path.write_text("\n".join(lines), encoding="utf-8", errors="replace")
    settings_ = load_settings(config_path=path, env={})
    assert all("\n" not in w for w in settings_.warnings)
    for tag in settings_.tags:  # whatever was accepted is usable: colours parse
        from rich.color import Color

        if tag.colour:
            Color.parse(tag.colour)


COMMANDS = (
    "list",
    "show",
    "tag",
    "annotations",
    "delete",
    "export",
    "search",
    "stats",
    "check",
    "config",
    "lexicon",
    "entities",
    "tag-all",
)
"""Sub-commands the fuzzer runs (not the app, which would take over the terminal)."""
ARGS = st.lists(
    st.sampled_from(
        [
            *COMMANDS,
            "--json",
            "--dispatch",
            "--tag",
            "--start",
            "--end",
            "--quote",
            "--regex",
            "--limit",
            "--format",
            "--color",
            "always",
            "never",
            "0",
            "-1",
            "99999999999",
            SEED_000,
            "000",
            "00",
            "zz",
            "[/x]",
            "\x1b[2J",
            "(",
            "Minsk",
            "--dry-run",
            "--exclude",
            "--case",
            "csv",
            "w3c",
        ]
    ),
    max_size=7,
)


@FUZZ
@given(argv=ARGS)
def test_command_line(env, capsys, argv) -> None:  # type: ignore[no-untyped-def]
    from reader.cli import main

    if not any(a in COMMANDS for a in argv):
        argv = ["list", *argv]  # no command would open the app
    if argv[:1] in (["tag"], ["delete"], ["tag-all"]) or "-o" in argv:
        argv = [*argv, "--dry-run"] if argv[:1] == ["tag-all"] else ["annotations", *argv[1:]]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in err
    assert "\x1b[2J" not in out + err
