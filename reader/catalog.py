"""The corpus catalog: one SQLite row per file, full text in FTS5, entity mentions.

A cache over the corpus files (``sqlite3``, WAL, a busy timeout): deleting it is always
safe, a corrupt or foreign-version catalog is rebuilt with a one-line notice, and nothing in
it is executed. :meth:`Catalog.refresh` walks the roots and redoes only new and changed
files, committing every batch, so a killed run resumes where it stopped. Texts are not kept
here: FTS5 is contentless and narrows a search to candidate files, which are then read and
matched exactly (see :mod:`reader.search`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.models import Entity

CATALOG_VERSION = 5
"""Bumped whenever the schema or what a row means changes; an older catalog is rebuilt."""
BATCH = 256
"""Files per committed batch: what a killed run can lose, and the unit handed to a worker."""
NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT", "MISC")
"""Labels whose mentions are kept per dispatch (dossiers, co-occurrence, stats)."""
BULK_FILES = 1000
"""A refresh reading more files than this loads the vocabulary into memory and widens the
page cache while it writes."""
BULK_CACHE_KIB = 65536
"""SQLite's page cache during a bulk refresh, in KiB (its default is 2,000)."""
BULK_CHECKPOINT_PAGES = 16384
"""WAL pages between checkpoints during a bulk refresh (SQLite's default is 1,000): pages
written again and again (the B-trees' upper levels, FTS5's structure) are copied once."""
DEFERRED_INDEXES = ("mentions_key", "mentions_file", "files_sha256")
"""Secondary indexes a bulk load into a (nearly) empty catalog drops and builds once at the
end: one sort instead of a random B-tree insert per row. Every open recreates a missing one
(the schema says IF NOT EXISTS), so a load killed half-way leaves nothing missing for long."""
MAX_STARTS = 3
"""Offsets kept per (dispatch, mention): enough for a dossier's contexts."""

Progress = Callable[[int, int, int], None]
"""``progress(files_done, files_total, bytes_done)``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    id TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    place TEXT NOT NULL,
    date TEXT NOT NULL,
    words INTEGER NOT NULL,
    warnings TEXT NOT NULL,
    ner_key TEXT NOT NULL DEFAULT '',
    entity_counts TEXT NOT NULL DEFAULT '{}',
    entity_total INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS mentions (
    file INTEGER NOT NULL,
    key TEXT NOT NULL,
    surface TEXT NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    starts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256);
CREATE INDEX IF NOT EXISTS mentions_key ON mentions(key);
CREATE INDEX IF NOT EXISTS mentions_file ON mentions(file);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, rev TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_rev ON terms(rev);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS unreadable (
    path TEXT PRIMARY KEY, id TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 0'
);
"""


class CatalogEntry(NamedTuple):
    """What the catalog knows of one file, without its text. Immutable; a named tuple
    because the library builds 100,000 of them at start (a third of a frozen dataclass's
    cost)."""

    rowid: int
    id: str
    """Path relative to its corpus root, POSIX separators, no suffix, NFC."""
    path: str
    size: int
    mtime_ns: int
    sha256: str
    title: str
    source: str
    place: str
    date: str
    words: int
    warnings: tuple[str, ...]
    entities: int | None
    """Entities found by the current recognizer, or None until they are counted."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A name found in a dispatch: how often, and where the first few are."""

    dispatch_id: str
    surface: str
    label: str
    count: int
    starts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What one refresh changed."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    recognized: int = 0
    skipped: int = 0

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.recognized)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What a worker learns from one file (sent back to the process that writes SQLite)."""

    path: str
    id: str
    size: int
    mtime_ns: int
    sha256: str
    title: str
    source: str
    place: str
    date: str
    words: int
    warnings: tuple[str, ...]
    body: str
    """The normalised text, for the full-text index (empty when only entities were asked)."""
    entity_counts: dict[str, int] | None
    mentions: tuple[tuple[str, str, str, int, str], ...]
    """``(key, surface, label, count, first starts)`` for names, as the mentions table
    keeps them (worked out where the text was read, not in the process that writes)."""
    terms: tuple[str, ...] = ()
    """The distinct lower-cased words of title and text (the vocabulary table); in a batch
    from a worker, only those no earlier file of the batch had."""


def default_catalog_path(roots: Sequence[str]) -> Path:
    """The catalog of these corpus roots in the user cache folder, keyed by the roots."""
    import hashlib

    from platformdirs import user_cache_dir

    key = hashlib.sha256("\0".join(sorted(os.path.abspath(r) for r in roots)).encode()).hexdigest()[:16]
    return Path(user_cache_dir("dispatch-reader")) / "catalogs" / f"{key}.sqlite"


def recognizer_key(backend: str, lexicon: tuple[list[tuple[str, str]], list[str]]) -> str:
    """The key under which entity results are kept: backend, its version, the lexicon."""
    import hashlib

    from reader.recognizer import backend_version

    payload = json.dumps([backend, backend_version(backend), lexicon[0], lexicon[1]], ensure_ascii=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


_POSSESSIVE_END = __import__("re").compile(r"['’]s$")


def mention_key(surface: str) -> str:
    """The grouping key of a name: possessive dropped, spaces collapsed, lower case."""
    return " ".join(_POSSESSIVE_END.sub("", surface).split()).lower()


# -- work done in worker processes ------------------------------------------------------------


def examine(
    path: str,
    dispatch_id: str,
    entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None,
    with_body: bool = True,
    seen_terms: set[str] | None = None,
) -> FileFacts | str:
    """Read one file and learn what the catalog keeps; a one-line reason when it is skipped.

    ``seen_terms``: words already handed over (left out of ``terms``, and the new ones
    added).
    """
    return examine_batch([(path, dispatch_id)], entities_for, with_body, seen_terms)[0]


def _read(path: str) -> tuple[str, tuple[str, ...], int, int] | str:
    """A file's normalised text, decoding warnings, size and mtime; or why it is skipped."""
    from reader.corpus import decode, normalise
    from reader.files import read_capped

    try:
        before = os.stat(path)
        data = read_capped(path)
        text, warnings = decode(data, path)
    except ReaderError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path}: skipped, {exc.strerror or exc}"
    return normalise(text), tuple(warnings), before.st_size, before.st_mtime_ns


