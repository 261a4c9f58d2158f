"""Rich renderables of a dispatch for the terminal (``reader show``); no Textual here.

Document text is never parsed as markup: spans are styled on a plain :class:`Text`.
Entities are coloured by label and annotations underlined and tagged inline, so they
read without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.text import Text

from reader.inert import inert, one_line
from reader.models import Dispatch, Entity

LABEL_STYLES = {
    "PERSON": "bold #5fafff",
    "ORG": "bold #d787ff",
    "GPE": "bold #5fd787",
    "LOC": "#87d7af",
    "NORP": "#ffaf87",
    "DATE": "#ffd75f",
    "EVENT": "#ff8787",
    "LAW": "#d7d787",
    "PRODUCT": "#87d7ff",
    "MISC": "#d7afaf",
    "MONEY": "#afd75f",
    "PERCENT": "#afd75f",
    "CARDINAL": "#8a8a8a",
}


def safe(text: str) -> str:
    """Replace control characters (ANSI escapes included) by visible placeholders."""
    return inert(text, newlines=True)


def render_dispatch(
    dispatch: Dispatch, entities: Sequence[Entity], records: Sequence[dict[str, Any]]
) -> Group:
    header = Text()
    header.append(safe(dispatch.title), style="bold")
    header.append("\n")
    details = [
        f"id {dispatch.id}",
        f"source {dispatch.source or '—'}",
        f"place {dispatch.meta.place or '—'}",
        f"date {dispatch.date or '—'}",
        f"{dispatch.words} words",
        f"{len(entities)} entities",
        f"{len(records)} annotations",
    ]
    header.append(" · ".join(safe(d) for d in details), style="dim")
    header.append(f"\nsha256 {dispatch.sha256}\n", style="dim")
    body = Text(safe(dispatch.text))
    for e in entities:
        body.stylize(LABEL_STYLES.get(e.label, "bold"), e.start, e.end)
    for r in records:
        body.stylize("underline", r["start"], r["end"])
    # Inline tags after each annotated span, inserted from the end so offsets hold.
    for r in sorted(records, key=lambda r: r["end"], reverse=True):
        marker = Text(f"[{one_line(r['tag'], 40)}]", style="reverse")
        body = Text.assemble(body[: r["end"]], marker, body[r["end"] :])
    legend = Text("\nlegend: ")
    for label, style in LABEL_STYLES.items():
        if any(e.label == label for e in entities):
            legend.append(label, style=style)
            legend.append(" ")
    legend.append("underlined [tag] = annotation", style="underline")
    return Group(header, body, legend)
