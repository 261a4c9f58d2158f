"""Train the packaged entity model: an averaged structured perceptron over BIO tags.

    python training/train_ner.py --train train.txt [more.txt ...] --dev valid.txt [--final] [--epochs N]

Inputs are files in CoNLL-2003's layout (``token TAG ...`` per line, IOB tags with
PER/ORG/LOC/MISC, blank lines between sentences: CoNLL-2003 English and WikiGold) and the
CoNLL-2012 ``*.gold_conll`` files of OntoNotes 5.0 (a folder of them, :func:`read_ontonotes`).
The README says where they come from and under which terms. Only training and development
splits are ever read here; CoNLL's test split is for ``benchmarks/ner_eval.py`` alone.

Without ``--final`` the model trains on the ``--train`` files, reports development F1 after each
epoch, and writes nothing: that is how the epoch count and features were chosen. With
``--final`` it trains on those and the development split for ``--epochs`` epochs and writes
``reader/data/ner-model.npz``. Runs are reproducible (fixed shuffling seed).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.entities import gazetteer  # noqa: E402
from reader.ner.features import TAGS, FeatureCache  # noqa: E402
from reader.ner.learn import Perceptron  # noqa: E402
from reader.ner.model import N_TAGS, model_bytes  # noqa: E402

Sentence = list[tuple[str, str]]
_DATELINE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ans|ese|ish|i|ch)$")


def read_conll(path: Path) -> list[list[Sentence]]:
    """Documents of sentences of ``(token, IOB tag)``. Documents are split at
    ``-DOCSTART-`` or, where a copy lacks those, before the headline that precedes a
    dateline sentence ("LONDON 1996-08-22")."""
    sentences: list[Sentence] = []
    current: Sentence = []
    starts: set[int] = {0}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if current:
                sentences.append(current)
                current = []
            continue
        if parts[0] == "-DOCSTART-":
            if current:
                sentences.append(current)
                current = []
            starts.add(len(sentences))
            continue
        current.append((parts[0], parts[1] if len(parts) == 3 else parts[-1]))
    if current:
        sentences.append(current)
    for i, sent in enumerate(sentences):
        if 2 <= len(sent) <= 6 and _DATELINE.match(sent[-1][0]) and i > 0:
            starts.add(i - 1)
    bounds = sorted(starts) + [len(sentences)]
    return [sentences[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


_ONTONOTES = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "NORP": "NORP",
    "EVENT": "EVENT",
    "LAW": "LAW",
    "PRODUCT": "PRODUCT",
    # Places that are not countries, cities or states, and buildings, airports, roads.
    "LOC": "PLACE",
    "FAC": "PLACE",
    # Titles of works and languages are CoNLL's MISC.
    "WORK_OF_ART": "MISC",
    "LANGUAGE": "MISC",
}
"""OntoNotes name types to the tags read here; dates, times and numbers (the rules' labels)
are left out. ``PLACE`` is the app's LOC: CoNLL's LOC is sorted into GPE and LOC below."""
_NATIVE = frozenset(_ONTONOTES.values()) - {"PLACE", "MISC"}
"""OntoNotes tags that are already the app's labels (CoNLL's ORG among them)."""
_PTB_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def _ontonotes_word(word: str) -> str:
    """A token as written: brackets unescaped, and the "/." "/?" "/-" of transcripts."""
    word = _PTB_BRACKETS.get(word, word)
    if len(word) == 2 and word[0] == "/" and not word[1].isalnum():
        word = word[1]
    return word


def read_ontonotes(path: Path) -> list[list[Sentence]]:
    """Documents (parts) of the CoNLL-2012 ``*.gold_conll`` files under ``path`` (a file or
    a folder searched recursively), skipping the Bible (``pt/``) and every document without
    a single name: those sections (most of ``wb/sel``, the ``*_c2e`` translations) were
    never annotated for names, and would teach the model that nothing is one.
    Word-internal hyphens, split off by OntoNotes, are joined back as the app's tokenizer
    reads them ("pro - democracy" is one word, labelled as its first part).

    The files are the CoNLL-2012 release of OntoNotes 5.0 with its words restored (the
    ``*.gold_conll`` files of ``conll-formatted-ontonotes-5.0``); the README says where."""
    files = [path] if path.is_file() else sorted(path.rglob("*.gold_conll"))
    docs: list[list[Sentence]] = []
    for file in files:
        doc: list[Sentence] = []
        rows: list[tuple[str, str, str]] = []
        open_label = ""
        keep = True
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.startswith("#begin"):
                doc = []
                keep = not line.startswith("#begin document (pt/")
                continue
            if line.startswith("#end"):
                if keep and any(tag != "O" for sent in doc for _, tag in sent):
                    docs.append(doc)
                continue
            parts = line.split()
            if not parts:
                if rows:
                    doc.append(_joined(rows))
                    rows = []
                continue
            word, pos, ne = _ontonotes_word(parts[3]), parts[4], parts[10]
            tag = "O"
            if ne.startswith("("):
                open_label = _ONTONOTES.get(ne.strip("()*"), "")
                tag = "B-" + open_label if open_label else "O"
            elif open_label:
                tag = "I-" + open_label
            if ne.endswith(")"):
                open_label = ""
            rows.append((word, pos, tag))
    return _possessives_left_out(docs)


_POSSESSIVE = frozenset(("'s", "'"))
_NEVER_POSSESSIVE = frozenset(("PERSON", "GPE", "PLACE", "NORP"))
"""Labels no name of which ends in a possessive."""


def _possessives_left_out(docs: list[list[Sentence]]) -> list[list[Sentence]]:
    """OntoNotes takes a name's possessive into it about a third of the time ("Hong Kong 's"
    as GPE); CoNLL-2003, the other gold sets and the app never do. A final "'s" is left out
    of a person or place, and of any other name that is a name of its own somewhere in the
    corpus ("Philip Morris"); it is kept where it is not, as in shops and agencies named
    that way ("Moody 's", "Standard & Poor 's")."""

    def names(sentence: Sentence) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for k, (_, tag) in enumerate(sentence):
            if tag.startswith("B-"):
                found.append((k, k + 1, tag[2:]))
            elif tag.startswith("I-") and found and found[-1][1] == k:
                found[-1] = (found[-1][0], k + 1, found[-1][2])
        return found

    whole: set[tuple[tuple[str, ...], str]] = set()
    for doc in docs:
        for sentence in doc:
            for a, b, label in names(sentence):
                if sentence[b - 1][0] not in _POSSESSIVE:
                    whole.add((tuple(w for w, _ in sentence[a:b]), label))
    out: list[list[Sentence]] = []
    for doc in docs:
        kept: list[Sentence] = []
        for sentence in doc:
            sentence = list(sentence)
            for a, b, label in names(sentence):
                base = tuple(w for w, _ in sentence[a : b - 1])
                if (
                    b - a > 1
                    and sentence[b - 1][0] in _POSSESSIVE
                    and (label in _NEVER_POSSESSIVE or (base, label) in whole)
                ):
                    sentence[b - 1] = (sentence[b - 1][0], "O")
            kept.append(sentence)
        out.append(kept)
    return out


def _joined(rows: list[tuple[str, str, str]]) -> Sentence:
    """Rejoin ``word HYPH word`` into one token; a name's leading "the" is left out of it,
    as CoNLL-2003 and the app do ("the Central Command" is ORG "Central Command")."""
    out: list[tuple[str, str]] = []
    glue = False
    carried = ""
    for k, (word, pos, tag) in enumerate(rows):
        if carried:
            tag, carried = carried, ""
        continues = k + 1 < len(rows) and rows[k + 1][2] == "I-" + tag[2:]
        if tag.startswith("B-") and word.lower() == "the" and continues:
            tag, carried = "O", tag
        if pos == "HYPH" and out:
            out[-1] = (out[-1][0] + word, out[-1][1])
            glue = True
        elif glue:
            out[-1] = (out[-1][0] + word, out[-1][1])
            glue = False
        else:
            out.append((word, tag))
    return out


def read_any(path: Path) -> list[list[Sentence]]:
    """OntoNotes (a folder, or a ``.gold_conll`` file), else CoNLL-2003's layout."""
    if path.is_dir() or path.suffix == ".gold_conll":
        return read_ontonotes(path)
    return read_conll(path)


