"""Choosing the entity backend and applying what the user taught it.

``model`` (the default) is the learned tagger of :mod:`reader.ner` with the rules' dates
and numbers; ``model:<path>`` is a personal model trained by ``reader learn``, kept beside
the store; ``rules`` is :func:`reader.entities.find_entities`; ``spacy:<pipeline>`` loads
an installed spaCy pipeline (never downloads one). Every backend applies the lexicon,
which lives in the store's ``_lexicon`` table: ``{"key": surface, "surface", "label"}``
adds a label for every occurrence, ``"label": "REJECT"`` suppresses a false entity.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.errors import ReaderError
from reader.models import ENTITY_LABELS as LABELS
from reader.models import Entity

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.ner.model import TaggerModel
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


def personal_model_path(store_path: str | Path) -> Path:
    """Where ``reader learn`` keeps the personal model of a store: beside it."""
    p = Path(store_path)
    return p.with_name(p.stem + ".model.npz")


def backend_for(settings: Settings) -> str:
    """The backend to run: ``model`` becomes ``model:<path>`` when the store has a
    personal model beside it."""
    if settings.ner == "model" and settings.db:
        personal = personal_model_path(os.path.realpath(settings.db))
        if personal.is_file():
            return f"model:{personal}"
    return settings.ner


@lru_cache(maxsize=4)
def _model_at(path: str, mtime_ns: int, size: int) -> TaggerModel:
    from reader.files import read_capped
    from reader.ner.model import read_model

    return read_model(read_capped(path, 200_000_000), path)


def model_for(backend: str) -> TaggerModel:
    """The tagger of a ``model`` or ``model:<path>`` backend."""
    from reader.ner.model import packaged_model

    if backend == "model":
        return packaged_model()
    path = backend.split(":", 1)[1]
    try:
        st = Path(path).stat()
    except OSError as exc:
        raise ReaderError(f"{path}: cannot read the personal entity model ({exc.strerror})") from None
    return _model_at(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _version_at(path: str, mtime_ns: int, size: int) -> str:
    from reader.files import read_capped
    from reader.ner.model import model_version

    return model_version(read_capped(path, 200_000_000))


def backend_version(backend: str) -> str:
    """What identifies a backend's output: changes whenever its results could. For a model,
    the hash of its file: the library can be painted without loading the model."""
    if backend == "model" or backend.startswith("model:"):
        from reader.entities import RECOGNIZER_VERSION
        from reader.ner.model import PACKAGED

        path = str(PACKAGED) if backend == "model" else backend.split(":", 1)[1]
        try:
            st = Path(path).stat()
        except OSError as exc:
            raise ReaderError(f"{path}: cannot read the entity model ({exc.strerror})") from None
        return _version_at(path, st.st_mtime_ns, st.st_size) + "+" + RECOGNIZER_VERSION
    if backend == "rules":
        from reader.entities import RECOGNIZER_VERSION

        return RECOGNIZER_VERSION
    return backend


def recognize(
    text: str, backend: str = "model", lexicon: tuple[list[tuple[str, str]], list[str]] = ([], [])
) -> list[Entity]:
    taught, rejected = lexicon
    if backend == "model" or backend.startswith("model:"):
        return recognize_many([text], backend, lexicon)[0]
    if backend == "rules":
        from reader.entities import find_entities

        return find_entities(text, lexicon=taught, rejected=rejected)
    if backend.startswith("spacy:"):
        from reader.entities import apply_lexicon

        found = spacy_entities(text, _spacy_pipeline(backend.split(":", 1)[1]))
        return apply_lexicon(text, found, taught, rejected)
    raise ReaderError(f"unknown entity backend {backend!r}: use model, rules or spacy:<pipeline>")


def recognize_many(
    texts: list[str], backend: str = "model", lexicon: tuple[list[tuple[str, str]], list[str]] = ([], [])
) -> list[list[Entity]]:
    """:func:`recognize` of each text; a model tags them all in one pass (its decoding is
    done in arrays over the whole batch)."""
    if backend == "model" or backend.startswith("model:"):
        from reader.entities import apply_lexicon, with_numeric

        taught, rejected = lexicon
        tagged = model_for(backend).tag_many(texts)
        return [
            apply_lexicon(text, with_numeric(text, names), taught, rejected)
            for text, names in zip(texts, tagged, strict=True)
        ]
    return [recognize(text, backend, lexicon) for text in texts]


def entities_for(text: str, settings: Settings, store: AnnotationStore | None = None) -> list[Entity]:
    """Entities of ``text`` with the configured backend and the store's lexicon."""
    return recognize(text, backend_for(settings), lexicon_of(store))


def count_entities(
    texts: list[str], backend: str, lexicon: tuple[list[tuple[str, str]], list[str]]
) -> list[int]:
    """Entity counts of many texts; a top-level function so a process pool can run it."""
    return [len(recognize(text, backend, lexicon)) for text in texts]
