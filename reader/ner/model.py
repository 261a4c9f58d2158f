"""The averaged-perceptron tagger: weights, Viterbi decoding, spans to entities.

A model is a feature vocabulary, an emission matrix (features x BIO tags) and a tag
transition matrix. The packaged one lives in ``reader/data/ner-model.npz`` (no pickled
objects: loaded with ``allow_pickle=False``); a personal one, trained from the user's
corrections by :mod:`reader.ner.learn`, adds rows and deltas on top of it. Decoding is
numpy: emission scores for a whole dispatch in one gather, then Viterbi over the stretches
that are not plainly outside any name.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.models import Entity
from reader.ner.features import (
    DOCUMENT_FEATURES,
    LABELS,
    OFFSETS,
    TAGS,
    FeatureCache,
    Tokens,
    context_features,
    own_features,
    pad,
    read_tokens,
    shape,
    truecased,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

PACKAGED = Path(__file__).resolve().parent.parent / "data" / "ner-model.npz"
N_TAGS = len(TAGS)
_WORD_CACHE_LIMIT = 200_000
"""Word types whose partial sums are kept (about 50 MB); past it the table starts over."""


def _empty_table() -> NDArray[np.float32]:
    import numpy as np

    return np.zeros((0, 1 + len(OFFSETS), N_TAGS), dtype=np.float32)


def _empty_info() -> NDArray[np.int64]:
    import numpy as np

    return np.zeros((0, _INFO_COLUMNS), dtype=np.int64)


def _no_marks() -> NDArray[np.bool_]:
    import numpy as np

    return np.zeros(0, dtype=bool)


# Columns of the word info: the ids of a word's shape and lower-case form among those the
# per-token features name, its case, and its three forms' ids for the document flags.
_SHAPE, _LOWER, _CAP, _ISLOWER, _ISUPPER, _NAME, _LOWER_NAME, _TITLED_NAME = range(8)
_INFO_COLUMNS = 8
_KEY = 1 << 20
"""Ids of shapes and lower-case words stay below this; two or three make one key."""
_UNKNOWN = _KEY - 1
"""The id of a shape or word no per-token feature names: its keys match nothing."""


def _splits(rest: str, parts: int) -> Iterator[tuple[str, ...]]:
    """Every way of cutting ``rest`` at ``|`` into ``parts`` pieces (a shape or a word may
    hold a ``|`` itself, so a feature name may be read more than one way)."""
    cuts = [i for i, ch in enumerate(rest) if ch == "|"]
    for chosen in combinations(cuts, parts - 1):
        bounds = (-1, *chosen, len(rest))
        yield tuple(rest[a + 1 : b] for a, b in pairwise(bounds))


def _readings(rest: str, parts: int) -> Sequence[tuple[str, ...]]:
    """:func:`_splits`, with the common case (no piece holds a ``|``) read by one split:
    building the lookups is part of every cold start."""
    pieces = rest.split("|")
    if len(pieces) == parts:
        return (tuple(pieces),)
    return list(_splits(rest, parts))


@dataclass(frozen=True)
class _KeyedRows:
    """Feature rows by integer key: a sorted key array searched for a whole document."""

    keys: NDArray[np.int64]
    rows: NDArray[np.int64]
    missing: int

    def rows_of(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        import numpy as np

        if not len(self.keys):
            return np.full(len(keys), self.missing, dtype=np.int64)
        at = np.searchsorted(self.keys, keys).clip(max=len(self.keys) - 1)
        return np.where(self.keys[at] == keys, self.rows[at], self.missing)


@dataclass(frozen=True)
class _TokenLookups:
    """The per-token features of :func:`features.token_features` and
    :class:`features.DocumentFlags`, turned into id lookups for one vocabulary."""

    shape_ids: dict[str, int]
    lower_ids: dict[str, int]
    sh3: _KeyedRows
    bigram: _KeyedRows
    flags: tuple[int, int, int]

    @classmethod
    def of(cls, vocab: dict[str, int], zero: int) -> _TokenLookups:
        import numpy as np

        shape_ids: dict[str, int] = {}
        lower_ids: dict[str, int] = {}
        sh3: dict[int, int] = {}
        bigram: dict[int, int] = {}
        for name, row in vocab.items():
            kind = name[:3]
            if kind == "sh3":
                if name[3] != "=":
                    continue
                for a, b, c in _readings(name[4:], 3):
                    ids = [shape_ids.setdefault(x, len(shape_ids)) for x in (a, b, c)]
                    sh3[(ids[0] * _KEY + ids[1]) * _KEY + ids[2]] = row
            elif kind == "bi=":
                for a, b in _readings(name[3:], 2):
                    ids = [lower_ids.setdefault(x, len(lower_ids)) for x in (a, b)]
                    bigram[ids[0] * _KEY + ids[1]] = row
        if max(len(shape_ids), len(lower_ids)) >= _UNKNOWN:
            raise ReaderError("entity model: too many shape or bigram features")

        def keyed(pairs: dict[int, int]) -> _KeyedRows:
            keys = np.fromiter(pairs, dtype=np.int64, count=len(pairs))
            order = np.argsort(keys)
            rows = np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))
            return _KeyedRows(keys[order], rows[order], zero)

        flags = tuple(vocab.get(f, zero) for f in DOCUMENT_FEATURES)
        return cls(shape_ids, lower_ids, keyed(sh3), keyed(bigram), (flags[0], flags[1], flags[2]))


def allowed_transitions() -> NDArray[np.bool_]:
    """``[previous, next]``: I-X may only follow B-X or I-X; row ``N_TAGS`` is the start."""
    import numpy as np

    ok = np.ones((N_TAGS + 1, N_TAGS), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            label = tag[2:]
            for i in range(N_TAGS + 1):
                prev = TAGS[i] if i < N_TAGS else "O"
                ok[i, j] = prev in (f"B-{label}", f"I-{label}")
    return ok


@dataclass
class TaggerModel:
    """Feature vocabulary, emission weights ``[feature, tag]`` and transitions
    ``[previous tag (+start), tag]``."""

    vocab: dict[str, int]
    weights: NDArray[np.float32]
    transitions: NDArray[np.float32]
    version: str
    """A digest of the weights: the catalog keys stored entity results by it."""
    _cache: FeatureCache | None = field(default=None, repr=False)
    _word_rows: dict[str, int] = field(default_factory=dict, repr=False)
    """Each word seen so far: its row in ``_word_table``."""
    _word_table: NDArray[np.float32] = field(default_factory=_empty_table, repr=False)
    _word_info: NDArray[np.int64] = field(default_factory=_empty_info, repr=False)
    """Per word row: the ids the per-token features are looked up by (``_SHAPE`` ...)."""
    _names: dict[str, int] = field(default_factory=dict, repr=False)
    """An id per string (words, their lower-case and title-case forms) for document flags."""
    _token_lookups: _TokenLookups | None = field(default=None, repr=False)
    _marks: NDArray[np.bool_] = field(default_factory=_no_marks, repr=False)

    @property
    def features(self) -> FeatureCache:
        if self._cache is None:
            self._cache = FeatureCache(self.vocab.get)
        return self._cache

    def emissions(self, feature_ids: list[list[int]]) -> NDArray[np.float32]:
        import numpy as np

        n = len(feature_ids)
        if n == 0:
            return np.zeros((0, N_TAGS), dtype=np.float32)
        lengths = np.fromiter((len(ids) for ids in feature_ids), dtype=np.int64, count=n)
        flat = np.fromiter((i for ids in feature_ids for i in ids), dtype=np.int64, count=int(lengths.sum()))
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        out = np.add.reduceat(self.weights[flat], starts, axis=0)
        out[lengths == 0] = 0.0
        return out

    def scores(self, words: list[str], starts: Sequence[bool] | NDArray[np.bool_]) -> NDArray[np.float32]:
        """Emission scores ``[token, tag]`` of a document; the same sums as
        :meth:`emissions` over :meth:`FeatureCache.sequence`, computed per word type: a
        word's own features and those it lends each neighbour are summed once, and the
        features built per token (shapes around it, the bigram before it, document flags)
        are found from per-word ids with array lookups, never a string per token."""
        import numpy as np

        n = len(words)
        if n == 0:
            return np.zeros((0, N_TAGS), dtype=np.float32)
        padded = pad(words)
        rows_of = self._word_rows
        missing = set(padded).difference(rows_of)
        if missing:
            self._add_words(list(missing), padded)
        positions = np.fromiter(map(rows_of.__getitem__, padded), dtype=np.int64, count=len(padded))
        table = self._word_table
        out: NDArray[np.float32] = table[positions[2 : n + 2], 0]
        for k, offset in enumerate(OFFSETS, start=1):
            out += table[positions[2 + offset : n + 2 + offset], k]
        lookups = self._lookups()
        weights = self._padded_weights()
        info = self._word_info[positions]
        shapes = info[:, _SHAPE]
        triples = (shapes[1 : n + 1] * _KEY + shapes[2 : n + 2]) * _KEY + shapes[3 : n + 3]
        out += weights[lookups.sh3.rows_of(triples)]
        lowers = info[:, _LOWER]
        out += weights[lookups.bigram.rows_of(lowers[1 : n + 1] * _KEY + lowers[2 : n + 2])]
        # Document flags of capitalised words (DocumentFlags), in the same order.
        own = info[2 : n + 2]
        cap = own[:, _CAP] == 1
        if cap.any():
            first, lower_seen, mid_cap = lookups.flags
            at_start = np.asarray(starts, dtype=bool)
            out[cap & at_start] += weights[first]
            lowered = own[own[:, _ISLOWER] == 1, _NAME]
            out[cap & self._among(own[:, _LOWER_NAME], lowered)] += weights[lower_seen]
            mid = own[cap & ~at_start & (own[:, _ISUPPER] == 0), _NAME]
            out[cap & self._among(own[:, _TITLED_NAME], mid)] += weights[mid_cap]
        return out

    def _among(self, names: NDArray[np.int64], members: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether each name id is one of ``members`` (``np.isin`` through a marked array
        kept between documents: ids are small, and a sort per document costs more)."""
        import numpy as np

        marks = self._marks
        if len(marks) < len(self._names):
            marks = self._marks = np.zeros(max(2 * len(self._names), 1024), dtype=bool)
        marks[members] = True
        found = marks[names]
        marks[members] = False
        return found

    def _lookups(self) -> _TokenLookups:
        found = self._token_lookups
        if found is None:
            found = self._token_lookups = _TokenLookups.of(self.vocab, len(self.weights))
        return found

    def _add_words(self, missing: list[str], padded: list[str]) -> None:
        """Add the ``[0 own | k neighbour offsets, tag]`` partial sums of words not seen yet
        to the word table, and their ids to the word info (arrays grown by doubling;
        emptied past the cache limit)."""
        import numpy as np

        rows_of = self._word_rows
        if len(rows_of) + len(missing) > _WORD_CACHE_LIMIT:
            rows_of.clear()
            self._names.clear()
            missing = list(dict.fromkeys(padded))
        lookup = self.vocab.get
        zero = len(self.weights)
        flat: list[int] = []
        starts: list[int] = []
        lookups = self._lookups()
        names = self._names
        info = np.empty((len(missing), _INFO_COLUMNS), dtype=np.int64)
        for i, w in enumerate(missing):
            for feats in (own_features(w), *(context_features(w, k) for k in OFFSETS)):
                starts.append(len(flat))
                flat.append(zero)
                for f in feats:
                    row = lookup(f)
                    if row is not None:
                        flat.append(row)
            lower = w.lower()
            upper = w.isupper()
            info[i] = (
                lookups.shape_ids.get(shape(w), _UNKNOWN),
                lookups.lower_ids.get(lower, _UNKNOWN),
                w[:1].isupper(),
                w.islower(),
                upper,
                names.setdefault(w, len(names)),
                names.setdefault(lower, len(names)),
                names.setdefault(w.capitalize() if upper else w, len(names)),
            )
        sums = np.add.reduceat(self._padded_weights()[np.asarray(flat)], np.asarray(starts), axis=0)
        used = len(rows_of)
        table = self._word_table
        if used + len(missing) > len(table):
            size = max(min(max(2 * len(table), 1024), _WORD_CACHE_LIMIT), used + len(missing))
            grown = np.zeros((size, 1 + len(OFFSETS), N_TAGS), np.float32)
            grown[:used] = table[:used]
            table = self._word_table = grown
            grown_info = np.zeros((size, _INFO_COLUMNS), np.int64)
            grown_info[:used] = self._word_info[:used]
            self._word_info = grown_info
        table[used : used + len(missing)] = sums.reshape(len(missing), 1 + len(OFFSETS), N_TAGS)
        self._word_info[used : used + len(missing)] = info
        for i, w in enumerate(missing, start=used):
            rows_of[w] = i

    def _padded_weights(self) -> NDArray[np.float32]:
        import numpy as np

        padded = getattr(self, "_with_zero", None)
        if padded is None or len(padded) != len(self.weights) + 1:
            padded = np.vstack([self.weights, np.zeros((1, N_TAGS), dtype=np.float32)])
            self._with_zero = padded
        return padded

    def decode(self, scores: NDArray[np.float32]) -> list[int]:
        """Best tag sequence of one document (:meth:`decode_many` of one)."""
        return self.decode_many([scores])[0]

    def decode_many(self, documents: Sequence[NDArray[np.float32]]) -> list[list[int]]:
        """Best tag sequence of each document's scores. Tokens plainly outside any name
        split the work into independent stretches, which is where nearly all the time would
        otherwise go. Stretches of the same length, from every document at once, are
        decoded together in a few array operations, with the same sums in the same order as
        a Viterbi pass over each stretch alone; a stretch never crosses a document's end."""
        import numpy as np

        sizes = [len(d) for d in documents]
        total = sum(sizes)
        if total == 0:
            return [[] for _ in documents]
        scores = np.concatenate([d for d in documents if len(d)]) if len(documents) > 1 else documents[0]
        ends = np.cumsum(sizes)
        # Per token: whether it opens or closes its document.
        opens = np.zeros(total + 1, dtype=bool)
        opens[ends - np.asarray(sizes)] = True
        closes = np.zeros(total, dtype=bool)
        closes[ends[np.asarray(sizes) > 0] - 1] = True
        plain = plainly_outside(scores, closes, self.transitions)
        tags = np.zeros(total, dtype=np.int64)
        busy = np.flatnonzero(~plain)
        if len(busy):
            self._decode_stretches(scores, busy, opens, closes, tags)
        out = tags.tolist()
        return [out[e - n : e] for n, e in zip(sizes, ends.tolist(), strict=True)]

    def _decode_stretches(
        self,
        scores: NDArray[np.float32],
        busy: NDArray[np.int64],
        opens: NDArray[np.bool_],
        closes: NDArray[np.bool_],
        tags: NDArray[np.int64],
    ) -> None:
        import numpy as np

        cut = np.flatnonzero((np.diff(busy) > 1) | opens[busy[1:]])
        firsts = np.concatenate((busy[:1], busy[cut + 1]))
        lasts = np.concatenate((busy[cut], busy[-1:]))
        lengths = lasts - firsts + 1
        trans = _constrained(self.transitions)
        inner = trans[:N_TAGS]
        enter = np.where(opens[firsts][:, None], trans[N_TAGS], trans[0])
        leave = np.where(closes[lasts][:, None], np.float32(0.0), inner[:, 0])
        # Every stretch steps together, longest first: at step t the stretches longer than
        # t are a prefix of that order, so each step is one array operation over them.
        order = np.argsort(-lengths, kind="stable")
        at, lengths = firsts[order], lengths[order]
        delta = enter[order] + scores[at]
        active = np.searchsorted(-lengths, -np.arange(1, int(lengths[0])), side="left").tolist()
        backs = []
        for t, k in enumerate(active, start=1):
            cand = delta[:k, :, None] + inner[None, :, :]
            back = cand.argmax(axis=1)
            backs.append(back)
            delta[:k] = np.take_along_axis(cand, back[:, None, :], axis=1)[:, 0] + scores[at[:k] + t]
        current = (delta + leave[order]).argmax(axis=1)
        for t in range(len(backs), 0, -1):
            k = active[t - 1]
            tags[at[:k] + t] = current[:k]
            current[:k] = backs[t - 1][np.arange(k), current[:k]]
        tags[at] = current

    def tag(self, text: str) -> list[Entity]:
        """Named entities of ``text`` (model labels only, before lexicon and rules)."""
        return self.tag_many([text])[0]

    @staticmethod
    def within_cuts(scores: NDArray[np.float32], tokens: Tokens) -> NDArray[np.float32]:
        """No name runs on into a token of ``tokens.cuts`` (no I- tag there): a heading's
        last word and the dateline under it, or one sentence's last name and the next
        one's first, are two names, whatever the weights say."""
        import numpy as np

        if tokens.cuts.any():
            scores[tokens.cuts, 2::2] = np.float32(-1e6)
        return scores

    def tag_many(self, texts: Sequence[str]) -> list[list[Entity]]:
        """:meth:`tag` of each text, decoded together; courtesy titles are left out of
        names (:func:`without_honorifics`), so are offices and ranks before a person's
        (:func:`without_titles`) and what a hyphen joins to a place's or
        organisation's name (:func:`without_compound_tails`), a surname keeps its particle
        (:func:`with_surname_particles`), and a text's mentions of one name agree
        (:func:`agreeing`)."""
        tokens = [read_tokens(text) for text in texts]
        tags = self.decode_many(
            [
                self.within_cuts(self.scores(truecased(text, t), t.starts), t)
                for text, t in zip(texts, tokens, strict=True)
            ]
        )
        return [
            names_of(text, spans_to_entities(text, t.begins, t.ends, g)) if t.words else []
            for text, t, g in zip(texts, tokens, tags, strict=True)
        ]


