"""Plain, immutable values shared by the core and the app.

Offsets are Unicode code points into a dispatch's normalised text (LF line ends), end
exclusive, like Python slices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from typing_extensions import ReadOnly

ENTITY_LABELS = (
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "DATE",
    "EVENT",
    "LAW",
    "PRODUCT",
    "MISC",
    "MONEY",
    "PERCENT",
    "CARDINAL",
)
"""OntoNotes entity labels the recognizers produce."""


class Anchor(TypedDict, total=False):
    """Where ``reader check`` last found an annotation whose text changed."""

    state: str
    """anchored, moved, fuzzy or orphaned."""
    score: float
    sha256: str
    """The text version it was found in."""
    original_quote: str
    confirmed: bool
    """The user accepted the new place."""


class Annotation(TypedDict):
    """One stored annotation, as the store, the exchange formats and the app pass it.

    A typed dictionary rather than a class: it is what the store file and every JSON
    format hold, so reading and writing need no conversion, and ``mypy --strict`` still
    checks every field name and type. It is frozen where the checker looks: every field is
    ``ReadOnly`` (PEP 705), so assigning, updating, popping or deleting a field of a record
    is a type error; a changed record is a new one (``{**record, "tag": new}``), and the
    store hands out copies. Records from outside become one only through
    :func:`reader.store.check_record` (the ``from_dict`` of the boundary: it validates every
    field and names the first bad one); the record itself is its ``to_dict``.
    """

    id: ReadOnly[str]
    dispatch_id: ReadOnly[str]
    dispatch_sha256: ReadOnly[str]
    start: ReadOnly[int]
    end: ReadOnly[int]
    quote: ReadOnly[str]
    prefix: ReadOnly[str]
    suffix: ReadOnly[str]
    tag: ReadOnly[str]
    note: ReadOnly[str]
    annotator: ReadOnly[str]
    created: ReadOnly[str]
    updated: ReadOnly[str]
    schema: ReadOnly[int]
    sources: ReadOnly[NotRequired[list[str]]]
    """Ids of the records a curated annotation was settled from."""
    anchor: ReadOnly[NotRequired[Anchor]]
    """Set by ``reader check --apply``."""


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of code points."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity found in a text."""

    start: int
    end: int
    label: str
    """An OntoNotes label: PERSON, ORG, GPE, LOC, NORP, DATE, ..."""
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text}


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the heuristics in :mod:`reader.metadata` found at the head of a dispatch."""

    title: str
    source: str = ""
    """Agency or publication, e.g. ``RFE/RL`` or ``Monitor``; empty when not found."""
    place: str = ""
    """The dateline place, e.g. ``Prague``."""
    date: str = ""
    """The date as written in the dispatch, e.g. ``May 15``; never reformatted."""
    body_start: int = 0
    """Offset where the body text begins, after boilerplate, headline and publication lines."""


@dataclass(frozen=True, slots=True)
class Dispatch:
    """One document of the corpus, its normalised text and metadata."""

    id: str
    """Path relative to the corpus root, POSIX separators, without suffix."""
    path: str
    text: str
    sha256: str
    """sha256 of the normalised text, UTF-8 encoded."""
    meta: Metadata
    words: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def source(self) -> str:
        return self.meta.source

    @property
    def date(self) -> str:
        return self.meta.date

    @property
    def place(self) -> str:
        return self.meta.place
