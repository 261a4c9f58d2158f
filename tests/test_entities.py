"""The built-in recognizer: seeds, rules, consistency, lexicon; the spaCy adapter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.entities import find_entities
from reader.recognizer import REJECT, lexicon_of, recognize, spacy_entities, teach
from reader.store import AnnotationStore

from .conftest import SEED_000, SEED_001


def spans(text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in find_entities(text)}


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (
            SEED_000,
            [
                ("Pavel Grachev", "PERSON"),
                ("Grachev", "PERSON"),
                ("Alyaksandr Lukashenka", "PERSON"),
                ("Marian Krzaklewski", "PERSON"),
                ("NATO", "ORG"),
                ("CIS", "ORG"),
                ("Commonwealth of Independent States", "ORG"),
                ("RFE/RL", "ORG"),
                ("Solidarity", "ORG"),
                ("Polish Foreign Ministry", "ORG"),
                ("Russia", "GPE"),
                ("Belarus", "GPE"),
                ("Moscow", "GPE"),
                ("Minsk", "GPE"),
                ("Kaliningrad", "GPE"),
                ("Prague", "GPE"),
                ("Russian", "NORP"),
                ("Belarusian", "NORP"),
                ("May 15", "DATE"),
                ("April 26", "DATE"),
                ("last month", "DATE"),
            ],
        ),
        (
            SEED_001,
            [
                ("Igor Sergeev", "PERSON"),
                ("Sergeev", "PERSON"),
                ("Alyaksandr Lukashenka", "PERSON"),
                ("Balkans", "LOC"),
                ("Central Europe", "LOC"),
                ("Soviet", "NORP"),
                ("S-300", "PRODUCT"),
                ("Su-27", "PRODUCT"),
                ("Krasnaya zvezda", "ORG"),
            ],
        ),
    ],
)
def test_seed_entities(corpus, seed, expected) -> None:
    found = spans(corpus.get(seed).text)
    missing = [e for e in expected if e not in found]
    assert not missing


@pytest.mark.parametrize(
    "never",
    [
        "Breaking News",
        "Defense Minister",
        "Krasnaya",
        "Accessibility links",
        "Marshal Igor Sergeev",
        "President",
    ],
)
def test_seed_false_positives_absent(corpus, never) -> None:
    texts = {e.text for d in corpus for e in find_entities(d.text)}
    assert never not in texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gen. Ivan Petrov arrived in Kyiv on Monday.",
            {("Ivan Petrov", "PERSON"), ("Kyiv", "GPE"), ("Monday", "DATE")},
        ),
        (
            "The Interior Ministry said 40 percent of $5 million was lost.",
            {("Interior Ministry", "ORG"), ("40 percent", "PERCENT"), ("$5 million", "MONEY")},
        ),
        (
            "Talks with the European Union resumed in March 2004.",
            {("European Union", "ORG"), ("March 2004", "DATE")},
        ),
        (
            "Ukrainian President Viktor Yushchenko met Yulia Tymoshenko.",
            {
                ("Ukrainian", "NORP"),
                ("Viktor Yushchenko", "PERSON"),
                ("Yulia Tymoshenko", "PERSON"),
            },
        ),
        (
            "Officials from the Kosovo Liberation Army met in the Caucasus.",
            {("Kosovo Liberation Army", "ORG"), ("Caucasus", "LOC")},
        ),
    ],
)
def test_rules_on_varied_sentences(text, expected) -> None:
    assert expected <= spans(text)


def test_consistency_tags_later_bare_surname() -> None:
    text = "Defense Minister Anatoly Kvashnin spoke first. Later, Kvashnin left."
    found = find_entities(text)
    assert [(e.text, e.label) for e in found if e.label == "PERSON"] == [
        ("Anatoly Kvashnin", "PERSON"),
        ("Kvashnin", "PERSON"),
    ]


def test_output_is_sorted_non_overlapping_and_exact(corpus) -> None:
    for d in corpus:
        found = find_entities(d.text)
        assert found == sorted(found, key=lambda e: e.start)
        assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
        assert all(d.text[e.start : e.end] == e.text for e in found)
        assert found == find_entities(d.text)  # deterministic


def test_markup_and_unicode_do_not_break_offsets() -> None:
    text = "[bold]Moscow[/bold] 🇷🇺 and Kyïv met Mr. Smith in Минск."
    for e in find_entities(text):
        assert text[e.start : e.end] == e.text


def test_lexicon_teaches_and_rejects(corpus) -> None:
    store = AnnotationStore.in_memory(corpus=corpus)
    text = corpus.get(SEED_001).text
    start = text.index("Monitor")
    store.add(SEED_001, start, start + 7, "ORG")  # an annotation with an entity label teaches
    teach(store, "Moscow", REJECT)
    teach(store, "Union Treaty", "LAW")
    found = {(e.text, e.label) for e in recognize(text, "rules", lexicon_of(store))}
    assert ("Monitor", "ORG") in found
    assert not any(t == "Moscow" for t, _ in found)
    other = corpus.get(SEED_000).text  # applied to every dispatch from then on
    assert not any(e.text == "Moscow" for e in recognize(other, "rules", lexicon_of(store)))


def test_spacy_adapter_with_blank_pipeline() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [{"label": "PERSON", "pattern": "Pavel Grachev"}, {"label": "GPE", "pattern": "Минск"}]
    )
    text = "Pavel Grachev 🇷🇺 went to Минск."
    found = spacy_entities(text, nlp)
    assert [(e.text, e.label) for e in found] == [("Pavel Grachev", "PERSON"), ("Минск", "GPE")]
    assert all(text[e.start : e.end] == e.text for e in found)


# The number patterns as first written; the shipped ones are rewritten for speed only.
_PLAIN_NUMBER_PATTERNS = {
    "_MONEY": (
        r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|trillion))?"
        r"|\b\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|trillion))?\s+"
        r"(?:dollars|rubles|roubles|euros|pounds|yuan|hryvnias?|zlotys?|rubels?)\b"
    ),
    "_CARDINAL": r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(?:million|billion|thousand|hundred))?\b",
    "_CARDINAL_WORD": (
        r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
        r"|hundreds|thousands|dozens)\b"
    ),
}
_NUMBERISH = st.lists(
    st.sampled_from(
        [*"$€£0123456789,. x_-é", " million", " thousand", " dollars", "ten", "often", "seventy",
         "two", "hundreds", "_five", "éight", "eleven", "Ten", "1,234", "3.14"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(_NUMBERISH)
def test_the_number_patterns_keep_what_the_plain_patterns_kept(text: str) -> None:
    """Lookaheads, a first character taken out of an alternation, a word-start check only
    change how fast the scan goes: what _add_numeric keeps of each pattern's matches (at a
    word break) is the same as with the plain patterns."""
    import re

    from reader import entities

    for name, plain in _PLAIN_NUMBER_PATTERNS.items():
        fast = getattr(entities, name)

        def kept(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
            return [m.span() for m in pattern.finditer(text) if entities._after_word_break(text, m.start())]

        assert kept(fast) == kept(re.compile(plain)), name


def test_the_number_patterns_find_numbers() -> None:
    from reader import entities

    text = "$5 million, 7,000 rubles, 1,234,567 and 3.14, ten of the twenty, often"
    assert [m.group() for m in entities._MONEY.finditer(text)] == ["$5 million", "7,000 rubles"]
    assert [m.group() for m in entities._CARDINAL.finditer(text)][-2:] == ["1,234,567", "3.14"]
    assert [m.group() for m in entities._CARDINAL_WORD.finditer(text)] == ["ten", "twenty"]


def _with_numeric_reference(text, names):  # type: ignore[no-untyped-def]
    """with_numeric as first written: every span through the general priority rule."""
    from reader import entities

    out = entities._Builder()
    for e in names:
        out.add(e.start, e.end, e.label, 8)
    numeric = entities._Builder()
    entities._add_numeric(text, numeric)
    for s in numeric.spans:
        out.add(*s)
    return out.resolve(text)


@settings(max_examples=300, deadline=None)
@given(
    _NUMBERISH.map(lambda t: t + " in May 1995 and 2001-2005 the Su-27, 5 percent, $3 million " + t),
    st.lists(
        st.tuples(st.integers(0, 120), st.integers(0, 12), st.sampled_from(["PERSON", "ORG"])), max_size=8
    ),
    st.booleans(),
)
def test_names_plus_numbers_are_what_the_priority_rule_keeps(text: str, raw, tidy: bool) -> None:  # type: ignore[no-untyped-def]
    """with_numeric keeps sorted, disjoint names whole and fills in numbers around them
    without the general rule; it must give what that rule gives, also for names out of
    order or overlapping (which take the general rule)."""
    from reader.entities import with_numeric
    from reader.models import Entity

    names = [Entity(s, min(s + n, len(text)), label, text[s : s + n]) for s, n, label in raw if s < len(text)]
    if tidy:  # as the model gives them: sorted and disjoint
        names.sort(key=lambda e: e.start)
        names = [e for i, e in enumerate(names) if all(e.start >= p.end for p in names[:i])]
    assert with_numeric(text, names) == _with_numeric_reference(text, names)