def to_labels(sentence: Sentence) -> list[str]:
    """CoNLL tags to the model's: PER -> PERSON; LOC -> GPE, or LOC where the gazetteer
    says so; MISC -> NORP for nationalities, EVENT/LAW by their head word, else MISC."""
    gz = gazetteer()
    tags = [t if t == "O" else t[:2] + t[2:] for _, t in sentence]
    out = ["O"] * len(sentence)
    i = 0
    while i < len(sentence):
        tag = tags[i]
        if tag == "O":
            i += 1
            continue
        kind = tag[2:]
        j = i + 1
        while j < len(sentence) and tags[j] == "I-" + kind:
            j += 1
        words = [w for w, _ in sentence[i:j]]
        text = " ".join(words)
        if kind == "PER":
            label = "PERSON"
        elif kind == "PLACE":
            label = "LOC"
        elif kind in _NATIVE:
            label = kind
        elif kind == "LOC":
            label = "LOC" if gz.names.get(text) == "LOC" else "GPE"
        else:
            titled = text.title() if text.isupper() else text
            if gz.names.get(titled) == "NORP" or (len(words) == 1 and _DEMONYM.match(titled)):
                label = "NORP"
            elif titled.split()[-1] in gz.event_heads:
                label = "EVENT"
            elif titled.split()[-1] in gz.law_heads:
                label = "LAW"
            else:
                label = "MISC"
        out[i] = "B-" + label
        for k in range(i + 1, j):
            out[k] = "I-" + label
        i = j
    return out


