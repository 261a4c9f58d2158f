"""Untrusted input stays inert: poisoned stores and imports, hostile files, terminal bytes,
full disks. Every rejected input leaves the store byte-identical and costs one line."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.store import AnnotationStore

from .conftest import SEED_000, SEEDS, run

HOSTILE = [
    "\x1b[2J\x1b[H",  # clear screen
    "\x1b]0;pwned\x07",  # window title
    "\x1b]52;c;cGF5bG9hZA==\x07",  # clipboard
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # hyperlink
    "[link=http://evil.example]x[/link]",
    "[/x]",
    ":x: :skull:",
    "\u202eevil\u202c",
    "\x9b31m",
]


def _state(db: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for suffix in ("", ".journal"):
        p = Path(str(db) + suffix)
        out[suffix] = p.read_bytes() if p.exists() else None
    return out


# -- a poisoned store --------------------------------------------------------------------------

POISON = [
    b"[1, 2]",
    b"null",
    b'"a string"',
    b'{"op": "put", "r": {"id": "x"}}',
    b'{"op": "put", "r": {"id": "x", "dispatch_id": "d", "start": true, "end": 5, "tag": "t", "quote": "q"}}',
    b'{"op": "put", "r": {"id": "x", "dispatch_id": "d", "start": 0, "end": NaN, "tag": "t", "quote": "q"}}',
    b'{"op": "put", "r": {"id": "x", "dispatch_id": "d", "start": 0, "end": 5, "tag": "t", '
    b'"quote": "q", "prefix": 5}}',
    b'{"op": "batch", "ops": [null]}',
    b'{"op": "explode"}',
    b"[" * 100_000 + b"]" * 100_000,
]


@pytest.mark.parametrize("line", POISON, ids=range(len(POISON)))
def test_a_poisoned_journal_is_refused_in_one_line_and_explained_by_doctor(env, capsys, line) -> None:
    code, _, _ = run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "good")
    assert code == 0
    journal = Path(str(env) + ".journal")
    with open(journal, "ab") as fh:
        fh.write(line + b"\n")
    before = _state(env)
    for argv in (["annotations"], ["tag", SEED_000, "--start", "5", "--end", "9", "--tag", "x"], ["export"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
        assert str(journal) in err
    assert _state(env) == before  # nothing was written, nothing checkpointed
    code, out, err = run(capsys, "doctor")
    assert code == 1 and "problem:" in out and "Traceback" not in out + err
    salvage = env.parent / "saved.json"
    code, out, _ = run(capsys, "doctor", "--salvage", str(salvage))
    with AnnotationStore.open(salvage) as store:
        assert [r["tag"] for r in store.all()] == ["good"]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["op", "r", "id", "ops", "t", "k", "start", "end", "tag", "quote", "dispatch_id", "note"]
                ),
                inner,
                max_size=6,
            )
        ),
        max_leaves=12,
    )
)
def test_journal_replay_fuzz_never_raises_anything_but_one_line(tmp_path_factory, value) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "db.json"
    Path(str(db) + ".journal").write_text(json.dumps(value) + "\n")
    try:
        AnnotationStore.open(db, readonly=True).close()
    except ReaderError as exc:
        assert "\n" not in str(exc)


# -- poisoned imports ---------------------------------------------------------------------------


def _jsonl(tmp_path: Path, **fields: object) -> Path:
    record = {"dispatch_id": SEED_000, "start": 0, "end": 5, "tag": "t", "quote": "Acces"}
    record.update(fields)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize(
    "fields",
    [{"prefix": 5}, {"start": True}, {"tag": 7}, {"note": ["x"]}, {"quote": 3}, {"end": 2**40}, {"id": 9}],
)
def test_wrongly_typed_imports_never_store_a_wrong_type(env, capsys, tmp_path, fields) -> None:
    """Either the import is refused (store byte-identical), or what is stored is well typed:
    a bad offset is replaced by re-anchoring on the quote, a bad context is recomputed."""
    from reader.store import check_record

    run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "good")
    before = _state(env)
    code, out, err = run(capsys, "import", str(_jsonl(tmp_path, **fields)), "--format", "jsonl")
    assert "Traceback" not in err
    if code == 0:
        assert "imported 1 annotation" in out
        with AnnotationStore.open(env) as store:
            for r in store.all():
                check_record(r, "stored")
                assert isinstance(r["prefix"], str) and type(r["start"]) is int
    else:
        assert "nothing was imported" in err and _state(env) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nan.jsonl", '{"dispatch_id": "' + SEED_000 + '", "start": NaN, "end": 5, "tag": "t"}\n'),
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        (
            "digits.jsonl",
            '{"dispatch_id": "' + SEED_000 + '", "start": ' + "9" * 5000 + ', "end": 5, "tag": "t"}\n',
        ),
        (
            "selector.json",
            json.dumps(
                {
                    "type": "Annotation",
                    "target": {
                        "source": f"urn:x-dispatch-reader:dispatch:{SEED_000}",
                        "selector": {"type": "TextPositionSelector", "start": 0, "end": 5},
                    },
                    "body": {"purpose": "tagging", "value": "one"},
                }
            )
            + "\n",
        ),
        (
            "surrogate.jsonl",
            '{"dispatch_id": "' + SEED_000 + '", "start": 0, "end": 5, "tag": "t", "note": "\\ud800"}\n',
        ),
    ],
    ids=["nan", "deep", "digits", "selector", "surrogate"],
)
def test_hostile_import_files_are_one_line_or_imported_cleanly(env, capsys, tmp_path, name, content) -> None:
    path = tmp_path / name
    path.write_text(content)
    before = _state(env)
    fmt = ["--format", "w3c"] if name == "selector.json" else []
    code, out, err = run(capsys, "import", str(path), *fmt)
    assert "Traceback" not in err
    if name == "selector.json":  # one selector object is allowed by the model
        assert code == 0 and "imported 1 annotation" in out
    else:
        assert code == 1 and _state(env) == before


def test_our_own_csv_of_a_long_note_imports_again(env, capsys, tmp_path) -> None:
    run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "t", "--note", "n" * 300_000)
    out_path = tmp_path / "all.csv"
    assert run(capsys, "export", "--format", "csv", "-o", str(out_path))[0] == 0
    other = tmp_path / "other.json"
    code, out, err = run(capsys, "--db", str(other), "import", str(out_path), "--db", str(other))
    assert code == 0 and "imported 1 annotation" in out, err


@pytest.mark.parametrize("conf", [b"\xff\xfe not utf-8", None])
def test_a_bad_brat_annotation_conf_is_one_line(env, capsys, tmp_path, conf) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / f"{SEED_000}.ann").write_text("T1\tGPE 0 5\tAcces\n")
    if conf is None:
        (folder / "annotation.conf").mkdir()
    else:
        (folder / "annotation.conf").write_bytes(conf)
    code, _, err = run(capsys, "import", str(folder))
    assert code == 1 and err.count("\n") == 1 and "annotation.conf" in err


# -- hostile files --------------------------------------------------------------------------------


def test_fifo_and_device_links_in_the_corpus_are_skipped_not_hung(tmp_path, capsys, monkeypatch) -> None:
    root = tmp_path / "c"
    shutil.copytree(SEEDS, root)
    os.mkfifo(root / "x.txt")
    os.symlink("/dev/zero", root / "zero.txt")
    monkeypatch.setenv("READER_DB", str(tmp_path / "db.json"))
    code, out, err = run(capsys, "list", "--corpus", str(root))
    assert code == 0 and SEED_000 in out
    code, out, err = run(capsys, "show", "x", "--corpus", str(root))
    assert code == 2  # not a dispatch: it was skipped with a reason


def test_nfc_and_nfd_names_are_one_id_with_a_warning(tmp_path) -> None:
    from reader.corpus import walk_corpus

    root = tmp_path / "c"
    root.mkdir()
    (root / "caf\u00e9.txt").write_text("one")
    (root / "cafe\u0301.txt").write_text("two")
    found, warnings = walk_corpus([root])
    assert [f[1] for f in found] == ["caf\u00e9"] and any("already taken" in w for w in warnings)


def test_a_symlinked_journal_is_refused_and_its_target_untouched(env, capsys, tmp_path) -> None:
    run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "good")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\npartial line without newline")
    journal = Path(str(env) + ".journal")
    journal.unlink(missing_ok=True)
    journal.symlink_to(victim)
    code, _, err = run(capsys, "tag", SEED_000, "--start", "5", "--end", "9", "--tag", "x")
    assert code == 1 and "symlink" in err and err.count("\n") == 1
    assert victim.read_bytes() == b"precious\npartial line without newline"


def test_a_store_path_that_is_a_symlink_is_written_through(tmp_path, capsys, monkeypatch) -> None:
    real = tmp_path / "real" / "annotations.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    monkeypatch.setenv("READER_CORPUS", str(SEEDS))
    monkeypatch.setenv("READER_DB", str(link))
    assert run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "t")[0] == 0
    with AnnotationStore.open(link) as store:
        store.checkpoint()
    assert link.is_symlink() and json.loads(real.read_text())["dispatch:" + SEED_000]


# -- a full disk --------------------------------------------------------------------------------


def test_disk_full_on_append_is_one_line_and_loses_nothing(env, capsys, monkeypatch) -> None:
    import reader.store as store_module

    run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "kept")
    before = _state(env)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        real_write(fd, data[: len(data) // 2])  # half of it lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module.os, "write", full)
    code, _, err = run(capsys, "tag", SEED_000, "--start", "5", "--end", "9", "--tag", "lost")
    monkeypatch.setattr(store_module.os, "write", real_write)
    assert code == 1 and err.count("\n") == 1 and "disk is full" in err and "nothing was written" in err
    assert _state(env) == before  # the half line was taken back
    assert run(capsys, "tag", SEED_000, "--start", "5", "--end", "9", "--tag", "later")[0] == 0
    with AnnotationStore.open(env) as store:
        assert sorted(r["tag"] for r in store.all()) == ["kept", "later"]


def test_a_failed_checkpoint_never_undoes_a_durable_write(tmp_path, corpus, monkeypatch) -> None:
    import reader.store as store_module

    db = tmp_path / "db.json"
    store = AnnotationStore.open(db, corpus=corpus, checkpoint_every=1)

    def refuse(*args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store_module.os, "replace", refuse)
    record = store.add(SEED_000, 0, 5, "t")  # reported done: it is in the journal
    monkeypatch.undo()
    store.close()
    with AnnotationStore.open(db, corpus=corpus) as again:
        assert again.get(record["id"]) is not None


# -- what reaches a terminal ---------------------------------------------------------------------

SGR = re.compile(rb"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[[0-9]*[AG]")
"""Our own styling: colours, and the progress bar's cursor hiding, line clearing and moves."""


