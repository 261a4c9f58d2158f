"""AnnotationStore: records, validation, durability, crashes and concurrent writers."""

from __future__ import annotations

import json
import os
import random
import sys
import textwrap
from pathlib import Path

import pytest
from tinydb import TinyDB

from reader.errors import ReaderError
from reader.store import AnnotationStore

from .conftest import ROOT, SEED_000, SEED_001, SEEDS, run_and_kill


def test_add_builds_a_full_record(store, corpus) -> None:
    d = corpus.get(SEED_000)
    start = d.text.index("signed a series")
    r = store.add(SEED_000, start, start + 29, "event", "14 May")
    assert r["quote"] == "signed a series of agreements" == d.text[r["start"] : r["end"]]
    assert d.text.endswith(r["suffix"], 0, len(d.text)) or d.text[r["end"] :].startswith(r["suffix"])
    assert d.text[: r["start"]].endswith(r["prefix"]) and len(r["prefix"]) == 32
    assert r["dispatch_sha256"] == d.sha256 and r["annotator"] == "tester"
    assert r["created"].endswith("Z") and r["created"] == r["updated"]
    assert store.get(r["id"]) == r
    assert store.for_dispatch(SEED_000) == [r]


@pytest.mark.parametrize(
    ("start", "end", "tag", "message"),
    [
        (10, 10, "x", "start must be before end"),
        (20, 10, "x", "start must be before end"),
        (-1, 5, "x", "must not be negative"),
        (0, 10**6, "x", "beyond the text"),
        (0, 5, "  ", "tag must not be empty"),
    ],
)
def test_add_rejects_bad_input_and_writes_nothing(store, start, end, tag, message) -> None:
    with pytest.raises(ReaderError, match=message):
        store.add(SEED_000, start, end, tag)
    assert len(store) == 0


def test_unknown_dispatch(store) -> None:
    with pytest.raises(ReaderError, match="no dispatch"):
        store.add("nope", 0, 5, "x")


def test_update_and_remove(store) -> None:
    r = store.add(SEED_001, 0, 11, "claim")
    u = store.update(r["id"], note="checked", tag="event")
    assert (u["note"], u["tag"], u["created"]) == ("checked", "event", r["created"])
    moved = store.update(r["id"], start=2, end=8)
    assert moved["quote"] == "blication"[:6] and moved["start"] == 2
    assert store.remove(r["id"])["id"] == r["id"]
    assert store.get(r["id"]) is None and len(store) == 0
    with pytest.raises(ReaderError, match="no annotation"):
        store.remove(r["id"])


def test_all_is_sorted_and_counts(store) -> None:
    store.add(SEED_001, 50, 60, "b")
    store.add(SEED_000, 30, 40, "a")
    store.add(SEED_000, 10, 20, "a")
    assert [(r["dispatch_id"], r["start"]) for r in store.all()] == [
        (SEED_000, 10),
        (SEED_000, 30),
        (SEED_001, 50),
    ]
    assert store.counts() == {SEED_000: 2, SEED_001: 1}


def test_file_is_plain_tinydb_with_per_dispatch_tables(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, corpus=corpus) as s:
        r = s.add(SEED_000, 0, 6, "x")
    db = TinyDB(path)
    assert db.table("dispatch:" + SEED_000).all() == [r]
    db.close()
    with AnnotationStore.open(path, corpus=corpus) as again:
        assert again.all() == [r]


