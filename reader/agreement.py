"""Inter-annotator agreement: span F1, Cohen's kappa over tokens, Krippendorff's alpha.

For every pair of annotators, over the dispatches both of them annotated (at least one
annotation each: a dispatch one of them never opened says nothing about agreement):

* **exact F1**: spans with the same start, end and tag agree; F1 = 2·agreed / (|A| + |B|).
* **overlap F1**: a span agrees when the other annotator has a span of the same tag that
  overlaps it; F1 = (such spans of A + such spans of B) / (|A| + |B|), the lenient match of
  span-evaluation tools.
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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from reader.segments import word_starts

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
    """Spans of either annotator that a same-tag span of the other overlaps (exact ones too)."""
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


Span = tuple[int, int, int]
Matrix = npt.NDArray[np.int64]


@dataclass
class _Sums:
    """Span counts summed over dispatches, indexed [a, b] by annotator (over dispatches both did).

    ``exact[a, b]``: spans both made; ``matched[a, b]``: a's spans that b has a same-tag
    span overlapping; ``touched[a, b]``: a's spans that overlap any span of b's;
    ``spans[a, b]``: a's spans; ``dispatches[a, b]``: dispatches counted.
    """

    exact: Matrix
    matched: Matrix
    touched: Matrix
    spans: Matrix
    dispatches: Matrix

    @classmethod
    def zeros(cls, n: int) -> _Sums:
        return cls(*(np.zeros((n, n), dtype=np.int64) for _ in range(5)))

    def figures(self, a: str, b: str, i: int, j: int, tokens: Any, chars: Any) -> Figures:
        agreed = int(self.exact[i, j])
        spans_a, spans_b = int(self.spans[i, j]), int(self.spans[j, i])
        overlapping = int(self.matched[i, j] + self.matched[j, i])
        total = spans_a + spans_b
        coincidence = None if chars is None else (chars + chars.T).astype(np.float64)
        return Figures(
            a=a,
            b=b,
            dispatches=int(self.dispatches[i, j]),
            spans_a=spans_a,
            spans_b=spans_b,
            agreed=agreed,
            overlapping=overlapping,
            disagreed=int(self.touched[i, j] + self.touched[j, i]) - 2 * agreed,
            only_a=spans_a - int(self.touched[i, j]),
            only_b=spans_b - int(self.touched[j, i]),
            exact_f1=_f1(agreed, total),
            overlap_f1=overlapping / total if total else None,
            kappa=None if tokens is None else kappa_of(tokens),
            alpha=None if coincidence is None else alpha_of(coincidence),
            tokens=0 if tokens is None else int(tokens.sum()),
            characters=0 if chars is None else int(chars.sum()),
        )


def _dispatch_sums(
    spans_of: list[set[Span]], tags: int
) -> tuple[Matrix, Matrix, Matrix, Matrix, list[tuple[Matrix, Matrix, Matrix, Matrix]]]:
    """For the annotators of one dispatch (their sets of spans): exact, matched, touched and
    span counts as annotator-by-annotator matrices, overall and per tag (index = tag code).

    Every distinct span is a row; which annotators made it is a 0/1 matrix ``made``; which
    spans overlap (and have the same tag) are boolean matrices; the counts for all pairs
    then come from a few matrix products.
    """
    distinct = sorted(set().union(*spans_of))
    row = {span: k for k, span in enumerate(distinct)}
    made = np.zeros((len(distinct), len(spans_of)), dtype=np.int64)
    for i, spans in enumerate(spans_of):
        made[[row[sp] for sp in spans], i] = 1
    table = np.array(distinct, dtype=np.int64).reshape(-1, 3)
    st, en, tg = table[:, 0], table[:, 1], table[:, 2]
    overlap = (st[:, None] < en[None, :]) & (st[None, :] < en[:, None])
    same = overlap & (tg[:, None] == tg[None, :])
    has_same = ((same.astype(np.int64) @ made) > 0).astype(np.int64)  # [span, b]: b has one like it
    has_any = ((overlap.astype(np.int64) @ made) > 0).astype(np.int64)
    exact = made.T @ made
    matched = made.T @ has_same
    touched = made.T @ has_any
    counts = made.sum(axis=0)
    span_counts: Matrix = np.broadcast_to(counts[:, None], exact.shape)
    per_tag = []
    for code in range(1, tags + 1):
        rows = tg == code
        if not rows.any():
            per_tag.append((np.zeros_like(exact),) * 4)
            continue
        m = made[rows]
        tag_exact = m.T @ m
        tag_matched = m.T @ has_same[rows]
        tag_spans = np.broadcast_to(m.sum(axis=0)[:, None], exact.shape)
        # Within one tag, "overlapping another span of the other" is the same-tag overlap.
        per_tag.append((tag_exact, tag_matched, tag_matched, tag_spans))
    return exact, matched, touched, span_counts, per_tag


def agreement(
    records: Iterable[Mapping[str, Any]],
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

    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    sums = _Sums.zeros(n)
    tag_sums = [_Sums.zeros(n) for _ in tag_names]
    pairs = list(combinations(range(n), 2))
    confusion_tokens = np.zeros((n, n, k, k), dtype=np.int64)
    confusion_chars = np.zeros((n, n, k, k), dtype=np.int64)
    everyone = np.zeros((k, k), dtype=np.float64)

    for dispatch_id in sorted(spans):
        per = spans[dispatch_id]
        present = [a for a in names if a in per]
        if len(present) < 2:
            continue
        text = text_of(dispatch_id)
        length = len(text)
        starts = np.array(word_starts(text), dtype=np.int64)
        coded = [{(s, e, code[t]) for s, e, t in per[a]} for a in present]
        labels = [char_labels(length, c) for c in coded]
        # Characters no one annotated agree on "none" for everyone: they are counted without
        # being looked at, and only the covered ones go through the matrices below.
        stacked = np.stack(labels).astype(np.int64)
        covered = stacked[:, np.flatnonzero(stacked.any(axis=0))]
        uncovered = length - covered.shape[1]
        m = len(present)
        # All annotators of this dispatch at once: the coincidence matrix of its characters.
        counts = np.zeros((covered.shape[1], k), dtype=np.float64)
        for row in covered:
            counts[np.arange(covered.shape[1]), row] += 1
        everyone += (counts.T @ counts - np.diag(counts.sum(axis=0))) / (m - 1)
        everyone[0, 0] += uncovered * m
        exact, matched, touched, span_counts, per_tag = _dispatch_sums(coded, len(tag_names))
        at = np.ix_([index[a] for a in present], [index[a] for a in present])
        both = np.ones((m, m), dtype=np.int64)
        for target, value in zip(
            (sums.exact, sums.matched, sums.touched, sums.spans, sums.dispatches),
            (exact, matched, touched, span_counts, both),
            strict=True,
        ):
            target[at] += value
        for t, (t_exact, t_matched, t_touched, t_spans) in enumerate(per_tag):
            if not t_spans.any():
                continue
            ts = tag_sums[t]
            ts.exact[at] += t_exact
            ts.matched[at] += t_matched
            ts.touched[at] += t_touched
            ts.spans[at] += t_spans
            ts.dispatches[at] += (t_spans + t_spans.T) > 0
        # Every pair's character and token confusion matrices in one bincount each.
        xs, ys = (np.array(v, dtype=np.int64) for v in zip(*combinations(range(m), 2), strict=True))
        offsets = (np.arange(len(xs), dtype=np.int64) * k * k)[:, None]
        size = len(xs) * k * k
        chars_all = np.bincount((offsets + covered[xs] * k + covered[ys]).ravel(), minlength=size)
        chars_all = chars_all.reshape(len(xs), k, k)
        chars_all[:, 0, 0] += uncovered
        on_tokens = stacked[:, starts]
        token_cover = on_tokens[:, np.flatnonzero(on_tokens.any(axis=0))]
        tokens_all = np.bincount((offsets + token_cover[xs] * k + token_cover[ys]).ravel(), minlength=size)
        tokens_all = tokens_all.reshape(len(xs), k, k)
        tokens_all[:, 0, 0] += len(starts) - token_cover.shape[1]
        gx = np.array([index[present[x]] for x in xs], dtype=np.int64)
        gy = np.array([index[present[y]] for y in ys], dtype=np.int64)
        confusion_chars[gx, gy] += chars_all
        confusion_tokens[gx, gy] += tokens_all
        if by_dispatch:
            for p, (x, y) in enumerate(zip(xs.tolist(), ys.tolist(), strict=True)):
                one = _Sums.zeros(2)
                for target, value in zip(
                    (one.exact, one.matched, one.touched, one.spans),
                    (exact, matched, touched, span_counts),
                    strict=True,
                ):
                    target[:] = value[np.ix_([x, y], [x, y])]
                one.dispatches[:] = 1
                figures = one.figures(present[x], present[y], 0, 1, tokens_all[p], chars_all[p])
                report.by_dispatch.setdefault(dispatch_id, []).append(figures)

    for i, j in pairs:
        report.pairs.append(
            sums.figures(names[i], names[j], i, j, confusion_tokens[i, j], confusion_chars[i, j])
        )
    for t, tag in enumerate(tag_names):
        label = code[tag]
        report.by_tag[tag] = [
            tag_sums[t].figures(
                names[i],
                names[j],
                i,
                j,
                _binary(confusion_tokens[i, j], label),
                _binary(confusion_chars[i, j], label),
            )
            for i, j in pairs
        ]
        report.alpha_by_tag[tag] = alpha_of(_binary(everyone, label).astype(np.float64))
    report.alpha = alpha_of(everyone)
    return report
