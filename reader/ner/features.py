"""Tokens and features for the learned recognizer; shared by the runtime and training.

The same functions turn a CoNLL sentence (training) and a dispatch (runtime) into feature
strings, so the two can never drift apart. A word's own features and the features it
lends its neighbours depend only on the word, so :class:`FeatureCache` computes them once
per word type; only a handful of features are built per token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from reader.entities import gazetteer

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT", "MISC")
"""Names the model tags; dates, money, percentages and numbers stay with the rules."""
TAGS = ("O", *(f"{p}-{label}" for label in LABELS for p in ("B", "I")))

_TITLES = (
    *("Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Sgt", "Capt", "Gov", "Sen", "Rep", "Prof"),
    *("Maj", "Brig", "Adm", "Cmdr", "Cpl", "Pvt", "Supt", "Insp", "Det", "Rev", "Hon", "Msgr"),
    *("St", "Mt", "Ft"),
)
_NAME_ENDINGS = (
    *("Jr", "Sr", "Co", "Cos", "Corp", "Inc", "Ltd", "Bros"),
    # US states as the wire services abbreviate them ("Rep. Edward Markey (D., Mass.)"):
    # the training text writes them as one word, period included, and so does the gold.
    *("Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan"),
    *("Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla"),
    *("Ore", "Pa", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo"),
)
ABBREVIATIONS = _TITLES + _NAME_ENDINGS
"""Words read with their period as one token, where a blank, comma, bracket or quote
follows ("Corp.," "Inc.'s" "Calif.)")."""
_ENDS_NAME = frozenset(a + "." for a in _NAME_ENDINGS)
"""Those that end a name rather than open one: at the end of a line, the name ends there
too ("… in Indian Wells, Calif." and a new paragraph, "McCarthy, 94, …")."""
_TOKEN_HEAD = (
    r"(?=[^\W\d_]\.)(?:[^\W\d_]\.){2,}(?![^\W\d_])"  # U.S. U.N.
    # The lookaheads in front of a branch only skip it sooner; what matches is unchanged.
    rf"|(?=[{''.join(sorted({a[0] for a in ABBREVIATIONS}))}])(?:{'|'.join(ABBREVIATIONS)})\."
    r"(?=[\s,;:)\x22'’‘”“])"
    r"|[A-Z]\.(?=\s+[A-Z])"  # an initial: "J. Smith"
    r"|\+?\d+(?:[.,:/-]\d+)*(?![\w-])"  # 1,000  14.2  1996-08-22  2-1  +44 (not 5th)
    r"|['’](?:s|S|ve|ll|re|m|d)(?!\w)"  # Germany 's  we 've
)
_NOT = r"|(?=\w*n['’]t(?!\w))\w+?(?=n['’]t(?!\w))|n['’]t(?!\w)"  # do n't
_TOKEN_TAIL = (
    # A word with inner hyphens, apostrophes, dots; a final possessive "'s" is left for
    # the branch above ("Germany" "'s"), not taken into the word.
    r"|\w+(?:(?!['’][sS](?!\w)(?![-'’.&/]\w))[-'’.&/]\w+)*"
    r"|\S"
)
_TOKEN = re.compile(_TOKEN_HEAD + _NOT + _TOKEN_TAIL)
_TOKEN_WITHOUT_NOT = re.compile(_TOKEN_HEAD + _TOKEN_TAIL)
"""The same tokens for a text without "n't" (the branch that looks for it reads each word
to its end: a fifth of the tokenizer's time)."""
_OPENING = frozenset("\"“'‘(")
_SENTENCE_END = frozenset(".!?")
_OPENING_CODES = tuple(ord(c) for c in _OPENING)
_END_CODES = tuple(ord(c) for c in _SENTENCE_END)
_BANG = ord("!")
_BLANKS_BELOW = 0x3001
"""Every character ``\\s`` matches (``str.isspace``) is below this."""


@dataclass(frozen=True)
class Tokens:
    """The tokens of a text as the tagger reads them (words with inner hyphens,
    apostrophes, dots; initials such as "U.S."; single punctuation marks; a possessive
    "'s" on its own), their offsets, and whether each opens a sentence: the first token,
    the first after a line break, and the first after ``.``/``!``/``?`` (skipping opening
    quotes); and whether a name may run on into each (``cuts``). Found with one ``findall``
    and array arithmetic."""

    words: list[str]
    begins: list[int]
    ends: list[int]
    starts: NDArray[np.bool_]
    cuts: NDArray[np.bool_]
    """No name runs on into these tokens: the first after a blank line (a heading and the
    dateline under it are two names), a lone ``.`` or ``?``, and the token after a lone
    ``.``/``!``/``?`` (one sentence's last name and the next one's first are two: "sold to
    Yukos. Yukos said"). A ``!`` may still end a name ("Yahoo!")."""


_BLANK, _END, _OPENER = 1, 2, 4


@lru_cache(maxsize=1)
def _kinds() -> NDArray[np.uint8]:
    """Per code point below ``_BLANKS_BELOW`` (and one more for all above): blank, ends a
    sentence, opens a quote or bracket."""
    import numpy as np

    kinds = np.zeros(_BLANKS_BELOW + 1, dtype=np.uint8)
    kinds[[c for c in range(_BLANKS_BELOW) if chr(c).isspace()]] = _BLANK
    kinds[list(_END_CODES)] = _END
    kinds[list(_OPENING_CODES)] = _OPENER
    return kinds


_STRAIGHT = {"’": "'", "‘": "'", "“": '"', "”": '"'}
"""Curly quotes and apostrophes as the training text writes them (straight), one
character for one, so offsets are unchanged."""
_CURLY = re.compile("[" + "".join(_STRAIGHT) + "]")


def _straightened(text: str) -> str:
    """``text`` with :data:`_STRAIGHT` applied, by C-speed replaces (a translate table is
    read character by character: 0.4 ms per 4 kB dispatch)."""
    for curly, straight in _STRAIGHT.items():
        text = text.replace(curly, straight)
    return text


def read_tokens(text: str) -> Tokens:
    """No token holds a blank and every other character is in one, so the words laid end
    to end are the text's non-blank characters: their lengths give the offsets. Words are
    read with typographic quotes straightened ("Britain’s", "I’m", “Yes”): the model learned
    from text that writes them straight, and would otherwise meet "’m" as an unknown word."""
    import numpy as np

    read = _straightened(text) if _CURLY.search(text) else text
    words = (_TOKEN if "n'" in read else _TOKEN_WITHOUT_NOT).findall(read)
    n = len(words)
    if not n:
        return Tokens([], [], [], np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = _kinds()[np.minimum(codes, _BLANKS_BELOW)]
    solid = np.flatnonzero(kinds != _BLANK)
    word_len = np.fromiter(map(len, words), dtype=np.int64, count=n)
    first = np.zeros(n, dtype=np.int64)
    np.cumsum(word_len[:-1], out=first[1:])
    begins = solid[first]
    ends = begins + word_len
    # A sentence opens at the first token, after a line break, after "." "!" "?", and
    # runs on through opening quotes and brackets.
    breaks = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == 10, out=breaks[1:])
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    lines_between = breaks[begins[1:]] - breaks[ends[:-1]]
    starts[1:] = lines_between > 0
    cuts = np.zeros(n, dtype=bool)
    cuts[1:] = lines_between > 1
    single = np.where(word_len == 1, kinds[begins], 0)
    ended = single[:-1] == _END
    starts[1:] |= ended
    cuts[1:] |= ended
    for k in np.flatnonzero(lines_between).tolist():
        if words[k] in _ENDS_NAME:
            cuts[k + 1] = True
    cuts |= (single == _END) & (codes[begins] != _BANG)
    for k in np.flatnonzero(single[:-1] == _OPENER).tolist():
        if starts[k]:
            starts[k + 1] = True
    return Tokens(words, begins.tolist(), ends.tolist(), starts, cuts)


@lru_cache(maxsize=65536)
def shape(word: str) -> str:
    """ "Grachev" -> "Xx", "U.S." -> "X.X.", "1996-08-22" -> "d-d-d", "McCain" -> "XxXx"."""
    out: list[str] = []
    last = ""
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c != last:
            out.append(c)
            last = c
    return "".join(out)[:8]


V = TypeVar("V")


class WordTable(Generic[V]):
    """A large word -> value table read lazily: the file's lines hold the words of one
    bucket (their first two characters) each, so opening it costs one read and one split
    per line, and a bucket is parsed the first time one of its words is looked up.

    Layout (``write`` makes it): ``#`` comment lines; ``=CODE<TAB>VALUE`` lines naming the
    values; ``BUCKET<TAB>word code word code ...`` lines.
    """

    def __init__(self, text: str, parse: Callable[[str], V]) -> None:
        self._values: dict[str, V] = {}
        self._lines: dict[str, str] = {}
        self._parsed: dict[str, dict[str, V]] = {}
        for line in text.splitlines():
            key, tab, rest = line.partition("\t")
            if not tab or key.startswith("#"):
                continue
            if key.startswith("="):
                self._values[key[1:]] = parse(rest)
            else:
                self._lines[key] = rest

    def get(self, word: str) -> V | None:
        bucket = word[:2]
        words = self._parsed.get(bucket)
        if words is None:
            parts = self._lines.pop(bucket, "").split()
            values = map(self._values.__getitem__, parts[1::2])
            words = self._parsed[bucket] = dict(zip(parts[::2], values, strict=True))
        return words.get(word)

    def items(self) -> list[tuple[str, V]]:
        """Every word and its value (parses every bucket)."""
        for bucket in list(self._lines):
            self.get(bucket)
        return [item for words in self._parsed.values() for item in words.items()]

    @staticmethod
    def write(values: dict[str, str], comment: str) -> str:
        """The file holding ``values`` (word -> value text). A word may not hold a blank
        nor open with ``#`` or ``=``."""
        if any(not w or w[0] in "#=" or w.split() != [w] for w in values):
            raise ValueError("a word of a word table may not be empty, hold a blank or open with # or =")
        codes = {v: str(k) for k, v in enumerate(sorted(set(values.values())))}
        buckets: dict[str, list[str]] = {}
        for word in sorted(values):
            buckets.setdefault(word[:2], []).extend((word, codes[values[word]]))
        lines = [f"# {comment}", *(f"={code}\t{value}" for value, code in codes.items())]
        lines += [f"{bucket}\t{' '.join(parts)}" for bucket, parts in buckets.items()]
        return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _word_lists() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    gz = gazetteer()
    single: dict[str, str] = {}
    for name, label in gz.names.items():
        words = name.split()
        if len(words) == 1:
            single[name] = label
        else:
            for w in words:
                single.setdefault(w, "part-" + label)
    return single, gz.first, gz.titles


NAME_LISTS = ("CITY", "REGION", "FIRST", "LAST", "COMPANY")
"""The public name lists of ``data/namelists.tsv`` (``training/build_namelists.py``), in
the order of their bits: ``2k`` a whole name, ``2k+1`` part of a longer one."""


def title_words() -> frozenset[str]:
    """The gazetteer's titles ("President", "Field Marshal", "Gen.")."""
    return _word_lists()[2]


@lru_cache(maxsize=1)
def title_openings() -> frozenset[str]:
    """The first words of the gazetteer's titles: a name opening with none holds none."""
    return frozenset(title.split()[0] for title in title_words())


@lru_cache(maxsize=1)
def _name_lists() -> tuple[WordTable[int], tuple[tuple[str, ...], ...]]:
    """Capitalised word -> bits, and the list names of every bit pattern (1,024 of them)."""
    path = Path(__file__).resolve().parent.parent / "data" / "namelists.tsv"
    bits = WordTable(path.read_text(encoding="utf-8"), int)
    names = [f"{kind}{part}" for kind in NAME_LISTS for part in ("", "-part")]
    patterns = tuple(
        tuple(name for k, name in enumerate(names) if mask >> k & 1) for mask in range(1 << len(names))
    )
    return bits, patterns


def in_name_lists(word: str) -> tuple[str, ...]:
    """The lists a capitalised word is in ("Brown": LAST, "Apple": COMPANY), as written or
    title-cased from capitals ("MOSCOW")."""
    if not word[:1].isupper():
        return ()
    bits, patterns = _name_lists()
    mask = bits.get(word)
    if mask is None and word.isupper() and len(word) > 1:
        mask = bits.get(word.capitalize())
    return patterns[mask] if mask else ()


def _facts(value: str) -> tuple[str, str]:
    cluster, _, usual = value.partition(",")
    return cluster, usual


@lru_cache(maxsize=1)
def _lexicon() -> WordTable[tuple[str, str]]:
    """Word -> (Brown cluster path, how the capitalised word is usually written), from
    ``data/lexicon.tsv`` (``training/build_lexicon.py``); either may be empty."""
    path = Path(__file__).resolve().parent.parent / "data" / "lexicon.tsv"
    return WordTable(path.read_text(encoding="utf-8"), _facts)


_UNKNOWN = ("", "")


def lexicon_facts(word: str) -> tuple[str, str]:
    """The word's cluster path and, for a capitalised word, how it is usually written
    ("-3" mostly lower-case ... "5" mostly capitalised, "only", or "rare" when the
    collection hardly has it). A word in capitals is read title-cased for the second,
    and for the first when not listed as written ("NATO" is, "LAUGHTER" is not)."""
    facts = _lexicon()
    cluster, usual = facts.get(word) or _UNKNOWN
    if word.isupper() and len(word) > 1:
        titled_cluster, usual = facts.get(word.capitalize()) or _UNKNOWN
        cluster = cluster or titled_cluster
    if word[:1].isupper() and not usual:
        usual = "rare"
    return cluster, usual


def lexicon_features(word: str) -> list[str]:
    """The word's cluster path and its prefixes (coarser clusters), and how it is usually
    written."""
    cluster, usual = lexicon_facts(word)
    feats = []
    if cluster:
        feats += ["bc=" + cluster, "bc4=" + cluster[:4], "bc6=" + cluster[:6], "bc10=" + cluster[:10]]
    if usual:
        feats.append("usual=" + usual)
    return feats


def own_features(word: str) -> list[str]:
    """Features of a word that do not depend on its neighbours."""
    single, first, titles = _word_lists()
    lower = word.lower()
    sh = shape(word)
    feats = [
        "bias",
        "w=" + word,
        "l=" + lower,
        "sh=" + sh,
        "p3=" + word[:3],
        "s2=" + lower[-2:],
        "s3=" + lower[-3:],
        "s4=" + lower[-4:],
        "len=" + str(min(len(word), 8)),
    ]
    cap = word[:1].isupper()
    titled = word.capitalize() if word.isupper() and len(word) > 1 else word
    label = single.get(word) or single.get(titled)
    if label:
        feats.append("gz=" + label)
    if word in first or titled in first:
        feats.append("gz=FIRST")
    if word in titles or lower in titles or titled in titles:
        feats.append("gz=TITLE")
    if cap and word.isupper() and len(word) > 1:
        feats.append("allcaps")
    if any(ch.isdigit() for ch in word):
        feats.append("digit")
    if "-" in word:
        feats.append("hyphen")
        if cap:
            feats.append("hyphen-parts=" + "-".join(shape(p) for p in word.split("-"))[:12])
    feats += ["nl=" + name for name in in_name_lists(word)]
    feats += lexicon_features(word)
    return feats


def context_features(word: str, offset: int) -> list[str]:
    """Features a word lends the token ``offset`` places away."""
    lower = word.lower()
    k = str(offset)
    feats = [f"l[{k}]=" + lower]
    if abs(offset) == 1:
        feats.append(f"sh[{k}]=" + shape(word))
        single, first, titles = _word_lists()
        titled = word.capitalize() if word.isupper() and len(word) > 1 else word
        label = single.get(word) or single.get(titled)
        if label:
            feats.append(f"gz[{k}]=" + label)
        if word in titles or lower in titles or titled in titles:
            feats.append(f"title[{k}]")
        feats += [f"nl[{k}]=" + name for name in in_name_lists(word)]
        cluster, _ = lexicon_facts(word)
        if cluster:
            feats += [f"bc[{k}]=" + cluster, f"bc6[{k}]=" + cluster[:6]]
    return feats


@dataclass
class FeatureCache:
    """Feature ids per word type, for one feature vocabulary.

    ``lookup`` maps a feature string to its row (or ``None`` for unknown features): the
    model's dict at runtime, a growing vocabulary during training.
    """

    lookup: Callable[[str], int | None]

    def __post_init__(self) -> None:
        self._own: dict[str, list[int]] = {}
        self._context: dict[tuple[str, int], list[int]] = {}

    def _ids(self, feats: list[str]) -> list[int]:
        out = []
        for f in feats:
            i = self.lookup(f)
            if i is not None:
                out.append(i)
        return out

    def own(self, word: str) -> list[int]:
        ids = self._own.get(word)
        if ids is None:
            ids = self._own[word] = self._ids(own_features(word))
        return ids

    def context(self, word: str, offset: int) -> list[int]:
        key = (word, offset)
        ids = self._context.get(key)
        if ids is None:
            ids = self._context[key] = self._ids(context_features(word, offset))
        return ids

    def sequence(self, words: Sequence[str], starts: Sequence[bool]) -> list[list[int]]:
        """Feature ids of every token of one document (or sentence)."""
        n = len(words)
        lookup = self.lookup
        padded = pad(words)
        flags = DocumentFlags(words, starts)
        out: list[list[int]] = []
        for i in range(n):
            j = i + 2
            ids = list(self.own(padded[j]))
            for k in OFFSETS:
                ids += self.context(padded[j + k], k)
            for f in token_features(padded[j - 1], padded[j], padded[j + 1]):
                fid = lookup(f)
                if fid is not None:
                    ids.append(fid)
            for f in flags.of(padded[j], starts[i]):
                fid = lookup(f)
                if fid is not None:
                    ids.append(fid)
            out.append(ids)
        return out


OFFSETS = (-2, -1, 1, 2)


def pad(words: Sequence[str]) -> list[str]:
    return ["<s>", "<s>", *words, "</s>", "</s>"]


def token_features(previous: str, word: str, following: str) -> tuple[str, str]:
    """The two features built per token: the shapes around it and the bigram before it."""
    return (
        "sh3=" + shape(previous) + "|" + shape(word) + "|" + shape(following),
        "bi=" + previous.lower() + "|" + word.lower(),
    )


_LINE_WORD = re.compile(r"[^\W\d_]+")
_HEADING_LENGTH = 200
_TITLE_CASE_LOWER = -2
"""A capitalised word in a title-case line is read lower-cased where the lexicon has it
written lower-case at least this much more often (log ratio, -5 ... 5)."""


def _usually_lower(word: str) -> bool:
    usual = lexicon_facts(word)[1]
    return usual.lstrip("-").isdigit() and int(usual) <= _TITLE_CASE_LOWER


_MINOR_WORDS = frozenset(
    "a an the and or nor but of in on at to for by with as from up via vs per into onto over".split()
)
"""Words a title may leave lower-case ("War and Peace")."""


def title_case_lines(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each heading written in title case. A heading is the text's
    first line or a line standing as a paragraph of its own, of a heading's length; it is
    in title case when every word but the minor ones is capitalised, not all in capitals,
    with at least four words of four letters or more, half of those words the lexicon
    mostly sees lower-case ("Russia And Belarus Tighten Military Cooperation"; not a name
    alone, "Major League Baseball", nor a line of names)."""
    out = []
    lines = text.split("\n")
    start = 0
    for k, line in enumerate(lines):
        end = start + len(line)
        alone = (k == 0 or not lines[k - 1].strip()) and (k + 1 == len(lines) or not lines[k + 1].strip())
        if (k == 0 or alone) and len(line) <= _HEADING_LENGTH and _in_title_case(line):
            out.append((start, end))
        start = end + 1
    return out


def _in_title_case(line: str) -> bool:
    words = _LINE_WORD.findall(line)
    if any(w[0].islower() and w not in _MINOR_WORDS for w in words):
        return False
    long = [w for w in words if len(w) >= 4]
    if len(long) < 4 or all(w.isupper() for w in long):
        return False
    # Half of them mostly written lower-case; stop looking up once that is settled.
    needed, left = (len(long) + 1) // 2, len(long)
    for word in long:
        needed -= _usually_lower(word)
        left -= 1
        if needed <= 0 or needed > left:
            break
    return needed <= 0


def truecased(text: str, tokens: Tokens) -> list[str]:
    """The words the tagger reads: as written, except in a title-case line, where a
    capitalised word the lexicon mostly sees lower-case is read lower-cased ("Tighten",
    "Military"): such a line capitalises every word, so its capitals say nothing of which
    are names. The line's first word keeps its case, as any sentence's does."""
    words = tokens.words
    lines = title_case_lines(text)
    if not lines:
        return words
    from bisect import bisect_left

    out = list(words)
    for start, end in lines:
        first = bisect_left(tokens.begins, start)
        last = bisect_left(tokens.begins, end)
        for k in range(first + 1, last):
            word = words[k]
            if word[:1].isupper() and not word.isupper() and _usually_lower(word):
                out[k] = word.lower()
    return out


DOCUMENT_FEATURES = ("first-cap", "doc-lower-seen", "doc-mid-cap")


class DocumentFlags:
    """Document-level evidence about a capitalised word: it opens a sentence, it is also
    seen lower-cased, it is seen capitalised away from a sentence start (so a word in a
    capitals headline can borrow the case of its mentions in the body)."""

    def __init__(self, words: Sequence[str], starts: Sequence[bool]) -> None:
        self.lowered = {w for w in words if w.islower()}
        self.mid_caps = {
            w for w, s in zip(words, starts, strict=False) if not s and w[:1].isupper() and not w.isupper()
        }

    def of(self, word: str, start: bool) -> list[str]:
        if not word[:1].isupper():
            return []
        out = []
        if start:
            out.append("first-cap")
        if word.lower() in self.lowered:
            out.append("doc-lower-seen")
        titled = word.capitalize() if word.isupper() else word
        if titled in self.mid_caps:
            out.append("doc-mid-cap")
        return out
