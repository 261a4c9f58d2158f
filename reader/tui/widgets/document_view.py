"""DocumentView: the dispatch text with cursor, selection, entities and annotations.

A Line API widget (``render_line``): only visible lines are rendered, from a wrap layout
(:mod:`reader.layout`) and cached strips. Spans are looked up per line with bisect over
sorted intervals. The text is never parsed as markup. It scrolls itself (``top``) rather
than through Textual's scrolling containers: a container scroll re-lays out the whole
screen, which made a page down cost 45 ms instead of a repaint of this widget alone.

Attributes down: the screen sets ``entities``, ``annotations``, ``hidden_labels``,
``hits`` and ``tag_styles`` (each tag's colour as a background; the view blends it into the
theme's background). Every segment drawn goes through :func:`reader.palette.legible`, so
entity colours, tag backgrounds, hits and the selection read at 4.5:1 or better in any theme.
Messages up: :class:`CursorMoved`, :class:`SelectionChanged`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import MouseDown, MouseMove, MouseScrollDown, MouseScrollUp, MouseUp, Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from reader.entities import LABELS
from reader.layout import Layout, displayable, wrap
from reader.models import Annotation, Entity, Span
from reader.palette import legible, mix
from reader.segments import paragraph_spans, sentence_spans, word_spans

GUTTER = 2


def _containing(spans: Sequence[Span], starts: list[int], offset: int) -> Span | None:
    i = bisect_right(starts, offset) - 1
    if i >= 0 and spans[i].start <= offset < spans[i].end:
        return spans[i]
    return None


class DocumentView(Widget, can_focus=True):
    """The text of one dispatch, navigable by character, word, sentence and paragraph."""

    ALLOW_SELECT = False  # we draw our own selection, by offsets

    COMPONENT_CLASSES = {
        "document-view--cursor",
        "document-view--selection",
        "document-view--hit",
        "document-view--annotation",
        "document-view--gutter",
        *(f"document-view--{label.lower()}" for label in LABELS),
    }

    DEFAULT_CSS = """
    DocumentView {
        background: $surface;
        padding: 0 1;
    }
    DocumentView > .document-view--cursor { text-style: reverse; }
    DocumentView > .document-view--selection { background: $primary 45%; }
    DocumentView > .document-view--hit { background: $warning 50%; }
    DocumentView > .document-view--annotation { text-style: underline; }
    DocumentView > .document-view--gutter { color: $accent; }
    """

    BINDINGS = [
        Binding("left,h", "move('char', -1)", "Left", show=False),
        Binding("right,l", "move('char', 1)", "Right", show=False),
        Binding("up,k", "move('line', -1)", "Up", show=False),
        Binding("down,j", "move('line', 1)", "Down", show=False),
        Binding("shift+left", "move('char', -1, True)", "Extend left", show=False),
        Binding("shift+right", "move('char', 1, True)", "Extend right", show=False),
        Binding("shift+up", "move('line', -1, True)", "Extend up", show=False),
        Binding("shift+down", "move('line', 1, True)", "Extend down", show=False),
        Binding("w", "move('word', 1)", "Next word", show=False),
        Binding("b", "move('word', -1)", "Previous word", show=False),
        Binding(")", "move('sentence', 1)", "Next sentence", show=False),
        Binding("(", "move('sentence', -1)", "Previous sentence", show=False),
        Binding("}", "move('paragraph', 1)", "Next paragraph", show=False),
        Binding("{", "move('paragraph', -1)", "Previous paragraph", show=False),
        Binding("pagedown,space", "move('page', 1)", "Page down", show=False),
        Binding("pageup", "move('page', -1)", "Page up", show=False),
        Binding("home,g", "move('doc', -1)", "Top", show=False),
        Binding("end,G", "move('doc', 1)", "Bottom", show=False),
        Binding("v", "toggle_select", "Select mode", show=True),
        Binding("s", "select_unit('sentence')", "Sentence", show=True),
        Binding("p", "select_unit('paragraph')", "Paragraph", show=True),
        Binding("e", "select_unit('entity')", "Entity", show=False),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]

    class CursorMoved(Message):
        """The cursor moved to ``offset``."""

        def __init__(self, view: DocumentView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

    class SelectionChanged(Message):
        """The selection is now ``selection`` (``None`` when cleared)."""

        def __init__(self, view: DocumentView, selection: Span | None) -> None:
            super().__init__()
            self.view = view
            self.selection = selection

    def __init__(
        self,
        text: str,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.text = text
        self.cursor = 0
        self.selection_anchor: int | None = None
        """Where the selection started; ``None`` when nothing is selected."""
        self.selecting = False
        """Sticky selection mode (``v``): motions extend the selection."""
        self.entities: list[Entity] = []
        self.hidden_labels: set[str] = set()
        self.annotations: list[Annotation] = []
        self.hits: list[Span] = []
        self.tag_styles: dict[str, Style] = {}
        self._layout: Layout | None = None
        self.top = 0
        """The first visual line shown."""
        self._base_style = Style()
        self._styles: dict[str, Style] = {}
        self._size = Size(0, 0)
        self._marks: list[Strip] = []
        self._strips: dict[int, Strip] = {}
        self._dragging = False
        self._legible: dict[Style, Style] = {}
        self._units: dict[str, tuple[list[Span], list[int]]] = {}
        """Word, sentence and paragraph spans with their starts, computed on first use."""
        self._entity_ends: list[int] = []
        self._entity_starts: list[int] = []
        self._hit_ends: list[int] = []
        self._ann_by_line: dict[int, list[Annotation]] = {}

    def units(self, unit: str) -> tuple[list[Span], list[int]]:
        """Spans of ``unit`` (word, sentence, paragraph) and their starts, for bisect."""
        cached = self._units.get(unit)
        if cached is None:
            finder = {"word": word_spans, "sentence": sentence_spans, "paragraph": paragraph_spans}[unit]
            spans = finder(self.text)
            cached = (spans, [sp.start for sp in spans])
            self._units[unit] = cached
        return cached

    # -- attributes down ------------------------------------------------------------------------

    def set_entities(self, entities: list[Entity]) -> None:
        self.entities = entities
        self._entity_starts = [e.start for e in entities]
        self._entity_ends = [e.end for e in entities]
        self.redraw()

    def set_hidden_labels(self, hidden: set[str]) -> None:
        self.hidden_labels = set(hidden)
        self.redraw()

    def set_annotations(self, records: list[Annotation]) -> None:
        old = {(r["start"], r["end"], r["tag"]) for r in self.annotations}
        self.annotations = sorted(records, key=lambda r: (r["start"], r["end"]))
        self._index_annotations()
        changed = old ^ {(r["start"], r["end"], r["tag"]) for r in self.annotations}
        if self._layout is None or len(changed) > 20:
            self.redraw()
            return
        # Repaint only the lines whose annotations changed.
        for start, end, _ in changed:
            self._touch_lines(start, max(start, end - 1))

    def set_hits(self, hits: list[Span]) -> None:
        self.hits = hits
        self._hit_ends = [h.end for h in hits]
        self.redraw()

    def redraw(self) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        # A new theme: cached lines hold the old colours (and the old background).
        super().notify_style_update()
        self._strips.clear()
        self._legible.clear()
        self.refresh()

    # -- geometry ----------------------------------------------------------------------------

    @property
    def layout_(self) -> Layout:
        if self._layout is None:
            self._relayout()
        assert self._layout is not None
        return self._layout

    def _text_width(self) -> int:
        # The gutter on the left, a space and the scroll indicator on the right.
        return max(8, self.size.width - GUTTER - 2)

    def _relayout(self) -> None:
        self._layout = wrap(self.text, self._text_width())
        self._strips.clear()
        self._index_annotations()

    def _index_annotations(self) -> None:
        self._ann_by_line = {}
        if self._layout is None:
            return
        for record in self.annotations:
            first = self._layout.line_of(record["start"])
            last = self._layout.line_of(max(record["start"], record["end"] - 1))
            for line in range(first, last + 1):
                self._ann_by_line.setdefault(line, []).append(record)

    def on_resize(self, event: Resize) -> None:
        if self._layout is None or self._layout.width != self._text_width():
            self._relayout()
        # A taller or wider view may now reach past the end: pull it back, then show the cursor.
        self.scroll_to_line(self.top)
        self.scroll_to_cursor()
        self.refresh(self.size.region)

    # -- rendering ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and geometry cost DOM walks: work them out once per paint, not per line.
        self._base_style = self.rich_style
        self._styles.clear()
        self._size = self.size
        self._marks = self._scroll_marks()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self.top + y
        width = self._size.width
        if self._layout is None and width <= GUTTER:
            return Strip.blank(width, self._base_style)  # not laid out yet: no width to wrap to
        layout = self.layout_
        if line >= layout.line_count:
            return Strip.blank(width, self._base_style)
        strip = self._strips.get(line)
        if strip is None:
            strip = self._render_visual_line(line)
            self._strips[line] = strip
        mark = self._marks[y] if y < len(self._marks) else self._marks[-1]
        return Strip.join([strip.crop_extend(0, width - 1, self._base_style), mark])

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(f"document-view--{name}", partial=True)
            self._styles[name] = style
        return style

    def _render_visual_line(self, line: int) -> Strip:
        """Build one visual line as segments: collect style changes, then cut runs."""
        layout = self.layout_
        start, end = layout.starts[line], layout.ends[line]
        length = end - start
        # Layers, lowest first: entity, annotation tag, underline, hit, selection, cursor.
        marks: list[tuple[int, int, int, Style]] = []
        i = bisect_right(self._entity_ends, start)
        while i < len(self.entities) and self.entities[i].start < end:
            e = self.entities[i]
            if e.label not in self.hidden_labels:
                marks.append(
                    (max(e.start, start) - start, min(e.end, end) - start, 0, self._style(e.label.lower()))
                )
            i += 1
        records = self._ann_by_line.get(line, [])
        if records:
            depth = [0] * (length + 1)
            for record in records:
                a, b = max(record["start"], start) - start, min(record["end"], end) - start
                style = self._tag_style(record["tag"])
                if style is not None:
                    marks.append((a, b, 1, style))
                for k in range(a, b):
                    depth[k] += 1
            k = 0
            while k < length:
                if depth[k]:
                    j = k
                    while j < length and depth[j] == depth[k]:
                        j += 1
                    # One annotation: underline; overlapping ones: double underline.
                    marks.append(
                        (k, j, 2, self._style("annotation") if depth[k] == 1 else Style(underline2=True))
                    )
                    k = j
                else:
                    k += 1
        h = bisect_right(self._hit_ends, start)
        while h < len(self.hits) and self.hits[h].start < end:
            hit = self.hits[h]
            marks.append((max(hit.start, start) - start, min(hit.end, end) - start, 3, self._style("hit")))
            h += 1
        selection = self.selection
        if selection is not None and selection.start < end and selection.end > start:
            a, b = max(selection.start, start) - start, min(selection.end, end) - start
            marks.append((a, b, 4, self._style("selection")))
        text = displayable(self.text[start:end])
        cursor_at_end = False
        if start <= self.cursor <= end and layout.line_of(self.cursor) == line:
            if self.cursor < end:
                marks.append((self.cursor - start, self.cursor - start + 1, 5, self._style("cursor")))
            else:
                cursor_at_end = True
        base = self._base_style
        segments = [self._gutter(records)]
        if not marks:
            segments.append(Segment(text, self._readable(base)))
        else:
            cuts = sorted({0, length, *(a for a, _, _, _ in marks), *(b for _, b, _, _ in marks)})
            marks.sort(key=lambda m: m[2])
            for a, b in zip(cuts, cuts[1:], strict=False):
                if a >= b:
                    continue
                style = base
                for ma, mb, _, mstyle in marks:
                    if ma <= a and b <= mb:
                        style = style + mstyle
                segments.append(Segment(text[a:b], self._readable(style)))
        if cursor_at_end:
            segments.append(Segment(" ", self._readable(base + self._style("cursor"))))
        return Strip(segments)

    def _tag_style(self, tag: str) -> Style | None:
        """The tag's colour blended into this theme's background, for a passage's backdrop."""
        given = self.tag_styles.get(tag)
        if given is None or given.bgcolor is None:
            return given
        key = f"tag:{tag}"
        style = self._styles.get(key)
        if style is None:
            colour, backdrop = _rgb(given.bgcolor), _rgb(self._base_style.bgcolor)
            if colour is None or backdrop is None:
                style = given
            else:
                style = Style(bgcolor=RichColor.from_rgb(*mix(backdrop, colour, 0.45)))
            self._styles[key] = style
        return style

    def _readable(self, style: Style) -> Style:
        """``style`` with its text colour moved just far enough to read on its background."""
        fixed = self._legible.get(style)
        if fixed is None:
            fg, bg = _rgb(style.color), _rgb(style.bgcolor)
            fixed = style
            if fg is not None and bg is not None:
                better = legible(fg, bg)
                if better != fg:
                    fixed = style + Style(color=RichColor.from_rgb(*better))
            self._legible[style] = fixed
        return fixed

    def _gutter(self, records: list[Annotation]) -> Segment:
        style = self._base_style + self._style("gutter")
        if not records:
            return Segment(" " * GUTTER, self._base_style)
        first = records[0]
        mark = "▌" if len(records) == 1 else str(min(len(records), 9))
        tag_style = self.tag_styles.get(first["tag"])
        if tag_style is not None and tag_style.bgcolor is not None:
            style = style + Style(color=tag_style.bgcolor)
        return Segment(mark + " ", self._readable(style))

    # -- cursor and selection ------------------------------------------------------------

    @property
    def selection(self) -> Span | None:
        if self.selection_anchor is None or self.selection_anchor == self.cursor:
            return None
        return Span(min(self.selection_anchor, self.cursor), max(self.selection_anchor, self.cursor))

    def _touch_lines(self, *offsets: int) -> None:
        """Forget the cached strips of the lines between these offsets and repaint them only."""
        layout = self.layout_
        lines = [layout.line_of(o) for o in offsets]
        first, last = min(lines), max(lines)
        for line in range(first, last + 1):
            self._strips.pop(line, None)
        top = self.top
        height = self.size.height
        first, last = max(first, top), min(last, top + height - 1)
        if first <= last:
            self.refresh(Region(0, first - top, self.size.width, last - first + 1))

    def move_to(self, offset: int, extend: bool = False) -> None:
        """Put the cursor at ``offset``; ``extend`` (or select mode) grows the selection."""
        offset = min(max(offset, 0), len(self.text))
        old_cursor, old_selection = self.cursor, self.selection
        if extend or self.selecting:
            if self.selection_anchor is None:
                self.selection_anchor = self.cursor
        else:
            self.selection_anchor = None
        self.cursor = offset
        bounds = [old_cursor, offset]
        for sel in (old_selection, self.selection):
            if sel is not None:
                bounds += [sel.start, sel.end]
        self._touch_lines(*bounds)
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self, offset))
        if old_selection != self.selection:
            self.post_message(self.SelectionChanged(self, self.selection))

    def select(self, span: Span | None) -> None:
        """Select ``span`` (cursor at its end) or clear the selection."""
        old = self.selection
        if span is None:
            self.selection_anchor = None
            self.selecting = False
            bounds = [self.cursor] + ([old.start, old.end] if old else [])
            self._touch_lines(*bounds)
        else:
            self.selection_anchor = span.start
            old_cursor = self.cursor
            self.cursor = span.end
            bounds = [old_cursor, span.start, span.end] + ([old.start, old.end] if old else [])
            self._touch_lines(*bounds)
            self.scroll_to_cursor()
            self.post_message(self.CursorMoved(self, self.cursor))
        if old != self.selection:
            self.post_message(self.SelectionChanged(self, self.selection))

    def scroll_to_cursor(self) -> None:
        if not self.size.height:
            return
        line = self.layout_.line_of(self.cursor)
        height = self.size.height
        if line < self.top:
            self.scroll_to_line(line)
        elif line >= self.top + height:
            self.scroll_to_line(line - height + 1)

    def scroll_to_line(self, top: int) -> None:
        """Show visual line ``top`` first (clamped), repainting this widget only."""
        top = max(0, min(top, self.layout_.line_count - self.size.height))
        if top != self.top:
            self.top = top
            # Name the whole region: a bare refresh() after a partial one in the same tick left
            # the scroll indicator column unpainted on the terminal.
            self.refresh(self.size.region)

    def _scroll_marks(self) -> list[Strip]:
        """The scroll indicator on the right edge, one cell per row."""
        count = self._layout.line_count if self._layout else 0
        height = self._size.height
        if count <= height or height <= 0:
            return [Strip([Segment(" ", self._base_style)])]
        thumb = max(1, height * height // count)
        at = (height - thumb) * self.top // max(1, count - height)
        style = self._base_style + self._style("gutter")
        bar, track = Strip([Segment("┃", style)]), Strip([Segment("│", self._base_style + Style(dim=True))])
        return [bar if at <= y < at + thumb else track for y in range(height)]

    def on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        self.scroll_to_line(self.top + 3)

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.scroll_to_line(self.top - 3)

    def _target(self, unit: str, direction: int) -> int:
        c = self.cursor
        n = len(self.text)
        layout = self.layout_
        if unit == "char":
            return c + direction
        if unit in ("line", "page"):
            step = direction * (max(1, self.size.height - 1) if unit == "page" else 1)
            line = layout.line_of(c)
            return layout.offset_at(line + step, layout.column_of(c))
        if unit == "doc":
            return 0 if direction < 0 else n
        spans, starts = self.units(unit)
        if direction > 0:
            i = bisect_right(starts, c)
            return starts[i] if i < len(starts) else n
        i = bisect_left(starts, c) - 1
        return starts[i] if i >= 0 else 0

    def action_move(self, unit: str, direction: int, extend: bool = False) -> None:
        self.move_to(self._target(unit, direction), extend=extend)

    def action_toggle_select(self) -> None:
        self.selecting = not self.selecting
        if self.selecting and self.selection_anchor is None:
            self.selection_anchor = self.cursor
        # Leaving select mode keeps the selection, so it can be tagged.
        self.refresh_bindings()

    def unit_at(self, unit: str, offset: int | None = None) -> Span | None:
        offset = self.cursor if offset is None else offset
        if unit in ("sentence", "paragraph"):
            spans, starts = self.units(unit)
            return _containing(spans, starts, offset) or _nearest_before(spans, starts, offset)
        if unit == "entity":
            i = bisect_right(self._entity_starts, offset) - 1
            if i >= 0 and self.entities[i].start <= offset < self.entities[i].end:
                return Span(self.entities[i].start, self.entities[i].end)
            return None
        raise ValueError(unit)

    def action_select_unit(self, unit: str) -> None:
        span = self.unit_at(unit)
        if span is None:
            self.notify(f"no {unit} under the cursor", severity="warning")
            return
        self.selecting = False
        self.select(span)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With nothing selected, escape falls through to the screen (back to the library).
        if action == "clear_selection":
            return self.selection is not None or self.selecting
        return True

    def action_clear_selection(self) -> None:
        self.select(None)

    # -- mouse -------------------------------------------------------------------------------

    def _offset_at(self, x: int, y: int) -> int:
        line = self.top + y
        layout = self.layout_
        if line >= layout.line_count:
            return len(self.text)
        return layout.offset_at(line, x - GUTTER - self.styles.padding.left)

    def on_mouse_down(self, event: MouseDown) -> None:
        self.focus()
        offset = self._offset_at(event.x, event.y)
        self.selecting = False
        self.selection_anchor = None
        self.move_to(offset)
        self.selection_anchor = offset
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._dragging:
            self.move_to(self._offset_at(event.x, event.y), extend=True)

    def on_mouse_up(self, event: MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.selection_anchor == self.cursor:
                self.selection_anchor = None


def _rgb(colour: RichColor | None) -> tuple[int, int, int] | None:
    """A colour's RGB, or ``None`` for the terminal's own default (unknown to us)."""
    if colour is None or colour.is_default:
        return None
    r, g, b = colour.get_truecolor()
    return (r, g, b)


def _nearest_before(spans: Sequence[Span], starts: list[int], offset: int) -> Span | None:
    i = bisect_right(starts, offset) - 1
    return spans[i] if i >= 0 else (spans[0] if spans else None)
