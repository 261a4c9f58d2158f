"""WebAnno TSV 3.3, INCEpTION's tabular format: one file per dispatch.

A file is a header (``#FORMAT=WebAnno TSV 3.3`` and a ``#T_SP=type|feature...`` line per
span layer), then per sentence its text (``#Text=``, one line per line of the sentence) and
a line per token: ``sentence-token``, ``begin-end`` in UTF-16 code units of the whole
document, the token, and a column per layer feature. A span over one token has a bare
value; a longer one gives the same ``[n]`` to every token it covers; a span inside a token
gets a sub-token line (``1-3.1``). ``_`` is empty, ``*`` an annotation without a value.

Export writes the NamedEntity layer that INCEpTION has built in (``identifier`` and
``value``; the tag is the value). Import takes NamedEntity and custom span layers
(``webanno.custom.*``); other span layers (part of speech, lemmas, ...), relations and
chains are reported, not taken. The document text is rebuilt from the sentences at their
offsets, so the importer finds the dispatch whose text has the same characters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Raw, Record, by_dispatch, ne_layer_losses
from reader.formats.conll import TOKEN
from reader.formats.offsets import astral, from_utf16, to_utf16
from reader.models import Dispatch
from reader.segments import sentence_spans

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
HEADER = f"#FORMAT=WebAnno TSV 3.3\n#T_SP={NAMED_ENTITY}|identifier|value\n\n"

# Characters a feature value escapes with a backslash (WebAnno TSV 3.3, "reserved characters").
_RESERVED = ("\\", "[", "]", "|", "_", "->", ";", "\t", "\n", "*")
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_value(value: str) -> str:
    out = value
    for ch in _RESERVED:
        out = out.replace(ch, _ESCAPES.get(ch, "\\" + ch))
    return out.replace("\r", "\\r")


def unescape_value(value: str) -> str:
    return re.sub(r"\\(->|.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), value)


def _escape_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")


def _unescape_text(text: str) -> str:
    return re.sub(r"\\([\\tr])", lambda m: {"t": "\t", "r": "\r"}.get(m.group(1), "\\"), text)


# -- export --------------------------------------------------------------------------------


def write_webanno(corpus: DispatchSource, records: list[Record]) -> Output:
    files: dict[str, str] = {}
    trimmed = 0
    lost: list[str] = []
    for dispatch, group in by_dispatch(corpus, records):
        text, kept, gone = _document(dispatch, group)
        files[dispatch.id.replace("/", "__") + ".tsv"] = text
        trimmed += kept
        lost.extend(gone)
    losses, last = ne_layer_losses("webanno", records, "file")
    if trimmed:
        losses.append(
            f"webanno: {trimmed} annotations start or end in whitespace: written from the first "
            "to the last character of their tokens"
        )
    if lost:
        shown = "; ".join(lost[:5]) + (" …" if len(lost) > 5 else "")
        losses.append(f"webanno: {len(lost)} annotations hold no token character, not exported: {shown}")
    return Output(files=files, losses=losses + last)


def _document(dispatch: Dispatch, group: list[Record]) -> tuple[str, int, list[str]]:
    """The TSV text of one dispatch; how many spans were trimmed and which were lost."""
    text = dispatch.text
    wide = astral(text)
    sentences = [
        (s, [(m.start(), m.end()) for m in TOKEN.finditer(text, s.start, s.end)])
        for s in sentence_spans(text)
    ]
    sentences = [(s, tokens) for s, tokens in sentences if tokens]
    flat = [(sn, tn, a, b) for sn, (_, toks) in enumerate(sentences) for tn, (a, b) in enumerate(toks)]
    ends = [b for _, _, _, b in flat]
    # Per token, the labels on the whole token and on parts of it. A span of exactly one
    # whole token has a bare label; any other span gives [n] to every piece.
    pieces: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    trimmed, lost, next_id = 0, [], 1
    for r in group:
        covered = []
        for sn, tn, a, b in flat[bisect_right(ends, r["start"]) :]:
            if a >= r["end"]:
                break
            covered.append((sn, tn, max(a, r["start"]), min(b, r["end"]), (a, b)))
        if not covered:
            lost.append(f"{dispatch.id} {r['start']}..{r['end']} [{r['tag']}]")
            continue
        if covered[0][2] != r["start"] or covered[-1][3] != r["end"]:
            trimmed += 1
        label = escape_value(r["tag"])
        if len(covered) > 1 or covered[0][2:4] != covered[0][4]:
            label += f"[{next_id}]"
            next_id += 1
        for sn, tn, a, b, _ in covered:
            pieces.setdefault((sn, tn), []).append((a, b, label))
    out = [HEADER]
    for sn, (sentence, tokens) in enumerate(sentences):
        body = text[sentence.start : sentence.end].strip()
        out.append("\n")
        out.extend(f"#Text={_escape_text(line)}\n" for line in body.split("\n"))
        for tn, (a, b) in enumerate(tokens):
            here = pieces.get((sn, tn), [])
            out.append(_row(f"{sn + 1}-{tn + 1}", text, wide, a, b, [p[2] for p in here if p[:2] == (a, b)]))
            parts: dict[tuple[int, int], list[str]] = {}
            for c, d, label in sorted(here, key=lambda p: (p[0], -p[1])):
                if (c, d) != (a, b):
                    parts.setdefault((c, d), []).append(label)
            for k, ((c, d), labels) in enumerate(parts.items(), 1):
                out.append(_row(f"{sn + 1}-{tn + 1}.{k}", text, wide, c, d, labels))
    return "".join(out), trimmed, lost


def _row(ident: str, text: str, wide: list[int], a: int, b: int, labels: list[str]) -> str:
    """A token line: the identifier column is ``*`` (no identifier) with the label's [n]."""
    identifier = "|".join(
        "*" + label[label.rindex("[") :] if label.endswith("]") else "*" for label in labels
    )
    value = "|".join(labels)
    offsets = f"{to_utf16(wide, a)}-{to_utf16(wide, b)}"
    return f"{ident}\t{offsets}\t{_escape_text(text[a:b])}\t{identifier or '_'}\t{value or '_'}\t\n"


