"""Agreement figures, cross-checked against reference implementations on generated data.

Cohen's kappa against scikit-learn's ``cohen_kappa_score``; Krippendorff's alpha against the
``krippendorff`` package (nominal, characters as units, missing values for annotators who did
not annotate a dispatch). The label vectors given to them are built here, character by
character, independently of ``reader.agreement``'s numpy code.
"""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from reader.agreement import agreement, unitizing_alpha
from reader.segments import word_spans

TAGS = ["PERSON", "ORG", "GPE", "claim"]
WORDS = "the minister said on Monday that Russia and Belarus would sign a treaty in Minsk".split()


def generated(seed: int, annotators: int = 3, dispatches: int = 6):  # type: ignore[no-untyped-def]
    """Texts and annotations: each annotator copies a shared 'truth' with noise, or skips."""
    rng = random.Random(seed)
    texts = {}
    records = []
    for d in range(dispatches):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        did = f"d{d}"
        texts[did] = text
        words = word_spans(text)
        truth = []
        for _ in range(rng.randint(2, 6)):
            i = rng.randrange(len(words))
            j = min(len(words) - 1, i + rng.randint(0, 2))
            truth.append((words[i].start, words[j].end, rng.choice(TAGS)))
        for a in range(annotators):
            if rng.random() < 0.2:
                continue  # this annotator did not do this dispatch
            mine = []
            for s, e, t in truth:
                roll = rng.random()
                if roll < 0.15:
                    continue
                if roll < 0.3:
                    t = rng.choice(TAGS)
                elif roll < 0.4:
                    e = min(len(text), e + rng.randint(1, 5))
                mine.append((s, e, t))
            if rng.random() < 0.5:
                i = rng.randrange(len(words))
                mine.append((words[i].start, words[i].end, rng.choice(TAGS)))
            if not mine:
                mine.append((words[0].start, words[0].end, "claim"))
            for s, e, t in mine:
                records.append({"dispatch_id": did, "annotator": f"ann{a}", "start": s, "end": e, "tag": t})
    return texts, records


def label_at(records, annotator, did, offset):  # type: ignore[no-untyped-def]
    """The tag covering ``offset`` (the shortest span; of equally short, the one starting last)."""
    covering = [
        r
        for r in records
        if r["annotator"] == annotator and r["dispatch_id"] == did and r["start"] <= offset < r["end"]
    ]
    if not covering:
        return "none"
    return max(covering, key=lambda r: (-(r["end"] - r["start"]), r["start"]))["tag"]


def annotated(records, annotator, did) -> bool:  # type: ignore[no-untyped-def]
    return any(r["annotator"] == annotator and r["dispatch_id"] == did for r in records)


