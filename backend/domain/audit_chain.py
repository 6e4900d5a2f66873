"""The audit trail's hash chain: canonical form, row hashes, and the check that finds a break.

Each account and mode has one chain. A row's hash covers the previous row's hash and the
canonical form of its own fields, among them a digest of its details: the details (which may
name a customer) can later be replaced by a redaction marker without breaking the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
REDACTED: dict[str, Any] = {"redacted": True}


@dataclass(frozen=True)
class ChainFields:
    """What a row's hash covers, apart from the previous hash."""

    seq: int
    account_id: str
    livemode: bool
    occurred_at: datetime
    kind: str  # stripe_write | merchant_action | data_deletion
    operation: str
    actor: str
    invoice_id: str | None
    recovery_id: str | None
    request_id: str | None
    http_status: int | None
    outcome: str
    details_digest: str

    def canonical(self) -> str:
        """Return the fields as one deterministic string (sorted keys, no spaces, UTC ISO time)."""
        values: dict[str, Any] = {
            "seq": self.seq, "account_id": self.account_id, "livemode": self.livemode,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"), "kind": self.kind,
            "operation": self.operation, "actor": self.actor, "invoice_id": self.invoice_id,
            "recovery_id": self.recovery_id, "request_id": self.request_id,
            "http_status": self.http_status, "outcome": self.outcome,
            "details_digest": self.details_digest,
        }
        return canonical_json(values)


@dataclass(frozen=True)
class ChainRow:
    """A stored row as the check sees it."""

    fields: ChainFields
    prev_hash: str
    row_hash: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking one chain: `broken_seq` is None when it holds."""

    rows: int
    broken_seq: int | None = None
    why: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def canonical_json(value: Any) -> str:
    """Serialise `value` the one way the chain hashes it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def details_digest(details: Mapping[str, Any]) -> str:
    """Return the SHA-256 of a details payload's canonical form."""
    return hashlib.sha256(canonical_json(dict(details)).encode()).hexdigest()


def row_hash(prev_hash: str, fields: ChainFields) -> str:
    """Return H(prev_hash, canonical fields)."""
    return hashlib.sha256(f"{prev_hash}\n{fields.canonical()}".encode()).hexdigest()


def is_redacted(details: Mapping[str, Any]) -> bool:
    return dict(details) == REDACTED


def verify(rows: Sequence[ChainRow], *, head_seq: int | None = None,
           head_hash: str | None = None) -> ChainCheck:
    """Check rows (ordered by seq) link from the genesis; name the first broken sequence number.

    `head_seq`/`head_hash` are the chain's recorded end: rows deleted from the end show as missing.
    """
    expected_prev, expected_seq = GENESIS, 1
    known = {GENESIS, *(row.row_hash for row in rows)}
    for row in rows:
        fields = row.fields
        if fields.seq > expected_seq:
            return ChainCheck(len(rows), expected_seq, f"row {expected_seq} is missing (deleted)")
        if fields.seq < expected_seq:
            return ChainCheck(len(rows), fields.seq, f"row {fields.seq} appears twice or out of order (reordered)")
        problem = _row_problem(row, expected_prev, known)
        if problem is not None:
            return ChainCheck(len(rows), fields.seq, problem)
        expected_prev, expected_seq = row.row_hash, expected_seq + 1
    if head_seq is not None and head_seq >= expected_seq:
        return ChainCheck(len(rows), expected_seq, f"row {expected_seq} is missing (deleted from the end)")
    if head_hash is not None and head_seq == expected_seq - 1 and head_hash != expected_prev:
        last = expected_seq - 1
        return ChainCheck(len(rows), last, f"row {last} does not match the chain head (modified)")
    return ChainCheck(len(rows))


def _row_problem(row: ChainRow, expected_prev: str, known: set[str]) -> str | None:
    fields = row.fields
    if not is_redacted(row.details) and details_digest(row.details) != fields.details_digest:
        return f"row {fields.seq} details do not match their digest (modified)"
    if row.prev_hash != expected_prev:
        if row.prev_hash in known:
            # It links to another row of this chain, just not the one before it.
            return f"row {fields.seq} does not follow row {fields.seq - 1} (reordered)"
        return f"row {fields.seq} does not follow row {fields.seq - 1} (modified or replaced)"
    if row_hash(row.prev_hash, fields) != row.row_hash:
        return f"row {fields.seq} does not match its hash (modified)"
    return None
