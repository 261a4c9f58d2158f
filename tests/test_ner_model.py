"""The learned recognizer: features, decoding, labels, the lexicon, learning, hostile files."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.models import ENTITY_LABELS, Entity
from reader.ner.features import (
    _OPENING,
    _SENTENCE_END,
    _STRAIGHT,
    _TOKEN,
    ABBREVIATIONS,
    LABELS,
    TAGS,
    read_tokens,
    title_case_lines,
    truecased,
)
from reader.ner.model import (
    N_TAGS,
    allowed_transitions,
    packaged_model,
    read_model,
    without_compound_tails,
)
from reader.recognizer import recognize

from .conftest import SEED_000, SEEDS, run


def tokenize(text: str) -> list[tuple[int, int]]:
    """Reference: token offsets, a match object per token (what ``read_tokens`` replaced)."""
    return [m.span() for m in _TOKEN.finditer(text)]


def sentence_starts(text: str, tokens: Sequence[tuple[int, int]]) -> list[bool]:
    """Reference: whether each token opens a sentence, token by token (what ``read_tokens``
    replaced): the first token, the first after a line break, and the first after
    ``.``/``!``/``?`` (skipping opening quotes)."""
    flags: list[bool] = []
    opening = True
    previous_end = 0
    for start, end in tokens:
        if start - previous_end > 0 and text.find("\n", previous_end, start) != -1:
            opening = True
        flags.append(opening)
        if end - start == 1:
            ch = text[start]
            if ch in _SENTENCE_END:
                opening = True
            elif not (ch in _OPENING and opening):
                opening = False
        else:
            opening = False
        previous_end = end
    return flags


def _viterbi(model, scores, after_outside: bool = False, before_outside: bool = False) -> list[int]:  # type: ignore[no-untyped-def]
    """Reference: the best path over one stretch, step by step; the stretch may follow and
    precede tokens fixed as O (what ``decode`` must equal)."""
    from reader.ner.model import _constrained

    trans = _constrained(model.transitions)
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


def _words(text: str) -> tuple[list[str], list[bool]]:
    tokens = tokenize(text)
    return [text[s:e] for s, e in tokens], sentence_starts(text, tokens)


def test_tokens_follow_conll_conventions() -> None:
    text = "Germany's U.S. envoy didn't pay $1,000.50 on 1996-08-22 to J. Smith (AT&T)."
    words = [text[s:e] for s, e in tokenize(text)]
    assert words == [
        "Germany", "'s", "U.S.", "envoy", "did", "n't", "pay", "$", "1,000.50", "on", "1996-08-22",
        "to", "J.", "Smith", "(", "AT&T", ")", ".",
    ]  # fmt: skip


# The tokenizer as it was first written: a match per token, then possessives split off.
_REFERENCE_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}(?![^\W\d_])"
    # Since written: an abbreviation keeps its period before a comma, bracket or quote too,
    # and the list has grown (US states).
    rf"|(?:{'|'.join(ABBREVIATIONS)})\.(?=[\s,;:)\x22'’‘”“])"
    r"|[A-Z]\.(?=\s+[A-Z])"
    r"|\+?\d+(?:[.,:/-]\d+)*(?![\w-])"
    r"|['’](?:s|S|ve|ll|re|m|d)(?!\w)"
    r"|\w+?(?=n['’]t(?!\w))|n['’]t(?!\w)"
    r"|\w+(?:[-'’.&/]\w+)*"
    r"|\S"
)


def _reference_tokens(text: str) -> list[tuple[int, int]]:
    possessive = {m.start() for m in re.finditer(r"(?<=\w)['’][sS](?!\w)", text)}
    out = []
    for m in _REFERENCE_TOKEN.finditer(text):
        start, end = m.span()
        if end - start > 2 and end - 2 in possessive:
            out += [(start, end - 2), (end - 2, end)]
        else:
            out.append((start, end))
    return out


_AWKWARD = st.lists(
    st.sampled_from([*"Aa Zz.,'’s-\n\t1É|<>\"“(!?\u3000\xa0\u2028\x1c😀", "n't", "n’t", "'s", "Mr.", "U.S."]),
    max_size=40,
).map("".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(_AWKWARD)
def test_one_pass_tokens_equal_the_reference_tokenizer(text: str) -> None:
    """read_tokens finds tokens, offsets and sentence starts with one findall and array
    arithmetic; they must be those of a match per token and the sentence-start loop."""
    expected = _reference_tokens(text)
    assert tokenize(text) == expected
    tokens = read_tokens(text)
    assert list(zip(tokens.begins, tokens.ends, strict=True)) == expected
    straight = str.maketrans(_STRAIGHT)
    assert tokens.words == [text[s:e].translate(straight) for s, e in expected], "quotes read straight"
    assert tokens.starts.tolist() == sentence_starts(text, expected)


def test_every_blank_is_below_the_table_read_tokens_uses() -> None:
    from reader.ner.features import _BLANKS_BELOW

    assert not [c for c in range(_BLANKS_BELOW, 0x110000) if chr(c).isspace()]
    assert chr(_BLANKS_BELOW - 1).isspace()


@settings(max_examples=300, deadline=None)
@given(_AWKWARD)
def test_word_type_scores_equal_the_training_features(text: str) -> None:
    """Run time sums features per word type; training builds them per token. Both must give
    the same scores, or the shipped weights would be applied to different features."""
    model = packaged_model()
    words, starts = _words(text)
    slow = model.emissions(model.features.sequence(words, starts))
    fast = model.scores(words, starts)
    assert slow.shape == fast.shape == (len(words), N_TAGS)
    assert np.allclose(slow, fast, atol=1e-3)


def test_per_token_features_are_found_when_a_shape_holds_a_bar() -> None:
    """A word "|" has the shape "|", so "sh3=x|||X" names the shapes around it; the id
    lookups read such a name every way it can be cut, as the string lookup would match it."""
    from reader.ner.model import TaggerModel

    vocab = {"bias": 0, "sh3=x|||X": 1, "bi=a||": 2, "bi=||b": 3, "first-cap": 4, "doc-lower-seen": 5}
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(len(vocab), N_TAGS)).astype(np.float32)
    model = TaggerModel(vocab, weights, np.zeros((N_TAGS + 1, N_TAGS), np.float32), "test")
    for words in (["a", "|", "B"], ["a", "|", "b", "B"], ["B", "b", "|", "a", "|", "B"]):
        starts = [i == 0 for i in range(len(words))]
        slow = model.emissions(model.features.sequence(words, starts))
        assert np.allclose(model.scores(words, starts), slow, atol=1e-5)
    # "a | B": the shapes x, |, X around "|"; the bigram a + "|"; the bigram "|" + b.
    without = TaggerModel({"bias": 0}, weights[:1], model.transitions, "bias only")
    starts = [True, False, False]
    gained = model.scores(["a", "|", "B"], starts) - without.scores(["a", "|", "B"], starts)
    assert np.allclose(gained[1], weights[1] + weights[2], atol=1e-5)
    gained = model.scores(["|", "b"], [True, False]) - without.scores(["|", "b"], [True, False])
    assert np.allclose(gained[1], weights[3], atol=1e-5)


def test_decoding_skips_only_plain_tokens_and_obeys_bio(corpus) -> None:  # type: ignore[no-untyped-def]
    model = packaged_model()
    allowed = allowed_transitions()
    for dispatch in corpus:
        scores = model.scores(*_words(dispatch.text))
        fast, full = model.decode(scores), _viterbi(model, scores)
        assert fast == full
        previous = N_TAGS
        for tag in full:
            assert allowed[previous, tag], (TAGS[previous % N_TAGS], TAGS[tag])
            previous = tag


def _stretchwise(model, scores):  # type: ignore[no-untyped-def]
    """The decoding :meth:`decode` must equal: every stretch of tokens not plainly outside a
    name through the full Viterbi, one at a time."""
    from reader.ner.model import plainly_outside

    n = len(scores)
    closes = np.zeros(n, dtype=bool)
    closes[-1:] = True
    plain = plainly_outside(scores, closes, model.transitions)
    tags, i = [0] * n, 0
    while i < n:
        if plain[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and not plain[j + 1]:
            j += 1
        tags[i : j + 1] = _viterbi(model, scores[i : j + 1], after_outside=i > 0, before_outside=j + 1 < n)
        i = j + 1
    return tags


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.booleans(), st.lists(st.floats(-20, 20, width=32), min_size=N_TAGS, max_size=N_TAGS)),
        max_size=40,
    )
)
def test_batched_short_stretches_decode_as_the_viterbi_does(rows) -> None:  # type: ignore[no-untyped-def]
    """Stretches of one and two tokens are decoded together; the tags are exactly those of
    decoding each stretch with the Viterbi (ties included: the values repeat)."""
    model = packaged_model()
    scores = np.array(
        [[30.0] + [0.0] * (N_TAGS - 1) if outside else row for outside, row in rows], dtype=np.float32
    )
    scores = scores.reshape(len(rows), N_TAGS)
    assert model.decode(scores) == _stretchwise(model, scores)


@settings(max_examples=200, deadline=None)
@given(
    documents=st.lists(
        st.lists(
            st.tuples(
                st.booleans(), st.lists(st.floats(-20, 20, width=32), min_size=N_TAGS, max_size=N_TAGS)
            ),
            max_size=12,
        ),
        max_size=6,
    )
)
def test_documents_decoded_together_decode_as_each_alone(documents) -> None:  # type: ignore[no-untyped-def]
    """A batch of documents (empty ones too) is decoded in one pass; no stretch runs from
    one document into the next, so each gets the tags of decoding it alone."""
    model = packaged_model()
    arrays = [
        np.array(
            [[30.0] + [0.0] * (N_TAGS - 1) if outside else row for outside, row in rows], dtype=np.float32
        ).reshape(len(rows), N_TAGS)
        for rows in documents
    ]
    assert model.decode_many(arrays) == [_stretchwise(model, scores) for scores in arrays]


def _path_score(model, scores, tags) -> float:  # type: ignore[no-untyped-def]
    from reader.ner.model import _constrained

    trans = _constrained(model.transitions).astype(np.float64)
    total, previous = 0.0, N_TAGS
    for i, tag in enumerate(tags):
        total += trans[previous, tag] + float(scores[i, tag])
        previous = tag
    return total


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["outside", "inside", "free"]),
            st.floats(0, 60, width=32),
            st.lists(st.floats(-20, 20, width=32), min_size=N_TAGS, max_size=N_TAGS),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_tokens_decided_alone_are_outside_every_best_path(rows) -> None:  # type: ignore[no-untyped-def]
    """Tokens whose O score leads are decided alone and the rest by stretches; the result
    is a best path of the whole document, as a full Viterbi pass finds it, even where a
    token that plainly looks outside is followed by one that strongly continues a name
    ("Polish Foreign Ministry": "Foreign" alone leads with O, "Ministry" wants I-ORG)."""
    model = packaged_model()
    inside = TAGS.index("I-ORG")
    matrix = []
    for kind, lead, row in rows:
        values = list(row)
        if kind == "outside":
            values[0] = max(values) + lead
        elif kind == "inside":
            values[inside] = max(values) + lead
        matrix.append(values)
    scores = np.array(matrix, dtype=np.float32).reshape(len(rows), N_TAGS)
    fast, full = model.decode(scores), _viterbi(model, scores)
    assert abs(_path_score(model, scores, fast) - _path_score(model, scores, full)) < 1e-2


def _spans_reference(text, begins, ends, tags):  # type: ignore[no-untyped-def]
    """The token-by-token reading of BIO tags that ``spans_to_entities`` replaced."""
    from reader.models import Entity

    out, current, last = [], None, -2
    for i, t in enumerate(tags):
        if not t:
            continue
        tag = TAGS[t]
        if tag[0] == "I" and current and current[2] == tag[2:] and last == i - 1:
            current = (current[0], ends[i], current[2])
        else:
            if current:
                out.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
            current = (begins[i], ends[i], tag[2:])
        last = i
    if current:
        out.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
    return out


@settings(max_examples=300, deadline=None)
@given(tags=st.lists(st.integers(0, N_TAGS - 1) | st.just(0), max_size=30))
def test_names_are_read_from_bio_tags_as_token_by_token(tags) -> None:  # type: ignore[no-untyped-def]
    """Runs of I- after B- of the same label, a stray I- opening a name, a label change
    mid-run, an O between two I-s: read as the token-by-token rule reads them."""
    from reader.ner.model import spans_to_entities

    words = [f"w{i}" for i in range(len(tags))]
    text = " ".join(words)
    begins = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    ends = [b + len(w) for b, w in zip(begins, words, strict=True)]
    assert spans_to_entities(text, begins, ends, tags) == _spans_reference(text, begins, ends, tags)


def test_word_table_gives_the_same_scores_when_it_starts_over(corpus, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The per-word partial sums are kept in one growing table, emptied past a limit; the
    scores are the same whether a word's row is fresh, kept or rebuilt."""
    import reader.ner.model as model_module
    from reader.ner.model import PACKAGED

    docs = [_words(d.text) for d in corpus]
    expected = [read_model(PACKAGED.read_bytes(), "reference").scores(*doc) for doc in docs]
    small = read_model(PACKAGED.read_bytes(), "small")
    monkeypatch.setattr(model_module, "_WORD_CACHE_LIMIT", 700)
    for _ in range(2):
        for doc, want in zip(docs, expected, strict=True):
            assert np.array_equal(small.scores(*doc), want)
    assert len(small._word_rows) <= 700


