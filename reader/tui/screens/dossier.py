"""DossierScreen: where else an entity appears, its variants and its company."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.corpus_entities import CONTEXT_DISPATCHES, Dossier, build_dossier, decisions_of, dossier_dict
from reader.inert import one_line, plural
from reader.tui.screens.base import ReaderScreen


class DossierScreen(ReaderScreen):
    BINDINGS = [Binding("escape,q", "back", "Back", show=True)]

    class Built(Message):
        def __init__(self, dossier: Dossier | None) -> None:
            super().__init__()
            self.dossier = dossier

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
        ws = app.workspace.for_thread()
        try:
            ws.ensure_entities(app.lexicon)
            self.post_message(self.Built(build_dossier(self.entity_name, ws.catalog, self.decisions)))
        finally:
            if ws is not app.workspace:
                ws.close()

    def on_dossier_screen_built(self, message: Built) -> None:
        app = self.reader_app
        self.dossier = message.dossier
        options = self.query_one(OptionList)
        options.clear_options()
        title = self.query_one("#dossier-title", Static)
        if self.dossier is None:
            title.update(Text(f"Dossier · no entity {one_line(self.entity_name, 60)!r} in the corpus"))
            return
        d = self.dossier
        total = sum(d.count(i) for i in d.mentions)
        head = Text(
            one_line(
                f"{d.name} ({d.label}) · {plural(total, 'mention')} in "
                f"{plural(len(d.mentions), 'dispatch', 'dispatches')}"
            ),
            style="bold",
        )
        head.append("\nvariants: " + one_line(", ".join(d.variants)), style="dim")
        if d.cooccurring:
            head.append(
                "\nmost often with: " + one_line(", ".join(f"{t} ({n})" for t, _, n in d.cooccurring[:6])),
                style="dim",
            )
        title.update(head)
        self.rows = []
        data = dossier_dict(d, app.corpus)
        for row in data["dispatches"][:CONTEXT_DISPATCHES]:
            dispatch_id = row["id"]
            line = Text()
            line.append(f"{row['count']:>3}  ", style="bold")
            line.append(one_line(row["title"]))
            line.append(f"  {one_line(dispatch_id)}", style="dim")
            for context in row["contexts"][:2]:
                line.append("\n     " + one_line(context), style="italic")
            options.add_option(Option(line))
            first = min((s, len(m.surface)) for m in d.mentions[dispatch_id] for s in m.starts or (0,))
            self.rows.append((dispatch_id, first[0], first[0] + first[1]))
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        dispatch_id, start, end = self.rows[event.option_index]
        self.reader_app.open_dispatch(dispatch_id, select=(start, end))

    def action_back(self) -> None:
        self.app.pop_screen()
