"""DossierScreen: where else an entity appears, its variants and its company."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.corpus_entities import Dossier, build_dossier, decisions_of
from reader.layout import displayable
from reader.models import Entity
from reader.search import kwic
from reader.tui.screens.base import ReaderScreen


class DossierScreen(ReaderScreen):
    BINDINGS = [Binding("escape,q", "back", "Back", show=True)]

    class Built(Message):
        def __init__(self, entities: dict[str, list[Entity]]) -> None:
            super().__init__()
            self.entities = entities

    def __init__(self, name: str) -> None:
        super().__init__()
        self.entity_name = name
        self.dossier: Dossier | None = None
        self.rows: list[tuple[str, int, int]] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Dossier · {self.entity_name} · looking through the corpus…"), id="dossier-title")
        yield OptionList(id="dossier-list")
        yield Footer()

    def on_mount(self) -> None:
        self.decisions = decisions_of(self.reader_app.store)  # store calls on the main thread
        self._build()

    @work(thread=True, exclusive=True, group="dossier")
    def _build(self) -> None:
        app = self.reader_app
        self.post_message(self.Built({d.id: app.entities_of(d, compute_only=True) for d in app.corpus}))

    def on_dossier_screen_built(self, message: Built) -> None:
        app = self.reader_app
        self.dossier = build_dossier(self.entity_name, app.corpus, message.entities, self.decisions)
        options = self.query_one(OptionList)
        options.clear_options()
        title = self.query_one("#dossier-title", Static)
        if self.dossier is None:
            title.update(Text(f"Dossier · no entity {self.entity_name!r} in the corpus"))
            return
        d = self.dossier
        total = sum(len(m) for m in d.mentions.values())
        head = Text(f"{d.name} ({d.label}) · {total} mentions in {len(d.mentions)} dispatches", style="bold")
        head.append(f"\nvariants: {', '.join(d.variants)}", style="dim")
        if d.cooccurring:
            head.append(
                "\nmost often with: " + ", ".join(f"{t} ({n})" for t, _, n in d.cooccurring[:6]), style="dim"
            )
        title.update(head)
        self.rows = []
        for dispatch_id, found in sorted(d.mentions.items(), key=lambda kv: -len(kv[1])):
            dispatch = app.corpus.require(dispatch_id)
            line = Text()
            line.append(f"{len(found):>3}  ", style="bold")
            line.append(displayable(dispatch.title))
            line.append(f"  {dispatch_id}", style="dim")
            for e in found[:2]:
                line.append("\n     " + displayable(kwic(dispatch.text, e.start, e.end, 90)), style="italic")
            options.add_option(Option(line))
            self.rows.append((dispatch_id, found[0].start, found[0].end))
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        dispatch_id, start, end = self.rows[event.option_index]
        self.reader_app.open_dispatch(dispatch_id, select=(start, end))

    def action_back(self) -> None:
        self.app.pop_screen()