def _recognized(
    texts: list[str], entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]]
) -> list[list[Entity]]:
    """Entities of many texts at once; the rules when the backend cannot run."""
    from reader.recognizer import recognize_many

    backend, lexicon = entities_for
    try:
        return recognize_many(texts, backend, lexicon)
    except ReaderError:
        return recognize_many(texts, "rules", lexicon)


def facts_from_text(
    path: str,
    dispatch_id: str,
    text: str,
    warnings: tuple[str, ...],
    size: int,
    mtime_ns: int,
    entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None,
    with_body: bool = True,
    seen_terms: set[str] | None = None,
    found: list[Entity] | None = None,
) -> FileFacts:
    """What the catalog keeps of a normalised text (and, if asked, its entities; ``found``:
    already recognized with ``entities_for``)."""
    from reader.corpus import sha256_of
    from reader.metadata import extract_metadata
    from reader.segments import words_and_terms

    meta = extract_metadata(text, dispatch_id.rsplit("/", 1)[-1])
    counts: dict[str, int] | None = None
    mentions: list[tuple[str, str, str, int, str]] = []
    if entities_for is not None:
        if found is None:
            found = _recognized([text], entities_for)[0]
        counts = {}
        grouped: dict[tuple[str, str], list[int]] = {}
        for e in found:
            counts[e.label] = counts.get(e.label, 0) + 1
            if e.label in NAME_LABELS:
                grouped.setdefault((e.text, e.label), []).append(e.start)
        mentions = [
            (mention_key(s), s, lab, len(st), ",".join(map(str, st[:MAX_STARTS])))
            for (s, lab), st in grouped.items()
        ]
    words, terms = words_and_terms(text, terms=with_body)
    if seen_terms is not None:
        terms -= seen_terms
        seen_terms |= terms
    return FileFacts(
        path=path,
        id=dispatch_id,
        size=size,
        mtime_ns=mtime_ns,
        sha256=sha256_of(text),
        title=meta.title,
        source=meta.source,
        place=meta.place,
        date=meta.date,
        words=words,
        warnings=warnings,
        body=text if with_body else "",
        entity_counts=counts,
        mentions=tuple(mentions),
        terms=tuple(terms),
    )


def examine_batch(
    items: list[tuple[str, str]],
    entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None,
    with_body: bool,
    seen: set[str] | None = None,
) -> list[FileFacts | str]:
    """:func:`examine` of many files, their texts recognized together (a top-level
    function so a process pool can run it)."""
    # A batch is stored in one transaction, so each word need only come once per batch.
    seen = set() if seen is None else seen
    read = [_read(path) for path, _ in items]
    found: list[list[Entity] | None] = [None] * len(items)
    if entities_for is not None:
        texts = [r[0] for r in read if not isinstance(r, str)]
        recognized = iter(_recognized(texts, entities_for))
        found = [None if isinstance(r, str) else next(recognized) for r in read]
    out: list[FileFacts | str] = []
    for (path, dispatch_id), got, entities in zip(items, read, found, strict=True):
        if isinstance(got, str):
            out.append(got)
            continue
        text, warnings, size, mtime_ns = got
        out.append(
            facts_from_text(
                path, dispatch_id, text, warnings, size, mtime_ns, entities_for, with_body, seen, entities
            )
        )
    return out


