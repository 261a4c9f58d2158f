"""DispatchScreen: read one dispatch, select by unit, tag, note, delete, undo, search.

The screen owns the state and calls the store (on the main thread); its widgets only show
what they are given and post messages.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

from reader.entities import LABELS as ENTITY_LABELS
from reader.errors import ReaderError
from reader.inert import inert, plural
from reader.models import Annotation, Dispatch, Entity, Span
from reader.search import compile_query
from reader.tui.screens.base import ReaderScreen
from reader.tui.widgets.annotation_list import AnnotationList
from reader.tui.widgets.dispatch_header import DispatchHeader
from reader.tui.widgets.document_view import DocumentView
from reader.tui.widgets.entity_list import EntityList
from reader.tui.widgets.legend import Legend

STATUS_HOLD = 4.0
"""Seconds a status saying what an action did is kept against hints."""


def trim(text: str, span: Span) -> Span:
    """The span without white space at either end."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


class DispatchScreen(ReaderScreen):
    BINDINGS = [
        Binding("t", "tag", "Tag", show=True),
        *[Binding(str(i), f"quick_tag({i})", f"Apply tag {i}", show=False) for i in range(1, 10)],
        Binding("a", "note", "Note", show=True),
        Binding("x", "delete", "Delete", show=True),
        Binding("ctrl+z", "undo", "Undo", show=True),
        Binding("ctrl+y", "redo", "Redo", show=True),
        Binding("slash", "search", "Search", show=True),
        Binding("n", "next_hit(1)", "Next hit", show=False),
        Binding("N", "next_hit(-1)", "Previous hit", show=False),
        Binding("right_square_bracket", "next_dispatch(1)", "Next dispatch", show=False),
        Binding("left_square_bracket", "next_dispatch(-1)", "Previous dispatch", show=False),
        Binding("L", "cycle_label", "Toggle a label", show=False),
        Binding("D", "dossier", "Where else: the dossier of the entity under the cursor", show=False),
        Binding("T", "tag_all", "Tag all occurrences of the selection or entity", show=False),
        Binding("R", "retarget", "Re-target the reviewed annotation to the selection", show=False),
        Binding("tab", "focus_panel", "Side panel", show=False),
        Binding("E", "switch_panel", "Side panel: Entities / Annotations", show=False),
        Binding("C", "curate", "Curate: where annotators differ here", show=False),
        Binding("escape", "back", "Library", show=True),
        Binding("question_mark", "help", "Help", show=True),
    ]

    def __init__(
        self,
        dispatch: Dispatch,
        tag_keys: dict[str, int] | None = None,
        review: tuple[str, int, int] | None = None,
        select: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.dispatch = dispatch
        self.initial_selection = select
        self.review = review
        """(annotation id, start, end) when opened from the review list to re-target one."""
        # Tags with a key of their own in the configuration: the key applies the tag.
        for key, index in (tag_keys or {}).items():
            self._bindings.bind(key, f"quick_tag({index})", f"Apply tag {index}", show=False)
        self.entities: list[Entity] = []
        self.records: list[Annotation] = []
        self.needing_review: list[Any] = []
        self.hits: list[Span] = []
        self._mention_cycle: tuple[str, int] = ("", -1)
        self._held_until = 0.0

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    def compose(self) -> ComposeResult:
        yield DispatchHeader(id="dispatch-header")
        yield Legend(id="legend")
        with Horizontal(id="dispatch-body"):
            yield DocumentView(self.dispatch.text, id="document")
            with Vertical(id="side-panel"):
                with TabbedContent(id="side-tabs"):
                    with TabPane("Annotations", id="tab-annotations"):
                        yield AnnotationList(id="annotation-list")
                    with TabPane("Entities", id="tab-entities"):
                        yield EntityList(id="entity-list")
        yield Input(placeholder="search this dispatch (enter keeps hits, escape clears)", id="search")
        yield Static(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        app = self.reader_app
        view = self.view
        view.tag_styles = app.tag_styles()
        view.set_hidden_labels(app.hidden_labels)
        self.query_one("#search").display = False
        self.reload_annotations()
        cached = app.cached_entities(self.dispatch.id)
        if cached is not None or len(self.dispatch.text) < 50_000:
            self.show_entities(cached if cached is not None else app.entities_of(self.dispatch))
        else:
            # A long dispatch paints at once; its entities arrive when the worker is done.
            self._status("finding entities…")
            self._find_entities()
        self._show_header()
        # Legend and entity list colours are made legible on the theme's background: redo them.
        app.theme_changed_signal.subscribe(self, lambda _theme: self.show_entities(self.entities))
        view.focus()
        app.mark_read(self.dispatch.id)
        if self.initial_selection is not None:
            view.select(Span(*self.initial_selection))
        if self.review is not None:
            _, start, end = self.review
            view.select(Span(start, min(end, len(self.dispatch.text))))
            self._status(
                "re-target: select the right span (s, p, e, v, shift+arrows), then R; escape returns"
            )

    class EntitiesFound(Message):
        def __init__(self, entities: list[Entity]) -> None:
            super().__init__()
            self.entities = entities

    @work(thread=True, exclusive=True, group="dispatch-entities")
    def _find_entities(self) -> None:
        self.post_message(self.EntitiesFound(self.reader_app.recognize_off_thread(self.dispatch)))

    def on_dispatch_screen_entities_found(self, message: EntitiesFound) -> None:
        self.reader_app.remember_entities(self.dispatch.id, message.entities)
        self.show_entities(message.entities)
        self._status(f"{len(message.entities)} entities")

    def show_entities(self, entities: list[Entity]) -> None:
        self.entities = entities
        self.view.set_entities(entities)
        entity_list = self.query_one(EntityList)
        entity_list.show(entities, self.reader_app.label_styles(on=entity_list))
        self._show_header()

    def _show_header(self) -> None:
        app = self.reader_app
        position = app.corpus.index_of(self.dispatch.id) + 1
        self.query_one(DispatchHeader).show(self.dispatch, position, len(app.corpus), app.store.readonly)
        legend = self.query_one(Legend)
        legend.show(self.entities, app.hidden_labels, app.label_styles(on=legend))

    def reload_annotations(self) -> None:
        from reader.check import place_for_display

        # Annotations made on an earlier version of the text are drawn where they are now,
        # or not at all: a span is never drawn on words it does not match.
        app = self.reader_app
        placement = place_for_display(
            app.shown_records(app.store.for_dispatch(self.dispatch.id)), self.dispatch
        )
        self.records = placement.shown
        self.needing_review = placement.needing_review
        if self.needing_review:
            self.notify(
                f"{plural(len(self.needing_review), 'annotation')} of this dispatch no longer match its "
                "text and are not shown: review them with r in the library",
                severity="warning",
                timeout=8,
            )
        self.view.set_annotations(self.records)
        # The text repaints first; the side list follows on the next frame.
        self.call_after_refresh(self.query_one(AnnotationList).show, self.records)

    def action_curate(self) -> None:
        from reader.tui.screens.curation import CurationScreen

        self.app.push_screen(CurationScreen(self.dispatch))

    def annotators_changed(self) -> None:
        """Blind mode was switched: show the annotations it allows."""
        self.reload_annotations()

    def _status(self, message: str, *, hint: bool = False) -> None:
        """Say ``message`` on the status line.

        What an action did ("tagged claim: ...", "mention 2 of 10") stays readable for
        :data:`STATUS_HOLD` seconds: a ``hint`` (what the selection allows) arriving in that
        time, as one does when the action itself moves the selection, does not replace it.
        """
        now = monotonic()
        if hint and now < self._held_until:
            return
        self._held_until = 0.0 if hint or not message else now + STATUS_HOLD
        # One line of fixed height: no need to lay the screen out again.
        # Plain text, made inert: a status may quote a tag, a search or a note.
        self.query_one("#status-line", Static).update(Text(inert(message, 300)), layout=False)

    # -- messages from widgets ----------------------------------------------------------------

    def on_document_view_selection_changed(self, message: DocumentView.SelectionChanged) -> None:
        if message.selection is not None:
            n = message.selection.end - message.selection.start
            self._status(f"{n} characters selected · t tag · 1-9 quick tag · escape clear", hint=True)
        else:
            self._status("", hint=True)

    def on_annotation_list_chosen(self, message: AnnotationList.Chosen) -> None:
        self.view.select(Span(message.record["start"], message.record["end"]))
        self.view.focus()

    def on_entity_list_chosen(self, message: EntityList.Chosen) -> None:
        key = f"{message.text}\t{message.label}"
        last_key, index = self._mention_cycle
        index = index + 1 if last_key == key else 0
        mention = message.mentions[index % len(message.mentions)]
        self._mention_cycle = (key, index)
        self.view.select(Span(mention.start, mention.end))
        self._status(
            f"{message.text} ({message.label}): "
            f"mention {index % len(message.mentions) + 1} of {len(message.mentions)}"
        )

    def on_legend_toggle_requested(self, message: Legend.ToggleRequested) -> None:
        self.toggle_label(message.label)

    # -- tagging ------------------------------------------------------------------------------

    def _selection_for_tagging(self) -> Span | None:
        selection = self.view.selection
        if selection is None:
            self.notify(
                "select something first: s sentence, p paragraph, e entity, v or shift+arrows",
                severity="warning",
            )
            return None
        span = trim(self.dispatch.text, selection)
        if span.start >= span.end:
            self.notify("the selection is only white space", severity="warning")
            return None
        return span

    def action_tag(self) -> None:
        span = self._selection_for_tagging()
        if span is None:
            return
        from reader.tui.screens.tag_picker import TagPicker

        quote = self.dispatch.text[span.start : span.end]

        def chosen(tag: str | None) -> None:
            if tag:
                self.apply_tag(span, tag)

        self.app.push_screen(TagPicker(list(self.reader_app.settings.tags), quote), chosen)

    def action_quick_tag(self, number: int) -> None:
        tags = self.reader_app.settings.tags
        if number > len(tags):
            self.notify(f"there is no tag {number}; the tag set has {len(tags)}", severity="warning")
            return
        span = self._selection_for_tagging()
        if span is not None:
            self.apply_tag(span, tags[number - 1].name)

    def apply_tag(self, span: Span, tag: str) -> None:
        app = self.reader_app
        try:
            record = app.store.add(self.dispatch, span.start, span.end, tag)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record(f"tag {tag}", [None], [record])
        self.view.select(None)
        self.reload_annotations()
        if tag in ENTITY_LABELS:
            self._relearn()
        self._status(f"tagged {tag}: “{record['quote'][:60]}”")

    def _entity_or_selection(self) -> str | None:
        view = self.view
        if view.selection is not None:
            trimmed = trim(self.dispatch.text, view.selection)
            return self.dispatch.text[trimmed.start : trimmed.end] or None
        entity = view.unit_at("entity")
        return self.dispatch.text[entity.start : entity.end] if entity is not None else None

    def action_dossier(self) -> None:
        name = self._entity_or_selection()
        if name is None:
            self.notify("put the cursor on an entity (or select a name) first", severity="warning")
            return
        from reader.tui.screens.dossier import DossierScreen

        self.app.push_screen(DossierScreen(name))

    def action_tag_all(self) -> None:
        quote = self._entity_or_selection()
        if quote is None:
            self.notify("select something, or put the cursor on an entity, first", severity="warning")
            return
        from reader.tui.screens.tag_all import TagAllScreen

        self.app.push_screen(TagAllScreen(quote, self.dispatch.id))

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload_annotations()

    def action_retarget(self) -> None:
        if self.review is None:
            self.notify("R re-targets an annotation opened from the review list (r in the library)")
            return
        span = self._selection_for_tagging()
        if span is None:
            return
        from reader.check import confirmed

        app = self.reader_app
        before = app.store.get(self.review[0])
        if before is None:
            self.notify("that annotation is gone", severity="error")
            return
        try:
            moved = app.store.update(before["id"], start=span.start, end=span.end)
            after = confirmed(moved)
            app.store.put(after)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record("re-target", [before], [after])
        self.review = (after["id"], after["start"], after["end"])
        self.view.select(None)
        self.reload_annotations()
        self._status(f"re-targeted [{after['tag']}] to “{after['quote'][:60]}”")

    def _relearn(self) -> None:
        """An entity-label annotation teaches the recognizer: recompute with the new lexicon."""
        app = self.reader_app
        app.corrected()
        app.relearn()
        self.refresh_entities()

    def refresh_entities(self) -> None:
        """Recompute this dispatch's entities (the lexicon or the model changed)."""
        app = self.reader_app
        if len(self.dispatch.text) < 50_000:
            self.show_entities(app.entities_of(self.dispatch))
        else:
            self._find_entities()

    def action_switch_panel(self) -> None:
        """Show the other tab of the side panel (entities or annotations)."""
        tabs = self.query_one("#side-tabs", TabbedContent)
        tabs.active = "tab-annotations" if tabs.active == "tab-entities" else "tab-entities"

    def _annotation_under_cursor(self) -> Annotation | None:
        cursor = self.view.cursor
        under = [r for r in self.records if r["start"] <= cursor < r["end"]]
        if not under and self.view.selection is not None:
            sel = self.view.selection
            under = [r for r in self.records if r["start"] == sel.start and r["end"] == sel.end]
        # The innermost (shortest) annotation wins where several overlap.
        return min(under, key=lambda r: r["end"] - r["start"]) if under else None

    def action_note(self) -> None:
        record = self._annotation_under_cursor()
        if record is None:
            self.notify("no annotation under the cursor; tag a selection first (t)", severity="warning")
            return
        from reader.tui.screens.note_editor import NoteEditor

        def saved(note: str | None) -> None:
            if note is None or note == record.get("note", ""):
                return
            app = self.reader_app
            try:
                after = app.store.update(record["id"], note=note)
            except ReaderError as exc:
                self.notify(str(exc), severity="error")
                return
            app.history.record("note", [record], [after])
            self.reload_annotations()
            self._status("note saved")

        quote = " ".join(record["quote"].split())
        self.app.push_screen(
            NoteEditor(f"Note on [{record['tag']}] “{quote[:60]}”", record.get("note", "")), saved
        )

    def action_delete(self) -> None:
        record = self._annotation_under_cursor()
        if record is None:
            self.notify("no annotation under the cursor", severity="warning")
            return
        app = self.reader_app
        try:
            app.store.remove(record["id"])
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        app.history.record("delete", [record], [None])
        self.reload_annotations()
        self._status(f"deleted [{record['tag']}] · ctrl+z brings it back")

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        app = self.reader_app
        try:
            step = app.history.undo(app.store) if which == "undo" else app.history.redo(app.store)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        if step is None:
            self.notify(f"nothing to {which}", severity="information", timeout=2)
            return
        self.reload_annotations()
        if any(r is not None and r["tag"] in ENTITY_LABELS for _, r in step.before + step.after):
            self._relearn()
        self._status(f"{which}: {step.label}")

    # -- search -------------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        query = event.value
        if not query:
            self.hits = []
        else:
            matcher = compile_query(query, regex=False, case=False)
            self.hits = [Span(start, end) for start, end in matcher.spans(self.dispatch.text)]
        self.view.set_hits(self.hits)
        if self.hits:
            cursor = self.view.cursor
            first = next((h for h in self.hits if h.start >= cursor), self.hits[0])
            self.view.move_to(first.start)
        self._status(f"{plural(len(self.hits), 'hit')} for “{query}” · n next · N previous" if query else "")

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.view.focus()

    def action_next_hit(self, direction: int) -> None:
        if not self.hits:
            self.notify("no search hits: / searches", severity="information", timeout=2)
            return
        cursor = self.view.cursor
        if direction > 0:
            target = next((h for h in self.hits if h.start > cursor), self.hits[0])
        else:
            target = next((h for h in reversed(self.hits) if h.start < cursor), self.hits[-1])
        self.view.move_to(target.start)
        self._status(f"hit {self.hits.index(target) + 1} of {len(self.hits)}")

    # -- navigation ---------------------------------------------------------------------------

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.value = ""
            search.display = False
            self.view.focus()
            return
        self.app.pop_screen()

    def action_next_dispatch(self, step: int) -> None:
        app = self.reader_app
        index = app.corpus.index_of(self.dispatch.id) + step
        if not 0 <= index < len(app.corpus):
            self.notify("no more dispatches that way", severity="information", timeout=2)
            return
        app.switch_dispatch(app.corpus.id_at(index))

    def action_focus_panel(self) -> None:
        panel = self.query_one(TabbedContent)
        if self.view.has_focus:
            active = panel.active_pane
            if active is not None:
                target = active.query_one(AnnotationList if active.id == "tab-annotations" else EntityList)
                if target.highlighted is None and target.option_count:
                    target.highlighted = 0
                target.focus()
        else:
            self.view.focus()

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def toggle_label(self, label: str) -> None:
        app = self.reader_app
        app.hidden_labels ^= {label}
        self.view.set_hidden_labels(app.hidden_labels)
        self._show_header()
        self._status(f"{label} {'hidden' if label in app.hidden_labels else 'shown'}")

    def action_cycle_label(self) -> None:
        labels = sorted({e.label for e in self.entities})
        if not labels:
            return
        hidden = [lab for lab in labels if lab in self.reader_app.hidden_labels]
        # Hide labels one by one, then show them all again.
        remaining = [lab for lab in labels if lab not in hidden]
        if remaining:
            self.toggle_label(remaining[0])
        else:
            app = self.reader_app
            app.hidden_labels -= set(labels)
            self.view.set_hidden_labels(app.hidden_labels)
            self._show_header()
            self._status("all labels shown")
