"""Exchange formats: writers and readers of annotations, each saying what it loses.

Every writer takes the corpus and the records and returns an :class:`Output` (text, or
files for folder formats) plus one line per kind of loss. Every reader returns candidate
records that :mod:`reader.importer` checks against the dispatch texts before storing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reader.corpus import DispatchSource
from reader.models import Annotation, Dispatch

Record = Annotation
"""A stored, checked annotation: what writers take."""
Raw = dict[str, Any]
"""An annotation as a reader found it, before the importer checks it (may hold ``_text``,
``_skip`` and any other key from outside)."""


@dataclass
class Output:
    """What a writer produced: ``text`` for one-file formats, ``files`` for folders."""

    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    losses: list[str] = field(default_factory=list)
    """One line per kind of loss, e.g. "conll: 3 notes not exported (CoNLL has no notes)"."""


@dataclass
class Candidate:
    """An annotation read from a file, before it is checked against the dispatch."""

    record: Raw
    where: str
    """File and line (or item) it came from, for messages."""


class FormatError(Exception):
    """A malformed file or line: ``where`` names file and line."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed in JSON")


def load_json(text: str, where: str, *, lines: bool = True) -> Any:
    """Strict JSON from outside: no NaN or Infinity, no runaway nesting or numbers.

    Raises:
        FormatError: naming ``where`` and, for syntax errors, the line.
    """
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{where}:{exc.lineno}" if lines else where, f"not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise FormatError(where, "JSON nested too deeply") from None
    except ValueError as exc:
        raise FormatError(where, f"not valid JSON ({str(exc)[:80]})") from None


Writer = Callable[[DispatchSource, list[Record]], Output]

EXPORT_FORMATS = (
    "json", "jsonl", "w3c", "brat", "conll", "spacy", "doccano", "csv", "labelstudio", "prodigy",
    "webanno", "xmi",
)  # fmt: skip
IMPORT_FORMATS = EXPORT_FORMATS
FOLDER_FORMATS = ("brat", "webanno", "xmi")


def writer(name: str) -> Writer:
    from reader.formats import brat, conll, jsonlike, labelstudio, prodigy, tabular, w3c, webanno, xmi

    writers: dict[str, Writer] = {
        "json": jsonlike.write_json,
        "jsonl": jsonlike.write_jsonl,
        "spacy": jsonlike.write_spacy,
        "doccano": jsonlike.write_doccano,
        "csv": tabular.write_csv,
        "w3c": w3c.write_w3c,
        "brat": brat.write_brat,
        "conll": conll.write_conll,
        "labelstudio": labelstudio.write_labelstudio,
        "prodigy": prodigy.write_prodigy,
        "webanno": webanno.write_webanno,
        "xmi": xmi.write_xmi,
    }
    return writers[name]


def by_dispatch(corpus: DispatchSource, records: Iterable[Record]) -> Iterator[tuple[Dispatch, list[Record]]]:
    """Records grouped per dispatch, in id order, by position; dispatches not in the corpus
    are skipped (a writer needs their text)."""
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r["dispatch_id"], []).append(r)
    for dispatch_id in sorted(groups):
        dispatch = corpus.get(dispatch_id)
        if dispatch is not None:
            yield dispatch, sorted(groups[dispatch_id], key=lambda r: (r["start"], r["end"]))


def ne_layer_losses(fmt: str, records: list[Record], container: str) -> tuple[list[str], list[str]]:
    """Loss lines of the INCEpTION formats (NamedEntity layer, one ``container`` per
    dispatch): notes first, then annotators; and, to end the list, ids and timestamps."""
    first: list[str] = []
    notes = count(records, lambda r: bool(r.get("note")))
    if notes:
        first.append(f"{fmt}: {notes} notes not exported (the NamedEntity layer has no note)")
    annotators = {r["annotator"] for r in records}
    if len(annotators) > 1:
        first.append(
            f"{fmt}: {len(annotators)} annotators' spans share one {container} per dispatch (INCEpTION "
            "keeps one per annotator); export with --annotator NAME for one each"
        )
    last = [f"{fmt}: annotation ids and timestamps not exported"] if records else []
    return first, last


def count(records: Iterable[Record], predicate: Callable[[Record], bool]) -> int:
    return sum(1 for r in records if predicate(r))