# -- import --------------------------------------------------------------------------------


@dataclass
class _Layer:
    kind: str  # SP, RL or CH
    name: str
    features: list[str]


_KINDS = {"RL": "relation", "CH": "chain"}
_TAKEN = re.compile(
    r"^(?:de\.tudarmstadt\.ukp\.dkpro\.core\.api\.ner\.type\.NamedEntity|webanno\.custom\..+)$"
)
_ENTRY = re.compile(r"^(.*?)(?:\[(\d+)(?:_\d+)?\])?$", re.S)


def _split_values(cell: str) -> list[str]:
    """A cell's ``|``-separated entries (an escaped ``\\|`` is not a separator)."""
    return re.split(r"(?<!\\)\|", cell)


def read_webanno(text: str, name: str) -> list[Candidate]:
    lines = text.split("\n")
    if not lines or not re.match(r"#FORMAT=WebAnno TSV 3(\.\d+)?\s*$", lines[0]):
        raise FormatError(f"{name}:1", "not WebAnno TSV 3 (the first line is not #FORMAT=WebAnno TSV 3.x)")
    layers: list[_Layer] = []
    number = 1
    while number < len(lines) and lines[number].startswith("#T_"):
        head, _, rest = lines[number].partition("=")
        parts = rest.split("|")
        layers.append(_Layer(head[3:5], parts[0], parts[1:]))
        number += 1
    widths = [max(1, len(layer.features)) for layer in layers]
    sentences: list[tuple[list[str], int]] = []  # text lines, line number
    rows: list[tuple[int, list[str], int]] = []  # sentence index, cells, line number
    fresh = True  # a blank line ends a sentence
    for n in range(number, len(lines)):
        line = lines[n].rstrip("\r")
        if not line:
            fresh = True
            continue
        if line.startswith("#Text="):
            if fresh or not sentences:
                sentences.append(([], n + 1))
                fresh = False
            sentences[-1][0].append(_unescape_text(line[6:]))
            continue
        if line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 3 + sum(widths) or not re.match(r"^\d+-\d+(\.\d+)?$", cells[0]):
            raise FormatError(
                f"{name}:{n + 1}", f"a token line needs an id, offsets, the token and {sum(widths)} columns"
            )
        rows.append((len(sentences) - 1, cells, n + 1))
    if not rows:
        return []
    # Rebuild the text: each sentence at its first token's offset (UTF-16 units).
    pieces: list[str] = []
    units = 0
    first_offsets: dict[int, int] = {}
    for index, cells, _ in rows:
        if "." not in cells[0]:
            first_offsets.setdefault(index, int(cells[1].split("-")[0]))
    for index, (body, where) in enumerate(sentences):
        sentence = "\n".join(body)
        begin = first_offsets.get(index, units)
        lead = len(sentence) - len(sentence.lstrip())
        begin -= lead
        if begin < units:
            raise FormatError(f"{name}:{where}", "sentences overlap (offsets go back)")
        gap = begin - units
        pieces.append((" " * (gap - 1) + "\n") if gap else "")
        pieces.append(sentence)
        units = begin + len(sentence.encode("utf-16-le")) // 2
    document = "".join(pieces) + "\n"
    out: list[Candidate] = []
    spans: dict[tuple[int, str], list[int]] = {}
    tags: dict[tuple[int, str], tuple[str, str, int]] = {}
    skipped: dict[str, int] = {}
    column = 3
    for layer, width in zip(layers, widths, strict=True):
        taken = layer.kind == "SP" and bool(_TAKEN.match(layer.name))
        short = layer.name.rsplit(".", 1)[-1]
        for _, cells, where in rows:
            block = cells[column : column + width]
            if all(c == "_" for c in block):
                continue
            if not taken:
                what = f"{short} ({_KINDS.get(layer.kind, 'span')} layer)"
                skipped[what] = skipped.get(what, 0) + 1
                continue
            start, end = (from_utf16(document, int(x)) for x in cells[1].split("-"))
            chosen = layer.features.index("value") if "value" in layer.features else 0
            entries = [_split_values(c) for c in block]
            for k, entry in enumerate(entries[chosen]):
                m = _ENTRY.match(entry)
                assert m is not None  # the pattern matches any string
                raw, ident = m.group(1), m.group(2)
                key = (column, ident) if ident else (column, f"{where}:{k}")
                value = "" if raw in ("*", "_") else unescape_value(raw)
                others = []
                for f, feature in enumerate(layer.features):
                    if f != chosen and k < len(entries[f]):
                        other = _ENTRY.match(entries[f][k])
                        if other and other.group(1) not in ("*", "_"):
                            others.append(f"{feature}: {unescape_value(other.group(1))}")
                span = spans.setdefault(key, [start, end])
                span[0], span[1] = min(span[0], start), max(span[1], end)
                tags.setdefault(key, (value or short, "; ".join(others), where))
        column += width
    for key, (start, end) in spans.items():
        tag, note, where = tags[key]
        record: Raw = {"start": start, "end": end, "tag": tag, "_text": document}
        if note:
            record["note"] = note
        out.append(Candidate(record, f"{name}:{where}"))
    for what, n in sorted(skipped.items()):
        out.append(Candidate({"_skip": f"{n} token lines of {what} not taken"}, name))
    return out
