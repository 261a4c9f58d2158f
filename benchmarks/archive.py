"""Archive-scale figures: a generated corpus of 100,000 dispatches, measured as whole processes.

    python benchmarks/archive.py [--n 100000] [--dir /tmp/dispatch-archive]

Generates (once; reused while its marker file matches ``--n``) nested folders of news-like
dispatches (about 2.5 KB each, distinct text per file: sentences recombined from the seeds,
names and places drawn from a pool of 20,000 generated surnames, numbers and dates), then
times ``reader index`` from nothing, ``show``, ``search`` beside ``grep -rlF`` on the same
files, ``list --json``, and the app's start and keystrokes, each with its peak resident
memory. Prints each figure beside its target.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import print_table, report  # noqa: E402


def generate(root: Path, n: int, seed: int = 11) -> None:
    from reader.corpus import load_corpus
    from reader.segments import sentence_spans

    marker = root / ".generated"
    if marker.exists() and marker.read_text() == str(n):
        return
    if root.exists():
        shutil.rmtree(root)
    seeds = load_corpus(ROOT / "seeds")
    sentences = [d.text[s.start : s.end] for d in seeds for s in sentence_spans(d.text)[3:]]
    rng = random.Random(seed)
    syll = [
        "ka",
        "ro",
        "vin",
        "sky",
        "mar",
        "tel",
        "ov",
        "ich",
        "an",
        "berg",
        "son",
        "ley",
        "to",
        "ne",
        "dal",
    ]
    surnames = sorted(
        {"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(30000)}
    )
    given = ["Gordon", "Pavel", "Anna", "Igor", "Maria", "John", "Olga", "Tony", "Elena", "Viktor", "Sara"]
    places = ["Prague", "Minsk", "Moscow", "Kyiv", "Vilnius", "Riga", "Warsaw", "London", "Tallinn", "Baku"]
    agencies = ["RFE/RL", "Monitor", "Reuters", "AP", "Interfax", "ITAR-TASS"]
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
    ]
    t0 = time.perf_counter()
    for i in range(n):
        folder = root / f"{1990 + i % 12}" / f"{1 + (i // 12) % 12:02d}" / f"{1 + (i // 144) % 28:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        person = f"{rng.choice(given)} {rng.choice(surnames)}"
        other = f"{rng.choice(given)} {rng.choice(surnames)}"
        place = rng.choice(places)
        paras = []
        words = 0
        while words < 380:
            picked = [rng.choice(sentences) for _ in range(rng.randint(2, 4))]
            extra = (
                f"{person} said on {rng.choice(months)} {rng.randint(1, 28)} that {rng.randint(2, 900)} "
                f"officials met {other} in {rng.choice(places)}."
            )
            para = " ".join([*picked, extra])
            words += len(para.split())
            paras.append(para)
        text = (
            f"{person} Meets {other} In {place}\n\n{place}, {rng.choice(months)} {rng.randint(1, 28)} "
            f"({rng.choice(agencies)}) -- " + "\n\n".join(paras) + "\n"
        )
        (folder / f"d{i:06d}.txt").write_text(text, encoding="utf-8")
        if i % 10000 == 9999:
            print(f"  generated {i + 1:,} in {time.perf_counter() - t0:.0f} s", flush=True)
    marker.write_text(str(n))


def timed(
    argv: list[str],
    *,
    stdout: object = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> tuple[float, float, str]:
    """(seconds, peak resident MB, stderr) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)  # type: ignore[arg-type]
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{argv} failed ({proc.returncode}): {err[-500:]}")
    return seconds, usage.ru_maxrss / 1024, err


