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
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.models import Entity
from reader.ner.features import (
    LABELS,
    OFFSETS,
    TAGS,
    DocumentFlags,
    FeatureCache,
    context_features,
    own_features,
    pad,
    sentence_starts,
    shape,
    tokenize,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

PACKAGED = Path(__file__).resolve().parent.parent / "data" / "ner-model.npz"
N_TAGS = len(TAGS)
_OUTSIDE_MARGIN = 6.0
"""A token whose "O" score beats every other tag by this much is decided alone."""
_WORD_CACHE_LIMIT = 200_000
"""Word types whose partial sums are kept (about 50 MB); past it the table starts over."""


def _empty_table() -> NDArray[np.float32]:
    import numpy as np

    return np.zeros((0, 1 + len(OFFSETS), N_TAGS), dtype=np.float32)


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

    def scores(self, words: list[str], starts: list[bool]) -> NDArray[np.float32]:
        """Emission scores ``[token, tag]`` of a document; the same sums as
        :meth:`emissions` over :meth:`FeatureCache.sequence`, computed per word type: a
        word's own features and those it lends each neighbour are summed once, then
        added up for every token in a few array operations."""
        import numpy as np

        n = len(words)
        if n == 0:
            return np.zeros((0, N_TAGS), dtype=np.float32)
        padded = pad(words)
        rows_of = self._word_rows
        missing = [w for w in dict.fromkeys(padded) if w not in rows_of]
        if missing:
            self._add_words(missing, padded)
        table = self._word_table
        positions = np.fromiter(map(rows_of.__getitem__, padded), dtype=np.int64, count=len(padded))
        out: NDArray[np.float32] = table[positions[2 : n + 2], 0]
        for k, offset in enumerate(OFFSETS, start=1):
            out += table[positions[2 + offset : n + 2 + offset], k]
        # The per-token features of features.token_features, built with comprehensions;
        # an unknown feature reads the zero row appended to the weights.
        weights = self._padded_weights()
        zero = len(self.weights)
        get = self.vocab.get
        shapes = [shape(w) for w in padded]
        lowers = [w.lower() for w in padded]
        sh3 = [
            get("sh3=" + a + "|" + b + "|" + c, zero)
            for a, b, c in zip(shapes[1 : n + 1], shapes[2 : n + 2], shapes[3 : n + 3], strict=False)
        ]
        bi = [
            get("bi=" + a + "|" + b, zero) for a, b in zip(lowers[1 : n + 1], lowers[2 : n + 2], strict=False)
        ]
        out += weights[sh3]
        out += weights[bi]
        flags = DocumentFlags(words, starts)
        rows: list[int] = []
        toks: list[int] = []
        for i, w in enumerate(words):
            if w[:1].isupper():
                for f in flags.of(w, starts[i]):
                    rows.append(get(f, zero))
                    toks.append(i)
        if rows:
            np.add.at(out, np.asarray(toks), weights[rows])
        return out

    def _add_words(self, missing: list[str], padded: list[str]) -> None:
        """Add the ``[0 own | k neighbour offsets, tag]`` partial sums of words not seen yet
        to the word table (one array, grown by doubling; emptied past the cache limit)."""
        import numpy as np

        rows_of = self._word_rows
        if len(rows_of) + len(missing) > _WORD_CACHE_LIMIT:
            rows_of.clear()
            missing = list(dict.fromkeys(padded))
        lookup = self.vocab.get
        zero = len(self.weights)
        flat: list[int] = []
        starts: list[int] = []
        for w in missing:
            for feats in (own_features(w), *(context_features(w, k) for k in OFFSETS)):
                starts.append(len(flat))
                flat.append(zero)
                for f in feats:
                    row = lookup(f)
                    if row is not None:
                        flat.append(row)
        sums = np.add.reduceat(self._padded_weights()[np.asarray(flat)], np.asarray(starts), axis=0)
        used = len(rows_of)
        table = self._word_table
        if used + len(missing) > len(table):
            size = max(min(max(2 * len(table), 1024), _WORD_CACHE_LIMIT), used + len(missing))
            grown = np.zeros((size, 1 + len(OFFSETS), N_TAGS), np.float32)
            grown[:used] = table[:used]
            table = self._word_table = grown
        table[used : used + len(missing)] = sums.reshape(len(missing), 1 + len(OFFSETS), N_TAGS)
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
        """Best tag sequence; tokens plainly outside any name split the work into
        independent stretches, which is where nearly all the time would otherwise go.
        Stretches of one and two tokens (nearly all of them in news) are decoded together
        in a few array operations, with the same sums in the same order as
        :meth:`_viterbi`, which decodes the longer ones."""
        import numpy as np

        n = len(scores)
        if n == 0:
            return []
        best = scores.argmax(axis=1)
        runner_up = np.partition(scores[:, 1:], -1, axis=1)[:, -1]
        plain = (best == 0) & (scores[:, 0] - runner_up > _OUTSIDE_MARGIN)
        tags = [0] * n
        busy = np.flatnonzero(~plain)
        if not len(busy):
            return tags
        cut = np.flatnonzero(np.diff(busy) > 1)
        firsts = np.concatenate((busy[:1], busy[cut + 1]))
        lasts = np.concatenate((busy[cut], busy[-1:]))
        lengths = lasts - firsts + 1
        trans = _constrained(self.transitions)
        inner = trans[:N_TAGS]
        enter = np.where((firsts > 0)[:, None], trans[0], trans[N_TAGS])
        leave = np.where((lasts + 1 < n)[:, None], inner[:, 0], np.float32(0.0))
        one = np.flatnonzero(lengths == 1)
        if len(one):
            alone = (enter[one] + scores[firsts[one]]) + leave[one]
            for i, tag in zip(firsts[one].tolist(), alone.argmax(axis=1).tolist(), strict=True):
                tags[i] = tag
        two = np.flatnonzero(lengths == 2)
        if len(two):
            at = firsts[two]
            cand = (enter[two] + scores[at])[:, :, None] + inner[None, :, :]
            back = cand.argmax(axis=1)
            last = (cand.max(axis=1) + scores[at + 1]) + leave[two]
            second = last.argmax(axis=1)
            first = back[np.arange(len(two)), second]
            for i, a, b in zip(at.tolist(), first.tolist(), second.tolist(), strict=True):
                tags[i], tags[i + 1] = a, b
        for k in np.flatnonzero(lengths > 2).tolist():
            start, end = int(firsts[k]), int(lasts[k])
            tags[start : end + 1] = self._viterbi(
                scores[start : end + 1], after_outside=start > 0, before_outside=end + 1 < n
            )
        return tags

    def _viterbi(
        self, scores: NDArray[np.float32], after_outside: bool = False, before_outside: bool = False
    ) -> list[int]:
        """Best path over ``scores``; the stretch may follow and precede tokens fixed as O."""
        import numpy as np

        trans = _constrained(self.transitions)
        n = len(scores)
        if n == 1:
            alone = (trans[0] if after_outside else trans[N_TAGS]) + scores[0]
            if before_outside:
                alone = alone + trans[:N_TAGS, 0]
            return [int(alone.argmax())]
        back = np.zeros((n, N_TAGS), dtype=np.int64)
        delta = (trans[0] if after_outside else trans[N_TAGS]) + scores[0]
        inner = trans[:N_TAGS]
        for t in range(1, n):
            cand = delta[:, None] + inner
            back[t] = cand.argmax(axis=0)
            delta = cand.max(axis=0) + scores[t]
        if before_outside:
            delta = delta + inner[:, 0]
        path = [int(delta.argmax())]
        for t in range(n - 1, 0, -1):
            path.append(int(back[t, path[-1]]))
        path.reverse()
        return path

    def tag(self, text: str) -> list[Entity]:
        """Named entities of ``text`` (model labels only, before lexicon and rules)."""
        tokens = tokenize(text)
        if not tokens:
            return []
        words = [text[s:e] for s, e in tokens]
        starts = sentence_starts(text, tokens)
        tags = self.decode(self.scores(words, starts))
        return spans_to_entities(text, tokens, tags)


def spans_to_entities(text: str, tokens: list[tuple[int, int]], tags: list[int]) -> list[Entity]:
    out: list[Entity] = []
    current: tuple[int, int, str] | None = None
    last = -2
    for i in [i for i, t in enumerate(tags) if t]:
        tag = TAGS[tags[i]]
        start, end = tokens[i]
        if tag[0] == "I" and current and current[2] == tag[2:] and last == i - 1:
            current = (current[0], end, current[2])
        else:
            if current:
                out.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
            current = (start, end, tag[2:])
        last = i
    if current:
        out.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
    return out


_CONSTRAINED: dict[int, NDArray[np.float32]] = {}


def _constrained(transitions: NDArray[np.float32]) -> NDArray[np.float32]:
    import numpy as np

    key = id(transitions)
    out = _CONSTRAINED.get(key)
    if out is None:
        out = np.where(allowed_transitions(), transitions, np.float32(-1e6)).astype(np.float32)
        _CONSTRAINED.clear()
        _CONSTRAINED[key] = out
    return out


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
