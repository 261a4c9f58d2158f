"""WarningsScreen: the files the corpus loader skipped or decoded with a fallback, and why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.inert import one_line


class WarningsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,w", "close", "Close")]

    def __init__(self, warnings: list[str]) -> None:
        super().__init__()
        self.warnings = warnings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="warnings"):
            yield Static(
                Text(
                    f"{len(self.warnings)} warnings while loading the corpus  (escape closes)",
                    style="bold",
                )
            )
            body = (
                "\n".join(one_line(w) for w in self.warnings) if self.warnings else "none: every file loaded"
            )
            yield Static(Text(body))

    def action_close(self) -> None:
        self.dismiss(None)
