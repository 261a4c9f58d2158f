"""Corpus search: an inverted word index cached beside the store, and keyword-in-context hits.

The index maps each lower-cased word to the dispatches that contain it. A plain query is
narrowed to the dispatches holding all its words, then confirmed by substring search in
those texts only; a regular expression scans every text. The index is saved next to the
store (``<db>.index``) with each file's size, mtime and sha256, so a changed or new file is
re-indexed alone and a removed one dropped.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reader.corpus import Corpus
from reader.errors import ReaderError
from reader.models import Dispatch

INDEX_VERSION = 1
_WORD = re.compile(r"\w+")


@dataclass
class Hit:
    dispatch_id: str
    start: int
    end: int
    source: str = field(repr=False, default="")
    """The text the offsets are into (the context is cut from it only when asked for)."""
    where: str = "text"
    """``text``, ``notes`` or ``annotations``."""
    annotation_id: str = ""
    label: str = ""
    """Shown before the context (the tag of a note or annotation hit)."""
    match: tuple[int, int] | None = None
    """Where the match is in ``source`` when that is not the dispatch text (a note)."""

    @property
    def context(self) -> str:
        """One line of keyword in context, line breaks as spaces."""
        start, end = self.match or (self.start, self.end)
        return self.label + kwic(self.source, start, end)

    def as_dict(self) -> dict[str, object]:
        return {
            "dispatch_id": self.dispatch_id,
            "start": self.start,
            "end": self.end,
            "context": self.context,
            "in": self.where,
            **({"annotation_id": self.annotation_id} if self.annotation_id else {}),
        }


@dataclass
class SearchIndex:
    """Word -> dispatch ids, with what each dispatch looked like when indexed."""

    postings: dict[str, set[str]] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)
    """Dispatch id -> sha256 of the text that was indexed."""
    lowered: dict[str, str] = field(default_factory=dict, repr=False)
    """Lower-cased texts (not saved; rebuilt on demand)."""

    def add(self, dispatch: Dispatch) -> None:
        self.remove(dispatch.id)
        for word in set(_WORD.findall(dispatch.text.lower())):
            self.postings.setdefault(word, set()).add(dispatch.id)
        self.docs[dispatch.id] = dispatch.sha256

    def remove(self, dispatch_id: str) -> None:
        if dispatch_id not in self.docs:
            return
        for ids in self.postings.values():
            ids.discard(dispatch_id)
        del self.docs[dispatch_id]

    def candidates(self, query: str) -> set[str] | None:
        """Dispatches holding every whole word of ``query``; ``None`` means all of them.

        Only words that are whole in the query (not cut at its ends, where they may be
        prefixes or suffixes of longer words) narrow the set.
        """
        q = query.lower()
        words = [m for m in _WORD.finditer(q) if m.start() > 0 and m.end() < len(q)]
        if not words:
            return None
        result: set[str] | None = None
        for m in sorted(words, key=lambda m: len(self.postings.get(m.group(), ())))[:4]:
            ids = self.postings.get(m.group(), set())
            result = set(ids) if result is None else result & ids
            if not result:
                return set()
        return result


def index_path(db: str | os.PathLike[str]) -> Path:
    p = Path(db)
    return p.with_name(p.name + ".index")


def load_index(path: Path) -> SearchIndex:
    try:
        with open(path, "rb") as fh:
            version, postings, docs = pickle.load(fh)
        if version != INDEX_VERSION:
            return SearchIndex()
        return SearchIndex(postings, docs)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return SearchIndex()  # no index yet, or a damaged one: rebuild


def save_index(index: SearchIndex, path: Path) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump((INDEX_VERSION, index.postings, index.docs), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only folder: search still works, unindexed


def update_index(
    index: SearchIndex, corpus: Corpus, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Index new and changed dispatches, drop removed ones; returns (indexed, dropped)."""
    stale = [d for d in corpus if index.docs.get(d.id) != d.sha256]
    gone = [i for i in index.docs if i not in corpus]
    for i in gone:
        index.remove(i)
    if stale and len(stale) > len(index.docs) // 2:
        # Mostly new: start from scratch rather than remove posting by posting.
        kept = {d.id for d in corpus if index.docs.get(d.id) == d.sha256}
        if not kept:
            index.postings.clear()
            index.docs.clear()
    for n, d in enumerate(stale, 1):
        if d.id in index.docs:
            index.remove(d.id)
        for word in set(_WORD.findall(d.text.lower())):
            index.postings.setdefault(word, set()).add(d.id)
        index.docs[d.id] = d.sha256
        if progress is not None and (n % 200 == 0 or n == len(stale)):
            progress(n, len(stale))
    return len(stale), len(gone)


def kwic(text: str, start: int, end: int, width: int = 100) -> str:
    """A line of keyword in context around ``[start, end)``."""
    side = max(10, (width - (end - start)) // 2)
    left = text[max(0, start - side) : start]
    right = text[end : end + side]
    line = (
        ("…" if start - side > 0 else "")
        + left
        + text[start:end]
        + right
        + ("…" if end + side < len(text) else "")
    )
    return " ".join(line.split())


def search(
    corpus: Corpus,
    query: str,
    *,
    index: SearchIndex | None = None,
    regex: bool = False,
    case: bool = False,
    lowered: Callable[[Dispatch], str] | None = None,
    limit: int | None = None,
) -> list[Hit]:
    """Hits of ``query`` in the texts, in corpus order."""
    if not query:
        return []
    if regex:
        try:
            pattern = re.compile(query, 0 if case else re.IGNORECASE)
        except re.error as exc:
            raise ReaderError(f"bad regular expression {query!r}: {exc}") from None
        candidates = None
    else:
        pattern = re.compile(re.escape(query), 0 if case else re.IGNORECASE)
        candidates = index.candidates(query) if index is not None else None
    hits: list[Hit] = []
    needle = query if case else query.lower()
    for d in corpus:
        if candidates is not None and d.id not in candidates:
            continue
        if not regex:
            haystack = d.text if case else (lowered(d) if lowered else d.text.lower())
            at = haystack.find(needle)
            if at < 0:
                continue
            if len(haystack) == len(d.text):
                # Lower-casing kept every offset: plain string search, no regex engine.
                while at >= 0:
                    hits.append(Hit(d.id, at, at + len(needle), d.text))
                    if limit is not None and len(hits) >= limit:
                        return hits
                    at = haystack.find(needle, at + len(needle))
                continue
        for m in pattern.finditer(d.text):
            if m.end() == m.start():
                continue
            hits.append(Hit(d.id, m.start(), m.end(), d.text))
            if limit is not None and len(hits) >= limit:
                return hits
    return hits


def search_annotations(
    records: Iterable[dict[str, object]], query: str, where: str, *, regex: bool = False, case: bool = False
) -> list[Hit]:
    """Hits in annotation notes (``notes``) or annotated quotes (``annotations``)."""
    flags = 0 if case else re.IGNORECASE
    try:
        pattern = re.compile(query if regex else re.escape(query), flags)
    except re.error as exc:
        raise ReaderError(f"bad regular expression {query!r}: {exc}") from None
    hits = []
    for r in records:
        field_text = str(r.get("note" if where == "notes" else "quote", ""))
        m = pattern.search(field_text)
        if m:
            hits.append(
                Hit(
                    str(r["dispatch_id"]),
                    int(r["start"]),  # type: ignore[call-overload]
                    int(r["end"]),  # type: ignore[call-overload]
                    field_text,
                    where,
                    str(r["id"]),
                    f"[{r['tag']}] ",
                    (m.start(), m.end()),
                )
            )
    return hits