def names_of(text: str, decoded: list[Entity]) -> list[Entity]:
    """The names of ``text`` from its decoded spans, written as the gold sets write them,
    then made to agree (:meth:`TaggerModel.tag_many` lists the steps)."""
    names = without_honorifics(text, decoded)
    names = without_titles(names)
    names = without_compound_tails(names)
    names = with_surname_particles(text, names)
    return agreeing(names)


def agreeing(names: list[Entity]) -> list[Entity]:
    """A document's mentions of one name, made to agree on its label. What ends full names
    the text tags PERSON (and no other label) is that person ("Lukashenka" after "Alyaksandr
    Lukashenka", "El Guerrouj" after "Hicham El Guerrouj"); a lone "person" named only
    inside organisations' names, more often than alone, is the organisation, and a short
    "organisation" ending in a word called a person alone more often is that person (both
    below); then a string tagged with several labels takes the one most of its mentions
    have, where one has more than any other. Chosen on development data (README)."""
    if len(names) < 2:
        return names
    surnames: dict[str, set[str]] = {}
    alone: dict[str, int] = {}
    several: list[tuple[list[str], str]] = []
    for e in names:
        text, label = e.text, e.label
        if " " not in text and "\n" not in text:
            if label == "PERSON":
                alone[text] = alone.get(text, 0) + 1
            continue
        words = text.split()
        several.append((words, label))
        for k in range(1, len(words)):
            surnames.setdefault(" ".join(words[k:]), set()).add(label)
    # Only words also named alone as persons matter below: the rest are not counted.
    parts: dict[str, set[str]] = {}
    in_orgs: dict[str, int] = {}
    orgs: dict[str, int] = {}
    for words, label in several:
        for word in words:
            if word in alone:
                parts.setdefault(word, set()).add(label)
        if label == "ORG":
            for word in set(words):
                if word in alone:
                    in_orgs[word] = in_orgs.get(word, 0) + 1
            if len(words) <= 3 and words[-1] in alone:
                key = " ".join(words)
                orgs[key] = orgs.get(key, 0) + 1
    # A lone "person" named only inside organisations' names, more often than alone, is
    # the organisation ("Domecq" beside "Allied Domecq" four times).
    firms = {word for word, labels in parts.items() if labels == {"ORG"} and in_orgs[word] > alone[word]}
    # A short "organisation" ending in a word the text calls a person alone more often
    # is that person, misread ("Phillips Idowu" beside "Idowu" four times).
    people = {
        text
        for text, n in orgs.items()
        if alone[last := text.split()[-1]] > n
        and last not in firms
        and all(word[:1].isupper() and word.isalpha() for word in text.split())
    }
    out = [
        Entity(e.start, e.end, "PERSON", e.text)
        if e.label != "PERSON" and surnames.get(e.text) == {"PERSON"}
        else e
        for e in names
    ]
    if firms or people:
        out = [
            Entity(e.start, e.end, "PERSON", e.text)
            if e.label == "ORG" and e.text in people
            else Entity(e.start, e.end, "ORG", e.text)
            if e.label == "PERSON" and e.text in firms
            else e
            for e in out
        ]
    # One count of (string, label) pairs, not a Counter per string: most strings have
    # one label, and a text can hold thousands of names.
    pairs = Counter((e.text, e.label) for e in out)
    first: dict[str, str] = {}
    mixed = {text for text, label in pairs if first.setdefault(text, label) != label}
    if not mixed:
        return out
    counted: dict[str, list[tuple[int, str]]] = {}
    for (text, label), n in pairs.items():
        if text in mixed:
            counted.setdefault(text, []).append((n, label))
    chosen = {}
    for text, found in counted.items():
        found.sort(key=lambda c: -c[0])
        (n, top), (m, _) = found[:2]
        if n > m:
            chosen[text] = top
    if not chosen:
        return out
    relabel = chosen.get
    return [Entity(e.start, e.end, relabel(e.text, e.label), e.text) if e.text in chosen else e for e in out]


