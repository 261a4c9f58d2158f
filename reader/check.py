"""Checking annotations against the current dispatch texts (``reader check``).

For each annotation whose dispatch text changed (its sha256 differs) or whose offsets no
longer select its quote, :func:`reader.anchor.reanchor` finds it again. The result says,
per annotation, its state (anchored, moved, fuzzy with a score, orphaned) and the record
as it would be stored: new offsets, the current context, and an ``anchor`` field with the
state, the score, the sha256 it now matches and the original quote, which is always kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from reader.anchor import context, reanchor
from reader.models import Anchor, Dispatch
from reader.store import Record, utc_now

STATES = ("anchored", "moved", "fuzzy", "orphaned")


@dataclass
class Finding:
    record: Record
    """The stored record, unchanged."""
    state: str
    score: float
    updated: Record | None
    """The record as ``--apply`` stores it; ``None`` when nothing changes."""
    reason: str = ""


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, Counter[str]]:
        per: dict[str, Counter[str]] = {}
        for f in self.findings:
            per.setdefault(f.record["dispatch_id"], Counter())[f.state] += 1
        return per

    def needing_review(self) -> list[Finding]:
        return [f for f in self.findings if f.state in ("moved", "fuzzy", "orphaned")]

    def updates(self) -> list[Record]:
        return [f.updated for f in self.findings if f.updated is not None]


class DispatchGetter(Protocol):
    def get(self, dispatch_id: str) -> Dispatch | None: ...


def check_records(records: list[Record], corpus: DispatchGetter) -> CheckReport:
    report = CheckReport()
    now = utc_now()
    for r in records:
        dispatch = corpus.get(r["dispatch_id"])
        if dispatch is None:
            report.findings.append(
                Finding(r, "orphaned", 0.0, None, "the dispatch is no longer in the corpus")
            )
            continue
        text = dispatch.text
        anchor: Anchor = r.get("anchor") or {}
        in_place = r.get("dispatch_sha256") == dispatch.sha256 and text[r["start"] : r["end"]] == r["quote"]
        if in_place and anchor.get("state") in ("moved", "fuzzy") and not anchor.get("confirmed"):
            # Applied before, not yet reviewed: it stays on the review list.
            report.findings.append(Finding(r, anchor["state"], float(anchor.get("score", 1.0)), None))
            continue
        if in_place:
            report.findings.append(Finding(r, "anchored", 1.0, None))
            continue
        if anchor.get("state") == "orphaned" and anchor.get("sha256") == dispatch.sha256:
            report.findings.append(Finding(r, "orphaned", float(anchor.get("score", 0.0)), None, "not found"))
            continue
        original = anchor.get("original_quote", r["quote"])
        result = reanchor(text, r["start"], r["end"], original, r.get("prefix", ""), r.get("suffix", ""))
        if result.state == "orphaned":
            reason = "the quote is no longer in the text"
            lost: Anchor = {
                "state": "orphaned",
                "score": result.score,
                "sha256": dispatch.sha256,
                "original_quote": original,
            }
            updated: Record | None = None
            if r.get("anchor") != lost:
                updated = {**r, "anchor": lost, "updated": now}
            report.findings.append(Finding(r, "orphaned", result.score, updated, reason))
            continue
        prefix, quote, suffix = context(text, result.start, result.end)
        # Same place in a new text version ("anchored"): nothing to review, score 1.
        moved: Record = {
            **r,
            "start": result.start,
            "end": result.end,
            "quote": quote,
            "prefix": prefix,
            "suffix": suffix,
            "dispatch_sha256": dispatch.sha256,
            "updated": now,
            "anchor": {
                "state": result.state,
                "score": 1.0 if result.state == "anchored" else result.score,
                "sha256": dispatch.sha256,
                "original_quote": original,
            },
        }
        report.findings.append(Finding(r, result.state, result.score, moved))
    return report


def confirmed(record: Record) -> Record:
    """The record accepted by the user where it now is."""
    anchor: Anchor = record.get("anchor", {}).copy()
    anchor["state"], anchor["confirmed"], anchor["score"] = "anchored", True, 1.0
    return {**record, "anchor": anchor, "updated": utc_now()}


@dataclass
class Placement:
    """Where a dispatch's annotations are drawn now, before anyone reviews them."""

    shown: list[Record] = field(default_factory=list)
    """Records to draw: in place, or (copies) at the place they moved to; quote matches text."""
    needing_review: list[Finding] = field(default_factory=list)
    """Fuzzy and orphaned ones: not drawn (their text is not there), listed for review."""


def place_for_display(records: list[Record], dispatch: Dispatch) -> Placement:
    """Re-anchor in memory (nothing is stored) so the view never draws a span on text it
    does not match: what ``reader check`` would do, applied to this one dispatch."""
    placement = Placement()
    stale = []
    for r in records:
        if dispatch.text[r["start"] : r["end"]] == r["quote"]:
            placement.shown.append(r)
        else:
            stale.append(r)
    if stale:
        one = {dispatch.id: dispatch}
        for f in check_records(stale, _Lookup(one)).findings:
            if f.state in ("anchored", "moved") and f.updated is not None:
                placement.shown.append({**f.record, "start": f.updated["start"], "end": f.updated["end"]})
            else:
                placement.needing_review.append(f)
    placement.shown.sort(key=lambda r: (r["start"], r["end"]))
    return placement


class _Lookup:
    """The one dispatch a placement is about, as the corpus ``check_records`` asks for."""

    def __init__(self, dispatches: dict[str, Dispatch]) -> None:
        self._dispatches = dispatches

    def get(self, dispatch_id: str) -> Dispatch | None:
        return self._dispatches.get(dispatch_id)
