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
  This is alpha with characters as units, the form the ``krippendorff`` package computes.
* **Krippendorff's alpha for unitizing** (alpha_U, Krippendorff 1995, 2004), as INCEpTION
  computes it through DKPro Statistics: for a pair, over the dispatches both did laid end to
  end as one continuum; for all annotators, over the dispatches every one of them did.

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

Labels = npt.NDArray[np.int16]


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
    alpha_u: float | None
    """Krippendorff's alpha for unitizing over the dispatches both did, laid end to end."""
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
    alpha_u: float | None = None
    """alpha_U for all annotators at once, over the dispatches every one of them did."""
    alpha_u_dispatches: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": self.annotators,
            "tags": self.tags,
            "alpha": self.alpha,
            "alpha_by_tag": self.alpha_by_tag,
            "alpha_u": self.alpha_u,
            "alpha_u_dispatches": self.alpha_u_dispatches,
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

    def figures(
        self, a: str, b: str, i: int, j: int, tokens: Any, chars: Any, alpha_u: float | None = None
    ) -> Figures:
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
            alpha_u=alpha_u,
            tokens=0 if tokens is None else int(tokens.sum()),
            characters=0 if chars is None else int(chars.sum()),
        )


def _dispatch_sums(
    spans_of: list[set[Span]], tags: int
) -> tuple[Matrix, Matrix, Matrix, Matrix, tuple[Matrix, Matrix, Matrix]]:
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
    # Per tag at once: each span row weighted by its tag, then batched products (tag, a, b).
    onehot = (tg[:, None] == np.arange(1, tags + 1)[None, :]).astype(np.int64)
    by_tag = (onehot[:, :, None] * made[:, None, :]).transpose(1, 2, 0)  # tag, annotator, span
    # Within one tag, "overlapping another span of the other" is the same-tag overlap.
    per_tag = (by_tag @ made, by_tag @ has_same, onehot.T @ made)  # exact, matched, span counts
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
    n_tags = len(tag_names)
    tag_exact_all, tag_matched_all, tag_spans_all, tag_dispatches_all = (
        np.zeros((n_tags, n, n), dtype=np.int64) for _ in range(4)
    )
    pairs = list(combinations(range(n), 2))
    confusion_tokens = np.zeros((n, n, k, k), dtype=np.int64)
    confusion_chars = np.zeros((n, n, k, k), dtype=np.int64)
    everyone = np.zeros((k, k), dtype=np.float64)

    lengths: list[int] = []
    presence: list[list[bool]] = []
    unit_rows: list[list[tuple[int, int, int, int]]] = [[] for _ in names]  # dispatch, start, end, code
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
        d = len(lengths)
        lengths.append(length)
        presence.append([a in per for a in names])
        for a in present:
            unit_rows[index[a]] += [(d, s, e, code[t]) for s, e, t in sorted(set(per[a]))]
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
        t_exact, t_matched, t_counts = per_tag
        where = np.array([index[a] for a in present], dtype=np.intp)
        tag_at = np.ix_(np.arange(n_tags), where, where)
        tag_exact_all[tag_at] += t_exact
        tag_matched_all[tag_at] += t_matched
        tag_spans_all[tag_at] += t_counts[:, :, None]
        tag_dispatches_all[tag_at] += (t_counts[:, :, None] + t_counts[:, None, :]) > 0
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

    continuum = _Continuum(tag_names, lengths, presence, unit_rows)
    unitizing = {(i, j): continuum.alpha_u([i, j]) for i, j in pairs}
    everyone_did = continuum.common(list(range(n)))
    if n >= 2 and len(everyone_did):
        report.alpha_u = continuum.alpha_u(list(range(n))).alpha
        report.alpha_u_dispatches = len(everyone_did)
    for i, j in pairs:
        report.pairs.append(
            sums.figures(
                names[i],
                names[j],
                i,
                j,
                confusion_tokens[i, j],
                confusion_chars[i, j],
                unitizing[(i, j)].alpha,
            )
        )
    tag_sums = [
        _Sums(
            tag_exact_all[t], tag_matched_all[t], tag_matched_all[t], tag_spans_all[t], tag_dispatches_all[t]
        )
        for t in range(n_tags)
    ]
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
                unitizing[(i, j)].by_category.get(tag, (None, 0.0, 0.0))[0],
            )
            for i, j in pairs
        ]
        report.alpha_by_tag[tag] = alpha_of(_binary(everyone, label).astype(np.float64))
    report.alpha = alpha_of(everyone)
    return report


