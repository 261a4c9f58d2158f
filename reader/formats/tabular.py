"""CSV: one annotation per row, a header, RFC 4180 quoting, notes with newlines intact."""

from __future__ import annotations

import csv
import io

from reader.corpus import DispatchSource
from reader.export import ordered_record
from reader.formats import Candidate, FormatError, Output, Raw, Record
from reader.store import FIELDS

INT_FIELDS = ("start", "end", "schema")


def write_csv(corpus: DispatchSource, records: list[Record]) -> Output:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(FIELDS), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(ordered_record(record))
    return Output(text=buffer.getvalue())


MAX_CSV_FIELD = 16 * 1024 * 1024
"""A field may be as long as a note may be (our own export of a long note must import)."""


def read_csv(text: str, name: str) -> list[Candidate]:
    if csv.field_size_limit() < MAX_CSV_FIELD:
        csv.field_size_limit(MAX_CSV_FIELD)
    try:
        return _read_csv(text, name)
    except csv.Error as exc:
        raise FormatError(name, f"not valid CSV ({exc})") from None


def _read_csv(text: str, name: str) -> list[Candidate]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [f for f in ("dispatch_id", "start", "end", "tag") if f not in (reader.fieldnames or [])]
    if missing:
        raise FormatError(f"{name}:1", f"the header lacks {', '.join(missing)}")
    out = []
    for row in reader:
        where = f"{name}:{reader.line_num}"
        record: Raw = {k: v for k, v in row.items() if k is not None and v is not None}
        try:
            for key in INT_FIELDS:
                if key in record and record[key] != "":
                    record[key] = int(record[key])
        except ValueError:
            raise FormatError(where, "start, end and schema must be integers") from None
        out.append(Candidate(record, where))
    return out
