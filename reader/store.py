"""AnnotationStore: crash-safe, multi-process annotation storage over TinyDB.

The only module that touches TinyDB. Design (see README, "Where files live"):

* ``annotations.json`` is a plain TinyDB file with one table per dispatch
  (``dispatch:<id>``) plus ``_meta``; ``TinyDB("annotations.json")`` opens it.
* In memory the records live in a TinyDB over :class:`MemoryStorage`, so a write touches
  one small per-dispatch table, never the whole file.
* Every write first appends one line to ``annotations.json.journal`` and fsyncs it: when
  ``add()`` returns, the annotation survives SIGKILL or power loss. Journal lines carry whole
  records (put) or ids (delete), so replaying them is idempotent.
* A checkpoint writes the whole state to a temp file, fsyncs, ``os.replace``\\ s it over
  ``annotations.json`` and only then empties the journal; it runs on close and every
  ``checkpoint_every`` writes. Open replays the journal on top of the file.
* A lock file (``annotations.json.lock``, ``flock``) serialises writers across processes;
  each write re-reads what other processes appended before writing its own line.
* A file that is not JSON, or not shaped like a store, is never written to: opening raises
  :class:`ReaderError` naming the file and the problem.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import stat
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, cast

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from reader.anchor import check_span, context
from reader.errors import ReaderError
from reader.models import Annotation

try:  # POSIX; on other systems writers are not serialised across processes.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 1
FORMAT_NAME = "dispatch-reader"
TABLE_PREFIX = "dispatch:"
META_TABLE = "_meta"
LEXICON_TABLE = "_lexicon"
REQUIRED_FIELDS = ("id", "dispatch_id", "start", "end", "tag", "quote")
FIELDS = (
    "id",
    "dispatch_id",
    "dispatch_sha256",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "tag",
    "note",
    "annotator",
    "created",
    "updated",
    "schema",
)

Record = Annotation
"""A stored annotation (see :class:`reader.models.Annotation`)."""
Row = dict[str, Any]
"""A journal operation or a side-table row."""


class TextSource(Protocol):
    """What the store needs of a dispatch: its id, normalised text and sha256."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def sha256(self) -> str: ...


class DispatchLookup(Protocol):
    def require(self, dispatch_id: str) -> TextSource: ...


