"""Pilot tests: the app driven with keys (and the mouse), asserting on what the store holds."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from textual.binding import Binding

from reader.config import load_settings
from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui.app import make_app
from reader.tui.screens.dispatch import DispatchScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.tag_picker import TagPicker
from reader.tui.widgets.document_view import DocumentView

from .conftest import SEED_000, SEED_001, SEEDS, palette_found, until

SIZE = (120, 40)


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(
        corpus=[str(SEEDS)],
        db=str(tmp_path / "db.json"),
        config_path=tmp_path / "none.toml",
        env={},
    )


@pytest.fixture
def store(tmp_path: Path, corpus):  # type: ignore[no-untyped-def]
    s = AnnotationStore.open(tmp_path / "db.json", corpus=corpus, annotator="pilot")
    yield s
    s.close()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let a debounced search start and its worker finish, then the screen update."""
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_second(pilot) -> DocumentView:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("down", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DispatchScreen)
    return pilot.app.screen.query_one(DocumentView)


async def open_first(pilot) -> DocumentView:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DispatchScreen)
    return pilot.app.screen.query_one(DocumentView)


def status_of(app) -> str:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    return str(app.screen.query_one("#status-line", Static).render())


def sentence_containing(text: str, needle: str) -> str:
    from reader.segments import sentence_spans

    i = text.index(needle)
    s = next(s for s in sentence_spans(text) if s.start <= i < s.end)
    return text[s.start : s.end]


async def test_library_lists_dispatches_and_opens_one(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert [d.id for d in app.screen.rows] == [SEED_000, SEED_001]
        view = await open_first(pilot)
        assert view.text == corpus.get(SEED_000).text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_library_filter_over_full_text_and_sort(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"krzaklewski")  # only in the text of 000, not a title
        await settle(pilot)
        assert [d.id for d in app.screen.rows] == [SEED_000]
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen.rows) == 2
        await pilot.press("o", "o", "o", "o")  # id -> title -> source -> date -> words (descending)
        await pilot.pause()
        assert app.screen.sort_key == "words"
        assert [d.id for d in app.screen.rows] == [SEED_000, SEED_001]


async def test_select_sentence_and_tag_with_digit(settings, store, corpus) -> None:
    text = corpus.get(SEED_000).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        await pilot.press(*"}}}")  # to the dateline paragraph
        await pilot.press("s", "1")
        await pilot.pause(0.5)
        assert status_of(app).startswith(f"tagged {settings.tags[0].name}: “Prague, May 15")
        assert view.selection is None  # tagging clears the selection
        await pilot.press("s")  # a selection hint waits until the message has had time to be read
        await pilot.pause()
        assert status_of(app).startswith(f"tagged {settings.tags[0].name}")
        app.screen._held_until = 0.0  # as if the hold had run out
        await pilot.press("escape", "s")
        await pilot.pause()
        assert "characters selected" in status_of(app)
    records = store.for_dispatch(SEED_000)
    assert len(records) == 1
    expected = sentence_containing(text, "Prague, May 15")
    assert records[0]["quote"] == expected and records[0]["tag"] == settings.tags[0].name
    assert records[0]["annotator"] == "pilot"


