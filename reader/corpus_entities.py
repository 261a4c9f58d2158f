"""Entities across the corpus: a cache on disk, dossiers with name variants, statistics.

Recognizing every dispatch takes time (about 1 MB/s), so the results are cached beside the
store (``<db>.entities``) by each text's sha256 and the lexicon in force; only new or
changed dispatches are recognized again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.corpus import Corpus
from reader.models import Entity
from reader.recognizer import lexicon_of, recognize
from reader.search import kwic
from reader.store import AnnotationStore, Record

NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT"))
GROUPS_TABLE = "_groups"
"""User decisions about variants: rows ``{"key": variant, "canonical": name}`` (merge) or
``{"key": variant, "canonical": ""}`` (split: the variant stands alone)."""


def cache_path(db: str | os.PathLike[str]) -> Path:
    p = Path(db)
    return p.with_name(p.name + ".entities")


def corpus_entities(
    corpus: Corpus,
    backend: str,
    store: AnnotationStore | None,
    cache: Path | None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[Entity]]:
    """Entities of every dispatch, from the cache where the text and lexicon are unchanged."""
    lexicon = lexicon_of(store)
    key = hashlib.sha256(repr((backend, lexicon)).encode()).hexdigest()
    cached: dict[str, tuple[str, list[Entity]]] = {}
    if cache is not None:
        try:
            with open(cache, "rb") as fh:
                saved_key, cached = pickle.load(fh)
            if saved_key != key:
                cached = {}
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            cached = {}
    out: dict[str, list[Entity]] = {}
    todo = [d for d in corpus if cached.get(d.id, ("", []))[0] != d.sha256]
    for d in corpus:
        if d.id in cached and cached[d.id][0] == d.sha256:
            out[d.id] = cached[d.id][1]
    for n, d in enumerate(todo, 1):
        out[d.id] = recognize(d.text, backend, lexicon)
        if progress is not None and (n % 50 == 0 or n == len(todo)):
            progress(n, len(todo))
    if cache is not None and todo:
        fresh = {d.id: (d.sha256, out[d.id]) for d in corpus}
        tmp = cache.with_name(f"{cache.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump((key, fresh), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            tmp.unlink(missing_ok=True)
    return out


# -- variants and dossiers -----------------------------------------------------------------


def _norm(name: str) -> str:
    return " ".join(re.sub(r"['’]s$", "", name).split())


def variant_groups(
    entities: dict[str, list[Entity]], decisions: dict[str, str] | None = None
) -> dict[str, str]:
    """Each entity text -> the canonical name of its group.

    Clear evidence only: a one-word PERSON name that is the last word of exactly one longer
    PERSON name ("Grachev" -> "Pavel Grachev"), and an acronym defined in parentheses after
    a name is left alone (it is already its own name). User decisions win: a merge maps a
    variant to a name, a split keeps it alone.
    """
    decisions = decisions or {}
    persons: set[str] = set()
    for found in entities.values():
        persons.update(_norm(e.text) for e in found if e.label == "PERSON")
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
    mentions: dict[str, list[Entity]] = field(default_factory=dict)
    """Dispatch id -> mentions, in corpus order."""
    cooccurring: list[tuple[str, str, int]] = field(default_factory=list)
    """(text, label, dispatches in common), most first."""


def decisions_of(store: AnnotationStore | None) -> dict[str, str]:
    if store is None:
        return {}
    return {row["key"]: row.get("canonical", "") for row in store.table_rows(GROUPS_TABLE)}


def build_dossier(
    name: str, corpus: Corpus, entities: dict[str, list[Entity]], decisions: dict[str, str]
) -> Dossier | None:
    groups = variant_groups(entities, decisions)
    wanted = _norm(name)
    head = groups.get(wanted, wanted)
    members = {t for t, c in groups.items() if c == head} | {head}
    lowered = {m.lower() for m in members}
    mentions: dict[str, list[Entity]] = {}
    labels: Counter[str] = Counter()
    for d in corpus:
        found = [e for e in entities.get(d.id, []) if _norm(e.text).lower() in lowered]
        if found:
            mentions[d.id] = found
            labels.update(e.label for e in found)
    if not mentions:
        return None
    co: Counter[tuple[str, str]] = Counter()
    weight: Counter[tuple[str, str]] = Counter()
    for dispatch_id in mentions:
        names = [
            (groups.get(_norm(e.text), _norm(e.text)), e.label)
            for e in entities.get(dispatch_id, [])
            if e.label in NAME_LABELS
        ]
        names = [n for n in names if n[0] not in members]
        co.update(set(names))
        weight.update(names)
    # Most shared dispatches first; among equals, the most mentioned alongside.
    ranked = sorted(co, key=lambda k: (-co[k], -weight[k], k))[:10]
    variants = sorted(
        {_norm(e.text) for found in mentions.values() for e in found}, key=lambda v: (-len(v), v)
    )
    return Dossier(
        name=head,
        label=labels.most_common(1)[0][0],
        variants=variants,
        mentions=mentions,
        cooccurring=[(t, lab, co[(t, lab)]) for t, lab in ranked],
    )


def dossier_dict(dossier: Dossier, corpus: Corpus) -> dict[str, object]:
    return {
        "name": dossier.name,
        "label": dossier.label,
        "variants": dossier.variants,
        "dispatches": [
            {
                "id": dispatch_id,
                "title": corpus.require(dispatch_id).title,
                "count": len(found),
                "contexts": [kwic(corpus.require(dispatch_id).text, e.start, e.end, 80) for e in found[:3]],
            }
            for dispatch_id, found in sorted(dossier.mentions.items(), key=lambda kv: -len(kv[1]))
        ],
        "cooccurring": [{"text": t, "label": lab, "dispatches": n} for t, lab, n in dossier.cooccurring],
    }


# -- statistics ------------------------------------------------------------------------------


def corpus_stats(
    corpus: Corpus, records: list[Record], entities: dict[str, list[Entity]]
) -> dict[str, object]:
    per_tag = Counter(r["tag"] for r in records)
    per_dispatch = Counter(r["dispatch_id"] for r in records)
    by_label: Counter[str] = Counter(e.label for found in entities.values() for e in found)
    spans = {(d, e.start, e.end): e.text for d, found in entities.items() for e in found}
    tagged_entities: Counter[str] = Counter()
    for r in records:
        text = spans.get((r["dispatch_id"], r["start"], r["end"]))
        if text is not None:
            tagged_entities[text] += 1
    annotated = len([d for d in corpus if per_dispatch.get(d.id)])
    return {
        "dispatches": len(corpus),
        "annotations": len(records),
        "annotated_dispatches": annotated,
        "share_annotated": round(annotated / len(corpus), 4) if len(corpus) else 0.0,
        "per_tag": dict(per_tag.most_common()),
        "per_dispatch": dict(per_dispatch.most_common()),
        "entities_by_label": dict(by_label.most_common()),
        "most_tagged_entities": dict(tagged_entities.most_common(10)),
    }


STATS_SECTIONS = (
    ("Annotations per tag", "per_tag"),
    ("Annotations per dispatch (top 15)", "per_dispatch"),
    ("Entities by label", "entities_by_label"),
    ("Most-tagged entities", "most_tagged_entities"),
)


def stats_report(stats: dict[str, Any]) -> tuple[str, list[tuple[str, list[str]]]]:
    """The summary line and, per section, its bar chart lines (the CLI and the app show these)."""
    summary = (
        f"{stats['annotations']} annotations in {stats['annotated_dispatches']} of {stats['dispatches']} "
        f"dispatches ({stats['share_annotated']:.0%} annotated)"
    )
    sections = [(title, bar_chart(dict(list(stats[key].items())[:15]))) for title, key in STATS_SECTIONS]
    return summary, sections


def bar_chart(counts: dict[str, int], width: int = 40) -> list[str]:
    """Lines of ``label  ████▌ 12``, scaled to the largest count."""
    if not counts:
        return []
    top = max(counts.values()) or 1
    label_width = min(28, max(len(k) for k in counts))
    eighths = " ▏▎▍▌▋▊▉█"
    lines = []
    for key, n in counts.items():
        cells = n * width / top
        full, part = int(cells), int((cells - int(cells)) * 8)
        bar = "█" * full + (eighths[part] if part else "")
        lines.append(f"{key[:label_width]:<{label_width}}  {bar} {n}")
    return lines
