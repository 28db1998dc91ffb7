"""The printed report: one aligned plain-text table of medians, ratios and targets.

Kept apart from the measuring so the figures can be laid out (or laid out differently)
without touching how they are taken.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass
from typing import Any

COLUMNS = ("measure", "weightgrad", "micrograd", "plain Python", "ratio", "target", "ok?", "n")
NUMERIC = {1, 2, 3}  # columns of figures, right-aligned so digits line up


@dataclass
class Row:
    """One line of the table; every cell already a string ("-" where nothing applies)."""

    measure: str
    weightgrad: str = "-"
    micrograd: str = "-"
    plain: str = "-"
    ratio: str = "-"
    target: str = "-"
    ok: str = "-"
    n: str = "-"


def verdict(ok: bool | None) -> str:
    """"ok", "MISS", or "-" when there is no target (or nothing was measured)."""
    return "-" if ok is None else ("ok" if ok else "MISS")


def number(x: float | None, digits: int = 3) -> str:
    """A figure to `digits` significant digits, with M/k for big counts; "-" for None."""
    if x is None:
        return "-"
    # 999,700 is "1.00M", not "1,000k": the switch is where rounding would reach the next unit.
    scale, suffix = ((1e6, "M") if abs(x) >= 999_500 else (1e3, "k") if abs(x) >= 1e4
                     else (1, ""))
    v = float(f"{x / scale:.{digits}g}")  # round first, so 0.9997 counts as 1.00
    # As many decimals as leave `digits` significant ones (none past the point for 1000+).
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v)))) if v else 0
    return f"{v:,.{decimals}f}{suffix}"


def times(x: float | None, what: str) -> str:
    """A ratio as "12.3x what"; "-" if it could not be computed."""
    return "-" if x is None else f"{number(x)}x {what}"


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None if either is missing or b is zero."""
    return None if a is None or b is None or b == 0 else a / b


def header(meta: dict[str, Any]) -> str:
    gc_state = "enabled" if meta["gc_enabled"] else "DISABLED"
    mode = " (--quick: smaller sizes, fewer repeats)" if meta.get("quick") else ""
    return (f"weightgrad benchmarks{mode}\n"
            f"{meta['python']} on {meta['platform']}; GC {gc_state}, thresholds "
            f"{tuple(meta['gc_threshold'])} (this Python's defaults); recursion limit "
            f"{meta['recursion_limit']}; {meta['timer']}; {meta['date']}")


def table(rows: list[Row]) -> str:
    """Rows under COLUMNS, each column as wide as its widest cell, separated by " | "."""
    cells = [COLUMNS, *(astuple(r) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]

    def line(row: tuple[str, ...]) -> str:
        return " | ".join(c.rjust(w) if i in NUMERIC and row is not COLUMNS else c.ljust(w)
                          for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(COLUMNS), rule, *(line(astuple(r)) for r in rows)])
