"""Legend: entity labels with their counts; hidden labels are struck through and dimmed."""

from __future__ import annotations

from collections import Counter

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from reader.models import Entity


class Legend(Static):
    """One line: ``PERSON 12  ORG 7 ...``; click a label to toggle it."""

    class ToggleRequested(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._regions: list[tuple[int, int, str]] = []

    def show(self, entities: list[Entity], hidden: set[str], styles: dict[str, Style]) -> None:
        counts = Counter(e.label for e in entities)
        text = Text()
        text.append("entities: ", style="dim")  # a base style would dim every label too
        self._regions = []
        for label, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            start = text.cell_len
            style = styles.get(label, Style())
            if label in hidden:
                style = Style(dim=True, strike=True)
            text.append(f"{label} {count}", style=style)
            self._regions.append((start, text.cell_len, label))
            text.append("  ")
        if not counts:
            text.append("none found", style="dim")
        text.append("  (L toggles labels)", style="dim")
        self.update(text, layout=False)

    def on_click(self, event: object) -> None:
        x = getattr(event, "x", -1)
        for start, end, label in self._regions:
            if start <= x < end:
                self.post_message(self.ToggleRequested(label))
                return