def test_viterbi_never_starts_inside_a_name() -> None:
    model = packaged_model()
    scores = np.zeros((3, N_TAGS), dtype=np.float32)
    scores[:, TAGS.index("I-ORG")] = 50.0  # the emissions alone would say I-ORG throughout
    path = [TAGS[t] for t in _viterbi(model, scores)]
    assert path[0] != "I-ORG" and all(p in ("B-ORG", "I-ORG") for p in path)


def test_labels_are_the_apps_labels() -> None:
    from reader.config import DEFAULT_SHOWN_LABELS
    from reader.render import LABEL_STYLES

    assert set(LABELS) <= set(ENTITY_LABELS)
    assert set(LABELS) <= set(LABEL_STYLES) and set(LABELS) <= set(DEFAULT_SHOWN_LABELS)
    text = "Russian President Boris Yeltsin met NATO officials in Moscow on 5 May 1995, paying $3 million."
    found = {(e.text, e.label) for e in recognize(text, "model")}
    assert {("Russian", "NORP"), ("Boris Yeltsin", "PERSON"), ("NATO", "ORG"), ("Moscow", "GPE")} <= found
    assert ("5 May 1995", "DATE") in found and ("$3 million", "MONEY") in found


def test_training_label_mapping() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from training.train_ner import to_labels

    sentence = [
        ("German", "B-MISC"), ("Chancellor", "O"), ("Kohl", "B-PER"), ("visited", "O"), ("Bonn", "B-LOC"),
        ("before", "O"), ("the", "O"), ("World", "B-MISC"), ("Cup", "I-MISC"), ("at", "O"),
        ("Reuters", "B-ORG"), ("and", "O"), ("Windows", "B-MISC"),
    ]  # fmt: skip
    assert to_labels(sentence) == [
        "B-NORP", "O", "B-PERSON", "O", "B-GPE", "O", "O", "B-EVENT", "I-EVENT", "O", "B-ORG", "O", "B-MISC",
    ]  # fmt: skip