def test_journal_replays_without_checkpoint(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    s = AnnotationStore.open(path, corpus=corpus)
    r = s.add(SEED_000, 0, 6, "x")
    # No close(): like a killed process. The journal alone must carry the write.
    assert not path.exists()
    assert AnnotationStore.open(path, corpus=corpus).get(r["id"]) == r


def test_torn_journal_tail_is_dropped(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    s = AnnotationStore.open(path, corpus=corpus)
    r = s.add(SEED_000, 0, 6, "x")
    with open(str(path) + ".journal", "ab") as fh:
        fh.write(b'{"op":"put","r":{"id":"half')
    again = AnnotationStore.open(path, corpus=corpus)
    assert [x["id"] for x in again.all()] == [r["id"]]
    r2 = again.add(SEED_000, 1, 6, "y")
    assert {x["id"] for x in AnnotationStore.open(path, corpus=corpus).all()} == {r["id"], r2["id"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not valid JSON"),
        (b'{"_default": {}, "dispatch:a": {"1": {"id": "x"', "not valid JSON"),
        (b"[1, 2, 3]", "another shape"),
        (b'{"users": {"1": {"name": "bob"}}}', "unexpected table 'users'"),
        (b'{"dispatch:a": {"1": {"id": "x", "dispatch_id": "a"}}}', "lacks start, end, tag, quote"),
        (b"\xff\xfe\x00binary", "not a text file"),
    ],
)
def test_foreign_or_corrupt_store_is_never_overwritten(tmp_path, corpus, content, message) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    with pytest.raises(ReaderError, match=message) as info:
        AnnotationStore.open(path, corpus=corpus)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == content


def test_stale_temp_files_are_cleaned(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    stale = tmp_path / "a.json.tmp-999-deadbeef"
    stale.write_text("{half")
    AnnotationStore.open(path, corpus=corpus).close()
    assert not stale.exists()


def test_checkpoint_every_n_writes_keeps_everything(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    s = AnnotationStore.open(path, corpus=corpus, checkpoint_every=5)
    ids = [s.add(SEED_000, i, i + 3, "x")["id"] for i in range(12)]
    assert path.exists()
    assert os.path.getsize(str(path) + ".journal") < 2000  # folded twice, two writes pending
    assert {r["id"] for r in AnnotationStore.open(path, corpus=corpus).all()} == set(ids)


def test_two_store_objects_see_each_others_writes(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    a = AnnotationStore.open(path, corpus=corpus, checkpoint_every=3)
    b = AnnotationStore.open(path, corpus=corpus, checkpoint_every=3)
    for i in range(5):
        a.add(SEED_000, i, i + 2, "a")
        b.add(SEED_001, i, i + 2, "b")
    assert len(a) == len(b) == 10
    a.close()
    b.close()
    assert len(AnnotationStore.open(path, corpus=corpus)) == 10


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    corpus = load_corpus({seeds!r})
    store = AnnotationStore.open(sys.argv[1], corpus=corpus, checkpoint_every=int(sys.argv[3]))
    for i in range(int(sys.argv[2])):
        r = store.add({seed!r}, i % 500, i % 500 + 5, "t")
        print(r["id"], flush=True)
    store.close()
    """
)


def _writer_script(tmp_path: Path) -> Path:
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), seeds=str(SEEDS), seed=SEED_000))
    return script


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path, corpus) -> None:
    """The crash test: kill a writer mid-stream, many times; every acknowledged add survives."""
    path = tmp_path / "a.json"
    script = _writer_script(tmp_path)
    rng = random.Random(1234)
    acked: set[str] = set()
    for _round in range(12):
        # checkpoint_every=7 makes kills land inside checkpoints too.
        lines = run_and_kill([sys.executable, str(script), str(path), "100000", "7"], rng.uniform(0.4, 1.5))
        acked.update(line for line in lines if line)
        store = AnnotationStore.open(path, corpus=corpus)
        present = {r["id"] for r in store.all()}
        missing = acked - present
        assert not missing, f"round {_round}: {len(missing)} acknowledged annotations lost"
        store.close()
    assert len(acked) > 50
    json.loads(path.read_text())  # the main file is whole JSON after all that


def test_readonly_store_refuses_writes(tmp_path, corpus) -> None:
    path = tmp_path / "a.json"
    AnnotationStore.open(path, corpus=corpus).close()
    ro = AnnotationStore.open(path, corpus=corpus, readonly=True)
    with pytest.raises(ReaderError, match="read-only"):
        ro.add(SEED_000, 0, 5, "x")


def test_crash_between_checkpoint_and_journal_truncate_replays_idempotently(
    tmp_path, corpus, monkeypatch
) -> None:
    """SIGKILL right after os.replace() of a checkpoint, before the journal is emptied: the
    journal is replayed on top of a file that already holds its writes; nothing doubles."""
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, corpus=corpus)
    a = store.add(SEED_000, 0, 5, "x")
    b = store.add(SEED_000, 10, 15, "y")
    store.update(a["id"], note="n")
    store.remove(b["id"])
    journal = Path(str(path) + ".journal").read_bytes()
    store.checkpoint()  # writes the file and empties the journal...
    Path(str(path) + ".journal").write_bytes(journal)  # ...as if the kill came before the truncate
    again = AnnotationStore.open(path, corpus=corpus)
    assert [(r["id"], r["note"]) for r in again.all()] == [(a["id"], "n")]
