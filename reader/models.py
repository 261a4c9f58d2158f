"""Plain, immutable values shared by the core and the app.

Offsets are Unicode code points into a dispatch's normalised text (LF line ends), end
exclusive, like Python slices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