def _ontonotes_rows(doc: str, words: list[tuple[str, str, str]]) -> str:
    """Lines of a CoNLL-2012 ``*.gold_conll`` sentence: id, part, index, word, POS, parse,
    lemma, frameset, sense, speaker, named entity, coreference."""
    return "".join(
        f"{doc}  0  {i}  {w}  {pos}  *  -  -  -  Speaker#1  {ne}  -\n" for i, (w, pos, ne) in enumerate(words)
    )


def test_training_reads_ontonotes(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from training.train_ner import read_any, to_labels

    news = "nw/xinhua/00/chtb_0001"
    text = (
        f"#begin document ({news}); part 000\n"
        + _ontonotes_rows(
            news,
            [
                ("Originally", "RB", "*"),
                ("the", "DT", "(ORG*"),
                ("Central", "NNP", "*"),
                ("Command", "NNP", "*)"),
                ("said", "VBD", "*"),
                ("pro", "JJ", "*"),
                ("-", "HYPH", "*"),
                ("democracy", "NN", "*"),
                ("groups", "NNS", "*"),
                ("in", "IN", "*"),
                ("Hong", "NNP", "(GPE*"),
                ("Kong", "NNP", "*)"),
                ("-LRB-", "-LRB-", "*"),
                ("Xinhua", "NNP", "(ORG)"),
                ("-RRB-", "-RRB-", "*"),
                ("met", "VBD", "*"),
                ("at", "IN", "*"),
                ("Heathrow", "NNP", "(FAC)"),
                ("on", "IN", "*"),
                ("Monday", "NNP", "(DATE)"),
                ("to", "TO", "*"),
                ("read", "VB", "*"),
                ("Hamlet", "NNP", "(WORK_OF_ART)"),
                ("/.", ".", "*"),
            ],
        )  # fmt: skip
        + "\n#end document\n"
    )
    bible = "pt/nt/40/nt_4001"
    text += f"#begin document ({bible}); part 000\n" + _ontonotes_rows(bible, [("Jesus", "NNP", "(PERSON)")])
    text += "\n#end document\n"
    unannotated = "wb/sel/00/sel_0001"
    text += f"#begin document ({unannotated}); part 000\n"
    text += _ontonotes_rows(unannotated, [("Paris", "NNP", "*")])
    text += "\n#end document\n"
    folder = tmp_path / "data" / "train" / "english" / "annotations"
    folder.mkdir(parents=True)
    (folder / "sample.gold_conll").write_text(text, encoding="utf-8")

    docs = read_any(tmp_path / "data")
    assert len(docs) == 1, "the Bible and the unannotated web page are left out"
    (sentence,) = docs[0]
    words = [w for w, _ in sentence]
    assert words[:6] == ["Originally", "the", "Central", "Command", "said", "pro-democracy"]
    assert "(" in words and ")" in words and words[-1] == "."
    labels = dict(zip(words, to_labels(sentence), strict=True))
    assert (labels["the"], labels["Central"], labels["Command"]) == ("O", "B-ORG", "I-ORG")
    assert labels["pro-democracy"] == "O" and labels["Xinhua"] == "B-ORG"
    assert (labels["Hong"], labels["Kong"]) == ("B-GPE", "I-GPE")
    assert labels["Heathrow"] == "B-LOC", "a facility is the app's LOC"
    assert labels["Monday"] == "O", "dates are the rules' job"
    assert labels["Hamlet"] == "B-MISC"


def test_training_leaves_possessives_out_of_names(tmp_path: Path) -> None:
    """OntoNotes often takes a possessive into a name ("Hong Kong 's"); CoNLL and the app
    never do, unless the name is written that way ("Moody 's")."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from training.train_ner import read_any

    doc = "nw/wsj/00/wsj_0001"
    sentences = [
        [("Hong", "NNP", "(GPE*"), ("Kong", "NNP", "*"), ("'s", "POS", "*)"), ("economy", "NN", "*")],
        [("Saddam", "NNP", "(PERSON*"), ("Hussein", "NNP", "*"), ("'s", "POS", "*)"), ("army", "NN", "*")],
        [("Philip", "NNP", "(ORG*"), ("Morris", "NNP", "*"), ("'s", "POS", "*)"), ("profit", "NN", "*")],
        [("Philip", "NNP", "(ORG*"), ("Morris", "NNP", "*)"), ("rose", "VBD", "*")],
        [("Moody", "NNP", "(ORG*"), ("'s", "POS", "*)"), ("said", "VBD", "*")],
        [("Standard", "NNP", "(ORG*"), ("&", "CC", "*"), ("Poor", "NNP", "*"), ("'s", "POS", "*)"),
         ("fell", "VBD", "*")],
    ]  # fmt: skip
    text = f"#begin document ({doc}); part 000\n"
    text += "\n".join(_ontonotes_rows(doc, rows) for rows in sentences) + "\n#end document\n"
    (tmp_path / "sample.gold_conll").write_text(text, encoding="utf-8")

    (read,) = read_any(tmp_path / "sample.gold_conll")
    tags = [[tag for _, tag in sentence] for sentence in read]
    assert tags[0] == ["B-GPE", "I-GPE", "O", "O"], "a place's possessive is never in its name"
    assert tags[1] == ["B-PERSON", "I-PERSON", "O", "O"], "nor a person's"
    assert tags[2] == ["B-ORG", "I-ORG", "O", "O"], "Philip Morris is a name of its own"
    assert tags[4] == ["B-ORG", "I-ORG", "O"], "Moody's is written so"
    assert tags[5] == ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O"]


def test_typographic_quotes_read_as_straight_ones() -> None:
    """News sites write curly quotes and apostrophes; the training text writes them
    straight. The same sentence tags alike either way, at the same offsets."""

    straight = (
        "Last year was an incredible year and I'm ready for us to come back, she said.\n"
        "\"We won't stop,\" said Nicola Sturgeon, the SNP's leader, in Britain's north.\n"
        "It's the 'Big Four' firms, Deloitte's chief said, that we're watching."
    )
    curly = straight.replace('"We', "“We").replace('," ', ",” ").replace("'Big", "‘Big").replace("'", "’")
    assert "'" not in curly and '"' not in curly
    found = [(e.start, e.end, e.label) for e in recognize(straight, "model")]
    assert [(e.start, e.end, e.label) for e in recognize(curly, "model")] == found
    assert not any(curly[s:e].startswith("I") and label != "PERSON" for s, e, label in found)
    tokens = read_tokens(curly)
    assert [curly[b:e] for b, e in zip(tokens.begins, tokens.ends, strict=True)][:10] == [
        "Last", "year", "was", "an", "incredible", "year", "and", "I’m", "ready", "for",
    ]  # fmt: skip


def test_mentions_of_one_name_agree_on_its_label() -> None:
    from reader.ner.model import agreeing

    def e(start: int, text: str, label: str) -> Entity:
        return Entity(start, start + len(text), label, text)

    found = [
        e(0, "Alyaksandr Lukashenka", "PERSON"), e(40, "Lukashenka", "GPE"), e(60, "Lukashenka", "ORG"),
        e(80, "Minsk", "GPE"), e(90, "Minsk", "GPE"), e(100, "Minsk", "ORG"),
        e(120, "Apple", "ORG"), e(130, "Apple", "PRODUCT"),
        e(140, "Bank of England", "ORG"), e(160, "England", "GPE"),
    ]  # fmt: skip
    assert [(x.start, x.label) for x in agreeing(found)] == [
        (0, "PERSON"), (40, "PERSON"), (60, "PERSON"),  # a lone surname of a full name
        (80, "GPE"), (90, "GPE"), (100, "GPE"),  # the label most mentions have
        (120, "ORG"), (130, "PRODUCT"),  # a tie is left alone
        (140, "ORG"), (160, "GPE"),  # only full names tagged PERSON lend their label
    ]  # fmt: skip
    assert agreeing(found[:1]) == found[:1] and agreeing([]) == []


def test_a_lone_person_named_inside_an_organisation_more_often_is_that_organisation() -> None:
    """ "Domecq" alone, tagged PERSON once beside "Allied Domecq" (ORG) four times, is the
    company; "Idowu" alone eight times beside a misread "Phillips Idowu" (ORG) twice stays
    a person, and so does one that a person's name holds too."""
    from reader.ner.model import agreeing

    def e(start: int, text: str, label: str) -> Entity:
        return Entity(start, start + len(text), label, text)

    firm = [e(100 * k, "Allied Domecq", "ORG") for k in range(4)] + [e(500, "Domecq", "PERSON")]
    assert agreeing(firm)[-1].label == "ORG"
    athlete = [e(100 * k, "Phillips Idowu", "ORG") for k in range(2)]
    athlete += [e(300 + 20 * k, "Idowu", "PERSON") for k in range(8)]
    assert [x.label for x in agreeing(athlete)][2:] == ["PERSON"] * 8
    shared = [*firm, e(600, "Pedro Domecq", "PERSON")]
    assert agreeing(shared)[4].label == "PERSON"


def test_misread_full_names_and_their_tails_agree_with_the_person() -> None:
    """ "Phillips Idowu" tagged ORG twice beside "Idowu" alone four times is the person; so
    is "El Guerrouj" after "Hicham El Guerrouj". A firm's name ("Marks & Spencer") or one
    mentioned as often as its last word alone stays an organisation."""
    from reader.ner.model import agreeing

    def e(start: int, text: str, label: str) -> Entity:
        return Entity(start, start + len(text), label, text)

    athlete = [e(0, "Phillips Idowu", "ORG"), e(30, "Phillips Idowu", "ORG")]
    athlete += [e(60 + 10 * k, "Idowu", "PERSON") for k in range(4)]
    assert {x.label for x in agreeing(athlete)} == {"PERSON"}
    runner = [e(0, "Hicham El Guerrouj", "PERSON"), e(40, "El Guerrouj", "ORG")]
    assert [x.label for x in agreeing(runner)] == ["PERSON", "PERSON"]
    firm = [e(0, "Marks & Spencer", "ORG")] + [e(30 + 10 * k, "Spencer", "PERSON") for k in range(3)]
    assert agreeing(firm)[0].label == "ORG"
    even = [e(0, "Justin Idowu", "ORG"), e(30, "Justin Idowu", "ORG"), *athlete[2:4]]
    assert agreeing(even)[0].label == "ORG"


def test_the_seed_names_its_president_alike_throughout(corpus) -> None:  # type: ignore[no-untyped-def]
    dispatch = next(d for d in corpus if "Lukashenka" in d.text)
    labels = {e.label for e in recognize(dispatch.text, "model") if e.text.endswith("Lukashenka")}
    assert labels == {"PERSON"}


def test_title_case_headings_are_found() -> None:
    """Only a heading in title case: the text's first line or a line standing alone, with
    every word but the minor ones capitalised and half its long words common ones."""
    heading = "Russia And Belarus Tighten Military Cooperation"
    body = "Russia and Belarus yesterday signed a series of agreements."
    text = f"Breaking News\n\n{heading}\n\n{body}"
    start = text.index(heading)
    assert title_case_lines(text) == [(start, start + len(heading))]
    assert title_case_lines(heading + "\n" + body) == [(0, len(heading))], "a first line"
    for line in (
        "Flemming, Jason Gillespie, Stuart Law, Glenn McGrath, Ricky Ponting",  # names
        "Major League Baseball",  # a name alone
        "Magna was up 1/8 on the New York Stock Exchange Today",  # a sentence
        "RUSSIA AND BELARUS TIGHTEN MILITARY COOPERATION",  # capitals: read as before
    ):
        assert title_case_lines(f"{body}\n\n{line}\n\n{body}") == [], line
    assert title_case_lines(f"{body}\n{heading}\n{body}") == [], "not a paragraph of its own"


def test_a_title_case_heading_is_read_by_its_words_not_its_capitals(corpus) -> None:  # type: ignore[no-untyped-def]
    """The seed's heading capitalises every word: "Tighten Military Cooperation" is not part
    of a name, and Belarus is the place it is in the body."""
    dispatch = next(d for d in corpus if "Russia And Belarus Tighten" in d.text)
    heading = dispatch.text.index("Russia And Belarus Tighten")
    line_end = dispatch.text.index("\n", heading)
    found = {(e.text, e.label) for e in recognize(dispatch.text, "model") if heading <= e.start < line_end}
    assert found == {("Russia", "GPE"), ("Belarus", "GPE")}
    tokens = read_tokens(dispatch.text)
    read = truecased(dispatch.text, tokens)
    lowered = [w for w, r in zip(tokens.words, read, strict=True) if w != r]
    assert lowered == ["And", "Tighten", "Military", "Cooperation"]


def test_lexicon_overrides_the_model() -> None:
    text = "Shares of Zorblatt Dynamics fell in Moscow."
    before = {(e.text, e.label) for e in recognize(text, "model")}
    assert ("Moscow", "GPE") in before
    after = {
        (e.text, e.label) for e in recognize(text, "model", ([("Zorblatt Dynamics", "ORG")], ["Moscow"]))
    }
    assert ("Zorblatt Dynamics", "ORG") in after
    assert not any(t == "Moscow" for t, _ in after)


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "not an entity model"),
        (b"PK\x03\x04 not really a zip", "not an entity model"),
    ],
)
def test_hostile_model_files_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(ReaderError, match=problem):
        read_model(data, "personal.npz")


