"""ReaderApp and ``make_app``: the app built from explicit settings, corpus and store."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.color import Color
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from reader.config import Settings
from reader.corpus import DispatchSource
from reader.errors import ReaderError
from reader.inert import inert, plural
from reader.models import ENTITY_LABELS, Dispatch, Entity
from reader.palette import legible
from reader.store import AnnotationStore, Record
from reader.undo import UndoHistory
from reader.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


STATUS_TABLE = "_status"
EXPORT_DEFAULTS = {
    "json": "annotations-export.json",
    "jsonl": "annotations-export.jsonl",
    "w3c": "annotations-export.w3c.jsonld",
    "brat": "annotations-brat",
    "conll": "annotations-export.conll",
    "spacy": "annotations-export.spacy.jsonl",
    "doccano": "annotations-export.doccano.jsonl",
    "csv": "annotations-export.csv",
    "labelstudio": "annotations-export.labelstudio.json",
    "prodigy": "annotations-export.prodigy.jsonl",
    "webanno": "annotations-webanno-tsv",
    "xmi": "annotations-xmi",
}
LONG_TEXT = 200_000
"""Characters from which entity recognition runs in a separate process."""


class ReaderApp(App[None]):
    """Library and reader over a corpus and an annotation store."""

    CSS_PATH = "reader.tcss"
    TITLE = "dispatch-reader"
    BINDINGS = [
        # priority: an Input would take ctrl+e (end of line) and the export would never come.
        Binding("ctrl+e", "export", "Export annotations as JSON", show=False, priority=True),
        Binding("ctrl+l", "learn", "Learn entities from your corrections", show=False),
        Binding("ctrl+b", "toggle_blind", "Blind: show only your own annotations, or everyone's", show=False),
    ]
    LEARN_OFFER_EVERY = 10
    """Entity corrections between two offers to train the personal model."""

    def __init__(
        self, settings: Settings, workspace: Workspace, store: AnnotationStore, store_problem: str = ""
    ) -> None:
        super().__init__()
        self.settings = settings
        self.workspace = workspace
        self.corpus: DispatchSource = workspace.corpus
        self.store = store
        self.store_problem = store_problem
        self.blind = settings.blind
        """Show only this annotator's annotations (``blind = true``, ``--blind``, ctrl+b)."""
        self.history = UndoHistory()
        self.hidden_labels: set[str] = {lab for lab in ENTITY_LABELS if lab not in settings.labels_shown}
        self._entities: dict[str, list[Entity]] = {}
        self.entity_counts: dict[str, int] = {}
        self.read_ids: set[str] = {row["key"] for row in store.table_rows(STATUS_TABLE) if row.get("read")}
        self.lexicon = _lexicon_of(store)
        self._executor: ProcessPoolExecutor | None = None
        self.corrections_since_learn = 0
        self.learning = False
        # What the catalog already knows: the Entities column paints with the library.
        self.entity_counts.update(workspace.catalog.entity_counts(workspace.entity_key(self.lexicon)))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: it may quote a tag, a file name or a note, so it
        is made inert and never parsed as markup (widgets pass ``markup=True`` by default)."""
        super().notify(
            inert(message, 500), title=inert(title, 80), severity=severity, timeout=timeout, markup=False
        )

    def on_mount(self) -> None:
        from reader.tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.store_problem:
            self.notify(self.store_problem, title="Opened read-only", severity="error", timeout=15)

    # -- shared state --------------------------------------------------------------------

    def entities_of(self, dispatch: Dispatch, compute_only: bool = False) -> list[Entity]:
        """Entities of a dispatch with the configured backend and the lexicon snapshot.

        Safe in a thread worker (``compute_only``): it reads no store, only the snapshot.
        """
        from reader.recognizer import recognize

        cached = self._entities.get(dispatch.id)
        if cached is not None:
            return cached
        try:
            found = recognize(dispatch.text, self.workspace.backend, self.lexicon)
        except ReaderError:
            found = recognize(dispatch.text, "rules", self.lexicon)
        if not compute_only:
            self._entities[dispatch.id] = found
            self.entity_counts[dispatch.id] = len(found)
        return found

    def cached_entities(self, dispatch_id: str) -> list[Entity] | None:
        return self._entities.get(dispatch_id)

    def remember_entities(self, dispatch_id: str, entities: list[Entity]) -> None:
        self._entities[dispatch_id] = entities
        self.entity_counts[dispatch_id] = len(entities)

    def recognize_off_thread(self, dispatch: Dispatch) -> list[Entity]:
        """Entities of a dispatch, from a worker thread; long texts go to a process.

        The recognizer's regular expressions hold the GIL: on a long text a thread would
        stall the interface, a process does not.
        """
        if len(dispatch.text) < LONG_TEXT:
            return self.entities_of(dispatch, compute_only=True)
        from reader.recognizer import recognize

        backend = self.workspace.backend
        if backend.startswith("spacy:"):
            backend = "rules"
        try:
            return self.entity_executor().submit(recognize, dispatch.text, backend, self.lexicon).result()
        except Exception:  # noqa: BLE001 - no worker process here: do it in this thread
            return self.entities_of(dispatch, compute_only=True)

    @staticmethod
    def prepare_subprocesses() -> None:
        """Let worker processes start from inside the app.

        multiprocessing's resource tracker inherits stderr by file descriptor, and Textual
        has replaced sys.stderr with an object that has none.
        """
        from multiprocessing import resource_tracker

        saved, sys.stderr = sys.stderr, sys.__stderr__
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved

    def entity_executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self.prepare_subprocesses()
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return self._executor

    def on_unmount(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def corrected(self) -> None:
        """An entity label was given or taken back; every so often, offer to learn."""
        self.corrections_since_learn += 1
        if self.corrections_since_learn % self.LEARN_OFFER_EVERY == 0 and self.settings.ner == "model":
            self.notify(
                f"{plural(self.corrections_since_learn, 'entity correction')} since the model last learned: "
                "press ctrl+l to train your personal model on them",
                title="Learn",
                timeout=10,
            )

    def action_learn(self) -> None:
        """Train the personal model on the store's corrections, in the worker process."""
        from reader.recognizer import lexicon_of

        if self.learning:
            self.notify("already learning", timeout=3)
            return
        if self.settings.ner != "model":
            self.notify(
                f"learning needs the model backend (in effect: {self.settings.ner})", severity="warning"
            )
            return
        records = [(r["dispatch_id"], r["start"], r["end"], r["tag"]) for r in self.store.all()]
        taught, rejected = lexicon_of(self.store)
        self.learning = True
        self.notify("learning from your corrections ...", timeout=4)
        self.run_worker(
            lambda: self._learn_off_thread(records, taught, rejected),
            thread=True,
            exclusive=True,
            group="learn",
        )

    def _learn_off_thread(
        self, records: list[tuple[str, int, int, str]], taught: list[tuple[str, str]], rejected: list[str]
    ) -> None:
        from reader.ner.learn import collect, learn_bytes

        try:
            documents = collect(self.workspace.for_thread().corpus, records, taught, rejected)
            if not documents:
                result: tuple[bytes, str] | str = (
                    "nothing to learn from yet: tag names with entity labels (PERSON, ORG, GPE, ...)"
                )
            else:
                result = self.entity_executor().submit(learn_bytes, documents).result()
        except Exception as exc:  # noqa: BLE001 - any failure is a notification, never a crash
            result = f"learning failed: {exc}"
        self.call_from_thread(self._learned, result)

    def _learned(self, result: tuple[bytes, str] | str) -> None:
        import os

        from reader.export import write_bytes_atomic
        from reader.recognizer import personal_model_path

        self.learning = False
        if isinstance(result, str):
            self.notify(result, severity="warning")
            return
        data, summary = result
        target = personal_model_path(os.path.realpath(self.settings.db))
        try:
            write_bytes_atomic(target, data)
        except OSError as exc:
            self.notify(f"{target}: cannot write the personal model ({exc.strerror})", severity="error")
            return
        self.corrections_since_learn = 0
        self.relearn()
        self.notify(f"{summary}; personal model {target}", title="Learned", timeout=8)
        refresh = getattr(self.screen, "refresh_entities", None)
        if callable(refresh):
            refresh()

    def relearn(self) -> None:
        """Re-read the lexicon after an entity-label annotation changed; recompute lazily."""
        self.lexicon = _lexicon_of(self.store)
        self._entities.clear()
        self.entity_counts.clear()
        self.entity_counts.update(
            self.workspace.catalog.entity_counts(self.workspace.entity_key(self.lexicon))
        )

    def mark_read(self, dispatch_id: str) -> None:
        if dispatch_id in self.read_ids or self.store.readonly:
            return
        try:
            self.store.put_row(STATUS_TABLE, dispatch_id, {"read": True})
        except ReaderError:
            return
        self.read_ids.add(dispatch_id)

    # -- annotators ----------------------------------------------------------------------

    def shown_records(self, records: list[Record]) -> list[Record]:
        """The records to show: in blind mode only this annotator's."""
        if not self.blind:
            return records
        me = self.store.annotator
        return [r for r in records if r["annotator"] == me]

    def annotation_counts(self) -> dict[str, int]:
        """Annotations per dispatch, as the library shows them (one's own in blind mode)."""
        if not self.blind:
            return self.store.counts()
        return self.store.counts_by_annotator().get(self.store.annotator, {})

    def dispatches_done(self) -> dict[str, int]:
        """Dispatches each annotator has annotated."""
        return {a: len(per) for a, per in self.store.counts_by_annotator().items()}

    def action_toggle_blind(self) -> None:
        self.blind = not self.blind
        screen = self.screen
        refresh = getattr(screen, "annotators_changed", None)
        if callable(refresh):
            refresh()
        who = self.store.annotator
        self.notify(
            f"blind: only {who}'s annotations are shown"
            if self.blind
            else "showing every annotator's annotations",
            timeout=4,
        )

    def tag_styles(self) -> dict[str, Style]:
        """Each configured tag's colour as a background; the reading view blends it into the theme."""
        styles = {}
        for tag in self.settings.tags:
            if tag.colour:
                try:
                    colour = Color.parse(tag.colour)
                except Exception:  # noqa: BLE001 - a bad colour in the config is not fatal
                    continue
                styles[tag.name] = Style(bgcolor=colour.rich_color)
        return styles

    def label_styles(self, on: Widget | None = None) -> dict[str, Style]:
        """Each entity label's style, its colour made legible on ``on``'s background."""
        from reader.tui.widgets.document_view import DocumentView

        views = self.screen.query(DocumentView)
        if views:
            view = views.first()
            styles = {
                lab: view.get_component_rich_style(f"document-view--{lab.lower()}", partial=True)
                for lab in ENTITY_LABELS
            }
        else:
            from reader.render import LABEL_STYLES

            styles = {lab: Style.parse(style) for lab, style in LABEL_STYLES.items()}
        if on is None:
            return styles
        r, g, b = on.background_colors[1].rgb
        for lab, style in styles.items():
            if style.color is not None and not style.color.is_default:
                fg = style.color.get_truecolor()
                better = legible((fg.red, fg.green, fg.blue), (r, g, b))
                styles[lab] = style + Style(color=RichColor.from_rgb(*better))
        return styles

    # -- navigation ----------------------------------------------------------------------

    def tag_keys(self) -> dict[str, int]:
        """Keys the configuration gives tags, to the tag's position (1-based)."""
        return {tag.key: i for i, tag in enumerate(self.settings.tags, 1) if tag.key}

    def open_dispatch(
        self,
        dispatch_id: str,
        review: tuple[str, int, int] | None = None,
        select: tuple[int, int] | None = None,
    ) -> None:
        """Open a dispatch; ``review`` (annotation id, start, end) opens it to re-target one,
        ``select`` (start, end) with that span selected."""
        from reader.tui.screens.dispatch import DispatchScreen

        self.push_screen(DispatchScreen(self.corpus.require(dispatch_id), self.tag_keys(), review, select))

    def action_corpus_search(self) -> None:
        from reader.tui.screens.corpus_search import CorpusSearchScreen

        self.push_screen(CorpusSearchScreen())

    def action_stats(self) -> None:
        from reader.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def switch_dispatch(self, dispatch_id: str) -> None:
        from reader.tui.screens.dispatch import DispatchScreen

        self.switch_screen(DispatchScreen(self.corpus.require(dispatch_id), self.tag_keys()))

    # -- commands ------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Search the corpus", "Find words in every dispatch", self.action_corpus_search)
        yield SystemCommand(
            "Statistics", "Annotations per tag and dispatch, entities by label", self.action_stats
        )
        yield SystemCommand(
            "Merge a colleague's annotations",
            "Bring in another store or an export (idempotent: nothing is doubled)",
            self.action_merge,
        )
        from reader.formats import EXPORT_FORMATS

        for fmt in EXPORT_FORMATS:
            yield SystemCommand(
                f"Export annotations ({fmt})",
                f"Write every annotation as {fmt} to a path you choose",
                lambda fmt=fmt: self.action_export(fmt),
            )
        from reader.tui.screens.dispatch import DispatchScreen

        if isinstance(screen, DispatchScreen):
            for label in sorted({e.label for e in screen.entities}):
                state = "Show" if label in self.hidden_labels else "Hide"
                yield SystemCommand(
                    f"{state} {label} entities",
                    f"Toggle the highlighting of {label}",
                    lambda label=label: screen.toggle_label(label),
                )

    def action_export(self, fmt: str = "json") -> None:
        from reader.tui.screens.prompt import Prompt

        def chosen(path: str | None) -> None:
            if path:
                self.export_to(path, fmt)

        default = str(export_folder() / EXPORT_DEFAULTS.get(fmt, f"annotations-export.{fmt}"))
        from reader.formats import FOLDER_FORMATS

        what = "folder" if fmt in FOLDER_FORMATS else "file"
        self.push_screen(Prompt(f"Export all annotations as {fmt} to this {what}:", default), chosen)

    def export_to(self, path: str, fmt: str = "json") -> None:
        from reader.export import write_output
        from reader.formats import writer

        records = self.store.all()
        output = writer(fmt)(self.corpus, records)
        try:
            write_output(path, output)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        for loss in output.losses:
            self.notify(loss, title="What this format leaves out", severity="warning", timeout=8)
        self.notify(
            f"exported {plural(len(records), 'annotation')} to {Path(path).resolve()} ({fmt})", title="Export"
        )

    def action_merge(self) -> None:
        from reader.tui.screens.prompt import Prompt

        def chosen(path: str | None) -> None:
            if path:
                self.merge_from(path)

        self.push_screen(Prompt("Merge annotations from this store or export:", ""), chosen)

    def merge_from(self, path: str) -> None:
        """Merge one source into the store, as ``reader merge`` does; undoable."""
        from reader.merge import merge_into

        try:
            plan, before = merge_into(self.store, self.corpus, [Path(path).expanduser()], None)
        except ReaderError as exc:
            self.notify(str(exc), severity="error")
            return
        changed = plan.removes + [r["id"] for r in plan.puts]
        after = {r["id"]: r for r in plan.puts}
        if changed:  # one undo step, and none for a merge that changed nothing
            self.history.record("merge", [before.get(i) for i in changed], [after.get(i) for i in changed])
        for line in plan.conflicts[:5]:
            self.notify(line, title="Edited in two places", severity="warning", timeout=10)
        self.notify(
            f"merged {path}: {plan.added} added, {plan.updated} updated, {plan.unchanged} already here, "
            f"{len(plan.conflicts)} conflicts",
            title="Merge",
        )
        refresh = getattr(self.screen, "annotators_changed", None)
        if callable(refresh):
            refresh()


