"""CurationScreen: where annotators differ in one dispatch, each version with who made it.

Units come from :mod:`reader.curation`. Keys: ``1``-``9`` accept that version of the
highlighted unit (stored under the curator's name, linked to its sources), ``x`` rejects
them all (``x`` again takes the rejection back), ``e`` opens the dispatch at the unit to
edit by hand, ``A`` settles every unit all annotators agree on. Accepting and ``A`` are
undone with ctrl+z like any other edit.
"""

from __future__ import annotations

from time import monotonic

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.curation import CURATION_TABLE, Unit, rejected_keys, settle, units_of, winner
from reader.errors import ReaderError
from reader.inert import one_line, plural
from reader.layout import displayable
from reader.models import Annotation, Dispatch
from reader.tui.screens.base import ReaderScreen

CURATOR = "curator"
"""The name settled annotations are stored under in the app (``reader curate --as`` differs)."""

STATUS_STYLE = {"agreed": "green", "disputed": "bold yellow", "one-sided": "magenta", "settled": "dim"}


class CurationScreen(ReaderScreen):
    BINDINGS = [
        *[Binding(str(i), f"accept({i})", f"Accept version {i}", show=False) for i in range(1, 10)],
        Binding("x", "reject", "Reject all versions (again: undo the rejection)", show=True),
        Binding("e", "edit", "Edit in the dispatch", show=True),
        Binding("A", "accept_agreed", "Settle every agreed unit", show=True),
        Binding("ctrl+z", "undo", "Undo", show=True),
        Binding("escape", "back", "Back", show=True),
    ]

    def __init__(self, dispatch: Dispatch, curator: str = CURATOR) -> None:
        super().__init__()
        self.dispatch = dispatch
        self.curator = curator
        self.units: list[Unit] = []
        self.opened_in = 0.0
        """Seconds from mounting to the units listed (the benchmark reads it)."""

    def compose(self) -> ComposeResult:
        yield Static(id="curation-title")
        yield OptionList(id="curation-units")
        yield Footer()

    def on_mount(self) -> None:
        started = monotonic()
        self.refill()
        self.query_one(OptionList).focus()
        self.opened_in = monotonic() - started

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refill()

    def refill(self) -> None:
        app = self.reader_app
        records = app.store.for_dispatch(self.dispatch.id)
        self.units = units_of(self.dispatch.id, records, self.curator, rejected_keys(app.store))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        text = self.dispatch.text
        items = []
        for unit in self.units:
            status = unit.status
            line = Text()
            line.append(f"{status:<10}", style=STATUS_STYLE.get(status, ""))
            quote = " ".join(text[unit.start : unit.end].split())
            line.append(f"{unit.start:>7}  ", style="dim")
            line.append(displayable(quote[:70]))
            for n, version in enumerate(unit.versions, 1):
                who = ", ".join(one_line(a, 20) for a in version.annotators)
                words = " ".join(text[version.start : version.end].split())
                line.append(f"\n   {n}  ", style="bold")
                line.append(f"[{one_line(version.tag, 30)}] ", style="bold")
                line.append(displayable(words[:50]))
                line.append(f"  {who}", style="dim")
            for record in unit.curated:
                line.append(
                    f"\n   ✓  [{one_line(record['tag'], 30)}] settled by {one_line(record['annotator'], 20)}"
                )
            if unit.rejected:
                line.append("\n   ✗  rejected", style="dim")
            items.append(Option(line))
        if not items:
            items.append(
                Option(Text("no annotations from two annotators to compare here", style="dim"), disabled=True)
            )
        options.add_options(items)
        if self.units:
            options.highlighted = min(highlighted or 0, len(self.units) - 1)
        counts: dict[str, int] = {}
        for unit in self.units:
            counts[unit.status] = counts.get(unit.status, 0) + 1
        title = Text(f"Curate · {one_line(self.dispatch.title, 60)}", style="bold")
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to curate"
        annotators = {a for u in self.units for a in u.annotators}
        title.append(f" · {plural(len(self.units), 'unit')}: {summary}")
        title.append(f" · {plural(len(annotators), 'annotator')} · stored as {self.curator}", style="dim")
        self.query_one("#curation-title", Static).update(title)

    def _current(self) -> Unit | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.units or index >= len(self.units):
            return None
        return self.units[index]

    def _store(self, records: list[Annotation], label: str) -> None:
        app = self.reader_app
        try:
            app.store.put_many(records)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record(label, [None] * len(records), list(records))
        self.refill()

    def action_accept(self, number: int) -> None:
        unit = self._current()
        if unit is None:
            return
        if unit.status == "settled":
            self.notify("already settled: ctrl+z takes it back", severity="warning", timeout=3)
            return
        if number > len(unit.versions):
            self.notify(f"this unit has {plural(len(unit.versions), 'version')}", severity="warning")
            return
        version = unit.versions[number - 1]
        self._store([settle(version, self.curator)], f"curate [{version.tag}]")
        self.notify(f"settled on [{version.tag}] by {', '.join(version.annotators)}", timeout=3)

    def action_accept_agreed(self) -> None:
        settled = [settle(v, self.curator) for u in self.units if (v := winner(u, "agreed")) is not None]
        if not settled:
            self.notify("no unit everyone agrees on is left to settle", severity="information", timeout=3)
            return
        self._store(settled, f"settle {plural(len(settled), 'agreed unit')}")
        self.notify(f"settled {plural(len(settled), 'agreed unit')}", timeout=3)

    def action_reject(self) -> None:
        unit = self._current()
        if unit is None:
            return
        store = self.reader_app.store
        try:
            if unit.rejected:
                store.delete_row(CURATION_TABLE, unit.key)
            elif unit.curated:
                self.notify("already settled: ctrl+z takes it back", severity="warning", timeout=3)
                return
            else:
                store.put_row(CURATION_TABLE, unit.key, {"key": unit.key, "state": "rejected"})
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refill()

    def action_edit(self) -> None:
        unit = self._current()
        if unit is not None:
            self.reader_app.open_dispatch(self.dispatch.id, select=(unit.start, unit.end))

    def action_undo(self) -> None:
        app = self.reader_app
        try:
            step = app.history.undo(app.store)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        if step is None:
            self.notify("nothing to undo", severity="information", timeout=2)
            return
        self.refill()
        self.notify(f"undo: {step.label}", timeout=3)

    def action_back(self) -> None:
        self.app.pop_screen()
