"""StatsScreen: annotations per tag and per dispatch, entities by label, as bar charts."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from reader.corpus_entities import corpus_stats, stats_report
from reader.models import Entity
from reader.tui.screens.base import ReaderScreen


class StatsScreen(ReaderScreen):
    BINDINGS = [Binding("escape,q", "back", "Back", show=True)]

    class Counted(Message):
        def __init__(self, entities: dict[str, list[Entity]]) -> None:
            super().__init__()
            self.entities = entities

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
        entities = {d.id: app.entities_of(d, compute_only=True) for d in app.corpus}
        self.post_message(self.Counted(entities))

    def on_stats_screen_counted(self, message: Counted) -> None:
        app = self.reader_app
        stats = corpus_stats(app.corpus, self.records, message.entities)
        summary, sections = stats_report(stats)
        text = Text()
        text.append("Statistics\n", style="bold")
        text.append(summary + "\n")
        for title, lines in sections:
            text.append(f"\n{title}\n", style="bold")
            if not lines:
                text.append("  none yet\n", style="dim")
            for line in lines:
                text.append(f"  {line}\n")
        self.query_one("#stats-body", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
