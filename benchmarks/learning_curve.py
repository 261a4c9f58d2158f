"""Does ``reader learn`` help on a new kind of text? A learning curve.

    python benchmarks/learning_curve.py [--train FILE --test FILE] [--per 10] [--sizes 0,5,20,50]

A user corrects the entities of N dispatches of a kind the packaged model was not trained
on, then runs ``reader learn``; we measure F1 on other dispatches of that kind, which the
personal model never saw. The corrections are what a user leaves after fixing a dispatch:
every entity of the gold annotation with its label, and a rejection of every span the model
found where the gold has none. Training is :func:`reader.ner.learn.personal_model`, the
step ``reader learn`` runs; the base is the packaged model.

The text: WNUT-17 (Derczynski et al., 2017, "Results of the WNUT2017 Shared Task on Novel
and Emerging Entity Recognition"), user-generated posts (Twitter, Reddit, YouTube,
StackExchange), CC BY 4.0; ``benchmarks/data/wnut17/SOURCE.md`` says where the copies come
from. Its training file gives the corrected dispatches (``--per`` posts to a dispatch, the
first N dispatches); its test file is the judge. Labels fold into CoNLL's four: person PER;
location LOC; corporation and group ORG; product and creative-work MISC. Exact spans.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ner_eval import CONLL_FOLD, prf, tally  # noqa: E402
from reader.ner.learn import Correction, personal_model  # noqa: E402
from reader.ner.model import TaggerModel, packaged_model, read_model  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "wnut17"
WNUT_FOLD = {
    "person": "PER",
    "location": "LOC",
    "corporation": "ORG",
    "group": "ORG",
    "product": "MISC",
    "creative-work": "MISC",
}
TEACH = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "MISC"}
"""The label a user would give each folded class in the app."""

Span = tuple[int, int, str]
Document = tuple[str, list[Span]]


def read_posts(path: Path) -> list[list[tuple[str, str]]]:
    """Posts of a CoNLL file (token, tag per line; a blank or whitespace line between)."""
    posts: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            if current:
                posts.append(current)
                current = []
            continue
        current.append((parts[0], parts[-1]))
    if current:
        posts.append(current)
    return posts


def dispatches(posts: list[list[tuple[str, str]]], per: int) -> list[Document]:
    """``per`` posts to a dispatch, a line each; gold spans folded to CoNLL's four."""
    out: list[Document] = []
    for k in range(0, len(posts), per):
        text, spans = "", []
        for post in posts[k : k + per]:
            if text:
                text += "\n"
            open_: Span | None = None
            for i, (token, tag) in enumerate(post):
                if i:
                    text += " "
                start = len(text)
                text += token
                kind = WNUT_FOLD.get(tag[2:], "") if tag != "O" else ""
                if open_ and tag.startswith("I-") and kind == open_[2]:
                    open_ = (open_[0], len(text), kind)
                    continue
                if open_:
                    spans.append(open_)
                open_ = (start, len(text), kind) if kind else None
            if open_:
                spans.append(open_)
        out.append((text + "\n", spans))
    return out


def found(model: TaggerModel, text: str) -> set[Span]:
    return {(e.start, e.end, CONLL_FOLD[e.label]) for e in model.tag(text) if e.label in CONLL_FOLD}


def score(model: TaggerModel, docs: list[Document]) -> tuple[float, dict[str, float]]:
    """Micro F1 over names, and F1 per class."""
    counts: dict[str, Counter[str]] = {}
    for text, gold in docs:
        tally(counts, found(model, text), set(gold), ("PER", "ORG", "LOC", "MISC"))
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    return prf(total)[2], {label: prf(c)[2] for label, c in counts.items()}


def corrections(model: TaggerModel, doc: Document) -> list[Correction]:
    """What a user leaves after fixing a dispatch: the gold entities, and a rejection of
    every span the model found that overlaps none of them."""
    text, gold = doc
    out = [Correction(s, e, TEACH[label]) for s, e, label in gold]
    for e in model.tag(text):
        if not any(e.start < g[1] and g[0] < e.end for g in gold):
            out.append(Correction(e.start, e.end, None))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=DATA / "wnut17train.conll")
    parser.add_argument("--test", type=Path, default=DATA / "emerging.test.annotated")
    parser.add_argument("--per", type=int, default=10, help="posts to a dispatch (default 10)")
    parser.add_argument("--sizes", default="0,5,20,50", help="corrected dispatches, comma-separated")
    parser.add_argument("--epochs", type=int, default=8, help="as reader learn (default 8)")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="judge on the training file's last 60 dispatches (never corrected), not the test file: "
        "for choosing settings",
    )
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    pool = dispatches(read_posts(args.train), args.per)
    if args.dev:
        pool, judge = pool[:-60], pool[-60:]
    else:
        judge = dispatches(read_posts(args.test), args.per)
    base = packaged_model()
    print(
        f"learning curve: {len(judge)} test dispatches ({sum(len(g) for _, g in judge)} entities), "
        f"{args.per} posts each; corrections from the first N of {len(pool)} training dispatches"
    )
    print(
        f"{'N':>4} {'posts':>6} {'corrections':>12} {'F1':>6} "
        + " ".join(f"{lab:>6}" for lab in ("PER", "ORG", "LOC", "MISC"))
        + f" {'learn s':>8}"
    )
    first = None
    for n in sizes:
        if n == 0:
            model, taught, elapsed = base, 0, 0.0
        else:
            docs = [(text, corrections(base, (text, gold))) for text, gold in pool[:n]]
            taught = sum(len(c) for _, c in docs)
            t0 = time.perf_counter()
            model = read_model(personal_model(base, docs, args.epochs), "personal model")
            elapsed = time.perf_counter() - t0
        f1, per_label = score(model, judge)
        first = f1 if first is None else first
        labels = " ".join(f"{per_label[lab]:>6.3f}" for lab in ("PER", "ORG", "LOC", "MISC"))
        print(f"{n:>4} {n * args.per:>6} {taught:>12} {f1:>6.3f} {labels} {elapsed:>8.1f}", flush=True)
    if len(sizes) > 1 and first is not None:
        verdict = "met" if f1 > first else "MISSED"
        print(
            f"F1 after {sizes[-1]} corrected dispatches vs none: {f1:.3f} vs {first:.3f}  "
            f"target: higher  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
