"""``reader doctor``: explain what is wrong with an annotation store, and salvage it.

It never writes to the store it examines. With a salvage path it writes every record it can
recover (from the main file, even if truncated or damaged, and from the journal) into a new
store at that path, which must not exist yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from reader.corpus import DispatchSource
from reader.errors import ReaderError
from reader.store import TABLE_PREFIX, AnnotationStore, Record, check_op, check_record, parse_store_bytes

_RECORD_START = re.compile(r'\{\s*"id"\s*:')


@dataclass
class Diagnosis:
    problems: list[str] = field(default_factory=list)
    """One line each: what is wrong and where."""
    records: dict[str, Record] = field(default_factory=dict)
    """Every record that could be recovered, by id (journal entries win over the file)."""
    notes: list[str] = field(default_factory=list)


def _valid(record: object) -> bool:
    try:
        check_record(record, "")
    except ReaderError:
        return False
    return True


def _scan_records(text: str) -> list[object]:
    """Every JSON object that starts with an "id" key, found anywhere in damaged text."""
    decoder = json.JSONDecoder()
    found = []
    for match in _RECORD_START.finditer(text):
        try:
            obj, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        found.append(obj)
    return found


def diagnose(path: Path, corpus: DispatchSource | None = None) -> Diagnosis:
    d = Diagnosis()
    if not path.exists():
        d.problems.append(f"{path}: does not exist (a new store is made on the first write)")
        return d
    try:
        raw = path.read_bytes()
    except OSError as exc:
        d.problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return d
    text = raw.decode("utf-8", errors="replace")
    try:
        data = parse_store_bytes(raw, str(path)) if raw.strip() else {}
        for name, table in data.items():
            if name.startswith(TABLE_PREFIX):
                for record in table.values():
                    d.records[record["id"]] = record
        d.notes.append(f"{path}: valid store, {len(d.records)} annotations")
    except ReaderError as exc:
        d.problems.append(str(exc).split("; it was left untouched")[0])
        candidates = _scan_records(text)
        good = [c for c in candidates if _valid(c)]
        for record in good:
            checked = check_record(record, str(path))
            d.records[checked["id"]] = checked
        bad = len(candidates) - len(good)
        d.notes.append(f"{path}: {len(good)} annotations recoverable from the damaged file")
        if bad:
            d.problems.append(f"{path}: {bad} records lack fields or have bad offsets and cannot be saved")
    journal = path.with_name(path.name + ".journal")
    if journal.is_symlink():
        d.problems.append(f"{journal}: is a symlink; the store refuses to follow it (move it aside)")
    elif journal.exists() and journal.stat().st_size:
        lines = journal.read_bytes().split(b"\n")
        damaged = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{journal}, entry {number}"
            try:
                op = json.loads(line)
            except (ValueError, RecursionError):
                if number == len(lines):
                    d.notes.append(f"{journal}: a torn last entry (a write that never finished), ignored")
                else:
                    damaged += 1
                continue
            try:
                check_op(op, where)
            except ReaderError as exc:
                # A valid JSON line that is not a journal entry: explain it, salvage the rest.
                d.problems.append(str(exc))
                batch = isinstance(op, dict) and isinstance(op.get("ops"), list)
                inner_ops: list[object] = list(op["ops"]) if batch else [op]
                for inner in inner_ops:
                    if isinstance(inner, dict) and inner.get("op") == "put" and _valid(inner.get("r")):
                        d.records[inner["r"]["id"]] = inner["r"]
                continue
            for inner in op["ops"] if op.get("op") == "batch" else [op]:
                if inner.get("op") == "put":
                    d.records[inner["r"]["id"]] = inner["r"]
                elif inner.get("op") == "del":
                    d.records.pop(inner.get("id", ""), None)
        if damaged:
            d.problems.append(f"{journal}: {damaged} damaged entries in the middle of the journal")
        d.notes.append(f"{journal}: pending writes replayed into the recoverable set")
    if corpus is not None:
        missing = sorted({r["dispatch_id"] for r in d.records.values() if r["dispatch_id"] not in corpus})
        for dispatch_id in missing:
            n = sum(1 for r in d.records.values() if r["dispatch_id"] == dispatch_id)
            d.problems.append(
                f"{n} annotations belong to dispatch {dispatch_id!r}, which is not in the corpus"
            )
        for r in d.records.values():
            dispatch = corpus.get(r["dispatch_id"])
            if dispatch is not None and r["end"] > len(dispatch.text):
                d.problems.append(
                    f"annotation {r['id'][:8]} ends at {r['end']}, beyond the "
                    f"{len(dispatch.text)} characters of {dispatch.id}; `reader check` can re-find it"
                )
    return d


def salvage(diagnosis: Diagnosis, target: Path) -> int:
    """Write the recoverable records into a new store at ``target``."""
    if target.exists():
        raise ReaderError(f"{target}: exists already; salvage writes only to a new file")
    records = list(diagnosis.records.values())
    if not records:
        raise ReaderError("no annotation could be recovered; no new file was written")
    with AnnotationStore.open(target) as store:
        store.put_many(records)
    return len(records)
