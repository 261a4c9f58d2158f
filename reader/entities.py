"""Offline named-entity recognition for news prose: rules, gazetteers and context.

``find_entities(text)`` returns sorted, non-overlapping :class:`Entity` spans with
OntoNotes labels. No I/O at import: the gazetteer (``data/gazetteer.tsv``) loads on the
first call. One pass of compiled regular expressions finds candidates; each is classified
by gazetteers, heads ("... Ministry"), titles ("Defense Minister ..."), and then a
document-level pass tags later mentions of names found once ("Grachev" after "Pavel
Grachev").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from reader.models import ENTITY_LABELS, Entity

LABELS = ENTITY_LABELS
RECOGNIZER_VERSION = "rules-6"
"""Changes whenever the rules, the word lists (the model's name lists too), the decoding,
how the model reads words or how a text's mentions are made to agree change, so cached
entity results are redone."""


@dataclass(frozen=True)
class Gazetteer:
    names: dict[str, str]
    """Surface form -> label for GPE, LOC, NORP, ORG."""
    titles: frozenset[str]
    first: frozenset[str]
    common: frozenset[str]
    org_heads: frozenset[str]
    law_heads: frozenset[str]
    event_heads: frozenset[str]
    max_title_words: int


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    path = Path(__file__).with_name("data") / "gazetteer.tsv"
    names: dict[str, str] = {}
    sets: dict[str, set[str]] = {
        k: set() for k in ("TITLE", "FIRST", "COMMON", "ORG_HEAD", "LAW_HEAD", "EVENT_HEAD")
    }
    priority = {"ORG": 3, "GPE": 2, "LOC": 1, "NORP": 0}
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, name = line.partition("\t")
        if label in sets:
            sets[label].add(name)
        elif name not in names or priority[label] > priority[names[name]]:
            names[name] = label
    return Gazetteer(
        names=names,
        titles=frozenset(sets["TITLE"]),
        first=frozenset(sets["FIRST"]),
        common=frozenset(sets["COMMON"]),
        org_heads=frozenset(sets["ORG_HEAD"]),
        law_heads=frozenset(sets["LAW_HEAD"]),
        event_heads=frozenset(sets["EVENT_HEAD"]),
        max_title_words=max(len(t.split()) for t in sets["TITLE"]),
    )


# -- candidate patterns ----------------------------------------------------------------------

_UP = r"A-ZÀ-ÖØ-ÞĀ-Ž"
_LO = r"a-zß-öø-ÿā-ž"
# A capitalised word: "Grachev", "McCain", "O'Brien", "Russian-Belarusian", "RFE/RL", "U.S.".
_CAP = (
    rf"(?:[{_UP}]\.(?:[{_UP}]\.)+"  # U.S., U.K.
    rf"|[{_UP}]{{2,}}(?:[/&-][{_UP}]{{2,}})*(?:-\d+)?"  # NATO, RFE/RL, ITAR-TASS
    r"|(?:Gen|Mr|Mrs|Ms|Dr|Lt|Col|Maj|Capt|Sgt|Adm|Gov|Sen|Rep|Prof|St|Jr|Sr|Gen)\.(?=[ \t]+[A-Z])"
    rf"|[{_UP}]\.(?=[ \t]+[{_UP}])"  # an initial: "George W. Bush"
    rf"|[{_UP}][{_LO}]*(?:['’][{_UP}][{_LO}]+|[{_UP}][{_LO}]+)?[{_LO}]*(?:-[{_UP}][{_LO}]+)*"
    r")"
)
_CONNECT = r"(?:of|for|on|de|del|la|le|van|von|der|den|al|bin|ibn|and|the|in)"
_CANDIDATE = re.compile(
    rf"(?<![\w’'.])(?:{_CAP})(?:(?:[ \t]+|[ \t]+{_CONNECT}[ \t]+(?:the[ \t]+)?)(?:{_CAP}))*(?![\w])",
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMWORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundred|several|few)"
)
_UNIT = r"(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies))"
_DATE = re.compile(
    # The lookbehind and lookahead reject most positions before the alternation is tried.
    rf"(?<![\w])(?=[0-9JFMASONDelnmtpcfyrTW])(?:{_MONTH}\s+\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}}|(?:,\s*\d{{1,2}}(?!\d))+)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"
    rf"|(?:(?:early|late|mid-?|last|next|this)\s+)?{_MONTH}(?:\s+\d{{4}})?(?=\W)(?<!May)"
    rf"|(?:last|next|this|early|late)\s+May\b"
    rf"|May\s+\d{{4}}"
    rf"|(?:the\s+)?(?:\d{{4}}|mid-\d{{4}}s?)\s*[-–]\s*\d{{2,4}}"
    rf"|(?:the\s+)?(?:early\s+|late\s+|mid-)?(?:1[5-9]|20)\d\ds?"
    rf"|(?:the\s+(?=(?:past|next|coming|previous|forthcoming)\s))?(?:last|past|next|coming|previous|recent|forthcoming)\s+(?:{_NUMWORD}\s+|\d+\s+)?{_UNIT}"
    rf"|(?:last|next|this)\s+(?:{_WEEKDAY}|week|month|year|spring|summer|autumn|fall|winter|weekend)"
    rf"|(?:{_NUMWORD}|\d+)\s+{_UNIT}\s+(?:ago|earlier|later)"
    rf"|(?:yesterday|today|tomorrow)"
    rf"|{_WEEKDAY}"
    rf"|recent\s+{_UNIT}"
    rf")\b"
)
# A lookahead in front only lets the scan skip positions sooner; what matches is unchanged.
_MONEY = re.compile(
    r"(?=[$€£\d])(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|trillion))?"
    r"|\b\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|trillion))?\s+(?:dollars|rubles|roubles|euros|pounds|yuan|hryvnias?|zlotys?|rubels?)\b)"
)
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)")
_PRODUCT = re.compile(rf"(?:[{_UP}][{_UP}{_LO}]{{0,3}}-\d{{1,4}}[{_UP}]?(?:[{_UP}]{{1,2}}\d?)?)\b")
# The first digit is taken out of the alternation so the pattern starts with a character
# class, which the regex engine scans for in a tight loop: the same matches as
# (?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)..., at under half the cost.
_CARDINAL = re.compile(
    r"\d(?:\d{0,2}(?:,\d{3})+|\d*(?:\.\d+)?)(?:\s+(?:million|billion|thousand|hundred))?\b"
)
# Only at a word's start (what _after_word_break keeps of a scan without the \b; a match
# inside a word ends with it, so it hides no other), the words grouped by first letter.
_CARDINAL_WORD = re.compile(
    r"\b(?:t(?:wo|hree|en|welve|wenty|hirty|housands)|f(?:our|ive|orty|ifty)|s(?:ix|even)|e(?:ight|leven)"
    r"|nine|hundreds|dozens)\b"
)
_CITATION = re.compile(
    rf"\((?P<src>[{_UP}][\w’'.-]*(?:\s+[\w’'.-]+){{0,3}}),\s+(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})"
)
_SAID = re.compile(r"\s*,?\s+(?:said|says|told|added|stated|declared|noted|argued|insisted)\b")
_DATELINE = re.compile(rf"^(?P<place>[{_UP}][{_LO}]+(?:\s+[{_UP}][{_LO}]+)?),\s+{_MONTH}", re.MULTILINE)
_SENT_BREAK = set(".!?\n\"“”'‘’([:;")


def _after_word_break(text: str, start: int, also: str = "") -> bool:
    """Whether ``start`` begins a word: no letter, digit, underscore (or ``also``) before it."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or before in also)


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"“‘'(":
        if text[i] in "\"“‘'(" and i == start - 1:
            pass
        i -= 1
    return i < 0 or text[i] in ".!?\n:;" or text[i : i + 1] in "—–"


class _Builder:
    """Collects candidate spans with priorities, then keeps the best non-overlapping set."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int, str, int]] = []

    def add(self, start: int, end: int, label: str, priority: int) -> None:
        if start < end:
            self.spans.append((start, end, label, priority))

    def resolve(self, text: str) -> list[Entity]:
        """Keep the best spans: higher priority first, then longer; each character once."""
        ordered = sorted(self.spans, key=lambda s: (-s[3], s[0] - s[1], s[0]))
        taken = bytearray(len(text) + 1)
        chosen: list[tuple[int, int, str]] = []
        for start, end, label, _ in ordered:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, label))
        chosen.sort()
        return [Entity(s, e, label, text[s:e]) for s, e, label in chosen]


_WORD_SPLIT = re.compile(r"\S+")


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start() + start, m.end() + start) for m in _WORD_SPLIT.finditer(text[start:end])]


def _title_case_line(text: str, pos: int) -> bool:
    """Whether ``pos`` lies on a short line in Title Case (a headline or page furniture)."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end - line_start > 160 or (line_end == -1 and len(text) - line_start > 160):
        return False
    line = text[line_start : line_end if line_end != -1 else len(text)]
    words = [w for w in line.split() if w[:1].isalpha()]
    if len(words) < 2 or len(line) > 160 or line.rstrip()[-1:] in '.?!"”':
        return False
    return sum(1 for w in words if w[:1].isupper()) >= 0.7 * len(words)


def _classify_sequence(text: str, start: int, end: int, gz: Gazetteer, out: _Builder) -> None:
    """Classify one run of capitalised words and add what it holds to ``out``."""
    words = _words(text, start, end)
    # Drop leading function words ("The", "But") and connectors at either end.
    while words and (
        text[words[0][0] : words[0][1]] in gz.common or text[words[0][0] : words[0][1]].lower() in _CONNECTORS
    ):
        words = words[1:]
    while words and text[words[-1][0] : words[-1][1]].lower() in _CONNECTORS:
        words = words[:-1]
    if not words:
        return
    start, end = words[0][0], words[-1][1]
    surface = text[start:end]
    tokens = [text[a:b] for a, b in words]
    label = gz.names.get(surface)
    if label is not None:
        out.add(start, end, label, 5)
        return
    if _title_case_line(text, start):
        # Headlines capitalise every word: trust only the gazetteer there.
        for (a, b), t in zip(words, tokens, strict=True):
            if t in gz.names:
                out.add(a, b, gz.names[t], 4)
        return
    lowered = [t.lower() for t in tokens]
    connectors = [i for i, t in enumerate(lowered) if t in _CONNECTORS]
    if connectors:
        # A known name after a connector splits the run: "Treaty on ... of the Commonwealth of ...".
        for k in connectors:
            right = k + 1 + (lowered[k + 1 : k + 2] == ["the"])
            if right < len(tokens) and text[words[right][0] : end] in gz.names:
                _classify_sequence(text, start, words[k - 1][1], gz, out)
                out.add(words[right][0], end, gz.names[text[words[right][0] : end]], 5)
                return
        first = tokens[0].rstrip(".")
        head_first = first in gz.org_heads or first in gz.law_heads or first in gz.event_heads
        if head_first and connectors[0] == 1:
            head = "LAW" if first in gz.law_heads else "EVENT" if first in gz.event_heads else "ORG"
            out.add(start, end, head, 4)
            return
        last = tokens[-1].rstrip(".")
        if last in gz.org_heads or last in gz.law_heads:
            out.add(start, end, "LAW" if last in gz.law_heads else "ORG", 4)
            return
        part = 0
        for i in connectors + [len(tokens)]:
            if i > part:
                _classify_sequence(text, words[part][0], words[i - 1][1], gz, out)
            part = i + 1
        return
    # A sentence-initial word before a known name or title is an ordinary word ("Joint Russian ...").
    if (
        len(tokens) > 1
        and tokens[0] not in gz.names
        and tokens[0] not in gz.first
        and _sentence_initial(text, start)
    ):
        nxt = tokens[1]
        if nxt in gz.names or nxt in gz.titles or all(p in gz.names for p in nxt.split("-")):
            _classify_sequence(text, words[1][0], end, gz, out)
            return
    last = tokens[-1].rstrip(".")
    # Organisation, law or event by its last word ("Polish Foreign Ministry", "Union Treaty").
    if len(tokens) > 1:
        for heads, head_label in (
            (gz.law_heads, "LAW"),
            (gz.event_heads, "EVENT"),
            (gz.org_heads, "ORG"),
        ):
            if last in heads:
                out.add(start, end, head_label, 4)
                return
    # Leading nationality adjectives: "Russian Defense Minister ...", "Belarusian police".
    i = 0
    while i < len(tokens) - 1 and gz.names.get(tokens[i]) == "NORP":
        out.add(words[i][0], words[i][1], "NORP", 4)
        i += 1
    # Titles: "Defense Minister", "Marshal", "Gen." -> what follows is a person.
    title_end = i
    j = i
    while j < len(tokens):
        for n in range(min(gz.max_title_words, len(tokens) - j), 0, -1):
            if " ".join(tokens[j : j + n]) in gz.titles:
                j += n
                title_end = j
                break
        else:
            break
    rest = words[title_end:]
    if not rest:
        return
    r_tokens = tokens[title_end:]
    r_start, r_end = rest[0][0], rest[-1][1]
    if title_end > i:
        out.add(r_start, r_end, "PERSON", 4)
        return
    label = gz.names.get(text[r_start:r_end])
    if label is not None:
        out.add(r_start, r_end, label, 5)
        return
    if len(r_tokens) == 1:
        token = r_tokens[0]
        if token.isupper() and len(token.replace(".", "")) >= 2:
            out.add(r_start, r_end, "ORG", 2)
        elif "-" in token and {gz.names.get(p) for p in token.split("-")} in ({"NORP"}, {"GPE"}):
            out.add(r_start, r_end, gz.names[token.split("-")[0]], 3)
        elif _SAID.match(text, r_end) and not _sentence_initial(text, r_start):
            out.add(r_start, r_end, "PERSON", 2)
        elif not _sentence_initial(text, r_start):
            out.add(r_start, r_end, "?", 0)
        return
    if r_tokens[0] in gz.first:
        out.add(r_start, r_end, "PERSON", 3)
        return
    if all(t in gz.names for t in r_tokens):
        for (a, b), t in zip(rest, r_tokens, strict=True):
            out.add(a, b, gz.names[t], 3)
        return
    if len(r_tokens) <= 3 and all(t[:1].isupper() and not t.isupper() for t in r_tokens):
        out.add(r_start, r_end, "PERSON", 1)
    else:
        out.add(r_start, r_end, "ORG", 1)


_CONNECTORS = frozenset(
    (
        "of",
        "for",
        "on",
        "de",
        "del",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "al",
        "bin",
        "ibn",
        "and",
        "the",
        "in",
    )
)


def find_entities(
    text: str,
    *,
    lexicon: Iterable[tuple[str, str]] = (),
    rejected: Iterable[str] = (),
) -> list[Entity]:
    """Named entities of ``text``: sorted by start, non-overlapping, deterministic.

    Args:
        text: normalised text.
        lexicon: ``(surface, label)`` pairs the user taught; every occurrence is tagged.
        rejected: surfaces the user marked as not entities; they are never returned.
    """
    gz = gazetteer()
    out = _Builder()
    _add_numeric(text, out)
    for m in _CITATION.finditer(text):
        src = m.group("src")
        if not _DATE.fullmatch(src):
            out.add(m.start("src"), m.end("src"), "ORG", 6)
    for m in _DATELINE.finditer(text):
        place = m.group("place")
        if place not in gz.common:
            out.add(m.start("place"), m.end("place"), "GPE", 6)
    for m in _CANDIDATE.finditer(text):
        _classify_sequence(text, m.start(), m.end(), gz, out)
    entities = out.resolve(text)
    entities = _consistency(text, entities, out)
    return apply_lexicon(text, entities, lexicon, rejected)


_MONEY_WORDS = (
    "$",
    "€",
    "£",
    "dollars",
    "rubles",
    "roubles",
    "euros",
    "pounds",
    "yuan",
    "hryvnia",
    "zloty",
    "rubel",
)
_PERCENT_WORDS = ("%", "percent", "per cent")


def _add_numeric(text: str, out: _Builder) -> None:
    # A pattern whose required words are all absent cannot match: skip its scan.
    money = any(w in text for w in _MONEY_WORDS)
    percent = any(w in text for w in _PERCENT_WORDS)
    for pattern, label, priority, not_after in (
        (_DATE, "DATE", 6, ""),
        (_MONEY if money else None, "MONEY", 7, "."),
        (_PERCENT if percent else None, "PERCENT", 7, "."),
        (_PRODUCT, "PRODUCT", 6, "-"),
        (_CARDINAL, "CARDINAL", 1, "."),
        (_CARDINAL_WORD, "CARDINAL", 1, ""),
    ):
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if _after_word_break(text, m.start(), not_after):
                out.add(m.start(), m.end(), label, priority)


NUMERIC_LABELS = frozenset({"DATE", "MONEY", "PERCENT", "CARDINAL"})


def with_numeric(text: str, names: Iterable[Entity]) -> list[Entity]:
    """``names`` (from a learned model) plus the rules' dates, money, percentages, numbers
    and model designations ("Su-27") where they do not overlap a name."""
    names = [e for e in names if e.start < e.end]
    numeric = _Builder()
    _add_numeric(text, numeric)  # only numeric labels and PRODUCT ("Su-27": a pattern, not a name)
    if any(b.start < a.end for a, b in zip(names, names[1:], strict=False)):
        # Names out of order or overlapping: the general rule picks among them.
        out = _Builder()
        for e in names:
            out.add(e.start, e.end, e.label, 8)
        for span in numeric.spans:
            out.add(*span)
        return out.resolve(text)
    # Sorted, disjoint names outrank every numeric span (priority 8 against 7 at most), so
    # they are all kept, and the numeric spans fill the rest as _Builder.resolve would.
    taken = bytearray(len(text) + 1)
    kept = [
        e if e.text == text[e.start : e.end] else Entity(e.start, e.end, e.label, text[e.start : e.end])
        for e in names
    ]
    for e in kept:
        taken[e.start : e.end] = b"\x01" * (e.end - e.start)
    for start, end, label, _ in sorted(numeric.spans, key=lambda s: (-s[3], s[0] - s[1], s[0])):
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append(Entity(start, end, label, text[start:end]))
    kept.sort(key=attrgetter("start"))
    return kept


def apply_lexicon(
    text: str, entities: list[Entity], lexicon: Iterable[tuple[str, str]], rejected: Iterable[str]
) -> list[Entity]:
    """The user's corrections over found ``entities``: every occurrence of a taught surface
    gets its label; rejected surfaces are dropped."""
    lexicon = list(lexicon)
    rejected_set = set(rejected)
    if lexicon:
        extra = _Builder()
        for e in entities:
            extra.add(e.start, e.end, e.label, 1)
        for surface, label in lexicon:
            for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
                extra.add(m.start(), m.end(), label, 9)
        entities = extra.resolve(text)
    return [e for e in entities if e.label != "?" and e.text not in rejected_set]


def _consistency(text: str, entities: list[Entity], out: _Builder) -> list[Entity]:
    """Tag later bare mentions of names found once: surnames, acronyms in parentheses."""
    known: dict[str, str] = {}
    for e in entities:
        if e.label == "PERSON":
            parts = e.text.split()
            if len(parts) > 1 and parts[-1][:1].isupper():
                known.setdefault(parts[-1], "PERSON")
            known.setdefault(e.text, "PERSON")
        elif e.label == "ORG" and len(e.text.split()) > 1:
            after = text[e.end : e.end + 12]
            m = re.match(r"\s*\(([A-Z]{2,}[A-Za-z]*)\)", after)
            if m:
                known.setdefault(m.group(1), "ORG")
    unknown = [e for e in entities if e.label == "?"]
    if not known:
        return entities
    builder = _Builder()
    for e in entities:
        if e.label != "?":
            builder.add(e.start, e.end, e.label, 5)
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(re.escape(k) for k in sorted(known, key=len, reverse=True)) + r")(?!\w)"
    )
    for m in pattern.finditer(text):
        builder.add(m.start(), m.end(), known[m.group()], 3)
    for e in unknown:
        builder.add(e.start, e.end, "?", 0)
    return builder.resolve(text)
