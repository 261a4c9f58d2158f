"""LibraryScreen: the table of dispatches; filter, sort, open."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Input, Static

from reader.models import Dispatch
from reader.tui.screens.base import ReaderScreen
from reader.tui.widgets.dispatch_table import DispatchTable

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp

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


class LibraryScreen(ReaderScreen):
    """All dispatches of the corpus."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", show=True),
        Binding("o", "cycle_sort", "Sort", show=True),
        Binding("w", "warnings", "Warnings", show=True),
        Binding("r", "review", "Review", show=True),
        Binding("f", "corpus_search", "Find", show=True),
        Binding("s", "stats", "Stats", show=True),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("question_mark", "help", "Help", show=True),
        Binding("q", "quit", "Quit", show=True),
    ]

    class EntityCounts(Message):
        """Entity counts computed off the main thread, ``{dispatch id: count}``."""

        def __init__(self, counts: dict[str, int]) -> None:
            super().__init__()
            self.counts = counts

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "id"
        self.sort_reverse = False
        self.query_text = ""
        self.rows: list[Dispatch] = []
        self._to_review = 0
        self._matched: list[Dispatch] = []
        self._matched_query = ""

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
        # The table paints first; what only fills in details starts just after.
        self.set_timer(0.15, self._after_first_paint)

    def _after_first_paint(self) -> None:
        from reader.check import check_records

        self._to_review = len(
            check_records(self.reader_app.store.all(), self.reader_app.corpus).needing_review()
        )
        self.query_one("#library-title", Static).update(self._title_line())
        self._warm_search()
        self._count_entities()

    def _title_line(self) -> Text:
        app = self.reader_app
        text = Text(f"dispatch-reader · {len(app.corpus)} dispatches", style="bold")
        if self.query_text:
            text.append(f" · {len(self.rows)} match “{self.query_text}”")
        text.append(f" · store {app.settings.db}", style="dim")
        if app.store.readonly:
            text.append(" · READ-ONLY", style="bold red")
        if app.corpus.warnings:
            text.append(f" · {len(app.corpus.warnings)} warnings (w)", style="yellow")
        if self._to_review:
            text.append(f" · {self._to_review} annotations to review (r)", style="magenta")
        return text

    def _row(self, d: Dispatch, app: ReaderApp, counts: dict[str, int]) -> tuple[list[str], str]:
        n = counts.get(d.id, 0)
        entities = app.entity_counts.get(d.id)
        status = "annotated" if n else "read" if d.id in app.read_ids else "unread"
        cells = [
            d.title,
            d.source,
            d.date,
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
        """Rebuild the rows from the corpus, the filter and the sort order."""
        app = self.reader_app
        table = self.query_one(DispatchTable)
        counts = app.store.counts()
        q = self.query_text.lower()
        # Typing one more character can only narrow the matches: search those alone.
        pool = (
            self._matched if q and self._matched_query and q.startswith(self._matched_query) else app.corpus
        )
        search_text = app.search_text
        self._matched = [d for d in pool if not q or q in search_text(d)]
        self._matched_query = q
        self.rows = sorted(self._matched, key=self._sort_key(app, counts), reverse=self.sort_reverse)
        built = [self._row(d, app, counts) for d in self.rows]
        table.sort_key, table.sort_reverse = self.sort_key, self.sort_reverse
        table.set_rows([cells for cells, _ in built], [cls for _, cls in built])
        self.query_one("#library-title", Static).update(self._title_line())

    def selected(self) -> Dispatch | None:
        table = self.query_one(DispatchTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @work(thread=True, exclusive=True, group="search")
    def _warm_search(self) -> None:
        """Lower-case every text once in the background, so the first filter key is quick."""
        app = self.reader_app
        for i, d in enumerate(list(app.corpus)):
            app.search_text(d)
            if i % 200 == 199:
                time.sleep(0.001)

    @work(thread=True, exclusive=True, group="entities")
    def _count_entities(self) -> None:
        """Fill the Entities column in the background, in batches."""
        from reader.recognizer import count_entities
        from reader.tui.app import LONG_TEXT

        app = self.reader_app
        pending = [d for d in list(app.corpus) if d.id not in app.entity_counts]
        if not pending:
            return
        total = sum(len(d.text) for d in pending)
        backend = "rules" if app.settings.ner.startswith("spacy:") else app.settings.ner
        lexicon = app.lexicon
        for i in range(0, len(pending), 100):
            batch = pending[i : i + 100]
            texts = [d.text for d in batch]
            counts = None
            if total >= LONG_TEXT:
                # Regular expressions hold the GIL: a process keeps the interface quick.
                try:
                    counts = app.entity_executor().submit(count_entities, texts, backend, lexicon).result()
                except Exception:  # noqa: BLE001 - no worker process here: count in this thread
                    counts = None
            if counts is None:
                counts = count_entities(texts, backend, lexicon)
            self.post_message(self.EntityCounts({d.id: n for d, n in zip(batch, counts, strict=True)}))

    def on_library_screen_entity_counts(self, message: EntityCounts) -> None:
        app = self.reader_app
        app.entity_counts.update(message.counts)
        table = self.query_one(DispatchTable)
        positions = {d.id: i for i, d in enumerate(self.rows)}
        for dispatch_id, count in message.counts.items():
            row = positions.get(dispatch_id)
            if row is not None:
                table.set_cell(row, 4, str(count))

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
        self.refill()

    @on(Input.Submitted, "#library-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one(DispatchTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_text = ""
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

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refill()
