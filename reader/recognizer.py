"""Choosing the entity backend and applying what the user taught it.

``rules`` is :func:`reader.entities.find_entities`; ``spacy:<pipeline>`` loads an installed
spaCy pipeline (never downloads one). The lexicon lives in the store's ``_lexicon`` table:
``{"key": surface, "surface", "label"}`` adds a label for every occurrence, ``"label":
"REJECT"`` suppresses a false entity everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reader.errors import ReaderError
from reader.models import ENTITY_LABELS as LABELS
from reader.models import Entity

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.store import AnnotationStore

LEXICON_TABLE = "_lexicon"
REJECT = "REJECT"


def lexicon_of(store: AnnotationStore | None) -> tuple[list[tuple[str, str]], list[str]]:
    """``(taught, rejected)`` from the store: annotations tagged with an entity label and
    the explicit lexicon rows."""
    if store is None:
        return [], []
    taught: dict[str, str] = {}
    rejected: set[str] = set()
    for record in store.all():
        if record["tag"] in LABELS:
            taught[record["quote"]] = record["tag"]
    for row in store.table_rows(LEXICON_TABLE):
        if row.get("label") == REJECT:
            rejected.add(row["surface"])
            taught.pop(row["surface"], None)
        elif row.get("label") in LABELS:
            taught[row["surface"]] = row["label"]
    return sorted(taught.items()), sorted(rejected)


def teach(store: AnnotationStore, surface: str, label: str) -> None:
    """Record a correction: ``label`` for ``surface`` everywhere, or :data:`REJECT`."""
    surface = surface.strip()
    if not surface:
        raise ReaderError("cannot teach an empty entity")
    if label != REJECT and label not in LABELS:
        raise ReaderError(f"unknown entity label {label!r} (known: {', '.join(LABELS)})")
    store.put_row(LEXICON_TABLE, surface, {"surface": surface, "label": label})


def forget(store: AnnotationStore, surface: str) -> None:
    store.delete_row(LEXICON_TABLE, surface)


@lru_cache(maxsize=2)
def _spacy_pipeline(name: str) -> Any:
    try:
        import spacy
    except ImportError:
        raise ReaderError("--ner spacy:... needs spaCy: pip install 'dispatch-reader[spacy]'") from None
    try:
        return spacy.load(name)
    except OSError:
        raise ReaderError(
            f"spaCy pipeline {name!r} is not installed; install it with pip, or use --ner rules"
        ) from None


def spacy_entities(text: str, nlp: Any) -> list[Entity]:
    """Entities from a spaCy ``Language``, mapped to code-point offsets (spaCy's own)."""
    doc = nlp(text)
    out = [Entity(ent.start_char, ent.end_char, ent.label_, ent.text) for ent in doc.ents]
    out.sort(key=lambda e: (e.start, e.end))
    return out


def recognize(
    text: str, backend: str = "rules", lexicon: tuple[list[tuple[str, str]], list[str]] = ([], [])
) -> list[Entity]:
    taught, rejected = lexicon
    if backend == "rules":
        from reader.entities import find_entities

        return find_entities(text, lexicon=taught, rejected=rejected)
    if backend.startswith("spacy:"):
        found = spacy_entities(text, _spacy_pipeline(backend.split(":", 1)[1]))
        rejected_set = set(rejected)
        return [e for e in found if e.text not in rejected_set]
    raise ReaderError(f"unknown entity backend {backend!r}: use rules or spacy:<pipeline>")


def entities_for(text: str, settings: Settings, store: AnnotationStore | None = None) -> list[Entity]:
    """Entities of ``text`` with the configured backend and the store's lexicon."""
    return recognize(text, settings.ner, lexicon_of(store))


def count_entities(
    texts: list[str], backend: str, lexicon: tuple[list[tuple[str, str]], list[str]]
) -> list[int]:
    """Entity counts of many texts; a top-level function so a process pool can run it."""
    return [len(recognize(text, backend, lexicon)) for text in texts]
