"""Interoperability, proven by the other tools' own code and files: CoNLL read by seqeval
and spaCy's converter, and written by Label Studio's converter; WebAnno TSV and UIMA CAS
XMI written by INCEpTION (its test suite's reference files) and read by dkpro-cassis and an
independent TSV reader; w3c expanded by a JSON-LD processor; texts brought in with
``--add-texts``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.corpus import Corpus, make_dispatch
from reader.export import write_output
from reader.formats import writer
from reader.importer import import_path
from reader.store import AnnotationStore, make_record

from .conftest import SEED_000, SEEDS, run
from .test_formats import documents, seed_records, team_records

INCEPTION = Path(__file__).parent / "fixtures" / "inception-tsv3-suite"
"""INCEpTION's own WebAnno TSV / XMI reference files, with its licence (SOURCE.md there)."""


@pytest.fixture
def corpus_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty corpus folder, set as the corpus (the texts come in with --add-texts)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    monkeypatch.setenv("READER_CORPUS", str(folder))
    return folder


def spans_of(db: Path, corpus: object = None) -> list[tuple[str, int, int, str, str]]:
    with AnnotationStore.open(db, corpus=corpus) as store:
        return sorted((r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in store.all())


# -- CoNLL -----------------------------------------------------------------------------------


def test_conll_export_is_valid_iob2_for_seqeval_and_reads_in_spacys_converter(env, capsys, corpus) -> None:
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities
    from spacy.training.converters import conll_ner_to_docs

    seed_records(corpus, env)
    code, out, _ = run(capsys, "export", "--format", "conll")
    assert code == 0
    sentences, tokens, tags = [], [], []
    for line in out.splitlines():
        if line.startswith("-DOCSTART-") or not line:
            if tags:
                sentences.append((tokens, tags))
            tokens, tags = [], []
            continue
        token, tag = line.split("\t")
        tokens.append(token)
        tags.append(tag)
    sequences = [t for _, t in sentences]
    strict = Entities(sequences, IOB2).entities  # seqeval drops ill-formed chunks in strict mode
    assert sum(len(s) for s in strict) == len(get_entities(sequences)) > 0
    docs = list(conll_ner_to_docs(out, n_sents=0, no_print=True))
    ents = sorted((e.text, e.label_) for d in docs for e in d.ents)
    assert ("Pavel Grachev", "PERSON") in ents and ("S-300", "PRODUCT") in ents
    assert len(docs) == 2  # a document per dispatch, at each -DOCSTART- -X- O O


def test_conll_round_trip_matches_the_dispatch_by_its_letters(env, capsys, corpus, tmp_path) -> None:
    d0 = corpus.get(SEED_000)
    with AnnotationStore.open(env, corpus=corpus, annotator="a") as store:
        for word, tag in (("Pavel Grachev", "PERSON"), ("Kaliningrad", "GPE"), ("Belarus", "GPE")):
            a = d0.text.index(word)
            store.add(d0, a, a + len(word), tag)
        expected = sorted((r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in store.all())
    target = tmp_path / "out.conll"
    assert run(capsys, "export", "--format", "conll", "-o", str(target))[0] == 0
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(target), "--db", str(fresh))  # detected from .conll
    assert code == 0, err
    assert "imported 3 annotations" in out
    assert spans_of(fresh, corpus) == expected


def test_conll_written_by_label_studios_converter_imports(env, capsys, corpus, tmp_path) -> None:
    """Label Studio's CoNLL: 4 space-separated columns, one -DOCSTART- -X- O, a block per task."""
    from label_studio_converter import Converter

    records = team_records(corpus, env)
    target = tmp_path / "tasks.json"
    assert run(capsys, "export", "--format", "labelstudio", "--annotator", "bob", "-o", str(target))[0] == 0
    config = (
        '<View><Labels name="label" toName="text"><Label value="GPE"/><Label value="PERSON"/></Labels>'
        '<Text name="text" value="$text"/></View>'
    )
    converter = Converter(config, str(tmp_path / "project"), download_resources=False)
    converter.convert_to_conll2003(str(target), str(tmp_path / "conll"), is_dir=False)
    conll = tmp_path / "conll" / "result.conll"
    assert conll.read_text(encoding="utf-8").startswith("-DOCSTART- -X- O\n")
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(conll), "--db", str(fresh))
    assert code == 0, err
    bob = sorted(
        (r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"])
        for r in records
        if r["annotator"] == "bob"
    )
    assert spans_of(fresh, corpus) == bob


def test_conll_reads_iob1_bioes_tabs_and_refuses_bad_tags(env, capsys, corpus, tmp_path) -> None:
    d0 = corpus.get(SEED_000)
    a = d0.text.index("Pavel Grachev")
    before = d0.text[:a].split()
    # The whole dispatch as tokens (split at spaces, punctuation kept on words): BIOES tags.
    words = d0.text.split()
    k = len(before)
    lines = [
        f"{w}\t_\t_\t{'B-PER' if i == k else 'E-PER' if i == k + 1 else 'O'}" for i, w in enumerate(words)
    ]
    path = tmp_path / "bioes.conll"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(path), "--db", str(fresh))
    assert code == 0, err
    assert spans_of(fresh, corpus) == [(SEED_000, a, a + 13, "Pavel Grachev", "PER")]
    lines[k] = lines[k].replace("B-PER", "I-PER")  # IOB1: an entity may start with I-
    lines[k + 1] = lines[k + 1].replace("E-PER", "I-PER")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--db", str(tmp_path / "iob1.json"))
    assert code == 0 and spans_of(tmp_path / "iob1.json", corpus) == [
        (SEED_000, a, a + 13, "Pavel Grachev", "PER")
    ]
    lines[3] = lines[3].rsplit("\t", 1)[0] + "\tPERSON"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--db", str(tmp_path / "bad.json"))
    assert code == 1
    assert f"{path}:4: tag 'PERSON' is not O or B-/I-/E-/S-TYPE" in err
    assert "Traceback" not in err and not (tmp_path / "bad.json").exists()