@dataclass(frozen=True)
class Unitizing:
    """Krippendorff's alpha for unitizing (alpha_U, Krippendorff 1995 and 2004), per category
    and overall, with the observed and expected disagreements behind it."""

    alpha: float | None
    observed: float
    expected: float
    by_category: dict[str, tuple[float | None, float, float]]
    """Category: (alpha, observed, expected)."""


def _overlap_costs(
    a_start: npt.NDArray[np.int64],
    a_end: npt.NDArray[np.int64],
    b_start: npt.NDArray[np.int64],
    b_end: npt.NDArray[np.int64],
) -> tuple[float, npt.NDArray[np.bool_]]:
    """For units a against units b (each sorted, not overlapping among themselves): the sum of
    (start difference)² + (end difference)² over every overlapping pair, and which a overlap none."""
    first = np.searchsorted(b_end, a_start, side="right")  # first b ending after a starts
    last = np.searchsorted(b_start, a_end, side="left")  # b starting before a ends
    count = np.maximum(last - first, 0)
    zero = np.zeros(1, dtype=np.float64)
    sums = [
        np.concatenate([zero, np.cumsum(v, dtype=np.float64)]) for v in (b_start, b_start**2, b_end, b_end**2)
    ]
    lo, hi = first, np.maximum(last, first)
    s1, s2, e1, e2 = (sums[k][hi] - sums[k][lo] for k in range(4))
    cost = count * a_start.astype(np.float64) ** 2 - 2 * a_start * s1 + s2
    cost += count * a_end.astype(np.float64) ** 2 - 2 * a_end * e1 + e2
    return float(cost.sum()), count == 0


