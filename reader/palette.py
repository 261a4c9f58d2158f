"""Colour contrast, as WCAG 2.x defines it, and the smallest change that makes text legible.

The reading view draws entity colours, tag backgrounds, search hits and the selection over
whatever background the user's theme has. Rather than one fixed palette per theme, every
colour pair actually drawn is checked here and, when it falls short of
:data:`MINIMUM_CONTRAST`, the text colour is moved towards black or white (whichever end
contrasts more with the background) only as far as needed, so a label keeps its hue where
it can.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

MINIMUM_CONTRAST = 4.5
"""WCAG AA for normal text."""

BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """Relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: RGB, b: RGB) -> float:
    """The contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def legible(fg: RGB, bg: RGB, minimum: float = MINIMUM_CONTRAST) -> RGB:
    """``fg`` if it reads on ``bg``, else the nearest colour towards black or white that does."""
    if contrast(fg, bg) >= minimum:
        return fg
    end = BLACK if contrast(BLACK, bg) >= contrast(WHITE, bg) else WHITE
    if contrast(end, bg) < minimum:
        return end  # the best any colour can do on this background
    # Along the way to ``end`` contrast first falls (if fg starts on the other side of bg), then
    # rises: the part that passes is one interval ending at ``end``, so bisection finds its start.
    lo, hi = 0.0, 1.0
    for _ in range(16):
        mid = (lo + hi) / 2
        if contrast(mix(fg, end, mid), bg) >= minimum:
            hi = mid
        else:
            lo = mid
    colour = mix(fg, end, hi)
    while contrast(colour, bg) < minimum:  # rounding to whole channels can fall just short
        hi = min(1.0, hi + 0.01)
        colour = mix(fg, end, hi)
    return colour


def hex_rgb(value: str) -> RGB:
    """``#rrggbb`` as a triple; ``ValueError`` for anything else."""
    text = value.strip().lstrip("#")
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
