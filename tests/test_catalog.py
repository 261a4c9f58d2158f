"""The corpus catalog: incremental refresh, resumable indexing, rebuilds, and exact search."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.catalog import DEFERRED_INDEXES, Catalog
from reader.config import Settings
from reader.workspace import Workspace

from .conftest import ROOT, run

WORDS = "Minsk Moscow Grachev Lukashenka treaty army border signed said the of Brown Browning gordon".split()


def _corpus(root: Path, n: int, seed: int = 1) -> dict[str, str]:
    rng = random.Random(seed)
    texts = {}
    for i in range(n):
        folder = root / f"y{i % 3}" / f"m{i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"Title {i}\n\n" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))) + f" n{i}.\n"
        (folder / f"d{i:04d}.txt").write_text(text, encoding="utf-8")
        texts[f"y{i % 3}/m{i % 5}/d{i:04d}"] = text
    return texts


def _workspace(root: Path, catalog: Path) -> Workspace:
    return Workspace.open(Settings(corpus=(str(root),), catalog=str(catalog)))


def test_new_changed_moved_deleted_files_are_picked_up(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 20)
    cat = tmp_path / "cat.sqlite"
    with _workspace(root, cat) as ws:
        assert ws.last_scan.added == 20 and ws.catalog.count() == 20
    with _workspace(root, cat) as ws:
        assert not ws.last_scan.touched  # nothing changed: nothing redone
    (root / "y0/m0/d0000.txt").write_text("Now about Vilnius only.\n")
    os.utime(root / "y0/m0/d0000.txt", ns=(1, 1))  # a changed size and mtime
    (root / "y1/m1/d0001.txt").unlink()
    (root / "y2/m2/d0002.txt").rename(root / "y2/m2/renamed.txt")
    (root / "new").mkdir()
    (root / "new/fresh.txt").write_text("A fresh one about Riga.\n")
    with _workspace(root, cat) as ws:
        report = ws.last_scan
        assert (report.added, report.changed, report.removed) == (2, 1, 2)
        ids = ws.corpus.ids()
        assert "y1/m1/d0001" not in ids and "y2/m2/renamed" in ids and "new/fresh" in ids
        assert [h.dispatch_id for h in ws.corpus.search("Vilnius")] == ["y0/m0/d0000"]
        assert [h.dispatch_id for h in ws.corpus.search("Riga")] == ["new/fresh"]
        assert list(ws.corpus.search(" n1.")) == []  # the deleted file's words are gone


def test_a_file_changed_in_place_is_never_answered_from_its_old_row(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 3)
    cat = tmp_path / "cat.sqlite"
    with _workspace(root, cat) as ws:
        path = root / "y0/m0/d0000.txt"
        st_before = path.stat()
        path.write_text("Title 0\n\nCompletely new words here.\n")
        os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))  # same mtime, new size
        dispatch = ws.corpus.require("y0/m0/d0000")
        assert "Completely new" in dispatch.text
        assert ws.catalog.lookup("y0/m0/d0000").sha256 == dispatch.sha256  # type: ignore[union-attr]


def test_search_answers_from_the_catalog_and_never_from_a_stale_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader search` answers from the catalog while a second process checks the files:
    nothing changed, no refresh runs; a file new, edited in place (same mtime), moved or
    deleted, the catalog is refreshed and the answer is the files' own."""
    root = tmp_path / "c"
    _corpus(root, 12)
    cat = tmp_path / "cat.sqlite"
    common = ["--corpus", str(root), "--catalog", str(cat), "--db", str(tmp_path / "db.json")]
    assert run(capsys, "index", *common)[0] == 0
    refreshes: list[int] = []
    real = Catalog.refresh

    def counted(self: Catalog, **kwargs: object) -> object:
        refreshes.append(1)
        return real(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalog, "refresh", counted)

    def search(query: str) -> list[str]:
        code, out, _ = run(capsys, "search", query, "--json", *common)
        assert code == 0
        return sorted({h["dispatch_id"] for h in json.loads(out)})

    assert search("n7.") == ["y1/m2/d0007"] and refreshes == []
    edited = root / "y0/m0/d0000.txt"
    before = edited.stat()
    edited.write_text("Title 0\n\nZanzibar now, same mtime.\n")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    (root / "y0/m0/fresh.txt").write_text("Zanzibar again.\n")
    (root / "y1/m1/d0001.txt").unlink()
    (root / "y2/m2/d0002.txt").rename(root / "y2/moved.txt")
    assert search("Zanzibar") == ["y0/m0/d0000", "y0/m0/fresh"] and len(refreshes) == 1
    assert search(" n1.") == [] and search(" n2.") == ["y2/moved"] and len(refreshes) == 1


