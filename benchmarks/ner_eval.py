"""Evaluate an entity recognizer against gold files: precision, recall, F1 per label.

    python benchmarks/ner_eval.py benchmarks/gold/heldout.json [more gold files] [--ner rules]

Exact span matching: an entity counts when start, end and label all agree.

Gold formats:

* JSON: ``{"documents": [{"id", "text" | "file", "entities": [...]}]}``. ``file`` is relative
  to the gold file. Each entity is ``{"start", "end", "label"}`` or ``{"text", "label"}``;
  the second form lists every mention in document order and is located by searching
  forward from the previous one, which keeps hand-written gold readable.
* CoNLL (``.conll``/``.txt``): one ``token label`` per line with IOB2 labels, blank lines
  between sentences, ``-DOCSTART-`` between documents; the text is the tokens joined by
  single spaces.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.corpus import normalise  # noqa: E402
from reader.recognizer import recognize  # noqa: E402

Span = tuple[int, int, str]


def load_json(path: Path) -> list[tuple[str, str, list[Span]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = []
    for doc in data["documents"]:
        if "file" in doc:
            text = normalise((path.parent / doc["file"]).read_text(encoding="utf-8-sig"))
        else:
            text = normalise(doc["text"])
        spans: list[Span] = []
        cursor = 0
        for ent in doc["entities"]:
            if "start" in ent:
                spans.append((ent["start"], ent["end"], ent["label"]))
                continue
            at = _find_word(text, ent["text"], cursor)
            if at < 0:
                raise SystemExit(
                    f"{path}: {doc['id']}: gold mention {ent['text']!r} not found after offset {cursor}"
                )
            spans.append((at, at + len(ent["text"]), ent["label"]))
            cursor = at + len(ent["text"])
        docs.append((doc["id"], text, spans))
    return docs


def _find_word(text: str, needle: str, start: int) -> int:
    """Next occurrence of ``needle`` that does not start or end inside a word."""
    at = text.find(needle, start)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(needle)] if at + len(needle) < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return at
        at = text.find(needle, at + 1)
    return -1


def load_conll(path: Path) -> list[tuple[str, str, list[Span]]]:
    docs: list[tuple[str, str, list[Span]]] = []
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if not tokens:
            return
        text, spans, pos, current = "", [], 0, None
        for token, tag in tokens:
            if text:
                text += " "
                pos += 1
            start, text, pos = pos, text + token, pos + len(token)
            if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[2] != tag[2:])):
                if current:
                    spans.append(current)
                current = (start, pos, tag[2:])
            elif tag.startswith("I-") and current:
                current = (current[0], pos, current[2])
            else:
                if current:
                    spans.append(current)
                current = None
        if current:
            spans.append(current)
        docs.append((f"{path.name}#{len(docs) + 1}", text, spans))
        tokens.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            flush()
            continue
        parts = line.split()
        if len(parts) >= 2:
            tokens.append((parts[0], parts[-1]))
    flush()
    return docs


def evaluate(docs: list[tuple[str, str, list[Span]]], backend: str) -> dict[str, Counter[str]]:
    stats: dict[str, Counter[str]] = {}
    gold_labels = {label for _, _, spans in docs for _, _, label in spans}
    for _, text, gold in docs:
        predicted = {(e.start, e.end, e.label) for e in recognize(text, backend) if e.label in gold_labels}
        expected = set(gold)
        for label in gold_labels:
            c = stats.setdefault(label, Counter())
            p = {s for s in predicted if s[2] == label}
            g = {s for s in expected if s[2] == label}
            c["tp"] += len(p & g)
            c["fp"] += len(p - g)
            c["fn"] += len(g - p)
    return stats


def prf(c: Counter[str]) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


NAMES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="+", help="gold JSON or CoNLL files")
    parser.add_argument("--ner", default="rules", help="backend: rules or spacy:<pipeline>")
    args = parser.parse_args(argv)
    docs = []
    for name in args.gold:
        path = Path(name)
        docs.extend(load_json(path) if path.suffix == ".json" else load_conll(path))
    stats = evaluate(docs, args.ner)
    print(f"{len(docs)} documents, {sum(len(s) for _, _, s in docs)} gold entities, backend {args.ner}\n")
    print(f"{'label':<10} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for label in sorted(stats, key=lambda lab: -(stats[lab]["tp"] + stats[lab]["fn"])):
        c = stats[label]
        p, r, f = prf(c)
        print(f"{label:<10} {c['tp'] + c['fn']:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    for title, labels in (("names", [lab for lab in stats if lab in NAMES]), ("all", list(stats))):
        total: Counter[str] = Counter()
        for lab in labels:
            total.update(stats[lab])
        p, r, f = prf(total)
        print(f"{title + ' (micro)':<16} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
