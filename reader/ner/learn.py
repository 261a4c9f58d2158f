"""Learning from corrections: the structured perceptron, and the personal model.

:class:`Perceptron` is the one training loop, used by ``training/train_ner.py`` to build
the packaged model from CoNLL-2003 and by ``reader learn`` to adapt a copy of it to the
user's own corrections. A correction is an annotation whose tag is an entity label, a
lexicon row teaching a label, or a rejected surface. The rest of each corrected dispatch
keeps what the current model says, so a handful of corrections move the model without
making it forget.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.ner.features import LABELS, TAGS, FeatureCache, read_tokens
from reader.ner.model import N_TAGS, TaggerModel, allowed_transitions, model_bytes, read_model

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Example = tuple[list[list[int]], list[int]]
"""Feature ids per token and the gold tag ids of one document."""


def viterbi(scores: NDArray[np.float32], trans: NDArray[np.float32]) -> list[int]:
    """Best tag path over ``scores`` with ``trans[previous (+start), next]``."""
    import numpy as np

    n = len(scores)
    back = np.zeros((n, N_TAGS), dtype=np.int64)
    delta = trans[N_TAGS] + scores[0]
    inner = trans[:N_TAGS]
    for t in range(1, n):
        cand = delta[:, None] + inner
        back[t] = cand.argmax(axis=0)
        delta = cand.max(axis=0) + scores[t]
    path = [int(delta.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


class Perceptron:
    """Structured perceptron with averaging (the ``w - u / c`` trick), over emission
    weights ``[feature, tag]`` and transitions ``[previous tag (+start), tag]``."""

    def __init__(
        self, weights: NDArray[np.float32], transitions: NDArray[np.float32], step: float = 1.0
    ) -> None:
        import numpy as np

        self.step = step
        """Update size for the rows given (a trained model's: small, so a few corrections
        shift it rather than overwrite it); rows added by :meth:`grow` move by 1."""
        self.known = len(weights)
        self.w = weights.astype(np.float32, copy=True)
        self.u = np.zeros_like(self.w)
        self.t = transitions.astype(np.float32, copy=True)
        self.tu = np.zeros_like(self.t)
        self.c = 1.0
        self.mask = allowed_transitions()

    def grow(self, n_features: int) -> None:
        """Add zero rows for features first seen after construction."""
        import numpy as np

        extra = n_features - len(self.w)
        if extra > 0:
            pad = np.zeros((extra, N_TAGS), dtype=np.float32)
            self.w = np.vstack([self.w, pad])
            self.u = np.vstack([self.u, pad])

    def scores(self, ids: list[list[int]], w: NDArray[np.float32]) -> NDArray[np.float32]:
        import numpy as np

        lengths = [len(x) for x in ids]
        flat = np.fromiter((i for x in ids for i in x), dtype=np.int64, count=sum(lengths))
        starts = np.zeros(len(ids), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        if not len(flat):
            return np.zeros((len(ids), N_TAGS), dtype=np.float32)
        out = np.add.reduceat(w[flat], np.minimum(starts, len(flat) - 1), axis=0)
        out[np.asarray(lengths) == 0] = 0.0
        return out

    def predict(self, ids: list[list[int]], w: NDArray[np.float32], t: NDArray[np.float32]) -> list[int]:
        import numpy as np

        return viterbi(self.scores(ids, w), np.where(self.mask, t, np.float32(-1e6)))

    def update(self, ids: list[list[int]], gold: list[int]) -> bool:
        """One perceptron step on one sequence; whether it was wrong."""
        import numpy as np

        pred = self.predict(ids, self.w, self.t)
        wrong = pred != gold
        if wrong:
            rows: list[int] = []
            cols: list[int] = []
            vals: list[float] = []
            for feats, g, p in zip(ids, gold, pred, strict=False):
                if g != p:
                    rows += feats * 2
                    cols += [g] * len(feats) + [p] * len(feats)
                    vals += [1.0] * len(feats) + [-1.0] * len(feats)
            r = np.asarray(rows, dtype=np.int64)
            cc = np.asarray(cols, dtype=np.int64)
            v = np.asarray(vals, dtype=np.float32)
            if self.step != 1.0:
                v = np.where(r < self.known, v * np.float32(self.step), v)
            np.add.at(self.w, (r, cc), v)
            np.add.at(self.u, (r, cc), v * self.c)
            prev_g = prev_p = N_TAGS
            for g, p in zip(gold, pred, strict=False):
                if (prev_g, g) != (prev_p, p):
                    self.t[prev_g, g] += self.step
                    self.tu[prev_g, g] += self.step * self.c
                    self.t[prev_p, p] -= self.step
                    self.tu[prev_p, p] -= self.step * self.c
                prev_g, prev_p = g, p
        self.c += 1
        return wrong

    def train(self, examples: Sequence[Example], epochs: int, seed: int = 20031) -> None:
        rng = random.Random(seed)
        order = list(range(len(examples)))
        for _ in range(epochs):
            rng.shuffle(order)
            for k in order:
                ids, gold = examples[k]
                if ids:
                    self.update(ids, gold)

    def averaged(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        return self.w - self.u / self.c, self.t - self.tu / self.c


@dataclass(frozen=True)
class Correction:
    """The user's word on a span of a dispatch: an entity label, or ``None`` for "not an
    entity"."""

    start: int
    end: int
    label: str | None


