"""SVG snapshots of the key screens at 100x30 (review the SVGs before committing them)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reader.config import load_settings
from reader.corpus import load_corpus
from reader.store import AnnotationStore, make_record
from reader.tui.app import make_app

from .conftest import SEED_000, SEEDS

SIZE = (100, 30)
FIXED = "2026-01-01T00:00:00.000Z"


def _app(tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = load_corpus(SEEDS)
    store = AnnotationStore.in_memory(corpus=corpus, annotator="snap")
    d = corpus.get(SEED_000)
    for quote, tag, note in (
        ("signed a series of agreements tightening their military cooperation", "event", "14 May"),
        ("Pavel Grachev", "PERSON", ""),
        ("series of agreements", "claim", "overlaps the event"),
    ):
        start = d.text.index(quote)
        record = make_record(
            d, start, start + len(quote), tag, note, "snap", record_id=f"{tag}-id", now=FIXED
        )
        store.put(record)
    settings = load_settings(corpus=[str(SEEDS)], db="snap.json", config_path=tmp_path / "none.toml", env={})
    return make_app(settings, store=store, corpus=corpus)


async def _counted(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the background entity counts, so the library is the same every run; a snapshot
    taken without them would compare a half-drawn screen, so not getting them is a failure."""
    for _ in range(3000):
        if len(pilot.app.entity_counts) == len(pilot.app.corpus):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the library's entity counts did not arrive within 30 s")
    await pilot.pause()


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("library", []),
        ("dispatch", ["enter", "}", "}", "}", "s"]),
        ("tag_picker", ["enter", "}", "}", "}", "s", "t"]),
        ("help", ["enter", "question_mark"]),
    ],
)
def test_screens(snap_compare, tmp_path, name, keys) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _counted(pilot)
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    assert snap_compare(_app(tmp_path), run_before=before, terminal_size=SIZE)
