"""Evaluate entity recognizers against gold files: precision, recall, F1 per label.

    python benchmarks/ner_eval.py [GOLD ...] [--ner model --ner rules ...]

Without GOLD, every gold set the repository holds is read (``DEFAULT_SETS``: the project's
own gold, Universal NER's English PUD in its news and Wikipedia halves, WNUT-17's test
file); without ``--ner``, every backend available (the model, the rules, spaCy's small
English pipeline when it is installed). Each set's per-label table is printed for each
backend, then one table of the sets against the backends, exact F1 with partial F1 beside
it. Gold whose licence keeps it out of the repository (CoNLL-2003's test split, NIST's
IE-ER) is passed as files; the README says where each comes from.

Exact span matching: an entity counts when start, end and label all agree; the partial
column counts a predicted span that overlaps a gold span of the same label. On CoNLL gold
(PER/ORG/LOC/MISC) the OntoNotes labels are folded into those four (``CONLL_FOLD``).

Gold formats:

* JSON: ``{"documents": [{"id", "text" | "file", "entities": [...]}]}``. ``file`` is relative
  to the gold file. Each entity is ``{"start", "end", "label"}`` or ``{"text", "label"}``;
  the second form lists every mention in document order and is located by searching
  forward from the previous one, which keeps hand-written gold readable.
* CoNLL (``.conll``/``.txt``): one ``token label`` per line with IOB2 labels, blank lines
  between sentences, ``-DOCSTART-`` between documents; the text is the tokens joined by
  single spaces.
* Universal NER (``.iob2``): CoNLL-U-like columns (id, token, IOB2 label, ...) under
  ``# newdoc id``, ``# sent_id`` and ``# text`` comments. The text is the sentences'
  ``# text`` lines of a document joined by spaces, so the spacing is the original's; each
  token is located in its sentence's text. ``--docs PREFIX`` keeps the documents whose id
  starts with PREFIX (in English PUD, ``n`` is news and ``w`` Wikipedia).
* NIST 1999 IE-ER (a file with no suffix holding ``<DOC>`` elements, as NLTK's ``ieer``
  corpus has them): each document's ``<TEXT>`` as written, its ``<b_enamex type=...>``
  names as PER/ORG/LOC; dates and numbers marked there are left out.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
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
    """Documents of a CoNLL file: one sentence per line. Documents split at ``-DOCSTART-``
    or, in copies without those, before the headline that precedes a dateline sentence
    ("LONDON 1996-08-22")."""
    sentences: list[list[tuple[str, str]]] = []
    doc_starts: set[int] = {0}
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if current:
                sentences.append(current)
                current = []
            if parts:
                doc_starts.add(len(sentences))
            continue
        if len(parts) >= 2:
            current.append((parts[0], parts[1] if len(parts) == 3 else parts[-1]))
    if current:
        sentences.append(current)
    for i, sent in enumerate(sentences):
        if i and 2 <= len(sent) <= 6 and _DATELINE.match(sent[-1][0]):
            doc_starts.add(i - 1)
    bounds = sorted(doc_starts) + [len(sentences)]
    docs: list[tuple[str, str, list[Span]]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        text, spans = "", []
        for sent in sentences[a:b]:
            if text:
                text += "\n"
            current_span: tuple[int, int, str] | None = None
            for k, (token, tag) in enumerate(sent):
                if k:
                    text += " "
                start = len(text)
                text += token
                end = len(text)
                kind = tag[2:]
                if tag.startswith("I-") and current_span and current_span[2] == kind:
                    current_span = (current_span[0], end, kind)
                    continue
                if current_span:
                    spans.append(current_span)
                current_span = (start, end, kind) if tag != "O" else None
            if current_span:
                spans.append(current_span)
        if text:
            docs.append((f"{path.name}#{len(docs) + 1}", text, spans))
    return docs


def load_iob2(path: Path) -> list[tuple[str, str, list[Span]]]:
    """Documents of a Universal NER file, with the original spacing of each sentence."""
    docs: list[tuple[str, str, list[Span]]] = []
    doc_id, text, spans = "", "", []
    sentence, cursor = "", 0
    current: Span | None = None

    def close_span() -> None:
        nonlocal current
        if current:
            spans.append(current)
        current = None

    def close_doc() -> None:
        close_span()
        if text:
            docs.append((doc_id or f"{path.name}#{len(docs) + 1}", text, list(spans)))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# newdoc id = "):
            close_doc()
            doc_id, text, spans = line[len("# newdoc id = ") :].strip(), "", []
        elif line.startswith("# text = "):
            close_span()
            sentence = line[len("# text = ") :]
            if text:
                text += " "
            cursor = len(text)
            text += sentence
        elif line and not line.startswith("#"):
            cols = line.split("\t")
            token, tag = cols[1], cols[2]
            at = text.find(token, cursor)
            if at < 0:
                raise SystemExit(f"{path}:{number}: token {token!r} not in its sentence's text")
            start, cursor = at, at + len(token)
            kind = tag[2:]
            if tag.startswith("I-") and current and current[2] == kind:
                current = (current[0], cursor, kind)
                continue
            close_span()
            current = (start, cursor, kind) if tag != "O" else None
        elif not line:
            close_span()
    close_doc()
    return docs


_IEER_DOC = re.compile(r"<DOCNO>\s*(\S+)\s*</DOCNO>.*?<TEXT>(.*?)</TEXT>", re.S)
_IEER_TAG = re.compile(r'<b_enamex type="([A-Z]+)">|<e_enamex>|<[be]_(?:timex|numex)[^>]*>')
_IEER_LABELS = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}


def load_ieer(path: Path) -> list[tuple[str, str, list[Span]]]:
    """Documents of a NIST IE-ER file: the text between ``<TEXT>`` tags with the markup taken
    out, and its enamex names as CoNLL labels."""
    docs: list[tuple[str, str, list[Span]]] = []
    for match in _IEER_DOC.finditer(path.read_text(encoding="utf-8", errors="replace")):
        body, text, spans = match.group(2), "", []
        opened: tuple[int, str] | None = None
        cursor = 0
        for tag in _IEER_TAG.finditer(body):
            text += body[cursor : tag.start()]
            cursor = tag.end()
            if tag.group(1):
                opened = (len(text), _IEER_LABELS.get(tag.group(1), tag.group(1)))
            elif tag.group(0) == "<e_enamex>" and opened:
                spans.append((opened[0], len(text), opened[1]))
                opened = None
        text += body[cursor:]
        docs.append((match.group(1), text, spans))
    return docs


_DATELINE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CONLL_FOLD = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "LAW": "MISC",
    "PRODUCT": "MISC",
    "MISC": "MISC",
    "FAC": "LOC",
    "WORK_OF_ART": "MISC",
    "LANGUAGE": "MISC",
}
"""OntoNotes labels folded into CoNLL-2003's four classes, for CoNLL gold."""


