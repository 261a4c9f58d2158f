"""EntityList: the open dispatch's entities with counts; choosing one cycles its mentions."""

from __future__ import annotations

from collections import defaultdict

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.layout import displayable
from reader.models import Entity


class EntityList(OptionList):
    class Chosen(Message):
        """The user chose an entity; ``mentions`` are all its occurrences in order."""

        def __init__(self, text: str, label: str, mentions: list[Entity]) -> None:
            super().__init__()
            self.text = text
            self.label = label
            self.mentions = mentions

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: list[tuple[str, str, list[Entity]]] = []

    def show(self, entities: list[Entity], styles: dict[str, Style]) -> None:
        grouped: dict[tuple[str, str], list[Entity]] = defaultdict(list)
        for e in entities:
            grouped[(e.text, e.label)].append(e)
        self.groups = sorted(
            ((t, lab, m) for (t, lab), m in grouped.items()), key=lambda g: (-len(g[2]), g[1], g[0])
        )
        self.clear_options()
        options = []
        for text, label, mentions in self.groups:
            line = Text()
            line.append(f"{len(mentions):>3} ", style="dim")
            line.append(displayable(text), style=styles.get(label, Style()))
            line.append(f"  {label}", style="dim")
            options.append(Option(line))
        self.add_options(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        text, label, mentions = self.groups[event.option_index]
        self.post_message(self.Chosen(text, label, mentions))
