"""HelpScreen: every key of the screen below it, from the bindings' own descriptions.

Only bindings this app declares are listed (the screen's, its own widgets', the app's):
the editing keys every text input has, or a table's cursor keys, are Textual's, not ours.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def _key_name(key: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
    }
    return ", ".join(names.get(k, k) for k in key.split(","))


def _own_bindings(node: object) -> list[Binding | tuple[str, ...]]:
    """The bindings declared by the app's own classes in ``node``'s ancestry, nearest first."""
    found: list[Binding | tuple[str, ...]] = []
    for cls in type(node).__mro__:
        if cls.__module__.startswith("reader."):
            found.extend(cls.__dict__.get("BINDINGS", []))
    return found


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help")]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("key", style="bold")
        table.add_column("does")
        seen: set[str] = set()
        chain = [self.below, *self.below.query("*"), self.app]
        for node in chain:
            for binding in _own_bindings(node):
                if not isinstance(binding, Binding) or not binding.description or binding.description in seen:
                    continue
                seen.add(binding.description)
                if binding.description.startswith("Apply tag "):
                    # Nine bindings, one line: "1-9  Apply tags 1 to 9 of the tag set".
                    if binding.key == "1":
                        table.add_row("1-9", "Apply tag 1 to 9 of the tag set to the selection")
                    continue
                table.add_row(_key_name(binding.key), binding.description)
        table.add_row("ctrl+p", "Command palette: export, toggle labels, theme")
        with VerticalScroll(id="help"):
            yield Static(Text("Keys  (escape closes)", style="bold"))
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