def test_corrupt_or_foreign_catalog_is_rebuilt_with_a_notice(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 4)
    cat = tmp_path / "cat.sqlite"
    cat.write_bytes(b"this is not a database at all" * 100)
    with _workspace(root, cat) as ws:
        assert ws.catalog.count() == 4 and any("rebuilt" in n for n in ws.notices)
    conn = sqlite3.connect(cat)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'version'")
    conn.commit()
    conn.close()
    with _workspace(root, cat) as ws:
        assert ws.catalog.count() == 4 and any("version" in n for n in ws.notices)


def test_cli_reports_a_rebuilt_catalog_in_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    root = tmp_path / "c"
    _corpus(root, 2)
    cat = tmp_path / "cat.sqlite"
    cat.write_text("garbage")
    monkeypatch.setenv("READER_DB", str(tmp_path / "db.json"))
    code, out, err = run(capsys, "list", "--corpus", str(root), "--catalog", str(cat))
    assert code == 0 and "d0000" in out
    assert err.count("\n") == 1 and "rebuilt the catalog" in err


def _index_cmd(root: Path, cat: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "reader",
        "index",
        "--corpus",
        str(root),
        "--catalog",
        str(cat),
        "--db",
        str(db),
    ]


def test_a_killed_index_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 3000)
    cat, db = tmp_path / "cat.sqlite", tmp_path / "db.json"
    proc = subprocess.Popen(_index_cmd(root, cat, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait until some batches are committed, then kill it without warning.
    import time

    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            with sqlite3.connect(cat, timeout=1) as conn:
                done = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        except sqlite3.Error:
            continue
        if done >= 256:
            break
    proc.kill()
    proc.wait()
    with sqlite3.connect(cat) as conn:
        kept = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    assert 0 < kept < 3000, "the run must have been cut in the middle"
    out = subprocess.run(_index_cmd(root, cat, db), capture_output=True, text=True, check=True).stdout
    added = int(re.search(r"(\d+) added", out).group(1))  # type: ignore[union-attr]
    assert added == 3000 - kept and "3,000 dispatches" in out
    with Catalog.open(cat, [str(root)]) as c:
        assert set(DEFERRED_INDEXES) <= c.indexes()


def test_two_processes_indexing_at_once_both_succeed(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 1200)
    cat, db = tmp_path / "cat.sqlite", tmp_path / "db.json"
    procs = [
        subprocess.Popen(_index_cmd(root, cat, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    with Catalog.open(cat, [str(root)]) as c:
        assert c.count() == 1200, results
        assert len(set(c.all_files())) == 1200


def test_a_catalog_busy_in_another_process_is_waited_for_never_discarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from reader.errors import ReaderError

    root = tmp_path / "c"
    _corpus(root, 20)
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path, [str(root)]) as c:
        c.refresh()
        assert c.count() == 20
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a write
    monkeypatch.setattr(Catalog, "busy_seconds", 0.2)
    try:
        with pytest.raises(ReaderError, match="busy in another process"):
            Catalog.open(path, [str(root)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Catalog.open(path, [str(root)]) as c:
        assert c.count() == 20 and not c.notices  # the same file, not rebuilt


def test_no_pickle_or_eval_in_the_package() -> None:
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "reader").rglob("*.py")]
    assert sources and not any(re.search(r"\bimport pickle\b|\bpickle\.load|\beval\(", s) for s in sources)


# -- exact search: the index narrows, never decides ---------------------------------------------

ALPHABET = "abcABC xyzé-,.\n"


def _brute(texts: dict[str, str], query: str, case: bool) -> set[str]:
    pattern = re.compile(re.escape(query), 0 if case else re.IGNORECASE)
    return {i for i, t in texts.items() if pattern.search(t)}


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fts") / "c"
    rng = random.Random(5)
    vocab = ["".join(rng.choice("abcxyzé") for _ in range(rng.randint(1, 5))) for _ in range(40)]
    texts = {}
    root.mkdir()
    for i in range(60):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 30))]
        words = [w.upper() if rng.random() < 0.2 else w for w in words]
        text = "".join(w + rng.choice([" ", " ", "-", ", ", ".\n"]) for w in words)
        (root / f"t{i:02d}.txt").write_text(text, encoding="utf-8")
        texts[f"t{i:02d}"] = text
    ws = Workspace.open(Settings(corpus=(str(root),), catalog=str(root.parent / "cat.sqlite")))
    yield ws, texts
    ws.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), case=st.booleans())