def _mentions(surface: str, text: str) -> list[tuple[int, int]]:
    """Where ``surface`` occurs in ``text`` as whole words."""
    import re

    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)]


def corrections_in(
    text: str,
    annotations: Iterable[tuple[int, int, str]],
    taught: Iterable[tuple[str, str]],
    rejected: Iterable[str],
) -> list[Correction]:
    """Corrections on ``text``: its entity-label annotations, the other mentions of an
    annotated name in the same text (the user labelled "Zorblatt" once; every "Zorblatt"
    of that dispatch is the same company, unless annotated otherwise), and every
    occurrence of a taught or rejected surface."""
    out = [Correction(s, e, label) for s, e, label in annotations if label in LABELS]
    for given in list(out):
        surface = text[given.start : given.end]
        for start, end in _mentions(surface, text):
            if not any(start < c.end and c.start < end for c in out):
                out.append(Correction(start, end, given.label))
    for surface, label in taught:
        if label in LABELS:
            out += [Correction(start, end, label) for start, end in _mentions(surface, text)]
    for surface in rejected:
        out += [Correction(start, end, None) for start, end in _mentions(surface, text)]
    return out


def gold_tags(model: TaggerModel, text: str, corrections: Sequence[Correction]) -> list[int]:
    """Tags for ``text``: the model's own, overruled wherever the user corrected a span."""
    read = read_tokens(text)
    tokens = list(zip(read.begins, read.ends, strict=True))
    found = [(e.start, e.end, e.label) for e in model.tag(text)]
    spans = [s for s in found if not any(s[0] < c.end and c.start < s[1] for c in corrections)]
    spans += [(c.start, c.end, c.label) for c in corrections if c.label is not None]
    index = {t: i for i, t in enumerate(TAGS)}
    tags = [0] * len(tokens)
    for start, end, label in spans:
        inside = [k for k, (s, e) in enumerate(tokens) if s >= start and e <= end]
        for n, k in enumerate(inside):
            tags[k] = index[("B-" if n == 0 else "I-") + label]
    return tags


PERSONAL_STEP = 0.05
"""How far one correction moves the packaged model's weights (whose typical size is about 1).
At 1, a handful of corrected dispatches overwrote what it knew (F1 on new text fell from
0.146 to 0.038 after 5: ``benchmarks/learning_curve.py``); words it never saw learn at 1."""