def utc_now() -> str:
    """The current time as UTC ISO-8601 with milliseconds, e.g. ``2026-11-23T16:29:00.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def make_record(
    dispatch: TextSource,
    start: int,
    end: int,
    tag: str,
    note: str = "",
    annotator: str = "",
    *,
    record_id: str | None = None,
    now: str | None = None,
) -> Record:
    """A validated annotation record for ``[start, end)`` of ``dispatch``.

    Raises:
        ReaderError: the span is empty or outside the text, or the tag is empty.
    """
    check_span(len(dispatch.text), start, end, dispatch.id)
    tag = tag.strip()
    if not tag:
        raise ReaderError("the tag must not be empty")
    prefix, quote, suffix = context(dispatch.text, start, end)
    now = now or utc_now()
    return {
        "id": record_id or str(uuid.uuid4()),
        "dispatch_id": dispatch.id,
        "dispatch_sha256": dispatch.sha256,
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "tag": tag,
        "note": note,
        "annotator": annotator or default_annotator(),
        "created": now,
        "updated": now,
        "schema": SCHEMA_VERSION,
    }


MAX_TEXT_FIELD = 1_000_000
"""Characters a quote or note may hold."""
MAX_SHORT_FIELD = 1_000
"""Characters an id, tag, annotator or timestamp may hold."""
MAX_OFFSET = 1 << 31
MAX_SOURCES = 1_000
"""Records a curated annotation may name as its sources."""
_STRING_FIELDS = {
    "id": MAX_SHORT_FIELD,
    "dispatch_id": 4096,
    "dispatch_sha256": 128,
    "quote": MAX_TEXT_FIELD,
    "prefix": 1024,
    "suffix": 1024,
    "tag": 200,
    "note": MAX_TEXT_FIELD,
    "annotator": MAX_SHORT_FIELD,
    "created": 64,
    "updated": 64,
}


def _valid_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_STRING_ITEMS = tuple(_STRING_FIELDS.items())
_ABSENT = object()


def _shown_id(rid: object) -> str:
    return repr(rid[:40]) if isinstance(rid, str) else "?"


def _string_problem(value: object, field_name: str, cap: int, where: str) -> None:
    if not isinstance(value, str):
        raise ReaderError(f"{where}: {field_name} must be text, not {type(value).__name__}")
    if len(value) > cap:
        raise ReaderError(f"{where}: {field_name} is over {cap:,} characters")
    raise ReaderError(f"{where}: {field_name} holds invalid Unicode (a lone surrogate)")


def check_record(record: object, where: str) -> Record:
    """Check a record at a boundary (store file, journal, import, a write): one schema.

    Types, ranges and lengths: offsets are integers (not booleans) with ``0 <= start < end``
    below 2**31; text fields are strings of valid Unicode within their caps; the tag is not
    blank. Raises :class:`ReaderError` naming ``where`` and the record.
    """
    if not isinstance(record, dict):
        raise ReaderError(f"{where}: a record is not a JSON object")
    missing = [f for f in REQUIRED_FIELDS if f not in record]
    if missing:
        rid = record.get("id", "?")
        shown = rid[:40] if isinstance(rid, str) else "?"
        raise ReaderError(f"{where}: record {shown!r} lacks {', '.join(missing)}")
    rid = record["id"]
    start, end = record["start"], record["end"]
    if not (
        type(start) is int and type(end) is int and 0 <= start < end <= MAX_OFFSET  # noqa: E721
    ):
        shown = f"{str(start)[:20]!r}..{str(end)[:20]!r}"
        raise ReaderError(f"{where}: record {_shown_id(rid)} has bad offsets {shown}")
    for field_name, cap in _STRING_ITEMS:
        value = record.get(field_name, _ABSENT)
        if value is _ABSENT:
            continue
        # One test for the common case; the exact problem is worked out only when there is one.
        if type(value) is not str or len(value) > cap or not (value.isascii() or _valid_unicode(value)):
            _string_problem(value, field_name, cap, f"{where}: record {_shown_id(rid)}")
    name = _shown_id(rid)
    sources = record.get("sources")
    if sources is not None and not (
        isinstance(sources, list)
        and len(sources) <= MAX_SOURCES
        and all(isinstance(s, str) and 0 < len(s) <= MAX_SHORT_FIELD and _valid_unicode(s) for s in sources)
    ):
        raise ReaderError(f"{where}: record {name}: sources must be a list of up to {MAX_SOURCES} record ids")
    if not record["tag"].strip():
        raise ReaderError(f"{where}: record {name} has an empty tag")
    if not rid.strip():
        raise ReaderError(f"{where}: a record has an empty id")
    return cast(Annotation, record)


def check_op(op: object, where: str) -> Row:
    """Check one journal entry (and the records in it) before it is replayed."""
    if not isinstance(op, dict):
        raise ReaderError(f"{where}: not a journal entry (a JSON object was expected)")
    kind = op.get("op")
    if kind == "batch":
        ops = op.get("ops")
        if not isinstance(ops, list):
            raise ReaderError(f"{where}: a batch without a list of operations")
        for inner in ops:
            check_op(inner, where)
    elif kind == "put":
        check_record(op.get("r"), where)
    elif kind == "del":
        if not isinstance(op.get("id"), str):
            raise ReaderError(f"{where}: a delete without an annotation id")
    elif kind in ("row", "rowdel"):
        if not (isinstance(op.get("t"), str) and op["t"].startswith("_") and isinstance(op.get("k"), str)):
            raise ReaderError(f"{where}: a side-table entry without a table name and key")
        if kind == "row" and not isinstance(op.get("r"), dict):
            raise ReaderError(f"{where}: a side-table entry without a row")
    else:
        raise ReaderError(f"{where}: unknown journal operation {str(kind)[:20]!r}")
    return op


@dataclass
class _FileState:
    """What this process last saw on disk, to notice other processes' writes cheaply."""

    main_sig: tuple[int, int, int] | None = None
    journal_pos: int = 0