def spans_to_entities(text: str, begins: list[int], ends: list[int], tags: list[int]) -> list[Entity]:
    """Entities from BIO tags over tokens with these offsets (an I- tag without its B- opens
    a name). Tags are ``O`` (0), then ``B-`` (odd) and ``I-`` (even) of each label in turn."""
    import numpy as np

    tagged = np.fromiter(tags, dtype=np.int64, count=len(tags))
    at = np.flatnonzero(tagged)
    if not len(at):
        return []
    found = tagged[at]
    label = (found - 1) >> 1
    # A token carries on the name before it: an I- tag right after a token of its label.
    carries = np.zeros(len(at), dtype=bool)
    carries[1:] = ((found[1:] & 1) == 0) & (at[1:] == at[:-1] + 1) & (label[1:] == label[:-1])
    firsts = np.flatnonzero(~carries)
    lasts = np.empty_like(firsts)
    lasts[:-1] = firsts[1:] - 1
    lasts[-1] = len(at) - 1
    return [
        Entity(begins[a], ends[b], LABELS[k], text[begins[a] : ends[b]])
        for a, b, k in zip(at[firsts].tolist(), at[lasts].tolist(), label[firsts].tolist(), strict=True)
    ]


_HONORIFIC = re.compile(r"(?<![\w.'’-])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Messrs|Mme|Mlle)\.?[ \t]+(?=\S)")
"""A courtesy title before a name ("Mr Campbell", "Dr. Rice"): not part of the name in
CoNLL, OntoNotes or UNER, and rare in the Reuters text the model learned from."""
_HONORIFIC_ALONE = re.compile(r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Messrs|Mme|Mlle)\.?")
_ANY_HONORIFIC = re.compile("Mr|Ms|Mx|Dr|Prof|Messrs|Mme|Mlle")
"""Text holding none of these (as a part of any word) holds no courtesy title."""


