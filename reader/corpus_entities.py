"""Entities across the corpus, from the catalog: dossiers with name variants, statistics.

Recognition runs once per file and recognizer (see :mod:`reader.catalog`); dossiers and
statistics read the mentions and counts the catalog keeps, never the texts, except for the
few contexts a dossier shows.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from reader.catalog import NAME_LABELS, Catalog, Mention, mention_key
from reader.corpus import DispatchSource
from reader.inert import plural
from reader.search import kwic
from reader.store import AnnotationStore, Record

GROUPS_TABLE = "_groups"
"""User decisions about variants: rows ``{"key": variant, "canonical": name}`` (merge) or
``{"key": variant, "canonical": ""}`` (split: the variant stands alone)."""
CONTEXT_DISPATCHES = 100
"""A dossier reads contexts from this many dispatches at most (the most mentioning first)."""


def _norm(name: str) -> str:
    return " ".join(re.sub(r"['’]s$", "", name).split())


def variant_groups(person_names: list[str], decisions: dict[str, str] | None = None) -> dict[str, str]:
    """Each name -> the canonical name of its group.

    Clear evidence only: a one-word PERSON name that is the last word of exactly one longer
    PERSON name ("Grachev" -> "Pavel Grachev"). User decisions win: a merge maps a variant
    to a name, a split keeps it alone.
    """
    decisions = decisions or {}
    persons = {_norm(n) for n in person_names}
    long_by_last: dict[str, set[str]] = defaultdict(set)
    for name in persons:
        parts = name.split()
        if len(parts) > 1:
            long_by_last[parts[-1]].add(name)
    canonical: dict[str, str] = {}
    for name in persons:
        if " " not in name and len(long_by_last.get(name, ())) == 1:
            canonical[name] = next(iter(long_by_last[name]))
    for variant, target in decisions.items():
        if target:
            canonical[variant] = target
        else:
            canonical.pop(variant, None)
    return canonical


@dataclass
class Dossier:
    name: str
    label: str
    variants: list[str]
    mentions: dict[str, list[Mention]] = field(default_factory=dict)
    """Dispatch id -> its mentions of the name (one per surface and label)."""
    cooccurring: list[tuple[str, str, int]] = field(default_factory=list)
    """(text, label, dispatches in common), most first."""

    def count(self, dispatch_id: str) -> int:
        return sum(m.count for m in self.mentions.get(dispatch_id, []))


def decisions_of(store: AnnotationStore | None) -> dict[str, str]:
    if store is None:
        return {}
    return {row["key"]: row.get("canonical", "") for row in store.table_rows(GROUPS_TABLE)}


def build_dossier(name: str, catalog: Catalog, decisions: dict[str, str]) -> Dossier | None:
    """The dossier of ``name`` from the catalog's mentions (entities must be current)."""
    groups = variant_groups(catalog.surfaces("PERSON"), decisions)
    wanted = _norm(name)
    head = groups.get(wanted, wanted)
    members = {t for t, c in groups.items() if c == head} | {head}
    found = catalog.mentions_of({mention_key(m) for m in members})
    if not found:
        return None
    mentions: dict[str, list[Mention]] = {}
    labels: Counter[str] = Counter()
    for m in found:
        mentions.setdefault(m.dispatch_id, []).append(m)
        labels[m.label] += m.count
    co: Counter[tuple[str, str]] = Counter()
    weight: Counter[tuple[str, str]] = Counter()
    member_keys = {mention_key(m) for m in members}
    per_dispatch: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for m in catalog.mentions_in(mentions):
        if m.label not in NAME_LABELS or mention_key(m.surface) in member_keys:
            continue
        canonical = groups.get(_norm(m.surface), _norm(m.surface))
        if canonical in members:
            continue
        per_dispatch[m.dispatch_id].add((canonical, m.label))
        weight[(canonical, m.label)] += m.count
    for names in per_dispatch.values():
        co.update(names)
    # Most shared dispatches first; among equals, the most mentioned alongside.
    ranked = sorted(co, key=lambda k: (-co[k], -weight[k], k))[:10]
    variants = sorted({_norm(m.surface) for m in found}, key=lambda v: (-len(v), v))
    return Dossier(
        name=head,
        label=labels.most_common(1)[0][0],
        variants=variants,
        mentions=mentions,
        cooccurring=[(t, lab, co[(t, lab)]) for t, lab in ranked],
    )


