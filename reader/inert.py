"""The one place where untrusted strings become display text.

Tags, notes, titles, file names, dispatch text and imported values reach a terminal only
through :func:`inert`: control characters (escape sequences included) become visible
pictures, bidirectional overrides and lone surrogates become U+FFFD, and long values are cut
with an ellipsis. Markup is never interpreted: callers put the result in a Rich ``Text`` or
Textual ``Content``, never in a markup string.
"""

from __future__ import annotations

import re

# C0 controls and DEL become "control pictures" (one code point each, so offsets into a text
# stay in step with what is shown); C1 controls, bidi overrides and isolates, and lone
# surrogates become U+FFFD.
_C0 = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421}
_OTHER = {c: 0xFFFD for c in [*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_SURROGATES = {c: 0xFFFD for c in range(0xD800, 0xE000)}
TABLE = _C0 | _OTHER | _SURROGATES
"""Every code point that must not reach a terminal as itself."""
TABLE_KEEP_NEWLINES = {k: v for k, v in TABLE.items() if k != 0x0A}

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def inert(text: str, limit: int | None = None, *, newlines: bool = False) -> str:
    """``text`` made safe to print: nothing in it can move the cursor, set a title, or style.

    Args:
        text: any string from outside.
        limit: cut to this many characters, the last being ``…``.
        newlines: keep line breaks (for multi-line text such as a dispatch body).
    """
    if not isinstance(text, str):
        text = str(text)
    if _UNSAFE.search(text):
        text = text.translate(TABLE_KEEP_NEWLINES if newlines else TABLE)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def one_line(text: str, limit: int | None = None) -> str:
    """Whitespace runs (line breaks included) as single spaces, then :func:`inert`."""
    return inert(" ".join(str(text).split()), limit)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 hit``, ``2 hits``; ``plural(2, "dispatch", "dispatches")``."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"
