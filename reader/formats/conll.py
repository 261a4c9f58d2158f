"""CoNLL-2003 style: one token per line (token, a tab, its IOB2 tag), a blank line between
sentences, a ``-DOCSTART- -X- O O`` line per dispatch. Overlapping spans keep the longest;
notes are dropped; every loss is reported.
"""

from __future__ import annotations

import re

from reader.corpus import DispatchSource
from reader.formats import Output, Record, by_dispatch, count
from reader.segments import sentence_spans

_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


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
            for m in _TOKEN.finditer(text, sentence.start, sentence.end):
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
