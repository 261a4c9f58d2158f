"""A broken store: every command refuses it untouched; `reader doctor` explains and salvages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import AnnotationStore

from .conftest import SEED_000, SEED_001, SEEDS


@pytest.fixture
def good_store(tmp_path: Path, corpus) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "db.json"
    with AnnotationStore.open(path, corpus=corpus) as store:
        for i in range(6):
            store.add(SEED_000, 10 * i, 10 * i + 5, f"t{i}", note=f"note {i}")
        store.add(SEED_001, 0, 11, "pub")
    return path


def doctor(capsys, db: Path, *extra: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    code = main(["doctor", "--db", str(db), "--corpus", str(SEEDS), *extra])
    return code, capsys.readouterr().out


def test_healthy_store(capsys, good_store) -> None:
    code, out = doctor(capsys, good_store)
    assert code == 0 and "valid store, 7 annotations" in out and "no problems found" in out


@pytest.mark.parametrize(
    ("damage", "problem", "recoverable"),
    [
        ("truncate", "not valid JSON", range(1, 7)),
        ("garbage", "not valid JSON", [0]),
        ("wrong shape", "another shape", [0]),
        ("missing fields", "lacks", [6]),
    ],
)
def test_broken_store_is_explained_and_salvaged(
    capsys, tmp_path, good_store, damage, problem, recoverable
) -> None:
    raw = good_store.read_bytes()
    data = json.loads(raw)
    if damage == "truncate":
        broken = raw[: len(raw) * 2 // 3]
    elif damage == "garbage":
        broken = b"\x00\x01 not a store at all"
    elif damage == "wrong shape":
        broken = json.dumps([1, 2, 3]).encode()
    else:
        table = data["dispatch:" + SEED_000]
        first = next(iter(table))
        del table[first]["quote"]
        broken = json.dumps(data).encode()
    good_store.write_bytes(broken)
    # Every command refuses the file with one line, and leaves it as it was.
    assert main(["tag", SEED_000, "--start", "0", "--end", "3", "--tag", "x", "--db", str(good_store)]) == 1
    assert good_store.read_bytes() == broken
    capsys.readouterr()
    code, out = doctor(capsys, good_store)
    assert code == 1 and problem in out
    assert good_store.read_bytes() == broken
    target = tmp_path / "salvaged.json"
    code, out = doctor(capsys, good_store, "--salvage", str(target))
    assert good_store.read_bytes() == broken
    if recoverable == [0]:
        assert code == 1 and not target.exists()
        return
    assert code == 0
    with AnnotationStore.open(target) as salvaged:
        n = len(salvaged.all())
    assert n in recoverable
    # Salvage never overwrites: a second run to the same path is refused.
    assert main(["doctor", "--db", str(good_store), "--salvage", str(target)]) == 1
    assert "exists already" in capsys.readouterr().err


def test_dangling_dispatches_and_offsets_beyond_text(capsys, tmp_path, good_store) -> None:
    data = json.loads(good_store.read_text())
    table = data.pop("dispatch:" + SEED_001)
    record = next(iter(table.values()))
    record["dispatch_id"] = "gone/dispatch"
    data["dispatch:gone/dispatch"] = table
    first = next(iter(data["dispatch:" + SEED_000].values()))
    first["end"] = 10**6
    good_store.write_text(json.dumps(data))
    code, out = doctor(capsys, good_store)
    assert code == 1
    assert "1 annotations belong to dispatch 'gone/dispatch', which is not in the corpus" in out
    assert "ends at 1000000, beyond the" in out


def test_journal_entries_are_recovered(capsys, tmp_path, corpus) -> None:
    path = tmp_path / "db.json"
    store = AnnotationStore.open(path, corpus=corpus)
    store.add(SEED_000, 0, 5, "kept")  # journal only: the process "dies" before close()
    path.write_text("{not json")  # and the main file is damaged
    target = tmp_path / "new.json"
    code, out = doctor(capsys, path, "--salvage", str(target))
    assert "pending writes replayed" in out
    with AnnotationStore.open(target) as salvaged:
        assert [r["tag"] for r in salvaged.all()] == ["kept"]
