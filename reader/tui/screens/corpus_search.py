"""CorpusSearchScreen: search every dispatch as you type; Enter opens the dispatch at the hit."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.errors import ReaderError
from reader.layout import displayable
from reader.search import (
    Hit,
    SearchIndex,
    index_path,
    load_index,
    save_index,
    search,
    search_annotations,
    update_index,
)
from reader.tui.screens.base import ReaderScreen

SHOWN = 500
WHERE = ("text", "notes", "annotations")


class CorpusSearchScreen(ReaderScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", show=True),
        Binding("ctrl+r", "toggle_regex", "Regex on/off", show=True),
        Binding("ctrl+t", "cycle_where", "Text/notes/annotations", show=True),
    ]

    class IndexReady(Message):
        def __init__(self, index: SearchIndex) -> None:
            super().__init__()
            self.index = index

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list[Hit] = []
        self.regex = False
        self.where = "text"
        self.index: SearchIndex | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="search-title")
        yield Input(self.initial, placeholder="search every dispatch…", id="corpus-query")
        yield OptionList(id="corpus-hits")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._title("building the search index…" if len(self.reader_app.corpus) > 200 else "")
        self._build_index()
        if self.initial:
            self.run_search(self.initial)

    @work(thread=True, exclusive=True, group="index")
    def _build_index(self) -> None:
        """Load the index cached beside the store, bring it up to date, save it back."""
        app = self.reader_app
        path = index_path(app.settings.db)
        index = load_index(path)
        indexed, dropped = update_index(index, app.corpus)
        if (indexed or dropped) and not app.store.readonly:
            save_index(index, path)
        self.post_message(self.IndexReady(index))

    def on_corpus_search_screen_index_ready(self, message: IndexReady) -> None:
        self.index = message.index
        self._title("")

    def _title(self, extra: str) -> None:
        mode = f"{'regex' if self.regex else 'words'} in {self.where}"
        text = Text(f"Search the corpus · {mode} · {len(self.hits)} hits", style="bold")
        if extra:
            text.append(f" · {extra}", style="dim")
        self.query_one("#search-title", Static).update(text, layout=False)

    @on(Input.Changed, "#corpus-query")
    def _changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#corpus-query")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if self.hits:
            options.highlighted = 0
            options.focus()

    def run_search(self, query: str) -> None:
        app = self.reader_app
        try:
            if self.where == "text":
                self.hits = (
                    search(app.corpus, query, index=self.index, regex=self.regex, limit=SHOWN)
                    if query
                    else []
                )
            else:
                self.hits = (
                    search_annotations(app.store.all(), query, self.where, regex=self.regex) if query else []
                )
        except ReaderError as exc:
            self.hits = []
            self._title(str(exc))
            return
        options = self.query_one(OptionList)
        options.clear_options()
        for hit in self.hits:
            line = Text()
            line.append(f"{hit.dispatch_id}  ", style="dim")
            line.append(displayable(hit.context))
            options.add_option(Option(line))
        more = f"showing the first {SHOWN}" if len(self.hits) >= SHOWN else ""
        self._title(more)

    @on(OptionList.OptionSelected, "#corpus-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[event.option_index]
        self.reader_app.open_dispatch(hit.dispatch_id, select=(hit.start, hit.end))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self.run_search(self.query_one(Input).value)

    def action_cycle_where(self) -> None:
        self.where = WHERE[(WHERE.index(self.where) + 1) % len(WHERE)]
        self.run_search(self.query_one(Input).value)

    def action_back(self) -> None:
        self.app.pop_screen()
