"""Team figures for ``benchmarks/run.py team``.

* ``reader agreement`` as a whole process (start, store open, texts, figures) over 10
  annotators x 1,000 dispatches x 20 annotations each: 200,000 records in a store file,
  the 1,000 dispatches as files with their catalog built beforehand.
* The curation screen opening on a dispatch with 10 annotators' versions (headless app).

Annotations are made the way a team disagrees: each annotator starts from one shared set of
spans per dispatch and drops, re-tags or stretches some of them.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ANNOTATORS = 10
DISPATCHES = 1_000
PER_DISPATCH = 20
TAGS = ["PERSON", "ORG", "GPE", "LOC", "DATE", "claim", "event", "quote"]


def team_records(corpus: Any, annotators: int, per_dispatch: int, seed: int = 3) -> list[dict[str, Any]]:
    from reader.segments import word_spans
    from reader.store import make_record

    rng = random.Random(seed)
    records = []
    for d in corpus:
        words = word_spans(d.text)
        truth = []
        for _ in range(per_dispatch):
            i = rng.randrange(len(words) - 3)
            truth.append((words[i].start, words[i + rng.randint(0, 2)].end, rng.choice(TAGS)))
        for a in range(annotators):
            for start, end, tag in truth:
                roll = rng.random()
                if roll < 0.1:
                    tag = rng.choice(TAGS)
                elif roll < 0.2:
                    end = end + rng.randint(1, 4)  # a span stretched a little
                records.append(make_record(d, start, min(end, len(d.text)), tag, "", f"annotator{a:02d}"))
    return records


def bench_team(report: Any, synthetic_corpus: Any) -> None:
    from reader.store import AnnotationStore

    corpus = synthetic_corpus(DISPATCHES, seed=11)
    records = team_records(corpus, ANNOTATORS, PER_DISPATCH)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        for d in corpus:
            path = root / f"{d.id}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(d.text, encoding="utf-8")
        db = Path(tmp) / "team.json"
        with AnnotationStore.open(db, annotator="bench") as store:
            store.put_many(records)
        env = {
            **os.environ,
            "READER_CORPUS": str(root),
            "READER_DB": str(db),
            "READER_CATALOG": f"{tmp}/cat.db",
        }
        reader = [sys.executable, "-m", "reader"]
        subprocess.run([*reader, "index"], env=env, check=True, capture_output=True)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            done = subprocess.run([*reader, "agreement"], env=env, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            if done.returncode != 0:
                raise SystemExit(f"reader agreement failed: {done.stderr[-500:]}")
        print(f"  {len(records):,} records by {ANNOTATORS} annotators; {done.stdout.splitlines()[0]}")
        report("reader agreement, 200,000 records, 10 annotators (s, median of 3)", sorted(times)[1], "s", 5)
    asyncio.run(_curation_open(report, corpus))


async def _curation_open(report: Any, corpus: Any) -> None:
    from reader.config import load_settings
    from reader.corpus import Corpus
    from reader.store import AnnotationStore
    from reader.tui.app import make_app
    from reader.tui.screens.curation import CurationScreen

    one = Corpus([corpus.dispatches[0]])
    store = AnnotationStore.in_memory(corpus=one, annotator="bench")
    store.put_many(team_records(one, ANNOTATORS, PER_DISPATCH, seed=5))
    app = make_app(load_settings(env={}), store=store, corpus=one)
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(5):
            t = time.perf_counter()
            screen = CurationScreen(one.dispatches[0])
            await app.push_screen(screen)
            await pilot.pause()  # mounted, listed and painted: the app is idle again
            times.append(time.perf_counter() - t)
            units = len(screen.units)
            app.pop_screen()
            await pilot.pause()
    print(f"  one dispatch, {ANNOTATORS} annotators' {ANNOTATORS * PER_DISPATCH} annotations: {units} units")
    report("curation screen: open a dispatch with 10 annotators (s, median of 5)", sorted(times)[2], "s", 0.3)
