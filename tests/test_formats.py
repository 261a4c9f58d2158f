"""Exchange formats: exports from the CLI, lossless re-import of our own formats, the W3C
annotation-model MUST assertions, brat parsed by an independent parser, import checks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reader.corpus import Corpus, make_dispatch
from reader.formats import writer
from reader.importer import import_path
from reader.store import AnnotationStore, make_record

from .conftest import SEED_000, SEED_001, run

W3C_TESTS = Path(__file__).parent / "fixtures" / "w3c-annotation-model"
"""The W3C test suite, vendored with its licence (tests/fixtures/w3c-annotation-model/SOURCE.md)."""


def seed_records(corpus, db: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    """A realistic set: notes with newlines and quotes, a span across a paragraph break,
    overlapping spans, a tag that is not brat-safe."""
    d0, d1 = corpus.get(SEED_000), corpus.get(SEED_001)
    with AnnotationStore.open(db, corpus=corpus, annotator="tester") as store:
        a = d0.text.index("Pavel Grachev")
        store.add(d0, a, a + 13, "PERSON", 'Defense minister, "Pasha"\nsecond line')
        store.add(d0, a + 6, a + 13, "surname")
        b = d0.text.index("Moscow that the")
        store.add(d0, b, b + 6, "place name")
        c = d0.text.index("a single military and political unit.")
        store.add(d0, c, d0.text.index(" accords on"), "claim")  # runs across the paragraph break
        e = d1.text.index("S-300")
        store.add(d1, e, e + 5, "PRODUCT", "surface-to-air, “SAM”")
        return store.all()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "w3c"])
def test_own_formats_reimport_identically(env, capsys, corpus, fmt, tmp_path) -> None:
    records = seed_records(corpus, env)
    target = tmp_path / f"out.{fmt}"
    code, _, err = run(capsys, "export", "--format", fmt, "-o", str(target))
    assert code == 0 and f"exported {len(records)} annotations" in err
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(target), "--format", fmt, "--db", str(fresh))
    assert code == 0, err
    assert f"imported {len(records)} annotations" in out
    with AnnotationStore.open(fresh, corpus=corpus) as store:
        assert store.all() == records


@pytest.mark.parametrize("fmt", ["brat", "doccano", "spacy"])
def test_span_formats_keep_offsets_quotes_and_tags(env, capsys, corpus, fmt, tmp_path) -> None:
    records = seed_records(corpus, env)
    target = tmp_path / ("brat-out" if fmt == "brat" else f"out.{fmt}.jsonl")
    code, _, err = run(capsys, "export", "--format", fmt, "-o", str(target))
    assert code == 0
    assert f"{fmt}: annotation ids, annotators and timestamps not exported" in err
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(target), "--format", fmt, "--db", str(fresh))
    assert code == 0, err
    with AnnotationStore.open(fresh, corpus=corpus) as store:
        got = sorted((r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in store.all())
    assert got == sorted((r["dispatch_id"], r["start"], r["end"], r["quote"], r["tag"]) for r in records)
    # Importing again finds every annotation already present.
    code, out, _ = run(capsys, "import", str(target), "--format", fmt, "--db", str(fresh))
    assert "0 annotations" in out and f"{len(records)} already present" in out


def test_brat_output_loads_in_an_independent_parser(env, capsys, corpus, tmp_path) -> None:
    pybrat = pytest.importorskip("pybrat.parser")
    records = seed_records(corpus, env)
    run(capsys, "export", "--format", "brat", "-o", str(tmp_path / "b"))
    examples = pybrat.BratParser(error="raise").parse(tmp_path / "b")
    assert len(examples) == 2
    spans = sorted(
        (span.start, span.end, ent.type) for ex in examples for ent in ex.entities for span in ent.spans
    )
    # The claim crossing a paragraph break is split at the newlines into two fragments.
    claim = next(r for r in records if r["tag"] == "claim")
    frags = [s for s in spans if s[2] == "claim"]
    assert len(frags) == 2 and frags[0][0] == claim["start"] and frags[-1][1] == claim["end"]
    # Tag names that brat cannot hold are made safe in the .ann and listed in the .conf.
    assert any(t == "place_name" for *_, t in spans)
    conf = (tmp_path / "b" / "annotation.conf").read_text()
    assert "place_name = place name" in conf
    # Every other annotation comes back with its exact span and (brat-safe) type.
    from reader.formats.brat import safe_type

    for r in records:
        if r["tag"] != "claim":
            assert (r["start"], r["end"], safe_type(r["tag"])) in spans


def test_w3c_passes_the_annotation_model_must_assertions(env, capsys, corpus, tmp_path) -> None:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    base = "https://w3c-annotation-model.test/"

    def load(path: Path) -> dict:
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["id"] = base + path.name
        return schema

    registry = Registry().with_resources(
        (base + p.name, Resource.from_contents(load(p), default_specification=DRAFT4))
        for p in (W3C_TESTS / "definitions").glob("*.json")
    )
    records = seed_records(corpus, env)
    code, out, _ = run(capsys, "export", "--format", "w3c")
    collection = json.loads(out)
    items = collection["first"]["items"]
    assert len(items) == len(records)
    checked = 0
    for test_file, documents in (
        ("annotations/annotationMusts.test", items),
        ("collections/collectionMusts.test", [collection]),
        ("collections/pages/pageMusts.test", [collection["first"]]),
    ):
        spec = json.loads((W3C_TESTS / test_file).read_text(encoding="utf-8"))
        for assertion in spec["assertions"]:
            if not isinstance(assertion, str):
                continue
            path = W3C_TESTS / assertion
            schema = load(path)
            # Draft 4 ignores "id" beside a root "$ref": reach the assertion through the registry.
            uri = base + path.name
            with_assertion = registry.with_resource(
                uri, Resource.from_contents(schema, default_specification=DRAFT4)
            )
            validator = jsonschema.Draft4Validator({"$ref": uri}, registry=with_assertion)
            for doc in documents:
                errors = list(validator.iter_errors(doc))
                if schema.get("expectedResult", "valid") == "valid":
                    assert not errors, f"{assertion}: {errors[0].message}"
                else:
                    assert errors, f"{assertion} should have failed"
                checked += 1
    assert checked > 60
    # dispatchSha256 is a term of our own context, after the W3C one: it has an IRI.
    first, ours = items[0]["@context"]
    assert first == "http://www.w3.org/ns/anno.jsonld"
    assert ours["dispatchSha256"]["@id"].startswith("urn:x-dispatch-reader:vocab:")
    text = {d.id: d.text for d in corpus}
    for item in items:
        position = next(s for s in item["target"]["selector"] if s["type"] == "TextPositionSelector")
        quote = next(s for s in item["target"]["selector"] if s["type"] == "TextQuoteSelector")
        dispatch_id = item["target"]["source"].rsplit(":", 1)[1]
        assert text[dispatch_id][position["start"] : position["end"]] == quote["exact"]


def test_conll_drops_overlaps_and_says_where(env, capsys, corpus) -> None:
    seed_records(corpus, env)
    code, out, err = run(capsys, "export", "--format", "conll")
    assert code == 0
    assert "conll: 1 overlapping annotations dropped (kept the longest): 000_0daff5d748c82e7b" in err
    assert "conll: 2 notes not exported" in err
    assert out.count("-DOCSTART-") == 2
    labels = [line.split()[-1] for line in out.splitlines() if line and not line.startswith("-DOCSTART-")]
    for prev, cur in zip(["O", *labels], labels, strict=False):
        if cur.startswith("I-"):
            assert prev[2:] == cur[2:]  # IOB2: I- only continues the same type
    assert "Pavel\tB-PERSON" in out and "Grachev\tI-PERSON" in out  # tab-separated, as doccano wants
    assert "-DOCSTART- -X- O O" in out
    assert "conll: 1 annotations run across a sentence break" in err
    assert "conll: 1 tags with spaces written with _ instead: place name" in err


def test_strict_makes_a_loss_an_error(env, capsys, corpus, tmp_path) -> None:
    seed_records(corpus, env)
    target = tmp_path / "x.conll"
    code, _, err = run(capsys, "export", "--format", "conll", "--strict", "-o", str(target))
    assert code == 1 and "nothing was written" in err and not target.exists()
    code, _, _ = run(capsys, "export", "--format", "jsonl", "--strict", "-o", str(tmp_path / "ok.jsonl"))
    assert code == 0


def test_csv_is_rfc4180_with_notes_intact(env, capsys, corpus) -> None:
    records = seed_records(corpus, env)
    code, out, _ = run(capsys, "export", "--format", "csv")
    assert "\r\n" in out
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["note"] for r in rows] == [r["note"] for r in records]


def test_import_is_all_or_nothing_and_names_file_and_line(env, capsys, corpus, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = {"dispatch_id": SEED_000, "start": 0, "end": 6, "tag": "x", "quote": "Access"}
    bad.write_text(json.dumps(good) + "\n" + json.dumps(dict(good, dispatch_id="nope")) + "\n{oops\n")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 1 and f"{bad}:3: not valid JSON" in err
    bad.write_text(json.dumps(good) + "\n" + json.dumps(dict(good, dispatch_id="nope")) + "\n")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 1 and f"{bad}:2: unknown dispatch 'nope'" in err and "nothing was imported" in err
    assert not env.exists() or "Access" not in env.read_text()


def test_import_reanchors_and_skips(env, capsys, corpus, tmp_path) -> None:
    text = corpus.get(SEED_000).text
    at = text.index("Kaliningrad")
    lines = [
        {"dispatch_id": SEED_000, "start": at + 5, "end": at + 16, "tag": "GPE", "quote": "Kaliningrad"},
        {"dispatch_id": SEED_000, "start": 0, "end": 5, "tag": "x", "quote": "never in the text"},
    ]
    path = tmp_path / "moved.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = run(capsys, "import", str(path), "--dry-run")
    assert code == 0 and "would import 1 annotation from" in out and "1 re-anchored, 1 skipped" in out
    assert f"moved {at + 5}..{at + 16} -> {at}..{at + 11}" in err and "skipped" in err
    assert not env.exists() or "Kaliningrad" not in env.read_text()
    code, out, _ = run(capsys, "import", str(path))
    with AnnotationStore.open(env, corpus=corpus) as store:
        assert [(r["start"], r["quote"]) for r in store.all()] == [(at, "Kaliningrad")]


def test_import_says_why_a_span_without_a_quote_is_skipped(env, capsys, corpus, tmp_path) -> None:
    size = len(corpus.get(SEED_000).text)
    lines = [
        {"dispatch_id": SEED_000, "start": 7, "end": 7, "tag": "x"},
        {"dispatch_id": SEED_000, "start": 9, "end": 4, "tag": "x"},
        {"dispatch_id": SEED_000, "start": 5, "end": size + 3, "tag": "x"},
        {"dispatch_id": SEED_000, "tag": "x"},
    ]
    path = tmp_path / "spans.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = run(capsys, "import", str(path), "--dry-run")
    assert code == 0 and "4 skipped" in out, (out, err)
    assert "spans.jsonl:1: an empty span (7..7): nothing to annotate" in err
    assert "spans.jsonl:2: its span ends before it starts (9..4)" in err
    assert f"spans.jsonl:3: its span (5..{size + 3}) is outside the text ({size} characters)" in err
    assert "spans.jsonl:4: no quote and no valid offsets (None..None)" in err


def test_doccano_import_accepts_older_forms(env, capsys, corpus, tmp_path) -> None:
    text = corpus.get(SEED_001).text
    at = text.index("Igor Sergeev")
    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps({"text": text, "labels": [[at, at + 12, "PERSON"]]})
        + "\n"
        + json.dumps(
            {"text": text, "entities": [{"start_offset": at, "end_offset": at + 4, "label": "FIRST"}]}
        )
        + "\n"
    )
    code, out, err = run(capsys, "import", str(path), "--format", "doccano")
    assert code == 0, err
    with AnnotationStore.open(env, corpus=corpus) as store:
        assert sorted((r["quote"], r["tag"]) for r in store.all()) == [
            ("Igor", "FIRST"),
            ("Igor Sergeev", "PERSON"),
        ]


# -- property: random texts and annotations survive the round trips --------------------------

# Pieces rather than characters, so combining marks, CRLF and double spaces come whole.
_text = st.lists(
    st.sampled_from(list("ab cé\n\r.,“”😀中文") + ["e\u0301", "\r\n", "  "]),
    min_size=2,
    max_size=80,
).map("".join)


@st.composite
def documents(draw):  # type: ignore[no-untyped-def]
    raw = draw(_text)
    dispatch = make_dispatch("doc/one", "doc.txt", raw)
    n = len(dispatch.text)
    if n < 2:
        raw = raw + "ab"
        dispatch = make_dispatch("doc/one", "doc.txt", raw)
        n = len(dispatch.text)
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1), st.integers(1, n), st.sampled_from(["PERSON", "a b", "x/y", "é"])
            ),
            min_size=1,
            max_size=6,
        )
    )
    records = []
    for k, (a, b, tag) in enumerate(spans):
        start, end = min(a, b), max(a, b)
        # As the app and importers do, quotes do not begin or end with a line break
        # (brat cannot hold those; its exporter reports them as a loss).
        while start < end and dispatch.text[start] == "\n":
            start += 1
        while end > start and dispatch.text[end - 1] == "\n":
            end -= 1
        if start == end:
            continue
        records.append(make_record(dispatch, start, end, tag, note=f"n{k}\nline", annotator="p"))
    assume(records)
    return dispatch, records


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    documents(),
    st.sampled_from(["json", "jsonl", "csv", "w3c", "brat", "doccano", "labelstudio", "prodigy"]),
)
def test_round_trip_property(tmp_path_factory, doc, fmt) -> None:  # type: ignore[no-untyped-def]
    dispatch, records = doc
    corpus = Corpus([dispatch])
    out = writer(fmt)(corpus, records)
    folder = tmp_path_factory.mktemp(fmt)
    path = folder / ("b" if fmt == "brat" else f"x.{fmt}")
    from reader.export import write_output

    write_output(path, out)
    store = AnnotationStore.in_memory(corpus=corpus)
    plan = import_path(path, fmt, corpus, store)
    assert not plan.errors and not plan.skipped and not plan.reanchored
    key = lambda r: (r["start"], r["end"], r["tag"])  # noqa: E731
    expected = sorted({key(r): (r["quote"]) for r in records}.items())
    got = sorted({key(r): r["quote"] for r in store.all()}.items())
    assert got == expected
    assert all(dispatch.text[s:e] == q for (s, e, _), q in got)
    if fmt in ("json", "jsonl", "csv", "w3c"):
        assert sorted(store.all(), key=lambda r: r["id"]) == sorted(records, key=lambda r: r["id"])


def test_spacy_export_spans_are_accepted_by_doc_char_span(env, capsys, corpus) -> None:
    import spacy
    from spacy.tokens import DocBin

    seed_records(corpus, env)
    text = corpus.get(SEED_001).text
    at = text.index("Sergeev")
    sam = text.index("S-300")
    with AnnotationStore.open(env, corpus=corpus) as store:
        store.add(SEED_001, at + 2, at + 5, "cut")  # "rge": inside a word
        store.add(SEED_001, sam + 2, sam + 5, "number")  # "300" inside the token "S-300"
        store.add(SEED_001, at - 1, at + 7, "spaced")  # " Sergeev": a leading space
        store.add(SEED_001, at, at + 8, "newline")  # "Sergeev\n" or a trailing character
    code, out, err = run(capsys, "export", "--format", "spacy")
    assert "spacy: 1 spans began or ended with white space" in err
    assert "spans that cut a token widened to spaCy's tokens" in err
    assert "overlap another: doc.ents cannot hold them all; doc.spans can" in err
    nlp = spacy.blank("en")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2
    db = DocBin()
    total = 0
    for line in lines:
        doc = nlp(line["text"])
        spans = []
        for start, end, label in line["spans"]:
            span = doc.char_span(start, end, label=label)
            assert span is not None and span.text == line["text"][start:end]
            spans.append(span)
        doc.spans["sc"] = spans  # overlapping spans go here, all of them
        db.add(doc)
        total += len(spans)
    back = list(db.get_docs(nlp.vocab))
    assert sum(len(d.spans["sc"]) for d in back) == total == 9


def test_import_of_a_file_in_another_encoding_is_one_clear_line(env, capsys, tmp_path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("dispatch_id,start,end,tag\r\n000,0,5,caf\xe9\r\n".encode("latin-1"))
    code, _, err = run(capsys, "import", str(path))
    assert (
        code == 1
        and err.strip() == f"reader: error: {path}: not UTF-8 text; save it as UTF-8 and import again"
    )


def team_records(corpus, db: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    """Two annotators, a note, overlapping spans of one annotator."""
    d0 = corpus.get(SEED_000)
    with AnnotationStore.open(db, corpus=corpus, annotator="alice") as store:
        a = d0.text.index("Pavel Grachev")
        store.add(d0, a, a + 13, "PERSON", "defence minister\nsince 1992")
        store.add(d0, a + 6, a + 13, "surname")
        b = d0.text.index("Kaliningrad")
        store.add(d0, b, b + 11, "GPE", annotator="bob")
        store.add(d0, a, a + 13, "PERSON", annotator="bob")
        return store.all()


@pytest.mark.parametrize("fmt", ["labelstudio", "prodigy"])
def test_labelstudio_and_prodigy_keep_annotators(env, capsys, corpus, fmt, tmp_path) -> None:
    records = team_records(corpus, env)
    target = tmp_path / ("out.json" if fmt == "labelstudio" else "out.jsonl")
    code, _, exported = run(capsys, "export", "--format", fmt, "-o", str(target))
    assert code == 0, exported
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(target), "--db", str(fresh))  # the format is detected
    assert code == 0 and f"imported {len(records)} annotations" in out, (out, err)
    with AnnotationStore.open(fresh, corpus=corpus) as store:
        got = store.all()
    fields = ("dispatch_id", "start", "end", "quote", "tag", "annotator")
    assert sorted(tuple(r[f] for f in fields) for r in got) == sorted(
        tuple(r[f] for f in fields) for r in records
    )
    if fmt == "labelstudio":  # a note rides in the region's meta text
        assert sorted(r["note"] for r in got) == sorted(r["note"] for r in records)
    else:
        assert "prodigy: 1 notes not exported" in exported and "overlap" in exported


def test_labelstudio_export_reads_in_label_studios_own_converter(env, capsys, corpus, tmp_path) -> None:
    from label_studio_converter import Converter

    records = team_records(corpus, env)
    target = tmp_path / "tasks.json"
    assert run(capsys, "export", "--format", "labelstudio", "-o", str(target))[0] == 0
    labels = "".join(f'<Label value="{t}"/>' for t in sorted({r["tag"] for r in records}))
    config = (
        f'<View><Labels name="label" toName="text">{labels}</Labels><Text name="text" value="$text"/></View>'
    )
    converter = Converter(config, str(tmp_path / "project"), download_resources=False)
    converter.convert_to_json_min(str(target), str(tmp_path / "min"), is_dir=False)
    rows = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    spans = sorted((x["start"], x["end"], x["text"], x["labels"][0]) for row in rows for x in row["label"])
    assert spans == sorted((r["start"], r["end"], r["quote"], r["tag"]) for r in records)
    converter.convert_to_conll2003(str(target), str(tmp_path / "conll"), is_dir=False)
    conll = (tmp_path / "conll" / "result.conll").read_text(encoding="utf-8")
    assert "Kaliningrad -X- _ B-GPE" in conll


def test_labelstudio_import_takes_predictions_and_reports_what_it_does_not_take(
    env, capsys, corpus, tmp_path
) -> None:
    text = corpus.get(SEED_000).text + "😀"  # not in the corpus: matched by its dispatch_id
    start = text.index("Minsk")
    task = {
        "data": {"text": corpus.get(SEED_000).text, "dispatch_id": SEED_000},
        "annotations": [
            {
                "completed_by": {"id": 3, "email": "carol@example.org"},
                "result": [
                    {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
                     "value": {"start": start, "end": start + 5, "text": "Minsk", "labels": ["GPE"]}},
                    {"id": "r1", "type": "textarea", "from_name": "note", "to_name": "text",
                     "value": {"start": start, "end": start + 5, "text": ["capital"]}},
                    {"id": "c1", "type": "choices", "from_name": "topic", "to_name": "text",
                     "value": {"choices": ["military"]}},
                    {"id": "x", "type": "relation", "from_id": "r1", "to_id": "r1"},
                ],
            },
            {"was_cancelled": True, "result": []},
        ],
        "predictions": [
            {"model_version": "ner-v2", "result": [
                {"id": "p1", "type": "labels", "from_name": "label", "to_name": "text",
                 "value": {"start": start, "end": start + 5, "labels": ["LOC"]}}]},
        ],
    }  # fmt: skip
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]))
    code, out, err = run(capsys, "import", str(path))
    assert code == 0 and "imported 2 annotations" in out, (out, err)
    assert "1 choices results: not spans, not taken" in err and "a cancelled annotation" in err
    assert "relation" in err
    with AnnotationStore.open(env, corpus=corpus) as store:
        got = sorted((r["annotator"], r["tag"], r["quote"], r["note"]) for r in store.all())
    assert got == [
        ("carol@example.org", "GPE", "Minsk", "capital"),
        ("prediction:ner-v2", "LOC", "Minsk", ""),
    ]
    assert text  # the emoji text above is for the offsets test below


def test_prodigy_import_skips_rejected_examples_and_says_so(env, capsys, corpus, tmp_path) -> None:
    text = corpus.get(SEED_000).text
    start = text.index("Minsk")
    lines = [
        {"text": text, "spans": [{"start": start, "end": start + 5, "label": "GPE"}], "answer": "accept",
         "_annotator_id": "news-dana"},
        {"text": text, "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "reject"},
        {"text": text, "spans": [], "answer": "ignore"},
    ]  # fmt: skip
    path = tmp_path / "prodigy.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    code, out, err = run(capsys, "import", str(path), "--strict")
    assert code == 1 and "--strict: 2 things in the file would not be taken" in err and not env.exists()
    code, out, err = run(capsys, "import", str(path))
    assert code == 0 and "imported 1 annotation " in out
    assert "a reject example: its 1 spans not taken" in err and "a ignore example" in err
    with AnnotationStore.open(env, corpus=corpus) as store:
        assert [(r["annotator"], r["quote"]) for r in store.all()] == [("news-dana", "Minsk")]


def test_labelstudio_offsets_are_utf16_code_units() -> None:
    from reader.formats.labelstudio import from_utf16, read_labelstudio, write_labelstudio

    text = "😀 Minsk and 😀😀 Moscow"
    dispatch = make_dispatch("emoji", "emoji.txt", text)
    start = text.index("Moscow")
    record = make_record(dispatch, start, start + 6, "GPE", annotator="a")
    out = write_labelstudio(Corpus([dispatch]), [record])
    value = json.loads(out.text)[0]["annotations"][0]["result"][0]["value"]
    # JavaScript's "😀 Minsk and 😀😀 Moscow".indexOf("Moscow") is 3 more than Python's.
    assert value["start"] == start + 3 and value["end"] == start + 9
    assert from_utf16(text, value["start"]) == start
    (candidate,) = read_labelstudio(out.text, "x.json")
    assert (candidate.record["start"], candidate.record["end"]) == (start, start + 6)


def test_brat_declares_overlaps_keeps_colliding_tags_apart_and_reports_what_it_skips(
    env, capsys, corpus, tmp_path
) -> None:
    d0 = corpus.get(SEED_000)
    with AnnotationStore.open(env, corpus=corpus, annotator="t") as store:
        a = d0.text.index("Pavel Grachev")
        store.add(d0, a, a + 13, "date range", "a\tb")
        store.add(d0, a + 6, a + 13, "date_range")  # overlaps, and is brat-safe already
    folder = tmp_path / "brat"
    code, _, err = run(capsys, "export", "--format", "brat", "-o", str(folder))
    assert code == 0 and "1 overlapping annotations: annotation.conf declares <OVERLAP>" in err
    assert "1 notes with line breaks or tabs flattened" in err
    conf = (folder / "annotation.conf").read_text()
    assert "<OVERLAP>" in conf.split("[relations]")[1].split("[events]")[0]
    entities = conf.split("[entities]")[1].split("[relations]")[0].split()
    assert sorted(entities) == ["date_range", "date_range_2"]
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(folder), "--db", str(fresh))
    assert code == 0, err
    with AnnotationStore.open(fresh, corpus=corpus) as store:
        assert sorted(r["tag"] for r in store.all()) == ["date range", "date_range"]
    # Lines brat has and we do not store are counted, and a discontinuous span is not merged.
    ann = next(folder.glob("*.ann"))
    b = d0.text.index("Minsk")
    ann.write_text(
        ann.read_text()
        + f"T9\tLocation {b} {b + 2};{b + 3} {b + 5}\tMi sk\n"
        + "R1\tRel Arg1:T1 Arg2:T2\nE1\tEvent:T1\nA1\tNeg T1\nN1\tRef T1 Wiki:1\n*\tEquiv T1 T2\n"
        + "#9\tAnnotatorNotes R1\tabout the relation\n"
    )
    other = tmp_path / "other.json"
    code, out, err = run(capsys, "import", str(folder), "--db", str(other))
    assert code == 0 and "imported 2 annotations" in out and "7 skipped" in out, (out, err)
    for kind in ("relation", "event", "attribute", "normalization", "equivalence", "note on a non-span"):
        assert f"1 {kind} lines: not taken" in err
    assert "discontinuous span" in err


def test_doccano_export_warns_of_overlaps_and_import_reports_comments(env, capsys, corpus, tmp_path) -> None:
    seed_records(corpus, env)  # "Pavel Grachev" and "Grachev" overlap
    target = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "export", "--format", "doccano", "-o", str(target))
    assert code == 0 and "doccano: 1 annotations overlap another" in err and "Allow overlapping spans" in err
    text = corpus.get(SEED_001).text
    at = text.index("Igor Sergeev")
    line = {"text": text, "label": [[at, at + 12, "PERSON"]], "Comments": ["check the rank", "ok"]}
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(line) + "\n")
    fresh = tmp_path / "fresh.json"
    code, out, err = run(capsys, "import", str(path), "--format", "doccano", "--db", str(fresh))
    assert code == 0 and "imported 1 annotation " in out and "2 document comments: not taken" in err