def test_a_pickled_model_is_never_unpickled() -> None:
    buf = io.BytesIO()
    np.savez(buf, weights=np.array([object()], dtype=object), transitions=np.zeros(1), features=np.zeros(1))
    with pytest.raises(ReaderError, match="not an entity model"):
        read_model(buf.getvalue(), "evil.npz")


def test_wrong_shapes_and_nan_are_refused() -> None:
    from reader.ner.model import model_bytes

    bad = model_bytes(
        {"bias": 0}, np.full((1, N_TAGS), np.nan, dtype=np.float32), np.zeros((N_TAGS + 1, N_TAGS))
    )
    with pytest.raises(ReaderError, match="non-finite"):
        read_model(bad, "nan.npz")


COMPANIES = ("Zorblatt", "Kelvor", "Vantrix", "Quillon", "Brannock")


def _company_corpus(root: Path) -> list[str]:
    root.mkdir()
    ids = []
    for i in range(10):
        a, b = COMPANIES[i % 5], COMPANIES[(i + 2) % 5]
        text = (
            f"Results from {a} and {b}\n\n"
            f"LONDON, March {i + 1} -- Shares in {a} rose 4 percent on Tuesday after {a} said it would "
            f"buy a stake in {b}. Analysts said {b} had been talking to {a} for months, and {a} "
            f"expects the deal to close this year.\n"
        )
        name = f"{i:03d}_company"
        (root / f"{name}.txt").write_text(text)
        ids.append(name)
    return ids


