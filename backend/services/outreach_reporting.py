"""What the merchant sees of customer outreach: an invoice's messages (read with its panel, see
`services/reporting.py`, as is the account's engagement on the home)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.services.outreach_records import MessageRecord


@dataclass(frozen=True)
class Outreach:
    messages: list[MessageRecord]
    unsubscribed: bool
