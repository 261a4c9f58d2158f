"""Prodigy's JSONL: one example per line, ``{"text", "spans": [{"start", "end", "label"}],
"answer"}``, as ``ner.manual`` and ``spans.manual`` save them.

Export writes one example per dispatch and annotator (``_annotator_id`` names the
annotator, as Prodigy's multi-user sessions do) with ``answer: "accept"``. Import takes the
spans of accepted examples (and of examples with no answer); rejected and ignored examples
are reported, not taken.
"""

from __future__ import annotations

import json
from typing import Any

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Raw, Record, by_dispatch, count, load_json


def write_prodigy(corpus: DispatchSource, records: list[Record]) -> Output:
    lines = []
    overlapping = 0
    for dispatch, group in by_dispatch(corpus, records):
        by_annotator: dict[str, list[Record]] = {}
        for r in group:
            by_annotator.setdefault(r["annotator"], []).append(r)
        for annotator in sorted(by_annotator):
            spans = by_annotator[annotator]
            overlapping += sum(1 for a, b in zip(spans, spans[1:], strict=False) if b["start"] < a["end"])
            example: dict[str, Any] = {
                "text": dispatch.text,
                "spans": [{"start": r["start"], "end": r["end"], "label": r["tag"]} for r in spans],
                "answer": "accept",
                "_annotator_id": annotator,
                "meta": {"dispatch_id": dispatch.id, "sha256": dispatch.sha256},
            }
            lines.append(json.dumps(example, ensure_ascii=False))
    losses = []
    notes = count(records, lambda r: bool(r.get("note")))
    if notes:
        losses.append(f"prodigy: {notes} notes not exported (a Prodigy span has no note)")
    if overlapping:
        losses.append(
            f"prodigy: {overlapping} spans overlap another of the same annotator: ner.manual refuses "
            "overlapping spans (spans.manual takes them)"
        )
    if records:
        losses.append("prodigy: annotation ids and timestamps not exported")
    return Output(text="".join(line + "\n" for line in lines), losses=losses)


def read_prodigy(text: str, name: str) -> list[Candidate]:
    out: list[Candidate] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        obj = load_json(line, where, lines=False)
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise FormatError(where, "a Prodigy example needs a text")
        answer = obj.get("answer", "accept")
        spans = obj.get("spans", [])
        if not isinstance(spans, list):
            raise FormatError(where, "spans must be a list")
        meta = obj["meta"] if isinstance(obj.get("meta"), dict) else {}
        annotator = obj.get("_annotator_id") or obj.get("_session_id") or ""
        if answer != "accept":
            out.append(
                Candidate({"_skip": f"a {str(answer)[:20]} example: its {len(spans)} spans not taken"}, where)
            )
            continue
        for k, span in enumerate(spans, 1):
            if not isinstance(span, dict):
                raise FormatError(f"{where} span {k}", "a span is an object with start, end and label")
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            if not (type(start) is int and type(end) is int and isinstance(label, str)):  # noqa: E721
                raise FormatError(
                    f"{where} span {k}", "start and end must be integers and the label a string"
                )
            record: Raw = {"start": start, "end": end, "tag": label, "_text": obj["text"]}
            if isinstance(meta.get("dispatch_id"), str):
                record["dispatch_id"] = meta["dispatch_id"]
            if isinstance(annotator, str) and annotator:
                record["annotator"] = annotator
            out.append(Candidate(record, f"{where} span {k}"))
    return out