async def test_tag_picker_filter_and_new_tag(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(corpus.get(SEED_000).text.index("Pavel Grachev"))
        await pilot.press("e", "t")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        await pilot.press(*"even", "enter")  # filter to "event" and apply
        await pilot.pause()
        view.move_to(corpus.get(SEED_000).text.index("Moscow"))
        await pilot.press("e", "t", *"capital", "enter")  # a new tag name
        await pilot.pause()
    assert [(r["quote"], r["tag"]) for r in store.for_dispatch(SEED_000)] == [
        ("Pavel Grachev", "event"),
        ("Moscow", "capital"),
    ]


async def test_visual_mode_word_motions_and_escape(settings, store, corpus) -> None:
    text = corpus.get(SEED_000).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(text.index("Russia and Belarus yesterday"))
        await pilot.press("v", "w", "w", "w")
        await pilot.pause()
        assert text[view.selection.start : view.selection.end] == "Russia and Belarus "
        await pilot.press("2")  # whitespace at the ends is trimmed from the quote
        await pilot.pause()
        await pilot.press("shift+right", "shift+right", "escape")
        await pilot.pause()
        assert view.selection is None
    assert [r["quote"] for r in store.for_dispatch(SEED_000)] == ["Russia and Belarus"]


async def test_paragraph_selection_and_motions(settings, store, corpus) -> None:
    text = corpus.get(SEED_001).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_second(pilot)
        await pilot.press("}", ")", "p")
        await pilot.pause()
        para = text[view.selection.start : view.selection.end]
        assert para.startswith("Russia and Belarus have decided") and para.endswith(
            "Lukashenka and military officials."
        )
        await pilot.press("escape", "(", "l", "l", "h", "j", "k", "b")
        await pilot.pause()
        assert view.selection is None and 0 <= view.cursor < len(text)


async def test_note_delete_undo_redo(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    text = corpus.get(SEED_000).text
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(text.index("Kaliningrad"))
        await pilot.press("e", "3")
        await pilot.pause()
        view.move_to(text.index("Kaliningrad") + 2)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"exclave", "enter", *"line two", "ctrl+s")
        await pilot.pause()
        (record,) = store.for_dispatch(SEED_000)
        assert record["note"] == "exclave\nline two"
        await pilot.press("x")
        await pilot.pause()
        assert store.for_dispatch(SEED_000) == []
        await pilot.press("ctrl+z")  # undo delete: the same record comes back
        await pilot.pause()
        assert store.for_dispatch(SEED_000) == [record]
        await pilot.press("ctrl+z")  # undo the note
        await pilot.pause()
        assert store.for_dispatch(SEED_000)[0]["note"] == ""
        await pilot.press("ctrl+z")  # undo the tag
        await pilot.pause()
        assert store.for_dispatch(SEED_000) == []
        await pilot.press("ctrl+y", "ctrl+y", "ctrl+y")
        await pilot.pause()
        assert store.for_dispatch(SEED_000) == []  # redo all three: tagged, noted, deleted
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.for_dispatch(SEED_000)[0]["note"] == "exclave\nline two"


async def test_note_editor_escape_cancels(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(corpus.get(SEED_000).text.index("Minsk"))
        await pilot.press("e", "1", "a", *"draft", "escape")
        await pilot.pause()
    assert store.for_dispatch(SEED_000)[0]["note"] == ""


async def test_search_next_previous(settings, store, corpus) -> None:
    text = corpus.get(SEED_000).text
    hits = [i for i in range(len(text)) if text.startswith("grachev", i) or text.startswith("Grachev", i)]
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        await pilot.press("slash", *"grachev")
        await pilot.pause()
        assert [h.start for h in app.screen.hits] == hits
        assert view.cursor == hits[0]
        await pilot.press("enter", "n", "n")
        await pilot.pause()
        assert view.cursor == hits[2]
        await pilot.press("N")
        await pilot.pause()
        assert view.cursor == hits[1]


async def test_next_and_previous_dispatch(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen.dispatch.id == SEED_001
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.screen.dispatch.id == SEED_000
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert SEED_000 in app.read_ids and SEED_001 in app.read_ids


async def test_annotation_list_moves_cursor(settings, store, corpus) -> None:
    text = corpus.get(SEED_000).text
    start = text.index("NATO eastward")
    store.add(SEED_000, start, start + 4, "ORG")
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert (view.selection.start, view.selection.end) == (start, start + 4)


async def test_entity_list_cycles_mentions(settings, store, corpus) -> None:
    text = corpus.get(SEED_000).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        app.screen.query_one("#side-tabs").active = "tab-entities"
        await pilot.pause()
        await pilot.press("tab", "enter")  # the most frequent entity: Russia
        await pilot.pause()
        first = view.selection.start
        await pilot.pause(0.5)
        assert status_of(app).startswith("Russia (GPE): mention 1 of")
        await pilot.press("enter")
        await pilot.pause()
        assert text[first : first + 6] == "Russia" and view.selection.start > first
        assert status_of(app).startswith("Russia (GPE): mention 2 of")


async def test_label_toggle_from_legend_and_palette(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        before = set(view.hidden_labels)
        assert "CARDINAL" in before and "PERSON" not in before  # per labels_shown
        await pilot.press("L")
        await pilot.pause()
        assert len(view.hidden_labels - before) == 1  # L hid the first shown label
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Show CARDINAL entities" in commands and "Hide PERSON entities" in commands
        assert any("theme" in c.lower() for c in commands)
        assert "Export annotations (w3c)" in commands and "Export annotations (brat)" in commands


async def test_export_from_command(settings, store, corpus, tmp_path) -> None:
    import json

    store.add(SEED_000, 0, 6, "quote")
    target = tmp_path / "out.json"
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        box = app.screen.query_one("#prompt-input")
        box.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    doc = json.loads(target.read_text())
    assert [a["quote"] for d in doc["dispatches"] for a in d["annotations"]] == ["Access"]


async def test_every_format_is_in_the_palette_and_xmi_exports_from_it(
    settings, store, corpus, tmp_path
) -> None:
    from reader.formats import EXPORT_FORMATS

    store.add(SEED_000, 0, 6, "quote")
    target = tmp_path / "xmi-out"
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert all(f"Export annotations ({fmt})" in titles for fmt in EXPORT_FORMATS)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export annotations (xmi)")
        await until(pilot, palette_found(app, "Export annotations (xmi)"))
        await pilot.press("enter")
        await pilot.pause()
        box = app.screen.query_one("#prompt-input")
        assert box.value.endswith("annotations-xmi")
        assert "to this folder" in app.screen.question
        box.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    assert sorted(p.name for p in target.iterdir()) == [f"{SEED_000}.xmi", "TypeSystem.xml"]
    assert 'value="quote"' in (target / f"{SEED_000}.xmi").read_text(encoding="utf-8")


async def test_help_and_warnings_screens(settings, store, tmp_path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "ok.txt").write_text("Fine text.")
    (tmp_path / "c" / "bad.txt").write_bytes(b"\x00\x01")
    corpus = load_corpus(tmp_path / "c")
    app = make_app(settings, store=AnnotationStore.in_memory(corpus=corpus), corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert "bad.txt" in str(app.screen.query("Static")[1].render())
        from rich.console import Console
        from textual.widgets import DataTable, Input, OptionList

        def help_text() -> str:
            console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
            console.print(app.screen.query("Static")[1].content)
            return console.export_text()

        # Textual's own editing and cursor keys (Input, DataTable, OptionList) are not ours to list.
        foreign = {
            (b.key, b.description)
            for cls in (Input, DataTable, OptionList)
            for b in cls.BINDINGS
            if isinstance(b, Binding) and b.description
        }
        from reader.tui.widgets.dispatch_table import DispatchTable

        foreign -= {(b.key, b.description) for b in [*DispatchTable.BINDINGS, *DocumentView.BINDINGS]}  # type: ignore[union-attr]

        def rows(text: str) -> set[tuple[str, str]]:
            return {tuple(re.split(r"\s{2,}", line.strip(), maxsplit=1)) for line in text.splitlines()}  # type: ignore[misc]

        assert ("backspace", "Delete character left") in foreign
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rendered = help_text()
        assert "Filter" in rendered or "filter" in rendered
        assert not rows(rendered) & foreign, rendered
        await pilot.press("escape", "enter", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rendered = help_text()
        assert "Apply tag 1 to 9" in rendered and "Undo" in rendered and "ctrl+z" in rendered
        assert not rows(rendered) & foreign, rendered


async def test_mouse_drag_selects(settings, store, corpus) -> None:
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        await pilot.mouse_down(view, offset=(3, 0))
        await pilot.hover(view, offset=(12, 0))
        await pilot.mouse_up(view, offset=(12, 0))
        await pilot.pause()
        sel = view.selection
        # Columns 3..12 less the padding and gutter (3 cells) are characters 0..9.
        assert sel is not None and view.text[sel.start : sel.end] == "Accessibi"
        assert sel.end - sel.start == 9


async def test_corrupt_store_opens_read_only(tmp_path, corpus) -> None:
    bad = tmp_path / "db.json"
    bad.write_text("{oops")
    settings = load_settings(corpus=[str(SEEDS)], db=str(bad), config_path=tmp_path / "none.toml", env={})
    app = make_app(settings, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        await pilot.press("s", "1")
        await pilot.pause()
        assert app.store.readonly and app.store.all() == []
        assert view.selection is not None  # nothing was tagged, the selection stays
    assert bad.read_text() == "{oops"


async def test_second_app_is_read_only(settings, corpus) -> None:
    first = make_app(settings, corpus=corpus)
    second = make_app(settings, corpus=corpus)
    try:
        assert not first.store.readonly and second.store.readonly
        assert "another reader app" in second.store_problem
    finally:
        first.store.close()
        second.store.close()


async def test_markup_in_text_renders_literally(settings, tmp_path) -> None:
    (tmp_path / "c").mkdir()
    evil = "Says [bold]hi[/bold] and [red]x[/red] \x1b[31mred\x1b[0m 中文 😀 done."
    (tmp_path / "c" / "evil.txt").write_text(evil)
    corpus = load_corpus(tmp_path / "c")
    store = AnnotationStore.in_memory(corpus=corpus)
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        line = "".join(seg.text for seg in view.render_line(0))
        assert "[bold]hi[/bold]" in line and "\x1b" not in line and "␛[31m" in line
        view.move_to(evil.index("中文"))
        await pilot.press("v", "shift+right", "shift+right", "1")
        await pilot.pause()
    assert [r["quote"] for r in store.all()] == ["中文"]


async def test_tag_with_its_own_key_from_config(tmp_path, corpus) -> None:
    (tmp_path / "reader.toml").write_text(
        '[[tags]]\nname = "claim"\nkey = "c"\n[[tags]]\nname = "rumour"\nkey = "r"\ncolour = "#ff0000"\n'
    )
    settings = load_settings(
        corpus=[str(SEEDS)], db=str(tmp_path / "db.json"), config_path=tmp_path / "reader.toml", env={}
    )
    assert [t.name for t in settings.tags] == ["claim", "rumour"] and not settings.warnings
    store = AnnotationStore.in_memory(corpus=corpus)
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(corpus.get(SEED_000).text.index("Minsk"))
        await pilot.press("e", "r")
        await pilot.pause()
    assert [(r["quote"], r["tag"]) for r in store.all()] == [("Minsk", "rumour")]


async def test_review_confirm_delete_retarget(tmp_path, corpus) -> None:
    from reader.corpus import Corpus, make_dispatch
    from reader.tui.screens.review import ReviewScreen

    d = corpus.get(SEED_000)
    store = AnnotationStore.in_memory(corpus=corpus)
    for quote, tag in (
        ("signed a series of agreements", "event"),
        ("Pavel Grachev", "PERSON"),
        ("Kaliningrad", "GPE"),
    ):
        at = d.text.index(quote)
        store.add(d, at, at + len(quote), tag)
    edited_text = (
        d.text.replace("Breaking News", "Breaking News\n\nA correction was appended.")
        .replace("Pavel Grachev", "Pavel S. Grachev", 1)
        .replace("Kaliningrad", "the exclave")
    )
    edited = Corpus([make_dispatch(SEED_000, d.path, edited_text), corpus.get(SEED_001)])
    store.corpus = edited
    settings = load_settings(corpus=[str(SEEDS)], db="x.json", config_path=tmp_path / "none.toml", env={})
    app = make_app(settings, store=store, corpus=edited)
    async with app.run_test(size=SIZE) as pilot:
        # The count fills in just after the first paint.
        await until(pilot, lambda: "to review" in str(app.screen.query_one("#library-title").render()))
        assert "3 annotations to review" in str(app.screen.query_one("#library-title").render())
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert [f.state for f in app.screen.findings] == ["moved", "fuzzy", "orphaned"]
        await pilot.press("c")  # confirm the moved one where it was found
        await pilot.pause()
        assert [f.state for f in app.screen.findings] == ["fuzzy", "orphaned"]
        await pilot.press("down", "x")  # delete the orphan
        await pilot.pause()
        assert [f.state for f in app.screen.findings] == ["fuzzy"]
        await pilot.press("enter")  # re-target the fuzzy one: select just "Grachev"
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        view.move_to(edited_text.index("Grachev"))
        await pilot.press("e")  # the entity under the cursor
        await pilot.pause()
        sel = view.selection
        assert edited_text[sel.start : sel.end] in ("Pavel S. Grachev", "Grachev")
        await pilot.press("R", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.findings == []
    quotes = sorted((r["quote"], r["anchor"]["state"]) for r in store.all())
    assert quotes[0][1] == "anchored" and len(quotes) == 2
    assert {q for q, _ in quotes} >= {"signed a series of agreements"}
    assert all(edited_text[r["start"] : r["end"]] == r["quote"] for r in store.all())


async def test_corpus_search_screen_opens_the_hit(settings, store, corpus) -> None:
    from reader.tui.screens.corpus_search import CorpusSearchScreen

    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f", *"Sergeev")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CorpusSearchScreen)
        assert len(screen.hits) == corpus.get(SEED_001).text.count("Sergeev")
        first = screen.hits[0]
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DispatchScreen) and app.screen.dispatch.id == SEED_001
        view = app.screen.query_one(DocumentView)
        assert (view.selection.start, view.selection.end) == (first.start, first.end)


async def test_stats_screen(settings, store, corpus) -> None:
    store.add(SEED_000, 0, 6, "claim")
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        for _ in range(50):
            await pilot.pause(0.05)
            body = str(app.screen.query_one("#stats-body").render())
            if "Entities by label" in body:
                break
        assert "1 annotation in 1 of 2 dispatches (50% annotated)" in body and "claim" in body and "█" in body
        assert "Russia And Belarus Tighten Military Cooperation" in body


async def test_dossier_from_the_entity_under_the_cursor(settings, store, corpus) -> None:
    from reader.tui.screens.dossier import DossierScreen

    text = corpus.get(SEED_001).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_second(pilot)
        view.move_to(text.index("Lukashenka"))
        await pilot.press("D")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, DossierScreen) and app.screen.dossier is not None:
                break
        dossier = app.screen.dossier
        assert dossier.name == "Alyaksandr Lukashenka" and set(dossier.mentions) == {SEED_000, SEED_001}
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DispatchScreen)


async def test_tag_all_preview_exclude_apply_undo(settings, store, corpus) -> None:
    from reader.tui.screens.tag_all import TagAllScreen

    text = corpus.get(SEED_000).text
    n_here = text.count("Minsk")
    n_all = sum(d.text.count("Minsk") for d in corpus)
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)
        view.move_to(text.index("Minsk"))
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TagAllScreen) and len(app.screen.hits) == n_here
        await pilot.press("c")  # the whole corpus
        await pilot.pause()
        assert len(app.screen.hits) == n_all
        await pilot.press("space")  # leave the first one out
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"GPE", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DispatchScreen)
        assert len([r for r in store.all() if r["quote"] == "Minsk"]) == n_all - 1
        await pilot.press("ctrl+z")  # the whole batch is one step
        await pilot.pause()
        assert [r for r in store.all() if r["quote"] == "Minsk"] == []


async def test_clicking_a_column_header_sorts(settings, store, corpus) -> None:
    from reader.tui.widgets.dispatch_table import DispatchTable

    store.add(SEED_001, 0, 5, "x")
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DispatchTable)
        x = 1 + sum(w + 2 for w in table._widths[:5])  # the Annotations column
        await pilot.click(DispatchTable, offset=(x + 1, 0))
        await pilot.pause()
        assert app.screen.sort_key == "annotations"
        assert [d.id for d in app.screen.rows] == [SEED_000, SEED_001]
        await pilot.click(DispatchTable, offset=(x + 1, 0))  # again: the other way round
        await pilot.pause()
        assert app.screen.sort_reverse and [d.id for d in app.screen.rows] == [SEED_001, SEED_000]


async def test_filter_and_corpus_find_on_a_catalog(tmp_path: Path) -> None:
    """The library filter and the corpus find use the catalog's engine, in workers; an invalid
    regular expression clears the hits of the previous query."""
    from reader.config import Settings
    from reader.tui.screens.corpus_search import CorpusSearchScreen

    root = tmp_path / "c"
    root.mkdir()
    for i in range(30):
        word = "Kaliningrad" if i % 3 == 0 else "Vilnius"
        (root / f"d{i:02d}.txt").write_text(f"Title {i}\n\nA note from {word} today [/x].\n")
    settings = Settings(corpus=(str(root),), db=str(tmp_path / "db.json"), catalog=str(tmp_path / "c.sqlite"))
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen.rows) == 30
        await pilot.press("slash", *"kaliningrad")
        await settle(pilot)
        assert sorted(d.id for d in app.screen.rows) == [f"d{i:02d}" for i in range(0, 30, 3)]
        await pilot.press("escape", "escape")
        await pilot.press("f", *"[/x]")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CorpusSearchScreen) and len(screen.hits) == 30
        await pilot.press("ctrl+r")  # "[/x]" as a regex is a character class: still valid
        await settle(pilot)
        await pilot.press("(")  # now invalid: no stale hit may stay listed or openable
        await settle(pilot)
        assert screen.hits == [] and app.is_running
        assert "bad regular expression" in str(screen.query_one("#search-title").render())
    app.workspace.close()


