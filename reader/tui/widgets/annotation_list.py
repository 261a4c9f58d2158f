"""AnnotationList: the open dispatch's annotations (tag, quote, note) in the side panel."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.inert import one_line
from reader.layout import displayable
from reader.models import Annotation


class AnnotationList(OptionList):
    """Choosing an annotation asks the screen to move the cursor there."""

    class Chosen(Message):
        def __init__(self, record: Annotation) -> None:
            super().__init__()
            self.record = record

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.records: list[Annotation] = []

    def show(self, records: list[Annotation]) -> None:
        self.records = list(records)
        highlighted = self.highlighted
        self.clear_options()
        options = []
        for record in self.records:
            label = Text()
            label.append(f"[{one_line(record['tag'], 40)}] ", style="bold")
            quote = " ".join(record["quote"].split())
            label.append(displayable(quote if len(quote) <= 80 else quote[:79] + "…"))
            if record.get("note"):
                label.append(
                    "\n  ✎ " + displayable(" ".join(record["note"].split())[:120]),
                    style="italic dim",
                )
            options.append(Option(label, id=record["id"]))
        if not options:
            options.append(
                Option(
                    Text("no annotations yet: select (s, p, e, v) and press t", style="dim"),
                    disabled=True,
                )
            )
        self.add_options(options)
        if highlighted is not None and self.records:
            self.highlighted = min(highlighted, len(self.records) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.records):
            self.post_message(self.Chosen(self.records[event.option_index]))