def dossier_dict(dossier: Dossier, corpus: DispatchSource) -> dict[str, Any]:
    """The dossier as plain data; contexts are read from the first dispatches only."""
    ordered = sorted(dossier.mentions, key=lambda d: (-dossier.count(d), d))
    dispatches: list[dict[str, Any]] = []
    for n, dispatch_id in enumerate(ordered):
        contexts: list[str] = []
        title = dispatch_id
        if n < CONTEXT_DISPATCHES:
            dispatch = corpus.get(dispatch_id)
            if dispatch is not None:
                title = dispatch.title
                starts = sorted(
                    (s, s + len(m.surface)) for m in dossier.mentions[dispatch_id] for s in m.starts
                )[:3]
                contexts = [kwic(dispatch.text, a, b, 80) for a, b in starts]
        dispatches.append(
            {"id": dispatch_id, "title": title, "count": dossier.count(dispatch_id), "contexts": contexts}
        )
    return {
        "name": dossier.name,
        "label": dossier.label,
        "variants": dossier.variants,
        "dispatches": dispatches,
        "cooccurring": [{"text": t, "label": lab, "dispatches": n} for t, lab, n in dossier.cooccurring],
    }


# -- statistics ------------------------------------------------------------------------------


def corpus_stats(catalog: Catalog, ner_key: str, records: list[Record]) -> dict[str, Any]:
    per_tag = Counter(r["tag"] for r in records)
    per_dispatch = Counter(r["dispatch_id"] for r in records)
    total = catalog.count()
    known = set(catalog.ids_among(per_dispatch))
    annotated = len(known)
    # A tagged entity: an annotation whose quote is a name the recognizer found there.
    surfaces: dict[str, set[str]] = defaultdict(set)
    for m in catalog.mentions_in(known):
        surfaces[m.dispatch_id].add(m.surface)
    tagged_entities: Counter[str] = Counter(
        r["quote"] for r in records if r["quote"] in surfaces.get(r["dispatch_id"], ())
    )
    titles = {}
    for dispatch_id, _ in per_dispatch.most_common(STATS_TOP):
        entry = catalog.lookup(dispatch_id)
        if entry is not None:
            titles[dispatch_id] = entry.title
    return {
        "dispatches": total,
        "annotations": len(records),
        "annotated_dispatches": annotated,
        "share_annotated": round(annotated / total, 4) if total else 0.0,
        "per_tag": dict(per_tag.most_common()),
        "per_dispatch": dict(per_dispatch.most_common()),
        "titles": titles,
        "entities_by_label": catalog.entities_by_label(ner_key),
        "most_tagged_entities": dict(tagged_entities.most_common(10)),
    }


STATS_TOP = 15
"""Bars per section."""

DISPATCH_LABEL = 64
"""Characters for a dispatch's label (its title and the start of its id) beside its bar."""

STATS_SECTIONS = (
    ("Annotations per tag", "per_tag"),
    (f"Annotations per dispatch (top {STATS_TOP})", "per_dispatch"),
    ("Entities by label", "entities_by_label"),
    ("Most-tagged entities", "most_tagged_entities"),
)


def stats_report(stats: dict[str, Any]) -> tuple[str, list[tuple[str, list[str]]]]:
    """The summary line and, per section, its bar chart lines (the CLI and the app show these)."""
    summary = (
        f"{plural(stats['annotations'], 'annotation')} in {stats['annotated_dispatches']:,} of "
        f"{plural(stats['dispatches'], 'dispatch', 'dispatches')} ({stats['share_annotated']:.0%} annotated)"
    )
    sections = []
    for title, key in STATS_SECTIONS:
        counts = dict(list(stats[key].items())[:STATS_TOP])
        if key == "per_dispatch":  # a title says which dispatch; the id's start tells equal titles apart
            titles = stats.get("titles", {})
            counts = {_dispatch_label(i, titles.get(i, "")): n for i, n in counts.items()}
            sections.append((title, bar_chart(counts, label_width=DISPATCH_LABEL)))
        else:
            sections.append((title, bar_chart(counts)))
    return summary, sections


def _dispatch_label(dispatch_id: str, title: str) -> str:
    short = dispatch_id[:12]
    if not title:
        return dispatch_id
    title = " ".join(title.split())
    room = DISPATCH_LABEL - len(short) - 3
    if len(title) > room:
        title = title[: room - 1] + "…"
    return f"{title} · {short}"


def bar_chart(counts: dict[str, int], width: int = 40, label_width: int = 28) -> list[str]:
    """Lines of ``label  ████▌ 12``, scaled to the largest count."""
    if not counts:
        return []
    top = max(counts.values()) or 1
    label_width = min(label_width, max(len(k) for k in counts))
    eighths = " ▏▎▍▌▋▊▉█"
    lines = []
    for key, n in counts.items():
        cells = n * width / top
        full, part = int(cells), int((cells - int(cells)) * 8)
        bar = "█" * full + (eighths[part] if part else "")
        lines.append(f"{key[:label_width]:<{label_width}}  {bar} {n}")
    return lines
