"""What every benchmark is told: how big to run, and whether PostgreSQL is there."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.databases import POSTGRES, SQLITE


@dataclass(frozen=True)
class Options:
    quick: bool
    postgres_problem: str | None
    failures: list[str] = field(default_factory=list)

    @property
    def databases(self) -> list[str]:
        return [SQLITE] if self.postgres_problem else [SQLITE, POSTGRES]

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def fail(self, message: str) -> str:
        """Remember a wrong result (the run exits non-zero) and return the line that reports it."""
        self.failures.append(message)
        return f"FAIL: {message}"

    def skip_line(self) -> str | None:
        return f"(PostgreSQL skipped: {self.postgres_problem})" if self.postgres_problem else None
