"""Label Studio's JSON: a list of tasks, ``{"data": {"text"}, "annotations": [{"result"}],
"predictions": [...]}``, with ``labels`` results for spans, as Label Studio exports them and
imports pre-annotated tasks.

Offsets in Label Studio are those of a JavaScript string (UTF-16 code units); ours are
Unicode code points. They differ after any character outside the Basic Multilingual Plane
(most emoji), and are converted both ways.

Export: one task per dispatch; each annotator's annotations are one entry of
``annotations`` (``created_username`` names them, as Label Studio's own exports do); a
note goes in the region's ``meta.text``, where Label Studio keeps a region's free-text meta
information. Import: ``labels`` results of ``annotations`` and of ``predictions`` (the
annotator is ``prediction:<model_version>``); other result types (choices, relations,
textareas not tied to a region, ratings) are reported, not taken, as are cancelled
annotations.
"""

from __future__ import annotations

import json
from typing import Any

from reader.corpus import DispatchSource
from reader.formats import Candidate, FormatError, Output, Raw, Record, by_dispatch, load_json
from reader.formats.offsets import astral as _astral
from reader.formats.offsets import from_utf16, to_utf16


def write_labelstudio(corpus: DispatchSource, records: list[Record]) -> Output:
    tasks = []
    for number, (dispatch, group) in enumerate(by_dispatch(corpus, records), 1):
        astral = _astral(dispatch.text)
        by_annotator: dict[str, list[Record]] = {}
        for r in group:
            by_annotator.setdefault(r["annotator"], []).append(r)
        annotations = []
        for k, annotator in enumerate(sorted(by_annotator), 1):
            result = []
            for r in by_annotator[annotator]:
                region: dict[str, Any] = {
                    "id": r["id"][:10],
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "origin": "manual",
                    "value": {
                        "start": to_utf16(astral, r["start"]),
                        "end": to_utf16(astral, r["end"]),
                        "text": r["quote"],
                        "labels": [r["tag"]],
                    },
                }
                if r.get("note"):
                    region["meta"] = {"text": [r["note"]]}
                result.append(region)
            times = sorted(r["created"] for r in by_annotator[annotator])
            annotations.append(
                {
                    "id": number * 1000 + k,
                    "created_username": annotator,
                    "created_at": times[0],
                    "updated_at": max(r["updated"] for r in by_annotator[annotator]),
                    "result": result,
                    "was_cancelled": False,
                    "ground_truth": False,
                }
            )
        tasks.append(
            {
                "id": number,
                "data": {"text": dispatch.text, "dispatch_id": dispatch.id, "sha256": dispatch.sha256},
                "annotations": annotations,
                "predictions": [],
            }
        )
    losses = []
    if records:
        losses.append("labelstudio: annotation ids shortened to region ids of 10 characters")
    return Output(text=json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", losses=losses)


def _annotator(annotation: dict[str, Any]) -> str:
    name = annotation.get("created_username")
    if isinstance(name, str) and name.strip():
        return name.split(",")[0].strip()  # Label Studio writes " email, id"
    who = annotation.get("completed_by")
    if isinstance(who, dict) and isinstance(who.get("email"), str):
        return str(who["email"])
    if isinstance(who, int | str) and not isinstance(who, bool):
        return f"labelstudio-user-{who}"
    return ""


def read_labelstudio(text: str, name: str) -> list[Candidate]:
    doc = load_json(text, name)
    tasks = doc if isinstance(doc, list) else [doc]
    out: list[Candidate] = []
    for t, task in enumerate(tasks):
        where_task = f"{name}: task {t + 1}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise FormatError(where_task, "a Label Studio task is an object with data")
        data = task["data"]
        body = data.get("text")
        if not isinstance(body, str):
            strings = [v for v in data.values() if isinstance(v, str)]
            if len(strings) != 1:
                raise FormatError(where_task, "no text in data (data.text, or one text field)")
            body = strings[0]
        groups = []
        for kind in ("annotations", "predictions"):
            items = task.get(kind, [])
            if not isinstance(items, list):
                raise FormatError(where_task, f"{kind} must be a list")
            groups += [(kind, i, item) for i, item in enumerate(items)]
        for kind, i, item in groups:
            where = f"{where_task} {kind}[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("result", []), list):
                raise FormatError(where, "an annotation is an object with a result list")
            if item.get("was_cancelled"):
                out.append(Candidate({"_skip": "a cancelled annotation: not taken"}, where))
                continue
            if kind == "predictions":
                annotator = f"prediction:{item.get('model_version') or 'unknown'}"
            else:
                annotator = _annotator(item)
            notes: dict[str, str] = {}
            for result in item.get("result", []):
                value = result.get("value") if isinstance(result, dict) else None
                if isinstance(value, dict) and result.get("type") == "textarea" and "start" in value:
                    texts = value.get("text")
                    if isinstance(texts, list) and all(isinstance(x, str) for x in texts):
                        notes[str(result.get("id"))] = "\n".join(texts)
            skipped: dict[str, int] = {}
            for r, result in enumerate(item.get("result", [])):
                here = f"{where} result[{r}]"
                if not isinstance(result, dict):
                    raise FormatError(here, "a result is an object")
                kind_of = str(result.get("type", "?"))
                value = result.get("value")
                if not isinstance(value, dict):  # a relation: it links regions, it is no span
                    skipped[kind_of] = skipped.get(kind_of, 0) + 1
                    continue
                if kind_of != "labels" and not ("labels" in value and "start" in value):
                    if not (kind_of == "textarea" and str(result.get("id")) in notes):
                        skipped[kind_of] = skipped.get(kind_of, 0) + 1
                    continue
                start, end, labels = value.get("start"), value.get("end"), value.get("labels")
                if not (type(start) is int and type(end) is int):  # noqa: E721
                    raise FormatError(here, "start and end must be integers")
                if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
                    raise FormatError(here, "labels must be a list of names")
                note = notes.get(str(result.get("id")), "")
                meta = result.get("meta")
                if isinstance(meta, dict) and isinstance(meta.get("text"), list):
                    note = "\n".join(x for x in meta["text"] if isinstance(x, str)) or note
                for label in labels:  # a region with several labels: one annotation per label
                    record: Raw = {
                        "start": from_utf16(body, start),
                        "end": from_utf16(body, end),
                        "tag": label,
                        "note": note,
                        "_text": body,
                    }
                    if isinstance(data.get("dispatch_id"), str):
                        record["dispatch_id"] = data["dispatch_id"]
                    if annotator:
                        record["annotator"] = annotator
                    out.append(Candidate(record, here))
            for kind_of, n in sorted(skipped.items()):
                out.append(Candidate({"_skip": f"{n} {kind_of} results: not spans, not taken"}, where))
    return out