def without_honorifics(text: str, names: list[Entity]) -> list[Entity]:
    """Names with courtesy titles taken out: "Mr Brown" is the person "Brown", and a span
    run on across one ("Times Mr Campbell") is cut there, the part after it a person."""
    if not _ANY_HONORIFIC.search(text):
        return names
    out: list[Entity] = []
    for e in names:
        if not _ANY_HONORIFIC.search(text, e.start, e.end):
            out.append(e)
            continue
        start, label = e.start, e.label
        for m in _HONORIFIC.finditer(text, e.start, e.end):
            end = len(text[start : m.start()].rstrip()) + start
            if end > start:
                out.append(Entity(start, end, label, text[start:end]))
            start, label = m.end(), "PERSON"
        if e.end > start and not _HONORIFIC_ALONE.fullmatch(text, start, e.end):
            out.append(Entity(start, e.end, label, text[start : e.end]))
    return out


_COMPOUND_TAIL = re.compile(
    r"(?:-(?:[a-z]{3,}(?:ed|ing)|born|bred|run|held|made|led|built|bound|driven|ridden|"
    r"stricken|torn|wide|style))+$"
)
"""What a hyphen joins to a name to make a modifier of it: "Moscow-based", "Hezbollah-led",
"El Nino-driven", "Scotland-born". Three letters before "-ed"/"-ing" at least, so that
the syllables of Chinese given names ("Chou Chi-ping", "Lin I-hsien") are not taken."""
_TAIL_KEPT = frozenset(("NORP", "MISC"))
"""Labels for which the whole compound is the name: CoNLL tags "Iranian-backed" and
"Toronto-based" MISC, and the model, reading such a word as MISC or NORP, follows it."""


