"""Corpus search: FTS5 narrows, the texts confirm; keyword-in-context hits.

A plain query matches where its characters appear in a text as they are (``case=True``) or
case-insensitively as Python's ``re.IGNORECASE`` folds them (simple Unicode case folding):
the same files ``grep -rlF`` (``-i``) lists for ASCII text. The catalog's full-text index
(:mod:`reader.catalog`) picks the files that can hold the query, using every word of it:
inner words exactly, the last as a prefix and the first as a suffix of an indexed word
(found in the index's vocabulary) when the query cuts them; each candidate is then read and
matched exactly, so the index never decides a hit alone. A regular expression is narrowed
by the longest literal run it requires, where it has one, and otherwise scans every file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.catalog import Catalog
    from reader.models import Annotation, Dispatch

MAX_PHRASES = 64
"""Up to this many such words, each becomes a whole phrase (adjacency kept); beyond, words."""
MAX_TERMS = 400
"""Vocabulary terms an end-of-query fragment may expand to before it stops narrowing."""


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


def _is_token_char(ch: str) -> bool:
    # FTS5's unicode61 tokenizer: letters, numbers and private-use characters make tokens.
    cat = unicodedata.category(ch)
    return cat[0] in "LN" or cat == "Co"


def query_tokens(query: str) -> list[str]:
    """The words of ``query`` as the full-text index splits them."""
    tokens: list[str] = []
    current: list[str] = []
    for ch in query:
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


NO_MATCH = ""
"""What :func:`fts_expression` returns when no indexed file can hold the query."""


def fts_expression(catalog: Catalog, query: str) -> str | None:
    """An FTS5 expression every file containing ``query`` matches.

    None: the query cannot be narrowed (every file is a candidate); :data:`NO_MATCH`: no
    file can contain it.
    """
    tokens = query_tokens(query)
    if not tokens:
        return None
    cut_left = _is_token_char(query[0])
    cut_right = _is_token_char(query[-1])
    first = tokens[0].lower()
    if len(tokens) == 1:
        if cut_left and cut_right:
            terms = catalog.terms_containing(first, MAX_TERMS)
        elif cut_left:
            terms = catalog.terms_ending(first, MAX_TERMS)
        elif cut_right:
            return _quote(first) + "*"
        else:
            return _quote(first)
        if terms is None:
            return None
        return " OR ".join(_quote(t) for t in terms) if terms else NO_MATCH
    rest = " ".join(t.lower() for t in tokens[1:])
    star = "*" if cut_right else ""
    if not cut_left:
        return _quote(f"{first} {rest}") + star
    terms = catalog.terms_ending(first, MAX_TERMS)
    if terms is None:
        return _quote(rest) + star
    if not terms:
        return NO_MATCH
    if len(terms) <= MAX_PHRASES:
        # One phrase per word the query's first fragment can end: adjacency is kept.
        return " OR ".join(_quote(f"{t} {rest}") + star for t in terms)
    parts = [_quote(rest) + star, "(" + " OR ".join(_quote(t) for t in terms) + ")"]
    return " AND ".join(parts)


def required_literal(pattern: str) -> str | None:
    """The longest run of literal characters every match of ``pattern`` contains, if any."""
    import importlib

    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = parser.parse(pattern)
    except Exception:  # noqa: BLE001 - an odd pattern simply is not narrowed
        return None
    literal = parser.LITERAL
    best: list[str] = []
    run: list[str] = []
    for op, arg in parsed:
        if op is literal:
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = run
        run = []
    if len(run) > len(best):
        best = run
    text = "".join(best)
    return text if len(query_tokens(text)) and len(text) >= 3 else None


def candidates(catalog: Catalog, query: str, *, regex: bool) -> list[tuple[str, str]]:
    """``(id, path)`` of the files that may hold a match, sorted by id."""
    literal = required_literal(query) if regex else query
    if not literal:
        return catalog.all_files()
    expression = fts_expression(catalog, literal)
    if expression is None:
        return catalog.all_files()
    if expression == NO_MATCH:
        return []
    return catalog.fts_candidates(expression)


def compile_query(query: str, *, regex: bool, case: bool) -> re.Pattern[str]:
    flags = 0 if case else re.IGNORECASE
    try:
        return re.compile(query if regex else re.escape(query), flags)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ReaderError(f"bad regular expression {query!r}: {exc}") from None


def hits_in(dispatch: Dispatch, pattern: re.Pattern[str], limit: int | None = None) -> list[Hit]:
    return hits_in_text(dispatch.id, dispatch.text, pattern, limit)


def hits_in_text(
    dispatch_id: str, text: str, pattern: re.Pattern[str], limit: int | None = None
) -> list[Hit]:
    out: list[Hit] = []
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        out.append(Hit(dispatch_id, m.start(), m.end(), text))
        if limit is not None and len(out) >= limit:
            break
    return out


def search(
    corpus: Iterable[Dispatch],
    query: str,
    *,
    regex: bool = False,
    case: bool = False,
    limit: int | None = None,
) -> list[Hit]:
    """Hits of ``query`` in the given texts, in their order (a scan: no index)."""
    if not query:
        return []
    pattern = compile_query(query, regex=regex, case=case)
    hits: list[Hit] = []
    for d in corpus:
        hits.extend(hits_in(d, pattern, None if limit is None else limit - len(hits)))
        if limit is not None and len(hits) >= limit:
            break
    return hits


def search_annotations(
    records: Iterable[Annotation], query: str, where: str, *, regex: bool = False, case: bool = False
) -> list[Hit]:
    """Hits in annotation notes (``notes``) or annotated quotes (``annotations``)."""
    flags = 0 if case else re.IGNORECASE
    try:
        pattern = re.compile(query if regex else re.escape(query), flags)
    except re.error as exc:
        raise ReaderError(f"bad regular expression {query!r}: {exc}") from None
    hits = []
    for r in records:
        field_text = r["note"] if where == "notes" else r["quote"]
        m = pattern.search(field_text)
        if m:
            hits.append(
                Hit(
                    r["dispatch_id"],
                    r["start"],
                    r["end"],
                    field_text,
                    where,
                    r["id"],
                    f"[{r['tag']}] ",
                    (m.start(), m.end()),
                )
            )
    return hits