APP_SCRIPT = """
import asyncio, sys, time
t0 = time.perf_counter()
from reader.config import load_settings
from reader.tui.app import make_app
from reader.tui.widgets.dispatch_table import DispatchTable

async def main():
    app = make_app(load_settings(corpus=[sys.argv[1]], catalog=sys.argv[2], db=sys.argv[3]))
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            tables = app.screen.query(DispatchTable)
            if tables and len(tables.first().rows) > 0:
                break
            await asyncio.sleep(0.005)
        await pilot.pause()
        painted = time.perf_counter() - t0
        results = [painted]
        async def median_keystroke(opening, text):
            await pilot.press(*opening)
            keys = []
            for ch in text:
                k0 = time.perf_counter()
                await pilot.press(ch)
                keys.append(time.perf_counter() - k0)
            return sorted(keys)[len(keys) // 2]

        if len(sys.argv) > 4:
            results.append(await median_keystroke(["slash"], sys.argv[4]))
            results.append(await median_keystroke(["escape", "escape", "f"], sys.argv[4]))
        print(" ".join(f"{r:.4f}" for r in results))
        app.exit()

asyncio.run(main())
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "dispatch-archive"))
    parser.add_argument(
        "--reuse-catalog",
        action="store_true",
        help="keep the catalog an earlier run built and skip timing the index (the other figures only)",
    )
    args = parser.parse_args(argv)
    base = Path(args.dir)
    corpus = base / f"corpus-{args.n}"
    print(f"== archive: {args.n:,} dispatches in {corpus}", flush=True)
    generate(corpus, args.n)
    size = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
    print(f"  corpus: {size:.0f} MB", flush=True)
    work = base / "work"
    cat, db = work / "catalog.sqlite", work / "db.json"
    reuse = args.reuse_catalog and cat.exists()
    if reuse:
        for leftover in work.iterdir():
            if not leftover.name.startswith(cat.name):
                leftover.unlink()
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    reader = [sys.executable, "-m", "reader"]
    common = ["--corpus", str(corpus), "--catalog", str(cat), "--db", str(db)]
    peaks: list[float] = []

    if reuse:
        print(f"  index: not timed, reusing {cat} ({cat.stat().st_size / 1e6:.0f} MB)", flush=True)
    else:
        seconds, peak, _ = timed([*reader, "index", *common])
        peaks.append(peak)
        report(f"reader index from nothing, {args.n:,} dispatches (s)", seconds, "s", 180)
        print(f"  catalog: {cat.stat().st_size / 1e6:.0f} MB; index peak {peak:.0f} MB", flush=True)

    some_id = (
        next(p for p in corpus.rglob(f"d{min(args.n - 1, 12345):06d}.txt"))
        .relative_to(corpus)
        .with_suffix("")
        .as_posix()
    )
    runs = [timed([*reader, "show", some_id, "--plain", *common]) for _ in range(3)]
    peaks.extend(r[1] for r in runs)
    report("reader show ID, whole process, median (s)", statistics.median(r[0] for r in runs), "s", 1.0)

    for phrase in ("Gordon Kavinsky", "joint military"):
        ours = [timed([*reader, "search", phrase, "--limit", "20", *common]) for _ in range(3)]
        peaks.extend(r[1] for r in ours)
        grep = [timed(["grep", "-rlF", phrase, str(corpus)], ok_codes=(0, 1)) for _ in range(3)]
        o, g = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in grep)
        print(f"  search {phrase!r}: {ours[0][2].strip()}; grep -rlF {g:.2f} s", flush=True)
        report(f"reader search {phrase!r}, whole process (s)", o, "s", 1.5)
        report(f"reader search {phrase!r} / grep -rlF, same run (x)", o / g, "x", 3)

    tag_db = ["--corpus", str(corpus), "--catalog", str(cat), "--db", str(work / "tag-all.json")]
    with open(work / "tag-all.txt", "w") as out:
        seconds, peak, _ = timed([*reader, "tag-all", "Kavinsky", "--tag", "PERSON", *tag_db], stdout=out)
    peaks.append(peak)
    print(f"  tag-all: {(work / 'tag-all.txt').read_text().strip()}", flush=True)
    report("reader tag-all NAME over the archive, whole process (s)", seconds, "s", 2)

    with open(work / "list.json", "w") as out:
        seconds, peak, _ = timed([*reader, "list", "--json", *common], stdout=out)
    peaks.append(peak)
    report("reader list --json > file, whole process (s)", seconds, "s", 5)

    seeds_cat = work / "seeds.sqlite"
    seed_start = [
        float(
            subprocess.run(
                [sys.executable, "-c", APP_SCRIPT, str(ROOT / "seeds"), str(seeds_cat), str(db)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[0]
        )
        for _ in range(3)
    ]
    out = [
        subprocess.run(
            [sys.executable, "-c", APP_SCRIPT, str(corpus), str(cat), str(db), "Kavinsky"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(3)
    ]
    big = statistics.median(float(o[0]) for o in out)
    report("app: start to library painted (s)", big, "s", 2)
    report("app: start ratio to the two seeds, same run (x)", big / statistics.median(seed_start), "x", 2)
    report(
        "app: library filter keystroke, median (ms)",
        statistics.median(float(o[1]) for o in out) * 1000,
        "ms",
        100,
    )
    report(
        "app: corpus-find keystroke, median (ms)",
        statistics.median(float(o[2]) for o in out) * 1000,
        "ms",
        100,
    )
    report("peak resident memory of any command above (MB)", max(peaks), "MB", 400)
    return 0 if print_table() else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