@pytest.mark.parametrize("seed", range(12))
def test_kappa_and_alpha_match_the_reference_implementations(seed: int) -> None:
    texts, records = generated(seed)
    # Overlapping spans of different tags and equal length would make "which tag" a tie broken
    # differently by the two sides; keep one per position and length for an exact comparison.
    seen = set()
    unique = []
    for r in records:
        key = (r["annotator"], r["dispatch_id"], r["start"], r["end"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    records = unique
    report = agreement(records, texts.__getitem__)
    names = report.annotators
    assert len(names) == 3
    for pair in report.pairs:
        a, b = pair.a, pair.b
        both = [d for d in texts if annotated(records, a, d) and annotated(records, b, d)]
        tokens_a, tokens_b, chars_a, chars_b = [], [], [], []
        for d in both:
            for w in word_spans(texts[d]):
                tokens_a.append(label_at(records, a, d, w.start))
                tokens_b.append(label_at(records, b, d, w.start))
            for i in range(len(texts[d])):
                chars_a.append(label_at(records, a, d, i))
                chars_b.append(label_at(records, b, d, i))
        assert pair.dispatches == len(both) and pair.tokens == len(tokens_a)
        expected_kappa = cohen_kappa_score(tokens_a, tokens_b)
        assert pair.kappa == pytest.approx(expected_kappa, abs=1e-9)
        values = sorted(set(chars_a) | set(chars_b))
        data = np.array([[values.index(v) for v in chars_a], [values.index(v) for v in chars_b]], dtype=float)
        expected_alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert pair.alpha == pytest.approx(expected_alpha, abs=1e-9)
    # All annotators at once, with missing values where one did not annotate a dispatch.
    values = ["none", *TAGS]
    rows = []
    for a in names:
        row = []
        for d in texts:
            done = annotated(records, a, d)
            others = sum(annotated(records, x, d) for x in names)
            if others < 2:
                continue  # a dispatch only one annotated has no pairable values
            for i in range(len(texts[d])):
                row.append(values.index(label_at(records, a, d, i)) if done else math.nan)
        rows.append(row)
    expected = krippendorff.alpha(
        reliability_data=np.array(rows, dtype=float), level_of_measurement="nominal"
    )
    assert report.alpha == pytest.approx(expected, abs=1e-9)


def test_span_f1_and_the_counts_behind_it() -> None:
    text = "Pavel Grachev met Alyaksandr Lukashenka in Minsk on Monday."
    g = (text.index("Pavel"), text.index(" met"))
    lu = (text.index("Alyaksandr"), text.index(" in"))
    mi = (text.index("Minsk"), text.index(" on"))
    mo = (text.index("Monday"), len(text) - 1)

    def rec(who: str, span: tuple[int, int], tag: str) -> dict[str, object]:
        return {"dispatch_id": "d", "annotator": who, "start": span[0], "end": span[1], "tag": tag}

    records = [
        rec("alice", g, "PERSON"),
        rec("bob", g, "PERSON"),  # agreed
        rec("alice", lu, "PERSON"),
        rec("bob", (lu[0] + 11, lu[1]), "PERSON"),  # overlap, same tag: disagreed exactly
        rec("alice", mi, "GPE"),
        rec("bob", mi, "LOC"),  # same span, other tag: disagreed
        rec("bob", mo, "DATE"),  # only bob
    ]
    report = agreement(records, {"d": text}.__getitem__)
    (pair,) = report.pairs
    assert (pair.a, pair.b, pair.spans_a, pair.spans_b) == ("alice", "bob", 3, 4)
    # Overlap: Grachev and Lukashenka on each side have a same-tag span of the other over them.
    assert (pair.agreed, pair.overlapping, pair.disagreed, pair.only_a, pair.only_b) == (1, 4, 4, 0, 1)
    assert pair.exact_f1 == pytest.approx(2 * 1 / 7) and pair.overlap_f1 == pytest.approx(4 / 7)
    person = next(f for f in report.by_tag["PERSON"])
    assert (person.agreed, person.overlapping, person.disagreed, person.exact_f1) == (
        1,
        4,
        2,
        pytest.approx(0.5),
    )
    gpe = report.by_tag["GPE"][0]  # alice's Minsk as GPE; bob has none: only alice's, for this tag
    assert (gpe.spans_a, gpe.spans_b, gpe.only_a, gpe.disagreed, gpe.overlap_f1) == (1, 0, 1, 0, 0.0)
    assert report.by_tag["DATE"][0].only_b == 1 and report.by_tag["DATE"][0].overlap_f1 == 0.0


def test_filters_and_a_dispatch_only_one_annotated() -> None:
    text = "Russia and Belarus signed."
    records = [
        {"dispatch_id": "d1", "annotator": "a", "start": 0, "end": 6, "tag": "GPE"},
        {"dispatch_id": "d1", "annotator": "b", "start": 0, "end": 6, "tag": "GPE"},
        {"dispatch_id": "d2", "annotator": "a", "start": 11, "end": 18, "tag": "GPE"},
        {"dispatch_id": "d1", "annotator": "c", "start": 11, "end": 18, "tag": "ORG"},
    ]
    texts = {"d1": text, "d2": text}
    report = agreement(records, texts.__getitem__, annotators=["a", "b"])
    assert report.annotators == ["a", "b"] and len(report.pairs) == 1
    (pair,) = report.pairs
    assert pair.dispatches == 1 and pair.exact_f1 == 1.0 and pair.kappa == 1.0 and pair.alpha == 1.0
    assert agreement(records, texts.__getitem__, tags=["ORG"]).pairs == []  # only c has ORG


# alpha_U as DKPro Statistics computes it (the library INCEpTION's agreement page uses), checked
# against the figures its own tests publish for Krippendorff's (2004: 254) example and its
# other cases (dkpro-statistics, Apache-2.0: Krippendorff2004Test, UnitizingAgreementTest).


def test_alpha_u_on_krippendorffs_2004_example() -> None:
    # Continuum 150..450 (laid here at 0..300), two observers, categories c and k.
    units = [(0, 225, 295, "c"), (0, 370, 400, "c"), (1, 220, 300, "c"), (1, 355, 375, "c"),
             (1, 400, 420, "c"), (0, 180, 240, "k"), (0, 300, 350, "k"), (1, 180, 240, "k"),
             (1, 300, 350, "k")]  # fmt: skip
    result = unitizing_alpha([(r, s - 150, e - 150, c) for r, s, e, c in units], 2, 300)
    assert result.alpha == pytest.approx(0.8591, abs=0.0005)
    alpha_c, observed_c, expected_c = result.by_category["c"]
    assert observed_c == pytest.approx(0.0144, abs=0.0001) and expected_c == pytest.approx(0.0532, abs=0.0001)
    assert alpha_c == pytest.approx(0.7286, abs=0.0001)
    alpha_k, observed_k, expected_k = result.by_category["k"]
    assert observed_k == 0.0 and expected_k == pytest.approx(0.0490, abs=0.0001) and alpha_k == 1.0


def test_alpha_u_on_one_long_unit_against_three_short_ones() -> None:
    # r0: -11111111-   r1: --1-1-1---
    result = unitizing_alpha([(0, 1, 9, "A"), (1, 2, 3, "A"), (1, 4, 5, "A"), (1, 6, 7, "A")], 2, 10)
    alpha, observed, expected = result.by_category["A"]
    assert observed == pytest.approx(0.9100, abs=0.0001) and expected == pytest.approx(0.5351, abs=0.0001)
    assert alpha == pytest.approx(-0.7003, abs=0.0001)
    assert unitizing_alpha([(0, 0, 1, "X")], 3, 20).alpha == 0.0
    assert unitizing_alpha([], 3, 20).alpha is None


def test_alpha_u_of_a_pair_is_over_the_dispatches_both_did_end_to_end() -> None:
    texts, records = generated(3)
    report = agreement(records, texts.__getitem__)
    for pair in report.pairs:
        both = [d for d in sorted(texts) if annotated(records, pair.a, d) and annotated(records, pair.b, d)]
        units, offset = [], 0
        for d in both:
            for r in records:
                if r["dispatch_id"] == d and r["annotator"] in (pair.a, pair.b):
                    rater = 0 if r["annotator"] == pair.a else 1
                    units.append((rater, r["start"] + offset, r["end"] + offset, r["tag"]))
            offset += len(texts[d])
        expected = unitizing_alpha(sorted(set(units)), 2, offset).alpha
        assert pair.alpha_u == pytest.approx(expected) if expected is not None else pair.alpha_u is None
