"""LibraryScreen: the table of dispatches; filter, sort, open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from reader.layout import displayable
from reader.models import Dispatch

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp

COLUMNS = (
    ("title", "Title"),
    ("source", "Source"),
    ("date", "Date"),
    ("words", "Words"),
    ("entities", "Entities"),
    ("annotations", "Notes"),
    ("status", "Status"),
)


class LibraryScreen(Screen[None]):
    """All dispatches of the corpus."""

    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("slash", "filter", "Filter", show=True),
        Binding("o", "cycle_sort", "Sort", show=True),
        Binding("w", "warnings", "Warnings", show=True),
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

    @property
    def reader_app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(placeholder="filter titles and text…", id="library-filter")
        yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.query_one("#library-filter").display = False
        self.refill()
        table.focus()
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
        return text

    def _row(self, d: Dispatch, counts: dict[str, int]) -> list[Any]:
        app = self.reader_app
        n = counts.get(d.id, 0)
        entities = app.entity_counts.get(d.id)
        status = "annotated" if n else "read" if d.id in app.read_ids else "unread"
        title = displayable(d.title)
        return [
            Text(title if len(title) <= 56 else title[:55] + "…"),
            Text(displayable(d.source)),
            Text(displayable(d.date)),
            Text(str(d.words), justify="right"),
            Text("…" if entities is None else str(entities), justify="right"),
            Text(str(n), justify="right"),
            Text(
                status,
                style="bold" if status == "unread" else "dim" if status == "read" else "green",
            ),
        ]

    def _sort_value(self, d: Dispatch, counts: dict[str, int]) -> Any:
        key = self.sort_key
        if key == "id":
            return d.id
        if key == "words":
            return d.words
        if key == "entities":
            return self.reader_app.entity_counts.get(d.id, -1)
        if key == "annotations":
            return counts.get(d.id, 0)
        if key == "status":
            return (counts.get(d.id, 0) > 0, d.id in self.reader_app.read_ids)
        return str(getattr(d, key)).lower()

    def refill(self) -> None:
        """Rebuild the rows from the corpus, the filter and the sort order."""
        app = self.reader_app
        table = self.query_one(DataTable)
        counts = app.store.counts()
        q = self.query_text.lower()
        self.rows = [d for d in app.corpus if not q or q in app.search_text(d)]
        self.rows.sort(key=lambda d: self._sort_value(d, counts), reverse=self.sort_reverse)
        current = table.cursor_row
        table.clear()
        table.add_rows([self._row(d, counts) for d in self.rows])
        # DataTable row keys are assigned in order; remember which dispatch each row is.
        if self.rows:
            table.move_cursor(row=min(current, len(self.rows) - 1))
        self.query_one("#library-title", Static).update(self._title_line())

    def selected(self) -> Dispatch | None:
        table = self.query_one(DataTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @work(thread=True, exclusive=True, group="entities")
    def _count_entities(self) -> None:
        app = self.reader_app
        batch: dict[str, int] = {}
        for d in list(app.corpus):
            if d.id in app.entity_counts:
                continue
            batch[d.id] = len(app.entities_of(d, compute_only=True))
            if len(batch) >= 200:
                self.post_message(self.EntityCounts(batch))
                batch = {}
        if batch:
            self.post_message(self.EntityCounts(batch))

    def on_library_screen_entity_counts(self, message: EntityCounts) -> None:
        app = self.reader_app
        app.entity_counts.update(message.counts)
        table = self.query_one(DataTable)
        positions = {d.id: i for i, d in enumerate(self.rows)}
        for dispatch_id, count in message.counts.items():
            row = positions.get(dispatch_id)
            if row is not None:
                table.update_cell_at((row, 4), Text(str(count), justify="right"))

    # -- actions -----------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        key = "id" if key == "title" and self.sort_key != "title" and False else key
        if self.sort_key == key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self.refill()
        self.notify(f"sorted by {key}{' (descending)' if self.sort_reverse else ''}", timeout=2)

    def action_cycle_sort(self) -> None:
        keys = ["id"] + [k for k, _ in COLUMNS]
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
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_text = ""
            self.refill()
            self.query_one(DataTable).focus()

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
