"""What a job handler reports back; the runner decides what it means for the job row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Done:
    """The work is finished (the handler marked it so in its own final transaction)."""


@dataclass(frozen=True)
class RetryLater:
    """Run the job again at `when`, remembering why."""

    when: datetime
    why: str


@dataclass(frozen=True)
class Failed:
    """The job cannot succeed; `reason` tells the merchant what happened and what they can do."""

    reason: str


@dataclass(frozen=True)
class Parked:
    """Recovery is switched off for the account: keep the job paused until it is switched on."""


Outcome = Done | RetryLater | Failed | Parked
