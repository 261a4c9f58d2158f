"""Colour contrast: the WCAG ratio and the smallest legible change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reader.palette import BLACK, WHITE, contrast, hex_rgb, legible, luminance

channel = st.integers(0, 255)
rgb = st.tuples(channel, channel, channel)


def test_known_ratios() -> None:
    assert round(contrast(BLACK, WHITE), 2) == 21.0
    assert contrast(WHITE, WHITE) == 1.0
    # #777777 on white is the classic just-failing grey: 4.48:1.
    assert round(contrast(hex_rgb("#777777"), WHITE), 2) == 4.48
    assert luminance(BLACK) == 0.0 and luminance(WHITE) == 1.0


@given(rgb, rgb)
def test_legible_reaches_the_minimum_wherever_any_colour_can(fg, bg) -> None:  # type: ignore[no-untyped-def]
    out = legible(fg, bg)
    best = max(contrast(BLACK, bg), contrast(WHITE, bg))
    assert contrast(out, bg) >= min(4.5, best)
    if contrast(fg, bg) >= 4.5:
        assert out == fg  # a colour that already reads is kept as it is


def test_legible_keeps_the_hue_where_it_can() -> None:
    green_on_white = legible(hex_rgb("#5fd787"), WHITE)
    assert contrast(green_on_white, WHITE) >= 4.5
    r, g, b = green_on_white
    assert g > r and g > b  # still green, only darker