_WORD = re.compile(r"\S+")
_TITLES_KEPT = frozenset(
    ("King", "Queen", "Prince", "Princess", "Crown", "Lord", "Lady", "Dame", "Pope")
    + ("Emperor", "Sultan", "Shah", "Emir", "Czar", "Tsar")
)
"""Titles that stay in a person's name: CoNLL-2003 tags "King Hussein" and "Prince
Charles" both ways, and a reader looks for the monarch by the whole."""


def without_titles(names: list[Entity]) -> list[Entity]:
    """A person's name without the offices, ranks and religious titles before it
    ("Marshal Igor Sergeev" is "Igor Sergeev", "Field Marshal Montgomery" is "Montgomery"),
    as CoNLL-2003, OntoNotes and UNER write names: the titles of the gazetteer, longest
    first, while a capitalised word still follows."""
    from reader.ner.features import title_openings, title_words

    titles, openings = title_words(), title_openings()
    out = names
    for k, e in enumerate(names):
        if e.label != "PERSON" or " " not in e.text or e.text.split(None, 1)[0] not in openings:
            continue
        words = [(m.group(), m.start()) for m in _WORD.finditer(e.text)]
        cut = 0
        while cut < len(words) - 1 and words[cut][0] not in _TITLES_KEPT:
            size = next(
                (
                    n
                    for n in (4, 3, 2, 1)
                    if cut + n < len(words) and " ".join(w for w, _ in words[cut : cut + n]) in titles
                ),
                0,
            )
            if not size:
                break
            cut += size
        if cut and words[cut][0][:1].isupper():
            start = e.start + words[cut][1]
            if out is names:
                out = list(names)
            out[k] = Entity(start, e.end, e.label, e.text[words[cut][1] :])
    return out


