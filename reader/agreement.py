"""Inter-annotator agreement: span F1, Cohen's kappa over tokens, Krippendorff's alpha.

For every pair of annotators, over the dispatches both of them annotated (at least one
annotation each: a dispatch one of them never opened says nothing about agreement):

* **exact F1**: spans with the same start, end and tag agree; F1 = 2·agreed / (|A| + |B|).
* **overlap F1**: a span agrees with one of the other's spans of the same tag that overlaps
  it, each span matched at most once (left to right).
* **counts** behind them: ``agreed`` (exact), ``disagreed`` (spans of either annotator that
  overlap a different span of the other), ``only_a`` / ``only_b`` (spans the other has
  nothing on).
* **Cohen's kappa over tokens**: each word token (``reader.segments.word_spans``) takes the
  tag of the annotation covering its first character (the shortest where several do; of
  equally short ones, the one starting last) or "none"; kappa is computed on the pooled
  token pairs of the dispatches both annotated.
* **Krippendorff's alpha over character positions**, nominal: every character is a unit, its
  value the tag covering it or "none". Pairwise, and overall for all annotators at once, a
  dispatch counting for the annotators who annotated it (the others are missing values).
  This is alpha with characters as units, the form the ``krippendorff`` package computes;
  INCEpTION's "Krippendorff's alpha (unitizing)" scores the same continuum with segment
  lengths, and agrees with it where spans match or are disjoint.

Per tag, the same figures with only that tag's annotations (kappa and alpha become "this
tag" against "anything else"). Computed with numpy over per-character label arrays, so 200,000
annotations by 10 annotators take seconds.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from reader.segments import word_spans

Record = dict[str, Any]
Labels = npt.NDArray[np.int16]

NONE = "none"


@dataclass(frozen=True)
class Figures:
    """Agreement of annotators ``a`` and ``b`` over some scope (all, one tag, one dispatch)."""

    a: str
    b: str
    dispatches: int
    spans_a: int
    spans_b: int
    agreed: int
    overlapping: int
    """Pairs matched by overlap and tag (``agreed`` counts only exact ones)."""
    disagreed: int
    only_a: int
    only_b: int
    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None
    alpha: float | None
    tokens: int
    characters: int

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Report:
    annotators: list[str]
    tags: list[str]
    pairs: list[Figures] = field(default_factory=list)
    by_tag: dict[str, list[Figures]] = field(default_factory=dict)
    by_dispatch: dict[str, list[Figures]] = field(default_factory=dict)
    alpha: float | None = None
    """Krippendorff's alpha for all annotators at once (characters as units)."""
    alpha_by_tag: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": self.annotators,
            "tags": self.tags,
            "alpha": self.alpha,
            "alpha_by_tag": self.alpha_by_tag,
            "pairs": [f.as_dict() for f in self.pairs],
            "by_tag": {t: [f.as_dict() for f in fs] for t, fs in self.by_tag.items()},
            "by_dispatch": {d: [f.as_dict() for f in fs] for d, fs in self.by_dispatch.items()},
        }


def char_labels(length: int, spans: Iterable[tuple[int, int, int]]) -> Labels:
    """A label per character (0 for none): the shortest span covering it wins, then the later."""
    labels = np.zeros(length, dtype=np.int16)
    for start, end, label in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        labels[max(0, start) : min(length, end)] = label
    return labels


def kappa_of(confusion: npt.NDArray[np.int64]) -> float | None:
    """Cohen's kappa from a square confusion matrix of two annotators."""
    n = confusion.sum()
    if n == 0:
        return None
    observed = np.trace(confusion) / n
    expected = float((confusion.sum(axis=1) @ confusion.sum(axis=0)) / (n * n))
    if expected >= 1.0:
        return None  # one category only: agreement by chance is total, kappa undefined
    return float((observed - expected) / (1.0 - expected))