# -- the catalog ------------------------------------------------------------------------------


class Catalog:
    """The SQLite catalog of a corpus. One connection, used from the thread that opened it."""

    busy_seconds = 30.0
    """How long to wait for another process's write lock before giving up."""

    def __init__(self, path: str | os.PathLike[str], roots: Sequence[str]) -> None:
        self.path = Path(path)
        self.roots = tuple(roots)
        self.notices: list[str] = []
        """One-line notices for the user (a catalog rebuilt, say)."""
        self._known_terms: set[str] | None = None
        """During a large refresh, the words already in the vocabulary table (fewer inserts)."""
        self._stats: dict[str, tuple[str, int, int]] = {}
        """During a refresh, id, size and mtime of the files being read, as the walk saw them."""
        self._writing = threading.RLock()
        self.conn = self._connect()

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], roots: Sequence[str]) -> Catalog:
        return cls(path, roots)

    def _connect(self) -> sqlite3.Connection:
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ReaderError(
                    f"{self.path.parent}: cannot create the catalog folder ({exc.strerror})"
                ) from None
            if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
                raise ReaderError(
                    f"{self.path}: the catalog is not a regular file; remove it or use --catalog"
                )
        try:
            conn = self._open_checked()
        except (sqlite3.DatabaseError, _Foreign) as exc:
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                # Another process holds the catalog (indexing, say): in use, not broken,
                # and never discarded for it.
                raise ReaderError(f"{self.path}: the catalog is busy in another process ({exc})") from None
            self.notices.append(f"{self.path}: {exc}; rebuilt the catalog")
            self._discard()
            try:
                conn = self._open_checked()
            except sqlite3.Error as again:
                raise ReaderError(f"{self.path}: cannot create the catalog ({again})") from None
        return conn

    def _open_checked(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path),
            timeout=self.busy_seconds,
            isolation_level=None,
            check_same_thread=str(self.path) != ":memory:",
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Check and create under one write lock: a second process opening the catalog
            # while the first creates it must never see half a schema (and discard it).
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self._version(conn)
                if version is not None and version != str(CATALOG_VERSION):
                    raise _Foreign(f"catalog version {version!r}, this program writes {CATALOG_VERSION}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('version', ?)", (str(CATALOG_VERSION),)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return conn
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _version(conn: sqlite3.Connection) -> str | None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "meta" not in tables:
            raise _Foreign("not a dispatch-reader catalog")
        row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return None if row is None else str(row[0])

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rebuild(self) -> None:
        """Forget everything: the next refresh indexes every file again."""
        self.close()
        self._discard()
        self.conn = self._connect()

    # -- reading ---------------------------------------------------------------------------

    _COLUMNS = "rowid, id, path, size, mtime_ns, sha256, title, source, place, date, words, warnings"

    def _entry(self, row: Any, ner_key: str | None) -> CatalogEntry:
        (rowid, did, path, size, mtime, sha, title, source, place, date, words, warnings, key, total) = row
        return CatalogEntry(
            rowid,
            did,
            path,
            size,
            mtime,
            sha,
            title,
            source,
            place,
            date,
            words,
            () if warnings == "[]" else tuple(json.loads(warnings)),
            total if ner_key is not None and key == ner_key else None,
        )

    def entries(self, ner_key: str | None = None, *, offset: int = 0, limit: int = -1) -> list[CatalogEntry]:
        """Every file (or ``limit`` of them from ``offset``), sorted by id."""
        rows = self.conn.execute(
            f"SELECT {self._COLUMNS}, ner_key, entity_total FROM files ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        # _entry inlined: this runs for every file when the library opens.
        return [
            CatalogEntry(
                a, b, c, d, e, f, g, h, i, j, k,
                () if w == "[]" else tuple(json.loads(w)),
                total if ner_key is not None and key == ner_key else None,
            )
            for a, b, c, d, e, f, g, h, i, j, k, w, key, total in rows
        ]  # fmt: skip

    def iter_entries(self, ner_key: str | None = None) -> Iterator[CatalogEntry]:
        """Every file, sorted by id, without holding them all in memory."""
        rows = self.conn.execute(f"SELECT {self._COLUMNS}, ner_key, entity_total FROM files ORDER BY id")
        for r in rows:
            yield self._entry(r, ner_key)

    def lookup(self, dispatch_id: str, ner_key: str | None = None) -> CatalogEntry | None:
        row = self.conn.execute(
            f"SELECT {self._COLUMNS}, ner_key, entity_total FROM files WHERE id = ?", (dispatch_id,)
        ).fetchone()
        return None if row is None else self._entry(row, ner_key)

    def ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        # GLOB is case-sensitive and can use the unique index on id; escape its wildcards.
        escaped = "".join(f"[{c}]" if c in "*?[" else c for c in prefix)
        rows = self.conn.execute(
            "SELECT id FROM files WHERE id GLOB ? ORDER BY id LIMIT ?", (escaped + "*", limit)
        )
        return [str(r[0]) for r in rows]

    def id_of_sha256(self, sha256: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM files WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256,)
        ).fetchone()
        return None if row is None else str(row[0])

    def ids_among(self, dispatch_ids: Iterable[str]) -> list[str]:
        """Those of ``dispatch_ids`` that the catalog has."""
        ids = list(dispatch_ids)
        out: list[str] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.extend(
                str(r[0]) for r in self.conn.execute(f"SELECT id FROM files WHERE id IN ({marks})", chunk)
            )
        return out

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    def warning_count(self) -> int:
        """Skipped files plus the warnings of catalogued ones (a bad byte decoded, say)."""
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM skipped) + "
            "(SELECT coalesce(sum(json_array_length(warnings)), 0) FROM files WHERE warnings != '[]')"
        ).fetchone()
        return int(row[0])

    def skipped(self) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("SELECT reason FROM skipped ORDER BY path")]

    def entity_counts(self, ner_key: str) -> dict[str, int]:
        """Entities per dispatch id, for files whose counts are current."""
        rows = self.conn.execute("SELECT id, entity_total FROM files WHERE ner_key = ?", (ner_key,))
        return dict(rows)

    def entities_by_label(self, ner_key: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT j.key, SUM(j.value) FROM files, json_each(files.entity_counts) AS j "
            "WHERE files.ner_key = ? GROUP BY j.key ORDER BY SUM(j.value) DESC",
            (ner_key,),
        )
        return {str(k): int(v) for k, v in rows}

    def pending_entities(self, ner_key: str) -> int:
        return int(
            self.conn.execute("SELECT COUNT(*) FROM files WHERE ner_key != ?", (ner_key,)).fetchone()[0]
        )

    def mentions_of(self, keys: Iterable[str]) -> list[Mention]:
        keys = list(keys)
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            "SELECT f.id, m.surface, m.label, m.n, m.starts "
            f"FROM mentions m JOIN files f ON f.rowid = m.file "
            f"WHERE m.key IN ({marks}) ORDER BY f.id",
            keys,
        )
        return [_mention(r) for r in rows]

    def mentions_in(self, dispatch_ids: Iterable[str]) -> list[Mention]:
        ids = list(dispatch_ids)
        out: list[Mention] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT f.id, m.surface, m.label, m.n, m.starts FROM mentions m JOIN files f "
                f"ON f.rowid = m.file WHERE f.id IN ({marks})",
                chunk,
            )
            out.extend(_mention(r) for r in rows)
        return out

    def surfaces(self, label: str) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute("SELECT DISTINCT surface FROM mentions WHERE label = ?", (label,))
        ]

    # -- full text -----------------------------------------------------------------------

    def fts_candidates(self, expression: str) -> list[tuple[str, str]]:
        """``(id, path)`` of live files matching an FTS5 expression, sorted by id."""
        rows = self.conn.execute(
            "SELECT f.id, f.path FROM files f WHERE f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?) "
            "ORDER BY f.id",
            (expression,),
        )
        return [(str(a), str(b)) for a, b in rows]

    def all_files(self) -> list[tuple[str, str]]:
        return [(str(a), str(b)) for a, b in self.conn.execute("SELECT id, path FROM files ORDER BY id")]

    def terms_ending(self, fragment: str, limit: int) -> list[str] | None:
        """Indexed words ending with ``fragment`` (lower case), or None if over ``limit``."""
        rev = fragment[::-1]
        rows = self.conn.execute(
            "SELECT term FROM terms WHERE rev >= ? AND rev < ? LIMIT ?", (rev, rev + "\U0010ffff", limit + 1)
        )
        terms = [str(r[0]) for r in rows]
        return None if len(terms) > limit else terms

    def terms_containing(self, fragment: str, limit: int) -> list[str] | None:
        """Indexed words containing ``fragment`` (lower case), or None if over ``limit``."""
        rows = self.conn.execute(
            "SELECT term FROM terms WHERE instr(term, ?) > 0 LIMIT ?", (fragment, limit + 1)
        )
        terms = [str(r[0]) for r in rows]
        return None if len(terms) > limit else terms

    # -- refreshing --------------------------------------------------------------------------

    def refresh(
        self,
        *,
        entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None = None,
        progress: Progress | None = None,
        jobs: int | None = None,
        status: Callable[[str], None] | None = None,
    ) -> ScanReport:
        """Bring the catalog up to date with the files under the roots.

        New and changed files are read (and, with ``entities_for=(backend, lexicon)``,
        recognized); files whose entities are stale are recognized again; rows of files that
        are gone are removed. Work is committed every :data:`BATCH` files. ``status`` hears
        of a step after the files that takes a while (building deferred indexes).
        """
        from reader.corpus import walk_corpus

        found, warnings = walk_corpus(self.roots)
        # Rows as SQLite gives them, keyed by path: built for every file on every command.
        known: dict[str, tuple[int, str, int, int, str]] = {
            row[1]: row for row in self.conn.execute("SELECT rowid, path, size, mtime_ns, ner_key FROM files")
        }
        # Files skipped for what they hold (binary, too large), as they were then: not read
        # again until they change.
        unreadable = {
            str(r[0]): (str(r[1]), int(r[2]), int(r[3]), str(r[4]))
            for r in self.conn.execute("SELECT path, id, size, mtime_ns, reason FROM unreadable")
        }
        still_unreadable: set[str] = set()
        ner_key = recognizer_key(*entities_for) if entities_for is not None else None
        todo: list[tuple[str, str]] = []
        entities_only: list[tuple[str, str]] = []
        seen_paths: set[str] = set()
        ids: dict[str, str] = {}
        stats: dict[str, tuple[str, int, int]] = {}
        for path, dispatch_id, size, mtime_ns in found:
            if dispatch_id in ids:
                warnings.append(f"{path}: skipped, id {dispatch_id!r} is already taken by {ids[dispatch_id]}")
                continue
            ids[dispatch_id] = path
            seen_paths.add(path)
            row = known.get(path)
            if row is None:
                bad = unreadable.get(path)
                if bad is not None and bad[:3] == (dispatch_id, size, mtime_ns):
                    warnings.append(bad[3])
                    still_unreadable.add(path)
                    continue
            if row is None or row[2] != size or row[3] != mtime_ns:
                todo.append((path, dispatch_id))
                stats[path] = (dispatch_id, size, mtime_ns)
            elif ner_key is not None and row[4] != ner_key:
                entities_only.append((path, dispatch_id))
        gone = [row[0] for p, row in known.items() if p not in seen_paths]
        changed = sum(1 for p, _ in todo if p in known)
        with self._transaction():
            self.conn.execute("DELETE FROM skipped")
            self.conn.executemany(
                "INSERT OR REPLACE INTO skipped(path, reason) VALUES (?, ?)",
                [(w.split(": ", 1)[0], w) for w in warnings],
            )
            self.conn.executemany(
                "DELETE FROM unreadable WHERE path = ?",
                [(p,) for p in unreadable if p not in still_unreadable],
            )
            self._remove_rows(gone)
        self._stats = stats
        work = todo + entities_only
        bulk = len(todo) > BULK_FILES
        previous_cache = int(self.conn.execute("PRAGMA cache_size").fetchone()[0]) if bulk else 0
        previous_checkpoint = int(self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) if bulk else 0
        # Only new files, at least as many as are catalogued: nothing the load does looks
        # rows up by the deferred indexes, and building them afresh costs less than inserting.
        load = bulk and not entities_only and changed == 0 and len(todo) >= len(known)
        if bulk:
            self._known_terms = {str(r[0]) for r in self.conn.execute("SELECT term FROM terms")}
            # A bulk build inserts into every index of a growing file: a larger page cache
            # spares fetching the same B-tree pages again (a tenth of the time at 25,000).
            self.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        if load:
            with self._transaction():
                for name in DEFERRED_INDEXES:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            report = self._process(todo, work, entities_for, ner_key, progress, jobs, changed, gone, warnings)
            if load:
                # Not on the way out of an interrupted load: the next open builds them.
                if status is not None:
                    status(f"building the catalog's indexes over {len(todo):,} dispatches")
                self._create_indexes()
            return report
        finally:
            self._known_terms = None
            self._stats = {}
            if bulk:
                self.conn.execute(f"PRAGMA cache_size = {previous_cache}")
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {previous_checkpoint}")

    def _create_indexes(self) -> None:
        """Create whatever the schema has that is missing (the deferred indexes)."""
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip().startswith("CREATE INDEX"):
                    self.conn.execute(statement)

    def indexes(self) -> set[str]:
        """Names of the catalog's own SQL indexes."""
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        return {str(r[0]) for r in rows}

    def check_in_background(self) -> BackgroundCheck | None:
        """Start checking, in a second process, whether :meth:`refresh` would change
        anything, so the caller can answer from the catalog meanwhile (None: no second
        process here, other threads running, or an in-memory catalog; refresh instead)."""
        # fork() copies one thread; with others running it could copy a lock held mid-use.
        if str(self.path) == ":memory:" or not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        return BackgroundCheck(self.path, self.roots)

    def _process(
        self,
        todo: list[tuple[str, str]],
        work: list[tuple[str, str]],
        entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None,
        ner_key: str | None,
        progress: Progress | None,
        jobs: int | None,
        changed: int,
        gone: list[int],
        warnings: list[str],
    ) -> ScanReport:
        recognized = 0
        skipped = len(warnings)
        if work:
            total_bytes = 0
            done = 0
            body_paths = {p for p, _ in todo}
            for facts_batch in self._examine(work, entities_for, body_paths, jobs):
                with self._transaction():
                    for facts in facts_batch:
                        if isinstance(facts, str):
                            # A catalogued file that can no longer be read loses its row.
                            old = self.conn.execute(
                                "SELECT rowid FROM files WHERE path = ?", (facts.split(": ", 1)[0],)
                            ).fetchone()
                            if old is not None:
                                self._remove_rows([int(old[0])])
                            self._skip(facts)
                            self._remember_unreadable(facts)
                            skipped += 1
                            continue
                        self._store_facts(facts, ner_key, facts.path in body_paths)
                        total_bytes += facts.size
                        recognized += facts.entity_counts is not None
                done += len(facts_batch)
                if progress is not None:
                    progress(done, len(work), total_bytes)
        return ScanReport(len(todo) - changed, changed, len(gone), recognized, skipped)

    def put_text(
        self,
        dispatch_id: str,
        path: str,
        text: str,
        entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None = None,
    ) -> None:
        """Catalogue a text held in memory (a corpus that is not on disk, in tests or scripts)."""
        ner_key = recognizer_key(*entities_for) if entities_for is not None else None
        row = self.conn.execute("SELECT ner_key FROM files WHERE path = ?", (path,)).fetchone()
        if row is not None and (ner_key is None or str(row[0]) == ner_key):
            return
        facts = facts_from_text(path, dispatch_id, text, (), len(text.encode()), 0, entities_for)
        with self._transaction():
            self._store_facts(facts, ner_key, row is None)

    def refresh_one(self, path: str, dispatch_id: str) -> CatalogEntry | None:
        """Re-read one file now (it changed since it was catalogued); None if it is gone."""
        facts = examine(path, dispatch_id, None)
        with self._transaction():
            if isinstance(facts, str):
                row = self.conn.execute("SELECT rowid FROM files WHERE path = ?", (path,)).fetchone()
                if row is not None:
                    self._remove_rows([int(row[0])])
                self._skip(facts)
                return None
            self._store_facts(facts, None, True)
        return self.lookup(dispatch_id)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # An in-memory catalog's one connection serves every thread (Workspace.for_thread):
        # one transaction at a time on it, or a second BEGIN fails inside the first.
        with self._writing:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _remember_unreadable(self, reason: str) -> None:
        """Keep a skip that lasts as long as the file's content (NUL bytes, over the size
        limit) with the file's size and mtime, so the file is not read again unchanged."""
        if not any(mark in reason for mark in LASTING_SKIPS):
            return
        path = reason.split(": ", 1)[0]
        stat = self._stats.get(path)
        if stat is not None:
            self.conn.execute(
                "INSERT OR REPLACE INTO unreadable(path, id, size, mtime_ns, reason) VALUES (?, ?, ?, ?, ?)",
                (path, *stat, reason),
            )

    def _skip(self, reason: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO skipped(path, reason) VALUES (?, ?)", (reason.split(": ", 1)[0], reason)
        )

    def _remove_rows(self, rowids: list[int]) -> None:
        # Contentless FTS5 cannot delete without the old text: the old entries stay in the
        # index under a rowid no file will have again (AUTOINCREMENT), and every query joins
        # on files. `reader index --rebuild` clears them out.
        for i in range(0, len(rowids), 500):
            chunk = rowids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            self.conn.execute(f"DELETE FROM files WHERE rowid IN ({marks})", chunk)
            self.conn.execute(f"DELETE FROM mentions WHERE file IN ({marks})", chunk)
        if rowids:
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES ('dead_rows', ?) ON CONFLICT(key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value",
                (str(len(rowids)),),
            )

    def _store_facts(self, facts: FileFacts, ner_key: str | None, with_body: bool) -> None:
        row = self.conn.execute("SELECT rowid, sha256 FROM files WHERE path = ?", (facts.path,)).fetchone()
        clash = self.conn.execute(
            "SELECT rowid FROM files WHERE id = ? AND path != ?", (facts.id, facts.path)
        ).fetchone()
        if clash is not None:
            self._remove_rows([int(clash[0])])
        counts = json.dumps(facts.entity_counts or {}, sort_keys=True)
        total = sum((facts.entity_counts or {}).values())
        # Words are never removed: the table only widens a search, which texts confirm.
        # Stored first, whatever follows: the batch's later files may count on them.
        known = self._known_terms
        fresh = [t for t in facts.terms if t not in known] if known is not None else list(facts.terms)
        if known is not None:
            known.update(fresh)
        self.conn.executemany(
            "INSERT OR IGNORE INTO terms(term, rev) VALUES (?, ?)", [(t, t[::-1]) for t in fresh]
        )
        if row is not None and not with_body:
            rowid = int(row[0])
            if str(row[1]) != facts.sha256:
                return  # changed again since the scan: the next refresh redoes it
            self.conn.execute(
                "UPDATE files SET ner_key = ?, entity_counts = ?, entity_total = ? WHERE rowid = ?",
                (ner_key or "", counts, total, rowid),
            )
            self.conn.execute("DELETE FROM mentions WHERE file = ?", (rowid,))
        else:
            if row is not None:
                self._remove_rows([int(row[0])])
            cur = self.conn.execute(
                "INSERT INTO files(path, id, size, mtime_ns, sha256, title, source, place, date, words, "
                "warnings, ner_key, entity_counts, entity_total) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    facts.path,
                    facts.id,
                    facts.size,
                    facts.mtime_ns,
                    facts.sha256,
                    facts.title,
                    facts.source,
                    facts.place,
                    facts.date,
                    facts.words,
                    json.dumps(list(facts.warnings)),
                    ner_key if facts.entity_counts is not None and ner_key else "",
                    counts,
                    total,
                ),
            )
            rowid = int(cur.lastrowid or 0)
            self.conn.execute(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", (rowid, facts.title, facts.body)
            )
        if facts.entity_counts is not None:
            self.conn.executemany(
                "INSERT INTO mentions(file, key, surface, label, n, starts) VALUES (?,?,?,?,?,?)",
                [(rowid, *mention) for mention in facts.mentions],
            )

    def _examine(
        self,
        work: list[tuple[str, str]],
        entities_for: tuple[str, tuple[list[tuple[str, str]], list[str]]] | None,
        body_paths: set[str],
        jobs: int | None,
    ) -> Iterator[list[FileFacts | str]]:
        batches = [work[i : i + BATCH] for i in range(0, len(work), BATCH)]
        jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        spacy = entities_for is not None and entities_for[0].startswith("spacy:")
        if jobs <= 1 or len(work) < 2 * BATCH or spacy:
            for batch in batches:
                yield examine_batch(batch, entities_for, True)
            return
        executor = _pool(jobs)
        try:
            # Keep a few batches in flight: workers stay busy while this process writes.
            futures = []
            pending = iter(batches)
            for batch in pending:
                futures.append(executor.submit(examine_batch, batch, entities_for, True))
                if len(futures) >= jobs * 2:
                    break
            while futures:
                result = futures.pop(0).result()
                nxt = next(pending, None)
                if nxt is not None:
                    futures.append(executor.submit(examine_batch, nxt, entities_for, True))
                yield result
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    def dead_rows(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'dead_rows'").fetchone()
        return int(row[0]) if row else 0


LASTING_SKIPS = ("contains NUL bytes", "MB limit")
"""Skip reasons that hold as long as the file's content does (reader.corpus.decode,
reader.files.read_capped); other skips (no permission, vanished) are retried each refresh."""

CHECK_SHARES = 2
"""Processes that walk the corpus for :class:`BackgroundCheck` (the machines this is built
for have two cores or more)."""


def _row_digest(path: str, dispatch_id: str, size: int, mtime_ns: int) -> int:
    # Python's keyed string hash: the same in the forked children that compare (they share
    # the parent's key) and unknown to whoever names the files.
    return hash((path, dispatch_id, size, mtime_ns)) & ((1 << 64) - 1)


def disk_signature(roots: Sequence[str], part: tuple[int, int] = (0, 1)) -> tuple[int, int, list[str]]:
    """One share of the corpus walk, summarised: the files found, the sum of their rows'
    digests (path, id, size, mtime) modulo 2**64, and the warnings. Compared only within
    one process tree (:class:`BackgroundCheck`): the digest is keyed per run."""
    from reader.corpus import walk_corpus

    found, warnings = walk_corpus(roots, part)
    total = sum(_row_digest(*row) for row in found) % (1 << 64)
    return len(found), total, warnings


def catalog_signature(conn: sqlite3.Connection, part: tuple[int, int] = (0, 1)) -> tuple[int, int]:
    """The same summary of the rows the catalog lists (share ``k`` of ``n``: the rows whose
    rowid is ``k`` modulo ``n``)."""
    count = total = 0
    share, shares = part
    for table in ("files", "unreadable"):  # a file kept as unreadable is known as it is
        rows = conn.execute(
            f"SELECT path, id, size, mtime_ns FROM {table} WHERE rowid % ? = ?", (shares, share)
        )
        for path, dispatch_id, size, mtime_ns in rows:
            count += 1
            total += _row_digest(str(path), str(dispatch_id), int(size), int(mtime_ns))
    return count, total % (1 << 64)


class BackgroundCheck:
    """Whether a refresh would change anything, found by forked child processes while the
    caller works on the catalog as it stands.

    :data:`CHECK_SHARES` children each walk a share of the corpus (one root: see
    :func:`reader.corpus.walk_corpus`; several roots are walked whole by one child, so an id
    taken twice across them is seen) and sums a share of the catalog's rows over its own
    read-only connection (the first also reads the skips). The catalog agrees when the
    files found and the rows listed have the same count and the same sum of digests, and
    the warnings are the skips it keeps: any file new, changed (size or mtime), moved or
    gone, or any new warning, disagrees.
    Each child answers one JSON line on a pipe and exits without returning to the caller."""

    def __init__(self, path: Path, roots: Sequence[str]) -> None:
        shares = CHECK_SHARES if len(roots) == 1 else 1
        self._children: list[tuple[int, int]] = []
        for share in range(shares):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child
                code = 1
                try:
                    os.close(read_end)
                    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"
                    conn = sqlite3.connect(uri, uri=True, timeout=Catalog.busy_seconds)
                    count, total = catalog_signature(conn, (share, shares))
                    # The walk's own warnings; skips of unreadable files are counted as files.
                    query = "SELECT reason FROM skipped WHERE path NOT IN (SELECT path FROM unreadable)"
                    skipped = [str(r[0]) for r in conn.execute(query)] if share == 0 else []
                    conn.close()
                    answer = {"catalog": [count, str(total), skipped]}
                    count, total, warnings = disk_signature(roots, (share, shares))
                    answer["disk"] = [count, str(total), warnings]
                    with os.fdopen(write_end, "w", encoding="utf-8", errors="surrogatepass") as out:
                        out.write(json.dumps(answer))
                    code = 0
                except BaseException:  # noqa: BLE001, S110 - no answer means "refresh"
                    pass
                finally:
                    os._exit(code)
            os.close(write_end)
            self._children.append((pid, read_end))

    def agrees(self) -> bool:
        """True when the files are as catalogued; False when anything changed or the check
        could not run."""
        answers: list[dict[str, Any]] = []
        for pid, read_end in self._children:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            try:
                answers.append(json.loads(data.decode("utf-8", "surrogatepass")))
            except ValueError:
                answers.append({})
        if not answers or any("disk" not in a or "catalog" not in a for a in answers):
            return False

        def summed(side: str) -> tuple[int, int, set[str]]:
            count = sum(int(a[side][0]) for a in answers)
            digest = sum(int(a[side][1]) for a in answers) % (1 << 64)
            return count, digest, {str(w) for a in answers for w in a[side][2]}

        return summed("disk") == summed("catalog")


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class _Foreign(Exception):
    """The file is a SQLite database, but not a catalog this program can use."""


def _mention(row: tuple[object, ...]) -> Mention:
    did, surface, label, n, starts = row
    return Mention(
        str(did), str(surface), str(label), int(str(n)), tuple(int(s) for s in str(starts).split(",") if s)
    )


def _pool(jobs: int) -> Executor:
    import multiprocessing

    # spawn: a forked child would inherit this process's SQLite connection and threads.
    context = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start)


def _worker_start() -> None:
    import signal

    # Ctrl-C is the parent's to handle: it stops after the batch being written.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
