"""Merging colleagues' annotations: other stores and any import format, idempotently.

A source is another dispatch-reader store (its TinyDB file, with its journal replayed; it is
opened read-only and never written) or any file ``reader import`` reads. Every incoming
record passes the one record schema (``store.check_record``), as imports do.

The rules make merging idempotent and independent of order:

* the same id, the same content: already here, nothing changes;
* the same id, different content (one record edited in two places): the later ``updated``
  wins (equal times: the larger record, compared as canonical JSON), and the other is
  reported;
* another id, but the same annotator, dispatch, span, tag and note as a record here: the
  same annotation made twice (an export without ids imported twice, say); the one created
  first is kept (equal times: the smaller id);
* anything else is added.

Merging never deletes: an annotation a colleague removed stays until someone removes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.corpus import DispatchSource
from reader.errors import ReaderError
from reader.models import Annotation
from reader.store import AnnotationStore, check_record

Record = Annotation

_IDENTITY = ("dispatch_id", "start", "end", "tag", "annotator", "note")


@dataclass
class MergePlan:
    puts: list[Record] = field(default_factory=list)
    """Records to add or to replace (same id) in the store."""
    removes: list[str] = field(default_factory=list)
    """Ids replaced by an equal annotation made earlier under another id."""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    """One line per record id edited in two places: which version was kept."""
    by_annotator: dict[str, int] = field(default_factory=dict)
    """Records added or updated, per annotator."""


def _canonical(record: Record) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def _content(record: Record) -> tuple[Any, ...]:
    return tuple(record.get(k) for k in _IDENTITY)


def is_store_file(path: Path) -> bool:
    """Whether ``path`` looks like a dispatch-reader store (rather than an export)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    return b'"_meta"' in head or (head.strip() in (b"", b"{}") and Path(f"{path}.journal").exists())


def read_source(path: Path, fmt: str | None, corpus: DispatchSource) -> list[Record]:
    """Every record of one source, checked; raises :class:`ReaderError` naming the file."""
    if not path.exists():
        raise ReaderError(f"{path}: no such file or folder")
    if fmt in (None, "store") and is_store_file(path):
        with AnnotationStore.open(path, readonly=True) as other:
            records = other.all()
        for record in records:
            check_record(record, str(path))
        return records
    if fmt == "store":
        raise ReaderError(f"{path}: not a dispatch-reader store")
    from reader.importer import import_path

    # Read and checked as ``reader import`` does, against an empty store: nothing is written.
    plan = import_path(path, fmt, corpus, AnnotationStore.in_memory(), dry_run=True)
    if plan.errors:
        raise ReaderError(f"{path}: {plan.errors[0]} ({len(plan.errors)} problems; nothing merged)")
    return plan.records


def plan_merge(existing: Iterable[Record], incoming: Iterable[Record]) -> MergePlan:
    """What merging ``incoming`` into ``existing`` changes (nothing is written here)."""
    plan = MergePlan()
    by_id: dict[str, Record] = {r["id"]: r for r in existing}
    by_content: dict[tuple[Any, ...], Record] = {}
    for r in by_id.values():
        _keep_first(by_content, r)
    for record in incoming:
        here = by_id.get(record["id"])
        if here is not None:
            if _canonical(here) == _canonical(record):
                plan.unchanged += 1
                continue
            newer, older = sorted((here, record), key=lambda r: (r.get("updated", ""), _canonical(r)))[::-1]
            plan.conflicts.append(
                f"{record['id']}: edited in two places; kept the one updated {newer.get('updated', '?')} "
                f"([{newer['tag']}] {newer['start']}..{newer['end']} by {newer['annotator']}), "
                f"not {older.get('updated', '?')} ([{older['tag']}] {older['start']}..{older['end']})"
            )
            if newer is here:
                continue
            by_id[record["id"]] = record
            plan.puts.append(record)
            plan.updated += 1
            plan.by_annotator[record["annotator"]] = plan.by_annotator.get(record["annotator"], 0) + 1
            continue
        twin = by_content.get(_content(record))
        if twin is not None:
            if (twin.get("created", ""), twin["id"]) <= (record.get("created", ""), record["id"]):
                plan.unchanged += 1
                continue
            # The incoming one was made first: it takes the place of the later twin.
            plan.removes.append(twin["id"])
            del by_id[twin["id"]]
            plan.puts = [p for p in plan.puts if p["id"] != twin["id"]]
        by_id[record["id"]] = record
        by_content[_content(record)] = record
        plan.puts.append(record)
        plan.added += 1
        plan.by_annotator[record["annotator"]] = plan.by_annotator.get(record["annotator"], 0) + 1
    return plan


def _keep_first(by_content: dict[tuple[Any, ...], Record], record: Record) -> None:
    key = _content(record)
    twin = by_content.get(key)
    if twin is None or (record.get("created", ""), record["id"]) < (twin.get("created", ""), twin["id"]):
        by_content[key] = record


def merge_into(
    store: AnnotationStore, corpus: DispatchSource, paths: list[Path], fmt: str | None, dry_run: bool = False
) -> tuple[MergePlan, dict[str, Record]]:
    """Read every source (all or nothing), plan the merge and, unless ``dry_run``, apply it.

    Returns the plan and the store's records before, by id (for an undo step).
    Raises :class:`ReaderError` naming the file for a bad source or one naming unknown dispatches.
    """
    incoming: list[Record] = []
    for path in paths:
        records = read_source(path, fmt, corpus)
        unknown = sorted({r["dispatch_id"] for r in records if corpus.get(r["dispatch_id"]) is None})
        if unknown:
            many = "dispatch" if len(unknown) == 1 else "dispatches"
            raise ReaderError(
                f"{path}: {len(unknown):,} {many} not in the corpus (first: {unknown[0]!r}); nothing merged"
            )
        incoming.extend(records)
    before = {r["id"]: r for r in store.all()}
    plan = plan_merge(before.values(), incoming)
    if not dry_run:
        if plan.removes:
            store.remove_many(plan.removes)
        if plan.puts:
            store.put_many(plan.puts)
    return plan, before