class Vocabulary:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.frozen = False

    def lookup(self, name: str) -> int | None:
        i = self.ids.get(name)
        if i is None and not self.frozen:
            i = self.ids[name] = len(self.ids)
        return i


def featurize(docs: list[list[Sentence]], cache: FeatureCache) -> list[tuple[list[list[int]], list[int]]]:
    """One ``(feature ids per token, gold tag ids)`` per sentence, features computed over
    the whole document as at run time."""
    index = {t: i for i, t in enumerate(TAGS)}
    out = []
    for doc in docs:
        words = [w for sent in doc for w, _ in sent]
        starts = [k == 0 for sent in doc for k in range(len(sent))]
        ids = cache.sequence(words, starts)
        pos = 0
        for sent in doc:
            gold = [index[t] for t in to_labels(sent)]
            out.append((ids[pos : pos + len(sent)], gold))
            pos += len(sent)
    return out


def spans(tags: list[int]) -> set[tuple[int, int, str]]:
    """Exact spans, with model labels folded back to CoNLL's four classes."""
    fold = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
    out = set()
    start, label = -1, ""
    for i, t in enumerate([*tags, 0]):
        tag = TAGS[t]
        if tag.startswith("I-") and label == tag[2:]:
            continue
        if label:
            out.add((start, i, fold.get(label, "MISC")))
            label = ""
        if tag != "O":
            start, label = i, tag[2:]
    return out


def evaluate(model: Perceptron, data: list[tuple[list[list[int]], list[int]]]) -> float:
    w, t = model.averaged()
    tp = fp = fn = 0
    for ids, gold in data:
        p, g = spans(model.predict(ids, w, t)), spans(gold)
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    return 2 * tp / (2 * tp + fp + fn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, nargs="+", required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--final", action="store_true", help="train on train+dev and write the model")
    parser.add_argument("--min-count", type=int, default=2, help="drop features seen fewer times")
    parser.add_argument("--seed", type=int, default=20031, help="the shuffling seed")
    parser.add_argument(
        "--min-weight",
        type=float,
        default=2.0,
        help="drop features whose largest averaged weight is smaller (they barely move a score, "
        "and every feature costs load time)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reader" / "data" / "ner-model.npz")
    args = parser.parse_args(argv)

    train_docs = [doc for path in args.train for doc in read_any(path)]
    dev_docs = read_any(args.dev)
    if args.final:
        train_docs = train_docs + dev_docs
    counting = Vocabulary()
    counts: Counter[int] = Counter()
    probe = FeatureCache(counting.lookup)
    for ids, _ in featurize(train_docs, probe):
        for feats in ids:
            counts.update(feats)
    names = sorted(counting.ids, key=counting.ids.__getitem__)
    vocab = Vocabulary()
    for name in names:
        if counts[counting.ids[name]] >= args.min_count:
            vocab.lookup(name)
    vocab.frozen = True
    cache = FeatureCache(vocab.lookup)
    train = featurize(train_docs, cache)
    dev = featurize(dev_docs, cache)
    print(f"{len(train)} sentences, {len(vocab.ids)} features (min count {args.min_count})", flush=True)

    model = Perceptron(
        np.zeros((len(vocab.ids), N_TAGS), dtype=np.float32), np.zeros((N_TAGS + 1, N_TAGS), dtype=np.float32)
    )
    rng = random.Random(args.seed)
    order = list(range(len(train)))
    for epoch in range(1, args.epochs + 1):
        began = time.perf_counter()
        rng.shuffle(order)
        for k in order:
            ids, gold = train[k]
            if ids:
                model.update(ids, gold)
        took = time.perf_counter() - began
        note = "" if args.final else f"  dev F1 {evaluate(model, dev):.4f}"
        print(f"epoch {epoch:2}  {took:5.1f} s{note}", flush=True)

    if args.final:
        w, t = model.averaged()
        keep = np.abs(w).max(axis=1) >= args.min_weight
        kept = [n for n, k in zip(sorted(vocab.ids, key=vocab.ids.__getitem__), keep, strict=False) if k]
        data = model_bytes({n: i for i, n in enumerate(kept)}, w[keep], t)
        args.out.write_bytes(data)
        print(f"wrote {args.out}: {len(kept)} features, {len(data) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