def test_fts_search_equals_a_brute_force_scan(small_archive, data, case) -> None:  # type: ignore[no-untyped-def]
    ws, texts = small_archive
    if data.draw(st.booleans()):
        source = texts[data.draw(st.sampled_from(sorted(texts)))]
        start = data.draw(st.integers(0, max(0, len(source) - 1)))
        query = source[start : start + data.draw(st.integers(1, 12))]
    else:
        query = data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=8))
    if not query.strip("\n"):
        return
    query = query.replace("\n", " ")
    found = {h.dispatch_id for h in ws.corpus.search(query, case=case)}
    assert found == _brute(texts, query, case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), case=st.booleans(), regex=st.booleans(), shown=st.integers(1, 6))
def test_counted_search_shows_the_first_hits_and_counts_them_all(
    small_archive, data, case, regex, shown
) -> None:  # type: ignore[no-untyped-def]
    """``reader search`` with a limit builds only the hits it shows and counts the rest:
    the same first hits, the same totals as listing every hit."""
    ws, texts = small_archive
    source = texts[data.draw(st.sampled_from(sorted(texts)))]
    start = data.draw(st.integers(0, max(0, len(source) - 1)))
    query = source[start : start + data.draw(st.integers(1, 6))].replace("\n", " ")
    if not query.strip():
        return
    if regex:
        query = re.escape(query) + "[a-z]?"
    every = [(h.dispatch_id, h.start, h.end) for h in ws.corpus.search(query, regex=regex, case=case)]
    hits, total, dispatches = ws.corpus.search_counted(query, regex=regex, case=case, shown=shown)
    assert [(h.dispatch_id, h.start, h.end) for h in hits] == every[:shown]
    assert (total, dispatches) == (len(every), len({d for d, _, _ in every}))