def without_compound_tails(names: list[Entity]) -> list[Entity]:
    """A place, organisation or person named in a compound modifier is the name alone:
    "Moscow-based" is the place "Moscow", as OntoNotes, UNER and NIST's IE-ER mark it (the
    model reads the compound as one word, taught by OntoNotes' words joined at hyphens)."""
    out = names
    for k, e in enumerate(names):
        if "-" not in e.text or e.label in _TAIL_KEPT:
            continue
        tail = _COMPOUND_TAIL.search(e.text)
        if tail and tail.start() > 0:
            if out is names:
                out = list(names)
            out[k] = Entity(e.start, e.start + tail.start(), e.label, e.text[: tail.start()])
    return out


_PARTICLE = re.compile(
    r"(?:^|(?<=[^\w.'’-]))(?:de|del|della|der|den|van|von|da|di|du|dos|das|bin|ibn)[ \t]+$"
)
"""A lower-case particle that opens a surname: "del Ponte", "de Klerk", "von Braun"."""
_DETERMINERS = frozenset(("the", "a", "an", "his", "her", "their", "its", "this", "that", "The", "A"))
"""Words after which "van" is a vehicle, not a particle ("the van Smith drove")."""


def with_surname_particles(text: str, names: list[Entity]) -> list[Entity]:
    """A person's surname keeps the lower-case particle that opens it ("del Ponte said",
    where the model found "Ponte"), as the gold sets write the name."""
    out = names
    for k, e in enumerate(names):
        if e.label != "PERSON" or e.start < 3:
            continue
        particle = _PARTICLE.search(text, max(0, e.start - 12), e.start)
        if particle is None:
            continue
        before = text[max(0, particle.start() - 8) : particle.start()].split()
        if before and before[-1] in _DETERMINERS:
            continue
        if out is names:
            out = list(names)
        out[k] = Entity(particle.start(), e.end, e.label, text[particle.start() : e.end])
    return out


