"""AgreementScreen: every pair of annotators in a matrix, computed off the main thread.

Each cell gives overlap F1, exact F1, Cohen's kappa and Krippendorff's alpha for the row's
and the column's annotator, with the dispatches both annotated; ``reader agreement`` has
the same figures per tag and per dispatch, and as JSON or CSV.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from reader.agreement import Figures, Report, agreement
from reader.inert import one_line, plural
from reader.store import Record
from reader.tui.screens.base import ReaderScreen


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.2f}"


class AgreementScreen(ReaderScreen):
    BINDINGS = [Binding("escape,q", "back", "Back", show=True)]

    class Computed(Message):
        def __init__(self, report: Report | None, error: str = "") -> None:
            super().__init__()
            self.report = report
            self.error = error

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="agreement"):
            yield Static(Text("comparing annotators…", style="dim"), id="agreement-body")
        yield Footer()

    def on_mount(self) -> None:
        self._compute(self.reader_app.store.all())  # store calls stay on the main thread

    @work(thread=True, exclusive=True, group="agreement")
    def _compute(self, records: list[Record]) -> None:
        app = self.reader_app
        ws = app.workspace.for_thread()
        try:
            report = agreement(records, lambda dispatch_id: ws.corpus.require(dispatch_id).text)
            self.post_message(self.Computed(report))
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a crash
            self.post_message(self.Computed(None, str(exc)))
        finally:
            if ws is not app.workspace:
                ws.close()

    def on_agreement_screen_computed(self, message: Computed) -> None:
        body = self.query_one("#agreement-body", Static)
        report = message.report
        if report is None:
            body.update(Text(f"could not compare: {one_line(message.error, 200)}", style="red"))
            return
        head = Text("Agreement between annotators\n", style="bold")
        if len(report.annotators) < 2 or not any(f.dispatches for f in report.pairs):
            head.append("no dispatch has annotations from two annotators yet", style="dim")
            body.update(head)
            return
        if report.alpha_u_dispatches:
            head.append(
                f"Krippendorff's alpha_U (unitizing), all {len(report.annotators)} annotators, over the "
                f"{plural(report.alpha_u_dispatches, 'dispatch', 'dispatches')} every one did: "
                f"{_fmt(report.alpha_u)}\n"
            )
        head.append(
            f"Krippendorff's alpha, all {len(report.annotators)} annotators: {_fmt(report.alpha)}\n"
            "each cell: overlap F1 · exact F1 · Cohen's kappa · Krippendorff's alpha (characters) and "
            "alpha_U (unitizing) · dispatches both did\n",
            style="",
        )
        pairs: dict[tuple[str, str], Figures] = {}
        for f in report.pairs:
            pairs[(f.a, f.b)] = pairs[(f.b, f.a)] = f
        table = Table(show_lines=True, header_style="bold")
        table.add_column("")
        names = report.annotators
        for name in names:
            table.add_column(Text(one_line(name, 16)), justify="center")  # a name is never markup
        for row in names:
            cells: list[Text | str] = [Text(one_line(row, 16), style="bold")]
            for col in names:
                found = pairs.get((row, col))
                if row == col or found is None or not found.dispatches:
                    cells.append(Text("·", style="dim"))
                    continue
                cells.append(
                    Text(
                        f"F1 {_fmt(found.overlap_f1)} / {_fmt(found.exact_f1)}\n"
                        f"κ {_fmt(found.kappa)}  α {_fmt(found.alpha)}  αU {_fmt(found.alpha_u)}\n"
                        + plural(found.dispatches, "dispatch", "dispatches")
                    )
                )
            table.add_row(*cells)
        body.update(head)
        self.query_one("#agreement").mount(Static(table, id="agreement-matrix"))

    def action_back(self) -> None:
        self.app.pop_screen()
