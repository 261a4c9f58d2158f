"""Shared fixtures: the seed corpus and stores that never touch the user's file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.corpus import Corpus, load_corpus
from reader.store import AnnotationStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_000 = "000_0daff5d748c82e7b"
SEED_001 = "001_9fcf62e69516790b"


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(SEEDS)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path, corpus: Corpus):  # type: ignore[no-untyped-def]
    """The same tests against an in-memory store and a JSON-file store."""
    if request.param == "memory":
        s = AnnotationStore.in_memory(corpus=corpus, annotator="tester")
    else:
        s = AnnotationStore.open(tmp_path / "annotations.json", corpus=corpus, annotator="tester")
    yield s
    s.close()
