"""Re-anchoring annotations when the dispatch text changes under them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.anchor import FUZZY_THRESHOLD, context, reanchor
from reader.check import check_records
from reader.cli import main
from reader.corpus import Corpus, make_dispatch, normalise
from reader.store import AnnotationStore

from .conftest import SEED_000, SEEDS

BASE = (
    "Prague, May 15 (RFE/RL) -- Russia and Belarus yesterday signed a series of agreements.\n\n"
    "Defense Minister Pavel Grachev said the accords would stand.\n\n"
    "Talks with Kyrgyzstan are scheduled for forthcoming weeks."
)
QUOTE = "Pavel Grachev said"


def anchor_in(edited: str, quote: str = QUOTE, base: str = BASE):  # type: ignore[no-untyped-def]
    start = base.index(quote)
    prefix, q, suffix = context(base, start, start + len(quote))
    return reanchor(edited, start, start + len(quote), q, prefix, suffix)


@pytest.mark.parametrize(
    ("name", "edited", "state", "selected"),
    [
        ("unchanged", BASE, "anchored", QUOTE),
        ("insertion before", "UPDATED. " + BASE, "moved", QUOTE),
        ("insertion after", BASE + "\n\nMore text follows here.", "anchored", QUOTE),
        (
            "insertion inside",
            BASE.replace("Pavel Grachev", "Pavel S. Grachev"),
            "fuzzy",
            "Pavel S. Grachev said",
        ),
        (
            "typo fixed inside",
            BASE.replace("Grachev said", "Grachev sad").replace("Grachev", "Gracev"),
            "fuzzy",
            None,
        ),
        ("paragraphs moved", "\n\n".join(reversed(BASE.split("\n\n"))), "moved", QUOTE),
        (
            "quote deleted",
            BASE.replace("Defense Minister Pavel Grachev said the accords would stand.\n\n", ""),
            "orphaned",
            None,
        ),
    ],
)
def test_edits(name, edited, state, selected) -> None:
    result = anchor_in(edited)
    assert result.state == state, name
    if selected is not None:
        assert edited[result.start : result.end] == selected
    if state == "fuzzy":
        assert FUZZY_THRESHOLD <= result.score < 1.0
    if state == "orphaned":
        assert result.score < FUZZY_THRESHOLD


def test_whole_document_reflow_with_crlf() -> None:
    import textwrap

    # Re-wrapped at 24 columns with CRLF line ends, under a new header line.
    paragraphs = ["\r\n".join(textwrap.wrap(p, 24)) for p in BASE.split("\n\n")]
    edited = normalise("EDITED COPY\r\n\r\n" + "\r\n\r\n".join(paragraphs))
    result = anchor_in(edited)
    assert result.state in ("moved", "fuzzy")
    assert " ".join(edited[result.start : result.end].split()) == QUOTE


def test_quote_twice_prefers_matching_context() -> None:
    base = "First: the talks failed. Second: the talks failed again in Minsk."
    start = base.index("the talks failed", 20)  # the second occurrence
    prefix, quote, suffix = context(base, start, start + len("the talks failed"))
    edited = "Intro. " + base
    result = reanchor(edited, start, start + len(quote), quote, prefix, suffix)
    assert result.state == "moved" and result.start == edited.index("the talks failed", 30)


def test_threshold_separates_edits_from_unrelated_text() -> None:
    # A one-letter fix scores above the threshold; the same length of unrelated text below.
    fixed = anchor_in(BASE.replace("Grachev", "Grachov"))
    unrelated = anchor_in("An entirely different dispatch about the weather in Riga and Tallinn today.")
    assert fixed.state == "fuzzy" and fixed.score >= FUZZY_THRESHOLD
    assert unrelated.state == "orphaned" and unrelated.score < FUZZY_THRESHOLD


_edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1), st.text("xyz .\n", max_size=12)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_edit, max_size=4), st.integers(0, 2))
def test_property_anchored_and_moved_select_the_original_quote(edits, which) -> None:
    quote = ["Pavel Grachev said", "signed a series of agreements", "forthcoming weeks"][which]
    text = BASE
    for kind, where, piece in edits:
        at = int(where * len(text))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + len(piece) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    result = anchor_in(text, quote)
    if result.state in ("anchored", "moved"):
        assert text[result.start : result.end] == quote
    elif result.state == "fuzzy":
        assert FUZZY_THRESHOLD <= result.score < 1.0 and 0 <= result.start < result.end <= len(text)
    else:
        assert result.state == "orphaned"


def test_check_and_apply_on_edited_seeds(tmp_path, capsys, corpus) -> None:
    db = tmp_path / "db.json"
    d = corpus.get(SEED_000)
    with AnnotationStore.open(db, corpus=corpus) as store:
        for quote, tag in (
            ("Pavel Grachev", "PERSON"),
            ("signed a series of agreements", "event"),
            ("Kaliningrad", "GPE"),
        ):
            at = d.text.index(quote)
            store.add(d, at, at + len(quote), tag)
    edited = tmp_path / "seeds"
    edited.mkdir()
    for path in SEEDS.iterdir():
        (edited / path.name).write_bytes(path.read_bytes())
    p = edited / f"{SEED_000}.txt"
    p.write_text(
        p.read_text()
        .replace("Breaking News", "Breaking News\n\nCorrection appended.")
        .replace("Pavel Grachev", "Pavel S. Grachev", 1)
        .replace("Kaliningrad", "the exclave")
    )
    assert main(["check", "--corpus", str(edited), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"{SEED_000}: 1 moved, 1 fuzzy, 1 orphaned" in out and "--apply" in out
    assert main(["check", "--corpus", str(edited), "--db", str(db), "--apply", "--json"]) == 0
    findings = {f["quote"]: f for f in json.loads(capsys.readouterr().out)}
    new_text = p.read_text()
    with AnnotationStore.open(db, corpus=corpus) as store:
        stored = {r["anchor"]["original_quote"]: r for r in store.all()}
    assert new_text[stored["signed a series of agreements"]["start"] :].startswith(
        "signed a series of agreements"
    )
    assert (
        stored["Pavel Grachev"]["quote"] == "Pavel S. Grachev"
        and stored["Pavel Grachev"]["anchor"]["state"] == "fuzzy"
    )
    assert (
        stored["Kaliningrad"]["anchor"]["state"] == "orphaned"
        and stored["Kaliningrad"]["quote"] == "Kaliningrad"
    )
    assert findings["Kaliningrad"]["reason"] == "the quote is no longer in the text"
    # Applied once: a second check changes nothing and still lists them for review.
    edited_corpus = Corpus([make_dispatch(SEED_000, str(p), new_text)])
    with AnnotationStore.open(db, corpus=corpus) as store:
        report = check_records(store.all(), edited_corpus)
    assert report.updates() == [] and len(report.needing_review()) == 3