class AnnotationStore:
    """Annotations of a corpus, durable on return of every write. See the module docstring."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        *,
        corpus: DispatchLookup | None = None,
        annotator: str = "",
        readonly: bool = False,
        checkpoint_every: int = 2000,
        lock_timeout: float = 10.0,
    ) -> None:
        # A store path that is a symlink is resolved and written through: one store, not two.
        self.path = Path(os.path.realpath(path)) if path is not None else None
        self.corpus = corpus
        self.annotator = annotator or default_annotator()
        self.readonly = readonly
        self.checkpoint_every = checkpoint_every
        self.lock_timeout = lock_timeout
        self._db = TinyDB(storage=MemoryStorage)
        self._where: dict[str, tuple[str, int]] = {}
        self._state = _FileState()
        self._writes_since_checkpoint = 0
        self._lock_fd: int | None = None
        self._session_fd: int | None = None
        self._lock_depth = 0
        self._closed = False
        if self.path is not None:
            self.journal_path = self.path.with_name(self.path.name + ".journal")
            self.lock_path = self.path.with_name(self.path.name + ".lock")
            if not self.readonly and not os.access(self.path.parent or ".", os.W_OK):
                self.readonly = True
            with self._locked():
                self._remove_stale_temp_files()
                self._sync(force=True)

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        corpus: DispatchLookup | None = None,
        annotator: str = "",
        readonly: bool = False,
        checkpoint_every: int = 2000,
        lock_timeout: float = 10.0,
    ) -> AnnotationStore:
        """Open (or create on first write) the store at ``path``; usable as a context manager.

        Raises:
            ReaderError: the file is not a store (it is left untouched), or is locked too long.
        """
        return cls(
            path,
            corpus=corpus,
            annotator=annotator,
            readonly=readonly,
            checkpoint_every=checkpoint_every,
            lock_timeout=lock_timeout,
        )

    @classmethod
    def in_memory(cls, *, corpus: DispatchLookup | None = None, annotator: str = "") -> AnnotationStore:
        """A store with no file, for tests and dry runs."""
        return cls(None, corpus=corpus, annotator=annotator)

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Checkpoint pending writes into the main file and release the lock file."""
        if self._closed:
            return
        self._closed = True
        if self.path is not None and not self.readonly and self._journal_size() > 0:
            with self._locked():
                self._sync()
                self._checkpoint_locked()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._session_fd is not None:
            os.close(self._session_fd)
            self._session_fd = None

    def claim_session(self) -> bool:
        """Claim the store for one interactive session (the app); ``False`` if another has it.

        CLI commands do not claim it: they and the app interleave safely through the write
        lock. A second app finding the claim taken should open read-only.
        """
        if self.path is None or fcntl is None:
            return True
        session = self.path.with_name(self.path.name + ".session")
        try:
            fd = os.open(session, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._session_fd = fd
        return True

    # -- reading ---------------------------------------------------------------------------

    def get(self, annotation_id: str) -> Record | None:
        self.refresh()
        where = self._where.get(annotation_id)
        if where is None:
            return None
        doc = self._db.table(TABLE_PREFIX + where[0]).get(doc_id=where[1])
        return cast(Record, dict(doc)) if isinstance(doc, Mapping) else None

    def for_dispatch(self, dispatch_id: str) -> list[Record]:
        """This dispatch's annotations, sorted by position."""
        self.refresh()
        name = TABLE_PREFIX + dispatch_id
        if name not in self._table_names():
            return []
        rows = [cast(Record, dict(doc)) for doc in self._db.table(name).all()]
        rows.sort(key=lambda r: (r["start"], r["end"], r["created"] if "created" in r else ""))
        return rows

    def all(self) -> list[Record]:
        """Every annotation, grouped by dispatch id and sorted by position."""
        self.refresh()
        rows: list[Record] = []
        for name in sorted(self._table_names()):
            if name.startswith(TABLE_PREFIX):
                rows.extend(self.for_dispatch(name[len(TABLE_PREFIX) :]))
        return rows

    def scan(self) -> Iterator[Mapping[str, Any]]:
        """Every annotation as stored, unsorted and uncopied: for reading only (agreement over
        hundreds of thousands of records), never to be changed by the caller."""
        self.refresh()
        for name in self._table_names():
            if name.startswith(TABLE_PREFIX):
                yield from self._db.table(name).all()

    def dispatch_ids(self) -> list[str]:
        """Ids of the dispatches that have annotations."""
        return sorted(self.counts())

    def count(self, dispatch_id: str | None = None) -> int:
        self.refresh()
        if dispatch_id is None:
            return len(self._where)
        name = TABLE_PREFIX + dispatch_id
        return len(self._db.table(name)) if name in self._table_names() else 0

    def counts(self) -> dict[str, int]:
        """Annotations per dispatch id."""
        self.refresh()
        out: dict[str, int] = {}
        for dispatch_id, _ in self._where.values():
            out[dispatch_id] = out.get(dispatch_id, 0) + 1
        return out

    def counts_by_annotator(self) -> dict[str, dict[str, int]]:
        """Annotations per dispatch id, for each annotator."""
        self.refresh()
        out: dict[str, dict[str, int]] = {}
        for name in self._table_names():
            if name.startswith(TABLE_PREFIX):
                dispatch_id = name[len(TABLE_PREFIX) :]
                for doc in self._db.table(name).all():
                    per = out.setdefault(str(doc.get("annotator", "")), {})
                    per[dispatch_id] = per.get(dispatch_id, 0) + 1
        return out

    def __len__(self) -> int:
        return self.count()

    def refresh(self) -> None:
        """Pick up what other processes wrote since we last looked (two stat calls if nothing)."""
        if self.path is None or self._lock_depth:
            return
        if self._main_sig() != self._state.main_sig or self._journal_size() != self._state.journal_pos:
            with self._locked():
                self._sync()

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        dispatch: TextSource | str,
        start: int,
        end: int,
        tag: str,
        note: str = "",
        *,
        annotator: str = "",
    ) -> Record:
        """Add an annotation of ``[start, end)``; durable when this returns.

        ``dispatch`` is a dispatch or, when the store was opened with a corpus, its id.
        """
        source = self._resolve(dispatch)
        record = make_record(source, start, end, tag, note, annotator or self.annotator)
        self._write([{"op": "put", "r": record}])
        return record.copy()

    def put(self, record: Record) -> Record:
        """Store a whole record as is (import, undo); replaces one with the same id."""
        check_record(record, "record")
        self._write([{"op": "put", "r": record.copy()}])
        return record.copy()

    def put_many(self, records: Iterable[Record]) -> int:
        """Store many whole records as one durable operation: all of them or none."""
        ops: list[Row] = [{"op": "put", "r": check_record(r, "record").copy()} for r in records]
        if ops:
            self._write(ops)
        return len(ops)

    def update(self, annotation_id: str, **changes: Any) -> Record:
        """Change ``tag``, ``note``, offsets (``start``/``end``, re-quoted) or other fields."""
        current = self.get(annotation_id)
        if current is None:
            raise ReaderError(f"no annotation with id {annotation_id!r}")
        record: Row = dict(current)
        unknown = set(changes) - set(FIELDS) - {"anchor"}
        if unknown:
            raise ReaderError(f"cannot update unknown field(s): {', '.join(sorted(unknown))}")
        if "tag" in changes:
            changes["tag"] = str(changes["tag"]).strip()
            if not changes["tag"]:
                raise ReaderError("the tag must not be empty")
        record.update(changes)
        if "start" in changes or "end" in changes:
            source = self._resolve(record["dispatch_id"])
            fresh = make_record(source, record["start"], record["end"], record["tag"])
            for key in ("quote", "prefix", "suffix", "dispatch_sha256"):
                record[key] = fresh[key]
        record["updated"] = utc_now()
        checked = check_record(record, "update")
        self._write([{"op": "put", "r": checked}])
        return checked.copy()

    def remove(self, annotation_id: str) -> Record:
        """Delete one annotation; returns the record that was removed."""
        current = self.get(annotation_id)
        if current is None:
            raise ReaderError(f"no annotation with id {annotation_id!r}")
        self._write([{"op": "del", "id": annotation_id}])
        return current

    def remove_many(self, annotation_ids: Iterable[str]) -> int:
        # Read what other processes wrote first: an undo must see their records too.
        self.refresh()
        ids = [i for i in annotation_ids if i in self._where]
        if ids:
            self._write([{"op": "del", "id": i} for i in ids])
        return len(ids)

    # -- key/value tables beside the annotations (used by the entity lexicon) ---------------

    def table_rows(self, name: str) -> list[Row]:
        self.refresh()
        if name not in self._table_names():
            return []
        return [dict(doc) for doc in self._db.table(name).all()]

    def put_row(self, name: str, key: str, row: Row) -> None:
        """Upsert ``row`` under ``key`` in side table ``name`` (e.g. ``_lexicon``)."""
        self._write([{"op": "row", "t": name, "k": key, "r": dict(row, key=key)}])

    def delete_row(self, name: str, key: str) -> None:
        self._write([{"op": "rowdel", "t": name, "k": key}])

    # -- internals -------------------------------------------------------------------------

    def _resolve(self, dispatch: TextSource | str) -> TextSource:
        if not isinstance(dispatch, str):
            return dispatch
        if self.corpus is None:
            raise ReaderError("this store was opened without a corpus; pass the Dispatch itself")
        return self.corpus.require(dispatch)

    def _table_names(self) -> set[str]:
        memory = self._db.storage.read()
        return set(memory or {})

    def _write(self, ops: list[Row]) -> None:
        if self._closed:
            raise ReaderError("the annotation store is closed")
        if self.readonly:
            where = self.path or "the store"
            raise ReaderError(f"{where}: opened read-only, nothing was written")
        if self.path is None:
            for op in ops:
                self._apply(op)
            return
        for op in ops:
            check_op(op, "a write")
        line = json.dumps(
            ops[0] if len(ops) == 1 else {"op": "batch", "ops": ops}, ensure_ascii=False, allow_nan=False
        )
        data = (line + "\n").encode("utf-8")
        with self._locked():
            self._sync()
            try:
                fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o644)
            except OSError as exc:
                raise ReaderError(_io_problem(self.journal_path, exc, "nothing was written")) from None
            try:
                before = os.fstat(fd).st_size
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                except OSError as exc:
                    # Take back a partial line, so the next append does not run into it.
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, before)
                        os.fsync(fd)
                    raise ReaderError(_io_problem(self.journal_path, exc, "nothing was written")) from None
            finally:
                os.close(fd)
            if self._state.journal_pos == 0:
                with contextlib.suppress(OSError):
                    _fsync_dir(self.journal_path.parent)
            self._state.journal_pos += len(data)
            for op in ops:
                self._apply(op)
            self._writes_since_checkpoint += 1
            if self._writes_since_checkpoint >= self.checkpoint_every:
                # The write above is durable in the journal: a checkpoint that fails (disk
                # full, say) is tried again later and never undoes it.
                with contextlib.suppress(OSError, ReaderError):
                    self._checkpoint_locked()

    def checkpoint(self) -> None:
        """Fold the journal into the main file now (atomic replace)."""
        if self.path is None or self.readonly:
            return
        with self._locked():
            self._sync()
            self._checkpoint_locked()

    def _apply(self, op: Row) -> None:
        kind = op.get("op")
        if kind == "batch":
            for inner in op["ops"]:
                self._apply(inner)
        elif kind == "put":
            record = op["r"]
            self._delete(record["id"])
            table = self._db.table(TABLE_PREFIX + record["dispatch_id"])
            doc_id = table.insert(record)
            self._where[record["id"]] = (record["dispatch_id"], doc_id)
        elif kind == "del":
            self._delete(op["id"])
        elif kind == "row":
            table = self._db.table(op["t"])
            from tinydb import Query

            table.upsert(op["r"], Query().key == op["k"])
        elif kind == "rowdel":
            from tinydb import Query

            self._db.table(op["t"]).remove(Query().key == op["k"])
        else:
            raise ValueError(f"unknown journal operation {kind!r}")

    def _delete(self, annotation_id: str) -> None:
        where = self._where.pop(annotation_id, None)
        if where is not None:
            self._db.table(TABLE_PREFIX + where[0]).remove(doc_ids=[where[1]])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the inter-process lock (re-entrant within this object)."""
        if self.path is None or fcntl is None or self.readonly and not self.lock_path.exists():
            yield
            return
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if self._lock_fd is None:
            try:
                self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
            except OSError as exc:
                if self.readonly:
                    yield
                    return
                raise ReaderError(_io_problem(self.lock_path, exc, "nothing was written")) from None
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ReaderError(
                        f"{self.path}: another process has held the store for over "
                        f"{self.lock_timeout:g} s; nothing was written, try again"
                    ) from None
                time.sleep(0.005)
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _main_sig(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _journal_size(self) -> int:
        try:
            st = os.lstat(self.journal_path)
        except FileNotFoundError:
            return 0
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(
                f"{self.journal_path}: not a regular file (a symlink?); refusing to read or write "
                "through it; move it aside"
            )
        return st.st_size

    def _sync(self, force: bool = False) -> None:
        """Bring memory up to date with the files (caller holds the lock)."""
        sig = self._main_sig()
        size = self._journal_size()
        if force or sig != self._state.main_sig or size < self._state.journal_pos:
            self._load_main(sig)
            self._state.journal_pos = 0
        if size > self._state.journal_pos:
            self._replay_journal(size)

    def _load_main(self, sig: tuple[int, int, int] | None) -> None:
        assert self.path is not None
        data: dict[str, Any] = {}
        if sig is not None:
            try:
                raw = self.path.read_bytes()
            except PermissionError:
                raise ReaderError(f"{self.path}: no permission to read the annotation store") from None
            except IsADirectoryError:
                raise ReaderError(f"{self.path}: is a folder, not an annotation store") from None
            if raw.strip():
                data = parse_store_bytes(raw, str(self.path))
        self._db = TinyDB(storage=MemoryStorage)
        self._db.storage.write(data)
        self._where = {}
        for name, table in data.items():
            if name.startswith(TABLE_PREFIX):
                for doc_id, record in table.items():
                    self._where[record["id"]] = (name[len(TABLE_PREFIX) :], int(doc_id))
        self._state.main_sig = sig

    def _replay_journal(self, size: int) -> None:
        try:
            fd = os.open(self.journal_path, os.O_RDONLY | _NOFOLLOW)
        except OSError as exc:
            raise ReaderError(_io_problem(self.journal_path, exc, "the store was not opened")) from None
        with open(fd, "rb") as fh:
            fh.seek(self._state.journal_pos)
            chunk = fh.read(size - self._state.journal_pos)
        complete = chunk.rfind(b"\n") + 1
        for number, line in enumerate(chunk[:complete].splitlines(), 1):
            if not line.strip():
                continue
            where = f"{self.journal_path}, entry {number} after byte {self._state.journal_pos}"
            advice = (
                "the files were left untouched; `reader doctor` explains, and "
                "`reader doctor --salvage NEW_PATH` saves every good record"
            )
            try:
                op = check_op(json.loads(line, parse_constant=_no_constant), where)
            except ReaderError as exc:
                raise ReaderError(f"{exc}; {advice}") from None
            except (ValueError, RecursionError) as exc:
                raise ReaderError(f"{where}: damaged ({str(exc)[:80]}); {advice}") from None
            self._apply(op)
        self._state.journal_pos += complete
        if complete < len(chunk) and not self.readonly:
            # A torn last line from a writer killed mid-append; its add() never returned.
            fd = os.open(self.journal_path, os.O_WRONLY | _NOFOLLOW)
            try:
                os.ftruncate(fd, self._state.journal_pos)
                os.fsync(fd)
            finally:
                os.close(fd)

    def _checkpoint_locked(self) -> None:
        assert self.path is not None
        memory = self._db.storage.read() or {}
        snapshot = {name: table for name, table in memory.items() if table or name == "_default"}
        snapshot.setdefault("_default", {})
        snapshot[META_TABLE] = {"1": {"format": FORMAT_NAME, "schema": SCHEMA_VERSION}}
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            with open(fd, "w", encoding="utf-8") as fh:
                json.dump(snapshot, fh, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(self.path.parent)
        # The main file now holds every journalled write; replaying them again would be
        # harmless (puts and deletes are idempotent), so a crash right here loses nothing.
        if self._journal_size():
            fd = os.open(self.journal_path, os.O_WRONLY | _NOFOLLOW)
            try:
                os.ftruncate(fd, 0)
                os.fsync(fd)
            finally:
                os.close(fd)
        self._state.main_sig = self._main_sig()
        self._state.journal_pos = 0
        self._writes_since_checkpoint = 0

    def _remove_stale_temp_files(self) -> None:
        """Temp files of checkpoints that a crash interrupted (we hold the lock: none is live)."""
        assert self.path is not None
        if self.readonly:
            return
        for leftover in self.path.parent.glob(self.path.name + ".tmp-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def parse_store_bytes(raw: bytes, where: str) -> dict[str, Any]:
    """Parse and check the shape of a store file's bytes.

    Raises:
        ReaderError: not UTF-8 JSON, or not shaped like a dispatch-reader TinyDB file.
    """
    advice = "it was left untouched; `reader doctor` explains and can salvage it into a new file"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReaderError(f"{where}: not a text file, so not an annotation store; {advice}") from None
    except json.JSONDecodeError as exc:
        raise ReaderError(
            f"{where}: not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}); {advice}"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise ReaderError(f"{where}: JSON of another shape, not a TinyDB annotation store; {advice}")
    for name, table in data.items():
        if name.startswith("_"):
            # Side tables (_meta, _lexicon, _status, TinyDB's _default): rows of our own keeping.
            continue
        if not name.startswith(TABLE_PREFIX):
            raise ReaderError(f"{where}: unexpected table {name!r}, not a dispatch-reader store; {advice}")
        for doc_id, record in table.items():
            if not doc_id.isdigit():
                raise ReaderError(f"{where}: table {name!r} has a non-numeric key {doc_id!r}; {advice}")
            check_record(record, f"{where}, table {name!r}")
    return data


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _io_problem(path: Path, exc: OSError, outcome: str) -> str:
    """One line for a failed file operation: which file, what happened, what it means."""
    import errno

    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "no permission",
        errno.EPERM: "not permitted",
        errno.ELOOP: "it is a symlink, which the store refuses to follow",
        errno.ENOENT: "the folder vanished",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{path}: {reason}; {outcome}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
