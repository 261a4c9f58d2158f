"""Benchmark figures: each printed beside its target as it is measured, then as a table."""

from __future__ import annotations

RESULTS: list[tuple[str, str, str, bool]] = []


def report(name: str, value: float, unit: str, target: float, lower_is_better: bool = True) -> None:
    ok = value <= target if lower_is_better else value >= target
    sign = "<=" if lower_is_better else ">="
    RESULTS.append((name, f"{value:,.3g} {unit}", f"{sign} {target:g} {unit}", ok))
    print(
        f"{name:<64} {value:>12,.3f} {unit:<6} target {sign} {target:g}  {'ok' if ok else 'MISSED'}",
        flush=True,
    )


def print_table() -> bool:
    """The figures so far as a Markdown table; True when every target was met."""
    print("\n| figure | measured | target | |\n|---|---|---|---|")
    for name, value, target, ok in RESULTS:
        print(f"| {name} | {value} | {target} | {'ok' if ok else 'missed'} |")
    return all(ok for *_, ok in RESULTS)