def _hostile_env(tmp_path: Path) -> dict[str, str]:
    root = tmp_path / "c"
    root.mkdir()
    for i, bad in enumerate(HOSTILE):
        name = f"n{i}" + bad.replace("/", "_").replace("\x00", "") + ".txt"
        try:
            (root / name).write_text(f"{bad} Title {bad}\n\nPavel Grachev {bad} said in Minsk.\n")
        except OSError:
            (root / f"n{i}.txt").write_text(f"{bad} Title\n\nPavel Grachev {bad} said in Minsk.\n")
    env = dict(os.environ)
    env.update(
        READER_CORPUS=str(root),
        READER_DB=str(tmp_path / "db.json"),
        READER_CATALOG=str(tmp_path / "cat.sqlite"),
        COLUMNS="120",
    )
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    from reader.corpus import walk_corpus

    ids = [f[1] for f in walk_corpus([root])[0]]
    for i, dispatch_id in enumerate(ids):
        bad = HOSTILE[i % len(HOSTILE)]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "reader",
                "tag",
                dispatch_id,
                "--start",
                "0",
                "--end",
                "3",
                "--tag",
                f"t{bad}",
                "--note",
                f"note {bad}",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    (tmp_path / "reader.toml").write_text(
        '[[tags]]\nname = "x\\u001b[2J"\ndescription = "[/x] \\u001b]0;t\\u0007"\n'
    )
    env["FIRST_ID"] = ids[0]
    return env


