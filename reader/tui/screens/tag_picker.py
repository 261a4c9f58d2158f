"""TagPicker: choose a tag for the selection; type to filter, Enter applies, a new name creates."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from reader.config import TagDef
from reader.inert import one_line


class TagPicker(ModalScreen[str | None]):
    """Dismisses with the chosen tag name, or ``None`` on escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor(1)", "Next tag", show=False),
        Binding("up", "cursor(-1)", "Previous tag", show=False),
    ]

    def __init__(self, tags: list[TagDef], quote: str) -> None:
        super().__init__()
        self.tags = tags
        self.quote = quote
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-picker"):
            quote = " ".join(self.quote.split())
            yield Label(Text(f"Tag “{one_line(quote, 71)}”"), id="tag-picker-title")
            yield Input(placeholder="filter, or type a new tag name", id="tag-filter")
            yield OptionList(id="tag-options")

    def on_mount(self) -> None:
        self._refill("")
        self.query_one(Input).focus()

    def _refill(self, query: str) -> None:
        q = query.strip().lower()
        options = self.query_one(OptionList)
        options.clear_options()
        self.shown = []
        name_width = max((len(t.name) for t in self.tags), default=8) + 2
        for i, tag in enumerate(self.tags, 1):
            if q and q not in tag.name.lower() and q not in tag.description.lower():
                continue
            line = Text()
            line.append(f"{i if i <= 9 else ' '} ", style="dim")
            line.append(tag.name.ljust(name_width), style=f"bold {tag.colour}" if tag.colour else "bold")
            if tag.description:
                line.append(f"  {one_line(tag.description, 80)}", style="dim")
            options.add_option(Option(line))
            self.shown.append(tag.name)
        if q and query.strip() not in {t.name for t in self.tags}:
            options.add_option(Option(Text(f"+ new tag “{one_line(query.strip(), 60)}”", style="italic")))
            self.shown.append(query.strip())
        if self.shown:
            options.highlighted = 0

    @on(Input.Changed, "#tag-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._refill(event.value)

    @on(Input.Submitted, "#tag-filter")
    def _submit(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.highlighted < len(self.shown):
            self.dismiss(self.shown[options.highlighted])
        elif event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected, "#tag-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted or 0
        options.highlighted = (current + step) % len(self.shown)

    def action_cancel(self) -> None:
        self.dismiss(None)