def test_reader_learn_from_corrections_changes_other_dispatches(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "wire"
    ids = _company_corpus(corpus)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_CORPUS", str(corpus))
    monkeypatch.setenv("READER_DB", str(tmp_path / "db.json"))
    held_out = ids[-1]

    def labels_in(dispatch_id: str) -> dict[str, set[str]]:
        found = json.loads(run(capsys, "entities", dispatch_id, "--json")[1])
        out: dict[str, set[str]] = {}
        for e in found:
            out.setdefault(e["text"], set()).add(e["label"])
        return out

    before = labels_in(held_out)
    wrong = [c for c in COMPANIES if before.get(c) != {"ORG"}]
    assert wrong, "the packaged model already knows these companies; the test proves nothing"
    code, _, err = run(capsys, "learn")
    assert code == 1 and "nothing to learn from" in err
    for dispatch_id in ids[:5]:
        for company in COMPANIES:
            code, _, _ = run(
                capsys, "tag", dispatch_id, "--quote", company, "--occurrence", "1", "--tag", "ORG"
            )
            if code:  # the company is not in this dispatch
                continue
    code, out, _ = run(capsys, "learn")
    assert code == 0 and "personal model" in out
    assert (tmp_path / "db.model.npz").is_file()
    after = labels_in(held_out)
    assert all(after.get(c) == {"ORG"} for c in COMPANIES if c in after), after
    assert sum(after.get(c) == {"ORG"} for c in COMPANIES) > sum(before.get(c) == {"ORG"} for c in COMPANIES)
    # the seeds' names survive: learning companies did not make it forget people
    monkeypatch.setenv("READER_CORPUS", str(SEEDS))
    seeds = labels_in(SEED_000)
    assert "PERSON" in seeds.get("Pavel Grachev", set()) or "PERSON" in seeds.get("Grachev", set())
    code, out, _ = run(capsys, "learn", "--forget")
    assert code == 0 and not (tmp_path / "db.model.npz").exists()


def test_one_correction_labels_the_name_throughout_its_dispatch() -> None:
    """Labelling one mention of a name teaches every mention of it in that dispatch,
    except where the user said otherwise; other names and other texts are untouched."""
    from reader.ner.learn import Correction, corrections_in

    text = "Zorblatt rose. Zorblattco fell; Zorblatt said it talked to Zorblatt Holdings and Vantrix."
    first = text.index("Zorblatt")
    holdings = text.index("Zorblatt Holdings")
    corrections = corrections_in(
        text, [(first, first + 8, "ORG"), (holdings, holdings + 17, "ORG"), (0, 5, "DATE")], [], []
    )
    said = text.index("Zorblatt said")
    assert sorted(corrections, key=lambda c: c.start) == [
        Correction(first, first + 8, "ORG"),
        Correction(said, said + 8, "ORG"),
        Correction(holdings, holdings + 17, "ORG"),
    ]


@given(
    st.lists(
        st.sampled_from(["Mr", "Mrs", "Dr.", "Prof", "Brown", "Times", "Ms", "and", "Drake", ".", "Mme"]),
        max_size=12,
    ),
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(1, 4), st.sampled_from(["PERSON", "ORG"])), max_size=4
    ),
)
def test_courtesy_titles_skip_texts_and_names_without_one(words: list[str], picks) -> None:  # type: ignore[no-untyped-def]
    """Skipping a text, or a name, holding no title word changes nothing: the result is
    the title rule applied to every name."""
    from reader.models import Entity
    from reader.ner import model

    text = " ".join(words)
    bounds = [0]
    for w in words:
        bounds.append(bounds[-1] + len(w) + 1)
    names = []
    for first, length, label in picks:
        if first + length <= len(words):
            start, end = bounds[first], bounds[first + length] - 1
            names.append(Entity(start, end, label, text[start:end]))

    def every_name(text: str, names: list[Entity]) -> list[Entity]:
        out: list[Entity] = []
        for e in names:
            start, label = e.start, e.label
            for m in model._HONORIFIC.finditer(text, e.start, e.end):
                end = len(text[start : m.start()].rstrip()) + start
                if end > start:
                    out.append(Entity(start, end, label, text[start:end]))
                start, label = m.end(), "PERSON"
            if e.end > start and not model._HONORIFIC_ALONE.fullmatch(text, start, e.end):
                out.append(Entity(start, e.end, label, text[start : e.end]))
        return out

    assert model.without_honorifics(text, names) == every_name(text, names)