_BOUNDS: dict[bytes, tuple[float, NDArray[np.float64]]] = {}
_CONSTRAINED: dict[bytes, NDArray[np.float32]] = {}


def _constrained(transitions: NDArray[np.float32]) -> NDArray[np.float32]:
    import numpy as np

    key = transitions.tobytes()
    out = _CONSTRAINED.get(key)
    if out is None:
        out = np.where(allowed_transitions(), transitions, np.float32(-1e6)).astype(np.float32)
        _CONSTRAINED.clear()
        _CONSTRAINED[key] = out
    return out


def outside_bound(transitions: NDArray[np.float32]) -> tuple[float, NDArray[np.float64]]:
    """What the transitions can give a name over O, for :func:`plainly_outside`.

    Take a best path that names token ``i`` X, its name running on as I-X to ``j``, and
    make ``i`` to ``j`` O. The way in (into ``i``) and the way out (after ``j``, to O or
    any B-, both allowed after O) change by at most ``ends`` together; each token after
    ``i`` that was I-X now follows O with O, losing at most ``inside[X]``."""
    import numpy as np

    key = transitions.tobytes()
    found = _BOUNDS.get(key)
    if found is not None:
        return found
    c = _constrained(transitions).astype(np.float64)
    ok = allowed_transitions()
    into = np.where(ok[:, 1:], c[:, 1:] - c[:, :1], -np.inf).max()
    inner = c[:N_TAGS]
    out_to = np.zeros(N_TAGS, dtype=bool)
    out_to[0] = out_to[1::2] = True  # O and every B-: the tags that may follow O
    leave = np.where(ok[1:N_TAGS] & out_to, inner[1:] - inner[0], -np.inf).max()
    inside = np.maximum(inner[1::2, 2::2].diagonal(), inner[2::2, 2::2].diagonal()) - inner[0, 0]
    if len(_BOUNDS) > 8:
        _BOUNDS.clear()
    found = _BOUNDS[key] = (float(into + max(leave, 0.0)), inside)
    return found


