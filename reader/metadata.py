"""Heuristics that read title, source, dateline place and date off a dispatch's head.

They look at the first lines only and never alter the text. With nothing to find, the
title is the file name.
"""

from __future__ import annotations

import re

from reader.models import Metadata
from reader.segments import paragraph_spans, sentence_spans

# Page furniture that web captures put above the headline (compared case-insensitively).
BOILERPLATE = frozenset(
    s.lower()
    for s in (
        "Accessibility links",
        "Breaking News",
        "Skip to main content",
        "Skip to content",
        "Skip navigation",
        "Main menu",
        "Menu",
        "Search",
        "Home",
        "Share",
        "Print",
        "Email",
        "Advertisement",
        "Subscribe",
        "Sign in",
        "Log in",
        "Latest",
        "Top stories",
        "Most popular",
        "Related",
        "Cookie settings",
    )
)

_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DATE = rf"{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"
# "Prague, May 15 (RFE/RL) --", "MOSCOW, April 2 (Reuters) -", "Kyiv, 3 March 2024 (AP) —"
DATELINE = re.compile(
    rf"^(?P<place>[A-Z][\w.'’ -]{{1,40}}?),\s+(?P<date>{_DATE})"
    r"(?:\s*\((?P<source>[^)\n]{1,40})\))?\s*(?:--|-|—|–|:)",
)
# "Publication: Monitor Volume: 5 Issue: 82"
PUBLICATION = re.compile(r"^Publication:\s*(?P<source>.+?)(?:\s+Volume:.*)?$", re.IGNORECASE | re.MULTILINE)
_FIELD = re.compile(r"^(?P<key>Source|Date|Published|Title):\s*(?P<value>.+)$", re.IGNORECASE)

TITLE_MAX = 80
EDITORS_NOTE = re.compile(
    r"^\s*(?P<open>[*(\[]*)\s*(?P<word>CORRECT(?:ION|ED|S)|CLARIFICATION|UPDATE[SD]?|"
    r"EDITOR['’]?S?\s+NOTE|NOTE\s+TO\s+(?:EDITORS|READERS)|RECASTS?|REFILE[SD]?|WRITETHRU)"
    r"(?P<after>\s*(?:[:\-–—*)\]]|\d|APPENDED\b))?",
    re.IGNORECASE,
)
"""A note a wire puts on top of a story it sends again: not the headline, not the body."""


def shorten(sentence: str, limit: int = TITLE_MAX) -> str:
    """Cut on a word boundary to at most ``limit`` characters, adding an ellipsis."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(",;:–—- ") + "…"


def _is_editors_note(line: str) -> bool:
    """ "CORRECTION: ...", "UPDATE 2-...", "Editor's note: ...", "(Corrects ...)", "Correction
    appended": a keyword in capitals, in brackets, or followed by a colon, dash or number. A
    headline that merely starts with "Update" is not one."""
    m = EDITORS_NOTE.match(line)
    if m is None:
        return False
    return bool(m.group("open") or m.group("after") or m.group("word").isupper())


def _is_headline(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 20 or len(line) > 150:
        return False
    if line.rstrip()[-1:] in ".,;:" or DATELINE.match(line):
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return capitalised >= max(2, len(words) // 2)


def extract_metadata(text: str, fallback_title: str) -> Metadata:
    """Read the head of ``text``; see the module docstring."""
    title = source = place = date = ""
    body_start = 0
    lead = -1
    # Where the first sentence starts after a dateline, if there is one.
    for para in paragraph_spans(text)[:12]:
        block = text[para.start : para.end]
        first_line = block.split("\n", 1)[0].strip()
        if first_line.lower() in BOILERPLATE or _is_editors_note(first_line):
            body_start = para.end
            continue
        pub = PUBLICATION.match(first_line)
        if pub:
            source = source or pub.group("source").strip()
            body_start = para.end
            continue
        fields = [_FIELD.match(line.strip()) for line in block.split("\n")]
        if all(fields):
            for field in fields:
                assert field is not None
                key, value = field.group("key").lower(), field.group("value").strip()
                if key == "source":
                    source = source or value
                elif key in ("date", "published"):
                    date = date or value
                elif key == "title":
                    title = title or value
            body_start = para.end
            continue
        dateline = DATELINE.match(block)
        if dateline:
            place = dateline.group("place").strip()
            date = date or dateline.group("date")
            source = source or (dateline.group("source") or "").strip()
            body_start = para.start
            lead = para.start + dateline.end()
            break
        if not title and "\n" not in block and _is_headline(block):
            title = block.strip()
            body_start = para.end
            continue
        body_start = para.start
        break
    if not title:
        first = lead if lead >= 0 else body_start
        for sentence in sentence_spans(text[first:])[:1]:
            title = shorten(text[first + sentence.start : first + sentence.end])
    return Metadata(
        title=title or fallback_title,
        source=source,
        place=place,
        date=date,
        body_start=body_start,
    )