def test_courtesy_titles_are_left_out_of_names() -> None:
    """CoNLL, OntoNotes and UNER leave "Mr" out of a name; Reuters 1996 hardly uses it, so
    the model alone tags "Mr Brown" whole and runs "Times Mr Campbell" into one name."""
    from reader.models import Entity
    from reader.ner.model import without_honorifics

    def names(text: str, spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
        found = []
        for surface, label in spans:
            start = text.index(surface)
            found.append(Entity(start, start + len(surface), label, surface))
        return [(e.text, e.label) for e in without_honorifics(text, found)]

    text = "The Times Mr Campbell said Mr. Brown, Mrs Thatcher and Dr  Rice met Mr Gordon Brown."
    assert names(text, [("Times Mr Campbell", "ORG"), ("Mr. Brown", "PERSON")]) == [
        ("Times", "ORG"),
        ("Campbell", "PERSON"),
        ("Brown", "PERSON"),
    ]
    assert names(text, [("Mrs Thatcher", "PERSON"), ("Dr  Rice", "ORG"), ("Mr Gordon Brown", "PERSON")]) == [
        ("Thatcher", "PERSON"),
        ("Rice", "PERSON"),
        ("Gordon Brown", "PERSON"),
    ]
    # A title alone is no name; words that merely start alike are left as they are.
    alone = "Mr said Mr. Drake and Msgr Prof"
    assert names(alone, [("Mr", "PERSON"), ("Mr.", "PERSON"), ("Drake", "PERSON"), ("Msgr Prof", "ORG")]) == [
        ("Drake", "PERSON"),
        ("Msgr Prof", "ORG"),
    ]
    # Through the recognizer: the packaged model's output has no title in a name.
    from reader.recognizer import recognize

    found = recognize("Mr Brown met Mr Kennedy in London.")
    assert [e.text for e in found if e.label == "PERSON"] == ["Brown", "Kennedy"]


def test_country_abbreviations_are_places() -> None:
    """Reuters writes "U.S."; other news writes "US" and "UK", which the model alone
    tagged as organisations. The gazetteer lists them as countries, a feature it reads."""
    from reader.entities import gazetteer
    from reader.recognizer import recognize

    assert {gazetteer().names[w] for w in ("US", "U.S.", "USA", "UK", "U.K.", "UAE")} == {"GPE"}
    text = "US troops and UK officials met in the UAE, the US military said."
    found = {(e.text, e.label) for e in recognize(text) if e.text in ("US", "UK", "UAE")}
    assert found == {("US", "GPE"), ("UK", "GPE"), ("UAE", "GPE")}


def test_name_lists_mark_capitalised_words_only() -> None:
    """The public name lists (cities, regions, first names, surnames, companies) are read
    for a capitalised word as written, or title-cased from capitals; never for lower case."""
    from reader.ner.features import NAME_LISTS, _name_lists, context_features, in_name_lists, own_features

    assert "LAST" in in_name_lists("Kirkpatrick")
    assert in_name_lists("ABAKALIKI") == in_name_lists("Abakaliki") == ("CITY",)
    assert "COMPANY" in in_name_lists("Adyen")
    assert in_name_lists("abakaliki") == in_name_lists("kirkpatrick") == ()
    assert in_name_lists("Qxzvv") == in_name_lists("") == in_name_lists("A") == ()
    # A word of a longer name is marked as a part ("Abu" of "Abu Dhabi").
    assert any(name.endswith("-part") for name in in_name_lists("Abu"))
    assert "nl=CITY" in own_features("Abakaliki")
    assert "nl[-1]=CITY" in context_features("Abakaliki", -1)
    assert not any(f.startswith("nl") for f in context_features("Abakaliki", 2))
    # Every bit pattern in the file names lists that exist, for capitalised words.
    listed = _name_lists()[0].items()
    assert len(listed) > 100_000
    assert all(0 < mask < 1 << (2 * len(NAME_LISTS)) and word[:1].isupper() for word, mask in listed)


def test_name_lists_name_what_training_never_saw(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Places, surnames and companies absent from Reuters 1996 are tagged by what the
    model knows from outside its training text (the name lists and the word lexicon); the
    same model without both gets each of these wrong."""
    import reader.ner.features as features

    data = (Path(__file__).resolve().parent.parent / "reader" / "data" / "ner-model.npz").read_bytes()
    texts = [
        "Talks resumed in Kpalimé and Abakaliki on Monday, officials said.",
        "The deal was signed by Kirkpatrick and Whitfield, the two negotiators.",
        "He praised Adyen and Konecranes in a speech.",
        "Refugees fled from Abancay to Abarkuh last week.",
    ]
    expected = [
        [("Kpalimé", "GPE"), ("Abakaliki", "GPE")],
        [("Kirkpatrick", "PERSON"), ("Whitfield", "PERSON")],
        [("Adyen", "ORG"), ("Konecranes", "ORG")],
        [("Abancay", "GPE"), ("Abarkuh", "GPE")],
    ]

    def tagged() -> list[list[tuple[str, str]]]:
        model = read_model(data, "test")
        return [[(e.text, e.label) for e in found] for found in model.tag_many(texts)]

    assert tagged() == expected
    monkeypatch.setattr(features, "in_name_lists", lambda word: ())
    monkeypatch.setattr(features, "lexicon_facts", lambda word: ("", "rare" if word[:1].isupper() else ""))
    without = tagged()
    assert all(got != want for got, want in zip(without, expected, strict=True))


def test_word_lexicon_reads_clusters_and_usual_case() -> None:
    """The lexicon (``data/lexicon.tsv``, from a large English text collection) puts words
    used alike in one cluster and says how a capitalised word is usually written."""
    from reader.ner.features import _lexicon, context_features, lexicon_facts, own_features

    def cluster(word: str) -> str:
        return lexicon_facts(word)[0]

    assert cluster("Samsung") == cluster("Apple") != cluster("London") == cluster("Paris")
    assert cluster("Michael") == cluster("Howard") not in ("", cluster("London"))
    # Mostly lower case ("Laughter" opens sentences and headings), mostly a name, or
    # hardly ever seen; capitals read as the title-cased word.
    assert int(lexicon_facts("Laughter")[1]) < 0 < int(lexicon_facts("Belarus")[1])
    assert lexicon_facts("LAUGHTER") == lexicon_facts("Laughter")
    assert cluster("SAMSUNG") == cluster("Samsung")  # not listed in capitals
    assert lexicon_facts("Qxzvvbt") == ("", "rare")
    assert lexicon_facts("laughter")[1] == "" and cluster("laughter")
    path = cluster("Samsung")
    assert {"bc=" + path, "bc4=" + path[:4], "bc10=" + path[:10]} <= set(own_features("Samsung"))
    assert "usual=rare" in own_features("Qxzvvbt")
    assert not any(f.startswith("usual") for f in own_features("x"))
    assert "bc[-1]=" + path in context_features("Samsung", -1)
    assert not any(f.startswith("bc") for f in context_features("Samsung", 2))
    # Every word of the file: a cluster path of bits or nothing, a case fact or nothing.
    listed = _lexicon().items()
    assert len(listed) > 100_000
    for _, (bits, usual) in listed:
        assert set(bits) <= {"0", "1"} and usual in {"", "only", *map(str, range(-5, 6))}
        assert bits or usual


@given(
    st.dictionaries(
        st.text(min_size=1).filter(lambda w: w.split() == [w] and w[0] not in "#="),
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
            )
        ),
    )
)
def test_word_table_reads_back_what_it_wrote(values: dict[str, str]) -> None:
    """A word table holds exactly the words written, each with its value, and parses only
    the bucket of the word looked up."""
    from reader.ner.features import WordTable

    table = WordTable(WordTable.write(values, "test"), str)
    for word, value in values.items():
        assert table.get(word) == value
    assert table.get("#") is table.get("=") is None
    assert dict(table.items()) == values


def test_word_table_is_read_lazily_and_refuses_words_it_cannot_hold() -> None:
    from reader.ner.features import WordTable

    table = WordTable(WordTable.write({"Samsung": "a", "Sahel": "b", "Paris": "a"}, "x"), str)
    assert table.get("Sahel") == "b" and table.get("Sa") is None
    assert set(table._parsed) == {"Sa"}
    assert table.get("Paris") == "a" and table.get("Pa") is None and table.get("") is None
    for bad in ("two words", "#tag", "=x", "", "tab\there"):
        with pytest.raises(ValueError):
            WordTable.write({bad: "a"}, "x")


def test_word_lexicon_tells_names_from_capitalised_words(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Companies Reuters 1996 and the name lists never had are tagged by their clusters,
    and a capitalised ordinary word opening a sentence or a heading stays out of names;
    the same model without the lexicon gets both wrong."""
    import reader.ner.features as features

    data = (Path(__file__).resolve().parent.parent / "reader" / "data" / "ner-model.npz").read_bytes()
    texts = [
        "Shares of Embraer and Debenhams fell after the report.",
        "Laughter Returns To The Old Town Hall",
    ]

    def tagged() -> list[list[tuple[str, str]]]:
        model = read_model(data, "test")
        return [[(e.text, e.label) for e in found] for found in model.tag_many(texts)]

    companies, heading = tagged()
    assert companies == [("Embraer", "ORG"), ("Debenhams", "ORG")]
    assert not any("Laughter" in name for name, _ in heading)
    monkeypatch.setattr(features, "lexicon_facts", lambda word: ("", "rare" if word[:1].isupper() else ""))
    companies, heading = tagged()
    assert companies != [("Embraer", "ORG"), ("Debenhams", "ORG")]
    assert any("Laughter" in name for name, _ in heading)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # The model once read "Yukos. Yukos" as one organisation, the period inside it.
        ("The assets were sold to Yukos. Yukos said it would sue.", ["Yukos", "Yukos"]),
        (
            "It was a trustee of the Eisenhower Medical Center. McCarthy was a governor.",
            ["Eisenhower Medical Center", "McCarthy"],
        ),
        ("Is it Sony? Sony said nothing.", ["Sony", "Sony"]),
        # A company's abbreviation before a comma is not a sentence's end: the name keeps it.
        ("It is owned by News Corp., which has television stations.", ["News Corp."]),
    ],
)
def test_no_name_runs_across_a_sentence_end(text: str, names: list[str]) -> None:
    found = [e.text for e in recognize(text) if e.label in LABELS]
    assert found == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # A state as the wire services abbreviate it is one word, its period included, as
        # the training text and the gold write it.
        ("Rep. Edward Markey (D., Mass.) said so.", ["Edward Markey", "Mass."]),
        ("The Freedom Forum in Arlington, Va., said it would.", ["Freedom Forum", "Arlington", "Va."]),
        # Ranks and titles keep their period, and are no names ("Maj" had been a person).
        ("Police Gen. Maj.\nAnatoly Ponidelko said so.", ["Anatoly Ponidelko"]),
        # At a line's end such a word ends the name: the next paragraph's first is another.
        (
            "He died at his home in Indian Wells, Calif.\nMcCarthy, 94, served as a senator.",
            ["Indian Wells", "Calif.", "McCarthy"],
        ),
    ],
)
def test_abbreviated_states_and_companies_keep_their_period(text: str, names: list[str]) -> None:
    found = [e.text for e in recognize(text) if e.label in LABELS]
    assert found == names


