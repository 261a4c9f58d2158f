"""Pilot tests of team work in the app: blind mode, the curation screen, the agreement matrix."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console
from textual.widgets import Static

from reader.store import AnnotationStore
from reader.tui.app import make_app
from reader.tui.screens.agreement import AgreementScreen
from reader.tui.screens.curation import CURATOR, CurationScreen
from reader.tui.screens.dispatch import DispatchScreen
from reader.tui.widgets.annotation_list import AnnotationList

from .conftest import SEED_000, SEED_001, palette_found, until
from .test_app import SIZE, open_first, settings  # noqa: F401 - fixture

QUOTES = {
    "alice": [("Pavel Grachev", "PERSON"), ("Kaliningrad", "GPE"), ("Minsk", "GPE")],
    "bob": [("Pavel Grachev", "PERSON"), ("Kaliningrad", "LOC"), ("Minsk", "GPE")],
    "carol": [("Pavel Grachev", "PERSON"), ("Kaliningrad", "GPE")],
}


def team_store(corpus, me: str = "alice") -> AnnotationStore:  # type: ignore[no-untyped-def]
    store = AnnotationStore.in_memory(corpus=corpus, annotator=me)
    text = corpus.get(SEED_000).text
    for who, items in QUOTES.items():
        for quote, tag in items:
            start = text.index(quote)
            store.add(SEED_000, start, start + len(quote), tag, annotator=who)
    other = corpus.get(SEED_001).text
    start = other.index("Igor Sergeev")
    store.add(SEED_001, start, start + 12, "PERSON", annotator="bob")
    return store


def render_text(widget) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=widget.size.width or 160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


async def test_blind_mode_shows_only_my_annotations_and_ctrl_b_switches(settings, corpus) -> None:  # noqa: F811
    store = team_store(corpus)
    app = make_app(replace(settings, blind=True), store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        title_widget = app.screen.query_one("#library-title", Static)
        await until(pilot, lambda: "dispatches done:" in str(title_widget.render()))
        await pilot.pause()
        title = str(title_widget.render())
        assert "blind: alice's annotations only" in title and "dispatches done:" in title
        assert title_widget.size.height >= 2  # the line wraps rather than cutting these off
        assert "bob 2" in title and "alice 1" in title  # per annotator, how many dispatches
        # The library counts are mine: alice did nothing in the second dispatch.
        assert app.annotation_counts() == {SEED_000: 3}
        view = await open_first(pilot)
        assert {r["annotator"] for r in app.screen.records} == {"alice"} and len(app.screen.records) == 3
        assert len(view.annotations) == 3
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert len(app.screen.records) == 8 and len(view.annotations) == 8
        assert len(app.screen.query_one(AnnotationList).records) == 8
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert len(app.screen.records) == 3


async def test_curation_screen_accept_undo_reject_agreed_and_edit(settings, corpus) -> None:  # noqa: F811
    store = team_store(corpus)
    text = corpus.get(SEED_000).text
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("C")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CurationScreen)
        assert [u.status for u in screen.units] == ["agreed", "disputed", "disputed"]
        title = render_text(screen.query_one("#curation-title", Static))
        assert "3 units: 1 agreed, 2 disputed" in title and "3 annotators" in title
        # Kaliningrad: version 1 is GPE (alice and carol), version 2 LOC (bob).
        await pilot.press("down")
        kaliningrad = screen.units[1]
        assert [(v.tag, v.annotators) for v in kaliningrad.versions] == [
            ("GPE", ["alice", "carol"]),
            ("LOC", ["bob"]),
        ]
        await pilot.press("2")
        await pilot.pause()
        (settled,) = [r for r in store.all() if r["annotator"] == CURATOR]
        assert settled["tag"] == "LOC" and settled["quote"] == "Kaliningrad"
        assert settled["sources"] == [
            r["id"] for r in store.all() if r["annotator"] == "bob" and r["tag"] == "LOC"
        ]
        assert screen.units[1].status == "settled"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert (
            not [r for r in store.all() if r["annotator"] == CURATOR] and screen.units[1].status == "disputed"
        )
        await pilot.press("1")
        await pilot.pause()
        assert [r["tag"] for r in store.all() if r["annotator"] == CURATOR] == ["GPE"]
        # Minsk: alice and bob made it, carol did not: reject it, then take that back.
        await pilot.press("down", "x")
        await pilot.pause()
        assert screen.units[2].status == "settled" and screen.units[2].rejected
        await pilot.press("x")
        await pilot.pause()
        assert screen.units[2].status == "disputed"
        # Settle everything everyone agrees on: Grachev.
        await pilot.press("A")
        await pilot.pause()
        gold = sorted(r["quote"] for r in store.all() if r["annotator"] == CURATOR)
        assert gold == ["Kaliningrad", "Pavel Grachev"]
        # e opens the dispatch with the unit selected, to edit by hand.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DispatchScreen)
        selection = app.screen.view.selection
        assert selection is not None and text[selection.start : selection.end] == "Minsk"


async def test_agreement_matrix_in_the_app(settings, corpus) -> None:  # noqa: F811
    store = team_store(corpus)
    text = corpus.get(SEED_000).text
    start = text.index("Minsk")
    store.add(SEED_000, start, start + 5, "GPE", annotator="[b]dan[/b]")  # a name is shown as typed
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.query("#agreement-matrix"):
                break
        assert isinstance(app.screen, AgreementScreen)
        body = render_text(app.screen.query_one("#agreement-body", Static))
        assert "Krippendorff's alpha, all 4 annotators" in body
        assert "alpha_U (unitizing), all 4 annotators, over the 1 dispatch every one did" in body
        matrix = render_text(app.screen.query_one("#agreement-matrix", Static))
        header = next(line for line in matrix.splitlines() if "alice" in line and "carol" in line)
        for name in ("alice", "bob", "carol", "[b]dan[/b]"):
            assert name in header
        # Alice and Bob agree on Grachev and Minsk of their three each: F1 4/6. Alice and Carol
        # on both of Carol's two: 4/5. Bob and Carol on Grachev only: 2/5. One dispatch each.
        assert "F1 0.67 / 0.67" in matrix and "F1 0.80 / 0.80" in matrix and "F1 0.40 / 0.40" in matrix
        assert "1 dispatch" in matrix and "dispatches" not in matrix
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AgreementScreen)


async def test_merge_a_colleagues_store_from_the_command_palette_and_undo(settings, corpus, tmp_path) -> None:  # noqa: F811
    colleague = tmp_path / "bob.json"
    text = corpus.get(SEED_000).text
    with AnnotationStore.open(colleague, corpus=corpus, annotator="bob") as other:
        for quote in ("Pavel Grachev", "Minsk"):
            start = text.index(quote)
            other.add(SEED_000, start, start + len(quote), "PERSON" if quote != "Minsk" else "GPE")
    store = AnnotationStore.in_memory(corpus=corpus, annotator="alice")
    app = make_app(settings, store=store, corpus=corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Merge a colleague")
        await until(pilot, palette_found(app, "Merge a colleague"))
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(colleague)
        await pilot.press("enter")
        await pilot.pause()
        assert sorted((r["annotator"], r["quote"]) for r in store.all()) == [
            ("bob", "Minsk"),
            ("bob", "Pavel Grachev"),
        ]
        # Again: nothing doubles.
        app.merge_from(str(colleague))
        await pilot.pause()
        assert len(store.all()) == 2
        # A file that is not a store or an export: one notification, nothing stored.
        bad = tmp_path / "bad.json"
        bad.write_text("[1, 2")
        app.merge_from(str(bad))
        await pilot.pause()
        assert len(store.all()) == 2
        await open_first(pilot)
        await pilot.press("ctrl+z")  # the merge is one undo step
        await pilot.pause()
        assert store.all() == []
