"""Hardening: crashes on every write path, concurrent writers, hostile files."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap

import pytest

from reader.corpus import load_corpus, read_dispatch
from reader.errors import ReaderError
from reader.store import AnnotationStore

from .conftest import ROOT, SEED_000, SEEDS, run_and_kill

OPS_WRITER = textwrap.dedent(
    """
    import json, random, sys
    sys.path.insert(0, {root!r})
    from reader.check import confirmed
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore, make_record
    corpus = load_corpus({seeds!r})
    d = corpus.get({seed!r})
    store = AnnotationStore.open(sys.argv[1], corpus=corpus, checkpoint_every=5)
    rng = random.Random(int(sys.argv[2]))
    def say(*parts):
        print(*parts, flush=True)
    while True:
        ids = [r["id"] for r in store.all()]
        op = rng.choice(["add", "add", "update", "note", "delete", "import", "reanchor"]) if ids else "add"
        if op == "add":
            say("do", "-")
            r = store.add(d, rng.randrange(0, 500), rng.randrange(501, 900), "t")
            say("ok", json.dumps({{r["id"]: r}}))
        elif op in ("update", "note", "delete"):
            target = rng.choice(ids)
            say("do", target)
            if op == "update":
                r = store.update(target, tag="changed")
            elif op == "note":
                r = store.update(target, note="edited\\nnote")
            else:
                store.remove(target)
                r = None
            say("ok", json.dumps({{target: r}}))
        elif op == "import":
            batch = [make_record(d, rng.randrange(0, 500), 600, "imported") for _ in range(3)]
            say("do", "-")
            store.put_many(batch)
            say("ok", json.dumps({{r["id"]: r for r in batch}}))
        else:
            target = rng.choice(ids)
            record = confirmed(dict(store.get(target), anchor={{"state": "moved", "score": 1.0}}))
            say("do", target)
            store.put_many([record])
            say("ok", json.dumps({{target: record}}))
    """
)


def test_sigkill_on_every_write_path_loses_nothing_acknowledged(tmp_path, corpus) -> None:
    """add, update, note edit, delete, import (batch) and re-anchor apply, with checkpoints
    every 5 writes, SIGKILLed at random moments: every acknowledged state is on disk."""
    path = tmp_path / "db.json"
    script = tmp_path / "ops.py"
    script.write_text(OPS_WRITER.format(root=str(ROOT), seeds=str(SEEDS), seed=SEED_000))
    rng = random.Random(99)
    acked: dict[str, dict | None] = {}
    kinds_seen = 0
    for round_ in range(10):
        seconds = rng.uniform(0.5, 1.5)
        complete = run_and_kill([sys.executable, str(script), str(path), str(round_)], seconds)
        uncertain: set[str] = set()
        for line in complete:
            if line.startswith("ok "):
                acked.update(json.loads(line[3:]))
                uncertain.clear()
                kinds_seen += 1
            elif line.startswith("do "):
                uncertain = {line[3:]}
        with AnnotationStore.open(path, corpus=corpus) as store:
            present = {r["id"]: r for r in store.all()}
        for ident, state in acked.items():
            if ident in uncertain:
                continue  # killed during an operation on it: either state is acceptable
            if state is None:
                assert ident not in present, f"round {round_}: a deleted annotation came back"
            else:
                assert present.get(ident) == state, f"round {round_}: acknowledged state of {ident} lost"
        acked = {k: v for k, v in acked.items() if k not in uncertain}
        for k in uncertain - {"-"}:
            acked.pop(k, None)
        for k, v in present.items():
            acked.setdefault(k, v)
    assert kinds_seen > 30
    assert not list(tmp_path.glob("db.json.tmp-*"))  # leftovers cleaned on the next open
    json.loads(path.read_text())


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    corpus = load_corpus({seeds!r})
    store = AnnotationStore.open(sys.argv[1], corpus=corpus)
    for i in range(500):
        print(store.add({seed!r}, i % 400, i % 400 + 5, sys.argv[2])["id"], flush=True)
    store.close()
    """
)


def test_two_processes_500_adds_each(tmp_path) -> None:
    path = tmp_path / "db.json"
    script = tmp_path / "w.py"
    script.write_text(WRITER.format(root=str(ROOT), seeds=str(SEEDS), seed=SEED_000))
    procs = [
        subprocess.Popen([sys.executable, str(script), str(path), tag], stdout=subprocess.PIPE, text=True)
        for tag in ("a", "b")
    ]
    acked = set()
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        acked.update(out.split())
    assert len(acked) == 1000
    with AnnotationStore.open(path) as store:
        assert {r["id"] for r in store.all()} == acked


