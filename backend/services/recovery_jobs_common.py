"""Steps shared by the recovery jobs: loading state, closing on a settled invoice, card facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain.billing import Invoice, InvoiceStatus
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus, is_terminal
from backend.domain.settings import RecoverySettings
from backend.services.account_settings import load_settings
from backend.services.job_runner import JobDeps, JobRun
from backend.services.lifecycle import end_recovery, paid_elsewhere_by
from backend.services.planning import CardFacts
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Loaded:
    recovery: RecoveryRecord
    settings: RecoverySettings
    attempts: list[AttemptRecord]

    @property
    def status(self) -> RecoveryStatus:
        return RecoveryStatus(self.recovery.status)


async def load(uow: UnitOfWork, recovery_id: str | None) -> Loaded | None:
    if recovery_id is None:
        return None
    recovery = await uow.recoveries.get(recovery_id)
    if recovery is None:
        return None
    return Loaded(recovery, await load_settings(uow, recovery.account),
                  await uow.attempts.for_recovery(recovery.id))


async def load_open(deps: JobDeps, run: JobRun) -> Loaded | None:
    """Load the job's recovery; return None (the job parked or finished) when it must not act now."""
    async with deps.uow_factory() as uow:
        loaded = await load(uow, run.job.recovery_id)
        if loaded is not None and not is_terminal(loaded.status) and not loaded.settings.enabled:
            # Recovery was switched off after this job was queued: off means nothing happens,
            # and switching it on again brings the job back.
            await run.park(uow)
            await uow.commit()
            return None
        if loaded is None or is_terminal(loaded.status) or loaded.status is RecoveryStatus.PAUSED:
            await run.finish(uow)
            await uow.commit()
            return None
    return loaded


async def park(deps: JobDeps, run: JobRun) -> None:
    """Put the job back, paused: recovery is switched off for its account."""
    async with deps.uow_factory() as uow:
        await run.park(uow)
        await uow.commit()


async def close_for_settled_invoice(deps: JobDeps, run: JobRun, invoice: Invoice) -> None:
    """The invoice is no longer open: end the recovery accordingly, charge nothing, finish the job."""
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
        if recovery is not None and not is_terminal(RecoveryStatus(recovery.status)):
            if invoice.status is InvoiceStatus.PAID:
                await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid",
                                   recovered_by=paid_elsewhere_by(recovery), now=now)
            else:
                await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE,
                                   outcome=f"invoice_{invoice.status.value}", now=now)
        await run.finish(uow)
        await uow.commit()


def card_facts(attempts: list[AttemptRecord], payment_method_id: str | None, brand: str | None) -> CardFacts:
    """The brand of the card and when it was tried for this invoice (for the network budget)."""
    times = tuple(a.attempted_at for a in attempts
                  if payment_method_id is not None and a.payment_method_id == payment_method_id
                  and a.outcome not in ("observed", "refused"))  # neither reached the card network
    return CardFacts(brand=brand, attempts=times)


def failed_card_ids(attempts: list[AttemptRecord]) -> set[str]:
    return {a.payment_method_id for a in attempts
            if a.outcome in ("declined", "refused") and a.payment_method_id}


def latest_card(attempts: list[AttemptRecord]) -> tuple[str | None, str | None]:
    """The payment method and brand of the most recent attempt."""
    for attempt in reversed(attempts):
        if attempt.payment_method_id:
            return attempt.payment_method_id, attempt.card_brand
    return None, None


def unix(moment: datetime) -> int:
    return int(moment.timestamp())
