"""W3C Web Annotation Data Model (JSON-LD): an AnnotationCollection with one AnnotationPage.

Each annotation has a ``urn:uuid:`` id (the record id), motivation ``tagging`` (or
``commenting`` when it has a note), created/modified/creator, a ``tagging`` TextualBody for
the tag and a ``commenting`` one for the note, and a SpecificResource target whose source
names the dispatch and whose selectors are a TextQuoteSelector and a TextPositionSelector
(code points). ``dispatchSha256`` on the target keeps the text version for a lossless
round trip; a small context of our own after the W3C one gives it an IRI.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote, unquote

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Raw, Record, load_json
from reader.store import utc_now

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
VOCAB = "urn:x-dispatch-reader:vocab:"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"dispatchSha256": {"@id": VOCAB + "dispatchSha256"}}]
"""The W3C context first (as the model requires), then ours: ``dispatchSha256`` is a term
with an IRI, so a JSON-LD processor keeps it when it expands the document."""
SOURCE_PREFIX = "urn:x-dispatch-reader:dispatch:"


def source_iri(dispatch_id: str) -> str:
    return SOURCE_PREFIX + quote(dispatch_id, safe="/")


def annotation(record: Record) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": record["tag"], "format": "text/plain"}
    ]
    if record.get("note"):
        bodies.append(
            {"type": "TextualBody", "purpose": "commenting", "value": record["note"], "format": "text/plain"}
        )
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{record['id']}",
        "type": "Annotation",
        "motivation": "commenting" if record.get("note") else "tagging",
        "created": record.get("created", ""),
        "modified": record.get("updated", record.get("created", "")),
        "creator": {"type": "Person", "nickname": record.get("annotator", "")},
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": source_iri(record["dispatch_id"]),
            "dispatchSha256": record.get("dispatch_sha256", ""),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": record["quote"],
                    "prefix": record.get("prefix", ""),
                    "suffix": record.get("suffix", ""),
                },
                {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]},
            ],
        },
    }


def write_w3c(corpus: DispatchSource, records: list[Record]) -> Output:
    page_id = f"urn:uuid:{uuid.uuid4()}"
    collection = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": "AnnotationCollection",
        "label": "dispatch-reader annotations",
        "created": utc_now(),
        "total": len(records),
        "first": {
            "@context": CONTEXT,
            "id": page_id,
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": [annotation(r) for r in records],
        },
    }
    return Output(text=json.dumps(collection, ensure_ascii=False, indent=1) + "\n")


def read_w3c(text: str, name: str) -> list[Candidate]:
    doc = load_json(text, name)
    if isinstance(doc, dict) and doc.get("type") == "AnnotationCollection":
        items = (doc.get("first") or {}).get("items", [])
    elif isinstance(doc, dict) and doc.get("type") == "AnnotationPage":
        items = doc.get("items", [])
    elif isinstance(doc, dict) and doc.get("type") == "Annotation":
        items = [doc]
    elif isinstance(doc, list):
        items = doc
    else:
        raise FormatError(name, "not a W3C Annotation, AnnotationPage or AnnotationCollection")
    return [
        Candidate(_record(item, f"{name}: item {i + 1}"), f"{name}: item {i + 1}")
        for i, item in enumerate(items)
    ]


def _record(item: Any, where: str) -> Raw:
    if not isinstance(item, dict) or item.get("type") != "Annotation":
        raise FormatError(where, "not an Annotation")
    target = item.get("target")
    if not isinstance(target, dict) or not str(target.get("source", "")).startswith(SOURCE_PREFIX):
        raise FormatError(where, f"the target's source is not a dispatch ({SOURCE_PREFIX}...)")
    record: Raw = {"dispatch_id": unquote(str(target["source"])[len(SOURCE_PREFIX) :])}
    selectors = target.get("selector", [])
    # The model allows one selector object as well as a list of them.
    for selector in selectors if isinstance(selectors, list) else [selectors]:
        if not isinstance(selector, dict):
            raise FormatError(where, "a selector is not an object")
        if selector.get("type") == "TextPositionSelector":
            record["start"], record["end"] = selector.get("start"), selector.get("end")
        elif selector.get("type") == "TextQuoteSelector":
            record["quote"] = selector.get("exact", "")
            record["prefix"] = selector.get("prefix", "")
            record["suffix"] = selector.get("suffix", "")
    if "start" not in record and "quote" not in record:
        raise FormatError(where, "no TextPositionSelector or TextQuoteSelector")
    bodies = item.get("body", [])
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if isinstance(body, dict) and body.get("purpose") == "tagging":
            record["tag"] = body.get("value", "")
        elif isinstance(body, dict) and body.get("purpose") == "commenting":
            record["note"] = body.get("value", "")
    ident = str(item.get("id", ""))
    if ident.startswith("urn:uuid:"):
        record["id"] = ident[len("urn:uuid:") :]
    if target.get("dispatchSha256"):
        record["dispatch_sha256"] = target["dispatchSha256"]
    creator = item.get("creator")
    if isinstance(creator, dict):
        record["annotator"] = creator.get("nickname") or creator.get("name", "")
    if item.get("created"):
        record["created"] = item["created"]
    if item.get("modified"):
        record["updated"] = item["modified"]
    return record
