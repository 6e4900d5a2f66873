"""Observe-only: a retry that happens on paper, so the merchant sees what Recoup would do."""

from __future__ import annotations

from backend.domain.billing import InvoiceStatus
from backend.services.job_runner import JobDeps, JobRun
from backend.services.planning import plan_and_queue
from backend.services.records import AttemptRecord
from backend.services.recovery_jobs_common import (
    Loaded,
    card_facts,
    close_for_settled_invoice,
    latest_card,
    load,
)


async def observe_attempt(deps: JobDeps, run: JobRun, loaded: Loaded) -> None:
    """Record the retry that would have been made and plan the next as if it declined again."""
    recovery = loaded.recovery
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)  # reads are fine
    if invoice.status is not InvoiceStatus.OPEN:
        await close_for_settled_invoice(deps, run, invoice)
        return
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, recovery.id)
        assert fresh is not None
        number = fresh.recovery.attempts_made + 1
        last_pm, brand = latest_card(fresh.attempts)
        attempt = AttemptRecord(
            recovery_id=recovery.id, number=number, attempted_at=now, outcome="observed",
            idempotency_key=f"observe:{recovery.id}:{number}",
            trigger=str(run.job.payload.get("trigger", "schedule")), payment_method_id=last_pm,
            card_brand=brand, decline_code=fresh.recovery.latest_decline_code)
        await uow.attempts.add(attempt)
        fresh.recovery.attempts_made = number
        # Observed attempts are not charges, so they do not count against the card network budget.
        await plan_and_queue(uow, fresh.recovery, fresh.settings,
                             card=card_facts(fresh.attempts, last_pm, brand), now=now)
        await uow.recoveries.save(fresh.recovery)
        await run.finish(uow)
        await uow.commit()
