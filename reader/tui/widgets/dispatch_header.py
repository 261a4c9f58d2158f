"""DispatchHeader: title and metadata of the open dispatch, rendered without markup."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from reader.layout import displayable
from reader.models import Dispatch


class DispatchHeader(Static):
    """Shows a dispatch's title and its metadata line."""

    def show(self, dispatch: Dispatch, position: int, total: int, readonly: bool) -> None:
        text = Text(displayable(dispatch.title), style="bold")
        parts = [
            dispatch.source or "no source",
            dispatch.meta.place or "no place",
            dispatch.date or "no date",
            f"{dispatch.words} words",
            dispatch.id,
            f"{position}/{total}",
        ]
        text.append("\n")
        text.append(displayable("  ·  ".join(parts)), style="dim")
        if readonly:
            text.append("  ·  READ-ONLY", style="bold red")
        self.update(text)
