"""Shared fixtures: the seed corpus and stores that never touch the user's file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.corpus import Corpus, load_corpus
from reader.store import AnnotationStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_000 = "000_0daff5d748c82e7b"
SEED_001 = "001_9fcf62e69516790b"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalogs go to a folder of the test run, never the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(SEEDS)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path, corpus: Corpus):  # type: ignore[no-untyped-def]
    """The same tests against an in-memory store and a JSON-file store."""
    if request.param == "memory":
        s = AnnotationStore.in_memory(corpus=corpus, annotator="tester")
    else:
        s = AnnotationStore.open(tmp_path / "annotations.json", corpus=corpus, annotator="tester")
    yield s
    s.close()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the seeds as corpus and a fresh store; returns the store path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_CORPUS", str(SEEDS))
    monkeypatch.setenv("READER_DB", str(tmp_path / "db.json"))
    monkeypatch.setenv("READER_ANNOTATOR", "cli-tester")
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "db.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the ``reader`` command in-process: (exit code, stdout, stderr)."""
    from reader.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_and_kill(argv: list[str], seconds: float) -> list[str]:
    """Run a child process, SIGKILL it after ``seconds``, and return the complete lines it
    printed (a line cut by the kill is dropped: it was never acknowledged)."""
    import os
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(argv, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    buffer = b""

    def drain() -> bytes:
        try:
            return os.read(fd, 1 << 16) or b""
        except BlockingIOError:
            return b""

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        buffer += drain()
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    while chunk := drain():
        buffer += chunk
    proc.stdout.close()
    return buffer.decode().split("\n")[:-1]


async def until(pilot, condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds (work that starts after the first
    frame, say), failing after ``seconds``: no fixed sleep that a loaded machine outruns."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {condition.__doc__ or condition}")
        await pilot.pause(0.05)


def palette_found(app, title: str):  # type: ignore[no-untyped-def]
    """A condition for :func:`until`: the command palette lists a command starting ``title``."""
    from textual.command import CommandList

    def found() -> bool:
        lists = app.screen.query(CommandList)
        if not lists:
            return False
        options = lists.first()
        return any(
            str(options.get_option_at_index(i).prompt).startswith(title) for i in range(options.option_count)
        )

    return found