def export_folder() -> Path:
    """Where the app offers to write exports: a folder of the user's, never the working
    folder (often a clone of this project)."""
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "dispatch-reader"


def _lexicon_of(store: AnnotationStore) -> tuple[list[tuple[str, str]], list[str]]:
    from reader.recognizer import lexicon_of

    return lexicon_of(store)


def make_app(
    settings: Settings,
    store: AnnotationStore | None = None,
    corpus: DispatchSource | None = None,
    workspace: Workspace | None = None,
) -> ReaderApp:
    """Build the app. Tests pass their own store and corpus (or workspace); otherwise they
    come from settings: the catalog paints the library at once and is reconciled with the
    files in the background.

    A store that cannot be opened, or that another app holds, opens read-only with a message.
    """
    if workspace is None:
        if corpus is not None:
            workspace = Workspace.from_corpus(settings, corpus)
        else:
            from reader.workspace import stderr_progress

            workspace = Workspace.open(settings, scan=False, progress=lambda: stderr_progress("indexing"))
    corpus = workspace.corpus
    problem = ""
    if store is None:
        try:
            store = AnnotationStore.open(settings.db, corpus=corpus, annotator=settings.annotator)
        except ReaderError as exc:
            problem = f"{exc}. Nothing will be written."
            store = AnnotationStore.in_memory(corpus=corpus, annotator=settings.annotator)
            store.readonly = True
        else:
            if not store.readonly and not store.claim_session():
                store.close()
                store = AnnotationStore.open(
                    settings.db, corpus=corpus, annotator=settings.annotator, readonly=True
                )
                problem = (
                    f"{settings.db} is open in another reader app; this one is read-only. "
                    "Close the other to write."
                )
    return ReaderApp(settings, workspace, store, problem)


def run_app(settings: Settings) -> int:
    app = make_app(settings)
    try:
        app.run()
    finally:
        app.store.close()
        app.workspace.close()
    return app.return_code or 0