def test_sentence_end_cuts() -> None:
    """The cuts no name runs into: a lone "." or "?", and the token after any lone
    sentence-ending mark; a "!" may still end a name ("Yahoo!"), not run on past it."""
    tokens = read_tokens("Yukos. Yukos? Yahoo! Corp., Inc.'s x")
    assert tokens.words == ["Yukos", ".", "Yukos", "?", "Yahoo", "!", "Corp.", ",", "Inc.", "'s", "x"]
    assert tokens.cuts.tolist() == [False, True, True, True, True, False, True, False, False, False, False]


@pytest.mark.parametrize(
    ("name", "label", "kept"),
    [
        ("Moscow-based", "GPE", "Moscow"),
        ("New York-based", "GPE", "New York"),
        ("Hezbollah-backed", "ORG", "Hezbollah"),
        ("El Nino-driven", "EVENT", "El Nino"),
        ("Scotland-born", "PERSON", "Scotland"),
        ("United Nations-sponsored", "ORG", "United Nations"),
        # CoNLL tags the whole compound MISC; the model's MISC and NORP follow it.
        ("Iranian-backed", "NORP", "Iranian-backed"),
        ("Toronto-based", "MISC", "Toronto-based"),
        # Syllables of Chinese given names and hyphenated names are not compound tails.
        ("Yang Kuo-chen", "PERSON", "Yang Kuo-chen"),
        ("Chou Chi-ping", "PERSON", "Chou Chi-ping"),
        ("Lin I-hsien", "PERSON", "Lin I-hsien"),
        ("Hewlett-Packard", "ORG", "Hewlett-Packard"),
        ("Stratford-upon-Avon", "GPE", "Stratford-upon-Avon"),
    ],
)
def test_a_name_in_a_compound_modifier_is_the_name_alone(name: str, label: str, kept: str) -> None:
    """OntoNotes, UNER and NIST's IE-ER mark "Moscow" in "Moscow-based"; the model reads the
    compound as one word and tags it whole."""
    text = f"The {name} group."
    (out,) = without_compound_tails([Entity(4, 4 + len(name), label, name)])
    assert (out.start, out.end, out.label, out.text) == (4, 4 + len(kept), label, kept)
    assert text[out.start : out.end] == kept