async def test_a_large_catalog_paints_from_its_first_page(tmp_path: Path) -> None:
    """A library of 600 catalogued dispatches paints from one page of rows; moving to the
    end reads the last page; sorting or filtering loads them all and still shows them all."""
    from reader.config import Settings
    from reader.workspace import PagedEntries

    root = tmp_path / "c"
    root.mkdir()
    for i in range(600):
        (root / f"d{i:03d}.txt").write_text(f"Title {599 - i:03d}\n\nText {i} from Minsk.\n")
    settings = Settings(corpus=(str(root),), db=str(tmp_path / "db.json"), catalog=str(tmp_path / "c.sqlite"))
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        rows = screen.rows
        assert isinstance(rows, PagedEntries) and len(rows) == 600
        assert list(rows._pages) == [0]  # only the page the table drew
        assert "600 dispatches" in str(screen.query_one("#library-title").render())
        await pilot.press("end")
        await pilot.pause()
        assert screen.selected().id == "d599" and max(rows._pages) == 599 // PagedEntries.PAGE
        await pilot.press("o")  # sorted by title: every row, in the new order
        await pilot.pause()
        assert len(screen.rows) == 600 and screen.rows[0].id == "d599"
        for _ in range(7):  # round the sort keys back to id: every row again, in id order
            await pilot.press("o")
        await pilot.pause()
        assert screen.sort_key == "id" and [d.id for d in screen.rows][:2] == ["d000", "d001"]
    app.workspace.close()


