"""The core runs without Textual, and importing it does no I/O."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


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


def test_annotation_records_are_frozen_for_the_type_checker(tmp_path: Path) -> None:
    """Every field of ``Annotation`` is ReadOnly: mypy --strict rejects each way of changing
    a record in place, and accepts making a changed copy."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from reader.models import Annotation\n\n\n"
        "def change(r: Annotation) -> Annotation:\n"
        '    r["tag"] = "x"\n'
        '    r.update({"note": "y"})\n'
        '    r.setdefault("quote", "z")\n'
        '    del r["start"]\n'
        '    return {**r, "tag": "fine"}\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent", str(probe)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "6", "7", "8"], done.stdout
