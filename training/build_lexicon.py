"""Build ``reader/data/lexicon.tsv``: what a large English text collection says about
each word, read by the entity model as features.

    pip download --no-deps spacy-lookups-data==1.0.5
    python training/build_lexicon.py spacy_lookups_data-1.0.5-py2.py3-none-any.whl

Two facts per word, both from the English tables of ``spacy-lookups-data`` (MIT,
ExplosionAI GmbH), read straight from the wheel:

* **Word clusters**: the word's Brown cluster (1,000 clusters), as the bit path from the
  root of the cluster tree. Words used alike share a path and long prefixes ("Samsung"
  and "Apple"; "London" and "Paris"; "Michael" and "Howard"), so the model can generalise
  from the names it was trained on to names it never saw.
* **How a capitalised word is usually written**: its log probability as written minus
  that of its lower-case form, rounded and clipped to -5..5, or ``only`` when the
  lower-case form was never seen. "Laughter" (-3) is mostly an ordinary word at a
  sentence start or in a heading; "Samsung" (2) and "Belarus" (4) are mostly names.

Words rarer than ``--min-logprob`` are left out: they add load time and little
evidence. The output is committed, so the app never needs the package; the same wheel
and options give the same file byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.ner.features import WordTable  # noqa: E402

OUT = ROOT / "reader" / "data" / "lexicon.tsv"
_TABLES = "spacy_lookups_data/data/en_lexeme_{}.json.gz"


def read_table(wheel: zipfile.ZipFile, name: str) -> dict[str, float]:
    table: dict[str, float] = json.loads(gzip.decompress(wheel.read(_TABLES.format(name))))
    return table


def build(wheel_path: Path, min_logprob: float) -> str:
    with zipfile.ZipFile(wheel_path) as wheel:
        clusters = read_table(wheel, "cluster")
        probs = read_table(wheel, "prob")

    def plain(word: str) -> bool:
        return bool(word) and word[0] not in "#=" and not any(ch.isspace() or ch == "," for ch in word)

    facts: dict[str, tuple[str, str]] = {}
    for word, logprob in probs.items():
        if logprob <= min_logprob or not plain(word):
            continue
        cluster = int(clusters.get(word) or 0)
        path = format(cluster, "b") if cluster else ""
        usual = ""
        if word[:1].isupper() and not word.isupper():
            lower = probs.get(word.lower())
            usual = "only" if lower is None else str(max(-5, min(5, round(logprob - lower))))
        if path or usual:
            facts[word] = (path, usual)
    return WordTable.write(
        {word: f"{path},{usual}" for word, (path, usual) in sorted(facts.items())},
        "a word's Brown cluster path, then how the capitalised word is usually written",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="spacy_lookups_data-1.0.5-py2.py3-none-any.whl")
    parser.add_argument("--min-logprob", type=float, default=-18.0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = build(args.wheel, args.min_logprob)
    args.out.write_text(text, encoding="utf-8")
    words = len(WordTable(text, str).items())
    print(f"wrote {args.out}: {words} words, {len(text.encode()) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
