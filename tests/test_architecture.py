"""The core runs without Textual, and importing it does no I/O."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_textual() -> None:
    code = (
        "import sys\n"
        "import reader.cli, reader.corpus, reader.store, reader.export, reader.entities,"
        " reader.recognizer, reader.render, reader.config, reader.segments\n"
        "from reader.cli import main\n"
        "main(['list', '--json'])\n"
        "assert 'textual' not in sys.modules, 'the core imported textual'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_records_are_typed_where_they_are_passed() -> None:
    """Annotations travel as the Annotation TypedDict through the store, the writers, merge,
    curation, check and undo, so mypy --strict checks their field names (a misspelt key in
    any of them fails the type gate)."""
    import typing
    from collections.abc import Iterable

    from reader import check, curation, merge, undo
    from reader.formats import Writer, jsonlike
    from reader.models import Annotation
    from reader.store import AnnotationStore

    hints = typing.get_type_hints
    assert hints(AnnotationStore.all)["return"] == list[Annotation]
    assert hints(AnnotationStore.get)["return"] == Annotation | None
    assert hints(AnnotationStore.put_many)["records"] == Iterable[Annotation]
    assert typing.get_args(Writer)[0][1] == list[Annotation]
    assert hints(jsonlike.write_json)["records"] == list[Annotation]
    assert hints(merge.plan_merge)["existing"] == Iterable[Annotation]
    assert hints(curation.settle)["return"] == Annotation
    assert hints(check.check_records)["records"] == list[Annotation]
    assert hints(undo.UndoHistory.record)["before"] == list[Annotation | None]
    assert set(typing.get_type_hints(Annotation)) >= {"id", "dispatch_id", "start", "end", "quote", "tag"}
