"""The one way in: settings, the corpus catalog, the annotation store and the recognizer.

The CLI and the app both open a :class:`Workspace`. Its corpus is an :class:`Archive`: rows
from the catalog, texts read one file at a time when asked for. Answers are never taken from
a stale row: opening a workspace rescans the roots (a ``stat`` per file; new, changed, moved
and deleted files are redone alone), and reading a dispatch compares the file with its row.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

from reader.catalog import Catalog, CatalogEntry, Progress, ScanReport, default_catalog_path, recognizer_key
from reader.corpus import read_dispatch, read_text_and_bytes
from reader.errors import ReaderError, UsageError
from reader.models import Dispatch
from reader.search import Hit, candidates, compile_query, hits_in_text

T = TypeVar("T")

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.corpus import DispatchSource
    from reader.store import AnnotationStore

Lexicon = tuple[list[tuple[str, str]], list[str]]


def resolve_id(
    dispatch_id: str, exact: Callable[[str], bool], prefixed: Callable[[str], list[str]], where: str
) -> str:
    """The one dispatch-id resolver: an exact id, else a unique prefix.

    Raises:
        UsageError: unknown or ambiguous, naming the candidates.
    """
    if dispatch_id and exact(dispatch_id):
        return dispatch_id
    matches = prefixed(dispatch_id) if dispatch_id else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(matches[:5]) + (", …" if len(matches) > 5 else "")
        raise UsageError(f"dispatch id {dispatch_id!r} is ambiguous: {shown}")
    raise UsageError(f"no dispatch {dispatch_id!r} in {where}; `reader list` shows the ids")


class PagedEntries(Sequence[CatalogEntry]):
    """Catalog rows in id order, read a page at a time as they are asked for. Main thread
    only, like the catalog connection it reads."""

    PAGE = 256

    def __init__(self, catalog: Catalog, ner_key: str, count: int) -> None:
        self.catalog = catalog
        self.ner_key = ner_key
        self._count = count
        self._pages: dict[int, list[CatalogEntry]] = {}

    def __len__(self) -> int:
        return self._count

    def _at(self, index: int) -> CatalogEntry:
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        page = self._pages.get(index // self.PAGE)
        if page is None:
            page = self.catalog.entries(self.ner_key, offset=index // self.PAGE * self.PAGE, limit=self.PAGE)
            self._pages[index // self.PAGE] = page
        if index % self.PAGE >= len(page):  # the catalog shrank since it was counted
            raise IndexError(index)
        return page[index % self.PAGE]

    @overload
    def __getitem__(self, index: int) -> CatalogEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[CatalogEntry]: ...
    def __getitem__(self, index: int | slice) -> CatalogEntry | list[CatalogEntry]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(self._count))]
        return self._at(index)


@dataclass
class Archive:
    """A corpus over the catalog: metadata from rows, texts read on demand."""

    catalog: Catalog
    roots: tuple[str, ...]
    ner_key: str = ""
    _entries: list[CatalogEntry] | None = field(default=None, repr=False)
    _positions: dict[str, int] | None = field(default=None, repr=False)
    generation: int = 0
    """Counts :meth:`forget_rows`: rows read elsewhere are adopted only if none came between."""

    # -- rows ----------------------------------------------------------------------------

    @property
    def entries(self) -> list[CatalogEntry]:
        if self._entries is None:
            self._entries = self.catalog.entries(self.ner_key)
        return self._entries

    def entries_by_id(self) -> Sequence[CatalogEntry]:
        """The rows in id order: the loaded list, or, before anything needed them all, a
        sequence that reads only the pages shown (a library of 100,000 paints from the
        first page instead of waiting for every row)."""
        if self._entries is not None:
            return self._entries
        return PagedEntries(self.catalog, self.ner_key, self.catalog.count())

    def warning_count(self) -> int:
        """As ``len(self.warnings)``, counted by the catalog."""
        return self.catalog.warning_count()

    @property
    def rows_loaded(self) -> bool:
        return self._entries is not None

    def adopt_rows(self, rows: list[CatalogEntry], generation: int) -> None:
        """Take rows another thread read from its own connection (a worker, so the UI never
        waits for 100,000 of them), unless the rows were forgotten since it began."""
        if self._entries is None and generation == self.generation:
            self._entries = rows

    def forget_rows(self) -> None:
        self._entries = None
        self._positions = None
        self.generation += 1

    @property
    def warnings(self) -> list[str]:
        out = self.catalog.skipped()
        for e in self.entries:
            out.extend(e.warnings)
        return out

    def __len__(self) -> int:
        return len(self.entries) if self._entries is not None else self.catalog.count()

    def __contains__(self, dispatch_id: object) -> bool:
        return isinstance(dispatch_id, str) and self.catalog.lookup(dispatch_id) is not None

    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def index_of(self, dispatch_id: str) -> int:
        if self._positions is None:
            self._positions = {e.id: i for i, e in enumerate(self.entries)}
        return self._positions[dispatch_id]

    def id_at(self, index: int) -> str:
        return self.entries[index].id

    def resolve(self, dispatch_id: str) -> str:
        return resolve_id(
            dispatch_id,
            lambda i: self.catalog.lookup(i) is not None,
            lambda p: self.catalog.ids_with_prefix(p, 50),
            ", ".join(self.roots) or "the corpus",
        )

    # -- texts ---------------------------------------------------------------------------

    def load(self, entry: CatalogEntry) -> Dispatch:
        """Read one dispatch; a file that changed since its row was written is re-catalogued."""
        dispatch = read_dispatch(Path(entry.path), entry.id)
        if dispatch.sha256 != entry.sha256:
            self.catalog.refresh_one(entry.path, entry.id)
            self.forget_rows()
        return dispatch

    def require(self, dispatch_id: str) -> Dispatch:
        entry = self.catalog.lookup(self.resolve(dispatch_id))
        if entry is None:  # pragma: no cover - resolve() found it a moment ago
            raise UsageError(f"no dispatch {dispatch_id!r}")
        return self.load(entry)

    def by_sha256(self, sha256: str) -> Dispatch | None:
        dispatch_id = self.catalog.id_of_sha256(sha256)
        return None if dispatch_id is None else self.get(dispatch_id)

    def get(self, dispatch_id: str) -> Dispatch | None:
        entry = self.catalog.lookup(dispatch_id)
        if entry is None:
            return None
        try:
            return self.load(entry)
        except ReaderError:
            return None

    def __iter__(self) -> Iterator[Dispatch]:
        """Every dispatch, read one at a time (files that cannot be read are left out)."""
        for entry in list(self.entries):
            try:
                yield self.load(entry)
            except ReaderError:
                continue

    # -- search ----------------------------------------------------------------------------

    def search(
        self, query: str, *, regex: bool = False, case: bool = False, limit: int | None = None
    ) -> Iterator[Hit]:
        """Hits in id order, streamed: the index narrows, each candidate is read and matched."""
        if not query:
            return
        pattern = compile_query(query, regex=regex, case=case)
        found = 0
        for dispatch_id, path in candidates(self.catalog, query, regex=regex):
            try:
                text, encoded = read_text_and_bytes(path)
            except ReaderError:
                continue
            left = None if limit is None else limit - found
            for hit in hits_in_text(dispatch_id, text, pattern, left, encoded):
                found += 1
                yield hit
            if limit is not None and found >= limit:
                return

    def search_counted(
        self, query: str, *, regex: bool = False, case: bool = False, shown: int = 20
    ) -> tuple[list[Hit], int, int]:
        """The first ``shown`` hits of :meth:`search`, and how many hits and dispatches
        there are in all. Past the hits shown, matches are counted: no hit is built, and no
        text is kept alive by one (a common phrase matches a third of an archive)."""
        hits: list[Hit] = []
        total = dispatches = 0
        if not query:
            return hits, total, dispatches
        pattern = compile_query(query, regex=regex, case=case)
        for dispatch_id, path in candidates(self.catalog, query, regex=regex):
            try:
                text, encoded = read_text_and_bytes(path)
            except ReaderError:
                continue
            if len(hits) < shown:
                found = hits_in_text(dispatch_id, text, pattern, None, encoded)
                hits.extend(found[: shown - len(hits)])
                counted = len(found)
            else:
                counted = pattern.count(text, encoded)
            total += counted
            dispatches += counted > 0
        return hits, total, dispatches

    def candidates_for(self, quote: str) -> list[Dispatch]:
        """The dispatches that may contain ``quote`` (any case), read from disk."""
        out: list[Dispatch] = []
        for dispatch_id, path in candidates(self.catalog, quote, regex=False):
            try:
                out.append(read_dispatch(Path(path), dispatch_id))
            except ReaderError:
                continue
        return out

    def matching_ids(self, query: str, *, regex: bool = False, case: bool = False) -> Iterator[str]:
        """Ids of the dispatches whose title or text holds ``query`` (the library filter)."""
        if not query:
            return
        pattern = compile_query(query, regex=regex, case=case)
        titles: dict[str, str] | None = None
        for dispatch_id, path in candidates(self.catalog, query, regex=regex):
            try:
                text, encoded = read_text_and_bytes(path)
            except ReaderError:
                continue
            if pattern.search(text, encoded):
                yield dispatch_id
                continue
            if titles is None:
                titles = {e.id: e.title for e in self.entries}
            if pattern.search(titles.get(dispatch_id, "")):
                yield dispatch_id


@dataclass
class Workspace:
    """Settings, catalog, corpus and (opened on demand) the annotation store."""

    settings: Settings
    catalog: Catalog
    corpus: DispatchSource
    notices: list[str] = field(default_factory=list)
    last_scan: ScanReport = field(default_factory=ScanReport)
    progress: Callable[[], Progress | None] | None = None
    """Makes the progress display of a refresh that has real work to do."""

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        scan: bool = True,
        index_if_empty: bool = True,
        progress: Callable[[], Progress | None] | None = None,
    ) -> Workspace:
        """Open the catalog of the settings' corpus and bring it up to date (``scan``); an
        empty catalog is filled first (``index_if_empty``)."""
        for root in settings.corpus:
            if not os.path.exists(root):
                raise ReaderError(f"{root}: corpus not found (set --corpus or READER_CORPUS)")
        path = Path(settings.catalog) if settings.catalog else default_catalog_path(settings.corpus)
        notices: list[str] = []
        try:
            catalog = Catalog.open(path, settings.corpus)
        except ReaderError as exc:
            # A read-only home or cache: an in-memory catalog still answers, only slower.
            notices.append(f"{exc}; using a temporary catalog in memory")
            catalog = Catalog.open(":memory:", settings.corpus)
        notices.extend(catalog.notices)
        archive = Archive(catalog, tuple(settings.corpus))
        ws = cls(settings, catalog, archive, notices, progress=progress)
        if scan and catalog.count():
            # The files are compared with the catalog by processes that only read; the
            # refresh (which writes) runs only when something changed.
            check = catalog.check_in_background()
            if check is not None and check.agrees():
                return ws
        if scan or (index_if_empty and catalog.count() == 0):
            ws.refresh(progress=progress() if progress else None)
        return ws

    def exactly(self, compute: Callable[[], T]) -> T:
        """``compute()`` as it would be after a refresh, without waiting for one first.

        For a workspace opened with ``scan=False``: a second process walks the corpus and
        compares it with the catalog while ``compute`` runs on the catalog as it stands. When
        the files are as catalogued (the usual case) that answer stands; when anything
        changed (a file new, edited, moved or gone), the catalog is refreshed and ``compute``
        runs again, so no answer ever comes from a stale row. Where there is no second
        process (no ``fork``, an in-memory catalog), it refreshes first."""
        check = self.catalog.check_in_background() if self.catalog.count() else None
        if check is None:
            self.refresh(progress=self.progress() if self.progress else None)
            return compute()
        try:
            result = compute()
        except Exception:
            if check.agrees():
                raise
        else:
            if check.agrees():
                return result
        self.refresh(progress=self.progress() if self.progress else None)
        return compute()

    @classmethod
    def from_corpus(cls, settings: Settings, corpus: DispatchSource) -> Workspace:
        """A workspace over a corpus held in memory, with a catalog in memory."""
        catalog = Catalog.open(":memory:", corpus.roots)
        for d in corpus:
            catalog.put_text(d.id, d.path or d.id, d.text)
        return cls(settings, catalog, corpus)

    def ensure_entities(self, lexicon: Lexicon, progress: Progress | None = None) -> str:
        """Recognize whatever the catalog has not with this backend and lexicon; the key."""
        key = self.entity_key(lexicon)
        if self.catalog.pending_entities(key):
            if isinstance(self.corpus, Archive):
                self.refresh(entities=True, lexicon=lexicon, progress=progress)
            else:
                for d in self.corpus:
                    self.catalog.put_text(d.id, d.path or d.id, d.text, (self.backend, lexicon))
        if isinstance(self.corpus, Archive):
            self.corpus.ner_key = key
            self.corpus.forget_rows()
        return key

    def refresh(
        self, *, entities: bool = False, lexicon: Lexicon | None = None, progress: Progress | None = None
    ) -> ScanReport:
        """Rescan the roots; with ``entities``, also recognize whatever is not current."""
        entities_for = (self.backend, lexicon if lexicon is not None else ([], [])) if entities else None
        try:
            status = None if progress is None else (lambda line: print(f"reader: {line}", file=sys.stderr))
            self.last_scan = self.catalog.refresh(entities_for=entities_for, progress=progress, status=status)
        except KeyboardInterrupt:
            raise
        if isinstance(self.corpus, Archive):
            self.corpus.forget_rows()
        return self.last_scan

    @property
    def backend(self) -> str:
        from reader.recognizer import backend_for

        return backend_for(self.settings)

    def entity_key(self, lexicon: Lexicon) -> str:
        return recognizer_key(self.backend, lexicon)

    def open_store(self, *, readonly: bool = False) -> AnnotationStore:
        from reader.store import AnnotationStore

        return AnnotationStore.open(
            self.settings.db, corpus=self.corpus, annotator=self.settings.annotator, readonly=readonly
        )

    def for_thread(self) -> Workspace:
        """A workspace a worker thread can use: its own connection to the same catalog."""
        if str(self.catalog.path) == ":memory:" or not isinstance(self.corpus, Archive):
            return self  # one connection, opened for use from any thread
        catalog = Catalog.open(self.catalog.path, self.catalog.roots)
        return Workspace(self.settings, catalog, Archive(catalog, self.corpus.roots, self.corpus.ner_key))

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stderr_progress(label: str) -> Progress | None:
    """A Rich progress bar on stderr (files, MB/s, ETA) when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import (
        Progress as RichProgress,
    )

    bar = RichProgress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    state: dict[str, object] = {}

    def show(done: int, total: int, nbytes: int) -> None:
        import time

        if "task" not in state:
            bar.start()
            state["task"] = bar.add_task(label, total=total, rate="")
            state["t0"] = time.perf_counter()
        seconds = max(1e-6, time.perf_counter() - float(str(state["t0"])))
        bar.update(state["task"], completed=done, total=total, rate=f"{nbytes / seconds / 1e6:.1f} MB/s")  # type: ignore[arg-type]
        if done >= total:
            bar.stop()

    return show