def _tty_bytes(argv: list[str], env: dict[str, str], cwd: Path) -> bytes:
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, env=env, cwd=cwd
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_no_escape_sequence_from_the_data_reaches_a_terminal(tmp_path) -> None:
    env = _hostile_env(tmp_path)
    reader = [sys.executable, "-m", "reader"]
    commands = [
        ["list"],
        ["annotations"],
        ["search", "Grachev"],
        ["stats"],
        ["show", env["FIRST_ID"]],
        ["dossier", "Pavel Grachev"],
        ["config"],
        ["check"],
        ["lexicon", "list"],
    ]
    for argv in commands:
        out = _tty_bytes([*reader, *argv], env, tmp_path)
        assert b"Traceback" not in out, (argv, out[-400:])
        rest = SGR.sub(b"", out).decode("utf-8")
        for bad in ("\x1b", "\x07", "\x9b", "\x90", "\u202e"):
            assert bad not in rest, (argv, bad, out[:600])


def test_an_invalid_tag_colour_is_one_warning_and_the_defaults(tmp_path) -> None:
    from reader.config import DEFAULT_TAGS, load_settings

    path = tmp_path / "reader.toml"
    path.write_text('[[tags]]\nname = "x"\ncolour = "not-a-colour[/x]"\n')
    settings = load_settings(config_path=path, env={})
    assert settings.tags == DEFAULT_TAGS
    assert (
        len(settings.warnings) == 1
        and "line 3" in settings.warnings[0]
        and "not a colour" in settings.warnings[0]
    )


def test_a_catalog_that_cannot_be_written_is_one_line(env, capsys, tmp_path, monkeypatch) -> None:
    import sqlite3

    import reader.catalog as catalog_module

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setenv("READER_CATALOG", str(tmp_path / "cat.sqlite"))
    monkeypatch.setattr(catalog_module.Catalog, "_store_facts", full)
    code, _, err = run(capsys, "list")
    assert code == 1 and err.count("\n") == 1 and "disk is full" in err and "Traceback" not in err


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_an_export_that_cannot_be_written_is_one_line_and_leaves_the_old_file(
    env, capsys, tmp_path, monkeypatch, code
) -> None:
    import reader.export as export_module

    run(capsys, "tag", SEED_000, "--start", "0", "--end", "5", "--tag", "t")
    target = tmp_path / "out.json"
    target.write_text("the previous export")

    def fail(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(export_module.os, "replace", fail)
    status, _, err = run(capsys, "export", "-o", str(target))
    assert status == 1 and err.count("\n") == 1 and str(target) in err
    assert target.read_text() == "the previous export"
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
