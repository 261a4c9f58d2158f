"""TagAllScreen: every occurrence of a quote, in this dispatch or the corpus, to tag at once.

Space leaves a hit out (or puts it back), `c` switches between this dispatch and the whole
corpus, Enter picks the tag and applies: one durable write, one undo step.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.errors import ReaderError
from reader.inert import one_line, plural
from reader.layout import displayable
from reader.tagall import Occurrence, find_occurrences, tag_occurrences
from reader.tui.screens.base import ReaderScreen


class TagAllScreen(ReaderScreen):
    BINDINGS = [
        Binding("space", "exclude", "Leave out / put back", show=True),
        Binding("c", "scope", "This dispatch / corpus", show=True),
        Binding("enter", "apply", "Tag them", show=True, priority=True),
        Binding("escape", "back", "Cancel", show=True),
    ]

    def __init__(self, quote: str, dispatch_id: str) -> None:
        super().__init__()
        self.quote = quote
        self.dispatch_id = dispatch_id
        self.corpus_wide = False
        self.hits: list[Occurrence] = []
        self.excluded: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="tag-all-title")
        yield OptionList(id="tag-all-hits")
        yield Footer()

    def on_mount(self) -> None:
        self.refill()
        self.query_one(OptionList).focus()

    def refill(self) -> None:
        app = self.reader_app
        scope = (
            app.corpus.candidates_for(self.quote)
            if self.corpus_wide
            else [app.corpus.require(self.dispatch_id)]
        )
        self.hits = find_occurrences(scope, self.quote, "\0", app.store)
        self.excluded = set()
        self._show()

    def _show(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for i, hit in enumerate(self.hits):
            line = Text()
            line.append("[ ] " if i in self.excluded else "[x] ", style="bold")
            line.append(f"{one_line(hit.dispatch_id)}  ", style="dim")
            line.append(displayable(hit.context), style="dim strike" if i in self.excluded else "")
            options.add_option(Option(line))
        if self.hits:
            options.highlighted = min(highlighted or 0, len(self.hits) - 1)
        where = "the whole corpus" if self.corpus_wide else one_line(self.dispatch_id)
        chosen = len(self.hits) - len(self.excluded)
        title = Text(
            f"Tag all “{displayable(self.quote)[:50]}” in {where}: {chosen} of {len(self.hits)}", style="bold"
        )
        self.query_one("#tag-all-title", Static).update(title)

    def action_exclude(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        self.excluded ^= {index}
        self._show()
        options = self.query_one(OptionList)
        if index + 1 < len(self.hits):
            options.highlighted = index + 1

    def action_scope(self) -> None:
        self.corpus_wide = not self.corpus_wide
        self.refill()

    def action_apply(self) -> None:
        chosen = [h for i, h in enumerate(self.hits) if i not in self.excluded]
        if not chosen:
            self.notify("nothing to tag", severity="warning")
            return
        from reader.tui.screens.tag_picker import TagPicker

        def picked(tag: str | None) -> None:
            if tag:
                self.apply(chosen, tag)

        self.app.push_screen(TagPicker(list(self.reader_app.settings.tags), self.quote), picked)

    def apply(self, chosen: list[Occurrence], tag: str) -> None:
        app = self.reader_app
        existing = {(r["dispatch_id"], r["start"], r["end"]) for r in app.store.all() if r["tag"] == tag}
        fresh = [h for h in chosen if (h.dispatch_id, h.start, h.end) not in existing]
        try:
            records = tag_occurrences(app.corpus, fresh, tag, app.store)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record(f"tag all {tag}", [None] * len(records), list(records))
        self.notify(f"tagged {plural(len(records), 'occurrence')} as {tag}", title="Tag all")
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
