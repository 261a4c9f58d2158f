"""JSON family: the native document, JSON lines, spaCy span lines and doccano lines."""

from __future__ import annotations

import json
from typing import Any

from reader.corpus import DispatchSource
from reader.export import build_export, dumps_export, ordered_record
from reader.formats import Candidate, FormatError, Output, Record, by_dispatch, count, load_json


def write_json(corpus: DispatchSource, records: list[Record]) -> Output:
    return Output(text=dumps_export(build_export(corpus, records)))


def write_jsonl(corpus: DispatchSource, records: list[Record]) -> Output:
    lines = [json.dumps(ordered_record(r), ensure_ascii=False) for r in records]
    return Output(text="".join(line + "\n" for line in lines))


def _text_losses(name: str, records: list[Record]) -> list[str]:
    losses = []
    notes = count(records, lambda r: bool(r.get("note")))
    if notes:
        losses.append(f"{name}: {notes} notes not exported ({name} spans hold no notes)")
    if records:
        losses.append(f"{name}: annotation ids, annotators and timestamps not exported")
    return losses


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` so it neither starts nor ends inside a word."""
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _spacy_tokenizer() -> Any:
    """spaCy's own English tokenizer when spaCy is installed (no pipeline, no download)."""
    try:
        import spacy
    except ImportError:
        return None
    return spacy.blank("en")


def write_spacy(corpus: DispatchSource, records: list[Record]) -> Output:
    """Spans ``Doc.char_span`` accepts: trimmed of white space at either end, then widened to
    spaCy's token boundaries (its own tokenizer when spaCy is installed, else whole words)."""
    nlp = _spacy_tokenizer()
    lines = []
    widened = trimmed = overlapping = 0
    for dispatch, group in by_dispatch(corpus, records):
        text = dispatch.text
        doc = nlp.make_doc(text) if nlp is not None else None
        spans = []
        reach = -1
        for r in group:
            start, end = r["start"], r["end"]
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if (start, end) != (r["start"], r["end"]):
                trimmed += 1
            if start == end:
                continue
            if doc is not None:
                if doc.char_span(start, end) is None:
                    span = doc.char_span(start, end, alignment_mode="expand")
                    start, end = span.start_char, span.end_char
                    widened += 1
            else:
                wide = whole_words(text, start, end)
                widened += wide != (start, end)
                start, end = wide
            overlapping += start < reach
            reach = max(reach, end)
            spans.append([start, end, r["tag"]])
        meta = {"dispatch_id": dispatch.id, "title": dispatch.title, "sha256": dispatch.sha256}
        lines.append(json.dumps({"text": text, "spans": spans, "meta": meta}, ensure_ascii=False))
    losses = _text_losses("spacy", records)
    if trimmed:
        losses.append(f"spacy: {trimmed} spans began or ended with white space: trimmed for char_span")
    if widened:
        unit = "spaCy's tokens" if nlp is not None else "whole words (spaCy is not installed to check tokens)"
        losses.append(f"spacy: {widened} spans that cut a token widened to {unit}")
    if overlapping:
        losses.append(
            f"spacy: {overlapping} spans overlap another: doc.ents cannot hold them all; doc.spans can"
        )
    return Output(text="".join(line + "\n" for line in lines), losses=losses)


def write_doccano(corpus: DispatchSource, records: list[Record]) -> Output:
    lines = []
    overlapping = 0
    for dispatch, group in by_dispatch(corpus, records):
        reach = -1
        for r in group:
            overlapping += r["start"] < reach
            reach = max(reach, r["end"])
        labels = [[r["start"], r["end"], r["tag"]] for r in group]
        line = {"text": dispatch.text, "label": labels, "dispatch_id": dispatch.id, "sha256": dispatch.sha256}
        lines.append(json.dumps(line, ensure_ascii=False))
    losses = _text_losses("doccano", records)
    if overlapping:
        losses.append(
            f"doccano: {overlapping} annotations overlap another: a doccano project drops them unless "
            "'Allow overlapping spans' is set"
        )
    return Output(text="".join(line + "\n" for line in lines), losses=losses)


# -- readers --------------------------------------------------------------------------------


def read_json(text: str, name: str) -> list[Candidate]:
    doc = load_json(text, name)
    if (
        not isinstance(doc, dict)
        or doc.get("format") != "dispatch-reader"
        or not isinstance(doc.get("dispatches"), list)
    ):
        raise FormatError(name, "not a dispatch-reader JSON export (no format/dispatches keys)")
    out = []
    for i, dispatch in enumerate(doc["dispatches"]):
        for j, record in enumerate(dispatch.get("annotations", [])):
            if not isinstance(record, dict):
                raise FormatError(f"{name}: dispatches[{i}].annotations[{j}]", "not an object")
            out.append(Candidate(dict(record), f"{name}: dispatches[{i}].annotations[{j}]"))
    return out


def _lines(text: str, name: str) -> list[tuple[str, Any]]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        out.append((f"{name}:{number}", load_json(line, f"{name}:{number}", lines=False)))
    return out


def read_jsonl(text: str, name: str) -> list[Candidate]:
    out = []
    for where, obj in _lines(text, name):
        if not isinstance(obj, dict) or "dispatch_id" not in obj:
            raise FormatError(where, "not an annotation record (no dispatch_id)")
        out.append(Candidate(dict(obj), where))
    return out


def read_span_lines(text: str, name: str) -> list[Candidate]:
    """spaCy and doccano lines: ``text`` plus ``spans``/``label``/``labels``/``entities``."""
    out = []
    for where, obj in _lines(text, name):
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise FormatError(where, "a line needs a text")
        raw = obj.get("spans", obj.get("label", obj.get("labels", obj.get("entities", []))))
        comments = obj.get("Comments", obj.get("comments"))
        if isinstance(comments, list) and comments:
            # doccano's comments belong to the whole text, not to a span: said, not taken.
            out.append(Candidate({"_skip": f"{len(comments)} document comments: not taken"}, where))
        relations = obj.get("relations")
        if isinstance(relations, list) and relations:  # doccano's relation projects
            out.append(Candidate({"_skip": f"{len(relations)} relations between spans: not taken"}, where))
        meta: dict[str, Any] = obj["meta"] if isinstance(obj.get("meta"), dict) else {}
        dispatch_id = obj.get("dispatch_id") or meta.get("dispatch_id")
        for k, span in enumerate(raw if isinstance(raw, list) else []):
            if isinstance(span, dict):  # doccano's "entities" form
                start, end, tag = span.get("start_offset"), span.get("end_offset"), span.get("label")
            elif isinstance(span, list) and len(span) == 3:
                start, end, tag = span
            else:
                raise FormatError(f"{where} span {k + 1}", "a span is [start, end, label]")
            if not (isinstance(start, int) and isinstance(end, int) and isinstance(tag, str)):
                raise FormatError(
                    f"{where} span {k + 1}", "start and end must be integers and the label a string"
                )
            record = {"start": start, "end": end, "tag": tag, "_text": obj["text"]}
            if dispatch_id:
                record["dispatch_id"] = dispatch_id
            out.append(Candidate(record, f"{where} span {k + 1}"))
    return out
