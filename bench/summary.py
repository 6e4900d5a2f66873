"""The one-line summaries `make bench` ends with, collected as each benchmark finishes."""

from __future__ import annotations

SUMMARY: list[str] = []


def summarise(line: str) -> str:
    """Remember `line` for the closing summary and return it for the benchmark's own output."""
    SUMMARY.append(line)
    return line
