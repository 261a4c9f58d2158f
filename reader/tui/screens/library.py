"""LibraryScreen: the table of dispatches; filter, sort, open."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from reader.corpus import Entry
from reader.errors import ReaderError
from reader.inert import inert, one_line
from reader.tui.screens.base import ReaderScreen
from reader.tui.widgets.dispatch_table import DispatchTable
from reader.workspace import Archive

if TYPE_CHECKING:
    from reader.catalog import CatalogEntry
    from reader.tui.app import ReaderApp

DEBOUNCE = 0.12
"""Seconds of quiet after a keystroke before the filter searches."""
FIRST_BATCH = 50
"""Matches sent to the table at once (more than a screenful); the rest follow by 500."""
COLUMNS = (
    # key, header, width (0: takes the rest), right-aligned
    ("title", "Title", 0, False),
    ("source", "Source", 10, False),
    ("date", "Date", 10, False),
    ("words", "Words", 6, True),
    ("entities", "Entities", 8, True),
    ("annotations", "Annotations", 11, True),
    ("status", "Status", 9, False),
)


class LazyRows(Sequence[list[str]]):
    """Table cells per entry, built on first access and kept (so in-place updates stick)."""

    def __init__(self, entries: Sequence[Entry], build: Callable[[Entry], tuple[list[str], str]]) -> None:
        self.entries = entries
        self.build = build
        self.cache: dict[int, tuple[list[str], str]] = {}
        self.classes = _Classes(self)

    def __len__(self) -> int:
        return len(self.entries)

    def row(self, index: int) -> tuple[list[str], str]:
        if index < 0:
            index += len(self.entries)
        found = self.cache.get(index)
        if found is None:
            found = self.cache[index] = self.build(self.entries[index])
        return found

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [self.row(i)[0] for i in range(*index.indices(len(self)))]
        return self.row(index)[0]


class _Classes(Sequence[str]):
    def __init__(self, rows: LazyRows) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self.rows.row(i)[1] for i in range(*index.indices(len(self)))]
        return self.rows.row(index)[1]


class LibraryScreen(ReaderScreen):
    """All dispatches of the corpus."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", show=True),
        Binding("o", "cycle_sort", "Sort", show=True),
        Binding("w", "warnings", "Warnings", show=True),
        Binding("r", "review", "Review", show=True),
        Binding("f", "corpus_search", "Find", show=True),
        Binding("s", "stats", "Stats", show=True),
        Binding("A", "agreement", "Agreement between annotators", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("question_mark", "help", "Help", show=True),
        Binding("q", "quit", "Quit", show=True),
    ]

    class EntityCounts(Message):
        """Entity counts computed off the main thread, ``{dispatch id: count}``."""

        def __init__(self, counts: dict[str, int]) -> None:
            super().__init__()
            self.counts = counts

    class CatalogChanged(Message):
        """The background rescan found new, changed or removed files."""

    class Matched(Message):
        """Library filter results, streamed: ids matching ``query`` so far."""

        def __init__(self, query: str, ids: list[str], done: bool, error: str = "") -> None:
            super().__init__()
            self.query = query
            self.ids = ids
            self.done = done
            self.error = error

    class RowsLoaded(Message):
        """Every catalog row, read by the filter's worker from its own connection."""

        def __init__(self, rows: list[CatalogEntry], generation: int) -> None:
            super().__init__()
            self.rows = rows
            self.generation = generation

    class Progress(Message):
        """A line for the title: background work under way (empty: finished)."""

        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "id"
        self.sort_reverse = False
        self.query_text = ""
        self.rows: Sequence[Entry] = []
        self._to_review = 0
        self._done: dict[str, int] = {}
        """Dispatches annotated, per annotator."""
        self._matched: set[str] | None = None
        """Ids matching the filter so far (None: no filter)."""
        self._filter_error = ""
        self._busy = ""
        self._debounce: Timer | None = None
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(placeholder="filter titles and text…", id="library-filter")
        yield DispatchTable(COLUMNS, id="library-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DispatchTable)
        self.query_one("#library-filter").display = False
        self.refill()
        table.focus()
        # The table paints first; what only fills in details starts once that frame is out.
        # The rescan is a thread that stats every file: started earlier, it competes with
        # the first paint for the interpreter (2.1 s instead of 1.3 s on 100,000 files).
        self.call_after_refresh(lambda: self.set_timer(0.3, self._after_first_paint))

    def _after_first_paint(self) -> None:
        from reader.check import check_records

        self._done = self.reader_app.dispatches_done()
        self._to_review = len(
            check_records(self.reader_app.store.all(), self.reader_app.corpus).needing_review()
        )
        self.query_one("#library-title", Static).update(self._title_line())
        self._reconcile()

    def _title_line(self) -> Text:
        app = self.reader_app
        text = Text(f"dispatch-reader · {len(app.corpus)} dispatches", style="bold")
        if self.query_text:
            text.append(f" · {len(self.rows)} match “")
            text.append(one_line(self.query_text, 40))
            text.append("”")
            if self._filter_error:
                text.append(f" · {one_line(self._filter_error, 80)}", style="red")
        text.append(f" · store {one_line(app.settings.db, 60)}", style="dim")
        if self._busy:
            text.append(f" · {self._busy}", style="dim italic")
        if app.store.readonly:
            text.append(" · READ-ONLY", style="bold red")
        warnings = app.corpus.warning_count()
        if warnings:
            text.append(f" · {warnings} warnings (w)", style="yellow")
        if self._to_review:
            text.append(f" · {self._to_review} annotations to review (r)", style="magenta")
        if app.blind:
            text.append(
                f" · blind: {one_line(app.store.annotator, 30)}'s annotations only (ctrl+b)", style="cyan"
            )
        done = self._done
        if len(done) > 1 or (done and app.store.annotator not in done):
            shown = " ".join(
                f"{one_line(a, 20)} {n}" for a, n in sorted(done.items(), key=lambda kv: -kv[1])[:6]
            )
            text.append(f" · dispatches done: {shown}", style="dim")
        return text

    def _row(self, d: Entry, app: ReaderApp, counts: dict[str, int]) -> tuple[list[str], str]:
        n = counts.get(d.id, 0)
        entities = app.entity_counts.get(d.id)
        status = "annotated" if n else "read" if d.id in app.read_ids else "unread"
        cells = [
            inert(d.title),
            inert(d.source),
            inert(d.date),
            str(d.words),
            "…" if entities is None else str(entities),
            str(n),
            status,
        ]
        return cells, status if status != "read" else ""

    def _sort_key(self, app: ReaderApp, counts: dict[str, int]) -> Any:
        key = self.sort_key
        if key == "id":
            return lambda d: d.id
        if key == "words":
            return lambda d: d.words
        if key == "entities":
            return lambda d: app.entity_counts.get(d.id, -1)
        if key == "annotations":
            return lambda d: counts.get(d.id, 0)
        if key == "status":
            return lambda d: (counts.get(d.id, 0) > 0, d.id in app.read_ids)
        return lambda d: str(getattr(d, key)).lower()

    def refill(self) -> None:
        """Rebuild the rows from the catalog, the filter and the sort order."""
        app = self.reader_app
        table = self.query_one(DispatchTable)
        counts = app.annotation_counts()
        if self._matched is None and self.sort_key == "id" and not self.sort_reverse:
            # Already in this order, and (from the catalog) read a page at a time as drawn.
            self.rows = app.corpus.entries_by_id()
        else:
            entries: Sequence[Entry] = app.corpus.entries
            if self._matched is not None:
                entries = [e for e in entries if e.id in self._matched]
            self.rows = sorted(entries, key=self._sort_key(app, counts), reverse=self.sort_reverse)
        # Cells are made when a row is first drawn: a library of 100,000 paints at once.
        cells = LazyRows(self.rows, lambda d: self._row(d, app, counts))
        table.sort_key, table.sort_reverse = self.sort_key, self.sort_reverse
        table.set_rows(cells, cells.classes)
        self.query_one("#library-title", Static).update(self._title_line())

    def selected(self) -> Entry | None:
        table = self.query_one(DispatchTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    # -- background work -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="catalog")
    def _reconcile(self) -> None:
        """Rescan the files (new, changed, moved, deleted), then count entities, off the UI."""
        from textual.worker import get_current_worker

        app = self.reader_app
        worker = get_current_worker()
        ws = app.workspace.for_thread()
        try:
            if isinstance(ws.corpus, Archive):
                self.post_message(self.Progress("checking the files…"))
                report = ws.refresh(progress=self._progress_line("reading"))
                if report.touched:
                    self.post_message(self.CatalogChanged())
            if worker.is_cancelled:
                return
            lexicon = app.lexicon
            app.prepare_subprocesses()
            key = ws.ensure_entities(lexicon, self._progress_line("finding entities"))
            self.post_message(self.EntityCounts(ws.catalog.entity_counts(key)))
        except (ReaderError, OSError, sqlite3.Error) as exc:
            self.post_message(self.Progress(f"background work stopped: {exc}"))
            return
        finally:
            if ws is not app.workspace:
                ws.close()
        self.post_message(self.Progress(""))

    def _progress_line(self, what: str) -> Any:
        def show(done: int, total: int, nbytes: int) -> None:
            self.post_message(self.Progress(f"{what} {done:,} of {total:,} files" if done < total else ""))

        return show

    def on_library_screen_progress(self, message: Progress) -> None:
        self._busy = message.line
        self.query_one("#library-title", Static).update(self._title_line())

    def on_library_screen_catalog_changed(self, message: CatalogChanged) -> None:
        forget = getattr(self.reader_app.corpus, "forget_rows", None)
        if forget is not None:
            forget()
        self.refill()

    @work(thread=True, exclusive=True, group="filter")
    def _run_filter(self, query: str) -> None:
        """Match the filter through the search engine, streaming ids back in batches."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        app = self.reader_app
        ws = app.workspace.for_thread()
        found: list[str] = []
        try:
            shown = app.corpus
            if isinstance(shown, Archive) and isinstance(ws.corpus, Archive) and not shown.rows_loaded:
                # Filtering needs every row; read them here, not on the UI thread.
                generation = shown.generation
                self.post_message(self.RowsLoaded(ws.corpus.entries, generation))
            # The first screenful as soon as it is found, then batches of 500.
            batch = FIRST_BATCH
            for dispatch_id in ws.corpus.matching_ids(query):
                if worker.is_cancelled:
                    return
                found.append(dispatch_id)
                if len(found) == batch:
                    self.post_message(self.Matched(query, list(found), False))
                    batch = len(found) + 500
            self.post_message(self.Matched(query, found, True))
        except ReaderError as exc:
            self.post_message(self.Matched(query, [], True, str(exc)))
        finally:
            if ws is not app.workspace:
                ws.close()

    def on_library_screen_rows_loaded(self, message: RowsLoaded) -> None:
        corpus = self.reader_app.corpus
        if isinstance(corpus, Archive):
            corpus.adopt_rows(message.rows, message.generation)

    def on_library_screen_matched(self, message: Matched) -> None:
        if message.query != self.query_text:
            return  # an answer to an older keystroke
        self._matched = set(message.ids)
        self._filter_error = message.error
        self.refill()

    def on_library_screen_entity_counts(self, message: EntityCounts) -> None:
        app = self.reader_app
        app.entity_counts.update(message.counts)
        table = self.query_one(DispatchTable)
        cells = table.rows
        if isinstance(cells, LazyRows):
            # Rows not drawn yet read the new counts when they are; drawn ones update here.
            for index in list(cells.cache):
                count = message.counts.get(cells.entries[index].id)
                if count is not None:
                    table.set_cell(index, 4, str(count))

    # -- actions -----------------------------------------------------------------------------

    @on(DispatchTable.Selected)
    def _row_selected(self, event: DispatchTable.Selected) -> None:
        self.action_open()

    @on(DispatchTable.SortRequested)
    def _header(self, event: DispatchTable.SortRequested) -> None:
        key = event.key
        if self.sort_key == key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self.refill()
        self.notify(f"sorted by {key}{' (descending)' if self.sort_reverse else ''}", timeout=2)

    def action_cycle_sort(self) -> None:
        keys = ["id"] + [k for k, *_ in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = self.sort_key in ("words", "entities", "annotations")
        self.refill()
        self.notify(f"sorted by {self.sort_key}", timeout=2)

    def action_open(self) -> None:
        dispatch = self.selected()
        if dispatch is not None:
            self.reader_app.open_dispatch(dispatch.id)

    def action_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        if not self.query_text:
            self._matched = None
            self._filter_error = ""
            self.refill()
            return
        # Wait for a pause in typing: a keystroke never waits for a search.
        if self._debounce is not None:
            self._debounce.stop()
        query = self.query_text
        self._debounce = self.set_timer(DEBOUNCE, lambda: self._run_filter(query))

    @on(Input.Submitted, "#library-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one(DispatchTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_text = ""
            self._matched = None
            self._filter_error = ""
            self.refill()
            self.query_one(DispatchTable).focus()

    def action_corpus_search(self) -> None:
        self.reader_app.action_corpus_search()

    def action_stats(self) -> None:
        self.reader_app.action_stats()

    def action_review(self) -> None:
        from reader.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_warnings(self) -> None:
        from reader.tui.screens.warnings import WarningsScreen

        self.app.push_screen(WarningsScreen(self.reader_app.corpus.warnings))

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit()

    def action_agreement(self) -> None:
        from reader.tui.screens.agreement import AgreementScreen

        self.app.push_screen(AgreementScreen())

    def annotators_changed(self) -> None:
        """Blind mode was switched: the counts are someone else's now."""
        self.refill()

    def on_screen_resume(self) -> None:
        # The first resume comes right after mounting, which has just filled the table.
        if self.is_mounted and self._resumed:
            self._done = self.reader_app.dispatches_done()
            self.refill()
        self._resumed = True
