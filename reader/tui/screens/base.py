"""ReaderScreen: the base of the app's full screens, typed access to the app's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


class ReaderScreen(Screen[None]):
    """A full screen of :class:`~reader.tui.app.ReaderApp`."""

    @property
    def reader_app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]