def evaluate(docs: list[tuple[str, str, list[Span]]], backend: str) -> dict[str, Counter[str]]:
    """Per gold label: exact ``tp``/``fp``/``fn`` and partial ``ptp``/``pfp``/``pfn`` (a
    predicted span counts when it overlaps a gold span of the same label)."""
    stats: dict[str, Counter[str]] = {}
    gold_labels = {label for _, _, spans in docs for _, _, label in spans}
    conll = gold_labels <= {"PER", "ORG", "LOC", "MISC"}
    for _, text, gold in docs:
        predicted = set()
        for e in recognize(text, backend):
            label = CONLL_FOLD.get(e.label, "") if conll else e.label
            if label in gold_labels:
                predicted.add((e.start, e.end, label))
        tally(stats, predicted, set(gold), gold_labels)
    return stats


def tally(
    stats: dict[str, Counter[str]], predicted: set[Span], expected: set[Span], labels: Iterable[str]
) -> None:
    """Add one document's exact and partial (overlap) counts per label to ``stats``."""
    for label in labels:
        c = stats.setdefault(label, Counter())
        p = {s for s in predicted if s[2] == label}
        g = {s for s in expected if s[2] == label}
        c["tp"] += len(p & g)
        c["fp"] += len(p - g)
        c["fn"] += len(g - p)
        c["ptp"] += sum(1 for s in p if any(s[0] < t[1] and t[0] < s[1] for t in g))
        c["pfp"] += sum(1 for s in p if not any(s[0] < t[1] and t[0] < s[1] for t in g))
        c["pfn"] += sum(1 for t in g if not any(s[0] < t[1] and t[0] < s[1] for s in p))


