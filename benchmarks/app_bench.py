"""App figures for ``benchmarks/run.py``: start-up ratio, a 1 MB dispatch, a 10,000-dispatch library.

Timings wait for the app to have handled the input and repainted (message queues drained
and the widget re-rendered), not for the CPU to go idle: background workers (entity
counting) keep running, as they would for a user.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BASELINE = """
import time
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import DataTable
class Minimal(App):
    def compose(self):
        yield DataTable()
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Title", "Source", "Date", "Words")
        table.add_rows([("Russia And Belarus Tighten Military Cooperation", "RFE/RL", "May 15", "691"),
                        ("Russia and Belarus have decided", "Monitor", "", "355")])
        self.call_after_refresh(self.exit)
Minimal().run(headless=True, size=(120, 40))
print(time.perf_counter() - t0)
"""

OURS = """
import time, tempfile, shutil, os
t0 = time.perf_counter()
from reader.config import load_settings
from reader.tui.app import make_app
tmp = tempfile.mkdtemp()
shutil.copy("annotations.json", os.path.join(tmp, "annotations.json"))
app = make_app(load_settings(db=os.path.join(tmp, "annotations.json"), env={}))
from reader.tui.screens.library import LibraryScreen
LibraryScreen.on_screen_resume = lambda self: None
original = LibraryScreen.on_mount
def on_mount(self):
    original(self)
    self.call_after_refresh(self.app.exit)
LibraryScreen.on_mount = on_mount
app.run(headless=True, size=(120, 40))
app.store.close()
print(time.perf_counter() - t0)
"""


def _run(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


async def _until(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.0005)


async def _settled(pilot: Any, widget: Any, rendered: int | None = None) -> None:
    """Wait until pending messages are handled and, given the render count before the
    input, until ``widget`` has rendered again."""
    if rendered is not None:
        # A frame has been painted when the widget rendered lines again.
        await _until(lambda: widget._render_count > rendered, 5)
    else:
        await pilot._wait_for_screen()
        for _ in range(3):
            await asyncio.sleep(0.005)


def bench_app() -> None:
    from run import report, synthetic_corpus

    # 1. Start-up to the library painted, against a minimal DataTable app, same run.
    ours, base = [], []
    for _ in range(5):
        base.append(_run(BASELINE))
        ours.append(_run(OURS))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"  start: ours {statistics.median(ours):.3f} s, minimal app {statistics.median(base):.3f} s")
    report("start to library painted, ratio to a minimal DataTable app", ratio, "x", 1.5)

    asyncio.run(_long_dispatch(report, synthetic_corpus))
    asyncio.run(_big_library(report, synthetic_corpus))


def _instrument() -> None:
    """Count renders of our Line API widgets, to know when a frame has been drawn."""
    from reader.tui.widgets.dispatch_table import DispatchTable
    from reader.tui.widgets.document_view import DocumentView

    for cls in (DocumentView, DispatchTable):
        if getattr(cls, "_instrumented", False):
            continue
        original = cls.render_line

        def render_line(self: Any, y: int, _original: Any = original) -> Any:
            self._render_count = getattr(self, "_render_count", 0) + 1
            return _original(self, y)

        cls.render_line = render_line  # type: ignore[method-assign]
        cls._render_count = 0  # type: ignore[attr-defined]
        cls._instrumented = True  # type: ignore[attr-defined]


async def _long_dispatch(report: Any, synthetic_corpus: Any) -> None:
    from reader.config import load_settings
    from reader.corpus import Corpus, make_dispatch
    from reader.store import AnnotationStore
    from reader.tui.app import make_app
    from reader.tui.widgets.document_view import DocumentView

    _instrument()
    parts = [d.text for d in synthetic_corpus(260, seed=11)]
    text = "\n\n".join(parts)[:1_000_000]
    big = make_dispatch("long/one-megabyte", "long.txt", text)
    corpus = Corpus([big])
    store = AnnotationStore.in_memory(corpus=corpus)
    app = make_app(load_settings(env={}), store=store, corpus=corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_dispatch(big.id)
        await _until(lambda: _rendered(app, DocumentView))
        first_frame = time.perf_counter() - t0
        view = app.screen.query_one(DocumentView)
        await _until(lambda: len(app.screen.entities) > 0, 60)
        highlighted = time.perf_counter() - t0
        print(
            f"  1 MB dispatch: {len(text):,} characters, {len(app.screen.entities):,} entity spans, "
            f"highlighted after {highlighted:.2f} s"
        )
        report("open a 1 MB dispatch: first frame (s)", first_frame, "s", 0.3)
        motions = (("pagedown", "page down"), ("j", "cursor down"), ("w", "word"), (")", "sentence"))
        for key, name in motions:
            times = []
            for _ in range(30):
                before = view._render_count
                t = time.perf_counter()
                _send_key(app, key)
                await _settled(pilot, view, before)
                times.append(time.perf_counter() - t)
            report(f"1 MB dispatch: {name}, median per key (ms)", statistics.median(times) * 1000, "ms", 30)
        times = []
        for _ in range(15):  # tag 6 (claim) is a passage tag: no re-learning
            view.select(view.unit_at("sentence"))
            await _settled(pilot, view)
            before = view._render_count
            t = time.perf_counter()
            app.screen.action_quick_tag(6)
            await _settled(pilot, view, before)
            times.append(time.perf_counter() - t)
            view.move_to(view.cursor + 400)
            await _settled(pilot, view)
        assert len(store.all()) == 15
        report("1 MB dispatch: add an annotation and repaint (ms)", statistics.median(times) * 1000, "ms", 30)


def _rendered(app: Any, widget_type: type) -> bool:
    """Whether a widget of this type is on the current screen and has painted."""
    found = app.screen.query(widget_type)
    return bool(found) and found.first()._render_count > 0


def _send_key(app: Any, key: str) -> None:
    """Deliver a key as the terminal driver would, without Pilot's wait for an idle CPU."""
    from textual import events

    char = key if len(key) == 1 else None
    event = events.Key({")": "right_parenthesis"}.get(key, key), char)
    event.set_sender(app)
    app._driver.send_message(event)