async def test_app_and_cli_write_the_same_store(tmp_path, corpus) -> None:
    from reader.config import load_settings
    from reader.tui.app import make_app
    from reader.tui.widgets.document_view import DocumentView

    db = tmp_path / "db.json"
    settings = load_settings(corpus=[str(SEEDS)], db=str(db), config_path=tmp_path / "none.toml", env={})
    app = make_app(settings, corpus=corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        cli = subprocess.run(
            [sys.executable, "-m", "reader", "tag", SEED_000, "--quote", "Kaliningrad", "--tag", "GPE",
             "--corpus", str(SEEDS), "--db", str(db)],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        view = app.screen.query_one(DocumentView)
        view.move_to(corpus.get(SEED_000).text.index("Minsk"))
        await pilot.press("e", "1")
        await pilot.pause()
        assert {r["quote"] for r in app.store.all()} == {"Kaliningrad", "Minsk"}
    app.store.close()
    with AnnotationStore.open(db) as store:
        assert sorted(r["quote"] for r in store.all()) == ["Kaliningrad", "Minsk"]


# -- hostile files ------------------------------------------------------------------------


def test_hostile_corpus_gives_one_line_each_and_the_rest_loads(tmp_path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_text("Prague, May 15 (RFE/RL) -- A fine dispatch.")
    (root / "latin1.txt").write_bytes("Caf\xe9 au lait in Gda\xf1sk".encode("latin-1"))
    (root / "binary.txt").write_bytes(bytes(range(256)))
    (root / "nul.md").write_bytes(b"text\x00with nul")
    (root / "empty.txt").write_bytes(b"")
    (root / "big.txt").write_bytes(b"Wire copy line of news text.\n" * (20 * 1024 * 1024 // 29))
    (root / "oneline.txt").write_bytes(b"word " * (5 * 1024 * 1024 // 5))
    (root / "crlf.txt").write_bytes(b"one\r\ntwo\rthree\n")
    (root / "bom.txt").write_bytes(b"\xef\xbb\xbfWith a BOM")
    (root / "x.txt").mkdir()
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to(root, target_is_directory=True)
    corpus = load_corpus(root)
    ids = {d.id for d in corpus}
    assert {"good", "latin1", "empty", "big", "oneline", "crlf", "bom"} <= ids
    assert "binary" not in ids and "nul" not in ids
    assert corpus.get("crlf").text == "one\ntwo\nthree\n" and corpus.get("bom").text == "With a BOM"
    assert corpus.get("latin1").text == "Café au lait in Gdañsk"
    warnings = "\n".join(corpus.warnings)
    for name in (
        "latin1.txt: not UTF-8",
        "binary.txt: skipped",
        "nul.md: skipped",
        "x.txt: skipped, is a folder",
    ):
        assert name in warnings
    assert "symlink loop" in warnings
    assert all("\n" not in w and str(root) in w for w in corpus.warnings)


def test_vanished_and_unreadable_files(tmp_path) -> None:
    with pytest.raises(ReaderError, match="vanished before it could be read"):
        read_dispatch(tmp_path / "gone.txt", "gone")
    if os.geteuid() == 0:
        pytest.skip("root reads files without read permission")
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    with pytest.raises(ReaderError, match="no permission to read it"):
        read_dispatch(locked, "locked")


async def test_hostile_text_renders_literally_and_offsets_hold(tmp_path) -> None:
    from reader.config import load_settings
    from reader.tui.app import make_app
    from reader.tui.widgets.document_view import DocumentView

    text = (
        "[bold]not bold[/bold] [@click=app.quit]x[/] \x1b[31mred\x1b[0m \x07bell\n"
        "עברית ומספרים 123 then e\u0301 combining, emoji 👩‍👩‍👧 and 中文字符 wide.\n"
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "hostile.txt").write_text(text)
    corpus = load_corpus(tmp_path / "c")
    store = AnnotationStore.in_memory(corpus=corpus)
    settings = load_settings(
        corpus=[str(tmp_path / "c")], db="x.json", config_path=tmp_path / "n.toml", env={}
    )
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        first = "".join(seg.text for seg in view.render_line(0))
        assert "[bold]not bold[/bold]" in first and "[@click=app.quit]" in first and "\x1b" not in first
        for quote in ("עברית", "e\u0301", "👩‍👩‍👧", "中文字符", "[bold]"):
            at = text.index(quote)
            view.move_to(at)
            await pilot.press("v", *(["shift+right"] * len(quote)), "1")
            await pilot.pause()
        await pilot.pause()
    assert sorted(r["quote"] for r in store.all()) == sorted(
        ["עברית", "e\u0301", "👩‍👩‍👧", "中文字符", "[bold]"]
    )
    assert all(text[r["start"] : r["end"]] == r["quote"] for r in store.all())
