"""dispatch-reader: a terminal reader and annotator for news dispatches.

The core (every module directly under ``reader``) runs without a UI; ``reader.tui`` is a
thin Textual layer on top of it.
"""

__version__ = "0.1.0"
