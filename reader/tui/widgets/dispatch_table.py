"""DispatchTable: the library's table of dispatches, rendering only visible rows.

Textual's DataTable builds every row up front (seconds for 10,000 dispatches); this Line
API table keeps rows as plain tuples and renders a row only when it is on screen. The
header stays on the first line; clicking a column asks to sort by it.

Attributes down (``set_rows``, ``set_cell``); messages up (``Selected``, ``SortRequested``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.layout import displayable


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` cut with an ellipsis or padded to exactly ``width`` cells."""
    if text.isascii():
        if len(text) > width:
            text = text[: max(0, width - 1)] + "…"
        pad = width - len(text)
    else:
        if cell_len(text) > width:
            out, cells = [], 0
            for ch in text:
                w = cell_len(ch)
                if cells + w > width - 1:
                    break
                out.append(ch)
                cells += w
            text = "".join(out) + "…"
        pad = width - cell_len(text)
    return (" " * pad + text) if right else (text + " " * pad)


class DispatchTable(ScrollView, can_focus=True):
    """A sortable, virtual table; one row per dispatch."""

    COMPONENT_CLASSES = {
        "dispatch-table--header",
        "dispatch-table--cursor",
        "dispatch-table--unread",
        "dispatch-table--annotated",
    }

    DEFAULT_CSS = """
    DispatchTable { background: $surface; }
    DispatchTable > .dispatch-table--header { text-style: bold; background: $panel; }
    DispatchTable > .dispatch-table--cursor { background: $primary 60%; }
    DispatchTable > .dispatch-table--unread { text-style: bold; }
    DispatchTable > .dispatch-table--annotated { color: $success; }
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(-1)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Open", show=True),
    ]

    class Selected(Message):
        """The user chose row ``index`` (Enter or a click on the highlighted row)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class SortRequested(Message):
        """The user clicked the header of column ``key``."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, columns: Sequence[tuple[str, str, int, bool]], *, id: str | None = None) -> None:
        """``columns``: (key, label, width or 0 for flexible, right-aligned)."""
        super().__init__(id=id)
        self.columns = list(columns)
        self.rows: Sequence[list[str]] = []
        """Cells per row; may be computed on demand (only visible rows are asked for)."""
        self.row_classes: Sequence[str] = []
        self.cursor_row = 0
        self.sort_key = ""
        self.sort_reverse = False
        self._widths: list[int] = []

    # -- attributes down ----------------------------------------------------------------

    def set_rows(self, rows: Sequence[list[str]], row_classes: Sequence[str]) -> None:
        self.rows = rows
        self.row_classes = row_classes
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._scroll_to_cursor()
        self.refresh()

    def set_cell(self, row: int, column: int, value: str) -> None:
        if 0 <= row < len(self.rows):
            self.rows[row][column] = value
            top = round(self.scroll_offset.y)
            if top <= row < top + self.size.height:
                self.refresh()

    # -- geometry -----------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._compute_widths()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.refresh()

    def _compute_widths(self) -> None:
        total = self.scrollable_content_region.width
        fixed = sum(w + 2 for _, _, w, _ in self.columns if w)
        flexible = [i for i, (_, _, w, _) in enumerate(self.columns) if not w]
        rest = max(10, total - fixed - 2 * len(flexible))
        self._widths = [w if w else rest // max(1, len(flexible)) for _, _, w, _ in self.columns]

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    # -- rendering ----------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._compute_widths()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.rich_style + self.get_component_rich_style("dispatch-table--header", partial=True)
            cells = []
            for (key, label, _, right), w in zip(self.columns, self._widths, strict=True):
                arrow = (" ▼" if self.sort_reverse else " ▲") if key == self.sort_key else ""
                cells.append(fit(label + arrow, w, right))
            return Strip([Segment(" " + "  ".join(cells), style)]).crop_extend(0, width, style)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        css_class = self.row_classes[index] if index < len(self.row_classes) else ""
        if css_class:
            style = style + self.get_component_rich_style(f"dispatch-table--{css_class}", partial=True)
        if index == self.cursor_row:
            style = style + self.get_component_rich_style("dispatch-table--cursor", partial=True)
        cells = [
            fit(displayable(value), w, right)
            for value, (_, _, _, right), w in zip(self.rows[index], self.columns, self._widths, strict=True)
        ]
        return Strip([Segment(" " + "  ".join(cells), style)]).crop_extend(0, width, style)

    # -- cursor -------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        if not self.rows:
            return
        self.cursor_row = min(max(row, 0), len(self.rows) - 1)
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height - 1
        if height <= 0:
            return
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * self._page())

    def action_edge(self, step: int) -> None:
        self.move_cursor(0 if step < 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self.cursor_row))

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            x = event.x - 1
            for (key, _, _, _), w in zip(self.columns, self._widths, strict=True):
                if x < w + 2:
                    self.post_message(self.SortRequested(key))
                    return
                x -= w + 2
            return
        row = round(self.scroll_offset.y) + event.y - 1
        if 0 <= row < len(self.rows):
            if row == self.cursor_row and event.chain >= 2:
                self.post_message(self.Selected(row))
            self.move_cursor(row)