def test_search_with_a_limit_reports_what_listing_everything_finds(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run

    root = tmp_path / "c"
    _corpus(root, 120, seed=4)
    (root / "crlf.txt").write_bytes(b"Title\r\n\r\nGrachev said,\r\nGrachev\r\nsaid.\r\n")
    (root / "cp1252.txt").write_bytes("Title\n\nGrachev said \u00e9t\u00e9.\n".encode("cp1252"))
    (root / "dotted.txt").write_text("Title\n\nGRACHEV SA\u0130D, grachev said.\n", encoding="utf-8")
    common = [
        "--corpus",
        str(root),
        "--catalog",
        str(tmp_path / "cat.sqlite"),
        "--db",
        str(tmp_path / "db.json"),
    ]
    run(capsys, "index", *common)
    code, few, few_err = run(capsys, "search", "grachev said", "--limit", "3", *common)
    assert code == 0
    code, every, every_err = run(capsys, "search", "grachev said", "--limit", "0", *common)
    assert code == 0
    assert few.splitlines() == every.splitlines()[:4]  # the header and the first three
    totals = re.search(r"([\d,]+) hits? in ([\d,]+) dispatch", every_err)
    assert totals is not None and int(totals.group(1).replace(",", "")) == len(every.splitlines()) - 1
    assert few_err.startswith(totals.group(0)) and "(showing 3; --limit 0 shows all)" in few_err


@pytest.mark.parametrize("query", ["Grachev said", "army", "rown", "Brown", "gordon Brow", "n12.", "e of th"])
def test_search_lists_the_files_grep_lists(tmp_path: Path, query: str) -> None:
    root = tmp_path / "c"
    _corpus(root, 300, seed=3)
    with _workspace(root, tmp_path / "cat.sqlite") as ws:
        ours = {ws.catalog.lookup(h.dispatch_id).path for h in ws.corpus.search(query, case=True)}  # type: ignore[union-attr]
        ours_i = {ws.catalog.lookup(h.dispatch_id).path for h in ws.corpus.search(query)}  # type: ignore[union-attr]
    grep = subprocess.run(["grep", "-rlF", "--", query, str(root)], capture_output=True, text=True)
    grep_i = subprocess.run(["grep", "-rliF", "--", query, str(root)], capture_output=True, text=True)
    assert ours == set(grep.stdout.split("\n")) - {""}
    assert ours_i == set(grep_i.stdout.split("\n")) - {""}


def test_regex_search_narrows_by_its_literal_and_still_finds_everything(tmp_path: Path) -> None:
    from reader.search import required_literal

    assert required_literal("Grach[a-z]+ said") == "Grach"  # the first of the longest runs
    assert required_literal("(a|b)c") is None
    root = tmp_path / "c"
    texts = _corpus(root, 200, seed=9)
    with _workspace(root, tmp_path / "cat.sqlite") as ws:
        found = {h.dispatch_id for h in ws.corpus.search(r"Grach\w+ said", regex=True)}
    assert found == {i for i, t in texts.items() if re.search(r"Grach\w+ said", t, re.IGNORECASE)}


TRICKY = "aiIsSkKσςΣıİſKµμßẞﬅﬆé É\u0307x"


@settings(max_examples=600, deadline=None)
@given(
    text=st.text(alphabet=TRICKY, max_size=40),
    query=st.text(alphabet=TRICKY, min_size=1, max_size=4),
    case=st.booleans(),
)
def test_plain_matching_finds_what_the_regular_expression_finds(text: str, query: str, case: bool) -> None:
    """The fast plain matcher (find in the lowered text) gives exactly the spans
    ``re.IGNORECASE`` gives, on texts full of the characters case folding treats specially
    (dotless and dotted i, long s, Kelvin sign, final sigma, ligatures)."""
    from reader.search import compile_query

    matcher = compile_query(query, regex=False, case=case)
    pattern = re.compile(re.escape(query), 0 if case else re.IGNORECASE)
    expected = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    assert list(matcher.spans(text)) == expected
    assert list(matcher.spans(text, text.encode("utf-8", "surrogatepass"))) == expected  # bytes from a file
    assert matcher.search(text) == bool(expected)


def test_the_ascii_folders_are_every_character_that_matches_an_ascii_letter() -> None:
    from reader.search import ASCII_FOLDERS

    letter = re.compile("[a-z]", re.IGNORECASE)
    found = tuple(chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c)))
    assert found == ASCII_FOLDERS


def test_the_shares_of_a_walk_are_the_whole_walk(tmp_path: Path) -> None:
    """Walking in shares (one per checking process) finds every file and every warning
    once: hidden files, a FIFO, a folder named like a dispatch, a symlink loop, a link to a
    file, an unreadable folder."""
    from reader.corpus import walk_corpus

    root = tmp_path / "c"
    _corpus(root, 30)
    (root / ".hidden.txt").write_text("no")
    os.mkfifo(root / "y0" / "pipe.txt")
    (root / "y1" / "folder.txt").mkdir()
    (root / "y2" / "loop").symlink_to(root / "y2")
    (root / "link.txt").symlink_to(root / "y0/m0/d0000.txt")
    locked = root / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("x")
    locked.chmod(0)
    try:
        whole = walk_corpus([str(root)])
        for shares in (2, 3):
            parts = [walk_corpus([str(root)], (k, shares)) for k in range(shares)]
            files = [f for found, _ in parts for f in found]
            warnings = [w for _, ws in parts for w in ws]
            assert sorted(files) == sorted(whole[0]) and len(files) == len(set(files))
            assert sorted(warnings) == sorted(whole[1])
    finally:
        locked.chmod(0o755)
    assert len(whole[1]) >= 3  # the FIFO, the folder, the loop (and, not as root, the lock)


