"""Corpus loading, decoding, metadata heuristics, sentences and paragraphs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.corpus import load_corpus, normalise
from reader.errors import ReaderError
from reader.metadata import extract_metadata, shorten
from reader.segments import paragraph_spans, sentence_spans

from .conftest import SEED_000, SEED_001, SEEDS


def test_seed_ids_are_relative_paths_without_suffix(corpus) -> None:
    assert [d.id for d in corpus] == [SEED_000, SEED_001]


def test_seeds_are_unchanged_copies_of_the_shared_seeds() -> None:
    """seeds/ holds the two shared seeds byte for byte (their sha256 recorded from the
    originals in tests/fixtures/seeds.sha256), and nothing else."""
    recorded = (Path(__file__).parent / "fixtures" / "seeds.sha256").read_text().splitlines()
    expected = {name: digest for digest, name in (line.split("  ", 1) for line in recorded)}
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.iterdir()}
    assert actual == expected and len(actual) == 2


def test_sha256_is_of_the_normalised_text(corpus) -> None:
    d = corpus.get(SEED_000)
    assert d.sha256 == hashlib.sha256(d.text.encode()).hexdigest()


def test_seed_metadata(corpus) -> None:
    m0 = corpus.get(SEED_000).meta
    assert (m0.title, m0.source, m0.place, m0.date) == (
        "Russia And Belarus Tighten Military Cooperation",
        "RFE/RL",
        "Prague",
        "May 15",
    )
    m1 = corpus.get(SEED_001).meta
    assert m1.source == "Monitor"
    assert m1.title.startswith("Russia and Belarus have decided to create a joint")
    assert m1.title.endswith("…") and len(m1.title) <= 80
    # Shortened on a word boundary: the part before the ellipsis is a prefix of whole words.
    body = corpus.get(SEED_001).text
    assert (m1.title[:-1] + " ") in body or (m1.title[:-1] + ",") in body


@pytest.mark.parametrize(
    ("text", "title", "source", "place", "date"),
    [
        (
            "MOSCOW, April 2 (Reuters) - Talks began.\n",
            "Talks began",
            "Reuters",
            "MOSCOW",
            "April 2",
        ),
        (
            "Skip to main content\n\nPeace Plan Stalls\n\nKyiv, 3 March 2024 (AP) — The plan stalled.",
            "Peace Plan Stalls",
            "AP",
            "Kyiv",
            "3 March 2024",
        ),
        (
            "Title: A Given Title\nSource: Interfax\n\nBody text here.",
            "A Given Title",
            "Interfax",
            "",
            "",
        ),
        (
            "just some lower case words without an end",
            "just some lower case words without an end",
            "",
            "",
            "",
        ),
        ("", "fallback-name", "", "", ""),
    ],
)
def test_metadata_layouts(text: str, title: str, source: str, place: str, date: str) -> None:
    meta = extract_metadata(text, "fallback-name")
    assert (meta.title, meta.source, meta.place, meta.date) == (title, source, place, date)


def test_shorten_cuts_on_word_boundary() -> None:
    out = shorten("word " * 40, 30)
    assert out.endswith("…") and len(out) <= 30 and not out[:-1].endswith(" ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Pavel Grachev spoke. He left.", ["Gen. Pavel Grachev spoke.", "He left."]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        ("The U.S. Army moved. Then it stopped.", ["The U.S. Army moved.", "Then it stopped."]),
        ("It came from the U.S. The talks ended.", ["It came from the U.S.", "The talks ended."]),
        ("George W. Bush spoke. Done.", ["George W. Bush spoke.", "Done."]),
        ('He said "we will go." They went.', ['He said "we will go."', "They went."]),
        ("It ended (as planned.) Next one.", ["It ended (as planned.)", "Next one."]),
        (
            "Last month (April 2), they met. It was new.",
            ["Last month (April 2), they met.", "It was new."],
        ),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("One line\n\nAnother para.", ["One line", "Another para."]),
        ("See art. 5 of the law. Next.", ["See art. 5 of the law.", "Next."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in sentence_spans(text)] == expected


def test_paragraphs_trimmed_and_cover_text(corpus) -> None:
    text = corpus.get(SEED_000).text
    paras = paragraph_spans(text)
    assert text[paras[0].start : paras[0].end] == "Accessibility links"
    assert all(text[p.start : p.end] == text[p.start : p.end].strip() for p in paras)
    assert len(paras) == len([b for b in text.split("\n\n") if b.strip()])


def test_decoding_and_skips(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfHello BOM")
    (tmp_path / "win.txt").write_bytes("Caf\xe9 \x93quoted\x94".encode("latin-1"))
    (tmp_path / "bin.txt").write_bytes(b"abc\x00def")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "crlf.txt").write_bytes(b"a\r\nb\rc")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.md").write_text("Deep one.")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    (tmp_path / "folder.txt").mkdir()
    corpus = load_corpus(tmp_path)
    ids = [d.id for d in corpus]
    assert ids == ["bom", "crlf", "empty", "sub/deep", "win"]
    assert corpus.get("bom").text == "Hello BOM"
    assert corpus.get("win").text == "Café “quoted”"
    assert corpus.get("crlf").text == "a\nb\nc"
    assert corpus.get("empty").text == "" and corpus.get("empty").title == "empty"
    joined = "\n".join(corpus.warnings)
    assert "bin.txt: skipped, contains NUL bytes" in joined
    assert "win.txt: not UTF-8" in joined
    assert "folder.txt: skipped, is a folder" in joined
    assert all("\n" not in w for w in corpus.warnings)


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="corpus not found"):
        load_corpus(tmp_path / "nope")


def test_unknown_dispatch_is_a_clear_error(corpus) -> None:
    with pytest.raises(ReaderError, match="no dispatch 'zzz'"):
        corpus.require("zzz")
    assert corpus.require("000").id == SEED_000  # a unique prefix is enough


def test_normalise() -> None:
    assert normalise("a\r\n\rb") == "a\n\nb"


@pytest.mark.parametrize(
    "note",
    [
        "CORRECTION: An earlier version misstated the date of the signing.",
        "UPDATE 2-Adds quotes from the defence minister",
        "Editor's note: This story was updated at 14:00 GMT.",
        "EDITOR’S NOTE — names have been withheld",
        "(Corrects spelling of name in paragraph 3)",
        "*UPDATED* with reaction from Minsk",
        "Correction appended",
        "Clarification: the agreement was initialled, not signed.",
    ],
)
def test_an_editors_note_on_top_is_neither_title_nor_body(corpus, note) -> None:
    from reader.metadata import extract_metadata

    original = corpus.get(SEED_000)
    meta = extract_metadata(note + "\n\n" + original.text, "fallback")
    assert (meta.title, meta.source, meta.place, meta.date) == (
        original.title,
        original.source,
        original.meta.place,
        original.date,
    )


@pytest.mark.parametrize("headline", ["Updates On Talks With Minsk Resume", "Corrected Figures Show Growth"])
def test_a_headline_that_starts_like_a_note_is_still_a_headline(headline) -> None:
    from reader.metadata import extract_metadata

    assert extract_metadata(headline + "\n\nPrague, May 15 (RFE/RL) -- Text.", "x").title == headline


def test_read_text_and_bytes_gives_bytes_only_when_they_are_the_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from reader.corpus import read_text_and_bytes

    cases = {
        "plain.txt": ("“Quoted” – text\n".encode(), True),
        "crlf.txt": (b"one\r\ntwo\r\n", False),
        "bom.txt": (b"\xef\xbb\xbfhello\n", False),
        "cp1252.txt": (b"caf\xe9\n", False),
    }
    for name, (data, same) in cases.items():
        (tmp_path / name).write_bytes(data)
        text, encoded = read_text_and_bytes(str(tmp_path / name))
        assert (encoded is not None) == same, name
        if encoded is not None:
            assert encoded.decode("utf-8") == text
        assert "\r" not in text and not text.startswith("\ufeff")


_WORDISH = st.lists(
    st.sampled_from(
        [*"aZ09_-'’. \n\t.,;İΣσςß½²ǅ\u0307\u00a0\u2028", "Don't", "U.S.", "co-op", "ΟΔΟΣ", "İstanbul", "ﬁ"]
    ),
    min_size=10,
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_WORDISH | st.text(min_size=64, max_size=200) | _WORDISH.map(lambda t: t + "😀"))
def test_word_counts_and_lowered_words_are_those_of_the_regular_expressions(text: str) -> None:
    """count_words and lowered_words read a table of character classes for texts of 64
    characters and more in the Basic Multilingual Plane; they must answer as the regular
    expressions do (words joined by - ' ’ . count once; runs of letters and digits, each
    lower-cased on its own: İ, final sigma)."""
    import re

    from reader.segments import count_words, lowered_words

    long = text * (1 + 64 // max(len(text), 1))
    for t in (text, long):
        assert count_words(t) == len(re.findall(r"\w+(?:[-'’.]\w+)*", t))
        assert lowered_words(t) == {w.lower() for w in re.findall(r"[^\W_]+", t)}
