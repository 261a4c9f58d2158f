"""ReviewScreen: annotations whose dispatch changed under them (moved, fuzzy, orphaned).

For each: `c` confirms it where it was re-found, `x` deletes it, Enter opens the dispatch
there to re-target it (select the right span, then `R`). Every step can be undone.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.check import Finding, check_records, confirmed
from reader.errors import ReaderError
from reader.inert import one_line
from reader.layout import displayable
from reader.tui.screens.base import ReaderScreen

STATE_STYLE = {"moved": "yellow", "fuzzy": "magenta", "orphaned": "bold red"}


class ReviewScreen(ReaderScreen):
    BINDINGS = [
        Binding("c", "confirm", "Confirm", show=True),
        Binding("x", "delete", "Delete", show=True),
        Binding("enter", "open", "Open to re-target", show=True),
        Binding("ctrl+z", "undo", "Undo", show=True),
        Binding("escape", "back", "Library", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []

    def compose(self) -> ComposeResult:
        yield Static(id="review-title")
        yield OptionList(id="review-list")
        yield Footer()

    def on_mount(self) -> None:
        self.refill()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refill()

    def refill(self) -> None:
        app = self.reader_app
        self.findings = check_records(app.store.all(), app.corpus).needing_review()
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for f in self.findings:
            line = Text()
            line.append(f"{f.state:<9}", style=STATE_STYLE.get(f.state, ""))
            line.append(f"{f.score:>5.2f}  " if f.state == "fuzzy" else "       ", style="dim")
            line.append(f"[{one_line(f.record['tag'], 40)}] ", style="bold")
            quote = " ".join(f.record.get("anchor", {}).get("original_quote", f.record["quote"]).split())
            line.append(displayable(quote[:60]))
            where = f"{f.record['start']}..{f.record['end']}"
            if f.updated is not None and f.state != "orphaned":
                where += f" → {f.updated['start']}..{f.updated['end']}"
            line.append(f"\n   {one_line(f.record['dispatch_id'])}  {where}", style="dim")
            if f.reason:
                line.append(f"  ({one_line(f.reason)})", style="dim")
            options.add_option(Option(line))
        if not self.findings:
            options.add_option(
                Option(
                    Text("nothing to review: every annotation is where it was", style="dim"), disabled=True
                )
            )
        else:
            options.highlighted = min(highlighted or 0, len(self.findings) - 1)
        title = Text(f"Review · {len(self.findings)} annotations moved, changed or lost", style="bold")
        self.query_one("#review-title", Static).update(title)

    def _current(self) -> Finding | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.findings):
            return None
        return self.findings[index]

    def action_confirm(self) -> None:
        f = self._current()
        if f is None:
            return
        if f.state == "orphaned":
            self.notify(
                "its text is gone: open it (enter) to re-target, or delete it (x)", severity="warning"
            )
            return
        app = self.reader_app
        after = confirmed(f.updated or f.record)
        try:
            app.store.put(after)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record("confirm", [f.record], [after])
        self.refill()

    def action_delete(self) -> None:
        f = self._current()
        if f is None:
            return
        app = self.reader_app
        try:
            app.store.remove(f.record["id"])
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record("delete", [f.record], [None])
        self.refill()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        f = self._current()
        if f is None:
            return
        span = f.updated or f.record
        self.reader_app.open_dispatch(
            f.record["dispatch_id"], review=(f.record["id"], span["start"], span["end"])
        )

    def action_undo(self) -> None:
        app = self.reader_app
        step = app.history.undo(app.store)
        if step is None:
            self.notify("nothing to undo", timeout=2)
        self.refill()

    def action_back(self) -> None:
        self.app.pop_screen()
