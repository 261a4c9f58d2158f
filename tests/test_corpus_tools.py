"""Working across the corpus: search with an index, dossiers, tag-all, stats."""

from __future__ import annotations

import json

import pytest

from reader.store import AnnotationStore

from .conftest import SEED_000, SEED_001, run


def test_search_hits_with_context_and_index_on_disk(env, capsys, corpus) -> None:
    code, out, err = run(capsys, "search", "Lukashenka", "--json")
    hits = json.loads(out)
    expected = sum(d.text.count("Lukashenka") for d in corpus)
    assert code == 0 and len(hits) == expected and "hits in 2 dispatches" in err
    text = corpus.get(hits[0]["dispatch_id"]).text
    assert all(corpus.get(h["dispatch_id"]).text[h["start"] : h["end"]] == "Lukashenka" for h in hits)
    assert "Lukashenka" in hits[0]["context"] and "\n" not in hits[0]["context"] and text


@pytest.mark.parametrize(
    ("argv", "count"),
    [
        (["nato"], None),  # case-insensitive by default
        (["nato", "--case"], 0),
        (["Grach[a-z]+ said", "--regex"], 3),
        (["Marshal Igor"], 1),
        (["ussia"], None),  # inside words: the index must not miss it
        (["pavel grachev said"], 1),
    ],
)
def test_search_options(env, capsys, corpus, argv, count) -> None:
    code, out, _ = run(capsys, "search", *argv, "--json", "--limit", "0")
    hits = json.loads(out)
    if count is None:
        count = sum(d.text.lower().count(argv[0].lower()) for d in corpus)
    assert code == 0 and len(hits) == count


def test_search_notes_and_annotations_and_tag(env, capsys, corpus) -> None:
    run(
        capsys,
        "tag",
        SEED_000,
        "--quote",
        "Pavel Grachev",
        "--tag",
        "PERSON",
        "--note",
        "defence minister 1992-96",
    )
    run(capsys, "tag", SEED_001, "--quote", "Igor Sergeev", "--tag", "PERSON")
    hits = json.loads(run(capsys, "search", "minister", "--in", "notes", "--json")[1])
    assert [h["dispatch_id"] for h in hits] == [SEED_000] and hits[0]["in"] == "notes"
    hits = json.loads(run(capsys, "search", "sergeev", "--in", "annotations", "--json")[1])
    assert [h["dispatch_id"] for h in hits] == [SEED_001]
    hits = json.loads(run(capsys, "search", "Grachev", "--tag", "PERSON", "--json")[1])
    assert len(hits) == 1  # only the mention inside the PERSON annotation
    code, _, err = run(capsys, "search", "(", "--regex")
    assert code == 1 and "bad regular expression" in err


def test_dossier_groups_variants(env, capsys, corpus) -> None:
    code, out, _ = run(capsys, "dossier", "Grachev", "--json")
    data = json.loads(out)
    assert code == 0 and data["name"] == "Pavel Grachev" and data["label"] == "PERSON"
    assert data["variants"] == ["Pavel Grachev", "Grachev"]
    assert data["dispatches"][0]["count"] == corpus.get(SEED_000).text.count("Grachev")
    assert any(c["text"] == "Moscow" for c in data["cooccurring"])
    # Lukashenka is grouped across both dispatches.
    data = json.loads(run(capsys, "dossier", "Lukashenka", "--json")[1])
    assert data["name"] == "Alyaksandr Lukashenka" and {d["id"] for d in data["dispatches"]} == {
        SEED_000,
        SEED_001,
    }
    # The user splits a variant off, then merges it back.
    run(capsys, "dossier", "Alyaksandr Lukashenka", "--split", "Lukashenka")
    data = json.loads(run(capsys, "dossier", "Alyaksandr Lukashenka", "--json")[1])
    assert data["variants"] == ["Alyaksandr Lukashenka"]
    run(capsys, "dossier", "Alyaksandr Lukashenka", "--merge", "Lukashenka")
    data = json.loads(run(capsys, "dossier", "Lukashenka", "--json")[1])
    assert "Lukashenka" in data["variants"] and data["name"] == "Alyaksandr Lukashenka"
    code, _, err = run(capsys, "dossier", "Nobody Atall")
    assert code == 1 and "no entity 'Nobody Atall'" in err


def test_tag_all_with_preview_and_exclusions(env, capsys, corpus) -> None:
    code, out, _ = run(capsys, "tag-all", "Minsk", "--tag", "GPE", "--dry-run")
    n = sum(d.text.count("Minsk") for d in corpus)
    assert f"{n} occurrences" in out
    code, out, _ = run(capsys, "tag-all", "Minsk", "--tag", "GPE", "--exclude", "1")
    assert code == 0 and f"tagged {n - 1} occurrences" in out
    code, out, _ = run(capsys, "tag-all", "Minsk", "--tag", "GPE")
    assert "tagged 1 occurrence of" in out and f"({n - 1} already were)" in out
    with AnnotationStore.open(env) as store:
        assert len([r for r in store.all() if r["quote"] == "Minsk"]) == n
    code, _, err = run(capsys, "tag-all", "Minsk", "--tag", "GPE", "--exclude", "99")
    assert code == 2 and "there are" in err


def test_tag_all_whole_words_only(env, capsys, corpus) -> None:
    code, out, _ = run(capsys, "tag-all", "Russia", "--tag", "GPE", "--dispatch", SEED_000, "--dry-run")
    text = corpus.get(SEED_000).text
    import re

    whole = len(re.findall(r"(?<!\w)Russia(?!\w)", text))
    assert whole < text.count("Russia") and f"{whole} occurrences" in out


def test_stats(env, capsys, corpus) -> None:
    run(capsys, "tag", SEED_000, "--quote", "Pavel Grachev", "--tag", "PERSON")
    run(capsys, "tag", SEED_000, "--quote", "Kaliningrad", "--tag", "GPE")
    run(capsys, "tag", SEED_000, "--start", "0", "--end", "10", "--tag", "claim")
    stats = json.loads(run(capsys, "stats", "--json")[1])
    assert (
        stats["annotations"] == 3 and stats["annotated_dispatches"] == 1 and stats["share_annotated"] == 0.5
    )
    assert stats["per_tag"] == {"PERSON": 1, "GPE": 1, "claim": 1}
    assert stats["entities_by_label"]["GPE"] > 10
    assert stats["most_tagged_entities"] == {"Pavel Grachev": 1, "Kaliningrad": 1}
    assert stats["per_dispatch"] == {SEED_000: 3}
    assert stats["titles"] == {SEED_000: "Russia And Belarus Tighten Military Cooperation"}
    code, out, _ = run(capsys, "stats")
    assert "3 annotations in 1 of 2 dispatches (50% annotated)" in out and "█" in out
    # Dispatches are named by their titles, with the start of the id to tell equal titles apart.
    assert f"Russia And Belarus Tighten Military Cooperation · {SEED_000[:12]} ███" in out