def _merged(starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> tuple[Any, Any]:
    """Sorted units with overlapping ones joined into one (alpha_U assumes a rater's units of a
    category do not overlap)."""
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    if len(starts) < 2:
        return starts, ends
    reach = np.maximum.accumulate(ends)
    new = np.concatenate([[True], starts[1:] >= reach[:-1]])
    group = np.cumsum(new) - 1
    out_end = np.zeros(int(group[-1]) + 1, dtype=np.int64)
    np.maximum.at(out_end, group, ends)
    return starts[new], out_end


def unitizing_of(
    groups: dict[str, list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]], raters: int, length: int
) -> Unitizing:
    """alpha_U from each category's units per rater (start and end arrays), over ``[0, length)``.

    Observed disagreement sums, for every pair of raters, the squared differences of the ends
    of overlapping units of a category, and the squared length of a unit the other rater left
    in a gap; expected disagreement considers every unitization of the continuum by the units
    and gaps present (Krippendorff 1995, 2004). Categories count equally in the overall figure.
    """
    by_category: dict[str, tuple[float | None, float, float]] = {}
    big_l = float(length)
    for category in sorted(groups):
        per_rater = [_merged(s, e) for s, e in groups[category]]
        observed_sum = 0.0
        for i, j in combinations(range(raters), 2):
            (sa, ea), (sb, eb) = per_rater[i], per_rater[j]
            both, lonely_a = _overlap_costs(sa, ea, sb, eb)
            # b's units that overlap none of a's: no a ends after one starts and starts before it ends.
            lonely_b = np.searchsorted(sa, eb, side="left") <= np.searchsorted(ea, sb, side="right")
            alone = float(((ea - sa)[lonely_a] ** 2).sum()) + float(((eb - sb)[lonely_b] ** 2).sum())
            observed_sum += both + alone
        observed = 2.0 * observed_sum / (raters * (raters - 1) * big_l * big_l)
        lengths = np.concatenate([e - s for s, e in per_rater]).astype(np.float64)
        gaps_list = []
        for s, e in per_rater:
            gap_start = np.concatenate([[0], e])
            gap_end = np.concatenate([s, [length]])
            gaps_list.append((gap_end - gap_start)[gap_end > gap_start])
        gaps = np.sort(np.concatenate(gaps_list).astype(np.float64))
        suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
        n_c = len(lengths)
        at = np.searchsorted(gaps, lengths, side="left")  # the gaps at least as long as each unit
        fits = suffix[at] - (lengths - 1) * (len(gaps) - at)
        total = float(((n_c - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3 + lengths**2 * fits).sum())
        denominator = raters * big_l * (raters * big_l - 1) - float((lengths * (lengths - 1)).sum())
        expected = total * 2 / big_l / denominator if denominator else 0.0
        alpha = None if expected == 0 else (0.0 if observed == expected else 1 - observed / expected)
        by_category[category] = (alpha, observed, expected)
    if not by_category:
        return Unitizing(None, 0.0, 0.0, {})
    observed = sum(v[1] for v in by_category.values()) / len(by_category)
    expected = sum(v[2] for v in by_category.values()) / len(by_category)
    alpha = None if expected == 0 else (0.0 if observed == expected else 1 - observed / expected)
    return Unitizing(alpha, observed, expected, by_category)


def unitizing_alpha(units: Sequence[tuple[int, int, int, str]], raters: int, length: int) -> Unitizing:
    """alpha_U over one continuum ``[0, length)``; ``units`` are (rater, start, end, category)."""
    found: dict[str, list[list[tuple[int, int]]]] = {}
    for rater, start, end, category in units:
        found.setdefault(category, [[] for _ in range(raters)])[rater].append((start, end))
    groups = {
        c: [
            (np.array([s for s, _ in spans], dtype=np.int64), np.array([e for _, e in spans], dtype=np.int64))
            for spans in per
        ]
        for c, per in found.items()
    }
    return unitizing_of(groups, raters, length)


class _Continuum:
    """Every annotator's units over the analysed dispatches, to lay any group's common
    dispatches end to end as one continuum for alpha_U."""

    def __init__(
        self,
        tags: list[str],
        lengths: list[int],
        presence: list[list[bool]],
        unit_rows: list[list[tuple[int, int, int, int]]],
    ) -> None:
        self.tags = tags
        self.lengths = np.array(lengths, dtype=np.int64)
        # annotator x dispatch
        self.presence = np.array(presence, dtype=bool).reshape(len(lengths), len(unit_rows)).T
        # Per annotator, per tag code: the units' dispatch, start and end (in dispatch order).
        self.units: list[dict[int, npt.NDArray[np.int64]]] = []
        for rows in unit_rows:
            table = np.array(rows, dtype=np.int64).reshape(-1, 4)
            self.units.append({int(c): table[table[:, 3] == c, :3] for c in np.unique(table[:, 3])})

    def common(self, who: list[int]) -> npt.NDArray[np.intp]:
        if not len(self.lengths):
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(self.presence[who].all(axis=0))

    def alpha_u(self, who: list[int]) -> Unitizing:
        common = self.common(who)
        if not len(common):
            return Unitizing(None, 0.0, 0.0, {})
        inside = np.zeros(len(self.lengths), dtype=bool)
        inside[common] = True
        offsets = np.zeros(len(self.lengths), dtype=np.int64)
        offsets[common] = np.concatenate([[0], np.cumsum(self.lengths[common])[:-1]])
        empty = np.zeros(0, dtype=np.int64)
        groups: dict[str, list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]] = {}
        for r, annotator in enumerate(who):
            for code, units in self.units[annotator].items():
                units = units[inside[units[:, 0]]]
                if not len(units):
                    continue
                shift = offsets[units[:, 0]]
                per = groups.setdefault(self.tags[code - 1], [(empty, empty)] * len(who))
                per[r] = (units[:, 1] + shift, units[:, 2] + shift)
        return unitizing_of(groups, len(who), int(self.lengths[common].sum()))