def test_the_background_check_sees_every_kind_of_change(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _corpus(root, 10)
    with _workspace(root, tmp_path / "cat.sqlite") as ws:

        def agrees() -> bool:
            check = ws.catalog.check_in_background()
            assert check is not None
            return check.agrees()

        assert agrees()
        os.mkfifo(root / "y0" / "pipe.txt")  # a new warning, no new file
        assert not agrees()
        ws.refresh()
        assert agrees()
        os.utime(root / "y1/m1/d0001.txt", ns=(1, 1))  # only the modification time
        assert not agrees()
        ws.refresh()
        assert agrees()
        (root / "y2/m2/d0002.txt").rename(root / "y2/m2/d0002b.txt")
        assert not agrees()


def test_rows_read_elsewhere_are_adopted_only_if_none_were_forgotten_since(tmp_path: Path) -> None:
    from reader.workspace import Archive

    root = tmp_path / "c"
    _corpus(root, 5)
    with _workspace(root, tmp_path / "cat.sqlite") as ws:
        corpus = ws.corpus
        assert isinstance(corpus, Archive) and not corpus.rows_loaded
        worker = ws.for_thread()
        generation = corpus.generation
        rows = worker.corpus.entries
        corpus.forget_rows()  # a rescan changed the catalog meanwhile
        corpus.adopt_rows(rows, generation)
        assert not corpus.rows_loaded
        corpus.adopt_rows(rows, corpus.generation)
        assert corpus.rows_loaded and [e.id for e in corpus.entries] == [e.id for e in rows]
        worker.close()


def test_an_unreadable_file_is_not_read_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A binary file is skipped once and remembered with its size and mtime: the check
    agrees, and a refresh does not read it again; once it holds text it is catalogued, and
    a catalogued file that turns binary loses its row."""
    import reader.catalog as catalog_module

    root = tmp_path / "c"
    _corpus(root, 4)
    binary = root / "y0" / "blob.txt"
    binary.write_bytes(b"\x00\x01binary")
    reads: list[str] = []
    real = catalog_module._read

    def counted(path: str) -> object:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(catalog_module, "_read", counted)
    with _workspace(root, tmp_path / "cat.sqlite") as ws:
        assert str(binary) in reads and ws.catalog.count() == 4
        assert any("contains NUL bytes" in w for w in ws.catalog.skipped())
        check = ws.catalog.check_in_background()
        assert check is not None and check.agrees()
        reads.clear()
        (root / "y1" / "new.txt").write_text("Title\n\nA new one.\n")
        ws.refresh()
        assert reads == [str(root / "y1" / "new.txt")]  # not the unchanged binary file
        assert any("contains NUL bytes" in w for w in ws.catalog.skipped())
        binary.write_text("Title\n\nText at last.\n")
        ws.refresh()
        assert ws.catalog.lookup("y0/blob") is not None
        assert not any("NUL" in w for w in ws.catalog.skipped())
        good = root / "y0/m0/d0000.txt"
        good.write_bytes(b"\x00now binary")
        ws.refresh()
        assert ws.catalog.lookup("y0/m0/d0000") is None and ws.catalog.count() == 5
        check = ws.catalog.check_in_background()
        assert check is not None and check.agrees()


def test_lasting_skip_reasons_are_the_ones_reading_gives(tmp_path: Path) -> None:
    from reader.catalog import LASTING_SKIPS
    from reader.corpus import decode
    from reader.errors import ReaderError
    from reader.files import read_capped

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    messages = []
    for attempt in (lambda: read_capped(str(big), limit=1024 * 1024), lambda: decode(b"a\x00b", "f.txt")):
        with pytest.raises(ReaderError) as caught:
            attempt()
        messages.append(str(caught.value))
    assert [next(m for m in LASTING_SKIPS if m in message) for message in messages] == [
        "MB limit",
        "contains NUL bytes",
    ]


def test_a_bulk_refresh_widens_the_page_cache_and_gives_it_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import reader.catalog as catalog_module

    _corpus(tmp_path / "corpus", 5)
    catalog = Catalog(tmp_path / "catalog.sqlite", [str(tmp_path / "corpus")])
    before = catalog.conn.execute("PRAGMA cache_size").fetchone()[0]
    seen: list[int] = []
    store = Catalog._store_facts

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        return store(self, *args, **kwargs)

    monkeypatch.setattr(Catalog, "_store_facts", spy)
    monkeypatch.setattr(catalog_module, "BULK_FILES", 2)
    catalog.refresh(jobs=1)
    assert seen and set(seen) == {-catalog_module.BULK_CACHE_KIB}
    assert catalog.conn.execute("PRAGMA cache_size").fetchone()[0] == before
    assert catalog.count() == 5


def test_threads_sharing_an_in_memory_catalog_write_one_at_a_time() -> None:
    """An in-memory catalog has one connection for every thread (the app's workers use it
    for a corpus held in memory): two threads putting texts at once must not start a
    transaction inside the other's."""
    import threading

    catalog = Catalog(":memory:", [])
    errors: list[BaseException] = []

    def put(prefix: str) -> None:
        try:
            for i in range(150):
                catalog.put_text(f"{prefix}{i}", f"{prefix}{i}", f"Title {i}\n\nText {prefix} number {i}.\n")
        except BaseException as exc:  # noqa: BLE001 - any failure in the thread is the finding
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert catalog.count() == 300


def test_a_bulk_load_builds_its_secondary_indexes_once_at_the_end(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import reader.catalog as catalog_module

    _corpus(tmp_path / "corpus", 8)
    catalog = Catalog(tmp_path / "catalog.sqlite", [str(tmp_path / "corpus")])
    checkpoint = catalog.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    seen: list[tuple[frozenset[str], int]] = []
    store = Catalog._store_facts

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pages = self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        seen.append((frozenset(self.indexes()), pages))
        return store(self, *args, **kwargs)

    monkeypatch.setattr(Catalog, "_store_facts", spy)
    monkeypatch.setattr(catalog_module, "BULK_FILES", 2)
    said: list[tuple[str, int, bool]] = []

    def status(line: str) -> None:
        said.append((line, len(seen), bool(catalog.indexes() & set(DEFERRED_INDEXES))))

    catalog.refresh(jobs=1, entities_for=("rules", ([], [])), status=status)
    # The step after the files is announced once, when every row is in and before it runs.
    assert said == [("building the catalog's indexes over 8 dispatches", 8, False)]
    # Loading into an empty catalog: none of the deferred indexes while rows go in.
    assert len(seen) == 8
    assert all(not (names & set(DEFERRED_INDEXES)) for names, _ in seen)
    assert {pages for _, pages in seen} == {catalog_module.BULK_CHECKPOINT_PAGES}
    assert set(DEFERRED_INDEXES) <= catalog.indexes()
    assert catalog.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == checkpoint
    # Queries the indexes serve answer the same as a scan.
    keys = [str(r[0]) for r in catalog.conn.execute("SELECT DISTINCT key FROM mentions")]
    assert keys
    plan = catalog.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM mentions WHERE key = ?", (keys[0],))
    assert "mentions_key" in " ".join(str(r) for r in plan.fetchall())

    # A few new files beside many catalogued ones: the indexes stay while they are written.
    seen.clear()
    _corpus(tmp_path / "corpus" / "more", 3)
    said.clear()
    catalog.refresh(jobs=1, entities_for=("rules", ([], [])), status=status)
    assert len(seen) == 3 and all(set(DEFERRED_INDEXES) <= names for names, _ in seen)
    assert said == []


def test_a_load_cut_short_leaves_the_indexes_to_the_next_open(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import reader.catalog as catalog_module

    _corpus(tmp_path / "corpus", 8)
    path = tmp_path / "catalog.sqlite"
    catalog = Catalog(path, [str(tmp_path / "corpus")])
    store = Catalog._store_facts
    calls = []

    def cut(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 5:
            raise KeyboardInterrupt
        return store(self, *args, **kwargs)

    monkeypatch.setattr(Catalog, "_store_facts", cut)
    monkeypatch.setattr(catalog_module, "BATCH", 2)
    monkeypatch.setattr(catalog_module, "BULK_FILES", 2)
    with pytest.raises(KeyboardInterrupt):
        catalog.refresh(jobs=1, entities_for=("rules", ([], [])))
    assert catalog.count() == 4
    assert not catalog.indexes() & set(DEFERRED_INDEXES)
    catalog.close()
    monkeypatch.setattr(Catalog, "_store_facts", store)
    with Catalog.open(path, [str(tmp_path / "corpus")]) as again:
        assert set(DEFERRED_INDEXES) <= again.indexes()
        again.refresh(jobs=1, entities_for=("rules", ([], [])))
        assert again.count() == 8 and set(DEFERRED_INDEXES) <= again.indexes()
