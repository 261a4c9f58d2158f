"""CoNLL-2003 style: one token per line (token, a tab, its IOB2 tag), a blank line between
sentences, a ``-DOCSTART- -X- O O`` line per dispatch. Overlapping spans keep the longest;
notes are dropped; every loss is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Raw, Record, by_dispatch, count
from reader.formats.offsets import letters, probe
from reader.models import Dispatch
from reader.segments import sentence_spans

TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def write_conll(corpus: DispatchSource, records: list[Record]) -> Output:
    out: list[str] = []
    dropped: list[str] = []
    snapped = 0
    crossing: set[str] = set()
    for dispatch, group in by_dispatch(corpus, records):
        dispatch_id = dispatch.id
        kept: list[Record] = []
        # Longest first; anything overlapping a kept span is dropped.
        for r in sorted(group, key=lambda r: (r["start"] - r["end"], r["start"])):
            if any(r["start"] < k["end"] and k["start"] < r["end"] for k in kept):
                dropped.append(f"{dispatch_id} {r['start']}..{r['end']} [{r['tag']}]")
                continue
            kept.append(r)
        kept.sort(key=lambda r: r["start"])
        out.append("-DOCSTART- -X- O O")  # the line spacy convert and most CoNLL readers expect
        out.append("")
        text = dispatch.text
        starts, ends = set(), set()
        k = 0
        previous: Record | None = None
        for sentence in sentence_spans(text):
            for m in TOKEN.finditer(text, sentence.start, sentence.end):
                starts.add(m.start())
                ends.add(m.end())
                while k < len(kept) and kept[k]["end"] <= m.start():
                    k += 1
                current = kept[k] if k < len(kept) and kept[k]["start"] < m.end() else None
                if current is None:
                    label = "O"
                else:
                    tag = re.sub(r"\s+", "_", current["tag"])
                    label = ("I-" if current is previous else "B-") + tag
                previous = current
                out.append(f"{m.group()}\t{label}")  # a tab: doccano's CoNLL import wants one
            out.append("")
            if previous is not None and previous["end"] > sentence.end:
                crossing.add(previous["id"])
            previous = None
        snapped += sum(1 for r in kept if r["start"] not in starts or r["end"] not in ends)
    losses = []
    notes = count(records, lambda r: bool(r.get("note")))
    if notes:
        losses.append(f"conll: {notes} notes not exported (CoNLL has no notes)")
    if dropped:
        shown = "; ".join(dropped[:5]) + (" …" if len(dropped) > 5 else "")
        losses.append(f"conll: {len(dropped)} overlapping annotations dropped (kept the longest): {shown}")
    if snapped:
        losses.append(f"conll: {snapped} annotations start or end inside a token and widen to whole tokens")
    if crossing:
        losses.append(
            f"conll: {len(crossing)} annotations run across a sentence break: "
            "each sentence starts a new B- entity"
        )
    spaced = sorted({r["tag"] for r in records if re.search(r"\s", r["tag"])})
    if spaced:
        losses.append(
            f"conll: {len(spaced)} tags with spaces written with _ instead: {', '.join(spaced[:5])}"
        )
    if records:
        losses.append("conll: annotation ids, annotators and timestamps not exported")
    return Output(text="\n".join(out) + "\n", losses=losses)


# -- import ------------------------------------------------------------------------------

Finder = Callable[[str, str], Dispatch | None]
"""``find(letters, probe)``: the dispatch whose text, without whitespace, is ``letters``
(``probe`` is a word of it, to narrow the search); None when there is none."""

_PREFIXES = {"B", "I", "E", "S", "L", "U"}


@dataclass
class _Block:
    """A blank-line-separated run of token lines: ``(token, tag, line number)``."""

    rows: list[tuple[str, str, int]]


def _split(text: str, name: str) -> tuple[list[list[_Block]], int]:
    """Sections (between ``-DOCSTART-`` lines) of blocks, and how many ``-DOCSTART-`` lines."""
    sections: list[list[_Block]] = [[]]
    rows: list[tuple[str, str, int]] = []
    starts = 0

    def close() -> None:
        nonlocal rows
        if rows:
            sections[-1].append(_Block(rows))
            rows = []

    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            close()
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        cells = [c.strip() for c in cells]
        if cells[0] == "-DOCSTART-":
            close()
            starts += 1
            if sections[-1]:
                sections.append([])
            continue
        if len(cells) < 2 or not cells[0]:
            raise FormatError(f"{name}:{number}", "a CoNLL line is a token and its tag (2 or more columns)")
        rows.append((cells[0], cells[-1], number))
    close()
    return [s for s in sections if s], starts


def _entities(rows: list[tuple[str, str, int]], name: str) -> list[tuple[int, int, str]]:
    """Token ranges ``(first, last + 1, type)`` from IOB1, IOB2, BIOES or BILOU tags."""
    out: list[tuple[int, int, str]] = []
    open_: tuple[int, str] | None = None
    for i, (_, tag, number) in enumerate(rows):
        if tag == "O":
            prefix, kind = "O", ""
        elif len(tag) > 2 and tag[1] in "-_" and tag[0] in _PREFIXES:
            prefix, kind = tag[0], tag[2:]
        else:
            raise FormatError(f"{name}:{number}", f"tag {tag[:40]!r} is not O or B-/I-/E-/S-TYPE")
        if open_ is not None and (prefix in ("O", "B", "S", "U") or kind != open_[1]):
            out.append((open_[0], i, open_[1]))
            open_ = None
        if prefix == "O":
            continue
        if open_ is None:  # B, S, U; and I, E, L that start an entity (IOB1, or a broken run)
            open_ = (i, kind)
        if prefix in ("E", "S", "L", "U"):
            out.append((open_[0], i + 1, open_[1]))
            open_ = None
    if open_ is not None:
        out.append((open_[0], len(rows), open_[1]))
    return out


def read_conll(text: str, name: str, find: Finder) -> list[Candidate]:
    """Entities of a CoNLL file, placed in the dispatch whose text has the same characters.

    Token lines are split at tabs when there are tabs, else at runs of spaces; the token is
    the first column and the tag the last, so 2-column and 4-column files both read.
    ``-DOCSTART-`` lines separate documents (CoNLL-2003, spaCy); a part between them is
    matched to a dispatch whole, else block by block (Label Studio writes one ``-DOCSTART-``
    and a block per text). Without ``-DOCSTART-`` each block is a document (doccano). A
    document no dispatch matches keeps its tokens, one space apart and a line per block, as
    its ``_text`` (the importer refuses it, or adds it with ``--add-texts``).
    """
    sections, starts = _split(text, name)
    out: list[Candidate] = []
    for blocks in sections:
        documents = [blocks]
        whole = _match(blocks, find)
        if whole is None and len(blocks) > 1:
            matched = [_match([b], find) for b in blocks]
            if any(m is not None for m in matched) or not starts:
                documents = [[b] for b in blocks]
        for document in documents:
            out.extend(_candidates(document, _match(document, find), name))
    return out


def _match(blocks: list[_Block], find: Finder) -> Dispatch | None:
    tokens = [t for b in blocks for t, _, _ in b.rows]
    return find(letters("".join(tokens)), probe(" ".join(tokens[:200])))


def _candidates(blocks: list[_Block], dispatch: Dispatch | None, name: str) -> list[Candidate]:
    """Entities over the document's tokens, one space apart and a line per block; the
    importer moves them onto the dispatch's own spacing (or adds the text as it is)."""
    rows = [row for b in blocks for row in b.rows]
    lines, spans, pos = [], [], 0
    for b in blocks:
        for token, _, _ in b.rows:
            spans.append((pos, pos + len(token)))
            pos += len(token) + 1
        lines.append(" ".join(t for t, _, _ in b.rows))
    basis = "\n".join(lines) + "\n"
    out = []
    for first, stop, kind in _entities(rows, name):
        record: Raw = {"start": spans[first][0], "end": spans[stop - 1][1], "tag": kind, "_text": basis}
        if dispatch is not None:
            record["dispatch_id"] = dispatch.id
        out.append(Candidate(record, f"{name}:{rows[first][2]}"))
    return out
