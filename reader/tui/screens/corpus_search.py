"""CorpusSearchScreen: search every dispatch as you type; Enter opens the dispatch at the hit."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.errors import ReaderError
from reader.inert import one_line, plural
from reader.search import Hit, search_annotations
from reader.tui.screens.base import ReaderScreen

SHOWN = 500
DEBOUNCE = 0.12
"""Seconds of quiet after a keystroke before the search starts."""
WHERE = ("text", "notes", "annotations")


class CorpusSearchScreen(ReaderScreen):
    """Find in the whole corpus: the catalog's full-text index narrows, a worker confirms and
    streams hits in; the interface never waits for a search."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=True),
        Binding("ctrl+r", "toggle_regex", "Regex on/off", show=True),
        Binding("ctrl+t", "cycle_where", "Text/notes/annotations", show=True),
    ]

    class Found(Message):
        """Hits for ``query`` so far (``done``: the search finished)."""

        def __init__(self, query: str, hits: list[Hit], done: bool, error: str = "") -> None:
            super().__init__()
            self.query = query
            self.hits = hits
            self.done = done
            self.error = error

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list[Hit] = []
        self.regex = False
        self.where = "text"
        self._asked = ""
        self._titles: dict[str, str] = {}
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="search-title")
        yield Input(self.initial, placeholder="search every dispatch…", id="corpus-query")
        yield OptionList(id="corpus-hits")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._titles = {e.id: e.title for e in self.reader_app.corpus.entries}
        self._title("")
        if self.initial:
            self.run_search(self.initial)

    def _title(self, extra: str, error: bool = False) -> None:
        mode = f"{'regex' if self.regex else 'words'} in {self.where}"
        text = Text(f"Search the corpus · {mode} · {plural(len(self.hits), 'hit')}", style="bold")
        if extra:
            text.append(" · ")
            text.append(one_line(extra, 120), style="red" if error else "dim")
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
        self._asked = query
        # Hits of an earlier query must never stay listed (or openable) under a new one.
        self._show([], query)
        if not query:
            self._title("")
            return
        if self.where != "text":
            try:
                hits = search_annotations(self.reader_app.store.all(), query, self.where, regex=self.regex)
            except ReaderError as exc:
                self._title(str(exc), error=True)
                return
            self._show(hits[:SHOWN], query)
            self._title(f"showing the first {SHOWN}" if len(hits) > SHOWN else "")
            return
        self._title("searching…")
        # Wait for a pause in typing: a keystroke never waits for a search.
        if self._debounce is not None:
            self._debounce.stop()
        regex = self.regex
        self._debounce = self.set_timer(DEBOUNCE, lambda: self._search(query, regex))

    @work(thread=True, exclusive=True, group="corpus-search")
    def _search(self, query: str, regex: bool) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        app = self.reader_app
        ws = app.workspace.for_thread()
        hits: list[Hit] = []
        try:
            for hit in ws.corpus.search(query, regex=regex, limit=SHOWN):
                if worker.is_cancelled:
                    return
                hits.append(hit)
                if len(hits) % 100 == 0:
                    self.post_message(self.Found(query, list(hits), False))
            self.post_message(self.Found(query, hits, True))
        except ReaderError as exc:
            self.post_message(self.Found(query, [], True, str(exc)))
        finally:
            if ws is not app.workspace:
                ws.close()

    def on_corpus_search_screen_found(self, message: Found) -> None:
        if message.query != self._asked:
            return
        self._show(message.hits, message.query)
        if message.error:
            self._title(message.error, error=True)
        elif not message.done:
            self._title("searching…")
        else:
            self._title(f"showing the first {SHOWN}" if len(self.hits) >= SHOWN else "")

    def _show(self, hits: list[Hit], query: str) -> None:
        options = self.query_one(OptionList)
        start = len(self.hits) if hits[: len(self.hits)] == self.hits and self.hits else 0
        if start == 0:
            options.clear_options()
        for hit in hits[start:]:
            line = Text()
            line.append(one_line(self._titles.get(hit.dispatch_id, hit.dispatch_id), 50) + "  ", style="dim")
            line.append(one_line(hit.context))
            options.add_option(Option(line))
        self.hits = list(hits)

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
