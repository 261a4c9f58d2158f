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
from typing import Any

from reader.anchor import context, reanchor
from reader.corpus import DispatchSource
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


def check_records(records: list[Record], corpus: DispatchSource) -> CheckReport:
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
        anchor = r.get("anchor") or {}
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
        original = r.get("anchor", {}).get("original_quote", r["quote"])
        result = reanchor(text, r["start"], r["end"], original, r.get("prefix", ""), r.get("suffix", ""))
        if result.state == "orphaned":
            reason = "the quote is no longer in the text"
            anchor = {
                "state": "orphaned",
                "score": result.score,
                "sha256": dispatch.sha256,
                "original_quote": original,
            }
            updated = None if r.get("anchor") == anchor else dict(r, anchor=anchor, updated=now)
            report.findings.append(Finding(r, "orphaned", result.score, updated, reason))
            continue
        prefix, quote, suffix = context(text, result.start, result.end)
        updated = dict(
            r,
            start=result.start,
            end=result.end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            dispatch_sha256=dispatch.sha256,
            updated=now,
            anchor={
                "state": result.state,
                "score": result.score,
                "sha256": dispatch.sha256,
                "original_quote": original,
            },
        )
        if result.state == "anchored":
            # Same place, new text version: nothing to review.
            updated["anchor"] = {
                "state": "anchored",
                "score": 1.0,
                "sha256": dispatch.sha256,
                "original_quote": original,
            }
        report.findings.append(Finding(r, result.state, result.score, updated))
    return report


def confirmed(record: Record) -> Record:
    """The record accepted by the user where it now is."""
    anchor: dict[str, Any] = dict(record.get("anchor", {}))
    anchor.update(state="anchored", confirmed=True, score=1.0)
    return dict(record, anchor=anchor, updated=utc_now())
