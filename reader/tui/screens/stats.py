"""StatsScreen: annotations per tag and per dispatch, entities by label, as bar charts."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from reader.corpus_entities import corpus_stats, stats_report
from reader.inert import one_line
from reader.tui.screens.base import ReaderScreen


class StatsScreen(ReaderScreen):
    BINDINGS = [Binding("escape,q", "back", "Back", show=True)]

    class Counted(Message):
        def __init__(self, stats: dict[str, Any]) -> None:
            super().__init__()
            self.stats = stats

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats"):
            yield Static(Text("counting…", style="dim"), id="stats-body")
        yield Footer()

    def on_mount(self) -> None:
        self.records = self.reader_app.store.all()  # store calls stay on the main thread
        self._count()

    @work(thread=True, exclusive=True, group="stats")
    def _count(self) -> None:
        app = self.reader_app
        ws = app.workspace.for_thread()
        try:
            key = ws.ensure_entities(app.lexicon)
            self.post_message(self.Counted(corpus_stats(ws.catalog, key, self.records)))
        finally:
            if ws is not app.workspace:
                ws.close()

    def on_stats_screen_counted(self, message: Counted) -> None:
        summary, sections = stats_report(message.stats)
        text = Text()
        text.append("Statistics\n", style="bold")
        text.append(summary + "\n")
        for title, lines in sections:
            text.append(f"\n{title}\n", style="bold")
            if not lines:
                text.append("  none yet\n", style="dim")
            for line in lines:
                text.append(f"  {one_line(line)}\n")
        self.query_one("#stats-body", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
