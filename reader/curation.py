"""Curation: where annotators differ in a dispatch, and settling it into one version.

A **unit** is a stretch of a dispatch where annotators' spans overlap one another (a
connected run of overlapping spans across all annotators). Its **versions** are the distinct
(start, end, tag) spans in it, each with the annotators who made it. Its status:

* ``settled``: the curator has an annotation in it, or rejected it;
* ``agreed``: every annotator of the dispatch made the same single version;
* ``one-sided``: only one annotator has anything there;
* ``disputed``: anything else.

Strategies for settling automatically, as INCEpTION's pre-merge offers them:

* ``agreed``: units everyone agrees on;
* ``majority``: the version more annotators made than any other, where annotators of the
  dispatch who left the unit empty count as a vote for nothing;
* ``threshold:N``: the version at least N annotators made, when only one version has that.

A settled annotation belongs to the curator and lists the records it came from in
``sources``. Rejections are kept in the store's ``_curation`` table, so a rejected unit stays
settled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reader.errors import ReaderError
from reader.models import Annotation
from reader.store import SCHEMA_VERSION, utc_now

Record = Annotation

CURATION_TABLE = "_curation"


@dataclass(frozen=True)
class Version:
    start: int
    end: int
    tag: str
    records: tuple[Record, ...]

    @property
    def annotators(self) -> list[str]:
        return sorted({r["annotator"] for r in self.records})


@dataclass
class Unit:
    dispatch_id: str
    start: int
    end: int
    versions: list[Version]
    annotators: list[str]
    """Everyone who annotated this dispatch (not only this unit)."""
    curated: list[Record] = field(default_factory=list)
    rejected: bool = False

    @property
    def key(self) -> str:
        return f"{self.dispatch_id}\t{self.start}\t{self.end}"

    @property
    def status(self) -> str:
        if self.curated or self.rejected:
            return "settled"
        present = {a for v in self.versions for a in v.annotators}
        if len(present) == 1:
            return "one-sided"
        if len(self.versions) == 1 and present == set(self.annotators):
            return "agreed"
        return "disputed"


def units_of(
    dispatch_id: str, records: Iterable[Record], curator: str, rejected: Iterable[str] = ()
) -> list[Unit]:
    """The units of one dispatch: annotators' records grouped where they overlap."""
    mine = [r for r in records if r["dispatch_id"] == dispatch_id]
    others = sorted((r for r in mine if r["annotator"] != curator), key=lambda r: (r["start"], r["end"]))
    curated = [r for r in mine if r["annotator"] == curator]
    annotators = sorted({r["annotator"] for r in others})
    rejected_keys = set(rejected)
    groups: list[list[Record]] = []
    reach = -1
    for r in others:
        if groups and r["start"] < reach:
            groups[-1].append(r)
            reach = max(reach, r["end"])
        else:
            groups.append([r])
            reach = r["end"]
    units = []
    for group in groups:
        by_span: dict[tuple[int, int, str], list[Record]] = {}
        for r in group:
            by_span.setdefault((r["start"], r["end"], r["tag"]), []).append(r)
        versions = [Version(s, e, t, tuple(rs)) for (s, e, t), rs in by_span.items()]
        versions.sort(key=lambda v: (-len(v.annotators), v.start, v.end, v.tag))
        start, end = min(r["start"] for r in group), max(r["end"] for r in group)
        unit = Unit(dispatch_id, start, end, versions, annotators)
        unit.curated = [c for c in curated if c["start"] < end and start < c["end"]]
        unit.rejected = unit.key in rejected_keys
        units.append(unit)
    return units


def rejected_keys(store: Any) -> list[str]:
    """Keys of the units a curator rejected, from the store's ``_curation`` table."""
    rows = store.table_rows(CURATION_TABLE)
    return [r["key"] for r in rows if isinstance(r.get("key"), str) and r.get("state") == "rejected"]


def parse_strategy(text: str) -> tuple[str, int]:
    """``agreed``, ``majority`` or ``threshold:N`` as (name, N)."""
    if text in ("agreed", "majority"):
        return text, 0
    name, _, number = text.partition(":")
    if name == "threshold" and number.isdigit() and int(number) >= 1:
        return name, int(number)
    raise ReaderError(f"unknown strategy {text!r}: agreed, majority or threshold:N (N at least 1)")


def winner(unit: Unit, strategy: str) -> Version | None:
    """The version ``strategy`` settles ``unit`` on, or ``None`` to leave it to a person."""
    if unit.status == "settled":
        return None
    name, n = parse_strategy(strategy)
    if name == "agreed":
        return unit.versions[0] if unit.status == "agreed" else None
    votes = sorted(((len(v.annotators), v) for v in unit.versions), key=lambda x: -x[0])
    top, best = votes[0]
    runner_up = votes[1][0] if len(votes) > 1 else 0
    if name == "majority":
        present = {a for v in unit.versions for a in v.annotators}
        nothing = len(set(unit.annotators) - present)  # a vote for no annotation here
        return best if top > runner_up and top > nothing else None
    return best if top >= n and runner_up < n else None


def settle(version: Version, curator: str, *, now: str | None = None) -> Record:
    """The curator's record for ``version``, linked to the records it came from."""
    first = version.records[0]
    now = now or utc_now()
    notes = []
    for r in version.records:
        if r.get("note") and r["note"] not in notes:
            notes.append(r["note"])
    return {
        "id": str(uuid.uuid4()),
        "dispatch_id": first["dispatch_id"],
        "dispatch_sha256": first.get("dispatch_sha256", ""),
        "start": version.start,
        "end": version.end,
        "quote": first["quote"],
        "prefix": first.get("prefix", ""),
        "suffix": first.get("suffix", ""),
        "tag": version.tag,
        "note": "\n".join(notes),
        "annotator": curator,
        "created": now,
        "updated": now,
        "schema": SCHEMA_VERSION,
        "sources": sorted(r["id"] for r in version.records),
    }


@dataclass
class CurationPlan:
    records: list[Record] = field(default_factory=list)
    """Settled annotations to store."""
    counts: dict[str, int] = field(default_factory=dict)
    """Units by status before settling."""


def plan_curation(
    records: Sequence[Record], curator: str, strategy: str, rejected: Iterable[str] = ()
) -> CurationPlan:
    """What ``strategy`` settles across all dispatches (nothing is stored here)."""
    parse_strategy(strategy)
    plan = CurationPlan()
    rejected = list(rejected)
    by_dispatch: dict[str, list[Record]] = {}
    for r in records:
        by_dispatch.setdefault(r["dispatch_id"], []).append(r)
    for dispatch_id in sorted(by_dispatch):
        for unit in units_of(dispatch_id, by_dispatch[dispatch_id], curator, rejected):
            plan.counts[unit.status] = plan.counts.get(unit.status, 0) + 1
            version = winner(unit, strategy)
            if version is not None:
                plan.records.append(settle(version, curator))
    return plan
