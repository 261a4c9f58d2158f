"""Tag every occurrence: find a quote across a dispatch or the corpus, preview, apply once.

The batch is written as one durable store operation, and the app records it as one undo
step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.corpus import DispatchSource
from reader.models import Dispatch
from reader.search import kwic
from reader.store import AnnotationStore, Record, make_record


@dataclass(frozen=True)
class Occurrence:
    dispatch_id: str
    start: int
    end: int
    context: str
    tagged: bool
    """Already annotated with this tag at exactly this span."""


def find_occurrences(
    dispatches: list[Dispatch], quote: str, tag: str, store: AnnotationStore, *, case: bool = True
) -> list[Occurrence]:
    """Whole-word occurrences of ``quote`` (``case=False`` ignores case)."""
    if not quote.strip():
        return []
    left = r"(?<!\w)" if quote[:1].isalnum() else ""
    right = r"(?!\w)" if quote[-1:].isalnum() else ""
    pattern = re.compile(left + re.escape(quote) + right, 0 if case else re.IGNORECASE)
    out = []
    for d in dispatches:
        if (quote if case else quote.lower()) not in (d.text if case else d.text.lower()):
            continue
        existing = {(r["start"], r["end"]) for r in store.for_dispatch(d.id) if r["tag"] == tag}
        for m in pattern.finditer(d.text):
            out.append(
                Occurrence(
                    d.id,
                    m.start(),
                    m.end(),
                    kwic(d.text, m.start(), m.end(), 80),
                    (m.start(), m.end()) in existing,
                )
            )
    return out


def tag_occurrences(
    corpus: DispatchSource, occurrences: list[Occurrence], tag: str, store: AnnotationStore, note: str = ""
) -> list[Record]:
    """Annotate the given occurrences (skipping ones already tagged) in one durable write."""
    records = [
        make_record(corpus.require(o.dispatch_id), o.start, o.end, tag, note, store.annotator)
        for o in occurrences
        if not o.tagged
    ]
    if records:
        store.put_many(records)
    return records
