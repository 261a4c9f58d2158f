"""What the terminal would show: the app's screen updates replayed onto a grid of cells.

Pilot's screenshots render the whole screen afresh, so they cannot see a cell the app forgot
to repaint. This records every update the app hands its driver (the segments and cursor
moves a terminal receives) and applies them in order, as a terminal would.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.app import App


class Terminal:
    """A grid of (character, style) cells kept up to date from an app's screen updates."""

    def __init__(self, app: App[Any]) -> None:
        self.cells: dict[tuple[int, int], tuple[str, Style | None]] = {}
        self._console = Console(width=400, height=200, force_terminal=True, color_system="truecolor")
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self._apply(renderable)
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    def _apply(self, update: Any) -> None:
        x = y = 0
        for segment in update.__rich_console__(self._console, self._console.options):
            assert isinstance(segment, Segment)
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = int(control[1]), int(control[2])  # type: ignore[misc]
                continue
            if segment.text == "\n":
                x, y = 0, y + 1
                continue
            for char in segment.text:
                self.cells[(x, y)] = (char, segment.style)
                x += max(1, cell_len(char))

    def row(self, y: int, x1: int = 0, x2: int = 400) -> str:
        return "".join(self.cells.get((x, y), (" ", None))[0] for x in range(x1, x2))

    def column(self, x: int, y1: int, y2: int) -> str:
        return "".join(self.cells.get((x, y), (" ", None))[0] for y in range(y1, y2))

    def style_at(self, x: int, y: int) -> Style | None:
        return self.cells.get((x, y), (" ", None))[1]