TYPED = [
    "[/x]",
    "[bold]loud[/bold]",
    "[link=http://evil.example]x",
    ":skull: :x:",
    "\x1b[2J\x1b]0;t\x07",
    "\u202eevil",
    "שלום עולם",
    "🦊 emoji ZWJ 👩‍👩‍👧",
    "(unclosed [ regex",
    "\\",
]


async def _paste(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Put ``text`` into the focused input as a terminal paste does (escapes included)."""
    from textual import events

    assert pilot.app.focused is not None
    pilot.app.post_message(events.Paste(text))  # as the terminal driver delivers it
    await pilot.pause()


@pytest.mark.parametrize("typed", TYPED, ids=range(len(TYPED)))
async def test_hostile_text_in_every_input_is_stored_as_typed(settings, store, corpus, typed) -> None:
    """Filter, corpus find, dispatch search, tag picker and note editor take any string; the
    app keeps running and what is stored is what was typed."""
    from reader.tui.screens.note_editor import NoteEditor

    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await _paste(pilot, typed)
        await settle(pilot)
        await pilot.press("escape", "escape", "f")
        await _paste(pilot, typed)
        await settle(pilot)
        await pilot.press("ctrl+r")  # the same text as a regular expression (maybe invalid)
        await settle(pilot)
        await pilot.press("escape")
        view = await open_first(pilot)
        await pilot.press("slash")
        await _paste(pilot, typed)
        await pilot.press("enter")
        await pilot.pause()
        view.move_to(corpus.get(SEED_000).text.index("Pavel Grachev"))
        await pilot.press("e", "t")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        await _paste(pilot, typed)
        await pilot.press("enter")
        await pilot.pause()
        view.move_to(corpus.get(SEED_000).text.index("Pavel Grachev") + 1)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor), store.for_dispatch(SEED_000)
        await _paste(pilot, typed)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+e")  # the export prompt takes it too (then cancelled)
        await pilot.pause()
        await _paste(pilot, typed)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        stored = store.for_dispatch(SEED_000)
        # A tag is one line without surrounding space; everything else is kept as typed.
        assert [r["tag"] for r in stored] == [" ".join(typed.split())]
        assert stored[0]["note"] == typed


def test_reserved_keys_cover_every_single_key_binding_of_the_reading_screen() -> None:
    """Tag keys act on the reading screen: the reserved set is checked against the bindings
    of that screen, its document view and the app, so a new binding cannot shadow a tag."""
    from textual.binding import Binding

    from reader.config import RESERVED_KEYS
    from reader.tui.app import ReaderApp
    from reader.tui.screens.dispatch import DispatchScreen

    names = {
        "slash": "/",
        "question_mark": "?",
        "space": " ",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
    }
    used: set[str] = set()
    for owner in (DispatchScreen, DocumentView, ReaderApp):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding):
                for key in binding.key.split(","):
                    key = names.get(key, key)
                    if len(key) == 1:
                        used.add(key)
    assert {"D", "T", "R"} <= used <= RESERVED_KEYS, sorted(used - RESERVED_KEYS)


async def test_ctrl_e_exports_from_the_filter_into_a_folder_of_the_users(
    settings, store, corpus, tmp_path, monkeypatch
) -> None:
    import json

    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "docs"))
    store.add(SEED_000, 0, 6, "quote")
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", "r", "ctrl+e")  # the filter has focus
        await pilot.pause()
        box = app.screen.query_one("#prompt-input")
        assert box.value == str(tmp_path / "docs" / "dispatch-reader" / "annotations-export.json")
        await pilot.press("enter")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
    written = tmp_path / "docs" / "dispatch-reader" / "annotations-export.json"
    assert json.loads(written.read_text())["dispatches"]
    assert any(str(written) in m for m in shown)


async def test_an_edited_dispatch_draws_annotations_where_their_words_are(tmp_path, corpus) -> None:
    """A correction paragraph is prepended after annotating: moved annotations are drawn at
    their words, changed and lost ones are not drawn at all (and the user is told)."""
    from reader.corpus import Corpus, make_dispatch

    d = corpus.get(SEED_000)
    store = AnnotationStore.in_memory(corpus=corpus)
    for quote in ("Pavel Grachev", "signed a series of agreements", "Kaliningrad"):
        at = d.text.index(quote)
        store.add(d, at, at + len(quote), "x")
    edited_text = "CORRECTION: An earlier version misstated the date of the signing.\n\n" + d.text.replace(
        "Kaliningrad", "the exclave"
    )
    edited = Corpus([make_dispatch(SEED_000, d.path, edited_text), corpus.get(SEED_001)])
    store.corpus = edited
    settings = load_settings(corpus=[str(SEEDS)], db="x.json", config_path=tmp_path / "none.toml", env={})
    app = make_app(settings, store=store, corpus=edited)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        screen = app.screen
        assert isinstance(screen, DispatchScreen)
        drawn = screen.query_one(DocumentView).annotations
        assert sorted(edited_text[r["start"] : r["end"]] for r in drawn) == [
            "Pavel Grachev",
            "signed a series of agreements",
        ]
        assert [f.record["quote"] for f in screen.needing_review] == ["Kaliningrad"]
        assert any("no longer match" in n.message for n in app._notifications)
    # Nothing was stored by looking: the records keep their old offsets until reviewed.
    assert {r["start"] for r in store.all()} == {
        d.text.index(q) for q in ("Pavel Grachev", "signed a series of agreements", "Kaliningrad")
    }


async def test_disk_full_and_a_broken_store_in_the_app_are_notifications(
    tmp_path, corpus, monkeypatch
) -> None:
    """A write that cannot be made (disk full) and a store file replaced by garbage while the
    app is open: a notification each, the app keeps running, nothing is overwritten."""
    import errno

    import reader.store as store_module

    db = tmp_path / "db.json"
    store = AnnotationStore.open(db, corpus=corpus, annotator="pilot")
    store.add(SEED_000, 0, 5, "kept")
    store.checkpoint()
    settings = load_settings(corpus=[str(SEEDS)], db=str(db), config_path=tmp_path / "none.toml", env={})
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(pilot)

        def full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store_module.os, "write", full)
        view.move_to(corpus.get(SEED_000).text.index("Minsk"))
        await pilot.press("e", "1")
        await pilot.pause()
        monkeypatch.undo()
        assert app.is_running and any("disk is full" in n.message for n in app._notifications)
        assert [r["tag"] for r in store.all()] == ["kept"]
        db.write_text("{garbage")
        view.move_to(corpus.get(SEED_000).text.index("Moscow"))
        await pilot.press("e", "1")
        await pilot.pause()
        assert app.is_running and any("not valid JSON" in n.message for n in app._notifications)
    assert db.read_text() == "{garbage"  # never overwritten


async def test_learning_from_corrections_in_the_app(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Entity labels given with keys are offered for learning; ctrl+l trains the personal
    model in the worker process, and the dispatch is redrawn with what it learned."""
    from .test_ner_model import COMPANIES, _company_corpus

    root = tmp_path / "wire"
    ids = _company_corpus(root)
    corpus = load_corpus(root)
    settings = load_settings(
        corpus=[str(root)], db=str(tmp_path / "db.json"), config_path=tmp_path / "none.toml", env={}
    )
    store = AnnotationStore.open(tmp_path / "db.json", corpus=corpus, annotator="pilot")
    app = make_app(settings, store=store, corpus=corpus)
    app.LEARN_OFFER_EVERY = 2
    try:
        async with app.run_test(size=SIZE) as pilot:
            view = await open_first(pilot)
            text = corpus.get(ids[0]).text
            for company in COMPANIES[:3]:
                if company not in text:
                    continue
                view.move_to(text.index(company))
                await pilot.press("e", "t", *"ORG", "enter")
                await pilot.pause()
            assert any("ctrl+l" in n.message for n in app._notifications)
            await pilot.press("ctrl+l")
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            assert (tmp_path / "db.model.npz").is_file()
            assert app.workspace.backend.startswith("model:")
            assert any(n.title == "Learned" for n in app._notifications)
            # The model itself (no lexicon, which would label taught surfaces anyway) now
            # calls most mentions of the corrected companies ORG in dispatches it was not
            # corrected on, where the packaged model called at most half of them ORG.
            from reader.recognizer import recognize

            taught = [c for c in COMPANIES[:3] if c in text]
            others = [corpus.get(i).text for i in ids[1:] if any(c in corpus.get(i).text for c in taught)]
            assert taught and others

            def share_org(backend: str) -> float:
                labels = [e.label for t in others for e in recognize(t, backend) if e.text in taught]
                return labels.count("ORG") / len(labels)

            before, after = share_org("model"), share_org(app.workspace.backend)
            assert before <= 0.5 and after >= before + 0.4, (before, after)
            shown = {(e.text, e.label) for e in app.entities_of(corpus.get(ids[5]))}
            assert {(c, "ORG") for c in taught} <= shown
    finally:
        store.close()


async def test_entities_panel_has_a_key_and_one_hit_is_singular(settings, store, corpus) -> None:
    from textual.widgets import Static, TabbedContent

    text = corpus.get(SEED_000).text
    assert text.count("Kazakhstan") == 1
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        tabs = app.screen.query_one("#side-tabs", TabbedContent)
        assert tabs.active == "tab-annotations"
        await pilot.press("E")
        await pilot.pause()
        assert tabs.active == "tab-entities"
        await pilot.press("E")
        await pilot.pause()
        assert tabs.active == "tab-annotations"
        await pilot.press("slash", *"Kazakhstan")
        await pilot.pause()
        status = str(app.screen.query_one("#status-line", Static).render())
        assert status.startswith("1 hit for") and "1 hits" not in status