def plainly_outside(
    scores: NDArray[np.float32], closes: NDArray[np.bool_], transitions: NDArray[np.float32]
) -> NDArray[np.bool_]:
    """Tokens that are O on every best path, so each can be decided alone.

    For each label X and every way a name X through token ``i`` could run on to a token
    ``j`` of the same document, the path that makes ``i``..``j`` O instead must score
    higher (:func:`outside_bound`): O's lead over B-X/I-X at ``i``, plus O's lead over
    I-X at each token after it less ``inside[X]``, beats ``ends``. The worst ``j`` for
    each ``i`` is a running minimum from the document's end. ``closes`` marks the last
    token of each document."""
    import numpy as np

    ends, inside = outside_bound(transitions)
    # Worked from the last token back, so the worst run from each token is a running
    # maximum over contiguous arrays: with ``c`` the sum of the steps before a token
    # (in this order), a run from ``i`` back to ``j`` adds ``c[i] - c[j]``.
    backwards = scores[::-1]
    outside = backwards[:, :1]
    lead = outside - np.maximum(backwards[:, 1::2], backwards[:, 2::2])
    step = np.subtract(outside, backwards[:, 2::2], dtype=np.float64)
    step -= inside
    # A name never runs into the next document: a token that opens one adds a step no
    # run within a document can make up (and small enough for the sums to stay exact
    # to well under the slack below).
    opens = np.zeros(len(scores), dtype=bool)
    opens[1:] = closes[:-1]
    step[opens[::-1]] = 1e9
    before = np.cumsum(step, axis=0)
    before -= step
    run = before - np.maximum.accumulate(before, axis=0)
    run += lead
    margin = run.min(axis=1)[::-1]
    # The slack covers float32 rounding in the path sums the bound is compared with.
    plain: NDArray[np.bool_] = margin > ends + 1e-3
    return plain


def read_model(data: bytes, source: str) -> TaggerModel:
    """A model from the bytes of an ``.npz`` file; anything else is a one-line error."""
    import numpy as np

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            weights = npz["weights"].astype(np.float32)
            transitions = npz["transitions"].astype(np.float32)
            raw_names = npz["features"].tobytes()
            names = raw_names.decode("utf-8").split("\n")
            tags = npz["tags"].tobytes().decode("utf-8").split("\n")
    except (OSError, ValueError, KeyError, EOFError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        raise ReaderError(f"{source}: not an entity model ({exc})") from None
    if tuple(tags) != TAGS:
        raise ReaderError(f"{source}: entity model has tags {tags[:3]}..., expected {TAGS[:3]}...")
    if weights.shape != (len(names), N_TAGS) or transitions.shape != (N_TAGS + 1, N_TAGS):
        raise ReaderError(f"{source}: entity model arrays have the wrong shape")
    if not (np.isfinite(weights).all() and np.isfinite(transitions).all()):
        raise ReaderError(f"{source}: entity model has non-finite weights")
    vocab = {name: i for i, name in enumerate(names)}
    return TaggerModel(vocab, weights, transitions, version=model_version(data))


def model_version(data: bytes) -> str:
    """A model's version: the start of its file's SHA-256 (known without decoding it)."""
    return "model-" + hashlib.sha256(data).hexdigest()[:12]


def model_bytes(
    vocab: dict[str, int], weights: NDArray[np.float32], transitions: NDArray[np.float32]
) -> bytes:
    """An ``.npz`` of a model (float16 emissions, compressed)."""
    import numpy as np

    names = sorted(vocab, key=vocab.__getitem__)
    if any("\n" in n for n in names):
        raise ValueError("feature names must not contain newlines")
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        weights=weights.astype(np.float16),
        transitions=transitions.astype(np.float32),
        features=np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        tags=np.frombuffer("\n".join(TAGS).encode("utf-8"), dtype=np.uint8),
    )
    return buf.getvalue()


@lru_cache(maxsize=1)
def packaged_model() -> TaggerModel:
    try:
        data = PACKAGED.read_bytes()
    except OSError as exc:
        raise ReaderError(f"{PACKAGED}: the packaged entity model is missing ({exc.strerror})") from None
    return read_model(data, str(PACKAGED))


__all__ = ["LABELS", "TAGS", "TaggerModel", "packaged_model", "read_model", "model_bytes"]