def test_conll_of_texts_not_in_the_corpus_needs_add_texts(env, capsys, tmp_path, monkeypatch) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "one.txt").write_text(
        (SEEDS / f"{SEED_000}.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setenv("READER_CORPUS", str(corpus_dir))
    path = tmp_path / "news.conll"
    path.write_text(
        # The first lines of CoNLL-2003's English training file, as it is written.
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
        "call NN I-NP O\n. . O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and "unknown dispatch" in err and "--add-texts DIR" in err
    code, out, err = run(capsys, "import", str(path), "--add-texts", str(corpus_dir / "conll"))
    assert code == 0, err
    assert "imported 3 annotations" in out and "added 1 dispatch to" in out
    (added,) = (corpus_dir / "conll").glob("*.txt")
    assert added.read_text(encoding="utf-8") == "EU rejects German call .\nPeter Blackburn\n"
    code, out, _ = run(capsys, "list")
    assert f"conll/{added.stem}" in out
    assert [s[3:] for s in spans_of(env)] == [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    code, out, _ = run(capsys, "import", str(path), "--add-texts", str(corpus_dir / "conll"))
    assert code == 0 and "3 already present" in out and len(list((corpus_dir / "conll").glob("*.txt"))) == 1


# -- --add-texts ------------------------------------------------------------------------------


def test_add_texts_brings_a_whole_project_over_and_stays_in_the_corpus(
    env, capsys, tmp_path, corpus_dir
) -> None:
    examples = [
        {"text": "Kyiv, 3 March. Zelensky met Scholz.", "spans": [{"start": 0, "end": 4, "label": "GPE"}]},
        {
            "text": "Minsk said nothing.",
            "spans": [{"start": 0, "end": 5, "label": "GPE"}],
            "answer": "accept",
        },
    ]
    path = tmp_path / "prodigy.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--add-texts", str(tmp_path / "elsewhere"))
    assert code == 2 and "not a folder in the corpus" in err and not (tmp_path / "elsewhere").exists()
    code, out, _ = run(capsys, "import", str(path), "--add-texts", str(corpus_dir / "new"), "--dry-run")
    assert code == 0 and "would add 2 dispatches" in out and not (corpus_dir / "new").exists()
    code, out, err = run(capsys, "import", str(path), "--add-texts", str(corpus_dir / "new"))
    assert code == 0 and "added 2 dispatches" in out, err
    texts = sorted(p.read_text(encoding="utf-8") for p in (corpus_dir / "new").glob("*.txt"))
    assert texts == sorted(e["text"] for e in examples)
    assert [s[3:] for s in spans_of(env)] == [("Kyiv", "GPE"), ("Minsk", "GPE")]
    code, out, _ = run(capsys, "show", "new/kyiv")
    assert code == 0 and "Zelensky met Scholz" in out


# -- WebAnno TSV -----------------------------------------------------------------------------

SPAN_CASES = sorted(p.name for p in INCEPTION.iterdir() if p.is_dir() and "Relation" not in p.name)


@pytest.mark.parametrize("case", SPAN_CASES)
def test_inception_tsv_and_xmi_of_one_document_import_the_same(
    env, capsys, tmp_path, corpus_dir, case
) -> None:
    """INCEpTION wrote each case twice (reference.tsv, reference.xmi): both import alike."""
    got = {}
    for name in ("reference.tsv", "reference.xmi"):
        db = tmp_path / f"{name}.json"
        code, out, err = run(
            capsys, "import", str(INCEPTION / case / name), "--db", str(db), "--add-texts", str(corpus_dir)
        )
        assert code == 0, err
        assert "Traceback" not in err and "Warning" not in err
        got[name] = [s[1:4] for s in spans_of(db)] if db.exists() else []
    # Tags are compared in the next test: where a span has no value, the tag is the layer's
    # name, and the suite's TSV and XMI name the layer differently (Span, NamedEntity).
    assert got["reference.tsv"] == got["reference.xmi"]


def test_inception_files_import_what_their_names_say(env, capsys, tmp_path, corpus_dir) -> None:

    def imported(case: str, *extra: str) -> tuple[int, list[tuple[int, int, str, str]], str]:
        db = tmp_path / f"{case}{len(extra)}.json"
        code, _, err = run(
            capsys,
            "import",
            str(INCEPTION / case / "reference.tsv"),
            "--db",
            str(db),
            "--add-texts",
            str(corpus_dir),
            *extra,
        )
        return code, [s[1:] for s in spans_of(db)] if db.exists() else [], err

    code, spans, _ = imported("testCrossSentenceSpanWithFeatureValue")
    assert spans == [(0, 34, "He loves her .\nShe loves him not .", "PERSON")]
    code, spans, _ = imported("testSentenceWithEmoji")  # offsets in UTF-16 units: the emoji is 2
    assert [s[2] for s in spans] == ["😊"]
    code, spans, _ = imported("testTokenBoundedStackedSpanWithFeatureValue")
    assert len(spans) == 10 and {s[3] for s in spans} == {"NE"}
    code, spans, _ = imported("testSubMultiTokenSpanWithoutFeatureValue2")
    assert spans == [(1, 6, "his i", "Span")]  # no value: the layer's name
    code, spans, _ = imported("testTokenBoundedSpanWithNastyFeatureValue")
    assert {s[3] for s in spans} == {"de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity:value"}
    code, spans, err = imported("testDependencyWithValues")
    assert code == 0 and spans == []
    assert "1 token lines of Dependency (relation layer) not taken" in err
    assert "2 token lines of POS (span layer) not taken" in err
    code, spans, err = imported("testDependencyWithValues", "--strict")
    assert code == 1 and "--strict" in err


def test_webanno_export_reads_in_an_independent_tsv_reader_and_round_trips(
    env, capsys, corpus, tmp_path
) -> None:
    from web_anno_tsv.web_anno_tsv import Reader

    d0 = corpus.get(SEED_000)
    with AnnotationStore.open(env, corpus=corpus, annotator="a") as store:
        a = d0.text.index("Pavel Grachev")
        store.add(d0, a, a + 13, "PERSON", "a note")
        store.add(d0, a + 6, a + 13, "sur|name_[x]")  # stacked, and a tag with reserved characters
        b = d0.text.index("Kaliningrad")
        store.add(d0, b, b + 4, "part")  # inside a token
        expected = sorted((r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in store.all())
    folder = tmp_path / "tsv"
    code, _, err = run(capsys, "export", "--format", "webanno", "-o", str(folder))
    assert code == 0 and "webanno: 1 notes not exported" in err
    path = folder / f"{SEED_000}.tsv"
    assert path.read_text(encoding="utf-8").startswith("#FORMAT=WebAnno TSV 3.3\n")
    with Reader(str(path)) as reader:
        found = sorted((a.text, a.label) for sentence in reader for a in sentence.annotations)
    assert ("Pavel Grachev", "PERSON") in found and ("Kali", "part") in found
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(folder), "--db", str(fresh))  # a folder of .tsv: detected
    assert code == 0, err
    assert spans_of(fresh, corpus) == expected


# -- XMI ------------------------------------------------------------------------------------


def test_xmi_export_loads_in_cassis_with_its_type_system(env, capsys, corpus, tmp_path) -> None:
    from cassis import load_cas_from_xmi, load_typesystem

    records = seed_records(corpus, env)
    folder = tmp_path / "xmi"
    code, _, err = run(capsys, "export", "--format", "xmi", "-o", str(folder))
    assert code == 0 and "xmi: 2 notes not exported" in err
    typesystem = load_typesystem((folder / "TypeSystem.xml").read_text(encoding="utf-8"))
    got = []
    for path in sorted(folder.glob("*.xmi")):
        cas = load_cas_from_xmi(path.read_text(encoding="utf-8"), typesystem=typesystem)
        dispatch = corpus.get(path.stem)
        assert cas.sofa_string == dispatch.text
        assert cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence")
        for ne in cas.select("de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"):
            got.append((path.stem, ne.begin, ne.end, ne.get_covered_text(), ne.value))
    assert sorted(got) == sorted(
        (r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in records
    )


def test_xmi_import_refuses_entity_declarations_and_names_the_file(env, capsys, tmp_path) -> None:
    path = tmp_path / "evil.xmi"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmi:version="2.0">&e;</xmi:XMI>',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and f"{path}: XML with a DOCTYPE or ENTITY declaration is refused" in err
    path.write_text("<xmi:XMI", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and f"{path}: not a UIMA CAS XMI file" in err and "Traceback" not in err


# -- JSON-LD --------------------------------------------------------------------------------


def test_w3c_export_keeps_the_text_version_through_json_ld_expansion(env, capsys, corpus) -> None:
    """pyld expands our w3c export with the W3C context (vendored, no network): the
    dispatch's SHA-256 survives as a term with an IRI of ours, not dropped."""
    from pyld import jsonld

    from reader.formats.w3c import ANNO_CONTEXT, VOCAB

    context = json.loads(
        (Path(__file__).parent / "fixtures" / "w3c-anno-context" / "anno.jsonld").read_text(encoding="utf-8")
    )

    def loader(url: str, options: object = None) -> dict[str, object]:
        assert url == ANNO_CONTEXT, url  # nothing else is fetched
        return {"contextUrl": None, "documentUrl": url, "document": context}

    records = seed_records(corpus, env)
    code, out, _ = run(capsys, "export", "--format", "w3c")
    assert code == 0
    expanded = jsonld.expand(json.loads(out), {"documentLoader": loader})
    text = json.dumps(expanded)
    assert text.count(VOCAB + "dispatchSha256") == len(records)
    assert "http://www.w3.org/ns/oa#hasTarget" in text and "http://www.w3.org/ns/oa#TextQuoteSelector" in text


# -- property: formats that keep offsets and tags -------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    documents(), st.sampled_from(["xmi", "webanno"]), st.sampled_from(["PERSON", "a b", "x|y_[1]*", "é\\n"])
)
def test_round_trip_property_for_inception_formats(tmp_path_factory, doc, fmt, tag) -> None:  # type: ignore[no-untyped-def]
    dispatch, records = doc
    text = dispatch.text
    kept = []
    for r in records:  # WebAnno TSV spans run from token to token: no whitespace at the ends
        start, end = r["start"], r["end"]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            kept.append(make_record(dispatch, start, end, tag, annotator="p"))
    if not kept:
        return
    corpus = Corpus([dispatch])
    folder = tmp_path_factory.mktemp(fmt) / "out"
    write_output(folder, writer(fmt)(corpus, kept))
    store = AnnotationStore.in_memory(corpus=corpus)
    plan = import_path(folder, fmt, corpus, store)
    assert not plan.errors and not plan.skipped and not plan.reanchored
    assert sorted((r["start"], r["end"], r["tag"]) for r in store.all()) == sorted(
        (r["start"], r["end"], r["tag"]) for r in kept
    )


def test_letters_matching_does_not_confuse_two_spacings_of_different_texts() -> None:
    a = make_dispatch("a", "a.txt", "The cat sat.\n")
    b = make_dispatch("b", "b.txt", "Thecat sat down.\n")
    corpus = Corpus([a, b])
    from reader.importer import letters_finder

    find = letters_finder(corpus)
    assert find("Thecatsat.", "cat") is a
    assert find("Thecatsatdown.", "down") is b
    assert find("Thecat", "cat") is None


def test_prodigy_files_written_by_prodigy_import_whole(env, capsys, tmp_path, corpus_dir) -> None:
    """Explosion's own Prodigy annotations (tests/fixtures/prodigy/SOURCE.md): every span of
    every accepted example lands on its text, brought in with --add-texts."""
    source = Path(__file__).parent / "fixtures" / "prodigy" / "fashion_brands_eval.head60.jsonl"
    examples = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    expected = sorted(
        (e["text"][s["start"] : s["end"]], s["label"])
        for e in examples
        if e["answer"] == "accept"
        for s in e.get("spans", [])
    )
    code, out, err = run(capsys, "import", str(source), "--add-texts", str(corpus_dir / "reddit"), "--strict")
    assert code == 0, err
    assert f"imported {len(expected)} annotations" in out and len(expected) == 39
    assert sorted((s[3], s[4]) for s in spans_of(env)) == expected
    texts = {e["text"] for e in examples if e.get("spans")}
    assert len(list((corpus_dir / "reddit").glob("*.txt"))) == len(texts)


def test_doccanos_own_files_import_and_relations_are_reported(env, capsys, tmp_path, corpus_dir) -> None:
    """doccano's example export, its relation-project test line and its CoNLL test file
    (tests/fixtures/doccano/SOURCE.md), brought in with --add-texts."""
    folder = Path(__file__).parent / "fixtures" / "doccano"
    add = ("--add-texts", str(corpus_dir / "doccano"))

    code, out, err = run(
        capsys, "import", str(folder / "sequence_labeling_export_example.jsonl"), "--format", "doccano", *add
    )
    assert code == 0 and "imported 4 annotations" in out, err
    got = sorted((s[3], s[4]) for s in spans_of(env))
    assert got == [("EU", "ORG"), ("German", "MISC"), ("Obama", "PERSON"), ("Peter Blackburn", "PERSON")]

    relations = folder / "relation_extraction_import_example.jsonl"
    code, out, err = run(capsys, "import", str(relations), "--format", "doccano", *add)
    assert code == 0 and "imported 4 annotations" in out and "3 relations between spans: not taken" in err
    code, _, err = run(
        capsys,
        "import",
        str(relations),
        "--format",
        "doccano",
        "--strict",
        "--db",
        str(tmp_path / "s.json"),
        *add,
    )
    assert code == 1 and "--strict" in err

    code, out, err = run(capsys, "import", str(folder / "sequence_labeling_import_example.conll"), *add)
    assert code == 0, err
    assert ("JAPAN", "LOC") in {(s[3], s[4]) for s in spans_of(env)}
    assert ("Nadim Ladki", "PER") in {(s[3], s[4]) for s in spans_of(env)}
