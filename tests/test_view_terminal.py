"""The reading view as the terminal shows it: scrolling, resizing and every bundled theme.

These replay the app's screen updates (tests/terminal.py), so a cell the app forgets to
repaint shows up here as it would in a real terminal.
"""

from __future__ import annotations

import re

import pytest
from rich.style import Style
from textual.app import App

from reader.palette import MINIMUM_CONTRAST, contrast
from reader.tui.app import make_app
from reader.tui.widgets.document_view import DocumentView
from reader.tui.widgets.legend import Legend

from .conftest import SEED_000
from .terminal import Terminal
from .test_app import open_first, settings, store  # noqa: F401 - fixtures

# ansi-dark and ansi-light draw with the terminal's own palette, which no program can read, so
# no contrast can be computed for them; every other bundled theme is checked.
THEMES = sorted(t for t in App().available_themes if not t.startswith("ansi-"))


def indicator(term: Terminal, view: DocumentView) -> str:
    region = view.content_region
    return term.column(region.right - 1, region.y, region.bottom)


async def test_scroll_indicator_follows_g_after_G_on_the_terminal(settings, store, corpus) -> None:  # noqa: F811
    app = make_app(settings, store=store, corpus=corpus)
    term = Terminal(app)
    async with app.run_test(size=(100, 20)) as pilot:
        view = await open_first(pilot)
        assert view.layout_.line_count > view.size.height
        assert indicator(term, view).startswith("┃") and indicator(term, view).count("┃") == 1
        await pilot.press("G")
        await pilot.pause()
        assert view.top > 0 and indicator(term, view).endswith("┃")
        await pilot.press("g")
        await pilot.pause()
        assert view.top == 0
        column = indicator(term, view)
        assert column.startswith("┃") and column.count("┃") == 1, column
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        column = indicator(term, view)
        assert not column.startswith("┃") and not column.endswith("┃") and "┃" in column


async def test_a_wider_window_never_leaves_the_view_past_the_end(settings, store, corpus) -> None:  # noqa: F811
    app = make_app(settings, store=store, corpus=corpus)
    term = Terminal(app)
    async with app.run_test(size=(80, 20)) as pilot:
        view = await open_first(pilot)
        await pilot.press("G")
        await pilot.pause()
        await pilot.resize_terminal(220, 20)
        await pilot.pause()
        await pilot.pause()
        count, height = view.layout_.line_count, view.size.height
        assert view.top == max(0, count - height)
        region = view.content_region
        bottom = term.row(region.bottom - 1, region.x, region.right - 2).strip()
        assert bottom, "the last row of the view is blank"
        assert indicator(term, view).endswith("┃")
        await pilot.resize_terminal(220, 60)  # taller: the view pulls back to the end again
        await pilot.pause()
        await pilot.pause()
        assert view.top == max(0, view.layout_.line_count - view.size.height) < count - height


@pytest.mark.parametrize("theme", THEMES)
async def test_every_colour_drawn_reads_at_4_5_to_1_in_every_bundled_theme(
    settings,  # noqa: F811
    store,  # noqa: F811
    corpus,
    theme,
) -> None:
    """Entities, tag backgrounds (every default tag), a hit on an entity word and the selection."""
    text = corpus.get(SEED_000).text
    names = [m for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text) if m.start() > 100]
    for tag, name in zip([t.name for t in settings.tags], names[::2], strict=False):
        store.add(SEED_000, name.start(), name.end(), tag)  # every default tag over a capitalised word
    app = make_app(settings, store=store, corpus=corpus)
    term = Terminal(app)
    async with app.run_test(size=(120, 60)) as pilot:
        view = await open_first(pilot)
        app.theme = "textual-dark" if theme != "textual-dark" else "textual-light"
        await pilot.pause()
        app.theme = theme
        await pilot.pause()
        await pilot.press("slash", *"Russia", "enter")  # hits over GPE words, some tagged
        await pilot.pause()
        view.focus()
        view.move_to(text.index("Belarus"))
        await pilot.press("shift+right", "shift+right", "shift+right")  # a selection
        await pilot.pause()
        background = view.background_colors[1].rgb
        region = view.content_region
        cells = [(x, y) for y in range(region.y, region.bottom) for x in range(region.x, region.right)]
        legend = app.screen.query_one(Legend).region
        row = term.row(legend.y, legend.x, legend.right)
        cells += [(legend.x + i, legend.y) for m in re.finditer(r"[A-Z]+ \d+", row) for i in range(*m.span())]
        checked = 0
        for x, y in cells:
            char, style = term.cells.get((x, y), (" ", None))
            if not char.strip() or char in "┃│▌" or style is None or style.strike:
                continue  # glyphs of the gutter and scroll bar; hidden labels are struck out, dim
            fg, bg = _rgb(style, "color"), _rgb(style, "bgcolor")
            assert fg is not None and bg is not None, (theme, char, style)
            if style.reverse:
                fg, bg = bg, fg
            ratio = contrast(fg, bg)
            assert ratio >= MINIMUM_CONTRAST, (theme, char, term.row(y, region.x, region.right), ratio)
            checked += 1
        assert checked > 1000
        # No line keeps the previous theme's background after the switch.
        plain = {
            _rgb(term.style_at(x, y) or Style(), "bgcolor")
            for y in range(view.content_region.y, view.content_region.bottom)
            for x in (view.content_region.x, view.content_region.right - 2)
        }
        assert plain == {background}, (theme, plain, background)


def _rgb(style: Style, attribute: str) -> tuple[int, int, int] | None:
    colour = getattr(style, attribute)
    if colour is None or colour.is_default:
        return None
    triplet = colour.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)