@pytest.mark.parametrize(
    ("text", "name", "kept"),
    [
        ("Later del Ponte left.", "Ponte", "del Ponte"),
        ("Works by de Kooning sold.", "Kooning", "de Kooning"),
        ("A film on von Braun.", "Braun", "von Braun"),
        ("Carla del Ponte said so.", "Carla del Ponte", "Carla del Ponte"),
        # "van" after a determiner is a vehicle; "de" inside a word is no particle.
        ("Then the van Smith drove left.", "Smith", "Smith"),
        ("It was Rhode Island.", "Island", "Island"),
    ],
)
def test_a_surname_keeps_its_particle(text: str, name: str, kept: str) -> None:
    from reader.ner.model import with_surname_particles

    start = text.index(name)
    (out,) = with_surname_particles(text, [Entity(start, start + len(name), "PERSON", name)])
    assert out.text == kept == text[out.start : out.end] and out.end == start + len(name)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Marshal Igor Sergeev", "Igor Sergeev"),
        ("Field Marshal Montgomery", "Montgomery"),
        ("President Bill Clinton", "Bill Clinton"),
        ("Defense Minister Pavel Grachev", "Pavel Grachev"),
        # Monarchs keep their title; a title alone, or before a lower-case word, stays.
        ("King Hussein", "King Hussein"),
        ("Prince Charles", "Prince Charles"),
        ("President", "President"),
        ("Senator from Ohio", "Senator from Ohio"),
    ],
)
def test_offices_and_ranks_are_left_out_of_a_persons_name(name: str, kept: str) -> None:
    from reader.ner.model import without_titles

    (out,) = without_titles([Entity(10, 10 + len(name), "PERSON", name)])
    assert (out.text, out.end, out.label) == (kept, 10 + len(name), "PERSON")
    assert out.start == 10 + len(name) - len(kept)
    (org,) = without_titles([Entity(0, 14, "ORG", "General Motors")])
    assert org.text == "General Motors"


def test_compound_tails_left_out_by_the_recognizer() -> None:
    found = [(e.text, e.label) for e in recognize("Yukos, the Moscow-based oil firm. The London-based bank.")]
    assert ("Moscow", "GPE") in found and ("London", "GPE") in found


def test_no_name_runs_across_a_blank_line(corpus) -> None:  # type: ignore[no-untyped-def]
    """A heading, the headline under it and the dateline under that are separate names:
    the seed dispatch's "Breaking News", blank line, "Russia And Belarus ...", blank line,
    "Prague" once came out as one organisation. A single line break (hard-wrapped text)
    may still fall inside a name."""
    tokens = read_tokens("Pavel\nGrachev said\n\n  \nLONDON -- x")
    assert tokens.words == ["Pavel", "Grachev", "said", "LONDON", "-", "-", "x"]
    assert tokens.cuts.tolist() == [False, False, False, True, False, False, False]
    assert tokens.starts.tolist() == [True, True, False, True, False, False, False]
    texts = [d.text for d in corpus] + [
        "Results from Zorblatt and Vantrix\n\nLONDON, March 1 -- Shares in Zorblatt rose.",
    ]
    for text in texts:
        for found in recognize(text):
            assert "\n\n" not in found.text.replace("\r", "").replace(" ", ""), found