def prf(c: Counter[str], prefix: str = "") -> tuple[float, float, float]:
    tp, fp, fn = c[prefix + "tp"], c[prefix + "fp"], c[prefix + "fn"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


NAMES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT", "MISC", "PER")


def names_f1(docs: list[tuple[str, str, list[Span]]], backend: str) -> float:
    """Micro F1 over the names of ``docs``, exact spans (what :func:`report` prints as
    "names (micro)")."""
    total: Counter[str] = Counter()
    for label, counts in evaluate(docs, backend).items():
        if label in NAMES:
            total.update(counts)
    return prf(total)[2]


def default_backends() -> list[str]:
    backends = ["model", "rules"]
    try:
        import spacy

        if spacy.util.is_package("en_core_web_sm"):
            backends.append("spacy:en_core_web_sm")
    except ImportError:
        pass
    return backends


def report(stats: dict[str, Counter[str]]) -> dict[str, float]:
    """Print per-label and micro figures; return the micro F1s (exact, partial) over names."""
    print(f"{'label':<10} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} {'partial F1':>11}")
    for label in sorted(stats, key=lambda lab: -(stats[lab]["tp"] + stats[lab]["fn"])):
        c = stats[label]
        p, r, f = prf(c)
        print(f"{label:<10} {c['tp'] + c['fn']:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f} {prf(c, 'p')[2]:>11.3f}")
    figures = {}
    for title, labels in (("names", [lab for lab in stats if lab in NAMES]), ("all", list(stats))):
        total: Counter[str] = Counter()
        for lab in labels:
            total.update(stats[lab])
        p, r, f = prf(total)
        pf = prf(total, "p")[2]
        figures[title] = f
        figures[title + "-partial"] = pf
        print(f"{title + ' (micro)':<16} {p:>6.3f} {r:>6.3f} {f:>6.3f} {pf:>11.3f}")
    return figures


Doc = tuple[str, str, list[Span]]
DATA = ROOT / "benchmarks"


def _wnut_test() -> list[Doc]:
    """WNUT-17's test posts, ten to a document, labels folded to CoNLL's four (as the
    learning curve reads them)."""
    from benchmarks.learning_curve import dispatches, read_posts

    posts = read_posts(DATA / "data" / "wnut17" / "emerging.test.annotated")
    return [(f"wnut17-test#{k + 1}", text, spans) for k, (text, spans) in enumerate(dispatches(posts, 10))]


def _uner(prefix: str) -> list[Doc]:
    docs = load_iob2(DATA / "data" / "uner-en-pud" / "en_pud-ud-test.iob2")
    return [doc for doc in docs if doc[0].startswith(prefix)]


DEFAULT_SETS: dict[str, Callable[[], list[Doc]]] = {
    "own gold (heldout + seeds; written by this project)": lambda: [
        doc for name in ("heldout.json", "seeds.json") for doc in load_json(DATA / "gold" / name)
    ],
    "UNER English PUD, news": lambda: _uner("n"),
    "UNER English PUD, Wikipedia": lambda: _uner("w"),
    "WNUT-17 test (posts)": _wnut_test,
}
"""The gold sets in the repository, by name (each folder's SOURCE.md says where from)."""


def load_any(path: Path) -> list[Doc]:
    """A gold file by its form: JSON, Universal NER (``.iob2``), NIST IE-ER (no suffix,
    SGML inside), else CoNLL."""
    if path.suffix == ".json":
        return load_json(path)
    if path.suffix == ".iob2":
        return load_iob2(path)
    if not path.suffix and path.read_text(encoding="utf-8", errors="replace").lstrip().startswith("<"):
        return load_ieer(path)
    return load_conll(path)


def summary(rows: dict[str, dict[str, dict[str, float]]], backends: list[str]) -> None:
    """The sets against the backends: names, exact F1 (partial F1)."""
    print("\n| gold | " + " | ".join(backends) + " |")
    print("|---|" + "---|" * len(backends))
    for name, by_backend in rows.items():
        cells = [f"{by_backend[b]['names']:.3f} ({by_backend[b]['names-partial']:.3f})" for b in backends]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "gold", nargs="*", help="gold JSON, CoNLL, Universal NER or IE-ER files (default: every set here)"
    )
    parser.add_argument(
        "--ner",
        action="append",
        help="backend: model, rules or spacy:<pipeline>; repeat to compare (default: all available)",
    )
    parser.add_argument("--docs", metavar="PREFIX", help="only documents whose id starts with PREFIX")
    args = parser.parse_args(argv)
    sets: dict[str, list[Doc]] = {}
    if args.gold:
        docs = [doc for name in args.gold for doc in load_any(Path(name))]
        if args.docs:
            docs = [doc for doc in docs if doc[0].startswith(args.docs)]
        sets[" ".join(Path(name).name for name in args.gold)[:60]] = docs
    else:
        sets = {name: read() for name, read in DEFAULT_SETS.items()}
    backends = args.ner or default_backends()
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for name, docs in sets.items():
        for backend in backends:
            entities = sum(len(s) for _, _, s in docs)
            print(f"\n{name}: {len(docs)} documents, {entities} gold entities, backend {backend}")
            rows.setdefault(name, {})[backend] = report(evaluate(docs, backend))
    summary(rows, backends)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
