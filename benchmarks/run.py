"""The benchmark runner: builds realistic synthetic data and prints each figure beside its target.

    python benchmarks/run.py            # everything
    python benchmarks/run.py store ner  # some sections

Sections: store (add() latency with 100,000 annotations over 1,000 dispatches; export of
100,000), ner (recognizer throughput and cold start), reanchor, corpus (the archive figures
of benchmarks/archive.py: 100,000 generated dispatches), app (the TUI, headless), team
(agreement over 200,000 records by 10 annotators; the curation screen opening).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import print_table, report  # noqa: E402
from reader.corpus import Corpus, load_corpus, make_dispatch  # noqa: E402


def synthetic_corpus(n: int, seed: int = 7, words: int = 600) -> Corpus:
    """``n`` news-like dispatches (~600 words) recombined from the seed sentences."""
    from reader.segments import sentence_spans

    seeds = load_corpus(ROOT / "seeds")
    sentences = [d.text[s.start : s.end] for d in seeds for s in sentence_spans(d.text)[3:]]
    rng = random.Random(seed)
    dispatches = []
    for i in range(n):
        paras = []
        count = 0
        while count < words:
            para = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            count += len(para.split())
            paras.append(para)
        text = f"Dispatch {i}\n\nPrague, May {1 + i % 28} (RFE/RL) -- " + "\n\n".join(paras) + "\n"
        dispatches.append(make_dispatch(f"gen/{i:05d}", f"gen/{i:05d}.txt", text))
    return Corpus(dispatches)


def bench_store() -> None:
    from reader.export import build_export, dumps_export
    from reader.store import AnnotationStore, make_record

    corpus = synthetic_corpus(1000)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "annotations.json"
        store = AnnotationStore.open(path, corpus=corpus, annotator="bench")
        batch = []
        for d in corpus:
            for _ in range(100):
                start = rng.randrange(0, len(d.text) - 80)
                batch.append(
                    make_record(
                        d,
                        start,
                        start + rng.randint(5, 80),
                        rng.choice(["event", "claim", "PERSON"]),
                        "note",
                        "bench",
                    )
                )
            if len(batch) >= 5000:
                store.put_many(batch)
                batch = []
        store.put_many(batch)
        store.checkpoint()
        print(f"  store: {len(store):,} annotations, {path.stat().st_size / 1e6:.1f} MB", flush=True)
        times = []
        for _ in range(300):
            d = corpus.dispatches[rng.randrange(len(corpus))]
            start = rng.randrange(0, len(d.text) - 50)
            t0 = time.perf_counter()
            store.add(d, start, start + 30, "event", "bench note")
            times.append(time.perf_counter() - t0)
        report(
            "add(): median per add, 100k stored, fsync'd (ms)",
            statistics.median(times) * 1000,
            "ms",
            10,
        )
        report(
            "add(): 95th percentile (ms, checkpoints included)",
            sorted(times)[int(len(times) * 0.95)] * 1000,
            "ms",
            50,
        )
        t0 = time.perf_counter()
        reopened = AnnotationStore.open(path, corpus=corpus)
        report("open a store of 100k annotations (s)", time.perf_counter() - t0, "s", 2)
        t0 = time.perf_counter()
        text = dumps_export(build_export(corpus, reopened.all()))
        elapsed = time.perf_counter() - t0
        assert json.loads(text)["dispatches"]
        report("export 100k annotations to JSON (s)", elapsed, "s", 3)
        reopened.close()
        store.close()


def bench_ner() -> None:
    """Cold start and throughput of the default backend (the learned model with the rules'
    dates and numbers), dispatch by dispatch as the catalog runs it; the rules beside it."""
    code = (
        "import time; t=time.perf_counter(); from reader.recognizer import recognize; "
        "recognize('Pavel Grachev met NATO in Moscow on May 15.', 'model'); print(time.perf_counter()-t)"
    )
    cold = min(
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
            ).stdout
        )
        for _ in range(3)
    )
    report("import the recognizer + first call (s)", cold, "s", 0.3)
    bench_ner_quality()
    from reader.ner.model import PACKAGED
    from reader.recognizer import recognize, recognize_many

    report("model data in the wheel (MB)", PACKAGED.stat().st_size / 1e6, "MB", 20)
    corpus = synthetic_corpus(1000, seed=3)
    texts = [d.text for d in corpus]
    size_mb = sum(len(t.encode()) for t in texts) / 1e6
    for backend, target in (("model", 1.0), ("rules", None)):
        recognize(texts[0], backend)
        t0 = time.perf_counter()
        found = sum(len(recognize(t, backend)) for t in texts)
        elapsed = time.perf_counter() - t0
        print(f"  {backend}: {size_mb:.1f} MB in {len(texts)} dispatches, {found:,} entities", flush=True)
        if target is None:
            print(f"  rules throughput, one core: {size_mb / elapsed:.2f} MB/s (for comparison)")
        else:
            report(
                f"{backend} throughput, one core, a text at a time (MB/s)",
                size_mb / elapsed,
                "MB/s",
                target,
                lower_is_better=False,
            )
    # The index's path: a worker recognizes its batch of texts together.
    t0 = time.perf_counter()
    batches = [texts[i : i + 256] for i in range(0, len(texts), 256)]
    batched = sum(len(found) for batch in batches for found in recognize_many(batch))
    elapsed = time.perf_counter() - t0
    print(f"  model, batches of 256: {batched:,} entities (the same texts)", flush=True)
    rate = size_mb / elapsed
    report("model throughput, one core, batched (MB/s)", rate, "MB/s", 1.0, lower_is_better=False)


def bench_ner_quality() -> None:
    """Entity F1 (exact spans, names) of the default backend beside the targets: news from
    elsewhere (UNER PUD's news half, in the repository; NIST IE-ER where READER_IEER names
    its folder) and CoNLL-2003's test split where READER_CONLL_TEST names the file (their
    terms keep both out of the repository; the README says where they come from)."""
    from benchmarks.ner_eval import DEFAULT_SETS, load_any, names_f1

    news = DEFAULT_SETS["UNER English PUD, news"]()
    report("entity F1, other news: UNER PUD news half (exact)", names_f1(news, "model"), "", 0.75, False)
    ieer = os.environ.get("READER_IEER")
    if ieer:
        files = sorted(p for p in Path(ieer).iterdir() if p.name[:3] in ("APW", "NYT"))
        docs = [doc for path in files for doc in load_any(path)]
        report("entity F1, other news: NIST IE-ER 1998 (exact)", names_f1(docs, "model"), "", 0.75, False)
    conll = os.environ.get("READER_CONLL_TEST")
    if conll:
        report(
            "entity F1, CoNLL-2003 test (exact)", names_f1(load_any(Path(conll)), "model"), "", 0.82, False
        )
    if not (ieer and conll):
        print("  (READER_CONLL_TEST=test.txt and READER_IEER=ieer/ add CoNLL-2003 test and NIST IE-ER)")


def bench_reanchor() -> None:
    from reader.check import check_records
    from reader.store import make_record

    text = "\n\n".join(d.text for d in synthetic_corpus(260, seed=13))[:1_000_000]
    before = make_dispatch("long/one", "long.txt", text)
    rng = random.Random(2)
    records = []
    for _ in range(1000):
        start = rng.randrange(0, len(text) - 200)
        while not text[start].isalnum() or text[start - 1].isalnum():
            start += 1
        end = start + rng.randint(12, 120)
        records.append(make_record(before, start, end, "claim", "", "bench"))
    # Edits a wire correction would make: a new paragraph on top, 200 one-word changes.
    edited = "CORRECTION: this dispatch replaces an earlier version.\n\n" + text
    for _ in range(200):
        at = rng.randrange(0, len(edited) - 10)
        edited = edited[:at] + "x" + edited[at + 1 :]
    after = make_dispatch("long/one", "long.txt", edited)
    t0 = time.perf_counter()
    result = check_records(records, Corpus([after]))
    elapsed = time.perf_counter() - t0
    states = {
        s: sum(1 for f in result.findings if f.state == s) for s in ("anchored", "moved", "fuzzy", "orphaned")
    }
    print(f"  re-anchor: {states}", flush=True)
    report("re-anchor 1,000 annotations on an edited 1 MB dispatch (s)", elapsed, "s", 1.0)


def bench_corpus() -> None:
    """The corpus at archive scale: see benchmarks/archive.py (whole processes, 100,000 files)."""
    from benchmarks.archive import main as archive_main  # type: ignore[import-not-found]

    archive_main([])


SECTIONS: dict[str, Callable[[], None]] = {
    "store": bench_store,
    "ner": bench_ner,
    "reanchor": bench_reanchor,
    "corpus": bench_corpus,
}


def main(argv: list[str]) -> int:
    try:
        from benchmarks.app_bench import bench_app  # type: ignore[import-not-found]

        SECTIONS["app"] = bench_app
    except ImportError:
        pass
    from benchmarks.team_bench import bench_team  # type: ignore[import-not-found]

    SECTIONS["team"] = lambda: bench_team(report, synthetic_corpus)
    chosen = argv or list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        print(f"usage: python benchmarks/run.py [{' | '.join(SECTIONS)}] ...", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"== {name}", flush=True)
        SECTIONS[name]()
    return 0 if print_table() else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