def alpha_of(coincidence: npt.NDArray[np.float64]) -> float | None:
    """Nominal Krippendorff's alpha from a coincidence matrix."""
    n = coincidence.sum()
    if n <= 1:
        return None
    totals = coincidence.sum(axis=1)
    disagree_observed = n - np.trace(coincidence)
    disagree_expected = (n * n - float(totals @ totals)) / (n - 1)
    if disagree_expected <= 0:
        return None  # every value the same: alpha is undefined
    return float(1.0 - disagree_observed / disagree_expected)


def _binary(confusion: npt.NDArray[Any], label: int) -> npt.NDArray[Any]:
    """Collapse a confusion (or coincidence) matrix to ``label`` against everything else."""
    inside = np.zeros(confusion.shape[0], dtype=bool)
    inside[label] = True
    return np.array(
        [
            [confusion[~inside][:, ~inside].sum(), confusion[~inside][:, inside].sum()],
            [confusion[inside][:, ~inside].sum(), confusion[inside][:, inside].sum()],
        ]
    )


def _f1(agreed: int, total: int) -> float | None:
    return 2 * agreed / total if total else None


def _span_counts(
    a: Sequence[tuple[int, int, int]], b: Sequence[tuple[int, int, int]]
) -> tuple[int, int, int, int, int]:
    """Exact matches, overlap matches, disagreed spans, spans only in a, only in b."""
    exact = len(set(a) & set(b))
    # Overlap matching, one to one, same tag, left to right.
    used = [False] * len(b)
    overlapping = 0
    for s, e, t in a:
        for j, (s2, e2, t2) in enumerate(b):
            if s2 >= e:
                break
            if not used[j] and t2 == t and s < e2:
                used[j] = True
                overlapping += 1
                break
    sa, sb = set(a), set(b)
    disagreed = only_a = only_b = 0
    for spans, others, exact_set in ((a, b, sb), (b, a, sa)):
        starts = [s for s, _, _ in others]
        reach = list(accumulate((e for _, e, _ in others), max))  # furthest end among the first i
        for span in spans:
            if span in exact_set:
                continue
            i = bisect_left(starts, span[1])  # the others starting before this span ends
            if i and reach[i - 1] > span[0]:
                disagreed += 1
            elif others is b:
                only_a += 1
            else:
                only_b += 1
    return exact, overlapping, disagreed, only_a, only_b


@dataclass
class _Tally:
    """Sums for one pair in one scope, turned into :class:`Figures` at the end."""

    dispatches: int = 0
    spans_a: int = 0
    spans_b: int = 0
    agreed: int = 0
    overlapping: int = 0
    disagreed: int = 0
    only_a: int = 0
    only_b: int = 0
    tokens: Any = None
    chars: Any = None

    def add(self, counts: tuple[int, int, int, int, int], na: int, nb: int) -> None:
        self.dispatches += 1
        self.spans_a += na
        self.spans_b += nb
        exact, overlapping, disagreed, only_a, only_b = counts
        self.agreed += exact
        self.overlapping += overlapping
        self.disagreed += disagreed
        self.only_a += only_a
        self.only_b += only_b

    def figures(self, a: str, b: str, tokens: Any, chars: Any) -> Figures:
        total = self.spans_a + self.spans_b
        coincidence = None if chars is None else (chars + chars.T).astype(np.float64)
        return Figures(
            a=a,
            b=b,
            dispatches=self.dispatches,
            spans_a=self.spans_a,
            spans_b=self.spans_b,
            agreed=self.agreed,
            overlapping=self.overlapping,
            disagreed=self.disagreed,
            only_a=self.only_a,
            only_b=self.only_b,
            exact_f1=_f1(self.agreed, total),
            overlap_f1=_f1(self.overlapping, total),
            kappa=None if tokens is None else kappa_of(tokens),
            alpha=None if coincidence is None else alpha_of(coincidence),
            tokens=0 if tokens is None else int(tokens.sum()),
            characters=0 if chars is None else int(chars.sum()),
        )


