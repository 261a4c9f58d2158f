"""Undo and redo of annotation edits, over any store, for a whole session.

Each step records the records before and after an edit (``None`` for absent), so undoing
a delete puts the very same record (id, timestamps) back. A batch is one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from reader.models import Annotation

Record = Annotation


class Writable(Protocol):
    def put_many(self, records: list[Record]) -> int: ...
    def remove_many(self, annotation_ids: list[str]) -> int: ...


@dataclass(frozen=True)
class Step:
    label: str
    """What the user did, e.g. ``tag event`` or ``delete``, for notifications."""
    before: tuple[tuple[str, Record | None], ...]
    after: tuple[tuple[str, Record | None], ...]


def _apply(store: Writable, states: tuple[tuple[str, Record | None], ...]) -> None:
    puts = [r for _, r in states if r is not None]
    deletes = [i for i, r in states if r is None]
    if deletes:
        store.remove_many(deletes)
    if puts:
        store.put_many(puts)


@dataclass
class UndoHistory:
    done: list[Step] = field(default_factory=list)
    undone: list[Step] = field(default_factory=list)

    def record(self, label: str, before: list[Record | None], after: list[Record | None]) -> None:
        """Remember an edit already applied: pairs of the same annotation before and after."""
        ids = [(b or a or {"id": ""})["id"] for b, a in zip(before, after, strict=True)]
        self.done.append(
            Step(label, tuple(zip(ids, before, strict=True)), tuple(zip(ids, after, strict=True)))
        )
        self.undone.clear()

    def undo(self, store: Writable) -> Step | None:
        if not self.done:
            return None
        step = self.done.pop()
        _apply(store, step.before)
        self.undone.append(step)
        return step

    def redo(self, store: Writable) -> Step | None:
        if not self.undone:
            return None
        step = self.undone.pop()
        _apply(store, step.after)
        self.done.append(step)
        return step