def personal_model(
    base: TaggerModel, documents: Sequence[tuple[str, Sequence[Correction]]], epochs: int = 8
) -> bytes:
    """A copy of ``base`` trained further on corrected ``documents``; the ``.npz`` bytes.

    New words (a company the base model never saw) get new feature rows.
    """
    vocab = dict(base.vocab)

    def lookup(name: str) -> int | None:
        i = vocab.get(name)
        if i is None:
            i = vocab[name] = len(vocab)
        return i

    cache = FeatureCache(lookup)
    examples: list[Example] = []
    for text, corrections in documents:
        tokens = read_tokens(text)
        if not tokens.words:
            continue
        ids = cache.sequence(tokens.words, tokens.starts.tolist())
        examples.append((ids, gold_tags(base, text, corrections)))
    learner = Perceptron(base.weights, base.transitions, step=PERSONAL_STEP)
    learner.grow(len(vocab))
    learner.train(examples, epochs)
    w, t = learner.averaged()
    return model_bytes(vocab, w, t)


def load_personal(data: bytes, source: str) -> TaggerModel:
    return read_model(data, source)


@dataclass(frozen=True)
class LearnReport:
    """What ``reader learn`` did: how many corrections, and how many of them the model
    gets right before and after."""

    dispatches: int
    corrections: int
    agreed_before: int
    agreed_after: int
    features: int


def agreement(model: TaggerModel, documents: Sequence[tuple[str, Sequence[Correction]]]) -> int:
    """How many corrections the model already honours: a labelled span found exactly
    with its label, a rejected span not found."""
    agreed = 0
    for text, corrections in documents:
        found = {(e.start, e.end): e.label for e in model.tag(text)}
        for c in corrections:
            if c.label is None:
                agreed += not any(s < c.end and c.start < e for s, e in found)
            else:
                agreed += found.get((c.start, c.end)) == c.label
    return agreed


def collect(
    corpus: object,
    records: Iterable[tuple[str, int, int, str]],
    taught: Sequence[tuple[str, str]],
    rejected: Sequence[str],
    per_surface: int = 20,
) -> list[tuple[str, list[Correction]]]:
    """The corrected dispatches of a corpus (a :class:`reader.corpus.DispatchSource`):
    those with entity-label annotations, and up to ``per_surface`` holding each taught or
    rejected surface."""
    by_dispatch: dict[str, list[tuple[int, int, str]]] = {}
    for dispatch_id, start, end, tag in records:
        if tag in LABELS:
            by_dispatch.setdefault(dispatch_id, []).append((start, end, tag))
    ids = list(by_dispatch)
    seen = set(ids)
    for surface in [s for s, _ in taught] + list(rejected):
        for n, dispatch_id in enumerate(corpus.matching_ids(surface, case=True)):  # type: ignore[attr-defined]
            if n >= per_surface:
                break
            if dispatch_id not in seen:
                seen.add(dispatch_id)
                ids.append(dispatch_id)
    out: list[tuple[str, list[Correction]]] = []
    for dispatch_id in ids:
        dispatch = corpus.get(dispatch_id)  # type: ignore[attr-defined]
        if dispatch is None:
            continue
        spans = [
            (s, e, label)
            for s, e, label in by_dispatch.get(dispatch_id, [])
            if dispatch.text[s:e].strip()  # an annotation of an edited dispatch may be stale
        ]
        corrections = corrections_in(dispatch.text, spans, taught, rejected)
        if corrections:
            out.append((dispatch.text, corrections))
    return out


def learn(
    base: TaggerModel, documents: Sequence[tuple[str, Sequence[Correction]]], epochs: int = 8
) -> tuple[bytes, LearnReport]:
    """Train a personal model on ``documents``; its bytes and the report."""
    data = personal_model(base, documents, epochs)
    after = read_model(data, "personal model")
    report = LearnReport(
        dispatches=len(documents),
        corrections=sum(len(c) for _, c in documents),
        agreed_before=agreement(base, documents),
        agreed_after=agreement(after, documents),
        features=len(after.vocab),
    )
    return data, report


def learn_bytes(documents: Sequence[tuple[str, Sequence[Correction]]]) -> tuple[bytes, str]:
    """:func:`learn` from the packaged model, for a worker process: bytes and a summary."""
    from reader.ner.model import packaged_model

    data, report = learn(packaged_model(), documents)
    return data, (
        f"learned from {report.corrections} corrections in {report.dispatches} dispatches: "
        f"the model now agrees with {report.agreed_after} of them (before: {report.agreed_before})"
    )