def agreement(
    records: Iterable[Record],
    text_of: Callable[[str], str],
    *,
    annotators: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    dispatches: Sequence[str] | None = None,
    by_dispatch: bool = False,
) -> Report:
    """Pairwise and overall agreement of the annotators in ``records``; see the module docstring.

    ``text_of`` gives a dispatch's text (for its length and word tokens).
    """
    wanted_annotators = set(annotators) if annotators else None
    wanted_tags = set(tags) if tags else None
    wanted_dispatches = set(dispatches) if dispatches else None
    spans: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for r in records:
        if wanted_annotators is not None and r["annotator"] not in wanted_annotators:
            continue
        if wanted_tags is not None and r["tag"] not in wanted_tags:
            continue
        if wanted_dispatches is not None and r["dispatch_id"] not in wanted_dispatches:
            continue
        spans.setdefault(r["dispatch_id"], {}).setdefault(r["annotator"], []).append(
            (r["start"], r["end"], r["tag"])
        )
    names = sorted({a for per in spans.values() for a in per})
    if annotators:
        names = [a for a in annotators if a in names]
    tag_names = sorted({t for per in spans.values() for ss in per.values() for _, _, t in ss})
    code = {t: i + 1 for i, t in enumerate(tag_names)}
    k = len(tag_names) + 1
    report = Report(annotators=names, tags=tag_names)

    pair_tally = {p: _Tally() for p in combinations(names, 2)}
    tag_tally = {(t, p): _Tally() for t in tag_names for p in pair_tally}
    pair_tokens = {p: np.zeros((k, k), dtype=np.int64) for p in pair_tally}
    pair_chars = {p: np.zeros((k, k), dtype=np.int64) for p in pair_tally}
    everyone = np.zeros((k, k), dtype=np.float64)

    for dispatch_id in sorted(spans):
        per = spans[dispatch_id]
        present = [a for a in names if a in per]
        if len(present) < 2:
            continue
        text = text_of(dispatch_id)
        length = len(text)
        starts = np.fromiter((w.start for w in word_spans(text)), dtype=np.int64)
        coded = {a: sorted((s, e, code[t]) for s, e, t in per[a]) for a in present}
        labels = {a: char_labels(length, coded[a]) for a in present}
        # All annotators of this dispatch at once: the coincidence matrix of its characters.
        counts = np.zeros((length, k), dtype=np.float64)
        for a in present:
            counts[np.arange(length), labels[a]] += 1
        m = len(present)
        everyone += (counts.T @ counts - np.diag(counts.sum(axis=0))) / (m - 1)
        for a, b in combinations(present, 2):
            pair = (a, b)
            sa, sb = coded[a], coded[b]
            counts5 = _span_counts(sa, sb)
            pair_tally[pair].add(counts5, len(sa), len(sb))
            la, lb = labels[a], labels[b]
            chars = np.bincount(la.astype(np.int64) * k + lb, minlength=k * k).reshape(k, k)
            tokens = np.bincount(la[starts].astype(np.int64) * k + lb[starts], minlength=k * k).reshape(k, k)
            pair_chars[pair] += chars
            pair_tokens[pair] += tokens
            for n in {x for _, _, x in sa} | {x for _, _, x in sb}:
                ta = [s for s in sa if s[2] == n]
                tb = [s for s in sb if s[2] == n]
                tag_tally[(tag_names[n - 1], pair)].add(_span_counts(ta, tb), len(ta), len(tb))
            if by_dispatch:
                one = _Tally()
                one.add(counts5, len(sa), len(sb))
                report.by_dispatch.setdefault(dispatch_id, []).append(one.figures(a, b, tokens, chars))

    for pair, tally in pair_tally.items():
        report.pairs.append(tally.figures(*pair, pair_tokens[pair], pair_chars[pair]))
    for t in tag_names:
        label = code[t]
        rows = []
        for pair in pair_tally:
            tally = tag_tally[(t, pair)]
            rows.append(
                tally.figures(*pair, _binary(pair_tokens[pair], label), _binary(pair_chars[pair], label))
            )
        report.by_tag[t] = rows
        report.alpha_by_tag[t] = alpha_of(_binary(everyone, label).astype(np.float64))
    report.alpha = alpha_of(everyone)
    return report
