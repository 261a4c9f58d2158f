"""Importing annotations: read a file in any supported format, check every annotation
against the current dispatch text, and store the lot as one durable operation.

Annotations whose offsets no longer select their quote are re-anchored to the nearest
occurrence of the quote (and reported); ones that cannot be placed are listed and
skipped. Malformed input and unknown dispatches are errors that stop the whole import:
a file imports whole or not at all.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.anchor import context, occurrences
from reader.corpus import DispatchSource, decode, normalise, sha256_of
from reader.errors import ReaderError
from reader.formats import IMPORT_FORMATS, Candidate, FormatError, Record
from reader.formats.offsets import Respacer, letters, probe
from reader.models import Dispatch
from reader.store import SCHEMA_VERSION, AnnotationStore, check_record, default_annotator, utc_now


@dataclass
class ImportPlan:
    records: list[Record] = field(default_factory=list)
    """Records to store, complete and checked."""
    reanchored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    if path.is_dir():
        for pattern, fmt in (("*.ann", "brat"), ("*.xmi", "xmi"), ("*.tsv", "webanno")):
            if any(path.glob(pattern)):
                return fmt
        raise ReaderError(f"{path}: a folder without .ann, .xmi or .tsv files; give --format")
    suffix = path.suffix.lower()
    if suffix == ".xmi":
        return "xmi"
    if suffix == ".tsv" and path.read_text(encoding="utf-8-sig", errors="replace")[:40].startswith(
        "#FORMAT=WebAnno"
    ):
        return "webanno"
    if suffix == ".csv":
        return "csv"
    if suffix in (".conll", ".conll03", ".conllu", ".iob", ".iob2", ".bio"):
        return "conll"
    if suffix in (".json", ".jsonld"):
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:4000]
        if "anno.jsonld" in head:
            return "w3c"
        if head.lstrip().startswith("[") and '"data"' in head:
            return "labelstudio"
        return "json"
    if suffix == ".jsonl":
        first = next(
            (
                line
                for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
                if line.strip()
            ),
            "",
        )
        try:
            obj = json.loads(first) if first else {}
        except (ValueError, RecursionError):
            return "jsonl"
        if isinstance(obj, dict) and "text" in obj:
            spans = obj.get("spans")
            if (
                "answer" in obj
                or "_annotator_id" in obj
                or (isinstance(spans, list) and spans and isinstance(spans[0], dict))
            ):
                return "prodigy"
            return "spacy" if "spans" in obj else "doccano"
        return "jsonl"
    raise ReaderError(
        f"{path}: cannot tell the format from the name; give --format ({', '.join(IMPORT_FORMATS)})"
    )


def _read_text(path: Path) -> str:
    from reader.files import read_capped

    data = read_capped(str(path))
    try:
        text, warnings = decode(data, str(path))
    except ReaderError:
        raise ReaderError(f"{path}: binary data, not an annotation file") from None
    if warnings:
        raise ReaderError(f"{path}: not UTF-8 text; save it as UTF-8 and import again")
    return text


def letters_finder(corpus: DispatchSource) -> Callable[[str, str], Dispatch | None]:
    """``find(letters, probe)`` for token formats: the dispatch whose text without whitespace
    is ``letters``, looked for among those holding the word ``probe``; answers are kept."""
    found: dict[str, Dispatch | None] = {}

    def find(key: str, probe: str) -> Dispatch | None:
        if key not in found:
            pool = corpus.candidates_for(probe) if probe else list(corpus)
            found[key] = next((d for d in pool if letters(d.text) == key), None)
        return found[key]

    return find


def read_candidates(path: Path, fmt: str, corpus: DispatchSource) -> list[Candidate]:
    from reader.formats import brat, conll, jsonlike, labelstudio, prodigy, tabular, w3c

    if fmt == "brat":
        if not path.is_dir():
            raise ReaderError(f"{path}: brat imports read a folder of .txt and .ann files")
        conf = path / "annotation.conf"
        tag_map = brat.read_tag_map(_read_text(conf)) if conf.exists() else {}
        out = []
        for ann in sorted(path.glob("*.ann")):
            txt = ann.with_suffix(".txt")
            text = normalise(_read_text(txt)) if txt.exists() else ""
            dispatch_id = ann.stem.replace("__", "/")
            for c in brat.read_ann(_read_text(ann), text, dispatch_id, str(ann), tag_map):
                if text:
                    c.record["_text"] = text
                out.append(c)
        return out
    if fmt in ("webanno", "xmi"):
        return _read_documents(path, fmt)
    text = _read_text(path)
    if fmt == "conll":
        return conll.read_conll(text, str(path), letters_finder(corpus))
    readers = {
        "json": jsonlike.read_json,
        "jsonl": jsonlike.read_jsonl,
        "spacy": jsonlike.read_span_lines,
        "doccano": jsonlike.read_span_lines,
        "csv": tabular.read_csv,
        "w3c": w3c.read_w3c,
        "labelstudio": labelstudio.read_labelstudio,
        "prodigy": prodigy.read_prodigy,
    }
    if fmt not in readers:
        raise ReaderError(f"cannot import {fmt!r}: formats are {', '.join(IMPORT_FORMATS)}")
    return readers[fmt](text, str(path))


@dataclass
class TextAdder:
    """Texts an import brings that no dispatch has, planned as new files in ``folder``.

    ``folder`` is inside a corpus root; ``prefix`` is its id prefix there ("" for the root
    itself, else "sub/dir/"). A file is named from a slug of the id the source gave (or the
    text's first words) and the start of the text's SHA-256, so importing again finds it.
    """

    folder: Path
    prefix: str
    taken: Callable[[str], bool]
    planned: dict[str, Dispatch] = field(default_factory=dict)
    """Planned dispatches by their texts' SHA-256."""

    @classmethod
    def for_folder(cls, folder: Path, roots: tuple[str, ...], taken: Callable[[str], bool]) -> TextAdder:
        """Raises: UsageError: ``folder`` is not in a corpus root."""
        from reader.errors import UsageError

        target = folder.resolve()
        for root in roots:
            base = Path(root).resolve()
            if base.is_dir() and (target == base or base in target.parents):
                rel = target.relative_to(base).as_posix()
                return cls(folder, "" if rel == "." else rel + "/", taken)
        raise UsageError(
            f"--add-texts {folder}: not a folder in the corpus ({', '.join(roots)}); "
            "new dispatches must land where the reader will find them"
        )

    def dispatch_for(self, text: str, hint: str) -> Dispatch:
        from reader.corpus import make_dispatch

        digest = sha256_of(text)
        if digest not in self.planned:
            words = hint.rsplit("/", 1)[-1] if hint else " ".join(text.split()[:6])
            slug = "-".join(re.findall(r"[a-z0-9]+", words.lower()))[:48].strip("-") or "text"
            name = f"{slug}-{digest[:10]}"
            planned = {d.id for d in self.planned.values()}
            while self.taken(self.prefix + name) or self.prefix + name in planned:
                name += "x"
            path = self.folder / f"{name}.txt"
            self.planned[digest] = make_dispatch(self.prefix + name, str(path), text)
        return self.planned[digest]

    def write(self) -> list[Dispatch]:
        """Write the planned texts (each whole or not at all); the dispatches written."""
        from reader.export import write_atomic

        self.folder.mkdir(parents=True, exist_ok=True)
        for dispatch in self.planned.values():
            write_atomic(dispatch.path, dispatch.text)
        return list(self.planned.values())


def _read_documents(path: Path, fmt: str) -> list[Candidate]:
    """A WebAnno TSV or XMI file, or a folder of them (XMI: with TypeSystem.xml, if any)."""
    from reader.formats import webanno, xmi

    suffix = ".tsv" if fmt == "webanno" else ".xmi"
    files = sorted(path.rglob(f"*{suffix}")) if path.is_dir() else [path]
    if not files:
        raise ReaderError(f"{path}: no {suffix} files in the folder")
    out: list[Candidate] = []
    typesystems: dict[Path | None, Any] = {}
    for file in files:
        text = _read_text(file)
        if fmt == "webanno":
            found = webanno.read_webanno(text, str(file))
        else:
            names = (file.parent / "TypeSystem.xml", file.parent / "typesystem.xml")
            beside = next((p for p in names if p.exists()), None)
            if beside not in typesystems:
                typesystems[beside] = xmi.load_typesystem(_read_text(beside) if beside else None, str(beside))
            found = xmi.read_xmi(text, str(file), typesystems[beside])
        for c in found:  # the file's name is the dispatch's name, if the text is new
            if "_text" in c.record:
                c.record.setdefault("dispatch_id", file.stem.replace("__", "/"))
        out.extend(found)
    return out


def plan_import(
    candidates: list[Candidate],
    corpus: DispatchSource,
    store: AnnotationStore,
    adder: TextAdder | None = None,
) -> ImportPlan:
    plan = ImportPlan()
    find = letters_finder(corpus)
    respaced: dict[tuple[str, str], Respacer | None] = {}
    existing_ids = {r["id"]: r for r in store.all()}
    existing_spans = {(r["dispatch_id"], r["start"], r["end"], r["tag"]) for r in existing_ids.values()}
    planned_ids: set[str] = set()
    now = utc_now()
    for c in candidates:
        r = dict(c.record)
        if "_skip" in r:  # something the format's reader read but does not take, and says why
            plan.skipped.append(f"{c.where}: {r['_skip']}")
            continue
        source_text = r.pop("_text", None)
        text_fields = ("dispatch_id", "tag", "note", "annotator", "created", "updated", "id")
        wrong = [k for k in text_fields if k in r and not isinstance(r[k], str) and r[k] is not None]
        if wrong or not (source_text is None or isinstance(source_text, str)):
            plan.errors.append(f"{c.where}: {', '.join(wrong) or 'text'} must be text")
            continue
        dispatch = corpus.get(r.get("dispatch_id", "")) if r.get("dispatch_id") else None
        if dispatch is None and source_text is not None:
            dispatch = corpus.by_sha256(sha256_of(normalise(source_text)))
            if dispatch is None:  # the same text spaced otherwise (a token format's rebuilt text)
                dispatch = find(letters(source_text), probe(source_text))
            if dispatch is None and adder is not None and normalise(source_text).strip():
                dispatch = adder.dispatch_for(normalise(source_text), str(r.get("dispatch_id") or ""))
        if dispatch is not None and source_text is not None and normalise(source_text) != dispatch.text:
            pair = (source_text, dispatch.id)
            if pair not in respaced:
                same = letters(source_text) == letters(dispatch.text)
                respaced[pair] = Respacer(source_text, dispatch.text) if same else None
            if (respacer := respaced[pair]) is not None:
                start, end = r.get("start"), r.get("end")
                span = respacer.move(start, end) if type(start) is type(end) is int else None  # noqa: E721
                if span is None:
                    plan.skipped.append(f"{c.where}: only whitespace in {dispatch.id}; skipped")
                    continue
                r["start"], r["end"] = span
                r.pop("quote", None)
                source_text = None
        if dispatch is None:
            plan.errors.append(
                f"{c.where}: unknown dispatch {r.get('dispatch_id', '(text not in the corpus)')!r}"
            )
            continue
        tag = str(r.get("tag") or "").strip()
        if not tag:
            plan.errors.append(f"{c.where}: empty tag")
            continue
        start, end = r.get("start"), r.get("end")
        # Offsets are integers; JSON's true/false are not (bool is an int in Python).
        start = start if type(start) is int else None  # noqa: E721
        end = end if type(end) is int else None  # noqa: E721
        basis = normalise(source_text) if source_text is not None else dispatch.text
        quote = r.get("quote")
        if quote is not None and not isinstance(quote, str):
            plan.errors.append(f"{c.where}: quote must be text")
            continue
        if not quote and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(basis):
            quote = basis[start:end]
        if not quote:
            if isinstance(start, int) and start == end:
                why = f"an empty span ({start}..{end}): nothing to annotate"
            elif isinstance(start, int) and isinstance(end, int) and start > end:
                why = f"its span ends before it starts ({start}..{end})"
            elif isinstance(start, int) and isinstance(end, int) and (start < 0 or end > len(basis)):
                why = f"its span ({start}..{end}) is outside the text ({len(basis)} characters)"
            else:
                why = f"no quote and no valid offsets ({start}..{end})"
            plan.skipped.append(f"{c.where}: {why}")
            continue
        text = dispatch.text
        anchored = (
            isinstance(start, int) and isinstance(end, int) and text[start:end] == quote and start < end
        )
        if not anchored:
            hits = occurrences(text, quote)
            if not hits:
                plan.skipped.append(f"{c.where}: quote {quote[:40]!r} is not in {dispatch.id}; skipped")
                continue
            old = start if isinstance(start, int) else 0
            prefix = r.get("prefix", "")
            best = min(hits, key=lambda h: (not (prefix and text[:h].endswith(prefix)), abs(h - old)))
            plan.reanchored.append(
                f"{c.where}: moved {start}..{end} -> {best}..{best + len(quote)} in {dispatch.id}"
            )
            start, end = best, best + len(quote)
        assert isinstance(start, int) and isinstance(end, int)  # anchored, or re-anchored above
        record_id = str(r.get("id") or "")
        try:
            uuid.UUID(record_id)
        except ValueError:
            record_id = ""
        key = (dispatch.id, start, end, tag)
        if (record_id and record_id in existing_ids and _same(existing_ids[record_id], start, end, tag)) or (
            not record_id and key in existing_spans
        ):
            plan.duplicates += 1
            continue
        if not record_id or record_id in planned_ids:
            record_id = str(uuid.uuid4())
        planned_ids.add(record_id)
        prefix, quote, suffix = context(text, start, end)
        moved = not anchored
        record = {
            "id": record_id,
            "dispatch_id": dispatch.id,
            "dispatch_sha256": dispatch.sha256
            if moved or not r.get("dispatch_sha256")
            else r["dispatch_sha256"],
            "start": start,
            "end": end,
            "quote": quote,
            "prefix": prefix if moved or "prefix" not in r else r["prefix"],
            "suffix": suffix if moved or "suffix" not in r else r["suffix"],
            "tag": tag,
            "note": str(r.get("note") or ""),
            "annotator": str(r.get("annotator") or default_annotator()),
            "created": str(r.get("created") or now),
            "updated": str(r.get("updated") or r.get("created") or now),
            "schema": SCHEMA_VERSION,
        }
        if "sources" in r:  # a curated annotation's link to the records it came from
            record["sources"] = r["sources"]
        fallback = {"dispatch_sha256": dispatch.sha256, "prefix": prefix, "suffix": suffix}
        for field_name, value in fallback.items():
            if not isinstance(record[field_name], str):
                record[field_name] = value
        try:
            plan.records.append(check_record(record, c.where))
        except ReaderError as exc:
            plan.errors.append(str(exc))
    return plan


def _same(record: Record, start: int, end: int, tag: str) -> bool:
    return bool(record["start"] == start and record["end"] == end and record["tag"] == tag)


def import_path(
    path: Path,
    fmt: str | None,
    corpus: DispatchSource,
    store: AnnotationStore,
    dry_run: bool = False,
    adder: TextAdder | None = None,
) -> ImportPlan:
    """Read, check and (unless ``dry_run`` or on any error) store; see the module docstring.

    With an ``adder``, texts no dispatch has are planned as new dispatches; :func:`commit`
    writes them, then the annotations."""
    if not path.exists():
        raise ReaderError(f"{path}: no such file or folder")
    fmt = fmt or detect_format(path)
    try:
        candidates = read_candidates(path, fmt, corpus)
    except FormatError as exc:
        raise ReaderError(str(exc)) from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, RecursionError) as exc:
        # A shape no reader expected: still one line naming the file, and nothing stored.
        raise ReaderError(f"{path}: not a valid {fmt} file ({type(exc).__name__}: {str(exc)[:80]})") from None
    plan = plan_import(candidates, corpus, store, adder)
    if not dry_run:
        commit(plan, store, adder)
    return plan


def commit(plan: ImportPlan, store: AnnotationStore, adder: TextAdder | None = None) -> list[Dispatch]:
    """Store a plan that has no errors: new texts first (each file whole), then the
    annotations in one durable write. The dispatches added."""
    if plan.errors or not plan.records:
        return []
    added = adder.write() if adder is not None else []
    store.put_many(plan.records)
    return added
