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
