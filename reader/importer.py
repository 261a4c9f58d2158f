"""Importing annotations: read a file in any supported format, check every annotation
against the current dispatch text, and store the lot as one durable operation.

Annotations whose offsets no longer select their quote are re-anchored to the nearest
occurrence of the quote (and reported); ones that cannot be placed are listed and
skipped. Malformed input and unknown dispatches are errors that stop the whole import:
a file imports whole or not at all.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from reader.anchor import context, occurrences
from reader.corpus import DispatchSource, decode, normalise, sha256_of
from reader.errors import ReaderError
from reader.formats import IMPORT_FORMATS, Candidate, FormatError, Record
from reader.store import SCHEMA_VERSION, AnnotationStore, check_record, default_annotator, utc_now


@dataclass
class ImportPlan:
    records: list[Record] = field(default_factory=list)
    """Records to store, complete and checked."""
    reanchored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    if path.is_dir():
        if any(path.glob("*.ann")):
            return "brat"
        raise ReaderError(f"{path}: a folder without .ann files; give --format")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".json", ".jsonld"):
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:4000]
        if "anno.jsonld" in head:
            return "w3c"
        if head.lstrip().startswith("[") and '"data"' in head:
            return "labelstudio"
        return "json"
    if suffix == ".jsonl":
        first = next(
            (
                line
                for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
                if line.strip()
            ),
            "",
        )
        try:
            obj = json.loads(first) if first else {}
        except (ValueError, RecursionError):
            return "jsonl"
        if isinstance(obj, dict) and "text" in obj:
            spans = obj.get("spans")
            if (
                "answer" in obj
                or "_annotator_id" in obj
                or (isinstance(spans, list) and spans and isinstance(spans[0], dict))
            ):
                return "prodigy"
            return "spacy" if "spans" in obj else "doccano"
        return "jsonl"
    raise ReaderError(
        f"{path}: cannot tell the format from the name; give --format ({', '.join(IMPORT_FORMATS)})"
    )


def _read_text(path: Path) -> str:
    from reader.files import read_capped

    data = read_capped(str(path))
    try:
        text, warnings = decode(data, str(path))
    except ReaderError:
        raise ReaderError(f"{path}: binary data, not an annotation file") from None
    if warnings:
        raise ReaderError(f"{path}: not UTF-8 text; save it as UTF-8 and import again")
    return text


def read_candidates(path: Path, fmt: str) -> list[Candidate]:
    from reader.formats import brat, jsonlike, labelstudio, prodigy, tabular, w3c

    if fmt == "brat":
        if not path.is_dir():
            raise ReaderError(f"{path}: brat imports read a folder of .txt and .ann files")
        conf = path / "annotation.conf"
        tag_map = brat.read_tag_map(_read_text(conf)) if conf.exists() else {}
        out = []
        for ann in sorted(path.glob("*.ann")):
            txt = ann.with_suffix(".txt")
            text = normalise(_read_text(txt)) if txt.exists() else ""
            dispatch_id = ann.stem.replace("__", "/")
            for c in brat.read_ann(_read_text(ann), text, dispatch_id, str(ann), tag_map):
                if text:
                    c.record["_text"] = text
                out.append(c)
        return out
    text = _read_text(path)
    readers = {
        "json": jsonlike.read_json,
        "jsonl": jsonlike.read_jsonl,
        "spacy": jsonlike.read_span_lines,
        "doccano": jsonlike.read_span_lines,
        "csv": tabular.read_csv,
        "w3c": w3c.read_w3c,
        "labelstudio": labelstudio.read_labelstudio,
        "prodigy": prodigy.read_prodigy,
    }
    if fmt not in readers:
        raise ReaderError(f"cannot import {fmt!r}: formats are {', '.join(IMPORT_FORMATS)}")
    return readers[fmt](text, str(path))


def plan_import(candidates: list[Candidate], corpus: DispatchSource, store: AnnotationStore) -> ImportPlan:
    plan = ImportPlan()
    existing_ids = {r["id"]: r for r in store.all()}
    existing_spans = {(r["dispatch_id"], r["start"], r["end"], r["tag"]) for r in existing_ids.values()}
    planned_ids: set[str] = set()
    now = utc_now()
    for c in candidates:
        r = dict(c.record)
        if "_skip" in r:  # something the format's reader read but does not take, and says why
            plan.skipped.append(f"{c.where}: {r['_skip']}")
            continue
        source_text = r.pop("_text", None)
        text_fields = ("dispatch_id", "tag", "note", "annotator", "created", "updated", "id")
        wrong = [k for k in text_fields if k in r and not isinstance(r[k], str) and r[k] is not None]
        if wrong or not (source_text is None or isinstance(source_text, str)):
            plan.errors.append(f"{c.where}: {', '.join(wrong) or 'text'} must be text")
            continue
        dispatch = corpus.get(r.get("dispatch_id", "")) if r.get("dispatch_id") else None
        if dispatch is None and source_text is not None:
            dispatch = corpus.by_sha256(sha256_of(normalise(source_text)))
        if dispatch is None:
            plan.errors.append(
                f"{c.where}: unknown dispatch {r.get('dispatch_id', '(text not in the corpus)')!r}"
            )
            continue
        tag = str(r.get("tag") or "").strip()
        if not tag:
            plan.errors.append(f"{c.where}: empty tag")
            continue
        start, end = r.get("start"), r.get("end")
        # Offsets are integers; JSON's true/false are not (bool is an int in Python).
        start = start if type(start) is int else None  # noqa: E721
        end = end if type(end) is int else None  # noqa: E721
        basis = normalise(source_text) if source_text is not None else dispatch.text
        quote = r.get("quote")
        if quote is not None and not isinstance(quote, str):
            plan.errors.append(f"{c.where}: quote must be text")
            continue
        if not quote and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(basis):
            quote = basis[start:end]
        if not quote:
            plan.skipped.append(f"{c.where}: no quote and no valid offsets ({start}..{end})")
            continue
        text = dispatch.text
        anchored = (
            isinstance(start, int) and isinstance(end, int) and text[start:end] == quote and start < end
        )
        if not anchored:
            hits = occurrences(text, quote)
            if not hits:
                plan.skipped.append(f"{c.where}: quote {quote[:40]!r} is not in {dispatch.id}; skipped")
                continue
            old = start if isinstance(start, int) else 0
            prefix = r.get("prefix", "")
            best = min(hits, key=lambda h: (not (prefix and text[:h].endswith(prefix)), abs(h - old)))
            plan.reanchored.append(
                f"{c.where}: moved {start}..{end} -> {best}..{best + len(quote)} in {dispatch.id}"
            )
            start, end = best, best + len(quote)
        assert isinstance(start, int) and isinstance(end, int)  # anchored, or re-anchored above
        record_id = str(r.get("id") or "")
        try:
            uuid.UUID(record_id)
        except ValueError:
            record_id = ""
        key = (dispatch.id, start, end, tag)
        if (record_id and record_id in existing_ids and _same(existing_ids[record_id], start, end, tag)) or (
            not record_id and key in existing_spans
        ):
            plan.duplicates += 1
            continue
        if not record_id or record_id in planned_ids:
            record_id = str(uuid.uuid4())
        planned_ids.add(record_id)
        prefix, quote, suffix = context(text, start, end)
        moved = not anchored
        record = {
            "id": record_id,
            "dispatch_id": dispatch.id,
            "dispatch_sha256": dispatch.sha256
            if moved or not r.get("dispatch_sha256")
            else r["dispatch_sha256"],
            "start": start,
            "end": end,
            "quote": quote,
            "prefix": prefix if moved or "prefix" not in r else r["prefix"],
            "suffix": suffix if moved or "suffix" not in r else r["suffix"],
            "tag": tag,
            "note": str(r.get("note") or ""),
            "annotator": str(r.get("annotator") or default_annotator()),
            "created": str(r.get("created") or now),
            "updated": str(r.get("updated") or r.get("created") or now),
            "schema": SCHEMA_VERSION,
        }
        if "sources" in r:  # a curated annotation's link to the records it came from
            record["sources"] = r["sources"]
        fallback = {"dispatch_sha256": dispatch.sha256, "prefix": prefix, "suffix": suffix}
        for field_name, value in fallback.items():
            if not isinstance(record[field_name], str):
                record[field_name] = value
        try:
            check_record(record, c.where)
        except ReaderError as exc:
            plan.errors.append(str(exc))
            continue
        plan.records.append(record)
    return plan


def _same(record: Record, start: int, end: int, tag: str) -> bool:
    return bool(record["start"] == start and record["end"] == end and record["tag"] == tag)


def import_path(
    path: Path, fmt: str | None, corpus: DispatchSource, store: AnnotationStore, dry_run: bool = False
) -> ImportPlan:
    """Read, check and (unless ``dry_run`` or on any error) store; see the module docstring."""
    if not path.exists():
        raise ReaderError(f"{path}: no such file or folder")
    fmt = fmt or detect_format(path)
    try:
        candidates = read_candidates(path, fmt)
    except FormatError as exc:
        raise ReaderError(str(exc)) from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, RecursionError) as exc:
        # A shape no reader expected: still one line naming the file, and nothing stored.
        raise ReaderError(f"{path}: not a valid {fmt} file ({type(exc).__name__}: {str(exc)[:80]})") from None
    plan = plan_import(candidates, corpus, store)
    if not dry_run and not plan.errors and plan.records:
        store.put_many(plan.records)
    return plan
