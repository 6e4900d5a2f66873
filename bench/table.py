"""Plain-text tables: fixed-width columns, numbers right-aligned."""

from __future__ import annotations

from collections.abc import Sequence


def render(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, labels: int = 1) -> str:
    """Return `title` underlined, then the rows in aligned columns (the first `labels` are text)."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        # Labels read best left-aligned, figures right-aligned so their digits line up.
        return "  ".join(str(cell).ljust(w) if i < labels else str(cell).rjust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title, "=" * len(title), line(headers), rule, *(line(row) for row in rows)])


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def rate(value: float) -> str:
    return f"{value:,.0f}"