async def _big_library(report: Any, synthetic_corpus: Any) -> None:
    import tempfile

    from reader.config import load_settings
    from reader.store import AnnotationStore
    from reader.tui.app import make_app
    from reader.tui.widgets.dispatch_table import DispatchTable
    from reader.workspace import Workspace

    _instrument()
    corpus = synthetic_corpus(10_000, seed=5)
    # As a user has it: files on disk whose catalog `reader index` built on an earlier day.
    tmp = tempfile.TemporaryDirectory()
    root = Path(tmp.name) / "corpus"
    for d in corpus:
        path = root / f"{d.id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(d.text, encoding="utf-8")
    settings = load_settings(
        corpus=[str(root)], db=f"{tmp.name}/db.json", catalog=f"{tmp.name}/catalog.db", env={}
    )
    Workspace.open(settings).close()
    store = AnnotationStore.in_memory()
    t0 = time.perf_counter()
    app = make_app(settings, store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: _rendered(app, DispatchTable))
        report("library of 10,000 dispatches painted (s)", time.perf_counter() - t0, "s", 2)
        table = app.screen.query_one(DispatchTable)
        await pilot.press("slash")
        times = []
        for ch in "grachev":
            before = table._render_count
            t = time.perf_counter()
            _send_key(app, ch)
            await _until(lambda ch=ch: app.screen.query_text.endswith(ch))
            await _settled(pilot, table, before)
            times.append(time.perf_counter() - t)
        print(
            f"  filter 'grachev': {len(app.screen.rows):,} of 10,000 match; per key ms: "
            + ", ".join(f"{x * 1000:.0f}" for x in times)
        )
        report("library of 10,000: filter keystroke, median (ms)", statistics.median(times) * 1000, "ms", 200)
