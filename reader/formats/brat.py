"""brat standoff: per dispatch a ``.txt`` and a ``.ann``, plus ``annotation.conf``.

T lines carry the tag (made brat-safe; ``annotation.conf`` maps safe names back) and the
span, split into fragments at newlines as brat requires; ``#`` AnnotatorNotes lines carry
notes (newlines become spaces). Ids, annotators and timestamps are not kept.
"""

from __future__ import annotations

import re

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Record, by_dispatch, count

_SAFE = re.compile(r"[^A-Za-z0-9_-]")
MAP_PREFIX = "# dispatch-reader tag: "


def safe_type(tag: str) -> str:
    safe = _SAFE.sub("_", tag)
    return safe if safe[:1].isalpha() else "T_" + safe


def file_stem(dispatch_id: str) -> str:
    """Folder-free file name for a dispatch id (``/`` becomes ``__``)."""
    return dispatch_id.replace("/", "__")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at newlines, without empty pieces."""
    out = []
    pos = start
    for piece in text[start:end].split("\n"):
        if piece:
            out.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return out


def safe_types(tags: list[str]) -> dict[str, str]:
    """Each tag's brat-safe name, distinct: ``date range`` and ``date_range`` must not merge."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    # Tags already safe keep their names; the others get a number where they would collide.
    for tag in sorted(set(tags), key=lambda t: (safe_type(t) != t, t)):
        name = safe_type(tag)
        n = 2
        while name in taken:
            name = f"{safe_type(tag)}_{n}"
            n += 1
        taken.add(name)
        out[tag] = name
    return out


def write_brat(corpus: DispatchSource, records: list[Record]) -> Output:
    files: dict[str, str] = {}
    types: dict[str, str] = {}
    names = safe_types([r["tag"] for r in records])
    unplaceable: list[str] = []
    trimmed = 0
    overlapping = 0
    for dispatch, group in by_dispatch(corpus, records):
        dispatch_id = dispatch.id
        stem = file_stem(dispatch_id)
        files[f"{stem}.txt"] = dispatch.text
        lines = []
        n_note = 0
        n_t = 0
        reach = -1
        for r in group:  # by position: an overlap is a start before the furthest end so far
            if r["start"] < reach:
                overlapping += 1
            reach = max(reach, r["end"])
            pieces = fragments(dispatch.text, r["start"], r["end"])
            if not pieces:
                unplaceable.append(f"{dispatch_id} {r['start']}..{r['end']}")
                continue
            if pieces[0][0] != r["start"] or pieces[-1][1] != r["end"]:
                trimmed += 1
            n_t += 1
            i = n_t
            kind = names[r["tag"]]
            types[kind] = r["tag"]
            spans = ";".join(f"{a} {b}" for a, b in pieces)
            shown = " ".join(dispatch.text[a:b] for a, b in pieces)
            lines.append(f"T{i}\t{kind} {spans}\t{shown}")
            if r.get("note"):
                n_note += 1
                note = " ".join(r["note"].split())
                lines.append(f"#{n_note}\tAnnotatorNotes T{i}\t{note}")
        files[f"{stem}.ann"] = "".join(line + "\n" for line in lines)
    conf = ["[entities]"]
    conf += [kind for kind in sorted(types)]
    conf += ["[relations]"]
    if overlapping:
        # brat's verify_annotations reports overlapping spans as errors unless this is declared.
        conf += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"]
    conf += ["[events]", "[attributes]", ""]
    conf += [f"{MAP_PREFIX}{kind} = {tag}" for kind, tag in sorted(types.items()) if kind != tag]
    files["annotation.conf"] = "\n".join(conf) + "\n"
    losses = []
    if records:
        losses.append("brat: annotation ids, annotators and timestamps not exported")
    multiline = count(records, lambda r: "\n" in r.get("note", "") or "\t" in r.get("note", ""))
    if multiline:
        losses.append(f"brat: {multiline} notes with line breaks or tabs flattened to one line")
    if overlapping:
        losses.append(
            f"brat: {overlapping} overlapping annotations: annotation.conf declares <OVERLAP> for them"
        )
    if trimmed:
        losses.append(
            f"brat: {trimmed} annotations begin or end with a line break, which brat cannot hold: trimmed"
        )
    if unplaceable:
        losses.append(
            f"brat: {len(unplaceable)} annotations of line breaks only not exported: "
            + "; ".join(unplaceable[:5])
        )
    renamed = [t for k, t in types.items() if k != t]
    if renamed:
        losses.append(f"brat: {len(renamed)} tag names made brat-safe (mapped back on import)")
    return Output(files=files, losses=losses)


def read_tag_map(conf_text: str) -> dict[str, str]:
    out = {}
    for line in conf_text.splitlines():
        if line.startswith(MAP_PREFIX):
            kind, _, tag = line[len(MAP_PREFIX) :].partition(" = ")
            out[kind] = tag
    return out


def read_ann(
    ann_text: str, txt: str, dispatch_id: str, name: str, tag_map: dict[str, str]
) -> list[Candidate]:
    by_id: dict[str, Candidate] = {}
    notes: dict[str, str] = {}
    ignored: dict[str, int] = {}
    for number, line in enumerate(ann_text.splitlines(), 1):
        where = f"{name}:{number}"
        if not line.strip():
            continue
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 2:
                raise FormatError(where, "a T line is 'T<n><tab>TYPE START END<tab>text'")
            kind, _, spans = parts[1].partition(" ")
            try:
                pieces = [tuple(int(x) for x in frag.split()) for frag in spans.split(";")]
                start, end = pieces[0][0], pieces[-1][1]
            except (ValueError, IndexError):
                raise FormatError(where, f"bad offsets {spans!r}") from None
            record = {"dispatch_id": dispatch_id, "start": start, "end": end, "tag": tag_map.get(kind, kind)}
            gaps = [
                txt[a[1] : b[0]]
                for a, b in zip(pieces, pieces[1:], strict=False)
                if len(a) == 2 and len(b) == 2
            ]
            if txt and any(gap.strip() for gap in gaps):
                # A discontinuous span (T1 Location 0 5;16 23): one annotation would cover the gap.
                by_id[parts[0]] = Candidate(
                    {"_skip": f"a discontinuous span ({spans}): its fragments are not one annotation"}, where
                )
                continue
            by_id[parts[0]] = Candidate(record, where)
        elif line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1].startswith("AnnotatorNotes "):
                notes[parts[1].split(" ", 1)[1]] = parts[2]
        else:
            kind = {"R": "relation", "E": "event", "A": "attribute", "M": "attribute", "N": "normalization",
                    "*": "equivalence"}.get(line[:1], "unknown")  # fmt: skip
            ignored[kind] = ignored.get(kind, 0) + 1
    for ident, note in notes.items():
        if ident in by_id:
            by_id[ident].record["note"] = note
        else:
            ignored["note on a non-span"] = ignored.get("note on a non-span", 0) + 1
    skipped = [
        Candidate({"_skip": f"{n} {kind} lines: not taken"}, name) for kind, n in sorted(ignored.items())
    ]
    return list(by_id.values()) + skipped
